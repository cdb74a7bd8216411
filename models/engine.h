/*
 * engine.h - the three engines of the accelerator: cycles and resources.
 *
 * Cycle counts are loop trip counts x II (1 everywhere) plus pipeline depth,
 * the same loop nests the HLS kernels in sim/hw implement:
 *
 * TLMM (static region), one token through a K x N matrix:
 *     for kb in 0..ceil(K/(T*G))      -- T tables of G activations each
 *       for nb in 0..ceil(N/Q)         -- Q output lanes, II=1
 *   cycles = ceil(K/(T*G)) * ceil(N/Q), plus `depth` once per matrix per
 *   batch of tokens (the pipeline drains between matrices).
 *
 * Prefill attention, one head of one layer, prompt L, N_pe PEs holding a
 * resident Q block of N_pe query tokens, K/V fetched in blocks of B tokens.
 * The reversed schedule cuts Q blocks from the end of the sequence (the
 * partial block, if any, is the first) and streams only the K/V a block
 * can see:
 *     for k in 0..ceil(L/N_pe)                  -- block k ends at e = L - k*N_pe
 *       for j in 0..vis(k)                      -- visible K/V tokens only
 *         Q.K then S.V, each ceil(head_dim/lanes) cycles (II=1)
 *   vis(k) = min(ceil(e/B)*B, L); the naive schedule streams all L for
 *   every block.  Cycles = sum(vis) * 2 * ceil(head_dim/lanes) + blocks *
 *   depth.  More PEs never stream more: every block ends earlier.
 *
 * Decode attention, one head of one layer, against c keys, CH =
 * ceil(head_dim/lanes), by the engine's dataflow (design.h):
 *   serial         QK pass c * CH, softmax pass c, SV pass c * CH, plus
 *                  `depth` per pass; heads one after another:
 *                      layer = heads * (2 (c CH + depth) + c + depth)
 *   kv_overlap     one pass, online softmax: per key its Q.K then its S.V
 *                  chunks on the same lanes, 2 c CH trips, `depth` once:
 *                      layer = heads * (2 c CH + depth)
 *   head_pipeline  stage A(h) = QK + softmax of head h (c CH + depth + c +
 *                  depth), stage B(h) = SV of head h (c CH + depth) on a
 *                  second MAC array; B(h) runs beside A(h+1), so with A >=
 *                  B the layer takes A(0) + (heads-1) max(A, B) + B:
 *                      layer = heads * A + B
 *
 * The other phase on a module (a dpr design that keeps one module loaded):
 *   a decode step on the prefill engine is one Q block holding the single
 *   query (one PE busy) that streams all c keys: c * 2 * ceil(head_dim/lanes)
 *   + depth per head (engine_pre_query_cycles);
 *   a prefill on the decode engine runs its passes once per query, query i
 *   (1-based) against the i keys it sees: no Q reuse, the cost grows with
 *   L^2/2 (perf.h sums the decode engine's per-query time).
 *
 * Resources are per-unit costs from the calibration times the engine's
 * units: T*Q table-lanes for the TLMM, N_pe*lanes MAC lanes for prefill,
 * lanes for decode (twice the lanes for head_pipeline, which has a MAC
 * array per stage); RMSNorm/FindMax and the other static logic are fixed
 * blocks.  The K/V cache adds (kvcache.h): a quantised cache, the
 * quantiser to the static region and a dequantiser per MAC lane to each
 * engine; the on-chip tier, its blocks to the region that holds it (the
 * static region or the decode RM).
 *
 * Pipeline depth of the attention engines: calibration attn_depth, plus
 * the dequantiser's kv_cache.dequant_depth when the cache is quantised
 * (engine_attn_depth); the cycle formulas above take it as `depth`.
 */
#ifndef PDS_ENGINE_H
#define PDS_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "models/cfg.h"
#include "models/workload.h"

/* TLMM: one token through one K x N matrix, no pipeline depth. */
int64_t engine_tlmm_mat_cycles(int k, int n, int tables, int group, int lanes);

/* TLMM: `tokens` tokens through matrices [m0, m1) of one layer, with the
 * pipeline depth once per matrix. */
int64_t engine_tlmm_cycles(const workload_t *w, const design_t *d, int64_t tokens, int m0, int m1,
			int64_t depth);

/* K/V tokens streamed for one head of one layer (sum of vis over blocks). */
int64_t engine_pre_kv_tokens(int64_t prompt, int pe, int block, bool naive);

/* Prefill attention cycles for one layer (all heads). */
int64_t engine_pre_cycles(const workload_t *w, int64_t prompt, int pe, int lanes, int block,
		       int64_t depth, bool naive);

/* One query against `keys` keys on the prefill engine, one layer (all heads):
 * a decode step run on the prefill RM. */
int64_t engine_pre_query_cycles(const workload_t *w, int64_t keys, int lanes, int64_t depth);

/* Decode attention cycles for one layer (all heads), by pass. */
int64_t engine_dec_dot_cycles(const workload_t *w, int64_t keys, int lanes, int64_t depth);
int64_t engine_dec_softmax_cycles(const workload_t *w, int64_t keys, int64_t depth);
/* kv_overlap: the one pass of one layer (all heads). */
int64_t engine_dec_kv_cycles(const workload_t *w, int64_t keys, int lanes, int64_t depth);
/* head_pipeline: stage A (QK + softmax) and stage B (SV) of one head. */
int64_t engine_dec_head_a_cycles(const workload_t *w, int64_t keys, int lanes, int64_t depth);
int64_t engine_dec_head_b_cycles(const workload_t *w, int64_t keys, int lanes, int64_t depth);
/* Compute cycles of one layer's decode attention under a dataflow. */
int64_t engine_dec_cycles(const workload_t *w, int64_t keys, int lanes, int64_t depth, dataflow_t df);

/*
 * Cycles of one call of a sim/hw kernel with every loop at its
 * loop_tripcount bound, as the loop nests above count them (II 1, each
 * pipeline's depth once): what a csynth report's worst-case latency is
 * compared with.  m names the engine (scope MEAS_TLMM, MEAS_PREFILL or
 * MEAS_DECODE), its sizes (m->d) and the bound it was synthesised at
 * (m->loop_bound):
 *   tlmm          bound tokens through the largest K x N the kernel takes
 *                 (K_MAX, N_MAX of the model's matrices), tlmm_depth once;
 *   attn_prefill  a prompt of `bound` tokens with every Q block streaming
 *                 all of it (the tripcount bound of its K/V loop is the
 *                 whole prompt: the naive schedule), attn_depth per block;
 *   attn_decode   one query against `bound` keys, the engine's dataflow.
 * Returns 0 for another scope or a bound of 0.
 */
int64_t engine_bound_cycles(const cfg_t *c, const workload_t *w, const cfg_import *m);

/*
 * Resources: per-unit costs x units, or, for an engine with a measured
 * profile at the design's clock, the profile's figures (models/profile.h);
 * the fixed blocks of the static region are always the config's.
 */
int64_t engine_tlmm_units(const design_t *d);
int64_t engine_pre_units(const design_t *d);
int64_t engine_dec_units(const design_t *d);
res_t engine_res_static(const cfg_t *c, const design_t *d);
res_t engine_res_pre(const cfg_t *c, const design_t *d);
res_t engine_res_dec(const cfg_t *c, const design_t *d);
/* The same without the K/V tier (and, for the static region, without the
 * quantiser): engine_res_static = base + quantiser (+ tier in the static
 * region), engine_res_dec = base (+ tier in the decode RM), added in that order. */
res_t engine_res_static_base(const cfg_t *c, const design_t *d);
res_t engine_res_dec_base(const cfg_t *c, const design_t *d);

/* Pipeline depth of an attention engine of design d, cycles. */
int64_t engine_attn_depth(const cfg_t *c, const design_t *d);

/* The efficiency (achieved fraction of MACs per cycle) of engine e
 * (MEAS_TLMM, MEAS_PREFILL, MEAS_DECODE) of design d: eta_tlmm or eta_attn,
 * or its measured profile's figure. */
double engine_eta(const cfg_t *c, cfg_meas_scope e, const design_t *d);

/*
 * What a pblock offers, and the size of its partial bitstream: the frames
 * of the column segments it covers (engine.c) x frame_bytes + the
 * bitstream's fixed overhead, in bytes.  The PCAP model of both models
 * and `pdswap-dse emit-dfx` take the size from here: one source.
 */
res_t engine_pblock_capacity(const cfg_t *c, const cfg_pblock *pb);
/* The URAM column segments whose frames the bitstream carries. */
int64_t engine_pblock_uram_rows(const cfg_t *c, const cfg_pblock *pb);
int64_t engine_pblock_frames(const cfg_t *c, const cfg_pblock *pb);
double engine_bitstream_bytes(const cfg_t *c, const cfg_pblock *pb);

#endif
