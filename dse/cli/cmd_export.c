/*
 * cmd_export.c - `pdswap-dse export`: one view of a stored run as CSV or
 * JSON on standard output.  It only reads the database.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/opt.h"
#include "report/export.h"
#include "store/rdb.h"

static struct {
	const char *db, *format, *what;
	int run;
} A = {.db = "results/results.db", .what = "points"};

static const opt_def export_opts[] = {
	{.name = "--db", .type = OPT_STRING, .value = "FILE", .out = &A.db,
	 .help = "results database (default results/results.db); only read"},
	{.name = "--run", .type = OPT_INT, .value = "ID", .out = &A.run, .lo = 1, .hi = 2147483647.0,
	 .help = "the run (default: the latest complete run)"},
	{.name = "--format", .type = OPT_STRING, .value = "csv|json", .out = &A.format, .required = true,
	 .help = "CSV (RFC 4180) or JSON"},
	{.name = "--what", .type = OPT_STRING, .value = "points|metrics|pareto", .out = &A.what,
	 .help = "points: every design point (v_points), the default\n"
		 "metrics: every metric row (v_metrics)\n"
		 "pareto: the design points on the Pareto front (v_points rows of v_pareto)"},
};

const opt_cmd cmd_export_opts = {
	.name = "export",
	.args = "",
	.about = "Writes one view of a stored run to standard output.",
	.opts = export_opts,
	.n_opts = (int)(sizeof export_opts / sizeof export_opts[0]),
};

int cmd_export(int argc, char **argv)
{
	int prc = opt_parse(&cmd_export_opts, argc, argv);
	if (prc)
		return prc > 0 ? EXIT_OK : EXIT_USAGE;
	export_format fmt;
	export_what what;
	if (export_parse_format(A.format, &fmt)) {
		cli_err("--format must be csv or json, got '%s'", A.format);
		return EXIT_USAGE;
	}
	if (export_parse_what(A.what, &what)) {
		cli_err("--what must be points, metrics or pareto, got '%s'", A.what);
		return EXIT_USAGE;
	}
	const char *db = A.db;
	int64_t run = A.run;
	char err[4096];
	sqlite3 *h;
	if (rdb_open(db, &h, err, sizeof err)) {
		cli_err("%s", err);
		return EXIT_RUNTIME;
	}
	rdb_run r;
	int rc = EXIT_OK;
	if (rdb_run_load(h, db, run, &r, err, sizeof err)) {
		cli_err("%s", err);
		rc = run > 0 ? EXIT_USAGE : EXIT_RUNTIME;
	} else {
		if (export_run(h, db, &r, what, fmt, stdout, err, sizeof err)) {
			cli_err("%s", err);
			rc = EXIT_RUNTIME;
		}
		rdb_run_release(&r);
	}
	sqlite3_close(h);
	return rc;
}
