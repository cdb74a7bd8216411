/*
 * phases.h - what one request costs on one design, by the modules of the
 * partition that serve it, from a calibrated model, cached per length.
 *
 * A request is a prompt of L tokens and an output of N tokens: the prefill
 * gives the first token (TTFT), then N - 1 decode steps attend L + 1 ..
 * L + N - 1 keys.  On a dpr design it follows a plan (models/rms.h,
 * rms_plan): the module of its prefill, then decode segments, each on one
 * module from a key count on.  Between the prefill module and the first
 * decode module the prefill->decode swap overlaps the last layer's tail
 * and the first LM head (as perf_run_eval and des_run model it); between
 * two decode segments a mid-generation swap stalls decode for its whole
 * duration in the analytic model (the back-swap time at idle DDR), for
 * what the DES measures in the op-level model (it overlaps the tail and
 * LM head of the step before).  The paper's three ways through its two
 * modules are plans too:
 *   PHASES_SWAP     prefill on the prefill RM, the swap, decode on the
 *                   decode RM: the paper's flow;
 *   PHASES_PREFILL  both phases on the prefill RM, no swap;
 *   PHASES_DECODE   both phases on the decode RM, no swap
 * (with a set of modules: the first built for prefill, the first built for
 * decode).  A static design takes PHASES_SWAP alone (its engines, no
 * swap; module 0 of one).  The decode->prefill swap a next request may
 * need is not part of a plan: it runs at idle DDR (nothing else moves
 * while the partition is being reconfigured between requests) and costs
 * phases_back_swap_ps(), whatever module it loads (every module is a
 * bitstream of the same pblock).
 *
 * Models:
 *   PHASES_ANALYTIC  models/perf.h on each module's view (models/rms.h):
 *                    a prefill on its own engine and the swap from
 *                    perf_run_eval (the figures `simulate --model analytic`
 *                    prints), a prefill on a decode engine from
 *                    perf_prefill_layer_dec_sum, decode steps from
 *                    perf_decode_step_on_s; every step's time is rounded
 *                    to integer picoseconds and summed in an integer prefix
 *                    sum per module, so a request's decode costs two
 *                    lookups per segment;
 *   PHASES_DES       sim/des.h, op by op: per prompt length, prefill module
 *                    and first decode module one des_run of the prefill and
 *                    the first decode step (its TTFT, swap, exposed swap and
 *                    first step), per module one run of a 1-token prompt
 *                    and as many steps as the longest context needs, whose
 *                    step times (des_opts.step_ps) give the later steps by
 *                    context, and per pair of modules one run that swaps
 *                    between them mid-generation for the stall.
 *
 * Energy: the prefill's (phase power x time), the decode steps' (DES: the
 * analytic power at each step's DDR bytes over its DES time), and the
 * swaps': the DDR energy of each bitstream (e_ddr x bytes) and the board's
 * p_idle over the part of it that overlaps no work (the exposed part of a
 * prefill->decode swap; all of a decode->prefill swap, which runs between
 * requests, and of a mid-generation stall).
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
#include "models/rms.h"
#include "models/workload.h"

typedef enum { PHASES_ANALYTIC, PHASES_DES } phases_model;
typedef enum { PHASES_SWAP, PHASES_PREFILL, PHASES_DECODE, PHASES_PATHS } phases_path;

extern const char *const phases_model_names[2];

typedef struct {
	int64_t ttft_ps;         /* start of the prefill to the first token */
	int64_t swap_ps;         /* the prefill->decode swap (dpr, PHASES_SWAP), else 0 */
	int64_t swap_exposed_ps; /* its part that delays the first decode step */
	int64_t kv_refill_ps;    /* the refill of a K/V tier in the decode RM after the swap
				    (part of swap_exposed_ps where it is not hidden), else 0 */
	int64_t decode_ps;       /* the N - 1 decode steps, mid-generation stalls included */
	double energy_j;         /* prefill, decode and the swaps */
	int mid_swaps;           /* swaps between decode segments */
	int64_t mid_swap_ps;     /* the time decode stalled for them (part of decode_ps) */
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
/* A dpr design (it has modules to choose from). */
bool phases_dpr(const phases *t);
/* The model's max_context: prompt + output of a request at most. */
int phases_max_context(const phases *t);

/*
 * The cost of a request of `prompt` + `output` tokens (prompt >= 1, output
 * >= 1, prompt + output <= model.max_context) on `path`.  Returns 0, or
 * PDS_FAIL with err set (arguments out of range, a path the design does
 * not have, the DES failed).
 */
int phases_cost_of(phases *t, phases_path path, int prompt, int output, phases_cost *out, char *err, size_t errlen);

/*
 * The cost of a request of `prompt` + `output` tokens along plan pl (its
 * modules < phases_modules(); from[0] is taken as prompt + 1; segments
 * that start after the last step are not reached).  A static design's
 * plan is module 0 throughout.  Returns 0 or PDS_FAIL as phases_cost_of.
 */
int phases_plan_cost(phases *t, const rms_plan *pl, int prompt, int output, phases_cost *out, char *err,
		     size_t errlen);

/* The plan of a path (PHASES_SWAP, PHASES_PREFILL, PHASES_DECODE). */
void phases_path_plan(const phases *t, phases_path path, int prompt, rms_plan *out);

/* The decode steps attending lo .. hi keys on module k, ps (0 when lo > hi;
 * 2 <= lo for the DES model), and their energy, J.  Returns 0 or PDS_FAIL. */
int phases_steps(phases *t, int k, int lo, int hi, int64_t *ps, double *j, char *err, size_t errlen);
/* A mid-generation swap from module a to module b: the stall, ps, and its
 * energy, J (the analytic model: the back-swap). */
int phases_mid_swap(phases *t, int a, int b, int64_t *ps, double *j, char *err, size_t errlen);

/* The modules (1 for a static design: its engines), module k, its name
 * ("static" for a static design) and the analytic model of them (which
 * the policies predict with: the context points, the per-length choices). */
int phases_modules(const phases *t);
const rm_t *phases_module(const phases *t, int k);
const char *phases_module_name(const phases *t, int k);
rms_ctx *phases_rms(phases *t);
/* The paper's flow's module (models/rms.h) for a prefill of `len` tokens /
 * a decode step attending `len` keys (len <= max_context + 1), cached; -1
 * for a static design. */
int phases_best_module(phases *t, bool decode, int len);

/* The decode->prefill swap at idle DDR (PS path, PCAP setup and stream), ps,
 * and its energy (p_idle over it and its bitstream's DDR energy), J; 0 for
 * a static design. */
int64_t phases_back_swap_ps(const phases *t);
double phases_back_swap_j(const phases *t);

#endif
