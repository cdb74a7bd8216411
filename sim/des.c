/*
 * des.c - the discrete-event model of one inference: prefill of L tokens,
 * the swap of the attention partition, N decode steps.
 *
 * Actors and what they model (time in integer picoseconds, evq.h; data
 * movement as flows with max-min fair rates, ddr.h):
 *
 * Static region (TLMM + weight streamer).  Every pass (the prefill, then
 * each decode step) runs, per layer, the Q/K/V projections, the layer's
 * attention in the RP, then the O projection and the FFN.  Each matrix's
 * packed weights are cut into tiles of at most one URAM buffer half
 * (DES_WEIGHT_TILE_BYTES) and striped evenly over the weight ports
 * (architecture.static_region.weight_ports).  The streamer loads tiles in
 * order, one at a time, into a double buffer: it may start tile i+1 once
 * tile i has left the ports and a buffer half is free; a tile is usable one
 * round-trip latency after its last byte left.  The TLMM computes a tile
 * when it has landed, in
 *     (tile's share of engine_tlmm_cycles(tokens, matrix, depth)) / (f x eta_tlmm)
 * (each engine's efficiency is engine_eta(): the calibrated eta_tlmm and
 * eta_attn, or a measured profile's, models/profile.h)
 * (tokens = L in prefill, 1 in decode; the tile shares are an exact integer
 * split of the matrix's cycles), so streaming and compute overlap tile by
 * tile and each matrix takes about max(compute, stream).  RMSNorm and the
 * element-wise work are fused into this stream and take no time of their
 * own, as in the analytic model.
 *
 * Work gates: the O projection of a layer waits for its attention; the Q
 * projection of layer 0 of a decode step waits for the previous token's LM
 * head (and, for the first step of a dpr design, for the decode RM).  By
 * default the streamer runs ahead of the gates as far as the double buffer
 * allows: it fills the two halves with the next layer's (or step's) weights
 * during attention and the LM head, which hides weight loading that the
 * analytic model exposes, and makes weights compete with the K/V streams
 * on shared ports.  With des_opts.no_prefetch it loads only for work the
 * TLMM may start: weights and attention never stream at the same time and
 * the schedule is the analytic model's.
 *
 * RP (attention).  Holds the prefill RM, nothing while reconfiguring, or
 * the decode RM (a static design holds both engines).  Prefill attention of
 * one layer runs engine_pre_cycles / (f x eta_attn) of compute while it reads
 * Q (L tokens), K and V (the tokens the causal schedule streams,
 * engine_pre_kv_tokens) and writes the prompt's K/V and O, each tensor split
 * evenly over the ports the prefill port map gives it; it ends when both
 * compute and data are done (the roofline of the analytic model, but with
 * every stream sharing ports, controller ports and DDR with whatever else
 * is moving).  A decode step's attention, c = L + 1 + i keys, runs in the
 * stages of the decode engine's dataflow (design.h): [Q preload through its
 * port while other masters on it wait] ->
 *     serial         Q.K pass with the K stream -> softmax -> S.V pass with
 *                    the V stream and the K/V append (and O unless o_after_kv)
 *     kv_overlap     one pass (engine_dec_kv_cycles) with K, V, the append
 *                    (and O) streaming at once
 *     head_pipeline  heads + 1 steps: step k runs part A on head k (its Q.K
 *                    with its share of K, then its softmax) and part B on
 *                    head k - 1 (its S.V with its share of V; the last head's
 *                    with the append) at once, and ends when both are done
 * -> [O write-back].  Each stage (part) with data ends one round-trip
 * latency after its last byte.
 *
 * K/V cache (models/kvcache.h).  Every K/V transfer carries the design's
 * precision's bytes per key.  With an on-chip tier of T keys per layer, a
 * decode engine's pass over c keys (Q.K, S.V, the one K/V pass, a head
 * pipeline part) streams the c - min(c, T) keys the tier does not hold
 * from DDR with the cycles of that many keys (the depth included), and
 * then, once those have landed, reads the min(c, T) others from the tier:
 * a segment of max(their cycles, their bytes at the tier's rate) with no
 * DDR traffic, shown on the tier's track.  A tier in the decode RM is
 * refilled once the RM is loaded: K and V of min(L, T) keys of every
 * layer from DDR over the decode port map; the first decode step waits for
 * it as it waits for the swap.
 *
 * Swap (dpr).  When the last layer's prefill attention ends, the PS takes
 * the swap_ps_ms software path, then PCAP loads the partial bitstream
 * (engine_bitstream_bytes of the design's pblock) at the PCAP rate slowed by
 * the DDR load of the moment (pcap.h); meanwhile the static region runs the
 * last layer's O projection and FFN and the ARM the first token's LM head.
 * The first decode step starts when both the decode RM is loaded and that
 * LM head is done.  Assumed: the software path comes before the PCAP
 * stream (the driver prepares, then streams).
 *
 * One module throughout (des_opts.hold, a dpr design that never swaps):
 * the RP holds the prefill or the decode RM from t = 0 and the other phase
 * runs on it with that engine's cycles, master and port map.  A decode
 * step on the prefill engine is one stage like a prefill's: the cycles of
 * one query against c keys (engine_pre_query_cycles) beside its Q read,
 * the c-key K and V streams, the K/V append and the O write.  A prefill on
 * the decode engine runs the decode stages of its dataflow once per
 * query, query i (1-based) against i keys, one query after the other.
 *
 * ARM.  The LM head of each token takes calibration.lm_head_s; the next
 * step needs its token.  It runs beside the swap's software path (other
 * cores) and its DDR traffic is not modelled.
 *
 * Figures: the analytic model's (README.md), from the event times; plus the
 * tail overlap, the hidden part of the swap, per-port busy fraction and
 * mean bandwidth per phase (prefill: 0 to the end of prefill; decode: from
 * there to the end), bytes per stream, events and wall time.  Energy uses
 * the analytic power model (perf_power_w) with the DES's bytes and times.
 *
 * Where the DES and the analytic model describe the same thing
 * (no_prefetch: no two masters on one port at once, ports of one
 * controller never both saturated) they agree within a few per cent by
 * construction: the same cycle counts, the same port capacities; the
 * residue is one tile of pipeline fill per linear segment and one latency
 * per transfer.  Elsewhere the DES is the reference.
 */
#include "sim/des.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/common.h"
#include "models/engine.h"
#include "models/kvcache.h"
#include "models/perf.h"
#include "models/platform.h"
#include "models/rms.h"
#include "sim/ddr.h"
#include "sim/evq.h"
#include "sim/pcap.h"
#include "sim/trace.h"

_Static_assert(DES_MASTERS <= DDR_MAX_MASTERS, "ddr.h holds too few masters");
_Static_assert(CFG_MAX_HP <= DDR_MAX_HP && CFG_MAX_CTRL <= DDR_MAX_CTRL, "ddr.h holds too few ports");
_Static_assert(DES_STREAMS <= DDR_MAX_STREAMS, "ddr.h holds too few streams");

const char *const des_stream_names[DES_STREAMS] = {"weights", "K", "V", "Q", "O", "bitstream"};
const char *const des_phase_names[DES_PHASES] = {"prefill", "decode"};

/* What the partition holds: the trace vocabulary's modules (sim/trace.h). */
enum {
	RP_PREFILL = TRACE_MODULE_PREFILL,
	RP_RECONF = TRACE_MODULE_RECONF,
	RP_DECODE = TRACE_MODULE_DECODE,
	RP_STATIC = TRACE_MODULE_STATIC
};
enum { ST_PREFILL, ST_QLOAD, ST_QK, ST_SOFTMAX, ST_SV, ST_OWRITE, ST_KV, ST_HPIPE, ST_HQK, ST_HSV, ST_PREQ, ST_REFILL };
static const char *const stage_names[] = {"prefill attention",
					  "Q preload",
					  "QK pass",
					  "softmax",
					  "SV pass",
					  "O write-back",
					  "QK+SV pass",
					  "head pipeline",
					  "QK pass (head)",
					  "SV pass (head)",
					  "decode attention on the prefill RM",
					  "K/V tier refill"};
/* parts of one head-pipeline step: A = Q.K then softmax of head k, B = S.V of head k - 1 */
enum { HP_A, HP_B };
enum { ENG_PRE, ENG_DEC };
static const char *const rp_names[] = {"prefill RM", "reconfiguring", "decode RM", "attention engines"};

/* trace tracks */
enum { PID_ACC = 1, PID_PORT0 = 10 };
enum { TID_PASS = 1, TID_TLMM, TID_RP, TID_PCAP, TID_ARM, TID_TIER };
#define OP_STAGE 16 /* trace tags: ops < 16 are matrices, 16 + stage are attention stages */

typedef struct {
	int pass, layer, mat, tile;
} cursor;

struct port_span {
	int n;
	bool open;
	int64_t t0, t1;
	uint64_t tag;
};

typedef struct {
	const cfg_t *c;
	const workload_t *w;
	const design_t *d;
	const portmap_t *pm_pre, *pm_dec;
	evq q;
	ddr m;
	pcap pc;
	trace_file tr;
	bool tracing;

	int prompt, gen, npass, layers, nmat, npre;
	bool dpr, prefetch;
	bool swap; /* a dpr design that swaps (des_opts.hold is DES_HOLD_PHASE) */
	int hold;
	int64_t *step_ps;
	double tlmm_ps_per_cyc, pre_ps_per_cyc, dec_ps_per_cyc; /* each engine's cycle at its efficiency */
	int64_t lat_ps, lm_ps, ps_path_ps, adepth;
	double kb, qb; /* K (= V) and Q (= O) bytes per token per layer */
	int64_t pre_kv;
	int ntile[WORKLOAD_MAX_MATS];
	double tile_bytes[WORKLOAD_MAX_MATS];
	int64_t mat_cyc[2][WORKLOAD_MAX_MATS]; /* [prefill, decode] cycles of a matrix with depth */
	uint32_t wmask;
	int nwp;
	double bitstream_bytes;

	/* static region */
	cursor sc;                 /* next tile to stream */
	bool streaming;            /* a tile is on the ports */
	int spend;                 /* its flows not drained */
	uint64_t issued, consumed; /* tiles */
	struct {
		cursor c;
		bool landed;
	} ring[2];
	bool tbusy;
	int64_t gate; /* highest linear segment allowed to compute */
	int64_t t_mat0, t_layer0;

	/* RP */
	int rp;
	int64_t t_rp0;
	int a_pass, a_layer, a_stage, a_flows;
	int a_engine, a_query; /* the engine at work; the query of a prefill on the decode engine */
	int64_t a_keys;        /* keys the current query attends */
	bool a_data, a_comp;
	/* head pipeline: step k runs part A on head k (k < heads) and part B on head k - 1 (k >= 1) */
	int hp_k, hp_flows[2];
	bool hp_data[2], hp_comp[2], hp_sm[2], hp_done[2];
	int64_t a_t0, a_st0;

	/* swap, ARM, milestones */
	bool swap_done, lm0_done, finished;
	int64_t t_trigger, t_ps_done, t_swap_end;
	int64_t t_prefill_end, t_ttft, t_dec_start, t_step0, t_first_step_end, t_last_lm, t_lm0;
	int64_t pre_att_ps;

	/* the K/V tier (kvcache.h): a pass's keys from the tier are a segment
	 * after those from DDR; a tier in the decode RM is refilled after the swap */
	int64_t tier_keys;       /* T, keys per layer on chip */
	double tier_ps_per_byte; /* the tier's read time */
	int64_t a_tier_ps, a_tier_t0;
	bool a_tier_run;
	double a_tier_bytes;
	int64_t hp_tier_ps[2], hp_tier_t0[2];
	bool hp_tier_run[2];
	double hp_tier_bytes[2];
	double refill_bytes, tier_read_bytes;
	int refill_flows;
	bool refill_done;
	int64_t t_refill0, t_refill_end;

	double p0_bytes[CFG_MAX_HP];
	int64_t p0_busy[CFG_MAX_HP];
	struct port_span pspan[DDR_MAX_HP][DDR_MAX_STREAMS];
	char name[PDS_NAME_MAX + 64];
	char bug[160]; /* a broken invariant of the schedule */

	/* a sequence of modules (des_opts.plan): the one in the partition (or
	 * being loaded), the pass that waits for it, and what the swaps took */
	const des_plan *plan;
	int seg;
	int wait_pass;             /* > 0: this pass opens when the swap ends */
	int64_t sw_trigger, sw_ps_done, sw_lm_end;
	int64_t pc0_start, pc0_stream, pc0_end; /* PCAP of the first swap */
	int mid_swaps;
	int64_t mid_swap_ps, mid_exposed_ps;
	/* decode energy by module: bytes and time per segment */
	double seg_bytes0[DES_MAX_SEGS];
	int64_t seg_t0[DES_MAX_SEGS], seg_t1[DES_MAX_SEGS];
	double seg_bytes1[DES_MAX_SEGS];
	bool seg_used[DES_MAX_SEGS];
} des;

/* ------------------------------------------------------------- helpers */

static int64_t ps_of(double x_ps)
{
	return (int64_t)llround(x_ps);
}

static uint64_t tag_of(int pass, int layer, int op)
{
	return (uint64_t)pass << 20 | (uint64_t)layer << 8 | (uint64_t)op;
}

static int64_t seg_of(const des *s, const cursor *c)
{
	return (int64_t)c->pass * (s->layers + 1) + (c->mat < s->npre ? c->layer : c->layer + 1);
}

static void advance(const des *s, cursor *c)
{
	if (++c->tile < s->ntile[c->mat])
		return;
	c->tile = 0;
	if (++c->mat < s->nmat)
		return;
	c->mat = 0;
	if (++c->layer < s->layers)
		return;
	c->layer = 0;
	c->pass++;
}

static const char *op_name(const des *s, int op)
{
	return op < OP_STAGE ? s->w->mat[op].name : stage_names[op - OP_STAGE];
}

static const char *phase_of(int pass)
{
	return pass == 0 ? TRACE_CAT_PREFILL : TRACE_CAT_DECODE;
}

/* The accelerator's tracks and the units of the trace vocabulary. */
static int unit_of(int tid)
{
	switch (tid) {
	case TID_PASS: return TRACE_UNIT_PASS;
	case TID_TLMM: return TRACE_UNIT_TLMM;
	case TID_RP: return TRACE_UNIT_RP;
	case TID_PCAP: return TRACE_UNIT_PCAP;
	case TID_ARM: return TRACE_UNIT_ARM;
	case TID_TIER: return TRACE_UNIT_TIER;
	default: BUG("track %d of the accelerator has no unit", tid);
	}
}

/* A milestone of the trace (trace.h) now, on track tid of the accelerator. */
static void milestone(des *s, int which, int tid)
{
	trace_args a = trace_args_none();
	a.unit = unit_of(tid);
	trace_instant(&s->tr, PID_ACC, tid, trace_milestone_names[which], TRACE_CAT_MILESTONE, s->q.now_ps, &a);
}

/* Trace a span of pass `pass` (token index of a decode step, none for prefill). */
static void span(des *s, int tid, const char *name, int pass, int layer, int64_t t0, int64_t t1)
{
	if (!s->tracing)
		return;
	trace_args a = trace_args_none();
	a.layer = layer;
	a.token = pass > 0 ? pass - 1 : -1;
	a.unit = unit_of(tid);
	a.phase = phase_of(pass);
	trace_span(&s->tr, PID_ACC, tid, name, phase_of(pass), t0, t1, &a);
}

/* A span on the tier's track, with the bytes it read or refilled. */
static void tier_span(des *s, const char *name, int pass, int layer, int64_t t0, int64_t t1, double bytes)
{
	if (!s->tracing)
		return;
	trace_args a = trace_args_none();
	a.layer = layer;
	a.token = pass > 0 ? pass - 1 : -1;
	a.unit = TRACE_UNIT_TIER;
	a.phase = phase_of(pass);
	a.bytes = bytes;
	trace_span(&s->tr, PID_ACC, TID_TIER, name, phase_of(pass), t0, t1, &a);
}

/* --------------------------------------------------------- trace: ports */

static void port_emit(des *s, int port, int stream, struct port_span *sp)
{
	int pass = (int)(sp->tag >> 20), layer = (int)(sp->tag >> 8 & 0xfff), op = (int)(sp->tag & 0xff);
	trace_args a = trace_args_none();
	a.layer = layer;
	a.token = pass > 0 ? pass - 1 : -1;
	a.unit = TRACE_UNIT_PORT;
	a.phase = phase_of(pass);
	a.port = s->c->dev.hp[port].name;
	a.stream = des_stream_names[stream];
	trace_span(&s->tr, PID_PORT0 + port, stream + 1, op_name(s, op), phase_of(pass), sp->t0, sp->t1, &a);
	sp->open = false;
}

/* One span per port, stream and op: back-to-back flows of one op merge. */
static void port_hook(void *ctx, int port, int stream, uint64_t tag, int delta)
{
	des *s = ctx;
	struct port_span *sp = &s->pspan[port][stream];
	int64_t now = s->q.now_ps;
	if (delta > 0) {
		if (sp->n == 0 && sp->open && (sp->t1 != now || sp->tag != tag))
			port_emit(s, port, stream, sp);
		if (sp->n > 0 && sp->tag != tag) {
			sp->t1 = now;
			port_emit(s, port, stream, sp);
		}
		if (!sp->open) {
			sp->open = true;
			sp->t0 = now;
			sp->tag = tag;
		}
		sp->n++;
	} else if (--sp->n == 0) {
		sp->t1 = now;
	}
}

static void trace_header(des *s)
{
	const cfg_t *c = s->c;
	trace_process(&s->tr, PID_ACC, s->name, 0);
	trace_thread(&s->tr, PID_ACC, TID_PASS, "inference (passes, layers)", 0);
	trace_thread(&s->tr, PID_ACC, TID_TLMM, "TLMM (static region)", 1);
	trace_thread(&s->tr, PID_ACC, TID_RP, s->dpr ? "RP (attention partition)" : "attention engines", 2);
	trace_thread(&s->tr, PID_ACC, TID_PCAP, "PCAP (swap)", 3);
	trace_thread(&s->tr, PID_ACC, TID_ARM, "ARM (LM head)", 4);
	if (s->tier_keys > 0)
		trace_thread(&s->tr, PID_ACC, TID_TIER,
			     s->d->kv_tier == KV_TIER_RP ? "K/V tier (decode RM)" : "K/V tier (static region)", 5);
	for (int h = 0; h < c->dev.n_hp; h++) {
		char nm[2 * PDS_NAME_MAX + 32];
		snprintf(nm, sizeof nm, "%s (DDR port %s)", c->dev.hp[h].name, c->dev.ddr.ctrl[c->dev.hp[h].ctrl].name);
		trace_process(&s->tr, PID_PORT0 + h, nm, 1 + h);
		for (int k = 0; k < DES_S_BITSTREAM; k++)
			trace_thread(&s->tr, PID_PORT0 + h, k + 1, des_stream_names[k], k);
	}
}

/* ----------------------------------------------------------- RP states */

static void rp_state(des *s, int st)
{
	int64_t now = s->q.now_ps;
	if (s->tracing) {
		trace_args a = trace_args_none();
		a.unit = TRACE_UNIT_RP;
		a.module = s->rp;
		char nm[RMS_NAME_MAX + 16];
		if (s->plan && s->rp != RP_RECONF)
			snprintf(nm, sizeof nm, "RM %s", s->plan->name[s->seg]);
		else
			snprintf(nm, sizeof nm, "%s", rp_names[s->rp]);
		trace_span(&s->tr, PID_ACC, TID_RP, nm, TRACE_CAT_RP, s->t_rp0, now, &a);
	}
	s->rp = st;
	s->t_rp0 = now;
}

/* ------------------------------------------------------ modules in turn */

/* The module of the plan that serves pass `pass`. */
static int seg_of_pass(const des *s, int pass)
{
	int k = 0;
	while (k + 1 < s->plan->n && pass >= s->plan->from[k + 1])
		k++;
	return k;
}

/* What the partition holds while module k of the plan is in it. */
static int rp_kind(const des *s, int k)
{
	uint8_t e = s->plan->engines[k];
	return e == (RM_ENG_PRE | RM_ENG_DEC) ? RP_STATIC : e & RM_ENG_PRE ? RP_PREFILL : RP_DECODE;
}

/* Module k of the plan is in the partition: its engines, port maps and
 * AXI settings from now on. */
static void load_module(des *s, int k)
{
	s->seg = k;
	s->d = &s->plan->view[k];
	s->pm_pre = &s->c->arch.port_maps[s->d->pm_pre].pm;
	s->pm_dec = &s->c->arch.port_maps[s->d->pm_dec].pm;
	ddr_params mp;
	des_ddr_params(s->c, s->d, &mp);
	ddr_set_master(&s->m, DES_M_PRE, mp.master_b_per_s[DES_M_PRE]);
	ddr_set_master(&s->m, DES_M_DEC, mp.master_b_per_s[DES_M_DEC]);
}

static double total_bytes(const des *s)
{
	double b = 0;
	for (int h = 0; h < s->c->dev.n_hp; h++)
		b += ddr_port_bytes(&s->m, h);
	return b;
}

/* ------------------------------------------------------- static region */

static void tlmm_try(des *s);
static void stream_try(des *s);
static void attn_start(des *s, int pass, int layer);
static void pass_done(des *s, int pass);

static void tile_landed(void *ctx, uint64_t seq)
{
	des *s = ctx;
	s->ring[seq % 2].landed = true;
	tlmm_try(s);
}

static void stream_drained(void *ctx, uint64_t tag)
{
	(void)tag;
	des *s = ctx;
	if (--s->spend > 0)
		return;
	s->streaming = false;
	evq_after(&s->q, s->lat_ps, tile_landed, s, s->issued - 1);
	stream_try(s);
}

static void stream_try(des *s)
{
	if (s->streaming || s->issued - s->consumed >= 2 || s->sc.pass >= s->npass)
		return;
	if (!s->prefetch && seg_of(s, &s->sc) > s->gate)
		return;
	cursor *c = &s->sc;
	uint64_t tag = tag_of(c->pass, c->layer, c->mat);
	s->ring[s->issued % 2].c = *c;
	s->ring[s->issued % 2].landed = false;
	s->issued++;
	s->streaming = true;
	s->spend = s->nwp;
	double b = s->tile_bytes[c->mat] / s->nwp;
	advance(s, c);
	for (int h = 0; h < s->c->dev.n_hp; h++)
		if (s->wmask >> h & 1u)
			ddr_start(&s->m, h, DDR_RD, DES_M_WEIGHTS, DES_S_WEIGHTS, b, stream_drained, s, tag);
}

static void tlmm_done(void *ctx, uint64_t arg)
{
	(void)arg;
	des *s = ctx;
	cursor c = s->ring[s->consumed % 2].c;
	s->consumed++;
	s->tbusy = false;
	if (c.tile == s->ntile[c.mat] - 1) {
		int64_t now = s->q.now_ps;
		span(s, TID_TLMM, s->w->mat[c.mat].name, c.pass, c.layer, s->t_mat0, now);
		if (c.mat == s->npre - 1)
			attn_start(s, c.pass, c.layer);
		if (c.mat == s->nmat - 1) {
			if (s->tracing) {
				char nm[32];
				snprintf(nm, sizeof nm, "layer %d", c.layer);
				span(s, TID_PASS, nm, c.pass, c.layer, s->t_layer0, now);
			}
			if (c.layer == s->layers - 1)
				pass_done(s, c.pass);
		}
	}
	stream_try(s);
	tlmm_try(s);
}

static void tlmm_try(des *s)
{
	if (s->tbusy || s->consumed == s->issued)
		return;
	const cursor *c = &s->ring[s->consumed % 2].c;
	if (!s->ring[s->consumed % 2].landed || seg_of(s, c) > s->gate)
		return;
	s->tbusy = true;
	if (c->tile == 0) {
		s->t_mat0 = s->q.now_ps;
		if (c->mat == 0)
			s->t_layer0 = s->q.now_ps;
	}
	int64_t cyc = s->mat_cyc[c->pass > 0][c->mat], n = s->ntile[c->mat];
	int64_t tc = cyc * (c->tile + 1) / n - cyc * c->tile / n;
	evq_after(&s->q, ps_of((double)tc * s->tlmm_ps_per_cyc), tlmm_done, s, 0);
}

static void open_gate(des *s, int64_t seg)
{
	if (seg > s->gate)
		s->gate = seg;
	stream_try(s);
	tlmm_try(s);
}

/* ------------------------------------------------------------ the swap */

static void open_pass(des *s, int pass);

/*
 * The refill of a tier in the decode RM, once the module is in: K and V of
 * min(L, T) keys of every layer from DDR over the decode port map (the
 * decode engine's master), landing one round trip after the last byte.
 * The first decode step waits for it (and for the first LM head).
 */
static void refill_landed(void *ctx, uint64_t arg)
{
	(void)arg;
	des *s = ctx;
	s->refill_done = true;
	s->t_refill_end = s->q.now_ps;
	tier_span(s, stage_names[ST_REFILL], 1, -1, s->t_refill0, s->t_refill_end, s->refill_bytes);
	if (s->lm0_done)
		open_pass(s, 1);
}

static void refill_drained(void *ctx, uint64_t arg)
{
	(void)arg;
	des *s = ctx;
	if (--s->refill_flows > 0)
		return;
	evq_after(&s->q, s->lat_ps, refill_landed, s, 0);
}

static void refill_start(des *s)
{
	s->t_refill0 = s->q.now_ps;
	if (!(s->refill_bytes > 0)) {
		s->refill_done = true;
		s->t_refill_end = s->t_refill0;
		if (s->lm0_done)
			open_pass(s, 1);
		return;
	}
	const uint32_t mask[2] = {s->pm_dec->k, s->pm_dec->v};
	const int stream[2] = {DES_S_K, DES_S_V};
	uint64_t tag = tag_of(1, 0, OP_STAGE + ST_REFILL);
	for (int t = 0; t < 2; t++) {
		int n = __builtin_popcount(mask[t]);
		for (int h = 0; h < s->c->dev.n_hp; h++)
			if (mask[t] >> h & 1u) {
				s->refill_flows++;
				ddr_start(&s->m, h, DDR_RD, DES_M_DEC, stream[t], s->refill_bytes / 2 / n, refill_drained, s, tag);
			}
	}
}

/* arg: the pass whose last attention triggered the swap (0: the prefill->decode swap) */
static void pcap_done(void *ctx, uint64_t arg)
{
	des *s = ctx;
	int64_t now = s->q.now_ps;
	bool first = arg == 0;
	if (first) {
		s->t_swap_end = now;
		s->swap_done = true;
		s->pc0_start = s->pc.t_start;
		s->pc0_stream = s->pc.t_stream;
		s->pc0_end = s->pc.t_end;
	}
	if (s->tracing) {
		if (first)
			milestone(s, TRACE_MS_DECODE_LOADED, TID_PCAP);
		char to[RMS_NAME_MAX + 16];
		if (s->plan)
			snprintf(to, sizeof to, "swap to RM %s", s->plan->name[s->seg + 1]);
		else
			snprintf(to, sizeof to, "swap to the decode RM");
		const char *const names[TRACE_PARTS] = {"PS software path", "PCAP setup", "partial bitstream", to};
		const int64_t t0[TRACE_PARTS] = {s->sw_trigger, s->pc.t_start, s->pc.t_stream, s->sw_trigger};
		const int64_t t1[TRACE_PARTS] = {s->sw_ps_done, s->pc.t_stream, s->pc.t_end, now};
		for (int k = 0; k < TRACE_PARTS; k++) {
			trace_args a = trace_args_none();
			a.unit = TRACE_UNIT_PCAP;
			a.part = k;
			if (k == TRACE_PART_BITSTREAM)
				a.bytes = s->bitstream_bytes;
			trace_span(&s->tr, PID_ACC, TID_PCAP, names[k], TRACE_CAT_SWAP, t0[k], t1[k], &a);
		}
	}
	if (!s->plan) {
		rp_state(s, RP_DECODE);
		refill_start(s); /* a decode RM's K/V tier, then the first step */
		return;
	}
	load_module(s, s->seg + 1);
	rp_state(s, rp_kind(s, s->seg));
	if (!first) {
		s->mid_swaps++;
		s->mid_swap_ps += now - s->sw_trigger;
	}
	if (s->wait_pass > 0) {
		int p = s->wait_pass;
		s->wait_pass = 0;
		if (!first)
			s->mid_exposed_ps += now - s->sw_lm_end;
		open_pass(s, p);
	}
}

static void swap_ps_done(void *ctx, uint64_t arg)
{
	des *s = ctx;
	s->sw_ps_done = s->q.now_ps;
	if (arg == 0)
		s->t_ps_done = s->sw_ps_done;
	pcap_start(&s->pc, s->bitstream_bytes, pcap_done, s, arg);
}

/* The swap after pass `pass` (0: the prefill->decode swap). */
static void swap_trigger(des *s, int pass)
{
	s->sw_trigger = s->q.now_ps;
	if (pass == 0) {
		s->t_trigger = s->sw_trigger;
		if (s->tracing)
			milestone(s, TRACE_MS_SWAP_TRIGGER, TID_PCAP);
	}
	rp_state(s, RP_RECONF);
	evq_after(&s->q, s->ps_path_ps, swap_ps_done, s, (uint64_t)pass);
}

/* ----------------------------------------------------------- attention */

static void stage_start(des *s, int st);
static int first_dec_stage(const des *s);

static void attn_done(des *s)
{
	int64_t now = s->q.now_ps;
	int p = s->a_pass, l = s->a_layer;
	if (s->tracing) {
		char nm[48];
		snprintf(nm, sizeof nm, "attention layer %d", l);
		span(s, TID_RP, nm, p, l, s->a_t0, now);
	}
	if (p == 0)
		s->pre_att_ps += now - s->a_t0;
	if (l == s->layers - 1) {
		if (s->plan) {
			/* the next module, if the next pass is its; after the prefill
			 * even when no decode step follows (its exposure is measured) */
			if (s->seg + 1 < s->plan->n && s->plan->from[s->seg + 1] == p + 1 && (p == 0 || p + 1 < s->npass))
				swap_trigger(s, p);
		} else if (p == 0 && s->swap) {
			swap_trigger(s, 0);
		}
	}
	open_gate(s, (int64_t)p * (s->layers + 1) + l + 1);
}

static void stage_end(des *s)
{
	if (s->a_pass > 0)
		span(s, TID_RP, stage_names[s->a_stage], s->a_pass, s->a_layer, s->a_st0, s->q.now_ps);
	switch (s->a_stage) {
	case ST_QLOAD:
		stage_start(s, first_dec_stage(s));
		return;
	case ST_QK:
		stage_start(s, ST_SOFTMAX);
		return;
	case ST_SOFTMAX:
		stage_start(s, ST_SV);
		return;
	case ST_SV:
	case ST_KV:
	case ST_HPIPE:
		if (s->pm_dec->o_after_kv) {
			stage_start(s, ST_OWRITE);
			return;
		}
		break;
	default:
		break;
	}
	/* a prefill on the decode engine: the next query */
	if (s->a_pass == 0 && s->a_engine == ENG_DEC && ++s->a_query < s->prompt) {
		s->a_keys = s->a_query + 1;
		stage_start(s, s->pm_dec->q_preload ? ST_QLOAD : first_dec_stage(s));
		return;
	}
	attn_done(s);
}

/* The tier segment of a pass is over: the keys the tier holds are done. */
static void stage_tier_done(void *ctx, uint64_t arg)
{
	(void)arg;
	des *s = ctx;
	static const char *const names[] = {[ST_QK] = "tier reads (QK pass)", [ST_SV] = "tier reads (SV pass)",
					    [ST_KV] = "tier reads (QK+SV pass)"};
	tier_span(s, names[s->a_stage], s->a_pass, s->a_layer, s->a_tier_t0, s->q.now_ps, s->a_tier_bytes);
	s->tier_read_bytes += s->a_tier_bytes;
	stage_end(s);
}

static void stage_check(des *s)
{
	if (!s->a_data || !s->a_comp)
		return;
	/* the DDR keys are done: the tier's, if it holds any, come next */
	if (s->a_tier_ps > 0 && !s->a_tier_run) {
		s->a_tier_run = true;
		s->a_tier_t0 = s->q.now_ps;
		evq_after(&s->q, s->a_tier_ps, stage_tier_done, s, 0);
		return;
	}
	stage_end(s);
}

static void stage_landed(void *ctx, uint64_t arg)
{
	(void)arg;
	des *s = ctx;
	s->a_data = true;
	stage_check(s);
}

static void stage_drained(void *ctx, uint64_t arg)
{
	(void)arg;
	des *s = ctx;
	if (--s->a_flows > 0)
		return;
	if (s->a_stage == ST_QLOAD)
		ddr_hold(&s->m, 0, -1);
	evq_after(&s->q, s->lat_ps, stage_landed, s, 0);
}

static void stage_computed(void *ctx, uint64_t arg)
{
	(void)arg;
	des *s = ctx;
	s->a_comp = true;
	stage_check(s);
}

/* A tensor of `bytes` split evenly over the ports of `mask`. */
static void att_flow(des *s, uint32_t mask, int dir, int stream, double bytes)
{
	int n = __builtin_popcount(mask);
	if (n == 0 || !(bytes > 0))
		return;
	int master = s->a_engine == ENG_PRE ? DES_M_PRE : DES_M_DEC;
	uint64_t tag = tag_of(s->a_pass, s->a_layer, OP_STAGE + s->a_stage);
	for (int h = 0; h < s->c->dev.n_hp; h++)
		if (mask >> h & 1u) {
			s->a_flows++;
			ddr_start(&s->m, h, dir, master, stream, bytes / n, stage_drained, s, tag);
		}
}

/* The stage a decode step's attention starts with after the Q preload. */
static int first_dec_stage(const des *s)
{
	switch (s->d->dec_dataflow) {
	case DF_SERIAL: return ST_QK;
	case DF_KV_OVERLAP: return ST_KV;
	case DF_HEAD_PIPE: return ST_HPIPE;
	default: BUG("dataflow %d", (int)s->d->dec_dataflow);
	}
}

/*
 * The head pipeline (DF_HEAD_PIPE): step k of heads + 1 runs part A on
 * head k (k < heads: the Q.K pass with its K stream, then the softmax) and
 * part B on head k - 1 (k >= 1: the S.V pass with its V stream, the O of
 * that head unless o_after_kv, and, for the last head, the K/V append)
 * at once; the next step starts when both are done.  Each part's data
 * lands one round-trip latency after its last byte.
 */
static void hp_step(des *s);
static void hp_computed(void *ctx, uint64_t arg);

static void hp_tier_done(void *ctx, uint64_t arg);

static void hp_part_check(des *s, int part)
{
	if (s->hp_done[part] || !s->hp_data[part] || !s->hp_comp[part])
		return;
	if (s->hp_tier_ps[part] > 0 && !s->hp_tier_run[part]) {
		/* the DDR keys of the pass are done: the tier's next */
		s->hp_tier_run[part] = true;
		s->hp_comp[part] = false;
		s->hp_tier_t0[part] = s->q.now_ps;
		evq_after(&s->q, s->hp_tier_ps[part], hp_tier_done, s, (uint64_t)part);
		return;
	}
	if (part == HP_A && !s->hp_sm[part]) {
		/* Q.K and its K stream are done: the softmax of the head */
		s->hp_sm[part] = true;
		s->hp_comp[part] = false;
		evq_after(&s->q, ps_of((double)(s->a_keys + s->adepth) * s->dec_ps_per_cyc), hp_computed, s,
			  HP_A);
		return;
	}
	s->hp_done[part] = true;
	if (s->hp_done[HP_A] && s->hp_done[HP_B]) {
		s->hp_k++;
		if (s->hp_k > s->w->heads) {
			stage_end(s);
			return;
		}
		hp_step(s);
	}
}

static void hp_tier_done(void *ctx, uint64_t arg)
{
	des *s = ctx;
	int part = (int)arg;
	tier_span(s, part == HP_A ? "tier reads (QK pass, head)" : "tier reads (SV pass, head)", s->a_pass, s->a_layer,
		  s->hp_tier_t0[part], s->q.now_ps, s->hp_tier_bytes[part]);
	s->tier_read_bytes += s->hp_tier_bytes[part];
	s->hp_comp[part] = true;
	hp_part_check(s, part);
}

static void hp_landed(void *ctx, uint64_t arg)
{
	des *s = ctx;
	s->hp_data[arg] = true;
	hp_part_check(s, (int)arg);
}

static void hp_computed(void *ctx, uint64_t arg)
{
	des *s = ctx;
	s->hp_comp[arg] = true;
	hp_part_check(s, (int)arg);
}

static void hp_drained(void *ctx, uint64_t tag)
{
	des *s = ctx;
	int part = (int)(tag & 0xff) - OP_STAGE == ST_HQK ? HP_A : HP_B;
	if (--s->hp_flows[part] > 0)
		return;
	evq_after(&s->q, s->lat_ps, hp_landed, s, (uint64_t)part);
}

static void hp_flow(des *s, int part, uint32_t mask, int dir, int stream, double bytes)
{
	int n = __builtin_popcount(mask);
	if (n == 0 || !(bytes > 0))
		return;
	uint64_t tag = tag_of(s->a_pass, s->a_layer, OP_STAGE + (part == HP_A ? ST_HQK : ST_HSV));
	for (int h = 0; h < s->c->dev.n_hp; h++)
		if (mask >> h & 1u) {
			s->hp_flows[part]++;
			ddr_start(&s->m, h, dir, DES_M_DEC, stream, bytes / n, hp_drained, s, tag);
		}
}

/* A tier segment (decode only): its cycles against its bytes at the tier's rate, ps. */
static int64_t tier_seg_ps(const des *s, int64_t cyc, double bytes)
{
	int64_t tc = ps_of((double)cyc * s->dec_ps_per_cyc), tb = ps_of(bytes * s->tier_ps_per_byte);
	return tc > tb ? tc : tb;
}

static void hp_step(des *s)
{
	const workload_t *w = s->w;
	const design_t *d = s->d;
	const portmap_t *pm = s->pm_dec;
	int H = w->heads, k = s->hp_k;
	int64_t keys = s->a_keys, kt = kvcache_onchip_keys(d, keys), kd = keys - kt;
	double kh = (double)kd * s->kb / H, th = (double)kt * s->kb / H;
	for (int part = 0; part < 2; part++) {
		bool run = part == HP_A ? k < H : k >= 1;
		s->hp_flows[part] = 0;
		s->hp_sm[part] = false;
		s->hp_done[part] = !run;
		s->hp_data[part] = s->hp_comp[part] = false;
		s->hp_tier_run[part] = false;
		s->hp_tier_ps[part] = 0;
		s->hp_tier_bytes[part] = 0;
		if (!run)
			continue;
		int64_t cyc, all;
		if (part == HP_A) {
			all = engine_dec_head_a_cycles(w, keys, d->dec_lanes, s->adepth) - (keys + s->adepth);
			cyc = engine_dec_head_a_cycles(w, kd, d->dec_lanes, s->adepth) - (kd + s->adepth);
			hp_flow(s, part, pm->k, DDR_RD, DES_S_K, kh);
			if (!pm->q_preload)
				hp_flow(s, part, pm->q, DDR_RD, DES_S_Q, s->qb / H);
		} else {
			all = engine_dec_head_b_cycles(w, keys, d->dec_lanes, s->adepth);
			cyc = engine_dec_head_b_cycles(w, kd, d->dec_lanes, s->adepth);
			hp_flow(s, part, pm->v, DDR_RD, DES_S_V, kh);
			if (!pm->o_after_kv)
				hp_flow(s, part, pm->o, DDR_WR, DES_S_O, s->qb / H);
			if (k == H) {
				hp_flow(s, part, pm->k, DDR_WR, DES_S_K, s->kb);
				hp_flow(s, part, pm->v, DDR_WR, DES_S_V, s->kb);
			}
		}
		if (kt > 0) {
			s->hp_tier_ps[part] = tier_seg_ps(s, all - cyc, th);
			s->hp_tier_bytes[part] = th;
		}
		if (s->hp_flows[part] == 0)
			s->hp_data[part] = true;
		evq_after(&s->q, ps_of((double)cyc * s->dec_ps_per_cyc), hp_computed, s, (uint64_t)part);
	}
}

static void stage_start(des *s, int st)
{
	const workload_t *w = s->w;
	const design_t *d = s->d;
	const portmap_t *pm = s->a_engine == ENG_PRE ? s->pm_pre : s->pm_dec;
	int64_t keys = s->a_keys, cyc = 0;
	/* a decode engine's pass reads the keys the tier holds after the others */
	int64_t kt = s->a_engine == ENG_DEC ? kvcache_onchip_keys(d, keys) : 0, kd = keys - kt;
	s->a_stage = st;
	s->a_st0 = s->q.now_ps;
	s->a_flows = 0;
	s->a_data = s->a_comp = false;
	s->a_tier_ps = 0;
	s->a_tier_run = false;
	s->a_tier_bytes = 0;
	switch (st) {
	case ST_PREFILL:
		cyc = engine_pre_cycles(w, s->prompt, d->pre_pe, d->pre_lanes, d->pre_block, s->adepth, false);
		att_flow(s, pm->q, DDR_RD, DES_S_Q, s->prompt * s->qb);
		att_flow(s, pm->k, DDR_RD, DES_S_K, (double)s->pre_kv * s->kb);
		att_flow(s, pm->v, DDR_RD, DES_S_V, (double)s->pre_kv * s->kb);
		att_flow(s, pm->k, DDR_WR, DES_S_K, s->prompt * s->kb);
		att_flow(s, pm->v, DDR_WR, DES_S_V, s->prompt * s->kb);
		att_flow(s, pm->o, DDR_WR, DES_S_O, s->prompt * s->qb);
		break;
	case ST_QLOAD:
		ddr_hold(&s->m, pm->q, DES_M_DEC);
		att_flow(s, pm->q, DDR_RD, DES_S_Q, s->qb);
		if (s->a_flows == 0)
			ddr_hold(&s->m, 0, -1);
		break;
	case ST_KV:
		cyc = engine_dec_kv_cycles(w, kd, d->dec_lanes, s->adepth);
		if (kt > 0) {
			s->a_tier_bytes = 2.0 * (double)kt * s->kb;
			s->a_tier_ps = tier_seg_ps(s, engine_dec_kv_cycles(w, keys, d->dec_lanes, s->adepth) - cyc,
						   s->a_tier_bytes);
		}
		att_flow(s, pm->k, DDR_RD, DES_S_K, (double)kd * s->kb);
		att_flow(s, pm->v, DDR_RD, DES_S_V, (double)kd * s->kb);
		att_flow(s, pm->k, DDR_WR, DES_S_K, s->kb);
		att_flow(s, pm->v, DDR_WR, DES_S_V, s->kb);
		if (!pm->q_preload)
			att_flow(s, pm->q, DDR_RD, DES_S_Q, s->qb);
		if (!pm->o_after_kv)
			att_flow(s, pm->o, DDR_WR, DES_S_O, s->qb);
		break;
	case ST_HPIPE:
		s->hp_k = 0;
		hp_step(s);
		return;
	case ST_QK:
		cyc = engine_dec_dot_cycles(w, kd, d->dec_lanes, s->adepth);
		if (kt > 0) {
			s->a_tier_bytes = (double)kt * s->kb;
			s->a_tier_ps = tier_seg_ps(s, engine_dec_dot_cycles(w, keys, d->dec_lanes, s->adepth) - cyc,
						   s->a_tier_bytes);
		}
		att_flow(s, pm->k, DDR_RD, DES_S_K, (double)kd * s->kb);
		if (!pm->q_preload)
			att_flow(s, pm->q, DDR_RD, DES_S_Q, s->qb);
		break;
	case ST_SOFTMAX:
		cyc = engine_dec_softmax_cycles(w, keys, s->adepth);
		break;
	case ST_SV:
		cyc = engine_dec_dot_cycles(w, kd, d->dec_lanes, s->adepth);
		if (kt > 0) {
			s->a_tier_bytes = (double)kt * s->kb;
			s->a_tier_ps = tier_seg_ps(s, engine_dec_dot_cycles(w, keys, d->dec_lanes, s->adepth) - cyc,
						   s->a_tier_bytes);
		}
		att_flow(s, pm->v, DDR_RD, DES_S_V, (double)kd * s->kb);
		att_flow(s, pm->k, DDR_WR, DES_S_K, s->kb);
		att_flow(s, pm->v, DDR_WR, DES_S_V, s->kb);
		if (!pm->o_after_kv)
			att_flow(s, pm->o, DDR_WR, DES_S_O, s->qb);
		break;
	case ST_OWRITE:
		att_flow(s, pm->o, DDR_WR, DES_S_O, s->qb);
		break;
	case ST_PREQ:
		cyc = engine_pre_query_cycles(w, keys, d->pre_lanes, s->adepth);
		att_flow(s, pm->q, DDR_RD, DES_S_Q, s->qb);
		att_flow(s, pm->k, DDR_RD, DES_S_K, (double)keys * s->kb);
		att_flow(s, pm->v, DDR_RD, DES_S_V, (double)keys * s->kb);
		att_flow(s, pm->k, DDR_WR, DES_S_K, s->kb);
		att_flow(s, pm->v, DDR_WR, DES_S_V, s->kb);
		att_flow(s, pm->o, DDR_WR, DES_S_O, s->qb);
		break;
	}
	if (s->a_flows == 0)
		s->a_data = true;
	/* completion always goes through the queue, never recursively */
	evq_after(&s->q, ps_of((double)cyc * (s->a_engine == ENG_PRE ? s->pre_ps_per_cyc : s->dec_ps_per_cyc)),
		  stage_computed, s, 0);
}

/* The engine that runs pass `pass`'s attention. */
static int engine_of(const des *s, int pass)
{
	if (s->plan) {
		uint8_t e = s->plan->engines[seg_of_pass(s, pass)];
		if (pass == 0)
			return e & RM_ENG_PRE ? ENG_PRE : ENG_DEC;
		return e & RM_ENG_DEC ? ENG_DEC : ENG_PRE;
	}
	if (s->hold == DES_HOLD_PREFILL)
		return ENG_PRE;
	if (s->hold == DES_HOLD_DECODE)
		return ENG_DEC;
	return pass == 0 ? ENG_PRE : ENG_DEC;
}

static void attn_start(des *s, int pass, int layer)
{
	/* the RP must hold the engine of the phase (or the one module it keeps) */
	int eng = engine_of(s, pass);
	int need = s->plan ? rp_kind(s, seg_of_pass(s, pass)) : !s->dpr ? RP_STATIC : eng == ENG_PRE ? RP_PREFILL : RP_DECODE;
	if ((s->rp != need || (s->plan && s->seg != seg_of_pass(s, pass))) && !s->bug[0]) {
		snprintf(s->bug, sizeof s->bug, "attention of pass %d layer %d started while the RP holds '%s'", pass,
			 layer, rp_names[s->rp]);
		evq_stop(&s->q);
	}
	s->a_pass = pass;
	s->a_layer = layer;
	s->a_t0 = s->q.now_ps;
	s->a_engine = eng;
	s->a_query = 0;
	/* a decode step attends the prompt and the tokens so far; a prefill on
	 * the decode engine starts with query 1 against 1 key */
	s->a_keys = pass > 0 ? (int64_t)s->prompt + pass : 1;
	if (eng == ENG_PRE)
		stage_start(s, pass == 0 ? ST_PREFILL : ST_PREQ);
	else
		stage_start(s, s->pm_dec->q_preload ? ST_QLOAD : first_dec_stage(s));
}

/* ------------------------------------------------------- passes, LM head */

static void open_pass(des *s, int pass)
{
	s->t_step0 = s->q.now_ps;
	if (s->plan && pass > 0) {
		int k = seg_of_pass(s, pass);
		if (!s->seg_used[k]) {
			s->seg_used[k] = true;
			s->seg_t0[k] = s->q.now_ps;
			s->seg_bytes0[k] = total_bytes(s);
		}
	}
	if (pass == 1)
		s->t_dec_start = s->q.now_ps;
	open_gate(s, (int64_t)pass * (s->layers + 1));
}

static void lm_done(void *ctx, uint64_t arg)
{
	des *s = ctx;
	int p = (int)arg;
	int64_t now = s->q.now_ps;
	span(s, TID_ARM, "LM head", p, -1, s->t_lm0, now);
	s->t_last_lm = now;
	if (p == 0) {
		s->t_ttft = now;
		if (s->tracing)
			milestone(s, TRACE_MS_FIRST_TOKEN, TID_ARM);
	} else {
		if (p == 1)
			s->t_first_step_end = now;
		if (s->step_ps)
			s->step_ps[p - 1] = now - s->t_step0;
		if (s->tracing) {
			char nm[48];
			snprintf(nm, sizeof nm, "decode step %d", p - 1);
			span(s, TID_PASS, nm, p, -1, s->t_step0, now);
		}
	}
	if (s->plan && p > 0) {
		int k = seg_of_pass(s, p);
		s->seg_t1[k] = now;
		s->seg_bytes1[k] = total_bytes(s);
	}
	if (p + 1 >= s->npass) {
		s->finished = true;
		return;
	}
	if (s->plan) {
		if (s->seg != seg_of_pass(s, p + 1)) {
			/* the next step waits for its module */
			s->wait_pass = p + 1;
			s->sw_lm_end = now;
			return;
		}
	} else if (p == 0 && s->swap && !(s->swap_done && s->refill_done)) {
		s->lm0_done = true; /* the first step waits for the decode RM (and its tier) */
		return;
	}
	open_pass(s, p + 1);
}

static void pass_done(des *s, int pass)
{
	int64_t now = s->q.now_ps;
	if (pass == 0) {
		s->t_prefill_end = now;
		for (int h = 0; h < s->c->dev.n_hp; h++) {
			s->p0_bytes[h] = ddr_port_bytes(&s->m, h);
			s->p0_busy[h] = ddr_port_busy_ps(&s->m, h);
		}
		span(s, TID_PASS, "prefill", 0, -1, 0, now);
	}
	s->t_lm0 = now;
	evq_after(&s->q, s->lm_ps, lm_done, s, (uint64_t)pass);
}

/* --------------------------------------------------------------- set-up */

void des_ddr_params(const cfg_t *c, const design_t *d, ddr_params *p)
{
	double f = d->clock_mhz * 1e6;
	const int burst[DES_MASTERS] = {c->arch.weight_burst, d->pre_burst, d->dec_burst};
	const int outst[DES_MASTERS] = {c->arch.weight_outstanding, d->pre_outstanding, d->dec_outstanding};
	memset(p, 0, sizeof *p);
	p->n_hp = c->dev.n_hp;
	p->n_ctrl = c->dev.ddr.n_ctrl;
	p->n_masters = DES_MASTERS;
	for (int h = 0; h < c->dev.n_hp; h++) {
		p->chan_b_per_s[h] = platform_channel_b_per_s(c, h, f);
		p->ctrl_of[h] = c->dev.hp[h].ctrl;
		for (int a = 0; a < DES_MASTERS; a++)
			p->master_b_per_s[a][h] = platform_master_b_per_s(c, h, f, a == DES_M_WEIGHTS, burst[a], outst[a]);
	}
	for (int k = 0; k < c->dev.ddr.n_ctrl; k++)
		p->ctrl_b_per_s[k] = platform_ctrl_b_per_s(c, k);
	p->ddr_b_per_s = platform_ddr_b_per_s(c);
}

static int setup(des *s, const cfg_t *c, const workload_t *w, const design_t *d, int prompt, int gen,
		 const des_opts *o, char *err, size_t errlen)
{
	s->c = c;
	s->w = w;
	s->plan = o && o->plan ? o->plan : NULL;
	const design_t *d0 = s->plan ? &s->plan->view[0] : d; /* the engines of the first module */
	s->d = d0;
	s->pm_pre = &c->arch.port_maps[d0->pm_pre].pm;
	s->pm_dec = &c->arch.port_maps[d0->pm_dec].pm;
	s->prompt = prompt;
	s->gen = gen;
	s->npass = 1 + gen;
	s->layers = w->layers;
	s->nmat = w->n_mats;
	s->npre = w->n_pre_attn;
	s->dpr = d->mode == MODE_DPR;
	s->hold = o ? (int)o->hold : DES_HOLD_PHASE;
	s->swap = s->plan ? s->plan->n >= 2 && s->plan->from[1] == 1 : s->dpr && s->hold == DES_HOLD_PHASE;
	s->step_ps = o ? o->step_ps : NULL;
	s->prefetch = !(o && o->no_prefetch);
	double f = d->clock_mhz * 1e6;
	s->tlmm_ps_per_cyc = 1e12 / (f * engine_eta(c, MEAS_TLMM, d));
	s->pre_ps_per_cyc = 1e12 / (f * engine_eta(c, MEAS_PREFILL, d));
	s->dec_ps_per_cyc = 1e12 / (f * engine_eta(c, MEAS_DECODE, d));
	s->lat_ps = ps_of(c->cal.ddr_latency_ns.value * 1e3);
	s->lm_ps = ps_of(c->cal.lm_head_s.value * 1e12);
	s->ps_path_ps = ps_of(c->cal.swap_ps_ms.value * 1e9);
	s->adepth = engine_attn_depth(c, d);
	s->kb = (double)kvcache_key_bytes(c, d->kv_prec);
	s->tier_keys = kvcache_tier_keys(d);
	if (s->tier_keys > 0)
		s->tier_ps_per_byte = 1e12 / kvcache_tier_b_per_s(c, d);
	s->refill_bytes = s->swap ? kvcache_refill_bytes(c, d, prompt) : 0;
	s->qb = (double)w->q_bytes_token_layer;
	s->pre_kv = engine_pre_kv_tokens(prompt, d0->pre_pe, d0->pre_block, false);

	double tile = o && o->weight_tile_bytes > 0 ? o->weight_tile_bytes : DES_WEIGHT_TILE_BYTES;
	if (tile < 1024) {
		snprintf(err, errlen, "weight tile of %.0f bytes is below the 1024-byte minimum", tile);
		return -1;
	}
	int64_t tdepth = llround(c->cal.tlmm_depth.value);
	for (int m = 0; m < w->n_mats; m++) {
		double n = ceil(w->mat[m].bytes / tile);
		s->ntile[m] = n < 1 ? 1 : (int)n;
		s->tile_bytes[m] = w->mat[m].bytes / s->ntile[m];
		s->mat_cyc[0][m] = engine_tlmm_cycles(w, d, prompt, m, m + 1, tdepth);
		s->mat_cyc[1][m] = engine_tlmm_cycles(w, d, 1, m, m + 1, tdepth);
	}
	s->wmask = (uint32_t)c->arch.weight_ports;
	s->nwp = __builtin_popcount(s->wmask);
	if (s->nwp == 0) {
		snprintf(err, errlen, "architecture.static_region.weight_ports is empty");
		return -1;
	}

	evq_init(&s->q);
	ddr_params mp;
	des_ddr_params(c, d0, &mp);
	ddr_init(&s->m, &s->q, &mp);
	pcap_params pp = pcap_params_of(c, DES_S_BITSTREAM);
	pcap_init(&s->pc, &s->q, &s->m, &pp);
	if (s->dpr)
		s->bitstream_bytes = engine_bitstream_bytes(c, &c->arch.pblocks[d->rp]);
	s->rp = s->plan ? rp_kind(s, 0) : !s->dpr ? RP_STATIC : s->hold == DES_HOLD_DECODE ? RP_DECODE : RP_PREFILL;
	snprintf(s->name, sizeof s->name, "design %s (%s), prompt %d, %d generated",
		 o && o->name ? o->name : "?", mode_names[d->mode], prompt, gen);
	return 0;
}

/*
 * Energy along a plan: the prefill at the power of the module that ran it;
 * decode at the power of each module over its passes (one module: the
 * decode phase's bytes over its time, as without a plan), and each
 * mid-generation swap's wait at p_idle plus its bitstream's DDR energy.
 */
static void plan_energy(des *s, figures *f, const double pbytes[DES_PHASES])
{
	const cfg_t *c = s->c;
	const double ps = 1e-12;
	int k0 = seg_of_pass(s, 0);
	perf_ctx p;
	perf_prepare(&p, c, s->w, &s->plan->view[k0]);
	if (f->prefill_s > 0) {
		f->power_prefill_w = perf_power_w(&p, engine_of(s, 0) == ENG_DEC, pbytes[0] / f->prefill_s);
		f->energy_prefill_j = f->power_prefill_w * f->prefill_s;
	}
	if (s->gen <= 0 || !(f->decode_s > 0))
		return;
	int first = seg_of_pass(s, 1), last = seg_of_pass(s, s->npass - 1);
	if (first == last) {
		perf_prepare(&p, c, s->w, &s->plan->view[first]);
		f->power_decode_w = perf_power_w(&p, engine_of(s, 1) == ENG_DEC, pbytes[1] / f->decode_s);
		f->energy_j_per_token = f->power_decode_w * f->decode_s / s->gen;
		return;
	}
	double e = 0;
	for (int k = first; k <= last; k++) {
		if (!s->seg_used[k])
			continue;
		double t = (s->seg_t1[k] - s->seg_t0[k]) * ps;
		if (!(t > 0))
			continue;
		perf_prepare(&p, c, s->w, &s->plan->view[k]);
		bool dec = s->plan->engines[k] & RM_ENG_DEC;
		e += perf_power_w(&p, dec, (s->seg_bytes1[k] - s->seg_bytes0[k]) / t) * t;
	}
	e += s->mid_exposed_ps * ps * c->cal.p_idle_w.value +
	     s->mid_swaps * c->cal.e_ddr_nj_per_kb.value * 1e-9 / 1024.0 * s->bitstream_bytes;
	f->energy_j_per_token = e / s->gen;
	f->power_decode_w = e / f->decode_s;
}

static void results(des *s, des_result *r)
{
	const cfg_t *c = s->c;
	const double ps = 1e-12;
	int64_t t_end = s->q.now_ps;
	memset(r, 0, sizeof *r);
	figures *f = &r->f;
	f->prompt = s->prompt;
	f->gen = s->gen;
	f->prefill_s = s->t_prefill_end * ps;
	f->ttft_s = s->t_ttft * ps;
	f->prefill_attention_s = s->pre_att_ps * ps;
	f->prefill_linear_s = f->prefill_s - f->prefill_attention_s;
	if (s->gen > 0) {
		f->decode_s = (s->t_last_lm - s->t_dec_start) * ps;
		f->decode_tok_s = s->gen / f->decode_s;
		f->decode_first_step_s = (s->t_first_step_end - s->t_dec_start) * ps;
	}
	if (s->swap) {
		f->bitstream_bytes = s->bitstream_bytes;
		f->swap_s = (s->t_swap_end - s->t_trigger) * ps;
		f->pcap_s = (s->pc0_end - s->pc0_start) * ps;
		f->tail_overlap_s = (s->t_prefill_end - s->t_trigger) * ps;
		/* measured: how long the first step waited after the first token's LM
		 * head (with no decode, how long it would have waited) */
		int64_t ready = s->t_refill_end > s->t_swap_end ? s->t_refill_end : s->t_swap_end;
		int64_t exposed = s->gen > 0 ? s->t_dec_start - s->t_ttft : ready > s->t_ttft ? ready - s->t_ttft : 0;
		f->kv_refill_bytes = s->refill_bytes;
		f->kv_refill_s = s->refill_bytes > 0 ? (s->t_refill_end - s->t_refill0) * ps : 0;
		f->swap_exposed_s = exposed * ps;
		r->swap_hidden_s = f->swap_s - f->swap_exposed_s;
		double idle = platform_pcap_stream_s(c, s->bitstream_bytes);
		double stream = (s->pc0_end - s->pc0_stream) * ps;
		f->pcap_load = s->pc.p.slowdown > 0 && idle > 0 ? (stream / idle - 1) / s->pc.p.slowdown : 0;
		if (f->pcap_load < 0)
			f->pcap_load = 0;
	}
	r->phase_s[DES_PH_PREFILL] = s->t_prefill_end * ps;
	r->phase_s[DES_PH_DECODE] = (t_end - s->t_prefill_end) * ps;
	double pbytes[DES_PHASES] = {0, 0};
	for (int h = 0; h < c->dev.n_hp; h++) {
		double b1 = ddr_port_bytes(&s->m, h) - s->p0_bytes[h];
		int64_t u1 = ddr_port_busy_ps(&s->m, h) - s->p0_busy[h];
		pbytes[0] += s->p0_bytes[h];
		pbytes[1] += b1;
		if (s->t_prefill_end > 0) {
			r->port_util[0][h] = (double)s->p0_busy[h] / s->t_prefill_end;
			r->port_gb_s[0][h] = s->p0_bytes[h] / r->phase_s[0] * 1e-9;
		}
		if (t_end > s->t_prefill_end) {
			r->port_util[1][h] = (double)u1 / (t_end - s->t_prefill_end);
			r->port_gb_s[1][h] = b1 / r->phase_s[1] * 1e-9;
		}
	}
	for (int k = 0; k < DES_STREAMS; k++)
		r->bytes[k] = s->m.stream_bytes[k];
	r->tier_bytes = s->tier_read_bytes;
	f->bytes_prefill = pbytes[0];
	f->bytes_decode = pbytes[1];

	if (s->plan) {
		plan_energy(s, f, pbytes);
	} else {
		perf_ctx p;
		perf_prepare(&p, c, s->w, s->d);
		if (f->prefill_s > 0) {
			f->power_prefill_w = perf_power_w(&p, s->hold == DES_HOLD_DECODE, pbytes[0] / f->prefill_s);
			f->energy_prefill_j = f->power_prefill_w * f->prefill_s;
		}
		if (s->gen > 0 && f->decode_s > 0) {
			f->power_decode_w = perf_power_w(&p, s->hold != DES_HOLD_PREFILL, pbytes[1] / f->decode_s);
			f->energy_j_per_token = f->power_decode_w * f->decode_s / s->gen;
		}
	}
	r->mid_swaps = s->mid_swaps;
	r->mid_swap_s = s->mid_swap_ps * ps;
	r->mid_swap_exposed_s = s->mid_exposed_ps * ps;
	f->mid_swaps = s->mid_swaps;
	f->mid_swap_s = r->mid_swap_exposed_s;
	r->events = s->q.processed;
	r->max_in_flight = s->q.peak;
}

int des_run(const cfg_t *c, const workload_t *w, const design_t *d, int prompt, int gen, const des_opts *o,
	    des_result *r, char *err, size_t errlen)
{
	double t0 = common_now_s();
	if (prompt < 1 || gen < 0) {
		snprintf(err, errlen, "des: prompt must be >= 1 and gen >= 0, got %d and %d", prompt, gen);
		return -1;
	}
	if (cfg_check_design(c, d, err, errlen))
		return -1;
	if (o && o->hold != DES_HOLD_PHASE && d->mode != MODE_DPR) {
		snprintf(err, errlen, "des: a static design holds both attention engines; it cannot keep one module");
		return -1;
	}
	if (o && (o->hold < DES_HOLD_PHASE || o->hold > DES_HOLD_DECODE)) {
		snprintf(err, errlen, "des: no module choice %d", (int)o->hold);
		return -1;
	}
	if (o && o->plan) {
		const des_plan *pl = o->plan;
		if (d->mode != MODE_DPR || pl->n < 1 || pl->n > DES_MAX_SEGS || pl->from[0] != 0) {
			snprintf(err, errlen, "des: a plan of modules needs a dpr design and 1 to %d modules from pass 0",
				 DES_MAX_SEGS);
			return -1;
		}
		for (int k = 0; k < pl->n; k++) {
			if ((k > 0 && pl->from[k] <= pl->from[k - 1]) || !pl->engines[k] ||
			    (pl->engines[k] & ~(RM_ENG_PRE | RM_ENG_DEC))) {
				snprintf(err, errlen, "des: module %d of the plan starts at pass %d or holds no engine", k,
					 pl->from[k]);
				return -1;
			}
			if (cfg_check_design(c, &pl->view[k], err, errlen))
				return -1;
			if (pl->view[k].clock_mhz != d->clock_mhz || pl->view[k].tlmm_tables != d->tlmm_tables ||
			    pl->view[k].tlmm_lanes != d->tlmm_lanes) {
				snprintf(err, errlen, "des: module %d of the plan has another static region or clock", k);
				return -1;
			}
		}
	}
	des *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "des: out of memory");
		return -1;
	}
	int rc = -1;
	if (setup(s, c, w, d, prompt, gen, o, err, errlen)) {
		free(s);
		return -1;
	}
	if (o && (o->trace_path || o->trace_log)) {
		if (o->trace_path && trace_open(&s->tr, o->trace_path, err, errlen))
			goto out;
		if (!o->trace_path)
			trace_open_log(&s->tr, o->trace_log);
		s->tracing = true;
		s->m.hook = port_hook;
		s->m.hook_ctx = s;
		trace_header(s);
	}

	/* t = 0: the prompt is in; the prefill RM (or the static engines) hold the RP */
	open_gate(s, 0);
	evq_run(&s->q);

	if (evq_failed(&s->q)) {
		snprintf(err, errlen, "des: out of memory");
		goto out;
	}
	if (s->bug[0]) {
		snprintf(err, errlen, "des: BUG: %s", s->bug);
		goto out;
	}
	if (!s->finished || (s->swap && !(s->swap_done && (s->plan || s->refill_done))) || s->m.n_act != 0 ||
	    s->wait_pass > 0) {
		snprintf(err, errlen, "des: BUG: the schedule stopped at %.9f s before the last token", s->q.now_ps * 1e-12);
		goto out;
	}
	if (s->tracing) {
		rp_state(s, s->rp);
		for (int h = 0; h < DDR_MAX_HP; h++)
			for (int k = 0; k < DDR_MAX_STREAMS; k++)
				if (s->pspan[h][k].open)
					port_emit(s, h, k, &s->pspan[h][k]);
		s->tracing = false;
		if (trace_close(&s->tr, err, errlen))
			goto out;
	}
	results(s, r);
	rc = 0;
out:
	if (s->tracing)
		trace_abort(&s->tr);
	ddr_release(&s->m);
	evq_release(&s->q);
	free(s);
	if (rc == 0)
		r->wall_s = common_now_s() - t0;
	return rc;
}

void des_plan_of(const design_t *d, const rms_plan *pl, int prompt, des_plan *out)
{
	rmset_t set;
	rms_expand(d, &set);
	memset(out, 0, sizeof *out);
	int mods[RMS_MAX_SEG + 1], from[RMS_MAX_SEG + 1], n = 0;
	mods[n] = pl->pre;
	from[n++] = 0;
	for (int j = 0; j < pl->n_seg; j++) {
		int pass = j == 0 ? 1 : pl->from[j] - prompt; /* decode step i (pass i + 1) attends prompt + 1 + i keys */
		if (pl->dec[j] == mods[n - 1])
			continue;
		mods[n] = pl->dec[j];
		from[n++] = pass;
	}
	out->n = n < DES_MAX_SEGS ? n : DES_MAX_SEGS;
	for (int k = 0; k < out->n; k++) {
		const rm_t *m = &set.rm[mods[k]];
		rms_view(d, m, &out->view[k]);
		out->engines[k] = m->engines;
		out->from[k] = from[k];
		snprintf(out->name[k], sizeof out->name[k], "%s", m->name);
	}
}

int des_run_plan(const cfg_t *c, const workload_t *w, const design_t *d, const rms_plan *pl, int prompt, int gen,
		 const des_opts *o, des_result *r, char *err, size_t errlen)
{
	des_opts q = o ? *o : (des_opts){0};
	if (d->mode != MODE_DPR || (d->rms.n == 0 && !pl))
		return des_run(c, w, d, prompt, gen, &q, r, err, errlen);
	rms_plan always;
	if (!pl) {
		if (cfg_check_design(c, d, err, errlen))
			return -1;
		rms_ctx x;
		rms_prepare(&x, c, w, d);
		rms_plan_always(&x, prompt, gen, &always);
		pl = &always;
	}
	rmset_t set;
	rms_expand(d, &set);
	if (pl->pre < 0 || pl->pre >= set.n || pl->n_seg < 1 || pl->n_seg > RMS_MAX_SEG) {
		snprintf(err, errlen, "des: a plan of modules the design does not have");
		return -1;
	}
	for (int j = 0; j < pl->n_seg; j++)
		if (pl->dec[j] < 0 || pl->dec[j] >= set.n || (j > 0 && pl->from[j] <= (j == 1 ? prompt + 1 : pl->from[j - 1]))) {
			snprintf(err, errlen, "des: a plan of modules the design does not have");
			return -1;
		}
	des_plan dp;
	des_plan_of(d, pl, prompt, &dp);
	q.plan = &dp;
	return des_run(c, w, d, prompt, gen, &q, r, err, errlen);
}

int des_objective(const cfg_t *c, const workload_t *w, const design_t *d, const des_opts *o, des_obj *out,
		  char *err, size_t errlen)
{
	des_opts q = o ? *o : (des_opts){0};
	q.trace_path = NULL;
	q.trace_log = NULL;
	des_result r;
	const cfg_objective *ob = &c->obj;
	if (des_run_plan(c, w, d, NULL, ob->prompt, 0, &q, &r, err, errlen))
		return -1;
	out->ttft_s = r.f.ttft_s;
	/* one step attending `keys` keys: the first step after a prompt of keys - 1 */
	int lens[2] = {ob->l_long, ob->l_short};
	double step[2];
	for (int i = 0; i < 2; i++) {
		if (des_run_plan(c, w, d, NULL, lens[i] > 1 ? lens[i] - 1 : 1, 1, &q, &r, err, errlen))
			return -1;
		step[i] = r.f.decode_first_step_s;
	}
	out->step_long_s = step[0];
	out->step_short_s = step[1];
	out->objective = figures_objective(ob, out->ttft_s, step[0], step[1]);
	return 0;
}
