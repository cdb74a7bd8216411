/*
 * fz_oracle.h - what "the config loader survives anything" means, as one
 * check shared by the fuzz harnesses and the regression test.
 *
 * A text passes when either
 *   - config_load_buffer() refuses it with "NAME:LINE:COL: message" (line and
 *     column positive, a non-empty message) and leaves nothing to release;
 *   - or it loads, every named design passes cfg_check_design(), and the
 *     analytic model run on each (resources, a prefill of the objective's,
 *     the shortest and the longest prompt followed by a few decode steps,
 *     the objective, feasibility, decode rates at l_short/l_long, and the
 *     calibration rows when there are measurements) gives only finite,
 *     non-negative numbers, with positive times.
 * Anything else (a crash, a sanitizer report, a hang) is the harness's to
 * catch; this check names the first broken rule.
 */
#ifndef PDS_FZ_ORACLE_H
#define PDS_FZ_ORACLE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Check `len` bytes of `buf` under the name `name`.  Returns 0 when the
 * text passes, -1 with the broken rule in `why`.  *loaded (may be NULL)
 * tells whether the text loaded.  Allocates nothing that outlives the call.
 */
int fz_check_text(const char *name, const char *buf, size_t len, bool *loaded, char *why,
		  size_t whylen);

#endif
