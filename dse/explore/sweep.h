/*
 * sweep.h - the design-space exploration: enumerate, prune, evaluate,
 * keep the Pareto front, store it, choose a design.
 *
 * Worker threads take groups of consecutive chunks of the space
 * (space.h) in any order, evaluate them (factor.h) and reduce each group
 * to its own front; the main thread merges those into one incremental
 * front per architecture (pareto.h) and, every 0.1 s at most (after every
 * group with all_points), commits a checkpoint in one transaction: the
 * chunks finished since the last one, the points that joined the front
 * (design, resources, analytic metrics at every workload point, Pareto
 * membership) and the removal of those that left it.  The database therefore always holds the exact front of the chunks
 * it records as finished; a run killed at any moment (SIGINT, SIGTERM,
 * kill -9) is resumed by the next run of the same config, which reloads
 * that front, skips those chunks and ends with the same content as a run
 * that went straight through.  The front is a function of the set of
 * points, not of the order they were merged in, so the thread count
 * changes nothing but the wall time.
 *
 * One sweep at a time writes a database: sweep_run() holds an exclusive
 * flock() on "DB.lock" while it runs, and waits for it up to the store's
 * lock timeout (store_lock_timeout()).
 *
 * Signals: the first SIGINT or SIGTERM stops the run at the next chunk
 * (or DES point), commits what is finished and marks the run
 * 'interrupted'; a second one ends the process at once, whatever its
 * threads are doing (in SQLite or the DES): the last committed
 * transaction is what stays, and the kernel drops the lock.
 *
 * With all_points every evaluated point is stored as well (rejected ones
 * with the reason and no metrics).  Without it, the points table holds
 * the fronts and the config's named designs (reference points, ids after
 * the space).
 *
 * When every chunk is done, the fronts and the named designs are
 * re-simulated with the discrete-event model (sim/des.h) at every
 * workload length (metrics rows with source 'des', stored as they finish,
 * so this phase resumes too).  The best point of each architecture by the
 * paper's objective measured with the DES, TTFT(prompt) +
 * alpha*T_dec(l_long) + (1-alpha)*T_dec(l_short) subject to DES TTFT <=
 * t_pre_max, is stored in `best`, and the DPR one (the static one when the
 * space has no dpr mode) in `chosen`.  With objective.workload the
 * objective is instead the stated session figure of that workload
 * (objective.workload_figure, by the design's best realisable policy):
 * among the same points, the SWEEP_WL_DES of least analytic session figure
 * per architecture are run again as op-level DES sessions, and the least
 * DES figure wins (explore/sessions.h).
 *
 * For its report a sweep stores, when the config has workloads, every
 * workload's sessions on the best dpr and the best static design (each
 * policy, the analytic model, with capacities) and the break-even map of
 * the one against the other (explore/follow.h, follow_sessions).
 *
 * Beyond this process: a sweep_source (below) takes part in the
 * evaluation and the DES re-check, and a sweep can be cut into shards run
 * apart and merged (shards.h); in both cases the database gets the rows
 * of a run of one process, since what is stored depends only on the set
 * of points.
 */
#ifndef PDS_SWEEP_H
#define PDS_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "explore/factor.h"
#include "explore/group.h"
#include "explore/recheck.h"
#include "explore/space.h"
#include "models/cfg.h"
#include "models/workload.h"
#include "store/store.h"

/* Spaces larger than this are refused (one machine, one database); the
 * chunk limit bounds the bitmap of finished chunks to 16 MB. */
#define SWEEP_MAX_POINTS (INT64_C(1) << 40)
#define SWEEP_MAX_CHUNKS (INT64_C(1) << 27)
/* With objective.workload: the points of least analytic session figure
 * per architecture that the op-level DES session re-checks. */
#define SWEEP_WL_DES 4

/*
 * Work done outside this process's worker threads: other MPI ranks
 * (dse/mpi), or the shard databases being merged (shards.h).  Both hooks
 * run on a thread of their own (SIGINT and SIGTERM blocked) beside the
 * local threads, and may be NULL.
 *
 * chunks takes groups of chunks with sweep_feed_take() (or, for chunks
 * it knows of, checks sweep_feed_skip()), evaluates them elsewhere and
 * hands each group's result to sweep_feed_give(), until there is nothing
 * left or sweep_feed_stopping(); it returns 0, or -1 with err set (the
 * sweep then fails with that message).  A result holds, per chunk, its
 * point and feasible counts, and every feasible point of those chunks
 * that no point handed over before (or in the same result) dominates,
 * with its objective vector (factor.h): then the fronts, and so the
 * database, are those of a run that evaluated everything here.
 *
 * des is the DES re-check's (recheck_ctx.source).
 */
typedef struct sweep_feed sweep_feed;

typedef struct {
	int (*chunks)(void *arg, sweep_feed *f, char *err, size_t errlen);
	int (*des)(void *arg, recheck_feed *f, char *err, size_t errlen);
	void *arg;
	bool exclusive; /* the local threads evaluate nothing: the source does it all */
	int ranks;      /* processes sharing the work, recorded with the run (0 or 1: this one) */
} sweep_source;

typedef struct {
	int threads;     /* worker threads, >= 1 */
	/* threads was asked for: a source's processes use as many (else
	 * each its own cores) */
	bool threads_given;
	bool all_points; /* store every evaluated point */
	bool progress;   /* draw done/total, rate and ETA on stderr */
	/* the command that resumes the run, shown when a second signal ends
	 * the process; NULL: "the same command" */
	const char *resume_cmd;
	/* one shard of n_shards (0: the whole space): the chunks k with
	 * k mod n_shards = shard - 1.  A shard run (runs.kind 'shard') keeps
	 * its own fronts, re-checks them with the DES and completes without
	 * choosing; the merge of all of them (shards.h) chooses. */
	int shard, n_shards;
	const sweep_source *src; /* NULL: every chunk is evaluated here */
	/* the measurements the run takes (the config's imports as profiles,
	 * and, with --respect-measured, those its limits come from), recorded
	 * with a new run (run_measurements); a run that took others is not
	 * resumed.  measured_key: their key (store/measured.h), "" or NULL for
	 * none. */
	int n_measured;
	const int64_t *measured_ids;
	const char *const *measured_uses;
	const char *measured_key;
} sweep_opts;

/* What a sweep_source sees of the running sweep. */
const cfg_t *sweep_feed_cfg(const sweep_feed *f);
const space_t *sweep_feed_space(const sweep_feed *f);
const factor *sweep_feed_factor(const sweep_feed *f);
/* Threads per process: sweep_opts.threads, and whether it was asked for. */
int sweep_feed_threads(const sweep_feed *f, bool *given);
/* Up to max ids of chunks to evaluate, taken from the counter the local
 * workers share (so no chunk is given out twice); 0 when none is left or
 * the sweep stops. */
size_t sweep_feed_take(sweep_feed *f, int64_t *chunk, size_t max);
/* True for a chunk the sweep must not be given: finished before (a
 * resumed run) or another shard's. */
bool sweep_feed_skip(const sweep_feed *f, int64_t chunk);
/* Hand over a result (group.h; the feed owns it from here).  Waits while
 * the main thread is behind.  Returns 0, or -1 when the sweep has given
 * up (stop then). */
int sweep_feed_give(sweep_feed *f, group_result *r);
/* A signal, a failure or sweep_stop() ends the sweep: stop soon. */
bool sweep_feed_stopping(const sweep_feed *f);

/*
 * Stop the running sweep as a first SIGINT or SIGTERM does (the finished
 * work is saved, the run marked 'interrupted', sweep_run() returns 1 with
 * signal sig), without counting as a signal: a signal after it is still
 * the first.  Async-signal-safe.
 */
void sweep_stop(int sig);

typedef struct {
	int64_t run_id;
	int ranks;                 /* processes that shared the work (sweep_source.ranks, at least 1) */
	bool resumed;              /* an unfinished run was picked up */
	int64_t chunks_before;     /* chunks it had finished */
	int64_t n_points;          /* points of the space */
	int64_t n_feasible;        /* points meeting every constraint */
	store_counts counts;       /* the points by the first constraint they fail */
	int64_t n_front[2];        /* front size by mode (MODE_STATIC, MODE_DPR) */
	int64_t n_distinct[2];     /* of which distinct (equal points grouped) */
	int64_t best[2];           /* best point by mode, -1 when none is feasible */
	double best_objective[2];  /* DES objective, s */
	int64_t chosen;            /* -1 when nothing is feasible */
	double wall_s;             /* this process's part */
	/* where the run stopped (also when it failed or was interrupted) */
	int64_t n_chunks;          /* chunks of the space */
	int64_t chunks_done;       /* chunks the database records */
	int64_t des_total;         /* points the DES re-checks (0 before that phase) */
	int64_t des_done;          /* of which stored */
	int signal;                /* the signal that interrupted it, 0 when none */
	/* an unfinished run of this config that another model made: not
	 * resumed (0 when there was none); its model's fingerprint, "" when
	 * it predates fingerprints */
	int64_t stale_run;
	char stale_fingerprint[17];
	/* an unfinished run of this config that took other measurements, not
	 * resumed (0 when none), and the key of what it took */
	int64_t other_measured_run;
	char other_measured_key[512];
	/* with sets of modules in the space: the best point of the paper's pair
	 * (rms_is_pair), -1 when none or without sets; its objective */
	int64_t best_pair;
	double best_pair_objective;
} sweep_result;

/*
 * Whether c's design space is within the limits above: 0, or
 * PDS_FAIL_REQUEST with "FILE:LINE:COL: ..." at design_space in err (a
 * config error: check it before anything is written).
 */
int sweep_check_space(const cfg_t *c, char *err, size_t errlen);

/*
 * Sweep c's design space into s.  Returns 0 when the run is complete,
 * 1 when a signal interrupted it (what was finished is stored and the
 * run is marked 'interrupted'), -1 on a runtime error (err; the run stays
 * resumable and, unless the database is damaged, is marked
 * 'interrupted').  r says where the run stopped in every case.  Signals
 * are caught only while it runs.
 */
int sweep_run(const cfg_t *c, const workload_t *w, store *s, const sweep_opts *o, sweep_result *r, char *err,
	      size_t errlen);

/*
 * The design a sweep chose for c: the chosen point of the latest complete
 * run in the database at db_path, or, when there is none, that of a new
 * sweep (all cores, no progress bar).  Returns 0 and fills *d, or -1 with
 * err set.
 */
int sweep_best_design(const cfg_t *c, const char *db_path, design_t *d, int64_t *run_id, int64_t *point_id,
		      char *err, size_t errlen);

/* The same for the best static design of that sweep (its `best` row). */
int sweep_best_static_design(const cfg_t *c, const char *db_path, design_t *d, int64_t *run_id, int64_t *point_id,
			     char *err, size_t errlen);

#endif
