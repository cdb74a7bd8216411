/*
 * profile.h - engines described by measured points as well as by the
 * parametric model.
 *
 * In: the imported measurements of cfg_t (cfg_import, scope tlmm, prefill
 * or decode).  Out: for one engine of a design, each figure the model
 * needs of it, with where it came from.
 *
 * Figures (profile_fig):
 *   PF_LUT .. PF_DSP  the engine's own resources (res_type order); the
 *                     parametric model: its per-unit cost x units
 *                     (tlmm_per_unit, pre_per_mac, dec_per_mac);
 *   PF_ETA            its efficiency, the achieved fraction of its MACs
 *                     per cycle; measured from a csynth report as
 *                     C / L, C the model's cycles of the kernel at its
 *                     loop bounds (engine_bound_cycles), L the report's
 *                     worst-case latency; the parametric model: eta_tlmm
 *                     or eta_attn.  A csynth latency counts the schedule
 *                     alone: what the board adds to it (stalls the roofline
 *                     does not see) is in the fitted eta and not in C / L;
 *   PF_FMAX           the clock it closes at, MHz, 1000 / the report's
 *                     estimated clock period; parametric: device.clock_max_mhz.
 *
 * A profile is a family of measured points: one engine kind at one clock
 * (and, for decode, one dataflow), each point at x = the engine's units
 * (T x Q table-lanes, N_pe x lanes MAC lanes, decode lanes, twice for
 * head_pipeline).  Points at the same x are merged: a Vivado utilisation
 * report replaces a csynth estimate of the same resources, several of the
 * same kind are averaged.  Between the smallest and the largest x the
 * figure is interpolated: linearly between two points, by Steffen's
 * method (GSL gsl_interp_steffen, monotone wherever the data are) between
 * three or more; at a measured x it is the measured value.  Outside, it
 * follows the parametric model's shape from the nearer end:
 *     f(x) = p(x) * y_end / p(x_end)            (p(x_end) > 0)
 *     f(x) = y_end + p(x) - p(x_end)            (p(x_end) = 0)
 * and is marked extrapolated.  Without a point the parametric figure
 * stands.
 */
#ifndef PDS_PROFILE_H
#define PDS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/cfg.h"

enum { PF_LUT = RES_LUT, PF_FF = RES_FF, PF_BRAM = RES_BRAM, PF_URAM = RES_URAM, PF_DSP = RES_DSP, PF_ETA = RES_N,
       PF_FMAX, PF_N };
extern const char *const profile_fig_names[PF_N]; /* lut ... dsp, eta, fmax_mhz */

typedef enum {
	PROFILE_PARAMETRIC,   /* no measured point: the parametric model */
	PROFILE_MEASURED,     /* at a measured x */
	PROFILE_INTERPOLATED, /* between measured points */
	PROFILE_EXTRAPOLATED  /* outside them, with the parametric shape */
} profile_how;
extern const char *const profile_how_names[4]; /* parametric, measured, interpolated, extrapolated */

typedef struct {
	profile_how how;
	int n_points;          /* measured points of the family for this figure */
	double x, x_lo, x_hi;  /* the design's units; the measured points' range */
	int64_t id_lo, id_hi;  /* measurements at the points it rests on (the nearest below and above; one at a point) */
} profile_prov;

/* The engine's units, the profile's x: tlmm T x Q, prefill N_pe x lanes,
 * decode lanes (x 2 for head_pipeline). */
int64_t profile_units(cfg_meas_scope e, const design_t *d);

/* The parametric figure of engine e (MEAS_TLMM, MEAS_PREFILL, MEAS_DECODE) at `units`. */
double profile_parametric(const cfg_t *c, cfg_meas_scope e, int fig, double units);

/* Figure fig of engine e of design d (see above); prov may be NULL. */
double profile_value(const cfg_t *c, cfg_meas_scope e, const design_t *d, int fig, profile_prov *prov);

/* Whether c holds a measured point of engine e at d's clock (and dataflow). */
bool profile_has(const cfg_t *c, cfg_meas_scope e, const design_t *d);

/* The measured efficiency C / L of an imported csynth report of an engine,
 * or NAN when it has no latency or bound. */
double profile_point_eta(const cfg_t *c, const cfg_import *m);

/*
 * The figures of design d that rest on measurements, one line each
 * ("prefill eta 0.8 measured (measurement 3)"), into buf; returns how many
 * (0: all parametric).
 */
int profile_explain(const cfg_t *c, const design_t *d, char *buf, size_t n);

#endif
