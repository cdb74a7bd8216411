/*
 * check_measured.c - reports stored as measurements (import/target.h,
 * store/measured.h): what each fixture of tests/data/import/measured/ is
 * a measurement of, the refusals at their FILE:LINE (the line found in the
 * fixture by a marker), and the round trip from the record (`import
 * --json`) to the stored row, v_measured and back into a config.  The
 * expected figures are the ones typed into the fixtures.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "import/target.h"
#include "store/measured.h"
#include "store/store.h"
#include "suites.h"
#include "testutil.h"

#define MD "tests/data/import/measured/"

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

static void load(const char *path, hwreport *r)
{
	char err[2048];
	hwreport_init(r);
	ck_assert_msg(import_file(path, r, err, sizeof err) == 0, "%s", err);
}

static void design_target(const cfg_t *c, const char *name, target_t *t)
{
	int i = cfg_find_design(c, name);
	ck_assert(i >= 0);
	target_design(t, &c->designs[i].d, name, -1, -1);
}

START_TEST(engine_specs)
{
	cfg_t c;
	tu_load_default(&c);
	target_t t;
	char err[512];
	ck_assert(target_engine(&c, "prefill:lanes=4,pe=12", &t, err, sizeof err) == 0);
	ck_assert_str_eq(t.text, "engine prefill:pe=12,lanes=4");
	ck_assert(t.engine == MEAS_PREFILL && t.d.pre_pe == 12 && t.d.pre_lanes == 4 && !t.has_clock);
	ck_assert(target_engine(&c, "decode:lanes=16,clock=200", &t, err, sizeof err) == 0);
	ck_assert_str_eq(t.text, "engine decode:lanes=16,dataflow=kv_overlap,clock=200"); /* the space's dataflow */
	ck_assert(target_engine(&c, "tlmm:tables=28,lanes=8", &t, err, sizeof err) == 0);
	ck_assert_str_eq(t.text, "engine tlmm:tables=28,lanes=8");
	static const struct {
		const char *spec, *says;
	} bad[] = {
		{"attention:pe=1", "must be tlmm, prefill or decode"},
		{"prefill", "sizes are missing"},
		{"prefill:pe=8", "'lanes' is missing"},
		{"prefill:pe=8,lanes=4,pe=9", "given twice"},
		{"prefill:pe=8,lanes=97", "[1, 96]"},
		{"prefill:pe=08,lanes=4", "must be an integer"},
		{"decode:lanes=8,dataflow=fast", "dataflow must be"},
		{"tlmm:tables=28,lanes=8,block=4", "unknown key 'block'"},
		{"prefill:pe=8,lanes=4,clock=301", "[1, 300]"},
		{"prefill:pe", "not key=value"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(target_engine(&c, bad[i].spec, &t, err, sizeof err) == PDS_FAIL_REQUEST, "%s", bad[i].spec);
		ck_assert_msg(strstr(err, bad[i].says), "%s: '%s' lacks '%s'", bad[i].spec, err, bad[i].says);
	}
	cfg_release(&c);
}
END_TEST

/* What each fixture measures of the PD-Swap design. */
START_TEST(scopes_of_a_design)
{
	cfg_t c;
	tu_load_default(&c);
	target_t t;
	design_target(&c, "pdswap", &t);
	static const struct {
		const char *file;
		cfg_meas_scope scope;
		double lut, bram36, avail_lut;
		int bound;
	} cases[] = {
		{MD "prefill_pe12.xml", MEAS_PREFILL, 29000, 120 / 2.0, 117120, 2048},
		{MD "decode_l16.xml", MEAS_DECODE, 9500, 30 / 2.0, 117120, 2048},
		{MD "tlmm_28x8.xml", MEAS_TLMM, 44000, 12 / 2.0, 117120, -1},
		{MD "util_rp_m_over.rpt", MEAS_PBLOCK, 30000, 57.5, 33600, 0},
		{"tests/data/import/util_6col_zuplus.rpt", MEAS_DESIGN, 81234, 137.5, 117120, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		hwreport r;
		cfg_import m;
		char err[1024];
		load(cases[i].file, &r);
		ck_assert_msg(target_measure(&c, &t, &r, false, &m, err, sizeof err) == 0, "%s", err);
		ck_assert_int_eq(m.scope, cases[i].scope);
		ck_assert_double_eq(m.res.v[RES_LUT], cases[i].lut);
		ck_assert_double_eq(m.res.v[RES_BRAM], cases[i].bram36);
		ck_assert_double_eq(m.avail.v[RES_LUT], cases[i].avail_lut);
		ck_assert_int_eq(m.d.pre_pe, c.designs[cfg_find_design(&c, "pdswap")].d.pre_pe);
		if (cases[i].bound >= 0)
			ck_assert_int_eq(m.loop_bound, cases[i].bound);
		else
			ck_assert_int_gt(m.loop_bound, 0); /* the token tile */
		ck_assert_str_eq(m.target, "design pdswap");
		ck_assert_str_eq(m.sha256, r.sha256);
		hwreport_release(&r);
	}
	cfg_release(&c);
}
END_TEST

START_TEST(refusals_at_their_lines)
{
	cfg_t c;
	tu_load_default(&c);
	target_t pd, tl, eng, eng_clock;
	design_target(&c, "pdswap", &pd);
	design_target(&c, "tellme", &tl);
	char err[1024];
	ck_assert(target_engine(&c, "prefill:pe=8,lanes=4", &eng, err, sizeof err) == 0);
	ck_assert(target_engine(&c, "prefill:pe=8,lanes=4,clock=200", &eng_clock, err, sizeof err) == 0);
	static const struct {
		const char *file;
		int target; /* 0 pdswap, 1 tellme, 2 engine, 3 engine at 200 MHz */
		const char *marker, *says;
	} cases[] = {
		{MD "other_part.xml", 0, "<Part>", "is for part 'xczu7ev-ffvc1156-2-e', not the config's device part"},
		{MD "other_part.xml", 2, "<Part>", "--any-part imports it anyway"},
		{MD "other_top.xml", 0, "<TopModelName>", "top 'my_kernel' is none of the kernels of design pdswap"},
		{MD "other_clock.xml", 0, "<TargetClockPeriod>", "TargetClockPeriod 5 ns is not the 4.000 ns of design pdswap's 250 MHz"},
		{MD "prefill_pe8.xml", 3, "<TargetClockPeriod>", "is not the 5.000 ns"},
		{MD "util_rp_m_over.rpt", 1, NULL, "but design tellme is static"},
		{MD "util_rp_m_over.rpt", 2, NULL, "give it as clock=MHZ"},
	};
	const target_t *ts[] = {&pd, &tl, &eng, &eng_clock};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		hwreport r;
		cfg_import m;
		load(cases[i].file, &r);
		ck_assert_int_eq(target_measure(&c, ts[cases[i].target], &r, false, &m, err, sizeof err), PDS_FAIL_REQUEST);
		char pos[600];
		snprintf(pos, sizeof pos, "%s:%d: ", cases[i].file, cases[i].marker ? line_of(cases[i].file, cases[i].marker) : 1);
		ck_assert_msg(strncmp(err, pos, strlen(pos)) == 0, "case %zu: '%s' is not at %s", i, err, pos);
		ck_assert_msg(strstr(err, cases[i].says), "case %zu: '%s' lacks '%s'", i, err, cases[i].says);
		hwreport_release(&r);
	}
	/* --any-part takes the other part */
	hwreport r;
	cfg_import m;
	load(MD "other_part.xml", &r);
	ck_assert(target_measure(&c, &eng, &r, true, &m, err, sizeof err) == 0);
	ck_assert_int_eq(m.d.clock_mhz, 250); /* from its 4.00 ns */
	hwreport_release(&r);
	cfg_release(&c);
}
END_TEST

/* Store one report with the CLI's row (the fill is the command's; here the
 * same columns are set from the record). */
static int64_t put(store *s, const cfg_t *c, const target_t *t, const char *file, bool *existed)
{
	hwreport r;
	cfg_import m;
	char err[1024], part[128], model[512];
	load(file, &r);
	ck_assert_msg(target_measure(c, t, &r, false, &m, err, sizeof err) == 0, "%s", err);
	measured_part_key(c, part, sizeof part);
	measured_model_key(c, model, sizeof model);
	char *json = hwreport_json_line(&r);
	measured_row row = {
		.file = r.file, .sha256 = r.sha256, .kind = hwreport_kind_name(r.kind), .tool_version = r.tool_version,
		.part = r.part, .top = r.top, .design_state = r.design_state, .config_path = c->path,
		.config_sha256 = c->sha256, .device_part = part, .model_key = model,
		.target = target_kind_names[t->kind], .target_text = t->text,
		.design_name = t->kind == TARGET_ENGINE ? NULL : t->design_name, .run_id = -1, .point_id = -1,
		.scope = cfg_meas_scope_names[m.scope], .mode = m.scope >= MEAS_DESIGN ? mode_names[m.d.mode] : NULL,
		.clock_mhz = m.d.clock_mhz, .pre_pe = m.d.pre_pe, .pre_lanes = m.d.pre_lanes, .dec_lanes = m.d.dec_lanes,
		.dec_dataflow = dataflow_names[m.d.dec_dataflow], .tlmm_tables = m.d.tlmm_tables,
		.tlmm_lanes = m.d.tlmm_lanes, .loop_bound = m.loop_bound,
		.pblock = m.scope >= MEAS_DESIGN && m.d.mode == MODE_DPR ? c->arch.pblocks[m.d.rp].name : NULL,
		.pm_prefill = c->arch.port_maps[m.d.pm_pre].name, .pm_decode = c->arch.port_maps[m.d.pm_dec].name,
		.target_clock_ns = m.target_clock_ns, .estimated_clock_ns = m.est_clock_ns,
		.latency = {NAN, NAN, m.latency_worst}, .interval = {NAN, NAN}, .report_json = json};
	const hwreport_res *res = m.scope == MEAS_PBLOCK ? &r.pblocks[0].parent : &r.res;
	static const int col[MEASURED_NRES] = {HWR_LUT, HWR_FF, HWR_BRAM18, HWR_BRAM36, HWR_DSP, HWR_URAM};
	for (int k = 0; k < MEASURED_NRES; k++) {
		row.res[k] = res->r[col[k]].set ? res->r[col[k]].v : NAN;
		row.avail[k] = r.avail.r[col[k]].set ? r.avail.r[col[k]].v : NAN;
	}
	int64_t id;
	ck_assert_msg(measured_put(s, &row, &id, existed) == 0, "%s", store_errmsg(s));
	free(json);
	hwreport_release(&r);
	return id;
}

START_TEST(round_trip)
{
	cfg_t c;
	tu_load_default(&c);
	char dir[] = "/tmp/pds_meas_XXXXXX", db[128], err[1024];
	ck_assert(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/r.db", dir);
	store *s;
	ck_assert_msg(store_open(&s, db, err, sizeof err) == 0, "%s", err);
	target_t pd, e12, e16;
	design_target(&c, "pdswap", &pd);
	ck_assert(target_engine(&c, "prefill:pe=12,lanes=4", &e12, err, sizeof err) == 0);
	ck_assert(target_engine(&c, "prefill:pe=16,lanes=4", &e16, err, sizeof err) == 0);
	bool ex;
	ck_assert(store_begin(s) == 0);
	int64_t a = put(s, &c, &e12, MD "prefill_pe12.xml", &ex);
	ck_assert(!ex);
	int64_t b = put(s, &c, &e16, MD "prefill_pe16_slow.xml", &ex);
	int64_t p = put(s, &c, &pd, MD "util_rp_m_over.rpt", &ex);
	int64_t again = put(s, &c, &e12, MD "prefill_pe12.xml", &ex);
	ck_assert(ex && again == a);
	/* the same file as a measurement of another target is another row */
	int64_t other = put(s, &c, &pd, MD "prefill_pe12.xml", &ex);
	ck_assert(!ex && other != a);
	ck_assert(store_commit(s) == 0);
	store_close(s);

	sqlite3 *h;
	ck_assert(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	/* the stored record is the --json line; v_measured holds its figures */
	sqlite3_stmt *st;
	ck_assert(sqlite3_prepare_v2(h,
				     "SELECT m.file, r.report_json, m.lut, m.bram18, m.bram36, m.bram36_equiv, m.timing_met,"
				     " m.over_available, m.tool_version, m.scope, m.sha256 FROM v_measured m JOIN measurements r"
				     " USING(measurement_id) WHERE measurement_id IN (?, ?, ?) ORDER BY measurement_id",
				     -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	sqlite3_bind_int64(st, 3, p);
	int rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *file = (const char *)sqlite3_column_text(st, 0);
		hwreport r, back;
		load(file, &r);
		char *line = hwreport_json_line(&r);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), line);
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		hwreport_init(&back);
		ck_assert(hwreport_from_json(o, &back, err, sizeof err) == 0);
		ck_assert(hwreport_equal(&r, &back));
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 8), r.tool_version);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 10), r.sha256);
		json_t *res = json_object_get(o, "resources");
		if (rows < 2) { /* csynth: BRAM_18K as given, the 36 Kb equivalent its half */
			ck_assert_double_eq(sqlite3_column_double(st, 2), json_number_value(json_object_get(res, "lut")));
			ck_assert_double_eq(sqlite3_column_double(st, 3), json_number_value(json_object_get(res, "bram18")));
			ck_assert_int_eq(sqlite3_column_type(st, 4), SQLITE_NULL);
			ck_assert_double_eq(sqlite3_column_double(st, 5), sqlite3_column_double(st, 3) / 2);
			/* 3.705 ns meets 4 ns; 4.417 does not */
			ck_assert_int_eq(sqlite3_column_int(st, 6), rows == 0 ? 1 : 0);
			ck_assert_int_eq(sqlite3_column_int(st, 7), 0);
		} else { /* the partition: its Parent column, over the area's 288 DSPs */
			json_t *pb = json_array_get(json_object_get(o, "pblocks"), 0);
			ck_assert_double_eq(sqlite3_column_double(st, 2), json_number_value(json_object_get(pb, "lut")));
			ck_assert_double_eq(sqlite3_column_double(st, 4), 57.5);
			ck_assert_int_eq(sqlite3_column_type(st, 6), SQLITE_NULL);
			ck_assert_int_eq(sqlite3_column_int(st, 7), 1);
			ck_assert_str_eq((const char *)sqlite3_column_text(st, 9), "pblock");
		}
		json_decref(o);
		free(line);
		hwreport_release(&r);
		hwreport_release(&back);
		rows++;
	}
	ck_assert_int_eq(rows, 3);
	sqlite3_finalize(st);

	/* back into a config: the rows that apply, in id order, as they were measured */
	cfg_t d;
	tu_load_default(&d);
	int passed;
	ck_assert_msg(measured_load(h, db, &d, &passed, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(d.n_imports, 4);
	ck_assert_int_eq(passed, 0);
	ck_assert_int_eq(d.imports[0].id, a);
	ck_assert(d.imports[0].scope == MEAS_PREFILL && d.imports[0].d.pre_pe == 12 && d.imports[0].d.clock_mhz == 250);
	ck_assert_double_eq(d.imports[0].res.v[RES_LUT], 29000);
	ck_assert_double_eq(d.imports[0].res.v[RES_BRAM], 60);
	ck_assert_double_eq(d.imports[0].bram18, 120);
	ck_assert_double_eq(d.imports[0].latency_worst, 400000000);
	ck_assert_int_eq(d.imports[0].loop_bound, 2048);
	ck_assert(d.imports[0].csynth);
	ck_assert(d.imports[2].scope == MEAS_PBLOCK && d.imports[2].d.rp == cfg_find_pblock(&d, "rp_m"));
	ck_assert_double_eq(d.imports[2].avail.v[RES_DSP], 288);
	ck_assert_double_eq(d.imports[2].res.v[RES_DSP], 300);
	cfg_release(&d);
	/* another model does not take them: a config whose model differs */
	const char *const pairs[] = {"  max_context: 2048", "  max_context: 4096"};
	tu_load_edited(&d, "other.yaml", pairs, 1);
	ck_assert(measured_load(h, db, &d, &passed, err, sizeof err) == 0);
	ck_assert_int_eq(d.n_imports, 0);
	cfg_release(&d);
	/* a config without pblock rp_m passes the partition's row over */
	const char *const pairs2[] = {"    - name: rp_m\n", "    - name: rp_q\n", "    rp: rp_m", "    rp: rp_q",
				      "    rp: rp_m", "    rp: rp_q", "    rp: rp_m", "    rp: rp_q",
				      "  pblocks: [rp_s, rp_m, rp_l]", "  pblocks: [rp_s, rp_q, rp_l]"};
	tu_load_edited(&d, "renamed.yaml", pairs2, 5);
	ck_assert(measured_load(h, db, &d, &passed, err, sizeof err) == 0);
	ck_assert_int_eq(d.n_imports, 3);
	ck_assert_int_eq(passed, 1);
	cfg_release(&d);
	sqlite3_close(h);
	char rm[200];
	snprintf(rm, sizeof rm, "rm -rf %s", dir);
	ck_assert(system(rm) == 0);
	cfg_release(&c);
}
END_TEST

Suite *measured_suite(void)
{
	Suite *s = suite_create("measured");
	TCase *t = tcase_create("measured");
	tcase_add_test(t, engine_specs);
	tcase_add_test(t, scopes_of_a_design);
	tcase_add_test(t, refusals_at_their_lines);
	tcase_add_test(t, round_trip);
	suite_add_tcase(s, t);
	return s;
}
