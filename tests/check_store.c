/*
 * check_store.c - results.db: schema, views, refusals, the guards on every
 * number (through the API and through raw SQL), schema migration, and the
 * faults the store meets itself: a damaged file (at open and part-way),
 * a database locked by another connection, a full database.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "models/common.h"
#include "models/perf.h"
#include "store/rdb.h"
#include "store/store.h"
#include "suites.h"
#include "testutil.h"
#include "models/workload.h"

#define DB "build/test_store.db"
#define V1_SQL "tests/data/results_v1.sql"

static void rm_db(void)
{
	remove(DB);
	remove(DB "-wal");
	remove(DB "-shm");
	remove(DB "-journal");
}

static int64_t count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The file's bytes (malloc'd), *len its size; NULL when absent. */
static char *file_bytes(const char *path, size_t *len)
{
	*len = 0;
	if (access(path, F_OK) != 0)
		return NULL;
	return tu_read(path, len);
}

/* path holds exactly bytes[0..len) and SQLite left no side file beside it. */
static void unchanged(const char *path, const char *bytes, size_t len)
{
	size_t n;
	char *now = file_bytes(path, &n);
	ck_assert_msg(now && n == len && memcmp(now, bytes, len) == 0, "%s changed (%zu bytes, was %zu)", path,
		      now ? n : 0, len);
	free(now);
	char side[256];
	static const char *const ext[] = {"-wal", "-shm", "-journal"};
	for (int i = 0; i < 3; i++) {
		snprintf(side, sizeof side, "%s%s", path, ext[i]);
		ck_assert_msg(access(side, F_OK) != 0, "%s was left behind", side);
	}
}

/* Every table's rows as text, in key order (what a migration must keep). */
static char *dump_tables(sqlite3 *h)
{
	static const char *const q[] = {
		/* the columns of version 1 (later ones add model_fingerprint, ranks, the shard) */
		"SELECT run_id, config_path, config_sha256, config_text, tool_version, kind, started_at, finished_at,"
		" status, threads, n_points, n_feasible FROM runs ORDER BY run_id",
		/* ... and points the later dec_dataflow */
		"SELECT run_id, point_id, design_name, mode, clock_mhz, tlmm_tables, tlmm_lanes, pre_pe, pre_lanes,"
		" pre_block, pre_burst, pre_outstanding, dec_lanes, dec_burst, dec_outstanding, pm_prefill, pm_decode,"
		" pblock, lut, ff, bram36, uram, dsp, util_lut, util_ff, util_bram36, util_uram, util_dsp, equiv_lut,"
		" equiv_ff, equiv_bram36, equiv_uram, equiv_dsp, feasible, reason, objective, swap_s, bitstream_bytes"
		" FROM points ORDER BY run_id, point_id",
		"SELECT * FROM metrics ORDER BY run_id, point_id, source, length",
		"SELECT * FROM pareto ORDER BY run_id, point_id",
		"SELECT * FROM chosen ORDER BY run_id",
		"SELECT run_id, all_points, n_space, n_chunks, objectives FROM sweeps ORDER BY run_id",
		"SELECT run_id, chunk_id, n_points, n_feasible FROM chunks ORDER BY run_id, chunk_id",
		"SELECT * FROM best ORDER BY run_id, mode",
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	for (size_t k = 0; k < sizeof q / sizeof q[0]; k++)
		tu_dump_rows(f, h, q[k], -1);
	fclose(f);
	return buf;
}

/* DB as pdswap-dse 0.1.0 (schema 1) wrote it (tests/data/results_v1.sql),
 * after `edit` (SQL run on the version-1 file, or NULL). */
static void make_v1(const char *edit)
{
	rm_db();
	char *sql = tu_read(V1_SQL, NULL);
	sqlite3 *h;
	ck_assert_int_eq(sqlite3_open(DB, &h), SQLITE_OK);
	char *msg = NULL;
	ck_assert_msg(sqlite3_exec(h, sql, NULL, NULL, &msg) == SQLITE_OK, "%s", msg);
	if (edit)
		ck_assert_msg(sqlite3_exec(h, edit, NULL, NULL, &msg) == SQLITE_OK, "%s", msg);
	ck_assert_int_eq(count(h, "PRAGMA user_version"), 1);
	sqlite3_close(h);
	free(sql);
}

START_TEST(round_trip_and_views)
{
	cfg_t c;
	tu_load_default(&c);
	workload_t w;
	workload_init(&w, &c.model);
	rm_db();
	store *s;
	char err[2600];
	ck_assert_msg(store_open(&s, DB, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(store_migrated_from(s), 0);
	int64_t run;
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_new_run(s, &c, "designs", 1, &run), 0);
	perf_ctx p;
	perf_res r;
	perf_prepare(&p, &c, &w, &c.designs[0].d);
	perf_resources(&p, &r);
	store_point sp = {run, 0, "tellme", &c.designs[0].d, &r, true, NULL, 1.5, NAN, NAN};
	ck_assert_msg(store_put_point(s, &c, &sp) == 0, "%s", store_errmsg(s));
	store_metric m = {run, 0, "analytic", 64, {0.45, 0.44, NAN, NAN, NAN, NAN}};
	ck_assert_msg(store_put_metric(s, &m, STORE_HAVE_PROMPT) == 0, "%s", store_errmsg(s));
	ck_assert_int_eq(store_put_pareto(s, run, 0), 0);
	ck_assert_int_eq(store_put_chosen(s, run, 0, 1.5), 0);
	ck_assert_int_eq(store_finish_run(s, run, "complete", 1, 1), 0);
	ck_assert_int_eq(store_commit(s), 0);
	sqlite3 *db = store_db(s);
	ck_assert_int_eq(count(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM v_points WHERE design_name='tellme' AND mode='static'"), 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM v_metrics WHERE source='analytic' AND prompt=64 AND decode_tok_s IS NULL"), 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM v_pareto"), 1);
	ck_assert_int_eq(count(db, "SELECT point_id FROM v_chosen"), 0);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM runs WHERE status='complete' AND length(config_sha256)=64"), 1);
	/* CHECK constraints refuse negative and infinite values */
	store_metric bad = {run, 0, "analytic", 128, {-1, 0.1, NAN, NAN, NAN, NAN}};
	ck_assert_int_eq(store_put_metric(s, &bad, STORE_HAVE_PROMPT), -1);
	bad.f.ttft_s = INFINITY;
	ck_assert_int_eq(store_put_metric(s, &bad, STORE_HAVE_PROMPT), -1);
	store_close(s);
	rm_db();
	cfg_release(&c);
}
END_TEST

START_TEST(refuses_foreign_files)
{
	char err[2600];
	store *s;
	rm_db();
	static const char text[] = "this is not a database, and it must survive\n";
	FILE *f = fopen(DB, "wb");
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(store_open(&s, DB, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a SQLite database"));
	ck_assert_ptr_nonnull(strstr(err, DB));
	unchanged(DB, text, strlen(text));
	rm_db();

	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(DB, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t(x); PRAGMA user_version=0;", 0, 0, 0), SQLITE_OK);
	sqlite3_close(db);
	size_t n;
	char *before = file_bytes(DB, &n);
	ck_assert_int_eq(store_open(&s, DB, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "another application"));
	unchanged(DB, before, n);
	free(before);
	rm_db();

	ck_assert_int_eq(sqlite3_open(DB, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t(x); PRAGMA user_version=99;", 0, 0, 0), SQLITE_OK);
	sqlite3_close(db);
	before = file_bytes(DB, &n);
	ck_assert_int_eq(store_open(&s, DB, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "schema version 99 is newer"));
	unchanged(DB, before, n);
	free(before);
	rm_db();
}
END_TEST

/* ------------------------------------------------------------- guards */

/* A store on the migrated fixture: one sweep run of 8 points with metrics. */
static store *open_fixture(void)
{
	make_v1(NULL);
	store *s;
	char err[2600];
	ck_assert_msg(store_open(&s, DB, err, sizeof err) == 0, "%s", err);
	return s;
}

START_TEST(api_refuses_numbers_that_are_not_figures)
{
	cfg_t c;
	tu_load_default(&c);
	workload_t w;
	workload_init(&w, &c.model);
	store *s = open_fixture();
	sqlite3 *h = store_db(s);
	int64_t points0 = count(h, "SELECT count(*) FROM points"), metrics0 = count(h, "SELECT count(*) FROM metrics");
	const design_t *dpr = &c.designs[1].d; /* pdswap */
	ck_assert_int_eq(dpr->mode, MODE_DPR);
	perf_ctx p;
	perf_res r;
	perf_prepare(&p, &c, &w, dpr);
	perf_resources(&p, &r);
	ck_assert_int_eq(store_begin(s), 0);
	/* each bad point is refused with the figure named; a good one then goes in */
	struct {
		int what; /* 0 lut, 1 util_dsp, 2 objective, 3 swap_s, 4 bitstream_bytes */
		double v;
		const char *name;
	} bad[] = {{0, NAN, "'lut' is nan"},        {0, -1, "'lut' is -1"},
		   {1, INFINITY, "'util_dsp' is inf"}, {2, NAN, "'objective' is nan"},
		   {3, NAN, "'swap_s' is nan"},       {4, -INFINITY, "'bitstream_bytes' is -inf"}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		perf_res rr = r;
		store_point sp = {1, 500, "probe", dpr, &rr, true, NULL, 2.0, 0.05, 1e6};
		switch (bad[i].what) {
		case 0: rr.r_total.v[0] = bad[i].v; break;
		case 1: rr.util.v[RES_N - 1] = bad[i].v; break;
		case 2: sp.objective = bad[i].v; break;
		case 3: sp.swap_s = bad[i].v; break;
		default: sp.bitstream_bytes = bad[i].v; break;
		}
		ck_assert_int_eq(store_put_point(s, &c, &sp), -1);
		ck_assert_msg(strstr(store_errmsg(s), bad[i].name) && strstr(store_errmsg(s), "point 500 of run 1"),
			      "%s", store_errmsg(s));
	}
	store_point good = {1, 500, "probe", dpr, &r, true, NULL, 2.0, 0.05, 1e6};
	ck_assert_msg(store_put_point(s, &c, &good) == 0, "%s", store_errmsg(s));
	/* a negative objective means "not computed": NULL, for an infeasible point */
	store_point nobj = {1, 501, "probe2", dpr, &r, false, "over a cap", -1, 0.05, 1e6};
	ck_assert_msg(store_put_point(s, &c, &nobj) == 0, "%s", store_errmsg(s));
	ck_assert_int_eq(count(h, "SELECT count(*) FROM points WHERE point_id=501 AND objective IS NULL"), 1);

	/* metrics: a carried figure must be a number; an uncarried one must be NaN */
	store_metric m = {1, 500, "analytic", 64, {0.4, 0.39, 25, 0.04, 0.18, 0.02}};
	const unsigned all = STORE_HAVE_PROMPT | STORE_HAVE_SWAP | STORE_HAVE_DECODE;
	double *f[6] = {&m.f.ttft_s, &m.f.prefill_s, &m.f.decode_tok_s, &m.f.decode_step_s, &m.f.energy_j_per_token,
			&m.f.swap_exposed_s};
	const char *names[6] = {"ttft_s", "prefill_s", "decode_tok_s", "decode_step_s", "energy_j_per_token",
				"swap_exposed_s"};
	const double vals[4] = {NAN, INFINITY, -0.5, 1e300};
	for (int k = 0; k < 6; k++)
		for (int b = 0; b < 4; b++) {
			double keep = *f[k];
			*f[k] = vals[b];
			ck_assert_int_eq(store_put_metric(s, &m, all), -1);
			ck_assert_msg(strstr(store_errmsg(s), names[k]), "%s", store_errmsg(s));
			*f[k] = keep;
		}
	ck_assert_int_eq(store_put_metric(s, &m, STORE_HAVE_PROMPT | STORE_HAVE_SWAP), -1); /* decode given */
	ck_assert_ptr_nonnull(strstr(store_errmsg(s), "does not carry it"));
	ck_assert_int_eq(store_put_metric(s, &m, 0), -1);
	ck_assert_int_eq(store_put_metric(s, &m, STORE_HAVE_SWAP | STORE_HAVE_DECODE), -1);
	ck_assert_msg(store_put_metric(s, &m, all) == 0, "%s", store_errmsg(s));
	/* chosen and best objectives */
	ck_assert_int_eq(store_put_chosen(s, 1, 500, NAN), -1);
	ck_assert_ptr_nonnull(strstr(store_errmsg(s), "'objective' is nan"));
	ck_assert_int_eq(store_put_best(s, 1, MODE_DPR, 500, "des", INFINITY), -1);
	ck_assert_ptr_nonnull(strstr(store_errmsg(s), "'objective' is inf"));
	ck_assert_int_eq(store_commit(s), 0);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM points"), points0 + 2);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM metrics"), metrics0 + 1);
	ck_assert_int_eq(count(h, "SELECT objective FROM chosen WHERE run_id=1") > 0, 1);
	store_close(s);
	rm_db();
	cfg_release(&c);
}
END_TEST

/*
 * Run `sql` with ?1 bound to a bad value (kind 0 NaN, 1 +inf, 2 -inf,
 * 3 -1, 4 the text 'abc', 5 the value of `ok`): SQLITE_DONE or the error.
 */
static int try_sql(sqlite3 *h, const char *sql, int kind, double ok)
{
	sqlite3_stmt *st;
	ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(h));
	switch (kind) {
	case 0: sqlite3_bind_double(st, 1, NAN); break;
	case 1: sqlite3_bind_double(st, 1, INFINITY); break;
	case 2: sqlite3_bind_double(st, 1, -INFINITY); break;
	case 3: sqlite3_bind_double(st, 1, -1.0); break;
	case 4: sqlite3_bind_text(st, 1, "abc", -1, SQLITE_STATIC); break;
	default: sqlite3_bind_double(st, 1, ok); break;
	}
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc;
}

/* A refusal by a guard on the value (not by a key or a foreign key). */
static bool is_guard(int rc)
{
	return rc == SQLITE_CONSTRAINT_CHECK || rc == SQLITE_CONSTRAINT_NOTNULL;
}

/* The columns of `table` as a list, with column `col` replaced by ?1 and
 * `key` replaced by key_expr. */
static void select_list(sqlite3 *h, const char *table, const char *col, const char *key, const char *key_expr,
			char *out, size_t len)
{
	char sql[128];
	snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *e = strcmp(name, col) == 0 ? "?1" : strcmp(name, key) == 0 ? key_expr : name;
		size_t n = strlen(out);
		snprintf(out + n, len - n, "%s%s", n ? ", " : "", e);
	}
	sqlite3_finalize(st);
}

/* Whether `col` is one of the space-separated names of `list`. */
static bool in_list(const char *col, const char *list)
{
	size_t n = strlen(col);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, " ");
		if (k == n && strncmp(p, col, n) == 0)
			return true;
		p += k;
		while (*p == ' ')
			p++;
	}
	return false;
}

/*
 * For every REAL column of a table: copying a stored row with that column
 * replaced by NaN, an infinity, a negative number or text is refused
 * (INSERT ... SELECT with a fresh key, and UPDATE in place), while the
 * same copy with a good value goes in.  `where` picks the row.  SQLite
 * stores a NaN as NULL: in the columns named in `null_ok` (space-separated),
 * where the row may lawfully lack the figure, it goes in as NULL.
 */
static void guard_table(sqlite3 *h, const char *table, const char *where, const char *key, const char *key_expr,
			const char *null_ok)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s') WHERE type='REAL'", table);
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	int ncols = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(st, 0);
		char list[2048], ins[3000], upd[512];
		select_list(h, table, col, key, key_expr, list, sizeof list);
		snprintf(ins, sizeof ins, "INSERT INTO %s SELECT %s FROM %s WHERE %s", table, list, table, where);
		snprintf(upd, sizeof upd, "UPDATE %s SET %s = ?1 WHERE %s", table, col, where);
		ck_assert_int_eq(sqlite3_exec(h, "SAVEPOINT nan", NULL, NULL, NULL), SQLITE_OK);
		for (int kind = 0; kind < 5; kind++) {
			if (kind == 0 && in_list(col, null_ok)) {
				ck_assert_int_eq(try_sql(h, ins, kind, 0), SQLITE_DONE);
				ck_assert_int_eq(try_sql(h, upd, kind, 0), SQLITE_DONE);
				ck_assert_int_eq(sqlite3_exec(h, "ROLLBACK TO nan", NULL, NULL, NULL), SQLITE_OK);
				continue;
			}
			int rc = try_sql(h, ins, kind, 0);
			ck_assert_msg(is_guard(rc), "%s.%s: INSERT of bad value %d gave %d (%s)", table, col, kind, rc,
				      sqlite3_errmsg(h));
			rc = try_sql(h, upd, kind, 0);
			ck_assert_msg(is_guard(rc), "%s.%s: UPDATE to bad value %d gave %d (%s)", table, col, kind, rc,
				      sqlite3_errmsg(h));
		}
		ck_assert_int_eq(sqlite3_exec(h, "RELEASE nan", NULL, NULL, NULL), SQLITE_OK);
		/* the control: the same statements with a good value succeed */
		ck_assert_int_eq(sqlite3_exec(h, "SAVEPOINT ctl", NULL, NULL, NULL), SQLITE_OK);
		ck_assert_msg(try_sql(h, ins, 5, 0.25) == SQLITE_DONE, "%s.%s: a good row was refused: %s", table, col,
			      sqlite3_errmsg(h));
		ck_assert_msg(try_sql(h, upd, 5, 0.25) == SQLITE_DONE, "%s.%s: a good update was refused: %s", table,
			      col, sqlite3_errmsg(h));
		ck_assert_int_eq(sqlite3_exec(h, "ROLLBACK TO ctl; RELEASE ctl", NULL, NULL, NULL), SQLITE_OK);
		ncols++;
	}
	sqlite3_finalize(st);
	ck_assert_msg(ncols > 0, "%s has no REAL column", table);
}

START_TEST(schema_refuses_bad_numbers_in_raw_sql)
{
	store *s = open_fixture();
	sqlite3 *h = store_db(s);
	/* base rows: a feasible dpr point; its metrics at 64 (a prompt and a
	 * context: every figure present); the chosen and best rows */
	int64_t dpr = count(h, "SELECT min(point_id) FROM points WHERE mode='dpr' AND feasible=1");
	char w[160];
	snprintf(w, sizeof w, "run_id=1 AND point_id=%lld", (long long)dpr);
	guard_table(h, "points", w, "point_id", "point_id + 1000", "");
	snprintf(w, sizeof w, "run_id=1 AND point_id=%lld AND source='analytic' AND length=64", (long long)dpr);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM metrics WHERE ttft_s IS NOT NULL AND decode_step_s IS NOT NULL"
				  " AND swap_exposed_s IS NOT NULL AND length=64 AND source='analytic'") > 0,
			 1);
	/* (a static point's metrics at a prompt have no swap: the metrics table
	 * does not know the mode, so NULL there is the API's to refuse) */
	guard_table(h, "metrics", w, "length", "length + 1000", "swap_exposed_s");
	/* chosen and best have one row per run (and mode): a run 2 with the same points takes the copies */
	char list[2048], sql[2200];
	select_list(h, "runs", "", "run_id", "2", list, sizeof list);
	snprintf(sql, sizeof sql, "INSERT INTO runs SELECT %s FROM runs WHERE run_id=1", list);
	ck_assert_int_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	select_list(h, "points", "", "run_id", "2", list, sizeof list);
	snprintf(sql, sizeof sql, "INSERT INTO points SELECT %s FROM points WHERE run_id=1", list);
	ck_assert_int_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	guard_table(h, "chosen", "run_id=1", "run_id", "2", "");
	guard_table(h, "best", "run_id=1 AND mode='dpr'", "run_id", "2", "");
	/* row rules */
	static const char *const refused[] = {
		/* a static point with a swap; a dpr point without one; a feasible point without objective */
		"UPDATE points SET swap_s = 0.01 WHERE mode='static'",
		"UPDATE points SET bitstream_bytes = 1e6 WHERE mode='static'",
		"UPDATE points SET swap_s = NULL WHERE mode='dpr'",
		"UPDATE points SET bitstream_bytes = NULL WHERE mode='dpr'",
		"UPDATE points SET objective = NULL WHERE feasible=1",
		/* metrics: half a group, no group, a swap without a TTFT, a dpr prompt row without its swap */
		"UPDATE metrics SET prefill_s = NULL WHERE ttft_s IS NOT NULL",
		"UPDATE metrics SET energy_j_per_token = NULL WHERE decode_step_s IS NOT NULL",
		"UPDATE metrics SET decode_tok_s = NULL WHERE decode_step_s IS NOT NULL",
		"UPDATE metrics SET ttft_s = NULL, prefill_s = NULL, swap_exposed_s = NULL WHERE decode_step_s IS NULL",
		"UPDATE metrics SET ttft_s = NULL, prefill_s = NULL WHERE swap_exposed_s IS NOT NULL",
		"INSERT INTO metrics SELECT run_id, point_id, source, length + 1000, ttft_s, NULL, NULL, NULL, NULL,"
		" NULL FROM metrics WHERE ttft_s IS NOT NULL",
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		int rc = sqlite3_exec(h, refused[i], NULL, NULL, NULL);
		ck_assert_msg(is_guard(rc), "not refused by a guard (%d): %s", rc, refused[i]);
	}
	/* and their lawful neighbours pass: metrics at a prompt without a swap
	 * (a static point's), an infeasible point without an objective */
	ck_assert_int_eq(sqlite3_exec(h,
				      "SAVEPOINT x; UPDATE metrics SET swap_exposed_s = NULL; UPDATE points SET objective"
				      " = NULL WHERE feasible = 0; ROLLBACK TO x; RELEASE x",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'"), 0);
	store_close(s);
	rm_db();
}
END_TEST

/* ---------------------------------------------------------- migration */

START_TEST(migrates_a_version_1_file)
{
	make_v1(NULL);
	sqlite3 *h;
	ck_assert_int_eq(sqlite3_open_v2(DB, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	char *before = dump_tables(h);
	sqlite3_close(h);
	store *s;
	char err[2600];
	ck_assert_msg(store_open(&s, DB, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(store_migrated_from(s), 1);
	h = store_db(s);
	ck_assert_int_eq(count(h, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	char *after = dump_tables(h);
	ck_assert_msg(strlen(before) > 5000, "the fixture is nearly empty");
	ck_assert_msg(strcmp(before, after) == 0, "the migration changed rows");
	free(after);
	/* a sweep of an older version covered the whole space: shard 1 of 1 */
	ck_assert_int_gt(count(h, "SELECT count(*) FROM sweeps"), 0);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM sweeps WHERE shard != 1 OR n_shards != 1"), 0);
	/* the new rules hold, the views and the index are there */
	ck_assert_int_eq(sqlite3_exec(h, "UPDATE points SET swap_s = NULL WHERE mode='dpr'", NULL, NULL, NULL) & 0xff,
			 SQLITE_CONSTRAINT);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM sqlite_master WHERE name IN ('v_points','v_metrics','v_pareto',"
				  "'v_chosen','v_best','v_runs','points_by_mode','runs_by_sha')"),
			 8);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM v_points WHERE run_id=1 AND design_name IS NULL"), 8);
	/* its points were serial, the only dataflow then */
	ck_assert_int_eq(count(h, "SELECT count(*) FROM points WHERE dec_dataflow != 'serial'"), 0);
	ck_assert_int_gt(count(h, "SELECT count(*) FROM points WHERE dec_dataflow = 'serial'"), 0);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM sqlite_master WHERE name IN ('intervals','v_intervals')"), 2);
	/* its points cached FP16 K/V with no tier, the only cache then (schema 5) */
	ck_assert_int_eq(count(h, "SELECT count(*) FROM v_points WHERE kv_precision != 'fp16' OR kv_window != 0"
				  " OR kv_sinks != 0 OR kv_tier_region != 'none'"),
			 0);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM sqlite_master WHERE name IN ('kv_curves','v_kv_curves')"), 2);
	store_close(s);
	/* a second open has nothing to do */
	ck_assert_msg(store_open(&s, DB, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(store_migrated_from(s), 0);
	char *again = dump_tables(store_db(s));
	ck_assert_str_eq(before, again);
	free(again);
	free(before);
	store_close(s);

	/* a first version-1 file, made before the sweep tables existed */
	make_v1("DROP TABLE best; DROP TABLE chunks; DROP TABLE sweeps; DROP VIEW v_best; DROP VIEW v_runs;"
		" DROP INDEX points_by_mode;");
	ck_assert_msg(store_open(&s, DB, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(count(store_db(s), "SELECT count(*) FROM sqlite_master WHERE name IN"
					    " ('sweeps','chunks','best','v_best','v_runs','points_by_mode')"),
			 6);
	store_close(s);
	rm_db();
}
END_TEST

/* The points table as schema 4 had it (before the K/V cache columns). */
static const char *const points_v4 =
	"CREATE TABLE points (run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	" point_id INTEGER NOT NULL CHECK(point_id >= 0), design_name TEXT,"
	" mode TEXT NOT NULL CHECK(mode IN ('static','dpr')), clock_mhz INTEGER NOT NULL CHECK(clock_mhz > 0),"
	" tlmm_tables INTEGER NOT NULL CHECK(tlmm_tables > 0), tlmm_lanes INTEGER NOT NULL CHECK(tlmm_lanes > 0),"
	" pre_pe INTEGER NOT NULL CHECK(pre_pe > 0), pre_lanes INTEGER NOT NULL CHECK(pre_lanes > 0),"
	" pre_block INTEGER NOT NULL CHECK(pre_block > 0), pre_burst INTEGER NOT NULL CHECK(pre_burst > 0),"
	" pre_outstanding INTEGER NOT NULL CHECK(pre_outstanding > 0), dec_lanes INTEGER NOT NULL CHECK(dec_lanes > 0),"
	" dec_burst INTEGER NOT NULL CHECK(dec_burst > 0), dec_outstanding INTEGER NOT NULL CHECK(dec_outstanding > 0),"
	" pm_prefill TEXT NOT NULL, pm_decode TEXT NOT NULL, pblock TEXT,"
	" lut REAL NOT NULL, ff REAL NOT NULL, bram36 REAL NOT NULL, uram REAL NOT NULL, dsp REAL NOT NULL,"
	" util_lut REAL NOT NULL, util_ff REAL NOT NULL, util_bram36 REAL NOT NULL, util_uram REAL NOT NULL,"
	" util_dsp REAL NOT NULL, equiv_lut REAL NOT NULL, equiv_ff REAL NOT NULL, equiv_bram36 REAL NOT NULL,"
	" equiv_uram REAL NOT NULL, equiv_dsp REAL NOT NULL, feasible INTEGER NOT NULL CHECK(feasible IN (0,1)),"
	" reason TEXT, objective REAL, swap_s REAL, bitstream_bytes REAL,"
	" dec_dataflow TEXT NOT NULL DEFAULT 'serial' CHECK(dec_dataflow IN ('serial','kv_overlap','head_pipeline')),"
	" PRIMARY KEY(run_id, point_id)) WITHOUT ROWID";

/* A version-4 file (made here from a migrated one: the points without the
 * K/V columns, no kv_curves) is migrated to 5 with its rows unchanged and
 * every old point FP16, window 0, sinks 0, tier none. */
START_TEST(migrates_a_version_4_file_without_kv)
{
	make_v1(NULL);
	store *s;
	char err[2600];
	ck_assert_msg(store_open(&s, DB, err, sizeof err) == 0, "%s", err);
	store_close(s);
	sqlite3 *h;
	ck_assert_int_eq(sqlite3_open(DB, &h), SQLITE_OK);
	char *msg = NULL;
	/* the views name the tables: drop them all first, as a migration does */
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT name FROM sqlite_master WHERE type = 'view'", -1, &st, NULL), SQLITE_OK);
	char drops[4096] = "";
	while (sqlite3_step(st) == SQLITE_ROW)
		snprintf(drops + strlen(drops), sizeof drops - strlen(drops), "DROP VIEW %s;", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	ck_assert_msg(sqlite3_exec(h, drops, NULL, NULL, &msg) == SQLITE_OK, "%s", msg);
	char *sql = sqlite3_mprintf("PRAGMA foreign_keys=OFF; PRAGMA legacy_alter_table=ON; BEGIN;"
				    " ALTER TABLE points RENAME TO points_v5; %s;"
				    " INSERT INTO points SELECT run_id, point_id, design_name, mode, clock_mhz, tlmm_tables,"
				    " tlmm_lanes, pre_pe, pre_lanes, pre_block, pre_burst, pre_outstanding, dec_lanes, dec_burst,"
				    " dec_outstanding, pm_prefill, pm_decode, pblock, lut, ff, bram36, uram, dsp, util_lut,"
				    " util_ff, util_bram36, util_uram, util_dsp, equiv_lut, equiv_ff, equiv_bram36, equiv_uram,"
				    " equiv_dsp, feasible, reason, objective, swap_s, bitstream_bytes, dec_dataflow"
				    " FROM points_v5; DROP TABLE points_v5; DROP TABLE kv_curves; COMMIT;"
				    " PRAGMA user_version=4;",
				    points_v4);
	ck_assert_msg(sqlite3_exec(h, sql, NULL, NULL, &msg) == SQLITE_OK, "%s", msg);
	sqlite3_free(sql);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM pragma_table_info('points') WHERE name LIKE 'kv_%'"), 0);
	char *before = dump_tables(h);
	sqlite3_close(h);
	ck_assert_msg(store_open(&s, DB, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(store_migrated_from(s), 4);
	h = store_db(s);
	ck_assert_int_eq(count(h, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	char *after = dump_tables(h);
	ck_assert_msg(strcmp(before, after) == 0, "the migration changed rows");
	ck_assert_int_gt(count(h, "SELECT count(*) FROM v_points"), 0);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM v_points WHERE kv_precision = 'fp16' AND kv_window = 0"
				  " AND kv_sinks = 0 AND kv_tier_region = 'none'"),
			 count(h, "SELECT count(*) FROM v_points"));
	ck_assert_int_eq(count(h, "SELECT count(*) FROM sqlite_master WHERE name IN ('kv_curves','v_kv_curves')"), 2);
	/* the new rules hold: no tier in the RP of a static point */
	ck_assert_int_eq(sqlite3_exec(h, "UPDATE points SET kv_tier_region = 'rp' WHERE mode = 'static'", NULL, NULL, NULL) &
				 0xff,
			 SQLITE_CONSTRAINT);
	free(before);
	free(after);
	store_close(s);
	rm_db();
}
END_TEST

/*
 * A version-4 file: its curves table refused energy curves, its validation
 * rows had no source, figure, part or length, and its first files refused
 * instant trace events.  Made here from a current file by putting those
 * three tables back as version 4 defined them (rows copied), then opened.
 */
START_TEST(migrates_a_version_4_file)
{
	cfg_t c;
	tu_load_default(&c);
	rm_db();
	store *s;
	char err[2600];
	ck_assert_msg(store_open(&s, DB, err, sizeof err) == 0, "%s", err);
	int64_t run;
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_new_run(s, &c, "sweep", 1, &run), 0);
	design_t d = c.designs[cfg_find_design(&c, "pdswap")].d;
	res_t r = {{1, 1, 1, 1, 1}};
	store_point sp = {run, 0, "pdswap", &d, &(perf_res){.r_total = r}, true, "", 1.0, 0.045, 1e6};
	ck_assert_msg(store_put_point(s, &c, &sp) == 0, "%s", store_errmsg(s));
	ck_assert_int_eq(store_put_curve(s, run, 0, "ttft_s", 64, 0.5), 0);
	calib_row row = {.name = "table2 prefill_rm lut", .measured = 28400, .predicted = 27504, .rel_err = -0.0315,
			 .note = "the prefill size is inferred from this row (at its centre)"};
	ck_assert_msg(store_put_validation(s, run, 0, &row) == 0, "%s", store_errmsg(s));
	ck_assert_int_eq(store_commit(s), 0);
	store_close(s);
	sqlite3 *h;
	ck_assert_int_eq(sqlite3_open(DB, &h), SQLITE_OK);
	char *msg = NULL;
	const char *v4 =
		"PRAGMA foreign_keys=OFF; BEGIN; DROP VIEW v_curves; DROP VIEW v_validation; DROP VIEW v_trace;"
		"CREATE TABLE c4 (run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
		" metric TEXT NOT NULL CHECK(metric IN ('ttft_s','decode_tok_s')), length INTEGER NOT NULL CHECK(length > 0),"
		" value REAL NOT NULL, PRIMARY KEY(run_id, point_id, metric, length)) WITHOUT ROWID;"
		"INSERT INTO c4 SELECT * FROM curves; DROP TABLE curves; ALTER TABLE c4 RENAME TO curves;"
		"CREATE TABLE v4 (run_id INTEGER NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL, unit TEXT NOT NULL,"
		" measured REAL NOT NULL, predicted REAL NOT NULL, rel_err REAL NOT NULL, fitted_to INTEGER NOT NULL,"
		" checked INTEGER NOT NULL, note TEXT NOT NULL, PRIMARY KEY(run_id, seq)) WITHOUT ROWID;"
		"INSERT INTO v4 SELECT run_id, seq, name, unit, measured, predicted, rel_err, fitted_to, checked, note"
		" FROM validation; DROP TABLE validation; ALTER TABLE v4 RENAME TO validation;"
		"CREATE TABLE t4 (run_id INTEGER NOT NULL, point_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
		" kind TEXT NOT NULL CHECK(kind IN ('process','thread','span')), pid INTEGER NOT NULL, tid INTEGER NOT NULL,"
		" name TEXT NOT NULL, sort_index INTEGER, cat TEXT, t0_ps INTEGER, t1_ps INTEGER, layer INTEGER,"
		" token INTEGER, bytes REAL, unit TEXT, phase TEXT, port TEXT, stream TEXT, module TEXT, part TEXT,"
		" PRIMARY KEY(run_id, point_id, seq)) WITHOUT ROWID;"
		"DROP TABLE trace_events; ALTER TABLE t4 RENAME TO trace_events;"
		"CREATE VIEW v_validation AS SELECT run_id, seq, name, unit, measured, predicted, rel_err, fitted_to,"
		" checked, note FROM validation;"
		"PRAGMA user_version=4; COMMIT;";
	ck_assert_msg(sqlite3_exec(h, v4, NULL, NULL, &msg) == SQLITE_OK, "%s", msg);
	sqlite3_close(h);
	/* read-only, as the report reads it: the row without its source */
	ck_assert_msg(rdb_open(DB, &h, err, sizeof err) == 0, "%s", err);
	calib_row back[4];
	ck_assert_int_eq(rdb_validation(h, DB, run, back, 4, err, sizeof err), 1);
	ck_assert_str_eq(back[0].note, row.note);
	ck_assert_str_eq(back[0].source, "");
	sqlite3_close(h);
	/* opened for writing: migrated, rows kept, the new rows take */
	ck_assert_msg(store_open(&s, DB, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(store_migrated_from(s), 4);
	h = store_db(s);
	ck_assert_int_eq(count(h, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM v_curves WHERE metric = 'ttft_s' AND value = 0.5"), 1);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM v_validation WHERE source IS NULL AND note LIKE 'the prefill%'"),
			 1);
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_put_curve(s, run, 0, "energy_j_per_token", 64, 0.17), 0);
	calib_row row2 = row;
	snprintf(row2.source, sizeof row2.source, "[PDSWAP] Table 2");
	snprintf(row2.figure, sizeof row2.figure, "lut");
	snprintf(row2.part, sizeof row2.part, "prefill_rm");
	ck_assert_msg(store_put_validation(s, run, 1, &row2) == 0, "%s", store_errmsg(s));
	trace_log log = {0};
	trace_event ev = {.kind = 'I', .pid = 1, .tid = 1, .name = (char *)"first_token", .cat = (char *)"milestone", .t0_ps = 5,
			  .t1_ps = 5, .a = trace_args_none()};
	trace_log_add(&log, &ev);
	ck_assert_msg(store_put_trace(s, run, 0, &log) == 0, "%s", store_errmsg(s));
	trace_log_free(&log);
	ck_assert_int_eq(store_commit(s), 0);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM v_validation WHERE source = '[PDSWAP] Table 2' AND figure = 'lut'"
				  " AND part = 'prefill_rm' AND length IS NULL"),
			 1);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM v_trace WHERE kind = 'instant'"), 1);
	store_close(s);
	cfg_release(&c);
	rm_db();
}
END_TEST

START_TEST(refuses_a_version_1_file_it_cannot_migrate)
{
	/* rows the version-2 rules refuse: the migration fails as a whole and
	 * the file stays a version-1 file, byte for byte */
	static const char *const edits[] = {
		"UPDATE points SET swap_s = NULL WHERE point_id = 0",
		"UPDATE metrics SET prefill_s = NULL WHERE point_id = 0 AND length = 128",
		"UPDATE metrics SET energy_j_per_token = NULL WHERE point_id = 0 AND length = 64",
	};
	static const char *const why[] = {"'points'", "'metrics'", "'metrics'"};
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		make_v1(edits[i]);
		size_t n;
		char *bytes = file_bytes(DB, &n);
		store *s;
		char err[2600];
		ck_assert_int_eq(store_open(&s, DB, err, sizeof err), -1);
		ck_assert_msg(strstr(err, "cannot migrate table") && strstr(err, why[i]) &&
				      strstr(err, "CHECK constraint failed") && strstr(err, "left as it was"),
			      "%s", err);
		unchanged(DB, bytes, n);
		free(bytes);
		sqlite3 *h;
		ck_assert_int_eq(sqlite3_open_v2(DB, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		ck_assert_int_eq(count(h, "PRAGMA user_version"), 1);
		sqlite3_close(h);
	}
	rm_db();
}
END_TEST

/* ------------------------------------------------------------- damage */

/* Overwrite page `pg` (1-based) of DB with deterministic noise. */
static void scribble_page(int64_t pg, int64_t page_size)
{
	int fd = open(DB, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	char *noise = malloc((size_t)page_size);
	uint32_t x = 12345;
	for (int64_t i = 0; i < page_size; i++) {
		x = x * 1103515245u + 12345u;
		noise[i] = (char)(x >> 16);
	}
	ck_assert_int_eq(pwrite(fd, noise, (size_t)page_size, (off_t)((pg - 1) * page_size)), page_size);
	free(noise);
	ck_assert_int_eq(close(fd), 0);
}

START_TEST(refuses_a_damaged_database)
{
	for (int variant = 0; variant < 3; variant++) {
		store *s = open_fixture();
		sqlite3 *h = store_db(s);
		int64_t psz = count(h, "PRAGMA page_size"), npg = count(h, "PRAGMA page_count");
		int64_t leaf = count(h, "SELECT rootpage FROM sqlite_master WHERE name='metrics'");
		store_close(s);
		ck_assert_msg(npg >= 8, "only %lld pages", (long long)npg);
		switch (variant) {
		case 0: /* a page in the middle of a table overwritten */
			scribble_page(leaf, psz);
			break;
		case 1: /* cut in half */
			ck_assert_int_eq(truncate(DB, (off_t)(npg / 2 * psz)), 0);
			break;
		default: /* cut inside the header page */
			ck_assert_int_eq(truncate(DB, 60), 0);
			break;
		}
		size_t n;
		char *bytes = file_bytes(DB, &n);
		char err[2600];
		ck_assert_int_eq(store_open(&s, DB, err, sizeof err), -1);
		ck_assert_msg(strstr(err, DB) && (strstr(err, "damaged") || strstr(err, "not a SQLite database")),
			      "variant %d: %s", variant, err);
		if (variant < 2)
			ck_assert_msg(strstr(err, "damaged") && strstr(err, "refusing to write"), "variant %d: %s", variant,
				      err);
		unchanged(DB, bytes, n);
		free(bytes);
	}
	rm_db();
}
END_TEST

START_TEST(damage_found_part_way_stops_all_writes)
{
	cfg_t c;
	tu_load_default(&c);
	workload_t w;
	workload_init(&w, &c.model);
	store *s = open_fixture();
	sqlite3 *h = store_db(s);
	int64_t psz = count(h, "PRAGMA page_size");
	int64_t root = count(h, "SELECT rootpage FROM sqlite_master WHERE name='points'");
	ck_assert_int_eq(sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), SQLITE_OK);
	/* the file is damaged under the open store; SQLite notices when it reads the page */
	scribble_page(root, psz);
	sqlite3_db_release_memory(h);
	size_t n;
	char *bytes = file_bytes(DB, &n);
	design_t d;
	ck_assert_int_eq(store_get_design(s, &c, 1, 0, &d), -1);
	ck_assert_msg(strstr(store_errmsg(s), "damaged"), "%s", store_errmsg(s));
	ck_assert(store_damaged(s));
	ck_assert_int_eq(store_begin(s), -1);
	ck_assert_msg(strstr(store_errmsg(s), "refusing to write"), "%s", store_errmsg(s));
	store_close(s);
	size_t n2;
	char *after = file_bytes(DB, &n2);
	ck_assert_msg(n == n2 && memcmp(bytes, after, n) == 0, "the damaged file was written to");
	free(bytes);
	free(after);
	rm_db();
	cfg_release(&c);
}
END_TEST

/* --------------------------------------------------------- lock, full */

START_TEST(waits_for_a_locked_database_then_says_so)
{
	store *s = open_fixture();
	store_close(s);
	sqlite3 *other;
	ck_assert_int_eq(sqlite3_open(DB, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE; UPDATE runs SET threads = 7", NULL, NULL, NULL), SQLITE_OK);
	char err[2600];
	ck_assert_msg(store_open_wait(&s, DB, 0.4, err, sizeof err) == 0, "%s", err);
	ck_assert(store_lock_timeout(s) == 0.4);
	double t0 = common_now_s();
	ck_assert_int_eq(store_begin(s), -1);
	double waited = common_now_s() - t0;
	ck_assert_msg(waited >= 0.35 && waited < 5, "waited %.3f s", waited);
	ck_assert_msg(strstr(store_errmsg(s), DB) && strstr(store_errmsg(s), "locked by another writer") &&
			      strstr(store_errmsg(s), "0.4 s") && strstr(store_errmsg(s), "--lock-timeout"),
		      "%s", store_errmsg(s));
	/* the other writer finishes; its data is there and the store goes on */
	ck_assert_int_eq(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_commit(s), 0);
	ck_assert_int_eq(count(store_db(s), "SELECT threads FROM runs WHERE run_id=1"), 7);
	store_close(s);
	rm_db();
}
END_TEST

START_TEST(a_full_database_keeps_what_was_committed)
{
	cfg_t c;
	tu_load_default(&c);
	workload_t w;
	workload_init(&w, &c.model);
	store *s = open_fixture();
	sqlite3 *h = store_db(s);
	char *before = dump_tables(h);
	/* the database may not grow by more than 3 pages */
	char sql[80];
	snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld", (long long)count(h, "PRAGMA page_count") + 3);
	ck_assert_int_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	const design_t *dpr = &c.designs[1].d;
	perf_ctx p;
	perf_res r;
	perf_prepare(&p, &c, &w, dpr);
	perf_resources(&p, &r);
	ck_assert_int_eq(store_begin(s), 0);
	int i, rc = 0;
	for (i = 0; i < 100000 && rc == 0; i++) {
		store_point sp = {1, 1000 + i, "filler", dpr, &r, true, NULL, 2.0, 0.05, 1e6};
		rc = store_put_point(s, &c, &sp);
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(store_errmsg(s), DB) && strstr(store_errmsg(s), "database or disk is full") &&
			      strstr(store_errmsg(s), "size limit"),
		      "%s", store_errmsg(s));
	ck_assert_int_eq(store_rollback(s), 0);
	char *after = dump_tables(h);
	ck_assert_str_eq(before, after);
	free(after);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'"), 0);
	/* space again: the same writes go through */
	ck_assert_int_eq(sqlite3_exec(h, "PRAGMA max_page_count=1000000", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(store_begin(s), 0);
	store_point sp = {1, 1000, "filler", dpr, &r, true, NULL, 2.0, 0.05, 1e6};
	ck_assert_msg(store_put_point(s, &c, &sp) == 0, "%s", store_errmsg(s));
	ck_assert_int_eq(store_commit(s), 0);
	free(before);
	store_close(s);
	rm_db();
	cfg_release(&c);
}
END_TEST

START_TEST(refuses_paths_it_cannot_write)
{
	/* the checks that need no privilege: a directory as the database, a
	 * database under a file; the read-only cases are tests/faults_test.sh's */
	char err[2600];
	store *s;
	ck_assert_int_eq(store_open(&s, "build", err, sizeof err), -1);
	ck_assert_msg(strstr(err, "build: not a regular file"), "%s", err);
	rm_db();
	FILE *f = fopen(DB, "wb");
	fclose(f);
	ck_assert_int_eq(store_open(&s, DB "/x.db", err, sizeof err), -1);
	ck_assert_msg(strstr(err, DB "/x.db") && strstr(err, "Not a directory"), "%s", err);
	rm_db();
}
END_TEST

/* Sessions, requests and break-even cells: what goes in comes back through
 * the reader, a figure that is not one is refused by the API with its name
 * and by the schema in raw SQL, and the row rules hold. */
START_TEST(sessions_round_trip_and_guards)
{
	cfg_t c;
	tu_load_default(&c);
	store *s = open_fixture();
	sqlite3 *h = store_db(s);
	int64_t run;
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_new_run(s, &c, "session", 2, &run), 0);
	figures_session f = {.requests = 3, .refused = 1, .trimmed = 1, .tokens = 30, .swaps = 5, .swap_s = 0.2,
			     .swap_exposed_s = 0.05, .wait_s = {0.1, 0, 0.2, 0.25, 0.29}, .ttft_s = {1, 0.9, 1.5, 1.6, 1.7},
			     .tpot_s = {0.04, 0.04, 0.05, 0.05, 0.06}, .e2e_s = {2, 1.9, 2.5, 2.6, 2.7}, .duration_s = 10,
			     .offered_rps = 0.3, .throughput_rps = 0.3, .tokens_per_s = 3, .slo_ttft_p90_s = 2,
			     .slo_tpot_p99_s = 0.2, .slo_met = true, .goodput_rps = 0.3, .capacity_rps = 0.5,
			     .reconfig_share = 0.02, .utilisation = 0.6, .energy_j = 30, .energy_j_per_request = 10,
			     .energy_j_per_token = 1, .mean_in_system = 0.6};
	store_session m = {run, 0, "pdswap", -1, MODE_DPR, "chat", "always", "analytic", 1, NULL};
	ck_assert_msg(store_put_session(s, &m, &f) == 0, "%s", store_errmsg(s));
	/* unbounded capacity and no TPOT (one-token outputs): NULLs with the flag */
	figures_session g = f;
	g.capacity_rps = INFINITY;
	g.tpot_s = (figures_dist){NAN, NAN, NAN, NAN, NAN};
	m.session_id = 1;
	m.policy = "static";
	m.mode = MODE_STATIC;
	ck_assert_msg(store_put_session(s, &m, &g) == 0, "%s", store_errmsg(s));
	session_rec r[2] = {{10, 5, false, 0, 0, 1, 0.1, 1.4, 2, 0.05, 4, SESSION_RM_PREFILL, SESSION_RM_DECODE, 1,
			     {SESSION_RM_DECODE}, 0},
			    {10, 1, true, 3, 0.5, 1.5, NAN, 2, 0, 0, 2, SESSION_RM_DECODE, SESSION_RM_DECODE, 1,
			     {SESSION_RM_DECODE}, 0}};
	const char *const rm_names[2] = {"prefill", "decode"};
	ck_assert_msg(store_put_requests(s, run, 0, r, 2, rm_names, 2) == 0, "%s", store_errmsg(s));
	store_breakeven b = {run, "pdswap", "tellme", -1, -1, "analytic", "threshold", 64, 16, 1.0, 5.0, 1.2, 5.5, NULL, NULL};
	ck_assert_msg(store_put_breakeven(s, &b) == 0, "%s", store_errmsg(s));
	/* a NaN, an infinity or a negative figure is refused by name */
	figures_session bad = f;
	bad.e2e_s.p99 = NAN;
	m.session_id = 2;
	m.policy = "always";
	m.mode = MODE_DPR;
	ck_assert_int_eq(store_put_session(s, &m, &bad), -1);
	ck_assert_ptr_nonnull(strstr(store_errmsg(s), "'e2e_s.p99' is nan"));
	bad = f;
	bad.energy_j = -1;
	ck_assert_int_eq(store_put_session(s, &m, &bad), -1);
	ck_assert_ptr_nonnull(strstr(store_errmsg(s), "'energy_j' is -1"));
	session_rec rb = r[0];
	rb.ttft_s = INFINITY;
	ck_assert_int_eq(store_put_requests(s, run, 0, &rb, 1, rm_names, 2), -1);
	ck_assert_ptr_nonnull(strstr(store_errmsg(s), "'ttft_s' is inf"));
	b.prompt = 128;
	b.static_e2e_s = NAN;
	ck_assert_int_eq(store_put_breakeven(s, &b), -1);
	ck_assert_ptr_nonnull(strstr(store_errmsg(s), "'static_e2e_s' is nan"));
	ck_assert_int_eq(store_commit(s), 0);
	/* the reader gives back what was stored */
	rdb_session rs[4];
	char err[600];
	ck_assert_int_eq(rdb_sessions(h, DB, run, rs, 4, err, sizeof err), 2);
	ck_assert(rs[0].f.e2e_s.p99 == 2.7 && rs[0].f.capacity_rps == 0.5 && rs[0].f.swaps == 5 && rs[0].f.slo_met &&
		  rs[0].mode == MODE_DPR && strcmp(rs[0].policy, "always") == 0 && strcmp(rs[0].workload, "chat") == 0);
	ck_assert(isinf(rs[1].f.capacity_rps) && isnan(rs[1].f.tpot_s.p50) && rs[1].mode == MODE_STATIC);
	rdb_breakeven rb2[2];
	ck_assert_int_eq(rdb_breakeven_cells(h, DB, run, rb2, 2, err, sizeof err), 1);
	ck_assert(rb2[0].prompt == 64 && rb2[0].static_energy_j == 5.5);
	ck_assert_int_eq(count(h, "SELECT count(*) FROM v_requests WHERE policy='always' AND tpot_s IS NULL AND output=1"), 1);
	ck_assert_int_eq(count(h, "SELECT round(100 * e2e_gain) FROM v_breakeven"), 120);
	/* the schema refuses bad numbers in raw SQL too */
	guard_table(h, "sessions", "session_id=0", "session_id", "session_id + 10",
		    "capacity_rps offered_rps tpot_mean_s tpot_p50_s tpot_p90_s tpot_p95_s tpot_p99_s");
	guard_table(h, "requests", "request_id=0", "request_id", "request_id + 10", "");
	guard_table(h, "breakeven", "prompt=64", "prompt", "prompt + 1000", "");
	static const char *const refused[] = {
		"UPDATE sessions SET policy='static' WHERE session_id=0",              /* a dpr design's static policy */
		"UPDATE sessions SET capacity_unbounded=1 WHERE session_id=0",         /* unbounded with a number */
		"UPDATE requests SET tpot_s=NULL WHERE output=5",                      /* TPOT missing */
		"UPDATE requests SET tpot_s=0.1 WHERE output=1",                       /* a TPOT of one token */
		"UPDATE requests SET prefill_rm=''",                                  /* a module without a name */
		"UPDATE requests SET decode_rms=NULL",                                /* no decode modules */
		"UPDATE runs SET kind='other'",
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		int rc = sqlite3_exec(h, refused[i], NULL, NULL, NULL);
		ck_assert_msg(is_guard(rc), "not refused by a guard (%d): %s", rc, refused[i]);
	}
	store_close(s);
	rm_db();
	cfg_release(&c);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *t = tcase_create("sqlite");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, round_trip_and_views);
	tcase_add_test(t, refuses_foreign_files);
	tcase_add_test(t, api_refuses_numbers_that_are_not_figures);
	tcase_add_test(t, schema_refuses_bad_numbers_in_raw_sql);
	tcase_add_test(t, migrates_a_version_1_file);
	tcase_add_test(t, migrates_a_version_4_file);
	tcase_add_test(t, migrates_a_version_4_file_without_kv);
	tcase_add_test(t, refuses_a_version_1_file_it_cannot_migrate);
	tcase_add_test(t, refuses_a_damaged_database);
	tcase_add_test(t, damage_found_part_way_stops_all_writes);
	tcase_add_test(t, waits_for_a_locked_database_then_says_so);
	tcase_add_test(t, a_full_database_keeps_what_was_committed);
	tcase_add_test(t, refuses_paths_it_cannot_write);
	tcase_add_test(t, sessions_round_trip_and_guards);
	suite_add_tcase(s, t);
	return s;
}
