/*
 * check_import.c - the report readers against the fixtures of
 * tests/data/import/: every figure written in a fixture comes out as
 * written (the expected values below are the numbers typed into the
 * fixtures, or sums of them where the format defines one, as bram36 =
 * RAMB36 + RAMB18/2 of a hierarchical row); figures a fixture does not give
 * are unset, and 0 stays 0.  Bad inputs are refused with "FILE:LINE:", the
 * line found in the fixture's text by a marker, not taken from the parser.
 * Records survive the trip to JSON and back, and the equality that checks
 * it can fail.
 */
#include <jansson.h>
#include <math.h>

#include "config/sha256.h"
#include "import/csynth.h"
#include "import/hwreport.h"
#include "import/import.h"
#include "import/utilrpt.h"
#include "suites.h"
#include "testutil.h"

#define DIR "tests/data/import/"
#define N NAN /* not given */

static void load(const char *path, hwreport *r)
{
	char err[2048];
	hwreport_init(r);
	int rc = import_file(path, r, err, sizeof err);
	ck_assert_msg(rc == 0, "%s: %s", path, err);
}

static void want_val(hwreport_val v, double want, const char *what, const char *file)
{
	if (isnan(want))
		ck_assert_msg(!v.set, "%s: %s is %g, want not given", file, what, v.v);
	else
		ck_assert_msg(v.set && v.v == want, "%s: %s is %s%g, want %g", file, what, v.set ? "" : "unset ",
			      v.v, want);
}

static void want_res(const hwreport_res *r, const double want[HWR_N], const char *what, const char *file)
{
	for (int i = 0; i < HWR_N; i++) {
		char w[64];
		snprintf(w, sizeof w, "%s.%s", what, hwreport_res_names[i]);
		want_val(r->r[i], want[i], w, file);
	}
}

static void want_str(const char *got, const char *want, const char *what, const char *file)
{
	if (!want)
		ck_assert_msg(!got, "%s: %s is '%s', want not given", file, what, got);
	else
		ck_assert_msg(got && strcmp(got, want) == 0, "%s: %s is '%s', want '%s'", file, what,
			      got ? got : "(none)", want);
}

/* 1-based line of the first occurrence of `marker` in the text of path. */
static int line_of(const char *path, const char *marker)
{
	char *t = tu_read(path, NULL);
	char *at = strstr(t, marker);
	ck_assert_msg(at != NULL, "'%s' not in %s", marker, path);
	int line = 1;
	for (char *p = t; p < at; p++)
		line += *p == '\n';
	free(t);
	return line;
}

/* What a fixture says, typed from the fixture; N where it says nothing,
 * -1 for a list it does not have. */
typedef struct {
	const char *file, *kind, *version, *part, *part_marker, *top, *state;
	double target, est, lat[3], iv[2], res[HWR_N], avail[HWR_N];
	int n_modules, n_pblocks, n_instances;
} expect;

#define KV260_AVAIL_HLS {117120, 234240, 288, N, 1248, 64}
#define NO_AVAIL {N, N, N, N, N, N}

static const expect fixtures[] = {
	{"csynth_2019_2_dsp48e.xml", "csynth", "2019.2", "xc7z020clg400-1", "<Part>", "attn_decode", NULL, 5.00,
	 4.375, {1037, 2050, 4105}, {1038, 4106}, {8421, 5678, 12, N, 34, N}, {53200, 106400, 280, N, 220, N},
	 -1, -1, -1},
	{"csynth_2020_2.xml", "csynth", "2020.2", "xck26-sfvc784-2LV-c", "<Part>", "tlmm_core", NULL, 4.00, 3.650,
	 {20491, 20491, 20491}, {20492, 20492}, {40960, 31250, 96, N, 48, 16}, KV260_AVAIL_HLS, -1, -1, -1},
	{"csynth_2022_2_modules.xml", "csynth", "2022.2", "xck26-sfvc784-2LV-c", "<Part>", "prefill_attn", NULL,
	 3.33, 2.911, {8210, 8210, 8210}, {4100, 4100}, {30720, 22016, 64, N, 128, 8}, KV260_AVAIL_HLS, 3, -1,
	 -1},
	{"csynth_2023_2_undef.xml", "csynth", "2023.2", "xck26-sfvc784-2LV-c", "<Part>", "decode_attn", NULL, 4.00,
	 3.104, {N, N, N}, {N, N}, {9516, 6891, 27, N, 10, 0}, KV260_AVAIL_HLS, 1, -1, -1},
	{"csynth_2024_2.xml", "csynth", "2024.2", "xck26-sfvc784-2LV-c", "<Part>", "tlmm_core", NULL, 2.50, 2.284,
	 {1500, 1750, 2000}, {1501, 2001}, {61440, 50112, 140, N, 256, 32}, KV260_AVAIL_HLS, 2, -1, -1},
	{"csynth_dataflow_range.xml", "csynth", "2022.1", "xck26-sfvc784-2LV-c", "<Part>", "kv_stream", NULL, 3.33,
	 2.433, {2060, N, 8204}, {2049, 8193}, {3377, 4120, 8, N, 0, 0}, NO_AVAIL, -1, -1, -1},
	{"util_4col_7series.rpt", "utilization", "2016.3", "7z020clg484-1", "| Device", "top_wrapper", "Routed", N,
	 N, {N, N, N}, {N, N}, {10365, 14020, N, 36.5, 40, N}, {53200, 106400, N, 140, 220, N}, -1, -1, -1},
	{"util_5col_ultrascale.rpt", "utilization", "2018.3", "xcku035fbva676-2", "| Device", "fpga",
	 "Fully Placed", N, N, {N, N, N}, {N, N}, {21344, 30112, N, 88, 12, N}, {203128, 406256, N, 540, 1700, N},
	 -1, -1, -1},
	{"util_6col_zuplus.rpt", "utilization", "2023.2", "xck26-sfvc784-2LV-c", "| Device", "pdswap_wrapper",
	 "Synthesized", N, N, {N, N, N}, {N, N}, {81234, 101876, N, 137.5, 612, 48},
	 {117120, 234240, N, 144, 1248, 64}, -1, -1, -1},
	{"util_7series_6col.rpt", "utilization", "2020.2", "7z020clg400-1", "| Device", "top", "Fully Placed", N, N,
	 {N, N, N}, {N, N}, {38817, 47310, N, 47.5, 90, N}, {53200, 106400, N, 140, 220, N}, -1, -1, -1},
	{"util_pblocks.rpt", "utilization", "2022.1", "xck26-sfvc784-2LV-c", "| Device", "pdswap_wrapper",
	 "Routed", N, N, {N, N, N}, {N, N}, {20472, 24410, N, 30.5, 256, 16}, {25920, 51840, N, 36, 288, 16}, -1,
	 1, -1},
	{"util_hier.rpt", "utilization", "2018.3", "xczu7ev-ffvc1156-2-e", "| Device", "pdswap_top", "Fully Placed",
	 N, N, {N, N, N}, {N, N}, {40100, 51000, N, 60 + 15 / 2.0, 300, 16}, NO_AVAIL, -1, -1, 6},
	{"util_hier_7series.rpt", "utilization", "2022.2", "xc7z020clg400-1", "| Device", "top", "Routed", N, N,
	 {N, N, N}, {N, N}, {12500, 15001, N, 21 + 3 / 2.0, 64, N}, NO_AVAIL, -1, -1, 2},
};
#define N_FIXTURES ((int)(sizeof fixtures / sizeof fixtures[0]))

static void want_list(bool has, size_t n, int want, const char *what, const char *file)
{
	if (want < 0)
		ck_assert_msg(!has, "%s: has %s, want none", file, what);
	else
		ck_assert_msg(has && n == (size_t)want, "%s: %zu %s (%s), want %d", file, n, what,
			      has ? "listed" : "no list", want);
}

START_TEST(fixture_figures)
{
	const expect *e = &fixtures[_i];
	char path[256];
	snprintf(path, sizeof path, DIR "%s", e->file);
	hwreport r;
	load(path, &r);
	want_str(r.file, path, "file", e->file);
	ck_assert_str_eq(hwreport_kind_name(r.kind), e->kind);
	want_str(r.tool_version, e->version, "tool_version", e->file);
	want_str(r.part, e->part, "part", e->file);
	ck_assert_int_eq(r.part_line, line_of(path, e->part_marker));
	want_str(r.top, e->top, "top", e->file);
	want_str(r.design_state, e->state, "design_state", e->file);
	want_val(r.target_clock_ns, e->target, "target_clock_ns", e->file);
	want_val(r.estimated_clock_ns, e->est, "estimated_clock_ns", e->file);
	want_val(r.latency.best, e->lat[0], "latency.best", e->file);
	want_val(r.latency.average, e->lat[1], "latency.average", e->file);
	want_val(r.latency.worst, e->lat[2], "latency.worst", e->file);
	want_val(r.interval.min, e->iv[0], "interval.min", e->file);
	want_val(r.interval.max, e->iv[1], "interval.max", e->file);
	want_res(&r.res, e->res, "resources", e->file);
	want_res(&r.avail, e->avail, "available", e->file);
	want_list(r.has_modules, r.n_modules, e->n_modules, "modules", e->file);
	want_list(r.has_pblocks, r.n_pblocks, e->n_pblocks, "pblocks", e->file);
	want_list(r.has_instances, r.n_instances, e->n_instances, "instances", e->file);
	ck_assert_uint_eq(strlen(r.sha256), 64);
	hwreport_release(&r);
}
END_TEST

/* A module row of a fixture. */
typedef struct {
	const char *name;
	double est, lat[3], iv[2], res[HWR_N];
} module_expect;

static void want_modules(const char *file, const module_expect *m, int n)
{
	char path[256];
	snprintf(path, sizeof path, DIR "%s", file);
	hwreport r;
	load(path, &r);
	ck_assert_uint_eq(r.n_modules, (size_t)n);
	for (int i = 0; i < n; i++) {
		const hwreport_module *g = &r.modules[i];
		want_str(g->name, m[i].name, "module name", file);
		want_val(g->estimated_clock_ns, m[i].est, "module estimated_clock_ns", file);
		want_val(g->latency.best, m[i].lat[0], "module latency.best", file);
		want_val(g->latency.average, m[i].lat[1], "module latency.average", file);
		want_val(g->latency.worst, m[i].lat[2], "module latency.worst", file);
		want_val(g->interval.min, m[i].iv[0], "module interval.min", file);
		want_val(g->interval.max, m[i].iv[1], "module interval.max", file);
		want_res(&g->res, m[i].res, m[i].name, file);
	}
	hwreport_release(&r);
}

START_TEST(module_rows)
{
	/* 2022.2: the interval of a module row is its PipelineInitiationInterval
	 * (130), undef stays unset, the dataflow module's is its throughput */
	const module_expect m22[] = {
		{"prefill_attn_Pipeline_QK", 2.911, {130, 130, 130}, {130, 130}, {2045, 1210, 0, N, 16, 0}},
		{"prefill_attn_softmax", 2.406, {N, N, N}, {N, N}, {4410, 3071, 4, N, 21, 0}},
		{"prefill_attn", 2.911, {8210, 8210, 8210}, {4100, 4100}, {30720, 22016, 64, N, 128, 8}},
	};
	want_modules("csynth_2022_2_modules.xml", m22, 3);
	const module_expect m23[] = {
		{"decode_attn_Pipeline_KV_LOOP", 2.000, {N, N, N}, {N, N}, {44, 163, 0, N, 0, 0}},
	};
	want_modules("csynth_2023_2_undef.xml", m23, 1);
	/* 2024.2: the top module's interval is the text range "1501 ~ 2001" */
	const module_expect m24[] = {
		{"tlmm_core_Pipeline_LUT_BUILD", 1.944, {29, 29, 29}, {27, 27}, {1536, 880, 0, N, 0, 0}},
		{"tlmm_core", 2.284, {1500, 1750, 2000}, {1501, 2001}, {61440, 50112, 140, N, 256, 32}},
	};
	want_modules("csynth_2024_2.xml", m24, 2);
}
END_TEST

START_TEST(pblock_columns)
{
	hwreport r;
	load(DIR "util_pblocks.rpt", &r);
	ck_assert_uint_eq(r.n_pblocks, 1);
	const hwreport_pblock *p = &r.pblocks[0];
	want_str(p->name, "pblock_rp", "pblock name", "util_pblocks.rpt");
	const double parent[HWR_N] = {20160, 24000, N, 30.5, 256, 16};
	const double child[HWR_N] = {0, 0, N, 0, 0, 0};
	const double na[HWR_N] = {312, 410, N, 0, 0, 0};
	want_res(&p->parent, parent, "parent", "util_pblocks.rpt");
	want_res(&p->child, child, "child", "util_pblocks.rpt");
	want_res(&p->non_assigned, na, "non_assigned", "util_pblocks.rpt");
	/* Used is Parent + Child + Non-Assigned in every row the fixture has */
	for (int i = 0; i < HWR_N; i++)
		if (r.res.r[i].set)
			ck_assert(r.res.r[i].v == p->parent.r[i].v + p->child.r[i].v + p->non_assigned.r[i].v);
	hwreport_release(&r);
}
END_TEST

START_TEST(hierarchy_rows)
{
	static const struct {
		const char *name, *module;
		int depth;
		double res[HWR_N];
	} rows[] = {
		{"pdswap_top", "(top)", 0, {40100, 51000, N, 60 + 15 / 2.0, 300, 16}},
		{"(pdswap_top)", "(top)", 1, {120, 300, N, 0, 0, 0}},
		{"tlmm_i", "tlmm_core", 1, {30000, 40000, N, 40 + 10 / 2.0, 44, 16}},
		{"(tlmm_i)", "tlmm_core", 2, {26000, 36000, N, 40 + 9 / 2.0, 44, 16}},
		{"lut_build_i", "tlmm_lutbuild", 2, {4000, 4000, N, 0 + 1 / 2.0, 0, 0}},
		{"rp_i", "attn_prefill", 1, {9980, 10700, N, 20 + 5 / 2.0, 256, 0}},
	};
	hwreport r;
	load(DIR "util_hier.rpt", &r);
	ck_assert_uint_eq(r.n_instances, 6);
	for (int i = 0; i < 6; i++) {
		const hwreport_instance *h = &r.instances[i];
		want_str(h->name, rows[i].name, "instance", "util_hier.rpt");
		want_str(h->module, rows[i].module, "module", "util_hier.rpt");
		ck_assert_int_eq(h->depth, rows[i].depth);
		want_res(&h->res, rows[i].res, rows[i].name, "util_hier.rpt");
	}
	hwreport_release(&r);
	/* no URAM column: uram is not given, in the top and in every row */
	load(DIR "util_hier_7series.rpt", &r);
	for (size_t i = 0; i < r.n_instances; i++)
		ck_assert(!r.instances[i].res.r[HWR_URAM].set);
	want_str(r.instances[1].name, "core_i", "instance", "util_hier_7series.rpt");
	ck_assert_int_eq(r.instances[1].depth, 1);
	hwreport_release(&r);
}
END_TEST

/* A bad input, the marker of the line it must be refused at (NULL: line
 * 1; "EOF": the line after the last), and a piece of the message. */
static const struct {
	const char *file, *marker, *says;
} bad[] = {
	{"not_xml.xml", NULL, "not well-formed XML"},
	{"other_tool.xml", "<spirit:component", "the root element is 'component', not 'profile'"},
	{"missing_part.xml", "<UserAssignments>", "'UserAssignments' has no 'Part' element"},
	{"bad_number.xml", "<LUT>12k", "'LUT' is '12k', expected a number"},
	{"truncated.xml", "EOF", "not well-formed XML"},
	{"doctype.xml", "<!DOCTYPE", "DOCTYPE"},
	{"empty.rpt", NULL, "empty file"},
	{"short_row.rpt", "406256 |\n", "a table row of 4 cells under a header of 5"},
	{"bad_figure.rpt", "|  many |", "'CLB LUTs' has Used 'many', expected a number"},
	{"timing.rpt", "| Command", "a report of 'report_timing_summary', not of 'report_utilization'"},
	{"no_lut.rpt", "Site Type |", "no 'CLB LUTs' or 'Slice LUTs' row"},
	{"csynth_text.rpt", NULL, "a csynth text report"},
	{"not_a_report.txt", NULL, "no '| Tool Version :' header line"},
};
#define N_BAD ((int)(sizeof bad / sizeof bad[0]))

START_TEST(bad_inputs_are_positioned)
{
	char path[256], err[2048], want[320];
	snprintf(path, sizeof path, DIR "bad/%s", bad[_i].file);
	int line = 1;
	if (bad[_i].marker && strcmp(bad[_i].marker, "EOF") == 0) {
		size_t len;
		char *t = tu_read(path, &len);
		for (size_t k = 0; k < len; k++)
			line += t[k] == '\n';
		free(t);
	} else if (bad[_i].marker) {
		line = line_of(path, bad[_i].marker);
	}
	hwreport r;
	hwreport_init(&r);
	err[0] = '\0';
	ck_assert_int_eq(import_file(path, &r, err, sizeof err), PDS_FAIL);
	snprintf(want, sizeof want, "%s:%d: ", path, line);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s', want it to start '%s'", err, want);
	ck_assert_msg(strstr(err, bad[_i].says) != NULL, "got '%s', want '%s' in it", err, bad[_i].says);
	hwreport_release(&r);
}
END_TEST

START_TEST(unreadable_files)
{
	char err[2048];
	hwreport r;
	hwreport_init(&r);
	ck_assert_int_eq(import_file(DIR "no_such_report.xml", &r, err, sizeof err), PDS_FAIL);
	ck_assert_msg(strstr(err, DIR "no_such_report.xml: cannot read") == err, "%s", err);
	hwreport_release(&r);
	hwreport_init(&r);
	ck_assert_int_eq(import_file(DIR "bad", &r, err, sizeof err), PDS_FAIL);
	ck_assert_msg(strstr(err, DIR "bad: cannot read") == err, "%s", err);
	hwreport_release(&r);
}
END_TEST

/* ----------------------------------------------- csynth, small documents */

static int parse_xml(const char *text, hwreport *r, char *err)
{
	hwreport_init(r);
	return csynth_parse("t.xml", text, strlen(text), r, err, 2048);
}

/* A minimal report; `lat` goes inside SummaryOfOverallLatency (line 4 on),
 * `res` inside Resources. */
static char *doc(const char *lat, const char *res)
{
	char *b = malloc(4096);
	ck_assert_ptr_nonnull(b);
	snprintf(b, 4096,
		 "<profile><ReportVersion><Version>2023.1</Version></ReportVersion>\n"
		 "<UserAssignments><Part>xck26-sfvc784-2LV-c</Part><TopModelName>t</TopModelName></UserAssignments>\n"
		 "<PerformanceEstimates><SummaryOfOverallLatency>\n%s\n</SummaryOfOverallLatency></PerformanceEstimates>\n"
		 "<AreaEstimates><Resources>%s</Resources></AreaEstimates></profile>\n",
		 lat, res);
	return b;
}

START_TEST(csynth_values)
{
	char err[2048];
	hwreport r;
	/* text ranges in Interval-min/max: min takes the low end, max the high end */
	char *t = doc("<Interval-min>100 ~ 200</Interval-min><Interval-max>300 ~ 400</Interval-max>",
		      "<LUT/><FF> 7 </FF><DSP>3</DSP><DSP48E>99</DSP48E>");
	ck_assert_msg(parse_xml(t, &r, err) == 0, "%s", err);
	want_val(r.interval.min, 100, "interval.min", "t.xml");
	want_val(r.interval.max, 400, "interval.max", "t.xml");
	want_val(r.res.r[HWR_LUT], N, "empty <LUT/>", "t.xml");
	want_val(r.res.r[HWR_FF], 7, "FF with blanks", "t.xml");
	want_val(r.res.r[HWR_DSP], 3, "DSP before DSP48E", "t.xml");
	ck_assert(!r.estimated_clock_ns.set && !r.target_clock_ns.set && !r.has_modules);
	hwreport_release(&r);
	free(t);

	/* a range for one figure, a reversed range, a bad number, a unit */
	static const struct {
		const char *lat, *res, *says;
		int line;
	} no[] = {
		{"<Best-caseLatency>1 ~ 5</Best-caseLatency>", "", "'Best-caseLatency' is a range (1 ~ 5)", 4},
		{"<Interval-min><range><min>9</min><max>2</max></range></Interval-min>", "", "low end is above", 4},
		{"<Interval-min>\n\n5</Interval-min><Interval-max>4</Interval-max>", "", "above 'Interval-max'", 4},
		{"<Worst-caseLatency>-3</Worst-caseLatency>", "", "'-3', expected a number", 4},
		{"<Worst-caseLatency>inf</Worst-caseLatency>", "", "'inf', expected a number", 4},
		{"<unit>us</unit>", "", "the unit of 'SummaryOfOverallLatency' is 'us'", 4},
		{"<Interval-min><range><min>9</min></range></Interval-min>", "", "needs a 'min' and a 'max'", 4},
		{"", "<LUT><x/></LUT>", "holds an element 'x'", 6},
	};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		t = doc(no[i].lat, no[i].res);
		ck_assert_msg(parse_xml(t, &r, err) == PDS_FAIL, "case %zu was read", i);
		char want[64];
		snprintf(want, sizeof want, "t.xml:%d: ", no[i].line);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0 && strstr(err, no[i].says), "case %zu: %s", i,
			      err);
		hwreport_release(&r);
		free(t);
	}

	/* a module without a name; a missing SummaryOfOverallLatency */
	const char *nameless = "<profile><ReportVersion><Version>2023.1</Version></ReportVersion>"
			       "<UserAssignments><Part>p</Part><TopModelName>t</TopModelName></UserAssignments>"
			       "<PerformanceEstimates><SummaryOfOverallLatency/></PerformanceEstimates>"
			       "<AreaEstimates><Resources/></AreaEstimates>\n"
			       "<ModuleInformation>\n<Module><Loops/></Module></ModuleInformation></profile>";
	ck_assert_int_eq(parse_xml(nameless, &r, err), PDS_FAIL);
	ck_assert_msg(strstr(err, "t.xml:3: a 'ModuleInformation/Module' without a 'Name'") == err, "%s", err);
	hwreport_release(&r);
	const char *nolat = "<profile><ReportVersion><Version>2023.1</Version></ReportVersion>"
			    "<UserAssignments><Part>p</Part><TopModelName>t</TopModelName></UserAssignments>\n"
			    "<PerformanceEstimates/></profile>";
	ck_assert_int_eq(parse_xml(nolat, &r, err), PDS_FAIL);
	ck_assert_msg(strstr(err, "t.xml:2: 'PerformanceEstimates' has no 'SummaryOfOverallLatency'") == err,
		      "%s", err);
	hwreport_release(&r);
}
END_TEST

/* ------------------------------------- utilisation, small reports in text */

static const char *util_head = "| Tool Version : Vivado v.2021.2 (lin64) Build 1\n"
			       "| Command      : %s\n"
			       "| Device       : xck26-sfvc784-2LV-c\n"
			       "\n";

static int parse_util(const char *command, const char *tables, hwreport *r, char *err)
{
	char text[8192];
	int n = snprintf(text, sizeof text, util_head, command);
	snprintf(text + n, sizeof text - (size_t)n, "%s", tables);
	hwreport_init(r);
	return utilrpt_parse("u.rpt", text, strlen(text), r, err, 2048);
}

static const char *pblock_table =
	"+------------+--------+-------+--------------+------+-------+-----------+-------+\n"
	"|  Site Type | Parent | Child | Non-Assigned | Used | Fixed | Available | Util% |\n"
	"+------------+--------+-------+--------------+------+-------+-----------+-------+\n"
	"| CLB LUTs*  |    100 |    20 |            3 |  123 |     0 |       200 | 61.50 |\n"
	"+------------+--------+-------+--------------+------+-------+-----------+-------+\n";

START_TEST(pblock_names_and_layouts)
{
	static const struct {
		const char *command, *name;
	} cmds[] = {
		{"report_utilization -pblocks pblock_a -file x.rpt", "pblock_a"},
		{"report_utilization -file x.rpt -pblocks {pblock_b}", "pblock_b"},
		{"report_utilization -pblocks [get_pblocks -quiet pblock_c] -file x.rpt", "pblock_c"},
		{"report_utilization -file x.rpt", NULL},
	};
	char err[2048];
	hwreport r;
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		/* the layout without Prohibited (older versions) reads alike */
		ck_assert_msg(parse_util(cmds[i].command, pblock_table, &r, err) == 0, "%s", err);
		ck_assert_uint_eq(r.n_pblocks, 1);
		want_str(r.pblocks[0].name, cmds[i].name, "pblock name", "u.rpt");
		want_val(r.pblocks[0].parent.r[HWR_LUT], 100, "parent.lut", "u.rpt");
		want_val(r.pblocks[0].child.r[HWR_LUT], 20, "child.lut", "u.rpt");
		want_val(r.pblocks[0].non_assigned.r[HWR_LUT], 3, "non_assigned.lut", "u.rpt");
		want_val(r.res.r[HWR_LUT], 123, "used lut", "u.rpt");
		want_val(r.avail.r[HWR_LUT], 200, "available lut", "u.rpt");
		want_val(r.res.r[HWR_FF], N, "ff (no row)", "u.rpt");
		hwreport_release(&r);
	}
}
END_TEST

START_TEST(util_tables_refused)
{
	static const struct {
		const char *tables, *says;
		int line;
	} no[] = {
		/* lines 1-4 are the header block; the table starts at line 5 */
		{"+--+\n| Site Type | Used | Available |\n+--+\n| CLB LUTs | 5 | 10\n", "not closed by '|'", 8},
		{"+--+\n| Site Type | Used | Available |\n| CLB LUTs | 5 | 10 | 7 |\n", "of 4 cells under a header of 3",
		 7},
		{"| Site Type | Count | Available |\n| CLB LUTs | 5 | 10 |\n", "without a 'Used' column", 5},
		{"| Site Type | Used | Available\n", "a table header not closed by '|'", 5},
		{"| Site Type | Used | Available |\n| CLB LUTs | | 10 |\n", "'CLB LUTs' has Used '', expected a number",
		 6},
		{"| Site Type | Used | Available |\n| CLB LUTs | 5 | 1O |\n", "'CLB LUTs' has Available '1O'", 6},
		{"| Instance | Module | Total LUTs |\n| top | (top) | 5 |\n", "without 'Total LUTs' and 'FFs'", 5},
		{"text only\n", "no '| Site Type |' or '| Instance | Module |' table", 5},
	};
	char err[2048];
	hwreport r;
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		ck_assert_msg(parse_util("report_utilization -file x", no[i].tables, &r, err) == PDS_FAIL,
			      "case %zu was read", i);
		char want[64];
		snprintf(want, sizeof want, "u.rpt:%d: ", no[i].line);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0 && strstr(err, no[i].says), "case %zu: %s", i,
			      err);
		hwreport_release(&r);
	}
	/* breakdown rows are not read for the top-level names they contain */
	ck_assert(parse_util("report_utilization", "| Site Type | Used |\n|   URAM | 9 |\n| Slice LUTs* | 4 |\n", &r,
			     err) == 0);
	want_val(r.res.r[HWR_URAM], N, "indented URAM", "u.rpt");
	want_val(r.res.r[HWR_LUT], 4, "Slice LUTs*", "u.rpt");
	want_val(r.avail.r[HWR_LUT], N, "no Available column", "u.rpt");
	hwreport_release(&r);
}
END_TEST

/* ------------------------------------------------------------- JSON trip */

static void round_trip(const hwreport *a, const char *what)
{
	char *line = hwreport_json_line(a);
	ck_assert_ptr_nonnull(line);
	ck_assert_msg(strchr(line, '\n') == NULL, "%s: the JSON spans lines", what);
	json_error_t je;
	json_t *o = json_loads(line, 0, &je);
	ck_assert_msg(o != NULL, "%s: %s", what, je.text);
	hwreport b;
	hwreport_init(&b);
	char err[512];
	ck_assert_msg(hwreport_from_json(o, &b, err, sizeof err) == 0, "%s: %s", what, err);
	ck_assert_msg(hwreport_equal(a, &b), "%s: the record read back from its JSON differs:\n%s", what, line);
	hwreport_release(&b);
	json_decref(o);
	free(line);
}

START_TEST(json_round_trip)
{
	for (int i = 0; i < N_FIXTURES; i++) {
		char path[256];
		snprintf(path, sizeof path, DIR "%s", fixtures[i].file);
		hwreport r;
		load(path, &r);
		round_trip(&r, fixtures[i].file);
		hwreport_release(&r);
	}
}
END_TEST

START_TEST(json_nulls_and_numbers)
{
	hwreport r;
	load(DIR "csynth_2023_2_undef.xml", &r);
	char *line = hwreport_json_line(&r);
	json_t *o = json_loads(line, 0, NULL);
	ck_assert_ptr_nonnull(o);
	json_t *lat = json_object_get(o, "latency_cycles"), *res = json_object_get(o, "resources");
	ck_assert(json_is_null(json_object_get(lat, "best")) && json_is_null(json_object_get(lat, "worst")));
	ck_assert(json_is_null(json_object_get(res, "bram36")));
	ck_assert(json_is_integer(json_object_get(res, "uram")) &&
		  json_integer_value(json_object_get(res, "uram")) == 0);
	ck_assert(json_is_null(json_object_get(o, "pblocks")) && json_is_array(json_object_get(o, "modules")));
	/* decimals print as written, not with 17 digits */
	ck_assert_msg(strstr(line, "\"estimated_clock_ns\":3.104,") != NULL, "%s", line);
	json_decref(o);
	free(line);

	/* a figure that needs 17 digits still reads back exactly */
	r.target_clock_ns = (hwreport_val){true, 0.1 + 0.2};
	r.avail.r[HWR_BRAM36] = (hwreport_val){true, 1e-7 / 3};
	round_trip(&r, "17-digit figures");
	hwreport_release(&r);

	/* the equality sees a figure turn from 0 into not given, and a name change */
	hwreport a, b;
	load(DIR "util_pblocks.rpt", &a);
	load(DIR "util_pblocks.rpt", &b);
	ck_assert(hwreport_equal(&a, &b));
	b.pblocks[0].child.r[HWR_DSP].set = false;
	ck_assert(!hwreport_equal(&a, &b));
	b.pblocks[0].child.r[HWR_DSP].set = true;
	b.pblocks[0].name[0] = 'q';
	ck_assert(!hwreport_equal(&a, &b));
	hwreport_release(&a);
	hwreport_release(&b);

	/* what from_json refuses, naming the key: pairs of edits on the JSON text */
	static const struct {
		const char *edits[4], *says;
	} no[] = {
		{{"\"lut\":20472", "\"lut\":\"many\""}, "'resources.lut' must be a number or null"},
		{{"\"kind\":\"utilization\"", "\"kind\":\"timing\""}, "'kind' must be"},
		{{"\"top\":\"pdswap_wrapper\",", ""}, "'top' is missing"},
		{{"\"pblocks\":[", "\"pblocks\":{\"x\":[", "],\"instances\"", "]},\"instances\""},
		 "'pblocks' must be a list or null"},
		{{"\"child\":{\"lut\":0,", "\"child\":{"}, "'child.lut' is missing"},
	};
	load(DIR "util_pblocks.rpt", &a);
	line = hwreport_json_line(&a);
	hwreport_release(&a);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		char *text = strdup(line);
		ck_assert_ptr_nonnull(text);
		for (int k = 0; k < 4 && no[i].edits[k]; k += 2) {
			char *at = strstr(text, no[i].edits[k]);
			ck_assert_msg(at != NULL, "'%s' not in %s", no[i].edits[k], text);
			size_t n = strlen(text), fl = strlen(no[i].edits[k]), tl = strlen(no[i].edits[k + 1]);
			char *e = malloc(n - fl + tl + 1);
			ck_assert_ptr_nonnull(e);
			memcpy(e, text, (size_t)(at - text));
			memcpy(e + (at - text), no[i].edits[k + 1], tl);
			memcpy(e + (at - text) + tl, at + fl, n - (size_t)(at - text) - fl + 1);
			free(text);
			text = e;
		}
		json_t *j = json_loads(text, 0, NULL);
		ck_assert_msg(j != NULL, "case %zu does not parse: %s", i, text);
		char err[512];
		hwreport_init(&b);
		ck_assert_int_eq(hwreport_from_json(j, &b, err, sizeof err), PDS_FAIL);
		ck_assert_msg(strstr(err, no[i].says) != NULL, "case %zu: %s", i, err);
		hwreport_release(&b);
		json_decref(j);
		free(text);
	}
	free(line);
}
END_TEST

START_TEST(numbers)
{
	static const struct {
		const char *s;
		int ok;
		double v;
	} cases[] = {
		{"12", 1, 12},   {" 137.5 ", 1, 137.5}, {"7.674", 1, 7.674}, {"1e3", 1, 1000}, {".5", 1, 0.5},
		{"", 0, 0},      {"undef", 0, 0},       {"-1", 0, 0},        {"inf", 0, 0},    {"nan", 0, 0},
		{"0x10", 0, 0},  {"12k", 0, 0},         {"1 2", 0, 0},       {"+3", 0, 0},     {"~0", 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double v = -1;
		int rc = hwreport_number(cases[i].s, strlen(cases[i].s), &v);
		ck_assert_msg((rc == 0) == cases[i].ok, "'%s': rc %d", cases[i].s, rc);
		if (cases[i].ok)
			ck_assert_msg(v == cases[i].v, "'%s' read as %g", cases[i].s, v);
	}
}
END_TEST

/* FIPS 180-4 / NIST test vectors: the empty message, "abc", the 448-bit
 * two-block message and a million 'a' (many blocks). */
START_TEST(sha256_vectors)
{
	static const struct {
		const char *msg;
		const char *hex;
	} v[] = {
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	};
	char out[65];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		ck_assert_int_eq(sha256_hex(v[i].msg, strlen(v[i].msg), out), 0);
		ck_assert_str_eq(out, v[i].hex);
	}
	char *a = malloc(1000000);
	ck_assert_ptr_nonnull(a);
	memset(a, 'a', 1000000);
	ck_assert_int_eq(sha256_hex(a, 1000000, out), 0);
	ck_assert_str_eq(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}
END_TEST

/* The 36 Kb equivalent of each BRAM unit, and part names compared as the
 * same part whatever their "xc" prefix, case or blanks. */
START_TEST(bram_and_part_comparison)
{
	hwreport r;
	load(DIR "csynth_2024_2.xml", &r); /* BRAM_18K 140 */
	hwreport_val b = hwreport_bram36_equiv(&r.res);
	ck_assert(b.set && b.v == 70);
	ck_assert(r.res.r[HWR_BRAM18].set && r.res.r[HWR_BRAM18].v == 140); /* the raw figure stays */
	ck_assert(!r.res.r[HWR_BRAM36].set);
	hwreport_release(&r);
	load(DIR "util_pblocks.rpt", &r); /* Block RAM Tile 30.5 */
	b = hwreport_bram36_equiv(&r.res);
	ck_assert(b.set && b.v == 30.5);
	hwreport_release(&r);
	hwreport_res none;
	memset(&none, 0, sizeof none);
	ck_assert(!hwreport_bram36_equiv(&none).set);
	hwreport_res odd = none;
	odd.r[HWR_BRAM18] = (hwreport_val){true, 3};
	ck_assert(hwreport_bram36_equiv(&odd).v == 1.5);

	ck_assert(hwreport_same_part("xck26-sfvc784-2LV-c", "xck26-sfvc784-2lv-c"));
	ck_assert(hwreport_same_part("7z020clg484-1", "xc7z020clg484-1"));
	ck_assert(hwreport_same_part(" XC7Z020CLG484-1 ", "7z020clg484-1"));
	ck_assert(!hwreport_same_part("xczu7ev-ffvc1156-2-e", "xck26-sfvc784-2LV-c"));
	ck_assert(!hwreport_same_part("xck26-sfvc784-2LV-c", "xck26-sfvc784-1-c")); /* another speed grade */
	ck_assert(!hwreport_same_part("", ""));
	ck_assert(!hwreport_same_part(NULL, "xck26"));
	char k[8];
	cfg_part_key("xczu7ev-ffvc1156", k, sizeof k); /* cut to the buffer */
	ck_assert_str_eq(k, "zu7ev-f");
}
END_TEST

Suite *import_suite(void)
{
	Suite *s = suite_create("import");
	TCase *t = tcase_create("import");
	tcase_add_loop_test(t, fixture_figures, 0, N_FIXTURES);
	tcase_add_test(t, module_rows);
	tcase_add_test(t, pblock_columns);
	tcase_add_test(t, hierarchy_rows);
	tcase_add_loop_test(t, bad_inputs_are_positioned, 0, N_BAD);
	tcase_add_test(t, unreadable_files);
	tcase_add_test(t, csynth_values);
	tcase_add_test(t, pblock_names_and_layouts);
	tcase_add_test(t, util_tables_refused);
	tcase_add_test(t, json_round_trip);
	tcase_add_test(t, json_nulls_and_numbers);
	tcase_add_test(t, numbers);
	tcase_add_test(t, sha256_vectors);
	tcase_add_test(t, bram_and_part_comparison);
	suite_add_tcase(s, t);
	return s;
}
