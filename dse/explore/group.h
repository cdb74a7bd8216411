/*
 * group.h - a group of chunks of the space evaluated and reduced to its
 * own Pareto front: the unit of work a sweep hands out, to its worker
 * threads and to other processes (dse/mpi).
 *
 * In: chunk ids (space.h), the factorised evaluator (factor.h).  Out: a
 * group_result holding, per chunk, its id and counts (factor_counts: points,
 * feasible points, and the others by the first constraint they fail), what
 * each knob value did over the group (factor_knobs, per mode), and the
 * group's own front: the feasible points of those chunks that no
 * other point of the group dominates, per architecture (the modes never
 * compete), ids ascending within a mode, each with its objective vector
 * (n_obj values).  Each chunk is reduced to its own front first
 * (pareto_filter, sort-filter), then the group's candidates to theirs,
 * so neither step compares all points with all points.  The front of a
 * set does not depend on how the set was cut into groups, which is what
 * lets any number of threads and processes give the same fronts.
 *
 * PDSWAP_CHUNK_DELAY_MS (milliseconds, < 100000) pauses after every chunk,
 * for the tests that stop a sweep part-way; it changes no figure.
 *
 * Ownership: group_eval_new() returns one thread's scratch, freed by
 * group_eval_free(); results come from group_result_new() or
 * group_eval_run() and are freed by group_result_free().
 */
#ifndef PDS_GROUP_H
#define PDS_GROUP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "explore/factor.h"
#include "explore/space.h"

/* A finished chunk and what it counted. */
typedef struct {
	int64_t chunk;
	factor_counts cnt;
} group_chunk;

typedef struct group_result {
	struct group_result *next; /* for the caller's lists */
	size_t n_chunks;
	group_chunk *chunk;        /* the chunks it finished */
	size_t n, cap;             /* the group's front */
	int64_t *id;
	double *v;                 /* n rows of n_obj */
	factor_knobs knobs[2];     /* what each knob value did, by space mode index */
} group_result;

typedef struct group_eval group_eval;

/* One thread's evaluator over f's space (f and sp outlive it); NULL when out of memory. */
group_eval *group_eval_new(const factor *f, const space_t *sp);
void group_eval_free(group_eval *e);

/*
 * Evaluate chunks ch[0..n) (ascending) into a new *out.  *stop is polled
 * between chunks: the chunks after it was set are left out of the result
 * (which then holds fewer than n).  Returns 0, or -1 when out of memory
 * (*out NULL).
 */
int group_eval_run(group_eval *e, const int64_t *ch, size_t n, volatile const sig_atomic_t *stop,
		   group_result **out);

/* An empty result with room for n_chunks chunks and n points of n_obj
 * objectives (both may grow later); NULL when out of memory. */
group_result *group_result_new(size_t n_chunks, size_t n, int n_obj);
/* Append one point with its vector; 0, or -1 when out of memory. */
int group_result_add(group_result *r, int64_t id, const double *v, int n_obj);
void group_result_free(group_result *r);

/* Chunks per group for `threads` evaluating threads in all: about 64
 * groups per thread over the space, at most ~64k points per group. */
int64_t group_chunks(const space_t *sp, int threads);

#endif
