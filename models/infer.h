/*
 * infer.h - engine sizes of a published design inferred from its
 * published resources.
 *
 * A design may leave one size per attention engine unstated
 * (`designs.NAME.infer_from`: prefill.pe or prefill.lanes from a prefill
 * row, decode.lanes from a decode row).  Through the per-unit costs of the
 * calibration (engine.h: resources = cost per unit x units), each resource
 * type t of the measured row R gives its own size
 *
 *     size_t = R_t / cost_t / other     (units per size step: the other
 *                                        size of the engine, or 2 for a
 *                                        head_pipeline decode engine)
 *
 * A type is left out where the engine has no cost in it, where the row is
 * zero, or where the row exceeds the dynamic region that holds the module
 * (Table 2's prefill BRAM).  The types disagree with one another, so the
 * answer is a range: lo = floor(min size_t), hi = ceil(max size_t), and
 * the centre is the geometric mean (least squares on log size) rounded,
 * all within [1, the size's limit].  The design's value is the centre.
 */
#ifndef PDS_INFER_H
#define PDS_INFER_H

#include "models/cfg.h"

/*
 * Infer the sizes design `di` names (c->designs[di].inferred[k].size and
 * .row) from c->meas and the calibration now in c; write the centres into
 * the design.  Returns 0, or -1 with a message (no usable type, a size out
 * of range).
 */
int infer_design(cfg_t *c, int di, char *err, size_t errlen);

/* Infer every design that asks; stops at the first failure. */
int infer_all(cfg_t *c, char *err, size_t errlen);

/* The design with every inferred size at its lo (end < 0), centre (0) or hi (end > 0). */
design_t infer_design_at(const cfg_t *c, int di, int end);

/* Whether design `di` has a size inferred for its prefill (or decode) engine. */
bool infer_engine(const cfg_t *c, int di, bool prefill);

/* Set an inferred size of a design (CFG_SIZE_*). */
void infer_set_size(design_t *d, int size, int value);
int infer_get_size(const design_t *d, int size);

#endif
