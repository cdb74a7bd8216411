/*
 * sweep.c - threads, merging, checkpoints, resumption and the final
 * choice of the design-space exploration (sweep.h).
 *
 * Threads: workers pull chunk ids from one atomic counter, skip the
 * chunks a resumed run had finished, and hand each chunk's own front to
 * the main thread through a bounded queue (a slow database holds the
 * workers back instead of filling memory).  Only the main thread touches
 * SQLite and the fronts.
 *
 * What is stored is recomputed from the design with perf_* (the
 * reference model), so the stored figures are the model's own; the
 * factorised evaluator gives the same numbers (tests/check_sweep.c).
 */
#include "sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "des.h"
#include "factor.h"
#include "pareto.h"
#include "perf.h"
#include "space.h"
#include "util.h"

#define CHECKPOINT_S 0.1 /* seconds between commits (at most) */
#define PROGRESS_S 0.1   /* seconds between progress redraws */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------ id set */

/* Open-addressing set of non-negative ids (the stored front). */
typedef struct {
	int64_t *slot; /* -1 empty, -2 deleted */
	size_t cap, n, used;
} idset;

static size_t id_hash(int64_t id, size_t cap)
{
	uint64_t x = (uint64_t)id * UINT64_C(0x9E3779B97F4A7C15);
	return (size_t)(x >> 17) & (cap - 1);
}

static int idset_grow(idset *s)
{
	size_t cap = s->cap ? 2 * s->cap : 1024;
	while (cap < 4 * (s->n + 1))
		cap *= 2;
	int64_t *slot = malloc(cap * sizeof *slot);
	if (!slot)
		return -1;
	for (size_t i = 0; i < cap; i++)
		slot[i] = -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i] >= 0) {
			size_t j = id_hash(s->slot[i], cap);
			while (slot[j] != -1)
				j = (j + 1) & (cap - 1);
			slot[j] = s->slot[i];
		}
	free(s->slot);
	s->slot = slot;
	s->cap = cap;
	s->used = s->n;
	return 0;
}

static bool idset_has(const idset *s, int64_t id)
{
	if (!s->cap)
		return false;
	for (size_t j = id_hash(id, s->cap);; j = (j + 1) & (s->cap - 1)) {
		if (s->slot[j] == id)
			return true;
		if (s->slot[j] == -1)
			return false;
	}
}

static int idset_add(idset *s, int64_t id)
{
	if (idset_has(s, id))
		return 0;
	if (2 * (s->used + 1) > s->cap && idset_grow(s))
		return -1;
	size_t j = id_hash(id, s->cap);
	while (s->slot[j] >= 0)
		j = (j + 1) & (s->cap - 1);
	if (s->slot[j] == -1)
		s->used++;
	s->slot[j] = id;
	s->n++;
	return 0;
}

static void idset_del(idset *s, int64_t id)
{
	if (!s->cap)
		return;
	for (size_t j = id_hash(id, s->cap);; j = (j + 1) & (s->cap - 1)) {
		if (s->slot[j] == id) {
			s->slot[j] = -2;
			s->n--;
			return;
		}
		if (s->slot[j] == -1)
			return;
	}
}

/*
 * One sweep at a time per database: an exclusive flock() on DB.lock,
 * held for the whole run and dropped by the kernel when the process ends
 * however it ends, so a killed sweep never blocks the next one.  (A lock
 * on the database file itself would share its descriptor rules with
 * SQLite's own POSIX locks; a separate file keeps them apart.)
 * Returns the descriptor, or -1 with err set.
 */
static int lock_db(const char *db, char *err, size_t errlen)
{
	char path[1100];
	snprintf(path, sizeof path, "%s.lock", db);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open the sweep lock: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			snprintf(err, errlen, "%s: another pdswap-dse is sweeping into this database; wait for it to end", db);
		else
			snprintf(err, errlen, "%s: cannot take the sweep lock: %s", path, strerror(e));
		return -1;
	}
	return fd;
}

/* ------------------------------------------------------- shared state */

typedef struct result {
	struct result *next;
	int64_t chunk;
	int mode;         /* index into space_t.m */
	fac_counts cnt;
	size_t n;         /* the chunk's own front */
	int64_t *id;
	double *v;
} result;

typedef struct {
	const space_t *sp;
	const fac *f;
	int n_obj;
	const uint8_t *done;     /* chunks a resumed run had finished */
	atomic_llong next;       /* next chunk id to take */
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	result *head, *tail;
	int queued, max_queued;
	int running;             /* workers still going */
	bool abort;              /* the main thread gave up */
	bool oom;                /* a worker ran out of memory */
} shared;

static bool bit(const uint8_t *b, int64_t i)
{
	return b[i >> 3] & (1u << (i & 7));
}

static void result_free(result *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->v);
	free(r);
}

static void *worker(void *arg)
{
	shared *sh = arg;
	fac_scratch *x = fac_scratch_new();
	fac_buf buf = {0};
	size_t *keep = malloc(SPACE_CHUNK_MAX * sizeof *keep);
	bool oom = !x || !keep;
	/* PDSWAP_CHUNK_DELAY_MS slows every chunk down, for the tests that
	 * kill a sweep part-way; it changes no result */
	const char *delay = getenv("PDSWAP_CHUNK_DELAY_MS");
	long delay_ms = delay ? strtol(delay, NULL, 10) : 0;
	while (!oom && !stop_signal) {
		int64_t k = atomic_fetch_add(&sh->next, 1);
		if (k >= sh->sp->n_chunks)
			break;
		if (bit(sh->done, k))
			continue;
		result *r = calloc(1, sizeof *r);
		buf.n = 0;
		if (!r || fac_chunk(sh->f, x, k, &buf, &r->cnt)) {
			free(r);
			oom = true;
			break;
		}
		if (delay_ms > 0 && delay_ms < 100000) {
			struct timespec ts = {delay_ms / 1000, delay_ms % 1000 * 1000000L};
			nanosleep(&ts, NULL);
		}
		r->chunk = k;
		r->mode = space_chunk_mode(sh->sp, k) == &sh->sp->m[0] ? 0 : 1;
		long h = pareto_filter(sh->n_obj, buf.v, buf.n, keep);
		if (h < 0 || (h > 0 && (!(r->id = malloc((size_t)h * sizeof *r->id)) ||
					!(r->v = malloc((size_t)h * (size_t)sh->n_obj * sizeof *r->v))))) {
			result_free(r);
			oom = true;
			break;
		}
		r->n = (size_t)h;
		for (long i = 0; i < h; i++) {
			r->id[i] = buf.id[keep[i]];
			memcpy(r->v + (size_t)i * (size_t)sh->n_obj, buf.v + keep[i] * (size_t)sh->n_obj,
			       (size_t)sh->n_obj * sizeof *r->v);
		}
		pthread_mutex_lock(&sh->mu);
		while (sh->queued >= sh->max_queued && !sh->abort)
			pthread_cond_wait(&sh->not_full, &sh->mu);
		if (sh->abort) {
			pthread_mutex_unlock(&sh->mu);
			result_free(r);
			break;
		}
		if (sh->tail)
			sh->tail->next = r;
		else
			sh->head = r;
		sh->tail = r;
		sh->queued++;
		pthread_cond_signal(&sh->not_empty);
		pthread_mutex_unlock(&sh->mu);
	}
	pthread_mutex_lock(&sh->mu);
	sh->running--;
	sh->oom |= oom;
	pthread_cond_signal(&sh->not_empty);
	pthread_mutex_unlock(&sh->mu);
	free(keep);
	fac_buf_release(&buf);
	fac_scratch_free(x);
	return NULL;
}

/* ------------------------------------------------------ storing points */

typedef struct {
	const cfg_t *c;
	const wl_t *w;
	store *s;
	const space_t *sp;
	const fac *f;
	const sweep_opts *o;
	int64_t run_id;
	int n_len;
	int len[3 * CFG_MAX_LIST + 4]; /* metric lengths, ascending */
	bool is_prompt[3 * CFG_MAX_LIST + 4], is_ctx[3 * CFG_MAX_LIST + 4];
	pareto *front[2];   /* by space mode index */
	idset stored;       /* front members in the database */
	/* chunks finished since the last checkpoint */
	int64_t *pend;      /* chunk, points, feasible triples */
	size_t n_pend, cap_pend;
	int64_t points_done;
	char *err;
	size_t errlen;
} run_ctx;

static void add_len(run_ctx *x, int L, bool prompt, bool ctx)
{
	for (int i = 0; i < x->n_len; i++)
		if (x->len[i] == L) {
			x->is_prompt[i] |= prompt;
			x->is_ctx[i] |= ctx;
			return;
		}
	int i = x->n_len++;
	while (i > 0 && x->len[i - 1] > L) {
		x->len[i] = x->len[i - 1];
		x->is_prompt[i] = x->is_prompt[i - 1];
		x->is_ctx[i] = x->is_ctx[i - 1];
		i--;
	}
	x->len[i] = L;
	x->is_prompt[i] = prompt;
	x->is_ctx[i] = ctx;
}

/*
 * One design point and its analytic metrics, from the reference model:
 * TTFT and prefill at each target prompt (with the exposed swap for
 * dpr), decode step, tok/s and energy per token at each decode context.
 * A point rejected on resources gets no metrics.
 */
static int put_point(run_ctx *x, int64_t id, const char *name, const design_t *d)
{
	perf_ctx p;
	perf_res res;
	perf_run r;
	char why[200];
	perf_prepare(&p, x->c, x->w, d);
	perf_resources(&p, &res);
	bool feas = perf_feasible(&p, why, sizeof why);
	perf_run_eval(&p, x->c->obj.prompt, 0, &r);
	store_point sp = {x->run_id, id, name, d, &res, feas, why, perf_objective(&p), r.swap_s,
			  r.bitstream_bytes};
	if (store_put_point(x->s, x->c, &sp))
		return -1;
	if (!res.feasible)
		return 0;
	for (int i = 0; i < x->n_len; i++) {
		int L = x->len[i];
		store_metric m = {x->run_id, id, "analytic", L, NAN, NAN, NAN, NAN, NAN, NAN};
		if (x->is_prompt[i]) {
			m.ttft_s = perf_ttft_s(&p, L);
			m.prefill_s = perf_prefill_s(&p, L);
			if (d->mode == MODE_DPR) {
				perf_run_eval(&p, L, 0, &r);
				m.swap_exposed_s = r.swap_exposed_s;
			}
		}
		if (x->is_ctx[i]) {
			m.decode_step_s = perf_decode_step_s(&p, L);
			m.decode_tok_s = 1 / m.decode_step_s;
			m.energy_j_per_token = perf_decode_energy_j(&p, L);
		}
		if (store_put_metric(x->s, &m))
			return -1;
	}
	return 0;
}

static int put_space_point(run_ctx *x, int64_t id)
{
	design_t d;
	space_design(x->sp, id, &d);
	return put_point(x, id, NULL, &d);
}

/* ---------------------------------------------------------- checkpoint */

/* One chunk's front into the front of its mode; its counters into the pending list. */
static int merge(run_ctx *x, const result *r)
{
	const int n_obj = fac_get_layout(x->f)->n_obj;
	if (x->n_pend == x->cap_pend) {
		size_t cap = x->cap_pend ? 2 * x->cap_pend : 256;
		int64_t *pd = realloc(x->pend, 3 * cap * sizeof *pd);
		if (!pd)
			goto oom;
		x->pend = pd;
		x->cap_pend = cap;
	}
	for (size_t i = 0; i < r->n; i++)
		if (pareto_insert(x->front[r->mode], r->id[i], r->v + i * (size_t)n_obj) < 0)
			goto oom;
	x->pend[3 * x->n_pend] = r->chunk;
	x->pend[3 * x->n_pend + 1] = r->cnt.points;
	x->pend[3 * x->n_pend + 2] = r->cnt.feasible;
	x->n_pend++;
	x->points_done += r->cnt.points;
	return 0;
oom:
	snprintf(x->err, x->errlen, "out of memory");
	return -1;
}

static int fail_store(run_ctx *x)
{
	snprintf(x->err, x->errlen, "%s", store_errmsg(x->s));
	return -1;
}

/*
 * Commit what was merged since the last checkpoint: with all_points every
 * point of the finished chunks; the front members that joined, the
 * stored ones that left; the chunk markers.  All or nothing.
 */
static int checkpoint(run_ctx *x)
{
	bool changed = x->n_pend > 0;
	for (int m = 0; m < x->sp->n_modes; m++) {
		const int64_t *ev;
		changed |= pareto_evicted(x->front[m], &ev) > 0;
		for (size_t i = 0; i < pareto_size(x->front[m]) && !changed; i++)
			changed = !idset_has(&x->stored, pareto_id(x->front[m], i));
	}
	if (!changed)
		return 0;
	if (store_begin(x->s))
		return fail_store(x);
	for (size_t i = 0; i < x->n_pend && x->o->all_points; i++) {
		int64_t first, end;
		space_chunk_range(x->sp, x->pend[3 * i], &first, &end);
		for (int64_t id = first; id < end; id++)
			if (put_space_point(x, id))
				goto bad;
	}
	for (int m = 0; m < x->sp->n_modes; m++) {
		const int64_t *ev;
		size_t n_ev = pareto_evicted(x->front[m], &ev);
		for (size_t i = 0; i < n_ev; i++) {
			if (!idset_has(&x->stored, ev[i]))
				continue; /* joined and left between two checkpoints */
			if (x->o->all_points ? store_del_pareto(x->s, x->run_id, ev[i])
					     : store_del_point(x->s, x->run_id, ev[i]))
				goto bad;
		}
		for (size_t i = 0; i < pareto_size(x->front[m]); i++) {
			int64_t id = pareto_id(x->front[m], i);
			if (idset_has(&x->stored, id))
				continue;
			if ((!x->o->all_points && put_space_point(x, id)) ||
			    store_put_pareto(x->s, x->run_id, id))
				goto bad;
		}
	}
	for (size_t i = 0; i < x->n_pend; i++)
		if (store_put_chunk(x->s, x->run_id, x->pend[3 * i], x->pend[3 * i + 1], x->pend[3 * i + 2]))
			goto bad;
	if (store_commit(x->s))
		goto bad;
	/* committed: bring the in-memory view of the database up to date */
	for (int m = 0; m < x->sp->n_modes; m++) {
		const int64_t *ev;
		size_t n_ev = pareto_evicted(x->front[m], &ev);
		for (size_t i = 0; i < n_ev; i++)
			idset_del(&x->stored, ev[i]);
		pareto_clear_evicted(x->front[m]);
		for (size_t i = 0; i < pareto_size(x->front[m]); i++)
			if (idset_add(&x->stored, pareto_id(x->front[m], i))) {
				snprintf(x->err, x->errlen, "out of memory");
				return -1;
			}
	}
	x->n_pend = 0;
	return 0;
bad:
	fail_store(x);
	store_rollback(x->s);
	return -1;
}

/* ------------------------------------------------------------ progress */

/* "[####....] done/total what  rate/s  ETA m:ss" on stderr, at most every PROGRESS_S. */
static void progress(const char *what, int64_t done, int64_t total, double t0, int64_t done0, bool final)
{
	static double last;
	double t = now_s();
	if (!final && t - last < PROGRESS_S)
		return;
	last = t;
	double rate = t > t0 ? (double)(done - done0) / (t - t0) : 0;
	double eta = rate > 0 ? (double)(total - done) / rate : 0;
	int width = 30, fill = total ? (int)((double)done / (double)total * width) : width;
	char bar[64];
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = '\0';
	fprintf(stderr, "\r[%s] %lld/%lld %s  %.3g/s  ETA %d:%02d ", bar, (long long)done, (long long)total, what,
		rate, (int)eta / 60, (int)eta % 60);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* ------------------------------------------------------- DES re-check */

/*
 * The fronts (and the config's named designs, for reference) are
 * re-simulated with the discrete-event model at every workload length:
 * at a prompt L, a prefill of L tokens (TTFT, prefill, exposed swap); at
 * a decode context c, the first step after a prompt of c - 1 tokens
 * (step, tok/s, energy per token), as des_objective() measures them.
 * Workers take points from an atomic counter; the main thread stores
 * finished points every CHECKPOINT_S in one transaction, so a killed run
 * resumes without re-simulating what is stored.
 */
enum { DV_TTFT, DV_PREFILL, DV_TOK, DV_STEP, DV_ENERGY, DV_SWAP, DV_N };

typedef struct {
	int64_t id;
	design_t d;
	bool on_front;
	atomic_int state;   /* 0 to simulate, 1 simulated, 2 in the database */
	double *v;          /* n_len rows of DV_N figures, NAN where none */
	bool failed;
	char err[300];
} des_item;

typedef struct {
	const run_ctx *x;
	des_item *it;
	size_t n;
	atomic_size_t next;
	atomic_int running;
} des_job;

static void des_point(const run_ctx *x, des_item *it)
{
	des_opts o = {0};
	des_result r;
	for (int i = 0; i < x->n_len; i++) {
		double *v = it->v + (size_t)i * DV_N;
		for (int k = 0; k < DV_N; k++)
			v[k] = NAN;
		int L = x->len[i];
		if (x->is_prompt[i]) {
			if (des_run(x->c, x->w, &it->d, L, 0, &o, &r, it->err, sizeof it->err))
				goto bad;
			v[DV_TTFT] = r.ttft_s;
			v[DV_PREFILL] = r.prefill_s;
			if (it->d.mode == MODE_DPR)
				v[DV_SWAP] = r.swap_exposed_s;
		}
		if (x->is_ctx[i]) {
			if (des_run(x->c, x->w, &it->d, L > 1 ? L - 1 : 1, 1, &o, &r, it->err, sizeof it->err))
				goto bad;
			v[DV_STEP] = r.dec_first_s;
			v[DV_TOK] = 1 / r.dec_first_s;
			v[DV_ENERGY] = r.energy_j_per_token;
		}
	}
	return;
bad:
	it->failed = true;
}

static void *des_worker(void *arg)
{
	des_job *j = arg;
	while (!stop_signal) {
		size_t i = atomic_fetch_add(&j->next, 1);
		if (i >= j->n)
			break;
		if (atomic_load(&j->it[i].state) == 0) {
			des_point(j->x, &j->it[i]);
			atomic_store(&j->it[i].state, 1);
		}
	}
	atomic_fetch_sub(&j->running, 1);
	return NULL;
}

static int len_index(const run_ctx *x, int L)
{
	for (int i = 0; i < x->n_len; i++)
		if (x->len[i] == L)
			return i;
	return -1;
}

/* The DES objective of an item and its TTFT at objective.prompt. */
static double des_objective_of(const run_ctx *x, const des_item *it, double *ttft)
{
	const cfg_objective *o = &x->c->obj;
	const double *vp = it->v + (size_t)len_index(x, o->prompt) * DV_N;
	const double *vl = it->v + (size_t)len_index(x, o->l_long) * DV_N;
	const double *vs = it->v + (size_t)len_index(x, o->l_short) * DV_N;
	*ttft = vp[DV_TTFT];
	return vp[DV_TTFT] + o->alpha * vl[DV_STEP] + (1 - o->alpha) * vs[DV_STEP];
}

/* Store every simulated item not yet stored, in one transaction. */
static int des_store(run_ctx *x, des_item *it, size_t n)
{
	bool any = false;
	for (size_t i = 0; i < n && !any; i++)
		any = atomic_load(&it[i].state) == 1 && !it[i].failed;
	if (!any)
		return 0;
	if (store_begin(x->s))
		return fail_store(x);
	size_t *done = malloc(n * sizeof *done), nd = 0;
	if (!done) {
		store_rollback(x->s);
		snprintf(x->err, x->errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (atomic_load(&it[i].state) != 1 || it[i].failed)
			continue;
		for (int k = 0; k < x->n_len; k++) {
			const double *v = it[i].v + (size_t)k * DV_N;
			store_metric m = {x->run_id, it[i].id, "des", x->len[k], v[DV_TTFT], v[DV_PREFILL],
					  v[DV_TOK], v[DV_STEP], v[DV_ENERGY], v[DV_SWAP]};
			if (store_put_metric(x->s, &m)) {
				free(done);
				fail_store(x);
				store_rollback(x->s);
				return -1;
			}
		}
		done[nd++] = i;
	}
	if (store_commit(x->s)) {
		free(done);
		fail_store(x);
		store_rollback(x->s);
		return -1;
	}
	for (size_t k = 0; k < nd; k++)
		atomic_store(&it[done[k]].state, 2);
	free(done);
	return 0;
}

/* Items already simulated by an earlier process: their rows back into v. */
static int des_load(run_ctx *x, des_item *it)
{
	store_metric m;
	for (int k = 0; k < x->n_len; k++) {
		int rc = store_get_metric(x->s, x->run_id, it->id, "des", x->len[k], &m);
		if (rc < 0)
			return fail_store(x);
		if (rc == 1) {
			if (k == 0)
				return 0; /* not simulated yet */
			snprintf(x->err, x->errlen, "%s: run %lld holds part of the DES figures of point %lld",
				 store_path(x->s), (long long)x->run_id, (long long)it->id);
			return -1;
		}
		double *v = it->v + (size_t)k * DV_N;
		v[DV_TTFT] = m.ttft_s;
		v[DV_PREFILL] = m.prefill_s;
		v[DV_TOK] = m.decode_tok_s;
		v[DV_STEP] = m.decode_step_s;
		v[DV_ENERGY] = m.energy_j_per_token;
		v[DV_SWAP] = m.swap_exposed_s;
	}
	atomic_store(&it->state, 2);
	return 0;
}

static int cmp_item(const void *a, const void *b)
{
	int64_t x = ((const des_item *)a)->id, y = ((const des_item *)b)->id;
	return (x > y) - (x < y);
}

/*
 * Re-simulate the fronts and the named designs.  Returns 0 with *items
 * (sorted by id, owned by the caller), 1 when a signal stopped it (what
 * was simulated is stored), -1 on an error.
 */
static int des_phase(run_ctx *x, des_item **items, size_t *n_items)
{
	size_t n = (size_t)x->c->n_designs;
	for (int m = 0; m < x->sp->n_modes; m++)
		n += pareto_size(x->front[m]);
	des_item *it = calloc(n ? n : 1, sizeof *it);
	double *vals = calloc(n * (size_t)x->n_len * DV_N + 1, sizeof *vals);
	*items = it;
	*n_items = n;
	if (!it || !vals) {
		free(vals);
		snprintf(x->err, x->errlen, "out of memory");
		return -1;
	}
	size_t k = 0;
	for (int m = 0; m < x->sp->n_modes; m++)
		for (size_t i = 0; i < pareto_size(x->front[m]); i++, k++) {
			it[k].id = pareto_id(x->front[m], i);
			it[k].on_front = true;
			space_design(x->sp, it[k].id, &it[k].d);
		}
	for (int i = 0; i < x->c->n_designs; i++, k++) {
		it[k].id = x->sp->n_points + i;
		it[k].d = x->c->designs[i].d;
	}
	qsort(it, n, sizeof *it, cmp_item);
	int64_t done0 = 0;
	for (size_t i = 0; i < n; i++) {
		it[i].v = vals + i * (size_t)x->n_len * DV_N;
		atomic_init(&it[i].state, 0);
		if (des_load(x, &it[i]))
			return -1;
		done0 += atomic_load(&it[i].state) == 2;
	}
	des_job j = {.x = x, .it = it, .n = n};
	atomic_init(&j.next, 0);
	atomic_init(&j.running, 0);
	pthread_t tid[256];
	int started = 0;
	for (int i = 0; i < x->o->threads && i < 256; i++) {
		atomic_fetch_add(&j.running, 1);
		if (pthread_create(&tid[i], NULL, des_worker, &j)) {
			atomic_fetch_sub(&j.running, 1);
			break;
		}
		started++;
	}
	if (!started) {
		snprintf(x->err, x->errlen, "cannot start worker threads: %s", strerror(errno));
		return -1;
	}
	double t0 = now_s(), last = t0;
	int rc = 0;
	for (;;) {
		bool finished = atomic_load(&j.running) == 0;
		if (!finished) {
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		if (rc == 0 && (finished || now_s() - last >= CHECKPOINT_S)) {
			rc = des_store(x, it, n);
			last = now_s();
		}
		if (x->o->progress) {
			int64_t nd = 0;
			for (size_t i = 0; i < n; i++)
				nd += atomic_load(&it[i].state) != 0;
			progress("DES front points", nd, (int64_t)n, t0, done0, finished);
		}
		if (finished)
			break;
	}
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (rc)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (it[i].failed) {
			snprintf(x->err, x->errlen, "DES of point %lld: %s", (long long)it[i].id, it[i].err);
			return -1;
		}
	for (size_t i = 0; i < n; i++)
		if (atomic_load(&it[i].state) != 2)
			return 1;
	return 0;
}

/* ---------------------------------------------------------- the sweep */

static int mark_done(void *arg, int64_t chunk)
{
	uint8_t *done = arg;
	done[chunk >> 3] |= (uint8_t)(1u << (chunk & 7));
	return 0;
}

typedef struct {
	run_ctx *x;
	int bad; /* a stored member the model does not find feasible */
} reload_arg;

/* Put a stored front member back into its in-memory front. */
static int reload(void *arg, int64_t id)
{
	reload_arg *a = arg;
	run_ctx *x = a->x;
	double v[PARETO_MAX_OBJ];
	const space_mode *m = space_mode_of(x->sp, id);
	if (!m || fac_point(x->f, id, v) != FAC_FEASIBLE) {
		a->bad++;
		return 0;
	}
	int mi = m == &x->sp->m[0] ? 0 : 1;
	if (pareto_insert(x->front[mi], id, v) < 0 || idset_add(&x->stored, id))
		return -1;
	return 0;
}

static void objectives_text(const fac *f, char *buf, size_t len)
{
	const fac_layout *L = fac_get_layout(f);
	size_t n = 0;
	for (int i = 0; i < L->n_tp && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "ttft_s@%d,", L->tp[i]);
	if (n < len)
		snprintf(buf + n, len - n, "decode_step_s@short,decode_step_s@long,energy_j_per_token,lut");
}

/* Create the run, its sweeps row and the reference designs, in one transaction. */
static int new_run(run_ctx *x, const char *objectives)
{
	if (store_begin(x->s))
		return fail_store(x);
	if (store_new_run(x->s, x->c, "sweep", x->o->threads, &x->run_id) ||
	    store_new_sweep(x->s, x->run_id, x->o->all_points, x->sp->n_points, x->sp->n_chunks, objectives))
		goto bad;
	for (int i = 0; i < x->c->n_designs; i++)
		if (put_point(x, x->sp->n_points + i, x->c->designs[i].name, &x->c->designs[i].d))
			goto bad;
	if (store_commit(x->s))
		goto bad;
	return 0;
bad:
	fail_store(x);
	store_rollback(x->s);
	return -1;
}

/*
 * Choose: per architecture, the front point of least DES objective whose
 * DES TTFT at objective.prompt meets t_pre_max (ties: smallest id); store
 * it in `best`, the DPR one (static when there is no dpr mode) in
 * `chosen`, and close the run.
 */
static int finish(run_ctx *x, sweep_result *r, const des_item *it, size_t n)
{
	int64_t nck, npt, nfe;
	if (store_chunk_totals(x->s, x->run_id, &nck, &npt, &nfe))
		return fail_store(x);
	r->n_points = npt;
	r->n_feasible = nfe;
	r->chosen = -1;
	for (int m = 0; m < 2; m++) {
		r->best[m] = -1;
		r->n_front[m] = 0;
	}
	for (int mi = 0; mi < x->sp->n_modes; mi++)
		r->n_front[x->sp->m[mi].mode] = (int64_t)pareto_size(x->front[mi]);
	for (size_t i = 0; i < n; i++) {
		if (!it[i].on_front)
			continue;
		double ttft, obj = des_objective_of(x, &it[i], &ttft);
		arch_mode mode = it[i].d.mode;
		if (!(ttft <= x->c->cons.t_pre_max_s))
			continue;
		/* items are in id order: the first of equal objectives wins */
		if (r->best[mode] < 0 || obj < r->best_objective[mode]) {
			r->best[mode] = it[i].id;
			r->best_objective[mode] = obj;
		}
	}
	int cm = r->best[MODE_DPR] >= 0 ? MODE_DPR : MODE_STATIC;
	r->chosen = r->best[cm];
	if (store_begin(x->s))
		return fail_store(x);
	for (int m = 0; m < 2; m++)
		if (r->best[m] >= 0 &&
		    store_put_best(x->s, x->run_id, (arch_mode)m, r->best[m], "des", r->best_objective[m]))
			goto bad;
	if (r->chosen >= 0 && store_put_chosen(x->s, x->run_id, r->chosen, r->best_objective[cm]))
		goto bad;
	if (store_finish_run(x->s, x->run_id, "complete", npt, nfe) || store_commit(x->s))
		goto bad;
	return 0;
bad:
	fail_store(x);
	store_rollback(x->s);
	return -1;
}

int sweep_run(const cfg_t *c, const wl_t *w, store *s, const sweep_opts *o, sweep_result *r, char *err,
	      size_t errlen)
{
	double t_start = now_s();
	memset(r, 0, sizeof *r);
	r->chosen = r->best[0] = r->best[1] = -1;
	space_t sp;
	space_init(&sp, c);
	if (sp.n_points <= 0 || sp.n_points > SWEEP_MAX_POINTS) {
		snprintf(err, errlen, "%s: design_space has %lld points; a sweep takes 1 to %lld", c->path,
			 (long long)sp.n_points, (long long)SWEEP_MAX_POINTS);
		return -1;
	}
	int lock = lock_db(store_path(s), err, errlen);
	if (lock < 0)
		return -1;
	run_ctx x = {.c = c, .w = w, .s = s, .sp = &sp, .o = o, .err = err, .errlen = errlen};
	int rc = -1;
	struct sigaction sa, old_int, old_term;
	bool sig_on = false;
	des_item *items = NULL;
	size_t n_items = 0;
	uint8_t *done = calloc((size_t)(sp.n_chunks / 8 + 1), 1);
	fac *f = fac_new(c, w, &sp);
	x.f = f;
	const fac_layout *L = f ? fac_get_layout(f) : NULL;
	for (int m = 0; m < sp.n_modes && L; m++)
		x.front[m] = pareto_new(L->n_obj);
	if (!done || !f || !x.front[0] || (sp.n_modes > 1 && !x.front[1])) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (int i = 0; i < L->n_tp; i++)
		add_len(&x, L->tp[i], true, false);
	for (int i = 0; i < c->wl.n_contexts; i++)
		add_len(&x, c->wl.contexts[i], false, true);
	add_len(&x, c->obj.l_short, false, true);
	add_len(&x, c->obj.l_long, false, true);

	/* resume the unfinished run of this config, or start one */
	char objectives[2048];
	objectives_text(f, objectives, sizeof objectives);
	if (store_find_sweep(s, c, o->all_points, sp.n_points, sp.n_chunks, objectives, &x.run_id)) {
		fail_store(&x);
		goto out;
	}
	if (x.run_id) {
		reload_arg ra = {&x, 0};
		int64_t npt, nfe;
		if (store_each_chunk(s, x.run_id, mark_done, done) ||
		    store_chunk_totals(s, x.run_id, &r->chunks_before, &npt, &nfe) ||
		    store_each_pareto(s, x.run_id, reload, &ra)) {
			fail_store(&x);
			goto out;
		}
		if (ra.bad) {
			snprintf(err, errlen, "%s: run %lld holds %d front points this model finds infeasible; "
				 "refusing to resume it",
				 store_errmsg(s), (long long)x.run_id, ra.bad);
			goto out;
		}
		/* what reloading evicted (nothing, for a consistent run) goes at the next checkpoint */
		x.points_done = npt;
		r->resumed = true;
		if (store_begin(s) || store_set_status(s, x.run_id, "running") || store_commit(s)) {
			fail_store(&x);
			store_rollback(s);
			goto out;
		}
	} else if (new_run(&x, objectives)) {
		goto out;
	}
	r->run_id = x.run_id;

	/* evaluate the chunks left, merging as they come */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND; /* a second signal ends the process; the database stays consistent */
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sig_on = true;

	shared sh = {.sp = &sp, .f = f, .n_obj = L->n_obj, .done = done, .max_queued = 4 * o->threads};
	atomic_init(&sh.next, 0);
	pthread_mutex_init(&sh.mu, NULL);
	pthread_cond_init(&sh.not_empty, NULL);
	pthread_cond_init(&sh.not_full, NULL);
	pthread_t *tid = calloc((size_t)o->threads, sizeof *tid);
	int started = 0;
	for (int i = 0; tid && i < o->threads; i++) {
		pthread_mutex_lock(&sh.mu);
		sh.running++;
		pthread_mutex_unlock(&sh.mu);
		if (pthread_create(&tid[i], NULL, worker, &sh)) {
			pthread_mutex_lock(&sh.mu);
			sh.running--;
			pthread_mutex_unlock(&sh.mu);
			break;
		}
		started++;
	}
	bool failed = started == 0;
	if (failed)
		snprintf(err, errlen, "cannot start worker threads: %s", strerror(errno));
	double t0 = now_s(), last_commit = t0;
	int64_t done0 = x.points_done;
	while (!failed) {
		pthread_mutex_lock(&sh.mu);
		while (!sh.head && sh.running > 0) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&sh.not_empty, &sh.mu, &ts);
			if (o->progress) {
				pthread_mutex_unlock(&sh.mu);
				progress("points", x.points_done, sp.n_points, t0, done0, false);
				pthread_mutex_lock(&sh.mu);
			}
		}
		result *list = sh.head;
		sh.head = sh.tail = NULL;
		sh.queued = 0;
		bool finished = sh.running == 0;
		pthread_cond_broadcast(&sh.not_full);
		pthread_mutex_unlock(&sh.mu);
		while (list && !failed) {
			result *nx = list->next;
			if (merge(&x, list))
				failed = true;
			result_free(list);
			list = nx;
			/* with every point stored, a chunk's rows make one transaction */
			if (!failed && o->all_points && checkpoint(&x))
				failed = true;
		}
		while (list) {
			result *nx = list->next;
			result_free(list);
			list = nx;
		}
		if (!failed && (finished || now_s() - last_commit >= CHECKPOINT_S)) {
			if (checkpoint(&x))
				failed = true;
			last_commit = now_s();
		}
		if (o->progress)
			progress("points", x.points_done, sp.n_points, t0, done0, false);
		if (finished)
			break;
	}
	/* stop and join the workers */
	pthread_mutex_lock(&sh.mu);
	sh.abort = true;
	pthread_cond_broadcast(&sh.not_full);
	pthread_mutex_unlock(&sh.mu);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	while (sh.head) {
		result *nx = sh.head->next;
		result_free(sh.head);
		sh.head = nx;
	}
	if (!failed && sh.oom) {
		snprintf(err, errlen, "out of memory in a worker thread");
		failed = true;
	}
	free(tid);
	pthread_mutex_destroy(&sh.mu);
	pthread_cond_destroy(&sh.not_empty);
	pthread_cond_destroy(&sh.not_full);
	if (o->progress && x.points_done > done0)
		progress("points", x.points_done, sp.n_points, t0, done0, true);
	if (failed)
		goto out;

	int64_t nck, npt, nfe;
	if (store_chunk_totals(s, x.run_id, &nck, &npt, &nfe)) {
		fail_store(&x);
		goto out;
	}
	r->n_points = npt;
	r->n_feasible = nfe;
	int dr = 1;
	if (nck == sp.n_chunks) {
		dr = des_phase(&x, &items, &n_items);
		if (dr < 0)
			goto out;
	}
	if (dr == 1) {
		/* interrupted: everything finished is committed */
		if (store_begin(s) || store_set_status(s, x.run_id, "interrupted") || store_commit(s)) {
			fail_store(&x);
			store_rollback(s);
			goto out;
		}
		if (nck < sp.n_chunks)
			snprintf(err, errlen, "interrupted by signal %d after %lld of %lld chunks", (int)stop_signal,
				 (long long)nck, (long long)sp.n_chunks);
		else
			snprintf(err, errlen, "interrupted by signal %d while the DES re-checked the fronts",
				 (int)stop_signal);
		rc = 1;
		goto out;
	}
	if (finish(&x, r, items, n_items))
		goto out;
	rc = 0;
out:
	if (sig_on) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	if (items)
		free(items[0].v);
	free(items);
	r->wall_s = now_s() - t_start;
	for (int m = 0; m < 2; m++)
		pareto_free(x.front[m]);
	free(x.stored.slot);
	free(x.pend);
	fac_free(f);
	free(done);
	close(lock);
	return rc;
}

int sweep_best_design(const cfg_t *c, const char *db_path, design_t *d, int64_t *run_id, int64_t *point_id,
		      char *err, size_t errlen)
{
	store *s;
	if (store_open(&s, db_path, err, errlen))
		return -1;
	int rc = store_latest_chosen(s, c, run_id, point_id);
	if (rc == 1) {
		wl_t w;
		wl_init(&w, &c->model);
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		sweep_opts o = {.threads = n > 0 && n < 64 ? (int)n : 2, .all_points = false, .progress = false};
		sweep_result r;
		int sr = sweep_run(c, &w, s, &o, &r, err, errlen);
		if (sr) {
			store_close(s);
			return -1;
		}
		if (r.chosen < 0) {
			snprintf(err, errlen, "%s: the sweep found no feasible design", c->path);
			store_close(s);
			return -1;
		}
		*run_id = r.run_id;
		*point_id = r.chosen;
		rc = 0;
	}
	if (rc == 0)
		rc = store_get_design(s, c, *run_id, *point_id, d);
	if (rc) {
		if (rc == 1)
			snprintf(err, errlen, "%s: the chosen point of run %lld is missing", db_path, (long long)*run_id);
		else
			snprintf(err, errlen, "%s", store_errmsg(s));
		store_close(s);
		return -1;
	}
	store_close(s);
	return 0;
}
