/*
 * sessions.c - see sessions.h.  A unit of work is one policy (or one
 * prompt row of a break-even map); threads take units from an atomic
 * counter and write only their own slots, so the thread count changes
 * nothing but the wall time.
 */
#include "explore/sessions.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/reqtrace.h"
#include "explore/pool.h"
#include "models/common.h"

unsigned sessions_all(arch_mode mode)
{
	if (mode == MODE_STATIC)
		return 1u << SESSION_STATIC;
	return 1u << SESSION_ALWAYS | 1u << SESSION_NEVER | 1u << SESSION_THRESHOLD | 1u << SESSION_ORACLE |
	       1u << SESSION_STATIC;
}

void sessions_expect(const cfg_session_wl *wl, const reqgen_trace *trace, double *prompt, double *output)
{
	double tp = 0, to = 0;
	if (trace)
		reqtrace_means(trace, &tp, &to);
	*prompt = wl->prompt.kind == CFG_LEN_TRACE ? tp : wl->prompt.mean;
	*output = wl->output.kind == CFG_LEN_TRACE ? to : wl->output.mean;
}

void sessions_result_free(sessions_result *r)
{
	if (!r)
		return;
	free(r->req);
	for (int i = 0; i < r->n_rows; i++)
		free(r->rows[i].rec);
	memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ the runs */

typedef struct {
	const sessions_spec *sp;
	const design_t *d, *stat;
	sessions_result *r;
	session_opts base;
	double *rest; /* the workload's output still to come, by tokens so far */
	atomic_int next;
	int fail[SESSION_POLICIES];
	char err[SESSION_POLICIES][512];
} run_job;

static int one_policy(run_job *J, int k)
{
	const sessions_spec *sp = J->sp;
	sessions_row *row = &J->r->rows[k];
	const design_t *d = row->is_static ? J->stat : J->d;
	char *err = J->err[k];
	size_t errlen = sizeof J->err[k];
	phases *ex = NULL, *pr = NULL;
	int rc = phases_new(&ex, sp->c, sp->w, d, sp->model, err, errlen);
	if (!rc && sp->model != PHASES_ANALYTIC)
		rc = phases_new(&pr, sp->c, sp->w, d, PHASES_ANALYTIC, err, errlen);
	if (!rc && sp->records && !(row->rec = malloc((J->r->n ? J->r->n : 1) * sizeof *row->rec))) {
		snprintf(err, errlen, "out of memory");
		rc = PDS_FAIL;
	}
	session_opts o = J->base;
	o.policy = row->policy;
	if (!rc)
		rc = session_run(ex, pr ? pr : ex, J->r->req, J->r->n, &o, row->rec, &row->f, err, errlen);
	if (!rc) {
		row->f.refused = (int64_t)J->r->cnt.refused;
		if (sp->capacity)
			rc = session_capacity(ex, pr ? pr : ex, J->r->req, J->r->n, &o, &row->f.capacity_rps, err, errlen);
	}
	phases_free(ex);
	phases_free(pr);
	return rc;
}

static void *run_worker(void *arg)
{
	run_job *J = arg;
	int k;
	while ((k = atomic_fetch_add(&J->next, 1)) < J->r->n_rows)
		J->fail[k] = one_policy(J, k);
	return NULL;
}

/* Run fn over the job with up to `threads` threads (the caller's alone for one). */
static int run_threads(int threads, int units, void *(*fn)(void *), void *job, char *err, size_t errlen)
{
	if (threads <= 1 || units <= 1) {
		fn(job);
		return 0;
	}
	pool p;
	if (pool_start(&p, threads < units ? threads : units, fn, job, err, errlen) < 0)
		return PDS_FAIL;
	pool_join(&p);
	return 0;
}

int sessions_run(const sessions_spec *sp, const design_t *d, const design_t *stat, unsigned policies,
		 sessions_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	const cfg_session_wl *wl = &sp->wl;
	bool dpr = d->mode == MODE_DPR;
	if (stat && stat->mode != MODE_STATIC) {
		snprintf(err, errlen, "the design compared with must be a static design");
		return PDS_FAIL_REQUEST;
	}
	size_t n = sp->requests ? sp->requests : (size_t)sp->c->session.requests;
	if (wl->arrival == CFG_ARR_TRACE && !sp->requests && sp->trace)
		n = sp->trace->n;
	if (!(r->req = malloc((n ? n : 1) * sizeof *r->req))) {
		snprintf(err, errlen, "out of memory");
		return PDS_FAIL;
	}
	long kept = reqgen_make(wl, sp->trace, sp->c->model.max_context, wl->refuse_over_context, sp->seed, n, r->req,
				&r->cnt, err, errlen);
	if (kept < 0) {
		sessions_result_free(r);
		return PDS_FAIL_REQUEST;
	}
	r->n = (size_t)kept;
	if (r->n == 0) {
		snprintf(err, errlen, "workload '%s': every request was refused (longer than the model's context of %d)",
			 wl->name, sp->c->model.max_context);
		sessions_result_free(r);
		return PDS_FAIL_REQUEST;
	}
	double drawn = reqgen_rate_rps(wl, sp->trace);
	r->offered_rps = sp->rate_rps > 0 ? sp->rate_rps : drawn;
	run_job J = {.sp = sp, .d = d, .stat = stat, .r = r};
	if (!(J.rest = malloc(((size_t)sp->c->model.max_context + 1) * sizeof *J.rest)) ||
	    reqgen_rest_output(wl, sp->trace, sp->c->model.max_context, J.rest, err, errlen)) {
		free(J.rest);
		sessions_result_free(r);
		snprintf(err, errlen, "out of memory");
		return PDS_FAIL;
	}
	session_opts *o = &J.base;
	o->rest_output = J.rest;
	o->start_decode = sp->start_decode;
	o->closed = wl->arrival == CFG_ARR_CLOSED;
	o->offered_rps = drawn;
	o->rate_scale = sp->rate_rps > 0 && drawn > 0 ? sp->rate_rps / drawn : 1;
	o->threshold_prompt = sp->threshold_prompt;
	o->threshold_gen = sp->threshold_gen;
	sessions_expect(wl, sp->trace, &o->expect_prompt, &o->expect_output);
	o->slo_ttft_p90_s = wl->slo_ttft_p90_s;
	o->slo_tpot_p99_s = wl->slo_tpot_p99_s;
	for (int p = 0; p < SESSION_POLICIES; p++) {
		if (!(policies & 1u << p))
			continue;
		bool on_static = p == SESSION_STATIC;
		if (on_static && dpr && !stat)
			continue;
		if (!on_static && !dpr)
			continue;
		r->rows[r->n_rows++] = (sessions_row){.policy = (session_policy)p, .is_static = on_static && dpr};
	}
	if (r->n_rows == 0) {
		snprintf(err, errlen, "no policy of a %s design was asked for", mode_names[d->mode]);
		free(J.rest);
		sessions_result_free(r);
		return PDS_FAIL_REQUEST;
	}
	if (run_threads(sp->threads, r->n_rows, run_worker, &J, err, errlen)) {
		free(J.rest);
		sessions_result_free(r);
		return PDS_FAIL;
	}
	free(J.rest);
	for (int k = 0; k < r->n_rows; k++)
		if (J.fail[k]) {
			snprintf(err, errlen, "%s", J.err[k]);
			sessions_result_free(r);
			return J.fail[k];
		}
	r->n_rm = sessions_rm_names(d, r->rm_names);
	if (dpr) {
		phases *pr;
		int rc = phases_new(&pr, sp->c, sp->w, d, PHASES_ANALYTIC, err, errlen);
		if (!rc) {
			r->threshold_gen_at = (int)lround(o->expect_prompt < 1 ? 1 : o->expect_prompt);
			rc = session_model_thresholds(pr, o, r->threshold_gen_at, &r->model_threshold_prompt,
						      &r->model_threshold_gen, err, errlen);
		}
		if (!rc) {
			rms_ctx *x = phases_rms(pr);
			r->n_points = rms_points(x);
			memcpy(r->point, x->point, sizeof r->point);
			memcpy(r->point_mod, x->point_mod, sizeof r->point_mod);
		}
		phases_free(pr);
		if (rc) {
			sessions_result_free(r);
			return rc;
		}
	}
	return 0;
}

/* --------------------------------------------------------------- figures */

static double figure_of(const figures_session *f, cfg_wl_figure fig)
{
	switch (fig) {
	case CFG_WLFIG_E2E_MEAN: return f->e2e_s.mean;
	case CFG_WLFIG_E2E_P99: return f->e2e_s.p99;
	case CFG_WLFIG_TTFT_P90: return f->ttft_s.p90;
	case CFG_WLFIG_TPOT_P99: return f->tpot_s.p99;
	case CFG_WLFIG_ENERGY: return f->energy_j_per_request;
	case CFG_WLFIG_N: break;
	}
	return NAN;
}

double sessions_figure(const sessions_result *r, cfg_wl_figure fig, session_policy *best)
{
	double v = INFINITY;
	*best = SESSION_STATIC;
	for (int k = 0; k < r->n_rows; k++) {
		const sessions_row *row = &r->rows[k];
		if (row->policy == SESSION_ORACLE || row->is_static)
			continue;
		double x = figure_of(&row->f, fig);
		if (x < v) {
			v = x;
			*best = row->policy;
		}
	}
	return v;
}

/* ---------------------------------------------------------------- modules */

int sessions_rm_names(const design_t *d, char names[RMS_MAX][RMS_NAME_MAX])
{
	rmset_t set;
	rms_expand(d, &set);
	for (int k = 0; k < set.n; k++)
		snprintf(names[k], RMS_NAME_MAX, "%s", set.rm[k].name);
	return set.n;
}

const char *sessions_decode_rms(const session_rec *r, const char names[RMS_MAX][RMS_NAME_MAX], int n, char *buf,
				size_t len)
{
	buf[0] = '\0';
	int m = r->n_dec ? r->n_dec : 1;
	for (int j = 0; j < m; j++) {
		int k = r->n_dec ? r->dec_seq[j] : r->decode_rm;
		size_t l = strlen(buf);
		snprintf(buf + l, len - l, "%s%s", j ? ">" : "", k >= 0 && k < n ? names[k] : "static");
	}
	return buf;
}

const char *sessions_swaps_json(const sessions_result *r, const sessions_row *row, char *buf, size_t len)
{
	buf[0] = '\0';
	if (row->is_static || r->n_rm == 0)
		return buf;
	snprintf(buf, len, "{");
	for (int k = 0; k < r->n_rm; k++) {
		size_t l = strlen(buf);
		snprintf(buf + l, len - l, "%s\"%s\": %lld", k ? ", " : "", r->rm_names[k], (long long)row->f.swaps_by_rm[k]);
	}
	size_t l = strlen(buf);
	snprintf(buf + l, len - l, "}");
	return buf;
}

/* ------------------------------------------------------------ break-even */

typedef struct {
	const cfg_t *c;
	const workload_t *w;
	const design_t *d, *stat;
	phases_model model;
	bool start_decode;
	int n_rm;
	char rm_names[RMS_MAX][RMS_NAME_MAX];
	sessions_cell *cells;
	long n_cells;
	atomic_int next;
	int n_prompts;
	const int *prompts;
	long *first; /* index of each prompt's first cell */
	int fail;
	atomic_int failed;
	char err[512];
} be_job;

static const session_policy be_policies[4] = {SESSION_ALWAYS, SESSION_NEVER, SESSION_THRESHOLD, SESSION_ORACLE};

/* The cells of one prompt: its own phase caches. */
static int be_row(be_job *J, int pi, char *err, size_t errlen)
{
	phases *ex = NULL, *pr = NULL, *sx = NULL;
	int rc = phases_new(&ex, J->c, J->w, J->d, J->model, err, errlen);
	if (!rc)
		rc = phases_new(&pr, J->c, J->w, J->d, PHASES_ANALYTIC, err, errlen);
	if (!rc)
		rc = phases_new(&sx, J->c, J->w, J->stat, J->model, err, errlen);
	long end = pi + 1 < J->n_prompts ? J->first[pi + 1] : J->n_cells;
	for (long k = J->first[pi]; !rc && k < end; k++) {
		sessions_cell *cl = &J->cells[k];
		session_rec last;
		rc = session_breakeven_cell(ex, pr, cl->policy, J->start_decode, cl->prompt, cl->output, &cl->e2e_s,
					    &cl->energy_j, &last, err, errlen);
		if (!rc) {
			snprintf(cl->prefill_rm, sizeof cl->prefill_rm, "%s",
				 last.prefill_rm >= 0 && last.prefill_rm < J->n_rm ? J->rm_names[last.prefill_rm] : "static");
			sessions_decode_rms(&last, J->rm_names, J->n_rm, cl->decode_rms, sizeof cl->decode_rms);
			rc = session_breakeven_cell(sx, sx, SESSION_STATIC, false, cl->prompt, cl->output,
						    &cl->static_e2e_s, &cl->static_energy_j, NULL, err, errlen);
		}
	}
	phases_free(ex);
	phases_free(pr);
	phases_free(sx);
	return rc;
}

static void *be_worker(void *arg)
{
	be_job *J = arg;
	int k;
	char err[512];
	while ((k = atomic_fetch_add(&J->next, 1)) < J->n_prompts) {
		int rc = be_row(J, k, err, sizeof err);
		if (rc && atomic_fetch_add(&J->failed, 1) == 0) {
			J->fail = rc;
			snprintf(J->err, sizeof J->err, "%s", err);
		}
	}
	return NULL;
}

long sessions_breakeven(const cfg_t *c, const workload_t *w, const design_t *d, const design_t *stat,
			phases_model model, bool start_decode, int threads, sessions_cell **cells, char *err,
			size_t errlen)
{
	*cells = NULL;
	if (d->mode != MODE_DPR || stat->mode != MODE_STATIC) {
		snprintf(err, errlen, "a break-even map compares a dpr design with a static one");
		return PDS_FAIL_REQUEST;
	}
	const cfg_session *s = &c->session;
	int maxc = c->model.max_context;
	/* cells by prompt (one unit of work each), then policy, then output */
	long n = 0;
	long *first = malloc((size_t)(s->n_be_prompts + 1) * sizeof *first);
	sessions_cell *cl = malloc((size_t)(4 * s->n_be_prompts * s->n_be_outputs + 1) * sizeof *cl);
	if (!first || !cl) {
		free(first);
		free(cl);
		snprintf(err, errlen, "out of memory");
		return PDS_FAIL;
	}
	for (int i = 0; i < s->n_be_prompts; i++) {
		first[i] = n;
		for (int pol = 0; pol < 4; pol++)
			for (int j = 0; j < s->n_be_outputs; j++)
				if ((long)s->be_prompts[i] + s->be_outputs[j] <= maxc)
					cl[n++] = (sessions_cell){.policy = be_policies[pol], .prompt = s->be_prompts[i],
								  .output = s->be_outputs[j]};
	}
	be_job J = {.c = c, .w = w, .d = d, .stat = stat, .model = model, .start_decode = start_decode, .cells = cl,
		    .n_cells = n, .n_prompts = s->n_be_prompts, .prompts = s->be_prompts, .first = first};
	J.n_rm = sessions_rm_names(d, J.rm_names);
	int rc = run_threads(threads, J.n_prompts, be_worker, &J, err, errlen);
	free(first);
	if (!rc && J.fail) {
		snprintf(err, errlen, "%s", J.err);
		rc = J.fail;
	}
	if (rc) {
		free(cl);
		return rc;
	}
	/* by policy, then prompt, then output (the order the store and the report use) */
	sessions_cell *sorted = malloc((size_t)(n ? n : 1) * sizeof *sorted);
	if (!sorted) {
		free(cl);
		snprintf(err, errlen, "out of memory");
		return PDS_FAIL;
	}
	long m = 0;
	for (int pol = 0; pol < 4; pol++)
		for (long k = 0; k < n; k++)
			if (cl[k].policy == be_policies[pol])
				sorted[m++] = cl[k];
	free(cl);
	*cells = sorted;
	return n;
}

/* ------------------------------------------------------ config workloads */

int sessions_spec_of(const cfg_t *c, const workload_t *w, const cfg_session_wl *wl, sessions_spec *sp,
		     reqgen_trace *trace, char *err, size_t errlen)
{
	memset(sp, 0, sizeof *sp);
	memset(trace, 0, sizeof *trace);
	sp->c = c;
	sp->w = w;
	sp->wl = *wl;
	sp->seed_base = c->session.seed;
	sp->seed = reqgen_seed(sp->seed_base, wl->name);
	sp->model = PHASES_ANALYTIC;
	sp->start_decode = c->session.start_decode;
	sp->threads = 1;
	if (wl->trace[0]) {
		int rc = reqtrace_read(wl->trace, trace, err, errlen);
		if (rc)
			return rc;
		sp->trace = trace;
	}
	return 0;
}

int sessions_check_traces(const cfg_t *c, char *err, size_t errlen)
{
	for (int i = 0; i < c->n_session_wl; i++) {
		if (!c->session_wl[i].trace[0])
			continue;
		reqgen_trace t;
		int rc = reqtrace_read(c->session_wl[i].trace, &t, err, errlen);
		reqgen_trace_free(&t);
		if (rc)
			return rc;
	}
	return 0;
}

typedef struct {
	const sessions_spec *sp;
	const design_t *d;
	size_t n;
	double *figs;
	atomic_size_t next;
	atomic_int failed;
	int fail;
	char err[600];
} fig_job;

static void *fig_worker(void *arg)
{
	fig_job *J = arg;
	size_t k;
	char err[600];
	while ((k = atomic_fetch_add(&J->next, 1)) < J->n) {
		sessions_result r;
		const design_t *d = &J->d[k];
		unsigned pol = d->mode == MODE_DPR ? (1u << SESSION_ALWAYS | 1u << SESSION_NEVER | 1u << SESSION_THRESHOLD)
						   : 1u << SESSION_STATIC;
		int rc = sessions_run(J->sp, d, NULL, pol, &r, err, sizeof err);
		if (rc) {
			if (atomic_fetch_add(&J->failed, 1) == 0) {
				J->fail = rc;
				snprintf(J->err, sizeof J->err, "%s", err);
			}
			continue;
		}
		session_policy best;
		J->figs[k] = sessions_figure(&r, J->sp->c->obj.workload_figure, &best);
		sessions_result_free(&r);
	}
	return NULL;
}

int sessions_figures(const cfg_t *c, const workload_t *w, const design_t *d, size_t n, phases_model model, int threads,
		     double *figs, char *err, size_t errlen)
{
	int i = cfg_find_session_wl(c, c->obj.workload);
	if (i < 0) {
		snprintf(err, errlen, "%s: objective.workload '%s' is not a workload of the config", c->path, c->obj.workload);
		return PDS_FAIL_REQUEST;
	}
	sessions_spec sp;
	reqgen_trace trace;
	int rc = sessions_spec_of(c, w, &c->session_wl[i], &sp, &trace, err, errlen);
	if (rc)
		return rc;
	sp.model = model;
	fig_job J = {.sp = &sp, .d = d, .n = n, .figs = figs};
	for (size_t k = 0; k < n; k++)
		figs[k] = INFINITY;
	rc = run_threads(threads, (int)(n < 1000000 ? n : 1000000), fig_worker, &J, err, errlen);
	if (!rc && J.fail) {
		snprintf(err, errlen, "%s", J.err);
		rc = J.fail;
	}
	reqgen_trace_free(&trace);
	return rc;
}
