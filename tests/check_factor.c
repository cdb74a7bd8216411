/*
 * check_factor.c - the factorised evaluation gives perf_*'s figures (the
 * set model's, models/rms.h, for a point whose partition holds a set of
 * modules: perf_*'s for the paper's pair, as check_rms.c tests): on
 * random points, and chunk by chunk (a point is reported feasible exactly
 * when perf_feasible() says so, with the same vector), under the shipped
 * constraints, tight ones that prune most of the space, and loose ones
 * that prune nothing.
 */
#include <math.h>

#include "explore/factor.h"
#include "models/perf.h"
#include "models/rms.h"
#include "explore/space.h"
#include "suites.h"
#include "testutil.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void close_to(double got, double want, const char *what, long long id)
{
	ck_assert_msg(fabs(got - want) <= 1e-12 * fabs(want), "point %lld %s: factorised %.17g, perf %.17g", id,
		      what, got, want);
}

/* The vector of point id recomputed with the models alone (rms_* on perf_*). */
static bool perf_vector(const cfg_t *c, const workload_t *w, const factor_layout *L, const space_t *s, int64_t id,
			double *v, bool *rejected)
{
	design_t d;
	rms_ctx p;
	perf_res r;
	char why[200];
	ck_assert_int_eq(space_design(s, id, &d), 0);
	rms_prepare(&p, c, w, &d);
	rms_resources(&p, &r);
	*rejected = !r.feasible;
	for (int i = 0; i < L->n_tp; i++)
		v[i] = rms_ttft_s(&p, L->tp[i]);
	v[L->o_short] = rms_decode_step_s(&p, c->obj.l_short);
	v[L->o_long] = rms_decode_step_s(&p, c->obj.l_long);
	v[L->o_energy] = c->obj.alpha * rms_decode_energy_j(&p, c->obj.l_long) +
			 (1 - c->obj.alpha) * rms_decode_energy_j(&p, c->obj.l_short);
	v[L->o_lut] = r.r_total.v[RES_LUT];
	return rms_feasible(&p, why, sizeof why);
}

static void check_points(const cfg_t *c, int n)
{
	workload_t w;
	workload_init(&w, &c->model);
	space_t s;
	space_init(&s, c);
	factor *f = factor_new(c, &w, &s);
	ck_assert_ptr_nonnull(f);
	const factor_layout *L = factor_get_layout(f);
	double v[FACTOR_MAX_TP + 4], u[FACTOR_MAX_TP + 4], m[2 * FACTOR_MAX_CTX];
	for (int k = 0; k < n; k++) {
		int64_t id = (int64_t)(rnd() % (uint64_t)s.n_points);
		bool rej;
		bool feas = perf_vector(c, &w, L, &s, id, u, &rej);
		int st = factor_point(f, id, v, m);
		int want = feas ? FACTOR_FEASIBLE : rej ? FACTOR_REJECTED : FACTOR_SLOW;
		ck_assert_int_eq(st, want);
		for (int i = 0; i < L->n_tp; i++)
			close_to(v[i], u[i], "ttft", (long long)id);
		close_to(v[L->o_short], u[L->o_short], "step short", (long long)id);
		close_to(v[L->o_long], u[L->o_long], "step long", (long long)id);
		close_to(v[L->o_energy], u[L->o_energy], "energy", (long long)id);
		close_to(v[L->o_lut], u[L->o_lut], "lut", (long long)id);
		design_t d;
		rms_ctx p;
		space_design(&s, id, &d);
		rms_prepare(&p, c, &w, &d);
		close_to(factor_objective(f, v), rms_objective(&p), "objective", (long long)id);
		/* every decode context, not only the objective's two */
		for (int j = 0; j < L->n_ctx; j++) {
			close_to(m[2 * j], rms_decode_step_s(&p, L->ctx[j]), "step", (long long)id);
			close_to(m[2 * j + 1], rms_decode_energy_j(&p, L->ctx[j]), "energy", (long long)id);
		}
	}
	factor_free(f);
}

/* Every `stride`-th chunk: the feasible points and their vectors, as factor_point gives them. */
static void check_chunks(const cfg_t *c, int stride, int64_t *n_feasible, int64_t *n_pruned)
{
	workload_t w;
	workload_init(&w, &c->model);
	space_t s;
	space_init(&s, c);
	factor *f = factor_new(c, &w, &s);
	factor_scratch *x = factor_scratch_new();
	ck_assert(f && x);
	const factor_layout *L = factor_get_layout(f);
	factor_buf b = {0};
	double v[FACTOR_MAX_TP + 4], m[2 * FACTOR_MAX_CTX];
	const size_t n_m = 2 * (size_t)L->n_ctx;
	*n_feasible = *n_pruned = 0;
	for (int64_t k = 0; k < s.n_chunks; k += stride) {
		factor_counts cnt = {0};
		b.n = 0;
		ck_assert_int_eq(factor_chunk(f, x, k, &b, &cnt, NULL), 0);
		int64_t first, end;
		space_chunk_range(&s, k, &first, &end);
		ck_assert_int_eq(cnt.points, end - first);
		ck_assert_int_eq(cnt.feasible, (int64_t)b.n);
		ck_assert(cnt.pruned + cnt.feasible <= cnt.points);
		size_t j = 0;
		for (int64_t id = first; id < end; id++) {
			int st = factor_point(f, id, v, m);
			bool listed = j < b.n && b.id[j] == id;
			ck_assert_msg(listed == (st == FACTOR_FEASIBLE), "chunk %lld point %lld: listed %d, status %d",
				      (long long)k, (long long)id, listed, st);
			if (listed) {
				ck_assert_msg(memcmp(v, b.v + j * (size_t)L->n_obj, (size_t)L->n_obj * sizeof *v) == 0,
					      "point %lld: chunk and point vectors differ", (long long)id);
				ck_assert_msg(memcmp(m, b.m + j * n_m, n_m * sizeof *m) == 0,
					      "point %lld: chunk and point decode figures differ", (long long)id);
				j++;
			}
		}
		ck_assert_uint_eq(j, b.n);
		*n_feasible += cnt.feasible;
		*n_pruned += cnt.pruned;
	}
	factor_buf_release(&b);
	factor_scratch_free(x);
	factor_free(f);
}

START_TEST(matches_perf_on_random_points)
{
	cfg_t c;
	tu_load_default(&c);
	check_points(&c, 3000);
	cfg_release(&c);
}
END_TEST

START_TEST(chunks_match_points_shipped_constraints)
{
	cfg_t c;
	tu_load_default(&c);
	int64_t feas, pruned;
	check_chunks(&c, 2, &feas, &pruned);
	ck_assert(feas > 0 && pruned > 0);
	cfg_release(&c);
}
END_TEST

START_TEST(chunks_match_points_tight_constraints)
{
	static const char *const ed[] = {
		"utilisation_cap: {lut: 0.90, ff: 0.90,", "utilisation_cap: {lut: 0.88, ff: 0.85,",
		"rp_routability_margin: 0.85", "rp_routability_margin: 0.80",
		"t_pre_max_s: 12.0", "t_pre_max_s: 9.0",
	};
	cfg_t c;
	tu_load_edited(&c, "tight.yaml", ed, 3);
	check_points(&c, 1000);
	int64_t feas, pruned;
	check_chunks(&c, 1, &feas, &pruned);
	ck_assert(feas > 0 && pruned > 0);
	cfg_release(&c);
}
END_TEST

START_TEST(chunks_match_points_loose_constraints)
{
	/* engines a hundred times cheaper and no TTFT budget: nothing is pruned.
	 * The per-unit costs are whatever the config holds (calibration may
	 * rewrite them), divided by 100 and set through their paths. */
	cfg_t d;
	tu_load_default(&d);
	static const char *const coefs[] = {"calibration.tlmm_per_unit", "calibration.pre_per_mac",
					    "calibration.dec_per_mac", "measurements.table2.prefill_rm",
					    "measurements.table2.decode_rm"};
	/* the measured RM rows scale with the costs, so that the sizes inferred from them stay */
	const res_t *held[] = {&d.cal.tlmm_per_unit.r, &d.cal.pre_per_mac.r, &d.cal.dec_per_mac.r, &d.meas.t2_pre,
			       &d.meas.t2_dec};
	enum { NC = sizeof coefs / sizeof coefs[0] };
	char paths[NC * RES_N][64], vals[NC * RES_N][32];
	const char *ed[2 * (2 + NC * RES_N)] = {
		"constraints.rp_routability_margin", "1.0",
		"constraints.t_pre_max_s", "1e6",
	};
	int n = 2;
	for (int k = 0; k < NC; k++)
		for (int t = 0; t < RES_N; t++, n++) {
			int i = k * RES_N + t;
			snprintf(paths[i], sizeof paths[i], "%s.%s", coefs[k], res_names[t]);
			snprintf(vals[i], sizeof vals[i], "%.9g", held[k]->v[t] / 100);
			ed[2 * n] = paths[i];
			ed[2 * n + 1] = vals[i];
		}
	cfg_t c;
	tu_load_set(&c, "loose.yaml", ed, n);
	for (int t = 0; t < RES_N; t++)
		ck_assert_double_eq_tol(c.cal.pre_per_mac.r.v[t], d.cal.pre_per_mac.r.v[t] / 100,
					1e-8 * d.cal.pre_per_mac.r.v[t]);
	cfg_release(&d);
	int64_t feas, pruned;
	check_chunks(&c, 3, &feas, &pruned);
	ck_assert_int_eq(pruned, 0);
	ck_assert(feas > 0);
	cfg_release(&c);
}
END_TEST

/* The K/V cache knobs swept on a small space: every precision, windows and
 * sinks, every tier region (static points get none and static, dpr points
 * rp too), including keys with no region (no_fit) and empty tiers. */
static const char *const kv_space[] = {
	"clock_mhz: [200, 250]", "clock_mhz: [250]",
	"tlmm_tables: [16, 20, 24, 28, 32]", "tlmm_tables: [24, 28]",
	"tlmm_lanes: [4, 6, 8, 10, 12]", "tlmm_lanes: [8]",
	"prefill_pe: [4, 8, 16, 24, 32]", "prefill_pe: [8, 16]",
	"prefill_lanes: [2, 4, 8]", "prefill_lanes: [4]",
	"prefill_block: [1, 4, 16]", "prefill_block: [4]",
	"decode_lanes: [8, 16, 32, 48]", "decode_lanes: [16, 32]",
	"outstanding: [4, 16]", "outstanding: [4, 16]",
	"pblocks: [rp_s, rp_m, rp_l]", "pblocks: [rp_m, rp_l]",
	"kv_precision: [fp16]", "kv_precision: [fp16, int8, int4]",
	"kv_window: [0]", "kv_window: [0, 1, 4]",
	"kv_sinks: [0]", "kv_sinks: [0, 2]",
	"kv_tier_region: [none]", "kv_tier_region: [none, static, rp]",
	/* sets of modules go only with the fp16 cache without a tier */
	"  rm_sets: [[prefill, decode], [hybrid], [prefill, decode, short]]\n", "",
	"  rm_modules:\n    short: {prefill: {pe: 4, lanes: 4, block: 4, port_map: qkvo}, decode: {lanes: [8, 16], port_map: qkvo}}\n", "",
};

START_TEST(chunks_match_points_kv_knobs)
{
	cfg_t c;
	tu_load_edited(&c, "kv.yaml", kv_space, (int)(sizeof kv_space / sizeof kv_space[0]) / 2);
	space_t s;
	space_init(&s, &c);
	/* static points have no rp region */
	ck_assert_int_eq(s.m[0].radix[SK_KV_TIER], 3);
	ck_assert_int_eq(s.m[1].radix[SK_KV_TIER], 2);
	check_points(&c, 1500);
	int64_t feas, pruned;
	check_chunks(&c, 1, &feas, &pruned);
	ck_assert(feas > 0 && pruned > 0);
	/* some point of each precision and of each region is feasible */
	workload_t w;
	workload_init(&w, &c.model);
	factor *f = factor_new(&c, &w, &s);
	bool prec[KV_N] = {0}, tier[KV_TIER_N] = {0};
	double v[FACTOR_MAX_TP + 4];
	for (int64_t id = 0; id < s.n_points; id++)
		if (factor_point(f, id, v, NULL) == FACTOR_FEASIBLE) {
			design_t d;
			space_design(&s, id, &d);
			prec[d.kv_prec] = tier[d.kv_tier] = true;
		}
	factor_free(f);
	for (int k = 0; k < KV_N; k++)
		ck_assert_msg(prec[k], "no feasible point caches K/V as %s", kv_prec_names[k]);
	for (int k = 0; k < KV_TIER_N; k++)
		ck_assert_msg(tier[k], "no feasible point keeps its tier in %s", kv_tier_names[k]);
	cfg_release(&c);
}
END_TEST

START_TEST(cap_edges)
{
	/* put the LUT cap exactly at one point's use: feasible there, not a hair below */
	cfg_t c;
	tu_load_default(&c);
	workload_t w;
	workload_init(&w, &c.model);
	space_t s;
	space_init(&s, &c);
	factor *f = factor_new(&c, &w, &s);
	double v[FACTOR_MAX_TP + 4];
	int64_t id = -1;
	/* a static point: the LUT total is its only LUT rule (a dpr point has the pblock's too) */
	for (int64_t i = 0; i < s.n_points && id < 0; i += 97)
		if (space_mode_of(&s, i)->mode == MODE_STATIC && factor_point(f, i, v, NULL) == FACTOR_FEASIBLE)
			id = i;
	ck_assert_int_ge(id, 0);
	double lut = v[factor_get_layout(f)->o_lut];
	factor_free(f);
	c.cons.util_cap.v[RES_LUT] = lut / c.dev.resources.v[RES_LUT];
	for (int pass = 0; pass < 2; pass++) {
		f = factor_new(&c, &w, &s);
		int st = factor_point(f, id, v, NULL);
		design_t d;
		rms_ctx p;
		char why[200];
		space_design(&s, id, &d);
		rms_prepare(&p, &c, &w, &d);
		bool feas = rms_feasible(&p, why, sizeof why);
		ck_assert_int_eq(st == FACTOR_FEASIBLE ? 1 : 0, feas ? 1 : 0);
		/* and the chunk agrees */
		factor_scratch *x = factor_scratch_new();
		factor_buf b = {0};
		factor_counts cnt = {0};
		int64_t k = 0, first, end;
		while (space_chunk_range(&s, k, &first, &end) == 0 && end <= id)
			k++;
		ck_assert_int_eq(factor_chunk(f, x, k, &b, &cnt, NULL), 0);
		bool listed = false;
		for (size_t i = 0; i < b.n; i++)
			listed |= b.id[i] == id;
		ck_assert_int_eq(listed, feas);
		ck_assert_int_eq(feas, pass == 0);
		factor_buf_release(&b);
		factor_scratch_free(x);
		factor_free(f);
		c.cons.util_cap.v[RES_LUT] = nextafter(c.cons.util_cap.v[RES_LUT], 0) * (1 - 1e-12);
	}
	cfg_release(&c);
}
END_TEST

Suite *factor_suite(void)
{
	Suite *s = suite_create("factor");
	TCase *t = tcase_create("equals_perf");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, matches_perf_on_random_points);
	tcase_add_test(t, chunks_match_points_shipped_constraints);
	tcase_add_test(t, chunks_match_points_tight_constraints);
	tcase_add_test(t, chunks_match_points_loose_constraints);
	tcase_add_test(t, cap_edges);
	tcase_add_test(t, chunks_match_points_kv_knobs);
	suite_add_tcase(s, t);
	return s;
}
