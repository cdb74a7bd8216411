/*
 * store.c - the SQLite side of results.db (see store.h for the schema,
 * its guards, its versions and the faults it refuses).
 *
 * Opening, in order, each step refusing before anything is written:
 *   1. the path: an existing database must be a regular file this process
 *      may write, and its directory must take new files (SQLite keeps the
 *      -wal and -shm files beside the database, the sweep its .lock);
 *      access() checks both without opening anything;
 *   2. the file is SQLite (a read of sqlite_master fails with
 *      SQLITE_NOTADB otherwise), its user_version not newer than ours, and
 *      an unversioned file holds no tables (a foreign database is never
 *      adopted);
 *   3. PRAGMA quick_check finds no damage (SQLite itself notices a damaged
 *      page only when it reads it, which could be in the middle of a run);
 *   4. an empty file gets the schema, an older one is migrated, in one
 *      transaction each;
 *   5. only then the journal becomes WAL (which rewrites the header).
 * Prepared statements are made once per handle and reused for every row.
 */
#include "store/store.h"

#include "models/rms.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "models/version.h"
#include "sim/afile.h"
#include "store/lockinfo.h"
#include "store/rdb.h"
#include "store/schema.h"
#include "store/store_int.h"



/* ------------------------------------------------------------- errors */

/* "2026-11-27T17:40:00Z" into buf[32]. */
static void utc_now(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *store_errmsg(const store *s)
{
	return s->err;
}

sqlite3 *store_db(store *s)
{
	return s->db;
}

const char *store_path(const store *s)
{
	return s->path;
}

double store_lock_timeout(const store *s)
{
	return s->lock_timeout_s;
}

static int busy_ms(double timeout_s)
{
	return timeout_s < 2e6 ? (int)(timeout_s * 1000 + 0.5) : 2000000000;
}

void store_set_lock_timeout(store *s, double timeout_s)
{
	s->lock_timeout_s = timeout_s > 0 ? timeout_s : 0;
	sqlite3_busy_timeout(s->db, busy_ms(s->lock_timeout_s));
}

int store_migrated_from(const store *s)
{
	return s->migrated_from;
}

bool store_damaged(const store *s)
{
	return s->damaged || s->gone;
}

/* Who keeps the database locked: the WAL write lock (byte 120 of the -shm
 * file) or, in rollback mode, the RESERVED lock byte of the file. */
static void lock_holder(const store *s, char *buf, size_t len)
{
	char shm[1100];
	snprintf(shm, sizeof shm, "%s-shm", s->path);
	if (lockinfo_holder(shm, LOCKINFO_POSIX, 120, 120, buf, len) == 0)
		lockinfo_holder(s->path, LOCKINFO_POSIX, 0x40000000LL, 0x40000000LL + 511, buf, len);
}

/*
 * Why SQLite failed with rc, in words a user can act on.  A damaged file
 * marks the store damaged.
 */
static void cause(store *s, int rc, char *buf, size_t len)
{
	int e = s->db ? sqlite3_system_errno(s->db) : 0;
	const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	switch (rc & 0xff) {
	case SQLITE_FULL:
		snprintf(buf, len, "database or disk is full (no space left on its file system, or the database "
				   "reached its size limit)");
		return;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: {
		char who[128];
		lock_holder(s, who, sizeof who);
		snprintf(buf, len,
			 "the database is locked by another writer%s%s%s for more than %g s; try again once it has "
			 "finished, or wait longer with --lock-timeout SECONDS",
			 *who ? ", " : "", who, *who ? "," : "", s->lock_timeout_s);
		return;
	}
	case SQLITE_READONLY:
		snprintf(buf, len, "the database is read-only (%s)", e ? strerror(e) : msg);
		return;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		s->damaged = true;
		snprintf(buf, len, "the database file is damaged (%s); nothing more is written into it", msg);
		return;
	case SQLITE_IOERR:
		if (e == ENOSPC || e == EDQUOT) {
			snprintf(buf, len, "database or disk is full (%s)", strerror(e));
			return;
		}
		snprintf(buf, len, "I/O error: %s%s%s", msg, e ? ": " : "", e ? strerror(e) : "");
		return;
	case SQLITE_CANTOPEN:
		snprintf(buf, len, "%s%s%s", msg, e ? ": " : "", e ? strerror(e) : "");
		return;
	default:
		snprintf(buf, len, "%s", msg);
	}
}

int store_fail_rc(store *s, int rc, const char *what)
{
	char why[1000];
	cause(s, rc, why, sizeof why);
	snprintf(s->err, sizeof s->err, "%s: %s: %s", s->path, what, why);
	return -1;
}

static int fail(store *s, const char *what)
{
	return store_fail_rc(s, s->db ? sqlite3_extended_errcode(s->db) : SQLITE_ERROR, what);
}

int store_exec(store *s, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	sqlite3_free(msg);
	return rc == SQLITE_OK ? 0 : store_fail_rc(s, rc, what);
}

/* First column of the first row as an integer (0 without rows); an SQLite code. */
int store_query_int(store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		*out = 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

int store_prepare(store *s, sqlite3_stmt **st, const char *sql)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK)
		return store_fail_rc(s, rc, "cannot prepare a statement");
	return 0;
}

/* ------------------------------------------------------------ opening */

/*
 * SQLite takes a file shorter than one page for an empty database and
 * writes over it (a one-byte file becomes a database).  A file that is not
 * empty must begin with SQLite's 16-byte header string, or it is not ours
 * to touch.
 */
int store_sniff(const char *path, long long size, char *err, size_t errlen)
{
	static const char magic[16] = "SQLite format 3";
	if (size == 0)
		return 0;
	char head[16] = {0};
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read the database: %s", path, strerror(errno));
		return -1;
	}
	size_t n = fread(head, 1, sizeof head, f);
	fclose(f);
	if (n != sizeof head || memcmp(head, magic, sizeof magic) != 0) {
		store_refusal(STORE_NOT_SQLITE, path, 0, err, errlen);
		return -1;
	}
	return 0;
}

/*
 * Step 1 of the opening: refuse a path that cannot be written before
 * SQLite creates or touches anything.  access() opens nothing (closing a
 * descriptor of the database would drop this process's SQLite locks) and
 * sees what writing would see: permissions (for root too when it lacks
 * CAP_DAC_OVERRIDE), read-only mounts, immutable files.
 */
static int check_path(const char *path, char *err, size_t errlen)
{
	struct stat st;
	bool exists = stat(path, &st) == 0;
	if (!exists && errno != ENOENT) {
		snprintf(err, errlen, "%s: cannot reach the database: %s", path, strerror(errno));
		return -1;
	}
	if (exists && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file; choose another --db", path);
		return -1;
	}
	if (exists && store_sniff(path, st.st_size, err, errlen))
		return -1;
	if (exists && access(path, R_OK | W_OK) != 0) {
		snprintf(err, errlen, "%s: cannot write to the database file: %s; it is left as it was: make it "
				      "writable or choose another --db",
			 path, strerror(errno));
		return -1;
	}
	char dir[1024];
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if (!exists && afile_check_parent(path, err, errlen))
		return -1;
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen,
			 "%s: cannot create files in its directory '%s': %s (SQLite keeps the database's -wal and "
			 "-shm files there, the sweep its .lock file); nothing was written: make the directory "
			 "writable or choose another --db",
			 path, dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Step 3: PRAGMA quick_check; the first problem it reports into buf. */
static int quick_check(store *s, char *buf, size_t len)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(buf, len, "%s", t ? (const char *)t : "");
		/* "*** in database main ***\nPage 6: ..." on one line */
		for (char *p = buf; (p = strchr(p, '\n')) != NULL;)
			*p = ' ';
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

void store_refusal(int why, const char *path, long long ver, char *err, size_t errlen)
{
	switch (why) {
	case STORE_NOT_SQLITE:
		snprintf(err, errlen, "%s: not a SQLite database; refusing to touch it (it is left as it was): choose"
				      " another --db",
			 path);
		return;
	case STORE_FOREIGN:
		snprintf(err, errlen, "%s: a database of another application (no pdswap schema version); refusing to"
				      " touch it: choose another --db",
			 path);
		return;
	case STORE_NEWER:
		snprintf(err, errlen,
			 "%s: schema version %lld is newer than this pdswap-dse understands (%d); it is left as it was:"
			 " use a newer pdswap-dse, or choose another --db",
			 path, ver, STORE_SCHEMA_VERSION);
		return;
	default:
		BUG("refusal %d", why);
	}
}

/* A failure of the opening's reads, worded for the case. */
static void open_read_error(store *s, int rc, char *err, size_t errlen)
{
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
		store_refusal(STORE_NOT_SQLITE, s->path, 0, err, errlen);
		return;
	case SQLITE_CORRUPT:
		s->damaged = true;
		snprintf(err, errlen,
			 "%s: the database is damaged (%s); refusing to write into it (it is left as it was): restore it "
			 "from a backup, or move it aside ('sqlite3 FILE .recover' may save its rows) and run again",
			 s->path, sqlite3_errmsg(s->db));
		return;
	default:
		store_fail_rc(s, rc, "cannot read the database");
		snprintf(err, errlen, "%s", s->err);
	}
}

/* Step 2: what the file is: its version (*ver) and whether it has tables. */
static int open_identify(store *s, const char *path, int64_t *ver, int64_t *ntab, char *err, size_t errlen)
{
	int rc = store_query_int(s, "PRAGMA user_version", ver);
	if (rc == SQLITE_OK)
		rc = store_query_int(s, "SELECT count(*) FROM sqlite_master", ntab);
	if (rc != SQLITE_OK) {
		open_read_error(s, rc, err, errlen);
		return -1;
	}
	if (*ver > STORE_SCHEMA_VERSION) {
		store_refusal(STORE_NEWER, path, *ver, err, errlen);
		return -1;
	}
	if (*ver < 0 || (*ver == 0 && *ntab > 0)) {
		store_refusal(STORE_FOREIGN, path, 0, err, errlen);
		return -1;
	}
	return 0;
}

/* Step 3: damage SQLite would only notice when it reads the page. */
static int open_quick_check(store *s, const char *path, char *err, size_t errlen)
{
	char qc[512] = "";
	int rc = quick_check(s, qc, sizeof qc);
	if (rc != SQLITE_OK) {
		open_read_error(s, rc, err, errlen);
		return -1;
	}
	if (strcmp(qc, "ok") != 0) {
		s->damaged = true;
		snprintf(err, errlen,
			 "%s: the database is damaged (quick_check: %s); refusing to write into it (it is left as "
			 "it was): restore it from a backup, or move it aside ('sqlite3 FILE .recover' may save "
			 "its rows) and run again",
			 path, qc);
		return -1;
	}
	return 0;
}

/* Step 5: the journal, the connection's settings and the statements. */
static int open_settings(store *s, char *err, size_t errlen)
{
	if (store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
		 "cannot set the journal mode")) {
		snprintf(err, errlen, "%s", s->err);
		return -1;
	}
	/*
	 * Test hook, not an interface: PDSWAP_TEST_DB_GROW_PAGES=N lets the
	 * database grow by at most N pages from here on (PRAGMA
	 * max_page_count), so that the tests can make a write fail with
	 * SQLITE_FULL part-way through a sweep.  A size cap only makes a
	 * write fail; it changes no value that is stored.
	 */
	const char *grow = getenv("PDSWAP_TEST_DB_GROW_PAGES");
	if (grow && *grow) {
		int64_t pages = 0;
		char sql[80];
		if (store_query_int(s, "PRAGMA page_count", &pages) == SQLITE_OK) {
			snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld;", (long long)(pages + atoll(grow)));
			sqlite3_exec(s->db, sql, NULL, NULL, NULL);
		}
	}
	if (store_prepare(s, &s->ins_point,
		    "INSERT INTO points VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
		    "?,?,?,?,?,?)") ||
	    store_prepare(s, &s->ins_rm, "INSERT INTO point_rms VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)") ||
	    store_prepare(s, &s->del_rms, "DELETE FROM point_rms WHERE run_id=? AND point_id=?") ||
	    store_prepare(s, &s->ins_metric, "INSERT INTO metrics VALUES(?,?,?,?,?,?,?,?,?,?)") ||
	    store_prepare(s, &s->ins_pareto, "INSERT INTO pareto VALUES(?,?)") ||
	    store_prepare(s, &s->ins_chosen, "INSERT OR REPLACE INTO chosen VALUES(?,?,?)") ||
	    store_prepare(s, &s->ins_chunk, "INSERT INTO chunks VALUES(?,?,?,?,?,?,?)") ||
	    store_prepare(s, &s->del_pareto, "DELETE FROM pareto WHERE run_id=? AND point_id=?") ||
	    store_prepare(s, &s->del_metrics, "DELETE FROM metrics WHERE run_id=? AND point_id=?") ||
	    store_prepare(s, &s->del_point, "DELETE FROM points WHERE run_id=? AND point_id=?")) {
		snprintf(err, errlen, "%s", s->err);
		return -1;
	}
	return 0;
}

int store_open_wait(store **out, const char *path, double lock_timeout_s, char *err, size_t errlen)
{
	*out = NULL;
	if (check_path(path, err, errlen))
		return -1;
	store *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	snprintf(s->path, sizeof s->path, "%s", path);
	s->lock_timeout_s = lock_timeout_s > 0 ? lock_timeout_s : 0;
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		store_fail_rc(s, rc, "cannot open the database");
		snprintf(err, errlen, "%s", s->err);
		goto bad;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, busy_ms(s->lock_timeout_s));
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		snprintf(err, errlen, "%s: SQLite can open the database only read-only; it is left as it was: make it "
				      "writable or choose another --db",
			 path);
		goto bad;
	}

	/* step 2: what the file is */
	int64_t ver = 0, ntab = 0;
	if (open_identify(s, path, &ver, &ntab, err, errlen))
		goto bad;
	/* step 3: damage SQLite would only notice when it reads the page */
	if (ntab > 0 && open_quick_check(s, path, err, errlen))
		goto bad;
	/* step 4: the schema */
	if (ver < STORE_SCHEMA_VERSION && schema_upgrade(s, (int)ver)) {
		if (ver > 0)
			snprintf(err, errlen, "%s; it is left as it was (reports and exports still read it): use another "
					      "--db for new runs",
				 s->err);
		else
			snprintf(err, errlen, "%s", s->err);
		goto bad;
	}

	/* step 5: the journal, the settings, the statements */
	if (open_settings(s, err, errlen))
		goto bad;
	/* step 6: which file it is, so that a commit can tell it is still there */
	struct stat st;
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: cannot find the database just opened: %s", path, strerror(errno));
		goto bad;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	*out = s;
	return 0;
bad:
	store_close(s);
	return -1;
}

int store_open(store **out, const char *path, char *err, size_t errlen)
{
	return store_open_wait(out, path, STORE_LOCK_TIMEOUT_S, err, errlen);
}

void store_close(store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->ins_point);
	sqlite3_finalize(s->ins_metric);
	sqlite3_finalize(s->ins_pareto);
	sqlite3_finalize(s->ins_chosen);
	sqlite3_finalize(s->ins_chunk);
	sqlite3_finalize(s->del_pareto);
	sqlite3_finalize(s->del_metrics);
	sqlite3_finalize(s->del_point);
	sqlite3_finalize(s->ins_rm);
	sqlite3_finalize(s->del_rms);
	sqlite3_close(s->db);
	free(s);
}

/*
 * Whether the path still names the file opened: a database removed, or
 * renamed away and replaced, while a run writes it would take the rows
 * into a file nobody can find (SQLite writes through its open descriptor).
 */
static int same_file(store *s)
{
	struct stat st;
	if (stat(s->path, &st) != 0)
		snprintf(s->err, sizeof s->err,
			 "%s: the database was removed while this run wrote it (%s); what it committed since is in"
			 " the removed file, not at this path",
			 s->path, strerror(errno));
	else if (st.st_dev != s->dev || st.st_ino != s->ino)
		snprintf(s->err, sizeof s->err,
			 "%s: the database was replaced by another file while this run wrote it; what it committed"
			 " since is in the file that was opened, no longer at this path",
			 s->path);
	else
		return 0;
	s->gone = true;
	return -1;
}

int store_begin(store *s)
{
	if (s->damaged) {
		snprintf(s->err, sizeof s->err, "%s: the database file is damaged; refusing to write into it", s->path);
		return -1;
	}
	if (s->gone && same_file(s))
		return -1;
	return store_exec(s, "BEGIN IMMEDIATE;", "cannot start a transaction");
}

int store_commit(store *s)
{
	if (same_file(s))
		return -1;
	return store_exec(s, "COMMIT;", "cannot commit");
}

int store_rollback(store *s)
{
	if (sqlite3_get_autocommit(s->db))
		return 0; /* SQLite already rolled back (it may, after SQLITE_FULL) */
	return store_exec(s, "ROLLBACK;", "cannot roll back");
}

static int step_done(store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return store_fail_rc(s, rc, what);
	return 0;
}
int store_new_run(store *s, const cfg_t *c, const char *kind, int threads, int64_t *run_id)
{
	sqlite3_stmt *st;
	char now[32];
	utc_now(now);
	if (store_prepare(s, &st,
		    "INSERT INTO runs(config_path, config_sha256, config_text, tool_version, kind,"
		    " started_at, status, threads, model_fingerprint) VALUES(?,?,?,?,?,?,'running',?,?)"))
		return -1;
	sqlite3_bind_text(st, 1, c->path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, c->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, c->text, (int)c->text_len, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, PDS_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 7, threads);
	sqlite3_bind_text(st, 8, version_model_fingerprint(), -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(s, "cannot record the run");
	*run_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_set_ranks(store *s, int64_t run_id, int ranks)
{
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "UPDATE runs SET ranks=? WHERE run_id=?"))
		return -1;
	sqlite3_bind_int(st, 1, ranks);
	sqlite3_bind_int64(st, 2, run_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(s, "cannot record the run's ranks");
}

int store_finish_run(store *s, int64_t run_id, const char *status, int64_t n_points, int64_t n_feasible)
{
	sqlite3_stmt *st;
	char now[32];
	utc_now(now);
	if (store_prepare(s, &st,
		    "UPDATE runs SET status=?, finished_at=?, n_points=?, n_feasible=? WHERE run_id=?"))
		return -1;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, n_points);
	sqlite3_bind_int64(st, 4, n_feasible);
	sqlite3_bind_int64(st, 5, run_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(s, "cannot finish the run");
	return 0;
}

/* A figure the schema accepts: finite, non-negative, below its 1e300 bound. */
static bool is_figure(double v)
{
	return isfinite(v) && v >= 0 && v < 1e300;
}

/* The row a figure belongs to, put into words only when one is refused
 * (rows are stored by the million). */
typedef struct {
	const char *what;   /* "point", "chosen point", "best dpr point" */
	const char *source; /* metrics: "analytic" or "des"; NULL otherwise */
	int64_t run, point;
	int length;
} row_ref;

/* "point 12 of run 3" or "des metrics of point 12 of run 3 at length 64". */
static void row_words(const row_ref *r, char *buf, size_t len)
{
	if (r->source)
		snprintf(buf, len, "%s metrics of point %lld of run %lld at length %d", r->source, (long long)r->point,
			 (long long)r->run, r->length);
	else
		snprintf(buf, len, "%s %lld of run %lld", r->what, (long long)r->point, (long long)r->run);
}

/*
 * Refuse a figure before SQLite sees it: a NaN would be stored as NULL,
 * which reads as "not measured here".  The figure is prefix + name.
 */
static int bad_figure(store *s, const row_ref *r, const char *prefix, const char *name, double v)
{
	char where[160];
	row_words(r, where, sizeof where);
	snprintf(s->err, sizeof s->err, "%s: %s: '%s%s' is %g, not a finite non-negative number; refusing to store it",
		 s->path, where, prefix, name, v);
	return -1;
}

/* Bind a required figure at i; -1 (message set, statement reset) when it is not one. */
static int bind_fig(store *s, sqlite3_stmt *st, int i, double v, const row_ref *r, const char *prefix,
		    const char *name)
{
	if (!is_figure(v)) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return bad_figure(s, r, prefix, name, v);
	}
	sqlite3_bind_double(st, i, v);
	return 0;
}

/* The modules of a point whose design names a set, one point_rms row each. */
static int put_rms(store *s, const cfg_t *c, const store_point *p)
{
	static const char *const serves[4] = {"", "prefill", "decode", "prefill,decode"};
	const rmset_t *set = &p->d->rms;
	const row_ref where = {"point", NULL, p->run_id, p->point_id, 0};
	sqlite3_stmt *st = s->ins_rm;
	for (int k = 0; k < set->n; k++) {
		const rm_t *m = &set->rm[k];
		bool pre = m->engines & RM_ENG_PRE, dec = m->engines & RM_ENG_DEC;
		int i = 1;
		sqlite3_bind_int64(st, i++, p->run_id);
		sqlite3_bind_int64(st, i++, p->point_id);
		sqlite3_bind_int(st, i++, k);
		sqlite3_bind_text(st, i++, m->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, i++, pre && dec ? "hybrid" : pre ? "prefill" : "decode", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, i++, serves[m->serves & 3], -1, SQLITE_STATIC);
		const int pv[5] = {m->pre_pe, m->pre_lanes, m->pre_block, m->pre_burst, m->pre_outstanding};
		for (int j = 0; j < 5; j++)
			pre ? sqlite3_bind_int(st, i++, pv[j]) : sqlite3_bind_null(st, i++);
		pre ? sqlite3_bind_text(st, i++, c->arch.port_maps[m->pm_pre].name, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i++);
		const int dv[3] = {m->dec_lanes, m->dec_burst, m->dec_outstanding};
		for (int j = 0; j < 3; j++)
			dec ? sqlite3_bind_int(st, i++, dv[j]) : sqlite3_bind_null(st, i++);
		dec ? sqlite3_bind_text(st, i++, c->arch.port_maps[m->pm_dec].name, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i++);
		dec ? sqlite3_bind_text(st, i++, dataflow_names[m->dec_dataflow], -1, SQLITE_STATIC) : sqlite3_bind_null(st, i++);
		res_t r = rms_module_res(c, m);
		for (int t = 0; t < RES_N; t++)
			if (bind_fig(s, st, i++, r.v[t], &where, "module ", res_names[t]))
				return -1;
		if (step_done(s, st, "cannot store a module of a design point"))
			return -1;
	}
	return 0;
}

int store_put_point(store *s, const cfg_t *c, const store_point *p)
{
	static const char *const grp[3] = {"", "util_", "equiv_"};
	sqlite3_stmt *st = s->ins_point;
	const design_t *d = p->d;
	const row_ref where = {"point", NULL, p->run_id, p->point_id, 0};
	int i = 1;
	sqlite3_bind_int64(st, i++, p->run_id);
	sqlite3_bind_int64(st, i++, p->point_id);
	if (p->design_name)
		sqlite3_bind_text(st, i++, p->design_name, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i++);
	sqlite3_bind_text(st, i++, mode_names[d->mode], -1, SQLITE_STATIC);
	sqlite3_bind_int(st, i++, d->clock_mhz);
	sqlite3_bind_int(st, i++, d->tlmm_tables);
	sqlite3_bind_int(st, i++, d->tlmm_lanes);
	sqlite3_bind_int(st, i++, d->pre_pe);
	sqlite3_bind_int(st, i++, d->pre_lanes);
	sqlite3_bind_int(st, i++, d->pre_block);
	sqlite3_bind_int(st, i++, d->pre_burst);
	sqlite3_bind_int(st, i++, d->pre_outstanding);
	sqlite3_bind_int(st, i++, d->dec_lanes);
	sqlite3_bind_int(st, i++, d->dec_burst);
	sqlite3_bind_int(st, i++, d->dec_outstanding);
	sqlite3_bind_text(st, i++, c->arch.port_maps[d->pm_pre].name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, i++, c->arch.port_maps[d->pm_dec].name, -1, SQLITE_STATIC);
	if (d->mode == MODE_DPR)
		sqlite3_bind_text(st, i++, c->arch.pblocks[d->rp].name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i++);
	const res_t *v[3] = {&p->res->r_total, &p->res->util, &p->res->util_equiv};
	for (int g = 0; g < 3; g++)
		for (int t = 0; t < RES_N; t++)
			if (bind_fig(s, st, i++, v[g]->v[t], &where, grp[g], res_names[t]))
				return -1;
	sqlite3_bind_int(st, i++, p->feasible);
	if (p->reason && *p->reason)
		sqlite3_bind_text(st, i++, p->reason, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i++);
	/* a negative objective says "not computed"; a NaN is a failed computation */
	if (p->objective < 0)
		sqlite3_bind_null(st, i++);
	else if (bind_fig(s, st, i++, p->objective, &where, "", "objective"))
		return -1;
	if (d->mode == MODE_DPR) {
		if (bind_fig(s, st, i++, p->swap_s, &where, "", "swap_s") ||
		    bind_fig(s, st, i++, p->bitstream_bytes, &where, "", "bitstream_bytes"))
			return -1;
	} else {
		sqlite3_bind_null(st, i++);
		sqlite3_bind_null(st, i++);
	}
	sqlite3_bind_text(st, i++, dataflow_names[d->dec_dataflow], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, i++, kv_prec_names[d->kv_prec], -1, SQLITE_STATIC);
	sqlite3_bind_int(st, i++, d->kv_window);
	sqlite3_bind_int(st, i++, d->kv_sinks);
	sqlite3_bind_text(st, i++, kv_tier_names[d->kv_tier], -1, SQLITE_STATIC);
	rmset_t set;
	rms_expand(d, &set);
	sqlite3_bind_int(st, i++, set.n);
	if (set.n > 0) {
		char words[1024];
		sqlite3_bind_text(st, i++, rms_describe(c, d, words, sizeof words), -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, i++);
	}
	if (step_done(s, st, "cannot store a design point"))
		return -1;
	return d->mode == MODE_DPR && d->rms.n > 0 ? put_rms(s, c, p) : 0;
}

int store_put_metric(store *s, const store_metric *m, unsigned have)
{
	static const struct {
		const char *name;
		unsigned group;
	} col[6] = {{"ttft_s", STORE_HAVE_PROMPT},     {"prefill_s", STORE_HAVE_PROMPT},
		    {"decode_tok_s", STORE_HAVE_DECODE}, {"decode_step_s", STORE_HAVE_DECODE},
		    {"energy_j_per_token", STORE_HAVE_DECODE}, {"swap_exposed_s", STORE_HAVE_SWAP}};
	const double v[6] = {m->f.ttft_s,        m->f.prefill_s,          m->f.decode_tok_s,
			     m->f.decode_step_s, m->f.energy_j_per_token, m->f.swap_exposed_s};
	sqlite3_stmt *st = s->ins_metric;
	const row_ref ref = {"", m->source, m->run_id, m->point_id, m->length};
	char where[160];
	if (!(have & (STORE_HAVE_PROMPT | STORE_HAVE_DECODE)) || ((have & STORE_HAVE_SWAP) && !(have & STORE_HAVE_PROMPT))) {
		row_words(&ref, where, sizeof where);
		snprintf(s->err, sizeof s->err, "%s: %s: a row must carry the prompt or the decode figures, and the "
						"exposed swap only with the prompt figures",
			 s->path, where);
		return -1;
	}
	sqlite3_bind_int64(st, 1, m->run_id);
	sqlite3_bind_int64(st, 2, m->point_id);
	sqlite3_bind_text(st, 3, m->source, -1, SQLITE_STATIC); /* reset before returning */
	sqlite3_bind_int(st, 4, m->length);
	for (int k = 0; k < 6; k++) {
		if (have & col[k].group) {
			if (bind_fig(s, st, 5 + k, v[k], &ref, "", col[k].name))
				return -1;
		} else if (!isnan(v[k])) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			row_words(&ref, where, sizeof where);
			snprintf(s->err, sizeof s->err, "%s: %s: '%s' is given (%g) but the row does not carry it",
				 s->path, where, col[k].name, v[k]);
			return -1;
		} else {
			sqlite3_bind_null(st, 5 + k);
		}
	}
	return step_done(s, st, "cannot store a metric");
}

int store_put_pareto(store *s, int64_t run_id, int64_t point_id)
{
	sqlite3_bind_int64(s->ins_pareto, 1, run_id);
	sqlite3_bind_int64(s->ins_pareto, 2, point_id);
	return step_done(s, s->ins_pareto, "cannot store Pareto membership");
}

int store_put_chosen(store *s, int64_t run_id, int64_t point_id, double objective)
{
	const row_ref where = {"chosen point", NULL, run_id, point_id, 0};
	sqlite3_bind_int64(s->ins_chosen, 1, run_id);
	sqlite3_bind_int64(s->ins_chosen, 2, point_id);
	if (bind_fig(s, s->ins_chosen, 3, objective, &where, "", "objective"))
		return -1;
	return step_done(s, s->ins_chosen, "cannot store the chosen point");
}

/* ------------------------------------------------------------ the sweep */

static int bind_run_point(store *s, sqlite3_stmt *st, int64_t run_id, int64_t point_id, const char *what)
{
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, point_id);
	return step_done(s, st, what);
}

int store_new_sweep(store *s, int64_t run_id, const store_sweep *w)
{
	sqlite3_stmt *st;
	if (store_prepare(s, &st,
		    "INSERT INTO sweeps(run_id, all_points, n_space, n_chunks, objectives, shard, n_shards)"
		    " VALUES(?,?,?,?,?,?,?)"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int(st, 2, w->all_points);
	sqlite3_bind_int64(st, 3, w->n_space);
	sqlite3_bind_int64(st, 4, w->n_chunks);
	sqlite3_bind_text(st, 5, w->objectives, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 6, w->shard);
	sqlite3_bind_int(st, 7, w->n_shards);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(s, "cannot record the sweep");
}

int store_find_sweep(store *s, const cfg_t *c, const store_sweep *w, int64_t *run_id, int64_t *other_run,
		     char other_fp[17])
{
	sqlite3_stmt *st;
	*run_id = 0;
	*other_run = 0;
	other_fp[0] = '\0';
	if (store_prepare(s, &st,
		    "SELECT r.run_id, r.model_fingerprint FROM runs r JOIN sweeps w USING(run_id)"
		    " WHERE r.config_sha256=? AND r.kind=? AND r.status IN ('running','interrupted')"
		    " AND w.all_points=? AND w.n_space=? AND w.n_chunks=? AND w.objectives=?"
		    " AND w.shard=? AND w.n_shards=?"
		    " ORDER BY r.run_id DESC LIMIT 1"))
		return -1;
	sqlite3_bind_text(st, 1, c->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, store_sweep_kind(w), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, w->all_points);
	sqlite3_bind_int64(st, 4, w->n_space);
	sqlite3_bind_int64(st, 5, w->n_chunks);
	sqlite3_bind_text(st, 6, w->objectives, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 7, w->shard);
	sqlite3_bind_int(st, 8, w->n_shards);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *fp = (const char *)sqlite3_column_text(st, 1);
		if (fp && strcmp(fp, version_model_fingerprint()) == 0) {
			*run_id = sqlite3_column_int64(st, 0);
		} else {
			*other_run = sqlite3_column_int64(st, 0);
			snprintf(other_fp, 17, "%s", fp ? fp : "");
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s, "cannot look for an unfinished sweep");
}

const char *store_sweep_kind(const store_sweep *w)
{
	return w->n_shards > 1 ? "shard" : "sweep";
}

int store_put_chunk(store *s, int64_t run_id, int64_t chunk, const store_counts *n)
{
	sqlite3_stmt *st = s->ins_chunk;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, chunk);
	sqlite3_bind_int64(st, 3, n->points);
	sqlite3_bind_int64(st, 4, n->feasible);
	sqlite3_bind_int64(st, 5, n->over_cap);
	sqlite3_bind_int64(st, 6, n->too_slow);
	sqlite3_bind_int64(st, 7, n->no_fit);
	return step_done(s, st, "cannot record a finished chunk");
}

int store_add_knob(store *s, int64_t run_id, arch_mode mode, const char *knob, int value_index, const char *value,
		   int64_t n_feasible, double best_objective)
{
	sqlite3_stmt *st;
	if (store_prepare(s, &st,
			  "INSERT INTO knobs VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(run_id, mode, knob, value_index)"
			  " DO UPDATE SET n_feasible = n_feasible + excluded.n_feasible, best_objective ="
			  " CASE WHEN best_objective IS NULL THEN excluded.best_objective"
			  " WHEN excluded.best_objective IS NULL THEN best_objective"
			  " ELSE min(best_objective, excluded.best_objective) END"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, mode_names[mode], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, knob, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, value_index);
	sqlite3_bind_text(st, 5, value, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, n_feasible);
	if (n_feasible > 0 && best_objective >= 0)
		sqlite3_bind_double(st, 7, best_objective);
	else
		sqlite3_bind_null(st, 7);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail_rc(s, rc, "cannot record what a knob does");
}

int store_put_group(store *s, int64_t run_id, int64_t point_id, int64_t representative)
{
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "INSERT OR REPLACE INTO groups VALUES(?,?,?)"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, point_id);
	sqlite3_bind_int64(st, 3, representative);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail_rc(s, rc, "cannot record a group of equal points");
}

/* Run `sql` with ?1 = run_id and hand column 0 of each row to fn. */
static int each_id(store *s, const char *sql, int64_t run_id, int (*fn)(void *, int64_t), void *arg,
		   const char *what)
{
	sqlite3_stmt *st;
	if (store_prepare(s, &st, sql))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(arg, sqlite3_column_int64(st, 0))) {
			sqlite3_finalize(st);
			snprintf(s->err, sizeof s->err, "%s: %s: out of memory", s->path, what);
			return -1;
		}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(s, what);
}

int store_each_chunk(store *s, int64_t run_id, int (*fn)(void *, int64_t), void *arg)
{
	return each_id(s, "SELECT chunk_id FROM chunks WHERE run_id=?1", run_id, fn, arg,
		       "cannot read the finished chunks");
}

int store_each_pareto(store *s, int64_t run_id, int (*fn)(void *, int64_t), void *arg)
{
	return each_id(s, "SELECT point_id FROM pareto WHERE run_id=?1 ORDER BY point_id", run_id, fn, arg,
		       "cannot read the Pareto front");
}

int store_chunk_totals(store *s, int64_t run_id, int64_t *n_chunks, store_counts *n)
{
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "SELECT count(*), coalesce(sum(n_points),0), coalesce(sum(n_feasible),0),"
				  " coalesce(sum(n_over_cap),0), coalesce(sum(n_too_slow),0), coalesce(sum(n_no_fit),0)"
				  " FROM chunks WHERE run_id=?"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n_chunks = sqlite3_column_int64(st, 0);
		*n = (store_counts){sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
				    sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5)};
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : fail(s, "cannot count the finished chunks");
}

int store_del_pareto(store *s, int64_t run_id, int64_t point_id)
{
	return bind_run_point(s, s->del_pareto, run_id, point_id, "cannot update the Pareto front");
}

int store_del_point(store *s, int64_t run_id, int64_t point_id)
{
	if (bind_run_point(s, s->del_pareto, run_id, point_id, "cannot update the Pareto front") ||
	    bind_run_point(s, s->del_metrics, run_id, point_id, "cannot drop a dominated point's metrics") ||
	    bind_run_point(s, s->del_rms, run_id, point_id, "cannot drop a dominated point's modules"))
		return -1;
	return bind_run_point(s, s->del_point, run_id, point_id, "cannot drop a dominated point");
}

int store_set_status(store *s, int64_t run_id, const char *status)
{
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "UPDATE runs SET status=? WHERE run_id=?"))
		return -1;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, run_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(s, "cannot update the run's status");
}

int store_put_best(store *s, int64_t run_id, arch_mode mode, int64_t point_id, const char *source,
		   double objective)
{
	sqlite3_stmt *st;
	if (!is_figure(objective)) {
		const row_ref where = {mode == MODE_DPR ? "best dpr point" : "best static point", NULL, run_id, point_id, 0};
		return bad_figure(s, &where, "", "objective", objective);
	}
	if (store_prepare(s, &st, "INSERT OR REPLACE INTO best VALUES(?,?,?,?,?)"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, mode_names[mode], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, point_id);
	sqlite3_bind_text(st, 4, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 5, objective);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(s, "cannot store the best design of a mode");
}

int store_put_best_pair(store *s, int64_t run_id, int64_t point_id, const char *source, double objective)
{
	sqlite3_stmt *st;
	if (!is_figure(objective)) {
		const row_ref where = {"best two-module dpr point", NULL, run_id, point_id, 0};
		return bad_figure(s, &where, "", "objective", objective);
	}
	if (store_prepare(s, &st, "INSERT OR REPLACE INTO best VALUES(?,'dpr_pair',?,?,?)"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, point_id);
	sqlite3_bind_text(st, 3, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 4, objective);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(s, "cannot store the best two-module design");
}

static double col_num(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

int store_get_metric(store *s, int64_t run_id, int64_t point_id, const char *source, int length,
		     store_metric *m)
{
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "SELECT ttft_s, prefill_s, decode_tok_s, decode_step_s, energy_j_per_token,"
			    " swap_exposed_s FROM metrics WHERE run_id=? AND point_id=? AND source=? AND length=?"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, point_id);
	sqlite3_bind_text(st, 3, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, length);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*m = (store_metric){run_id, point_id, source, length,
				    {col_num(st, 0), col_num(st, 1), col_num(st, 2), col_num(st, 3), col_num(st, 4),
				     col_num(st, 5)}};
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 1 : fail(s, "cannot read a metric");
}

/* ------------------------------------------------- what the report draws */

/* Run one prepared insert and finalize it. */
static int step_final(store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		store_fail_rc(s, rc, what);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int store_put_curve(store *s, int64_t run_id, int64_t point_id, const char *metric, int length, double value)
{
	sqlite3_stmt *st;
	const row_ref ref = {"curve point", NULL, run_id, point_id, length};
	if (store_prepare(s, &st, "INSERT INTO curves VALUES(?,?,?,?,?)"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, point_id);
	sqlite3_bind_text(st, 3, metric, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, length);
	if (bind_fig(s, st, 5, value, &ref, "", metric)) {
		sqlite3_finalize(st);
		return -1;
	}
	return step_final(s, st, "cannot store a curve");
}

int store_put_region(store *s, int64_t run_id, int64_t point_id, const char *region, const res_t *r)
{
	sqlite3_stmt *st;
	const row_ref ref = {"point", NULL, run_id, point_id, 0};
	if (store_prepare(s, &st, "INSERT INTO regions VALUES(?,?,?,?,?,?,?,?)"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, point_id);
	sqlite3_bind_text(st, 3, region, -1, SQLITE_TRANSIENT);
	for (int t = 0; t < RES_N; t++)
		if (bind_fig(s, st, 4 + t, r->v[t], &ref, region, res_names[t])) {
			sqlite3_finalize(st);
			return -1;
		}
	return step_final(s, st, "cannot store the resources of a region");
}

int store_put_kv_curve(store *s, const store_kv_curve *k)
{
	sqlite3_stmt *st;
	const row_ref ref = {"point", NULL, k->run_id, k->point_id, k->length};
	if (store_prepare(s, &st, "INSERT INTO kv_curves VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"))
		return -1;
	sqlite3_bind_int64(st, 1, k->run_id);
	sqlite3_bind_int64(st, 2, k->point_id);
	sqlite3_bind_text(st, 3, kv_prec_names[k->d.kv_prec], -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, k->d.kv_window);
	sqlite3_bind_int(st, 5, k->d.kv_sinks);
	sqlite3_bind_text(st, 6, kv_tier_names[k->d.kv_tier], -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, k->feasible);
	if (k->reason && *k->reason)
		sqlite3_bind_text(st, 8, k->reason, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, k->tier_blocks);
	sqlite3_bind_text(st, 10, k->tier_memory == RES_BRAM ? "bram36" : "uram", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 11, k->length);
	if (bind_fig(s, st, 12, k->decode_tok_s, &ref, "", "decode_tok_s")) {
		sqlite3_finalize(st);
		return -1;
	}
	return step_final(s, st, "cannot store a K/V curve");
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int store_put_validation(store *s, int64_t run_id, int seq, const calib_row *row)
{
	const double v[3] = {row->measured, row->predicted, row->rel_err};
	for (int k = 0; k < 3; k++)
		if (!isfinite(v[k])) {
			snprintf(s->err, sizeof s->err, "%s: validation row '%s' of run %lld is not finite; refusing to store it",
				 s->path, row->name, (long long)run_id);
			return -1;
		}
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "INSERT INTO validation VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int(st, 2, seq);
	sqlite3_bind_text(st, 3, row->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, row->unit, -1, SQLITE_TRANSIENT);
	for (int k = 0; k < 3; k++)
		sqlite3_bind_double(st, 5 + k, v[k]);
	sqlite3_bind_int(st, 8, row->fitted_to);
	sqlite3_bind_int(st, 9, row->checked);
	sqlite3_bind_text(st, 10, row->note, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 11, row->source[0] ? row->source : NULL);
	bind_text_or_null(st, 12, row->figure[0] ? row->figure : NULL);
	bind_text_or_null(st, 13, row->part[0] ? row->part : NULL);
	if (row->length > 0)
		sqlite3_bind_int(st, 14, row->length);
	else
		sqlite3_bind_null(st, 14);
	return step_final(s, st, "cannot store a validation row");
}

int store_put_swap(store *s, int64_t run_id, int64_t point_id, const char *source, const figures *f,
		   double swap_hidden_s)
{
	static const char *const names[] = {"prefill_s",      "ttft_s",         "swap_s",        "pcap_s",
					    "tail_overlap_s", "swap_hidden_s",  "swap_exposed_s", "decode_first_step_s"};
	const double v[8] = {f->prefill_s,      f->ttft_s,     f->swap_s,         f->pcap_s,
			     f->tail_overlap_s, swap_hidden_s, f->swap_exposed_s, f->decode_first_step_s};
	const row_ref ref = {"swap of point", NULL, run_id, point_id, 0};
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "INSERT INTO swaps VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, point_id);
	sqlite3_bind_text(st, 3, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, f->prompt);
	sqlite3_bind_int(st, 5, f->gen);
	for (int k = 0; k < 8; k++)
		if (bind_fig(s, st, 6 + k, v[k], &ref, "", names[k])) {
			sqlite3_finalize(st);
			return -1;
		}
	return step_final(s, st, "cannot store a swap");
}

int store_put_interval(store *s, const store_interval *v)
{
	const row_ref ref = {"interval of point", NULL, v->run_id, v->point_id, v->length};
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "INSERT INTO intervals VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"))
		return -1;
	sqlite3_bind_int64(st, 1, v->run_id);
	sqlite3_bind_int64(st, 2, v->point_id);
	sqlite3_bind_text(st, 3, v->source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, v->figure, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 5, v->length);
	const double x[5] = {v->iv.centre, v->iv.lo, v->iv.hi, v->iv.fit_lo, v->iv.fit_hi};
	static const char *const nm[5] = {"value", "lo", "hi", "fit_lo", "fit_hi"};
	for (int k = 0; k < 5; k++)
		if (bind_fig(s, st, 6 + k, x[k], &ref, "", nm[k])) {
			sqlite3_finalize(st);
			return -1;
		}
	sqlite3_bind_int(st, 11, v->iv.unconstrained);
	sqlite3_bind_double(st, 12, v->level);
	sqlite3_bind_int(st, 13, v->samples);
	return step_final(s, st, "cannot store an interval");
}


int store_put_trace(store *s, int64_t run_id, int64_t point_id, const trace_log *log)
{
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "INSERT INTO trace_events VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"))
		return -1;
	for (size_t i = 0; i < log->n; i++) {
		const trace_event *e = &log->ev[i];
		bool span = e->kind == 'X' || e->kind == 'I'; /* an instant is a span of no length */
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_int64(st, 2, point_id);
		sqlite3_bind_int64(st, 3, (int64_t)i);
		sqlite3_bind_text(st, 4,
				  e->kind == 'X'   ? "span"
				  : e->kind == 'I' ? "instant"
				  : e->kind == 'P' ? "process"
						   : "thread",
				  -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, e->pid);
		sqlite3_bind_int(st, 6, e->tid);
		sqlite3_bind_text(st, 7, e->name, -1, SQLITE_TRANSIENT);
		if (span)
			sqlite3_bind_null(st, 8);
		else
			sqlite3_bind_int(st, 8, e->sort_index);
		bind_text_or_null(st, 9, span ? e->cat : NULL);
		for (int k = 10; k <= 14; k++)
			sqlite3_bind_null(st, k);
		if (span) {
			sqlite3_bind_int64(st, 10, e->t0_ps);
			sqlite3_bind_int64(st, 11, e->kind == 'X' && e->t1_ps > e->t0_ps ? e->t1_ps : e->t0_ps);
			if (e->a.layer >= 0)
				sqlite3_bind_int(st, 12, e->a.layer);
			if (e->a.token >= 0)
				sqlite3_bind_int(st, 13, e->a.token);
			if (e->a.bytes > 0)
				sqlite3_bind_double(st, 14, e->a.bytes);
		}
		bind_text_or_null(st, 15, e->a.unit >= 0 ? trace_unit_names[e->a.unit] : NULL);
		bind_text_or_null(st, 16, e->a.phase);
		bind_text_or_null(st, 17, e->a.port);
		bind_text_or_null(st, 18, e->a.stream);
		bind_text_or_null(st, 19, e->a.module >= 0 ? trace_module_names[e->a.module] : NULL);
		bind_text_or_null(st, 20, e->a.part >= 0 ? trace_part_names[e->a.part] : NULL);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (rc != SQLITE_DONE) {
			store_fail_rc(s, rc, "cannot store a trace event");
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return 0;
}

/* ------------------------------------------------------------- sessions */

static void bind_id_or_null(sqlite3_stmt *st, int i, int64_t id)
{
	if (id >= 0)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

/* Bind a figure that may be absent (NAN: NULL). */
static int bind_opt(store *s, sqlite3_stmt *st, int i, double v, const row_ref *r, const char *prefix, const char *name)
{
	if (isnan(v)) {
		sqlite3_bind_null(st, i);
		return 0;
	}
	return bind_fig(s, st, i, v, r, prefix, name);
}

int store_put_session(store *s, const store_session *m, const figures_session *f)
{
	const row_ref ref = {"session", NULL, m->run_id, m->session_id, 0};
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "INSERT INTO sessions VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
				  "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"))
		return -1;
	int i = 1;
	sqlite3_bind_int64(st, i++, m->run_id);
	sqlite3_bind_int64(st, i++, m->session_id);
	sqlite3_bind_text(st, i++, m->design, -1, SQLITE_TRANSIENT);
	bind_id_or_null(st, i++, m->point_id);
	sqlite3_bind_text(st, i++, mode_names[m->mode], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, i++, m->workload, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, i++, m->policy, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, i++, m->model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, i++, (int64_t)m->seed);
	if (bind_opt(s, st, i++, f->offered_rps, &ref, "", "offered_rps"))
		goto bad;
	const int64_t counts[5] = {f->requests, f->refused, f->trimmed, f->tokens, f->swaps};
	for (int k = 0; k < 5; k++)
		sqlite3_bind_int64(st, i++, counts[k]);
	if (bind_fig(s, st, i++, f->swap_s, &ref, "", "swap_s") ||
	    bind_fig(s, st, i++, f->swap_exposed_s, &ref, "", "swap_exposed_s"))
		goto bad;
	const figures_dist *dd[4] = {&f->wait_s, &f->ttft_s, &f->e2e_s, &f->tpot_s};
	const char *dn[4] = {"wait_s.", "ttft_s.", "e2e_s.", "tpot_s."};
	for (int k = 0; k < 4; k++) {
		const double v[5] = {dd[k]->mean, dd[k]->p50, dd[k]->p90, dd[k]->p95, dd[k]->p99};
		const char *vn[5] = {"mean", "p50", "p90", "p95", "p99"};
		for (int j = 0; j < 5; j++)
			if ((k == 3 ? bind_opt : bind_fig)(s, st, i++, v[j], &ref, dn[k], vn[j]))
				goto bad;
	}
	const double tail[6] = {f->duration_s, f->throughput_rps, f->tokens_per_s, f->goodput_rps, f->slo_ttft_p90_s,
				f->slo_tpot_p99_s};
	const char *tn[6] = {"duration_s", "throughput_rps", "tokens_per_s", "goodput_rps", "slo_ttft_p90_s", "slo_tpot_p99_s"};
	for (int k = 0; k < 6; k++)
		if (bind_fig(s, st, i++, tail[k], &ref, "", tn[k]))
			goto bad;
	sqlite3_bind_int(st, i++, f->slo_met);
	bool unbounded = isinf(f->capacity_rps) && f->capacity_rps > 0;
	if (bind_opt(s, st, i++, unbounded ? NAN : f->capacity_rps, &ref, "", "capacity_rps"))
		goto bad;
	sqlite3_bind_int(st, i++, unbounded);
	const double rest[7] = {f->reconfig_share, f->utilisation, f->energy_j, f->energy_j_per_request,
				f->energy_j_per_token, f->mean_in_system, f->kv_refill_s};
	const char *rn[7] = {"reconfig_share", "utilisation", "energy_j", "energy_j_per_request", "energy_j_per_token",
			     "mean_in_system", "kv_refill_s"};
	for (int k = 0; k < 7; k++)
		if (bind_fig(s, st, i++, rest[k], &ref, "", rn[k]))
			goto bad;
	if (m->swaps_by_rm)
		sqlite3_bind_text(st, i++, m->swaps_by_rm, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i++);
	if (i != 55)
		BUG("a session row binds %d columns; the table has 54", i - 1);
	return step_final(s, st, "cannot store a session");
bad:
	sqlite3_finalize(st);
	return -1;
}

/* A module's name: names[k], or "static" (SESSION_RM_STATIC). */
static const char *rm_name(const char *const *names, int n_names, int k)
{
	return k >= 0 && k < n_names && names ? names[k] : "static";
}

int store_put_requests(store *s, int64_t run_id, int64_t session_id, const session_rec *r, size_t n,
		       const char *const *rm_names, int n_rm)
{
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "INSERT INTO requests VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"))
		return -1;
	for (size_t k = 0; k < n; k++) {
		const session_rec *q = &r[k];
		const row_ref ref = {"request of session", NULL, run_id, (int64_t)k, 0};
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_int64(st, 2, session_id);
		sqlite3_bind_int64(st, 3, (int64_t)k);
		sqlite3_bind_int(st, 5, q->prompt);
		sqlite3_bind_int(st, 6, q->output);
		sqlite3_bind_int(st, 7, q->trimmed);
		sqlite3_bind_int(st, 12, q->swaps);
		sqlite3_bind_text(st, 15, rm_name(rm_names, n_rm, q->prefill_rm), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 16, rm_name(rm_names, n_rm, q->decode_rm), -1, SQLITE_TRANSIENT);
		char seq[RMS_MAX_SEG * (RMS_NAME_MAX + 1)] = "";
		for (int j = 0; j < q->n_dec; j++) {
			size_t l = strlen(seq);
			snprintf(seq + l, sizeof seq - l, "%s%s", j ? ">" : "", rm_name(rm_names, n_rm, q->dec_seq[j]));
		}
		sqlite3_bind_text(st, 17, q->n_dec ? seq : rm_name(rm_names, n_rm, q->decode_rm), -1, SQLITE_TRANSIENT);
		if (bind_fig(s, st, 4, q->arrival_s, &ref, "", "arrival_s") || bind_fig(s, st, 8, q->wait_s, &ref, "", "wait_s") ||
		    bind_fig(s, st, 9, q->ttft_s, &ref, "", "ttft_s") || bind_opt(s, st, 10, q->tpot_s, &ref, "", "tpot_s") ||
		    bind_fig(s, st, 11, q->e2e_s, &ref, "", "e2e_s") ||
		    bind_fig(s, st, 13, q->swap_exposed_s, &ref, "", "swap_exposed_s") ||
		    bind_fig(s, st, 14, q->energy_j, &ref, "", "energy_j")) {
			sqlite3_finalize(st);
			return -1;
		}
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (rc != SQLITE_DONE) {
			store_fail_rc(s, rc, "cannot store a request");
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return 0;
}

int store_put_breakeven(store *s, const store_breakeven *b)
{
	const row_ref ref = {"break-even cell of run", NULL, b->run_id, b->prompt, 0};
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "INSERT INTO breakeven VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"))
		return -1;
	b->prefill_rm ? sqlite3_bind_text(st, 14, b->prefill_rm, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 14);
	b->decode_rms ? sqlite3_bind_text(st, 15, b->decode_rms, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 15);
	sqlite3_bind_int64(st, 1, b->run_id);
	sqlite3_bind_text(st, 2, b->design, -1, SQLITE_TRANSIENT);
	bind_id_or_null(st, 3, b->point_id);
	sqlite3_bind_text(st, 4, b->static_design, -1, SQLITE_TRANSIENT);
	bind_id_or_null(st, 5, b->static_point_id);
	sqlite3_bind_text(st, 6, b->model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, b->policy, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 8, b->prompt);
	sqlite3_bind_int(st, 9, b->output);
	if (bind_fig(s, st, 10, b->e2e_s, &ref, "", "e2e_s") || bind_fig(s, st, 11, b->energy_j, &ref, "", "energy_j") ||
	    bind_fig(s, st, 12, b->static_e2e_s, &ref, "", "static_e2e_s") ||
	    bind_fig(s, st, 13, b->static_energy_j, &ref, "", "static_energy_j")) {
		sqlite3_finalize(st);
		return -1;
	}
	return step_final(s, st, "cannot store a break-even cell");
}

/* The reader's SQLite failures go through cause() like the store's own,
 * so that a damaged file found by a read stops every later write. */
int store_get_design(store *s, const cfg_t *c, int64_t run_id, int64_t point_id, design_t *d)
{
	int rc = rdb_design(s->db, s->path, c, run_id, point_id, d, NULL, 0, s->err, sizeof s->err);
	if (rc == PDS_FAIL)
		return fail(s, "cannot read a design point");
	return rc ? -1 : 0;
}

int store_latest_chosen(store *s, const cfg_t *c, int64_t *run_id, int64_t *point_id)
{
	int rc = rdb_latest_chosen(s->db, s->path, c, -1, run_id, point_id, s->err, sizeof s->err);
	if (rc == PDS_FAIL)
		return fail(s, "cannot look for the chosen design");
	return rc;
}
