/*
 * cli.h - what every command of pdswap-dse shares: exit codes, messages
 * on stderr, strict numeric options.  Only dse/cli turns a failure into an
 * exit code; the library returns PDS_FAIL or PDS_FAIL_REQUEST (common.h)
 * with a message, and cli_exit_code() maps those.
 */
#ifndef PDS_CLI_H
#define PDS_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes (documented in README.md). */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* The exit code of a library failure: EXIT_USAGE for PDS_FAIL_REQUEST,
 * EXIT_RUNTIME for any other negative return, EXIT_OK for 0. */
int cli_exit_code(int rc);

/* Strict integer option: whole string, within [lo, hi].  Prints
 * "pdswap-dse: OPT must be ..." and returns -1 on error. */
int cli_parse_int(const char *opt, const char *s, long lo, long hi, int *out);
int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out);

/*
 * Catch the first SIGINT or SIGTERM: its number goes to *cli_stop_flag()
 * (0 until then) and the work polling it stops cleanly; a second one ends
 * the process at once.  cli_catch_stop(false) restores the defaults.
 */
void cli_catch_stop(bool on);
volatile sig_atomic_t *cli_stop_flag(void);

/* Print to stderr prefixed with "pdswap-dse: ". */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
