/*
 * cmd_simulate.c - `pdswap-dse simulate`: one design, one prompt, N
 * generated tokens, as a readable table or one JSON object, with the
 * discrete-event model (the default) or the analytic model.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/measures.h"
#include "cli/cmd.h"
#include "cli/opt.h"
#include "models/profile.h"
#include "config/config.h"
#include "explore/sweep.h"
#include "models/cfg.h"
#include "models/infer.h"
#include "models/interval.h"
#include "models/kvcache.h"
#include "models/perf.h"
#include "models/rms.h"
#include "models/workload.h"
#include "sim/des.h"
#include "sim/phases.h"
#include "sim/session.h"

static struct {
	const char *path, *design, *model, *trace, *db, *iv_model, *plan;
	int prompt, gen, samples;
	bool json, no_prefetch;
	const char *kv_prec, *kv_tier;
	int kv_window, kv_sinks;
} A = {.model = "des", .db = "results/results.db", .prompt = -1, .gen = -1, .samples = -1, .kv_window = -1,
       .kv_sinks = -1};

static const opt_def simulate_opts[] = {
	{.name = "--design", .type = OPT_STRING, .value = "NAME", .out = &A.design, .required = true,
	 .help = "a design of the config (e.g. tellme, the calibrated static baseline),\n"
		 "or 'best' (the design the latest complete sweep of CONFIG in FILE chose;\n"
		 "a sweep runs first when there is none)"},
	{.name = "--prompt", .type = OPT_INT, .value = "L", .out = &A.prompt, .lo = 1, .hi = 1 << 30, .required = true,
	 .range = "[1, model.max_context]", .help = "prompt length in tokens, 1 .. model.max_context"},
	{.name = "--gen", .type = OPT_INT, .value = "N", .out = &A.gen, .lo = 0, .hi = 1 << 30, .required = true,
	 .range = "[0, model.max_context - L]", .help = "tokens generated after the prompt, L + N <= model.max_context"},
	{.name = "--model", .type = OPT_STRING, .value = "des|analytic", .out = &A.model,
	 .help = "des (default: the discrete-event model, the reference) or\n"
		 "analytic (the roofline model)"},
	{.name = "--trace", .type = OPT_STRING, .value = "FILE", .out = &A.trace,
	 .help = "write the DES timeline to FILE as Chrome trace-event JSON\n"
		 "(open it in Perfetto or chrome://tracing)"},
	{.name = "--no-prefetch", .type = OPT_FLAG, .out = &A.no_prefetch,
	 .help = "DES: weights stream only for work the TLMM may start, never\n"
		 "during attention or the LM head (the analytic model's schedule)"},
	{.name = "--json", .type = OPT_FLAG, .out = &A.json, .help = "print one JSON object instead of a table"},
	{.name = "--samples", .type = OPT_INT, .value = "N", .out = &A.samples, .lo = 0, .hi = 100000,
	 .help = "Monte Carlo draws of each figure's interval (default: intervals.samples\n"
		 "of the config; 0: no intervals)"},
	{.name = "--interval-model", .type = OPT_STRING, .value = "analytic|des", .out = &A.iv_model,
	 .help = "what the interval's draws run with --model des: analytic (default: the\n"
		 "analytic model's draws moved by the DES-analytic difference at the\n"
		 "config's values) or des (every draw through the DES; slower)"},
	{.name = "--db", .type = OPT_STRING, .value = "FILE", .out = &A.db,
	 .help = "results database for 'best' and for the measurements that apply\n"
		 "(default results/results.db)"},
	{.name = "--kv-precision", .type = OPT_STRING, .value = "fp16|int8|int4", .out = &A.kv_prec,
	 .help = "cache K/V at this precision for this run (int8, int4: the config's\n"
		 "kv_cache groups and scales; the tool does not predict model accuracy)"},
	{.name = "--kv-window", .type = OPT_INT, .value = "W", .out = &A.kv_window, .lo = 0, .hi = 1 << 30,
	 .range = "[0, model.max_context]", .help = "keep the W most recent keys of every layer on chip"},
	{.name = "--kv-sinks", .type = OPT_INT, .value = "S", .out = &A.kv_sinks, .lo = 0, .hi = 1 << 30,
	 .range = "[0, model.max_context]", .help = "keep the first S keys of every layer on chip"},
	{.name = "--kv-tier", .type = OPT_STRING, .value = "static|rp|none", .out = &A.kv_tier,
	 .help = "where the on-chip K/V tier lives: the static region (survives swaps)\n"
		 "or the decode RM (refilled after each swap-in); a tier that does not\n"
		 "fit is refused (exit 1), naming the resource"},
	{.name = "--plan", .type = OPT_STRING, .value = "always|oracle", .out = &A.plan,
	 .help = "a design of several modules: always (default: the paper's flow, the\n"
		 "prefill and the decode module of least time at the prompt, one swap) or\n"
		 "oracle (from that prefill module, the decode modules of least predicted\n"
		 "time for this output, mid-generation swaps included)"},
};

const opt_cmd cmd_simulate_opts = {
	.name = "simulate",
	.args = "CONFIG",
	.about = "Runs one design for one prompt of L tokens followed by N generated tokens.",
	.opts = simulate_opts,
	.n_opts = (int)(sizeof simulate_opts / sizeof simulate_opts[0]),
	.min_pos = 1,
	.max_pos = 1,
	.pos = &A.path,
};

/* Fill *d (and *di, its index among the config's designs, or -1) from a
 * design name; prints the error itself and returns an exit code.  'best'
 * is the chosen point of the latest complete sweep of this config in `db`
 * (a sweep runs first when there is none). */
static int resolve_design(const cfg_t *c, const char *name, const char *db, design_t *d, int *di)
{
	*di = -1;
	if (strcmp(name, "best") == 0) {
		char err[2600];
		int64_t run, point;
		if (sweep_best_design(c, db, d, &run, &point, err, sizeof err)) {
			cli_err("%s", err);
			return EXIT_RUNTIME;
		}
		cli_err("design 'best' is point %lld of run %lld in %s", (long long)point, (long long)run, db);
		return 0;
	}
	int i = cfg_find_design(c, name);
	if (i < 0) {
		char list[1024];
		cfg_design_names(c, list, sizeof list);
		cli_err("%s: no design named '%s' (designs: %s, or best)", c->path, name, list);
		return EXIT_USAGE;
	}
	*d = c->designs[i].d;
	*di = i;
	return 0;
}

/* What simulate says of a design beside its figures: the objective (from
 * the model that ran) and whether the design meets every constraint. */
typedef struct {
	double objective;
	bool feasible;
	char why[256];
} verdict;

static void verdict_analytic(verdict *v, const rms_ctx *x)
{
	v->objective = rms_objective(x);
	v->feasible = rms_feasible(x, v->why, sizeof v->why);
}

/* Feasibility as rms_feasible(), with the TTFT bound checked on the DES. */
static void verdict_des(verdict *v, const rms_ctx *x, const des_obj *ob)
{
	v->objective = ob->objective;
	perf_res res;
	rms_resources(x, &res);
	v->feasible = res.feasible;
	v->why[0] = '\0';
	if (!res.feasible) {
		snprintf(v->why, sizeof v->why, "%s", res.why);
	} else if (ob->ttft_s > x->c->cons.t_pre_max_s) {
		v->feasible = false;
		snprintf(v->why, sizeof v->why, "TTFT %.3f s at prompt %d exceeds t_pre_max %.3f s", ob->ttft_s,
			 x->c->obj.prompt, x->c->cons.t_pre_max_s);
	}
}

/* ---------------------------------------------------------------- intervals */

/* The figures that carry an interval: figures.h's scalars, the objective, the resources. */
static const char *const fig_names[] = {
#define FN(f) #f,
	FIGURES_SCALARS(FN)
#undef FN
	"objective", "lut", "ff", "bram36", "uram", "dsp"};
enum { N_SCALARS_FIG = (int)(sizeof fig_names / sizeof fig_names[0]) - 1 - RES_N, N_FIG = N_SCALARS_FIG + 1 + RES_N };

/* The K/V settings --kv-* asked for (-1 / NULL: the design's own). */
typedef struct {
	int prec, window, sinks, tier;
} kv_over;

static void kv_apply(design_t *d, const kv_over *o)
{
	if (o->prec >= 0)
		d->kv_prec = (kv_prec_t)o->prec;
	if (o->window >= 0)
		d->kv_window = o->window;
	if (o->sinks >= 0)
		d->kv_sinks = o->sinks;
	if (o->tier >= 0)
		d->kv_tier = (kv_tier_t)o->tier;
}

typedef struct {
	bool des;
	int prompt, gen;
	bool no_prefetch;
	kv_over kv; /* applied to every design evaluated (a draw restores the named design's) */
	bool oracle;
} eval_ctx;

/* The plan a run of d takes (see --plan). */
static int plan_of(const cfg_t *c, const workload_t *w, const design_t *d, const rms_ctx *x, bool oracle, int prompt,
		   int gen, rms_plan *pl, char *err, size_t errlen)
{
	rms_plan_always(x, prompt, gen, pl);
	if (!oracle || d->mode != MODE_DPR)
		return 0;
	phases *pr;
	if (phases_new(&pr, c, w, d, PHASES_ANALYTIC, err, errlen))
		return -1;
	int rc = session_decode_plan(pr, pl->pre, prompt, gen + 1, pl, err, errlen);
	phases_free(pr);
	return rc ? -1 : 0;
}

static void fig_vector(const figures *f, double objective, const perf_res *res, double *v)
{
	int k = 0;
#define FV(x) v[k++] = f->x;
	FIGURES_SCALARS(FV)
#undef FV
	v[k++] = objective;
	for (int t = 0; t < RES_N; t++)
		v[k++] = res->r_total.v[t];
}

/* One evaluation of every interval figure (interval_eval_fn). */
static int eval_figs(const cfg_t *c, const design_t *dn, void *ctx, double *out, char *err, size_t errlen)
{
	const eval_ctx *e = ctx;
	design_t dd = *dn;
	kv_apply(&dd, &e->kv);
	const design_t *d = &dd;
	workload_t w;
	workload_init(&w, &c->model);
	rms_ctx x;
	rms_prepare(&x, c, &w, d);
	perf_res res;
	rms_resources(&x, &res);
	figures f;
	double obj;
	rms_plan pl;
	if (plan_of(c, &w, d, &x, e->oracle, e->prompt, e->gen, &pl, err, errlen))
		return -1;
	if (e->des) {
		des_opts o = {.no_prefetch = e->no_prefetch};
		des_result r;
		des_obj ob;
		if (des_run_plan(c, &w, d, d->mode == MODE_DPR && !x.legacy ? &pl : NULL, e->prompt, e->gen, &o, &r, err,
				 errlen) ||
		    des_objective(c, &w, d, &o, &ob, err, errlen))
			return -1;
		f = r.f;
		obj = ob.objective;
	} else {
		rms_run_eval(&x, &pl, e->prompt, e->gen, &f);
		obj = rms_objective(&x);
	}
	fig_vector(&f, obj, &res, out);
	return 0;
}

/* Whether figure k exists for a run (no decode figure without decode steps, no exposed swap of a
 * dpr design without a first step). */
static bool fig_exists(int k, bool dec, bool dpr)
{
	static const char *const decode_only[] = {"decode_s", "decode_tok_s", "decode_first_step_s", "energy_j_per_token",
						  "power_decode_w"};
	for (size_t i = 0; i < sizeof decode_only / sizeof decode_only[0]; i++)
		if (strcmp(fig_names[k], decode_only[i]) == 0)
			return dec;
	return strcmp(fig_names[k], "swap_exposed_s") != 0 || dec || !dpr;
}

/* A bound as it is shown: resources as synthesis counts them, other figures as they are. */
static double shown(int k, double v)
{
	int t = k - (N_SCALARS_FIG + 1);
	return t >= 0 ? res_shown(t, v) : v;
}

/* NAME_lo, NAME_hi beside each figure that has an interval (null where the figure
 * does not exist); the list of unconstrained ones. */
static void interval_json(json_t *o, const interval_t *iv, const interval_info *info, uint64_t seed, bool dec,
			  bool dpr)
{
	json_t *un = json_array();
	for (int k = 0; k < N_FIG; k++) {
		char key[64];
		bool ex = fig_exists(k, dec, dpr);
		snprintf(key, sizeof key, "%s_lo", fig_names[k]);
		json_object_set_new(o, key, ex ? json_real(shown(k, iv[k].lo)) : json_null());
		snprintf(key, sizeof key, "%s_hi", fig_names[k]);
		json_object_set_new(o, key, ex ? json_real(shown(k, iv[k].hi)) : json_null());
		if (ex && iv[k].unconstrained)
			json_array_append_new(un, json_string(fig_names[k]));
	}
	json_object_set_new(o, "unconstrained", un);
	json_t *m = json_object();
	json_object_set_new(m, "level", json_real(info->level));
	json_object_set_new(m, "samples", json_integer(info->samples));
	json_object_set_new(m, "seed", json_integer((json_int_t)seed));
	json_object_set_new(m, "rejected", json_integer(info->rejected));
	json_t *fit = json_object();
	for (int k = 0; k < N_FIG; k++) {
		if (!fig_exists(k, dec, dpr))
			continue;
		json_t *pair = json_array();
		json_array_append_new(pair, json_real(iv[k].fit_lo));
		json_array_append_new(pair, json_real(iv[k].fit_hi));
		json_object_set_new(fit, fig_names[k], pair);
	}
	json_object_set_new(m, "measurements_alone", fit);
	json_object_set_new(o, "interval", m);
}

/* A figure, or null where it does not exist (a decode figure without decode steps). */
static void jfig(json_t *o, const char *key, double v, bool exists)
{
	json_object_set_new(o, key, exists ? json_real(v) : json_null());
}

/* The modules of a set design and the plan the run took. */
static void plan_json(json_t *o, const rms_ctx *x, const rms_plan *pl, const figures *r)
{
	if (x->d.mode != MODE_DPR || x->legacy)
		return;
	json_t *m = json_array();
	for (int k = 0; k < x->set.n; k++)
		json_array_append_new(m, json_string(x->set.rm[k].name));
	json_object_set_new(o, "modules", m);
	json_object_set_new(o, "prefill_rm", json_string(x->set.rm[pl->pre].name));
	json_t *seg = json_array();
	for (int j = 0; j < pl->n_seg; j++) {
		if (j > 0 && pl->from[j] > r->prompt + r->gen)
			break;
		json_t *e = json_object();
		json_object_set_new(e, "module", json_string(x->set.rm[pl->dec[j]].name));
		json_object_set_new(e, "from_context", json_integer(j == 0 ? r->prompt + 1 : pl->from[j]));
		json_array_append_new(seg, e);
	}
	json_object_set_new(o, "decode_rms", seg);
	json_object_set_new(o, "mid_swaps", json_integer(r->mid_swaps));
	json_object_set_new(o, "mid_swap_s", json_real(r->mid_swap_s));
}

static json_t *run_json(const cfg_t *c, const char *name, const char *model, const rms_ctx *x,
			const figures *r, const verdict *v)
{
	const bool dec = r->gen > 0, dpr = x->d.mode == MODE_DPR;
	perf_res res;
	rms_resources(x, &res);
	json_t *o = json_object();
	json_object_set_new(o, "design", json_string(name));
	json_object_set_new(o, "mode", json_string(mode_names[x->d.mode]));
	json_object_set_new(o, "model", json_string(model));
	json_object_set_new(o, "config_sha256", json_string(c->sha256));
	json_object_set_new(o, "prompt", json_integer(r->prompt));
	json_object_set_new(o, "gen", json_integer(r->gen));
	json_object_set_new(o, "ttft_s", json_real(r->ttft_s));
	json_object_set_new(o, "prefill_s", json_real(r->prefill_s));
	json_object_set_new(o, "prefill_linear_s", json_real(r->prefill_linear_s));
	json_object_set_new(o, "prefill_attention_s", json_real(r->prefill_attention_s));
	jfig(o, "decode_s", r->decode_s, dec);
	jfig(o, "decode_tok_s", r->decode_tok_s, dec);
	jfig(o, "decode_first_step_s", r->decode_first_step_s, dec);
	json_object_set_new(o, "swap_s", json_real(r->swap_s));
	jfig(o, "swap_exposed_s", r->swap_exposed_s, dec || !dpr);
	json_object_set_new(o, "tail_overlap_s", json_real(r->tail_overlap_s));
	json_object_set_new(o, "pcap_s", json_real(r->pcap_s));
	json_object_set_new(o, "bitstream_bytes", json_real(r->bitstream_bytes));
	for (int t = 0; t < RES_N; t++) /* as synthesis counts them; the model's exact figures are in results.db */
		json_object_set_new(o, res_names[t], json_real(res_shown(t, res.r_total.v[t])));
	json_t *eq = json_object();
	for (int t = 0; t < RES_N; t++)
		json_object_set_new(eq, res_names[t], json_real(res.util_equiv.v[t]));
	json_object_set_new(o, "equivalent_utilisation", eq);
	jfig(o, "energy_j_per_token", r->energy_j_per_token, dec);
	json_object_set_new(o, "energy_prefill_j", json_real(r->energy_prefill_j));
	json_object_set_new(o, "power_prefill_w", json_real(r->power_prefill_w));
	jfig(o, "power_decode_w", r->power_decode_w, dec);
	json_object_set_new(o, "objective", json_real(v->objective));
	json_t *at = json_object(); /* where the objective is taken, whatever --prompt and --gen are */
	json_object_set_new(at, "prompt", json_integer(c->obj.prompt));
	json_object_set_new(at, "l_long", json_integer(c->obj.l_long));
	json_object_set_new(at, "l_short", json_integer(c->obj.l_short));
	json_object_set_new(at, "alpha", json_real(c->obj.alpha));
	json_object_set_new(o, "objective_at", at);
	json_object_set_new(o, "feasible", json_boolean(v->feasible));
	if (!v->feasible)
		json_object_set_new(o, "infeasible_reason", json_string(v->why));
	return o;
}

/* What only the DES reports (README.md, "The discrete-event model"). */
static void des_json(json_t *o, const cfg_t *c, const des_opts *opt, const des_result *r)
{
	if (r->f.gen > 0 || r->f.swap_s == 0)
		json_object_set_new(o, "swap_hidden_s", json_real(r->swap_hidden_s));
	else
		json_object_set_new(o, "swap_hidden_s", json_null());
	json_object_set_new(o, "pcap_ddr_load", json_real(r->f.pcap_load));
	json_object_set_new(o, "weight_prefetch", json_boolean(!opt->no_prefetch));
	json_object_set_new(o, "weight_tile_bytes", json_real(DES_WEIGHT_TILE_BYTES));
	json_t *ph = json_object(), *ports = json_object();
	for (int k = 0; k < DES_PHASES; k++) {
		json_object_set_new(ph, des_phase_names[k], json_real(r->phase_s[k]));
		json_t *pp = json_object();
		for (int h = 0; h < c->dev.n_hp; h++) {
			json_t *x = json_object();
			json_object_set_new(x, "busy", json_real(r->port_util[k][h]));
			json_object_set_new(x, "gb_s", json_real(r->port_gb_s[k][h]));
			json_object_set_new(pp, c->dev.hp[h].name, x);
		}
		json_object_set_new(ports, des_phase_names[k], pp);
	}
	json_object_set_new(o, "phase_s", ph);
	json_object_set_new(o, "ports", ports);
	json_t *b = json_object();
	for (int k = 0; k < DES_STREAMS; k++)
		json_object_set_new(b, des_stream_names[k], json_real(r->bytes[k]));
	json_object_set_new(o, "bytes", b);
	json_object_set_new(o, "events", json_integer((json_int_t)r->events));
	json_object_set_new(o, "max_events_pending", json_integer(r->max_in_flight));
	json_object_set_new(o, "wall_s", json_real(r->wall_s));
}

static void print_table(const cfg_t *c, const char *name, const char *model, const rms_ctx *x,
			const rms_plan *pl, const figures *r, const verdict *v, const des_opts *opt, const des_result *dr)
{
	perf_res res;
	rms_resources(x, &res);
	printf("design %s (%s), prompt %d, %d generated tokens, %s model%s\n", name, mode_names[x->d.mode],
	       r->prompt, r->gen, model, !dr ? "" : opt->no_prefetch ? " (no weight prefetch)" : "");
	if (x->d.mode == MODE_DPR && !x->legacy) {
		char words[1024];
		printf("  %-24s %s\n", "modules", rms_describe(c, &x->d, words, sizeof words));
		printf("  %-24s prefill on %s, decode on %s", "plan", x->set.rm[pl->pre].name, x->set.rm[pl->dec[0]].name);
		for (int j = 1; j < pl->n_seg && pl->from[j] <= r->prompt + r->gen; j++)
			printf(", %s from %d keys", x->set.rm[pl->dec[j]].name, pl->from[j]);
		printf("\n");
		if (r->mid_swaps)
			printf("  %-24s %12.4f s  (%d mid-generation swap%s; decode waited for it)\n", "mid-generation swaps",
			       r->mid_swap_s, r->mid_swaps, r->mid_swaps > 1 ? "s" : "");
	}
	printf("  %-24s %12.4f s\n", "ttft", r->ttft_s);
	printf("  %-24s %12.4f s  (linear %.4f, attention %.4f)\n", "prefill", r->prefill_s, r->prefill_linear_s,
	       r->prefill_attention_s);
	const bool dec = r->gen > 0;
	if (dec) {
		printf("  %-24s %12.4f s  (first step %.4f s)\n", "decode", r->decode_s, r->decode_first_step_s);
		printf("  %-24s %12.3f tok/s\n", "decode rate", r->decode_tok_s);
	}
	if (x->d.mode == MODE_DPR) {
		printf("  %-24s %12.4f s  (PCAP %.4f s, %.0f bytes", "swap", r->swap_s, r->pcap_s, r->bitstream_bytes);
		if (dr)
			printf(", DDR load %.0f%%", 100 * r->pcap_load);
		printf(")\n");
		if (dec) {
			printf("  %-24s %12.4f s  (tail %.4f s hides the rest)\n", "swap exposed", r->swap_exposed_s,
			       r->tail_overlap_s);
			if (dr)
				printf("  %-24s %12.4f s\n", "swap hidden", dr->swap_hidden_s);
		}
	}
	if (dec)
		printf("  %-24s %12.4f J  (decode %.2f W, prefill %.2f W)\n", "energy per token", r->energy_j_per_token,
		       r->power_decode_w, r->power_prefill_w);
	else
		printf("  %-24s %12.4f J  (%.2f W)\n", "prefill energy", r->energy_prefill_j, r->power_prefill_w);
	printf("  %-24s %12.4f s  (the paper's: TTFT at %d + %.2g x step at %d + %.2g x step at %d)\n",
	       "objective", v->objective, c->obj.prompt, c->obj.alpha, c->obj.l_long, 1 - c->obj.alpha, c->obj.l_short);
	if (dr) {
		printf("  %-24s %14s %14s\n", "HP port", "prefill", "decode");
		for (int h = 0; h < c->dev.n_hp; h++) {
			char lab[2 * PDS_NAME_MAX + 8];
			snprintf(lab, sizeof lab, "%s (%s)", c->dev.hp[h].name, c->dev.ddr.ctrl[c->dev.hp[h].ctrl].name);
			printf("  %-24s %4.0f%% %5.2f GB/s %4.0f%% %5.2f GB/s\n", lab, 100 * dr->port_util[0][h],
			       dr->port_gb_s[0][h], 100 * dr->port_util[1][h], dr->port_gb_s[1][h]);
		}
		printf("  %-24s", "bytes moved");
		for (int k = 0; k < DES_STREAMS; k++)
			printf(" %s %.4g", des_stream_names[k], dr->bytes[k]);
		printf("\n  %-24s %12llu     (%u pending at most, %.3f s wall)\n", "events",
		       (unsigned long long)dr->events, dr->max_in_flight, dr->wall_s);
	}
	printf("  %-24s", "resources");
	for (int t = 0; t < RES_N; t++)
		printf(" %s %.6g (%.0f%%)", res_names[t], res_shown(t, res.r_total.v[t]), 100 * res.util.v[t]);
	printf("\n  %-24s", "equivalent utilisation");
	for (int t = 0; t < RES_N; t++)
		printf(" %s %.0f%%", res_names[t], 100 * res.util_equiv.v[t]);
	printf("\n  %-24s %s%s%s\n", "feasible", v->feasible ? "yes" : "no", v->feasible ? "" : ": ",
	       v->feasible ? "" : v->why);
}

static void print_intervals(const interval_t *iv, const interval_info *info, bool dec, bool dpr)
{
	printf("  intervals: central %.0f%% of %d draws (%d left out); 'unconstrained': most of the width comes\n"
	       "  from coefficients no measurement constrains (assumed ranges, inferred sizes)\n",
	       100 * info->level, info->samples, info->rejected);
	printf("  %-24s %12s %12s %12s   %s\n", "figure", "value", "lo", "hi", "measurements alone");
	for (int k = 0; k < N_FIG; k++)
		if (fig_exists(k, dec, dpr))
			printf("  %-24s %12.6g %12.6g %12.6g   [%.6g, %.6g]%s\n", fig_names[k], shown(k, iv[k].centre),
			       shown(k, iv[k].lo), shown(k, iv[k].hi), shown(k, iv[k].fit_lo), shown(k, iv[k].fit_hi),
			       iv[k].unconstrained ? "  unconstrained" : "");
}

/* The inferred sizes of a named design, with what each resource type gives. */
static json_t *inferred_json(const cfg_design *cd)
{
	json_t *o = json_object();
	for (int k = 0; k < cd->n_inferred; k++) {
		const cfg_inferred *in = &cd->inferred[k];
		json_t *x = json_object(), *bt = json_object();
		json_object_set_new(x, "row", json_string(cfg_row_names[in->row]));
		json_object_set_new(x, "lo", json_integer(in->lo));
		json_object_set_new(x, "centre", json_integer(in->centre));
		json_object_set_new(x, "hi", json_integer(in->hi));
		for (int t = 0; t < RES_N; t++)
			json_object_set_new(bt, res_names[t], isnan(in->by_type[t]) ? json_null() : json_real(in->by_type[t]));
		json_object_set_new(x, "by_type", bt);
		json_object_set_new(o, cfg_size_names[in->size], x);
	}
	return o;
}

static void print_inferred(const cfg_design *cd, const double ends[2][N_FIG], bool dec, bool dpr)
{
	for (int k = 0; k < cd->n_inferred; k++) {
		const cfg_inferred *in = &cd->inferred[k];
		printf("  inferred %-15s %d (range %d .. %d) from %s:", cfg_size_names[in->size], in->centre, in->lo, in->hi,
		       cfg_row_names[in->row]);
		for (int t = 0; t < RES_N; t++)
			if (isnan(in->by_type[t]))
				printf(" %s -", res_names[t]);
			else
				printf(" %s %.1f", res_names[t], in->by_type[t]);
		printf("\n");
	}
	printf("  %-24s %14s %14s\n", "at the range's ends", "lo sizes", "hi sizes");
	static const char *const show[] = {"ttft_s", "decode_tok_s", "swap_exposed_s", "energy_j_per_token", "objective", "lut",
					   "dsp"};
	for (size_t i = 0; i < sizeof show / sizeof show[0]; i++)
		for (int k = 0; k < N_FIG; k++)
			if (strcmp(fig_names[k], show[i]) == 0 && fig_exists(k, dec, dpr))
				printf("  %-24s %14.6g %14.6g\n", show[i], shown(k, ends[0][k]), shown(k, ends[1][k]));
}

static json_t *ends_json(const double v[N_FIG], bool dec, bool dpr)
{
	json_t *o = json_object();
	for (int k = 0; k < N_FIG; k++)
		json_object_set_new(o, fig_names[k], fig_exists(k, dec, dpr) ? json_real(shown(k, v[k])) : json_null());
	return o;
}

/*
 * The --kv-* options against the design they change: words known, the
 * kv_cache section present where it is needed, window and sinks within the
 * context, keys on chip only with a tier region and a tier only with keys,
 * no tier in the RP of a static design.  Prints the error; returns an exit
 * code (EXIT_USAGE).
 */
static int kv_options(const cfg_t *c, const design_t *d, kv_over *o)
{
	*o = (kv_over){-1, A.kv_window, A.kv_sinks, -1};
	for (int i = 0; A.kv_prec && i < KV_N; i++)
		if (strcmp(A.kv_prec, kv_prec_names[i]) == 0)
			o->prec = i;
	if (A.kv_prec && o->prec < 0) {
		cli_err("--kv-precision must be fp16, int8 or int4, got '%s'", A.kv_prec);
		return EXIT_USAGE;
	}
	for (int i = 0; A.kv_tier && i < KV_TIER_N; i++)
		if (strcmp(A.kv_tier, kv_tier_names[i]) == 0)
			o->tier = i;
	if (A.kv_tier && o->tier < 0) {
		cli_err("--kv-tier must be static, rp or none, got '%s'", A.kv_tier);
		return EXIT_USAGE;
	}
	design_t e = *d;
	kv_apply(&e, o);
	const char *why = NULL;
	char buf[256];
	if ((kvcache_quantised(&e) || e.kv_tier != KV_TIER_NONE) && !c->kv.present)
		why = kvcache_quantised(&e) ? "a quantised K/V cache needs the config's kv_cache section"
					    : "an on-chip K/V tier needs the config's kv_cache section";
	else if ((long)e.kv_window + e.kv_sinks > c->model.max_context) {
		snprintf(buf, sizeof buf, "--kv-window %d and --kv-sinks %d keep more keys per layer on chip than model.max_context (%d)",
			 e.kv_window, e.kv_sinks, c->model.max_context);
		why = buf;
	} else if (!kvcache_fits_modules(&e))
		why = "a design naming its modules (rms:) takes the fp16 K/V cache without an on-chip tier";
	else if (e.kv_tier == KV_TIER_RP && e.mode != MODE_DPR)
		why = "--kv-tier rp: a static design has no reconfigurable partition; use --kv-tier static";
	else if (e.kv_tier == KV_TIER_NONE && e.kv_window + e.kv_sinks > 0)
		why = "keys kept on chip (--kv-window, --kv-sinks) need a tier: give --kv-tier static or rp";
	else if (e.kv_tier != KV_TIER_NONE && e.kv_window + e.kv_sinks == 0)
		why = "--kv-tier needs keys to hold: give --kv-window or --kv-sinks";
	if (why) {
		cli_err("%s: %s", c->path, why);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* What the run's K/V cache is, holds and costs. */
static json_t *kv_json(const cfg_t *c, const perf_ctx *p, const figures *f, int keys)
{
	const design_t *d = &p->d;
	json_t *o = json_object();
	json_object_set_new(o, "precision", json_string(kv_prec_names[d->kv_prec]));
	if (kvcache_quantised(d)) {
		json_object_set_new(o, "group_size", json_integer(c->kv.quant[d->kv_prec].group));
		json_object_set_new(o, "scale_bytes", json_integer(c->kv.quant[d->kv_prec].scale_bytes));
		json_object_set_new(o, "accuracy", json_string(KVCACHE_NO_ACCURACY));
	}
	json_object_set_new(o, "key_bytes", json_integer(kvcache_key_bytes(c, d->kv_prec)));
	json_object_set_new(o, "window", json_integer(d->kv_window));
	json_object_set_new(o, "sinks", json_integer(d->kv_sinks));
	json_object_set_new(o, "tier_region", json_string(kv_tier_names[d->kv_tier]));
	json_object_set_new(o, "tier_keys", json_integer(kvcache_tier_keys(d)));
	json_object_set_new(o, "tier_bytes", json_real(kvcache_tier_bytes(c, d)));
	json_object_set_new(o, "tier_memory", json_string(res_names[c->kv.tier_memory]));
	json_object_set_new(o, "tier_blocks", json_integer(kvcache_tier_blocks(c, d)));
	json_object_set_new(o, "tier_banks", json_integer(kvcache_tier_banks(c, d)));
	json_object_set_new(o, "tier_gb_s", json_real(kvcache_tier_b_per_s(c, d) * 1e-9));
	json_object_set_new(o, "step_keys", json_integer(keys));
	json_object_set_new(o, "step_ddr_bytes", json_real(perf_decode_kv_ddr_bytes(p, keys)));
	json_object_set_new(o, "step_tier_bytes", json_real(perf_decode_kv_tier_bytes(p, keys)));
	json_object_set_new(o, "refill_bytes", json_real(f->kv_refill_bytes));
	json_object_set_new(o, "refill_s", json_real(f->kv_refill_s));
	return o;
}

static void print_kv(const cfg_t *c, const perf_ctx *p, const figures *f, int keys)
{
	const design_t *d = &p->d;
	char desc[200];
	kvcache_describe(c, d, desc, sizeof desc);
	printf("  %-24s %s\n", "K/V cache", desc);
	if (kvcache_tier_keys(d) > 0)
		printf("  %-24s %.0f bytes in %lld %s (%lld bank%s, %.2f GB/s)\n", "K/V tier", kvcache_tier_bytes(c, d),
		       (long long)kvcache_tier_blocks(c, d), res_names[c->kv.tier_memory], (long long)kvcache_tier_banks(c, d),
		       kvcache_tier_banks(c, d) == 1 ? "" : "s", kvcache_tier_b_per_s(c, d) * 1e-9);
	if (f->kv_refill_bytes > 0)
		printf("  %-24s %12.6f s  (%.0f bytes from DDR after the swap)\n", "K/V tier refill", f->kv_refill_s,
		       f->kv_refill_bytes);
	printf("  %-24s %.6g bytes from DDR, %.6g from the tier (a step attending %d keys)\n", "K/V per step",
	       perf_decode_kv_ddr_bytes(p, keys), perf_decode_kv_tier_bytes(p, keys), keys);
	if (kvcache_quantised(d))
		printf("  note: %s\n", KVCACHE_NO_ACCURACY);
}

/* The figures of the design that rest on measurements (models/profile.h). */
static json_t *measured_json(const cfg_t *c, const design_t *d)
{
	static const cfg_meas_scope eng[] = {MEAS_TLMM, MEAS_PREFILL, MEAS_DECODE};
	json_t *a = json_array();
	for (size_t i = 0; i < sizeof eng / sizeof eng[0]; i++) {
		if (!profile_has(c, eng[i], d))
			continue;
		for (int f = 0; f < PF_N; f++) {
			profile_prov pv;
			double v = profile_value(c, eng[i], d, f, &pv);
			if (pv.how == PROFILE_PARAMETRIC)
				continue;
			json_t *o = json_object();
			json_object_set_new(o, "engine", json_string(cfg_meas_scope_names[eng[i]]));
			json_object_set_new(o, "figure", json_string(profile_fig_names[f]));
			json_object_set_new(o, "value", json_real(v));
			json_object_set_new(o, "parametric", json_real(profile_parametric(c, eng[i], f, pv.x)));
			json_object_set_new(o, "provenance", json_string(profile_how_names[pv.how]));
			json_object_set_new(o, "units", json_real(pv.x));
			json_object_set_new(o, "points", json_integer(pv.n_points));
			json_object_set_new(o, "measurements",
					    pv.id_lo == pv.id_hi ? json_pack("[I]", (json_int_t)pv.id_lo)
								 : json_pack("[I,I]", (json_int_t)pv.id_lo, (json_int_t)pv.id_hi));
			json_array_append_new(a, o);
		}
	}
	return a;
}

static void print_measured(const cfg_t *c, const design_t *d)
{
	char buf[8192];
	if (profile_explain(c, d, buf, sizeof buf) == 0)
		return;
	printf("  measured profile (the rest is the parametric model):\n");
	for (char *l = buf, *e; *l; l = e + 1) {
		e = strchr(l, '\n');
		printf("    %.*s\n", (int)(e - l), l);
	}
}

int cmd_simulate(int argc, char **argv)
{
	int prc = opt_parse(&cmd_simulate_opts, argc, argv);
	if (prc)
		return prc > 0 ? EXIT_OK : EXIT_USAGE;
	const char *path = A.path, *design = A.design, *model = A.model, *trace = A.trace, *db = A.db;
	int prompt = A.prompt, gen = A.gen;
	bool json = A.json, no_prefetch = A.no_prefetch;
	bool use_des = strcmp(model, "des") == 0;
	if (!use_des && strcmp(model, "analytic") != 0) {
		cli_err("--model must be 'des' or 'analytic', got '%s'", model);
		return EXIT_USAGE;
	}
	if (A.iv_model && strcmp(A.iv_model, "des") != 0 && strcmp(A.iv_model, "analytic") != 0) {
		cli_err("--interval-model must be 'analytic' or 'des', got '%s'", A.iv_model);
		return EXIT_USAGE;
	}
	if (A.plan && strcmp(A.plan, "always") && strcmp(A.plan, "oracle")) {
		cli_err("--plan must be 'always' or 'oracle', got '%s'", A.plan);
		return EXIT_USAGE;
	}
	bool oracle = A.plan && strcmp(A.plan, "oracle") == 0;
	if (!use_des && (trace || no_prefetch)) {
		cli_err("%s needs --model des", trace ? "--trace" : "--no-prefetch");
		return EXIT_USAGE;
	}
	cfg_t c;
	char err[1024];
	if (config_load(&c, path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	int rc = EXIT_USAGE;
	design_t d;
	if (prompt > c.model.max_context || (long)prompt + gen > c.model.max_context) {
		cli_err("--prompt must be an integer in [1, %d] and --gen in [0, %d - L] (model.max_context of %s), got %d and %d",
			c.model.max_context, c.model.max_context, c.path, prompt, gen);
		goto out;
	}
	int di;
	if ((rc = resolve_design(&c, design, db, &d, &di)) != EXIT_OK)
		goto out;
	if ((rc = measures_load(&c, db, !json)) != EXIT_OK)
		goto out;
	kv_over kvo;
	if ((rc = kv_options(&c, &d, &kvo)) != EXIT_OK)
		goto out;
	kv_apply(&d, &kvo);
	workload_t w;
	workload_init(&w, &c.model);
	rms_ctx x;
	rms_prepare(&x, &c, &w, &d);
	rms_plan pl;
	if (plan_of(&c, &w, &d, &x, oracle, prompt, gen, &pl, err, sizeof err)) {
		cli_err("%s", err);
		rc = EXIT_RUNTIME;
		goto out;
	}
	{
		char why[256];
		if (!perf_kv_tier_fits(&x.base, why, sizeof why)) {
			cli_err("the K/V tier of design '%s' does not fit: %s", design, why);
			rc = EXIT_RUNTIME;
			goto out;
		}
	}
	figures fig;
	verdict v;
	des_opts opt = {.trace_path = trace, .name = design, .no_prefetch = no_prefetch};
	des_result dr;
	if (use_des) {
		des_obj ob;
		if (des_run_plan(&c, &w, &d, d.mode == MODE_DPR && !x.legacy ? &pl : NULL, prompt, gen, &opt, &dr, err,
				 sizeof err) ||
		    des_objective(&c, &w, &d, &opt, &ob, err, sizeof err)) {
			cli_err("%s", err);
			rc = EXIT_RUNTIME;
			goto out;
		}
		fig = dr.f;
		verdict_des(&v, &x, &ob);
	} else {
		rms_run_eval(&x, &pl, prompt, gen, &fig);
		verdict_analytic(&v, &x);
	}
	/* the interval of every figure, and the ends of inferred sizes */
	eval_ctx ec = {use_des, prompt, gen, no_prefetch, kvo, oracle};
	int samples = A.samples >= 0 ? A.samples : c.iv.samples;
	interval_t iv[N_FIG];
	interval_info ivi;
	bool have_iv = samples > 0;
	if (have_iv) {
		/* with the DES, by default the analytic draws moved by the DES-analytic difference */
		bool shift = use_des && !(A.iv_model && strcmp(A.iv_model, "des") == 0);
		eval_ctx ic = ec;
		ic.des = use_des && !shift;
		c.iv.samples = samples < 20 ? 20 : samples;
		if (interval_run(&c, di, &d, N_FIG, eval_figs, &ic, iv, &ivi, err, sizeof err)) {
			cli_err("%s", err);
			rc = EXIT_RUNTIME;
			goto out;
		}
		if (shift) {
			double vd[N_FIG];
			perf_res pr;
			rms_resources(&x, &pr);
			fig_vector(&fig, v.objective, &pr, vd);
			for (int k = 0; k < N_FIG; k++) {
				double dlt = vd[k] - iv[k].centre;
				iv[k].centre = vd[k];
				iv[k].lo += dlt;
				iv[k].hi += dlt;
				iv[k].fit_lo += dlt;
				iv[k].fit_hi += dlt;
			}
		}
	}
	bool inferred = di >= 0 && c.designs[di].n_inferred > 0;
	double ends[2][N_FIG];
	for (int e = 0; e < 2 && inferred; e++) {
		design_t de = infer_design_at(&c, di, e ? 1 : -1);
		if (eval_figs(&c, &de, &ec, ends[e], err, sizeof err)) {
			cli_err("%s", err);
			rc = EXIT_RUNTIME;
			goto out;
		}
	}
	if (json) {
		json_t *o = run_json(&c, design, model, &x, &fig, &v);
		plan_json(o, &x, &pl, &fig);
		json_object_set_new(o, "kv_refill_s", json_real(fig.kv_refill_s));
		json_object_set_new(o, "kv_refill_bytes", json_real(fig.kv_refill_bytes));
		json_object_set_new(o, "kv_cache", kv_json(&c, &x.base, &fig, gen > 0 ? prompt + gen : prompt));
		if (use_des) {
			des_json(o, &c, &opt, &dr);
			json_object_set_new(json_object_get(o, "bytes"), "kv_tier", json_real(dr.tier_bytes));
		}
		if (have_iv)
			interval_json(o, iv, &ivi, c.iv.seed, gen > 0, d.mode == MODE_DPR);
		json_object_set_new(o, "measured", measured_json(&c, &d));
		if (inferred) {
			json_object_set_new(o, "inferred", inferred_json(&c.designs[di]));
			json_object_set_new(o, "at_inferred_lo", ends_json(ends[0], gen > 0, d.mode == MODE_DPR));
			json_object_set_new(o, "at_inferred_hi", ends_json(ends[1], gen > 0, d.mode == MODE_DPR));
		}
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
		print_table(&c, design, model, &x, &pl, &fig, &v, &opt, use_des ? &dr : NULL);
		print_kv(&c, &x.base, &fig, gen > 0 ? prompt + gen : prompt);
		print_measured(&c, &d);
		if (inferred)
			print_inferred(&c.designs[di], (const double(*)[N_FIG])ends, gen > 0, d.mode == MODE_DPR);
		if (have_iv)
			print_intervals(iv, &ivi, gen > 0, d.mode == MODE_DPR);
	}
	rc = fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
out:
	cfg_release(&c);
	return rc;
}
