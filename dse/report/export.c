/*
 * export.c - one stored run as CSV or JSON (see export.h).
 *
 * The query is a SELECT * over the view, so columns a later schema adds to
 * a view are exported without a change here.  The resources (lut, ff,
 * bram36, uram, dsp) are given as synthesis counts them, whole cells and
 * BRAM36 in halves (res_shown); the view keeps the model's exact values,
 * and the utilisations are of those.  CSV is written to a memory
 * stream and JSON is built as a jansson tree; either is written to the
 * output only once it is complete.
 */
#include "report/export.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "models/common.h"

int export_parse_format(const char *s, export_format *f)
{
	if (strcmp(s, "csv") == 0)
		*f = EXPORT_CSV;
	else if (strcmp(s, "json") == 0)
		*f = EXPORT_JSON;
	else
		return -1;
	return 0;
}

int export_parse_what(const char *s, export_what *w)
{
	if (strcmp(s, "points") == 0)
		*w = EXPORT_POINTS;
	else if (strcmp(s, "metrics") == 0)
		*w = EXPORT_METRICS;
	else if (strcmp(s, "pareto") == 0)
		*w = EXPORT_PARETO;
	else
		return -1;
	return 0;
}

static const char *const what_names[] = {"points", "metrics", "pareto"};

static const char *query(export_what w)
{
	switch (w) {
	case EXPORT_METRICS:
		return "SELECT * FROM v_metrics WHERE run_id = ?1 ORDER BY point_id, source, prompt";
	case EXPORT_PARETO:
		return "SELECT p.* FROM v_points p JOIN v_pareto f ON f.run_id = p.run_id"
		       " AND f.point_id = p.point_id WHERE p.run_id = ?1 ORDER BY p.point_id";
	case EXPORT_POINTS:
	default:
		return "SELECT * FROM v_points WHERE run_id = ?1 ORDER BY point_id";
	}
}

/* The shortest of %.15g..%.17g that reads back to exactly v. */
static void fmt_real(char *buf, size_t n, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* The resource type a column of the views holds, or -1. */
static int res_column(sqlite3_stmt *st, int i)
{
	const char *name = sqlite3_column_name(st, i);
	for (int t = 0; name && t < RES_N; t++)
		if (strcmp(name, res_names[t]) == 0)
			return t;
	return -1;
}

static void csv_value(FILE *f, sqlite3_stmt *st, int i)
{
	char buf[40];
	int rt = sqlite3_column_type(st, i) == SQLITE_FLOAT ? res_column(st, i) : -1;
	if (rt >= 0) {
		fmt_real(buf, sizeof buf, res_shown(rt, sqlite3_column_double(st, i)));
		fputs(buf, f);
		return;
	}
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		break;
	case SQLITE_INTEGER:
		fprintf(f, "%lld", (long long)sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		fmt_real(buf, sizeof buf, sqlite3_column_double(st, i));
		fputs(buf, f);
		break;
	default:
		csv_field(f, (const char *)sqlite3_column_text(st, i));
		break;
	}
}

static json_t *json_value(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer((json_int_t)sqlite3_column_int64(st, i));
	case SQLITE_FLOAT: {
		double v = sqlite3_column_double(st, i);
		int rt = res_column(st, i);
		if (rt >= 0 && isfinite(v)) {
			v = res_shown(rt, v);
			return v == floor(v) ? json_integer((json_int_t)v) : json_real(v);
		}
		return isfinite(v) ? json_real(v) : json_null();
	}
	default:
		return json_string((const char *)sqlite3_column_text(st, i));
	}
}

static json_t *run_json(const rdb_run *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "run_id", json_integer((json_int_t)r->run_id));
	json_object_set_new(o, "config_path", json_string(r->config_path));
	json_object_set_new(o, "config_sha256", json_string(r->config_sha256));
	json_object_set_new(o, "tool_version", json_string(r->tool_version));
	json_object_set_new(o, "kind", json_string(r->kind));
	json_object_set_new(o, "status", json_string(r->status));
	json_object_set_new(o, "started_at", json_string(r->started_at));
	json_object_set_new(o, "finished_at", r->finished_at[0] ? json_string(r->finished_at) : json_null());
	return o;
}

int export_run(sqlite3 *db, const char *path, const rdb_run *run, export_what what, export_format fmt,
	       FILE *out, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, query(what), -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot read %s: %s", path, what_names[what], sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, run->run_id);
	int ncol = sqlite3_column_count(st);
	int rc, ret = -1;

	char *text = NULL;
	size_t len = 0;
	FILE *mem = NULL;
	json_t *root = NULL, *rows = NULL, *cols = NULL;
	if (fmt == EXPORT_CSV) {
		mem = open_memstream(&text, &len);
		if (!mem) {
			snprintf(err, errlen, "out of memory exporting run %lld", (long long)run->run_id);
			goto out;
		}
		for (int i = 0; i < ncol; i++) {
			if (i)
				fputc(',', mem);
			csv_field(mem, sqlite3_column_name(st, i));
		}
		fputc('\n', mem);
	} else {
		root = json_object();
		rows = json_array();
		cols = json_array();
		for (int i = 0; i < ncol; i++)
			json_array_append_new(cols, json_string(sqlite3_column_name(st, i)));
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (mem) {
			for (int i = 0; i < ncol; i++) {
				if (i)
					fputc(',', mem);
				csv_value(mem, st, i);
			}
			fputc('\n', mem);
		} else {
			json_t *row = json_object();
			for (int i = 0; i < ncol; i++)
				json_object_set_new(row, sqlite3_column_name(st, i), json_value(st, i));
			json_array_append_new(rows, row);
		}
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: cannot read %s of run %lld: %s", path, what_names[what],
			 (long long)run->run_id, sqlite3_errmsg(db));
		goto out;
	}
	if (mem) {
		if (fclose(mem)) {
			mem = NULL;
			snprintf(err, errlen, "out of memory exporting run %lld", (long long)run->run_id);
			goto out;
		}
		mem = NULL;
		if (fwrite(text, 1, len, out) != len || fflush(out)) {
			snprintf(err, errlen, "cannot write the export: output error");
			goto out;
		}
	} else {
		json_object_set_new(root, "run", run_json(run));
		json_object_set_new(root, "what", json_string(what_names[what]));
		json_object_set(root, "columns", cols);
		json_object_set(root, "rows", rows);
		text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		if (!text) {
			snprintf(err, errlen, "out of memory exporting run %lld", (long long)run->run_id);
			goto out;
		}
		len = strlen(text);
		if (fwrite(text, 1, len, out) != len || fputc('\n', out) == EOF || fflush(out)) {
			snprintf(err, errlen, "cannot write the export: output error");
			goto out;
		}
	}
	ret = 0;
out:
	if (mem)
		fclose(mem);
	free(text);
	json_decref(root);
	json_decref(rows);
	json_decref(cols);
	sqlite3_finalize(st);
	return ret;
}
