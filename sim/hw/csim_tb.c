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
 *   attn_decode   same inputs: |O - ref| <= 1e-3.  O is FP16 and |ref| <= 1
 *                 (a convex combination of V entries in [-1, 1]), so its
 *                 rounding alone is up to 2^-12 = 2.4e-4; float
 *                 accumulation adds ~1e-6.  The inputs are the cache's
 *                 K/V: FP16, or int8/int4 quantised from FP16 values with
 *                 one scale per group (the reference dequantises the same
 *                 integers and scales); against the FP16 values they came
 *                 from the kernels' error is reported (what quantisation
 *                 adds; not a prediction of model accuracy).  With an
 *                 on-chip tier, the keys the tier holds are copied into it
 *                 and their DDR records poisoned (NaN), and the head rows
 *                 read from DDR and from the tier must be the model's
 *                 (kvcache_onchip_keys); a context the tier holds whole
 *                 reads nothing from DDR.
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
#include "models/kvcache.h"
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

/*
 * Q and O are FP16 tensors; K and V the cache's records (pds_hw.h), and
 * beside them the FP16 values they were quantised from (k16, v16: the FP16
 * path).  tk, tv: the on-chip tier's records.
 */
typedef struct {
	pds_half *q, *o;
	pds_kv *k, *v;
	pds_half *k16, *v16;
	pds_kv *tk, *tv;
} attn_bufs;

static size_t tensor_len(int heads)
{
	return (size_t)heads * PDS_MAX_CONTEXT * PDS_HEAD_DIM;
}

/* Units of pds_kv of a K or V tensor of `slices` slices. */
static size_t kv_len(int slices)
{
	return (size_t)slices * PDS_KV_HEADS * PDS_MAX_CONTEXT * (size_t)pds_kv_rec_units(PDS_HEAD_DIM / slices);
}

#define KV_QMAX (PDS_KV_BITS == 8 ? 127 : 7)

#if PDS_KV_BITS != 16
static void put_scale(uint8_t *p, float s)
{
#if PDS_KV_SCALE_BYTES == 4
	uint32_t u;
	memcpy(&u, &s, sizeof u);
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(u >> (8 * i));
#else
	const pds_half h = pds_f2h(s);
	p[0] = (uint8_t)(h & 0xff);
	p[1] = (uint8_t)(h >> 8);
#endif
}

#if PDS_KV_TIER_KEYS > 0
/* Integer e of a record, raw. */
static int raw_get(const pds_kv *rec, int e)
{
#if PDS_KV_BITS == 8
	return (int8_t)rec[e];
#else
	const int nib = (e & 1) ? rec[e / 2] >> 4 : rec[e / 2] & 15;
	return nib >= 8 ? nib - 16 : nib;
#endif
}
#endif

static void raw_put(pds_kv *rec, int e, int q)
{
#if PDS_KV_BITS == 8
	rec[e] = (uint8_t)(int8_t)q;
#else
	const uint8_t nib = (uint8_t)(q & 15);
	rec[e / 2] = (e & 1) ? (uint8_t)((rec[e / 2] & 0x0f) | nib << 4) : (uint8_t)((rec[e / 2] & 0xf0) | nib);
#endif
}
#endif

/*
 * Quantise a record of `elems` FP16 values x into rec: per group, the scale
 * max|x| / QMAX as stored (FP16 or FP32), then q = round(x / scale) within
 * [-QMAX, QMAX] (symmetric); an FP16 cache copies the values.
 */
static void quantise(pds_kv *rec, const pds_half *x, int elems)
{
#if PDS_KV_BITS == 16
	memcpy(rec, x, (size_t)elems * sizeof *rec);
#else
	uint8_t *sc = rec + (long)elems * PDS_KV_BITS / 8;
	for (int g = 0; g < elems / PDS_KV_GROUP; g++) {
		float mx = 0;
		for (int e = g * PDS_KV_GROUP; e < (g + 1) * PDS_KV_GROUP; e++)
			mx = fabsf(pds_h2f(x[e])) > mx ? fabsf(pds_h2f(x[e])) : mx;
		put_scale(sc + (long)g * PDS_KV_SCALE_BYTES, mx / KV_QMAX);
		const float s = pds_kv_scale(sc + (long)g * PDS_KV_SCALE_BYTES);
		for (int e = g * PDS_KV_GROUP; e < (g + 1) * PDS_KV_GROUP; e++) {
			long q = s > 0 ? lroundf(pds_h2f(x[e]) / s) : 0;
			raw_put(rec, e, (int)(q > KV_QMAX ? KV_QMAX : q < -KV_QMAX ? -KV_QMAX : q));
		}
	}
#endif
}

/* Fill tokens < n of every head of an FP16 tensor with values in [-a, a). */
static void fill(pds_half *t, int slices, int heads, int n, float a)
{
	for (int h = 0; h < heads; h++)
		for (int j = 0; j < n; j++)
			for (int d = 0; d < PDS_HEAD_DIM; d++) {
				int sl;
				t[pds_offset(slices, heads, h, j, d, &sl)] = pds_f2h(a * rnd_unit());
			}
}

/* K or V: FP16 values in [-1, 1) for tokens < n, and their records. */
static void fill_kv(pds_kv *t, pds_half *t16, int slices, int n)
{
	fill(t16, slices, PDS_KV_HEADS, n, 1.0f);
	const int piece = PDS_HEAD_DIM / slices;
	for (int s = 0; s < slices; s++)
		for (int h = 0; h < PDS_KV_HEADS; h++)
			for (int j = 0; j < n; j++) {
				int sl;
				quantise(t + pds_kv_rec_at(slices, PDS_KV_HEADS, s, h, j),
					 t16 + pds_offset(slices, PDS_KV_HEADS, h, j, s * piece, &sl), piece);
			}
}

static double at(const pds_half *t, int slices, int heads, int h, int j, int d)
{
	int sl;
	return pds_h2f(t[pds_offset(slices, heads, h, j, d, &sl)]);
}

/* K or V element as the cache holds it (dequantised), or the FP16 value it came from. */
static double kv_at(const attn_bufs *b, bool vt, bool fp16_path, int h, int j, int d)
{
	const int slices = vt ? PDS_V_SLICES : PDS_K_SLICES;
	if (fp16_path)
		return at(vt ? b->v16 : b->k16, slices, PDS_KV_HEADS, h, j, d);
	return pds_kv_get(vt ? b->v : b->k, slices, PDS_KV_HEADS, h, j, d);
}

/* Softmax attention in double of query row qi of head h against keys [0, nk), from the
 * cache's K/V (fp16_path: from the FP16 values they were quantised from). */
static double attn_ref(const attn_bufs *b, int h, int qi, int nk, bool fp16_path, double *out)
{
	const int kvh = h / (PDS_HEADS / PDS_KV_HEADS);
	double *s = xcalloc((size_t)nk, sizeof *s), mx = -1e300, sum = 0, worst = 0;
	for (int j = 0; j < nk; j++) {
		double dot = 0;
		for (int d = 0; d < PDS_HEAD_DIM; d++)
			dot += at(b->q, PDS_Q_SLICES, PDS_HEADS, h, qi, d) * kv_at(b, false, fp16_path, kvh, j, d);
		s[j] = dot / sqrt((double)PDS_HEAD_DIM);
		mx = s[j] > mx ? s[j] : mx;
	}
	for (int j = 0; j < nk; j++)
		sum += s[j] = exp(s[j] - mx);
	for (int d = 0; d < PDS_HEAD_DIM; d++) {
		double o = 0;
		for (int j = 0; j < nk; j++)
			o += s[j] * kv_at(b, true, fp16_path, kvh, j, d);
		out[d] = o / sum;
		worst = fabs(out[d]) > worst ? fabs(out[d]) : worst;
	}
	free(s);
	return worst;
}

static double attn_err(const attn_bufs *b, int h, int qi, int orow, int nk, bool fp16_path)
{
	double ref[PDS_HEAD_DIM], e = 0;
	attn_ref(b, h, qi, nk, fp16_path, ref);
	for (int d = 0; d < PDS_HEAD_DIM; d++) {
		const double x = at(b->o, PDS_O_SLICES, PDS_HEADS, h, orow, d), diff = fabs(x - ref[d]);
		e = diff > e || isnan(diff) ? diff : e;
	}
	return e;
}

static int pre_cases, dec_cases;
static double pre_err, dec_err, pre_qerr, dec_qerr; /* against the cache's K/V, against the FP16 path */

static void prefill_case(const attn_bufs *b, const workload_t *wl, int L)
{
	fill(b->q, PDS_Q_SLICES, PDS_HEADS, L, 2.0f);
	fill_kv(b->k, b->k16, PDS_K_SLICES, L);
	fill_kv(b->v, b->v16, PDS_V_SLICES, L);
	memset(b->o, 0xff, tensor_len(PDS_HEADS) * sizeof *b->o); /* NaN: an unwritten O fails */
	memset(&hw_trips, 0, sizeof hw_trips);
	attn_prefill(HW_ARGS(PDS_PRE_Q_PORTS, b->q), HW_ARGS(PDS_PRE_K_PORTS, b->k), HW_ARGS(PDS_PRE_V_PORTS, b->v),
		     HW_ARGS(PDS_PRE_O_PORTS, b->o), L);
	double e = 0, eq = 0;
	for (int h = 0; h < PDS_HEADS; h++)
		for (int i = 0; i < L; i++) {
			const double x = attn_err(b, h, i, i, i + 1, false), y = attn_err(b, h, i, i, i + 1, true);
			e = x > e || isnan(x) ? x : e;
			eq = y > eq || isnan(y) ? y : eq;
		}
	CHECK(e <= ATTN_TOL, "attn_prefill L=%d: max |O - ref| = %.3g > %.0e", L, e, ATTN_TOL);
	pre_err = e > pre_err || isnan(e) ? e : pre_err;
	pre_qerr = eq > pre_qerr || isnan(eq) ? eq : pre_qerr;
	const long long cyc = hw_trips.pre_main * PDS_PRE_II + hw_trips.pre_starts * PDS_PRE_DEPTH;
	const long long model = engine_pre_cycles(wl, L, PDS_PRE_NPE, PDS_PRE_LANES, PDS_PRE_BLOCK, PDS_PRE_DEPTH, false);
	CHECK(cyc == model, "attn_prefill L=%d: kernel %lld cycles, model %lld", L, cyc, model);
	const long long kv = (long long)PDS_HEADS * engine_pre_kv_tokens(L, PDS_PRE_NPE, PDS_PRE_BLOCK, false);
	CHECK(hw_trips.pre_kv_tokens == kv, "attn_prefill L=%d: streamed %lld K/V tokens, model %lld", L,
	      hw_trips.pre_kv_tokens, kv);
	pre_cases++;
}

#if PDS_KV_TIER_KEYS > 0
/* The tier's records of `layer` for the keys it holds at `keys` keys, copied from the DDR records
 * (the same integers and scales); then those DDR records are poisoned (NaN), so a key the
 * kernel reads from DDR instead of the tier shows in O. */
static void tier_fill(const attn_bufs *b, int layer, int keys)
{
	for (int vt = 0; vt < 2; vt++) {
		pds_kv *t = vt ? b->v : b->k, *tier = vt ? b->tv : b->tk;
		const int slices = vt ? PDS_V_SLICES : PDS_K_SLICES, piece = PDS_HEAD_DIM / slices;
		for (int j = 0; j < keys; j++) {
			const int slot = pds_tier_slot(j, keys);
			if (slot < 0)
				continue;
			for (int h = 0; h < PDS_KV_HEADS; h++) {
				pds_kv *row = tier + pds_tier_at(layer, slot, h);
				for (int s = 0; s < slices; s++) {
					const pds_kv *rec = t + pds_kv_rec_at(slices, PDS_KV_HEADS, s, h, j);
#if PDS_KV_BITS == 16
					memcpy(row + s * piece, rec, (size_t)piece * sizeof *row);
#else
					for (int e = 0; e < piece; e++)
						raw_put(row, s * piece + e, raw_get(rec, e));
					memcpy(row + (long)PDS_HEAD_DIM * PDS_KV_BITS / 8 + (long)(s * piece / PDS_KV_GROUP) * PDS_KV_SCALE_BYTES,
					       rec + (long)piece * PDS_KV_BITS / 8,
					       (size_t)(piece / PDS_KV_GROUP) * PDS_KV_SCALE_BYTES);
#endif
				}
			}
		}
	}
}

static void ddr_poison(const attn_bufs *b, int keys)
{
	for (int vt = 0; vt < 2; vt++) {
		pds_kv *t = vt ? b->v : b->k;
		const int slices = vt ? PDS_V_SLICES : PDS_K_SLICES;
		for (int j = 0; j < keys; j++)
			if (pds_tier_slot(j, keys) >= 0)
				for (int h = 0; h < PDS_KV_HEADS; h++)
					for (int s = 0; s < slices; s++)
						memset(t + pds_kv_rec_at(slices, PDS_KV_HEADS, s, h, j), 0xff,
						       (size_t)pds_kv_rec_units(PDS_HEAD_DIM / slices) * sizeof *t);
	}
}
#endif

/* The design the decode kernel's headers describe, as far as the tier is concerned. */
static design_t hdr_design(void)
{
	design_t d;
	memset(&d, 0, sizeof d);
	d.kv_prec = (kv_prec_t)PDS_KV_PREC;
	d.kv_tier = (kv_tier_t)PDS_KV_TIER;
	d.kv_window = PDS_KV_WINDOW;
	d.kv_sinks = PDS_KV_SINKS;
	d.dec_lanes = PDS_DEC_LANES;
	d.dec_dataflow = (dataflow_t)PDS_DEC_DATAFLOW;
	return d;
}

static void decode_case(const attn_bufs *b, const workload_t *wl, int keys, int layer)
{
	fill(b->q, PDS_Q_SLICES, PDS_HEADS, 1, 2.0f);
	fill_kv(b->k, b->k16, PDS_K_SLICES, keys);
	fill_kv(b->v, b->v16, PDS_V_SLICES, keys);
	/* the reference reads the cache before the tier's DDR copies are poisoned */
	double ref[PDS_HEADS][PDS_HEAD_DIM], ref16[PDS_HEADS][PDS_HEAD_DIM];
	for (int h = 0; h < PDS_HEADS; h++) {
		attn_ref(b, h, 0, keys, false, ref[h]);
		attn_ref(b, h, 0, keys, true, ref16[h]);
	}
#if PDS_KV_TIER_KEYS > 0
	tier_fill(b, layer, keys);
	ddr_poison(b, keys);
#else
	(void)layer;
#endif
	memset(b->o, 0xff, tensor_len(PDS_HEADS) * sizeof *b->o);
	memset(&hw_trips, 0, sizeof hw_trips);
	attn_decode(HW_ARGS(PDS_DEC_Q_PORTS, b->q), HW_ARGS(PDS_DEC_K_PORTS, b->k), HW_ARGS(PDS_DEC_V_PORTS, b->v),
		    HW_ARGS(PDS_DEC_O_PORTS, b->o), keys
#if PDS_KV_TIER_KEYS > 0
		    , b->tk, b->tv, layer
#endif
	);
	double e = 0, eq = 0;
	for (int h = 0; h < PDS_HEADS; h++)
		for (int d = 0; d < PDS_HEAD_DIM; d++) {
			const double x = at(b->o, PDS_O_SLICES, PDS_HEADS, h, 0, d);
			const double a = fabs(x - ref[h][d]), q = fabs(x - ref16[h][d]);
			e = a > e || isnan(a) ? a : e;
			eq = q > eq || isnan(q) ? q : eq;
		}
	CHECK(e <= ATTN_TOL, "attn_decode keys=%d: max |O - ref| = %.3g > %.0e", keys, e, ATTN_TOL);
	dec_err = e > dec_err || isnan(e) ? e : dec_err;
	dec_qerr = eq > dec_qerr || isnan(eq) ? eq : dec_qerr;
	/* the rows read from DDR and from the tier are the model's */
	const design_t hd = hdr_design();
	const long long on = kvcache_onchip_keys(&hd, keys);
	CHECK(hw_trips.dec_rows_tier == 2LL * PDS_HEADS * on && hw_trips.dec_rows_ddr == 2LL * PDS_HEADS * (keys - on),
	      "attn_decode keys=%d: %lld head rows from the tier and %lld from DDR, model %lld and %lld", keys,
	      hw_trips.dec_rows_tier, hw_trips.dec_rows_ddr, 2LL * PDS_HEADS * on, 2LL * PDS_HEADS * (keys - on));
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
	const design_t hd = hdr_design();
	CHECK(PDS_TLMM_DEPTH == llround(c.cal.tlmm_depth.value) && PDS_PRE_DEPTH == engine_attn_depth(&c, &hd) &&
		      PDS_DEC_DEPTH == engine_attn_depth(&c, &hd),
	      "header pipeline depths differ from the calibration of %s", argv[1]);
	/* the records the kernels read hold the model's K/V bytes */
	CHECK(kvcache_key_bytes(&c, hd.kv_prec) ==
		      (int64_t)PDS_KV_HEADS * PDS_K_SLICES * PDS_K_REC * (int64_t)sizeof(pds_kv) &&
		      kvcache_key_bytes(&c, hd.kv_prec) ==
			      (int64_t)PDS_KV_HEADS * PDS_V_SLICES * PDS_V_REC * (int64_t)sizeof(pds_kv) &&
		      PDS_KV_KEY_BYTES == kvcache_key_bytes(&c, hd.kv_prec),
	      "K/V records of %d + %d units do not hold the model's %lld bytes per key and layer", PDS_K_REC, PDS_V_REC,
	      (long long)kvcache_key_bytes(&c, hd.kv_prec));
	CHECK(PDS_KV_TIER_KEYS == kvcache_tier_keys(&hd) && PDS_KV_TIER_REC * (int64_t)sizeof(pds_kv) * PDS_KV_HEADS ==
								     kvcache_key_bytes(&c, hd.kv_prec),
	      "the tier's records (%d keys, %d units) are not the model's", PDS_KV_TIER_KEYS, PDS_KV_TIER_REC);
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
	attn_bufs b = {xcalloc(tensor_len(PDS_HEADS), 2),
		       xcalloc(tensor_len(PDS_HEADS), 2),
		       xcalloc(kv_len(PDS_K_SLICES), sizeof(pds_kv)),
		       xcalloc(kv_len(PDS_V_SLICES), sizeof(pds_kv)),
		       xcalloc(tensor_len(PDS_KV_HEADS), 2),
		       xcalloc(tensor_len(PDS_KV_HEADS), 2),
		       xcalloc((size_t)PDS_KV_TIER_ROWS * PDS_KV_TIER_REC, sizeof(pds_kv)),
		       xcalloc((size_t)PDS_KV_TIER_ROWS * PDS_KV_TIER_REC, sizeof(pds_kv))};
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
	/* keys around the tier's size: a context the tier holds whole reads nothing from DDR */
	const int dec_keys[] = {1, 7, 64, 300, PDS_MAX_CONTEXT, PDS_KV_TIER_KEYS, PDS_KV_TIER_KEYS + 1};
	for (size_t i = 0; has_dec && i < sizeof dec_keys / sizeof dec_keys[0]; i++)
		if (dec_keys[i] >= 1 && dec_keys[i] <= PDS_MAX_CONTEXT)
			decode_case(&b, &wl, dec_keys[i], (int)(i % 2) * (PDS_LAYERS - 1));
	free(b.q);
	free(b.k);
	free(b.v);
	free(b.o);
	free(b.k16);
	free(b.v16);
	free(b.tk);
	free(b.tv);
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
	printf("csim %s: K/V %s%s, tier of %d key%s per layer (%s): against the FP16 path the %s cache adds at most %.3g"
	       " (prefill) and %.3g (decode) to |O - ref|%s\n",
	       label, kv_prec_names[PDS_KV_PREC], PDS_KV_PREC ? " with group scales" : "", PDS_KV_TIER_KEYS,
	       PDS_KV_TIER_KEYS == 1 ? "" : "s",
	       kv_tier_names[PDS_KV_TIER], kv_prec_names[PDS_KV_PREC], pre_qerr, dec_qerr,
	       PDS_KV_PREC ? " (not a prediction of model accuracy)" : "");
	return 0;
}
