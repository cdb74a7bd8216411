/*
 * attn_prefill.c - causal prefill attention in Q blocks with online
 * softmax (the prefill RM, or the static design's prefill engine).
 *
 * Per head, the prompt of L tokens is cut into Q blocks of N_pe queries
 * from the end (reversed schedule): block b ends at e = L - b*N_pe, so
 * the partial block, if any, is the first of the sequence.  The block's
 * N_pe query rows stay resident, one per PE.  K/V stream in blocks of B
 * tokens, and only the blocks that start before e (the last query of the
 * Q block): every later key is masked for the whole Q block, so that work
 * is skipped; keys inside a streamed block past a PE's own query are
 * masked (no update) but take their cycles.  Visible tokens per Q block:
 * vis = min(B * ceil(e/B), L).
 *
 * Each K/V token costs a Q.K pass and an S.V pass of CHUNKS =
 * ceil(head_dim/lanes) cycles on the same lanes MACs of every PE.  The
 * passes run skewed in one pipelined loop, QK(0) QK(1) SV(0) QK(2) SV(1)
 * ... SV(vis-1), so the softmax step of token j (running max, rescale,
 * exp) has QK(j+1) to complete in; the loop makes 2 * vis * CHUNKS trips
 * at II 1 and pays the depth once per Q block:
 *     cycles per head = sum over blocks (2 * vis * CHUNKS) + blocks * depth,
 * engine_pre_cycles() / heads in models/engine.c.  Q loads, the K/V stream
 * and the O write-back are dataflow processes beside that loop; their
 * bytes are the model's port terms.  The K/V rows of the prompt are
 * written to the cache by the projections, not by this kernel.
 *
 * K and V are the cache's records (pds_hw.h): FP16, or int8/int4 with one
 * scale per group, dequantised in the lane as they stream (the
 * dequantiser's depth is in PDS_PRE_DEPTH; no extra trips).
 *
 * Scores, softmax and accumulation are float; Q and O are FP16.
 */
#include <math.h>

#include "attn_prefill.h"

typedef struct {
	float v[PDS_PRE_LANES];
} pre_chunk;

/* Element d of head h, token t of Q (scaled by 1/sqrt(head_dim)). */
static void pre_load_q(HW_PARAMS(PDS_PRE_Q_PORTS, const pds_half *, q), int h, int s0, int rows,
		       float qb[PDS_PRE_NPE][PDS_HEAD_DIM])
{
	const float scale = 1.0f / sqrtf((float)PDS_HEAD_DIM);
	/* PRE_QLOAD */
	for (int i = 0; i < PDS_PRE_NPE * PDS_HEAD_DIM; i++) {
#pragma HLS pipeline II=1
		const int r = i / PDS_HEAD_DIM, d = i % PDS_HEAD_DIM;
		float x = 0;
		if (r < rows) {
			int sl;
			const long at = pds_offset(PDS_Q_SLICES, PDS_HEADS, h, s0 + r, d, &sl);
			x = pds_h2f(HW_PICK(PDS_PRE_Q_PORTS, q, sl % PDS_PRE_Q_PORTS, at)) * scale;
		}
		qb[r][d] = x;
	}
}

/* Stream the K/V blocks that start before e, in chunks of LANES elements. */
static void pre_load_kv(HW_PARAMS(PDS_PRE_K_PORTS, const pds_kv *, k),
			HW_PARAMS(PDS_PRE_V_PORTS, const pds_kv *, v), int kvh, int e, int prompt,
			pre_chunk kf[PDS_PRE_KV_STREAM_LEN], pre_chunk vf[PDS_PRE_KV_STREAM_LEN])
{
	int n = 0;
	/* PRE_KV_BLOCKS */
	for (int b = 0; b * PDS_PRE_BLOCK < e; b++) {
		for (int t = 0; t < PDS_PRE_BLOCK; t++) {
			const int j = b * PDS_PRE_BLOCK + t;
			if (j >= prompt)
				break;
			HW_TRIP(pre_kv_tokens);
			for (int c = 0; c < PDS_PRE_CHUNKS; c++) {
#pragma HLS pipeline II=1
				pre_chunk kc, vc;
				for (int u = 0; u < PDS_PRE_LANES; u++) {
#pragma HLS unroll
					const int d = c * PDS_PRE_LANES + u;
					float kx = 0, vx = 0;
					if (d < PDS_HEAD_DIM) {
						const int sk = pds_kv_slice(PDS_K_SLICES, d), sv = pds_kv_slice(PDS_V_SLICES, d);
						kx = pds_kv_get(HW_PTR(PDS_PRE_K_PORTS, k, sk % PDS_PRE_K_PORTS), PDS_K_SLICES,
								PDS_KV_HEADS, kvh, j, d);
						vx = pds_kv_get(HW_PTR(PDS_PRE_V_PORTS, v, sv % PDS_PRE_V_PORTS), PDS_V_SLICES,
								PDS_KV_HEADS, kvh, j, d);
					}
					kc.v[u] = kx;
					vc.v[u] = vx;
				}
				kf[n] = kc;
				vf[n] = vc;
				n++;
			}
		}
	}
}

/* Visible K/V tokens of a Q block ending at e: the blocks that start before e. */
static int pre_visible(int e, int prompt)
{
	int vis = 0;
	for (int b = 0; b * PDS_PRE_BLOCK < e; b++) {
		const int rest = prompt - b * PDS_PRE_BLOCK;
		vis += rest < PDS_PRE_BLOCK ? rest : PDS_PRE_BLOCK;
	}
	return vis;
}

static void pre_compute(const float qb[PDS_PRE_NPE][PDS_HEAD_DIM], const pre_chunk kf[PDS_PRE_KV_STREAM_LEN],
			const pre_chunk vf[PDS_PRE_KV_STREAM_LEN], int s0, int rows, int e, int prompt,
			float ob[PDS_PRE_NPE][PDS_HEAD_DIM], float lsum[PDS_PRE_NPE])
{
	float m[PDS_PRE_NPE], l[PDS_PRE_NPE], dot[PDS_PRE_NPE], sc[2][PDS_PRE_NPE];
	float alpha[PDS_PRE_NPE], pj[PDS_PRE_NPE];
#pragma HLS array_partition variable=m type=complete dim=1
#pragma HLS array_partition variable=l type=complete dim=1
#pragma HLS array_partition variable=dot type=complete dim=1
#pragma HLS array_partition variable=sc type=complete dim=0
#pragma HLS array_partition variable=alpha type=complete dim=1
#pragma HLS array_partition variable=pj type=complete dim=1
	for (int p = 0; p < PDS_PRE_NPE; p++) {
#pragma HLS unroll
		m[p] = -1e30f;
		l[p] = 0;
		dot[p] = 0;
		alpha[p] = 1;
		pj[p] = 0;
		sc[0][p] = sc[1][p] = 0;
	}
	const int vis = pre_visible(e, prompt);
	int ph = 0, c = 0; /* phase (QK or SV of one token) and chunk */
	HW_TRIP(pre_starts);
	/* PRE_MAIN */
	for (int it = 0; it < 2 * vis * PDS_PRE_CHUNKS; it++) {
#pragma HLS pipeline II=PDS_PRE_II
#pragma HLS loop_tripcount min=2 max=PDS_PRE_TRIPS_MAX
		HW_TRIP(pre_main);
		/* QK(0), then QK(j+1) before SV(j), SV(vis-1) last */
		const int qk = ph == 0 || (ph != 2 * vis - 1 && (ph & 1));
		const int j = ph == 0 ? 0 : ph == 2 * vis - 1 ? vis - 1 : (ph & 1) ? (ph + 1) / 2 : ph / 2 - 1;
		if (qk) {
			const pre_chunk kc = kf[j * PDS_PRE_CHUNKS + c];
			for (int p = 0; p < PDS_PRE_NPE; p++) {
#pragma HLS unroll
				float s = c == 0 ? 0 : dot[p];
				for (int u = 0; u < PDS_PRE_LANES; u++) {
#pragma HLS unroll
					const int d = c * PDS_PRE_LANES + u;
					if (d < PDS_HEAD_DIM)
						s += qb[p][d] * kc.v[u];
				}
				dot[p] = s;
				if (c == PDS_PRE_CHUNKS - 1)
					sc[j & 1][p] = s;
			}
		} else {
			const pre_chunk vc = vf[j * PDS_PRE_CHUNKS + c];
			for (int p = 0; p < PDS_PRE_NPE; p++) {
#pragma HLS unroll
				if (c == 0) {
					if (p < rows && j <= s0 + p) { /* key j visible to query s0 + p */
						const float s = sc[j & 1][p], mn = s > m[p] ? s : m[p];
						alpha[p] = expf(m[p] - mn);
						pj[p] = expf(s - mn);
						l[p] = l[p] * alpha[p] + pj[p];
						m[p] = mn;
					} else {
						alpha[p] = 1;
						pj[p] = 0;
					}
				}
				for (int u = 0; u < PDS_PRE_LANES; u++) {
#pragma HLS unroll
					const int d = c * PDS_PRE_LANES + u;
					if (d < PDS_HEAD_DIM)
						ob[p][d] = (j == 0 ? 0 : ob[p][d] * alpha[p]) + pj[p] * vc.v[u];
				}
			}
		}
		if (++c == PDS_PRE_CHUNKS) {
			c = 0;
			ph++;
		}
	}
	for (int p = 0; p < PDS_PRE_NPE; p++) {
#pragma HLS unroll
		lsum[p] = l[p];
	}
}

static void pre_store_o(HW_PARAMS(PDS_PRE_O_PORTS, pds_half *, o), int h, int s0, int rows,
			const float ob[PDS_PRE_NPE][PDS_HEAD_DIM], const float lsum[PDS_PRE_NPE])
{
	/* PRE_OSTORE */
	for (int i = 0; i < PDS_PRE_NPE * PDS_HEAD_DIM; i++) {
#pragma HLS pipeline II=1
		const int r = i / PDS_HEAD_DIM, d = i % PDS_HEAD_DIM;
		if (r < rows) {
			int sl;
			const long at = pds_offset(PDS_O_SLICES, PDS_HEADS, h, s0 + r, d, &sl);
			HW_PUT(PDS_PRE_O_PORTS, o, sl % PDS_PRE_O_PORTS, at, pds_f2h(ob[r][d] / lsum[r]));
		}
	}
}

/* One Q block: rows queries s0 .. s0+rows-1 ending at e = s0 + rows. */
static void pre_block(HW_PARAMS(PDS_PRE_Q_PORTS, const pds_half *, q), HW_PARAMS(PDS_PRE_K_PORTS, const pds_kv *, k),
		      HW_PARAMS(PDS_PRE_V_PORTS, const pds_kv *, v), HW_PARAMS(PDS_PRE_O_PORTS, pds_half *, o),
		      int h, int kvh, int s0, int rows, int prompt)
{
#pragma HLS dataflow
	static float qb[PDS_PRE_NPE][PDS_HEAD_DIM];
#pragma HLS array_partition variable=qb type=complete dim=1
	PDS_PRAGMA(HLS array_partition variable=qb PDS_PRE_HD_PARTITION dim=2)
	static float ob[PDS_PRE_NPE][PDS_HEAD_DIM];
#pragma HLS array_partition variable=ob type=complete dim=1
	PDS_PRAGMA(HLS array_partition variable=ob PDS_PRE_HD_PARTITION dim=2)
	static float lsum[PDS_PRE_NPE];
#pragma HLS array_partition variable=lsum type=complete dim=1
	static pre_chunk kf[PDS_PRE_KV_STREAM_LEN], vf[PDS_PRE_KV_STREAM_LEN];
#pragma HLS stream variable=kf depth=PDS_PRE_KV_FIFO_DEPTH
#pragma HLS stream variable=vf depth=PDS_PRE_KV_FIFO_DEPTH
	pre_load_q(HW_NAMES(PDS_PRE_Q_PORTS, q), h, s0, rows, qb);
	pre_load_kv(HW_NAMES(PDS_PRE_K_PORTS, k), HW_NAMES(PDS_PRE_V_PORTS, v), kvh, s0 + rows, prompt, kf, vf);
	pre_compute(qb, kf, vf, s0, rows, s0 + rows, prompt, ob, lsum);
	pre_store_o(HW_NAMES(PDS_PRE_O_PORTS, o), h, s0, rows, ob, lsum);
}

void attn_prefill(HW_PARAMS(PDS_PRE_Q_PORTS, const pds_half *, q), HW_PARAMS(PDS_PRE_K_PORTS, const pds_kv *, k),
		  HW_PARAMS(PDS_PRE_V_PORTS, const pds_kv *, v), HW_PARAMS(PDS_PRE_O_PORTS, pds_half *, o),
		  int prompt)
{
#define PRE_MAXI(n, N, i)                                                                                          \
	PDS_PRAGMA(HLS interface mode=m_axi port=n##i bundle=PDS_PRE_##N##i##_BUNDLE offset=slave                 \
		   max_read_burst_length=PDS_PRE_BURST num_read_outstanding=PDS_PRE_OUTSTANDING                    \
		   max_write_burst_length=PDS_PRE_BURST num_write_outstanding=PDS_PRE_OUTSTANDING                  \
		   max_widen_bitwidth=PDS_PRE_##N##i##_WIDEN_BITS)
	PRE_MAXI(q, Q, 0)
#if PDS_PRE_Q_PORTS > 1
	PRE_MAXI(q, Q, 1)
#endif
#if PDS_PRE_Q_PORTS > 2
	PRE_MAXI(q, Q, 2)
#endif
#if PDS_PRE_Q_PORTS > 3
	PRE_MAXI(q, Q, 3)
#endif
	PRE_MAXI(k, K, 0)
#if PDS_PRE_K_PORTS > 1
	PRE_MAXI(k, K, 1)
#endif
#if PDS_PRE_K_PORTS > 2
	PRE_MAXI(k, K, 2)
#endif
#if PDS_PRE_K_PORTS > 3
	PRE_MAXI(k, K, 3)
#endif
	PRE_MAXI(v, V, 0)
#if PDS_PRE_V_PORTS > 1
	PRE_MAXI(v, V, 1)
#endif
#if PDS_PRE_V_PORTS > 2
	PRE_MAXI(v, V, 2)
#endif
#if PDS_PRE_V_PORTS > 3
	PRE_MAXI(v, V, 3)
#endif
	PRE_MAXI(o, O, 0)
#if PDS_PRE_O_PORTS > 1
	PRE_MAXI(o, O, 1)
#endif
#if PDS_PRE_O_PORTS > 2
	PRE_MAXI(o, O, 2)
#endif
#if PDS_PRE_O_PORTS > 3
	PRE_MAXI(o, O, 3)
#endif
#undef PRE_MAXI
#pragma HLS interface mode=s_axilite port=prompt
#pragma HLS interface mode=s_axilite port=return
	if (prompt < 1 || prompt > PDS_MAX_CONTEXT)
		return;
	/* PRE_HEADS */
	for (int h = 0; h < PDS_HEADS; h++) {
		const int kvh = h / (PDS_HEADS / PDS_KV_HEADS);
		/* PRE_QBLOCKS */
		for (int b = 0; b * PDS_PRE_NPE < prompt; b++) {
			const int e = prompt - b * PDS_PRE_NPE, s0 = e > PDS_PRE_NPE ? e - PDS_PRE_NPE : 0;
			pre_block(HW_NAMES(PDS_PRE_Q_PORTS, q), HW_NAMES(PDS_PRE_K_PORTS, k), HW_NAMES(PDS_PRE_V_PORTS, v),
				  HW_NAMES(PDS_PRE_O_PORTS, o), h, kvh, s0, e - s0, prompt);
		}
	}
}
