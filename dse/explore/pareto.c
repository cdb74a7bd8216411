/*
 * pareto.c - the sort-filter batch front and the incremental archive of
 * pareto.h.
 */
#include "explore/pareto.h"

#include <stdlib.h>
#include <string.h>

struct pareto {
	int n_obj;
	size_t n, cap;
	int64_t *id;
	double *v;                    /* n rows, sorted by v[0] */
	double last[PARETO_MAX_OBJ];  /* the last dominator (a member, or a past one) */
	bool have_last;
	int64_t *ev;                  /* evicted ids */
	size_t n_ev, cap_ev;
	uint64_t offers;
};

bool pareto_dominates(int n_obj, const double *a, const double *b)
{
	bool strict = false;
	for (int i = 0; i < n_obj; i++) {
		if (a[i] > b[i])
			return false;
		strict |= a[i] < b[i];
	}
	return strict;
}

/* ------------------------------------------------------------ batch */

typedef struct {
	const double *v;
	int n_obj;
} sort_ctx;

static _Thread_local sort_ctx sctx;

static int cmp_lex(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const double *x = sctx.v + a * (size_t)sctx.n_obj, *y = sctx.v + b * (size_t)sctx.n_obj;
	for (int i = 0; i < sctx.n_obj; i++) {
		if (x[i] < y[i])
			return -1;
		if (x[i] > y[i])
			return 1;
	}
	return (a > b) - (a < b); /* equal vectors: by index, for a stable order */
}

static int cmp_size(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	return (a > b) - (a < b);
}

long pareto_filter(int n_obj, const double *v, size_t n, size_t *keep)
{
	if (n == 0)
		return 0;
	size_t *ord = malloc(n * sizeof *ord);
	if (!ord)
		return -1;
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	sctx.v = v;
	sctx.n_obj = n_obj;
	qsort(ord, n, sizeof *ord, cmp_lex);
	/* A dominator sorts strictly before what it dominates: each vector
	 * needs comparing only with the front kept before it. */
	size_t h = 0, last = (size_t)-1;
	for (size_t k = 0; k < n; k++) {
		const double *x = v + ord[k] * (size_t)n_obj;
		bool dom = false;
		if (last != (size_t)-1 && pareto_dominates(n_obj, v + last * (size_t)n_obj, x))
			dom = true;
		for (size_t j = 0; j < h && !dom; j++)
			if (pareto_dominates(n_obj, v + keep[j] * (size_t)n_obj, x)) {
				dom = true;
				last = keep[j];
			}
		if (!dom)
			keep[h++] = ord[k];
	}
	free(ord);
	qsort(keep, h, sizeof *keep, cmp_size);
	return (long)h;
}

/* ---------------------------------------------------------- archive */

pareto *pareto_new(int n_obj)
{
	if (n_obj < 1 || n_obj > PARETO_MAX_OBJ)
		return NULL;
	pareto *p = calloc(1, sizeof *p);
	if (p)
		p->n_obj = n_obj;
	return p;
}

void pareto_free(pareto *p)
{
	if (!p)
		return;
	free(p->id);
	free(p->v);
	free(p->ev);
	free(p);
}

size_t pareto_size(const pareto *p)
{
	return p->n;
}

int64_t pareto_id(const pareto *p, size_t i)
{
	return p->id[i];
}

const double *pareto_vec(const pareto *p, size_t i)
{
	return p->v + i * (size_t)p->n_obj;
}

size_t pareto_evicted(const pareto *p, const int64_t **ids)
{
	*ids = p->ev;
	return p->n_ev;
}

void pareto_clear_evicted(pareto *p)
{
	p->n_ev = 0;
}

uint64_t pareto_offers(const pareto *p)
{
	return p->offers;
}

/* First member whose v[0] > x (strict = true) or >= x (strict = false). */
static size_t bound(const pareto *p, double x, bool strict)
{
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		double y = p->v[mid * (size_t)p->n_obj];
		if (strict ? y <= x : y < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int grow(pareto *p)
{
	if (p->n < p->cap)
		return 0;
	size_t cap = p->cap ? 2 * p->cap : 256;
	int64_t *id = realloc(p->id, cap * sizeof *id);
	if (!id)
		return -1;
	p->id = id;
	double *v = realloc(p->v, cap * (size_t)p->n_obj * sizeof *v);
	if (!v)
		return -1;
	p->v = v;
	p->cap = cap;
	return 0;
}

int pareto_insert(pareto *p, int64_t id, const double *x)
{
	const int d = p->n_obj;
	p->offers++;
	if (p->have_last) {
		if (pareto_dominates(d, p->last, x))
			return 0;
	}
	/* dominators have v[0] <= x[0] */
	size_t hi = bound(p, x[0], true);
	for (size_t i = 0; i < hi; i++) {
		const double *y = p->v + i * (size_t)d;
		if (pareto_dominates(d, y, x)) {
			memcpy(p->last, y, (size_t)d * sizeof *y);
			p->have_last = true;
			return 0;
		}
	}
	/* room first, so that a failure leaves the archive as it was */
	size_t lo = bound(p, x[0], false);
	if (grow(p))
		return -1;
	if (p->n_ev + (p->n - lo) > p->cap_ev) {
		size_t cap = p->cap_ev ? p->cap_ev : 256;
		while (cap < p->n_ev + (p->n - lo))
			cap *= 2;
		int64_t *ev = realloc(p->ev, cap * sizeof *ev);
		if (!ev)
			return -1;
		p->ev = ev;
		p->cap_ev = cap;
	}
	/* what it dominates has v[0] >= x[0]: drop it, keeping the order */
	size_t w = lo;
	for (size_t i = lo; i < p->n; i++) {
		double *y = p->v + i * (size_t)d;
		if (pareto_dominates(d, x, y)) {
			p->ev[p->n_ev++] = p->id[i];
			continue;
		}
		if (w != i) {
			p->id[w] = p->id[i];
			memmove(p->v + w * (size_t)d, y, (size_t)d * sizeof *y);
		}
		w++;
	}
	p->n = w;
	/* insert at its place in v[0] order */
	size_t at = bound(p, x[0], true);
	memmove(p->id + at + 1, p->id + at, (p->n - at) * sizeof *p->id);
	memmove(p->v + (at + 1) * (size_t)d, p->v + at * (size_t)d, (p->n - at) * (size_t)d * sizeof *p->v);
	p->id[at] = id;
	memcpy(p->v + at * (size_t)d, x, (size_t)d * sizeof *x);
	p->n++;
	return 1;
}
