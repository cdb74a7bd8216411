/*
 * testutil.h - helpers for the Check suites: load the default config once
 * per test, load a config with values set by their dotted path (or, for
 * edits of structure, with text replaced), temporary paths.
 */
#ifndef PDS_TESTUTIL_H
#define PDS_TESTUTIL_H

#include <check.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/ytree.h"
#include "models/cfg.h"

#define KV260 "configs/kv260.yaml"

/* Load configs/kv260.yaml or fail the test. */
static inline void tu_load_default(cfg_t *c)
{
	char err[1024];
	int rc = config_load(c, KV260, err, sizeof err);
	ck_assert_msg(rc == 0, "loading %s: %s", KV260, err);
}

/* Read a whole file into a malloc'd NUL-terminated buffer. */
static inline char *tu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	ck_assert(b != NULL);
	ck_assert(fread(b, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	b[n] = '\0';
	if (len)
		*len = (size_t)n;
	return b;
}

/*
 * The default config with the first occurrence of `from` replaced by `to`
 * (the test fails if `from` is absent).  Returns a malloc'd buffer.
 */
static inline char *tu_edit(const char *from, const char *to)
{
	char *b = tu_read(KV260, NULL);
	char *at = strstr(b, from);
	ck_assert_msg(at != NULL, "'%s' not found in %s", from, KV260);
	size_t n = strlen(b), fl = strlen(from), tl = strlen(to);
	char *o = malloc(n - fl + tl + 1);
	ck_assert(o != NULL);
	memcpy(o, b, (size_t)(at - b));
	memcpy(o + (at - b), to, tl);
	memcpy(o + (at - b) + tl, at + fl, n - (size_t)(at - b) - fl + 1);
	free(b);
	return o;
}

/*
 * The default config's text with several edits applied in turn:
 * pairs[2i] is replaced by pairs[2i+1] (first occurrence each).  Returns
 * a malloc'd buffer; the test fails if an edit does not apply.
 */
static inline char *tu_edited_text(const char *const *pairs, int n_pairs)
{
	char *b = tu_read(KV260, NULL);
	for (int i = 0; i < n_pairs; i++) {
		const char *from = pairs[2 * i], *to = pairs[2 * i + 1];
		char *at = strstr(b, from);
		ck_assert_msg(at != NULL, "'%s' not found in %s", from, KV260);
		size_t n = strlen(b), fl = strlen(from), tl = strlen(to);
		char *o = malloc(n - fl + tl + 1);
		ck_assert(o != NULL);
		memcpy(o, b, (size_t)(at - b));
		memcpy(o + (at - b), to, tl);
		memcpy(o + (at - b) + tl, at + fl, n - (size_t)(at - b) - fl + 1);
		free(b);
		b = o;
	}
	return b;
}

/* The same, loaded into *c under `name` (the test fails if it does not load). */
static inline void tu_load_edited(cfg_t *c, const char *name, const char *const *pairs, int n_pairs)
{
	char *b = tu_edited_text(pairs, n_pairs);
	char err[1024];
	int rc = config_load_buffer(c, name, b, strlen(b), err, sizeof err);
	free(b);
	ck_assert_msg(rc == 0, "loading edited %s: %s", KV260, err);
}

/*
 * Config values by their dotted path.  A path names one node of the YAML
 * tree: mapping keys joined by '.', a sequence item as [i]
 * ("calibration.eta_attn.value", "designs.pdswap.decode.lanes",
 * "device.hp_ports[1].name").  The node's byte span comes from the parsed
 * tree (config/ytree.h), so an edit replaces exactly the bytes of that
 * node, whatever number it holds: a test that sets a fitted coefficient
 * keeps working when calibration writes a new value.
 */
typedef struct {
	size_t start, end; /* byte offsets of the node in the text */
	int line, col;     /* 1-based, as the parser counts them */
	size_t n;          /* items of a sequence, pairs of a mapping */
} tu_span;

/* Where the node at `path` sits in `text` (NUL-terminated); the test fails if it is absent. */
static inline tu_span tu_find(const char *text, const char *path)
{
	ytree_doc *doc;
	char err[1024], key[128];
	const ytree_node *n = ytree_parse("path.yaml", text, strlen(text), &doc, err, sizeof err);
	ck_assert_msg(n != NULL, "'%s': the text does not parse: %s", path, err);
	for (const char *p = path; *p;) {
		if (*p == '[') {
			char *e;
			long i = strtol(p + 1, &e, 10);
			ck_assert_msg(*e == ']' && n->kind == YTREE_SEQ && i >= 0 && (size_t)i < n->n,
				      "'%s': no item %.*s", path, (int)(e - p + 1), p);
			n = n->items[i];
			p = e + 1;
			continue;
		}
		if (*p == '.')
			p++;
		size_t k = strcspn(p, ".[");
		ck_assert_msg(k > 0 && k < sizeof key, "'%s': bad path", path);
		memcpy(key, p, k);
		key[k] = '\0';
		const ytree_node *v = ytree_get(n, key);
		ck_assert_msg(v != NULL, "'%s': no key '%s'", path, key);
		n = v;
		p += k;
	}
	tu_span s = {n->start, n->end, n->line, n->col, n->n};
	ytree_free(doc);
	return s;
}

/* A copy of the node's text at `path` (malloc'd). */
static inline char *tu_get(const char *text, const char *path)
{
	tu_span s = tu_find(text, path);
	char *o = malloc(s.end - s.start + 1);
	ck_assert(o != NULL);
	memcpy(o, text + s.start, s.end - s.start);
	o[s.end - s.start] = '\0';
	return o;
}

/* `text` with bytes [start, end) replaced by `repl` (malloc'd). */
static inline char *tu_splice(const char *text, size_t start, size_t end, const char *repl)
{
	size_t n = strlen(text), rl = strlen(repl);
	ck_assert(start <= end && end <= n);
	char *o = malloc(n - (end - start) + rl + 1);
	ck_assert(o != NULL);
	memcpy(o, text, start);
	memcpy(o + start, repl, rl);
	memcpy(o + start + rl, text + end, n - end + 1);
	return o;
}

/* `text` with the node at `path` replaced by `value` (malloc'd); *at, if
 * given, is the byte where `value` starts in the result. */
static inline char *tu_set(const char *text, const char *path, const char *value, size_t *at)
{
	tu_span s = tu_find(text, path);
	if (at)
		*at = s.start;
	return tu_splice(text, s.start, s.end, value);
}

/* The file `file` with pairs[2i] (a path) set to pairs[2i+1], in turn (malloc'd). */
static inline char *tu_set_paths(const char *file, const char *const *pairs, int n_pairs)
{
	char *b = tu_read(file, NULL);
	for (int i = 0; i < n_pairs; i++) {
		char *o = tu_set(b, pairs[2 * i], pairs[2 * i + 1], NULL);
		free(b);
		b = o;
	}
	return b;
}

/* configs/kv260.yaml with those values set, loaded into *c under `name`
 * (the test fails if it does not load). */
static inline void tu_load_set(cfg_t *c, const char *name, const char *const *pairs, int n_pairs)
{
	char *b = tu_set_paths(KV260, pairs, n_pairs);
	char err[1024];
	int rc = config_load_buffer(c, name, b, strlen(b), err, sizeof err);
	free(b);
	ck_assert_msg(rc == 0, "loading %s with values set: %s", KV260, err);
}

/*
 * The first integer `sql` returns on `db`, opened read-only with a 5 s
 * busy wait; `missing` when the database does not exist (yet), cannot be
 * opened or returns no row.  For tests that watch a running sweep.
 */
static inline int64_t tu_query_int(const char *db, const char *sql, int64_t missing)
{
	if (access(db, F_OK) != 0)
		return missing;
	sqlite3 *h;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(h);
		return missing;
	}
	sqlite3_busy_timeout(h, 5000);
	sqlite3_stmt *st;
	int64_t v = missing;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return v;
}

/*
 * Append the rows of `sql` on `h` to f, one line each, columns "|"-ended,
 * numbers to 17 digits; run >= 0 is bound to ?1 and run_id columns are
 * then left out.
 */
static inline void tu_dump_rows(FILE *f, sqlite3 *h, const char *sql, int64_t run)
{
	sqlite3_stmt *st;
	ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(h));
	if (run >= 0)
		sqlite3_bind_int64(st, 1, run);
	fprintf(f, "# %s\n", sql);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			if (run >= 0 && strcmp(sqlite3_column_name(st, i), "run_id") == 0)
				continue;
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER: fprintf(f, "%lld|", (long long)sqlite3_column_int64(st, i)); break;
			case SQLITE_FLOAT: fprintf(f, "%.17g|", sqlite3_column_double(st, i)); break;
			case SQLITE_NULL: fputs("NULL|", f); break;
			default: fprintf(f, "%s|", (const char *)sqlite3_column_text(st, i)); break;
			}
		}
		fputc('\n', f);
	}
	sqlite3_finalize(st);
}

/*
 * Every table's rows for one run of `db`, run_id left out, in key order:
 * two dumps are equal when the runs hold the same figures.  Timestamps,
 * thread and rank counts and paths are left out.  With `v1`, only what a
 * version-1 database holds (for comparing a file before and after its
 * migration); otherwise also the model's fingerprint, the shard, the
 * decode dataflow, the chunks' counts, the knobs, the groups, the intervals,
 * what the report draws, the sessions and the K/V cache.  Returns a malloc'd string.
 */
static inline char *tu_dump_run_as(const char *db, int64_t run, bool v1)
{
	static const char *const q[] = {
		"SELECT run_id, point_id, design_name, mode, clock_mhz, tlmm_tables, tlmm_lanes, pre_pe, pre_lanes,"
		" pre_block, pre_burst, pre_outstanding, dec_lanes, dec_burst, dec_outstanding, pm_prefill, pm_decode,"
		" pblock, lut, ff, bram36, uram, dsp, util_lut, util_ff, util_bram36, util_uram, util_dsp, equiv_lut,"
		" equiv_ff, equiv_bram36, equiv_uram, equiv_dsp, feasible, reason, objective, swap_s, bitstream_bytes"
		" FROM points WHERE run_id=?1 ORDER BY point_id",
		"SELECT * FROM metrics WHERE run_id=?1 ORDER BY point_id, source, length",
		"SELECT * FROM pareto WHERE run_id=?1 ORDER BY point_id",
		"SELECT * FROM chosen WHERE run_id=?1",
		"SELECT * FROM best WHERE run_id=?1 ORDER BY mode",
		"SELECT run_id, chunk_id, n_points, n_feasible FROM chunks WHERE run_id=?1 ORDER BY chunk_id",
		"SELECT run_id, all_points, n_space, n_chunks, objectives FROM sweeps WHERE run_id=?1",
		"SELECT config_sha256, kind, status, n_points, n_feasible, tool_version FROM runs WHERE run_id=?1",
	};
	static const char *const later[] = {
		"SELECT model_fingerprint FROM runs WHERE run_id=?1",
		"SELECT shard, n_shards FROM sweeps WHERE run_id=?1",
		"SELECT point_id, dec_dataflow FROM points WHERE run_id=?1 ORDER BY point_id",
		"SELECT run_id, chunk_id, n_over_cap, n_too_slow, n_no_fit FROM chunks WHERE run_id=?1 ORDER BY chunk_id",
		"SELECT * FROM knobs WHERE run_id=?1 ORDER BY mode, knob, value_index",
		"SELECT * FROM groups WHERE run_id=?1 ORDER BY point_id",
		"SELECT * FROM intervals WHERE run_id=?1 ORDER BY point_id, source, figure, length",
		/* what the report draws */
		"SELECT * FROM curves WHERE run_id=?1 ORDER BY point_id, metric, length",
		"SELECT * FROM regions WHERE run_id=?1 ORDER BY point_id, region",
		"SELECT * FROM swaps WHERE run_id=?1 ORDER BY point_id, source",
		"SELECT * FROM trace_events WHERE run_id=?1 ORDER BY point_id, seq",
		"SELECT * FROM validation WHERE run_id=?1 ORDER BY seq",
		/* sessions */
		"SELECT * FROM sessions WHERE run_id=?1 ORDER BY session_id",
		"SELECT * FROM breakeven WHERE run_id=?1 ORDER BY design, policy, prompt, output",
		/* the K/V cache (schema 5) */
		"SELECT point_id, kv_precision, kv_window, kv_sinks, kv_tier_region FROM points WHERE run_id=?1 ORDER BY point_id",
		"SELECT * FROM kv_curves WHERE run_id=?1 ORDER BY point_id, kv_precision, kv_window, kv_sinks, kv_tier_region, length",
	};
	sqlite3 *h;
	ck_assert_msg(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK, "cannot open %s", db);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	for (size_t k = 0; k < sizeof q / sizeof q[0]; k++)
		tu_dump_rows(f, h, q[k], run);
	for (size_t k = 0; k < sizeof later / sizeof later[0] && !v1; k++)
		tu_dump_rows(f, h, later[k], run);
	fclose(f);
	sqlite3_close(h);
	return buf;
}

static inline char *tu_dump_run(const char *db, int64_t run)
{
	return tu_dump_run_as(db, run, false);
}

/* Fail the test unless run a_run of a_db and b_run of b_db hold the same rows. */
static inline void tu_same_run(const char *a_db, int64_t a_run, const char *b_db, int64_t b_run,
			       const char *what)
{
	char *a = tu_dump_run(a_db, a_run), *b = tu_dump_run(b_db, b_run);
	ck_assert_msg(strlen(a) > 1000, "%s: the dump is nearly empty", what);
	if (strcmp(a, b) != 0) {
		size_t i = 0;
		while (a[i] && a[i] == b[i])
			i++;
		size_t s = i > 200 ? i - 200 : 0;
		ck_abort_msg("%s: runs differ at byte %zu:\n...%.300s\nvs\n...%.300s", what, i, a + s, b + s);
	}
	free(a);
	free(b);
}

#endif
