/*
 * pareto.h - Pareto fronts of objective vectors (every objective minimised).
 *
 * a dominates b when a <= b in every objective and a < b in at least one.
 * The front of a set is every member no other member dominates; equal
 * vectors do not dominate each other, so duplicates are all kept.  The
 * front is a function of the set, not of the order the vectors come in,
 * which is what makes a multi-threaded sweep deterministic.
 *
 * Two methods, neither quadratic in the number of vectors offered:
 *  - pareto_filter(): a batch is sorted lexicographically (a dominator
 *    always sorts first) and each vector is compared only with the front
 *    kept so far (sort-filter), O(n log n + n h) for a front of h.
 *  - the archive: an incremental front kept sorted by the first
 *    objective.  An offered vector can only be dominated by members whose
 *    first objective is not larger and can only dominate members whose
 *    first objective is not smaller, so each offer scans one side of a
 *    binary search; the last dominator is tried first, since consecutive
 *    offers from one sweep tend to fall to the same member.  O(h) per
 *    offer.
 *
 * Ownership: pareto_new() returns an archive that pareto_free() releases.
 * Errors: -1 means out of memory; the archive is unchanged.
 */
#ifndef PDS_PARETO_H
#define PDS_PARETO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARETO_MAX_OBJ 128

typedef struct pareto pareto;

/* True when a dominates b. */
bool pareto_dominates(int n_obj, const double *a, const double *b);

/*
 * Indices (ascending) of the non-dominated rows of v (n rows of n_obj),
 * written to keep[]; returns how many, or -1 when out of memory.
 */
long pareto_filter(int n_obj, const double *v, size_t n, size_t *keep);

/* An empty archive for n_obj (1..PARETO_MAX_OBJ) objectives, or NULL. */
pareto *pareto_new(int n_obj);
void pareto_free(pareto *p);

/*
 * Offer a vector with its id.  Returns 1 when it joined the front (the
 * members it dominates leave it; their ids are appended to the evicted
 * list), 0 when a member dominates it, -1 when out of memory.
 */
int pareto_insert(pareto *p, int64_t id, const double *v);

size_t pareto_size(const pareto *p);
int64_t pareto_id(const pareto *p, size_t i);
const double *pareto_vec(const pareto *p, size_t i);

/* Ids that left the front since the last pareto_clear_evicted(). */
size_t pareto_evicted(const pareto *p, const int64_t **ids);
void pareto_clear_evicted(pareto *p);

/* Offers made since creation (for the benchmark). */
uint64_t pareto_offers(const pareto *p);

#endif
