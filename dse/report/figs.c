/*
 * figs.c - the figures of the report, each a gnuplot script with its data
 * inline (fig/NAME.gp) drawn to fig/NAME.svg and fig/NAME.png:
 *
 *   pareto     TTFT at objective.prompt against the decode rate the
 *              objective weighs, every feasible stored point, the fronts,
 *              the chosen point and the baseline's model and measurement;
 *   ttft       TTFT against the prompt, decode the rate against the
 *   decode     context: the followed designs' stored curves (lines), their
 *              stored workload figures (dots), the stored interval of those
 *              figures (a band; hatched where no measurement constrains
 *              them) and the baseline's measurements (crosses);
 *   resources  stacked bars per region against the device, the
 *              utilisation cap and the pblock;
 *   swap       the stored DES trace of the followed dpr design, drawn by
 *              timeline.c;
 *   breakeven  the stored break-even map: a heat map per DPR policy (always,
 *              never, threshold) of static e2e / policy e2e (top row) and
 *              static energy / policy energy (bottom row) over prompt x
 *              output length; blue where the policy beats the static design;
 *   kv         the decode rate of the chosen design against the context for
 *              each K/V option the run stored (kv_curves): colour the
 *              precision, dash the tier's region (solid none, dashed static,
 *              dotted rp); an option that breaks a constraint thin and
 *              marked so in its title.
 *   rms        the modules that served each cell of that map, per DPR
 *              policy: one colour per combination of the prefill's module
 *              and the decode's modules in turn (a run of schema 5 on).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot.h"
#include "report/report_int.h"
#include "report/timeline.h"
#include "sim/trace.h"

/* ------------------------------------------------------ figure helpers */

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
	int rc = report_close_out(R, f, R->fig, name);
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

/* The extent of what a figure draws. */
typedef struct {
	double xlo, xhi, ylo, yhi, clo, chi;
} extent;

static void extend(extent *e, double x, double y)
{
	e->xlo = fmin(e->xlo, x);
	e->xhi = fmax(e->xhi, x);
	e->ylo = fmin(e->ylo, y);
	e->yhi = fmax(e->yhi, y);
}

/* Whether a front point stands for its group of equal points (it is the
 * group's representative, or the run stored no groups). */
static bool stands_for_group(const report_ctx *R, const rdb_point *p, int64_t *n_equal)
{
	*n_equal = 1;
	long g = report_group_of(R, p->point_id);
	if (g < 0)
		return true;
	*n_equal = R->g_count[g];
	return R->g_rep[g] == p->point_id;
}

/* Four clouds of the feasible swept points the run stored, dpr/static x
 * on/off the front (columns ttft, rate, kLUT, id, equal points): each
 * group of equal front points drawn once, by its representative; every
 * k-th off-front point when there are many.  Named designs are drawn
 * apart, labelled. */
static void pareto_clouds(report_ctx *R, FILE *f, int count[4], extent *e)
{
	static const char *const names[4] = {"dpr_off", "static_off", "dpr_front", "static_front"};
	size_t n_off = 0;
	for (size_t i = 0; i < R->n_pts; i++)
		n_off += R->pts[i].feasible && !R->pts[i].on_front && !R->pts[i].design_name[0];
	size_t stride = n_off > MAX_CLOUD ? (n_off + MAX_CLOUD - 1) / MAX_CLOUD : 1;
	for (int s = 0; s < 4; s++) {
		fprintf(f, "$%s << EOD\n# ttft_s decode_tok_s kLUT point_id equal_points\n", names[s]);
		size_t off_seen = 0;
		for (size_t i = 0; i < R->n_pts; i++) {
			const rdb_point *p = &R->pts[i];
			bool front = s >= 2, dpr = s % 2 == 0;
			if (!p->feasible || p->design_name[0] || p->on_front != front || (p->mode == MODE_DPR) != dpr)
				continue;
			double y = mix_rate(&R->cfg, p->tok_long, p->tok_short);
			if (!(isfinite(p->ttft_obj_s) && isfinite(y) && p->ttft_obj_s > 0 && y > 0))
				continue;
			int64_t n_equal = 1;
			if (front && !stands_for_group(R, p, &n_equal))
				continue;
			if (!front && off_seen++ % stride != 0) {
				R->n_cloud_skipped++;
				continue;
			}
			fprintf(f, "%.9g %.9g %.6g %lld %lld\n", p->ttft_obj_s, y, p->r.v[RES_LUT] / 1e3,
				(long long)p->point_id, (long long)n_equal);
			count[s]++;
			extend(e, p->ttft_obj_s, y);
			e->clo = fmin(e->clo, p->r.v[RES_LUT] / 1e3);
			e->chi = fmax(e->chi, p->r.v[RES_LUT] / 1e3);
		}
		fputs("EOD\n", f);
	}
}

/* The baseline's measurements at the objective's lengths (mx, my), NAN
 * where there are none. */
static void pareto_measured(const report_ctx *R, double *mx, double *my, extent *e)
{
	const cfg_t *c = &R->cfg;
	*mx = *my = NAN;
	if (!R->fol[FOL_BASE].present)
		return;
	double ml = NAN, ms = NAN;
	for (int i = 0; i < c->meas.n_ttft; i++)
		if (c->meas.ttft[i].prompt == c->obj.prompt)
			*mx = c->meas.ttft[i].value;
	for (int i = 0; i < c->meas.n_decode; i++) {
		if (c->meas.decode[i].prompt == c->obj.l_long)
			ml = c->meas.decode[i].value;
		if (c->meas.decode[i].prompt == c->obj.l_short)
			ms = c->meas.decode[i].value;
	}
	*my = mix_rate(c, ml, ms);
	if (isfinite(*mx) && isfinite(*my))
		extend(e, *mx, *my);
}

/* A named design of the run as its own labelled marker: the datablock
 * $NAME (ttft_s decode_tok_s point_id) and its label; 1 when drawn. */
static int pareto_named(report_ctx *R, FILE *f, plotcmd *pc, const rdb_point *p, const char *block, int pt,
			double ps, const char *color, const char *title, int label, extent *e)
{
	double y = mix_rate(&R->cfg, p->tok_long, p->tok_short);
	if (!(isfinite(p->ttft_obj_s) && isfinite(y) && p->ttft_obj_s > 0 && y > 0))
		return 0;
	fprintf(f, "$%s << EOD\n# ttft_s decode_tok_s point_id design\n%.9g %.9g %lld \"%s\"\nEOD\n", block,
		p->ttft_obj_s, y, (long long)p->point_id, p->design_name);
	fprintf(f, "set label %d ", label);
	plot_quote(f, p->design_name);
	fprintf(f, " at %.9g, %.9g offset -1.2,-1.6 right front font ',12' textcolor rgb '%s'\n", p->ttft_obj_s, y,
		color);
	char t[256];
	snprintf(t, sizeof t, "%s%s", title, p->feasible ? "" : " (infeasible)");
	series(pc, "$%s using 1:2 with points pt %d ps %.2g lw 2.2 lc rgb '%s' title \"%s\"", block, pt, ps, color, t);
	extend(e, p->ttft_obj_s, y);
	return 1;
}

int figs_pareto(report_ctx *R)
{
	const cfg_t *c = &R->cfg;
	FILE *f = report_open_out(R, R->fig, "pareto.gp");
	if (!f)
		return PDS_FAIL;
	plot_begin(f, "pareto");
	int count[4] = {0, 0, 0, 0};
	extent e = {INFINITY, 0, INFINITY, 0, INFINITY, 0};
	pareto_clouds(R, f, count, &e);
	double mx, my;
	pareto_measured(R, &mx, &my, &e);
	/* the named designs of the run, labelled: the published PD-Swap design, the baseline, any other */
	plotcmd named = {{0}, 0};
	int n_named = 0, label = 10;
	const report_design *pub = &R->fol[FOL_PUB], *base = &R->fol[FOL_BASE];
	for (size_t i = 0; i < R->n_pts; i++) {
		const rdb_point *p = &R->pts[i];
		if (!p->design_name[0])
			continue;
		char t[200], blk[32];
		if (pub->present && p == pub->pt) {
			snprintf(t, sizeof t, "%s (published PD-Swap, model)", p->design_name);
			n_named += pareto_named(R, f, &named, p, "published", 13, 2.6, COL_PUB, t, label++, &e);
		} else if (base->present && p == base->pt) {
			snprintf(t, sizeof t, "%s (calibrated baseline, model)", p->design_name);
			n_named += pareto_named(R, f, &named, p, "base_model", 5, 2.2, COL_BASE, t, label++, &e);
		} else {
			snprintf(t, sizeof t, "%s (named design, model)", p->design_name);
			snprintf(blk, sizeof blk, "named%zu", i);
			n_named += pareto_named(R, f, &named, p, blk, 12, 2.2, "#555555", t, label++, &e);
		}
	}
	double xlo = e.xlo, xhi = e.xhi, ylo = e.ylo, yhi = e.yhi, clo = e.clo, chi = e.chi;
	const rdb_point *ch = NULL;
	for (size_t i = 0; i < R->n_pts; i++)
		if (R->pts[i].chosen)
			ch = &R->pts[i];
	double chy = ch ? mix_rate(c, ch->tok_long, ch->tok_short) : NAN;
	if (ch && !(isfinite(ch->ttft_obj_s) && isfinite(chy)))
		ch = NULL;
	const report_design *bs = &R->fol[FOL_STATIC];
	const rdb_point *bsp = bs->present && !bs->pt->chosen && !bs->pt->design_name[0] ? bs->pt : NULL;
	double bsy = bsp ? mix_rate(c, bsp->tok_long, bsp->tok_short) : NAN;
	if (bsp && !(isfinite(bsp->ttft_obj_s) && isfinite(bsy)))
		bsp = NULL;

	size_t drawn = (size_t)(count[0] + count[1] + count[2] + count[3] + n_named);
	if (drawn == 0) {
		fclose(f);
		return report_fail(R, PDS_FAIL,
			    "%s: run %lld has no feasible point with ttft_s at prompt %d and decode_tok_s at %d and %d"
			    " in v_metrics; nothing to draw",
			    R->db_path, (long long)R->run.run_id, c->obj.prompt, c->obj.l_long, c->obj.l_short);
	}
	fprintf(f, "set title \"Designs of run %lld: the stored feasible points (analytic model), %s\"\n",
		(long long)R->run.run_id, R->n_groups ? "each group of equal front points once" : "as stored");
	fprintf(f, "set xlabel \"TTFT at a %d-token prompt (s), lower is better\"\n", c->obj.prompt);
	fprintf(f,
		"set ylabel \"decode rate (tok/s), 1 / (%.2g/r(%d) + %.2g/r(%d)), higher is better\"\n",
		c->obj.alpha, c->obj.l_long, 1 - c->obj.alpha, c->obj.l_short);
	auto_axis(f, "x", xlo, xhi, 10);
	auto_axis(f, "y", ylo, yhi, 10);
	fputs("set cblabel \"LUTs of the design (thousands)\"\n"
	      "set palette defined (0 '#1f2d6b', 1 '#2a788e', 2 '#3aa66a', 3 '#c99a00')\n",
	      f);
	if (!(chi >= clo))
		clo = 0, chi = 1;
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
		report_point_label(ch, lab, sizeof lab);
		fprintf(f, "$chosen << EOD\n%.9g %.9g\nEOD\n", ch->ttft_obj_s, chy);
		fputs("set label 1 ", f);
		plot_quote(f, lab);
		fprintf(f, " at %.9g, %.9g offset 1.8,1.4 front font ',12'\n", ch->ttft_obj_s, chy);
		char t[128];
		snprintf(t, sizeof t, "chosen: %s", lab);
		series(&pc, "$chosen using 1:2 with points pt 6 ps 3.6 lw 2.5 lc rgb 'black' title \"%s\"", t);
	}
	if (bsp) {
		char lab[96];
		report_point_label(bsp, lab, sizeof lab);
		fprintf(f, "$best_static << EOD\n%.9g %.9g\nEOD\n", bsp->ttft_obj_s, bsy);
		fputs("set label 2 ", f);
		plot_quote(f, lab);
		fprintf(f, " at %.9g, %.9g offset 1.8,-1.4 front font ',12' textcolor rgb '%s'\n", bsp->ttft_obj_s, bsy,
			COL_STATIC);
		char t[128];
		snprintf(t, sizeof t, "best static: %s", lab);
		series(&pc, "$best_static using 1:2 with points pt 8 ps 3.6 lw 2.5 lc rgb '%s' title \"%s\"", COL_STATIC, t);
	}
	if (named.n) /* on top of the clouds */
		series(&pc, "%s", named.buf + 5); /* without its "plot " */
	if (isfinite(mx) && isfinite(my)) {
		fprintf(f, "$base_meas << EOD\n%.9g %.9g\nEOD\n", mx, my);
		series(&pc, "$base_meas using 1:2 with points pt 2 ps 2.2 lw 2.5 lc rgb 'black' title \"%s measured\"",
		       R->fol[FOL_BASE].name);
	}
	return finish_fig(R, f, "pareto", &pc);
}

/* ------------------------------------------- TTFT, decode and energy curves */

/* The stored workload figures of followed design D (datablock suffix k)
 * as dots (analytic filled, DES open); stored[s] is set for a source drawn. */
static int curve_dots(report_ctx *R, FILE *f, plotcmd *pc, const report_design *D, int k, const char *col,
		      double *ylo, double *yhi, bool stored[2])
{
	static const char *const src[2] = {"analytic", "des"};
	for (int s = 0; s < 2; s++) {
		int len[2 * CFG_MAX_LIST + 8];
		double val[2 * CFG_MAX_LIST + 8];
		int n = rdb_series(R->db, R->db_path, R->run.run_id, D->pt->point_id, src[s], col, len, val,
				   (int)(sizeof len / sizeof len[0]), R->err, R->errlen);
		if (n < 0)
			return PDS_FAIL;
		char name[32];
		snprintf(name, sizeof name, "%s%d", src[s], k);
		if (block_xy(f, name, len, val, n) == 0)
			continue;
		for (int i = 0; i < n; i++) {
			*ylo = fmin(*ylo, val[i]);
			*yhi = fmax(*yhi, val[i]);
		}
		stored[s] = true;
		series(pc, "$%s using 1:2 with points pt %d ps %s lw 2 lc rgb '%s' notitle", name, s ? 6 : 7,
		       s ? "2.2" : "1.3", D->color);
	}
	return 0;
}

/*
 * The stored interval of followed design D (suffix k) at the workload
 * lengths as a band behind its line: solid where the measurements
 * constrain the figure, hatched where they do not (models/interval.h).
 * Returns whether any point is unconstrained, -1 when nothing is stored.
 */
static int curve_band(FILE *f, plotcmd *pc, const report_design *D, int k, int kc, double *ylo, double *yhi)
{
	int n = D->n_iv[kc], un = 0;
	if (n <= 0)
		return -1;
	for (int part = 0; part < 2; part++) {
		/* a part is drawn over the segments whose both ends are (un)constrained as it is */
		fprintf(f, "$band%d_%d << EOD\n", k, part);
		int rows = 0;
		for (int i = 0; i < n; i++) {
			const interval_t *v = &D->iv[kc][i].iv;
			bool mine = v->unconstrained == (part == 1);
			bool near = (i > 0 && D->iv[kc][i - 1].iv.unconstrained == (part == 1)) ||
				    (i + 1 < n && D->iv[kc][i + 1].iv.unconstrained == (part == 1));
			if (mine || (near && part == 1)) {
				fprintf(f, "%d %.9g %.9g\n", D->iv[kc][i].length, v->lo, v->hi);
				rows++;
			} else if (rows) {
				fputs("\n", f); /* a gap: gnuplot starts a new segment */
			}
			*ylo = fmin(*ylo, v->lo);
			*yhi = fmax(*yhi, v->hi);
			un += part == 0 && v->unconstrained;
		}
		fputs("EOD\n", f);
		if (rows)
			series(pc, "$band%d_%d using 1:2:3 with filledcurves lc rgb '%s' fs %s noborder notitle", k, part,
			       D->color, part ? "transparent pattern 4" : "transparent solid 0.18");
	}
	return un > 0;
}

/* The baseline's published measurements as crosses: TTFT and decode rate
 * as measured; energy per token as the measured board power over the
 * measured decode rate at the context the power was taken at. */
static void curve_measured(report_ctx *R, FILE *f, plotcmd *pc, int kind, double *ylo, double *yhi)
{
	const cfg_t *c = &R->cfg;
	if (!R->has_meas || !R->fol[FOL_BASE].present)
		return;
	int len[CFG_MAX_MEAS] = {0}, n = 0;
	double val[CFG_MAX_MEAS] = {0};
	if (kind == CURVE_ENERGY) {
		for (int i = 0; i < c->meas.n_decode; i++)
			if (c->meas.decode[i].prompt == c->meas.power_context && c->meas.decode[i].value > 0) {
				len[n] = c->meas.power_context;
				val[n++] = c->meas.board_power_w / c->meas.decode[i].value;
			}
	} else {
		const cfg_point *meas = kind == CURVE_TTFT ? c->meas.ttft : c->meas.decode;
		int n_meas = kind == CURVE_TTFT ? c->meas.n_ttft : c->meas.n_decode;
		for (int i = 0; i < n_meas; i++) {
			len[n] = meas[i].prompt;
			val[n++] = meas[i].value;
		}
	}
	for (int i = 0; i < n; i++) {
		*ylo = fmin(*ylo, val[i]);
		*yhi = fmax(*yhi, val[i]);
	}
	if (block_xy(f, "measured", len, val, n)) {
		char t[200];
		if (kind == CURVE_ENERGY)
			snprintf(t, sizeof t, "%s measured: board power / decode rate (published)", R->fol[FOL_BASE].name);
		else
			snprintf(t, sizeof t, "%s measured (published)", R->fol[FOL_BASE].name);
		series(pc, "$measured using 1:2 with points pt 2 ps 2.4 lw 2.5 lc rgb 'black' title \"%s\"", t);
	}
}

/* Whether followed design k draws the same design as an earlier one
 * (the best static point may be the baseline, the chosen one the
 * published design): its index, or -1. */
static int same_as(const report_ctx *R, int k)
{
	for (int j = 0; j < k; j++)
		if (R->fol[j].present && R->fol[k].present && memcmp(&R->fol[j].d, &R->fol[k].d, sizeof R->fol[k].d) == 0)
			return j;
	return -1;
}

/*
 * One figure of a metric against a length: the followed designs' stored
 * curves (lines), their intervals (bands), their stored workload figures
 * (dots: analytic filled, DES open), the baseline's measurements (crosses).
 */
int figs_curve(report_ctx *R, int kc)
{
	const cfg_t *c = &R->cfg;
	static const char *const stems[FOLLOW_CURVES] = {"ttft", "decode", "energy"};
	const char *stem = stems[kc];
	const char *col = follow_curve_metric[kc];
	int lo = follow_low(c, col), hi = c->model.max_context;
	char script[32];
	snprintf(script, sizeof script, "%s.gp", stem);
	FILE *f = report_open_out(R, R->fig, script);
	if (!f)
		return PDS_FAIL;
	plot_begin(f, stem);
	double ylo = INFINITY, yhi = 0;
	plotcmd pc = {{0}, 0};
	bool stored[2] = {false, false}, any_band = false, any_un = false;
	for (int k = 0; k < FOL_N; k++) {
		const report_design *D = &R->fol[k];
		if (!D->present || same_as(R, k) >= 0)
			continue;
		const int nL = D->n_curve[kc], *Ls = D->curve_len[kc];
		const double *y = D->curve_val[kc];
		for (int i = 0; i < nL; i++) {
			ylo = fmin(ylo, y[i]);
			yhi = fmax(yhi, y[i]);
		}
		char name[32];
		snprintf(name, sizeof name, "model%d", k);
		if (nL == 0)
			R->n_no_curve++;
		else if (block_xy(f, name, Ls, y, nL) == 0)
			continue;
		char t[320];
		int n = snprintf(t, sizeof t, "%s", D->role);
		for (int j = k + 1; j < FOL_N; j++)
			if (same_as(R, j) == k)
				n += snprintf(t + n, sizeof t - (size_t)n, " = %s", R->fol[j].role);
		snprintf(t + n, sizeof t - (size_t)n, ": %s", D->name);
		int band = curve_band(f, &pc, D, k, kc, &ylo, &yhi);
		if (band >= 0)
			any_band = true;
		any_un |= band > 0;
		if (nL > 0) {
			fprintf(f, "set style line %d lc rgb '%s' lw 2.2 dt %d\n", k + 1, D->color, D->dash);
			series(&pc, "$%s using 1:2 with lines ls %d title \"%s\"", name, k + 1, t);
		}
		/* the baseline shows its measurements instead of its dots */
		if (k != FOL_BASE && curve_dots(R, f, &pc, D, k, col, &ylo, &yhi, stored)) {
			fclose(f);
			return PDS_FAIL;
		}
	}
	if (any_band)
		series(&pc, "keyentry with filledcurves lc rgb '#555555' fs transparent solid 0.18 title \"%.0f%% interval"
			    " (analytic)\"",
		       100 * R->cfg.iv.level);
	if (any_un)
		series(&pc, "keyentry with filledcurves lc rgb '#555555' fs transparent pattern 4 title \"unconstrained:"
			    " set by what no measurement constrains\"");
	if (stored[0])
		series(&pc, "keyentry with points pt 7 ps 1.3 lc rgb '#555555' title \"stored in the run (analytic)\"");
	if (stored[1])
		series(&pc, "keyentry with points pt 6 ps 2.2 lw 2 lc rgb '#555555' title \"stored in the run (DES)\"");
	curve_measured(R, f, &pc, kc, &ylo, &yhi);
	if (pc.n == 0) {
		fclose(f);
		return report_fail(R, PDS_FAIL, "run %lld: no design to draw in the %s figure", (long long)R->run.run_id,
				   stem);
	}
	static const char *const labels[FOLLOW_CURVES] = {
		"set title \"Time to first token against the prompt length (the swap is not part of it)\"\n"
		"set xlabel \"prompt length (tokens)\"\n"
		"set ylabel \"TTFT (s), lower is better\"\n"
		"set bmargin 10\nset key at screen 0.5, screen 0.01 center bottom horizontal maxrows 3 width 1 font ',10'\n",
		"set title \"Decode rate against the context length\"\n"
		"set xlabel \"context length (tokens in the KV cache)\"\n"
		"set ylabel \"decode rate (tok/s), higher is better\"\n"
		"set bmargin 10\nset key at screen 0.5, screen 0.01 center bottom horizontal maxrows 3 width 1 font ',10'\n",
		"set title \"Decode energy per generated token against the context length\"\n"
		"set xlabel \"context length (tokens in the KV cache)\"\n"
		"set ylabel \"energy per token (J), lower is better\"\n"
		"set bmargin 10\nset key at screen 0.5, screen 0.01 center bottom horizontal maxrows 3 width 1 font ',10'\n"};
	fputs(labels[kc], f);
	fputs("set logscale x 2\n", f);
	fprintf(f, "set xrange [%g:%g]\n", lo / 1.1, hi * 1.1);
	pow2_tics(f, "x", lo, hi);
	auto_axis(f, "y", ylo, yhi, 8);
	return finish_fig(R, f, stem, &pc);
}

/* ------------------------------------------------ energy per request */

/*
 * The stored sessions' energy per request (v_sessions): per workload, a
 * bar per policy of the dpr design and one for the static design beside
 * it, on the same requests (analytic model unless the run says otherwise).
 */
int figs_energy_request(report_ctx *R)
{
	const cfg_t *c = &R->cfg;
	static const char *const pols[5] = {"always", "never", "threshold", "oracle", "static"};
	static const char *const cols[5] = {"#0072B2", "#56B4E9", "#009E73", "#CC79A7", COL_STATIC};
	int have[5] = {0, 0, 0, 0, 0}, any = 0;
	const char *dname = NULL, *sname = NULL;
	for (int k = 0; k < R->n_sess; k++) {
		const rdb_session *r = &R->sess[k];
		for (int p = 0; p < 5; p++)
			if (strcmp(r->policy, pols[p]) == 0 && isfinite(r->f.energy_j_per_request)) {
				have[p]++;
				any++;
			}
		if (r->mode == MODE_DPR)
			dname = r->design;
		else
			sname = r->design;
	}
	if (!any)
		return 0;
	FILE *f = report_open_out(R, R->fig, "energy_request.gp");
	if (!f)
		return PDS_FAIL;
	plot_begin(f, "energy_request");
	const double gap = 6.5;
	double ymax = 0;
	for (int p = 0; p < 5; p++) {
		fprintf(f, "$%s << EOD\n# x energy_j_per_request label\n", pols[p]);
		for (int w = 0; w < c->n_session_wl; w++)
			for (int k = 0; k < R->n_sess; k++) {
				const rdb_session *r = &R->sess[k];
				if (strcmp(r->workload, c->session_wl[w].name) || strcmp(r->policy, pols[p]) ||
				    !isfinite(r->f.energy_j_per_request))
					continue;
				fprintf(f, "%.4f %.9g \"%.3g\"\n", w * gap + p, r->f.energy_j_per_request,
					r->f.energy_j_per_request);
				ymax = fmax(ymax, r->f.energy_j_per_request);
			}
		fputs("EOD\n", f);
	}
	fputs("set xtics scale 0 (", f);
	for (int w = 0; w < c->n_session_wl; w++) {
		fprintf(f, "%s", w ? ", " : "");
		plot_quote(f, c->session_wl[w].name);
		fprintf(f, " %.4f", w * gap + 2);
	}
	fputs(")\n", f);
	fprintf(f, "set xrange [-1:%.4f]\nset yrange [0:%.6g]\n", (c->n_session_wl - 1) * gap + 5,
		ymax > 0 ? ymax * 1.18 : 1);
	char title[400];
	snprintf(title, sizeof title, "Energy per request in the sessions of each workload: %s%s%s%s",
		 dname ? "the policies of " : "", dname ? dname : "", dname && sname ? " and the static design " : "",
		 sname ? sname : "");
	fputs("set title ", f);
	plot_quote(f, title);
	fputs("\nset ylabel \"energy per request (J), lower is better\"\nset grid noxtics ytics\n"
	      "set style fill solid 0.85 border rgb '#333333'\nset boxwidth 0.8\nset key top left\n",
	      f);
	plotcmd pc = {{0}, 0};
	for (int p = 0; p < 5; p++)
		if (have[p]) {
			series(&pc, "$%s using 1:2 with boxes lc rgb '%s' title \"%s\"", pols[p], cols[p],
			       p == 4 ? "static design" : pols[p]);
			series(&pc, "$%s using 1:2:3 with labels offset 0,0.7 font ',9' notitle", pols[p]);
		}
	R->has_energy_req = true;
	return finish_fig(R, f, "energy_request", &pc);
}

/* ---------------------------------------------------------- resources */


/* One bar of the resources figure: a design's static region with its
 * prefill RM, its decode RM, or both stacked. */
typedef struct {
	res_split s;
	bool with_pre, with_dec, outline; /* outline: the static region + pblock line over it */
	char label[160];
} res_bar;
#define MAX_BARS 6

/* The bars: the chosen dpr design with either RM and with both (the
 * equivalent static design), the published PD-Swap design with either RM,
 * the static design. */
static int resource_bars(const report_ctx *R, res_bar *bars)
{
	int n = 0;
	const report_design *D[2] = {&R->fol[FOL_CHOSEN], &R->fol[FOL_PUB]};
	for (int k = 0; k < 2; k++) {
		res_split s = report_split_of(D[k]);
		if (!s.present || (k == 1 && same_as(R, FOL_PUB) >= 0))
			continue;
		const char *who = k ? D[k]->name : "chosen";
		if (!s.dpr) { /* a static design where a dpr one was expected */
			bars[n] = (res_bar){s, true, true, false, ""};
			snprintf(bars[n++].label, sizeof bars[0].label, "%s", who);
			continue;
		}
		bars[n] = (res_bar){s, true, false, true, ""};
		snprintf(bars[n++].label, sizeof bars[0].label, "%s, prefill RM", who);
		bars[n] = (res_bar){s, false, true, true, ""};
		snprintf(bars[n++].label, sizeof bars[0].label, "%s, decode RM", who);
		if (k == 0) {
			bars[n] = (res_bar){s, true, true, false, ""};
			snprintf(bars[n++].label, sizeof bars[0].label, "%s, both (equiv.)", who);
		}
	}
	res_split b = report_split_of(&R->fol[FOL_STATIC]);
	if (b.present) {
		bars[n] = (res_bar){b, true, true, false, ""};
		snprintf(bars[n++].label, sizeof bars[0].label, "static %s", R->fol[FOL_STATIC].name);
	}
	return n;
}

/* The bars' datablocks: per resource type, the static region, the prefill
 * RM and the decode RM stacked, the totals on top, the pblock outline and
 * the utilisation cap.  Returns the tallest bar, % of the device. */
static double resources_data(const report_ctx *R, FILE *f, const res_bar *bars, int nb, double gap)
{
	const cfg_t *c = &R->cfg;
	/* columns: x ylo yhi */
	static const char *const parts[3] = {"region_static", "region_pre", "region_dec"};
	double ymax = 100;
	for (int part = 0; part < 3; part++) {
		fprintf(f, "$%s << EOD\n", parts[part]);
		for (int t = 0; t < RES_N; t++) {
			double cap = c->dev.resources.v[t];
			for (int j = 0; j < nb; j++) {
				const res_bar *B = &bars[j];
				double x = t * gap + j;
				double st = 100 * B->s.stat.v[t] / cap, pr = 100 * B->s.pre.v[t] / cap,
				       de = 100 * B->s.dec.v[t] / cap;
				double lo = 0, hi = 0;
				if (part == 0) {
					hi = st;
				} else if (part == 1) {
					lo = st;
					hi = B->with_pre ? st + pr : st;
				} else {
					lo = st + (B->with_pre ? pr : 0);
					hi = B->with_dec ? lo + de : lo;
				}
				if (hi > lo)
					fprintf(f, "%.4f %.6g %.6g\n", x, lo, hi);
				ymax = fmax(ymax, hi);
			}
		}
		fputs("EOD\n", f);
	}
	fputs("$totals << EOD\n", f);
	for (int t = 0; t < RES_N; t++) {
		double cap = c->dev.resources.v[t];
		for (int j = 0; j < nb; j++) {
			const res_bar *B = &bars[j];
			double v = B->s.stat.v[t] + (B->with_pre ? B->s.pre.v[t] : 0) + (B->with_dec ? B->s.dec.v[t] : 0);
			char lab[32];
			if (v >= 10000)
				snprintf(lab, sizeof lab, "%.0fk", v / 1000);
			else
				snprintf(lab, sizeof lab, "%.4g", v);
			fprintf(f, "%.4f %.6g \"%s\"\n", t * gap + j, 100 * v / cap, lab);
		}
	}
	fputs("EOD\n", f);
	/* a segment over each loaded-RM bar at static + pblock */
	fputs("$pblock << EOD\n", f);
	for (int t = 0; t < RES_N; t++) {
		double cap = c->dev.resources.v[t];
		for (int j = 0; j < nb; j++) {
			const res_bar *B = &bars[j];
			if (!B->outline)
				continue;
			double top = 100 * (B->s.stat.v[t] + B->s.rp_cap.v[t]) / cap;
			fprintf(f, "%.4f %.6g\n%.4f %.6g\n\n", t * gap + j - 0.45, top, t * gap + j + 0.45, top);
			ymax = fmax(ymax, top);
		}
	}
	fputs("EOD\n", f);
	fputs("$ucap << EOD\n", f);
	for (int t = 0; t < RES_N; t++)
		fprintf(f, "%.4f %.6g\n%.4f %.6g\n\n", t * gap - 0.6, 100 * c->cons.util_cap.v[t], t * gap + nb - 0.4,
			100 * c->cons.util_cap.v[t]);
	fputs("EOD\n", f);
	return ymax;
}

int figs_resources(report_ctx *R)
{
	const cfg_t *c = &R->cfg;
	res_bar bars[MAX_BARS];
	int nb = resource_bars(R, bars);
	if (nb == 0) {
		report_note(R, "run %lld stored no resources per region of the followed designs (a run of an older version):"
			" the resources figure and table are left out",
		     (long long)R->run.run_id);
		return 0;
	}
	FILE *f = report_open_out(R, R->fig, "resources.gp");
	if (!f)
		return PDS_FAIL;
	plot_begin(f, "resources");
	double gap = nb + 1.2;
	double ymax = resources_data(R, f, bars, nb, gap);
	bool outline = false;
	for (int j = 0; j < nb; j++)
		outline |= bars[j].outline;
	char who[400] = "";
	int o = 0;
	const int order[3] = {FOL_CHOSEN, FOL_PUB, FOL_STATIC};
	for (int k = 0; k < 3; k++)
		if (report_split_of(&R->fol[order[k]]).present && (k != 1 || same_as(R, FOL_PUB) < 0))
			o += snprintf(who + o, sizeof who - (size_t)o, "%s%s", o ? ", " : "", R->fol[order[k]].name);
	fputs("set title ", f);
	char title[600];
	snprintf(title, sizeof title, "Fabric per region of %s, as a share of the %s", who, c->dev.part);
	plot_quote(f, title);
	fputs("\nset ylabel \"share of the device (%)\"\n", f);
	fprintf(f, "set yrange [0:%.6g]\n", ymax * 1.12);
	fprintf(f, "set xrange [-0.8:%.4f]\n", (RES_N - 1) * gap + nb - 0.2);
	fputs("set xtics rotate by 35 right font ',9' (", f);
	for (int t = 0; t < RES_N; t++)
		for (int j = 0; j < nb; j++) {
			fprintf(f, "%s", t || j ? ", " : "");
			plot_quote(f, bars[j].label);
			fprintf(f, " %.4f", t * gap + j);
		}
	fputs(")\nset x2tics scale 0 font ',13' (", f);
	for (int t = 0; t < RES_N; t++) {
		char lab[64];
		snprintf(lab, sizeof lab, "%s of %.6g", report_res_label[t], c->dev.resources.v[t]);
		fprintf(f, "%s", t ? ", " : "");
		plot_quote(f, lab);
		fprintf(f, " %.4f", t * gap + (nb - 1) / 2.0);
	}
	fputs(")\nset x2range [-0.8:", f);
	fprintf(f, "%.4f]\n", (RES_N - 1) * gap + nb - 0.2);
	fputs("set grid noxtics ytics\nset border 3\nset bmargin 12\n"
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
	series(&pc, "$totals using 1:2:3 with labels rotate by 90 right offset 0,-0.4 font ',8' notitle");
	R->has_resources = true;
	return finish_fig(R, f, "resources", &pc);
}

/* ------------------------------------------------------ swap timeline */

/*
 * The swap of the followed dpr design as the run stored it: one inference
 * at objective.prompt with FOLLOW_SWAP_GEN decode steps through the DES,
 * whose trace goes into the report (fig/swap_trace.json) and draws the
 * figure, beside the analytic model's figures of the same inference.
 */
int figs_swap(report_ctx *R)
{
	if (!R->fol[FOL_CHOSEN].present || R->fol[FOL_CHOSEN].d.mode != MODE_DPR) {
		report_note(R, "no dpr design is followed, so there is no swap to draw");
		return 0;
	}
	int64_t run = R->run.run_id, id = R->fol[FOL_CHOSEN].pt->point_id;
	int a = rdb_swap(R->db, R->db_path, run, id, "des", &R->swap_des, &R->swap_hidden_des, R->err, R->errlen);
	int b = a ? a : rdb_swap(R->db, R->db_path, run, id, "analytic", &R->swap_ana, &R->swap_hidden_ana, R->err,
				 R->errlen);
	if (a < 0 || b < 0)
		return PDS_FAIL;
	trace_log log = {0};
	int n = a || b ? 0 : rdb_trace(R->db, R->db_path, run, id, &log, R->err, R->errlen);
	if (n < 0) {
		trace_log_free(&log);
		return PDS_FAIL;
	}
	if (n == 0) {
		trace_log_free(&log);
		report_note(R, "run %lld stored no swap of %s (a run of an older version): the swap timeline is left out",
		     (long long)run, R->fol[FOL_CHOSEN].name);
		return 0;
	}
	char trace[4400], err[1024];
	snprintf(trace, sizeof trace, "%s/swap_trace.json", R->fig);
	int rc = trace_write_log(&log, trace, err, sizeof err);
	trace_log_free(&log);
	if (rc)
		return report_fail(R, PDS_FAIL, "%s", err);
	FILE *f = report_open_out(R, R->fig, "swap.gp");
	if (!f)
		return PDS_FAIL;
	plot_begin(f, "swap");
	timeline_marks m;
	m.trigger_s = R->swap_des.prefill_s - R->swap_des.tail_overlap_s;
	m.rm_ready_s = m.trigger_s + R->swap_des.swap_s;
	m.first_token_s = R->swap_des.ttft_s;
	char title[256];
	snprintf(title, sizeof title, "Swap of %s at a %d-token prompt (discrete-event model)", R->fol[FOL_CHOSEN].name,
		 R->swap_des.prompt);
	if (timeline_write(trace, f, &m, title, err, sizeof err)) {
		fclose(f);
		return report_fail(R, PDS_FAIL, "%s", err);
	}
	plot_png(f, "swap");
	if ((rc = report_close_out(R, f, R->fig, "swap.gp")))
		return rc;
	if (plot_run(R->gnuplot, R->fig, "swap.gp", R->err, R->errlen))
		return PDS_FAIL;
	R->has_swap = true;
	return 0;
}


/* ---------------------------------------------------------- break-even */

/* Index of v in a sorted list of n distinct values, or -1. */
static int index_of(const int *list, int n, int v)
{
	for (int i = 0; i < n; i++)
		if (list[i] == v)
			return i;
	return -1;
}

#define BE_AXIS_MAX (CFG_MAX_LIST * 4)

/* Insert v into the ascending list of n distinct values (room for BE_AXIS_MAX). */
static void axis_add(int *list, int *n, int v)
{
	if (index_of(list, *n, v) >= 0 || *n >= BE_AXIS_MAX)
		return;
	int j = (*n)++;
	for (; j > 0 && list[j - 1] > v; j--)
		list[j] = list[j - 1];
	list[j] = v;
}

/* The grid as stored: the distinct prompts and outputs, ascending. */
static void breakeven_axes(const report_ctx *R, int *prompts, int *np, int *outputs, int *no)
{
	*np = *no = 0;
	for (int k = 0; k < R->n_be; k++) {
		axis_add(prompts, np, R->be[k].prompt);
		axis_add(outputs, no, R->be[k].output);
	}
}

/* The six panels (a multiplot, drawn once per terminal). */
static void breakeven_plots(FILE *f, const report_ctx *R, const int *prompts, int np, const int *outputs, int no)
{
	static const char *const pols[3] = {"always", "never", "threshold"};
	static const char *const what[2] = {"e2e", "energy"};
	fprintf(f, "set multiplot layout 2,3 title \"Break-even map of %s against the static design %s: static / policy"
		   " (> 1, blue: the policy wins)\" font ',12'\n",
		R->be[0].design, R->be[0].static_design);
	fputs("set palette defined (-1 '#b2182b', 0 '#f7f7f7', 1 '#2166ac')\nset cbrange [-1:1]\n"
	      "set cbtics ('1/2' -1, '1' 0, '2' 1) font ',8'\n"
	      "set style fill solid 1.0 noborder\nset key below font ',8' samplen 1 nobox\nset tics font ',8'\nunset grid\n",
	      f);
	fprintf(f, "set xrange [-0.5:%d.5]\nset yrange [-0.5:%d.5]\n", no - 1, np - 1);
	fputs("set xtics (", f);
	for (int j = 0; j < no; j++)
		fprintf(f, "%s\"%d\" %d", j ? ", " : "", outputs[j], j);
	fputs(")\nset ytics (", f);
	for (int i = 0; i < np; i++)
		fprintf(f, "%s\"%d\" %d", i ? ", " : "", prompts[i], i);
	fputs(")\n", f);
	for (int m = 0; m < 2; m++)
		for (int p = 0; p < 3; p++) {
			fprintf(f, "set title \"%s: %s\" font ',10'\n", pols[p], m == 0 ? "e2e latency" : "energy per request");
			fprintf(f, "set xlabel \"%s\" font ',9'\nset ylabel \"%s\" font ',9'\n", m == 1 ? "output (tokens)" : "",
				p == 0 ? "prompt (tokens)" : "");
			fprintf(f, "%s\n", p == 2 ? "set colorbox" : "unset colorbox");
			fprintf(f, "plot $%s_%s using 1:2:(0.5):(0.5):3 with boxxyerror fc palette title \"%s %s (static / policy)\", \\\n"
				   "     $%s_%s using 1:2:4 with labels font ',7' notitle\n",
				pols[p], what[m], pols[p], what[m], pols[p], what[m]);
		}
	fputs("unset multiplot\n", f);
}

int figs_breakeven(report_ctx *R)
{
	if (R->n_be == 0)
		return 0;
	int prompts[BE_AXIS_MAX], outputs[BE_AXIS_MAX], np, no;
	breakeven_axes(R, prompts, &np, outputs, &no);
	FILE *f = report_open_out(R, R->fig, "breakeven.gp");
	if (!f)
		return PDS_FAIL;
	plot_begin(f, "breakeven");
	static const char *const pols[3] = {"always", "never", "threshold"};
	static const char *const what[2] = {"e2e", "energy"};
	for (int p = 0; p < 3; p++)
		for (int m = 0; m < 2; m++) {
			fprintf(f, "$%s_%s << EOD\n", pols[p], what[m]);
			for (int k = 0; k < R->n_be; k++) {
				const rdb_breakeven *b = &R->be[k];
				if (strcmp(b->policy, pols[p]))
					continue;
				double g = m == 0 ? b->static_e2e_s / b->e2e_s : b->static_energy_j / b->energy_j;
				if (!(g > 0) || !isfinite(g))
					continue;
				double lg = log2(g);
				fprintf(f, "%d %d %.6g \"%.2f\"\n", index_of(outputs, no, b->output), index_of(prompts, np, b->prompt),
					lg < -1 ? -1 : lg > 1 ? 1 : lg, g);
			}
			fputs("EOD\n", f);
		}
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			plot_png_terminal(f, "breakeven");
		breakeven_plots(f, R, prompts, np, outputs, no);
	}
	fputs("unset output\n", f);
	int rc = report_close_out(R, f, R->fig, "breakeven.gp");
	if (rc)
		return rc;
	if (plot_run(R->gnuplot, R->fig, "breakeven.gp", R->err, R->errlen))
		return PDS_FAIL;
	R->has_breakeven = true;
	return 0;
}

/* ----------------------------------------------------------------- K/V */

/* The option's title: precision, tier, and whether it meets the constraints. */
static void kv_title(const rdb_kv_option *o, char *out, size_t n)
{
	int k;
	if (o->tier == KV_TIER_NONE)
		k = snprintf(out, n, "%s, no tier", kv_prec_names[o->prec]);
	else
		k = snprintf(out, n, "%s, %d key%s/layer in %s (%lld %s)", kv_prec_names[o->prec], o->sinks + o->window,
			     o->sinks + o->window == 1 ? "" : "s",
			     o->tier == KV_TIER_STATIC ? "the static region" : "the decode RM", (long long)o->tier_blocks,
			     strcmp(o->tier_memory, "bram36") == 0 ? "BRAM36" : "URAM");
	if (!o->feasible && k > 0 && (size_t)k < n)
		snprintf(out + k, n - (size_t)k, ": breaks a constraint");
}

int figs_kv(report_ctx *R)
{
	static const char *const col[KV_N] = {"#0072B2", "#E69F00", "#009E73"};
	static const int dash[KV_TIER_N] = {1, 2, 3};
	if (R->n_kv == 0)
		return 0;
	const cfg_t *c = &R->cfg;
	int lo = follow_low(c, "decode_tok_s"), hi = c->model.max_context;
	FILE *f = report_open_out(R, R->fig, "kv.gp");
	if (!f)
		return PDS_FAIL;
	plot_begin(f, "kv");
	plotcmd pc = {{0}, 0};
	double ylo = INFINITY, yhi = 0;
	for (int k = 0; k < R->n_kv; k++) {
		const rdb_kv_option *o = &R->kv[k];
		char name[32], t[200];
		snprintf(name, sizeof name, "kv%d", k);
		if (block_xy(f, name, o->len, o->tok_s, o->n) == 0)
			continue;
		for (int i = 0; i < o->n; i++) {
			ylo = fmin(ylo, o->tok_s[i]);
			yhi = fmax(yhi, o->tok_s[i]);
		}
		kv_title(o, t, sizeof t);
		fprintf(f, "set style line %d lc rgb '%s' lw %s dt %d\n", k + 1, col[o->prec], o->feasible ? "2.2" : "0.8",
			dash[o->tier]);
		series(&pc, "$%s using 1:2 with lines ls %d title \"%s\"", name, k + 1, t);
	}
	if (pc.n == 0) {
		fclose(f);
		return report_fail(R, PDS_FAIL, "run %lld: no K/V option of the chosen design to draw", (long long)R->run.run_id);
	}
	fprintf(f, "set title \"Decode rate of %s against the context, per K/V option (accuracy not predicted)\"\n",
		R->kv_of->name);
	fputs("set xlabel \"context length (tokens in the KV cache)\"\n"
	      "set ylabel \"decode rate (tok/s), higher is better\"\n"
	      "set key outside bottom center maxrows 5\n"
	      "set logscale x 2\n",
	      f);
	fprintf(f, "set xrange [%g:%g]\n", lo / 1.1, hi * 1.1);
	pow2_tics(f, "x", lo, hi);
	auto_axis(f, "y", ylo, yhi, 8);
	int rc = finish_fig(R, f, "kv", &pc);
	if (rc == 0)
		R->has_kv = true;
	return rc;
}

/* ------------------------------------------------------------- modules */

#define RMS_COMBOS 12

/* The combination of modules of a cell, as the legend names it. */
static void combo_of(const rdb_breakeven *b, char *buf, size_t len)
{
	snprintf(buf, len, "%s > %s", b->prefill_rm, b->decode_rms);
}

int figs_rms(report_ctx *R)
{
	bool any = false;
	for (int k = 0; k < R->n_be && !any; k++)
		any = R->be[k].prefill_rm[0] != '\0';
	if (!any)
		return 0;
	int prompts[BE_AXIS_MAX], outputs[BE_AXIS_MAX], np, no;
	breakeven_axes(R, prompts, &np, outputs, &no);
	char combo[RMS_COMBOS][RMS_NAME_MAX * (RMS_MAX_SEG + 2)];
	int n_combo = 0;
	for (int k = 0; k < R->n_be; k++) {
		const rdb_breakeven *b = &R->be[k];
		char c[sizeof combo[0]];
		combo_of(b, c, sizeof c);
		bool seen = false;
		for (int j = 0; j < n_combo && !seen; j++)
			seen = strcmp(combo[j], c) == 0;
		if (!seen && n_combo < RMS_COMBOS)
			snprintf(combo[n_combo++], sizeof combo[0], "%s", c);
	}
	static const char *const colors[RMS_COMBOS] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
						       "#F0E442", "#000000", "#999999", "#882255", "#44AA99", "#DDCC77"};
	static const char *const pols[4] = {"always", "never", "threshold", "oracle"};
	FILE *f = report_open_out(R, R->fig, "rms.gp");
	if (!f)
		return PDS_FAIL;
	plot_begin(f, "rms");
	for (int p = 0; p < 4; p++) {
		fprintf(f, "$%s << EOD\n", pols[p]);
		for (int k = 0; k < R->n_be; k++) {
			const rdb_breakeven *b = &R->be[k];
			if (strcmp(b->policy, pols[p]))
				continue;
			char c[sizeof combo[0]];
			combo_of(b, c, sizeof c);
			int ci = 0;
			while (ci < n_combo - 1 && strcmp(combo[ci], c))
				ci++;
			fprintf(f, "%d %d %d\n", index_of(outputs, no, b->output), index_of(prompts, np, b->prompt), ci);
		}
		fputs("EOD\n", f);
	}
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			plot_png_terminal(f, "rms");
		fprintf(f, "set multiplot layout 2,2 title \"Which modules of %s serve each request of the break-even grid"
			   " (the prefill's > the decode's in turn)\" font ',12'\n",
			R->be[0].design);
		fprintf(f, "set palette maxcolors %d\nset palette defined (", n_combo);
		for (int j = 0; j < n_combo; j++)
			fprintf(f, "%s%d '%s'", j ? ", " : "", j, colors[j]);
		fprintf(f, ")\nset cbrange [-0.5:%d.5]\nunset colorbox\n", n_combo - 1);
		fputs("set style fill solid 1.0 noborder\nset key below font ',8' samplen 1 nobox\nset tics font ',8'\n"
		      "unset grid\n",
		      f);
		fprintf(f, "set xrange [-0.5:%d.5]\nset yrange [-0.5:%d.5]\n", no - 1, np - 1);
		fputs("set xtics (", f);
		for (int j = 0; j < no; j++)
			fprintf(f, "%s\"%d\" %d", j ? ", " : "", outputs[j], j);
		fputs(")\nset ytics (", f);
		for (int i = 0; i < np; i++)
			fprintf(f, "%s\"%d\" %d", i ? ", " : "", prompts[i], i);
		fputs(")\n", f);
		for (int p = 0; p < 4; p++) {
			fprintf(f, "set title \"%s\" font ',10'\nset xlabel \"%s\" font ',9'\nset ylabel \"%s\" font ',9'\n",
				pols[p], p >= 2 ? "output (tokens)" : "", p % 2 == 0 ? "prompt (tokens)" : "");
			fprintf(f, "plot $%s using 1:2:(0.5):(0.5):3 with boxxyerror fc palette notitle", pols[p]);
			/* the legend: one entry per combination, on the last panel */
			for (int j = 0; p == 3 && j < n_combo; j++) {
				char esc[sizeof combo[0] * 2];
				size_t e = 0;
				for (const char *q = combo[j]; *q && e + 2 < sizeof esc; q++) {
					if (*q == '"' || *q == '\\' || *q == '_')
						esc[e++] = '\\';
					esc[e++] = *q;
				}
				esc[e] = '\0';
				fprintf(f, ", \\\n     NaN with boxes fc rgb '%s' title \"%s\"", colors[j], esc);
			}
			fputs("\n", f);
		}
		fputs("unset multiplot\n", f);
	}
	fputs("unset output\n", f);
	int rc = report_close_out(R, f, R->fig, "rms.gp");
	if (rc)
		return rc;
	if (plot_run(R->gnuplot, R->fig, "rms.gp", R->err, R->errlen))
		return PDS_FAIL;
	R->has_rms_map = true;
	return 0;
}
