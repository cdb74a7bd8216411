/*
 * util.c - see util.h.
 */
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void util_utc_now(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void util_err(const char *fmt, ...)
{
	va_list ap;
	fputs("pdswap-dse: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int util_parse_int(const char *opt, const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || v < lo || v > hi) {
		util_err("%s must be an integer in [%ld, %ld], got '%s'", opt, lo, hi, s ? s : "");
		return -1;
	}
	*out = (int)v;
	return 0;
}

int util_parse_double(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = s ? strtod(s, &end) : 0;
	if (!s || !*s || *end || errno || !isfinite(v) || v < lo || v > hi) {
		util_err("%s must be a number in [%g, %g], got '%s'", opt, lo, hi, s ? s : "");
		return -1;
	}
	*out = v;
	return 0;
}

int util_mkdir_p(const char *dir)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", dir);
	size_t n = strlen(tmp);
	if (n == 0)
		return 0;
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0777) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	if (mkdir(tmp, 0777) && errno != EEXIST)
		return -1;
	return 0;
}

int util_mkdir_parent(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	char *slash = strrchr(tmp, '/');
	if (!slash || slash == tmp)
		return 0;
	*slash = '\0';
	return util_mkdir_p(tmp);
}

void util_progress(const char *what, int64_t done, int64_t total, double t0, int64_t done0, bool final)
{
	static double last;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double t = (double)ts.tv_sec + ts.tv_nsec * 1e-9;
	if (!final && t - last < 0.1)
		return;
	last = t;
	double rate = t > t0 ? (double)(done - done0) / (t - t0) : 0;
	double eta = rate > 0 ? (double)(total - done) / rate : 0;
	enum { WIDTH = 30 };
	int fill = total > 0 ? (int)((double)done / (double)total * WIDTH) : WIDTH;
	char bar[WIDTH + 1];
	for (int i = 0; i < WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[WIDTH] = '\0';
	fprintf(stderr, "\r[%s] %lld/%lld %s  %.3g/s  ETA %d:%02d ", bar, (long long)done, (long long)total, what,
		rate, (int)eta / 60, (int)eta % 60);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}
