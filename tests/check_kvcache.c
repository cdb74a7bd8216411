/*
 * check_kvcache.c - the K/V cache (models/kvcache.h) through the models:
 * bytes per decode step by precision and tier worked out by hand on the
 * tiny board, a window that covers the context reading nothing from DDR,
 * an empty tier giving the figures of no tier, the tier's blocks and rate
 * and the quantiser's and dequantiser's resources by hand, a tier that does
 * not fit refused with the resource, the refill of a tier in the decode RM
 * by hand and in the DES (and none for a tier in the static region), the
 * trace's tier track, sessions that pay the refill, and the DES against the
 * analytic model with quantised caches and tiers.
 *
 * The tiny board (tests/data/tiny.yaml) is edited here to hold tiers: 40
 * URAM sites on the device, 20 of them in the pblock.  Hand computation,
 * from the file's numbers (see also check_perf.c):
 *   layers 2, kv_heads 2, head_dim 12: kvd = 24 elements of K per key and layer;
 *   K of one key, one layer: fp16 24 x 2 = 48 B; int8 24 + 24/6 x 2 = 32 B;
 *     int4 12 + 24/4 x 2 = 24 B (groups 6 and 4, FP16 scales);
 *   a decode step attending c keys with T on chip reads from DDR
 *     layers x (c - min(c, T)) x 2 x kb bytes;
 *   URAM block 1024 B, 32 data bits a cycle; banks = ceil(units x bits / 32),
 *     blocks = banks x ceil(bytes / (banks x 1024)); rate banks x 4 B x 100 MHz;
 *   a stream on an HP port 400e6 B/s, HP0 and HP1 share C0 (0.5e9 B/s),
 *     round trip 1 us.
 */
#include <math.h>
#include <string.h>

#include "models/engine.h"
#include "models/kvcache.h"
#include "models/perf.h"
#include "sim/des.h"
#include "sim/phases.h"
#include "sim/session.h"
#include "sim/trace.h"
#include "suites.h"
#include "testutil.h"

#define TINY "tests/data/tiny.yaml"

static cfg_t T;
static workload_t TW;

/* tiny.yaml with room for tiers */
static void setup(void)
{
	static const char *const ed[][2] = {
		{"resources: {lut: 10000, ff: 20000, bram36: 100, uram: 10, dsp: 100}",
		 "resources: {lut: 10000, ff: 20000, bram36: 100, uram: 40, dsp: 100}"},
		{"bram_tiles: 4, uram_sites: 4}", "bram_tiles: 4, uram_sites: 20}"},
	};
	char *b = tu_read(TINY, NULL);
	for (size_t i = 0; i < sizeof ed / sizeof ed[0]; i++) {
		char *at = strstr(b, ed[i][0]);
		ck_assert_msg(at != NULL, "'%s' not in %s", ed[i][0], TINY);
		size_t n = strlen(b), fl = strlen(ed[i][0]), tl = strlen(ed[i][1]);
		char *o = malloc(n - fl + tl + 1);
		ck_assert(o != NULL);
		memcpy(o, b, (size_t)(at - b));
		memcpy(o + (at - b), ed[i][1], tl);
		memcpy(o + (at - b) + tl, at + fl, n - (size_t)(at - b) - fl + 1);
		free(b);
		b = o;
	}
	char err[1024];
	ck_assert_msg(config_load_buffer(&T, "tiny-tiers.yaml", b, strlen(b), err, sizeof err) == 0, "%s", err);
	free(b);
	workload_init(&TW, &T.model);
}

static void teardown(void)
{
	cfg_release(&T);
}

static design_t tiny(const char *n, kv_prec_t p, kv_tier_t t, int sinks, int window)
{
	int i = cfg_find_design(&T, n);
	ck_assert_int_ge(i, 0);
	design_t d = T.designs[i].d;
	d.kv_prec = p;
	d.kv_tier = t;
	d.kv_sinks = sinks;
	d.kv_window = window;
	return d;
}

static void near(const char *what, double model, double hand)
{
	ck_assert_msg(fabs(model - hand) <= 1e-12 * fabs(hand) + 1e-300, "%s: model %.15g, by hand %.15g", what, model,
		      hand);
}

static des_result run_des(const cfg_t *c, const workload_t *w, const design_t *d, int prompt, int gen, des_opts *o)
{
	des_result r;
	char err[512];
	ck_assert_msg(des_run(c, w, d, prompt, gen, o, &r, err, sizeof err) == 0, "%s", err);
	return r;
}

/* K of one key of one layer, by hand (see the file's comment). */
static const double KB[KV_N] = {48, 32, 24};

START_TEST(bytes_per_decode_step_by_hand)
{
	for (int q = 0; q < KV_N; q++) {
		ck_assert_int_eq(kvcache_key_bytes(&T, (kv_prec_t)q), (int64_t)KB[q]);
		/* no tier: 2 layers x 64 keys x (K and V) x kb */
		design_t d = tiny("base", (kv_prec_t)q, KV_TIER_NONE, 0, 0);
		perf_ctx p;
		perf_prepare(&p, &T, &TW, &d);
		near("DDR K/V, no tier", perf_decode_kv_ddr_bytes(&p, 64), 2 * 64 * 2 * KB[q]);
		near("tier K/V, no tier", perf_decode_kv_tier_bytes(&p, 64), 0);
		/* a layer's DDR bytes: weights 960, Q and O 2 x 48, the keys, the new key's K and V */
		near("layer bytes, no tier", perf_decode_layer(&p, 64).bytes, 960 + 96 + 64 * 2 * KB[q] + 2 * KB[q]);
		/* 4 sinks + 16 window keys on chip: 44 of 64 from DDR, 20 from the tier */
		d = tiny("base", (kv_prec_t)q, KV_TIER_STATIC, 4, 16);
		perf_prepare(&p, &T, &TW, &d);
		near("DDR K/V, tier of 20", perf_decode_kv_ddr_bytes(&p, 64), 2 * 44 * 2 * KB[q]);
		near("tier K/V, tier of 20", perf_decode_kv_tier_bytes(&p, 64), 2 * 20 * 2 * KB[q]);
		near("layer bytes, tier of 20", perf_decode_layer(&p, 64).bytes, 960 + 96 + 44 * 2 * KB[q] + 2 * KB[q]);
		/* fewer keys than the tier holds: all on chip */
		near("DDR K/V, 12 keys", perf_decode_kv_ddr_bytes(&p, 12), 0);
		/* the same with the tier in the decode RM of the dpr design */
		design_t s = tiny("swap", (kv_prec_t)q, KV_TIER_RP, 4, 16);
		perf_prepare(&p, &T, &TW, &s);
		near("DDR K/V, tier in the RP", perf_decode_kv_ddr_bytes(&p, 64), 2 * 44 * 2 * KB[q]);
		/* a window that covers the whole context reads no K/V from DDR; one key more reads one */
		d = tiny("base", (kv_prec_t)q, KV_TIER_STATIC, 0, 64);
		perf_prepare(&p, &T, &TW, &d);
		near("DDR K/V, window 64 at 64", perf_decode_kv_ddr_bytes(&p, 64), 0);
		near("DDR K/V, window 64 at 65", perf_decode_kv_ddr_bytes(&p, 65), 2 * 1 * 2 * KB[q]);
	}
}
END_TEST

/* The DES moves the same bytes: in a decode step, only the keys the tier does not hold
 * (and the new key's K and V) cross the K and V streams; the rest is read from the tier. */
START_TEST(des_decode_bytes_by_hand)
{
	for (int q = 0; q < KV_N; q++) {
		des_opts o = {0};
		/* a prompt of 63 and one step attending 64 keys, against the prompt alone */
		design_t d = tiny("base", (kv_prec_t)q, KV_TIER_STATIC, 4, 16);
		des_result one = run_des(&T, &TW, &d, 63, 1, &o), none = run_des(&T, &TW, &d, 63, 0, &o);
		near("K bytes of the step", one.bytes[DES_S_K] - none.bytes[DES_S_K], 2 * (44 + 1) * KB[q]);
		near("V bytes of the step", one.bytes[DES_S_V] - none.bytes[DES_S_V], 2 * (44 + 1) * KB[q]);
		near("tier bytes of the step", one.tier_bytes, 2 * 20 * 2 * KB[q]);
		ck_assert(none.tier_bytes == 0);
		/* a window over the whole context: only the appends cross the ports */
		d = tiny("base", (kv_prec_t)q, KV_TIER_STATIC, 0, 64);
		one = run_des(&T, &TW, &d, 63, 1, &o);
		none = run_des(&T, &TW, &d, 63, 0, &o);
		near("K bytes, window 64", one.bytes[DES_S_K] - none.bytes[DES_S_K], 2 * 1 * KB[q]);
		near("tier bytes, window 64", one.tier_bytes, 2 * 64 * 2 * KB[q]);
	}
}
END_TEST

/* An empty tier (kv_window and kv_sinks 0) is no tier: the same figures, bit for bit, in both models. */
START_TEST(empty_tier_is_no_tier)
{
	cfg_t c;
	tu_load_default(&c);
	workload_t w;
	workload_init(&w, &c.model);
	const char *names[] = {"tellme", "pdswap"};
	for (int n = 0; n < 2; n++)
		for (int q = 0; q < KV_N; q++) {
			design_t d = c.designs[cfg_find_design(&c, names[n])].d;
			d.kv_prec = (kv_prec_t)q;
			figures a, b;
			perf_ctx p;
			perf_prepare(&p, &c, &w, &d);
			perf_run_eval(&p, 200, 3, &a);
			des_opts o = {0};
			des_result ra = run_des(&c, &w, &d, 200, 3, &o);
			for (int t = KV_TIER_STATIC; t <= KV_TIER_RP; t++) {
				if (t == KV_TIER_RP && d.mode != MODE_DPR)
					continue;
				design_t e = d;
				e.kv_tier = (kv_tier_t)t;
				perf_prepare(&p, &c, &w, &e);
				perf_run_eval(&p, 200, 3, &b);
				ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "%s %s: an empty tier in %s changes the analytic figures",
					      names[n], kv_prec_names[q], kv_tier_names[t]);
				des_result rb = run_des(&c, &w, &e, 200, 3, &o);
				ck_assert_msg(memcmp(&ra.f, &rb.f, sizeof ra.f) == 0 && ra.events == rb.events &&
						      memcmp(ra.bytes, rb.bytes, sizeof ra.bytes) == 0,
					      "%s %s: an empty tier in %s changes the DES", names[n], kv_prec_names[q],
					      kv_tier_names[t]);
			}
		}
	cfg_release(&c);
}
END_TEST

/* Blocks, banks and rate of the tier; the quantiser and dequantisers; where they count. */
START_TEST(tier_and_quantiser_resources_by_hand)
{
	/* fp16, T = 20, decode lanes 4: banks ceil(4 x 16 / 32) = 2; 2 x 20 x 2 x 48 = 3840 B,
	 * 2 x ceil(3840 / 2048) = 4 blocks; rate 2 x 4 B x 100 MHz */
	design_t d = tiny("base", KV_FP16, KV_TIER_STATIC, 4, 16);
	ck_assert_int_eq(kvcache_tier_banks(&T, &d), 2);
	near("tier bytes", kvcache_tier_bytes(&T, &d), 3840);
	ck_assert_int_eq(kvcache_tier_blocks(&T, &d), 4);
	near("tier rate", kvcache_tier_b_per_s(&T, &d), 2 * 4 * 100e6);
	/* static region: URAM 1 (RMSNorm) + 2 (other) + the tier's 4; no quantiser for fp16 */
	perf_ctx p;
	perf_prepare(&p, &T, &TW, &d);
	near("static URAM with the tier", p.r_static.v[RES_URAM], 1 + 2 + 4);
	near("decode URAM, tier elsewhere", p.r_dec.v[RES_URAM], 0.25 * 4);
	/* int4: banks ceil(4 x 4 / 32) = 1, 2 x 20 x 2 x 24 = 1920 B: 2 blocks; the quantiser
	 * (100 LUT, 1 BRAM36, 2 DSP) in the static region, a dequantiser (10 LUT, 1 DSP) per lane
	 * of each engine: prefill 4 PE x 1 lane, decode 4 lanes */
	d = tiny("base", KV_INT4, KV_TIER_STATIC, 4, 16);
	ck_assert_int_eq(kvcache_tier_blocks(&T, &d), 2);
	perf_prepare(&p, &T, &TW, &d);
	near("static LUT", p.r_static.v[RES_LUT], 4 * 8 * 100 + 500 + 1000 + 100);
	near("static BRAM36", p.r_static.v[RES_BRAM], 4 * 8 * 0.5 + 2 + 10 + 1);
	near("static URAM", p.r_static.v[RES_URAM], 1 + 2 + 2);
	near("prefill LUT", p.r_pre.v[RES_LUT], 4 * 50 + 4 * 10);
	near("decode DSP", p.r_dec.v[RES_DSP], 4 * 1 + 4 * 1);
	/* in the decode RM of the dpr design (12 lanes): int8 banks ceil(12 x 8 / 32) = 3,
	 * 2 x 20 x 2 x 32 = 2560 B: 3 x ceil(2560 / 3072) = 3 blocks beside the RM's 0.25 x 12 */
	design_t s = tiny("swap", KV_INT8, KV_TIER_RP, 4, 16);
	perf_prepare(&p, &T, &TW, &s);
	near("decode RM URAM with the tier", p.r_dec.v[RES_URAM], 0.25 * 12 + 3);
	near("static URAM, tier elsewhere", p.r_static.v[RES_URAM], 1 + 2);
	char why[256];
	ck_assert_msg(perf_kv_tier_fits(&p, why, sizeof why), "%s", why);
}
END_TEST

/* A tier larger than its region is refused, naming the resource and what the tier takes. */
START_TEST(tier_that_does_not_fit_is_refused)
{
	/* fp16, T = 100 in the decode RM: banks ceil(12 x 16 / 32) = 6, 2 x 100 x 2 x 48 =
	 * 19200 B: 6 x ceil(19200 / 6144) = 24 blocks; the RM 3 + 24 = 27 > the pblock's 20 */
	design_t s = tiny("swap", KV_FP16, KV_TIER_RP, 0, 100);
	perf_ctx p;
	perf_prepare(&p, &T, &TW, &s);
	char why[256];
	ck_assert(!perf_kv_tier_fits(&p, why, sizeof why));
	ck_assert_msg(strstr(why, "decode RM needs 27.0 uram") && strstr(why, "pblock 'rp0' has 20 sites") &&
			      strstr(why, "tier of 100 keys") && strstr(why, "takes 24"),
		      "%s", why);
	perf_res r;
	perf_resources(&p, &r);
	ck_assert(!r.feasible && strstr(r.why, "uram"));
	/* one key fewer than fits is fine; the tier is not blamed for what fails without it */
	s = tiny("swap", KV_FP16, KV_TIER_RP, 0, 4);
	perf_prepare(&p, &T, &TW, &s);
	ck_assert_msg(perf_kv_tier_fits(&p, why, sizeof why), "%s", why);
	/* keys on chip with no region */
	s = tiny("swap", KV_FP16, KV_TIER_NONE, 0, 4);
	perf_prepare(&p, &T, &TW, &s);
	ck_assert(!perf_kv_tier_fits(&p, why, sizeof why) && strstr(why, "kv_tier_region is none"));
	perf_resources(&p, &r);
	ck_assert(!r.feasible && strstr(r.why, "no region holds them"));
}
END_TEST

/*
 * A tier in the decode RM is refilled after the swap: for a prompt of 8,
 * min(8, 20) = 8 keys of K and V of 2 layers, int8: 2 x 8 x 2 x 32 = 1024 B
 * over HP0 and HP1 (the map kv2 gives K and V both): each port reads 512 B
 * (1.28 us at 400e6), C0 carries 1024 B at 0.5e9 (2.048 us); plus the round
 * trip: 3.048 us.  A tier in the static region needs none.  The first decode
 * step waits for the swap and the refill together.
 */
START_TEST(refill_after_the_swap_by_hand)
{
	design_t rp = tiny("swap", KV_INT8, KV_TIER_RP, 4, 16), st = tiny("swap", KV_INT8, KV_TIER_STATIC, 4, 16);
	perf_ctx p, q;
	perf_prepare(&p, &T, &TW, &rp);
	perf_prepare(&q, &T, &TW, &st);
	near("refill bytes", kvcache_refill_bytes(&T, &rp, 8), 1024);
	near("refill bytes, static tier", kvcache_refill_bytes(&T, &st, 8), 0);
	near("refill time", perf_kv_refill_s(&p, 8), 1024 / 0.5e9 + 1e-6);
	near("no refill", perf_kv_refill_s(&q, 8), 0);
	/* a long prompt refills the whole tier: 2 x 20 x 2 x 32 = 2560 B */
	near("refill bytes, prompt 100", kvcache_refill_bytes(&T, &rp, 100), 2560);
	figures a, b;
	perf_run_eval(&p, 8, 2, &a);
	perf_run_eval(&q, 8, 2, &b);
	near("analytic refill", a.kv_refill_s, 1024 / 0.5e9 + 1e-6);
	ck_assert(b.kv_refill_s == 0 && b.kv_refill_bytes == 0);
	/* the swap (a PS path of 1 ms) is exposed: the refill adds to it, all of it */
	ck_assert(b.swap_exposed_s > 0);
	near("exposed with the refill", a.swap_exposed_s, b.swap_exposed_s + a.kv_refill_s);
	/* the DES: the refill's bytes, after the swap, delaying the first step by exactly its time */
	des_opts o = {.no_prefetch = true};
	des_result ra = run_des(&T, &TW, &rp, 8, 2, &o), rb = run_des(&T, &TW, &st, 8, 2, &o);
	near("DES refill bytes", ra.f.kv_refill_bytes, 1024);
	ck_assert(rb.f.kv_refill_bytes == 0 && rb.f.kv_refill_s == 0);
	ck_assert_msg(fabs(ra.f.kv_refill_s / a.kv_refill_s - 1) < 0.05, "DES refill %.9g s, analytic %.9g s",
		      ra.f.kv_refill_s, a.kv_refill_s);
	ck_assert_msg(fabs(ra.f.swap_exposed_s - rb.f.swap_exposed_s - ra.f.kv_refill_s) <= 2e-12,
		      "exposed %.12g vs %.12g + refill %.12g", ra.f.swap_exposed_s, rb.f.swap_exposed_s, ra.f.kv_refill_s);
	/* the refill's K and V cross the ports: the RP run moves 1024 B more of them */
	near("DES K+V bytes of the refill", ra.bytes[DES_S_K] + ra.bytes[DES_S_V] - rb.bytes[DES_S_K] - rb.bytes[DES_S_V],
	     1024);
	/* a design that keeps one module has no swap, and no refill */
	o.hold = DES_HOLD_DECODE;
	des_result rh = run_des(&T, &TW, &rp, 8, 2, &o);
	ck_assert(rh.f.kv_refill_bytes == 0 && rh.f.kv_refill_s == 0);
}
END_TEST

static int count_spans(const trace_log *log, int unit, const char *name)
{
	int n = 0;
	for (size_t i = 0; i < log->n; i++)
		if (log->ev[i].kind == 'X' && log->ev[i].a.unit == unit && (!name || strcmp(log->ev[i].name, name) == 0))
			n++;
	return n;
}

/* The trace shows the tier's reads and the refill on a track of their own. */
START_TEST(trace_shows_the_tier)
{
	const int gen = 3;
	/* tiny's swap design is serial: a Q.K and an S.V pass per layer, each with a tier segment */
	design_t rp = tiny("swap", KV_INT8, KV_TIER_RP, 4, 16), st = tiny("swap", KV_INT8, KV_TIER_STATIC, 4, 16);
	ck_assert_int_eq(rp.dec_dataflow, DF_SERIAL);
	for (int k = 0; k < 2; k++) {
		trace_log log = {0};
		des_opts o = {.trace_log = &log};
		des_result r = run_des(&T, &TW, k ? &st : &rp, 8, gen, &o);
		ck_assert_int_eq(count_spans(&log, TRACE_UNIT_TIER, "K/V tier refill"), k ? 0 : 1);
		ck_assert_int_eq(count_spans(&log, TRACE_UNIT_TIER, "tier reads (QK pass)"), 2 * gen);
		ck_assert_int_eq(count_spans(&log, TRACE_UNIT_TIER, "tier reads (SV pass)"), 2 * gen);
		bool named = false;
		for (size_t i = 0; i < log.n; i++)
			named |= log.ev[i].kind == 'T' && strstr(log.ev[i].name, k ? "static region" : "decode RM");
		ck_assert(named);
		/* the refill's span says how much it moved */
		for (size_t i = 0; i < log.n; i++)
			if (log.ev[i].kind == 'X' && log.ev[i].a.unit == TRACE_UNIT_TIER &&
			    strcmp(log.ev[i].name, "K/V tier refill") == 0)
				near("refill span bytes", log.ev[i].a.bytes, r.f.kv_refill_bytes);
		/* and the ports carry it: spans of that name on the decode map's ports */
		ck_assert_int_eq(count_spans(&log, TRACE_UNIT_PORT, "K/V tier refill") > 0, k == 0);
		trace_log_free(&log);
	}
	/* no tier, no tier track */
	trace_log log = {0};
	des_opts o = {.trace_log = &log};
	design_t none = tiny("swap", KV_INT8, KV_TIER_NONE, 0, 0);
	run_des(&T, &TW, &none, 8, gen, &o);
	ck_assert_int_eq(count_spans(&log, TRACE_UNIT_TIER, NULL), 0);
	trace_log_free(&log);
}
END_TEST

/* A request on the swap path pays the refill inside its exposed swap, with its DDR energy;
 * the other paths and a tier in the static region pay none; a session adds them up. */
START_TEST(sessions_pay_the_refill)
{
	design_t rp = tiny("swap", KV_INT8, KV_TIER_RP, 4, 16), st = tiny("swap", KV_INT8, KV_TIER_STATIC, 4, 16);
	char err[512];
	for (int m = 0; m < 2; m++) {
		phases *a, *b;
		ck_assert_msg(phases_new(&a, &T, &TW, &rp, (phases_model)m, err, sizeof err) == 0, "%s", err);
		ck_assert_msg(phases_new(&b, &T, &TW, &st, (phases_model)m, err, sizeof err) == 0, "%s", err);
		phases_cost ca, cb;
		ck_assert(phases_cost_of(a, PHASES_SWAP, 8, 4, &ca, err, sizeof err) == 0);
		ck_assert(phases_cost_of(b, PHASES_SWAP, 8, 4, &cb, err, sizeof err) == 0);
		ck_assert_msg(ca.kv_refill_ps > 0 && cb.kv_refill_ps == 0, "%s: refills %lld and %lld ps", phases_model_names[m],
			      (long long)ca.kv_refill_ps, (long long)cb.kv_refill_ps);
		ck_assert_msg(llabs(ca.swap_exposed_ps - cb.swap_exposed_ps - ca.kv_refill_ps) <= 2,
			      "%s: exposed %lld vs %lld + refill %lld ps", phases_model_names[m], (long long)ca.swap_exposed_ps,
			      (long long)cb.swap_exposed_ps, (long long)ca.kv_refill_ps);
		if (m == PHASES_ANALYTIC) {
			/* the refill's DDR energy (1024 B) and the board's idle power over the extra exposed time */
			double e = T.cal.e_ddr_nj_per_kb.value * 1e-9 / 1024.0 * 1024 +
				   T.cal.p_idle_w.value * (ca.swap_exposed_ps - cb.swap_exposed_ps) * 1e-12;
			ck_assert_msg(fabs(ca.energy_j - cb.energy_j - e) <= 1e-9 * ca.energy_j, "energy %.12g vs %.12g + %.12g",
				      ca.energy_j, cb.energy_j, e);
		}
		/* no swap, no refill: a prefill on the decode RM fills its tier as it goes */
		ck_assert(phases_cost_of(a, PHASES_DECODE, 8, 4, &ca, err, sizeof err) == 0 && ca.kv_refill_ps == 0);
		ck_assert(phases_cost_of(a, PHASES_PREFILL, 8, 4, &ca, err, sizeof err) == 0 && ca.kv_refill_ps == 0);
		/* a session of always-swapping requests refills once per request */
		reqgen_req req[6];
		for (int i = 0; i < 6; i++)
			req[i] = (reqgen_req){.arrival_s = 0.5 * i, .prompt = 4 + 3 * i, .output = 3};
		session_opts so = {.policy = SESSION_ALWAYS, .rate_scale = 1, .offered_rps = 2, .expect_prompt = 10,
				   .expect_output = 3, .slo_ttft_p90_s = 1, .slo_tpot_p99_s = 1};
		figures_session fa, fb;
		ck_assert_msg(session_run(a, a, req, 6, &so, NULL, &fa, err, sizeof err) == 0, "%s", err);
		ck_assert_msg(session_run(b, b, req, 6, &so, NULL, &fb, err, sizeof err) == 0, "%s", err);
		int64_t sum = 0;
		for (int i = 0; i < 6; i++) {
			phases_cost c;
			ck_assert(phases_cost_of(a, PHASES_SWAP, req[i].prompt, req[i].output, &c, err, sizeof err) == 0);
			sum += c.kv_refill_ps;
		}
		ck_assert_msg(fabs(fa.kv_refill_s - sum * 1e-12) <= 1e-15, "%s: session refills %.12g s, requests %.12g s",
			      phases_model_names[m], fa.kv_refill_s, sum * 1e-12);
		ck_assert(fb.kv_refill_s == 0);
		ck_assert(fa.e2e_s.mean > fb.e2e_s.mean && fa.energy_j > fb.energy_j);
		/* never swapping: no refill */
		so.policy = SESSION_NEVER;
		ck_assert_msg(session_run(a, a, req, 6, &so, NULL, &fa, err, sizeof err) == 0, "%s", err);
		ck_assert(fa.kv_refill_s == 0);
		phases_free(a);
		phases_free(b);
	}
}
END_TEST

/* Where both describe the same schedule (no weight prefetch), the DES and the analytic
 * model agree within 5% with quantised caches and tiers in either region. */
START_TEST(des_agrees_with_analytic)
{
	cfg_t c;
	tu_load_default(&c);
	workload_t w;
	workload_init(&w, &c.model);
	static const struct {
		const char *design;
		kv_prec_t prec;
		kv_tier_t tier;
		int sinks, window;
		dataflow_t df;
	} cases[] = {
		{"tellme", KV_INT8, KV_TIER_NONE, 0, 0, DF_SERIAL},
		{"tellme", KV_INT4, KV_TIER_STATIC, 1, 2, DF_SERIAL},
		{"pdswap", KV_INT8, KV_TIER_NONE, 0, 0, DF_KV_OVERLAP},
		{"pdswap", KV_INT4, KV_TIER_RP, 1, 3, DF_KV_OVERLAP},
		{"pdswap", KV_INT4, KV_TIER_RP, 1, 3, DF_HEAD_PIPE},
		{"pdswap", KV_FP16, KV_TIER_RP, 0, 64, DF_SERIAL},
	};
	const int lens[][2] = {{1, 8}, {63, 4}, {700, 4}};
	des_opts o = {.no_prefetch = true};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		design_t d = c.designs[cfg_find_design(&c, cases[i].design)].d;
		d.kv_prec = cases[i].prec;
		d.kv_tier = cases[i].tier;
		d.kv_sinks = cases[i].sinks;
		d.kv_window = cases[i].window;
		d.dec_dataflow = cases[i].df;
		perf_ctx p;
		perf_prepare(&p, &c, &w, &d);
		for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
			int L = lens[k][0], N = lens[k][1];
			figures a;
			perf_run_eval(&p, L, N, &a);
			des_result r = run_des(&c, &w, &d, L, N, &o);
			ck_assert_msg(fabs(r.f.prefill_s / a.prefill_s - 1) < 0.05, "case %zu L=%d prefill des %.6f analytic %.6f",
				      i, L, r.f.prefill_s, a.prefill_s);
			ck_assert_msg(fabs(r.f.decode_s / a.decode_s - 1) < 0.05, "case %zu L=%d decode des %.6f analytic %.6f",
				      i, L, r.f.decode_s, a.decode_s);
			if (a.kv_refill_s > 0)
				ck_assert_msg(fabs(r.f.kv_refill_s / a.kv_refill_s - 1) < 0.05,
					      "case %zu L=%d refill des %.9f analytic %.9f", i, L, r.f.kv_refill_s, a.kv_refill_s);
		}
	}
	cfg_release(&c);
}
END_TEST

Suite *kvcache_suite(void)
{
	Suite *s = suite_create("kvcache");
	TCase *t = tcase_create("kvcache");
	tcase_set_timeout(t, 300);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, bytes_per_decode_step_by_hand);
	tcase_add_test(t, des_decode_bytes_by_hand);
	tcase_add_test(t, empty_tier_is_no_tier);
	tcase_add_test(t, tier_and_quantiser_resources_by_hand);
	tcase_add_test(t, tier_that_does_not_fit_is_refused);
	tcase_add_test(t, refill_after_the_swap_by_hand);
	tcase_add_test(t, trace_shows_the_tier);
	tcase_add_test(t, sessions_pay_the_refill);
	tcase_add_test(t, des_agrees_with_analytic);
	suite_add_tcase(s, t);
	return s;
}
