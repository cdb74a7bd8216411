/*
 * reqgen.c - see reqgen.h.
 */
#include "sim/reqgen.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void reqgen_trace_free(reqgen_trace *t)
{
	if (!t)
		return;
	free(t->t_s);
	free(t->prompt);
	free(t->output);
	memset(t, 0, sizeof *t);
}

unsigned long reqgen_seed(unsigned long seed, const char *name)
{
	/* FNV-1a of the name, folded into the seed */
	uint64_t h = 1469598103934665603ull;
	for (const char *p = name; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ull;
	}
	uint64_t x = (uint64_t)seed ^ h;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (unsigned long)(x & 0xffffffffull);
}

/* --------------------------------------------------------------- fitting */

/* The residual sum of the percentile equations and the mean's, at sigma,
 * with mu at its least-squares value for that sigma. */
static double fit_cost(const double *z, const double *y, int n, double lnm, double sigma, double *mu)
{
	double s = lnm - sigma * sigma / 2;
	for (int i = 0; i < n; i++)
		s += y[i] - sigma * z[i];
	double m = s / (n + 1), r = lnm - m - sigma * sigma / 2, cost = r * r;
	for (int i = 0; i < n; i++) {
		double e = y[i] - m - sigma * z[i];
		cost += e * e;
	}
	*mu = m;
	return cost;
}

int reqgen_lognormal_fit(const double *pct, const double *val, int n_pct, double mean, double sd, double *mu,
			 double *sigma, char *err, size_t errlen)
{
	if (n_pct == 0) {
		if (!(mean > 0) || !(sd > 0)) {
			snprintf(err, errlen, "a lognormal needs a positive mean and sd, or two or more percentiles");
			return -1;
		}
		double s2 = log1p(sd * sd / (mean * mean));
		*sigma = sqrt(s2);
		*mu = log(mean) - s2 / 2;
		return 0;
	}
	if (n_pct < 2 || n_pct > 32 || sd != 0) {
		snprintf(err, errlen, "a lognormal is fitted to two or more percentiles (with the mean), or to the mean and sd");
		return -1;
	}
	double z[32], y[32];
	for (int i = 0; i < n_pct; i++) {
		if (!(pct[i] > 0 && pct[i] < 100) || !(val[i] > 0) || (i && !(pct[i] > pct[i - 1] && val[i] > val[i - 1]))) {
			snprintf(err, errlen, "percentiles must lie in (0, 100) and grow with their values");
			return -1;
		}
		z[i] = gsl_cdf_ugaussian_Pinv(pct[i] / 100);
		y[i] = log(val[i]);
	}
	if (!(mean > 0)) {
		/* linear least squares: y = mu + sigma z */
		double zm = 0, ym = 0, szz = 0, szy = 0;
		for (int i = 0; i < n_pct; i++) {
			zm += z[i] / n_pct;
			ym += y[i] / n_pct;
		}
		for (int i = 0; i < n_pct; i++) {
			szz += (z[i] - zm) * (z[i] - zm);
			szy += (z[i] - zm) * (y[i] - ym);
		}
		*sigma = szy / szz;
		*mu = ym - *sigma * zm;
		return 0;
	}
	/* with the mean: scan sigma, then refine the best bracket by golden section */
	double lnm = log(mean), best = INFINITY, bs = 0, m;
	const int steps = 4000;
	const double hi = 8.0;
	for (int k = 1; k <= steps; k++) {
		double sg = hi * k / steps, c = fit_cost(z, y, n_pct, lnm, sg, &m);
		if (c < best) {
			best = c;
			bs = sg;
		}
	}
	double a = bs - hi / steps, b = bs + hi / steps;
	if (a < 1e-9)
		a = 1e-9;
	const double g = (sqrt(5.0) - 1) / 2;
	for (int it = 0; it < 200 && b - a > 1e-14; it++) {
		double x1 = b - g * (b - a), x2 = a + g * (b - a);
		if (fit_cost(z, y, n_pct, lnm, x1, &m) < fit_cost(z, y, n_pct, lnm, x2, &m))
			b = x2;
		else
			a = x1;
	}
	*sigma = (a + b) / 2;
	fit_cost(z, y, n_pct, lnm, *sigma, mu);
	return 0;
}

/* ------------------------------------------------------------ drawing */

static int draw_len(const cfg_lendist *d, gsl_rng *r, gsl_ran_discrete_t *emp)
{
	switch (d->kind) {
	case CFG_LEN_FIXED:
		return d->fixed;
	case CFG_LEN_UNIFORM:
		return d->lo + (int)gsl_rng_uniform_int(r, (unsigned long)(d->hi - d->lo + 1));
	case CFG_LEN_LOGNORMAL: {
		double x = gsl_ran_lognormal(r, d->mu, d->sigma);
		return x < 1.5 ? 1 : x > 1e9 ? 1000000000 : (int)lround(x);
	}
	case CFG_LEN_EMPIRICAL:
		return d->emp_len[gsl_ran_discrete(r, emp)];
	case CFG_LEN_TRACE:
		break;
	}
	return 0;
}

/* P(length = k) of a drawn length, k >= 1 (trace: its share of the trace). */
static double len_pmf(const cfg_lendist *d, const reqgen_trace *trace, int k)
{
	switch (d->kind) {
	case CFG_LEN_FIXED:
		return k == d->fixed;
	case CFG_LEN_UNIFORM:
		return k >= d->lo && k <= d->hi ? 1.0 / (d->hi - d->lo + 1) : 0;
	case CFG_LEN_LOGNORMAL: {
		/* lengths round to the nearest integer, at least 1 */
		double hi = gsl_cdf_lognormal_P(k + 0.5, d->mu, d->sigma);
		return k == 1 ? hi : hi - gsl_cdf_lognormal_P(k - 0.5, d->mu, d->sigma);
	}
	case CFG_LEN_EMPIRICAL: {
		double w = 0, tot = 0;
		for (int i = 0; i < d->n_emp; i++) {
			tot += d->emp_weight[i];
			if (d->emp_len[i] == k)
				w += d->emp_weight[i];
		}
		return tot > 0 ? w / tot : 0;
	}
	case CFG_LEN_TRACE:
		break;
	}
	(void)trace;
	return 0;
}

int reqgen_rest_output(const cfg_session_wl *wl, const reqgen_trace *trace, int max_context, double *rest,
		       char *err, size_t errlen)
{
	int top = max_context - 1; /* outputs are trimmed to at most this */
	double *pm = calloc((size_t)top + 2, sizeof *pm);
	if (!pm) {
		snprintf(err, errlen, "out of memory");
		return PDS_FAIL;
	}
	const cfg_lendist *d = &wl->output;
	if (d->kind == CFG_LEN_TRACE) {
		for (size_t i = 0; trace && i < trace->n; i++) {
			int k = trace->output[i] < 1 ? 1 : trace->output[i] > top ? top : trace->output[i];
			pm[k] += 1;
		}
	} else {
		double below = 0;
		for (int k = 1; k < top; k++) {
			pm[k] = len_pmf(d, trace, k);
			below += pm[k];
		}
		pm[top] = below < 1 ? 1 - below : 0; /* the longer ones, trimmed */
	}
	/* from the longest down: S(n) = sum_{k > n} pm, T(n) = sum_{k > n} k pm */
	double S = 0, T = 0;
	for (int n = max_context; n >= 0; n--) {
		if (n <= top && n + 1 <= top) {
			S += pm[n + 1];
			T += (double)(n + 1) * pm[n + 1];
		}
		rest[n] = S > 0 ? T / S - n : 1;
		if (!(rest[n] >= 1))
			rest[n] = 1;
	}
	free(pm);
	return 0;
}

double reqgen_rate_rps(const cfg_session_wl *wl, const reqgen_trace *trace)
{
	switch (wl->arrival) {
	case CFG_ARR_POISSON:
	case CFG_ARR_GAMMA:
		return wl->rate_rps;
	case CFG_ARR_CLOSED:
		return 1 / wl->think_s;
	case CFG_ARR_TRACE:
		if (trace && trace->n > 1 && trace->t_s[trace->n - 1] > trace->t_s[0])
			return (double)(trace->n - 1) / (trace->t_s[trace->n - 1] - trace->t_s[0]);
		return NAN;
	}
	return NAN;
}

long reqgen_make(const cfg_session_wl *wl, const reqgen_trace *trace, int max_context, bool refuse,
		 unsigned long seed, size_t n, reqgen_req *out, reqgen_counts *cnt, char *err, size_t errlen)
{
	memset(cnt, 0, sizeof *cnt);
	bool need_trace = wl->arrival == CFG_ARR_TRACE || wl->prompt.kind == CFG_LEN_TRACE ||
			  wl->output.kind == CFG_LEN_TRACE;
	if (need_trace && (!trace || trace->n == 0)) {
		snprintf(err, errlen, "workload '%s' needs the requests of its trace, and none were read", wl->name);
		return PDS_FAIL;
	}
	if (wl->arrival == CFG_ARR_TRACE && n > trace->n)
		n = trace->n;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_ran_discrete_t *emp[2] = {NULL, NULL};
	const cfg_lendist *len[2] = {&wl->prompt, &wl->output};
	bool ok = r != NULL;
	for (int k = 0; k < 2 && ok; k++)
		if (len[k]->kind == CFG_LEN_EMPIRICAL)
			ok = (emp[k] = gsl_ran_discrete_preproc((size_t)len[k]->n_emp, len[k]->emp_weight)) != NULL;
	if (!ok) {
		gsl_ran_discrete_free(emp[0]);
		gsl_ran_discrete_free(emp[1]);
		gsl_rng_free(r);
		snprintf(err, errlen, "out of memory drawing the requests of workload '%s'", wl->name);
		return PDS_FAIL;
	}
	gsl_rng_set(r, seed);
	double t = 0, shape = wl->arrival == CFG_ARR_GAMMA ? 1 / (wl->cv * wl->cv) : 0;
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		reqgen_req q = {0};
		switch (wl->arrival) {
		case CFG_ARR_POISSON:
			t += i ? gsl_ran_exponential(r, 1 / wl->rate_rps) : 0;
			break;
		case CFG_ARR_GAMMA:
			t += i ? gsl_ran_gamma(r, shape, 1 / (wl->rate_rps * shape)) : 0;
			break;
		case CFG_ARR_CLOSED:
			q.think_s = i ? gsl_ran_exponential(r, wl->think_s) : 0;
			break;
		case CFG_ARR_TRACE:
			t = trace->t_s[i] - trace->t_s[0];
			break;
		}
		q.arrival_s = t;
		size_t ti = trace && trace->n ? i % trace->n : 0;
		q.prompt = wl->prompt.kind == CFG_LEN_TRACE ? trace->prompt[ti] : draw_len(&wl->prompt, r, emp[0]);
		q.output = wl->output.kind == CFG_LEN_TRACE ? trace->output[ti] : draw_len(&wl->output, r, emp[1]);
		cnt->drawn++;
		if ((long)q.prompt + q.output > max_context) {
			if (refuse) {
				cnt->refused++;
				continue;
			}
			if (q.output > max_context - 1)
				q.output = max_context - 1;
			if (q.prompt > max_context - q.output)
				q.prompt = max_context - q.output;
			q.trimmed = true;
			cnt->trimmed++;
		}
		out[kept++] = q;
	}
	gsl_ran_discrete_free(emp[0]);
	gsl_ran_discrete_free(emp[1]);
	gsl_rng_free(r);
	return (long)kept;
}
