/*
 * check_shards.c - shards of a sweep and their merge (explore/shards.h),
 * and the contract of a work source (sweep.h: sweep_source), against a
 * run that evaluated the whole space in one process:
 *   - shards 1/N..N/N partition the space's chunks, and merged (in any
 *     order of the files) they give the rows of the straight run, with
 *     every point stored too, and for an N that does not divide the
 *     chunks;
 *   - merge refuses a shard of another config, of another model, one not
 *     complete, one given twice, shards of another N or settings, a file
 *     without a sweep, and a missing shard, naming it;
 *   - a source that evaluates chunk by chunk in its own order and hands
 *     over only the points that joined its own front (what each MPI rank
 *     does, dse/mpi/ranks.c), and one that simulates the DES points,
 *     give the straight run's rows;
 *   - a merge resumes an interrupted run of the same config, and an
 *     interrupted shard resumes as a shard.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "explore/group.h"
#include "explore/pareto.h"
#include "explore/recheck.h"
#include "explore/shards.h"
#include "explore/space.h"
#include "explore/sweep.h"
#include "models/common.h"
#include "store/store.h"
#include "suites.h"
#include "testutil.h"

/* The small space of check_sweep.c: a few thousand points. */
static const char *const small_ed[] = {
	"tlmm_lanes: [4, 6, 8, 10, 12]", "tlmm_lanes: [8, 12]",
	"prefill_pe: [4, 8, 16, 24, 32]", "prefill_pe: [8, 16]",
	"prefill_lanes: [2, 4, 8]", "prefill_lanes: [4, 8]",
	"prefill_block: [1, 4, 16]", "prefill_block: [1, 16]",
	"decode_lanes: [8, 16, 32, 48]", "decode_lanes: [16, 32]",
};
#define N_SMALL_ED 5

static void rm_db(const char *db)
{
	char p[512];
	remove(db);
	snprintf(p, sizeof p, "%s-wal", db);
	remove(p);
	snprintf(p, sizeof p, "%s-shm", db);
	remove(p);
	snprintf(p, sizeof p, "%s.lock", db);
	remove(p);
}

static int sweep_with(const cfg_t *c, const char *db, const sweep_opts *o, sweep_result *r, char *err,
		      size_t errlen)
{
	workload_t w;
	workload_init(&w, &c->model);
	store *s;
	ck_assert_msg(store_open(&s, db, err, errlen) == 0, "%s", err);
	int rc = sweep_run(c, &w, s, o, r, err, errlen);
	store_close(s);
	return rc;
}

static void sweep_ok(const cfg_t *c, const char *db, const sweep_opts *o, sweep_result *r)
{
	char err[2600];
	int rc = sweep_with(c, db, o, r, err, sizeof err);
	ck_assert_msg(rc == 0, "sweep: %s", err);
}

static void straight(const cfg_t *c, const char *db, bool all_points, sweep_result *r)
{
	rm_db(db);
	sweep_opts o = {.threads = 2, .all_points = all_points};
	sweep_ok(c, db, &o, r);
}

static void shard_into(const cfg_t *c, const char *db, int i, int n, bool all_points)
{
	rm_db(db);
	sweep_opts o = {.threads = 2, .all_points = all_points, .shard = i, .n_shards = n};
	sweep_result r;
	sweep_ok(c, db, &o, &r);
	if (n > 1)
		ck_assert_int_eq(r.chosen, -1); /* a shard does not choose (1/1 is the whole space) */
}

/* Merge files[0..n) into out: sweep_run's return value (err set). */
static int merge(const char *out, const char *const *files, int n, sweep_result *r, char *err, size_t errlen)
{
	shards *sh;
	int rc = shards_open(&sh, files, n, err, errlen);
	if (rc)
		return rc;
	sweep_source src;
	shards_source(sh, &src);
	sweep_opts o = {.threads = 1, .all_points = shards_all_points(sh), .src = &src};
	rc = sweep_with(shards_cfg(sh), out, &o, r, err, errlen);
	shards_close(sh);
	return rc;
}

static int64_t q(const char *db, const char *sql)
{
	return tu_query_int(db, sql, -1);
}

/* Shards 1/n..n/n of c merged (files in reverse order) equal the straight run in ref. */
static void shards_equal(const cfg_t *c, const char *ref, int64_t ref_run, int n, bool all_points)
{
	char files[16][64];
	const char *list[16];
	int64_t chunks = 0, points = 0;
	for (int i = 1; i <= n; i++) {
		snprintf(files[i - 1], sizeof files[i - 1], "build/test_shards_%d.db", i);
		shard_into(c, files[i - 1], i, n, all_points);
		list[n - i] = files[i - 1];
		char sql[200];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM chunks WHERE chunk_id %% %d != %d", n, i - 1);
		ck_assert_int_eq(q(files[i - 1], sql), 0);
		chunks += q(files[i - 1], "SELECT count(*) FROM chunks");
		points += q(files[i - 1], "SELECT n_points FROM runs");
		ck_assert_int_eq(q(files[i - 1], n > 1 ? "SELECT count(*) FROM runs WHERE kind='shard' AND status='complete'"
						      : "SELECT count(*) FROM runs WHERE kind='sweep' AND status='complete'"),
				 1);
		ck_assert_int_eq(q(files[i - 1], "SELECT count(*) FROM chosen"), n > 1 ? 0 : 1);
	}
	/* a partition of the space */
	ck_assert_int_eq(chunks, q(ref, "SELECT count(*) FROM chunks"));
	ck_assert_int_eq(points, q(ref, "SELECT n_points FROM runs"));
	const char *out = "build/test_shards_out.db";
	rm_db(out);
	sweep_result r;
	char err[4096];
	int rc = merge(out, list, n, &r, err, sizeof err);
	ck_assert_msg(rc == 0, "merge: %s", err);
	char what[64];
	snprintf(what, sizeof what, "%d shards%s merged vs one run", n, all_points ? " of every point" : "");
	tu_same_run(ref, ref_run, out, r.run_id, what);
	for (int i = 0; i < n; i++)
		rm_db(files[i]);
	rm_db(out);
}

START_TEST(merged_shards_equal_one_run)
{
	cfg_t c;
	tu_load_edited(&c, "small.yaml", small_ed, N_SMALL_ED);
	const char *ref = "build/test_shards_ref.db";
	sweep_result r;
	straight(&c, ref, false, &r);
	ck_assert_int_ge(r.chosen, 0);
	shards_equal(&c, ref, r.run_id, 3, false);
	int64_t n_chunks = q(ref, "SELECT n_chunks FROM sweeps");
	ck_assert_int_gt(n_chunks % 7, 0); /* 7 does not divide the chunks */
	shards_equal(&c, ref, r.run_id, 7, false);
	shards_equal(&c, ref, r.run_id, 1, false);
	straight(&c, ref, true, &r);
	shards_equal(&c, ref, r.run_id, 2, true);
	rm_db(ref);
	cfg_release(&c);
}
END_TEST

/* shards_open(files) is refused; its message holds each of want[]. */
static void refused(const char *const *files, int n, const char *const *want)
{
	shards *sh;
	char err[4096] = "";
	int rc = shards_open(&sh, files, n, err, sizeof err);
	ck_assert_msg(rc == PDS_FAIL_REQUEST, "not refused (%d): %s", rc, err);
	for (const char *const *w = want; *w; w++)
		ck_assert_msg(strstr(err, *w) != NULL, "'%s' not in: %s", *w, err);
}

static void sql(const char *db, const char *stmt)
{
	sqlite3 *h;
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(h, stmt, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", stmt, sqlite3_errmsg(h));
	sqlite3_close(h);
}

static void copy_db(const char *from, const char *to)
{
	rm_db(to);
	sqlite3 *a, *b;
	ck_assert_int_eq(sqlite3_open(from, &a), SQLITE_OK);
	ck_assert_int_eq(sqlite3_open(to, &b), SQLITE_OK);
	sqlite3_backup *bk = sqlite3_backup_init(b, "main", a, "main");
	ck_assert_ptr_nonnull(bk);
	ck_assert_int_eq(sqlite3_backup_step(bk, -1), SQLITE_DONE);
	sqlite3_backup_finish(bk);
	sqlite3_close(a);
	sqlite3_close(b);
}

START_TEST(merge_refuses_what_is_not_one_sweep)
{
	cfg_t c, other;
	tu_load_edited(&c, "small.yaml", small_ed, N_SMALL_ED);
	const char *s1 = "build/test_shards_r1.db", *s2 = "build/test_shards_r2.db", *s3 = "build/test_shards_r3.db";
	shard_into(&c, s1, 1, 3, false);
	shard_into(&c, s2, 2, 3, false);
	shard_into(&c, s3, 3, 3, false);
	/* missing: named, with what was given */
	refused((const char *const[]){s1, s3}, 2,
		(const char *const[]){"shard 2/3 is missing", "1/3 build/test_shards_r1.db", "3/3 build/test_shards_r3.db",
				      NULL});
	refused((const char *const[]){s2}, 1, (const char *const[]){"shards 1/3, 3/3 are missing", NULL});
	/* given twice */
	refused((const char *const[]){s1, s2, s2, s3}, 4,
		(const char *const[]){"shard 2/3 is given twice: build/test_shards_r2.db and build/test_shards_r2.db", NULL});
	/* another config: the same shard of a config with another objective */
	const char *const alpha[] = {"alpha: 0.7", "alpha: 0.6"};
	const char *const both[] = {small_ed[0], small_ed[1], small_ed[2], small_ed[3], small_ed[4], small_ed[5],
				    small_ed[6], small_ed[7], small_ed[8], small_ed[9], alpha[0], alpha[1]};
	tu_load_edited(&other, "other.yaml", both, N_SMALL_ED + 1);
	const char *x2 = "build/test_shards_x2.db";
	shard_into(&other, x2, 2, 3, false);
	refused((const char *const[]){s1, x2, s3}, 3,
		(const char *const[]){"build/test_shards_x2.db: shard 2/3 of another config (other.yaml", "small.yaml",
				      NULL});
	cfg_release(&other);
	/* another model */
	const char *f2 = "build/test_shards_f2.db";
	copy_db(s2, f2);
	sql(f2, "UPDATE runs SET model_fingerprint = '0123456789abcdef'");
	refused((const char *const[]){s1, f2, s3}, 3,
		(const char *const[]){"build/test_shards_f2.db: shard 2/3 was made by another model (fingerprint "
				      "0123456789abcdef; this build's is",
				      NULL});
	/* not complete */
	const char *i2 = "build/test_shards_i2.db";
	copy_db(s2, i2);
	sql(i2, "UPDATE runs SET status = 'interrupted'; DELETE FROM chunks WHERE chunk_id = (SELECT max(chunk_id) FROM chunks)");
	refused((const char *const[]){s1, i2, s3}, 3,
		(const char *const[]){"build/test_shards_i2.db: shard 2/3 (run 1 of small.yaml) is not complete (interrupted,",
				      "finish it by running its command again", NULL});
	/* complete, but a chunk short */
	sql(i2, "UPDATE runs SET status = 'complete'");
	refused((const char *const[]){s1, i2, s3}, 3, (const char *const[]){"build/test_shards_i2.db: shard 2/3", "chunks; the shard has", NULL});
	/* another N */
	const char *n2 = "build/test_shards_n2.db";
	shard_into(&c, n2, 2, 4, false);
	refused((const char *const[]){s1, n2, s3}, 3,
		(const char *const[]){"build/test_shards_n2.db: shard 2/4, but build/test_shards_r1.db is shard 1/3", NULL});
	/* other settings */
	const char *a2 = "build/test_shards_a2.db";
	shard_into(&c, a2, 2, 3, true);
	refused((const char *const[]){s1, a2, s3}, 3,
		(const char *const[]){"build/test_shards_a2.db: shard 2/3 was made with --all-points", NULL});
	/* no sweep at all: a database with only a run of the named designs */
	const char *d = "build/test_shards_d.db";
	rm_db(d);
	store *s;
	char err[2600];
	ck_assert_msg(store_open(&s, d, err, sizeof err) == 0, "%s", err);
	int64_t run;
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_new_run(s, &c, "designs", 1, &run), 0);
	ck_assert_int_eq(store_commit(s), 0);
	store_close(s);
	refused((const char *const[]){d}, 1, (const char *const[]){"build/test_shards_d.db: holds no sweep", NULL});
	/* not a database */
	shards *sh;
	ck_assert_int_eq(shards_open(&sh, (const char *const[]){"build/test_shards_nosuch.db"}, 1, err, sizeof err), PDS_FAIL);
	ck_assert_msg(strstr(err, "build/test_shards_nosuch.db") != NULL, "%s", err);
	/* and the three of one sweep are taken */
	ck_assert_int_eq(shards_open(&sh, (const char *const[]){s3, s1, s2}, 3, err, sizeof err), 0);
	ck_assert_int_eq(shards_count(sh), 3);
	ck_assert_str_eq(shards_file(sh, 1), s1);
	shards_close(sh);
	const char *all[] = {s1, s2, s3, x2, f2, i2, n2, a2, d};
	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
		rm_db(all[k]);
	cfg_release(&c);
}
END_TEST

/* ------------------------------------------------ the source contract */

/*
 * What an MPI rank does, in one process: take one chunk at a time (from
 * the end of each group the feed gives, so the order differs from the
 * local workers'), evaluate it, offer its front to the source's own
 * front and hand over the chunk with the points that joined.
 */
typedef struct {
	const cfg_t *c;
	pareto *front[2];
	bool stop_after_one; /* give one group, then stop the sweep as a signal would */
	atomic_int des_done;
} rank_like;

/* A source like an MPI rank's for config c (rank_done() frees it). */
static void rank_init(rank_like *rl, const cfg_t *c, bool stop_after_one)
{
	workload_t w;
	workload_init(&w, &c->model);
	space_t sp;
	space_init(&sp, c);
	factor *f = factor_new(c, &w, &sp);
	ck_assert_ptr_nonnull(f);
	int n_obj = factor_get_layout(f)->n_obj;
	factor_free(f);
	*rl = (rank_like){.c = c, .stop_after_one = stop_after_one};
	atomic_init(&rl->des_done, 0);
	rl->front[0] = pareto_new(n_obj);
	rl->front[1] = pareto_new(n_obj);
	ck_assert(rl->front[0] && rl->front[1]);
}

static void rank_done(rank_like *rl)
{
	pareto_free(rl->front[0]);
	pareto_free(rl->front[1]);
}

static int rank_chunks(void *arg, sweep_feed *f, char *err, size_t errlen)
{
	rank_like *rl = arg;
	const space_t *sp = sweep_feed_space(f);
	const factor *fac = sweep_feed_factor(f);
	const int n_obj = factor_get_layout(fac)->n_obj;
	group_eval *e = group_eval_new(fac, sp);
	ck_assert_ptr_nonnull(e);
	int64_t ch[4];
	size_t n;
	static volatile sig_atomic_t never;
	while ((n = sweep_feed_take(f, ch, 4)) > 0) {
		for (size_t k = n; k-- > 0;) {
			group_result *g, *out = group_result_new(1, 0, n_obj);
			ck_assert_int_eq(group_eval_run(e, &ch[k], 1, &never, &g), 0);
			ck_assert_ptr_nonnull(out);
			memcpy(out->chunk, g->chunk, g->n_chunks * sizeof *g->chunk);
			memcpy(out->knobs, g->knobs, sizeof g->knobs);
			out->n_chunks = g->n_chunks;
			for (size_t i = 0; i < g->n; i++) {
				int mi = space_mode_of(sp, g->id[i]) == &sp->m[0] ? 0 : 1;
				int jr = pareto_insert(rl->front[mi], g->id[i], g->v + i * (size_t)n_obj);
				ck_assert_int_ge(jr, 0);
				if (jr == 1)
					ck_assert_int_eq(group_result_add(out, g->id[i], g->v + i * (size_t)n_obj, n_obj), 0);
			}
			group_result_free(g);
			if (sweep_feed_give(f, out))
				break;
		}
		if (rl->stop_after_one) {
			sweep_stop(SIGINT);
			break;
		}
	}
	group_eval_free(e);
	(void)err;
	(void)errlen;
	return 0;
}

static int rank_des(void *arg, recheck_feed *f, char *err, size_t errlen)
{
	rank_like *rl = arg;
	const recheck_lengths *L = recheck_feed_lengths(f);
	workload_t w;
	workload_init(&w, &rl->c->model);
	figures_len v[RECHECK_MAX_LEN];
	long i;
	while ((i = recheck_feed_take(f)) >= 0) {
		const recheck_item *it = recheck_feed_item(f, i);
		char why[300];
		if (recheck_simulate(rl->c, &w, L, &it->d, v, why, sizeof why)) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
		recheck_feed_give(f, i, v, NULL);
		atomic_fetch_add(&rl->des_done, 1);
	}
	return 0;
}

START_TEST(a_source_with_its_own_front_gives_the_same_run)
{
	cfg_t c;
	tu_load_edited(&c, "small.yaml", small_ed, N_SMALL_ED);
	const char *ref = "build/test_shards_sref.db", *db = "build/test_shards_src.db";
	sweep_result a, b;
	straight(&c, ref, false, &a);
	for (int exclusive = 0; exclusive < 2; exclusive++) {
		rank_like rl;
		rank_init(&rl, &c, false);
		sweep_source src = {.chunks = rank_chunks, .des = rank_des, .arg = &rl, .exclusive = exclusive, .ranks = 3};
		sweep_opts o = {.threads = 1, .src = &src};
		rm_db(db);
		sweep_ok(&c, db, &o, &b);
		tu_same_run(ref, a.run_id, db, b.run_id, exclusive ? "a source alone vs one run" : "a source beside a thread vs one run");
		ck_assert_int_eq(b.ranks, 3);
		ck_assert_int_eq(q(db, "SELECT ranks FROM v_runs"), 3);
		if (exclusive)
			ck_assert_int_eq(atomic_load(&rl.des_done), (int)b.des_total);
		rank_done(&rl);
	}
	rm_db(ref);
	rm_db(db);
	cfg_release(&c);
}
END_TEST

START_TEST(merge_and_shards_resume)
{
	cfg_t c;
	tu_load_edited(&c, "small.yaml", small_ed, N_SMALL_ED);
	const char *ref = "build/test_shards_mref.db", *db = "build/test_shards_mres.db";
	sweep_result a, b;
	straight(&c, ref, false, &a);
	/* an interrupted run of the whole space: the source gives some chunks, then stops it */
	rank_like rl;
	rank_init(&rl, &c, true);
	sweep_source src = {.chunks = rank_chunks, .arg = &rl, .exclusive = true};
	sweep_opts o = {.threads = 1, .src = &src};
	rm_db(db);
	char err[4096];
	ck_assert_int_eq(sweep_with(&c, db, &o, &b, err, sizeof err), 1);
	ck_assert_int_eq(b.signal, SIGINT);
	int64_t done = q(db, "SELECT count(*) FROM chunks");
	ck_assert_msg(done > 0 && done < q(ref, "SELECT count(*) FROM chunks"), "%lld chunks", (long long)done);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM runs WHERE status='interrupted'"), 1);
	rank_done(&rl);
	/* the merge of the shards into it resumes it */
	const char *s1 = "build/test_shards_m1.db", *s2 = "build/test_shards_m2.db";
	shard_into(&c, s1, 1, 2, false);
	/* an interrupted shard resumes as the same shard */
	rm_db(s2);
	rank_init(&rl, &c, true);
	sweep_opts os = {.threads = 1, .src = &src, .shard = 2, .n_shards = 2};
	ck_assert_int_eq(sweep_with(&c, s2, &os, &b, err, sizeof err), 1);
	rank_done(&rl);
	sweep_opts os2 = {.threads = 2, .shard = 2, .n_shards = 2};
	sweep_ok(&c, s2, &os2, &b);
	ck_assert(b.resumed);
	ck_assert_int_eq(q(s2, "SELECT count(*) FROM runs"), 1);
	const char *list[] = {s2, s1};
	ck_assert_msg(merge(db, list, 2, &b, err, sizeof err) == 0, "merge: %s", err);
	ck_assert(b.resumed);
	ck_assert_int_eq(b.chunks_before, done);
	tu_same_run(ref, a.run_id, db, b.run_id, "an interrupted run completed by a merge vs one run");
	ck_assert_int_eq(q(db, "SELECT count(*) FROM runs"), 1);
	/* merging again makes a new run with the same rows */
	ck_assert_msg(merge(db, list, 2, &b, err, sizeof err) == 0, "merge: %s", err);
	ck_assert(!b.resumed);
	tu_same_run(ref, a.run_id, db, b.run_id, "a second merge vs one run");
	rm_db(ref);
	rm_db(db);
	rm_db(s1);
	rm_db(s2);
	cfg_release(&c);
}
END_TEST

Suite *shards_suite(void)
{
	Suite *s = suite_create("shards");
	TCase *t = tcase_create("merge");
	tcase_set_timeout(t, 600);
	tcase_add_test(t, merged_shards_equal_one_run);
	tcase_add_test(t, merge_refuses_what_is_not_one_sweep);
	tcase_add_test(t, a_source_with_its_own_front_gives_the_same_run);
	tcase_add_test(t, merge_and_shards_resume);
	suite_add_tcase(s, t);
	return s;
}
