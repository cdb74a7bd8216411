/*
 * check_engine.c - loop-nest cycle counts and pblock geometry.
 */
#include "models/engine.h"
#include "models/perf.h"
#include "suites.h"
#include "testutil.h"

START_TEST(tlmm_cycles_by_hand)
{
	/* K=1536, T=28, G=3: ceil(1536/84) = 19 steps; N=1536, Q=8: 192 lanes steps */
	ck_assert_int_eq(engine_tlmm_mat_cycles(1536, 1536, 28, 3, 8), 19 * 192);
	ck_assert_int_eq(engine_tlmm_mat_cycles(84, 8, 28, 3, 8), 1);
	ck_assert_int_eq(engine_tlmm_mat_cycles(85, 9, 28, 3, 8), 4);
}
END_TEST

START_TEST(prefill_kv_tokens_by_hand)
{
	/* L=8, pe=4, block=1: blocks end at 4 and 8 -> 4 + 8 */
	ck_assert_int_eq(engine_pre_kv_tokens(8, 4, 1, false), 12);
	/* naive: every block streams all 8 */
	ck_assert_int_eq(engine_pre_kv_tokens(8, 4, 1, true), 16);
	/* L=10, pe=4, block=8: ends 4, 8, 10 -> vis 8, 8, 10 (capped at L) */
	ck_assert_int_eq(engine_pre_kv_tokens(10, 4, 8, false), 26);
	/* ratio naive/reversed = 2L/(L+pe) when pe divides L and block = 1 */
	ck_assert_int_eq(engine_pre_kv_tokens(128, 8, 1, true) * 136, engine_pre_kv_tokens(128, 8, 1, false) * 256);
}
END_TEST

START_TEST(prefill_kv_closed_form_matches_loop)
{
	for (int L = 1; L <= 300; L++)
		for (int pe = 1; pe <= 24; pe++)
			for (int b = 1; b <= 24; b++)
				ck_assert_msg(engine_pre_kv_tokens(L, pe, b, false) == perf_kv_tokens_closed(L, pe, b),
					      "L=%d pe=%d block=%d", L, pe, b);
	ck_assert_int_eq(engine_pre_kv_tokens(100000, 7, 13, false), perf_kv_tokens_closed(100000, 7, 13));
}
END_TEST

START_TEST(pblock_geometry)
{
	/* the board's column geometry, read from the config (tests/data/tiny.yaml
	 * works the same rules through by hand with its own numbers, check_perf.c) */
	cfg_t c;
	tu_load_default(&c);
	const struct cfg_fabric *f = &c.dev.fabric;
	cfg_pblock pb = {.name = "t", .clb_tiles = 10, .dsp_tiles = 2, .bram_tiles = 1, .uram_sites = 8};
	res_t r = engine_pblock_capacity(&c, &pb);
	ck_assert_double_eq(r.v[RES_LUT], 10 * f->lut_per_clb_col);
	ck_assert_double_eq(r.v[RES_FF], 10 * f->ff_per_clb_col);
	ck_assert_double_eq(r.v[RES_DSP], 2 * f->dsp_per_col);
	ck_assert_double_eq(r.v[RES_BRAM], 1 * f->bram_per_col);
	ck_assert_double_eq(r.v[RES_URAM], 8);
	/* frames: 10 CLB, 2 DSP and 1 BRAM tiles (config and content frames);
	 * 8 URAM sites, part of one column segment, pay all of its frames (a
	 * frame is a clock-region row high); one interconnect tile per two of
	 * the 10 + 2 + 1 + 1 tiles */
	ck_assert_int_le(8, f->uram_per_col);
	int64_t frames = 10LL * f->frames_clb + 2LL * f->frames_dsp + (f->frames_bram_config + f->frames_bram_content) +
			 1LL * f->frames_uram + 7LL * f->frames_int;
	ck_assert_int_eq(engine_pblock_frames(&c, &pb), frames);
	ck_assert_double_eq(engine_bitstream_bytes(&c, &pb),
			    (double)frames * f->frame_bytes + f->bitstream_overhead_bytes);
	cfg_release(&c);
}
END_TEST

START_TEST(resources_scale_with_units)
{
	cfg_t c;
	tu_load_default(&c);
	design_t d = c.designs[0].d;
	res_t a = engine_res_pre(&c, &d);
	d.pre_pe *= 2;
	res_t b = engine_res_pre(&c, &d);
	for (int i = 0; i < RES_N; i++)
		ck_assert_double_eq_tol(b.v[i], 2 * a.v[i], 1e-9);
	cfg_release(&c);
}
END_TEST

Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *t = tcase_create("cycles");
	tcase_add_test(t, tlmm_cycles_by_hand);
	tcase_add_test(t, prefill_kv_tokens_by_hand);
	tcase_add_test(t, prefill_kv_closed_form_matches_loop);
	tcase_add_test(t, pblock_geometry);
	tcase_add_test(t, resources_scale_with_units);
	suite_add_tcase(s, t);
	return s;
}
