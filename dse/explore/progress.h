/*
 * progress.h - a progress bar on stderr for the long phases of a sweep.
 */
#ifndef PDS_PROGRESS_H
#define PDS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * "[####....] done/total WHAT  rate/s  ETA m:ss", redrawn in place at most
 * every 0.1 s (always when final, which ends the line).  rate counts from
 * done0 at time t0 (common_now_s() seconds).
 */
void progress_draw(const char *what, int64_t done, int64_t total, double t0, int64_t done0, bool final);

#endif
