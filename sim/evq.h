/*
 * evq.h - the event core of the discrete-event model.
 *
 * Time is an integer number of picoseconds (int64_t: about 106 days), never
 * an accumulated float.  Events are ordered by (time, sequence number): the
 * sequence number grows with every evq_at(), so events scheduled for the
 * same picosecond run in the order they were scheduled, and the same
 * sequence of calls gives the same order on every run.  Each event is a
 * callback with a context pointer and a 64-bit argument.
 *
 * Storage: a binary min-heap of (time, seq, slot) and a slot array that
 * holds the callbacks; freed slots are reused, so memory grows with the
 * largest number of events pending at once, never with the length of the
 * run.  A handle (slot, generation) cancels an event in O(log n); a stale
 * handle (the event ran or was cancelled, the slot reused) is refused.
 *
 * Ownership: evq is a plain struct; evq_init() / evq_release().  Out of
 * memory while scheduling sets `oom`, drops the event and stops evq_run();
 * callers check evq_failed() once at the end instead of after every call.
 * Not thread-safe; one queue per simulation, any number of simulations in
 * parallel.
 */
#ifndef PDS_EVQ_H
#define PDS_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*evq_fn)(void *ctx, uint64_t arg);

typedef struct {
	uint32_t slot, gen; /* gen 0: no event */
} evq_handle;

struct evq_node {
	int64_t t_ps;
	uint64_t seq;
	uint32_t slot;
};

struct evq_slot {
	evq_fn fn;
	void *ctx;
	uint64_t arg;
	uint32_t gen;  /* bumped when the slot is freed */
	uint32_t pos;  /* index in the heap, or the next free slot when free */
};

typedef struct {
	int64_t now_ps;
	uint64_t seq;
	uint64_t processed; /* events dispatched so far */
	struct evq_node *heap;
	uint32_t n, cap;
	struct evq_slot *slot;
	uint32_t nslot, free_head;
	uint32_t peak; /* most events pending at once */
	bool oom, stop;
} evq;

void evq_init(evq *q);
void evq_release(evq *q);

/*
 * Schedule fn(ctx, arg) at absolute time t_ps (clamped to now: the past is
 * not reachable).  Returns the handle, or a handle with gen 0 when out of
 * memory (and sets q->oom).
 */
evq_handle evq_at(evq *q, int64_t t_ps, evq_fn fn, void *ctx, uint64_t arg);

/* Same, `delay_ps` (>= 0) after now. */
static inline evq_handle evq_after(evq *q, int64_t delay_ps, evq_fn fn, void *ctx, uint64_t arg)
{
	return evq_at(q, q->now_ps + delay_ps, fn, ctx, arg);
}

/* Cancel a pending event.  Returns true if it was pending; false for a
 * stale or empty handle (nothing happens). */
bool evq_cancel(evq *q, evq_handle h);

/* Whether the handle's event is still pending. */
bool evq_pending(const evq *q, evq_handle h);

/*
 * Dispatch events in (time, seq) order until none is left, evq_stop() was
 * called or memory ran out.  Returns the number dispatched by this call.
 */
uint64_t evq_run(evq *q);

/* Ask evq_run() to return after the current event. */
static inline void evq_stop(evq *q)
{
	q->stop = true;
}

static inline bool evq_failed(const evq *q)
{
	return q->oom;
}

#endif
