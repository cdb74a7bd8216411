/*
 * calib.c - least-squares calibration against published measurements.
 * See calib.h for the four fits and why the data are split as they are.
 */
#include "models/calib.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/engine.h"
#include "models/perf.h"
#include "models/platform.h"
#include "models/workload.h"

static const design_t *find_design(const cfg_t *c, const char *name)
{
	int i = cfg_find_design(c, name);
	return i < 0 ? NULL : &c->designs[i].d;
}

static void record(calib_result *r, int slot, double before, double after, double se)
{
	if (r->n_changes < 64)
		r->ch[r->n_changes++] = (calib_change){slot, before, after, se};
}

/* ------------------------------------------------------------ resources */

/* Baseline attention = baseline total minus its static rows. */
static res_t baseline_attention(const cfg_t *c)
{
	const cfg_meas *m = &c->meas;
	res_t r = m->baseline_res;
	for (int i = 0; i < RES_N; i++)
		r.v[i] -= m->t2_tlmm.v[i] + m->t2_rmsnorm.v[i] + m->t2_other.v[i];
	return r;
}

static bool slot_free(const cfg_t *c, const char *name)
{
	int s = cfg_slot_index(name);
	return s >= 0 && cfg_slot_prov(c, s) == PROV_FITTED;
}

static void set_slot(cfg_t *c, calib_result *res, const char *name, double v, double se)
{
	int s = cfg_slot_index(name);
	double *p = cfg_slot(c, s);
	record(res, s, *p, v, se);
	*p = v;
}

static int fit_resources(cfg_t *c, calib_result *res, char *err, size_t errlen)
{
	const design_t *base = find_design(c, c->meas.fit_design);
	const design_t *dpr = find_design(c, c->meas.dpr_design);
	res_t batt = baseline_attention(c);
	char name[64];

	for (int t = 0; t < RES_N; t++) {
		snprintf(name, sizeof name, "tlmm_per_unit.%s", res_names[t]);
		if (slot_free(c, name))
			set_slot(c, res, name, c->meas.t2_tlmm.v[t] / (double)engine_tlmm_units(dpr), -1);

		char pn[64], dn[64];
		snprintf(pn, sizeof pn, "pre_per_mac.%s", res_names[t]);
		snprintf(dn, sizeof dn, "dec_per_mac.%s", res_names[t]);
		bool fp = slot_free(c, pn), fd = slot_free(c, dn);
		if (!fp && !fd)
			continue;
		/* rows: prefill RM (not for BRAM), decode RM, baseline attention */
		double A[3][2], y[3];
		int n = 0;
		if (t != RES_BRAM) {
			A[n][0] = (double)engine_pre_units(dpr);
			A[n][1] = 0;
			y[n++] = c->meas.t2_pre.v[t];
		}
		A[n][0] = 0;
		A[n][1] = (double)engine_dec_units(dpr);
		y[n++] = c->meas.t2_dec.v[t];
		A[n][0] = (double)engine_pre_units(base);
		A[n][1] = (double)engine_dec_units(base);
		y[n++] = batt.v[t] > 0 ? batt.v[t] : 0;
		/* held coefficients move to the right-hand side */
		double held[2] = {*cfg_slot(c, cfg_slot_index(pn)), *cfg_slot(c, cfg_slot_index(dn))};
		bool freev[2] = {fp, fd};
		int nf = fp + fd;
		gsl_matrix *X = gsl_matrix_alloc((size_t)n, (size_t)nf);
		gsl_vector *Y = gsl_vector_alloc((size_t)n), *B = gsl_vector_alloc((size_t)nf);
		gsl_matrix *cov = gsl_matrix_alloc((size_t)nf, (size_t)nf);
		gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc((size_t)n, (size_t)nf);
		for (int i = 0; i < n; i++) {
			double yi = y[i];
			int col = 0;
			for (int j = 0; j < 2; j++) {
				if (freev[j])
					gsl_matrix_set(X, (size_t)i, (size_t)col++, A[i][j]);
				else
					yi -= A[i][j] * held[j];
			}
			gsl_vector_set(Y, (size_t)i, yi);
		}
		double chisq;
		int rc = gsl_multifit_linear(X, Y, B, cov, &chisq, ws);
		double b[2] = {held[0], held[1]};
		int col = 0;
		for (int j = 0; j < 2; j++)
			if (freev[j])
				b[j] = gsl_vector_get(B, (size_t)col++);
		/* per-unit costs cannot be negative: clamp and refit the other */
		for (int j = 0; j < 2; j++) {
			if (b[j] < 0 && freev[j]) {
				b[j] = 0;
				int o = 1 - j;
				if (freev[o]) {
					double num = 0, den = 0;
					for (int i = 0; i < n; i++) {
						num += A[i][o] * y[i];
						den += A[i][o] * A[i][o];
					}
					b[o] = den > 0 && num > 0 ? num / den : 0;
				}
			}
		}
		gsl_matrix_free(X);
		gsl_vector_free(Y);
		gsl_vector_free(B);
		gsl_matrix_free(cov);
		gsl_multifit_linear_free(ws);
		if (rc) {
			snprintf(err, errlen, "resource fit for %s failed: %s", res_names[t], gsl_strerror(rc));
			return -1;
		}
		if (fp)
			set_slot(c, res, pn, b[0], -1);
		if (fd)
			set_slot(c, res, dn, b[1], -1);
	}
	return 0;
}

/* ----------------------------------------------------------------- pcap */

static int fit_pcap(cfg_t *c, const workload_t *w, calib_result *res, char *err, size_t errlen)
{
	const cfg_meas *m = &c->meas;
	bool fr = slot_free(c, "pcap_rate_mb_s"), fs = slot_free(c, "pcap_setup_ms");
	if (fr || fs) {
		double c0, c1, cov00, cov01, cov11, sumsq;
		double xs[CFG_MAX_MEAS], ys[CFG_MAX_MEAS];
		for (int i = 0; i < m->n_pcap; i++) {
			xs[i] = m->pcap_bytes[i];
			ys[i] = m->pcap_ms[i];
		}
		if (fr && fs) {
			gsl_fit_linear(xs, 1, ys, 1, (size_t)m->n_pcap, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
			if (c0 < 0) { /* a negative setup is not physical: fit through the origin */
				c0 = 0;
				gsl_fit_mul(xs, 1, ys, 1, (size_t)m->n_pcap, &c1, &cov11, &sumsq);
			}
		} else if (fr) {
			double setup = c->cal.pcap_setup_ms.value;
			for (int i = 0; i < m->n_pcap; i++)
				ys[i] -= setup;
			c0 = setup;
			gsl_fit_mul(xs, 1, ys, 1, (size_t)m->n_pcap, &c1, &cov11, &sumsq);
		} else {
			c1 = 1.0 / (c->cal.pcap_rate_mb_s.value * 1e3); /* ms per byte */
			double s = 0;
			for (int i = 0; i < m->n_pcap; i++)
				s += ys[i] - c1 * xs[i];
			c0 = s / m->n_pcap > 0 ? s / m->n_pcap : 0;
		}
		if (!(c1 > 0)) {
			snprintf(err, errlen, "the PCAP points do not rise with size; cannot fit a rate");
			return -1;
		}
		if (fr)
			set_slot(c, res, "pcap_rate_mb_s", 1.0 / c1 / 1e3, -1); /* B/ms -> MB/s */
		if (fs)
			set_slot(c, res, "pcap_setup_ms", c0, -1);
	}
	if (slot_free(c, "swap_ps_ms")) {
		const design_t *dpr = find_design(c, m->dpr_design);
		perf_ctx p;
		perf_prepare(&p, c, w, dpr);
		double ps = m->swap_ms - p.pcap_idle_s * 1e3;
		if (ps < 0) {
			snprintf(err, errlen,
				 "the modelled PCAP transfer of design '%s' (%.1f ms) exceeds the measured swap (%.1f ms)",
				 m->dpr_design, p.pcap_idle_s * 1e3, m->swap_ms);
			return -1;
		}
		set_slot(c, res, "swap_ps_ms", ps, -1);
	}
	return 0;
}

/* --------------------------------------------------------------- timing */

typedef struct {
	cfg_t *c;
	const workload_t *w;
	const design_t *d;
	int n_free;
	int slot[CAL_N_SCALARS];
	double lo[CAL_N_SCALARS], hi[CAL_N_SCALARS];
} tfit;

static double to_coef(double u, double lo, double hi)
{
	return lo + (hi - lo) / (1 + exp(-u));
}

static double from_coef(double v, double lo, double hi)
{
	double s = (v - lo) / (hi - lo);
	if (s < 1e-6)
		s = 1e-6;
	if (s > 1 - 1e-6)
		s = 1 - 1e-6;
	return log(s / (1 - s));
}

static void apply(tfit *t, const gsl_vector *x)
{
	for (int i = 0; i < t->n_free; i++)
		*cfg_slot(t->c, t->slot[i]) = to_coef(gsl_vector_get(x, (size_t)i), t->lo[i], t->hi[i]);
}

/* Relative residuals of the baseline's timing points. */
static int timing_residuals(const cfg_t *c, const workload_t *w, const design_t *d, double *r)
{
	perf_ctx p;
	perf_prepare(&p, c, w, d);
	int n = 0;
	for (int i = 0; i < c->meas.n_ttft; i++)
		r[n++] = perf_ttft_s(&p, c->meas.ttft[i].prompt) / c->meas.ttft[i].value - 1;
	for (int i = 0; i < c->meas.n_decode; i++)
		r[n++] = perf_decode_tok_s(&p, c->meas.decode[i].prompt) / c->meas.decode[i].value - 1;
	r[n++] = perf_prefill_attn_s(&p, c->meas.attn_prompt, false) * 1e3 / c->meas.attn_reversed_ms - 1;
	return n;
}

static int tf_f(const gsl_vector *x, void *params, gsl_vector *f)
{
	tfit *t = params;
	double r[2 * CFG_MAX_MEAS + 2];
	apply(t, x);
	int n = timing_residuals(t->c, t->w, t->d, r);
	for (int i = 0; i < n; i++)
		gsl_vector_set(f, (size_t)i, r[i]);
	return GSL_SUCCESS;
}

static int fit_timing(cfg_t *c, const workload_t *w, calib_result *res, char *err, size_t errlen)
{
	tfit t = {c, w, find_design(c, c->meas.fit_design), 0, {0}, {0}, {0}};
	for (int s = 0; s < CAL_N_SCALARS; s++) {
		const cfg_cal_scalar *k = &cfg_cal_scalars[s];
		if (!k->timing || cfg_slot_prov(c, s) != PROV_FITTED)
			continue;
		t.slot[t.n_free] = s;
		t.lo[t.n_free] = k->fit_lo;
		t.hi[t.n_free] = k->fit_hi;
		t.n_free++;
	}
	double r[2 * CFG_MAX_MEAS + 2];
	int n = timing_residuals(c, w, t.d, r);
	res->n_timing_points = n;
	res->n_timing_free = t.n_free;
	if (t.n_free == 0)
		return 0;
	if (t.n_free >= n) {
		snprintf(err, errlen, "%d free timing coefficients but only %d timing measurements; "
			 "mark fewer as fitted", t.n_free, n);
		return -1;
	}
	double before[CAL_N_SCALARS];
	gsl_vector *x = gsl_vector_alloc((size_t)t.n_free);
	for (int i = 0; i < t.n_free; i++) {
		before[i] = *cfg_slot(c, t.slot[i]);
		gsl_vector_set(x, (size_t)i, from_coef(before[i], t.lo[i], t.hi[i]));
	}
	gsl_multifit_nlinear_fdf fdf = {0};
	fdf.f = tf_f;
	fdf.df = NULL; /* finite differences */
	fdf.n = (size_t)n;
	fdf.p = (size_t)t.n_free;
	fdf.params = &t;
	gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
	gsl_multifit_nlinear_workspace *ws =
		gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, (size_t)n, (size_t)t.n_free);
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int info = 0;
	int rc = gsl_multifit_nlinear_init(x, &fdf, ws);
	if (!rc)
		rc = gsl_multifit_nlinear_driver(500, 1e-10, 1e-10, 1e-12, NULL, NULL, &info, ws);
	double se[CAL_N_SCALARS];
	for (int i = 0; i < t.n_free; i++)
		se[i] = -1;
	if (!rc || rc == GSL_EMAXITER) {
		gsl_vector *xs = gsl_multifit_nlinear_position(ws);
		gsl_vector *fv = gsl_multifit_nlinear_residual(ws);
		gsl_matrix *J = gsl_multifit_nlinear_jac(ws);
		gsl_matrix *cov = gsl_matrix_alloc((size_t)t.n_free, (size_t)t.n_free);
		double chisq;
		gsl_blas_ddot(fv, fv, &chisq);
		res->timing_chisq = chisq;
		res->iterations = (int)gsl_multifit_nlinear_niter(ws);
		apply(&t, xs);
		/* standard errors in coefficient units: sigma_u * d(coef)/du */
		if (n > t.n_free && gsl_multifit_nlinear_covar(J, 1e-10, cov) == GSL_SUCCESS) {
			double s2 = chisq / (n - t.n_free);
			for (int i = 0; i < t.n_free; i++) {
				double u = gsl_vector_get(xs, (size_t)i);
				double sg = 1 / (1 + exp(-u));
				double dc = (t.hi[i] - t.lo[i]) * sg * (1 - sg);
				se[i] = sqrt(gsl_matrix_get(cov, (size_t)i, (size_t)i) * s2) * dc;
			}
		}
		gsl_matrix_free(cov);
		rc = 0;
		/* a free coefficient the data do not constrain, or one pinned at the
		 * edge of its plausible range, is not a fit: refuse it */
		for (int i = 0; i < t.n_free && !rc; i++) {
			double u = gsl_vector_get(xs, (size_t)i), sg = 1 / (1 + exp(-u));
			double dc = (t.hi[i] - t.lo[i]) * sg * (1 - sg), v = *cfg_slot(c, t.slot[i]), sens = 0;
			for (int k = 0; k < n; k++) {
				double jk = gsl_matrix_get(J, (size_t)k, (size_t)i) / dc * v;
				sens += jk * jk;
			}
			if (sg < 1e-4 || sg > 1 - 1e-4) {
				snprintf(err, errlen, "calibration.%s ends at the edge of its plausible range [%g, %g]; "
					 "the model cannot explain the measurements with it",
					 cal_slot_names[t.slot[i]], t.lo[i], t.hi[i]);
				rc = -2;
			} else if (sqrt(sens) < 1e-6) {
				snprintf(err, errlen, "calibration.%s is not constrained by any timing measurement "
					 "(no residual depends on it); mark it assumed or measured",
					 cal_slot_names[t.slot[i]]);
				rc = -2;
			}
		}
	}
	gsl_set_error_handler(old);
	gsl_multifit_nlinear_free(ws);
	gsl_vector_free(x);
	if (rc) {
		for (int i = 0; i < t.n_free; i++)
			*cfg_slot(c, t.slot[i]) = before[i];
		if (rc != -2)
			snprintf(err, errlen, "timing fit did not converge: %s", gsl_strerror(rc));
		return -1;
	}
	for (int i = 0; i < t.n_free; i++)
		record(res, t.slot[i], before[i], *cfg_slot(c, t.slot[i]), se[i]);
	return 0;
}

/* ---------------------------------------------------------------- power */

static int fit_power(cfg_t *c, const workload_t *w, calib_result *res, char *err, size_t errlen)
{
	if (!slot_free(c, "k_logic_w"))
		return 0;
	const design_t *d = find_design(c, c->meas.fit_design);
	perf_ctx p;
	perf_prepare(&p, c, w, d);
	int keys = c->meas.decode[0].prompt;
	perf_layer l = perf_decode_layer(&p, keys);
	double step = perf_decode_step_s(&p, keys);
	double bps = w->layers * l.bytes / step;
	/* the power equation (perf_power_w) is linear in k_logic_w: P(k) = P(0) + k (P(1) - P(0)) */
	double held = c->cal.k_logic_w.value;
	c->cal.k_logic_w.value = 0;
	double rest = perf_power_w(&p, true, bps);
	c->cal.k_logic_w.value = 1;
	double per = perf_power_w(&p, true, bps) - rest;
	c->cal.k_logic_w.value = held;
	double k = (c->meas.board_power_w - rest) / per;
	if (!(k >= 0) || per <= 0) {
		snprintf(err, errlen,
			 "idle power %.2f W plus DDR power leaves nothing of the measured %.2f W for the logic; "
			 "lower calibration.p_idle_w",
			 c->cal.p_idle_w.value, c->meas.board_power_w);
		return -1;
	}
	set_slot(c, res, "k_logic_w", k, -1);
	return 0;
}

int calib_fit(cfg_t *c, calib_result *res, char *err, size_t errlen)
{
	cfg_calib saved = c->cal;
	workload_t w;
	workload_init(&w, &c->model);
	memset(res, 0, sizeof *res);
	if (!c->has_meas) {
		snprintf(err, errlen, "the config has no 'measurements' section; there is nothing to fit to");
		return -1;
	}
	if (fit_resources(c, res, err, errlen) || fit_pcap(c, &w, res, err, errlen) ||
	    fit_timing(c, &w, res, err, errlen) || fit_power(c, &w, res, err, errlen)) {
		c->cal = saved;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ validation */

static int add_row(calib_row *rows, int n, int max, const char *name, const char *unit, double meas,
		   double pred, bool fitted_to, bool checked, const char *note)
{
	if (n >= max)
		return n;
	calib_row *r = &rows[n];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	snprintf(r->unit, sizeof r->unit, "%s", unit);
	r->measured = meas;
	r->predicted = pred;
	r->rel_err = meas != 0 ? pred / meas - 1 : 0;
	r->fitted_to = fitted_to;
	r->checked = checked;
	snprintf(r->note, sizeof r->note, "%s", note ? note : "");
	return n + 1;
}

int calib_rows(const cfg_t *c, calib_row *rows, int max)
{
	const cfg_meas *m = &c->meas;
	const design_t *base = find_design(c, m->fit_design);
	const design_t *dpr = find_design(c, m->dpr_design);
	if (!c->has_meas || !base || !dpr)
		return 0;
	workload_t w;
	workload_init(&w, &c->model);
	perf_ctx p, q;
	perf_prepare(&p, c, &w, base);
	perf_prepare(&q, c, &w, dpr);
	char name[64];
	int n = 0;

	for (int i = 0; i < m->n_ttft; i++) {
		snprintf(name, sizeof name, "ttft prompt=%d", m->ttft[i].prompt);
		n = add_row(rows, n, max, name, "s", m->ttft[i].value, perf_ttft_s(&p, m->ttft[i].prompt),
			    true, true, m->ttft[i].source);
	}
	for (int i = 0; i < m->n_decode; i++) {
		snprintf(name, sizeof name, "decode context=%d", m->decode[i].prompt);
		n = add_row(rows, n, max, name, "tok/s", m->decode[i].value,
			    perf_decode_tok_s(&p, m->decode[i].prompt), true, true, m->decode[i].source);
	}
	snprintf(name, sizeof name, "prefill attn/layer L=%d reversed", m->attn_prompt);
	n = add_row(rows, n, max, name, "ms", m->attn_reversed_ms,
		    perf_prefill_attn_s(&p, m->attn_prompt, false) * 1e3, true, true, m->attn_source);
	snprintf(name, sizeof name, "prefill attn/layer L=%d naive", m->attn_prompt);
	n = add_row(rows, n, max, name, "ms", m->attn_naive_ms,
		    perf_prefill_attn_s(&p, m->attn_prompt, true) * 1e3, false, true,
		    "not fitted: checks the causal-skip schedule");

	int keys = m->decode[0].prompt;
	perf_layer l = perf_decode_layer(&p, keys);
	double step = perf_decode_step_s(&p, keys);
	n = add_row(rows, n, max, "board power (decode)", "W", m->board_power_w,
		    perf_power_w(&p, true, w.layers * l.bytes / step), true, true, m->power_source);

	for (int t = 0; t < RES_N; t++) {
		snprintf(name, sizeof name, "baseline %s", res_names[t]);
		n = add_row(rows, n, max, name, "", m->baseline_res.v[t], p.r_total.v[t], true, true,
			    m->baseline_res_source);
	}
	for (int t = 0; t < RES_N; t++) {
		snprintf(name, sizeof name, "table2 tlmm %s", res_names[t]);
		n = add_row(rows, n, max, name, "", m->t2_tlmm.v[t],
			    c->cal.tlmm_per_unit.r.v[t] * (double)engine_tlmm_units(dpr), true, false, NULL);
	}
	for (int t = 0; t < RES_N; t++) {
		snprintf(name, sizeof name, "table2 prefill_rm %s", res_names[t]);
		n = add_row(rows, n, max, name, "", m->t2_pre.v[t], q.r_pre.v[t], t != RES_BRAM, false,
			    t == RES_BRAM ? "left out of the fit: exceeds the dynamic region's BRAM" : NULL);
	}
	for (int t = 0; t < RES_N; t++) {
		snprintf(name, sizeof name, "table2 decode_rm %s", res_names[t]);
		n = add_row(rows, n, max, name, "", m->t2_dec.v[t], q.r_dec.v[t], true, false, NULL);
	}
	for (int i = 0; i < m->n_pcap; i++) {
		snprintf(name, sizeof name, "pcap %.0f bytes", m->pcap_bytes[i]);
		double pred = platform_pcap_idle_s(c, m->pcap_bytes[i]) * 1e3;
		n = add_row(rows, n, max, name, "ms", m->pcap_ms[i], pred, true, true, m->pcap_source);
	}
	n = add_row(rows, n, max, "swap (idle DDR)", "ms", m->swap_ms,
		    (q.pcap_idle_s + c->cal.swap_ps_ms.value * 1e-3) * 1e3, true, true, m->swap_source);
	return n;
}
