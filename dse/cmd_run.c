/*
 * cmd_run.c - `pdswap-dse CONFIG`: the main job.  Evaluates every named
 * design of the config with the analytic model at every workload point,
 * stores the run in results.db in one transaction, and prints a summary.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "cmd.h"
#include "perf.h"
#include "report.h"
#include "store.h"
#include "util.h"
#include "workload.h"

static void usage(FILE *f)
{
	fputs("usage: pdswap-dse CONFIG [--db FILE] [--report]\n"
	      "  Evaluates the designs of CONFIG at every workload point and stores them in\n"
	      "  FILE (default results/results.db).\n"
	      "  --report  then writes the run's report into the directory 'report' beside FILE\n"
	      "            (results/report by default; see 'pdswap-dse report --help')\n",
	      f);
}

/* Lengths at which metrics are stored: the union of prompts and contexts. */
static int lengths(const cfg_t *c, int *out)
{
	int n = 0;
	for (int i = 0; i < c->wl.n_prompts; i++)
		out[n++] = c->wl.prompts[i];
	for (int i = 0; i < c->wl.n_contexts; i++) {
		bool dup = false;
		for (int j = 0; j < n; j++)
			dup |= out[j] == c->wl.contexts[i];
		if (!dup)
			out[n++] = c->wl.contexts[i];
	}
	for (int i = 1; i < n; i++) /* insertion sort: deterministic order */
		for (int j = i; j > 0 && out[j] < out[j - 1]; j--) {
			int t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static bool in_list(const int *v, int n, int x)
{
	for (int i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* Store one design point and its analytic metrics. */
static int store_design(store *s, const cfg_t *c, const wl_t *w, int64_t run_id, int64_t pid,
			const char *name, const design_t *d, bool *feasible)
{
	perf_ctx p;
	perf_res res;
	perf_run r;
	char why[200];
	perf_prepare(&p, c, w, d);
	perf_resources(&p, &res);
	*feasible = perf_feasible(&p, why, sizeof why);
	perf_run_eval(&p, c->obj.prompt, 0, &r);
	store_point sp = {run_id, pid, name, d, &res, *feasible, why, perf_objective(&p), r.swap_s,
			  r.bitstream_bytes};
	if (store_put_point(s, c, &sp))
		return -1;
	int L[2 * CFG_MAX_LIST], n = lengths(c, L);
	for (int i = 0; i < n; i++) {
		store_metric m = {run_id, pid, "analytic", L[i], NAN, NAN, NAN, NAN, NAN, NAN};
		if (in_list(c->wl.prompts, c->wl.n_prompts, L[i])) {
			perf_run_eval(&p, L[i], 0, &r);
			m.ttft_s = r.ttft_s;
			m.prefill_s = r.prefill_s;
			if (d->mode == MODE_DPR)
				m.swap_exposed_s = r.swap_exposed_s;
		}
		if (in_list(c->wl.contexts, c->wl.n_contexts, L[i])) {
			perf_layer l = perf_decode_layer(&p, L[i]);
			double step = perf_decode_step_s(&p, L[i]);
			m.decode_step_s = step;
			m.decode_tok_s = 1 / step;
			m.energy_j_per_token = perf_power_w(&p, true, w->layers * l.bytes / step) * step;
		}
		if (store_put_metric(s, &m))
			return -1;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	const char *path = NULL, *db = "results/results.db";
	bool report = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= argc) {
				util_err("--db needs a file name");
				return EXIT_USAGE;
			}
			db = argv[++i];
		} else if (strcmp(argv[i], "--report") == 0) {
			report = true;
		} else if (argv[i][0] == '-') {
			util_err("unknown option '%s'", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		} else if (!path) {
			path = argv[i];
		} else {
			util_err("unexpected argument '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!path) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cfg_t c;
	char err[1024];
	if (cfg_load(&c, path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	wl_t w;
	wl_init(&w, &c.model);
	store *s;
	if (store_open(&s, db, err, sizeof err)) {
		util_err("%s", err);
		cfg_release(&c);
		return EXIT_RUNTIME;
	}
	int rc = EXIT_RUNTIME;
	int64_t run_id, n_feas = 0;
	if (store_begin(s))
		goto fail;
	if (store_new_run(s, &c, "designs", 1, &run_id))
		goto rollback;
	for (int i = 0; i < c.n_designs; i++) {
		bool feas;
		if (store_design(s, &c, &w, run_id, i, c.designs[i].name, &c.designs[i].d, &feas))
			goto rollback;
		n_feas += feas;
	}
	if (store_finish_run(s, run_id, "complete", c.n_designs, n_feas) || store_commit(s))
		goto rollback;

	printf("%s: %d designs evaluated (run %lld in %s)\n", path, c.n_designs, (long long)run_id, db);
	printf("%-12s %-6s %10s %10s %10s %10s %8s %9s  %s\n", "design", "mode", "ttft@obj", "tok/s@S",
	       "tok/s@L", "objective", "LUT", "J/token", "feasible");
	for (int i = 0; i < c.n_designs; i++) {
		perf_ctx p;
		perf_run r;
		char why[200];
		perf_prepare(&p, &c, &w, &c.designs[i].d);
		perf_run_eval(&p, c.obj.prompt, 1, &r);
		bool feas = perf_feasible(&p, why, sizeof why);
		printf("%-12s %-6s %10.3f %10.2f %10.2f %10.3f %8.0f %9.3f  %s\n", c.designs[i].name,
		       mode_names[p.d.mode], r.ttft_s, perf_decode_tok_s(&p, c.obj.l_short),
		       perf_decode_tok_s(&p, c.obj.l_long), perf_objective(&p), p.r_total.v[RES_LUT],
		       r.energy_j_per_token, feas ? "yes" : why);
	}
	rc = EXIT_OK;
	if (report) {
		char out[4096], rerr[4096];
		const char *slash = strrchr(db, '/');
		if (slash)
			snprintf(out, sizeof out, "%.*s/report", (int)(slash - db), db);
		else
			snprintf(out, sizeof out, "report");
		rc = rep_write(db, run_id, out, rerr, sizeof rerr);
		if (rc)
			util_err("%s (the run is stored in %s)", rerr, db);
		else
			printf("report written to %s/index.html\n", out);
	}
	goto out;
rollback:
	util_err("%s", store_errmsg(s));
	store_rollback(s);
	goto out;
fail:
	util_err("%s", store_errmsg(s));
out:
	store_close(s);
	cfg_release(&c);
	return rc;
}
