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
#include "models/infer.h"
#include "models/perf.h"
#include "models/workload.h"
#include "sim/des.h"
#include "models/cfg.h"

/* The DES's prediction of a timing row of the fit design (the DES is the reference). */
static int des_row(const cfg_t *c, const calib_row *r, double *out, char *err, size_t errlen)
{
	const design_t *d = &c->designs[cfg_find_design(c, c->meas.fit_design)].d;
	workload_t w;
	workload_init(&w, &c->model);
	des_opts o = {0};
	des_result dr;
	int x;
	if (sscanf(r->name, "ttft prompt=%d", &x) == 1) {
		if (des_run(c, &w, d, x, 0, &o, &dr, err, errlen))
			return -1;
		*out = dr.f.ttft_s;
	} else if (sscanf(r->name, "decode context=%d", &x) == 1) {
		if (des_run(c, &w, d, x > 1 ? x - 1 : 1, 1, &o, &dr, err, errlen))
			return -1;
		*out = 1.0 / dr.f.decode_first_step_s;
	} else if (sscanf(r->name, "prefill attn/layer L=%d", &x) == 1) {
		if (des_run(c, &w, d, x, 0, &o, &dr, err, errlen))
			return -1;
		*out = dr.f.prefill_attention_s / w.layers * 1e3;
	} else {
		BUG("'%s' is not a timing row", r->name);
	}
	return 0;
}

/* Measured against predicted; timing rows also against the DES.  Returns -1 when the DES fails. */
static int print_rows(const cfg_t *c, double tol, int *n_bad)
{
	calib_row rows[128];
	int n = calib_rows(c, rows, 128);
	*n_bad = 0;
	printf("%-36s %6s %12s %12s %9s %12s %9s  %s\n", "measurement", "unit", "measured", "predicted", "error",
	       "DES", "error", "use");
	for (int i = 0; i < n; i++) {
		const calib_row *r = &rows[i];
		bool bad = r->checked && fabs(r->rel_err) > tol;
		char dcol[24] = "", derr[16] = "";
		if (r->timing) {
			double dv;
			char err[512];
			if (des_row(c, r, &dv, err, sizeof err)) {
				cli_err("%s", err);
				return -1;
			}
			double e = dv / r->measured - 1;
			bad |= r->checked && fabs(e) > tol;
			snprintf(dcol, sizeof dcol, "%.6g", dv);
			snprintf(derr, sizeof derr, "%+.1f%%", 100 * e);
		}
		*n_bad += bad;
		printf("%-36s %6s %12.6g %12.6g %+8.1f%% %12s %9s  %s%s%s\n", r->name, r->unit, r->measured,
		       r->predicted, 100 * r->rel_err, dcol, derr, r->fitted_to ? "fit" : "check",
		       r->checked ? "" : " (reported)", bad ? "  BEYOND TOLERANCE" : "");
		if (*r->note) /* left out, inferred from, not fitted */
			printf("%-36s %6s   %s\n", "", "", r->note);
	}
	return 0;
}

static const char *kind_name(calib_kind k)
{
	return k == CALIB_DERIVED ? "derived" : k == CALIB_TIED ? "fitted, tied" : "fitted";
}

/* What the data say of the fitted coefficients: identifiability, correlations, sensitivities. */
static void print_identifiability(const calib_result *res)
{
	if (res->timing_block >= 0) {
		const calib_block *b = &res->blk[res->timing_block];
		printf("\ntiming fit: d(relative residual) / d(ln coefficient) at the solution; a coefficient is\n"
		       "constrained by the points it moves by more than 1%% of the largest sensitivity\n");
		printf("%-28s", "point");
		for (int i = 0; i < b->n; i++)
			printf(" %14s", cal_slot_names[b->slot[i]]);
		printf("\n");
		for (int k = 0; k < res->n_timing_points; k++) {
			printf("%-28s", res->point[k]);
			for (int i = 0; i < b->n; i++)
				printf(" %14.4f", res->sens[k][i]);
			printf("\n");
		}
		for (int i = 0; i < b->n; i++) {
			double big = 0;
			for (int k = 0; k < res->n_timing_points; k++)
				big = fmax(big, fabs(res->sens[k][i]));
			printf("  %s is constrained by:", cal_slot_names[b->slot[i]]);
			for (int k = 0; k < res->n_timing_points; k++)
				if (fabs(res->sens[k][i]) > 0.01 * big)
					printf(" %s;", res->point[k]);
			printf("\n");
		}
		printf("\ncorrelation of the fitted timing coefficients (%d degrees of freedom)\n%-16s", b->dof, "");
		for (int i = 0; i < b->n; i++)
			printf(" %14s", cal_slot_names[b->slot[i]]);
		printf("\n");
		for (int i = 0; i < b->n; i++) {
			printf("%-16s", cal_slot_names[b->slot[i]]);
			for (int j = 0; j < b->n; j++)
				printf(" %14.3f", calib_block_corr(b, i, j));
			printf("\n");
		}
	}
	for (int i = 0; i < res->n_blocks; i++) {
		const calib_block *b = &res->blk[i];
		if (i == res->timing_block || b->n < 2)
			continue;
		printf("correlation in %s (%d degrees of freedom):", b->name, b->dof);
		for (int p = 0; p < b->n; p++)
			for (int q = p + 1; q < b->n; q++)
				printf(" %s / %s %+.3f", cal_slot_names[b->slot[p]], cal_slot_names[b->slot[q]],
				       b->dof > 0 ? calib_block_corr(b, p, q) : NAN);
		printf("\n");
	}
	for (int i = 0; i < res->n_notes; i++)
		printf("note: %s\n", res->note[i]);
	if (res->n_unident) {
		printf("\nnot identified by the measurements (held at their values; they are not fitted):\n");
		for (int i = 0; i < res->n_unident; i++)
			printf("  %s: %s\n", cal_slot_names[res->unident[i].slot], res->unident[i].why);
	}
}

static void print_inferred(const cfg_t *c)
{
	for (int i = 0; i < c->n_designs; i++) {
		const cfg_design *cd = &c->designs[i];
		for (int k = 0; k < cd->n_inferred; k++) {
			const cfg_inferred *in = &cd->inferred[k];
			printf("design %s: %s = %d, range %d .. %d, from %s:", cd->name, cfg_size_names[in->size], in->centre,
			       in->lo, in->hi, cfg_row_names[in->row]);
			for (int t = 0; t < RES_N; t++)
				if (isnan(in->by_type[t]))
					printf(" %s - (%s);", res_names[t], in->left_out[t]);
				else
					printf(" %s %.2f;", res_names[t], in->by_type[t]);
			printf("\n");
		}
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
	printf("%-24s %14s %14s %12s  %s\n", "coefficient", "before", "after", "std error", "");
	for (int i = 0; i < res.n_changes; i++) {
		const calib_change *ch = &res.ch[i];
		char se[32] = "-";
		if (ch->stderr_ >= 0)
			snprintf(se, sizeof se, "%.3g", ch->stderr_);
		printf("%-24s %14.6g %14.6g %12s  %s\n", cal_slot_names[ch->slot], ch->before, ch->after, se,
		       kind_name(ch->kind));
	}
	print_identifiability(&res);
	printf("\n");
	print_inferred(&c);
	printf("\n");
	int bad;
	int rc = EXIT_OK;
	if (print_rows(&c, INFINITY, &bad))
		rc = EXIT_RUNTIME;
	if (res.n_unident) {
		cli_err("%s: %d coefficient%s marked fitted that the measurements do not identify; label %s assumed with a "
			"range%s", path, res.n_unident, res.n_unident == 1 ? "" : "s", res.n_unident == 1 ? "it" : "them",
			out ? "; nothing was written" : "");
		cfg_release(&c);
		return EXIT_RUNTIME;
	}
	if (out && rc == EXIT_OK) {
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
	if (print_rows(&c, tol, &bad)) {
		cfg_release(&c);
		return EXIT_RUNTIME;
	}
	cfg_release(&c);
	if (bad) {
		printf("%d measurement%s beyond tolerance\n", bad, bad == 1 ? "" : "s");
		return EXIT_RUNTIME;
	}
	printf("all checked measurements within tolerance\n");
	return EXIT_OK;
}
