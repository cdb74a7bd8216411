/*
 * cmd_simulate.c - `pdswap-dse simulate`: one design, one prompt, N
 * generated tokens, as a readable table or one JSON object.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cmd.h"
#include "perf.h"
#include "sweep.h"
#include "util.h"
#include "workload.h"

static void usage(FILE *f)
{
	fputs("usage: pdswap-dse simulate CONFIG --design NAME --prompt L --gen N [--model analytic] [--json]\n"
	      "                         [--db FILE]\n"
	      "  NAME     a design of the config (e.g. tellme, the calibrated static baseline),\n"
	      "           or 'best' (the design the latest complete sweep of CONFIG in FILE chose;\n"
	      "           a sweep runs first when there is none)\n"
	      "  L        prompt length in tokens (1 .. model.max_context)\n"
	      "  N        tokens generated after the prompt (L + N <= model.max_context)\n"
	      "  --model  analytic (the roofline model)\n"
	      "  --json   print one JSON object instead of a table\n"
	      "  --db     results database for 'best' (default results/results.db)\n",
	      f);
}

/* Fill *d from a design name; prints the error itself.  'best' is the
 * chosen point of the latest complete sweep of this config in `db`
 * (a sweep runs first when there is none). */
static int resolve_design(const cfg_t *c, const char *name, const char *db, design_t *d)
{
	if (strcmp(name, "best") == 0) {
		char err[2600];
		int64_t run, point;
		if (sweep_best_design(c, db, d, &run, &point, err, sizeof err)) {
			util_err("%s", err);
			return -1;
		}
		util_err("design 'best' is point %lld of run %lld in %s", (long long)point, (long long)run, db);
		return 0;
	}
	int i = cfg_find_design(c, name);
	if (i < 0) {
		char list[1024] = "";
		for (int j = 0; j < c->n_designs; j++) {
			strncat(list, j ? ", " : "", sizeof list - strlen(list) - 1);
			strncat(list, c->designs[j].name, sizeof list - strlen(list) - 1);
		}
		util_err("%s: no design named '%s' (designs: %s, or best)", c->path, name, list);
		return -1;
	}
	*d = c->designs[i].d;
	return 0;
}

static json_t *run_json(const cfg_t *c, const char *name, const char *model, const perf_ctx *p,
			const perf_run *r)
{
	perf_res res;
	char why[200];
	perf_resources(p, &res);
	bool feas = perf_feasible(p, why, sizeof why);
	json_t *o = json_object();
	json_object_set_new(o, "design", json_string(name));
	json_object_set_new(o, "mode", json_string(mode_names[p->d.mode]));
	json_object_set_new(o, "model", json_string(model));
	json_object_set_new(o, "config_sha256", json_string(c->sha256));
	json_object_set_new(o, "prompt", json_integer(r->prompt));
	json_object_set_new(o, "gen", json_integer(r->gen));
	json_object_set_new(o, "ttft_s", json_real(r->ttft_s));
	json_object_set_new(o, "prefill_s", json_real(r->prefill_s));
	json_object_set_new(o, "prefill_linear_s", json_real(r->pre_lin_s));
	json_object_set_new(o, "prefill_attention_s", json_real(r->pre_att_s));
	json_object_set_new(o, "decode_s", json_real(r->decode_s));
	json_object_set_new(o, "decode_tok_s", json_real(r->decode_tok_s));
	json_object_set_new(o, "decode_first_step_s", json_real(r->dec_first_s));
	json_object_set_new(o, "swap_s", json_real(r->swap_s));
	json_object_set_new(o, "swap_exposed_s", json_real(r->swap_exposed_s));
	json_object_set_new(o, "tail_overlap_s", json_real(r->tail_s));
	json_object_set_new(o, "pcap_s", json_real(r->pcap_s));
	json_object_set_new(o, "bitstream_bytes", json_real(r->bitstream_bytes));
	for (int t = 0; t < RES_N; t++)
		json_object_set_new(o, res_names[t], json_real(res.r_total.v[t]));
	json_t *eq = json_object();
	for (int t = 0; t < RES_N; t++)
		json_object_set_new(eq, res_names[t], json_real(res.util_equiv.v[t]));
	json_object_set_new(o, "equivalent_utilisation", eq);
	json_object_set_new(o, "energy_j_per_token", json_real(r->energy_j_per_token));
	json_object_set_new(o, "energy_prefill_j", json_real(r->energy_prefill_j));
	json_object_set_new(o, "power_prefill_w", json_real(r->power_prefill_w));
	json_object_set_new(o, "power_decode_w", json_real(r->power_decode_w));
	json_object_set_new(o, "objective", json_real(perf_objective(p)));
	json_object_set_new(o, "feasible", json_boolean(feas));
	if (!feas)
		json_object_set_new(o, "infeasible_reason", json_string(why));
	return o;
}

static void print_table(const char *name, const perf_ctx *p, const perf_run *r)
{
	perf_res res;
	char why[200];
	perf_resources(p, &res);
	bool feas = perf_feasible(p, why, sizeof why);
	printf("design %s (%s), prompt %d, %d generated tokens, analytic model\n", name,
	       mode_names[p->d.mode], r->prompt, r->gen);
	printf("  %-24s %12.4f s\n", "ttft", r->ttft_s);
	printf("  %-24s %12.4f s  (linear %.4f, attention %.4f)\n", "prefill", r->prefill_s, r->pre_lin_s,
	       r->pre_att_s);
	printf("  %-24s %12.4f s\n", "decode", r->decode_s);
	printf("  %-24s %12.3f tok/s\n", "decode rate", r->decode_tok_s);
	if (p->d.mode == MODE_DPR) {
		printf("  %-24s %12.4f s  (PCAP %.4f s, %.0f bytes)\n", "swap", r->swap_s, r->pcap_s,
		       r->bitstream_bytes);
		printf("  %-24s %12.4f s  (tail %.4f s hides the rest)\n", "swap exposed", r->swap_exposed_s,
		       r->tail_s);
	}
	printf("  %-24s %12.4f J  (decode %.2f W, prefill %.2f W)\n", "energy per token",
	       r->energy_j_per_token, r->power_decode_w, r->power_prefill_w);
	printf("  %-24s", "resources");
	for (int t = 0; t < RES_N; t++)
		printf(" %s %.1f (%.0f%%)", res_names[t], res.r_total.v[t], 100 * res.util.v[t]);
	printf("\n  %-24s", "equivalent utilisation");
	for (int t = 0; t < RES_N; t++)
		printf(" %s %.0f%%", res_names[t], 100 * res.util_equiv.v[t]);
	printf("\n  %-24s %s%s%s\n", "feasible", feas ? "yes" : "no", feas ? "" : ": ", feas ? "" : why);
}

int cmd_simulate(int argc, char **argv)
{
	const char *path = NULL, *design = NULL, *model = "analytic", *db = "results/results.db";
	int prompt = -1, gen = -1;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--design") == 0 || strcmp(a, "--prompt") == 0 || strcmp(a, "--gen") == 0 ||
			   strcmp(a, "--model") == 0 || strcmp(a, "--db") == 0) {
			if (i + 1 >= argc) {
				util_err("%s needs a value", a);
				return EXIT_USAGE;
			}
			const char *v = argv[++i];
			if (strcmp(a, "--design") == 0)
				design = v;
			else if (strcmp(a, "--model") == 0)
				model = v;
			else if (strcmp(a, "--db") == 0)
				db = v;
			else if (util_parse_int(a, v, 1, 1 << 20, strcmp(a, "--prompt") == 0 ? &prompt : &gen))
				return EXIT_USAGE;
		} else if (a[0] == '-') {
			util_err("simulate: unknown option '%s'", a);
			usage(stderr);
			return EXIT_USAGE;
		} else if (!path) {
			path = a;
		} else {
			util_err("simulate: unexpected argument '%s'", a);
			return EXIT_USAGE;
		}
	}
	if (!path || !design || prompt < 0 || gen < 0) {
		util_err("simulate needs CONFIG, --design, --prompt and --gen");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(model, "analytic") != 0) {
		util_err("--model must be 'analytic', got '%s'", model);
		return EXIT_USAGE;
	}
	cfg_t c;
	char err[1024];
	if (cfg_load(&c, path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	int rc = EXIT_USAGE;
	design_t d;
	if (prompt + gen > c.model.max_context) {
		util_err("--prompt %d plus --gen %d exceeds the model's max_context %d", prompt, gen,
			 c.model.max_context);
		goto out;
	}
	if (resolve_design(&c, design, db, &d))
		goto out;
	wl_t w;
	wl_init(&w, &c.model);
	perf_ctx p;
	perf_run r;
	perf_prepare(&p, &c, &w, &d);
	perf_run_eval(&p, prompt, gen, &r);
	if (json) {
		json_t *o = run_json(&c, design, model, &p, &r);
		char *s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		json_decref(o);
		if (!s) {
			util_err("out of memory");
			rc = EXIT_RUNTIME;
			goto out;
		}
		puts(s);
		free(s);
	} else {
		print_table(design, &p, &r);
	}
	rc = fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
out:
	cfg_release(&c);
	return rc;
}
