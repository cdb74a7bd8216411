/*
 * emit.c - HLS config headers (see emit.h).
 *
 * The flow is plan -> render -> write.  plan() turns (config, design)
 * into every integer the kernels in sim/hw need, checking on the way
 * what the kernels can build; each value comes straight from the design
 * point or the model (T, Q, N_pe, lanes, block, burst, outstanding,
 * pipeline depths) or is derived from them by a formula stated next to
 * it.  render() prints the plan as four headers with a fixed layout, so
 * the same plan gives the same bytes.  emit_write() writes them through
 * temporary files and renames them only when all four are written.
 *
 * Derived sizes, with units:
 *   kb steps   ceil(K / (T*G))     activation groups of T tables
 *   nb steps   ceil(N / Q)         output lanes
 *   row        T*Q packed indices (index_bits each) read per TLMM cycle,
 *              stored as ceil(T*Q*bits / 64) 64-bit words, one URAM
 *              column (72 bits wide, 4096 deep) per word
 *   token tile ceil(t_weights_layer / t_tlmm_token): the tokens whose
 *              TLMM time (model) covers one weight pass of a layer
 *              (model), so re-streaming the weights once per tile stays
 *              hidden behind compute, as the model's max(compute, W/B_w)
 *              assumes
 *   chunks     ceil(head_dim / lanes)  cycles per attention row pass
 *   slices     a tensor on n ports is split into head_dim/S pieces,
 *              S = lcm(ports in prefill, ports in decode), port p serving
 *              slices p, p+n, ...; both phases read the same DDR layout
 *   K/V record a quantised K or V piece (models/kvcache.h): piece x bits / 8
 *              bytes of integers then piece / group scales, so a group must
 *              lie within one piece (the kernels read a record through one
 *              port); FP16 records are the piece's FP16 elements
 *   K/V tier   T = sinks + window keys per layer, one record of head_dim
 *              elements per (layer, key slot, K/V head); banks and blocks as
 *              kvcache.h sizes them (the decode engine's lanes at II 1)
 */
#include "hls/emit.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hls/pragma.h"
#include "models/engine.h"
#include "models/kvcache.h"
#include "models/rms.h"
#include "models/version.h"
#include "models/workload.h"
#include "sim/afile.h"

const char *const emit_header_names[EMIT_N_HEADERS] = {"pds_common.h", "pds_static.h", "pds_prefill.h",
						     "pds_decode.h"};

/* The kernels take at most this many HP ports per tensor (sim/hw). */
#define HLS_MAX_PORTS 4
/* Assumed: cycles from reading a TLMM accumulator to writing it back
 * (BRAM/URAM read 2-3, add 1, write 1, margin); updates of one
 * accumulator must be at least this many loop iterations apart. */
#define HLS_ACC_RMW_CYCLES 8
/* URAM288: 4096 words of 72 bits [UG573]; a bank this deep or deeper goes
 * to URAM, a shallower one to BRAM. */
#define HLS_URAM_DEPTH 4096

enum { T_Q, T_K, T_V, T_O, T_N };
static const char *const tname[T_N] = {"Q", "K", "V", "O"};

typedef struct {
	int n;                  /* ports */
	int hp[HLS_MAX_PORTS];  /* device HP indices, ascending */
} portset;

typedef struct {
	/* common */
	int slices[T_N];
	/* static region */
	int T, G, Q, bits, entries, tab_size, depth;
	int k_max, n_max, n_min, kb_max, nb_max, rows_max, acc_dist, tok_tile, xpart;
	int row_bits, row_words, uram_banks, uram_count, wpp, wpb, buf_words, w_fifo;
	const char *acc_impl;
	portset w;
	/* prefill */
	int pe, pre_lanes, block, pre_chunks, attn_depth, pre_fifo;
	char pre_part[64];
	portset pre[T_N];
	/* the K/V cache */
	int kv_bits, kv_group, kv_scale_bytes, kv_rec[T_N], kv_tier_rec;
	int64_t kv_tier_keys, kv_tier_banks, kv_tier_blocks;
	/* decode */
	int dec_lanes, dec_chunks;
	char dec_part[64];
	const char *score_impl;
	portset dec[T_N];
} plan_t;

/* ----------------------------------------------------------- text buffer */

typedef struct {
	char *p;
	size_t n, cap;
	bool oom;
} sb_t;

static void sb_printf(sb_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(sb_t *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (k < 0) {
			b->oom = true;
			return;
		}
		if (b->p && b->n + (size_t)k < b->cap) {
			b->n += (size_t)k;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->n + (size_t)k + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
}

/* ------------------------------------------------------------------ meta */

void emit_meta_init(emit_meta *m, const cfg_t *c, const design_t *d, const char *name, int64_t run_id,
		   int64_t point_id)
{
	workload_t w;
	rms_ctx x;
	figures r;
	memset(m, 0, sizeof *m);
	snprintf(m->config_sha256, sizeof m->config_sha256, "%s", c->sha256);
	m->run_id = run_id;
	m->point_id = point_id;
	snprintf(m->design_name, sizeof m->design_name, "%s", name ? name : "");
	workload_init(&w, &c->model);
	rms_prepare(&x, c, &w, d);
	rms_plan pl;
	rms_plan_always(&x, c->obj.prompt, 1, &pl);
	rms_run_eval(&x, &pl, c->obj.prompt, 1, &r);
	m->prompt = c->obj.prompt;
	m->ttft_s = r.ttft_s;
	m->prefill_s = r.prefill_s;
	m->swap_s = r.swap_s;
	m->swap_exposed_s = r.swap_exposed_s;
	m->l_short = c->obj.l_short;
	m->l_long = c->obj.l_long;
	m->decode_tok_s_short = 1.0 / rms_decode_step_s(&x, c->obj.l_short);
	m->decode_tok_s_long = 1.0 / rms_decode_step_s(&x, c->obj.l_long);
	m->energy_j_per_token = rms_decode_energy_j(&x, c->obj.l_short);
	m->objective = rms_objective(&x);
	perf_res res;
	rms_resources(&x, &res);
	m->r_total = res.r_total;
}

/* ------------------------------------------------------------------ plan */

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int gcd(int a, int b)
{
	while (b) {
		int t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static int ports_of(const cfg_t *c, uint32_t mask, portset *ps, const char *what, char *err, size_t errlen)
{
	ps->n = 0;
	for (int h = 0; h < c->dev.n_hp; h++)
		if (mask & (1u << h)) {
			if (ps->n == HLS_MAX_PORTS)
				return fail(err, errlen, "%s uses %d HP ports; the kernels in sim/hw take at most %d", what,
					    __builtin_popcount(mask), HLS_MAX_PORTS);
			ps->hp[ps->n++] = h;
		}
	if (ps->n == 0)
		return fail(err, errlen, "%s has no HP port", what);
	return 0;
}

/* Bundle name of HP port h: its config name in lower case. */
static void bundle_name(const cfg_t *c, int h, char *out, size_t sz)
{
	size_t i = 0;
	for (const char *s = c->dev.hp[h].name; *s && i + 1 < sz; s++)
		out[i++] = (char)tolower((unsigned char)*s);
	out[i] = '\0';
}

static int check_widths(const cfg_t *c, const portset *ps, int elem_bits, const char *what, char *err,
			size_t errlen)
{
	for (int i = 0; i < ps->n; i++) {
		int wb = c->dev.hp[ps->hp[i]].width_bits;
		if (wb < elem_bits)
			return fail(err, errlen, "%s: HP port '%s' is %d bits wide, narrower than the %d-bit words the kernel reads",
				    what, c->dev.hp[ps->hp[i]].name, wb, elem_bits);
		if (wb > 1024)
			return fail(err, errlen, "%s: HP port '%s' is %d bits wide; max_widen_bitwidth allows at most 1024",
				    what, c->dev.hp[ps->hp[i]].name, wb);
	}
	return 0;
}

/* What the kernels can build at all, whatever the design. */
static int plan_model(const cfg_t *c, char *err, size_t errlen)
{
	const cfg_model *m = &c->model;
	if (m->act_bits != 8)
		return fail(err, errlen, "model.act_bits is %d; the tlmm kernel takes int8 activations", m->act_bits);
	if (m->kv_bytes != 2 || m->attn_bytes != 2)
		return fail(err, errlen,
			    "model.kv_bytes and model.attn_bytes are %d and %d; the attention kernels read and write FP16 (2 bytes)",
			    m->kv_bytes, m->attn_bytes);
	if (m->weight_index_bits > 8)
		return fail(err, errlen,
			    "model.weight_index_bits is %d; the tlmm kernel keeps 2^bits table entries per table in registers and takes at most 8",
			    m->weight_index_bits);

	return 0;
}

/* The static region: TLMM geometry, the weight buffer and its ports. */
static int plan_static(const cfg_t *c, const design_t *d, const workload_t *w, const perf_ctx *p, plan_t *P,
		       char *err, size_t errlen)
{
	const cfg_model *m = &c->model;
	/* static region */
	P->T = d->tlmm_tables;
	P->G = m->weight_group;
	P->Q = d->tlmm_lanes;
	P->bits = m->weight_index_bits;
	P->entries = 1;
	for (int i = 0; i < P->G; i++)
		P->entries *= 3;
	P->tab_size = 1 << P->bits;
	P->depth = (int)llround(c->cal.tlmm_depth.value);
	P->attn_depth = (int)engine_attn_depth(c, d);
	P->k_max = 0;
	P->n_max = 0;
	P->n_min = 1 << 30;
	for (int i = 0; i < w->n_mats; i++) {
		const workload_mat *x = &w->mat[i];
		P->k_max = x->k > P->k_max ? x->k : P->k_max;
		P->n_max = x->n > P->n_max ? x->n : P->n_max;
		P->n_min = x->n < P->n_min ? x->n : P->n_min;
	}
	P->kb_max = (int)ceil_div(P->k_max, (int64_t)P->T * P->G);
	P->nb_max = (int)ceil_div(P->n_max, P->Q);
	P->rows_max = P->kb_max * P->nb_max;
	P->acc_dist = (int)ceil_div(P->n_min, P->Q);
	if (P->acc_dist < HLS_ACC_RMW_CYCLES)
		return fail(err, errlen,
			    "TLMM lanes Q=%d leave %d loop iterations between updates of one accumulator (smallest matrix N=%d); the read-modify-write needs %d",
			    P->Q, P->acc_dist, P->n_min, HLS_ACC_RMW_CYCLES);
	P->tok_tile = perf_tlmm_tok_tile(p);
	P->xpart = P->T * P->G;
	P->row_bits = P->T * P->Q * P->bits;
	P->row_words = (P->row_bits + 63) / 64;
	P->uram_banks = P->row_words;
	P->uram_count = P->uram_banks * (int)ceil_div(P->nb_max, HLS_URAM_DEPTH);
	P->acc_impl = (int64_t)P->tok_tile * P->nb_max >= HLS_URAM_DEPTH ? "uram" : "bram";
	if (ports_of(c, (uint32_t)c->arch.weight_ports, &P->w, "architecture.static_region.weight_ports", err,
		     errlen) ||
	    check_widths(c, &P->w, 64, "the TLMM weight stream", err, errlen))
		return -1;
	P->wpb = 1 << 30;
	for (int i = 0; i < P->w.n; i++)
		if (c->dev.hp[P->w.hp[i]].width_bits / 64 < P->wpb)
			P->wpb = c->dev.hp[P->w.hp[i]].width_bits / 64;
	/* read cycles (one beat per port) per row, rounded up */
	P->wpp = (P->row_words + P->w.n * P->wpb - 1) / (P->w.n * P->wpb);
	P->buf_words = P->row_words + P->w.n * P->wpb + 1;
	/* rows two bursts of every port deliver */
	P->w_fifo = (int)ceil_div(2LL * c->arch.weight_burst * P->w.n * P->wpb, P->row_words);
	if (P->w_fifo < 2)
		P->w_fifo = 2;

	return 0;
}

/* An engine's tensors on the ports of its port map. */
static int engine_ports(const cfg_t *c, int pm, bool decode, portset ps[T_N], char *err, size_t errlen)
{
	const portmap_t *p = &c->arch.port_maps[pm].pm;
	const uint32_t mask[T_N] = {p->q, p->k, p->v, p->o};
	for (int t = 0; t < T_N; t++) {
		char what[160];
		snprintf(what, sizeof what, "%s port map '%s', tensor %s", decode ? "decode" : "prefill",
			 c->arch.port_maps[pm].name, tname[t]);
		if (ports_of(c, mask[t], &ps[t], what, err, errlen) || check_widths(c, &ps[t], 16, what, err, errlen))
			return -1;
	}
	return 0;
}

/*
 * The attention tensors on their ports, and the DDR layout every engine
 * shares: the prefill and decode engines of the design, and, for a set of
 * modules, the engines of every module (the K/V cache one module writes
 * another reads).
 */
static int plan_ports(const cfg_t *c, const design_t *d, plan_t *P, char *err, size_t errlen)
{
	const cfg_model *m = &c->model;
	if (engine_ports(c, d->pm_pre, false, P->pre, err, errlen) || engine_ports(c, d->pm_dec, true, P->dec, err, errlen))
		return -1;
	for (int t = 0; t < T_N; t++) {
		int a = P->pre[t].n, b = P->dec[t].n;
		P->slices[t] = a / gcd(a, b) * b;
	}
	for (int k = 0; k < d->rms.n; k++) {
		const rm_t *rm = &d->rms.rm[k];
		portset ps[T_N];
		for (int e = 0; e < 2; e++) {
			if (!(rm->engines & (e ? RM_ENG_DEC : RM_ENG_PRE)))
				continue;
			if (engine_ports(c, e ? rm->pm_dec : rm->pm_pre, e, ps, err, errlen))
				return -1;
			for (int t = 0; t < T_N; t++)
				P->slices[t] = P->slices[t] / gcd(P->slices[t], ps[t].n) * ps[t].n;
		}
	}
	for (int t = 0; t < T_N; t++)
		if (m->head_dim % P->slices[t])
			return fail(err, errlen,
				    "tensor %s is split over %d HP ports in prefill and %d in decode%s, so into %d slices, which do not "
				    "divide head_dim %d",
				    tname[t], P->pre[t].n, P->dec[t].n, d->rms.n ? " (and its modules' port maps)" : "",
				    P->slices[t], m->head_dim);

	return 0;
}

/* The attention engines. */
static void plan_attention(const cfg_t *c, const design_t *d, plan_t *P)
{
	const cfg_model *m = &c->model;
	/* prefill attention */
	P->pe = d->pre_pe;
	P->pre_lanes = d->pre_lanes;
	P->block = d->pre_block;
	P->pre_chunks = (int)ceil_div(m->head_dim, d->pre_lanes);
	P->pre_fifo = 2 * P->block * P->pre_chunks;
	if (d->pre_lanes >= m->head_dim)
		snprintf(P->pre_part, sizeof P->pre_part, "type=complete");
	else
		snprintf(P->pre_part, sizeof P->pre_part, "type=cyclic factor=%d", d->pre_lanes);

	/* decode attention */
	P->dec_lanes = d->dec_lanes;
	P->dec_chunks = (int)ceil_div(m->head_dim, d->dec_lanes);
	if (d->dec_lanes >= m->head_dim)
		snprintf(P->dec_part, sizeof P->dec_part, "type=complete");
	else
		snprintf(P->dec_part, sizeof P->dec_part, "type=cyclic factor=%d", d->dec_lanes);
	P->score_impl = m->max_context >= HLS_URAM_DEPTH ? "uram" : "bram";

}

/*
 * The K/V cache as the kernels store it: FP16, or int8/int4 records of a
 * piece's integers and its groups' FP16 or FP32 scales, which the kernels
 * read through the piece's port, so a group may not straddle two pieces.
 */
static int plan_kv(const cfg_t *c, const design_t *d, plan_t *P, char *err, size_t errlen)
{
	const cfg_model *m = &c->model;
	P->kv_bits = kvcache_elem_bits(c, d->kv_prec);
	P->kv_group = m->head_dim;
	P->kv_scale_bytes = 0;
	if (kvcache_quantised(d)) {
		const cfg_kv_quant *q = &c->kv.quant[d->kv_prec];
		P->kv_group = q->group;
		P->kv_scale_bytes = q->scale_bytes;
		if (q->scale_bytes != 2 && q->scale_bytes != 4)
			return fail(err, errlen, "kv_cache.%s.scale_bytes is %d; the kernels read FP16 (2) or FP32 (4) scales",
				    kv_prec_names[d->kv_prec], q->scale_bytes);
		for (int t = T_K; t <= T_V; t++) {
			int piece = m->head_dim / P->slices[t];
			if (piece % q->group)
				return fail(err, errlen,
					    "tensor %s is split into %d slices of %d elements; the %s group of %d elements does not"
					    " divide them (a group's scale is read through its slice's port)",
					    tname[t], P->slices[t], piece, kv_prec_names[d->kv_prec], q->group);
		}
	}
	for (int t = 0; t < T_N; t++) {
		int piece = m->head_dim / P->slices[t];
		P->kv_rec[t] = t == T_K || t == T_V
				       ? (kvcache_quantised(d) ? piece * P->kv_bits / 8 + piece / P->kv_group * P->kv_scale_bytes
							       : piece)
				       : piece;
	}
	P->kv_tier_rec = kvcache_quantised(d) ? m->head_dim * P->kv_bits / 8 + m->head_dim / P->kv_group * P->kv_scale_bytes
					      : m->head_dim;
	P->kv_tier_keys = kvcache_tier_keys(d);
	P->kv_tier_banks = kvcache_tier_banks(c, d);
	P->kv_tier_blocks = kvcache_tier_blocks(c, d);
	return 0;
}

/* Bundle names must stay distinct once lower-cased. */
static int plan_bundles(const cfg_t *c, char *err, size_t errlen)
{
	for (int i = 0; i < c->dev.n_hp; i++)
		for (int j = 0; j < i; j++) {
			char a[PDS_NAME_MAX], b[PDS_NAME_MAX];
			bundle_name(c, i, a, sizeof a);
			bundle_name(c, j, b, sizeof b);
			if (strcmp(a, b) == 0)
				return fail(err, errlen, "HP ports '%s' and '%s' give the same m_axi bundle name '%s'",
					    c->dev.hp[j].name, c->dev.hp[i].name, a);
		}
	return 0;
}

static int plan(const cfg_t *c, const design_t *d, plan_t *P, char *err, size_t errlen)
{
	char why[256];
	workload_t w;
	perf_ctx p;

	memset(P, 0, sizeof *P);
	if (cfg_check_design(c, d, why, sizeof why))
		return fail(err, errlen, "the design is not valid for %s: %s", c->path, why);
	workload_init(&w, &c->model);
	perf_prepare(&p, c, &w, d);
	rms_ctx x;
	rms_prepare(&x, c, &w, d);
	if (!rms_feasible(&x, why, sizeof why))
		return fail(err, errlen, "the design violates a constraint of %s: %s; refusing to emit headers", c->path,
			    why);
	if (plan_model(c, err, errlen) || plan_static(c, d, &w, &p, P, err, errlen) || plan_ports(c, d, P, err, errlen))
		return -1;
	plan_attention(c, d, P);
	if (plan_kv(c, d, P, err, errlen))
		return -1;
	return plan_bundles(c, err, errlen);
}

/* --------------------------------------------------------------- render */

static void put_meta(sb_t *b, const cfg_t *c, const design_t *d, const emit_meta *m, const char *file,
		     const char *title)
{
	sb_printf(b, "/*\n * %s - %s\n *\n", file, title);
	sb_printf(b, " * Generated by pdswap-dse %s emit-hls; do not edit.  Regenerate with\n", PDS_VERSION);
	if (m->point_id >= 0 && m->run_id >= 0)
		sb_printf(b, " *   pdswap-dse emit-hls CONFIG --point %lld --run %lld\n", (long long)m->point_id,
			  (long long)m->run_id);
	else
		sb_printf(b, " *   pdswap-dse emit-hls CONFIG --design %s\n", m->design_name[0] ? m->design_name : "NAME");
	sb_printf(b, " *\n * config sha256   %s\n", m->config_sha256);
	if (m->point_id >= 0)
		sb_printf(b, " * point           %lld of run %lld%s%s%s\n", (long long)m->point_id, (long long)m->run_id,
			  m->design_name[0] ? " (design '" : "", m->design_name, m->design_name[0] ? "')" : "");
	else
		sb_printf(b, " * point           -1: design '%s' of the config, not a stored point\n", m->design_name);
	sb_printf(b, " * device          %s, %d MHz, mode %s\n", c->dev.part, d->clock_mhz, mode_names[d->mode]);
	char lab[64];
	sb_printf(b, " * predicted by the analytic model (pdswap-dse %s):\n", PDS_VERSION);
	snprintf(lab, sizeof lab, "ttft at %d tokens", m->prompt);
	sb_printf(b, " *   %-26s %.6g s (prefill %.6g s)\n", lab, m->ttft_s, m->prefill_s);
	snprintf(lab, sizeof lab, "decode at %d / %d keys", m->l_short, m->l_long);
	sb_printf(b, " *   %-26s %.6g / %.6g tok/s\n", lab, m->decode_tok_s_short, m->decode_tok_s_long);
	if (d->mode == MODE_DPR)
		sb_printf(b, " *   %-26s %.6g s, %.6g s of it exposed\n", "swap", m->swap_s, m->swap_exposed_s);
	snprintf(lab, sizeof lab, "energy per token at %d", m->l_short);
	sb_printf(b, " *   %-26s %.6g J\n", lab, m->energy_j_per_token);
	sb_printf(b, " *   %-26s %.6g s\n", "objective", m->objective);
	sb_printf(b, " *   %-26s LUT %.0f, FF %.0f, BRAM36 %.1f, URAM %.0f, DSP %.0f\n", "resources",
		  m->r_total.v[RES_LUT], m->r_total.v[RES_FF], m->r_total.v[RES_BRAM], m->r_total.v[RES_URAM],
		  m->r_total.v[RES_DSP]);
	sb_printf(b, " */\n");
}

static void guard_open(sb_t *b, const char *g)
{
	sb_printf(b, "#ifndef %s\n#define %s\n\n", g, g);
}

static void def(sb_t *b, const char *name, long long v, const char *what)
{
	sb_printf(b, "#define %-26s %lld", name, v);
	if (what && *what)
		sb_printf(b, " /* %s */", what);
	sb_printf(b, "\n");
}

static void defk(sb_t *b, const char *name, const char *v, const char *what)
{
	sb_printf(b, "#define %-26s %s", name, v);
	if (what && *what)
		sb_printf(b, " /* %s */", what);
	sb_printf(b, "\n");
}

/* One tensor's ports: count and, per port, bundle and widen width. */
static void def_ports(sb_t *b, const cfg_t *c, const char *prefix, const char *tensor, const portset *ps)
{
	char name[64], bn[PDS_NAME_MAX], what[128];
	snprintf(name, sizeof name, "%s_%s_PORTS", prefix, tensor);
	def(b, name, ps->n, "HP ports carrying it (the port map)");
	for (int i = 0; i < ps->n; i++) {
		bundle_name(c, ps->hp[i], bn, sizeof bn);
		snprintf(name, sizeof name, "%s_%s%d_BUNDLE", prefix, tensor, i);
		snprintf(what, sizeof what, "keyword: m_axi bundle of HP port %s", c->dev.hp[ps->hp[i]].name);
		defk(b, name, bn, what);
		snprintf(name, sizeof name, "%s_%s%d_WIDEN_BITS", prefix, tensor, i);
		snprintf(what, sizeof what, "width of %s (the model's port width)", c->dev.hp[ps->hp[i]].name);
		def(b, name, c->dev.hp[ps->hp[i]].width_bits, what);
	}
}

/* The K/V cache's precision and records (pds_common.h). */
static void render_kv_common(sb_t *b, const cfg_t *c, const design_t *d, const plan_t *P)
{
	char what[200];
	sb_printf(b, "\n/* K/V cache (models/kvcache.h).  FP16: a record is the piece's FP16 elements.\n"
		     " * int8/int4: symmetric integers, one scale per group of PDS_KV_GROUP elements\n"
		     " * along head_dim: a record of K or V is a piece's integers (int4: two per byte,\n"
		     " * low nibble first) then its groups' scales (PDS_KV_SCALE_BYTES each, little\n"
		     " * endian), stored as [slice][head][PDS_MAX_CONTEXT tokens][record].\n");
	if (kvcache_quantised(d))
		sb_printf(b, " * The tool does not predict model accuracy: what this cache does to the\n"
			     " * model's output is for the user to establish. */\n");
	else
		sb_printf(b, " */\n");
	snprintf(what, sizeof what, "0 fp16, 1 int8, 2 int4; this is %s (design)", kv_prec_names[d->kv_prec]);
	def(b, "PDS_KV_PREC", d->kv_prec, what);
	def(b, "PDS_KV_BITS", P->kv_bits, "bits per cached element");
	snprintf(what, sizeof what, "elements per scale (%s)",
		 kvcache_quantised(d) ? "config kv_cache" : "fp16: no scales, the whole head");
	def(b, "PDS_KV_GROUP", P->kv_group, what);
	def(b, "PDS_KV_SCALE_BYTES", P->kv_scale_bytes, "bytes of one scale: 2 FP16, 4 FP32, 0 none");
	def(b, "PDS_K_REC", P->kv_rec[T_K], "units of pds_kv in one record of K (bytes, or FP16 elements)");
	def(b, "PDS_V_REC", P->kv_rec[T_V], "units of pds_kv in one record of V");
	def(b, "PDS_KV_KEY_BYTES", kvcache_key_bytes(c, d->kv_prec), "bytes of K (= V) of one key, one layer (model)");
	(void)c;
}

static void render_common(sb_t *b, const cfg_t *c, const design_t *d, const emit_meta *m, const plan_t *P)
{
	const cfg_model *md = &c->model;
	put_meta(b, c, d, m, "pds_common.h", "model geometry, clock and DDR layout shared by the pdswap kernels.");
	sb_printf(b, "\n");
	guard_open(b, "PDS_HLS_COMMON_H");
	sb_printf(b, "/* Two-level _Pragma: expands macros in X first, so a keyword (bundle name,\n"
		     " * partition type, storage implementation) can come from a macro. */\n");
	sb_printf(b, "#define PDS_PRAGMA_STR(x) _Pragma(#x)\n#define PDS_PRAGMA(x) PDS_PRAGMA_STR(x)\n\n");
	def(b, "PDS_DPR", d->mode == MODE_DPR, "1: attention engines are reconfigurable modules; 0: both static");
	def(b, "PDS_CLOCK_MHZ", d->clock_mhz, "PL clock of the design point");
	sb_printf(b, "\n/* model (config section 'model') */\n");
	def(b, "PDS_LAYERS", md->layers, NULL);
	def(b, "PDS_HIDDEN", md->hidden, NULL);
	def(b, "PDS_FFN", md->ffn, NULL);
	def(b, "PDS_FFN_MATRICES", md->ffn_matrices, NULL);
	def(b, "PDS_HEADS", md->heads, NULL);
	def(b, "PDS_KV_HEADS", md->kv_heads, NULL);
	def(b, "PDS_HEAD_DIM", md->head_dim, NULL);
	def(b, "PDS_MAX_CONTEXT", md->max_context, "tokens");
	def(b, "PDS_ACT_BITS", md->act_bits, "int8 activations");
	def(b, "PDS_KV_BYTES", md->kv_bytes, "FP16 K/V cache");
	sb_printf(b, "\n/* DDR layout of the attention tensors (FP16): tensor X is split into\n"
		     " * PDS_X_SLICES slices of PDS_HEAD_DIM/PDS_X_SLICES elements, stored as\n"
		     " * [slice][head][PDS_MAX_CONTEXT tokens][piece]; port p of a phase serves\n"
		     " * slices p, p + ports, ...  Derived: lcm of the tensor's port counts in the\n"
		     " * prefill and the decode port map, so both phases read the same layout. */\n");
	def(b, "PDS_Q_SLICES", P->slices[T_Q], NULL);
	def(b, "PDS_K_SLICES", P->slices[T_K], NULL);
	def(b, "PDS_V_SLICES", P->slices[T_V], NULL);
	def(b, "PDS_O_SLICES", P->slices[T_O], NULL);
	render_kv_common(b, c, d, P);
	sb_printf(b, "\n#endif\n");
}

static void render_static(sb_t *b, const cfg_t *c, const design_t *d, const emit_meta *m, const plan_t *P)
{
	char what[160];
	put_meta(b, c, d, m, "pds_static.h", "static region: TLMM and its weight stream.");
	sb_printf(b, "\n");
	guard_open(b, "PDS_HLS_STATIC_H");
	sb_printf(b, "#include \"pds_common.h\"\n\n");
	sb_printf(b, "/* TLMM: per token and K x N matrix, ceil(K/(T*G)) * ceil(N/Q) cycles at II 1\n"
		     " * plus the pipeline depth once per call (models/engine.h). */\n");
	def(b, "PDS_TLMM_T", P->T, "tables working in parallel (design)");
	def(b, "PDS_TLMM_G", P->G, "ternary weights per packed index (model)");
	def(b, "PDS_TLMM_IDX_BITS", P->bits, "bits per packed index (model)");
	def(b, "PDS_TLMM_ENTRIES", P->entries, "3^G weight patterns per table");
	def(b, "PDS_TLMM_TAB_SIZE", P->tab_size, "2^IDX_BITS table slots; unused patterns read 0");
	def(b, "PDS_TLMM_Q", P->Q, "output lanes (design)");
	def(b, "PDS_TLMM_II", 1, "initiation interval of the lookup loop (model)");
	snprintf(what, sizeof what, "pipeline depth, cycles (calibration tlmm_depth, %s)",
		 prov_names[c->cal.tlmm_depth.prov]);
	def(b, "PDS_TLMM_DEPTH", P->depth, what);
	def(b, "PDS_TLMM_K_MAX", P->k_max, "largest K of the model's matrices");
	def(b, "PDS_TLMM_N_MAX", P->n_max, "largest N");
	def(b, "PDS_TLMM_N_MIN", P->n_min, "smallest N; the kernel takes N >= this");
	def(b, "PDS_TLMM_KB_MAX", P->kb_max, "ceil(K_MAX/(T*G)) kb steps");
	def(b, "PDS_TLMM_NB_MAX", P->nb_max, "ceil(N_MAX/Q) nb steps");
	def(b, "PDS_TLMM_ROWS_MAX", P->rows_max, "KB_MAX x NB_MAX rows of the largest K x N taken");
	def(b, "PDS_TLMM_ACC_DIST", P->acc_dist, "ceil(N_MIN/Q): iterations between updates of one accumulator");
	def(b, "PDS_TLMM_TOK_TILE", P->tok_tile,
	    "tokens per call: ceil(weight pass of a layer / TLMM time per token), model rates");
	def(b, "PDS_TLMM_TRIPS_MAX", (long long)P->rows_max * P->tok_tile, "ROWS_MAX x TOK_TILE");
	def(b, "PDS_TLMM_XPART", P->xpart, "T*G activations read per table build");
	defk(b, "PDS_TLMM_ACC_IMPL", P->acc_impl, "keyword: accumulator banks (TOK_TILE x NB_MAX deep) in URAM if >= 4096");
	sb_printf(b, "\n/* URAM weight buffer: one row of T*Q packed indices per lookup cycle,\n"
		     " * held in 64-bit words, one URAM column (72 x 4096) per word. */\n");
	def(b, "PDS_W_ROW_BITS", P->row_bits, "T*Q*IDX_BITS");
	def(b, "PDS_W_ROW_WORDS", P->row_words, "ceil(ROW_BITS/64) words per row");
	def(b, "PDS_W_URAM_BANKS", P->uram_banks, "one bank per row word");
	def(b, "PDS_W_URAM_COUNT", P->uram_count, "URAM288 blocks: banks x ceil(NB_MAX/4096)");
	def(b, "PDS_W_FIFO_DEPTH", P->w_fifo, "rows between unpacking and lookup: what two bursts of every port carry");
	sb_printf(b, "\n/* weight ports: beat j (WORDS_PER_BEAT 64-bit words) of the packed index\n"
		     " * stream is read through port j %% PDS_W_PORTS, one beat per port per cycle */\n");
	def(b, "PDS_W_PORTS", P->w.n, "architecture.static_region.weight_ports");
	def(b, "PDS_W_WORDS_PER_BEAT", P->wpb, "64-bit words per beat: the narrowest weight port's width / 64");
	def(b, "PDS_W_BUF_WORDS", P->buf_words, "ROW_WORDS + W_PORTS * WORDS_PER_BEAT + 1: unpacking buffer");
	def(b, "PDS_W_LOAD_TRIPS_MAX", (long long)P->rows_max * (P->wpp + 1) + 1,
	    "ROWS_MAX x (read cycles per row + 1 cut) + 1");
	def(b, "PDS_W_BURST", c->arch.weight_burst, "beats of the port width (config)");
	def(b, "PDS_W_OUTSTANDING", c->arch.weight_outstanding, "read bursts in flight per port (config)");
	for (int i = 0; i < P->w.n; i++) {
		char name[48], bn[PDS_NAME_MAX];
		bundle_name(c, P->w.hp[i], bn, sizeof bn);
		snprintf(name, sizeof name, "PDS_W%d_BUNDLE", i);
		snprintf(what, sizeof what, "keyword: m_axi bundle of HP port %s", c->dev.hp[P->w.hp[i]].name);
		defk(b, name, bn, what);
		snprintf(name, sizeof name, "PDS_W%d_WIDEN_BITS", i);
		snprintf(what, sizeof what, "width of %s (the model's port width)", c->dev.hp[P->w.hp[i]].name);
		def(b, name, c->dev.hp[P->w.hp[i]].width_bits, what);
	}
	sb_printf(b, "\n#endif\n");
}

/* The prefill engine's defines (design d's engine, plan P). */
static void prefill_defs(sb_t *b, const cfg_t *c, const design_t *d, const plan_t *P)
{
	char what[160];
	sb_printf(b, "/* Per head: Q blocks of N_pe queries cut from the end of the prompt, each\n"
		     " * streaming its visible K/V in blocks of B tokens, 2 * CHUNKS cycles per K/V\n"
		     " * token at II 1 plus the depth once per Q block (models/engine.h). */\n");
	def(b, "PDS_PRE_NPE", P->pe, "PEs = query rows of the resident Q block (design)");
	def(b, "PDS_PRE_LANES", P->pre_lanes, "MACs per PE per cycle along head_dim (design)");
	def(b, "PDS_PRE_BLOCK", P->block, "K/V tokens per fetched block (design)");
	def(b, "PDS_PRE_CHUNKS", P->pre_chunks, "ceil(head_dim/lanes) cycles per row pass");
	def(b, "PDS_PRE_II", 1, "initiation interval (model)");
	if (kvcache_quantised(d))
		snprintf(what, sizeof what, "pipeline depth, cycles (calibration attn_depth, %s, + kv_cache.dequant_depth, %s)",
			 prov_names[c->cal.attn_depth.prov], prov_names[c->kv.dequant_depth.prov]);
	else
		snprintf(what, sizeof what, "pipeline depth, cycles (calibration attn_depth, %s)",
			 prov_names[c->cal.attn_depth.prov]);
	def(b, "PDS_PRE_DEPTH", P->attn_depth, what);
	def(b, "PDS_PRE_KV_FIFO_DEPTH", P->pre_fifo, "chunks: two K/V blocks");
	def(b, "PDS_PRE_KV_STREAM_LEN", (long long)c->model.max_context * P->pre_chunks,
	    "chunks one Q block may stream (C simulation array size)");
	def(b, "PDS_PRE_TRIPS_MAX", 2LL * c->model.max_context * P->pre_chunks, "2 x KV_STREAM_LEN");
	defk(b, "PDS_PRE_HD_PARTITION", P->pre_part, "keyword: partition of head_dim arrays for LANES reads");
	sb_printf(b, "\n/* AXI of the prefill port map '%s' */\n", c->arch.port_maps[d->pm_pre].name);
	def(b, "PDS_PRE_BURST", d->pre_burst, "beats of the port width (design)");
	def(b, "PDS_PRE_OUTSTANDING", d->pre_outstanding, "bursts in flight per port (design)");
	def_ports(b, c, "PDS_PRE", "Q", &P->pre[T_Q]);
	def_ports(b, c, "PDS_PRE", "K", &P->pre[T_K]);
	def_ports(b, c, "PDS_PRE", "V", &P->pre[T_V]);
	def_ports(b, c, "PDS_PRE", "O", &P->pre[T_O]);
}

static void render_prefill(sb_t *b, const cfg_t *c, const design_t *d, const emit_meta *m, const plan_t *P)
{
	put_meta(b, c, d, m, "pds_prefill.h",
		 d->mode == MODE_DPR ? (d->rms.n ? "prefill attention, the first prefill engine of the partition's modules."
						 : "prefill attention, the prefill reconfigurable module.")
				     : "prefill attention engine of the static design.");
	sb_printf(b, "\n");
	guard_open(b, "PDS_HLS_PREFILL_H");
	sb_printf(b, "#include \"pds_common.h\"\n\n");
	prefill_defs(b, c, d, P);
	sb_printf(b, "\n#endif\n");
}

/* The on-chip K/V tier the decode kernel reads (pds_decode.h). */
static void render_kv_tier(sb_t *b, const cfg_t *c, const design_t *d, const plan_t *P)
{
	char what[200];
	sb_printf(b, "\n/* On-chip K/V tier (models/kvcache.h): per layer the first PDS_KV_SINKS keys and\n"
		     " * the PDS_KV_WINDOW most recent ones (a ring of slots), one record of\n"
		     " * PDS_KV_TIER_REC units per (layer, slot, K/V head), K and V apart; a pass\n"
		     " * reads a key the tier holds from it, every other key from DDR. */\n");
	snprintf(what, sizeof what, "0 none, 1 static region, 2 decode RM; this is %s (design)", kv_tier_names[d->kv_tier]);
	def(b, "PDS_KV_TIER", d->kv_tier, what);
	def(b, "PDS_KV_SINKS", P->kv_tier_keys ? d->kv_sinks : 0, "first keys per layer kept (design)");
	def(b, "PDS_KV_WINDOW", P->kv_tier_keys ? d->kv_window : 0, "most recent keys per layer kept (design)");
	def(b, "PDS_KV_TIER_KEYS", P->kv_tier_keys, "SINKS + WINDOW slots per layer");
	def(b, "PDS_KV_TIER_REC", P->kv_tier_rec, "units of pds_kv in one record of a head's K or V");
	def(b, "PDS_KV_TIER_ROWS", (long long)c->model.layers * (P->kv_tier_keys ? P->kv_tier_keys : 1) * c->model.kv_heads,
	    "records of K (and of V): layers x slots x K/V heads");
	def(b, "PDS_KV_TIER_BANKS", P->kv_tier_banks ? P->kv_tier_banks : 1,
	    "cyclic banks: the decode engine's lanes x bits / word bits (kvcache.h)");
	snprintf(what, sizeof what, "%s blocks of K and V together (model)", res_names[c->kv.tier_memory]);
	def(b, "PDS_KV_TIER_BLOCKS", P->kv_tier_blocks, what);
	defk(b, "PDS_KV_TIER_IMPL", c->kv.tier_memory == RES_BRAM ? "bram" : "uram",
	     "keyword: the tier's memory (config kv_cache.tier_memory)");
}

/* The decode engine's defines (design d's engine, plan P). */
static void decode_defs(sb_t *b, const cfg_t *c, const design_t *d, const plan_t *P)
{
	char what[160];
	const portmap_t *pm = &c->arch.port_maps[d->pm_dec].pm;
	static const char *const flow[DF_N] = {
		"/* Per head against c keys, one after another: a Q.K pass of c * CHUNKS cycles,\n"
		" * a softmax pass of c, an S.V pass of c * CHUNKS, each at II 1 plus the depth\n"
		" * (models/engine.h, serial). */\n",
		"/* Per head against c keys: one pass of 2 * c * CHUNKS cycles at II 1 plus the\n"
		" * depth, each key's K and V streamed together, online softmax\n"
		" * (models/engine.h, kv_overlap). */\n",
		"/* Two stages pipelined over the heads: Q.K (c * CHUNKS) and softmax (c) of\n"
		" * head h+1 beside the S.V (c * CHUNKS) of head h, on a MAC array each\n"
		" * (models/engine.h, head_pipeline). */\n"};
	sb_printf(b, "%s", flow[d->dec_dataflow]);
	snprintf(what, sizeof what, "dataflow (design): 0 serial, 1 kv_overlap, 2 head_pipeline; this is %s",
		 dataflow_names[d->dec_dataflow]);
	def(b, "PDS_DEC_DATAFLOW", d->dec_dataflow, what);
	def(b, "PDS_DEC_LANES", P->dec_lanes, "MACs per cycle along head_dim (design)");
	def(b, "PDS_DEC_CHUNKS", P->dec_chunks, "ceil(head_dim/lanes) cycles per key and pass");
	def(b, "PDS_DEC_II", 1, "initiation interval (model)");
	if (kvcache_quantised(d))
		snprintf(what, sizeof what,
			 "pipeline depth per pass, cycles (calibration attn_depth, %s, + kv_cache.dequant_depth, %s)",
			 prov_names[c->cal.attn_depth.prov], prov_names[c->kv.dequant_depth.prov]);
	else
		snprintf(what, sizeof what, "pipeline depth per pass, cycles (calibration attn_depth, %s)",
			 prov_names[c->cal.attn_depth.prov]);
	def(b, "PDS_DEC_DEPTH", P->attn_depth, what);
	def(b, "PDS_DEC_TRIPS_MAX", (long long)c->model.max_context * P->dec_chunks, "MAX_CONTEXT x CHUNKS");
	def(b, "PDS_DEC_KV_TRIPS_MAX", 2LL * c->model.max_context * P->dec_chunks, "kv_overlap: 2 x TRIPS_MAX");
	def(b, "PDS_DEC_KV_FIFO_DEPTH", 2LL * P->dec_chunks, "kv_overlap: chunks of two keys between reader and pass");
	def(b, "PDS_DEC_KV_STREAM_LEN", (long long)c->model.max_context * P->dec_chunks,
	    "kv_overlap: chunks one head may stream (C simulation array size)");
	def(b, "PDS_DEC_SCORE_FIFO_DEPTH", 2LL * c->model.max_context,
	    "head_pipeline: probabilities of one head ahead (ping-pong)");
	def(b, "PDS_DEC_SCORE_STREAM_LEN", (long long)c->model.heads * c->model.max_context,
	    "head_pipeline: probabilities of every head (C simulation array size)");
	defk(b, "PDS_DEC_HD_PARTITION", P->dec_part, "keyword: partition of head_dim arrays for LANES reads");
	defk(b, "PDS_DEC_SCORE_IMPL", P->score_impl, "keyword: scores of MAX_CONTEXT keys in URAM if >= 4096");
	sb_printf(b, "\n/* AXI of the decode port map '%s' */\n", c->arch.port_maps[d->pm_dec].name);
	def(b, "PDS_DEC_BURST", d->dec_burst, "beats of the port width (design)");
	def(b, "PDS_DEC_OUTSTANDING", d->dec_outstanding, "bursts in flight per port (design)");
	def(b, "PDS_DEC_Q_PRELOAD", pm->q_preload, "1: every head's Q is read before K/V streaming starts");
	def(b, "PDS_DEC_O_AFTER_KV", pm->o_after_kv, "1: O is buffered and written after the last K/V");
	def_ports(b, c, "PDS_DEC", "Q", &P->dec[T_Q]);
	def_ports(b, c, "PDS_DEC", "K", &P->dec[T_K]);
	def_ports(b, c, "PDS_DEC", "V", &P->dec[T_V]);
	def_ports(b, c, "PDS_DEC", "O", &P->dec[T_O]);
	render_kv_tier(b, c, d, P);
}

static void render_decode(sb_t *b, const cfg_t *c, const design_t *d, const emit_meta *m, const plan_t *P)
{
	put_meta(b, c, d, m, "pds_decode.h",
		 d->mode == MODE_DPR ? (d->rms.n ? "decode attention, the first decode engine of the partition's modules."
						 : "decode attention, the decode reconfigurable module.")
				     : "decode attention engine of the static design.");
	sb_printf(b, "\n");
	guard_open(b, "PDS_HLS_DECODE_H");
	sb_printf(b, "#include \"pds_common.h\"\n\n");
	decode_defs(b, c, d, P);
	sb_printf(b, "\n#endif\n");
}

/*
 * pds_rmK.h: module K of the partition, the engines it holds with the
 * defines of pds_prefill.h and pds_decode.h for its own sizes and port
 * maps.  Including it before them (the kernels do with
 * -DPDS_RM_HEADER='"pds_rmK.h"') builds a kernel for the module: it takes
 * their include guards for the engines it holds.
 */
static void render_module(sb_t *b, const cfg_t *c, const design_t *d, const emit_meta *m, const plan_t *P, int k)
{
	const rm_t *rm = &d->rms.rm[k];
	design_t v;
	rms_view(d, rm, &v);
	char file[32], title[200];
	snprintf(file, sizeof file, "pds_rm%d.h", k);
	bool pre = rm->engines & RM_ENG_PRE, dec = rm->engines & RM_ENG_DEC;
	snprintf(title, sizeof title, "module %d of %d of the partition, '%s': %s.", k, d->rms.n, rm->name,
		 pre && dec ? "a prefill and a decode engine (a hybrid)" : pre ? "a prefill engine" : "a decode engine");
	put_meta(b, c, d, m, file, title);
	sb_printf(b, "\n");
	char g[32];
	snprintf(g, sizeof g, "PDS_HLS_RM%d_H", k);
	guard_open(b, g);
	sb_printf(b, "#include \"pds_common.h\"\n\n");
	def(b, "PDS_RM_INDEX", k, "this module's place in the set (design)");
	def(b, "PDS_RM_COUNT", d->rms.n, "modules of the partition, one partial bitstream each");
	def(b, "PDS_RM_HAS_PREFILL", pre, "1: the module holds a prefill engine");
	def(b, "PDS_RM_HAS_DECODE", dec, "1: the module holds a decode engine");
	def(b, "PDS_RM_SERVES_PREFILL", rms_serves(rm, false), "1: the policies may run a prefill on it");
	def(b, "PDS_RM_SERVES_DECODE", rms_serves(rm, true), "1: the policies may run decode steps on it");
	if (pre) {
		sb_printf(b, "\n/* its prefill engine: pds_prefill.h's defines for it */\n");
		def(b, "PDS_HLS_PREFILL_H", 1, "the guard of pds_prefill.h: its defines are these");
		prefill_defs(b, c, &v, P);
	}
	if (dec) {
		sb_printf(b, "\n/* its decode engine: pds_decode.h's defines for it */\n");
		def(b, "PDS_HLS_DECODE_H", 1, "the guard of pds_decode.h: its defines are these");
		decode_defs(b, c, &v, P);
	}
	sb_printf(b, "\n#endif\n");
}

/* The pragma forms the kernels build from the keyword macros, checked
 * before anything is written. */
static int self_check(const cfg_t *c, const plan_t *P, char *err, size_t errlen)
{
	char line[256], e[256];
	const char *parts[2] = {P->pre_part, P->dec_part};
	for (int i = 0; i < 2; i++) {
		snprintf(line, sizeof line, "#pragma HLS array_partition variable=buf %s dim=1", parts[i]);
		if (pragma_check(line, NULL, 0, e, sizeof e))
			BUG("the partition '%s' the plan makes is not valid: %s", parts[i], e);
	}
	if (P->kv_tier_keys > 0) {
		snprintf(line, sizeof line, "#pragma HLS interface mode=bram port=tk storage_type=ram_2p storage_impl=%s",
			 c->kv.tier_memory == RES_BRAM ? "bram" : "uram");
		if (pragma_check(line, NULL, 0, e, sizeof e))
			BUG("the tier's interface '%s' the plan makes is not valid: %s", line, e);
	}
	const char *impls[2] = {P->acc_impl, P->score_impl};
	for (int i = 0; i < 2; i++) {
		snprintf(line, sizeof line, "#pragma HLS bind_storage variable=buf type=ram_2p impl=%s", impls[i]);
		if (pragma_check(line, NULL, 0, e, sizeof e))
			BUG("the storage '%s' the plan makes is not valid: %s", impls[i], e);
	}
	for (int h = 0; h < c->dev.n_hp; h++) {
		char bn[PDS_NAME_MAX];
		bundle_name(c, h, bn, sizeof bn);
		snprintf(line, sizeof line,
			 "#pragma HLS interface mode=m_axi port=p bundle=%s offset=slave max_read_burst_length=%d "
			 "num_read_outstanding=%d max_widen_bitwidth=%d",
			 bn, c->dev.axi_max_burst_beats, 1, c->dev.hp[h].width_bits);
		if (pragma_check(line, NULL, 0, e, sizeof e))
			return fail(err, errlen, "HP port '%s' cannot be an m_axi bundle: %s", c->dev.hp[h].name, e);
	}
	return 0;
}

void emit_texts_free(char *texts[EMIT_N_HEADERS])
{
	for (int i = 0; i < EMIT_N_HEADERS; i++) {
		free(texts[i]);
		texts[i] = NULL;
	}
}

/* Module k's plan: the design's, with the module's engines and their ports
 * (the DDR layout stays the one every engine shares). */
static int plan_module(const cfg_t *c, const design_t *d, const plan_t *P, int k, plan_t *Pk, char *err, size_t errlen)
{
	const rm_t *rm = &d->rms.rm[k];
	design_t v;
	rms_view(d, rm, &v);
	*Pk = *P;
	plan_attention(c, &v, Pk);
	if (((rm->engines & RM_ENG_PRE) && engine_ports(c, v.pm_pre, false, Pk->pre, err, errlen)) ||
	    ((rm->engines & RM_ENG_DEC) && engine_ports(c, v.pm_dec, true, Pk->dec, err, errlen)))
		return -1;
	return self_check(c, Pk, err, errlen);
}

int emit_headers(const design_t *d)
{
	return EMIT_N_HEADERS + (d->mode == MODE_DPR ? d->rms.n : 0);
}

void emit_header_name(const design_t *d, int i, char *buf, size_t len)
{
	(void)d;
	if (i < EMIT_N_HEADERS)
		snprintf(buf, len, "%s", emit_header_names[i]);
	else
		snprintf(buf, len, "pds_rm%d.h", i - EMIT_N_HEADERS);
}

int emit_render_all(const cfg_t *c, const design_t *d, const emit_meta *meta, char *texts[EMIT_MAX_HEADERS],
		    char *err, size_t errlen)
{
	for (int i = 0; i < EMIT_MAX_HEADERS; i++)
		texts[i] = NULL;
	if (emit_render(c, d, meta, texts, err, errlen))
		return -1;
	plan_t P, Pk;
	if (plan(c, d, &P, err, errlen))
		goto bad;
	for (int k = 0; d->mode == MODE_DPR && k < d->rms.n; k++) {
		if (plan_module(c, d, &P, k, &Pk, err, errlen))
			goto bad;
		sb_t b = {NULL, 0, 0, false};
		render_module(&b, c, d, meta, &Pk, k);
		if (b.oom) {
			free(b.p);
			fail(err, errlen, "out of memory rendering pds_rm%d.h", k);
			goto bad;
		}
		texts[EMIT_N_HEADERS + k] = b.p;
	}
	return 0;
bad:
	for (int i = 0; i < EMIT_MAX_HEADERS; i++) {
		free(texts[i]);
		texts[i] = NULL;
	}
	return -1;
}

int emit_render(const cfg_t *c, const design_t *d, const emit_meta *meta, char *texts[EMIT_N_HEADERS], char *err,
	       size_t errlen)
{
	plan_t P;
	for (int i = 0; i < EMIT_N_HEADERS; i++)
		texts[i] = NULL;
	if (plan(c, d, &P, err, errlen) || self_check(c, &P, err, errlen))
		return -1;
	void (*const fns[EMIT_N_HEADERS])(sb_t *, const cfg_t *, const design_t *, const emit_meta *,
					 const plan_t *) = {render_common, render_static, render_prefill, render_decode};
	for (int i = 0; i < EMIT_N_HEADERS; i++) {
		sb_t b = {NULL, 0, 0, false};
		fns[i](&b, c, d, meta, &P);
		if (b.oom) {
			free(b.p);
			emit_texts_free(texts);
			return fail(err, errlen, "out of memory rendering %s", emit_header_names[i]);
		}
		texts[i] = b.p;
	}
	return 0;
}

/* ---------------------------------------------------------------- write */

int emit_write(const cfg_t *c, const design_t *d, const emit_meta *meta, const char *outdir, char *err, size_t errlen)
{
	char *texts[EMIT_MAX_HEADERS], dst[4200], name[32];
	afile out[EMIT_MAX_HEADERS];
	int rc = -1, opened = 0, n = emit_headers(d);

	if (emit_render_all(c, d, meta, texts, err, errlen))
		return -1;
	if (strlen(outdir) > 4000) {
		fail(err, errlen, "output directory name is too long");
		goto out;
	}
	if (afile_make_dir(outdir, err, errlen))
		goto out;
	/* all written and synced before the first lands */
	for (; opened < n; opened++) {
		emit_header_name(d, opened, name, sizeof name);
		snprintf(dst, sizeof dst, "%s/%s", outdir, name);
		if (afile_open(&out[opened], dst, err, errlen))
			goto out;
		fputs(texts[opened], out[opened].f);
		if (afile_sync(&out[opened], err, errlen)) {
			opened++;
			goto out;
		}
	}
	for (int i = 0; i < n; i++)
		if (afile_rename(&out[i], err, errlen))
			goto out;
	opened = 0;
	/* the module headers of a design emitted there before are not this one's */
	for (int k = d->mode == MODE_DPR ? d->rms.n : 0; k < RMS_MAX; k++) {
		snprintf(dst, sizeof dst, "%s/pds_rm%d.h", outdir, k);
		if (unlink(dst) && errno != ENOENT) {
			fail(err, errlen, "%s: cannot remove a module header of another design: %s", dst, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	for (int i = 0; i < opened; i++)
		afile_abort(&out[i]);
	for (int i = 0; i < EMIT_MAX_HEADERS; i++)
		free(texts[i]);
	return rc;
}
