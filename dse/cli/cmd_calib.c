/*
 * cmd_calib.c - `pdswap-dse calibrate` (fit the free coefficients, print
 * them with every residual, optionally write them back into a config) and
 * `pdswap-dse validate` (measured vs predicted, with a tolerance).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/opt.h"
#include "config/config.h"
#include "config/writeback.h"
#include "models/calib.h"
#include "models/cfg.h"

static void print_rows(const cfg_t *c, double tol, int *n_bad)
{
	calib_row rows[128];
	int n = calib_rows(c, rows, 128);
	*n_bad = 0;
	printf("%-36s %6s %12s %12s %9s  %s\n", "measurement", "unit", "measured", "predicted", "error",
	       "use");
	for (int i = 0; i < n; i++) {
		const calib_row *r = &rows[i];
		bool bad = r->checked && fabs(r->rel_err) > tol;
		*n_bad += bad;
		printf("%-36s %6s %12.6g %12.6g %+8.1f%%  %s%s%s\n", r->name, r->unit, r->measured,
		       r->predicted, 100 * r->rel_err, r->fitted_to ? "fit" : "check",
		       r->checked ? "" : " (reported)", bad ? "  BEYOND TOLERANCE" : "");
		if (*r->note && (strstr(r->note, "left out") || strstr(r->note, "not fitted")))
			printf("%-36s %6s   %s\n", "", "", r->note);
	}
}

/* Load a config that must have measurements (what both commands work on). */
static int load(const char *path, cfg_t *c, const char *cmd)
{
	char err[1024];
	if (config_load(c, path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (!c->has_meas) {
		cli_err("%s: %s needs a 'measurements' section (published measurements of the static "
			 "baseline and the platform); this config has none",
			 path, cmd);
		cfg_release(c);
		return -1;
	}
	return 0;
}

static struct {
	const char *path, *out;
	double tol;
} A = {.tol = 0.10};

static const opt_def calibrate_opts[] = {
	{.name = "--write", .type = OPT_STRING, .value = "FILE", .out = &A.out,
	 .help = "write CONFIG with the fitted values to FILE (FILE may be CONFIG\n"
		 "itself); comments and layout are kept"},
};

const opt_cmd cmd_calibrate_opts = {
	.name = "calibrate",
	.args = "CONFIG",
	.about = "Fits every calibration coefficient marked 'prov: fitted' to the measurements\n"
		 "of CONFIG (least squares), prints the coefficients with their standard errors\n"
		 "and every residual.",
	.opts = calibrate_opts,
	.n_opts = 1,
	.min_pos = 1,
	.max_pos = 1,
	.pos = &A.path,
};

static const opt_def validate_opts[] = {
	{.name = "--tol", .type = OPT_REAL, .value = "X", .out = &A.tol, .lo = 0, .hi = 1e6,
	 .help = "the tolerance (default 0.10 = 10%)"},
};

const opt_cmd cmd_validate_opts = {
	.name = "validate",
	.args = "CONFIG",
	.about = "Prints every measurement of CONFIG with the model's prediction and the relative\n"
		 "error.  Exits 1 when a checked row is off by more than X.  Rows marked\n"
		 "'(reported)' (Table 2 resource rows of single engines) are shown but not checked.",
	.opts = validate_opts,
	.n_opts = 1,
	.min_pos = 1,
	.max_pos = 1,
	.pos = &A.path,
};

int cmd_calibrate(int argc, char **argv)
{
	int prc = opt_parse(&cmd_calibrate_opts, argc, argv);
	if (prc)
		return prc > 0 ? EXIT_OK : EXIT_USAGE;
	const char *path = A.path, *out = A.out;
	cfg_t c;
	if (load(path, &c, "calibrate"))
		return EXIT_USAGE;
	cfg_t orig = c;
	calib_result res;
	char err[1024];
	if (calib_fit(&c, &res, err, sizeof err)) {
		cli_err("%s: %s", path, err);
		cfg_release(&c);
		return EXIT_RUNTIME;
	}
	printf("calibration of %s against its measurements (design '%s', DPR design '%s')\n", path,
	       c.meas.fit_design, c.meas.dpr_design);
	printf("timing fit: %d free coefficients, %d data points, %d iterations, "
	       "sum of squared relative residuals %.3g\n\n",
	       res.n_timing_free, res.n_timing_points, res.iterations, res.timing_chisq);
	printf("%-24s %14s %14s %12s\n", "coefficient", "before", "fitted", "std error");
	for (int i = 0; i < res.n_changes; i++) {
		const calib_change *ch = &res.ch[i];
		char se[32] = "-";
		if (ch->stderr_ >= 0)
			snprintf(se, sizeof se, "%.3g", ch->stderr_);
		printf("%-24s %14.6g %14.6g %12s\n", cal_slot_names[ch->slot], ch->before, ch->after, se);
	}
	printf("\n");
	int bad;
	print_rows(&c, INFINITY, &bad);
	int rc = EXIT_OK;
	if (out) {
		int slots[64];
		double vals[64];
		for (int i = 0; i < res.n_changes; i++) {
			slots[i] = res.ch[i].slot;
			vals[i] = res.ch[i].after;
		}
		if (writeback_config(&orig, out, slots, vals, res.n_changes, err, sizeof err)) {
			cli_err("%s", err);
			rc = EXIT_RUNTIME;
		} else {
			printf("\nwrote the fitted coefficients to %s\n", out);
		}
	}
	cfg_release(&c);
	return rc;
}

int cmd_validate(int argc, char **argv)
{
	int prc = opt_parse(&cmd_validate_opts, argc, argv);
	if (prc)
		return prc > 0 ? EXIT_OK : EXIT_USAGE;
	const char *path = A.path;
	double tol = A.tol;
	cfg_t c;
	if (load(path, &c, "validate"))
		return EXIT_USAGE;
	printf("validation of %s: design '%s' against its measurements, tolerance %.1f%%\n", path,
	       c.meas.fit_design, 100 * tol);
	int bad;
	print_rows(&c, tol, &bad);
	cfg_release(&c);
	if (bad) {
		printf("%d measurement%s beyond tolerance\n", bad, bad == 1 ? "" : "s");
		return EXIT_RUNTIME;
	}
	printf("all checked measurements within tolerance\n");
	return EXIT_OK;
}
