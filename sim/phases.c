/*
 * phases.c - see phases.h.  Everything is computed on first use and kept:
 * per prompt length and path the prefill part of a request (TTFT, the
 * swap, and for the DES the first decode step), per decode engine the
 * prefix sums of the decode steps by context.
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

enum { ENG_PRE, ENG_DEC }; /* decode engines, as perf_engine */

/* The prefill part of a request of one prompt length on one path. */
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
	perf_ctx p;
	bool dpr;
	int maxc;
	pre_part *pre[PHASES_PATHS]; /* [path][prompt], 1..maxc */
	/* per decode engine: cum_ps[k] = sum of the steps attending j keys, j
	 * from the first step the prefix covers (analytic 1, DES 2) to k */
	int64_t *cum_ps[2];
	double *cum_j[2];
	int n_cum[2];                /* entries filled: cum[0 .. n_cum - 1] */
	double *att_dec;             /* analytic: att_dec[L] = sum_{k<=L} decode attention of a query */
	int n_att;
	int64_t back_ps;
	double back_j, swap_ddr_j;
};

static int64_t ps_of(double s)
{
	return (int64_t)llround(s * 1e12);
}

bool phases_has(const phases *t, phases_path path)
{
	return path == PHASES_SWAP || (t->dpr && (path == PHASES_PREFILL || path == PHASES_DECODE));
}

int phases_max_context(const phases *t)
{
	return t->maxc;
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
	perf_prepare(&t->p, c, w, &t->d);
	for (int k = 0; k < PHASES_PATHS; k++)
		if (!(t->pre[k] = calloc((size_t)t->maxc + 1, sizeof *t->pre[k])))
			goto oom;
	for (int e = 0; e < 2; e++)
		if (!(t->cum_ps[e] = calloc((size_t)t->maxc + 1, sizeof *t->cum_ps[e])) ||
		    !(t->cum_j[e] = calloc((size_t)t->maxc + 1, sizeof *t->cum_j[e])))
			goto oom;
	if (!(t->att_dec = calloc((size_t)t->maxc + 1, sizeof *t->att_dec)))
		goto oom;
	t->n_att = 1;
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
	for (int k = 0; k < PHASES_PATHS; k++)
		free(t->pre[k]);
	for (int e = 0; e < 2; e++) {
		free(t->cum_ps[e]);
		free(t->cum_j[e]);
	}
	free(t->att_dec);
	free(t);
}

int64_t phases_back_swap_ps(const phases *t)
{
	return t->back_ps;
}

double phases_back_swap_j(const phases *t)
{
	return t->back_j;
}

/* The decode engine of a path: a static design's steps are its decode engine's. */
static int engine_of(phases_path path)
{
	return path == PHASES_PREFILL ? ENG_PRE : ENG_DEC;
}

/* ------------------------------------------------------------ analytic */

/* Extend the prefix sums of engine e to k keys (k <= maxc). */
static void ana_cum(phases *t, int e, int k)
{
	perf_engine pe = e == ENG_PRE ? PERF_ENGINE_PREFILL : PERF_ENGINE_DECODE;
	if (t->n_cum[e] == 0)
		t->n_cum[e] = 1; /* cum[0] = 0 */
	for (int j = t->n_cum[e]; j <= k; j++) {
		t->cum_ps[e][j] = t->cum_ps[e][j - 1] + ps_of(perf_decode_step_on_s(&t->p, pe, j));
		t->cum_j[e][j] = t->cum_j[e][j - 1] + perf_decode_energy_on_j(&t->p, pe, j);
	}
	if (k + 1 > t->n_cum[e])
		t->n_cum[e] = k + 1;
}

static void ana_pre(phases *t, phases_path path, int L, pre_part *q)
{
	const perf_ctx *p = &t->p;
	if (path == PHASES_DECODE) {
		/* the decode RM, one query after the other (perf_prefill_layer_on) */
		for (int k = t->n_att; k <= L; k++)
			t->att_dec[k] = t->att_dec[k - 1] + perf_decode_layer(p, k).att_s;
		if (L + 1 > t->n_att)
			t->n_att = L + 1;
		perf_layer l = perf_prefill_layer_dec_sum(p, L, t->att_dec[L]);
		double pre = t->w->layers * l.lin_s + t->w->layers * l.att_s;
		q->ttft_ps = ps_of(pre + t->c->cal.lm_head_s.value);
		q->e_pre_j = perf_power_w(p, true, t->w->layers * l.bytes / pre) * pre;
		return;
	}
	figures f;
	perf_run_eval(p, L, 0, &f);
	q->ttft_ps = ps_of(f.ttft_s);
	q->e_pre_j = f.energy_prefill_j;
	if (path == PHASES_SWAP && t->dpr) {
		q->swap_ps = ps_of(f.swap_s);
		q->exposed_ps = ps_of(f.swap_exposed_s);
		q->refill_ps = ps_of(f.kv_refill_s);
		q->refill_j = t->c->cal.e_ddr_nj_per_kb.value * 1e-9 / 1024.0 * f.kv_refill_bytes;
	}
}

/* ----------------------------------------------------------------- DES */

static des_hold hold_of(const phases *t, phases_path path)
{
	if (!t->dpr || path == PHASES_SWAP)
		return DES_HOLD_PHASE;
	return path == PHASES_PREFILL ? DES_HOLD_PREFILL : DES_HOLD_DECODE;
}

static int des_pre(phases *t, phases_path path, int L, pre_part *q, char *err, size_t errlen)
{
	des_opts o = {.hold = hold_of(t, path)};
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

/*
 * Extend engine e's prefix sums to k keys with one run of a 1-token prompt
 * and steps up to max(k, twice what is there), plus one: the last step of a
 * run has no next step to prefetch for, so it is not used; a step's time
 * then does not depend on how long the run was.
 */
static int des_cum(phases *t, int e, int k, char *err, size_t errlen)
{
	if (k < t->n_cum[e])
		return 0;
	int want = 2 * t->n_cum[e] > k ? 2 * t->n_cum[e] : k;
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
	des_opts o = {.hold = e == ENG_PRE ? DES_HOLD_PREFILL : DES_HOLD_PHASE, .step_ps = step};
	des_result r;
	if (des_run(t->c, t->w, &t->d, 1, gen, &o, &r, err, errlen)) {
		free(step);
		return PDS_FAIL;
	}
	perf_engine pe = e == ENG_PRE ? PERF_ENGINE_PREFILL : PERF_ENGINE_DECODE;
	t->cum_ps[e][0] = t->cum_ps[e][1] = 0; /* the prefix starts at 2 keys */
	t->cum_j[e][0] = t->cum_j[e][1] = 0;
	for (int j = 2; j <= want; j++) {
		int64_t s = step[j - 2];
		double sec = s * 1e-12;
		perf_layer l = perf_decode_layer_on(&t->p, pe, j);
		double pw = perf_power_w(&t->p, e == ENG_DEC, t->w->layers * l.bytes / sec);
		t->cum_ps[e][j] = t->cum_ps[e][j - 1] + s;
		t->cum_j[e][j] = t->cum_j[e][j - 1] + pw * sec;
	}
	t->n_cum[e] = want + 1;
	free(step);
	return 0;
}

/* -------------------------------------------------------------- a request */

int phases_cost_of(phases *t, phases_path path, int L, int N, phases_cost *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (L < 1 || N < 1 || (long)L + N > t->maxc) {
		snprintf(err, errlen, "a request of %d + %d tokens does not fit the model's context of %d", L, N, t->maxc);
		return PDS_FAIL;
	}
	if (!phases_has(t, path)) {
		snprintf(err, errlen, "a static design has no choice of module (path %d)", (int)path);
		return PDS_FAIL;
	}
	pre_part *q = &t->pre[path][L];
	if (!q->have) {
		if (t->m == PHASES_ANALYTIC)
			ana_pre(t, path, L, q);
		else if (des_pre(t, path, L, q, err, errlen))
			return PDS_FAIL;
		q->have = true;
	}
	int e = engine_of(path);
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
	if (t->m == PHASES_ANALYTIC) {
		ana_cum(t, e, last);
		out->decode_ps = t->cum_ps[e][last] - t->cum_ps[e][L];
		out->energy_j += t->cum_j[e][last] - t->cum_j[e][L];
		return 0;
	}
	if (des_cum(t, e, last, err, errlen))
		return PDS_FAIL;
	out->decode_ps = q->first_ps + t->cum_ps[e][last] - t->cum_ps[e][L + 1];
	out->energy_j += q->e_first_j + t->cum_j[e][last] - t->cum_j[e][L + 1];
	return 0;
}
