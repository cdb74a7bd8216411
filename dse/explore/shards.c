/*
 * shards.c - shard databases checked and fed to a sweep of the whole
 * space (shards.h).
 */
#include "explore/shards.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "explore/pareto.h"
#include "explore/space.h"
#include "models/common.h"
#include "models/version.h"
#include "store/rdb.h"

typedef struct {
	const char *file;
	sqlite3 *db;
	rdb_sweep w;
} shard;

struct shards {
	int n;          /* N */
	shard *s;       /* by shard number - 1 */
	cfg_t c;
	bool have_cfg;
	space_t sp;
};

const cfg_t *shards_cfg(const shards *sh)
{
	return &sh->c;
}

bool shards_all_points(const shards *sh)
{
	return sh->s[0].w.all_points;
}

int shards_count(const shards *sh)
{
	return sh->n;
}

const char *shards_file(const shards *sh, int i)
{
	return sh->s[i - 1].file;
}

void shards_close(shards *sh)
{
	if (!sh)
		return;
	for (int i = 0; i < sh->n; i++) {
		sqlite3_close(sh->s[i].db);
		free(sh->s[i].w.config_text);
	}
	free(sh->s);
	if (sh->have_cfg)
		cfg_release(&sh->c);
	free(sh);
}

/* Chunks of shard i (0-based) of n among n_chunks. */
static int64_t shard_chunks(int64_t n_chunks, int i, int n)
{
	return i < n_chunks ? (n_chunks - i + n - 1) / n : 0;
}

/* How a sweep's settings differ from the first shard's, "" when they do not. */
static void settings_differ(const rdb_sweep *a, const rdb_sweep *b, char *buf, size_t len)
{
	buf[0] = '\0';
	if (a->all_points != b->all_points)
		snprintf(buf, len, "made %s --all-points", b->all_points ? "with" : "without");
	else if (a->n_space != b->n_space || a->n_chunks != b->n_chunks)
		snprintf(buf, len, "a space of %lld points in %lld chunks", (long long)b->n_space, (long long)b->n_chunks);
	else if (strcmp(a->objectives, b->objectives) != 0)
		snprintf(buf, len, "the objectives %s", b->objectives);
}

/* Check one opened file against the first (or take it as the first). */
static int check_one(shards *sh, const shard *first, shard *f, char *err, size_t errlen)
{
	const rdb_sweep *w = &f->w;
	if (strcmp(w->status, "complete") != 0) {
		snprintf(err, errlen,
			 "%s: shard %d/%d (run %lld of %s) is not complete (%s, %lld of its %lld chunks): finish it by"
			 " running its command again",
			 f->file, w->shard, w->n_shards, (long long)w->run_id, w->config_path, w->status,
			 (long long)w->chunks_done, (long long)shard_chunks(w->n_chunks, w->shard - 1, w->n_shards));
		return PDS_FAIL_REQUEST;
	}
	if (strcmp(w->model_fingerprint, version_model_fingerprint()) != 0) {
		snprintf(err, errlen,
			 "%s: shard %d/%d was made by another model (fingerprint %s; this build's is %s): run it again"
			 " with this build",
			 f->file, w->shard, w->n_shards, *w->model_fingerprint ? w->model_fingerprint : "none, an older version",
			 version_model_fingerprint());
		return PDS_FAIL_REQUEST;
	}
	if (!first)
		return 0;
	const rdb_sweep *a = &first->w;
	if (strcmp(a->config_sha256, w->config_sha256) != 0) {
		snprintf(err, errlen,
			 "%s: shard %d/%d of another config (%s, SHA-256 %.12s...) than %s (%s, SHA-256 %.12s...)", f->file,
			 w->shard, w->n_shards, w->config_path, w->config_sha256, first->file, a->config_path,
			 a->config_sha256);
		return PDS_FAIL_REQUEST;
	}
	if (a->n_shards != w->n_shards) {
		snprintf(err, errlen, "%s: shard %d/%d, but %s is shard %d/%d: the shards of one sweep have the same N",
			 f->file, w->shard, w->n_shards, first->file, a->shard, a->n_shards);
		return PDS_FAIL_REQUEST;
	}
	char how[2200];
	settings_differ(a, w, how, sizeof how);
	if (*how) {
		snprintf(err, errlen, "%s: shard %d/%d was %s, unlike %s", f->file, w->shard, w->n_shards, how,
			 first->file);
		return PDS_FAIL_REQUEST;
	}
	(void)sh;
	return 0;
}

/* "shard 2/5 is missing" or "shards 2/5, 4/5 are missing", with what was given. */
static void missing(const shards *sh, char *err, size_t errlen)
{
	size_t n = 0;
	int count = 0;
	for (int i = 0; i < sh->n; i++)
		count += !sh->s[i].file;
	n += (size_t)snprintf(err + n, errlen - n, "%s ", count > 1 ? "shards" : "shard");
	int shown = 0;
	for (int i = 0; i < sh->n && n < errlen; i++)
		if (!sh->s[i].file) {
			if (shown == 16) {
				n += (size_t)snprintf(err + n, errlen - n, ", ...");
				break;
			}
			n += (size_t)snprintf(err + n, errlen - n, "%s%d/%d", shown++ ? ", " : "", i + 1, sh->n);
		}
	if (n < errlen)
		n += (size_t)snprintf(err + n, errlen - n, " %s missing (given:", count > 1 ? "are" : "is");
	shown = 0;
	for (int i = 0; i < sh->n && n < errlen; i++)
		if (sh->s[i].file) {
			if (shown == 16) {
				n += (size_t)snprintf(err + n, errlen - n, " ...");
				break;
			}
			n += (size_t)snprintf(err + n, errlen - n, "%s %d/%d %s", shown++ ? "," : "", i + 1, sh->n,
					      sh->s[i].file);
		}
	if (n < errlen)
		snprintf(err + n, errlen - n, ")");
}

int shards_open(shards **out, const char *const *files, int n, char *err, size_t errlen)
{
	*out = NULL;
	if (n < 1 || n > SHARDS_MAX) {
		snprintf(err, errlen, "merge takes 1 to %d shards, got %d", SHARDS_MAX, n);
		return PDS_FAIL_REQUEST;
	}
	shard *given = calloc((size_t)n, sizeof *given);
	shards *sh = calloc(1, sizeof *sh);
	int rc = PDS_FAIL;
	if (!given || !sh) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		shard *f = &given[i];
		f->file = files[i];
		if (rdb_open(f->file, &f->db, err, errlen))
			goto out;
		int q = rdb_latest_sweep(f->db, f->file, &f->w, err, errlen);
		if (q < 0)
			goto out;
		if (q > 0) {
			snprintf(err, errlen,
				 "%s: holds no sweep (a shard is made by 'pdswap-dse CONFIG --shard I/N --db %s')", f->file,
				 f->file);
			rc = PDS_FAIL_REQUEST;
			goto out;
		}
		if ((rc = check_one(sh, i ? &given[0] : NULL, f, err, errlen)) != 0)
			goto out;
		rc = PDS_FAIL;
	}
	sh->n = given[0].w.n_shards;
	sh->s = calloc((size_t)sh->n, sizeof *sh->s);
	if (!sh->s) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		shard *slot = &sh->s[given[i].w.shard - 1];
		if (slot->file) {
			snprintf(err, errlen, "shard %d/%d is given twice: %s and %s", given[i].w.shard, sh->n, slot->file,
				 given[i].file);
			rc = PDS_FAIL_REQUEST;
			goto out;
		}
		*slot = given[i];
		memset(&given[i], 0, sizeof given[i]); /* owned by the slot now */
	}
	for (int i = 0; i < sh->n; i++)
		if (!sh->s[i].file) {
			missing(sh, err, errlen);
			rc = PDS_FAIL_REQUEST;
			goto out;
		}
	const shard *s1 = &sh->s[0];
	char cerr[2048];
	if (config_load_buffer(&sh->c, s1->w.config_path, s1->w.config_text, s1->w.config_len, cerr, sizeof cerr)) {
		snprintf(err, errlen, "%s: the config of run %lld does not load in this build: %s", s1->file,
			 (long long)s1->w.run_id, cerr);
		rc = PDS_FAIL_REQUEST;
		goto out;
	}
	sh->have_cfg = true;
	space_init(&sh->sp, &sh->c);
	if (sh->sp.n_points != s1->w.n_space || sh->sp.n_chunks != s1->w.n_chunks) {
		snprintf(err, errlen, "%s: run %lld swept %lld points in %lld chunks; its config has %lld in %lld here",
			 s1->file, (long long)s1->w.run_id, (long long)s1->w.n_space, (long long)s1->w.n_chunks,
			 (long long)sh->sp.n_points, (long long)sh->sp.n_chunks);
		rc = PDS_FAIL_REQUEST;
		goto out;
	}
	for (int i = 0; i < sh->n; i++) {
		const shard *f = &sh->s[i];
		int64_t want = shard_chunks(sh->sp.n_chunks, i, sh->n);
		if (f->w.chunks_done != want) {
			snprintf(err, errlen, "%s: shard %d/%d (run %lld) holds %lld chunks; the shard has %lld", f->file,
				 i + 1, sh->n, (long long)f->w.run_id, (long long)f->w.chunks_done, (long long)want);
			rc = PDS_FAIL_REQUEST;
			goto out;
		}
	}
	*out = sh;
	sh = NULL;
	rc = 0;
out:
	for (int i = 0; given && i < n; i++) {
		sqlite3_close(given[i].db);
		free(given[i].w.config_text);
	}
	free(given);
	shards_close(sh);
	return rc;
}

/* ------------------------------------------------------------ feeding */

typedef struct {
	const shard *f;
	int i, n;                 /* this shard (0-based) of n */
	const sweep_feed *feed;
	group_result *r;
	size_t cap;
	int64_t bad;              /* a chunk of another shard, or -1 */
} chunk_walk;

static int take_chunk(void *arg, int64_t chunk, const store_counts *n)
{
	chunk_walk *c = arg;
	if (chunk < 0 || chunk >= sweep_feed_space(c->feed)->n_chunks || chunk % c->n != c->i || n->over_cap < 0) {
		c->bad = chunk;
		return 1;
	}
	if (sweep_feed_skip(c->feed, chunk))
		return 0; /* finished by the run this merge resumes */
	if (c->r->n_chunks == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 1024;
		group_chunk *p = realloc(c->r->chunk, cap * sizeof *p);
		if (!p)
			return 2;
		c->r->chunk = p;
		c->cap = cap;
	}
	c->r->chunk[c->r->n_chunks++] =
		(group_chunk){chunk, {.points = n->points, .feasible = n->feasible, .over_cap = n->over_cap,
				      .too_slow = n->too_slow, .no_fit = n->no_fit}};
	return 0;
}

/*
 * What the knobs did in the result's chunks (factor_knobs), evaluated here:
 * the shards store it summed over all their chunks, and a merge that
 * resumes a run takes only the chunks the run lacks.  The evaluation is
 * the cheap part of a sweep (the DES figures are taken as stored), and
 * each chunk's counts are checked against the shard's on the way.
 */
static int knobs_of(const factor *fac, const space_t *sp, group_result *r, const shard *f, int i, int n, char *err,
		    size_t errlen)
{
	factor_scratch *x = factor_scratch_new();
	factor_buf buf = {0};
	int rc = x ? 0 : -1;
	if (!x)
		snprintf(err, errlen, "out of memory");
	for (size_t k = 0; k < r->n_chunks && rc == 0; k++) {
		group_chunk *g = &r->chunk[k];
		factor_counts cnt = {0};
		int mi = space_chunk_mode(sp, g->chunk) == &sp->m[0] ? 0 : 1;
		buf.n = 0;
		if (factor_chunk(fac, x, g->chunk, &buf, &cnt, &r->knobs[mi])) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		} else if (cnt.points != g->cnt.points || cnt.feasible != g->cnt.feasible ||
			   cnt.over_cap != g->cnt.over_cap || cnt.too_slow != g->cnt.too_slow ||
			   cnt.no_fit != g->cnt.no_fit) {
			snprintf(err, errlen,
				 "%s: run %lld counts chunk %lld of shard %d/%d otherwise than this model (%lld of %lld"
				 " points feasible, this model %lld)",
				 f->file, (long long)f->w.run_id, (long long)g->chunk, i + 1, n, (long long)g->cnt.feasible,
				 (long long)g->cnt.points, (long long)cnt.feasible);
			rc = -1;
		}
	}
	factor_buf_release(&buf);
	factor_scratch_free(x);
	return rc;
}

/* One shard's chunks and front as one result (see the header). */
static int feed_shard(const shards *sh, int i, sweep_feed *feed, char *err, size_t errlen)
{
	const shard *f = &sh->s[i];
	const space_t *sp = sweep_feed_space(feed);
	const factor *fac = sweep_feed_factor(feed);
	const int n_obj = factor_get_layout(fac)->n_obj;
	int64_t *ids;
	size_t n_ids;
	if (rdb_pareto_ids(f->db, f->file, f->w.run_id, &ids, &n_ids, err, errlen))
		return -1;
	chunk_walk c = {.f = f, .i = i, .n = sh->n, .feed = feed, .bad = -1};
	c.r = group_result_new(1, n_ids, n_obj);
	int rc = -1;
	if (!c.r) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	c.cap = 1;
	int q = rdb_each_chunk(f->db, f->file, f->w.run_id, take_chunk, &c, err, errlen);
	if (q < 0)
		goto out;
	if (q == 1) {
		snprintf(err, errlen, "%s: run %lld holds chunk %lld, which is not shard %d/%d's or has no counts",
			 f->file, (long long)f->w.run_id, (long long)c.bad, i + 1, sh->n);
		goto out;
	}
	if (q) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (knobs_of(fac, sp, c.r, f, i, sh->n, err, errlen))
		goto out;
	double v[PARETO_MAX_OBJ];
	for (size_t k = 0; k < n_ids; k++) {
		int64_t chunk = space_chunk_of(sp, ids[k]);
		if (chunk < 0 || chunk % sh->n != i) {
			snprintf(err, errlen, "%s: run %lld keeps point %lld on its front, which is not in shard %d/%d",
				 f->file, (long long)f->w.run_id, (long long)ids[k], i + 1, sh->n);
			goto out;
		}
		if (sweep_feed_skip(feed, chunk))
			continue;
		if (factor_point(fac, ids[k], v, NULL) != FACTOR_FEASIBLE) {
			snprintf(err, errlen, "%s: run %lld keeps point %lld on its front, which this model finds infeasible",
				 f->file, (long long)f->w.run_id, (long long)ids[k]);
			goto out;
		}
		if (group_result_add(c.r, ids[k], v, n_obj)) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	rc = 0;
	if (c.r->n_chunks > 0) {
		group_result *r = c.r;
		c.r = NULL;
		sweep_feed_give(feed, r); /* -1: the sweep stops, and says why */
	}
out:
	group_result_free(c.r);
	free(ids);
	return rc;
}

static int feed_chunks(void *arg, sweep_feed *feed, char *err, size_t errlen)
{
	const shards *sh = arg;
	for (int i = 0; i < sh->n && !sweep_feed_stopping(feed); i++)
		if (feed_shard(sh, i, feed, err, errlen))
			return -1;
	return 0;
}

/* The DES figures of the merged fronts' points (and of the named
 * designs, from shard 1), as their shards stored them. */
static int feed_des(void *arg, recheck_feed *feed, char *err, size_t errlen)
{
	const shards *sh = arg;
	const recheck_lengths *L = recheck_feed_lengths(feed);
	figures_len v[RECHECK_MAX_LEN];
	long i;
	while ((i = recheck_feed_take(feed)) >= 0) {
		const recheck_item *it = recheck_feed_item(feed, i);
		int64_t chunk = it->id < sh->sp.n_points ? space_chunk_of(&sh->sp, it->id) : 0;
		const shard *f = &sh->s[chunk % sh->n];
		for (int k = 0; k < L->n; k++) {
			int q = rdb_metric(f->db, f->file, f->w.run_id, it->id, "des", L->len[k], &v[k], err, errlen);
			if (q < 0)
				return -1;
			if (q > 0) {
				snprintf(err, errlen, "%s: run %lld lacks the DES figures of point %lld at length %d", f->file,
					 (long long)f->w.run_id, (long long)it->id, L->len[k]);
				return -1;
			}
		}
		recheck_feed_give(feed, i, v, NULL);
	}
	return 0;
}

void shards_source(shards *sh, sweep_source *src)
{
	memset(src, 0, sizeof *src);
	src->chunks = feed_chunks;
	src->des = feed_des;
	src->arg = sh;
	src->exclusive = true;
	src->ranks = 1;
}
