/*
 * bench_sweep.c - throughput of the sweep's parts, as "name: value" lines
 * (tests/bench.sh runs it; `make bench`).
 *
 *   bench_sweep SPACE.yaml LOOSE.yaml DB [SETS.yaml LOOSE_SETS.yaml]
 *
 * SPACE is a large space with the shipped constraints, LOOSE the same
 * space with constraints that prune nothing (every point is evaluated in
 * full).  Lines:
 *   analytic_points_per_s_per_core  LOOSE, one thread: points evaluated in
 *                                   full (every workload point) per second
 *   analytic_points_per_s_total     LOOSE, two threads
 *   sweep_points_per_s_per_core     SPACE, one thread, pruning included
 *   pareto_updates_per_s            every feasible vector of SPACE offered
 *                                   one by one to the incremental front
 *   sqlite_rows_per_s               points and metrics rows through the
 *                                   store, batched in transactions, into DB
 * and with SETS (SPACE with design_space.rm_sets: each dpr point a set of
 * modules) and LOOSE_SETS (LOOSE likewise):
 *   sets_space_points                     its points
 *   analytic_sets_points_per_s_per_core   LOOSE_SETS, one thread
 *   sweep_sets_points_per_s_per_core      SETS, one thread, pruning included
 * Wall times are the best of three repetitions.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/common.h"
#include "config/config.h"
#include "models/cfg.h"
#include "explore/factor.h"
#include "explore/pareto.h"
#include "models/perf.h"
#include "explore/space.h"
#include "store/store.h"
#include "models/workload.h"

typedef struct {
	const factor *f;
	const space_t *s;
	atomic_llong next;
	atomic_llong points;
} job;

static void *eval_worker(void *arg)
{
	job *j = arg;
	factor_scratch *x = factor_scratch_new();
	factor_buf b = {0};
	factor_counts cnt = {0};
	for (;;) {
		int64_t k = atomic_fetch_add(&j->next, 1);
		if (k >= j->s->n_chunks)
			break;
		b.n = 0;
		if (factor_chunk(j->f, x, k, &b, &cnt, NULL)) {
			fprintf(stderr, "bench_sweep: out of memory\n");
			exit(1);
		}
	}
	atomic_fetch_add(&j->points, cnt.points);
	factor_buf_release(&b);
	factor_scratch_free(x);
	return NULL;
}

/* Points per second over the whole space with `threads` threads (best of 3). */
static double eval_rate(const cfg_t *c, int threads)
{
	workload_t w;
	workload_init(&w, &c->model);
	space_t s;
	space_init(&s, c);
	factor *f = factor_new(c, &w, &s);
	double best = 0;
	for (int rep = 0; rep < 3; rep++) {
		job j = {.f = f, .s = &s};
		atomic_init(&j.next, 0);
		atomic_init(&j.points, 0);
		pthread_t t[8];
		double t0 = common_now_s();
		for (int i = 0; i < threads; i++)
			pthread_create(&t[i], NULL, eval_worker, &j);
		for (int i = 0; i < threads; i++)
			pthread_join(t[i], NULL);
		double rate = (double)atomic_load(&j.points) / (common_now_s() - t0);
		if (rate > best)
			best = rate;
	}
	factor_free(f);
	return best;
}

static double pareto_rate(const cfg_t *c)
{
	workload_t w;
	workload_init(&w, &c->model);
	space_t s;
	space_init(&s, c);
	factor *f = factor_new(c, &w, &s);
	factor_scratch *x = factor_scratch_new();
	int d = factor_get_layout(f)->n_obj;
	factor_buf b[2] = {{0}, {0}};
	factor_counts cnt = {0};
	for (int64_t k = 0; k < s.n_chunks; k++)
		factor_chunk(f, x, k, &b[space_chunk_mode(&s, k) == &s.m[0] ? 0 : 1], &cnt, NULL);
	double best = 0;
	for (int rep = 0; rep < 3; rep++) {
		double t0 = common_now_s();
		uint64_t offers = 0;
		for (int m = 0; m < 2; m++) {
			pareto *p = pareto_new(d);
			for (size_t i = 0; i < b[m].n; i++)
				pareto_insert(p, b[m].id[i], b[m].v + i * (size_t)d);
			offers += pareto_offers(p);
			pareto_free(p);
		}
		double rate = (double)offers / (common_now_s() - t0);
		if (rate > best)
			best = rate;
	}
	factor_buf_release(&b[0]);
	factor_buf_release(&b[1]);
	factor_scratch_free(x);
	factor_free(f);
	return best;
}

/* Rows per second into the store: one point row and 7 metrics rows per point. */
static double sqlite_rate(const cfg_t *c, const char *db)
{
	workload_t w;
	workload_init(&w, &c->model);
	space_t s;
	space_init(&s, c);
	store *st;
	char err[2600];
	remove(db);
	if (store_open(&st, db, err, sizeof err)) {
		fprintf(stderr, "bench_sweep: %s\n", err);
		exit(1);
	}
	int64_t run;
	store_begin(st);
	store_new_run(st, c, "sweep", 1, &run);
	store_commit(st);
	/* the rows' content is prepared first: only SQLite is timed */
	const int n = 40000, lens[7] = {64, 128, 256, 512, 768, 1024, 2048};
	design_t d;
	perf_ctx p;
	perf_res res;
	space_design(&s, 0, &d);
	perf_prepare(&p, c, &w, &d);
	perf_resources(&p, &res);
	double t0 = common_now_s();
	int64_t rows = 0;
	for (int i = 0; i < n; i++) {
		if (i % 5000 == 0)
			store_begin(st);
		store_point sp = {run, i, NULL, &d, &res, true, NULL, 1.0 + i, 0.045, 2.8e6};
		if (store_put_point(st, c, &sp)) {
			fprintf(stderr, "bench_sweep: %s\n", store_errmsg(st));
			exit(1);
		}
		rows++;
		for (int k = 0; k < 7; k++) {
			store_metric m = {run, i, "analytic", lens[k], {0.1 * k, 0.1 * k, 10.0 + k, 0.1, 0.3, NAN}};
			if (store_put_metric(st, &m, STORE_HAVE_PROMPT | STORE_HAVE_DECODE)) {
				fprintf(stderr, "bench_sweep: %s\n", store_errmsg(st));
				exit(1);
			}
			rows++;
		}
		if (i % 5000 == 4999 || i == n - 1)
			store_commit(st);
	}
	double rate = (double)rows / (common_now_s() - t0);
	store_close(st);
	return rate;
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: bench_sweep SPACE.yaml LOOSE.yaml DB [SETS.yaml LOOSE_SETS.yaml]\n");
		return 2;
	}
	cfg_t c, loose;
	char err[1024];
	if (config_load(&c, argv[1], err, sizeof err) || config_load(&loose, argv[2], err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	space_t s;
	space_init(&s, &c);
	printf("sweep_space_points: %lld\n", (long long)s.n_points);
	printf("analytic_points_per_s_per_core: %.0f\n", eval_rate(&loose, 1));
	printf("analytic_points_per_s_total: %.0f\n", eval_rate(&loose, 2));
	printf("sweep_points_per_s_per_core: %.0f\n", eval_rate(&c, 1));
	printf("pareto_updates_per_s: %.0f\n", pareto_rate(&c));
	printf("sqlite_rows_per_s: %.0f\n", sqlite_rate(&c, argv[3]));
	cfg_release(&c);
	cfg_release(&loose);
	if (argc == 6) {
		if (config_load(&c, argv[4], err, sizeof err) || config_load(&loose, argv[5], err, sizeof err)) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
		space_init(&s, &c);
		printf("sets_space_points: %lld\n", (long long)s.n_points);
		printf("analytic_sets_points_per_s_per_core: %.0f\n", eval_rate(&loose, 1));
		printf("sweep_sets_points_per_s_per_core: %.0f\n", eval_rate(&c, 1));
		cfg_release(&c);
		cfg_release(&loose);
	}
	return 0;
}
