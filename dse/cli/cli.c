/*
 * cli.c - see cli.h.
 */
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "models/common.h"

int cli_exit_code(int rc)
{
	return rc == 0 ? EXIT_OK : rc == PDS_FAIL_REQUEST ? EXIT_USAGE : EXIT_RUNTIME;
}

void cli_err(const char *fmt, ...)
{
	va_list ap;
	fputs("pdswap-dse: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_parse_int(const char *opt, const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || v < lo || v > hi) {
		cli_err("%s must be an integer in [%ld, %ld], got '%s'", opt, lo, hi, s ? s : "");
		return -1;
	}
	*out = (int)v;
	return 0;
}

int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = s ? strtod(s, &end) : 0;
	if (!s || !*s || *end || errno || !isfinite(v) || v < lo || v > hi) {
		cli_err("%s must be a number in [%g, %g], got '%s'", opt, lo, hi, s ? s : "");
		return -1;
	}
	*out = v;
	return 0;
}
