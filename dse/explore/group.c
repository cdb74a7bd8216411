/*
 * group.c - a group of chunks to its own front (group.h).
 */
#include "explore/group.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "explore/pareto.h"

struct group_eval {
	const factor *f;
	const space_t *sp;
	int n_obj;
	factor_scratch *x;
	factor_buf buf;
	size_t *keep, cap_keep;
	long delay_ms;
};

group_eval *group_eval_new(const factor *f, const space_t *sp)
{
	group_eval *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->f = f;
	e->sp = sp;
	e->n_obj = factor_get_layout(f)->n_obj;
	e->x = factor_scratch_new();
	e->cap_keep = SPACE_CHUNK_MAX;
	e->keep = malloc(e->cap_keep * sizeof *e->keep);
	const char *delay = getenv("PDSWAP_CHUNK_DELAY_MS");
	e->delay_ms = delay ? strtol(delay, NULL, 10) : 0;
	if (!e->x || !e->keep) {
		group_eval_free(e);
		return NULL;
	}
	return e;
}

void group_eval_free(group_eval *e)
{
	if (!e)
		return;
	free(e->keep);
	factor_buf_release(&e->buf);
	factor_scratch_free(e->x);
	free(e);
}

group_result *group_result_new(size_t n_chunks, size_t n, int n_obj)
{
	group_result *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->chunk = malloc((n_chunks ? n_chunks : 1) * sizeof *r->chunk);
	factor_knobs_init(&r->knobs[0]);
	factor_knobs_init(&r->knobs[1]);
	r->cap = n ? n : 16;
	r->id = malloc(r->cap * sizeof *r->id);
	r->v = malloc(r->cap * (size_t)n_obj * sizeof *r->v);
	if (!r->chunk || !r->id || !r->v) {
		group_result_free(r);
		return NULL;
	}
	return r;
}

void group_result_free(group_result *r)
{
	if (!r)
		return;
	free(r->chunk);
	free(r->id);
	free(r->v);
	free(r);
}

static int reserve(group_result *r, size_t n, int n_obj)
{
	if (n <= r->cap)
		return 0;
	size_t cap = r->cap ? r->cap : 256;
	while (cap < n)
		cap *= 2;
	int64_t *id = realloc(r->id, cap * sizeof *id);
	if (!id)
		return -1;
	r->id = id;
	double *v = realloc(r->v, cap * (size_t)n_obj * sizeof *v);
	if (!v)
		return -1;
	r->v = v;
	r->cap = cap;
	return 0;
}

int group_result_add(group_result *r, int64_t id, const double *v, int n_obj)
{
	if (reserve(r, r->n + 1, n_obj))
		return -1;
	r->id[r->n] = id;
	memcpy(r->v + r->n * (size_t)n_obj, v, (size_t)n_obj * sizeof *v);
	r->n++;
	return 0;
}

/*
 * Reduce the candidates to the group's own front, per mode (candidates
 * are in id order, a mode's ids are contiguous, and the modes never
 * compete).  Returns 0 or -1 (out of memory).
 */
static int group_front(group_eval *e, group_result *r)
{
	const int d = e->n_obj;
	if (r->n > e->cap_keep) {
		size_t *k2 = realloc(e->keep, r->n * sizeof *k2);
		if (!k2)
			return -1;
		e->keep = k2;
		e->cap_keep = r->n;
	}
	if (r->n <= 1)
		return 0;
	size_t split = 0, w = 0;
	while (split < r->n && space_mode_of(e->sp, r->id[split]) == &e->sp->m[0])
		split++;
	size_t lo[2] = {0, split}, hi[2] = {split, r->n};
	for (int m = 0; m < 2; m++) {
		long h = pareto_filter(d, r->v + lo[m] * d, hi[m] - lo[m], e->keep);
		if (h < 0)
			return -1;
		for (long i = 0; i < h; i++, w++) {
			r->id[w] = r->id[lo[m] + e->keep[i]];
			memmove(r->v + w * d, r->v + (lo[m] + e->keep[i]) * d, (size_t)d * sizeof *r->v);
		}
	}
	r->n = w;
	return 0;
}

int group_eval_run(group_eval *e, const int64_t *ch, size_t n, volatile const sig_atomic_t *stop,
		   group_result **out)
{
	const int d = e->n_obj;
	group_result *r = group_result_new(n, 0, d);
	*out = NULL;
	if (!r)
		return -1;
	for (size_t i = 0; i < n && !*stop; i++) {
		factor_counts cnt = {0};
		e->buf.n = 0;
		int mi = space_chunk_mode(e->sp, ch[i]) == &e->sp->m[0] ? 0 : 1;
		if (factor_chunk(e->f, e->x, ch[i], &e->buf, &cnt, &r->knobs[mi]))
			goto oom;
		if (e->delay_ms > 0 && e->delay_ms < 100000) {
			struct timespec ts = {e->delay_ms / 1000, e->delay_ms % 1000 * 1000000L};
			nanosleep(&ts, NULL);
		}
		long h = pareto_filter(d, e->buf.v, e->buf.n, e->keep);
		if (h < 0 || reserve(r, r->n + (size_t)h, d))
			goto oom;
		for (long k = 0; k < h; k++, r->n++) {
			r->id[r->n] = e->buf.id[e->keep[k]];
			memcpy(r->v + r->n * (size_t)d, e->buf.v + e->keep[k] * (size_t)d, (size_t)d * sizeof *r->v);
		}
		r->chunk[r->n_chunks++] = (group_chunk){ch[i], cnt};
	}
	if (group_front(e, r))
		goto oom;
	*out = r;
	return 0;
oom:
	group_result_free(r);
	return -1;
}

int64_t group_chunks(const space_t *sp, int threads)
{
	int64_t cmax = 1;
	for (int m = 0; m < sp->n_modes; m++)
		if (sp->m[m].chunk_points > cmax)
			cmax = sp->m[m].chunk_points;
	int64_t group = sp->n_chunks / (64 * (int64_t)(threads > 0 ? threads : 1));
	if (group > 65536 / cmax)
		group = 65536 / cmax;
	return group < 1 ? 1 : group;
}
