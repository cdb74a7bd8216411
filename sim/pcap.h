/*
 * pcap.h - the PS-driven configuration port: one partial bitstream at a time.
 *
 * A transfer is a fixed setup time (the PS programming the CSU DMA,
 * fitted as the intercept of the measured reconfiguration times) followed
 * by the bitstream streamed from DDR at the PCAP rate (fitted as their
 * slope), slowed while the DDR is busy:
 *     rate(t) = pcap_rate / (1 + pcap_slowdown x load(t))
 * where load(t) is the PL traffic's share of the DDR capacity at that
 * moment (ddr.h).  On an idle DDR the time is exactly
 *     setup + bytes / pcap_rate,
 * linear in bytes, the line fitted to the PS-driven measurements of
 * calibration.pcap.  The PS software path of a swap (driver, decoupling)
 * is not part of a PCAP transfer; the caller adds it.
 *
 * Ownership: pcap is a plain struct pointing at an evq and a ddr it does
 * not own; nothing to release.
 */
#ifndef PDS_PCAP_H
#define PDS_PCAP_H

#include <stdbool.h>
#include <stdint.h>

#include "models/cfg.h"
#include "sim/ddr.h"
#include "sim/evq.h"

typedef struct {
	double rate_b_per_s; /* idle-DDR stream rate */
	int64_t setup_ps;
	double slowdown; /* extra time at full DDR load, as a fraction */
	int stream;      /* ddr stream label of the bitstream bytes */
} pcap_params;

typedef struct {
	evq *q;
	ddr *m;
	pcap_params p;
	double bytes;
	evq_fn fn;
	void *ctx;
	uint64_t tag;
	bool busy;
	int64_t t_start, t_stream, t_end; /* of the last transfer */
} pcap;

/* The PCAP coefficients of a config (calibration.pcap_*). */
pcap_params pcap_params_of(const cfg_t *c, int stream);

void pcap_init(pcap *x, evq *q, ddr *m, const pcap_params *p);

/*
 * Load `bytes` of bitstream; fn(ctx, tag) runs when the last byte is in.
 * Returns 0, or -1 when a transfer is already running (the port does one
 * at a time) or memory ran out.
 */
int pcap_start(pcap *x, double bytes, evq_fn fn, void *ctx, uint64_t tag);

#endif
