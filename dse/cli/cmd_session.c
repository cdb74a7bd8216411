/*
 * cmd_session.c - `pdswap-dse session`: a workload's session of many
 * requests on one design, every run-time swap policy side by side on the
 * same requests beside the static design of the same device, as a table
 * or one JSON object; with --db the sessions (and with --store-requests
 * every request) are stored as a run of kind 'session', with --breakeven
 * the break-even map too.  See explore/sessions.h and sim/session.h.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/measures.h"
#include "cli/cmd.h"
#include "cli/opt.h"
#include "config/config.h"
#include "config/reqtrace.h"
#include "explore/sessions.h"
#include "explore/sweep.h"
#include "models/cfg.h"
#include "models/workload.h"
#include "store/store.h"

static struct {
	const char *path, *design, *workload, *trace, *policy, *model, *db, *stat, *start, *over;
	int requests, seed, threads, thr_prompt, thr_gen;
	double rate;
	bool json, store_requests, no_capacity, breakeven, seed_given, db_given, threads_given;
} A = {.policy = "all", .model = "analytic", .db = "results/results.db", .stat = "best-static"};

static const opt_def session_defs[] = {
	{.name = "--design", .type = OPT_STRING, .value = "NAME", .out = &A.design, .required = true,
	 .help = "a design of the config, 'best' (the design the latest complete sweep of\n"
		 "CONFIG in FILE chose) or 'best-static' (that sweep's best static design);\n"
		 "a sweep runs first when there is none"},
	{.name = "--workload", .type = OPT_STRING, .value = "NAME", .out = &A.workload,
	 .help = "a workload of the config's 'workloads' section"},
	{.name = "--trace", .type = OPT_STRING, .value = "FILE", .out = &A.trace,
	 .help = "replay a request trace instead: CSV arrived_at,num_prefill_tokens,num_decode_tokens\n"
		 "(Vidur), CSV TIMESTAMP,ContextTokens,GeneratedTokens (Azure 2023) or JSON lines\n"
		 "{\"input_toks\", \"output_toks\", \"arrival_time_ns\"}"},
	{.name = "--policy", .type = OPT_STRING, .value = "P|all", .out = &A.policy,
	 .help = "always, never, threshold, oracle, static (the static design) or all\n"
		 "(default: every policy of the design, on the same requests)"},
	{.name = "--requests", .type = OPT_INT, .value = "N", .out = &A.requests, .lo = 1, .hi = 10000000,
	 .help = "requests of the session (default session.requests; a trace: all of it)"},
	{.name = "--rate", .type = OPT_REAL, .value = "R", .out = &A.rate, .lo = 1e-9, .hi = 1e9,
	 .help = "arrival rate in requests/s instead of the workload's (a trace's times and a\n"
		 "closed loop's think times are scaled to it)"},
	{.name = "--seed", .type = OPT_INT, .value = "S", .out = &A.seed, .lo = 0, .hi = 2147483647,
	 .given = &A.seed_given, .help = "seed of the request stream (default session.seed)"},
	{.name = "--model", .type = OPT_STRING, .value = "analytic|des", .out = &A.model,
	 .help = "analytic (default: the calibrated per-request phase times) or des\n"
		 "(each phase replayed op by op in the discrete-event model)"},
	{.name = "--static", .type = OPT_STRING, .value = "NAME", .out = &A.stat,
	 .help = "the static design beside a dpr design (default best-static)"},
	{.name = "--start-module", .type = OPT_STRING, .value = "prefill|decode", .out = &A.start,
	 .help = "what the partition holds at the start (default session.start_module)"},
	{.name = "--over-context", .type = OPT_STRING, .value = "trim|refuse", .out = &A.over,
	 .help = "requests beyond model.max_context: trimmed or refused (default: the\n"
		 "workload's over_context, trim)"},
	{.name = "--threshold-prompt", .type = OPT_INT, .value = "L", .out = &A.thr_prompt, .lo = 1, .hi = 1 << 20,
	 .help = "threshold and oracle: swap back to the prefill RM for prompts of at least\n"
		 "L tokens (default: where the model predicts a saving)"},
	{.name = "--threshold-gen", .type = OPT_INT, .value = "N", .out = &A.thr_gen, .lo = 1, .hi = 1 << 20,
	 .help = "threshold and oracle: swap to the decode RM for outputs of at least N\n"
		 "tokens (default: where the model predicts a saving)"},
	{.name = "--no-capacity", .type = OPT_FLAG, .out = &A.no_capacity,
	 .help = "skip the search for the highest rate that meets the SLOs"},
	{.name = "--breakeven", .type = OPT_FLAG, .out = &A.breakeven,
	 .help = "also the break-even map: where each DPR policy beats the static design\n"
		 "(session.breakeven grid of prompt x output lengths)"},
	{.name = "--threads", .type = OPT_INT, .value = "N", .out = &A.threads, .lo = 1, .hi = 256,
	 .given = &A.threads_given, .help = "worker threads (default: every online core; the figures do not change)"},
	{.name = "--json", .type = OPT_FLAG, .out = &A.json, .help = "print one JSON object instead of a table"},
	{.name = "--db", .type = OPT_STRING, .value = "FILE", .out = &A.db, .given = &A.db_given,
	 .help = "store the sessions there (a run of kind 'session'); also where 'best' and\n"
		 "'best-static' and the measurements that apply are read (default\n"
		 "results/results.db, then nothing is stored)"},
	{.name = "--store-requests", .type = OPT_FLAG, .out = &A.store_requests,
	 .help = "with --db: store every request too (the requests table, v_requests)"},
};

const opt_cmd cmd_session_opts = {
	.name = "session",
	.args = "CONFIG",
	.about = "Runs a session of many requests on one design: arrivals and lengths from a\n"
		 "workload (or a trace), one request at a time, the partition's swaps and a run-time\n"
		 "policy; prints TTFT, TPOT, e2e and wait percentiles, goodput under the SLOs, the\n"
		 "share of time reconfiguring, energy and capacity per policy.",
	.opts = session_defs,
	.n_opts = (int)(sizeof session_defs / sizeof session_defs[0]),
	.min_pos = 1,
	.max_pos = 1,
	.pos = &A.path,
};

/* ------------------------------------------------------------- designs */

typedef struct {
	design_t d;
	char label[96];    /* as shown and stored */
} named;

/* A design by name ('best', 'best-static' or the config's); prints the error. */
static int resolve(const cfg_t *c, const char *name, const char *db, named *out)
{
	char err[2600];
	int64_t run, point;
	if (strcmp(name, "best") == 0 || strcmp(name, "best-static") == 0) {
		int rc = name[4] ? sweep_best_static_design(c, db, &out->d, &run, &point, err, sizeof err)
				 : sweep_best_design(c, db, &out->d, &run, &point, err, sizeof err);
		if (rc) {
			cli_err("%s", err);
			return EXIT_RUNTIME;
		}
		snprintf(out->label, sizeof out->label, "point %lld of run %lld", (long long)point, (long long)run);
		return 0;
	}
	int i = cfg_find_design(c, name);
	if (i < 0) {
		char list[1024];
		cfg_design_names(c, list, sizeof list);
		cli_err("%s: no design named '%s' (designs: %s, best or best-static)", c->path, name, list);
		return EXIT_USAGE;
	}
	out->d = c->designs[i].d;
	snprintf(out->label, sizeof out->label, "%s", name);
	return 0;
}

/* ----------------------------------------------------------------- output */

static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *dist_json(const figures_dist *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "mean", num(d->mean));
	json_object_set_new(o, "p50", num(d->p50));
	json_object_set_new(o, "p90", num(d->p90));
	json_object_set_new(o, "p95", num(d->p95));
	json_object_set_new(o, "p99", num(d->p99));
	return o;
}

static json_t *row_json(const sessions_result *r, const sessions_row *row, const char *design)
{
	const figures_session *f = &row->f;
	json_t *o = json_object();
	json_object_set_new(o, "design", json_string(design));
	json_object_set_new(o, "requests", json_integer(f->requests));
	json_object_set_new(o, "refused", json_integer(f->refused));
	json_object_set_new(o, "trimmed", json_integer(f->trimmed));
	json_object_set_new(o, "tokens", json_integer(f->tokens));
	json_object_set_new(o, "swaps", json_integer(f->swaps));
	json_object_set_new(o, "swap_s", num(f->swap_s));
	json_object_set_new(o, "swap_exposed_s", num(f->swap_exposed_s));
	json_object_set_new(o, "wait_s", dist_json(&f->wait_s));
	json_object_set_new(o, "ttft_s", dist_json(&f->ttft_s));
	json_object_set_new(o, "tpot_s", dist_json(&f->tpot_s));
	json_object_set_new(o, "e2e_s", dist_json(&f->e2e_s));
	json_object_set_new(o, "duration_s", num(f->duration_s));
	json_object_set_new(o, "offered_rps", num(f->offered_rps));
	json_object_set_new(o, "throughput_rps", num(f->throughput_rps));
	json_object_set_new(o, "tokens_per_s", num(f->tokens_per_s));
	json_object_set_new(o, "goodput_rps", num(f->goodput_rps));
	json_object_set_new(o, "slo_met", json_boolean(f->slo_met));
	json_object_set_new(o, "capacity_rps", num(f->capacity_rps));
	json_object_set_new(o, "capacity_unbounded", json_boolean(isinf(f->capacity_rps) && f->capacity_rps > 0));
	json_object_set_new(o, "reconfig_share", num(f->reconfig_share));
	json_object_set_new(o, "utilisation", num(f->utilisation));
	json_object_set_new(o, "energy_j", num(f->energy_j));
	json_object_set_new(o, "energy_j_per_request", num(f->energy_j_per_request));
	json_object_set_new(o, "energy_j_per_token", num(f->energy_j_per_token));
	json_object_set_new(o, "mean_in_system", num(f->mean_in_system));
	json_object_set_new(o, "kv_refill_s", num(f->kv_refill_s));
	if (row->is_static || r->n_rm == 0) {
		json_object_set_new(o, "swaps_by_rm", json_null());
	} else {
		json_t *by = json_object();
		for (int k = 0; k < r->n_rm; k++)
			json_object_set_new(by, r->rm_names[k], json_integer(f->swaps_by_rm[k]));
		json_object_set_new(o, "swaps_by_rm", by);
	}
	return o;
}

static const char *arrival_words(const cfg_session_wl *wl, char *buf, size_t n)
{
	switch (wl->arrival) {
	case CFG_ARR_POISSON: snprintf(buf, n, "poisson %g/s", wl->rate_rps); break;
	case CFG_ARR_GAMMA: snprintf(buf, n, "gamma %g/s cv %g", wl->rate_rps, wl->cv); break;
	case CFG_ARR_CLOSED: snprintf(buf, n, "closed loop, think %g s", wl->think_s); break;
	case CFG_ARR_TRACE: snprintf(buf, n, "trace replay"); break;
	}
	return buf;
}

static void cap_text(double cap, char *buf, size_t n)
{
	if (isnan(cap))
		snprintf(buf, n, "-");
	else if (isinf(cap))
		snprintf(buf, n, "unbounded");
	else
		snprintf(buf, n, "%.4g", cap);
}

static void print_table(const cfg_t *c, const sessions_spec *sp, const named *d, const named *st,
			const sessions_result *r, const sessions_cell *cells, long n_cells)
{
	char aw[128];
	printf("session of workload '%s' on design %s (%s), %s model, seed %lu\n", sp->wl.name, d->label,
	       mode_names[d->d.mode], phases_model_names[sp->model], sp->seed_base);
	printf("  %zu requests (%zu drawn, %zu trimmed, %zu refused); %s", r->n, r->cnt.drawn, r->cnt.trimmed,
	       r->cnt.refused, arrival_words(&sp->wl, aw, sizeof aw));
	if (sp->rate_rps > 0)
		printf(", scaled to %g/s", sp->rate_rps);
	printf("; SLO TTFT p90 <= %g s, TPOT p99 <= %g s\n", sp->wl.slo_ttft_p90_s, sp->wl.slo_tpot_p99_s);
	if (st)
		printf("  static design: %s\n", st->label);
	if (d->d.mode == MODE_DPR) {
		printf("  threshold (analytic model): back to the prefill RM for prompts >= ");
		if (sp->threshold_prompt)
			printf("%d (given)", sp->threshold_prompt);
		else if (r->model_threshold_prompt)
			printf("%d", r->model_threshold_prompt);
		else
			printf("never");
		printf("; decode RM for outputs >= ");
		if (sp->threshold_gen)
			printf("%d (given)\n", sp->threshold_gen);
		else if (r->model_threshold_gen)
			printf("%d after a %d-token prompt\n", r->model_threshold_gen, r->threshold_gen_at);
		else
			printf("never after a %d-token prompt\n", r->threshold_gen_at);
		if (r->n_rm != 2 || r->n_points) {
			printf("  modules:");
			for (int k = 0; k < r->n_rm; k++)
				printf("%s %s", k ? "," : "", r->rm_names[k]);
			printf("; context points (decode module of least step):");
			for (int k = 0; k < r->n_points; k++)
				printf("%s %s from %d", k ? "," : "", r->rm_names[r->point_mod[k]], r->point[k]);
			printf("%s\n", r->n_points ? "" : " none");
		}
	}
	printf("  %-9s %6s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %6s %6s %8s %9s %4s\n", "policy", "swaps", "wait",
	       "TTFT p50", "p90", "p99", "TPOT p50", "p99", "e2e mean", "p50", "p99", "goodput", "reconf", "util",
	       "J/req", "capacity", "SLO");
	printf("  %-9s %6s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %6s %6s %8s %9s %4s\n", "", "", "mean s", "s", "s",
	       "s", "s", "s", "s", "s", "s", "req/s", "%", "%", "J", "req/s", "met");
	for (int k = 0; k < r->n_rows; k++) {
		const figures_session *f = &r->rows[k].f;
		char cap[32];
		cap_text(f->capacity_rps, cap, sizeof cap);
		printf("  %-9s %6lld %8.3f %8.3f %8.3f %8.3f %8.4f %8.4f %8.3f %8.3f %8.3f %8.4f %6.2f %6.1f %8.3f %9s %4s\n",
		       session_policy_names[r->rows[k].policy], (long long)f->swaps, f->wait_s.mean, f->ttft_s.p50,
		       f->ttft_s.p90, f->ttft_s.p99, f->tpot_s.p50, f->tpot_s.p99, f->e2e_s.mean, f->e2e_s.p50,
		       f->e2e_s.p99, f->goodput_rps, 100 * f->reconfig_share, 100 * f->utilisation,
		       f->energy_j_per_request, cap, f->slo_met ? "yes" : "no");
	}
	bool refills = false;
	for (int k = 0; k < r->n_rows; k++)
		refills |= r->rows[k].f.kv_refill_s > 0;
	if (refills) {
		printf("  K/V tier refills (the decode RM's tier after each swap-in), total s:");
		for (int k = 0; k < r->n_rows; k++)
			printf(" %s %.4g", session_policy_names[r->rows[k].policy], r->rows[k].f.kv_refill_s);
		printf("\n");
	}
	if (d->d.mode == MODE_DPR && (r->n_rm != 2 || r->n_points)) {
		printf("  swaps by the module they load:\n");
		for (int k = 0; k < r->n_rows; k++) {
			if (r->rows[k].is_static)
				continue;
			printf("    %-9s", session_policy_names[r->rows[k].policy]);
			for (int j = 0; j < r->n_rm; j++)
				printf(" %s %lld", r->rm_names[j], (long long)r->rows[k].f.swaps_by_rm[j]);
			printf("\n");
		}
	}
	if (!cells)
		return;
	printf("break-even map of %s against %s (%s model): static e2e / policy e2e, energy in ()\n", d->label,
	       st->label, phases_model_names[sp->model]);
	const cfg_session *s = &c->session;
	for (int pol = 0; pol < 4; pol++) {
		session_policy p = (session_policy[]){SESSION_ALWAYS, SESSION_NEVER, SESSION_THRESHOLD, SESSION_ORACLE}[pol];
		printf("  %-9s prompt \\ output", session_policy_names[p]);
		for (int j = 0; j < s->n_be_outputs; j++)
			printf(" %13d", s->be_outputs[j]);
		printf("\n");
		for (int i = 0; i < s->n_be_prompts; i++) {
			printf("  %24d", s->be_prompts[i]);
			for (int j = 0; j < s->n_be_outputs; j++) {
				const sessions_cell *cl = NULL;
				for (long k = 0; k < n_cells; k++)
					if (cells[k].policy == p && cells[k].prompt == s->be_prompts[i] &&
					    cells[k].output == s->be_outputs[j])
						cl = &cells[k];
				if (cl)
					printf("  %5.2f (%5.2f)", cl->static_e2e_s / cl->e2e_s,
					       cl->static_energy_j / cl->energy_j);
				else
					printf(" %13s", "-");
			}
			printf("\n");
		}
	}
	/* the summary: per output length, from which prompt on each policy wins */
	printf("  where a policy's e2e beats the static design (prompts, per output):\n");
	for (int pol = 0; pol < 4; pol++) {
		session_policy p = (session_policy[]){SESSION_ALWAYS, SESSION_NEVER, SESSION_THRESHOLD, SESSION_ORACLE}[pol];
		printf("    %-9s", session_policy_names[p]);
		for (int j = 0; j < s->n_be_outputs; j++) {
			int wins = 0, cellsn = 0, lo = 0;
			for (long k = 0; k < n_cells; k++)
				if (cells[k].policy == p && cells[k].output == s->be_outputs[j]) {
					cellsn++;
					if (cells[k].e2e_s < cells[k].static_e2e_s) {
						wins++;
						if (!lo || cells[k].prompt < lo)
							lo = cells[k].prompt;
					}
				}
			if (cellsn)
				printf("  out %d: %d/%d%s", s->be_outputs[j], wins, cellsn,
				       wins ? "" : " (none)");
			if (wins)
				printf(" from %d", lo);
		}
		printf("\n");
	}
}

static json_t *result_json(const cfg_t *c, const sessions_spec *sp, const named *d, const named *st,
			   const sessions_result *r, const sessions_cell *cells, long n_cells)
{
	json_t *o = json_object();
	json_object_set_new(o, "config_sha256", json_string(c->sha256));
	json_object_set_new(o, "design", json_string(d->label));
	json_object_set_new(o, "mode", json_string(mode_names[d->d.mode]));
	json_object_set_new(o, "static_design", st ? json_string(st->label) : json_null());
	json_object_set_new(o, "workload", json_string(sp->wl.name));
	json_object_set_new(o, "model", json_string(phases_model_names[sp->model]));
	json_object_set_new(o, "seed", json_integer((json_int_t)sp->seed_base));
	json_object_set_new(o, "offered_rps", num(r->offered_rps));
	json_object_set_new(o, "requests", json_integer((json_int_t)r->n));
	json_object_set_new(o, "drawn", json_integer((json_int_t)r->cnt.drawn));
	json_object_set_new(o, "trimmed", json_integer((json_int_t)r->cnt.trimmed));
	json_object_set_new(o, "refused", json_integer((json_int_t)r->cnt.refused));
	json_t *slo = json_object();
	json_object_set_new(slo, "ttft_p90_s", num(sp->wl.slo_ttft_p90_s));
	json_object_set_new(slo, "tpot_p99_s", num(sp->wl.slo_tpot_p99_s));
	json_object_set_new(o, "slo", slo);
	if (d->d.mode == MODE_DPR) {
		json_t *t = json_object();
		json_object_set_new(t, "prompt", json_integer(sp->threshold_prompt ? sp->threshold_prompt : r->model_threshold_prompt));
		json_object_set_new(t, "gen", json_integer(sp->threshold_gen ? sp->threshold_gen : r->model_threshold_gen));
		json_object_set_new(t, "gen_at_prompt", json_integer(r->threshold_gen_at));
		json_object_set_new(t, "given", json_boolean(sp->threshold_prompt || sp->threshold_gen));
		json_object_set_new(o, "thresholds", t);
		json_t *m = json_array(), *pts = json_array();
		for (int k = 0; k < r->n_rm; k++)
			json_array_append_new(m, json_string(r->rm_names[k]));
		for (int k = 0; k < r->n_points; k++) {
			json_t *e = json_object();
			json_object_set_new(e, "context", json_integer(r->point[k]));
			json_object_set_new(e, "module", json_string(r->rm_names[r->point_mod[k]]));
			json_array_append_new(pts, e);
		}
		json_object_set_new(o, "modules", m);
		json_object_set_new(o, "context_points", pts);
	}
	json_t *pol = json_object();
	for (int k = 0; k < r->n_rows; k++)
		json_object_set_new(pol, session_policy_names[r->rows[k].policy],
				    row_json(r, &r->rows[k], r->rows[k].is_static ? st->label : d->label));
	json_object_set_new(o, "policies", pol);
	if (cells) {
		json_t *a = json_array();
		for (long k = 0; k < n_cells; k++) {
			json_t *e = json_object();
			json_object_set_new(e, "policy", json_string(session_policy_names[cells[k].policy]));
			json_object_set_new(e, "prompt", json_integer(cells[k].prompt));
			json_object_set_new(e, "output", json_integer(cells[k].output));
			json_object_set_new(e, "e2e_s", num(cells[k].e2e_s));
			json_object_set_new(e, "energy_j", num(cells[k].energy_j));
			json_object_set_new(e, "static_e2e_s", num(cells[k].static_e2e_s));
			json_object_set_new(e, "static_energy_j", num(cells[k].static_energy_j));
			json_object_set_new(e, "prefill_rm", json_string(cells[k].prefill_rm));
			json_object_set_new(e, "decode_rms", json_string(cells[k].decode_rms));
			json_array_append_new(a, e);
		}
		json_object_set_new(o, "breakeven", a);
	}
	return o;
}

/* ------------------------------------------------------------- storing */

static int store_all(const cfg_t *c, const sessions_spec *sp, const named *d, const named *st,
		     const sessions_result *r, const sessions_cell *cells, long n_cells, int64_t *run_out)
{
	char err[2600];
	store *s;
	if (store_open(&s, A.db, err, sizeof err)) {
		cli_err("%s", err);
		return EXIT_RUNTIME;
	}
	int64_t run = 0;
	if (store_begin(s) || store_new_run(s, c, "session", sp->threads, &run))
		goto bad;
	for (int k = 0; k < r->n_rows; k++) {
		const sessions_row *row = &r->rows[k];
		const named *x = row->is_static ? st : d;
		char by[512];
		store_session m = {.run_id = run, .session_id = k, .design = x->label, .point_id = -1, .mode = x->d.mode,
				   .workload = sp->wl.name, .policy = session_policy_names[row->policy],
				   .model = phases_model_names[sp->model], .seed = sp->seed_base};
		if (*sessions_swaps_json(r, row, by, sizeof by))
			m.swaps_by_rm = by;
		const char *names[RMS_MAX];
		for (int j = 0; j < r->n_rm; j++)
			names[j] = r->rm_names[j];
		if (store_put_session(s, &m, &row->f) ||
		    (row->rec && store_put_requests(s, run, k, row->rec, (size_t)row->f.requests, names, r->n_rm)))
			goto bad;
	}
	for (long k = 0; k < n_cells; k++) {
		const sessions_cell *cl = &cells[k];
		store_breakeven b = {.run_id = run, .design = d->label, .static_design = st->label, .point_id = -1,
				     .static_point_id = -1, .model = phases_model_names[sp->model],
				     .policy = session_policy_names[cl->policy], .prompt = cl->prompt, .output = cl->output,
				     .e2e_s = cl->e2e_s, .energy_j = cl->energy_j, .static_e2e_s = cl->static_e2e_s,
				     .static_energy_j = cl->static_energy_j, .prefill_rm = cl->prefill_rm,
				     .decode_rms = cl->decode_rms};
		if (store_put_breakeven(s, &b))
			goto bad;
	}
	if (store_finish_run(s, run, "complete", 0, 0) || store_commit(s))
		goto bad;
	store_close(s);
	*run_out = run;
	return 0;
bad:
	cli_err("%s", store_errmsg(s));
	store_rollback(s);
	store_close(s);
	return EXIT_RUNTIME;
}

/* ----------------------------------------------------------------- main */

/* The policies asked for: a mask, or 0 after printing the error. */
static unsigned policies_of(const char *p, arch_mode mode)
{
	if (strcmp(p, "all") == 0)
		return sessions_all(mode);
	int k = session_policy_of(p);
	if (k < 0) {
		cli_err("--policy must be always, never, threshold, oracle, static or all, got '%s'", p);
		return 0;
	}
	if (mode == MODE_STATIC && k != SESSION_STATIC) {
		cli_err("--policy %s: the design is static, its only policy is 'static'", p);
		return 0;
	}
	return 1u << k;
}

int cmd_session(int argc, char **argv)
{
	int prc = opt_parse(&cmd_session_opts, argc, argv);
	if (prc)
		return prc > 0 ? EXIT_OK : EXIT_USAGE;
	phases_model model;
	if (strcmp(A.model, "analytic") == 0)
		model = PHASES_ANALYTIC;
	else if (strcmp(A.model, "des") == 0)
		model = PHASES_DES;
	else {
		cli_err("--model must be 'analytic' or 'des', got '%s'", A.model);
		return EXIT_USAGE;
	}
	if (!!A.workload == !!A.trace) {
		cli_err("session needs --workload NAME or --trace FILE (one of them)");
		return EXIT_USAGE;
	}
	if (A.start && strcmp(A.start, "prefill") && strcmp(A.start, "decode")) {
		cli_err("--start-module must be 'prefill' or 'decode', got '%s'", A.start);
		return EXIT_USAGE;
	}
	if (A.over && strcmp(A.over, "trim") && strcmp(A.over, "refuse")) {
		cli_err("--over-context must be 'trim' or 'refuse', got '%s'", A.over);
		return EXIT_USAGE;
	}
	if (A.store_requests && !A.db_given) {
		cli_err("--store-requests needs --db FILE");
		return EXIT_USAGE;
	}
	cfg_t c;
	char err[2600];
	if (config_load(&c, A.path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	int rc = EXIT_USAGE;
	reqgen_trace trace = {0};
	sessions_result r = {0};
	sessions_cell *cells = NULL;
	long n_cells = 0;
	workload_t w;
	workload_init(&w, &c.model);
	sessions_spec sp = {.c = &c, .w = &w, .requests = (size_t)A.requests, .rate_rps = A.rate, .model = model,
			    .threshold_prompt = A.thr_prompt, .threshold_gen = A.thr_gen, .capacity = !A.no_capacity,
			    .records = A.store_requests};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	sp.threads = A.threads_given ? A.threads : cores > 0 && cores < 64 ? (int)cores : 2;
	sp.start_decode = A.start ? strcmp(A.start, "decode") == 0 : c.session.start_decode;

	/* the workload, and its trace: bad input stops here, before any database */
	if (A.workload) {
		int i = cfg_find_session_wl(&c, A.workload);
		if (i < 0) {
			char list[1024] = "";
			for (int j = 0; j < c.n_session_wl; j++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "",
					 c.session_wl[j].name);
			cli_err("%s: no workload named '%s' (workloads: %s)", c.path, A.workload, *list ? list : "none");
			goto out;
		}
		sp.wl = c.session_wl[i];
	} else {
		const char *base = strrchr(A.trace, '/');
		snprintf(sp.wl.name, sizeof sp.wl.name, "%s", base ? base + 1 : A.trace);
		snprintf(sp.wl.trace, sizeof sp.wl.trace, "%s", A.trace);
		sp.wl.arrival = CFG_ARR_TRACE;
		sp.wl.prompt.kind = sp.wl.output.kind = CFG_LEN_TRACE;
		sp.wl.slo_ttft_p90_s = c.session.slo_ttft_p90_s;
		sp.wl.slo_tpot_p99_s = c.session.slo_tpot_p99_s;
	}
	if (A.over)
		sp.wl.refuse_over_context = strcmp(A.over, "refuse") == 0;
	sp.seed_base = A.seed_given ? (unsigned long)A.seed : c.session.seed;
	sp.seed = reqgen_seed(sp.seed_base, sp.wl.name);
	if (sp.wl.trace[0]) {
		int trc = reqtrace_read(sp.wl.trace, &trace, err, sizeof err);
		if (trc) {
			fprintf(stderr, "%s\n", err);
			rc = cli_exit_code(trc);
			goto out;
		}
		sp.trace = &trace;
	}
	named d, st;
	if ((rc = resolve(&c, A.design, A.db, &d)) || (rc = measures_load(&c, A.db, !A.json)))
		goto out;
	unsigned pol = policies_of(A.policy, d.d.mode);
	if (!pol) {
		rc = EXIT_USAGE;
		goto out;
	}
	bool need_static = d.d.mode == MODE_DPR && (pol & 1u << SESSION_STATIC || A.breakeven);
	if (A.breakeven && d.d.mode != MODE_DPR) {
		cli_err("--breakeven compares a dpr design with a static one; %s is static", d.label);
		rc = EXIT_USAGE;
		goto out;
	}
	if (need_static) {
		if ((rc = resolve(&c, A.stat, A.db, &st)))
			goto out;
		if (st.d.mode != MODE_STATIC) {
			cli_err("--static %s: the design is not static", A.stat);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	int src = sessions_run(&sp, &d.d, need_static ? &st.d : NULL, pol, &r, err, sizeof err);
	if (src) {
		cli_err("%s", err);
		rc = cli_exit_code(src);
		goto out;
	}
	if (A.breakeven) {
		n_cells = sessions_breakeven(&c, &w, &d.d, &st.d, model, sp.start_decode, sp.threads, &cells, err,
					     sizeof err);
		if (n_cells < 0) {
			cli_err("%s", err);
			rc = cli_exit_code((int)n_cells);
			goto out;
		}
	}
	int64_t run = 0;
	if (A.db_given && (rc = store_all(&c, &sp, &d, need_static ? &st : NULL, &r, cells, n_cells, &run)))
		goto out;
	if (A.json) {
		json_t *o = result_json(&c, &sp, &d, need_static ? &st : NULL, &r, cells, n_cells);
		if (run)
			json_object_set_new(o, "run_id", json_integer(run));
		char *s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		json_decref(o);
		if (!s) {
			cli_err("out of memory");
			rc = EXIT_RUNTIME;
			goto out;
		}
		puts(s);
		free(s);
	} else {
		print_table(&c, &sp, &d, need_static ? &st : NULL, &r, cells, n_cells);
		if (run)
			printf("stored as run %lld in %s\n", (long long)run, A.db);
	}
	rc = fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
out:
	free(cells);
	sessions_result_free(&r);
	reqgen_trace_free(&trace);
	cfg_release(&c);
	return rc;
}
