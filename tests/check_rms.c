/*
 * check_rms.c - the modules of one partition (models/rms.h and what uses
 * it): the paper's two modules written as a set give the figures of the
 * design that names none, bit for bit (the models, the DES, every policy
 * of a session, the break-even map); one hybrid module gives no swap and
 * the figures of the static design with the same engines; with a swap of
 * zero cost the N-module policy is never worse, request by request, than
 * any module kept for everything; with the longest swap the config allows
 * it never swaps; the context points are where the fastest decode module
 * changes (found here by scanning perf.h on each module's own design);
 * a mid-generation swap costs what the models say; the predicted rest of
 * an output against closed forms; the loader's refusals.
 *
 * The references are the two-engine models of perf.h and sim/des.h on
 * designs built here by hand, never the set code's own output.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "explore/factor.h"
#include "explore/sessions.h"
#include "explore/space.h"
#include "hls/emit.h"
#include "models/engine.h"
#include "models/perf.h"
#include "models/platform.h"
#include "models/rms.h"
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
	ck_assert_msg(i >= 0, "no design %s", n);
	return c->designs[i].d;
}

/* The paper's pair of d written as a set, by hand. */
static design_t as_pair(const design_t *d)
{
	design_t s = *d;
	memset(&s.rms, 0, sizeof s.rms);
	s.rms.n = 2;
	rm_t *a = &s.rms.rm[0], *b = &s.rms.rm[1];
	snprintf(a->name, sizeof a->name, "prefill");
	snprintf(b->name, sizeof b->name, "decode");
	a->engines = RM_ENG_PRE;
	b->engines = RM_ENG_DEC;
	a->serves = b->serves = RM_SERVE_PRE | RM_SERVE_DEC;
	a->pre_pe = d->pre_pe;
	a->pre_lanes = d->pre_lanes;
	a->pre_block = d->pre_block;
	a->pre_burst = d->pre_burst;
	a->pre_outstanding = d->pre_outstanding;
	a->pm_pre = d->pm_pre;
	b->dec_lanes = d->dec_lanes;
	b->dec_burst = d->dec_burst;
	b->dec_outstanding = d->dec_outstanding;
	b->pm_dec = d->pm_dec;
	b->dec_dataflow = d->dec_dataflow;
	return s;
}

/* One module holding both engines of d. */
static design_t as_hybrid(const design_t *d)
{
	design_t s = as_pair(d);
	s.rms.n = 1;
	rm_t h = s.rms.rm[0];
	h.engines = RM_ENG_PRE | RM_ENG_DEC;
	h.dec_lanes = d->dec_lanes;
	h.dec_burst = d->dec_burst;
	h.dec_outstanding = d->dec_outstanding;
	h.pm_dec = d->pm_dec;
	h.dec_dataflow = d->dec_dataflow;
	snprintf(h.name, sizeof h.name, "hybrid");
	s.rms.rm[0] = h;
	return s;
}

static bool same_figures(const figures *a, const figures *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

static bool same_rec(const session_rec *a, const session_rec *b)
{
	return a->prompt == b->prompt && a->output == b->output && a->trimmed == b->trimmed && a->arrival_s == b->arrival_s &&
	       a->wait_s == b->wait_s && a->ttft_s == b->ttft_s && memcmp(&a->tpot_s, &b->tpot_s, sizeof a->tpot_s) == 0 &&
	       a->e2e_s == b->e2e_s && a->swaps == b->swaps && a->swap_exposed_s == b->swap_exposed_s &&
	       a->energy_j == b->energy_j && a->prefill_rm == b->prefill_rm && a->decode_rm == b->decode_rm &&
	       a->n_dec == b->n_dec && memcmp(a->dec_seq, b->dec_seq, sizeof a->dec_seq[0] * (size_t)a->n_dec) == 0 &&
	       a->mid_swaps == b->mid_swaps;
}

static bool same_session(const figures_session *a, const figures_session *b)
{
	/* NaN fields (tpot of one-token sessions, capacity not sought) compare by their bits */
	return memcmp(a, b, sizeof *a) == 0;
}

/* ------------------------------------------------------ the paper's pair */

/* The per-length figures, one inference, the resources and the objective. */
START_TEST(pair_is_the_paper_in_the_models)
{
	const char *const names[2] = {"pdswap", "tellme"};
	for (int n = 0; n < 2; n++) {
		design_t d = named(&C, names[n]);
		design_t s = d.mode == MODE_DPR ? as_pair(&d) : d;
		perf_ctx p;
		perf_prepare(&p, &C, &W, &d);
		rms_ctx x;
		rms_prepare(&x, &C, &W, &s);
		ck_assert_int_eq(x.legacy, d.mode != MODE_DPR);
		for (int L = 1; L <= C.model.max_context; L += 37) {
			ck_assert(rms_ttft_s(&x, L) == perf_ttft_s(&p, L));
			ck_assert(rms_prefill_s(&x, L) == perf_prefill_s(&p, L));
			ck_assert(rms_decode_step_s(&x, L) == perf_decode_step_s(&p, L));
			ck_assert(rms_decode_energy_j(&x, L) == perf_decode_energy_j(&p, L));
		}
		const int lens[4][2] = {{1, 0}, {64, 1}, {768, 200}, {1900, 148}};
		for (int k = 0; k < 4; k++) {
			figures a, b;
			rms_plan pl;
			rms_plan_always(&x, lens[k][0], lens[k][1], &pl);
			memset(&a, 0, sizeof a);
			memset(&b, 0, sizeof b);
			perf_run_eval(&p, lens[k][0], lens[k][1], &a);
			rms_run_eval(&x, &pl, lens[k][0], lens[k][1], &b);
			ck_assert_msg(same_figures(&a, &b), "%s: one inference of %d + %d differs", names[n], lens[k][0],
				      lens[k][1]);
		}
		perf_res ra, rb;
		perf_resources(&p, &ra);
		rms_resources(&x, &rb);
		ck_assert(memcmp(&ra.r_total, &rb.r_total, sizeof ra.r_total) == 0 &&
			  memcmp(&ra.util_equiv, &rb.util_equiv, sizeof ra.util_equiv) == 0 && ra.feasible == rb.feasible);
		char wa[200], wb[200];
		ck_assert(perf_feasible(&p, wa, sizeof wa) == rms_feasible(&x, wb, sizeof wb));
		ck_assert_str_eq(wa, wb);
		ck_assert(perf_objective(&p) == rms_objective(&x));
	}
}
END_TEST

/* The pair as `rms:` in YAML loads to the set built by hand. */
START_TEST(pair_from_yaml)
{
	design_t d = named(&C, "pdswap");
	char text[2048];
	snprintf(text, sizeof text,
		 "  pdswap_set:\n"
		 "    mode: dpr\n"
		 "    clock_mhz: %d\n"
		 "    tlmm: {tables: %d, lanes: %d}\n"
		 "    rms:\n"
		 "      - {name: prefill, prefill: {pe: %d, lanes: %d, block: %d, burst_beats: %d, outstanding: %d,"
		 " port_map: %s}}\n"
		 "      - name: decode\n"
		 "        decode: {lanes: %d, burst_beats: %d, outstanding: %d, dataflow: %s, port_map: %s}\n"
		 "        serves: [decode, prefill]\n"
		 "    rp: %s\n"
		 "\ndesign_space:",
		 d.clock_mhz, d.tlmm_tables, d.tlmm_lanes, d.pre_pe, d.pre_lanes, d.pre_block, d.pre_burst,
		 d.pre_outstanding, C.arch.port_maps[d.pm_pre].name, d.dec_lanes, d.dec_burst, d.dec_outstanding,
		 dataflow_names[d.dec_dataflow], C.arch.port_maps[d.pm_dec].name, C.arch.pblocks[d.rp].name);
	const char *edit[2] = {"\ndesign_space:", text};
	cfg_t c;
	tu_load_edited(&c, "pair.yaml", edit, 1);
	design_t got = named(&c, "pdswap_set"), want = as_pair(&d);
	ck_assert_msg(memcmp(&got, &want, sizeof got) == 0, "the YAML set is not the hand-built pair");
	ck_assert(rms_is_pair(&got) && rms_is_pair(&d));
	cfg_release(&c);
}
END_TEST

/* The DES runs a plan of the pair's views as it runs des_opts.hold. */
START_TEST(pair_is_the_paper_in_the_des)
{
	design_t d = named(&C, "pdswap"), s = as_pair(&d);
	char err[512];
	const int lens[3][2] = {{1, 3}, {300, 40}, {1500, 2}};
	/* (prefill module, decode module) and the hold that runs it */
	const int pm[3][2] = {{0, 1}, {0, 0}, {1, 1}};
	const des_hold hold[3] = {DES_HOLD_PHASE, DES_HOLD_PREFILL, DES_HOLD_DECODE};
	for (int k = 0; k < 3; k++)
		for (int h = 0; h < 3; h++) {
			des_opts o = {.hold = hold[h]};
			des_result a, b;
			ck_assert_msg(des_run(&C, &W, &d, lens[k][0], lens[k][1], &o, &a, err, sizeof err) == 0, "%s", err);
			rms_plan pl = {.pre = pm[h][0], .n_seg = 1, .dec = {pm[h][1]}, .from = {lens[k][0] + 1}};
			ck_assert_msg(des_run_plan(&C, &W, &s, &pl, lens[k][0], lens[k][1], NULL, &b, err, sizeof err) == 0,
				      "%s", err);
			ck_assert_msg(same_figures(&a.f, &b.f) && a.events == b.events && a.swap_hidden_s == b.swap_hidden_s &&
					      memcmp(a.port_util, b.port_util, sizeof a.port_util) == 0 &&
					      memcmp(a.bytes, b.bytes, sizeof a.bytes) == 0,
				      "%d + %d, hold %d: the plan differs from the hold", lens[k][0], lens[k][1], h);
		}
}
END_TEST

/* Every policy on every shipped workload, with capacities, and the break-even map. */
START_TEST(pair_is_the_paper_in_sessions)
{
	design_t d = named(&C, "pdswap"), s = as_pair(&d), st = named(&C, "tellme");
	char err[600];
	for (int m = 0; m < 2; m++)
		for (int w = 0; w < C.n_session_wl; w++) {
			if (m == 1 && w > 0)
				break; /* the DES: one workload is enough */
			sessions_spec sp;
			reqgen_trace t;
			ck_assert(sessions_spec_of(&C, &W, &C.session_wl[w], &sp, &t, err, sizeof err) == 0);
			sp.requests = m ? 120 : 800;
			sp.model = m ? PHASES_DES : PHASES_ANALYTIC;
			sp.capacity = m == 0;
			sp.records = true;
			sp.threads = 2;
			sessions_result a, b;
			ck_assert_msg(sessions_run(&sp, &d, &st, sessions_all(MODE_DPR), &a, err, sizeof err) == 0, "%s", err);
			ck_assert_msg(sessions_run(&sp, &s, &st, sessions_all(MODE_DPR), &b, err, sizeof err) == 0, "%s", err);
			ck_assert_int_eq(a.n_rows, b.n_rows);
			for (int k = 0; k < a.n_rows; k++) {
				ck_assert_msg(same_session(&a.rows[k].f, &b.rows[k].f), "%s %s: the session differs",
					      C.session_wl[w].name, session_policy_names[a.rows[k].policy]);
				for (size_t i = 0; i < a.n; i++)
					ck_assert_msg(same_rec(&a.rows[k].rec[i], &b.rows[k].rec[i]), "%s %s: request %zu differs",
						      C.session_wl[w].name, session_policy_names[a.rows[k].policy], i);
			}
			ck_assert(a.model_threshold_prompt == b.model_threshold_prompt &&
				  a.model_threshold_gen == b.model_threshold_gen);
			sessions_result_free(&a);
			sessions_result_free(&b);
			reqgen_trace_free(&t);
		}
	sessions_cell *ca, *cb;
	long na = sessions_breakeven(&C, &W, &d, &st, PHASES_ANALYTIC, false, 2, &ca, err, sizeof err);
	long nb = sessions_breakeven(&C, &W, &s, &st, PHASES_ANALYTIC, false, 2, &cb, err, sizeof err);
	ck_assert(na > 0 && na == nb);
	for (long k = 0; k < na; k++)
		ck_assert(memcmp(&ca[k], &cb[k], sizeof ca[k]) == 0);
	free(ca);
	free(cb);
}
END_TEST

/* ---------------------------------------------------------- one hybrid */

/* One module of both engines: no swap under any policy, and the figures
 * of the static design with the same engines (whose power is theirs). */
START_TEST(hybrid_needs_no_swap)
{
	design_t d = named(&C, "pdswap"), h = as_hybrid(&d), st = d;
	st.mode = MODE_STATIC;
	st.rp = -1;
	memset(&st.rms, 0, sizeof st.rms);
	rms_ctx x;
	rms_prepare(&x, &C, &W, &h);
	perf_ctx p;
	perf_prepare(&p, &C, &W, &st);
	for (int L = 1; L < 1800; L += 101) {
		rms_plan pl;
		rms_plan_always(&x, L, 200, &pl);
		ck_assert(pl.pre == 0 && pl.dec[0] == 0 && pl.n_seg == 1);
		figures a, b;
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		rms_run_eval(&x, &pl, L, 200, &a);
		perf_run_eval(&p, L, 200, &b);
		ck_assert_msg(same_figures(&a, &b), "prompt %d: the hybrid is not the static design", L);
	}
	/* resources: the static region and both engines, in the pblock */
	perf_res r;
	rms_resources(&x, &r);
	for (int t = 0; t < RES_N; t++)
		ck_assert(r.r_total.v[t] == p.r_total.v[t]);
	char err[600];
	sessions_spec sp;
	reqgen_trace t;
	ck_assert(sessions_spec_of(&C, &W, &C.session_wl[1], &sp, &t, err, sizeof err) == 0);
	sp.requests = 400;
	sp.records = true;
	sessions_result a, b;
	ck_assert_msg(sessions_run(&sp, &h, NULL, sessions_all(MODE_DPR), &a, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(sessions_run(&sp, &st, NULL, sessions_all(MODE_STATIC), &b, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(a.n_rows, 4);
	for (int k = 0; k < a.n_rows; k++) {
		const figures_session *f = &a.rows[k].f;
		ck_assert_msg(f->swaps == 0 && f->swap_s == 0 && f->swaps_by_rm[0] == 0, "%s swaps",
			      session_policy_names[a.rows[k].policy]);
		ck_assert(f->e2e_s.mean == b.rows[0].f.e2e_s.mean && f->ttft_s.p99 == b.rows[0].f.ttft_s.p99 &&
			  f->energy_j == b.rows[0].f.energy_j);
		for (size_t i = 0; i < a.n; i++)
			ck_assert(a.rows[k].rec[i].e2e_s == b.rows[0].rec[i].e2e_s);
	}
	sessions_result_free(&a);
	sessions_result_free(&b);
	reqgen_trace_free(&t);
}
END_TEST

/* ------------------------------------------------------------ swap costs */

/*
 * tiny.yaml with a set of three modules (a prefill engine, a decode engine,
 * both) and, with `free_swap`, a swap that costs nothing: columns of no
 * configuration frames, no bitstream overhead, no PCAP setup, no PS path;
 * otherwise the longest PS path the config allows (100 s).
 */
static void tiny_set(cfg_t *c, bool free_swap)
{
	char *t = tu_read("tests/data/tiny.yaml", NULL);
	const char *edits[][2] = {
		{"designs:\n",
		 "designs:\n"
		 "  trio:\n"
		 "    mode: dpr\n"
		 "    clock_mhz: 100\n"
		 "    tlmm: {tables: 4, lanes: 8}\n"
		 "    rms:\n"
		 "      - {name: p, prefill: {pe: 4, lanes: 6, block: 3, burst_beats: 16, outstanding: 4, port_map: split}}\n"
		 "      - {name: d, decode: {lanes: 12, burst_beats: 16, outstanding: 4, port_map: kv2}}\n"
		 "      - name: h\n"
		 "        prefill: {pe: 2, lanes: 2, block: 3, burst_beats: 16, outstanding: 4, port_map: split}\n"
		 "        decode: {lanes: 4, burst_beats: 16, outstanding: 4, dataflow: serial, port_map: split}\n"
		 "    rp: RP\n"},
		{"bitstream_overhead_bytes: 1000", free_swap ? "bitstream_overhead_bytes: 0" : "bitstream_overhead_bytes: 1000"},
		{"frames_per_column: {clb: 10, int: 20, dsp: 5, bram_config: 2, bram_content: 8, uram: 4}",
		 free_swap ? "frames_per_column: {clb: 0, int: 0, dsp: 0, bram_config: 0, bram_content: 0, uram: 0}"
			   : "frames_per_column: {clb: 10, int: 20, dsp: 5, bram_config: 2, bram_content: 8, uram: 4}"},
		{"pcap_setup_ms:   {value: 0.1,     prov: assumed, range: [0.08, 0.12]",
		 free_swap ? "pcap_setup_ms:   {value: 0,       prov: assumed, range: [0, 0.12]"
			   : "pcap_setup_ms:   {value: 0.1,     prov: assumed, range: [0.08, 0.12]"},
		{"swap_ps_ms:      {value: 1,       prov: assumed, range: [0.8, 1.2]",
		 free_swap ? "swap_ps_ms:      {value: 0,       prov: assumed, range: [0, 1.2]"
			   : "swap_ps_ms:      {value: 100000,  prov: assumed, range: [0.8, 100000]"},
	};
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		char *at = strstr(t, edits[i][0]);
		ck_assert_msg(at != NULL, "'%s' not in tiny.yaml", edits[i][0]);
		char *u = tu_splice(t, (size_t)(at - t), (size_t)(at - t) + strlen(edits[i][0]), edits[i][1]);
		free(t);
		t = u;
	}
	char *at = strstr(t, "rp: RP");
	ck_assert(at != NULL);
	char *u = tu_splice(t, (size_t)(at - t), (size_t)(at - t) + 6, "rp: rp0");
	free(t);
	char err[1024];
	int rc = config_load_buffer(c, "tiny_set.yaml", u, strlen(u), err, sizeof err);
	free(u);
	ck_assert_msg(rc == 0, "%s", err);
}

static reqgen_req *tiny_requests(size_t n, unsigned long seed)
{
	reqgen_req *r = malloc(n * sizeof *r);
	ck_assert_ptr_nonnull(r);
	/* lengths spread over the context, arrivals close enough to queue */
	unsigned long x = seed;
	double t = 0;
	for (size_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ul + 1442695040888963407ul;
		int L = 1 + (int)((x >> 33) % 100);
		x = x * 6364136223846793005ul + 1442695040888963407ul;
		int N = 1 + (int)((x >> 33) % (uint64_t)(128 - L));
		x = x * 6364136223846793005ul + 1442695040888963407ul;
		t += (double)((x >> 33) % 1000) * 1e-6;
		r[i] = (reqgen_req){.arrival_s = t, .prompt = L, .output = N};
	}
	return r;
}

/* With a swap that costs nothing, the oracle's every request ends no later
 * than with any module kept for everything (the never policy from it). */
START_TEST(free_swap_never_worse)
{
	cfg_t c;
	tiny_set(&c, true);
	workload_t w;
	workload_init(&w, &c.model);
	design_t d = named(&c, "trio");
	char err[512];
	phases *ex;
	ck_assert_msg(phases_new(&ex, &c, &w, &d, PHASES_ANALYTIC, err, sizeof err) == 0, "%s", err);
	ck_assert(phases_back_swap_ps(ex) == 0);
	enum { N = 400 };
	reqgen_req *req = tiny_requests(N, 3);
	session_rec best[N], fixed[N];
	session_opts o = {.policy = SESSION_ORACLE, .rate_scale = 1, .offered_rps = 500, .expect_prompt = 50,
			  .expect_output = 30, .slo_ttft_p90_s = 1, .slo_tpot_p99_s = 1};
	figures_session f;
	ck_assert_msg(session_run(ex, ex, req, N, &o, best, &f, err, sizeof err) == 0, "%s", err);
	int64_t swaps = f.swaps;
	for (int m = 0; m < 3; m++) {
		session_opts q = o;
		q.policy = SESSION_NEVER;
		q.start_module_given = true;
		q.start_module = m;
		ck_assert_msg(session_run(ex, ex, req, N, &q, fixed, &f, err, sizeof err) == 0, "%s", err);
		ck_assert_int_eq(f.swaps, 0);
		for (int i = 0; i < N; i++)
			ck_assert_msg(best[i].e2e_s <= fixed[i].e2e_s, "module %d, request %d (%d + %d): %.12g > %.12g", m, i,
				      req[i].prompt, req[i].output, best[i].e2e_s, fixed[i].e2e_s);
	}
	ck_assert_msg(swaps > 0, "the free swaps were never taken");
	phases_free(ex);
	free(req);
	cfg_release(&c);
}
END_TEST

/* With the longest swap the config allows, the model's policies never swap. */
START_TEST(costly_swap_never_taken)
{
	cfg_t c;
	tiny_set(&c, false);
	workload_t w;
	workload_init(&w, &c.model);
	design_t d = named(&c, "trio");
	char err[512];
	phases *ex;
	ck_assert_msg(phases_new(&ex, &c, &w, &d, PHASES_ANALYTIC, err, sizeof err) == 0, "%s", err);
	ck_assert(phases_back_swap_ps(ex) >= (int64_t)100e12);
	enum { N = 300 };
	reqgen_req *req = tiny_requests(N, 5);
	for (int pol = SESSION_THRESHOLD; pol <= SESSION_ORACLE; pol++)
		for (int start = 0; start < 3; start++) {
			session_opts o = {.policy = (session_policy)pol, .rate_scale = 1, .offered_rps = 500,
					  .expect_prompt = 50, .expect_output = 30, .slo_ttft_p90_s = 1, .slo_tpot_p99_s = 1,
					  .start_module_given = true, .start_module = start};
			figures_session f;
			ck_assert_msg(session_run(ex, ex, req, N, &o, NULL, &f, err, sizeof err) == 0, "%s", err);
			ck_assert_msg(f.swaps == 0, "%s from module %d: %lld swaps", session_policy_names[pol], start,
				      (long long)f.swaps);
		}
	/* always swaps regardless: the paper's flow */
	session_opts o = {.policy = SESSION_ALWAYS, .rate_scale = 1, .offered_rps = 500, .expect_prompt = 50,
			  .expect_output = 30, .slo_ttft_p90_s = 1, .slo_tpot_p99_s = 1};
	figures_session f;
	ck_assert(session_run(ex, ex, req, N, &o, NULL, &f, err, sizeof err) == 0);
	ck_assert(f.swaps > 0);
	phases_free(ex);
	free(req);
	cfg_release(&c);
}
END_TEST

/* -------------------------------------------------------- context points */

/* The points are where the decode module of least step changes, scanning
 * each module's own two-engine design with perf.h. */
START_TEST(context_points_by_scan)
{
	cfg_t c;
	tiny_set(&c, false);
	workload_t w;
	workload_init(&w, &c.model);
	design_t d = named(&c, "trio");
	/* the modules built for decode: d (decode engine) and h (both) */
	design_t vd = d, vh = d;
	vd.dec_lanes = 12;
	vd.pm_dec = cfg_find_portmap(&c, "kv2");
	vd.dec_dataflow = DF_SERIAL;
	memset(&vd.rms, 0, sizeof vd.rms);
	vh.mode = MODE_STATIC;
	vh.rp = -1;
	vh.pre_pe = 2;
	vh.pre_lanes = 2;
	vh.dec_lanes = 4;
	vh.pm_dec = cfg_find_portmap(&c, "split");
	memset(&vh.rms, 0, sizeof vh.rms);
	perf_ctx pd, ph;
	perf_prepare(&pd, &c, &w, &vd);
	perf_prepare(&ph, &c, &w, &vh);
	int want[16], want_mod[16], n = 0, cur = -1;
	for (int k = 1; k <= c.model.max_context; k++) {
		double a = perf_decode_step_s(&pd, k), b = perf_decode_step_s(&ph, k);
		int best = b < a ? 2 : 1;
		if (cur >= 0 && best != cur && n < 16) {
			want[n] = k;
			want_mod[n++] = best;
		}
		cur = best;
	}
	rms_ctx x;
	rms_prepare(&x, &c, &w, &d);
	int got = rms_points(&x);
	ck_assert_int_eq(got, n < RMS_MAX_POINTS ? n : RMS_MAX_POINTS);
	for (int i = 0; i < got; i++)
		ck_assert(x.point[i] == want[i] && x.point_mod[i] == want_mod[i]);
	cfg_release(&c);
}
END_TEST

/* A mid-generation swap: the analytic model stalls for the back-swap's
 * whole duration; the DES overlaps the step's tail and LM head and stalls
 * for the rest, which the step after it shows. */
START_TEST(mid_generation_swap)
{
	/* a short PS path, so that the DES can hide part of the swap */
	cfg_t c;
	tiny_set(&c, false);
	workload_t w;
	workload_init(&w, &c.model);
	design_t d = named(&c, "trio");
	*cfg_slot(&c, CAL_swap_ps_ms) = 0.05;
	rms_ctx x;
	rms_prepare(&x, &c, &w, &d);
	const int L = 10, gen = 20, at = 21; /* decode on d, then h from 21 keys */
	rms_plan pl = {.pre = 0, .n_seg = 2, .dec = {1, 2}, .from = {L + 1, at}};
	figures f;
	rms_run_eval(&x, &pl, L, gen, &f);
	double stall = platform_pcap_idle_s(&c, engine_bitstream_bytes(&c, &c.arch.pblocks[d.rp])) + 0.05e-3;
	ck_assert_int_eq(f.mid_swaps, 1);
	ck_assert(fabs(f.mid_swap_s - stall) <= 1e-15);
	double steps = 0;
	for (int k = L + 1; k <= L + gen; k++)
		steps += rms_step_on_s(&x, k < at ? 1 : 2, k);
	ck_assert(fabs(f.decode_s - (steps + stall)) <= 1e-12 * f.decode_s);
	/* the DES: the step before the swap runs on d, the one after on h,
	 * and the wait between them is the swap less what it overlapped */
	char err[512];
	int64_t step[gen];
	des_opts o = {.step_ps = step};
	des_result r;
	ck_assert_msg(des_run_plan(&c, &w, &d, &pl, L, gen, &o, &r, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(r.mid_swaps, 1);
	ck_assert(r.mid_swap_s > 0 && r.mid_swap_exposed_s > 0 && r.mid_swap_exposed_s < r.mid_swap_s);
	/* the waits are what decode took beyond its steps */
	double sum = 0;
	for (int i = 0; i < gen; i++)
		sum += step[i] * 1e-12;
	ck_assert_msg(fabs(r.f.decode_s - sum - r.mid_swap_exposed_s) <= 1e-9, "decode %.9g = steps %.9g + wait %.9g?",
		      r.f.decode_s, sum, r.mid_swap_exposed_s);
	ck_assert(r.f.mid_swap_s == r.mid_swap_exposed_s && r.f.mid_swaps == 1);
	/* what the swap overlapped: the step's last-layer tail (O and the FFN
	 * of one token, the analytic model's roofline) and its LM head */
	const perf_ctx *b = &x.base;
	double lc = b->lin_post_tok_s + b->lin_post_depth_s, tail = lc > b->w_post_s ? lc : b->w_post_s;
	double hidden = r.mid_swap_s - r.mid_swap_exposed_s, want = tail + c.cal.lm_head_s.value;
	/* within 5% and one round-trip latency (the DES adds one per transfer) */
	ck_assert_msg(fabs(hidden - want) <= 0.05 * want + c.cal.ddr_latency_ns.value * 1e-9,
		      "the swap hid %.9g s behind work, the tail and LM head take %.9g s", hidden, want);
	cfg_release(&c);
}
END_TEST

/* -------------------------------------------------- the rest of an output */

START_TEST(rest_of_output)
{
	enum { M = 2048 };
	double rest[M + 1];
	char err[256];
	cfg_session_wl wl = {.name = "t"};
	/* fixed: exactly what is left */
	wl.output = (cfg_lendist){.kind = CFG_LEN_FIXED, .fixed = 100};
	ck_assert(reqgen_rest_output(&wl, NULL, M, rest, err, sizeof err) == 0);
	for (int n = 0; n < 100; n++)
		ck_assert(fabs(rest[n] - (100 - n)) < 1e-9);
	/* uniform on [lo, hi]: the mean of what is left, (max(lo, n + 1) + hi) / 2 - n */
	wl.output = (cfg_lendist){.kind = CFG_LEN_UNIFORM, .lo = 10, .hi = 50};
	ck_assert(reqgen_rest_output(&wl, NULL, M, rest, err, sizeof err) == 0);
	for (int n = 0; n < 50; n++) {
		int lo = n + 1 > 10 ? n + 1 : 10;
		ck_assert_msg(fabs(rest[n] - ((lo + 50) / 2.0 - n)) < 1e-9, "n %d: %g", n, rest[n]);
	}
	/* lognormal: a memoryless-looking tail grows, against a sum over the
	 * rounded lengths' probabilities done here in long double */
	double mu = 4, sg = 1;
	wl.output = (cfg_lendist){.kind = CFG_LEN_LOGNORMAL, .mu = mu, .sigma = sg};
	ck_assert(reqgen_rest_output(&wl, NULL, M, rest, err, sizeof err) == 0);
	for (int n = 0; n < 400; n += 57) {
		long double s = 0, t = 0;
		for (int k = n + 1; k < M; k++) {
			double a = k == 1 ? 0 : 0.5 * erfc(-(log(k - 0.5) - mu) / (sg * sqrt(2)));
			double b = k == M - 1 ? 1 : 0.5 * erfc(-(log(k + 0.5) - mu) / (sg * sqrt(2)));
			s += b - a;
			t += (long double)k * (b - a);
		}
		ck_assert_msg(fabs(rest[n] - (double)(t / s - n)) <= 1e-6 * rest[n], "n %d: %g vs %Lg", n, rest[n],
			      t / s - n);
	}
	ck_assert(rest[300] > rest[0] * 0.9);
}
END_TEST

/* ------------------------------------------------ shortcuts of the planner */

/* The module of least time for a phase by brute force: those built for it,
 * or any that serves it when none is; the first listed on a tie. */
static int least_module(const rms_ctx *x, bool decode, int len)
{
	bool any_built = false;
	for (int k = 0; k < x->set.n; k++)
		any_built |= rms_built_for(&x->set.rm[k], decode);
	int best = -1;
	double bt = 0;
	for (int k = 0; k < x->set.n; k++) {
		const rm_t *m = &x->set.rm[k];
		if (!(any_built ? rms_built_for(m, decode) : rms_serves(m, decode)))
			continue;
		double t = decode ? rms_step_on_s(x, k, len) : rms_ttft_on_s(x, k, len);
		if (best < 0 || t < bt) {
			best = k;
			bt = t;
		}
	}
	return best;
}

/* The predicted time of a plan as the session counts it: to the last token. */
static int64_t plan_ps(phases *t, const rms_plan *pl, int L, int N)
{
	phases_cost c;
	char err[256];
	ck_assert_msg(phases_plan_cost(t, pl, L, N, &c, err, sizeof err) == 0, "%s", err);
	return c.ttft_ps + (N > 1 || c.swap_ps > 0 ? c.swap_exposed_ps : 0) + (N > 1 ? c.decode_ps : 0);
}

/*
 * The planner's shortcuts against the long way: the cached module of each
 * length against a brute-force argmin over the set (twice: filling the
 * cache, then from it); the cost of a plan of one decode module against the
 * same plan cut in two at a point with that module on both sides (no swap)
 * and against the steps summed here; the decode plan of a request with no
 * context point in reach against every first decode module tried; the
 * paper's flow in a session against rms_plan_always request by request.
 */
START_TEST(planner_shortcuts)
{
	cfg_t c;
	tiny_set(&c, false);
	*cfg_slot(&c, CAL_swap_ps_ms) = 0.05; /* swaps worth taking */
	workload_t w;
	workload_init(&w, &c.model);
	char err[512];
	design_t sets[2] = {named(&c, "trio"), as_pair(&c.designs[cfg_find_design(&c, "trio")].d)};
	/* the pair from trio's own engines: p's prefill, d's decode */
	rm_t *pr = &sets[1].rms.rm[0], *dr = &sets[1].rms.rm[1];
	*pr = sets[0].rms.rm[0];
	*dr = sets[0].rms.rm[1];
	const int maxc = c.model.max_context;
	for (int si = 0; si < 2; si++) {
		const design_t *d = &sets[si];
		rms_ctx x;
		rms_prepare(&x, &c, &w, d);
		phases *t;
		ck_assert_msg(phases_new(&t, &c, &w, d, PHASES_ANALYTIC, err, sizeof err) == 0, "%s", err);
		for (int pass = 0; pass < 2; pass++)
			for (int len = 1; len <= maxc + 1; len++)
				for (int dec = 0; dec < 2; dec++)
					ck_assert_msg(phases_best_module(t, dec, len) == least_module(&x, dec, len),
						      "set %d, %s of %d: module %d, brute force %d", si, dec ? "decode" : "prefill",
						      len, phases_best_module(t, dec, len), least_module(&x, dec, len));
		if (si == 1)
			for (int len = 1; len <= maxc; len++)
				ck_assert(phases_best_module(t, false, len) == 0 && phases_best_module(t, true, len) == 1);

		/* one decode module: the whole decode, the same cut in two, the steps by hand */
		for (int L = 1; L < maxc - 3; L += 7)
			for (int N = 3; L + N <= maxc; N += 11)
				for (int a = 0; a < d->rms.n; a++)
					for (int b = 0; b < d->rms.n; b++) {
						if (!rms_serves(&d->rms.rm[a], false) || !rms_serves(&d->rms.rm[b], true))
							continue;
						int last = L + N - 1;
						rms_plan one = {.pre = a, .n_seg = 1, .dec = {b}, .from = {L + 1}};
						rms_plan cut = {.pre = a, .n_seg = 2, .dec = {b, b}, .from = {L + 1, L + 1 + N / 2}};
						rms_plan past = {.pre = a, .n_seg = 2, .dec = {b, (b + 1) % d->rms.n}, .from = {L + 1, last + 1}};
						phases_cost p1, p2, p3;
						ck_assert(phases_plan_cost(t, &one, L, N, &p1, err, sizeof err) == 0);
						ck_assert(phases_plan_cost(t, &cut, L, N, &p2, err, sizeof err) == 0);
						ck_assert(phases_plan_cost(t, &past, L, N, &p3, err, sizeof err) == 0);
						int64_t steps = 0;
						for (int k = L + 1; k <= last; k++)
							steps += llround(rms_step_on_s(&x, b, k) * 1e12);
						ck_assert_msg(p1.decode_ps == steps && p2.decode_ps == steps && p3.decode_ps == steps,
							      "%d + %d on %d/%d: %lld, cut %lld, past %lld, by hand %lld", L, N, a, b,
							      (long long)p1.decode_ps, (long long)p2.decode_ps, (long long)p3.decode_ps,
							      (long long)steps);
						ck_assert(p1.mid_swaps == 0 && p2.mid_swaps == 0 && p3.mid_swaps == 0);
						ck_assert(fabs(p1.energy_j - p2.energy_j) <= 1e-12 * p1.energy_j &&
							  p1.energy_j == p3.energy_j && p1.ttft_ps == p2.ttft_ps &&
							  p1.swap_exposed_ps == p2.swap_exposed_ps);
					}

		/* requests with no context point in reach: the least of every first decode module */
		int np = rms_points(&x);
		int checked = 0;
		for (int L = 1; L < maxc - 1; L += 3)
			for (int N = 1; L + N <= maxc; N += 5) {
				int last = L + N - 1;
				bool reach = false;
				for (int i = 0; i < np; i++)
					reach |= x.point[i] > L + 1 && x.point[i] <= last;
				if (reach)
					continue;
				for (int a = 0; a < d->rms.n; a++) {
					if (!rms_serves(&d->rms.rm[a], false))
						continue;
					int want = -1;
					int64_t wt = 0;
					for (int i = -1; i < d->rms.n; i++) {
						int k = i < 0 ? a : i;
						const rm_t *m = &d->rms.rm[k];
						if (i >= 0 && k == a)
							continue;
						if (k == a ? !rms_serves(m, true) : !rms_built_for(m, true))
							continue;
						rms_plan q = {.pre = a, .n_seg = 1, .dec = {k}, .from = {L + 1}};
						int64_t v = plan_ps(t, &q, L, N);
						if (want < 0 || v < wt) {
							want = k;
							wt = v;
						}
					}
					rms_plan pl;
					ck_assert_msg(session_decode_plan(t, a, L, N, &pl, err, sizeof err) == 0, "%s", err);
					ck_assert_msg(pl.pre == a && pl.n_seg == 1 && pl.dec[0] == want,
						      "set %d, %d + %d from %d: decode on %d (%d segments), brute force %d", si, L, N, a,
						      pl.dec[0], pl.n_seg, want);
					checked++;
				}
			}
		ck_assert(checked > 20);

		/* the paper's flow in a session: the modules of rms_plan_always */
		enum { NR = 200 };
		reqgen_req *req = tiny_requests(NR, 11);
		session_rec rec[NR];
		session_opts o = {.policy = SESSION_ALWAYS, .rate_scale = 1, .offered_rps = 500, .expect_prompt = 50,
				  .expect_output = 30, .slo_ttft_p90_s = 1, .slo_tpot_p99_s = 1};
		figures_session f;
		ck_assert_msg(session_run(t, t, req, NR, &o, rec, &f, err, sizeof err) == 0, "%s", err);
		for (int i = 0; i < NR; i++) {
			rms_plan pl;
			rms_plan_always(&x, req[i].prompt, req[i].output - 1, &pl);
			ck_assert_msg(rec[i].prefill_rm == pl.pre && (req[i].output == 1 || rec[i].decode_rm == pl.dec[0]),
				      "set %d, request %d (%d + %d): modules %d/%d, the paper's flow %d/%d", si, i, req[i].prompt,
				      req[i].output, rec[i].prefill_rm, rec[i].decode_rm, pl.pre, pl.dec[0]);
		}
		free(req);
		phases_free(t);
	}
	cfg_release(&c);
}
END_TEST

/* ---------------------------------------------------------------- refusals */

START_TEST(set_config_errors)
{
	const char *const cases[][3] = {
		/* a module without an engine */
		{"    rp: rp_m\n\ndesign_space:",
		 "    rp: rp_m\n  bad1:\n    mode: dpr\n    clock_mhz: 250\n    tlmm: {tables: 28, lanes: 8}\n"
		 "    rms:\n      - {name: x}\n    rp: rp_m\n\ndesign_space:",
		 "holds no engine"},
		/* five modules */
		{"    rp: rp_m\n\ndesign_space:",
		 "    rp: rp_m\n  bad2:\n    mode: dpr\n    clock_mhz: 250\n    tlmm: {tables: 28, lanes: 8}\n    rms:\n"
		 "      - {name: a, decode: {lanes: 8, burst_beats: 16, outstanding: 4, port_map: qkvo}}\n"
		 "      - {name: b, decode: {lanes: 8, burst_beats: 16, outstanding: 4, port_map: qkvo}}\n"
		 "      - {name: c, decode: {lanes: 8, burst_beats: 16, outstanding: 4, port_map: qkvo}}\n"
		 "      - {name: d, decode: {lanes: 8, burst_beats: 16, outstanding: 4, port_map: qkvo}}\n"
		 "      - {name: e, decode: {lanes: 8, burst_beats: 16, outstanding: 4, port_map: qkvo}}\n"
		 "    rp: rp_m\n\ndesign_space:",
		 "must list 1 to 4 modules, got 5"},
		/* no prefill engine anywhere */
		{"    rp: rp_m\n\ndesign_space:",
		 "    rp: rp_m\n  bad3:\n    mode: dpr\n    clock_mhz: 250\n    tlmm: {tables: 28, lanes: 8}\n    rms:\n"
		 "      - {name: a, decode: {lanes: 8, burst_beats: 16, outstanding: 4, port_map: qkvo}}\n"
		 "    rp: rp_m\n\ndesign_space:",
		 "holds no prefill engine"},
		/* a repeated module name */
		{"    rp: rp_m\n\ndesign_space:",
		 "    rp: rp_m\n  bad4:\n    mode: dpr\n    clock_mhz: 250\n    tlmm: {tables: 28, lanes: 8}\n    rms:\n"
		 "      - {name: a, decode: {lanes: 8, burst_beats: 16, outstanding: 4, port_map: qkvo}}\n"
		 "      - {name: a, prefill: {pe: 4, lanes: 4, block: 4, burst_beats: 16, outstanding: 4, port_map: qkvo}}\n"
		 "    rp: rp_m\n\ndesign_space:",
		 "repeats the module name 'a'"},
		/* engines beside rms */
		{"    rp: rp_m\n\ndesign_space:",
		 "    rp: rp_m\n  bad5:\n    mode: dpr\n    clock_mhz: 250\n    tlmm: {tables: 28, lanes: 8}\n"
		 "    decode: {lanes: 8, burst_beats: 16, outstanding: 4}\n    rms:\n"
		 "      - {name: a, prefill: {pe: 4, lanes: 4, block: 4, burst_beats: 16, outstanding: 4, port_map: qkvo},"
		 " decode: {lanes: 8, burst_beats: 16, outstanding: 4, port_map: qkvo}}\n"
		 "    rp: rp_m\n\ndesign_space:",
		 "'designs.bad5.decode' does not go with 'designs.bad5.rms'"},
		/* a static design with modules */
		{"    rp: rp_m\n\ndesign_space:",
		 "    rp: rp_m\n  bad6:\n    mode: static\n    clock_mhz: 250\n    tlmm: {tables: 28, lanes: 8}\n    rms:\n"
		 "      - {name: a, prefill: {pe: 4, lanes: 4, block: 4, burst_beats: 16, outstanding: 4, port_map: qkvo},"
		 " decode: {lanes: 8, burst_beats: 16, outstanding: 4, port_map: qkvo}}\n\ndesign_space:",
		 "is only for mode 'dpr'"},
		/* a phase no module serves */
		{"    rp: rp_m\n\ndesign_space:",
		 "    rp: rp_m\n  bad7:\n    mode: dpr\n    clock_mhz: 250\n    tlmm: {tables: 28, lanes: 8}\n    rms:\n"
		 "      - {name: a, prefill: {pe: 4, lanes: 4, block: 4, burst_beats: 16, outstanding: 4, port_map: qkvo},"
		 " decode: {lanes: 8, burst_beats: 16, outstanding: 4, port_map: qkvo}, serves: [prefill]}\n"
		 "    rp: rp_m\n\ndesign_space:",
		 "no module serves decode"},
		/* an unknown phase, an unknown port map */
		{"    rp: rp_m\n\ndesign_space:",
		 "    rp: rp_m\n  bad8:\n    mode: dpr\n    clock_mhz: 250\n    tlmm: {tables: 28, lanes: 8}\n    rms:\n"
		 "      - {name: a, prefill: {pe: 4, lanes: 4, block: 4, burst_beats: 16, outstanding: 4, port_map: qkvo},"
		 " decode: {lanes: 8, burst_beats: 16, outstanding: 4, port_map: qkvo}, serves: [both]}\n"
		 "    rp: rp_m\n\ndesign_space:",
		 "must be 'prefill' or 'decode', got 'both'"},
		{"    rp: rp_m\n\ndesign_space:",
		 "    rp: rp_m\n  bad9:\n    mode: dpr\n    clock_mhz: 250\n    tlmm: {tables: 28, lanes: 8}\n    rms:\n"
		 "      - {name: a, prefill: {pe: 4, lanes: 4, block: 4, burst_beats: 16, outstanding: 4, port_map: qkvo},"
		 " decode: {lanes: 8, burst_beats: 16, outstanding: 4, port_map: nope}}\n"
		 "    rp: rp_m\n\ndesign_space:",
		 "'designs.bad9.rms[0].decode.port_map' names 'nope', which is not a defined port map"},
		{"  bitstream_store_mib: 32", "  bitstream_store_mib: 0", "'constraints.bitstream_store_mib'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text = tu_edit(cases[i][0], cases[i][1]);
		cfg_t c;
		char err[1024];
		int rc = config_load_buffer(&c, "bad.yaml", text, strlen(text), err, sizeof err);
		free(text);
		ck_assert_msg(rc != 0, "case %zu loaded", i);
		ck_assert_msg(strstr(err, cases[i][2]) != NULL, "case %zu: '%s' does not say '%s'", i, err, cases[i][2]);
		ck_assert_msg(strncmp(err, "bad.yaml:", 9) == 0, "case %zu: '%s' has no position", i, err);
	}
}
END_TEST

/* ------------------------------------------------------- the sweep's sets */

/* tiny.yaml with a space of sets: the pair, one hybrid, and the pair with
 * an extra module of four sizes (prefill and decode), and with `tight`
 * constraints that reject much of it (a small bitstream store included). */
static void tiny_space(cfg_t *c, bool tight)
{
	char *t = tu_read("tests/data/tiny.yaml", NULL);
	const char *edits[][2] = {
		{"  pblocks: [rp0]\n",
		 "  pblocks: [rp0, rp1]\n"
		 "  rm_sets: [[prefill, decode], [hybrid], [prefill, decode, x], [decode, prefill, y]]\n"
		 "  rm_modules:\n"
		 "    x: {prefill: {pe: [2, 8], lanes: 2, block: 3, port_map: split},\n"
		 "        decode: {lanes: [4, 12], port_map: [split], dataflow: head_pipeline}}\n"
		 "    y: {decode: {lanes: [2, 12], port_map: [split, kv2]}, serves: [decode]}\n"},
		{"    - {name: rp0, clb_tiles: 20, dsp_tiles: 3, bram_tiles: 4, uram_sites: 4}\n",
		 "    - {name: rp0, clb_tiles: 20, dsp_tiles: 3, bram_tiles: 4, uram_sites: 4}\n"
		 "    - {name: rp1, clb_tiles: 40, dsp_tiles: 6, bram_tiles: 10, uram_sites: 5}\n"},
		{"  prefill_lanes: [1, 6]", "  prefill_lanes: [1, 2, 6]"},
		{"  t_pre_max_s: 1.0", tight ? "  t_pre_max_s: 0.00006\n  bitstream_store_mib: 0.3" : "  t_pre_max_s: 1.0"},
	};
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		char *at = strstr(t, edits[i][0]);
		ck_assert_msg(at != NULL, "'%s' not in tiny.yaml", edits[i][0]);
		char *u = tu_splice(t, (size_t)(at - t), (size_t)(at - t) + strlen(edits[i][0]), edits[i][1]);
		free(t);
		t = u;
	}
	char err[1024];
	int rc = config_load_buffer(c, "tiny_space.yaml", t, strlen(t), err, sizeof err);
	free(t);
	ck_assert_msg(rc == 0, "%s", err);
}

/* Every point of a space of sets, factorised (point by point and chunk by
 * chunk) against the set model itself on the point's design. */
static void sets_by_brute_force(bool tight)
{
	cfg_t c;
	tiny_space(&c, tight);
	ck_assert_int_eq(c.space.n_rm_shapes, 1 + 1 + 4 + 4);
	workload_t w;
	workload_init(&w, &c.model);
	space_t s;
	space_init(&s, &c);
	factor *f = factor_new(&c, &w, &s);
	ck_assert_ptr_nonnull(f);
	const factor_layout *L = factor_get_layout(f);
	double v[FACTOR_MAX_TP + 4], m[2 * FACTOR_MAX_CTX];
	int64_t n_feas = 0, by[4] = {0, 0, 0, 0};
	double *want = malloc((size_t)s.n_points * (size_t)L->n_obj * sizeof *want);
	int *status = malloc((size_t)s.n_points * sizeof *status);
	ck_assert(want && status);
	for (int64_t id = 0; id < s.n_points; id++) {
		design_t d;
		ck_assert_int_eq(space_design(&s, id, &d), 0);
		rms_ctx x;
		rms_prepare(&x, &c, &w, &d);
		double *u = want + id * L->n_obj;
		for (int i = 0; i < L->n_tp; i++)
			u[i] = rms_ttft_s(&x, L->tp[i]);
		u[L->o_short] = rms_decode_step_s(&x, c.obj.l_short);
		u[L->o_long] = rms_decode_step_s(&x, c.obj.l_long);
		u[L->o_energy] = c.obj.alpha * rms_decode_energy_j(&x, c.obj.l_long) +
				 (1 - c.obj.alpha) * rms_decode_energy_j(&x, c.obj.l_short);
		perf_res r;
		rms_resources(&x, &r);
		u[L->o_lut] = r.r_total.v[RES_LUT];
		char why[200];
		bool feas = rms_feasible(&x, why, sizeof why);
		status[id] = feas ? FACTOR_FEASIBLE : !r.feasible ? FACTOR_REJECTED : FACTOR_SLOW;
		by[status[id]]++;
		n_feas += feas;
		int st = factor_point(f, id, v, m);
		ck_assert_msg(st == status[id], "point %lld: factorised %d, the set model %d (%s)", (long long)id, st,
			      status[id], why);
		ck_assert_msg(memcmp(v, u, (size_t)L->n_obj * sizeof *v) == 0, "point %lld: the vectors differ", (long long)id);
		for (int j = 0; j < L->n_ctx; j++)
			ck_assert(m[2 * j] == rms_decode_step_s(&x, L->ctx[j]) && m[2 * j + 1] == rms_decode_energy_j(&x, L->ctx[j]));
	}
	/* the chunks: exactly the feasible points, with the same vectors, and
	 * every point counted once under its first failed constraint */
	factor_scratch *fx = factor_scratch_new();
	factor_buf b = {0};
	factor_counts cnt = {0};
	for (int64_t k = 0; k < s.n_chunks; k++)
		ck_assert_int_eq(factor_chunk(f, fx, k, &b, &cnt, NULL), 0);
	ck_assert_int_eq((int64_t)b.n, n_feas);
	ck_assert_int_eq(cnt.points, s.n_points);
	ck_assert_int_eq(cnt.feasible, n_feas);
	ck_assert_int_eq(cnt.too_slow, by[FACTOR_SLOW]);
	ck_assert_int_eq(cnt.over_cap + cnt.no_fit, by[FACTOR_REJECTED]);
	for (size_t i = 0; i < b.n; i++) {
		ck_assert(status[b.id[i]] == FACTOR_FEASIBLE);
		ck_assert(memcmp(b.v + i * (size_t)L->n_obj, want + b.id[i] * L->n_obj, (size_t)L->n_obj * sizeof *b.v) == 0);
	}
	ck_assert_msg(n_feas > 0 && (!tight || (by[FACTOR_SLOW] > 0 && by[FACTOR_REJECTED] > 0)),
		      "the space should hold points of each kind: %lld feasible, %lld rejected, %lld slow",
		      (long long)n_feas, (long long)by[FACTOR_REJECTED], (long long)by[FACTOR_SLOW]);
	factor_buf_release(&b);
	factor_scratch_free(fx);
	factor_free(f);
	free(want);
	free(status);
	cfg_release(&c);
}

START_TEST(sweep_sets_by_brute_force)
{
	sets_by_brute_force(false);
	sets_by_brute_force(true);
}
END_TEST

/* Without rm_sets the ids, the designs and the factorised figures are
 * those of the pair alone; rm_sets of the pair alone change no figure. */
START_TEST(sweep_pair_set_is_the_space)
{
	cfg_t a, b;
	const char *sets = "  rm_sets: [[prefill, decode], [hybrid], [prefill, decode, short]]\n  rm_modules:\n"
			   "    short: {prefill: {pe: 4, lanes: 4, block: 4, port_map: qkvo}, decode: {lanes: [8, 16], port_map: qkvo}}\n";
	const char *none[2] = {sets, ""}, *pair[2] = {sets, "  rm_sets: [[prefill, decode]]\n"};
	tu_load_edited(&a, "nosets.yaml", none, 1);
	tu_load_edited(&b, "pairset.yaml", pair, 1);
	ck_assert(a.space.n_rm_shapes == 0 && b.space.n_rm_shapes == 1);
	workload_t w;
	workload_init(&w, &a.model);
	space_t sa, sb;
	space_init(&sa, &a);
	space_init(&sb, &b);
	ck_assert_int_eq(sa.n_points, sb.n_points);
	ck_assert_int_eq(sa.m[0].radix[SK_RMSET], 1);
	factor *fa = factor_new(&a, &w, &sa), *fb = factor_new(&b, &w, &sb);
	const factor_layout *L = factor_get_layout(fa);
	double va[FACTOR_MAX_TP + 4], vb[FACTOR_MAX_TP + 4];
	for (int64_t id = 0; id < sa.n_points; id += 7919) {
		design_t da, db;
		space_design(&sa, id, &da);
		space_design(&sb, id, &db);
		ck_assert(da.rms.n == 0 && (db.mode == MODE_STATIC ? db.rms.n == 0 : rms_is_pair(&db) && db.rms.n == 2));
		ck_assert_int_eq(factor_point(fa, id, va, NULL), factor_point(fb, id, vb, NULL));
		ck_assert(memcmp(va, vb, (size_t)L->n_obj * sizeof *va) == 0);
	}
	factor_free(fa);
	factor_free(fb);
	cfg_release(&a);
	cfg_release(&b);
}
END_TEST

/* ---------------------------------------------------------- headers */

/* The value of `#define name` in text (its first word after the name), or NULL. */
static const char *hdr_val(const char *text, const char *name, char *buf, size_t len)
{
	char pat[80];
	snprintf(pat, sizeof pat, "#define %s ", name);
	const char *at = strstr(text, pat);
	if (!at)
		return NULL;
	at += strlen(pat);
	while (*at == ' ')
		at++;
	size_t n = 0;
	while (at[n] && at[n] != ' ' && at[n] != '\n' && n + 1 < len)
		n++;
	memcpy(buf, at, n);
	buf[n] = '\0';
	return buf;
}

static long hdr_int(const char *text, const char *name)
{
	char b[64];
	ck_assert_msg(hdr_val(text, name, b, sizeof b), "no #define %s", name);
	char *e;
	long v = strtol(b, &e, 10);
	ck_assert_msg(!*e, "%s is '%s', not an integer", name, b);
	return v;
}

/* One header per module, each with its own engines' values; the shared
 * DDR layout over every module's port maps; a design that names no set
 * keeps its four headers, and the module headers of another design
 * emitted into the same directory go. */
START_TEST(a_header_per_module)
{
	design_t d = named(&C, "pdswap_ctx");
	ck_assert_int_eq(emit_headers(&d), EMIT_N_HEADERS + d.rms.n);
	emit_meta m;
	emit_meta_init(&m, &C, &d, "pdswap_ctx", -1, -1);
	char *t[EMIT_MAX_HEADERS], err[1024];
	ck_assert_msg(emit_render_all(&C, &d, &m, t, err, sizeof err) == 0, "%s", err);
	for (int k = 0; k < d.rms.n; k++) {
		const rm_t *rm = &d.rms.rm[k];
		const char *h = t[EMIT_N_HEADERS + k];
		ck_assert_ptr_nonnull(h);
		ck_assert_int_eq(hdr_int(h, "PDS_RM_INDEX"), k);
		ck_assert_int_eq(hdr_int(h, "PDS_RM_COUNT"), d.rms.n);
		bool pre = rm->engines & RM_ENG_PRE, dec = rm->engines & RM_ENG_DEC;
		ck_assert_int_eq(hdr_int(h, "PDS_RM_HAS_PREFILL"), pre);
		ck_assert_int_eq(hdr_int(h, "PDS_RM_HAS_DECODE"), dec);
		char b[64];
		ck_assert((hdr_val(h, "PDS_PRE_NPE", b, sizeof b) != NULL) == pre);
		ck_assert((hdr_val(h, "PDS_DEC_LANES", b, sizeof b) != NULL) == dec);
		if (pre) {
			ck_assert_int_eq(hdr_int(h, "PDS_PRE_NPE"), rm->pre_pe);
			ck_assert_int_eq(hdr_int(h, "PDS_PRE_LANES"), rm->pre_lanes);
			ck_assert_int_eq(hdr_int(h, "PDS_PRE_BLOCK"), rm->pre_block);
			ck_assert_int_eq(hdr_int(h, "PDS_PRE_CHUNKS"), (C.model.head_dim + rm->pre_lanes - 1) / rm->pre_lanes);
			ck_assert_int_eq(hdr_int(h, "PDS_PRE_K_PORTS"), __builtin_popcount(C.arch.port_maps[rm->pm_pre].pm.k));
		}
		if (dec) {
			ck_assert_int_eq(hdr_int(h, "PDS_DEC_LANES"), rm->dec_lanes);
			ck_assert_int_eq(hdr_int(h, "PDS_DEC_DATAFLOW"), rm->dec_dataflow);
			ck_assert_int_eq(hdr_int(h, "PDS_DEC_K_PORTS"), __builtin_popcount(C.arch.port_maps[rm->pm_dec].pm.k));
			ck_assert_int_eq(hdr_int(h, "PDS_DEC_Q_PRELOAD"), C.arch.port_maps[rm->pm_dec].pm.q_preload);
		}
	}
	/* K and V: one port (qkvo) and two (kv2x2) among the modules: two slices */
	ck_assert_int_eq(hdr_int(t[0], "PDS_K_SLICES"), 2);
	ck_assert_int_eq(hdr_int(t[0], "PDS_V_SLICES"), 2);
	for (int i = 0; i < EMIT_MAX_HEADERS; i++)
		free(t[i]);
	/* into one directory: the set's headers, then the pair's four */
	const char *dir = "build/test_rms_hls";
	ck_assert_msg(emit_write(&C, &d, &m, dir, err, sizeof err) == 0, "%s", err);
	ck_assert(access("build/test_rms_hls/pds_rm2.h", F_OK) == 0);
	design_t p = named(&C, "pdswap");
	ck_assert_int_eq(emit_headers(&p), EMIT_N_HEADERS);
	emit_meta_init(&m, &C, &p, "pdswap", -1, -1);
	ck_assert_msg(emit_write(&C, &p, &m, dir, err, sizeof err) == 0, "%s", err);
	for (int k = 0; k < RMS_MAX; k++) {
		char f[64];
		snprintf(f, sizeof f, "build/test_rms_hls/pds_rm%d.h", k);
		ck_assert_msg(access(f, F_OK) != 0, "%s is left from the set", f);
	}
	char *four[EMIT_N_HEADERS];
	ck_assert(emit_render(&C, &p, &m, four, err, sizeof err) == 0);
	for (int i = 0; i < EMIT_N_HEADERS; i++) {
		char f[128];
		snprintf(f, sizeof f, "%s/%s", dir, emit_header_names[i]);
		char *got = tu_read(f, NULL);
		ck_assert_str_eq(got, four[i]);
		free(got);
	}
	emit_texts_free(four);
}
END_TEST

Suite *rms_suite(void)
{
	Suite *s = suite_create("rms");
	TCase *t = tcase_create("rms");
	tcase_set_timeout(t, 600);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, pair_is_the_paper_in_the_models);
	tcase_add_test(t, pair_from_yaml);
	tcase_add_test(t, pair_is_the_paper_in_the_des);
	tcase_add_test(t, pair_is_the_paper_in_sessions);
	tcase_add_test(t, hybrid_needs_no_swap);
	tcase_add_test(t, free_swap_never_worse);
	tcase_add_test(t, costly_swap_never_taken);
	tcase_add_test(t, context_points_by_scan);
	tcase_add_test(t, mid_generation_swap);
	tcase_add_test(t, rest_of_output);
	tcase_add_test(t, planner_shortcuts);
	tcase_add_test(t, set_config_errors);
	tcase_add_test(t, sweep_sets_by_brute_force);
	tcase_add_test(t, sweep_pair_set_is_the_space);
	tcase_add_test(t, a_header_per_module);
	suite_add_tcase(s, t);
	return s;
}
