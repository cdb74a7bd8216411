/*
 * cfg.h - the typed configuration of one pdswap run.
 *
 * One YAML file describes the device, the model, the workload, the
 * architecture (engines, port maps, pblocks), named designs, the design
 * space, constraints, the objective, the calibration coefficients with
 * their provenance, and (optionally) the measurements they are calibrated
 * against.  cfg_load() turns it into a cfg_t or reports the first error as
 * "FILE:LINE:COL: message" and returns -1; nothing is half-loaded.
 *
 * Ownership: cfg_t is a plain value with fixed-size arrays apart from
 * `text` (the file as read, used for hashing and for writing fitted
 * coefficients back), which cfg_release() frees.
 */
#ifndef PDS_CFG_H
#define PDS_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common.h"
#include "design.h"

#define CFG_MAX_HP 8
#define CFG_MAX_CTRL 8
#define CFG_MAX_LIST 64
#define CFG_MAX_PORTMAPS 16
#define CFG_MAX_PBLOCKS 16
#define CFG_MAX_DESIGNS 32
#define CFG_MAX_MEAS 16
#define CFG_SCHEMA_VERSION 1

typedef struct {
	char name[PDS_NAME_MAX];
	double peak_gb_s; /* controller-port peak */
} cfg_ctrl;

typedef struct {
	char name[PDS_NAME_MAX];
	int width_bits;    /* PS-side data width */
	int max_clock_mhz; /* fastest AXI clock the port accepts */
	int ctrl;          /* index into device.ddr.ctrl: ports sharing it compete */
} cfg_hp;

typedef struct {
	char name[PDS_TEXT_MAX];
	char part[PDS_NAME_MAX];
	res_t resources;
	int clock_max_mhz;
	struct {
		double peak_gb_s;
		int n_ctrl;
		cfg_ctrl ctrl[CFG_MAX_CTRL];
	} ddr;
	int n_hp;
	cfg_hp hp[CFG_MAX_HP];
	int axi_max_burst_beats; /* PS-side AXI3 limit */
	struct cfg_fabric {
		int frame_bytes;
		/* configuration frames per column per clock-region row */
		int frames_clb, frames_int, frames_dsp;
		int frames_bram_config, frames_bram_content, frames_uram;
		/* resources per column per clock-region row */
		int lut_per_clb_col, ff_per_clb_col;
		int dsp_per_col, bram_per_col, uram_per_col;
		int bitstream_overhead_bytes;
		/* tiles of the whole device (column segments of one clock-region row) */
		int tiles_clb, tiles_dsp, tiles_bram, tiles_uram;
	} fabric;
} cfg_device;

typedef struct {
	char name[PDS_TEXT_MAX];
	int layers, hidden, heads, kv_heads, head_dim, ffn, ffn_matrices;
	int vocab, max_context;
	int weight_group;      /* G: ternary weights per packed index */
	int weight_index_bits; /* bits per packed index */
	int act_bits;
	int kv_bytes;   /* bytes per K/V element */
	int attn_bytes; /* bytes per Q/O element */
} cfg_model;

typedef struct {
	int n_prompts;
	int prompts[CFG_MAX_LIST];
	int n_contexts;
	int contexts[CFG_MAX_LIST];
	int gen_tokens;
} cfg_workload;

typedef struct {
	char name[PDS_NAME_MAX];
	portmap_t pm;
} cfg_portmap;

/*
 * A reconfigurable partition as the column segments it covers: a tile is
 * one column of one type across one clock-region row (a pblock may be a
 * union of rectangles).  URAM is counted in sites: a pblock may take part
 * of the single URAM column.
 */
typedef struct {
	char name[PDS_NAME_MAX];
	int clb_tiles, dsp_tiles, bram_tiles, uram_sites;
} cfg_pblock;

typedef struct {
	char name[PDS_NAME_MAX];
	design_t d;
} cfg_design;

/* Each knob of the sweep is a list of values; the space is their product. */
typedef struct {
	bool mode_static, mode_dpr;
	int n_clock, clock_mhz[CFG_MAX_LIST];
	int n_tables, tlmm_tables[CFG_MAX_LIST];
	int n_tlanes, tlmm_lanes[CFG_MAX_LIST];
	int n_pre_pe, pre_pe[CFG_MAX_LIST];
	int n_pre_lanes, pre_lanes[CFG_MAX_LIST];
	int n_pre_block, pre_block[CFG_MAX_LIST];
	int n_dec_lanes, dec_lanes[CFG_MAX_LIST];
	int n_outst, outstanding[CFG_MAX_LIST];
	int n_pm_pre, pm_pre[CFG_MAX_LIST];
	int n_pm_dec, pm_dec[CFG_MAX_LIST];
	int n_rp, rp[CFG_MAX_LIST];
	int burst_beats; /* K/V burst of swept attention engines */
} cfg_space;

typedef struct {
	res_t util_cap;      /* fraction of each device resource usable */
	double rp_margin;    /* an RM may use this fraction of its pblock */
	double t_pre_max_s;  /* at objective.prompt */
} cfg_constraints;

typedef struct {
	double alpha;
	int prompt;
	int l_long, l_short;
} cfg_objective;

/* Model coefficients; see configs/kv260.yaml for what each means. */
typedef struct {
	coef_t eta_tlmm;        /* achieved fraction of T*G*Q MAC/cycle */
	coef_t eta_attn;        /* achieved fraction of attention MAC/cycle */
	coef_t eta_port;        /* achieved fraction of HP-port peak */
	coef_t ddr_latency_ns;  /* PL read round trip under load */
	coef_t ddr_efficiency;  /* achievable fraction of DDR peak */
	coef_t lm_head_s;       /* LM head on the ARM, per token */
	coef_t tlmm_depth;      /* TLMM pipeline depth, cycles */
	coef_t attn_depth;      /* attention pipeline depth, cycles */
	coef_t pcap_rate_mb_s;  /* PCAP stream rate, idle DDR */
	coef_t pcap_setup_ms;   /* fixed cost per PCAP transfer */
	coef_t swap_ps_ms;      /* PS software path of one swap */
	coef_t pcap_slowdown;   /* extra PCAP time at full DDR load */
	coef_t p_idle_w;        /* board + PS + PL static power */
	coef_t k_logic_w;       /* W per (MLUT x GHz) of active logic */
	coef_t e_ddr_nj_per_kb; /* DDR energy per KiB moved */
	rcoef_t tlmm_per_unit;  /* per table-lane (T*Q) */
	rcoef_t pre_per_mac;    /* per prefill MAC lane (pe*lanes) */
	rcoef_t dec_per_mac;    /* per decode MAC lane */
	rcoef_t rmsnorm_findmax;
	rcoef_t other_static;
} cfg_calib;

/* Published measurements of the baseline and the platform, with sources. */
typedef struct {
	int prompt;
	double value;
	char source[PDS_TEXT_MAX];
} cfg_point;

typedef struct {
	char fit_design[PDS_NAME_MAX]; /* the static baseline design */
	char dpr_design[PDS_NAME_MAX]; /* the published PD-Swap design */
	int n_ttft;
	cfg_point ttft[CFG_MAX_MEAS]; /* prompt -> s */
	int n_decode;
	cfg_point decode[CFG_MAX_MEAS]; /* context -> tok/s */
	int attn_prompt;
	double attn_reversed_ms, attn_naive_ms; /* per layer */
	char attn_source[PDS_TEXT_MAX];
	double board_power_w;
	char power_source[PDS_TEXT_MAX];
	res_t baseline_res;
	char baseline_res_source[PDS_TEXT_MAX];
	res_t t2_tlmm, t2_rmsnorm, t2_other, t2_pre, t2_dec, t2_dynamic;
	char t2_source[PDS_TEXT_MAX];
	int n_pcap;
	double pcap_bytes[CFG_MAX_MEAS], pcap_ms[CFG_MAX_MEAS];
	char pcap_source[PDS_TEXT_MAX];
	double swap_ms;
	char swap_source[PDS_TEXT_MAX];
} cfg_meas;

/* Where a fitted coefficient's value sits in the file, for write-back. */
typedef struct {
	size_t start, end; /* byte offsets of the value scalar */
} cfg_span;

typedef struct cfg {
	char path[1024];
	char *text;   /* file contents, NUL-terminated */
	size_t text_len;
	char sha256[65];
	int schema;
	cfg_device dev;
	cfg_model model;
	cfg_workload wl;
	struct {
		int weight_ports; /* HP port mask */
		int weight_burst, weight_outstanding;
		int n_port_maps;
		cfg_portmap port_maps[CFG_MAX_PORTMAPS];
		int n_pblocks;
		cfg_pblock pblocks[CFG_MAX_PBLOCKS];
	} arch;
	int n_designs;
	cfg_design designs[CFG_MAX_DESIGNS];
	cfg_space space;
	cfg_constraints cons;
	cfg_objective obj;
	cfg_calib cal;
	bool has_meas; /* the optional `measurements` section is present */
	cfg_meas meas; /* all zero when it is not */
	/* where each calibration value sits, indexed like cal_slot_names */
	cfg_span cal_span[64];
} cfg_t;

/*
 * Load and validate PATH.  Returns 0 and fills *c, or returns -1 with the
 * first error written to `err` (size errlen) as "PATH:LINE:COL: message".
 * On failure *c holds nothing that needs releasing.
 */
int cfg_load(cfg_t *c, const char *path, char *err, size_t errlen);

/* Same, from a buffer; `name` is used in messages. */
int cfg_load_buffer(cfg_t *c, const char *name, const char *buf, size_t len,
		    char *err, size_t errlen);

void cfg_release(cfg_t *c);

/* Index of a named design, or -1. */
int cfg_find_design(const cfg_t *c, const char *name);

/* Index of a named port map / pblock / HP port, or -1. */
int cfg_find_portmap(const cfg_t *c, const char *name);
int cfg_find_pblock(const cfg_t *c, const char *name);
int cfg_find_hp(const cfg_t *c, const char *name);

/*
 * Calibration values by name, for the fitter and write-back.  A slot is a
 * scalar coefficient ("eta_tlmm") or one field of a resource coefficient
 * ("pre_per_mac.dsp").  cfg_slot() returns a pointer to the value, or NULL
 * for an unknown name; cfg_slot_prov() its coefficient's provenance.
 */
extern const char *const cal_slot_names[];
extern const int cal_slot_count;
int cfg_slot_index(const char *name);
double *cfg_slot(cfg_t *c, int slot);
prov_t cfg_slot_prov(const cfg_t *c, int slot);

/*
 * Write a copy of the config text with the given slots' values replaced
 * to `out_path`, atomically (temporary file + rename); everything else,
 * comments included, is kept.  Returns 0 or -1 with `err` set.
 */
int cfg_write_back(const cfg_t *c, const char *out_path, const int *slots,
		   const double *values, int n, char *err, size_t errlen);

/*
 * Check a design point against the config's own lists (port-map and pblock
 * indices in range, positive sizes).  Returns 0, or -1 with a message.
 */
int cfg_check_design(const cfg_t *c, const design_t *d, char *err, size_t errlen);

#endif
