/*
 * store.c - the SQLite side of results.db (see store.h for the schema).
 *
 * Opening checks, in order: the file is a SQLite database (a read of
 * sqlite_master fails with SQLITE_NOTADB otherwise), its user_version is
 * not newer than ours, and an unversioned database holds no tables (so a
 * foreign database is never adopted).  Prepared statements are made once
 * per handle and reused for every row.
 */
#include "store.h"

#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct store {
	sqlite3 *db;
	char path[1024];
	char err[2400];
	sqlite3_stmt *ins_point, *ins_metric, *ins_pareto, *ins_chosen;
	sqlite3_stmt *ins_chunk, *del_pareto, *del_metrics, *del_point;
};

#define NUMCHK(col) "CHECK(" col " IS NULL OR (" col " >= 0 AND " col " < 1e300))"

static const char *const schema_sql =
	"CREATE TABLE runs("
	" run_id INTEGER PRIMARY KEY,"
	" config_path TEXT NOT NULL,"
	" config_sha256 TEXT NOT NULL CHECK(length(config_sha256) = 64),"
	" config_text TEXT NOT NULL,"
	" tool_version TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK(kind IN ('designs','sweep')),"
	" started_at TEXT NOT NULL,"
	" finished_at TEXT,"
	" status TEXT NOT NULL CHECK(status IN ('running','complete','failed','interrupted')),"
	" threads INTEGER NOT NULL CHECK(threads >= 1),"
	" n_points INTEGER CHECK(n_points IS NULL OR n_points >= 0),"
	" n_feasible INTEGER CHECK(n_feasible IS NULL OR n_feasible >= 0));"
	"CREATE INDEX runs_by_sha ON runs(config_sha256, status);"
	"CREATE TABLE points("
	" run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	" point_id INTEGER NOT NULL CHECK(point_id >= 0),"
	" design_name TEXT,"
	" mode TEXT NOT NULL CHECK(mode IN ('static','dpr')),"
	" clock_mhz INTEGER NOT NULL CHECK(clock_mhz > 0),"
	" tlmm_tables INTEGER NOT NULL CHECK(tlmm_tables > 0),"
	" tlmm_lanes INTEGER NOT NULL CHECK(tlmm_lanes > 0),"
	" pre_pe INTEGER NOT NULL CHECK(pre_pe > 0),"
	" pre_lanes INTEGER NOT NULL CHECK(pre_lanes > 0),"
	" pre_block INTEGER NOT NULL CHECK(pre_block > 0),"
	" pre_burst INTEGER NOT NULL CHECK(pre_burst > 0),"
	" pre_outstanding INTEGER NOT NULL CHECK(pre_outstanding > 0),"
	" dec_lanes INTEGER NOT NULL CHECK(dec_lanes > 0),"
	" dec_burst INTEGER NOT NULL CHECK(dec_burst > 0),"
	" dec_outstanding INTEGER NOT NULL CHECK(dec_outstanding > 0),"
	" pm_prefill TEXT NOT NULL, pm_decode TEXT NOT NULL, pblock TEXT,"
	" lut REAL NOT NULL " NUMCHK("lut") ", ff REAL NOT NULL " NUMCHK("ff") ","
	" bram36 REAL NOT NULL " NUMCHK("bram36") ", uram REAL NOT NULL " NUMCHK("uram") ","
	" dsp REAL NOT NULL " NUMCHK("dsp") ","
	" util_lut REAL NOT NULL " NUMCHK("util_lut") ", util_ff REAL NOT NULL " NUMCHK("util_ff") ","
	" util_bram36 REAL NOT NULL " NUMCHK("util_bram36") ", util_uram REAL NOT NULL " NUMCHK("util_uram") ","
	" util_dsp REAL NOT NULL " NUMCHK("util_dsp") ","
	" equiv_lut REAL NOT NULL " NUMCHK("equiv_lut") ", equiv_ff REAL NOT NULL " NUMCHK("equiv_ff") ","
	" equiv_bram36 REAL NOT NULL " NUMCHK("equiv_bram36") ", equiv_uram REAL NOT NULL " NUMCHK("equiv_uram") ","
	" equiv_dsp REAL NOT NULL " NUMCHK("equiv_dsp") ","
	" feasible INTEGER NOT NULL CHECK(feasible IN (0,1)),"
	" reason TEXT,"
	" objective REAL " NUMCHK("objective") ","
	" swap_s REAL " NUMCHK("swap_s") ","
	" bitstream_bytes REAL " NUMCHK("bitstream_bytes") ","
	" PRIMARY KEY(run_id, point_id)) WITHOUT ROWID;"
	"CREATE TABLE metrics("
	" run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	" source TEXT NOT NULL CHECK(source IN ('analytic','des')),"
	" length INTEGER NOT NULL CHECK(length > 0),"
	" ttft_s REAL " NUMCHK("ttft_s") ", prefill_s REAL " NUMCHK("prefill_s") ","
	" decode_tok_s REAL " NUMCHK("decode_tok_s") ", decode_step_s REAL " NUMCHK("decode_step_s") ","
	" energy_j_per_token REAL " NUMCHK("energy_j_per_token") ","
	" swap_exposed_s REAL " NUMCHK("swap_exposed_s") ","
	" PRIMARY KEY(run_id, point_id, source, length),"
	" FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID;"
	"CREATE TABLE pareto(run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	" PRIMARY KEY(run_id, point_id),"
	" FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID;"
	"CREATE TABLE chosen(run_id INTEGER PRIMARY KEY REFERENCES runs(run_id),"
	" point_id INTEGER NOT NULL, objective REAL NOT NULL " NUMCHK("objective") ","
	" FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id));"
	"CREATE VIEW v_points AS SELECT run_id, point_id, design_name, mode, clock_mhz, tlmm_tables,"
	" tlmm_lanes, pre_pe, pre_lanes, pre_block, dec_lanes, pre_outstanding, dec_outstanding,"
	" pm_prefill, pm_decode, pblock, lut, ff, bram36, uram, dsp, util_lut, util_ff, util_bram36,"
	" util_uram, util_dsp, equiv_lut, equiv_ff, equiv_bram36, equiv_uram, equiv_dsp, feasible,"
	" reason, objective, swap_s, bitstream_bytes FROM points;"
	"CREATE VIEW v_metrics AS SELECT run_id, point_id, source, length AS prompt, ttft_s, prefill_s,"
	" decode_tok_s, decode_step_s, energy_j_per_token, swap_exposed_s FROM metrics;"
	"CREATE VIEW v_pareto AS SELECT run_id, point_id FROM pareto;"
	"CREATE VIEW v_chosen AS SELECT run_id, point_id, objective FROM chosen;";

/*
 * Tables, indexes and views the sweep added to schema version 1.  They
 * leave the version-1 tables as they are, so they are created (IF NOT
 * EXISTS) in any version-1 database that lacks them, and a tool that
 * knows only version 1 still reads the result.
 */
static const char *const ext_sql =
	"CREATE TABLE IF NOT EXISTS sweeps("
	" run_id INTEGER PRIMARY KEY REFERENCES runs(run_id),"
	" all_points INTEGER NOT NULL CHECK(all_points IN (0,1)),"
	" n_space INTEGER NOT NULL CHECK(n_space >= 0),"
	" n_chunks INTEGER NOT NULL CHECK(n_chunks >= 0),"
	" objectives TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS chunks("
	" run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	" chunk_id INTEGER NOT NULL CHECK(chunk_id >= 0),"
	" n_points INTEGER NOT NULL CHECK(n_points >= 0),"
	" n_feasible INTEGER NOT NULL CHECK(n_feasible >= 0 AND n_feasible <= n_points),"
	" PRIMARY KEY(run_id, chunk_id)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS best("
	" run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	" mode TEXT NOT NULL CHECK(mode IN ('static','dpr')),"
	" point_id INTEGER NOT NULL,"
	" source TEXT NOT NULL CHECK(source IN ('analytic','des')),"
	" objective REAL NOT NULL " NUMCHK("objective") ","
	" PRIMARY KEY(run_id, mode),"
	" FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS points_by_mode ON points(run_id, mode, feasible);"
	"CREATE VIEW IF NOT EXISTS v_best AS SELECT run_id, mode, point_id, source, objective FROM best;"
	"CREATE VIEW IF NOT EXISTS v_runs AS SELECT run_id, config_path, config_sha256, tool_version, kind,"
	" started_at, finished_at, status, threads, n_points, n_feasible FROM runs;";

static int fail(store *s, const char *what)
{
	snprintf(s->err, sizeof s->err, "%s: %s: %s", s->path, what, s->db ? sqlite3_errmsg(s->db) : "");
	return -1;
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

static int exec(store *s, const char *sql, const char *what)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->err, sizeof s->err, "%s: %s: %s", s->path, what, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int query_int(store *s, const char *sql, int64_t *out)
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

static int prepare(store *s, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return fail(s, "cannot prepare a statement");
	return 0;
}

int store_open(store **out, const char *path, char *err, size_t errlen)
{
	store *s = calloc(1, sizeof *s);
	*out = NULL;
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	snprintf(s->path, sizeof s->path, "%s", path);
	if (util_mkdir_parent(path)) {
		snprintf(err, errlen, "%s: cannot create its directory", path);
		free(s);
		return -1;
	}
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the database: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		sqlite3_close(s->db);
		free(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 10000);
	sqlite3_extended_result_codes(s->db, 1);
	int64_t ver = 0, ntab = 0;
	rc = query_int(s, "PRAGMA user_version", &ver);
	if (rc == SQLITE_OK)
		rc = query_int(s, "SELECT count(*) FROM sqlite_master", &ntab);
	if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) {
		snprintf(err, errlen, "%s: not a SQLite database (or corrupted); refusing to touch it", path);
		goto bad;
	}
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot read the database: %s", path, sqlite3_errmsg(s->db));
		goto bad;
	}
	if (ver > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "%s: schema version %lld is newer than this pdswap-dse understands (%d); use a newer tool",
			 path, (long long)ver, STORE_SCHEMA_VERSION);
		goto bad;
	}
	if (ver == 0 && ntab > 0) {
		snprintf(err, errlen, "%s: a database of another application (no pdswap schema version); refusing to touch it",
			 path);
		goto bad;
	}
	if (exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
		 "cannot set the journal mode")) {
		snprintf(err, errlen, "%s", s->err);
		goto bad;
	}
	if (ver == 0) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA user_version=%d;", STORE_SCHEMA_VERSION);
		if (exec(s, "BEGIN IMMEDIATE;", "cannot start a transaction") ||
		    exec(s, schema_sql, "cannot create the schema") || exec(s, sql, "cannot set the schema version") ||
		    exec(s, "COMMIT;", "cannot commit the schema")) {
			snprintf(err, errlen, "%s", s->err);
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			goto bad;
		}
	}
	if (exec(s, "BEGIN IMMEDIATE;", "cannot start a transaction") ||
	    exec(s, ext_sql, "cannot add the sweep tables") || exec(s, "COMMIT;", "cannot commit the schema")) {
		snprintf(err, errlen, "%s", s->err);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		goto bad;
	}
	if (prepare(s, &s->ins_point,
		    "INSERT INTO points VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)") ||
	    prepare(s, &s->ins_metric, "INSERT INTO metrics VALUES(?,?,?,?,?,?,?,?,?,?)") ||
	    prepare(s, &s->ins_pareto, "INSERT INTO pareto VALUES(?,?)") ||
	    prepare(s, &s->ins_chosen, "INSERT OR REPLACE INTO chosen VALUES(?,?,?)") ||
	    prepare(s, &s->ins_chunk, "INSERT INTO chunks VALUES(?,?,?,?)") ||
	    prepare(s, &s->del_pareto, "DELETE FROM pareto WHERE run_id=? AND point_id=?") ||
	    prepare(s, &s->del_metrics, "DELETE FROM metrics WHERE run_id=? AND point_id=?") ||
	    prepare(s, &s->del_point, "DELETE FROM points WHERE run_id=? AND point_id=?")) {
		snprintf(err, errlen, "%s", s->err);
		goto bad;
	}
	*out = s;
	return 0;
bad:
	store_close(s);
	return -1;
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
	sqlite3_close(s->db);
	free(s);
}

int store_begin(store *s)
{
	return exec(s, "BEGIN IMMEDIATE;", "cannot start a transaction");
}

int store_commit(store *s)
{
	return exec(s, "COMMIT;", "cannot commit");
}

int store_rollback(store *s)
{
	return exec(s, "ROLLBACK;", "cannot roll back");
}

static int step_done(store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return fail(s, what);
	return 0;
}

int store_new_run(store *s, const cfg_t *c, const char *kind, int threads, int64_t *run_id)
{
	sqlite3_stmt *st;
	char now[32];
	util_utc_now(now);
	if (prepare(s, &st,
		    "INSERT INTO runs(config_path, config_sha256, config_text, tool_version, kind,"
		    " started_at, status, threads) VALUES(?,?,?,?,?,?,'running',?)"))
		return -1;
	sqlite3_bind_text(st, 1, c->path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, c->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, c->text, (int)c->text_len, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, PDS_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 7, threads);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(s, "cannot record the run");
	*run_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_finish_run(store *s, int64_t run_id, const char *status, int64_t n_points, int64_t n_feasible)
{
	sqlite3_stmt *st;
	char now[32];
	util_utc_now(now);
	if (prepare(s, &st,
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

static void bind_num(sqlite3_stmt *st, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_double(st, i, v);
}

int store_put_point(store *s, const cfg_t *c, const store_point *p)
{
	sqlite3_stmt *st = s->ins_point;
	const design_t *d = p->d;
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
	for (int t = 0; t < RES_N; t++)
		bind_num(st, i++, p->res->r_total.v[t]);
	for (int t = 0; t < RES_N; t++)
		bind_num(st, i++, p->res->util.v[t]);
	for (int t = 0; t < RES_N; t++)
		bind_num(st, i++, p->res->util_equiv.v[t]);
	sqlite3_bind_int(st, i++, p->feasible);
	if (p->reason && *p->reason)
		sqlite3_bind_text(st, i++, p->reason, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i++);
	bind_num(st, i++, p->objective < 0 ? NAN : p->objective);
	bind_num(st, i++, d->mode == MODE_DPR ? p->swap_s : NAN);
	bind_num(st, i++, d->mode == MODE_DPR ? p->bitstream_bytes : NAN);
	return step_done(s, st, "cannot store a design point");
}

int store_put_metric(store *s, const store_metric *m)
{
	sqlite3_stmt *st = s->ins_metric;
	sqlite3_bind_int64(st, 1, m->run_id);
	sqlite3_bind_int64(st, 2, m->point_id);
	sqlite3_bind_text(st, 3, m->source, -1, SQLITE_STATIC); /* reset before returning */
	sqlite3_bind_int(st, 4, m->length);
	bind_num(st, 5, m->ttft_s);
	bind_num(st, 6, m->prefill_s);
	bind_num(st, 7, m->decode_tok_s);
	bind_num(st, 8, m->decode_step_s);
	bind_num(st, 9, m->energy_j_per_token);
	bind_num(st, 10, m->swap_exposed_s);
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
	sqlite3_bind_int64(s->ins_chosen, 1, run_id);
	sqlite3_bind_int64(s->ins_chosen, 2, point_id);
	sqlite3_bind_double(s->ins_chosen, 3, objective);
	return step_done(s, s->ins_chosen, "cannot store the chosen point");
}

/* ------------------------------------------------------------ the sweep */

static int bind_run_point(store *s, sqlite3_stmt *st, int64_t run_id, int64_t point_id, const char *what)
{
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, point_id);
	return step_done(s, st, what);
}

int store_new_sweep(store *s, int64_t run_id, bool all_points, int64_t n_space, int64_t n_chunks,
		    const char *objectives)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, "INSERT INTO sweeps VALUES(?,?,?,?,?)"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int(st, 2, all_points);
	sqlite3_bind_int64(st, 3, n_space);
	sqlite3_bind_int64(st, 4, n_chunks);
	sqlite3_bind_text(st, 5, objectives, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(s, "cannot record the sweep");
}

int store_find_sweep(store *s, const cfg_t *c, bool all_points, int64_t n_space, int64_t n_chunks,
		     const char *objectives, int64_t *run_id)
{
	sqlite3_stmt *st;
	*run_id = 0;
	if (prepare(s, &st,
		    "SELECT r.run_id FROM runs r JOIN sweeps w USING(run_id)"
		    " WHERE r.config_sha256=? AND r.kind='sweep' AND r.status IN ('running','interrupted')"
		    " AND r.tool_version=? AND w.all_points=? AND w.n_space=? AND w.n_chunks=? AND w.objectives=?"
		    " ORDER BY r.run_id DESC LIMIT 1"))
		return -1;
	sqlite3_bind_text(st, 1, c->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, PDS_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, all_points);
	sqlite3_bind_int64(st, 4, n_space);
	sqlite3_bind_int64(st, 5, n_chunks);
	sqlite3_bind_text(st, 6, objectives, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*run_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s, "cannot look for an unfinished sweep");
}

int store_put_chunk(store *s, int64_t run_id, int64_t chunk, int64_t n_points, int64_t n_feasible)
{
	sqlite3_stmt *st = s->ins_chunk;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, chunk);
	sqlite3_bind_int64(st, 3, n_points);
	sqlite3_bind_int64(st, 4, n_feasible);
	return step_done(s, st, "cannot record a finished chunk");
}

/* Run `sql` with ?1 = run_id and hand column 0 of each row to fn. */
static int each_id(store *s, const char *sql, int64_t run_id, int (*fn)(void *, int64_t), void *arg,
		   const char *what)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, sql))
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

int store_chunk_totals(store *s, int64_t run_id, int64_t *n_chunks, int64_t *n_points, int64_t *n_feasible)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, "SELECT count(*), coalesce(sum(n_points),0), coalesce(sum(n_feasible),0)"
			    " FROM chunks WHERE run_id=?"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n_chunks = sqlite3_column_int64(st, 0);
		*n_points = sqlite3_column_int64(st, 1);
		*n_feasible = sqlite3_column_int64(st, 2);
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
	    bind_run_point(s, s->del_metrics, run_id, point_id, "cannot drop a dominated point's metrics"))
		return -1;
	return bind_run_point(s, s->del_point, run_id, point_id, "cannot drop a dominated point");
}

int store_set_status(store *s, int64_t run_id, const char *status)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, "UPDATE runs SET status=? WHERE run_id=?"))
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
	if (prepare(s, &st, "INSERT OR REPLACE INTO best VALUES(?,?,?,?,?)"))
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

static double col_num(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

int store_get_metric(store *s, int64_t run_id, int64_t point_id, const char *source, int length,
		     store_metric *m)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, "SELECT ttft_s, prefill_s, decode_tok_s, decode_step_s, energy_j_per_token,"
			    " swap_exposed_s FROM metrics WHERE run_id=? AND point_id=? AND source=? AND length=?"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, point_id);
	sqlite3_bind_text(st, 3, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, length);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*m = (store_metric){run_id, point_id, source, length, col_num(st, 0), col_num(st, 1),
				    col_num(st, 2), col_num(st, 3), col_num(st, 4), col_num(st, 5)};
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 1 : fail(s, "cannot read a metric");
}

/* Index of `name` in a list of named things, or -1. */
static int name_index(const char *name, const void *base, size_t size, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp((const char *)base + (size_t)i * size, name) == 0)
			return i;
	return -1;
}

int store_get_design(store *s, const cfg_t *c, int64_t run_id, int64_t point_id, design_t *d)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, "SELECT mode, clock_mhz, tlmm_tables, tlmm_lanes, pre_pe, pre_lanes, pre_block,"
			    " pre_burst, pre_outstanding, dec_lanes, dec_burst, dec_outstanding, pm_prefill,"
			    " pm_decode, pblock FROM points WHERE run_id=? AND point_id=?"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, point_id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? 1 : fail(s, "cannot read a design point");
	}
	memset(d, 0, sizeof *d);
	const char *mode = (const char *)sqlite3_column_text(st, 0);
	d->mode = mode && strcmp(mode, "dpr") == 0 ? MODE_DPR : MODE_STATIC;
	int *ints[] = {&d->clock_mhz, &d->tlmm_tables, &d->tlmm_lanes, &d->pre_pe, &d->pre_lanes,
		       &d->pre_block, &d->pre_burst, &d->pre_outstanding, &d->dec_lanes, &d->dec_burst,
		       &d->dec_outstanding};
	for (int i = 0; i < 11; i++)
		*ints[i] = sqlite3_column_int(st, i + 1);
	const char *pp = (const char *)sqlite3_column_text(st, 12);
	const char *pd = (const char *)sqlite3_column_text(st, 13);
	const char *pb = (const char *)sqlite3_column_text(st, 14);
	d->pm_pre = pp ? name_index(pp, c->arch.port_maps[0].name, sizeof c->arch.port_maps[0], c->arch.n_port_maps) : -1;
	d->pm_dec = pd ? name_index(pd, c->arch.port_maps[0].name, sizeof c->arch.port_maps[0], c->arch.n_port_maps) : -1;
	d->rp = pb ? name_index(pb, c->arch.pblocks[0].name, sizeof c->arch.pblocks[0], c->arch.n_pblocks) : -1;
	sqlite3_finalize(st);
	char why[200];
	if (cfg_check_design(c, d, why, sizeof why)) {
		snprintf(s->err, sizeof s->err, "%s: point %lld of run %lld does not fit %s: %s", s->path,
			 (long long)point_id, (long long)run_id, c->path, why);
		return -1;
	}
	return 0;
}

int store_latest_chosen(store *s, const cfg_t *c, int64_t *run_id, int64_t *point_id)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, "SELECT r.run_id, ch.point_id FROM runs r JOIN chosen ch USING(run_id)"
			    " WHERE r.config_sha256=? AND r.kind='sweep' AND r.status='complete'"
			    " ORDER BY r.run_id DESC LIMIT 1"))
		return -1;
	sqlite3_bind_text(st, 1, c->sha256, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*run_id = sqlite3_column_int64(st, 0);
		*point_id = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : fail(s, "cannot look for the chosen design");
}
