/*
 * check_calib.c - the fit reproduces the baseline's measurements from a
 * different starting point, respects its plausible ranges, and refuses an
 * under-determined problem.
 */
#include <math.h>

#include "models/calib.h"
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
	ck_assert(c.cal.eta_port.value > 0 && c.cal.eta_port.value <= 1);
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

START_TEST(unconstrained_coefficient_refused)
{
	/* the baseline's streams are peak-bound, so no measurement depends on the
	 * DDR latency: freeing it must be refused, not "fitted" to any value */
	cfg_t c;
	tu_load_default(&c);
	c.cal.ddr_latency_ns.prov = PROV_FITTED;
	cfg_calib before = c.cal;
	calib_result res;
	char err[512];
	ck_assert_int_eq(calib_fit(&c, &res, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "ddr_latency_ns is not constrained") != NULL, "%s", err);
	ck_assert_mem_eq(&before, &c.cal, sizeof before);
	cfg_release(&c);
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

Suite *calib_suite(void)
{
	Suite *s = suite_create("calib");
	TCase *t = tcase_create("fit");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, fit_reproduces_baseline_within_10pct);
	tcase_add_test(t, fit_is_idempotent_on_fitted_config);
	tcase_add_test(t, too_many_free_coefficients_refused);
	tcase_add_test(t, unconstrained_coefficient_refused);
	tcase_add_test(t, write_back_round_trips);
	suite_add_tcase(s, t);
	return s;
}
