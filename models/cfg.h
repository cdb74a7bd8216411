/*
 * cfg.h - the typed configuration of one pdswap run.
 *
 * One YAML file describes the device, the model, the workload, the
 * architecture (engines, port maps, pblocks), named designs, the design
 * space, constraints, the objective, the calibration coefficients with
 * their provenance, and (optionally) the measurements they are calibrated
 * against.  The models and the simulator read only this typed form;
 * dse/config turns the YAML into it (config_load()) and reports the first
 * error as "FILE:LINE:COL: message"; nothing is half-loaded.
 *
 * Ownership: cfg_t is a plain value with fixed-size arrays apart from
 * `text` (the file as read, used for hashing and for writing fitted
 * coefficients back), which cfg_release() frees.
 */
#ifndef PDS_CFG_H
#define PDS_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/common.h"
#include "models/design.h"

#define CFG_MAX_HP 8
#define CFG_MAX_CTRL 8
#define CFG_MAX_LIST 64
#define CFG_MAX_PORTMAPS 16
#define CFG_MAX_PBLOCKS 16
#define CFG_MAX_DESIGNS 32
#define CFG_MAX_MEAS 16
#define CFG_MAX_SESSION_WL 16
#define CFG_MAX_EMPIRICAL 64
#define CFG_MAX_CR_COLS 16
#define CFG_MAX_RANGES 16
#define CFG_MAX_IMPORTS 128
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

/*
 * Site types of a pblock range, by their Vivado names (SLICE, DSP48E2,
 * RAMB18, RAMB36, URAM288).  A site is named TYPE_X<col>Y<row>; X counts
 * the columns of that type across the device, Y its sites up a column.
 */
typedef enum { SITE_SLICE, SITE_DSP, SITE_RAMB18, SITE_RAMB36, SITE_URAM, SITE_N } cfg_site;
extern const char *const cfg_site_names[SITE_N];

/*
 * The clock-region grid of the programmable logic (UG572: regions of a
 * fixed height, in rows and columns; the mix of site columns in a region
 * is the same for every region of its column).  Region X<c>Y<r> holds, of
 * type t, the site columns x0[c][t]..x1[c][t] (none when x1 < x0) and the
 * sites r*per_row[t] .. (r+1)*per_row[t]-1 up each of them.  n_x[t] is the
 * number of site columns of type t on the device (the columns' ranges
 * partition 0..n_x-1 in order).  `present` is false for a device the
 * config gives no grid for.
 */
typedef struct {
	bool present;
	char source[PDS_TEXT_MAX];
	int rows, cols;
	int per_row[SITE_N];
	int x0[CFG_MAX_CR_COLS][SITE_N], x1[CFG_MAX_CR_COLS][SITE_N];
	int n_x[SITE_N];
} cfg_grid;

/* A rectangle of sites of one type, TYPE_X<x0>Y<y0>:TYPE_X<x1>Y<y1>. */
typedef struct {
	cfg_site type;
	int x0, y0, x1, y1;
} cfg_range;

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
	cfg_grid grid; /* the clock-region grid (optional) */
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
 * of the single URAM column; uram_rows is the URAM column segments (column
 * x clock-region row) its sites touch, whose frames the partial bitstream
 * carries whole.
 *
 * On a device with a clock-region grid the pblock is also a list of site
 * ranges (models/floorplan.h): given in the config (`given`), each range
 * snapped to whole clock-region rows (`range`; URAM288 ranges keep their
 * extent), and the tile counts above derived from the snapped ranges; or,
 * for a pblock given as tile counts, placed on the grid (`placed`) with
 * exactly those counts.  Without a grid, n_ranges is 0.
 */
typedef struct {
	char name[PDS_NAME_MAX];
	int clb_tiles, dsp_tiles, bram_tiles, uram_sites;
	int uram_rows;
	int n_ranges;
	cfg_range given[CFG_MAX_RANGES], range[CFG_MAX_RANGES];
	bool from_ranges; /* given as site ranges (else as tile counts) */
} cfg_pblock;

/*
 * An engine size a published design does not state, inferred from one of
 * its measured resource rows through the per-unit costs (models/infer.h):
 * each resource type gives a size (by_type, NAN where the type is left
 * out), the centre is their geometric mean rounded, [lo, hi] holds them all.
 */
enum { CFG_SIZE_PRE_PE, CFG_SIZE_PRE_LANES, CFG_SIZE_DEC_LANES, CFG_N_SIZES };
enum { CFG_ROW_PREFILL_RM, CFG_ROW_DECODE_RM, CFG_N_ROWS };
extern const char *const cfg_size_names[CFG_N_SIZES]; /* "prefill.pe", "prefill.lanes", "decode.lanes" */
extern const char *const cfg_row_names[CFG_N_ROWS];   /* "table2.prefill_rm", "table2.decode_rm" */

typedef struct {
	int size; /* CFG_SIZE_* */
	int row;  /* CFG_ROW_* */
	double by_type[RES_N];
	char left_out[RES_N][96]; /* why a type gives no size ("" when it does) */
	int lo, centre, hi;
} cfg_inferred;

typedef struct {
	char name[PDS_NAME_MAX];
	design_t d; /* inferred sizes at their centre */
	/* the decode engine's dataflow and where it comes from */
	prov_t df_prov;
	char df_source[PDS_TEXT_MAX];
	int n_inferred;
	cfg_inferred inferred[CFG_N_SIZES];
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
	dataflow_t dec_dataflow; /* the decode engines' dataflow */
	/* the K/V cache knobs (kvcache.h); one value each (fp16, 0, 0, none) when
	 * the config lists none; kv_tier holds kv_tier_t values */
	int n_kv_prec, kv_prec[CFG_MAX_LIST];
	int n_kv_window, kv_window[CFG_MAX_LIST];
	int n_kv_sinks, kv_sinks[CFG_MAX_LIST];
	int n_kv_tier, kv_tier[CFG_MAX_LIST];
	/*
	 * The partition's modules of the dpr points (design_space.rm_sets and
	 * rm_modules): each shape lists its modules, either a role over the
	 * point's own engines (its prefill engine, its decode engine, or both
	 * as one hybrid module) or an extra module of stated sizes (rm_extra:
	 * its burst and outstanding are the point's); the roles come first.
	 * No shape: the paper's pair alone, as without the key.
	 */
	int n_rm_extra;
	rm_t rm_extra[CFG_MAX_LIST];
	int n_rm_shapes;
	struct cfg_rm_shape {
		int n;
		int role[RMS_MAX]; /* CFG_RM_ROLE_* or an index into rm_extra */
		char label[200];   /* the modules as the knob's value reads */
	} rm_shapes[CFG_MAX_LIST];
} cfg_space;

/* The roles of a shape's modules over a point's own engines. */
enum { CFG_RM_PREFILL = -1, CFG_RM_DECODE = -2, CFG_RM_HYBRID = -3 };

typedef struct {
	res_t util_cap;      /* fraction of each device resource usable */
	double rp_margin;    /* an RM may use this fraction of its pblock */
	double t_pre_max_s;  /* at objective.prompt */
	/* DDR set aside for the partial bitstreams of the partition's modules
	 * (constraints.bitstream_store_mib), bytes; 0: not bounded */
	double bitstream_store_bytes;
} cfg_constraints;

/* The session figure objective.workload minimises (sim/session.h names them). */
typedef enum {
	CFG_WLFIG_E2E_MEAN, CFG_WLFIG_E2E_P99, CFG_WLFIG_TTFT_P90, CFG_WLFIG_TPOT_P99, CFG_WLFIG_ENERGY, CFG_WLFIG_N
} cfg_wl_figure;
extern const char *const cfg_wl_figure_names[CFG_WLFIG_N];

typedef struct {
	double alpha;
	int prompt;
	int l_long, l_short;
	/* optional: choose the design by a session of this workload ("" : the
	 * paper's objective above), minimising `workload_figure` */
	char workload[PDS_NAME_MAX];
	cfg_wl_figure workload_figure;
} cfg_objective;

/*
 * Sessions of many requests (the `workloads:` and `session:` sections;
 * sim/reqgen.h draws the requests, sim/session.h runs them).
 *
 * A length distribution of prompts or outputs, in tokens (>= 1 after
 * rounding): fixed; uniform on [lo, hi]; lognormal, ln(length) ~
 * N(mu, sigma^2), fitted when the config is loaded to the stated mean and
 * standard deviation or to stated percentiles (with the mean, when also
 * stated); an empirical table of lengths and weights; or the lengths of
 * the workload's request trace.  `mean` is the distribution's mean (the
 * expected length a run-time policy predicts with; for a trace, the
 * trace's, filled when it is read).
 */
typedef enum { CFG_LEN_FIXED, CFG_LEN_UNIFORM, CFG_LEN_LOGNORMAL, CFG_LEN_EMPIRICAL, CFG_LEN_TRACE } cfg_len_kind;

typedef struct {
	cfg_len_kind kind;
	int fixed;
	int lo, hi;
	double mu, sigma;
	int n_emp;
	int emp_len[CFG_MAX_EMPIRICAL];
	double emp_weight[CFG_MAX_EMPIRICAL];
	double mean;
} cfg_lendist;

/*
 * Arrivals: Poisson at rate_rps; gamma-distributed gaps at rate_rps with
 * coefficient of variation cv (cv 1 is Poisson); a closed loop of one user
 * who sends the next request an exponential think time (mean think_s)
 * after the previous answer; or the times of the request trace.
 */
typedef enum { CFG_ARR_POISSON, CFG_ARR_GAMMA, CFG_ARR_CLOSED, CFG_ARR_TRACE } cfg_arrival_kind;

typedef struct {
	char name[PDS_NAME_MAX];
	cfg_arrival_kind arrival;
	double rate_rps, cv, think_s;
	cfg_lendist prompt, output;
	char trace[1024];          /* request trace file (its path as the config resolves it), "" none */
	bool refuse_over_context;  /* prompt + output beyond model.max_context: refused, else trimmed */
	double slo_ttft_p90_s, slo_tpot_p99_s;
} cfg_session_wl;

typedef struct {
	unsigned long seed;        /* every request stream derives from it */
	int requests;              /* requests of a session drawn from a distribution */
	bool start_decode;         /* the partition holds the decode RM when a session starts */
	double slo_ttft_p90_s, slo_tpot_p99_s; /* defaults of the workloads' SLOs */
	int n_be_prompts, be_prompts[CFG_MAX_LIST]; /* the break-even map's grid */
	int n_be_outputs, be_outputs[CFG_MAX_LIST];
} cfg_session;

/*
 * The calibration coefficients, one row each; this table is the only
 * place they are listed.  It generates the cfg_calib fields, the slot
 * numbers (CAL_<name>), the slot names, the ranges the loader accepts and
 * the plausible ranges the timing fit may move a coefficient within.
 *
 *   X(name, lo, lo_open, hi, timing, fit_lo, fit_hi, what)
 *     lo, lo_open, hi   the value the config may hold: (lo or [lo, hi]
 *     timing            1 when the timing fit may free it (calib.h)
 *     fit_lo, fit_hi    its plausible range in that fit
 *
 * Resource coefficients (a per-unit cost or a fixed block, one value per
 * resource type, lut..dsp as in res_type):
 *   R(name, what)
 *
 * The memory path has three coefficients that the baseline's data cannot
 * all decide (platform.h): the weight loader's efficiency eta_wload (its
 * 256-bit masters into 128-bit ports and its burst pattern, fitted to the
 * baseline's weight stream), the port/DDR efficiency eta_port of every
 * other stream (a prior from [FPT19]) and the round-trip latency that,
 * with a master's bursts in flight, bounds its stream.
 *
 * An assumed coefficient carries a range in the config (`range: [lo,
 * hi]`; for a resource vector a factor on all of it), which the intervals
 * (interval.h) sample.
 */
#define CFG_CAL_SCALARS(X)                                                                        \
	X(eta_tlmm, 0, 1, 1, 1, 0.01, 1.0, "achieved fraction of T*G*Q MAC/cycle")                  \
	X(eta_attn, 0, 1, 1, 1, 0.01, 1.0, "achieved fraction of attention MAC/cycle")              \
	X(eta_wload, 0, 1, 1, 1, 0.05, 1.0, "weight loader: achieved fraction of its HP ports' peak") \
	X(eta_port, 0, 1, 1, 1, 0.05, 1.0, "HP port/DDR efficiency of the attention streams")     \
	X(ddr_latency_ns, 1, 0, 100000, 1, 80, 3000, "PL read round trip under load, idle to loaded") \
	X(ddr_efficiency, 0, 1, 1, 1, 0.3, 1.0, "achievable fraction of DDR peak")                  \
	X(lm_head_s, 0, 0, 10, 1, 0.0, 0.5, "LM head on the ARM, per token")                        \
	X(tlmm_depth, 0, 0, 1e6, 1, 0, 2000, "TLMM pipeline depth, cycles")                         \
	X(attn_depth, 0, 0, 1e6, 1, 0, 2000, "attention pipeline depth, cycles")                    \
	X(pcap_rate_mb_s, 0, 1, 1e5, 0, 0, 0, "PCAP stream rate, idle DDR")                         \
	X(pcap_setup_ms, 0, 0, 1e4, 0, 0, 0, "fixed cost per PCAP transfer")                        \
	X(swap_ps_ms, 0, 0, 1e5, 0, 0, 0, "PS software path of one swap")                           \
	X(pcap_slowdown, 0, 0, 100, 0, 0, 0, "extra PCAP time at full DDR load")                    \
	X(p_idle_w, 0, 0, 1000, 0, 0, 0, "board + PS + PL static power")                            \
	X(k_logic_w, 0, 0, 1e6, 0, 0, 0, "W per (MLUT x GHz) of active logic")                      \
	X(e_ddr_nj_per_kb, 0, 0, 1e6, 0, 0, 0, "DDR energy per KiB moved")

#define CFG_CAL_RESOURCES(R)                                    \
	R(tlmm_per_unit, "per table-lane (T*Q)")                \
	R(pre_per_mac, "per prefill MAC lane (pe*lanes)")       \
	R(dec_per_mac, "per decode MAC lane")                   \
	R(rmsnorm_findmax, "RMSNorm and FindMax, a fixed block") \
	R(other_static, "the rest of the static region, a fixed block")

/* Model coefficients; see configs/kv260.yaml for where each comes from. */
typedef struct {
#define CFG_X(name, ...) coef_t name;
	CFG_CAL_SCALARS(CFG_X)
#undef CFG_X
#define CFG_R(name, what) rcoef_t name;
	CFG_CAL_RESOURCES(CFG_R)
#undef CFG_R
} cfg_calib;

/*
 * Calibration slots: a scalar coefficient ("eta_tlmm", slot CAL_eta_tlmm)
 * or one field of a resource coefficient ("pre_per_mac.dsp", slot
 * CAL_RES(CAL_R_pre_per_mac, RES_DSP)), numbered in table order.
 */
enum {
#define CFG_X(name, ...) CAL_##name,
	CFG_CAL_SCALARS(CFG_X)
#undef CFG_X
	CAL_N_SCALARS
};
enum {
#define CFG_R(name, what) CAL_R_##name,
	CFG_CAL_RESOURCES(CFG_R)
#undef CFG_R
	CAL_N_RESOURCES
};
#define CAL_RES(r, type) (CAL_N_SCALARS + (r) * RES_N + (type))
#define CAL_N_SLOTS (CAL_N_SCALARS + CAL_N_RESOURCES * RES_N)

/* What the table says of a scalar coefficient (slot < CAL_N_SCALARS). */
typedef struct {
	const char *name;
	size_t offset; /* of its coef_t in cfg_calib */
	double lo, hi;
	bool lo_open;
	bool timing; /* the timing fit may free it */
	double fit_lo, fit_hi;
	const char *what;
} cfg_cal_scalar;

typedef struct {
	const char *name;
	size_t offset; /* of its rcoef_t in cfg_calib */
	const char *what;
} cfg_cal_resource;

extern const cfg_cal_scalar cfg_cal_scalars[CAL_N_SCALARS];
extern const cfg_cal_resource cfg_cal_resources[CAL_N_RESOURCES];

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
	int power_context; /* the decode context the board power is taken at */
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

/*
 * The K/V cache (the optional `kv_cache:` section; models/kvcache.h).  A
 * config that quantises K/V or keeps an on-chip tier in any design or
 * design_space list must have it.  Per quantised precision: the group of
 * elements along head_dim that share one scale and the scale's bytes,
 * with the source of the choice.  The dequantiser's cost: pipeline depth
 * it adds to an attention engine that reads quantised K/V, resources per
 * MAC lane of such an engine, and the quantiser of the static region (a
 * fixed block) that turns the K/V projections' output into the cached
 * form.  The tier's memory: URAM or BRAM36 blocks, each holding `bytes`
 * of data and reading `word_bits` of data per cycle.
 */
typedef struct {
	int group;       /* elements per scale */
	int scale_bytes; /* bytes of one scale */
	char source[PDS_TEXT_MAX];
} cfg_kv_quant;

typedef struct {
	int bytes;     /* data bytes of one block */
	int word_bits; /* data bits one block reads per cycle */
	char source[PDS_TEXT_MAX];
} cfg_kv_block;

typedef struct {
	bool present;
	cfg_kv_quant quant[KV_N];  /* [KV_INT8], [KV_INT4]; [KV_FP16] unused */
	coef_t dequant_depth;      /* cycles */
	rcoef_t dequant_per_lane;  /* per MAC lane */
	rcoef_t quantiser;         /* static region, fixed block */
	int tier_memory;           /* RES_URAM or RES_BRAM */
	cfg_kv_block uram, bram;   /* one URAM288, one BRAM36 */
} cfg_kv;

/*
 * A report of the real build imported as a measurement (`pdswap-dse import
 * CONFIG FILE...`, stored in results.db; the commands that read a database
 * load the ones that apply to the config's part and model into cfg_t).
 * What it measured (scope):
 *   MEAS_TLMM, MEAS_PREFILL, MEAS_DECODE  one engine, with the fields of d
 *        that size it (tlmm_tables, tlmm_lanes; pre_pe, pre_lanes, pre_block
 *        (0: not given); dec_lanes, dec_dataflow) and d.clock_mhz: a point of
 *        that engine's measured profile (models/profile.h);
 *   MEAS_DESIGN  a whole design d (a Vivado utilisation report): its totals;
 *   MEAS_PBLOCK  the partition of design d (report_utilization -pblocks): what
 *        is placed in pblock d.rp (res) against what its area has (avail).
 * Figures are NAN where the report does not give them; BRAM is in 36 Kb
 * tiles, a csynth BRAM_18K count halved (bram18 keeps the raw figure).
 * loop_bound: the bound a csynth latency was synthesised at (the TLMM's
 * token tile, or the context of the attention kernels, model.max_context).
 */
typedef enum { MEAS_TLMM, MEAS_PREFILL, MEAS_DECODE, MEAS_DESIGN, MEAS_PBLOCK, MEAS_N_SCOPES } cfg_meas_scope;
extern const char *const cfg_meas_scope_names[MEAS_N_SCOPES]; /* tlmm, prefill, decode, design, pblock */

typedef struct {
	int64_t id;              /* measurement_id in the database */
	char file[256];          /* as imported (its tail when longer) */
	char sha256[65];
	char tool_version[24];
	bool csynth;             /* a csynth report, else a utilisation report */
	char target[128];        /* "design pdswap", "point 17 of run 3", "engine prefill:pe=8,lanes=4,clock=250" */
	cfg_meas_scope scope;
	design_t d;
	int loop_bound;          /* 0: none */
	res_t res, avail;        /* NAN: not given */
	double bram18;
	double target_clock_ns, est_clock_ns, latency_worst;
} cfg_import;

/*
 * A limit the sweep takes from an imported report (--respect-measured,
 * models/limits.h): designs whose `engine` has at least `units` units and
 * that run at clock_mhz or faster (timing: a csynth report whose estimated
 * clock missed its target), or that put it in pblock rp (a -pblocks report
 * over the pblock), are refused.
 */
typedef struct {
	cfg_meas_scope engine; /* MEAS_PREFILL or MEAS_DECODE: a module of the partition */
	bool timing;           /* a missed clock; else over pblock rp */
	int clock_mhz;
	int rp;
	int64_t units;
	int64_t id;            /* the measurement */
	char why[200];
} cfg_limit;

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
	int space_line, space_col; /* where design_space is written (its key), for messages */
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
	int n_session_wl;
	cfg_session_wl session_wl[CFG_MAX_SESSION_WL];
	cfg_session session;
	cfg_calib cal;
	struct {
		double level;  /* central probability of an interval */
		int samples;   /* Monte Carlo draws */
		uint64_t seed; /* of the draws (GSL mt19937, one stream per draw) */
	} iv;
	bool has_meas; /* the optional `measurements` section is present */
	cfg_meas meas; /* all zero when it is not */
	/* imported measurements that apply (loaded from a database, not the YAML) */
	int n_imports;
	cfg_import imports[CFG_MAX_IMPORTS];
	/* limits taken from them (--respect-measured; none otherwise) */
	int n_limits;
	cfg_limit limits[CFG_MAX_IMPORTS];
	/* where each calibration value sits, by slot */
	cfg_span cal_span[CAL_N_SLOTS];
	cfg_kv kv; /* the kv_cache section (kv.present) */
} cfg_t;

/* Free what a loaded config owns (dse/config/config.h loads one). */
void cfg_release(cfg_t *c);

/*
 * The key a part name is compared by: lowercase, blanks and a leading "xc"
 * dropped (Vivado writes 7-series parts without it in some reports), so
 * "xck26-sfvc784-2LV-c" and "ck26-sfvc784-2lv-c" name the same part; ""
 * for NULL.
 */
void cfg_part_key(const char *part, char *out, size_t outsz);

/* Index of a named design, or -1. */
int cfg_find_design(const cfg_t *c, const char *name);
/* The names of c's designs, ", "-separated, into buf (cut to n - 1 bytes). */
void cfg_design_names(const cfg_t *c, char *buf, size_t n);

/* Index of a named workload of the `workloads:` section, or -1. */
int cfg_find_session_wl(const cfg_t *c, const char *name);

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
extern const char *const cal_slot_names[CAL_N_SLOTS];
int cfg_slot_index(const char *name);
double *cfg_slot(cfg_t *c, int slot);
prov_t cfg_slot_prov(const cfg_t *c, int slot);

/*
 * Check a design point against the config's own lists (port-map and pblock
 * indices in range, positive sizes).  Returns 0, or -1 with a message.
 */
int cfg_check_design(const cfg_t *c, const design_t *d, char *err, size_t errlen);

#endif
