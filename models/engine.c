/*
 * engine.c - loop-nest cycle counts and per-unit resources of the TLMM and
 * the two attention engines, and the geometry of a pblock.  See engine.h
 * for the loop nests these formulas count.
 */
#include "models/engine.h"
#include "models/profile.h"

#include <math.h>

#include <math.h>

#include "models/kvcache.h"

int64_t engine_tlmm_mat_cycles(int k, int n, int tables, int group, int lanes)
{
	return ceil_div(k, (int64_t)tables * group) * ceil_div(n, lanes);
}

int64_t engine_tlmm_cycles(const workload_t *w, const design_t *d, int64_t tokens, int m0, int m1,
			int64_t depth)
{
	int64_t cyc = 0;
	for (int i = m0; i < m1; i++)
		cyc += tokens * engine_tlmm_mat_cycles(w->mat[i].k, w->mat[i].n, d->tlmm_tables, w->group,
						    d->tlmm_lanes) +
		       depth;
	return cyc;
}

int64_t engine_pre_kv_tokens(int64_t prompt, int pe, int block, bool naive)
{
	int64_t nqb = ceil_div(prompt, pe), sum = 0;
	if (naive)
		return nqb * prompt;
	for (int64_t k = 0; k < nqb; k++) {
		int64_t e = prompt - k * pe; /* blocks are cut from the end */
		int64_t vis = ceil_div(e, block) * block;
		sum += vis < prompt ? vis : prompt;
	}
	return sum;
}

int64_t engine_pre_cycles(const workload_t *w, int64_t prompt, int pe, int lanes, int block, int64_t depth,
		       bool naive)
{
	int64_t per_tok = 2 * ceil_div(w->head_dim, lanes);
	int64_t kv = engine_pre_kv_tokens(prompt, pe, block, naive);
	return (int64_t)w->heads * (kv * per_tok + ceil_div(prompt, pe) * depth);
}

int64_t engine_pre_query_cycles(const workload_t *w, int64_t keys, int lanes, int64_t depth)
{
	return (int64_t)w->heads * (keys * 2 * ceil_div(w->head_dim, lanes) + depth);
}

int64_t engine_dec_dot_cycles(const workload_t *w, int64_t keys, int lanes, int64_t depth)
{
	return (int64_t)w->heads * (keys * ceil_div(w->head_dim, lanes) + depth);
}

int64_t engine_dec_softmax_cycles(const workload_t *w, int64_t keys, int64_t depth)
{
	return (int64_t)w->heads * (keys + depth);
}

int64_t engine_dec_kv_cycles(const workload_t *w, int64_t keys, int lanes, int64_t depth)
{
	return (int64_t)w->heads * (2 * keys * ceil_div(w->head_dim, lanes) + depth);
}

int64_t engine_dec_head_a_cycles(const workload_t *w, int64_t keys, int lanes, int64_t depth)
{
	return keys * ceil_div(w->head_dim, lanes) + depth + keys + depth;
}

int64_t engine_dec_head_b_cycles(const workload_t *w, int64_t keys, int lanes, int64_t depth)
{
	return keys * ceil_div(w->head_dim, lanes) + depth;
}

int64_t engine_dec_cycles(const workload_t *w, int64_t keys, int lanes, int64_t depth, dataflow_t df)
{
	switch (df) {
	case DF_SERIAL:
		return 2 * engine_dec_dot_cycles(w, keys, lanes, depth) + engine_dec_softmax_cycles(w, keys, depth);
	case DF_KV_OVERLAP:
		return engine_dec_kv_cycles(w, keys, lanes, depth);
	case DF_HEAD_PIPE: {
		int64_t a = engine_dec_head_a_cycles(w, keys, lanes, depth);
		int64_t b = engine_dec_head_b_cycles(w, keys, lanes, depth);
		return a + (int64_t)(w->heads - 1) * (a > b ? a : b) + b;
	}
	default:
		BUG("dataflow %d", (int)df);
	}
}

int64_t engine_bound_cycles(const cfg_t *c, const workload_t *w, const cfg_import *m)
{
	const design_t *d = &m->d;
	if (m->loop_bound <= 0)
		return 0;
	int64_t tdepth = llround(c->cal.tlmm_depth.value), adepth = llround(c->cal.attn_depth.value);
	switch (m->scope) {
	case MEAS_TLMM: {
		int kmax = 0, nmax = 0;
		for (int i = 0; i < w->n_mats; i++) {
			kmax = w->mat[i].k > kmax ? w->mat[i].k : kmax;
			nmax = w->mat[i].n > nmax ? w->mat[i].n : nmax;
		}
		return (int64_t)m->loop_bound * engine_tlmm_mat_cycles(kmax, nmax, d->tlmm_tables, w->group, d->tlmm_lanes) +
		       tdepth;
	}
	case MEAS_PREFILL:
		return engine_pre_cycles(w, m->loop_bound, d->pre_pe, d->pre_lanes, d->pre_block > 0 ? d->pre_block : 1,
					 adepth, true);
	case MEAS_DECODE:
		return engine_dec_cycles(w, m->loop_bound, d->dec_lanes, adepth, d->dec_dataflow);
	default:
		return 0;
	}
}

int64_t engine_tlmm_units(const design_t *d)
{
	return (int64_t)d->tlmm_tables * d->tlmm_lanes;
}

int64_t engine_pre_units(const design_t *d)
{
	return (int64_t)d->pre_pe * d->pre_lanes;
}

int64_t engine_dec_units(const design_t *d)
{
	return (int64_t)d->dec_lanes * (d->dec_dataflow == DF_HEAD_PIPE ? 2 : 1);
}

/* An engine's own resources: its per-unit cost x units, or its measured
 * profile where one exists (models/profile.h). */
static res_t engine_own(const cfg_t *c, cfg_meas_scope e, const design_t *d, const rcoef_t *k, int64_t units)
{
	if (c->n_imports == 0)
		return res_scale(k->r, (double)units);
	res_t r;
	for (int t = 0; t < RES_N; t++)
		r.v[t] = profile_value(c, e, d, t, NULL);
	return r;
}

/* The static region without the K/V cache's parts (the factorised sweep
 * adds those itself, in the order engine_res_static does). */
res_t engine_res_static_base(const cfg_t *c, const design_t *d)
{
	res_t r = engine_own(c, MEAS_TLMM, d, &c->cal.tlmm_per_unit, engine_tlmm_units(d));
	r = res_add(r, c->cal.rmsnorm_findmax.r);
	return res_add(r, c->cal.other_static.r);
}

res_t engine_res_static(const cfg_t *c, const design_t *d)
{
	res_t r = res_add(engine_res_static_base(c, d), kvcache_quantiser_res(c, d));
	if (d->kv_tier == KV_TIER_STATIC)
		r = res_add(r, kvcache_tier_res(c, d));
	return r;
}

res_t engine_res_pre(const cfg_t *c, const design_t *d)
{
	res_t r = engine_own(c, MEAS_PREFILL, d, &c->cal.pre_per_mac, engine_pre_units(d));
	return res_add(r, kvcache_dequant_res(c, d, engine_pre_units(d)));
}

res_t engine_res_dec_base(const cfg_t *c, const design_t *d)
{
	res_t r = engine_own(c, MEAS_DECODE, d, &c->cal.dec_per_mac, engine_dec_units(d));
	return res_add(r, kvcache_dequant_res(c, d, engine_dec_units(d)));
}

res_t engine_res_dec(const cfg_t *c, const design_t *d)
{
	res_t r = engine_res_dec_base(c, d);
	if (d->kv_tier == KV_TIER_RP)
		r = res_add(r, kvcache_tier_res(c, d));
	return r;
}

int64_t engine_attn_depth(const cfg_t *c, const design_t *d)
{
	return (int64_t)llround(c->cal.attn_depth.value) + kvcache_depth(c, d);
}

double engine_eta(const cfg_t *c, cfg_meas_scope e, const design_t *d)
{
	if (c->n_imports == 0)
		return e == MEAS_TLMM ? c->cal.eta_tlmm.value : c->cal.eta_attn.value;
	return profile_value(c, e, d, PF_ETA, NULL);
}

res_t engine_pblock_capacity(const cfg_t *c, const cfg_pblock *pb)
{
	res_t r;
	r.v[RES_LUT] = (double)pb->clb_tiles * c->dev.fabric.lut_per_clb_col;
	r.v[RES_FF] = (double)pb->clb_tiles * c->dev.fabric.ff_per_clb_col;
	r.v[RES_DSP] = (double)pb->dsp_tiles * c->dev.fabric.dsp_per_col;
	r.v[RES_BRAM] = (double)pb->bram_tiles * c->dev.fabric.bram_per_col;
	r.v[RES_URAM] = pb->uram_sites;
	return r;
}

/*
 * Configuration frames of a pblock.  Each resource tile (one column of one
 * clock-region row) has its own frames; UltraScale+ puts one interconnect
 * column between each pair of resource columns, so interconnect tiles are
 * half the resource tiles (rounded up).  A URAM segment's frames are
 * carried whole for every segment its sites touch (uram_rows; for a pblock
 * of counts, the fewest segments that hold its sites), since a frame is
 * one clock-region row high.
 */
int64_t engine_pblock_uram_rows(const cfg_t *c, const cfg_pblock *pb)
{
	return pb->uram_rows > 0 ? pb->uram_rows : ceil_div(pb->uram_sites, c->dev.fabric.uram_per_col);
}

int64_t engine_pblock_frames(const cfg_t *c, const cfg_pblock *pb)
{
	const struct cfg_fabric *f = &c->dev.fabric;
	int64_t uram_tiles = engine_pblock_uram_rows(c, pb);
	int64_t int_tiles = ceil_div((int64_t)pb->clb_tiles + pb->dsp_tiles + pb->bram_tiles + uram_tiles, 2);
	return (int64_t)pb->clb_tiles * f->frames_clb + (int64_t)pb->dsp_tiles * f->frames_dsp +
	       (int64_t)pb->bram_tiles * (f->frames_bram_config + f->frames_bram_content) +
	       uram_tiles * f->frames_uram + int_tiles * f->frames_int;
}

double engine_bitstream_bytes(const cfg_t *c, const cfg_pblock *pb)
{
	return (double)engine_pblock_frames(c, pb) * c->dev.fabric.frame_bytes +
	       c->dev.fabric.bitstream_overhead_bytes;
}
