/*
 * check_interval.c - intervals of predicted figures (models/interval.h).
 *
 * Coverage: measurements are generated from chosen timing coefficients,
 * each with independent Gaussian noise of 1% (relative); the coefficients
 * are fitted to them and the 90% interval of two predictions (not
 * measured points) is drawn; over R = 200 repetitions the intervals must
 * hold the prediction the chosen coefficients give in about 90% of them:
 * within three binomial standard deviations, sqrt(0.9 x 0.1 / 200) =
 * 2.1%, so 168 to 192 of 200.  The rest: the draws stay in the stated
 * ranges, the same config gives the same bytes, and what no measurement
 * constrains is labelled so.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include "models/calib.h"
#include "models/infer.h"
#include "models/interval.h"
#include "models/perf.h"
#include "models/workload.h"
#include "suites.h"
#include "testutil.h"

static void hold_all(cfg_t *c)
{
#define HOLD_X(nm, ...) c->cal.nm.prov = PROV_ASSUMED;
#define HOLD_R(nm, what) c->cal.nm.prov = PROV_ASSUMED;
	CFG_CAL_SCALARS(HOLD_X)
	CFG_CAL_RESOURCES(HOLD_R)
#undef HOLD_X
#undef HOLD_R
}

START_TEST(quantile_type7)
{
	const double v[5] = {1, 2, 4, 8, 16};
	ck_assert_double_eq(interval_quantile(v, 5, 0), 1);
	ck_assert_double_eq(interval_quantile(v, 5, 1), 16);
	ck_assert_double_eq(interval_quantile(v, 5, 0.5), 4);
	/* h = 4 x 0.9 = 3.6: 8 + 0.6 x (16 - 8) */
	ck_assert_double_eq_tol(interval_quantile(v, 5, 0.9), 12.8, 1e-12);
	/* h = 4 x 0.05 = 0.2: 1 + 0.2 x (2 - 1) */
	ck_assert_double_eq_tol(interval_quantile(v, 5, 0.05), 1.2, 1e-12);
	ck_assert_double_eq(interval_quantile(v, 1, 0.3), 1);
}
END_TEST

/* The two predictions whose coverage is checked: the baseline's decode step
 * at 1024 keys (between its measured contexts) and the DPR design's TTFT at 1024. */
static void predictions(const cfg_t *c, double out[2])
{
	workload_t w;
	workload_init(&w, &c->model);
	perf_ctx p, q;
	perf_prepare(&p, c, &w, &c->designs[cfg_find_design(c, c->meas.fit_design)].d);
	perf_prepare(&q, c, &w, &c->designs[cfg_find_design(c, c->meas.dpr_design)].d);
	out[0] = perf_decode_step_s(&p, 1024);
	out[1] = perf_ttft_s(&q, 1024);
}

/* The baseline's timing measurements as the model gives them under c's coefficients. */
static void timing_meas(cfg_t *c)
{
	workload_t w;
	workload_init(&w, &c->model);
	perf_ctx p;
	perf_prepare(&p, c, &w, &c->designs[cfg_find_design(c, c->meas.fit_design)].d);
	for (int i = 0; i < c->meas.n_ttft; i++)
		c->meas.ttft[i].value = perf_ttft_s(&p, c->meas.ttft[i].prompt);
	for (int i = 0; i < c->meas.n_decode; i++)
		c->meas.decode[i].value = perf_decode_tok_s(&p, c->meas.decode[i].prompt);
	c->meas.attn_reversed_ms = perf_prefill_attn_s(&p, c->meas.attn_prompt, false) * 1e3;
}

START_TEST(coverage_on_synthetic_data)
{
	enum { R = 200, S = 200 };
	const double sigma = 0.01, level = 0.9;
	cfg_t truth;
	tu_load_default(&truth);
	hold_all(&truth);
	truth.cal.eta_tlmm.value = 0.55;
	truth.cal.eta_attn.value = 0.35;
	truth.cal.eta_wload.value = 0.4;
	truth.cal.ddr_latency_ns.value = 550;
	timing_meas(&truth);
	truth.iv.samples = S;
	truth.iv.level = level;
	double want[2];
	predictions(&truth, want);
	gsl_rng *noise = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(noise, 20240611);
	int covered[2] = {0, 0};
	double *v[2] = {malloc(S * sizeof(double)), malloc(S * sizeof(double))};
	ck_assert(v[0] && v[1]);
	for (int rep = 0; rep < R; rep++) {
		cfg_t c = truth; /* shares truth's text, never released */
		for (int i = 0; i < c.meas.n_ttft; i++)
			c.meas.ttft[i].value *= 1 + sigma * gsl_ran_gaussian(noise, 1);
		for (int i = 0; i < c.meas.n_decode; i++)
			c.meas.decode[i].value *= 1 + sigma * gsl_ran_gaussian(noise, 1);
		c.meas.attn_reversed_ms *= 1 + sigma * gsl_ran_gaussian(noise, 1);
		c.cal.eta_tlmm.prov = c.cal.eta_attn.prov = c.cal.eta_wload.prov = c.cal.ddr_latency_ns.prov = PROV_FITTED;
		c.iv.seed = (uint64_t)rep + 1;
		calib_result res;
		char err[512];
		ck_assert_msg(calib_fit(&c, &res, err, sizeof err) == 0, "repetition %d: %s", rep, err);
		ck_assert_int_eq(res.n_unident, 0);
		int got = 0;
		for (int s = 0; s < S; s++) {
			cfg_t w;
			design_t d = c.designs[0].d;
			if (interval_draw(&c, -1, &d, false, s, &w, err, sizeof err))
				continue;
			double x[2];
			predictions(&w, x);
			v[0][got] = x[0];
			v[1][got] = x[1];
			got++;
		}
		ck_assert_int_ge(got, S - 2);
		for (int k = 0; k < 2; k++) {
			/* insertion sort: S is small */
			for (int i = 1; i < got; i++)
				for (int j = i; j > 0 && v[k][j - 1] > v[k][j]; j--) {
					double t = v[k][j];
					v[k][j] = v[k][j - 1];
					v[k][j - 1] = t;
				}
			double lo = interval_quantile(v[k], got, (1 - level) / 2), hi = interval_quantile(v[k], got, (1 + level) / 2);
			covered[k] += lo <= want[k] && want[k] <= hi;
		}
	}
	gsl_rng_free(noise);
	free(v[0]);
	free(v[1]);
	for (int k = 0; k < 2; k++)
		ck_assert_msg(covered[k] >= 168 && covered[k] <= 192,
			      "prediction %d: the 90%% interval held the truth in %d of %d repetitions (168 .. 192 expected)",
			      k, covered[k], R);
	cfg_release(&truth);
}
END_TEST

START_TEST(draws_stay_in_their_ranges)
{
	cfg_t c;
	tu_load_default(&c);
	int di = cfg_find_design(&c, "pdswap");
	char err[512];
	bool moved = false;
	for (int s = 0; s < 50; s++) {
		cfg_t w;
		design_t d = c.designs[di].d;
		ck_assert_msg(interval_draw(&c, di, &d, true, s, &w, err, sizeof err) == 0, "%s", err);
		for (int i = 0; i < CAL_N_SCALARS; i++) {
			const coef_t *k = (const coef_t *)((const char *)&c.cal + cfg_cal_scalars[i].offset);
			double x = *cfg_slot(&w, i);
			if (k->has_range)
				ck_assert_msg(k->range_lo <= x && x <= k->range_hi, "%s = %g outside [%g, %g]",
					      cfg_cal_scalars[i].name, x, k->range_lo, k->range_hi);
			moved |= k->has_range && x != k->value;
		}
		for (int k = 0; k < c.designs[di].n_inferred; k++) {
			const cfg_inferred *in = &c.designs[di].inferred[k];
			int x = infer_get_size(&d, in->size);
			ck_assert(in->lo <= x && x <= in->hi);
		}
		/* the other set holds the assumed coefficients and the inferred sizes */
		design_t e = c.designs[di].d;
		ck_assert_msg(interval_draw(&c, di, &e, false, s, &w, err, sizeof err) == 0, "%s", err);
		for (int i = 0; i < CAL_N_SCALARS; i++)
			if (cfg_slot_prov(&c, i) != PROV_FITTED)
				ck_assert_double_eq(*cfg_slot(&w, i), *cfg_slot(&c, i));
		ck_assert(memcmp(&e, &c.designs[di].d, sizeof e) == 0);
	}
	ck_assert(moved);
	cfg_release(&c);
}
END_TEST

typedef struct {
	int prompt, keys;
} fig_ctx;

/* TTFT at a prompt and the decode rate at a context, analytic. */
static int two_figs(const cfg_t *c, const design_t *d, void *ctx, double *out, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	const fig_ctx *f = ctx;
	workload_t w;
	workload_init(&w, &c->model);
	perf_ctx p;
	perf_prepare(&p, c, &w, d);
	out[0] = perf_ttft_s(&p, f->prompt);
	out[1] = perf_decode_tok_s(&p, f->keys);
	return 0;
}

START_TEST(same_bytes_and_labels)
{
	cfg_t c;
	tu_load_default(&c);
	c.iv.samples = 100;
	int t = cfg_find_design(&c, "tellme"), d = cfg_find_design(&c, "pdswap");
	fig_ctx f = {64, 64};
	interval_t a[2], b[2], e[2];
	interval_info ia, ib;
	char err[512];
	ck_assert_msg(interval_run(&c, t, &c.designs[t].d, 2, two_figs, &f, a, &ia, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(interval_run(&c, t, &c.designs[t].d, 2, two_figs, &f, b, &ib, err, sizeof err) == 0, "%s", err);
	ck_assert(memcmp(a, b, sizeof a) == 0);
	c.iv.seed++;
	ck_assert_msg(interval_run(&c, t, &c.designs[t].d, 2, two_figs, &f, e, &ib, err, sizeof err) == 0, "%s", err);
	ck_assert(memcmp(a, e, sizeof a) != 0);
	c.iv.seed--;
	/* the baseline at its own measured points: the measurements constrain it */
	double plain[2];
	two_figs(&c, &c.designs[t].d, &f, plain, err, sizeof err);
	for (int k = 0; k < 2; k++) {
		ck_assert_double_eq(a[k].centre, plain[k]);
		ck_assert(a[k].lo <= a[k].hi && a[k].fit_lo <= a[k].fit_hi);
		ck_assert_msg(!a[k].unconstrained, "figure %d of the baseline at a measured point labelled unconstrained", k);
	}
	ck_assert_int_eq(ia.rejected, 0);
	/* the PD-Swap design's decode rate at a long context rests on its inferred lanes
	 * and the port prior: no measurement constrains it */
	fig_ctx g = {64, 2048};
	ck_assert_msg(interval_run(&c, d, &c.designs[d].d, 2, two_figs, &g, a, &ia, err, sizeof err) == 0, "%s", err);
	ck_assert(a[1].unconstrained);
	ck_assert(a[1].hi - a[1].lo > 2 * (a[1].fit_hi - a[1].fit_lo));
	/* with every coefficient held and no inferred size, nothing varies */
	cfg_t h = c;
	for (int i = 0; i < CAL_N_SCALARS; i++) {
		coef_t *k = (coef_t *)((char *)&h.cal + cfg_cal_scalars[i].offset);
		k->has_range = false;
		k->prov = PROV_MEASURED;
	}
	for (int i = 0; i < CAL_N_RESOURCES; i++) {
		rcoef_t *k = (rcoef_t *)((char *)&h.cal + cfg_cal_resources[i].offset);
		k->has_range = false;
		k->prov = PROV_MEASURED;
	}
	ck_assert_msg(interval_run(&h, -1, &c.designs[t].d, 2, two_figs, &f, a, &ia, err, sizeof err) == 0, "%s", err);
	for (int k = 0; k < 2; k++) {
		ck_assert_double_eq(a[k].lo, a[k].hi);
		ck_assert_double_eq(a[k].lo, plain[k]);
		ck_assert(!a[k].unconstrained);
	}
	cfg_release(&c);
}
END_TEST

Suite *interval_suite(void)
{
	Suite *s = suite_create("interval");
	TCase *t = tcase_create("intervals");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, quantile_type7);
	tcase_add_test(t, coverage_on_synthetic_data);
	tcase_add_test(t, draws_stay_in_their_ranges);
	tcase_add_test(t, same_bytes_and_labels);
	suite_add_tcase(s, t);
	return s;
}
