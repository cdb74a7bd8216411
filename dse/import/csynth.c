/*
 * csynth.c - a Vitis HLS csynth XML report into a hwreport (see csynth.h).
 *
 * libxml2 builds the tree (no network, no DTD loading, no entity
 * substitution, line numbers beyond 65535 kept); the reader then walks the
 * few paths it needs, by element name, ignoring everything else, so that
 * elements a version adds or drops elsewhere do not matter.  Element order
 * does not matter either: versions differ in it (FF before LUT in module
 * rows, BRAM_18K first in the summary).
 *
 * Values.  Every figure is the trimmed text of one element.  "undef" (HLS
 * could not bound it, as for a loop of unknown trip count) and empty text
 * leave the figure unset.  A range is "A ~ B" in text or a <range> element
 * with <min> and <max> children; only intervals and throughputs take one.
 * Where the summary gives no Interval-min/max, the interval is the dataflow
 * throughput (a dataflow region starts a new run every that many cycles) or
 * the pipeline initiation interval, which in module rows stands in its
 * place.
 */
#include "import/csynth.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "models/common.h"

typedef struct {
	const char *name;
	char *err;
	size_t errlen;
} cx;

static long line_of(const xmlNode *n)
{
	long l = n ? xmlGetLineNo(n) : 0;
	return l > 0 ? l : 1;
}

__attribute__((format(printf, 3, 4))) static int fail(cx *c, const xmlNode *n, const char *fmt, ...)
{
	int k = snprintf(c->err, c->errlen, "%s:%ld: ", c->name, line_of(n));
	if (k >= 0 && (size_t)k < c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return PDS_FAIL;
}

static int oom(cx *c)
{
	snprintf(c->err, c->errlen, "%s: out of memory", c->name);
	return PDS_FAIL;
}

static const char *ename(const xmlNode *n)
{
	return (const char *)n->name;
}

/* The first element child of p named `name`, or NULL. */
static xmlNode *kid(const xmlNode *p, const char *name)
{
	for (xmlNode *k = p ? p->children : NULL; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && strcmp(ename(k), name) == 0)
			return k;
	return NULL;
}

/* A required child: NULL after the message naming p's line. */
static xmlNode *need(cx *c, const xmlNode *p, const char *name)
{
	xmlNode *k = kid(p, name);
	if (!k)
		fail(c, p, "'%s' has no '%s' element", ename(p), name);
	return k;
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* The trimmed text of n into buf (cut at n-1 bytes); its length. */
static size_t text_of(const xmlNode *n, char *buf, size_t cap)
{
	xmlChar *t = xmlNodeGetContent(n);
	const char *s = t ? (const char *)t : "";
	size_t len = strlen(s);
	while (len && blank(*s))
		s++, len--;
	while (len && blank(s[len - 1]))
		len--;
	if (len >= cap)
		len = cap - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	xmlFree(t);
	return len;
}

/* A required, non-empty text element of p, copied into *dst. */
static int read_str(cx *c, const xmlNode *p, const char *name, char **dst, int *line)
{
	xmlNode *n = need(c, p, name);
	if (!n)
		return PDS_FAIL;
	char buf[1024];
	size_t len = text_of(n, buf, sizeof buf);
	if (len == 0)
		return fail(c, n, "'%s/%s' is empty", ename(p), name);
	if (hwreport_set_str(dst, buf, len))
		return oom(c);
	if (line)
		*line = (int)line_of(n);
	return 0;
}

/* A figure as the report writes it: unset, one number, or a range. */
typedef struct {
	bool set, range;
	double lo, hi;
} num;

static int read_num(cx *c, const xmlNode *n, num *out);

/* <range><min>A</min><max>B</max></range>. */
static int read_range(cx *c, const xmlNode *n, const xmlNode *rg, num *out)
{
	const xmlNode *mn = kid(rg, "min"), *mx = kid(rg, "max");
	if (!mn || !mx)
		return fail(c, rg, "the range of '%s' needs a 'min' and a 'max'", ename(n));
	num a, b;
	if (read_num(c, mn, &a) || read_num(c, mx, &b))
		return PDS_FAIL;
	if (!a.set || !b.set || a.range || b.range)
		return fail(c, rg, "the range of '%s' needs a number as 'min' and as 'max'", ename(n));
	*out = (num){true, true, a.lo, b.lo};
	if (a.lo > b.lo)
		return fail(c, n, "'%s' is the range %g ~ %g, whose low end is above its high end", ename(n), a.lo,
			    b.lo);
	return 0;
}

static int read_num(cx *c, const xmlNode *n, num *out)
{
	*out = (num){false, false, 0, 0};
	if (!n)
		return 0;
	const xmlNode *rg = kid(n, "range");
	if (rg)
		return read_range(c, n, rg, out);
	for (const xmlNode *k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			return fail(c, n, "'%s' holds an element '%s', expected a number", ename(n), ename(k));
	char buf[128];
	size_t len = text_of(n, buf, sizeof buf);
	if (len == 0 || strcmp(buf, "undef") == 0)
		return 0;
	char *tilde = strchr(buf, '~');
	if (tilde) {
		double a, b;
		if (hwreport_number(buf, (size_t)(tilde - buf), &a) ||
		    hwreport_number(tilde + 1, strlen(tilde + 1), &b))
			return fail(c, n, "'%s' is '%s', expected a range 'A ~ B' of two numbers", ename(n), buf);
		*out = (num){true, true, a, b};
	} else {
		double v;
		if (hwreport_number(buf, len, &v))
			return fail(c, n, "'%s' is '%s', expected a number or 'undef'", ename(n), buf);
		*out = (num){true, false, v, v};
	}
	if (out->lo > out->hi)
		return fail(c, n, "'%s' is the range %g ~ %g, whose low end is above its high end", ename(n),
			    out->lo, out->hi);
	return 0;
}

/* One figure of p (child `name`, optional); a range is refused. */
static int read_scalar(cx *c, const xmlNode *p, const char *name, hwreport_val *v)
{
	const xmlNode *n = kid(p, name);
	num x;
	if (read_num(c, n, &x))
		return PDS_FAIL;
	if (x.range)
		return fail(c, n, "'%s' is a range (%g ~ %g), expected one number", name, x.lo, x.hi);
	*v = (hwreport_val){x.set, x.lo};
	return 0;
}

/* The <unit> of p, if it has one, must be `want`. */
static int check_unit(cx *c, const xmlNode *p, const char *want)
{
	const xmlNode *u = kid(p, "unit");
	if (!u)
		return 0;
	char buf[64];
	text_of(u, buf, sizeof buf);
	if (strcmp(buf, want) != 0)
		return fail(c, u, "the unit of '%s' is '%s', expected '%s'", ename(p), buf, want);
	return 0;
}

/* Latency and interval of a SummaryOfOverallLatency element. */
static int read_latency(cx *c, const xmlNode *lat, hwreport_latency *l, hwreport_interval *iv)
{
	if (check_unit(c, lat, "clock cycles") || read_scalar(c, lat, "Best-caseLatency", &l->best) ||
	    read_scalar(c, lat, "Average-caseLatency", &l->average) ||
	    read_scalar(c, lat, "Worst-caseLatency", &l->worst))
		return PDS_FAIL;
	const xmlNode *nmin = kid(lat, "Interval-min"), *nmax = kid(lat, "Interval-max");
	num a, b;
	if (read_num(c, nmin, &a) || read_num(c, nmax, &b))
		return PDS_FAIL;
	if (a.set)
		iv->min = (hwreport_val){true, a.lo};
	if (b.set)
		iv->max = (hwreport_val){true, b.hi};
	if (a.set && b.set && a.lo > b.hi)
		return fail(c, nmin, "'Interval-min' (%g) is above 'Interval-max' (%g)", a.lo, b.hi);
	if (a.set || b.set)
		return 0;
	static const char *const stand_in[] = {"DataflowPipelineThroughput", "PipelineInitiationInterval"};
	for (size_t i = 0; i < sizeof stand_in / sizeof stand_in[0]; i++) {
		num t;
		if (read_num(c, kid(lat, stand_in[i]), &t))
			return PDS_FAIL;
		if (t.set) {
			iv->min = (hwreport_val){true, t.lo};
			iv->max = (hwreport_val){true, t.hi};
			return 0;
		}
	}
	return 0;
}

/* LUT, FF, BRAM_18K, DSP (DSP48E up to 2019.2), URAM of a resource element. */
static int read_res(cx *c, const xmlNode *p, hwreport_res *r)
{
	static const struct {
		const char *el;
		int col;
	} map[] = {{"LUT", HWR_LUT}, {"FF", HWR_FF},         {"BRAM_18K", HWR_BRAM18},
		   {"DSP", HWR_DSP}, {"DSP48E", HWR_DSP},   {"URAM", HWR_URAM}};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (r->r[map[i].col].set || !kid(p, map[i].el))
			continue;
		if (read_scalar(c, p, map[i].el, &r->r[map[i].col]))
			return PDS_FAIL;
	}
	return 0;
}

/* The timing, latency and area of a ModuleInformation/Module row. */
static int read_module(cx *c, const xmlNode *m, hwreport *r)
{
	hwreport_module *row = hwreport_add_module(r);
	if (!row)
		return oom(c);
	if (!kid(m, "Name"))
		return fail(c, m, "a 'ModuleInformation/Module' without a 'Name'");
	if (read_str(c, m, "Name", &row->name, NULL))
		return PDS_FAIL;
	const xmlNode *pe = kid(m, "PerformanceEstimates");
	const xmlNode *tim = kid(pe, "SummaryOfTimingAnalysis"), *lat = kid(pe, "SummaryOfOverallLatency");
	if (tim && (check_unit(c, tim, "ns") || read_scalar(c, tim, "EstimatedClockPeriod", &row->estimated_clock_ns)))
		return PDS_FAIL;
	if (lat && read_latency(c, lat, &row->latency, &row->interval))
		return PDS_FAIL;
	const xmlNode *res = kid(kid(m, "AreaEstimates"), "Resources");
	return res ? read_res(c, res, &row->res) : 0;
}

static int read_profile(cx *c, const xmlNode *root, hwreport *r)
{
	const xmlNode *rv, *ua, *pe, *lat, *area, *res, *n;
	if (!(rv = need(c, root, "ReportVersion")) || read_str(c, rv, "Version", &r->tool_version, NULL))
		return PDS_FAIL;
	if (!(ua = need(c, root, "UserAssignments")) || read_str(c, ua, "Part", &r->part, &r->part_line) ||
	    read_str(c, ua, "TopModelName", &r->top, &r->top_line) || check_unit(c, ua, "ns") ||
	    read_scalar(c, ua, "TargetClockPeriod", &r->target_clock_ns))
		return PDS_FAIL;
	if ((n = kid(ua, "TargetClockPeriod")))
		r->target_clock_line = (int)line_of(n);
	if (!(pe = need(c, root, "PerformanceEstimates")))
		return PDS_FAIL;
	if ((n = kid(pe, "SummaryOfTimingAnalysis")) &&
	    (check_unit(c, n, "ns") || read_scalar(c, n, "EstimatedClockPeriod", &r->estimated_clock_ns)))
		return PDS_FAIL;
	if (n)
		r->clock_line = (int)line_of(n);
	if (!(lat = need(c, pe, "SummaryOfOverallLatency")) || read_latency(c, lat, &r->latency, &r->interval))
		return PDS_FAIL;
	r->latency_line = (int)line_of(lat);
	if (!(area = need(c, root, "AreaEstimates")) || !(res = need(c, area, "Resources")) ||
	    read_res(c, res, &r->res))
		return PDS_FAIL;
	if ((n = kid(area, "AvailableResources")) && read_res(c, n, &r->avail))
		return PDS_FAIL;
	const xmlNode *mi = kid(root, "ModuleInformation");
	if (mi) {
		r->has_modules = true;
		for (const xmlNode *m = mi->children; m; m = m->next)
			if (m->type == XML_ELEMENT_NODE && strcmp(ename(m), "Module") == 0 && read_module(c, m, r))
				return PDS_FAIL;
	}
	return 0;
}

/* 1-based line of the first occurrence of `what` in buf, or 1. */
static long line_at(const char *buf, size_t len, const char *what)
{
	size_t wl = strlen(what);
	long line = 1;
	for (size_t i = 0; i + wl <= len; i++) {
		if (memcmp(buf + i, what, wl) == 0)
			return line;
		line += buf[i] == '\n';
	}
	return 1;
}

int csynth_parse(const char *name, const char *buf, size_t len, hwreport *r, char *err, size_t errlen)
{
	cx c = {name, err, errlen};
	r->kind = HWREPORT_CSYNTH;
	if (hwreport_set_str(&r->file, name, strlen(name)))
		return oom(&c);
	if (len == 0)
		return fail(&c, NULL, "empty file, expected a Vitis HLS csynth XML report");
	if (len > INT_MAX)
		return fail(&c, NULL, "the file is larger than %d bytes, the most libxml2 reads at once", INT_MAX);

	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return oom(&c);
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
					  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
						  XML_PARSE_BIG_LINES);
	if (!doc) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		char msg[512];
		snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "cannot be parsed");
		for (size_t k = strlen(msg); k && blank(msg[k - 1]); k--)
			msg[k - 1] = '\0';
		snprintf(err, errlen, "%s:%d: not well-formed XML: %s", name, e && e->line > 0 ? e->line : 1, msg);
		xmlFreeParserCtxt(ctxt);
		return PDS_FAIL;
	}
	xmlFreeParserCtxt(ctxt);

	int rc = PDS_FAIL;
	const xmlNode *root = xmlDocGetRootElement(doc);
	if (doc->intSubset || doc->extSubset)
		snprintf(err, errlen, "%s:%ld: a DOCTYPE declaration; a csynth report has none", name,
			 line_at(buf, len, "<!DOCTYPE"));
	else if (!root)
		rc = fail(&c, NULL, "no root element");
	else if (strcmp(ename(root), "profile") != 0)
		rc = fail(&c, root, "the root element is '%s', not 'profile': not a Vitis HLS csynth report",
			  ename(root));
	else
		rc = read_profile(&c, root, r);
	xmlFreeDoc(doc);
	return rc;
}
