/*
 * target.c - what an imported report measures (see target.h).
 */
#include "import/target.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/perf.h"
#include "models/workload.h"

const char *const target_kind_names[3] = {"design", "point", "engine"};

/* The kernels of sim/hw (hls.tcl's tops) and the engine each is. */
static const struct {
	const char *top;
	cfg_meas_scope scope;
} kernels[] = {{"tlmm", MEAS_TLMM}, {"attn_prefill", MEAS_PREFILL}, {"attn_decode", MEAS_DECODE}};

static int refuse(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return PDS_FAIL_REQUEST;
}

/* ------------------------------------------------------------- --engine */

typedef struct {
	const char *key;
	long lo, hi;
	int *out;
	bool required, seen;
} ekey;

int target_engine(const cfg_t *c, const char *spec, target_t *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	t->kind = TARGET_ENGINE;
	t->run_id = t->point_id = -1;
	t->d.rp = -1;
	t->d.dec_dataflow = c->space.dec_dataflow;
	const char *colon = strchr(spec, ':');
	size_t kn = colon ? (size_t)(colon - spec) : strlen(spec);
	design_t *d = &t->d;
	int dummy = 0;
	ekey keys[6];
	int nk = 0;
	if (kn == 4 && strncmp(spec, "tlmm", 4) == 0) {
		t->engine = MEAS_TLMM;
		keys[nk++] = (ekey){"tables", 1, 4096, &d->tlmm_tables, true, false};
		keys[nk++] = (ekey){"lanes", 1, 4096, &d->tlmm_lanes, true, false};
	} else if (kn == 7 && strncmp(spec, "prefill", 7) == 0) {
		t->engine = MEAS_PREFILL;
		keys[nk++] = (ekey){"pe", 1, 4096, &d->pre_pe, true, false};
		keys[nk++] = (ekey){"lanes", 1, c->model.head_dim, &d->pre_lanes, true, false};
		keys[nk++] = (ekey){"block", 1, c->model.max_context, &d->pre_block, false, false};
	} else if (kn == 6 && strncmp(spec, "decode", 6) == 0) {
		t->engine = MEAS_DECODE;
		keys[nk++] = (ekey){"lanes", 1, c->model.head_dim, &d->dec_lanes, true, false};
		keys[nk++] = (ekey){"dataflow", 0, 0, &dummy, false, false};
	} else {
		return refuse(err, errlen, "--engine '%s': the engine must be tlmm, prefill or decode, then ':' and its sizes",
			      spec);
	}
	keys[nk++] = (ekey){"clock", 1, c->dev.clock_max_mhz, &d->clock_mhz, false, false};
	if (!colon || !colon[1])
		return refuse(err, errlen, "--engine '%s': the %.*s engine's sizes are missing (KIND:key=value,...)", spec,
			      (int)kn, spec);
	char buf[256];
	snprintf(buf, sizeof buf, "%s", colon + 1);
	for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq || eq == kv || !eq[1])
			return refuse(err, errlen, "--engine '%s': '%s' is not key=value", spec, kv);
		*eq = '\0';
		const char *v = eq + 1;
		ekey *k = NULL;
		for (int i = 0; i < nk; i++)
			if (strcmp(keys[i].key, kv) == 0)
				k = &keys[i];
		if (!k) {
			char list[128] = "";
			for (int i = 0; i < nk; i++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", keys[i].key);
			return refuse(err, errlen, "--engine '%s': unknown key '%s' for a %.*s engine (keys: %s)", spec, kv,
				      (int)kn, spec, list);
		}
		if (k->seen)
			return refuse(err, errlen, "--engine '%s': '%s' is given twice", spec, kv);
		k->seen = true;
		if (strcmp(k->key, "dataflow") == 0) {
			int df = -1;
			for (int i = 0; i < DF_N; i++)
				if (strcmp(v, dataflow_names[i]) == 0)
					df = i;
			if (df < 0)
				return refuse(err, errlen, "--engine '%s': dataflow must be serial, kv_overlap or head_pipeline, got '%s'",
					      spec, v);
			d->dec_dataflow = (dataflow_t)df;
			continue;
		}
		char *end;
		long x = strtol(v, &end, 10);
		if (*end || v[0] == '+' || v[0] == '-' || (v[0] == '0' && v[1]) || x < k->lo || x > k->hi)
			return refuse(err, errlen, "--engine '%s': '%s' must be an integer in [%ld, %ld], got '%s'", spec, kv,
				      k->lo, k->hi, v);
		*k->out = (int)x;
	}
	for (int i = 0; i < nk; i++)
		if (keys[i].required && !keys[i].seen)
			return refuse(err, errlen, "--engine '%s': '%s' is missing", spec, keys[i].key);
	t->has_clock = keys[nk - 1].seen;
	/* the canonical words, the same for the same engine however it was written */
	switch (t->engine) {
	case MEAS_TLMM:
		snprintf(t->text, sizeof t->text, "engine tlmm:tables=%d,lanes=%d", d->tlmm_tables, d->tlmm_lanes);
		break;
	case MEAS_PREFILL:
		snprintf(t->text, sizeof t->text, "engine prefill:pe=%d,lanes=%d", d->pre_pe, d->pre_lanes);
		if (d->pre_block)
			snprintf(t->text + strlen(t->text), sizeof t->text - strlen(t->text), ",block=%d", d->pre_block);
		break;
	default:
		snprintf(t->text, sizeof t->text, "engine decode:lanes=%d,dataflow=%s", d->dec_lanes,
			 dataflow_names[d->dec_dataflow]);
		break;
	}
	if (t->has_clock)
		snprintf(t->text + strlen(t->text), sizeof t->text - strlen(t->text), ",clock=%d", d->clock_mhz);
	return 0;
}

void target_design(target_t *t, const design_t *d, const char *name, int64_t run_id, int64_t point_id)
{
	memset(t, 0, sizeof *t);
	t->d = *d;
	t->run_id = run_id;
	t->point_id = point_id;
	snprintf(t->design_name, sizeof t->design_name, "%s", name ? name : "");
	if (point_id >= 0) {
		t->kind = TARGET_POINT;
		snprintf(t->text, sizeof t->text, "point %lld of run %lld", (long long)point_id, (long long)run_id);
	} else {
		t->kind = TARGET_DESIGN;
		snprintf(t->text, sizeof t->text, "design %s", t->design_name);
	}
}

/* ------------------------------------------------------------ measuring */

static double val(hwreport_val v)
{
	return v.set ? v.v : NAN;
}

/* lut..dsp of a report's columns, BRAM in 36 Kb tiles. */
static res_t res_of(const hwreport_res *r)
{
	res_t o;
	o.v[RES_LUT] = val(r->r[HWR_LUT]);
	o.v[RES_FF] = val(r->r[HWR_FF]);
	o.v[RES_BRAM] = val(hwreport_bram36_equiv(r));
	o.v[RES_URAM] = val(r->r[HWR_URAM]);
	o.v[RES_DSP] = val(r->r[HWR_DSP]);
	return o;
}

/* The design a TLMM alone is synthesised in: the config's designs carry the
 * static region's ports and AXI settings; the tables, lanes and clock are
 * the engine's. */
static design_t tlmm_host(const cfg_t *c, const design_t *e)
{
	design_t d = c->designs[0].d;
	d.tlmm_tables = e->tlmm_tables;
	d.tlmm_lanes = e->tlmm_lanes;
	d.clock_mhz = e->clock_mhz;
	return d;
}

int target_measure(const cfg_t *c, const target_t *t, const hwreport *r, bool any_part, cfg_import *m, char *err,
		   size_t errlen)
{
	const char *f = r->file ? r->file : "?";
	memset(m, 0, sizeof *m);
	size_t fl = strlen(f);
	snprintf(m->file, sizeof m->file, "%s", fl < sizeof m->file ? f : f + fl - (sizeof m->file - 1));
	snprintf(m->sha256, sizeof m->sha256, "%s", r->sha256);
	snprintf(m->tool_version, sizeof m->tool_version, "%s", r->tool_version ? r->tool_version : "");
	snprintf(m->target, sizeof m->target, "%s", t->text);
	m->csynth = r->kind == HWREPORT_CSYNTH;
	m->d = t->d;
	m->target_clock_ns = val(r->target_clock_ns);
	m->est_clock_ns = val(r->estimated_clock_ns);
	m->latency_worst = val(r->latency.worst);
	m->bram18 = val(r->res.r[HWR_BRAM18]);

	if (!any_part && !hwreport_same_part(r->part, c->dev.part))
		return refuse(err, errlen,
			      "%s:%d: the report is for part '%s', not the config's device part '%s' (%s); --any-part "
			      "imports it anyway",
			      f, r->part_line ? r->part_line : 1, r->part ? r->part : "", c->dev.part, c->path);

	int kernel = -1;
	for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
		if (r->top && strcmp(r->top, kernels[i].top) == 0)
			kernel = (int)i;
	int clock_line = r->target_clock_line ? r->target_clock_line : 1;

	if (t->kind == TARGET_ENGINE) {
		m->scope = t->engine;
		if (!t->has_clock) {
			if (!m->csynth)
				return refuse(err, errlen,
					      "%s:1: a utilisation report does not say the clock it was built for; give it as "
					      "clock=MHZ in --engine",
					      f);
			if (isnan(m->target_clock_ns))
				return refuse(err, errlen,
					      "%s:%d: the report gives no TargetClockPeriod; give the clock as clock=MHZ in --engine",
					      f, clock_line);
			m->d.clock_mhz = (int)lround(1000.0 / m->target_clock_ns);
			if (m->d.clock_mhz < 1 || m->d.clock_mhz > c->dev.clock_max_mhz)
				return refuse(err, errlen, "%s:%d: its target clock of %g ns is %d MHz, outside [1, %d] MHz", f,
					      clock_line, m->target_clock_ns, m->d.clock_mhz, c->dev.clock_max_mhz);
		}
	} else if (m->csynth) {
		if (kernel < 0)
			return refuse(err, errlen,
				      "%s:%d: top '%s' is none of the kernels of %s (tlmm, attn_prefill, attn_decode); import it "
				      "with --engine KIND:key=value,...",
				      f, r->top_line ? r->top_line : 1, r->top ? r->top : "", t->text);
		m->scope = kernels[kernel].scope;
	} else if (r->has_pblocks) {
		if (t->d.mode != MODE_DPR)
			return refuse(err, errlen, "%s:1: a -pblocks report, but %s is static: it has no partition", f, t->text);
		m->scope = MEAS_PBLOCK;
	} else {
		m->scope = kernel >= 0 ? kernels[kernel].scope : MEAS_DESIGN;
	}
	/* a csynth report of another clock than the target's */
	if (m->csynth && (t->kind != TARGET_ENGINE || t->has_clock) && !isnan(m->target_clock_ns) &&
	    fabs(1000.0 / m->d.clock_mhz - m->target_clock_ns) > 0.0055)
		return refuse(err, errlen, "%s:%d: TargetClockPeriod %g ns is not the %.3f ns of %s's %d MHz", f, clock_line,
			      m->target_clock_ns, 1000.0 / m->d.clock_mhz, t->text, m->d.clock_mhz);

	if (m->scope == MEAS_PBLOCK) {
		if (!r->n_pblocks || !r->pblocks[0].parent.r[HWR_LUT].set)
			return refuse(err, errlen, "%s:1: the -pblocks report gives no Parent figures for the pblock", f);
		if (!r->avail.r[HWR_LUT].set)
			return refuse(err, errlen, "%s:1: the -pblocks report gives no Available figures for the pblock's area",
				      f);
		m->res = res_of(&r->pblocks[0].parent);
		m->bram18 = NAN;
	} else {
		m->res = res_of(&r->res);
	}
	m->avail = res_of(&r->avail);

	/* the bound a csynth latency was synthesised at */
	if (m->csynth && m->scope <= MEAS_DECODE) {
		if (m->scope == MEAS_TLMM) {
			workload_t w;
			perf_ctx p;
			design_t h = t->kind == TARGET_ENGINE ? tlmm_host(c, &m->d) : m->d;
			workload_init(&w, &c->model);
			perf_prepare(&p, c, &w, &h);
			m->loop_bound = perf_tlmm_tok_tile(&p);
		} else {
			m->loop_bound = c->model.max_context;
		}
	}
	return 0;
}
