/*
 * check_sweep.c - the design-space sweep end to end, against results.db:
 * the stored front is the brute-force front of the space and every stored
 * point's feasibility is what perf_feasible() says; the thread count, a
 * re-run, a kill -9 or a SIGTERM part-way followed by a resume all give
 * the same database content; the views carry their documented columns.
 *
 * The kill tests run the real binary (PDSWAP_BIN, set by `make check`) as
 * a child process, slowed by PDSWAP_CHUNK_DELAY_MS so that it can be
 * caught half-way, and kill it once the database records some chunks.
 */
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/des.h"
#include "explore/factor.h"
#include "models/perf.h"
#include "models/rms.h"
#include "explore/space.h"
#include "store/store.h"
#include "suites.h"
#include "explore/sweep.h"
#include "testutil.h"

/* A smaller space with the same outer knobs: a few thousand points. */
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
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert(fputs(text, f) >= 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* build/test_sweep_small.yaml, the small space as a file for the binary. */
static const char *small_yaml(void)
{
	static const char *path = "build/test_sweep_small.yaml";
	char *t = tu_edited_text(small_ed, N_SMALL_ED);
	write_file(path, t);
	free(t);
	return path;
}

static void sweep_into(const cfg_t *c, const char *db, int threads, bool all_points, sweep_result *r)
{
	workload_t w;
	workload_init(&w, &c->model);
	store *s;
	char err[2600];
	ck_assert_msg(store_open(&s, db, err, sizeof err) == 0, "%s", err);
	sweep_opts o = {.threads = threads, .all_points = all_points, .progress = false};
	int rc = sweep_run(c, &w, s, &o, r, err, sizeof err);
	ck_assert_msg(rc == 0, "sweep: %s", err);
	store_close(s);
}

static sqlite3 *open_ro(const char *db)
{
	sqlite3 *h;
	ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(h, 10000);
	return h;
}

static int64_t q_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(h));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* ids of the brute-force front of v (n rows of d), ascending. */
static size_t brute_front(const double *v, const int64_t *id, size_t n, int d, int64_t *out)
{
	size_t h = 0;
	for (size_t i = 0; i < n; i++) {
		bool dom = false;
		for (size_t j = 0; j < n && !dom; j++) {
			int k = 0, lt = 0;
			for (; k < d && v[j * d + k] <= v[i * d + k]; k++)
				lt += v[j * d + k] < v[i * d + k];
			dom = k == d && lt > 0;
		}
		if (!dom)
			out[h++] = id[i];
	}
	return h;
}

/*
 * The stored Pareto set of a run equals the brute-force front, per mode,
 * of the feasible points of the chunks it records as finished.
 */
static void front_is_exact(const cfg_t *c, const char *db, int64_t run)
{
	workload_t w;
	workload_init(&w, &c->model);
	space_t s;
	space_init(&s, c);
	factor *f = factor_new(c, &w, &s);
	factor_scratch *x = factor_scratch_new();
	int d = factor_get_layout(f)->n_obj;
	sqlite3 *h = open_ro(db);
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT 1 FROM chunks WHERE run_id=? AND chunk_id=?", -1, &st, NULL),
			 SQLITE_OK);
	for (int mi = 0; mi < s.n_modes; mi++) {
		factor_buf b = {0};
		for (int64_t k = s.m[mi].chunk_base; k < s.m[mi].chunk_base + s.m[mi].n_chunks; k++) {
			sqlite3_bind_int64(st, 1, run);
			sqlite3_bind_int64(st, 2, k);
			bool done = sqlite3_step(st) == SQLITE_ROW;
			sqlite3_reset(st);
			factor_counts cnt = {0};
			if (done)
				ck_assert_int_eq(factor_chunk(f, x, k, &b, &cnt, NULL), 0);
		}
		int64_t *want = malloc((b.n + 1) * sizeof *want);
		size_t hw = brute_front(b.v, b.id, b.n, d, want);
		char sql[200];
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM pareto JOIN points USING(run_id, point_id) WHERE run_id=%lld AND mode='%s'",
			 (long long)run, mode_names[s.m[mi].mode]);
		ck_assert_int_eq(q_int(h, sql), (int64_t)hw);
		sqlite3_stmt *m;
		ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT 1 FROM pareto WHERE run_id=? AND point_id=?", -1, &m, NULL),
				 SQLITE_OK);
		for (size_t i = 0; i < hw; i++) {
			sqlite3_bind_int64(m, 1, run);
			sqlite3_bind_int64(m, 2, want[i]);
			ck_assert_msg(sqlite3_step(m) == SQLITE_ROW, "point %lld is on the front but not stored",
				      (long long)want[i]);
			sqlite3_reset(m);
		}
		sqlite3_finalize(m);
		free(want);
		factor_buf_release(&b);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	factor_scratch_free(x);
	factor_free(f);
}

/* Every stored point's feasibility is perf_feasible's; front and chosen points are feasible. */
static void stored_points_honest(const cfg_t *c, const char *db, int64_t run)
{
	workload_t w;
	workload_init(&w, &c->model);
	store *s;
	char err[2600];
	ck_assert_msg(store_open(&s, db, err, sizeof err) == 0, "%s", err);
	sqlite3 *h = store_db(s);
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT point_id, feasible, objective FROM points WHERE run_id=?", -1,
					    &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, run);
	int64_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		design_t d;
		ck_assert_int_eq(store_get_design(s, c, run, id, &d), 0);
		rms_ctx p;
		char why[200];
		rms_prepare(&p, c, &w, &d);
		bool feas = rms_feasible(&p, why, sizeof why);
		ck_assert_msg(feas == (sqlite3_column_int(st, 1) == 1), "point %lld stored feasible=%d, model says %d (%s)",
			      (long long)id, sqlite3_column_int(st, 1), feas, why);
		ck_assert_double_eq(sqlite3_column_double(st, 2), rms_objective(&p));
		n++;
	}
	sqlite3_finalize(st);
	ck_assert(n > 0);
	char sql[300];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM pareto JOIN points USING(run_id, point_id) WHERE run_id=%lld AND feasible=0",
		 (long long)run);
	ck_assert_int_eq(q_int(h, sql), 0);
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM chosen JOIN points USING(run_id, point_id) WHERE run_id=%lld AND feasible=1",
		 (long long)run);
	ck_assert_int_eq(q_int(h, sql), 1);
	store_close(s);
}

/* The front point of `mode` of least DES objective with DES TTFT within t_pre_max, from SQL alone. */
static int64_t best_by_des(sqlite3 *h, const cfg_t *c, const char *mode)
{
	char sql[1200];
	snprintf(sql, sizeof sql,
		 "SELECT p.point_id FROM v_pareto f JOIN v_points p USING(run_id, point_id)"
		 " JOIN v_metrics a ON a.run_id=p.run_id AND a.point_id=p.point_id AND a.source='des' AND a.prompt=%d"
		 " JOIN v_metrics l ON l.run_id=p.run_id AND l.point_id=p.point_id AND l.source='des' AND l.prompt=%d"
		 " JOIN v_metrics s ON s.run_id=p.run_id AND s.point_id=p.point_id AND s.source='des' AND s.prompt=%d"
		 " WHERE p.mode='%s' AND a.ttft_s <= %.17g"
		 " ORDER BY a.ttft_s + %.17g * l.decode_step_s + (1 - %.17g) * s.decode_step_s, p.point_id LIMIT 1",
		 c->obj.prompt, c->obj.l_long, c->obj.l_short, mode, c->cons.t_pre_max_s, c->obj.alpha, c->obj.alpha);
	return q_int(h, sql);
}

START_TEST(front_is_the_brute_force_front)
{
	const char *db = "build/test_sweep_front.db";
	rm_db(db);
	cfg_t c;
	tu_load_default(&c);
	sweep_result r;
	sweep_into(&c, db, 2, false, &r);
	space_t s;
	space_init(&s, &c);
	ck_assert_int_eq(r.n_points, s.n_points);
	ck_assert(r.n_feasible > 0 && r.n_feasible < r.n_points);
	front_is_exact(&c, db, r.run_id);
	stored_points_honest(&c, db, r.run_id);
	sqlite3 *h = open_ro(db);
	/* no swept point that violates a constraint is kept */
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM points WHERE design_name IS NULL AND feasible=0"), 0);
	/* only the fronts and the named designs are kept */
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM points WHERE design_name IS NULL"),
			 q_int(h, "SELECT count(*) FROM pareto"));
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM points WHERE design_name IS NOT NULL"), c.n_designs);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM pareto"), r.n_front[0] + r.n_front[1]);
	/* every front point has analytic metrics at every workload length */
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM pareto p WHERE (SELECT count(*) FROM metrics m WHERE"
				  " m.run_id=p.run_id AND m.point_id=p.point_id AND m.source='analytic') != 7"),
			 0);
	/* every front point and named design was re-simulated at every length */
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM points p WHERE (SELECT count(*) FROM metrics m WHERE"
				  " m.run_id=p.run_id AND m.point_id=p.point_id AND m.source='des') != 7"),
			 0);
	/* the chosen point is the dpr front point of least DES objective under
	 * t_pre_max (ties: smallest id); the same rule gives the best static one */
	ck_assert_int_eq(q_int(h, "SELECT point_id FROM v_chosen"), r.chosen);
	ck_assert_int_eq(best_by_des(h, &c, "dpr"), r.chosen);
	ck_assert_int_eq(best_by_des(h, &c, "static"), r.best[MODE_STATIC]);
	/* the best of each mode, and of the paper's pair when the space has other sets */
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM v_best WHERE source='des'"), c.space.n_rm_shapes ? 3 : 2);
	/* ... and its objective is what the DES module measures for that design */
	des_obj dob;
	design_t dd;
	workload_t w;
	workload_init(&w, &c.model);
	space_design(&s, r.chosen, &dd);
	char err[300];
	ck_assert_msg(des_objective(&c, &w, &dd, NULL, &dob, err, sizeof err) == 0, "%s", err);
	ck_assert_double_eq_tol(r.best_objective[MODE_DPR], dob.objective, 1e-12 * dob.objective);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM runs WHERE status='complete' AND kind='sweep'"), 1);
	ck_assert_int_eq(q_int(h, "SELECT n_points FROM runs"), s.n_points);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM chunks"), s.n_chunks);
	/* the chosen design's interval: every analytic figure the metrics table holds for it has one, its
	 * value that figure, lo <= hi, at the config's level and draws; the objective and the resources too */
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM metrics m JOIN v_chosen c USING(run_id, point_id)"
				  " WHERE m.source='analytic' AND m.ttft_s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM intervals i"
				  " WHERE i.run_id=m.run_id AND i.point_id=m.point_id AND i.figure='ttft_s'"
				  " AND i.length=m.length AND i.value=m.ttft_s)"),
			 0);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM metrics m JOIN v_chosen c USING(run_id, point_id)"
				  " WHERE m.source='analytic' AND m.decode_step_s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
				  " intervals i WHERE i.run_id=m.run_id AND i.point_id=m.point_id AND i.figure='decode_step_s'"
				  " AND i.length=m.length AND i.value=m.decode_step_s)"),
			 0);
	ck_assert_int_gt(q_int(h, "SELECT count(*) FROM v_intervals i JOIN v_chosen c USING(run_id, point_id)"
				  " WHERE i.figure='ttft_s'"),
			 0);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM v_intervals i JOIN v_chosen c USING(run_id, point_id)"
				  " WHERE i.figure IN ('objective','lut','ff','bram36','uram','dsp') AND i.length=0"),
			 1 + RES_N);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM v_intervals WHERE lo > hi OR samples != 200 OR level != 0.9"), 0);
	/* the named design with inferred sizes: its resources are not constrained by a measurement */
	ck_assert_int_eq(q_int(h, "SELECT unconstrained FROM v_intervals i JOIN v_points p USING(run_id, point_id)"
				  " WHERE p.design_name='pdswap' AND i.figure='lut'"),
			 1);
	sqlite3_close(h);
	cfg_release(&c);
	rm_db(db);
}
END_TEST

START_TEST(all_points_front_from_stored_metrics)
{
	/* with every point stored, the front recomputed from the stored
	 * figures alone is the stored front */
	const char *db = "build/test_sweep_all.db";
	rm_db(db);
	cfg_t c;
	tu_load_edited(&c, "small.yaml", small_ed, N_SMALL_ED);
	sweep_result r;
	sweep_into(&c, db, 2, true, &r);
	space_t s;
	space_init(&s, &c);
	sqlite3 *h = open_ro(db);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM points"), s.n_points + c.n_designs);
	/* rejected on resources: no metrics; evaluated: 7 lengths */
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM points p WHERE (SELECT count(*) FROM metrics m WHERE"
				  " m.run_id=p.run_id AND m.point_id=p.point_id AND m.source='analytic') NOT IN (0, 7)"),
			 0);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM points WHERE feasible=0 AND reason NOT LIKE '%t_pre_max%'"
				  " AND point_id IN (SELECT point_id FROM metrics)"),
			 0);
	ck_assert(q_int(h, "SELECT count(*) FROM points WHERE feasible=0 AND reason LIKE '%t_pre_max%'"
			   " AND point_id IN (SELECT point_id FROM metrics)") > 0);
	/* vectors from the stored figures */
	const char *sql = "SELECT p.point_id, p.mode, p.lut,"
			  " (SELECT ttft_s FROM metrics m WHERE m.run_id=p.run_id AND m.point_id=p.point_id AND length=64),"
			  " (SELECT ttft_s FROM metrics m WHERE m.run_id=p.run_id AND m.point_id=p.point_id AND length=128),"
			  " (SELECT ttft_s FROM metrics m WHERE m.run_id=p.run_id AND m.point_id=p.point_id AND length=256),"
			  " (SELECT ttft_s FROM metrics m WHERE m.run_id=p.run_id AND m.point_id=p.point_id AND length=512),"
			  " (SELECT ttft_s FROM metrics m WHERE m.run_id=p.run_id AND m.point_id=p.point_id AND length=768),"
			  " (SELECT ttft_s FROM metrics m WHERE m.run_id=p.run_id AND m.point_id=p.point_id AND length=1024),"
			  " (SELECT decode_step_s FROM metrics m WHERE m.run_id=p.run_id AND m.point_id=p.point_id AND length=64),"
			  " (SELECT decode_step_s FROM metrics m WHERE m.run_id=p.run_id AND m.point_id=p.point_id AND length=2048),"
			  " (SELECT energy_j_per_token FROM metrics m WHERE m.run_id=p.run_id AND m.point_id=p.point_id AND length=64),"
			  " (SELECT energy_j_per_token FROM metrics m WHERE m.run_id=p.run_id AND m.point_id=p.point_id AND length=2048)"
			  " FROM points p WHERE p.feasible=1 AND p.design_name IS NULL AND p.mode=? ORDER BY p.point_id";
	for (int mode = 0; mode < 2; mode++) {
		sqlite3_stmt *st;
		ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_text(st, 1, mode_names[mode], -1, SQLITE_STATIC);
		size_t n = 0, cap = 1024;
		double *v = malloc(cap * 10 * sizeof *v);
		int64_t *id = malloc(cap * sizeof *id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (n == cap) {
				cap *= 2;
				v = realloc(v, cap * 10 * sizeof *v);
				id = realloc(id, cap * sizeof *id);
			}
			id[n] = sqlite3_column_int64(st, 0);
			double *x = v + n * 10;
			for (int i = 0; i < 8; i++)
				x[i] = sqlite3_column_double(st, 3 + i);
			x[8] = c.obj.alpha * sqlite3_column_double(st, 12) + (1 - c.obj.alpha) * sqlite3_column_double(st, 11);
			x[9] = sqlite3_column_double(st, 2);
			n++;
		}
		sqlite3_finalize(st);
		ck_assert(n > 0);
		int64_t *want = malloc(n * sizeof *want);
		size_t hw = brute_front(v, id, n, 10, want);
		char q[200];
		snprintf(q, sizeof q, "SELECT count(*) FROM v_pareto JOIN v_points USING(run_id, point_id) WHERE mode='%s'",
			 mode_names[mode]);
		ck_assert_int_eq(q_int(h, q), (int64_t)hw);
		for (size_t i = 0; i < hw; i++) {
			snprintf(q, sizeof q, "SELECT count(*) FROM v_pareto WHERE point_id=%lld", (long long)want[i]);
			ck_assert_int_eq(q_int(h, q), 1);
		}
		free(want);
		free(v);
		free(id);
	}
	sqlite3_close(h);
	stored_points_honest(&c, db, r.run_id);
	cfg_release(&c);
	rm_db(db);
}
END_TEST

START_TEST(threads_give_identical_databases)
{
	cfg_t c;
	tu_load_edited(&c, "small.yaml", small_ed, N_SMALL_ED);
	const char *db[3] = {"build/test_sweep_t1.db", "build/test_sweep_t2.db", "build/test_sweep_t3.db"};
	sweep_result r[3];
	for (int i = 0; i < 2; i++) {
		rm_db(db[i]);
		sweep_into(&c, db[i], i + 1, false, &r[i]);
	}
	tu_same_run(db[0], r[0].run_id, db[1], r[1].run_id, "1 vs 2 threads");
	for (int i = 0; i < 2; i++)
		rm_db(db[i]);
	/* with every point stored, and more threads than cores */
	for (int i = 0; i < 3; i++) {
		rm_db(db[i]);
		sweep_into(&c, db[i], 2 * i + 1, true, &r[i]);
	}
	tu_same_run(db[0], r[0].run_id, db[1], r[1].run_id, "all points, 1 vs 3 threads");
	tu_same_run(db[0], r[0].run_id, db[2], r[2].run_id, "all points, 1 vs 5 threads");
	for (int i = 0; i < 3; i++)
		rm_db(db[i]);
	cfg_release(&c);
}
END_TEST

START_TEST(rerun_makes_a_new_identical_run)
{
	const char *db = "build/test_sweep_rerun.db";
	rm_db(db);
	cfg_t c;
	tu_load_edited(&c, "small.yaml", small_ed, N_SMALL_ED);
	sweep_result a, b;
	sweep_into(&c, db, 2, false, &a);
	sweep_into(&c, db, 1, false, &b);
	ck_assert(!a.resumed && !b.resumed);
	ck_assert_int_ne(a.run_id, b.run_id);
	tu_same_run(db, a.run_id, db, b.run_id, "first vs second run");
	sqlite3 *h = open_ro(db);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM runs WHERE status='complete'"), 2);
	sqlite3_close(h);
	cfg_release(&c);
	rm_db(db);
}
END_TEST

/* ------------------------------------------------------------ kill tests */

static const char *bin(void)
{
	const char *b = getenv("PDSWAP_BIN");
	return b && *b ? b : "build/pdswap-dse";
}

/* Start the binary on cfg/db (optionally --all-points), slowed by delay_ms per chunk;
 * quiet: its stderr goes to /dev/null. */
static pid_t spawn(const char *cfg, const char *db, bool all_points, int delay_ms, bool quiet)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char d[32];
		snprintf(d, sizeof d, "%d", delay_ms);
		setenv("PDSWAP_CHUNK_DELAY_MS", d, 1);
		if (!freopen("/dev/null", "w", stdout) || (quiet && !freopen("/dev/null", "w", stderr)))
			_exit(127);
		const char *hls = "build/test_sweep_hls";
		if (all_points)
			execl(bin(), bin(), cfg, "--db", db, "--threads", "2", "--no-progress", "--hls-out", hls,
			      "--all-points", (char *)NULL);
		else
			execl(bin(), bin(), cfg, "--db", db, "--threads", "2", "--no-progress", "--hls-out", hls,
			      (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Chunks the database records for its only run (0 while it has none). */
static int64_t chunks_done(const char *db)
{
	return tu_query_int(db, "SELECT count(*) FROM chunks", 0);
}

/* DES rows the database holds (0 while it has none). */
static int64_t des_rows(const char *db)
{
	return tu_query_int(db, "SELECT count(*) FROM metrics WHERE source='des'", 0);
}

/* Run to completion in a child; returns its exit status. */
static int run_child(const char *cfg, const char *db, bool all_points)
{
	pid_t pid = spawn(cfg, db, all_points, 0, false);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/*
 * Start a sweep, stop it with `sig` once at least `after` chunks are
 * recorded (and before the end), check what it left, resume it, and
 * compare with a run that went straight through.
 */
static void interrupt_and_resume(const char *cfgpath, const cfg_t *c, bool all_points, int sig, int64_t after,
				 int delay_ms, const char *tag, bool in_des)
{
	char db[256], ref[256];
	snprintf(db, sizeof db, "build/test_sweep_%s.db", tag);
	snprintf(ref, sizeof ref, "build/test_sweep_%s_ref.db", tag);
	rm_db(db);
	rm_db(ref);
	space_t s;
	space_init(&s, c);
	pid_t pid = spawn(cfgpath, db, all_points, delay_ms, true);
	int64_t n = 0;
	for (int i = 0; i < 20000 && n < after; i++) {
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
		n = in_des ? des_rows(db) : chunks_done(db);
	}
	ck_assert(kill(pid, sig) == 0);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	if (sig == SIGKILL) {
		ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	} else {
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1, "after signal %d: status %#x", sig, st);
	}
	/* what the killed run left is consistent: complete chunks, their exact front */
	n = chunks_done(db);
	if (in_des) {
		ck_assert_msg(n == s.n_chunks, "%s: %lld of %lld chunks when stopped", tag, (long long)n,
			      (long long)s.n_chunks);
		ck_assert(des_rows(db) >= after);
	} else {
		ck_assert_msg(n >= after && n < s.n_chunks, "%s: %lld of %lld chunks when stopped", tag,
			      (long long)n, (long long)s.n_chunks);
		ck_assert_int_eq(des_rows(db), 0);
	}
	sqlite3 *h = open_ro(db);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM runs"), 1);
	ck_assert_int_eq(q_int(h, sig == SIGKILL ? "SELECT count(*) FROM runs WHERE status='running'"
						 : "SELECT count(*) FROM runs WHERE status='interrupted'"),
			 1);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM chosen"), 0);
	sqlite3_stmt *ic;
	ck_assert_int_eq(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &ic, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(ic), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(ic, 0), "ok");
	sqlite3_finalize(ic);
	if (all_points) {
		char q[200];
		snprintf(q, sizeof q, "SELECT count(*) FROM points WHERE design_name IS NULL");
		ck_assert_int_eq(q_int(h, q), q_int(h, "SELECT sum(n_points) FROM chunks"));
	}
	sqlite3_close(h);
	front_is_exact(c, db, 1);
	/* resume; then the same content as a straight run */
	ck_assert_int_eq(run_child(cfgpath, db, all_points), 0);
	ck_assert_int_eq(run_child(cfgpath, ref, all_points), 0);
	h = open_ro(db);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM runs"), 1);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM runs WHERE status='complete'"), 1);
	sqlite3_close(h);
	tu_same_run(db, 1, ref, 1, tag);
	rm_db(db);
	rm_db(ref);
}

START_TEST(kill_9_mid_sweep_then_resume)
{
	cfg_t c;
	const char *path = small_yaml();
	tu_load_edited(&c, path, small_ed, N_SMALL_ED);
	interrupt_and_resume(path, &c, false, SIGKILL, 4, 40, "kill9", false);
	cfg_release(&c);
	/* and while the DES re-checks the fronts (all chunks stored, some DES rows) */
	tu_load_default(&c);
	interrupt_and_resume(KV260, &c, false, SIGKILL, 7, 0, "kill9des", true);
	cfg_release(&c);
}
END_TEST

START_TEST(kill_9_all_points_then_resume)
{
	cfg_t c;
	const char *path = small_yaml();
	tu_load_edited(&c, path, small_ed, N_SMALL_ED);
	interrupt_and_resume(path, &c, true, SIGKILL, 2, 40, "kill9all", false);
	cfg_release(&c);
}
END_TEST

START_TEST(sigterm_and_sigint_then_resume)
{
	cfg_t c;
	const char *path = small_yaml();
	tu_load_edited(&c, path, small_ed, N_SMALL_ED);
	interrupt_and_resume(path, &c, false, SIGTERM, 4, 40, "term", false);
	interrupt_and_resume(path, &c, false, SIGINT, 6, 40, "int", false);
	cfg_release(&c);
	/* while the DES re-checks the default space's fronts */
	tu_load_default(&c);
	interrupt_and_resume(KV260, &c, false, SIGTERM, 7, 0, "termdes", true);
	cfg_release(&c);
}
END_TEST

START_TEST(views_have_documented_columns)
{
	static const struct {
		const char *view;
		const char *cols;
	} want[] = {
		{"v_points", "run_id point_id mode lut ff bram36 uram dsp feasible util_lut equiv_lut objective"},
		{"v_metrics", "run_id point_id source prompt ttft_s decode_tok_s energy_j_per_token"},
		{"v_pareto", "run_id point_id"},
		{"v_chosen", "run_id point_id objective"},
		{"v_best", "run_id mode point_id source objective"},
		{"v_runs", "run_id config_sha256 status"},
	};
	const char *db = "build/test_sweep_views.db";
	rm_db(db);
	store *s;
	char err[2600];
	ck_assert_msg(store_open(&s, db, err, sizeof err) == 0, "%s", err);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char sql[200], cols[1000] = " ";
		snprintf(sql, sizeof sql, "SELECT * FROM %s LIMIT 0", want[i].view);
		sqlite3_stmt *st;
		ck_assert_msg(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK, "%s", want[i].view);
		for (int k = 0; k < sqlite3_column_count(st); k++) {
			strcat(cols, sqlite3_column_name(st, k));
			strcat(cols, " ");
		}
		sqlite3_finalize(st);
		char w[300];
		snprintf(w, sizeof w, "%s", want[i].cols);
		for (char *t = strtok(w, " "); t; t = strtok(NULL, " ")) {
			char pat[64];
			snprintf(pat, sizeof pat, " %s ", t);
			ck_assert_msg(strstr(cols, pat), "%s lacks column %s (has%s)", want[i].view, t, cols);
		}
	}
	store_close(s);
	rm_db(db);
}
END_TEST

START_TEST(adds_sweep_tables_to_an_older_file)
{
	/* a version-1 file made before the sweep tables existed (the tables
	 * dropped from a new file, its version set back) */
	const char *db = "build/test_sweep_v1.db";
	rm_db(db);
	store *s;
	char err[2600];
	ck_assert_msg(store_open(&s, db, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(sqlite3_exec(store_db(s),
				      "DROP VIEW v_best; DROP VIEW v_runs; DROP TABLE best; DROP TABLE chunks;"
				      " DROP TABLE sweeps; DROP INDEX points_by_mode; PRAGMA user_version=1;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	store_close(s);
	ck_assert_msg(store_open(&s, db, err, sizeof err) == 0, "%s", err);
	sqlite3 *h = store_db(s);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM sqlite_master WHERE name IN"
				  " ('sweeps','chunks','best','v_best','v_runs','points_by_mode')"),
			 6);
	ck_assert_int_eq(q_int(h, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	store_close(s);
	rm_db(db);
}
END_TEST

START_TEST(best_design_reads_or_recomputes)
{
	const char *db = "build/test_sweep_best.db";
	rm_db(db);
	cfg_t c;
	tu_load_edited(&c, "small.yaml", small_ed, N_SMALL_ED);
	design_t d, e;
	int64_t run, pid, run2, pid2;
	char err[2600];
	/* none stored: sweeps, then reads */
	ck_assert_msg(sweep_best_design(&c, db, &d, &run, &pid, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(d.mode, MODE_DPR);
	ck_assert_msg(sweep_best_design(&c, db, &e, &run2, &pid2, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(run, run2);
	ck_assert_int_eq(pid, pid2);
	ck_assert(memcmp(&d, &e, sizeof d) == 0);
	space_t s;
	space_init(&s, &c);
	design_t f;
	space_design(&s, pid, &f);
	ck_assert(memcmp(&d, &f, sizeof d) == 0);
	sqlite3 *h = open_ro(db);
	ck_assert_int_eq(q_int(h, "SELECT count(*) FROM runs"), 1);
	sqlite3_close(h);
	cfg_release(&c);
	rm_db(db);
}
END_TEST

Suite *sweep_suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *t = tcase_create("results_db");
	tcase_set_timeout(t, 600);
	tcase_add_test(t, front_is_the_brute_force_front);
	tcase_add_test(t, all_points_front_from_stored_metrics);
	tcase_add_test(t, threads_give_identical_databases);
	tcase_add_test(t, rerun_makes_a_new_identical_run);
	tcase_add_test(t, kill_9_mid_sweep_then_resume);
	tcase_add_test(t, kill_9_all_points_then_resume);
	tcase_add_test(t, sigterm_and_sigint_then_resume);
	tcase_add_test(t, views_have_documented_columns);
	tcase_add_test(t, adds_sweep_tables_to_an_older_file);
	tcase_add_test(t, best_design_reads_or_recomputes);
	suite_add_tcase(s, t);
	return s;
}
