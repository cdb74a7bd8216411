/*
 * pool.h - the worker threads of the sweep and of the DES re-check.
 *
 * Workers never take SIGINT or SIGTERM: they start with both blocked, so
 * the handler always runs on the calling thread, which polls the stop
 * flag, and a worker's unit of work (a chunk, a DES point) is never cut
 * short.  How work is handed out (an atomic counter, a queue) is the
 * caller's; the pool only starts and joins.
 *
 * Ownership: pool is a plain struct; pool_start() then pool_join(), which
 * frees what pool_start() allocated.
 */
#ifndef PDS_POOL_H
#define PDS_POOL_H

#include <pthread.h>
#include <stddef.h>

typedef struct {
	pthread_t *tid;
	int started;
} pool;

/*
 * Start up to `threads` (>= 1) threads running fn(arg).  Returns how many
 * started (>= 1; fewer when the system refused more), or PDS_FAIL with err
 * set when none did (nothing to join then).
 */
int pool_start(pool *p, int threads, void *(*fn)(void *), void *arg, char *err, size_t errlen);

/* Wait for every started thread. */
void pool_join(pool *p);

#endif
