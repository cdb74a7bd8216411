/*
 * page.c - index.html of the report: the run and its space (what it held,
 * what each constraint pruned, what it stored), the designs followed with
 * the discrete-event model's figures, what binds the chosen design and how
 * well the model knows that figure, the intervals, the fronts as distinct
 * designs, what each knob does, the figures with their captions, the
 * resources per region, the swap, the sessions of the run's workloads with
 * the break-even map, the validation table with its sources and the notes.
 * Inline style, no script, no remote URL; the same database gives the
 * same bytes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "explore/space.h"
#include "models/kvcache.h"
#include "models/perf.h"
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
	fprintf(f, "%d MHz; TLMM T=%d Q=%d; prefill %d PE &times; %d lanes, block %d; decode %d lanes (%s);"
		   " outstanding %d; ports ",
		d->clock_mhz, d->tlmm_tables, d->tlmm_lanes, d->pre_pe, d->pre_lanes, d->pre_block, d->dec_lanes,
		dataflow_names[d->dec_dataflow], d->dec_outstanding);
	h_esc(f, c->arch.port_maps[d->pm_pre].name);
	fputs(" / ", f);
	h_esc(f, c->arch.port_maps[d->pm_dec].name);
	if (d->mode == MODE_DPR) {
		fputs("; pblock ", f);
		h_esc(f, c->arch.pblocks[d->rp].name);
	}
	char kv[160];
	kvcache_describe(c, d, kv, sizeof kv);
	fputs("; K/V ", f);
	h_esc(f, kv);
}

/* The followed designs in the page's order, present ones only. */
static int followed(report_ctx *R, report_design **D)
{
	int n = 0;
	for (int k = 0; k < FOL_N; k++)
		if (R->fol[k].present)
			D[n++] = &R->fol[k];
	return n;
}

static void swatch(FILE *f, const report_design *D)
{
	fprintf(f, "<span class=sw style=\"background:%s\"></span>", D->color);
}

/* The designs followed, with the figures of the discrete-event model: the
 * ones the run's summary and its choice use. */
static void page_designs(report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	fprintf(f,
		"<h2 id=designs>Designs followed</h2>\n<div class=wide><table id=followed>\n<tr><th>role</th><th>design</th>"
		"<th>parameters</th><th>TTFT @%d (s)</th><th>decode @%d (tok/s)</th><th>decode @%d (tok/s)</th>"
		"<th>energy @%d (J/token)</th><th>energy @%d (J/token)</th><th>objective (s)</th><th>swap (ms)</th>"
		"<th>swap exposed (ms)</th><th>LUT</th><th>FF</th><th>BRAM36</th><th>URAM</th><th>DSP</th>"
		"<th>feasible</th></tr>\n",
		c->obj.prompt, c->obj.l_short, c->obj.l_long, c->obj.l_short, c->obj.l_long);
	report_design *D[FOL_N];
	int n = followed(R, D);
	bool missing = false;
	for (int k = 0; k < n; k++) {
		const rdb_point *pt = D[k]->pt;
		const report_des *x = &D[k]->des;
		missing |= !D[k]->has_des;
		fprintf(f, "<tr data-point=\"%lld\"><td>", (long long)pt->point_id);
		swatch(f, D[k]);
		h_esc(f, D[k]->role);
		fputs("</td><td>", f);
		h_esc(f, D[k]->name);
		fprintf(f, " <span class=small>(%s)</span></td><td class=p>", mode_names[D[k]->d.mode]);
		design_params(f, c, &D[k]->d);
		fputs("</td>", f);
		bool dpr = D[k]->d.mode == MODE_DPR;
		const double v[6] = {x->ttft_obj, x->tok_short, x->tok_long, x->e_short, x->e_long, x->objective};
		const int sig[6] = {4, 4, 4, 4, 4, 4};
		for (int i = 0; i < 6; i++)
			h_cell(f, v[i], sig[i]);
		h_cell(f, dpr && D[k]->has_swap ? D[k]->swap[0].swap_s * 1e3 : NAN, 3);
		h_cell(f, dpr ? x->swap_exposed_obj * 1e3 : NAN, 3);
		for (int t = 0; t < RES_N; t++)
			h_cell(f, pt->r.v[t], 4);
		fputs("<td>", f);
		if (pt->feasible)
			fputs("yes", f);
		else
			h_esc(f, pt->reason);
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n<p class=small>", f);
	for (int k = 0; k < n; k++) {
		fputs("<b>", f);
		h_esc(f, D[k]->role);
		fputs("</b>: ", f);
		h_esc(f, D[k]->why);
		fputs(". ", f);
	}
	fprintf(f,
		"<b>Timing and energy: the discrete-event model</b> as the run stored it (the figures the run's summary"
		" and its choice use; the analytic model's are in the figures below); the objective is"
		" TTFT(%d) + %.2g&middot;T<sub>dec</sub>(%d) + %.2g&middot;T<sub>dec</sub>(%d) from them; the swap is"
		" one inference at a %d-token prompt, its exposed part what delays the first decode step."
		" <b>Resources: the model's</b> (the discrete-event model does not place logic): static region +"
		" max(prefill RM, decode RM) for dpr, + both engines for static.</p>\n",
		c->obj.prompt, c->obj.alpha, c->obj.l_long, 1 - c->obj.alpha, c->obj.l_short, c->obj.prompt);
	if (missing)
		fputs("<p class=note>The run stored no discrete-event figures of a followed design (a run of an older"
		      " version, or a design the re-check did not reach): its cells are empty.</p>\n",
		      f);
}

/* ------------------------------------------------ what binds the choice */

/* Whether validation row r measures what constraint b rests on. */
static bool row_of(const report_bind *b, const calib_row *r)
{
	if (b->res < 0)
		return strcmp(r->figure, "ttft_s") == 0;
	if (strcmp(r->figure, res_names[b->res]) != 0)
		return false;
	if (strcmp(b->part, "design") == 0)
		return r->part[0] != '\0';
	if (strcmp(b->part, "static") == 0)
		return strcmp(r->part, "tlmm") == 0 || strcmp(r->part, "design") == 0;
	return strcmp(r->part, b->part) == 0;
}

static const interval_t *iv_named(const report_design *D, const char *name);
static const interval_t *iv_at(const report_design *D, int kc, int length);

/* How well the model knows constraint b's figure: the validation rows it
 * rests on, and whether the margin to the limit is within their error. */
static void bind_knowledge(report_ctx *R, FILE *f, const report_bind *b, const report_design *D)
{
	double worst = 0;
	const calib_row *wr = NULL;
	int n = 0, n_fit = 0, n_out = 0;
	fputs("<ul class=small>", f);
	for (int i = 0; i < R->n_val; i++) {
		const calib_row *r = &R->val[i];
		if (!row_of(b, r))
			continue;
		n++;
		bool out = strstr(r->note, "left out") != NULL;
		n_out += out;
		n_fit += r->fitted_to;
		if (!out && fabs(r->rel_err) > fabs(worst)) {
			worst = r->rel_err;
			wr = r;
		}
		fputs("<li>", f);
		h_esc(f, r->name);
		fprintf(f, ": measured %.6g, model %.6g, <b>%+.1f%%</b>, %s", r->measured, r->predicted, 100 * r->rel_err,
			r->fitted_to ? "in the fit" : "not in the fit (a check)");
		if (r->note[0]) {
			fputs("; ", f);
			h_esc(f, r->note);
		}
		if (r->source[0]) {
			fputs(" <span class=src>(", f);
			h_esc(f, r->source);
			fputs(")</span>", f);
		}
		fputs("</li>", f);
	}
	const interval_t *iv = b->res >= 0 && strcmp(b->part, "design") == 0 ? iv_named(D, res_names[b->res])
			       : b->res < 0 ? iv_at(D, CURVE_TTFT, R->cfg.obj.prompt)
					    : NULL;
	if (iv) {
		fputs("<li>its analytic interval: ", f);
		h_num(f, iv->centre, 5);
		fputs(" [", f);
		h_num(f, iv->lo, 5);
		fputs(", ", f);
		h_num(f, iv->hi, 5);
		fprintf(f, "]%s%s</li>", iv->unconstrained ? ", <i>unconstrained</i> by the measurements" : "",
			iv->hi > b->limit ? ": <b>its upper end is beyond the limit</b>" : ": within the limit");
	}
	fputs("</ul>\n<p class=verdict>", f);
	double margin = 1 - b->used / b->limit;
	if (n == 0)
		fputs("No measurement of this figure is in the run's config: the model's value is not checked.", f);
	else {
		fprintf(f, "%d measurement%s of this figure, %d in the fit%s", n, n == 1 ? "" : "s", n_fit,
			n_out ? "" : "");
		if (n_out)
			fprintf(f, ", %d left out of the comparison (the row does not fit the region)", n_out);
		if (wr) {
			fprintf(f, "; the largest error is %+.1f%% (", 100 * worst);
			h_esc(f, wr->name);
			fputs(")", f);
			if (margin <= 0)
				fputs(": <b>the design uses all of it</b>, so any error of the model in this figure decides"
				      " whether it fits as built",
				      f);
			else if (fabs(worst) > margin)
				fprintf(f, ": <b>larger than the %.1f%% margin to the limit</b>, so the design may not fit as"
					   " built",
					100 * margin);
			else
				fprintf(f, ", within the %.1f%% margin to the limit", 100 * margin);
		}
		fputs(".", f);
	}
	fputs("</p>\n", f);
}

static void page_binds(report_ctx *R, FILE *f)
{
	fputs("<h2 id=binds>What binds the chosen design</h2>\n", f);
	const report_design *D = R->fol[FOL_CHOSEN].present && R->fol[FOL_CHOSEN].pt->chosen ? &R->fol[FOL_CHOSEN]
				 : R->fol[FOL_STATIC].present && R->fol[FOL_STATIC].pt->chosen ? &R->fol[FOL_STATIC]
											: NULL;
	if (!D || R->n_binds == 0) {
		fputs("<p class=note>The run stored no chosen design: there is nothing to bind.</p>\n", f);
		return;
	}
	fputs("<p>Every constraint of <b>", f);
	h_esc(f, D->name);
	fputs("</b>, nearest its limit first (the sweep checks the same limits; resources are the model's, TTFT the"
	      " discrete-event model's). The first row binds: it is what a larger design of this kind runs into.</p>\n"
	      "<table id=bindtable>\n<tr><th></th><th>constraint</th><th>uses</th><th>limit</th><th>share of the"
	      " limit</th><th>margin</th></tr>\n",
	      f);
	for (int i = 0; i < R->n_binds; i++) {
		const report_bind *b = &R->binds[i];
		fprintf(f, "<tr%s><td>%s</td><td>", i == 0 ? " class=bind" : "", i == 0 ? "binds" : "");
		h_esc(f, b->what);
		fputs("</td>", f);
		h_cell(f, b->used, 5);
		h_cell(f, b->limit, 5);
		fprintf(f, "<td class=n>%.1f%%</td><td class=n>%.1f%%</td></tr>\n", 100 * b->used / b->limit,
			100 * (1 - b->used / b->limit));
	}
	fputs("</table>\n", f);
	if (!R->has_meas || R->n_val == 0) {
		fputs("<p class=note>The run stored no validation rows: how well the model knows these figures is not"
		      " shown.</p>\n",
		      f);
		return;
	}
	int shown = 0;
	for (int i = 0; i < R->n_binds && shown < 3; i++, shown++) {
		const report_bind *b = &R->binds[i];
		fprintf(f, "<h3>How well the model knows it: %s (%.1f%% of its limit)</h3>\n", b->what,
			100 * b->used / b->limit);
		bind_knowledge(R, f, b, D);
	}
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

static void res_rows_dpr(FILE *f, const report_design *D, const res_split *a, const res_t *dev)
{
	char h[200];
	snprintf(h, sizeof h, "<b>%s</b>: static region", D->name);
	res_row(f, h, a->stat, true, dev);
	res_row(f, "&nbsp;&nbsp;prefill RM", a->pre, true, dev);
	res_row(f, "&nbsp;&nbsp;decode RM", a->dec, true, dev);
	res_t tot = a->stat;
	for (int t = 0; t < RES_N; t++)
		tot.v[t] += fmax(a->pre.v[t], a->dec.v[t]);
	res_row(f, "&nbsp;&nbsp;total (static + max of the RMs)", tot, true, dev);
	res_row(f, "&nbsp;&nbsp;equivalent total (static + both RMs)", res_add(a->stat, res_add(a->pre, a->dec)), true,
		dev);
	if (a->dpr)
		res_row(f, "&nbsp;&nbsp;reconfigurable partition (pblock capacity)", a->rp_cap, true, dev);
}

static void page_resources(report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	fputs("<table>\n<tr><th></th>", f);
	for (int t = 0; t < RES_N; t++)
		fprintf(f, "<th>%s</th>", report_res_label[t]);
	fputs("</tr>\n", f);
	const res_t *dev = &c->dev.resources;
	const int dprs[2] = {FOL_CHOSEN, FOL_PUB};
	for (int k = 0; k < 2; k++) {
		res_split a = report_split_of(&R->fol[dprs[k]]);
		if (a.present && a.dpr)
			res_rows_dpr(f, &R->fol[dprs[k]], &a, dev);
	}
	const int stats[2] = {FOL_STATIC, FOL_BASE};
	for (int k = 0; k < 2; k++) {
		res_split b = report_split_of(&R->fol[stats[k]]);
		if (!b.present || b.dpr || (k == 1 && memcmp(&R->fol[FOL_BASE].d, &R->fol[FOL_STATIC].d,
							      sizeof R->fol[FOL_BASE].d) == 0))
			continue;
		char h[200];
		snprintf(h, sizeof h, "<b>%s</b>: static region", R->fol[stats[k]].name);
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

/* The decode rate the option stored at context L (NAN when not stored). */
static double kv_tok_at(const rdb_kv_option *o, int L)
{
	for (int i = 0; i < o->n; i++)
		if (o->len[i] == L)
			return o->tok_s[i];
	/* the curve's lengths are geometric: the closest one below */
	double v = NAN;
	for (int i = 0; i < o->n; i++)
		if (o->len[i] <= L)
			v = o->tok_s[i];
	return v;
}

/* URAM and BRAM36 per region of the chosen design, the tier's share and what each region may hold. */
static void page_kv_regions(report_ctx *R, FILE *f)
{
	const report_design *D = R->kv_of;
	const cfg_t *c = &R->cfg;
	if (!D->has_region[RDB_STATIC])
		return;
	static const int types[2] = {RES_URAM, RES_BRAM};
	fputs("<table>\n<tr><th>region of ", f);
	h_esc(f, D->name);
	fputs("</th><th>URAM</th><th>BRAM36</th></tr>\n", f);
	const char *names[] = {"static region (TLMM, weight buffers, norm, quantiser)", "prefill RM", "decode RM"};
	const int reg[] = {RDB_STATIC, RDB_PREFILL_RM, RDB_DECODE_RM};
	int nr = D->d.mode == MODE_DPR ? 3 : 1;
	for (int k = 0; k < 3; k++) {
		if (k >= nr && k > 0) {
			if (k == 1) {
				fputs("<tr><td>attention engines (prefill + decode)</td>", f);
				for (int i = 0; i < 2; i++) {
					fputs("<td class=n>", f);
					h_num(f, D->region[RDB_PREFILL_RM].v[types[i]] + D->region[RDB_DECODE_RM].v[types[i]], 4);
					fputs("</td>", f);
				}
				fputs("</tr>\n", f);
			}
			continue;
		}
		fprintf(f, "<tr><td>%s</td>", names[k]);
		for (int i = 0; i < 2; i++) {
			fputs("<td class=n>", f);
			h_num(f, D->region[reg[k]].v[types[i]], 4);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	if (D->has_region[RDB_KV_TIER]) {
		fprintf(f, "<tr><td>&nbsp;&nbsp;of which the K/V tier (in the %s)</td>",
			D->d.kv_tier == KV_TIER_STATIC ? "static region" : "decode RM");
		for (int i = 0; i < 2; i++) {
			fputs("<td class=n>", f);
			h_num(f, D->region[RDB_KV_TIER].v[types[i]], 4);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("<tr><td>total</td>", f);
	for (int i = 0; i < 2; i++) {
		fputs("<td class=n>", f);
		h_num(f, D->region[RDB_TOTAL].v[types[i]], 4);
		fputs("</td>", f);
	}
	fputs("</tr>\n<tr><td>device</td>", f);
	for (int i = 0; i < 2; i++) {
		fputs("<td class=n>", f);
		h_num(f, c->dev.resources.v[types[i]], 4);
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
	if (D->d.mode == MODE_DPR && D->has_region[RDB_PBLOCK]) {
		fputs("<tr><td>pblock (what an RM may use)</td>", f);
		for (int i = 0; i < 2; i++) {
			fputs("<td class=n>", f);
			h_num(f, D->region[RDB_PBLOCK].v[types[i]], 4);
			fputs("</td>", f);
		}
		fputs("</tr>\n<tr><td>outside the pblock (what the static region may use)</td>", f);
		for (int i = 0; i < 2; i++) {
			fputs("<td class=n>", f);
			h_num(f, c->cons.util_cap.v[types[i]] * (c->dev.resources.v[types[i]] - D->region[RDB_PBLOCK].v[types[i]]),
			      4);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void page_kv(report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	fputs("<h2 id=kv>The K/V cache</h2>\n", f);
	if (!R->kv_of || R->n_kv == 0) {
		fputs("<p class=note>The run stored no K/V options (a run of an older version): the figure and the tables are"
		      " left out.</p>\n",
		      f);
		return;
	}
	char cap[1024];
	snprintf(cap, sizeof cap,
		 "Decode tokens per second of %s with each K/V option, the rest of the design as chosen: every precision"
		 " without an on-chip tier and with the largest tier each region holds beside the engines (the keys of"
		 " every layer that the tier keeps on chip are read at its rate, the rest from DDR; a tier in the"
		 " decode RM is refilled after each swap-in, which the decode rate does not show: see the sessions)."
		 " Colour: precision; solid: no tier, dashed: static region, dotted: decode RM; thin: the option"
		 " breaks a constraint.",
		 R->kv_of->name);
	if (R->has_kv)
		h_figure(f, "kv", "Decode rate against context per K/V option", cap);
	bool quant = false;
	for (int k = 0; k < R->n_kv; k++)
		quant |= R->kv[k].prec != KV_FP16;
	if (quant)
		fputs("<p class=note>The tool does not predict model accuracy: what an 8- or 4-bit K/V cache does to the"
		      " model's output is for the user to establish. The published points for such caches are their"
		      " own models' (see the config's kv_cache section).</p>\n",
		      f);
	fprintf(f, "<table>\n<tr><th>precision</th><th>tier</th><th>keys per layer on chip</th><th>tier blocks</th>"
		   "<th>decode tok/s @%d</th><th>@%d</th><th>meets the constraints</th></tr>\n",
		c->obj.l_short, c->obj.l_long);
	for (int k = 0; k < R->n_kv; k++) {
		const rdb_kv_option *o = &R->kv[k];
		fputs("<tr><td>", f);
		h_esc(f, kv_prec_names[o->prec]);
		if (o->prec != KV_FP16 && c->kv.present)
			fprintf(f, " <span class=small>(group %d, %d-byte scales)</span>", c->kv.quant[o->prec].group,
				c->kv.quant[o->prec].scale_bytes);
		fputs("</td><td>", f);
		h_esc(f, o->tier == KV_TIER_NONE ? "none" : o->tier == KV_TIER_STATIC ? "static region" : "decode RM");
		fprintf(f, "</td><td class=n>%d", o->sinks + o->window);
		if (o->sinks)
			fprintf(f, " <span class=small>(%d sinks)</span>", o->sinks);
		if (o->tier == KV_TIER_NONE)
			fputs("</td><td class=n>-</td>", f);
		else
			fprintf(f, "</td><td class=n>%lld %s</td>", (long long)o->tier_blocks,
				strcmp(o->tier_memory, "bram36") == 0 ? "BRAM36" : "URAM");
		h_cell(f, kv_tok_at(o, c->obj.l_short), 4);
		h_cell(f, kv_tok_at(o, c->obj.l_long), 4);
		fputs("<td>", f);
		if (o->feasible)
			fputs("yes", f);
		else {
			fputs("no: ", f);
			h_esc(f, o->reason);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	page_kv_regions(R, f);
}

static void swap_row(FILE *f, const char *who, const char *model, const figures *d, double hidden)
{
	fputs("<tr><td>", f);
	h_esc(f, who);
	fprintf(f, "</td><td>%s</td>", model);
	double v[8] = {d->swap_s, d->pcap_s, d->swap_s - d->pcap_s, d->tail_overlap_s, hidden,
		       d->swap_exposed_s, d->ttft_s, d->decode_first_step_s};
	for (int i = 0; i < 8; i++)
		h_cell(f, 1e3 * v[i], 4);
	fputs("</tr>\n", f);
}

static void page_swap(report_ctx *R, FILE *f)
{
	fputs("<h2 id=swap>Swap timeline</h2>\n", f);
	const report_design *C = &R->fol[FOL_CHOSEN];
	if (!R->has_swap) {
		fputs(C->present && C->d.mode == MODE_DPR
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
		 C->name, R->swap_des.prompt, R->swap_des.gen);
	h_figure(f, "swap", "Swap timeline of one inference", cap);
	fputs("<table id=swaps>\n<tr><th>design</th><th>model</th><th>swap (ms)</th><th>PCAP transfer</th><th>PS software"
	      " path</th><th>prefill tail (trigger to end of prefill)</th><th>hidden</th><th>exposed</th><th>TTFT</th>"
	      "<th>first decode step</th></tr>\n",
	      f);
	swap_row(f, C->name, "discrete-event", &R->swap_des, R->swap_hidden_des);
	swap_row(f, C->name, "analytic", &R->swap_ana, R->swap_ana.swap_s - R->swap_ana.swap_exposed_s);
	const report_design *P = &R->fol[FOL_PUB];
	if (P->present && P->has_swap && P->d.mode == MODE_DPR) {
		swap_row(f, P->name, "discrete-event", &P->swap[0], P->swap_hidden[0]);
		swap_row(f, P->name, "analytic", &P->swap[1], P->swap[1].swap_s - P->swap[1].swap_exposed_s);
	}
	fputs("</table>\n<p class=small>Times in ms, of one inference at the same prompt. The analytic model's hidden"
	      " part is the swap less its exposed part (the tail and the first LM head together).</p>\n",
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
		fputs("<p class=note>The run stored no sessions (a run of an older version): the tables, the energy per"
		      " request and the break-even map are left out.</p>\n",
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
	if (R->has_energy_req)
		h_figure(f, "energy_request", "Energy per request in the sessions of each workload",
			 "Energy per request of each workload's session (the J/request column above): every run-time"
			 " policy of the dpr design and the static design on the same requests, board power over each"
			 " request's phases, swaps and idle time included (analytic model, as the run stored it).");
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
	const cfg_t *c = &R->cfg;
	fputs("<h2 id=validation>Validation: measured against predicted</h2>\n", f);
	if (!R->has_meas && R->n_val == 0) {
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
	bool sources = false;
	for (int i = 0; i < n; i++)
		sources |= rows[i].source[0] != '\0';
	if (R->has_meas) {
		fputs("<p>The calibrated baseline <b>", f);
		h_esc(f, R->fol[FOL_BASE].name);
		fputs("</b>", f);
		if (c->meas.dpr_design[0]) {
			fputs(" and the published PD-Swap design <b>", f);
			h_esc(f, c->meas.dpr_design);
			fputs("</b> (its Table 2 rows)", f);
		}
		fputs(" against every measurement of the run's config, each with its source as the config states it;", f);
	} else {
		fputs("<p>The imported measurements:", f);
	}
	fputs(" each imported report of the real build (rows <i>mN</i>, measurement N of"
	      " <code>v_measured</code>, its file as the source) against the parametric model, the figure its"
	      " measured profile replaces."
	      " <i>fit</i>: the point constrains a fitted coefficient; <i>check</i>: it does not;"
	      " <i>reported</i>: shown, not counted against a tolerance.</p>\n"
	      "<table id=validation_rows>\n<tr><th>measurement</th><th>unit</th><th>measured</th><th>predicted</th>"
	      "<th>error</th><th>use</th><th>source</th><th>note</th></tr>\n",
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
		h_esc(f, sources ? r->source : r->note); /* before schema 5 the note held the source */
		fputs("</td><td class=small>", f);
		if (sources)
			h_esc(f, r->note);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (!sources)
		fputs("<p class=note>The run stored its validation rows without their sources (a run of an older version):"
		      " the source column shows the note the run stored, which held the source of most rows.</p>\n",
		      f);
}

static const char *const CSS =
	"body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;max-width:1280px;"
	"color:#222;padding:0 1em}"
	"h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}h3{font-size:1.05em}"
	"table{border-collapse:collapse;margin:0.6em 0;font-size:0.88em}"
	"td,th{border:1px solid #ccc;padding:0.25em 0.5em;vertical-align:top}"
	"th{background:#f2f2f2;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"td.p{font-size:0.85em;min-width:14em;max-width:22em}.wide{overflow-x:auto}.wide table{font-size:0.8em}.small{font-size:0.85em;color:#555}"
	".note{background:#fff6e0;border-left:4px solid #e69f00;padding:0.4em 0.8em}"
	"tr.bind td{background:#fde8e8;font-weight:bold}.verdict{margin-top:0}.src{color:#777}"
	"figure{margin:1.2em 0}img{max-width:100%;height:auto;border:1px solid #eee}"
	"figcaption{font-size:0.9em;color:#333;max-width:900px}.files{white-space:nowrap}"
	"code{font-size:0.95em}.sw{display:inline-block;width:0.9em;height:0.9em;margin-right:0.4em;"
	"vertical-align:middle}";

/* The space of the run: what it held, what each constraint pruned (the
 * first it fails, in the order the sweep checks them) and what it stored. */
static void page_space(const report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	const rdb_counts *n = &R->counts;
	fputs("<tr><th>design space</th><td id=h-space>", f);
	if (n->present) {
		fprintf(f, "<b>%lld</b> points", (long long)n->n_points);
		if (n->n_space > 0 && n->n_space != n->n_points)
			fprintf(f, " evaluated of the %lld of the space (%s)", (long long)n->n_space,
				strcmp(R->run.status, "complete") ? "the run did not finish" : "the chunks the run stored");
		else
			fputs(", every point of the space", f);
		fprintf(f, " (%s%s%s)", c->space.mode_dpr ? "dpr" : "", c->space.mode_dpr && c->space.mode_static ? " and " : "",
			c->space.mode_static ? "static" : "");
	} else {
		fputs("not stored (a run of an older version, or not a sweep)", f);
	}
	fputs("</td></tr>\n<tr><th>feasible</th><td id=h-feasible>", f);
	if (n->present)
		fprintf(f, "<b>%lld</b> (%.2g%% of them)", (long long)n->n_feasible,
			n->n_points ? 100.0 * (double)n->n_feasible / (double)n->n_points : 0.0);
	else
		fprintf(f, "%zu of the stored points", R->n_feasible);
	fputs("</td></tr>\n<tr><th>pruned</th><td id=h-pruned>", f);
	if (n->present && n->by_constraint)
		fprintf(f,
			"<span id=h-over-cap>%lld</span> over a utilisation cap or the routability margin;"
			" <span id=h-too-slow>%lld</span> slower than t_pre_max (TTFT at a %d-token prompt over %g s);"
			" <span id=h-no-fit>%lld</span> not fitting a pblock (an RM beyond its pblock, or the static region"
			" beyond what it leaves). <span class=small>Each infeasible point counted under the first constraint it"
			" fails, in the order the sweep checks them (v_counts).</span>",
			(long long)n->n_over_cap, (long long)n->n_too_slow, c->obj.prompt, c->cons.t_pre_max_s,
			(long long)n->n_no_fit);
	else if (n->present)
		fprintf(f, "%lld in all; not by constraint (%lld chunks of the run were stored by a version before the"
			   " counts)",
			(long long)(n->n_points - n->n_feasible), (long long)n->n_unknown);
	else
		fputs("not stored", f);
	fputs("</td></tr>\n<tr><th>stored</th><td id=h-stored>", f);
	size_t swept = R->n_pts - R->n_named;
	if (n->all_points)
		fprintf(f, "every point of the space (<b>%zu</b>: the feasible ones with their metrics, the infeasible ones"
			   " with the constraint they fail)",
			swept);
	else
		fprintf(f, "the Pareto fronts: <b>%zu</b> dpr + <b>%zu</b> static points", R->n_front_mode[MODE_DPR],
			R->n_front_mode[MODE_STATIC]);
	if (R->n_groups)
		fprintf(f, " (the fronts hold <b>%zu</b> + <b>%zu</b> distinct designs, see <a href=\"#groups\">the"
			   " fronts</a>)",
			R->n_distinct[MODE_DPR], R->n_distinct[MODE_STATIC]);
	fprintf(f, ", and <b>%zu</b> named design%s of the config", R->n_named, R->n_named == 1 ? "" : "s");
	bool first = true;
	for (size_t i = 0; i < R->n_pts; i++)
		if (R->pts[i].design_name[0]) {
			fputs(first ? " (" : ", ", f);
			h_esc(f, R->pts[i].design_name);
			first = false;
		}
	fprintf(f, "%s: <span id=h-n-stored>%zu</span> points in all.</td></tr>\n", first ? "" : ")", R->n_pts);
}

/* The head of the page: the run, its config, versions and its space. */
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
	fputs("</p>\n<table id=run>\n", f);
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
	fputs("</td></tr>\n", f);
	page_space(R, f);
	fputs("</table>\n", f);
	if (strcmp(run->status, "complete") != 0)
		fprintf(f, "<p class=note>This run's status is <b>%s</b>: the report shows what it stored.</p>\n",
			run->status);
	fputs("<p class=small>Contents: <a href=\"#designs\">designs</a> &middot; <a href=\"#binds\">what binds</a>"
	      " &middot; <a href=\"#intervals\">intervals</a> &middot; <a href=\"#pareto\">Pareto front</a>"
	      " &middot; <a href=\"#groups\">distinct designs</a> &middot; <a href=\"#knobs\">knobs</a>"
	      " &middot; <a href=\"#curves\">TTFT, decode and energy</a> &middot; <a href=\"#resources\">resources</a>"
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
	report_design *D[FOL_N];
	int n = followed(R, D);
	bool any = false;
	for (int k = 0; k < n; k++)
		any |= D[k]->n_iv[0] > 0 || D[k]->n_iv_other > 0;
	fputs("<h2 id=intervals>Intervals</h2>\n", f);
	if (!any) {
		fputs("<p class=note>The run stored no intervals (a run of an older version).</p>\n", f);
		return;
	}
	fprintf(f,
		"<table>\n<tr><th>design</th><th>objective (s)</th><th>TTFT @%d (s)</th><th>decode @%d (tok/s)</th>"
		"<th>decode @%d (tok/s)</th><th>energy @%d (J/token)</th><th>LUT</th><th>BRAM36</th><th>DSP</th></tr>\n",
		c->obj.prompt, c->obj.l_short, c->obj.l_long, c->obj.l_long);
	for (int k = 0; k < n; k++) {
		fputs("<tr><td>", f);
		swatch(f, D[k]);
		h_esc(f, D[k]->name);
		fputs("</td>", f);
		iv_cell(f, iv_named(D[k], "objective"));
		iv_cell(f, iv_at(D[k], CURVE_TTFT, c->obj.prompt));
		iv_cell(f, iv_at(D[k], CURVE_DECODE, c->obj.l_short));
		iv_cell(f, iv_at(D[k], CURVE_DECODE, c->obj.l_long));
		iv_cell(f, iv_at(D[k], CURVE_ENERGY, c->obj.l_long));
		iv_cell(f, iv_named(D[k], "lut"));
		iv_cell(f, iv_named(D[k], "bram36"));
		iv_cell(f, iv_named(D[k], "dsp"));
		fputs("</tr>\n", f);
	}
	fprintf(f,
		"</table>\n<p class=small>The <b>analytic model's</b> figure and its central %.0f%% interval over %d draws"
		" of the calibration: fitted coefficients from their fit (multivariate t), assumed ones over their"
		" stated ranges, inferred engine sizes over theirs, the fits redone under each draw. <i>Unconstrained</i>:"
		" what the measurements alone leave open is less than half of that width, so the figure rests on"
		" what no measurement constrains. The TTFT, decode and energy figures draw the same intervals as"
		" bands.</p>\n",
		100 * c->iv.level, c->iv.samples);
}

/* ------------------------------------------------ the fronts, grouped */

/* A knob's value of stored point p, as the sweep writes it (v_knobs). */
static void point_knob(const rdb_point *p, int k, char *out, size_t n)
{
	switch (k) {
	case SK_CLOCK: snprintf(out, n, "%d", p->clock_mhz); break;
	case SK_OUTST: snprintf(out, n, "%d", p->pre_outstanding); break;
	case SK_PM_PRE: snprintf(out, n, "%s", p->pm_prefill); break;
	case SK_PM_DEC: snprintf(out, n, "%s", p->pm_decode); break;
	case SK_TABLES: snprintf(out, n, "%d", p->tlmm_tables); break;
	case SK_TLANES: snprintf(out, n, "%d", p->tlmm_lanes); break;
	case SK_PE: snprintf(out, n, "%d", p->pre_pe); break;
	case SK_PLANES: snprintf(out, n, "%d", p->pre_lanes); break;
	case SK_BLOCK: snprintf(out, n, "%d", p->pre_block); break;
	case SK_RP: snprintf(out, n, "%s", p->pblock[0] ? p->pblock : "none"); break;
	case SK_DLANES: snprintf(out, n, "%d", p->dec_lanes); break;
	default: out[0] = '\0';
	}
}

/* The set of modules of a swept dpr point, read from its id (the
 * innermost knob); "" for a named design or a space without sets. */
static void point_rmset(const space_t *sp, const rdb_point *p, char *out, size_t n)
{
	int digit[SK_N];
	out[0] = '\0';
	if (!p->design_name[0] && space_digits(sp, p->point_id, digit) == 0 && space_value(sp, SK_RMSET, digit[SK_RMSET]) >= 0)
		snprintf(out, n, "%s", sp->c->space.rm_shapes[space_value(sp, SK_RMSET, digit[SK_RMSET])].label);
}

/* The knobs whose values differ among the members of group g, with the values. */
static void group_differs(const report_ctx *R, const space_t *sp, FILE *f, size_t g)
{
	bool any = false;
	for (int k = 0; k < SK_N; k++) {
		char vals[8][PDS_NAME_MAX + 256];
		int nv = 0;
		bool more = false;
		for (int64_t m = 0; m < R->g_count[g]; m++) {
			const rdb_point *p = report_find_point(R, R->g_members[R->g_first[g] + (size_t)m]);
			if (!p)
				continue;
			char v[PDS_NAME_MAX + 256];
			if (k == SK_RMSET)
				point_rmset(sp, p, v, sizeof v);
			else
				point_knob(p, k, v, sizeof v);
			bool seen = false;
			for (int i = 0; i < nv; i++)
				seen |= strcmp(vals[i], v) == 0;
			if (!seen && nv < 8)
				snprintf(vals[nv++], sizeof vals[0], "%s", v);
			else if (!seen)
				more = true;
		}
		if (nv < 2)
			continue;
		fputs(any ? "; " : "", f);
		h_esc(f, space_knob_names[k]);
		fputs(" ", f);
		for (int i = 0; i < nv; i++) {
			fputs(i ? ", " : "", f);
			h_esc(f, vals[i]);
		}
		if (more)
			fputs(", &hellip;", f);
		any = true;
	}
	if (!any)
		fputs("&ndash;", f);
}

static int cmp_objective(const void *a, const void *b, const report_ctx *R)
{
	const rdb_point *x = report_find_point(R, *(const int64_t *)a), *y = report_find_point(R, *(const int64_t *)b);
	double ox = x ? x->objective : INFINITY, oy = y ? y->objective : INFINITY;
	if (ox != oy)
		return ox < oy ? -1 : 1;
	int64_t i = *(const int64_t *)a, j = *(const int64_t *)b;
	return (i > j) - (i < j);
}

/* The fronts as distinct designs: each group of equal points (v_groups) by
 * its representative, with how many it stands for and what they differ in. */
static void page_groups(report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	fputs("<h2 id=groups>The fronts as distinct designs</h2>\n", f);
	if (R->n_groups == 0) {
		fputs("<p class=note>The run stored no groups of equal front points (a run of an older version).</p>\n", f);
		return;
	}
	space_t sp;
	space_init(&sp, c);
	fprintf(f,
		"<p>Front points equal in every objective and every resource are one design for the architect: they"
		" differ only in knobs the model sees no effect of. The fronts' %zu dpr and %zu static points are"
		" <b>%zu</b> and <b>%zu</b> distinct designs; each is listed once, by its representative (the smallest"
		" point id of its group; <code>v_groups</code> lists the others), best analytic objective first"
		" (at most %d per architecture).</p>\n",
		R->n_front_mode[MODE_DPR], R->n_front_mode[MODE_STATIC], R->n_distinct[MODE_DPR],
		R->n_distinct[MODE_STATIC], MAX_GROUP_ROWS);
	/* the representatives of each mode, by objective */
	int64_t *ids = malloc((R->n_groups ? R->n_groups : 1) * sizeof *ids);
	size_t *gi = malloc((R->n_groups ? R->n_groups : 1) * sizeof *gi);
	if (!ids || !gi) {
		free(ids);
		free(gi);
		fputs("<p class=note>Out of memory listing the groups.</p>\n", f);
		return;
	}
	static const arch_mode modes[2] = {MODE_DPR, MODE_STATIC};
	fprintf(f,
		"<div class=wide><table id=groups_table>\n<tr><th>representative</th><th>mode</th><th>parameters</th><th>TTFT @%d (s)</th>"
		"<th>decode @%d (tok/s)</th><th>decode @%d (tok/s)</th><th>objective (s)</th><th>LUT</th><th>BRAM36</th>"
		"<th>DSP</th><th>equal points</th><th>they differ in</th></tr>\n",
		c->obj.prompt, c->obj.l_short, c->obj.l_long);
	for (int mi = 0; mi < 2; mi++) {
		size_t n = 0;
		for (size_t g = 0; g < R->n_groups; g++) {
			const rdb_point *p = report_find_point(R, R->g_rep[g]);
			if (p && p->mode == modes[mi])
				ids[n++] = R->g_rep[g];
		}
		/* insertion sort by objective (n is the number of distinct front designs) */
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && cmp_objective(&ids[j - 1], &ids[j], R) > 0; j--) {
				int64_t t = ids[j];
				ids[j] = ids[j - 1];
				ids[j - 1] = t;
			}
		for (size_t i = 0; i < n && i < MAX_GROUP_ROWS; i++) {
			const rdb_point *p = report_find_point(R, ids[i]);
			size_t g = (size_t)report_group_of(R, ids[i]);
			bool chosen = false;
			for (int64_t m = 0; m < R->g_count[g]; m++) {
				const rdb_point *q = report_find_point(R, R->g_members[R->g_first[g] + (size_t)m]);
				chosen |= q && q->chosen;
			}
			fprintf(f, "<tr data-rep=\"%lld\" data-n=\"%lld\"><td>point %lld%s</td><td>%s</td><td class=p>",
				(long long)p->point_id, (long long)R->g_count[g], (long long)p->point_id,
				chosen ? " <b>(holds the chosen point)</b>" : "", mode_names[p->mode]);
			fprintf(f, "%d MHz; TLMM T=%d Q=%d; prefill %d PE &times; %d lanes, block %d; decode %d lanes;"
				   " outstanding %d; ports ",
				p->clock_mhz, p->tlmm_tables, p->tlmm_lanes, p->pre_pe, p->pre_lanes, p->pre_block, p->dec_lanes,
				p->pre_outstanding);
			h_esc(f, p->pm_prefill);
			fputs(" / ", f);
			h_esc(f, p->pm_decode);
			if (p->mode == MODE_DPR) {
				fputs("; pblock ", f);
				h_esc(f, p->pblock);
			}
			fputs("</td>", f);
			h_cell(f, p->ttft_obj_s, 4);
			h_cell(f, p->tok_short, 4);
			h_cell(f, p->tok_long, 4);
			h_cell(f, p->objective, 5);
			h_cell(f, p->r.v[RES_LUT], 6);
			h_cell(f, p->r.v[RES_BRAM], 4);
			h_cell(f, p->r.v[RES_DSP], 4);
			fprintf(f, "<td class=n>%lld</td><td class=p>", (long long)R->g_count[g]);
			group_differs(R, &sp, f, g);
			fputs("</td></tr>\n", f);
		}
		if (n > MAX_GROUP_ROWS)
			fprintf(f, "<tr><td colspan=12 class=small>%zu more distinct %s designs in <code>v_groups</code></td></tr>\n",
				n - MAX_GROUP_ROWS, mode_names[modes[mi]]);
	}
	fputs("</table></div>\n<p class=small>Figures of the analytic model as the run stored them (the front is kept by"
	      " it); resources the model's.</p>\n",
	      f);
	free(ids);
	free(gi);
}

/* A knob's value at digit i of the run's space, as the sweep writes it. */
static void knob_text(const space_t *sp, int k, int i, char *out, size_t n)
{
	const cfg_t *c = sp->c;
	int v = space_value(sp, k, i);
	if (k == SK_PM_PRE || k == SK_PM_DEC)
		snprintf(out, n, "%s", c->arch.port_maps[v].name);
	else if (k == SK_RP)
		snprintf(out, n, "%s", v >= 0 ? c->arch.pblocks[v].name : "none");
	else if (k == SK_RMSET)
		snprintf(out, n, "%s", v >= 0 ? c->space.rm_shapes[v].label : "prefill+decode");
	else
		snprintf(out, n, "%d", v);
}

/* What each knob does: per architecture and knob, the best analytic
 * objective at each of its values (v_knobs) and how far it moves. */
static void page_knobs(report_ctx *R, FILE *f)
{
	const cfg_t *c = &R->cfg;
	fputs("<h2 id=knobs>What each knob does</h2>\n", f);
	if (R->n_knobs == 0) {
		fputs("<p class=note>The run stored no knob figures (a run of an older version).</p>\n", f);
		return;
	}
	space_t sp;
	space_init(&sp, c);
	fprintf(f,
		"<p>For each knob of the space, the best objective (analytic model) among the feasible points with each"
		" of its values, from <code>v_knobs</code>: the <i>spread</i> is how far that best objective moves"
		" across the knob's values. A knob whose spread is below %.1f%% of the best objective is"
		" <b>inert</b>: where the best designs are, its value changes nothing the objective sees (it may"
		" still change resources or the swap).</p>\n"
		"<table id=knobs_table>\n<tr><th>mode</th><th>knob</th><th>values</th><th>with a feasible point</th>"
		"<th>best objective (s)</th><th>at</th><th>worst best objective (s)</th><th>at</th><th>spread (s)</th>"
		"<th>spread</th><th></th></tr>\n",
		100 * INERT_REL);
	for (int mi = 0; mi < sp.n_modes; mi++) {
		const space_mode *m = &sp.m[mi];
		for (int k = 0; k < SK_N; k++) {
			if ((k == SK_RP || k == SK_RMSET) && m->mode == MODE_STATIC)
				continue; /* a static design has no partition */
			double best = INFINITY, worst = -INFINITY;
			const char *at_best = "", *at_worst = "";
			int n_feas = 0;
			for (int i = 0; i < R->n_knobs; i++) {
				const rdb_knob *x = &R->knobs[i];
				if (x->mode != m->mode || strcmp(x->knob, space_knob_names[k]) || !(x->n_feasible > 0) ||
				    !isfinite(x->best_objective))
					continue;
				n_feas++;
				if (x->best_objective < best) {
					best = x->best_objective;
					at_best = x->value;
				}
				if (x->best_objective > worst) {
					worst = x->best_objective;
					at_worst = x->value;
				}
			}
			fprintf(f, "<tr data-mode=\"%s\" data-knob=\"%s\"><td>%s</td><td>%s</td><td class=p>", mode_names[m->mode],
				space_knob_names[k], mode_names[m->mode], space_knob_names[k]);
			for (int i = 0; i < m->radix[k]; i++) {
				char v[PDS_NAME_MAX + 256];
				knob_text(&sp, k, i, v, sizeof v);
				fputs(i ? ", " : "", f);
				h_esc(f, v);
			}
			fprintf(f, "</td><td class=n>%d of %d</td>", n_feas, m->radix[k]);
			if (n_feas == 0) {
				fputs("<td colspan=7>no feasible point</td></tr>\n", f);
				continue;
			}
			double spread = worst - best;
			h_cell(f, best, 5);
			fputs("<td>", f);
			h_esc(f, at_best);
			fputs("</td>", f);
			h_cell(f, worst, 5);
			fputs("<td>", f);
			h_esc(f, at_worst);
			fprintf(f, "</td><td class=n data-spread=\"%.9g\">%.4g</td><td class=n>%.2f%%</td><td>", spread, spread,
				100 * spread / best);
			if (m->radix[k] == 1)
				fputs("one value: not explored", f);
			else if (spread <= INERT_REL * best)
				fputs("<b>inert</b>", f);
			if (n_feas < m->radix[k])
				fprintf(f, "%s%d value%s without a feasible point", m->radix[k] == 1 || spread <= INERT_REL * best ? "; " : "",
					m->radix[k] - n_feas, m->radix[k] - n_feas == 1 ? "" : "s");
			fputs("</td></tr>\n", f);
		}
	}
	fputs("</table>\n", f);
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
	page_binds(R, f);
	page_intervals(R, f);

	fputs("<h2 id=pareto>Pareto front</h2>\n", f);
	char cap[3072];
	size_t drawn_feasible = R->n_feasible - R->n_drawn_missing;
	int o;
	if (R->counts.all_points)
		o = snprintf(cap, sizeof cap,
			     "Every feasible point of the space (the run stored every point: %zu feasible, named designs"
			     " included)",
			     drawn_feasible);
	else
		o = snprintf(cap, sizeof cap,
			     "The %zu feasible points the run stored: its two Pareto fronts and its named designs (of the %lld"
			     " feasible points of the space, the others are not stored; run with --all-points to keep"
			     " them all)",
			     drawn_feasible, (long long)(R->counts.present ? R->counts.n_feasible : (int64_t)R->n_feasible));
	o += snprintf(cap + o, sizeof cap - (size_t)o,
		      ", at a %d-token prompt: TTFT against the decode rate that the objective weighs (%.2g at a context of"
		      " %d, %.2g at %d), both from the analytic model as the run stored them. Circles: dpr (PD-Swap);"
		      " triangles: static; filled: on the Pareto front as stored by the run (a front over more"
		      " objectives can hold points that look dominated here), each group of equal front points drawn"
		      " once (%zu dpr + %zu static distinct designs); colour: LUTs. Labelled: the chosen point (ringed),"
		      " the best static point, the published PD-Swap design and the calibrated baseline with its"
		      " measurement.",
		      c->obj.prompt, c->obj.alpha, c->obj.l_long, 1 - c->obj.alpha, c->obj.l_short, R->n_distinct[MODE_DPR],
		      R->n_distinct[MODE_STATIC]);
	if (R->n_cloud_skipped)
		o += snprintf(cap + o, sizeof cap - (size_t)o,
			      " %zu off-front points are not drawn (every k-th is kept to keep the figure readable).",
			      R->n_cloud_skipped);
	if (R->n_pts > R->n_feasible)
		o += snprintf(cap + o, sizeof cap - (size_t)o, " The %zu infeasible stored points are not drawn.",
			      R->n_pts - R->n_feasible);
	if (R->n_drawn_missing)
		snprintf(cap + o, sizeof cap - (size_t)o,
			 " %zu feasible points lack stored metrics at these lengths and are not drawn.",
			 R->n_drawn_missing);
	h_figure(f, "pareto", "Pareto front: TTFT against decode rate", cap);

	page_groups(R, f);
	page_knobs(R, f);

	fputs("<h2 id=curves>TTFT, decode rate and energy</h2>\n", f);
	h_figure(f, "ttft", "TTFT against prompt length",
		 "Lines: the analytic model of the followed designs as the run stored it; dots: the"
		 " values the run stored at the workload lengths (filled: analytic; open: the discrete-event model);"
		 " bands: their intervals (hatched where no measurement constrains them, see Intervals);"
		 " crosses: the published measurements of the calibrated baseline. TTFT does not include the"
		 " swap: it overlaps the first token's LM head.");
	h_figure(f, "decode", "Decode rate against context length",
		 "Decode tokens per second with the given number of tokens in the KV cache (one decode step, all"
		 " layers and the LM head). Lines: model; dots: stored (open: discrete-event model); bands: intervals;"
		 " crosses: measured.");
	h_figure(f, "energy", "Energy per token against context length",
		 "Decode energy per generated token with the given number of tokens in the KV cache: board power"
		 " during decode times the step time (a front objective, weighted as the objective weighs the decode"
		 " rate). Lines: the analytic model as the run stored it; dots: stored (open: discrete-event model);"
		 " bands: intervals; cross: the baseline's published board power over its published decode rate at"
		 " the context the power was taken at.");

	fputs("<h2 id=resources>Resources</h2>\n", f);
	if (!R->has_resources)
		fputs("<p class=note>The run stored no resources per region (a run of an older version): the figure"
		      " and the table are left out.</p>\n",
		      f);
	else
		h_figure(f, "resources", "Resources per region as a share of the device",
		 "Each bar stacks the static region (TLMM, RMSNorm/FindMax, buffers), the prefill and the"
		 " decode attention engine, as the model gives them. A dpr design holds one RM at a time (a bar with"
		 " each, for the chosen and the published PD-Swap design); the chosen design's third bar is what a"
		 " static design with both engines would need. The dotted line over a dpr bar is its static region"
		 " plus the pblock that holds the RM (its capacity before the routability margin): an RM must stay"
		 " below it. The labels at the top of each bar give its absolute count.");
	if (R->has_resources)
		page_resources(R, f);

	page_kv(R, f);

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
	fprintf(f, " &middot; report by pdswap-dse %s &middot; the report folder holds <code>%s</code>, which marks it"
		   " as a report that a later report may replace</p>\n</body>\n</html>\n",
		PDS_VERSION, MARKER);
	return report_close_out(R, f, R->tmp, "index.html");
}
