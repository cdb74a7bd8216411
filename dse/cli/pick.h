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

#endif
