/*
 * profile.c - measured profiles of the engines (see profile.h): gather a
 * family's points for one figure, merge those at the same x, interpolate
 * with GSL between them, follow the parametric shape outside.
 */
#include "models/profile.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_interp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/engine.h"
#include "models/workload.h"

const char *const profile_fig_names[PF_N] = {"lut", "ff", "bram36", "uram", "dsp", "eta", "fmax_mhz"};
const char *const profile_how_names[4] = {"parametric", "measured", "interpolated", "extrapolated"};

int64_t profile_units(cfg_meas_scope e, const design_t *d)
{
	switch (e) {
	case MEAS_TLMM: return engine_tlmm_units(d);
	case MEAS_PREFILL: return engine_pre_units(d);
	case MEAS_DECODE: return engine_dec_units(d);
	default: BUG("no profile of scope %d", (int)e);
	}
}

double profile_parametric(const cfg_t *c, cfg_meas_scope e, int fig, double units)
{
	if (fig < RES_N) {
		const rcoef_t *k = e == MEAS_TLMM ? &c->cal.tlmm_per_unit : e == MEAS_PREFILL ? &c->cal.pre_per_mac
											  : &c->cal.dec_per_mac;
		return k->r.v[fig] * units;
	}
	if (fig == PF_ETA)
		return e == MEAS_TLMM ? c->cal.eta_tlmm.value : c->cal.eta_attn.value;
	return c->dev.clock_max_mhz;
}

double profile_point_eta(const cfg_t *c, const cfg_import *m)
{
	if (!m->csynth || isnan(m->latency_worst) || !(m->latency_worst > 0) || m->loop_bound <= 0)
		return NAN;
	workload_t w;
	workload_init(&w, &c->model);
	int64_t cyc = engine_bound_cycles(c, &w, m);
	return cyc > 0 ? (double)cyc / m->latency_worst : NAN;
}

static bool in_family(const cfg_import *m, cfg_meas_scope e, const design_t *d)
{
	return m->scope == e && m->d.clock_mhz == d->clock_mhz &&
	       (e != MEAS_DECODE || m->d.dec_dataflow == d->dec_dataflow);
}

bool profile_has(const cfg_t *c, cfg_meas_scope e, const design_t *d)
{
	for (int i = 0; i < c->n_imports; i++)
		if (in_family(&c->imports[i], e, d))
			return true;
	return false;
}

/* A merged point: x, the mean of the values of its best rank, the first id. */
typedef struct {
	double x, sum;
	int n, rank;
	int64_t id;
} point;

static int cmp_x(const void *a, const void *b)
{
	double x = ((const point *)a)->x, y = ((const point *)b)->x;
	return (x > y) - (x < y);
}

/* The family's points for figure fig, sorted by x; returns how many. */
static int gather(const cfg_t *c, cfg_meas_scope e, const design_t *d, int fig, point *pts)
{
	int n = 0;
	for (int i = 0; i < c->n_imports; i++) {
		const cfg_import *m = &c->imports[i];
		if (!in_family(m, e, d))
			continue;
		double y;
		int rank;
		if (fig < RES_N) {
			y = m->res.v[fig];
			rank = m->csynth ? 0 : 1; /* an implementation report replaces an estimate */
		} else if (fig == PF_ETA) {
			y = profile_point_eta(c, m);
			rank = 0;
		} else {
			y = m->csynth && m->est_clock_ns > 0 ? 1000.0 / m->est_clock_ns : NAN;
			rank = 0;
		}
		if (!isfinite(y))
			continue;
		double x = (double)profile_units(e, &m->d);
		int k = 0;
		while (k < n && pts[k].x != x)
			k++;
		if (k == n) {
			pts[n++] = (point){x, y, 1, rank, m->id};
		} else if (rank > pts[k].rank) {
			pts[k] = (point){x, y, 1, rank, m->id};
		} else if (rank == pts[k].rank) {
			pts[k].sum += y;
			pts[k].n++;
		}
	}
	qsort(pts, (size_t)n, sizeof pts[0], cmp_x);
	return n;
}

double profile_value(const cfg_t *c, cfg_meas_scope e, const design_t *d, int fig, profile_prov *prov)
{
	double x = (double)profile_units(e, d);
	double par = profile_parametric(c, e, fig, x);
	profile_prov pv = {PROFILE_PARAMETRIC, 0, x, 0, 0, 0, 0};
	if (c->n_imports == 0) {
		if (prov)
			*prov = pv;
		return par;
	}
	point pts[CFG_MAX_IMPORTS];
	int n = gather(c, e, d, fig, pts);
	double v = par;
	if (n > 0) {
		double xs[CFG_MAX_IMPORTS], ys[CFG_MAX_IMPORTS];
		for (int i = 0; i < n; i++) {
			xs[i] = pts[i].x;
			ys[i] = pts[i].sum / pts[i].n;
		}
		pv.n_points = n;
		pv.x_lo = xs[0];
		pv.x_hi = xs[n - 1];
		int at = -1;
		for (int i = 0; i < n; i++)
			if (xs[i] == x)
				at = i;
		if (at >= 0) {
			pv.how = PROFILE_MEASURED;
			pv.id_lo = pv.id_hi = pts[at].id;
			v = ys[at];
		} else if (x < xs[0] || x > xs[n - 1]) {
			int end = x < xs[0] ? 0 : n - 1;
			double pe = profile_parametric(c, e, fig, xs[end]);
			pv.how = PROFILE_EXTRAPOLATED;
			pv.id_lo = pv.id_hi = pts[end].id;
			v = pe > 0 ? par * ys[end] / pe : ys[end] + par - pe;
			if (v < 0)
				v = 0;
		} else {
			int hi = 1;
			while (xs[hi] < x)
				hi++;
			pv.how = PROFILE_INTERPOLATED;
			pv.id_lo = pts[hi - 1].id;
			pv.id_hi = pts[hi].id;
			gsl_interp *ip = gsl_interp_alloc(n >= 3 ? gsl_interp_steffen : gsl_interp_linear, (size_t)n);
			if (!ip)
				BUG("out of memory for an interpolation of %d points", n);
			gsl_error_handler_t *old = gsl_set_error_handler_off();
			int rc = gsl_interp_init(ip, xs, ys, (size_t)n);
			double y = rc ? NAN : gsl_interp_eval(ip, xs, ys, x, NULL);
			gsl_set_error_handler(old);
			gsl_interp_free(ip);
			if (!isfinite(y))
				BUG("interpolation of %d points failed at x = %g", n, x);
			v = y;
		}
	}
	if (prov)
		*prov = pv;
	return v;
}

int profile_explain(const cfg_t *c, const design_t *d, char *buf, size_t n)
{
	static const cfg_meas_scope eng[] = {MEAS_TLMM, MEAS_PREFILL, MEAS_DECODE};
	int lines = 0;
	size_t k = 0;
	if (n)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof eng / sizeof eng[0]; i++) {
		if (!profile_has(c, eng[i], d))
			continue;
		for (int f = 0; f < PF_N; f++) {
			profile_prov pv;
			double v = profile_value(c, eng[i], d, f, &pv);
			if (pv.how == PROFILE_PARAMETRIC)
				continue;
			char ids[64];
			if (pv.id_lo == pv.id_hi)
				snprintf(ids, sizeof ids, "measurement %lld", (long long)pv.id_lo);
			else
				snprintf(ids, sizeof ids, "measurements %lld and %lld", (long long)pv.id_lo, (long long)pv.id_hi);
			char line[256];
			int w = snprintf(line, sizeof line, "%s %s %.6g %s at %g units (%s; %d point%s, %g..%g)\n",
					 cfg_meas_scope_names[eng[i]], profile_fig_names[f], v, profile_how_names[pv.how], pv.x,
					 ids, pv.n_points, pv.n_points == 1 ? "" : "s", pv.x_lo, pv.x_hi);
			if (w > 0 && k + (size_t)w < n) {
				memcpy(buf + k, line, (size_t)w + 1);
				k += (size_t)w;
			}
			lines++;
		}
	}
	return lines;
}
