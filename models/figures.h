/*
 * figures.h - what a model predicts, in one shape whichever model
 * predicted it, and the one objective.
 *
 * `figures` is one inference of one design: a prefill of `prompt` tokens,
 * the swap (dpr), `gen` decode steps.  The analytic model (perf.h) and the
 * discrete-event model (sim/des.h) both fill it; README.md ("What the
 * figures mean") defines every field.  Times in s, energy in J, power in
 * W, bytes in bytes.
 *
 * `figures_len` is what is stored per workload length (the metrics table):
 *   at a prompt L     from a prefill of L tokens: TTFT, prefill, and for a
 *                     dpr design the exposed swap;
 *   at a context c    from one decode step attending c keys: the step, its
 *                     rate and its energy per token.
 * Figures that do not apply are NAN.
 *
 * The paper's objective, the one definition every part of the tool uses
 * (the sweep, the factorised evaluation, the DES re-check, simulate, the
 * report):
 *     objective = TTFT(objective.prompt) + alpha * step(l_long) + (1 - alpha) * step(l_short)
 */
#ifndef PDS_FIGURES_H
#define PDS_FIGURES_H

#include "models/cfg.h"

typedef struct {
	int prompt, gen;
	/* prefill */
	double prefill_s, ttft_s;
	double prefill_linear_s, prefill_attention_s; /* prefill_s split: attention running or not */
	/* decode */
	double decode_s, decode_tok_s, decode_first_step_s;
	/* the swap (dpr designs; 0 for static ones) */
	double swap_s, swap_exposed_s, tail_overlap_s, pcap_s, pcap_load, bitstream_bytes;
	/* energy and DDR traffic */
	double energy_j_per_token, energy_prefill_j, power_prefill_w, power_decode_w;
	double bytes_prefill, bytes_decode;
	/* the refill of a K/V tier in the decode RM after the swap (kvcache.h): its time
	 * (part of what the swap's hiding must cover) and its DDR bytes; 0 without one */
	double kv_refill_s, kv_refill_bytes;
	/* mid-generation swaps of a partition with several modules (models/rms.h):
	 * how many, and the time decode stalled for them (part of decode_s) */
	int mid_swaps;
	double mid_swap_s;
} figures;

/*
 * The scalar figures of one inference that carry an interval, by name (the
 * JSON keys of simulate): X(field).
 */
#define FIGURES_SCALARS(X)                                                                                 \
	X(ttft_s) X(prefill_s) X(prefill_linear_s) X(prefill_attention_s) X(decode_s) X(decode_tok_s)     \
	X(decode_first_step_s) X(swap_s) X(swap_exposed_s) X(tail_overlap_s) X(pcap_s)                     \
	X(energy_j_per_token) X(energy_prefill_j) X(power_prefill_w) X(power_decode_w) X(kv_refill_s)

/* In the order of the metrics table's columns. */
typedef struct {
	double ttft_s, prefill_s;                               /* at a prompt */
	double decode_tok_s, decode_step_s, energy_j_per_token; /* at a context */
	double swap_exposed_s;                                  /* at a prompt, dpr designs */
} figures_len;

/*
 * A session of many requests on one design under one run-time policy
 * (sim/session.h; README.md, "Sessions").  Per request, from its arrival:
 * wait (queued behind earlier requests), TTFT, TPOT = (e2e - TTFT) /
 * (output - 1) (requests of one output token have none), e2e.  A
 * figures_dist holds the mean and the percentiles (linear between the
 * closest ranks of the sorted values) of one of them over the served
 * requests; NAN when there is no value.
 */
typedef struct {
	double mean, p50, p90, p95, p99;
} figures_dist;

typedef struct {
	int64_t requests;             /* served */
	int64_t refused, trimmed;     /* beyond model.max_context */
	int64_t tokens;               /* generated, all requests */
	int64_t swaps;                /* reconfigurations of the partition */
	double swap_s, swap_exposed_s; /* their total time, and the part that delayed a request */
	figures_dist wait_s, ttft_s, tpot_s, e2e_s;
	double duration_s;            /* first arrival to last answer (or to the end of a swap the
					 last request left running) */
	double offered_rps;           /* the arrival rate asked for */
	double throughput_rps, tokens_per_s;
	double slo_ttft_p90_s, slo_tpot_p99_s;
	bool slo_met;                 /* ttft_s.p90 and tpot_s.p99 within them */
	double goodput_rps;           /* requests whose TTFT and TPOT meet the SLO values, per s */
	double capacity_rps;          /* highest arrival rate that meets the SLOs: 0 none, INFINITY
					 any (one user cannot overload it), NAN not sought */
	double reconfig_share;        /* swap_s / duration_s */
	double utilisation;           /* share of duration_s the device serves or swaps */
	double energy_j, energy_j_per_request, energy_j_per_token; /* the requests' work and their swaps */
	double mean_in_system;        /* time average of requests queued or in service */
	double kv_refill_s;           /* refills of a K/V tier in the decode RM after swaps-in
					 (models/kvcache.h), their total time */
	int64_t swaps_by_rm[RMS_MAX]; /* swaps by the module they loaded (a dpr design's set, in order) */
} figures_session;

/* The mean and percentiles of n values sorted ascending (NAN when n is 0). */
figures_dist figures_dist_of(const double *sorted, size_t n);

/* A figures_len with every figure NAN. */
figures_len figures_len_none(void);

/* The paper's objective from its three terms, in s. */
static inline double figures_objective(const cfg_objective *o, double ttft_s, double step_long_s,
				       double step_short_s)
{
	return ttft_s + o->alpha * step_long_s + (1 - o->alpha) * step_short_s;
}

#endif
