/*
 * report.c - the HTML report of one stored run (see report.h).
 *
 * Data flow: results.db (runs + views) -> the designs the report follows
 * -> figures (gnuplot scripts with inline data) and the page.  Three
 * designs are followed through every figure:
 *
 *   PD-Swap   the run's chosen point when it is a dpr design, otherwise the
 *             feasible dpr point of lowest stored objective;
 *   static    the feasible static point of lowest stored objective;
 *   baseline  measurements.fit_design of the run's config, the calibrated
 *             static baseline, with its measured points.
 *
 * A stored point is turned back into a design_t from its v_points columns
 * (the config's own design when the point is a named one; swept points
 * take the sweep's burst length), and the analytic model recomputes what
 * the database holds only at the workload lengths: dense curves, resources
 * per region, the swap.  Where the recomputed figures and the stored ones
 * differ (a run made by another version of the model), the page says so.
 *
 * Nothing is written to the database and nothing at the output path
 * changes until the complete report is renamed into place.
 */
#include "report/report.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/calib.h"
#include "config/config.h"
#include "models/cfg.h"
#include "sim/des.h"
#include "models/perf.h"
#include "report/plot.h"
#include "store/rdb.h"
#include "report/timeline.h"
#include "models/workload.h"
#include "models/version.h"
#include "sim/afile.h"

#define MARKER ".pdswap-report"
#define MAX_NOTES 24
#define MAX_SAMPLES 64
#define MAX_CLOUD 4000 /* off-front points drawn in the Pareto figure */
#define REL_TOL 1e-6   /* stored vs recomputed figures */
#define SWAP_GEN 2     /* decode steps in the swap timeline */

static const char *const COL_DPR = "#0072B2";
static const char *const COL_STATIC = "#D55E00";
static const char *const COL_BASE = "#009E73";
static const char *const COL_STATIC_REGION = "#9E9E9E";
static const char *const COL_PRE = "#56B4E9";
static const char *const COL_DEC = "#E69F00";

/* Resource names as the figures and the page print them (res_type order). */
static const char *const res_label[RES_N] = {"LUT", "FF", "BRAM36", "URAM", "DSP"};

typedef struct {
	bool present;
	char role[64];    /* what the design stands for in the report */
	char name[96];    /* its name, or "point N" */
	char why[160];    /* how it was picked */
	const rdb_point *pt; /* NULL when it is not a stored point */
	design_t d;
	perf_ctx p;
	const char *color;
	double max_rel_diff; /* stored vs recomputed metrics */
} report_design;

typedef struct {
	const char *db_path;
	struct sqlite3 *db;
	rdb_run run;
	bool run_loaded;
	cfg_t cfg;
	bool cfg_loaded;
	workload_t wl;
	rdb_point *pts;
	size_t n_pts;
	size_t n_feasible, n_drawn_missing, n_front, n_cloud_skipped;
	report_design dpr, stat, base;
	bool has_meas;
	bool has_swap;      /* the swap timeline was drawn */
	des_result des;     /* the DES run behind it */
	figures ana;        /* the analytic model of the same inference */
	char gnuplot[4096];
	char tmp[4096], fig[4200];
	int n_notes;
	char notes[MAX_NOTES][640];
	char *err;
	size_t errlen;
} report_ctx;

static void note(report_ctx *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(report_ctx *R, const char *fmt, ...)
{
	if (R->n_notes >= MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(R->notes[R->n_notes++], sizeof R->notes[0], fmt, ap);
	va_end(ap);
}

static int fail(report_ctx *R, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(report_ctx *R, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(R->err, R->errlen, fmt, ap);
	va_end(ap);
	return code;
}

/* ------------------------------------------------------------ files */

/* Remove a directory tree the report wrote (regular files and directories). */
static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char p[4400];
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			struct stat sb;
			if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
				rm_tree(p);
			else
				unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* 1 when DIR holds the report marker, 0 when it is empty, -1 otherwise. */
static int dir_state(const char *dir)
{
	char m[4200];
	snprintf(m, sizeof m, "%s/%s", dir, MARKER);
	if (access(m, F_OK) == 0)
		return 1;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int state = 0;
	struct dirent *e;
	while (state == 0 && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			state = -1;
	closedir(d);
	return state;
}

/* May the report be written at OUT?  0, or an exit code with err set. */
static int check_outdir(report_ctx *R, const char *out)
{
	struct stat sb;
	if (lstat(out, &sb) != 0)
		return errno == ENOENT ? 0 : fail(R, PDS_FAIL, "%s: %s", out, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return fail(R, PDS_FAIL_REQUEST, "%s: exists and is not a directory; refusing to replace it", out);
	if (dir_state(out) < 0)
		return fail(R, PDS_FAIL_REQUEST,
			    "%s: an existing directory that is not a pdswap report (no %s inside); refusing to"
			    " replace it (choose another --out)",
			    out, MARKER);
	return 0;
}

static FILE *open_out(report_ctx *R, const char *dir, const char *name)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		fail(R, PDS_FAIL, "%s: cannot write: %s", path, strerror(errno));
	return f;
}

static int close_out(report_ctx *R, FILE *f, const char *dir, const char *name)
{
	bool bad = ferror(f) != 0;
	if (fclose(f) != 0)
		bad = true;
	if (bad)
		return fail(R, PDS_FAIL, "%s/%s: write error", dir, name);
	return 0;
}

/* ------------------------------------------------------- the designs */

static bool has_baseline(const cfg_t *c)
{
	int i = c->meas.fit_design[0] ? cfg_find_design(c, c->meas.fit_design) : -1;
	return i >= 0;
}

static void point_label(const rdb_point *p, char *out, size_t n)
{
	if (p->design_name[0])
		snprintf(out, n, "%s", p->design_name);
	else
		snprintf(out, n, "point %lld", (long long)p->point_id);
}

/*
 * A stored point as a design_t.  A named design of the config is taken
 * from the config (v_points does not hold the burst lengths); a swept one
 * from its columns, with the sweep's burst length.  Returns 0 or -1.
 */
static int point_design(report_ctx *R, const rdb_point *pt, design_t *d)
{
	const cfg_t *c = &R->cfg;
	int i = pt->design_name[0] ? cfg_find_design(c, pt->design_name) : -1;
	design_t x;
	memset(&x, 0, sizeof x);
	x.mode = pt->mode;
	x.clock_mhz = pt->clock_mhz;
	x.tlmm_tables = pt->tlmm_tables;
	x.tlmm_lanes = pt->tlmm_lanes;
	x.pre_pe = pt->pre_pe;
	x.pre_lanes = pt->pre_lanes;
	x.pre_block = pt->pre_block;
	x.pre_outstanding = pt->pre_outstanding;
	x.dec_lanes = pt->dec_lanes;
	x.dec_outstanding = pt->dec_outstanding;
	x.pre_burst = x.dec_burst = c->space.burst_beats;
	x.pm_pre = cfg_find_portmap(c, pt->pm_prefill);
	x.pm_dec = cfg_find_portmap(c, pt->pm_decode);
	x.rp = pt->mode == MODE_DPR ? cfg_find_pblock(c, pt->pblock) : -1;
	if (i >= 0) {
		const design_t *n = &c->designs[i].d;
		x.pre_burst = n->pre_burst;
		x.dec_burst = n->dec_burst;
		if (memcmp(&x, n, sizeof x) != 0)
			note(R, "stored point %lld is named '%s' but its columns differ from that design of the run's"
				" config; the report follows the stored columns",
			     (long long)pt->point_id, pt->design_name);
	}
	char why[256];
	if (x.pm_pre < 0 || x.pm_dec < 0 || (pt->mode == MODE_DPR && x.rp < 0) ||
	    cfg_check_design(c, &x, why, sizeof why)) {
		note(R, "stored point %lld names a port map or pblock that the run's config does not have"
			" ('%s', '%s', '%s'); it cannot be recomputed",
		     (long long)pt->point_id, pt->pm_prefill, pt->pm_decode, pt->pblock);
		return -1;
	}
	*d = x;
	return 0;
}

static const rdb_point *best_point(const report_ctx *R, arch_mode mode)
{
	const rdb_point *best = NULL;
	for (size_t i = 0; i < R->n_pts; i++) {
		const rdb_point *p = &R->pts[i];
		if (p->mode != mode || !p->feasible || isnan(p->objective))
			continue;
		if (!best || p->objective < best->objective)
			best = p;
	}
	return best;
}

static void follow(report_ctx *R, report_design *D, const rdb_point *pt, const char *role, const char *color)
{
	if (!pt || point_design(R, pt, &D->d))
		return;
	D->present = true;
	D->pt = pt;
	D->color = color;
	snprintf(D->role, sizeof D->role, "%s", role);
	point_label(pt, D->name, sizeof D->name);
	perf_prepare(&D->p, &R->cfg, &R->wl, &D->d);
}

static void pick_designs(report_ctx *R)
{
	const rdb_point *chosen = NULL;
	for (size_t i = 0; i < R->n_pts; i++)
		if (R->pts[i].chosen)
			chosen = &R->pts[i];
	if (chosen && chosen->mode == MODE_DPR) {
		follow(R, &R->dpr, chosen, "PD-Swap (chosen)", COL_DPR);
		snprintf(R->dpr.why, sizeof R->dpr.why, "the point the run chose (lowest objective)");
	} else {
		follow(R, &R->dpr, best_point(R, MODE_DPR), "PD-Swap (best)", COL_DPR);
		snprintf(R->dpr.why, sizeof R->dpr.why, "%s; the feasible dpr point of lowest stored objective",
			 chosen ? "the run chose a static point" : "the run stored no chosen point");
	}
	if (chosen && chosen->mode == MODE_STATIC) {
		follow(R, &R->stat, chosen, "static (chosen)", COL_STATIC);
		snprintf(R->stat.why, sizeof R->stat.why, "the point the run chose (lowest objective)");
	} else {
		follow(R, &R->stat, best_point(R, MODE_STATIC), "best static", COL_STATIC);
		snprintf(R->stat.why, sizeof R->stat.why, "the feasible static point of lowest stored objective");
	}
	if (!R->dpr.present)
		note(R, "the run holds no feasible dpr point with an objective: no PD-Swap design is followed");
	if (!R->stat.present)
		note(R, "the run holds no feasible static point with an objective: no static design is followed");
	if (R->has_meas) {
		report_design *B = &R->base;
		int i = cfg_find_design(&R->cfg, R->cfg.meas.fit_design);
		B->present = true;
		B->d = R->cfg.designs[i].d;
		B->color = COL_BASE;
		snprintf(B->role, sizeof B->role, "calibrated baseline");
		snprintf(B->name, sizeof B->name, "%s", R->cfg.meas.fit_design);
		snprintf(B->why, sizeof B->why, "measurements.fit_design of the run's config");
		perf_prepare(&B->p, &R->cfg, &R->wl, &B->d);
		for (size_t k = 0; k < R->n_pts; k++)
			if (strcmp(R->pts[k].design_name, B->name) == 0)
				B->pt = &R->pts[k];
	}
}

static double model_ttft(const report_design *D, int L)
{
	return perf_ttft_s(&D->p, L);
}

static double model_tok(const report_design *D, int L)
{
	return 1.0 / perf_decode_step_s(&D->p, L);
}

/* Compare the stored analytic metrics of a followed design with this build's model. */
static int check_stored(report_ctx *R, report_design *D)
{
	if (!D->present || !D->pt)
		return 0;
	int len[2 * CFG_MAX_LIST + 8];
	double val[2 * CFG_MAX_LIST + 8];
	static const char *const cols[] = {"ttft_s", "decode_tok_s"};
	for (int k = 0; k < 2; k++) {
		int n = rdb_series(R->db, R->db_path, R->run.run_id, D->pt->point_id, "analytic", cols[k], len,
				   val, (int)(sizeof len / sizeof len[0]), R->err, R->errlen);
		if (n < 0)
			return PDS_FAIL;
		for (int i = 0; i < n; i++) {
			double m = k ? model_tok(D, len[i]) : model_ttft(D, len[i]);
			double rel = fabs(m - val[i]) / fmax(fabs(val[i]), 1e-300);
			if (rel > D->max_rel_diff)
				D->max_rel_diff = rel;
		}
	}
	if (D->max_rel_diff > REL_TOL)
		note(R, "%s: the stored analytic figures differ from this build's model by up to %.3g%% (run made by"
			" version %s, report by %s); the curves are recomputed, the dots are stored",
		     D->name, 100 * D->max_rel_diff, R->run.tool_version, PDS_VERSION);
	return 0;
}

/* ------------------------------------------------------ figure helpers */

/* `n` lengths from lo to hi, geometric, rounded, distinct, both ends kept. */
static int sample_lengths(int lo, int hi, int *out, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++) {
		int L = (int)lround(lo * pow((double)hi / lo, (double)i / (n - 1)));
		if (k == 0 || L > out[k - 1])
			out[k++] = L;
	}
	return k;
}

/* Tics at powers of two (lengths in tokens). */
static void pow2_tics(FILE *f, const char *axis, int lo, int hi)
{
	fprintf(f, "set %stics (", axis);
	bool first = true;
	for (long v = 1; v <= 1L << 30; v *= 2)
		if (v >= lo && v <= hi) {
			fprintf(f, "%s\"%ld\" %ld", first ? "" : ", ", v, v);
			first = false;
		}
	fputs(")\n", f);
}

/* A log axis over [lo, hi] with tics at 1, 2, 5 x 10^k. */
static void log_axis(FILE *f, const char *axis, double lo, double hi)
{
	fprintf(f, "set logscale %s 10\nset %srange [%.6g:%.6g]\nset %stics (", axis, axis, lo, hi, axis);
	bool first = true;
	for (int e = -6; e <= 9; e++)
		for (int m = 1; m <= 5; m += (m == 1 ? 1 : 3)) {
			double v = m * pow(10, e);
			if (v >= lo * 0.999 && v <= hi * 1.001) {
				fprintf(f, "%s\"%g\" %g", first ? "" : ", ", v, v);
				first = false;
			}
		}
	fputs(")\n", f);
}

/* An axis over values in [lo, hi]: log when they span more than `decades` x. */
static void auto_axis(FILE *f, const char *axis, double lo, double hi, double span)
{
	if (lo > 0 && hi / lo > span) {
		log_axis(f, axis, lo / 1.25, hi * 1.25);
	} else {
		double pad = (hi - lo) * 0.08 + (hi == lo ? fabs(hi) * 0.1 + 1e-9 : 0);
		double a = lo - pad < 0 && lo >= 0 ? 0 : lo - pad;
		fprintf(f, "set %srange [%.6g:%.6g]\n", axis, a, hi + pad);
	}
}

/* A plot command built one series at a time (gnuplot refuses an empty series). */
typedef struct {
	char buf[8192];
	size_t n;
} plotcmd;

static void series(plotcmd *pc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void series(plotcmd *pc, const char *fmt, ...)
{
	if (pc->n >= sizeof pc->buf - 8)
		return;
	pc->n += (size_t)snprintf(pc->buf + pc->n, sizeof pc->buf - pc->n, "%s", pc->n ? ", \\\n     " : "plot ");
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(pc->buf + pc->n, sizeof pc->buf - pc->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		pc->n += (size_t)k;
	if (pc->n >= sizeof pc->buf)
		pc->n = sizeof pc->buf - 1;
}

/* Write the datablock `$name` of (x, y) rows; returns the number of rows. */
static int block_xy(FILE *f, const char *name, const int *x, const double *y, int n)
{
	fprintf(f, "$%s << EOD\n", name);
	int k = 0;
	for (int i = 0; i < n; i++)
		if (isfinite(y[i]) && y[i] > 0) {
			fprintf(f, "%d ", x[i]);
			plot_num(f, y[i]);
			fputc('\n', f);
			k++;
		}
	fputs("EOD\n", f);
	return k;
}

static int finish_fig(report_ctx *R, FILE *f, const char *stem, const plotcmd *pc)
{
	fprintf(f, "%s\n", pc->buf);
	plot_png(f, stem);
	char name[64];
	snprintf(name, sizeof name, "%s.gp", stem);
	int rc = close_out(R, f, R->fig, name);
	if (rc)
		return rc;
	if (plot_run(R->gnuplot, R->fig, name, R->err, R->errlen))
		return PDS_FAIL;
	return 0;
}

static double mix_rate(const cfg_t *c, double tok_long, double tok_short)
{
	double a = c->obj.alpha;
	return 1.0 / (a / tok_long + (1 - a) / tok_short);
}

/* ------------------------------------------------------- Pareto front */

static int fig_pareto(report_ctx *R)
{
	const cfg_t *c = &R->cfg;
	FILE *f = open_out(R, R->fig, "pareto.gp");
	if (!f)
		return PDS_FAIL;
	plot_begin(f, "pareto");
	/* four clouds: dpr/static x on/off the front; columns ttft, rate, kLUT, id */
	static const char *const names[4] = {"dpr_off", "static_off", "dpr_front", "static_front"};
	int count[4] = {0, 0, 0, 0};
	double xlo = INFINITY, xhi = 0, ylo = INFINITY, yhi = 0, clo = INFINITY, chi = 0;
	size_t n_off = 0;
	for (size_t i = 0; i < R->n_pts; i++)
		n_off += R->pts[i].feasible && !R->pts[i].on_front;
	size_t stride = n_off > MAX_CLOUD ? (n_off + MAX_CLOUD - 1) / MAX_CLOUD : 1;
	for (int s = 0; s < 4; s++) {
		fprintf(f, "$%s << EOD\n# ttft_s decode_tok_s kLUT point_id\n", names[s]);
		size_t off_seen = 0;
		for (size_t i = 0; i < R->n_pts; i++) {
			const rdb_point *p = &R->pts[i];
			bool front = s >= 2, dpr = s % 2 == 0;
			if (!p->feasible || p->on_front != front || (p->mode == MODE_DPR) != dpr)
				continue;
			double y = mix_rate(c, p->tok_long, p->tok_short);
			if (!(isfinite(p->ttft_obj_s) && isfinite(y) && p->ttft_obj_s > 0 && y > 0))
				continue;
			if (!front && off_seen++ % stride != 0) {
				R->n_cloud_skipped++;
				continue;
			}
			fprintf(f, "%.9g %.9g %.6g %lld\n", p->ttft_obj_s, y, p->r.v[RES_LUT] / 1e3,
				(long long)p->point_id);
			count[s]++;
			xlo = fmin(xlo, p->ttft_obj_s);
			xhi = fmax(xhi, p->ttft_obj_s);
			ylo = fmin(ylo, y);
			yhi = fmax(yhi, y);
			clo = fmin(clo, p->r.v[RES_LUT] / 1e3);
			chi = fmax(chi, p->r.v[RES_LUT] / 1e3);
		}
		fputs("EOD\n", f);
	}
	/* the calibrated baseline: model and measurement at the objective's lengths */
	double bx = NAN, by = NAN, mx = NAN, my = NAN;
	if (R->base.present) {
		bx = model_ttft(&R->base, c->obj.prompt);
		by = mix_rate(c, model_tok(&R->base, c->obj.l_long), model_tok(&R->base, c->obj.l_short));
		double ml = NAN, ms = NAN;
		for (int i = 0; i < c->meas.n_ttft; i++)
			if (c->meas.ttft[i].prompt == c->obj.prompt)
				mx = c->meas.ttft[i].value;
		for (int i = 0; i < c->meas.n_decode; i++) {
			if (c->meas.decode[i].prompt == c->obj.l_long)
				ml = c->meas.decode[i].value;
			if (c->meas.decode[i].prompt == c->obj.l_short)
				ms = c->meas.decode[i].value;
		}
		my = mix_rate(c, ml, ms);
		double xs[2] = {bx, mx}, ys[2] = {by, my};
		for (int i = 0; i < 2; i++)
			if (isfinite(xs[i]) && isfinite(ys[i])) {
				xlo = fmin(xlo, xs[i]);
				xhi = fmax(xhi, xs[i]);
				ylo = fmin(ylo, ys[i]);
				yhi = fmax(yhi, ys[i]);
			}
	}
	const rdb_point *ch = NULL;
	for (size_t i = 0; i < R->n_pts; i++)
		if (R->pts[i].chosen)
			ch = &R->pts[i];
	double chy = ch ? mix_rate(c, ch->tok_long, ch->tok_short) : NAN;
	if (ch && !(isfinite(ch->ttft_obj_s) && isfinite(chy)))
		ch = NULL;

	size_t drawn = (size_t)(count[0] + count[1] + count[2] + count[3]);
	if (drawn == 0) {
		fclose(f);
		return fail(R, PDS_FAIL,
			    "%s: run %lld has no feasible point with ttft_s at prompt %d and decode_tok_s at %d and %d"
			    " in v_metrics; nothing to draw",
			    R->db_path, (long long)R->run.run_id, c->obj.prompt, c->obj.l_long, c->obj.l_short);
	}
	fprintf(f, "set title \"Design space of run %lld: %zu feasible point%s drawn\"\n", (long long)R->run.run_id,
		drawn, drawn == 1 ? "" : "s");
	fprintf(f, "set xlabel \"TTFT at a %d-token prompt (s), lower is better\"\n", c->obj.prompt);
	fprintf(f,
		"set ylabel \"decode rate (tok/s), 1 / (%.2g/r(%d) + %.2g/r(%d)), higher is better\"\n",
		c->obj.alpha, c->obj.l_long, 1 - c->obj.alpha, c->obj.l_short);
	auto_axis(f, "x", xlo, xhi, 10);
	auto_axis(f, "y", ylo, yhi, 10);
	fputs("set cblabel \"LUTs of the design (thousands)\"\n"
	      "set palette defined (0 '#1f2d6b', 1 '#2a788e', 2 '#3aa66a', 3 '#c99a00')\n",
	      f);
	if (chi - clo < 1)
		fprintf(f, "set cbrange [%.6g:%.6g]\n", clo - 1, chi + 1);
	fputs("set colorbox vertical user origin graph 1.02, graph 0 size character 1.5, graph 1\n"
	      "set rmargin 14\n"
	      "set bmargin 9\n"
	      "set key at screen 0.5, screen 0.015 center bottom horizontal maxrows 3 width 2\n",
	      f);
	plotcmd pc = {{0}, 0};
	if (count[0])
		series(&pc, "$dpr_off using 1:2:3 with points pt 6 ps 1.6 lw 2.2 lc palette title \"dpr, off the front\"");
	if (count[1])
		series(&pc, "$static_off using 1:2:3 with points pt 8 ps 1.6 lw 2.2 lc palette title \"static, off the front\"");
	if (count[2])
		series(&pc, "$dpr_front using 1:2:3 with points pt 7 ps 2.0 lc palette title \"dpr, Pareto front\"");
	if (count[3])
		series(&pc, "$static_front using 1:2:3 with points pt 9 ps 2.3 lc palette title \"static, Pareto front\"");
	if (ch) {
		char lab[96];
		point_label(ch, lab, sizeof lab);
		fprintf(f, "$chosen << EOD\n%.9g %.9g\nEOD\n", ch->ttft_obj_s, chy);
		fputs("set label 1 ", f);
		plot_quote(f, lab);
		fprintf(f, " at %.9g, %.9g offset 1.8,1.4 front font ',12'\n", ch->ttft_obj_s, chy);
		char t[128];
		snprintf(t, sizeof t, "chosen: %s", lab);
		series(&pc, "$chosen using 1:2 with points pt 6 ps 3.6 lw 2.5 lc rgb 'black' title \"%s\"", t);
	}
	if (isfinite(bx) && isfinite(by)) {
		fprintf(f, "$base_model << EOD\n%.9g %.9g\nEOD\n", bx, by);
		series(&pc,
		       "$base_model using 1:2 with points pt 4 ps 2.2 lw 2 lc rgb '%s' title \"%s (calibrated baseline, model)\"",
		       COL_BASE, R->base.name);
	}
	if (isfinite(mx) && isfinite(my)) {
		fprintf(f, "$base_meas << EOD\n%.9g %.9g\nEOD\n", mx, my);
		series(&pc, "$base_meas using 1:2 with points pt 2 ps 2.2 lw 2.5 lc rgb 'black' title \"%s measured\"",
		       R->base.name);
	}
	R->n_front = 0;
	for (size_t i = 0; i < R->n_pts; i++)
		R->n_front += R->pts[i].on_front;
	return finish_fig(R, f, "pareto", &pc);
}

/* ------------------------------------------- TTFT and decode curves */

/*
 * One figure of a metric against a length: dense model curves of the
 * followed designs, the stored analytic (and DES) values as dots, the
 * baseline's measurements as crosses.
 */
static int fig_curve(report_ctx *R, bool ttft)
{
	const cfg_t *c = &R->cfg;
	const char *stem = ttft ? "ttft" : "decode";
	const char *col = ttft ? "ttft_s" : "decode_tok_s";
	const int *wl = ttft ? c->wl.prompts : c->wl.contexts;
	int n_wl = ttft ? c->wl.n_prompts : c->wl.n_contexts;
	const cfg_point *meas = ttft ? c->meas.ttft : c->meas.decode;
	int n_meas = R->has_meas ? (ttft ? c->meas.n_ttft : c->meas.n_decode) : 0;
	int lo = c->model.max_context, hi = c->model.max_context;
	for (int i = 0; i < n_wl; i++)
		lo = wl[i] < lo ? wl[i] : lo;
	for (int i = 0; i < n_meas; i++)
		lo = meas[i].prompt < lo ? meas[i].prompt : lo;
	if (lo >= hi)
		lo = hi / 32 > 0 ? hi / 32 : 1;

	FILE *f = open_out(R, R->fig, ttft ? "ttft.gp" : "decode.gp");
	if (!f)
		return PDS_FAIL;
	plot_begin(f, stem);
	int Ls[MAX_SAMPLES];
	int nL = sample_lengths(lo, hi, Ls, 48);
	double ylo = INFINITY, yhi = 0;
	plotcmd pc = {{0}, 0};
	report_design *D[3] = {&R->dpr, &R->stat, &R->base};
	/* the best static point may be the calibrated baseline itself */
	bool same_base = R->stat.present && R->base.present && memcmp(&R->stat.d, &R->base.d, sizeof R->stat.d) == 0;
	bool stored[2] = {false, false};
	for (int k = 0; k < 3; k++) {
		if (!D[k]->present || (k == 2 && same_base))
			continue;
		double y[MAX_SAMPLES];
		for (int i = 0; i < nL; i++) {
			y[i] = ttft ? model_ttft(D[k], Ls[i]) : model_tok(D[k], Ls[i]);
			ylo = fmin(ylo, y[i]);
			yhi = fmax(yhi, y[i]);
		}
		char name[32];
		snprintf(name, sizeof name, "model%d", k);
		if (block_xy(f, name, Ls, y, nL) == 0)
			continue;
		char t[320];
		if (k == 1 && same_base)
			snprintf(t, sizeof t, "%s = %s: %s", D[k]->role, R->base.role, D[k]->name);
		else
			snprintf(t, sizeof t, "%s: %s", D[k]->role, D[k]->name);
		fprintf(f, "set style line %d lc rgb '%s' lw 2.2 dt %d\n", k + 1, D[k]->color, k + 1);
		series(&pc, "$%s using 1:2 with lines ls %d title \"%s\"", name, k + 1, t);
		const rdb_point *pt = D[k]->pt;
		if (!pt || k == 2) /* the baseline shows its measurements instead */
			continue;
		static const char *const src[2] = {"analytic", "des"};
		for (int s = 0; s < 2; s++) {
			int len[2 * CFG_MAX_LIST + 8];
			double val[2 * CFG_MAX_LIST + 8];
			int n = rdb_series(R->db, R->db_path, R->run.run_id, pt->point_id, src[s], col, len, val,
					   (int)(sizeof len / sizeof len[0]), R->err, R->errlen);
			if (n < 0) {
				fclose(f);
				return PDS_FAIL;
			}
			snprintf(name, sizeof name, "%s%d", src[s], k);
			if (block_xy(f, name, len, val, n) == 0)
				continue;
			for (int i = 0; i < n; i++) {
				ylo = fmin(ylo, val[i]);
				yhi = fmax(yhi, val[i]);
			}
			stored[s] = true;
			series(&pc, "$%s using 1:2 with points pt %d ps %s lw 2 lc rgb '%s' notitle", name,
			       s ? 6 : 7, s ? "2.2" : "1.3", D[k]->color);
		}
	}
	if (stored[0])
		series(&pc, "keyentry with points pt 7 ps 1.3 lc rgb '#555555' title \"stored in the run (analytic)\"");
	if (stored[1])
		series(&pc, "keyentry with points pt 6 ps 2.2 lw 2 lc rgb '#555555' title \"stored in the run (DES)\"");
	if (n_meas && R->base.present) {
		int len[CFG_MAX_MEAS];
		double val[CFG_MAX_MEAS];
		for (int i = 0; i < n_meas; i++) {
			len[i] = meas[i].prompt;
			val[i] = meas[i].value;
			ylo = fmin(ylo, val[i]);
			yhi = fmax(yhi, val[i]);
		}
		if (block_xy(f, "measured", len, val, n_meas)) {
			char t[160];
			snprintf(t, sizeof t, "%s measured (published)", R->base.name);
			series(&pc, "$measured using 1:2 with points pt 2 ps 2.4 lw 2.5 lc rgb 'black' title \"%s\"", t);
		}
	}
	if (pc.n == 0) {
		fclose(f);
		return fail(R, PDS_FAIL, "run %lld: no design to draw in the %s figure", (long long)R->run.run_id,
			    stem);
	}
	if (ttft)
		fputs("set title \"Time to first token against the prompt length (the swap is not part of it)\"\n"
		      "set xlabel \"prompt length (tokens)\"\n"
		      "set ylabel \"TTFT (s), lower is better\"\n"
		      "set key top left\n",
		      f);
	else
		fputs("set title \"Decode rate against the context length\"\n"
		      "set xlabel \"context length (tokens in the KV cache)\"\n"
		      "set ylabel \"decode rate (tok/s), higher is better\"\n"
		      "set key bottom left\n",
		      f);
	fputs("set logscale x 2\n", f);
	fprintf(f, "set xrange [%g:%g]\n", lo / 1.1, hi * 1.1);
	pow2_tics(f, "x", lo, hi);
	auto_axis(f, "y", ylo, yhi, 8);
	return finish_fig(R, f, stem, &pc);
}

/* ---------------------------------------------------------- resources */

typedef struct {
	res_t stat, pre, dec, rp_cap;
	bool dpr, present;
} res_split;

static res_split split_of(const report_design *D)
{
	res_split s;
	memset(&s, 0, sizeof s);
	if (!D->present)
		return s;
	perf_res r;
	perf_resources(&D->p, &r);
	s.present = true;
	s.dpr = D->d.mode == MODE_DPR;
	s.stat = r.r_static;
	s.pre = r.r_pre;
	s.dec = r.r_dec;
	s.rp_cap = r.rp_cap;
	return s;
}

static int fig_resources(report_ctx *R)
{
	const cfg_t *c = &R->cfg;
	res_split a = split_of(&R->dpr), b = split_of(&R->stat);
	if (!a.present && !b.present)
		return fail(R, PDS_FAIL, "run %lld: no design to draw in the resources figure",
			    (long long)R->run.run_id);
	FILE *f = open_out(R, R->fig, "resources.gp");
	if (!f)
		return PDS_FAIL;
	plot_begin(f, "resources");
	/* bars per resource type: DPR with the prefill RM, with the decode RM,
	 * its equivalent static total (both RMs), the static design */
	int nb = (a.present ? 3 : 0) + (b.present ? 1 : 0);
	double gap = nb + 1.2;
	const char *bar_names[4];
	int k = 0;
	if (a.present) {
		bar_names[k++] = "prefill RM in";
		bar_names[k++] = "decode RM in";
		bar_names[k++] = "both (equiv.)";
	}
	if (b.present)
		bar_names[k++] = "static";
	/* columns: x ylo yhi */
	static const char *const parts[3] = {"region_static", "region_pre", "region_dec"};
	double ymax = 100;
	for (int part = 0; part < 3; part++) {
		fprintf(f, "$%s << EOD\n", parts[part]);
		for (int t = 0; t < RES_N; t++) {
			double cap = c->dev.resources.v[t];
			for (int j = 0; j < nb; j++) {
				double x = t * gap + j;
				const res_split *s = a.present && j < 3 ? &a : &b;
				int bar = a.present ? j : 3;
				double st = 100 * s->stat.v[t] / cap, pr = 100 * s->pre.v[t] / cap,
				       de = 100 * s->dec.v[t] / cap;
				bool with_pre = bar != 1, with_dec = bar != 0;
				double lo = 0, hi = 0;
				if (part == 0) {
					hi = st;
				} else if (part == 1) {
					lo = st;
					hi = with_pre ? st + pr : st;
				} else {
					lo = st + (with_pre ? pr : 0);
					hi = with_dec ? lo + de : lo;
				}
				if (hi > lo)
					fprintf(f, "%.4f %.6g %.6g\n", x, lo, hi);
				ymax = fmax(ymax, hi);
			}
		}
		fputs("EOD\n", f);
	}
	/* totals on top of the bars, and the pblock outline on the loaded-RM bars */
	fputs("$totals << EOD\n", f);
	for (int t = 0; t < RES_N; t++) {
		double cap = c->dev.resources.v[t];
		for (int j = 0; j < nb; j++) {
			const res_split *s = a.present && j < 3 ? &a : &b;
			int bar = a.present ? j : 3;
			double v = s->stat.v[t] + (bar != 1 ? s->pre.v[t] : 0) + (bar != 0 ? s->dec.v[t] : 0);
			char lab[32];
			if (v >= 10000)
				snprintf(lab, sizeof lab, "%.0fk", v / 1000);
			else
				snprintf(lab, sizeof lab, "%.4g", v);
			fprintf(f, "%.4f %.6g \"%s\"\n", t * gap + j, 100 * v / cap, lab);
		}
	}
	fputs("EOD\n", f);
	bool outline = a.present && a.dpr;
	if (outline) { /* a segment over the two loaded-RM bars at static + pblock */
		fputs("$pblock << EOD\n", f);
		for (int t = 0; t < RES_N; t++) {
			double cap = c->dev.resources.v[t];
			double top = 100 * (a.stat.v[t] + a.rp_cap.v[t]) / cap;
			fprintf(f, "%.4f %.6g\n%.4f %.6g\n\n", t * gap - 0.45, top, t * gap + 1.45, top);
			ymax = fmax(ymax, top);
		}
		fputs("EOD\n", f);
	}
	fputs("$ucap << EOD\n", f);
	for (int t = 0; t < RES_N; t++)
		fprintf(f, "%.4f %.6g\n%.4f %.6g\n\n", t * gap - 0.6, 100 * c->cons.util_cap.v[t], t * gap + nb - 0.4,
			100 * c->cons.util_cap.v[t]);
	fputs("EOD\n", f);

	fprintf(f, "set title \"Fabric per region: %s%s%s, as a share of the %s\"\n",
		a.present ? R->dpr.name : "", a.present && b.present ? " (PD-Swap) and " : "",
		b.present ? R->stat.name : "", c->dev.part);
	fputs("set ylabel \"share of the device (%)\"\n", f);
	fprintf(f, "set yrange [0:%.6g]\n", ymax * 1.12);
	fprintf(f, "set xrange [-0.8:%.4f]\n", (RES_N - 1) * gap + nb - 0.2);
	fputs("set xtics rotate by 35 right font ',10' (", f);
	for (int t = 0; t < RES_N; t++)
		for (int j = 0; j < nb; j++) {
			fprintf(f, "%s", t || j ? ", " : "");
			plot_quote(f, bar_names[j]);
			fprintf(f, " %.4f", t * gap + j);
		}
	fputs(")\nset x2tics scale 0 font ',13' (", f);
	for (int t = 0; t < RES_N; t++) {
		char lab[64];
		snprintf(lab, sizeof lab, "%s of %.6g", res_label[t], c->dev.resources.v[t]);
		fprintf(f, "%s", t ? ", " : "");
		plot_quote(f, lab);
		fprintf(f, " %.4f", t * gap + (nb - 1) / 2.0);
	}
	fputs(")\nset x2range [-0.8:", f);
	fprintf(f, "%.4f]\n", (RES_N - 1) * gap + nb - 0.2);
	fputs("set grid noxtics ytics\nset border 3\nset bmargin 10\n"
	      "set key at screen 0.5, screen 0.015 center bottom horizontal maxrows 2 width 1\n"
	      "set style fill solid 0.9 border rgb '#333333'\n",
	      f);
	plotcmd pc = {{0}, 0};
	series(&pc, "$region_static using 1:(($2+$3)/2):($1-0.4):($1+0.4):2:3 with boxxyerror lc rgb '%s' title \"static region\"",
	       COL_STATIC_REGION);
	series(&pc, "$region_pre using 1:(($2+$3)/2):($1-0.4):($1+0.4):2:3 with boxxyerror lc rgb '%s' title \"prefill attention (RM)\"",
	       COL_PRE);
	series(&pc, "$region_dec using 1:(($2+$3)/2):($1-0.4):($1+0.4):2:3 with boxxyerror lc rgb '%s' title \"decode attention (RM)\"",
	       COL_DEC);
	if (outline)
		series(&pc, "$pblock using 1:2 with lines lc rgb '#000000' dt 3 lw 2.5"
			    " title \"static region + pblock capacity\"");
	series(&pc, "100 with lines lc rgb '#CC0000' lw 2 dt 2 title \"device capacity\"");
	series(&pc, "$ucap using 1:2 with lines lc rgb '#CC0000' lw 1.2 dt 4 title \"utilisation cap\"");
	series(&pc, "$totals using 1:2:3 with labels rotate by 90 right offset 0,-0.4 font ',9' notitle");
	return finish_fig(R, f, "resources", &pc);
}

/* ------------------------------------------------------ swap timeline */

/*
 * One inference of the PD-Swap design at objective.prompt with SWAP_GEN
 * decode steps, through the DES with its Chrome trace written into the
 * report (fig/swap_trace.json); the figure is drawn from that file.
 */
static int fig_swap(report_ctx *R)
{
	const cfg_t *c = &R->cfg;
	if (!R->dpr.present || R->dpr.d.mode != MODE_DPR) {
		note(R, "no dpr design is followed, so there is no swap to draw");
		return 0;
	}
	char trace[4400], err[1024];
	snprintf(trace, sizeof trace, "%s/swap_trace.json", R->fig);
	des_opts o;
	memset(&o, 0, sizeof o);
	o.trace_path = trace;
	o.name = R->dpr.name;
	if (des_run(c, &R->wl, &R->dpr.d, c->obj.prompt, SWAP_GEN, &o, &R->des, err, sizeof err))
		return fail(R, PDS_FAIL, "the discrete-event model of %s failed: %s", R->dpr.name, err);
	perf_run_eval(&R->dpr.p, c->obj.prompt, SWAP_GEN, &R->ana);
	FILE *f = open_out(R, R->fig, "swap.gp");
	if (!f)
		return PDS_FAIL;
	plot_begin(f, "swap");
	timeline_marks m;
	m.trigger_s = R->des.f.prefill_s - R->des.f.tail_overlap_s;
	m.rm_ready_s = m.trigger_s + R->des.f.swap_s;
	m.first_token_s = R->des.f.ttft_s;
	char title[256];
	snprintf(title, sizeof title, "Swap of %s at a %d-token prompt (discrete-event model)", R->dpr.name,
		 c->obj.prompt);
	if (timeline_write(trace, f, &m, title, err, sizeof err)) {
		fclose(f);
		return fail(R, PDS_FAIL, "%s", err);
	}
	plot_png(f, "swap");
	int rc = close_out(R, f, R->fig, "swap.gp");
	if (rc)
		return rc;
	if (plot_run(R->gnuplot, R->fig, "swap.gp", R->err, R->errlen))
		return PDS_FAIL;
	R->has_swap = true;
	return 0;
}

/* ---------------------------------------------------------------- page */

static void h_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* A number with `sig` significant digits, or a dash. */
static void h_num(FILE *f, double v, int sig)
{
	if (!isfinite(v))
		fputs("&ndash;", f);
	else if (fabs(v) >= 1e4 && fabs(v) < 1e9)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.*g", sig, v);
}

static void h_cell(FILE *f, double v, int sig)
{
	fputs("<td class=n>", f);
	h_num(f, v, sig);
	fputs("</td>", f);
}

static void h_figure(FILE *f, const char *stem, const char *alt, const char *caption)
{
	fprintf(f,
		"<figure><img src=\"fig/%s.svg\" width=\"%d\" height=\"%d\" alt=\"",
		stem, PLOT_SVG_W, PLOT_SVG_H);
	h_esc(f, alt);
	fputs("\"><figcaption>", f);
	fputs(caption, f);
	fprintf(f,
		" <span class=files><a href=\"fig/%s.png\" data-width=\"%d\" data-height=\"%d\">PNG, %d&times;%d</a>"
		" &middot; <a href=\"fig/%s.svg\">SVG</a> &middot; <a href=\"fig/%s.gp\">gnuplot script</a></span>"
		"</figcaption></figure>\n",
		stem, PLOT_PNG_W, PLOT_PNG_H, PLOT_PNG_W, PLOT_PNG_H, stem, stem);
}

static void design_params(FILE *f, const cfg_t *c, const design_t *d)
{
	fprintf(f, "%d MHz; TLMM T=%d Q=%d; prefill %d PE &times; %d lanes, block %d; decode %d lanes; ports ",
		d->clock_mhz, d->tlmm_tables, d->tlmm_lanes, d->pre_pe, d->pre_lanes, d->pre_block, d->dec_lanes);
	h_esc(f, c->arch.port_maps[d->pm_pre].name);
	fputs(" / ", f);
	h_esc(f, c->arch.port_maps[d->pm_dec].name);
	if (d->mode == MODE_DPR) {
		fputs("; pblock ", f);
		h_esc(f, c->arch.pblocks[d->rp].name);
	}
}

static void page_designs(report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	fprintf(f,
		"<h2 id=designs>Designs followed</h2>\n<table>\n<tr><th>role</th><th>design</th><th>mode</th>"
		"<th>parameters</th><th>TTFT @%d (s)</th><th>decode @%d (tok/s)</th><th>decode @%d (tok/s)</th>"
		"<th>objective (s)</th><th>swap (ms)</th><th>swap exposed (ms)</th><th>LUT</th><th>FF</th>"
		"<th>BRAM36</th><th>URAM</th><th>DSP</th><th>feasible</th></tr>\n",
		c->obj.prompt, c->obj.l_short, c->obj.l_long);
	report_design *D[3] = {&R->dpr, &R->stat, &R->base};
	for (int k = 0; k < 3; k++) {
		if (!D[k]->present)
			continue;
		figures r;
		perf_res res;
		char why[200] = "";
		perf_run_eval(&D[k]->p, c->obj.prompt, 1, &r);
		perf_resources(&D[k]->p, &res);
		bool feas = perf_feasible(&D[k]->p, why, sizeof why);
		fprintf(f, "<tr><td><span class=sw style=\"background:%s\"></span>", D[k]->color);
		h_esc(f, D[k]->role);
		fputs("</td><td>", f);
		h_esc(f, D[k]->name);
		fprintf(f, "</td><td>%s</td><td class=p>", mode_names[D[k]->d.mode]);
		design_params(f, c, &D[k]->d);
		fputs("</td>", f);
		h_cell(f, r.ttft_s, 4);
		h_cell(f, model_tok(D[k], c->obj.l_short), 4);
		h_cell(f, model_tok(D[k], c->obj.l_long), 4);
		h_cell(f, perf_objective(&D[k]->p), 4);
		h_cell(f, D[k]->d.mode == MODE_DPR ? r.swap_s * 1e3 : NAN, 3);
		h_cell(f, D[k]->d.mode == MODE_DPR ? r.swap_exposed_s * 1e3 : NAN, 3);
		for (int t = 0; t < RES_N; t++)
			h_cell(f, res.r_total.v[t], 4);
		fputs("<td>", f);
		if (feas)
			fputs("yes", f);
		else
			h_esc(f, why);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<p class=small>", f);
	for (int k = 0; k < 3; k++)
		if (D[k]->present) {
			fputs("<b>", f);
			h_esc(f, D[k]->role);
			fputs("</b>: ", f);
			h_esc(f, D[k]->why);
			fputs(". ", f);
		}
	fprintf(f,
		"Figures from the analytic model of this build, recomputed from the run's config; the objective is"
		" TTFT(%d) + %.2g&middot;T<sub>dec</sub>(%d) + %.2g&middot;T<sub>dec</sub>(%d). Resources: static"
		" region + max(prefill RM, decode RM) for dpr, + both engines for static.</p>\n",
		c->obj.prompt, c->obj.alpha, c->obj.l_long, 1 - c->obj.alpha, c->obj.l_short);
}

static void res_row(FILE *f, const char *name, res_t r, bool pct, const res_t *dev)
{
	fputs("<tr><td>", f);
	fputs(name, f);
	fputs("</td>", f);
	for (int t = 0; t < RES_N; t++) {
		fputs("<td class=n>", f);
		h_num(f, r.v[t], 4);
		if (pct && dev->v[t] > 0)
			fprintf(f, " <span class=small>(%.1f%%)</span>", 100 * r.v[t] / dev->v[t]);
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
}

static void page_resources(report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	res_split a = split_of(&R->dpr), b = split_of(&R->stat);
	fputs("<table>\n<tr><th></th>", f);
	for (int t = 0; t < RES_N; t++)
		fprintf(f, "<th>%s</th>", res_label[t]);
	fputs("</tr>\n", f);
	const res_t *dev = &c->dev.resources;
	if (a.present) {
		char h[200];
		snprintf(h, sizeof h, "<b>%s</b>: static region", R->dpr.name);
		res_row(f, h, a.stat, true, dev);
		res_row(f, "&nbsp;&nbsp;prefill RM", a.pre, true, dev);
		res_row(f, "&nbsp;&nbsp;decode RM", a.dec, true, dev);
		res_t tot = a.stat;
		for (int t = 0; t < RES_N; t++)
			tot.v[t] += fmax(a.pre.v[t], a.dec.v[t]);
		res_row(f, "&nbsp;&nbsp;total (static + max of the RMs)", tot, true, dev);
		res_row(f, "&nbsp;&nbsp;equivalent total (static + both RMs)", res_add(a.stat, res_add(a.pre, a.dec)),
			true, dev);
		if (a.dpr)
			res_row(f, "&nbsp;&nbsp;reconfigurable partition (pblock capacity)", a.rp_cap, true, dev);
	}
	if (b.present) {
		char h[200];
		snprintf(h, sizeof h, "<b>%s</b>: static region", R->stat.name);
		res_row(f, h, b.stat, true, dev);
		res_row(f, "&nbsp;&nbsp;attention engines (prefill + decode)", res_add(b.pre, b.dec), true, dev);
		res_row(f, "&nbsp;&nbsp;total", res_add(b.stat, res_add(b.pre, b.dec)), true, dev);
	}
	res_row(f, "device capacity", *dev, false, dev);
	res_t cap;
	for (int t = 0; t < RES_N; t++)
		cap.v[t] = c->cons.util_cap.v[t] * dev->v[t];
	res_row(f, "utilisation cap", cap, true, dev);
	fputs("</table>\n", f);
}

static void page_swap(report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	fputs("<h2 id=swap>Swap timeline</h2>\n", f);
	if (!R->has_swap) {
		fputs("<p class=note>No dpr design is followed, so there is no swap to draw.</p>\n", f);
		return;
	}
	char cap[1024];
	snprintf(cap, sizeof cap,
		 "One inference of <b>%s</b> through the discrete-event model: the end of the %d-token prefill, the"
		 " swap and the first %d decode steps, one row per track of the model's trace (the HP-port rows"
		 " show which stream holds each port). The swap starts when the last layer's attention is done and"
		 " overlaps that layer's O projection and FFN (the prefill tail) and the first LM head; decode"
		 " waits for the decode RM. The figure is drawn from <a href=\"fig/swap_trace.json\">the Chrome"
		 " trace</a> of that run (it opens in Perfetto or chrome://tracing).",
		 R->dpr.name, c->obj.prompt, SWAP_GEN);
	h_figure(f, "swap", "Swap timeline of one inference", cap);
	const figures *d = &R->des.f;
	const figures *a = &R->ana;
	fputs("<table>\n<tr><th>ms</th><th>swap</th><th>PCAP transfer</th><th>PS software path</th>"
	      "<th>prefill tail (trigger to end of prefill)</th><th>hidden</th><th>exposed</th><th>TTFT</th>"
	      "<th>first decode step</th></tr>\n<tr><td>discrete-event model</td>",
	      f);
	double v[8] = {d->swap_s, d->pcap_s, d->swap_s - d->pcap_s, d->tail_overlap_s, R->des.swap_hidden_s,
		       d->swap_exposed_s, d->ttft_s, d->decode_first_step_s};
	for (int i = 0; i < 8; i++)
		h_cell(f, 1e3 * v[i], 4);
	fputs("</tr>\n<tr><td>analytic model</td>", f);
	double w[8] = {a->swap_s, a->pcap_s, a->swap_s - a->pcap_s, a->tail_overlap_s, a->swap_s - a->swap_exposed_s,
		       a->swap_exposed_s, a->ttft_s, a->decode_first_step_s};
	for (int i = 0; i < 8; i++)
		h_cell(f, 1e3 * w[i], 4);
	fputs("</tr>\n</table>\n<p class=small>The analytic model's hidden part is the swap less its exposed"
	      " part (the tail and the first LM head together).</p>\n",
	      f);
}

static void page_validation(report_ctx *R, FILE *f)
{
	fputs("<h2 id=validation>Validation: measured against predicted</h2>\n", f);
	if (!R->has_meas) {
		fputs("<p class=note>The run's config has no <code>measurements</code> section, so there is no"
		      " calibrated baseline to compare with: the validation table and the measured points are left"
		      " out.</p>\n",
		      f);
		return;
	}
	static calib_row rows[160];
	int n = calib_rows(&R->cfg, rows, (int)(sizeof rows / sizeof rows[0]));
	fputs("<p>The calibrated baseline <b>", f);
	h_esc(f, R->base.name);
	fputs("</b> (and the published PD-Swap rows) against every measurement of the run's config."
	      " <i>fit</i>: the point constrains a fitted coefficient; <i>check</i>: it does not;"
	      " <i>reported</i>: shown, not counted against a tolerance.</p>\n"
	      "<table>\n<tr><th>measurement</th><th>unit</th><th>measured</th><th>predicted</th>"
	      "<th>error</th><th>use</th><th>source / note</th></tr>\n",
	      f);
	for (int i = 0; i < n; i++) {
		const calib_row *r = &rows[i];
		fputs("<tr><td>", f);
		h_esc(f, r->name);
		fputs("</td><td>", f);
		h_esc(f, r->unit);
		fputs("</td>", f);
		h_cell(f, r->measured, 6);
		h_cell(f, r->predicted, 6);
		fprintf(f, "<td class=n>%+.1f%%</td><td>%s%s</td><td class=small>", 100 * r->rel_err,
			r->fitted_to ? "fit" : "check", r->checked ? "" : " (reported)");
		h_esc(f, r->note);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static const char *const CSS =
	"body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;max-width:1280px;"
	"color:#222;padding:0 1em}"
	"h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse;margin:0.6em 0;font-size:0.88em}"
	"td,th{border:1px solid #ccc;padding:0.25em 0.5em;vertical-align:top}"
	"th{background:#f2f2f2;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"td.p{font-size:0.85em;max-width:22em}.small{font-size:0.85em;color:#555}"
	".note{background:#fff6e0;border-left:4px solid #e69f00;padding:0.4em 0.8em}"
	"figure{margin:1.2em 0}img{max-width:100%;height:auto;border:1px solid #eee}"
	"figcaption{font-size:0.9em;color:#333;max-width:900px}.files{white-space:nowrap}"
	"code{font-size:0.95em}.sw{display:inline-block;width:0.9em;height:0.9em;margin-right:0.4em;"
	"vertical-align:middle}";

static int write_page(report_ctx *R)
{
	const cfg_t *c = &R->cfg;
	const rdb_run *run = &R->run;
	FILE *f = open_out(R, R->tmp, "index.html");
	if (!f)
		return PDS_FAIL;
	fprintf(f, "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
		   "<title>pdswap report: run %lld</title>\n<style>%s</style>\n</head>\n<body>\n",
		(long long)run->run_id, CSS);
	fprintf(f, "<h1>pdswap report: run %lld of ", (long long)run->run_id);
	h_esc(f, run->config_path);
	fputs("</h1>\n<p>", f);
	h_esc(f, c->dev.name);
	fputs(" &middot; ", f);
	h_esc(f, c->model.name);
	fputs("</p>\n<table>\n", f);
	fprintf(f, "<tr><th>run</th><td>%lld (%s, status <b>", (long long)run->run_id, run->kind);
	h_esc(f, run->status);
	fputs("</b>)</td></tr>\n<tr><th>config</th><td><a href=\"config.yaml\">", f);
	h_esc(f, run->config_path);
	fputs("</a> (as stored with the run)</td></tr>\n<tr><th>config SHA-256</th><td><code>", f);
	h_esc(f, run->config_sha256);
	fprintf(f, "</code> %s</td></tr>\n",
		strcmp(run->config_sha256, c->sha256) == 0 ? "(matches the stored text)"
							      : "<b>(does not match the stored text)</b>");
	fputs("<tr><th>tool version of the run</th><td>", f);
	h_esc(f, run->tool_version);
	fprintf(f, " (this report: %s)</td></tr>\n<tr><th>started / finished</th><td>", PDS_VERSION);
	h_esc(f, run->started_at);
	fputs(" / ", f);
	h_esc(f, run->finished_at[0] ? run->finished_at : "not finished");
	fprintf(f, "</td></tr>\n<tr><th>points</th><td>%zu stored, %zu feasible, %zu on the Pareto front</td></tr>\n"
		   "</table>\n",
		R->n_pts, R->n_feasible, R->n_front);
	if (strcmp(run->status, "complete") != 0)
		fprintf(f, "<p class=note>This run's status is <b>%s</b>: the report shows what it stored.</p>\n",
			run->status);
	fputs("<p class=small>Contents: <a href=\"#designs\">designs</a> &middot; <a href=\"#pareto\">Pareto front</a>"
	      " &middot; <a href=\"#curves\">TTFT and decode</a> &middot; <a href=\"#resources\">resources</a>"
	      " &middot; <a href=\"#swap\">swap</a> &middot; <a href=\"#validation\">validation</a>"
	      " &middot; <a href=\"#notes\">notes</a></p>\n",
	      f);
	page_designs(R, f);

	fputs("<h2 id=pareto>Pareto front</h2>\n", f);
	char cap[2048];
	int o = snprintf(cap, sizeof cap,
			 "Every feasible point of the run at a %d-token prompt: TTFT against the decode rate that"
			 " the objective weighs (%.2g at a context of %d, %.2g at %d). Circles: dpr (PD-Swap);"
			 " triangles: static; filled: on the Pareto front as stored by the run (a front over more"
			 " objectives can hold points that look dominated here); colour: LUTs.",
			 c->obj.prompt, c->obj.alpha, c->obj.l_long, 1 - c->obj.alpha, c->obj.l_short);
	if (R->n_cloud_skipped)
		o += snprintf(cap + o, sizeof cap - (size_t)o,
			      " %zu off-front points are not drawn (every k-th is kept to keep the figure readable).",
			      R->n_cloud_skipped);
	if (R->n_pts > R->n_feasible)
		o += snprintf(cap + o, sizeof cap - (size_t)o, " %zu infeasible points are not drawn.",
			      R->n_pts - R->n_feasible);
	if (R->n_drawn_missing)
		snprintf(cap + o, sizeof cap - (size_t)o,
			 " %zu feasible points lack stored metrics at these lengths and are not drawn.",
			 R->n_drawn_missing);
	h_figure(f, "pareto", "Pareto front: TTFT against decode rate", cap);

	fputs("<h2 id=curves>TTFT and decode rate</h2>\n", f);
	h_figure(f, "ttft", "TTFT against prompt length",
		 "Lines: the analytic model of the followed designs, recomputed from the run's config; dots: the"
		 " values the run stored (open markers: the discrete-event model, where the run stored it);"
		 " crosses: the published measurements of the calibrated baseline. TTFT does not include the"
		 " swap: it overlaps the first token's LM head.");
	h_figure(f, "decode", "Decode rate against context length",
		 "Decode tokens per second with the given number of tokens in the KV cache (one decode step, all"
		 " layers and the LM head). Lines: model; dots: stored; crosses: measured.");

	fputs("<h2 id=resources>Resources</h2>\n", f);
	h_figure(f, "resources", "Resources per region as a share of the device",
		 "Each bar stacks the static region (TLMM, RMSNorm/FindMax, buffers), the prefill and the"
		 " decode attention engine. A dpr design holds one RM at a time (the first two bars); the third"
		 " bar is what a static design with both engines would need. The dotted line over the first two"
		 " bars is the static region plus the pblock that holds the RM (its capacity before the routability"
		 " margin): an RM must stay below it. The labels at the top of each bar give its absolute count.");
	page_resources(R, f);

	page_swap(R, f);

	page_validation(R, f);

	fputs("<h2 id=notes>Notes</h2>\n", f);
	if (R->n_notes == 0)
		fputs("<p>None: every stored figure of the followed designs matches this build's model.</p>\n", f);
	else {
		fputs("<ul>\n", f);
		for (int i = 0; i < R->n_notes; i++) {
			fputs("<li>", f);
			h_esc(f, R->notes[i]);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	fputs("<p class=small>Config SHA-256 <code>", f);
	h_esc(f, run->config_sha256);
	fputs("</code> &middot; run by pdswap-dse ", f);
	h_esc(f, run->tool_version);
	fprintf(f, " &middot; report by pdswap-dse %s</p>\n</body>\n</html>\n", PDS_VERSION);
	return close_out(R, f, R->tmp, "index.html");
}

/* ----------------------------------------------------------- assembly */

static int build(report_ctx *R, int64_t run_id, const char *outdir)
{
	char err[2048];
	int rc;
	if (plot_find(R->gnuplot, sizeof R->gnuplot, err, sizeof err))
		return fail(R, PDS_FAIL, "%s; no report written", err);
	if ((rc = check_outdir(R, outdir)))
		return rc;
	if (rdb_open(R->db_path, &R->db, err, sizeof err))
		return fail(R, PDS_FAIL, "%s", err);
	if (rdb_run_load(R->db, R->db_path, run_id, &R->run, err, sizeof err))
		return fail(R, run_id > 0 ? PDS_FAIL_REQUEST : PDS_FAIL, "%s", err);
	R->run_loaded = true;
	char name[1200];
	snprintf(name, sizeof name, "%s (config of run %lld)", R->run.config_path, (long long)R->run.run_id);
	if (config_load_buffer(&R->cfg, name, R->run.config_text, R->run.config_len, err, sizeof err))
		return fail(R, PDS_FAIL, "%s: the run's stored config does not load: %s", R->db_path, err);
	R->cfg_loaded = true;
	workload_init(&R->wl, &R->cfg.model);
	R->has_meas = has_baseline(&R->cfg);
	if (!R->has_meas)
		note(R, "the run's config has no measurements section: the baseline, its measured points and the"
			" validation table are left out");
	const cfg_objective *ob = &R->cfg.obj;
	if (rdb_points_load(R->db, R->db_path, R->run.run_id, ob->prompt, ob->l_long, ob->l_short, &R->pts,
			    &R->n_pts, err, sizeof err))
		return fail(R, PDS_FAIL, "%s", err);
	if (R->n_pts == 0)
		return fail(R, PDS_FAIL, "%s: run %lld stored no design points; nothing to report", R->db_path,
			    (long long)R->run.run_id);
	for (size_t i = 0; i < R->n_pts; i++) {
		const rdb_point *p = &R->pts[i];
		R->n_feasible += p->feasible;
		if (p->feasible && !(isfinite(p->ttft_obj_s) && isfinite(p->tok_long) && isfinite(p->tok_short)))
			R->n_drawn_missing++;
	}
	pick_designs(R);
	if ((rc = check_stored(R, &R->dpr)) || (rc = check_stored(R, &R->stat)) || (rc = check_stored(R, &R->base)))
		return rc;

	/* the temporary directory beside the output */
	if (afile_mkdir_parent(outdir))
		return fail(R, PDS_FAIL, "%s: cannot create its parent directory: %s", outdir, strerror(errno));
	snprintf(R->tmp, sizeof R->tmp, "%s.tmp-XXXXXX", outdir);
	if (!mkdtemp(R->tmp)) {
		R->tmp[0] = '\0';
		return fail(R, PDS_FAIL, "%s: cannot create a temporary directory beside it: %s", outdir,
			    strerror(errno));
	}
	mode_t mask = umask(0);
	umask(mask);
	chmod(R->tmp, 0777 & ~mask); /* mkdtemp makes it private; a report is not */
	snprintf(R->fig, sizeof R->fig, "%s/fig", R->tmp);
	if (mkdir(R->fig, 0777))
		return fail(R, PDS_FAIL, "%s: cannot create: %s", R->fig, strerror(errno));
	FILE *f = open_out(R, R->tmp, "config.yaml");
	if (!f)
		return PDS_FAIL;
	fwrite(R->run.config_text, 1, R->run.config_len, f);
	if ((rc = close_out(R, f, R->tmp, "config.yaml")))
		return rc;
	if ((rc = fig_pareto(R)) || (rc = fig_curve(R, true)) || (rc = fig_curve(R, false)) ||
	    (rc = fig_resources(R)) || (rc = fig_swap(R)) || (rc = write_page(R)))
		return rc;
	if (!(f = open_out(R, R->tmp, MARKER)))
		return PDS_FAIL;
	fprintf(f, "pdswap report of run %lld of %s\n", (long long)R->run.run_id, R->db_path);
	if ((rc = close_out(R, f, R->tmp, MARKER)))
		return rc;

	/* into place: the previous report (checked above) moves aside, then goes */
	if ((rc = check_outdir(R, outdir)))
		return rc;
	char old[4200] = "";
	struct stat sb;
	if (stat(outdir, &sb) == 0) {
		snprintf(old, sizeof old, "%s.old-XXXXXX", outdir);
		if (!mkdtemp(old) || rename(outdir, old))
			return fail(R, PDS_FAIL, "%s: cannot move the previous report aside: %s", outdir,
				    strerror(errno));
	}
	if (rename(R->tmp, outdir)) {
		int e = errno;
		if (old[0])
			rename(old, outdir);
		return fail(R, PDS_FAIL, "%s: cannot move the report into place: %s", outdir, strerror(e));
	}
	R->tmp[0] = '\0';
	if (old[0])
		rm_tree(old);
	return 0;
}

int report_write(const char *db, int64_t run_id, const char *outdir, char *err, size_t errlen)
{
	report_ctx *R = calloc(1, sizeof *R);
	if (!R) {
		snprintf(err, errlen, "out of memory");
		return PDS_FAIL;
	}
	R->db_path = db;
	R->err = err;
	R->errlen = errlen;
	err[0] = '\0';
	char out[4096];
	snprintf(out, sizeof out, "%s", outdir);
	for (size_t n = strlen(out); n > 1 && out[n - 1] == '/'; n--)
		out[n - 1] = '\0';
	int rc = out[0] ? build(R, run_id, out) : fail(R, PDS_FAIL_REQUEST, "the output directory name is empty");
	if (R->tmp[0])
		rm_tree(R->tmp);
	if (R->db)
		sqlite3_close(R->db);
	if (R->run_loaded)
		rdb_run_release(&R->run);
	if (R->cfg_loaded)
		cfg_release(&R->cfg);
	free(R->pts);
	free(R);
	return rc;
}
