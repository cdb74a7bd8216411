/*
 * cmd_import.c - `pdswap-dse import`: Vitis HLS csynth XML and Vivado
 * report_utilization reports, in two forms.
 *
 *   import FILE... --json
 *       print what each report says, one compact JSON object per line, in
 *       the order of the files (the keys are in import/hwreport.h and
 *       README.md); no config and no database.
 *   import CONFIG FILE... (--design NAME | --point ID | --engine SPEC)
 *          [--run RUN] [--db FILE] [--any-part]
 *       store each report as a measurement of that design point or engine
 *       (import/target.h says what each report measures) in the database,
 *       with the file's SHA-256 and tool version (store/measured.h,
 *       v_measured), and print one line per report.
 *
 * All or nothing: every file is read, and in the second form checked
 * against the config, before anything is printed or stored; when any
 * file cannot be read or is refused, each bad file's "FILE:LINE: message"
 * goes to standard error, nothing is printed or stored (the database is
 * not opened), and the exit code is 2.  A report already stored as a
 * measurement of the same target is not stored twice.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/opt.h"
#include "cli/pick.h"
#include "config/config.h"
#include "import/hwreport.h"
#include "import/import.h"
#include "import/target.h"
#include "store/measured.h"
#include "store/store.h"

#define MAX_FILES 8192

static struct {
	bool json, any_part, have_db, have_run;
	const char *design, *engine, *db;
	int point, run;
	const char *files[MAX_FILES];
	int n_files;
} A = {.db = "results/results.db", .point = -1, .run = -1};

static const opt_def import_opts[] = {
	{.name = "--json", .type = OPT_FLAG, .out = &A.json,
	 .help = "print one line of JSON per FILE (the form without CONFIG)"},
	{.name = "--design", .type = OPT_STRING, .value = "NAME", .out = &A.design,
	 .help = "the reports measure design NAME of CONFIG (or best: the point\n"
		 "the latest complete sweep of CONFIG chose)"},
	{.name = "--point", .type = OPT_INT, .value = "ID", .out = &A.point, .lo = 0, .hi = 2147483647.0,
	 .help = "the reports measure point ID of a run stored in FILE"},
	{.name = "--run", .type = OPT_INT, .value = "RUN", .out = &A.run, .lo = 1, .hi = 2147483647.0,
	 .given = &A.have_run, .help = "the run of --point (default: the latest complete run of CONFIG)"},
	{.name = "--engine", .type = OPT_STRING, .value = "SPEC", .out = &A.engine,
	 .help = "the reports measure one engine: tlmm:tables=T,lanes=Q,\n"
		 "prefill:pe=N,lanes=L[,block=B] or decode:lanes=L[,dataflow=DF],\n"
		 "each with [,clock=MHZ] (default: a csynth report's clock)"},
	{.name = "--db", .type = OPT_STRING, .value = "FILE", .out = &A.db, .given = &A.have_db,
	 .help = "results database the measurements go into (default\n"
		 "results/results.db)"},
	{.name = "--any-part", .type = OPT_FLAG, .out = &A.any_part,
	 .help = "store reports of another part than the config's device"},
};

const opt_cmd cmd_import_opts = {
	.name = "import",
	.args = "[CONFIG] FILE...",
	.about = "Reads Vitis HLS csynth XML reports (<top>_csynth.xml, csynth.xml; 2019.2 to 2024.2)\n"
		 "and Vivado report_utilization text reports (also -pblocks and -hierarchical).\n"
		 "Without CONFIG (--json): prints, for each FILE in order, one line of JSON: file,\n"
		 "kind (csynth|utilization), sha256, tool_version, part, top, design_state,\n"
		 "target_clock_ns, estimated_clock_ns, latency_cycles {best, average, worst},\n"
		 "interval_cycles {min, max}, resources and available {lut, ff, bram18, bram36, dsp,\n"
		 "uram}, modules, pblocks, instances.  A figure the report does not give is null.\n"
		 "With CONFIG and --design, --point or --engine: stores each FILE as a measurement of\n"
		 "that design or engine (of the kernel a csynth report's top names, of the partition\n"
		 "for a -pblocks report, of the whole design otherwise) with its SHA-256 and tool\n"
		 "version in FILE's measurements (the view v_measured); a report of another part is\n"
		 "refused unless --any-part.  A FILE that cannot be read or is refused gives\n"
		 "FILE:LINE: message on stderr; then nothing is printed or stored and the exit code\n"
		 "is 2.  At most 8192 files at once.",
	.opts = import_opts,
	.n_opts = (int)(sizeof import_opts / sizeof import_opts[0]),
	.min_pos = 1,
	.max_pos = MAX_FILES,
	.pos = A.files,
	.n_pos = &A.n_files,
};

/* The first form: print the reports. */
static int print_reports(const char **files, int n_files)
{
	int rc = EXIT_OK;
	char **lines = calloc((size_t)n_files, sizeof *lines);
	if (!lines) {
		cli_err("out of memory");
		return EXIT_RUNTIME;
	}
	for (int i = 0; i < n_files; i++) {
		char err[2048];
		hwreport r;
		hwreport_init(&r);
		if (import_file(files[i], &r, err, sizeof err)) {
			fprintf(stderr, "%s\n", err);
			rc = EXIT_USAGE;
		} else if (rc == EXIT_OK && !(lines[i] = hwreport_json_line(&r))) {
			cli_err("out of memory");
			rc = EXIT_RUNTIME;
		}
		hwreport_release(&r);
	}
	if (rc == EXIT_OK) {
		for (int i = 0; i < n_files; i++)
			if (fputs(lines[i], stdout) == EOF || fputc('\n', stdout) == EOF)
				rc = EXIT_RUNTIME;
		if (fflush(stdout))
			rc = EXIT_RUNTIME;
		if (rc != EXIT_OK)
			cli_err("import: cannot write the output");
	}
	for (int i = 0; i < n_files; i++)
		free(lines[i]);
	free(lines);
	return rc;
}

/* One report read and measured, waiting to be stored. */
typedef struct {
	hwreport r;
	cfg_import m;
	char *json;
} pending;

static void fill_row(const cfg_t *c, const target_t *t, const pending *p, const char *part_key, const char *model_key,
		     measured_row *row)
{
	const hwreport *r = &p->r;
	const cfg_import *m = &p->m;
	const design_t *d = &m->d;
	memset(row, 0, sizeof *row);
	row->file = r->file;
	row->sha256 = r->sha256;
	row->kind = hwreport_kind_name(r->kind);
	row->tool_version = r->tool_version;
	row->part = r->part;
	row->top = r->top;
	row->design_state = r->design_state;
	row->config_path = c->path;
	row->config_sha256 = c->sha256;
	row->device_part = part_key;
	row->model_key = model_key;
	row->target = target_kind_names[t->kind];
	row->target_text = t->text;
	row->design_name = t->kind == TARGET_ENGINE || !t->design_name[0] ? NULL : t->design_name;
	row->run_id = t->run_id;
	row->point_id = t->point_id;
	row->scope = cfg_meas_scope_names[m->scope];
	bool whole = m->scope == MEAS_DESIGN || m->scope == MEAS_PBLOCK;
	row->mode = whole ? mode_names[d->mode] : NULL;
	row->clock_mhz = d->clock_mhz;
	if (whole || m->scope == MEAS_TLMM) {
		row->tlmm_tables = d->tlmm_tables;
		row->tlmm_lanes = d->tlmm_lanes;
	}
	if (whole || m->scope == MEAS_PREFILL) {
		row->pre_pe = d->pre_pe;
		row->pre_lanes = d->pre_lanes;
		row->pre_block = d->pre_block;
	}
	if (whole || m->scope == MEAS_DECODE) {
		row->dec_lanes = d->dec_lanes;
		row->dec_dataflow = dataflow_names[d->dec_dataflow];
	}
	if (whole) {
		row->pblock = d->mode == MODE_DPR ? c->arch.pblocks[d->rp].name : NULL;
		row->pm_prefill = c->arch.port_maps[d->pm_pre].name;
		row->pm_decode = c->arch.port_maps[d->pm_dec].name;
	}
	row->loop_bound = m->loop_bound;
	row->target_clock_ns = m->target_clock_ns;
	row->estimated_clock_ns = m->est_clock_ns;
	const hwreport_latency *l = &r->latency;
	row->latency[0] = l->best.set ? l->best.v : NAN;
	row->latency[1] = l->average.set ? l->average.v : NAN;
	row->latency[2] = l->worst.set ? l->worst.v : NAN;
	row->interval[0] = r->interval.min.set ? r->interval.min.v : NAN;
	row->interval[1] = r->interval.max.set ? r->interval.max.v : NAN;
	/* the figures of what the scope measured: the pblock's Parent column for a partition */
	const hwreport_res *res = m->scope == MEAS_PBLOCK ? &r->pblocks[0].parent : &r->res;
	static const int col[MEASURED_NRES] = {HWR_LUT, HWR_FF, HWR_BRAM18, HWR_BRAM36, HWR_DSP, HWR_URAM};
	for (int k = 0; k < MEASURED_NRES; k++) {
		row->res[k] = res->r[col[k]].set ? res->r[col[k]].v : NAN;
		row->avail[k] = r->avail.r[col[k]].set ? r->avail.r[col[k]].v : NAN;
	}
	row->report_json = p->json;
}

/* One line per stored report. */
static void say(const pending *p, int64_t id, bool existed)
{
	const cfg_import *m = &p->m;
	const design_t *d = &m->d;
	char what[200];
	switch (m->scope) {
	case MEAS_TLMM: snprintf(what, sizeof what, "tlmm %d x %d", d->tlmm_tables, d->tlmm_lanes); break;
	case MEAS_PREFILL: snprintf(what, sizeof what, "prefill %d PE x %d lanes", d->pre_pe, d->pre_lanes); break;
	case MEAS_DECODE:
		snprintf(what, sizeof what, "decode %d lanes %s", d->dec_lanes, dataflow_names[d->dec_dataflow]);
		break;
	case MEAS_DESIGN: snprintf(what, sizeof what, "the whole design"); break;
	default: snprintf(what, sizeof what, "the partition"); break;
	}
	printf("%s: %s measurement %lld: %s at %d MHz of %s (%s %s)\n", p->r.file, existed ? "already stored as" : "stored as",
	       (long long)id, what, d->clock_mhz, p->m.target, hwreport_kind_name(p->r.kind),
	       p->r.tool_version ? p->r.tool_version : "");
}

/* The second form: store the reports as measurements of the target. */
static int store_reports(const char *path, const char **files, int n_files)
{
	cfg_t c;
	char err[4096];
	if (config_load(&c, path, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	int rc = EXIT_OK;
	pending *p = calloc((size_t)n_files, sizeof *p);
	store *s = NULL;
	if (!p) {
		cli_err("out of memory");
		rc = EXIT_RUNTIME;
		goto out;
	}
	target_t t;
	if (A.engine) {
		int trc = target_engine(&c, A.engine, &t, err, sizeof err);
		if (trc) {
			cli_err("%s", err);
			rc = cli_exit_code(trc);
			goto out;
		}
	} else {
		pick_result pk;
		if ((rc = pick_design(&c, A.design, A.point, A.run, A.db, &pk)))
			goto out;
		target_design(&t, &pk.d, pk.name, pk.run_id, pk.point_id);
	}
	for (int i = 0; i < n_files; i++) {
		hwreport_init(&p[i].r);
		if (import_file(files[i], &p[i].r, err, sizeof err) ||
		    target_measure(&c, &t, &p[i].r, A.any_part, &p[i].m, err, sizeof err)) {
			fprintf(stderr, "%s\n", err);
			rc = EXIT_USAGE;
		} else if (!(p[i].json = hwreport_json_line(&p[i].r))) {
			cli_err("out of memory");
			rc = EXIT_RUNTIME;
		}
	}
	if (rc)
		goto out;
	if (store_open(&s, A.db, err, sizeof err)) {
		cli_err("%s", err);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (store_migrated_from(s))
		cli_err("%s: migrated from schema version %d to %d", A.db, store_migrated_from(s), STORE_SCHEMA_VERSION);
	char part_key[128], model_key[512];
	measured_part_key(&c, part_key, sizeof part_key);
	measured_model_key(&c, model_key, sizeof model_key);
	int64_t *ids = calloc((size_t)n_files, sizeof *ids);
	bool *existed = calloc((size_t)n_files, sizeof *existed);
	if (!ids || !existed) {
		free(ids);
		free(existed);
		cli_err("out of memory");
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (store_begin(s))
		rc = EXIT_RUNTIME;
	for (int i = 0; i < n_files && !rc; i++) {
		measured_row row;
		fill_row(&c, &t, &p[i], part_key, model_key, &row);
		if (measured_put(s, &row, &ids[i], &existed[i]))
			rc = EXIT_RUNTIME;
	}
	if (!rc && store_commit(s))
		rc = EXIT_RUNTIME;
	if (rc) {
		cli_err("%s", store_errmsg(s));
		store_rollback(s);
	} else {
		for (int i = 0; i < n_files; i++)
			say(&p[i], ids[i], existed[i]);
		if (fflush(stdout))
			rc = EXIT_RUNTIME;
	}
	free(ids);
	free(existed);
out:
	if (s)
		store_close(s);
	if (p)
		for (int i = 0; i < n_files; i++) {
			hwreport_release(&p[i].r);
			free(p[i].json);
		}
	free(p);
	cfg_release(&c);
	return rc;
}

int cmd_import(int argc, char **argv)
{
	int prc = opt_parse(&cmd_import_opts, argc, argv);
	if (prc)
		return prc > 0 ? EXIT_OK : EXIT_USAGE;
	int targets = (A.design != NULL) + (A.point >= 0) + (A.engine != NULL);
	if (targets > 1) {
		cli_err("import: give one of --design, --point and --engine");
		return EXIT_USAGE;
	}
	if (targets == 0) {
		if (!A.json) {
			cli_err("import: give --json to print the reports, or CONFIG and --design, --point or --engine to "
				"store them");
			return EXIT_USAGE;
		}
		if (A.have_db || A.have_run || A.any_part) {
			cli_err("import: --%s is for storing reports (CONFIG and --design, --point or --engine)",
				A.have_db ? "db" : A.have_run ? "run" : "any-part");
			return EXIT_USAGE;
		}
		return print_reports(A.files, A.n_files);
	}
	if (A.json) {
		cli_err("import: --json prints reports without storing them; with --design, --point or --engine they are "
			"stored");
		return EXIT_USAGE;
	}
	if (A.have_run && A.point < 0 && !(A.design && strcmp(A.design, "best") == 0)) {
		cli_err("import: --run selects the run of --point or of --design best");
		return EXIT_USAGE;
	}
	if (A.n_files < 2) {
		cli_err("import: give CONFIG and at least one report FILE");
		return EXIT_USAGE;
	}
	return store_reports(A.files[0], A.files + 1, A.n_files - 1);
}
