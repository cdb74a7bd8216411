/*
 * des.h - the discrete-event model of one inference (contract).
 *
 * des_run() replays a prefill of `prompt` tokens, the swap (dpr designs)
 * and `gen` decode steps op by op, with the HP ports, the DDR controller
 * ports, PCAP and the ARM LM head as shared resources, and reports the same
 * figures as the analytic model (perf_run) plus what only the DES sees.
 * The same inputs give the same figures and the same trace, bit for bit.
 */
#ifndef PDS_DES_H
#define PDS_DES_H

#include <stdint.h>

#include "cfg.h"
#include "workload.h"

enum { DES_PH_PREFILL, DES_PH_DECODE, DES_PHASES };
enum { DES_S_WEIGHTS, DES_S_K, DES_S_V, DES_S_Q, DES_S_O, DES_S_BITSTREAM, DES_STREAMS };

extern const char *const des_stream_names[DES_STREAMS];

typedef struct {
	const char *trace_path; /* Chrome trace-event JSON, or NULL */
} des_opts;

typedef struct {
	/* the analytic model's figures, same meaning (README.md) */
	double prefill_s, ttft_s, decode_s, decode_tok_s, dec_first_s;
	double swap_s, swap_exposed_s, pcap_s;
	double energy_j_per_token;
	/* only the DES sees these */
	double tail_overlap_s;  /* swap trigger to the end of prefill */
	double swap_hidden_s;   /* the part of the swap that overlapped work */
	double port_util[DES_PHASES][CFG_MAX_HP]; /* busy fraction per phase */
	double bytes[DES_STREAMS];
	uint64_t events;
	double wall_s;
} des_result;

/* Returns 0, or -1 with err set (e.g. the trace file cannot be written). */
int des_run(const cfg_t *c, const wl_t *w, const design_t *d, int prompt, int gen,
	    const des_opts *o, des_result *r, char *err, size_t errlen);

#endif
