/*
 * pick.c - a design of the config or a point of results.db (see pick.h).
 */
#include "cli/pick.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/measures.h"
#include "store/measured.h"
#include "store/rdb.h"

/* --point / best from the database into out. */
static int from_db(const cfg_t *c, const char *dbpath, bool best, int64_t run, int64_t pid, pick_result *out)
{
	sqlite3 *db;
	char err[4096];
	if (rdb_open(dbpath, &db, err, sizeof err)) {
		cli_err("%s", err);
		return EXIT_RUNTIME;
	}
	int rc = run >= 0 ? rdb_check_run(db, dbpath, c, run, err, sizeof err) : 0;
	if (rc == 0 && best) {
		rc = rdb_latest_chosen(db, dbpath, c, run, &run, &pid, err, sizeof err);
		if (rc == 1) {
			if (run >= 0)
				snprintf(err, sizeof err, "%s: run %lld chose no design; pass --point ID", dbpath,
					 (long long)run);
			else
				snprintf(err, sizeof err,
					 "%s: no complete sweep of '%s' (sha256 %s) has chosen a design; name one with"
					 " --design NAME or --point ID",
					 dbpath, c->path, c->sha256);
			rc = PDS_FAIL_REQUEST;
		}
	} else if (rc == 0 && run < 0) {
		rc = rdb_latest_run(db, dbpath, c, &run, err, sizeof err);
		if (rc == 1) {
			snprintf(err, sizeof err,
				 "%s: no complete run of '%s' (sha256 %s); run 'pdswap-dse %s --db %s' first or pass --run",
				 dbpath, c->path, c->sha256, c->path, dbpath);
			rc = PDS_FAIL_REQUEST;
		}
	}
	if (rc == 0)
		rc = rdb_design(db, dbpath, c, run, pid, &out->d, out->name, sizeof out->name, err, sizeof err);
	sqlite3_close(db);
	if (rc) {
		cli_err("%s", err);
		return cli_exit_code(rc);
	}
	out->run_id = run;
	out->point_id = pid;
	return EXIT_OK;
}

int pick_design(const cfg_t *c, const char *design, int64_t point, int64_t run, const char *db, pick_result *out)
{
	memset(out, 0, sizeof *out);
	out->run_id = out->point_id = -1;
	bool best = design && strcmp(design, "best") == 0;
	if (best || point >= 0)
		return from_db(c, db, best, run, point, out);
	int i = cfg_find_design(c, design);
	if (i < 0) {
		char list[1024];
		cfg_design_names(c, list, sizeof list);
		cli_err("%s: no design named '%s' (designs: %s, or best)", c->path, design, list);
		return EXIT_USAGE;
	}
	out->d = c->designs[i].d;
	snprintf(out->name, sizeof out->name, "%s", design);
	return EXIT_OK;
}

int pick_measured(cfg_t *c, const pick_result *pk, const char *db)
{
	if (pk->run_id < 0)
		return measures_load(c, db, false);
	sqlite3 *h;
	char err[4096];
	if (rdb_open(db, &h, err, sizeof err)) {
		cli_err("%s", err);
		return EXIT_RUNTIME;
	}
	int passed;
	int rc = measured_load_run(h, db, c, pk->run_id, &passed, err, sizeof err);
	sqlite3_close(h);
	if (rc) {
		cli_err("%s", err);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int pick_opts_check(const char *cmd, pick_opts *a)
{
	if (a->design && a->point >= 0) {
		cli_err("%s: give --design or --point, not both", cmd);
		return EXIT_USAGE;
	}
	if (!a->design && a->point < 0)
		a->design = "best";
	bool best = a->design && strcmp(a->design, "best") == 0;
	if (a->have_run && !best && a->point < 0) {
		cli_err("%s: --run selects the run of --point or of --design best, not of a named design", cmd);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int pick_opts_design(cfg_t *c, const pick_opts *a, pick_result *out)
{
	int rc = pick_design(c, a->design, a->point, a->run, a->db, out);
	return rc ? rc : pick_measured(c, out, a->db);
}
