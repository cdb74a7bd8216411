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

/*
 * How the decode engine orders its work within one layer (engine.h gives
 * the cycles of each, sim/hw/attn_decode.c implements each):
 *   DF_SERIAL      per head a Q.K pass (K stream), a softmax pass, an S.V
 *                  pass (V stream), one after another: K and V never
 *                  stream at the same time;
 *   DF_KV_OVERLAP  one pass per head with online softmax: each key's K and
 *                  V rows stream together and both are used at once;
 *   DF_HEAD_PIPE   two passes per head, pipelined over heads: the S.V pass
 *                  of head h (V stream) runs beside the Q.K and softmax of
 *                  head h+1 (K stream), on a second MAC array.
 */
typedef enum { DF_SERIAL = 0, DF_KV_OVERLAP = 1, DF_HEAD_PIPE = 2, DF_N } dataflow_t;

extern const char *const dataflow_names[DF_N];

/*
 * The K/V cache of a design (models/kvcache.h): the precision of the
 * cached K and V and an on-chip tier holding, per layer, the first
 * `kv_sinks` keys and the `kv_window` most recent ones, the rest in DDR.
 *   KV_FP16        the model's K/V element (model.kv_bytes), as cached today
 *   KV_INT8/INT4   symmetric integers with one scale per group of elements
 *                  along head_dim (config section kv_cache)
 *   KV_TIER_NONE   no tier: every key from DDR (kv_window and kv_sinks 0)
 *   KV_TIER_STATIC the tier in the static region: it survives every swap
 *   KV_TIER_RP     the tier in the decode RM: empty after every swap-in,
 *                  refilled from DDR before the first decode step
 * The tool does not predict model accuracy; a quantised K/V cache is a
 * choice whose accuracy the user must establish.
 */
typedef enum { KV_FP16 = 0, KV_INT8 = 1, KV_INT4 = 2, KV_N } kv_prec_t;
typedef enum { KV_TIER_NONE = 0, KV_TIER_STATIC = 1, KV_TIER_RP = 2, KV_TIER_N } kv_tier_t;

extern const char *const kv_prec_names[KV_N];      /* "fp16", "int8", "int4" */
extern const char *const kv_tier_names[KV_TIER_N]; /* "none", "static", "rp" */

/*
 * The modules of the partition of a dpr design (models/rms.h).  A design
 * may name an ordered set of 1 to RMS_MAX reconfigurable modules, each a
 * partial bitstream of the same pblock holding a prefill engine, a decode
 * engine or both (a hybrid: the two engines side by side inside the
 * partition, static-like), with its own sizes, AXI settings, port maps and
 * dataflow, and the phases the policies may run on it (`serves`; a phase
 * on a module that holds only the other phase's engine runs on that
 * engine, perf.h).  n == 0: the design names none and has the paper's
 * two, a prefill module of its prefill engine and a decode module of its
 * decode engine (rms_expand).  A static design has none.
 */
#define RMS_MAX 4
#define RMS_NAME_MAX 32
enum { RM_ENG_PRE = 1, RM_ENG_DEC = 2 };     /* rm_t.engines: the engines a module holds */
enum { RM_SERVE_PRE = 1, RM_SERVE_DEC = 2 }; /* rm_t.serves: the phases it may run */

typedef struct {
	char name[RMS_NAME_MAX];
	uint8_t engines, serves;
	/* the prefill engine (engines & RM_ENG_PRE) */
	int pre_pe, pre_lanes, pre_block, pre_burst, pre_outstanding, pm_pre;
	/* the decode engine (engines & RM_ENG_DEC) */
	int dec_lanes, dec_burst, dec_outstanding, pm_dec;
	dataflow_t dec_dataflow;
} rm_t;

typedef struct {
	int n; /* 0: the paper's two modules, from the design's engines */
	rm_t rm[RMS_MAX];
} rmset_t;

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
	dataflow_t dec_dataflow;
	/* port maps per phase, indices into cfg->port_maps */
	int pm_pre;
	int pm_dec;
	/* reconfigurable partition (pblock index), -1 in static mode */
	int rp;
	/* the K/V cache (kvcache.h): precision, the on-chip tier and where it lives */
	kv_prec_t kv_prec;
	int kv_window; /* most recent keys per layer in the tier */
	int kv_sinks;  /* first keys per layer in the tier */
	kv_tier_t kv_tier;
	/* the partition's modules (dpr).  With a set, the engines above are its
	 * first prefill engine and its first decode engine (the pair the
	 * paper's two-module figures and headers describe). */
	rmset_t rms;
} design_t;

#endif
