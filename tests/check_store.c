/*
 * check_store.c - results.db: schema, views, refusals, CHECK constraints.
 */
#include <math.h>
#include <sqlite3.h>
#include <unistd.h>

#include "perf.h"
#include "store.h"
#include "suites.h"
#include "testutil.h"
#include "workload.h"

#define DB "build/test_store.db"

static void rm_db(void)
{
	remove(DB);
	remove(DB "-wal");
	remove(DB "-shm");
}

static int64_t count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

START_TEST(round_trip_and_views)
{
	cfg_t c;
	tu_load_default(&c);
	wl_t w;
	wl_init(&w, &c.model);
	rm_db();
	store *s;
	char err[1024];
	ck_assert_msg(store_open(&s, DB, err, sizeof err) == 0, "%s", err);
	int64_t run;
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_new_run(s, &c, "designs", 1, &run), 0);
	perf_ctx p;
	perf_res r;
	perf_prepare(&p, &c, &w, &c.designs[0].d);
	perf_resources(&p, &r);
	store_point sp = {run, 0, "tellme", &c.designs[0].d, &r, true, NULL, 1.5, NAN, NAN};
	ck_assert_msg(store_put_point(s, &c, &sp) == 0, "%s", store_errmsg(s));
	store_metric m = {run, 0, "analytic", 64, 0.45, 0.44, NAN, NAN, NAN, NAN};
	ck_assert_msg(store_put_metric(s, &m) == 0, "%s", store_errmsg(s));
	ck_assert_int_eq(store_put_pareto(s, run, 0), 0);
	ck_assert_int_eq(store_put_chosen(s, run, 0, 1.5), 0);
	ck_assert_int_eq(store_finish_run(s, run, "complete", 1, 1), 0);
	ck_assert_int_eq(store_commit(s), 0);
	sqlite3 *db = store_db(s);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM v_points WHERE design_name='tellme' AND mode='static'"), 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM v_metrics WHERE source='analytic' AND prompt=64 AND decode_tok_s IS NULL"), 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM v_pareto"), 1);
	ck_assert_int_eq(count(db, "SELECT point_id FROM v_chosen"), 0);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM runs WHERE status='complete' AND length(config_sha256)=64"), 1);
	/* CHECK constraints refuse negative and infinite values */
	store_metric bad = {run, 0, "analytic", 128, -1, 0.1, NAN, NAN, NAN, NAN};
	ck_assert_int_eq(store_put_metric(s, &bad), -1);
	bad.ttft_s = INFINITY;
	ck_assert_int_eq(store_put_metric(s, &bad), -1);
	store_close(s);
	rm_db();
	cfg_release(&c);
}
END_TEST

START_TEST(refuses_foreign_files)
{
	char err[1024];
	store *s;
	rm_db();
	FILE *f = fopen(DB, "wb");
	fputs("this is not a database, and it must survive\n", f);
	fclose(f);
	ck_assert_int_eq(store_open(&s, DB, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a SQLite database"));
	char *txt = tu_read(DB, NULL);
	ck_assert_str_eq(txt, "this is not a database, and it must survive\n");
	free(txt);
	rm_db();

	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(DB, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t(x); PRAGMA user_version=0;", 0, 0, 0), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(store_open(&s, DB, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "another application"));
	rm_db();

	ck_assert_int_eq(sqlite3_open(DB, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version=99;", 0, 0, 0), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(store_open(&s, DB, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "newer"));
	rm_db();
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *t = tcase_create("sqlite");
	tcase_add_test(t, round_trip_and_views);
	tcase_add_test(t, refuses_foreign_files);
	suite_add_tcase(s, t);
	return s;
}
