/*
 * cli.c - see cli.h.
 */
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	if (stop_sig) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	stop_sig = sig;
}

void cli_catch_stop(bool on)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on ? on_stop : SIG_DFL;
	stop_sig = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

volatile sig_atomic_t *cli_stop_flag(void)
{
	return &stop_sig;
}
