/*
 * util.h - small helpers shared by the command-line tools: version,
 * timestamps, option parsing with clear messages, and exit codes.
 */
#ifndef PDS_UTIL_H
#define PDS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PDS_VERSION "0.1.0"

/* Exit codes (documented in README.md). */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* "2026-11-27T17:40:00Z" into buf[32]. */
void util_utc_now(char buf[32]);

/* Strict integer option: whole string, within [lo, hi].  Prints
 * "pdswap-dse: OPT must be ..." and returns -1 on error. */
int util_parse_int(const char *opt, const char *s, long lo, long hi, int *out);
int util_parse_double(const char *opt, const char *s, double lo, double hi, double *out);

/* Print to stderr prefixed with "pdswap-dse: ". */
void util_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A progress bar on stderr, "[####....] done/total WHAT  rate/s  ETA m:ss",
 * redrawn in place at most every 0.1 s (always when final, which ends the
 * line).  rate counts from done0 at time t0 (CLOCK_MONOTONIC seconds).
 */
void util_progress(const char *what, int64_t done, int64_t total, double t0, int64_t done0, bool final);

/* mkdir -p for the directory part of `path` (not the last component). */
int util_mkdir_parent(const char *path);
int util_mkdir_p(const char *dir);

#endif
