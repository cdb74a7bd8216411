/*
 * common.c - the name tables of common.h, the clock and BUG().
 */
#include "models/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

const char *const res_names[RES_N] = {"lut", "ff", "bram36", "uram", "dsp"};
const char *const prov_names[4] = {"measured", "fitted", "derived", "assumed"};

_Noreturn void common_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "pdswap-dse: BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

double common_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}
