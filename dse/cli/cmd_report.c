/*
 * cmd_report.c - `pdswap-dse report`: the HTML report of a stored run.
 * It only reads the database.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/opt.h"
#include "report/report.h"

static struct {
	const char *db, *out, *format, *what;
	int run;
} A = {.db = "results/results.db", .out = "results/report", .what = "points"};

static const opt_def report_opts[] = {
	{.name = "--db", .type = OPT_STRING, .value = "FILE", .out = &A.db,
	 .help = "results database (default results/results.db); only read"},
	{.name = "--run", .type = OPT_INT, .value = "ID", .out = &A.run, .lo = 1, .hi = 2147483647.0,
	 .help = "the run (default: the latest complete run)"},
	{.name = "--out", .type = OPT_STRING, .value = "DIR", .out = &A.out,
	 .help = "where the report goes (default results/report): DIR/index.html,\n"
		 "DIR/fig/*.svg *.png and the gnuplot scripts that drew them; a previous\n"
		 "report there is replaced, any other existing directory is refused"},
};

const opt_cmd cmd_report_opts = {
	.name = "report",
	.args = "",
	.about = "Writes the HTML report of a stored run: the Pareto front, TTFT against the prompt,\n"
		 "decode rate against the context, resources per region, the validation table.\n"
		 "Needs gnuplot (Debian package gnuplot-nox).",
	.opts = report_opts,
	.n_opts = (int)(sizeof report_opts / sizeof report_opts[0]),
};

int cmd_report(int argc, char **argv)
{
	int prc = opt_parse(&cmd_report_opts, argc, argv);
	if (prc)
		return prc > 0 ? EXIT_OK : EXIT_USAGE;
	char err[4096];
	cli_catch_stop(true);
	int rc = report_write_stop(A.db, A.run, A.out, cli_stop_flag(), err, sizeof err);
	cli_catch_stop(false);
	if (rc) {
		cli_err("%s", err);
		return cli_exit_code(rc);
	}
	printf("report written to %s/index.html\n", A.out);
	return EXIT_OK;
}
