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

struct trace_log;

typedef struct {
	afile out;
	FILE *f;               /* out.f while open */
	struct trace_log *log; /* instead of a file: events kept in memory */
	bool first;
	uint64_t spans;
} trace_file;

/* Create the temporary file and write the header.  Returns 0, or -1 with
 * err naming the file and the cause. */
int trace_open(trace_file *t, const char *path, char *err, size_t errlen);

/* Record into `log` instead of a file (trace_close() then only checks
 * that memory did not run out). */
void trace_open_log(trace_file *t, struct trace_log *log);

/* Name a process (a group of tracks) or a thread (a track). */
void trace_process(trace_file *t, int pid, const char *name, int sort_index);
void trace_thread(trace_file *t, int pid, int tid, const char *name, int sort_index);

/*
 * The vocabulary of the DES's traces: what a reader (the report's swap
 * timeline, a person in Perfetto) may rely on, whatever the ports and the
 * designs are called.  Every span carries a category ("cat") and args:
 *
 *   cat     prefill | decode   work of that pass (TLMM, attention, LM head,
 *                              the transfers of the ports)
 *           rp                 what the reconfigurable partition holds
 *           swap               the reconfiguration (PS path, PCAP)
 *   unit    pass | tlmm | rp | pcap | arm | port   the part of the system
 *   phase   prefill | decode   the pass a span belongs to (not for rp, swap)
 *   port    the HP port's name (unit port)
 *   stream  weights | K | V | Q | O | bitstream   what a port moves
 *   module  prefill_rm | reconfiguring | decode_rm | static   (cat rp)
 *   part    ps_path | pcap_setup | bitstream | swap   (cat swap; swap is
 *           the whole reconfiguration, trigger to module loaded)
 *   layer, token, bytes   where known
 *
 * and three instant events ("ph": "i", global scope) mark the moments a
 * reader looks for, named by trace_milestone_names, cat milestone:
 *   swap_trigger       the last layer's prefill attention ended: the swap starts
 *   decode_rm_loaded   the decode RM is in the partition: the swap ended
 *   first_token        the first token's LM head ended (the TTFT)
 * (a design that does not swap has only first_token).
 */
#define TRACE_CAT_PREFILL "prefill"
#define TRACE_CAT_DECODE "decode"
#define TRACE_CAT_RP "rp"
#define TRACE_CAT_SWAP "swap"
#define TRACE_CAT_MILESTONE "milestone"

enum trace_unit { TRACE_UNIT_PASS, TRACE_UNIT_TLMM, TRACE_UNIT_RP, TRACE_UNIT_PCAP, TRACE_UNIT_ARM, TRACE_UNIT_PORT,
		  TRACE_UNITS };
enum trace_module { TRACE_MODULE_PREFILL, TRACE_MODULE_RECONF, TRACE_MODULE_DECODE, TRACE_MODULE_STATIC,
		    TRACE_MODULES };
enum trace_part { TRACE_PART_PS, TRACE_PART_SETUP, TRACE_PART_BITSTREAM, TRACE_PART_SWAP, TRACE_PARTS };

extern const char *const trace_unit_names[TRACE_UNITS];
extern const char *const trace_module_names[TRACE_MODULES];
extern const char *const trace_part_names[TRACE_PARTS];

enum trace_milestone { TRACE_MS_SWAP_TRIGGER, TRACE_MS_DECODE_LOADED, TRACE_MS_FIRST_TOKEN, TRACE_MILESTONES };
extern const char *const trace_milestone_names[TRACE_MILESTONES];

/* The args of a span; -1, 0 or NULL leave one out. */
typedef struct {
	int layer, token;
	double bytes;
	int unit;           /* enum trace_unit, -1: none */
	const char *phase;  /* TRACE_CAT_PREFILL / TRACE_CAT_DECODE */
	const char *port, *stream;
	int module, part;   /* enum trace_module / trace_part, -1: none */
} trace_args;

/* No args: every field "none". */
trace_args trace_args_none(void);

/* A span [t0_ps, t1_ps] on track (pid, tid) with its category and args. */
void trace_span(trace_file *t, int pid, int tid, const char *name, const char *cat, int64_t t0_ps, int64_t t1_ps,
		const trace_args *a);

/* An instant event at t_ps on track (pid, tid), global in scope (the milestones). */
void trace_instant(trace_file *t, int pid, int tid, const char *name, const char *cat, int64_t t_ps,
		   const trace_args *a);

/*
 * A trace kept in memory: the events as the writer received them, in
 * order, to be stored (results.db keeps the swap timeline's trace) and
 * written out again later with the same bytes (trace_write_log()).
 * Strings are the log's own copies.
 */
typedef struct {
	char kind; /* 'P': a process's name, 'T': a thread's name, 'X': a span, 'I': an instant (t1_ps = t0_ps) */
	int pid, tid, sort_index;
	char *name, *cat;
	int64_t t0_ps, t1_ps;
	trace_args a; /* a.phase, a.port, a.stream: the log's copies */
} trace_event;

typedef struct trace_log {
	trace_event *ev;
	size_t n, cap;
	bool oom;
} trace_log;

/* Append one event (strings copied); sets oom and drops it when memory runs out. */
void trace_log_add(trace_log *l, const trace_event *e);
void trace_log_free(trace_log *l);

/* Write the events of `l` as the trace file `path`, atomically. */
int trace_write_log(const trace_log *l, const char *path, char *err, size_t errlen);

/* Finish the JSON, close and rename into place.  Returns 0, or -1 with
 * err set (the temporary file is removed). */
int trace_close(trace_file *t, char *err, size_t errlen);

/* Close and remove the temporary file. */
void trace_abort(trace_file *t);

/* Write s as a JSON string literal (quotes included). */
void trace_json_string(FILE *f, const char *s);

#endif
