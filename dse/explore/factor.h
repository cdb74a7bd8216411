/*
 * factor.h - factorised analytic evaluation of the design space.
 *
 * The analytic model (perf.h) separates: per layer,
 *   TTFT(L)  = layers * (lin_pre(L) + att_pre(L)) + t_lm
 *   step(c)  = layers * (lin_dec + att_dec(c)) + t_lm
 * where lin_* depends on (clock, T, Q) only, att_pre on (clock,
 * outstanding, prefill port map, pe, lanes, block), att_dec on (clock,
 * outstanding, decode port map, lanes); resources are static(T, Q) +
 * max or sum of prefill(pe, lanes) and decode(lanes).  Each factor is
 * computed once over its own sub-space by the perf_* functions themselves
 * and the per-point work is a few additions, comparisons and one power
 * evaluation (perf_power_from), so the figures are those perf_* gives for
 * the same design, to the bit.  A point is evaluated at every workload
 * point: TTFT at every target prompt, and the decode step and energy per
 * token at every decode context (workload contexts, l_short, l_long);
 * the objective vector below picks from those.  Infeasible points are cut
 * as early as the nest allows: static + prefill resources over a cap
 * (resources only grow with the decode engine), TTFT at objective.prompt
 * over t_pre_max (it does not depend on the decode engine or the pblock),
 * the prefill RM not fitting a pblock, then the full check.
 *
 * The objective vector of a point, all minimised, n_obj = n_tp + 4:
 *   v[0 .. n_tp)  TTFT in s at each target prompt (workload prompts and
 *                 objective.prompt, ascending)
 *   v[n_tp]       decode step in s at objective.l_short (1 / tok/s)
 *   v[n_tp + 1]   decode step in s at objective.l_long
 *   v[n_tp + 2]   decode energy per token in J, alpha * E(l_long) +
 *                 (1 - alpha) * E(l_short), alpha = objective.alpha
 *   v[n_tp + 3]   LUTs of the design
 *
 * Ownership: factor_new() returns a table set that factor_free() releases; it
 * points into the config, workload and space, which must outlive it.  A
 * factor_scratch holds one thread's per-chunk factor tables.
 */
#ifndef PDS_FACTOR_H
#define PDS_FACTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/cfg.h"
#include "explore/space.h"
#include "models/workload.h"

#define FACTOR_MAX_TP (CFG_MAX_LIST + 1)
#define FACTOR_MAX_CTX (CFG_MAX_LIST + 2)

typedef struct {
	int n_tp;
	int tp[FACTOR_MAX_TP]; /* target prompts, ascending, unique */
	int i_obj;          /* index of objective.prompt in tp */
	int n_obj;
	int o_short, o_long, o_energy, o_lut; /* indices in the vector */
	int n_ctx;
	int ctx[FACTOR_MAX_CTX]; /* decode contexts (workload, l_short, l_long), ascending, unique */
	int j_short, j_long;  /* indices of l_short and l_long in ctx */
} factor_layout;

typedef struct factor factor;
typedef struct factor_scratch factor_scratch;

/* Feasible points of one chunk with their objective vectors and decode figures. */
typedef struct {
	size_t n, cap;
	int64_t *id;
	double *v; /* n rows of n_obj */
	double *m; /* n rows of 2 * n_ctx: step s and energy J/token at each context */
} factor_buf;

typedef struct {
	int64_t points;   /* every point of the chunk */
	int64_t pruned;   /* rejected in groups before per-point evaluation */
	int64_t feasible; /* passed every constraint */
	/* every point that is not feasible, by the first constraint it fails
	 * in the evaluation's order (resources within the utilisation caps,
	 * TTFT within t_pre_max, the RMs in the pblock and the static region
	 * outside it); over_cap + too_slow + no_fit + feasible = points */
	int64_t over_cap, too_slow, no_fit;
} factor_counts;

/*
 * What each knob does: per knob and value (digit), the feasible points
 * with that value and the least analytic objective among them.  A knob
 * whose values all reach the same least objective changes nothing the
 * objective sees.  Minima and counts merge in any order.
 */
typedef struct {
	int64_t n[SK_N][CFG_MAX_LIST];
	double best[SK_N][CFG_MAX_LIST];
} factor_knobs;

void factor_knobs_init(factor_knobs *k);
void factor_knobs_merge(factor_knobs *into, const factor_knobs *from);

enum { FACTOR_FEASIBLE = 0, FACTOR_REJECTED = 1 /* resources or routability */, FACTOR_SLOW = 2 /* t_pre_max */ };

/* Build the evaluator; returns NULL when out of memory. */
factor *factor_new(const cfg_t *c, const workload_t *w, const space_t *s);
void factor_free(factor *f);
const factor_layout *factor_get_layout(const factor *f);

/* Per-thread scratch; NULL when out of memory. */
factor_scratch *factor_scratch_new(void);
void factor_scratch_free(factor_scratch *x);

/*
 * Evaluate every point of chunk `chunk`: append the feasible ones (id and
 * vector, in id order) to `out` (which it grows) and add to *cnt (and,
 * unless knobs is NULL, to *knobs).
 * Returns 0, or -1 when out of memory (out keeps what it had).
 */
int factor_chunk(const factor *f, factor_scratch *x, int64_t chunk, factor_buf *out, factor_counts *cnt,
		 factor_knobs *knobs);

/*
 * One point: fills v (n_obj values) and, unless m is NULL, m (2 * n_ctx
 * values, as factor_buf.m) and returns FACTOR_FEASIBLE, FACTOR_REJECTED or
 * FACTOR_SLOW, or -1 when id is out of range.  Same figures as factor_chunk.
 */
int factor_point(const factor *f, int64_t id, double *v, double *m);

/* The paper's objective from a vector: TTFT(prompt) + a*step(long) + (1-a)*step(short). */
double factor_objective(const factor *f, const double *v);

void factor_buf_release(factor_buf *b);

#endif
