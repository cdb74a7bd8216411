/*
 * check_workload.c - workload arithmetic against hand-computed values.
 */
#include "suites.h"
#include "testutil.h"
#include "models/workload.h"

START_TEST(bitnet_073b_sizes)
{
	cfg_t c;
	tu_load_default(&c);
	workload_t w;
	workload_init(&w, &c.model);
	/* 24 x (4 x 1536^2 + 3 x 1536 x 4096) = 679,477,248 */
	ck_assert_int_eq(w.weights_total, 679477248LL);
	ck_assert_int_eq(w.weights_layer, 4LL * 1536 * 1536 + 3LL * 1536 * 4096);
	/* 2 (K,V) x 16 heads x 96 x 2 bytes x 24 layers */
	ck_assert_int_eq(w.kv_bytes_token, 147456);
	ck_assert_int_eq(w.kv_bytes_token_layer, 6144);
	ck_assert_int_eq(w.n_mats, 7);
	ck_assert_int_eq(w.n_pre_attn, 3);
	/* q_proj: ceil(1536/3) = 512 indices per row x 1536 rows x 5 bits */
	ck_assert_double_eq_tol(w.mat[WORKLOAD_Q].bytes, 512.0 * 1536 * 5 / 8, 1e-9);
	/* ffn_down: K = 4096 -> ceil(4096/3) = 1366 indices per row */
	ck_assert_double_eq_tol(w.mat[6].bytes, 1366.0 * 1536 * 5 / 8, 1e-9);
	ck_assert_double_eq_tol(w.wbytes_pre_attn_layer + w.wbytes_post_attn_layer, w.wbytes_layer, 1e-6);
	cfg_release(&c);
}
END_TEST

START_TEST(attention_work)
{
	cfg_t c;
	tu_load_default(&c);
	workload_t w;
	workload_init(&w, &c.model);
	/* causal prefill of 4 tokens scores 1+2+3+4 = 10 pairs per head */
	ck_assert_int_eq(workload_prefill_attn_macs_layer(&w, 4), 16LL * 96 * 2 * 10);
	ck_assert_int_eq(workload_decode_attn_macs_layer(&w, 100), 16LL * 96 * 2 * 100);
	cfg_release(&c);
}
END_TEST

START_TEST(plain_ffn_and_gqa)
{
	cfg_model m = {.layers = 2, .hidden = 64, .heads = 8, .kv_heads = 2, .head_dim = 8, .ffn = 96,
		       .ffn_matrices = 2, .vocab = 10, .max_context = 16, .weight_group = 3,
		       .weight_index_bits = 5, .act_bits = 8, .kv_bytes = 2, .attn_bytes = 2};
	workload_t w;
	workload_init(&w, &m);
	ck_assert_int_eq(w.n_mats, 6);
	/* q 64x64, k 64x16, v 64x16, o 64x64, up 64x96, down 96x64 */
	ck_assert_int_eq(w.weights_layer, 4096 + 1024 + 1024 + 4096 + 6144 + 6144);
	ck_assert_int_eq(w.k_bytes_token_layer, 2 * 8 * 2);
	ck_assert_int_eq(w.kv_bytes_token, 2 * 2 * 8 * 2 * 2);
}
END_TEST

Suite *workload_suite(void)
{
	Suite *s = suite_create("workload");
	TCase *t = tcase_create("sizes");
	tcase_add_test(t, bitnet_073b_sizes);
	tcase_add_test(t, attention_work);
	tcase_add_test(t, plain_ffn_and_gqa);
	suite_add_tcase(s, t);
	return s;
}
