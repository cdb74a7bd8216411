/*
 * calib.h - fit the model's free coefficients to the published
 * measurements, say how well the data determine them, and compare
 * predictions with every measurement.
 *
 * Only coefficients whose provenance in the config is `fitted` are free
 * (tlmm_per_unit, when `derived`, is recomputed); the others are held.
 * Four fits, in dependency order:
 *
 *   resources  per resource type, linear least squares of the MAC-lane
 *              costs over the rows of designs whose engine sizes are known:
 *              the baseline's attention (its total minus its static rows),
 *              and the DPR design's prefill and decode RM rows unless its
 *              sizes are inferred from them (models/infer.h), a row being
 *              left out where it exceeds the dynamic region that holds it.
 *              Where the rows cannot separate the prefill and decode costs
 *              (one row), the two are tied: one cost per MAC lane of either
 *              engine (said in the result).  tlmm_per_unit is Table 2's
 *              TLMM row over the DPR design's T x Q (derived).  Then every
 *              inferred size is inferred again with the new costs;
 *   pcap       straight line through the PS-driven reconfiguration points
 *              (slope -> rate, intercept -> setup, clamped at >= 0); the PS
 *              path of a swap = measured swap - modelled PCAP transfer of
 *              the published DPR design's pblock;
 *   timing     nonlinear least squares (GSL trust region, relative
 *              residuals) of the baseline's TTFT, decode rate and prefill
 *              attention time over the free timing coefficients, each
 *              mapped into its plausible range by a logistic transform;
 *              fewer free coefficients than data points is required;
 *   power      the one logic-power coefficient that makes the baseline's
 *              decode power at the named context equal its measured board
 *              power.
 *
 * Identifiability (timing): at the solution, J = d(relative residual) /
 * d(ln coefficient).  A coefficient whose column is zero (no measurement
 * depends on it), or that the others explain (|correlation| > 0.999 in
 * (J'J)^-1, or J'J singular along it), is not identified: it is held at
 * its value, the others are fitted without it, and the result lists it
 * (calib_result.unident) - it is never reported as fitted.
 *
 * Uncertainty: each fit with residual degrees of freedom reports its
 * estimate and covariance (s^2 (X'X)^-1, s^2 the residual variance) in the
 * coordinates it fits in (a block); fits with as many rows as unknowns are
 * exact given their inputs.  calib_fit_sample() draws each block from a
 * multivariate t with the block's degrees of freedom as the fits run, so
 * that the exact fits downstream (the swap's PS path, the logic power)
 * follow the drawn values: one draw of the fitted coefficients given the
 * assumed ones now in the config (models/interval.h).
 */
#ifndef PDS_CALIB_H
#define PDS_CALIB_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>

#include "models/cfg.h"

#define CALIB_MAX_BLOCK 8
#define CALIB_MAX_BLOCKS 12
#define CALIB_MAX_POINTS (2 * CFG_MAX_MEAS + 2)

typedef struct {
	char name[64];
	char unit[16];
	double measured, predicted, rel_err;
	bool fitted_to; /* this point constrains a fitted coefficient */
	bool checked;   /* counts against the validation tolerance */
	bool timing;    /* a timing point of the fit design (the DES can check it) */
	char note[128]; /* how the row is used, when it is not plain: left out, inferred from, not fitted */
	char source[PDS_TEXT_MAX]; /* where the measurement comes from, as the config states it */
	/* what it measures: the figure (ttft_s, decode_tok_s, attn_ms, power_w, lut ... dsp,
	 * pcap_ms, swap_ms), of what (part: "design" for the whole fit design, "tlmm",
	 * "prefill_rm", "decode_rm" for a Table 2 row of the dpr design, "" for the rest)
	 * and at which length (a prompt or context; 0 for none) */
	char figure[16];
	char part[16];
	int length;
} calib_row;

typedef enum { CALIB_FITTED, CALIB_DERIVED, CALIB_TIED } calib_kind;

typedef struct {
	int slot;
	double before, after, stderr_; /* stderr_ < 0 when not estimated (an exact fit) */
	calib_kind kind;
} calib_change;

/* How a block coordinate maps to its coefficient. */
typedef enum {
	CB_LINEAR,  /* the coefficient itself (clamped at >= 0) */
	CB_LOGISTIC, /* lo + (hi - lo) / (1 + exp(-x)) */
	CB_PCAP_RATE /* x in ms per byte: rate = 1 / (x * 1e3) MB/s */
} calib_coord;

typedef struct {
	char name[32];
	int n;
	int slot[CALIB_MAX_BLOCK];  /* the coefficient of each coordinate */
	int slot2[CALIB_MAX_BLOCK]; /* a slot tied to it, or -1 */
	calib_coord coord[CALIB_MAX_BLOCK];
	double lo[CALIB_MAX_BLOCK], hi[CALIB_MAX_BLOCK]; /* CB_LOGISTIC */
	double x[CALIB_MAX_BLOCK];
	double cov[CALIB_MAX_BLOCK][CALIB_MAX_BLOCK];
	int dof; /* residual degrees of freedom; 0: exact */
} calib_block;

typedef struct {
	int slot;
	char why[200];
} calib_unident;

typedef struct {
	int n_changes;
	calib_change ch[64];
	int n_timing_points, n_timing_free;
	double timing_chisq; /* sum of squared relative residuals */
	int iterations;
	int n_blocks;
	calib_block blk[CALIB_MAX_BLOCKS];
	int timing_block; /* index of the timing fit's block, -1 */
	int n_unident;
	calib_unident unident[CAL_N_SCALARS];
	/* the timing fit: its points, and d(relative residual)/d(ln coefficient) per free coefficient */
	char point[CALIB_MAX_POINTS][48];
	double sens[CALIB_MAX_POINTS][CALIB_MAX_BLOCK];
	int n_notes;
	char note[8][200];
} calib_result;

/*
 * Fit in place.  Returns 0 (res->unident lists the free coefficients the
 * data do not identify, held at their values), or -1 with err set (c left
 * as it was), also when the config has no measurements section.
 */
int calib_fit(cfg_t *c, calib_result *res, char *err, size_t errlen);

/*
 * One draw of every fitted coefficient given the rest of c (see above),
 * in place; rng drives it.  A timing coefficient may end at the edge of
 * its range (no refusal).  Returns 0, or -1 with err set.
 */
int calib_fit_sample(cfg_t *c, gsl_rng *rng, char *err, size_t errlen);

/* The correlation of coordinates i and j of a block (the coefficients'
 * correlation, signed as the coefficients move). */
double calib_block_corr(const calib_block *b, int i, int j);

/* Every measured point with its prediction; returns the number of rows
 * (0 when the config has no measurements section). */
int calib_rows(const cfg_t *c, calib_row *rows, int max);

#endif
