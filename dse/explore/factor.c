/*
 * factor.c - the factorised evaluation of factor.h.
 *
 * Per chunk, each factor (linear, prefill attention, decode attention) is
 * tabulated over the knobs it depends on that the chunk spans (the chunk
 * fixes the others), so a table never has more entries than the chunk has
 * points; a thread keeps its tables while consecutive chunks share the
 * fixed digits the factor depends on.  Table entries come from perf_*
 * on a design that carries the entry's digits, and the per-point
 * combination repeats perf's expressions in perf's order: the results
 * are identical, not merely close.
 *
 * The loop nest follows the knob order of space.h, outermost first, so
 * the id of a point is the sum of digit * stride down the nest.
 *
 * The K/V cache knobs (innermost): the precision changes the prefill
 * attention (its K/V bytes, the dequantiser's depth and lanes) and the
 * decode attention; window, sinks and whether there is a tier change the
 * decode attention alone.  So the prefill factor also spans the precision
 * and the decode factor the precision, window, sinks and tier region; a
 * decode entry holds the decode RM without its tier, the tier's blocks and
 * the static region's quantiser apart, and the point adds them to the
 * region the tier lives in, in engine_res_static's and engine_res_dec's
 * order.  The group cuts above the decode engine are taken per precision.
 */
#include "explore/factor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/engine.h"
#include "models/figures.h"
#include "models/kvcache.h"
#include "models/limits.h"
#include "models/perf.h"
#include "models/rms.h"

/* ---------------------------------------------------------------- tables */

static const int lin_knobs[] = {SK_CLOCK, SK_TABLES, SK_TLANES};
static const int pre_knobs[] = {SK_CLOCK, SK_OUTST, SK_PM_PRE, SK_PE, SK_PLANES, SK_BLOCK, SK_KV_PREC};
static const int dec_knobs[] = {SK_CLOCK,   SK_OUTST,     SK_PM_DEC,   SK_DLANES,
				SK_KV_PREC, SK_KV_WINDOW, SK_KV_SINKS, SK_KV_TIER};
static const int xrm_knobs[] = {SK_CLOCK, SK_OUTST};

enum { F_LIN, F_PRE, F_DEC, F_XRM, F_N };

typedef struct {
	int nk;
	const int *knob;
	bool valid;
	int key[SK_N];        /* fixed digit per knob of the factor, -1 when spanned */
	int64_t stride[SK_N]; /* table-index step per knob (0: fixed or not a factor knob) */
	int64_t n, cap;       /* entries, allocated entries */
	double *val;          /* n x width */
} ftab;

/*
 * Entries computed before, by their digits: a direct-mapped cache per
 * factor and thread, within FACTOR_CACHE_BYTES.  A chunk table is filled
 * from it, so entries that recur across chunks (a factor whose knobs the
 * chunk fixes differently from one chunk to the next) are computed once
 * while they fit.  A colliding entry replaces the one in its slot.
 */
#define FACTOR_CACHE_BYTES (8u << 20)

typedef struct {
	uint64_t *key; /* UINT64_MAX: empty */
	double *val;   /* cap x width */
	size_t cap;    /* a power of two */
} ecache;

struct factor_scratch {
	ftab t[F_N];
	ecache ec[F_N];
	/* a chunk's (window, sinks, tier region) digits, flat (factor_chunk) */
	struct kvc_ {
		int64_t dofs, iofs;
		int w, sk, t;
		int tier;
		bool orphan;
	} kvc[CFG_MAX_LIST * CFG_MAX_LIST * KV_TIER_N];
};

/* A shape's modules as the combination reads them (design_space.rm_sets). */
enum { MK_PRE, MK_DEC, MK_HYB, MK_XRM };
typedef struct {
	int n;
	int kind[RMS_MAX], xi[RMS_MAX]; /* MK_*, and the extra module of MK_XRM */
	bool bfp[RMS_MAX], bfd[RMS_MAX]; /* built for prefill / for decode */
	bool fits_store[CFG_MAX_PBLOCKS]; /* n bitstreams of the pblock within the store */
} fshape;

struct factor {
	const cfg_t *c;
	const workload_t *w;
	const space_t *s;
	factor_layout L;
	int width[F_N];
	/* the sets of modules (none: the paper's pair) */
	int n_shapes, n_xrm, xw;
	fshape shape[CFG_MAX_LIST];
	bool x_pre_fast;                  /* some extra module is built for prefill */
	bool pair_fits_store[CFG_MAX_PBLOCKS]; /* the paper's two bitstreams within the store */
	double capabs[RES_N];                      /* util_cap * device */
	double rpcap[CFG_MAX_PBLOCKS][RES_N];      /* what an RM may use of a pblock */
	double outcap[CFG_MAX_PBLOCKS][RES_N];     /* what the static region may use outside it */
	double lm_s, tpre_max_s, alpha;
	int layers;
};

/* entry layouts */
#define LIN_DEC(f) ((f)->L.n_tp)            /* lin_dec_s */
#define LIN_RES(f) ((f)->L.n_tp + 1)        /* r_static[RES_N] */
#define LIN_FHZ(f) ((f)->L.n_tp + 1 + RES_N)
#define PRE_RES(f) ((f)->L.n_tp)            /* r_pre[RES_N] */
#define DEC_RES 0                            /* the decode RM without its tier [RES_N] */
#define DEC_TIER (RES_N)                     /* the K/V tier's blocks [RES_N] */
#define DEC_QUANT (2 * RES_N)                /* the static region's quantiser [RES_N] */
#define DEC_ATT (3 * RES_N)                  /* att_s per context */
#define DEC_BYTES(f) (3 * RES_N + (f)->L.n_ctx) /* DDR bytes of one decode layer per context */
#define DEC_EXTRA(f) (3 * RES_N + 2 * (f)->L.n_ctx) /* 1: a tier or a quantiser to add, 0: neither */
/* an extra module x at x * xw: prefill att_s per prompt, decode att_s per context, its resources */
#define XRM_PRE(f, x) ((x) * (f)->xw)
#define XRM_DEC(f, x) ((x) * (f)->xw + (f)->L.n_tp)
#define XRM_RES(f, x) ((x) * (f)->xw + (f)->L.n_tp + (f)->L.n_ctx)

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static void add_ctx(factor_layout *L, int x)
{
	for (int j = 0; j < L->n_ctx; j++)
		if (L->ctx[j] == x)
			return;
	L->ctx[L->n_ctx++] = x;
}

factor *factor_new(const cfg_t *c, const workload_t *w, const space_t *s)
{
	factor *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->c = c;
	f->w = w;
	f->s = s;
	factor_layout *L = &f->L;
	for (int i = 0; i < c->wl.n_prompts; i++)
		L->tp[L->n_tp++] = c->wl.prompts[i];
	bool have = false;
	for (int i = 0; i < L->n_tp; i++)
		have |= L->tp[i] == c->obj.prompt;
	if (!have)
		L->tp[L->n_tp++] = c->obj.prompt;
	qsort(L->tp, (size_t)L->n_tp, sizeof L->tp[0], cmp_int);
	for (int i = 0; i < L->n_tp; i++)
		if (L->tp[i] == c->obj.prompt)
			L->i_obj = i;
	for (int i = 0; i < c->wl.n_contexts; i++)
		add_ctx(L, c->wl.contexts[i]);
	add_ctx(L, c->obj.l_short);
	add_ctx(L, c->obj.l_long);
	qsort(L->ctx, (size_t)L->n_ctx, sizeof L->ctx[0], cmp_int);
	for (int j = 0; j < L->n_ctx; j++) {
		if (L->ctx[j] == c->obj.l_short)
			L->j_short = j;
		if (L->ctx[j] == c->obj.l_long)
			L->j_long = j;
	}
	L->o_short = L->n_tp;
	L->o_long = L->n_tp + 1;
	L->o_energy = L->n_tp + 2;
	L->o_lut = L->n_tp + 3;
	L->n_obj = L->n_tp + 4;
	f->width[F_LIN] = L->n_tp + 2 + RES_N;
	f->width[F_PRE] = L->n_tp + RES_N;
	f->width[F_DEC] = 3 * RES_N + 2 * L->n_ctx + 1;
	f->n_xrm = c->space.n_rm_extra;
	f->xw = L->n_tp + L->n_ctx + RES_N;
	f->width[F_XRM] = f->n_xrm * f->xw;
	f->n_shapes = c->space.mode_dpr ? c->space.n_rm_shapes : 0;
	for (int k = 0; k < f->n_shapes; k++) {
		const struct cfg_rm_shape *sh = &c->space.rm_shapes[k];
		fshape *x = &f->shape[k];
		x->n = sh->n;
		for (int j = 0; j < sh->n; j++) {
			int r = sh->role[j];
			x->kind[j] = r == CFG_RM_PREFILL ? MK_PRE : r == CFG_RM_DECODE ? MK_DEC : r == CFG_RM_HYBRID ? MK_HYB : MK_XRM;
			x->xi[j] = r >= 0 ? r : -1;
			if (r >= 0) {
				x->bfp[j] = rms_built_for(&c->space.rm_extra[r], false);
				x->bfd[j] = rms_built_for(&c->space.rm_extra[r], true);
				f->x_pre_fast |= x->bfp[j];
			} else {
				x->bfp[j] = r != CFG_RM_DECODE;
				x->bfd[j] = r != CFG_RM_PREFILL;
			}
		}
	}
	for (int r = 0; r < c->arch.n_pblocks; r++) {
		double b = engine_bitstream_bytes(c, &c->arch.pblocks[r]), store = c->cons.bitstream_store_bytes;
		f->pair_fits_store[r] = !(store > 0) || 2 * b <= store;
		for (int k = 0; k < f->n_shapes; k++)
			f->shape[k].fits_store[r] = !(store > 0) || f->shape[k].n * b <= store;
	}
	for (int t = 0; t < RES_N; t++)
		f->capabs[t] = c->cons.util_cap.v[t] * c->dev.resources.v[t];
	for (int r = 0; r < c->arch.n_pblocks; r++) {
		res_t cap = engine_pblock_capacity(c, &c->arch.pblocks[r]);
		for (int t = 0; t < RES_N; t++) {
			f->rpcap[r][t] = perf_rp_usable(c, t, cap.v[t]);
			f->outcap[r][t] = perf_outside_usable(c, t, cap.v[t]);
		}
	}
	f->lm_s = c->cal.lm_head_s.value;
	f->tpre_max_s = c->cons.t_pre_max_s;
	f->alpha = c->obj.alpha;
	f->layers = w->layers;
	return f;
}

void factor_free(factor *f)
{
	free(f);
}

const factor_layout *factor_get_layout(const factor *f)
{
	return &f->L;
}

factor_scratch *factor_scratch_new(void)
{
	factor_scratch *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	x->t[F_LIN].knob = lin_knobs;
	x->t[F_LIN].nk = 3;
	x->t[F_PRE].knob = pre_knobs;
	x->t[F_PRE].nk = (int)(sizeof pre_knobs / sizeof pre_knobs[0]);
	x->t[F_DEC].knob = dec_knobs;
	x->t[F_DEC].nk = (int)(sizeof dec_knobs / sizeof dec_knobs[0]);
	x->t[F_XRM].knob = xrm_knobs;
	x->t[F_XRM].nk = 2;
	return x;
}

void factor_scratch_free(factor_scratch *x)
{
	if (!x)
		return;
	for (int i = 0; i < F_N; i++) {
		free(x->t[i].val);
		free(x->ec[i].key);
		free(x->ec[i].val);
	}
	free(x);
}

void factor_buf_release(factor_buf *b)
{
	free(b->id);
	free(b->v);
	free(b->m);
	memset(b, 0, sizeof *b);
}

/* One factor entry, from perf_* on a design that carries its digits. */
static void fill(const factor *f, int which, const perf_ctx *p, double *e)
{
	const factor_layout *L = &f->L;
	switch (which) {
	case F_LIN:
		for (int i = 0; i < L->n_tp; i++)
			e[i] = perf_prefill_layer(p, L->tp[i], false).lin_s;
		e[LIN_DEC(f)] = perf_decode_layer(p, f->c->obj.l_short).lin_s;
		res_t rs = engine_res_static_base(f->c, &p->d);
		for (int t = 0; t < RES_N; t++)
			e[LIN_RES(f) + t] = rs.v[t];
		e[LIN_FHZ(f)] = p->f_hz;
		break;
	case F_PRE:
		for (int i = 0; i < L->n_tp; i++)
			e[i] = perf_prefill_attn_s(p, L->tp[i], false);
		for (int t = 0; t < RES_N; t++)
			e[PRE_RES(f) + t] = p->r_pre.v[t];
		break;
	case F_DEC: {
		for (int j = 0; j < L->n_ctx; j++) {
			perf_layer l = perf_decode_layer(p, L->ctx[j]);
			e[DEC_ATT + j] = l.att_s;
			e[DEC_BYTES(f) + j] = l.bytes;
		}
		res_t rd = engine_res_dec_base(f->c, &p->d), rq = kvcache_quantiser_res(f->c, &p->d);
		bool extra = false;
		for (int t = 0; t < RES_N; t++) {
			e[DEC_RES + t] = rd.v[t];
			e[DEC_TIER + t] = p->r_tier.v[t];
			e[DEC_QUANT + t] = rq.v[t];
			extra |= p->r_tier.v[t] != 0 || rq.v[t] != 0;
		}
		e[DEC_EXTRA(f)] = extra;
		break;
	}
	case F_XRM:
		/* each extra module on its view: the engines it holds (a hybrid's
		 * view is static: each phase on its own engine) */
		for (int xi = 0; xi < f->n_xrm; xi++) {
			rm_t m = f->c->space.rm_extra[xi];
			m.pre_burst = m.dec_burst = p->d.pre_burst;
			m.pre_outstanding = m.dec_outstanding = p->d.pre_outstanding;
			design_t v;
			rms_view(&p->d, &m, &v);
			perf_ctx q;
			perf_prepare(&q, f->c, f->w, &v);
			double *x = e + xi * f->xw;
			memset(x, 0, (size_t)f->xw * sizeof *x);
			if (m.engines & RM_ENG_PRE)
				for (int i = 0; i < L->n_tp; i++)
					x[i] = perf_prefill_attn_s(&q, L->tp[i], false);
			if (m.engines & RM_ENG_DEC)
				for (int j = 0; j < L->n_ctx; j++)
					x[L->n_tp + j] = perf_decode_layer(&q, L->ctx[j]).att_s;
			res_t r = m.engines == (RM_ENG_PRE | RM_ENG_DEC) ? res_add(q.r_pre, q.r_dec)
				  : m.engines & RM_ENG_PRE ? q.r_pre : q.r_dec;
			for (int t = 0; t < RES_N; t++)
				x[L->n_tp + L->n_ctx + t] = r.v[t];
		}
		break;
	}
}

/*
 * Make table `which` hold the entries a chunk of mode m whose first point
 * has digits fd[] spans.  Kept as is when the fixed digits it depends on
 * and the spanned knobs are the same as last time.
 */
static int ensure(const factor *f, factor_scratch *x, int which, const space_mode *m, const int fd[SK_N])
{
	ftab *t = &x->t[which];
	int key[SK_N];
	for (int k = 0; k < SK_N; k++)
		key[k] = -2; /* not a factor knob */
	for (int i = 0; i < t->nk; i++) {
		int k = t->knob[i];
		key[k] = k < m->fixed ? fd[k] : -1;
	}
	if (t->valid && memcmp(key, t->key, sizeof key) == 0)
		return 0;
	t->valid = false;
	memcpy(t->key, key, sizeof key);
	int64_t n = 1;
	memset(t->stride, 0, sizeof t->stride);
	for (int i = t->nk - 1; i >= 0; i--) {
		int k = t->knob[i];
		if (key[k] == -1) {
			t->stride[k] = n;
			n *= m->radix[k];
		}
	}
	int wd = f->width[which];
	if (n > t->cap) {
		double *v = realloc(t->val, (size_t)n * (size_t)wd * sizeof *v);
		if (!v)
			return -1;
		t->val = v;
		t->cap = n;
	}
	t->n = n;
	ecache *ec = &x->ec[which];
	if (!ec->cap) {
		size_t cap = 1;
		while (2 * cap * ((size_t)wd * sizeof(double) + sizeof(uint64_t)) <= FACTOR_CACHE_BYTES)
			cap *= 2;
		ec->key = malloc(cap * sizeof *ec->key);
		ec->val = malloc(cap * (size_t)wd * sizeof *ec->val);
		if (!ec->key || !ec->val) {
			free(ec->key);
			free(ec->val);
			ec->key = NULL;
			ec->val = NULL;
			return -1;
		}
		memset(ec->key, 0xff, cap * sizeof *ec->key);
		ec->cap = cap;
	}
	int dg[SK_N];
	for (int64_t e = 0; e < n; e++) {
		memcpy(dg, fd, sizeof dg);
		uint64_t k64 = 0;
		for (int i = 0; i < t->nk; i++) {
			int k = t->knob[i];
			if (key[k] == -1)
				dg[k] = (int)(e / t->stride[k] % m->radix[k]);
			k64 = k64 << 7 | (uint64_t)dg[k]; /* digits < CFG_MAX_LIST <= 128 */
		}
		size_t slot = (size_t)((k64 * UINT64_C(0x9E3779B97F4A7C15)) >> 20) & (ec->cap - 1);
		double *cv = ec->val + slot * (size_t)wd;
		if (ec->key[slot] != k64) {
			design_t d;
			perf_ctx p;
			space_design_digits(f->s, m, dg, &d);
			perf_prepare(&p, f->c, f->w, &d);
			fill(f, which, &p, cv);
			ec->key[slot] = k64;
		}
		memcpy(t->val + (size_t)e * (size_t)wd, cv, (size_t)wd * sizeof *cv);
	}
	t->valid = true;
	return 0;
}

/* ------------------------------------------------------------- combining */

/*
 * A point's static region and decode RM from the factors' parts: the
 * quantiser to the static region, the K/V tier to the region it lives in,
 * added in engine_res_static's and engine_res_dec's order.  With neither
 * (an FP16 cache without a tier) the parts are the regions as they are:
 * adding zeros would change no bit, so *s, *d point at them.
 */
static inline void regions(const factor *f, const double *rs, const double *dec, int tier, double *s2, double *d2,
			   const double **s, const double **d)
{
	if (dec[DEC_EXTRA(f)] == 0) {
		*s = rs;
		*d = dec + DEC_RES;
		return;
	}
	*s = s2;
	*d = d2;
	for (int t = 0; t < RES_N; t++) {
		s2[t] = rs[t] + dec[DEC_QUANT + t];
		if (tier == KV_TIER_STATIC)
			s2[t] += dec[DEC_TIER + t];
		d2[t] = dec[DEC_RES + t];
		if (tier == KV_TIER_RP)
			d2[t] += dec[DEC_TIER + t];
	}
}

/* Resource check in perf_resources' order; returns 0 and the total LUTs, 1
 * over a utilisation cap, 2 not fitting the pblock (or keys kept on chip
 * with no tier region). */
static inline int res_ok(const factor *f, bool dpr, const double *s, const double *p, const double *d, int rp,
			 bool orphan_keys, double *lut)
{
	double tot_lut = 0;
	for (int t = 0; t < RES_N; t++) {
		double tot = dpr ? s[t] + (d[t] > p[t] ? d[t] : p[t]) : s[t] + (p[t] + d[t]);
		if (tot > f->capabs[t])
			return 1;
		if (t == RES_LUT)
			tot_lut = tot;
	}
	if (dpr)
		for (int t = 0; t < RES_N; t++) {
			double need = p[t] > d[t] ? p[t] : d[t];
			if (need > f->rpcap[rp][t] || s[t] > f->outcap[rp][t])
				return 2;
		}
	if (orphan_keys)
		return 2;
	*lut = tot_lut;
	return 0;
}

static inline void ttft_vec(const factor *f, const double *lin, const double *pre, double *v)
{
	for (int i = 0; i < f->L.n_tp; i++)
		v[i] = f->layers * (lin[i] + pre[i]) + f->lm_s;
}

/*
 * The decode figures at every context into m (step s, energy J per
 * token, for each context in turn) and the decode part of the vector:
 * steps at l_short and l_long, the weighted energy, LUTs.  s2, d2: the
 * point's static region and decode RM (regions()).
 */
static inline void dec_vec(const factor *f, bool dpr, const double *lin, const double *dec, const double *s2,
			   const double *d2, double lut, double *v, double *m)
{
	const factor_layout *L = &f->L;
	double ld = lin[LIN_DEC(f)], fhz = lin[LIN_FHZ(f)];
	double active = dpr ? s2[RES_LUT] + d2[RES_LUT] : lut;
	for (int j = 0; j < L->n_ctx; j++) {
		double st = f->layers * (ld + dec[DEC_ATT + j]) + f->lm_s;
		m[2 * j] = st;
		m[2 * j + 1] = perf_power_from(&f->c->cal, active, fhz, f->layers * dec[DEC_BYTES(f) + j] / st) * st;
	}
	v[L->o_short] = m[2 * L->j_short];
	v[L->o_long] = m[2 * L->j_long];
	v[L->o_energy] = f->alpha * m[2 * L->j_long + 1] + (1 - f->alpha) * m[2 * L->j_short + 1];
	v[L->o_lut] = lut;
}

/*
 * A point of a set of modules (a shape): its modules' resources and
 * figures from the tables, as rms.h evaluates them (the paper's flow per
 * length: TTFT on the module built for prefill of least TTFT, each decode
 * context on the module built for decode of least step, its energy at that
 * module's power).  Fills v (the TTFTs and the decode part), m and *lut,
 * and returns 0 (feasible), 1 (a total over its cap), 2 (a module not in
 * the pblock, the static region not outside it, the bitstreams not in the
 * store) or 3 (TTFT at objective.prompt over t_pre_max), in rms_feasible's
 * order.
 */
static int set_eval(const factor *f, const fshape *sh, const double *lin, const double *pre, const double *dec,
		    const double *xrm, int rp, double *v, double *m, double *lut_out)
{
	const factor_layout *L = &f->L;
	const double *rs = lin + LIN_RES(f), *pr = pre + PRE_RES(f), *dr = dec + DEC_RES;
	double r[RMS_MAX][RES_N];
	for (int k = 0; k < sh->n; k++)
		for (int t = 0; t < RES_N; t++)
			switch (sh->kind[k]) {
			case MK_PRE: r[k][t] = pr[t]; break;
			case MK_DEC: r[k][t] = dr[t]; break;
			case MK_HYB: r[k][t] = pr[t] + dr[t]; break;
			default: r[k][t] = xrm[XRM_RES(f, sh->xi[k]) + t]; break;
			}
	int bad = 0;
	double lut = 0;
	for (int t = 0; t < RES_N; t++) {
		double mx = r[0][t];
		for (int k = 1; k < sh->n; k++)
			if (r[k][t] > mx)
				mx = r[k][t];
		double tot = rs[t] + mx;
		if (t == RES_LUT)
			lut = tot;
		if (!bad && tot > f->capabs[t])
			bad = 1;
	}
	for (int t = 0; t < RES_N && !bad; t++) {
		for (int k = 0; k < sh->n; k++)
			if (r[k][t] > f->rpcap[rp][t])
				bad = 2;
		if (rs[t] > f->outcap[rp][t])
			bad = 2;
	}
	if (!bad && !sh->fits_store[rp])
		bad = 2;
	for (int i = 0; i < L->n_tp; i++) {
		double best = 0;
		bool have = false;
		for (int k = 0; k < sh->n; k++) {
			if (!sh->bfp[k])
				continue;
			double att = sh->kind[k] == MK_XRM ? xrm[XRM_PRE(f, sh->xi[k]) + i] : pre[i];
			double t = f->layers * (lin[i] + att) + f->lm_s;
			if (!have || t < best) {
				best = t;
				have = true;
			}
		}
		v[i] = best;
	}
	double ld = lin[LIN_DEC(f)], fhz = lin[LIN_FHZ(f)];
	for (int j = 0; j < L->n_ctx; j++) {
		double best = 0;
		int bk = -1;
		for (int k = 0; k < sh->n; k++) {
			if (!sh->bfd[k])
				continue;
			double att = sh->kind[k] == MK_XRM ? xrm[XRM_DEC(f, sh->xi[k]) + j] : dec[DEC_ATT + j];
			double st = f->layers * (ld + att) + f->lm_s;
			if (bk < 0 || st < best) {
				best = st;
				bk = k;
			}
		}
		m[2 * j] = best;
		m[2 * j + 1] = perf_power_from(&f->c->cal, rs[RES_LUT] + r[bk][RES_LUT], fhz, f->layers * dec[DEC_BYTES(f) + j] / best) * best;
	}
	v[L->o_short] = m[2 * L->j_short];
	v[L->o_long] = m[2 * L->j_long];
	v[L->o_energy] = f->alpha * m[2 * L->j_long + 1] + (1 - f->alpha) * m[2 * L->j_short + 1];
	v[L->o_lut] = lut;
	*lut_out = lut;
	if (!bad && v[L->i_obj] > f->tpre_max_s)
		bad = 3;
	return bad;
}

double factor_objective(const factor *f, const double *v)
{
	return figures_objective(&f->c->obj, v[f->L.i_obj], v[f->L.o_long], v[f->L.o_short]);
}

/* Keys kept on chip by a point whose tier has no region (perf_resources' last check). */
static inline bool orphan(const design_t *d)
{
	return d->kv_tier == KV_TIER_NONE && d->kv_window + d->kv_sinks > 0;
}

/* ------------------------------------------------------------------ point */

int factor_point(const factor *f, int64_t id, double *v, double *m)
{
	int dg[SK_N];
	if (space_digits(f->s, id, dg))
		return -1;
	const space_mode *sm = space_mode_of(f->s, id);
	design_t d;
	perf_ctx p;
	space_design_digits(f->s, sm, dg, &d);
	perf_prepare(&p, f->c, f->w, &d);
	int wl = f->width[F_LIN], wp = f->width[F_PRE];
	double e[2 * (FACTOR_MAX_TP + 2 + RES_N) + 3 * RES_N + 2 * FACTOR_MAX_CTX + 1], mm[2 * FACTOR_MAX_CTX];
	double *lin = e, *pre = e + wl, *dec = e + wl + wp;
	fill(f, F_LIN, &p, lin);
	fill(f, F_PRE, &p, pre);
	fill(f, F_DEC, &p, dec);
	bool dpr = sm->mode == MODE_DPR;
	double lut, s2[RES_N], d2[RES_N];
	const double *sr, *dr;
	regions(f, lin + LIN_RES(f), dec, d.kv_tier, s2, d2, &sr, &dr);
	if (!m)
		m = mm;
	bool limited = f->c->n_limits &&
		       limits_hit(f->c, d.mode, d.clock_mhz, d.rp, engine_pre_units(&d), engine_dec_units(&d)) >= 0;
	if (dpr && f->n_shapes) {
		double *xrm = malloc(((size_t)f->width[F_XRM] + 1) * sizeof *xrm);
		if (!xrm)
			return -1;
		if (f->n_xrm)
			fill(f, F_XRM, &p, xrm);
		int bad = set_eval(f, &f->shape[dg[SK_RMSET]], lin, pre, dec, xrm, d.rp, v, m, &lut);
		free(xrm);
		if (!bad && limited)
			bad = 2;
		return bad == 0 ? FACTOR_FEASIBLE : bad == 3 ? FACTOR_SLOW : FACTOR_REJECTED;
	}
	ttft_vec(f, lin, pre, v);
	if (res_ok(f, dpr, sr, pre + PRE_RES(f), dr, d.rp, orphan(&d), &lut) || (dpr && !f->pair_fits_store[d.rp]) ||
	    (f->c->n_limits && limits_hit(f->c, d.mode, d.clock_mhz, d.rp, engine_pre_units(&d), engine_dec_units(&d)) >= 0)) {
		/* rejected before evaluation; the figures are still what the model gives */
		lut = p.r_total.v[RES_LUT];
		dec_vec(f, dpr, lin, dec, sr, dr, lut, v, m);
		return FACTOR_REJECTED;
	}
	dec_vec(f, dpr, lin, dec, sr, dr, lut, v, m);
	return v[f->L.i_obj] > f->tpre_max_s ? FACTOR_SLOW : FACTOR_FEASIBLE;
}

/* ------------------------------------------------------------------ chunk */

/*
 * One point of a chunk past the group cuts: the full resource check and, if
 * it passes, its id, vector (TTFTs from ttft, the decode part from the
 * entries) and decode figures appended to out (room reserved).  Returns 0,
 * or 1 over a cap, 2 not fitting (res_ok).
 */
static inline int one_point(const factor *f, bool dpr, const double *lin, const double *rs, const double *rp_,
			    const double *dec, int tier, bool orphan_keys, int rp, const double *ttft, factor_buf *out,
			    int64_t id)
{
	const int n_obj = f->L.n_obj, n_m = 2 * f->L.n_ctx;
	double lut, s2[RES_N], d2[RES_N];
	const double *sr, *dr;
	regions(f, rs, dec, tier, s2, d2, &sr, &dr);
	int bad = res_ok(f, dpr, sr, rp_, dr, rp, orphan_keys, &lut);
	if (bad)
		return bad;
	double *v = out->v + out->n * (size_t)n_obj;
	memcpy(v, ttft, (size_t)f->L.n_tp * sizeof *v);
	dec_vec(f, dpr, lin, dec, sr, dr, lut, v, out->m + out->n * (size_t)n_m);
	out->id[out->n++] = id;
	return 0;
}

/* Whether a limit a measurement sets (--respect-measured) refuses the decode
 * engine of lanes digit `dl` beside this prefill engine, clock and pblock. */
static bool dec_limit(const factor *f, arch_mode mode, int clk, int rp, int64_t upre, int dl, int64_t dec_mult)
{
	return limits_hit(f->c, mode, clk, rp, upre, (int64_t)space_value(f->s, SK_DLANES, dl) * dec_mult) >= 0;
}

static int buf_reserve(factor_buf *b, size_t more, int n_obj, int n_m)
{
	if (b->n + more <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < b->n + more)
		cap *= 2;
	int64_t *id = realloc(b->id, cap * sizeof *id);
	if (!id)
		return -1;
	b->id = id;
	double *v = realloc(b->v, cap * (size_t)n_obj * sizeof *v);
	if (!v)
		return -1;
	b->v = v;
	double *m = realloc(b->m, cap * (size_t)n_m * sizeof *m);
	if (!m)
		return -1;
	b->m = m;
	b->cap = cap;
	return 0;
}

/*
 * Grouped pruning on static + prefill is exact when no decode entry is
 * negative in that resource (sizes only add): prune_res[t] says whether it
 * may prune on resource t.  rpv: the pblock index of each pblock digit.
 */
static void prune_setup(const factor *f, const ftab *TD, const space_mode *m, bool prune_res[RES_N], int *rpv)
{
	const int wd = f->width[F_DEC];
	for (int t = 0; t < RES_N; t++) {
		prune_res[t] = true;
		if (m->mode != MODE_DPR)
			for (int64_t e = 0; e < TD->n; e++)
				if (TD->val[e * wd + DEC_RES + t] < 0)
					prune_res[t] = false;
	}
	for (int r = 0; r < m->radix[SK_RP]; r++)
		rpv[r] = space_value(f->s, SK_RP, r);
}

void factor_knobs_init(factor_knobs *k)
{
	memset(k->n, 0, sizeof k->n);
	for (int i = 0; i < SK_N; i++)
		for (int j = 0; j < CFG_MAX_LIST; j++)
			k->best[i][j] = INFINITY;
}

void factor_knobs_merge(factor_knobs *into, const factor_knobs *from)
{
	for (int i = 0; i < SK_N; i++)
		for (int j = 0; j < CFG_MAX_LIST; j++) {
			into->n[i][j] += from->n[i][j];
			if (from->best[i][j] < into->best[i][j])
				into->best[i][j] = from->best[i][j];
		}
}

/* A feasible point's objective, noted for the knobs in act[0..nact): those
 * whose digit varies within the chunk; the others are noted once per chunk. */
static inline void knob_note(factor_knobs *k, const int *act, int nact, const int dg[SK_N], double obj)
{
	for (int a = 0; a < nact; a++) {
		int i = act[a];
		k->n[i][dg[i]]++;
		if (obj < k->best[i][dg[i]])
			k->best[i][dg[i]] = obj;
	}
}

int factor_chunk(const factor *f, factor_scratch *x, int64_t chunk, factor_buf *out, factor_counts *cnt,
		 factor_knobs *knobs)
{
	const space_mode *m = space_chunk_mode(f->s, chunk);
	int64_t first, end;
	if (!m || space_chunk_range(f->s, chunk, &first, &end))
		return -1;
	int fd[SK_N], lo[SK_N], hi[SK_N];
	space_digits(f->s, first, fd);
	for (int k = 0; k < SK_N; k++) {
		lo[k] = k < m->fixed ? fd[k] : 0;
		hi[k] = k < m->fixed ? fd[k] + 1 : m->radix[k];
	}
	for (int i = 0; i < F_N; i++)
		if ((i != F_XRM || f->n_xrm) && ensure(f, x, i, m, fd))
			return -1;
	if (buf_reserve(out, (size_t)(end - first), f->L.n_obj, 2 * f->L.n_ctx))
		return -1;

	const ftab *TL = &x->t[F_LIN], *TP = &x->t[F_PRE], *TD = &x->t[F_DEC], *TX = &x->t[F_XRM];
	const int wl = f->width[F_LIN], wp = f->width[F_PRE], wd = f->width[F_DEC], wx = f->width[F_XRM];
	/* sets of modules (config: only with one K/V digit of each knob, fp16 and no tier) */
	const bool sets = m->mode == MODE_DPR && f->n_shapes > 0;
	const double *xrm = NULL;
	const int n_obj = f->L.n_obj, i_obj = f->L.i_obj;
	const bool dpr = m->mode == MODE_DPR;
	const int64_t *S = m->stride;
	bool prune_res[RES_N];
	int rpv[CFG_MAX_LIST];
	prune_setup(f, TD, m, prune_res, rpv);
	/* the chunk's (window, sinks, tier region) digits in id order, flat: the decode
	 * entry's and the id's offsets, the region, whether the keys have a region */
	/* the knobs whose digit varies within the chunk */
	int act[SK_N], nact = 0;
	for (int k = 0; k < SK_N; k++)
		if (hi[k] - lo[k] > 1)
			act[nact++] = k;
	double chunk_best = INFINITY;
	typedef struct kvc_ kvc;
	kvc *kc = x->kvc;
	int nkc = 0;
	for (int w = lo[SK_KV_WINDOW]; w < hi[SK_KV_WINDOW]; w++)
		for (int sk = lo[SK_KV_SINKS]; sk < hi[SK_KV_SINKS]; sk++)
			for (int t = lo[SK_KV_TIER]; t < hi[SK_KV_TIER]; t++) {
				kvc *e = &kc[nkc++];
				e->dofs = w * TD->stride[SK_KV_WINDOW] + sk * TD->stride[SK_KV_SINKS] + t * TD->stride[SK_KV_TIER];
				e->iofs = w * S[SK_KV_WINDOW] + sk * S[SK_KV_SINKS] + t * S[SK_KV_TIER];
				e->w = w;
				e->sk = sk;
				e->t = t;
				e->tier = m->kv_tier[t];
				e->orphan = e->tier == KV_TIER_NONE &&
					    space_value(f->s, SK_KV_WINDOW, w) + space_value(f->s, SK_KV_SINKS, sk) > 0;
			}

	/* per precision digit of the chunk: its prefill entry, TTFTs and how it fares above the decode engine */
	enum { KV_OK, KV_OVER, KV_SLOW, KV_NOFIT };
	double ttft[CFG_MAX_LIST][FACTOR_MAX_TP];
	const double *prek[CFG_MAX_LIST];
	int st_kv[CFG_MAX_LIST];
	int64_t pruned = 0, feasible = 0, over_cap = 0, too_slow = 0, no_fit = 0;
	int dg[SK_N];
	dg[SK_RMSET] = lo[SK_RMSET];
	/* points of the chunk, for one precision digit: under one pblock digit, under one (lin, prefill) pair */
	const int64_t per_kv = (int64_t)(hi[SK_KV_WINDOW] - lo[SK_KV_WINDOW]) * (hi[SK_KV_SINKS] - lo[SK_KV_SINKS]) *
			       (hi[SK_KV_TIER] - lo[SK_KV_TIER]);
	const int64_t per_rp = (hi[SK_DLANES] - lo[SK_DLANES]) * per_kv * (int64_t)(hi[SK_RMSET] - lo[SK_RMSET]);
	const int64_t inner = (hi[SK_RP] - lo[SK_RP]) * per_rp;
	const int np = hi[SK_KV_PREC] - lo[SK_KV_PREC];
	const int nlim = f->c->n_limits;
	const int64_t dec_mult = f->c->space.dec_dataflow == DF_HEAD_PIPE ? 2 : 1; /* engine_dec_units */

	for (dg[SK_CLOCK] = lo[SK_CLOCK]; dg[SK_CLOCK] < hi[SK_CLOCK]; dg[SK_CLOCK]++)
	for (dg[SK_OUTST] = lo[SK_OUTST]; dg[SK_OUTST] < hi[SK_OUTST]; dg[SK_OUTST]++)
	for (dg[SK_PM_PRE] = lo[SK_PM_PRE]; dg[SK_PM_PRE] < hi[SK_PM_PRE]; dg[SK_PM_PRE]++)
	for (dg[SK_PM_DEC] = lo[SK_PM_DEC]; dg[SK_PM_DEC] < hi[SK_PM_DEC]; dg[SK_PM_DEC]++)
	for (dg[SK_TABLES] = lo[SK_TABLES]; dg[SK_TABLES] < hi[SK_TABLES]; dg[SK_TABLES]++)
	for (dg[SK_TLANES] = lo[SK_TLANES]; dg[SK_TLANES] < hi[SK_TLANES]; dg[SK_TLANES]++) {
		const double *lin = TL->val + wl * (dg[SK_CLOCK] * TL->stride[SK_CLOCK] +
						    dg[SK_TABLES] * TL->stride[SK_TABLES] +
						    dg[SK_TLANES] * TL->stride[SK_TLANES]);
		const double *rs = lin + LIN_RES(f);
		int64_t dbase = dg[SK_CLOCK] * TD->stride[SK_CLOCK] + dg[SK_OUTST] * TD->stride[SK_OUTST] +
				dg[SK_PM_DEC] * TD->stride[SK_PM_DEC];
		if (sets && f->n_xrm)
			xrm = TX->val + wx * (dg[SK_CLOCK] * TX->stride[SK_CLOCK] + dg[SK_OUTST] * TX->stride[SK_OUTST]);
		int64_t idl = m->base;
		for (int k = 0; k <= SK_TLANES; k++)
			idl += dg[k] * S[k];
		for (dg[SK_PE] = lo[SK_PE]; dg[SK_PE] < hi[SK_PE]; dg[SK_PE]++)
		for (dg[SK_PLANES] = lo[SK_PLANES]; dg[SK_PLANES] < hi[SK_PLANES]; dg[SK_PLANES]++)
		for (dg[SK_BLOCK] = lo[SK_BLOCK]; dg[SK_BLOCK] < hi[SK_BLOCK]; dg[SK_BLOCK]++) {
			int64_t pbase = dg[SK_CLOCK] * TP->stride[SK_CLOCK] + dg[SK_OUTST] * TP->stride[SK_OUTST] +
					dg[SK_PM_PRE] * TP->stride[SK_PM_PRE] + dg[SK_PE] * TP->stride[SK_PE] +
					dg[SK_PLANES] * TP->stride[SK_PLANES] + dg[SK_BLOCK] * TP->stride[SK_BLOCK];
			/* static + prefill over a cap: no decode engine, tier or pblock helps (the
			 * quantiser and the tier only add); then TTFT at the objective prompt, which
			 * does not depend on what follows */
			int live = 0;
			for (int q = 0; q < np; q++) {
				const double *pre = TP->val + wp * (pbase + (lo[SK_KV_PREC] + q) * TP->stride[SK_KV_PREC]);
				const double *rp_ = pre + PRE_RES(f);
				prek[q] = pre;
				bool over = false;
				for (int t = 0; t < RES_N && !over; t++)
					over = prune_res[t] && rs[t] + rp_[t] > f->capabs[t];
				if (over) {
					st_kv[q] = KV_OVER;
					pruned += inner;
					over_cap += inner;
					continue;
				}
				ttft_vec(f, lin, pre, ttft[q]);
				/* (unless an extra module of a set prefills faster) */
				bool slow = ttft[q][i_obj] > f->tpre_max_s;
				for (int xi = 0; slow && sets && f->x_pre_fast && xi < f->n_xrm; xi++)
					slow = !(f->c->space.rm_extra[xi].engines & RM_ENG_PRE) ||
					       f->layers * (lin[i_obj] + xrm[XRM_PRE(f, xi) + i_obj]) + f->lm_s > f->tpre_max_s;
				if (slow) {
					st_kv[q] = KV_SLOW;
					pruned += inner;
					too_slow += inner;
					continue;
				}
				st_kv[q] = KV_OK;
				live++;
			}
			if (!live)
				continue;
			int clk = space_value(f->s, SK_CLOCK, dg[SK_CLOCK]);
			int64_t upre = (int64_t)space_value(f->s, SK_PE, dg[SK_PE]) * space_value(f->s, SK_PLANES, dg[SK_PLANES]);
			for (dg[SK_RP] = lo[SK_RP]; dg[SK_RP] < hi[SK_RP]; dg[SK_RP]++) {
				int rp = rpv[dg[SK_RP]];
				int fit = 0;
				/* a limit a measurement sets on the prefill engine, whatever the decode engine */
				bool pre_limit = nlim && limits_hit(f->c, m->mode, clk, rp, upre, 0) >= 0;
				for (int q = 0; q < np; q++) {
					if (st_kv[q] == KV_NOFIT)
						st_kv[q] = KV_OK;
					if (st_kv[q] != KV_OK)
						continue;
					if (pre_limit) {
						st_kv[q] = KV_NOFIT;
						pruned += per_rp;
						no_fit += per_rp;
						continue;
					}
					if (dpr) {
						/* the prefill RM must fit the pblock, the static region outside it */
						const double *rp_ = prek[q] + PRE_RES(f);
						bool nofit = !sets && !f->pair_fits_store[rp];
						for (int t = 0; t < RES_N && !nofit; t++)
							nofit = rp_[t] > f->rpcap[rp][t] || rs[t] > f->outcap[rp][t];
						if (nofit) {
							st_kv[q] = KV_NOFIT;
							pruned += per_rp;
							no_fit += per_rp;
							continue;
						}
					}
					fit++;
				}
				if (!fit)
					continue;
				int64_t idr = idl + dg[SK_PE] * S[SK_PE] + dg[SK_PLANES] * S[SK_PLANES] +
					      dg[SK_BLOCK] * S[SK_BLOCK] + dg[SK_RP] * S[SK_RP];
				/* one precision and one (window, sinks, region): the decode lanes alone vary */
				if (np == 1 && nkc == 1) {
					if (st_kv[0] != KV_OK)
						continue;
					const kvc *e = &kc[0];
					dg[SK_KV_PREC] = lo[SK_KV_PREC];
					dg[SK_KV_WINDOW] = e->w;
					dg[SK_KV_SINKS] = e->sk;
					dg[SK_KV_TIER] = e->t;
					const double *dq = TD->val + wd * (dbase + lo[SK_KV_PREC] * TD->stride[SK_KV_PREC] + e->dofs);
					const int64_t ip = idr + lo[SK_KV_PREC] * S[SK_KV_PREC] + e->iofs;
					for (dg[SK_DLANES] = lo[SK_DLANES]; dg[SK_DLANES] < hi[SK_DLANES]; dg[SK_DLANES]++) {
						if (sets) {
							const double *dec = dq + wd * dg[SK_DLANES] * TD->stride[SK_DLANES];
							bool lim = nlim && dec_limit(f, m->mode, clk, rp, upre, dg[SK_DLANES], dec_mult);
							for (dg[SK_RMSET] = lo[SK_RMSET]; dg[SK_RMSET] < hi[SK_RMSET]; dg[SK_RMSET]++) {
								double *v = out->v + out->n * (size_t)n_obj, lut;
								int bad = set_eval(f, &f->shape[dg[SK_RMSET]], lin, prek[0], dec, xrm, rp, v,
										   out->m + out->n * (size_t)(2 * f->L.n_ctx), &lut);
								if (!bad && lim)
									bad = 2;
								if (bad) {
									over_cap += bad == 1;
									no_fit += bad == 2;
									too_slow += bad == 3;
									continue;
								}
								out->id[out->n++] = ip + dg[SK_DLANES] * S[SK_DLANES] + dg[SK_RMSET] * S[SK_RMSET];
								feasible++;
								if (knobs) {
									double obj = factor_objective(f, v);
									knob_note(knobs, act, nact, dg, obj);
									if (obj < chunk_best)
										chunk_best = obj;
								}
							}
							dg[SK_RMSET] = lo[SK_RMSET];
							continue;
						}
						int bad = one_point(f, dpr, lin, rs, prek[0] + PRE_RES(f),
								    dq + wd * dg[SK_DLANES] * TD->stride[SK_DLANES], e->tier, e->orphan, rp,
								    ttft[0], out, ip + dg[SK_DLANES] * S[SK_DLANES]);
						if (!bad && nlim && dec_limit(f, m->mode, clk, rp, upre, dg[SK_DLANES], dec_mult)) {
							out->n--;
							bad = 2;
						}
						if (bad) {
							over_cap += bad == 1;
							no_fit += bad == 2;
							continue;
						}
						feasible++;
						if (knobs) {
							double obj = factor_objective(f, out->v + (out->n - 1) * (size_t)n_obj);
							knob_note(knobs, act, nact, dg, obj);
							if (obj < chunk_best)
								chunk_best = obj;
						}
					}
					continue;
				}
				if (sets)
					BUG("chunk %lld: sets of modules with several K/V digits", (long long)chunk);
				for (dg[SK_DLANES] = lo[SK_DLANES]; dg[SK_DLANES] < hi[SK_DLANES]; dg[SK_DLANES]++)
				for (dg[SK_KV_PREC] = lo[SK_KV_PREC]; dg[SK_KV_PREC] < hi[SK_KV_PREC]; dg[SK_KV_PREC]++) {
					int q = dg[SK_KV_PREC] - lo[SK_KV_PREC];
					if (st_kv[q] != KV_OK)
						continue;
					const double *rp_ = prek[q] + PRE_RES(f);
					const double *dq = TD->val + wd * (dbase + dg[SK_DLANES] * TD->stride[SK_DLANES] +
									  dg[SK_KV_PREC] * TD->stride[SK_KV_PREC]);
					const int64_t ip = idr + dg[SK_DLANES] * S[SK_DLANES] + dg[SK_KV_PREC] * S[SK_KV_PREC];
					for (int k = 0; k < nkc; k++) {
						const kvc *e = &kc[k];
						int bad = one_point(f, dpr, lin, rs, rp_, dq + wd * e->dofs, e->tier, e->orphan, rp, ttft[q],
								    out, ip + e->iofs);
						if (!bad && nlim && dec_limit(f, m->mode, clk, rp, upre, dg[SK_DLANES], dec_mult)) {
							out->n--;
							bad = 2;
						}
						if (bad) {
							over_cap += bad == 1;
							no_fit += bad == 2;
							continue;
						}
						feasible++;
						if (knobs) {
							dg[SK_KV_WINDOW] = e->w;
							dg[SK_KV_SINKS] = e->sk;
							dg[SK_KV_TIER] = e->t;
							double obj = factor_objective(f, out->v + (out->n - 1) * (size_t)n_obj);
							knob_note(knobs, act, nact, dg, obj);
							if (obj < chunk_best)
								chunk_best = obj;
						}
					}
				}
			}
		}
	}
	/* the knobs one digit covers in this chunk: every feasible point has it */
	if (knobs && feasible)
		for (int k = 0; k < SK_N; k++)
			if (hi[k] - lo[k] == 1) {
				knobs->n[k][lo[k]] += feasible;
				if (chunk_best < knobs->best[k][lo[k]])
					knobs->best[k][lo[k]] = chunk_best;
			}
	cnt->points += end - first;
	cnt->pruned += pruned;
	cnt->feasible += feasible;
	cnt->over_cap += over_cap;
	cnt->too_slow += too_slow;
	cnt->no_fit += no_fit;
	if (over_cap + too_slow + no_fit + feasible != end - first)
		BUG("chunk %lld: %lld points but %lld + %lld + %lld + %lld counted", (long long)chunk,
		    (long long)(end - first), (long long)over_cap, (long long)too_slow, (long long)no_fit,
		    (long long)feasible);
	return 0;
}
