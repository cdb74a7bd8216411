/*
 * check_pareto.c - both Pareto methods against a brute-force front on
 * random sets: 2 to 5 objectives, values drawn from few levels (ties),
 * repeated rows (duplicates), offered in several orders.
 */
#include <stdlib.h>

#include "explore/pareto.h"
#include "suites.h"
#include "testutil.h"

/* xorshift64*: a seeded stream, the same on every machine */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

/* n rows of d values; `levels` distinct values per objective; a quarter
 * of the rows copy an earlier row. */
static double *random_set(size_t n, int d, int levels)
{
	double *v = malloc(n * (size_t)d * sizeof *v);
	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && rnd() % 4 == 0) {
			size_t j = rnd() % i;
			memcpy(v + i * d, v + j * d, (size_t)d * sizeof *v);
			continue;
		}
		for (int k = 0; k < d; k++)
			v[i * d + k] = (double)(rnd() % (uint64_t)levels) * 0.25;
	}
	return v;
}

/* Brute force: i is on the front when no j dominates it (by the definition, not pareto_dominates). */
static bool *brute(const double *v, size_t n, int d)
{
	bool *on = malloc(n * sizeof *on);
	ck_assert_ptr_nonnull(on);
	for (size_t i = 0; i < n; i++) {
		on[i] = true;
		for (size_t j = 0; j < n && on[i]; j++) {
			int le = 0, lt = 0;
			for (int k = 0; k < d; k++) {
				le += v[j * d + k] <= v[i * d + k];
				lt += v[j * d + k] < v[i * d + k];
			}
			if (le == d && lt > 0)
				on[i] = false;
		}
	}
	return on;
}

START_TEST(dominance_definition)
{
	double a[3] = {1, 2, 3}, b[3] = {1, 2, 3}, c[3] = {1, 2, 4}, e[3] = {0, 5, 3};
	ck_assert(!pareto_dominates(3, a, b)); /* equal: neither */
	ck_assert(pareto_dominates(3, a, c));
	ck_assert(!pareto_dominates(3, c, a));
	ck_assert(!pareto_dominates(3, a, e) && !pareto_dominates(3, e, a));
}
END_TEST

START_TEST(filter_equals_brute_force)
{
	rng_state = UINT64_C(0x1234567) + (uint64_t)_i;
	for (int round = 0; round < 40; round++) {
		int d = 2 + round % 4;
		size_t n = 1 + rnd() % 400;
		int levels = 2 + (int)(rnd() % 12);
		double *v = random_set(n, d, levels);
		bool *on = brute(v, n, d);
		size_t *keep = malloc(n * sizeof *keep);
		long h = pareto_filter(d, v, n, keep);
		ck_assert_int_ge(h, 1);
		size_t want = 0;
		for (size_t i = 0; i < n; i++)
			want += on[i];
		ck_assert_int_eq((size_t)h, want);
		for (long i = 0; i < h; i++) {
			ck_assert_msg(on[keep[i]], "row %zu kept but dominated (d=%d n=%zu)", keep[i], d, n);
			if (i)
				ck_assert(keep[i] > keep[i - 1]);
		}
		free(keep);
		free(on);
		free(v);
	}
}
END_TEST

START_TEST(archive_equals_brute_force_in_any_order)
{
	rng_state = UINT64_C(0xabcdef) + (uint64_t)_i;
	for (int round = 0; round < 40; round++) {
		int d = 2 + round % 4;
		size_t n = 1 + rnd() % 400;
		double *v = random_set(n, d, 2 + (int)(rnd() % 12));
		bool *on = brute(v, n, d);
		size_t *ord = malloc(n * sizeof *ord);
		for (size_t i = 0; i < n; i++)
			ord[i] = i;
		for (int pass = 0; pass < 3; pass++) {
			/* pass 0: as given; 1: reversed; 2: shuffled */
			if (pass == 1)
				for (size_t i = 0; i < n / 2; i++) {
					size_t t = ord[i];
					ord[i] = ord[n - 1 - i];
					ord[n - 1 - i] = t;
				}
			if (pass == 2)
				for (size_t i = n; i > 1; i--) {
					size_t j = rnd() % i, t = ord[i - 1];
					ord[i - 1] = ord[j];
					ord[j] = t;
				}
			pareto *p = pareto_new(d);
			ck_assert_ptr_nonnull(p);
			bool *in = calloc(n, sizeof *in);
			for (size_t k = 0; k < n; k++) {
				size_t i = ord[k];
				int rc = pareto_insert(p, (int64_t)i, v + i * d);
				ck_assert_int_ge(rc, 0);
				in[i] = rc == 1;
				const int64_t *ev;
				size_t n_ev = pareto_evicted(p, &ev);
				for (size_t e = 0; e < n_ev; e++) {
					ck_assert_msg(in[ev[e]], "evicted %lld was not a member", (long long)ev[e]);
					in[ev[e]] = false;
				}
				pareto_clear_evicted(p);
			}
			size_t want = 0;
			for (size_t i = 0; i < n; i++) {
				want += on[i];
				ck_assert_msg(in[i] == on[i], "row %zu: archive %d, brute force %d (d=%d n=%zu pass %d)",
					      i, in[i], on[i], d, n, pass);
			}
			ck_assert_uint_eq(pareto_size(p), want);
			for (size_t i = 0; i < pareto_size(p); i++) {
				ck_assert(on[pareto_id(p, i)]);
				ck_assert(memcmp(pareto_vec(p, i), v + pareto_id(p, i) * d, (size_t)d * sizeof *v) == 0);
				if (i)
					ck_assert(pareto_vec(p, i)[0] >= pareto_vec(p, i - 1)[0]);
			}
			pareto_free(p);
			free(in);
		}
		free(ord);
		free(on);
		free(v);
	}
}
END_TEST

START_TEST(chunked_merge_equals_whole)
{
	/* the sweep's scheme: fronts of pieces, merged into an archive */
	rng_state = UINT64_C(0x5eed);
	const int d = 4;
	const size_t n = 3000;
	double *v = random_set(n, d, 9);
	bool *on = brute(v, n, d);
	pareto *p = pareto_new(d);
	size_t *keep = malloc(n * sizeof *keep);
	for (size_t start = 0; start < n; start += 250) {
		long h = pareto_filter(d, v + start * d, 250, keep);
		for (long i = 0; i < h; i++)
			ck_assert_int_ge(pareto_insert(p, (int64_t)(start + keep[i]), v + (start + keep[i]) * d), 0);
	}
	size_t want = 0;
	for (size_t i = 0; i < n; i++)
		want += on[i];
	ck_assert_uint_eq(pareto_size(p), want);
	for (size_t i = 0; i < pareto_size(p); i++)
		ck_assert(on[pareto_id(p, i)]);
	free(keep);
	pareto_free(p);
	free(on);
	free(v);
}
END_TEST

START_TEST(rejects_bad_sizes)
{
	ck_assert_ptr_null(pareto_new(0));
	ck_assert_ptr_null(pareto_new(PARETO_MAX_OBJ + 1));
	size_t keep[1];
	ck_assert_int_eq(pareto_filter(3, NULL, 0, keep), 0);
}
END_TEST

Suite *pareto_suite(void)
{
	Suite *s = suite_create("pareto");
	TCase *t = tcase_create("front");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, dominance_definition);
	tcase_add_loop_test(t, filter_equals_brute_force, 0, 3);
	tcase_add_loop_test(t, archive_equals_brute_force_in_any_order, 0, 3);
	tcase_add_test(t, chunked_merge_equals_whole);
	tcase_add_test(t, rejects_bad_sizes);
	suite_add_tcase(s, t);
	return s;
}
