/*
 * check_session.c - sessions of many requests: the request streams
 * (lognormal fits against closed forms, draws against their
 * distributions, trimming), a phase on the other module (the tiny config
 * by hand, the DES against the analytic model), the per-request phase
 * times against single runs of both models, and the session itself:
 * isolated requests equal `simulate`, a queue worked out by hand, swaps
 * per request, Little's law, the capacity bracket, the threshold policy
 * against always and never, the analytic model against the op-level DES
 * on every shipped workload, and the same bytes at any thread count.
 *
 * Expected values come from the models' single-request functions
 * (perf_run_eval, des_run), closed forms or hand computation, never from
 * the session's own output.
 */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config/reqtrace.h"
#include "explore/sessions.h"
#include "explore/sweep.h"
#include "store/store.h"
#include "models/perf.h"
#include "models/platform.h"
#include "models/engine.h"
#include "sim/des.h"
#include "sim/phases.h"
#include "sim/reqgen.h"
#include "sim/session.h"
#include "suites.h"
#include "testutil.h"

static cfg_t C;
static workload_t W;

static void setup(void)
{
	tu_load_default(&C);
	workload_init(&W, &C.model);
}

static void teardown(void)
{
	cfg_release(&C);
}

static design_t named(const cfg_t *c, const char *n)
{
	int i = cfg_find_design(c, n);
	ck_assert_int_ge(i, 0);
	return c->designs[i].d;
}

static const cfg_session_wl *wl_of(const char *n)
{
	int i = cfg_find_session_wl(&C, n);
	ck_assert_int_ge(i, 0);
	return &C.session_wl[i];
}

static void rel_near(const char *what, double got, double want, double tol)
{
	ck_assert_msg(fabs(got - want) <= tol * fabs(want), "%s: got %.12g, want %.12g (tolerance %g)", what, got, want,
		      tol);
}

/* Default options of a policy on a workload. */
static session_opts opts_of(const cfg_session_wl *wl, session_policy p)
{
	session_opts o = {.policy = p, .closed = wl->arrival == CFG_ARR_CLOSED, .rate_scale = 1,
			  .offered_rps = reqgen_rate_rps(wl, NULL), .expect_prompt = wl->prompt.mean,
			  .expect_output = wl->output.mean, .slo_ttft_p90_s = wl->slo_ttft_p90_s,
			  .slo_tpot_p99_s = wl->slo_tpot_p99_s};
	return o;
}

static bool same_req(const reqgen_req *a, const reqgen_req *b)
{
	return a->arrival_s == b->arrival_s && a->think_s == b->think_s && a->prompt == b->prompt &&
	       a->output == b->output && a->trimmed == b->trimmed;
}

static bool same_rec(const session_rec *a, const session_rec *b)
{
	return a->prompt == b->prompt && a->output == b->output && a->trimmed == b->trimmed && a->arrival_s == b->arrival_s &&
	       a->wait_s == b->wait_s && a->ttft_s == b->ttft_s && memcmp(&a->tpot_s, &b->tpot_s, sizeof a->tpot_s) == 0 &&
	       a->e2e_s == b->e2e_s && a->swaps == b->swaps && a->swap_exposed_s == b->swap_exposed_s &&
	       a->energy_j == b->energy_j && a->prefill_rm == b->prefill_rm && a->decode_rm == b->decode_rm;
}

static reqgen_req *draw(const cfg_session_wl *wl, unsigned long seed, size_t n, size_t *kept)
{
	reqgen_req *r = malloc(n * sizeof *r);
	ck_assert_ptr_nonnull(r);
	reqgen_counts cnt;
	char err[256];
	long k = reqgen_make(wl, NULL, C.model.max_context, wl->refuse_over_context, seed, n, r, &cnt, err, sizeof err);
	ck_assert_msg(k >= 0, "%s", err);
	*kept = (size_t)k;
	return r;
}

/* ------------------------------------------------------------ streams */

START_TEST(lognormal_fit_moments_and_percentiles)
{
	char err[256];
	double mu, sg;
	/* mean and sd: the fitted lognormal has them (closed-form moments) */
	ck_assert_int_eq(reqgen_lognormal_fit(NULL, NULL, 0, 19.67, 15.19, &mu, &sg, err, sizeof err), 0);
	rel_near("lognormal mean", exp(mu + sg * sg / 2), 19.67, 1e-12);
	rel_near("lognormal sd", sqrt((exp(sg * sg) - 1) * exp(2 * mu + sg * sg)), 15.19, 1e-12);
	/* two percentiles: exact; z(0.99) = 2.3263478740408408 */
	double p2[2] = {50, 99}, v2[2] = {1020, 4142};
	ck_assert_int_eq(reqgen_lognormal_fit(p2, v2, 2, 0, 0, &mu, &sg, err, sizeof err), 0);
	rel_near("median", exp(mu), 1020, 1e-12);
	rel_near("p99", exp(mu + sg * 2.3263478740408408), 4142, 1e-9);
	/* three percentiles of a known lognormal (mu 5, sigma 0.7): recovered,
	 * with and without its mean as a fourth equation */
	double z10 = -1.2815515655446004, z90 = 1.2815515655446004;
	double p3[3] = {10, 50, 90}, v3[3] = {exp(5 + 0.7 * z10), exp(5), exp(5 + 0.7 * z90)};
	ck_assert_int_eq(reqgen_lognormal_fit(p3, v3, 3, 0, 0, &mu, &sg, err, sizeof err), 0);
	rel_near("mu from three percentiles", mu, 5, 1e-9);
	rel_near("sigma from three percentiles", sg, 0.7, 1e-9);
	ck_assert_int_eq(reqgen_lognormal_fit(p3, v3, 3, exp(5 + 0.49 / 2), 0, &mu, &sg, err, sizeof err), 0);
	rel_near("mu with the mean", mu, 5, 1e-7);
	rel_near("sigma with the mean", sg, 0.7, 1e-7);
	/* percentiles out of order, or values that do not grow, admit none */
	double bad_p[2] = {99, 50}, bad_v[2] = {300, 1020};
	ck_assert_int_eq(reqgen_lognormal_fit(bad_p, v2, 2, 0, 0, &mu, &sg, err, sizeof err), -1);
	ck_assert_int_eq(reqgen_lognormal_fit(p2, bad_v + 0, 2, 0, 0, &mu, &sg, err, sizeof err) == 0 ? 0 : -1,
			 bad_v[0] < bad_v[1] ? 0 : -1);
	ck_assert_int_eq(reqgen_lognormal_fit(NULL, NULL, 0, 10, 0, &mu, &sg, err, sizeof err), -1);
}
END_TEST

/* Draws follow their distributions: sample means and CVs against the
 * stated ones (200000 draws: the standard error of a mean is ~0.2%). */
START_TEST(draws_follow_the_distributions)
{
	enum { N = 200000 };
	cfg_session_wl wl = {.name = "t", .arrival = CFG_ARR_GAMMA, .rate_rps = 2, .cv = 2};
	double mu, sg;
	char err[256];
	ck_assert_int_eq(reqgen_lognormal_fit(NULL, NULL, 0, 300, 200, &mu, &sg, err, sizeof err), 0);
	wl.prompt = (cfg_lendist){.kind = CFG_LEN_LOGNORMAL, .mu = mu, .sigma = sg};
	wl.output = (cfg_lendist){.kind = CFG_LEN_EMPIRICAL, .n_emp = 3, .emp_len = {5, 50, 500}, .emp_weight = {1, 2, 1}};
	reqgen_req *r = malloc(N * sizeof *r);
	reqgen_counts cnt;
	ck_assert_int_eq(reqgen_make(&wl, NULL, 1 << 20, false, 7, N, r, &cnt, err, sizeof err), N);
	double sg1 = 0, sg2 = 0, sp = 0;
	int n5 = 0, n50 = 0, n500 = 0;
	for (int i = 1; i < N; i++) {
		double g = r[i].arrival_s - r[i - 1].arrival_s;
		ck_assert(g >= 0);
		sg1 += g;
		sg2 += g * g;
	}
	for (int i = 0; i < N; i++) {
		sp += r[i].prompt;
		n5 += r[i].output == 5;
		n50 += r[i].output == 50;
		n500 += r[i].output == 500;
	}
	double gm = sg1 / (N - 1), gsd = sqrt(sg2 / (N - 1) - gm * gm);
	rel_near("mean gap", gm, 0.5, 0.02);
	rel_near("gap CV", gsd / gm, 2, 0.03);
	rel_near("mean prompt (lognormal, rounded)", sp / N, 300, 0.01);
	ck_assert_int_eq(n5 + n50 + n500, N);
	rel_near("empirical weight of 50", (double)n50 / N, 0.5, 0.01);
	rel_near("empirical weight of 5", (double)n5 / N, 0.25, 0.02);
	/* Poisson: exponential gaps, CV 1; uniform lengths on [3, 9] */
	wl.arrival = CFG_ARR_POISSON;
	wl.rate_rps = 0.25;
	wl.prompt = (cfg_lendist){.kind = CFG_LEN_UNIFORM, .lo = 3, .hi = 9};
	ck_assert_int_eq(reqgen_make(&wl, NULL, 1 << 20, false, 8, N, r, &cnt, err, sizeof err), N);
	sg1 = sg2 = sp = 0;
	int lo = 100, hi = 0;
	for (int i = 1; i < N; i++) {
		double g = r[i].arrival_s - r[i - 1].arrival_s;
		sg1 += g;
		sg2 += g * g;
	}
	for (int i = 0; i < N; i++) {
		sp += r[i].prompt;
		lo = r[i].prompt < lo ? r[i].prompt : lo;
		hi = r[i].prompt > hi ? r[i].prompt : hi;
	}
	gm = sg1 / (N - 1);
	gsd = sqrt(sg2 / (N - 1) - gm * gm);
	rel_near("Poisson mean gap", gm, 4, 0.02);
	rel_near("Poisson CV", gsd / gm, 1, 0.02);
	ck_assert_int_eq(lo, 3);
	ck_assert_int_eq(hi, 9);
	rel_near("uniform mean", sp / N, 6, 0.01);
	free(r);
}
END_TEST

START_TEST(same_seed_same_requests)
{
	size_t n1, n2, n3;
	reqgen_req *a = draw(wl_of("conversation"), 42, 5000, &n1), *b = draw(wl_of("conversation"), 42, 5000, &n2);
	reqgen_req *c = draw(wl_of("conversation"), 43, 5000, &n3);
	ck_assert_uint_eq(n1, n2);
	bool diff = n1 != n3;
	for (size_t i = 0; i < n1; i++) {
		ck_assert(same_req(&a[i], &b[i]));
		diff |= i < n3 && !same_req(&a[i], &c[i]);
	}
	ck_assert(diff);
	/* each workload its own stream */
	ck_assert(reqgen_seed(1, "chat") != reqgen_seed(1, "code"));
	ck_assert(reqgen_seed(1, "chat") == reqgen_seed(1, "chat"));
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(trim_and_refuse)
{
	cfg_session_wl wl = {.name = "t", .arrival = CFG_ARR_POISSON, .rate_rps = 1,
			     .prompt = {.kind = CFG_LEN_FIXED, .fixed = 2000}, .output = {.kind = CFG_LEN_FIXED, .fixed = 100}};
	reqgen_req r[4];
	reqgen_counts cnt;
	char err[256];
	/* 2000 + 100 > 2048: the prompt loses its oldest 52 tokens */
	ck_assert_int_eq(reqgen_make(&wl, NULL, 2048, false, 1, 4, r, &cnt, err, sizeof err), 4);
	ck_assert_int_eq(r[0].prompt, 1948);
	ck_assert_int_eq(r[0].output, 100);
	ck_assert(r[0].trimmed);
	ck_assert_uint_eq(cnt.trimmed, 4);
	/* an output beyond the context keeps 2047 tokens after a 1-token prompt */
	wl.output.fixed = 3000;
	ck_assert_int_eq(reqgen_make(&wl, NULL, 2048, false, 1, 4, r, &cnt, err, sizeof err), 4);
	ck_assert_int_eq(r[0].prompt, 1);
	ck_assert_int_eq(r[0].output, 2047);
	/* refused: none kept, all counted */
	ck_assert_int_eq(reqgen_make(&wl, NULL, 2048, true, 1, 4, r, &cnt, err, sizeof err), 0);
	ck_assert_uint_eq(cnt.refused, 4);
	/* what fits is left alone */
	wl.prompt.fixed = 1948;
	wl.output.fixed = 100;
	ck_assert_int_eq(reqgen_make(&wl, NULL, 2048, true, 1, 4, r, &cnt, err, sizeof err), 4);
	ck_assert(!r[3].trimmed);
	ck_assert_uint_eq(cnt.refused + cnt.trimmed, 0);
}
END_TEST

/* --------------------------------------------- a phase on the other module */

#define TINY "tests/data/tiny.yaml"

/*
 * The tiny config by hand (tests/check_perf.c works its building blocks
 * out): design `swap`, TLMM 0.96 us a token per layer plus 1.2 us of depth,
 * weights 2.4 us a layer; attention at 25e6 cycles/s; HP0 and HP1 400e6 B/s
 * each, both on C0 at 0.5e9 B/s; K (or V, Q, O) of a token 48 B; LM head 10 us.
 */
START_TEST(tiny_other_engine_by_hand)
{
	cfg_t T;
	char err[1024];
	ck_assert_msg(config_load(&T, TINY, err, sizeof err) == 0, "%s", err);
	workload_t TW;
	workload_init(&TW, &T.model);
	design_t sw = named(&T, "swap"), base = named(&T, "base");
	perf_ctx p;
	perf_prepare(&p, &T, &TW, &sw);
	const double lin1 = 960 / 400e6; /* a decode step's linear layers: weight-bound */
	/* Decode on the prefill RM (6 lanes: 2 cycles a key and pass, split map:
	 * Q and K on HP0, V and O on HP1), 4 keys: 2 heads * (4 * 2 * 2 + 4) = 40
	 * cycles = 1.6 us against C0's 48 + 192 + 48 (HP0) + 192 + 48 + 48 (HP1)
	 * = 576 B = 1.152 us: compute-bound. */
	ck_assert(1.6e-6 > 576 / 0.5e9);
	rel_near("decode step on the prefill RM, 4 keys", perf_decode_step_on_s(&p, PERF_ENGINE_PREFILL, 4),
		 2 * (lin1 + 1.6e-6) + 10e-6, 1e-12);
	/* 64 keys: 2 * (64 * 4 + 4) = 520 cycles = 20.8 us against 6336 B = 12.672 us */
	rel_near("decode step on the prefill RM, 64 keys", perf_decode_step_on_s(&p, PERF_ENGINE_PREFILL, 64),
		 2 * (lin1 + 20.8e-6) + 10e-6, 1e-12);
	/* Prefill on the decode RM (12 lanes, kv2 map: Q preloaded 48/400e6 + 1 us,
	 * O written after, the same), query 1 against 1 key: Q.K, softmax and
	 * S.V 2 * (1 + 4) = 10 cycles = 0.4 us each, above their traffic on C0
	 * (48 B, 48 + 96 B): 1.12 + 3 * 0.4 + 1.12 = 3.44 us; query 2: 12 cycles
	 * = 0.48 us a pass (traffic 96 B, 192 B): 1.12 + 3 * 0.48 + 1.12 = 3.68 us.
	 * Linear layers of 2 tokens: 2 * 0.96 + 1.2 = 3.12 us (compute).  Prefill
	 * = 2 layers * (3.12 + 3.44 + 3.68) us. */
	double pre2 = 2 * (3.12e-6 + 3.44e-6 + 3.68e-6);
	rel_near("prefill of 2 on the decode RM", perf_prefill_on_s(&p, PERF_ENGINE_DECODE, 2), pre2, 1e-12);
	/* its bytes: weights 960, per query Q + O 96 and K/V appended 96, and
	 * the keys it reads: 1 + 2 of K and of V, 48 B each */
	perf_layer l = perf_prefill_layer_on(&p, PERF_ENGINE_DECODE, 2);
	rel_near("bytes of that layer", l.bytes, 960 + 2 * (96 + 96) + 3 * 2 * 48, 1e-12);
	/* the phase's own engine is the model of perf.h, bit for bit */
	ck_assert(perf_prefill_on_s(&p, PERF_ENGINE_PREFILL, 8) ==
		  p.w->layers * perf_prefill_layer(&p, 8, false).lin_s + p.w->layers * perf_prefill_layer(&p, 8, false).att_s);
	ck_assert(perf_decode_step_on_s(&p, PERF_ENGINE_DECODE, 9) == perf_decode_step_s(&p, 9));
	ck_assert(perf_decode_energy_on_j(&p, PERF_ENGINE_DECODE, 9) == perf_decode_energy_j(&p, 9));
	/* a static design has both engines: asking for the other changes nothing */
	perf_prepare(&p, &T, &TW, &base);
	ck_assert(perf_decode_step_on_s(&p, PERF_ENGINE_PREFILL, 9) == perf_decode_step_s(&p, 9));
	ck_assert(perf_prefill_on_s(&p, PERF_ENGINE_DECODE, 8) == perf_prefill_on_s(&p, PERF_ENGINE_PREFILL, 8));
	cfg_release(&T);
}
END_TEST

/* The DES's one-module runs agree with the analytic model where both
 * describe the same schedule (no weight prefetch), as des.c promises. */
START_TEST(des_other_engine_matches_analytic)
{
	design_t d = named(&C, "pdswap");
	perf_ctx p;
	perf_prepare(&p, &C, &W, &d);
	char err[512];
	des_result r, q;
	int Ls[3] = {1, 16, 200};
	for (int i = 0; i < 3; i++) {
		int L = Ls[i];
		des_opts o = {.no_prefetch = true, .hold = DES_HOLD_DECODE};
		ck_assert_msg(des_run(&C, &W, &d, L, 1, &o, &r, err, sizeof err) == 0, "%s", err);
		rel_near("prefill on the decode RM", r.f.prefill_s, perf_prefill_on_s(&p, PERF_ENGINE_DECODE, L), 0.03);
		ck_assert(r.f.swap_s == 0 && r.f.bitstream_bytes == 0);
		o.hold = DES_HOLD_PREFILL;
		ck_assert_msg(des_run(&C, &W, &d, L, 1, &o, &q, err, sizeof err) == 0, "%s", err);
		rel_near("decode on the prefill RM", q.f.decode_first_step_s,
			 perf_decode_step_on_s(&p, PERF_ENGINE_PREFILL, L + 1), 0.03);
		ck_assert(q.f.swap_s == 0);
		/* the prefill is the prefill RM's either way */
		des_result s;
		o.hold = DES_HOLD_PHASE;
		ck_assert(des_run(&C, &W, &d, L, 1, &o, &s, err, sizeof err) == 0);
		ck_assert(s.f.prefill_s == q.f.prefill_s && s.f.swap_s > 0);
	}
	/* step times add up to the decode phase */
	int64_t step[40];
	des_opts o = {.step_ps = step};
	ck_assert(des_run(&C, &W, &d, 30, 40, &o, &r, err, sizeof err) == 0);
	int64_t sum = 0;
	for (int i = 0; i < 40; i++) {
		ck_assert(step[i] > 0);
		sum += step[i];
	}
	rel_near("sum of the steps", sum * 1e-12, r.f.decode_s, 1e-9);
	/* a static design cannot keep one module */
	design_t t = named(&C, "tellme");
	o = (des_opts){.hold = DES_HOLD_PREFILL};
	ck_assert_int_eq(des_run(&C, &W, &t, 30, 2, &o, &r, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "static design"));
}
END_TEST

/* ---------------------------------------------------- per-request phases */

START_TEST(phases_equal_single_requests)
{
	design_t d = named(&C, "pdswap");
	perf_ctx p;
	perf_prepare(&p, &C, &W, &d);
	phases *an, *de;
	char err[512];
	ck_assert(phases_new(&an, &C, &W, &d, PHASES_ANALYTIC, err, sizeof err) == 0);
	ck_assert(phases_new(&de, &C, &W, &d, PHASES_DES, err, sizeof err) == 0);
	const int L[4] = {7, 64, 700, 1900}, N[4] = {1, 2, 40, 148};
	const des_hold hold[3] = {DES_HOLD_PHASE, DES_HOLD_PREFILL, DES_HOLD_DECODE};
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			for (int path = 0; path < PHASES_PATHS; path++) {
				phases_cost a, b;
				ck_assert(phases_cost_of(an, path, L[i], N[j], &a, err, sizeof err) == 0);
				ck_assert(phases_cost_of(de, path, L[i], N[j], &b, err, sizeof err) == 0);
				/* the analytic model: perf_run_eval, or the other engine's steps summed */
				double ttft, dec = 0;
				if (path == PHASES_DECODE)
					ttft = perf_prefill_on_s(&p, PERF_ENGINE_DECODE, L[i]) + C.cal.lm_head_s.value;
				else {
					figures f;
					perf_run_eval(&p, L[i], N[j] - 1, &f);
					ttft = f.ttft_s;
					if (path == PHASES_SWAP) {
						rel_near("swap", a.swap_ps * 1e-12, f.swap_s, 1e-9);
						rel_near("exposed swap", a.swap_exposed_ps * 1e-12 + 1e-300, f.swap_exposed_s + 1e-300, 1e-9);
					}
				}
				perf_engine e = path == PHASES_PREFILL ? PERF_ENGINE_PREFILL : PERF_ENGINE_DECODE;
				for (int k = 1; k < N[j]; k++)
					dec += perf_decode_step_on_s(&p, e, L[i] + k);
				rel_near("TTFT (analytic)", a.ttft_ps * 1e-12, ttft, 1e-9);
				ck_assert(fabs(a.decode_ps * 1e-12 - dec) <= N[j] * 1e-12);
				/* the DES: one run of the request, op by op */
				des_opts o = {.hold = hold[path]};
				des_result r;
				ck_assert(des_run(&C, &W, &d, L[i], N[j] - 1, &o, &r, err, sizeof err) == 0);
				rel_near("TTFT (DES)", b.ttft_ps * 1e-12, r.f.ttft_s, 1e-12);
				ck_assert(fabs(b.decode_ps * 1e-12 - r.f.decode_s) <= 1e-9 * r.f.decode_s + 1e-12);
				if (N[j] > 1)
					ck_assert(fabs(b.swap_exposed_ps * 1e-12 - r.f.swap_exposed_s) <= 1e-12);
			}
	/* a request beyond the context, and a static design's choice of module */
	phases_cost c;
	ck_assert_int_eq(phases_cost_of(an, PHASES_SWAP, 2000, 49, &c, err, sizeof err), PDS_FAIL);
	design_t t = named(&C, "tellme");
	phases *st;
	ck_assert(phases_new(&st, &C, &W, &t, PHASES_ANALYTIC, err, sizeof err) == 0);
	ck_assert_int_eq(phases_cost_of(st, PHASES_DECODE, 20, 20, &c, err, sizeof err), PDS_FAIL);
	ck_assert(phases_back_swap_ps(st) == 0);
	/* the back-swap: PCAP at idle DDR and the PS path */
	double bytes = engine_bitstream_bytes(&C, &C.arch.pblocks[d.rp]);
	rel_near("back-swap", phases_back_swap_ps(an) * 1e-12,
		 platform_pcap_idle_s(&C, bytes) + C.cal.swap_ps_ms.value * 1e-3, 1e-9);
	phases_free(st);
	phases_free(an);
	phases_free(de);
}
END_TEST

/* ------------------------------------------------------------ sessions */

/* Arrivals far apart: every request is served alone, as `simulate` runs it
 * (the back-swap hides in the idle time). */
START_TEST(isolated_requests_equal_simulate)
{
	design_t d = named(&C, "pdswap");
	perf_ctx p;
	perf_prepare(&p, &C, &W, &d);
	const cfg_session_wl *wl = wl_of("chat");
	size_t n;
	reqgen_req *req = draw(wl, 5, 40, &n);
	char err[512];
	for (int m = 0; m < 2; m++) {
		phases *ex, *pr;
		ck_assert(phases_new(&ex, &C, &W, &d, m ? PHASES_DES : PHASES_ANALYTIC, err, sizeof err) == 0);
		ck_assert(phases_new(&pr, &C, &W, &d, PHASES_ANALYTIC, err, sizeof err) == 0);
		session_opts o = opts_of(wl, SESSION_ALWAYS);
		o.rate_scale = 1e-4 / o.offered_rps; /* a request every ~3 h */
		session_rec rec[40];
		figures_session f;
		ck_assert_msg(session_run(ex, pr, req, n, &o, rec, &f, err, sizeof err) == 0, "%s", err);
		for (size_t i = 0; i < n; i++) {
			int L = req[i].prompt, N = req[i].output;
			double ttft, e2e;
			if (m == 0) {
				figures g;
				perf_run_eval(&p, L, N - 1, &g);
				ttft = g.ttft_s;
				e2e = N > 1 ? g.ttft_s + g.swap_exposed_s + g.decode_s : g.ttft_s;
			} else {
				des_result r;
				ck_assert(des_run(&C, &W, &d, L, N - 1, NULL, &r, err, sizeof err) == 0);
				ttft = r.f.ttft_s;
				e2e = N > 1 ? r.f.ttft_s + r.f.swap_exposed_s + r.f.decode_s : r.f.ttft_s;
			}
			rel_near("isolated TTFT", rec[i].ttft_s, ttft, 1e-9);
			rel_near("isolated e2e", rec[i].e2e_s, e2e, 1e-9);
			ck_assert(rec[i].wait_s == 0);
		}
		rel_near("no queue", f.mean_in_system * f.duration_s, f.e2e_s.mean * n, 1e-9);
		phases_free(ex);
		phases_free(pr);
	}
	free(req);
}
END_TEST

/* always: two swaps per request after the first; never: none. */
START_TEST(swaps_per_request)
{
	design_t d = named(&C, "pdswap");
	const cfg_session_wl *wl = wl_of("chat");
	size_t n;
	reqgen_req *req = draw(wl, 3, 300, &n);
	session_rec *rec = malloc(n * sizeof *rec);
	phases *ex;
	char err[512];
	ck_assert(phases_new(&ex, &C, &W, &d, PHASES_ANALYTIC, err, sizeof err) == 0);
	figures_session f;
	session_opts o = opts_of(wl, SESSION_ALWAYS);
	ck_assert(session_run(ex, ex, req, n, &o, rec, &f, err, sizeof err) == 0);
	ck_assert_int_eq(rec[0].swaps, 1);
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(rec[i].swaps == 2, "request %zu made %d swaps", i, rec[i].swaps);
	for (size_t i = 0; i < n; i++)
		ck_assert(rec[i].prefill_rm == SESSION_RM_PREFILL && rec[i].decode_rm == SESSION_RM_DECODE);
	ck_assert_int_eq(f.swaps, 2 * (int64_t)n - 1);
	/* starting on the decode RM, the first request swaps back first */
	o.start_decode = true;
	ck_assert(session_run(ex, ex, req, n, &o, rec, &f, err, sizeof err) == 0);
	ck_assert_int_eq(rec[0].swaps, 2);
	o = opts_of(wl, SESSION_NEVER);
	for (int s = 0; s < 2; s++) {
		o.start_decode = s;
		ck_assert(session_run(ex, ex, req, n, &o, rec, &f, err, sizeof err) == 0);
		ck_assert_int_eq(f.swaps, 0);
		ck_assert(f.swap_s == 0 && f.reconfig_share == 0);
		for (size_t i = 0; i < n; i++)
			ck_assert(rec[i].swaps == 0 && rec[i].prefill_rm == (s ? SESSION_RM_DECODE : SESSION_RM_PREFILL) &&
				  rec[i].decode_rm == rec[i].prefill_rm);
	}
	phases_free(ex);
	free(rec);
	free(req);
}
END_TEST

/*
 * A queue by hand on the tiny config: three requests of 8 + 4 tokens
 * arrive at once.  always: the first takes T (TTFT, the exposed swap and
 * 3 decode steps, perf_run_eval), the next waits T, swaps back (B), takes
 * T; never: each takes T' (its decode on the prefill RM).
 */
START_TEST(queue_by_hand)
{
	cfg_t T;
	char err[1024];
	ck_assert_msg(config_load(&T, TINY, err, sizeof err) == 0, "%s", err);
	workload_t TW;
	workload_init(&TW, &T.model);
	design_t d = named(&T, "swap");
	perf_ctx p;
	perf_prepare(&p, &T, &TW, &d);
	figures g;
	perf_run_eval(&p, 8, 3, &g);
	double t_a = g.ttft_s + g.swap_exposed_s + g.decode_s, t_n = g.ttft_s;
	for (int k = 1; k <= 3; k++)
		t_n += perf_decode_step_on_s(&p, PERF_ENGINE_PREFILL, 8 + k);
	double B = platform_pcap_idle_s(&T, engine_bitstream_bytes(&T, &T.arch.pblocks[d.rp])) +
		   T.cal.swap_ps_ms.value * 1e-3;
	phases *ex;
	ck_assert(phases_new(&ex, &T, &TW, &d, PHASES_ANALYTIC, err, sizeof err) == 0);
	reqgen_req req[3] = {{.prompt = 8, .output = 4}, {.prompt = 8, .output = 4}, {.prompt = 8, .output = 4}};
	session_opts o = {.policy = SESSION_ALWAYS, .rate_scale = 1, .offered_rps = 1, .slo_ttft_p90_s = 1,
			  .slo_tpot_p99_s = 1, .expect_prompt = 8, .expect_output = 4};
	session_rec r[3];
	figures_session f;
	ck_assert(session_run(ex, ex, req, 3, &o, r, &f, err, sizeof err) == 0);
	const double tol = 1e-11; /* a few ps of rounding */
	ck_assert(fabs(r[0].e2e_s - t_a) < tol && r[0].wait_s == 0);
	ck_assert(fabs(r[1].wait_s - t_a) < tol && fabs(r[1].e2e_s - (2 * t_a + B)) < tol);
	ck_assert(fabs(r[2].wait_s - (2 * t_a + B)) < tol && fabs(r[2].e2e_s - (3 * t_a + 2 * B)) < tol);
	ck_assert(fabs(r[2].swap_exposed_s - (B + g.swap_exposed_s)) < tol);
	ck_assert(fabs(r[1].ttft_s - (t_a + B + g.ttft_s)) < tol);
	rel_near("TPOT", r[0].tpot_s, (t_a - g.ttft_s) / 3, 1e-9);
	rel_near("duration", f.duration_s, 3 * t_a + 2 * B, 1e-9);
	rel_near("utilisation", f.utilisation, 1, 1e-9);
	/* mean number in the system: 3 until the first leaves, then 2, then 1 */
	rel_near("mean in the system", f.mean_in_system, (t_a * 3 + (t_a + B) * 2 + (t_a + B) * 1) / (3 * t_a + 2 * B),
		 1e-9);
	o.policy = SESSION_NEVER;
	ck_assert(session_run(ex, ex, req, 3, &o, r, &f, err, sizeof err) == 0);
	for (int k = 0; k < 3; k++) {
		ck_assert(fabs(r[k].wait_s - k * t_n) < tol);
		ck_assert(fabs(r[k].e2e_s - (k + 1) * t_n) < tol);
	}
	/* the second request arrives while an eager back-swap runs: it waits for the rest */
	reqgen_req two[2] = {{.arrival_s = 0, .prompt = 8, .output = 4}, {.arrival_s = t_a + B / 4, .prompt = 8, .output = 4}};
	o.policy = SESSION_ALWAYS;
	ck_assert(session_run(ex, ex, two, 2, &o, r, &f, err, sizeof err) == 0);
	ck_assert(r[1].wait_s == 0);
	ck_assert(fabs(r[1].swap_exposed_s - (0.75 * B + g.swap_exposed_s)) < tol);
	ck_assert(fabs(r[1].e2e_s - (0.75 * B + t_a)) < tol);
	phases_free(ex);
	cfg_release(&T);
}
END_TEST

/* Little's law on a long Poisson session: the time average of requests in
 * the system (kept by the event loop) is the arrival rate times the mean
 * e2e (over the requests). */
START_TEST(littles_law)
{
	design_t d = named(&C, "pdswap");
	cfg_session_wl wl = *wl_of("chat");
	wl.arrival = CFG_ARR_POISSON;
	wl.rate_rps = 0.2; /* about half the device */
	size_t n;
	reqgen_req *req = draw(&wl, 11, 30000, &n);
	phases *ex;
	char err[512];
	ck_assert(phases_new(&ex, &C, &W, &d, PHASES_ANALYTIC, err, sizeof err) == 0);
	for (int pol = 0; pol < 3; pol++) {
		session_opts o = opts_of(&wl, (session_policy)pol);
		figures_session f;
		ck_assert(session_run(ex, ex, req, n, &o, NULL, &f, err, sizeof err) == 0);
		ck_assert(f.utilisation > 0.3 && f.utilisation < 0.9);
		rel_near("L = lambda W (the rate asked for)", f.mean_in_system, wl.rate_rps * f.e2e_s.mean, 0.03);
		/* and exactly with the measured rate: the integral is the sum of the e2e times */
		rel_near("L = lambda W (measured rate)", f.mean_in_system, f.throughput_rps * f.e2e_s.mean, 1e-6);
	}
	phases_free(ex);
	free(req);
}
END_TEST

/* The capacity brackets the SLOs: met at it, missed just above. */
START_TEST(capacity_brackets_the_slos)
{
	const cfg_session_wl *wl = wl_of("chat");
	size_t n;
	reqgen_req *req = draw(wl, 2, 1000, &n);
	const char *names[2] = {"tellme", "pdswap"};
	const session_policy pol[2] = {SESSION_STATIC, SESSION_ALWAYS};
	char err[512];
	for (int k = 0; k < 2; k++) {
		design_t d = named(&C, names[k]);
		phases *ex;
		ck_assert(phases_new(&ex, &C, &W, &d, PHASES_ANALYTIC, err, sizeof err) == 0);
		session_opts o = opts_of(wl, pol[k]);
		double cap;
		ck_assert(session_capacity(ex, ex, req, n, &o, &cap, err, sizeof err) == 0);
		ck_assert_msg(cap > 0 && isfinite(cap), "capacity %g", cap);
		figures_session f;
		o.rate_scale = cap / o.offered_rps;
		ck_assert(session_run(ex, ex, req, n, &o, NULL, &f, err, sizeof err) == 0);
		ck_assert_msg(f.slo_met, "%s: the SLOs are missed at the capacity %g", names[k], cap);
		o.rate_scale = 1.01 * cap / o.offered_rps;
		ck_assert(session_run(ex, ex, req, n, &o, NULL, &f, err, sizeof err) == 0);
		ck_assert_msg(!f.slo_met, "%s: the SLOs are still met 1%% above the capacity %g", names[k], cap);
		phases_free(ex);
	}
	free(req);
}
END_TEST

/* The threshold policy is never worse than always and never on mean e2e,
 * for each shipped workload at fixed seeds. */
START_TEST(threshold_never_worse)
{
	design_t d = named(&C, "pdswap");
	char err[512];
	phases *ex;
	ck_assert(phases_new(&ex, &C, &W, &d, PHASES_ANALYTIC, err, sizeof err) == 0);
	ck_assert_int_ge(C.n_session_wl, 3);
	for (int w = 0; w < C.n_session_wl; w++)
		for (unsigned long seed = 1; seed <= 3; seed++) {
			const cfg_session_wl *wl = &C.session_wl[w];
			size_t n;
			reqgen_req *req = draw(wl, reqgen_seed(seed, wl->name), 1000, &n);
			double e2e[3];
			for (int pol = 0; pol < 3; pol++) {
				session_opts o = opts_of(wl, (session_policy)pol);
				figures_session f;
				ck_assert(session_run(ex, ex, req, n, &o, NULL, &f, err, sizeof err) == 0);
				e2e[pol] = f.e2e_s.mean;
			}
			ck_assert_msg(e2e[SESSION_THRESHOLD] <= e2e[SESSION_ALWAYS] * (1 + 1e-12) &&
					      e2e[SESSION_THRESHOLD] <= e2e[SESSION_NEVER] * (1 + 1e-12),
				      "%s seed %lu: threshold %.6g, always %.6g, never %.6g", wl->name, seed,
				      e2e[SESSION_THRESHOLD], e2e[SESSION_ALWAYS], e2e[SESSION_NEVER]);
			free(req);
		}
	phases_free(ex);
}
END_TEST

/*
 * The two models agree on every shipped workload within the stated
 * tolerance (README "Sessions"): mean e2e, mean TTFT and TPOT p50 within
 * 10% for every policy.
 */
START_TEST(analytic_and_des_agree)
{
	design_t d = named(&C, "pdswap"), s = named(&C, "tellme");
	char err[512];
	for (int w = 0; w < C.n_session_wl; w++) {
		sessions_spec sp;
		reqgen_trace t;
		ck_assert(sessions_spec_of(&C, &W, &C.session_wl[w], &sp, &t, err, sizeof err) == 0);
		sp.requests = 150;
		sp.threads = 2;
		sessions_result a, b;
		ck_assert_msg(sessions_run(&sp, &d, &s, sessions_all(MODE_DPR), &a, err, sizeof err) == 0, "%s", err);
		sp.model = PHASES_DES;
		ck_assert_msg(sessions_run(&sp, &d, &s, sessions_all(MODE_DPR), &b, err, sizeof err) == 0, "%s", err);
		ck_assert_int_eq(a.n_rows, 5);
		for (int k = 0; k < a.n_rows; k++) {
			const figures_session *x = &a.rows[k].f, *y = &b.rows[k].f;
			ck_assert_msg(fabs(y->e2e_s.mean / x->e2e_s.mean - 1) <= 0.10 &&
					      fabs(y->ttft_s.mean / x->ttft_s.mean - 1) <= 0.10 &&
					      fabs(y->tpot_s.p50 / x->tpot_s.p50 - 1) <= 0.10,
				      "%s %s: e2e %.4g / %.4g, TTFT %.4g / %.4g, TPOT %.4g / %.4g (DES / analytic)",
				      C.session_wl[w].name, session_policy_names[a.rows[k].policy], y->e2e_s.mean,
				      x->e2e_s.mean, y->ttft_s.mean, x->ttft_s.mean, y->tpot_s.p50, x->tpot_s.p50);
		}
		sessions_result_free(&a);
		sessions_result_free(&b);
	}
}
END_TEST

/* The same requests give the same bytes whatever the thread count. */
START_TEST(same_bytes_any_threads)
{
	design_t d = named(&C, "pdswap"), s = named(&C, "tellme");
	char err[512];
	sessions_spec sp;
	reqgen_trace t;
	ck_assert(sessions_spec_of(&C, &W, wl_of("chat"), &sp, &t, err, sizeof err) == 0);
	sp.requests = 400;
	sp.capacity = true;
	sp.records = true;
	sessions_result a, b;
	sp.threads = 1;
	ck_assert(sessions_run(&sp, &d, &s, sessions_all(MODE_DPR), &a, err, sizeof err) == 0);
	sp.threads = 4;
	ck_assert(sessions_run(&sp, &d, &s, sessions_all(MODE_DPR), &b, err, sizeof err) == 0);
	ck_assert_int_eq(a.n_rows, b.n_rows);
	for (int k = 0; k < a.n_rows; k++) {
		const figures_session *x = &a.rows[k].f, *y = &b.rows[k].f;
		ck_assert(x->requests == y->requests && x->swaps == y->swaps && x->e2e_s.p99 == y->e2e_s.p99 &&
			  x->ttft_s.mean == y->ttft_s.mean && x->tpot_s.p50 == y->tpot_s.p50 &&
			  x->capacity_rps == y->capacity_rps && x->energy_j == y->energy_j &&
			  x->mean_in_system == y->mean_in_system && x->goodput_rps == y->goodput_rps);
		for (size_t i = 0; i < a.n; i++)
			ck_assert(same_rec(&a.rows[k].rec[i], &b.rows[k].rec[i]));
	}
	sessions_result_free(&a);
	sessions_result_free(&b);
	sessions_cell *c1, *c2;
	long n1 = sessions_breakeven(&C, &W, &d, &s, PHASES_ANALYTIC, false, 1, &c1, err, sizeof err);
	long n2 = sessions_breakeven(&C, &W, &d, &s, PHASES_ANALYTIC, false, 3, &c2, err, sizeof err);
	ck_assert(n1 > 0 && n1 == n2);
	for (long k = 0; k < n1; k++)
		ck_assert(c1[k].policy == c2[k].policy && c1[k].prompt == c2[k].prompt && c1[k].output == c2[k].output &&
			  c1[k].e2e_s == c2[k].e2e_s && c1[k].energy_j == c2[k].energy_j &&
			  c1[k].static_e2e_s == c2[k].static_e2e_s && c1[k].static_energy_j == c2[k].static_energy_j);
	free(c1);
	free(c2);
}
END_TEST

/* Break-even cells by hand: back to back, always pays the back-swap and the
 * exposed swap every time, never decodes on the prefill RM, the static
 * design runs alone. */
START_TEST(breakeven_cells_by_hand)
{
	design_t d = named(&C, "pdswap"), s = named(&C, "tellme");
	perf_ctx p, q;
	perf_prepare(&p, &C, &W, &d);
	perf_prepare(&q, &C, &W, &s);
	char err[512];
	phases *ex, *sx;
	ck_assert(phases_new(&ex, &C, &W, &d, PHASES_ANALYTIC, err, sizeof err) == 0);
	ck_assert(phases_new(&sx, &C, &W, &s, PHASES_ANALYTIC, err, sizeof err) == 0);
	int L = 64, N = 16;
	figures g, h;
	perf_run_eval(&p, L, N - 1, &g);
	perf_run_eval(&q, L, N - 1, &h);
	double B = phases_back_swap_ps(ex) * 1e-12, dec_p = 0;
	for (int k = 1; k < N; k++)
		dec_p += perf_decode_step_on_s(&p, PERF_ENGINE_PREFILL, L + k);
	double e2e, e;
	ck_assert(session_breakeven_cell(ex, ex, SESSION_ALWAYS, false, L, N, &e2e, &e, NULL, err, sizeof err) == 0);
	rel_near("always", e2e, B + g.ttft_s + g.swap_exposed_s + g.decode_s, 1e-9);
	/* its energy: prefill, decode, and two swaps' DDR energy with p_idle over the waits */
	double ddr_j = C.cal.e_ddr_nj_per_kb.value * 1e-9 / 1024 * engine_bitstream_bytes(&C, &C.arch.pblocks[d.rp]);
	rel_near("always, energy", e,
		 g.energy_prefill_j + g.energy_j_per_token * (N - 1) + 2 * ddr_j + C.cal.p_idle_w.value * (B + g.swap_exposed_s),
		 1e-9);
	ck_assert(session_breakeven_cell(ex, ex, SESSION_NEVER, false, L, N, &e2e, &e, NULL, err, sizeof err) == 0);
	rel_near("never", e2e, g.ttft_s + dec_p, 1e-9);
	ck_assert(session_breakeven_cell(sx, sx, SESSION_STATIC, false, L, N, &e2e, &e, NULL, err, sizeof err) == 0);
	rel_near("static", e2e, h.ttft_s + h.decode_s, 1e-9);
	/* threshold: the least of the plans (its own choices are predicted with the same model) */
	double thr;
	ck_assert(session_breakeven_cell(ex, ex, SESSION_THRESHOLD, false, L, N, &thr, &e, NULL, err, sizeof err) == 0);
	double plans[3] = {B + g.ttft_s + g.swap_exposed_s + g.decode_s, g.ttft_s + dec_p,
			   perf_prefill_on_s(&p, PERF_ENGINE_DECODE, L) + C.cal.lm_head_s.value + g.decode_s};
	double best = fmin(plans[0], fmin(plans[1], plans[2]));
	rel_near("threshold", thr, best, 1e-9);
	phases_free(ex);
	phases_free(sx);
}
END_TEST

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The percentile of sorted v by hand: linear between ranks (n - 1) p. */
static double pct_by_hand(const double *v, size_t n, double p)
{
	double h = (n - 1) * p;
	size_t i = (size_t)floor(h);
	return i + 1 < n ? v[i] + (h - i) * (v[i + 1] - v[i]) : v[n - 1];
}

/* A session's distributions against its own records, sorted by qsort. */
START_TEST(percentiles_from_the_records)
{
	design_t d = named(&C, "pdswap");
	const cfg_session_wl *wl = wl_of("conversation");
	size_t n;
	reqgen_req *req = draw(wl, 9, 3001, &n);
	session_rec *rec = malloc(n * sizeof *rec);
	double *v = malloc(n * sizeof *v);
	phases *ex;
	char err[512];
	ck_assert(phases_new(&ex, &C, &W, &d, PHASES_ANALYTIC, err, sizeof err) == 0);
	session_opts o = opts_of(wl, SESSION_THRESHOLD);
	figures_session f;
	ck_assert(session_run(ex, ex, req, n, &o, rec, &f, err, sizeof err) == 0);
	for (int k = 0; k < 4; k++) {
		size_t m = 0;
		double sum = 0;
		for (size_t i = 0; i < n; i++) {
			double x = k == 0 ? rec[i].wait_s : k == 1 ? rec[i].ttft_s : k == 2 ? rec[i].e2e_s : rec[i].tpot_s;
			if (k == 3 && rec[i].output < 2)
				continue;
			v[m++] = x;
			sum += x;
		}
		qsort(v, m, sizeof *v, cmp_d);
		const figures_dist *g = k == 0 ? &f.wait_s : k == 1 ? &f.ttft_s : k == 2 ? &f.e2e_s : &f.tpot_s;
		rel_near("mean", g->mean, sum / m, 1e-12);
		ck_assert(g->p50 == pct_by_hand(v, m, 0.5) && g->p90 == pct_by_hand(v, m, 0.9));
		rel_near("p95", g->p95, pct_by_hand(v, m, 0.95), 1e-15);
		rel_near("p99", g->p99, pct_by_hand(v, m, 0.99), 1e-15);
	}
	int64_t swaps = 0, tokens = 0;
	double energy = 0;
	for (size_t i = 0; i < n; i++) {
		swaps += rec[i].swaps;
		tokens += rec[i].output;
		energy += rec[i].energy_j;
	}
	ck_assert(f.swaps == swaps && f.tokens == tokens);
	rel_near("energy per token", f.energy_j_per_token, energy / tokens, 1e-12);
	phases_free(ex);
	free(v);
	free(rec);
	free(req);
}
END_TEST

/*
 * objective.workload: the sweep chooses by the stated session figure.  The
 * chosen point's stored objective is the op-level DES figure of its
 * session, no other point it re-checked with the DES does better, and its
 * analytic figure is among the SWEEP_WL_DES best of its architecture's
 * candidates; without the key the same config chooses by Eq. 6.
 */
START_TEST(sweep_chooses_by_workload)
{
	cfg_t c;
	const char *set[] = {"session.requests", "120", "objective.l_short", "64\n  workload: chat\n  workload_figure: e2e_p99_s"};
	tu_load_set(&c, "wl.yaml", set, 2);
	ck_assert_str_eq(c.obj.workload, "chat");
	ck_assert_int_eq(c.obj.workload_figure, CFG_WLFIG_E2E_P99);
	char db[] = "/tmp/pdswap-wlobj-XXXXXX";
	int fd = mkstemp(db);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(db);
	store *st;
	char err[2600];
	ck_assert_msg(store_open(&st, db, err, sizeof err) == 0, "%s", err);
	sweep_opts so = {.threads = 2};
	sweep_result r;
	ck_assert_msg(sweep_run(&c, &W, st, &so, &r, err, sizeof err) == 0, "%s", err);
	ck_assert_int_ge(r.chosen, 0);
	ck_assert_int_eq(r.chosen, r.best[MODE_DPR]);
	/* the candidates as the sweep had them: the stored fronts within t_pre_max (DES TTFT) */
	sqlite3 *h = store_db(st);
	sqlite3_stmt *q;
	char sql[400];
	snprintf(sql, sizeof sql,
		 "SELECT f.point_id FROM v_pareto f JOIN v_metrics m ON m.run_id = f.run_id AND m.point_id = f.point_id"
		 " AND m.source = 'des' AND m.length = %d WHERE f.run_id = %lld AND m.ttft_s <= %.17g ORDER BY f.point_id",
		 c.obj.prompt, (long long)r.run_id, c.cons.t_pre_max_s);
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
	design_t *ds = malloc(4096 * sizeof *ds);
	int64_t *ids = malloc(4096 * sizeof *ids);
	size_t n = 0;
	while (sqlite3_step(q) == SQLITE_ROW && n < 4096) {
		ids[n] = sqlite3_column_int64(q, 0);
		ck_assert(store_get_design(st, &c, r.run_id, ids[n], &ds[n]) == 0);
		n++;
	}
	sqlite3_finalize(q);
	ck_assert(n > SWEEP_WL_DES);
	double *fa = malloc(n * sizeof *fa), des;
	ck_assert(sessions_figures(&c, &W, ds, n, PHASES_ANALYTIC, 2, fa, err, sizeof err) == 0);
	size_t ci = n;
	for (size_t i = 0; i < n; i++)
		if (ids[i] == r.chosen)
			ci = i;
	ck_assert_uint_lt(ci, n);
	ck_assert(sessions_figures(&c, &W, &ds[ci], 1, PHASES_DES, 1, &des, err, sizeof err) == 0);
	ck_assert_msg(des == r.best_objective[MODE_DPR], "stored %.17g, the DES session gives %.17g",
		      r.best_objective[MODE_DPR], des);
	int better = 0;
	for (size_t i = 0; i < n; i++)
		better += ds[i].mode == MODE_DPR && fa[i] < fa[ci];
	ck_assert_int_lt(better, SWEEP_WL_DES);
	/* the DES figure of every dpr point of better analytic figure is not lower */
	for (size_t i = 0; i < n; i++)
		if (ds[i].mode == MODE_DPR && fa[i] < fa[ci]) {
			double x;
			ck_assert(sessions_figures(&c, &W, &ds[i], 1, PHASES_DES, 1, &x, err, sizeof err) == 0);
			ck_assert(x >= des);
		}
	int64_t stored_chosen = tu_query_int(db, "SELECT point_id FROM v_chosen", -1);
	ck_assert_int_eq(stored_chosen, r.chosen);
	store_close(st);
	free(ds);
	free(ids);
	free(fa);
	/* without objective.workload: Eq. 6, whatever the workloads */
	cfg_t e;
	const char *set2[] = {"session.requests", "120"};
	tu_load_set(&e, "eq6.yaml", set2, 1);
	char db2[] = "/tmp/pdswap-eq6-XXXXXX";
	fd = mkstemp(db2);
	close(fd);
	unlink(db2);
	ck_assert(store_open(&st, db2, err, sizeof err) == 0);
	sweep_result r2;
	ck_assert(sweep_run(&e, &W, st, &so, &r2, err, sizeof err) == 0);
	design_t d2;
	ck_assert(store_get_design(st, &e, r2.run_id, r2.chosen, &d2) == 0);
	des_obj ob;
	ck_assert(des_objective(&e, &W, &d2, NULL, &ob, err, sizeof err) == 0);
	ck_assert(ob.objective == r2.best_objective[MODE_DPR]);
	store_close(st);
	for (int k = 0; k < 2; k++) {
		char x[64];
		const char *b = k ? db2 : db;
		const char *suf[4] = {"", "-wal", "-shm", ".lock"};
		for (int j = 0; j < 4; j++) {
			snprintf(x, sizeof x, "%s%s", b, suf[j]);
			unlink(x);
		}
	}
	cfg_release(&c);
	cfg_release(&e);
}
END_TEST

/* ---------------------------------------------------------------- traces */

static char *tmp_file(const char *name, const char *text)
{
	static char dir[64];
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/pdswap-trace-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(dir));
	}
	char *p = malloc(256);
	snprintf(p, 256, "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return p;
}

START_TEST(traces_read)
{
	char err[512];
	reqgen_trace t;
	char *v = tmp_file("v.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n1.5,100,20\r\n2.25,7,1\n\n4,3000,9\n");
	ck_assert_msg(reqtrace_read(v, &t, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(t.n, 3);
	ck_assert(t.t_s[0] == 0 && t.t_s[1] == 0.75 && t.t_s[2] == 2.5);
	ck_assert(t.prompt[0] == 100 && t.output[1] == 1 && t.prompt[2] == 3000);
	reqgen_trace_free(&t);
	char *a = tmp_file("a.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,4808,10\n"
				    "2023-11-16 18:15:47.0000000,374,14\n2023-11-17 00:00:00,12,3\n");
	ck_assert_msg(reqtrace_read(a, &t, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(t.n, 3);
	rel_near("Azure gap", t.t_s[1], 0.31941, 1e-9);
	/* across midnight: 5 h 44 min 13.31941 s after the first */
	rel_near("Azure day", t.t_s[2], 5 * 3600 + 44 * 60 + 13.31941, 1e-12);
	reqgen_trace_free(&t);
	char *j = tmp_file("j.jsonl", "{\"input_toks\": 5, \"output_toks\": 6, \"arrival_time_ns\": 1000000000}\n"
				      "{\"arrival_time_ns\": 3500000000, \"output_toks\": 2, \"input_toks\": 9}\n");
	ck_assert_msg(reqtrace_read(j, &t, err, sizeof err) == 0, "%s", err);
	ck_assert(t.n == 2 && t.t_s[1] == 2.5 && t.prompt[1] == 9 && t.output[0] == 6);
	double mp, mo;
	reqtrace_means(&t, &mp, &mo);
	ck_assert(mp == 7 && mo == 4);
	reqgen_trace_free(&t);
	free(v);
	free(a);
	free(j);
}
END_TEST

START_TEST(traces_refused)
{
	static const struct {
		const char *name, *text, *want;
	} bad[] = {
		{"missing.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5\n1,10\n",
		 ":3: 2 columns where the header names 3"},
		{"extra.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5,7\n", ":2: 4 columns"},
		{"nan.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,ten,5\n",
		 ":2: num_prefill_tokens must be a whole number of tokens, got 'ten'"},
		{"neg.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,-5\n",
		 ":2: num_decode_tokens must be 1 to 100000000 tokens, got -5"},
		{"zero.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,0,5\n",
		 ":2: ContextTokens must be 1 to 100000000 tokens, got 0"},
		{"negtime.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n-1,10,5\n", ":2: arrived_at must not be negative"},
		{"back.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5\n2,10,5\n1.5,10,5\n",
		 ":4: the arrival time goes backwards"},
		{"back.jsonl", "{\"input_toks\": 5, \"output_toks\": 6, \"arrival_time_ns\": 9}\n"
			       "{\"input_toks\": 5, \"output_toks\": 6, \"arrival_time_ns\": 8}\n",
		 ":2: the arrival time goes backwards"},
		{"empty.csv", "", ":1: the trace is empty"},
		{"header.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n", ":2: the trace holds no requests"},
		{"unknown.csv", "time,prompt,output\n0,1,1\n", ":1: unknown trace header 'time,prompt,output'"},
		{"stamp.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n16/11/2023,5,5\n", ":2: TIMESTAMP must be"},
		{"key.jsonl", "{\"input_toks\": 5, \"output_toks\": 6, \"arrival_time_ns\": 9, \"x\": 1}\n",
		 ":1: unknown key \"x\""},
		{"nokey.jsonl", "{\"input_toks\": 5, \"arrival_time_ns\": 9}\n", ":1: the object has no \"output_toks\""},
		{"float.jsonl", "{\"input_toks\": 5.5, \"output_toks\": 6, \"arrival_time_ns\": 9}\n",
		 ":1: \"input_toks\" must be an integer"},
		{"broken.jsonl", "{\"input_toks\": 5,\n", ":1: not a JSON object"},
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		char *p = tmp_file(bad[k].name, bad[k].text), err[600], want[400];
		reqgen_trace t;
		ck_assert_int_eq(reqtrace_read(p, &t, err, sizeof err), PDS_FAIL_REQUEST);
		snprintf(want, sizeof want, "%s%s", p, bad[k].want);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s: got '%s', want '%s...'", bad[k].name, err, want);
		ck_assert(t.n == 0 && t.t_s == NULL);
		free(p);
	}
	char err[600];
	reqgen_trace t;
	ck_assert_int_eq(reqtrace_read("/nonexistent/trace.csv", &t, err, sizeof err), PDS_FAIL_REQUEST);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/trace.csv: cannot open"));
}
END_TEST

/* ---------------------------------------------------------------- config */

/* Load the default config with `path` set to `value`; expect a failure
 * naming `needle` at the line and column of `at_text` in the value (NULL:
 * its start). */
static void refused_at(const char *path, const char *value, const char *at_text, const char *needle)
{
	char *b = tu_read(KV260, NULL);
	size_t at;
	char *o = tu_set(b, path, value, &at);
	if (at_text)
		at += (size_t)(strstr(value, at_text) - value);
	int line = 1, col = 1;
	for (size_t i = 0; i < at; i++) {
		if (o[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)o[i] & 0xC0) != 0x80) {
			col++;
		}
	}
	cfg_t c;
	char err[1024], want[128];
	ck_assert_msg(config_load_buffer(&c, "w.yaml", o, strlen(o), err, sizeof err) == -1, "%s = %s loaded", path, value);
	snprintf(want, sizeof want, "w.yaml:%d:%d: ", line, col);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0 && strstr(err, needle), "%s = %s: got '%s', want '%s...%s'",
		      path, value, err, want, needle);
	free(b);
	free(o);
}

START_TEST(workload_config_errors)
{
	refused_at("workloads.chat.arrival.rate", "0", NULL, "'workloads.chat.arrival.rate' must be a number in (0");
	refused_at("workloads.chat.arrival.rate", "-0.5", NULL, "'workloads.chat.arrival.rate' must be a number in (0");
	refused_at("workloads.code.arrival.cv", "0", NULL, "'workloads.code.arrival.cv' must be a number in (0");
	refused_at("workloads.chat.arrival.process", "weibull", NULL, "must be one of poisson, gamma, closed, trace");
	refused_at("workloads.conversation.output.lognormal", "{p99: 601, p50: 129}", "p50", "percentiles out of order: p50 after p99");
	refused_at("workloads.conversation.output.lognormal.p99", "100", NULL, "(100) must exceed the lower percentile p50 (129)");
	refused_at("workloads.chat.prompt.lognormal.sd", "-3", NULL, "'workloads.chat.prompt.lognormal.sd' must be a number in (0");
	refused_at("workloads.chat.prompt", "trace", NULL, "the workload names no 'trace' file");
	refused_at("workloads.chat.prompt", "{fixed: 0}", "0}", "'workloads.chat.prompt.fixed' must be an integer in [1,");
	refused_at("workloads.chat.output", "{uniform: [9, 3]}", "3]", "'workloads.chat.output.uniform[1]' must be an integer in [9,");
	refused_at("objective.alpha", "0.7\n  workload: nosuch", "nosuch", "'objective.workload' names 'nosuch'");
	refused_at("session.slo.ttft_p90_s", "0", NULL, "'session.slo.ttft_p90_s' must be a number in (0");
	/* a workload with percentiles loads with the lognormal they state */
	const cfg_session_wl *c = wl_of("conversation");
	ck_assert(c->output.kind == CFG_LEN_LOGNORMAL);
	rel_near("output median", exp(c->output.mu), 129, 1e-12);
	rel_near("output p99", exp(c->output.mu + 2.3263478740408408 * c->output.sigma), 601, 1e-9);
	rel_near("chat prompt mean", wl_of("chat")->prompt.mean, 19.67, 1e-12);
}
END_TEST

Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *t = tcase_create("streams");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, lognormal_fit_moments_and_percentiles);
	tcase_add_test(t, draws_follow_the_distributions);
	tcase_add_test(t, same_seed_same_requests);
	tcase_add_test(t, trim_and_refuse);
	tcase_add_test(t, traces_read);
	tcase_add_test(t, traces_refused);
	tcase_add_test(t, workload_config_errors);
	suite_add_tcase(s, t);
	TCase *m = tcase_create("phases");
	tcase_add_checked_fixture(m, setup, teardown);
	tcase_set_timeout(m, 300);
	tcase_add_test(m, tiny_other_engine_by_hand);
	tcase_add_test(m, des_other_engine_matches_analytic);
	tcase_add_test(m, phases_equal_single_requests);
	suite_add_tcase(s, m);
	TCase *q = tcase_create("sessions");
	tcase_add_checked_fixture(q, setup, teardown);
	tcase_set_timeout(q, 600);
	tcase_add_test(q, isolated_requests_equal_simulate);
	tcase_add_test(q, swaps_per_request);
	tcase_add_test(q, queue_by_hand);
	tcase_add_test(q, littles_law);
	tcase_add_test(q, capacity_brackets_the_slos);
	tcase_add_test(q, threshold_never_worse);
	tcase_add_test(q, analytic_and_des_agree);
	tcase_add_test(q, same_bytes_any_threads);
	tcase_add_test(q, breakeven_cells_by_hand);
	tcase_add_test(q, percentiles_from_the_records);
	tcase_add_test(q, sweep_chooses_by_workload);
	suite_add_tcase(s, q);
	return s;
}
