/*
 * check_configs.c - the shipped configs beyond the KV260 one: a second
 * board (configs/zcu104.yaml) and a second model (configs/kv260_bitnet2b4t.yaml)
 * load from YAML alone, the model runs on every design they name, the
 * BitNet b1.58 2B4T workload matches hand-computed sizes, and the ZCU104's
 * larger fabric holds a design the KV260 cannot.
 */
#include <math.h>

#include "models/perf.h"
#include "suites.h"
#include "testutil.h"
#include "models/workload.h"

#define ZCU104 "configs/zcu104.yaml"
#define B2B4T "configs/kv260_bitnet2b4t.yaml"

static void load(cfg_t *c, const char *path)
{
	char err[1024];
	ck_assert_msg(config_load(c, path, err, sizeof err) == 0, "loading %s: %s", path, err);
}

START_TEST(second_board_and_model_load)
{
	cfg_t z, b, k;
	load(&z, ZCU104);
	load(&b, B2B4T);
	tu_load_default(&k);
	/* neither has published measurements; the KV260 config has */
	ck_assert(!z.has_meas);
	ck_assert(!b.has_meas);
	ck_assert(k.has_meas);
	/* the ZCU104 is an XCZU7EV: about twice the KV260's fabric, the same PS */
	ck_assert_double_gt(z.dev.resources.v[RES_LUT], 1.9 * k.dev.resources.v[RES_LUT]);
	ck_assert_int_eq(z.dev.n_hp, k.dev.n_hp);
	/* every pblock fits its device's tiles (the loader checks it) */
	ck_assert_int_ge(z.arch.n_pblocks, 2);
	/* the 2B4T config keeps the KV260 device */
	ck_assert_double_eq(b.dev.resources.v[RES_DSP], k.dev.resources.v[RES_DSP]);
	cfg_release(&z);
	cfg_release(&b);
	cfg_release(&k);
}
END_TEST

/* The analytic model runs on every named design of both configs. */
START_TEST(simulate_every_design)
{
	const char *paths[] = {ZCU104, B2B4T};
	for (int f = 0; f < 2; f++) {
		cfg_t c;
		load(&c, paths[f]);
		workload_t w;
		workload_init(&w, &c.model);
		for (int i = 0; i < c.n_designs; i++) {
			perf_ctx p;
			figures r;
			perf_prepare(&p, &c, &w, &c.designs[i].d);
			perf_run_eval(&p, c.obj.prompt, 16, &r);
			ck_assert_msg(isfinite(r.ttft_s) && r.ttft_s > 0, "%s %s ttft %g", paths[f], c.designs[i].name,
				      r.ttft_s);
			ck_assert_msg(isfinite(r.decode_tok_s) && r.decode_tok_s > 0, "%s %s decode %g", paths[f],
				      c.designs[i].name, r.decode_tok_s);
			ck_assert(isfinite(perf_objective(&p)));
		}
		cfg_release(&c);
	}
}
END_TEST

/*
 * BitNet b1.58 2B4T: 30 layers, hidden 2560, 20 heads of 128, 5 K/V heads,
 * FFN 6912 with gate/up/down.  Per layer: Q and O 2560x2560, K and V
 * 2560x640 (5 x 128), gate/up/down 2560x6912.
 */
START_TEST(bitnet2b4t_sizes)
{
	cfg_t c;
	load(&c, B2B4T);
	workload_t w;
	workload_init(&w, &c.model);
	const int64_t per_layer = 2LL * 2560 * 2560 + 2LL * 2560 * 640 + 3LL * 2560 * 6912;
	ck_assert_int_eq(per_layer, 69468160LL);
	ck_assert_int_eq(w.weights_layer, per_layer);
	ck_assert_int_eq(w.weights_total, 2084044800LL); /* the "2B" */
	ck_assert_int_eq(w.n_mats, 7);
	ck_assert_int_eq(w.mat[WORKLOAD_K].n, 640);
	ck_assert_int_eq(w.mat[WORKLOAD_Q].n, 2560);
	/* K/V with GQA: 2 (K, V) x 5 heads x 128 x 2 bytes = 2560 B per token per layer */
	ck_assert_int_eq(w.kv_bytes_token_layer, 2560);
	ck_assert_int_eq(w.kv_bytes_token, 2560 * 30);
	/* Q of one token: 20 heads x 128 x 2 bytes */
	ck_assert_int_eq(w.q_bytes_token_layer, 5120);
	/* ffn_down: K = 6912 -> 2304 indices per output x 2560 outputs x 5 bits */
	ck_assert_double_eq_tol(w.mat[WORKLOAD_DOWN].bytes, 2304.0 * 2560 * 5 / 8, 1e-6);
	/* without GQA (20 K/V heads) the cache would be 4x larger */
	cfg_model mha = c.model;
	mha.kv_heads = mha.heads;
	workload_t wm;
	workload_init(&wm, &mha);
	ck_assert_int_eq(wm.kv_bytes_token_layer, 4 * w.kv_bytes_token_layer);
	/* and the bigger model is slower than the 0.73B on the same design */
	cfg_t k;
	tu_load_default(&k);
	workload_t wk;
	workload_init(&wk, &k.model);
	perf_ctx pb, pk;
	int di = cfg_find_design(&c, "tellme"), dk = cfg_find_design(&k, "tellme");
	perf_prepare(&pb, &c, &w, &c.designs[di].d);
	perf_prepare(&pk, &k, &wk, &k.designs[dk].d);
	ck_assert_double_gt(perf_ttft_s(&pb, 128), perf_ttft_s(&pk, 128));
	cfg_release(&k);
	cfg_release(&c);
}
END_TEST

/*
 * The same engines on both boards: the ZCU104's pdswap_xl fits the ZCU104
 * and exceeds the KV260's fabric, in its largest pblock or not.
 */
START_TEST(zcu104_holds_more)
{
	cfg_t z, k;
	load(&z, ZCU104);
	tu_load_default(&k);
	workload_t wz, wk;
	workload_init(&wz, &z.model);
	workload_init(&wk, &k.model);
	int i = cfg_find_design(&z, "pdswap_xl");
	ck_assert_int_ge(i, 0);
	design_t d = z.designs[i].d;
	perf_ctx p;
	perf_res r;
	perf_prepare(&p, &z, &wz, &d);
	perf_resources(&p, &r);
	ck_assert_msg(r.feasible, "pdswap_xl on the ZCU104: %s", r.why);

	/* the same engines on the KV260, with its port maps and largest pblock */
	d.pm_pre = cfg_find_portmap(&k, z.arch.port_maps[d.pm_pre].name);
	d.pm_dec = cfg_find_portmap(&k, z.arch.port_maps[d.pm_dec].name);
	d.rp = cfg_find_pblock(&k, "rp_l");
	ck_assert(d.pm_pre >= 0 && d.pm_dec >= 0 && d.rp >= 0);
	char err[256];
	ck_assert_msg(cfg_check_design(&k, &d, err, sizeof err) == 0, "%s", err);
	perf_prepare(&p, &k, &wk, &d);
	perf_resources(&p, &r);
	ck_assert(!r.feasible);
	/* the device itself is too small, not only the pblock */
	ck_assert_double_gt(r.r_total.v[RES_LUT], k.cons.util_cap.v[RES_LUT] * k.dev.resources.v[RES_LUT]);
	ck_assert_msg(strstr(r.why, "exceeds") != NULL, "%s", r.why);

	/* the KV260's published PD-Swap design fits both */
	i = cfg_find_design(&z, "pdswap");
	perf_prepare(&p, &z, &wz, &z.designs[i].d);
	perf_resources(&p, &r);
	ck_assert_msg(r.feasible, "%s", r.why);
	cfg_release(&z);
	cfg_release(&k);
}
END_TEST

Suite *configs_suite(void)
{
	Suite *s = suite_create("configs");
	TCase *t = tcase_create("shipped");
	tcase_add_test(t, second_board_and_model_load);
	tcase_add_test(t, simulate_every_design);
	tcase_add_test(t, bitnet2b4t_sizes);
	tcase_add_test(t, zcu104_holds_more);
	suite_add_tcase(s, t);
	return s;
}
