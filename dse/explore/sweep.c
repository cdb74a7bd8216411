/*
 * sweep.c - threads, merging, checkpoints, resumption and the final
 * choice of the design-space exploration (sweep.h).
 *
 * Threads: workers pull groups of chunk ids from one atomic counter, skip
 * the chunks a resumed run had finished (and another shard's), and hand
 * each group's own front to the main thread through a bounded queue (a
 * slow database holds the workers back instead of filling memory).  A
 * work source (sweep_source: other MPI ranks, or shard databases) runs on
 * a thread of its own, takes from the same counter and hands over through
 * the same queue, so the main thread cannot tell its results from a
 * worker's.  Only the main thread touches SQLite and the fronts.  The DES
 * re-check of the fronts is recheck.h's.
 *
 * What is stored is recomputed from the design with perf_* (the
 * reference model), so the stored figures are the model's own; the
 * factorised evaluator gives the same numbers (tests/check_sweep.c).
 */
#include "explore/sweep.h"

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

#include "explore/factor.h"
#include "explore/follow.h"
#include "explore/group.h"
#include "explore/pareto.h"
#include "explore/pool.h"
#include "explore/progress.h"
#include "explore/sessions.h"
#include "explore/recheck.h"
#include "explore/space.h"
#include "models/common.h"
#include "models/perf.h"
#include "models/rms.h"
#include "store/lockinfo.h"
#include "store/measured.h"
#include "store/rdb.h"

#define CHECKPOINT_S 0.1 /* seconds between commits (at most) */

/*
 * Signals.  The first SIGINT/SIGTERM sets stop_signal, which the workers
 * and the main loop poll, and says so on stderr.  A second one writes
 * second_msg (made before the handlers are installed; write() is
 * async-signal-safe) and re-raises itself with the default action, which
 * ends every thread at once; the parent sees the process killed by that
 * signal, as a shell expects.
 */
static volatile sig_atomic_t stop_signal;
static atomic_int n_signals;
static char second_msg[1600];
static size_t second_len;
static const char first_msg[] = "pdswap-dse: stopping: saving the work in progress (a second signal stops at once)\n";

static void on_signal(int sig)
{
	ssize_t w;
	if (atomic_fetch_add(&n_signals, 1) == 0) {
		stop_signal = sig;
		w = write(STDERR_FILENO, first_msg, sizeof first_msg - 1);
		(void)w;
		return;
	}
	w = write(STDERR_FILENO, second_msg, second_len);
	(void)w;
	struct sigaction dfl;
	dfl.sa_handler = SIG_DFL;
	dfl.sa_flags = 0;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	raise(sig); /* delivered when the handler returns */
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
 * SQLite's own POSIX locks; a separate file keeps them apart.)  Waits up
 * to timeout_s for another sweep to end, then names it.  Returns the
 * descriptor, or -1 with err set.
 */
static int lock_db(const char *db, double timeout_s, char *err, size_t errlen)
{
	char path[1100];
	snprintf(path, sizeof path, "%s.lock", db);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open the sweep lock: %s", path, strerror(errno));
		return -1;
	}
	double t0 = common_now_s();
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		int e = errno;
		if (e == EINTR)
			continue;
		if (e != EWOULDBLOCK) {
			close(fd);
			snprintf(err, errlen, "%s: cannot take the sweep lock: %s", path, strerror(e));
			return -1;
		}
		double left = timeout_s - (common_now_s() - t0);
		if (left <= 0)
			break;
		double nap = left < 0.05 ? left : 0.05;
		struct timespec ts = {0, (long)(nap * 1e9)};
		nanosleep(&ts, NULL);
	}
	char who[160];
	lockinfo_holder(path, LOCKINFO_FLOCK, 0, 0, who, sizeof who);
	close(fd);
	snprintf(err, errlen,
		 "%s: another pdswap-dse is sweeping into this database (%s holds %s) and still was after %g s; "
		 "wait for it to end, or wait longer with --lock-timeout SECONDS",
		 db, *who ? who : "another process", path, timeout_s);
	return -1;
}

/* ------------------------------------------------------- shared state */

/* What the workers, a source (sweep_source) and the main thread share. */
struct sweep_feed {
	const cfg_t *c;
	const sweep_opts *o;
	const space_t *sp;
	const factor *f;
	const uint8_t *skip;     /* chunks not to evaluate: finished, or another shard's */
	int64_t group;           /* consecutive chunks a worker takes at once */
	atomic_llong next;       /* next chunk id to take */
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	group_result *head, *tail;
	int queued, max_queued;
	int running;             /* workers (and the source) still going */
	atomic_bool abort;       /* the main thread gave up */
	bool oom;                /* a worker ran out of memory */
	const sweep_source *src;
	bool src_failed;
	char src_err[1024];
};

static bool bit(const uint8_t *b, int64_t i)
{
	return b[i >> 3] & (1u << (i & 7));
}

const cfg_t *sweep_feed_cfg(const sweep_feed *f)
{
	return f->c;
}

const space_t *sweep_feed_space(const sweep_feed *f)
{
	return f->sp;
}

const factor *sweep_feed_factor(const sweep_feed *f)
{
	return f->f;
}

int sweep_feed_threads(const sweep_feed *f, bool *given)
{
	*given = f->o->threads_given;
	return f->o->threads;
}

bool sweep_feed_skip(const sweep_feed *f, int64_t chunk)
{
	return bit(f->skip, chunk);
}

bool sweep_feed_stopping(const sweep_feed *f)
{
	return stop_signal || atomic_load(&f->abort);
}

size_t sweep_feed_take(sweep_feed *f, int64_t *chunk, size_t max)
{
	while (max > 0 && !sweep_feed_stopping(f)) {
		int64_t g0 = atomic_fetch_add(&f->next, (long long)max);
		if (g0 >= f->sp->n_chunks)
			return 0;
		int64_t g1 = g0 + (int64_t)max < f->sp->n_chunks ? g0 + (int64_t)max : f->sp->n_chunks;
		size_t n = 0;
		for (int64_t k = g0; k < g1; k++)
			if (!bit(f->skip, k))
				chunk[n++] = k;
		if (n)
			return n;
	}
	return 0;
}

int sweep_feed_give(sweep_feed *f, group_result *r)
{
	pthread_mutex_lock(&f->mu);
	while (f->queued >= f->max_queued && !atomic_load(&f->abort))
		pthread_cond_wait(&f->not_full, &f->mu);
	if (atomic_load(&f->abort)) {
		pthread_mutex_unlock(&f->mu);
		group_result_free(r);
		return -1;
	}
	r->next = NULL;
	if (f->tail)
		f->tail->next = r;
	else
		f->head = r;
	f->tail = r;
	f->queued++;
	pthread_cond_signal(&f->not_empty);
	pthread_mutex_unlock(&f->mu);
	return 0;
}

void sweep_stop(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
}

/*
 * Evaluate groups of chunks (group.h) and hand each group's front to the
 * main thread in one hand-over (one lock and wake-up per group, not per
 * chunk).
 */
static void *worker(void *arg)
{
	sweep_feed *sh = arg;
	group_eval *e = group_eval_new(sh->f, sh->sp);
	int64_t *ch = malloc((size_t)sh->group * sizeof *ch);
	bool oom = !e || !ch;
	while (!oom && !stop_signal) {
		size_t n = sweep_feed_take(sh, ch, (size_t)sh->group);
		if (!n)
			break;
		group_result *r;
		if (group_eval_run(e, ch, n, &stop_signal, &r)) {
			oom = true;
			break;
		}
		if (r->n_chunks == 0) {
			group_result_free(r);
			continue;
		}
		if (sweep_feed_give(sh, r))
			break;
	}
	pthread_mutex_lock(&sh->mu);
	sh->running--;
	sh->oom |= oom;
	pthread_cond_signal(&sh->not_empty);
	pthread_mutex_unlock(&sh->mu);
	free(ch);
	group_eval_free(e);
	return NULL;
}

/* The source's thread: its chunks hook, then it counts as a finished worker. */
static void *source_main(void *arg)
{
	sweep_feed *sh = arg;
	int rc = sh->src->chunks(sh->src->arg, sh, sh->src_err, sizeof sh->src_err);
	pthread_mutex_lock(&sh->mu);
	sh->running--;
	sh->src_failed |= rc != 0;
	pthread_cond_signal(&sh->not_empty);
	pthread_mutex_unlock(&sh->mu);
	return NULL;
}

/* ------------------------------------------------------ storing points */

typedef struct {
	const cfg_t *c;
	const workload_t *w;
	store *s;
	const space_t *sp;
	const factor *f;
	const sweep_opts *o;
	int64_t run_id;
	recheck_lengths L;       /* metric lengths */
	pareto *front[2];   /* by space mode index */
	idset stored;       /* front members in the database */
	/* chunks finished since the last checkpoint, and what their knobs did */
	group_chunk *pend;
	size_t n_pend, cap_pend;
	factor_knobs knobs[2];
	int64_t points_done;
	uint8_t *done;      /* chunks not to evaluate: finished (by a resumed run), or another shard's */
	int shard, n_shards;   /* the chunks k with k mod n_shards = shard - 1 (1/1: all) */
	int64_t shard_chunks;  /* chunks of the shard */
	int64_t shard_points;  /* points of the shard */
	char *err;
	size_t errlen;
} run_ctx;

/*
 * One design point and its analytic metrics, from the reference model:
 * TTFT and prefill at each target prompt (with the exposed swap for
 * dpr), decode step, tok/s and energy per token at each decode context.
 * A point rejected on resources gets no metrics.
 */
static int put_point(run_ctx *x, int64_t id, const char *name, const design_t *d)
{
	rms_ctx p;
	perf_res res;
	figures r;
	char why[256];
	rms_prepare(&p, x->c, x->w, d);
	rms_resources(&p, &res);
	bool feas = rms_feasible(&p, why, sizeof why);
	/* the swap of the partition (a set's modules are bitstreams of one pblock) */
	perf_run_eval(&p.base, x->c->obj.prompt, 0, &r);
	store_point sp = {x->run_id, id, name, d, &res, feas, why, rms_objective(&p), r.swap_s,
			  r.bitstream_bytes};
	if (store_put_point(x->s, x->c, &sp))
		return -1;
	if (!res.feasible)
		return 0;
	for (int i = 0; i < x->L.n; i++) {
		int L = x->L.len[i];
		store_metric m = {x->run_id, id, "analytic", L, figures_len_none()};
		unsigned have = 0;
		if (x->L.prompt[i]) {
			m.f.ttft_s = rms_ttft_s(&p, L);
			m.f.prefill_s = rms_prefill_s(&p, L);
			have |= STORE_HAVE_PROMPT;
			if (d->mode == MODE_DPR) {
				/* the paper's flow: the swap unless one module serves both phases */
				rms_plan pl;
				rms_plan_always(&p, L, 0, &pl);
				rms_run_eval(&p, &pl, L, 0, &r);
				m.f.swap_exposed_s = r.swap_exposed_s;
				have |= STORE_HAVE_SWAP;
			}
		}
		if (x->L.ctx[i]) {
			m.f.decode_step_s = rms_decode_step_s(&p, L);
			m.f.decode_tok_s = 1 / m.f.decode_step_s;
			m.f.energy_j_per_token = rms_decode_energy_j(&p, L);
			have |= STORE_HAVE_DECODE;
		}
		if (store_put_metric(x->s, &m, have))
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

/* A group's front into the fronts of their modes; its chunks' counters into the pending list. */
static int merge(run_ctx *x, const group_result *r)
{
	const int n_obj = factor_get_layout(x->f)->n_obj;
	if (x->n_pend + r->n_chunks > x->cap_pend) {
		size_t cap = x->cap_pend ? x->cap_pend : 256;
		while (cap < x->n_pend + r->n_chunks)
			cap *= 2;
		group_chunk *pd = realloc(x->pend, cap * sizeof *pd);
		if (!pd)
			goto oom;
		x->pend = pd;
		x->cap_pend = cap;
	}
	for (size_t i = 0; i < r->n; i++) {
		int m = space_mode_of(x->sp, r->id[i]) == &x->sp->m[0] ? 0 : 1;
		if (pareto_insert(x->front[m], r->id[i], r->v + i * (size_t)n_obj) < 0)
			goto oom;
	}
	memcpy(x->pend + x->n_pend, r->chunk, r->n_chunks * sizeof *r->chunk);
	x->n_pend += r->n_chunks;
	for (size_t i = 0; i < r->n_chunks; i++)
		x->points_done += r->chunk[i].cnt.points;
	factor_knobs_merge(&x->knobs[0], &r->knobs[0]);
	factor_knobs_merge(&x->knobs[1], &r->knobs[1]);
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

/* A knob's value as the user wrote it (a port map or pblock by name, a K/V word). */
static void knob_value(const run_ctx *x, const space_mode *m, int k, int digit, char *buf, size_t len)
{
	const cfg_t *c = x->c;
	int v = space_mode_value(x->sp, m, k, digit);
	if (k == SK_PM_PRE || k == SK_PM_DEC)
		snprintf(buf, len, "%s", c->arch.port_maps[v].name);
	else if (k == SK_RP)
		snprintf(buf, len, "%s", v >= 0 ? c->arch.pblocks[v].name : "none");
	else if (k == SK_KV_PREC)
		snprintf(buf, len, "%s", kv_prec_names[v]);
	else if (k == SK_KV_TIER)
		snprintf(buf, len, "%s", kv_tier_names[v]);
	else if (k == SK_RMSET)
		snprintf(buf, len, "%s", v >= 0 ? c->space.rm_shapes[v].label : "prefill+decode");
	else
		snprintf(buf, len, "%d", v);
}

/* What the knobs did in the chunks since the last checkpoint, added to the
 * run's (inside the checkpoint's transaction); then cleared. */
static int put_knobs(run_ctx *x)
{
	for (int mi = 0; mi < x->sp->n_modes; mi++) {
		const space_mode *m = &x->sp->m[mi];
		factor_knobs *kn = &x->knobs[mi];
		for (int k = 0; k < SK_N; k++)
			for (int i = 0; i < m->radix[k]; i++) {
				if (kn->n[k][i] == 0 || (k == SK_RMSET && !(m->mode == MODE_DPR && x->c->space.n_rm_shapes)))
					continue;
				char val[256];
				knob_value(x, m, k, i, val, sizeof val);
				if (store_add_knob(x->s, x->run_id, m->mode, space_knob_names[k], i, val, kn->n[k][i],
						   kn->best[k][i]))
					return -1;
			}
		factor_knobs_init(kn);
	}
	return 0;
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
		space_chunk_range(x->sp, x->pend[i].chunk, &first, &end);
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
	for (size_t i = 0; i < x->n_pend; i++) {
		const factor_counts *n = &x->pend[i].cnt;
		store_counts sc = {n->points, n->feasible, n->over_cap, n->too_slow, n->no_fit};
		if (store_put_chunk(x->s, x->run_id, x->pend[i].chunk, &sc))
			goto bad;
	}
	if (put_knobs(x))
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

/* ------------------------------------------------------- DES re-check */

static int cmp_item(const void *a, const void *b)
{
	int64_t x = ((const recheck_item *)a)->id, y = ((const recheck_item *)b)->id;
	return (x > y) - (x < y);
}

/*
 * Re-check the fronts and the named designs with the DES (recheck.h).
 * Returns what recheck_run() returns, with *items (sorted by id; free
 * items[0].v, then items) set whenever it was allocated.
 */
static int des_phase(run_ctx *x, recheck_item **items, size_t *n_items)
{
	size_t n = (size_t)x->c->n_designs;
	for (int m = 0; m < x->sp->n_modes; m++)
		n += pareto_size(x->front[m]);
	recheck_item *it = calloc(n ? n : 1, sizeof *it);
	figures_len *vals = calloc(n * (size_t)x->L.n + 1, sizeof *vals);
	if (!it || !vals) {
		free(it);
		free(vals);
		snprintf(x->err, x->errlen, "out of memory");
		return -1;
	}
	*items = it;
	*n_items = n;
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
	for (size_t i = 0; i < n; i++)
		it[i].v = vals + i * (size_t)x->L.n;
	const sweep_source *src = x->o->src;
	recheck_ctx rx = {.c = x->c, .w = x->w, .s = x->s, .run_id = x->run_id, .L = &x->L,
		     .threads = x->o->threads, .progress = x->o->progress, .stop = &stop_signal,
		     .source = src ? src->des : NULL, .source_arg = src ? src->arg : NULL,
		     .source_only = src && src->des && src->exclusive};
	return recheck_run(&rx, it, n, x->err, x->errlen);
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
	if (!m || factor_point(x->f, id, v, NULL) != FACTOR_FEASIBLE) {
		a->bad++;
		return 0;
	}
	int mi = m == &x->sp->m[0] ? 0 : 1;
	if (pareto_insert(x->front[mi], id, v) < 0 || idset_add(&x->stored, id))
		return -1;
	return 0;
}

static void objectives_text(const factor *f, char *buf, size_t len)
{
	const factor_layout *L = factor_get_layout(f);
	size_t n = 0;
	for (int i = 0; i < L->n_tp && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "ttft_s@%d,", L->tp[i]);
	if (n < len)
		snprintf(buf + n, len - n, "decode_step_s@short,decode_step_s@long,energy_j_per_token,lut");
}

/* Create the run, its sweeps row and the reference designs, in one transaction. */
static int new_run(run_ctx *x, const store_sweep *w)
{
	int ranks = x->o->src && x->o->src->ranks > 1 ? x->o->src->ranks : 1;
	if (store_begin(x->s))
		return fail_store(x);
	if (store_new_run(x->s, x->c, store_sweep_kind(w), x->o->threads, &x->run_id) ||
	    store_set_ranks(x->s, x->run_id, ranks) || store_new_sweep(x->s, x->run_id, w))
		goto bad;
	for (int i = 0; i < x->o->n_measured; i++)
		if (measured_put_use(x->s, x->run_id, x->o->measured_ids[i], x->o->measured_uses[i]))
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
	x->run_id = 0; /* rolled back with the rest */
	return -1;
}

/* Candidates of one mode, by (figure, id). */
typedef struct {
	double fig;
	size_t item;
	int64_t id;
} wl_cand;

static int cmp_cand(const void *a, const void *b)
{
	const wl_cand *x = a, *y = b;
	if (x->fig != y->fig)
		return x->fig < y->fig ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * objective.workload: per architecture, among the front points whose DES
 * TTFT at objective.prompt meets t_pre_max, the SWEEP_WL_DES points of
 * least analytic session figure are run again with the op-level DES; the
 * least DES figure wins (ties: smallest id) and is the stored objective.
 */
static int choose_by_workload(run_ctx *x, sweep_result *r, const recheck_item *it, size_t n)
{
	wl_cand *cand = malloc((n ? n : 1) * sizeof *cand);
	design_t *ds = malloc((n ? n : 1) * sizeof *ds);
	double *fig = malloc((n ? n : 1) * sizeof *fig);
	int rc = -1;
	if (!cand || !ds || !fig) {
		snprintf(x->err, x->errlen, "out of memory");
		goto out;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		double ttft;
		recheck_objective(x->c, &x->L, &it[i], &ttft);
		if (!it[i].on_front || !(ttft <= x->c->cons.t_pre_max_s))
			continue;
		cand[m] = (wl_cand){0, i, it[i].id};
		ds[m++] = it[i].d;
	}
	if (sessions_figures(x->c, x->w, ds, m, PHASES_ANALYTIC, x->o->threads, fig, x->err, x->errlen))
		goto out;
	for (size_t k = 0; k < m; k++)
		cand[k].fig = fig[k];
	qsort(cand, m, sizeof *cand, cmp_cand);
	/* the DES on the leaders of each mode (in the order of their analytic figure) */
	for (int mode = 0; mode < 2; mode++) {
		size_t k = 0, pick[SWEEP_WL_DES];
		for (size_t j = 0; j < m && k < SWEEP_WL_DES; j++)
			if (it[cand[j].item].d.mode == (arch_mode)mode && isfinite(cand[j].fig))
				pick[k++] = j;
		for (size_t j = 0; j < k; j++)
			ds[j] = it[cand[pick[j]].item].d;
		if (k && sessions_figures(x->c, x->w, ds, k, PHASES_DES, x->o->threads, fig, x->err, x->errlen))
			goto out;
		for (size_t j = 0; j < k; j++) {
			int64_t id = cand[pick[j]].id;
			if (!isfinite(fig[j]))
				continue;
			if (r->best[mode] < 0 || fig[j] < r->best_objective[mode] ||
			    (fig[j] == r->best_objective[mode] && id < r->best[mode])) {
				r->best[mode] = id;
				r->best_objective[mode] = fig[j];
			}
			if (mode == MODE_DPR && rms_is_pair(&it[cand[pick[j]].item].d) &&
			    (r->best_pair < 0 || fig[j] < r->best_pair_objective ||
			     (fig[j] == r->best_pair_objective && id < r->best_pair))) {
				r->best_pair = id;
				r->best_pair_objective = fig[j];
			}
		}
	}
	rc = 0;
out:
	free(cand);
	free(ds);
	free(fig);
	return rc;
}

/* A front member with what makes it equal to another: its objective
 * vector and its resources. */
typedef struct {
	int64_t id;
	const double *v;
	int n_obj;
	res_t r;
} member;

static int cmp_member(const void *a, const void *b)
{
	const member *x = a, *y = b;
	for (int i = 0; i < x->n_obj; i++)
		if (x->v[i] != y->v[i])
			return x->v[i] < y->v[i] ? -1 : 1;
	for (int t = 0; t < RES_N; t++)
		if (x->r.v[t] != y->r.v[t])
			return x->r.v[t] < y->r.v[t] ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static bool same_member(const member *x, const member *y)
{
	for (int i = 0; i < x->n_obj; i++)
		if (x->v[i] != y->v[i])
			return false;
	for (int t = 0; t < RES_N; t++)
		if (x->r.v[t] != y->r.v[t])
			return false;
	return true;
}

/*
 * The front's points that are equal in every objective and resource (they
 * differ only in knobs that change nothing the model sees): each is stored
 * with its group's representative, the smallest id of the group.
 */
static int put_groups(run_ctx *x, sweep_result *r)
{
	const int n_obj = factor_get_layout(x->f)->n_obj;
	for (int mi = 0; mi < x->sp->n_modes; mi++) {
		size_t n = pareto_size(x->front[mi]);
		member *m = calloc(n ? n : 1, sizeof *m);
		if (!m) {
			snprintf(x->err, x->errlen, "out of memory");
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			design_t d;
			rms_ctx p;
			perf_res res;
			m[i].id = pareto_id(x->front[mi], i);
			m[i].v = pareto_vec(x->front[mi], i);
			m[i].n_obj = n_obj;
			space_design(x->sp, m[i].id, &d);
			rms_prepare(&p, x->c, x->w, &d);
			rms_resources(&p, &res);
			m[i].r = res.r_total;
		}
		qsort(m, n, sizeof *m, cmp_member);
		int rc = 0;
		for (size_t i = 0, rep = 0; i < n && rc == 0; i++) {
			if (i > 0 && !same_member(&m[i], &m[rep]))
				rep = i;
			r->n_distinct[x->sp->m[mi].mode] += rep == i;
			rc = store_put_group(x->s, x->run_id, m[i].id, m[rep].id);
		}
		free(m);
		if (rc)
			return -1;
	}
	return 0;
}

/*
 * Choose: per architecture, the front point of least DES objective whose
 * DES TTFT at objective.prompt meets t_pre_max (ties: smallest id); store
 * it in `best`, the DPR one (static when there is no dpr mode) in
 * `chosen`, and close the run.
 */
static int finish(run_ctx *x, sweep_result *r, const recheck_item *it, size_t n)
{
	int64_t nck;
	store_counts tot;
	if (store_chunk_totals(x->s, x->run_id, &nck, &tot))
		return fail_store(x);
	r->n_points = tot.points;
	r->n_feasible = tot.feasible;
	r->counts = tot;
	r->chosen = -1;
	r->best_pair = -1;
	for (int m = 0; m < 2; m++) {
		r->best[m] = -1;
		r->n_front[m] = 0;
	}
	for (int mi = 0; mi < x->sp->n_modes; mi++)
		r->n_front[x->sp->m[mi].mode] = (int64_t)pareto_size(x->front[mi]);
	if (x->n_shards > 1) {
		/* one shard's front is not the space's: the merge of the shards chooses */
		if (store_begin(x->s) || store_finish_run(x->s, x->run_id, "complete", tot.points, tot.feasible) ||
		    store_commit(x->s))
			goto bad;
		return 0;
	}
	if (x->c->obj.workload[0]) {
		if (choose_by_workload(x, r, it, n))
			return -1;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (!it[i].on_front)
				continue;
			double ttft, obj = recheck_objective(x->c, &x->L, &it[i], &ttft);
			arch_mode mode = it[i].d.mode;
			if (!(ttft <= x->c->cons.t_pre_max_s))
				continue;
			/* items are in id order: the first of equal objectives wins */
			if (r->best[mode] < 0 || obj < r->best_objective[mode]) {
				r->best[mode] = it[i].id;
				r->best_objective[mode] = obj;
			}
			if (mode == MODE_DPR && rms_is_pair(&it[i].d) && (r->best_pair < 0 || obj < r->best_pair_objective)) {
				r->best_pair = it[i].id;
				r->best_pair_objective = obj;
			}
		}
	}
	int cm = r->best[MODE_DPR] >= 0 ? MODE_DPR : MODE_STATIC;
	r->chosen = r->best[cm];
	/* what the report draws: the chosen and best points and the named designs */
	int64_t ids[3 + CFG_MAX_DESIGNS];
	size_t n_ids = 0;
	for (int m = 0; m < 2; m++)
		if (r->best[m] >= 0)
			ids[n_ids++] = r->best[m];
	/* with sets of modules, the best of the paper's pair beside them */
	bool sets = x->c->space.mode_dpr && x->c->space.n_rm_shapes > 0;
	if (!sets)
		r->best_pair = -1;
	if (r->best_pair >= 0 && r->best_pair != r->best[MODE_DPR])
		ids[n_ids++] = r->best_pair;
	for (int i = 0; i < x->c->n_designs; i++)
		ids[n_ids++] = x->sp->n_points + i;
	if (store_begin(x->s))
		return fail_store(x);
	if (follow_store(x->s, x->c, x->w, x->run_id, ids, n_ids, r->best[MODE_DPR], x->err, x->errlen) ||
	    follow_sessions(x->s, x->c, x->w, x->run_id, r->best[MODE_DPR], r->best[MODE_STATIC], x->o->threads, x->err,
			    x->errlen)) {
		store_rollback(x->s);
		return -1;
	}
	for (int m = 0; m < 2; m++)
		if (r->best[m] >= 0 &&
		    store_put_best(x->s, x->run_id, (arch_mode)m, r->best[m], "des", r->best_objective[m]))
			goto bad;
	if (r->best_pair >= 0 && store_put_best_pair(x->s, x->run_id, r->best_pair, "des", r->best_pair_objective))
		goto bad;
	if (r->chosen >= 0 && store_put_chosen(x->s, x->run_id, r->chosen, r->best_objective[cm]))
		goto bad;
	if (put_groups(x, r) || store_finish_run(x->s, x->run_id, "complete", tot.points, tot.feasible) ||
	    store_commit(x->s))
		goto bad;
	return 0;
bad:
	fail_store(x);
	store_rollback(x->s);
	return -1;
}

/* The space a sweep takes: 0, or -1 with err set. */
int sweep_check_space(const cfg_t *c, char *err, size_t errlen)
{
	space_t sp;
	space_init(&sp, c);
	if (sp.n_points > 0 && sp.n_points <= SWEEP_MAX_POINTS && sp.n_chunks <= SWEEP_MAX_CHUNKS)
		return 0;
	snprintf(err, errlen,
		 "%s:%d:%d: 'design_space' has %lld points in %lld chunks; a sweep takes 1 to %lld points in at most %lld"
		 " chunks: take fewer values of its knobs",
		 c->path, c->space_line ? c->space_line : 1, c->space_col ? c->space_col : 1, (long long)sp.n_points,
		 (long long)sp.n_chunks, (long long)SWEEP_MAX_POINTS, (long long)SWEEP_MAX_CHUNKS);
	return PDS_FAIL_REQUEST;
}

/* The shard a sweep takes (sweep_opts.shard of n_shards): 0, or -1 with err set. */
static int check_shard(const cfg_t *c, const space_t *sp, const sweep_opts *o, char *err, size_t errlen)
{
	int n = o->n_shards > 0 ? o->n_shards : 1, i = o->n_shards > 0 ? o->shard : 1;
	if (i < 1 || i > n) {
		snprintf(err, errlen, "shard %d/%d: a shard is I/N with 1 <= I <= N", i, n);
		return -1;
	}
	if (n > sp->n_chunks) {
		snprintf(err, errlen, "shard %d/%d: the design space of %s has %lld chunks; it takes at most %lld shards",
			 i, n, c->path, (long long)sp->n_chunks, (long long)sp->n_chunks);
		return -1;
	}
	return 0;
}

/* The shard's chunks (k mod n_shards = shard - 1): the others are marked
 * done, and the shard's chunks and points counted. */
static void shard_layout(run_ctx *x)
{
	x->n_shards = x->o->n_shards > 0 ? x->o->n_shards : 1;
	x->shard = x->o->n_shards > 0 ? x->o->shard : 1;
	x->shard_chunks = 0;
	x->shard_points = 0;
	for (int64_t k = 0; k < x->sp->n_chunks; k++) {
		if (k % x->n_shards != x->shard - 1) {
			mark_done(x->done, k);
			continue;
		}
		int64_t first, end;
		space_chunk_range(x->sp, k, &first, &end);
		x->shard_chunks++;
		x->shard_points += end - first;
	}
}

/* Resume the unfinished run of this config (its finished chunks and its
 * front reloaded), or start one. */
static int open_run(run_ctx *x, sweep_result *r)
{
	store *s = x->s;
	char objectives[2048];
	objectives_text(x->f, objectives, sizeof objectives);
	store_sweep w = {x->o->all_points, x->sp->n_points, x->sp->n_chunks, objectives, x->shard, x->n_shards};
	if (store_find_sweep(s, x->c, &w, &x->run_id, &r->stale_run, r->stale_fingerprint))
		return fail_store(x);
	if (x->run_id) { /* it must have taken the same measurements */
		char key[512];
		const char *want = x->o->measured_key ? x->o->measured_key : "";
		if (measured_run_key(s, x->run_id, key, sizeof key))
			return fail_store(x);
		if (strcmp(key, want) != 0) {
			r->other_measured_run = x->run_id;
			snprintf(r->other_measured_key, sizeof r->other_measured_key, "%s", key);
			x->run_id = 0;
		}
	}
	if (!x->run_id)
		return new_run(x, &w);
	reload_arg ra = {x, 0};
	store_counts tot;
	if (store_each_chunk(s, x->run_id, mark_done, x->done) ||
	    store_chunk_totals(s, x->run_id, &r->chunks_before, &tot) || store_each_pareto(s, x->run_id, reload, &ra))
		return fail_store(x);
	if (ra.bad) {
		snprintf(x->err, x->errlen, "%s: run %lld holds %d front points this model finds infeasible; refusing to resume it",
			 store_errmsg(s), (long long)x->run_id, ra.bad);
		return -1;
	}
	/* what reloading evicted (nothing, for a consistent run) goes at the next checkpoint */
	x->points_done = tot.points;
	r->resumed = true;
	if (store_begin(s) || store_set_status(s, x->run_id, "running") || store_commit(s)) {
		fail_store(x);
		store_rollback(s);
		return -1;
	}
	return 0;
}

/* Catch SIGINT and SIGTERM for the run (see on_signal), the old actions into old[2]. */
static void signals_on(const run_ctx *x, struct sigaction old[2])
{
	int n = snprintf(second_msg, sizeof second_msg,
			 "pdswap-dse: second signal: stopping at once; run %lld in %s keeps what was committed;"
			 " to resume it, run %s%s\n",
			 (long long)x->run_id, store_path(x->s), x->o->resume_cmd ? "" : "the same command again",
			 x->o->resume_cmd ? x->o->resume_cmd : "");
	second_len = n < 0 ? 0 : (size_t)n < sizeof second_msg ? (size_t)n : sizeof second_msg - 1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	atomic_store(&n_signals, 0);
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
}

/* Wait (at most 0.1 s, drawing the progress) for the workers' results;
 * take them all.  *finished: every worker has ended. */
static group_result *take_results(sweep_feed *sh, const run_ctx *x, double t0, int64_t done0, bool *finished)
{
	pthread_mutex_lock(&sh->mu);
	while (!sh->head && sh->running > 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&sh->not_empty, &sh->mu, &ts);
		if (x->o->progress) {
			pthread_mutex_unlock(&sh->mu);
			progress_draw("points", x->points_done, x->shard_points, t0, done0, false);
			pthread_mutex_lock(&sh->mu);
		}
	}
	group_result *list = sh->head;
	sh->head = sh->tail = NULL;
	sh->queued = 0;
	*finished = sh->running == 0;
	pthread_cond_broadcast(&sh->not_full);
	pthread_mutex_unlock(&sh->mu);
	return list;
}

/* Merge a list of results (and with all_points, store each at once); the
 * list is freed.  Returns 0 or -1 (err set). */
static int merge_list(run_ctx *x, group_result *list)
{
	int rc = 0;
	while (list) {
		group_result *nx = list->next;
		if (rc == 0 && merge(x, list))
			rc = -1;
		/* with every point stored, a chunk's rows make one transaction */
		if (rc == 0 && x->o->all_points && checkpoint(x))
			rc = -1;
		group_result_free(list);
		list = nx;
	}
	return rc;
}

/* Stop and join the workers, free what they left. */
static void stop_workers(sweep_feed *sh, pool *workers, pool *source)
{
	pthread_mutex_lock(&sh->mu);
	atomic_store(&sh->abort, true);
	pthread_cond_broadcast(&sh->not_full);
	pthread_mutex_unlock(&sh->mu);
	pool_join(workers); /* nothing to join when none started */
	pool_join(source);
	while (sh->head) {
		group_result *nx = sh->head->next;
		group_result_free(sh->head);
		sh->head = nx;
	}
	pthread_mutex_destroy(&sh->mu);
	pthread_cond_destroy(&sh->not_empty);
	pthread_cond_destroy(&sh->not_full);
}

/* Evaluate the chunks left with the worker threads, merging and
 * checkpointing as results come.  Returns 0 (all done, or a signal
 * stopped the workers) or -1 (err set). */
static int evaluate(run_ctx *x)
{
	const sweep_opts *o = x->o;
	const sweep_source *src = o->src && o->src->chunks ? o->src : NULL;
	int local = src && src->exclusive ? 0 : o->threads;
	sweep_feed sh = {.c = x->c, .o = o, .sp = x->sp, .f = x->f, .skip = x->done, .group = group_chunks(x->sp, o->threads),
			 .max_queued = 4 * (local + (src ? 1 : 0)), .running = local + (src ? 1 : 0), .src = src};
	atomic_init(&sh.next, 0);
	atomic_init(&sh.abort, false);
	pthread_mutex_init(&sh.mu, NULL);
	pthread_cond_init(&sh.not_empty, NULL);
	pthread_cond_init(&sh.not_full, NULL);
	pool workers = {0}, source = {0};
	bool failed = false;
	if (local > 0) {
		int started = pool_start(&workers, local, worker, &sh, x->err, x->errlen);
		failed = started < 0;
		pthread_mutex_lock(&sh.mu);
		sh.running -= local - (started < 0 ? 0 : started);
		pthread_mutex_unlock(&sh.mu);
	}
	if (!failed && src) {
		failed = pool_start(&source, 1, source_main, &sh, x->err, x->errlen) < 0;
		if (failed) {
			pthread_mutex_lock(&sh.mu);
			sh.running--;
			pthread_mutex_unlock(&sh.mu);
		}
	}
	double t0 = common_now_s(), last_commit = t0;
	int64_t done0 = x->points_done;
	for (bool finished = false; !failed && !finished;) {
		group_result *list = take_results(&sh, x, t0, done0, &finished);
		failed = merge_list(x, list) != 0;
		if (!failed && (finished || common_now_s() - last_commit >= CHECKPOINT_S)) {
			failed = checkpoint(x) != 0;
			last_commit = common_now_s();
		}
		if (o->progress)
			progress_draw("points", x->points_done, x->shard_points, t0, done0, false);
	}
	stop_workers(&sh, &workers, &source);
	if (!failed && sh.oom) {
		snprintf(x->err, x->errlen, "out of memory in a worker thread");
		failed = true;
	}
	if (!failed && sh.src_failed) {
		snprintf(x->err, x->errlen, "%s", sh.src_err);
		failed = true;
	}
	if (o->progress && x->points_done > done0)
		progress_draw("points", x->points_done, x->shard_points, t0, done0, true);
	return failed ? -1 : 0;
}

/*
 * After the chunks: with every chunk done, the DES re-check of the fronts
 * (items into *items); then 0 when the run may finish, 1 when a signal
 * stopped it (the run marked 'interrupted', err says where), -1 on an
 * error.
 */
static int after_chunks(run_ctx *x, sweep_result *r, recheck_item **items, size_t *n_items)
{
	store *s = x->s;
	int64_t nck;
	store_counts tot;
	if (store_chunk_totals(s, x->run_id, &nck, &tot))
		return fail_store(x);
	r->n_points = tot.points;
	r->n_feasible = tot.feasible;
	r->counts = tot;
	r->chunks_done = nck;
	int dr = 1;
	if (nck == x->shard_chunks) {
		dr = des_phase(x, items, n_items);
		r->des_total = (int64_t)*n_items;
		for (size_t i = 0; i < *n_items; i++)
			r->des_done += atomic_load(&(*items)[i].state) == 2;
		if (dr <= 0)
			return dr;
	}
	r->signal = (int)stop_signal;
	/* interrupted: everything finished is committed */
	if (store_begin(s) || store_set_status(s, x->run_id, "interrupted") || store_commit(s)) {
		fail_store(x);
		store_rollback(s);
		return -1;
	}
	if (nck < x->shard_chunks)
		snprintf(x->err, x->errlen, "interrupted by signal %d after %lld of %lld chunks", (int)stop_signal,
			 (long long)nck, (long long)x->shard_chunks);
	else
		snprintf(x->err, x->errlen,
			 "interrupted by signal %d while the DES re-checked the fronts (%lld of %lld points stored)",
			 (int)stop_signal, (long long)r->des_done, (long long)r->des_total);
	return 1;
}

/* A failure (disk full, a lock held too long, ...): the run keeps what was
 * committed; say where it stopped and, when the database takes it at once,
 * mark it stopped (it stays resumable either way). */
static void mark_stopped(run_ctx *x, sweep_result *r)
{
	store *s = x->s;
	int64_t ck;
	store_counts tot;
	if (r->chunks_done == 0 && store_chunk_totals(s, x->run_id, &ck, &tot) == 0)
		r->chunks_done = ck;
	double wait = store_lock_timeout(s);
	store_set_lock_timeout(s, 0);
	if (store_begin(s) == 0 && (store_set_status(s, x->run_id, "interrupted") || store_commit(s)))
		store_rollback(s);
	store_set_lock_timeout(s, wait);
}

/* Enumerate, evaluate, re-check and choose, in that order (sweep.h). */
static int run_steps(run_ctx *x, sweep_result *r, recheck_item **items, size_t *n_items)
{
	if (open_run(x, r))
		return -1;
	r->run_id = x->run_id;
	struct sigaction old[2];
	signals_on(x, old);
	int rc = evaluate(x);
	if (rc == 0)
		rc = after_chunks(x, r, items, n_items);
	if (rc == 0)
		rc = finish(x, r, *items, *n_items);
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	return rc;
}

int sweep_run(const cfg_t *c, const workload_t *w, store *s, const sweep_opts *o, sweep_result *r, char *err,
	      size_t errlen)
{
	double t_start = common_now_s();
	memset(r, 0, sizeof *r);
	r->chosen = r->best[0] = r->best[1] = r->best_pair = -1;
	r->ranks = o->src && o->src->ranks > 1 ? o->src->ranks : 1;
	space_t sp;
	space_init(&sp, c);
	if (sweep_check_space(c, err, errlen) || check_shard(c, &sp, o, err, errlen))
		return -1;
	if (sessions_check_traces(c, err, errlen))
		return -1;
	int lock = lock_db(store_path(s), store_lock_timeout(s), err, errlen);
	if (lock < 0)
		return -1;
	run_ctx x = {.c = c, .w = w, .s = s, .sp = &sp, .o = o, .err = err, .errlen = errlen};
	recheck_item *items = NULL;
	size_t n_items = 0;
	x.done = calloc((size_t)(sp.n_chunks / 8 + 1), 1);
	if (x.done)
		shard_layout(&x);
	r->n_chunks = x.shard_chunks;
	x.f = factor_new(c, w, &sp);
	for (int m = 0; m < sp.n_modes && x.f; m++)
		x.front[m] = pareto_new(factor_get_layout(x.f)->n_obj);
	recheck_lengths_init(&x.L, c);
	factor_knobs_init(&x.knobs[0]);
	factor_knobs_init(&x.knobs[1]);
	int rc = -1;
	if (!x.done || !x.f || !x.front[0] || (sp.n_modes > 1 && !x.front[1]))
		snprintf(err, errlen, "out of memory");
	else
		rc = run_steps(&x, r, &items, &n_items);
	r->run_id = x.run_id;
	if (rc < 0 && x.run_id && !store_damaged(s))
		mark_stopped(&x, r);
	if (items)
		free(items[0].v);
	free(items);
	r->wall_s = common_now_s() - t_start;
	for (int m = 0; m < 2; m++)
		pareto_free(x.front[m]);
	free(x.stored.slot);
	free(x.pend);
	factor_free((factor *)x.f);
	free(x.done);
	close(lock);
	return rc;
}

/* The latest complete sweep of c in db_path (one is run when there is
 * none): its run and chosen point, with the store left open in *out. */
static int latest_sweep(const cfg_t *c, const char *db_path, store **out, int64_t *run_id, int64_t *point_id,
			char *err, size_t errlen)
{
	store *s;
	if (store_open(&s, db_path, err, errlen))
		return -1;
	int rc = store_latest_chosen(s, c, run_id, point_id);
	if (rc == 1) {
		workload_t w;
		workload_init(&w, &c->model);
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
	if (rc) {
		snprintf(err, errlen, "%s", store_errmsg(s));
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

int sweep_best_design(const cfg_t *c, const char *db_path, design_t *d, int64_t *run_id, int64_t *point_id,
		      char *err, size_t errlen)
{
	store *s;
	if (latest_sweep(c, db_path, &s, run_id, point_id, err, errlen))
		return -1;
	if (store_get_design(s, c, *run_id, *point_id, d)) {
		snprintf(err, errlen, "%s", store_errmsg(s));
		store_close(s);
		return -1;
	}
	store_close(s);
	return 0;
}

int sweep_best_static_design(const cfg_t *c, const char *db_path, design_t *d, int64_t *run_id, int64_t *point_id,
			     char *err, size_t errlen)
{
	store *s;
	int64_t chosen;
	if (latest_sweep(c, db_path, &s, run_id, &chosen, err, errlen))
		return -1;
	int rc = rdb_best(store_db(s), store_path(s), *run_id, MODE_STATIC, point_id, err, errlen);
	if (rc == 1)
		snprintf(err, errlen, "%s: run %lld found no feasible static design", db_path, (long long)*run_id);
	if (rc == 0 && store_get_design(s, c, *run_id, *point_id, d)) {
		snprintf(err, errlen, "%s", store_errmsg(s));
		rc = -1;
	}
	store_close(s);
	return rc ? -1 : 0;
}
