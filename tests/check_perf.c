/*
 * check_perf.c - properties of the analytic model: monotonicity, the
 * roofline of a port, the resource constraint's edges, the swap overlap;
 * and the whole model worked out by hand on tests/data/tiny.yaml.
 */
#include <math.h>

#include "models/engine.h"
#include "models/perf.h"
#include "models/platform.h"
#include "suites.h"
#include "testutil.h"
#include "models/workload.h"

static cfg_t C;
static workload_t W;

static void setup(void)
{
	tu_load_default(&C);
	workload_init(&W, &C.model);
}

static void teardown(void)
{
	cfg_release(&C);
}

static design_t named(const char *n)
{
	int i = cfg_find_design(&C, n);
	ck_assert_int_ge(i, 0);
	return C.designs[i].d;
}

static double ttft(const design_t *d, int L)
{
	perf_ctx p;
	perf_prepare(&p, &C, &W, d);
	return perf_ttft_s(&p, L);
}

static double step(const design_t *d, int keys)
{
	perf_ctx p;
	perf_prepare(&p, &C, &W, d);
	return perf_decode_step_s(&p, keys);
}

START_TEST(more_pes_never_slower)
{
	for (int m = 0; m < 2; m++) {
		design_t d = named(m ? "pdswap" : "tellme");
		for (int pe = 1; pe < 64; pe++) {
			design_t a = d, b = d;
			a.pre_pe = pe;
			b.pre_pe = pe + 1;
			for (int L = 16; L <= 2048; L *= 2)
				ck_assert_msg(ttft(&b, L) <= ttft(&a, L) * (1 + 1e-12),
					      "pe %d -> %d slower at L=%d", pe, pe + 1, L);
		}
		for (int q = 1; q < 32; q++) {
			design_t a = d, b = d;
			a.tlmm_lanes = q;
			b.tlmm_lanes = q + 1;
			ck_assert(ttft(&b, 512) <= ttft(&a, 512) * (1 + 1e-12));
			ck_assert(step(&b, 512) <= step(&a, 512) * (1 + 1e-12));
		}
		for (int l = 1; l < 96; l++) {
			design_t a = d, b = d;
			a.dec_lanes = l;
			b.dec_lanes = l + 1;
			ck_assert(step(&b, 1024) <= step(&a, 1024) * (1 + 1e-12));
		}
	}
}
END_TEST

START_TEST(longer_context_never_faster)
{
	design_t d = named("tellme"), e = named("pdswap");
	for (int L = 1; L < 2048; L += 7) {
		ck_assert(ttft(&d, L + 1) >= ttft(&d, L));
		ck_assert(step(&d, L + 1) >= step(&d, L));
		ck_assert(ttft(&e, L + 1) >= ttft(&e, L));
		ck_assert(step(&e, L + 1) >= step(&e, L));
	}
}
END_TEST

START_TEST(port_roofline)
{
	/* one stream on one port: peak-limited with many outstanding, latency-limited with few;
	 * the port's width and clock limit are the board's, read from the config */
	design_t d = named("tellme");
	const cfg_hp *hp = &C.dev.hp[0];
	perf_ctx p;
	d.dec_outstanding = 256;
	perf_prepare(&p, &C, &W, &d);
	ck_assert_int_le(d.clock_mhz, hp->max_clock_mhz); /* the design's clock drives the port */
	double beat = hp->width_bits / 8.0, peak = beat * d.clock_mhz * 1e6 * C.cal.eta_port.value;
	ck_assert_double_eq_tol(p.bw_dec[0], peak, 1);
	d.dec_outstanding = 1;
	d.dec_burst = 4;
	perf_prepare(&p, &C, &W, &d);
	double lat = C.cal.ddr_latency_ns.value * 1e-9;
	ck_assert_double_eq_tol(p.bw_dec[0], 4 * beat / lat, 1);
	/* a load on one port takes bytes / bw; on two ports of different controllers, half */
	portload_t pl = {{0}, {0}};
	pl.rd[0] = 1e6;
	ck_assert_double_eq_tol(perf_port_time(&p, &pl, p.bw_dec), 1e6 / p.bw_dec[0], 1e-12);
	int h = 1;
	while (h < C.dev.n_hp && (C.dev.hp[h].ctrl == hp->ctrl || C.dev.hp[h].width_bits != hp->width_bits))
		h++;
	ck_assert_msg(h < C.dev.n_hp, "no port of HP0's width on another controller port");
	pl.rd[0] = pl.rd[h] = 5e5;
	ck_assert_double_eq_tol(perf_port_time(&p, &pl, p.bw_dec), 5e5 / p.bw_dec[0], 1e-12);
}
END_TEST

START_TEST(shared_controller_port_caps)
{
	/* two HP ports that share a DDR-controller port (HP1 and HP2 on the KV260)
	 * and two that do not (HP0 and HP3), found in the config's port list */
	int a = -1, b = -1, x = -1, y = -1;
	for (int i = 0; i < C.dev.n_hp; i++)
		for (int j = i + 1; j < C.dev.n_hp; j++) {
			if (a < 0 && C.dev.hp[i].ctrl == C.dev.hp[j].ctrl)
				a = i, b = j;
			if (x < 0 && C.dev.hp[i].ctrl != C.dev.hp[j].ctrl)
				x = i, y = j;
		}
	ck_assert_msg(a >= 0 && x >= 0, "the board needs a shared and a separate pair of HP ports");
	perf_ctx p;
	design_t d = named("tellme");
	perf_prepare(&p, &C, &W, &d);
	double bw[CFG_MAX_HP];
	for (int i = 0; i < CFG_MAX_HP; i++)
		bw[i] = 1e15;
	/* the shared pair, with huge per-port bandwidth: the controller peak binds */
	portload_t pl = {{0}, {0}};
	pl.rd[a] = pl.rd[b] = 1e9;
	double ctrl = C.dev.ddr.ctrl[C.dev.hp[a].ctrl].peak_gb_s * 1e9;
	double ddr = C.dev.ddr.peak_gb_s * 1e9 * C.cal.ddr_efficiency.value;
	ck_assert(ctrl < ddr); /* the case under test */
	double t = perf_port_time(&p, &pl, bw);
	ck_assert_double_eq_tol(t, 2e9 / ctrl, 1e-9);
	/* spread over the separate pair instead: the DDR total binds */
	memset(&pl, 0, sizeof pl);
	pl.rd[x] = pl.rd[y] = 1e9;
	double cx = C.dev.ddr.ctrl[C.dev.hp[x].ctrl].peak_gb_s * 1e9, cy = C.dev.ddr.ctrl[C.dev.hp[y].ctrl].peak_gb_s * 1e9;
	ck_assert(2e9 / ddr > 1e9 / cx && 2e9 / ddr > 1e9 / cy); /* the case under test */
	t = perf_port_time(&p, &pl, bw);
	ck_assert_double_eq_tol(t, 2e9 / ddr, 1e-9);
}
END_TEST

START_TEST(resource_rule_max_vs_sum)
{
	design_t d = named("pdswap");
	perf_ctx p;
	perf_prepare(&p, &C, &W, &d);
	for (int i = 0; i < RES_N; i++) {
		double mx = p.r_pre.v[i] > p.r_dec.v[i] ? p.r_pre.v[i] : p.r_dec.v[i];
		ck_assert_double_eq_tol(p.r_total.v[i], p.r_static.v[i] + mx, 1e-9);
		ck_assert_double_eq_tol(p.r_equiv.v[i], p.r_static.v[i] + p.r_pre.v[i] + p.r_dec.v[i], 1e-9);
	}
	d.mode = MODE_STATIC;
	d.rp = -1;
	perf_prepare(&p, &C, &W, &d);
	for (int i = 0; i < RES_N; i++)
		ck_assert_double_eq_tol(p.r_total.v[i], p.r_equiv.v[i], 1e-9);
}
END_TEST

/*
 * The bursts a decode engine keeps in flight set its K/V rate where the
 * in-flight bound (outstanding x burst x width / latency) is below the
 * port's channel, and change nothing above it.
 */
START_TEST(outstanding_matters_where_in_flight_binds)
{
	design_t d = named("pdswap");
	d.dec_lanes = C.model.head_dim; /* one cycle per key and pass: the K/V streams bind */
	perf_ctx p;
	double step[3];
	const int outst[3] = {4, 16, 32};
	for (int i = 0; i < 3; i++) {
		d.dec_outstanding = outst[i];
		perf_prepare(&p, &C, &W, &d);
		step[i] = perf_decode_step_s(&p, 2048);
	}
	double f = d.clock_mhz * 1e6;
	int h = cfg_find_hp(&C, "HP1");
	double chan = platform_channel_b_per_s(&C, h, f);
	ck_assert(platform_inflight_b_per_s(&C, h, d.dec_burst, 4) < chan);  /* binds at 4 */
	ck_assert(platform_inflight_b_per_s(&C, h, d.dec_burst, 16) > chan); /* not at 16 */
	ck_assert_msg(step[0] > step[1] * 1.01, "4 outstanding %.6g s, 16 %.6g s", step[0], step[1]);
	ck_assert_double_eq(step[1], step[2]);
	/* and the burst length, the same way */
	d.dec_outstanding = 4;
	d.dec_burst = 8;
	perf_prepare(&p, &C, &W, &d);
	ck_assert(perf_decode_step_s(&p, 2048) > step[0] * 1.01);
}
END_TEST

START_TEST(constraint_edges)
{
	design_t d = named("pdswap");
	perf_ctx p;
	perf_res r;
	perf_prepare(&p, &C, &W, &d);
	/* put the LUT cap exactly at the design's use: feasible; a hair below: not */
	C.cons.util_cap.v[RES_LUT] = p.r_total.v[RES_LUT] / C.dev.resources.v[RES_LUT];
	perf_resources(&p, &r);
	ck_assert_msg(r.feasible || !strstr(r.why, "of the device"), "%s", r.why);
	C.cons.util_cap.v[RES_LUT] *= 0.999;
	perf_resources(&p, &r);
	ck_assert(!r.feasible);
	ck_assert_ptr_nonnull(strstr(r.why, "lut"));
	ck_assert_ptr_nonnull(strstr(r.why, "of the device"));
	C.cons.util_cap.v[RES_LUT] = 0.9;
	/* routability: margin exactly at the larger RM's LUT need */
	double need = fmax(p.r_pre.v[RES_LUT], p.r_dec.v[RES_LUT]);
	C.cons.rp_margin = need / p.rp_cap.v[RES_LUT];
	perf_resources(&p, &r);
	ck_assert_msg(r.feasible || !strstr(r.why, "routability"), "%s", r.why);
	C.cons.rp_margin *= 0.99;
	perf_resources(&p, &r);
	ck_assert(!r.feasible);
	ck_assert_ptr_nonnull(strstr(r.why, "routability"));
	C.cons.rp_margin = 1;
	/* hard blocks fit the pblock's sites, whatever the margin: the fewest DSP
	 * tiles that hold the larger RM's DSPs pass, one tile fewer does not */
	cfg_pblock *pb = &C.arch.pblocks[d.rp];
	need = fmax(p.r_pre.v[RES_DSP], p.r_dec.v[RES_DSP]);
	const cfg_pblock saved = *pb;
	pb->dsp_tiles = (int)ceil(need / C.dev.fabric.dsp_per_col);
	perf_prepare(&p, &C, &W, &d);
	perf_resources(&p, &r);
	ck_assert_msg(r.feasible, "%s", r.why);
	pb->dsp_tiles--;
	perf_prepare(&p, &C, &W, &d);
	perf_resources(&p, &r);
	ck_assert(!r.feasible);
	ck_assert_msg(strstr(r.why, "dsp") && strstr(r.why, "sites"), "%s", r.why);
	pb->dsp_tiles++;
	/* floorplan: a pblock taking every BRAM tile leaves none for the static region */
	pb->bram_tiles = C.dev.fabric.tiles_bram;
	perf_prepare(&p, &C, &W, &d);
	perf_resources(&p, &r);
	ck_assert(!r.feasible);
	ck_assert_msg(strstr(r.why, "static region") && strstr(r.why, "outside pblock"), "%s", r.why);
	*pb = saved;
	perf_prepare(&p, &C, &W, &d);
	perf_resources(&p, &r);
	ck_assert_msg(r.feasible, "%s", r.why);
	/* T_pre_max */
	C.cons.rp_margin = 1;
	char why[200];
	double t = perf_ttft_s(&p, C.obj.prompt);
	C.cons.t_pre_max_s = t;
	ck_assert(perf_feasible(&p, why, sizeof why));
	C.cons.t_pre_max_s = t * 0.999;
	ck_assert(!perf_feasible(&p, why, sizeof why));
	ck_assert_ptr_nonnull(strstr(why, "t_pre_max"));
}
END_TEST

START_TEST(swap_exposure)
{
	design_t d = named("pdswap");
	perf_ctx p;
	figures r;
	perf_prepare(&p, &C, &W, &d);
	perf_run_eval(&p, 64, 4, &r);
	double hidden = r.tail_overlap_s + C.cal.lm_head_s.value;
	ck_assert_double_eq_tol(r.swap_exposed_s, fmax(0, r.swap_s - hidden), 1e-12);
	/* make the PS path long: the swap shows */
	C.cal.swap_ps_ms.value = 1000;
	perf_run_eval(&p, 64, 4, &r);
	ck_assert_double_eq_tol(r.swap_exposed_s, r.swap_s - r.tail_overlap_s - C.cal.lm_head_s.value, 1e-12);
	ck_assert(r.swap_exposed_s > 0.9);
	/* static designs never swap */
	design_t s = named("tellme");
	perf_prepare(&p, &C, &W, &s);
	perf_run_eval(&p, 64, 4, &r);
	ck_assert_double_eq(r.swap_s, 0);
	ck_assert_double_eq(r.swap_exposed_s, 0);
}
END_TEST

START_TEST(run_totals_consistent)
{
	design_t d = named("pdswap");
	perf_ctx p;
	figures r;
	perf_prepare(&p, &C, &W, &d);
	perf_run_eval(&p, 100, 50, &r);
	double sum = 0;
	for (int i = 0; i < 50; i++)
		sum += perf_decode_step_s(&p, 101 + i);
	ck_assert_double_eq_tol(r.decode_s, sum, 1e-9);
	ck_assert_double_eq_tol(r.decode_tok_s, 50 / sum, 1e-9);
	ck_assert_double_eq_tol(r.ttft_s, perf_prefill_s(&p, 100) + C.cal.lm_head_s.value, 1e-12);
	ck_assert(r.energy_j_per_token > 0);
}
END_TEST

/* ------------------------------------------------- tiny config, by hand */

/*
 * tests/data/tiny.yaml is small enough to work every figure out on paper.
 * The tests below do that in comments and as C expressions of the file's
 * numbers (written out, not read from the config or computed by the
 * model's functions), then compare with the model.  Times in the comments
 * are in microseconds.
 *
 * What every test uses:
 *   clock f = 100 MHz; TLMM rate f * eta_tlmm = 100e6 * 0.5 = 50e6 cycles/s;
 *   attention rate f * eta_attn = 100e6 * 0.25 = 25e6 cycles/s.
 *   A stream on a port (burst 16, 4 outstanding, 64-bit = 8 B beats):
 *     peak 8 * 100e6 * eta_port 0.5 = 400e6 B/s; in flight 4 * 16 * 8 B per
 *     1000 ns = 512e6 B/s, more than the peak: 400e6 B/s.
 *   HP0 and HP1 share controller port C0: 0.5e9 B/s for both together;
 *   DDR 2e9 * ddr_efficiency 0.5 = 1e9 B/s (never the limit: C0 is lower).
 *   Matrices of a layer (hidden 24, heads 2 x 12 = 24, ffn 48, no gate):
 *     q, k, v, o 24x24; up 24x48; down 48x24.
 *   Packed weights, ceil(K/3) indices of 5 bits per output:
 *     q, k, v, o: 8 * 24 * 5/8 = 120 B each; up: 8 * 48 * 5/8 = 240 B;
 *     down: 16 * 24 * 5/8 = 240 B; a layer 960 B, o + up + down 600 B.
 *   TLMM cycles per token (T*G = 4*3 = 12 inputs a step, Q = 8 outputs):
 *     q, k, v, o: ceil(24/12) * ceil(24/8) = 2 * 3 = 6 each; up 2 * 6 = 12;
 *     down ceil(48/12) * 3 = 12; a layer 4*6 + 12 + 12 = 48; o + up + down 30.
 *   Pipeline depth: tlmm_depth 10 once per matrix (6 a layer, 3 after
 *   attention); attn_depth 4 per Q block (prefill) or per pass (decode).
 *   K (or V) of a token: 2 kv heads * 12 * 2 B = 48 B; Q (or O): 2 * 12 * 2 = 48 B.
 *   lm_head_s = 10 us.
 */
#define TINY "tests/data/tiny.yaml"

static cfg_t T;
static workload_t TW;

static void tiny_setup(void)
{
	char err[1024];
	ck_assert_msg(config_load(&T, TINY, err, sizeof err) == 0, "%s", err);
	workload_init(&TW, &T.model);
}

static void tiny_teardown(void)
{
	cfg_release(&T);
}

static design_t tiny_design(const char *n)
{
	int i = cfg_find_design(&T, n);
	ck_assert_int_ge(i, 0);
	return T.designs[i].d;
}

/* The model's figure against the hand computation, to rounding. */
static void near(const char *what, double model, double hand)
{
	ck_assert_msg(fabs(model - hand) <= 1e-12 * fabs(hand), "%s: model %.15g, by hand %.15g", what, model, hand);
}

/* What the prefill and decode times rest on. */
START_TEST(tiny_building_blocks)
{
	design_t d = tiny_design("base");
	perf_ctx p;
	perf_prepare(&p, &T, &TW, &d);
	near("weight bytes of a layer", TW.wbytes_layer, 4 * 120 + 240 + 240);
	near("weight bytes after attention", TW.wbytes_post_attn_layer, 120 + 240 + 240);
	ck_assert_int_eq(TW.k_bytes_token_layer, 2 * 12 * 2);
	ck_assert_int_eq(TW.q_bytes_token_layer, 2 * 12 * 2);
	/* TLMM per token: 48 cycles at 50e6/s = 0.96 us; depth 6 * 10 cycles = 1.2 us */
	near("TLMM per token", p.lin_tok_s, 48 / 50e6);
	near("TLMM per token after attention", p.lin_post_tok_s, 30 / 50e6);
	near("TLMM depth of a layer", p.lin_depth_s, 6 * 10 / 50e6);
	/* every stream at the port peak: 8 B * 100 MHz * 0.5 (in flight 512e6 is more) */
	for (int h = 0; h < 2; h++) {
		near("weight stream", p.bw_w[h], 8 * 100e6 * 0.5);
		near("prefill stream", p.bw_pre[h], 8 * 100e6 * 0.5);
		near("decode stream", p.bw_dec[h], 8 * 100e6 * 0.5);
	}
	/* a layer's weights, 960 B, through HP0 alone: 960 / 400e6 = 2.4 us
	 * (C0 alone would allow 960 / 0.5e9 = 1.92 us, DDR 0.96 us) */
	near("weight load of a layer", p.w_layer_s, 960 / 400e6);
	near("weight load after attention", p.w_post_s, 600 / 400e6);
	/* one outstanding burst of 8 beats: 1 * 8 * 8 B per 1000 ns = 64e6 B/s,
	 * below the peak: the stream is latency-bound */
	d.dec_outstanding = 1;
	d.dec_burst = 8;
	perf_prepare(&p, &T, &TW, &d);
	near("latency-bound stream", p.bw_dec[0], 1 * 8 * 8 / 1000e-9);
}
END_TEST

/* Two ports on one controller port share its peak. */
START_TEST(tiny_controller_port_shared)
{
	design_t d = tiny_design("base");
	perf_ctx p;
	perf_prepare(&p, &T, &TW, &d);
	portload_t pl = {{0}, {0}};
	/* 1e6 B on HP0 alone: its own peak binds, 1e6 / 400e6 = 2.5 ms (C0: 2 ms) */
	pl.rd[0] = 1e6;
	near("one port", perf_port_time(&p, &pl, p.bw_pre), 1e6 / 400e6);
	/* 1e6 B on each: each port could do it in 2.5 ms, but C0 carries
	 * 2e6 B at 0.5e9 B/s: 4 ms */
	pl.rd[1] = 1e6;
	near("two ports on C0", perf_port_time(&p, &pl, p.bw_pre), 2e6 / 0.5e9);
	/* a read and a write on one port use separate channels: 1e6 B each
	 * take 2.5 ms apiece on the port, but C0 carries both: 4 ms */
	memset(&pl, 0, sizeof pl);
	pl.rd[0] = pl.wr[0] = 1e6;
	near("read and write on one port", perf_port_time(&p, &pl, p.bw_pre), 2e6 / 0.5e9);
}
END_TEST

/*
 * Prefill of the static design `base` (prefill PEs 4, 1 lane, K/V blocks
 * of 3; port map split: Q and K on HP0, V and O on HP1).
 */
START_TEST(tiny_prefill_by_hand)
{
	design_t base = tiny_design("base"), swap = tiny_design("swap");
	perf_ctx p, q;
	perf_prepare(&p, &T, &TW, &base);
	perf_prepare(&q, &T, &TW, &swap);

	/* L = 8.  Linear layers: 8 tokens * 0.96 + 1.2 = 8.88 us against the
	 * weights' 2.4 us: compute-bound. */
	const double lin8 = 8 * 48 / 50e6 + 6 * 10 / 50e6;
	ck_assert(lin8 > 960 / 400e6);
	/* Causal K/V tokens: Q blocks of 4 cut from the end end at 8 and 4;
	 * each streams whole K/V blocks of 3 up to its end, at most L:
	 * min(ceil(8/3)*3, 8) = min(9, 8) = 8 and min(ceil(4/3)*3, 8) = 6: 14.
	 * Naive: 2 blocks * 8 = 16. */
	ck_assert_int_eq(engine_pre_kv_tokens(8, 4, 3, false), 8 + 6);
	ck_assert_int_eq(perf_kv_tokens_closed(8, 4, 3), 8 + 6);
	ck_assert_int_eq(engine_pre_kv_tokens(8, 4, 3, true), 2 * 8);
	/* Attention compute: per K/V token Q.K and S.V, each ceil(12/1) = 12
	 * cycles, so 24; 2 heads * (14 * 24 + 2 blocks * 4) = 688 cycles at
	 * 25e6/s = 27.52 us. */
	const double att8_c = 2 * (14 * 24 + 2 * 4) / 25e6;
	/* Its traffic: HP0 reads Q 8*48 = 384 and K 14*48 = 672 = 1056 B,
	 * writes the prompt's K 384 B; HP1 reads V 672 B, writes V 384 + O 384
	 * = 768 B.  Channels: 1056/400e6 = 2.64 us is the longest; C0 carries
	 * 1056 + 384 + 672 + 768 = 2880 B: 2880/0.5e9 = 5.76 us. */
	const double att8_b = (1056 + 384 + 672 + 768) / 0.5e9;
	ck_assert(att8_b > 1056 / 400e6);
	ck_assert(att8_c > att8_b); /* compute-bound */
	near("base attention, L=8", perf_prefill_attn_s(&p, 8, false), att8_c);
	/* naive: 2 * (16 * 24 + 8) = 784 cycles = 31.36 us; its traffic, with
	 * 16 K and V tokens, 3072 B on C0 = 6.144 us: compute-bound */
	near("base naive attention, L=8", perf_prefill_attn_s(&p, 8, true), 2 * (16 * 24 + 2 * 4) / 25e6);
	/* prefill = 2 layers * (8.88 + 27.52) = 72.8 us; TTFT adds the LM head */
	near("base prefill, L=8", perf_prefill_s(&p, 8), 2 * (lin8 + att8_c));
	near("base TTFT, L=8", perf_ttft_s(&p, 8), 2 * (lin8 + att8_c) + 10e-6);

	/* L = 1.  Linear: 0.96 + 1.2 = 2.16 us, less than the weights' 2.4 us:
	 * weight-bound.  One Q block ending at 1 sees min(3, 1) = 1 token:
	 * 2 * (1 * 24 + 1 * 4) = 56 cycles = 2.24 us; traffic 96 + 48 + 48 + 96
	 * = 288 B on C0 = 0.576 us: compute-bound. */
	const double lin1 = 960 / 400e6, att1 = 2 * (1 * 24 + 1 * 4) / 25e6;
	ck_assert(48 / 50e6 + 6 * 10 / 50e6 < lin1);
	ck_assert(att1 > 288 / 0.5e9);
	near("base attention, L=1", perf_prefill_attn_s(&p, 1, false), att1);
	near("base prefill, L=1", perf_prefill_s(&p, 1), 2 * (lin1 + att1));

	/* The PD-Swap design's prefill RM has 6 lanes: ceil(12/6) = 2 cycles
	 * per pass, 4 per token: 2 * (14 * 4 + 2 * 4) = 128 cycles = 5.12 us,
	 * less than the same 5.76 us of traffic: bandwidth-bound. */
	const double att8_swap_c = 2 * (14 * 4 + 2 * 4) / 25e6;
	ck_assert(att8_swap_c < att8_b);
	near("swap attention, L=8", perf_prefill_attn_s(&q, 8, false), att8_b);
	/* prefill = 2 * (8.88 + 5.76) = 29.28 us; TTFT 39.28 us */
	near("swap TTFT, L=8", perf_ttft_s(&q, 8), 2 * (lin8 + att8_b) + 10e-6);
}
END_TEST

/*
 * Decode steps.  Linear layers of one token: 0.96 + 1.2 = 2.16 us against
 * the weights' 2.4 us: weight-bound in every step.
 */
START_TEST(tiny_decode_by_hand)
{
	design_t base = tiny_design("base"), swap = tiny_design("swap");
	perf_ctx p, q;
	perf_prepare(&p, &T, &TW, &base);
	perf_prepare(&q, &T, &TW, &swap);
	const double lin = 960 / 400e6;
	ck_assert(48 / 50e6 + 6 * 10 / 50e6 < lin);

	/* base (4 lanes: ceil(12/4) = 3 cycles per key and pass; port map
	 * split, no preload), 4 keys:
	 *   Q.K: 2 heads * (4 * 3 + 4) = 32 cycles = 1.28 us; its traffic Q 48 +
	 *     K 4*48 = 240 B on HP0 = 0.6 us: compute;
	 *   softmax: 2 * (4 + 4) = 16 cycles = 0.64 us;
	 *   S.V: 1.28 us; its traffic HP1 reads V 192 B (0.48 us), HP0 writes
	 *     the new K 48 B, HP1 the new V and O, 96 B; C0 carries 336 B =
	 *     0.672 us: compute.
	 *   attention 1.28 + 0.64 + 1.28 = 3.2 us; step 2 * (2.4 + 3.2) + 10. */
	const double dot4 = 2 * (4 * 3 + 4) / 25e6, soft4 = 2 * (4 + 4) / 25e6;
	ck_assert(dot4 > 240 / 400e6 && dot4 > 336 / 0.5e9);
	near("base step, 4 keys", perf_decode_step_s(&p, 4), 2 * (lin + dot4 + soft4 + dot4) + 10e-6);
	near("base rate, 4 keys", perf_decode_tok_s(&p, 4), 1 / (2 * (lin + dot4 + soft4 + dot4) + 10e-6));

	/* swap (12 lanes: 1 cycle per key and pass; port map kv2: Q preloaded,
	 * K and V split over HP0 and HP1, O written after the K/V stream):
	 *   Q preload: 48 B on HP0 = 0.12 us, plus the 1 us latency;
	 *   Q.K: 2 * (c + 4) cycles; K traffic 24c B on each port, 0.06c us
	 *     apiece, but C0 carries 48c B: 0.096c us;
	 *   softmax: 2 * (c + 4) cycles;
	 *   S.V: 2 * (c + 4) cycles; traffic 24c B read and 48 B written (the
	 *     new K and V, split) on each port; C0 carries 48c + 96 B:
	 *     (0.096c + 0.192) us;
	 *   O: 48 B on HP1 = 0.12 us, plus the latency.
	 * 4 keys: Q.K 16 cycles = 0.64 us vs 0.384 us and S.V 0.64 vs 0.576 us:
	 * compute-bound, attention 1.12 + 0.64 + 0.64 + 0.64 + 1.12 = 4.16 us. */
	const double pre_q = 48 / 400e6 + 1e-6, post_o = 48 / 400e6 + 1e-6;
	const double d4 = 2 * (4 + 4) / 25e6;
	ck_assert(d4 > 4 * 48 / 0.5e9 && d4 > (4 * 48 + 96) / 0.5e9);
	near("swap step, 4 keys", perf_decode_step_s(&q, 4), 2 * (lin + pre_q + d4 + d4 + d4 + post_o) + 10e-6);
	/* 64 keys: Q.K 2 * 68 = 136 cycles = 5.44 us vs K 6.144 us, S.V 5.44 vs
	 * 6.336 us: bandwidth-bound, held to C0 (each port alone: 3.84 us):
	 * attention 1.12 + 6.144 + 5.44 + 6.336 + 1.12 = 20.16 us. */
	const double d64 = 2 * (64 + 4) / 25e6, k64 = 64 * 48 / 0.5e9, v64 = (64 * 48 + 96) / 0.5e9;
	ck_assert(d64 < k64 && d64 < v64 && 64 * 24 / 400e6 < k64);
	near("swap step, 64 keys", perf_decode_step_s(&q, 64), 2 * (lin + pre_q + k64 + d64 + v64 + post_o) + 10e-6);
	/* 9 keys, between the two: Q.K 26 cycles = 1.04 us vs K 0.864 us
	 * (compute), S.V 1.04 vs 1.056 us (bandwidth) */
	const double d9 = 2 * (9 + 4) / 25e6, k9 = 9 * 48 / 0.5e9, v9 = (9 * 48 + 96) / 0.5e9;
	ck_assert(d9 > k9 && d9 < v9);
	near("swap step, 9 keys", perf_decode_step_s(&q, 9), 2 * (lin + pre_q + d9 + d9 + v9 + post_o) + 10e-6);
}
END_TEST

/*
 * The same swap design with the other two decode dataflows (12 lanes: 1
 * cycle per key and pass; 2 heads; depth 4; Q preloaded, O written after
 * the K/V stream as above, 1.12 us each).  K and V are both split over
 * HP0 and HP1, which share C0 (0.5 GB/s); one port alone moves 400 MB/s.
 */
START_TEST(tiny_decode_dataflows_by_hand)
{
	design_t swap = tiny_design("swap");
	perf_ctx q;
	const double lin = 960 / 400e6, pre_q = 48 / 400e6 + 1e-6, post_o = 48 / 400e6 + 1e-6;

	/* kv_overlap: one pass of 2 heads * (2c + 4) cycles beside all of K and V
	 * and the append: C0 carries 48c + 48c + 96 B.
	 *   2 keys:  16 cycles = 0.64 us vs 288 B = 0.576 us: compute-bound;
	 *   64 keys: 264 cycles = 10.56 us vs 6240 B = 12.48 us: bandwidth-bound. */
	swap.dec_dataflow = DF_KV_OVERLAP;
	perf_prepare(&q, &T, &TW, &swap);
	const double c2 = 2 * (2 * 2 + 4) / 25e6, b2 = (96 * 2 + 96) / 0.5e9;
	ck_assert(c2 > b2);
	near("kv_overlap step, 2 keys", perf_decode_step_s(&q, 2), 2 * (lin + pre_q + c2 + post_o) + 10e-6);
	const double c64 = 2 * (2 * 64 + 4) / 25e6, b64 = (96 * 64 + 96) / 0.5e9;
	ck_assert(c64 < b64);
	near("kv_overlap step, 64 keys", perf_decode_step_s(&q, 64), 2 * (lin + pre_q + b64 + post_o) + 10e-6);

	/* head_pipeline, 64 keys, per head: Q.K 68 cycles = 2.72 us beside K 1536 B
	 * on C0 = 3.072 us, then softmax 2.72 us: A = 5.792 us; S.V 2.72 us beside
	 * V 3.072 us: B = 3.072 us, the last head's with the 96 B append 3.264 us;
	 * both streams at once 6.144 us.  Two heads: A, one step of
	 * max(A, B, 6.144) = 6.144 us, the last B:
	 * attention 1.12 + 5.792 + 6.144 + 3.264 + 1.12 = 17.44 us. */
	swap.dec_dataflow = DF_HEAD_PIPE;
	perf_prepare(&q, &T, &TW, &swap);
	const double qk = 68 / 25e6, tk = 1536 / 0.5e9, A = tk + qk, B = tk, Bl = (1536 + 96) / 0.5e9, P = 2 * tk;
	ck_assert(qk < tk && P > A && P > B && Bl > qk);
	near("head_pipeline step, 64 keys", perf_decode_step_s(&q, 64), 2 * (lin + pre_q + A + P + Bl + post_o) + 10e-6);
	near("head_pipeline attention, 64 keys", perf_decode_layer(&q, 64).att_s, 17.44e-6);
	/* two MAC arrays: the decode RM costs twice its lanes, 24 * {50, 50, 1.5, 0.25, 1} */
	perf_res r;
	perf_resources(&q, &r);
	const double dec2[RES_N] = {24 * 50, 24 * 50, 24 * 1.5, 24 * 0.25, 24 * 1};
	for (int i = 0; i < RES_N; i++)
		near("head_pipeline decode RM", r.r_dec.v[i], dec2[i]);
}
END_TEST

/* Resources: per-unit costs times units, fixed blocks, max against sum. */
START_TEST(tiny_resources_by_hand)
{
	design_t base = tiny_design("base"), swap = tiny_design("swap");
	perf_ctx p;
	perf_res r;
	/* static region: T*Q = 4*8 = 32 table-lanes * {100, 200, 0.5, 0, 1}
	 * = {3200, 6400, 16, 0, 32}, plus RMSNorm/FindMax {500, 1000, 2, 1, 4}
	 * and the rest {1000, 2000, 10, 2, 0}: {4700, 9400, 28, 3, 36} */
	const double stat[RES_N] = {32 * 100 + 500 + 1000, 32 * 200 + 1000 + 2000, 32 * 0.5 + 2 + 10, 0 + 1 + 2,
				    32 * 1 + 4 + 0};
	/* swap: prefill RM 4 PEs * 6 lanes = 24 MAC lanes * {50, 100, 0.5, 0, 1}
	 * = {1200, 2400, 12, 0, 24}; decode RM 12 lanes * {50, 50, 1.5, 0.25, 1}
	 * = {600, 600, 18, 3, 12}.  The RP holds one at a time: per type the
	 * larger, {1200, 2400, 18, 3, 24} (prefill for LUT, FF, DSP; decode for
	 * BRAM and URAM). */
	const double pre[RES_N] = {24 * 50, 24 * 100, 24 * 0.5, 0, 24 * 1};
	const double dec[RES_N] = {12 * 50, 12 * 50, 12 * 1.5, 12 * 0.25, 12 * 1};
	const double rm[RES_N] = {1200, 2400, 18, 3, 24};
	perf_prepare(&p, &T, &TW, &swap);
	perf_resources(&p, &r);
	for (int i = 0; i < RES_N; i++) {
		near("static region", r.r_static.v[i], stat[i]);
		near("prefill RM", r.r_pre.v[i], pre[i]);
		near("decode RM", r.r_dec.v[i], dec[i]);
		near("dpr total: static + max", r.r_total.v[i], stat[i] + rm[i]);
		near("equivalent: static + both", r.r_equiv.v[i], stat[i] + pre[i] + dec[i]);
	}
	near("dpr LUT share", r.util.v[RES_LUT], (4700 + 1200) / 10000.0);
	/* the pblock: 20 CLB tiles * {100 LUT, 200 FF}, 3 DSP tiles * 10,
	 * 4 BRAM tiles * 5, 4 URAM sites */
	const double cap[RES_N] = {20 * 100, 20 * 200, 4 * 5, 4, 3 * 10};
	for (int i = 0; i < RES_N; i++)
		near("pblock capacity", r.rp_cap.v[i], cap[i]);
	/* feasible: the RM within 0.8 of the pblock's LUT/FF (1200 <= 1600,
	 * 2400 <= 3200) and within its sites (18 <= 20, 3 <= 4, 24 <= 30); the
	 * static region within 0.9 (LUT, FF) or all (the rest) of what is
	 * outside (4700 <= 0.9 * 8000, ..., 36 <= 70); the total within the caps */
	ck_assert_msg(r.feasible, "%s", r.why);
	/* a routability margin of 0.5 leaves 1000 LUT for an RM that needs 1200 */
	T.cons.rp_margin = 0.5;
	perf_resources(&p, &r);
	ck_assert(!r.feasible);
	ck_assert_str_eq(r.why, "prefill RM needs 1200.0 lut but pblock 'rp0' offers 1000.0 at 50% routability");
	T.cons.rp_margin = 0.8;

	/* base, static: both engines beside the static region.  Prefill 4 PEs
	 * * 1 lane = 4 MAC lanes * {50, 100, 0.5, 0, 1} = {200, 400, 2, 0, 4};
	 * decode 4 lanes * {50, 50, 1.5, 0.25, 1} = {200, 200, 6, 1, 4};
	 * total = sum: {5100, 10000, 36, 4, 44} */
	const double sum[RES_N] = {4700 + 200 + 200, 9400 + 400 + 200, 28 + 2 + 6, 3 + 0 + 1, 36 + 4 + 4};
	perf_prepare(&p, &T, &TW, &base);
	perf_resources(&p, &r);
	for (int i = 0; i < RES_N; i++) {
		near("static total: sum", r.r_total.v[i], sum[i]);
		near("static equivalent", r.r_equiv.v[i], sum[i]);
	}
	ck_assert(r.feasible);
}
END_TEST

/* The partial bitstream, PCAP and the swap after a prefill of 8 tokens. */
START_TEST(tiny_swap_by_hand)
{
	design_t swap = tiny_design("swap");
	perf_ctx p;
	figures r;
	perf_prepare(&p, &T, &TW, &swap);
	/* rp0's frames: 20 CLB tiles * 10 = 200; 3 DSP tiles * 5 = 15; 4 BRAM
	 * tiles * (2 + 8) = 40; 4 URAM sites, 2 to a tile: 4 * 4 / 2 = 8;
	 * interconnect: one tile per two of 20 + 3 + 4 + ceil(4/2) = 29,
	 * ceil(29/2) = 15 * 20 = 300.  563 frames * 100 B + 1000 B = 57300 B. */
	near("bitstream", p.bitstream_bytes, (200 + 15 + 40 + 8 + 300) * 100 + 1000);
	/* at idle DDR: 57300 B / 100 MB/s = 573 us, plus 0.1 ms setup */
	const double pcap_idle = 57300 / 100e6 + 0.1e-3;
	near("PCAP at idle DDR", p.pcap_idle_s, pcap_idle);
	perf_run_eval(&p, 8, 2, &r);
	/* the last layer's tail, O and FFN of 8 tokens: 8 * 0.6 + 3 * 10 cycles
	 * = 5.4 us against their 600 B of weights, 1.5 us: compute */
	const double tail = 8 * 30 / 50e6 + 3 * 10 / 50e6;
	ck_assert(tail > 600 / 400e6);
	near("tail", r.tail_overlap_s, tail);
	/* DDR load meanwhile: 600 B / 5.4 us / 1e9 B/s = 1/9; PCAP slows by
	 * 1 + 2 * 1/9; the swap adds the 1 ms PS path */
	near("DDR load during the tail", r.pcap_load, 600 / tail / 1e9);
	near("PCAP", r.pcap_s, pcap_idle * (1 + 2 * (600 / tail / 1e9)));
	const double sw = pcap_idle * (1 + 2 * (600 / tail / 1e9)) + 1e-3;
	near("swap", r.swap_s, sw);
	/* hidden: the tail and the first token's LM head, 10 us */
	near("swap exposed", r.swap_exposed_s, sw - tail - 10e-6);
	near("bitstream of the run", r.bitstream_bytes, 57300);
	/* the run's prefill (29.28 us + the LM head) and first decode step
	 * (9 keys, tiny_decode_by_hand) */
	near("run TTFT", r.ttft_s, 2 * ((8 * 48 + 6 * 10) / 50e6 + 2880 / 0.5e9) + 10e-6);
	const double step9 = 2 * (960 / 400e6 + (48 / 400e6 + 1e-6) + 2 * (9 + 4) / 25e6 + 2 * (9 + 4) / 25e6 +
				  (9 * 48 + 96) / 0.5e9 + (48 / 400e6 + 1e-6)) +
			     10e-6;
	near("first decode step", r.decode_first_step_s, step9);
}
END_TEST

Suite *perf_suite(void)
{
	Suite *s = suite_create("perf");
	TCase *t = tcase_create("model");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, more_pes_never_slower);
	tcase_add_test(t, longer_context_never_faster);
	tcase_add_test(t, port_roofline);
	tcase_add_test(t, shared_controller_port_caps);
	tcase_add_test(t, resource_rule_max_vs_sum);
	tcase_add_test(t, constraint_edges);
	tcase_add_test(t, outstanding_matters_where_in_flight_binds);
	tcase_add_test(t, swap_exposure);
	tcase_add_test(t, run_totals_consistent);
	suite_add_tcase(s, t);
	TCase *h = tcase_create("tiny");
	tcase_add_checked_fixture(h, tiny_setup, tiny_teardown);
	tcase_add_test(h, tiny_building_blocks);
	tcase_add_test(h, tiny_controller_port_shared);
	tcase_add_test(h, tiny_prefill_by_hand);
	tcase_add_test(h, tiny_decode_by_hand);
	tcase_add_test(h, tiny_decode_dataflows_by_hand);
	tcase_add_test(h, tiny_resources_by_hand);
	tcase_add_test(h, tiny_swap_by_hand);
	suite_add_tcase(s, h);
	return s;
}
