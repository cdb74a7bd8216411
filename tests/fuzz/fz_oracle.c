/*
 * fz_oracle.c - the pass/fail rule of fz_oracle.h: a positioned error or a
 * config on which the analytic model stays finite.
 */
#include "fz_oracle.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/calib.h"
#include "config/config.h"
#include "models/cfg.h"
#include "models/perf.h"
#include "models/workload.h"

static int broken(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/* "NAME:LINE:COL: message" with LINE, COL >= 1 and a message. */
static bool positioned(const char *name, const char *err)
{
	size_t n = strlen(name);
	if (strncmp(err, name, n) != 0 || err[n] != ':')
		return false;
	const char *p = err + n + 1;
	for (int field = 0; field < 2; field++) {
		long v = 0;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			v = v * 10 + (*p++ - '0');
		if (v < 1 || *p++ != ':')
			return false;
	}
	return p[0] == ' ' && p[1] != '\0';
}

/* A value the model may produce: finite and >= 0 (> 0 when `pos`). */
static int good(double v, bool pos, const char *what, const char *design, char *why, size_t whylen)
{
	if (!isfinite(v) || v < 0 || (pos && !(v > 0)))
		return broken(why, whylen, "design '%s': %s is %g", design, what, v);
	return 0;
}

static int check_res(const res_t *r, const char *what, const char *design, char *why, size_t whylen)
{
	char w[96];
	for (int i = 0; i < RES_N; i++) {
		snprintf(w, sizeof w, "%s.%s", what, res_names[i]);
		if (good(r->v[i], false, w, design, why, whylen))
			return -1;
	}
	return 0;
}

static int check_run(const perf_ctx *p, int prompt, int gen, bool dpr, const char *design, char *why,
		     size_t whylen)
{
	figures r;
	perf_run_eval(p, prompt, gen, &r);
	const struct {
		const char *name;
		double v;
		bool pos;
	} f[] = {
		{"prefill_s", r.prefill_s, true},
		{"ttft_s", r.ttft_s, true},
		{"pre_lin_s", r.prefill_linear_s, true},
		{"pre_att_s", r.prefill_attention_s, true},
		{"decode_s", r.decode_s, gen > 0},
		{"decode_tok_s", r.decode_tok_s, gen > 0},
		{"dec_first_s", r.decode_first_step_s, gen > 0},
		{"swap_s", r.swap_s, dpr},
		{"swap_exposed_s", r.swap_exposed_s, false},
		{"tail_s", r.tail_overlap_s, dpr},
		{"pcap_s", r.pcap_s, dpr},
		{"pcap_load", r.pcap_load, false},
		{"bitstream_bytes", r.bitstream_bytes, dpr},
		{"energy_j_per_token", r.energy_j_per_token, gen > 0},
		{"energy_prefill_j", r.energy_prefill_j, true},
		{"power_prefill_w", r.power_prefill_w, false},
		{"power_decode_w", r.power_decode_w, false},
		{"bytes_prefill", r.bytes_prefill, true},
		{"bytes_decode", r.bytes_decode, gen > 0},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		char w[96];
		snprintf(w, sizeof w, "%s at prompt %d, gen %d", f[i].name, prompt, gen);
		if (good(f[i].v, f[i].pos, w, design, why, whylen))
			return -1;
	}
	return 0;
}

static int check_design(const cfg_t *c, const workload_t *w, const cfg_design *cd, char *why, size_t whylen)
{
	char err[256];
	const char *name = cd->name;
	if (cfg_check_design(c, &cd->d, err, sizeof err))
		return broken(why, whylen, "design '%s' loaded but fails cfg_check_design: %s", name, err);
	perf_ctx p;
	perf_res res;
	perf_prepare(&p, c, w, &cd->d);
	perf_resources(&p, &res);
	if (check_res(&res.r_total, "r_total", name, why, whylen) ||
	    check_res(&res.r_equiv, "r_equiv", name, why, whylen) ||
	    check_res(&res.util, "util", name, why, whylen) ||
	    check_res(&res.rp_cap, "rp_cap", name, why, whylen))
		return -1;
	bool dpr = cd->d.mode == MODE_DPR;
	int lo = c->wl.prompts[0], hi = c->wl.prompts[0];
	for (int i = 1; i < c->wl.n_prompts; i++) {
		lo = c->wl.prompts[i] < lo ? c->wl.prompts[i] : lo;
		hi = c->wl.prompts[i] > hi ? c->wl.prompts[i] : hi;
	}
	const int prompts[3] = {c->obj.prompt, lo, hi};
	for (int i = 0; i < 3; i++) {
		int gen = c->wl.gen_tokens < 4 ? c->wl.gen_tokens : 4;
		if (check_run(&p, prompts[i], gen, dpr, name, why, whylen) ||
		    check_run(&p, prompts[i], 0, dpr, name, why, whylen))
			return -1;
	}
	if (good(perf_objective(&p), true, "objective", name, why, whylen) ||
	    good(perf_decode_tok_s(&p, c->obj.l_short), true, "decode_tok_s at l_short", name, why, whylen) ||
	    good(perf_decode_tok_s(&p, c->obj.l_long), true, "decode_tok_s at l_long", name, why, whylen))
		return -1;
	char fwhy[200];
	(void)perf_feasible(&p, fwhy, sizeof fwhy);
	return 0;
}

int fz_check_text(const char *name, const char *buf, size_t len, bool *loaded, char *why, size_t whylen)
{
	cfg_t *c = malloc(sizeof *c);
	char err[1024];
	if (loaded)
		*loaded = false;
	if (!c)
		return broken(why, whylen, "out of memory");
	err[0] = '\0';
	int rc = config_load_buffer(c, name, buf, len, err, sizeof err);
	if (rc != 0) {
		int out = 0;
		if (rc != -1)
			out = broken(why, whylen, "config_load_buffer returned %d", rc);
		else if (!positioned(name, err))
			out = broken(why, whylen, "error without NAME:LINE:COL: \"%s\"", err);
		else if (c->text)
			out = broken(why, whylen, "a failed load left text to release");
		free(c);
		return out;
	}
	if (loaded)
		*loaded = true;
	int out = 0;
	workload_t w;
	workload_init(&w, &c->model);
	if (strlen(c->sha256) != 64 || c->text_len != len)
		out = broken(why, whylen, "loaded config has a bad hash or text length");
	for (int i = 0; i < c->n_designs && !out; i++)
		out = check_design(c, &w, &c->designs[i], why, whylen);
	if (!out && c->has_meas) {
		calib_row rows[128];
		int n = calib_rows(c, rows, 128);
		for (int i = 0; i < n && !out; i++)
			if (!isfinite(rows[i].measured) || !isfinite(rows[i].predicted) ||
			    !isfinite(rows[i].rel_err))
				out = broken(why, whylen, "calibration row '%s' is not finite (%g vs %g)",
					     rows[i].name, rows[i].measured, rows[i].predicted);
	}
	cfg_release(c);
	free(c);
	return out;
}
