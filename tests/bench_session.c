/*
 * bench_session.c - speed of sessions on the published PD-Swap design:
 * the request-level session with the analytic model's phase times (warm
 * caches, one thread: requests simulated per second per core, the best of
 * a few runs, on the short-chat workload and the others), and the op-level
 * DES session from cold caches (wall time per request); then the same
 * request-level session on the config's first design of more than two
 * modules (the N-module policies, context points included).  Prints
 * "name: value" lines for tests/bench.sh.
 *
 * usage: bench_session CONFIG [REQUESTS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "explore/sessions.h"
#include "models/common.h"
#include "sim/phases.h"
#include "sim/reqgen.h"
#include "sim/session.h"

static int fail(const char *err)
{
	fprintf(stderr, "bench_session: %s\n", err);
	return 1;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "configs/kv260.yaml";
	size_t n = argc > 2 ? (size_t)atol(argv[2]) : 100000;
	cfg_t c;
	char err[1024];
	if (config_load(&c, path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	workload_t w;
	workload_init(&w, &c.model);
	int di = cfg_find_design(&c, c.has_meas ? c.meas.dpr_design : "pdswap");
	if (di < 0)
		return fail("no dpr design to run");
	const design_t *d = &c.designs[di].d;
	for (int k = 0; k < c.n_session_wl; k++) {
		const cfg_session_wl *wl = &c.session_wl[k];
		if (wl->trace[0])
			continue;
		reqgen_req *req = malloc(n * sizeof *req);
		if (!req)
			return fail("out of memory");
		reqgen_counts cnt;
		long m = reqgen_make(wl, NULL, c.model.max_context, wl->refuse_over_context,
				     reqgen_seed(c.session.seed, wl->name), n, req, &cnt, err, sizeof err);
		if (m < 0)
			return fail(err);
		phases *ex;
		if (phases_new(&ex, &c, &w, d, PHASES_ANALYTIC, err, sizeof err))
			return fail(err);
		double best = 0;
		for (int pol = SESSION_ALWAYS; pol <= SESSION_THRESHOLD; pol++) {
			session_opts o = {.policy = (session_policy)pol, .closed = wl->arrival == CFG_ARR_CLOSED,
					  .rate_scale = 1, .offered_rps = reqgen_rate_rps(wl, NULL),
					  .expect_prompt = wl->prompt.mean, .expect_output = wl->output.mean,
					  .slo_ttft_p90_s = wl->slo_ttft_p90_s, .slo_tpot_p99_s = wl->slo_tpot_p99_s};
			figures_session f;
			double rate = 0;
			for (int run = 0; run < 4; run++) { /* the first fills the caches */
				double t0 = common_now_s();
				if (session_run(ex, ex, req, (size_t)m, &o, NULL, &f, err, sizeof err))
					return fail(err);
				double r = m / (common_now_s() - t0);
				if (run > 0 && r > rate)
					rate = r;
			}
			printf("session_requests_per_s_%s_%s: %.0f\n", wl->name, session_policy_names[pol], rate);
			if (pol == SESSION_ALWAYS || rate < best)
				best = rate;
		}
		/* the headline: the short-chat workload, the slowest of the policies */
		if (strcmp(wl->name, "chat") == 0)
			printf("session_requests_per_s: %.0f\n", best);
		phases_free(ex);
		free(req);

		/* the op-level DES session, cold: every phase replayed op by op */
		sessions_spec sp;
		reqgen_trace t;
		if (sessions_spec_of(&c, &w, wl, &sp, &t, err, sizeof err))
			return fail(err);
		sp.model = PHASES_DES;
		sp.requests = 200;
		sp.threads = 1;
		sessions_result r;
		double t0 = common_now_s();
		if (sessions_run(&sp, d, NULL, 1u << SESSION_ALWAYS, &r, err, sizeof err))
			return fail(err);
		double per = (common_now_s() - t0) / (double)r.n;
		printf("des_session_s_per_request_%s: %.6f\n", wl->name, per);
		if (strcmp(wl->name, "chat") == 0)
			printf("des_session_s_per_request: %.6f\n", per);
		sessions_result_free(&r);
	}
	/* a design of more than two modules: always, never, threshold and oracle */
	int si = -1;
	for (int i = 0; i < c.n_designs && si < 0; i++)
		if (c.designs[i].d.mode == MODE_DPR && c.designs[i].d.rms.n > 2)
			si = i;
	for (int k = 0; si >= 0 && k < c.n_session_wl; k++) {
		const cfg_session_wl *wl = &c.session_wl[k];
		if (wl->trace[0])
			continue;
		reqgen_req *req = malloc(n * sizeof *req);
		double *rest = malloc(((size_t)c.model.max_context + 1) * sizeof *rest);
		if (!req || !rest)
			return fail("out of memory");
		reqgen_counts cnt;
		long m = reqgen_make(wl, NULL, c.model.max_context, wl->refuse_over_context,
				     reqgen_seed(c.session.seed, wl->name), n, req, &cnt, err, sizeof err);
		if (m < 0 || reqgen_rest_output(wl, NULL, c.model.max_context, rest, err, sizeof err))
			return fail(err);
		phases *ex;
		if (phases_new(&ex, &c, &w, &c.designs[si].d, PHASES_ANALYTIC, err, sizeof err))
			return fail(err);
		double best = 0;
		for (int pol = SESSION_ALWAYS; pol <= SESSION_ORACLE; pol++) {
			session_opts o = {.policy = (session_policy)pol, .closed = wl->arrival == CFG_ARR_CLOSED,
					  .rate_scale = 1, .offered_rps = reqgen_rate_rps(wl, NULL),
					  .expect_prompt = wl->prompt.mean, .expect_output = wl->output.mean,
					  .slo_ttft_p90_s = wl->slo_ttft_p90_s, .slo_tpot_p99_s = wl->slo_tpot_p99_s,
					  .rest_output = rest};
			figures_session f;
			double rate = 0;
			for (int run = 0; run < 4; run++) {
				double t0 = common_now_s();
				if (session_run(ex, ex, req, (size_t)m, &o, NULL, &f, err, sizeof err))
					return fail(err);
				double r = m / (common_now_s() - t0);
				if (run > 0 && r > rate)
					rate = r;
			}
			printf("session_rms_requests_per_s_%s_%s: %.0f\n", wl->name, session_policy_names[pol], rate);
			if (pol == SESSION_ALWAYS || rate < best)
				best = rate;
		}
		if (strcmp(wl->name, "chat") == 0)
			printf("session_rms_requests_per_s: %.0f (design %s, %d modules)\n", best, c.designs[si].name,
			       c.designs[si].d.rms.n);
		phases_free(ex);
		free(req);
		free(rest);
	}
	cfg_release(&c);
	return 0;
}
