/*
 * perf.c - the analytical roofline model of perf.h.
 *
 * perf_prepare() does the per-design work once (stream bandwidths of each
 * engine on each port, per-token TLMM time, weight-load time, resources,
 * bitstream size); the per-workload functions are then a few dozen
 * floating-point operations, with the causal K/V token count in closed
 * form so that a prefill of any length costs O(log L).
 */
#include "models/perf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/engine.h"
#include "models/kvcache.h"
#include "models/limits.h"
#include "models/platform.h"

/* ------------------------------------------------------------ bandwidth */

double perf_port_time(const perf_ctx *p, const portload_t *pl, const double *bw)
{
	const cfg_t *c = p->c;
	double t = 0, ctrl[CFG_MAX_CTRL] = {0}, total = 0;
	for (int h = 0; h < c->dev.n_hp; h++) {
		double r = pl->rd[h] / bw[h], w = pl->wr[h] / bw[h];
		if (r > t)
			t = r;
		if (w > t)
			t = w;
		ctrl[c->dev.hp[h].ctrl] += pl->rd[h] + pl->wr[h];
		total += pl->rd[h] + pl->wr[h];
	}
	for (int k = 0; k < c->dev.ddr.n_ctrl; k++) {
		double tc = ctrl[k] / platform_ctrl_b_per_s(c, k);
		if (tc > t)
			t = tc;
	}
	double td = total / platform_ddr_b_per_s(c);
	return td > t ? td : t;
}

/* Spread `bytes` evenly over the ports in `mask`. */
static void pl_add(portload_t *pl, uint32_t mask, double bytes, bool write)
{
	int n = __builtin_popcount(mask);
	if (!n || bytes <= 0)
		return;
	for (int h = 0; h < CFG_MAX_HP; h++)
		if (mask & (1u << h)) {
			if (write)
				pl->wr[h] += bytes / n;
			else
				pl->rd[h] += bytes / n;
		}
}

/* --------------------------------------------------------------- prepare */

void perf_prepare(perf_ctx *p, const cfg_t *c, const workload_t *w, const design_t *d)
{
	memset(p, 0, sizeof *p);
	p->c = c;
	p->w = w;
	p->d = *d;
	p->f_hz = d->clock_mhz * 1e6;
	p->eta_tlmm = engine_eta(c, MEAS_TLMM, d);
	p->eta_pre = engine_eta(c, MEAS_PREFILL, d);
	p->eta_dec = engine_eta(c, MEAS_DECODE, d);
	p->lat_s = c->cal.ddr_latency_ns.value * 1e-9;
	for (int h = 0; h < c->dev.n_hp; h++) {
		p->bw_w[h] = platform_stream_b_per_s(c, h, p->f_hz, true, c->arch.weight_burst,
						     c->arch.weight_outstanding);
		p->bw_pre[h] = platform_stream_b_per_s(c, h, p->f_hz, false, d->pre_burst, d->pre_outstanding);
		p->bw_dec[h] = platform_stream_b_per_s(c, h, p->f_hz, false, d->dec_burst, d->dec_outstanding);
	}
	portload_t pl = {{0}, {0}};
	pl_add(&pl, (uint32_t)c->arch.weight_ports, w->wbytes_layer, false);
	p->w_layer_s = perf_port_time(p, &pl, p->bw_w);
	memset(&pl, 0, sizeof pl);
	pl_add(&pl, (uint32_t)c->arch.weight_ports, w->wbytes_post_attn_layer, false);
	p->w_post_s = perf_port_time(p, &pl, p->bw_w);

	double rate = p->f_hz * p->eta_tlmm;
	int64_t depth = (int64_t)llround(c->cal.tlmm_depth.value);
	p->lin_tok_s = engine_tlmm_cycles(w, d, 1, 0, w->n_mats, 0) / rate;
	p->lin_post_tok_s = engine_tlmm_cycles(w, d, 1, w->n_pre_attn, w->n_mats, 0) / rate;
	p->lin_depth_s = (double)depth * w->n_mats / rate;
	p->lin_post_depth_s = (double)depth * (w->n_mats - w->n_pre_attn) / rate;

	p->kb = (double)kvcache_key_bytes(c, d->kv_prec);
	p->tier_b_per_s = kvcache_tier_b_per_s(c, d);
	p->adepth = engine_attn_depth(c, d);
	p->r_tier = kvcache_tier_res(c, d);

	p->r_static = engine_res_static(c, d);
	p->r_pre = engine_res_pre(c, d);
	p->r_dec = engine_res_dec(c, d);
	p->r_equiv = res_add(p->r_static, res_add(p->r_pre, p->r_dec));
	if (d->mode == MODE_DPR) {
		const cfg_pblock *pb = &c->arch.pblocks[d->rp];
		p->r_total = res_add(p->r_static, res_max(p->r_pre, p->r_dec));
		p->rp_cap = engine_pblock_capacity(c, pb);
		p->bitstream_bytes = engine_bitstream_bytes(c, pb);
		p->pcap_idle_s = platform_pcap_idle_s(c, p->bitstream_bytes);
	} else {
		p->r_total = p->r_equiv;
	}
}

/* ------------------------------------------------------------- K/V count */

/* sum_{i=0}^{n-1} floor((a*i + b) / m), a, b >= 0, m > 0 (Euclid-like). */
static int64_t floor_sum(int64_t n, int64_t m, int64_t a, int64_t b)
{
	int64_t ans = 0;
	while (n > 0) {
		if (a >= m) {
			ans += (n - 1) * n / 2 * (a / m);
			a %= m;
		}
		if (b >= m) {
			ans += n * (b / m);
			b %= m;
		}
		int64_t y = a * n + b;
		if (y < m)
			break;
		n = y / m;
		b = y % m;
		int64_t t = m;
		m = a;
		a = t;
	}
	return ans;
}

/*
 * Closed form of engine_pre_kv_tokens (reversed schedule).  Block k (from the
 * end) ends at e_k = L - k*pe and streams min(B*ceil(e_k/B), L).  The cap
 * binds while e_k > B*floor(L/B), i.e. for the first kc = ceil((L mod B)/pe)
 * blocks; the remaining m = n - kc blocks, counted from the first
 * (e = r + j*pe, r = L - (n-1)*pe), sum to B * sum_j ceil((r + j*pe)/B).
 */
int64_t perf_kv_tokens_closed(int64_t prompt, int pe, int block)
{
	int64_t n = ceil_div(prompt, pe);
	int64_t kc = ceil_div(prompt % block, pe);
	if (kc > n)
		kc = n;
	int64_t r = prompt - (n - 1) * pe, m = n - kc;
	return kc * prompt + (int64_t)block * floor_sum(m, block, pe, r + block - 1);
}

/* --------------------------------------------------------------- prefill */

double perf_prefill_attn_s(const perf_ctx *p, int prompt, bool naive)
{
	const cfg_t *c = p->c;
	const workload_t *w = p->w;
	const design_t *d = &p->d;
	const portmap_t *pm = &c->arch.port_maps[d->pm_pre].pm;
	int64_t kv = naive ? engine_pre_kv_tokens(prompt, d->pre_pe, d->pre_block, true)
			   : perf_kv_tokens_closed(prompt, d->pre_pe, d->pre_block);
	int64_t depth = p->adepth;
	double cyc = (double)w->heads *
		     ((double)kv * 2 * ceil_div(w->head_dim, d->pre_lanes) + ceil_div(prompt, d->pre_pe) * depth);
	double tc = cyc / (p->f_hz * p->eta_pre);
	portload_t pl = {{0}, {0}};
	double kb = p->kb, qb = (double)w->q_bytes_token_layer;
	pl_add(&pl, pm->q, prompt * qb, false);
	pl_add(&pl, pm->k, kv * kb, false);
	pl_add(&pl, pm->v, kv * kb, false);
	pl_add(&pl, pm->k, prompt * kb, true); /* append the prompt's K/V to the cache */
	pl_add(&pl, pm->v, prompt * kb, true);
	pl_add(&pl, pm->o, prompt * qb, true);
	double tb = perf_port_time(p, &pl, p->bw_pre);
	return tc > tb ? tc : tb;
}

perf_layer perf_prefill_layer(const perf_ctx *p, int prompt, bool naive)
{
	perf_layer r;
	double lc = prompt * p->lin_tok_s + p->lin_depth_s;
	r.lin_s = lc > p->w_layer_s ? lc : p->w_layer_s;
	r.att_s = perf_prefill_attn_s(p, prompt, naive);
	/* weights, Q/O and the K/V stream of the causal schedule */
	int64_t kv = perf_kv_tokens_closed(prompt, p->d.pre_pe, p->d.pre_block);
	r.bytes = p->w->wbytes_layer + 2.0 * prompt * p->w->q_bytes_token_layer + (double)(kv + prompt) * 2.0 * p->kb;
	return r;
}

double perf_prefill_s(const perf_ctx *p, int prompt)
{
	perf_layer l = perf_prefill_layer(p, prompt, false);
	return p->w->layers * (l.lin_s + l.att_s);
}

double perf_ttft_s(const perf_ctx *p, int prompt)
{
	return perf_prefill_s(p, prompt) + p->c->cal.lm_head_s.value;
}

/* ---------------------------------------------------------------- decode */

/*
 * The attention of one decode step, by the engine's dataflow (engine.h):
 *   serial         Q preload + QK + C_sm + SV                        + O write
 *   kv_overlap     Q preload + KV                                    + O write
 *   head_pipeline  Q preload + A + (heads - 1) P + B_last             + O write,
 *                  A = QK + C_sm and B = SV of one head, P = max(A, B,
 *                  t_K+V + the tier's part) the step in which the S.V of
 *                  one head runs beside the Q.K of the next; the K/V append
 *                  goes with the last head's S.V
 * where a pass over the keys (QK, SV, KV) takes two segments, the keys
 * read from DDR and then those read from the on-chip tier (kvcache.h):
 *     pass = max(C(kd), t_DDR) + max(C(c) - C(kd), t_tier)
 * C(n) the pass's cycles at n keys (engine.h, the depth in the first
 * segment), kd = c - min(c, T) the keys from DDR, t_DDR the port time of
 * their bytes (perf_port_time), t_tier the tier's bytes at its read rate.
 * Without a tier (T = 0) the second segment is 0 and the pass is the
 * roofline max(C(c), t_DDR).  The Q preload and the O write-back each add
 * one round-trip latency.
 */
static double tier_s(const perf_ctx *p, double bytes)
{
	return bytes > 0 ? bytes / p->tier_b_per_s : 0;
}

static double seg(double cyc, double rate, double t)
{
	double tc = cyc / rate;
	return tc > t ? tc : t;
}

static double dec_attn_s(const perf_ctx *p, int keys)
{
	const cfg_t *c = p->c;
	const workload_t *w = p->w;
	const design_t *d = &p->d;
	const portmap_t *pm = &c->arch.port_maps[d->pm_dec].pm;
	int64_t depth = p->adepth;
	double rate = p->f_hz * p->eta_dec;
	double kb = p->kb, qb = (double)w->q_bytes_token_layer;
	int64_t kt = kvcache_onchip_keys(d, keys), kd = keys - kt;
	double t = 0;
	portload_t pl = {{0}, {0}};
	if (pm->q_preload) {
		pl_add(&pl, pm->q, qb, false);
		t += perf_port_time(p, &pl, p->bw_dec) + p->lat_s;
		memset(&pl, 0, sizeof pl);
	}
	switch (d->dec_dataflow) {
	case DF_SERIAL: {
		int64_t dot = engine_dec_dot_cycles(w, keys, d->dec_lanes, depth);
		int64_t dot_d = engine_dec_dot_cycles(w, kd, d->dec_lanes, depth);
		double tt = tier_s(p, (double)kt * kb);
		if (!pm->q_preload)
			pl_add(&pl, pm->q, qb, false);
		pl_add(&pl, pm->k, kd * kb, false);
		t += seg((double)dot_d, rate, perf_port_time(p, &pl, p->bw_dec));
		t += seg((double)(dot - dot_d), rate, tt);
		t += engine_dec_softmax_cycles(w, keys, depth) / rate;
		memset(&pl, 0, sizeof pl);
		pl_add(&pl, pm->v, kd * kb, false);
		pl_add(&pl, pm->k, kb, true); /* append this token's K/V */
		pl_add(&pl, pm->v, kb, true);
		if (!pm->o_after_kv)
			pl_add(&pl, pm->o, qb, true);
		t += seg((double)dot_d, rate, perf_port_time(p, &pl, p->bw_dec));
		t += seg((double)(dot - dot_d), rate, tt);
		break;
	}
	case DF_KV_OVERLAP: {
		int64_t ckv = engine_dec_kv_cycles(w, keys, d->dec_lanes, depth);
		int64_t ckv_d = engine_dec_kv_cycles(w, kd, d->dec_lanes, depth);
		if (!pm->q_preload)
			pl_add(&pl, pm->q, qb, false);
		pl_add(&pl, pm->k, kd * kb, false);
		pl_add(&pl, pm->v, kd * kb, false);
		pl_add(&pl, pm->k, kb, true);
		pl_add(&pl, pm->v, kb, true);
		if (!pm->o_after_kv)
			pl_add(&pl, pm->o, qb, true);
		t += seg((double)ckv_d, rate, perf_port_time(p, &pl, p->bw_dec));
		t += seg((double)(ckv - ckv_d), rate, tier_s(p, 2.0 * (double)kt * kb));
		break;
	}
	case DF_HEAD_PIPE: {
		int H = w->heads;
		int64_t qk = engine_dec_head_a_cycles(w, keys, d->dec_lanes, depth) - (keys + depth);
		int64_t qk_d = engine_dec_head_a_cycles(w, kd, d->dec_lanes, depth) - (kd + depth);
		int64_t sv = engine_dec_head_b_cycles(w, keys, d->dec_lanes, depth);
		int64_t sv_d = engine_dec_head_b_cycles(w, kd, d->dec_lanes, depth);
		double csm = (double)(keys + depth) / rate;
		double tt = tier_s(p, (double)kt * kb / H);
		portload_t lk = {{0}, {0}}, lv = {{0}, {0}}, lkv, lvl;
		if (!pm->q_preload)
			pl_add(&lk, pm->q, qb / H, false);
		pl_add(&lk, pm->k, kd * kb / H, false);
		pl_add(&lv, pm->v, kd * kb / H, false);
		if (!pm->o_after_kv)
			pl_add(&lv, pm->o, qb / H, true);
		lkv = lk;
		lvl = lv;
		for (int h = 0; h < CFG_MAX_HP; h++) {
			lkv.rd[h] += lv.rd[h];
			lkv.wr[h] += lv.wr[h];
		}
		pl_add(&lvl, pm->k, kb, true);
		pl_add(&lvl, pm->v, kb, true);
		double tk = perf_port_time(p, &lk, p->bw_dec), tv = perf_port_time(p, &lv, p->bw_dec);
		double tkv = perf_port_time(p, &lkv, p->bw_dec), tvl = perf_port_time(p, &lvl, p->bw_dec);
		double at = seg((double)(qk - qk_d), rate, tt), bt = seg((double)(sv - sv_d), rate, tt);
		double A = seg((double)qk_d, rate, tk) + at + csm, B = seg((double)sv_d, rate, tv) + bt;
		double Bl = seg((double)sv_d, rate, tvl) + bt;
		double P = A > B ? A : B;
		double pk = tkv + (at > bt ? at : bt);
		if (pk > P)
			P = pk;
		t += H > 1 ? A + (H - 1) * P + Bl : A + Bl;
		break;
	}
	default:
		BUG("dataflow %d", (int)d->dec_dataflow);
	}
	if (pm->o_after_kv) {
		memset(&pl, 0, sizeof pl);
		pl_add(&pl, pm->o, qb, true);
		t += perf_port_time(p, &pl, p->bw_dec) + p->lat_s;
	}
	return t;
}

perf_layer perf_decode_layer(const perf_ctx *p, int keys)
{
	const workload_t *w = p->w;
	double kb = p->kb, qb = (double)w->q_bytes_token_layer;
	perf_layer r;
	double lc = p->lin_tok_s + p->lin_depth_s;
	r.lin_s = lc > p->w_layer_s ? lc : p->w_layer_s;
	r.att_s = dec_attn_s(p, keys);
	/* the keys the tier does not hold come from DDR; the append goes to DDR */
	r.bytes = w->wbytes_layer + 2 * qb + (double)(keys - kvcache_onchip_keys(&p->d, keys)) * 2 * kb + 2 * kb;
	return r;
}

double perf_decode_kv_ddr_bytes(const perf_ctx *p, int keys)
{
	return p->w->layers * (double)(keys - kvcache_onchip_keys(&p->d, keys)) * 2 * p->kb;
}

double perf_decode_kv_tier_bytes(const perf_ctx *p, int keys)
{
	return p->w->layers * (double)kvcache_onchip_keys(&p->d, keys) * 2 * p->kb;
}

double perf_kv_refill_s(const perf_ctx *p, int prompt)
{
	double b = kvcache_refill_bytes(p->c, &p->d, prompt);
	if (b <= 0)
		return 0;
	const portmap_t *pm = &p->c->arch.port_maps[p->d.pm_dec].pm;
	portload_t pl = {{0}, {0}};
	pl_add(&pl, pm->k, b / 2, false);
	pl_add(&pl, pm->v, b / 2, false);
	return perf_port_time(p, &pl, p->bw_dec) + p->lat_s;
}

double perf_decode_step_s(const perf_ctx *p, int keys)
{
	perf_layer l = perf_decode_layer(p, keys);
	return p->w->layers * (l.lin_s + l.att_s) + p->c->cal.lm_head_s.value;
}

double perf_decode_tok_s(const perf_ctx *p, int keys)
{
	return 1.0 / perf_decode_step_s(p, keys);
}

/* ----------------------------------------------------------------- power */

double perf_power_from(const cfg_calib *k, double active_lut, double f_hz, double bytes_per_s)
{
	return k->p_idle_w.value + k->k_logic_w.value * active_lut * 1e-6 * f_hz * 1e-9 +
	       k->e_ddr_nj_per_kb.value * 1e-9 / 1024.0 * bytes_per_s;
}

double perf_power_w(const perf_ctx *p, bool decode, double bytes_per_s)
{
	double lut;
	if (p->d.mode == MODE_DPR)
		lut = p->r_static.v[RES_LUT] + (decode ? p->r_dec.v[RES_LUT] : p->r_pre.v[RES_LUT]);
	else
		lut = p->r_total.v[RES_LUT];
	return perf_power_from(&p->c->cal, lut, p->f_hz, bytes_per_s);
}

double perf_decode_energy_j(const perf_ctx *p, int keys)
{
	perf_layer l = perf_decode_layer(p, keys);
	double step = p->w->layers * (l.lin_s + l.att_s) + p->c->cal.lm_head_s.value;
	return perf_power_w(p, true, p->w->layers * l.bytes / step) * step;
}

/* ------------------------------------------------- a phase on the other module */

/* A static design runs each phase on its own engine. */
static bool other_engine(const perf_ctx *p, perf_engine e, perf_engine own)
{
	return p->d.mode == MODE_DPR && e != own;
}

/* One query against `keys` keys on the prefill engine, one layer: the
 * roofline of its cycles and of its traffic on the prefill port map. */
static double pre_query_att_s(const perf_ctx *p, int keys)
{
	const cfg_t *c = p->c;
	const workload_t *w = p->w;
	const design_t *d = &p->d;
	const portmap_t *pm = &c->arch.port_maps[d->pm_pre].pm;
	int64_t depth = p->adepth;
	double tc = engine_pre_query_cycles(w, keys, d->pre_lanes, depth) / (p->f_hz * p->eta_pre);
	double kb = p->kb, qb = (double)w->q_bytes_token_layer;
	portload_t pl = {{0}, {0}};
	pl_add(&pl, pm->q, qb, false);
	pl_add(&pl, pm->k, keys * kb, false);
	pl_add(&pl, pm->v, keys * kb, false);
	pl_add(&pl, pm->k, kb, true); /* append this token's K/V */
	pl_add(&pl, pm->v, kb, true);
	pl_add(&pl, pm->o, qb, true);
	double tb = perf_port_time(p, &pl, p->bw_pre);
	return tc > tb ? tc : tb;
}

perf_layer perf_decode_layer_on(const perf_ctx *p, perf_engine e, int keys)
{
	if (!other_engine(p, e, PERF_ENGINE_DECODE))
		return perf_decode_layer(p, keys);
	const workload_t *w = p->w;
	double kb = p->kb, qb = (double)w->q_bytes_token_layer;
	perf_layer r;
	double lc = p->lin_tok_s + p->lin_depth_s;
	r.lin_s = lc > p->w_layer_s ? lc : p->w_layer_s;
	r.att_s = pre_query_att_s(p, keys);
	r.bytes = w->wbytes_layer + 2 * qb + (double)keys * 2 * kb + 2 * kb;
	return r;
}

perf_layer perf_prefill_layer_dec_sum(const perf_ctx *p, int prompt, double att_sum_s)
{
	const workload_t *w = p->w;
	double kb = p->kb, qb = (double)w->q_bytes_token_layer;
	perf_layer r;
	double lc = prompt * p->lin_tok_s + p->lin_depth_s;
	r.lin_s = lc > p->w_layer_s ? lc : p->w_layer_s;
	r.att_s = att_sum_s;
	/* per query i: Q and O, i keys of K and of V (those the tier does not
	 * hold: min(i, T) are on chip), its own K and V appended */
	int64_t T = kvcache_tier_keys(&p->d), n = prompt < T ? prompt : T;
	double onchip = (double)(n * (n + 1) / 2) + (double)(prompt - n) * (double)T;
	r.bytes = w->wbytes_layer + (double)prompt * (2 * qb + 2 * kb) + kb * (double)prompt * (prompt + 1) -
		  2 * kb * onchip;
	return r;
}

perf_layer perf_prefill_layer_on(const perf_ctx *p, perf_engine e, int prompt)
{
	if (!other_engine(p, e, PERF_ENGINE_PREFILL))
		return perf_prefill_layer(p, prompt, false);
	double sum = 0;
	for (int k = 1; k <= prompt; k++)
		sum += perf_decode_layer(p, k).att_s;
	return perf_prefill_layer_dec_sum(p, prompt, sum);
}

double perf_prefill_on_s(const perf_ctx *p, perf_engine e, int prompt)
{
	perf_layer l = perf_prefill_layer_on(p, e, prompt);
	return p->w->layers * l.lin_s + p->w->layers * l.att_s;
}

double perf_prefill_energy_on_j(const perf_ctx *p, perf_engine e, int prompt)
{
	perf_layer l = perf_prefill_layer_on(p, e, prompt);
	double t = p->w->layers * l.lin_s + p->w->layers * l.att_s;
	return perf_power_w(p, e == PERF_ENGINE_DECODE, p->w->layers * l.bytes / t) * t;
}

double perf_decode_step_on_s(const perf_ctx *p, perf_engine e, int keys)
{
	perf_layer l = perf_decode_layer_on(p, e, keys);
	return p->w->layers * (l.lin_s + l.att_s) + p->c->cal.lm_head_s.value;
}

double perf_decode_energy_on_j(const perf_ctx *p, perf_engine e, int keys)
{
	perf_layer l = perf_decode_layer_on(p, e, keys);
	double step = p->w->layers * (l.lin_s + l.att_s) + p->c->cal.lm_head_s.value;
	return perf_power_w(p, e == PERF_ENGINE_DECODE, p->w->layers * l.bytes / step) * step;
}

/* ------------------------------------------------------------------- run */

void perf_run_eval(const perf_ctx *p, int prompt, int gen, figures *o)
{
	const cfg_t *c = p->c;
	const double lm = c->cal.lm_head_s.value;
	memset(o, 0, sizeof *o);
	o->prompt = prompt;
	o->gen = gen;

	perf_layer pl = perf_prefill_layer(p, prompt, false);
	o->prefill_linear_s = p->w->layers * pl.lin_s;
	o->prefill_attention_s = p->w->layers * pl.att_s;
	o->prefill_s = o->prefill_linear_s + o->prefill_attention_s;
	o->ttft_s = o->prefill_s + lm;
	o->bytes_prefill = p->w->layers * pl.bytes;
	o->power_prefill_w = perf_power_w(p, false, o->bytes_prefill / o->prefill_s);
	o->energy_prefill_j = o->power_prefill_w * o->prefill_s;

	if (p->d.mode == MODE_DPR) {
		double lc = prompt * p->lin_post_tok_s + p->lin_post_depth_s;
		o->tail_overlap_s = lc > p->w_post_s ? lc : p->w_post_s;
		/* DDR load during the tail: the O/FFN weight stream */
		o->pcap_load = p->w->wbytes_post_attn_layer / o->tail_overlap_s / platform_ddr_b_per_s(c);
		if (o->pcap_load > 1)
			o->pcap_load = 1;
		o->bitstream_bytes = p->bitstream_bytes;
		o->pcap_s = p->pcap_idle_s * (1 + c->cal.pcap_slowdown.value * o->pcap_load);
		o->swap_s = o->pcap_s + c->cal.swap_ps_ms.value * 1e-3;
		/* a tier in the decode RM is refilled from DDR once the module is in,
		 * before the first decode step: the swap and the refill are hidden
		 * together */
		o->kv_refill_bytes = kvcache_refill_bytes(c, &p->d, prompt);
		o->kv_refill_s = perf_kv_refill_s(p, prompt);
		double hidden = o->tail_overlap_s + lm, busy = o->swap_s + o->kv_refill_s;
		o->swap_exposed_s = busy > hidden ? busy - hidden : 0;
	}

	double e_dec = 0, bytes = 0;
	for (int i = 0; i < gen; i++) {
		int keys = prompt + 1 + i;
		perf_layer dl = perf_decode_layer(p, keys);
		double step = p->w->layers * (dl.lin_s + dl.att_s) + lm;
		double b = p->w->layers * dl.bytes;
		if (i == 0)
			o->decode_first_step_s = step;
		o->decode_s += step;
		bytes += b;
		e_dec += perf_power_w(p, true, b / step) * step;
	}
	if (gen > 0 && o->kv_refill_bytes > 0) {
		/* the refill's DDR traffic belongs to the decode phase */
		bytes += o->kv_refill_bytes;
		e_dec += c->cal.e_ddr_nj_per_kb.value * 1e-9 / 1024.0 * o->kv_refill_bytes;
	}
	o->bytes_decode = bytes;
	if (gen > 0) {
		o->decode_tok_s = gen / o->decode_s;
		o->energy_j_per_token = e_dec / gen;
		o->power_decode_w = e_dec / o->decode_s;
	}
}

/* ------------------------------------------------------------- resources */

/* The limits imported reports set (--respect-measured, models/limits.h):
 * the last rule, after the floorplan. */
static void measured_limits(const perf_ctx *p, perf_res *o)
{
	if (!o->feasible || p->c->n_limits == 0)
		return;
	int k = limits_hit(p->c, p->d.mode, p->d.clock_mhz, p->d.rp, engine_pre_units(&p->d), engine_dec_units(&p->d));
	if (k >= 0) {
		o->feasible = false;
		snprintf(o->why, sizeof o->why, "%s", p->c->limits[k].why);
	}
}

/* "; its K/V tier of T keys per layer takes N uram" when the tier adds to type i of the region. */
static void tier_note(const perf_ctx *p, int i, kv_tier_t region, char *buf, size_t len)
{
	buf[0] = '\0';
	if (p->d.kv_tier == region && p->r_tier.v[i] > 0)
		snprintf(buf, len, "; its K/V tier of %lld key%s per layer (%s) takes %.0f",
			 (long long)kvcache_tier_keys(&p->d), kvcache_tier_keys(&p->d) == 1 ? "" : "s",
			 kv_prec_names[p->d.kv_prec], p->r_tier.v[i]);
}

void perf_resources(const perf_ctx *p, perf_res *o)
{
	const cfg_t *c = p->c;
	char note[96];
	memset(o, 0, sizeof *o);
	o->r_static = p->r_static;
	o->r_pre = p->r_pre;
	o->r_dec = p->r_dec;
	o->r_total = p->r_total;
	o->r_equiv = p->r_equiv;
	o->rp_cap = p->rp_cap;
	o->feasible = true;
	for (int i = 0; i < RES_N; i++) {
		double dev = c->dev.resources.v[i];
		o->util.v[i] = p->r_total.v[i] / dev;
		o->util_equiv.v[i] = p->r_equiv.v[i] / dev;
		if (o->feasible && p->r_total.v[i] > c->cons.util_cap.v[i] * dev) {
			o->feasible = false;
			tier_note(p, i, p->d.kv_tier, note, sizeof note);
			snprintf(o->why, sizeof o->why, "%s %.0f exceeds %.0f%% of the device's %.0f%s",
				 res_names[i], p->r_total.v[i], 100 * c->cons.util_cap.v[i], dev, note);
		}
	}
	if (p->d.mode == MODE_DPR) {
		const char *pb = c->arch.pblocks[p->d.rp].name;
		for (int i = 0; i < RES_N && o->feasible; i++) {
			double cap = perf_rp_usable(c, i, p->rp_cap.v[i]);
			double need = p->r_pre.v[i] > p->r_dec.v[i] ? p->r_pre.v[i] : p->r_dec.v[i];
			if (need > cap) {
				o->feasible = false;
				bool pre = p->r_pre.v[i] >= p->r_dec.v[i];
				tier_note(p, i, pre ? KV_TIER_N : KV_TIER_RP, note, sizeof note);
				if (i == RES_LUT || i == RES_FF)
					snprintf(o->why, sizeof o->why,
						 "%s RM needs %.1f %s but pblock '%s' offers %.1f at %.0f%% routability%s",
						 pre ? "prefill" : "decode", need, res_names[i], pb, cap,
						 100 * c->cons.rp_margin, note);
				else
					snprintf(o->why, sizeof o->why, "%s RM needs %.1f %s but pblock '%s' has %.0f sites%s",
						 pre ? "prefill" : "decode", need, res_names[i], pb, cap, note);
			}
		}
		/* floorplan: the static region lives outside the pblock */
		for (int i = 0; i < RES_N && o->feasible; i++) {
			double outside = perf_outside_usable(c, i, p->rp_cap.v[i]);
			if (p->r_static.v[i] > outside) {
				o->feasible = false;
				tier_note(p, i, KV_TIER_STATIC, note, sizeof note);
				snprintf(o->why, sizeof o->why,
					 "static region needs %.1f %s but only %.1f may be used outside pblock '%s'%s",
					 p->r_static.v[i], res_names[i], outside, pb, note);
			}
		}
	}
	/* keys for a tier that has no region to live in */
	if (o->feasible && p->d.kv_tier == KV_TIER_NONE && p->d.kv_window + p->d.kv_sinks > 0) {
		o->feasible = false;
		snprintf(o->why, sizeof o->why,
			 "kv_window %d and kv_sinks %d keep keys on chip but kv_tier_region is none: no region holds them",
			 p->d.kv_window, p->d.kv_sinks);
	}
	measured_limits(p, o);
}

bool perf_kv_tier_fits(const perf_ctx *p, char *why, size_t whylen)
{
	const cfg_t *c = p->c;
	const design_t *d = &p->d;
	if (whylen)
		why[0] = '\0';
	if (d->kv_tier == KV_TIER_NONE && d->kv_window + d->kv_sinks > 0) {
		snprintf(why, whylen, "kv_window %d and kv_sinks %d keep keys on chip but kv_tier_region is none",
			 d->kv_window, d->kv_sinks);
		return false;
	}
	if (kvcache_tier_keys(d) == 0)
		return true;
	/* each check the tier adds to: broken with it, met without it */
	for (int t = 0; t < RES_N; t++) {
		double b = p->r_tier.v[t];
		if (!(b > 0))
			continue;
		double cap = c->cons.util_cap.v[t] * c->dev.resources.v[t];
		if (p->r_total.v[t] > cap && p->r_total.v[t] - b <= cap) {
			snprintf(why, whylen, "%s %.0f exceeds %.0f%% of the device's %.0f; its K/V tier of %lld key%s per layer "
				 "(%s) takes %.0f", res_names[t], p->r_total.v[t], 100 * c->cons.util_cap.v[t],
				 c->dev.resources.v[t], (long long)kvcache_tier_keys(d), kvcache_tier_keys(d) == 1 ? "" : "s", kv_prec_names[d->kv_prec], b);
			return false;
		}
		if (d->mode != MODE_DPR)
			continue;
		const char *pb = c->arch.pblocks[d->rp].name;
		if (d->kv_tier == KV_TIER_STATIC) {
			double out = perf_outside_usable(c, t, p->rp_cap.v[t]);
			if (p->r_static.v[t] > out && p->r_static.v[t] - b <= out) {
				snprintf(why, whylen, "static region needs %.1f %s but only %.1f may be used outside pblock '%s'; "
					 "its K/V tier of %lld key%s per layer (%s) takes %.0f", p->r_static.v[t], res_names[t],
					 out, pb, (long long)kvcache_tier_keys(d), kvcache_tier_keys(d) == 1 ? "" : "s", kv_prec_names[d->kv_prec], b);
				return false;
			}
		} else {
			double use = perf_rp_usable(c, t, p->rp_cap.v[t]);
			if (p->r_dec.v[t] > use && p->r_dec.v[t] - b <= use) {
				snprintf(why, whylen, "decode RM needs %.1f %s but pblock '%s' has %.0f sites; its K/V tier of "
					 "%lld key%s per layer (%s) takes %.0f", p->r_dec.v[t], res_names[t], pb, use,
					 (long long)kvcache_tier_keys(d), kvcache_tier_keys(d) == 1 ? "" : "s", kv_prec_names[d->kv_prec], b);
				return false;
			}
		}
	}
	return true;
}

double perf_rp_usable(const cfg_t *c, int type, double rp_cap)
{
	return (type == RES_LUT || type == RES_FF ? c->cons.rp_margin : 1.0) * rp_cap;
}

double perf_outside_usable(const cfg_t *c, int type, double rp_cap)
{
	return c->cons.util_cap.v[type] * (c->dev.resources.v[type] - rp_cap);
}

bool perf_feasible(const perf_ctx *p, char *why, size_t whylen)
{
	perf_res r;
	perf_resources(p, &r);
	if (!r.feasible) {
		snprintf(why, whylen, "%s", r.why);
		return false;
	}
	double t = perf_ttft_s(p, p->c->obj.prompt);
	if (t > p->c->cons.t_pre_max_s) {
		snprintf(why, whylen, "TTFT %.3f s at prompt %d exceeds t_pre_max %.3f s", t,
			 p->c->obj.prompt, p->c->cons.t_pre_max_s);
		return false;
	}
	if (whylen)
		why[0] = '\0';
	return true;
}

double perf_objective(const perf_ctx *p)
{
	const cfg_objective *o = &p->c->obj;
	return figures_objective(o, perf_ttft_s(p, o->prompt), perf_decode_step_s(p, o->l_long),
				 perf_decode_step_s(p, o->l_short));
}

int perf_tlmm_tok_tile(const perf_ctx *p)
{
	double tile = ceil(p->w_layer_s / p->lin_tok_s);
	int maxc = p->c->model.max_context;
	return tile < 1 ? 1 : tile > maxc ? maxc : (int)tile;
}
