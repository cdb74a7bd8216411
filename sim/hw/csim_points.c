/*
 * csim_points.c - headers for the edge design points of the C simulation.
 *
 *   csim_points CONFIG OUTROOT
 *
 * Starting from the config's published PD-Swap design
 * (measurements.dpr_design), writes the headers of each point below into
 * OUTROOT/NAME/ through emit_write(), and prints NAME per line.  A point
 * that needs another model or port map gets its edited config written
 * next to its headers as OUTROOT/NAME/config.yaml, for the test bench to
 * load.  Every point must be feasible: a refused point is an error here
 * (exit 1), since it would leave its edge untested.
 *
 *   edge_tq      T*G divides no K and Q divides no N (T 28, Q 7)
 *   edge_attn    N_pe 9 divides none of the tested prompts but 9, K/V block 16
 *                > N_pe, lanes 5 (prefill) and 20 (decode) divide no
 *                head_dim; the head_pipeline decode dataflow
 *   edge_static  static mode with the decode port map that splits K/V over
 *                two ports, preloads Q and writes O last; lanes 6 and 12;
 *                the serial decode dataflow
 *   edge_full    head_dim 32 = lanes (complete partition, no factor); one
 *                weight port; Q and O on two ports in prefill, K and V on
 *                four in decode; N_pe 1
 *   edge_hpipe   the head_pipeline dataflow with the one-port-per-tensor
 *                decode map (Q loaded per head, O written per head)
 *   edge_int8    an int8 K/V cache with group scales (kv_overlap, K and V
 *                on two ports in decode), no tier
 *   edge_int4_tier  an int4 cache and a tier of 1 sink + 3 window keys per
 *                layer in the decode RM, the head_pipeline dataflow
 *   edge_int8_static  static mode, an int8 cache and a tier of one sink key
 *                per layer in the static region, the serial dataflow
 *   edge_rms     a set of three modules (design edge_set): a prefill engine
 *                of 9 PEs x 5 lanes, block 16; a head_pipeline decode engine
 *                of 20 lanes; a hybrid of 3 x 2 lanes and a serial decode
 *                engine of 12 lanes, both on a port map with K and V on
 *                four ports, so that the DDR layout every module shares has
 *                four K and V slices where the first two need two
 * The other points keep the published design's dataflow (kv_overlap) and
 * its FP16 cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "models/cfg.h"
#include "hls/emit.h"

typedef struct {
	const char *from, *to;
} edit_t;

typedef struct {
	const char *name;
	const char *design;             /* NULL: measurements.dpr_design */
	int mode;                       /* -1 keep, else arch_mode */
	int T, Q, pe, pre_lanes, block, dec_lanes;
	const char *pm_dec;             /* NULL: keep */
	int dataflow;                   /* -1 keep, else dataflow_t */
	edit_t edits[5];                /* config text edits */
	int kv_prec, kv_window, kv_sinks, kv_tier; /* the K/V cache (0: fp16, no tier) */
} point_t;

static const point_t points[] = {
	{"edge_tq", NULL, -1, 28, 7, -1, -1, -1, -1, NULL, -1, {{NULL, NULL}}},
	{"edge_attn", NULL, -1, -1, -1, 9, 5, 16, 20, NULL, DF_HEAD_PIPE, {{NULL, NULL}}},
	{"edge_static", NULL, MODE_STATIC, -1, -1, 8, 6, 2, 12, "kv2x2", DF_SERIAL, {{NULL, NULL}}},
	{"edge_hpipe", NULL, -1, -1, -1, -1, -1, -1, 16, "qkvo", DF_HEAD_PIPE, {{NULL, NULL}}},
	{"edge_rms", "edge_set", -1, -1, -1, -1, -1, -1, -1, NULL, -1,
	 {{"  pblocks:                      # candidate",
	   "    kv4: {q: [HP1], k: [HP0, HP1, HP2, HP3], v: [HP0, HP1, HP2, HP3], o: [HP2]}\n"
	   "  pblocks:                      # candidate"},
	  {"\ndesign_space:",
	   "  edge_set:\n"
	   "    mode: dpr\n"
	   "    clock_mhz: 250\n"
	   "    tlmm: {tables: 28, lanes: 8}\n"
	   "    rms:\n"
	   "      - {name: pre9, prefill: {pe: 9, lanes: 5, block: 16, burst_beats: 16, outstanding: 8, port_map: qkvo}}\n"
	   "      - {name: dec20, decode: {lanes: 20, burst_beats: 16, outstanding: 16, dataflow: head_pipeline,"
	   " port_map: kv2x2}}\n"
	   "      - name: hyb\n"
	   "        prefill: {pe: 3, lanes: 2, block: 1, burst_beats: 16, outstanding: 4, port_map: kv4}\n"
	   "        decode: {lanes: 12, burst_beats: 16, outstanding: 4, dataflow: serial, port_map: kv4}\n"
	   "    rp: rp_m\n"
	   "\ndesign_space:"}},
	 KV_FP16, 0, 0, KV_TIER_NONE},
	{"edge_full", NULL, -1, -1, -1, 1, 32, 4, 32, NULL, -1,
	 {{"head_dim: 96", "head_dim: 32"},
	  {"decode_lanes: [8, 16, 32, 48]", "decode_lanes: [8, 16, 32]"}, /* lanes <= head_dim */
	  {"weight_ports: [HP0, HP1, HP3]", "weight_ports: [HP2]"},
	  {"qkvo: {q: [HP0], k: [HP1], v: [HP2], o: [HP3]}", "qkvo: {q: [HP0, HP1], k: [HP1], v: [HP2], o: [HP2, HP3]}"},
	  {"kv2x2: {q: [HP0], k: [HP0, HP1], v: [HP2, HP3], o: [HP3],",
	   "kv2x2: {q: [HP0], k: [HP0, HP1, HP2, HP3], v: [HP0, HP1, HP2, HP3], o: [HP3],"}},
	 KV_FP16, 0, 0, KV_TIER_NONE},
	{"edge_int8", NULL, -1, -1, -1, 8, 4, -1, -1, NULL, -1, {{NULL, NULL}}, KV_INT8, 0, 0, KV_TIER_NONE},
	{"edge_int4_tier", NULL, -1, -1, -1, 8, 4, -1, 16, NULL, DF_HEAD_PIPE, {{NULL, NULL}}, KV_INT4, 3, 1, KV_TIER_RP},
	{"edge_int8_static", NULL, MODE_STATIC, -1, -1, 8, 4, -1, 8, "qkvo", DF_SERIAL, {{NULL, NULL}}, KV_INT8, 0, 1,
	 KV_TIER_STATIC},
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *b = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			char *q = realloc(b, cap);
			if (!q) {
				free(b);
				fclose(f);
				return NULL;
			}
			b = q;
		}
		size_t k = fread(b + n, 1, 4096, f);
		n += k;
		if (k < 4096)
			break;
	}
	fclose(f);
	b[n] = '\0';
	*len = n;
	return b;
}

/* Replace the first `from` by `to`; NULL when `from` is absent. */
static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	if (!at)
		return NULL;
	size_t n = strlen(text), fl = strlen(from), tl = strlen(to);
	char *o = malloc(n - fl + tl + 1);
	if (!o)
		return NULL;
	memcpy(o, text, (size_t)(at - text));
	memcpy(o + (at - text), to, tl);
	memcpy(o + (at - text) + tl, at + fl, n - (size_t)(at - text) - fl + 1);
	return o;
}

static int emit_point(const char *path, const char *text, const point_t *pt, const char *root)
{
	char err[1024], dir[4096], name[4200];
	char *t = strdup(text);
	int rc = 1;
	for (int i = 0; t && i < (int)(sizeof pt->edits / sizeof pt->edits[0]) && pt->edits[i].from; i++) {
		char *u = replace(t, pt->edits[i].from, pt->edits[i].to);
		if (!u) {
			fprintf(stderr, "csim_points: %s: '%s' not found in %s\n", pt->name, pt->edits[i].from, path);
			free(t);
			return 1;
		}
		free(t);
		t = u;
	}
	if (!t)
		return 1;
	snprintf(name, sizeof name, "%s (edited for %s)", path, pt->name);
	cfg_t c;
	if (config_load_buffer(&c, pt->edits[0].from ? name : path, t, strlen(t), err, sizeof err)) {
		fprintf(stderr, "csim_points: %s\n", err);
		free(t);
		return 1;
	}
	int base = cfg_find_design(&c, pt->design ? pt->design : c.meas.dpr_design);
	if (base < 0) {
		fprintf(stderr, "csim_points: %s names no design '%s'\n", path, pt->design ? pt->design : c.meas.dpr_design);
		goto out;
	}
	design_t d = c.designs[base].d;
	if (pt->mode >= 0) {
		d.mode = (arch_mode)pt->mode;
		d.rp = d.mode == MODE_DPR ? d.rp : -1;
	}
	int *const f[] = {&d.tlmm_tables, &d.tlmm_lanes, &d.pre_pe, &d.pre_lanes, &d.pre_block, &d.dec_lanes};
	const int v[] = {pt->T, pt->Q, pt->pe, pt->pre_lanes, pt->block, pt->dec_lanes};
	for (int i = 0; i < 6; i++)
		if (v[i] > 0)
			*f[i] = v[i];
	if (pt->dataflow >= 0)
		d.dec_dataflow = (dataflow_t)pt->dataflow;
	d.kv_prec = (kv_prec_t)pt->kv_prec;
	d.kv_window = pt->kv_window;
	d.kv_sinks = pt->kv_sinks;
	d.kv_tier = (kv_tier_t)pt->kv_tier;
	if (pt->pm_dec && (d.pm_dec = cfg_find_portmap(&c, pt->pm_dec)) < 0) {
		fprintf(stderr, "csim_points: %s has no port map '%s'\n", path, pt->pm_dec);
		goto out;
	}
	emit_meta meta;
	emit_meta_init(&meta, &c, &d, pt->name, -1, -1);
	snprintf(dir, sizeof dir, "%s/%s", root, pt->name);
	if (emit_write(&c, &d, &meta, dir, err, sizeof err)) {
		fprintf(stderr, "csim_points: %s: %s\n", pt->name, err);
		goto out;
	}
	if (pt->edits[0].from) {
		snprintf(name, sizeof name, "%s/config.yaml", dir);
		FILE *o = fopen(name, "wb");
		if (!o || fputs(t, o) < 0 || fclose(o)) {
			fprintf(stderr, "csim_points: cannot write %s\n", name);
			goto out;
		}
	}
	printf("%s\n", pt->name);
	rc = 0;
out:
	cfg_release(&c);
	free(t);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: csim_points CONFIG OUTROOT\n");
		return 2;
	}
	size_t len;
	char *text = slurp(argv[1], &len);
	if (!text) {
		fprintf(stderr, "csim_points: cannot read %s\n", argv[1]);
		return 2;
	}
	int rc = 0;
	for (size_t i = 0; i < sizeof points / sizeof points[0]; i++)
		rc |= emit_point(argv[1], text, &points[i], argv[2]);
	free(text);
	return rc;
}
