/*
 * attn_decode.c - one query against the K/V cache (the decode RM, or the
 * static design's decode engine).
 *
 * No Q reuse and no causal skipping: per head the kernel makes three
 * passes over the c = keys cached tokens,
 *     Q.K      c * CHUNKS cycles, lanes MACs per cycle, scores kept on chip
 *     softmax  c cycles: p_j = exp(s_j - max), their sum
 *     S.V      c * CHUNKS cycles
 * each a pipelined loop at II 1 with its own depth, CHUNKS =
 * ceil(head_dim/lanes): engine_dec_dot_cycles() and engine_dec_softmax_cycles()
 * of models/engine.c, per head.
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
 * Scores and accumulation are float; inputs and O are FP16.
 */
#include <math.h>

#include "attn_decode.h"

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

/* Q.K pass: sc[j] = q . K[j]; returns the largest score. */
static float dec_qk(const float qh[PDS_HEAD_DIM], HW_PARAMS(PDS_DEC_K_PORTS, const pds_half *, k), int kvh, int keys,
		    float sc[PDS_MAX_CONTEXT])
{
	float mx = -1e30f, dot = 0;
	int j = 0, c = 0;
	HW_TRIP(dec_qk_starts);
	/* DEC_QK */
	for (int it = 0; it < keys * PDS_DEC_CHUNKS; it++) {
#pragma HLS pipeline II=PDS_DEC_II
#pragma HLS loop_tripcount min=1 max=PDS_DEC_TRIPS_MAX
		HW_TRIP(dec_qk);
		float s = c == 0 ? 0 : dot;
		for (int u = 0; u < PDS_DEC_LANES; u++) {
#pragma HLS unroll
			const int d = c * PDS_DEC_LANES + u;
			if (d < PDS_HEAD_DIM) {
				int sl;
				const long at = pds_offset(PDS_K_SLICES, PDS_KV_HEADS, kvh, j, d, &sl);
				s += qh[d] * pds_h2f(HW_PICK(PDS_DEC_K_PORTS, k, sl % PDS_DEC_K_PORTS, at));
			}
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
static void dec_sv(const float sc[PDS_MAX_CONTEXT], HW_PARAMS(PDS_DEC_V_PORTS, const pds_half *, v), int kvh, int keys,
		   float oh[PDS_HEAD_DIM])
{
	int j = 0, c = 0;
	HW_TRIP(dec_sv_starts);
	/* DEC_SV */
	for (int it = 0; it < keys * PDS_DEC_CHUNKS; it++) {
#pragma HLS pipeline II=PDS_DEC_II
#pragma HLS loop_tripcount min=1 max=PDS_DEC_TRIPS_MAX
		HW_TRIP(dec_sv);
		for (int u = 0; u < PDS_DEC_LANES; u++) {
#pragma HLS unroll
			const int d = c * PDS_DEC_LANES + u;
			if (d < PDS_HEAD_DIM) {
				int sl;
				const long at = pds_offset(PDS_V_SLICES, PDS_KV_HEADS, kvh, j, d, &sl);
				const float x = pds_h2f(HW_PICK(PDS_DEC_V_PORTS, v, sl % PDS_DEC_V_PORTS, at));
				oh[d] = (j == 0 ? 0 : oh[d]) + sc[j] * x;
			}
		}
		if (++c == PDS_DEC_CHUNKS) {
			c = 0;
			j++;
		}
	}
}

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

void attn_decode(HW_PARAMS(PDS_DEC_Q_PORTS, const pds_half *, q), HW_PARAMS(PDS_DEC_K_PORTS, const pds_half *, k),
		 HW_PARAMS(PDS_DEC_V_PORTS, const pds_half *, v), HW_PARAMS(PDS_DEC_O_PORTS, pds_half *, o), int keys)
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
	static float sc[PDS_MAX_CONTEXT];
	PDS_PRAGMA(HLS bind_storage variable=sc type=ram_2p impl=PDS_DEC_SCORE_IMPL)
	static float qh[PDS_HEAD_DIM], oh[PDS_HEAD_DIM];
	PDS_PRAGMA(HLS array_partition variable=qh PDS_DEC_HD_PARTITION dim=1)
	PDS_PRAGMA(HLS array_partition variable=oh PDS_DEC_HD_PARTITION dim=1)
#if PDS_DEC_Q_PRELOAD
	static float qall[PDS_HEADS][PDS_HEAD_DIM];
	PDS_PRAGMA(HLS array_partition variable=qall PDS_DEC_HD_PARTITION dim=2)
#endif
#if PDS_DEC_O_AFTER_KV
	static float oall[PDS_HEADS][PDS_HEAD_DIM], sall[PDS_HEADS];
	PDS_PRAGMA(HLS array_partition variable=oall PDS_DEC_HD_PARTITION dim=2)
#endif
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
		const float mx = dec_qk(qh, HW_NAMES(PDS_DEC_K_PORTS, k), kvh, keys, sc);
		const float sum = dec_softmax(sc, keys, mx);
		dec_sv(sc, HW_NAMES(PDS_DEC_V_PORTS, v), kvh, keys, oh);
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
