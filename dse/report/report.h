/*
 * report.h - the HTML report of one stored run.
 *
 * report_write() reads a run from results.db (read-only, through runs and the
 * documented views), draws what the run stored (its points, the curves,
 * regions, swaps, intervals, validation rows and sessions of the designs
 * it follows, explore/follow.h) with gnuplot, evaluates the model only to
 * say where the stored figures differ from this build's, and writes
 *
 *   OUT/index.html         the page (inline style, no script, no remote URL)
 *   OUT/config.yaml        the run's config text, as stored
 *   OUT/.pdswap-report     the marker: "pdswap report of run N of DB"
 *   OUT/fig/NAME.svg .png  each figure, drawn by OUT/fig/NAME.gp
 *   OUT/fig/swap_trace.json  the DES trace the swap timeline is drawn from
 *
 * Figures: the Pareto front (pareto), TTFT against the prompt (ttft),
 * decode rate (decode) and energy per token (energy) against the context,
 * energy per request of the stored sessions (energy_request), resources
 * per region (resources), the swap timeline of one inference of the
 * followed dpr design through the discrete-event model (swap), the
 * break-even map (breakeven).  The page also holds the run's space (what
 * each constraint pruned, what was stored), the followed designs with the
 * DES figures, what binds the chosen design and how well the model knows
 * it, the fronts as distinct designs and what each knob does.  The same
 * database gives the same bytes: the page holds no time but the run's own
 * timestamps.
 *
 * The report is built in a temporary directory beside OUT and renamed into
 * place only when complete; a previous report at OUT is replaced, any
 * other existing directory is refused (a report directory carries a
 * `.pdswap-report` marker).  Nothing is written to the database.
 */
#ifndef PDS_REPORT_H
#define PDS_REPORT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Write the report of run `run_id` (<= 0: the latest complete run) of the
 * database `db` into directory `outdir`.  Returns 0, or with err set
 * PDS_FAIL_REQUEST when the request itself is wrong (no such run, an
 * output path that is not a report directory) and PDS_FAIL otherwise
 * (gnuplot missing, database unreadable, a write failing).  On failure
 * nothing at `outdir` has changed.
 */
int report_write(const char *db, int64_t run_id, const char *outdir, char *err, size_t errlen);
/* The same, stopping when *stop becomes non-zero (a signal's number, set
 * by the caller's handler): PDS_FAIL, "interrupted by SIGTERM: ...", and
 * nothing at outdir changed, no temporary directory left. */
int report_write_stop(const char *db, int64_t run_id, const char *outdir, const volatile sig_atomic_t *stop,
		      char *err, size_t errlen);

#endif
