/*
 * recheck.c - the DES re-check of recheck.h: worker threads run the DES
 * for the items left, the calling thread stores them in batches.
 */
#include "explore/recheck.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "explore/pool.h"
#include "explore/progress.h"
#include "models/common.h"
#include "sim/des.h"

#define STORE_EVERY_S 0.1 /* seconds between commits (at most) */

static void add_len(recheck_lengths *L, int x, bool prompt, bool ctx)
{
	int i = recheck_length_index(L, x);
	if (i >= 0) {
		L->prompt[i] |= prompt;
		L->ctx[i] |= ctx;
		return;
	}
	i = L->n++;
	while (i > 0 && L->len[i - 1] > x) {
		L->len[i] = L->len[i - 1];
		L->prompt[i] = L->prompt[i - 1];
		L->ctx[i] = L->ctx[i - 1];
		i--;
	}
	L->len[i] = x;
	L->prompt[i] = prompt;
	L->ctx[i] = ctx;
}

void recheck_lengths_init(recheck_lengths *L, const cfg_t *c)
{
	memset(L, 0, sizeof *L);
	for (int i = 0; i < c->wl.n_prompts; i++)
		add_len(L, c->wl.prompts[i], true, false);
	add_len(L, c->obj.prompt, true, false);
	for (int i = 0; i < c->wl.n_contexts; i++)
		add_len(L, c->wl.contexts[i], false, true);
	add_len(L, c->obj.l_short, false, true);
	add_len(L, c->obj.l_long, false, true);
}

int recheck_length_index(const recheck_lengths *L, int x)
{
	for (int i = 0; i < L->n; i++)
		if (L->len[i] == x)
			return i;
	return -1;
}

double recheck_objective(const cfg_t *c, const recheck_lengths *L, const recheck_item *it, double *ttft_s)
{
	const cfg_objective *o = &c->obj;
	const figures_len *vp = &it->v[recheck_length_index(L, o->prompt)];
	const figures_len *vl = &it->v[recheck_length_index(L, o->l_long)];
	const figures_len *vs = &it->v[recheck_length_index(L, o->l_short)];
	*ttft_s = vp->ttft_s;
	return figures_objective(o, vp->ttft_s, vl->decode_step_s, vs->decode_step_s);
}

int recheck_simulate(const cfg_t *c, const workload_t *w, const recheck_lengths *L, const design_t *d,
		     figures_len *v, char *err, size_t errlen)
{
	des_opts o = {0};
	des_result r;
	for (int i = 0; i < L->n; i++) {
		v[i] = figures_len_none();
		int len = L->len[i];
		if (L->prompt[i]) {
			if (des_run_plan(c, w, d, NULL, len, 0, &o, &r, err, errlen))
				return -1;
			v[i].ttft_s = r.f.ttft_s;
			v[i].prefill_s = r.f.prefill_s;
			if (d->mode == MODE_DPR)
				v[i].swap_exposed_s = r.f.swap_exposed_s;
		}
		if (L->ctx[i]) {
			if (des_run_plan(c, w, d, NULL, len > 1 ? len - 1 : 1, 1, &o, &r, err, errlen))
				return -1;
			v[i].decode_step_s = r.f.decode_first_step_s;
			v[i].decode_tok_s = 1 / r.f.decode_first_step_s;
			v[i].energy_j_per_token = r.f.energy_j_per_token;
		}
	}
	const char *delay = getenv("PDSWAP_DES_DELAY_MS");
	long delay_ms = delay ? strtol(delay, NULL, 10) : 0;
	if (delay_ms > 0 && delay_ms < 100000) {
		struct timespec ts = {delay_ms / 1000, delay_ms % 1000 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return 0;
}

struct recheck_feed {
	const recheck_ctx *x;
	recheck_item *it;
	size_t n;
	atomic_size_t next;
	atomic_int running;
	bool source_failed;
	char source_err[1024];
};

long recheck_feed_take(recheck_feed *f)
{
	while (!*f->x->stop) {
		size_t i = atomic_fetch_add(&f->next, 1);
		if (i >= f->n)
			return -1;
		if (atomic_load(&f->it[i].state) == 0)
			return (long)i;
	}
	return -1;
}

const recheck_item *recheck_feed_item(const recheck_feed *f, long i)
{
	return &f->it[i];
}

const recheck_lengths *recheck_feed_lengths(const recheck_feed *f)
{
	return f->x->L;
}

bool recheck_feed_stopping(const recheck_feed *f)
{
	return *f->x->stop != 0;
}

void recheck_feed_give(recheck_feed *f, long i, const figures_len *v, const char *why)
{
	recheck_item *t = &f->it[i];
	if (why) {
		t->failed = true;
		snprintf(t->err, sizeof t->err, "%s", why);
	} else {
		memcpy(t->v, v, (size_t)f->x->L->n * sizeof *v);
	}
	atomic_store(&t->state, 1);
}

static void *worker(void *arg)
{
	recheck_feed *j = arg;
	long i;
	while ((i = recheck_feed_take(j)) >= 0) {
		recheck_item *t = &j->it[i];
		if (recheck_simulate(j->x->c, j->x->w, j->x->L, &t->d, t->v, t->err, sizeof t->err))
			t->failed = true;
		atomic_store(&t->state, 1);
	}
	atomic_fetch_sub(&j->running, 1);
	return NULL;
}

static void *source_main(void *arg)
{
	recheck_feed *j = arg;
	if (j->x->source(j->x->source_arg, j, j->source_err, sizeof j->source_err))
		j->source_failed = true;
	atomic_fetch_sub(&j->running, 1);
	return NULL;
}

/*
 * Store every simulated item not yet stored, in one transaction.  Workers
 * keep finishing items meanwhile: only the items written here (listed in
 * `w`, n entries) are marked stored after the commit.
 */
static int store_batch(const recheck_ctx *x, recheck_item *it, size_t n, size_t *w, char *err, size_t errlen)
{
	size_t nw = 0;
	for (size_t i = 0; i < n; i++)
		if (atomic_load(&it[i].state) == 1 && !it[i].failed)
			w[nw++] = i;
	if (!nw)
		return 0;
	if (store_begin(x->s))
		goto fail;
	for (size_t k = 0; k < nw; k++) {
		const recheck_item *t = &it[w[k]];
		for (int l = 0; l < x->L->n; l++) {
			store_metric m = {x->run_id, t->id, "des", x->L->len[l], t->v[l]};
			unsigned have = 0;
			if (x->L->prompt[l])
				have |= STORE_HAVE_PROMPT | (t->d.mode == MODE_DPR ? STORE_HAVE_SWAP : 0);
			if (x->L->ctx[l])
				have |= STORE_HAVE_DECODE;
			if (store_put_metric(x->s, &m, have))
				goto rollback;
		}
	}
	if (store_commit(x->s))
		goto rollback;
	for (size_t k = 0; k < nw; k++)
		atomic_store(&it[w[k]].state, 2);
	return 0;
rollback:
	snprintf(err, errlen, "%s", store_errmsg(x->s));
	store_rollback(x->s);
	return -1;
fail:
	snprintf(err, errlen, "%s", store_errmsg(x->s));
	return -1;
}

/* An item an earlier process stored: its rows back into v (state 2). */
static int load(const recheck_ctx *x, recheck_item *it, char *err, size_t errlen)
{
	store_metric m;
	for (int k = 0; k < x->L->n; k++) {
		int rc = store_get_metric(x->s, x->run_id, it->id, "des", x->L->len[k], &m);
		if (rc < 0) {
			snprintf(err, errlen, "%s", store_errmsg(x->s));
			return -1;
		}
		if (rc == 1) {
			if (k == 0)
				return 0; /* not simulated yet */
			snprintf(err, errlen, "%s: run %lld holds part of the DES figures of point %lld",
				 store_path(x->s), (long long)x->run_id, (long long)it->id);
			return -1;
		}
		it->v[k] = m.f;
	}
	atomic_store(&it->state, 2);
	return 0;
}

int recheck_run(const recheck_ctx *x, recheck_item *it, size_t n, char *err, size_t errlen)
{
	int64_t done0 = 0;
	for (size_t i = 0; i < n; i++) {
		atomic_init(&it[i].state, 0);
		it[i].failed = false;
		if (load(x, &it[i], err, errlen))
			return -1;
		done0 += atomic_load(&it[i].state) == 2;
	}
	recheck_feed j = {.x = x, .it = it, .n = n};
	atomic_init(&j.next, 0);
	int local = x->source && x->source_only ? 0 : x->threads;
	atomic_init(&j.running, local + (x->source ? 1 : 0));
	size_t *w = malloc((n ? n : 1) * sizeof *w);
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pool workers = {0}, source = {0};
	if (local > 0) {
		int started = pool_start(&workers, local, worker, &j, err, errlen);
		if (started < 0) {
			free(w);
			return -1;
		}
		atomic_fetch_sub(&j.running, local - started);
	}
	if (x->source && pool_start(&source, 1, source_main, &j, err, errlen) < 0) {
		atomic_store(&j.next, n); /* the local threads end */
		pool_join(&workers);
		free(w);
		return -1;
	}
	double t0 = common_now_s(), last = t0;
	int rc = 0;
	for (;;) {
		bool finished = atomic_load(&j.running) == 0;
		if (!finished) {
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		if (rc == 0 && (finished || common_now_s() - last >= STORE_EVERY_S)) {
			rc = store_batch(x, it, n, w, err, errlen);
			last = common_now_s();
		}
		if (x->progress) {
			int64_t nd = 0;
			for (size_t i = 0; i < n; i++)
				nd += atomic_load(&it[i].state) != 0;
			progress_draw("points re-checked with the DES", nd, (int64_t)n, t0, done0, finished);
		}
		if (finished)
			break;
	}
	pool_join(&workers);
	pool_join(&source);
	free(w);
	if (rc)
		return -1;
	if (j.source_failed) {
		snprintf(err, errlen, "%s", j.source_err);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (it[i].failed) {
			snprintf(err, errlen, "DES of point %lld: %s", (long long)it[i].id, it[i].err);
			return -1;
		}
	for (size_t i = 0; i < n; i++)
		if (atomic_load(&it[i].state) != 2)
			return 1;
	return 0;
}
