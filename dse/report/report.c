/*
 * report.c - the HTML report of one stored run (see report.h).
 *
 * Data flow: results.db (runs + views) -> the designs the report follows
 * -> figures (figs.c: gnuplot scripts with inline data) and the page
 * (page.c).  The report draws what the run stored and chooses nothing
 * itself.  Four designs are followed through every figure:
 *
 *   PD-Swap    the run's chosen point when it is a dpr design, otherwise the
 *              best dpr point the run stored (its `best` table);
 *   published  the stored point of measurements.dpr_design, the design
 *              PD-Swap published;
 *   static     the best static point the run stored (or the chosen one);
 *   baseline   the stored point of measurements.fit_design, the calibrated
 *              static baseline, with its measured points.
 *
 * Beside them it reads what the run stored of its space: the counts per
 * constraint (v_counts), what each knob did (v_knobs) and the front's
 * groups of equal points (v_groups); and it works out, from the chosen
 * design's stored regions and DES TTFT and the run's config, which of its
 * constraints is nearest its limit.
 *
 * What a figure draws of them (dense curves, resources per region, the
 * swap and its trace, the validation rows) is what the sweep stored for
 * them (explore/follow.h); a run of an older version that stored none of
 * it is drawn with what it has, and the page says what is missing.  The
 * model is evaluated only to say whether this build still gives the
 * stored figures (a run of another model does not).
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

#include "config/config.h"
#include "explore/space.h"
#include "models/perf.h"
#include "models/rms.h"
#include "models/version.h"
#include "report/plot.h"
#include "report/report_int.h"
#include "sim/afile.h"
#include "store/measured.h"

const char *const report_res_label[RES_N] = {"LUT", "FF", "BRAM36", "URAM", "DSP"};

void report_note(report_ctx *R, const char *fmt, ...)
{
	if (R->n_notes >= MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(R->notes[R->n_notes++], sizeof R->notes[0], fmt, ap);
	va_end(ap);
}

int report_fail(report_ctx *R, int code, const char *fmt, ...)
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
		return errno == ENOENT ? 0 : report_fail(R, PDS_FAIL, "%s: %s", out, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return report_fail(R, PDS_FAIL_REQUEST, "%s: exists and is not a directory; refusing to replace it", out);
	if (dir_state(out) < 0)
		return report_fail(R, PDS_FAIL_REQUEST,
			    "%s: an existing directory that is not a pdswap report (no %s inside); refusing to"
			    " replace it (choose another --out)",
			    out, MARKER);
	return 0;
}

FILE *report_open_out(report_ctx *R, const char *dir, const char *name)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		report_fail(R, PDS_FAIL, "%s: cannot write: %s", path, strerror(errno));
	return f;
}

int report_close_out(report_ctx *R, FILE *f, const char *dir, const char *name)
{
	bool bad = ferror(f) != 0;
	if (fclose(f) != 0)
		bad = true;
	if (bad)
		return report_fail(R, PDS_FAIL, "%s/%s: write error", dir, name);
	return 0;
}

/* ------------------------------------------------------- the designs */

static bool has_baseline(const cfg_t *c)
{
	int i = c->meas.fit_design[0] ? cfg_find_design(c, c->meas.fit_design) : -1;
	return i >= 0;
}

void report_point_label(const rdb_point *p, char *out, size_t n)
{
	if (p->design_name[0])
		snprintf(out, n, "%s", p->design_name);
	else
		snprintf(out, n, "point %lld", (long long)p->point_id);
}

/*
 * A stored point as a design_t (store/rdb.h, the one reader of stored
 * points).  A named point whose columns differ from that design of the
 * run's config is noted.  Returns 0, or -1 when the point does not fit the
 * run's config (noted) or on an error (err set).
 */
static int point_design(report_ctx *R, const rdb_point *pt, design_t *d)
{
	const cfg_t *c = &R->cfg;
	char why[1024];
	int rc = rdb_design(R->db, R->db_path, c, R->run.run_id, pt->point_id, d, NULL, 0, why, sizeof why);
	if (rc == PDS_FAIL_REQUEST) {
		report_note(R, "%s; it is not followed", why);
		return -1;
	}
	if (rc)
		return report_fail(R, PDS_FAIL, "%s", why);
	int i = pt->design_name[0] ? cfg_find_design(c, pt->design_name) : -1;
	if (i >= 0 && memcmp(d, &c->designs[i].d, sizeof *d) != 0)
		report_note(R, "stored point %lld is named '%s' but its columns differ from that design of the run's"
			" config; the report follows the stored columns",
		     (long long)pt->point_id, pt->design_name);
	return 0;
}

const rdb_point *report_find_point(const report_ctx *R, int64_t id)
{
	size_t lo = 0, hi = R->n_pts; /* rdb_points_load orders by point_id */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (R->pts[mid].point_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < R->n_pts && R->pts[lo].point_id == id ? &R->pts[lo] : NULL;
}

static const rdb_point *named_point(const report_ctx *R, const char *name)
{
	for (size_t k = 0; name[0] && k < R->n_pts; k++)
		if (strcmp(R->pts[k].design_name, name) == 0)
			return &R->pts[k];
	return NULL;
}

long report_group_of(const report_ctx *R, int64_t id)
{
	for (size_t g = 0; g < R->n_groups; g++)
		for (int64_t k = 0; k < R->g_count[g]; k++)
			if (R->g_members[R->g_first[g] + (size_t)k] == id)
				return (long)g;
	return -1;
}

/* What the DES measured of a followed design at the objective's lengths
 * (v_metrics, source des), and its paper objective from them. */
static int load_des(report_ctx *R, report_design *D)
{
	const cfg_objective *o = &R->cfg.obj;
	report_des *x = &D->des;
	*x = (report_des){NAN, NAN, NAN, NAN, NAN, NAN, NAN};
	const int len[3] = {o->prompt, o->l_long, o->l_short};
	figures_len f[3];
	for (int k = 0; k < 3; k++) {
		int rc = rdb_metric(R->db, R->db_path, R->run.run_id, D->pt->point_id, "des", len[k], &f[k], R->err,
				    R->errlen);
		if (rc < 0)
			return PDS_FAIL;
		if (rc == 1)
			f[k] = figures_len_none();
		else
			D->has_des = true;
	}
	x->ttft_obj = f[0].ttft_s;
	x->swap_exposed_obj = D->d.mode == MODE_DPR ? f[0].swap_exposed_s : NAN;
	x->tok_long = f[1].decode_tok_s;
	x->e_long = f[1].energy_j_per_token;
	x->tok_short = f[2].decode_tok_s;
	x->e_short = f[2].energy_j_per_token;
	x->objective = figures_objective(o, x->ttft_obj, f[1].decode_step_s, f[2].decode_step_s);
	return 0;
}

/* What the run stored of a followed design: its curves and regions, its
 * intervals, its analytic exposed swap at the objective's prompt, its DES
 * figures and (dpr) its stored inference. */
static int load_stored(report_ctx *R, report_design *D)
{
	int64_t run = R->run.run_id, id = D->pt->point_id;
	for (int k = 0; k < FOLLOW_CURVES; k++) {
		D->n_curve[k] = rdb_curve(R->db, R->db_path, run, id, follow_curve_metric[k], D->curve_len[k],
					  D->curve_val[k], FOLLOW_SAMPLES, R->err, R->errlen);
		if (D->n_curve[k] < 0)
			return PDS_FAIL;
	}
	if (rdb_regions(R->db, R->db_path, run, id, D->region, D->has_region, R->err, R->errlen) < 0)
		return PDS_FAIL;
	for (int k = 0; k < FOLLOW_CURVES; k++) {
		D->n_iv[k] = rdb_intervals(R->db, R->db_path, run, id, follow_curve_metric[k], D->iv[k], CFG_MAX_LIST + 2,
					   R->err, R->errlen);
		if (D->n_iv[k] < 0)
			return PDS_FAIL;
	}
	static const char *const other[1 + RES_N] = {"objective", "lut", "ff", "bram36", "uram", "dsp"};
	D->n_iv_other = 0;
	for (int k = 0; k < 1 + RES_N; k++) {
		int n = rdb_intervals(R->db, R->db_path, run, id, other[k], &D->iv_other[D->n_iv_other], 1, R->err,
				      R->errlen);
		if (n < 0)
			return PDS_FAIL;
		if (n == 1)
			D->iv_other_name[D->n_iv_other++] = other[k];
	}
	if (load_des(R, D))
		return PDS_FAIL;
	D->swap_exposed_obj = NAN;
	if (D->d.mode != MODE_DPR)
		return 0;
	int len[2 * CFG_MAX_LIST + 8];
	double val[2 * CFG_MAX_LIST + 8];
	int n = rdb_series(R->db, R->db_path, run, id, "analytic", "swap_exposed_s", len, val,
			   (int)(sizeof len / sizeof len[0]), R->err, R->errlen);
	if (n < 0)
		return PDS_FAIL;
	for (int i = 0; i < n; i++)
		if (len[i] == R->cfg.obj.prompt)
			D->swap_exposed_obj = val[i];
	static const char *const src[2] = {"des", "analytic"};
	int have = 0;
	for (int k = 0; k < 2; k++) {
		int rc = rdb_swap(R->db, R->db_path, run, id, src[k], &D->swap[k], &D->swap_hidden[k], R->err, R->errlen);
		if (rc < 0)
			return PDS_FAIL;
		have += rc == 0;
	}
	D->has_swap = have == 2;
	return 0;
}

/* Follow stored point `pt` (NULL: nothing to follow). */
static int follow(report_ctx *R, report_design *D, const rdb_point *pt, const char *role, const char *color,
		  int dash, const char *why)
{
	if (!pt)
		return 0;
	int rc = point_design(R, pt, &D->d);
	if (rc)
		return rc == PDS_FAIL && R->err[0] ? PDS_FAIL : 0;
	D->present = true;
	D->pt = pt;
	D->color = color;
	D->dash = dash;
	snprintf(D->role, sizeof D->role, "%s", role);
	snprintf(D->why, sizeof D->why, "%s", why);
	report_point_label(pt, D->name, sizeof D->name);
	return load_stored(R, D);
}

/* The point of run's `best` row for a mode, or NULL. */
static int best_point(report_ctx *R, arch_mode mode, const rdb_point **out)
{
	int64_t id;
	*out = NULL;
	int rc = rdb_best(R->db, R->db_path, R->run.run_id, mode, &id, R->err, R->errlen);
	if (rc < 0)
		return PDS_FAIL;
	if (rc == 0)
		*out = report_find_point(R, id);
	return 0;
}

/*
 * The designs the report follows, as the run stored its choice: the
 * chosen point, the published PD-Swap design (the stored point of
 * measurements.dpr_design), the best point of the other architecture (the
 * `best` table) and the calibrated baseline (the stored point of
 * measurements.fit_design).  The report chooses nothing itself.
 */
static int pick_designs(report_ctx *R)
{
	const cfg_t *c = &R->cfg;
	const rdb_point *chosen = NULL, *bd, *bs;
	for (size_t i = 0; i < R->n_pts; i++)
		if (R->pts[i].chosen)
			chosen = &R->pts[i];
	if (best_point(R, MODE_DPR, &bd) || best_point(R, MODE_STATIC, &bs))
		return PDS_FAIL;
	int rc;
	report_design *F = R->fol;
	char how[160];
	if (c->obj.workload[0])
		snprintf(how, sizeof how, "the point the run chose (least %s in a session of workload '%s')",
			 cfg_wl_figure_names[c->obj.workload_figure], c->obj.workload);
	else
		snprintf(how, sizeof how, "the point the run chose (lowest objective measured with the DES)");
	if (chosen && chosen->mode == MODE_DPR)
		rc = follow(R, &F[FOL_CHOSEN], chosen, "PD-Swap (chosen)", COL_DPR, 1, how);
	else
		rc = follow(R, &F[FOL_CHOSEN], bd, "PD-Swap (best)", COL_DPR, 1,
			    chosen ? "the run chose a static point; the best dpr point the run stored"
				   : "the run stored no chosen point; the best dpr point it stored");
	if (rc)
		return rc;
	if (chosen && chosen->mode == MODE_STATIC)
		rc = follow(R, &F[FOL_STATIC], chosen, "static (chosen)", COL_STATIC, 2, how);
	else
		rc = follow(R, &F[FOL_STATIC], bs, "best static", COL_STATIC, 2,
			    "the best static point the run stored (lowest objective measured with the DES)");
	if (rc)
		return rc;
	if (!F[FOL_CHOSEN].present)
		report_note(R, "the run stored no best dpr point: no PD-Swap design of the space is followed");
	if (!F[FOL_STATIC].present)
		report_note(R, "the run stored no best static point: no static design is followed");
	if (c->has_meas && c->meas.dpr_design[0] && cfg_find_design(c, c->meas.dpr_design) >= 0) {
		const rdb_point *p = named_point(R, c->meas.dpr_design);
		if (!p)
			report_note(R, "the run stored no point of the published PD-Swap design '%s'", c->meas.dpr_design);
		if ((rc = follow(R, &F[FOL_PUB], p, "published PD-Swap", COL_PUB, 4,
				 "measurements.dpr_design of the run's config: the design PD-Swap published")))
			return rc;
	}
	if (R->has_meas) {
		const rdb_point *b = named_point(R, c->meas.fit_design);
		if (!b)
			report_note(R, "the run stored no point of the calibrated baseline '%s'", c->meas.fit_design);
		if ((rc = follow(R, &F[FOL_BASE], b, "calibrated baseline", COL_BASE, 3,
				 "measurements.fit_design of the run's config: the published static design the model is"
				 " fitted to")))
			return rc;
	}
	return 0;
}

/*
 * Whether this build's model still gives the stored analytic figures of a
 * followed design (a run of another model does not): the one place the
 * report evaluates the model, to say so, never to draw.
 */
static int check_stored(report_ctx *R, report_design *D)
{
	if (!D->present)
		return 0;
	rms_ctx p;
	rms_prepare(&p, &R->cfg, &R->wl, &D->d);
	int len[2 * CFG_MAX_LIST + 8];
	double val[2 * CFG_MAX_LIST + 8];
	for (int k = 0; k < FOLLOW_CURVES; k++) {
		int n = rdb_series(R->db, R->db_path, R->run.run_id, D->pt->point_id, "analytic", follow_curve_metric[k], len,
				   val, (int)(sizeof len / sizeof len[0]), R->err, R->errlen);
		if (n < 0)
			return PDS_FAIL;
		for (int i = 0; i < n; i++) {
			double m = k == CURVE_TTFT     ? rms_ttft_s(&p, len[i])
				   : k == CURVE_DECODE ? 1.0 / rms_decode_step_s(&p, len[i])
						       : rms_decode_energy_j(&p, len[i]);
			double rel = fabs(m - val[i]) / fmax(fabs(val[i]), 1e-300);
			if (rel > D->max_rel_diff)
				D->max_rel_diff = rel;
		}
	}
	if (D->max_rel_diff > REL_TOL)
		report_note(R, "%s: the stored analytic figures differ from this build's model by up to %.3g%% (run made by"
			" version %s, model %s; report by %s, model %s); the report draws what the run stored",
		     D->name, 100 * D->max_rel_diff, R->run.tool_version,
		     R->run.model_fingerprint[0] ? R->run.model_fingerprint : "unknown", PDS_VERSION,
		     version_model_fingerprint());
	return 0;
}

/* The stored resources of a followed design per region (none: not present). */
res_split report_split_of(const report_design *D)
{
	res_split s;
	memset(&s, 0, sizeof s);
	if (!D->present || !D->has_region[RDB_STATIC] || !D->has_region[RDB_PREFILL_RM] ||
	    !D->has_region[RDB_DECODE_RM])
		return s;
	s.present = true;
	s.dpr = D->d.mode == MODE_DPR;
	s.stat = D->region[RDB_STATIC];
	s.pre = D->region[RDB_PREFILL_RM];
	s.dec = D->region[RDB_DECODE_RM];
	if (s.dpr && D->has_region[RDB_PBLOCK])
		s.rp_cap = D->region[RDB_PBLOCK];
	return s;
}

/* ------------------------------------------------ what binds the choice */

static void add_bind(report_ctx *R, double used, double limit, int res, const char *part, const char *unit,
		     const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void add_bind(report_ctx *R, double used, double limit, int res, const char *part, const char *unit,
		     const char *fmt, ...)
{
	if (R->n_binds >= MAX_BINDS || !isfinite(used) || !(limit > 0))
		return;
	report_bind *b = &R->binds[R->n_binds++];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->what, sizeof b->what, fmt, ap);
	va_end(ap);
	b->used = used;
	b->limit = limit;
	b->res = res;
	b->part = part;
	b->unit = unit;
}

/*
 * Every constraint of the chosen design with what it uses of its limit,
 * nearest first: each resource of the whole design against its
 * utilisation cap, for a dpr design the larger RM against its pblock
 * (within the routability margin for LUT and FF) and the static region
 * against what the pblock leaves, and the TTFT the DES measured at
 * objective.prompt against t_pre_max.  Arithmetic on the stored figures
 * and the run's config (the same limits perf_resources checks).
 */
static void find_binds(report_ctx *R)
{
	const cfg_t *c = &R->cfg;
	const report_design *D = R->fol[FOL_CHOSEN].present && R->fol[FOL_CHOSEN].pt->chosen ? &R->fol[FOL_CHOSEN]
				 : R->fol[FOL_STATIC].present && R->fol[FOL_STATIC].pt->chosen ? &R->fol[FOL_STATIC]
											: NULL;
	R->n_binds = 0;
	if (!D)
		return;
	const res_t *dev = &c->dev.resources;
	for (int t = 0; t < RES_N; t++)
		add_bind(R, D->has_region[RDB_TOTAL] ? D->region[RDB_TOTAL].v[t] : D->pt->r.v[t],
			 c->cons.util_cap.v[t] * dev->v[t], t, "design", "",
			 "%s of the whole design (static region + %s) against the utilisation cap (%.0f%% of %.6g)",
			 report_res_label[t], D->d.mode == MODE_DPR ? "the larger RM" : "both engines",
			 100 * c->cons.util_cap.v[t], dev->v[t]);
	res_split s = report_split_of(D);
	if (s.present && s.dpr && D->has_region[RDB_PBLOCK]) {
		const char *pb = c->arch.pblocks[D->d.rp].name;
		for (int t = 0; t < RES_N; t++) {
			bool pre = s.pre.v[t] >= s.dec.v[t];
			double cap = perf_rp_usable(c, t, s.rp_cap.v[t]);
			if (t == RES_LUT || t == RES_FF)
				add_bind(R, pre ? s.pre.v[t] : s.dec.v[t], cap, t, pre ? "prefill_rm" : "decode_rm", "",
					 "%s of the %s RM in pblock %s (%.0f%% routability of its %.6g)", report_res_label[t],
					 pre ? "prefill" : "decode", pb, 100 * c->cons.rp_margin, s.rp_cap.v[t]);
			else
				add_bind(R, pre ? s.pre.v[t] : s.dec.v[t], cap, t, pre ? "prefill_rm" : "decode_rm", "",
					 "%s of the %s RM in pblock %s (its sites)", report_res_label[t],
					 pre ? "prefill" : "decode", pb);
			add_bind(R, s.stat.v[t], perf_outside_usable(c, t, s.rp_cap.v[t]), t, "static", "",
				 "%s of the static region outside pblock %s (%.0f%% of the %.6g it leaves)", report_res_label[t],
				 pb, 100 * c->cons.util_cap.v[t], dev->v[t] - s.rp_cap.v[t]);
		}
	}
	add_bind(R, D->des.ttft_obj, c->cons.t_pre_max_s, -1, "ttft", "s",
		 "TTFT at a %d-token prompt (discrete-event model) against t_pre_max", c->obj.prompt);
	/* nearest first; ties keep the order above */
	for (int i = 1; i < R->n_binds; i++)
		for (int j = i; j > 0 && R->binds[j].used / R->binds[j].limit > R->binds[j - 1].used / R->binds[j - 1].limit;
		     j--) {
			report_bind t = R->binds[j];
			R->binds[j] = R->binds[j - 1];
			R->binds[j - 1] = t;
		}
}

/* ----------------------------------------------------------- assembly */

/* The K/V options the run stored of its chosen design (none before schema 5). */
static int load_kv(report_ctx *R)
{
	enum { MAX_KV = 4 * KV_N };
	const report_design *dpr = &R->fol[FOL_CHOSEN], *stat = &R->fol[FOL_STATIC];
	const report_design *K = dpr; /* the chosen one, else the dpr design, else the static one */
	if (!(dpr->present && dpr->pt->chosen) && stat->present && (stat->pt->chosen || !dpr->present))
		K = stat;
	if (!K->present)
		return 0;
	R->kv_of = K;
	R->kv = malloc(MAX_KV * sizeof *R->kv);
	if (!R->kv)
		return report_fail(R, PDS_FAIL, "out of memory");
	R->n_kv = rdb_kv_options(R->db, R->db_path, R->run.run_id, K->pt->point_id, R->kv, MAX_KV, R->err, R->errlen);
	if (R->n_kv < 0)
		return PDS_FAIL;
	if (R->n_kv == 0)
		report_note(R, "run %lld stored no K/V options of its chosen design (a run of an older version): the K/V"
			" figure and its table are left out",
			    (long long)R->run.run_id);
	return 0;
}

/* The sessions and the break-even map the run stored (none before schema 4). */
static int load_sessions(report_ctx *R)
{
	enum { MAX_SESS = CFG_MAX_SESSION_WL * SESSION_POLICIES, MAX_BE = 4 * CFG_MAX_LIST * CFG_MAX_LIST };
	R->sess = malloc(MAX_SESS * sizeof *R->sess);
	R->be = malloc(MAX_BE * sizeof *R->be);
	if (!R->sess || !R->be)
		return report_fail(R, PDS_FAIL, "out of memory");
	if ((R->n_sess = rdb_sessions(R->db, R->db_path, R->run.run_id, R->sess, MAX_SESS, R->err, R->errlen)) < 0 ||
	    (R->n_be = rdb_breakeven_cells(R->db, R->db_path, R->run.run_id, R->be, MAX_BE, R->err, R->errlen)) < 0)
		return PDS_FAIL;
	if (R->n_sess == 0 && R->cfg.n_session_wl > 0)
		report_note(R, "run %lld stored no sessions of its workloads (a run of an older version): the sessions"
			" table and the break-even map are left out",
		     (long long)R->run.run_id);
	return 0;
}

/* What the space held, pruned and stored (v_counts), what each knob did
 * (v_knobs) and the front's equal points (v_groups). */
static int load_space(report_ctx *R)
{
	if (rdb_counts_load(R->db, R->db_path, R->run.run_id, &R->counts, R->err, R->errlen))
		return PDS_FAIL;
	enum { MAX_KNOBS = 2 * SK_N * CFG_MAX_LIST };
	R->knobs = malloc(MAX_KNOBS * sizeof *R->knobs);
	if (!R->knobs)
		return report_fail(R, PDS_FAIL, "out of memory");
	if ((R->n_knobs = rdb_knobs(R->db, R->db_path, R->run.run_id, R->knobs, MAX_KNOBS, R->err, R->errlen)) < 0 ||
	    rdb_groups(R->db, R->db_path, R->run.run_id, &R->g_rep, &R->g_count, &R->g_first, &R->g_members,
		       &R->n_groups, R->err, R->errlen))
		return PDS_FAIL;
	for (size_t i = 0; i < R->n_pts; i++) {
		const rdb_point *p = &R->pts[i];
		R->n_front += p->on_front;
		R->n_front_mode[p->mode] += p->on_front;
		R->n_named += p->design_name[0] != '\0';
	}
	for (size_t g = 0; g < R->n_groups; g++) {
		const rdb_point *p = report_find_point(R, R->g_rep[g]);
		if (p)
			R->n_distinct[p->mode]++;
	}
	return 0;
}

/* PDS_FAIL with the message once the caller's stop flag is set, else 0. */
static int stopped(report_ctx *R)
{
	if (!R->stop || !*R->stop)
		return 0;
	int sig = (int)*R->stop;
	return report_fail(R, PDS_FAIL, "interrupted by %s: the report was not written (nothing at its directory changed)",
			   sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal");
}

static int build(report_ctx *R, int64_t run_id, const char *outdir)
{
	char err[2048];
	int rc;
	if (plot_find(R->gnuplot, sizeof R->gnuplot, err, sizeof err))
		return report_fail(R, PDS_FAIL, "%s; no report written", err);
	if ((rc = check_outdir(R, outdir)))
		return rc;
	if (rdb_open(R->db_path, &R->db, err, sizeof err))
		return report_fail(R, PDS_FAIL, "%s", err);
	if (rdb_run_load(R->db, R->db_path, run_id, &R->run, err, sizeof err))
		return report_fail(R, run_id > 0 ? PDS_FAIL_REQUEST : PDS_FAIL, "%s", err);
	R->run_loaded = true;
	char name[1200];
	snprintf(name, sizeof name, "%s (config of run %lld)", R->run.config_path, (long long)R->run.run_id);
	if (config_load_buffer(&R->cfg, name, R->run.config_text, R->run.config_len, err, sizeof err))
		return report_fail(R, PDS_FAIL, "%s: the run's stored config does not load: %s", R->db_path, err);
	R->cfg_loaded = true;
	/* the measured profiles the run took: its figures rest on them */
	int passed = 0;
	if (measured_load_run(R->db, R->db_path, &R->cfg, R->run.run_id, &passed, err, sizeof err))
		return report_fail(R, PDS_FAIL, "%s", err);
	if (R->cfg.n_imports)
		report_note(R, "the run took %d imported measurement%s as measured profiles (v_run_measurements): the"
			       " engines they measured have the measured figures; the validation table shows each against"
			       " the parametric model",
			    R->cfg.n_imports, R->cfg.n_imports == 1 ? "" : "s");
	workload_init(&R->wl, &R->cfg.model);
	R->has_meas = has_baseline(&R->cfg);
	if (!R->has_meas)
		report_note(R, "the run's config has no measurements section: the baseline, its measured points and the"
			" validation table are left out");
	const cfg_objective *ob = &R->cfg.obj;
	if (rdb_points_load(R->db, R->db_path, R->run.run_id, ob->prompt, ob->l_long, ob->l_short, &R->pts,
			    &R->n_pts, err, sizeof err))
		return report_fail(R, PDS_FAIL, "%s", err);
	if (R->n_pts == 0)
		return report_fail(R, PDS_FAIL, "%s: run %lld stored no design points; nothing to report", R->db_path,
			    (long long)R->run.run_id);
	for (size_t i = 0; i < R->n_pts; i++) {
		const rdb_point *p = &R->pts[i];
		R->n_feasible += p->feasible;
		if (p->feasible && !(isfinite(p->ttft_obj_s) && isfinite(p->tok_long) && isfinite(p->tok_short)))
			R->n_drawn_missing++;
	}
	if ((rc = load_space(R)) || (rc = pick_designs(R)))
		return rc;
	for (int k = 0; k < FOL_N; k++)
		if ((rc = check_stored(R, &R->fol[k])))
			return rc;
	find_binds(R);
	if ((R->n_val = rdb_validation(R->db, R->db_path, R->run.run_id, R->val, (int)(sizeof R->val / sizeof R->val[0]),
				       R->err, R->errlen)) < 0)
		return PDS_FAIL;
	if ((rc = load_sessions(R)) || (rc = load_kv(R)))
		return rc;
	const report_design *ch = &R->fol[FOL_CHOSEN];
	if (ch->present && ch->d.mode == MODE_DPR && ch->d.rms.n > 0 &&
	    (R->n_rms = rdb_point_rms(R->db, R->db_path, R->run.run_id, ch->pt->point_id, R->rms, RMS_MAX, R->err,
				      R->errlen)) < 0)
		return PDS_FAIL;

	/* the temporary directory beside the output */
	if (afile_check_parent(outdir, R->err, R->errlen))
		return PDS_FAIL;
	snprintf(R->tmp, sizeof R->tmp, "%s.tmp-XXXXXX", outdir);
	if (!mkdtemp(R->tmp)) {
		R->tmp[0] = '\0';
		return report_fail(R, PDS_FAIL, "%s: cannot create a temporary directory beside it: %s", outdir,
			    strerror(errno));
	}
	mode_t mask = umask(0);
	umask(mask);
	chmod(R->tmp, 0777 & ~mask); /* mkdtemp makes it private; a report is not */
	snprintf(R->fig, sizeof R->fig, "%s/fig", R->tmp);
	if (mkdir(R->fig, 0777))
		return report_fail(R, PDS_FAIL, "%s: cannot create: %s", R->fig, strerror(errno));
	FILE *f = report_open_out(R, R->tmp, "config.yaml");
	if (!f)
		return PDS_FAIL;
	fwrite(R->run.config_text, 1, R->run.config_len, f);
	if ((rc = report_close_out(R, f, R->tmp, "config.yaml")))
		return rc;
	if ((rc = stopped(R)) || (rc = figs_pareto(R)) || (rc = stopped(R)) || (rc = figs_curve(R, CURVE_TTFT)) ||
	    (rc = stopped(R)) || (rc = figs_curve(R, CURVE_DECODE)) || (rc = stopped(R)) ||
	    (rc = figs_curve(R, CURVE_ENERGY)) || (rc = stopped(R)) || (rc = figs_energy_request(R)) ||
	    (rc = stopped(R)) || (rc = figs_resources(R)) || (rc = stopped(R)) || (rc = figs_swap(R)) ||
	    (rc = stopped(R)) || (rc = figs_breakeven(R)) || (rc = stopped(R)) ||
	    (rc = figs_kv(R)) || (rc = stopped(R)) || (rc = figs_rms(R)) || (rc = stopped(R)))
		return rc;
	if (R->n_no_curve)
		report_note(R, "run %lld stored no model curves for %d of the curves the TTFT, decode and energy figures draw"
			" (a run of an older version; energy curves are stored from schema version 5 on): those show the"
			" stored points only",
		     (long long)R->run.run_id, R->n_no_curve);
	if ((rc = page_write(R)))
		return rc;
	if (!(f = report_open_out(R, R->tmp, MARKER)))
		return PDS_FAIL;
	fprintf(f, "pdswap report of run %lld of %s\n", (long long)R->run.run_id, R->db_path);
	if ((rc = report_close_out(R, f, R->tmp, MARKER)))
		return rc;

	/* into place: the previous report (checked above) moves aside, then goes */
	if ((rc = stopped(R)) || (rc = check_outdir(R, outdir)))
		return rc;
	char old[4200] = "";
	struct stat sb;
	if (stat(outdir, &sb) == 0) {
		snprintf(old, sizeof old, "%s.old-XXXXXX", outdir);
		if (!mkdtemp(old) || rename(outdir, old))
			return report_fail(R, PDS_FAIL, "%s: cannot move the previous report aside: %s", outdir,
				    strerror(errno));
	}
	if (rename(R->tmp, outdir)) {
		int e = errno;
		if (old[0])
			rename(old, outdir);
		return report_fail(R, PDS_FAIL, "%s: cannot move the report into place: %s", outdir, strerror(e));
	}
	R->tmp[0] = '\0';
	if (old[0])
		rm_tree(old);
	return 0;
}

int report_write(const char *db, int64_t run_id, const char *outdir, char *err, size_t errlen)
{
	return report_write_stop(db, run_id, outdir, NULL, err, errlen);
}

int report_write_stop(const char *db, int64_t run_id, const char *outdir, const volatile sig_atomic_t *stop,
		      char *err, size_t errlen)
{
	report_ctx *R = calloc(1, sizeof *R);
	if (!R) {
		snprintf(err, errlen, "out of memory");
		return PDS_FAIL;
	}
	R->stop = stop;
	R->db_path = db;
	R->err = err;
	R->errlen = errlen;
	err[0] = '\0';
	char out[4096];
	snprintf(out, sizeof out, "%s", outdir);
	for (size_t n = strlen(out); n > 1 && out[n - 1] == '/'; n--)
		out[n - 1] = '\0';
	int rc = out[0] ? build(R, run_id, out) : report_fail(R, PDS_FAIL_REQUEST, "the output directory name is empty");
	if (R->tmp[0])
		rm_tree(R->tmp);
	if (R->db)
		sqlite3_close(R->db);
	if (R->run_loaded)
		rdb_run_release(&R->run);
	if (R->cfg_loaded)
		cfg_release(&R->cfg);
	free(R->pts);
	free(R->knobs);
	free(R->g_rep);
	free(R->g_count);
	free(R->g_first);
	free(R->g_members);
	free(R->sess);
	free(R->be);
	free(R->kv);
	free(R);
	return rc;
}
