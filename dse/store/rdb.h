/*
 * rdb.h - read a stored run back from results.db, for the report and the
 * export.
 *
 * Reads only: the database is opened read-only and never created, so a
 * mistyped path cannot leave an empty results.db behind and a report can
 * never change stored results.  Everything is read through the runs table
 * and the documented views (v_points, v_metrics, v_pareto, v_chosen), the
 * stable surface of store.h; columns a later schema adds are ignored here.
 *
 * Ownership: rdb_open() returns a sqlite3 handle the caller closes with
 * sqlite3_close(); rdb_run_release() frees what rdb_run_load() allocated;
 * rdb_points_load() returns an array the caller frees with free().
 * Errors: functions return 0 or -1 with a message in `err` that names the
 * database file (and the run) and the cause.
 */
#ifndef PDS_RDB_H
#define PDS_RDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/calib.h"
#include "models/cfg.h"
#include "models/interval.h"
#include "models/figures.h"
#include "sim/trace.h"
#include "store/store.h"
#include "models/common.h"
#include "models/design.h"

struct sqlite3;

/* One row of runs; text columns that are NULL in the database read as "". */
typedef struct {
	int64_t run_id;
	char config_path[1024];
	char config_sha256[65];
	char *config_text; /* malloc'd, NUL-terminated */
	size_t config_len;
	char tool_version[64];
	char kind[16];
	char started_at[40], finished_at[40];
	char status[16];
	int threads;
	int64_t n_points, n_feasible; /* -1 when NULL */
	char model_fingerprint[17];   /* "" for a run older than fingerprints */
} rdb_run;

/* One row of v_points with its Pareto and chosen flags and the analytic
 * metrics the report plots (NaN where the run stored none). */
typedef struct {
	int64_t point_id;
	char design_name[PDS_NAME_MAX]; /* "" for swept points */
	arch_mode mode;
	int clock_mhz, tlmm_tables, tlmm_lanes;
	int pre_pe, pre_lanes, pre_block, pre_outstanding;
	int dec_lanes, dec_outstanding;
	char pm_prefill[PDS_NAME_MAX], pm_decode[PDS_NAME_MAX], pblock[PDS_NAME_MAX];
	res_t r, util, util_equiv;
	bool feasible;
	char reason[256]; /* the first violated constraint, "" when feasible */
	double objective; /* NaN when not computed */
	double swap_s, bitstream_bytes; /* NaN for static designs */
	bool on_front, chosen;
	/* analytic metrics at the objective's lengths */
	double ttft_obj_s;     /* ttft_s at objective.prompt */
	double tok_long, tok_short; /* decode_tok_s at l_long, l_short */
} rdb_point;

/*
 * Open PATH read-only.  Refuses a missing file (without creating it), a
 * file that is not SQLite, a database without the pdswap views, and a
 * schema newer than this build's.  Returns 0 with *db set, or -1.
 */
int rdb_open(const char *path, struct sqlite3 **db, char *err, size_t errlen);

/*
 * Load run `run_id` into *r, or with run_id <= 0 the latest run whose
 * status is 'complete' that is not a shard (one shard is not a whole run).  Returns 0, or -1 (no such run, or no complete run)
 * with err set; *r then needs no release.
 */
int rdb_run_load(struct sqlite3 *db, const char *path, int64_t run_id, rdb_run *r, char *err,
		 size_t errlen);
void rdb_run_release(rdb_run *r);

/*
 * Every point of the run, ordered by point_id, with on_front/chosen from
 * v_pareto/v_chosen and the analytic ttft_s at `prompt` and decode_tok_s
 * at `l_long` and `l_short` from v_metrics.  Returns 0 with *pts (malloc'd,
 * NULL when *n is 0) or -1 with err set.
 */
int rdb_points_load(struct sqlite3 *db, const char *path, int64_t run_id, int prompt, int l_long,
		    int l_short, rdb_point **pts, size_t *n, char *err, size_t errlen);

/*
 * The stored lengths and values of one metrics column ("ttft_s",
 * "decode_tok_s", ...) of one point and source, ordered by length, NULLs
 * left out.  Returns the number of rows written (at most max), or -1 with
 * err set (also for a column name that v_metrics does not have).
 */
int rdb_series(struct sqlite3 *db, const char *path, int64_t run_id, int64_t point_id,
	       const char *source, const char *column, int *len, double *val, int max, char *err,
	       size_t errlen);

/*
 * Design points and runs, the one reader every command uses (the points
 * table holds every field of a design_t; names are mapped to c's
 * indices).  Each returns 0, PDS_FAIL_REQUEST when what was asked for is
 * not there (no such run or point, a run of another config or not
 * complete, a point whose port maps or pblock c does not define or that
 * does not fit c), or PDS_FAIL when the database cannot be read; err says
 * which.
 */
/* Run `run` exists, is complete and was made with c (same SHA-256). */
int rdb_check_run(struct sqlite3 *db, const char *path, const cfg_t *c, int64_t run, char *err, size_t errlen);
/* The latest complete sweep of c: 0 with *run, 1 when there is none. */
int rdb_latest_run(struct sqlite3 *db, const char *path, const cfg_t *c, int64_t *run, char *err, size_t errlen);
/* The chosen point of the latest complete sweep of c (of run `run` when
 * run >= 0): 0 with *run_out and *point, 1 when none has chosen one. */
int rdb_latest_chosen(struct sqlite3 *db, const char *path, const cfg_t *c, int64_t run, int64_t *run_out,
		      int64_t *point, char *err, size_t errlen);
/* The design of point `point` of run `run`; its design name ("" for a swept
 * point) into name (may be NULL). */
int rdb_design(struct sqlite3 *db, const char *path, const cfg_t *c, int64_t run, int64_t point, design_t *d,
	       char *name, size_t namesz, char *err, size_t errlen);

/*
 * What a run stored for its report (explore/follow.h), from schema 3 on;
 * a database of an older version has none of it (0 rows, or 1 for "none").
 */
/* The best point of an architecture (v_best): 0 with *point, 1 when none. */
int rdb_best(struct sqlite3 *db, const char *path, int64_t run, arch_mode mode, int64_t *point, char *err,
	     size_t errlen);
/* A stored curve (metric "ttft_s" or "decode_tok_s"), ordered by length:
 * the number of samples (at most max), 0 when none, -1 on an error. */
int rdb_curve(struct sqlite3 *db, const char *path, int64_t run, int64_t point, const char *metric, int *len,
	      double *val, int max, char *err, size_t errlen);
/* The stored analytic intervals of one figure of a point (v_intervals),
 * ordered by length: how many (at most max), 0 when none (a file older
 * than schema 4 has none), -1 on an error. */
typedef struct {
	int length;
	interval_t iv;
} rdb_interval;
int rdb_intervals(struct sqlite3 *db, const char *path, int64_t run, int64_t point, const char *figure,
		  rdb_interval *out, int max, char *err, size_t errlen);
/* Resources per region: r[k] and have[k] for rdb_region_names[k]; the
 * number found, -1 on an error. */
#define RDB_REGIONS 7
enum { RDB_STATIC, RDB_PREFILL_RM, RDB_DECODE_RM, RDB_TOTAL, RDB_EQUIVALENT, RDB_PBLOCK, RDB_KV_TIER };
extern const char *const rdb_region_names[RDB_REGIONS];
int rdb_regions(struct sqlite3 *db, const char *path, int64_t run, int64_t point, res_t r[RDB_REGIONS],
		bool have[RDB_REGIONS], char *err, size_t errlen);
/* The K/V options of a followed design (v_kv_curves, schema 5 on): each
 * option's settings, whether it meets the constraints (why not), its tier's
 * blocks and its decode rate by context; options in the order fp16, int8,
 * int4, and within one the tier none, static, rp, smaller first.  How many
 * (at most max), 0 when none (an older file), -1 on an error. */
#define RDB_KV_SAMPLES 64
typedef struct {
	kv_prec_t prec;
	int window, sinks;
	kv_tier_t tier;
	bool feasible;
	char reason[256];
	int64_t tier_blocks;
	char tier_memory[8];
	int n;
	int len[RDB_KV_SAMPLES];
	double tok_s[RDB_KV_SAMPLES];
} rdb_kv_option;
int rdb_kv_options(struct sqlite3 *db, const char *path, int64_t run, int64_t point, rdb_kv_option *out, int max,
		   char *err, size_t errlen);
/* The validation rows in order: how many (at most max), -1 on an error. */
int rdb_validation(struct sqlite3 *db, const char *path, int64_t run, calib_row *rows, int max, char *err,
		   size_t errlen);
/* One stored swap (source "des" or "analytic"): 0, 1 when none, -1. */
int rdb_swap(struct sqlite3 *db, const char *path, int64_t run, int64_t point, const char *source, figures *f,
	     double *hidden_s, char *err, size_t errlen);
/* The stored trace of a point into log (appended): events read, -1. */
int rdb_trace(struct sqlite3 *db, const char *path, int64_t run, int64_t point, trace_log *log, char *err,
	      size_t errlen);

/*
 * What a sweep's space held and pruned (v_counts, summed over the run's
 * chunks) and what it stored (sweeps.all_points).  present: the run has
 * chunks; by_constraint: every chunk has its counts by constraint (a
 * chunk of a version before the counts has none, n_unknown of them).
 */
typedef struct {
	bool present, by_constraint, has_sweep, all_points;
	int64_t n_chunks, n_points, n_feasible, n_over_cap, n_too_slow, n_no_fit, n_unknown;
	int64_t n_space; /* sweeps.n_space, -1 without a sweeps row */
} rdb_counts;
/* 0 with *n, -1 on an error. */
int rdb_counts_load(struct sqlite3 *db, const char *path, int64_t run, rdb_counts *n, char *err, size_t errlen);

/* One row of v_knobs (schema 3 on; an older file has none). */
typedef struct {
	arch_mode mode;
	char knob[32];
	int value_index;
	char value[PDS_NAME_MAX + 16];
	int64_t n_feasible;
	double best_objective; /* NAN with no feasible point */
} rdb_knob;
/* Ordered by mode (dpr first), knob, value_index: how many rows (at most max), -1. */
int rdb_knobs(struct sqlite3 *db, const char *path, int64_t run, rdb_knob *rows, int max, char *err, size_t errlen);

/*
 * The front's groups of equal points (v_groups), ordered by
 * representative: *reps (malloc'd, *n_groups of them) with, for group k,
 * (*count)[k] members at (*members)[(*first)[k] ...] (ascending ids,
 * malloc'd).  A file older than schema 3 has none (0).  0, or -1.
 */
int rdb_groups(struct sqlite3 *db, const char *path, int64_t run, int64_t **reps, int64_t **count, size_t **first,
	       int64_t **members, size_t *n_groups, char *err, size_t errlen);

/*
 * A sweep as its shards are merged (explore/shards.h): the latest run of
 * kind 'sweep' or 'shard' with its sweeps row (schema 1 on; a sweep of a
 * version before 4 is shard 1 of 1) and the chunks it finished.  These
 * read the sweeps, chunks and pareto tables, which every version has.
 */
typedef struct {
	int64_t run_id;
	char kind[16], status[16];
	char config_path[1024];
	char config_sha256[65];
	char *config_text; /* malloc'd, NUL-terminated; free() it */
	size_t config_len;
	char model_fingerprint[17]; /* "" for a run older than fingerprints */
	bool all_points;
	int64_t n_space, n_chunks;
	char objectives[2048];
	int shard, n_shards;
	int64_t chunks_done;
} rdb_sweep;
/* 0 with *w, 1 when the database holds no sweep, -1 on an error. */
int rdb_latest_sweep(struct sqlite3 *db, const char *path, rdb_sweep *w, char *err, size_t errlen);
/* fn(arg, chunk, counts) for each finished chunk of the run, ascending
 * (counts.over_cap is -1 for a chunk stored before the counts); a non-zero
 * return from fn stops with that value.  0, or -1 on an error. */
int rdb_each_chunk(struct sqlite3 *db, const char *path, int64_t run,
		   int (*fn)(void *arg, int64_t chunk, const store_counts *n), void *arg, char *err, size_t errlen);
/* The run's Pareto members, ascending, into *ids (malloc'd; NULL when
 * *n is 0).  0, or -1 on an error. */
int rdb_pareto_ids(struct sqlite3 *db, const char *path, int64_t run, int64_t **ids, size_t *n, char *err,
		   size_t errlen);
/* One metrics row (v_metrics) into *f (NAN for NULL): 0, 1 when absent, -1. */
int rdb_metric(struct sqlite3 *db, const char *path, int64_t run, int64_t point, const char *source, int length,
	       figures_len *f, char *err, size_t errlen);

/*
 * Sessions (schema 4 on; an older file has none: 0 rows).  Both return the
 * number of rows read (at most max), or -1 with err set.
 */
typedef struct {
	int64_t session_id;
	char design[96], workload[PDS_NAME_MAX], policy[16], model[16];
	arch_mode mode;
	int64_t point_id; /* -1: none */
	figures_session f; /* capacity_rps: NAN when not sought, INFINITY when unbounded */
	char swaps_by_rm[512]; /* the JSON object of swaps by module ("" for a static design or an older run) */
} rdb_session;
int rdb_sessions(struct sqlite3 *db, const char *path, int64_t run, rdb_session *rows, int max, char *err,
		 size_t errlen);
typedef struct {
	char design[96], static_design[96], policy[16], model[16];
	int prompt, output;
	double e2e_s, energy_j, static_e2e_s, static_energy_j;
	/* the modules of the cell's last request ("" in a run older than schema 5) */
	char prefill_rm[RMS_NAME_MAX], decode_rms[RMS_MAX_SEG * RMS_NAME_MAX];
} rdb_breakeven;
/* Ordered by policy (always, never, threshold, oracle), prompt, output. */
int rdb_breakeven_cells(struct sqlite3 *db, const char *path, int64_t run, rdb_breakeven *rows, int max, char *err,
			size_t errlen);

/*
 * The modules of a stored dpr point (v_rms, schema 5 on): its set's, or,
 * for a point without rows, the paper's two from its own columns, whose
 * resources are NAN.  Returns the count (0 for a static point or an older
 * file), or PDS_FAIL with err set.
 */
typedef struct {
	int index;
	char name[RMS_NAME_MAX], engines[16], serves[24];
	int pre_pe, pre_lanes, pre_block, dec_lanes; /* 0 where the module holds no such engine */
	char pm_prefill[PDS_NAME_MAX], pm_decode[PDS_NAME_MAX], dec_dataflow[24];
	res_t res;
} rdb_rm;
int rdb_point_rms(struct sqlite3 *db, const char *path, int64_t run, int64_t point, rdb_rm *rows, int max, char *err,
		  size_t errlen);

#endif
