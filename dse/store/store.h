/*
 * store.h - results.db: runs, design points, metrics, Pareto membership and
 * the chosen point, in SQLite.
 *
 * Schema (version STORE_SCHEMA_VERSION, kept in PRAGMA user_version):
 *   runs(run_id, config_path, config_sha256, config_text, tool_version, kind,
 *        started_at, finished_at, status, threads, n_points, n_feasible,
 *        model_fingerprint, ranks)       kind: designs, sweep or shard
 *   points(run_id, point_id, design_name, mode, clock_mhz, tlmm_tables,
 *        tlmm_lanes, pre_pe, pre_lanes, pre_block, pre_burst, pre_outstanding,
 *        dec_lanes, dec_burst, dec_outstanding, pm_prefill, pm_decode, pblock,
 *        lut, ff, bram36, uram, dsp, util_*, equiv_*, feasible, reason,
 *        objective, swap_s, bitstream_bytes, dec_dataflow, kv_precision,
 *        kv_window, kv_sinks, kv_tier_region)
 *   metrics(run_id, point_id, source, length, ttft_s, prefill_s,
 *        decode_tok_s, decode_step_s, energy_j_per_token, swap_exposed_s)
 *   pareto(run_id, point_id), chosen(run_id, point_id, objective)
 *   sweeps(run_id, all_points, n_space, n_chunks, objectives, shard, n_shards)
 *   chunks(run_id, chunk_id, n_points, n_feasible, n_over_cap, n_too_slow,
 *        n_no_fit)                       what each constraint pruned
 *   best(run_id, mode, point_id, source, objective)
 *   knobs(run_id, mode, knob, value_index, value, n_feasible,
 *        best_objective)                 the best objective per knob value
 *   groups(run_id, point_id, representative)   front points equal in every
 *                                        objective and resource
 * and what the run's report draws, stored by the run for the designs it
 * follows (explore/follow.h):
 *   curves(run_id, point_id, metric, length, value)   dense analytic curves
 *        (metric ttft_s, decode_tok_s, energy_j_per_token)
 *   regions(run_id, point_id, region, lut, ff, bram36, uram, dsp)
 *   validation(run_id, seq, name, unit, measured, predicted, rel_err,
 *        fitted_to, checked, note, source, figure, part, length)
 *   swaps(run_id, point_id, source, prompt, gen, prefill_s, ttft_s, swap_s,
 *        pcap_s, tail_overlap_s, swap_hidden_s, swap_exposed_s,
 *        decode_first_step_s)                           one inference's swap
 *   trace_events(run_id, point_id, seq, kind, pid, tid, name, sort_index,
 *        cat, t0_ps, t1_ps, layer, token, bytes, unit, phase, port, stream,
 *        module, part)                                   its DES trace
 *   intervals(run_id, point_id, source, figure, length, value, lo, hi,
 *        fit_lo, fit_hi, unconstrained, level, samples)  how sure a figure is
 *   kv_curves(run_id, point_id, kv_precision, kv_window, kv_sinks,
 *        kv_tier_region, feasible, reason, tier_blocks, tier_memory, length,
 *        decode_tok_s)           the chosen design's decode rate per K/V option
 * Sessions of many requests (sim/session.h), from `pdswap-dse session`
 * (a run of kind 'session') and from a sweep for its report:
 *   sessions(run_id, session_id, design, point_id, mode, workload, policy,
 *        model, seed, offered_rps, requests, refused, trimmed, tokens,
 *        swaps, swap_s, swap_exposed_s, {wait,ttft,tpot,e2e}_{mean,p50,p90,
 *        p95,p99}_s, duration_s, throughput_rps, tokens_per_s, goodput_rps,
 *        slo_ttft_p90_s, slo_tpot_p99_s, slo_met, capacity_rps,
 *        capacity_unbounded, reconfig_share, utilisation, energy_j,
 *        energy_j_per_request, energy_j_per_token, mean_in_system,
 *        kv_refill_s)
 *   requests(run_id, session_id, request_id, arrival_s, prompt, output,
 *        trimmed, wait_s, ttft_s, tpot_s, e2e_s, swaps, swap_exposed_s,
 *        energy_j, prefill_rm, decode_rm)               with --store-requests
 *   breakeven(run_id, design, point_id, static_design, static_point_id,
 *        model, policy, prompt, output, e2e_s, energy_j, static_e2e_s,
 *        static_energy_j)                                the break-even map
 * Imported reports of the real build (store/measured.h, schema 5 on):
 *   measurements(measurement_id, imported_at, file, sha256, kind,
 *        tool_version, part, top, design_state, config_path, config_sha256,
 *        device_part, model_key, target, target_text, design_name, run_id,
 *        point_id, scope, mode, clock_mhz, the engine's or design's sizes,
 *        loop_bound, target_clock_ns, estimated_clock_ns, latency_*,
 *        interval_*, lut .. uram, avail_*, report_json)
 *   run_measurements(run_id, measurement_id, use)   what a run took
 * Views v_points, v_metrics, v_pareto, v_chosen, v_best, v_runs, v_curves,
 * v_regions, v_validation, v_swaps, v_trace, v_knobs, v_groups, v_counts,
 * v_intervals, v_sessions, v_requests, v_breakeven, v_kv_curves, v_measured
 * and v_run_measurements are the documented query surface (README.md); the
 * first six read the same in every version from
 * STORE_SCHEMA_OLDEST on (v_metrics gained `length`, the name of what it
 * always called `prompt`, in version 3).
 *
 * Guards: every REAL column has a CHECK that refuses infinities, negative
 * values and text.  SQLite stores a NaN as NULL, so where a number is
 * required the schema says so: NOT NULL, or a row rule (a dpr point has
 * swap_s and bitstream_bytes, a static one neither; a feasible point has
 * an objective; a metrics row holds TTFT and prefill together, the three
 * decode figures together, at least one of the two groups, and the
 * exposed swap only beside a TTFT).  The store refuses a NaN where it
 * would bind a number, with a message naming the figure, before SQLite
 * sees it; through the API a row carries exactly the figures the caller
 * names (STORE_HAVE_*), which is how a dpr point's rows at a prompt get
 * their exposed swap (the metrics table does not know the mode, and a
 * trigger that looked it up cost 12% of an --all-points sweep).
 *
 * Versions: 4 had no K/V cache columns (its points are fp16, kv_window 0,
 * kv_sinks 0, kv_tier_region none: the only cache then), no region
 * 'kv_tier', no sessions.kv_refill_s (0: no refill then), no kv_curves,
 * no measurements or run_measurements, no energy curves, no source,
 * figure, part and length of a validation row (its note held the source
 * of most rows), and in its first files no instant events in
 * trace_events.  3 had no dec_dataflow (its points are serial: the only dataflow
 * then), no intervals, no shard runs (sweeps.shard, n_shards), no
 * runs.ranks, no sessions, requests or breakeven, and no run kind
 * 'session'.  Chunks stored before the counts have them NULL.  2 had no
 * model_fingerprint and none of the report's tables.
 * 1 had the same tables without the row rules (and, in its
 * first files, without sweeps, chunks, best, v_best, v_runs and the points
 * index).  store_open() migrates an older file in one transaction
 * (tables whose definition changed are rebuilt and their rows copied; a
 * row the new rules refuse, or a reference to a missing row, makes the
 * whole migration fail and leaves the file as it was) and refuses a
 * newer one.
 *
 * Faults: store_open() refuses a path it could not write (the file or its
 * directory read-only), a file that is not SQLite, a database of another
 * application, a damaged database (PRAGMA quick_check) and a newer
 * schema, each without writing a byte.  A writer that keeps the database
 * locked is waited for up to the lock timeout; the message then names
 * the holder when /proc/locks does (lockinfo.h).  A statement that finds
 * the file damaged marks the store damaged: no further transaction
 * starts.  Every write happens inside a transaction the caller opens with
 * store_begin()/store_commit(), so a failure (disk full included) loses
 * only the transaction in progress.
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

#include "models/cfg.h"
#include "models/calib.h"
#include "models/figures.h"
#include "models/interval.h"
#include "models/perf.h"
#include "sim/session.h"
#include "sim/trace.h"

#define STORE_SCHEMA_VERSION 5
/* The oldest version whose views read as this one's (for read-only use). */
#define STORE_SCHEMA_OLDEST 1
/* Default wait for a database another process keeps locked, s. */
#define STORE_LOCK_TIMEOUT_S 10.0

typedef struct store store;

/*
 * Open path for writing, creating the file, its directory and the schema
 * if needed and migrating an older schema.  Waits up to lock_timeout_s
 * (>= 0) for a database another process keeps locked, here and in every
 * later transaction.  Refuses (returns -1, err set, the file unchanged) a
 * path that cannot be written, a file that is not SQLite, a database of
 * another application, a damaged one or a newer schema.
 */
int store_open_wait(store **s, const char *path, double lock_timeout_s, char *err, size_t errlen);
/* store_open_wait() with STORE_LOCK_TIMEOUT_S. */
int store_open(store **s, const char *path, char *err, size_t errlen);
void store_close(store *s);
const char *store_errmsg(const store *s);
/* The lock timeout, s: as opened with, or as last set (>= 0). */
double store_lock_timeout(const store *s);
void store_set_lock_timeout(store *s, double timeout_s);
/* The schema version store_open() migrated from, 0 when it did not migrate. */
int store_migrated_from(const store *s);
/* True once a statement found the file damaged, or a commit found that
 * the path no longer names the file opened (removed or replaced):
 * nothing is written after, and there is nothing to resume at the path. */
bool store_damaged(const store *s);

int store_begin(store *s);
int store_commit(store *s);
int store_rollback(store *s);

/* A new run in status 'running'; *run_id receives its id. */
int store_new_run(store *s, const cfg_t *c, const char *kind, int threads, int64_t *run_id);
int store_finish_run(store *s, int64_t run_id, const char *status, int64_t n_points,
		     int64_t n_feasible);
/* The number of processes (MPI ranks) that shared the run's work. */
int store_set_ranks(store *s, int64_t run_id, int ranks);

typedef struct {
	int64_t run_id, point_id;
	const char *design_name; /* NULL for swept points */
	const design_t *d;
	const perf_res *res;
	bool feasible;
	const char *reason;   /* NULL or "" when feasible */
	double objective;     /* < 0: not computed (an infeasible point only) */
	double swap_s, bitstream_bytes; /* dpr only */
} store_point;

/* Resources, utilisations, the objective (when computed) and, for dpr,
 * swap_s and bitstream_bytes must be finite and non-negative. */
int store_put_point(store *s, const cfg_t *c, const store_point *p);

/* One metrics row: figures in s, tok/s, J. */
typedef struct {
	int64_t run_id, point_id;
	const char *source; /* "analytic" or "des" */
	int length;
	figures_len f;
} store_metric;

/* Which figures a metrics row carries (the others are stored as NULL). */
enum {
	STORE_HAVE_PROMPT = 1, /* ttft_s, prefill_s: the length is a prompt */
	STORE_HAVE_SWAP = 2,   /* swap_exposed_s: a dpr design at a prompt */
	STORE_HAVE_DECODE = 4  /* decode_step_s, decode_tok_s, energy_j_per_token: a context */
};

/* Store m's figures named by `have`: each must be a finite, non-negative
 * number (a NaN is refused, not stored as NULL); figures outside `have`
 * must be NaN. */
int store_put_metric(store *s, const store_metric *m, unsigned have);
int store_put_pareto(store *s, int64_t run_id, int64_t point_id);
int store_put_chosen(store *s, int64_t run_id, int64_t point_id, double objective);

/*
 * The sweep (dse/sweep.h).  A sweep run has one `sweeps` row with its
 * settings, one `chunks` row per finished chunk (the unit of resumption:
 * its counters, committed together with the points it contributed), and
 * at the end a `best` row per architecture.  All return 0 or -1 with
 * store_errmsg() set unless said otherwise.
 */
typedef struct {
	bool all_points;        /* every point stored */
	int64_t n_space;        /* points of the space */
	int64_t n_chunks;       /* chunks of the space */
	const char *objectives; /* the objective vector, as text */
	int shard, n_shards;    /* chunks k with k mod n_shards = shard - 1; 1/1: the whole space */
} store_sweep;
int store_new_sweep(store *s, int64_t run_id, const store_sweep *w);
/* The runs.kind of such a sweep: "shard" for one shard of several, else "sweep". */
const char *store_sweep_kind(const store_sweep *w);
/* Latest unfinished ('running' or 'interrupted') sweep of this config with
 * the same settings (and kind, shard and shards).  *run_id gets it when this build's model made it
 * (same fingerprint, models/version.h), else 0; a sweep that another
 * model made is never resumed: *other_run and other_fp then name it ("" for
 * a run older than fingerprints), else *other_run = 0. */
int store_find_sweep(store *s, const cfg_t *c, const store_sweep *w, int64_t *run_id, int64_t *other_run,
		     char other_fp[17]);
/* What a finished chunk counted (and the totals of a run's chunks):
 * points = feasible + over_cap + too_slow + no_fit, each infeasible point
 * under the first constraint it failed (explore/factor.h). */
typedef struct {
	int64_t points, feasible, over_cap, too_slow, no_fit;
} store_counts;
int store_put_chunk(store *s, int64_t run_id, int64_t chunk, const store_counts *n);
/* Call fn(arg, id) for each finished chunk / Pareto member (ascending);
 * a non-zero return from fn stops with -1 ("out of memory"). */
int store_each_chunk(store *s, int64_t run_id, int (*fn)(void *, int64_t), void *arg);
int store_each_pareto(store *s, int64_t run_id, int (*fn)(void *, int64_t), void *arg);
/* The run's finished chunks and their counts summed (over_cap, too_slow and
 * no_fit are 0 for chunks of a run older than schema 3). */
int store_chunk_totals(store *s, int64_t run_id, int64_t *n_chunks, store_counts *n);
/* One knob value's feasible points and least objective, added to what the
 * run holds (counts add, the minimum is kept; best < 0: none feasible). */
int store_add_knob(store *s, int64_t run_id, arch_mode mode, const char *knob, int value_index, const char *value,
		   int64_t n_feasible, double best_objective);
/* Front point `point_id` belongs to the group of `representative`
 * (the smallest id equal to it in every objective and resource). */
int store_put_group(store *s, int64_t run_id, int64_t point_id, int64_t representative);
int store_del_pareto(store *s, int64_t run_id, int64_t point_id);
/* A point with its metrics and Pareto membership. */
int store_del_point(store *s, int64_t run_id, int64_t point_id);
int store_set_status(store *s, int64_t run_id, const char *status);
int store_put_best(store *s, int64_t run_id, arch_mode mode, int64_t point_id, const char *source,
		   double objective);
/* The best dpr design of the paper's two modules (rms_is_pair), as `best`
 * mode 'dpr_pair': stored when the space holds other sets too. */
int store_put_best_pair(store *s, int64_t run_id, int64_t point_id, const char *source, double objective);
/* One metrics row into *m (source points to the argument): 0, 1 when absent, -1. */
int store_get_metric(store *s, int64_t run_id, int64_t point_id, const char *source, int length,
		     store_metric *m);
/* The design of a stored point, names mapped to c's indices (rdb_design()
 * on this handle): 0, or -1 when it is absent or does not fit c. */
int store_get_design(store *s, const cfg_t *c, int64_t run_id, int64_t point_id, design_t *d);
/* Chosen point of the latest complete sweep of c (rdb_latest_chosen() on
 * this handle): 0, 1 when none, -1. */
int store_latest_chosen(store *s, const cfg_t *c, int64_t *run_id, int64_t *point_id);

/*
 * What a run's report draws (explore/follow.h stores it at the end of a
 * sweep).  Each returns 0 or -1 with store_errmsg() set; numbers must be
 * finite and, but for the validation rows, non-negative.
 */
int store_put_curve(store *s, int64_t run_id, int64_t point_id, const char *metric, int length, double value);
/* region: static, prefill_rm, decode_rm, total, equivalent, pblock, kv_tier */
int store_put_region(store *s, int64_t run_id, int64_t point_id, const char *region, const res_t *r);
/* One K/V option of a followed design at one context (kv_curves): the design
 * with that option's kv_* fields, whether it meets the constraints (and the
 * first it breaks), its tier's blocks and its decode rate. */
typedef struct {
	int64_t run_id, point_id;
	design_t d;
	bool feasible;
	const char *reason;
	int64_t tier_blocks;
	int tier_memory; /* RES_URAM or RES_BRAM */
	int length;
	double decode_tok_s;
} store_kv_curve;
int store_put_kv_curve(store *s, const store_kv_curve *k);
int store_put_validation(store *s, int64_t run_id, int seq, const calib_row *row);
/* One figure's interval (models/interval.h); length 0 for a figure of no
 * workload length (objective, resources). */
typedef struct {
	int64_t run_id, point_id;
	const char *source; /* analytic or des */
	const char *figure; /* ttft_s, prefill_s, decode_tok_s, decode_step_s, energy_j_per_token,
			       swap_exposed_s, objective, lut, ff, bram36, uram, dsp */
	int length;
	interval_t iv;
	double level;
	int samples;
} store_interval;
int store_put_interval(store *s, const store_interval *v);
int store_put_swap(store *s, int64_t run_id, int64_t point_id, const char *source, const figures *f,
		   double swap_hidden_s);
/* Every event of `log`, in order. */
int store_put_trace(store *s, int64_t run_id, int64_t point_id, const trace_log *log);

/*
 * Sessions (sim/session.h): one row per session (a policy on a workload
 * on a design), its requests, and the cells of a break-even map.  Inside
 * the caller's transaction; 0 or -1 with store_errmsg() set.  Every
 * figure must be finite and non-negative (tpot NAN where a session or a
 * request has none; capacity_rps NAN when not sought, INFINITY for
 * unbounded).
 */
typedef struct {
	int64_t run_id, session_id;
	const char *design;     /* as named, or "point N" */
	int64_t point_id;       /* the point of this run it is, or -1 */
	arch_mode mode;
	const char *workload, *policy, *model;
	unsigned long seed;
	const char *swaps_by_rm; /* JSON object text {"MODULE": swaps, ...} (dpr), or NULL */
} store_session;
int store_put_session(store *s, const store_session *m, const figures_session *f);
/* rm_names[k] names module k of the design's set (n_rm of them; none for
 * a static design); decode_rms joins a request's decode modules with '>'. */
int store_put_requests(store *s, int64_t run_id, int64_t session_id, const session_rec *r, size_t n,
		       const char *const *rm_names, int n_rm);
typedef struct {
	int64_t run_id;
	const char *design, *static_design;
	int64_t point_id, static_point_id; /* -1: none */
	const char *model, *policy;
	int prompt, output;
	double e2e_s, energy_j, static_e2e_s, static_energy_j;
	const char *prefill_rm, *decode_rms; /* the modules of the cell's last request, or NULL */
} store_breakeven;
int store_put_breakeven(store *s, const store_breakeven *b);

/* The one wording of the files the store and the reader refuse, whichever
 * command meets them (all are runtime failures, exit 1). */
enum { STORE_NOT_SQLITE, STORE_FOREIGN, STORE_NEWER };
void store_refusal(int why, const char *path, long long ver, char *err, size_t errlen);
/* A file of `size` bytes at path that is not empty and does not begin with
 * SQLite's header: refused as STORE_NOT_SQLITE (SQLite would write over a
 * file shorter than a page). */
int store_sniff(const char *path, long long size, char *err, size_t errlen);

/* The database file's path as given to store_open(). */
const char *store_path(const store *s);

/* The underlying handle, for queries the store does not wrap. */
struct sqlite3 *store_db(store *s);

#endif
