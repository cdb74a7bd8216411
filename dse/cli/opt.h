/*
 * opt.h - the one option parser of pdswap-dse.
 *
 * A command is described by a table: its name, its positional arguments,
 * a paragraph on what it does, and one row per option with the option's
 * type, the name of its value, where the value goes and a help text.
 * opt_parse() reads argv against the table: options and positional
 * arguments in any order, `--name VALUE` or `--name=VALUE`, `--` ends the
 * options, `--help`/`-h` prints the usage.  Values are checked whole:
 * integers and reals within the row's range, strings non-empty.  The same
 * table prints the usage (opt_usage) and the one-line synopsis that the
 * top-level help lists (opt_synopsis), so help and parser cannot drift.
 *
 * Errors are printed here ("pdswap-dse: --threads needs a value",
 * "... unknown option '--x'"), followed by the command's synopsis; the
 * caller exits 2.
 */
#ifndef PDS_OPT_H
#define PDS_OPT_H

#include <stdbool.h>
#include <stdio.h>

typedef enum { OPT_FLAG, OPT_STRING, OPT_INT, OPT_REAL } opt_type;

typedef struct {
	const char *name;    /* "--db" */
	opt_type type;
	const char *value;   /* the value's name in the usage ("FILE"), NULL for a flag */
	const char *help;    /* lines separated by '\n' */
	void *out;           /* bool *, const char **, int *, double * */
	double lo, hi;       /* OPT_INT and OPT_REAL: the accepted range */
	bool required;
	bool *given;         /* set to true when the option appears (may be NULL) */
	const char *range;   /* OPT_INT/OPT_REAL: the range as the error states it (NULL: [lo, hi]) */
} opt_def;

typedef struct {
	const char *name;     /* "simulate"; NULL for the main job */
	const char *args;     /* positional synopsis, "CONFIG" */
	const char *about;    /* what the command does, lines separated by '\n' */
	const opt_def *opts;  /* n_opts rows */
	int n_opts;
	int min_pos, max_pos; /* positional arguments accepted */
	const char **pos;     /* receives them (max_pos entries) */
	int *n_pos;           /* how many were given (may be NULL) */
} opt_cmd;

/*
 * Parse argv[1..argc) (argv[0] is the command's name) against c.  Returns
 * 0 when the command should run, 1 when it printed its usage for --help
 * (exit 0), -1 after printing an error (exit 2).
 */
int opt_parse(const opt_cmd *c, int argc, char **argv);

/* "usage: pdswap-dse NAME ARGS [options...]" wrapped, then the about text
 * and the option rows. */
void opt_usage(const opt_cmd *c, FILE *f);

/* The synopsis alone, `indent` spaces before continuation lines. */
void opt_synopsis(const opt_cmd *c, FILE *f, const char *lead);

#endif
