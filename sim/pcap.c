/*
 * pcap.c - setup delay, then a PS-side DDR flow whose rate falls with the
 * DDR load; see pcap.h.
 */
#include "sim/pcap.h"

#include <math.h>

pcap_params pcap_params_of(const cfg_t *c, int stream)
{
	pcap_params p;
	p.rate_b_per_s = c->cal.pcap_rate_mb_s.value * 1e6; /* MB/s as in the fit: 1e6 bytes */
	p.setup_ps = llround(c->cal.pcap_setup_ms.value * 1e9);
	p.slowdown = c->cal.pcap_slowdown.value;
	p.stream = stream;
	return p;
}

void pcap_init(pcap *x, evq *q, ddr *m, const pcap_params *p)
{
	x->q = q;
	x->m = m;
	x->p = *p;
	x->busy = false;
	x->t_start = x->t_stream = x->t_end = 0;
}

static void streamed(void *ctx, uint64_t arg)
{
	(void)arg;
	pcap *x = ctx;
	x->busy = false;
	x->t_end = x->q->now_ps;
	x->fn(x->ctx, x->tag);
}

static void setup_done(void *ctx, uint64_t arg)
{
	(void)arg;
	pcap *x = ctx;
	x->t_stream = x->q->now_ps;
	ddr_start_ps(x->m, x->p.stream, x->bytes, x->p.rate_b_per_s, x->p.slowdown, streamed, x, 0);
}

int pcap_start(pcap *x, double bytes, evq_fn fn, void *ctx, uint64_t tag)
{
	if (x->busy)
		return -1;
	x->busy = true;
	x->bytes = bytes;
	x->fn = fn;
	x->ctx = ctx;
	x->tag = tag;
	x->t_start = x->q->now_ps;
	evq_after(x->q, x->p.setup_ps, setup_done, x, 0);
	return evq_failed(x->q) ? -1 : 0;
}
