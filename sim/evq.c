/*
 * evq.c - binary min-heap of (time_ps, seq) with cancellable handles.
 * See evq.h for the ordering and ownership rules.
 *
 * The heap holds the keys inline (24 bytes a node) so that sifting touches
 * one array; each node names a slot, and each slot knows its heap index so
 * that a cancel can remove it from the middle of the heap.
 */
#include "sim/evq.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

void evq_init(evq *q)
{
	memset(q, 0, sizeof *q);
	q->free_head = NONE;
}

void evq_release(evq *q)
{
	free(q->heap);
	free(q->slot);
	evq_init(q);
}

static inline bool before(const struct evq_node *a, const struct evq_node *b)
{
	return a->t_ps < b->t_ps || (a->t_ps == b->t_ps && a->seq < b->seq);
}

static inline void place(evq *q, uint32_t i, struct evq_node nd)
{
	q->heap[i] = nd;
	q->slot[nd.slot].pos = i;
}

static void sift_up(evq *q, uint32_t i, struct evq_node nd)
{
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!before(&nd, &q->heap[p]))
			break;
		place(q, i, q->heap[p]);
		i = p;
	}
	place(q, i, nd);
}

static void sift_down(evq *q, uint32_t i, struct evq_node nd)
{
	uint32_t n = q->n;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && before(&q->heap[c + 1], &q->heap[c]))
			c++;
		if (!before(&q->heap[c], &nd))
			break;
		place(q, i, q->heap[c]);
		i = c;
	}
	place(q, i, nd);
}

static uint32_t slot_alloc(evq *q)
{
	if (q->free_head != NONE) {
		uint32_t s = q->free_head;
		q->free_head = q->slot[s].pos;
		return s;
	}
	if (q->nslot == q->cap) {
		uint32_t cap = q->cap ? 2 * q->cap : 64;
		struct evq_slot *ns = realloc(q->slot, cap * sizeof *ns);
		if (!ns)
			return NONE;
		q->slot = ns;
		struct evq_node *nh = realloc(q->heap, cap * sizeof *nh);
		if (!nh)
			return NONE;
		q->heap = nh;
		q->cap = cap;
	}
	q->slot[q->nslot].gen = 1;
	return q->nslot++;
}

static void slot_free(evq *q, uint32_t s)
{
	struct evq_slot *sl = &q->slot[s];
	if (++sl->gen == 0)
		sl->gen = 1;
	sl->pos = q->free_head;
	q->free_head = s;
}

evq_handle evq_at(evq *q, int64_t t_ps, evq_fn fn, void *ctx, uint64_t arg)
{
	evq_handle h = {0, 0};
	uint32_t s = slot_alloc(q);
	if (s == NONE) {
		q->oom = true;
		q->stop = true;
		return h;
	}
	struct evq_slot *sl = &q->slot[s];
	sl->fn = fn;
	sl->ctx = ctx;
	sl->arg = arg;
	struct evq_node nd = {t_ps < q->now_ps ? q->now_ps : t_ps, q->seq++, s};
	sift_up(q, q->n++, nd);
	if (q->n > q->peak)
		q->peak = q->n;
	h.slot = s;
	h.gen = sl->gen;
	return h;
}

bool evq_pending(const evq *q, evq_handle h)
{
	return h.gen != 0 && h.slot < q->nslot && q->slot[h.slot].gen == h.gen &&
	       q->slot[h.slot].pos < q->n && q->heap[q->slot[h.slot].pos].slot == h.slot;
}

/* Remove heap node i and refill the hole with the last node. */
static void heap_remove(evq *q, uint32_t i)
{
	struct evq_node last = q->heap[--q->n];
	if (i == q->n)
		return;
	if (i > 0 && before(&last, &q->heap[(i - 1) / 2]))
		sift_up(q, i, last);
	else
		sift_down(q, i, last);
}

bool evq_cancel(evq *q, evq_handle h)
{
	if (!evq_pending(q, h))
		return false;
	heap_remove(q, q->slot[h.slot].pos);
	slot_free(q, h.slot);
	return true;
}

uint64_t evq_run(evq *q)
{
	uint64_t done = 0;
	q->stop = q->oom;
	while (q->n > 0 && !q->stop) {
		struct evq_node top = q->heap[0];
		heap_remove(q, 0);
		struct evq_slot sl = q->slot[top.slot];
		slot_free(q, top.slot);
		q->now_ps = top.t_ps;
		done++;
		sl.fn(sl.ctx, sl.arg);
	}
	q->processed += done;
	return done;
}
