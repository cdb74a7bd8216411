/*
 * rms.c - the modules of one partition (rms.h): views, choices, the
 * context points, plans and the design's figures with them.
 *
 * Every figure is a perf_* expression on one module's view, the same one
 * perf.h evaluates for the paper's pair; the choices between modules are
 * comparisons of those figures, ties to the module listed first.  So the
 * paper's pair, written as a set or not, gives perf.h's figures to the
 * bit.
 */
#include "models/rms.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/engine.h"
#include "models/limits.h"
#include "models/platform.h"

/* --------------------------------------------------------------- modules */

static rm_t pair_module(const design_t *d, bool decode)
{
	rm_t m;
	memset(&m, 0, sizeof m);
	snprintf(m.name, sizeof m.name, "%s", decode ? "decode" : "prefill");
	m.engines = decode ? RM_ENG_DEC : RM_ENG_PRE;
	m.serves = RM_SERVE_PRE | RM_SERVE_DEC;
	if (!decode) {
		m.pre_pe = d->pre_pe;
		m.pre_lanes = d->pre_lanes;
		m.pre_block = d->pre_block;
		m.pre_burst = d->pre_burst;
		m.pre_outstanding = d->pre_outstanding;
		m.pm_pre = d->pm_pre;
	} else {
		m.dec_lanes = d->dec_lanes;
		m.dec_burst = d->dec_burst;
		m.dec_outstanding = d->dec_outstanding;
		m.pm_dec = d->pm_dec;
		m.dec_dataflow = d->dec_dataflow;
	}
	return m;
}

void rms_expand(const design_t *d, rmset_t *out)
{
	memset(out, 0, sizeof *out);
	if (d->mode != MODE_DPR)
		return;
	if (d->rms.n > 0) {
		*out = d->rms;
		return;
	}
	out->n = 2;
	out->rm[0] = pair_module(d, false);
	out->rm[1] = pair_module(d, true);
}

bool rms_is_pair(const design_t *d)
{
	if (d->mode != MODE_DPR)
		return false;
	if (d->rms.n == 0)
		return true;
	const rm_t *a = &d->rms.rm[0], *b = &d->rms.rm[1];
	const int both = RM_SERVE_PRE | RM_SERVE_DEC;
	return d->rms.n == 2 && a->engines == RM_ENG_PRE && b->engines == RM_ENG_DEC && a->serves == both &&
	       b->serves == both;
}

void rms_view(const design_t *d, const rm_t *m, design_t *v)
{
	*v = *d;
	memset(&v->rms, 0, sizeof v->rms);
	if (m->engines & RM_ENG_PRE) {
		v->pre_pe = m->pre_pe;
		v->pre_lanes = m->pre_lanes;
		v->pre_block = m->pre_block;
		v->pre_burst = m->pre_burst;
		v->pre_outstanding = m->pre_outstanding;
		v->pm_pre = m->pm_pre;
	}
	if (m->engines & RM_ENG_DEC) {
		v->dec_lanes = m->dec_lanes;
		v->dec_burst = m->dec_burst;
		v->dec_outstanding = m->dec_outstanding;
		v->pm_dec = m->pm_dec;
		v->dec_dataflow = m->dec_dataflow;
	}
	if (m->engines == (RM_ENG_PRE | RM_ENG_DEC)) {
		/* both engines in the partition: each phase on its own, no swap */
		v->mode = MODE_STATIC;
		v->rp = -1;
	}
}

perf_engine rms_engine_of(const rm_t *m, bool decode)
{
	if (decode)
		return m->engines & RM_ENG_DEC ? PERF_ENGINE_DECODE : PERF_ENGINE_PREFILL;
	return m->engines & RM_ENG_PRE ? PERF_ENGINE_PREFILL : PERF_ENGINE_DECODE;
}

bool rms_serves(const rm_t *m, bool decode)
{
	return (m->serves & (decode ? RM_SERVE_DEC : RM_SERVE_PRE)) != 0;
}

bool rms_built_for(const rm_t *m, bool decode)
{
	return rms_serves(m, decode) && (m->engines & (decode ? RM_ENG_DEC : RM_ENG_PRE));
}

res_t rms_module_res(const cfg_t *c, const rm_t *m)
{
	design_t v;
	memset(&v, 0, sizeof v);
	v.pre_pe = m->pre_pe;
	v.pre_lanes = m->pre_lanes;
	v.dec_lanes = m->dec_lanes;
	v.dec_dataflow = m->dec_dataflow;
	res_t z = {{0}};
	res_t p = m->engines & RM_ENG_PRE ? engine_res_pre(c, &v) : z;
	res_t q = m->engines & RM_ENG_DEC ? engine_res_dec(c, &v) : z;
	if (m->engines == (RM_ENG_PRE | RM_ENG_DEC))
		return res_add(p, q);
	return m->engines & RM_ENG_PRE ? p : q;
}

/* --------------------------------------------------------------- prepare */

void rms_prepare(rms_ctx *x, const cfg_t *c, const workload_t *w, const design_t *d)
{
	memset(x, 0, sizeof *x);
	x->c = c;
	x->w = w;
	x->d = *d;
	x->legacy = d->rms.n == 0 || d->mode != MODE_DPR;
	design_t b = *d;
	memset(&b.rms, 0, sizeof b.rms);
	perf_prepare(&x->base, c, w, &b);
	rms_expand(d, &x->set);
	x->r_static = x->base.r_static;
	x->rp_cap = x->base.rp_cap;
	x->r_total = x->base.r_total;
	x->r_equiv = x->base.r_equiv;
	x->first_dec = -1;
	if (d->mode != MODE_DPR)
		return;
	for (int k = 0; k < x->set.n; k++) {
		const rm_t *m = &x->set.rm[k];
		design_t v;
		rms_view(d, m, &v);
		perf_prepare(&x->m[k], c, w, &v);
		x->on_pre[k] = rms_engine_of(m, false);
		x->on_dec[k] = rms_engine_of(m, true);
		const perf_ctx *p = &x->m[k];
		if (m->engines == (RM_ENG_PRE | RM_ENG_DEC))
			x->r_mod[k] = res_add(p->r_pre, p->r_dec);
		else
			x->r_mod[k] = m->engines & RM_ENG_PRE ? p->r_pre : p->r_dec;
	}
	if (!x->legacy) {
		res_t mx = x->r_mod[0], sum = x->r_mod[0];
		for (int k = 1; k < x->set.n; k++) {
			mx = res_max(mx, x->r_mod[k]);
			sum = res_add(sum, x->r_mod[k]);
		}
		x->r_total = res_add(x->r_static, mx);
		x->r_equiv = res_add(x->r_static, sum);
	}
	x->bitstream_bytes = x->base.bitstream_bytes;
	x->mid_swap_s = platform_pcap_idle_s(c, x->bitstream_bytes) + c->cal.swap_ps_ms.value * 1e-3;
	x->mid_swap_j = c->cal.p_idle_w.value * x->mid_swap_s + c->cal.e_ddr_nj_per_kb.value * 1e-9 / 1024.0 * x->bitstream_bytes;
}

/* ------------------------------------------------------ one module's figures */

/* The module's context, or the design's for a static one. */
static const perf_ctx *ctx_of(const rms_ctx *x, int k)
{
	return x->set.n == 0 ? &x->base : &x->m[k];
}

double rms_ttft_on_s(const rms_ctx *x, int k, int prompt)
{
	const perf_ctx *p = ctx_of(x, k);
	if (x->set.n == 0 || x->on_pre[k] == PERF_ENGINE_PREFILL)
		return perf_ttft_s(p, prompt);
	return perf_prefill_on_s(p, PERF_ENGINE_DECODE, prompt) + x->c->cal.lm_head_s.value;
}

double rms_step_on_s(const rms_ctx *x, int k, int keys)
{
	const perf_ctx *p = ctx_of(x, k);
	if (x->set.n == 0 || x->on_dec[k] == PERF_ENGINE_DECODE)
		return perf_decode_step_s(p, keys);
	return perf_decode_step_on_s(p, PERF_ENGINE_PREFILL, keys);
}

double rms_energy_on_j(const rms_ctx *x, int k, int keys)
{
	const perf_ctx *p = ctx_of(x, k);
	if (x->set.n == 0 || x->on_dec[k] == PERF_ENGINE_DECODE)
		return perf_decode_energy_j(p, keys);
	return perf_decode_energy_on_j(p, PERF_ENGINE_PREFILL, keys);
}

/* The modules the paper's flow picks from for a phase: built for it, or,
 * when none is, any that serves it. */
static bool candidate(const rms_ctx *x, int k, bool decode)
{
	const rm_t *m = &x->set.rm[k];
	if (rms_built_for(m, decode))
		return true;
	for (int j = 0; j < x->set.n; j++)
		if (rms_built_for(&x->set.rm[j], decode))
			return false;
	return rms_serves(m, decode);
}

/* The only candidate for a phase, or -1 when there are several (or none). */
static int only_candidate(const rms_ctx *x, bool decode)
{
	int one = -1;
	for (int k = 0; k < x->set.n; k++)
		if (candidate(x, k, decode)) {
			if (one >= 0)
				return -1;
			one = k;
		}
	return one;
}

/* The candidate module of least time for a prompt (decode false) or one
 * step at `len` keys (decode true); the only candidate without pricing. */
static int best_module(const rms_ctx *x, bool decode, int len)
{
	int best = only_candidate(x, decode);
	if (best >= 0)
		return best;
	double bt = 0;
	for (int k = 0; k < x->set.n; k++) {
		if (!candidate(x, k, decode))
			continue;
		double t = decode ? rms_step_on_s(x, k, len) : rms_ttft_on_s(x, k, len);
		if (best < 0 || t < bt) {
			best = k;
			bt = t;
		}
	}
	return best;
}

int rms_prefill_module(const rms_ctx *x, int prompt)
{
	return best_module(x, false, prompt);
}

int rms_decode_module(const rms_ctx *x, int keys)
{
	return best_module(x, true, keys);
}

/* ------------------------------------------------------ per-length figures */

double rms_ttft_s(const rms_ctx *x, int prompt)
{
	if (x->legacy)
		return perf_ttft_s(&x->base, prompt);
	return rms_ttft_on_s(x, rms_prefill_module(x, prompt), prompt);
}

double rms_prefill_s(const rms_ctx *x, int prompt)
{
	if (x->legacy)
		return perf_prefill_s(&x->base, prompt);
	int k = rms_prefill_module(x, prompt);
	if (x->on_pre[k] == PERF_ENGINE_PREFILL)
		return perf_prefill_s(&x->m[k], prompt);
	return perf_prefill_on_s(&x->m[k], PERF_ENGINE_DECODE, prompt);
}

double rms_decode_step_s(const rms_ctx *x, int keys)
{
	if (x->legacy)
		return perf_decode_step_s(&x->base, keys);
	return rms_step_on_s(x, rms_decode_module(x, keys), keys);
}

double rms_decode_energy_j(const rms_ctx *x, int keys)
{
	if (x->legacy)
		return perf_decode_energy_j(&x->base, keys);
	return rms_energy_on_j(x, rms_decode_module(x, keys), keys);
}

/* --------------------------------------------------------- context points */

int rms_points(rms_ctx *x)
{
	if (x->have_points)
		return x->n_points;
	x->have_points = true;
	x->n_points = 0;
	if (x->set.n == 0)
		return 0;
	int nd = 0;
	for (int k = 0; k < x->set.n; k++)
		nd += candidate(x, k, true);
	x->first_dec = rms_decode_module(x, 1);
	if (nd < 2)
		return 0;
	int cur = x->first_dec, maxc = x->c->model.max_context;
	for (int keys = 2; keys <= maxc && x->n_points < RMS_MAX_POINTS; keys++) {
		int b = rms_decode_module(x, keys);
		if (b != cur) {
			x->point[x->n_points] = keys;
			x->point_mod[x->n_points] = b;
			x->n_points++;
			cur = b;
		}
	}
	return x->n_points;
}

void rms_plan_always(const rms_ctx *x, int prompt, int gen, rms_plan *out)
{
	(void)gen;
	memset(out, 0, sizeof *out);
	out->n_seg = 1;
	out->from[0] = prompt + 1;
	if (x->set.n == 0) {
		out->pre = out->dec[0] = -1;
		return;
	}
	out->pre = rms_prefill_module(x, prompt);
	out->dec[0] = rms_decode_module(x, prompt + 1);
}

/* ------------------------------------------------------------------- run */

/* The segment of the step attending `keys` keys. */
static int seg_at(const rms_plan *pl, int keys)
{
	int s = 0;
	while (s + 1 < pl->n_seg && keys >= pl->from[s + 1])
		s++;
	return s;
}

void rms_run_eval(const rms_ctx *x, const rms_plan *pl, int prompt, int gen, figures *o)
{
	if (x->set.n == 0 || (x->legacy && pl->pre == 0 && pl->n_seg == 1 && pl->dec[0] == 1)) {
		/* a static design, or the paper's flow on the paper's pair */
		perf_run_eval(&x->base, prompt, gen, o);
		return;
	}
	const cfg_t *c = x->c;
	const double lm = c->cal.lm_head_s.value;
	const int L = x->w->layers;
	memset(o, 0, sizeof *o);
	o->prompt = prompt;
	o->gen = gen;

	const perf_ctx *pp = &x->m[pl->pre];
	bool own = x->on_pre[pl->pre] == PERF_ENGINE_PREFILL;
	perf_layer pre = own ? perf_prefill_layer(pp, prompt, false) : perf_prefill_layer_on(pp, PERF_ENGINE_DECODE, prompt);
	o->prefill_linear_s = L * pre.lin_s;
	o->prefill_attention_s = L * pre.att_s;
	o->prefill_s = o->prefill_linear_s + o->prefill_attention_s;
	o->ttft_s = o->prefill_s + lm;
	o->bytes_prefill = L * pre.bytes;
	o->power_prefill_w = perf_power_w(pp, !own, o->bytes_prefill / o->prefill_s);
	o->energy_prefill_j = o->power_prefill_w * o->prefill_s;

	if (pl->dec[0] != pl->pre) {
		/* the prefill->decode swap, as perf_run_eval: it depends on the
		 * static region's tail and the pblock alone */
		figures f;
		perf_run_eval(&x->base, prompt, 0, &f);
		o->tail_overlap_s = f.tail_overlap_s;
		o->pcap_load = f.pcap_load;
		o->bitstream_bytes = f.bitstream_bytes;
		o->pcap_s = f.pcap_s;
		o->swap_s = f.swap_s;
		o->swap_exposed_s = f.swap_exposed_s;
	}

	double e_dec = 0, bytes = 0;
	int prev = pl->dec[0];
	for (int i = 0; i < gen; i++) {
		int keys = prompt + 1 + i, k = pl->dec[seg_at(pl, keys)];
		if (k != prev) {
			/* a mid-generation swap: decode waits for all of it */
			o->mid_swaps++;
			o->mid_swap_s += x->mid_swap_s;
			o->decode_s += x->mid_swap_s;
			e_dec += x->mid_swap_j;
			prev = k;
		}
		const perf_ctx *p = &x->m[k];
		bool dec_own = x->on_dec[k] == PERF_ENGINE_DECODE;
		perf_layer dl = dec_own ? perf_decode_layer(p, keys) : perf_decode_layer_on(p, PERF_ENGINE_PREFILL, keys);
		double step = L * (dl.lin_s + dl.att_s) + lm;
		double b = L * dl.bytes;
		if (i == 0)
			o->decode_first_step_s = step;
		o->decode_s += step;
		bytes += b;
		e_dec += perf_power_w(p, dec_own, b / step) * step;
	}
	o->bytes_decode = bytes;
	if (gen > 0) {
		o->decode_tok_s = gen / o->decode_s;
		o->energy_j_per_token = e_dec / gen;
		o->power_decode_w = e_dec / o->decode_s;
	}
}

/* ------------------------------------------------------------- resources */

void rms_resources(const rms_ctx *x, perf_res *o)
{
	const cfg_t *c = x->c;
	if (x->legacy) {
		perf_resources(&x->base, o);
	} else {
		memset(o, 0, sizeof *o);
		o->r_static = x->r_static;
		o->r_pre = x->base.r_pre;
		o->r_dec = x->base.r_dec;
		o->r_total = x->r_total;
		o->r_equiv = x->r_equiv;
		o->rp_cap = x->rp_cap;
		o->feasible = true;
		for (int i = 0; i < RES_N; i++) {
			double dev = c->dev.resources.v[i];
			o->util.v[i] = x->r_total.v[i] / dev;
			o->util_equiv.v[i] = x->r_equiv.v[i] / dev;
			if (o->feasible && x->r_total.v[i] > c->cons.util_cap.v[i] * dev) {
				o->feasible = false;
				snprintf(o->why, sizeof o->why, "%s %.0f exceeds %.0f%% of the device's %.0f", res_names[i],
					 x->r_total.v[i], 100 * c->cons.util_cap.v[i], dev);
			}
		}
		const char *pb = c->arch.pblocks[x->d.rp].name;
		for (int i = 0; i < RES_N && o->feasible; i++) {
			double cap = perf_rp_usable(c, i, x->rp_cap.v[i]);
			int big = 0;
			for (int k = 1; k < x->set.n; k++)
				if (x->r_mod[k].v[i] > x->r_mod[big].v[i])
					big = k;
			double need = x->r_mod[big].v[i];
			if (need > cap) {
				o->feasible = false;
				if (i == RES_LUT || i == RES_FF)
					snprintf(o->why, sizeof o->why,
						 "%s RM needs %.1f %s but pblock '%s' offers %.1f at %.0f%% routability",
						 x->set.rm[big].name, need, res_names[i], pb, cap, 100 * c->cons.rp_margin);
				else
					snprintf(o->why, sizeof o->why, "%s RM needs %.1f %s but pblock '%s' has %.0f sites",
						 x->set.rm[big].name, need, res_names[i], pb, cap);
			}
		}
		for (int i = 0; i < RES_N && o->feasible; i++) {
			double outside = perf_outside_usable(c, i, x->rp_cap.v[i]);
			if (x->r_static.v[i] > outside) {
				o->feasible = false;
				snprintf(o->why, sizeof o->why,
					 "static region needs %.1f %s but only %.1f may be used outside pblock '%s'",
					 x->r_static.v[i], res_names[i], outside, pb);
			}
		}
	}
	/* the bitstreams of every module in the DDR set aside for them */
	if (o->feasible && x->set.n > 0 && c->cons.bitstream_store_bytes > 0 &&
	    x->set.n * x->bitstream_bytes > c->cons.bitstream_store_bytes) {
		o->feasible = false;
		snprintf(o->why, sizeof o->why, "%d partial bitstreams of %.0f bytes exceed the %.0f-byte bitstream store",
			 x->set.n, x->bitstream_bytes, c->cons.bitstream_store_bytes);
	}
	/* last, the limits imported reports set (--respect-measured, models/limits.h),
	 * on the point's own engines as perf_resources applies them */
	if (o->feasible && !x->legacy && c->n_limits) {
		int k = limits_hit(c, x->d.mode, x->d.clock_mhz, x->d.rp, engine_pre_units(&x->d), engine_dec_units(&x->d));
		if (k >= 0) {
			o->feasible = false;
			snprintf(o->why, sizeof o->why, "%s", c->limits[k].why);
		}
	}
}

bool rms_feasible(const rms_ctx *x, char *why, size_t whylen)
{
	perf_res r;
	rms_resources(x, &r);
	if (!r.feasible) {
		snprintf(why, whylen, "%s", r.why);
		return false;
	}
	double t = rms_ttft_s(x, x->c->obj.prompt);
	if (t > x->c->cons.t_pre_max_s) {
		snprintf(why, whylen, "TTFT %.3f s at prompt %d exceeds t_pre_max %.3f s", t, x->c->obj.prompt,
			 x->c->cons.t_pre_max_s);
		return false;
	}
	if (whylen)
		why[0] = '\0';
	return true;
}

double rms_objective(const rms_ctx *x)
{
	if (x->legacy)
		return perf_objective(&x->base);
	const cfg_objective *o = &x->c->obj;
	return figures_objective(o, rms_ttft_s(x, o->prompt), rms_decode_step_s(x, o->l_long),
				 rms_decode_step_s(x, o->l_short));
}

/* ------------------------------------------------------------------ words */

static void engine_words(const cfg_t *c, const rm_t *m, char *buf, size_t len)
{
	buf[0] = '\0';
	if (m->engines & RM_ENG_PRE)
		snprintf(buf, len, "prefill %dx%d block %d %s", m->pre_pe, m->pre_lanes, m->pre_block,
			 c->arch.port_maps[m->pm_pre].name);
	if (m->engines & RM_ENG_DEC) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%sdecode %d %s %s", n ? " + " : "", m->dec_lanes, dataflow_names[m->dec_dataflow],
			 c->arch.port_maps[m->pm_dec].name);
	}
}

const char *rms_describe(const cfg_t *c, const design_t *d, char *buf, size_t len)
{
	rmset_t s;
	rms_expand(d, &s);
	buf[0] = '\0';
	for (int k = 0; k < s.n; k++) {
		char e[200];
		engine_words(c, &s.rm[k], e, sizeof e);
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s: %s", k ? "; " : "", s.rm[k].name, e);
	}
	return buf;
}
