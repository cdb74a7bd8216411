/*
 * check_dfx.c - the DFX floorplan (dse/hls/dfx.h) run in tclsh.
 *
 * The Tcl and XDC that emit-dfx writes are sourced by tests/dfx_harness.tcl
 * with every Vivado command they call defined as a recording procedure;
 * the harness checks the recorded calls against facts written here from
 * the config (the grid, the per-site resources, what the larger RM needs
 * by engine_res_pre/engine_res_dec, the margin, the frame geometry), not
 * from dfx.c: every range on the grid and on whole clock-region rows, the
 * ranges holding at least the larger RM with the routability margin, the
 * project skeleton's partition, modules and configurations.  It counts the
 * partial bitstream from the recorded ranges, which must equal the size
 * the PCAP model of both models reconfigures with.  Broken files must make
 * the harness fail.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hls/dfx.h"
#include "models/engine.h"
#include "models/floorplan.h"
#include "models/perf.h"
#include "models/workload.h"
#include "sim/des.h"
#include "suites.h"
#include "testutil.h"

static char *tmpdir(void)
{
	char *d = strdup("/tmp/pds_dfx_XXXXXX");
	ck_assert(d && mkdtemp(d));
	return d;
}

/* The facts the harness checks against, from the config alone. */
static void write_facts(const cfg_t *c, const design_t *d, const char *path, double need_scale)
{
	FILE *f = fopen(path, "w");
	ck_assert(f);
	const cfg_grid *g = &c->dev.grid;
	fprintf(f, "set grid(rows) %d\n", g->rows);
	for (int t = 0; t < SITE_N; t++)
		fprintf(f, "set grid(per_row,%s) %d\nset grid(ncols,%s) %d\n", cfg_site_names[t], g->per_row[t],
			cfg_site_names[t], g->n_x[t]);
	fprintf(f, "set grid(lut_per_slice) %d\n", c->dev.fabric.lut_per_clb_col / g->per_row[SITE_SLICE]);
	fprintf(f, "set grid(ff_per_slice) %d\n", c->dev.fabric.ff_per_clb_col / g->per_row[SITE_SLICE]);
	res_t a = engine_res_pre(c, d), b = engine_res_dec(c, d);
	static const char *const key[RES_N] = {"LUT", "FF", "BRAM36", "URAM", "DSP"};
	for (int t = 0; t < RES_N; t++)
		fprintf(f, "set need(%s) %.17g\n", key[t], need_scale * (a.v[t] > b.v[t] ? a.v[t] : b.v[t]));
	fprintf(f, "set margin %.17g\n", c->cons.rp_margin);
	fprintf(f, "set cell %s\nset module %s\n", DFX_DEFAULT_CELL, DFX_DEFAULT_MODULE);
	const struct cfg_fabric *fb = &c->dev.fabric;
	fprintf(f, "set fr(clb) %d\nset fr(dsp) %d\nset fr(bram_config) %d\nset fr(bram_content) %d\n", fb->frames_clb,
		fb->frames_dsp, fb->frames_bram_config, fb->frames_bram_content);
	fprintf(f, "set fr(uram) %d\nset fr(int) %d\nset fr(frame_bytes) %d\nset fr(overhead) %d\n", fb->frames_uram,
		fb->frames_int, fb->frame_bytes, fb->bitstream_overhead_bytes);
	fclose(f);
}

typedef struct {
	int fails;
	bool done;
	double bytes;
	long frames;
	char first_fail[1100];
} harness_out;

static harness_out run_harness(const char *facts, const char *dir)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "tclsh tests/dfx_harness.tcl %s %s 2>&1", facts, dir);
	FILE *p = popen(cmd, "r");
	ck_assert(p);
	harness_out o = {0};
	char line[1024];
	while (fgets(line, sizeof line, p)) {
		if (strncmp(line, "FAIL: ", 6) == 0) {
			if (!o.fails++)
				snprintf(o.first_fail, sizeof o.first_fail, "%s", line);
		} else if (strncmp(line, "bytes ", 6) == 0) {
			o.bytes = atof(line + 6);
		} else if (strncmp(line, "frames ", 7) == 0) {
			o.frames = atol(line + 7);
		} else if (strcmp(line, "done\n") == 0) {
			o.done = true;
		}
	}
	int st = pclose(p);
	ck_assert_msg(o.fails ? st != 0 : st == 0, "harness exit %d with %d failures", st, o.fails);
	return o;
}

static void emit(const cfg_t *c, const design_t *d, const char *dir)
{
	dfx_plan p;
	char err[1024];
	ck_assert_msg(dfx_plan_of(c, d, &p, err, sizeof err) == 0, "%s", err);
	dfx_names n = {DFX_DEFAULT_CELL, DFX_DEFAULT_MODULE};
	ck_assert_msg(dfx_write(c, d, "test", &p, &n, dir, err, sizeof err) == 0, "%s", err);
}

/* Check one design's floorplan in tclsh, and its bitstream against both models. */
static void check_design(const cfg_t *c, const design_t *d)
{
	char *dir = tmpdir(), facts[512];
	snprintf(facts, sizeof facts, "%s/facts.tcl", dir);
	write_facts(c, d, facts, 1.0);
	emit(c, d, dir);
	harness_out o = run_harness(facts, dir);
	ck_assert_msg(o.fails == 0 && o.done, "pblock %s: %s", c->arch.pblocks[d->rp].name, o.first_fail);
	/* one source: the harness's count, the model's size, the DES's bytes */
	double model = engine_bitstream_bytes(c, &c->arch.pblocks[d->rp]);
	ck_assert_double_eq(o.bytes, model);
	workload_t w;
	workload_init(&w, &c->model);
	perf_ctx pc;
	perf_prepare(&pc, c, &w, d);
	ck_assert_double_eq(pc.bitstream_bytes, o.bytes);
	des_result r;
	char err[512];
	ck_assert_msg(des_run(c, &w, d, 16, 1, NULL, &r, err, sizeof err) == 0, "%s", err);
	ck_assert_double_eq_tol(r.bytes[DES_S_BITSTREAM], o.bytes, 1e-6 * o.bytes);
	/* and the JSON says the same */
	char jp[600];
	snprintf(jp, sizeof jp, "%s/pds_dfx.json", dir);
	json_error_t je;
	json_t *j = json_load_file(jp, 0, &je);
	ck_assert_msg(j, "%s", je.text);
	ck_assert_double_eq(json_real_value(json_object_get(j, "bitstream_bytes")), o.bytes);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "frames"), "total")), o.frames);
	json_decref(j);
	char rm[700];
	snprintf(rm, sizeof rm, "rm -rf %s", dir);
	ck_assert(system(rm) == 0);
	free(dir);
}

START_TEST(shipped_pblocks_in_tclsh)
{
	cfg_t c;
	tu_load_default(&c);
	design_t d = c.designs[cfg_find_design(&c, "pdswap")].d;
	check_design(&c, &d); /* rp_m */
	/* rp_l with a smaller static region outside it, and rp_s with RMs that fit it */
	d.rp = cfg_find_pblock(&c, "rp_l");
	d.tlmm_tables = 20;
	check_design(&c, &d);
	d.tlmm_tables = 28;
	d.rp = cfg_find_pblock(&c, "rp_s");
	d.pre_pe = 8;
	d.dec_lanes = 16;
	check_design(&c, &d);
	cfg_release(&c);
}
END_TEST

/* A pblock given as tile counts, placed on the grid, with ranges a config gave unsnapped. */
START_TEST(placed_and_widened_in_tclsh)
{
	cfg_t c;
	const char *const pairs[] = {
		"    - name: rp_s\n      sites: [SLICE_X40Y0:SLICE_X57Y179, SLICE_X58Y0:SLICE_X58Y119, "
		"DSP48E2_X10Y0:DSP48E2_X12Y71,\n              DSP48E2_X9Y0:DSP48E2_X9Y23, RAMB36_X1Y0:RAMB36_X2Y35, "
		"URAM288_X0Y0:URAM288_X0Y7]\n",
		"    - {name: rp_s, clb_tiles: 61, dsp_tiles: 11, bram_tiles: 7, uram_sites: 9}\n",
		"SLICE_X40Y0:SLICE_X60Y239, DSP48E2_X9Y0:DSP48E2_X12Y95",
		"SLICE_X40Y3:SLICE_X60Y230, DSP48E2_X9Y5:DSP48E2_X12Y90, RAMB18_X1Y1:RAMB18_X2Y94"};
	tu_load_edited(&c, "placed.yaml", pairs, 2);
	const cfg_pblock *s = &c.arch.pblocks[cfg_find_pblock(&c, "rp_s")];
	ck_assert(!s->from_ranges && s->n_ranges > 0);
	ck_assert_int_eq(s->clb_tiles, 61);
	const cfg_pblock *l = &c.arch.pblocks[cfg_find_pblock(&c, "rp_l")];
	ck_assert_int_eq(l->clb_tiles, 21 * 4); /* widened to the four rows */
	design_t d = c.designs[cfg_find_design(&c, "pdswap")].d;
	d.rp = cfg_find_pblock(&c, "rp_s");
	d.pre_pe = 8;
	d.dec_lanes = 16;
	check_design(&c, &d);
	d = c.designs[cfg_find_design(&c, "pdswap")].d;
	d.rp = cfg_find_pblock(&c, "rp_l");
	d.tlmm_tables = 20;
	check_design(&c, &d);
	cfg_release(&c);
}
END_TEST

/* Replace the first `from` in file path by `to`. */
static void edit(const char *path, const char *from, const char *to)
{
	char *b = tu_read(path, NULL), *at = strstr(b, from);
	ck_assert_msg(at, "'%s' not in %s", from, path);
	FILE *f = fopen(path, "w");
	ck_assert(f);
	fwrite(b, 1, (size_t)(at - b), f);
	fputs(to, f);
	fputs(at + strlen(from), f);
	fclose(f);
	free(b);
}

/* The harness can fail: each broken file, each too-large RM. */
START_TEST(harness_catches)
{
	cfg_t c;
	tu_load_default(&c);
	design_t d = c.designs[cfg_find_design(&c, "pdswap")].d;
	static const struct {
		const char *file, *from, *to, *fail;
	} breaks[] = {
		{"pds_floorplan.xdc", "SLICE_X56Y239}", "SLICE_X56Y238}", "not snapped"},
		{"pds_floorplan.xdc", "DSP48E2_X12Y95}", "DSP48E2_X13Y95}", "off the grid"},
		{"pds_floorplan.xdc", "set_property SNAPPING_MODE ON", "set_property SNAPPING_MODE OFF", "SNAPPING_MODE"},
		{"pds_floorplan.xdc", "RAMB18_X1Y0:RAMB18_X2Y95", "RAMB18_X1Y0:RAMB18_X1Y95", "RAMB18 ranges"},
		{"pds_floorplan.xdc", "[list pds_top_i/attention_rp]", "[list pds_top_i/other]", "add_cells_to_pblock"},
		{"pds_dfx_project.tcl", "create_reconfig_module -name rm_decode", "create_reconfig_module -name rm_dec",
		 "reconfig modules"},
		{"pds_dfx_project.tcl", "set_property PR_FLOW 1", "set_property PR_FLOW 0", "PR_FLOW"},
		{"pds_dfx_project.tcl", "create_pr_configuration -name cfg_decode -partitions [list pds_top_i/attention_rp:rm_decode]",
		 "create_pr_configuration -name cfg_decode -partitions [list pds_top_i/attention_rp:rm_prefill]",
		 "one configuration per RM"},
		{"pds_floorplan.xdc", "resize_pblock [get_pblocks pblock_rp_m] -add {SLICE_X40Y0:SLICE_X56Y239}\n", "",
		 "LUT: the RM needs"},
	};
	for (size_t i = 0; i < sizeof breaks / sizeof breaks[0]; i++) {
		char *dir = tmpdir(), facts[512], f[600];
		snprintf(facts, sizeof facts, "%s/facts.tcl", dir);
		write_facts(&c, &d, facts, 1.0);
		emit(&c, &d, dir);
		snprintf(f, sizeof f, "%s/%s", dir, breaks[i].file);
		edit(f, breaks[i].from, breaks[i].to);
		harness_out o = run_harness(facts, dir);
		ck_assert_msg(o.fails > 0, "break %zu passed", i);
		ck_assert_msg(strstr(o.first_fail, breaks[i].fail), "break %zu: '%s' lacks '%s'", i, o.first_fail,
			      breaks[i].fail);
		char rm[700];
		snprintf(rm, sizeof rm, "rm -rf %s", dir);
		ck_assert(system(rm) == 0);
		free(dir);
	}
	/* an RM needing more DSPs than the ranges hold */
	char *dir = tmpdir(), facts[512];
	snprintf(facts, sizeof facts, "%s/facts.tcl", dir);
	write_facts(&c, &d, facts, 1.3);
	emit(&c, &d, dir);
	harness_out o = run_harness(facts, dir);
	ck_assert(o.fails > 0 && strstr(o.first_fail, "the RM needs"));
	char rm[700];
	snprintf(rm, sizeof rm, "rm -rf %s", dir);
	ck_assert(system(rm) == 0);
	free(dir);
	cfg_release(&c);
}
END_TEST

START_TEST(refusals_and_bytes)
{
	cfg_t c;
	tu_load_default(&c);
	dfx_plan p;
	char err[1024];
	design_t t = c.designs[cfg_find_design(&c, "tellme")].d;
	ck_assert_int_eq(dfx_plan_of(&c, &t, &p, err, sizeof err), PDS_FAIL_REQUEST);
	ck_assert_msg(strstr(err, "static"), "%s", err);
	design_t d = c.designs[cfg_find_design(&c, "pdswap")].d;
	d.rp = cfg_find_pblock(&c, "rp_s"); /* its prefill RM needs more LUTs than rp_s's 85% */
	ck_assert_int_eq(dfx_plan_of(&c, &d, &p, err, sizeof err), PDS_FAIL);
	ck_assert_msg(strstr(err, "prefill RM needs") && strstr(err, "rp_s"), "%s", err);
	/* the same input gives the same bytes */
	d = c.designs[cfg_find_design(&c, "pdswap")].d;
	ck_assert(dfx_plan_of(&c, &d, &p, err, sizeof err) == 0);
	dfx_names n = {DFX_DEFAULT_CELL, DFX_DEFAULT_MODULE};
	char *a[DFX_N_FILES], *b[DFX_N_FILES];
	ck_assert(dfx_render(&c, &d, "x", &p, &n, a, err, sizeof err) == 0);
	ck_assert(dfx_render(&c, &d, "x", &p, &n, b, err, sizeof err) == 0);
	for (int i = 0; i < DFX_N_FILES; i++) {
		ck_assert_str_eq(a[i], b[i]);
		free(a[i]);
		free(b[i]);
	}
	cfg_release(&c);
	/* no grid */
	ck_assert(config_load(&c, "configs/zcu104.yaml", err, sizeof err) == 0);
	for (int i = 0; i < c.n_designs; i++)
		if (c.designs[i].d.mode == MODE_DPR) {
			ck_assert_int_eq(dfx_plan_of(&c, &c.designs[i].d, &p, err, sizeof err), PDS_FAIL_REQUEST);
			ck_assert_msg(strstr(err, "no clock-region grid"), "%s", err);
		}
	cfg_release(&c);
}
END_TEST

Suite *dfx_suite(void)
{
	Suite *s = suite_create("dfx");
	TCase *t = tcase_create("dfx");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, shipped_pblocks_in_tclsh);
	tcase_add_test(t, placed_and_widened_in_tclsh);
	tcase_add_test(t, harness_catches);
	tcase_add_test(t, refusals_and_bytes);
	suite_add_tcase(s, t);
	return s;
}
