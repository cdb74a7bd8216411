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
} figures;

/*
 * The scalar figures of one inference that carry an interval, by name (the
 * JSON keys of simulate): X(field).
 */
#define FIGURES_SCALARS(X)                                                                                 \
	X(ttft_s) X(prefill_s) X(prefill_linear_s) X(prefill_attention_s) X(decode_s) X(decode_tok_s)     \
	X(decode_first_step_s) X(swap_s) X(swap_exposed_s) X(tail_overlap_s) X(pcap_s)                     \
	X(energy_j_per_token) X(energy_prefill_j) X(power_prefill_w) X(power_decode_w)

/* In the order of the metrics table's columns. */
typedef struct {
	double ttft_s, prefill_s;                               /* at a prompt */
	double decode_tok_s, decode_step_s, energy_j_per_token; /* at a context */
	double swap_exposed_s;                                  /* at a prompt, dpr designs */
} figures_len;

/* A figures_len with every figure NAN. */
figures_len figures_len_none(void);

/* The paper's objective from its three terms, in s. */
static inline double figures_objective(const cfg_objective *o, double ttft_s, double step_long_s,
				       double step_short_s)
{
	return ttft_s + o->alpha * step_long_s + (1 - o->alpha) * step_short_s;
}

#endif
