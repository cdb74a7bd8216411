/*
 * check_limits.c - what imported reports forbid (models/limits.h): which
 * reports set a limit and on which engine (worked out here from the
 * model's RM resources), the rule a limit applies, the refusal of
 * perf_resources that names it, and the factorised sweep that refuses the
 * same points (every point of the space against perf).
 */
#include <math.h>
#include <string.h>

#include "explore/factor.h"
#include "explore/space.h"
#include "models/engine.h"
#include "models/limits.h"
#include "models/perf.h"
#include "models/rms.h"
#include "models/workload.h"
#include "suites.h"
#include "testutil.h"

static cfg_import blank(int64_t id, cfg_meas_scope sc)
{
	cfg_import m;
	memset(&m, 0, sizeof m);
	m.id = id;
	m.scope = sc;
	for (int t = 0; t < RES_N; t++)
		m.res.v[t] = m.avail.v[t] = NAN;
	m.latency_worst = m.target_clock_ns = m.est_clock_ns = m.bram18 = NAN;
	return m;
}

/* A csynth report of a prefill engine pe x lanes at clk MHz, estimated est ns. */
static cfg_import timing(int64_t id, cfg_meas_scope sc, int pe, int lanes, int clk, double est)
{
	cfg_import m = blank(id, sc);
	m.csynth = true;
	m.d.clock_mhz = clk;
	m.d.pre_pe = pe;
	m.d.pre_lanes = lanes;
	m.d.dec_lanes = lanes;
	m.d.tlmm_tables = pe;
	m.d.tlmm_lanes = lanes;
	m.est_clock_ns = est;
	m.target_clock_ns = 1000.0 / clk;
	return m;
}

START_TEST(which_reports_limit)
{
	cfg_t c;
	tu_load_default(&c);
	c.imports[c.n_imports++] = timing(1, MEAS_PREFILL, 16, 4, 250, 4.417); /* missed */
	c.imports[c.n_imports++] = timing(2, MEAS_PREFILL, 12, 4, 250, 3.9);   /* met */
	c.imports[c.n_imports++] = timing(3, MEAS_TLMM, 28, 8, 250, 4.5);      /* the static region's */
	c.imports[c.n_imports++] = timing(4, MEAS_DECODE, 1, 32, 200, 5.2);    /* missed at 200 MHz */
	/* the partition of pdswap, over in DSP only (the prefill RM is the larger there) */
	const design_t *pd = &c.designs[cfg_find_design(&c, "pdswap")].d;
	cfg_import p = blank(5, MEAS_PBLOCK);
	p.d = *pd;
	res_t cap = engine_pblock_capacity(&c, &c.arch.pblocks[pd->rp]);
	for (int t = 0; t < RES_N; t++) {
		p.avail.v[t] = cap.v[t];
		p.res.v[t] = 0.5 * cap.v[t];
	}
	p.res.v[RES_DSP] = cap.v[RES_DSP] + 1;
	c.imports[c.n_imports++] = p;
	/* over in URAM, where the model's decode RM... and the prefill: the larger by the model takes it */
	cfg_import q = p;
	q.id = 6;
	for (int t = 0; t < RES_N; t++)
		q.res.v[t] = 0.5 * cap.v[t];
	q.res.v[RES_LUT] = 0.86 * cap.v[RES_LUT]; /* beyond the 85% margin, within the area */
	c.imports[c.n_imports++] = q;
	cfg_import ok = p;
	ok.id = 7;
	for (int t = 0; t < RES_N; t++)
		ok.res.v[t] = perf_rp_usable(&c, t, cap.v[t]); /* exactly at the limits: fits */
	c.imports[c.n_imports++] = ok;
	ck_assert_int_eq(limits_from_imports(&c), 4);
	ck_assert(c.limits[0].id == 1 && c.limits[0].timing && c.limits[0].engine == MEAS_PREFILL);
	ck_assert_int_eq(c.limits[0].units, 64);
	ck_assert_int_eq(c.limits[0].clock_mhz, 250);
	ck_assert(c.limits[1].id == 4 && c.limits[1].engine == MEAS_DECODE && c.limits[1].units == 32);
	res_t rp = engine_res_pre(&c, pd), rd = engine_res_dec(&c, pd);
	ck_assert(c.limits[2].id == 5 && !c.limits[2].timing && c.limits[2].rp == pd->rp);
	ck_assert_int_eq(c.limits[2].engine, rp.v[RES_DSP] >= rd.v[RES_DSP] ? MEAS_PREFILL : MEAS_DECODE);
	ck_assert_int_eq(c.limits[2].units, rp.v[RES_DSP] >= rd.v[RES_DSP] ? engine_pre_units(pd) : engine_dec_units(pd));
	ck_assert_int_eq(c.limits[3].engine, rp.v[RES_LUT] >= rd.v[RES_LUT] ? MEAS_PREFILL : MEAS_DECODE);
	ck_assert_msg(strstr(c.limits[2].why, "measurement 5") && strstr(c.limits[2].why, "DSP"), "%s", c.limits[2].why);

	/* the rule: at least the units, at the clock or faster; in the pblock */
	ck_assert_int_eq(limits_hit(&c, MODE_STATIC, 250, -1, 64, 1), 0);
	ck_assert_int_eq(limits_hit(&c, MODE_STATIC, 300, -1, 96, 1), 0);
	ck_assert_int_eq(limits_hit(&c, MODE_STATIC, 200, -1, 64, 1), -1);
	ck_assert_int_eq(limits_hit(&c, MODE_STATIC, 250, -1, 63, 31), -1);
	ck_assert_int_eq(limits_hit(&c, MODE_STATIC, 200, -1, 1, 32), 1);
	int64_t u = c.limits[2].units;
	ck_assert_int_eq(limits_hit(&c, MODE_DPR, 200, pd->rp, c.limits[2].engine == MEAS_PREFILL ? u : 1,
				    c.limits[2].engine == MEAS_DECODE ? u : 1),
			 2);
	ck_assert_int_eq(limits_hit(&c, MODE_STATIC, 200, pd->rp, u, u > 31 ? 1 : u), -1); /* static: no pblock */
	ck_assert_int_eq(limits_hit(&c, MODE_DPR, 200, (pd->rp + 1) % c.arch.n_pblocks, u, 1), -1);
	cfg_release(&c);
}
END_TEST

/* A refused design says which measurement refused it; the rest are not touched. */
START_TEST(perf_refuses_with_the_reason)
{
	cfg_t c;
	tu_load_default(&c);
	c.imports[c.n_imports++] = timing(9, MEAS_PREFILL, 12, 4, 250, 4.2);
	limits_from_imports(&c);
	workload_t w;
	workload_init(&w, &c.model);
	design_t d = c.designs[cfg_find_design(&c, "pdswap")].d; /* 12 x 4 at 250 */
	perf_ctx p;
	perf_res r;
	perf_prepare(&p, &c, &w, &d);
	perf_resources(&p, &r);
	ck_assert(!r.feasible);
	ck_assert_msg(strstr(r.why, "missed timing at 250 MHz") && strstr(r.why, "measurement 9"), "%s", r.why);
	d.pre_pe = 11;
	perf_prepare(&p, &c, &w, &d);
	perf_resources(&p, &r);
	ck_assert_msg(r.feasible, "%s", r.why);
	cfg_release(&c);
}
END_TEST

/* The sweep's factorised evaluation refuses exactly the points perf refuses. */
START_TEST(factor_agrees_with_perf)
{
	cfg_t c;
	tu_load_default(&c);
	c.imports[c.n_imports++] = timing(1, MEAS_PREFILL, 8, 4, 250, 4.1);  /* >= 32 units at >= 250 */
	c.imports[c.n_imports++] = timing(2, MEAS_DECODE, 1, 32, 200, 5.3);  /* >= 32 lanes at >= 200 */
	const design_t *pd = &c.designs[cfg_find_design(&c, "pdswap")].d;
	cfg_import p = blank(3, MEAS_PBLOCK);
	p.d = *pd;
	p.d.pre_pe = 4;
	p.d.pre_lanes = 4;
	p.d.dec_lanes = 8;
	res_t cap = engine_pblock_capacity(&c, &c.arch.pblocks[pd->rp]);
	for (int t = 0; t < RES_N; t++) {
		p.avail.v[t] = cap.v[t];
		p.res.v[t] = 0.1 * cap.v[t];
	}
	p.res.v[RES_BRAM] = cap.v[RES_BRAM] + 1;
	c.imports[c.n_imports++] = p;
	/* and measured profiles: prefill resources and efficiency at 250 MHz, decode at 200 */
	cfg_import r = timing(4, MEAS_PREFILL, 4, 2, 250, 3.0);
	r.res.v[RES_LUT] = 5000;
	r.res.v[RES_DSP] = 40;
	r.latency_worst = 3e8;
	r.loop_bound = c.model.max_context;
	c.imports[c.n_imports++] = r;
	cfg_import r2 = r;
	r2.id = 5;
	r2.d.pre_pe = 16;
	r2.res.v[RES_LUT] = 60000;
	r2.latency_worst = 2e8;
	c.imports[c.n_imports++] = r2;
	cfg_import dd = timing(6, MEAS_DECODE, 1, 16, 200, 4.0);
	dd.res.v[RES_BRAM] = 30;
	dd.res.v[RES_LUT] = 12000;
	c.imports[c.n_imports++] = dd;
	ck_assert_int_eq(limits_from_imports(&c), 3);
	workload_t w;
	workload_init(&w, &c.model);
	space_t s;
	space_init(&s, &c);
	factor *f = factor_new(&c, &w, &s);
	factor_scratch *x = factor_scratch_new();
	ck_assert(f && x);
	factor_buf b = {0};
	int64_t refused_by_limit = 0;
	double v[FACTOR_MAX_TP + 4], m[2 * FACTOR_MAX_CTX];
	for (int64_t k = 0; k < s.n_chunks; k++) {
		factor_counts cnt = {0};
		b.n = 0;
		ck_assert_int_eq(factor_chunk(f, x, k, &b, &cnt, NULL), 0);
		int64_t first, end;
		space_chunk_range(&s, k, &first, &end);
		ck_assert_int_eq(cnt.over_cap + cnt.too_slow + cnt.no_fit + cnt.feasible, end - first);
		size_t j = 0;
		for (int64_t id = first; id < end; id++) {
			design_t d;
			rms_ctx pc; /* the partition's modules as the sweep prices them (models/rms.h) */
			char why[256];
			space_design(&s, id, &d);
			rms_prepare(&pc, &c, &w, &d);
			bool feas = rms_feasible(&pc, why, sizeof why);
			bool listed = j < b.n && b.id[j] == id;
			ck_assert_msg(listed == feas, "point %lld: listed %d, perf %d (%s)", (long long)id, listed, feas, why);
			ck_assert_int_eq(factor_point(f, id, v, m) == FACTOR_FEASIBLE, feas);
			j += listed;
			refused_by_limit += !feas && strstr(why, "measured:") != NULL;
		}
	}
	ck_assert_msg(refused_by_limit > 0, "no point was refused by a limit");
	factor_buf_release(&b);
	factor_scratch_free(x);
	factor_free(f);
	cfg_release(&c);
}
END_TEST

Suite *limits_suite(void)
{
	Suite *s = suite_create("limits");
	TCase *t = tcase_create("limits");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, which_reports_limit);
	tcase_add_test(t, perf_refuses_with_the_reason);
	tcase_add_test(t, factor_agrees_with_perf);
	suite_add_tcase(s, t);
	return s;
}
