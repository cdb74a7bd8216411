/*
 * measured.c - imported reports as measurements in results.db (see
 * measured.h): write one, record what a run took, load those that apply
 * to a config into its cfg_t.
 */
#include "store/measured.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"

void measured_model_key(const cfg_t *c, char *out, size_t outsz)
{
	const cfg_model *m = &c->model;
	snprintf(out, outsz,
		 "layers=%d,hidden=%d,heads=%d,kv_heads=%d,head_dim=%d,ffn=%d,ffn_matrices=%d,vocab=%d,max_context=%d,"
		 "weight_group=%d,weight_index_bits=%d,act_bits=%d,kv_bytes=%d,attn_bytes=%d",
		 m->layers, m->hidden, m->heads, m->kv_heads, m->head_dim, m->ffn, m->ffn_matrices, m->vocab,
		 m->max_context, m->weight_group, m->weight_index_bits, m->act_bits, m->kv_bytes, m->attn_bytes);
}

void measured_part_key(const cfg_t *c, char *out, size_t outsz)
{
	cfg_part_key(c->dev.part, out, outsz);
}

static void btext(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bint(sqlite3_stmt *st, int i, int64_t v, int64_t null_below)
{
	if (v < null_below)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static void breal(sqlite3_stmt *st, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_double(st, i, v);
}

int measured_put(store *s, const measured_row *m, int64_t *id, bool *existed)
{
	sqlite3_stmt *st;
	*existed = false;
	if (store_prepare(s, &st, "SELECT measurement_id FROM measurements WHERE sha256=? AND target_text=? AND scope=?"))
		return -1;
	sqlite3_bind_text(st, 1, m->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, m->target_text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, m->scope, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*existed = true;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return store_fail_rc(s, rc, "cannot look for a measurement");

	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (store_prepare(s, &st,
			  "INSERT INTO measurements(imported_at, file, sha256, kind, tool_version, part, top, design_state,"
			  " config_path, config_sha256, device_part, model_key, target, target_text, design_name, run_id,"
			  " point_id, scope, mode, clock_mhz, tlmm_tables, tlmm_lanes, pre_pe, pre_lanes, pre_block,"
			  " dec_lanes, dec_dataflow, pblock, pm_prefill, pm_decode, loop_bound, target_clock_ns,"
			  " estimated_clock_ns, latency_best, latency_average, latency_worst, interval_min, interval_max,"
			  " lut, ff, bram18, bram36, dsp, uram, avail_lut, avail_ff, avail_bram18, avail_bram36, avail_dsp,"
			  " avail_uram, report_json) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,"
			  "?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,?34,?35,?36,?37,?38,?39,?40,?41,?42,"
			  "?43,?44,?45,?46,?47,?48,?49,?50,?51)"))
		return -1;
	int i = 1;
	btext(st, i++, now);
	btext(st, i++, m->file);
	btext(st, i++, m->sha256);
	btext(st, i++, m->kind);
	btext(st, i++, m->tool_version);
	btext(st, i++, m->part);
	btext(st, i++, m->top);
	btext(st, i++, m->design_state);
	btext(st, i++, m->config_path);
	btext(st, i++, m->config_sha256);
	btext(st, i++, m->device_part);
	btext(st, i++, m->model_key);
	btext(st, i++, m->target);
	btext(st, i++, m->target_text);
	btext(st, i++, m->design_name);
	bint(st, i++, m->run_id, 0);
	bint(st, i++, m->point_id, 0);
	btext(st, i++, m->scope);
	btext(st, i++, m->mode);
	bint(st, i++, m->clock_mhz, 1);
	bint(st, i++, m->tlmm_tables, 1);
	bint(st, i++, m->tlmm_lanes, 1);
	bint(st, i++, m->pre_pe, 1);
	bint(st, i++, m->pre_lanes, 1);
	bint(st, i++, m->pre_block, 1);
	bint(st, i++, m->dec_lanes, 1);
	btext(st, i++, m->dec_dataflow);
	btext(st, i++, m->pblock);
	btext(st, i++, m->pm_prefill);
	btext(st, i++, m->pm_decode);
	bint(st, i++, m->loop_bound, 1);
	breal(st, i++, m->target_clock_ns);
	breal(st, i++, m->estimated_clock_ns);
	for (int k = 0; k < 3; k++)
		breal(st, i++, m->latency[k]);
	for (int k = 0; k < 2; k++)
		breal(st, i++, m->interval[k]);
	for (int k = 0; k < MEASURED_NRES; k++)
		breal(st, i++, m->res[k]);
	for (int k = 0; k < MEASURED_NRES; k++)
		breal(st, i++, m->avail[k]);
	btext(st, i++, m->report_json);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail_rc(s, rc, "cannot store a measurement");
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int measured_put_use(store *s, int64_t run_id, int64_t id, const char *use)
{
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "INSERT OR IGNORE INTO run_measurements VALUES(?,?,?)"))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, use, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail_rc(s, rc, "cannot record the measurements of a run");
}

/* Append "use:1,2" for the ids of one use to out. */
static void key_part(char *out, size_t outsz, const char *use, const int64_t *ids, int n)
{
	if (n == 0)
		return;
	size_t k = strlen(out);
	snprintf(out + k, outsz - k, "%s%s:", k ? ";" : "", use);
	for (int i = 0; i < n; i++) {
		k = strlen(out);
		snprintf(out + k, outsz - k, "%s%lld", i ? "," : "", (long long)ids[i]);
	}
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int measured_run_key(store *s, int64_t run_id, char *out, size_t outsz)
{
	static const char *const uses[] = {"profile", "respect"};
	out[0] = '\0';
	for (int u = 0; u < 2; u++) {
		sqlite3_stmt *st;
		if (store_prepare(s, &st,
				  "SELECT measurement_id FROM run_measurements WHERE run_id=? AND use=? ORDER BY measurement_id"))
			return -1;
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_text(st, 2, uses[u], -1, SQLITE_STATIC);
		int64_t ids[CFG_MAX_IMPORTS];
		int n = 0, rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if (n < CFG_MAX_IMPORTS)
				ids[n++] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_fail_rc(s, rc, "cannot read the measurements of a run");
		key_part(out, outsz, uses[u], ids, n);
	}
	return 0;
}

void measured_cfg_key(const cfg_t *c, const int64_t *respect_ids, int n_respect, char *out, size_t outsz)
{
	int64_t ids[CFG_MAX_IMPORTS], rs[CFG_MAX_IMPORTS];
	int n = 0;
	out[0] = '\0';
	for (int i = 0; i < c->n_imports; i++)
		if (c->imports[i].scope <= MEAS_DECODE)
			ids[n++] = c->imports[i].id;
	qsort(ids, (size_t)n, sizeof ids[0], cmp_id);
	key_part(out, outsz, "profile", ids, n);
	if (n_respect > CFG_MAX_IMPORTS)
		n_respect = CFG_MAX_IMPORTS;
	memcpy(rs, respect_ids, (size_t)(n_respect > 0 ? n_respect : 0) * sizeof rs[0]);
	qsort(rs, (size_t)(n_respect > 0 ? n_respect : 0), sizeof rs[0], cmp_id);
	key_part(out, outsz, "respect", rs, n_respect);
}

/* ------------------------------------------------------------- loading */

static double col_real(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static int col_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return t ? t : "";
}

static int find_name(const char *const *names, int n, const char *v)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return -1;
}

/* One row into *m; false when it names what c does not define. */
static bool row_import(sqlite3_stmt *st, const cfg_t *c, cfg_import *m)
{
	memset(m, 0, sizeof *m);
	int i = 0;
	m->id = sqlite3_column_int64(st, i++);
	snprintf(m->file, sizeof m->file, "%s", col_text(st, i++));
	snprintf(m->sha256, sizeof m->sha256, "%s", col_text(st, i++));
	m->csynth = strcmp(col_text(st, i++), "csynth") == 0;
	snprintf(m->tool_version, sizeof m->tool_version, "%s", col_text(st, i++));
	snprintf(m->target, sizeof m->target, "%s", col_text(st, i++));
	int sc = find_name(cfg_meas_scope_names, MEAS_N_SCOPES, col_text(st, i++));
	if (sc < 0)
		return false;
	m->scope = (cfg_meas_scope)sc;
	design_t *d = &m->d;
	d->rp = -1;
	const char *mode = col_text(st, i++);
	d->mode = strcmp(mode, "dpr") == 0 ? MODE_DPR : MODE_STATIC;
	d->clock_mhz = col_int(st, i++);
	d->tlmm_tables = col_int(st, i++);
	d->tlmm_lanes = col_int(st, i++);
	d->pre_pe = col_int(st, i++);
	d->pre_lanes = col_int(st, i++);
	d->pre_block = col_int(st, i++);
	d->dec_lanes = col_int(st, i++);
	const char *df = col_text(st, i++);
	int dfi = *df ? find_name(dataflow_names, DF_N, df) : 0;
	if (dfi < 0)
		return false;
	d->dec_dataflow = (dataflow_t)dfi;
	const char *pb = col_text(st, i++), *pmp = col_text(st, i++), *pmd = col_text(st, i++);
	m->loop_bound = col_int(st, i++);
	m->target_clock_ns = col_real(st, i++);
	m->est_clock_ns = col_real(st, i++);
	m->latency_worst = col_real(st, i++);
	static const int res_col[RES_N] = {[RES_LUT] = 0, [RES_FF] = 1, [RES_BRAM] = 2, [RES_URAM] = 4, [RES_DSP] = 3};
	double raw[5], av[5];
	for (int k = 0; k < 5; k++)
		raw[k] = col_real(st, i++); /* lut, ff, bram36_equiv, dsp, uram */
	m->bram18 = col_real(st, i++);
	for (int k = 0; k < 5; k++)
		av[k] = col_real(st, i++);
	for (int t = 0; t < RES_N; t++) {
		m->res.v[t] = raw[res_col[t]];
		m->avail.v[t] = av[res_col[t]];
	}
	if (m->scope == MEAS_DESIGN || m->scope == MEAS_PBLOCK) {
		if (!*mode)
			return false;
		d->pm_pre = cfg_find_portmap(c, pmp);
		d->pm_dec = cfg_find_portmap(c, pmd);
		if (d->pm_pre < 0 || d->pm_dec < 0)
			return false;
		d->pre_burst = d->dec_burst = 1;
		d->pre_outstanding = d->dec_outstanding = 1;
		if (d->mode == MODE_DPR && (d->rp = cfg_find_pblock(c, pb)) < 0)
			return false;
		if (m->scope == MEAS_PBLOCK && d->mode != MODE_DPR)
			return false;
	}
	return true;
}

/* Load the rows `where` selects (binding part and model, or the run) into c. */
static int load_where(sqlite3 *db, const char *path, cfg_t *c, int *passed_over, const char *where, const char *part,
		      const char *model, int64_t run, char *err, size_t errlen)
{
	c->n_imports = 0;
	*passed_over = 0;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type='view' AND name='v_measured'", -1,
				    &st, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot read its schema: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	int have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (!have)
		return 0;
	char sql[2048];
	snprintf(sql, sizeof sql,
		 "SELECT m.measurement_id, m.file, m.sha256, m.kind, m.tool_version, m.target_text, m.scope,"
		 " m.mode, m.clock_mhz, m.tlmm_tables, m.tlmm_lanes, m.pre_pe, m.pre_lanes, m.pre_block,"
		 " m.dec_lanes, m.dec_dataflow, m.pblock, r.pm_prefill, r.pm_decode, m.loop_bound,"
		 " m.target_clock_ns, m.estimated_clock_ns, m.latency_worst, m.lut, m.ff, m.bram36_equiv,"
		 " m.dsp, m.uram, m.bram18, m.avail_lut, m.avail_ff,"
		 " coalesce(m.avail_bram36, m.avail_bram18 / 2.0), m.avail_dsp, m.avail_uram"
		 " FROM v_measured m JOIN measurements r USING(measurement_id) WHERE %s ORDER BY m.measurement_id",
		 where);
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot read the measurements: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	if (part) {
		sqlite3_bind_text(st, 1, part, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, model, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_int64(st, 1, run);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cfg_import m;
		if (!row_import(st, c, &m)) {
			(*passed_over)++;
			continue;
		}
		if (c->n_imports == CFG_MAX_IMPORTS) {
			sqlite3_finalize(st);
			snprintf(err, errlen,
				 "%s: more than %d measurements apply to '%s' (part %s); the model takes at most %d",
				 path, CFG_MAX_IMPORTS, c->path, c->dev.part, CFG_MAX_IMPORTS);
			c->n_imports = 0;
			return -1;
		}
		c->imports[c->n_imports++] = m;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: cannot read the measurements: %s", path, sqlite3_errmsg(db));
		c->n_imports = 0;
		return -1;
	}
	return 0;
}

int measured_load(sqlite3 *db, const char *path, cfg_t *c, int *passed_over, char *err, size_t errlen)
{
	char part[128], model[512];
	measured_part_key(c, part, sizeof part);
	measured_model_key(c, model, sizeof model);
	return load_where(db, path, c, passed_over, "r.device_part = ?1 AND r.model_key = ?2", part, model, 0, err,
			  errlen);
}

int measured_load_run(sqlite3 *db, const char *path, cfg_t *c, int64_t run_id, int *passed_over, char *err,
		      size_t errlen)
{
	int have = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='run_measurements'",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	c->n_imports = 0;
	*passed_over = 0;
	if (!have)
		return 0;
	return load_where(db, path, c, passed_over,
			  "m.measurement_id IN (SELECT measurement_id FROM run_measurements WHERE run_id = ?1 AND"
			  " use = 'profile')",
			  NULL, NULL, run_id, err, errlen);
}
