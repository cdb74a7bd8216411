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
#define INERT_REL 1e-3 /* a knob whose best objective moves by less than this share is inert */
#define MAX_GROUP_ROWS 20 /* distinct front designs listed per architecture */

#define COL_DPR "#0072B2"
#define COL_STATIC "#D55E00"
#define COL_BASE "#009E73"
#define COL_PUB "#CC79A7"
#define COL_STATIC_REGION "#9E9E9E"
#define COL_PRE "#56B4E9"
#define COL_DEC "#E69F00"

/* Resource names as the figures and the page print them (res_type order). */
extern const char *const report_res_label[RES_N];

/* The stored curves (explore/follow.h, follow_curve_metric order). */
enum { CURVE_TTFT, CURVE_DECODE, CURVE_ENERGY };

/* The designs the report follows, in the order the page lists them. */
enum { FOL_CHOSEN, FOL_PUB, FOL_STATIC, FOL_BASE, FOL_N };

/* What the DES measured of a followed design (the figures the summary and
 * the choice use), NAN where the run stored none. */
typedef struct {
	double ttft_obj, tok_long, tok_short, e_long, e_short, swap_exposed_obj, objective;
} report_des;

typedef struct {
	bool present;
	char role[64];    /* what the design stands for in the report */
	char name[96];    /* its name, or "point N" */
	char why[160];    /* how it was picked */
	const rdb_point *pt; /* the stored point */
	design_t d;
	const char *color;
	int dash;         /* the line style of its curves */
	/* what the run stored of it (explore/follow.h) */
	int n_curve[FOLLOW_CURVES];
	int curve_len[FOLLOW_CURVES][FOLLOW_SAMPLES];
	double curve_val[FOLLOW_CURVES][FOLLOW_SAMPLES];
	bool has_region[RDB_REGIONS];
	res_t region[RDB_REGIONS];
	double swap_exposed_obj; /* stored analytic exposed swap at objective.prompt */
	report_des des;
	bool has_des;            /* any DES figure stored */
	bool has_swap;           /* its stored inference at objective.prompt (dpr) */
	figures swap[2];         /* [0] DES, [1] analytic */
	double swap_hidden[2];
	/* the stored intervals (models/interval.h) of the curve metrics at the workload lengths,
	 * and of the objective and the resources */
	int n_iv[FOLLOW_CURVES];
	rdb_interval iv[FOLLOW_CURVES][CFG_MAX_LIST + 2];
	int n_iv_other;
	rdb_interval iv_other[1 + RES_N];
	const char *iv_other_name[1 + RES_N];
	double max_rel_diff;     /* stored vs this build's model */
} report_design;

/* One constraint of a design and how close it is: used / limit. */
typedef struct {
	char what[160];  /* in words */
	double used, limit;
	int res;         /* resource type, -1 for TTFT */
	const char *part; /* the validation rows it rests on: "design" (total), "static", an RM, "ttft" */
	const char *unit;
} report_bind;
#define MAX_BINDS (3 * RES_N + 2)

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
	size_t n_feasible, n_drawn_missing, n_front, n_cloud_skipped, n_named;
	size_t n_front_mode[2], n_distinct[2];
	report_design fol[FOL_N]; /* chosen (or best) dpr, published PD-Swap, best static, baseline */
	bool has_meas;
	bool has_swap;      /* the swap timeline was drawn */
	bool has_resources; /* the resources figure was drawn */
	int n_no_curve;     /* followed designs without stored curves (drawn as dots) */
	figures swap_des, swap_ana; /* the stored swap of the followed dpr design */
	double swap_hidden_des, swap_hidden_ana;
	int n_val;          /* stored validation rows */
	calib_row val[CALIB_MAX_ROWS];
	rdb_counts counts;  /* what the space held, pruned and stored */
	/* what each knob does (v_knobs) and the front's equal points (v_groups) */
	rdb_knob *knobs;
	int n_knobs;
	int64_t *g_rep, *g_count, *g_members;
	size_t *g_first, n_groups;
	/* the constraints of the chosen design, nearest first */
	report_bind binds[MAX_BINDS];
	int n_binds;
	/* what the run stored of sessions (schema 4 on; heap arrays) */
	rdb_session *sess;
	int n_sess;
	rdb_breakeven *be;
	int n_be;
	bool has_breakeven; /* the break-even figure was drawn */
	bool has_energy_req; /* the energy-per-request figure was drawn */
	/* the K/V options of the chosen design (schema 5 on; a heap array) */
	const report_design *kv_of;
	rdb_kv_option *kv;
	int n_kv;
	bool has_kv; /* the K/V figure was drawn */
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

/* The group of equal front points that point `id` belongs to: its index, or -1. */
long report_group_of(const report_ctx *R, int64_t id);
/* The stored point of id, or NULL. */
const rdb_point *report_find_point(const report_ctx *R, int64_t id);

/* figs.c: each writes fig/NAME.gp and runs gnuplot; 0, or a failure with R->err. */
int figs_pareto(report_ctx *R);
int figs_curve(report_ctx *R, int kind); /* CURVE_TTFT, CURVE_DECODE, CURVE_ENERGY */
int figs_energy_request(report_ctx *R);
int figs_resources(report_ctx *R);
int figs_swap(report_ctx *R);
int figs_breakeven(report_ctx *R);
int figs_kv(report_ctx *R);
int figs_rms(report_ctx *R);

/* page.c: index.html into R->tmp. */
int page_write(report_ctx *R);

#endif
