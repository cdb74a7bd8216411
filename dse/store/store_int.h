/*
 * store_int.h - what the files of dse/store share and nothing else sees:
 * the store handle and the helpers that fail with a message naming the
 * database file and the cause (store.c).
 */
#ifndef PDS_STORE_INT_H
#define PDS_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "store/store.h"

struct store {
	sqlite3 *db;
	char path[1024];
	char err[2400];
	double lock_timeout_s;
	int migrated_from;
	bool damaged;
	bool gone; /* the path no longer names the file opened */
	dev_t dev; /* the file opened at path: still there at every commit */
	ino_t ino;
	sqlite3_stmt *ins_point, *ins_metric, *ins_pareto, *ins_chosen;
	sqlite3_stmt *ins_chunk, *del_pareto, *del_metrics, *del_point;
	sqlite3_stmt *ins_rm, *del_rms; /* point_rms (schema 5) */
};

/* Each returns 0, or -1 with s->err set ("PATH: WHAT: cause"). */
int store_fail_rc(store *s, int rc, const char *what);
int store_exec(store *s, const char *sql, const char *what);
int store_prepare(store *s, sqlite3_stmt **st, const char *sql);
/* First column of the first row as an integer (0 without rows); an SQLite code. */
int store_query_int(store *s, const char *sql, int64_t *out);

#endif
