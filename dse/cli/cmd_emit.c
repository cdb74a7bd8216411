/*
 * cmd_emit.c - `pdswap-dse emit-hls`: write the HLS config headers of one
 * design point (dse/emit.h).
 *
 * The point is a named design of the config (--design NAME), a stored
 * point of results.db (--point ID, from the latest complete run of this
 * config unless --run says which), or, by default and with --design best,
 * the point the latest complete sweep of this config chose.  The
 * database is opened read-only: emitting never changes stored results.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "models/cfg.h"
#include "cli/cmd.h"
#include "hls/emit.h"
#include "store/rdb.h"
#include "store/store.h"
#include "cli/cli.h"

#define DEFAULT_OUT "sim/hw/generated"

static void usage(FILE *f)
{
	fputs("usage: pdswap-dse emit-hls CONFIG [--design NAME | --point ID [--run RUN]] [--db FILE] [--out DIR]\n"
	      "  Writes pds_common.h, pds_static.h, pds_prefill.h and pds_decode.h, the Vitis HLS\n"
	      "  config headers of one design point, into DIR (default " DEFAULT_OUT ").\n"
	      "  --design NAME  a design of CONFIG, or 'best': the point the latest complete\n"
	      "                 sweep of CONFIG chose (the default)\n"
	      "  --point ID     point ID of a run stored in FILE\n"
	      "  --run RUN      the run to read (default: the latest complete run of CONFIG)\n"
	      "  --db FILE      results database (default results/results.db), opened read-only\n"
	      "  A point that violates a constraint of CONFIG is refused (exit 1).\n",
	      f);
}

/* One integer from a query with one text bind.
 * Returns 1 with *out set, 0 when there is no row, -1 on an error. */
static int query_i64(sqlite3 *db, const char *sql, const char *text, int64_t *out)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Check that run `run` exists, is complete and belongs to this config. */
static int check_run(sqlite3 *db, const char *dbpath, const cfg_t *c, int64_t run)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT config_sha256, status FROM runs WHERE run_id = ?", -1, &st, NULL) !=
	    SQLITE_OK) {
		cli_err("%s: %s", dbpath, sqlite3_errmsg(db));
		return EXIT_RUNTIME;
	}
	sqlite3_bind_int64(st, 1, run);
	int rc = EXIT_OK;
	if (sqlite3_step(st) != SQLITE_ROW) {
		cli_err("%s: no run %lld", dbpath, (long long)run);
		rc = EXIT_USAGE;
	} else {
		const char *sha = (const char *)sqlite3_column_text(st, 0);
		const char *status = (const char *)sqlite3_column_text(st, 1);
		if (!sha || strcmp(sha, c->sha256) != 0) {
			cli_err("%s: run %lld was made with a config of sha256 %s, not '%s' (sha256 %s)", dbpath,
				 (long long)run, sha ? sha : "?", c->path, c->sha256);
			rc = EXIT_USAGE;
		} else if (!status || strcmp(status, "complete") != 0) {
			cli_err("%s: run %lld is '%s', not complete; its points may be missing", dbpath, (long long)run,
				 status ? status : "?");
			rc = EXIT_USAGE;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* The design of point `pid` of run `run`; prints its own errors. */
static int read_point(sqlite3 *db, const char *dbpath, const cfg_t *c, int64_t run, int64_t pid, design_t *d,
		      char *name, size_t namesz)
{
	static const char *const sql =
		"SELECT mode, clock_mhz, tlmm_tables, tlmm_lanes, pre_pe, pre_lanes, pre_block, pre_burst,"
		" pre_outstanding, dec_lanes, dec_burst, dec_outstanding, pm_prefill, pm_decode, pblock, design_name"
		" FROM points WHERE run_id = ? AND point_id = ?";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		cli_err("%s: %s", dbpath, sqlite3_errmsg(db));
		return EXIT_RUNTIME;
	}
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, pid);
	int rc = EXIT_USAGE;
	if (sqlite3_step(st) != SQLITE_ROW) {
		cli_err("%s: run %lld has no point %lld", dbpath, (long long)run, (long long)pid);
		goto out;
	}
	const char *mode = (const char *)sqlite3_column_text(st, 0);
	memset(d, 0, sizeof *d);
	d->mode = mode && strcmp(mode, "dpr") == 0 ? MODE_DPR : MODE_STATIC;
	int *const ints[] = {&d->clock_mhz, &d->tlmm_tables, &d->tlmm_lanes, &d->pre_pe, &d->pre_lanes,
			     &d->pre_block, &d->pre_burst, &d->pre_outstanding, &d->dec_lanes, &d->dec_burst,
			     &d->dec_outstanding};
	for (int i = 0; i < 11; i++)
		*ints[i] = sqlite3_column_int(st, i + 1);
	const char *pm_pre = (const char *)sqlite3_column_text(st, 12);
	const char *pm_dec = (const char *)sqlite3_column_text(st, 13);
	const char *pb = (const char *)sqlite3_column_text(st, 14);
	const char *dn = (const char *)sqlite3_column_text(st, 15);
	snprintf(name, namesz, "%s", dn ? dn : "");
	d->pm_pre = pm_pre ? cfg_find_portmap(c, pm_pre) : -1;
	d->pm_dec = pm_dec ? cfg_find_portmap(c, pm_dec) : -1;
	d->rp = pb ? cfg_find_pblock(c, pb) : -1;
	if (d->pm_pre < 0 || d->pm_dec < 0 || (pb && d->rp < 0)) {
		cli_err("%s: point %lld of run %lld names port maps '%s'/'%s' and pblock '%s', which '%s' does not all define",
			 dbpath, (long long)pid, (long long)run, pm_pre ? pm_pre : "", pm_dec ? pm_dec : "",
			 pb ? pb : "(none)", c->path);
		goto out;
	}
	rc = EXIT_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Resolve --point / best from the database: fills d, name, *run, *pid. */
static int from_db(const cfg_t *c, const char *dbpath, bool best, int64_t run, int64_t pid, design_t *d,
		   char *name, size_t namesz, int64_t *run_out, int64_t *pid_out)
{
	sqlite3 *db;
	char err[1200];
	if (rdb_open(dbpath, &db, err, sizeof err)) {
		cli_err("%s", err);
		return EXIT_RUNTIME;
	}
	int rc;
	if (run >= 0) {
		if ((rc = check_run(db, dbpath, c, run)))
			goto out;
	}
	if (best) {
		/* the chosen point of the latest complete run of this config (or of --run) */
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db,
				       "SELECT c.run_id, c.point_id FROM chosen c JOIN runs r ON r.run_id = c.run_id"
				       " WHERE r.config_sha256 = ?1 AND r.status = 'complete' AND (?2 < 0 OR c.run_id = ?2)"
				       " ORDER BY c.run_id DESC LIMIT 1",
				       -1, &st, NULL) != SQLITE_OK) {
			cli_err("%s: %s", dbpath, sqlite3_errmsg(db));
			rc = EXIT_RUNTIME;
			goto out;
		}
		sqlite3_bind_text(st, 1, c->sha256, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, run);
		int q = sqlite3_step(st);
		if (q == SQLITE_ROW) {
			run = sqlite3_column_int64(st, 0);
			pid = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
		if (q != SQLITE_ROW && q != SQLITE_DONE) {
			cli_err("%s: %s", dbpath, sqlite3_errmsg(db));
			rc = EXIT_RUNTIME;
			goto out;
		}
		if (q == SQLITE_DONE) {
			if (run >= 0)
				cli_err("%s: run %lld chose no design; pass --point ID", dbpath, (long long)run);
			else
				cli_err("%s: no complete sweep of '%s' (sha256 %s) has chosen a design; name one with --design NAME or --point ID",
					 dbpath, c->path, c->sha256);
			rc = EXIT_USAGE;
			goto out;
		}
	} else if (run < 0) {
		int q = query_i64(db,
				  "SELECT run_id FROM runs WHERE config_sha256 = ?1 AND status = 'complete'"
				  " ORDER BY run_id DESC LIMIT 1",
				  c->sha256, &run);
		if (q <= 0) {
			if (q < 0)
				cli_err("%s: %s", dbpath, sqlite3_errmsg(db));
			else
				cli_err("%s: no complete run of '%s' (sha256 %s); run 'pdswap-dse %s --db %s' first or pass --run",
					 dbpath, c->path, c->sha256, c->path, dbpath);
			rc = q < 0 ? EXIT_RUNTIME : EXIT_USAGE;
			goto out;
		}
	}
	rc = read_point(db, dbpath, c, run, pid, d, name, namesz);
	*run_out = run;
	*pid_out = pid;
out:
	sqlite3_close(db);
	return rc;
}

int cmd_emit_hls(int argc, char **argv)
{
	const char *path = NULL, *design = NULL, *db = "results/results.db", *out = DEFAULT_OUT;
	int point = -1, run = -1;
	bool have_db = false, have_run = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--design") == 0 || strcmp(a, "--point") == 0 || strcmp(a, "--run") == 0 ||
			   strcmp(a, "--db") == 0 || strcmp(a, "--out") == 0) {
			if (i + 1 >= argc) {
				cli_err("emit-hls: %s needs a value", a);
				return EXIT_USAGE;
			}
			const char *v = argv[++i];
			if (strcmp(a, "--design") == 0) {
				design = v;
			} else if (strcmp(a, "--db") == 0) {
				db = v;
				have_db = true;
			} else if (strcmp(a, "--out") == 0) {
				out = v;
			} else if (strcmp(a, "--point") == 0) {
				if (cli_parse_int(a, v, 0, 2147483647L, &point))
					return EXIT_USAGE;
			} else {
				if (cli_parse_int(a, v, 1, 2147483647L, &run))
					return EXIT_USAGE;
				have_run = true;
			}
		} else if (a[0] == '-') {
			cli_err("emit-hls: unknown option '%s'", a);
			usage(stderr);
			return EXIT_USAGE;
		} else if (!path) {
			path = a;
		} else {
			cli_err("emit-hls: unexpected argument '%s'", a);
			return EXIT_USAGE;
		}
	}
	if (!path) {
		cli_err("emit-hls needs CONFIG");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (design && point >= 0) {
		cli_err("emit-hls: give --design or --point, not both");
		return EXIT_USAGE;
	}
	if (!design && point < 0)
		design = "best";
	bool best = design && strcmp(design, "best") == 0;
	if (have_run && !best && point < 0) {
		cli_err("emit-hls: --run selects the run of --point or of --design best, not of a named design");
		return EXIT_USAGE;
	}
	if (have_db && !best && point < 0) {
		cli_err("emit-hls: --db is read for --point or --design best, not for a named design");
		return EXIT_USAGE;
	}
	if (!*out) {
		cli_err("emit-hls: --out must name a directory");
		return EXIT_USAGE;
	}

	cfg_t c;
	char err[1024];
	if (config_load(&c, path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	design_t d;
	char name[PDS_NAME_MAX] = "";
	int64_t run_id = -1, point_id = -1;
	int rc = EXIT_USAGE;
	if (best || point >= 0) {
		if ((rc = from_db(&c, db, best, run, point, &d, name, sizeof name, &run_id, &point_id)))
			goto out;
	} else {
		int i = cfg_find_design(&c, design);
		if (i < 0) {
			char list[1024] = "";
			for (int j = 0; j < c.n_designs; j++) {
				strncat(list, j ? ", " : "", sizeof list - strlen(list) - 1);
				strncat(list, c.designs[j].name, sizeof list - strlen(list) - 1);
			}
			cli_err("%s: no design named '%s' (designs: %s, or best)", c.path, design, list);
			goto out;
		}
		d = c.designs[i].d;
		snprintf(name, sizeof name, "%s", design);
	}

	emit_meta meta;
	emit_meta_init(&meta, &c, &d, name, run_id, point_id);
	if (emit_write(&c, &d, &meta, out, err, sizeof err)) {
		if (point_id >= 0)
			cli_err("point %lld of run %lld: %s", (long long)point_id, (long long)run_id, err);
		else
			cli_err("design '%s': %s", name, err);
		rc = EXIT_RUNTIME;
		goto out;
	}
	for (int i = 0; i < EMIT_N_HEADERS; i++)
		printf("%s/%s\n", out, emit_header_names[i]);
	rc = fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
out:
	cfg_release(&c);
	return rc;
}
