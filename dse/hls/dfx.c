/*
 * dfx.c - the DFX floorplan of a dpr design (see dfx.h): plan the numbers
 * once, render three texts from them, write them together.
 *
 * The capacity of the ranges is counted from their sites: a SLICE holds
 * lut_per_clb / sites_per_row LUTs (8 on UltraScale+) and twice as many
 * FFs, a DSP48E2 site one DSP, a RAMB36 site one BRAM36, a URAM288 site
 * one URAM.  For ranges snapped to rows this is the tile count times the
 * per-column resources of perf.h (engine_pblock_capacity); the plan checks
 * that the two agree, so the XDC can only say what the model assumed.
 */
#include "hls/dfx.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/engine.h"
#include "models/floorplan.h"
#include "models/perf.h"
#include "models/platform.h"
#include "models/version.h"
#include "models/workload.h"
#include "sim/afile.h"

const char *const dfx_file_names[DFX_N_FILES] = {"pds_floorplan.xdc", "pds_dfx_project.tcl", "pds_dfx.json"};

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* What the ranges hold, counted from their sites. */
static res_t sites_capacity(const cfg_t *c, const cfg_pblock *pb)
{
	const cfg_grid *g = &c->dev.grid;
	res_t r;
	double lut_per_slice = (double)c->dev.fabric.lut_per_clb_col / g->per_row[SITE_SLICE];
	double ff_per_slice = (double)c->dev.fabric.ff_per_clb_col / g->per_row[SITE_SLICE];
	r.v[RES_LUT] = (double)floorplan_sites(g, pb, SITE_SLICE) * lut_per_slice;
	r.v[RES_FF] = (double)floorplan_sites(g, pb, SITE_SLICE) * ff_per_slice;
	r.v[RES_DSP] = (double)floorplan_sites(g, pb, SITE_DSP);
	r.v[RES_BRAM] = (double)floorplan_sites(g, pb, SITE_RAMB36);
	r.v[RES_URAM] = (double)floorplan_sites(g, pb, SITE_URAM);
	return r;
}

int dfx_plan_of(const cfg_t *c, const design_t *d, dfx_plan *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	if (d->mode != MODE_DPR)
		return fail(err, errlen, PDS_FAIL_REQUEST,
			    "the design is static: it has no reconfigurable partition to floorplan");
	if (!c->dev.grid.present)
		return fail(err, errlen, PDS_FAIL_REQUEST,
			    "%s: the device has no clock-region grid ('device.clock_regions'); a DFX floorplan needs one",
			    c->path);
	const cfg_pblock *pb = &c->arch.pblocks[d->rp];
	if (pb->n_ranges == 0)
		BUG("pblock '%s' has no ranges on a device with a grid", pb->name);
	p->pb = pb;
	floorplan_regions(&c->dev.grid, pb, &p->c0, &p->r0, &p->c1, &p->r1);
	p->cap = sites_capacity(c, pb);
	res_t model_cap = engine_pblock_capacity(c, pb);
	for (int t = 0; t < RES_N; t++) {
		if (fabs(p->cap.v[t] - model_cap.v[t]) > 1e-9)
			BUG("pblock '%s': its sites hold %g %s, its tiles %g", pb->name, p->cap.v[t], res_names[t],
			    model_cap.v[t]);
		p->usable.v[t] = perf_rp_usable(c, t, p->cap.v[t]);
	}
	for (int i = 0; i < pb->n_ranges; i++)
		p->n_widened += pb->given[i].y0 != pb->range[i].y0 || pb->given[i].y1 != pb->range[i].y1;
	if (!pb->from_ranges)
		p->n_widened = 0;

	workload_t w;
	perf_ctx pc;
	perf_res res;
	workload_init(&w, &c->model);
	perf_prepare(&pc, c, &w, d);
	perf_resources(&pc, &res);
	if (!res.feasible)
		return fail(err, errlen, PDS_FAIL, "its floorplan cannot hold it: %s", res.why);
	p->r_pre = res.r_pre;
	p->r_dec = res.r_dec;

	const struct cfg_fabric *f = &c->dev.fabric;
	p->frames_clb = (int64_t)pb->clb_tiles * f->frames_clb;
	p->frames_dsp = (int64_t)pb->dsp_tiles * f->frames_dsp;
	p->frames_bram = (int64_t)pb->bram_tiles * (f->frames_bram_config + f->frames_bram_content);
	int64_t ur = engine_pblock_uram_rows(c, pb);
	p->frames_uram = ur * f->frames_uram;
	p->frames_int = ceil_div((int64_t)pb->clb_tiles + pb->dsp_tiles + pb->bram_tiles + ur, 2) * f->frames_int;
	p->frames = engine_pblock_frames(c, pb);
	if (p->frames != p->frames_clb + p->frames_dsp + p->frames_bram + p->frames_uram + p->frames_int)
		BUG("pblock '%s': %lld frames in all, not the sum by column type", pb->name, (long long)p->frames);
	p->bitstream_bytes = engine_bitstream_bytes(c, pb);
	p->pcap_idle_s = pc.pcap_idle_s;
	figures r;
	perf_run_eval(&pc, c->obj.prompt, 1, &r);
	p->prompt = c->obj.prompt;
	p->swap_s = r.swap_s;
	p->swap_exposed_s = r.swap_exposed_s;
	return 0;
}

/* ------------------------------------------------------------- rendering */

typedef struct {
	char *p;
	size_t n, cap;
	bool oom;
} buf;

static void bput(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bput(buf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (k < 0 || b->n + (size_t)k + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (k >= 0 && b->n + (size_t)k + 1 > cap)
			cap *= 2;
		char *q = k < 0 ? NULL : realloc(b->p, cap);
		if (!q) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)k;
}

static const char *unit_of(int t)
{
	static const char *const u[RES_N] = {"LUT", "FF", "BRAM36", "URAM", "DSP"};
	return u[t];
}

/* The head comment of both Tcl files. */
static void header(buf *b, const char *file, const cfg_t *c, const char *design_name, const dfx_plan *p)
{
	const cfg_pblock *pb = p->pb;
	bput(b, "# %s - written by pdswap-dse emit-dfx %s (model %s); do not edit, run emit-dfx again.\n", file,
	     PDS_VERSION, version_model_fingerprint());
	bput(b, "# config SHA-256 %s, design %s, device %s\n", c->sha256, design_name, c->dev.part);
	bput(b, "# pblock %s: clock regions X%dY%d:X%dY%d; %d CLB, %d DSP, %d BRAM column segments, %d URAM sites\n",
	     pb->name, p->c0, p->r0, p->c1, p->r1, pb->clb_tiles, pb->dsp_tiles, pb->bram_tiles, pb->uram_sites);
}

static void render_xdc(buf *b, const cfg_t *c, const char *design_name, const dfx_plan *p, const dfx_names *n)
{
	const cfg_pblock *pb = p->pb;
	header(b, dfx_file_names[0], c, design_name, p);
	bput(b, "# site ranges snapped to whole clock-region rows (URAM288 ranges keep their extent)%s\n",
	     p->n_widened ? "; the config's were widened to them" : "");
	bput(b, "# what the ranges hold, and what the larger RM needs (LUT and FF within %.0f%% of the pblock's):\n",
	     100 * c->cons.rp_margin);
	for (int t = 0; t < RES_N; t++) {
		double need = p->r_pre.v[t] > p->r_dec.v[t] ? p->r_pre.v[t] : p->r_dec.v[t];
		bput(b, "#   %-6s %10.0f, usable %10.1f, prefill RM %10.1f, decode RM %10.1f, larger %10.1f\n",
		     unit_of(t), p->cap.v[t], p->usable.v[t], p->r_pre.v[t], p->r_dec.v[t], need);
	}
	bput(b, "# partial bitstream: %lld frames x %d B + %d B = %.0f B\n", (long long)p->frames,
	     c->dev.fabric.frame_bytes, c->dev.fabric.bitstream_overhead_bytes, p->bitstream_bytes);
	char pbn[96];
	snprintf(pbn, sizeof pbn, "pblock_%s", pb->name);
	bput(b, "create_pblock %s\n", pbn);
	bput(b, "add_cells_to_pblock [get_pblocks %s] [get_cells -quiet [list %s]]\n", pbn, n->rp_cell);
	for (int i = 0; i < pb->n_ranges; i++) {
		char r[96];
		const cfg_range *rg = &pb->range[i];
		if (rg->type == SITE_RAMB36) {
			cfg_range r18 = {SITE_RAMB18, rg->x0, 2 * rg->y0, rg->x1, 2 * rg->y1 + 1};
			floorplan_format_range(&r18, r, sizeof r);
			bput(b, "resize_pblock [get_pblocks %s] -add {%s}\n", pbn, r);
		}
		floorplan_format_range(rg, r, sizeof r);
		bput(b, "resize_pblock [get_pblocks %s] -add {%s}\n", pbn, r);
	}
	bput(b, "set_property SNAPPING_MODE ON [get_pblocks %s]\n", pbn);
}

static void render_project(buf *b, const cfg_t *c, const char *design_name, const dfx_plan *p, const dfx_names *n)
{
	header(b, dfx_file_names[1], c, design_name, p);
	bput(b, "#\n# The skeleton of a project-mode DFX build.  Source it in a Vivado project that holds the\n"
		"# static design, with the partition '%s' a cell of module '%s' (a black box in\n"
		"# the static sources), before synthesis.  Add each RM's sources where marked.\n",
	     n->rp_cell, n->rp_module);
	bput(b, "set pds_dir [file dirname [file normalize [info script]]]\n");
	bput(b, "set_property PR_FLOW 1 [current_project]\n");
	bput(b, "create_partition_def -name pd_attention -module %s\n", n->rp_module);
	bput(b, "create_reconfig_module -name rm_prefill -partition_def [get_partition_defs pd_attention] -top %s\n",
	     n->rp_module);
	bput(b, "# add_files -norecurse {PREFILL_RM_SOURCES} -of_objects [get_reconfig_modules rm_prefill]\n");
	bput(b, "create_reconfig_module -name rm_decode -partition_def [get_partition_defs pd_attention] -top %s\n",
	     n->rp_module);
	bput(b, "# add_files -norecurse {DECODE_RM_SOURCES} -of_objects [get_reconfig_modules rm_decode]\n");
	bput(b, "add_files -fileset constrs_1 -norecurse [file join $pds_dir %s]\n", dfx_file_names[0]);
	bput(b, "create_pr_configuration -name cfg_prefill -partitions [list %s:rm_prefill]\n", n->rp_cell);
	bput(b, "create_pr_configuration -name cfg_decode -partitions [list %s:rm_decode]\n", n->rp_cell);
	bput(b, "set_property PR_CONFIGURATION cfg_prefill [get_runs impl_1]\n");
	bput(b, "create_run impl_decode -parent_run impl_1 -flow [get_property FLOW [get_runs impl_1]] -pr_config "
		"cfg_decode\n");
	bput(b, "# partial bitstream of either RM: %.0f B; PCAP at idle DDR %.3f ms; the swap after a %d-token\n"
		"# prompt %.3f ms (analytic, %.3f ms exposed)\n",
	     p->bitstream_bytes, p->pcap_idle_s * 1e3, p->prompt, p->swap_s * 1e3, p->swap_exposed_s * 1e3);
}

static json_t *jres(const res_t *r)
{
	json_t *o = json_object();
	for (int t = 0; t < RES_N; t++)
		json_object_set_new(o, res_names[t], json_real(r->v[t]));
	return o;
}

static char *render_json(const cfg_t *c, const char *design_name, const dfx_plan *p, const dfx_names *n)
{
	const cfg_pblock *pb = p->pb;
	json_t *o = json_object(), *rg = json_array(), *given = json_array(), *fr = json_object();
	char cr[64];
	json_object_set_new(o, "config_sha256", json_string(c->sha256));
	json_object_set_new(o, "design", json_string(design_name));
	json_object_set_new(o, "part", json_string(c->dev.part));
	json_object_set_new(o, "pblock", json_string(pb->name));
	json_object_set_new(o, "rp_cell", json_string(n->rp_cell));
	json_object_set_new(o, "rp_module", json_string(n->rp_module));
	snprintf(cr, sizeof cr, "X%dY%d:X%dY%d", p->c0, p->r0, p->c1, p->r1);
	json_object_set_new(o, "clock_regions", json_string(cr));
	for (int i = 0; i < pb->n_ranges; i++) {
		char r[96];
		floorplan_format_range(&pb->range[i], r, sizeof r);
		json_array_append_new(rg, json_string(r));
		floorplan_format_range(&pb->given[i], r, sizeof r);
		json_array_append_new(given, json_string(r));
	}
	json_object_set_new(o, "ranges", rg);
	json_object_set_new(o, "given_ranges", pb->from_ranges ? given : (json_decref(given), json_null()));
	json_t *tl = json_object();
	json_object_set_new(tl, "clb", json_integer(pb->clb_tiles));
	json_object_set_new(tl, "dsp", json_integer(pb->dsp_tiles));
	json_object_set_new(tl, "bram", json_integer(pb->bram_tiles));
	json_object_set_new(tl, "uram_sites", json_integer(pb->uram_sites));
	json_object_set_new(tl, "uram_rows", json_integer(engine_pblock_uram_rows(c, pb)));
	json_object_set_new(o, "tiles", tl);
	json_object_set_new(o, "capacity", jres(&p->cap));
	json_object_set_new(o, "usable", jres(&p->usable));
	json_object_set_new(o, "rp_margin", json_real(c->cons.rp_margin));
	json_object_set_new(o, "prefill_rm", jres(&p->r_pre));
	json_object_set_new(o, "decode_rm", jres(&p->r_dec));
	json_object_set_new(fr, "clb", json_integer(p->frames_clb));
	json_object_set_new(fr, "dsp", json_integer(p->frames_dsp));
	json_object_set_new(fr, "bram", json_integer(p->frames_bram));
	json_object_set_new(fr, "uram", json_integer(p->frames_uram));
	json_object_set_new(fr, "int", json_integer(p->frames_int));
	json_object_set_new(fr, "total", json_integer(p->frames));
	json_object_set_new(o, "frames", fr);
	json_object_set_new(o, "frame_bytes", json_integer(c->dev.fabric.frame_bytes));
	json_object_set_new(o, "overhead_bytes", json_integer(c->dev.fabric.bitstream_overhead_bytes));
	json_object_set_new(o, "bitstream_bytes", json_real(p->bitstream_bytes));
	json_object_set_new(o, "pcap_idle_s", json_real(p->pcap_idle_s));
	json_object_set_new(o, "prompt", json_integer(p->prompt));
	json_object_set_new(o, "swap_s", json_real(p->swap_s));
	json_object_set_new(o, "swap_exposed_s", json_real(p->swap_exposed_s));
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	json_decref(o);
	return s;
}

int dfx_render(const cfg_t *c, const design_t *d, const char *design_name, const dfx_plan *p, const dfx_names *n,
	       char *texts[DFX_N_FILES], char *err, size_t errlen)
{
	(void)d;
	buf bx = {0}, bp = {0};
	for (int i = 0; i < DFX_N_FILES; i++)
		texts[i] = NULL;
	render_xdc(&bx, c, design_name, p, n);
	render_project(&bp, c, design_name, p, n);
	char *js = render_json(c, design_name, p, n);
	if (bx.oom || bp.oom || !js) {
		free(bx.p);
		free(bp.p);
		free(js);
		return fail(err, errlen, PDS_FAIL, "out of memory rendering the floorplan");
	}
	texts[0] = bx.p;
	texts[1] = bp.p;
	size_t k = strlen(js);
	texts[2] = realloc(js, k + 2);
	if (!texts[2]) {
		free(js);
		free(texts[0]);
		free(texts[1]);
		texts[0] = texts[1] = NULL;
		return fail(err, errlen, PDS_FAIL, "out of memory rendering the floorplan");
	}
	texts[2][k] = '\n';
	texts[2][k + 1] = '\0';
	return 0;
}

int dfx_write(const cfg_t *c, const design_t *d, const char *design_name, const dfx_plan *p, const dfx_names *n,
	      const char *outdir, char *err, size_t errlen)
{
	char *texts[DFX_N_FILES], dst[4200];
	afile out[DFX_N_FILES];
	int rc = PDS_FAIL, opened = 0;
	if (dfx_render(c, d, design_name, p, n, texts, err, errlen))
		return PDS_FAIL;
	if (strlen(outdir) > 4000) {
		fail(err, errlen, PDS_FAIL, "output directory name is too long");
		goto out;
	}
	if (afile_make_dir(outdir, err, errlen))
		goto out;
	for (; opened < DFX_N_FILES; opened++) {
		snprintf(dst, sizeof dst, "%s/%s", outdir, dfx_file_names[opened]);
		if (afile_open(&out[opened], dst, err, errlen))
			goto out;
		fputs(texts[opened], out[opened].f);
		if (afile_sync(&out[opened], err, errlen)) {
			opened++;
			goto out;
		}
	}
	for (int i = 0; i < DFX_N_FILES; i++)
		if (afile_rename(&out[i], err, errlen))
			goto out;
	rc = 0;
out:
	for (int i = 0; i < opened; i++)
		afile_abort(&out[i]);
	for (int i = 0; i < DFX_N_FILES; i++)
		free(texts[i]);
	return rc;
}
