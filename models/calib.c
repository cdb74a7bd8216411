/*
 * calib.c - least-squares calibration against published measurements.
 * See calib.h for the four fits, why the data are split as they are, how
 * identifiability is judged and what a draw is.
 */
#include "models/calib.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/engine.h"
#include "models/infer.h"
#include "models/perf.h"
#include "models/platform.h"
#include "models/profile.h"
#include "models/workload.h"

/* What a fit run is for: calibrate (strict) or one draw (calib_fit_sample). */
typedef struct {
	calib_result *res;
	gsl_rng *rng; /* non-NULL: draw each block as it is fitted */
} fitrun;

static const design_t *find_design(const cfg_t *c, const char *name)
{
	int i = cfg_find_design(c, name);
	return i < 0 ? NULL : &c->designs[i].d;
}

cfg_t *calib_parametric(const cfg_t *c)
{
	cfg_t *p = malloc(sizeof *p);
	if (!p)
		BUG("out of memory for a copy of the config");
	*p = *c;
	p->n_imports = p->n_limits = 0;
	return p;
}

static void record(calib_result *r, int slot, double before, double after, double se, calib_kind kind)
{
	if (r->n_changes < 64)
		r->ch[r->n_changes++] = (calib_change){slot, before, after, se, kind};
}

static void add_note(calib_result *r, const char *fmt, const char *a, const char *b)
{
	if (r->n_notes < 8)
		snprintf(r->note[r->n_notes++], sizeof r->note[0], fmt, a, b);
}

static calib_block *new_block(calib_result *r, const char *name)
{
	if (r->n_blocks >= CALIB_MAX_BLOCKS)
		BUG("more than %d calibration blocks", CALIB_MAX_BLOCKS);
	calib_block *b = &r->blk[r->n_blocks++];
	memset(b, 0, sizeof *b);
	snprintf(b->name, sizeof b->name, "%s", name);
	for (int i = 0; i < CALIB_MAX_BLOCK; i++)
		b->slot2[i] = -1;
	return b;
}

/* ------------------------------------------------------------ a block */

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

static double coord_value(const calib_block *b, int i, double x)
{
	switch (b->coord[i]) {
	case CB_LINEAR: return x > 0 ? x : 0;
	case CB_LOGISTIC: return to_coef(x, b->lo[i], b->hi[i]);
	case CB_PCAP_RATE: return x > 0 ? 1.0 / (x * 1e3) : INFINITY;
	}
	BUG("coordinate kind %d", (int)b->coord[i]);
}

/* d(coefficient)/d(coordinate) at x, for correlations and standard errors. */
static double coord_slope(const calib_block *b, int i, double x)
{
	switch (b->coord[i]) {
	case CB_LINEAR: return 1;
	case CB_LOGISTIC: {
		double sg = 1 / (1 + exp(-x));
		return (b->hi[i] - b->lo[i]) * sg * (1 - sg);
	}
	case CB_PCAP_RATE: return -1.0 / (x * x * 1e3);
	}
	BUG("coordinate kind %d", (int)b->coord[i]);
}

static void block_apply(cfg_t *c, const calib_block *b, const double *x)
{
	for (int i = 0; i < b->n; i++) {
		double v = coord_value(b, i, x[i]);
		*cfg_slot(c, b->slot[i]) = v;
		if (b->slot2[i] >= 0)
			*cfg_slot(c, b->slot2[i]) = v;
	}
}

double calib_block_corr(const calib_block *b, int i, int j)
{
	double d = sqrt(b->cov[i][i] * b->cov[j][j]);
	if (!(d > 0))
		return i == j ? 1 : 0;
	double s = coord_slope(b, i, b->x[i]) * coord_slope(b, j, b->x[j]);
	return b->cov[i][j] / d * (s < 0 ? -1 : 1);
}

/*
 * Draw x ~ mean + t_dof(0, cov) (a multivariate t: a Gaussian with the
 * covariance's eigenvectors, scaled by sqrt(dof / chi2_dof)), apply it.
 * Exact blocks (dof 0) stay at their estimate.
 */
static void block_draw(cfg_t *c, const calib_block *b, gsl_rng *rng)
{
	double x[CALIB_MAX_BLOCK];
	memcpy(x, b->x, sizeof x);
	if (b->dof > 0 && b->n > 0) {
		size_t n = (size_t)b->n;
		gsl_matrix *m = gsl_matrix_alloc(n, n), *v = gsl_matrix_alloc(n, n);
		gsl_vector *e = gsl_vector_alloc(n);
		gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(n);
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
				gsl_matrix_set(m, i, j, b->cov[i][j]);
		gsl_eigen_symmv(m, e, v, ws);
		gsl_eigen_symmv_sort(e, v, GSL_EIGEN_SORT_VAL_DESC);
		double z[CALIB_MAX_BLOCK];
		for (size_t k = 0; k < n; k++) {
			double ev = gsl_vector_get(e, k);
			z[k] = gsl_ran_gaussian(rng, 1.0) * sqrt(ev > 0 ? ev : 0);
		}
		double scale = sqrt(b->dof / gsl_ran_chisq(rng, b->dof));
		for (size_t i = 0; i < n; i++) {
			double s = 0;
			for (size_t k = 0; k < n; k++)
				s += gsl_matrix_get(v, i, k) * z[k];
			x[i] += s * scale;
		}
		gsl_eigen_symmv_free(ws);
		gsl_vector_free(e);
		gsl_matrix_free(m);
		gsl_matrix_free(v);
	}
	block_apply(c, b, x);
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

static void set_slot(cfg_t *c, calib_result *res, const char *name, double v, double se, calib_kind kind)
{
	int s = cfg_slot_index(name);
	double *p = cfg_slot(c, s);
	record(res, s, *p, v, se, kind);
	*p = v;
}

/* A measured RM row the fit may use in resource type t: not beyond the
 * dynamic region that holds it (Table 2's prefill BRAM is). */
static bool rm_row_usable(const cfg_t *c, const res_t *row, int t)
{
	return !(row->v[t] > c->meas.t2_dynamic.v[t] && c->meas.t2_dynamic.v[t] > 0);
}

/*
 * Rows of the resource fit of type t from the imported measurements: a
 * report of the prefill or decode engine, its units on that cost; a static
 * design's utilisation, its units on both, the static region (at the
 * current TLMM cost and the fixed blocks) taken off.  Returns the rows now.
 */
static int import_rows(const cfg_t *c, int t, double (*A)[2], double *y, int n, int max)
{
	for (int i = 0; i < c->n_imports && n < max; i++) {
		const cfg_import *m = &c->imports[i];
		double v = m->res.v[t];
		if (isnan(v))
			continue;
		if (m->scope == MEAS_PREFILL || m->scope == MEAS_DECODE) {
			bool pre = m->scope == MEAS_PREFILL;
			A[n][0] = pre ? (double)engine_pre_units(&m->d) : 0;
			A[n][1] = pre ? 0 : (double)engine_dec_units(&m->d);
			y[n++] = v;
		} else if (m->scope == MEAS_DESIGN && m->d.mode == MODE_STATIC) {
			double st = c->cal.tlmm_per_unit.r.v[t] * (double)engine_tlmm_units(&m->d) +
				    c->cal.rmsnorm_findmax.r.v[t] + c->cal.other_static.r.v[t];
			A[n][0] = (double)engine_pre_units(&m->d);
			A[n][1] = (double)engine_dec_units(&m->d);
			y[n++] = v - st > 0 ? v - st : 0;
		}
	}
	return n;
}

/* How many imported rows the fit of type t takes (for the notes). */
static int n_import_rows(const cfg_t *c)
{
	double A[CFG_MAX_IMPORTS][2], y[CFG_MAX_IMPORTS];
	int k = 0;
	for (int t = 0; t < RES_N; t++)
		k += import_rows(c, t, A, y, 0, CFG_MAX_IMPORTS);
	return k;
}

/* tlmm_per_unit fitted: through the origin, Table 2's row and the TLMM reports. */
static double tlmm_cost(const cfg_t *c, const design_t *dpr, int t, int *rows)
{
	double u = (double)engine_tlmm_units(dpr), su = u * c->meas.t2_tlmm.v[t], uu = u * u;
	*rows = 1;
	for (int i = 0; i < c->n_imports; i++) {
		const cfg_import *m = &c->imports[i];
		if (m->scope != MEAS_TLMM || isnan(m->res.v[t]))
			continue;
		double x = (double)engine_tlmm_units(&m->d);
		su += x * m->res.v[t];
		uu += x * x;
		(*rows)++;
	}
	return uu > 0 ? su / uu : 0;
}

static int fit_resources(cfg_t *c, fitrun *fr, char *err, size_t errlen)
{
	calib_result *res = fr->res;
	const design_t *base = find_design(c, c->meas.fit_design);
	int di = cfg_find_design(c, c->meas.dpr_design);
	const design_t *dpr = &c->designs[di].d;
	bool pre_known = !infer_engine(c, di, true), dec_known = !infer_engine(c, di, false);
	res_t batt = baseline_attention(c);
	bool tied_noted = false;

	for (int t = 0; t < RES_N; t++) {
		char name[64];
		snprintf(name, sizeof name, "tlmm_per_unit.%s", res_names[t]);
		prov_t tp = cfg_slot_prov(c, cfg_slot_index(name));
		int trows = 1;
		if (tp == PROV_FITTED)
			set_slot(c, res, name, tlmm_cost(c, dpr, t, &trows), -1, CALIB_FITTED);
		else if (tp == PROV_DERIVED)
			set_slot(c, res, name, c->meas.t2_tlmm.v[t] / (double)engine_tlmm_units(dpr), -1, CALIB_DERIVED);

		char pn[64], dn[64];
		snprintf(pn, sizeof pn, "pre_per_mac.%s", res_names[t]);
		snprintf(dn, sizeof dn, "dec_per_mac.%s", res_names[t]);
		int ps = cfg_slot_index(pn), ds = cfg_slot_index(dn);
		bool fp = slot_free(c, pn), fd = slot_free(c, dn);
		if (!fp && !fd)
			continue;
		/* rows: baseline attention, then the DPR design's RMs whose sizes are known,
		 * then the imported reports of one engine or of a whole static design */
		enum { MAXR = 3 + CFG_MAX_IMPORTS };
		double A[MAXR][2], y[MAXR];
		int n = 0;
		A[n][0] = (double)engine_pre_units(base);
		A[n][1] = (double)engine_dec_units(base);
		y[n++] = batt.v[t] > 0 ? batt.v[t] : 0;
		if (pre_known && rm_row_usable(c, &c->meas.t2_pre, t)) {
			A[n][0] = (double)engine_pre_units(dpr);
			A[n][1] = 0;
			y[n++] = c->meas.t2_pre.v[t];
		}
		if (dec_known && rm_row_usable(c, &c->meas.t2_dec, t)) {
			A[n][0] = 0;
			A[n][1] = (double)engine_dec_units(dpr);
			y[n++] = c->meas.t2_dec.v[t];
		}
		n = import_rows(c, t, A, y, n, MAXR);
		double held[2] = {*cfg_slot(c, ps), *cfg_slot(c, ds)};
		bool freev[2] = {fp, fd};
		/* can the rows separate the two costs?  (the 2x2 normal matrix is singular when not) */
		bool tie = false;
		if (fp && fd) {
			double s00 = 0, s01 = 0, s11 = 0;
			for (int i = 0; i < n; i++) {
				s00 += A[i][0] * A[i][0];
				s01 += A[i][0] * A[i][1];
				s11 += A[i][1] * A[i][1];
			}
			tie = !(s00 * s11 - s01 * s01 > 1e-9 * s00 * s11);
		}
		int nf = tie ? 1 : fp + fd;
		gsl_matrix *X = gsl_matrix_alloc((size_t)n, (size_t)nf);
		gsl_vector *Y = gsl_vector_alloc((size_t)n), *B = gsl_vector_alloc((size_t)nf);
		gsl_matrix *cov = gsl_matrix_alloc((size_t)nf, (size_t)nf);
		gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc((size_t)n, (size_t)nf);
		for (int i = 0; i < n; i++) {
			double yi = y[i];
			if (tie) {
				gsl_matrix_set(X, (size_t)i, 0, A[i][0] + A[i][1]);
			} else {
				int col = 0;
				for (int j = 0; j < 2; j++) {
					if (freev[j])
						gsl_matrix_set(X, (size_t)i, (size_t)col++, A[i][j]);
					else
						yi -= A[i][j] * held[j];
				}
			}
			gsl_vector_set(Y, (size_t)i, yi);
		}
		double chisq;
		gsl_error_handler_t *old = gsl_set_error_handler_off();
		int rc = gsl_multifit_linear(X, Y, B, cov, &chisq, ws);
		gsl_set_error_handler(old);
		double b[2] = {held[0], held[1]};
		if (tie) {
			b[0] = b[1] = gsl_vector_get(B, 0);
		} else {
			int col = 0;
			for (int j = 0; j < 2; j++)
				if (freev[j])
					b[j] = gsl_vector_get(B, (size_t)col++);
		}
		int dof = n - nf;
		/* per-unit costs cannot be negative: clamp and refit the other */
		bool clamped = false;
		for (int j = 0; j < 2 && !tie; j++) {
			if (b[j] < 0 && freev[j]) {
				b[j] = 0;
				clamped = true;
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
		if (tie && b[0] < 0)
			b[0] = b[1] = 0;
		calib_block *blk = new_block(res, "");
		snprintf(blk->name, sizeof blk->name, "resources.%s", res_names[t]);
		blk->dof = rc || clamped ? 0 : dof;
		if (tie) {
			blk->n = 1;
			blk->slot[0] = ps;
			blk->slot2[0] = ds;
			blk->x[0] = b[0];
			blk->coord[0] = CB_LINEAR;
			if (blk->dof > 0)
				blk->cov[0][0] = gsl_matrix_get(cov, 0, 0);
		} else {
			int col = 0;
			for (int j = 0; j < 2; j++)
				if (freev[j]) {
					blk->slot[blk->n] = j ? ds : ps;
					blk->x[blk->n] = b[j];
					blk->coord[blk->n] = CB_LINEAR;
					blk->n++;
				}
			for (int i = 0; i < nf && blk->dof > 0; i++)
				for (int j = 0; j < nf; j++)
					blk->cov[i][j] = gsl_matrix_get(cov, (size_t)i, (size_t)j);
			(void)col;
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
		for (int i = 0; i < blk->n; i++) {
			double se = blk->dof > 0 ? sqrt(blk->cov[i][i]) : -1;
			const char *nm = cal_slot_names[blk->slot[i]];
			set_slot(c, res, nm, blk->x[i], se, tie ? CALIB_TIED : CALIB_FITTED);
			if (blk->slot2[i] >= 0)
				set_slot(c, res, cal_slot_names[blk->slot2[i]], blk->x[i], se, CALIB_TIED);
		}
		if (tie && !tied_noted) {
			tied_noted = true;
			add_note(res,
				 "pre_per_mac and dec_per_mac are tied: the rows of known sizes (%s) cannot separate a "
				 "prefill from a decode MAC lane, so both cost the same per lane%s",
				 pre_known || dec_known ? "the baseline's attention and one RM" : "the baseline's attention alone",
				 "");
		}
		if (fr->rng)
			block_draw(c, blk, fr->rng);
	}
	if (c->n_imports && !fr->rng) {
		char k[32];
		snprintf(k, sizeof k, "%d", n_import_rows(c));
		add_note(res, "%s rows of imported reports joined the resource fits%s", k,
			 " (their units on the engine they measured); calib_rows shows each against the parametric model");
	}
	return 0;
}

/* ----------------------------------------------------------------- pcap */

static int fit_pcap(cfg_t *c, const workload_t *w, fitrun *fr, char *err, size_t errlen)
{
	calib_result *res = fr->res;
	const cfg_meas *m = &c->meas;
	bool frt = slot_free(c, "pcap_rate_mb_s"), fs = slot_free(c, "pcap_setup_ms");
	if (frt || fs) {
		double c0, c1, cov00 = 0, cov01 = 0, cov11 = 0, sumsq;
		double xs[CFG_MAX_MEAS], ys[CFG_MAX_MEAS];
		int n = m->n_pcap, dof;
		for (int i = 0; i < n; i++) {
			xs[i] = m->pcap_bytes[i];
			ys[i] = m->pcap_ms[i];
		}
		bool through0 = false;
		if (frt && fs) {
			gsl_fit_linear(xs, 1, ys, 1, (size_t)n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
			dof = n - 2;
			if (c0 < 0) { /* a negative setup is not physical: fit through the origin */
				c0 = 0;
				through0 = true;
				gsl_fit_mul(xs, 1, ys, 1, (size_t)n, &c1, &cov11, &sumsq);
				cov00 = cov01 = 0;
				dof = n - 1;
			}
		} else if (frt) {
			double setup = c->cal.pcap_setup_ms.value;
			for (int i = 0; i < n; i++)
				ys[i] -= setup;
			c0 = setup;
			gsl_fit_mul(xs, 1, ys, 1, (size_t)n, &c1, &cov11, &sumsq);
			dof = n - 1;
		} else {
			c1 = 1.0 / (c->cal.pcap_rate_mb_s.value * 1e3); /* ms per byte */
			double s = 0, s2 = 0;
			for (int i = 0; i < n; i++)
				s += ys[i] - c1 * xs[i];
			c0 = s / n > 0 ? s / n : 0;
			for (int i = 0; i < n; i++)
				s2 += (ys[i] - c1 * xs[i] - c0) * (ys[i] - c1 * xs[i] - c0);
			dof = n - 1;
			cov00 = dof > 0 ? s2 / dof / n : 0;
		}
		if (!(c1 > 0)) {
			snprintf(err, errlen, "the PCAP points do not rise with size; cannot fit a rate");
			return -1;
		}
		calib_block *b = new_block(res, "pcap");
		b->dof = dof;
		int ir = -1, is = -1;
		if (frt) {
			ir = b->n++;
			b->slot[ir] = cfg_slot_index("pcap_rate_mb_s");
			b->coord[ir] = CB_PCAP_RATE;
			b->x[ir] = c1;
		}
		if (fs && !through0) {
			is = b->n++;
			b->slot[is] = cfg_slot_index("pcap_setup_ms");
			b->coord[is] = CB_LINEAR;
			b->x[is] = c0;
		}
		if (ir >= 0)
			b->cov[ir][ir] = cov11;
		if (is >= 0)
			b->cov[is][is] = cov00;
		if (ir >= 0 && is >= 0)
			b->cov[ir][is] = b->cov[is][ir] = cov01;
		if (frt)
			set_slot(c, res, "pcap_rate_mb_s", 1.0 / c1 / 1e3, dof > 0 ? sqrt(cov11) / (c1 * c1 * 1e3) : -1,
				 CALIB_FITTED); /* B/ms -> MB/s */
		if (fs)
			set_slot(c, res, "pcap_setup_ms", c0, dof > 0 && !through0 ? sqrt(cov00) : -1, CALIB_FITTED);
		if (fr->rng)
			block_draw(c, b, fr->rng);
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
		set_slot(c, res, "swap_ps_ms", ps, -1, CALIB_FITTED);
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

static void apply(tfit *t, const gsl_vector *x)
{
	for (int i = 0; i < t->n_free; i++)
		*cfg_slot(t->c, t->slot[i]) = to_coef(gsl_vector_get(x, (size_t)i), t->lo[i], t->hi[i]);
}

/* Relative residuals of the baseline's timing points (names into `names` unless NULL). */
static int timing_residuals(cfg_t *c, const workload_t *w, const design_t *d, double *r,
			    char (*names)[48])
{
	/* The published points measure the board: the parametric model, c without its imported
	 * profiles and limits.  The solver calls this once per iteration, so c itself is made
	 * parametric for the perf calls below and restored after, rather than copied (the config
	 * is some 340 KB); c is the caller's own (one per fit, one per interval draw). */
	perf_ctx p;
	int n_imports = c->n_imports, n_limits = c->n_limits;
	c->n_imports = c->n_limits = 0;
	perf_prepare(&p, c, w, d);
	int n = 0;
	for (int i = 0; i < c->meas.n_ttft; i++) {
		if (names)
			snprintf(names[n], 48, "ttft prompt=%d", c->meas.ttft[i].prompt);
		r[n++] = perf_ttft_s(&p, c->meas.ttft[i].prompt) / c->meas.ttft[i].value - 1;
	}
	for (int i = 0; i < c->meas.n_decode; i++) {
		if (names)
			snprintf(names[n], 48, "decode context=%d", c->meas.decode[i].prompt);
		r[n++] = perf_decode_tok_s(&p, c->meas.decode[i].prompt) / c->meas.decode[i].value - 1;
	}
	if (names)
		snprintf(names[n], 48, "prefill attn/layer L=%d", c->meas.attn_prompt);
	r[n++] = perf_prefill_attn_s(&p, c->meas.attn_prompt, false) * 1e3 / c->meas.attn_reversed_ms - 1;
	c->n_imports = n_imports;
	c->n_limits = n_limits;
	/* the efficiencies imported csynth latencies measure */
	for (int i = 0; i < c->n_imports; i++) {
		const cfg_import *m = &c->imports[i];
		double em = m->scope <= MEAS_DECODE ? profile_point_eta(c, m) : NAN;
		if (!isfinite(em) || n >= CALIB_MAX_POINTS)
			continue;
		if (names)
			snprintf(names[n], 48, "csynth eta m%lld %s", (long long)m->id, cfg_meas_scope_names[m->scope]);
		double ep = m->scope == MEAS_TLMM ? c->cal.eta_tlmm.value : c->cal.eta_attn.value;
		r[n++] = ep / em - 1;
	}
	return n;
}

static int tf_f(const gsl_vector *x, void *params, gsl_vector *f)
{
	tfit *t = params;
	double r[CALIB_MAX_POINTS];
	apply(t, x);
	int n = timing_residuals(t->c, t->w, t->d, r, NULL);
	for (int i = 0; i < n; i++)
		gsl_vector_set(f, (size_t)i, r[i]);
	return GSL_SUCCESS;
}

/* The outcome of one nonlinear least-squares run over t's free coefficients. */
typedef struct {
	int rc; /* 0, or a GSL error */
	double chisq;
	int iterations;
	double u[CALIB_MAX_BLOCK];
	double jrel[CALIB_MAX_POINTS][CALIB_MAX_BLOCK]; /* d r / d ln(coefficient) */
	double cov[CALIB_MAX_BLOCK][CALIB_MAX_BLOCK];   /* of u, residual variance included */
	bool cov_ok;
} tsolve;

static void run_nlls(tfit *t, int n, tsolve *o)
{
	memset(o, 0, sizeof *o);
	size_t p = (size_t)t->n_free;
	gsl_vector *x = gsl_vector_alloc(p);
	for (int i = 0; i < t->n_free; i++)
		gsl_vector_set(x, (size_t)i, from_coef(*cfg_slot(t->c, t->slot[i]), t->lo[i], t->hi[i]));
	gsl_multifit_nlinear_fdf fdf = {0};
	fdf.f = tf_f;
	fdf.df = NULL; /* finite differences */
	fdf.n = (size_t)n;
	fdf.p = p;
	fdf.params = t;
	gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
	gsl_multifit_nlinear_workspace *ws = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, (size_t)n, p);
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int info = 0;
	int rc = gsl_multifit_nlinear_init(x, &fdf, ws);
	if (!rc)
		rc = gsl_multifit_nlinear_driver(500, 1e-10, 1e-10, 1e-12, NULL, NULL, &info, ws);
	if (!rc || rc == GSL_EMAXITER) {
		gsl_vector *xs = gsl_multifit_nlinear_position(ws);
		gsl_vector *fv = gsl_multifit_nlinear_residual(ws);
		gsl_matrix *J = gsl_multifit_nlinear_jac(ws);
		gsl_blas_ddot(fv, fv, &o->chisq);
		o->iterations = (int)gsl_multifit_nlinear_niter(ws);
		apply(t, xs);
		for (int i = 0; i < t->n_free; i++) {
			double u = gsl_vector_get(xs, (size_t)i), sg = 1 / (1 + exp(-u));
			double dc = (t->hi[i] - t->lo[i]) * sg * (1 - sg), v = *cfg_slot(t->c, t->slot[i]);
			o->u[i] = u;
			for (int k = 0; k < n; k++)
				o->jrel[k][i] = dc > 0 ? gsl_matrix_get(J, (size_t)k, (size_t)i) / dc * v : 0;
		}
		gsl_matrix *cov = gsl_matrix_alloc(p, p);
		if (n > t->n_free && gsl_multifit_nlinear_covar(J, 1e-10, cov) == GSL_SUCCESS) {
			double s2 = o->chisq / (n - t->n_free);
			for (size_t i = 0; i < p; i++)
				for (size_t j = 0; j < p; j++)
					o->cov[i][j] = gsl_matrix_get(cov, i, j) * s2;
			o->cov_ok = true;
		}
		gsl_matrix_free(cov);
		rc = 0;
	}
	o->rc = rc;
	gsl_set_error_handler(old);
	gsl_multifit_nlinear_free(ws);
	gsl_vector_free(x);
}

/*
 * A roofline's min() leaves a coefficient no slope on one side of its
 * kink: started there, the fit cannot move it.  For each free coefficient
 * that no residual depends on at the solution, start it again at points
 * across its plausible range (the others where the fit left them) and keep
 * the best solution found.
 */
static void restart_flat(tfit *t, int n, tsolve *o)
{
	for (int i = 0; i < t->n_free; i++) {
		double s = 0;
		for (int k = 0; k < n; k++)
			s += o->jrel[k][i] * o->jrel[k][i];
		if (sqrt(s) >= 1e-6)
			continue;
		double keep[CALIB_MAX_BLOCK];
		for (int j = 0; j < t->n_free; j++)
			keep[j] = *cfg_slot(t->c, t->slot[j]);
		tsolve best = *o;
		double bestv[CALIB_MAX_BLOCK];
		memcpy(bestv, keep, sizeof bestv);
		static const double q[] = {0.05, 0.15, 0.3, 0.5, 0.7, 0.9};
		for (size_t a = 0; a < sizeof q / sizeof q[0]; a++) {
			for (int j = 0; j < t->n_free; j++)
				*cfg_slot(t->c, t->slot[j]) = keep[j];
			*cfg_slot(t->c, t->slot[i]) = t->lo[i] + (t->hi[i] - t->lo[i]) * q[a];
			tsolve trial;
			run_nlls(t, n, &trial);
			if (!trial.rc && trial.chisq < best.chisq * (1 - 1e-9)) {
				best = trial;
				for (int j = 0; j < t->n_free; j++)
					bestv[j] = *cfg_slot(t->c, t->slot[j]);
			}
		}
		*o = best;
		for (int j = 0; j < t->n_free; j++)
			*cfg_slot(t->c, t->slot[j]) = bestv[j];
	}
}

/*
 * The first free coefficient the solution does not identify, with why, or
 * -1: a zero column of J (no measurement depends on it); J'J singular
 * along it (the eigenvector of a vanishing eigenvalue is largest in it);
 * or a correlation above 0.999 with an earlier one.
 */
static int unidentified(const tfit *t, const tsolve *o, int n, char *why, size_t whylen)
{
	int p = t->n_free;
	double norm[CALIB_MAX_BLOCK];
	for (int i = 0; i < p; i++) {
		double s = 0;
		for (int k = 0; k < n; k++)
			s += o->jrel[k][i] * o->jrel[k][i];
		norm[i] = sqrt(s);
		if (norm[i] < 1e-6) {
			snprintf(why, whylen, "no timing measurement depends on it (|dr/dln x| = %.1e)", norm[i]);
			return i;
		}
	}
	if (p < 2)
		return -1;
	/* J'J of the unit-normalised columns: a correlation matrix of the sensitivities */
	gsl_matrix *m = gsl_matrix_alloc((size_t)p, (size_t)p), *v = gsl_matrix_alloc((size_t)p, (size_t)p);
	gsl_vector *e = gsl_vector_alloc((size_t)p);
	gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc((size_t)p);
	for (int i = 0; i < p; i++)
		for (int j = 0; j < p; j++) {
			double s = 0;
			for (int k = 0; k < n; k++)
				s += o->jrel[k][i] * o->jrel[k][j];
			gsl_matrix_set(m, (size_t)i, (size_t)j, s / (norm[i] * norm[j]));
		}
	gsl_eigen_symmv(m, e, v, ws);
	gsl_eigen_symmv_sort(e, v, GSL_EIGEN_SORT_VAL_ASC);
	int bad = -1;
	if (gsl_vector_get(e, 0) < 1e-8) {
		double big = 0;
		for (int i = 0; i < p; i++) {
			double a = fabs(gsl_matrix_get(v, (size_t)i, 0));
			if (a >= big - 1e-12) {
				big = a;
				bad = i;
			}
		}
		snprintf(why, whylen, "the measurements cannot tell it from a combination of the others "
				      "(J'J singular along it)");
	} else if (o->cov_ok) {
		for (int j = 1; j < p && bad < 0; j++)
			for (int i = 0; i < j && bad < 0; i++) {
				double r = o->cov[i][j] / sqrt(o->cov[i][i] * o->cov[j][j]);
				if (fabs(r) > 0.999) {
					bad = j;
					snprintf(why, whylen, "not separately identified from %s (correlation %+.4f)",
						 cal_slot_names[t->slot[i]], r);
				}
			}
	}
	gsl_eigen_symmv_free(ws);
	gsl_vector_free(e);
	gsl_matrix_free(m);
	gsl_matrix_free(v);
	return bad;
}

static int fit_timing(cfg_t *c, const workload_t *w, fitrun *fr, char *err, size_t errlen)
{
	calib_result *res = fr->res;
	tfit t = {c, w, find_design(c, c->meas.fit_design), 0, {0}, {0}, {0}};
	bool held[CAL_N_SCALARS] = {false};
	double r[CALIB_MAX_POINTS];
	int n = timing_residuals(c, w, t.d, r, res->point);
	res->n_timing_points = n;
	res->timing_block = -1;
	double before[CAL_N_SCALARS];
	for (int s = 0; s < CAL_N_SCALARS; s++)
		before[s] = *cfg_slot(c, s);
	tsolve o;
	for (;;) {
		t.n_free = 0;
		for (int s = 0; s < CAL_N_SCALARS; s++) {
			const cfg_cal_scalar *k = &cfg_cal_scalars[s];
			if (!k->timing || cfg_slot_prov(c, s) != PROV_FITTED || held[s])
				continue;
			if (t.n_free >= CALIB_MAX_BLOCK)
				BUG("more than %d free timing coefficients", CALIB_MAX_BLOCK);
			t.slot[t.n_free] = s;
			t.lo[t.n_free] = k->fit_lo;
			t.hi[t.n_free] = k->fit_hi;
			t.n_free++;
		}
		res->n_timing_free = t.n_free;
		if (t.n_free == 0)
			return 0;
		if (t.n_free >= n) {
			snprintf(err, errlen, "%d free timing coefficients but only %d timing measurements; "
				 "mark fewer as fitted", t.n_free, n);
			return -1;
		}
		for (int s = 0; s < CAL_N_SCALARS; s++)
			*cfg_slot(c, s) = before[s];
		run_nlls(&t, n, &o);
		if (!o.rc)
			restart_flat(&t, n, &o);
		if (o.rc) {
			for (int s = 0; s < CAL_N_SCALARS; s++)
				*cfg_slot(c, s) = before[s];
			snprintf(err, errlen, "timing fit did not converge: %s", gsl_strerror(o.rc));
			return -1;
		}
		if (fr->rng) /* a draw: the identifiability of the config was judged by calibrate */
			break;
		/* one pinned at the edge of its plausible range is not a fit: refuse it (before asking what
		 * the data identify: at the edge the logistic map leaves the fit no slope to see) */
		for (int i = 0; i < t.n_free; i++) {
			double sg = 1 / (1 + exp(-o.u[i]));
			if (sg < 1e-4 || sg > 1 - 1e-4) {
				for (int s = 0; s < CAL_N_SCALARS; s++)
					*cfg_slot(c, s) = before[s];
				snprintf(err, errlen, "calibration.%s ends at the edge of its plausible range [%g, %g]; "
					 "the model cannot explain the measurements with it",
					 cal_slot_names[t.slot[i]], t.lo[i], t.hi[i]);
				return -1;
			}
		}
		char why[200];
		int bad = unidentified(&t, &o, n, why, sizeof why);
		if (bad < 0)
			break;
		int s = t.slot[bad];
		held[s] = true;
		calib_unident *u = &res->unident[res->n_unident++];
		u->slot = s;
		snprintf(u->why, sizeof u->why, "%s", why);
	}
	for (int s = 0; s < CAL_N_SCALARS; s++)
		if (held[s])
			*cfg_slot(c, s) = before[s];
	res->timing_chisq = o.chisq;
	res->iterations = o.iterations;
	calib_block *b = new_block(res, "timing");
	res->timing_block = res->n_blocks - 1;
	b->n = t.n_free;
	b->dof = o.cov_ok ? n - t.n_free : 0;
	for (int i = 0; i < t.n_free; i++) {
		b->slot[i] = t.slot[i];
		b->coord[i] = CB_LOGISTIC;
		b->lo[i] = t.lo[i];
		b->hi[i] = t.hi[i];
		b->x[i] = o.u[i];
		for (int j = 0; j < t.n_free; j++)
			b->cov[i][j] = o.cov[i][j];
		for (int k = 0; k < n; k++)
			res->sens[k][i] = o.jrel[k][i];
	}
	for (int i = 0; i < t.n_free; i++) {
		double se = b->dof > 0 ? sqrt(b->cov[i][i]) * coord_slope(b, i, b->x[i]) : -1;
		record(res, t.slot[i], before[t.slot[i]], *cfg_slot(c, t.slot[i]), se, CALIB_FITTED);
	}
	if (fr->rng)
		block_draw(c, b, fr->rng);
	return 0;
}

/* ---------------------------------------------------------------- power */

static int fit_power(cfg_t *c, const workload_t *w, fitrun *fr, char *err, size_t errlen)
{
	if (!slot_free(c, "k_logic_w"))
		return 0;
	const design_t *d = find_design(c, c->meas.fit_design);
	perf_ctx p;
	cfg_t *par = calib_parametric(c);
	perf_prepare(&p, par, w, d);
	int keys = c->meas.power_context;
	perf_layer l = perf_decode_layer(&p, keys);
	double step = perf_decode_step_s(&p, keys);
	double bps = w->layers * l.bytes / step;
	/* the power equation (perf_power_w) is linear in k_logic_w: P(k) = P(0) + k (P(1) - P(0)) */
	par->cal.k_logic_w.value = 0;
	double rest = perf_power_w(&p, true, bps);
	par->cal.k_logic_w.value = 1;
	double per = perf_power_w(&p, true, bps) - rest;
	free(par);
	double k = (c->meas.board_power_w - rest) / per;
	if (!(k >= 0) || per <= 0) {
		snprintf(err, errlen,
			 "idle power %.2f W plus DDR power leaves nothing of the measured %.2f W for the logic; "
			 "lower calibration.p_idle_w",
			 c->cal.p_idle_w.value, c->meas.board_power_w);
		return -1;
	}
	set_slot(c, fr->res, "k_logic_w", k, -1, CALIB_FITTED);
	return 0;
}

static int fit_all(cfg_t *c, fitrun *fr, char *err, size_t errlen)
{
	cfg_calib saved = c->cal;
	cfg_design designs[CFG_MAX_DESIGNS];
	memcpy(designs, c->designs, sizeof designs);
	workload_t w;
	workload_init(&w, &c->model);
	memset(fr->res, 0, sizeof *fr->res);
	fr->res->timing_block = -1;
	if (!c->has_meas) {
		snprintf(err, errlen, "the config has no 'measurements' section; there is nothing to fit to");
		return -1;
	}
	if (fit_resources(c, fr, err, errlen) || infer_all(c, err, errlen) || fit_pcap(c, &w, fr, err, errlen) ||
	    fit_timing(c, &w, fr, err, errlen) || fit_power(c, &w, fr, err, errlen)) {
		c->cal = saved;
		memcpy(c->designs, designs, sizeof designs);
		return -1;
	}
	return 0;
}

int calib_fit(cfg_t *c, calib_result *res, char *err, size_t errlen)
{
	fitrun fr = {res, NULL};
	return fit_all(c, &fr, err, errlen);
}

int calib_fit_sample(cfg_t *c, gsl_rng *rng, char *err, size_t errlen)
{
	calib_result res;
	fitrun fr = {&res, rng};
	return fit_all(c, &fr, err, errlen);
}

/* ------------------------------------------------------------ validation */

static int calib_published_rows(const cfg_t *c, calib_row *rows, int max);

/* What a row measures (calib_row.figure, part, length). */
typedef struct {
	const char *figure, *part;
	int length;
} row_what;

static int add_row(calib_row *rows, int n, int max, const char *name, const char *unit, double meas,
		   double pred, bool fitted_to, bool checked, row_what what, const char *source, const char *note)
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
	snprintf(r->source, sizeof r->source, "%s", source ? source : "");
	snprintf(r->figure, sizeof r->figure, "%s", what.figure);
	snprintf(r->part, sizeof r->part, "%s", what.part ? what.part : "");
	r->length = what.length;
	return n + 1;
}

/*
 * The rows of the imported measurements: what each measured against the
 * parametric model (the figure its profile replaces), from n on.
 */
static int import_calib_rows(const cfg_t *c, calib_row *rows, int n, int max)
{
	if (c->n_imports == 0)
		return n;
	cfg_t *par = calib_parametric(c);
	workload_t w;
	workload_init(&w, &c->model);
	static const char *const unit[RES_N] = {"LUT", "FF", "BRAM36", "URAM", "DSP"};
	char name[64], note[128];
	for (int i = 0; i < c->n_imports; i++) {
		const cfg_import *m = &c->imports[i];
		const design_t *d = &m->d;
		char tag[40];
		snprintf(tag, sizeof tag, "m%lld %s", (long long)m->id, cfg_meas_scope_names[m->scope]);
		if (m->scope <= MEAS_DECODE) {
			double u = (double)profile_units(m->scope, d);
			const char *cost = m->scope == MEAS_TLMM ? "tlmm_per_unit" : m->scope == MEAS_PREFILL ? "pre_per_mac"
													 : "dec_per_mac";
			for (int t = 0; t < RES_N; t++) {
				if (isnan(m->res.v[t]))
					continue;
				char sl[64];
				snprintf(sl, sizeof sl, "%s.%s", cost, res_names[t]);
				snprintf(name, sizeof name, "%s %.0fu@%d %s", tag, u, d->clock_mhz, res_names[t]);
				snprintf(note, sizeof note, "%s %s: the parametric model (%s x %.0f units)%s",
					 m->csynth ? "csynth" : "utilization", m->tool_version, cost, u,
					 m->csynth && t == RES_BRAM ? "; BRAM_18K / 2" : "");
				n = add_row(rows, n, max, name, unit[t], m->res.v[t], profile_parametric(c, m->scope, t, u),
					    cfg_slot_prov(c, cfg_slot_index(sl)) == PROV_FITTED, true,
					    (row_what){res_names[t], NULL, 0}, m->file, note);
			}
			double em = profile_point_eta(c, m);
			if (isfinite(em)) {
				const char *k = m->scope == MEAS_TLMM ? "eta_tlmm" : "eta_attn";
				snprintf(name, sizeof name, "%s %.0fu@%d eta", tag, u, d->clock_mhz);
				snprintf(note, sizeof note, "model cycles at the loop bound %d / csynth worst latency %.0f; %s",
					 m->loop_bound, m->latency_worst, k);
				n = add_row(rows, n, max, name, "", em, profile_parametric(c, m->scope, PF_ETA, u),
					    cfg_slot_prov(c, cfg_slot_index(k)) == PROV_FITTED, true,
					    (row_what){"eta", NULL, 0}, m->file, note);
			}
			if (m->csynth && m->est_clock_ns > 0) {
				double per = 1000.0 / d->clock_mhz;
				snprintf(name, sizeof name, "%s %.0fu@%d clock", tag, u, d->clock_mhz);
				snprintf(note, sizeof note, "estimated clock against the design's period: timing %s",
					 m->est_clock_ns <= per ? "met" : "missed");
				n = add_row(rows, n, max, name, "ns", m->est_clock_ns, per, false, false,
					    (row_what){"clock_ns", NULL, 0}, m->file, note);
			}
			continue;
		}
		perf_ctx p;
		perf_res r;
		perf_prepare(&p, par, &w, d);
		perf_resources(&p, &r);
		for (int t = 0; t < RES_N; t++) {
			if (isnan(m->res.v[t]))
				continue;
			if (m->scope == MEAS_DESIGN) {
				snprintf(name, sizeof name, "%s total %s", tag, res_names[t]);
				snprintf(note, sizeof note, "utilization %s of %s: the design's total", m->tool_version, m->target);
				n = add_row(rows, n, max, name, unit[t], m->res.v[t], r.r_total.v[t],
					    d->mode == MODE_STATIC, true, (row_what){res_names[t], NULL, 0}, m->file, note);
			} else {
				double big = r.r_pre.v[t] > r.r_dec.v[t] ? r.r_pre.v[t] : r.r_dec.v[t];
				double lim = isnan(m->avail.v[t]) ? NAN : perf_rp_usable(c, t, m->avail.v[t]);
				snprintf(name, sizeof name, "%s %s %s", tag, c->arch.pblocks[d->rp].name, res_names[t]);
				if (isnan(lim))
					snprintf(note, sizeof note, "the RM in the pblock against the larger RM");
				else
					snprintf(note, sizeof note, "the RM in the pblock against the larger RM; %.6g fit the area%s",
						 lim, m->res.v[t] > lim ? ": over" : "");
				n = add_row(rows, n, max, name, unit[t], m->res.v[t], big, false, false,
					    (row_what){res_names[t], NULL, 0}, m->file, note);
			}
		}
	}
	free(par);
	return n;
}

int calib_rows(const cfg_t *c, calib_row *rows, int max)
{
	int n = calib_published_rows(c, rows, max);
	return import_calib_rows(c, rows, n, max);
}

/* The published measurements with their predictions. */
static int calib_published_rows(const cfg_t *c, calib_row *rows, int max)
{
	const cfg_meas *m = &c->meas;
	const design_t *base = find_design(c, m->fit_design);
	const design_t *dpr = find_design(c, m->dpr_design);
	if (!c->has_meas || !base || !dpr)
		return 0;
	int di = cfg_find_design(c, m->dpr_design);
	bool pre_inf = infer_engine(c, di, true), dec_inf = infer_engine(c, di, false);
	workload_t w;
	workload_init(&w, &c->model);
	perf_ctx p, q;
	cfg_t *par = calib_parametric(c); /* what the fit fits: the model without the imported profiles */
	perf_prepare(&p, par, &w, base);
	perf_prepare(&q, par, &w, dpr);
	char name[64];
	int n = 0;

	for (int i = 0; i < m->n_ttft; i++) {
		snprintf(name, sizeof name, "ttft prompt=%d", m->ttft[i].prompt);
		n = add_row(rows, n, max, name, "s", m->ttft[i].value, perf_ttft_s(&p, m->ttft[i].prompt),
			    true, true, (row_what){"ttft_s", NULL, m->ttft[i].prompt}, m->ttft[i].source, NULL);
		if (n <= max)
			rows[n - 1].timing = true;
	}
	for (int i = 0; i < m->n_decode; i++) {
		snprintf(name, sizeof name, "decode context=%d", m->decode[i].prompt);
		n = add_row(rows, n, max, name, "tok/s", m->decode[i].value,
			    perf_decode_tok_s(&p, m->decode[i].prompt), true, true,
			    (row_what){"decode_tok_s", NULL, m->decode[i].prompt}, m->decode[i].source, NULL);
		if (n <= max)
			rows[n - 1].timing = true;
	}
	snprintf(name, sizeof name, "prefill attn/layer L=%d reversed", m->attn_prompt);
	n = add_row(rows, n, max, name, "ms", m->attn_reversed_ms,
		    perf_prefill_attn_s(&p, m->attn_prompt, false) * 1e3, true, true,
		    (row_what){"attn_ms", NULL, m->attn_prompt}, m->attn_source, NULL);
	if (n <= max)
		rows[n - 1].timing = true;
	snprintf(name, sizeof name, "prefill attn/layer L=%d naive", m->attn_prompt);
	n = add_row(rows, n, max, name, "ms", m->attn_naive_ms,
		    perf_prefill_attn_s(&p, m->attn_prompt, true) * 1e3, false, true,
		    (row_what){"attn_ms", NULL, m->attn_prompt}, m->attn_source, "not fitted: checks the causal-skip schedule");

	int keys = m->power_context;
	perf_layer l = perf_decode_layer(&p, keys);
	double step = perf_decode_step_s(&p, keys);
	snprintf(name, sizeof name, "board power (decode, context %d)", keys);
	n = add_row(rows, n, max, name, "W", m->board_power_w, perf_power_w(&p, true, w.layers * l.bytes / step),
		    true, true, (row_what){"power_w", NULL, keys}, m->power_source, NULL);

	for (int t = 0; t < RES_N; t++) {
		snprintf(name, sizeof name, "baseline %s", res_names[t]);
		n = add_row(rows, n, max, name, "", m->baseline_res.v[t], p.r_total.v[t], true, true,
			    (row_what){res_names[t], "design", 0}, m->baseline_res_source, NULL);
	}
	for (int t = 0; t < RES_N; t++) {
		snprintf(name, sizeof name, "table2 tlmm %s", res_names[t]);
		n = add_row(rows, n, max, name, "", m->t2_tlmm.v[t],
			    c->cal.tlmm_per_unit.r.v[t] * (double)engine_tlmm_units(dpr), true, false,
			    (row_what){res_names[t], "tlmm", 0}, m->t2_source, NULL);
	}
	for (int e = 0; e < 2; e++) {
		const res_t *row = e ? &m->t2_dec : &m->t2_pre, *pred = e ? &q.r_dec : &q.r_pre;
		bool inf = e ? dec_inf : pre_inf;
		for (int t = 0; t < RES_N; t++) {
			char note[128] = "";
			bool use = rm_row_usable(c, row, t);
			snprintf(name, sizeof name, "table2 %s %s", e ? "decode_rm" : "prefill_rm", res_names[t]);
			if (!use)
				snprintf(note, sizeof note, "left out: exceeds the dynamic region's %s (%g)", res_names[t],
					 m->t2_dynamic.v[t]);
			else if (inf)
				snprintf(note, sizeof note, "the %s size is inferred from this row (at its centre)",
					 e ? "decode" : "prefill");
			n = add_row(rows, n, max, name, "", row->v[t], pred->v[t], use && !inf, false,
				    (row_what){res_names[t], e ? "decode_rm" : "prefill_rm", 0}, m->t2_source, note);
		}
	}
	for (int i = 0; i < m->n_pcap; i++) {
		snprintf(name, sizeof name, "pcap %.0f bytes", m->pcap_bytes[i]);
		double pred = platform_pcap_idle_s(c, m->pcap_bytes[i]) * 1e3;
		n = add_row(rows, n, max, name, "ms", m->pcap_ms[i], pred, true, true, (row_what){"pcap_ms", NULL, 0},
			    m->pcap_source, NULL);
	}
	n = add_row(rows, n, max, "swap (idle DDR)", "ms", m->swap_ms,
		    (q.pcap_idle_s + c->cal.swap_ps_ms.value * 1e-3) * 1e3, true, true, (row_what){"swap_ms", NULL, 0},
		    m->swap_source, NULL);
	free(par);
	return n;
}
