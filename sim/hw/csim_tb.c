/*
 * csim_tb.c - C-simulation test bench of the sim/hw kernels for the
 * design point whose headers are on the include path.
 *
 *   csim_tb CONFIG LABEL
 *
 * Each kernel runs on seeded random data and is compared with a plain
 * reference:
 *   tlmm          bit-exact int32 against an int64 matrix product, for the
 *                 model's matrix shapes and edge shapes (K = 1, K not a
 *                 multiple of T*G, N not a multiple of Q, K_MAX x N_MAX);
 *                 the weight ports must deliver the packed index stream,
 *                 which for the model's shapes is the model's weight bytes,
 *                 and no more than one extra beat per port;
 *   attn_prefill  against causal softmax attention in double from the
 *   attn_decode   same FP16 inputs: |O - ref| <= 1e-3.  O is FP16 and
 *                 |ref| <= 1 (a convex combination of V entries in
 *                 [-1, 1]), so its rounding alone is up to 2^-12 = 2.4e-4;
 *                 float accumulation adds ~1e-6.
 * and every pipelined loop's counted trips x II + entries x depth is set
 * against the model's cycle formula for the same parameters
 * (engine_tlmm_mat_cycles, engine_pre_cycles, engine_pre_kv_tokens,
 * engine_dec_dot_cycles, engine_dec_softmax_cycles from build/libpdswap.a), with
 * tolerance 0: the kernels and the model count the same loop nests.  A
 * prefill of more tokens than one TLMM tile pays one depth per tile where
 * the model pays one per matrix; that difference is reported and held
 * under 1%.  Exit 0 when everything passes, 1 otherwise.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "models/cfg.h"
#include "models/engine.h"
#include "models/workload.h"

#include "attn_decode.h"
#include "attn_prefill.h"
#include "tlmm.h"

hw_trips_t hw_trips;

#define ATTN_TOL 1e-3
#define TILE_TOL 0.01

static const char *label = "?";
static int failures, checks;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

#define CHECK(cond, ...)                                                                                          \
	do {                                                                                                      \
		checks++;                                                                                         \
		if (!(cond)) {                                                                                    \
			failures++;                                                                               \
			fprintf(stderr, "csim %s: FAIL: ", label);                                                 \
			fprintf(stderr, __VA_ARGS__);                                                             \
			fputc('\n', stderr);                                                                      \
		}                                                                                                 \
	} while (0)

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Uniform in [-1, 1). */
static float rnd_unit(void)
{
	return (float)((double)(rnd() >> 11) / 4503599627370496.0 - 1.0);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);
	if (!p) {
		fprintf(stderr, "csim %s: out of memory\n", label);
		exit(1);
	}
	return p;
}

/* --------------------------------------------------------------- tlmm */

static int8_t x_tile[PDS_TLMM_TOK_TILE][PDS_TLMM_K_MAX];
static int32_t y_tile[PDS_TLMM_TOK_TILE][PDS_TLMM_N_MAX];

/* Pack W (k x n, row-major, values -1/0/1) into the per-port word
 * streams of tlmm.h; *bits receives the length of the index stream. */
static uint64_t **pack_weights(const int8_t *w, int k, int n, long *bits)
{
	const int groups = (k + PDS_TLMM_G - 1) / PDS_TLMM_G, kbs = (groups + PDS_TLMM_T - 1) / PDS_TLMM_T;
	const int nbs = (n + PDS_TLMM_Q - 1) / PDS_TLMM_Q;
	const long total = (long)groups * n * PDS_TLMM_IDX_BITS, words = (total + 63) / 64;
	const long beat = PDS_W_PORTS * PDS_W_WORDS_PER_BEAT;
	const long per_port = (words + beat - 1) / beat * PDS_W_WORDS_PER_BEAT;
	uint64_t *stream = xcalloc((size_t)words + 1, sizeof *stream);
	long at = 0;
	for (int kb = 0; kb < kbs; kb++)
		for (int nb = 0; nb < nbs; nb++)
			for (int t = 0; t < PDS_TLMM_T && kb * PDS_TLMM_T + t < groups; t++)
				for (int q = 0; q < PDS_TLMM_Q && nb * PDS_TLMM_Q + q < n; q++) {
					const int grp = kb * PDS_TLMM_T + t, col = nb * PDS_TLMM_Q + q;
					uint64_t idx = 0, pw = 1;
					for (int g = 0; g < PDS_TLMM_G; g++) {
						const int kk = grp * PDS_TLMM_G + g;
						idx += (uint64_t)((kk < k ? w[(long)kk * n + col] : 0) + 1) * pw;
						pw *= 3;
					}
					stream[at / 64] |= idx << (at % 64);
					if (at % 64 + PDS_TLMM_IDX_BITS > 64)
						stream[at / 64 + 1] |= idx >> (64 - at % 64);
					at += PDS_TLMM_IDX_BITS;
				}
	uint64_t **wp = xcalloc(PDS_W_PORTS, sizeof *wp);
	for (int p = 0; p < PDS_W_PORTS; p++)
		wp[p] = xcalloc((size_t)per_port, sizeof **wp);
	for (long i = 0; i < words; i++) {
		const long j = i / PDS_W_WORDS_PER_BEAT;
		wp[j % PDS_W_PORTS][j / PDS_W_PORTS * PDS_W_WORDS_PER_BEAT + i % PDS_W_WORDS_PER_BEAT] = stream[i];
	}
	free(stream);
	*bits = at;
	return wp;
}

static void free_ports(uint64_t **wp)
{
	for (int p = 0; p < PDS_W_PORTS; p++)
		free(wp[p]);
	free(wp);
}

/* One call: returns the counted cycles; checks results bit for bit. */
static long long tlmm_call(uint64_t **wp, const int8_t *w, int k, int n, int tokens, int tok0, const int8_t *xall)
{
	for (int t = 0; t < tokens; t++)
		memcpy(x_tile[t], xall + (long)(tok0 + t) * k, (size_t)k);
	memset(&hw_trips, 0, sizeof hw_trips);
	uint64_t *w0 = wp[0];
#if PDS_W_PORTS > 1
	uint64_t *w1 = wp[1];
#endif
#if PDS_W_PORTS > 2
	uint64_t *w2 = wp[2];
#endif
#if PDS_W_PORTS > 3
	uint64_t *w3 = wp[3];
#endif
	tlmm(HW_NAMES(PDS_W_PORTS, w), x_tile, y_tile, k, n, tokens);
	long bad = 0;
	for (int t = 0; t < tokens; t++)
		for (int c = 0; c < n; c++) {
			int64_t ref = 0;
			for (int kk = 0; kk < k; kk++)
				ref += (int64_t)w[(long)kk * n + c] * x_tile[t][kk];
			bad += ref != y_tile[t][c];
		}
	CHECK(bad == 0, "tlmm k=%d n=%d tokens=%d: %ld of %ld outputs differ from the reference", k, n, tokens, bad,
	      (long)tokens * n);
	return hw_trips.tlmm_main * PDS_TLMM_II + hw_trips.tlmm_starts * PDS_TLMM_DEPTH;
}

static int tlmm_cases;
static double wbytes_worst;

static void tlmm_case(const workload_t *wl, int k, int n, int tokens)
{
	int8_t *w = xcalloc((size_t)k * n, 1);
	int8_t *x = xcalloc((size_t)tokens * k, 1);
	for (long i = 0; i < (long)k * n; i++)
		w[i] = (int8_t)(rnd() % 3) - 1;
	for (long i = 0; i < (long)tokens * k; i++) {
		const uint64_t r = rnd();
		x[i] = (r & 15) == 0 ? -128 : (r & 15) == 1 ? 127 : (int8_t)(r >> 8);
	}
	long bits;
	uint64_t **wp = pack_weights(w, k, n, &bits);
	const long long cyc = tlmm_call(wp, w, k, n, tokens, 0, x);
	const long long model = tokens * engine_tlmm_mat_cycles(k, n, PDS_TLMM_T, PDS_TLMM_G, PDS_TLMM_Q) + PDS_TLMM_DEPTH;
	CHECK(cyc == model, "tlmm k=%d n=%d tokens=%d: kernel %lld cycles, model %lld", k, n, tokens, cyc, model);
	/* bytes read from the weight ports: the packed stream, rounded up to one
	 * beat on every port; for the model's shapes, the model's weight bytes */
	const double beat = 8.0 * PDS_W_PORTS * PDS_W_WORDS_PER_BEAT;
	const double read = hw_trips.tlmm_reads * beat, packed = bits / 8.0;
	CHECK(read >= packed && read < packed + beat,
	      "tlmm k=%d n=%d: read %.0f weight bytes for a %.1f-byte stream", k, n, read, packed);
	const long rows = engine_tlmm_mat_cycles(k, n, PDS_TLMM_T, PDS_TLMM_G, PDS_TLMM_Q);
	CHECK(hw_trips.tlmm_reads + rows <= PDS_W_LOAD_TRIPS_MAX && hw_trips.tlmm_main <= PDS_TLMM_TRIPS_MAX,
	      "tlmm k=%d n=%d: loops ran past their loop_tripcount bounds", k, n);
	for (int i = 0; i < wl->n_mats; i++)
		if (wl->mat[i].k == k && wl->mat[i].n == n) {
			CHECK(packed == wl->mat[i].bytes, "tlmm %s: %.1f packed bytes, model %.1f", wl->mat[i].name,
			      packed, wl->mat[i].bytes);
			wbytes_worst = read / wl->mat[i].bytes > wbytes_worst ? read / wl->mat[i].bytes : wbytes_worst;
		}
	tlmm_cases++;
	free_ports(wp);
	free(w);
	free(x);
}

/* A prompt longer than a tile, in tiles: cycles against the model's one pass. */
static double tlmm_tiles(const workload_t *wl, const design_t *d, int m)
{
	const int k = wl->mat[m].k, n = wl->mat[m].n, L = 2 * PDS_TLMM_TOK_TILE + 1;
	int8_t *w = xcalloc((size_t)k * n, 1);
	int8_t *x = xcalloc((size_t)L * k, 1);
	for (long i = 0; i < (long)k * n; i++)
		w[i] = (int8_t)(rnd() % 3) - 1;
	for (long i = 0; i < (long)L * k; i++)
		x[i] = (int8_t)rnd();
	long bits;
	uint64_t **wp = pack_weights(w, k, n, &bits);
	long long cyc = 0;
	for (int t0 = 0; t0 < L; t0 += PDS_TLMM_TOK_TILE) {
		const int nt = L - t0 < PDS_TLMM_TOK_TILE ? L - t0 : PDS_TLMM_TOK_TILE;
		cyc += tlmm_call(wp, w, k, n, nt, t0, x);
	}
	const long long model = engine_tlmm_cycles(wl, d, L, m, m + 1, PDS_TLMM_DEPTH);
	const double rel = (double)(cyc - model) / (double)model;
	CHECK(cyc >= model && rel <= TILE_TOL, "tlmm %d tokens in tiles of %d: kernel %lld cycles, model %lld (%.3f%%)",
	      L, PDS_TLMM_TOK_TILE, cyc, model, 100 * rel);
	free_ports(wp);
	free(w);
	free(x);
	return rel;
}

/* ---------------------------------------------------------- attention */

typedef struct {
	pds_half *q, *k, *v, *o;
} attn_bufs;

static size_t tensor_len(int heads)
{
	return (size_t)heads * PDS_MAX_CONTEXT * PDS_HEAD_DIM;
}

/* Fill tokens < n of every head of one tensor with FP16 values in [-a, a). */
static void fill(pds_half *t, int slices, int heads, int n, float a)
{
	for (int h = 0; h < heads; h++)
		for (int j = 0; j < n; j++)
			for (int d = 0; d < PDS_HEAD_DIM; d++) {
				int sl;
				t[pds_offset(slices, heads, h, j, d, &sl)] = pds_f2h(a * rnd_unit());
			}
}

static double at(const pds_half *t, int slices, int heads, int h, int j, int d)
{
	int sl;
	return pds_h2f(t[pds_offset(slices, heads, h, j, d, &sl)]);
}

/* Softmax attention of query row qi of head h against keys [0, nk). */
static double attn_ref(const attn_bufs *b, int h, int qi, int nk, double *out)
{
	const int kvh = h / (PDS_HEADS / PDS_KV_HEADS);
	double *s = xcalloc((size_t)nk, sizeof *s), mx = -1e300, sum = 0, worst = 0;
	for (int j = 0; j < nk; j++) {
		double dot = 0;
		for (int d = 0; d < PDS_HEAD_DIM; d++)
			dot += at(b->q, PDS_Q_SLICES, PDS_HEADS, h, qi, d) * at(b->k, PDS_K_SLICES, PDS_KV_HEADS, kvh, j, d);
		s[j] = dot / sqrt((double)PDS_HEAD_DIM);
		mx = s[j] > mx ? s[j] : mx;
	}
	for (int j = 0; j < nk; j++)
		sum += s[j] = exp(s[j] - mx);
	for (int d = 0; d < PDS_HEAD_DIM; d++) {
		double o = 0;
		for (int j = 0; j < nk; j++)
			o += s[j] * at(b->v, PDS_V_SLICES, PDS_KV_HEADS, kvh, j, d);
		out[d] = o / sum;
		worst = fabs(out[d]) > worst ? fabs(out[d]) : worst;
	}
	free(s);
	return worst;
}

static double attn_err(const attn_bufs *b, int h, int qi, int orow, int nk)
{
	double ref[PDS_HEAD_DIM], e = 0;
	attn_ref(b, h, qi, nk, ref);
	for (int d = 0; d < PDS_HEAD_DIM; d++) {
		const double x = at(b->o, PDS_O_SLICES, PDS_HEADS, h, orow, d), diff = fabs(x - ref[d]);
		e = diff > e || isnan(diff) ? diff : e;
	}
	return e;
}

static int pre_cases, dec_cases;
static double pre_err, dec_err;

static void prefill_case(const attn_bufs *b, const workload_t *wl, int L)
{
	fill(b->q, PDS_Q_SLICES, PDS_HEADS, L, 2.0f);
	fill(b->k, PDS_K_SLICES, PDS_KV_HEADS, L, 1.0f);
	fill(b->v, PDS_V_SLICES, PDS_KV_HEADS, L, 1.0f);
	memset(b->o, 0xff, tensor_len(PDS_HEADS) * sizeof *b->o); /* NaN: an unwritten O fails */
	memset(&hw_trips, 0, sizeof hw_trips);
	attn_prefill(HW_ARGS(PDS_PRE_Q_PORTS, b->q), HW_ARGS(PDS_PRE_K_PORTS, b->k), HW_ARGS(PDS_PRE_V_PORTS, b->v),
		     HW_ARGS(PDS_PRE_O_PORTS, b->o), L);
	double e = 0;
	for (int h = 0; h < PDS_HEADS; h++)
		for (int i = 0; i < L; i++) {
			const double x = attn_err(b, h, i, i, i + 1);
			e = x > e || isnan(x) ? x : e;
		}
	CHECK(e <= ATTN_TOL, "attn_prefill L=%d: max |O - ref| = %.3g > %.0e", L, e, ATTN_TOL);
	pre_err = e > pre_err || isnan(e) ? e : pre_err;
	const long long cyc = hw_trips.pre_main * PDS_PRE_II + hw_trips.pre_starts * PDS_PRE_DEPTH;
	const long long model = engine_pre_cycles(wl, L, PDS_PRE_NPE, PDS_PRE_LANES, PDS_PRE_BLOCK, PDS_PRE_DEPTH, false);
	CHECK(cyc == model, "attn_prefill L=%d: kernel %lld cycles, model %lld", L, cyc, model);
	const long long kv = (long long)PDS_HEADS * engine_pre_kv_tokens(L, PDS_PRE_NPE, PDS_PRE_BLOCK, false);
	CHECK(hw_trips.pre_kv_tokens == kv, "attn_prefill L=%d: streamed %lld K/V tokens, model %lld", L,
	      hw_trips.pre_kv_tokens, kv);
	pre_cases++;
}

static void decode_case(const attn_bufs *b, const workload_t *wl, int keys)
{
	fill(b->q, PDS_Q_SLICES, PDS_HEADS, 1, 2.0f);
	fill(b->k, PDS_K_SLICES, PDS_KV_HEADS, keys, 1.0f);
	fill(b->v, PDS_V_SLICES, PDS_KV_HEADS, keys, 1.0f);
	memset(b->o, 0xff, tensor_len(PDS_HEADS) * sizeof *b->o);
	memset(&hw_trips, 0, sizeof hw_trips);
	attn_decode(HW_ARGS(PDS_DEC_Q_PORTS, b->q), HW_ARGS(PDS_DEC_K_PORTS, b->k), HW_ARGS(PDS_DEC_V_PORTS, b->v),
		    HW_ARGS(PDS_DEC_O_PORTS, b->o), keys);
	double e = 0;
	for (int h = 0; h < PDS_HEADS; h++) {
		const double x = attn_err(b, h, 0, 0, keys);
		e = x > e || isnan(x) ? x : e;
	}
	CHECK(e <= ATTN_TOL, "attn_decode keys=%d: max |O - ref| = %.3g > %.0e", keys, e, ATTN_TOL);
	dec_err = e > dec_err || isnan(e) ? e : dec_err;
	const long long dot = engine_dec_dot_cycles(wl, keys, PDS_DEC_LANES, PDS_DEC_DEPTH);
	const long long smm = engine_dec_softmax_cycles(wl, keys, PDS_DEC_DEPTH);
	const long long model = engine_dec_cycles(wl, keys, PDS_DEC_LANES, PDS_DEC_DEPTH, (dataflow_t)PDS_DEC_DATAFLOW);
#if PDS_DEC_DATAFLOW == 1
	(void)dot;
	(void)smm;
	/* one pass per head; the reader streams each key's K and V chunks beside it */
	const long long kv = hw_trips.dec_kv * PDS_DEC_II + hw_trips.dec_kv_starts * PDS_DEC_DEPTH;
	CHECK(kv == model, "attn_decode keys=%d: K/V pass %lld cycles, model %lld", keys, kv, model);
	CHECK(kv == engine_dec_kv_cycles(wl, keys, PDS_DEC_LANES, PDS_DEC_DEPTH),
	      "attn_decode keys=%d: K/V pass %lld cycles, engine_dec_kv_cycles %lld", keys, kv,
	      (long long)engine_dec_kv_cycles(wl, keys, PDS_DEC_LANES, PDS_DEC_DEPTH));
	CHECK(hw_trips.dec_kvread == (long long)PDS_HEADS * keys * PDS_DEC_CHUNKS && hw_trips.dec_kvread_starts == PDS_HEADS,
	      "attn_decode keys=%d: the reader made %lld trips in %lld entries, want %lld in %d", keys,
	      hw_trips.dec_kvread, hw_trips.dec_kvread_starts, (long long)PDS_HEADS * keys * PDS_DEC_CHUNKS, PDS_HEADS);
	CHECK(hw_trips.dec_qk == 0 && hw_trips.dec_sm == 0 && hw_trips.dec_sv == 0,
	      "attn_decode keys=%d: separate passes ran in the one-pass dataflow", keys);
#else
	const long long qk = hw_trips.dec_qk * PDS_DEC_II + hw_trips.dec_qk_starts * PDS_DEC_DEPTH;
	const long long sm = hw_trips.dec_sm * PDS_DEC_II + hw_trips.dec_sm_starts * PDS_DEC_DEPTH;
	const long long sv = hw_trips.dec_sv * PDS_DEC_II + hw_trips.dec_sv_starts * PDS_DEC_DEPTH;
	CHECK(qk == dot, "attn_decode keys=%d: Q.K pass %lld cycles, model %lld", keys, qk, dot);
	CHECK(sm == smm, "attn_decode keys=%d: softmax pass %lld cycles, model %lld", keys, sm, smm);
	CHECK(sv == dot, "attn_decode keys=%d: S.V pass %lld cycles, model %lld", keys, sv, dot);
#if PDS_DEC_DATAFLOW == 0
	CHECK(qk + sm + sv == model, "attn_decode keys=%d: %lld cycles, model %lld", keys, qk + sm + sv, model);
#else
	/* the two stages of the head pipeline, each head alike: stage A (Q.K and softmax) and
	 * stage B (S.V) per head from the counted trips and entries, then the pipeline */
	CHECK(hw_trips.dec_qk_starts == PDS_HEADS && hw_trips.dec_sm_starts == PDS_HEADS &&
		      hw_trips.dec_sv_starts == PDS_HEADS,
	      "attn_decode keys=%d: %lld/%lld/%lld entries into the passes, want %d each", keys, hw_trips.dec_qk_starts,
	      hw_trips.dec_sm_starts, hw_trips.dec_sv_starts, PDS_HEADS);
	const long long a = (qk + sm) / PDS_HEADS, bb = sv / PDS_HEADS;
	const long long pipe = a + (long long)(PDS_HEADS - 1) * (a > bb ? a : bb) + bb;
	CHECK(pipe == model, "attn_decode keys=%d: head pipeline %lld cycles (A %lld, B %lld), model %lld", keys, pipe, a,
	      bb, model);
#endif
#endif
	dec_cases++;
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: csim_tb CONFIG LABEL\n");
		return 2;
	}
	label = argv[2];
	cfg_t c;
	char err[1024];
	if (config_load(&c, argv[1], err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	workload_t wl;
	workload_init(&wl, &c.model);

	/* the headers were emitted from this config */
	CHECK(PDS_HEADS == c.model.heads && PDS_KV_HEADS == c.model.kv_heads && PDS_HEAD_DIM == c.model.head_dim &&
		      PDS_MAX_CONTEXT == c.model.max_context && PDS_TLMM_G == c.model.weight_group &&
		      PDS_TLMM_IDX_BITS == c.model.weight_index_bits,
	      "headers do not describe the model of %s", argv[1]);
	CHECK(PDS_TLMM_DEPTH == llround(c.cal.tlmm_depth.value) && PDS_PRE_DEPTH == llround(c.cal.attn_depth.value) &&
		      PDS_DEC_DEPTH == llround(c.cal.attn_depth.value),
	      "header pipeline depths differ from the calibration of %s", argv[1]);
	if (failures) {
		cfg_release(&c);
		return 1;
	}

	/* tlmm: every distinct matrix shape, one token and a full tile */
	for (int i = 0; i < wl.n_mats; i++) {
		bool seen = false;
		for (int j = 0; j < i; j++)
			seen |= wl.mat[j].k == wl.mat[i].k && wl.mat[j].n == wl.mat[i].n;
		if (seen)
			continue;
		tlmm_case(&wl, wl.mat[i].k, wl.mat[i].n, 1);
		tlmm_case(&wl, wl.mat[i].k, wl.mat[i].n, PDS_TLMM_TOK_TILE);
	}
	const int tg = PDS_TLMM_T * PDS_TLMM_G;
	tlmm_case(&wl, 1, PDS_TLMM_N_MIN, 1);
	tlmm_case(&wl, tg + 1 <= PDS_TLMM_K_MAX ? tg + 1 : PDS_TLMM_K_MAX, PDS_TLMM_N_MIN + 1, 2);
	tlmm_case(&wl, PDS_TLMM_K_MAX, PDS_TLMM_N_MAX, 1);
	design_t d;
	memset(&d, 0, sizeof d);
	d.tlmm_tables = PDS_TLMM_T;
	d.tlmm_lanes = PDS_TLMM_Q;
	const double tile_rel = tlmm_tiles(&wl, &d, 0);

	/* attention: prompts around N_pe and the K/V block, and a longer one */
	attn_bufs b = {xcalloc(tensor_len(PDS_HEADS), 2), xcalloc(tensor_len(PDS_KV_HEADS), 2),
		       xcalloc(tensor_len(PDS_KV_HEADS), 2), xcalloc(tensor_len(PDS_HEADS), 2)};
	const int pre_L[] = {1, PDS_PRE_NPE - 1, PDS_PRE_NPE, PDS_PRE_NPE + 1, 2 * PDS_PRE_BLOCK + 3, 37, 128};
	/* a module of a set (pds_rmK.h) is tested on the engines it holds */
#if defined(PDS_RM_INDEX)
	const bool has_pre = PDS_RM_HAS_PREFILL, has_dec = PDS_RM_HAS_DECODE;
	char rm[64];
	snprintf(rm, sizeof rm, " (module %d of %d: %s%s%s)", PDS_RM_INDEX, PDS_RM_COUNT, has_pre ? "prefill" : "",
		 has_pre && has_dec ? " + " : "", has_dec ? "decode" : "");
#else
	const bool has_pre = true, has_dec = true;
	const char *rm = "";
#endif
	for (size_t i = 0; has_pre && i < sizeof pre_L / sizeof pre_L[0]; i++)
		if (pre_L[i] >= 1 && pre_L[i] <= PDS_MAX_CONTEXT)
			prefill_case(&b, &wl, pre_L[i]);
	const int dec_keys[] = {1, 7, 64, 300, PDS_MAX_CONTEXT};
	for (size_t i = 0; has_dec && i < sizeof dec_keys / sizeof dec_keys[0]; i++)
		decode_case(&b, &wl, dec_keys[i]);
	free(b.q);
	free(b.k);
	free(b.v);
	free(b.o);
	cfg_release(&c);

	if (failures) {
		fprintf(stderr, "csim %s: %d of %d checks failed\n", label, failures, checks);
		return 1;
	}
	printf("csim %s%s: %d checks passed: tlmm %d cases bit-exact, weight bytes read at most %.6f x model; "
	       "attn_prefill %d cases max err %.2g, attn_decode (%s) %d cases max err %.2g (tol %.0e); "
	       "cycles equal to the model; tiled prefill +%.3f%%\n",
	       label, rm, checks, tlmm_cases, wbytes_worst, pre_cases, pre_err,
	       has_dec ? dataflow_names[PDS_DEC_DATAFLOW] : "not in the module", dec_cases, dec_err, ATTN_TOL, 100 * tile_rel);
	return 0;
}
