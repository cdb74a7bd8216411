/*
 * timeline.h - the swap timeline figure, drawn from a Chrome trace that
 * the discrete-event model wrote (sim/trace.h), so the picture and the
 * trace a person opens in Perfetto are the same events.
 *
 * Rows are the trace's tracks: each track of the accelerator process (the
 * inference passes, the TLMM, the attention partition, PCAP, the ARM) is a
 * row, the partition's module residency (category "rp") gets a row of its
 * own, and each HP-port process is one row whose spans are coloured by
 * stream (weights, K, V, Q, O).  Spans are coloured by what they are:
 * prefill work, decode work, the swap's PS software path and PCAP
 * transfer, the module the partition holds, the LM head.  Time runs in ms
 * from the swap trigger; the window starts a little before the trigger
 * and ends with the last span of the trace.
 */
#ifndef PDS_TIMELINE_H
#define PDS_TIMELINE_H

#include <stddef.h>
#include <stdio.h>

/* Instants marked with vertical lines, in seconds of trace time. */
typedef struct {
	double trigger_s;     /* the swap starts: the last layer's attention is done */
	double rm_ready_s;    /* the decode RM is loaded */
	double first_token_s; /* TTFT: prefill and the first LM head done */
} timeline_marks;

/*
 * Read the trace at `trace_path` and write, to the open figure script `f`
 * (after plot_begin()), the data and the plot command of the timeline.
 * `title` heads the figure.  Returns 0, or -1 with err naming the trace
 * and what is wrong with it (not JSON, no traceEvents, no span after the
 * trigger).
 */
int timeline_write(const char *trace_path, FILE *f, const timeline_marks *m, const char *title, char *err,
	     size_t errlen);

#endif
