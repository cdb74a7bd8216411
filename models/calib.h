/*
 * calib.h - fit the model's free coefficients to the published
 * measurements, and compare predictions with every measurement.
 *
 * Only coefficients whose provenance in the config is `fitted` are free;
 * the others are held.  Four fits, in dependency order:
 *
 *   resources  linear least squares per resource type: TLMM cost per
 *              table-lane from Table 2's TLMM row; prefill and decode cost
 *              per MAC lane from three rows (prefill RM, decode RM, and the
 *              baseline's total minus its static rows), with the prefill
 *              RM's BRAM left out (Table 2 gives it more BRAM than the
 *              dynamic region that holds it);
 *   pcap       straight line through the PS-driven reconfiguration points
 *              (slope -> rate, intercept -> setup, clamped at >= 0); the PS
 *              path of a swap = measured swap - modelled PCAP transfer of
 *              the published DPR design's pblock;
 *   timing     nonlinear least squares (GSL trust region, relative
 *              residuals) of the baseline's TTFT, decode rate and prefill
 *              attention time over the free efficiencies/latency, each
 *              mapped into its plausible range by a logistic transform;
 *              fewer free coefficients than data points is required;
 *   power      the one logic-power coefficient that makes the baseline's
 *              decode power equal its measured board power.
 */
#ifndef PDS_CALIB_H
#define PDS_CALIB_H

#include <stdbool.h>

#include "models/cfg.h"

typedef struct {
	char name[64];
	char unit[16];
	double measured, predicted, rel_err;
	bool fitted_to; /* this point constrains a fitted coefficient */
	bool checked;   /* counts against the validation tolerance */
	char note[128];
} calib_row;

typedef struct {
	int slot;
	double before, after, stderr_; /* stderr_ < 0 when not estimated */
} calib_change;

typedef struct {
	int n_changes;
	calib_change ch[64];
	int n_timing_points, n_timing_free;
	double timing_chisq; /* sum of squared relative residuals */
	int iterations;
} calib_result;

/* Fit in place.  Returns 0, or -1 with err set (c left as it was), also
 * when the config has no measurements section. */
int calib_fit(cfg_t *c, calib_result *res, char *err, size_t errlen);

/* Every measured point with its prediction; returns the number of rows
 * (0 when the config has no measurements section). */
int calib_rows(const cfg_t *c, calib_row *rows, int max);

#endif
