/*
 * ranks.c - rank 0's dispatcher and the other ranks' service loop
 * (ranks.h).
 *
 * Messages are packed byte buffers (MPI_BYTE): the ranks of one job run
 * the same build (rank 0 checks the model fingerprint), so int64_t and
 * double have one layout.  Tags:
 *   SETUP   0 -> r  int32 threads (0: the rank's own cores), fingerprint[17],
 *                   int64 path length, int64 text length, path, text
 *   HELLO   r -> 0  int32 threads, int32 ok, char why[1024]
 *   CHUNKS  0 -> r  int64 chunk ids, ascending
 *   RESULT  r -> 0  int64 n_chunks, n, n_obj; n_chunks triples; n ids; n * n_obj doubles
 *   DES     0 -> r  int64 item index, point id
 *   DESRES  r -> 0  int64 item index, failed; 6 doubles per length; char why[300]
 *   STOPPED r -> 0  int32 signal
 *   FAIL    r -> 0  char why[1024]
 *   QUIT    0 -> r  (empty)
 *   BYE     r -> 0  (empty)
 * Both sides poll (MPI_Iprobe, then a pause of up to 1 ms that shrinks
 * while messages flow; a rank's threads wake its main thread as soon as
 * they have something to send), so a stop or a signal is seen within a
 * millisecond, no call waits on a rank that is gone, and a waiting rank
 * costs little CPU (MPI's blocking calls would spin).
 */
#include "mpi/ranks.h"

#include <mpi.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "explore/factor.h"
#include "explore/group.h"
#include "explore/pareto.h"
#include "explore/pool.h"
#include "explore/recheck.h"
#include "explore/space.h"
#include "models/common.h"
#include "models/version.h"
#include "models/workload.h"

enum { T_SETUP = 1, T_HELLO, T_CHUNKS, T_RESULT, T_DES, T_DESRES, T_STOPPED, T_FAIL, T_QUIT, T_BYE };

#define WHY_MAX 1024
#define DES_WHY 300
#define N_FIG 6 /* doubles of a figures_len */

/* ------------------------------------------------------------ messages */

/* Grows by doubling; `fail` once an allocation failed. */
typedef struct {
	unsigned char *p;
	size_t n, cap;
	bool fail;
} buf;

static void put(buf *b, const void *src, size_t len)
{
	if (b->fail)
		return;
	if (b->n + len > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + len)
			cap *= 2;
		unsigned char *p = realloc(b->p, cap);
		if (!p) {
			b->fail = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, src, len);
	b->n += len;
}

static void put_i64(buf *b, int64_t v)
{
	put(b, &v, sizeof v);
}

/* A reader over a received message; `bad` once it ran past the end. */
typedef struct {
	const unsigned char *p;
	size_t n, at;
	bool bad;
} rd;

static void get(rd *r, void *dst, size_t len)
{
	if (r->bad || r->at + len > r->n) {
		r->bad = true;
		memset(dst, 0, len);
		return;
	}
	memcpy(dst, r->p + r->at, len);
	r->at += len;
}

static int64_t get_i64(rd *r)
{
	int64_t v;
	get(r, &v, sizeof v);
	return v;
}

/* How long to pause after `idle` polls that found nothing: 20 us, doubling to 1 ms. */
static long nap_us(int *idle)
{
	long us = 20L << (*idle < 6 ? *idle : 6);
	(*idle)++;
	return us > 1000 ? 1000 : us;
}

static void nap(int *idle)
{
	struct timespec ts = {0, nap_us(idle) * 1000};
	nanosleep(&ts, NULL);
}

static void mpi_why(int rc, const char *what, char *err, size_t errlen)
{
	char s[MPI_MAX_ERROR_STRING];
	int len = 0;
	MPI_Error_string(rc, s, &len);
	snprintf(err, errlen, "MPI: %s: %.*s", what, len, s);
}

/* A message of `tag` arrived from `src` with `len` bytes: receive it into
 * *m (malloc'd).  0, or -1 with err set. */
static int recv_msg(int src, int tag, unsigned char **m, int *len, char *err, size_t errlen)
{
	MPI_Status st;
	int n = 0;
	MPI_Probe(src, tag, MPI_COMM_WORLD, &st);
	MPI_Get_count(&st, MPI_BYTE, &n);
	*m = malloc(n > 0 ? (size_t)n : 1);
	if (!*m) {
		snprintf(err, errlen, "out of memory receiving from rank %d", src);
		return -1;
	}
	int rc = MPI_Recv(*m, n, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	if (rc != MPI_SUCCESS) {
		free(*m);
		*m = NULL;
		mpi_why(rc, "cannot receive", err, errlen);
		return -1;
	}
	*len = n;
	return 0;
}

static int send_buf(const buf *b, int dst, int tag, char *err, size_t errlen)
{
	if (b->fail) {
		snprintf(err, errlen, "out of memory packing a message for rank %d", dst);
		return -1;
	}
	int rc = MPI_Send(b->p, (int)b->n, MPI_BYTE, dst, tag, MPI_COMM_WORLD);
	if (rc != MPI_SUCCESS) {
		mpi_why(rc, "cannot send", err, errlen);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ rank 0 */

/* One job per process: rank 0's view of the other ranks. */
static struct {
	int world;
	bool set_up;          /* SETUP sent and every HELLO received */
	int *threads;         /* per rank */
	int *credit;          /* messages it may still be sent */
	int64_t *chunk;       /* scratch for a group */
	bool stop_seen;       /* a rank reported a signal */
} R;

/* Poll for any message: 1 with its source and tag, 0 when none came. */
static int poll_any(int *src, int *tag)
{
	int flag = 0;
	MPI_Status st;
	MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
	if (!flag)
		return 0;
	*src = st.MPI_SOURCE;
	*tag = st.MPI_TAG;
	return 1;
}

/* A message not the phase's own: STOPPED stops the sweep, FAIL fails it,
 * strays (a result that a stop left in flight) are dropped.  0, or -1
 * with err set. */
static int other_msg(int src, int tag, char *err, size_t errlen)
{
	unsigned char *m;
	int len;
	if (recv_msg(src, tag, &m, &len, err, errlen))
		return -1;
	rd r = {m, (size_t)len, 0, false};
	int rc = 0;
	if (tag == T_STOPPED) {
		int32_t sig;
		get(&r, &sig, sizeof sig);
		if (!R.stop_seen) {
			R.stop_seen = true;
			fprintf(stderr, "pdswap-dse: rank %d was interrupted by %s\n", src,
				sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal");
			sweep_stop(sig == SIGINT ? SIGINT : SIGTERM);
		}
	} else if (tag == T_FAIL) {
		char why[WHY_MAX] = "";
		get(&r, why, (size_t)len < sizeof why ? (size_t)len : sizeof why);
		why[sizeof why - 1] = '\0';
		snprintf(err, errlen, "rank %d: %s", src, why);
		rc = -1;
	}
	free(m);
	return rc;
}

static int setup(const sweep_feed *f, char *err, size_t errlen)
{
	if (R.set_up || R.world < 2)
		return 0;
	const cfg_t *c = sweep_feed_cfg(f);
	bool given;
	int t0 = sweep_feed_threads(f, &given);
	R.threads = calloc((size_t)R.world, sizeof *R.threads);
	R.credit = calloc((size_t)R.world, sizeof *R.credit);
	if (!R.threads || !R.credit) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	R.threads[0] = t0;
	buf b = {0};
	int32_t threads = given ? t0 : 0;
	char fp[17] = "";
	snprintf(fp, sizeof fp, "%s", version_model_fingerprint());
	int64_t plen = (int64_t)strlen(c->path), tlen = (int64_t)c->text_len;
	put(&b, &threads, sizeof threads);
	put(&b, fp, sizeof fp);
	put_i64(&b, plen);
	put_i64(&b, tlen);
	put(&b, c->path, (size_t)plen);
	put(&b, c->text, (size_t)tlen);
	/* the measurements rank 0 took and the limits they set: plain data of one
	 * build (the fingerprint check makes the layout the same) */
	int32_t ni = c->n_imports, nl = c->n_limits;
	put(&b, &ni, sizeof ni);
	put(&b, c->imports, (size_t)ni * sizeof c->imports[0]);
	put(&b, &nl, sizeof nl);
	put(&b, c->limits, (size_t)nl * sizeof c->limits[0]);
	for (int r = 1; r < R.world; r++)
		if (send_buf(&b, r, T_SETUP, err, errlen)) {
			free(b.p);
			return -1;
		}
	free(b.p);
	int waiting = R.world - 1, idle = 0;
	while (waiting > 0) {
		if (sweep_feed_stopping(f))
			return 0; /* the sweep ends anyway */
		int src, tag;
		if (!poll_any(&src, &tag)) {
			nap(&idle);
			continue;
		}
		idle = 0;
		if (tag != T_HELLO) {
			if (other_msg(src, tag, err, errlen))
				return -1;
			continue;
		}
		unsigned char *m;
		int len;
		if (recv_msg(src, tag, &m, &len, err, errlen))
			return -1;
		rd r = {m, (size_t)len, 0, false};
		int32_t th, ok;
		char why[WHY_MAX];
		get(&r, &th, sizeof th);
		get(&r, &ok, sizeof ok);
		get(&r, why, sizeof why);
		free(m);
		why[sizeof why - 1] = '\0';
		if (r.bad || !ok) {
			snprintf(err, errlen, "rank %d: %s", src, r.bad ? "a malformed answer to the setup" : why);
			return -1;
		}
		R.threads[src] = th > 0 ? th : 1;
		waiting--;
	}
	R.set_up = true;
	return 0;
}

/* A RESULT into a group_result for the sweep; NULL (err set) when malformed or out of memory. */
static group_result *unpack_result(const unsigned char *m, int len, int n_obj_want, int src, char *err,
				   size_t errlen)
{
	rd r = {m, (size_t)len, 0, false};
	int64_t nc = get_i64(&r), n = get_i64(&r), n_obj = get_i64(&r);
	group_result g0;
	if (r.bad || nc < 0 || n < 0 || n_obj != n_obj_want ||
	    (size_t)len != 3 * sizeof(int64_t) + (size_t)nc * sizeof(group_chunk) + sizeof g0.knobs +
				   (size_t)n * sizeof(int64_t) + (size_t)(n * n_obj) * sizeof(double)) {
		snprintf(err, errlen, "rank %d sent a malformed result", src);
		return NULL;
	}
	group_result *g = group_result_new((size_t)nc, (size_t)n, (int)n_obj);
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	get(&r, g->chunk, (size_t)nc * sizeof *g->chunk);
	g->n_chunks = (size_t)nc;
	get(&r, g->knobs, sizeof g->knobs);
	get(&r, g->id, (size_t)n * sizeof *g->id);
	get(&r, g->v, (size_t)(n * n_obj) * sizeof *g->v);
	g->n = (size_t)n;
	return g;
}

static int rank_chunks(void *arg, sweep_feed *f, char *err, size_t errlen)
{
	(void)arg;
	if (R.world < 2)
		return 0;
	if (setup(f, err, errlen))
		return -1;
	if (!R.set_up)
		return 0; /* stopped during the setup */
	const space_t *sp = sweep_feed_space(f);
	const int n_obj = factor_get_layout(sweep_feed_factor(f))->n_obj;
	int total = 0;
	for (int r = 0; r < R.world; r++)
		total += R.threads[r];
	size_t group = (size_t)group_chunks(sp, total);
	free(R.chunk);
	R.chunk = malloc(group * sizeof *R.chunk);
	if (!R.chunk) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int r = 1; r < R.world; r++)
		R.credit[r] = R.threads[r] + 1;
	int inflight = 0, idle = 0;
	bool exhausted = false;
	while (!sweep_feed_stopping(f)) {
		for (int r = 1; r < R.world && !exhausted; r++)
			while (R.credit[r] > 0) {
				size_t n = sweep_feed_take(f, R.chunk, group);
				if (!n) {
					exhausted = true;
					break;
				}
				buf b = {0};
				put(&b, R.chunk, n * sizeof *R.chunk);
				int rc = send_buf(&b, r, T_CHUNKS, err, errlen);
				free(b.p);
				if (rc)
					return -1;
				R.credit[r]--;
				inflight++;
			}
		if (exhausted && inflight == 0)
			break;
		int src, tag;
		if (!poll_any(&src, &tag)) {
			nap(&idle);
			continue;
		}
		idle = 0;
		if (tag != T_RESULT) {
			if (other_msg(src, tag, err, errlen))
				return -1;
			continue;
		}
		unsigned char *m;
		int len;
		if (recv_msg(src, tag, &m, &len, err, errlen))
			return -1;
		group_result *g = unpack_result(m, len, n_obj, src, err, errlen);
		free(m);
		if (!g)
			return -1;
		R.credit[src]++;
		inflight--;
		if (g->n_chunks == 0) {
			group_result_free(g);
			continue;
		}
		if (sweep_feed_give(f, g))
			break; /* the sweep gave up and says why */
	}
	return 0;
}

static int rank_des(void *arg, recheck_feed *f, char *err, size_t errlen)
{
	(void)arg;
	if (R.world < 2 || !R.set_up)
		return 0;
	const recheck_lengths *L = recheck_feed_lengths(f);
	for (int r = 1; r < R.world; r++)
		R.credit[r] = R.threads[r] + 2; /* two waiting while the others run: no idle round trip */
	int inflight = 0, idle = 0;
	bool exhausted = false;
	figures_len v[RECHECK_MAX_LEN];
	while (!recheck_feed_stopping(f)) {
		for (int r = 1; r < R.world && !exhausted; r++)
			while (R.credit[r] > 0) {
				long i = recheck_feed_take(f);
				if (i < 0) {
					exhausted = true;
					break;
				}
				buf b = {0};
				put_i64(&b, i);
				put_i64(&b, recheck_feed_item(f, i)->id);
				int rc = send_buf(&b, r, T_DES, err, errlen);
				free(b.p);
				if (rc)
					return -1;
				R.credit[r]--;
				inflight++;
			}
		if (exhausted && inflight == 0)
			break;
		int src, tag;
		if (!poll_any(&src, &tag)) {
			nap(&idle);
			continue;
		}
		idle = 0;
		if (tag != T_DESRES) {
			if (other_msg(src, tag, err, errlen))
				return -1;
			continue;
		}
		unsigned char *m;
		int len;
		if (recv_msg(src, tag, &m, &len, err, errlen))
			return -1;
		rd r = {m, (size_t)len, 0, false};
		int64_t i = get_i64(&r), failed = get_i64(&r);
		for (int k = 0; k < L->n; k++) {
			double x[N_FIG];
			get(&r, x, sizeof x);
			v[k] = (figures_len){.ttft_s = x[0], .prefill_s = x[1], .decode_tok_s = x[2], .decode_step_s = x[3],
					     .energy_j_per_token = x[4], .swap_exposed_s = x[5]};
		}
		char why[DES_WHY];
		get(&r, why, sizeof why);
		why[sizeof why - 1] = '\0';
		free(m);
		if (r.bad || r.at != r.n || i < 0) {
			snprintf(err, errlen, "rank %d sent malformed DES figures", src);
			return -1;
		}
		recheck_feed_give(f, (long)i, v, failed ? why : NULL);
		R.credit[src]++;
		inflight--;
	}
	return 0;
}

void ranks_source(sweep_source *src, int world)
{
	memset(src, 0, sizeof *src);
	R.world = world;
	src->chunks = rank_chunks;
	src->des = rank_des;
	src->ranks = world;
}

int ranks_shutdown(void)
{
	char err[512];
	buf b = {0};
	int rc = 0;
	for (int r = 1; r < R.world; r++)
		if (send_buf(&b, r, T_QUIT, err, sizeof err))
			rc = -1;
	int waiting = R.world - 1, idle = 0;
	double t0 = common_now_s();
	while (rc == 0 && waiting > 0 && common_now_s() - t0 < 10) {
		int src, tag;
		if (!poll_any(&src, &tag)) {
			nap(&idle);
			continue;
		}
		idle = 0;
		unsigned char *m;
		int len;
		if (recv_msg(src, tag, &m, &len, err, sizeof err)) {
			rc = -1;
			break;
		}
		free(m);
		waiting -= tag == T_BYE;
	}
	free(R.threads);
	free(R.credit);
	free(R.chunk);
	memset(&R, 0, sizeof R);
	return rc == 0 && waiting == 0 ? 0 : -1;
}

/* ------------------------------------------------------ ranks 1..N-1 */

static volatile sig_atomic_t serve_stop;

static void on_signal(int sig)
{
	serve_stop = sig;
}

typedef struct task {
	struct task *next;
	int tag;          /* T_CHUNKS or T_DES */
	size_t n;
	int64_t *chunk;   /* T_CHUNKS */
	int64_t index, id; /* T_DES */
} task;

typedef struct msg {
	struct msg *next;
	int tag;
	buf b;
} msg;

typedef struct {
	cfg_t c;
	bool have_cfg;
	workload_t w;
	space_t sp;
	factor *f;
	int n_obj;
	recheck_lengths L;
	pthread_mutex_t mu;
	pthread_cond_t cv;       /* a task was queued, or quit */
	pthread_cond_t out_cv;   /* a message was queued for rank 0 */
	task *head, *tail;
	msg *out_head, *out_tail;
	bool quit;
	pareto *front[2];   /* the rank's own fronts, by space mode index */
} serve_ctx;

/* Queue a message for the main thread to send (under x->mu). */
static void outbox_locked(serve_ctx *x, msg *m)
{
	m->next = NULL;
	if (x->out_tail)
		x->out_tail->next = m;
	else
		x->out_head = m;
	x->out_tail = m;
	pthread_cond_signal(&x->out_cv);
}

static msg *msg_new(int tag)
{
	msg *m = calloc(1, sizeof *m);
	if (m)
		m->tag = tag;
	return m;
}

static void fail_msg(serve_ctx *x, const char *why)
{
	msg *m = msg_new(T_FAIL);
	if (!m)
		return;
	char w[WHY_MAX] = "";
	snprintf(w, sizeof w, "%s", why);
	put(&m->b, w, sizeof w);
	pthread_mutex_lock(&x->mu);
	outbox_locked(x, m);
	pthread_mutex_unlock(&x->mu);
}

/* A group evaluated: offer its front to the rank's fronts and queue the
 * counters with the points that joined, in one step (see ranks.h). */
static int chunks_done(serve_ctx *x, const group_result *g)
{
	msg *m = msg_new(T_RESULT);
	if (!m)
		return -1;
	size_t *joined = malloc((g->n ? g->n : 1) * sizeof *joined), nj = 0;
	if (!joined) {
		free(m);
		return -1;
	}
	int rc = 0;
	pthread_mutex_lock(&x->mu);
	for (size_t i = 0; i < g->n && rc == 0; i++) {
		int mi = space_mode_of(&x->sp, g->id[i]) == &x->sp.m[0] ? 0 : 1;
		int q = pareto_insert(x->front[mi], g->id[i], g->v + i * (size_t)x->n_obj);
		if (q < 0)
			rc = -1;
		if (q == 1)
			joined[nj++] = i;
	}
	for (int mi = 0; mi < 2; mi++)
		if (x->front[mi])
			pareto_clear_evicted(x->front[mi]);
	if (rc == 0) {
		put_i64(&m->b, (int64_t)g->n_chunks);
		put_i64(&m->b, (int64_t)nj);
		put_i64(&m->b, x->n_obj);
		put(&m->b, g->chunk, g->n_chunks * sizeof *g->chunk);
		put(&m->b, g->knobs, sizeof g->knobs);
		for (size_t k = 0; k < nj; k++)
			put_i64(&m->b, g->id[joined[k]]);
		for (size_t k = 0; k < nj; k++)
			put(&m->b, g->v + joined[k] * (size_t)x->n_obj, (size_t)x->n_obj * sizeof *g->v);
		rc = m->b.fail ? -1 : 0;
	}
	if (rc == 0)
		outbox_locked(x, m);
	pthread_mutex_unlock(&x->mu);
	if (rc) {
		free(m->b.p);
		free(m);
	}
	free(joined);
	return rc;
}

static int des_done(serve_ctx *x, const task *t)
{
	design_t d;
	figures_len v[RECHECK_MAX_LEN];
	char why[DES_WHY] = "";
	int failed = 0;
	if (t->id >= 0 && t->id < x->sp.n_points)
		space_design(&x->sp, t->id, &d);
	else if (t->id >= x->sp.n_points && t->id < x->sp.n_points + x->c.n_designs)
		d = x->c.designs[t->id - x->sp.n_points].d;
	else {
		snprintf(why, sizeof why, "no point %lld in the space", (long long)t->id);
		failed = 1;
	}
	if (!failed && recheck_simulate(&x->c, &x->w, &x->L, &d, v, why, sizeof why))
		failed = 1;
	msg *m = msg_new(T_DESRES);
	if (!m)
		return -1;
	put_i64(&m->b, t->index);
	put_i64(&m->b, failed);
	for (int k = 0; k < x->L.n; k++) {
		double y[N_FIG] = {0};
		if (!failed) {
			y[0] = v[k].ttft_s;
			y[1] = v[k].prefill_s;
			y[2] = v[k].decode_tok_s;
			y[3] = v[k].decode_step_s;
			y[4] = v[k].energy_j_per_token;
			y[5] = v[k].swap_exposed_s;
		}
		put(&m->b, y, sizeof y);
	}
	put(&m->b, why, sizeof why);
	if (m->b.fail) {
		free(m->b.p);
		free(m);
		return -1;
	}
	pthread_mutex_lock(&x->mu);
	outbox_locked(x, m);
	pthread_mutex_unlock(&x->mu);
	return 0;
}

static void *serve_worker(void *arg)
{
	serve_ctx *x = arg;
	group_eval *e = group_eval_new(x->f, &x->sp);
	if (!e)
		fail_msg(x, "out of memory");
	for (;;) {
		pthread_mutex_lock(&x->mu);
		while (!x->head && !x->quit)
			pthread_cond_wait(&x->cv, &x->mu);
		task *t = x->quit ? NULL : x->head; /* told to quit: what is queued is dropped */
		if (t) {
			x->head = t->next;
			if (!x->head)
				x->tail = NULL;
		}
		pthread_mutex_unlock(&x->mu);
		if (!t)
			break;
		int rc = 0;
		if (!e || serve_stop) {
			rc = 0; /* out of memory (said so once), or stopping: rank 0 waits for nothing more */
		} else if (t->tag == T_CHUNKS) {
			group_result *g;
			rc = group_eval_run(e, t->chunk, t->n, &serve_stop, &g);
			if (rc == 0) {
				rc = chunks_done(x, g);
				group_result_free(g);
			}
		} else {
			rc = des_done(x, t);
		}
		if (rc)
			fail_msg(x, "out of memory");
		free(t->chunk);
		free(t);
	}
	group_eval_free(e);
	return NULL;
}

static void push_task(serve_ctx *x, task *t)
{
	pthread_mutex_lock(&x->mu);
	t->next = NULL;
	if (x->tail)
		x->tail->next = t;
	else
		x->head = t;
	x->tail = t;
	pthread_cond_signal(&x->cv);
	pthread_mutex_unlock(&x->mu);
}

/* Send what the threads queued. */
static void flush_outbox(serve_ctx *x)
{
	for (;;) {
		pthread_mutex_lock(&x->mu);
		msg *m = x->out_head;
		if (m) {
			x->out_head = m->next;
			if (!x->out_head)
				x->out_tail = NULL;
		}
		pthread_mutex_unlock(&x->mu);
		if (!m)
			return;
		MPI_Send(m->b.p, (int)m->b.n, MPI_BYTE, 0, m->tag, MPI_COMM_WORLD);
		free(m->b.p);
		free(m);
	}
}

static void send_small(int tag, const void *p, size_t n)
{
	MPI_Send((void *)p, (int)n, MPI_BYTE, 0, tag, MPI_COMM_WORLD);
}

/* The setup message into x: 0 and *threads, or -1 with why. */
static int take_setup(serve_ctx *x, const unsigned char *m, int len, int *threads, char *why, size_t whylen)
{
	rd r = {m, (size_t)len, 0, false};
	int32_t th;
	char fp[17];
	get(&r, &th, sizeof th);
	get(&r, fp, sizeof fp);
	fp[16] = '\0';
	int64_t plen = get_i64(&r), tlen = get_i64(&r);
	if (r.bad || plen < 0 || tlen < 0 || (size_t)(plen + tlen) > r.n - r.at) {
		snprintf(why, whylen, "a malformed setup message");
		return -1;
	}
	if (strcmp(fp, version_model_fingerprint()) != 0) {
		char host[256] = "?";
		gethostname(host, sizeof host);
		host[sizeof host - 1] = '\0';
		snprintf(why, whylen, "its build (on %s) has another model (fingerprint %s; rank 0's is %s)", host,
			 version_model_fingerprint(), fp);
		return -1;
	}
	char *path = malloc((size_t)plen + 1);
	if (!path) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	memcpy(path, m + r.at, (size_t)plen);
	path[plen] = '\0';
	char cerr[900];
	int rc = config_load_buffer(&x->c, path, (const char *)m + r.at + plen, (size_t)tlen, cerr, sizeof cerr);
	free(path);
	if (rc) {
		snprintf(why, whylen, "the config does not load: %s", cerr);
		return -1;
	}
	r.at += (size_t)(plen + tlen);
	int32_t ni = -1, nl = -1;
	get(&r, &ni, sizeof ni);
	if (!r.bad && ni >= 0 && ni <= CFG_MAX_IMPORTS)
		get(&r, x->c.imports, (size_t)ni * sizeof x->c.imports[0]);
	get(&r, &nl, sizeof nl);
	if (!r.bad && nl >= 0 && nl <= CFG_MAX_IMPORTS)
		get(&r, x->c.limits, (size_t)nl * sizeof x->c.limits[0]);
	if (r.bad || ni < 0 || ni > CFG_MAX_IMPORTS || nl < 0 || nl > CFG_MAX_IMPORTS || r.at != r.n) {
		snprintf(why, whylen, "a malformed setup message (the measurements)");
		return -1;
	}
	x->c.n_imports = ni;
	x->c.n_limits = nl;
	x->have_cfg = true;
	workload_init(&x->w, &x->c.model);
	space_init(&x->sp, &x->c);
	recheck_lengths_init(&x->L, &x->c);
	x->f = factor_new(&x->c, &x->w, &x->sp);
	if (x->f) {
		x->n_obj = factor_get_layout(x->f)->n_obj;
		for (int mi = 0; mi < x->sp.n_modes; mi++)
			x->front[mi] = pareto_new(x->n_obj);
	}
	if (!x->f || !x->front[0] || (x->sp.n_modes > 1 && !x->front[1])) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	*threads = th > 0 ? th : ncpu > 0 && ncpu <= 256 ? (int)ncpu : 2;
	return 0;
}

int ranks_serve(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	serve_ctx x;
	memset(&x, 0, sizeof x);
	pthread_mutex_init(&x.mu, NULL);
	pthread_cond_init(&x.cv, NULL);
	pthread_cond_init(&x.out_cv, NULL);
	bool set_up = false, told_stop = false;
	pool workers = {0};
	char err[256];
	int idle = 0;
	for (;;) {
		if (serve_stop && !told_stop) {
			int32_t sig = (int32_t)serve_stop;
			send_small(T_STOPPED, &sig, sizeof sig);
			told_stop = true;
		}
		flush_outbox(&x);
		int flag = 0;
		MPI_Status st;
		MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
		if (!flag) {
			/* pause, or less if the threads have something to send */
			long us = nap_us(&idle);
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += us * 1000;
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			pthread_mutex_lock(&x.mu);
			if (!x.out_head)
				pthread_cond_timedwait(&x.out_cv, &x.mu, &until);
			pthread_mutex_unlock(&x.mu);
			continue;
		}
		idle = 0;
		unsigned char *m;
		int len;
		if (recv_msg(0, st.MPI_TAG, &m, &len, err, sizeof err))
			break;
		if (st.MPI_TAG == T_QUIT) {
			free(m);
			break;
		}
		if (st.MPI_TAG == T_SETUP && !set_up) {
			int threads = 1;
			char why[WHY_MAX] = "";
			int rc = take_setup(&x, m, len, &threads, why, sizeof why);
			set_up = true;
			if (rc == 0 && pool_start(&workers, threads, serve_worker, &x, why, sizeof why) < 0)
				rc = -1;
			if (rc == 0)
				threads = workers.started;
			int32_t out[2] = {threads, rc == 0};
			buf b = {0};
			put(&b, out, sizeof out);
			put(&b, why, sizeof why);
			if (!b.fail)
				send_small(T_HELLO, b.p, b.n);
			free(b.p);
		} else if ((st.MPI_TAG == T_CHUNKS || st.MPI_TAG == T_DES) && workers.started > 0) {
			task *t = calloc(1, sizeof *t);
			rd r = {m, (size_t)len, 0, false};
			if (t && st.MPI_TAG == T_CHUNKS) {
				t->tag = T_CHUNKS;
				t->n = (size_t)len / sizeof(int64_t);
				t->chunk = malloc((t->n ? t->n : 1) * sizeof *t->chunk);
				if (t->chunk)
					get(&r, t->chunk, t->n * sizeof *t->chunk);
			} else if (t) {
				t->tag = T_DES;
				t->index = get_i64(&r);
				t->id = get_i64(&r);
			}
			if (!t || (t->tag == T_CHUNKS && !t->chunk)) {
				if (t)
					free(t);
				fail_msg(&x, "out of memory");
			} else {
				push_task(&x, t);
			}
		}
		free(m);
	}
	pthread_mutex_lock(&x.mu);
	x.quit = true;
	pthread_cond_broadcast(&x.cv);
	pthread_mutex_unlock(&x.mu);
	pool_join(&workers);
	while (x.head) {
		task *t = x.head;
		x.head = t->next;
		free(t->chunk);
		free(t);
	}
	while (x.out_head) {
		msg *m = x.out_head;
		x.out_head = m->next;
		free(m->b.p);
		free(m);
	}
	send_small(T_BYE, NULL, 0);
	for (int mi = 0; mi < 2; mi++)
		pareto_free(x.front[mi]);
	factor_free(x.f);
	if (x.have_cfg)
		cfg_release(&x.c);
	pthread_mutex_destroy(&x.mu);
	pthread_cond_destroy(&x.cv);
	pthread_cond_destroy(&x.out_cv);
	return 0;
}
