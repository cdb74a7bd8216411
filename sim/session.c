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
const char *const session_rm_names[3] = {"prefill", "decode", "static"};

int session_policy_of(const char *name)
{
	for (int i = 0; i < SESSION_POLICIES; i++)
		if (strcmp(name, session_policy_names[i]) == 0)
			return i;
	return -1;
}

/* The longest session the integer-picosecond clock is asked to hold. */
#define MAX_SPAN_S (100.0 * 86400)

typedef struct {
	phases *exec, *pred;
	const reqgen_req *req;
	size_t n;
	const session_opts *o;
	session_rec *rec;
	evq q;
	bool dpr;
	int maxc;
	int rm;         /* SESSION_RM_*: what the partition holds (or is becoming) */
	bool busy, swapping, back_owed;
	size_t arrived, next;
	int64_t t_free; /* when the device last became free */
	int rm_after;   /* what the request in service leaves loaded */
	int64_t back_ps;
	double back_j;
	int64_t *arr_ps;
	/* accounting */
	int64_t t_area, t_end;
	size_t in_system;
	double area_s;
	int64_t reconf_ps, busy_ps, t_busy0;
	int64_t refill_ps; /* K/V tier refills after swaps-in */
	/* the workload's mean request, predicted once: from the prefill RM, staying on the decode RM */
	bool have_mean;
	int64_t mean_from_p, mean_stay;
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

/* A length the model can take beside `other` tokens: [1, maxc - other]. */
static int clip_len(double x, int maxc, int other)
{
	double hi = maxc - other;
	double v = x < 1 ? 1 : x > hi ? hi : x;
	return v < 1 ? 1 : (int)lround(v);
}

/* Predicted time of a request on a path, ps (INT64_MAX after a failure). */
static int64_t predict(sess *S, phases_path path, int L, int N)
{
	phases_cost c;
	if (phases_cost_of(S->pred, path, L, N, &c, S->err, S->errlen)) {
		stop_with(S, PDS_FAIL);
		return INT64_MAX;
	}
	return c.ttft_ps + (N > 1 ? c.swap_exposed_ps + c.decode_ps : 0);
}

/*
 * The expected wait of the next request for a back-swap started when the
 * request in service (busy_ps more) leaves the decode RM loaded: all of it
 * when a request already waits; else, with arrivals at rate lambda, all of
 * it when the next one comes before the answer (1 - exp(-lambda busy)),
 * and s - (1 - exp(-lambda s)) / lambda when it comes after (the swap
 * starts at the answer and hides in the idle time).
 */
static int64_t back_wait(sess *S, int64_t busy_ps)
{
	const session_opts *o = S->o;
	double lambda = o->offered_rps * o->rate_scale, s = S->back_ps * 1e-12;
	if (S->next < S->arrived || isinf(lambda))
		return S->back_ps;
	if (!(lambda > 0))
		return 0;
	double p_busy = -expm1(-lambda * busy_ps * 1e-12), idle = s + expm1(-lambda * s) / lambda;
	return ps_of(p_busy * s + (1 - p_busy) * idle);
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * What the next request (of the workload's mean lengths) is predicted to
 * lose when a request leaves the decode RM loaded `busy_ps` from now rather
 * than the prefill RM: the least of waiting for the back-swap and staying
 * on the decode RM, over its time from the prefill RM; 0 when no request
 * follows.
 */
static int64_t from_prefill_myopic(sess *S, int L, int N);

static int64_t return_cost(sess *S, int64_t busy_ps)
{
	const session_opts *o = S->o;
	if (S->next >= S->n)
		return 0;
	int L = clip_len(o->expect_prompt, S->maxc, 1), N = clip_len(o->expect_output, S->maxc, L);
	if (!S->have_mean) {
		S->mean_from_p = from_prefill_myopic(S, L, N);
		S->mean_stay = predict(S, PHASES_DECODE, L, N);
		S->have_mean = true;
	}
	int64_t p = S->mean_from_p, c = S->mean_stay, w = back_wait(S, busy_ps);
	if (p == INT64_MAX || c == INT64_MAX)
		return 0;
	int64_t from_dec = o->threshold_prompt > 0 ? (L >= o->threshold_prompt ? w + p : c) : min64(c, w + p);
	return from_dec > p ? from_dec - p : 0;
}

/* After a prefill on the prefill RM: swap to the decode RM for the decode?
 * With look_ahead the swap also pays what leaving the decode RM loaded
 * costs the next request. */
static bool want_decode_rm_at(sess *S, int L, int N, bool look_ahead)
{
	if (S->o->threshold_gen > 0)
		return N >= S->o->threshold_gen;
	int64_t a = predict(S, PHASES_SWAP, L, N), b = predict(S, PHASES_PREFILL, L, N);
	if (look_ahead && a < b)
		a += return_cost(S, a);
	return a < b;
}

static bool want_decode_rm(sess *S, int L, int N)
{
	return want_decode_rm_at(S, L, N, true);
}

static int64_t from_prefill_myopic(sess *S, int L, int N)
{
	return predict(S, want_decode_rm_at(S, L, N, false) ? PHASES_SWAP : PHASES_PREFILL, L, N);
}

/*
 * From the decode RM: swap back first (waiting wait_ps for it) rather than
 * stay?  Both plans are charged what the module they leave loaded costs
 * the next request.
 */
static bool want_back(sess *S, int L, int N, int64_t wait_ps)
{
	if (S->o->threshold_prompt > 0)
		return L >= S->o->threshold_prompt;
	int64_t a = predict(S, PHASES_SWAP, L, N), b = predict(S, PHASES_PREFILL, L, N);
	int64_t c = predict(S, PHASES_DECODE, L, N);
	if (a == INT64_MAX || b == INT64_MAX || c == INT64_MAX)
		return false;
	int64_t via_p = want_decode_rm(S, L, N) ? a + return_cost(S, wait_ps + a) : b;
	int64_t stay = c + return_cost(S, c);
	return wait_ps + via_p < stay;
}

/* The output threshold and oracle predict for a request of prompt L. */
static int predicted_output(sess *S, const reqgen_req *r)
{
	if (S->o->policy == SESSION_ORACLE)
		return r->output;
	return clip_len(S->o->expect_output, S->maxc, r->prompt);
}

/* Request r's plan from the module loaded: back-swap first or not, its path. */
static phases_path plan(sess *S, const reqgen_req *r, bool *back)
{
	*back = false;
	if (!S->dpr)
		return PHASES_SWAP;
	bool on_dec = S->rm == SESSION_RM_DECODE;
	int N = 0;
	switch (S->o->policy) {
	case SESSION_ALWAYS:
		*back = on_dec;
		return PHASES_SWAP;
	case SESSION_NEVER:
		return on_dec ? PHASES_DECODE : PHASES_PREFILL;
	case SESSION_THRESHOLD:
	case SESSION_ORACLE:
		N = predicted_output(S, r);
		if (on_dec && !(*back = want_back(S, r->prompt, N, S->back_ps)))
			return PHASES_DECODE;
		return want_decode_rm(S, r->prompt, N) ? PHASES_SWAP : PHASES_PREFILL;
	default:
		return PHASES_SWAP;
	}
}

/* With the decode RM loaded and nobody waiting: start the back-swap now? */
static bool eager(sess *S)
{
	const session_opts *o = S->o;
	switch (o->policy) {
	case SESSION_ALWAYS:
		return true;
	case SESSION_THRESHOLD:
	case SESSION_ORACLE: {
		int L = clip_len(o->expect_prompt, S->maxc, 1);
		int N = clip_len(o->expect_output, S->maxc, L);
		/* the expected wait of a request that arrives while it runs */
		return want_back(S, L, N, back_wait(S, 0));
	}
	default:
		return false;
	}
}

/* --------------------------------------------------------------- events */

static void on_arrive(void *ctx, uint64_t i);
static void on_done(void *ctx, uint64_t i);
static void on_free(void *ctx, uint64_t arg);
static void on_swapped(void *ctx, uint64_t arg);

static int64_t scaled_ps(const sess *S, double s)
{
	return ps_of(s / S->o->rate_scale);
}

static void start(sess *S, size_t i)
{
	const reqgen_req *r = &S->req[i];
	session_rec *rec = &S->rec[i];
	int64_t now = S->q.now_ps;
	int64_t ready = S->arr_ps[i] > S->t_free ? S->arr_ps[i] : S->t_free;
	bool back;
	phases_path path = plan(S, r, &back);
	if (S->fail)
		return;
	phases_cost c;
	if (phases_cost_of(S->exec, path, r->prompt, r->output, &c, S->err, S->errlen)) {
		stop_with(S, PDS_FAIL);
		return;
	}
	int64_t B = back ? S->back_ps : 0;
	int64_t t_first = now + B + c.ttft_ps;
	int64_t exposed = r->output > 1 ? c.swap_exposed_ps : 0;
	int64_t t_done = t_first + exposed + c.decode_ps;
	int64_t t_free = t_done;
	if (c.swap_ps > 0 && t_first + c.swap_exposed_ps > t_free)
		t_free = t_first + c.swap_exposed_ps;

	rec->prompt = r->prompt;
	rec->output = r->output;
	rec->trimmed = r->trimmed;
	rec->arrival_s = S->arr_ps[i] * 1e-12;
	rec->wait_s = (ready - S->arr_ps[i]) * 1e-12;
	rec->ttft_s = (t_first - S->arr_ps[i]) * 1e-12;
	rec->e2e_s = (t_done - S->arr_ps[i]) * 1e-12;
	rec->tpot_s = r->output > 1 ? (rec->e2e_s - rec->ttft_s) / (r->output - 1) : NAN;
	rec->swaps = (int)S->back_owed + (int)back + (c.swap_ps > 0);
	rec->swap_exposed_s = ((now - ready) + B + exposed) * 1e-12;
	rec->energy_j = c.energy_j + (back ? S->back_j : 0) + (S->back_owed ? S->back_j : 0);
	if (!S->dpr) {
		rec->prefill_rm = rec->decode_rm = SESSION_RM_STATIC;
		S->rm_after = SESSION_RM_STATIC;
	} else {
		rec->prefill_rm = path == PHASES_DECODE ? SESSION_RM_DECODE : SESSION_RM_PREFILL;
		rec->decode_rm = path == PHASES_PREFILL ? SESSION_RM_PREFILL : SESSION_RM_DECODE;
		S->rm_after = rec->decode_rm;
	}
	S->back_owed = false;
	S->reconf_ps += B + c.swap_ps;
	S->refill_ps += c.kv_refill_ps;
	S->busy = true;
	S->t_busy0 = now;
	at(S, t_done, on_done, i);
	at(S, t_free, on_free, 0);
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
	if (S->dpr && S->rm == SESSION_RM_DECODE && S->next < S->n && eager(S) && !S->fail) {
		S->swapping = true;
		S->back_owed = true;
		S->rm = SESSION_RM_PREFILL;
		S->reconf_ps += S->back_ps;
		S->busy_ps += S->back_ps;
		at(S, now + S->back_ps, on_swapped, 0);
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
	return 0;
}

/* ------------------------------------------------------------- the run */

int session_run(phases *exec, phases *pred, const reqgen_req *req, size_t n, const session_opts *o, session_rec *rec,
		figures_session *fs, char *err, size_t errlen)
{
	bool dpr = phases_has(exec, PHASES_PREFILL);
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
	S.rm = !dpr ? SESSION_RM_STATIC : o->start_decode ? SESSION_RM_DECODE : SESSION_RM_PREFILL;
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
	S.back_ps = phases_back_swap_ps(pred);
	*threshold_prompt = *threshold_gen = 0;
	for (int L = 1; L < S.maxc && !S.fail; L++) {
		reqgen_req r = {.prompt = L, .output = clip_len(q.expect_output, S.maxc, L)};
		if (want_back(&S, L, predicted_output(&S, &r), S.back_ps)) {
			*threshold_prompt = L;
			break;
		}
	}
	if (prompt < 1)
		prompt = 1;
	if (prompt > S.maxc - 1)
		prompt = S.maxc - 1;
	for (int N = 1; N <= S.maxc - prompt && !S.fail; N++)
		if (want_decode_rm(&S, prompt, N)) {
			*threshold_gen = N;
			break;
		}
	return S.fail;
}

/* ------------------------------------------------------------ break-even */

int session_breakeven_cell(phases *exec, phases *pred, session_policy policy, bool start_decode, int prompt,
			   int output, double *e2e_s, double *energy_j, char *err, size_t errlen)
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
	return 0;
}
