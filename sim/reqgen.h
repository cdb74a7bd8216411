/*
 * reqgen.h - the requests of a session: arrivals and lengths of a named
 * workload (models/cfg.h, cfg_session_wl), drawn from a GSL random stream,
 * or read from a request trace.
 *
 * One stream (gsl_rng_mt19937) per session, seeded with `seed`; each
 * request takes, in this order, its arrival draw (a gap, or a think time
 * for a closed loop), its prompt draw and its output draw, for whichever
 * of the three the workload draws; so the same seed gives the same
 * requests whatever else runs, and every policy of a session sees the
 * same requests.
 *
 *   poisson(rate)      gaps ~ Exp(mean 1/rate)
 *   gamma(rate, cv)    gaps ~ Gamma(shape 1/cv^2, scale cv^2/rate): mean
 *                      1/rate, coefficient of variation cv
 *   closed(think_s)    after each answer the user thinks ~ Exp(mean think_s)
 *   trace              the trace's times, from its first request
 *   lengths            fixed; uniform integers on [lo, hi]; lognormal,
 *                      rounded to the nearest integer (at least 1);
 *                      empirical (gsl_ran_discrete over the table); the
 *                      trace's, in the trace's order (repeated when the
 *                      session is longer than the trace)
 *
 * A request whose prompt + output exceeds max_context is trimmed (output
 * to at most max_context - 1 tokens, then the prompt to what is left: the
 * oldest context goes) or refused (dropped, so it never arrives); both are
 * counted.  Arrival times and think times are in seconds at the
 * workload's own rate; a session scales them (sim/session.h).
 */
#ifndef PDS_REQGEN_H
#define PDS_REQGEN_H

#include <stdbool.h>
#include <stddef.h>

#include "models/cfg.h"

typedef struct {
	double arrival_s; /* open loop: from the session's start */
	double think_s;   /* closed loop: after the previous answer (the first: after 0) */
	int prompt, output;
	bool trimmed;
} reqgen_req;

/* A request trace as read from a file (dse/config/reqtrace.h). */
typedef struct {
	size_t n;
	double *t_s;      /* arrival times, non-decreasing, from the first */
	int *prompt, *output;
} reqgen_trace;

void reqgen_trace_free(reqgen_trace *t);

typedef struct {
	size_t drawn;     /* requests drawn (or read) */
	size_t refused, trimmed;
} reqgen_counts;

/*
 * Up to n requests of workload wl (trace: its records, needed when wl
 * replays a trace or draws lengths from one) into out (the caller's n
 * entries); returns how many were kept (n minus the refused; for a trace
 * replay, at most its length), or PDS_FAIL with err set (a trace needed
 * but absent, out of memory).  With `refuse` the over-long are dropped,
 * else trimmed.
 */
long reqgen_make(const cfg_session_wl *wl, const reqgen_trace *trace, int max_context, bool refuse,
		 unsigned long seed, size_t n, reqgen_req *out, reqgen_counts *cnt, char *err, size_t errlen);

/* The mean arrival rate of the workload as drawn (trace: requests over its
 * span), in 1/s; for a closed loop 1/think_s. */
double reqgen_rate_rps(const cfg_session_wl *wl, const reqgen_trace *trace);

/*
 * Fit a lognormal length distribution: with n_pct 0, to mean and sd (both
 * > 0) by their moments, sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) -
 * sigma^2/2; otherwise (sd 0) to n_pct >= 2 percentiles (pct[i] in
 * (0, 100), strictly increasing, their values too) by least squares on
 * ln(value) = mu + sigma * z(pct), z the standard normal quantile (exact
 * for two), with the mean as one more equation ln(mean) = mu + sigma^2/2
 * when mean > 0.  Returns 0 with *mu, *sigma (> 0), or -1 when the
 * statistics admit no lognormal (err says why).
 */
int reqgen_lognormal_fit(const double *pct, const double *val, int n_pct, double mean, double sd, double *mu,
			 double *sigma, char *err, size_t errlen);

/*
 * What the threshold policy predicts of a request's output at a context
 * point: rest[n] = E[N - n | N > n], the output still to come of a request
 * that has produced n tokens, for n = 0 .. max_context, N the workload's
 * output length as drawn (rounded, trimmed to max_context - 1; a trace's:
 * its lengths), at least 1.  Returns 0, or PDS_FAIL (out of memory).
 */
int reqgen_rest_output(const cfg_session_wl *wl, const reqgen_trace *trace, int max_context, double *rest,
		       char *err, size_t errlen);

/* The session seed of a workload: the config's seed mixed with the
 * workload's name (so each workload has its own stream). */
unsigned long reqgen_seed(unsigned long seed, const char *name);

#endif
