/*
 * check_report.c - the report and the export, from a small fixture
 * database built through the store API: a handful of dpr and static points
 * of configs/kv260.yaml (two named designs, swept variants, one infeasible),
 * their analytic metrics, DES rows for the chosen point, a Pareto front and
 * a chosen point.  The figures, the page and the exports are checked with
 * real parsers by tests/report_check.py; refusals and failure paths here.
 */
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "explore/follow.h"
#include "report/export.h"
#include "models/perf.h"
#include "store/rdb.h"
#include "report/report.h"
#include "report/timeline.h"
#include "sim/des.h"
#include "store/store.h"
#include "suites.h"
#include "sim/afile.h"
#include "testutil.h"
#include "cli/cli.h"
#include "models/workload.h"

#define TDIR "build/test_report"
#define DB TDIR "/fixture.db"
#define OUT TDIR "/out"

#define NFIX 8

typedef struct {
	const char *name; /* NULL: a swept point */
	design_t d;
	bool feasible, front;
	double objective, ttft, rate;
} fix_point;

static fix_point FX[NFIX];

/* What the fixture's sweep stores of its space: made-up counts (the report
 * shows what the run stored), two chunks whose sums the page must show. */
#define FIX_SPACE 1024
static const store_counts FIX_CHUNK[2] = {{512, 40, 300, 100, 72}, {512, 13, 250, 201, 48}};
typedef struct {
	arch_mode mode;
	const char *knob;
	int index;
	const char *value;
	int64_t n;
	double best;
} fix_knob;
#define FIX_KNOBS 7
static const fix_knob FIX_KNOB[FIX_KNOBS] = {
	{MODE_DPR, "decode_lanes", 0, "8", 3, 9.25},     {MODE_DPR, "decode_lanes", 1, "16", 5, 8.5},
	{MODE_DPR, "decode_lanes", 3, "48", 2, 10.75},   {MODE_DPR, "outstanding", 0, "4", 4, 8.5},
	{MODE_DPR, "outstanding", 1, "16", 6, 8.50001}, {MODE_STATIC, "clock_mhz", 0, "200", 7, 11.0},
	{MODE_STATIC, "clock_mhz", 1, "250", 9, 9.0}};
static int64_t RUN;
static int CHOSEN; /* index into FX */

static void sh(const char *cmd)
{
	int rc = system(cmd);
	ck_assert_msg(rc == 0, "'%s' failed (%d)", cmd, rc);
}

static bool in_list(const int *v, int n, int x)
{
	for (int i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* The fixture's design points: variations of the two named designs. */
static void fixture_designs(const cfg_t *c)
{
	const design_t *tellme = &c->designs[cfg_find_design(c, "tellme")].d;
	const design_t *pdswap = &c->designs[cfg_find_design(c, "pdswap")].d;
	int rp_s = cfg_find_pblock(c, "rp_s"), rp_l = cfg_find_pblock(c, "rp_l");
	ck_assert(rp_s >= 0 && rp_l >= 0);
	for (int i = 0; i < NFIX; i++) {
		FX[i].name = NULL;
		FX[i].d = i % 2 ? *pdswap : *tellme;
		FX[i].d.pre_burst = FX[i].d.dec_burst = c->space.burst_beats; /* as a sweep makes them */
	}
	FX[0].name = "tellme";
	FX[0].d = *tellme;
	FX[1].name = "pdswap";
	FX[1].d = *pdswap;
	FX[2].d.dec_lanes = 8;        /* static, slower decode */
	FX[3].d.tlmm_tables = 24;     /* dpr, smaller TLMM, faster decode */
	FX[3].d.dec_lanes = 40;
	FX[3].d.rp = rp_l;
	FX[4].d.tlmm_tables = 24;     /* static, smaller TLMM, faster prefill */
	FX[4].d.pre_pe = 12;
	FX[5].d.pre_pe = 8;           /* dpr, small */
	FX[5].d.dec_lanes = 16;
	FX[5].d.rp = rp_s;
	FX[6].d = FX[4].d;            /* static, wider decode */
	FX[6].d.pre_pe = 8;
	FX[6].d.dec_lanes = 24;
	FX[7].d.pre_pe = 64;          /* dpr, far too big: infeasible */
	FX[7].d.pre_lanes = 8;
	FX[7].d.dec_lanes = 64;
}

/*
 * Build the fixture database.  `tamper` stores the chosen point's TTFT at
 * the objective prompt 10% high (as a run of another model version would);
 * `static_only` stores the static points alone.
 */
static void build_fixture(bool tamper, bool static_only, bool older)
{
	cfg_t c;
	tu_load_default(&c);
	workload_t w;
	workload_init(&w, &c.model);
	fixture_designs(&c);
	sh("mkdir -p " TDIR);
	remove(DB);
	remove(DB "-wal");
	remove(DB "-shm");
	store *s;
	char err[1024];
	ck_assert_msg(store_open(&s, DB, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_new_run(s, &c, "sweep", 1, &RUN), 0);
	int n_infeasible = 0, n_stored = 0;
	for (int i = 0; i < NFIX; i++) {
		fix_point *F = &FX[i];
		F->feasible = F->front = false;
		if (static_only && F->d.mode == MODE_DPR)
			continue;
		n_stored++;
		perf_ctx p;
		perf_res res;
		figures r;
		char why[200];
		perf_prepare(&p, &c, &w, &F->d);
		perf_resources(&p, &res);
		F->feasible = perf_feasible(&p, why, sizeof why);
		n_infeasible += !F->feasible;
		F->objective = perf_objective(&p);
		F->ttft = perf_ttft_s(&p, c.obj.prompt);
		F->rate = 1 / (c.obj.alpha * perf_decode_step_s(&p, c.obj.l_long) +
			       (1 - c.obj.alpha) * perf_decode_step_s(&p, c.obj.l_short));
		perf_run_eval(&p, c.obj.prompt, 0, &r);
		store_point sp = {RUN, i, F->name, &F->d, &res, F->feasible, why, F->objective, r.swap_s,
				  r.bitstream_bytes};
		ck_assert_msg(store_put_point(s, &c, &sp) == 0, "%s", store_errmsg(s));
		int L[2 * CFG_MAX_LIST], n = 0;
		for (int k = 0; k < c.wl.n_prompts; k++)
			L[n++] = c.wl.prompts[k];
		for (int k = 0; k < c.wl.n_contexts; k++)
			if (!in_list(L, n, c.wl.contexts[k]))
				L[n++] = c.wl.contexts[k];
		for (int k = 0; k < n; k++) {
			store_metric m = {RUN, i, "analytic", L[k], {NAN, NAN, NAN, NAN, NAN, NAN}};
			unsigned have = 0;
			if (in_list(c.wl.prompts, c.wl.n_prompts, L[k])) {
				perf_run_eval(&p, L[k], 0, &r);
				m.f.ttft_s = r.ttft_s;
				m.f.prefill_s = r.prefill_s;
				have |= STORE_HAVE_PROMPT;
				if (F->d.mode == MODE_DPR) {
					m.f.swap_exposed_s = r.swap_exposed_s;
					have |= STORE_HAVE_SWAP;
				}
			}
			if (in_list(c.wl.contexts, c.wl.n_contexts, L[k])) {
				m.f.decode_step_s = perf_decode_step_s(&p, L[k]);
				m.f.decode_tok_s = 1 / m.f.decode_step_s;
				m.f.energy_j_per_token = perf_decode_energy_j(&p, L[k]);
				have |= STORE_HAVE_DECODE;
			}
			ck_assert_msg(store_put_metric(s, &m, have) == 0, "%s", store_errmsg(s));
		}
	}
	ck_assert_msg(n_infeasible == !static_only, "the fixture holds %d infeasible points", n_infeasible);
	/* the front over (TTFT, decode rate) of the swept points and the chosen
	 * one (lowest objective); the named designs are reference points, as in a sweep */
	CHOSEN = -1;
	for (int i = 0; i < NFIX; i++) {
		if (!FX[i].feasible || FX[i].name) /* also the points not stored */
			continue;
		bool dominated = false;
		for (int j = 0; j < NFIX; j++)
			dominated |= j != i && FX[j].feasible && !FX[j].name && FX[j].ttft <= FX[i].ttft &&
				     FX[j].rate >= FX[i].rate && (FX[j].ttft < FX[i].ttft || FX[j].rate > FX[i].rate);
		FX[i].front = !dominated;
		if (FX[i].front)
			ck_assert_int_eq(store_put_pareto(s, RUN, i), 0);
		if (CHOSEN < 0 || FX[i].objective < FX[CHOSEN].objective)
			CHOSEN = i;
	}
	ck_assert_int_eq(FX[CHOSEN].d.mode, static_only ? MODE_STATIC : MODE_DPR);
	ck_assert_int_eq(store_put_chosen(s, RUN, CHOSEN, FX[CHOSEN].objective), 0);
	/* the best point of each architecture (lowest objective), and what a
	 * sweep stores for the report of the followed points */
	int best[2] = {-1, -1};
	for (int i = 0; i < NFIX; i++) {
		int m = FX[i].d.mode;
		if (FX[i].feasible && !FX[i].name && (best[m] < 0 || FX[i].objective < FX[best[m]].objective))
			best[m] = i;
	}
	int64_t ids[NFIX];
	size_t n_ids = 0;
	for (int m = 0; m < 2; m++)
		if (best[m] >= 0) {
			ck_assert_int_eq(store_put_best(s, RUN, (arch_mode)m, best[m], "analytic", FX[best[m]].objective), 0);
			ids[n_ids++] = best[m];
		}
	/* every named design the run stores, as a sweep follows them */
	for (int i = 0; i < NFIX; i++)
		if (FX[i].name && (!static_only || FX[i].d.mode == MODE_STATIC))
			ids[n_ids++] = i;
	/* what a sweep stores of its space: its settings, its chunks' counts, what each knob did, the front's groups */
	if (!older) {
		store_sweep sw = {false, FIX_SPACE, 2, "fixture", 1, 1};
		ck_assert_msg(store_new_sweep(s, RUN, &sw) == 0, "%s", store_errmsg(s));
		for (int k = 0; k < 2; k++)
			ck_assert_msg(store_put_chunk(s, RUN, k, &FIX_CHUNK[k]) == 0, "%s", store_errmsg(s));
		for (int k = 0; k < FIX_KNOBS; k++)
			ck_assert_msg(store_add_knob(s, RUN, FIX_KNOB[k].mode, FIX_KNOB[k].knob, FIX_KNOB[k].index,
						     FIX_KNOB[k].value, FIX_KNOB[k].n, FIX_KNOB[k].best) == 0,
				      "%s", store_errmsg(s));
		for (int i = 0; i < NFIX; i++)
			if (FX[i].front)
				ck_assert_int_eq(store_put_group(s, RUN, i, i), 0);
	}
	/* a run of an older version stored none of it */
	if (!older) {
		ck_assert_msg(follow_store(s, &c, &w, RUN, ids, n_ids, best[MODE_DPR], err, sizeof err) == 0, "%s", err);
		ck_assert_msg(follow_sessions(s, &c, &w, RUN, best[MODE_DPR], best[MODE_STATIC], 1, err, sizeof err) == 0, "%s",
			      err);
	}
	/* DES rows for the chosen point at two lengths */
	for (int k = 0; k < 2; k++) {
		int L = k ? c.wl.contexts[c.wl.n_contexts - 1] : c.wl.prompts[0];
		store_metric m = {RUN, CHOSEN, "des", L, {NAN, NAN, NAN, NAN, NAN, NAN}};
		if (k) {
			m.f.decode_tok_s = 4.5;
			m.f.decode_step_s = 1 / 4.5;
			m.f.energy_j_per_token = 0.5;
		} else {
			m.f.ttft_s = 0.5;
			m.f.prefill_s = 0.49;
			if (FX[CHOSEN].d.mode == MODE_DPR)
				m.f.swap_exposed_s = 0.01;
		}
		unsigned have = k ? STORE_HAVE_DECODE
				  : STORE_HAVE_PROMPT | (FX[CHOSEN].d.mode == MODE_DPR ? STORE_HAVE_SWAP : 0);
		ck_assert_msg(store_put_metric(s, &m, have) == 0, "%s", store_errmsg(s));
	}
	if (tamper) {
		char sql[256];
		snprintf(sql, sizeof sql,
			 "UPDATE metrics SET ttft_s = ttft_s * 1.1 WHERE run_id = %lld AND point_id = %d"
			 " AND source = 'analytic' AND length = %d",
			 (long long)RUN, CHOSEN, c.obj.prompt);
		ck_assert_int_eq(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
	}
	ck_assert_int_eq(store_finish_run(s, RUN, "complete", n_stored, n_stored - n_infeasible), 0);
	ck_assert_int_eq(store_commit(s), 0);
	store_close(s);
	cfg_release(&c);
}

static void clean(void)
{
	sh("rm -rf " TDIR);
	unsetenv("PDSWAP_GNUPLOT");
}

static void fixture(void)
{
	clean();
	build_fixture(false, false, false);
}

static void label(int i, char *out, size_t n)
{
	if (FX[i].name)
		snprintf(out, n, "%s", FX[i].name);
	else
		snprintf(out, n, "point %d", i);
}

static bool exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

static char *slurp(const char *p)
{
	return tu_read(p, NULL);
}

/* The text of the element with id `id` of the page (tags dropped; malloc'd), or NULL. */
static char *element_text(const char *page, const char *id)
{
	char key[64];
	snprintf(key, sizeof key, " id=%s>", id);
	const char *p = strstr(page, key);
	if (!p)
		return NULL;
	p += strlen(key);
	const char *end = strstr(p, "</td>");
	if (!end)
		return NULL;
	char *out = malloc((size_t)(end - p) + 1), *q = out;
	ck_assert_ptr_nonnull(out);
	bool in_tag = false;
	for (; p < end; p++) {
		if (*p == '<')
			in_tag = true;
		else if (*p == '>')
			in_tag = false;
		else if (!in_tag)
			*q++ = *p;
	}
	*q = '\0';
	return out;
}

START_TEST(report_parses_and_holds_the_series)
{
	char err[4096];
	int rc = report_write(DB, RUN, OUT, err, sizeof err);
	ck_assert_msg(rc == 0, "report_write: %s", err);
	/* expected series follow from the fixture */
	char chosen[64], best_static[64], cmd[6144];
	label(CHOSEN, chosen, sizeof chosen);
	int bs = -1;
	bool dpr_off = false, static_front = false, static_off = false;
	for (int i = 0; i < NFIX; i++) {
		if (!FX[i].feasible || FX[i].name)
			continue;
		if (FX[i].d.mode == MODE_STATIC && (bs < 0 || FX[i].objective < FX[bs].objective))
			bs = i;
		dpr_off |= FX[i].d.mode == MODE_DPR && !FX[i].front;
		static_front |= FX[i].d.mode == MODE_STATIC && FX[i].front;
		static_off |= FX[i].d.mode == MODE_STATIC && !FX[i].front;
	}
	ck_assert_int_ge(bs, 0);
	label(bs, best_static, sizeof best_static);
	int n = snprintf(cmd, sizeof cmd,
			 "python3 tests/report_check.py report " OUT " " DB " %lld"
			 " 'pareto=dpr, Pareto front' 'pareto=chosen: %s' 'pareto=tellme measured'"
			 " 'pareto=tellme (calibrated baseline, model)' 'pareto=pdswap (published PD-Swap, model)'"
			 " 'pareto=best static: %s'",
			 (long long)RUN, chosen, best_static);
	if (dpr_off)
		n += snprintf(cmd + n, sizeof cmd - (size_t)n, " 'pareto=dpr, off the front'");
	if (static_front)
		n += snprintf(cmd + n, sizeof cmd - (size_t)n, " 'pareto=static, Pareto front'");
	if (static_off)
		n += snprintf(cmd + n, sizeof cmd - (size_t)n, " 'pareto=static, off the front'");
	const char *stems[3] = {"ttft", "decode", "energy"};
	for (int k = 0; k < 3; k++)
		n += snprintf(cmd + n, sizeof cmd - (size_t)n,
			      " '%s=PD-Swap (chosen): %s' '%s=published PD-Swap: pdswap' '%s=best static: %s'"
			      " '%s=calibrated baseline: tellme' '%s=stored in the run (analytic)'"
			      " '%s=stored in the run (DES)' '%s=90%% interval (analytic)'",
			      stems[k], chosen, stems[k], stems[k], best_static, stems[k], stems[k], stems[k], stems[k]);
	snprintf(cmd + n, sizeof cmd - (size_t)n,
		 " 'ttft=tellme measured (published)' 'decode=tellme measured (published)'"
		 " 'energy=tellme measured: board power / decode rate (published)'"
		 " 'energy_request=always' 'energy_request=never' 'energy_request=threshold' 'energy_request=static design'"
		 " 'resources=static region' 'resources=prefill attention (RM)' 'resources=decode attention (RM)'"
		 " 'resources=static region + pblock capacity' 'resources=device capacity'"
		 " 'resources=utilisation cap' 'swap=prefill work' 'swap=decode work' 'swap=RP reconfiguring'"
		 " 'swap=swap: PS software path' 'swap=swap: PCAP setup and bitstream' 'swap=LM head on the ARM'"
		 " 'swap=K (port)' 'swap=V (port)' 'breakeven=always e2e (static / policy)' 'breakeven=threshold energy (static / policy)'");
	sh(cmd);
	/* the page: the validation table, no notes, the chosen design by name */
	char *page = slurp(OUT "/index.html");
	ck_assert_msg(strstr(page, "ttft prompt=64") && strstr(page, "decode context=2048"),
		      "the validation table is missing");
	ck_assert_msg(strstr(page, "None: every stored figure"), "unexpected notes on the page: %.600s", strstr(page, "<h2 id=notes>") ? strstr(page, "<h2 id=notes>") : "");
	ck_assert_msg(strstr(page, "PD-Swap (chosen)"), "the chosen design is not followed");
	/* the published design is a row of the designs followed, beside the chosen one and the baseline */
	const char *fol = strstr(page, "<table id=followed>");
	ck_assert_ptr_nonnull(fol);
	const char *fol_end = strstr(fol, "</table>");
	char row[64];
	snprintf(row, sizeof row, "<tr data-point=\"%d\">", 1); /* FX[1] is pdswap */
	const char *pub = strstr(fol, row);
	ck_assert_msg(pub && pub < fol_end && strstr(pub, "published PD-Swap"), "pdswap is not a followed design");
	/* the header: the space, what was pruned by which constraint and what was stored, as the run stored them */
	int64_t sum[5] = {0, 0, 0, 0, 0};
	for (int k = 0; k < 2; k++) {
		sum[0] += FIX_CHUNK[k].points;
		sum[1] += FIX_CHUNK[k].feasible;
		sum[2] += FIX_CHUNK[k].over_cap;
		sum[3] += FIX_CHUNK[k].too_slow;
		sum[4] += FIX_CHUNK[k].no_fit;
	}
	static const char *const ids[5] = {"h-space", "h-feasible", "h-over-cap", "h-too-slow", "h-no-fit"};
	for (int k = 0; k < 5; k++) {
		char *t = element_text(page, ids[k]);
		if (!t) { /* a span inside the pruned cell */
			char key[64];
			snprintf(key, sizeof key, "<span id=%s>", ids[k]);
			const char *p = strstr(page, key);
			ck_assert_msg(p, "the header has no %s", ids[k]);
			t = strdup(p + strlen(key));
		}
		ck_assert_msg(strtoll(t, NULL, 10) == sum[k], "header %s: '%.60s', the chunks sum to %lld", ids[k], t,
			      (long long)sum[k]);
		free(t);
	}
	char *stored = element_text(page, "h-stored");
	ck_assert_ptr_nonnull(stored);
	ck_assert_msg(strstr(stored, "Pareto fronts") && strstr(stored, "pdswap") && strstr(stored, "tellme"),
		      "the header does not say what was stored: %s", stored);
	free(stored);
	ck_assert_msg(!strstr(page, "every feasible point of the run"), "a caption still claims every feasible point");
	/* what each knob does: the spread is the largest less the smallest best objective of its values */
	struct {
		const char *mode, *knob;
		double spread;
		const char *verdict;
	} kn[3] = {{"dpr", "decode_lanes", 10.75 - 8.5, "1 value without a feasible point"},
		   {"dpr", "outstanding", 8.50001 - 8.5, "<b>inert</b>"},
		   {"static", "clock_mhz", 11.0 - 9.0, ""}};
	for (int k = 0; k < 3; k++) {
		char key[128];
		snprintf(key, sizeof key, "<tr data-mode=\"%s\" data-knob=\"%s\">", kn[k].mode, kn[k].knob);
		const char *r = strstr(page, key);
		ck_assert_msg(r, "no knob row %s %s", kn[k].mode, kn[k].knob);
		const char *sp = strstr(r, "data-spread=\"");
		ck_assert_ptr_nonnull(sp);
		double v = strtod(sp + strlen("data-spread=\""), NULL);
		ck_assert_msg(fabs(v - kn[k].spread) <= 1e-9 * fmax(1, kn[k].spread), "%s %s spread %.9g, want %.9g",
			      kn[k].mode, kn[k].knob, v, kn[k].spread);
		const char *end = strstr(r, "</tr>");
		const char *vd = kn[k].verdict[0] ? strstr(r, kn[k].verdict) : NULL;
		ck_assert_msg(!kn[k].verdict[0] || (vd && vd < end), "%s %s does not say '%s'", kn[k].mode, kn[k].knob,
			      kn[k].verdict);
	}
	/* what binds the chosen design, and the validation rows it rests on */
	ck_assert_msg(strstr(page, "<h2 id=binds>") && strstr(page, "<tr class=bind><td>binds</td>") &&
			      strstr(page, "How well the model knows it"),
		      "the binding constraint is missing");
	/* Table 2 rows carry their source as the config states it */
	const char *t2 = strstr(page, "<td>table2 prefill_rm bram36</td>");
	ck_assert_msg(t2 && strstr(t2, "[PDSWAP] Table 2 (LUT, FF, BRAM36, URAM, DSP)") &&
			      strstr(t2, "[PDSWAP] Table 2") < strstr(t2, "</tr>"),
		      "a Table 2 row has no source");
	/* the intervals of the followed designs: a table with a bounded objective per design */
	const char *iv = strstr(page, "<h2 id=intervals>");
	ck_assert_msg(iv && strstr(iv, "<table>") && strstr(iv, "central 90% interval"), "the intervals are missing");
	ck_assert_msg(!strstr(page, "stored no intervals"), "the run's intervals were not read");
	/* the sessions of every workload, each policy and the static design, and the break-even map */
	ck_assert_msg(strstr(page, "<h2 id=sessions>Sessions</h2>") && strstr(page, "<h3>chat</h3>") &&
			      strstr(page, "<h3>conversation</h3>") && strstr(page, "<h3>code</h3>") &&
			      strstr(page, "<tr><td>threshold</td>") && strstr(page, "<tr><td>static</td>") &&
			      strstr(page, "fig/breakeven.svg") && strstr(page, "fig/energy_request.svg"),
		      "the sessions are missing from the page");
	free(page);
	char *gp = slurp(OUT "/fig/ttft.gp");
	ck_assert_msg(strstr(gp, "with filledcurves"), "the TTFT figure draws no interval band");
	free(gp);
	/* the published design in the Pareto data, with its label, at its stored figures */
	gp = slurp(OUT "/fig/pareto.gp");
	char want[256];
	snprintf(want, sizeof want, "$published << EOD\n# ttft_s decode_tok_s point_id design\n%.9g %.9g 1 \"pdswap\"\nEOD\n",
		 FX[1].ttft, FX[1].rate);
	ck_assert_msg(strstr(gp, want), "pareto.gp has no published design block '%s'", want);
	ck_assert_msg(strstr(gp, "set label 10 \"pdswap\" at") || strstr(gp, "set label 11 \"pdswap\" at"),
		      "the published design is not labelled");
	free(gp);
	/* the stored config comes back byte for byte */
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open_v2(DB, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT config_text FROM runs WHERE run_id = ?", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, RUN);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	size_t len;
	char *yaml = tu_read(OUT "/config.yaml", &len);
	ck_assert_uint_eq(len, (size_t)sqlite3_column_bytes(st, 0));
	ck_assert(memcmp(yaml, sqlite3_column_text(st, 0), len) == 0);
	free(yaml);
	sqlite3_finalize(st);
	sqlite3_close(db);
}
END_TEST

START_TEST(same_database_same_bytes)
{
	char err[4096];
	ck_assert_msg(report_write(DB, RUN, OUT "1", err, sizeof err) == 0, "%s", err);
	ck_assert_msg(report_write(DB, 0, OUT "2", err, sizeof err) == 0, "%s", err); /* latest complete */
	sh("python3 tests/report_check.py same " OUT "1 " OUT "2");
	/* and writing over a previous report replaces it whole */
	FILE *f = fopen(OUT "1/fig/stale.svg", "w");
	ck_assert(f != NULL);
	fclose(f);
	ck_assert_msg(report_write(DB, RUN, OUT "1", err, sizeof err) == 0, "%s", err);
	ck_assert(!exists(OUT "1/fig/stale.svg"));
	sh("python3 tests/report_check.py same " OUT "1 " OUT "2");
	sh("test -z \"$(ls -d " OUT "1.* 2>/dev/null)\""); /* no temporary left */
}
END_TEST

START_TEST(stored_figures_that_differ_are_noted)
{
	build_fixture(true, false, false);
	char err[4096];
	ck_assert_msg(report_write(DB, RUN, OUT, err, sizeof err) == 0, "%s", err);
	char *page = slurp(OUT "/index.html");
	ck_assert_msg(strstr(page, "differ from this build&#39;s model") || strstr(page, "differ from this build's model"),
		      "a tampered stored TTFT is not noted");
	free(page);
}
END_TEST

START_TEST(a_run_without_dpr_points)
{
	build_fixture(false, true, false);
	char err[4096];
	ck_assert_msg(report_write(DB, RUN, OUT, err, sizeof err) == 0, "%s", err);
	char chosen[64], cmd[1024];
	label(CHOSEN, chosen, sizeof chosen);
	snprintf(cmd, sizeof cmd,
		 "python3 tests/report_check.py report " OUT " " DB " %lld 'pareto=static, Pareto front'"
		 " 'pareto=chosen: %s' 'ttft=static (chosen): %s' 'resources=static region'",
		 (long long)RUN, chosen, chosen);
	sh(cmd);
	char *page = slurp(OUT "/index.html");
	ck_assert_msg(strstr(page, "no dpr design is followed"), "the page does not say why there is no swap");
	ck_assert(!exists(OUT "/fig/swap.svg"));
	free(page);
}
END_TEST

/* A run of an older version stored no curves, regions, swap or validation
 * rows: the report draws what the run has and says what is missing. */
START_TEST(an_older_run_is_drawn_with_what_it_has)
{
	build_fixture(false, false, true);
	char err[4096];
	ck_assert_msg(report_write(DB, RUN, OUT, err, sizeof err) == 0, "%s", err);
	char *page = slurp(OUT "/index.html");
	static const char *const says[] = {"stored no model curves", "stored no resources per region",
					   "stored no swap", "stored no validation rows", "stored no intervals"};
	for (size_t i = 0; i < sizeof says / sizeof says[0]; i++)
		ck_assert_msg(strstr(page, says[i]), "the page does not say it '%s'", says[i]);
	ck_assert(exists(OUT "/fig/pareto.svg") && exists(OUT "/fig/ttft.svg") && exists(OUT "/fig/decode.svg"));
	ck_assert(!exists(OUT "/fig/resources.svg") && !exists(OUT "/fig/swap.svg"));
	ck_assert_msg(!strstr(page, "fig/resources.svg") && !strstr(page, "fig/swap.svg"),
		      "the page links a figure that was not drawn");
	free(page);
}
END_TEST

START_TEST(gnuplot_missing_writes_nothing)
{
	char err[4096];
	ck_assert_int_eq(report_write(DB, RUN, OUT, err, sizeof err), 0);
	char *before = slurp(OUT "/index.html");
	const char *path = getenv("PATH");
	char *saved = strdup(path ? path : "");
	setenv("PATH", "/nonexistent-dir", 1);
	int rc = report_write(DB, RUN, OUT "_new", err, sizeof err);
	setenv("PATH", saved, 1);
	free(saved);
	ck_assert_int_eq(rc, PDS_FAIL);
	ck_assert_msg(strstr(err, "gnuplot") && strstr(err, "gnuplot-nox"), "message: %s", err);
	ck_assert(!exists(OUT "_new"));
	/* a gnuplot that fails on the figures: the previous report stays as it was */
	FILE *f = fopen(TDIR "/gnuplot", "w");
	ck_assert(f != NULL);
	fputs("#!/bin/sh\n[ \"$1\" = -e ] && exit 0\necho 'line 3: no such thing' >&2\nexit 1\n", f);
	fclose(f);
	chmod(TDIR "/gnuplot", 0755);
	setenv("PDSWAP_GNUPLOT", TDIR "/gnuplot", 1);
	rc = report_write(DB, RUN, OUT, err, sizeof err);
	unsetenv("PDSWAP_GNUPLOT");
	ck_assert_int_eq(rc, PDS_FAIL);
	ck_assert_msg(strstr(err, "gnuplot failed") && strstr(err, "line 3"), "message: %s", err);
	char *after = slurp(OUT "/index.html");
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	sh("test -z \"$(ls -d " OUT ".* 2>/dev/null)\"");
	setenv("PDSWAP_GNUPLOT", "/nonexistent/gnuplot", 1);
	rc = report_write(DB, RUN, OUT "_new", err, sizeof err);
	unsetenv("PDSWAP_GNUPLOT");
	ck_assert_int_eq(rc, PDS_FAIL);
	ck_assert_msg(strstr(err, "gnuplot-nox"), "message: %s", err);
}
END_TEST

static volatile sig_atomic_t stop_flag;

static void on_usr1(int sig)
{
	(void)sig;
	stop_flag = SIGTERM;
}

/* A stop flag set before or during the report (by a signal while gnuplot
 * draws the third figure): PDS_FAIL naming the signal, the previous report
 * as it was, no temporary directory left. */
START_TEST(a_signal_writes_nothing)
{
	char err[4096];
	ck_assert_int_eq(report_write(DB, RUN, OUT, err, sizeof err), 0);
	char *before = slurp(OUT "/index.html");
	stop_flag = SIGTERM;
	ck_assert_int_eq(report_write_stop(DB, RUN, OUT, &stop_flag, err, sizeof err), PDS_FAIL);
	ck_assert_msg(strstr(err, "interrupted by SIGTERM: the report was not written"), "message: %s", err);
	/* during: the gnuplot run that draws the third figure signals this process */
	FILE *f = fopen(TDIR "/gnuplot_sig", "w");
	ck_assert(f != NULL);
	char cwd[2048];
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	fprintf(f, "#!/bin/sh\nc=%s/" TDIR "/calls\nn=$(cat $c 2>/dev/null || echo 0); n=$((n + 1)); echo $n > $c\n"
		   "[ \"$n\" = 4 ] && kill -USR1 $PPID\nexec gnuplot \"$@\"\n",
		cwd);
	fclose(f);
	chmod(TDIR "/gnuplot_sig", 0755);
	unlink(TDIR "/calls");
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &old);
	stop_flag = 0;
	setenv("PDSWAP_GNUPLOT", TDIR "/gnuplot_sig", 1);
	int rc = report_write_stop(DB, RUN, OUT, &stop_flag, err, sizeof err);
	unsetenv("PDSWAP_GNUPLOT");
	sigaction(SIGUSR1, &old, NULL);
	ck_assert_int_eq(rc, PDS_FAIL);
	ck_assert_msg(strstr(err, "interrupted by SIGTERM"), "message: %s", err);
	char *calls = slurp(TDIR "/calls");
	ck_assert_msg(atoi(calls) >= 4 && atoi(calls) < 8, "gnuplot ran %s times", calls);
	free(calls);
	char *after = slurp(OUT "/index.html");
	ck_assert_str_eq(before, after);
	free(after);
	free(before);
	sh("test -z \"$(ls -d " OUT ".* 2>/dev/null)\"");
	/* unset, the same call writes the report */
	stop_flag = 0;
	ck_assert_msg(report_write_stop(DB, RUN, OUT, &stop_flag, err, sizeof err) == 0, "%s", err);
}
END_TEST

START_TEST(refusals)
{
	char err[4096];
	/* a directory that is not a report is never replaced */
	sh("mkdir -p " TDIR "/precious");
	FILE *f = fopen(TDIR "/precious/keep.txt", "w");
	ck_assert(f != NULL);
	fputs("keep\n", f);
	fclose(f);
	ck_assert_int_eq(report_write(DB, RUN, TDIR "/precious", err, sizeof err), PDS_FAIL_REQUEST);
	ck_assert_msg(strstr(err, "not a pdswap report"), "message: %s", err);
	ck_assert(exists(TDIR "/precious/keep.txt"));
	/* nor a file */
	ck_assert_int_eq(report_write(DB, RUN, TDIR "/precious/keep.txt", err, sizeof err), PDS_FAIL_REQUEST);
	/* an empty directory may take the report */
	sh("mkdir -p " TDIR "/empty");
	ck_assert_msg(report_write(DB, RUN, TDIR "/empty/", err, sizeof err) == 0, "%s", err);
	ck_assert(exists(TDIR "/empty/index.html"));
	/* no such run, no such database (and none is created) */
	ck_assert_int_eq(report_write(DB, RUN + 41, OUT, err, sizeof err), PDS_FAIL_REQUEST);
	ck_assert_msg(strstr(err, "no run") && strstr(err, DB), "message: %s", err);
	ck_assert_int_eq(report_write(TDIR "/nosuch.db", 0, OUT, err, sizeof err), PDS_FAIL);
	ck_assert_msg(strstr(err, "no such database"), "message: %s", err);
	ck_assert(!exists(TDIR "/nosuch.db"));
	ck_assert(!exists(OUT));
	/* a run whose stored config no longer loads */
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(DB, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE runs SET config_text = 'schema: 1\n'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(report_write(DB, RUN, OUT, err, sizeof err), PDS_FAIL);
	ck_assert_msg(strstr(err, "stored config does not load"), "message: %s", err);
	ck_assert(!exists(OUT));
	/* a file that is not a database */
	ck_assert_int_eq(report_write(TDIR "/precious/keep.txt", 0, OUT, err, sizeof err), PDS_FAIL);
	ck_assert(!exists(OUT));
}
END_TEST

START_TEST(export_round_trips)
{
	static const char *const what[3] = {"points", "metrics", "pareto"};
	static const char *const fmt[2] = {"csv", "json"};
	sqlite3 *db;
	char err[1024], path[256], cmd[512];
	ck_assert_msg(rdb_open(DB, &db, err, sizeof err) == 0, "%s", err);
	rdb_run r;
	ck_assert_msg(rdb_run_load(db, DB, RUN, &r, err, sizeof err) == 0, "%s", err);
	for (int w = 0; w < 3; w++)
		for (int k = 0; k < 2; k++) {
			export_what ew;
			export_format ef;
			ck_assert_int_eq(export_parse_what(what[w], &ew), 0);
			ck_assert_int_eq(export_parse_format(fmt[k], &ef), 0);
			snprintf(path, sizeof path, TDIR "/%s.%s", what[w], fmt[k]);
			FILE *f = fopen(path, "w");
			ck_assert(f != NULL);
			ck_assert_msg(export_run(db, DB, &r, ew, ef, f, err, sizeof err) == 0, "%s", err);
			fclose(f);
			snprintf(cmd, sizeof cmd, "python3 tests/report_check.py roundtrip " DB " %lld %s %s %s",
				 (long long)RUN, path, what[w], fmt[k]);
			sh(cmd);
		}
	export_what ew;
	export_format ef;
	ck_assert_int_eq(export_parse_what("front", &ew), -1);
	ck_assert_int_eq(export_parse_format("xml", &ef), -1);
	rdb_run_release(&r);
	sqlite3_close(db);
}
END_TEST

START_TEST(points_read_back)
{
	sqlite3 *db;
	char err[1024];
	ck_assert_msg(rdb_open(DB, &db, err, sizeof err) == 0, "%s", err);
	cfg_t c;
	tu_load_default(&c);
	rdb_point *p;
	size_t n;
	ck_assert_msg(rdb_points_load(db, DB, RUN, c.obj.prompt, c.obj.l_long, c.obj.l_short, &p, &n, err,
				      sizeof err) == 0,
		      "%s", err);
	ck_assert_uint_eq(n, NFIX);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(p[i].point_id, (int64_t)i);
		ck_assert_int_eq(p[i].mode, FX[i].d.mode);
		ck_assert_int_eq(p[i].pre_pe, FX[i].d.pre_pe);
		ck_assert(p[i].feasible == FX[i].feasible);
		ck_assert(p[i].on_front == FX[i].front);
		ck_assert(p[i].chosen == ((int)i == CHOSEN));
		ck_assert_double_eq_tol(p[i].ttft_obj_s, FX[i].ttft, 1e-12 * FX[i].ttft);
		double rate = 1 / (c.obj.alpha / p[i].tok_long + (1 - c.obj.alpha) / p[i].tok_short);
		ck_assert_double_eq_tol(rate, FX[i].rate, 1e-9 * FX[i].rate);
	}
	int len[16];
	double val[16];
	ck_assert_int_eq(rdb_series(db, DB, RUN, CHOSEN, "des", "ttft_s", len, val, 16, err, sizeof err), 1);
	ck_assert_double_eq(val[0], 0.5);
	ck_assert_int_eq(rdb_series(db, DB, RUN, CHOSEN, "analytic", "ttft_s; DROP TABLE runs", len, val, 16, err,
				    sizeof err),
			 -1);
	free(p);
	cfg_release(&c);
	sqlite3_close(db);
}
END_TEST

/* The swap timeline of design `name` of the config text `yaml`, as the
 * figure script timeline_write() makes (malloc'd). */
static char *timeline_of(const char *yaml, const char *name)
{
	cfg_t c;
	char err[2048];
	ck_assert_msg(config_load_buffer(&c, "renamed.yaml", yaml, strlen(yaml), err, sizeof err) == 0, "%s", err);
	workload_t w;
	workload_init(&w, &c.model);
	const char *trace = TDIR "/timeline_trace.json";
	sh("mkdir -p " TDIR);
	des_opts o = {.trace_path = trace, .name = name};
	des_result r;
	int i = cfg_find_design(&c, name);
	ck_assert_int_ge(i, 0);
	ck_assert_msg(des_run(&c, &w, &c.designs[i].d, c.obj.prompt, 2, &o, &r, err, sizeof err) == 0, "%s", err);
	timeline_marks m = {r.f.prefill_s - r.f.tail_overlap_s, r.f.prefill_s - r.f.tail_overlap_s + r.f.swap_s,
			    r.f.ttft_s};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(timeline_write(trace, f, &m, "swap", err, sizeof err) == 0, "%s", err);
	fclose(f);
	unlink(trace);
	cfg_release(&c);
	return buf;
}

/* Every "HP<digit>" of `text` as "AXI<digit>" (malloc'd). */
static char *rename_ports(const char *text)
{
	size_t n = strlen(text);
	char *o = malloc(2 * n + 1), *q = o;
	ck_assert_ptr_nonnull(o);
	for (const char *p = text; *p; p++) {
		if (p[0] == 'H' && p[1] == 'P' && p[2] >= '0' && p[2] <= '9') {
			memcpy(q, "AXI", 3);
			q += 3;
			p++;
			continue;
		}
		*q++ = *p;
	}
	*q = '\0';
	return o;
}

/* The timeline classifies spans by the trace vocabulary, not by names:
 * a board whose HP ports are called AXI0..3 draws the same figure, with
 * its own names on the port rows. */
START_TEST(timeline_follows_the_vocabulary_not_names)
{
	char *yaml = tu_read(KV260, NULL), *renamed = rename_ports(yaml);
	ck_assert_ptr_null(strstr(renamed, "HP0"));
	char *a = timeline_of(yaml, "pdswap"), *b = timeline_of(renamed, "pdswap");
	ck_assert_ptr_nonnull(strstr(a, "\"HP0 (DDR port"));
	ck_assert_ptr_nonnull(strstr(b, "\"AXI0 (DDR port"));
	/* every port stream class and every row is drawn */
	for (int k = 8; k <= 12; k++) {
		char key[16];
		snprintf(key, sizeof key, "$c%d using", k);
		ck_assert_msg(strstr(b, key), "class %d (a port stream) is not drawn with renamed ports", k);
	}
	char *back = rename_ports(a); /* HP -> AXI in the original figure */
	ck_assert_msg(strcmp(back, b) == 0, "the renamed board draws another figure");
	free(back);
	free(a);
	free(b);
	free(yaml);
	free(renamed);
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *t = tcase_create("report");
	tcase_add_checked_fixture(t, fixture, clean);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, report_parses_and_holds_the_series);
	tcase_add_test(t, same_database_same_bytes);
	tcase_add_test(t, stored_figures_that_differ_are_noted);
	tcase_add_test(t, a_run_without_dpr_points);
	tcase_add_test(t, an_older_run_is_drawn_with_what_it_has);
	tcase_add_test(t, gnuplot_missing_writes_nothing);
	tcase_add_test(t, a_signal_writes_nothing);
	tcase_add_test(t, refusals);
	tcase_add_test(t, export_round_trips);
	tcase_add_test(t, points_read_back);
	tcase_add_test(t, timeline_follows_the_vocabulary_not_names);
	suite_add_tcase(s, t);
	return s;
}
