/*
 * ddr.c - flows over HP ports, controller ports and DDR with max-min fair
 * rates.  See ddr.h for the model.
 *
 * Progressive filling: every unfrozen flow runs at the same level; the
 * level rises until some capacity it crosses is used up ((capacity - rate
 * of the frozen flows on it) / unfrozen flows on it is smallest), the
 * flows crossing that capacity freeze at that level, and the filling goes
 * on with the rest.  The result is the max-min fair allocation: no flow
 * can go faster without slowing one that is not faster than it.  With a
 * handful of flows in flight this costs a few hundred operations, and it
 * runs once per picosecond at which flows start or drain.
 */
#include "sim/ddr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/common.h"

#define NONE UINT32_MAX
#define PS_FLOW (-1)

struct ddr_flow {
	double bytes, remaining; /* bytes */
	double rate;             /* bytes per ps */
	double base, slowdown;   /* PS flows: base rate (B/ps) and load slowdown */
	int64_t t_last;          /* when `remaining` was last brought up to date */
	evq_handle drain;
	evq_fn fn;
	void *ctx;
	uint64_t tag;
	int port, dir, master, stream;
	int ncons;
	uint16_t cons[4];
	uint32_t pos; /* index in act[], or next free when free */
	double new_rate;
	bool frozen;
};

void ddr_init(ddr *m, evq *q, const ddr_params *p)
{
	memset(m, 0, sizeof *m);
	m->q = q;
	m->p = *p;
	m->free_head = NONE;
	m->hold_master = -1;
	int k = 0;
	for (int h = 0; h < p->n_hp; h++) {
		m->cap[k++] = p->chan_b_per_s[h] * 1e-12;
		m->cap[k++] = p->chan_b_per_s[h] * 1e-12;
	}
	for (int c = 0; c < p->n_ctrl; c++)
		m->cap[k++] = p->ctrl_b_per_s[c] * 1e-12;
	m->cap[k++] = p->ddr_b_per_s * 1e-12;
	for (int a = 0; a < p->n_masters; a++)
		for (int h = 0; h < p->n_hp; h++) {
			m->cap[k++] = p->master_b_per_s[a][h] * 1e-12;
			m->cap[k++] = p->master_b_per_s[a][h] * 1e-12;
		}
	m->n_cons = k;
}

void ddr_set_master(ddr *m, int master, const double *b_per_s)
{
	if (master < 0 || master >= m->p.n_masters)
		BUG("master %d of %d", master, m->p.n_masters);
	for (uint32_t i = 0; i < m->n_act; i++)
		if (m->flow[m->act[i]].master == master)
			BUG("master %d changes its rates with a flow in flight", master);
	int k = 2 * m->p.n_hp + m->p.n_ctrl + 1 + master * m->p.n_hp * 2;
	for (int h = 0; h < m->p.n_hp; h++) {
		m->p.master_b_per_s[master][h] = b_per_s[h];
		m->cap[k++] = b_per_s[h] * 1e-12;
		m->cap[k++] = b_per_s[h] * 1e-12;
	}
}

void ddr_release(ddr *m)
{
	free(m->flow);
	free(m->act);
	m->flow = NULL;
	m->act = NULL;
	m->n_flow = m->cap_flow = m->n_act = 0;
}

static int con_ddr(const ddr *m)
{
	return 2 * m->p.n_hp + m->p.n_ctrl;
}

/* ------------------------------------------------------------ bookkeeping */

/* Bring f->remaining up to `now` at its current rate; count the bytes. */
static void progress(ddr *m, struct ddr_flow *f, int64_t now)
{
	if (f->rate > 0 && now > f->t_last) {
		double moved = f->rate * (double)(now - f->t_last);
		if (moved > f->remaining)
			moved = f->remaining;
		f->remaining -= moved;
		if (f->port >= 0)
			m->moved[f->port] += moved;
	}
	f->t_last = now;
}

static void drain_ev(void *ctx, uint64_t arg);
static void realloc_ev(void *ctx, uint64_t arg);

static void schedule_drain(ddr *m, uint32_t id)
{
	struct ddr_flow *f = &m->flow[id];
	evq_cancel(m->q, f->drain);
	f->drain.gen = 0;
	if (f->rate > 0) {
		double dt = ceil(f->remaining / f->rate);
		int64_t t = f->t_last + (dt < 9e18 ? (int64_t)dt : INT64_MAX / 2);
		f->drain = evq_at(m->q, t, drain_ev, m, id);
	}
}

static void mark_dirty(ddr *m)
{
	if (!m->realloc_pending) {
		m->realloc_pending = true;
		evq_after(m->q, 0, realloc_ev, m, 0);
	}
}

static void busy_change(ddr *m, int port, int delta)
{
	int64_t now = m->q->now_ps;
	if (delta > 0 && m->busy_n[port]++ == 0)
		m->busy_since[port] = now;
	if (delta < 0 && --m->busy_n[port] == 0)
		m->busy_ps[port] += now - m->busy_since[port];
}

static uint32_t flow_alloc(ddr *m)
{
	if (m->free_head != NONE) {
		uint32_t id = m->free_head;
		m->free_head = m->flow[id].pos;
		return id;
	}
	if (m->n_flow == m->cap_flow) {
		uint32_t cap = m->cap_flow ? 2 * m->cap_flow : 16;
		struct ddr_flow *nf = realloc(m->flow, cap * sizeof *nf);
		if (!nf)
			return NONE;
		m->flow = nf;
		uint32_t *na = realloc(m->act, cap * sizeof *na);
		if (!na)
			return NONE;
		m->act = na;
		m->cap_flow = cap;
	}
	return m->n_flow++;
}

static int add_flow(ddr *m, struct ddr_flow *init)
{
	uint32_t id = flow_alloc(m);
	if (id == NONE) {
		m->oom = true;
		m->q->oom = m->q->stop = true;
		return -1;
	}
	struct ddr_flow *f = &m->flow[id];
	*f = *init;
	f->remaining = f->bytes;
	f->rate = 0;
	f->t_last = m->q->now_ps;
	f->drain.gen = 0;
	f->pos = m->n_act;
	m->act[m->n_act++] = id;
	if (f->stream >= 0 && f->stream < DDR_MAX_STREAMS)
		m->stream_bytes[f->stream] += f->bytes;
	if (f->port >= 0) {
		busy_change(m, f->port, +1);
		if (m->hook)
			m->hook(m->hook_ctx, f->port, f->stream, f->tag, +1);
	}
	mark_dirty(m);
	return 0;
}

int ddr_start(ddr *m, int port, int dir, int master, int stream, double bytes, evq_fn fn, void *ctx,
	      uint64_t tag)
{
	if (!(bytes > 0)) {
		evq_after(m->q, 0, fn, ctx, tag);
		return m->q->oom ? -1 : 0;
	}
	int nh = m->p.n_hp;
	struct ddr_flow f = {0};
	f.bytes = bytes;
	f.fn = fn;
	f.ctx = ctx;
	f.tag = tag;
	f.port = port;
	f.dir = dir;
	f.master = master;
	f.stream = stream;
	f.ncons = 4;
	f.cons[0] = (uint16_t)(2 * port + dir);
	f.cons[1] = (uint16_t)(2 * nh + m->p.ctrl_of[port]);
	f.cons[2] = (uint16_t)con_ddr(m);
	f.cons[3] = (uint16_t)(con_ddr(m) + 1 + (master * nh + port) * 2 + dir);
	return add_flow(m, &f);
}

int ddr_start_ps(ddr *m, int stream, double bytes, double base_b_per_s, double slowdown, evq_fn fn,
		 void *ctx, uint64_t tag)
{
	if (!(bytes > 0)) {
		evq_after(m->q, 0, fn, ctx, tag);
		return m->q->oom ? -1 : 0;
	}
	struct ddr_flow f = {0};
	f.bytes = bytes;
	f.fn = fn;
	f.ctx = ctx;
	f.tag = tag;
	f.port = PS_FLOW;
	f.master = -1;
	f.stream = stream;
	f.base = base_b_per_s * 1e-12;
	f.slowdown = slowdown;
	return add_flow(m, &f);
}

void ddr_hold(ddr *m, uint32_t ports, int master)
{
	m->hold_ports = ports;
	m->hold_master = master;
	mark_dirty(m);
}

/* --------------------------------------------------------------- rates */

static bool held(const ddr *m, const struct ddr_flow *f)
{
	return f->port >= 0 && (m->hold_ports >> f->port & 1u) && f->master != m->hold_master;
}

static void reallocate(ddr *m)
{
	double rem[DDR_MAX_CONS];
	int cnt[DDR_MAX_CONS];
	uint16_t list[DDR_MAX_CONS];
	bool seen[DDR_MAX_CONS] = {false};
	int nl = 0, n_unf = 0, n_ps = 0;

	m->reallocs++;
	for (uint32_t i = 0; i < m->n_act; i++) {
		struct ddr_flow *f = &m->flow[m->act[i]];
		f->new_rate = 0;
		f->frozen = true;
		if (f->port < 0) {
			n_ps++;
			continue;
		}
		if (held(m, f))
			continue;
		f->frozen = false;
		n_unf++;
		for (int j = 0; j < f->ncons; j++) {
			int k = f->cons[j];
			if (!seen[k]) {
				seen[k] = true;
				list[nl++] = (uint16_t)k;
				rem[k] = m->cap[k];
				cnt[k] = 0;
			}
			cnt[k]++;
		}
	}
	while (n_unf > 0) {
		double level = INFINITY;
		for (int i = 0; i < nl; i++) {
			int k = list[i];
			if (cnt[k] > 0 && rem[k] < level * cnt[k])
				level = rem[k] / cnt[k];
		}
		if (level < 0)
			level = 0;
		/* freeze every flow on a capacity that this level uses up */
		double lim = level * (1 + 1e-12);
		bool sat[DDR_MAX_CONS];
		for (int i = 0; i < nl; i++) {
			int k = list[i];
			sat[k] = cnt[k] > 0 && rem[k] <= lim * cnt[k];
		}
		int before = n_unf;
		for (uint32_t i = 0; i < m->n_act; i++) {
			struct ddr_flow *f = &m->flow[m->act[i]];
			if (f->frozen)
				continue;
			bool s = false;
			for (int j = 0; j < f->ncons && !s; j++)
				s = sat[f->cons[j]];
			if (!s)
				continue;
			f->frozen = true;
			f->new_rate = level;
			n_unf--;
			for (int j = 0; j < f->ncons; j++) {
				rem[f->cons[j]] -= level;
				cnt[f->cons[j]]--;
			}
		}
		/* the capacity that set the level saturates at it (within the
		 * rounding lim allows), so every round freezes a flow */
		if (n_unf == before)
			BUG("max-min filling froze no flow at level %g with %d flows left", level, n_unf);
	}
	if (n_ps > 0) {
		double pl = 0, ddr_cap = m->cap[con_ddr(m)];
		for (uint32_t i = 0; i < m->n_act; i++)
			pl += m->flow[m->act[i]].new_rate;
		double load = pl / ddr_cap, left = (ddr_cap - pl) / n_ps;
		if (load > 1)
			load = 1;
		for (uint32_t i = 0; i < m->n_act; i++) {
			struct ddr_flow *f = &m->flow[m->act[i]];
			if (f->port >= 0)
				continue;
			double r = f->base / (1 + f->slowdown * load);
			f->new_rate = r < left ? r : left;
		}
	}
	int64_t now = m->q->now_ps;
	for (uint32_t i = 0; i < m->n_act; i++) {
		uint32_t id = m->act[i];
		struct ddr_flow *f = &m->flow[id];
		if (f->new_rate == f->rate && (f->rate == 0 || f->drain.gen != 0))
			continue;
		progress(m, f, now);
		f->rate = f->new_rate;
		schedule_drain(m, id);
	}
}

static void realloc_ev(void *ctx, uint64_t arg)
{
	(void)arg;
	ddr *m = ctx;
	m->realloc_pending = false;
	reallocate(m);
}

static void drain_ev(void *ctx, uint64_t arg)
{
	ddr *m = ctx;
	uint32_t id = (uint32_t)arg;
	struct ddr_flow *f = &m->flow[id];
	int64_t now = m->q->now_ps;
	progress(m, f, now);
	if (f->port >= 0)
		m->moved[f->port] += f->remaining; /* rounding: the drain is authoritative */
	f->remaining = 0;
	f->drain.gen = 0;
	/* unlink from the active list */
	uint32_t last = m->act[--m->n_act];
	m->act[f->pos] = last;
	m->flow[last].pos = f->pos;
	evq_fn fn = f->fn;
	void *fctx = f->ctx;
	uint64_t tag = f->tag;
	int port = f->port, stream = f->stream;
	f->pos = m->free_head;
	m->free_head = id;
	if (port >= 0) {
		busy_change(m, port, -1);
		if (m->hook)
			m->hook(m->hook_ctx, port, stream, tag, -1);
	}
	mark_dirty(m);
	fn(fctx, tag);
}

/* ------------------------------------------------------------ accounting */

double ddr_port_bytes(const ddr *m, int port)
{
	double b = m->moved[port];
	int64_t now = m->q->now_ps;
	for (uint32_t i = 0; i < m->n_act; i++) {
		const struct ddr_flow *f = &m->flow[m->act[i]];
		if (f->port != port || f->rate <= 0)
			continue;
		double x = f->rate * (double)(now - f->t_last);
		b += x < f->remaining ? x : f->remaining;
	}
	return b;
}

int64_t ddr_port_busy_ps(const ddr *m, int port)
{
	int64_t b = m->busy_ps[port];
	if (m->busy_n[port] > 0)
		b += m->q->now_ps - m->busy_since[port];
	return b;
}

