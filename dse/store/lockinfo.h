/*
 * lockinfo.h - who holds a lock on a file, for error messages such as
 * "locked by process 1234 (sqlite3)".
 *
 * Linux lists every file lock in /proc/locks with its holder's pid, the
 * file's device and inode and the locked byte range.  lockinfo reads that
 * list and never opens the locked file itself: closing any descriptor of
 * a file drops every POSIX lock the process holds on it, SQLite's own
 * locks included.  Where /proc/locks is missing, the holder is unknown.
 */
#ifndef PDS_LOCKINFO_H
#define PDS_LOCKINFO_H

#include <stddef.h>

typedef enum {
	LOCKINFO_POSIX, /* fcntl() record locks (SQLite's) */
	LOCKINFO_FLOCK  /* flock() locks (the sweep's DB.lock) */
} lockinfo_kind;

/*
 * The holder of a write lock of `kind` on `path` whose range meets
 * [first, last] (bytes; ignored for flock), held by another process:
 * writes "process PID (COMMAND)" into buf and returns PID.  Returns 0 with
 * buf = "" when no such lock is listed or the list cannot be read.
 */
long lockinfo_holder(const char *path, lockinfo_kind kind, long long first, long long last, char *buf,
		     size_t len);

#endif
