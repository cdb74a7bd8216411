/*
 * des.h - the discrete-event model of one inference (contract).
 *
 * des_run() replays a prefill of `prompt` tokens, the swap (dpr designs)
 * and `gen` decode steps op by op, with the HP ports, the DDR controller
 * ports, PCAP and the ARM LM head as shared resources, and reports the same
 * figures as the analytic model (models/figures.h) plus what only the DES sees.
 * The same inputs give the same figures and the same trace, bit for bit.
 *
 * des_run() is reentrant: all its state lives in the call, the config,
 * workload and design are only read, so any number of threads may run it
 * at once.  See sim/des.c for the schedule it models.
 */
#ifndef PDS_DES_H
#define PDS_DES_H

#include <stdbool.h>
#include <stdint.h>

#include "models/cfg.h"
#include "models/figures.h"
#include "models/rms.h"
#include "sim/ddr.h"
#include "sim/trace.h"
#include "models/workload.h"

enum { DES_PH_PREFILL, DES_PH_DECODE, DES_PHASES };
enum { DES_S_WEIGHTS, DES_S_K, DES_S_V, DES_S_Q, DES_S_O, DES_S_BITSTREAM, DES_STREAMS };

/* AXI masters on the HP ports: the static region's weight streamer and the
 * two attention engines. */
enum { DES_M_WEIGHTS, DES_M_PRE, DES_M_DEC, DES_MASTERS };

extern const char *const des_stream_names[DES_STREAMS];
extern const char *const des_phase_names[DES_PHASES];

/* Bytes of one half of the double-buffered URAM weight buffer (assumed: 2 x
 * 256 KiB is 14 of the 48 URAMs of the static region's other logic). */
#define DES_WEIGHT_TILE_BYTES (256.0 * 1024)

/*
 * What the partition of a dpr design holds.  DES_HOLD_PHASE (the default,
 * the paper's flow): the prefill RM for the prefill, then the swap, the
 * decode RM for the decode steps.  DES_HOLD_PREFILL / DES_HOLD_DECODE: that
 * module throughout, no swap, the other phase run on it (a decode step on
 * the prefill engine as one query against the cache; a prefill on the
 * decode engine as its stages once per query, query i against i keys).  A
 * static design holds both engines: only DES_HOLD_PHASE applies.
 */
typedef enum { DES_HOLD_PHASE = 0, DES_HOLD_PREFILL, DES_HOLD_DECODE } des_hold;

/*
 * The modules the partition of a design with several (models/rms.h) holds
 * in turn: module i serves passes from[i] .. from[i + 1] - 1 (pass 0 is the
 * prefill, pass i >= 1 decode step i - 1).  Between two modules the swap
 * starts when the last layer's attention of the pass before ends: after the
 * prefill it overlaps the tail and the first LM head, as the paper's swap;
 * during decode (a mid-generation swap) it overlaps that step's tail and
 * LM head, and the next step waits for the rest of it.  Each module is the
 * design as rms_view() makes it (its engines, AXI settings and port maps;
 * a hybrid viewed as static) with the engines it holds: a pass runs on its
 * phase's engine, or on the other one when the module lacks it.  The
 * static region, the clock and the pblock are the design's.
 */
#define DES_MAX_SEGS 8
typedef struct {
	int n;                                 /* modules in turn, 1 .. DES_MAX_SEGS */
	design_t view[DES_MAX_SEGS];
	uint8_t engines[DES_MAX_SEGS];         /* RM_ENG_* */
	int from[DES_MAX_SEGS];                /* from[0] = 0, increasing */
	char name[DES_MAX_SEGS][RMS_NAME_MAX]; /* shown in the trace */
} des_plan;

typedef struct {
	const char *trace_path;   /* Chrome trace-event JSON, or NULL */
	trace_log *trace_log;     /* without trace_path: the trace's events into this log, or NULL */
	const char *name;         /* design name shown in the trace, or NULL */
	bool no_prefetch;         /* weights stream only for work the TLMM may start now
				     (never during attention or the LM head): the
				     analytic model's schedule, contention-free */
	double weight_tile_bytes; /* one weight buffer half; 0: DES_WEIGHT_TILE_BYTES */
	des_hold hold;            /* what the partition holds (dpr designs) */
	int64_t *step_ps;         /* NULL, or gen entries: each decode step's time in ps, from
				     its start to the end of its LM head */
	const des_plan *plan;     /* a dpr design's modules in turn (hold is then ignored), or NULL */
} des_opts;

typedef struct {
	figures f; /* the analytic model's figures, same meaning (README.md); f.tail_overlap_s is
		      measured from the swap trigger to the end of prefill */
	/* only the DES sees these */
	double swap_hidden_s;   /* the part of the swap that overlapped work */
	double phase_s[DES_PHASES];                  /* prefill: 0 .. end of prefill; decode: the rest */
	double port_util[DES_PHASES][CFG_MAX_HP];    /* busy fraction per phase */
	double port_gb_s[DES_PHASES][CFG_MAX_HP];    /* mean bandwidth per phase, 1e9 B/s */
	double bytes[DES_STREAMS];
	uint64_t events;
	uint32_t max_in_flight; /* most events pending at once */
	double wall_s;
	double tier_bytes; /* K/V read from the on-chip tier (models/kvcache.h) over the run */
	/* swaps between decode steps (des_plan): how many, their total time,
	 * and how long the steps after them waited (also in f.mid_swap_s) */
	int mid_swaps;
	double mid_swap_s, mid_swap_exposed_s;
} des_result;

/*
 * Run the model.  prompt >= 1, gen >= 0 (des_run does not apply the
 * model's max_context; the command line does).  Returns 0 and fills *r,
 * or -1 with err set (a bad argument or design, the trace file cannot be
 * written, out of memory); on -1 no trace file is left behind.
 */
int des_run(const cfg_t *c, const workload_t *w, const design_t *d, int prompt, int gen,
	    const des_opts *o, des_result *r, char *err, size_t errlen);

/*
 * The memory path of a design as the DES sees it: per HP port and
 * direction width/8 x min(clock, port max clock) x eta_port; per master
 * outstanding x min(burst, axi_max_burst_beats) x width/8 / ddr_latency (and, for
 * the weight loader, width/8 x clock x eta_wload);
 * the controller ports' peaks; ddr peak x ddr_efficiency.
 */
void des_ddr_params(const cfg_t *c, const design_t *d, ddr_params *p);

/*
 * A design along a plan of its modules (models/rms.h; NULL: the paper's
 * flow, rms_plan_always), as des_run with des_opts.plan; a design that
 * names no set with plan NULL, and a static design, run as des_run.
 */
int des_run_plan(const cfg_t *c, const workload_t *w, const design_t *d, const rms_plan *pl, int prompt, int gen,
		 const des_opts *o, des_result *r, char *err, size_t errlen);
/* The des_plan of a plan for a prompt of `prompt` tokens (its decode step i
 * is pass i + 1). */
void des_plan_of(const design_t *d, const rms_plan *pl, int prompt, des_plan *out);

/* The paper's objective measured with the DES (three short runs; a set of
 * modules along the paper's flow). */
typedef struct {
	double objective;    /* ttft_s + alpha x step_long_s + (1 - alpha) x step_short_s */
	double ttft_s;       /* at objective.prompt */
	double step_long_s;  /* one decode step attending objective.l_long keys */
	double step_short_s; /* ... l_short keys */
} des_obj;

/* Returns 0, or -1 with err set.  o's trace_path and trace_log are ignored. */
int des_objective(const cfg_t *c, const workload_t *w, const design_t *d, const des_opts *o, des_obj *out,
		  char *err, size_t errlen);

#endif
