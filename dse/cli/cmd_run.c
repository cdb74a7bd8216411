/*
 * cmd_run.c - `pdswap-dse CONFIG`: the main job.  Sweeps the design space
 * of the config (sweep.h) into results.db, resuming an unfinished run of
 * the same config, and ends with the chosen PD-Swap design against the
 * best static design of the same device, as the DES measured them.  When
 * the run stops early (a signal, a full disk, a database locked too
 * long), it says where the run stopped and prints the command that
 * resumes it.
 */
#include <ctype.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/opt.h"
#include "config/config.h"
#include "explore/sessions.h"
#include "explore/sweep.h"
#include "hls/emit.h"
#include "models/cfg.h"
#include "models/kvcache.h"
#include "models/limits.h"
#include "models/perf.h"
#include "models/rms.h"
#include "models/version.h"
#include "models/workload.h"
#include "report/report.h"
#include "store/measured.h"
#include "store/store.h"

/* Where the chosen design's headers go by default (as for emit-hls). */
#define HLS_OUT "sim/hw/generated"

/* The options, filled by opt_parse(); the command runs once per process. */
static struct {
	const char *path, *db, *hls_out, *shard;
	bool report, all_points, no_progress, threads_given, respect;
	int threads;
	double lock_timeout;
} A = {.db = "results/results.db", .hls_out = HLS_OUT, .lock_timeout = STORE_LOCK_TIMEOUT_S};

static const opt_def run_opts[] = {
	{.name = "--db", .type = OPT_STRING, .value = "FILE", .out = &A.db,
	 .help = "the results database (default results/results.db)"},
	{.name = "--threads", .type = OPT_INT, .value = "N", .out = &A.threads, .lo = 1, .hi = 256,
	 .given = &A.threads_given, .help = "worker threads (default: every online core)"},
	{.name = "--all-points", .type = OPT_FLAG, .out = &A.all_points,
	 .help = "also store every evaluated point, not only the fronts"},
	{.name = "--no-progress", .type = OPT_FLAG, .out = &A.no_progress,
	 .help = "no progress bar (it is drawn only when stderr is a terminal)"},
	{.name = "--hls-out", .type = OPT_STRING, .value = "DIR", .out = &A.hls_out,
	 .help = "where the chosen design's headers go (default " HLS_OUT ")"},
	{.name = "--report", .type = OPT_FLAG, .out = &A.report,
	 .help = "then write the run's report into the directory 'report' beside\n"
		 "FILE (results/report by default; see 'pdswap-dse help report')"},
	{.name = "--lock-timeout", .type = OPT_REAL, .value = "SECONDS", .out = &A.lock_timeout, .lo = 0, .hi = 1e6,
	 .help = "how long to wait for a database another process keeps\n"
		 "locked (another sweep, or any writer) before giving up (default 10)"},
	{.name = "--respect-measured", .type = OPT_FLAG, .out = &A.respect,
	 .help = "refuse the designs whose prefill or decode module is at least as\n"
		 "large as one an imported report shows missing timing or over its\n"
		 "pblock (the partition's contents shrink, as in the PD-Swap flow)"},
	{.name = "--shard", .type = OPT_STRING, .value = "I/N", .out = &A.shard,
	 .help = "sweep only shard I of N (the chunks k with k mod N = I-1), re-check\n"
		 "its fronts with the DES and stop there (no choice, no headers);\n"
		 "'pdswap-dse merge' combines the N shards into one run"},
};

const opt_cmd cmd_run_opts = {
	.name = NULL,
	.args = "CONFIG",
	.about = "Explores the design space of CONFIG (dpr and static architectures), keeps the\n"
		 "Pareto front of each in FILE, re-simulates the fronts with the discrete-event model\n"
		 "and chooses the design that minimises TTFT + alpha*T_dec(long) + (1-alpha)*T_dec(short)\n"
		 "under t_pre_max.  An unfinished run of the same config is resumed.  The HLS config\n"
		 "headers of the chosen design are written into DIR.  Measurements imported into FILE\n"
		 "('pdswap-dse import') that apply to CONFIG replace the parametric figures of the\n"
		 "engines they measured.",
	.opts = run_opts,
	.n_opts = (int)(sizeof run_opts / sizeof run_opts[0]),
	.min_pos = 1,
	.max_pos = 1,
	.pos = &A.path,
};

static void describe(const cfg_t *c, const design_t *d, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "%s, %d MHz, TLMM %dx%d, prefill %d PE x %d lanes block %d, decode %d lanes, "
			 "outstanding %d, ports %s/%s",
			 mode_names[d->mode], d->clock_mhz, d->tlmm_tables, d->tlmm_lanes, d->pre_pe, d->pre_lanes,
			 d->pre_block, d->dec_lanes, d->dec_outstanding, c->arch.port_maps[d->pm_pre].name,
			 c->arch.port_maps[d->pm_dec].name);
	if (d->mode == MODE_DPR && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ", pblock %s", c->arch.pblocks[d->rp].name);
	if (n > 0 && (size_t)n < len) {
		char kv[200];
		kvcache_describe(c, d, kv, sizeof kv);
		n += snprintf(buf + n, len - (size_t)n, ", K/V %s", kv);
	}
	if (d->mode == MODE_DPR && d->rms.n > 0 && n > 0 && (size_t)n < len) {
		char words[1024];
		snprintf(buf + n, len - (size_t)n, "; modules %s", rms_describe(c, d, words, sizeof words));
	}
}

/* A stored figure of point id at length L (the DES's), NAN when absent. */
static double fig(store *s, int64_t run, int64_t id, int L, int which)
{
	store_metric m;
	if (id < 0 || store_get_metric(s, run, id, "des", L, &m) != 0)
		return NAN;
	switch (which) {
	case 0: return m.f.ttft_s;
	case 1: return m.f.decode_tok_s;
	default: return m.f.energy_j_per_token;
	}
}

/* One row of the comparison; the last column names the better design
 * (lower is better unless `higher`), "equal" when the two print alike.
 * With `pair` (the best design of the paper's two modules, when the space
 * has other sets), its column stands between them. */
static void row3(const char *name, double a, double b, const double *pair, const char *fmt, bool higher)
{
	char x[32] = "-", y[32] = "-", z[32] = "-", r[32] = "";
	const char *better = "";
	if (!isnan(a))
		snprintf(x, sizeof x, fmt, a);
	if (!isnan(b))
		snprintf(y, sizeof y, fmt, b);
	if (pair && !isnan(*pair))
		snprintf(z, sizeof z, fmt, *pair);
	if (!isnan(a) && !isnan(b) && b != 0)
		snprintf(r, sizeof r, "%.3f", a / b);
	if (!isnan(a) && !isnan(b))
		better = strcmp(x, y) == 0 ? "equal" : (a > b) == higher ? "dpr" : "static";
	if (pair)
		printf("  %-26s %14s %14s %14s %9s  %s\n", name, x, z, y, r, better);
	else
		printf("  %-26s %14s %14s %9s  %s\n", name, x, y, r, better);
}


/* The closing comparison: the chosen design against the best static one,
 * each row naming the better of the two; with sets of modules in the
 * space, the best design of the paper's two modules beside them. */
static void compare(const cfg_t *c, const workload_t *w, store *s, const sweep_result *r)
{
	int64_t dpr = r->best[MODE_DPR], st = r->best[MODE_STATIC], pr = r->best_pair;
	design_t dd, ds, dp;
	char desc[1600];
	bool hd = dpr >= 0 && store_get_design(s, c, r->run_id, dpr, &dd) == 0;
	bool hs = st >= 0 && store_get_design(s, c, r->run_id, st, &ds) == 0;
	bool hp = pr >= 0 && pr != dpr && store_get_design(s, c, r->run_id, pr, &dp) == 0;
	if (hd) {
		describe(c, &dd, desc, sizeof desc);
		printf("chosen: point %lld (%s)\n", (long long)dpr, desc);
	} else if (hs) {
		describe(c, &ds, desc, sizeof desc);
		printf("chosen: point %lld (%s): no dpr design of the space meets every constraint (%s), so the"
		       " best static design is chosen\n",
		       (long long)st, desc, c->space.mode_dpr ? "see the counts above" : "the space has no dpr mode");
		return;
	}
	if (hp) {
		describe(c, &dp, desc, sizeof desc);
		printf("best of two modules: point %lld (%s)\n", (long long)pr, desc);
	} else if (hd && pr >= 0 && pr == dpr) {
		printf("best of two modules: the chosen design\n");
	}
	if (hs) {
		describe(c, &ds, desc, sizeof desc);
		printf("best static: point %lld (%s)\n", (long long)st, desc);
	}
	if (!hd || !hs)
		return;
	double pv;
	const double *p = hp ? &pv : NULL;
	if (hp)
		printf("  %-26s %14s %14s %14s %9s  %s\n", "discrete-event model", "dpr", "two modules", "static",
		       "dpr/static", "better");
	else
		printf("  %-26s %14s %14s %9s  %s\n", "discrete-event model", "dpr", "static", "dpr/static", "better");
	char name[64];
	for (int i = 0; i < c->wl.n_prompts; i++) {
		int L = c->wl.prompts[i];
		snprintf(name, sizeof name, "TTFT @%d s", L);
		pv = fig(s, r->run_id, pr, L, 0);
		row3(name, fig(s, r->run_id, dpr, L, 0), fig(s, r->run_id, st, L, 0), p, "%.4f", false);
	}
	int ctx[2] = {c->obj.l_short, c->obj.l_long};
	for (int i = 0; i < 2; i++) {
		snprintf(name, sizeof name, "decode tok/s @%d", ctx[i]);
		pv = fig(s, r->run_id, pr, ctx[i], 1);
		row3(name, fig(s, r->run_id, dpr, ctx[i], 1), fig(s, r->run_id, st, ctx[i], 1), p, "%.3f", true);
	}
	for (int i = 0; i < 2; i++) {
		snprintf(name, sizeof name, "energy J/token @%d", ctx[i]);
		pv = fig(s, r->run_id, pr, ctx[i], 2);
		row3(name, fig(s, r->run_id, dpr, ctx[i], 2), fig(s, r->run_id, st, ctx[i], 2), p, "%.4f", false);
	}
	pv = r->best_pair_objective;
	row3("objective s", r->best_objective[MODE_DPR], r->best_objective[MODE_STATIC], p, "%.4f", false);
	rms_ctx pd, ps, pp;
	perf_res rd, rs, rp;
	rms_prepare(&pd, c, w, &dd);
	rms_prepare(&ps, c, w, &ds);
	rms_resources(&pd, &rd);
	rms_resources(&ps, &rs);
	if (hp) {
		rms_prepare(&pp, c, w, &dp);
		rms_resources(&pp, &rp);
	}
	for (int t = 0; t < RES_N; t++) {
		if (hp)
			pv = res_shown(t, rp.r_total.v[t]);
		row3(res_names[t], res_shown(t, rd.r_total.v[t]), res_shown(t, rs.r_total.v[t]), p, "%.6g", false);
	}
	printf("  %-26s", "dpr equivalent utilisation");
	for (int t = 0; t < RES_N; t++)
		printf(" %s %.0f%%", res_names[t], 100 * rd.util_equiv.v[t]);
	printf("\n");
	if (kvcache_quantised(&dd) || kvcache_quantised(&ds))
		printf("  note: %s\n", KVCACHE_NO_ACCURACY);
}

/* argv as one shell command line, each argument quoted when it needs it. */
void cmd_command_line(int argc, char **argv, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < argc && n + 1 < len; i++) {
		const char *a = argv[i];
		bool plain = *a != '\0';
		for (const char *p = a; *p && plain; p++)
			plain = isalnum((unsigned char)*p) || strchr("_-./=:,+@%", *p);
		if (i)
			buf[n++] = ' ';
		if (plain) {
			n += (size_t)snprintf(buf + n, len - n, "%s", a);
		} else {
			/* 'it'\''s': a quote ends the quoting, is escaped, and quoting resumes */
			buf[n++] = '\'';
			for (const char *p = a; *p && n + 5 < len; p++) {
				if (*p == '\'') {
					memcpy(buf + n, "'\\''", 4);
					n += 4;
				} else {
					buf[n++] = *p;
				}
			}
			if (n + 1 < len)
				buf[n++] = '\'';
		}
		if (n >= len)
			n = len - 1;
		buf[n] = '\0';
	}
}

static const char *signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

/* Where a run that stopped early stands, and how to resume it. */
static void stopped_at(const sweep_result *r, const char *db, const char *cmd)
{
	if (r->des_total > 0)
		cli_err("run %lld in %s stopped while the DES re-checked the fronts: all %lld chunks and %lld of %lld "
			 "DES points are stored",
			 (long long)r->run_id, db, (long long)r->n_chunks, (long long)r->des_done,
			 (long long)r->des_total);
	else
		cli_err("run %lld in %s stopped after %lld of %lld chunks; what was committed is kept, and the other "
			 "runs are untouched",
			 (long long)r->run_id, db, (long long)r->chunks_done, (long long)r->n_chunks);
	cli_err("to resume it, run the same command again: %s", cmd);
}

/*
 * The HLS config headers of the chosen design (dse/emit.h), written
 * atomically into dir.  The run is complete in the database whatever
 * happens here; `emit-hls` writes them again from it.  Returns 0 or -1
 * (message printed).
 */
static int emit_chosen(const cfg_t *c, store *s, const sweep_result *r, const char *dir)
{
	design_t d;
	emit_meta m;
	char err[2600];
	if (store_get_design(s, c, r->run_id, r->chosen, &d)) {
		cli_err("%s", store_errmsg(s));
		return -1;
	}
	emit_meta_init(&m, c, &d, NULL, r->run_id, r->chosen);
	if (emit_write(c, &d, &m, dir, err, sizeof err)) {
		cli_err("%s (the run is stored; 'pdswap-dse emit-hls %s' writes the headers again)", err, c->path);
		return -1;
	}
	printf("HLS headers of point %lld written to %s/\n", (long long)r->chosen, dir);
	return 0;
}

/* "I/N" with 1 <= I <= N: 0, or -1 after saying what is wrong. */
static int parse_shard(const char *text, int *i, int *n)
{
	char *end;
	long a = strtol(text, &end, 10), b = -1;
	if (end != text && *end == '/' && isdigit((unsigned char)end[1])) {
		const char *q = end + 1;
		b = strtol(q, &end, 10);
		if (*end)
			b = -1;
	}
	if (!isdigit((unsigned char)*text) || b < 1 || a < 1 || a > b || b > SWEEP_MAX_CHUNKS) {
		cli_err("--shard must be I/N with 1 <= I <= N <= %lld, got '%s'", (long long)SWEEP_MAX_CHUNKS, text);
		return -1;
	}
	*i = (int)a;
	*n = (int)b;
	return 0;
}

/* A shard run's ending: what it holds, and how the shards are merged. */
static void shard_done(const char *path, const char *db, const sweep_opts *o, const sweep_result *r)
{
	printf("%s: shard %d/%d: %lld points, %lld feasible; front %lld dpr + %lld static; run %lld in %s%s (%.2f s)\n",
	       path, o->shard, o->n_shards, (long long)r->n_points, (long long)r->n_feasible,
	       (long long)r->n_front[MODE_DPR], (long long)r->n_front[MODE_STATIC], (long long)r->run_id, db,
	       r->resumed ? ", resumed" : "", r->wall_s);
	printf("when all %d shards are done, merge them into one run: pdswap-dse merge OUT.db SHARD.db...\n",
	       o->n_shards);
}

/* An unfinished run of another model that was not resumed. */
static void stale_note(const sweep_result *r, const char *db)
{
	if (r->other_measured_run)
		cli_err("run %lld in %s took other measurements (%s); it is not resumed; run %lld starts anew",
			(long long)r->other_measured_run, db, r->other_measured_key[0] ? r->other_measured_key : "none",
			(long long)r->run_id);
	if (r->stale_run)
		cli_err("run %lld in %s was made by another model (fingerprint %s; this build's is %s): it is not"
			" resumed; run %lld starts anew",
			(long long)r->stale_run, db, r->stale_fingerprint[0] ? r->stale_fingerprint : "none, an older version",
			version_model_fingerprint(), (long long)r->run_id);
}

int cmd_run_finish(const cfg_t *c, const workload_t *w, store *s, const char *db, const sweep_result *r, int rc,
		   const char *err, const char *cmd, const char *hls_out, bool report)
{
	stale_note(r, db);
	if (rc < 0) {
		cli_err("%s", err);
		if (r->run_id && !store_damaged(s))
			stopped_at(r, db, cmd);
		return EXIT_RUNTIME;
	}
	if (rc == 1) {
		cli_err("interrupted by %s", signal_name(r->signal));
		stopped_at(r, db, cmd);
		return EXIT_RUNTIME;
	}
	char ranks[32] = "";
	if (r->ranks > 1)
		snprintf(ranks, sizeof ranks, " on %d ranks", r->ranks);
	printf("%s: %lld points, %lld feasible; front %lld dpr + %lld static; run %lld in %s%s (%.2f s%s)\n", c->path,
	       (long long)r->n_points, (long long)r->n_feasible, (long long)r->n_front[MODE_DPR],
	       (long long)r->n_front[MODE_STATIC], (long long)r->run_id, db, r->resumed ? ", resumed" : "", r->wall_s,
	       ranks);
	printf("  not feasible: %lld over a utilisation cap, %lld slower than t_pre_max, %lld not fitting a pblock;"
	       " the fronts hold %lld + %lld distinct designs\n",
	       (long long)r->counts.over_cap, (long long)r->counts.too_slow, (long long)r->counts.no_fit,
	       (long long)r->n_distinct[MODE_DPR], (long long)r->n_distinct[MODE_STATIC]);
	if (r->chosen < 0) {
		cli_err("no design of the space of %s meets every constraint (utilisation_cap, rp_routability_margin,"
			" the pblocks, t_pre_max_s); nothing is chosen and no headers are written",
			c->path);
		return EXIT_RUNTIME;
	}
	compare(c, w, s, r);
	rc = fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
	if (rc == EXIT_OK && emit_chosen(c, s, r, hls_out))
		rc = EXIT_RUNTIME;
	if (rc == EXIT_OK && report) {
		char dir[4096], rerr[4096];
		const char *slash = strrchr(db, '/');
		if (slash)
			snprintf(dir, sizeof dir, "%.*s/report", (int)(slash - db), db);
		else
			snprintf(dir, sizeof dir, "report");
		cli_catch_stop(true);
		int wrc = report_write_stop(db, r->run_id, dir, cli_stop_flag(), rerr, sizeof rerr);
		cli_catch_stop(false);
		if (wrc) {
			cli_err("%s (the run is stored in %s)", rerr, db);
			rc = EXIT_RUNTIME;
		} else {
			printf("report written to %s/index.html\n", dir);
		}
	}
	return rc;
}

/*
 * The measurements of the database that apply to the config, into c (a
 * shard run takes none: the shards' databases are merged by a model that
 * does not read them), with --respect-measured the limits they set; their
 * ids, uses and key for the run.  Says what it takes on stderr.  0, or -1
 * after printing why the database could not be read.
 */
static int take_measurements(cfg_t *c, store *s, const char *db, bool shard, bool respect, int64_t *ids,
			     const char **uses, char *key, size_t keysz, int *n)
{
	char err[4096];
	int passed = 0;
	*n = 0;
	key[0] = '\0';
	if (shard) {
		if (respect)
			cli_err("--respect-measured: a shard run takes no measurements (the merge of the shards does not "
				"read them); run the main job on one database to respect them");
		return 0;
	}
	if (measured_load(store_db(s), db, c, &passed, err, sizeof err)) {
		cli_err("%s", err);
		return -1;
	}
	if (c->n_imports || passed)
		cli_err("%s: %d measurement%s of part %s apply (measured profiles replace the parametric figures)%s", db,
			c->n_imports, c->n_imports == 1 ? "" : "s", c->dev.part,
			passed ? "; some name pblocks or port maps this config does not define and are passed over" : "");
	int64_t rids[CFG_MAX_IMPORTS];
	int nr = 0;
	if (respect) {
		limits_from_imports(c);
		if (c->n_limits == 0)
			cli_err("--respect-measured: no imported report of %s shows a module of the partition missing "
				"timing or over its pblock; nothing is refused",
				c->path);
		for (int i = 0; i < c->n_limits; i++) {
			cli_err("respecting %s", c->limits[i].why);
			bool seen = false;
			for (int k = 0; k < nr; k++)
				seen |= rids[k] == c->limits[i].id;
			if (!seen)
				rids[nr++] = c->limits[i].id;
		}
	}
	for (int i = 0; i < c->n_imports; i++)
		if (c->imports[i].scope <= MEAS_DECODE) {
			ids[*n] = c->imports[i].id;
			uses[(*n)++] = "profile";
		}
	for (int i = 0; i < nr; i++) {
		ids[*n] = rids[i];
		uses[(*n)++] = "respect";
	}
	measured_cfg_key(c, rids, nr, key, keysz);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	return cmd_run_with(argc, argv, NULL);
}

int cmd_run_with(int argc, char **argv, const cmd_run_env *env)
{
	int prc = opt_parse(&cmd_run_opts, argc, argv);
	if (prc)
		return prc > 0 ? EXIT_OK : EXIT_USAGE;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	sweep_opts o = {.threads = A.threads_given ? A.threads : ncpu > 0 && ncpu <= 256 ? (int)ncpu : 2,
			.threads_given = A.threads_given,
			.all_points = A.all_points,
			.progress = !A.no_progress && isatty(STDERR_FILENO) == 1,
			.src = env ? env->src : NULL};
	if (A.shard && parse_shard(A.shard, &o.shard, &o.n_shards))
		return EXIT_USAGE;
	if (o.n_shards > 1 && A.report) {
		cli_err("--report draws a whole run: write it from the merged shards ('pdswap-dse merge ... --report')");
		return EXIT_USAGE;
	}
	const char *path = A.path, *db = A.db, *hls_out = A.hls_out;
	bool report = A.report;
	double lock_timeout = A.lock_timeout;
	cfg_t c;
	char err[2600];
	if (config_load(&c, path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	/* a space beyond the sweep's limits is the config's error: said before anything is written */
	int src = sweep_check_space(&c, err, sizeof err);
	if (src) {
		fprintf(stderr, "%s\n", err);
		cfg_release(&c);
		return cli_exit_code(src);
	}
	space_t sp;
	space_init(&sp, &c);
	if (o.n_shards > sp.n_chunks) {
		cli_err("--shard %s: the design space of %s has %lld chunks; it takes at most %lld shards", A.shard, path,
			(long long)sp.n_chunks, (long long)sp.n_chunks);
		cfg_release(&c);
		return EXIT_USAGE;
	}
	workload_t w;
	workload_init(&w, &c.model);
	/* the workloads' traces, read at the end of the sweep: a bad one stops here */
	int trc = sessions_check_traces(&c, err, sizeof err);
	if (trc) {
		fprintf(stderr, "%s\n", err);
		cfg_release(&c);
		return cli_exit_code(trc);
	}
	char cmd[8192];
	size_t lead = 0;
	if (env && env->launcher)
		lead = (size_t)snprintf(cmd, sizeof cmd, "%s ", env->launcher);
	cmd_command_line(argc, argv, cmd + lead, sizeof cmd - lead);
	o.resume_cmd = cmd;
	store *s;
	if (store_open_wait(&s, db, lock_timeout, err, sizeof err)) {
		cli_err("%s", err);
		cfg_release(&c);
		return EXIT_RUNTIME;
	}
	if (store_migrated_from(s))
		cli_err("%s: migrated from schema version %d to %d", db, store_migrated_from(s), STORE_SCHEMA_VERSION);
	int64_t mids[2 * CFG_MAX_IMPORTS];
	const char *muses[2 * CFG_MAX_IMPORTS];
	char mkey[2048] = "";
	if (take_measurements(&c, s, db, o.n_shards > 1, A.respect, mids, muses, mkey, sizeof mkey, &o.n_measured)) {
		store_close(s);
		cfg_release(&c);
		return EXIT_RUNTIME;
	}
	o.measured_ids = mids;
	o.measured_uses = muses;
	o.measured_key = mkey;
	sweep_result r;
	int rc = sweep_run(&c, &w, s, &o, &r, err, sizeof err);
	if (rc == 0 && o.n_shards > 1) {
		stale_note(&r, db);
		shard_done(path, db, &o, &r);
		rc = fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
	} else {
		rc = cmd_run_finish(&c, &w, s, db, &r, rc, err, cmd, hls_out, report);
	}
	store_close(s);
	cfg_release(&c);
	return rc;
}
