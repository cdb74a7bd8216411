/*
 * page.c - index.html of the report: the run, the designs followed with
 * their stored figures, the figures with their captions, the resources per
 * region, the swap, the sessions of the run's workloads with the break-even
 * map, the validation table and the notes.  Inline style, no
 * script, no remote URL; the same database gives the same bytes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/version.h"
#include "report/plot.h"
#include "report/report_int.h"

/* ---------------------------------------------------------------- page */

static void h_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* A number with `sig` significant digits, or a dash. */
static void h_num(FILE *f, double v, int sig)
{
	if (!isfinite(v))
		fputs("&ndash;", f);
	else if (fabs(v) >= 1e4 && fabs(v) < 1e9)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.*g", sig, v);
}

static void h_cell(FILE *f, double v, int sig)
{
	fputs("<td class=n>", f);
	h_num(f, v, sig);
	fputs("</td>", f);
}

static void h_figure(FILE *f, const char *stem, const char *alt, const char *caption)
{
	fprintf(f,
		"<figure><img src=\"fig/%s.svg\" width=\"%d\" height=\"%d\" alt=\"",
		stem, PLOT_SVG_W, PLOT_SVG_H);
	h_esc(f, alt);
	fputs("\"><figcaption>", f);
	fputs(caption, f);
	fprintf(f,
		" <span class=files><a href=\"fig/%s.png\" data-width=\"%d\" data-height=\"%d\">PNG, %d&times;%d</a>"
		" &middot; <a href=\"fig/%s.svg\">SVG</a> &middot; <a href=\"fig/%s.gp\">gnuplot script</a></span>"
		"</figcaption></figure>\n",
		stem, PLOT_PNG_W, PLOT_PNG_H, PLOT_PNG_W, PLOT_PNG_H, stem, stem);
}

static void design_params(FILE *f, const cfg_t *c, const design_t *d)
{
	fprintf(f, "%d MHz; TLMM T=%d Q=%d; prefill %d PE &times; %d lanes, block %d; decode %d lanes; ports ",
		d->clock_mhz, d->tlmm_tables, d->tlmm_lanes, d->pre_pe, d->pre_lanes, d->pre_block, d->dec_lanes);
	h_esc(f, c->arch.port_maps[d->pm_pre].name);
	fputs(" / ", f);
	h_esc(f, c->arch.port_maps[d->pm_dec].name);
	if (d->mode == MODE_DPR) {
		fputs("; pblock ", f);
		h_esc(f, c->arch.pblocks[d->rp].name);
	}
}

static void page_designs(report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	fprintf(f,
		"<h2 id=designs>Designs followed</h2>\n<table>\n<tr><th>role</th><th>design</th><th>mode</th>"
		"<th>parameters</th><th>TTFT @%d (s)</th><th>decode @%d (tok/s)</th><th>decode @%d (tok/s)</th>"
		"<th>objective (s)</th><th>swap (ms)</th><th>swap exposed (ms)</th><th>LUT</th><th>FF</th>"
		"<th>BRAM36</th><th>URAM</th><th>DSP</th><th>feasible</th></tr>\n",
		c->obj.prompt, c->obj.l_short, c->obj.l_long);
	report_design *D[3] = {&R->dpr, &R->stat, &R->base};
	for (int k = 0; k < 3; k++) {
		if (!D[k]->present)
			continue;
		const rdb_point *pt = D[k]->pt;
		fprintf(f, "<tr><td><span class=sw style=\"background:%s\"></span>", D[k]->color);
		h_esc(f, D[k]->role);
		fputs("</td><td>", f);
		h_esc(f, D[k]->name);
		fprintf(f, "</td><td>%s</td><td class=p>", mode_names[D[k]->d.mode]);
		design_params(f, c, &D[k]->d);
		fputs("</td>", f);
		h_cell(f, pt->ttft_obj_s, 4);
		h_cell(f, report_stored_tok(D[k], c->obj.l_short, c), 4);
		h_cell(f, report_stored_tok(D[k], c->obj.l_long, c), 4);
		h_cell(f, pt->objective, 4);
		h_cell(f, D[k]->d.mode == MODE_DPR ? pt->swap_s * 1e3 : NAN, 3);
		h_cell(f, D[k]->d.mode == MODE_DPR ? D[k]->swap_exposed_obj * 1e3 : NAN, 3);
		for (int t = 0; t < RES_N; t++)
			h_cell(f, pt->r.v[t], 4);
		fputs("<td>", f);
		if (pt->feasible)
			fputs("yes", f);
		else
			h_esc(f, pt->reason);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<p class=small>", f);
	for (int k = 0; k < 3; k++)
		if (D[k]->present) {
			fputs("<b>", f);
			h_esc(f, D[k]->role);
			fputs("</b>: ", f);
			h_esc(f, D[k]->why);
			fputs(". ", f);
		}
	fprintf(f,
		"Figures of the analytic model as the run stored them; the objective is"
		" TTFT(%d) + %.2g&middot;T<sub>dec</sub>(%d) + %.2g&middot;T<sub>dec</sub>(%d). Resources: static"
		" region + max(prefill RM, decode RM) for dpr, + both engines for static.</p>\n",
		c->obj.prompt, c->obj.alpha, c->obj.l_long, 1 - c->obj.alpha, c->obj.l_short);
}

static void res_row(FILE *f, const char *name, res_t r, bool pct, const res_t *dev)
{
	fputs("<tr><td>", f);
	fputs(name, f);
	fputs("</td>", f);
	for (int t = 0; t < RES_N; t++) {
		fputs("<td class=n>", f);
		h_num(f, r.v[t], 4);
		if (pct && dev->v[t] > 0)
			fprintf(f, " <span class=small>(%.1f%%)</span>", 100 * r.v[t] / dev->v[t]);
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
}

static void page_resources(report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	res_split a = report_split_of(&R->dpr), b = report_split_of(&R->stat);
	fputs("<table>\n<tr><th></th>", f);
	for (int t = 0; t < RES_N; t++)
		fprintf(f, "<th>%s</th>", report_res_label[t]);
	fputs("</tr>\n", f);
	const res_t *dev = &c->dev.resources;
	if (a.present) {
		char h[200];
		snprintf(h, sizeof h, "<b>%s</b>: static region", R->dpr.name);
		res_row(f, h, a.stat, true, dev);
		res_row(f, "&nbsp;&nbsp;prefill RM", a.pre, true, dev);
		res_row(f, "&nbsp;&nbsp;decode RM", a.dec, true, dev);
		res_t tot = a.stat;
		for (int t = 0; t < RES_N; t++)
			tot.v[t] += fmax(a.pre.v[t], a.dec.v[t]);
		res_row(f, "&nbsp;&nbsp;total (static + max of the RMs)", tot, true, dev);
		res_row(f, "&nbsp;&nbsp;equivalent total (static + both RMs)", res_add(a.stat, res_add(a.pre, a.dec)),
			true, dev);
		if (a.dpr)
			res_row(f, "&nbsp;&nbsp;reconfigurable partition (pblock capacity)", a.rp_cap, true, dev);
	}
	if (b.present) {
		char h[200];
		snprintf(h, sizeof h, "<b>%s</b>: static region", R->stat.name);
		res_row(f, h, b.stat, true, dev);
		res_row(f, "&nbsp;&nbsp;attention engines (prefill + decode)", res_add(b.pre, b.dec), true, dev);
		res_row(f, "&nbsp;&nbsp;total", res_add(b.stat, res_add(b.pre, b.dec)), true, dev);
	}
	res_row(f, "device capacity", *dev, false, dev);
	res_t cap;
	for (int t = 0; t < RES_N; t++)
		cap.v[t] = c->cons.util_cap.v[t] * dev->v[t];
	res_row(f, "utilisation cap", cap, true, dev);
	fputs("</table>\n", f);
}

static void page_swap(report_ctx *R, FILE *f)
{
	fputs("<h2 id=swap>Swap timeline</h2>\n", f);
	if (!R->has_swap) {
		fputs(R->dpr.present && R->dpr.d.mode == MODE_DPR
			      ? "<p class=note>The run stored no swap of the followed dpr design (a run of an older"
				" version): there is no timeline to draw.</p>\n"
			      : "<p class=note>No dpr design is followed, so there is no swap to draw.</p>\n",
		      f);
		return;
	}
	char cap[1024];
	snprintf(cap, sizeof cap,
		 "One inference of <b>%s</b> through the discrete-event model: the end of the %d-token prefill, the"
		 " swap and the first %d decode steps, one row per track of the model's trace (the HP-port rows"
		 " show which stream holds each port). The swap starts when the last layer's attention is done and"
		 " overlaps that layer's O projection and FFN (the prefill tail) and the first LM head; decode"
		 " waits for the decode RM. The figure is drawn from <a href=\"fig/swap_trace.json\">the Chrome"
		 " trace</a> of that run (it opens in Perfetto or chrome://tracing).",
		 R->dpr.name, R->swap_des.prompt, R->swap_des.gen);
	h_figure(f, "swap", "Swap timeline of one inference", cap);
	const figures *d = &R->swap_des;
	const figures *a = &R->swap_ana;
	fputs("<table>\n<tr><th>ms</th><th>swap</th><th>PCAP transfer</th><th>PS software path</th>"
	      "<th>prefill tail (trigger to end of prefill)</th><th>hidden</th><th>exposed</th><th>TTFT</th>"
	      "<th>first decode step</th></tr>\n<tr><td>discrete-event model</td>",
	      f);
	double v[8] = {d->swap_s, d->pcap_s, d->swap_s - d->pcap_s, d->tail_overlap_s, R->swap_hidden_des,
		       d->swap_exposed_s, d->ttft_s, d->decode_first_step_s};
	for (int i = 0; i < 8; i++)
		h_cell(f, 1e3 * v[i], 4);
	fputs("</tr>\n<tr><td>analytic model</td>", f);
	double w[8] = {a->swap_s, a->pcap_s, a->swap_s - a->pcap_s, a->tail_overlap_s, a->swap_s - a->swap_exposed_s,
		       a->swap_exposed_s, a->ttft_s, a->decode_first_step_s};
	for (int i = 0; i < 8; i++)
		h_cell(f, 1e3 * w[i], 4);
	fputs("</tr>\n</table>\n<p class=small>The analytic model's hidden part is the swap less its exposed"
	      " part (the tail and the first LM head together).</p>\n",
	      f);
}

/* A workload as the run's config states it, in words. */
static void workload_words(FILE *f, const cfg_session_wl *wl)
{
	switch (wl->arrival) {
	case CFG_ARR_POISSON: fprintf(f, "Poisson arrivals at %g/s", wl->rate_rps); break;
	case CFG_ARR_GAMMA: fprintf(f, "gamma-distributed gaps at %g/s, CV %g", wl->rate_rps, wl->cv); break;
	case CFG_ARR_CLOSED: fprintf(f, "one user, think time %g s", wl->think_s); break;
	case CFG_ARR_TRACE: fputs("the arrivals of its trace", f); break;
	}
	fprintf(f, "; mean prompt %.4g tokens, mean output %.4g tokens; SLO TTFT p90 &le; %g s, TPOT p99 &le; %g s",
		wl->prompt.mean, wl->output.mean, wl->slo_ttft_p90_s, wl->slo_tpot_p99_s);
}

/* The modules of the followed dpr design's partition, and which of them
 * served each cell of the break-even grid. */
static void page_modules(report_ctx *R, FILE *f)
{
	if (R->n_rms == 0)
		return;
	fputs("<h3 id=modules>Modules of the partition</h3>\n<p>The followed dpr design's partition holds these"
	      " modules, one partial bitstream of its pblock each, one loaded at a time. Resources: the module's"
	      " engines (a hybrid holds both).</p>\n<table>\n<tr><th>module</th><th>engines</th><th>serves</th>"
	      "<th>prefill engine</th><th>decode engine</th><th>LUT</th><th>FF</th><th>BRAM36</th><th>URAM</th>"
	      "<th>DSP</th></tr>\n",
	      f);
	for (int k = 0; k < R->n_rms; k++) {
		const rdb_rm *m = &R->rms[k];
		fputs("<tr><td>", f);
		h_esc(f, m->name);
		fputs("</td><td>", f);
		h_esc(f, m->engines);
		fputs("</td><td>", f);
		h_esc(f, m->serves);
		fputs("</td><td>", f);
		if (m->pre_pe > 0) {
			fprintf(f, "%d PE x %d lanes, block %d, ", m->pre_pe, m->pre_lanes, m->pre_block);
			h_esc(f, m->pm_prefill);
		}
		fputs("</td><td>", f);
		if (m->dec_lanes > 0) {
			fprintf(f, "%d lanes, ", m->dec_lanes);
			h_esc(f, m->dec_dataflow);
			fputs(", ", f);
			h_esc(f, m->pm_decode);
		}
		fputs("</td>", f);
		for (int t = 0; t < RES_N; t++)
			h_cell(f, m->res.v[t], 5);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	if (R->has_rms_map)
		h_figure(f, "rms", "The modules that serve each cell of the break-even grid",
			 "For each request of one prompt and output length of the break-even grid (the last of the"
			 " requests that follow each other without idle time), the module its prefill ran on and the"
			 " modules its decode ran on in turn, per DPR policy; one colour per combination. Analytic"
			 " model.");
}

static void page_sessions(report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	fputs("<h2 id=sessions>Sessions</h2>\n", f);
	if (c->n_session_wl == 0) {
		fputs("<p class=note>The run's config has no <code>workloads</code> section: no sessions to show.</p>\n", f);
		return;
	}
	if (R->n_sess == 0) {
		fputs("<p class=note>The run stored no sessions (a run of an older version): the tables and the"
		      " break-even map are left out.</p>\n",
		      f);
		return;
	}
	fputs("<p>Each workload of the run's config as a session of many requests on one board (one request at a"
	      " time, FIFO), every run-time swap policy of the best dpr design on the same requests, and the best"
	      " static design beside them (analytic model; times from each request's arrival). <i>always</i>: the"
	      " paper's flow, two swaps per request; <i>never</i>: the module loaded at the start for everything;"
	      " <i>threshold</i>: swap only when the model predicts a saving larger than the swap's exposed cost;"
	      " <i>oracle</i>: the same knowing each output length. Capacity: the highest arrival rate that meets"
	      " the SLOs.</p>\n",
	      f);
	for (int w = 0; w < c->n_session_wl; w++) {
		const cfg_session_wl *wl = &c->session_wl[w];
		fputs("<h3>", f);
		h_esc(f, wl->name);
		fputs("</h3>\n<p class=small>", f);
		workload_words(f, wl);
		fputs("</p>\n<table>\n<tr><th>policy</th><th>design</th><th>requests</th><th>swaps</th><th>wait mean s</th>"
		      "<th>TTFT p50 s</th><th>p90</th><th>p99</th><th>TPOT p50 s</th><th>p99</th><th>e2e mean s</th><th>p50</th>"
		      "<th>p99</th><th>goodput req/s</th><th>reconfig %</th><th>J/request</th><th>capacity req/s</th>"
		      "<th>SLO met</th>",
		      f);
		if (R->n_rms)
			fputs("<th>swaps by module</th>", f);
		fputs("</tr>\n", f);
		for (int k = 0; k < R->n_sess; k++) {
			const rdb_session *r = &R->sess[k];
			const figures_session *x = &r->f;
			if (strcmp(r->workload, wl->name))
				continue;
			fputs("<tr><td>", f);
			h_esc(f, r->policy);
			fputs("</td><td>", f);
			h_esc(f, r->design);
			fprintf(f, "</td><td class=n>%lld</td><td class=n>%lld</td>", (long long)x->requests, (long long)x->swaps);
			const double v[11] = {x->wait_s.mean, x->ttft_s.p50, x->ttft_s.p90, x->ttft_s.p99, x->tpot_s.p50,
					      x->tpot_s.p99, x->e2e_s.mean, x->e2e_s.p50, x->e2e_s.p99, x->goodput_rps,
					      100 * x->reconfig_share};
			for (int i = 0; i < 11; i++)
				h_cell(f, v[i], 4);
			h_cell(f, x->energy_j_per_request, 4);
			if (isinf(x->capacity_rps))
				fputs("<td class=n>unbounded</td>", f);
			else
				h_cell(f, x->capacity_rps, 4);
			fprintf(f, "<td>%s</td>", x->slo_met ? "yes" : "no");
			if (R->n_rms) {
				fputs("<td>", f);
				h_esc(f, r->swaps_by_rm);
				fputs("</td>", f);
			}
			fputs("</tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	if (!R->has_breakeven) {
		fputs("<p class=note>The run stored no break-even map (it needs a dpr and a static design).</p>\n", f);
		return;
	}
	char cap[1600];
	snprintf(cap, sizeof cap,
		 "Where each DPR policy of %s beats the static design %s, for requests of one prompt and output"
		 " length following each other without idle time (so every swap the policy makes is paid): static"
		 " e2e over the policy's e2e (top) and static energy per request over the policy's (bottom), per cell."
		 " Blue: the policy wins; red: the static design wins; white: break-even. The oracle's map is the"
		 " threshold policy's (in this grid each request's length is known). Analytic model.",
		 R->be[0].design, R->be[0].static_design);
	h_figure(f, "breakeven", "Break-even map of the DPR policies against the static design", cap);
	page_modules(R, f);
}

static void page_validation(report_ctx *R, FILE *f)
{
	fputs("<h2 id=validation>Validation: measured against predicted</h2>\n", f);
	if (!R->has_meas) {
		fputs("<p class=note>The run's config has no <code>measurements</code> section, so there is no"
		      " calibrated baseline to compare with: the validation table and the measured points are left"
		      " out.</p>\n",
		      f);
		return;
	}
	const calib_row *rows = R->val;
	int n = R->n_val;
	if (n == 0) {
		fputs("<p class=note>The run stored no validation rows (a run of an older version): the table is left"
		      " out.</p>\n",
		      f);
		return;
	}
	fputs("<p>The calibrated baseline <b>", f);
	h_esc(f, R->base.name);
	fputs("</b> (and the published PD-Swap rows) against every measurement of the run's config."
	      " <i>fit</i>: the point constrains a fitted coefficient; <i>check</i>: it does not;"
	      " <i>reported</i>: shown, not counted against a tolerance.</p>\n"
	      "<table>\n<tr><th>measurement</th><th>unit</th><th>measured</th><th>predicted</th>"
	      "<th>error</th><th>use</th><th>source / note</th></tr>\n",
	      f);
	for (int i = 0; i < n; i++) {
		const calib_row *r = &rows[i];
		fputs("<tr><td>", f);
		h_esc(f, r->name);
		fputs("</td><td>", f);
		h_esc(f, r->unit);
		fputs("</td>", f);
		h_cell(f, r->measured, 6);
		h_cell(f, r->predicted, 6);
		fprintf(f, "<td class=n>%+.1f%%</td><td>%s%s</td><td class=small>", 100 * r->rel_err,
			r->fitted_to ? "fit" : "check", r->checked ? "" : " (reported)");
		h_esc(f, r->note);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static const char *const CSS =
	"body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;max-width:1280px;"
	"color:#222;padding:0 1em}"
	"h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse;margin:0.6em 0;font-size:0.88em}"
	"td,th{border:1px solid #ccc;padding:0.25em 0.5em;vertical-align:top}"
	"th{background:#f2f2f2;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"td.p{font-size:0.85em;max-width:22em}.small{font-size:0.85em;color:#555}"
	".note{background:#fff6e0;border-left:4px solid #e69f00;padding:0.4em 0.8em}"
	"figure{margin:1.2em 0}img{max-width:100%;height:auto;border:1px solid #eee}"
	"figcaption{font-size:0.9em;color:#333;max-width:900px}.files{white-space:nowrap}"
	"code{font-size:0.95em}.sw{display:inline-block;width:0.9em;height:0.9em;margin-right:0.4em;"
	"vertical-align:middle}";

/* The head of the page: the run, its config, versions and counts. */
static void page_run(const report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	const rdb_run *run = &R->run;
	fprintf(f, "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
		   "<title>pdswap report: run %lld</title>\n<style>%s</style>\n</head>\n<body>\n",
		(long long)run->run_id, CSS);
	fprintf(f, "<h1>pdswap report: run %lld of ", (long long)run->run_id);
	h_esc(f, run->config_path);
	fputs("</h1>\n<p>", f);
	h_esc(f, c->dev.name);
	fputs(" &middot; ", f);
	h_esc(f, c->model.name);
	fputs("</p>\n<table>\n", f);
	fprintf(f, "<tr><th>run</th><td>%lld (%s, status <b>", (long long)run->run_id, run->kind);
	h_esc(f, run->status);
	fputs("</b>)</td></tr>\n<tr><th>config</th><td><a href=\"config.yaml\">", f);
	h_esc(f, run->config_path);
	fputs("</a> (as stored with the run)</td></tr>\n<tr><th>config SHA-256</th><td><code>", f);
	h_esc(f, run->config_sha256);
	fprintf(f, "</code> %s</td></tr>\n",
		strcmp(run->config_sha256, c->sha256) == 0 ? "(matches the stored text)"
							      : "<b>(does not match the stored text)</b>");
	fputs("<tr><th>tool version of the run</th><td>", f);
	h_esc(f, run->tool_version);
	fprintf(f, " (this report: %s)</td></tr>\n<tr><th>started / finished</th><td>", PDS_VERSION);
	h_esc(f, run->started_at);
	fputs(" / ", f);
	h_esc(f, run->finished_at[0] ? run->finished_at : "not finished");
	fprintf(f, "</td></tr>\n<tr><th>points</th><td>%zu stored, %zu feasible, %zu on the Pareto front</td></tr>\n"
		   "</table>\n",
		R->n_pts, R->n_feasible, R->n_front);
	if (strcmp(run->status, "complete") != 0)
		fprintf(f, "<p class=note>This run's status is <b>%s</b>: the report shows what it stored.</p>\n",
			run->status);
	fputs("<p class=small>Contents: <a href=\"#designs\">designs</a> &middot; <a href=\"#pareto\">Pareto front</a>"
	      " &middot; <a href=\"#curves\">TTFT and decode</a> &middot; <a href=\"#resources\">resources</a>"
	      " &middot; <a href=\"#swap\">swap</a> &middot; <a href=\"#sessions\">sessions</a>"
	      " &middot; <a href=\"#validation\">validation</a>"
	      " &middot; <a href=\"#notes\">notes</a></p>\n",
	      f);
}

/* One interval cell: value [lo, hi], and the label where no measurement constrains it. */
static void iv_cell(FILE *f, const interval_t *v)
{
	if (!v) {
		fputs("<td>&ndash;</td>", f);
		return;
	}
	fputs("<td>", f);
	h_num(f, v->centre, 4);
	fputs(" [", f);
	h_num(f, v->lo, 4);
	fputs(", ", f);
	h_num(f, v->hi, 4);
	fputs("]", f);
	if (v->unconstrained)
		fputs(" <i>unconstrained</i>", f);
	fputs("</td>", f);
}

static const interval_t *iv_at(const report_design *D, int kc, int length)
{
	for (int i = 0; i < D->n_iv[kc]; i++)
		if (D->iv[kc][i].length == length)
			return &D->iv[kc][i].iv;
	return NULL;
}

static const interval_t *iv_named(const report_design *D, const char *name)
{
	for (int i = 0; i < D->n_iv_other; i++)
		if (strcmp(D->iv_other_name[i], name) == 0)
			return &D->iv_other[i].iv;
	return NULL;
}

/* How sure the figures of the followed designs are (the run's stored intervals). */
static void page_intervals(report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	report_design *D[3] = {&R->dpr, &R->stat, &R->base};
	bool any = false;
	for (int k = 0; k < 3; k++)
		any |= D[k]->present && (D[k]->n_iv[0] > 0 || D[k]->n_iv_other > 0);
	fputs("<h2 id=intervals>Intervals</h2>\n", f);
	if (!any) {
		fputs("<p class=note>The run stored no intervals (a run of an older version).</p>\n", f);
		return;
	}
	fprintf(f,
		"<table>\n<tr><th>design</th><th>objective (s)</th><th>TTFT @%d (s)</th><th>decode @%d (tok/s)</th>"
		"<th>decode @%d (tok/s)</th><th>LUT</th><th>DSP</th></tr>\n",
		c->obj.prompt, c->obj.l_short, c->obj.l_long);
	for (int k = 0; k < 3; k++) {
		if (!D[k]->present)
			continue;
		fprintf(f, "<tr><td><span class=sw style=\"background:%s\"></span>", D[k]->color);
		h_esc(f, D[k]->name);
		fputs("</td>", f);
		iv_cell(f, iv_named(D[k], "objective"));
		iv_cell(f, iv_at(D[k], CURVE_TTFT, c->obj.prompt));
		iv_cell(f, iv_at(D[k], CURVE_DECODE, c->obj.l_short));
		iv_cell(f, iv_at(D[k], CURVE_DECODE, c->obj.l_long));
		iv_cell(f, iv_named(D[k], "lut"));
		iv_cell(f, iv_named(D[k], "dsp"));
		fputs("</tr>\n", f);
	}
	fprintf(f,
		"</table>\n<p class=small>The analytic figure and its central %.0f%% interval over %d draws of the"
		" calibration: fitted coefficients from their fit (multivariate t), assumed ones over their stated"
		" ranges, inferred engine sizes over theirs, the fits redone under each draw. <i>Unconstrained</i>:"
		" what the measurements alone leave open is less than half of that width, so the figure rests on"
		" what no measurement constrains. The TTFT and decode figures draw the same intervals as bands.</p>\n",
		100 * c->iv.level, c->iv.samples);
}

int page_write(report_ctx *R)
{
	const cfg_t *c = &R->cfg;
	const rdb_run *run = &R->run;
	FILE *f = report_open_out(R, R->tmp, "index.html");
	if (!f)
		return PDS_FAIL;
	page_run(R, f);
	page_designs(R, f);
	page_intervals(R, f);

	fputs("<h2 id=pareto>Pareto front</h2>\n", f);
	char cap[2048];
	int o = snprintf(cap, sizeof cap,
			 "Every feasible point of the run at a %d-token prompt: TTFT against the decode rate that"
			 " the objective weighs (%.2g at a context of %d, %.2g at %d). Circles: dpr (PD-Swap);"
			 " triangles: static; filled: on the Pareto front as stored by the run (a front over more"
			 " objectives can hold points that look dominated here); colour: LUTs.",
			 c->obj.prompt, c->obj.alpha, c->obj.l_long, 1 - c->obj.alpha, c->obj.l_short);
	if (R->n_cloud_skipped)
		o += snprintf(cap + o, sizeof cap - (size_t)o,
			      " %zu off-front points are not drawn (every k-th is kept to keep the figure readable).",
			      R->n_cloud_skipped);
	if (R->n_pts > R->n_feasible)
		o += snprintf(cap + o, sizeof cap - (size_t)o, " %zu infeasible points are not drawn.",
			      R->n_pts - R->n_feasible);
	if (R->n_drawn_missing)
		snprintf(cap + o, sizeof cap - (size_t)o,
			 " %zu feasible points lack stored metrics at these lengths and are not drawn.",
			 R->n_drawn_missing);
	h_figure(f, "pareto", "Pareto front: TTFT against decode rate", cap);

	fputs("<h2 id=curves>TTFT and decode rate</h2>\n", f);
	h_figure(f, "ttft", "TTFT against prompt length",
		 "Lines: the analytic model of the followed designs as the run stored it; dots: the"
		 " values the run stored at the workload lengths (open markers: the discrete-event model);"
		 " bands: their intervals (hatched where no measurement constrains them, see Intervals);"
		 " crosses: the published measurements of the calibrated baseline. TTFT does not include the"
		 " swap: it overlaps the first token's LM head.");
	h_figure(f, "decode", "Decode rate against context length",
		 "Decode tokens per second with the given number of tokens in the KV cache (one decode step, all"
		 " layers and the LM head). Lines: model; dots: stored; bands: intervals; crosses: measured.");

	fputs("<h2 id=resources>Resources</h2>\n", f);
	if (!R->has_resources)
		fputs("<p class=note>The run stored no resources per region (a run of an older version): the figure"
		      " and the table are left out.</p>\n",
		      f);
	else
		h_figure(f, "resources", "Resources per region as a share of the device",
		 "Each bar stacks the static region (TLMM, RMSNorm/FindMax, buffers), the prefill and the"
		 " decode attention engine. A dpr design holds one RM at a time (the first two bars); the third"
		 " bar is what a static design with both engines would need. The dotted line over the first two"
		 " bars is the static region plus the pblock that holds the RM (its capacity before the routability"
		 " margin): an RM must stay below it. The labels at the top of each bar give its absolute count.");
	if (R->has_resources)
		page_resources(R, f);

	page_swap(R, f);

	page_sessions(R, f);

	page_validation(R, f);

	fputs("<h2 id=notes>Notes</h2>\n", f);
	if (R->n_notes == 0)
		fputs("<p>None: every stored figure of the followed designs matches this build's model.</p>\n", f);
	else {
		fputs("<ul>\n", f);
		for (int i = 0; i < R->n_notes; i++) {
			fputs("<li>", f);
			h_esc(f, R->notes[i]);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	fputs("<p class=small>Config SHA-256 <code>", f);
	h_esc(f, run->config_sha256);
	fputs("</code> &middot; run by pdswap-dse ", f);
	h_esc(f, run->tool_version);
	fprintf(f, " &middot; report by pdswap-dse %s</p>\n</body>\n</html>\n", PDS_VERSION);
	return report_close_out(R, f, R->tmp, "index.html");
}

