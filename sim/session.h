/*
 * session.h - a session of many requests on one board: arrivals, a FIFO
 * queue, one request at a time (batch 1), the partition's module and its
 * swaps, a run-time swap policy, and the session's figures
 * (models/figures.h, figures_session).
 *
 * The loop is request-level and event-driven on sim/evq.h: integer
 * picoseconds, events in (time, sequence) order, so the same requests give
 * the same figures bit for bit.  Events: a request arrives (open loop: at
 * its arrival time; closed loop: its think time after the previous
 * answer), a request's last token, the device free (the same moment, or
 * later when a request of one output token leaves a swap running), the end
 * of a swap started between requests.  What a request costs on the path it
 * takes comes from sim/phases.h (`exec`, the analytic or the op-level DES
 * model); what a policy predicts comes from `pred` (the analytic model of
 * the same design: a run-time controller's model).
 *
 * The partition holds one module at a time and starts with the one the
 * config names.  A request is served when the device is free and no swap
 * is running:
 *   prefill  on the module loaded, or after a decode->prefill swap (at
 *            idle DDR, phases_back_swap_ps) that the request waits for;
 *   decode   on the module the prefill ran on, or, after a prefill on the
 *            prefill RM, on the decode RM after the prefill->decode swap
 *            that overlaps the prefill's tail (phases.h, PHASES_SWAP).
 * When a request leaves the decode RM loaded, the queue is empty and more
 * requests are to come, the policy may start the decode->prefill swap at
 * once (eager back-swap): it hides in the idle time, and a request that
 * arrives before it ends waits for the rest.  A swap is counted, with its
 * energy, for the request that needs it (a back-swap for the next one);
 * the session ends with its last answer, so no swap follows the last
 * request.
 *
 * Policies (the same requests for each):
 *   always     the paper's flow: prefill RM for every prefill (back-swap
 *              eagerly, or before the prefill when a request waits),
 *              decode RM for every decode;
 *   never      the module loaded at the start, for everything;
 *   threshold  context-aware: at each choice the plan of least predicted
 *              time for the rest of the request: from the decode RM, stay
 *              (prefill and decode on it) or swap back first; after a
 *              prefill on the prefill RM, swap to the decode RM or decode
 *              on the prefill RM.  The prompt is known, the output is
 *              predicted as the workload's mean.  An eager back-swap is
 *              made when, for a request of the workload's mean lengths,
 *              the best plan from the prefill RM plus the expected wait
 *              for the swap, s - (1 - exp(-rate s)) / rate (an arrival
 *              while it runs), is shorter than staying.  So the swap is
 *              made only when the model's predicted saving on the phase
 *              ahead exceeds its exposed cost; the user may give the
 *              thresholds instead (threshold_prompt: back-swap for
 *              prompts of at least that many tokens; threshold_gen: swap
 *              to the decode RM for outputs of at least that many);
 *   oracle     threshold knowing each request's true output length: an
 *              upper bound on what a length predictor could gain;
 *   static     a static design (no swap; its only policy).
 */
#ifndef PDS_SESSION_H
#define PDS_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "models/figures.h"
#include "sim/phases.h"
#include "sim/reqgen.h"

typedef enum {
	SESSION_ALWAYS, SESSION_NEVER, SESSION_THRESHOLD, SESSION_ORACLE, SESSION_STATIC, SESSION_POLICIES
} session_policy;
extern const char *const session_policy_names[SESSION_POLICIES];
/* The policy of that name, or -1. */
int session_policy_of(const char *name);

/* What ran a phase of a request: a module of the partition by its index
 * (the paper's pair: 0 the prefill RM, 1 the decode RM; phases_module_name
 * names each), or the static design's engines. */
enum { SESSION_RM_PREFILL = 0, SESSION_RM_DECODE = 1, SESSION_RM_STATIC = -1 };

typedef struct {
	session_policy policy;    /* SESSION_STATIC for (and only for) a static design */
	bool start_decode;        /* the partition holds the decode RM at the start */
	bool closed;              /* a closed loop: requests carry think times */
	double rate_scale;        /* > 0: arrival and think times are divided by it */
	double offered_rps;       /* the arrival rate of the requests as drawn (scale 1) */
	int threshold_prompt;     /* > 0: back-swap for prompts of at least this many tokens */
	int threshold_gen;        /* > 0: swap to the decode RM for outputs of at least this many */
	double expect_prompt, expect_output; /* the workload's mean lengths (threshold's prediction) */
	double slo_ttft_p90_s, slo_tpot_p99_s;
	/* threshold at a context point: rest_output[n] = E[N - n | N > n], the
	 * output still to come of a request that has produced n tokens
	 * (reqgen_rest_output), n = 0 .. model.max_context; NULL: the mean less n */
	const double *rest_output;
	/* with start_module_given: module start_module of the set at the start
	 * (instead of the first built for the phase start_decode names) */
	bool start_module_given;
	int start_module;
} session_opts;

/* One request as it went. */
typedef struct {
	int prompt, output;
	bool trimmed;
	double arrival_s;         /* from the session's start */
	double wait_s;            /* queued behind earlier requests */
	double ttft_s, tpot_s, e2e_s; /* from its arrival; tpot NAN for one output token */
	int swaps;
	double swap_exposed_s;    /* waiting for swaps (a back-swap, the exposed prefill->decode part) */
	double energy_j;
	int prefill_rm, decode_rm; /* SESSION_RM_* or a module: the prefill's and the first decode step's */
	int n_dec;                 /* the modules its decode ran on, in turn (decode_rm alone for one output token) */
	int dec_seq[RMS_MAX_SEG];
	int mid_swaps;             /* swaps between its decode steps */
} session_rec;

/*
 * Run requests req[0..n) (arrival times non-decreasing for an open loop)
 * under o on exec, predicting with pred (may be exec).  Fills *fs
 * (capacity_rps NAN: see session_capacity) and, when rec is not NULL, one
 * record per request.  Returns 0, or PDS_FAIL with err set (a phase the
 * model cannot run, a session longer than 100 days, out of memory), or
 * PDS_FAIL_REQUEST for a policy the design does not have.
 */
int session_run(phases *exec, phases *pred, const reqgen_req *req, size_t n, const session_opts *o, session_rec *rec,
		figures_session *fs, char *err, size_t errlen);

/*
 * The highest arrival rate at which the same requests (their times
 * scaled) meet the SLOs: bisection on the rate between 1/1000 of and twice
 * the rate that saturates the device, 16 halvings in log scale.  0 when
 * even the lowest misses them, INFINITY when the highest meets them (a
 * closed loop of one user cannot overload the device).  Returns 0 or a
 * failure as session_run.
 */
int session_capacity(phases *exec, phases *pred, const reqgen_req *req, size_t n, const session_opts *o,
		     double *capacity_rps, char *err, size_t errlen);

/*
 * The thresholds the threshold policy's model implies (o->threshold_*
 * ignored): the smallest prompt (of a request waiting on the decode RM,
 * with the output predicted as o->expect_output) for which it swaps back
 * to the prefill RM, and the smallest output (predicted, after a prefill
 * of `prompt` tokens) for which it swaps to the decode RM; 0 when it never
 * does within the model's context.  pred is an analytic phases of a dpr
 * design.  Returns 0, or PDS_FAIL with err set.
 */
int session_model_thresholds(phases *pred, const session_opts *o, int prompt, int *threshold_prompt,
			     int *threshold_gen, char *err, size_t errlen);

/*
 * The decode the oracle gives one request of `prompt` + `output` tokens
 * whose prefill runs on module prefill_rm, with nothing to follow: the
 * module of its first step (through the prefill->decode swap or not) and
 * its mid-generation swaps at the context points, the least predicted
 * time.  pred: an analytic phases of a dpr design.  Returns 0, or PDS_FAIL
 * with err set.
 */
int session_decode_plan(phases *pred, int prefill_rm, int prompt, int output, rms_plan *pl, char *err, size_t errlen);

/*
 * One cell of the break-even map: requests of `prompt` + `output` tokens
 * back to back (a closed loop with no think time), SESSION_BREAKEVEN_RUN of
 * them; the last one's e2e (its service, both swaps included where the
 * policy makes them) and energy.  For threshold and oracle the predicted
 * lengths are the cell's.  Returns 0 or a failure as session_run.
 */
#define SESSION_BREAKEVEN_RUN 4
int session_breakeven_cell(phases *exec, phases *pred, session_policy policy, bool start_decode, int prompt,
			   int output, double *e2e_s, double *energy_j, session_rec *last, char *err, size_t errlen);

#endif
