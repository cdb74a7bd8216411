/*
 * afile.h - files that appear whole or not at all, and the directories
 * they go into.
 *
 * Every file pdswap writes for a user (a trace, HLS headers, a config
 * written back, the pages of a report) is written to a temporary file
 * beside its target (TARGET.tmp-XXXXXX, created exclusively with mode
 * 0666 less the umask), flushed and synced, and only then renamed over
 * the target, so a reader sees the old file or the new one, never a part,
 * and a failure leaves no temporary file behind.  A target that exists
 * must be a regular file: a directory, a device, a FIFO or a socket is
 * refused, and so is a symbolic link (the caller names the real file); so
 * is a target whose directory does not exist.
 *
 * Ownership: afile is a plain struct; afile_open() then afile_commit()
 * (or afile_sync() and afile_rename() for a group of files that should
 * land together), or afile_abort() at any point.  Errors: functions
 * return 0 or PDS_FAIL with "TARGET: cannot write: REASON" (or what is
 * wrong with the target) in err.
 */
#ifndef PDS_AFILE_H
#define PDS_AFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
	FILE *f;        /* open between afile_open() and afile_sync() */
	char path[4096];
	char tmp[4128];
	bool have_tmp;  /* the temporary file exists */
} afile;

/* May `path` be replaced (absent, or a regular file)?  0, or PDS_FAIL with err set. */
int afile_check_target(const char *path, char *err, size_t errlen);

/* Create the temporary file of `path`; write to a->f. */
int afile_open(afile *a, const char *path, char *err, size_t errlen);

/* Flush, sync and close a->f (write errors found on the way fail here). */
int afile_sync(afile *a, char *err, size_t errlen);

/* Rename a synced file into place. */
int afile_rename(afile *a, char *err, size_t errlen);

/* afile_sync() then afile_rename(); on failure the temporary file is gone. */
int afile_commit(afile *a, char *err, size_t errlen);

/* Close and remove the temporary file, if any. */
void afile_abort(afile *a);

/* A whole buffer into `path`, atomically. */
int afile_write(const char *path, const void *buf, size_t len, char *err, size_t errlen);

/*
 * One rule for every output path: its parent directory must exist (it is
 * never created behind the user's back).  0, or PDS_FAIL with "PATH: its
 * directory 'DIR' does not exist; ..." in err.
 */
int afile_check_parent(const char *path, char *err, size_t errlen);

/* Make directory `dir` (its parent must exist); an existing directory is fine. */
int afile_make_dir(const char *dir, char *err, size_t errlen);

#endif
