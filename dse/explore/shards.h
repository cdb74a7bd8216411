/*
 * shards.h - the shards of one sweep, run apart (`pdswap-dse CONFIG
 * --shard I/N`, one database each, e.g. the tasks of a batch scheduler's
 * array job), merged into one run that equals a run of the whole space.
 *
 * In: N databases, each holding a complete sweep of shard I of N
 * (sweep.h: the chunks k with k mod N = I - 1) with its own Pareto fronts
 * and the DES figures of their points.  Out: a sweep_source (sweep.h)
 * that feeds a sweep of the whole space into another database: the
 * chunks' counters and each shard's front (its vectors recomputed by
 * this build's model, factor.h) instead of evaluating them, and the DES
 * figures of the points the merged fronts keep instead of simulating
 * them.  What each knob value did (factor_knobs) is evaluated again for
 * the chunks the merge takes (the cheap, analytic part: a resumed merge
 * takes only some of a shard's chunks, which the shard's sums cannot
 * split), and each chunk's counts are checked against the shard's on the
 * way.  The sweep then does what a run of the whole space does with
 * them (the fronts, the checkpoints, the choice, what the report draws),
 * so the merged run has the rows of a single run.
 *
 * Why it is the same: the front of the space is a function of its set of
 * points; a point on it is on its own shard's front (a point that
 * dominates it would dominate it there too), and every other point is
 * dominated by one the shards kept; the DES is deterministic, so a
 * shard's DES figures are those a single run would compute.  Each shard
 * is handed over whole (all its chunks and its front in one result), so
 * every checkpoint holds the exact front of the chunks it records.
 *
 * Refused, each naming the file: a file that is not a results database,
 * one holding no sweep, a shard that is not complete, a shard made by
 * another model (fingerprint) than this build's, of another config
 * (SHA-256) or another shard count or settings than the first, a shard
 * given twice, and a missing shard of 1..N; while merging, a chunk that
 * is not its shard's or that this model counts otherwise, a front point this model finds infeasible, and a
 * front point without its DES figures.
 *
 * Ownership: shards_open() returns a set that shards_close() frees; the
 * source points into it.
 */
#ifndef PDS_SHARDS_H
#define PDS_SHARDS_H

#include <stdbool.h>
#include <stddef.h>

#include "explore/sweep.h"
#include "models/cfg.h"

/* At most this many shards in one merge. */
#define SHARDS_MAX 8192

typedef struct shards shards;

/*
 * Open files[0..n) read-only and check that they are the N shards of one
 * sweep.  Returns 0 with *out, PDS_FAIL_REQUEST when they are refused
 * (err names the file and why), PDS_FAIL when one cannot be read.
 */
int shards_open(shards **out, const char *const *files, int n, char *err, size_t errlen);
void shards_close(shards *sh);

/* The config the shards were made with, loaded from the text they
 * stored, and their settings. */
const cfg_t *shards_cfg(const shards *sh);
bool shards_all_points(const shards *sh);
int shards_count(const shards *sh);
/* File and run of shard i (1..N). */
const char *shards_file(const shards *sh, int i);

/* The source that feeds sweep_run() from the shards (exclusive: nothing
 * is evaluated or simulated here). */
void shards_source(shards *sh, sweep_source *src);

#endif
