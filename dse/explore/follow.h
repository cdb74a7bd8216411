/*
 * follow.h - what a sweep stores of the designs its report follows, so
 * that the report draws the run as it was and computes nothing itself.
 *
 * The followed designs are the run's chosen point, the best point of each
 * architecture (the `best` table) and every named design of the config
 * (its reference points).  For each, from the analytic model:
 *   curves   ttft_s at FOLLOW_SAMPLES prompt lengths, decode_tok_s and
 *            energy_j_per_token at as many contexts, geometric from the
 *            shortest workload (or measured) length to model.max_context
 *            (both ends kept);
 *   regions  the resources of the static region, each RM, the total, the
 *            equivalent static design and (dpr) the pblock's capacity.
 * For each followed dpr point, one inference through the discrete-event
 * model at objective.prompt with FOLLOW_SWAP_GEN decode steps: its swap
 * figures beside the analytic model's, and for the best dpr point its
 * trace (the swap timeline).  For
 * each followed design, the interval of its analytic figures
 * (models/interval.h): TTFT (and, dpr, the exposed swap) at every workload
 * prompt and objective.prompt, the decode step, rate and energy per token
 * at every decode context, l_short and l_long, the objective and the
 * resources (length 0).  Once
 * per run: the validation rows of the config (calib_rows), when it has
 * measurements.
 */
#ifndef PDS_FOLLOW_H
#define PDS_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "models/cfg.h"
#include "models/workload.h"
#include "store/store.h"

#define FOLLOW_SAMPLES 48
#define FOLLOW_SWAP_GEN 2

/* The metrics of the stored curves, in this order (the curves table's names). */
#define FOLLOW_CURVES 3
extern const char *const follow_curve_metric[FOLLOW_CURVES];

/* The sample lengths of a curve from lo to hi (at most FOLLOW_SAMPLES). */
int follow_lengths(int lo, int hi, int *out);

/* The shortest length a curve of `metric` ("ttft_s" or "decode_tok_s")
 * starts at for config c. */
int follow_low(const cfg_t *c, const char *metric);

/*
 * Store it all for run `run_id`: `ids` the followed points (n of them, ids
 * of points the run stores), `swap_id` the point whose swap is simulated
 * (-1: none).  Inside the caller's transaction.  Returns 0, or -1 with
 * err set (a design the DES refuses, a database write that failed).
 */
int follow_store(store *s, const cfg_t *c, const workload_t *w, int64_t run_id, const int64_t *ids, size_t n,
		 int64_t swap_id, char *err, size_t errlen);

/*
 * The sessions a report shows: for every workload of c, its session on
 * points dpr_id and static_id of the run (either may be -1: none) under
 * every policy, with the analytic model and the capacity search, and the
 * break-even map of the one against the other.  Inside the caller's
 * transaction.  Returns 0, or -1 with err set.
 */
int follow_sessions(store *s, const cfg_t *c, const workload_t *w, int64_t run_id, int64_t dpr_id, int64_t static_id,
		    int threads, char *err, size_t errlen);

#endif
