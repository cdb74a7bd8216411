/*
 * design.h - one point of the design space.
 *
 * A design point is everything the models need to know about one
 * accelerator build: the architecture (static baseline or PD-Swap with a
 * reconfigurable partition), the clock, the TLMM size in the static region,
 * the two attention engines, their AXI settings and the HP-port map of each
 * phase.  It is a plain value: copy it, hash it, compare it.
 */
#ifndef PDS_DESIGN_H
#define PDS_DESIGN_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { MODE_STATIC = 0, MODE_DPR = 1 } arch_mode;

extern const char *const mode_names[2];

/*
 * Which HP ports each attention tensor uses (bit i = device HP port i).
 * q_preload: Q is loaded once, through its port, before K/V streaming starts,
 * holding other traffic on that port meanwhile (the decode RM).
 * o_after_kv: O is buffered and written after the K/V stream ends.
 */
typedef struct {
	uint32_t q, k, v, o;
	bool q_preload;
	bool o_after_kv;
} portmap_t;

typedef struct {
	arch_mode mode;
	int clock_mhz;   /* PL clock of the accelerator */
	/* static region: TLMM */
	int tlmm_tables; /* T: tables working in parallel */
	int tlmm_lanes;  /* Q: output lanes (table copies per table) */
	/* prefill-attention engine (the prefill RM in DPR mode) */
	int pre_pe;      /* token-parallel PEs = query rows of the resident Q block */
	int pre_lanes;   /* MACs per PE per cycle along head_dim */
	int pre_block;   /* K/V tokens fetched per block */
	int pre_burst;   /* AXI burst length (beats) of its K/V reads */
	int pre_outstanding;
	/* decode-attention engine (the decode RM in DPR mode) */
	int dec_lanes;   /* MACs per cycle along head_dim */
	int dec_burst;
	int dec_outstanding;
	/* port maps per phase, indices into cfg->port_maps */
	int pm_pre;
	int pm_dec;
	/* reconfigurable partition (pblock index), -1 in static mode */
	int rp;
} design_t;

#endif
