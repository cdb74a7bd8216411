/*
 * check_faults.c - what the user of `pdswap-dse CONFIG` sees when the
 * database or the process meets a fault, each run on the real binary
 * (PDSWAP_BIN, set by `make check`) as a child process:
 *   - a database another process keeps locked (an SQLite writer, another
 *     sweep's lock): the wait, the message naming the holder, exit 1, the
 *     other writer's data intact;
 *   - a damaged database (an interrupted run with a page overwritten or
 *     the file cut short): refused, byte for byte unchanged, not resumed;
 *   - schema versions: a newer file refused, a version-1 file migrated
 *     (its runs unchanged, still exported), one that cannot be migrated
 *     refused and left as it was;
 *   - a full database part-way through a sweep (the test hook
 *     PDSWAP_TEST_DB_GROW_PAGES caps its growth): the message, the runs
 *     committed before intact, the run resumed to the same rows as a
 *     straight run;
 *   - SIGINT/SIGTERM during the sweep and during the DES re-check: where
 *     the run stopped and the command that resumes it; a second SIGINT
 *     ends the process at once, the lock released, the database whole,
 *     and the resumed run equal to a straight one.
 * The read-only directory and a real full file system need privileges or
 * mounts: tests/faults_test.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "models/common.h"
#include "store/store.h"
#include "suites.h"
#include "testutil.h"

/* A space of 5120 points in 48 chunks: a sweep of it takes a fraction of a second. */
static const char *const small_ed[] = {
	"tlmm_lanes: [4, 6, 8, 10, 12]", "tlmm_lanes: [8, 12]",
	"prefill_pe: [4, 8, 16, 24, 32]", "prefill_pe: [8, 16]",
	"prefill_lanes: [2, 4, 8]", "prefill_lanes: [4, 8]",
	"prefill_block: [1, 4, 16]", "prefill_block: [1, 16]",
	"decode_lanes: [8, 16, 32, 48]", "decode_lanes: [16, 32]",
	/* the paper's pair alone: the faults are those of any sweep */
	"  rm_sets: [[prefill, decode], [hybrid], [prefill, decode, short]]\n  rm_modules:\n"
	"    short: {prefill: {pe: 4, lanes: 4, block: 4, port_map: qkvo}, decode: {lanes: [8, 16], port_map: qkvo}}\n",
	"",
};
#define CFG "build/test_faults_small.yaml"
#define HLS "build/test_faults_hls"

static const char *bin(void)
{
	const char *b = getenv("PDSWAP_BIN");
	return b && *b ? b : "build/pdswap-dse";
}

static void nap_ms(int ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
	nanosleep(&ts, NULL);
}

static void write_cfg(void)
{
	char *t = tu_edited_text(small_ed, 6);
	FILE *f = fopen(CFG, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert(fputs(t, f) >= 0);
	ck_assert_int_eq(fclose(f), 0);
	free(t);
}

static void rm_db(const char *db)
{
	static const char *const ext[] = {"", "-wal", "-shm", "-journal", ".lock"};
	char p[512];
	for (int i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "%s%s", db, ext[i]);
		remove(p);
	}
}

/* ------------------------------------------------------- the binary */

typedef struct {
	const char *argv[16];
	int argc;
	char line[1024];   /* the argv as one command line (our arguments need no quoting) */
	char err[256];     /* where its stderr goes */
} cmd;

/* `pdswap-dse CFG --db DB --hls-out HLS --no-progress --threads N [extra...]`. */
static void cmd_init(cmd *c, const char *db, int threads, const char *tag, const char *const *extra)
{
	static char thr[8][8];
	static int k;
	snprintf(thr[k & 7], sizeof thr[0], "%d", threads);
	c->argc = 0;
	c->argv[c->argc++] = bin();
	c->argv[c->argc++] = CFG;
	c->argv[c->argc++] = "--db";
	c->argv[c->argc++] = db;
	c->argv[c->argc++] = "--hls-out";
	c->argv[c->argc++] = HLS;
	c->argv[c->argc++] = "--no-progress";
	c->argv[c->argc++] = "--threads";
	c->argv[c->argc++] = thr[k++ & 7];
	for (; extra && *extra; extra++)
		c->argv[c->argc++] = *extra;
	c->argv[c->argc] = NULL;
	c->line[0] = '\0';
	for (int i = 0; i < c->argc; i++) {
		size_t n = strlen(c->line);
		snprintf(c->line + n, sizeof c->line - n, "%s%s", i ? " " : "", c->argv[i]);
	}
	snprintf(c->err, sizeof c->err, "build/test_faults_%s.err", tag);
}

/* Start it with env ("NAME=VALUE" strings, NULL-ended, or NULL); stdout to /dev/null. */
static pid_t start(const cmd *c, const char *const *env)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		for (; env && *env; env++)
			putenv((char *)*env);
		if (!freopen("/dev/null", "w", stdout) || !freopen(c->err, "w", stderr))
			_exit(127);
		execv(c->argv[0], (char *const *)c->argv);
		_exit(127);
	}
	return pid;
}

/* Wait for pid at most timeout_s (the test fails, the child killed, beyond); its status. */
static int reap(pid_t pid, double timeout_s)
{
	double t0 = common_now_s();
	int st;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return st;
		ck_assert_int_eq(r, 0);
		if (common_now_s() - t0 > timeout_s) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			ck_abort_msg("pdswap-dse did not end within %.0f s", timeout_s);
		}
		nap_ms(2);
	}
}

/* Its stderr; the test fails on a sanitizer report (`make asan`), which
 * would otherwise hide behind an expected exit code. */
static char *stderr_of(const cmd *c)
{
	char *e = tu_read(c->err, NULL);
	ck_assert_msg(!strstr(e, "Sanitizer") && !strstr(e, "runtime error:"), "pdswap-dse: %s", e);
	return e;
}

/* Run to the end; the exit code (the test fails if it died of a signal). */
static int run(const cmd *c, const char *const *env)
{
	int st = reap(start(c, env), 300);
	free(stderr_of(c));
	ck_assert_msg(WIFEXITED(st), "pdswap-dse died of signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	return WEXITSTATUS(st);
}

/* haystack holds needle, or the test fails showing both */
static void has(const char *haystack, const char *needle)
{
	ck_assert_msg(strstr(haystack, needle), "expected \"%s\" in:\n%s", needle, haystack);
}

/* ---------------------------------------------------- the database */

/* One integer from db (read-only, waits for writers); -1 when it cannot be read. */
/* One integer from a query; -1 while the database is missing or unreadable. */
static int64_t q(const char *db, const char *sql)
{
	return tu_query_int(db, sql, -1);
}

static void sql_exec(const char *db, const char *sql)
{
	sqlite3 *h;
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	char *msg = NULL;
	ck_assert_msg(sqlite3_exec(h, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql, msg);
	sqlite3_close(h);
}

static void integrity_ok(const char *db)
{
	ck_assert_int_eq(q(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'"), 0);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

/* Poll until sql gives at least `want` (at most 60 s). */
static int64_t wait_for(const char *db, const char *sql, int64_t want)
{
	double t0 = common_now_s();
	int64_t v = -1;
	while ((v = q(db, sql)) < want) {
		ck_assert_msg(common_now_s() - t0 < 60, "waited 60 s for '%s' to reach %lld (at %lld)", sql, (long long)want,
			      (long long)v);
		nap_ms(2);
	}
	return v;
}

/* A straight run of CFG into db (removed first). */
static void straight(const char *db, bool all_points)
{
	rm_db(db);
	cmd c;
	const char *const ap[] = {"--all-points", NULL};
	cmd_init(&c, db, 2, "straight", all_points ? ap : NULL);
	ck_assert_int_eq(run(&c, NULL), 0);
}

/* The file's bytes, for "unchanged" checks. */
static char *bytes_of(const char *path, size_t *n)
{
	return tu_read(path, n);
}

static void same_bytes(const char *path, const char *was, size_t n)
{
	size_t m;
	char *now = bytes_of(path, &m);
	ck_assert_msg(m == n && memcmp(now, was, n) == 0, "%s changed", path);
	free(now);
	char side[512];
	snprintf(side, sizeof side, "%s-wal", path);
	ck_assert_msg(access(side, F_OK) != 0, "%s was left behind", side);
	snprintf(side, sizeof side, "%s-shm", path);
	ck_assert_msg(access(side, F_OK) != 0, "%s was left behind", side);
}

/* --------------------------------------------------- another process */

/* A child that takes a lock and holds it until told: ready/go pipes. */
typedef struct {
	pid_t pid;
	int ready, go;
} holder;

/* kind 0: an SQLite write transaction on db (it raises run 1's thread
 * count by 5 and commits when told); kind 1: the sweep's flock on DB.lock. */
static holder hold(const char *db, int kind)
{
	int r[2], g[2];
	ck_assert_int_eq(pipe(r), 0);
	ck_assert_int_eq(pipe(g), 0);
	holder h = {fork(), r[0], g[1]};
	ck_assert_int_ge(h.pid, 0);
	if (h.pid == 0) {
		close(r[0]);
		close(g[1]);
		char c = 0;
		int fd = -1;
		sqlite3 *s = NULL;
		if (kind == 0) {
			if (sqlite3_open(db, &s) == SQLITE_OK)
				sqlite3_busy_timeout(s, 10000);
			if (!s ||
			    sqlite3_exec(s, "BEGIN IMMEDIATE; UPDATE runs SET threads = threads + 5 WHERE run_id = 1", NULL,
					 NULL, NULL) != SQLITE_OK)
				_exit(3);
		} else {
			char p[512];
			snprintf(p, sizeof p, "%s.lock", db);
			fd = open(p, O_RDWR | O_CREAT, 0644);
			if (fd < 0 || flock(fd, LOCK_EX) != 0)
				_exit(3);
		}
		if (write(r[1], "r", 1) != 1 || read(g[0], &c, 1) != 1)
			_exit(4);
		if (kind == 0 && sqlite3_exec(s, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			_exit(5);
		sqlite3_close(s);
		_exit(0);
	}
	close(r[1]);
	close(g[0]);
	char c;
	ck_assert_int_eq(read(h.ready, &c, 1), 1);
	return h;
}

static void release(holder *h)
{
	ck_assert_int_eq(write(h->go, "g", 1), 1);
	int st;
	ck_assert_int_eq(waitpid(h->pid, &st, 0), h->pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the lock holder failed: %#x", st);
	close(h->ready);
	close(h->go);
}

/* ------------------------------------------------------------- tests */

START_TEST(waits_for_a_writer_then_names_it)
{
	write_cfg();
	const char *db = "build/test_faults_busy.db";
	straight(db, false);
	int64_t threads = q(db, "SELECT threads FROM runs WHERE run_id=1");
	holder h = hold(db, 0);
	cmd c;
	const char *const lt[] = {"--lock-timeout", "1.5", NULL};
	cmd_init(&c, db, 2, "busy", lt);
	double t0 = common_now_s();
	ck_assert_int_eq(run(&c, NULL), 1);
	double waited = common_now_s() - t0;
	ck_assert_msg(waited >= 1.5 && waited < 30, "gave up after %.2f s", waited);
	char *e = stderr_of(&c), who[160];
	snprintf(who, sizeof who, "locked by another writer, process %ld (check_pdswap), for more than 1.5 s", (long)h.pid);
	has(e, db);
	has(e, who);
	has(e, "try again once it has finished, or wait longer with --lock-timeout SECONDS");
	free(e);
	/* the writer commits: its change is there, no run was added, all is whole */
	release(&h);
	ck_assert_int_eq(q(db, "SELECT threads FROM runs WHERE run_id=1"), threads + 5);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM runs"), 1);
	integrity_ok(db);
	/* and now it goes through */
	cmd_init(&c, db, 2, "busy2", lt);
	ck_assert_int_eq(run(&c, NULL), 0);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM runs WHERE status='complete'"), 2);

	/* a writer that takes the lock part-way through a sweep: the sweep
	 * waits the timeout once, says where its run stopped, and resumes */
	const char *ref = "build/test_faults_busy_ref.db";
	straight(ref, false);
	straight(db, false);
	const char *const lt1[] = {"--lock-timeout", "1", NULL};
	cmd_init(&c, db, 2, "busy3", lt1);
	const char *const slow[] = {"PDSWAP_CHUNK_DELAY_MS=40", NULL};
	pid_t pid = start(&c, slow);
	wait_for(db, "SELECT count(*) FROM chunks WHERE run_id=2", 3);
	h = hold(db, 0);
	t0 = common_now_s();
	int st = reap(pid, 60);
	waited = common_now_s() - t0;
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_msg(waited >= 0.9 && waited < 1.9, "gave up after %.2f s (the timeout is 1 s)", waited);
	int64_t done = q(db, "SELECT count(*) FROM chunks WHERE run_id=2");
	e = stderr_of(&c);
	snprintf(who, sizeof who, "locked by another writer, process %ld (check_pdswap), for more than 1 s", (long)h.pid);
	has(e, who);
	char want[1400];
	snprintf(want, sizeof want, "run 2 in %s stopped after %lld of 48 chunks", db, (long long)done);
	has(e, want);
	snprintf(want, sizeof want, "to resume it, run the same command again: %s\n", c.line);
	has(e, want);
	free(e);
	release(&h);
	ck_assert(done >= 3 && done < 48);
	ck_assert_int_eq(run(&c, NULL), 0);
	tu_same_run(db, 2, ref, 1, "a run stopped by a writer, resumed");
	integrity_ok(db);
	rm_db(ref);
	rm_db(db);
}
END_TEST

START_TEST(waits_for_another_sweep_then_names_it)
{
	write_cfg();
	const char *db = "build/test_faults_flock.db";
	straight(db, false);
	size_t n;
	char *before = bytes_of(db, &n);
	holder h = hold(db, 1);
	cmd c;
	const char *const lt[] = {"--lock-timeout", "0.8", NULL};
	cmd_init(&c, db, 2, "flock", lt);
	double t0 = common_now_s();
	ck_assert_int_eq(run(&c, NULL), 1);
	double waited = common_now_s() - t0;
	ck_assert_msg(waited >= 0.8 && waited < 30, "gave up after %.2f s", waited);
	char *e = stderr_of(&c), want[512];
	snprintf(want, sizeof want,
		 "%s: another pdswap-dse is sweeping into this database (process %ld (check_pdswap) holds %s.lock)"
		 " and still was after 0.8 s; wait for it to end, or wait longer with --lock-timeout SECONDS",
		 db, (long)h.pid, db);
	has(e, want);
	free(e);
	same_bytes(db, before, n);
	free(before);
	release(&h);
	/* --lock-timeout takes seconds, not words */
	const char *const bad[] = {"--lock-timeout", "soon", NULL};
	cmd_init(&c, db, 2, "flock2", bad);
	ck_assert_int_eq(run(&c, NULL), 2);
	e = stderr_of(&c);
	has(e, "--lock-timeout must be a number in [0, 1e+06], got 'soon'");
	free(e);
	rm_db(db);
}
END_TEST

/* An interrupted run of CFG in db: SIGTERM once `after` chunks are stored. */
static void interrupted_run(const char *db, int64_t after)
{
	rm_db(db);
	cmd c;
	cmd_init(&c, db, 2, "int", NULL);
	const char *const env[] = {"PDSWAP_CHUNK_DELAY_MS=40", NULL};
	pid_t pid = start(&c, env);
	wait_for(db, "SELECT count(*) FROM chunks", after);
	kill(pid, SIGTERM);
	int st = reap(pid, 60);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM runs WHERE status='interrupted'"), 1);
}

START_TEST(a_damaged_database_is_refused_and_not_resumed)
{
	write_cfg();
	const char *db = "build/test_faults_damaged.db";
	for (int variant = 0; variant < 2; variant++) {
		interrupted_run(db, 4);
		int64_t psz = q(db, "PRAGMA page_size"), npg = q(db, "PRAGMA page_count");
		int64_t root = q(db, "SELECT rootpage FROM sqlite_master WHERE name='metrics'");
		ck_assert(npg > 4 && root > 1);
		if (variant == 0) { /* a page of the metrics table overwritten */
			int fd = open(db, O_WRONLY);
			char *junk = malloc((size_t)psz);
			for (int64_t i = 0; i < psz; i++)
				junk[i] = (char)(i * 7 + 3);
			ck_assert_int_eq(pwrite(fd, junk, (size_t)psz, (off_t)((root - 1) * psz)), psz);
			free(junk);
			close(fd);
		} else { /* cut short */
			ck_assert_int_eq(truncate(db, (off_t)(npg * psz * 2 / 3)), 0);
		}
		size_t n;
		char *before = bytes_of(db, &n);
		cmd c;
		cmd_init(&c, db, 2, "damaged", NULL);
		ck_assert_int_eq(run(&c, NULL), 1);
		char *e = stderr_of(&c);
		has(e, db);
		has(e, "the database is damaged");
		has(e, "refusing to write into it (it is left as it was): restore it from a backup, or move it aside");
		ck_assert_msg(!strstr(e, "resume"), "a damaged run is offered for resumption:\n%s", e);
		free(e);
		same_bytes(db, before, n);
		free(before);
	}
	rm_db(db);
}
END_TEST

START_TEST(schema_versions)
{
	write_cfg();
	const char *db = "build/test_faults_schema.db";
	cmd c;
	/* newer: refused by the sweep and by the readers, the file untouched */
	straight(db, false);
	char newer[64], newer_msg[64];
	snprintf(newer, sizeof newer, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
	snprintf(newer_msg, sizeof newer_msg, "schema version %d is newer", STORE_SCHEMA_VERSION + 1);
	sql_exec(db, newer);
	size_t n;
	char *before = bytes_of(db, &n);
	cmd_init(&c, db, 2, "newer", NULL);
	ck_assert_int_eq(run(&c, NULL), 1);
	char *e = stderr_of(&c), want[300];
	snprintf(want, sizeof want,
		 "%s: schema version %d is newer than this pdswap-dse understands (%d); it is left as it was: use a newer"
		 " pdswap-dse, or choose another --db",
		 db, STORE_SCHEMA_VERSION + 1, STORE_SCHEMA_VERSION);
	has(e, want);
	free(e);
	same_bytes(db, before, n);
	free(before);
	cmd x = {.argv = {bin(), "export", "--db", db, "--format", "csv", NULL}, .argc = 6,
		 .err = "build/test_faults_export.err"};
	ck_assert_int_eq(run(&x, NULL), 1);
	e = stderr_of(&x);
	has(e, newer_msg);
	free(e);

	/* older: the version-1 file of tests/data, migrated; its run kept and still read */
	rm_db(db);
	char *fixture = tu_read("tests/data/results_v1.sql", NULL);
	sql_exec(db, fixture);
	free(fixture);
	char *v1 = tu_dump_run_as(db, 1, true);
	/* the run's own config is of that version (no eta_wload, no ranges) and no longer
	 * loads; the sweep runs this version's shipped config instead */
	cmd m = {.argv = {bin(), "configs/kv260.yaml", "--db", db, "--hls-out", HLS, "--no-progress", NULL},
		 .argc = 7, .err = "build/test_faults_migrate.err"};
	ck_assert_int_eq(run(&m, NULL), 0);
	e = stderr_of(&m);
	snprintf(want, sizeof want, "pdswap-dse: %s: migrated from schema version 1 to %d\n", db, STORE_SCHEMA_VERSION);
	ck_assert_str_eq(e, want);
	free(e);
	ck_assert_int_eq(q(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	char *now = tu_dump_run_as(db, 1, true);
	ck_assert_str_eq(v1, now);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM points WHERE run_id=1 AND dec_dataflow != 'serial'"), 0);
	/* version 5's tables and views came with the migration, empty */
	ck_assert_int_eq(q(db, "SELECT count(*) FROM v_measured"), 0);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM v_run_measurements"), 0);
	free(now);
	free(v1);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM runs WHERE status='complete'"), 2);
	integrity_ok(db);
	cmd ex = {.argv = {bin(), "export", "--db", db, "--run", "1", "--format", "json", NULL}, .argc = 8,
		  .err = "build/test_faults_export.err"};
	ck_assert_int_eq(run(&ex, NULL), 0);

	/* a version-1 file the new rules refuse: left as it was, still exported */
	rm_db(db);
	fixture = tu_read("tests/data/results_v1.sql", NULL);
	sql_exec(db, fixture);
	free(fixture);
	sql_exec(db, "UPDATE points SET swap_s = NULL WHERE point_id = 0");
	before = bytes_of(db, &n);
	ck_assert_int_eq(run(&m, NULL), 1);
	e = stderr_of(&m);
	has(e, db);
	char mig[128];
	snprintf(mig, sizeof mig, "cannot migrate table 'points' from schema version 1 to %d: CHECK constraint failed",
		 STORE_SCHEMA_VERSION);
	has(e, mig);
	has(e, "it is left as it was (reports and exports still read it): use another --db for new runs");
	free(e);
	same_bytes(db, before, n);
	free(before);
	ck_assert_int_eq(run(&ex, NULL), 0);
	rm_db(db);
}
END_TEST

START_TEST(disk_full_part_way_keeps_the_committed_runs)
{
	write_cfg();
	const char *db = "build/test_faults_full.db", *ref = "build/test_faults_full_ref.db";
	/* how much a run of every point takes, from a straight one */
	straight(ref, true);
	int64_t pages = q(ref, "PRAGMA page_count");
	ck_assert(pages > 100);
	/* a complete run, then the same config again with room for half of it */
	straight(db, true);
	char *run1 = tu_dump_run(db, 1);
	cmd c;
	const char *const ap[] = {"--all-points", NULL};
	cmd_init(&c, db, 2, "full", ap);
	char grow[64];
	snprintf(grow, sizeof grow, "PDSWAP_TEST_DB_GROW_PAGES=%lld", (long long)(pages / 2));
	const char *const env[] = {grow, NULL};
	ck_assert_int_eq(run(&c, env), 1);
	int64_t done = q(db, "SELECT count(*) FROM chunks WHERE run_id=2");
	ck_assert_msg(done > 0 && done < 48, "%lld of 48 chunks stored when the database was full", (long long)done);
	char *e = stderr_of(&c), want[1400];
	has(e, db);
	has(e, "database or disk is full (no space left on its file system, or the database reached its size limit)");
	snprintf(want, sizeof want, "run 2 in %s stopped after %lld of 48 chunks; what was committed is kept", db,
		 (long long)done);
	has(e, want);
	snprintf(want, sizeof want, "to resume it, run the same command again: %s\n", c.line);
	has(e, want);
	free(e);
	/* run 1 as it was; run 2 consistent: its chunks' points all there */
	char *now = tu_dump_run(db, 1);
	ck_assert_str_eq(run1, now);
	free(now);
	free(run1);
	integrity_ok(db);
	/* marked 'interrupted' when the full database still takes that update,
	 * else still 'running': either is resumed */
	ck_assert_int_eq(q(db, "SELECT count(*) FROM runs WHERE run_id=2 AND status IN ('interrupted','running')"), 1);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM points WHERE run_id=2 AND design_name IS NULL"),
			 q(db, "SELECT sum(n_points) FROM chunks WHERE run_id=2"));
	/* the hook only caps: with room to spare it changes nothing */
	char roomy[64];
	snprintf(roomy, sizeof roomy, "PDSWAP_TEST_DB_GROW_PAGES=%lld", (long long)(10 * pages));
	const char *const env2[] = {roomy, NULL};
	const char *const ap2[] = {"--all-points", NULL};
	cmd r;
	const char *capped = "build/test_faults_capped.db";
	rm_db(capped);
	cmd_init(&r, capped, 2, "capped", ap2);
	ck_assert_int_eq(run(&r, env2), 0);
	tu_same_run(capped, 1, ref, 1, "a cap never reached vs straight");
	rm_db(capped);
	/* space again: the same command resumes it, to the rows of a straight run */
	ck_assert_int_eq(run(&c, NULL), 0);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM runs"), 2);
	tu_same_run(db, 2, ref, 1, "resumed after a full disk vs straight");
	rm_db(db);
	rm_db(ref);
}
END_TEST

/* The resume command a message gives: the rest of the line after `lead`. */
static void resume_line(const char *e, const char *lead, char *out, size_t len)
{
	const char *p = strstr(e, lead);
	ck_assert_msg(p, "no \"%s\" in:\n%s", lead, e);
	p += strlen(lead);
	size_t n = strcspn(p, "\n");
	snprintf(out, len, "%.*s", (int)n, p);
}

START_TEST(sigint_and_sigterm_say_where_and_how_to_resume)
{
	write_cfg();
	const char *db = "build/test_faults_sig.db", *ref = "build/test_faults_sig_ref.db";
	straight(ref, false);
	/* SIGINT while sweeping */
	rm_db(db);
	cmd c;
	cmd_init(&c, db, 2, "sigint", NULL);
	const char *const slow[] = {"PDSWAP_CHUNK_DELAY_MS=40", NULL};
	pid_t pid = start(&c, slow);
	wait_for(db, "SELECT count(*) FROM chunks", 4);
	kill(pid, SIGINT);
	int st = reap(pid, 60);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	int64_t done = q(db, "SELECT count(*) FROM chunks");
	ck_assert(done >= 4 && done < 48);
	char *e = stderr_of(&c), want[1400], line[1024];
	snprintf(want, sizeof want,
		 "pdswap-dse: stopping: saving the work in progress (a second signal stops at once)\n"
		 "pdswap-dse: interrupted by SIGINT\n"
		 "pdswap-dse: run 1 in %s stopped after %lld of 48 chunks; what was committed is kept, and the other runs"
		 " are untouched\n"
		 "pdswap-dse: to resume it, run the same command again: %s\n",
		 db, (long long)done, c.line);
	ck_assert_str_eq(e, want);
	resume_line(e, "run the same command again: ", line, sizeof line);
	ck_assert_str_eq(line, c.line);
	free(e);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM runs WHERE status='interrupted'"), 1);

	/* SIGTERM while the DES re-checks, on the resumed run */
	const char *const des_slow[] = {"PDSWAP_DES_DELAY_MS=50", NULL};
	pid = start(&c, des_slow);
	wait_for(db, "SELECT count(DISTINCT point_id) FROM metrics WHERE source='des'", 3);
	kill(pid, SIGTERM);
	st = reap(pid, 60);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	int64_t des = q(db, "SELECT count(DISTINCT point_id) FROM metrics WHERE source='des'");
	int64_t items = q(db, "SELECT count(*) FROM pareto") + q(db, "SELECT count(*) FROM points WHERE design_name IS NOT NULL");
	ck_assert(des >= 3 && des < items);
	e = stderr_of(&c);
	snprintf(want, sizeof want,
		 "pdswap-dse: stopping: saving the work in progress (a second signal stops at once)\n"
		 "pdswap-dse: interrupted by SIGTERM\n"
		 "pdswap-dse: run 1 in %s stopped while the DES re-checked the fronts: all 48 chunks and %lld of %lld DES"
		 " points are stored\n"
		 "pdswap-dse: to resume it, run the same command again: %s\n",
		 db, (long long)des, (long long)items, c.line);
	ck_assert_str_eq(e, want);
	free(e);
	/* the command it gave finishes the run, with the rows of a straight run */
	ck_assert_int_eq(run(&c, NULL), 0);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM runs"), 1);
	tu_same_run(db, 1, ref, 1, "interrupted twice, resumed");
	rm_db(db);
	rm_db(ref);
}
END_TEST

/*
 * A second SIGINT 0.1 s after the first, while the first cannot finish
 * soon: a worker sleeps in a slow chunk or DES point of 1.5 s that the
 * first signal lets it finish (workers do not take the signals, so the
 * first one cannot cut the sleep short), or the main thread waits inside
 * SQLite for a write lock another process holds (--lock-timeout 60).
 * The process must end by SIGINT at once.
 */
enum { IN_CHUNK, IN_DES, IN_SQLITE };

static void second_sigint(const char *db, const char *ref, int where)
{
	static const char *const tag[] = {"second", "second_des", "second_sqlite"};
	rm_db(db);
	cmd c;
	const char *const wait_long[] = {"--lock-timeout", "60", NULL};
	cmd_init(&c, db, 1, tag[where], where == IN_SQLITE ? wait_long : NULL);
	const char *const env[] = {where == IN_DES	  ? "PDSWAP_DES_DELAY_MS=1500"
				   : where == IN_CHUNK ? "PDSWAP_CHUNK_DELAY_MS=1500"
						       : "PDSWAP_CHUNK_DELAY_MS=20",
				   NULL};
	const char *what = where == IN_DES ? "SELECT count(DISTINCT point_id) FROM metrics WHERE source='des'"
					   : "SELECT count(*) FROM chunks";
	pid_t pid = start(&c, env);
	/* a new row: the worker has just started its next slow item */
	wait_for(db, what, where == IN_SQLITE ? 2 : 1);
	holder h = {0, -1, -1};
	if (where == IN_SQLITE) {
		/* another writer takes the lock; the sweep's next commit waits in SQLite */
		h = hold(db, 0);
		int64_t n0 = q(db, what);
		nap_ms(400);
		ck_assert_int_eq(q(db, what), n0);
	}
	kill(pid, SIGINT);
	nap_ms(100);
	double t0 = common_now_s();
	kill(pid, SIGINT);
	int st = reap(pid, 120);
	double took = common_now_s() - t0;
	if (where == IN_SQLITE)
		release(&h);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "status %#x: not ended by the second SIGINT", st);
	ck_assert_msg(took < 0.6, "the second SIGINT took %.3f s to end the process", took);
	char *e = stderr_of(&c), want[1400];
	has(e, "pdswap-dse: stopping: saving the work in progress (a second signal stops at once)\n");
	snprintf(want, sizeof want,
		 "pdswap-dse: second signal: stopping at once; run 1 in %s keeps what was committed; to resume it, run %s\n",
		 db, c.line);
	has(e, want);
	free(e);
	/* the lock is free, the database whole, the run resumable */
	char lock[512];
	snprintf(lock, sizeof lock, "%s.lock", db);
	int fd = open(lock, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(flock(fd, LOCK_EX | LOCK_NB) == 0, "the sweep lock is still held");
	close(fd);
	integrity_ok(db);
	ck_assert_int_eq(q(db, "SELECT count(*) FROM runs WHERE status IN ('running','interrupted')"), 1);
	cmd fast;
	cmd_init(&fast, db, 1, "second_resume", NULL);
	ck_assert_int_eq(run(&fast, NULL), 0);
	tu_same_run(db, 1, ref, 1, tag[where]);
}

START_TEST(a_second_sigint_ends_at_once)
{
	write_cfg();
	const char *db = "build/test_faults_sig2.db", *ref = "build/test_faults_sig2_ref.db";
	straight(ref, false);
	second_sigint(db, ref, IN_CHUNK);
	second_sigint(db, ref, IN_DES);
	second_sigint(db, ref, IN_SQLITE);
	rm_db(db);
	rm_db(ref);
}
END_TEST

Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *t = tcase_create("binary");
	tcase_set_timeout(t, 600);
	tcase_add_test(t, waits_for_a_writer_then_names_it);
	tcase_add_test(t, waits_for_another_sweep_then_names_it);
	tcase_add_test(t, a_damaged_database_is_refused_and_not_resumed);
	tcase_add_test(t, schema_versions);
	tcase_add_test(t, disk_full_part_way_keeps_the_committed_runs);
	tcase_add_test(t, sigint_and_sigterm_say_where_and_how_to_resume);
	tcase_add_test(t, a_second_sigint_ends_at_once);
	suite_add_tcase(s, t);
	return s;
}
