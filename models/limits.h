/*
 * limits.h - what imported reports of the real build forbid: the PD-Swap
 * flow shrinks the partition's contents when a build misses timing or
 * overflows its pblock, and so does the sweep told --respect-measured.
 *
 * In: the imported measurements of cfg_t (cfg_import).  Out: cfg_t.limits,
 * each refusing the designs whose module of the partition is at least as
 * large as one a report showed failing:
 *
 *   timing   a csynth report of the prefill or decode engine (units U, at
 *            clock f) whose estimated clock period exceeds its target: any
 *            design with that engine at >= U units and >= f MHz (a larger
 *            engine, or a faster clock, does not close either);
 *   pblock   a -pblocks report of a dpr design's partition over its pblock
 *            P: a resource whose Used (what the RM placed there holds)
 *            exceeds what the pblock's area has, or LUT / FF beyond the
 *            routability margin of it.  The report does not say which RM
 *            was placed; the limit falls on the one the model says is the
 *            larger in that resource, at the design's units U: any dpr
 *            design with that engine at >= U units in pblock P.
 *
 * A TLMM report that misses timing is the static region's, not the
 * partition's, and limits nothing (validate shows it).  Limits refuse a
 * design as a constraint of perf_resources (it does not fit; reason: the
 * limit's why), and the factorised sweep applies the same rule.
 */
#ifndef PDS_LIMITS_H
#define PDS_LIMITS_H

#include "models/cfg.h"

/* Fill c->limits from c->imports (see above); returns how many. */
int limits_from_imports(cfg_t *c);

/* The first limit design d hits, or -1.  units_pre / units_dec are d's
 * engine units (engine_pre_units, engine_dec_units), passed so the sweep
 * need not build a design. */
int limits_hit(const cfg_t *c, arch_mode mode, int clock_mhz, int rp, int64_t units_pre, int64_t units_dec);

#endif
