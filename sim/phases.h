/*
 * phases.h - what one request costs on one design, by the path it takes
 * through the partition, from a calibrated model, cached per length.
 *
 * A request is a prompt of L tokens and an output of N tokens: the prefill
 * gives the first token (TTFT), then N - 1 decode steps attend L + 1 ..
 * L + N - 1 keys.  A dpr design can take it three ways:
 *   PHASES_SWAP     prefill on the prefill RM, the prefill->decode swap
 *                   (overlapping the last layer's tail and the first LM
 *                   head, as perf_run_eval and des_run model it), decode on
 *                   the decode RM: the paper's flow;
 *   PHASES_PREFILL  both phases on the prefill RM, no swap;
 *   PHASES_DECODE   both phases on the decode RM, no swap.
 * A static design takes PHASES_SWAP alone (its engines, no swap).  The
 * decode->prefill swap a next request may need is not part of a path: it
 * runs at idle DDR (nothing else moves while the partition is being
 * reconfigured between requests) and costs phases_back_swap_ps().
 *
 * Models:
 *   PHASES_ANALYTIC  models/perf.h: the prefill and the swap from
 *                    perf_run_eval (the same figures `simulate --model
 *                    analytic` prints), a prefill on the decode RM from
 *                    perf_prefill_layer_dec_sum, decode steps from
 *                    perf_decode_step_on_s; every step's time is rounded to
 *                    integer picoseconds and summed in an integer prefix
 *                    sum, so a request's decode costs two lookups;
 *   PHASES_DES       sim/des.h, op by op: per prompt length and path one
 *                    des_run of the prefill and the first decode step (its
 *                    TTFT, swap, exposed swap and first step), and per
 *                    decode engine one run of a 1-token prompt and as many
 *                    steps as the longest context needs, whose step times
 *                    (des_opts.step_ps) give the later steps by context.
 *
 * Energy: the prefill's (phase power x time), the decode steps' (DES: the
 * analytic power at each step's DDR bytes over its DES time), and the
 * swap's: the DDR energy of its bitstream (e_ddr x bytes) and the board's
 * p_idle over the part of it that overlaps no work (the exposed part of a
 * prefill->decode swap; all of a decode->prefill swap, which runs between
 * requests).
 *
 * A K/V tier in the decode RM (models/kvcache.h) is empty after every
 * prefill->decode swap: the PHASES_SWAP path pays its refill from DDR
 * before the first decode step, inside swap_exposed_ps (the refill and the
 * swap are hidden together behind the tail and the first LM head), with
 * the refill's DDR energy; kv_refill_ps says how long it took.  The other
 * paths need none: a prefill on the decode RM fills the tier as it goes,
 * and the prefill RM has no tier.  A tier in the static region survives
 * every swap.
 *
 * Ownership: phases_new() allocates, phases_free() frees.  Not
 * thread-safe (the caches fill as requests ask); one per thread.
 */
#ifndef PDS_PHASES_H
#define PDS_PHASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/cfg.h"
#include "models/workload.h"

typedef enum { PHASES_ANALYTIC, PHASES_DES } phases_model;
typedef enum { PHASES_SWAP, PHASES_PREFILL, PHASES_DECODE, PHASES_PATHS } phases_path;

extern const char *const phases_model_names[2];

typedef struct {
	int64_t ttft_ps;         /* start of the prefill to the first token */
	int64_t swap_ps;         /* the prefill->decode swap (dpr, PHASES_SWAP), else 0 */
	int64_t swap_exposed_ps; /* its part that delays the first decode step */
	int64_t decode_ps;       /* the N - 1 decode steps */
	double energy_j;         /* prefill, decode and the swap */
	int64_t kv_refill_ps;    /* the refill of a K/V tier in the decode RM after the swap
				    (part of swap_exposed_ps where it is not hidden), else 0 */
} phases_cost;

typedef struct phases phases;

/* A cache for design d (copied) of config c (which must outlive it).
 * Returns 0, or PDS_FAIL with err set (a design the config refuses, out of
 * memory). */
int phases_new(phases **out, const cfg_t *c, const workload_t *w, const design_t *d, phases_model m, char *err,
	       size_t errlen);
void phases_free(phases *t);

/* Whether a path applies to the design (static: PHASES_SWAP only). */
bool phases_has(const phases *t, phases_path path);
/* The model's max_context: prompt + output of a request at most. */
int phases_max_context(const phases *t);

/*
 * The cost of a request of `prompt` + `output` tokens (prompt >= 1, output
 * >= 1, prompt + output <= model.max_context) on `path`.  Returns 0, or
 * PDS_FAIL with err set (arguments out of range, a path the design does
 * not have, the DES failed).
 */
int phases_cost_of(phases *t, phases_path path, int prompt, int output, phases_cost *out, char *err, size_t errlen);

/* The decode->prefill swap at idle DDR (PS path, PCAP setup and stream), ps,
 * and its energy (p_idle over it and its bitstream's DDR energy), J; 0 for
 * a static design. */
int64_t phases_back_swap_ps(const phases *t);
double phases_back_swap_j(const phases *t);

#endif
