/*
 * report_int.h - what the files of dse/report share: the state of one
 * report being written (report.c builds it from the database), the
 * followed designs and what the run stored of them, the figures (figs.c)
 * and the page (page.c).  Nothing outside dse/report sees it.
 */
#ifndef PDS_REPORT_INT_H
#define PDS_REPORT_INT_H

#include <sqlite3.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "explore/follow.h"
#include "models/calib.h"
#include "models/cfg.h"
#include "models/figures.h"
#include "models/workload.h"
#include "store/rdb.h"

#define MARKER ".pdswap-report"
#define MAX_NOTES 24
#define MAX_CLOUD 4000 /* off-front points drawn in the Pareto figure */
#define REL_TOL 1e-6   /* stored vs this build's model */

#define COL_DPR "#0072B2"
#define COL_STATIC "#D55E00"
#define COL_BASE "#009E73"
#define COL_STATIC_REGION "#9E9E9E"
#define COL_PRE "#56B4E9"
#define COL_DEC "#E69F00"

/* Resource names as the figures and the page print them (res_type order). */
extern const char *const report_res_label[RES_N];

enum { CURVE_TTFT, CURVE_DECODE };
extern const char *const report_curve_metric[2];

typedef struct {
	bool present;
	char role[64];    /* what the design stands for in the report */
	char name[96];    /* its name, or "point N" */
	char why[160];    /* how it was picked */
	const rdb_point *pt; /* the stored point */
	design_t d;
	const char *color;
	/* what the run stored of it (explore/follow.h) */
	int n_curve[2];
	int curve_len[2][FOLLOW_SAMPLES];
	double curve_val[2][FOLLOW_SAMPLES];
	bool has_region[RDB_REGIONS];
	res_t region[RDB_REGIONS];
	double swap_exposed_obj; /* stored analytic exposed swap at objective.prompt */
	/* the stored intervals (models/interval.h) of the curve metrics at the workload lengths,
	 * and of the objective and the resources */
	int n_iv[2];
	rdb_interval iv[2][CFG_MAX_LIST + 2];
	int n_iv_other;
	rdb_interval iv_other[1 + RES_N];
	const char *iv_other_name[1 + RES_N];
	double max_rel_diff;     /* stored vs this build's model */
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
	bool has_resources; /* the resources figure was drawn */
	int n_no_curve;     /* followed designs without stored curves (drawn as dots) */
	figures swap_des, swap_ana; /* the stored swap of the followed dpr design */
	double swap_hidden_des, swap_hidden_ana;
	int n_val;          /* stored validation rows */
	calib_row val[160];
	/* what the run stored of sessions (schema 4 on; heap arrays) */
	rdb_session *sess;
	int n_sess;
	rdb_breakeven *be;
	int n_be;
	bool has_breakeven; /* the break-even figure was drawn */
	/* the modules of the followed dpr design when it names a set (schema 5 on) */
	rdb_rm rms[RMS_MAX];
	int n_rms;
	bool has_rms_map;   /* the module map of the break-even grid was drawn */
	char gnuplot[4096];
	char tmp[4096], fig[4200];
	const volatile sig_atomic_t *stop; /* set by a signal: stop, leave nothing behind */
	int n_notes;
	char notes[MAX_NOTES][640];
	char *err;
	size_t errlen;
} report_ctx;

typedef struct {
	res_t stat, pre, dec, rp_cap;
	bool dpr, present;
} res_split;

/* Notes on the page (at most MAX_NOTES). */
void report_note(report_ctx *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write the message into R->err and return `code`. */
int report_fail(report_ctx *R, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* DIR/NAME for writing (NULL with R->err set), and closed with its write errors checked. */
FILE *report_open_out(report_ctx *R, const char *dir, const char *name);
int report_close_out(report_ctx *R, FILE *f, const char *dir, const char *name);
/* The stored resources of a followed design per region (present: false when none). */
res_split report_split_of(const report_design *D);
/* "name" or "point N". */
void report_point_label(const rdb_point *p, char *out, size_t n);
/* The stored analytic decode rate of a followed design at l_long / l_short, else NAN. */
double report_stored_tok(const report_design *D, int L, const cfg_t *c);

/* figs.c: each writes fig/NAME.gp and runs gnuplot; 0, or a failure with R->err. */
int figs_pareto(report_ctx *R);
int figs_curve(report_ctx *R, bool ttft);
int figs_resources(report_ctx *R);
int figs_swap(report_ctx *R);
int figs_breakeven(report_ctx *R);
int figs_rms(report_ctx *R);

/* page.c: index.html into R->tmp. */
int page_write(report_ctx *R);

#endif
