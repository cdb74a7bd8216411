/*
 * perf.h - the analytical model: T_pre, T_dec, the swap, energy, resources.
 *
 * Each term is a roofline: time = max(compute, data movement).
 *
 *   T_pre(L)  = sum over layers [ max(C_lin(L)/(f*eta_tlmm), W_layer/B_w)
 *                                + max(C_att(L)/(f*eta_attn), port time of Q/K/V/O) ]
 *   T_dec(c)  = sum over layers [ max(C_lin(1)/(f*eta_tlmm), W_layer/B_w)
 *                                + Q preload + A_dec(c) + O write-back ]
 *               + t_lm_head
 *   A_dec by the decode engine's dataflow (design.h, perf.c):
 *     serial         max(C_qk, K time) + softmax + max(C_sv, V time)
 *     kv_overlap     max(C_kv, K+V time)
 *     head_pipeline  A + (heads - 1) max(A, B, K+V time of a head) + B
 *   TTFT(L)   = T_pre(L) + t_lm_head
 *
 * C_* are the engine cycle counts of engine.h.  Port time: each tensor's
 * bytes are split evenly over the HP ports its port map gives it; a port
 * moves reads and writes on separate channels, each at
 *     min(width * clock * eta_port, outstanding * burst bytes / latency)
 * for an attention engine, and for the weight loader also at most
 * width * clock * eta_wload; ports that share a DDR-controller port, and all ports together, are
 * capped at the controller-port peak and at ddr_peak * ddr_efficiency
 * (platform.h, which the DES shares).
 *
 * DPR: the swap starts when the last layer's attention ends; it takes
 *     bitstream/pcap_rate * (1 + slowdown * DDR load) + setup + PS path
 * and overlaps the last layer's O projection and FFN (the tail) and the LM
 * head of the first token; a K/V tier in the decode RM is then refilled
 * from DDR (kvcache.h, perf_kv_refill_s) before the first decode step:
 *     swap_exposed = max(0, swap + refill - tail - t_lm_head).
 *
 * K/V cache (kvcache.h): every K/V byte above is the design's precision's
 * (kb per key and layer); a decode pass reads the keys the on-chip tier
 * holds at the tier's rate after those from DDR (dec_attn_s in perf.c).
 *
 * Energy: P = p_idle + k_logic * (active MLUT) * f[GHz] + e_ddr * bytes/s;
 * energy_j_per_token is the decode energy per generated token.
 *
 * Resources: DPR total = static + max(prefill RM, decode RM) per type,
 * static total = static + prefill + decode; equivalent = static + both.
 *
 * A phase on the other module (a dpr design that keeps one module loaded,
 * sim/session.h): the linear layers are those of the phase, the attention
 * that of the engine the partition holds, with that engine's rates, AXI
 * settings and port map:
 *   decode step on the prefill engine, c keys: per layer
 *       max(engine_pre_query_cycles(c)/(f*eta_attn), port time of Q, c K, c V
 *           reads and the K, V, O writes on the prefill map)
 *   prefill on the decode engine, L tokens: per layer, the decode engine's
 *       attention of one query (perf_decode_layer's att_s) summed over query
 *       i = 1..L attending i keys: Q preload, Q.K, softmax, S.V and O
 *       write-back once per query, no Q reuse.
 * Power follows the module loaded (its LUTs are the active ones).
 */
#ifndef PDS_PERF_H
#define PDS_PERF_H

#include <stdbool.h>

#include "models/cfg.h"
#include "models/figures.h"
#include "models/workload.h"

typedef struct {
	double rd[CFG_MAX_HP], wr[CFG_MAX_HP]; /* bytes per port */
} portload_t;

/* Everything about one design that does not depend on the workload point. */
typedef struct {
	const cfg_t *c;
	const workload_t *w;
	design_t d;
	double f_hz;
	double eta_tlmm, eta_pre, eta_dec; /* each engine's efficiency (engine_eta) */
	double lat_s;
	double bw_w[CFG_MAX_HP], bw_pre[CFG_MAX_HP], bw_dec[CFG_MAX_HP]; /* B/s per stream */
	double w_layer_s;       /* weight load of one layer */
	double w_post_s;        /* weight load of O + FFN of one layer */
	double lin_tok_s;       /* TLMM time per token, all matrices of a layer */
	double lin_post_tok_s;  /* O + FFN only */
	double lin_depth_s, lin_post_depth_s;
	/* resources */
	res_t r_static, r_pre, r_dec, r_total, r_equiv, rp_cap;
	double bitstream_bytes;
	double pcap_idle_s; /* bitstream transfer at idle DDR, with setup */
	/* the K/V cache (kvcache.h) */
	double kb;           /* K (= V) bytes of one key in one layer, the design's precision */
	double tier_b_per_s; /* the on-chip tier's read rate; 0 without a tier */
	int64_t adepth;      /* attention pipeline depth, the dequantiser's included */
	res_t r_tier;        /* the tier's blocks (in r_static or r_dec, by its region) */
} perf_ctx;

typedef struct {
	double lin_s, att_s;       /* one layer */
	double bytes;              /* DDR bytes moved in that layer */
} perf_layer;


typedef struct {
	res_t r_static, r_pre, r_dec, r_total, r_equiv, rp_cap;
	res_t util, util_equiv; /* fractions of the device */
	bool feasible;
	char why[256]; /* the first violated constraint */
} perf_res;

/* Prepare a design (no allocation; the context points into c and w). */
void perf_prepare(perf_ctx *p, const cfg_t *c, const workload_t *w, const design_t *d);

/* Port time of a load, given per-port stream bandwidths. */
double perf_port_time(const perf_ctx *p, const portload_t *pl, const double *bw);

/* One layer of prefill of `prompt` tokens; naive = no causal skipping. */
perf_layer perf_prefill_layer(const perf_ctx *p, int prompt, bool naive);
/* Prefill attention alone, one layer. */
double perf_prefill_attn_s(const perf_ctx *p, int prompt, bool naive);
/* One layer of a decode step attending `keys` keys. */
perf_layer perf_decode_layer(const perf_ctx *p, int keys);

double perf_prefill_s(const perf_ctx *p, int prompt);
double perf_ttft_s(const perf_ctx *p, int prompt);
/* A whole decode step (all layers + LM head) at `keys` keys. */
double perf_decode_step_s(const perf_ctx *p, int keys);
double perf_decode_tok_s(const perf_ctx *p, int keys);

/* K/V bytes one decode step attending `keys` keys reads, all layers: from
 * DDR (the keys the tier does not hold) and from the on-chip tier. */
double perf_decode_kv_ddr_bytes(const perf_ctx *p, int keys);
double perf_decode_kv_tier_bytes(const perf_ctx *p, int keys);

/* The refill of a tier in the decode RM after a swap-in, for a prompt of
 * `prompt` tokens: its bytes (kvcache_refill_bytes) over the decode port
 * map's K and V ports plus one round trip, s; 0 without such a tier. */
double perf_kv_refill_s(const perf_ctx *p, int prompt);

/* Power while a phase runs. */
double perf_power_w(const perf_ctx *p, bool decode, double bytes_per_s);

/*
 * The power equation alone: p_idle + k_logic * active MLUT * f[GHz] +
 * e_ddr * bytes/s, in W.  perf_power_w() and the factorised sweep
 * (dse/factor.h) both evaluate it here so that they agree bit for bit.
 */
double perf_power_from(const cfg_calib *k, double active_lut, double f_hz, double bytes_per_s);

/*
 * Energy of one decode step attending `keys` keys, in J per generated
 * token: decode power at that step's DDR traffic times the step time
 * (perf_decode_step_s).
 */
double perf_decode_energy_j(const perf_ctx *p, int keys);

/*
 * The attention engine a phase runs on: its own (the prefill engine for a
 * prefill, the decode engine for a decode step) or, in a dpr design that
 * keeps one module loaded, the other one.  A static design holds both, so
 * each phase runs on its own engine whatever is asked.
 */
typedef enum { PERF_ENGINE_PREFILL, PERF_ENGINE_DECODE } perf_engine;

/* One layer of a prefill of `prompt` tokens / of a decode step attending
 * `keys` keys, with the attention on engine e (the phase's own engine gives
 * perf_prefill_layer(p, prompt, false) / perf_decode_layer(p, keys)). */
perf_layer perf_prefill_layer_on(const perf_ctx *p, perf_engine e, int prompt);
perf_layer perf_decode_layer_on(const perf_ctx *p, perf_engine e, int keys);
/*
 * The prefill layer on the decode engine from att_sum_s, the sum over
 * k = 1..prompt of perf_decode_layer(p, k).att_s added in that order from 0
 * (what perf_prefill_layer_on sums): for callers that accumulate it over
 * many prompt lengths; the same sum gives the same bits.
 */
perf_layer perf_prefill_layer_dec_sum(const perf_ctx *p, int prompt, double att_sum_s);
/* Whole phases on engine e: the prefill (all layers; TTFT adds lm_head_s),
 * a decode step (all layers + LM head), and their energies in J (the power
 * of the module that holds the partition at the phase's DDR traffic). */
double perf_prefill_on_s(const perf_ctx *p, perf_engine e, int prompt);
double perf_prefill_energy_on_j(const perf_ctx *p, perf_engine e, int prompt);
double perf_decode_step_on_s(const perf_ctx *p, perf_engine e, int keys);
double perf_decode_energy_on_j(const perf_ctx *p, perf_engine e, int keys);

/* Prefill of `prompt`, the swap (DPR), then `gen` decode steps. */
void perf_run_eval(const perf_ctx *p, int prompt, int gen, figures *out);

/*
 * Resources and constraints (not T_pre_max: see perf_feasible), in this
 * order: every type of the total within util_cap of the device; in DPR
 * mode the larger RM within its pblock (LUT and FF within
 * rp_routability_margin of the pblock's, for routing; BRAM, URAM and DSP
 * within its sites); and the static region within util_cap of what lies
 * outside the pblock (it cannot be placed inside); then keys kept on chip
 * (kv_window + kv_sinks > 0) need a tier region; last, the limits imported
 * reports set (cfg_t.limits, --respect-measured, models/limits.h).  A K/V
 * tier counts in the region that holds it (the static region or the decode
 * RM), and a constraint it adds to says how much the tier takes.
 */
void perf_resources(const perf_ctx *p, perf_res *out);

/*
 * Whether the design's K/V tier fits the region it lives in: false, with
 * the constraint it breaks (naming the resource and what the tier takes),
 * when a resource check the tier's blocks add to (the device's cap, the
 * static region outside the pblock, the decode RM in its pblock) fails
 * with the tier but holds without it, or when keys are kept on chip with
 * kv_tier none.  A check that fails without the tier is not blamed on it.
 * Monotone in the tier's keys: a larger tier never fits where a smaller
 * one does not.
 */
bool perf_kv_tier_fits(const perf_ctx *p, char *why, size_t whylen);

/* What an RM may use of a pblock's `rp_cap` of resource `type`. */
double perf_rp_usable(const cfg_t *c, int type, double rp_cap);
/* What the static region may use of the device outside such a pblock. */
double perf_outside_usable(const cfg_t *c, int type, double rp_cap);

/*
 * Full feasibility: resources, routability, and TTFT at objective.prompt
 * <= t_pre_max.  Returns true when feasible; otherwise fills why.
 */
bool perf_feasible(const perf_ctx *p, char *why, size_t whylen);

/* The paper's objective: TTFT(prompt) + a*T_dec(l_long) + (1-a)*T_dec(l_short). */
double perf_objective(const perf_ctx *p);

/*
 * The TLMM's token tile: the tokens whose TLMM time covers one weight pass
 * of a layer, ceil(w_layer_s / lin_tok_s), within [1, max_context] (the
 * HLS headers' PDS_TLMM_TOK_TILE, and the bound of a TLMM kernel call).
 */
int perf_tlmm_tok_tile(const perf_ctx *p);

/* Sum of ceil(j*pe/B) style counts used by the closed form (exposed for tests). */
int64_t perf_kv_tokens_closed(int64_t prompt, int pe, int block);

#endif
