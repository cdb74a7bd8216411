/*
 * check_space.c - point ids, digits, designs and chunks of the space.
 */
#include "explore/space.h"
#include "suites.h"
#include "testutil.h"

START_TEST(ids_round_trip_and_designs_are_valid)
{
	cfg_t c;
	tu_load_default(&c);
	space_t s;
	space_init(&s, &c);
	const cfg_space *sp = &c.space;
	int64_t per_static = (int64_t)sp->n_clock * sp->n_outst * sp->n_pm_pre * sp->n_pm_dec * sp->n_tables *
			     sp->n_tlanes * sp->n_pre_pe * sp->n_pre_lanes * sp->n_pre_block * sp->n_dec_lanes;
	ck_assert_int_eq(s.n_modes, 2);
	ck_assert_int_eq(s.m[0].mode, MODE_DPR);
	int shapes = sp->n_rm_shapes ? sp->n_rm_shapes : 1;
	ck_assert_int_eq(s.m[0].count, per_static * sp->n_rp * shapes);
	ck_assert_int_eq(s.m[1].count, per_static);
	ck_assert_int_eq(s.n_points, per_static * (sp->n_rp * shapes + 1));
	int dg[SK_N];
	design_t d, prev;
	memset(&prev, 0, sizeof prev);
	for (int64_t id = 0; id < s.n_points; id++) {
		ck_assert_int_eq(space_digits(&s, id, dg), 0);
		const space_mode *m = space_mode_of(&s, id);
		int64_t back = m->base;
		for (int k = 0; k < SK_N; k++) {
			ck_assert(dg[k] >= 0 && dg[k] < m->radix[k]);
			back += dg[k] * m->stride[k];
		}
		ck_assert_int_eq(back, id);
		ck_assert_int_eq(space_design(&s, id, &d), 0);
		char err[200];
		ck_assert_msg(cfg_check_design(&c, &d, err, sizeof err) == 0, "point %lld: %s", (long long)id, err);
		ck_assert_int_eq(d.mode == MODE_STATIC, d.rp == -1);
		ck_assert(d.pre_outstanding == d.dec_outstanding && d.pre_burst == sp->burst_beats);
		if (id)
			ck_assert(memcmp(&d, &prev, sizeof d) != 0);
		prev = d;
	}
	ck_assert_int_eq(space_digits(&s, s.n_points, dg), -1);
	ck_assert_int_eq(space_digits(&s, -1, dg), -1);
	cfg_release(&c);
}
END_TEST

START_TEST(chunks_partition_the_space)
{
	cfg_t c;
	tu_load_default(&c);
	space_t s;
	space_init(&s, &c);
	int64_t next = 0;
	for (int64_t k = 0; k < s.n_chunks; k++) {
		int64_t first, end;
		ck_assert_int_eq(space_chunk_range(&s, k, &first, &end), 0);
		ck_assert_int_eq(first, next);
		ck_assert(end > first && end - first <= SPACE_CHUNK_MAX);
		/* a chunk never straddles two modes */
		ck_assert_ptr_eq(space_mode_of(&s, first), space_mode_of(&s, end - 1));
		ck_assert_ptr_eq(space_chunk_mode(&s, k), space_mode_of(&s, first));
		next = end;
	}
	ck_assert_int_eq(next, s.n_points);
	int64_t a, b;
	ck_assert_int_eq(space_chunk_range(&s, s.n_chunks, &a, &b), -1);
	cfg_release(&c);
}
END_TEST

START_TEST(one_mode_only)
{
	static const char *const ed[] = {"modes: [dpr, static]", "modes: [static]"};
	cfg_t c;
	tu_load_edited(&c, "static-only.yaml", ed, 1);
	space_t s;
	space_init(&s, &c);
	ck_assert_int_eq(s.n_modes, 1);
	ck_assert_int_eq(s.m[0].mode, MODE_STATIC);
	ck_assert_int_eq(s.m[0].base, 0);
	ck_assert_int_eq(s.m[0].radix[SK_RP], 1);
	design_t d;
	ck_assert_int_eq(space_design(&s, s.n_points - 1, &d), 0);
	ck_assert_int_eq(d.rp, -1);
	cfg_release(&c);
}
END_TEST

Suite *space_suite(void)
{
	Suite *s = suite_create("space");
	TCase *t = tcase_create("ids");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, ids_round_trip_and_designs_are_valid);
	tcase_add_test(t, chunks_partition_the_space);
	tcase_add_test(t, one_mode_only);
	suite_add_tcase(s, t);
	return s;
}
