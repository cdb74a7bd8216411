/*
 * export.h - one stored run as CSV or JSON, for people who plot elsewhere.
 *
 * What is exported is a documented view of results.db, for one run:
 *   points   every row of v_points
 *   metrics  every row of v_metrics (both sources, every length)
 *   pareto   the v_points rows of the points in v_pareto
 * with every column the view has, in the view's order, rows ordered by
 * point_id (then source and length for metrics).  Numbers round-trip:
 * integers print as integers, reals with the fewest digits that read back
 * to the same double; NULL is an empty CSV field and JSON null.
 *
 * CSV: RFC 4180 (a header row, fields quoted when they hold a comma, a
 * quote or a line break; CRLF is not used, lines end in "\n").
 * JSON (built with jansson): {"run": {run_id, config_path, config_sha256,
 * tool_version, kind, status, started_at, finished_at}, "what": WHAT,
 * "columns": [names], "rows": [{column: value, ...}, ...]}.
 */
#ifndef PDS_EXPORT_H
#define PDS_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "store/rdb.h"

typedef enum { EXPORT_CSV, EXPORT_JSON } export_format;
typedef enum { EXPORT_POINTS, EXPORT_METRICS, EXPORT_PARETO } export_what;

/* Parse "csv"/"json" and "points"/"metrics"/"pareto"; -1 when unknown. */
int export_parse_format(const char *s, export_format *f);
int export_parse_what(const char *s, export_what *w);

/*
 * Write run `run` of `db` (opened with rdb_open; `path` names it in
 * messages) to `out`.  The whole text is built in memory first, so on
 * failure nothing has been written to `out`.  Returns 0, or -1 with err set.
 */
int export_run(struct sqlite3 *db, const char *path, const rdb_run *run, export_what what,
	       export_format fmt, FILE *out, char *err, size_t errlen);

#endif
