/*
 * check_profile.c - measured profiles (models/profile.h) on hand-made
 * measurements: exact at the measured points, monotone and within the
 * data between them, the parametric shape outside (the formula worked
 * here), the merge of points at one x, the families, the efficiency of a
 * csynth latency against the loop nest counted by hand, and a profile
 * that changes the predicted figure and says so.
 */
#include <math.h>
#include <string.h>

#include "models/engine.h"
#include "models/perf.h"
#include "models/profile.h"
#include "models/workload.h"
#include "sim/des.h"
#include "suites.h"
#include "testutil.h"

/* A measurement of a prefill engine of pe x 4 lanes at 250 MHz. */
static cfg_import pre(int64_t id, int pe, double lut, double dsp, bool csynth)
{
	cfg_import m;
	memset(&m, 0, sizeof m);
	m.id = id;
	m.csynth = csynth;
	m.scope = MEAS_PREFILL;
	m.d.clock_mhz = 250;
	m.d.pre_pe = pe;
	m.d.pre_lanes = 4;
	for (int t = 0; t < RES_N; t++)
		m.res.v[t] = NAN;
	m.res.v[RES_LUT] = lut;
	m.res.v[RES_DSP] = dsp;
	m.latency_worst = m.target_clock_ns = m.est_clock_ns = m.bram18 = NAN;
	return m;
}

static design_t at(const cfg_t *c, int pe)
{
	design_t d = c->designs[cfg_find_design(c, "pdswap")].d;
	d.clock_mhz = 250;
	d.pre_pe = pe;
	d.pre_lanes = 4;
	return d;
}

START_TEST(exact_monotone_extrapolated)
{
	cfg_t c;
	tu_load_default(&c);
	/* four points, LUT rising unevenly, DSP falling then rising (not monotone) */
	const int pes[] = {4, 8, 12, 20};
	const double luts[] = {11000, 20000, 29000, 41000}, dsps[] = {100, 90, 250, 400};
	for (int i = 0; i < 4; i++)
		c.imports[c.n_imports++] = pre(10 + i, pes[i], luts[i], dsps[i], true);
	profile_prov pv;
	for (int i = 0; i < 4; i++) {
		design_t d = at(&c, pes[i]);
		ck_assert_double_eq(profile_value(&c, MEAS_PREFILL, &d, PF_LUT, &pv), luts[i]);
		ck_assert_int_eq(pv.how, PROFILE_MEASURED);
		ck_assert_int_eq(pv.id_lo, 10 + i);
		ck_assert_double_eq(profile_value(&c, MEAS_PREFILL, &d, PF_DSP, NULL), dsps[i]);
		ck_assert_double_eq(engine_res_pre(&c, &d).v[RES_LUT], luts[i]);
	}
	/* between: monotone where the data are, within each interval's ends;
	 * units step 4 per PE, every lane count of the engine's units checked */
	double last = -1;
	for (int pe = 4; pe <= 20; pe++) {
		design_t d = at(&c, pe);
		double v = profile_value(&c, MEAS_PREFILL, &d, PF_LUT, &pv);
		ck_assert_msg(v >= last, "LUT not monotone at pe %d: %g after %g", pe, v, last);
		last = v;
		int k = 0;
		while (k < 3 && pes[k + 1] < pe)
			k++;
		ck_assert(v >= luts[k] - 1e-9 && v <= luts[k + 1] + 1e-9);
		if (pe != 4 && pe != 8 && pe != 12 && pe != 20)
			ck_assert_int_eq(pv.how, PROFILE_INTERPOLATED);
	}
	/* Steffen's interpolant does not overshoot: on the falling segment the
	 * DSP figure stays between 90 and 100 */
	for (int u = 17; u < 32; u++) {
		design_t d = at(&c, 4);
		d.pre_pe = 1;
		d.pre_lanes = u; /* 1 x u units */
		double v = profile_value(&c, MEAS_PREFILL, &d, PF_DSP, NULL);
		ck_assert_msg(v >= 90 - 1e-9 && v <= 100 + 1e-9, "DSP %g at %d units", v, u);
	}
	/* outside: the parametric shape from the nearer end, per MAC lane here */
	design_t d = at(&c, 30); /* 120 units, beyond the 80 of pe 20 */
	double v = profile_value(&c, MEAS_PREFILL, &d, PF_LUT, &pv);
	ck_assert_int_eq(pv.how, PROFILE_EXTRAPOLATED);
	ck_assert_double_eq_tol(v, 41000.0 * 120 / 80, 1e-6);
	d = at(&c, 2); /* 8 units, below the 16 of pe 4 */
	ck_assert_double_eq_tol(profile_value(&c, MEAS_PREFILL, &d, PF_LUT, &pv), 11000.0 * 8 / 16, 1e-6);
	ck_assert_int_eq(pv.id_lo, 10);
	/* a figure the points do not give (FF) stays parametric */
	ck_assert_double_eq(profile_value(&c, MEAS_PREFILL, &d, PF_FF, &pv), c.cal.pre_per_mac.r.v[RES_FF] * 8);
	ck_assert_int_eq(pv.how, PROFILE_PARAMETRIC);
	/* a parametric cost of 0 (URAM of a design that costs none) extrapolates by the difference */
	c.cal.pre_per_mac.r.v[RES_URAM] = 0;
	cfg_import u = pre(30, 8, 20000, 90, true);
	u.res.v[RES_URAM] = 3;
	c.imports[c.n_imports++] = u;
	d = at(&c, 30);
	ck_assert_double_eq(profile_value(&c, MEAS_PREFILL, &d, PF_URAM, &pv), 3);
	ck_assert_int_eq(pv.how, PROFILE_EXTRAPOLATED);
	cfg_release(&c);
}
END_TEST

/* Points at one x: a Vivado report replaces a csynth estimate, the same
 * kinds average; other clocks and dataflows are other families. */
START_TEST(merge_and_families)
{
	cfg_t c;
	tu_load_default(&c);
	c.imports[c.n_imports++] = pre(1, 8, 20000, 100, true);
	c.imports[c.n_imports++] = pre(2, 8, 22000, 110, true);
	design_t d = at(&c, 8);
	ck_assert_double_eq(profile_value(&c, MEAS_PREFILL, &d, PF_LUT, NULL), 21000);
	c.imports[c.n_imports++] = pre(3, 8, 25000, 120, false);
	c.imports[c.n_imports++] = pre(4, 8, 27000, 130, false);
	profile_prov pv;
	ck_assert_double_eq(profile_value(&c, MEAS_PREFILL, &d, PF_LUT, &pv), 26000);
	ck_assert_int_eq(pv.id_lo, 3);
	ck_assert_int_eq(pv.n_points, 1);
	/* another clock: no point */
	d.clock_mhz = 200;
	ck_assert(!profile_has(&c, MEAS_PREFILL, &d));
	ck_assert_double_eq(profile_value(&c, MEAS_PREFILL, &d, PF_LUT, NULL), c.cal.pre_per_mac.r.v[RES_LUT] * 32);
	/* decode: another dataflow is another family */
	cfg_import dm = pre(5, 1, 9000, 80, true);
	dm.scope = MEAS_DECODE;
	dm.d.dec_lanes = 16;
	dm.d.dec_dataflow = DF_KV_OVERLAP;
	c.imports[c.n_imports++] = dm;
	design_t e = at(&c, 8);
	e.dec_lanes = 16;
	e.dec_dataflow = DF_KV_OVERLAP;
	ck_assert_double_eq(engine_res_dec(&c, &e).v[RES_LUT], 9000);
	e.dec_dataflow = DF_SERIAL;
	ck_assert_double_eq(engine_res_dec(&c, &e).v[RES_LUT], c.cal.dec_per_mac.r.v[RES_LUT] * 16);
	/* head_pipeline counts twice the lanes: a point at 16 lanes is 32 units */
	dm.d.dec_dataflow = DF_HEAD_PIPE;
	dm.id = 6;
	c.imports[c.n_imports++] = dm;
	e.dec_dataflow = DF_HEAD_PIPE;
	ck_assert_int_eq(profile_units(MEAS_DECODE, &e), 32);
	ck_assert_double_eq(engine_res_dec(&c, &e).v[RES_LUT], 9000);
	cfg_release(&c);
}
END_TEST

/* The efficiency of a csynth latency: the loop nest at its bounds counted
 * here (prefill: every Q block of a 2048-token prompt streams all of it,
 * 2 ceil(96/4) cycles a key, attn_depth per block, 16 heads). */
START_TEST(efficiency_by_hand)
{
	cfg_t c;
	tu_load_default(&c);
	cfg_import m = pre(7, 8, 20000, 170, true);
	m.loop_bound = 2048;
	m.latency_worst = 5e8;
	m.est_clock_ns = 3.612;
	long long blocks = 2048 / 8, depth = llround(c.cal.attn_depth.value);
	long long cyc = 16 * (blocks * 2048 * 2 * 24 + blocks * depth);
	ck_assert_double_eq_tol(profile_point_eta(&c, &m), (double)cyc / 5e8, 1e-12);
	/* decode: one query against 2048 keys, kv_overlap: 16 heads x (2 x 2048 x ceil(96/16) + depth) */
	cfg_import dm = m;
	dm.scope = MEAS_DECODE;
	dm.d.dec_lanes = 16;
	dm.d.dec_dataflow = DF_KV_OVERLAP;
	dm.latency_worst = 6.5e6;
	ck_assert_double_eq_tol(profile_point_eta(&c, &dm), 16.0 * (2 * 2048 * 6 + depth) / 6.5e6, 1e-12);
	/* tlmm: a tile of 10 tokens through the largest K (4096) x N (4096): ceil(4096/84) x ceil(4096/8) */
	cfg_import tm = m;
	tm.scope = MEAS_TLMM;
	tm.d.tlmm_tables = 28;
	tm.d.tlmm_lanes = 8;
	tm.loop_bound = 10;
	tm.latency_worst = 3e5;
	long long tdepth = llround(c.cal.tlmm_depth.value);
	ck_assert_double_eq_tol(profile_point_eta(&c, &tm), (10.0 * 49 * 512 + tdepth) / 3e5, 1e-12);
	/* no latency or no bound: no efficiency */
	m.latency_worst = NAN;
	ck_assert(isnan(profile_point_eta(&c, &m)));
	m.latency_worst = 5e8;
	m.csynth = false;
	ck_assert(isnan(profile_point_eta(&c, &m)));
	/* fmax from the estimated clock */
	m.csynth = true;
	c.imports[c.n_imports++] = m;
	design_t d = at(&c, 8);
	ck_assert_double_eq_tol(profile_value(&c, MEAS_PREFILL, &d, PF_FMAX, NULL), 1000 / 3.612, 1e-9);
	ck_assert_double_eq_tol(engine_eta(&c, MEAS_PREFILL, &d), (double)cyc / 5e8, 1e-12);
	/* the other engines keep the calibrated efficiencies */
	ck_assert_double_eq(engine_eta(&c, MEAS_DECODE, &d), c.cal.eta_attn.value);
	ck_assert_double_eq(engine_eta(&c, MEAS_TLMM, &d), c.cal.eta_tlmm.value);
	cfg_release(&c);
}
END_TEST

/* A profile that replaces the parametric model changes the predicted
 * figure (both models) and its provenance says so. */
START_TEST(replaces_the_parametric_figure)
{
	cfg_t c;
	tu_load_default(&c);
	design_t d = c.designs[cfg_find_design(&c, "pdswap")].d;
	workload_t w;
	workload_init(&w, &c.model);
	perf_ctx p0, p1;
	perf_prepare(&p0, &c, &w, &d);
	double att0 = perf_prefill_attn_s(&p0, 768, false), lut0 = p0.r_pre.v[RES_LUT];
	char buf[2048];
	ck_assert_int_eq(profile_explain(&c, &d, buf, sizeof buf), 0);
	/* the prefill engine at its measured point runs at twice the efficiency, with other LUTs */
	cfg_import m = pre(42, d.pre_pe, 0.9 * lut0, 200, true);
	m.d.clock_mhz = d.clock_mhz;
	m.loop_bound = c.model.max_context;
	m.scope = MEAS_PREFILL;
	int64_t cyc = engine_bound_cycles(&c, &w, &m);
	m.latency_worst = (double)cyc / (2 * c.cal.eta_attn.value);
	c.imports[c.n_imports++] = m;
	perf_prepare(&p1, &c, &w, &d);
	ck_assert_double_eq_tol(p1.eta_pre, 2 * c.cal.eta_attn.value, 1e-12);
	ck_assert_double_eq(p1.r_pre.v[RES_LUT], 0.9 * lut0);
	double att1 = perf_prefill_attn_s(&p1, 768, false);
	ck_assert_msg(att1 < att0, "prefill attention %g, parametric %g", att1, att0);
	/* where compute bounds it, exactly half */
	double comp0 = (double)engine_pre_cycles(&w, 768, d.pre_pe, d.pre_lanes, d.pre_block,
						 llround(c.cal.attn_depth.value), false) /
		       (d.clock_mhz * 1e6 * c.cal.eta_attn.value);
	if (att0 == comp0)
		ck_assert_double_eq_tol(att1, att0 / 2, 1e-12 * att0);
	/* the DES follows */
	des_result r0, r1;
	char err[256];
	cfg_t c0 = c;
	c0.n_imports = 0;
	ck_assert(des_run(&c0, &w, &d, 256, 0, NULL, &r0, err, sizeof err) == 0);
	ck_assert(des_run(&c, &w, &d, 256, 0, NULL, &r1, err, sizeof err) == 0);
	ck_assert(r1.f.prefill_attention_s < r0.f.prefill_attention_s);
	int n = profile_explain(&c, &d, buf, sizeof buf);
	ck_assert_int_eq(n, 3); /* lut, dsp, eta */
	ck_assert_msg(strstr(buf, "prefill lut") && strstr(buf, "measured") && strstr(buf, "measurement 42"), "%s", buf);
	/* the decode engine and the TLMM keep their parametric figures */
	ck_assert_double_eq(p1.r_dec.v[RES_LUT], p0.r_dec.v[RES_LUT]);
	ck_assert_double_eq(p1.eta_tlmm, p0.eta_tlmm);
	cfg_release(&c);
}
END_TEST

Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *t = tcase_create("profile");
	tcase_add_test(t, exact_monotone_extrapolated);
	tcase_add_test(t, merge_and_families);
	tcase_add_test(t, efficiency_by_hand);
	tcase_add_test(t, replaces_the_parametric_figure);
	suite_add_tcase(s, t);
	return s;
}
