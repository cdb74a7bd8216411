/*
 * cmd_report.c - `pdswap-dse report` (the HTML report of a stored run) and
 * `pdswap-dse export` (a stored run as CSV or JSON on standard output).
 * Both only read the database.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "report/export.h"
#include "store/rdb.h"
#include "report/report.h"
#include "cli/cli.h"

static void report_usage(FILE *f)
{
	fputs("usage: pdswap-dse report [--db FILE] [--run ID] [--out DIR]\n"
	      "  Writes the HTML report of a stored run: the Pareto front, TTFT against the prompt,\n"
	      "  decode rate against the context, resources per region, the validation table.\n"
	      "  --db FILE  results database (default results/results.db); only read\n"
	      "  --run ID   the run (default: the latest complete run)\n"
	      "  --out DIR  where the report goes (default results/report): DIR/index.html,\n"
	      "             DIR/fig/*.svg *.png and the gnuplot scripts that drew them; a previous\n"
	      "             report there is replaced, any other existing directory is refused\n"
	      "  Needs gnuplot (Debian package gnuplot-nox).\n",
	      f);
}

static void export_usage(FILE *f)
{
	fputs("usage: pdswap-dse export [--db FILE] [--run ID] --format csv|json [--what points|metrics|pareto]\n"
	      "  Writes one view of a stored run to standard output:\n"
	      "    points   every design point (v_points), the default\n"
	      "    metrics  every metric row (v_metrics: source, prompt = workload length, ...)\n"
	      "    pareto   the design points on the Pareto front (v_points rows of v_pareto)\n"
	      "  --db FILE  results database (default results/results.db); only read\n"
	      "  --run ID   the run (default: the latest complete run)\n",
	      f);
}

/* The value of option argv[*i], or NULL after printing the error. */
static const char *opt_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		cli_err("%s needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static int parse_run(const char *s, int64_t *run)
{
	int v;
	if (cli_parse_int("--run", s, 1, 2147483647L, &v))
		return -1;
	*run = v;
	return 0;
}

int cmd_report(int argc, char **argv)
{
	const char *db = "results/results.db", *out = "results/report", *v;
	int64_t run = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			report_usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0) {
			if (!(v = opt_value(argc, argv, &i)))
				return EXIT_USAGE;
			db = v;
		} else if (strcmp(argv[i], "--out") == 0) {
			if (!(v = opt_value(argc, argv, &i)))
				return EXIT_USAGE;
			out = v;
		} else if (strcmp(argv[i], "--run") == 0) {
			if (!(v = opt_value(argc, argv, &i)) || parse_run(v, &run))
				return EXIT_USAGE;
		} else {
			cli_err("report: unexpected argument '%s'", argv[i]);
			report_usage(stderr);
			return EXIT_USAGE;
		}
	}
	char err[4096];
	int rc = report_write(db, run, out, err, sizeof err);
	if (rc) {
		cli_err("%s", err);
		return cli_exit_code(rc);
	}
	printf("report written to %s/index.html\n", out);
	return EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
	const char *db = "results/results.db", *v;
	int64_t run = 0;
	bool have_fmt = false;
	export_format fmt = EXPORT_CSV;
	export_what what = EXPORT_POINTS;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			export_usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0) {
			if (!(v = opt_value(argc, argv, &i)))
				return EXIT_USAGE;
			db = v;
		} else if (strcmp(argv[i], "--run") == 0) {
			if (!(v = opt_value(argc, argv, &i)) || parse_run(v, &run))
				return EXIT_USAGE;
		} else if (strcmp(argv[i], "--format") == 0) {
			if (!(v = opt_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (export_parse_format(v, &fmt)) {
				cli_err("--format must be csv or json, got '%s'", v);
				return EXIT_USAGE;
			}
			have_fmt = true;
		} else if (strcmp(argv[i], "--what") == 0) {
			if (!(v = opt_value(argc, argv, &i)))
				return EXIT_USAGE;
			if (export_parse_what(v, &what)) {
				cli_err("--what must be points, metrics or pareto, got '%s'", v);
				return EXIT_USAGE;
			}
		} else {
			cli_err("export: unexpected argument '%s'", argv[i]);
			export_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!have_fmt) {
		cli_err("export needs --format csv or --format json");
		export_usage(stderr);
		return EXIT_USAGE;
	}
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
