/*
 * attn_decode.c - one query against the K/V cache (the decode RM, or the
 * static design's decode engine).
 *
 * No Q reuse and no causal skipping.  The engine's dataflow
 * (PDS_DEC_DATAFLOW, models/design.h) decides how the passes over the c =
 * keys cached tokens are ordered, CHUNKS = ceil(head_dim/lanes):
 *
 *   0 serial         per head, one after another:
 *                        Q.K      c * CHUNKS cycles, lanes MACs per cycle,
 *                                 scores kept on chip
 *                        softmax  c cycles: p_j = exp(s_j - max), their sum
 *                        S.V      c * CHUNKS cycles
 *                    each a pipelined loop at II 1 with its own depth:
 *                    engine_dec_dot_cycles() and engine_dec_softmax_cycles()
 *                    of models/engine.c, per head.  K streams, then V.
 *   1 kv_overlap     per head a dataflow region: a reader streams each key's
 *                    K and V chunks together (both bundles at once) into two
 *                    FIFOs, and one pipelined loop of 2 * c * CHUNKS trips
 *                    takes key j's Q.K chunks, then its S.V chunks, with the
 *                    online softmax (running max, rescale) between them;
 *                    the depth once per head: engine_dec_kv_cycles().
 *   2 head_pipeline  a dataflow region over the heads: stage A makes the Q.K
 *                    and softmax passes of head h and streams its
 *                    probabilities to stage B, which makes the S.V pass of
 *                    head h (on its own lanes) while A works on head h + 1:
 *                    A(0) + (heads - 1) max(A, B) + B(heads - 1) cycles,
 *                    engine_dec_cycles(..., DF_HEAD_PIPE).  K streams in A,
 *                    V in B, at the same time.
 *
 * Ports follow the decode port map.  K and V are split across their
 * bundles: each K (V) row is cut into PDS_K_SLICES pieces and piece s is
 * read through K port s % PDS_DEC_K_PORTS, so all K ports stream at once
 * (pds_hw.h).  With PDS_DEC_Q_PRELOAD the query of every head is read
 * through its port before any K/V streaming (the port then carries K
 * alone); with PDS_DEC_O_AFTER_KV the outputs of all heads are buffered
 * on chip and written after the last S.V pass.  The cache append of the
 * new token's K/V is done by the projections, not by this kernel.
 *
 * The K/V cache (models/kvcache.h, pds_hw.h): K and V are read as records
 * of FP16, or of int8/int4 with one scale per group, each element
 * dequantised inside the lane (integer x scale, the dequantiser's depth in
 * PDS_DEC_DEPTH, no extra trips).  With an on-chip tier (PDS_KV_TIER_KEYS >
 * 0) a key the tier holds (a sink or one of the window) is read from the
 * tier's record, every other key from DDR; the trips are the same.
 *
 * Scores and accumulation are float; Q and O are FP16.
 */
#include <math.h>

#include "attn_decode.h"

/* The tier's parameters of a function that reads K (x = tk) or V (x = tv),
 * or both (TIER_KV), and the arguments that pass them on. */
#if PDS_KV_TIER_KEYS > 0
#define TIER_P(x) , const pds_kv x[PDS_KV_TIER_ROWS * PDS_KV_TIER_REC], int layer
#define TIER_A(x) , x, layer
#define TIER_KV , const pds_kv tk[PDS_KV_TIER_ROWS * PDS_KV_TIER_REC], const pds_kv tv[PDS_KV_TIER_ROWS * PDS_KV_TIER_REC], int layer
#define TIER_AKV , tk, tv, layer
#else
#define TIER_P(x)
#define TIER_A(x)
#define TIER_KV
#define TIER_AKV
#endif

/* Counts the head rows a pass reads from DDR and from the tier (C simulation). */
static void dec_row(int j, int keys)
{
#ifndef __SYNTHESIS__
	if (pds_tier_slot(j, keys) >= 0)
		HW_TRIP(dec_rows_tier);
	else
		HW_TRIP(dec_rows_ddr);
#else
	(void)j;
	(void)keys;
#endif
}

/* Element d of key j of head kvh of K: the tier's record when it holds the
 * key, else the DDR record through its slice's port. */
static float dec_k(HW_PARAMS(PDS_DEC_K_PORTS, const pds_kv *, k) TIER_P(tk), int kvh, int j, int d, int keys)
{
#if PDS_KV_TIER_KEYS > 0
	const int slot = pds_tier_slot(j, keys);
	if (slot >= 0)
		return pds_kv_elem(tk + pds_tier_at(layer, slot, kvh), PDS_HEAD_DIM, d);
#else
	(void)keys;
#endif
	const int sl = pds_kv_slice(PDS_K_SLICES, d);
	return pds_kv_get(HW_PTR(PDS_DEC_K_PORTS, k, sl % PDS_DEC_K_PORTS), PDS_K_SLICES, PDS_KV_HEADS, kvh, j, d);
}

/* The same of V. */
static float dec_v(HW_PARAMS(PDS_DEC_V_PORTS, const pds_kv *, v) TIER_P(tv), int kvh, int j, int d, int keys)
{
#if PDS_KV_TIER_KEYS > 0
	const int slot = pds_tier_slot(j, keys);
	if (slot >= 0)
		return pds_kv_elem(tv + pds_tier_at(layer, slot, kvh), PDS_HEAD_DIM, d);
#else
	(void)keys;
#endif
	const int sl = pds_kv_slice(PDS_V_SLICES, d);
	return pds_kv_get(HW_PTR(PDS_DEC_V_PORTS, v, sl % PDS_DEC_V_PORTS), PDS_V_SLICES, PDS_KV_HEADS, kvh, j, d);
}

/* Query of head h, scaled by 1/sqrt(head_dim). */
static void dec_load_q(HW_PARAMS(PDS_DEC_Q_PORTS, const pds_half *, q), int h, float qh[PDS_HEAD_DIM])
{
	const float scale = 1.0f / sqrtf((float)PDS_HEAD_DIM);
	/* DEC_QLOAD */
	for (int d = 0; d < PDS_HEAD_DIM; d++) {
#pragma HLS pipeline II=1
		int sl;
		const long at = pds_offset(PDS_Q_SLICES, PDS_HEADS, h, 0, d, &sl);
		qh[d] = pds_h2f(HW_PICK(PDS_DEC_Q_PORTS, q, sl % PDS_DEC_Q_PORTS, at)) * scale;
	}
}

#if PDS_DEC_DATAFLOW != 1
/* Q.K pass: sc[j] = q . K[j]; returns the largest score. */
static float dec_qk(const float qh[PDS_HEAD_DIM], HW_PARAMS(PDS_DEC_K_PORTS, const pds_kv *, k) TIER_P(tk), int kvh,
		    int keys, float sc[PDS_MAX_CONTEXT])
{
	float mx = -1e30f, dot = 0;
	int j = 0, c = 0;
	HW_TRIP(dec_qk_starts);
	/* DEC_QK */
	for (int it = 0; it < keys * PDS_DEC_CHUNKS; it++) {
#pragma HLS pipeline II=PDS_DEC_II
#pragma HLS loop_tripcount min=1 max=PDS_DEC_TRIPS_MAX
		HW_TRIP(dec_qk);
		if (c == 0)
			dec_row(j, keys);
		float s = c == 0 ? 0 : dot;
		for (int u = 0; u < PDS_DEC_LANES; u++) {
#pragma HLS unroll
			const int d = c * PDS_DEC_LANES + u;
			if (d < PDS_HEAD_DIM)
				s += qh[d] * dec_k(HW_NAMES(PDS_DEC_K_PORTS, k) TIER_A(tk), kvh, j, d, keys);
		}
		dot = s;
		if (c == PDS_DEC_CHUNKS - 1) {
			sc[j] = s;
			mx = s > mx ? s : mx;
		}
		if (++c == PDS_DEC_CHUNKS) {
			c = 0;
			j++;
		}
	}
	return mx;
}

#endif

#if PDS_DEC_DATAFLOW == 0
/* Softmax pass: sc[j] = exp(sc[j] - mx); returns their sum. */
static float dec_softmax(float sc[PDS_MAX_CONTEXT], int keys, float mx)
{
	float sum = 0;
	HW_TRIP(dec_sm_starts);
	/* DEC_SM */
	for (int j = 0; j < keys; j++) {
#pragma HLS pipeline II=PDS_DEC_II
#pragma HLS loop_tripcount min=1 max=PDS_MAX_CONTEXT
		HW_TRIP(dec_sm);
		const float p = expf(sc[j] - mx);
		sc[j] = p;
		sum += p;
	}
	return sum;
}

/* S.V pass: oh = sum_j sc[j] * V[j]. */
static void dec_sv(const float sc[PDS_MAX_CONTEXT], HW_PARAMS(PDS_DEC_V_PORTS, const pds_kv *, v) TIER_P(tv), int kvh,
		   int keys, float oh[PDS_HEAD_DIM])
{
	int j = 0, c = 0;
	HW_TRIP(dec_sv_starts);
	/* DEC_SV */
	for (int it = 0; it < keys * PDS_DEC_CHUNKS; it++) {
#pragma HLS pipeline II=PDS_DEC_II
#pragma HLS loop_tripcount min=1 max=PDS_DEC_TRIPS_MAX
		HW_TRIP(dec_sv);
		if (c == 0)
			dec_row(j, keys);
		for (int u = 0; u < PDS_DEC_LANES; u++) {
#pragma HLS unroll
			const int d = c * PDS_DEC_LANES + u;
			if (d < PDS_HEAD_DIM) {
				const float x = dec_v(HW_NAMES(PDS_DEC_V_PORTS, v) TIER_A(tv), kvh, j, d, keys);
				oh[d] = (j == 0 ? 0 : oh[d]) + sc[j] * x;
			}
		}
		if (++c == PDS_DEC_CHUNKS) {
			c = 0;
			j++;
		}
	}
}
#endif

#if PDS_DEC_DATAFLOW == 1
typedef struct {
	float v[PDS_DEC_LANES];
} dec_chunk;

/* kv_overlap: stream each key's K and V rows, chunk by chunk, through both bundles at once. */
static void dec_read_kv(HW_PARAMS(PDS_DEC_K_PORTS, const pds_kv *, k), HW_PARAMS(PDS_DEC_V_PORTS, const pds_kv *, v)
			TIER_KV, int kvh, int keys, dec_chunk kf[PDS_DEC_KV_STREAM_LEN],
			dec_chunk vf[PDS_DEC_KV_STREAM_LEN])
{
	HW_TRIP(dec_kvread_starts);
	/* DEC_KVREAD */
	for (int it = 0; it < keys * PDS_DEC_CHUNKS; it++) {
#pragma HLS pipeline II=1
#pragma HLS loop_tripcount min=1 max=PDS_DEC_TRIPS_MAX
		HW_TRIP(dec_kvread);
		const int j = it / PDS_DEC_CHUNKS, c = it % PDS_DEC_CHUNKS;
		if (c == 0) {
			dec_row(j, keys); /* K */
			dec_row(j, keys); /* V */
		}
		dec_chunk kc, vc;
		for (int u = 0; u < PDS_DEC_LANES; u++) {
#pragma HLS unroll
			const int d = c * PDS_DEC_LANES + u;
			kc.v[u] = vc.v[u] = 0;
			if (d < PDS_HEAD_DIM) {
				kc.v[u] = dec_k(HW_NAMES(PDS_DEC_K_PORTS, k) TIER_A(tk), kvh, j, d, keys);
				vc.v[u] = dec_v(HW_NAMES(PDS_DEC_V_PORTS, v) TIER_A(tv), kvh, j, d, keys);
			}
		}
		kf[it] = kc;
		vf[it] = vc;
	}
}

/*
 * kv_overlap: one pass over the keys with online softmax.  Trips 0 ..
 * CHUNKS-1 of key j accumulate s_j = q . K[j]; at the last, the running
 * max moves to m' = max(m, s_j), the sum rescales by alpha = exp(m - m')
 * and gains p_j = exp(s_j - m'); trips CHUNKS .. 2 CHUNKS-1 rescale O's
 * chunk by alpha and add p_j V[j].  Returns the sum of the p_j.
 */
static float dec_kv_pass(const float qh[PDS_HEAD_DIM], const dec_chunk kf[PDS_DEC_KV_STREAM_LEN],
			 const dec_chunk vf[PDS_DEC_KV_STREAM_LEN], int keys, float oh[PDS_HEAD_DIM])
{
	float m = -1e30f, l = 0, s = 0, alpha = 1, p = 0;
	int j = 0, c = 0, ph = 0, ik = 0, iv = 0;
	HW_TRIP(dec_kv_starts);
	/* DEC_KV */
	for (int it = 0; it < 2 * keys * PDS_DEC_CHUNKS; it++) {
#pragma HLS pipeline II=PDS_DEC_II
#pragma HLS loop_tripcount min=2 max=PDS_DEC_KV_TRIPS_MAX
		HW_TRIP(dec_kv);
		if (ph == 0) {
			const dec_chunk kc = kf[ik++];
			float acc = c == 0 ? 0 : s;
			for (int u = 0; u < PDS_DEC_LANES; u++) {
#pragma HLS unroll
				const int d = c * PDS_DEC_LANES + u;
				if (d < PDS_HEAD_DIM)
					acc += qh[d] * kc.v[u];
			}
			s = acc;
			if (c == PDS_DEC_CHUNKS - 1) {
				const float mn = s > m ? s : m;
				alpha = expf(m - mn);
				p = expf(s - mn);
				l = l * alpha + p;
				m = mn;
			}
		} else {
			const dec_chunk vc = vf[iv++];
			for (int u = 0; u < PDS_DEC_LANES; u++) {
#pragma HLS unroll
				const int d = c * PDS_DEC_LANES + u;
				if (d < PDS_HEAD_DIM)
					oh[d] = (j == 0 ? 0 : oh[d] * alpha) + p * vc.v[u];
			}
		}
		if (++c == PDS_DEC_CHUNKS) {
			c = 0;
			j += ph;
			ph ^= 1;
		}
	}
	return l;
}

/* kv_overlap: one head, the reader beside the pass. */
static float dec_head_kv(const float qh[PDS_HEAD_DIM], HW_PARAMS(PDS_DEC_K_PORTS, const pds_kv *, k),
			 HW_PARAMS(PDS_DEC_V_PORTS, const pds_kv *, v) TIER_KV, int kvh, int keys,
			 float oh[PDS_HEAD_DIM])
{
#pragma HLS dataflow
	static dec_chunk kf[PDS_DEC_KV_STREAM_LEN], vf[PDS_DEC_KV_STREAM_LEN];
#pragma HLS stream variable=kf depth=PDS_DEC_KV_FIFO_DEPTH
#pragma HLS stream variable=vf depth=PDS_DEC_KV_FIFO_DEPTH
	dec_read_kv(HW_NAMES(PDS_DEC_K_PORTS, k), HW_NAMES(PDS_DEC_V_PORTS, v) TIER_AKV, kvh, keys, kf, vf);
	return dec_kv_pass(qh, kf, vf, keys, oh);
}
#endif

#if PDS_DEC_DATAFLOW == 2
/* head_pipeline: the softmax pass of stage A, its probabilities streamed out in key order. */
static float dec_softmax_out(const float sc[PDS_MAX_CONTEXT], int keys, float mx, float *pf)
{
	float sum = 0;
	HW_TRIP(dec_sm_starts);
	/* DEC_SM */
	for (int j = 0; j < keys; j++) {
#pragma HLS pipeline II=PDS_DEC_II
#pragma HLS loop_tripcount min=1 max=PDS_MAX_CONTEXT
		HW_TRIP(dec_sm);
		const float p = expf(sc[j] - mx);
		pf[j] = p;
		sum += p;
	}
	return sum;
}

/* head_pipeline: the S.V pass of stage B, each probability read once from the stream. */
static void dec_sv_in(const float *pf, HW_PARAMS(PDS_DEC_V_PORTS, const pds_kv *, v) TIER_P(tv), int kvh, int keys,
		      float oh[PDS_HEAD_DIM])
{
	int j = 0, c = 0;
	float p = 0;
	HW_TRIP(dec_sv_starts);
	/* DEC_SV */
	for (int it = 0; it < keys * PDS_DEC_CHUNKS; it++) {
#pragma HLS pipeline II=PDS_DEC_II
#pragma HLS loop_tripcount min=1 max=PDS_DEC_TRIPS_MAX
		HW_TRIP(dec_sv);
		if (c == 0) {
			p = pf[j];
			dec_row(j, keys);
		}
		for (int u = 0; u < PDS_DEC_LANES; u++) {
#pragma HLS unroll
			const int d = c * PDS_DEC_LANES + u;
			if (d < PDS_HEAD_DIM) {
				const float x = dec_v(HW_NAMES(PDS_DEC_V_PORTS, v) TIER_A(tv), kvh, j, d, keys);
				oh[d] = (j == 0 ? 0 : oh[d]) + p * x;
			}
		}
		if (++c == PDS_DEC_CHUNKS) {
			c = 0;
			j++;
		}
	}
}
#endif

static void dec_store_o(HW_PARAMS(PDS_DEC_O_PORTS, pds_half *, o), int h, const float oh[PDS_HEAD_DIM], float sum)
{
	/* DEC_OSTORE */
	for (int d = 0; d < PDS_HEAD_DIM; d++) {
#pragma HLS pipeline II=1
		int sl;
		const long at = pds_offset(PDS_O_SLICES, PDS_HEADS, h, 0, d, &sl);
		HW_PUT(PDS_DEC_O_PORTS, o, sl % PDS_DEC_O_PORTS, at, pds_f2h(oh[d] / sum));
	}
}

#if PDS_DEC_DATAFLOW == 2
/* head_pipeline, stage A: Q.K and softmax of every head in turn; probabilities and sums out. */
static void dec_stage_a(HW_PARAMS(PDS_DEC_Q_PORTS, const pds_half *, q), HW_PARAMS(PDS_DEC_K_PORTS, const pds_kv *, k)
			TIER_P(tk), const float qall[PDS_HEADS][PDS_HEAD_DIM], int keys, float pf[PDS_DEC_SCORE_STREAM_LEN],
			float sf[PDS_HEADS])
{
	static float sc[PDS_MAX_CONTEXT], qh[PDS_HEAD_DIM];
	PDS_PRAGMA(HLS bind_storage variable=sc type=ram_2p impl=PDS_DEC_SCORE_IMPL)
	PDS_PRAGMA(HLS array_partition variable=qh PDS_DEC_HD_PARTITION dim=1)
	/* DEC_STAGE_A */
	for (int h = 0; h < PDS_HEADS; h++) {
		const int kvh = h / (PDS_HEADS / PDS_KV_HEADS);
#if PDS_DEC_Q_PRELOAD
		(void)HW_NAMES(PDS_DEC_Q_PORTS, q);
		for (int d = 0; d < PDS_HEAD_DIM; d++) {
#pragma HLS unroll
			qh[d] = qall[h][d];
		}
#else
		(void)qall;
		dec_load_q(HW_NAMES(PDS_DEC_Q_PORTS, q), h, qh);
#endif
		const float mx = dec_qk(qh, HW_NAMES(PDS_DEC_K_PORTS, k) TIER_A(tk), kvh, keys, sc);
		sf[h] = dec_softmax_out(sc, keys, mx, pf + (long)h * PDS_MAX_CONTEXT);
	}
}

/* head_pipeline, stage B: S.V of every head in turn, beside stage A's next head. */
static void dec_stage_b(const float pf[PDS_DEC_SCORE_STREAM_LEN], const float sf[PDS_HEADS],
			HW_PARAMS(PDS_DEC_V_PORTS, const pds_kv *, v) TIER_P(tv), HW_PARAMS(PDS_DEC_O_PORTS, pds_half *, o),
			int keys, float oall[PDS_HEADS][PDS_HEAD_DIM], float sall[PDS_HEADS])
{
	static float oh[PDS_HEAD_DIM];
	PDS_PRAGMA(HLS array_partition variable=oh PDS_DEC_HD_PARTITION dim=1)
	/* DEC_STAGE_B */
	for (int h = 0; h < PDS_HEADS; h++) {
		const int kvh = h / (PDS_HEADS / PDS_KV_HEADS);
		dec_sv_in(pf + (long)h * PDS_MAX_CONTEXT, HW_NAMES(PDS_DEC_V_PORTS, v) TIER_A(tv), kvh, keys, oh);
#if PDS_DEC_O_AFTER_KV
		(void)HW_NAMES(PDS_DEC_O_PORTS, o);
		for (int d = 0; d < PDS_HEAD_DIM; d++) {
#pragma HLS unroll
			oall[h][d] = oh[d];
		}
		sall[h] = sf[h];
#else
		(void)oall;
		(void)sall;
		dec_store_o(HW_NAMES(PDS_DEC_O_PORTS, o), h, oh, sf[h]);
#endif
	}
}
#endif

#if PDS_DEC_DATAFLOW == 2
/* head_pipeline: the dataflow region of the two stages. */
static void dec_pipeline(HW_PARAMS(PDS_DEC_Q_PORTS, const pds_half *, q), HW_PARAMS(PDS_DEC_K_PORTS, const pds_kv *, k),
			 HW_PARAMS(PDS_DEC_V_PORTS, const pds_kv *, v), HW_PARAMS(PDS_DEC_O_PORTS, pds_half *, o)
			 TIER_KV, const float qall[PDS_HEADS][PDS_HEAD_DIM], int keys,
			 float pf[PDS_DEC_SCORE_STREAM_LEN], float sf[PDS_HEADS], float oall[PDS_HEADS][PDS_HEAD_DIM],
			 float sall[PDS_HEADS])
{
#pragma HLS dataflow
	dec_stage_a(HW_NAMES(PDS_DEC_Q_PORTS, q), HW_NAMES(PDS_DEC_K_PORTS, k) TIER_A(tk), qall, keys, pf, sf);
	dec_stage_b(pf, sf, HW_NAMES(PDS_DEC_V_PORTS, v) TIER_A(tv), HW_NAMES(PDS_DEC_O_PORTS, o), keys, oall, sall);
}
#endif

void attn_decode(HW_PARAMS(PDS_DEC_Q_PORTS, const pds_half *, q), HW_PARAMS(PDS_DEC_K_PORTS, const pds_kv *, k),
		 HW_PARAMS(PDS_DEC_V_PORTS, const pds_kv *, v), HW_PARAMS(PDS_DEC_O_PORTS, pds_half *, o),
		 int keys PDS_DEC_TIER_PARAMS)
{
#define DEC_MAXI(n, N, i)                                                                                          \
	PDS_PRAGMA(HLS interface mode=m_axi port=n##i bundle=PDS_DEC_##N##i##_BUNDLE offset=slave                 \
		   max_read_burst_length=PDS_DEC_BURST num_read_outstanding=PDS_DEC_OUTSTANDING                    \
		   max_write_burst_length=PDS_DEC_BURST num_write_outstanding=PDS_DEC_OUTSTANDING                  \
		   max_widen_bitwidth=PDS_DEC_##N##i##_WIDEN_BITS)
	DEC_MAXI(q, Q, 0)
#if PDS_DEC_Q_PORTS > 1
	DEC_MAXI(q, Q, 1)
#endif
#if PDS_DEC_Q_PORTS > 2
	DEC_MAXI(q, Q, 2)
#endif
#if PDS_DEC_Q_PORTS > 3
	DEC_MAXI(q, Q, 3)
#endif
	DEC_MAXI(k, K, 0)
#if PDS_DEC_K_PORTS > 1
	DEC_MAXI(k, K, 1)
#endif
#if PDS_DEC_K_PORTS > 2
	DEC_MAXI(k, K, 2)
#endif
#if PDS_DEC_K_PORTS > 3
	DEC_MAXI(k, K, 3)
#endif
	DEC_MAXI(v, V, 0)
#if PDS_DEC_V_PORTS > 1
	DEC_MAXI(v, V, 1)
#endif
#if PDS_DEC_V_PORTS > 2
	DEC_MAXI(v, V, 2)
#endif
#if PDS_DEC_V_PORTS > 3
	DEC_MAXI(v, V, 3)
#endif
	DEC_MAXI(o, O, 0)
#if PDS_DEC_O_PORTS > 1
	DEC_MAXI(o, O, 1)
#endif
#if PDS_DEC_O_PORTS > 2
	DEC_MAXI(o, O, 2)
#endif
#if PDS_DEC_O_PORTS > 3
	DEC_MAXI(o, O, 3)
#endif
#undef DEC_MAXI
#pragma HLS interface mode=s_axilite port=keys
#pragma HLS interface mode=s_axilite port=return
#if PDS_KV_TIER_KEYS > 0
	/* the tier: on-chip memory beside (static region) or inside (decode RM) the
	 * engine, banked for the lanes' reads */
	PDS_PRAGMA(HLS interface mode=bram port=tk storage_type=ram_2p storage_impl=PDS_KV_TIER_IMPL)
	PDS_PRAGMA(HLS interface mode=bram port=tv storage_type=ram_2p storage_impl=PDS_KV_TIER_IMPL)
	PDS_PRAGMA(HLS array_partition variable=tk type=cyclic factor=PDS_KV_TIER_BANKS dim=1)
	PDS_PRAGMA(HLS array_partition variable=tv type=cyclic factor=PDS_KV_TIER_BANKS dim=1)
#pragma HLS interface mode=s_axilite port=layer
	if (layer < 0 || layer >= PDS_LAYERS)
		return;
#endif
	static float qh[PDS_HEAD_DIM], oh[PDS_HEAD_DIM];
	PDS_PRAGMA(HLS array_partition variable=qh PDS_DEC_HD_PARTITION dim=1)
	PDS_PRAGMA(HLS array_partition variable=oh PDS_DEC_HD_PARTITION dim=1)
#if PDS_DEC_Q_PRELOAD || PDS_DEC_DATAFLOW == 2
	static float qall[PDS_HEADS][PDS_HEAD_DIM];
	PDS_PRAGMA(HLS array_partition variable=qall PDS_DEC_HD_PARTITION dim=2)
#endif
#if PDS_DEC_O_AFTER_KV || PDS_DEC_DATAFLOW == 2
	static float oall[PDS_HEADS][PDS_HEAD_DIM], sall[PDS_HEADS];
	PDS_PRAGMA(HLS array_partition variable=oall PDS_DEC_HD_PARTITION dim=2)
#endif
	(void)qh;
	(void)oh;
	if (keys < 1 || keys > PDS_MAX_CONTEXT)
		return;
#if PDS_DEC_Q_PRELOAD
	/* every head's query before the K/V stream starts */
	for (int h = 0; h < PDS_HEADS; h++) {
		dec_load_q(HW_NAMES(PDS_DEC_Q_PORTS, q), h, qh);
		for (int d = 0; d < PDS_HEAD_DIM; d++) {
#pragma HLS unroll
			qall[h][d] = qh[d];
		}
	}
#endif
#if PDS_DEC_DATAFLOW == 2
	{
		/* the two stages of the head pipeline, joined by the probabilities of one head ahead */
		static float pf[PDS_DEC_SCORE_STREAM_LEN], sf[PDS_HEADS];
#pragma HLS stream variable=pf depth=PDS_DEC_SCORE_FIFO_DEPTH
#pragma HLS stream variable=sf depth=2
		dec_pipeline(HW_NAMES(PDS_DEC_Q_PORTS, q), HW_NAMES(PDS_DEC_K_PORTS, k), HW_NAMES(PDS_DEC_V_PORTS, v),
			     HW_NAMES(PDS_DEC_O_PORTS, o) TIER_AKV, qall, keys, pf, sf, oall, sall);
	}
#else
	/* DEC_HEADS */
	for (int h = 0; h < PDS_HEADS; h++) {
		const int kvh = h / (PDS_HEADS / PDS_KV_HEADS);
#if PDS_DEC_Q_PRELOAD
		for (int d = 0; d < PDS_HEAD_DIM; d++) {
#pragma HLS unroll
			qh[d] = qall[h][d];
		}
#else
		dec_load_q(HW_NAMES(PDS_DEC_Q_PORTS, q), h, qh);
#endif
#if PDS_DEC_DATAFLOW == 1
		const float sum = dec_head_kv(qh, HW_NAMES(PDS_DEC_K_PORTS, k), HW_NAMES(PDS_DEC_V_PORTS, v) TIER_AKV,
					      kvh, keys, oh);
#else
		static float sc[PDS_MAX_CONTEXT];
		PDS_PRAGMA(HLS bind_storage variable=sc type=ram_2p impl=PDS_DEC_SCORE_IMPL)
		const float mx = dec_qk(qh, HW_NAMES(PDS_DEC_K_PORTS, k) TIER_A(tk), kvh, keys, sc);
		const float sum = dec_softmax(sc, keys, mx);
		dec_sv(sc, HW_NAMES(PDS_DEC_V_PORTS, v) TIER_A(tv), kvh, keys, oh);
#endif
#if PDS_DEC_O_AFTER_KV
		for (int d = 0; d < PDS_HEAD_DIM; d++) {
#pragma HLS unroll
			oall[h][d] = oh[d];
		}
		sall[h] = sum;
#else
		dec_store_o(HW_NAMES(PDS_DEC_O_PORTS, o), h, oh, sum);
#endif
	}
#endif
#if PDS_DEC_O_AFTER_KV
	/* O of every head after the last K/V */
	for (int h = 0; h < PDS_HEADS; h++) {
		for (int d = 0; d < PDS_HEAD_DIM; d++) {
#pragma HLS unroll
			oh[d] = oall[h][d];
		}
		dec_store_o(HW_NAMES(PDS_DEC_O_PORTS, o), h, oh, sall[h]);
	}
#endif
}
