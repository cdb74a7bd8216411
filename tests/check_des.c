/*
 * check_des.c - the discrete-event model: the event core's order and
 * memory, the memory path's rates (a port's peak, the outstanding limit,
 * fair sharing, the shared controller port, the DDR cap, the Q-preload
 * hold), PCAP against the PS-driven measurements, and whole runs: agreement
 * with the analytic model where both describe the same schedule, the
 * exposed swap, bytes per stream, determinism across runs and threads,
 * bounded memory, and the trace file.
 *
 * Expected values are computed here from the config's own fields
 * (widths, clocks, eta_port, latency, bursts) or from the analytic model,
 * never copied from the DES's output.
 */
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <unistd.h>

#include "sim/ddr.h"
#include "sim/des.h"
#include "models/engine.h"
#include "sim/evq.h"
#include "sim/pcap.h"
#include "models/perf.h"
#include "suites.h"
#include "testutil.h"
#include "models/workload.h"

static cfg_t C;
static workload_t W;

static void setup(void)
{
	tu_load_default(&C);
	workload_init(&W, &C.model);
}

static void teardown(void)
{
	cfg_release(&C);
}

static design_t named(const char *n)
{
	int i = cfg_find_design(&C, n);
	ck_assert_int_ge(i, 0);
	return C.designs[i].d;
}

/* ------------------------------------------------------------ event core */

struct rec {
	evq *q;
	int n;
	uint64_t arg[64];
	int64_t t[64];
};

static void rec_fn(void *ctx, uint64_t arg)
{
	struct rec *r = ctx;
	if (r->n < 64) {
		r->arg[r->n] = arg;
		r->t[r->n] = r->q->now_ps;
	}
	r->n++;
}

START_TEST(evq_ties_run_in_scheduling_order)
{
	evq q;
	evq_init(&q);
	struct rec r = {.q = &q};
	evq_at(&q, 100, rec_fn, &r, 1);
	evq_at(&q, 50, rec_fn, &r, 2);
	evq_at(&q, 100, rec_fn, &r, 3);
	evq_at(&q, 50, rec_fn, &r, 4);
	evq_handle h = evq_at(&q, 100, rec_fn, &r, 5);
	evq_at(&q, 100, rec_fn, &r, 6);
	ck_assert(evq_pending(&q, h));
	ck_assert(evq_cancel(&q, h));
	ck_assert(!evq_cancel(&q, h)); /* stale */
	ck_assert_uint_eq(evq_run(&q), 5);
	const uint64_t want[] = {2, 4, 1, 3, 6};
	const int64_t wt[] = {50, 50, 100, 100, 100};
	ck_assert_int_eq(r.n, 5);
	for (int i = 0; i < 5; i++) {
		ck_assert_uint_eq(r.arg[i], want[i]);
		ck_assert_int_eq(r.t[i], wt[i]);
	}
	evq_release(&q);
}
END_TEST

/* An event scheduled for "now" from a callback runs after those already due. */
static void chain_fn(void *ctx, uint64_t arg)
{
	struct rec *r = ctx;
	rec_fn(ctx, arg);
	if (arg == 1)
		evq_after(r->q, 0, rec_fn, r, 99);
}

START_TEST(evq_same_time_from_callback_runs_last)
{
	evq q;
	evq_init(&q);
	struct rec r = {.q = &q};
	evq_at(&q, 10, chain_fn, &r, 1);
	evq_at(&q, 10, rec_fn, &r, 2);
	evq_at(&q, 11, rec_fn, &r, 3);
	evq_run(&q);
	ck_assert_int_eq(r.n, 4);
	ck_assert_uint_eq(r.arg[0], 1);
	ck_assert_uint_eq(r.arg[1], 2);
	ck_assert_uint_eq(r.arg[2], 99);
	ck_assert_int_eq(r.t[2], 10);
	ck_assert_uint_eq(r.arg[3], 3);
	evq_release(&q);
}
END_TEST

struct order {
	evq *q;
	int64_t last_t;
	uint64_t last_i;
	int n;
	bool ok;
	const bool *cancelled;
};

static void order_fn(void *ctx, uint64_t i)
{
	struct order *o = ctx;
	int64_t t = o->q->now_ps;
	if (o->cancelled[i] || t < o->last_t || (t == o->last_t && o->n > 0 && i <= o->last_i))
		o->ok = false;
	o->last_t = t;
	o->last_i = i;
	o->n++;
}

START_TEST(evq_heap_order_with_cancels)
{
	enum { N = 20000 };
	static bool cancelled[N];
	static evq_handle h[N];
	evq q;
	evq_init(&q);
	struct order o = {.q = &q, .ok = true, .cancelled = cancelled};
	uint64_t x = 12345;
	for (int i = 0; i < N; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		h[i] = evq_at(&q, (int64_t)(x >> 33) % 997, order_fn, &o, (uint64_t)i);
		cancelled[i] = false;
	}
	int nc = 0;
	for (int i = 0; i < N; i += 7) {
		ck_assert(evq_cancel(&q, h[i]));
		cancelled[i] = true;
		nc++;
	}
	evq_run(&q);
	ck_assert(o.ok);
	ck_assert_int_eq(o.n, N - nc);
	ck_assert(!evq_failed(&q));
	evq_release(&q);
}
END_TEST

static void hop_fn(void *ctx, uint64_t left)
{
	evq *q = ctx;
	if (left > 0)
		evq_after(q, 1000, hop_fn, q, left - 1);
}

START_TEST(evq_memory_bounded_by_pending_events)
{
	evq q;
	evq_init(&q);
	evq_at(&q, 0, hop_fn, &q, 200000);
	evq_run(&q);
	ck_assert_uint_eq(q.processed, 200001);
	ck_assert_int_eq(q.now_ps, 200000LL * 1000);
	ck_assert_uint_le(q.peak, 2);
	ck_assert_uint_le(q.cap, 64);
	evq_release(&q);
}
END_TEST

/* ----------------------------------------------------------- memory path */

struct mem {
	evq q;
	ddr m;
	struct rec r;
};

static void mem_init(struct mem *x, const design_t *d)
{
	ddr_params p;
	des_ddr_params(&C, d, &p);
	evq_init(&x->q);
	ddr_init(&x->m, &x->q, &p);
	memset(&x->r, 0, sizeof x->r);
	x->r.q = &x->q;
}

static void mem_release(struct mem *x)
{
	ddr_release(&x->m);
	evq_release(&x->q);
}

/* ps for `bytes` at `b_per_s`, as the flow schedules it */
static double ps_at(double bytes, double b_per_s)
{
	return bytes / b_per_s * 1e12;
}

static double port_peak(const design_t *d, int h)
{
	double clk = fmin(d->clock_mhz, C.dev.hp[h].max_clock_mhz) * 1e6;
	return C.dev.hp[h].width_bits / 8.0 * clk * C.cal.eta_port.value;
}

/* What the weight loader gets alone from port h: the port, or its own efficiency if lower. */
static double loader_peak(const design_t *d, int h)
{
	double clk = fmin(d->clock_mhz, C.dev.hp[h].max_clock_mhz) * 1e6;
	return fmin(port_peak(d, h), C.dev.hp[h].width_bits / 8.0 * clk * C.cal.eta_wload.value);
}

START_TEST(one_port_at_peak_moves_n_bytes_in_time)
{
	design_t d = named("tellme");
	d.dec_outstanding = 4096; /* the outstanding limit far above the port */
	struct mem x;
	mem_init(&x, &d);
	const double n = 3e6;
	double peak = port_peak(&d, 0);
	/* below the port's clock limit the design's clock drives it: width x clock x eta */
	ck_assert_int_le(d.clock_mhz, C.dev.hp[0].max_clock_mhz);
	ck_assert_double_eq_tol(peak, C.dev.hp[0].width_bits / 8.0 * d.clock_mhz * 1e6 * C.cal.eta_port.value, 1e-3);
	ddr_start(&x.m, 0, DDR_RD, DES_M_DEC, DES_S_K, n, rec_fn, &x.r, 7);
	evq_run(&x.q);
	ck_assert_int_eq(x.r.n, 1);
	ck_assert_double_eq_tol((double)x.r.t[0], ps_at(n, peak), 1.0);
	ck_assert_double_eq_tol(ddr_port_bytes(&x.m, 0), n, 1e-6);
	ck_assert_int_eq(ddr_port_busy_ps(&x.m, 0), x.r.t[0]);
	mem_release(&x);
}
END_TEST

START_TEST(outstanding_limited_rate)
{
	design_t d = named("tellme");
	d.dec_outstanding = 1;
	d.dec_burst = 4;
	struct mem x;
	mem_init(&x, &d);
	double lim = 1.0 * 4 * (C.dev.hp[2].width_bits / 8.0) / (C.cal.ddr_latency_ns.value * 1e-9);
	ck_assert(lim < port_peak(&d, 2)); /* the case under test */
	const double n = 1e6;
	ddr_start(&x.m, 2, DDR_RD, DES_M_DEC, DES_S_V, n, rec_fn, &x.r, 0);
	evq_run(&x.q);
	ck_assert_double_eq_tol((double)x.r.t[0], ps_at(n, lim), 1.0);
	mem_release(&x);
}
END_TEST

START_TEST(two_streams_share_a_port)
{
	design_t d = named("pdswap"); /* weights and decode both peak-limited */
	struct mem x;
	mem_init(&x, &d);
	double peak = port_peak(&d, 0), n = 1e6;
	/* equal: each at half the port, both done at 2n/peak */
	ddr_start(&x.m, 0, DDR_RD, DES_M_WEIGHTS, DES_S_WEIGHTS, n, rec_fn, &x.r, 1);
	ddr_start(&x.m, 0, DDR_RD, DES_M_DEC, DES_S_K, n, rec_fn, &x.r, 2);
	evq_run(&x.q);
	ck_assert_int_eq(x.r.n, 2);
	ck_assert_double_eq_tol((double)x.r.t[0], ps_at(2 * n, peak), 2.0);
	ck_assert_double_eq_tol((double)x.r.t[1], ps_at(2 * n, peak), 2.0);
	mem_release(&x);

	/* n and 3n: half each until the small one ends at 2n/peak, then the
	 * large one alone: done at 4n/peak */
	mem_init(&x, &d);
	ddr_start(&x.m, 0, DDR_RD, DES_M_WEIGHTS, DES_S_WEIGHTS, n, rec_fn, &x.r, 1);
	ddr_start(&x.m, 0, DDR_RD, DES_M_DEC, DES_S_K, 3 * n, rec_fn, &x.r, 2);
	evq_run(&x.q);
	ck_assert_uint_eq(x.r.arg[0], 1);
	ck_assert_double_eq_tol((double)x.r.t[0], ps_at(2 * n, peak), 2.0);
	ck_assert_double_eq_tol((double)x.r.t[1], ps_at(4 * n, peak), 2.0);
	/* reads and writes are separate channels: a write beside them is not slowed */
	mem_release(&x);
	mem_init(&x, &d);
	ddr_start(&x.m, 0, DDR_RD, DES_M_DEC, DES_S_K, n, rec_fn, &x.r, 1);
	ddr_start(&x.m, 0, DDR_WR, DES_M_DEC, DES_S_K, n, rec_fn, &x.r, 2);
	evq_run(&x.q);
	ck_assert_double_eq_tol((double)x.r.t[0], ps_at(n, peak), 2.0);
	ck_assert_double_eq_tol((double)x.r.t[1], ps_at(n, peak), 2.0);
	mem_release(&x);
}
END_TEST

START_TEST(one_master_shares_its_outstanding_limit)
{
	design_t d = named("tellme");
	d.dec_outstanding = 1;
	d.dec_burst = 4;
	d.pre_outstanding = 1;
	d.pre_burst = 4;
	double lim = 4 * (C.dev.hp[1].width_bits / 8.0) / (C.cal.ddr_latency_ns.value * 1e-9), n = 5e5;
	ck_assert(2 * lim < port_peak(&d, 1));
	/* two flows of one master: they share its bursts in flight */
	struct mem x;
	mem_init(&x, &d);
	ddr_start(&x.m, 1, DDR_RD, DES_M_DEC, DES_S_K, n, rec_fn, &x.r, 1);
	ddr_start(&x.m, 1, DDR_RD, DES_M_DEC, DES_S_V, n, rec_fn, &x.r, 2);
	evq_run(&x.q);
	ck_assert_double_eq_tol((double)x.r.t[1], ps_at(2 * n, lim), 2.0);
	mem_release(&x);
	/* two masters: each has its own */
	mem_init(&x, &d);
	ddr_start(&x.m, 1, DDR_RD, DES_M_DEC, DES_S_K, n, rec_fn, &x.r, 1);
	ddr_start(&x.m, 1, DDR_RD, DES_M_PRE, DES_S_V, n, rec_fn, &x.r, 2);
	evq_run(&x.q);
	ck_assert_double_eq_tol((double)x.r.t[1], ps_at(n, lim), 2.0);
	mem_release(&x);
}
END_TEST

START_TEST(hp1_hp2_capped_by_their_controller_port)
{
	/* fast ports: each at its own clock limit and eta 1, so that two on one
	 * controller port (HP1 and HP2 share S4 on the KV260) exceed its peak and
	 * one alone does not (asserted below) */
	C.cal.eta_port.value = 1.0;
	design_t d = named("pdswap");
	int h1 = cfg_find_hp(&C, "HP1"), h2 = cfg_find_hp(&C, "HP2"), h3 = cfg_find_hp(&C, "HP3");
	ck_assert(h1 >= 0 && h2 >= 0 && h3 >= 0);
	d.clock_mhz = C.dev.hp[h1].max_clock_mhz;
	ck_assert_int_eq(C.dev.hp[h1].ctrl, C.dev.hp[h2].ctrl);
	ck_assert_int_ne(C.dev.hp[h1].ctrl, C.dev.hp[h3].ctrl);
	double ctrl = C.dev.ddr.ctrl[C.dev.hp[h1].ctrl].peak_gb_s * 1e9, port = port_peak(&d, h1), n = 2e6;
	ck_assert(2 * port > ctrl && port < ctrl); /* the case under test */
	struct mem x;
	mem_init(&x, &d);
	ddr_start(&x.m, h1, DDR_RD, DES_M_DEC, DES_S_K, n, rec_fn, &x.r, 1);
	ddr_start(&x.m, h2, DDR_RD, DES_M_DEC, DES_S_V, n, rec_fn, &x.r, 2);
	evq_run(&x.q);
	ck_assert_double_eq_tol((double)x.r.t[0], ps_at(2 * n, ctrl), 2.0);
	ck_assert_double_eq_tol((double)x.r.t[1], ps_at(2 * n, ctrl), 2.0);
	mem_release(&x);
	/* HP1 + HP3: different controller ports, each at its own peak */
	mem_init(&x, &d);
	ddr_start(&x.m, h1, DDR_RD, DES_M_DEC, DES_S_K, n, rec_fn, &x.r, 1);
	ddr_start(&x.m, h3, DDR_RD, DES_M_DEC, DES_S_V, n, rec_fn, &x.r, 2);
	evq_run(&x.q);
	ck_assert_double_eq_tol((double)x.r.t[1], ps_at(n, port), 2.0);
	mem_release(&x);
}
END_TEST

START_TEST(all_ports_capped_by_ddr)
{
	C.cal.eta_port.value = 1.0;
	design_t d = named("pdswap");
	d.clock_mhz = C.dev.hp[0].max_clock_mhz;
	double ddrc = C.dev.ddr.peak_gb_s * 1e9 * C.cal.ddr_efficiency.value, n = 1e6;
	ck_assert(C.dev.n_hp * port_peak(&d, 0) > ddrc);
	struct mem x;
	mem_init(&x, &d);
	for (int h = 0; h < C.dev.n_hp; h++)
		ddr_start(&x.m, h, DDR_RD, DES_M_DEC, DES_S_K, n, rec_fn, &x.r, (uint64_t)h);
	evq_run(&x.q);
	ck_assert_int_eq(x.r.n, C.dev.n_hp);
	/* max-min: every flow at ddr / n_hp (below both the port and S4 / 2) */
	for (int i = 0; i < x.r.n; i++)
		ck_assert_double_eq_tol((double)x.r.t[i], ps_at(n * C.dev.n_hp, ddrc), 2.0);
	mem_release(&x);
}
END_TEST

static void release_hold(void *ctx, uint64_t arg)
{
	struct mem *x = ctx;
	ddr_hold(&x->m, 0, -1);
	rec_fn(&x->r, arg);
}

START_TEST(q_preload_holds_other_masters)
{
	design_t d = named("pdswap");
	struct mem x;
	mem_init(&x, &d);
	double peak = port_peak(&d, 0), wpeak = loader_peak(&d, 0), nq = 3072, nw = 1e6;
	ddr_hold(&x.m, 1u << 0, DES_M_DEC);
	ddr_start(&x.m, 0, DDR_RD, DES_M_WEIGHTS, DES_S_WEIGHTS, nw, rec_fn, &x.r, 1);
	ddr_start(&x.m, 0, DDR_RD, DES_M_DEC, DES_S_Q, nq, release_hold, &x, 2);
	evq_run(&x.q);
	ck_assert_uint_eq(x.r.arg[0], 2);
	ck_assert_double_eq_tol((double)x.r.t[0], ps_at(nq, peak), 1.0);
	/* the weights start when the hold ends, at the loader's own rate */
	ck_assert(wpeak < peak);
	ck_assert_double_eq_tol((double)x.r.t[1], (double)x.r.t[0] + ps_at(nw, wpeak), 2.0);
	mem_release(&x);
}
END_TEST

/* ------------------------------------------------------------------ PCAP */

static int64_t pcap_time(const pcap_params *pp, double bytes, double pl_bytes)
{
	design_t d = named("pdswap");
	struct mem x;
	mem_init(&x, &d);
	pcap pc;
	pcap_init(&pc, &x.q, &x.m, pp);
	if (pl_bytes > 0) /* a PL stream loading the DDR for the whole transfer */
		ddr_start(&x.m, 0, DDR_RD, DES_M_WEIGHTS, DES_S_WEIGHTS, pl_bytes, rec_fn, &x.r, 1);
	ck_assert_int_eq(pcap_start(&pc, bytes, rec_fn, &x.r, 2), 0);
	ck_assert_int_eq(pcap_start(&pc, bytes, rec_fn, &x.r, 3), -1); /* one at a time */
	evq_run(&x.q);
	int64_t t = pc.t_end;
	mem_release(&x);
	return t;
}

START_TEST(pcap_linear_in_bytes_and_matches_measurements)
{
	pcap_params pp = pcap_params_of(&C, DES_S_BITSTREAM);
	ck_assert_int_ge(C.meas.n_pcap, 2);
	int64_t t0 = pcap_time(&pp, 0, 0);
	ck_assert_int_eq(t0, pp.setup_ps);
	for (int i = 0; i < C.meas.n_pcap; i++) {
		double b = C.meas.pcap_bytes[i];
		int64_t t1 = pcap_time(&pp, b, 0), t2 = pcap_time(&pp, 2 * b, 0);
		/* a line: t(2b) - t(b) = t(b) - t(0), to the rounding picosecond */
		ck_assert_int_le(llabs((t2 - t1) - (t1 - t0)), 2);
		double ms = t1 * 1e-9;
		ck_assert_msg(fabs(ms / C.meas.pcap_ms[i] - 1) < 0.01, "%.0f bytes: %.4f ms, measured %.4f ms", b, ms,
			      C.meas.pcap_ms[i]);
	}
}
END_TEST

START_TEST(pcap_slows_with_ddr_load)
{
	pcap_params pp = pcap_params_of(&C, DES_S_BITSTREAM);
	design_t d = named("pdswap");
	double b = 2e6, pl = loader_peak(&d, 0), ddrc = C.dev.ddr.peak_gb_s * 1e9 * C.cal.ddr_efficiency.value;
	double load = pl / ddrc;
	int64_t idle = pcap_time(&pp, b, 0), busy = pcap_time(&pp, b, 1e9);
	double want = ps_at(b, pp.rate_b_per_s) * (1 + pp.slowdown * load);
	ck_assert_double_eq_tol((double)(idle - pp.setup_ps), ps_at(b, pp.rate_b_per_s), 1.0);
	ck_assert_double_eq_tol((double)(busy - pp.setup_ps), want, 2.0);
	ck_assert(busy > idle);
}
END_TEST

/* -------------------------------------------------------------- whole runs */

static des_result run(const design_t *d, int prompt, int gen, const des_opts *o)
{
	des_result r;
	char err[512];
	int rc = des_run(&C, &W, d, prompt, gen, o, &r, err, sizeof err);
	ck_assert_msg(rc == 0, "des_run: %s", err);
	return r;
}

/*
 * The contention-free case: no_prefetch, so weights stream only while the
 * TLMM may use them and never beside attention, and no controller port
 * or the DDR saturates (checked below).  Then the DES and the analytic
 * model describe the same schedule and must agree within 5%.
 */
START_TEST(contention_free_agrees_with_analytic)
{
	const char *designs[] = {"tellme", "pdswap"};
	const int cases[][2] = {{1, 8}, {64, 16}, {512, 16}, {1500, 8}};
	des_opts o = {.no_prefetch = true};
	/* each design with each decode dataflow: serial (K then V), kv_overlap (K and V at
	 * once), head_pipeline (the V of one head beside the K of the next) */
	for (int i = 0; i < 2 * DF_N; i++) {
		design_t d = named(designs[i % 2]);
		d.dec_dataflow = (dataflow_t)(i / 2);
		perf_ctx p;
		perf_prepare(&p, &C, &W, &d);
		/* no two ports of one controller port can saturate it, nor all the DDR */
		double sum = 0;
		for (int h = 0; h < C.dev.n_hp; h++)
			sum += port_peak(&d, h);
		ck_assert(2 * port_peak(&d, 1) < C.dev.ddr.ctrl[C.dev.hp[1].ctrl].peak_gb_s * 1e9);
		ck_assert(sum < C.dev.ddr.peak_gb_s * 1e9 * C.cal.ddr_efficiency.value);
		for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
			int L = cases[k][0], N = cases[k][1];
			figures a;
			perf_run_eval(&p, L, N, &a);
			des_result r = run(&d, L, N, &o);
			ck_assert_msg(fabs(r.f.prefill_s / a.prefill_s - 1) < 0.05, "%s L=%d prefill des %.6f analytic %.6f",
				      designs[i % 2], L, r.f.prefill_s, a.prefill_s);
			ck_assert_msg(fabs(r.f.decode_s / a.decode_s - 1) < 0.05, "%s %s L=%d decode des %.6f analytic %.6f",
				      designs[i % 2], dataflow_names[d.dec_dataflow], L, r.f.decode_s, a.decode_s);
			ck_assert(fabs(r.f.decode_first_step_s / a.decode_first_step_s - 1) < 0.05);
			ck_assert(fabs(r.f.prefill_attention_s / a.prefill_attention_s - 1) < 0.05);
		}
	}
}
END_TEST

/* With the prefill attention compute-bound and the ports idle meanwhile,
 * prefetching the next weights into the double buffer can only help. */
START_TEST(prefetch_hides_weight_loading_behind_attention)
{
	design_t d = named("tellme");
	des_opts off = {.no_prefetch = true};
	des_result a = run(&d, 1, 0, &off), b = run(&d, 1, 0, NULL);
	ck_assert_msg(b.f.prefill_s < a.f.prefill_s, "prefetch %.6f, none %.6f", b.f.prefill_s, a.f.prefill_s);
	ck_assert_double_eq_tol(b.bytes[DES_S_WEIGHTS], a.bytes[DES_S_WEIGHTS], 1e-3);
}
END_TEST

START_TEST(exposed_swap_is_swap_minus_tail)
{
	design_t d = named("pdswap");
	const double ps_ms[] = {0.5, 5, 30, 120};
	for (int lm = 0; lm < 2; lm++) {
		C.cal.lm_head_s.value = lm ? 0.009 : 0.0;
		for (size_t i = 0; i < sizeof ps_ms / sizeof ps_ms[0]; i++) {
			C.cal.swap_ps_ms.value = ps_ms[i];
			des_result r = run(&d, 64, 2, NULL);
			double hide = r.f.tail_overlap_s + C.cal.lm_head_s.value;
			double want = r.f.swap_s > hide ? r.f.swap_s - hide : 0;
			ck_assert_msg(fabs(r.f.swap_exposed_s - want) < 3e-12, "ps %.1f ms lm %d: exposed %.12f want %.12f",
				      ps_ms[i], lm, r.f.swap_exposed_s, want);
			ck_assert_double_eq_tol(r.swap_hidden_s, r.f.swap_s - r.f.swap_exposed_s, 1e-15);
			ck_assert(r.f.swap_s >= C.cal.swap_ps_ms.value * 1e-3);
			ck_assert(r.f.tail_overlap_s > 0);
			/* the first decode step starts when both are done */
			ck_assert(r.f.ttft_s + r.f.swap_exposed_s >= r.f.prefill_s + C.cal.lm_head_s.value);
		}
	}
	/* both sides of the max() were exercised */
	C.cal.lm_head_s.value = 0;
	C.cal.swap_ps_ms.value = 0.5;
	ck_assert(run(&d, 64, 2, NULL).f.swap_exposed_s == 0);
	C.cal.swap_ps_ms.value = 120;
	ck_assert(run(&d, 64, 2, NULL).f.swap_exposed_s > 0.1);
}
END_TEST

START_TEST(bytes_per_stream_match_the_workload)
{
	design_t d = named("pdswap");
	int L = 200, N = 12;
	des_result r = run(&d, L, N, NULL);
	double kb = (double)W.k_bytes_token_layer, qb = (double)W.q_bytes_token_layer;
	int64_t kv = engine_pre_kv_tokens(L, d.pre_pe, d.pre_block, false);
	double dec_keys = 0;
	for (int i = 0; i < N; i++)
		dec_keys += L + 1 + i;
	double k = W.layers * ((double)kv * kb + L * kb + dec_keys * kb + N * kb);
	ck_assert_double_eq_tol(r.bytes[DES_S_WEIGHTS], W.wbytes_total * (1 + N), 1);
	ck_assert_double_eq_tol(r.bytes[DES_S_K], k, 1);
	ck_assert_double_eq_tol(r.bytes[DES_S_V], k, 1);
	ck_assert_double_eq_tol(r.bytes[DES_S_Q], W.layers * (L + N) * qb, 1e-3);
	ck_assert_double_eq_tol(r.bytes[DES_S_O], W.layers * (L + N) * qb, 1e-3);
	ck_assert_double_eq_tol(r.bytes[DES_S_BITSTREAM], engine_bitstream_bytes(&C, &C.arch.pblocks[d.rp]), 1e-6);
	/* what the ports moved is what was asked for */
	double moved = 0, asked = 0;
	for (int k2 = 0; k2 < DES_STREAMS; k2++)
		if (k2 != DES_S_BITSTREAM)
			asked += r.bytes[k2];
	for (int ph = 0; ph < DES_PHASES; ph++)
		for (int h = 0; h < C.dev.n_hp; h++) {
			moved += r.port_gb_s[ph][h] * 1e9 * r.phase_s[ph];
			ck_assert(r.port_util[ph][h] >= 0 && r.port_util[ph][h] <= 1);
		}
	ck_assert_double_eq_tol(moved / asked, 1, 1e-9);
	/* a static design swaps nothing */
	design_t t = named("tellme");
	des_result s = run(&t, L, N, NULL);
	ck_assert(s.bytes[DES_S_BITSTREAM] == 0 && s.f.swap_s == 0 && s.f.swap_exposed_s == 0);
}
END_TEST

static void zero_wall(des_result *r)
{
	r->wall_s = 0;
}

struct job {
	const design_t *d;
	des_result r;
	int rc;
};

static void *job_fn(void *arg)
{
	struct job *j = arg;
	char err[256];
	j->rc = des_run(&C, &W, j->d, 300, 40, NULL, &j->r, err, sizeof err);
	zero_wall(&j->r);
	return NULL;
}

START_TEST(same_run_same_figures_in_any_thread)
{
	design_t d = named("pdswap");
	des_result a = run(&d, 300, 40, NULL), b = run(&d, 300, 40, NULL);
	zero_wall(&a);
	zero_wall(&b);
	ck_assert(memcmp(&a, &b, sizeof a) == 0);
	struct job j[3];
	memset(j, 0, sizeof j);
	for (int i = 0; i < 3; i++)
		j[i].d = &d;
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, job_fn, &j[i]), 0);
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(j[i].rc, 0);
		ck_assert(memcmp(&a, &j[i].r, sizeof a) == 0);
	}
}
END_TEST

START_TEST(memory_bounded_by_events_in_flight)
{
	design_t d = named("pdswap");
	des_result a = run(&d, 128, 8, NULL), b = run(&d, 128, 256, NULL);
	ck_assert(b.events > 20 * a.events / 2);
	ck_assert_uint_eq(a.max_in_flight, b.max_in_flight);
	ck_assert_uint_le(b.max_in_flight, 64);
}
END_TEST

START_TEST(bad_arguments_are_refused)
{
	design_t d = named("pdswap");
	des_result r;
	char err[256] = "";
	ck_assert_int_eq(des_run(&C, &W, &d, 0, 4, NULL, &r, err, sizeof err), -1);
	ck_assert(strstr(err, "prompt") != NULL);
	ck_assert_int_eq(des_run(&C, &W, &d, 8, -1, NULL, &r, err, sizeof err), -1);
	des_opts o = {.weight_tile_bytes = 10};
	ck_assert_int_eq(des_run(&C, &W, &d, 8, 1, &o, &r, err, sizeof err), -1);
	ck_assert(strstr(err, "tile") != NULL);
	d.pm_dec = 99;
	ck_assert_int_eq(des_run(&C, &W, &d, 8, 1, NULL, &r, err, sizeof err), -1);
	/* a trace that cannot be written: an error naming it, no file */
	d = named("pdswap");
	o = (des_opts){.trace_path = "/nonexistent-dir/t.json"};
	ck_assert_int_eq(des_run(&C, &W, &d, 8, 1, &o, &r, err, sizeof err), -1);
	ck_assert(strstr(err, "/nonexistent-dir/t.json") != NULL);
}
END_TEST

/* ----------------------------------------------------------------- trace */

static json_t *load_trace(const char *path)
{
	json_error_t je;
	json_t *t = json_load_file(path, 0, &je);
	ck_assert_msg(t != NULL, "%s:%d: %s", path, je.line, je.text);
	ck_assert(json_is_array(json_object_get(t, "traceEvents")));
	return t;
}

static const char *meta_name(json_t *ev, const char *kind, int pid, int tid)
{
	size_t i;
	json_t *e;
	json_array_foreach(ev, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "ph")), "M") ||
		    strcmp(json_string_value(json_object_get(e, "name")), kind) ||
		    json_integer_value(json_object_get(e, "pid")) != pid ||
		    (tid >= 0 && json_integer_value(json_object_get(e, "tid")) != tid))
			continue;
		return json_string_value(json_object_get(json_object_get(e, "args"), "name"));
	}
	return NULL;
}

START_TEST(trace_loads_with_tracks_and_visible_swap)
{
	design_t d = named("pdswap");
	char path[] = "/tmp/pdswap-trace-XXXXXX";
	int fd = mkstemp(path);
	ck_assert(fd >= 0);
	close(fd);
	const char *odd = "pd\"swap\\x\n\x01 \xc3\xa9";
	des_opts o = {.trace_path = path, .name = odd};
	des_result r = run(&d, 64, 3, &o);
	json_t *t = load_trace(path);
	json_t *ev = json_object_get(t, "traceEvents");

	/* names survive escaping */
	const char *pn = meta_name(ev, "process_name", 1, -1);
	ck_assert(pn && strstr(pn, odd));
	/* one track per engine and a track group per HP port */
	const char *want[] = {"TLMM", "RP", "PCAP", "ARM"};
	int tid_of[4] = {0};
	for (int k = 0; k < 4; k++)
		for (int tid = 1; tid < 10 && !tid_of[k]; tid++) {
			const char *n = meta_name(ev, "thread_name", 1, tid);
			if (n && strstr(n, want[k]))
				tid_of[k] = tid;
		}
	for (int k = 0; k < 4; k++)
		ck_assert_msg(tid_of[k], "no %s track", want[k]);
	for (int h = 0; h < C.dev.n_hp; h++) {
		bool found = false;
		for (int pid = 2; pid < 64 && !found; pid++) {
			const char *n = meta_name(ev, "process_name", pid, -1);
			found = n && strncmp(n, C.dev.hp[h].name, strlen(C.dev.hp[h].name)) == 0;
		}
		ck_assert_msg(found, "no track group for %s", C.dev.hp[h].name);
	}

	/* spans: the swap on PCAP overlaps the last layer's FFN on the TLMM */
	double sw0 = -1, sw1 = -1;
	int n_x = 0, n_port = 0, n_overlap = 0, n_lm = 0;
	size_t i;
	json_t *e;
	json_array_foreach(ev, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "ph")), "X"))
			continue;
		n_x++;
		int pid = (int)json_integer_value(json_object_get(e, "pid"));
		int tid = (int)json_integer_value(json_object_get(e, "tid"));
		const char *nm = json_string_value(json_object_get(e, "name"));
		double ts = json_number_value(json_object_get(e, "ts")), dur = json_number_value(json_object_get(e, "dur"));
		ck_assert(ts >= 0 && dur >= 0);
		if (pid != 1)
			n_port++;
		if (pid == 1 && tid == tid_of[2] && strncmp(nm, "swap", 4) == 0) {
			sw0 = ts;
			sw1 = ts + dur;
		}
		if (pid == 1 && tid == tid_of[3])
			n_lm++;
	}
	ck_assert(sw0 >= 0);
	ck_assert_double_eq_tol((sw1 - sw0) * 1e-6, r.f.swap_s, 1e-9);
	json_array_foreach(ev, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "ph")), "X") ||
		    json_integer_value(json_object_get(e, "pid")) != 1 ||
		    json_integer_value(json_object_get(e, "tid")) != tid_of[0])
			continue;
		double ts = json_number_value(json_object_get(e, "ts")), dur = json_number_value(json_object_get(e, "dur"));
		if (ts < sw1 && ts + dur > sw0)
			n_overlap++;
	}
	ck_assert_int_ge(n_overlap, W.n_mats - W.n_pre_attn); /* O projection and FFN */
	ck_assert_int_eq(n_lm, 1 + 3);
	ck_assert_int_gt(n_port, 0);
	ck_assert_int_gt(n_x, W.layers * W.n_mats * 4);
	json_decref(t);

	/* the same run writes the same bytes */
	char *a = tu_read(path, NULL);
	run(&d, 64, 3, &o);
	char *b = tu_read(path, NULL);
	ck_assert(strcmp(a, b) == 0);
	free(a);
	free(b);
	unlink(path);
}
END_TEST

/* The end (us) of the X span named `name` on track (pid, tid), -1 without one. */
static double span_end(json_t *ev, int pid, int tid, const char *name)
{
	size_t i;
	json_t *e;
	double end = -1;
	json_array_foreach(ev, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "ph")), "X") ||
		    json_integer_value(json_object_get(e, "pid")) != pid ||
		    json_integer_value(json_object_get(e, "tid")) != tid ||
		    strcmp(json_string_value(json_object_get(e, "name")), name))
			continue;
		double t1 = json_number_value(json_object_get(e, "ts")) + json_number_value(json_object_get(e, "dur"));
		if (end < 0)
			end = t1; /* the first: the prefill pass's */
	}
	return end;
}

/*
 * The milestones (instant events, cat milestone): a dpr design's swap
 * trigger at the end of the last layer's prefill attention, the decode RM
 * loaded one swap later, the first token at the TTFT; a static design has
 * only the first token.  In memory (trace_log) as in the file.
 */
START_TEST(trace_marks_the_milestones)
{
	const char *names[2] = {"pdswap", "tellme"};
	for (int k = 0; k < 2; k++) {
		design_t d = named(names[k]);
		char path[] = "/tmp/pdswap-trace-XXXXXX";
		int fd = mkstemp(path);
		ck_assert(fd >= 0);
		close(fd);
		des_opts o = {.trace_path = path, .name = names[k]};
		des_result r = run(&d, 48, 2, &o);
		json_t *t = load_trace(path);
		json_t *ev = json_object_get(t, "traceEvents");
		double at[TRACE_MILESTONES] = {-1, -1, -1};
		int n = 0;
		size_t i;
		json_t *e;
		json_array_foreach(ev, i, e)
		{
			if (strcmp(json_string_value(json_object_get(e, "ph")), "i"))
				continue;
			n++;
			ck_assert_str_eq(json_string_value(json_object_get(e, "cat")), "milestone");
			ck_assert_str_eq(json_string_value(json_object_get(e, "s")), "g");
			const char *nm = json_string_value(json_object_get(e, "name"));
			for (int m = 0; m < TRACE_MILESTONES; m++)
				if (strcmp(nm, trace_milestone_names[m]) == 0)
					at[m] = json_number_value(json_object_get(e, "ts"));
		}
		ck_assert_double_eq_tol(at[TRACE_MS_FIRST_TOKEN], r.f.ttft_s * 1e6, 1e-6);
		if (d.mode == MODE_DPR) {
			ck_assert_int_eq(n, 3);
			char last[48];
			snprintf(last, sizeof last, "attention layer %d", W.layers - 1);
			/* the RP track is tid 3 (TID_RP) */
			ck_assert_double_eq_tol(at[TRACE_MS_SWAP_TRIGGER], span_end(ev, 1, 3, last), 1e-6);
			ck_assert_double_eq_tol((at[TRACE_MS_DECODE_LOADED] - at[TRACE_MS_SWAP_TRIGGER]) * 1e-6, r.f.swap_s,
						1e-12);
		} else {
			ck_assert_int_eq(n, 1);
		}
		json_decref(t);
		unlink(path);
		/* the same events kept in memory */
		trace_log log = {0};
		des_opts ol = {.trace_log = &log, .name = names[k]};
		run(&d, 48, 2, &ol);
		int ni = 0;
		for (size_t j = 0; j < log.n; j++)
			if (log.ev[j].kind == 'I') {
				ni++;
				ck_assert_int_eq(log.ev[j].t0_ps, log.ev[j].t1_ps);
			}
		ck_assert_int_eq(ni, n);
		trace_log_free(&log);
	}
}
END_TEST

START_TEST(objective_from_three_runs)
{
	design_t d = named("pdswap");
	des_obj ob;
	char err[256];
	ck_assert_int_eq(des_objective(&C, &W, &d, NULL, &ob, err, sizeof err), 0);
	des_result a = run(&d, C.obj.prompt, 0, NULL), b = run(&d, C.obj.l_long - 1, 1, NULL);
	ck_assert(ob.ttft_s == a.f.ttft_s && ob.step_long_s == b.f.decode_first_step_s);
	ck_assert_double_eq_tol(ob.objective,
				ob.ttft_s + C.obj.alpha * ob.step_long_s + (1 - C.obj.alpha) * ob.step_short_s, 1e-12);
	ck_assert(ob.step_long_s > ob.step_short_s);
}
END_TEST

Suite *des_suite(void)
{
	Suite *s = suite_create("des");
	TCase *core = tcase_create("core");
	tcase_add_test(core, evq_ties_run_in_scheduling_order);
	tcase_add_test(core, evq_same_time_from_callback_runs_last);
	tcase_add_test(core, evq_heap_order_with_cancels);
	tcase_add_test(core, evq_memory_bounded_by_pending_events);
	suite_add_tcase(s, core);

	TCase *mem = tcase_create("memory path");
	tcase_add_checked_fixture(mem, setup, teardown);
	tcase_add_test(mem, one_port_at_peak_moves_n_bytes_in_time);
	tcase_add_test(mem, outstanding_limited_rate);
	tcase_add_test(mem, two_streams_share_a_port);
	tcase_add_test(mem, one_master_shares_its_outstanding_limit);
	tcase_add_test(mem, hp1_hp2_capped_by_their_controller_port);
	tcase_add_test(mem, all_ports_capped_by_ddr);
	tcase_add_test(mem, q_preload_holds_other_masters);
	tcase_add_test(mem, pcap_linear_in_bytes_and_matches_measurements);
	tcase_add_test(mem, pcap_slows_with_ddr_load);
	suite_add_tcase(s, mem);

	TCase *runs = tcase_create("runs");
	tcase_add_checked_fixture(runs, setup, teardown);
	tcase_set_timeout(runs, 60);
	tcase_add_test(runs, contention_free_agrees_with_analytic);
	tcase_add_test(runs, prefetch_hides_weight_loading_behind_attention);
	tcase_add_test(runs, exposed_swap_is_swap_minus_tail);
	tcase_add_test(runs, bytes_per_stream_match_the_workload);
	tcase_add_test(runs, same_run_same_figures_in_any_thread);
	tcase_add_test(runs, memory_bounded_by_events_in_flight);
	tcase_add_test(runs, bad_arguments_are_refused);
	tcase_add_test(runs, trace_loads_with_tracks_and_visible_swap);
	tcase_add_test(runs, trace_marks_the_milestones);
	tcase_add_test(runs, objective_from_three_runs);
	suite_add_tcase(s, runs);
	return s;
}
