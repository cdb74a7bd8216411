/*
 * interval.c - Monte Carlo intervals of predicted figures; see interval.h.
 */
#include "models/interval.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/calib.h"
#include "models/infer.h"

/* splitmix64: a well-mixed seed per (config seed, set, draw). */
static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static bool any_fitted(const cfg_t *c)
{
	for (int s = 0; s < CAL_N_SLOTS; s++)
		if (cfg_slot_prov(c, s) == PROV_FITTED)
			return true;
	return false;
}

/* The assumed (and ranged measured) coefficients, uniform over their ranges. */
static void draw_assumed(cfg_t *c, gsl_rng *r)
{
	for (int i = 0; i < CAL_N_SCALARS; i++) {
		coef_t *k = (coef_t *)((char *)&c->cal + cfg_cal_scalars[i].offset);
		if (k->has_range && (k->prov == PROV_ASSUMED || k->prov == PROV_MEASURED))
			k->value = k->range_lo + (k->range_hi - k->range_lo) * gsl_rng_uniform(r);
	}
	for (int i = 0; i < CAL_N_RESOURCES; i++) {
		rcoef_t *k = (rcoef_t *)((char *)&c->cal + cfg_cal_resources[i].offset);
		if (k->has_range && (k->prov == PROV_ASSUMED || k->prov == PROV_MEASURED))
			k->r = res_scale(k->r, k->range_lo + (k->range_hi - k->range_lo) * gsl_rng_uniform(r));
	}
}

/* The K/V cache's assumed coefficients (kv_cache section), from a stream of
 * their own so that the calibration's draws do not depend on whether the
 * config has the section. */
static void draw_kv(cfg_t *c, gsl_rng *r)
{
	coef_t *k = &c->kv.dequant_depth;
	if (k->has_range && (k->prov == PROV_ASSUMED || k->prov == PROV_MEASURED))
		k->value = k->range_lo + (k->range_hi - k->range_lo) * gsl_rng_uniform(r);
	rcoef_t *rv[2] = {&c->kv.dequant_per_lane, &c->kv.quantiser};
	for (int i = 0; i < 2; i++)
		if (rv[i]->has_range && (rv[i]->prov == PROV_ASSUMED || rv[i]->prov == PROV_MEASURED))
			rv[i]->r = res_scale(rv[i]->r, rv[i]->range_lo + (rv[i]->range_hi - rv[i]->range_lo) * gsl_rng_uniform(r));
}

int interval_draw(const cfg_t *c, int di, design_t *d, bool full, int s, cfg_t *out, char *err, size_t errlen)
{
	*out = *c; /* shares c's text: never released */
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	gsl_rng_set(r, (unsigned long)(mix(c->iv.seed * 4 + (full ? 1 : 2)) ^ mix((uint64_t)s)));
	int rc = 0;
	if (full)
		draw_assumed(out, r);
	if (full && out->kv.present) {
		gsl_rng *rk = gsl_rng_alloc(gsl_rng_mt19937);
		if (!rk) {
			gsl_rng_free(r);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		gsl_rng_set(rk, (unsigned long)(mix(c->iv.seed * 4 + 3) ^ mix((uint64_t)s)));
		draw_kv(out, rk);
		gsl_rng_free(rk);
	}
	if (out->has_meas && any_fitted(out))
		rc = calib_fit_sample(out, r, err, errlen);
	if (!rc && di >= 0) {
		cfg_design *cd = &out->designs[di];
		*d = cd->d;
		for (int k = 0; k < cd->n_inferred && full; k++) {
			const cfg_inferred *in = &cd->inferred[k];
			int v = in->lo + (int)gsl_rng_uniform_int(r, (unsigned long)(in->hi - in->lo + 1));
			infer_set_size(d, in->size, v);
		}
	}
	gsl_rng_free(r);
	return rc;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double interval_quantile(const double *v, int n, double p)
{
	if (n <= 0)
		return NAN;
	double h = (n - 1) * p;
	int i = (int)floor(h);
	if (i >= n - 1)
		return v[n - 1];
	return v[i] + (h - i) * (v[i + 1] - v[i]);
}

int interval_run(const cfg_t *c, int di, const design_t *d, int n, interval_eval_fn fn, void *ctx, interval_t *out,
		 interval_info *info, char *err, size_t errlen)
{
	int S = c->iv.samples;
	double *cen = calloc((size_t)n, sizeof *cen);
	double *val[2] = {malloc((size_t)S * (size_t)n * sizeof(double)), malloc((size_t)S * (size_t)n * sizeof(double))};
	double *col = malloc((size_t)S * sizeof *col);
	cfg_t *w = malloc(sizeof *w);
	int got[2] = {0, 0}, rc = -1;
	memset(info, 0, sizeof *info);
	info->samples = S;
	info->level = c->iv.level;
	if (!cen || !val[0] || !val[1] || !col || !w) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (fn(c, d, ctx, cen, err, errlen))
		goto out;
	for (int set = 0; set < 2; set++) {
		for (int s = 0; s < S; s++) {
			design_t ds = *d;
			char e2[512];
			if (interval_draw(c, di, &ds, set == 0, s, w, e2, sizeof e2) ||
			    fn(w, &ds, ctx, val[set] + (size_t)got[set] * (size_t)n, e2, sizeof e2)) {
				info->rejected++;
				continue;
			}
			got[set]++;
		}
		if (got[set] < S / 2) {
			snprintf(err, errlen, "intervals: %d of %d draws failed", S - got[set], S);
			goto out;
		}
	}
	double a = (1 - c->iv.level) / 2, b = (1 + c->iv.level) / 2;
	for (int k = 0; k < n; k++) {
		interval_t *o = &out[k];
		o->centre = cen[k];
		for (int set = 0; set < 2; set++) {
			int m = 0;
			for (int s = 0; s < got[set]; s++) {
				double x = val[set][(size_t)s * (size_t)n + (size_t)k];
				if (isfinite(x))
					col[m++] = x;
			}
			qsort(col, (size_t)m, sizeof *col, cmp_dbl);
			double lo = interval_quantile(col, m, a), hi = interval_quantile(col, m, b);
			if (set == 0) {
				o->lo = lo;
				o->hi = hi;
			} else {
				o->fit_lo = lo;
				o->fit_hi = hi;
			}
		}
		double wfull = o->hi - o->lo, wfit = o->fit_hi - o->fit_lo;
		o->unconstrained = wfull > 0.01 * fabs(o->centre) && wfit < 0.5 * wfull;
	}
	rc = 0;
out:
	free(cen);
	free(val[0]);
	free(val[1]);
	free(col);
	free(w);
	return rc;
}
