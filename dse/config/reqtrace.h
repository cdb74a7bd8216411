/*
 * reqtrace.h - request traces from files, for sessions (sim/reqgen.h).
 *
 * Three formats, told apart by the first line:
 *   CSV  arrived_at,num_prefill_tokens,num_decode_tokens
 *        Vidur's request traces: arrival in s (a real), lengths in tokens
 *   CSV  TIMESTAMP,ContextTokens,GeneratedTokens
 *        the Azure LLM inference trace 2023: "YYYY-MM-DD HH:MM:SS[.frac]"
 *        (UTC), lengths in tokens
 *   JSONL one object per line, exactly {"input_toks": N, "output_toks": N,
 *        "arrival_time_ns": T} (integers; the keys in any order)
 * Blank lines are skipped; a CSV line ends with \n or \r\n.  Every line is
 * checked whole: the number of columns (missing or extra), numbers that
 * are not numbers, lengths below 1, arrival times that go backwards, a
 * file with no requests.  The first problem is reported as
 * "FILE:LINE: message" and nothing is returned.  Times are returned from
 * the first request (the first is 0).
 *
 * Ownership: the trace's arrays are malloc'd; reqgen_trace_free() frees them.
 */
#ifndef PDS_REQTRACE_H
#define PDS_REQTRACE_H

#include <stddef.h>

#include "sim/reqgen.h"

/* Most requests a trace may hold. */
#define REQTRACE_MAX (1u << 24)

/*
 * Read path into *t.  Returns 0; PDS_FAIL_REQUEST with "FILE:LINE: ..." in
 * err for a file that is not a trace of one of the formats (or cannot be
 * opened: "FILE: cannot open: ..."); PDS_FAIL for a read error or no
 * memory.  On failure *t holds nothing.
 */
int reqtrace_read(const char *path, reqgen_trace *t, char *err, size_t errlen);

/* The mean prompt and output lengths of a trace (0 for an empty one). */
void reqtrace_means(const reqgen_trace *t, double *prompt, double *output);

#endif
