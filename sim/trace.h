/*
 * trace.h - Chrome trace-event JSON, streamed to a file.
 *
 * The file is the JSON object format of the Trace Event specification
 * ({"traceEvents": [...], "displayTimeUnit": "ns"}) that Perfetto and
 * chrome://tracing load.  Processes and threads are named with metadata
 * events; work is written as complete events ("ph": "X") when a span ends,
 * so nothing is kept in memory.  Timestamps are microseconds printed exactly
 * from integer picoseconds (six decimals).  Names are JSON-escaped.
 *
 * The trace is written through sim/afile.h: a temporary file beside the
 * target, renamed over it by trace_close(); a failed or abandoned trace
 * leaves no file.
 *
 * Ownership: trace_file is a plain struct; trace_open() / trace_close() or
 * trace_abort().  Write errors are remembered and reported by trace_close().
 */
#ifndef PDS_TRACE_H
#define PDS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/afile.h"

typedef struct {
	afile out;
	FILE *f; /* out.f while open */
	bool first;
	uint64_t spans;
} trace_file;

/* Create the temporary file and write the header.  Returns 0, or -1 with
 * err naming the file and the cause. */
int trace_open(trace_file *t, const char *path, char *err, size_t errlen);

/* Name a process (a group of tracks) or a thread (a track). */
void trace_process(trace_file *t, int pid, const char *name, int sort_index);
void trace_thread(trace_file *t, int pid, int tid, const char *name, int sort_index);

/*
 * A span [t0_ps, t1_ps] on track (pid, tid).  `layer` and `token` become
 * args when >= 0, `bytes` when > 0.
 */
void trace_span(trace_file *t, int pid, int tid, const char *name, const char *cat, int64_t t0_ps, int64_t t1_ps,
	      int layer, int token, double bytes);

/* Finish the JSON, close and rename into place.  Returns 0, or -1 with
 * err set (the temporary file is removed). */
int trace_close(trace_file *t, char *err, size_t errlen);

/* Close and remove the temporary file. */
void trace_abort(trace_file *t);

/* Write s as a JSON string literal (quotes included). */
void trace_json_string(FILE *f, const char *s);

#endif
