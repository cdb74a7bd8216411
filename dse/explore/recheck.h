/*
 * recheck.h - the discrete-event re-check of design points.
 *
 * A sweep keeps its fronts with the analytic model; this module replays
 * each kept point (and the config's named designs, for reference) in the
 * discrete-event model (sim/des.h) at every workload length and stores
 * the figures as metrics rows with source 'des':
 *   at a prompt L         a prefill of L tokens: TTFT, prefill, and (dpr)
 *                         the exposed swap, in s
 *   at a decode context c the first decode step after a prompt of c - 1
 *                         tokens: step in s, tok/s, energy per token in J
 * which is how des_objective() measures the paper's objective.  Threads
 * take points from an atomic counter; the calling thread stores finished
 * points every 0.1 s in one transaction, and points already stored (by an
 * earlier, killed process) are read back instead of simulated again.  The
 * DES is deterministic and reentrant, so the figures do not depend on the
 * thread count.
 *
 * recheck_lengths also names the lengths at which the sweep stores its
 * analytic metrics: the two sources share one layout.
 */
#ifndef PDS_RECHECK_H
#define PDS_RECHECK_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/cfg.h"
#include "models/design.h"
#include "store/store.h"
#include "models/figures.h"
#include "models/workload.h"

#define RECHECK_MAX_LEN (2 * CFG_MAX_LIST + 3)

/* Workload lengths, ascending: workload prompts and objective.prompt
 * (prompt), decode contexts, objective.l_short and l_long (ctx). */
typedef struct {
	int n;
	int len[RECHECK_MAX_LEN];
	bool prompt[RECHECK_MAX_LEN], ctx[RECHECK_MAX_LEN];
} recheck_lengths;

void recheck_lengths_init(recheck_lengths *L, const cfg_t *c);
/* Index of length x, or -1. */
int recheck_length_index(const recheck_lengths *L, int x);


typedef struct {
	int64_t id;         /* point id in the run */
	design_t d;
	bool on_front;      /* a front member (not a reference design) */
	atomic_int state;   /* 0 to simulate, 1 simulated, 2 in the database */
	figures_len *v;     /* one per length of L (NAN where a figure does not apply); the caller's memory */
	bool failed;
	char err[300];
} recheck_item;

/*
 * The items of a running re-check as another evaluator sees them (dse/mpi:
 * other MPI ranks; shards.h: the figures the shards stored): it takes
 * items to do with recheck_feed_take() and hands their figures back with
 * recheck_feed_give(), from a thread of its own, beside the local threads.
 */
typedef struct recheck_feed recheck_feed;

typedef struct {
	const cfg_t *c;
	const workload_t *w;
	store *s;
	int64_t run_id;
	const recheck_lengths *L;
	int threads;                       /* >= 1 */
	bool progress;                     /* a progress bar on stderr */
	volatile const sig_atomic_t *stop; /* set by a signal handler: stop soon */
	/* another evaluator (NULL: none), run on a thread of its own until
	 * recheck_feed_take() returns -1; returns 0, or -1 with err set.
	 * source_only: no local thread simulates */
	int (*source)(void *arg, recheck_feed *f, char *err, size_t errlen);
	void *source_arg;
	bool source_only;
} recheck_ctx;

/* The next item to simulate: its index, or -1 when none is left or the
 * re-check stops. */
long recheck_feed_take(recheck_feed *f);
const recheck_item *recheck_feed_item(const recheck_feed *f, long i);
const recheck_lengths *recheck_feed_lengths(const recheck_feed *f);
bool recheck_feed_stopping(const recheck_feed *f);
/* Item i was simulated elsewhere: its figures v (L->n values, copied), or,
 * with why != NULL, why the DES refused it. */
void recheck_feed_give(recheck_feed *f, long i, const figures_len *v, const char *why);

/*
 * One design at every length of L (as this header describes), into v
 * (L->n values; NAN where a figure does not apply).  The figures do not
 * depend on the process or thread that computes them.  Honours
 * PDSWAP_DES_DELAY_MS (a pause after each design, for the tests that stop
 * a sweep while it re-checks; it changes no figure).  Returns 0, or -1
 * with err set when the DES refuses the design.
 */
int recheck_simulate(const cfg_t *c, const workload_t *w, const recheck_lengths *L, const design_t *d,
		     figures_len *v, char *err, size_t errlen);

/*
 * Re-check items it[0..n) (ids unique, the caller's memory): read back
 * what run x->run_id already holds, simulate the rest, store them.
 * Returns 0 when every item is stored (every v filled), 1 when *x->stop
 * ended it early (what was simulated is stored), -1 on an error (err:
 * the DES refused a design, the database failed, no thread started).
 */
int recheck_run(const recheck_ctx *x, recheck_item *it, size_t n, char *err, size_t errlen);

/* The paper's objective from an item's DES figures, in s; *ttft_s gets
 * TTFT at objective.prompt. */
double recheck_objective(const cfg_t *c, const recheck_lengths *L, const recheck_item *it, double *ttft_s);

#endif
