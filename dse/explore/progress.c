/*
 * progress.c - see progress.h.
 */
#include "explore/progress.h"

#include <stdio.h>

#include "models/common.h"

void progress_draw(const char *what, int64_t done, int64_t total, double t0, int64_t done0, bool final)
{
	static double last;
	double t = common_now_s();
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
