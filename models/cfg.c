/*
 * cfg.c - what the typed config knows about itself: the calibration table
 * (cfg.h) turned into specs, slot names and slot access; lookups by name;
 * the checks of a design point against the config's own lists.  Loading
 * the YAML is dse/config's job.
 */
#include "models/cfg.h"

#include "models/kvcache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const mode_names[2] = {"static", "dpr"};
const char *const cfg_size_names[CFG_N_SIZES] = {"prefill.pe", "prefill.lanes", "decode.lanes"};
const char *const cfg_row_names[CFG_N_ROWS] = {"table2.prefill_rm", "table2.decode_rm"};
const char *const dataflow_names[DF_N] = {"serial", "kv_overlap", "head_pipeline"};
const char *const kv_prec_names[KV_N] = {"fp16", "int8", "int4"};
const char *const kv_tier_names[KV_TIER_N] = {"none", "static", "rp"};
const char *const cfg_meas_scope_names[MEAS_N_SCOPES] = {"tlmm", "prefill", "decode", "design", "pblock"};

const char *const cfg_wl_figure_names[CFG_WLFIG_N] = {"e2e_mean_s", "e2e_p99_s", "ttft_p90_s", "tpot_p99_s",
						      "energy_j_per_request"};

_Static_assert(RES_N == 5 && RES_LUT == 0 && RES_FF == 1 && RES_BRAM == 2 && RES_URAM == 3 && RES_DSP == 4,
	       "the slot names below spell the resource types in res_type order");

const cfg_cal_scalar cfg_cal_scalars[CAL_N_SCALARS] = {
#define CFG_X(name, lo, lo_open, hi, timing, fit_lo, fit_hi, what) \
	[CAL_##name] = {#name, offsetof(cfg_calib, name), lo, hi, lo_open, timing, fit_lo, fit_hi, what},
	CFG_CAL_SCALARS(CFG_X)
#undef CFG_X
};

const cfg_cal_resource cfg_cal_resources[CAL_N_RESOURCES] = {
#define CFG_R(name, what) [CAL_R_##name] = {#name, offsetof(cfg_calib, name), what},
	CFG_CAL_RESOURCES(CFG_R)
#undef CFG_R
};

const char *const cal_slot_names[CAL_N_SLOTS] = {
#define CFG_X(name, ...) [CAL_##name] = #name,
	CFG_CAL_SCALARS(CFG_X)
#undef CFG_X
#define CFG_R(name, what)                                                          \
	[CAL_RES(CAL_R_##name, RES_LUT)] = #name ".lut",                           \
	[CAL_RES(CAL_R_##name, RES_FF)] = #name ".ff",                             \
	[CAL_RES(CAL_R_##name, RES_BRAM)] = #name ".bram36",                       \
	[CAL_RES(CAL_R_##name, RES_URAM)] = #name ".uram",                         \
	[CAL_RES(CAL_R_##name, RES_DSP)] = #name ".dsp",
	CFG_CAL_RESOURCES(CFG_R)
#undef CFG_R
};

int cfg_slot_index(const char *name)
{
	for (int i = 0; i < CAL_N_SLOTS; i++)
		if (strcmp(cal_slot_names[i], name) == 0)
			return i;
	return -1;
}

double *cfg_slot(cfg_t *c, int slot)
{
	if (slot < 0 || slot >= CAL_N_SLOTS)
		return NULL;
	if (slot < CAL_N_SCALARS)
		return &((coef_t *)((char *)&c->cal + cfg_cal_scalars[slot].offset))->value;
	int r = (slot - CAL_N_SCALARS) / RES_N, f = (slot - CAL_N_SCALARS) % RES_N;
	return &((rcoef_t *)((char *)&c->cal + cfg_cal_resources[r].offset))->r.v[f];
}

prov_t cfg_slot_prov(const cfg_t *c, int slot)
{
	if (slot < 0 || slot >= CAL_N_SLOTS)
		BUG("calibration slot %d out of range", slot);
	if (slot < CAL_N_SCALARS)
		return ((const coef_t *)((const char *)&c->cal + cfg_cal_scalars[slot].offset))->prov;
	int r = (slot - CAL_N_SCALARS) / RES_N;
	return ((const rcoef_t *)((const char *)&c->cal + cfg_cal_resources[r].offset))->prov;
}

void cfg_release(cfg_t *c)
{
	free(c->text);
	c->text = NULL;
}

int cfg_find_session_wl(const cfg_t *c, const char *name)
{
	for (int i = 0; i < c->n_session_wl; i++)
		if (strcmp(c->session_wl[i].name, name) == 0)
			return i;
	return -1;
}

int cfg_find_design(const cfg_t *c, const char *name)
{
	for (int i = 0; i < c->n_designs; i++)
		if (strcmp(c->designs[i].name, name) == 0)
			return i;
	return -1;
}

void cfg_design_names(const cfg_t *c, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = '\0';
	for (int i = 0; i < c->n_designs && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "", c->designs[i].name);
}

int cfg_find_portmap(const cfg_t *c, const char *name)
{
	for (int i = 0; i < c->arch.n_port_maps; i++)
		if (strcmp(c->arch.port_maps[i].name, name) == 0)
			return i;
	return -1;
}

int cfg_find_pblock(const cfg_t *c, const char *name)
{
	for (int i = 0; i < c->arch.n_pblocks; i++)
		if (strcmp(c->arch.pblocks[i].name, name) == 0)
			return i;
	return -1;
}

int cfg_find_hp(const cfg_t *c, const char *name)
{
	for (int i = 0; i < c->dev.n_hp; i++)
		if (strcmp(c->dev.hp[i].name, name) == 0)
			return i;
	return -1;
}

/* The modules of a design's set: each with an engine, a phase it serves
 * and sensible sizes; a static design has none. */
static int check_modules(const cfg_t *c, const design_t *d, char *err, size_t errlen)
{
	const rmset_t *s = &d->rms;
	if (s->n < 0 || s->n > RMS_MAX || (s->n > 0 && d->mode != MODE_DPR)) {
		snprintf(err, errlen, "%d modules in the partition of a %s design", s->n, mode_names[d->mode]);
		return -1;
	}
	int maxb = c->dev.axi_max_burst_beats, hd = c->model.head_dim;
	for (int k = 0; k < s->n; k++) {
		const rm_t *m = &s->rm[k];
		bool pre = m->engines & RM_ENG_PRE, dec = m->engines & RM_ENG_DEC;
		if (!(pre || dec) || (m->engines & ~(RM_ENG_PRE | RM_ENG_DEC)) || !m->serves ||
		    (m->serves & ~(RM_SERVE_PRE | RM_SERVE_DEC)) || !memchr(m->name, 0, sizeof m->name)) {
			snprintf(err, errlen, "module %d holds no engine or serves no phase", k);
			return -1;
		}
		if (pre && (m->pre_pe <= 0 || m->pre_lanes <= 0 || m->pre_lanes > hd || m->pre_block <= 0 ||
			    m->pre_burst <= 0 || m->pre_burst > maxb || m->pre_outstanding <= 0 || m->pm_pre < 0 ||
			    m->pm_pre >= c->arch.n_port_maps)) {
			snprintf(err, errlen, "module '%s': prefill engine sizes, burst or port map out of range", m->name);
			return -1;
		}
		if (dec && (m->dec_lanes <= 0 || m->dec_lanes > hd || m->dec_burst <= 0 || m->dec_burst > maxb ||
			    m->dec_outstanding <= 0 || m->pm_dec < 0 || m->pm_dec >= c->arch.n_port_maps ||
			    (int)m->dec_dataflow < 0 || m->dec_dataflow >= DF_N)) {
			snprintf(err, errlen, "module '%s': decode engine sizes, burst, port map or dataflow out of range",
				 m->name);
			return -1;
		}
	}
	return 0;
}

int cfg_check_design(const cfg_t *c, const design_t *d, char *err, size_t errlen)
{
	if (d->clock_mhz <= 0 || d->clock_mhz > c->dev.clock_max_mhz) {
		snprintf(err, errlen, "clock %d MHz is outside (0, %d]", d->clock_mhz, c->dev.clock_max_mhz);
		return -1;
	}
	if (d->tlmm_tables <= 0 || d->tlmm_lanes <= 0 || d->pre_pe <= 0 || d->pre_lanes <= 0 ||
	    d->pre_block <= 0 || d->dec_lanes <= 0 || d->pre_outstanding <= 0 || d->dec_outstanding <= 0) {
		snprintf(err, errlen, "engine sizes must be positive");
		return -1;
	}
	if (d->pre_burst <= 0 || d->pre_burst > c->dev.axi_max_burst_beats || d->dec_burst <= 0 ||
	    d->dec_burst > c->dev.axi_max_burst_beats) {
		snprintf(err, errlen, "burst lengths must be in [1, %d] beats", c->dev.axi_max_burst_beats);
		return -1;
	}
	if (d->pm_pre < 0 || d->pm_pre >= c->arch.n_port_maps || d->pm_dec < 0 ||
	    d->pm_dec >= c->arch.n_port_maps) {
		snprintf(err, errlen, "port map index out of range");
		return -1;
	}
	if (d->mode == MODE_DPR && (d->rp < 0 || d->rp >= c->arch.n_pblocks)) {
		snprintf(err, errlen, "a dpr design needs a pblock");
		return -1;
	}
	if (d->mode == MODE_STATIC && d->rp != -1) {
		snprintf(err, errlen, "a static design has no pblock");
		return -1;
	}
	if ((int)d->dec_dataflow < 0 || d->dec_dataflow >= DF_N) {
		snprintf(err, errlen, "decode dataflow %d is not one of serial, kv_overlap, head_pipeline",
			 (int)d->dec_dataflow);
		return -1;
	}
	/* the head dimension is split across lanes; more lanes than elements idle */
	if (d->pre_lanes > c->model.head_dim || d->dec_lanes > c->model.head_dim) {
		snprintf(err, errlen, "attention lanes (%d prefill, %d decode) exceed head_dim %d",
			 d->pre_lanes, d->dec_lanes, c->model.head_dim);
		return -1;
	}
	if (kvcache_check_design(c, d, err, errlen))
		return -1;
	if (!kvcache_fits_modules(d)) {
		snprintf(err, errlen, "a design naming its modules (rms:) takes the fp16 K/V cache without an on-chip tier, "
				      "got kv_precision %s and kv_tier_region %s", kv_prec_names[d->kv_prec], kv_tier_names[d->kv_tier]);
		return -1;
	}
	return check_modules(c, d, err, errlen);
}

void cfg_part_key(const char *part, char *out, size_t outsz)
{
	size_t n = 0;
	if (!outsz)
		return;
	out[0] = '\0';
	if (!part)
		return;
	while (*part == ' ' || *part == '\t')
		part++;
	if ((part[0] == 'x' || part[0] == 'X') && (part[1] == 'c' || part[1] == 'C'))
		part += 2;
	for (; *part && n + 1 < outsz; part++)
		if (*part != ' ' && *part != '\t' && *part != '\r' && *part != '\n')
			out[n++] = (char)(*part >= 'A' && *part <= 'Z' ? *part - 'A' + 'a' : *part);
	out[n] = '\0';
}
