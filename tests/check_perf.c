/*
 * check_perf.c - properties of the analytic model: monotonicity, the
 * roofline of a port, the resource constraint's edges, the swap overlap.
 */
#include <math.h>

#include "models/engine.h"
#include "models/perf.h"
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
	/* one stream on one port: peak-limited with many outstanding, latency-limited with few */
	design_t d = named("tellme");
	perf_ctx p;
	d.dec_outstanding = 256;
	perf_prepare(&p, &C, &W, &d);
	double peak = 16 * 250e6 * C.cal.eta_port.value;
	ck_assert_double_eq_tol(p.bw_dec[0], peak, 1);
	d.dec_outstanding = 1;
	d.dec_burst = 4;
	perf_prepare(&p, &C, &W, &d);
	double lat = C.cal.ddr_latency_ns.value * 1e-9;
	ck_assert_double_eq_tol(p.bw_dec[0], 4 * 16 / lat, 1);
	/* a load on one port takes bytes / bw; on two ports of different controllers, half */
	portload_t pl = {{0}, {0}};
	pl.rd[0] = 1e6;
	ck_assert_double_eq_tol(perf_port_time(&p, &pl, p.bw_dec), 1e6 / p.bw_dec[0], 1e-12);
	pl.rd[0] = pl.rd[3] = 5e5;
	ck_assert_double_eq_tol(perf_port_time(&p, &pl, p.bw_dec), 5e5 / p.bw_dec[0], 1e-12);
}
END_TEST

START_TEST(shared_controller_port_caps)
{
	/* HP1 and HP2 share S4: with huge per-port bandwidth the controller peak binds */
	perf_ctx p;
	design_t d = named("tellme");
	perf_prepare(&p, &C, &W, &d);
	double bw[CFG_MAX_HP];
	for (int i = 0; i < CFG_MAX_HP; i++)
		bw[i] = 1e15;
	portload_t pl = {{0}, {0}};
	pl.rd[1] = pl.rd[2] = 1e9;
	double t = perf_port_time(&p, &pl, bw);
	ck_assert_double_eq_tol(t, 2e9 / (9.6e9), 1e-9);
	/* spread over S3 and S5 instead: the DDR total binds */
	pl.rd[1] = pl.rd[2] = 0;
	pl.rd[0] = pl.rd[3] = 1e9;
	t = perf_port_time(&p, &pl, bw);
	ck_assert_double_eq_tol(t, 2e9 / (19.2e9 * C.cal.ddr_efficiency.value), 1e-9);
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

START_TEST(constraint_edges)
{
	design_t d = named("pdswap");
	perf_ctx p;
	perf_res r;
	perf_prepare(&p, &C, &W, &d);
	/* put the LUT cap exactly at the design's use: feasible; a hair below: not */
	C.cons.util_cap.v[RES_LUT] = p.r_total.v[RES_LUT] / C.dev.resources.v[RES_LUT];
	perf_resources(&p, &r);
	ck_assert_msg(r.feasible, "%s", r.why);
	C.cons.util_cap.v[RES_LUT] *= 0.999;
	perf_resources(&p, &r);
	ck_assert(!r.feasible);
	ck_assert_ptr_nonnull(strstr(r.why, "lut"));
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
	tcase_add_test(t, swap_exposure);
	tcase_add_test(t, run_totals_consistent);
	suite_add_tcase(s, t);
	return s;
}
