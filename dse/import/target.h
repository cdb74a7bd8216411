/*
 * target.h - what an imported report is a measurement of.
 *
 * `pdswap-dse import CONFIG FILE...` is told what the reports measure:
 *   --design NAME   a named design of the config (or best)
 *   --point ID      a point of a stored run
 *   --engine KIND:key=value,...   one engine alone, by its sizes:
 *       tlmm:tables=T,lanes=Q[,clock=MHZ]
 *       prefill:pe=N,lanes=L[,block=B][,clock=MHZ]
 *       decode:lanes=L[,dataflow=serial|kv_overlap|head_pipeline][,clock=MHZ]
 *     (the dataflow defaults to design_space.decode_dataflow; the clock to
 *     the one a csynth report was synthesised for; a utilisation report,
 *     which gives none, needs clock=).
 *
 * What each report then measures (cfg_import.scope):
 *   an --engine target: that engine;
 *   a design or point: a csynth report of the kernel named by its top
 *     (tlmm, attn_prefill, attn_decode: the kernels of sim/hw/hls.tcl)
 *     measures that engine of the design; a utilisation report with a
 *     -pblocks table measures the design's partition (what is placed in
 *     its pblock against what the pblock's area has); one whose Design is a
 *     kernel's name measures that engine (an out-of-context synthesis);
 *     any other measures the whole design.
 *
 * Refused, as "FILE:LINE: message" with PDS_FAIL_REQUEST (LINE: where the
 * report says what is wrong, 1 when nothing in it does): a report of
 * another part than the config's device (compared without the "xc"
 * prefix, case and blanks) unless any_part; a csynth report of a clock
 * other than the target's; a csynth report of a design whose top is not a
 * kernel; a -pblocks report of a static design, or one that lacks the
 * pblock's assigned or available figures; a utilisation report of an
 * engine without a clock.
 */
#ifndef PDS_TARGET_H
#define PDS_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import/hwreport.h"
#include "models/cfg.h"

typedef enum { TARGET_DESIGN, TARGET_POINT, TARGET_ENGINE } target_kind;
extern const char *const target_kind_names[3]; /* design, point, engine */

typedef struct {
	target_kind kind;
	char text[128];               /* "design pdswap", "point 17 of run 3", "engine prefill:pe=8,lanes=4" */
	design_t d;                   /* the design; for an engine, the fields its sizes set */
	char design_name[PDS_NAME_MAX]; /* the design's name ("" for a swept point, an engine) */
	int64_t run_id, point_id;     /* a point: its run and id; else -1 */
	cfg_meas_scope engine;        /* TARGET_ENGINE: which engine */
	bool has_clock;               /* TARGET_ENGINE: clock= given */
} target_t;

/* Parse --engine SPEC (see above) into t: 0, or PDS_FAIL_REQUEST with
 * "--engine 'SPEC': ..." in err. */
int target_engine(const cfg_t *c, const char *spec, target_t *t, char *err, size_t errlen);

/* A design target (name "" and run/point >= 0 for a stored point). */
void target_design(target_t *t, const design_t *d, const char *name, int64_t run_id, int64_t point_id);

/*
 * What report r measures of target t, as a cfg_import (id 0): its scope,
 * the engine's or design's sizes, the clock, the loop bound a csynth
 * latency was synthesised at, the figures (BRAM in 36 Kb tiles).  0, or
 * PDS_FAIL_REQUEST with "FILE:LINE: message" in err.
 */
int target_measure(const cfg_t *c, const target_t *t, const hwreport *r, bool any_part, cfg_import *m, char *err,
		   size_t errlen);

#endif
