/*
 * check_emit.c - HLS header emission (dse/emit.c): what the values mean,
 * plain integer defines, byte-identical output, refusals that leave
 * nothing behind, and the pragma syntax check with its negative cases.
 */
#include <dirent.h>
#include <math.h>
#include <sys/stat.h>

#include "hls/emit.h"
#include "models/engine.h"
#include "models/perf.h"
#include "suites.h"
#include "testutil.h"
#include "models/workload.h"
#include "hls/pragma.h"

#define OUTDIR "build/test_emit"

/* Value of `#define NAME VALUE` in text, or NULL; copied into buf. */
static const char *defval(const char *text, const char *name, char *buf, size_t sz)
{
	size_t n = strlen(name);
	for (const char *p = strstr(text, "#define "); p; p = strstr(p + 1, "#define ")) {
		const char *q = p + 8;
		if (strncmp(q, name, n) == 0 && (q[n] == ' ' || q[n] == '\t')) {
			q += n;
			while (*q == ' ' || *q == '\t')
				q++;
			size_t k = 0;
			while (q[k] && q[k] != '\n' && strncmp(q + k, " /*", 3) != 0 && k + 1 < sz)
				k++;
			memcpy(buf, q, k);
			buf[k] = '\0';
			return buf;
		}
	}
	return NULL;
}

/* Integer define of the four headers; the test fails if absent or not an integer. */
static long ival(char *const texts[EMIT_N_HEADERS], const char *name)
{
	char buf[256];
	for (int i = 0; i < EMIT_N_HEADERS; i++)
		if (defval(texts[i], name, buf, sizeof buf)) {
			char *end;
			long v = strtol(buf, &end, 10);
			ck_assert_msg(*buf && !*end, "%s is '%s', not an integer", name, buf);
			return v;
		}
	ck_abort_msg("no #define %s", name);
	return 0;
}

static const char *kval(char *const texts[EMIT_N_HEADERS], const char *name, char *buf, size_t sz)
{
	for (int i = 0; i < EMIT_N_HEADERS; i++)
		if (defval(texts[i], name, buf, sz))
			return buf;
	ck_abort_msg("no #define %s", name);
	return NULL;
}

static void render(const cfg_t *c, const design_t *d, const char *name, char *texts[EMIT_N_HEADERS])
{
	emit_meta m;
	char err[1024];
	emit_meta_init(&m, c, d, name, -1, -1);
	ck_assert_msg(emit_render(c, d, &m, texts, err, sizeof err) == 0, "%s: %s", name, err);
}

START_TEST(values_mean_the_design)
{
	cfg_t c;
	tu_load_default(&c);
	workload_t w;
	workload_init(&w, &c.model);
	for (int i = 0; i < c.n_designs; i++) {
		const design_t *d = &c.designs[i].d;
		const portmap_t *pd = &c.arch.port_maps[d->pm_dec].pm;
		char *t[EMIT_N_HEADERS], buf[128], hp[16];
		render(&c, d, c.designs[i].name, t);
		ck_assert_int_eq(ival(t, "PDS_DPR"), d->mode == MODE_DPR);
		ck_assert_int_eq(ival(t, "PDS_CLOCK_MHZ"), d->clock_mhz);
		ck_assert_int_eq(ival(t, "PDS_HEAD_DIM"), c.model.head_dim);
		ck_assert_int_eq(ival(t, "PDS_TLMM_T"), d->tlmm_tables);
		ck_assert_int_eq(ival(t, "PDS_TLMM_G"), c.model.weight_group);
		ck_assert_int_eq(ival(t, "PDS_TLMM_Q"), d->tlmm_lanes);
		ck_assert_int_eq(ival(t, "PDS_TLMM_IDX_BITS"), c.model.weight_index_bits);
		ck_assert_int_eq(ival(t, "PDS_TLMM_DEPTH"), llround(c.cal.tlmm_depth.value));
		ck_assert_int_eq(ival(t, "PDS_PRE_DEPTH"), llround(c.cal.attn_depth.value));
		ck_assert_int_eq(ival(t, "PDS_DEC_DEPTH"), llround(c.cal.attn_depth.value));
		ck_assert_int_eq(ival(t, "PDS_PRE_NPE"), d->pre_pe);
		ck_assert_int_eq(ival(t, "PDS_PRE_LANES"), d->pre_lanes);
		ck_assert_int_eq(ival(t, "PDS_PRE_BLOCK"), d->pre_block);
		ck_assert_int_eq(ival(t, "PDS_PRE_BURST"), d->pre_burst);
		ck_assert_int_eq(ival(t, "PDS_PRE_OUTSTANDING"), d->pre_outstanding);
		ck_assert_int_eq(ival(t, "PDS_DEC_LANES"), d->dec_lanes);
		ck_assert_int_eq(ival(t, "PDS_DEC_BURST"), d->dec_burst);
		ck_assert_int_eq(ival(t, "PDS_DEC_OUTSTANDING"), d->dec_outstanding);
		ck_assert_int_eq(ival(t, "PDS_W_BURST"), c.arch.weight_burst);
		ck_assert_int_eq(ival(t, "PDS_W_OUTSTANDING"), c.arch.weight_outstanding);
		ck_assert_int_eq(ival(t, "PDS_W_PORTS"), __builtin_popcount((unsigned)c.arch.weight_ports));
		/* the model's cycle formulas in terms of the header values */
		ck_assert_int_eq(ival(t, "PDS_PRE_CHUNKS") * 2,
				 engine_pre_cycles(&w, 1, d->pre_pe, d->pre_lanes, 1, 0, false) / w.heads);
		ck_assert_int_eq(ival(t, "PDS_DEC_CHUNKS"), engine_dec_dot_cycles(&w, 1, d->dec_lanes, 0) / w.heads);
		ck_assert_int_eq(ival(t, "PDS_TLMM_KB_MAX") * ival(t, "PDS_TLMM_NB_MAX"),
				 engine_tlmm_mat_cycles(ival(t, "PDS_TLMM_K_MAX"), ival(t, "PDS_TLMM_N_MAX"), d->tlmm_tables,
						     c.model.weight_group, d->tlmm_lanes));
		/* decode ports: counts, bundles named after the HP ports, the map's flags */
		ck_assert_int_eq(ival(t, "PDS_DEC_K_PORTS"), __builtin_popcount(pd->k));
		ck_assert_int_eq(ival(t, "PDS_DEC_V_PORTS"), __builtin_popcount(pd->v));
		ck_assert_int_eq(ival(t, "PDS_DEC_Q_PRELOAD"), pd->q_preload);
		ck_assert_int_eq(ival(t, "PDS_DEC_O_AFTER_KV"), pd->o_after_kv);
		int h = __builtin_ctz(pd->k);
		snprintf(hp, sizeof hp, "%s", c.dev.hp[h].name);
		for (char *p = hp; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		ck_assert_str_eq(kval(t, "PDS_DEC_K0_BUNDLE", buf, sizeof buf), hp);
		ck_assert_int_eq(ival(t, "PDS_DEC_K0_WIDEN_BITS"), c.dev.hp[h].width_bits);
		/* the token tile is the least whose TLMM time covers a weight pass */
		perf_ctx p;
		perf_prepare(&p, &c, &w, d);
		long tile = ival(t, "PDS_TLMM_TOK_TILE");
		ck_assert(tile * p.lin_tok_s >= p.w_layer_s);
		ck_assert(tile == 1 || (tile - 1) * p.lin_tok_s < p.w_layer_s);
		/* the comment block names the config and the point */
		for (int k = 0; k < EMIT_N_HEADERS; k++) {
			ck_assert_ptr_nonnull(strstr(t[k], c.sha256));
			snprintf(buf, sizeof buf, "design '%s'", c.designs[i].name);
			ck_assert_ptr_nonnull(strstr(t[k], buf));
			ck_assert_ptr_nonnull(strstr(t[k], "ttft at"));
		}
		emit_texts_free(t);
	}
	cfg_release(&c);
}
END_TEST

/* Every #define is an integer, except the few keyword macros and the
 * PDS_PRAGMA helpers; every header has its include guard. */
START_TEST(plain_integer_defines_and_guards)
{
	cfg_t c;
	tu_load_default(&c);
	char *t[EMIT_N_HEADERS];
	render(&c, &c.designs[1].d, c.designs[1].name, t);
	static const char *const keyword_suffix[] = {"_BUNDLE", "_PARTITION", "_IMPL", NULL};
	int keywords = 0;
	for (int i = 0; i < EMIT_N_HEADERS; i++) {
		char guard[64];
		snprintf(guard, sizeof guard, "#ifndef PDS_HLS_");
		ck_assert_ptr_nonnull(strstr(t[i], guard));
		ck_assert_ptr_nonnull(strstr(t[i], "\n#endif\n"));
		for (const char *p = strstr(t[i], "\n#define "); p; p = strstr(p + 1, "\n#define ")) {
			char name[64], val[128];
			ck_assert_int_eq(sscanf(p + 9, "%63s", name), 1);
			if (strncmp(name, "PDS_PRAGMA", 10) == 0 || strncmp(name, "PDS_HLS_", 8) == 0)
				continue;
			ck_assert(defval(t[i], name, val, sizeof val) != NULL);
			char *end;
			strtol(val, &end, 10);
			if (*val && !*end)
				continue;
			bool kw = false;
			for (int k = 0; keyword_suffix[k]; k++) {
				size_t n = strlen(name), s = strlen(keyword_suffix[k]);
				kw |= n > s && strcmp(name + n - s, keyword_suffix[k]) == 0;
			}
			ck_assert_msg(kw, "%s: '%s' is '%s', neither an integer nor a keyword macro", emit_header_names[i], name,
				      val);
			keywords++;
		}
	}
	ck_assert_int_gt(keywords, 0);
	emit_texts_free(t);
	cfg_release(&c);
}
END_TEST

/* The keyword macros form valid pragmas the way the kernels use them. */
START_TEST(keyword_macros_form_valid_pragmas)
{
	cfg_t c;
	tu_load_default(&c);
	for (int i = 0; i < c.n_designs; i++) {
		char *t[EMIT_N_HEADERS], buf[128], line[512], err[512];
		render(&c, &c.designs[i].d, c.designs[i].name, t);
		snprintf(line, sizeof line, "#pragma HLS array_partition variable=qb %s dim=2",
			 kval(t, "PDS_PRE_HD_PARTITION", buf, sizeof buf));
		ck_assert_msg(pragma_check(line, NULL, 0, err, sizeof err) == 0, "%s: %s", line, err);
		snprintf(line, sizeof line, "#pragma HLS array_partition variable=qh %s dim=1",
			 kval(t, "PDS_DEC_HD_PARTITION", buf, sizeof buf));
		ck_assert_msg(pragma_check(line, NULL, 0, err, sizeof err) == 0, "%s: %s", line, err);
		snprintf(line, sizeof line, "#pragma HLS bind_storage variable=acc type=ram_2p impl=%s",
			 kval(t, "PDS_TLMM_ACC_IMPL", buf, sizeof buf));
		ck_assert_msg(pragma_check(line, NULL, 0, err, sizeof err) == 0, "%s: %s", line, err);
		snprintf(line, sizeof line,
			 "#pragma HLS interface mode=m_axi port=w0 bundle=%s offset=slave max_read_burst_length=%ld "
			 "num_read_outstanding=%ld max_widen_bitwidth=%ld",
			 kval(t, "PDS_W0_BUNDLE", buf, sizeof buf), ival(t, "PDS_W_BURST"), ival(t, "PDS_W_OUTSTANDING"),
			 ival(t, "PDS_W0_WIDEN_BITS"));
		ck_assert_msg(pragma_check(line, NULL, 0, err, sizeof err) == 0, "%s: %s", line, err);
		emit_texts_free(t);
	}
	cfg_release(&c);
}
END_TEST

/* lanes == head_dim: the partition is complete and carries no factor. */
START_TEST(complete_partition_without_factor)
{
	/* head_dim 32; the design space may not list lanes beyond it */
	char *text = tu_edit("head_dim: 96", "head_dim: 32"), err[1024];
	char *lanes = strstr(text, "decode_lanes: [8, 16, 32, 48]");
	ck_assert_ptr_nonnull(lanes);
	memcpy(lanes, "decode_lanes: [8, 16, 32]    ", strlen("decode_lanes: [8, 16, 32, 48]"));
	cfg_t c;
	ck_assert_msg(config_load_buffer(&c, "edited.yaml", text, strlen(text), err, sizeof err) == 0, "%s", err);
	design_t d = c.designs[1].d;
	d.pre_pe = 1;
	d.pre_lanes = 32;
	d.dec_lanes = 32;
	char *t[EMIT_N_HEADERS], buf[128];
	render(&c, &d, "full", t);
	ck_assert_str_eq(kval(t, "PDS_PRE_HD_PARTITION", buf, sizeof buf), "type=complete");
	ck_assert_str_eq(kval(t, "PDS_DEC_HD_PARTITION", buf, sizeof buf), "type=complete");
	ck_assert_int_eq(ival(t, "PDS_PRE_CHUNKS"), 1);
	emit_texts_free(t);
	cfg_release(&c);
	free(text);
}
END_TEST

START_TEST(byte_identical)
{
	mkdir("build", 0777);
	mkdir(OUTDIR, 0777);
	cfg_t c, c2;
	char err[1024];
	mkdir(OUTDIR, 0755); /* the headers' directory is made, its parent must exist */
	tu_load_default(&c);
	/* the same text under another name: the path is not part of the output */
	size_t len;
	char *text = tu_read(KV260, &len);
	ck_assert_msg(config_load_buffer(&c2, "elsewhere/kv260-copy.yaml", text, len, err, sizeof err) == 0, "%s", err);
	for (int i = 0; i < c.n_designs; i++) {
		char *a[EMIT_N_HEADERS], *b[EMIT_N_HEADERS];
		render(&c, &c.designs[i].d, c.designs[i].name, a);
		render(&c2, &c2.designs[i].d, c2.designs[i].name, b);
		for (int k = 0; k < EMIT_N_HEADERS; k++)
			ck_assert_str_eq(a[k], b[k]);
		emit_texts_free(a);
		emit_texts_free(b);
	}
	/* two writes give the same files */
	emit_meta m;
	emit_meta_init(&m, &c, &c.designs[1].d, c.designs[1].name, -1, -1);
	ck_assert_msg(emit_write(&c, &c.designs[1].d, &m, OUTDIR "/a", err, sizeof err) == 0, "%s", err);
	ck_assert_msg(emit_write(&c, &c.designs[1].d, &m, OUTDIR "/b", err, sizeof err) == 0, "%s", err);
	for (int k = 0; k < EMIT_N_HEADERS; k++) {
		char pa[256], pb[256];
		snprintf(pa, sizeof pa, OUTDIR "/a/%s", emit_header_names[k]);
		snprintf(pb, sizeof pb, OUTDIR "/b/%s", emit_header_names[k]);
		char *x = tu_read(pa, NULL), *y = tu_read(pb, NULL);
		ck_assert_str_eq(x, y);
		free(x);
		free(y);
	}
	free(text);
	cfg_release(&c);
	cfg_release(&c2);
}
END_TEST

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || strncmp(e->d_name, ".pds_", 5) == 0;
	closedir(d);
	return n;
}

/* A design that breaks a constraint is refused, and nothing is written:
 * the previous headers stay as they were. */
START_TEST(infeasible_refused_nothing_written)
{
	mkdir("build", 0777);
	mkdir(OUTDIR, 0777);
	cfg_t c;
	char err[1024];
	mkdir(OUTDIR, 0755);
	tu_load_default(&c);
	design_t big = c.designs[0].d, slow = c.designs[0].d;
	big.tlmm_tables = 200; /* far more LUTs than the device has */
	slow.pre_pe = 1;       /* TTFT beyond t_pre_max */
	slow.pre_lanes = 1;
	emit_meta m;
	char *t[EMIT_N_HEADERS];
	emit_meta_init(&m, &c, &big, "big", -1, -1);
	ck_assert_int_eq(emit_render(&c, &big, &m, t, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "violates a constraint"));
	ck_assert_ptr_nonnull(strstr(err, "lut"));
	for (int k = 0; k < EMIT_N_HEADERS; k++)
		ck_assert_ptr_null(t[k]);
	emit_meta_init(&m, &c, &slow, "slow", -1, -1);
	ck_assert_int_eq(emit_render(&c, &slow, &m, t, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "TTFT"));

	/* into a fresh directory: not even the directory appears */
	ck_assert_int_eq(emit_write(&c, &big, &m, OUTDIR "/never", err, sizeof err), -1);
	ck_assert_int_eq(count_files(OUTDIR "/never"), -1);
	/* over good headers: they stay, byte for byte, and no temporary is left */
	emit_meta_init(&m, &c, &c.designs[0].d, c.designs[0].name, -1, -1);
	ck_assert_msg(emit_write(&c, &c.designs[0].d, &m, OUTDIR "/keep", err, sizeof err) == 0, "%s", err);
	char *before = tu_read(OUTDIR "/keep/pds_static.h", NULL);
	ck_assert_int_eq(emit_write(&c, &big, &m, OUTDIR "/keep", err, sizeof err), -1);
	char *after = tu_read(OUTDIR "/keep/pds_static.h", NULL);
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(count_files(OUTDIR "/keep"), EMIT_N_HEADERS);
	free(before);
	free(after);
	cfg_release(&c);
}
END_TEST

/* What the kernels cannot build is refused with the reason. */
START_TEST(unbuildable_refused)
{
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
		{"kv_bytes: 2", "kv_bytes: 4", "FP16"},
		{"act_bits: 8", "act_bits: 4", "int8"},
		{"head_dim: 96", "head_dim: 95", "do not divide head_dim 95"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text = tu_edit(cases[i].from, cases[i].to), err[1024];
		cfg_t c;
		ck_assert_msg(config_load_buffer(&c, "edited.yaml", text, strlen(text), err, sizeof err) == 0, "%s", err);
		const design_t *d = &c.designs[1].d; /* pdswap: K and V on two ports in decode */
		emit_meta m;
		char *t[EMIT_N_HEADERS];
		emit_meta_init(&m, &c, d, "pdswap", -1, -1);
		ck_assert_int_eq(emit_render(&c, d, &m, t, err, sizeof err), -1);
		ck_assert_msg(strstr(err, cases[i].want) != NULL, "'%s' -> '%s': got '%s'", cases[i].from, cases[i].to, err);
		cfg_release(&c);
		free(text);
	}
}
END_TEST

/*
 * The K/V cache in the headers, by hand: pdswap with 8 PEs of 4 lanes, 16
 * decode lanes in the head pipeline (32 MAC lanes), an int4 cache (groups of
 * 24, FP16 scales) and a tier of 1 sink + 3 window keys in the decode RM.
 * K is on one port in prefill and two in decode: 2 slices of 48 elements, a
 * record 48/2 + 48/24 x 2 = 28 bytes; a tier record of a head 96/2 + 96/24 x 2
 * = 56 bytes; banks ceil(32 x 4 / 64) = 2; depth 64 + 4.
 */
START_TEST(kv_cache_in_the_headers)
{
	cfg_t c;
	tu_load_default(&c);
	design_t d = c.designs[cfg_find_design(&c, "pdswap")].d;
	d.pre_pe = 8;
	d.pre_lanes = 4;
	d.dec_lanes = 16;
	d.dec_dataflow = DF_HEAD_PIPE;
	d.kv_prec = KV_INT4;
	d.kv_sinks = 1;
	d.kv_window = 3;
	d.kv_tier = KV_TIER_RP;
	char *t[EMIT_N_HEADERS];
	render(&c, &d, "kv", t);
	ck_assert_int_eq(ival(t, "PDS_KV_PREC"), 2);
	ck_assert_int_eq(ival(t, "PDS_KV_BITS"), 4);
	ck_assert_int_eq(ival(t, "PDS_KV_GROUP"), 24);
	ck_assert_int_eq(ival(t, "PDS_KV_SCALE_BYTES"), 2);
	ck_assert_int_eq(ival(t, "PDS_K_SLICES"), 2);
	ck_assert_int_eq(ival(t, "PDS_K_REC"), 48 / 2 + 48 / 24 * 2);
	ck_assert_int_eq(ival(t, "PDS_KV_KEY_BYTES"), 16 * (96 / 2 + 96 / 24 * 2));
	ck_assert_int_eq(ival(t, "PDS_KV_TIER"), 2);
	ck_assert_int_eq(ival(t, "PDS_KV_SINKS"), 1);
	ck_assert_int_eq(ival(t, "PDS_KV_WINDOW"), 3);
	ck_assert_int_eq(ival(t, "PDS_KV_TIER_KEYS"), 4);
	ck_assert_int_eq(ival(t, "PDS_KV_TIER_REC"), 96 / 2 + 96 / 24 * 2);
	ck_assert_int_eq(ival(t, "PDS_KV_TIER_ROWS"), 24 * 4 * 16);
	ck_assert_int_eq(ival(t, "PDS_KV_TIER_BANKS"), 2);
	ck_assert_int_eq(ival(t, "PDS_DEC_DEPTH"), 64 + 4);
	ck_assert_int_eq(ival(t, "PDS_PRE_DEPTH"), 64 + 4);
	char buf[64];
	ck_assert_str_eq(kval(t, "PDS_KV_TIER_IMPL", buf, sizeof buf), "uram");
	ck_assert_ptr_nonnull(strstr(t[0], "does not predict model accuracy"));
	emit_texts_free(t);
	/* FP16, no tier: the cache as before, no accuracy note */
	d = c.designs[cfg_find_design(&c, "pdswap")].d;
	render(&c, &d, "pdswap", t);
	ck_assert_int_eq(ival(t, "PDS_KV_BITS"), 16);
	ck_assert_int_eq(ival(t, "PDS_K_REC"), 48);
	ck_assert_int_eq(ival(t, "PDS_KV_TIER_KEYS"), 0);
	ck_assert_int_eq(ival(t, "PDS_DEC_DEPTH"), 64);
	ck_assert_ptr_null(strstr(t[0], "does not predict model accuracy"));
	emit_texts_free(t);
	cfg_release(&c);
}
END_TEST

/* A K/V cache the kernels cannot read is refused with the reason. */
START_TEST(kv_cache_unbuildable_refused)
{
	/* int8 groups of 48 with K on four ports in decode: slices of 24 */
	cfg_t c;
	char err[1024];
	char *text = tu_edit("kv2x2: {q: [HP0], k: [HP0, HP1], v: [HP2, HP3],", "kv2x2: {q: [HP0], k: [HP0, HP1, HP2, HP3], v: [HP2, HP3],");
	ck_assert_msg(config_load_buffer(&c, "edited.yaml", text, strlen(text), err, sizeof err) == 0, "%s", err);
	free(text);
	design_t d = c.designs[cfg_find_design(&c, "pdswap")].d;
	d.pre_pe = 8;
	d.pre_lanes = 4;
	d.kv_prec = KV_INT8;
	emit_meta m;
	char *t[EMIT_N_HEADERS];
	emit_meta_init(&m, &c, &d, "kv", -1, -1);
	ck_assert_int_eq(emit_render(&c, &d, &m, t, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "tensor K is split into 4 slices of 24 elements") && strstr(err, "group of 48"), "%s", err);
	/* the same design in int4 (groups of 24) builds */
	d.kv_prec = KV_INT4;
	ck_assert_msg(emit_render(&c, &d, &m, t, err, sizeof err) == 0, "%s", err);
	emit_texts_free(t);
	cfg_release(&c);
	/* one-byte scales */
	text = tu_edit("  int8: {group_size: 48, scale_bytes: 2,", "  int8: {group_size: 48, scale_bytes: 1,");
	ck_assert_msg(config_load_buffer(&c, "edited.yaml", text, strlen(text), err, sizeof err) == 0, "%s", err);
	free(text);
	d = c.designs[cfg_find_design(&c, "pdswap")].d;
	d.pre_pe = 8;
	d.pre_lanes = 4;
	d.kv_prec = KV_INT8;
	emit_meta_init(&m, &c, &d, "kv", -1, -1);
	ck_assert_int_eq(emit_render(&c, &d, &m, t, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "FP16 (2) or FP32 (4) scales"), "%s", err);
	cfg_release(&c);
}
END_TEST

START_TEST(pragma_check_accepts)
{
	static const char *const good[] = {
		"#pragma HLS pipeline II=1",
		"#pragma HLS PIPELINE II=4 rewind",
		"#pragma HLS unroll",
		"#pragma HLS unroll factor=8 skip_exit_check",
		"#pragma HLS loop_tripcount min=1 max=2048 avg=64",
		"#pragma HLS dataflow",
		"#pragma HLS stream variable=kf depth=32",
		"#pragma HLS array_partition variable=a type=cyclic factor=4 dim=2",
		"#pragma HLS array_partition variable=a type=block factor=2 dim=1",
		"#pragma HLS array_partition variable=a type=complete dim=0",
		"#pragma HLS array_partition variable=a dim=1",
		"#pragma HLS bind_storage variable=w type=ram_s2p impl=uram",
		"#pragma HLS bind_storage variable=r type=rom_1p impl=lutram latency=2",
		"#pragma HLS dependence variable=acc type=inter direction=RAW distance=192 true",
		"#pragma HLS dependence variable=acc type=inter dependent=false",
		"#pragma HLS interface mode=m_axi port=w0 bundle=hp0 offset=slave max_read_burst_length=16 "
		"num_read_outstanding=16 max_widen_bitwidth=128",
		"#pragma HLS interface mode=m_axi port=o0 bundle=hp3 offset=direct max_write_burst_length=256 "
		"num_write_outstanding=1 max_widen_bitwidth=0",
		"#pragma HLS interface mode=s_axilite port=return",
		"#pragma HLS interface mode=s_axilite port=k bundle=control offset=16",
		"#pragma HLS interface mode=ap_memory port=x",
		"  #  pragma HLS inline off",
		"HLS loop_flatten off",
	};
	char err[512];
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ck_assert_msg(pragma_check(good[i], NULL, 0, err, sizeof err) == 0, "'%s': %s", good[i], err);
}
END_TEST

START_TEST(pragma_check_rejects)
{
	static const struct {
		const char *line, *want;
	} bad[] = {
		{"#pragma HLS array_partition variable=a type=complete factor=2", "not allowed with type=complete"},
		{"#pragma HLS array_partition variable=a factor=2", "not allowed with type=complete"},
		{"#pragma HLS array_partition variable=a type=cyclic dim=1", "needs 'factor'"},
		{"#pragma HLS array_partition variable=a type=cyclic factor=2.5", "must be an integer"},
		{"#pragma HLS array_partition type=block factor=2", "'variable' is required"},
		{"#pragma HLS array_partition variable=a type=diagonal factor=2", "must be one of"},
		{"#pragma HLS unroll factor=2.5", "must be an integer, got '2.5'"},
		{"#pragma HLS unroll factor=0", "must be in [1,"},
		{"#pragma HLS unroll factor", "needs a value"},
		{"#pragma HLS pipeline II=1 speed=fast", "unknown option 'speed'"},
		{"#pragma HLS pipeline II=1 II=2", "given twice"},
		{"#pragma HLS pipeline rewind=yes", "takes no value"},
		{"#pragma HLS pipeline II=", "has no value"},
		{"#pragma HLS vectorize factor=4", "unknown HLS pragma 'vectorize'"},
		{"#pragma omp parallel", "not an HLS pragma"},
		{"#pragma HLS", "without a pragma name"},
		{"#pragma HLS interface port=a", "'mode' is required"},
		{"#pragma HLS interface mode=m_axi bundle=g", "'port' is required"},
		{"#pragma HLS interface mode=m_axi port=a offset=maybe", "off, direct or slave"},
		{"#pragma HLS interface mode=m_axi port=a max_widen_bitwidth=96", "power of two"},
		{"#pragma HLS interface mode=m_axi port=a max_widen_bitwidth=2048", "power of two"},
		{"#pragma HLS interface mode=m_axi port=a max_read_burst_length=512", "must be in [1, 256]"},
		{"#pragma HLS interface mode=m_axi port=a bundle=hp-0", "C identifier"},
		{"#pragma HLS interface mode=axis port=a max_read_burst_length=16", "m_axi option"},
		{"#pragma HLS interface mode=ap_memory port=a bundle=g", "'bundle' is for m_axi"},
		{"#pragma HLS interface mode=s_axilite port=a offset=slave", "must be an integer"},
		{"#pragma HLS bind_storage variable=a impl=uram", "'type' is required"},
		{"#pragma HLS bind_storage variable=a type=rom_1p impl=uram", "not an implementation of type=rom_1p"},
		{"#pragma HLS bind_storage variable=a type=ram_t2p impl=lutram", "not an implementation"},
		{"#pragma HLS stream variable=s depth=-1", "must be an integer"},
		{"#pragma HLS loop_tripcount min=8 max=4", "exceeds max"},
		{"#pragma HLS loop_tripcount min=1", "'max' is required"},
		{"#pragma HLS dependence variable=a class=array type=inter false", "exclude each other"},
		{"#pragma HLS dependence variable=a type=inter distance=4 false", "needs a true dependence"},
		{"#pragma HLS dependence variable=a type=intra direction=RAW false", "type=inter only"},
		{"#pragma HLS dependence variable=a true false", "once"},
	};
	char err[512];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		ck_assert_msg(pragma_check(bad[i].line, NULL, 0, err, sizeof err) == -1, "accepted: '%s'", bad[i].line);
		ck_assert_msg(strstr(err, bad[i].want) != NULL, "'%s': error '%s' lacks '%s'", bad[i].line, err,
			      bad[i].want);
	}
}
END_TEST

START_TEST(pragma_check_macros)
{
	const pragma_define defs[] = {{"PDS_NPE", "4"},      {"PDS_ALIAS", "PDS_NPE"}, {"PDS_BUNDLE", "hp0"},
				   {"PDS_HALF", " 2.5 "}, {"PDS_LOOP", "PDS_LOOP"}, {"PDS_PART", "cyclic"}};
	const int n = (int)(sizeof defs / sizeof defs[0]);
	char err[512];
	ck_assert_int_eq(pragma_check("#pragma HLS unroll factor=PDS_NPE", defs, n, err, sizeof err), 0);
	ck_assert_int_eq(pragma_check("#pragma HLS unroll factor=PDS_ALIAS", defs, n, err, sizeof err), 0);
	ck_assert_int_eq(pragma_check("#pragma HLS interface mode=m_axi port=a bundle=PDS_BUNDLE", defs, n, err,
					  sizeof err),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "must come through PDS_PRAGMA"));
	ck_assert_int_eq(pragma_check("#pragma HLS array_partition variable=a type=PDS_PART factor=2", defs, n, err,
					  sizeof err),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "keyword 'cyclic'"));
	ck_assert_int_eq(pragma_check("#pragma HLS unroll factor=PDS_HALF", defs, n, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "must be an integer, got '2.5'"));
	ck_assert_int_eq(pragma_check("#pragma HLS unroll factor=PDS_LOOP", defs, n, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "expands to itself"));
	/* without the definitions, a macro name is not an integer */
	ck_assert_int_eq(pragma_check("#pragma HLS unroll factor=PDS_NPE", NULL, 0, err, sizeof err), -1);
}
END_TEST

START_TEST(meta_carries_model_figures)
{
	cfg_t c;
	tu_load_default(&c);
	workload_t w;
	workload_init(&w, &c.model);
	const design_t *d = &c.designs[1].d;
	emit_meta m;
	emit_meta_init(&m, &c, d, "pdswap", 7, 3);
	perf_ctx p;
	perf_prepare(&p, &c, &w, d);
	ck_assert_str_eq(m.config_sha256, c.sha256);
	ck_assert_int_eq(m.run_id, 7);
	ck_assert_int_eq(m.point_id, 3);
	ck_assert_double_eq_tol(m.ttft_s, perf_ttft_s(&p, c.obj.prompt), 1e-12);
	ck_assert_double_eq_tol(m.decode_tok_s_long, perf_decode_tok_s(&p, c.obj.l_long), 1e-12);
	ck_assert_double_eq_tol(m.objective, perf_objective(&p), 1e-12);
	ck_assert(m.swap_s > 0);
	char *t[EMIT_N_HEADERS], err[1024];
	ck_assert_int_eq(emit_render(&c, d, &m, t, err, sizeof err), 0);
	ck_assert_ptr_nonnull(strstr(t[0], "point           3 of run 7 (design 'pdswap')"));
	ck_assert_ptr_nonnull(strstr(t[0], "--point 3 --run 7"));
	emit_texts_free(t);
	cfg_release(&c);
}
END_TEST

Suite *emit_suite(void)
{
	Suite *s = suite_create("emit");
	TCase *t = tcase_create("headers");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, values_mean_the_design);
	tcase_add_test(t, plain_integer_defines_and_guards);
	tcase_add_test(t, keyword_macros_form_valid_pragmas);
	tcase_add_test(t, complete_partition_without_factor);
	tcase_add_test(t, byte_identical);
	tcase_add_test(t, infeasible_refused_nothing_written);
	tcase_add_test(t, unbuildable_refused);
	tcase_add_test(t, meta_carries_model_figures);
	tcase_add_test(t, kv_cache_in_the_headers);
	tcase_add_test(t, kv_cache_unbuildable_refused);
	suite_add_tcase(s, t);
	TCase *p = tcase_create("pragmas");
	tcase_add_test(p, pragma_check_accepts);
	tcase_add_test(p, pragma_check_rejects);
	tcase_add_test(p, pragma_check_macros);
	suite_add_tcase(s, p);
	return s;
}
