/*
 * limits.c - limits from imported reports (see limits.h).
 */
#include "models/limits.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/engine.h"
#include "models/perf.h"

static const char *const unit_name[RES_N] = {"LUT", "FF", "BRAM36", "URAM", "DSP"};

/* The first resource of a partition report over its pblock, -1 when none:
 * Used over Available, or LUT / FF over the routability margin of it. */
static int over(const cfg_t *c, const cfg_import *m, double *used, double *may)
{
	for (int t = 0; t < RES_N; t++) {
		double u = m->res.v[t], a = m->avail.v[t];
		if (isnan(u) || isnan(a))
			continue;
		double lim = perf_rp_usable(c, t, a);
		if (u > lim) {
			*used = u;
			*may = lim;
			return t;
		}
	}
	return -1;
}

int limits_from_imports(cfg_t *c)
{
	c->n_limits = 0;
	for (int i = 0; i < c->n_imports; i++) {
		const cfg_import *m = &c->imports[i];
		cfg_limit L;
		memset(&L, 0, sizeof L);
		L.id = m->id;
		L.rp = -1;
		if ((m->scope == MEAS_PREFILL || m->scope == MEAS_DECODE) && m->csynth && m->d.clock_mhz > 0 &&
		    m->est_clock_ns > 1000.0 / m->d.clock_mhz) {
			L.engine = m->scope;
			L.timing = true;
			L.clock_mhz = m->d.clock_mhz;
			L.units = m->scope == MEAS_PREFILL ? engine_pre_units(&m->d) : engine_dec_units(&m->d);
			snprintf(L.why, sizeof L.why,
				 "measured: a %s engine of %lld units missed timing at %d MHz (estimated %.3f ns, measurement "
				 "%lld); engines at least as large at this clock or faster are refused",
				 cfg_meas_scope_names[L.engine], (long long)L.units, L.clock_mhz, m->est_clock_ns,
				 (long long)m->id);
		} else if (m->scope == MEAS_PBLOCK && m->d.mode == MODE_DPR && m->d.rp >= 0) {
			double used, may;
			int t = over(c, m, &used, &may);
			if (t < 0)
				continue;
			res_t rp = engine_res_pre(c, &m->d), rd = engine_res_dec(c, &m->d);
			L.engine = rp.v[t] >= rd.v[t] ? MEAS_PREFILL : MEAS_DECODE;
			L.timing = false;
			L.clock_mhz = m->d.clock_mhz;
			L.rp = m->d.rp;
			L.units = L.engine == MEAS_PREFILL ? engine_pre_units(&m->d) : engine_dec_units(&m->d);
			snprintf(L.why, sizeof L.why,
				 "measured: pblock '%s' held %.6g %s where %.6g fit (measurement %lld); %s engines of %lld "
				 "units or more are refused in it",
				 c->arch.pblocks[L.rp].name, used, unit_name[t], may, (long long)m->id,
				 cfg_meas_scope_names[L.engine], (long long)L.units);
		} else {
			continue;
		}
		c->limits[c->n_limits++] = L;
	}
	return c->n_limits;
}

int limits_hit(const cfg_t *c, arch_mode mode, int clock_mhz, int rp, int64_t units_pre, int64_t units_dec)
{
	for (int i = 0; i < c->n_limits; i++) {
		const cfg_limit *L = &c->limits[i];
		int64_t u = L->engine == MEAS_PREFILL ? units_pre : units_dec;
		if (u < L->units)
			continue;
		if (L->timing ? clock_mhz >= L->clock_mhz : mode == MODE_DPR && rp == L->rp)
			return i;
	}
	return -1;
}
