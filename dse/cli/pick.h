/*
 * pick.h - the one way a command picks a design point: a named design of
 * the config (--design NAME), a point of a stored run (--point ID, of the
 * latest complete run of this config in the database unless --run names
 * one), or the point the latest complete sweep of this config chose
 * (--design best).  emit-hls, emit-dfx and import share it, so the same
 * words pick the same point everywhere.  The database is opened
 * read-only.
 */
#ifndef PDS_PICK_H
#define PDS_PICK_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/opt.h"
#include "models/cfg.h"

typedef struct {
	design_t d;
	char name[PDS_NAME_MAX]; /* the design's name, "" for a swept point */
	int64_t run_id, point_id; /* -1, -1 for a named design */
} pick_result;

/*
 * design: a name, "best", or NULL with point >= 0; run: the run of the
 * point or of best (-1: the latest complete one); db: the database.
 * Prints what is wrong (cli_err) and returns an exit code, EXIT_OK when
 * *out is filled: an unknown design, run or point, a run of another
 * config or no chosen point is EXIT_USAGE; a missing or foreign database
 * EXIT_RUNTIME.
 */
int pick_design(const cfg_t *c, const char *design, int64_t point, int64_t run, const char *db, pick_result *out);

/*
 * The measurements the picked design is evaluated with, into c: for a
 * stored point, the measured profiles its run took (so its figures are
 * the run's); for a named design, those of db that apply (cli/measures.h).
 * Returns an exit code (the message printed).
 */
int pick_measured(cfg_t *c, const pick_result *pk, const char *db);

/*
 * The options that pick a point, one block for every command that takes
 * them (emit-hls, emit-dfx): --design NAME|best, --point ID, --run RUN,
 * --db FILE.  A command keeps a pick_opts among its parsed values,
 * initialised with PICK_OPTS_INIT, and puts PICK_OPT_ROWS(its pick_opts,
 * "design" or "dpr design") among its option rows; pick_opts_check() then
 * applies the rules (one of --design and --point; best by default; --run
 * only with --point or best), and pick_opts_design() picks the point and
 * its measured profiles into c.
 */
typedef struct {
	const char *design, *db;
	int point, run;
	bool have_db, have_run;
} pick_opts;

#define PICK_OPTS_INIT {.db = "results/results.db", .point = -1, .run = -1}

#define PICK_OPT_ROWS(a, kind)                                                                                   \
	{.name = "--design", .type = OPT_STRING, .value = "NAME", .out = &(a).design,                             \
	 .help = "a " kind " of CONFIG, or 'best': the point the latest complete\n"                               \
		 "sweep of CONFIG chose (the default)"},                                                          \
	{.name = "--point", .type = OPT_INT, .value = "ID", .out = &(a).point, .lo = 0, .hi = 2147483647.0,        \
	 .help = "point ID of a run stored in FILE"},                                                             \
	{.name = "--run", .type = OPT_INT, .value = "RUN", .out = &(a).run, .lo = 1, .hi = 2147483647.0,           \
	 .given = &(a).have_run, .help = "the run to read (default: the latest complete run of CONFIG)"},       \
	{.name = "--db", .type = OPT_STRING, .value = "FILE", .out = &(a).db, .given = &(a).have_db,              \
	 .help = "results database (default results/results.db), opened read-only:\n"                           \
		 "the run of --point or best, or the measurements that apply to a\n"                              \
		 "named design"}

/* The rules of the block for command `cmd` (its name in messages); sets
 * a->design to "best" when neither --design nor --point is given.
 * Returns EXIT_OK, or EXIT_USAGE after printing what is wrong. */
int pick_opts_check(const char *cmd, pick_opts *a);

/* pick_design() then pick_measured() for the block's values. */
int pick_opts_design(cfg_t *c, const pick_opts *a, pick_result *out);

#endif
