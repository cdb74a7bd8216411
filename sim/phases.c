/*
 * phases.c - see phases.h.  Everything is computed on first use and kept:
 * per prefill module, first decode module and prompt length the prefill
 * part of a request (TTFT, the swap, and for the DES the first decode
 * step), per module the prefix sums of its decode steps by context, per
 * pair of modules the stall of a mid-generation swap (DES).
 *
 * A design that names no set keeps the paper's two modules, the design
 * itself with the prefill engine (module 0) or the decode engine (module
 * 1) in the partition, and the DES model runs it with des_opts.hold as it
 * always has; a set's modules run as des_opts.plan.
 */
#include "sim/phases.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/engine.h"
#include "models/perf.h"
#include "models/platform.h"
#include "sim/des.h"

const char *const phases_model_names[2] = {"analytic", "des"};

/* The prefill part of a request of one prompt length, one prefill module
 * and one first decode module. */
typedef struct {
	bool have;
	int64_t ttft_ps, swap_ps, exposed_ps;
	int64_t refill_ps;   /* the K/V tier's refill after the swap */
	double refill_j;     /* its DDR energy, where the model's phase energies leave it out */
	int64_t first_ps; /* DES: the first decode step */
	double e_pre_j, e_first_j;
} pre_part;

struct phases {
	const cfg_t *c;
	const workload_t *w;
	design_t d;
	phases_model m;
	rms_ctx x;
	bool dpr;
	int maxc;
	int n;                               /* modules (1: a static design) */
	pre_part *pre[RMS_MAX][RMS_MAX];     /* [prefill module][first decode module][prompt], 1..maxc */
	/* per module: cum_ps[k] = sum of the steps attending j keys, j from the
	 * first step the prefix covers (analytic 1, DES 2) to k */
	int64_t *cum_ps[RMS_MAX];
	double *cum_j[RMS_MAX];
	int n_cum[RMS_MAX];                  /* entries filled: cum[0 .. n_cum - 1] */
	double *att_dec[RMS_MAX];            /* analytic: att_dec[L] = sum_{k<=L} decode attention of a query */
	int n_att[RMS_MAX];
	bool have_mid[RMS_MAX][RMS_MAX];     /* DES: a mid-generation swap's stall */
	int64_t mid_ps[RMS_MAX][RMS_MAX];
	double mid_j[RMS_MAX][RMS_MAX];
	int64_t back_ps;
	double back_j, swap_ddr_j;
	signed char *best[2];                /* the paper's flow's module by length, -2 until known */
};

static int64_t ps_of(double s)
{
	return (int64_t)llround(s * 1e12);
}

bool phases_has(const phases *t, phases_path path)
{
	return path == PHASES_SWAP || (t->dpr && (path == PHASES_PREFILL || path == PHASES_DECODE));
}

bool phases_dpr(const phases *t)
{
	return t->dpr;
}

int phases_max_context(const phases *t)
{
	return t->maxc;
}

int phases_modules(const phases *t)
{
	return t->n;
}

const rm_t *phases_module(const phases *t, int k)
{
	return t->dpr && k >= 0 && k < t->n ? &t->x.set.rm[k] : NULL;
}

const char *phases_module_name(const phases *t, int k)
{
	return t->dpr && k >= 0 && k < t->n ? t->x.set.rm[k].name : "static";
}

rms_ctx *phases_rms(phases *t)
{
	return &t->x;
}

int phases_new(phases **out, const cfg_t *c, const workload_t *w, const design_t *d, phases_model m, char *err,
	       size_t errlen)
{
	*out = NULL;
	if (cfg_check_design(c, d, err, errlen))
		return PDS_FAIL;
	phases *t = calloc(1, sizeof *t);
	if (!t)
		goto oom;
	t->c = c;
	t->w = w;
	t->d = *d;
	t->m = m;
	t->dpr = d->mode == MODE_DPR;
	t->maxc = c->model.max_context;
	rms_prepare(&t->x, c, w, &t->d);
	t->n = t->dpr ? t->x.set.n : 1;
	for (int k = 0; k < t->n; k++) {
		if (!(t->cum_ps[k] = calloc((size_t)t->maxc + 1, sizeof *t->cum_ps[k])) ||
		    !(t->cum_j[k] = calloc((size_t)t->maxc + 1, sizeof *t->cum_j[k])) ||
		    !(t->att_dec[k] = calloc((size_t)t->maxc + 1, sizeof *t->att_dec[k])))
			goto oom;
		t->n_att[k] = 1;
	}
	for (int e = 0; e < 2; e++) {
		if (!(t->best[e] = malloc((size_t)t->maxc + 2)))
			goto oom;
		memset(t->best[e], -2, (size_t)t->maxc + 2);
	}
	if (t->dpr) {
		double bytes = engine_bitstream_bytes(c, &c->arch.pblocks[d->rp]);
		double back_s = platform_pcap_idle_s(c, bytes) + c->cal.swap_ps_ms.value * 1e-3;
		t->back_ps = ps_of(back_s);
		t->swap_ddr_j = c->cal.e_ddr_nj_per_kb.value * 1e-9 / 1024.0 * bytes;
		t->back_j = c->cal.p_idle_w.value * back_s + t->swap_ddr_j;
	}
	*out = t;
	return 0;
oom:
	phases_free(t);
	snprintf(err, errlen, "out of memory preparing the phase times of a design");
	return PDS_FAIL;
}

void phases_free(phases *t)
{
	if (!t)
		return;
	for (int a = 0; a < RMS_MAX; a++)
		for (int b = 0; b < RMS_MAX; b++)
			free(t->pre[a][b]);
	for (int k = 0; k < RMS_MAX; k++) {
		free(t->cum_ps[k]);
		free(t->cum_j[k]);
		free(t->att_dec[k]);
	}
	free(t->best[0]);
	free(t->best[1]);
	free(t);
}

int phases_best_module(phases *t, bool decode, int len)
{
	if (!t->dpr || len < 1 || len > t->maxc + 1)
		return -1;
	signed char *b = &t->best[decode][len];
	if (*b == -2)
		*b = (signed char)(decode ? rms_decode_module(&t->x, len) : rms_prefill_module(&t->x, len));
	return *b;
}

int64_t phases_back_swap_ps(const phases *t)
{
	return t->back_ps;
}

double phases_back_swap_j(const phases *t)
{
	return t->back_j;
}

/* The first module built for a phase (serving it when none is built for it). */
static int first_for(const phases *t, bool decode)
{
	for (int k = 0; k < t->n; k++)
		if (rms_built_for(&t->x.set.rm[k], decode))
			return k;
	for (int k = 0; k < t->n; k++)
		if (rms_serves(&t->x.set.rm[k], decode))
			return k;
	return 0;
}

void phases_path_plan(const phases *t, phases_path path, int prompt, rms_plan *out)
{
	memset(out, 0, sizeof *out);
	out->n_seg = 1;
	out->from[0] = prompt + 1;
	if (!t->dpr)
		return;
	int p = first_for(t, false), q = first_for(t, true);
	out->pre = path == PHASES_DECODE ? q : p;
	out->dec[0] = path == PHASES_PREFILL ? p : q;
}

/* The context of module k, and the engines of its phases (a static
 * design: the design's, its own engines). */
static const perf_ctx *ctx_of(const phases *t, int k)
{
	return t->dpr ? &t->x.m[k] : &t->x.base;
}

static perf_engine pre_engine(const phases *t, int k)
{
	return t->dpr ? t->x.on_pre[k] : PERF_ENGINE_PREFILL;
}

static perf_engine dec_engine(const phases *t, int k)
{
	return t->dpr ? t->x.on_dec[k] : PERF_ENGINE_DECODE;
}

/* ------------------------------------------------------------ analytic */

/* Extend the prefix sums of module k to `upto` keys (upto <= maxc). */
static void ana_cum(phases *t, int k, int upto)
{
	const perf_ctx *p = ctx_of(t, k);
	perf_engine pe = dec_engine(t, k);
	if (t->n_cum[k] == 0)
		t->n_cum[k] = 1; /* cum[0] = 0 */
	for (int j = t->n_cum[k]; j <= upto; j++) {
		t->cum_ps[k][j] = t->cum_ps[k][j - 1] + ps_of(perf_decode_step_on_s(p, pe, j));
		t->cum_j[k][j] = t->cum_j[k][j - 1] + perf_decode_energy_on_j(p, pe, j);
	}
	if (upto + 1 > t->n_cum[k])
		t->n_cum[k] = upto + 1;
}

static void ana_pre(phases *t, int a, int b, int L, pre_part *q)
{
	const perf_ctx *p = ctx_of(t, a);
	if (pre_engine(t, a) == PERF_ENGINE_DECODE) {
		/* the decode engine, one query after the other (perf_prefill_layer_on) */
		for (int k = t->n_att[a]; k <= L; k++)
			t->att_dec[a][k] = t->att_dec[a][k - 1] + perf_decode_layer(p, k).att_s;
		if (L + 1 > t->n_att[a])
			t->n_att[a] = L + 1;
		perf_layer l = perf_prefill_layer_dec_sum(p, L, t->att_dec[a][L]);
		double pre = t->w->layers * l.lin_s + t->w->layers * l.att_s;
		q->ttft_ps = ps_of(pre + t->c->cal.lm_head_s.value);
		q->e_pre_j = perf_power_w(p, true, t->w->layers * l.bytes / pre) * pre;
	} else {
		figures f;
		perf_run_eval(p, L, 0, &f);
		q->ttft_ps = ps_of(f.ttft_s);
		q->e_pre_j = f.energy_prefill_j;
	}
	if (t->dpr && b != a) {
		/* the swap depends on the static region's tail and the pblock alone */
		figures f;
		perf_run_eval(&t->x.base, L, 0, &f);
		q->swap_ps = ps_of(f.swap_s);
		q->exposed_ps = ps_of(f.swap_exposed_s);
		q->refill_ps = ps_of(f.kv_refill_s);
		q->refill_j = t->c->cal.e_ddr_nj_per_kb.value * 1e-9 / 1024.0 * f.kv_refill_bytes;
	}
}

/* ----------------------------------------------------------------- DES */

/* A des_plan of module a from pass 0 and, unless it is a, b from pass `at`. */
static void plan_of(const phases *t, int a, int b, int at, des_plan *pl)
{
	memset(pl, 0, sizeof *pl);
	int mods[2] = {a, b};
	pl->n = b == a ? 1 : 2;
	for (int i = 0; i < pl->n; i++) {
		const rm_t *m = &t->x.set.rm[mods[i]];
		rms_view(&t->d, m, &pl->view[i]);
		pl->engines[i] = m->engines;
		pl->from[i] = i == 0 ? 0 : at;
		snprintf(pl->name[i], sizeof pl->name[i], "%s", m->name);
	}
}

/* The options that run module a for the prefill and b for the decode:
 * des_opts.hold for a design that names no set, else a plan. */
static void des_opts_of(const phases *t, int a, int b, des_opts *o, des_plan *pl)
{
	memset(o, 0, sizeof *o);
	if (!t->dpr)
		return;
	if (t->x.legacy && !(a == 1 && b == 0)) {
		o->hold = a != b ? DES_HOLD_PHASE : a == 0 ? DES_HOLD_PREFILL : DES_HOLD_DECODE;
		return;
	}
	plan_of(t, a, b, 1, pl);
	o->plan = pl;
}

static int des_pre(phases *t, int a, int b, int L, pre_part *q, char *err, size_t errlen)
{
	des_opts o;
	des_plan pl;
	des_opts_of(t, a, b, &o, &pl);
	des_result r;
	if (des_run(t->c, t->w, &t->d, L, 1, &o, &r, err, errlen))
		return PDS_FAIL;
	q->ttft_ps = ps_of(r.f.ttft_s);
	q->swap_ps = ps_of(r.f.swap_s);
	q->exposed_ps = ps_of(r.f.swap_exposed_s);
	q->refill_ps = ps_of(r.f.kv_refill_s);
	/* the DES's decode energy holds the refill's bytes; a request of one
	 * token has no decode step to carry it */
	q->refill_j = t->c->cal.e_ddr_nj_per_kb.value * 1e-9 / 1024.0 * r.f.kv_refill_bytes;
	q->first_ps = ps_of(r.f.decode_first_step_s);
	q->e_pre_j = r.f.energy_prefill_j;
	q->e_first_j = r.f.power_decode_w * r.f.decode_s;
	return 0;
}

/* The module a 1-token prompt is prefilled on before module k's steps
 * (the paper's pair: the prefill RM). */
static int cum_prefill_module(const phases *t, int k)
{
	if (!t->dpr)
		return k;
	if (t->x.legacy)
		return 0;
	int h = rms_prefill_module(&t->x, 1);
	return h < 0 ? k : h;
}

/*
 * Extend module k's prefix sums to `upto` keys with one run of a 1-token
 * prompt and steps up to max(upto, twice what is there), plus one: the last
 * step of a run has no next step to prefetch for, so it is not used; a
 * step's time then does not depend on how long the run was.
 */
static int des_cum(phases *t, int k, int upto, char *err, size_t errlen)
{
	if (upto < t->n_cum[k])
		return 0;
	int want = 2 * t->n_cum[k] > upto ? 2 * t->n_cum[k] : upto;
	if (want < 256)
		want = 256;
	if (want > t->maxc)
		want = t->maxc;
	/* steps attend 2 .. want keys; one more step that is not kept */
	int gen = want; /* step i attends i + 2 keys */
	int64_t *step = malloc((size_t)gen * sizeof *step);
	if (!step) {
		snprintf(err, errlen, "out of memory");
		return PDS_FAIL;
	}
	des_opts o;
	des_plan pl;
	des_opts_of(t, cum_prefill_module(t, k), k, &o, &pl);
	o.step_ps = step;
	des_result r;
	if (des_run(t->c, t->w, &t->d, 1, gen, &o, &r, err, errlen)) {
		free(step);
		return PDS_FAIL;
	}
	const perf_ctx *p = ctx_of(t, k);
	perf_engine pe = dec_engine(t, k);
	t->cum_ps[k][0] = t->cum_ps[k][1] = 0; /* the prefix starts at 2 keys */
	t->cum_j[k][0] = t->cum_j[k][1] = 0;
	for (int j = 2; j <= want; j++) {
		int64_t s = step[j - 2];
		double sec = s * 1e-12;
		perf_layer l = perf_decode_layer_on(p, pe, j);
		double pw = perf_power_w(p, pe == PERF_ENGINE_DECODE, t->w->layers * l.bytes / sec);
		t->cum_ps[k][j] = t->cum_ps[k][j - 1] + s;
		t->cum_j[k][j] = t->cum_j[k][j - 1] + pw * sec;
	}
	t->n_cum[k] = want + 1;
	free(step);
	return 0;
}

/* ------------------------------------------------------ steps, mid swaps */

static int ensure_cum(phases *t, int k, int upto, char *err, size_t errlen)
{
	if (t->m == PHASES_ANALYTIC) {
		ana_cum(t, k, upto);
		return 0;
	}
	return des_cum(t, k, upto, err, errlen);
}

int phases_steps(phases *t, int k, int lo, int hi, int64_t *ps, double *j, char *err, size_t errlen)
{
	*ps = 0;
	*j = 0;
	if (k < 0 || k >= t->n || hi > t->maxc || lo < (t->m == PHASES_DES ? 2 : 1)) {
		snprintf(err, errlen, "steps %d .. %d on module %d are out of range", lo, hi, k);
		return PDS_FAIL;
	}
	if (lo > hi)
		return 0;
	if (ensure_cum(t, k, hi, err, errlen))
		return PDS_FAIL;
	*ps = t->cum_ps[k][hi] - t->cum_ps[k][lo - 1];
	*j = t->cum_j[k][hi] - t->cum_j[k][lo - 1];
	return 0;
}

int phases_mid_swap(phases *t, int a, int b, int64_t *ps, double *j, char *err, size_t errlen)
{
	*ps = 0;
	*j = 0;
	if (!t->dpr || a == b)
		return 0;
	if (a < 0 || a >= t->n || b < 0 || b >= t->n) {
		snprintf(err, errlen, "no swap between modules %d and %d", a, b);
		return PDS_FAIL;
	}
	if (t->m == PHASES_ANALYTIC) {
		*ps = t->back_ps;
		*j = t->back_j;
		return 0;
	}
	if (!t->have_mid[a][b]) {
		/* a 1-token prompt, two steps on a, then b: the stall before the third */
		des_plan pl;
		memset(&pl, 0, sizeof pl);
		int mods[3] = {cum_prefill_module(t, a), a, b}, from[3] = {0, 1, 3}, n = 0;
		for (int i = 0; i < 3; i++) {
			if (n > 0 && mods[i] == mods[i - 1])
				continue;
			const rm_t *m = &t->x.set.rm[mods[i]];
			rms_view(&t->d, m, &pl.view[n]);
			pl.engines[n] = m->engines;
			pl.from[n] = from[i];
			snprintf(pl.name[n], sizeof pl.name[n], "%s", m->name);
			n++;
		}
		pl.n = n;
		des_opts o = {.plan = &pl};
		des_result r;
		if (des_run(t->c, t->w, &t->d, 1, 4, &o, &r, err, errlen))
			return PDS_FAIL;
		t->mid_ps[a][b] = ps_of(r.mid_swap_exposed_s);
		t->mid_j[a][b] = t->c->cal.p_idle_w.value * r.mid_swap_exposed_s + t->swap_ddr_j;
		t->have_mid[a][b] = true;
	}
	*ps = t->mid_ps[a][b];
	*j = t->mid_j[a][b];
	return 0;
}

/* -------------------------------------------------------------- a request */

int phases_plan_cost(phases *t, const rms_plan *pl, int L, int N, phases_cost *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (L < 1 || N < 1 || (long)L + N > t->maxc) {
		snprintf(err, errlen, "a request of %d + %d tokens does not fit the model's context of %d", L, N, t->maxc);
		return PDS_FAIL;
	}
	int a = t->dpr ? pl->pre : 0, b = t->dpr ? pl->dec[0] : 0;
	bool bad = a < 0 || a >= t->n || b < 0 || b >= t->n || pl->n_seg < 1 || pl->n_seg > RMS_MAX_SEG;
	for (int s = 1; !bad && t->dpr && s < pl->n_seg && pl->from[s] <= L + N - 1; s++)
		bad = pl->dec[s] < 0 || pl->dec[s] >= t->n || pl->from[s] <= (s == 1 ? L + 1 : pl->from[s - 1]);
	if (bad) {
		snprintf(err, errlen, "a plan of modules that the design does not have (prefill %d, decode %d)", a, b);
		return PDS_FAIL;
	}
	if (!t->pre[a][b] && !(t->pre[a][b] = calloc((size_t)t->maxc + 1, sizeof *t->pre[a][b]))) {
		snprintf(err, errlen, "out of memory");
		return PDS_FAIL;
	}
	pre_part *q = &t->pre[a][b][L];
	if (!q->have) {
		if (t->m == PHASES_ANALYTIC)
			ana_pre(t, a, b, L, q);
		else if (des_pre(t, a, b, L, q, err, errlen))
			return PDS_FAIL;
		q->have = true;
	}
	int last = L + N - 1; /* keys of the last step */
	out->ttft_ps = q->ttft_ps;
	out->swap_ps = q->swap_ps;
	out->swap_exposed_ps = q->exposed_ps;
	out->energy_j = q->e_pre_j;
	out->kv_refill_ps = q->refill_ps;
	if (q->swap_ps > 0)
		out->energy_j += t->swap_ddr_j + t->c->cal.p_idle_w.value * q->exposed_ps * 1e-12;
	if (q->swap_ps > 0 && (t->m == PHASES_ANALYTIC || N == 1))
		out->energy_j += q->refill_j;
	if (N == 1)
		return 0;
	int n_seg = t->dpr ? pl->n_seg : 1;
	if (t->m == PHASES_ANALYTIC && (n_seg == 1 || pl->from[1] > last)) {
		/* one module for every step */
		int k = t->dpr ? pl->dec[0] : 0;
		if (last >= t->n_cum[k])
			ana_cum(t, k, last);
		out->decode_ps = t->cum_ps[k][last] - t->cum_ps[k][L];
		out->energy_j += t->cum_j[k][last] - t->cum_j[k][L];
		return 0;
	}
	for (int s = 0; s < n_seg; s++) {
		int k = t->dpr ? pl->dec[s] : 0;
		int lo = s == 0 ? L + 1 : pl->from[s];
		int hi = s + 1 < n_seg && pl->from[s + 1] - 1 < last ? pl->from[s + 1] - 1 : last;
		if (lo > last)
			break;
		if (s > 0 && k != pl->dec[s - 1]) {
			int64_t st;
			double sj;
			if (phases_mid_swap(t, pl->dec[s - 1], k, &st, &sj, err, errlen))
				return PDS_FAIL;
			out->mid_swaps++;
			out->mid_swap_ps += st;
			out->decode_ps += st;
			out->energy_j += sj;
		}
		if (ensure_cum(t, k, hi, err, errlen))
			return PDS_FAIL;
		if (t->m == PHASES_DES && s == 0) {
			/* the first step as the prefill's own run measured it */
			out->decode_ps += q->first_ps + t->cum_ps[k][hi] - t->cum_ps[k][lo];
			out->energy_j += q->e_first_j + t->cum_j[k][hi] - t->cum_j[k][lo];
		} else {
			out->decode_ps += t->cum_ps[k][hi] - t->cum_ps[k][lo - 1];
			out->energy_j += t->cum_j[k][hi] - t->cum_j[k][lo - 1];
		}
	}
	return 0;
}

int phases_cost_of(phases *t, phases_path path, int L, int N, phases_cost *out, char *err, size_t errlen)
{
	if (!phases_has(t, path)) {
		memset(out, 0, sizeof *out);
		snprintf(err, errlen, "a static design has no choice of module (path %d)", (int)path);
		return PDS_FAIL;
	}
	rms_plan pl;
	phases_path_plan(t, path, L, &pl);
	return phases_plan_cost(t, &pl, L, N, out, err, errlen);
}
