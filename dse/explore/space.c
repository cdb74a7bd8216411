/*
 * space.c - point ids, digits and chunks of the design space (space.h).
 *
 * A mode's id range is the product of its knob radices; strides are
 * computed from the innermost knob outwards, so the innermost knob
 * (decode lanes) moves fastest.  Everything is integer arithmetic on
 * int64_t: a space of up to 64^11 points would overflow, but the config
 * limits lists to CFG_MAX_LIST values and space_init() saturates at
 * INT64_MAX / 2 for the caller to refuse.
 */
#include "explore/space.h"

#include <stdio.h>
#include <string.h>

const char *const space_knob_names[SK_N] = {
	"clock_mhz",     "outstanding", "port_maps_prefill", "port_maps_decode",
	"tlmm_tables",   "tlmm_lanes",  "prefill_pe",        "prefill_lanes",
	"prefill_block", "pblocks",     "decode_lanes",      "kv_precision",
	"kv_window",     "kv_sinks",    "kv_tier_region", "rm_sets",
};

/* A mode's kv_tier_region values: the list, without rp in static mode
 * (none when nothing else is listed); returns their count. */
static int tier_values(const cfg_space *sp, arch_mode mode, int *out)
{
	int n = 0;
	for (int i = 0; i < sp->n_kv_tier; i++)
		if (mode == MODE_DPR || sp->kv_tier[i] != KV_TIER_RP)
			out[n++] = sp->kv_tier[i];
	if (n == 0)
		out[n++] = KV_TIER_NONE;
	return n;
}

static int list_len(const cfg_space *sp, int k, arch_mode mode)
{
	int tv[CFG_MAX_LIST];
	switch (k) {
	case SK_CLOCK: return sp->n_clock;
	case SK_OUTST: return sp->n_outst;
	case SK_PM_PRE: return sp->n_pm_pre;
	case SK_PM_DEC: return sp->n_pm_dec;
	case SK_TABLES: return sp->n_tables;
	case SK_TLANES: return sp->n_tlanes;
	case SK_PE: return sp->n_pre_pe;
	case SK_PLANES: return sp->n_pre_lanes;
	case SK_BLOCK: return sp->n_pre_block;
	case SK_RP: return mode == MODE_DPR ? sp->n_rp : 1;
	case SK_DLANES: return sp->n_dec_lanes;
	case SK_KV_PREC: return sp->n_kv_prec;
	case SK_KV_WINDOW: return sp->n_kv_window;
	case SK_KV_SINKS: return sp->n_kv_sinks;
	case SK_KV_TIER: return tier_values(sp, mode, tv);
	case SK_RMSET: return mode == MODE_DPR && sp->n_rm_shapes ? sp->n_rm_shapes : 1;
	}
	return 0;
}

int space_value(const space_t *s, int k, int i)
{
	const cfg_space *sp = &s->c->space;
	switch (k) {
	case SK_CLOCK: return sp->clock_mhz[i];
	case SK_OUTST: return sp->outstanding[i];
	case SK_PM_PRE: return sp->pm_pre[i];
	case SK_PM_DEC: return sp->pm_dec[i];
	case SK_TABLES: return sp->tlmm_tables[i];
	case SK_TLANES: return sp->tlmm_lanes[i];
	case SK_PE: return sp->pre_pe[i];
	case SK_PLANES: return sp->pre_lanes[i];
	case SK_BLOCK: return sp->pre_block[i];
	case SK_RP: return sp->n_rp ? sp->rp[i] : -1;
	case SK_DLANES: return sp->dec_lanes[i];
	case SK_KV_PREC: return sp->kv_prec[i];
	case SK_KV_WINDOW: return sp->kv_window[i];
	case SK_KV_SINKS: return sp->kv_sinks[i];
	case SK_KV_TIER: return s->n_modes ? s->m[0].kv_tier[i] : sp->kv_tier[i];
	case SK_RMSET: return sp->n_rm_shapes ? i : -1;
	}
	return -1;
}

int space_mode_value(const space_t *s, const space_mode *m, int k, int i)
{
	return k == SK_KV_TIER ? m->kv_tier[i] : space_value(s, k, i);
}

static void layout(space_mode *m, const cfg_space *sp, arch_mode mode, int64_t base, int64_t chunk_base)
{
	const int64_t cap = INT64_MAX / 2;
	memset(m, 0, sizeof *m);
	m->mode = mode;
	m->base = base;
	tier_values(sp, mode, m->kv_tier);
	int64_t n = 1;
	for (int k = SK_N - 1; k >= 0; k--) {
		m->radix[k] = list_len(sp, k, mode);
		m->stride[k] = n;
		n = n > cap / (m->radix[k] ? m->radix[k] : 1) ? cap : n * m->radix[k];
	}
	m->count = n;
	/* smallest fixed prefix whose chunks stay within the target size */
	int64_t target = n / SPACE_CHUNKS_PER_MODE;
	if (target < SPACE_CHUNK_MIN)
		target = SPACE_CHUNK_MIN;
	if (target > SPACE_CHUNK_MAX)
		target = SPACE_CHUNK_MAX;
	m->fixed = SK_N;
	for (int f = 0; f < SK_N; f++)
		if (m->stride[f] <= target) {
			m->fixed = f + 1;
			break;
		}
	m->chunk_points = m->stride[m->fixed - 1];
	m->chunk_base = chunk_base;
	m->n_chunks = m->count / m->chunk_points;
}

void space_init(space_t *s, const cfg_t *c)
{
	memset(s, 0, sizeof *s);
	s->c = c;
	int64_t base = 0, cb = 0;
	if (c->space.mode_dpr) {
		layout(&s->m[s->n_modes], &c->space, MODE_DPR, base, cb);
		base += s->m[s->n_modes].count;
		cb += s->m[s->n_modes].n_chunks;
		s->n_modes++;
	}
	if (c->space.mode_static) {
		layout(&s->m[s->n_modes], &c->space, MODE_STATIC, base, cb);
		base += s->m[s->n_modes].count;
		cb += s->m[s->n_modes].n_chunks;
		s->n_modes++;
	}
	s->n_points = base;
	s->n_chunks = cb;
}

const space_mode *space_mode_of(const space_t *s, int64_t id)
{
	for (int i = 0; i < s->n_modes; i++)
		if (id >= s->m[i].base && id < s->m[i].base + s->m[i].count)
			return &s->m[i];
	return NULL;
}

const space_mode *space_chunk_mode(const space_t *s, int64_t chunk)
{
	for (int i = 0; i < s->n_modes; i++)
		if (chunk >= s->m[i].chunk_base && chunk < s->m[i].chunk_base + s->m[i].n_chunks)
			return &s->m[i];
	return NULL;
}

int space_digits(const space_t *s, int64_t id, int digit[SK_N])
{
	const space_mode *m = space_mode_of(s, id);
	if (!m)
		return -1;
	int64_t r = id - m->base;
	for (int k = 0; k < SK_N; k++) {
		digit[k] = (int)(r / m->stride[k]);
		r %= m->stride[k];
	}
	return 0;
}

void space_design_digits(const space_t *s, const space_mode *m, const int digit[SK_N], design_t *d)
{
	const cfg_space *sp = &s->c->space;
	memset(d, 0, sizeof *d);
	d->mode = m->mode;
	d->clock_mhz = space_value(s, SK_CLOCK, digit[SK_CLOCK]);
	d->tlmm_tables = space_value(s, SK_TABLES, digit[SK_TABLES]);
	d->tlmm_lanes = space_value(s, SK_TLANES, digit[SK_TLANES]);
	d->pre_pe = space_value(s, SK_PE, digit[SK_PE]);
	d->pre_lanes = space_value(s, SK_PLANES, digit[SK_PLANES]);
	d->pre_block = space_value(s, SK_BLOCK, digit[SK_BLOCK]);
	d->pre_burst = sp->burst_beats;
	d->pre_outstanding = space_value(s, SK_OUTST, digit[SK_OUTST]);
	d->dec_lanes = space_value(s, SK_DLANES, digit[SK_DLANES]);
	d->dec_burst = sp->burst_beats;
	d->dec_outstanding = d->pre_outstanding;
	d->dec_dataflow = sp->dec_dataflow;
	d->pm_pre = space_value(s, SK_PM_PRE, digit[SK_PM_PRE]);
	d->pm_dec = space_value(s, SK_PM_DEC, digit[SK_PM_DEC]);
	d->rp = m->mode == MODE_DPR ? space_value(s, SK_RP, digit[SK_RP]) : -1;
	d->kv_prec = (kv_prec_t)space_value(s, SK_KV_PREC, digit[SK_KV_PREC]);
	d->kv_window = space_value(s, SK_KV_WINDOW, digit[SK_KV_WINDOW]);
	d->kv_sinks = space_value(s, SK_KV_SINKS, digit[SK_KV_SINKS]);
	d->kv_tier = (kv_tier_t)m->kv_tier[digit[SK_KV_TIER]];
	if (m->mode == MODE_DPR && sp->n_rm_shapes)
		space_shape_modules(s, digit[SK_RMSET], d);
}

void space_shape_modules(const space_t *s, int shape, design_t *d)
{
	const cfg_space *sp = &s->c->space;
	const struct cfg_rm_shape *sh = &sp->rm_shapes[shape];
	memset(&d->rms, 0, sizeof d->rms);
	d->rms.n = sh->n;
	for (int k = 0; k < sh->n; k++) {
		rm_t *m = &d->rms.rm[k];
		int r = sh->role[k];
		if (r >= 0) {
			*m = sp->rm_extra[r];
		} else {
			snprintf(m->name, sizeof m->name, "%s", r == CFG_RM_PREFILL ? "prefill" : r == CFG_RM_DECODE ? "decode" : "hybrid");
			m->engines = r == CFG_RM_PREFILL ? RM_ENG_PRE : r == CFG_RM_DECODE ? RM_ENG_DEC : RM_ENG_PRE | RM_ENG_DEC;
			m->serves = RM_SERVE_PRE | RM_SERVE_DEC;
			m->pre_pe = d->pre_pe;
			m->pre_lanes = d->pre_lanes;
			m->pre_block = d->pre_block;
			m->pm_pre = d->pm_pre;
			m->dec_lanes = d->dec_lanes;
			m->pm_dec = d->pm_dec;
			m->dec_dataflow = d->dec_dataflow;
		}
		/* the point's AXI settings */
		m->pre_burst = d->pre_burst;
		m->pre_outstanding = d->pre_outstanding;
		m->dec_burst = d->dec_burst;
		m->dec_outstanding = d->dec_outstanding;
		if (!(m->engines & RM_ENG_PRE))
			m->pre_pe = m->pre_lanes = m->pre_block = m->pre_burst = m->pre_outstanding = m->pm_pre = 0;
		if (!(m->engines & RM_ENG_DEC)) {
			m->dec_lanes = m->dec_burst = m->dec_outstanding = m->pm_dec = 0;
			m->dec_dataflow = DF_SERIAL;
		}
	}
}

int space_design(const space_t *s, int64_t id, design_t *d)
{
	int digit[SK_N];
	if (space_digits(s, id, digit))
		return -1;
	space_design_digits(s, space_mode_of(s, id), digit, d);
	return 0;
}

int space_chunk_range(const space_t *s, int64_t chunk, int64_t *first, int64_t *end)
{
	const space_mode *m = space_chunk_mode(s, chunk);
	if (!m)
		return -1;
	*first = m->base + (chunk - m->chunk_base) * m->chunk_points;
	*end = *first + m->chunk_points;
	return 0;
}

int64_t space_chunk_of(const space_t *s, int64_t id)
{
	const space_mode *m = space_mode_of(s, id);
	if (!m)
		return -1;
	return m->chunk_base + (id - m->base) / m->chunk_points;
}
