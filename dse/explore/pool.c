/*
 * pool.c - see pool.h.
 */
#include "explore/pool.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/common.h"

int pool_start(pool *p, int threads, void *(*fn)(void *), void *arg, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	p->tid = calloc((size_t)(threads > 0 ? threads : 1), sizeof *p->tid);
	if (!p->tid) {
		snprintf(err, errlen, "cannot start worker threads: out of memory");
		return PDS_FAIL;
	}
	sigset_t stop_set, old_mask;
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGINT);
	sigaddset(&stop_set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_set, &old_mask);
	int e = 0;
	while (p->started < threads && (e = pthread_create(&p->tid[p->started], NULL, fn, arg)) == 0)
		p->started++;
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	if (p->started == 0) {
		snprintf(err, errlen, "cannot start worker threads: %s", strerror(e));
		free(p->tid);
		p->tid = NULL;
		return PDS_FAIL;
	}
	return p->started;
}

void pool_join(pool *p)
{
	for (int i = 0; i < p->started; i++)
		pthread_join(p->tid[i], NULL);
	free(p->tid);
	p->tid = NULL;
	p->started = 0;
}
