/*
 * rdb.c - read a stored run back from results.db (see rdb.h).
 *
 * The database is opened with SQLITE_OPEN_READONLY after a stat() of the
 * path, so nothing is ever created or changed.  Points are read in one
 * pass over v_points, then flagged from v_pareto and v_chosen and given
 * their metrics from one grouped query over v_metrics; rows are matched to
 * points by binary search on point_id (v_points is read in that order).
 */
#include "store/rdb.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store.h"

static int sql_fail(sqlite3 *db, const char *path, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s: %s", path, what, sqlite3_errmsg(db));
	return -1;
}

static void col_text(sqlite3_stmt *st, int i, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

/* Column i as a malloc'd NUL-terminated copy of its bytes (*len of them); -1 when out of memory. */
static int col_dup(sqlite3_stmt *st, int i, char **out, size_t *len)
{
	const char *text = (const char *)sqlite3_column_text(st, i);
	*len = (size_t)sqlite3_column_bytes(st, i);
	*out = malloc(*len + 1);
	if (!*out)
		return -1;
	if (*len)
		memcpy(*out, text, *len);
	(*out)[*len] = '\0';
	return 0;
}

static double col_num(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

int rdb_open(const char *path, sqlite3 **out, char *err, size_t errlen)
{
	struct stat sb;
	*out = NULL;
	if (stat(path, &sb) != 0) {
		snprintf(err, errlen, "%s: no such database (run 'pdswap-dse CONFIG --db %s' first)", path, path);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (store_sniff(path, (long long)sb.st_size, err, errlen))
		return -1;
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the database: %s", path,
			 db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 10000);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	int64_t ver = -1;
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ver = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	int64_t nviews = 0;
	if (ver >= 0) {
		rc = sqlite3_prepare_v2(db,
					"SELECT count(*) FROM sqlite_master WHERE type='view' AND name IN"
					" ('v_points','v_metrics','v_pareto','v_chosen')",
					-1, &st, NULL);
		if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			nviews = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (ver < 0) {
		store_refusal(STORE_NOT_SQLITE, path, 0, err, errlen);
		goto bad;
	}
	if (ver > STORE_SCHEMA_VERSION) {
		store_refusal(STORE_NEWER, path, ver, err, errlen);
		goto bad;
	}
	if (ver == 0 || nviews != 4) {
		store_refusal(STORE_FOREIGN, path, 0, err, errlen);
		goto bad;
	}
	*out = db;
	return 0;
bad:
	sqlite3_close(db);
	return -1;
}

void rdb_run_release(rdb_run *r)
{
	free(r->config_text);
	r->config_text = NULL;
}

int rdb_run_load(sqlite3 *db, const char *path, int64_t run_id, rdb_run *r, char *err, size_t errlen)
{
	static const char *const cols =
		"SELECT run_id, config_path, config_sha256, config_text, tool_version, kind, started_at,"
		" finished_at, status, threads, n_points, n_feasible FROM runs ";
	char sql[512];
	if (run_id > 0)
		snprintf(sql, sizeof sql, "%s WHERE run_id = ?1", cols);
	else
		snprintf(sql, sizeof sql,
			 "%s WHERE status = 'complete' AND kind NOT IN ('shard', 'session') ORDER BY run_id DESC LIMIT 1",
			 cols);
	memset(r, 0, sizeof *r);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, "cannot read the runs table", err, errlen);
	if (run_id > 0)
		sqlite3_bind_int64(st, 1, run_id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			sql_fail(db, path, "cannot read the runs table", err, errlen);
		else if (run_id > 0)
			snprintf(err, errlen, "%s: no run %lld in this database", path, (long long)run_id);
		else
			snprintf(err, errlen, "%s: no complete run in this database", path);
		sqlite3_finalize(st);
		return -1;
	}
	r->run_id = sqlite3_column_int64(st, 0);
	col_text(st, 1, r->config_path, sizeof r->config_path);
	col_text(st, 2, r->config_sha256, sizeof r->config_sha256);
	if (col_dup(st, 3, &r->config_text, &r->config_len)) {
		sqlite3_finalize(st);
		snprintf(err, errlen, "%s: out of memory reading run %lld", path, (long long)r->run_id);
		return -1;
	}
	col_text(st, 4, r->tool_version, sizeof r->tool_version);
	col_text(st, 5, r->kind, sizeof r->kind);
	col_text(st, 6, r->started_at, sizeof r->started_at);
	col_text(st, 7, r->finished_at, sizeof r->finished_at);
	col_text(st, 8, r->status, sizeof r->status);
	r->threads = sqlite3_column_int(st, 9);
	r->n_points = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 10);
	r->n_feasible = sqlite3_column_type(st, 11) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 11);
	sqlite3_finalize(st);
	/* schema 3 on: the model that made the run (an older file has no such column) */
	if (sqlite3_prepare_v2(db, "SELECT model_fingerprint FROM runs WHERE run_id = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, r->run_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			col_text(st, 0, r->model_fingerprint, sizeof r->model_fingerprint);
		sqlite3_finalize(st);
	}
	return 0;
}

static rdb_point *find_point(rdb_point *p, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p[mid].point_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && p[lo].point_id == id ? &p[lo] : NULL;
}

static void read_point(sqlite3_stmt *st, rdb_point *p)
{
	int i = 0;
	p->point_id = sqlite3_column_int64(st, i++);
	col_text(st, i++, p->design_name, sizeof p->design_name);
	const unsigned char *mode = sqlite3_column_text(st, i++);
	p->mode = mode && strcmp((const char *)mode, "dpr") == 0 ? MODE_DPR : MODE_STATIC;
	p->clock_mhz = sqlite3_column_int(st, i++);
	p->tlmm_tables = sqlite3_column_int(st, i++);
	p->tlmm_lanes = sqlite3_column_int(st, i++);
	p->pre_pe = sqlite3_column_int(st, i++);
	p->pre_lanes = sqlite3_column_int(st, i++);
	p->pre_block = sqlite3_column_int(st, i++);
	p->dec_lanes = sqlite3_column_int(st, i++);
	p->pre_outstanding = sqlite3_column_int(st, i++);
	p->dec_outstanding = sqlite3_column_int(st, i++);
	col_text(st, i++, p->pm_prefill, sizeof p->pm_prefill);
	col_text(st, i++, p->pm_decode, sizeof p->pm_decode);
	col_text(st, i++, p->pblock, sizeof p->pblock);
	for (int t = 0; t < RES_N; t++)
		p->r.v[t] = col_num(st, i++);
	for (int t = 0; t < RES_N; t++)
		p->util.v[t] = col_num(st, i++);
	for (int t = 0; t < RES_N; t++)
		p->util_equiv.v[t] = col_num(st, i++);
	p->feasible = sqlite3_column_int(st, i++) != 0;
	p->objective = col_num(st, i++);
	p->swap_s = col_num(st, i++);
	p->bitstream_bytes = col_num(st, i++);
	col_text(st, i++, p->reason, sizeof p->reason);
	p->on_front = p->chosen = false;
	p->ttft_obj_s = p->tok_long = p->tok_short = NAN;
}

int rdb_points_load(sqlite3 *db, const char *path, int64_t run_id, int prompt, int l_long, int l_short,
		    rdb_point **out, size_t *nout, char *err, size_t errlen)
{
	*out = NULL;
	*nout = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT point_id, design_name, mode, clock_mhz, tlmm_tables, tlmm_lanes, pre_pe,"
			       " pre_lanes, pre_block, dec_lanes, pre_outstanding, dec_outstanding, pm_prefill,"
			       " pm_decode, pblock, lut, ff, bram36, uram, dsp, util_lut, util_ff, util_bram36,"
			       " util_uram, util_dsp, equiv_lut, equiv_ff, equiv_bram36, equiv_uram, equiv_dsp,"
			       " feasible, objective, swap_s, bitstream_bytes, reason"
			       " FROM v_points WHERE run_id = ?1 ORDER BY point_id",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, "cannot read v_points", err, errlen);
	sqlite3_bind_int64(st, 1, run_id);
	size_t n = 0, cap = 0;
	rdb_point *p = NULL;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			rdb_point *q = realloc(p, cap * sizeof *p);
			if (!q) {
				free(p);
				sqlite3_finalize(st);
				snprintf(err, errlen, "%s: out of memory reading run %lld", path, (long long)run_id);
				return -1;
			}
			p = q;
		}
		read_point(st, &p[n++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(p);
		return sql_fail(db, path, "cannot read v_points", err, errlen);
	}

	static const char *const flags[] = {"SELECT point_id FROM v_pareto WHERE run_id = ?1",
					    "SELECT point_id FROM v_chosen WHERE run_id = ?1"};
	for (int f = 0; f < 2; f++) {
		if (sqlite3_prepare_v2(db, flags[f], -1, &st, NULL) != SQLITE_OK) {
			free(p);
			return sql_fail(db, path, f ? "cannot read v_chosen" : "cannot read v_pareto", err, errlen);
		}
		sqlite3_bind_int64(st, 1, run_id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			rdb_point *q = find_point(p, n, sqlite3_column_int64(st, 0));
			if (q) {
				if (f)
					q->chosen = true;
				else
					q->on_front = true;
			}
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			free(p);
			return sql_fail(db, path, f ? "cannot read v_chosen" : "cannot read v_pareto", err, errlen);
		}
	}

	if (sqlite3_prepare_v2(db,
			       "SELECT point_id,"
			       " max(CASE WHEN prompt = ?2 THEN ttft_s END),"
			       " max(CASE WHEN prompt = ?3 THEN decode_tok_s END),"
			       " max(CASE WHEN prompt = ?4 THEN decode_tok_s END)"
			       " FROM v_metrics WHERE run_id = ?1 AND source = 'analytic'"
			       " AND prompt IN (?2, ?3, ?4) GROUP BY point_id",
			       -1, &st, NULL) != SQLITE_OK) {
		free(p);
		return sql_fail(db, path, "cannot read v_metrics", err, errlen);
	}
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int(st, 2, prompt);
	sqlite3_bind_int(st, 3, l_long);
	sqlite3_bind_int(st, 4, l_short);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rdb_point *q = find_point(p, n, sqlite3_column_int64(st, 0));
		if (q) {
			q->ttft_obj_s = col_num(st, 1);
			q->tok_long = col_num(st, 2);
			q->tok_short = col_num(st, 3);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(p);
		return sql_fail(db, path, "cannot read v_metrics", err, errlen);
	}
	*out = p;
	*nout = n;
	return 0;
}

int rdb_series(sqlite3 *db, const char *path, int64_t run_id, int64_t point_id, const char *source,
	       const char *column, int *len, double *val, int max, char *err, size_t errlen)
{
	static const char *const known[] = {"ttft_s",        "prefill_s",          "decode_tok_s",
					    "decode_step_s", "energy_j_per_token", "swap_exposed_s"};
	bool ok = false;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		ok |= strcmp(column, known[i]) == 0;
	if (!ok) {
		snprintf(err, errlen, "%s: v_metrics has no column '%s'", path, column);
		return -1;
	}
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT prompt, %s FROM v_metrics WHERE run_id = ?1 AND point_id = ?2 AND source = ?3"
		 " AND %s IS NOT NULL ORDER BY prompt",
		 column, column);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, "cannot read v_metrics", err, errlen);
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, point_id);
	sqlite3_bind_text(st, 3, source, -1, SQLITE_TRANSIENT);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		len[n] = sqlite3_column_int(st, 0);
		val[n] = sqlite3_column_double(st, 1);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_fail(db, path, "cannot read v_metrics", err, errlen);
	return n;
}

/* -------------------------------------------------- design points, runs */

int rdb_check_run(sqlite3 *db, const char *path, const cfg_t *c, int64_t run, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT config_sha256, status FROM runs WHERE run_id = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return sql_fail(db, path, "cannot read runs", err, errlen);
	sqlite3_bind_int64(st, 1, run);
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "%s: no run %lld", path, (long long)run);
		rc = PDS_FAIL_REQUEST;
	} else {
		const char *sha = (const char *)sqlite3_column_text(st, 0);
		const char *status = (const char *)sqlite3_column_text(st, 1);
		if (!sha || strcmp(sha, c->sha256) != 0) {
			snprintf(err, errlen, "%s: run %lld was made with a config of sha256 %s, not '%s' (sha256 %s)",
				 path, (long long)run, sha ? sha : "?", c->path, c->sha256);
			rc = PDS_FAIL_REQUEST;
		} else if (!status || strcmp(status, "complete") != 0) {
			snprintf(err, errlen, "%s: run %lld is '%s', not complete; its points may be missing", path,
				 (long long)run, status ? status : "?");
			rc = PDS_FAIL_REQUEST;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int rdb_latest_run(sqlite3 *db, const char *path, const cfg_t *c, int64_t *run, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT run_id FROM runs WHERE config_sha256 = ?1 AND kind = 'sweep' AND status = 'complete'"
			       " ORDER BY run_id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, "cannot read runs", err, errlen);
	sqlite3_bind_text(st, 1, c->sha256, -1, SQLITE_TRANSIENT);
	int q = sqlite3_step(st);
	if (q == SQLITE_ROW)
		*run = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (q == SQLITE_ROW)
		return 0;
	if (q != SQLITE_DONE)
		return sql_fail(db, path, "cannot read runs", err, errlen);
	return 1;
}

int rdb_latest_chosen(sqlite3 *db, const char *path, const cfg_t *c, int64_t run, int64_t *run_out,
		      int64_t *point, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT r.run_id, ch.point_id FROM runs r JOIN chosen ch USING(run_id)"
			       " WHERE r.config_sha256 = ?1 AND r.kind = 'sweep' AND r.status = 'complete'"
			       " AND (?2 < 0 OR r.run_id = ?2) ORDER BY r.run_id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, "cannot read the chosen design", err, errlen);
	sqlite3_bind_text(st, 1, c->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, run);
	int q = sqlite3_step(st);
	if (q == SQLITE_ROW) {
		*run_out = sqlite3_column_int64(st, 0);
		*point = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (q == SQLITE_ROW)
		return 0;
	if (q != SQLITE_DONE)
		return sql_fail(db, path, "cannot read the chosen design", err, errlen);
	return 1;
}

/* Index of `name` among n named things `size` bytes apart, or -1. */
static int name_index(const char *name, const void *base, size_t size, int n)
{
	for (int i = 0; name && i < n; i++)
		if (strcmp((const char *)base + (size_t)i * size, name) == 0)
			return i;
	return -1;
}

/*
 * The modules of a point whose design names a set (point_rms, schema 5
 * on): none for a point without rows (the paper's pair, its own engines,
 * as every point of an older file).  Returns 0, or a failure with err set
 * (a port map the config does not define).
 */
static int read_rms(sqlite3 *db, const char *path, const cfg_t *c, int64_t run, int64_t point, design_t *d, char *err,
		    size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT name, engines, serves, pre_pe, pre_lanes, pre_block, pre_burst, pre_outstanding,"
			       " pm_prefill, dec_lanes, dec_burst, dec_outstanding, pm_decode, dec_dataflow FROM point_rms"
			       " WHERE run_id = ? AND point_id = ? ORDER BY rm_index",
			       -1, &st, NULL) != SQLITE_OK)
		return 0; /* an older file: no table of modules */
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, point);
	int q, n = 0;
	while ((q = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == RMS_MAX) {
			sqlite3_finalize(st);
			snprintf(err, errlen, "%s: point %lld of run %lld has more than %d modules", path, (long long)point,
				 (long long)run, RMS_MAX);
			return PDS_FAIL_REQUEST;
		}
		rm_t *m = &d->rms.rm[n++];
		memset(m, 0, sizeof *m);
		const char *nm = (const char *)sqlite3_column_text(st, 0), *en = (const char *)sqlite3_column_text(st, 1);
		const char *sv = (const char *)sqlite3_column_text(st, 2);
		snprintf(m->name, sizeof m->name, "%s", nm ? nm : "");
		m->engines = en && !strcmp(en, "hybrid") ? RM_ENG_PRE | RM_ENG_DEC : en && !strcmp(en, "prefill") ? RM_ENG_PRE : RM_ENG_DEC;
		m->serves = (sv && strstr(sv, "prefill") ? RM_SERVE_PRE : 0) | (sv && strstr(sv, "decode") ? RM_SERVE_DEC : 0);
		const char *pp = NULL, *pd = NULL;
		if (m->engines & RM_ENG_PRE) {
			int *const pv[5] = {&m->pre_pe, &m->pre_lanes, &m->pre_block, &m->pre_burst, &m->pre_outstanding};
			for (int k = 0; k < 5; k++)
				*pv[k] = sqlite3_column_int(st, 3 + k);
			pp = (const char *)sqlite3_column_text(st, 8);
			m->pm_pre = name_index(pp, c->arch.port_maps[0].name, sizeof c->arch.port_maps[0], c->arch.n_port_maps);
		}
		if (m->engines & RM_ENG_DEC) {
			int *const dv[3] = {&m->dec_lanes, &m->dec_burst, &m->dec_outstanding};
			for (int k = 0; k < 3; k++)
				*dv[k] = sqlite3_column_int(st, 9 + k);
			pd = (const char *)sqlite3_column_text(st, 12);
			m->pm_dec = name_index(pd, c->arch.port_maps[0].name, sizeof c->arch.port_maps[0], c->arch.n_port_maps);
			const char *df = (const char *)sqlite3_column_text(st, 13);
			for (int k = 0; df && k < DF_N; k++)
				if (strcmp(df, dataflow_names[k]) == 0)
					m->dec_dataflow = (dataflow_t)k;
		}
		if (m->pm_pre < 0 || m->pm_dec < 0) {
			snprintf(err, errlen, "%s: module '%s' of point %lld of run %lld names port map '%s', which '%s' does not define",
				 path, m->name, (long long)point, (long long)run, m->pm_pre < 0 ? pp : pd, c->path);
			sqlite3_finalize(st);
			return PDS_FAIL_REQUEST;
		}
	}
	sqlite3_finalize(st);
	if (q != SQLITE_DONE)
		return sql_fail(db, path, "cannot read the modules of a design point", err, errlen);
	d->rms.n = n;
	return 0;
}

int rdb_design(sqlite3 *db, const char *path, const cfg_t *c, int64_t run, int64_t point, design_t *d,
	       char *name, size_t namesz, char *err, size_t errlen)
{
	/* the K/V columns from schema 5 on (older points: fp16, no tier, the only cache
	 * then), dec_dataflow from 4 on (older: serial, the only dataflow then) */
	static const char *const sql[3] = {
		"SELECT mode, clock_mhz, tlmm_tables, tlmm_lanes, pre_pe, pre_lanes, pre_block, pre_burst,"
		" pre_outstanding, dec_lanes, dec_burst, dec_outstanding, pm_prefill, pm_decode, pblock, design_name,"
		" dec_dataflow, kv_precision, kv_window, kv_sinks, kv_tier_region FROM points WHERE run_id = ? AND point_id = ?",
		"SELECT mode, clock_mhz, tlmm_tables, tlmm_lanes, pre_pe, pre_lanes, pre_block, pre_burst,"
		" pre_outstanding, dec_lanes, dec_burst, dec_outstanding, pm_prefill, pm_decode, pblock, design_name,"
		" dec_dataflow, 'fp16', 0, 0, 'none' FROM points WHERE run_id = ? AND point_id = ?",
		"SELECT mode, clock_mhz, tlmm_tables, tlmm_lanes, pre_pe, pre_lanes, pre_block, pre_burst,"
		" pre_outstanding, dec_lanes, dec_burst, dec_outstanding, pm_prefill, pm_decode, pblock, design_name,"
		" 'serial', 'fp16', 0, 0, 'none' FROM points WHERE run_id = ? AND point_id = ?"};
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql[0], -1, &st, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql[1], -1, &st, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql[2], -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, "cannot read a design point", err, errlen);
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, point);
	int q = sqlite3_step(st);
	if (q != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (q != SQLITE_DONE)
			return sql_fail(db, path, "cannot read a design point", err, errlen);
		snprintf(err, errlen, "%s: run %lld has no point %lld", path, (long long)run, (long long)point);
		return PDS_FAIL_REQUEST;
	}
	const char *mode = (const char *)sqlite3_column_text(st, 0);
	memset(d, 0, sizeof *d);
	d->mode = mode && strcmp(mode, "dpr") == 0 ? MODE_DPR : MODE_STATIC;
	int *const ints[] = {&d->clock_mhz, &d->tlmm_tables, &d->tlmm_lanes, &d->pre_pe, &d->pre_lanes,
			     &d->pre_block, &d->pre_burst, &d->pre_outstanding, &d->dec_lanes, &d->dec_burst,
			     &d->dec_outstanding};
	for (int i = 0; i < 11; i++)
		*ints[i] = sqlite3_column_int(st, i + 1);
	const char *pm_pre = (const char *)sqlite3_column_text(st, 12);
	const char *pm_dec = (const char *)sqlite3_column_text(st, 13);
	const char *pb = (const char *)sqlite3_column_text(st, 14);
	const char *dn = (const char *)sqlite3_column_text(st, 15);
	const char *df = (const char *)sqlite3_column_text(st, 16);
	d->dec_dataflow = DF_SERIAL;
	for (int k = 0; df && k < DF_N; k++)
		if (strcmp(df, dataflow_names[k]) == 0)
			d->dec_dataflow = (dataflow_t)k;
	const char *kp = (const char *)sqlite3_column_text(st, 17), *kt = (const char *)sqlite3_column_text(st, 20);
	d->kv_prec = KV_FP16;
	for (int k = 0; kp && k < KV_N; k++)
		if (strcmp(kp, kv_prec_names[k]) == 0)
			d->kv_prec = (kv_prec_t)k;
	d->kv_window = sqlite3_column_int(st, 18);
	d->kv_sinks = sqlite3_column_int(st, 19);
	d->kv_tier = KV_TIER_NONE;
	for (int k = 0; kt && k < KV_TIER_N; k++)
		if (strcmp(kt, kv_tier_names[k]) == 0)
			d->kv_tier = (kv_tier_t)k;
	if (name)
		snprintf(name, namesz, "%s", dn ? dn : "");
	d->pm_pre = name_index(pm_pre, c->arch.port_maps[0].name, sizeof c->arch.port_maps[0], c->arch.n_port_maps);
	d->pm_dec = name_index(pm_dec, c->arch.port_maps[0].name, sizeof c->arch.port_maps[0], c->arch.n_port_maps);
	d->rp = name_index(pb, c->arch.pblocks[0].name, sizeof c->arch.pblocks[0], c->arch.n_pblocks);
	int rc = 0;
	char why[256];
	if (d->mode == MODE_DPR && (rc = read_rms(db, path, c, run, point, d, err, errlen)) != 0) {
		sqlite3_finalize(st);
		return rc;
	}
	if (d->pm_pre < 0 || d->pm_dec < 0 || (pb && d->rp < 0)) {
		snprintf(err, errlen,
			 "%s: point %lld of run %lld names port maps '%s'/'%s' and pblock '%s', which '%s' does not all define",
			 path, (long long)point, (long long)run, pm_pre ? pm_pre : "", pm_dec ? pm_dec : "",
			 pb ? pb : "(none)", c->path);
		rc = PDS_FAIL_REQUEST;
	} else if (cfg_check_design(c, d, why, sizeof why)) {
		snprintf(err, errlen, "%s: point %lld of run %lld does not fit %s: %s", path, (long long)point,
			 (long long)run, c->path, why);
		rc = PDS_FAIL_REQUEST;
	}
	sqlite3_finalize(st);
	return rc;
}

/* ------------------------------------------------- what the report draws */

/* Whether the database has `table` (an older schema may not): 1, 0, -1. */
static int has_table(sqlite3 *db, const char *path, const char *table, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type IN ('table','view') AND name = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, "cannot read the schema", err, errlen);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return n < 0 ? sql_fail(db, path, "cannot read the schema", err, errlen) : n > 0;
}

/* Prepare `sql` on a view a version may lack: 1 with *st, 0 when the view
 * is absent, -1 on an error. */
static int prepare_view(sqlite3 *db, const char *path, const char *view, const char *sql, sqlite3_stmt **st,
			char *err, size_t errlen)
{
	int h = has_table(db, path, view, err, errlen);
	if (h <= 0)
		return h;
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return sql_fail(db, path, view, err, errlen);
	return 1;
}

/* prepare_view with the query of this version, or, on a file of an older
 * one whose view lacks its new columns, the query of that one. */
static int prepare_view2(sqlite3 *db, const char *path, const char *view, const char *sql, const char *older,
			 sqlite3_stmt **st, char *err, size_t errlen)
{
	int h = has_table(db, path, view, err, errlen);
	if (h <= 0)
		return h;
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(db, older, -1, st, NULL) != SQLITE_OK)
		return sql_fail(db, path, view, err, errlen);
	return 1;
}

int rdb_best(sqlite3 *db, const char *path, int64_t run, arch_mode mode, int64_t *point, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int h = prepare_view(db, path, "v_best", "SELECT point_id FROM v_best WHERE run_id = ? AND mode = ?", &st, err,
			     errlen);
	if (h <= 0)
		return h < 0 ? -1 : 1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, mode_names[mode], -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*point = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read v_best", err, errlen);
	return rc == SQLITE_ROW ? 0 : 1;
}

int rdb_curve(sqlite3 *db, const char *path, int64_t run, int64_t point, const char *metric, int *len, double *val,
	      int max, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int h = prepare_view(db, path, "v_curves",
			     "SELECT length, value FROM v_curves WHERE run_id = ? AND point_id = ? AND metric = ?"
			     " ORDER BY length",
			     &st, err, errlen);
	if (h <= 0)
		return h;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, point);
	sqlite3_bind_text(st, 3, metric, -1, SQLITE_TRANSIENT);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		len[n] = sqlite3_column_int(st, 0);
		val[n++] = sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read v_curves", err, errlen);
	return n;
}

int rdb_intervals(sqlite3 *db, const char *path, int64_t run, int64_t point, const char *figure, rdb_interval *out,
		  int max, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int h = prepare_view(db, path, "v_intervals",
			     "SELECT length, value, lo, hi, fit_lo, fit_hi, unconstrained FROM v_intervals WHERE run_id = ?"
			     " AND point_id = ? AND source = 'analytic' AND figure = ? ORDER BY length",
			     &st, err, errlen);
	if (h <= 0)
		return h;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, point);
	sqlite3_bind_text(st, 3, figure, -1, SQLITE_TRANSIENT);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		rdb_interval *v = &out[n++];
		v->length = sqlite3_column_int(st, 0);
		v->iv.centre = sqlite3_column_double(st, 1);
		v->iv.lo = sqlite3_column_double(st, 2);
		v->iv.hi = sqlite3_column_double(st, 3);
		v->iv.fit_lo = sqlite3_column_double(st, 4);
		v->iv.fit_hi = sqlite3_column_double(st, 5);
		v->iv.unconstrained = sqlite3_column_int(st, 6) != 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read v_intervals", err, errlen);
	return n;
}

const char *const rdb_region_names[RDB_REGIONS] = {"static",     "prefill_rm", "decode_rm", "total",
						   "equivalent", "pblock",     "kv_tier"};

int rdb_regions(sqlite3 *db, const char *path, int64_t run, int64_t point, res_t r[RDB_REGIONS],
		bool have[RDB_REGIONS], char *err, size_t errlen)
{
	for (int k = 0; k < RDB_REGIONS; k++)
		have[k] = false;
	sqlite3_stmt *st;
	int h = prepare_view(db, path, "v_regions",
			     "SELECT region, lut, ff, bram36, uram, dsp FROM v_regions WHERE run_id = ? AND point_id = ?",
			     &st, err, errlen);
	if (h <= 0)
		return h;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, point);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *reg = (const char *)sqlite3_column_text(st, 0);
		for (int k = 0; k < RDB_REGIONS; k++)
			if (reg && strcmp(reg, rdb_region_names[k]) == 0) {
				for (int t = 0; t < RES_N; t++)
					r[k].v[t] = sqlite3_column_double(st, 1 + t);
				have[k] = true;
				n++;
			}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read v_regions", err, errlen);
	return n;
}

static int word_of(const char *v, const char *const *names, int n)
{
	for (int i = 0; v && i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return 0;
}

int rdb_kv_options(sqlite3 *db, const char *path, int64_t run, int64_t point, rdb_kv_option *out, int max, char *err,
		   size_t errlen)
{
	sqlite3_stmt *st;
	int h = prepare_view(db, path, "v_kv_curves",
			     "SELECT kv_precision, kv_window, kv_sinks, kv_tier_region, feasible, reason, tier_blocks,"
			     " tier_memory, length, decode_tok_s FROM v_kv_curves WHERE run_id = ? AND point_id = ?"
			     " ORDER BY CASE kv_precision WHEN 'fp16' THEN 0 WHEN 'int8' THEN 1 ELSE 2 END,"
			     " CASE kv_tier_region WHEN 'none' THEN 0 WHEN 'static' THEN 1 ELSE 2 END,"
			     " kv_window + kv_sinks, kv_sinks, length",
			     &st, err, errlen);
	if (h <= 0)
		return h;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, point);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		kv_prec_t p = (kv_prec_t)word_of((const char *)sqlite3_column_text(st, 0), kv_prec_names, KV_N);
		int w = sqlite3_column_int(st, 1), sk = sqlite3_column_int(st, 2);
		kv_tier_t t = (kv_tier_t)word_of((const char *)sqlite3_column_text(st, 3), kv_tier_names, KV_TIER_N);
		rdb_kv_option *o = n > 0 ? &out[n - 1] : NULL;
		if (!o || o->prec != p || o->window != w || o->sinks != sk || o->tier != t) {
			if (n == max)
				break;
			o = &out[n++];
			memset(o, 0, sizeof *o);
			o->prec = p;
			o->window = w;
			o->sinks = sk;
			o->tier = t;
			o->feasible = sqlite3_column_int(st, 4) != 0;
			const char *why = (const char *)sqlite3_column_text(st, 5);
			snprintf(o->reason, sizeof o->reason, "%s", why ? why : "");
			o->tier_blocks = sqlite3_column_int64(st, 6);
			const char *mem = (const char *)sqlite3_column_text(st, 7);
			snprintf(o->tier_memory, sizeof o->tier_memory, "%s", mem ? mem : "");
		}
		if (o->n < RDB_KV_SAMPLES) {
			o->len[o->n] = sqlite3_column_int(st, 8);
			o->tok_s[o->n++] = sqlite3_column_double(st, 9);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_fail(db, path, "cannot read v_kv_curves", err, errlen);
	return n;
}

int rdb_validation(sqlite3 *db, const char *path, int64_t run, calib_row *rows, int max, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int h = prepare_view(db, path, "v_validation",
			     "SELECT name, unit, measured, predicted, rel_err, fitted_to, checked, note FROM v_validation"
			     " WHERE run_id = ? ORDER BY seq",
			     &st, err, errlen);
	if (h <= 0)
		return h;
	sqlite3_finalize(st);
	/* source, figure, part and length from schema 5 on (an older row's note held the source) */
	bool v5 = sqlite3_prepare_v2(db,
				     "SELECT name, unit, measured, predicted, rel_err, fitted_to, checked, note, source, figure,"
				     " part, length FROM v_validation WHERE run_id = ? ORDER BY seq",
				     -1, &st, NULL) == SQLITE_OK;
	if (!v5 && sqlite3_prepare_v2(db,
				      "SELECT name, unit, measured, predicted, rel_err, fitted_to, checked, note FROM v_validation"
				      " WHERE run_id = ? ORDER BY seq",
				      -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, "cannot read v_validation", err, errlen);
	sqlite3_bind_int64(st, 1, run);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		calib_row *r = &rows[n++];
		memset(r, 0, sizeof *r);
		col_text(st, 0, r->name, sizeof r->name);
		col_text(st, 1, r->unit, sizeof r->unit);
		r->measured = sqlite3_column_double(st, 2);
		r->predicted = sqlite3_column_double(st, 3);
		r->rel_err = sqlite3_column_double(st, 4);
		r->fitted_to = sqlite3_column_int(st, 5) != 0;
		r->checked = sqlite3_column_int(st, 6) != 0;
		col_text(st, 7, r->note, sizeof r->note);
		if (v5) {
			col_text(st, 8, r->source, sizeof r->source);
			col_text(st, 9, r->figure, sizeof r->figure);
			col_text(st, 10, r->part, sizeof r->part);
			r->length = sqlite3_column_int(st, 11);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read v_validation", err, errlen);
	return n;
}

int rdb_swap(sqlite3 *db, const char *path, int64_t run, int64_t point, const char *source, figures *f,
	     double *hidden_s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int h = prepare_view(db, path, "v_swaps",
			     "SELECT prompt, gen, prefill_s, ttft_s, swap_s, pcap_s, tail_overlap_s, swap_hidden_s,"
			     " swap_exposed_s, decode_first_step_s FROM v_swaps WHERE run_id = ? AND point_id = ?"
			     " AND source = ?",
			     &st, err, errlen);
	if (h <= 0)
		return h < 0 ? -1 : 1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, point);
	sqlite3_bind_text(st, 3, source, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(f, 0, sizeof *f);
		f->prompt = sqlite3_column_int(st, 0);
		f->gen = sqlite3_column_int(st, 1);
		f->prefill_s = sqlite3_column_double(st, 2);
		f->ttft_s = sqlite3_column_double(st, 3);
		f->swap_s = sqlite3_column_double(st, 4);
		f->pcap_s = sqlite3_column_double(st, 5);
		f->tail_overlap_s = sqlite3_column_double(st, 6);
		*hidden_s = sqlite3_column_double(st, 7);
		f->swap_exposed_s = sqlite3_column_double(st, 8);
		f->decode_first_step_s = sqlite3_column_double(st, 9);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read v_swaps", err, errlen);
	return rc == SQLITE_ROW ? 0 : 1;
}

static int index_of(const char *v, const char *const *names, int n)
{
	for (int i = 0; v && i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return -1;
}

int rdb_trace(sqlite3 *db, const char *path, int64_t run, int64_t point, trace_log *log, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int h = prepare_view(db, path, "v_trace",
			     "SELECT kind, pid, tid, name, sort_index, cat, t0_ps, t1_ps, layer, token, bytes, unit, phase,"
			     " port, stream, module, part FROM v_trace WHERE run_id = ? AND point_id = ? ORDER BY seq",
			     &st, err, errlen);
	if (h <= 0)
		return h;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, point);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		trace_event e = {.kind = !kind			       ? 'T'
					 : !strcmp(kind, "span")    ? 'X'
					 : !strcmp(kind, "instant") ? 'I'
					 : !strcmp(kind, "process") ? 'P'
								    : 'T'};
		e.pid = sqlite3_column_int(st, 1);
		e.tid = sqlite3_column_int(st, 2);
		e.name = (char *)sqlite3_column_text(st, 3);
		e.sort_index = sqlite3_column_int(st, 4);
		e.cat = (char *)sqlite3_column_text(st, 5);
		e.t0_ps = sqlite3_column_int64(st, 6);
		e.t1_ps = sqlite3_column_int64(st, 7);
		e.a = trace_args_none();
		if (sqlite3_column_type(st, 8) != SQLITE_NULL)
			e.a.layer = sqlite3_column_int(st, 8);
		if (sqlite3_column_type(st, 9) != SQLITE_NULL)
			e.a.token = sqlite3_column_int(st, 9);
		e.a.bytes = col_num(st, 10);
		if (isnan(e.a.bytes))
			e.a.bytes = 0;
		e.a.unit = index_of((const char *)sqlite3_column_text(st, 11), trace_unit_names, TRACE_UNITS);
		e.a.phase = (const char *)sqlite3_column_text(st, 12);
		e.a.port = (const char *)sqlite3_column_text(st, 13);
		e.a.stream = (const char *)sqlite3_column_text(st, 14);
		e.a.module = index_of((const char *)sqlite3_column_text(st, 15), trace_module_names, TRACE_MODULES);
		e.a.part = index_of((const char *)sqlite3_column_text(st, 16), trace_part_names, TRACE_PARTS);
		if (!e.name)
			e.name = "";
		trace_log_add(log, &e);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read v_trace", err, errlen);
	if (log->oom) {
		snprintf(err, errlen, "%s: out of memory reading the trace of point %lld", path, (long long)point);
		return -1;
	}
	return (int)log->n;
}

/* --------------------------------------------- counts, knobs, groups */

int rdb_counts_load(sqlite3 *db, const char *path, int64_t run, rdb_counts *n, char *err, size_t errlen)
{
	memset(n, 0, sizeof *n);
	n->n_space = -1;
	sqlite3_stmt *st;
	int h = prepare_view(db, path, "v_counts",
			     "SELECT n_chunks, n_points, n_feasible, n_over_cap, n_too_slow, n_no_fit,"
			     " (SELECT count(*) FROM chunks c WHERE c.run_id = v.run_id AND c.n_over_cap IS NULL)"
			     " FROM v_counts v WHERE run_id = ?",
			     &st, err, errlen);
	if (h < 0)
		return -1;
	if (h == 0) { /* before the view: the chunks alone (the first files of version 1 have none) */
		int hc = has_table(db, path, "chunks", err, errlen);
		if (hc <= 0)
			return hc;
		if (sqlite3_prepare_v2(db,
				       "SELECT count(*), sum(n_points), sum(n_feasible), NULL, NULL, NULL, count(*) FROM chunks"
				       " WHERE run_id = ? GROUP BY run_id",
				       -1, &st, NULL) != SQLITE_OK)
			return sql_fail(db, path, "cannot read its chunks", err, errlen);
	}
	sqlite3_bind_int64(st, 1, run);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		n->present = sqlite3_column_int64(st, 0) > 0;
		n->n_chunks = sqlite3_column_int64(st, 0);
		n->n_points = sqlite3_column_int64(st, 1);
		n->n_feasible = sqlite3_column_int64(st, 2);
		n->n_over_cap = sqlite3_column_int64(st, 3);
		n->n_too_slow = sqlite3_column_int64(st, 4);
		n->n_no_fit = sqlite3_column_int64(st, 5);
		n->n_unknown = sqlite3_column_int64(st, 6);
		n->by_constraint = n->n_unknown == 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read v_counts", err, errlen);
	if (sqlite3_prepare_v2(db, "SELECT all_points, n_space FROM sweeps WHERE run_id = ?", -1, &st, NULL) != SQLITE_OK)
		return 0; /* a file of the first version has no sweeps */
	sqlite3_bind_int64(st, 1, run);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		n->has_sweep = true;
		n->all_points = sqlite3_column_int(st, 0) != 0;
		n->n_space = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read its sweeps", err, errlen);
	return 0;
}

int rdb_knobs(sqlite3 *db, const char *path, int64_t run, rdb_knob *rows, int max, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int h = prepare_view(db, path, "v_knobs",
			     "SELECT mode, knob, value_index, value, n_feasible, best_objective FROM v_knobs WHERE run_id = ?"
			     " ORDER BY mode = 'static', knob, value_index",
			     &st, err, errlen);
	if (h <= 0)
		return h;
	sqlite3_bind_int64(st, 1, run);
	int n = 0, rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rdb_knob *k = &rows[n++];
		char mode[16];
		col_text(st, 0, mode, sizeof mode);
		k->mode = strcmp(mode, "dpr") == 0 ? MODE_DPR : MODE_STATIC;
		col_text(st, 1, k->knob, sizeof k->knob);
		k->value_index = sqlite3_column_int(st, 2);
		col_text(st, 3, k->value, sizeof k->value);
		k->n_feasible = sqlite3_column_int64(st, 4);
		k->best_objective = col_num(st, 5);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read v_knobs", err, errlen);
	return n;
}

int rdb_groups(sqlite3 *db, const char *path, int64_t run, int64_t **reps, int64_t **count, size_t **first,
	       int64_t **members, size_t *n_groups, char *err, size_t errlen)
{
	*reps = *count = *members = NULL;
	*first = NULL;
	*n_groups = 0;
	sqlite3_stmt *st;
	int h = prepare_view(db, path, "v_groups",
			     "SELECT representative, n_points, point_ids FROM v_groups WHERE run_id = ? ORDER BY representative",
			     &st, err, errlen);
	if (h <= 0)
		return h;
	sqlite3_bind_int64(st, 1, run);
	size_t cap = 0, mcap = 0, nm = 0;
	int rc;
	bool oom = false;
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n_groups == cap) {
			cap = cap ? 2 * cap : 64;
			int64_t *r = realloc(*reps, cap * sizeof *r), *c = r ? realloc(*count, cap * sizeof *c) : NULL;
			if (r)
				*reps = r;
			if (c)
				*count = c;
			size_t *f = c ? realloc(*first, cap * sizeof *f) : NULL;
			if (f)
				*first = f;
			if (!f) {
				oom = true;
				break;
			}
		}
		size_t k = (*n_groups)++;
		(*reps)[k] = sqlite3_column_int64(st, 0);
		(*count)[k] = sqlite3_column_int64(st, 1);
		(*first)[k] = nm;
		/* group_concat gives the ids comma-separated, in no promised order: sorted below */
		const char *ids = (const char *)sqlite3_column_text(st, 2);
		for (const char *q = ids ? ids : ""; *q && !oom;) {
			char *end;
			long long v = strtoll(q, &end, 10);
			if (end == q)
				break;
			if (nm == mcap) {
				mcap = mcap ? 2 * mcap : 256;
				int64_t *m = realloc(*members, mcap * sizeof *m);
				if (!m) {
					oom = true;
					break;
				}
				*members = m;
			}
			(*members)[nm++] = v;
			q = *end == ',' ? end + 1 : end;
		}
		for (size_t i = (*first)[k] + 1; i < nm; i++)
			for (size_t j = i; j > (*first)[k] && (*members)[j - 1] > (*members)[j]; j--) {
				int64_t t = (*members)[j];
				(*members)[j] = (*members)[j - 1];
				(*members)[j - 1] = t;
			}
		if ((int64_t)(nm - (*first)[k]) != (*count)[k] && !oom) {
			sqlite3_finalize(st);
			snprintf(err, errlen, "%s: run %lld: group %lld of v_groups lists %zu points but counts %lld", path,
				 (long long)run, (long long)(*reps)[k], nm - (*first)[k], (long long)(*count)[k]);
			goto fail;
		}
	}
	sqlite3_finalize(st);
	if (oom) {
		snprintf(err, errlen, "%s: out of memory reading the groups of run %lld", path, (long long)run);
		goto fail;
	}
	if (rc != SQLITE_DONE) {
		sql_fail(db, path, "cannot read v_groups", err, errlen);
		goto fail;
	}
	return 0;
fail:
	free(*reps);
	free(*count);
	free(*first);
	free(*members);
	*reps = *count = *members = NULL;
	*first = NULL;
	*n_groups = 0;
	return -1;
}

/* ------------------------------------------------------------ shards */

int rdb_latest_sweep(sqlite3 *db, const char *path, rdb_sweep *w, char *err, size_t errlen)
{
	memset(w, 0, sizeof *w);
	w->shard = w->n_shards = 1;
	sqlite3_stmt *st;
	/* the shard columns came with schema 4, the fingerprint with 3 */
	bool shards = false, fp = false;
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM pragma_table_info('sweeps') WHERE name = 'n_shards'),"
				   " (SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'model_fingerprint')",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, "cannot read the schema", err, errlen);
	if (sqlite3_step(st) == SQLITE_ROW) {
		shards = sqlite3_column_int(st, 0) > 0;
		fp = sqlite3_column_int(st, 1) > 0;
	}
	sqlite3_finalize(st);
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "SELECT r.run_id, r.kind, r.status, r.config_path, r.config_sha256, r.config_text, %s,"
		 " w.all_points, w.n_space, w.n_chunks, w.objectives, %s,"
		 " (SELECT count(*) FROM chunks c WHERE c.run_id = r.run_id)"
		 " FROM runs r JOIN sweeps w USING(run_id) WHERE r.kind IN ('sweep', 'shard')"
		 " ORDER BY r.run_id DESC LIMIT 1",
		 fp ? "r.model_fingerprint" : "NULL", shards ? "w.shard, w.n_shards" : "1, 1");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, "cannot read its sweeps", err, errlen);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? 1 : sql_fail(db, path, "cannot read its sweeps", err, errlen);
	}
	w->run_id = sqlite3_column_int64(st, 0);
	col_text(st, 1, w->kind, sizeof w->kind);
	col_text(st, 2, w->status, sizeof w->status);
	col_text(st, 3, w->config_path, sizeof w->config_path);
	col_text(st, 4, w->config_sha256, sizeof w->config_sha256);
	if (col_dup(st, 5, &w->config_text, &w->config_len)) {
		sqlite3_finalize(st);
		snprintf(err, errlen, "%s: out of memory reading run %lld", path, (long long)w->run_id);
		return -1;
	}
	col_text(st, 6, w->model_fingerprint, sizeof w->model_fingerprint);
	w->all_points = sqlite3_column_int(st, 7) != 0;
	w->n_space = sqlite3_column_int64(st, 8);
	w->n_chunks = sqlite3_column_int64(st, 9);
	col_text(st, 10, w->objectives, sizeof w->objectives);
	w->shard = sqlite3_column_int(st, 11);
	w->n_shards = sqlite3_column_int(st, 12);
	w->chunks_done = sqlite3_column_int64(st, 13);
	sqlite3_finalize(st);
	return 0;
}

int rdb_each_chunk(sqlite3 *db, const char *path, int64_t run, int (*fn)(void *arg, int64_t chunk, const store_counts *n),
		   void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT chunk_id, n_points, n_feasible, n_over_cap, n_too_slow, n_no_fit FROM chunks"
			       " WHERE run_id = ? ORDER BY chunk_id",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, "cannot read its chunks", err, errlen);
	sqlite3_bind_int64(st, 1, run);
	int rc, frc = 0;
	while (frc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_counts n = {sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), -1, 0, 0};
		if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
			n.over_cap = sqlite3_column_int64(st, 3);
			n.too_slow = sqlite3_column_int64(st, 4);
			n.no_fit = sqlite3_column_int64(st, 5);
		}
		frc = fn(arg, sqlite3_column_int64(st, 0), &n);
	}
	sqlite3_finalize(st);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? 0 : sql_fail(db, path, "cannot read its chunks", err, errlen);
}

int rdb_pareto_ids(sqlite3 *db, const char *path, int64_t run, int64_t **ids, size_t *n, char *err,
		   size_t errlen)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT point_id FROM v_pareto WHERE run_id = ? ORDER BY point_id", -1, &st, NULL) !=
	    SQLITE_OK)
		return sql_fail(db, path, "cannot read its Pareto fronts", err, errlen);
	sqlite3_bind_int64(st, 1, run);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			int64_t *p = realloc(*ids, cap * sizeof *p);
			if (!p) {
				sqlite3_finalize(st);
				free(*ids);
				*ids = NULL;
				*n = 0;
				snprintf(err, errlen, "%s: out of memory reading the Pareto fronts of run %lld", path,
					 (long long)run);
				return -1;
			}
			*ids = p;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_fail(db, path, "cannot read its Pareto fronts", err, errlen);
}

int rdb_metric(sqlite3 *db, const char *path, int64_t run, int64_t point, const char *source, int length,
	       figures_len *f, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT ttft_s, prefill_s, decode_tok_s, decode_step_s, energy_j_per_token, swap_exposed_s"
			       " FROM v_metrics WHERE run_id = ? AND point_id = ? AND source = ? AND prompt = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, path, "cannot read its metrics", err, errlen);
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, point);
	sqlite3_bind_text(st, 3, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, length);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*f = figures_len_none();
		f->ttft_s = col_num(st, 0);
		f->prefill_s = col_num(st, 1);
		f->decode_tok_s = col_num(st, 2);
		f->decode_step_s = col_num(st, 3);
		f->energy_j_per_token = col_num(st, 4);
		f->swap_exposed_s = col_num(st, 5);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? 1 : sql_fail(db, path, "cannot read its metrics", err, errlen);
}

/* ------------------------------------------------------------- sessions */

static double col_opt(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static void col_dist(sqlite3_stmt *st, int i, figures_dist *d)
{
	*d = (figures_dist){col_opt(st, i), col_opt(st, i + 1), col_opt(st, i + 2), col_opt(st, i + 3), col_opt(st, i + 4)};
}

int rdb_sessions(sqlite3 *db, const char *path, int64_t run, rdb_session *rows, int max, char *err, size_t errlen)
{
	sqlite3_stmt *st;
#define SESSION_COLS                                                                                        \
	"SELECT session_id, design, point_id, mode, workload, policy, model, offered_rps, requests,"          \
	" refused, trimmed, tokens, swaps, swap_s, swap_exposed_s,"                                            \
	" wait_mean_s, wait_p50_s, wait_p90_s, wait_p95_s, wait_p99_s,"                                        \
	" ttft_mean_s, ttft_p50_s, ttft_p90_s, ttft_p95_s, ttft_p99_s,"                                        \
	" tpot_mean_s, tpot_p50_s, tpot_p90_s, tpot_p95_s, tpot_p99_s,"                                        \
	" e2e_mean_s, e2e_p50_s, e2e_p90_s, e2e_p95_s, e2e_p99_s,"                                             \
	" duration_s, throughput_rps, tokens_per_s, goodput_rps, slo_ttft_p90_s, slo_tpot_p99_s,"              \
	" slo_met, capacity_rps, capacity_unbounded, reconfig_share, utilisation, energy_j,"                   \
	" energy_j_per_request, energy_j_per_token, mean_in_system"
	/* swaps_by_rm from schema 5 on */
	int h = prepare_view2(db, path, "v_sessions",
			      SESSION_COLS ", swaps_by_rm FROM v_sessions WHERE run_id = ? ORDER BY session_id",
			      SESSION_COLS ", NULL FROM v_sessions WHERE run_id = ? ORDER BY session_id", &st, err, errlen);
#undef SESSION_COLS
	if (h <= 0)
		return h;
	sqlite3_bind_int64(st, 1, run);
	int n = 0, rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rdb_session *r = &rows[n++];
		memset(r, 0, sizeof *r);
		figures_session *f = &r->f;
		r->session_id = sqlite3_column_int64(st, 0);
		col_text(st, 1, r->design, sizeof r->design);
		r->point_id = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2);
		char mode[16];
		col_text(st, 3, mode, sizeof mode);
		r->mode = strcmp(mode, "dpr") == 0 ? MODE_DPR : MODE_STATIC;
		col_text(st, 4, r->workload, sizeof r->workload);
		col_text(st, 5, r->policy, sizeof r->policy);
		col_text(st, 6, r->model, sizeof r->model);
		f->offered_rps = col_opt(st, 7);
		f->requests = sqlite3_column_int64(st, 8);
		f->refused = sqlite3_column_int64(st, 9);
		f->trimmed = sqlite3_column_int64(st, 10);
		f->tokens = sqlite3_column_int64(st, 11);
		f->swaps = sqlite3_column_int64(st, 12);
		f->swap_s = col_opt(st, 13);
		f->swap_exposed_s = col_opt(st, 14);
		col_dist(st, 15, &f->wait_s);
		col_dist(st, 20, &f->ttft_s);
		col_dist(st, 25, &f->tpot_s);
		col_dist(st, 30, &f->e2e_s);
		f->duration_s = col_opt(st, 35);
		f->throughput_rps = col_opt(st, 36);
		f->tokens_per_s = col_opt(st, 37);
		f->goodput_rps = col_opt(st, 38);
		f->slo_ttft_p90_s = col_opt(st, 39);
		f->slo_tpot_p99_s = col_opt(st, 40);
		f->slo_met = sqlite3_column_int(st, 41) != 0;
		f->capacity_rps = sqlite3_column_int(st, 43) ? INFINITY : col_opt(st, 42);
		f->reconfig_share = col_opt(st, 44);
		f->utilisation = col_opt(st, 45);
		f->energy_j = col_opt(st, 46);
		f->energy_j_per_request = col_opt(st, 47);
		f->energy_j_per_token = col_opt(st, 48);
		f->mean_in_system = col_opt(st, 49);
		col_text(st, 50, r->swaps_by_rm, sizeof r->swaps_by_rm);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read v_sessions", err, errlen);
	return n;
}

int rdb_breakeven_cells(sqlite3 *db, const char *path, int64_t run, rdb_breakeven *rows, int max, char *err,
			size_t errlen)
{
	sqlite3_stmt *st;
	/* the modules of each cell from schema 5 on */
	int h = prepare_view2(db, path, "v_breakeven",
			      "SELECT design, static_design, policy, model, prompt, output, e2e_s, energy_j, static_e2e_s,"
			      " static_energy_j, prefill_rm, decode_rms FROM v_breakeven WHERE run_id = ? ORDER BY"
			      " CASE policy WHEN 'always' THEN 0 WHEN 'never' THEN 1 WHEN 'threshold' THEN 2 ELSE 3 END,"
			      " prompt, output",
			      "SELECT design, static_design, policy, model, prompt, output, e2e_s, energy_j, static_e2e_s,"
			      " static_energy_j, NULL, NULL FROM v_breakeven WHERE run_id = ? ORDER BY"
			      " CASE policy WHEN 'always' THEN 0 WHEN 'never' THEN 1 WHEN 'threshold' THEN 2 ELSE 3 END,"
			      " prompt, output",
			      &st, err, errlen);
	if (h <= 0)
		return h;
	sqlite3_bind_int64(st, 1, run);
	int n = 0, rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rdb_breakeven *r = &rows[n++];
		col_text(st, 0, r->design, sizeof r->design);
		col_text(st, 1, r->static_design, sizeof r->static_design);
		col_text(st, 2, r->policy, sizeof r->policy);
		col_text(st, 3, r->model, sizeof r->model);
		r->prompt = sqlite3_column_int(st, 4);
		r->output = sqlite3_column_int(st, 5);
		r->e2e_s = sqlite3_column_double(st, 6);
		r->energy_j = sqlite3_column_double(st, 7);
		r->static_e2e_s = sqlite3_column_double(st, 8);
		r->static_energy_j = sqlite3_column_double(st, 9);
		col_text(st, 10, r->prefill_rm, sizeof r->prefill_rm);
		col_text(st, 11, r->decode_rms, sizeof r->decode_rms);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read v_breakeven", err, errlen);
	return n;
}

int rdb_point_rms(sqlite3 *db, const char *path, int64_t run, int64_t point, rdb_rm *rows, int max, char *err,
		  size_t errlen)
{
	sqlite3_stmt *st;
	int h = prepare_view(db, path, "v_rms",
			     "SELECT rm_index, name, engines, serves, pre_pe, pre_lanes, pre_block, pm_prefill, dec_lanes,"
			     " dec_dataflow, pm_decode, lut, ff, bram36, uram, dsp FROM v_rms WHERE run_id = ? AND point_id = ?"
			     " ORDER BY rm_index",
			     &st, err, errlen);
	if (h <= 0)
		return h;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, point);
	int n = 0, rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rdb_rm *r = &rows[n++];
		memset(r, 0, sizeof *r);
		r->index = sqlite3_column_int(st, 0);
		col_text(st, 1, r->name, sizeof r->name);
		col_text(st, 2, r->engines, sizeof r->engines);
		col_text(st, 3, r->serves, sizeof r->serves);
		r->pre_pe = sqlite3_column_int(st, 4);
		r->pre_lanes = sqlite3_column_int(st, 5);
		r->pre_block = sqlite3_column_int(st, 6);
		col_text(st, 7, r->pm_prefill, sizeof r->pm_prefill);
		r->dec_lanes = sqlite3_column_int(st, 8);
		col_text(st, 9, r->dec_dataflow, sizeof r->dec_dataflow);
		col_text(st, 10, r->pm_decode, sizeof r->pm_decode);
		for (int t = 0; t < RES_N; t++)
			r->res.v[t] = col_opt(st, 11 + t);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(db, path, "cannot read v_rms", err, errlen);
	return n;
}
