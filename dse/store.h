/*
 * store.h - results.db: runs, design points, metrics, Pareto membership and
 * the chosen point, in SQLite.
 *
 * Schema (version STORE_SCHEMA_VERSION, kept in PRAGMA user_version):
 *   runs(run_id, config_path, config_sha256, config_text, tool_version, kind,
 *        started_at, finished_at, status, threads, n_points, n_feasible)
 *   points(run_id, point_id, design_name, mode, clock_mhz, tlmm_tables,
 *        tlmm_lanes, pre_pe, pre_lanes, pre_block, pre_burst, pre_outstanding,
 *        dec_lanes, dec_burst, dec_outstanding, pm_prefill, pm_decode, pblock,
 *        lut, ff, bram36, uram, dsp, util_*, equiv_*, feasible, reason,
 *        objective, swap_s, bitstream_bytes)
 *   metrics(run_id, point_id, source, length, ttft_s, prefill_s,
 *        decode_tok_s, decode_step_s, energy_j_per_token, swap_exposed_s)
 *   pareto(run_id, point_id), chosen(run_id, point_id, objective)
 *   sweeps(run_id, all_points, n_space, n_chunks, objectives)
 *   chunks(run_id, chunk_id, n_points, n_feasible)
 *   best(run_id, mode, point_id, source, objective)
 * Views v_points, v_metrics, v_pareto, v_chosen, v_best and v_runs are the
 * documented query surface (README.md).  sweeps, chunks, best, the views
 * v_best and v_runs and an index on points were added to version 1 without
 * touching its tables; store_open() adds them to a version-1 file that
 * lacks them.  Every number column has a CHECK that refuses NaN,
 * infinities and negative values.  WAL journal; every write happens inside
 * a transaction the caller opens with store_begin()/store_commit().
 *
 * Ownership: store_open() returns a handle that store_close() frees.
 * Errors: functions return 0 or -1 and write a message naming the
 * database file and the cause into the store's error buffer
 * (store_errmsg()).
 */
#ifndef PDS_STORE_H
#define PDS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"
#include "perf.h"

#define STORE_SCHEMA_VERSION 1

typedef struct store store;

/* Open (creating the file, its directory and the schema if needed).
 * Refuses a file that is not SQLite, a database of another application,
 * or a newer schema; never overwrites any of them. */
int store_open(store **s, const char *path, char *err, size_t errlen);
void store_close(store *s);
const char *store_errmsg(const store *s);

int store_begin(store *s);
int store_commit(store *s);
int store_rollback(store *s);

/* A new run in status 'running'; *run_id receives its id. */
int store_new_run(store *s, const cfg_t *c, const char *kind, int threads, int64_t *run_id);
int store_finish_run(store *s, int64_t run_id, const char *status, int64_t n_points,
		     int64_t n_feasible);

typedef struct {
	int64_t run_id, point_id;
	const char *design_name; /* NULL for swept points */
	const design_t *d;
	const perf_res *res;
	bool feasible;
	const char *reason;   /* NULL or "" when feasible */
	double objective;     /* < 0: not computed */
	double swap_s, bitstream_bytes;
} store_point;

int store_put_point(store *s, const cfg_t *c, const store_point *p);

/* One metrics row; a NaN argument is stored as NULL (not measured there). */
typedef struct {
	int64_t run_id, point_id;
	const char *source; /* "analytic" or "des" */
	int length;
	double ttft_s, prefill_s, decode_tok_s, decode_step_s, energy_j_per_token, swap_exposed_s;
} store_metric;

int store_put_metric(store *s, const store_metric *m);
int store_put_pareto(store *s, int64_t run_id, int64_t point_id);
int store_put_chosen(store *s, int64_t run_id, int64_t point_id, double objective);

/*
 * The sweep (dse/sweep.h).  A sweep run has one `sweeps` row with its
 * settings, one `chunks` row per finished chunk (the unit of resumption:
 * its counters, committed together with the points it contributed), and
 * at the end a `best` row per architecture.  All return 0 or -1 with
 * store_errmsg() set unless said otherwise.
 */
int store_new_sweep(store *s, int64_t run_id, bool all_points, int64_t n_space, int64_t n_chunks,
		    const char *objectives);
/* Latest unfinished ('running' or 'interrupted') sweep of this config made
 * by this tool version with the same settings; *run_id = 0 when none. */
int store_find_sweep(store *s, const cfg_t *c, bool all_points, int64_t n_space, int64_t n_chunks,
		     const char *objectives, int64_t *run_id);
int store_put_chunk(store *s, int64_t run_id, int64_t chunk, int64_t n_points, int64_t n_feasible);
/* Call fn(arg, id) for each finished chunk / Pareto member (ascending);
 * a non-zero return from fn stops with -1 ("out of memory"). */
int store_each_chunk(store *s, int64_t run_id, int (*fn)(void *, int64_t), void *arg);
int store_each_pareto(store *s, int64_t run_id, int (*fn)(void *, int64_t), void *arg);
int store_chunk_totals(store *s, int64_t run_id, int64_t *n_chunks, int64_t *n_points, int64_t *n_feasible);
int store_del_pareto(store *s, int64_t run_id, int64_t point_id);
/* A point with its metrics and Pareto membership. */
int store_del_point(store *s, int64_t run_id, int64_t point_id);
int store_set_status(store *s, int64_t run_id, const char *status);
int store_put_best(store *s, int64_t run_id, arch_mode mode, int64_t point_id, const char *source,
		   double objective);
/* One metrics row into *m (source points to the argument): 0, 1 when absent, -1. */
int store_get_metric(store *s, int64_t run_id, int64_t point_id, const char *source, int length,
		     store_metric *m);
/* The design of a stored point, names mapped to c's indices: 0, 1 when
 * absent, -1 (also when it does not fit c). */
int store_get_design(store *s, const cfg_t *c, int64_t run_id, int64_t point_id, design_t *d);
/* Chosen point of the latest complete sweep of c (by config_sha256): 0, 1 when none, -1. */
int store_latest_chosen(store *s, const cfg_t *c, int64_t *run_id, int64_t *point_id);

/* The database file's path as given to store_open(). */
const char *store_path(const store *s);

/* The underlying handle, for queries the store does not wrap. */
struct sqlite3 *store_db(store *s);

#endif
