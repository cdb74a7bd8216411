/*
 * check_calib.c - the fit reproduces the baseline's measurements from a
 * different starting point, respects its plausible ranges, refuses an
 * under-determined problem and reports what the data do not identify; the
 * engine sizes inferred from resources; intervals that cover.
 *
 * Synthetic recovery: coefficients are chosen (none the shipped value),
 * the measurements are generated from the model with them, the free
 * coefficients start elsewhere, and each fitter must return the chosen
 * values.  The tolerances: the resource, PCAP and power fits solve
 * consistent linear equations in closed form or by SVD (condition number
 * below 10 here), so they are exact to rounding; 1e-9 relative is a
 * million times rounding and a millionth of any error a wrong row or
 * slot would make.  The timing fit is iterative (trust region, finite-
 * difference Jacobian, stopping at 1e-10 steps in the logistic
 * coordinate); 1e-4 relative allows for where it stops and is far below
 * the tens of percent the start is away.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/calib.h"
#include "models/engine.h"
#include "models/infer.h"
#include "models/perf.h"
#include "models/platform.h"
#include "models/workload.h"
#include "suites.h"
#include "config/writeback.h"
#include "testutil.h"

/* Move every fitted coefficient away from its fitted value. */
static void perturb(cfg_t *c)
{
	for (int s = 0; s < CAL_N_SLOTS; s++)
		if (cfg_slot_prov(c, s) == PROV_FITTED)
			*cfg_slot(c, s) *= 0.6;
}

START_TEST(fit_reproduces_baseline_within_10pct)
{
	cfg_t c;
	tu_load_default(&c);
	perturb(&c);
	calib_row rows[128];
	int n = calib_rows(&c, rows, 128), off = 0;
	for (int i = 0; i < n; i++)
		off += rows[i].checked && fabs(rows[i].rel_err) > 0.10;
	ck_assert_msg(off > 0, "perturbed coefficients should miss some measurement");
	calib_result res;
	char err[512];
	ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "%s", err);
	ck_assert_int_lt(res.n_timing_free, res.n_timing_points);
	n = calib_rows(&c, rows, 128);
	ck_assert_int_gt(n, 20);
	for (int i = 0; i < n; i++)
		if (rows[i].checked)
			ck_assert_msg(fabs(rows[i].rel_err) <= 0.10, "%s: measured %g predicted %g",
				      rows[i].name, rows[i].measured, rows[i].predicted);
	/* efficiencies stay in (0, 1], overheads >= 0 */
	ck_assert(c.cal.eta_tlmm.value > 0 && c.cal.eta_tlmm.value <= 1);
	ck_assert(c.cal.eta_attn.value > 0 && c.cal.eta_attn.value <= 1);
	ck_assert(c.cal.eta_wload.value > 0 && c.cal.eta_wload.value <= 1);
	ck_assert_int_eq(res.n_unident, 0);
	ck_assert(c.cal.pcap_setup_ms.value >= 0 && c.cal.swap_ps_ms.value >= 0);
	ck_assert(c.cal.k_logic_w.value >= 0);
	cfg_release(&c);
}
END_TEST

START_TEST(fit_is_idempotent_on_fitted_config)
{
	/* the committed config holds the result of its own calibration: fitting
	 * again moves no fitted value beyond the 6 digits write-back keeps */
	cfg_t c, before;
	tu_load_default(&c);
	before = c;
	calib_result res;
	char err[512];
	ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "%s", err);
	for (int s = 0; s < CAL_N_SLOTS; s++) {
		if (cfg_slot_prov(&c, s) != PROV_FITTED)
			continue;
		double a = *cfg_slot(&before, s), b = *cfg_slot(&c, s);
		ck_assert_msg(fabs(a - b) <= 1e-4 * fmax(fabs(a), 1e-9), "%s: config %.9g, refit %.9g",
			      cal_slot_names[s], a, b);
	}
	cfg_release(&c);
}
END_TEST

START_TEST(too_many_free_coefficients_refused)
{
	cfg_t c;
	tu_load_default(&c);
	/* free every timing coefficient: 8 unknowns for 6 timing points */
	c.cal.lm_head_s.prov = PROV_FITTED;
	c.cal.ddr_efficiency.prov = PROV_FITTED;
	c.cal.tlmm_depth.prov = PROV_FITTED;
	c.cal.attn_depth.prov = PROV_FITTED;
	cfg_calib before = c.cal;
	calib_result res;
	char err[512];
	ck_assert_int_eq(calib_fit(&c, &res, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "free timing coefficients"));
	ck_assert_mem_eq(&before, &c.cal, sizeof before);
	cfg_release(&c);
}
END_TEST

START_TEST(unconstrained_coefficient_reported)
{
	/* no baseline stream is bound by the port efficiency (the weights by their
	 * loader, the K/V streams by their bursts in flight): freed, it is reported
	 * as not identified, held at its value, and the rest is fitted as before */
	cfg_t c, ref;
	tu_load_default(&c);
	tu_load_default(&ref);
	c.cal.eta_port.prov = PROV_FITTED;
	double held = c.cal.eta_port.value;
	calib_result res, rr;
	char err[512];
	ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(calib_fit(&ref, &rr, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(res.n_unident, 1);
	ck_assert_int_eq(res.unident[0].slot, CAL_eta_port);
	ck_assert_msg(strstr(res.unident[0].why, "no timing measurement depends on it"), "%s", res.unident[0].why);
	ck_assert_double_eq(c.cal.eta_port.value, held);
	for (int i = 0; i < res.n_changes; i++)
		ck_assert_int_ne(res.ch[i].slot, CAL_eta_port);
	ck_assert_int_eq(res.n_timing_free, rr.n_timing_free);
	for (int s = 0; s < CAL_N_SCALARS; s++)
		ck_assert_double_eq_tol(*cfg_slot(&c, s), *cfg_slot(&ref, s), 1e-9 * fabs(*cfg_slot(&ref, s)));
	cfg_release(&c);
	cfg_release(&ref);
}
END_TEST

/* The board power is fitted at the context it names, not at the first decode point listed. */
START_TEST(power_at_named_context)
{
	cfg_t c, d;
	tu_load_default(&c);
	tu_load_default(&d);
	ck_assert_int_ge(c.meas.n_decode, 2);
	cfg_point t = d.meas.decode[0];
	d.meas.decode[0] = d.meas.decode[1];
	d.meas.decode[1] = t;
	calib_result res;
	char err[512];
	ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(calib_fit(&d, &res, err, sizeof err) == 0, "%s", err);
	ck_assert_double_eq_tol(c.cal.k_logic_w.value, d.cal.k_logic_w.value, 1e-9 * c.cal.k_logic_w.value);
	/* another context is another measurement: the coefficient moves */
	d.meas.power_context = 2048;
	ck_assert_msg(calib_fit(&d, &res, err, sizeof err) == 0, "%s", err);
	ck_assert(fabs(d.cal.k_logic_w.value / c.cal.k_logic_w.value - 1) > 0.01);
	cfg_release(&c);
	cfg_release(&d);
}
END_TEST

START_TEST(write_back_round_trips)
{
	cfg_t c, d;
	char err[512];
	tu_load_default(&c);
	int slots[2] = {cfg_slot_index("eta_tlmm"), cfg_slot_index("pre_per_mac.dsp")};
	double vals[2] = {0.5, 3.25};
	const char *out = "build/test_write_back.yaml";
	ck_assert_msg(writeback_config(&c, out, slots, vals, 2, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(config_load(&d, out, err, sizeof err) == 0, "%s", err);
	ck_assert_double_eq(d.cal.eta_tlmm.value, 0.5);
	ck_assert_double_eq(d.cal.pre_per_mac.r.v[RES_DSP], 3.25);
	ck_assert_double_eq(d.cal.eta_attn.value, c.cal.eta_attn.value);
	ck_assert_str_eq(d.cal.eta_tlmm.source, c.cal.eta_tlmm.source);
	remove(out);
	cfg_release(&c);
	cfg_release(&d);
}
END_TEST

/* ------------------------------------------------------ synthetic recovery */

static const design_t *design_of(const cfg_t *c, const char *name)
{
	int i = cfg_find_design(c, name);
	ck_assert_msg(i >= 0, "no design '%s'", name);
	return &c->designs[i].d;
}

/* Hold every coefficient (the test frees the ones under test). */
static void hold_all(cfg_t *c)
{
#define HOLD_X(nm, ...) c->cal.nm.prov = PROV_ASSUMED;
#define HOLD_R(nm, what) c->cal.nm.prov = PROV_ASSUMED;
	CFG_CAL_SCALARS(HOLD_X)
	CFG_CAL_RESOURCES(HOLD_R)
#undef HOLD_X
#undef HOLD_R
}

/*
 * Overwrite c->meas with what the model predicts under the coefficients
 * now in c->cal: the timing points, power and resources of the baseline
 * (fit_design), Table 2's rows from the PD-Swap design (dpr_design; its
 * static rows are the fixed blocks of the calibration and its TLMM row,
 * its dynamic region a quarter larger than the larger module),
 * one PCAP point per pblock (its bitstream at idle DDR) and the swap of
 * the PD-Swap design's pblock.  The prompts, contexts and sources stay.
 */
static void synth_meas(cfg_t *c)
{
	cfg_meas *m = &c->meas;
	workload_t w;
	workload_init(&w, &c->model);
	const design_t *base = design_of(c, m->fit_design), *dpr = design_of(c, m->dpr_design);
	/* the fit takes the baseline's TLMM to be the size of Table 2's */
	ck_assert_int_eq(engine_tlmm_units(base), engine_tlmm_units(dpr));
	perf_ctx p, q;
	perf_prepare(&p, c, &w, base);
	perf_prepare(&q, c, &w, dpr);
	for (int i = 0; i < m->n_ttft; i++)
		m->ttft[i].value = perf_ttft_s(&p, m->ttft[i].prompt);
	for (int i = 0; i < m->n_decode; i++)
		m->decode[i].value = perf_decode_tok_s(&p, m->decode[i].prompt);
	m->attn_reversed_ms = perf_prefill_attn_s(&p, m->attn_prompt, false) * 1e3;
	m->attn_naive_ms = perf_prefill_attn_s(&p, m->attn_prompt, true) * 1e3;
	int keys = m->power_context;
	perf_layer l = perf_decode_layer(&p, keys);
	m->board_power_w = perf_power_w(&p, true, w.layers * l.bytes / perf_decode_step_s(&p, keys));
	m->baseline_res = p.r_total;
	m->t2_rmsnorm = c->cal.rmsnorm_findmax.r;
	m->t2_other = c->cal.other_static.r;
	m->t2_tlmm = res_add(q.r_static, res_scale(res_add(m->t2_rmsnorm, m->t2_other), -1));
	m->t2_pre = q.r_pre;
	m->t2_dec = q.r_dec;
	m->t2_dynamic = res_scale(res_max(q.r_pre, q.r_dec), 1.25); /* holds either module */
	ck_assert_int_ge(c->arch.n_pblocks, 2);
	m->n_pcap = c->arch.n_pblocks;
	for (int k = 0; k < m->n_pcap; k++) {
		design_t d = *dpr;
		perf_ctx r;
		d.rp = k;
		perf_prepare(&r, c, &w, &d);
		m->pcap_bytes[k] = r.bitstream_bytes;
		m->pcap_ms[k] = r.pcap_idle_s * 1e3;
	}
	m->swap_ms = (q.pcap_idle_s + c->cal.swap_ps_ms.value * 1e-3) * 1e3;
}

static void assert_rel(const char *what, double got, double want, double tol)
{
	ck_assert_msg(fabs(got - want) <= tol * fabs(want), "%s: recovered %.12g, chosen %.12g (rel. error %.2g > %g)",
		      what, got, want, fabs(got / want - 1), tol);
}

/* Every measured point the fit used is met again (the data are the model's own). */
static void assert_rows_met(const cfg_t *c, double tol)
{
	calib_row rows[128];
	int n = calib_rows(c, rows, 128);
	ck_assert_int_gt(n, 20);
	for (int i = 0; i < n; i++)
		if (rows[i].fitted_to && rows[i].measured != 0)
			ck_assert_msg(fabs(rows[i].rel_err) <= tol, "%s: measured %.12g predicted %.12g", rows[i].name,
				      rows[i].measured, rows[i].predicted);
}

/* Make the DPR design's engine sizes known (as stated, not inferred from its rows). */
static void sizes_known(cfg_t *c)
{
	c->designs[cfg_find_design(c, c->meas.dpr_design)].n_inferred = 0;
}

/*
 * TLMM (derived), prefill and decode per-unit costs, every resource type,
 * when the DPR design's sizes are known: its two RM rows and the
 * baseline's attention give three rows for two unknowns per type.
 */
START_TEST(resources_recovered)
{
	cfg_t c;
	tu_load_default(&c);
	hold_all(&c);
	sizes_known(&c);
	const res_t tlmm = {{150, 300, 0.125, 0.0625, 2}}, pre = {{500, 640, 1.25, 0.375, 3.5}},
		    dec = {{700, 900, 0.75, 0.5, 6}};
	c.cal.tlmm_per_unit.r = tlmm;
	c.cal.pre_per_mac.r = pre;
	c.cal.dec_per_mac.r = dec;
	synth_meas(&c);
	/* the premise: no synthetic RM row exceeds the dynamic region, so every row is used */
	for (int t = 0; t < RES_N; t++)
		ck_assert(c.meas.t2_pre.v[t] <= c.meas.t2_dynamic.v[t] && c.meas.t2_dec.v[t] <= c.meas.t2_dynamic.v[t]);
	c.cal.tlmm_per_unit.prov = PROV_DERIVED;
	c.cal.pre_per_mac.prov = c.cal.dec_per_mac.prov = PROV_FITTED;
	c.cal.tlmm_per_unit.r = res_scale(tlmm, 1.7);
	c.cal.pre_per_mac.r = res_scale(pre, 0.4);
	c.cal.dec_per_mac.r = res_scale(dec, 2.5);
	calib_result res;
	char err[512];
	ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(res.n_changes, 3 * RES_N);
	ck_assert_int_eq(res.n_notes, 0); /* nothing tied */
	for (int t = 0; t < RES_N; t++) {
		assert_rel("tlmm_per_unit", c.cal.tlmm_per_unit.r.v[t], tlmm.v[t], 1e-9);
		assert_rel("pre_per_mac", c.cal.pre_per_mac.r.v[t], pre.v[t], 1e-9);
		assert_rel("dec_per_mac", c.cal.dec_per_mac.r.v[t], dec.v[t], 1e-9);
	}
	for (int i = 0; i < res.n_changes; i++)
		ck_assert_int_eq(res.ch[i].kind, cfg_slot_index("tlmm_per_unit.lut") <= res.ch[i].slot &&
						 res.ch[i].slot <= cfg_slot_index("tlmm_per_unit.dsp")
					 ? CALIB_DERIVED
					 : CALIB_FITTED);
	assert_rows_met(&c, 1e-9);
	cfg_release(&c);
}
END_TEST

/*
 * Not identifiable: with the DPR design's sizes inferred from its rows,
 * only the baseline's attention row is left per resource type, which
 * cannot separate a prefill from a decode MAC lane.  The fit says so and
 * ties the two: one cost per lane, the row over all the baseline's lanes.
 * With data made of one cost, that cost is recovered; with two different
 * ones, the tie gives their lane-weighted mean.
 */
START_TEST(resources_tied_when_the_rows_cannot_separate)
{
	for (int same = 1; same >= 0; same--) {
		cfg_t c;
		tu_load_default(&c);
		hold_all(&c);
		const res_t pre = {{500, 640, 1.25, 0.375, 3.5}}, dec = {{700, 900, 0.75, 0.5, 6}};
		c.cal.pre_per_mac.r = pre;
		c.cal.dec_per_mac.r = same ? pre : dec;
		synth_meas(&c);
		const design_t *base = design_of(&c, c.meas.fit_design);
		double up = (double)engine_pre_units(base), ud = (double)engine_dec_units(base);
		c.cal.pre_per_mac.prov = c.cal.dec_per_mac.prov = PROV_FITTED;
		c.cal.pre_per_mac.r = res_scale(pre, 0.4);
		c.cal.dec_per_mac.r = res_scale(dec, 2.5);
		calib_result res;
		char err[512];
		ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "%s", err);
		ck_assert_int_eq(res.n_notes, 1);
		ck_assert_msg(strstr(res.note[0], "tied") != NULL, "%s", res.note[0]);
		for (int i = 0; i < res.n_changes; i++)
			if (res.ch[i].slot >= cfg_slot_index("pre_per_mac.lut") &&
			    res.ch[i].slot <= cfg_slot_index("dec_per_mac.dsp"))
				ck_assert_int_eq(res.ch[i].kind, CALIB_TIED);
		for (int t = 0; t < RES_N; t++) {
			double want = same ? pre.v[t] : (up * pre.v[t] + ud * dec.v[t]) / (up + ud);
			assert_rel("pre_per_mac (tied)", c.cal.pre_per_mac.r.v[t], want, 1e-9);
			ck_assert_double_eq(c.cal.dec_per_mac.r.v[t], c.cal.pre_per_mac.r.v[t]);
		}
		cfg_release(&c);
	}
}
END_TEST

/* PCAP rate and setup from the line through the points, then the PS path of a swap. */
START_TEST(pcap_recovered)
{
	const double rate = 450, setup = 0.25, ps = 12.5; /* MB/s, ms, ms */
	/* both free, only the rate, only the setup (the other held at its chosen value) */
	for (int v = 0; v < 3; v++) {
		cfg_t c;
		tu_load_default(&c);
		hold_all(&c);
		c.cal.pcap_rate_mb_s.value = rate;
		c.cal.pcap_setup_ms.value = setup;
		c.cal.swap_ps_ms.value = ps;
		synth_meas(&c);
		if (v != 2) {
			c.cal.pcap_rate_mb_s.prov = PROV_FITTED;
			c.cal.pcap_rate_mb_s.value = 2 * rate;
		}
		if (v != 1) {
			c.cal.pcap_setup_ms.prov = PROV_FITTED;
			c.cal.pcap_setup_ms.value = 0.01;
		}
		c.cal.swap_ps_ms.prov = PROV_FITTED;
		c.cal.swap_ps_ms.value = 3 * ps;
		calib_result res;
		char err[512];
		ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "case %d: %s", v, err);
		assert_rel("pcap_rate_mb_s", c.cal.pcap_rate_mb_s.value, rate, 1e-9);
		assert_rel("pcap_setup_ms", c.cal.pcap_setup_ms.value, setup, 1e-9);
		assert_rel("swap_ps_ms", c.cal.swap_ps_ms.value, ps, 1e-9);
		assert_rows_met(&c, 1e-9);
		cfg_release(&c);
	}
}
END_TEST

/*
 * The chosen timing coefficients and the rooflines they sit on: each must
 * bind somewhere, or no measurement constrains it.  The baseline's decode
 * step is bound by its weight loader (eta_wload), its prefill linear
 * layers are compute-bound (eta_tlmm), its prefill attention compute-bound
 * (eta_attn), and its decode K/V streams at a long context by their bursts
 * in flight over the round trip (ddr_latency_ns).
 */
static const struct {
	const char *slot;
	double truth, start;
} timing_truth[] = {
	{"eta_tlmm", 0.55, 0.8},
	{"eta_attn", 0.35, 0.6},
	{"eta_wload", 0.4, 0.25},
	{"ddr_latency_ns", 550, 250},
};
#define N_TT ((int)(sizeof timing_truth / sizeof timing_truth[0]))

static void timing_premises(const cfg_t *c)
{
	workload_t w;
	workload_init(&w, &c->model);
	const design_t *base = design_of(c, c->meas.fit_design);
	perf_ctx p;
	perf_prepare(&p, c, &w, base);
	ck_assert_msg(p.lin_tok_s + p.lin_depth_s < p.w_layer_s, "decode linear layers should be weight-bound");
	for (int h = 0; h < c->dev.n_hp; h++) {
		if (!(c->arch.weight_ports >> h & 1))
			continue;
		double ld = platform_loader_b_per_s(c, h, p.f_hz), ch = platform_channel_b_per_s(c, h, p.f_hz);
		ck_assert_msg(ld < ch && ld < platform_inflight_b_per_s(c, h, c->arch.weight_burst, c->arch.weight_outstanding),
			      "the weight stream should be bound by its loader");
		double kv = platform_inflight_b_per_s(c, h, base->dec_burst, base->dec_outstanding);
		ck_assert_msg(kv < ch, "the decode K/V streams should be bound by their bursts in flight");
	}
	for (int i = 0; i < c->meas.n_ttft; i++)
		ck_assert_msg(c->meas.ttft[i].prompt * p.lin_tok_s + p.lin_depth_s > p.w_layer_s,
			      "prefill of %d should be compute-bound", c->meas.ttft[i].prompt);
	int L = c->meas.attn_prompt;
	double tc = (double)engine_pre_cycles(&w, L, base->pre_pe, base->pre_lanes, base->pre_block,
					      llround(c->cal.attn_depth.value), false) /
		    (p.f_hz * c->cal.eta_attn.value);
	ck_assert_double_eq_tol(perf_prefill_attn_s(&p, L, false), tc, 1e-12 * tc);
}

static void set_timing_truth(cfg_t *c)
{
	for (int i = 0; i < N_TT; i++)
		*cfg_slot(c, cfg_slot_index(timing_truth[i].slot)) = timing_truth[i].truth;
}

static void free_timing(cfg_t *c)
{
	for (int i = 0; i < N_TT; i++) {
		int s = cfg_slot_index(timing_truth[i].slot);
		ck_assert_double_ne(*cfg_slot(c, s), timing_truth[i].start);
		*cfg_slot(c, s) = timing_truth[i].start;
	}
	c->cal.eta_tlmm.prov = c->cal.eta_attn.prov = c->cal.eta_wload.prov = c->cal.ddr_latency_ns.prov = PROV_FITTED;
}

START_TEST(timing_recovered)
{
	cfg_t c;
	tu_load_default(&c);
	hold_all(&c);
	set_timing_truth(&c);
	timing_premises(&c);
	synth_meas(&c);
	free_timing(&c);
	calib_result res;
	char err[512];
	ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(res.n_timing_free, N_TT);
	ck_assert_int_eq(res.n_unident, 0);
	ck_assert_int_gt(res.n_timing_points, N_TT);
	ck_assert_msg(res.timing_chisq < 1e-12, "chisq %g", res.timing_chisq);
	for (int i = 0; i < N_TT; i++)
		assert_rel(timing_truth[i].slot, *cfg_slot(&c, cfg_slot_index(timing_truth[i].slot)),
			   timing_truth[i].truth, 1e-4);
	/* the block the intervals draw from: the free coefficients, their correlations symmetric and in [-1, 1] */
	ck_assert_int_ge(res.timing_block, 0);
	const calib_block *b = &res.blk[res.timing_block];
	ck_assert_int_eq(b->n, N_TT);
	ck_assert_int_eq(b->dof, res.n_timing_points - N_TT);
	for (int i = 0; i < b->n; i++)
		for (int j = 0; j < b->n; j++) {
			double r = calib_block_corr(b, i, j);
			ck_assert(fabs(r) <= 1 + 1e-12);
			ck_assert_double_eq_tol(r, calib_block_corr(b, j, i), 1e-12);
		}
	cfg_release(&c);
}
END_TEST

/* The one logic-power coefficient from the baseline's decode power. */
START_TEST(power_recovered)
{
	cfg_t c;
	tu_load_default(&c);
	hold_all(&c);
	const double k = 30;
	ck_assert_double_ne(c.cal.k_logic_w.value, k);
	c.cal.k_logic_w.value = k;
	synth_meas(&c);
	c.cal.k_logic_w.prov = PROV_FITTED;
	c.cal.k_logic_w.value = 3 * k;
	calib_result res;
	char err[512];
	ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(res.n_changes, 1);
	assert_rel("k_logic_w", c.cal.k_logic_w.value, k, 1e-9);
	cfg_release(&c);
}
END_TEST

/*
 * All four fits at once, in their order: the swap's PS path needs the
 * fitted PCAP rate, the power coefficient the fitted timing.  Everything
 * recovered, every fitted measurement met.
 */
START_TEST(all_fits_recovered_together)
{
	cfg_t c;
	tu_load_default(&c);
	hold_all(&c);
	sizes_known(&c);
	const res_t tlmm = {{150, 300, 0.125, 0.0625, 2}}, pre = {{500, 640, 1.25, 0.375, 3.5}},
		    dec = {{700, 900, 0.75, 0.5, 6}};
	c.cal.tlmm_per_unit.r = tlmm;
	c.cal.pre_per_mac.r = pre;
	c.cal.dec_per_mac.r = dec;
	set_timing_truth(&c);
	c.cal.pcap_rate_mb_s.value = 450;
	c.cal.pcap_setup_ms.value = 0.25;
	c.cal.swap_ps_ms.value = 12.5;
	c.cal.k_logic_w.value = 30;
	timing_premises(&c);
	synth_meas(&c);
	cfg_t truth = c; /* a copy of the values; c owns the text */
	c.cal.tlmm_per_unit.prov = PROV_DERIVED;
	c.cal.pre_per_mac.prov = c.cal.dec_per_mac.prov = PROV_FITTED;
	c.cal.pcap_rate_mb_s.prov = c.cal.pcap_setup_ms.prov = c.cal.swap_ps_ms.prov = PROV_FITTED;
	c.cal.k_logic_w.prov = PROV_FITTED;
	free_timing(&c);
	perturb(&c);
	c.cal.tlmm_per_unit.r = res_scale(tlmm, 1.5);
	calib_result res;
	char err[512];
	ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(res.n_unident, 0);
	for (int s = 0; s < CAL_N_SLOTS; s++) {
		double want = *cfg_slot(&truth, s), got = *cfg_slot(&c, s);
		bool timing = s < CAL_N_SCALARS && cfg_cal_scalars[s].timing;
		prov_t pv = cfg_slot_prov(&c, s);
		if (pv != PROV_FITTED && pv != PROV_DERIVED)
			ck_assert_double_eq(got, want);
		else
			assert_rel(cal_slot_names[s], got, want, timing ? 1e-4 : 1e-9);
	}
	assert_rows_met(&c, 1e-6);
	cfg_release(&c);
}
END_TEST

/*
 * Not identifiable: on the same synthetic data but with the baseline's
 * decode engine keeping many bursts in flight, no baseline stream is
 * bound by the latency, so no prediction depends on it.  Freed beside the
 * identifiable coefficients it is reported as such and held; the others
 * are recovered.
 */
START_TEST(unidentifiable_reported_on_synthetic_data)
{
	cfg_t c;
	tu_load_default(&c);
	hold_all(&c);
	set_timing_truth(&c);
	c.designs[cfg_find_design(&c, c.meas.fit_design)].d.dec_outstanding = 256;
	synth_meas(&c);
	/* the premise: 20% more or less latency moves no prediction */
	calib_row a[128], b[128];
	int n = calib_rows(&c, a, 128);
	double lat = c.cal.ddr_latency_ns.value;
	for (int f = 0; f < 2; f++) {
		c.cal.ddr_latency_ns.value = f ? 1.2 * lat : 0.8 * lat;
		ck_assert_int_eq(calib_rows(&c, b, 128), n);
		for (int i = 0; i < n; i++)
			ck_assert_msg(b[i].predicted == a[i].predicted, "%s depends on the latency", a[i].name);
	}
	c.cal.ddr_latency_ns.value = 800;
	c.cal.eta_tlmm.prov = c.cal.eta_wload.prov = c.cal.ddr_latency_ns.prov = PROV_FITTED;
	c.cal.eta_tlmm.value = 0.8;
	c.cal.eta_wload.value = 0.25;
	calib_result res;
	char err[512];
	ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(res.n_unident, 1);
	ck_assert_int_eq(res.unident[0].slot, CAL_ddr_latency_ns);
	ck_assert_msg(strstr(res.unident[0].why, "no timing measurement depends on it") != NULL, "%s", res.unident[0].why);
	ck_assert_double_eq(c.cal.ddr_latency_ns.value, 800);
	for (int i = 0; i < res.n_changes; i++)
		ck_assert_int_ne(res.ch[i].slot, CAL_ddr_latency_ns);
	assert_rel("eta_tlmm", c.cal.eta_tlmm.value, 0.55, 1e-4);
	assert_rel("eta_wload", c.cal.eta_wload.value, 0.4, 1e-4);
	cfg_release(&c);
}
END_TEST

/*
 * Data made with an efficiency below its plausible range (eta_attn 0.005,
 * the range starts at 0.01): the fit must say so, not return the edge.
 */
START_TEST(implausible_truth_reported)
{
	cfg_t c;
	tu_load_default(&c);
	hold_all(&c);
	set_timing_truth(&c);
	c.cal.eta_attn.value = 0.005;
	ck_assert_double_lt(c.cal.eta_attn.value, cfg_cal_scalars[CAL_eta_attn].fit_lo);
	synth_meas(&c);
	c.cal.eta_attn.prov = PROV_FITTED;
	c.cal.eta_attn.value = 0.3;
	cfg_calib before = c.cal;
	calib_result res;
	char err[512];
	ck_assert_int_eq(calib_fit(&c, &res, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "calibration.eta_attn ends at the edge of its plausible range") != NULL, "%s", err);
	ck_assert_mem_eq(&before, &c.cal, sizeof before);
	cfg_release(&c);
}
END_TEST

/* ------------------------------------------------------- inferred sizes */

/*
 * Engine sizes from resources generated from them: every type gives the
 * size back (centre = lo = hi = the size); rows disagreeing by known
 * factors give a range that holds the size, with the geometric mean of
 * the per-type sizes at its centre; a row beyond the dynamic region is
 * left out, and a size the rows put beyond its limit is refused.
 */
START_TEST(inferred_sizes_recovered)
{
	cfg_t c;
	tu_load_default(&c);
	int di = cfg_find_design(&c, c.meas.dpr_design);
	cfg_design *cd = &c.designs[di];
	ck_assert_int_eq(cd->n_inferred, 2);
	const int pe = 10, lanes = 20;
	design_t d = cd->d;
	d.pre_pe = pe;
	d.dec_lanes = lanes;
	workload_t w;
	workload_init(&w, &c.model);
	perf_ctx p;
	perf_prepare(&p, &c, &w, &d);
	c.meas.t2_pre = p.r_pre;
	c.meas.t2_dec = p.r_dec;
	c.meas.t2_dynamic = res_scale(res_add(p.r_pre, p.r_dec), 2); /* holds both rows */
	char err[512];
	ck_assert_msg(infer_design(&c, di, err, sizeof err) == 0, "%s", err);
	for (int k = 0; k < 2; k++) {
		const cfg_inferred *in = &cd->inferred[k];
		int want = in->size == CFG_SIZE_PRE_PE ? pe : lanes;
		ck_assert_int_eq(in->centre, want);
		ck_assert_int_eq(in->lo, want);
		ck_assert_int_eq(in->hi, want);
		for (int t = 0; t < RES_N; t++)
			if (!isnan(in->by_type[t]))
				assert_rel(res_names[t], in->by_type[t], want, 1e-12);
	}
	ck_assert_int_eq(cd->d.pre_pe, pe);
	ck_assert_int_eq(cd->d.dec_lanes, lanes);
	/* disagreeing types: decode row off by these factors */
	const double f[RES_N] = {1.3, 0.7, 1.0, 1.1, 0.9};
	double lsum = 0, n = 0;
	for (int t = 0; t < RES_N; t++) {
		c.meas.t2_dec.v[t] = p.r_dec.v[t] * f[t];
		if (c.cal.dec_per_mac.r.v[t] > 0 && p.r_dec.v[t] > 0) {
			lsum += log(lanes * f[t]);
			n++;
		}
	}
	/* and the prefill row's DSP beyond the dynamic region: left out */
	c.meas.t2_pre.v[RES_DSP] = 3 * c.meas.t2_dynamic.v[RES_DSP];
	ck_assert_msg(infer_design(&c, di, err, sizeof err) == 0, "%s", err);
	for (int k = 0; k < 2; k++) {
		const cfg_inferred *in = &cd->inferred[k];
		if (in->size == CFG_SIZE_DEC_LANES) {
			ck_assert_int_eq(in->lo, 14); /* 20 x 0.7 */
			ck_assert_int_eq(in->hi, 26); /* 20 x 1.3 */
			ck_assert_int_eq(in->centre, (int)lround(exp(lsum / n)));
		} else {
			ck_assert(isnan(in->by_type[RES_DSP]));
			ck_assert_msg(strstr(in->left_out[RES_DSP], "exceeds the dynamic region") != NULL, "%s",
				      in->left_out[RES_DSP]);
			ck_assert_int_eq(in->centre, pe);
		}
	}
	/* the design at the range's ends */
	design_t lo = infer_design_at(&c, di, -1), hi = infer_design_at(&c, di, 1);
	ck_assert_int_eq(lo.dec_lanes, 14);
	ck_assert_int_eq(hi.dec_lanes, 26);
	/* a row that puts the lanes beyond head_dim is refused */
	c.meas.t2_dec = res_scale(p.r_dec, 100);
	c.meas.t2_dynamic = res_scale(c.meas.t2_dec, 2);
	ck_assert_int_eq(infer_design(&c, di, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "beyond its limit") != NULL, "%s", err);
	cfg_release(&c);
}
END_TEST

/* An imported report of one engine at 250 MHz (figures NAN but LUT). */
static cfg_import engine_report(int64_t id, cfg_meas_scope scope, int a, int b, double lut)
{
	cfg_import m;
	memset(&m, 0, sizeof m);
	m.id = id;
	m.csynth = true;
	m.scope = scope;
	m.d.clock_mhz = 250;
	m.d.dec_dataflow = DF_SERIAL;
	if (scope == MEAS_TLMM) {
		m.d.tlmm_tables = a;
		m.d.tlmm_lanes = b;
	} else if (scope == MEAS_PREFILL) {
		m.d.pre_pe = a;
		m.d.pre_lanes = b;
	} else {
		m.d.dec_lanes = a;
	}
	for (int t = 0; t < RES_N; t++)
		m.res.v[t] = m.avail.v[t] = NAN;
	m.res.v[RES_LUT] = lut;
	m.bram18 = m.target_clock_ns = m.est_clock_ns = m.latency_worst = NAN;
	return m;
}

/*
 * Imported reports join the resource fits as rows of their engine, and a
 * fitted TLMM cost is the least-squares cost through the origin of Table
 * 2's row and the TLMM reports: both solved here by hand.  The rows of
 * the LUT fit: tellme's attention (32 prefill MAC lanes, 16 decode lanes;
 * its LUTs less Table 2's static rows), prefill reports of 32 and 64
 * lanes, a decode report of 16 (pdswap's RM rows are those its sizes are
 * inferred from, not fitted).
 */
START_TEST(imports_join_the_resource_fits)
{
	cfg_t c;
	tu_load_default(&c);
	c.cal.tlmm_per_unit.prov = PROV_FITTED;
	c.imports[c.n_imports++] = engine_report(1, MEAS_TLMM, 28, 8, 44000);
	c.imports[c.n_imports++] = engine_report(2, MEAS_PREFILL, 8, 4, 20000);
	c.imports[c.n_imports++] = engine_report(3, MEAS_PREFILL, 16, 4, 37000);
	c.imports[c.n_imports++] = engine_report(4, MEAS_DECODE, 16, 0, 9500);
	const cfg_meas *m = &c.meas;
	double t2 = m->t2_tlmm.v[RES_LUT];
	double tlmm = (224 * t2 + 224 * 44000.0) / (224.0 * 224 + 224.0 * 224);
	double ba = m->baseline_res.v[RES_LUT] - t2 - m->t2_rmsnorm.v[RES_LUT] - m->t2_other.v[RES_LUT];
	/* normal equations of rows (32, 16; ba), (32, 0; 20000), (64, 0; 37000), (0, 16; 9500) */
	double s00 = 32.0 * 32 + 32 * 32 + 64 * 64, s01 = 32.0 * 16, s11 = 16.0 * 16 + 16 * 16;
	double t0 = 32 * ba + 32 * 20000.0 + 64 * 37000.0, t1 = 16 * ba + 16 * 9500.0;
	double det = s00 * s11 - s01 * s01;
	double pre = (t0 * s11 - s01 * t1) / det, dec = (s00 * t1 - s01 * t0) / det;
	calib_result res;
	char err[512];
	ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "%s", err);
	ck_assert_double_eq_tol(c.cal.tlmm_per_unit.r.v[RES_LUT], tlmm, 1e-9 * tlmm);
	ck_assert_double_eq_tol(c.cal.pre_per_mac.r.v[RES_LUT], pre, 1e-9 * pre);
	ck_assert_double_eq_tol(c.cal.dec_per_mac.r.v[RES_LUT], dec, 1e-9 * dec);
	ck_assert(fabs(pre - dec) > 1); /* separate, not tied */
	cfg_release(&c);
}
END_TEST

/*
 * A csynth latency of the TLMM tellme runs, at twice the efficiency the
 * published TTFTs give: the fit takes both (the published points are of
 * the board and are predicted by the parametric model, not by the profile
 * the report makes), so eta_tlmm lands strictly between the two, and the
 * published rows are the parametric model's at the fitted coefficients.
 */
START_TEST(imports_join_the_timing_fit)
{
	cfg_t c, ref;
	tu_load_default(&c);
	tu_load_default(&ref);
	calib_result res;
	char err[512];
	ck_assert_msg(calib_fit(&ref, &res, err, sizeof err) == 0, "%s", err);
	double board = ref.cal.eta_tlmm.value, want = 2 * board;
	cfg_import m = engine_report(1, MEAS_TLMM, 28, 8, 44000);
	/* a tile of 5 tokens through the largest K (4096) x N (4096): ceil(4096/84) x ceil(4096/8) cycles each */
	m.loop_bound = 5;
	m.latency_worst = (5.0 * 49 * 512 + llround(c.cal.tlmm_depth.value)) / want;
	m.est_clock_ns = 3.9;
	c.imports[c.n_imports++] = m;
	ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "%s", err);
	double fit = c.cal.eta_tlmm.value;
	ck_assert_msg(fit > board * 1.01 && fit < want * 0.99, "eta_tlmm %g: board %g, csynth %g", fit, board, want);
	/* the TTFTs still move eta_tlmm */
	int k = 0;
	while (k < res.n_timing_points && strcmp(res.point[k], "ttft prompt=64") != 0)
		k++;
	ck_assert_int_lt(k, res.n_timing_points);
	ck_assert(res.timing_block >= 0);
	const calib_block *b = &res.blk[res.timing_block];
	int e = 0;
	while (e < b->n && b->slot[e] != CAL_eta_tlmm)
		e++;
	ck_assert_int_lt(e, b->n);
	ck_assert(fabs(res.sens[k][e]) > 0.1);
	/* published rows: those of the same coefficients without the import */
	cfg_t *par = calib_parametric(&c);
	ck_assert_int_eq(par->n_imports, 0);
	calib_row a[128], p[128];
	int na = calib_rows(&c, a, 128), np = calib_rows(par, p, 128);
	ck_assert_int_gt(na, np);
	for (int i = 0; i < np; i++) {
		ck_assert_str_eq(a[i].name, p[i].name);
		ck_assert_double_eq(a[i].predicted, p[i].predicted);
	}
	free(par);
	cfg_release(&c);
	cfg_release(&ref);
}
END_TEST

Suite *calib_suite(void)
{
	Suite *s = suite_create("calib");
	TCase *t = tcase_create("fit");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, fit_reproduces_baseline_within_10pct);
	tcase_add_test(t, fit_is_idempotent_on_fitted_config);
	tcase_add_test(t, too_many_free_coefficients_refused);
	tcase_add_test(t, unconstrained_coefficient_reported);
	tcase_add_test(t, power_at_named_context);
	tcase_add_test(t, write_back_round_trips);
	tcase_add_test(t, imports_join_the_resource_fits);
	tcase_add_test(t, imports_join_the_timing_fit);
	suite_add_tcase(s, t);
	TCase *r = tcase_create("recovery");
	tcase_set_timeout(r, 60);
	tcase_add_test(r, resources_recovered);
	tcase_add_test(r, resources_tied_when_the_rows_cannot_separate);
	tcase_add_test(r, pcap_recovered);
	tcase_add_test(r, timing_recovered);
	tcase_add_test(r, power_recovered);
	tcase_add_test(r, all_fits_recovered_together);
	tcase_add_test(r, unidentifiable_reported_on_synthetic_data);
	tcase_add_test(r, implausible_truth_reported);
	tcase_add_test(r, inferred_sizes_recovered);
	suite_add_tcase(s, r);
	return s;
}
