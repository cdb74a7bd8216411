/*
 * follow.c - see follow.h.  Everything here is the analytic model (perf)
 * and the discrete-event model (des) run once more for a handful of
 * designs; the report reads the rows back.
 */
#include "explore/follow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/calib.h"
#include "models/interval.h"
#include "models/kvcache.h"
#include "models/perf.h"
#include "models/rms.h"
#include "sim/des.h"
#include "sim/trace.h"
#include "explore/sessions.h"
#include "store/rdb.h"

int follow_lengths(int lo, int hi, int *out)
{
	int k = 0;
	for (int i = 0; i < FOLLOW_SAMPLES; i++) {
		int L = (int)lround(lo * pow((double)hi / lo, (double)i / (FOLLOW_SAMPLES - 1)));
		if (k == 0 || L > out[k - 1])
			out[k++] = L;
	}
	return k;
}

int follow_low(const cfg_t *c, const char *metric)
{
	bool ttft = strcmp(metric, "ttft_s") == 0;
	const int *wl = ttft ? c->wl.prompts : c->wl.contexts;
	int n_wl = ttft ? c->wl.n_prompts : c->wl.n_contexts;
	const cfg_point *meas = ttft ? c->meas.ttft : c->meas.decode;
	int n_meas = c->has_meas ? (ttft ? c->meas.n_ttft : c->meas.n_decode) : 0;
	int lo = c->model.max_context, hi = c->model.max_context;
	for (int i = 0; i < n_wl; i++)
		lo = wl[i] < lo ? wl[i] : lo;
	for (int i = 0; i < n_meas; i++)
		lo = meas[i].prompt < lo ? meas[i].prompt : lo;
	if (lo >= hi)
		lo = hi / 32 > 0 ? hi / 32 : 1;
	return lo;
}

const char *const follow_curve_metric[FOLLOW_CURVES] = {"ttft_s", "decode_tok_s", "energy_j_per_token"};

static int curves(store *s, const cfg_t *c, const rms_ctx *p, int64_t run, int64_t id)
{
	for (int m = 0; m < FOLLOW_CURVES; m++) {
		const char *metric = follow_curve_metric[m];
		int L[FOLLOW_SAMPLES];
		int n = follow_lengths(follow_low(c, metric), c->model.max_context, L);
		for (int i = 0; i < n; i++) {
			double v = m == 0   ? rms_ttft_s(p, L[i])
				   : m == 1 ? 1.0 / rms_decode_step_s(p, L[i])
					    : rms_decode_energy_j(p, L[i]);
			if (store_put_curve(s, run, id, metric, L[i], v))
				return -1;
		}
	}
	return 0;
}

static int regions(store *s, const rms_ctx *p, int64_t run, int64_t id)
{
	perf_res r;
	rms_resources(p, &r);
	if (store_put_region(s, run, id, "static", &r.r_static) ||
	    store_put_region(s, run, id, "prefill_rm", &r.r_pre) ||
	    store_put_region(s, run, id, "decode_rm", &r.r_dec) || store_put_region(s, run, id, "total", &r.r_total) ||
	    store_put_region(s, run, id, "equivalent", &r.r_equiv))
		return -1;
	if (kvcache_tier_keys(&p->d) > 0 && store_put_region(s, run, id, "kv_tier", &p->base.r_tier))
		return -1;
	return p->d.mode == MODE_DPR ? store_put_region(s, run, id, "pblock", &r.rp_cap) : 0;
}

/* ------------------------------------------------------------ K/V options */

/* Design d with a tier of `keys` keys per layer in `region` (its sinks kept, the rest window). */
static design_t with_tier(const design_t *d, kv_tier_t region, int64_t keys)
{
	design_t e = *d;
	e.kv_tier = keys > 0 ? region : KV_TIER_NONE;
	e.kv_sinks = keys > 0 ? (int)(d->kv_sinks < keys ? d->kv_sinks : keys) : 0;
	e.kv_window = keys > 0 ? (int)(keys - e.kv_sinks) : 0;
	return e;
}

static bool tier_fits(const cfg_t *c, const workload_t *w, const design_t *d, char *why, size_t whylen)
{
	perf_ctx p;
	perf_prepare(&p, c, w, d);
	return perf_kv_tier_fits(&p, why, whylen);
}

/* The largest tier (keys per layer) region holds beside d's engines: the
 * blocks grow with the keys, so the keys that fit are a prefix; 0 when not
 * even one does (why says what the first key breaks). */
static int64_t largest_tier(const cfg_t *c, const workload_t *w, const design_t *d, kv_tier_t region, char *why,
			    size_t whylen)
{
	design_t one = with_tier(d, region, 1);
	if (!tier_fits(c, w, &one, why, whylen))
		return 0;
	int64_t lo = 1, hi = c->model.max_context;
	design_t top = with_tier(d, region, hi);
	if (tier_fits(c, w, &top, NULL, 0))
		return hi;
	while (hi - lo > 1) { /* lo fits, hi does not */
		int64_t mid = lo + (hi - lo) / 2;
		design_t e = with_tier(d, region, mid);
		if (tier_fits(c, w, &e, NULL, 0))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* One option's curve: its decode rate at the decode curve's lengths. */
static int kv_option(store *s, const cfg_t *c, const workload_t *w, int64_t run, int64_t id, const design_t *e,
		     bool fits, const char *why)
{
	perf_ctx p;
	perf_prepare(&p, c, w, e);
	char reason[256] = "";
	bool feas = fits && perf_feasible(&p, reason, sizeof reason);
	if (!fits)
		snprintf(reason, sizeof reason, "%s", why);
	int L[FOLLOW_SAMPLES];
	int n = follow_lengths(follow_low(c, "decode_tok_s"), c->model.max_context, L);
	for (int i = 0; i < n; i++) {
		store_kv_curve k = {run, id, *e, feas, reason, kvcache_tier_blocks(c, e), c->kv.tier_memory, L[i],
				    1.0 / perf_decode_step_s(&p, L[i])};
		if (store_put_kv_curve(s, &k))
			return -1;
	}
	return 0;
}

/*
 * The K/V options of a followed design: each precision the config can
 * build (fp16 always; int8 and int4 with a kv_cache section) without a
 * tier, and with the largest tier the static region and (dpr) the decode
 * RM hold beside the design's engines (its sinks kept, the rest window); a
 * region that holds not even one key is stored as one key that does not
 * fit, with the constraint it breaks.  The design's own option is among
 * them when it has a tier of another size.
 */
static int kv_options(store *s, const cfg_t *c, const workload_t *w, const design_t *d, int64_t run, int64_t id)
{
	int np = c->kv.present ? KV_N : 1;
	for (int q = 0; q < np; q++) {
		design_t b = *d;
		b.kv_prec = (kv_prec_t)q;
		design_t none = with_tier(&b, KV_TIER_NONE, 0);
		if (kv_option(s, c, w, run, id, &none, true, ""))
			return -1;
		if (!c->kv.present)
			continue;
		int64_t own = q == (int)d->kv_prec ? kvcache_tier_keys(d) : 0;
		for (int r = KV_TIER_STATIC; r <= KV_TIER_RP; r++) {
			if (r == KV_TIER_RP && d->mode != MODE_DPR)
				continue;
			char why[256] = "";
			int64_t t = largest_tier(c, w, &b, (kv_tier_t)r, why, sizeof why);
			design_t e = with_tier(&b, (kv_tier_t)r, t > 0 ? t : 1);
			if (kv_option(s, c, w, run, id, &e, t > 0, why))
				return -1;
			if (own > 0 && r == (int)d->kv_tier && own != (t > 0 ? t : 1) && kv_option(s, c, w, run, id, d, true, ""))
				return -1;
		}
	}
	return 0;
}

/* One inference of a followed dpr point through both models: the DES's
 * swap figures (and, with_trace, its trace), the analytic model's. */
static int swap(store *s, const cfg_t *c, const workload_t *w, const rms_ctx *p, int64_t run, int64_t id,
		const char *name, bool with_trace, char *err, size_t errlen)
{
	trace_log log = {0};
	des_opts o = {.trace_log = with_trace ? &log : NULL, .name = name};
	des_result r;
	if (des_run_plan(c, w, &p->d, NULL, c->obj.prompt, FOLLOW_SWAP_GEN, &o, &r, err, errlen)) {
		trace_log_free(&log);
		return -1;
	}
	figures a;
	rms_plan pl;
	rms_plan_always(p, c->obj.prompt, FOLLOW_SWAP_GEN, &pl);
	rms_run_eval(p, &pl, c->obj.prompt, FOLLOW_SWAP_GEN, &a);
	int rc = (with_trace && store_put_trace(s, run, id, &log)) ||
		 store_put_swap(s, run, id, "des", &r.f, r.swap_hidden_s) ||
		 store_put_swap(s, run, id, "analytic", &a, a.swap_s - a.swap_exposed_s);
	trace_log_free(&log);
	if (rc)
		snprintf(err, errlen, "%s", store_errmsg(s));
	return rc ? -1 : 0;
}

/* ---------------------------------------------------------- intervals */

/* The figures a followed design's interval covers, at the lengths the metrics table holds. */
enum { IV_MAX = 2 * (CFG_MAX_LIST + 1) + 3 * (CFG_MAX_LIST + 2) + 1 + RES_N };

typedef struct {
	int n;
	const char *figure[IV_MAX];
	int length[IV_MAX];
	bool dpr;
} iv_layout;

static void iv_add(iv_layout *L, const char *figure, int length)
{
	if (L->n >= IV_MAX)
		BUG("more than %d interval figures", IV_MAX);
	L->figure[L->n] = figure;
	L->length[L->n++] = length;
}

static bool listed(const int *v, int n, int x)
{
	for (int i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void iv_layout_of(const cfg_t *c, bool dpr, iv_layout *L)
{
	int tp[CFG_MAX_LIST + 1], nt = 0, cx[CFG_MAX_LIST + 2], nc = 0;
	for (int i = 0; i < c->wl.n_prompts; i++)
		tp[nt++] = c->wl.prompts[i];
	if (!listed(tp, nt, c->obj.prompt))
		tp[nt++] = c->obj.prompt;
	for (int i = 0; i < c->wl.n_contexts; i++)
		cx[nc++] = c->wl.contexts[i];
	if (!listed(cx, nc, c->obj.l_short))
		cx[nc++] = c->obj.l_short;
	if (!listed(cx, nc, c->obj.l_long))
		cx[nc++] = c->obj.l_long;
	L->n = 0;
	L->dpr = dpr;
	for (int i = 0; i < nt; i++) {
		iv_add(L, "ttft_s", tp[i]);
		if (dpr)
			iv_add(L, "swap_exposed_s", tp[i]);
	}
	for (int j = 0; j < nc; j++) {
		iv_add(L, "decode_step_s", cx[j]);
		iv_add(L, "decode_tok_s", cx[j]);
		iv_add(L, "energy_j_per_token", cx[j]);
	}
	iv_add(L, "objective", 0);
	for (int t = 0; t < RES_N; t++)
		iv_add(L, res_names[t], 0);
}

/* Every figure of the layout, analytic (interval_eval_fn). */
static int iv_eval(const cfg_t *c, const design_t *d, void *ctx, double *out, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	const iv_layout *L = ctx;
	workload_t w;
	workload_init(&w, &c->model);
	rms_ctx p;
	rms_prepare(&p, c, &w, d);
	perf_res r;
	rms_resources(&p, &r);
	for (int k = 0; k < L->n; k++) {
		const char *f = L->figure[k];
		int len = L->length[k];
		if (strcmp(f, "ttft_s") == 0) {
			out[k] = rms_ttft_s(&p, len);
		} else if (strcmp(f, "swap_exposed_s") == 0) {
			figures g;
			rms_plan pl;
			rms_plan_always(&p, len, 0, &pl);
			rms_run_eval(&p, &pl, len, 0, &g);
			out[k] = g.swap_exposed_s;
		} else if (strcmp(f, "decode_step_s") == 0) {
			out[k] = rms_decode_step_s(&p, len);
		} else if (strcmp(f, "decode_tok_s") == 0) {
			out[k] = 1.0 / rms_decode_step_s(&p, len);
		} else if (strcmp(f, "energy_j_per_token") == 0) {
			out[k] = rms_decode_energy_j(&p, len);
		} else if (strcmp(f, "objective") == 0) {
			out[k] = rms_objective(&p);
		} else {
			int t = 0;
			while (t < RES_N && strcmp(f, res_names[t]) != 0)
				t++;
			if (t == RES_N)
				BUG("interval figure '%s'", f);
			out[k] = r.r_total.v[t];
		}
	}
	return 0;
}

/* The interval of every figure of one followed design (analytic), stored. */
static int intervals(store *s, const cfg_t *c, const design_t *d, const char *name, int64_t run, int64_t id,
		     char *err, size_t errlen)
{
	iv_layout *L = malloc(sizeof *L);
	interval_t *iv = malloc(IV_MAX * sizeof *iv);
	int rc = -1;
	if (!L || !iv) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	iv_layout_of(c, d->mode == MODE_DPR, L);
	interval_info info;
	if (interval_run(c, cfg_find_design(c, name), d, L->n, iv_eval, L, iv, &info, err, errlen))
		goto out;
	for (int k = 0; k < L->n; k++) {
		store_interval v = {run, id, "analytic", L->figure[k], L->length[k], iv[k], info.level, info.samples};
		if (store_put_interval(s, &v)) {
			snprintf(err, errlen, "%s", store_errmsg(s));
			goto out;
		}
	}
	rc = 0;
out:
	free(L);
	free(iv);
	return rc;
}

int follow_store(store *s, const cfg_t *c, const workload_t *w, int64_t run_id, const int64_t *ids, size_t n,
		 int64_t swap_id, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		design_t d;
		char name[PDS_NAME_MAX + 32];
		if (rdb_design(store_db(s), store_path(s), c, run_id, ids[i], &d, name, sizeof name, err, errlen))
			return -1;
		if (!name[0]) /* a swept point is called by its id, as the report does */
			snprintf(name, sizeof name, "point %lld", (long long)ids[i]);
		rms_ctx p;
		rms_prepare(&p, c, w, &d);
		/* the K/V options of a design whose partition is the paper's pair (a
		 * set of other modules takes the fp16 cache without a tier only) */
		design_t pair = d;
		memset(&pair.rms, 0, sizeof pair.rms);
		if (curves(s, c, &p, run_id, ids[i]) || regions(s, &p, run_id, ids[i]) ||
		    (rms_is_pair(&d) && kv_options(s, c, w, &pair, run_id, ids[i])))
			goto store_failed;
		if (d.mode == MODE_DPR && swap(s, c, w, &p, run_id, ids[i], name, ids[i] == swap_id, err, errlen))
			return -1;
		if (intervals(s, c, &d, name, run_id, ids[i], err, errlen))
			return -1;
	}
	enum { MAX_ROWS = CALIB_MAX_ROWS };
	calib_row *rows = malloc(MAX_ROWS * sizeof *rows);
	if (!rows) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int nr = calib_rows(c, rows, MAX_ROWS);
	for (int i = 0; i < nr; i++)
		if (store_put_validation(s, run_id, i, &rows[i])) {
			free(rows);
			goto store_failed;
		}
	free(rows);
	return 0;
store_failed:
	snprintf(err, errlen, "%s", store_errmsg(s));
	return -1;
}

/* ------------------------------------------------------------- sessions */

int follow_sessions(store *s, const cfg_t *c, const workload_t *w, int64_t run_id, int64_t dpr_id, int64_t static_id,
		    int threads, char *err, size_t errlen)
{
	if (c->n_session_wl == 0 || (dpr_id < 0 && static_id < 0))
		return 0;
	design_t dd, sd;
	char dname[64], sname[64];
	if ((dpr_id >= 0 && rdb_design(store_db(s), store_path(s), c, run_id, dpr_id, &dd, NULL, 0, err, errlen)) ||
	    (static_id >= 0 && rdb_design(store_db(s), store_path(s), c, run_id, static_id, &sd, NULL, 0, err, errlen)))
		return -1;
	snprintf(dname, sizeof dname, "point %lld", (long long)dpr_id);
	snprintf(sname, sizeof sname, "point %lld", (long long)static_id);
	int64_t sid = 0;
	for (int i = 0; i < c->n_session_wl; i++) {
		sessions_spec sp;
		reqgen_trace trace;
		if (sessions_spec_of(c, w, &c->session_wl[i], &sp, &trace, err, errlen))
			return -1;
		sp.capacity = true;
		sp.threads = threads;
		sessions_result r;
		const design_t *main = dpr_id >= 0 ? &dd : &sd;
		int rc = sessions_run(&sp, main, dpr_id >= 0 && static_id >= 0 ? &sd : NULL, sessions_all(main->mode), &r,
				      err, errlen);
		reqgen_trace_free(&trace);
		if (rc)
			return -1;
		for (int k = 0; k < r.n_rows && !rc; k++) {
			bool st = r.rows[k].is_static || main->mode == MODE_STATIC;
			char by[512];
			store_session m = {.run_id = run_id, .session_id = sid++, .design = st ? sname : dname,
					   .point_id = st ? static_id : dpr_id, .mode = st ? MODE_STATIC : MODE_DPR,
					   .workload = sp.wl.name, .policy = session_policy_names[r.rows[k].policy],
					   .model = phases_model_names[sp.model], .seed = c->session.seed};
			if (!st && *sessions_swaps_json(&r, &r.rows[k], by, sizeof by))
				m.swaps_by_rm = by;
			rc = store_put_session(s, &m, &r.rows[k].f);
		}
		sessions_result_free(&r);
		if (rc) {
			snprintf(err, errlen, "%s", store_errmsg(s));
			return -1;
		}
	}
	if (dpr_id < 0 || static_id < 0)
		return 0;
	sessions_cell *cells;
	long n = sessions_breakeven(c, w, &dd, &sd, PHASES_ANALYTIC, c->session.start_decode, threads, &cells, err, errlen);
	if (n < 0)
		return -1;
	for (long k = 0; k < n; k++) {
		store_breakeven b = {.run_id = run_id, .design = dname, .point_id = dpr_id, .static_design = sname,
				     .static_point_id = static_id, .model = "analytic",
				     .policy = session_policy_names[cells[k].policy], .prompt = cells[k].prompt,
				     .output = cells[k].output, .e2e_s = cells[k].e2e_s, .energy_j = cells[k].energy_j,
				     .static_e2e_s = cells[k].static_e2e_s, .static_energy_j = cells[k].static_energy_j,
				     .prefill_rm = cells[k].prefill_rm, .decode_rms = cells[k].decode_rms};
		if (store_put_breakeven(s, &b)) {
			free(cells);
			snprintf(err, errlen, "%s", store_errmsg(s));
			return -1;
		}
	}
	free(cells);
	return 0;
}
