/*
 * interval.h - how sure a predicted figure is.
 *
 * A figure depends on the coefficients of the calibration and on the
 * design's engine sizes.  Three kinds of them are uncertain:
 *   fitted    the fit's estimate and covariance (calib.h), drawn from a
 *             multivariate t with the fit's residual degrees of freedom;
 *   assumed   (and measured ones with a range) uniform over the stated
 *             `range` of the config (a resource vector: a uniform factor):
 *             the calibration's, then the kv_cache section's (the
 *             dequantiser's depth and lanes, the quantiser);
 *   inferred  an engine size inferred from published resources
 *             (infer.h), uniform over the integers of its range.
 * The fitted coefficients are conditional on the assumed ones: each draw
 * first draws the assumed coefficients, then fits again under them
 * (calib_fit_sample: the fits' draws, the exact fits downstream following
 * them), then draws the inferred sizes, and evaluates the figures.  The
 * interval of a figure is the central `intervals.level` of `samples`
 * draws (type-7 quantiles), seeded from `intervals.seed`: draw s uses a
 * GSL mt19937 stream of its own seed, so the intervals are the same bytes
 * whatever runs them.
 *
 * A second set of draws holds the assumed coefficients at their values
 * and the inferred sizes at their centres: what the measurements alone
 * leave open (fit_lo, fit_hi).  A figure is `unconstrained` when that
 * band is less than half the full one and the full one is wider than 1%
 * of the figure: most of what the figure may be is set by coefficients
 * no measurement constrains.
 */
#ifndef PDS_INTERVAL_H
#define PDS_INTERVAL_H

#include <stdbool.h>

#include "models/cfg.h"

typedef struct {
	double centre;         /* the figure at the config's values */
	double lo, hi;         /* the interval */
	double fit_lo, fit_hi; /* with only the fitted coefficients drawn */
	bool unconstrained;
} interval_t;

typedef struct {
	int samples;  /* draws per set */
	int rejected; /* draws whose refit failed (left out) */
	double level;
} interval_info;

/*
 * Evaluate n figures of design d under config c into out (the callback of
 * interval_run).  Returns 0, or -1 with err set.
 */
typedef int (*interval_eval_fn)(const cfg_t *c, const design_t *d, void *ctx, double *out, char *err,
				size_t errlen);

/*
 * The intervals of n figures of a design: `di` its index in c->designs
 * when it is a named design (its inferred sizes are drawn), else -1 and d
 * the design.  Returns 0 and fills out[n] and *info, or -1 with err set
 * (the centre cannot be evaluated, or more than half the draws failed).
 */
int interval_run(const cfg_t *c, int di, const design_t *d, int n, interval_eval_fn fn, void *ctx, interval_t *out,
		 interval_info *info, char *err, size_t errlen);

/* Type-7 quantile p of n sorted values. */
double interval_quantile(const double *sorted, int n, double p);

/* The draw's configuration: the assumed and inferred part (full) or not,
 * then the fitted part (exposed for the tests).  Returns 0 or -1. */
int interval_draw(const cfg_t *c, int di, design_t *d, bool full, int s, cfg_t *out, char *err, size_t errlen);

#endif
