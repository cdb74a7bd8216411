/*
 * session.c - the request-level session of session.h: the event loop, the
 * policies' choices, the session's figures, the capacity search and the
 * break-even cells.
 *
 * State of the device: the module the partition holds (or is becoming,
 * while a back-swap started between requests runs), whether a request is
 * in service, and the FIFO queue of requests that arrived (arrivals come
 * in request order, so the queue is the index range [next to serve,
 * arrived)).  Only the next arrival is ever scheduled, so the event heap
 * holds a handful of events whatever the session's length.
 *
 * A request i served at time t (ready at r_i = max(arrival_i, the moment
 * the device became free) <= t; t > r_i only while an eager back-swap
 * ends):
 *   back     the decode->prefill swap when the plan starts with it: B
 *   prefill  starts at t + B, first token after TTFT(path)
 *   decode   after the exposed part of the prefill->decode swap (PHASES_SWAP
 *            with output >= 2; with a K/V tier in the decode RM, the swap
 *            and the tier's refill together), the output - 1 steps
 *   wait_i = r_i - arrival_i;  swap_exposed_i = (t - r_i) + B + exposed
 *   ttft_i = t + B + TTFT - arrival_i;  e2e_i = last token - arrival_i
 * and the device is free at the last token, or when the prefill->decode
 * swap ends if that is later (a request of one output token).
 *
 * Session figures: distributions over the served requests; duration from
 * the first arrival to the device's last activity; throughput and goodput
 * (requests meeting both SLO values) per s of it; the mean number in the
 * system, the time integral of (arrived - answered) kept by the event loop
 * itself, over the duration; the reconfig share, the swaps' total time
 * over the duration; utilisation, the time the device serves or swaps over
 * the duration; the refills' total time (kv_refill_s), a K/V tier in the
 * decode RM refilled after each prefill->decode swap.
 */
#include "sim/session.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/evq.h"

const char *const session_policy_names[SESSION_POLICIES] = {"always", "never", "threshold", "oracle", "static"};

int session_policy_of(const char *name)
{
	for (int i = 0; i < SESSION_POLICIES; i++)
		if (strcmp(name, session_policy_names[i]) == 0)
			return i;
	return -1;
}

/* The longest session the integer-picosecond clock is asked to hold. */
#define MAX_SPAN_S (100.0 * 86400)

/* What a request does: a swap before its prefill (to module `back`, -1
 * none) and its plan (models/rms.h). */
typedef struct {
	int back;
	rms_plan pl;
} req_plan;

typedef struct {
	phases *exec, *pred;
	const reqgen_req *req;
	size_t n;
	const session_opts *o;
	session_rec *rec;
	evq q;
	bool dpr;
	int maxc;
	int nm;         /* modules (dpr) */
	int home;       /* the module an eager back-swap loads: built for prefill, least TTFT at the mean prompt */
	int rm;         /* the module the partition holds (or is becoming), SESSION_RM_STATIC */
	bool busy, swapping, back_owed;
	size_t arrived, next;
	int64_t t_free; /* when the device last became free */
	int rm_after;   /* what the request in service leaves loaded */
	int64_t back_ps;
	double back_j;
	int64_t *arr_ps;
	/* the request in service while its decode passes context points */
	size_t cur;
	req_plan cp;
	int64_t c_t0, c_ready; /* its prefill start (after any back-swap), when it was ready */
	int64_t c_back;        /* its back-swap */
	int c_swaps;           /* swaps counted before its prefill */
	int c_point;           /* the next context point to decide at */
	/* context points of the analytic model (decode modules of least step) */
	int n_points;
	const int *point;
	/* what each module may do: serve a phase, be built for it (rms.h) */
	bool serves_pre[RMS_MAX], serves_dec[RMS_MAX], bfp[RMS_MAX], bfd[RMS_MAX];
	/* accounting */
	int64_t t_area, t_end;
	size_t in_system;
	double area_s;
	int64_t reconf_ps, busy_ps, t_busy0;
	int64_t refill_ps; /* K/V tier refills after swaps-in */
	int64_t swaps_by[RMS_MAX];
	/* the workload's mean request, predicted once per module: the best
	 * plan with its prefill on module k (myopic) */
	bool have_mean[RMS_MAX];
	int64_t mean_from[RMS_MAX];
	/* back_wait's idle-time term, which depends on the rate and the swap only */
	bool have_idle;
	double idle_s;
	int fail;
	char *err;
	size_t errlen;
} sess;

static int64_t ps_of(double s)
{
	return (int64_t)llround(s * 1e12);
}

static void stop_with(sess *S, int rc)
{
	if (!S->fail)
		S->fail = rc;
	evq_stop(&S->q);
}

static void at(sess *S, int64_t t, evq_fn fn, uint64_t arg)
{
	if (evq_at(&S->q, t, fn, S, arg).gen == 0)
		stop_with(S, PDS_FAIL);
}

static void area_to(sess *S, int64_t t)
{
	S->area_s += (double)S->in_system * (double)(t - S->t_area) * 1e-12;
	S->t_area = t;
}

/* ------------------------------------------------------------- choices */

#define NEVER_PS INT64_MAX

/* A length the model can take beside `other` tokens: [1, maxc - other]. */
static int clip_len(double x, int maxc, int other)
{
	double hi = maxc - other;
	double v = x < 1 ? 1 : x > hi ? hi : x;
	return v < 1 ? 1 : (int)lround(v);
}


/* Predicted time of a request along a plan, ps (NEVER_PS after a
 * failure): until its last token, or, for one token, until the device is
 * free (a prefill->decode swap runs on past the token). */
static int64_t predict_plan(sess *S, const rms_plan *pl, int L, int N)
{
	phases_cost c;
	if (phases_plan_cost(S->pred, pl, L, N, &c, S->err, S->errlen)) {
		stop_with(S, PDS_FAIL);
		return NEVER_PS;
	}
	return c.ttft_ps + (N > 1 || c.swap_ps > 0 ? c.swap_exposed_ps : 0) + (N > 1 ? c.decode_ps : 0);
}

/* The plan of one prefill module and one decode module. */
static rms_plan plan2(int a, int b, int L)
{
	rms_plan pl;
	memset(&pl, 0, sizeof pl);
	pl.pre = a;
	pl.dec[0] = b;
	pl.from[0] = L + 1;
	pl.n_seg = 1;
	return pl;
}

/*
 * The expected wait of the next request for a back-swap started when the
 * request in service (busy_ps more) leaves a module other than home loaded:
 * all of it when a request already waits; else, with arrivals at rate
 * lambda, all of it when the next one comes before the answer (1 -
 * exp(-lambda busy)), and s - (1 - exp(-lambda s)) / lambda when it comes
 * after (the swap starts at the answer and hides in the idle time).
 */
static int64_t back_wait(sess *S, int64_t busy_ps)
{
	const session_opts *o = S->o;
	double lambda = o->offered_rps * o->rate_scale, s = S->back_ps * 1e-12;
	if (S->next < S->arrived || isinf(lambda))
		return S->back_ps;
	if (!(lambda > 0))
		return 0;
	if (!S->have_idle) {
		S->idle_s = s + expm1(-lambda * s) / lambda;
		S->have_idle = true;
	}
	double p_busy = -expm1(-lambda * busy_ps * 1e-12), idle = S->idle_s;
	return ps_of(p_busy * s + (1 - p_busy) * idle);
}

static int64_t add_ps(int64_t a, int64_t b)
{
	return a == NEVER_PS || b == NEVER_PS ? NEVER_PS : a + b;
}

static int64_t return_cost(sess *S, int k, int64_t busy_ps);

/*
 * The end module of a decode over t[k], each module's predicted time
 * (NEVER_PS: not a candidate): the least time plus, with look_ahead, what
 * it costs the next request; ties go to `stay` (the module that needs no
 * swap), then to the module listed first.  Returns it, or -1 after a
 * failure (S stopped).
 */
static int end_module(sess *S, const int64_t t[RMS_MAX], int stay, bool look_ahead)
{
	int fin = -1;
	int64_t fin_v = NEVER_PS;
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < S->nm; k++) {
			if ((pass == 0) != (k == stay) || t[k] == NEVER_PS)
				continue;
			int64_t v = look_ahead ? add_ps(t[k], return_cost(S, k, t[k])) : t[k];
			if (S->fail)
				return -1;
			if (fin < 0 || v < fin_v) {
				fin = k;
				fin_v = v;
			}
		}
	if (fin < 0) {
		snprintf(S->err, S->errlen, "no module of the set serves the decode of a request");
		stop_with(S, PDS_FAIL);
	}
	return fin;
}

/*
 * The shortest path over the context points in reach: first[k] is the
 * predicted time through the first segment (to the first point after the
 * decision, b1, or to the end) with module k there (NEVER_PS: not a
 * start); from each point on, a module built for decode may switch to
 * another built for decode, paying the mid-generation swap.  The end
 * module is end_module's (look_ahead when more than one path is open).  Fills seq[0 .. *nb] (the module of the
 * first segment, then of the segment from each of bnd[0 .. *nb - 1]) and
 * returns the time (NEVER_PS after a failure).
 */
static int64_t dp_points(sess *S, const int64_t first[RMS_MAX], int b1, int last, int stay, bool look_ahead,
			 int seq[RMS_MAX_SEG + 1], int bnd[RMS_MAX_SEG + 1], int *nb_out)
{
	int nb = 0, starts = 0;
	for (int k = 0; k < S->nm; k++)
		starts += first[k] != NEVER_PS;
	if (b1 <= last) {
		bnd[nb++] = b1;
		for (int i = 0; i < S->n_points && nb < RMS_MAX_SEG - 1; i++)
			if (S->point[i] > b1 && S->point[i] <= last)
				bnd[nb++] = S->point[i];
	}
	bnd[nb] = last + 1;
	int64_t best[RMS_MAX_SEG + 1][RMS_MAX];
	int prev[RMS_MAX_SEG + 1][RMS_MAX];
	for (int k = 0; k < S->nm; k++) {
		best[0][k] = first[k];
		prev[0][k] = k;
	}
	for (int i = 0; i < nb; i++)
		for (int k = 0; k < S->nm; k++) {
			best[i + 1][k] = NEVER_PS;
			prev[i + 1][k] = -1;
			bool dec_k = S->bfd[k];
			/* staying on k first, then a switch into k from another */
			for (int pass = 0; pass < 2; pass++)
				for (int jm = 0; jm < S->nm; jm++) {
					if ((pass == 0) != (jm == k) || best[i][jm] == NEVER_PS)
						continue;
					if (jm != k && !(dec_k && S->bfd[jm]))
						continue;
					int64_t seg, sw = 0;
					double j;
					if (phases_steps(S->pred, k, bnd[i], bnd[i + 1] - 1, &seg, &j, S->err, S->errlen) ||
					    (jm != k && phases_mid_swap(S->pred, jm, k, &sw, &j, S->err, S->errlen))) {
						stop_with(S, PDS_FAIL);
						return NEVER_PS;
					}
					int64_t v = best[i][jm] + sw + seg;
					if (v < best[i + 1][k]) {
						best[i + 1][k] = v;
						prev[i + 1][k] = jm;
					}
				}
		}
	int fin = end_module(S, best[nb], stay, look_ahead && starts + nb > 1);
	if (fin < 0)
		return NEVER_PS;
	seq[nb] = fin;
	for (int i = nb; i > 0; i--)
		seq[i - 1] = prev[i][seq[i]];
	*nb_out = nb;
	return best[nb][fin];
}

/* The first context point after `keys` keys and at or before `last`, or last + 1. */
static int point_after(const sess *S, int keys, int last)
{
	for (int i = 0; i < S->n_points; i++)
		if (S->point[i] > keys && S->point[i] <= last)
			return S->point[i];
	return last + 1;
}

/*
 * The decode of a request once its prefill is on module a: the module of
 * its first decode step (a, or one built for decode, through the
 * prefill->decode swap) and, from a module built for decode, a switch to
 * another at each context point in reach (dp_points).  With threshold_gen
 * the first decode module is one built for decode when the output reaches
 * it, a otherwise.  Returns the plan's predicted time (NEVER_PS after a
 * failure) and fills *pl.
 */
static int64_t dec_plan(sess *S, int a, int L, int N, bool look_ahead, rms_plan *pl)
{
	const session_opts *o = S->o;
	int last = L + N - 1, b1 = point_after(S, L + 1, last);
	int64_t first[RMS_MAX];
	for (int k = 0; k < S->nm; k++)
		first[k] = (k == a && S->serves_dec[a]) || (k != a && S->bfd[k]) ? 0 : NEVER_PS;
	if (o->threshold_gen > 0 && !S->bfd[a]) {
		bool swap = N >= o->threshold_gen;
		for (int k = 0; k < S->nm; k++)
			if ((k == a) == swap)
				first[k] = NEVER_PS;
	}
	int starts = 0;
	for (int k = 0; k < S->nm; k++)
		if (first[k] != NEVER_PS) {
			rms_plan q = plan2(a, k, L);
			if ((first[k] = predict_plan(S, &q, L, b1 - L)) == NEVER_PS)
				return NEVER_PS;
			starts++;
		}
	if (b1 > last) {
		/* no context point in reach: the first decode module alone, as
		 * dp_points would choose it, without its tables */
		int fin = end_module(S, first, a, look_ahead && starts > 1);
		if (fin < 0)
			return NEVER_PS;
		*pl = plan2(a, fin, L);
		return first[fin];
	}
	int seq[RMS_MAX_SEG + 1], bnd[RMS_MAX_SEG + 1], nb;
	int64_t t = dp_points(S, first, b1, last, a, look_ahead, seq, bnd, &nb);
	if (t == NEVER_PS)
		return NEVER_PS;
	*pl = plan2(a, seq[0], L);
	for (int i = 1; i <= nb; i++)
		if (seq[i] != pl->dec[pl->n_seg - 1] && pl->n_seg < RMS_MAX_SEG) {
			pl->dec[pl->n_seg] = seq[i];
			pl->from[pl->n_seg] = bnd[i - 1];
			pl->n_seg++;
		}
	return t;
}

/* The best plan of the workload's mean request with its prefill on
 * module k (no look-ahead), cached. */
static int64_t mean_fill(sess *S, int k)
{
	const session_opts *o = S->o;
	int L = clip_len(o->expect_prompt, S->maxc, 1), N = clip_len(o->expect_output, S->maxc, L);
	rms_plan pl;
	S->mean_from[k] = S->serves_pre[k] ? dec_plan(S, k, L, N, false, &pl) : NEVER_PS;
	S->have_mean[k] = !S->fail;
	return S->mean_from[k];
}

static inline int64_t mean_from(sess *S, int k)
{
	return S->have_mean[k] ? S->mean_from[k] : mean_fill(S, k);
}

/*
 * What the next request (of the workload's mean lengths) is predicted to
 * lose when a request leaves module k loaded `busy_ps` from now rather
 * than home: the least of staying on k and of waiting for a back-swap to
 * a module built for prefill, over its time from home; 0 for home and
 * when no request follows.
 */
static int64_t return_cost(sess *S, int k, int64_t busy_ps)
{
	const session_opts *o = S->o;
	if (S->next >= S->n || k == S->home)
		return 0;
	int64_t p = mean_from(S, S->home), c = mean_from(S, k), w = back_wait(S, busy_ps);
	if (S->fail || p == NEVER_PS)
		return 0;
	int64_t from_k;
	if (o->threshold_prompt > 0) {
		int L = clip_len(o->expect_prompt, S->maxc, 1);
		from_k = L >= o->threshold_prompt || c == NEVER_PS ? w + p : c;
	} else {
		from_k = c;
		for (int t = 0; t < S->nm; t++) {
			if (t == k || !S->serves_pre[t])
				continue;
			int64_t v = add_ps(w, mean_from(S, t));
			if (v < from_k)
				from_k = v;
		}
	}
	if (S->fail || from_k == NEVER_PS)
		return 0;
	return from_k > p ? from_k - p : 0;
}

/*
 * From module m: the module to swap to before the prefill (waiting wait_ps
 * for it: any module that serves prefill), or -1 to stay.  Every plan, staying or not, is charged what the
 * module it leaves loaded costs the next request.  With threshold_prompt:
 * back to home for prompts of at least that many tokens.
 */
static int want_back(sess *S, int m, int L, int N, int64_t wait_ps)
{
	const session_opts *o = S->o;
	bool can_stay = S->serves_pre[m];
	if (o->threshold_prompt > 0)
		return m != S->home && (L >= o->threshold_prompt || !can_stay) ? S->home : -1;
	rms_plan pl;
	int64_t stay = NEVER_PS;
	if (can_stay) {
		int64_t t = dec_plan(S, m, L, N, true, &pl);
		int left = pl.dec[pl.n_seg - 1];
		stay = add_ps(t, return_cost(S, left, t));
	}
	int best = -1;
	int64_t best_v = NEVER_PS;
	for (int t = 0; t < S->nm && !S->fail; t++) {
		if (t == m || !S->serves_pre[t])
			continue;
		int64_t tt = dec_plan(S, t, L, N, true, &pl);
		if (tt == NEVER_PS)
			continue;
		int left = pl.dec[pl.n_seg - 1];
		int64_t v = add_ps(wait_ps + tt, return_cost(S, left, wait_ps + tt));
		if (best < 0 || v < best_v) {
			best = t;
			best_v = v;
		}
	}
	if (S->fail)
		return -1;
	return best >= 0 && (best_v < stay || !can_stay) ? best : -1;
}

/* Whether module m may stay loaded for the decode to come: it is built for
 * decode and another one is, so the policy decides at context points. */
static bool decides_at_points(const sess *S)
{
	return S->dpr && S->n_points > 0 &&
	       (S->o->policy == SESSION_THRESHOLD || S->o->policy == SESSION_ORACLE);
}

/* The output threshold and oracle predict for a request of prompt L. */
static int predicted_output(sess *S, const reqgen_req *r)
{
	if (S->o->policy == SESSION_ORACLE)
		return r->output;
	return clip_len(S->o->expect_output, S->maxc, r->prompt);
}

/* The output still to come of request r that has produced n tokens. */
static int predicted_rest(sess *S, const reqgen_req *r, int n)
{
	if (S->o->policy == SESSION_ORACLE)
		return r->output - n;
	double rest = S->o->rest_output ? S->o->rest_output[n] : S->o->expect_output - n;
	return clip_len(rest, S->maxc, r->prompt + n);
}

/* Request r's plan from the module loaded: back-swap first or not, its modules. */
static void plan(sess *S, const reqgen_req *r, req_plan *out)
{
	out->back = -1;
	out->pl = plan2(0, 0, r->prompt);
	if (!S->dpr)
		return;
	int m = S->rm, L = r->prompt, N = 0;
	switch (S->o->policy) {
	case SESSION_ALWAYS:
		/* the paper's flow (rms_plan_always) */
		out->pl = plan2(phases_best_module(S->pred, false, L), phases_best_module(S->pred, true, L + 1), L);
		if (out->pl.pre != m)
			out->back = out->pl.pre;
		return;
	case SESSION_NEVER:
		out->pl = plan2(m, m, L);
		return;
	case SESSION_THRESHOLD:
	case SESSION_ORACLE: {
		N = predicted_output(S, r);
		bool targets = !S->serves_pre[m];
		for (int t = 0; t < S->nm && !targets; t++)
			targets = t != m && S->serves_pre[t];
		int a = m;
		if (targets && (out->back = want_back(S, m, L, N, S->back_ps)) >= 0)
			a = out->back;
		if (!S->fail)
			dec_plan(S, a, L, N, true, &out->pl);
		return;
	}
	default:
		return;
	}
}

/* With a module other than home loaded and nobody waiting: the module to
 * load now, or -1. */
static int eager(sess *S)
{
	const session_opts *o = S->o;
	switch (o->policy) {
	case SESSION_ALWAYS:
		return S->home;
	case SESSION_THRESHOLD:
	case SESSION_ORACLE: {
		int L = clip_len(o->expect_prompt, S->maxc, 1);
		int N = clip_len(o->expect_output, S->maxc, L);
		/* the expected wait of a request that arrives while it runs */
		return want_back(S, S->rm, L, N, back_wait(S, 0));
	}
	default:
		return -1;
	}
}

/* --------------------------------------------------------------- events */

static void on_arrive(void *ctx, uint64_t i);
static void on_done(void *ctx, uint64_t i);
static void on_free(void *ctx, uint64_t arg);
static void on_swapped(void *ctx, uint64_t arg);
static void on_point(void *ctx, uint64_t arg);

static int64_t scaled_ps(const sess *S, double s)
{
	return ps_of(s / S->o->rate_scale);
}

/* The next context point request r decides at, from index i on: in reach
 * (after its first step, at or before its last), on a module built for
 * decode; -1 when none. */
static int next_point(const sess *S, const reqgen_req *r, int i)
{
	if (!decides_at_points(S))
		return -1;
	int last = r->prompt + r->output - 1;
	for (; i < S->n_points; i++)
		if (S->point[i] > r->prompt + 1 && S->point[i] <= last)
			return i;
	return -1;
}

/* The module request r's plan has at the step attending `keys` keys. */
static int mod_at(const rms_plan *pl, int keys)
{
	int s = 0;
	while (s + 1 < pl->n_seg && keys >= pl->from[s + 1])
		s++;
	return pl->dec[s];
}

/* Execute the request in service: its cost along its plan (as decided so
 * far) from c_t0; schedule its next context point or its end. */
static void run_cur(sess *S)
{
	size_t i = S->cur;
	const reqgen_req *r = &S->req[i];
	int L = r->prompt, N = r->output;
	int np = next_point(S, r, S->c_point);
	if (np >= 0) {
		int p = S->point[np];
		if (!S->bfd[mod_at(&S->cp.pl, p - 1)])
			np = -1; /* a module not built for decode keeps the rest */
	}
	if (np >= 0) {
		/* the step attending point p keys: how far the decode is by then */
		int p = S->point[np];
		phases_cost c;
		if (phases_plan_cost(S->exec, &S->cp.pl, L, p - L, &c, S->err, S->errlen)) {
			stop_with(S, PDS_FAIL);
			return;
		}
		S->c_point = np;
		at(S, S->c_t0 + c.ttft_ps + c.swap_exposed_ps + c.decode_ps, on_point, i);
		return;
	}
	phases_cost c;
	if (phases_plan_cost(S->exec, &S->cp.pl, L, N, &c, S->err, S->errlen)) {
		stop_with(S, PDS_FAIL);
		return;
	}
	session_rec *rec = &S->rec[i];
	int64_t t_first = S->c_t0 + c.ttft_ps;
	int64_t exposed = N > 1 ? c.swap_exposed_ps : 0;
	int64_t t_done = t_first + exposed + c.decode_ps;
	int64_t t_free = t_done;
	if (c.swap_ps > 0 && t_first + c.swap_exposed_ps > t_free)
		t_free = t_first + c.swap_exposed_ps;
	int64_t start = S->c_t0 - S->c_back;
	rec->prompt = r->prompt;
	rec->output = r->output;
	rec->trimmed = r->trimmed;
	rec->arrival_s = S->arr_ps[i] * 1e-12;
	rec->wait_s = (S->c_ready - S->arr_ps[i]) * 1e-12;
	rec->ttft_s = (t_first - S->arr_ps[i]) * 1e-12;
	rec->e2e_s = (t_done - S->arr_ps[i]) * 1e-12;
	rec->tpot_s = r->output > 1 ? (rec->e2e_s - rec->ttft_s) / (r->output - 1) : NAN;
	rec->swaps = S->c_swaps + (c.swap_ps > 0) + c.mid_swaps;
	rec->mid_swaps = c.mid_swaps;
	rec->swap_exposed_s = ((start - S->c_ready) + S->c_back + exposed + c.mid_swap_ps) * 1e-12;
	rec->energy_j = c.energy_j + (S->c_back ? S->back_j : 0) + (S->back_owed ? S->back_j : 0);
	const rms_plan *pl = &S->cp.pl;
	rec->n_dec = 0;
	if (!S->dpr) {
		rec->prefill_rm = rec->decode_rm = SESSION_RM_STATIC;
		rec->dec_seq[rec->n_dec++] = SESSION_RM_STATIC;
		S->rm_after = SESSION_RM_STATIC;
	} else {
		rec->prefill_rm = pl->pre;
		rec->decode_rm = pl->dec[0];
		int last = L + N - 1;
		for (int s = 0; s < pl->n_seg; s++)
			if (s == 0 || pl->from[s] <= last)
				rec->dec_seq[rec->n_dec++] = pl->dec[s];
		S->rm_after = rec->dec_seq[rec->n_dec - 1];
		if (c.swap_ps > 0)
			S->swaps_by[pl->dec[0]]++;
		for (int s = 1; s < rec->n_dec; s++)
			S->swaps_by[rec->dec_seq[s]]++;
	}
	S->back_owed = false;
	S->reconf_ps += S->c_back + c.swap_ps + c.mid_swap_ps;
	S->refill_ps += c.kv_refill_ps;
	at(S, t_done, on_done, i);
	at(S, t_free, on_free, 0);
}

static void start(sess *S, size_t i)
{
	const reqgen_req *r = &S->req[i];
	int64_t now = S->q.now_ps;
	int64_t ready = S->arr_ps[i] > S->t_free ? S->arr_ps[i] : S->t_free;
	req_plan rp;
	plan(S, r, &rp);
	if (S->fail)
		return;
	int64_t B = rp.back >= 0 ? S->back_ps : 0;
	if (rp.back >= 0)
		S->swaps_by[rp.back]++;
	S->cur = i;
	S->cp = rp;
	S->c_t0 = now + B;
	S->c_ready = ready;
	S->c_back = B;
	S->c_swaps = (int)S->back_owed + (rp.back >= 0);
	S->c_point = 0;
	S->busy = true;
	S->t_busy0 = now;
	run_cur(S);
}

/* The request in service reaches a context point: choose again, for the
 * output still to come, the modules of the rest (dp_points from here: stay
 * or a mid-generation swap), each plan charged what it leaves loaded. */
static void on_point(void *ctx, uint64_t i)
{
	sess *S = ctx;
	const reqgen_req *r = &S->req[i];
	rms_plan *pl = &S->cp.pl;
	int p = S->point[S->c_point], L = r->prompt;
	int cur = mod_at(pl, p - 1);
	int last = p - 1 + predicted_rest(S, r, p - L); /* p - L tokens so far */
	int b1 = point_after(S, p, last);
	int64_t first[RMS_MAX];
	for (int k = 0; k < S->nm && !S->fail; k++) {
		first[k] = NEVER_PS;
		if (k != cur && !S->bfd[k])
			continue;
		int64_t seg, sw = 0;
		double j;
		if (phases_steps(S->pred, k, p, b1 - 1, &seg, &j, S->err, S->errlen) ||
		    (k != cur && phases_mid_swap(S->pred, cur, k, &sw, &j, S->err, S->errlen))) {
			stop_with(S, PDS_FAIL);
			return;
		}
		first[k] = seg + sw;
	}
	int seq[RMS_MAX_SEG + 1], bnd[RMS_MAX_SEG + 1], nb;
	if (S->fail || dp_points(S, first, b1, last, cur, true, seq, bnd, &nb) == NEVER_PS)
		return;
	/* the segments before p kept, then the rest as chosen */
	int s = 0;
	while (s + 1 < pl->n_seg && pl->from[s + 1] <= p - 1)
		s++;
	pl->n_seg = s + 1;
	for (int k = 0; k <= nb; k++) {
		int at_keys = k == 0 ? p : bnd[k - 1];
		if (seq[k] != pl->dec[pl->n_seg - 1] && pl->n_seg < RMS_MAX_SEG) {
			pl->dec[pl->n_seg] = seq[k];
			pl->from[pl->n_seg] = at_keys;
			pl->n_seg++;
		}
	}
	S->c_point++;
	run_cur(S);
}

static void try_start(sess *S)
{
	if (!S->busy && !S->swapping && S->next < S->arrived)
		start(S, S->next++);
}

static void on_arrive(void *ctx, uint64_t i)
{
	sess *S = ctx;
	int64_t now = S->q.now_ps;
	area_to(S, now);
	S->in_system++;
	S->arr_ps[i] = now;
	S->arrived = (size_t)i + 1;
	if (!S->o->closed && i + 1 < S->n)
		at(S, scaled_ps(S, S->req[i + 1].arrival_s), on_arrive, i + 1);
	try_start(S);
}

static void on_done(void *ctx, uint64_t i)
{
	sess *S = ctx;
	int64_t now = S->q.now_ps;
	area_to(S, now);
	S->in_system--;
	if (S->o->closed && i + 1 < S->n)
		at(S, now + scaled_ps(S, S->req[i + 1].think_s), on_arrive, i + 1);
}

static void on_free(void *ctx, uint64_t arg)
{
	(void)arg;
	sess *S = ctx;
	int64_t now = S->q.now_ps;
	S->busy = false;
	S->busy_ps += now - S->t_busy0;
	S->t_free = now;
	S->t_end = now;
	S->rm = S->rm_after;
	if (S->next < S->arrived) {
		start(S, S->next++);
		return;
	}
	/* nobody waits: an eager back-swap, if more requests are to come */
	if (S->dpr && S->rm != S->home && S->next < S->n && !S->fail) {
		int t = eager(S);
		if (t >= 0 && !S->fail) {
			S->swapping = true;
			S->back_owed = true;
			S->rm = t;
			S->swaps_by[t]++;
			S->reconf_ps += S->back_ps;
			S->busy_ps += S->back_ps;
			at(S, now + S->back_ps, on_swapped, 0);
		}
	}
}

static void on_swapped(void *ctx, uint64_t arg)
{
	(void)arg;
	sess *S = ctx;
	S->swapping = false;
	if (S->q.now_ps > S->t_end)
		S->t_end = S->q.now_ps;
	try_start(S);
}

/* ------------------------------------------------------------- figures */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/*
 * Sort non-negative finite doubles: their bit patterns order as unsigned
 * integers, so an LSD radix sort by bytes (skipping a byte all share) does
 * it in a few passes over the data; qsort for anything else.
 */
static void sort_figures(double *v, size_t n, double *tmp)
{
	for (size_t i = 0; i < n; i++)
		if (!(v[i] >= 0) || signbit(v[i]) || !isfinite(v[i])) {
			qsort(v, n, sizeof *v, cmp_double);
			return;
		}
	uint64_t *a = (uint64_t *)v, *b = (uint64_t *)tmp;
	_Static_assert(sizeof(double) == sizeof(uint64_t), "a double is 64 bits");
	for (int shift = 0; shift < 64; shift += 8) {
		size_t count[256] = {0};
		for (size_t i = 0; i < n; i++)
			count[(a[i] >> shift) & 0xff]++;
		if (count[(a[0] >> shift) & 0xff] == n)
			continue; /* every value has this byte */
		size_t pos = 0;
		for (int k = 0; k < 256; k++) {
			size_t c = count[k];
			count[k] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			b[count[(a[i] >> shift) & 0xff]++] = a[i];
		uint64_t *t = a;
		a = b;
		b = t;
	}
	if ((void *)a != (void *)v)
		memcpy(v, a, n * sizeof *v);
}

static figures_dist dist(double *v, size_t n, double *tmp)
{
	if (n)
		sort_figures(v, n, tmp);
	return figures_dist_of(v, n);
}

static int figures_of(sess *S, figures_session *fs)
{
	const session_opts *o = S->o;
	size_t n = S->n;
	double *v = malloc(2 * (n ? n : 1) * sizeof *v), *tmp = v + (n ? n : 1);
	if (!v) {
		snprintf(S->err, S->errlen, "out of memory");
		return PDS_FAIL;
	}
	memset(fs, 0, sizeof *fs);
	fs->requests = (int64_t)n;
	double dur = (S->t_end - (n ? S->arr_ps[0] : 0)) * 1e-12;
	fs->duration_s = dur;
	fs->offered_rps = o->offered_rps * o->rate_scale;
	fs->slo_ttft_p90_s = o->slo_ttft_p90_s;
	fs->slo_tpot_p99_s = o->slo_tpot_p99_s;
	size_t good = 0;
	for (size_t i = 0; i < n; i++) {
		const session_rec *r = &S->rec[i];
		fs->trimmed += r->trimmed;
		fs->tokens += r->output;
		fs->swaps += r->swaps;
		fs->swap_exposed_s += r->swap_exposed_s;
		fs->energy_j += r->energy_j;
		good += r->ttft_s <= o->slo_ttft_p90_s && !(r->tpot_s > o->slo_tpot_p99_s);
	}
	fs->swap_s = S->reconf_ps * 1e-12;
	fs->kv_refill_s = S->refill_ps * 1e-12;
	for (size_t i = 0; i < n; i++)
		v[i] = S->rec[i].wait_s;
	fs->wait_s = dist(v, n, tmp);
	for (size_t i = 0; i < n; i++)
		v[i] = S->rec[i].ttft_s;
	fs->ttft_s = dist(v, n, tmp);
	for (size_t i = 0; i < n; i++)
		v[i] = S->rec[i].e2e_s;
	fs->e2e_s = dist(v, n, tmp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (S->rec[i].output > 1)
			v[m++] = S->rec[i].tpot_s;
	fs->tpot_s = dist(v, m, tmp);
	free(v);
	fs->slo_met = n > 0 && fs->ttft_s.p90 <= o->slo_ttft_p90_s && (m == 0 || fs->tpot_s.p99 <= o->slo_tpot_p99_s);
	fs->capacity_rps = NAN;
	if (dur > 0) {
		fs->throughput_rps = n / dur;
		fs->tokens_per_s = fs->tokens / dur;
		fs->goodput_rps = good / dur;
		fs->reconfig_share = fs->swap_s / dur;
		fs->utilisation = S->busy_ps * 1e-12 / dur;
		fs->mean_in_system = S->area_s / dur;
	}
	if (n) {
		fs->energy_j_per_request = fs->energy_j / n;
		fs->energy_j_per_token = fs->energy_j / fs->tokens;
	}
	memcpy(fs->swaps_by_rm, S->swaps_by, sizeof fs->swaps_by_rm);
	return 0;
}

/* ------------------------------------------------------------- the run */

/* The first module built for a phase (serving it when none is). */
static int first_built(const phases *t, bool decode)
{
	for (int k = 0; k < phases_modules(t); k++)
		if (rms_built_for(phases_module(t, k), decode))
			return k;
	for (int k = 0; k < phases_modules(t); k++)
		if (rms_serves(phases_module(t, k), decode))
			return k;
	return 0;
}

/* The modules of a session: the one loaded at the start (the first built
 * for the phase start_decode names), home, the context points; `never`
 * needs a start module that serves both phases. */
static int setup_modules(sess *S, char *err, size_t errlen)
{
	const session_opts *o = S->o;
	S->rm = SESSION_RM_STATIC;
	S->home = SESSION_RM_STATIC;
	if (!S->dpr)
		return 0;
	S->nm = phases_modules(S->pred);
	if (S->nm != phases_modules(S->exec)) {
		snprintf(err, errlen, "the model that predicts and the one that runs the session have other modules");
		return -1;
	}
	for (int k = 0; k < S->nm; k++) {
		const rm_t *m = phases_module(S->pred, k);
		S->serves_pre[k] = rms_serves(m, false);
		S->serves_dec[k] = rms_serves(m, true);
		S->bfp[k] = rms_built_for(m, false);
		S->bfd[k] = rms_built_for(m, true);
	}
	S->rm = first_built(S->pred, o->start_decode);
	if (o->start_module_given) {
		if (o->start_module < 0 || o->start_module >= S->nm) {
			snprintf(err, errlen, "no module %d in a set of %d", o->start_module, S->nm);
			return -1;
		}
		S->rm = o->start_module;
	}
	rms_ctx *x = phases_rms(S->pred);
	int L = clip_len(o->expect_prompt, S->maxc, 1);
	S->home = rms_prefill_module(x, L);
	if (S->home < 0)
		S->home = first_built(S->pred, false);
	S->n_points = rms_points(x);
	S->point = x->point;
	const rm_t *m = phases_module(S->pred, S->rm);
	if (o->policy == SESSION_NEVER && !(rms_serves(m, false) && rms_serves(m, true))) {
		snprintf(err, errlen, "policy 'never' keeps module '%s', which does not serve %s", m->name,
			 rms_serves(m, false) ? "decode" : "prefill");
		return -1;
	}
	return 0;
}

int session_run(phases *exec, phases *pred, const reqgen_req *req, size_t n, const session_opts *o, session_rec *rec,
		figures_session *fs, char *err, size_t errlen)
{
	bool dpr = phases_dpr(exec);
	if (dpr == (o->policy == SESSION_STATIC) || o->policy < 0 || o->policy >= SESSION_POLICIES) {
		snprintf(err, errlen, "policy '%s' is not one of a %s design",
			 o->policy >= 0 && o->policy < SESSION_POLICIES ? session_policy_names[o->policy] : "?",
			 dpr ? "dpr" : "static");
		return PDS_FAIL_REQUEST;
	}
	if (!(o->rate_scale > 0) || !isfinite(o->rate_scale)) {
		snprintf(err, errlen, "the rate scale must be a positive number, got %g", o->rate_scale);
		return PDS_FAIL_REQUEST;
	}
	/* the span of the arrivals must fit the clock */
	double span = 0;
	for (size_t i = 0; i < n; i++)
		span = o->closed ? span + req[i].think_s : req[i].arrival_s;
	if (span / o->rate_scale > MAX_SPAN_S) {
		snprintf(err, errlen, "the session's arrivals span %.3g s, more than the %.0f days it may", span / o->rate_scale,
			 MAX_SPAN_S / 86400);
		return PDS_FAIL_REQUEST;
	}
	sess S = {.exec = exec, .pred = pred ? pred : exec, .req = req, .n = n, .o = o, .dpr = dpr,
		  .maxc = phases_max_context(exec), .err = err, .errlen = errlen};
	if (setup_modules(&S, err, errlen))
		return PDS_FAIL_REQUEST;
	S.back_ps = phases_back_swap_ps(exec);
	S.back_j = phases_back_swap_j(exec);
	S.t_free = INT64_MIN;
	session_rec *own = NULL;
	S.arr_ps = malloc((n ? n : 1) * sizeof *S.arr_ps);
	if (!rec)
		rec = own = malloc((n ? n : 1) * sizeof *rec);
	if (!S.arr_ps || !rec) {
		free(S.arr_ps);
		free(own);
		snprintf(err, errlen, "out of memory");
		return PDS_FAIL;
	}
	S.rec = rec;
	evq_init(&S.q);
	if (n)
		at(&S, o->closed ? scaled_ps(&S, req[0].think_s) : scaled_ps(&S, req[0].arrival_s), on_arrive, 0);
	S.t_area = S.t_end = n ? (o->closed ? scaled_ps(&S, req[0].think_s) : scaled_ps(&S, req[0].arrival_s)) : 0;
	evq_run(&S.q);
	int rc = S.fail;
	if (!rc && evq_failed(&S.q)) {
		snprintf(err, errlen, "out of memory");
		rc = PDS_FAIL;
	}
	if (!rc && (S.next != n || S.busy || S.in_system))
		BUG("the session stopped with %zu of %zu requests served", S.next, n);
	if (!rc)
		rc = figures_of(&S, fs);
	evq_release(&S.q);
	free(S.arr_ps);
	free(own);
	return rc;
}

/* --------------------------------------------------------------- capacity */

static int met_at(phases *exec, phases *pred, const reqgen_req *req, size_t n, const session_opts *o, double rate,
		  bool *met, char *err, size_t errlen)
{
	session_opts q = *o;
	q.rate_scale = rate / o->offered_rps;
	figures_session f;
	int rc = session_run(exec, pred, req, n, &q, NULL, &f, err, errlen);
	*met = f.slo_met;
	return rc;
}

int session_capacity(phases *exec, phases *pred, const reqgen_req *req, size_t n, const session_opts *o,
		     double *capacity_rps, char *err, size_t errlen)
{
	*capacity_rps = NAN;
	if (n < 2 || !(o->offered_rps > 0) || !isfinite(o->offered_rps))
		return 0;
	figures_session f;
	int rc = session_run(exec, pred, req, n, o, NULL, &f, err, errlen);
	if (rc)
		return rc;
	if (!(f.utilisation > 0))
		return 0;
	/* the rate that keeps the device always busy */
	double sat = f.throughput_rps / f.utilisation, hi = 2 * sat, lo = hi / 1000;
	double span = 0;
	for (size_t i = 0; i < n; i++)
		span = o->closed ? span + req[i].think_s : req[i].arrival_s;
	double floor_rate = o->offered_rps * span / (MAX_SPAN_S / 2);
	if (lo < floor_rate)
		lo = floor_rate;
	if (!(lo < hi))
		return 0;
	bool m;
	if ((rc = met_at(exec, pred, req, n, o, lo, &m, err, errlen)))
		return rc;
	if (!m) {
		*capacity_rps = 0;
		return 0;
	}
	if ((rc = met_at(exec, pred, req, n, o, hi, &m, err, errlen)))
		return rc;
	if (m) {
		*capacity_rps = INFINITY;
		return 0;
	}
	for (int k = 0; k < 16; k++) {
		double mid = sqrt(lo * hi);
		if ((rc = met_at(exec, pred, req, n, o, mid, &m, err, errlen)))
			return rc;
		if (m)
			lo = mid;
		else
			hi = mid;
	}
	*capacity_rps = lo;
	return 0;
}

/* ------------------------------------------------------------ thresholds */

int session_model_thresholds(phases *pred, const session_opts *o, int prompt, int *threshold_prompt,
			     int *threshold_gen, char *err, size_t errlen)
{
	session_opts q = *o;
	q.threshold_prompt = q.threshold_gen = 0;
	q.policy = SESSION_THRESHOLD;
	/* a request that others follow, none waiting */
	sess S = {.exec = pred, .pred = pred, .o = &q, .dpr = true, .maxc = phases_max_context(pred), .err = err,
		  .errlen = errlen, .n = 2, .next = 1, .arrived = 1};
	*threshold_prompt = *threshold_gen = 0;
	if (!phases_dpr(pred) || setup_modules(&S, err, errlen))
		return PDS_FAIL;
	S.back_ps = phases_back_swap_ps(pred);
	/* the module a request finds loaded after a decode: the first built
	 * for decode other than home */
	int from = -1;
	for (int k = 0; k < S.nm && from < 0; k++)
		if (k != S.home && rms_built_for(phases_module(pred, k), true))
			from = k;
	for (int L = 1; from >= 0 && L < S.maxc && !S.fail; L++) {
		reqgen_req r = {.prompt = L, .output = clip_len(q.expect_output, S.maxc, L)};
		if (want_back(&S, from, L, predicted_output(&S, &r), S.back_ps) >= 0) {
			*threshold_prompt = L;
			break;
		}
	}
	if (prompt < 1)
		prompt = 1;
	if (prompt > S.maxc - 1)
		prompt = S.maxc - 1;
	for (int N = 1; N <= S.maxc - prompt && !S.fail; N++) {
		rms_plan pl;
		if (dec_plan(&S, S.home, prompt, N, true, &pl) != NEVER_PS && pl.dec[0] != S.home) {
			*threshold_gen = N;
			break;
		}
	}
	return S.fail;
}

/* ------------------------------------------------------------- one request */

int session_decode_plan(phases *pred, int prefill_rm, int prompt, int output, rms_plan *pl, char *err, size_t errlen)
{
	session_opts q = {.policy = SESSION_ORACLE, .rate_scale = 1, .expect_prompt = prompt, .expect_output = output};
	/* nothing follows: no return cost */
	sess S = {.exec = pred, .pred = pred, .o = &q, .dpr = true, .maxc = phases_max_context(pred), .err = err,
		  .errlen = errlen, .n = 1, .next = 1, .arrived = 1};
	if (!phases_dpr(pred) || setup_modules(&S, err, errlen))
		return PDS_FAIL;
	if (prefill_rm < 0 || prefill_rm >= S.nm || prompt < 1 || output < 1 || prompt + output > S.maxc) {
		snprintf(err, errlen, "no plan for a request of %d + %d tokens from module %d", prompt, output, prefill_rm);
		return PDS_FAIL;
	}
	dec_plan(&S, prefill_rm, prompt, output, false, pl);
	return S.fail;
}

/* ------------------------------------------------------------ break-even */

int session_breakeven_cell(phases *exec, phases *pred, session_policy policy, bool start_decode, int prompt,
			   int output, double *e2e_s, double *energy_j, session_rec *last, char *err, size_t errlen)
{
	reqgen_req req[SESSION_BREAKEVEN_RUN];
	session_rec rec[SESSION_BREAKEVEN_RUN];
	for (int i = 0; i < SESSION_BREAKEVEN_RUN; i++)
		req[i] = (reqgen_req){.prompt = prompt, .output = output};
	session_opts o = {.policy = policy, .start_decode = start_decode, .closed = true, .rate_scale = 1,
			  .offered_rps = INFINITY, .expect_prompt = prompt, .expect_output = output,
			  .slo_ttft_p90_s = INFINITY, .slo_tpot_p99_s = INFINITY};
	figures_session f;
	int rc = session_run(exec, pred, req, SESSION_BREAKEVEN_RUN, &o, rec, &f, err, errlen);
	if (rc)
		return rc;
	*e2e_s = rec[SESSION_BREAKEVEN_RUN - 1].e2e_s;
	*energy_j = rec[SESSION_BREAKEVEN_RUN - 1].energy_j;
	if (last)
		*last = rec[SESSION_BREAKEVEN_RUN - 1];
	return 0;
}
