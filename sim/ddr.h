/*
 * ddr.h - the PS-PL memory path as flows: HP ports, DDR-controller ports,
 * the DDR itself, and the PS-side masters (PCAP).
 *
 * A transfer is a flow of B bytes through one HP port in one direction
 * (reads and writes use separate AXI channels).  Its rate, in bytes per
 * picosecond, is the max-min fair share (progressive filling) of the
 * capacities it crosses:
 *   - the master's limit on that port and direction: its AXI bursts in
 *     flight, outstanding x burst_beats x width_bytes / round-trip latency,
 *     and for the weight loader also its own efficiency (platform.h); the
 *     flows of one master on one port share it;
 *   - the port channel: width x clock x eta_port;
 *   - the DDR-controller port the HP port is wired to (reads and writes
 *     together; HP1 and HP2 share S4 on the KV260);
 *   - the DDR: peak x efficiency, shared by everything.
 * Rates are recomputed only when a flow starts or drains (one deferred
 * recomputation per picosecond at which the set of flows changed), and a
 * flow's drain event is moved only when its rate changed.  Bytes left are a
 * double updated at rate changes; time stays integer picoseconds (a drain
 * is scheduled at ceil(bytes left / rate)).
 *
 * PS-side flows (PCAP reading the partial bitstream) cross only the DDR.
 * Their rate is base / (1 + slowdown x load), load being the PL flows'
 * share of the DDR capacity at that moment (the measured slowdown of
 * PS-driven reconfiguration under DDR load), capped by what the PL flows
 * leave of the DDR.
 *
 * A port hold (the decode RM loading Q "while other traffic waits") gives
 * every flow of another master on the held ports a rate of zero until the
 * hold is released.
 *
 * The drain callback runs at the picosecond the last byte leaves the port;
 * the round-trip latency of the last burst is the caller's to add (one
 * event per transfer, not per flow).
 *
 * Ownership: ddr is a plain struct (ddr_init / ddr_release) pointing at an
 * evq it does not own.  Flow storage grows with the flows in flight only.
 * Out of memory sets `oom` and stops the queue.
 */
#ifndef PDS_DDR_H
#define PDS_DDR_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/evq.h"

#define DDR_MAX_HP 8
#define DDR_MAX_CTRL 8
#define DDR_MAX_MASTERS 4
#define DDR_MAX_STREAMS 8

enum { DDR_RD, DDR_WR };

typedef struct {
	int n_hp, n_ctrl, n_masters;
	double chan_b_per_s[DDR_MAX_HP]; /* one direction of one HP port */
	int ctrl_of[DDR_MAX_HP];
	double ctrl_b_per_s[DDR_MAX_CTRL];
	double ddr_b_per_s;
	/* outstanding-limited rate of each master on each port, per direction */
	double master_b_per_s[DDR_MAX_MASTERS][DDR_MAX_HP];
} ddr_params;

/* Called when a flow starts (delta +1) and drains (delta -1), for traces. */
typedef void (*ddr_flow_hook)(void *ctx, int port, int stream, uint64_t tag, int delta);

struct ddr_flow;

/* Constraint ids: 2*n_hp channels, n_ctrl controller ports, 1 DDR, then
 * n_masters*n_hp*2 master caps. */
#define DDR_MAX_CONS (2 * DDR_MAX_HP + DDR_MAX_CTRL + 1 + DDR_MAX_MASTERS * DDR_MAX_HP * 2)

typedef struct {
	evq *q;
	ddr_params p;
	double cap[DDR_MAX_CONS]; /* bytes per ps */
	int n_cons;
	struct ddr_flow *flow; /* storage */
	uint32_t n_flow, cap_flow, free_head;
	uint32_t *act; /* active flows */
	uint32_t n_act;
	bool realloc_pending, oom;
	uint32_t hold_ports;
	int hold_master;
	/* accounting */
	double moved[DDR_MAX_HP];        /* bytes drained through each port */
	int busy_n[DDR_MAX_HP];          /* flows in flight on the port */
	int64_t busy_since[DDR_MAX_HP], busy_ps[DDR_MAX_HP];
	double stream_bytes[DDR_MAX_STREAMS]; /* bytes requested per stream */
	uint64_t reallocs;
	ddr_flow_hook hook;
	void *hook_ctx;
} ddr;

/* Set up an idle memory system on queue q.  Capacities must be > 0. */
void ddr_init(ddr *m, evq *q, const ddr_params *p);
void ddr_release(ddr *m);

/* Give `master` new per-port rates (a module of other AXI settings loaded
 * into the partition); it must have no flow in flight. */
void ddr_set_master(ddr *m, int master, const double *b_per_s);

/*
 * Start a transfer of `bytes` through HP port `port` in direction `dir`
 * for `master`; `stream` (< DDR_MAX_STREAMS) labels its bytes.  fn(ctx,
 * tag) runs when the last byte has moved (at once, through the queue, for
 * bytes <= 0).  Returns 0, or -1 when out of memory.
 */
int ddr_start(ddr *m, int port, int dir, int master, int stream, double bytes, evq_fn fn, void *ctx,
	      uint64_t tag);

/* A PS-side transfer (crosses the DDR only) at base_b_per_s / (1 +
 * slowdown x PL load).  Returns 0 or -1 as ddr_start. */
int ddr_start_ps(ddr *m, int stream, double bytes, double base_b_per_s, double slowdown, evq_fn fn,
		 void *ctx, uint64_t tag);

/* Hold every other master's flows on `ports` (a mask) for `master`;
 * ddr_hold(m, 0, -1) releases. */
void ddr_hold(ddr *m, uint32_t ports, int master);

/* Bytes moved through a port up to now, and the time it had a flow in
 * flight (both directions together). */
double ddr_port_bytes(const ddr *m, int port);
int64_t ddr_port_busy_ps(const ddr *m, int port);


#endif
