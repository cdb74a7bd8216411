/*
 * ranks.h - the main job shared by the ranks of an MPI job
 * (build/pdswap-dse-mpi, `mpirun -np N build/pdswap-dse-mpi CONFIG
 * [options]`).
 *
 * Rank 0 runs the main job as pdswap-dse does (the same options, output
 * and database) and is the only process that opens SQLite; the other
 * ranks evaluate.  Rank 0's sweep gets a sweep_source (sweep.h) whose
 * hooks run on a thread of their own, the only one of rank 0 that calls
 * MPI (MPI_THREAD_SERIALIZED), beside rank 0's own worker threads:
 *
 *   setup    rank 0 sends each rank the config (path and text, so the
 *            file need not be on every node) and the threads per rank
 *            (--threads, else each rank's own cores); each rank loads it,
 *            checks that its build has rank 0's model fingerprint and
 *            answers with its thread count or why it cannot take part.
 *   chunks   dynamic load balance: rank 0 takes groups of chunks from the
 *            counter its own workers share (group_chunks() for the
 *            threads of all ranks) and keeps threads + 1 groups in
 *            flight per rank, handing out the next when a result comes.
 *            A rank evaluates a group (group.h) on one of its threads,
 *            offers the group's front to the rank's own front and sends
 *            the group's chunk counters with the points that joined it.
 *            A point that did not join is dominated by one the rank sent
 *            earlier (the offer and the queueing of the message are one
 *            step under one lock, and MPI keeps the order of messages
 *            between two ranks), so rank 0's fronts, and every
 *            checkpoint, are those of a run of one process.
 *   des      the DES re-check: one point per message, threads + 2 points
 *            in flight per rank (recheck_simulate(), the same figures on
 *            any rank).
 *   quit     at the end (ranks_shutdown()), however the job ended.
 *
 * Interruption: SIGINT or SIGTERM to mpirun reaches every rank as
 * SIGTERM.  Rank 0 stops as pdswap-dse does (what is finished is
 * committed, the run marked 'interrupted'); another rank stops its
 * threads, tells rank 0 (which then stops as for a signal of its own,
 * sweep_stop()) and waits to be told to quit.  A rank that dies makes
 * mpirun end the job (SIGTERM, then SIGKILL after
 * odls_base_sigkill_timeout s): rank 0 commits what is finished if it
 * can, and SQLite's journal keeps the database at its last commit in
 * any case.  Either way the same command again, with any number of
 * ranks, resumes the run.
 */
#ifndef PDS_RANKS_H
#define PDS_RANKS_H

#include "explore/sweep.h"

/* Rank 0 of `world` ranks: the source its sweep shares the work with. */
void ranks_source(sweep_source *src, int world);

/* Rank 0, at the end: tell the other ranks to quit and wait (at most a
 * few seconds) for them.  Returns 0 when every rank answered, -1 when
 * one did not (the caller then aborts the job). */
int ranks_shutdown(void);

/* Ranks 1..N-1: serve rank 0 until it says quit.  Returns the exit code. */
int ranks_serve(void);

#endif
