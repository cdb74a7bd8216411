/*
 * platform.c - see platform.h.  The expressions keep one order of
 * operations so that every model computes the same bits.
 */
#include "models/platform.h"

double platform_raw_b_per_s(const cfg_t *c, int h, double f_hz)
{
	const cfg_hp *hp = &c->dev.hp[h];
	double clk = f_hz < hp->max_clock_mhz * 1e6 ? f_hz : hp->max_clock_mhz * 1e6;
	return hp->width_bits / 8.0 * clk;
}

double platform_channel_b_per_s(const cfg_t *c, int h, double f_hz)
{
	return platform_raw_b_per_s(c, h, f_hz) * c->cal.eta_port.value;
}

double platform_loader_b_per_s(const cfg_t *c, int h, double f_hz)
{
	return platform_raw_b_per_s(c, h, f_hz) * c->cal.eta_wload.value;
}

double platform_inflight_b_per_s(const cfg_t *c, int h, int burst, int outstanding)
{
	int b = burst < c->dev.axi_max_burst_beats ? burst : c->dev.axi_max_burst_beats;
	double lat_s = c->cal.ddr_latency_ns.value * 1e-9;
	return (double)outstanding * b * (c->dev.hp[h].width_bits / 8.0) / lat_s;
}

double platform_master_b_per_s(const cfg_t *c, int h, double f_hz, bool weights, int burst, int outstanding)
{
	double inflight = platform_inflight_b_per_s(c, h, burst, outstanding);
	if (!weights)
		return inflight;
	double loader = platform_loader_b_per_s(c, h, f_hz);
	return loader < inflight ? loader : inflight;
}

double platform_stream_b_per_s(const cfg_t *c, int h, double f_hz, bool weights, int burst, int outstanding)
{
	double peak = platform_channel_b_per_s(c, h, f_hz);
	double m = platform_master_b_per_s(c, h, f_hz, weights, burst, outstanding);
	return m < peak ? m : peak;
}

double platform_ctrl_b_per_s(const cfg_t *c, int k)
{
	return c->dev.ddr.ctrl[k].peak_gb_s * 1e9;
}

double platform_ddr_b_per_s(const cfg_t *c)
{
	return c->dev.ddr.peak_gb_s * 1e9 * c->cal.ddr_efficiency.value;
}

double platform_pcap_stream_s(const cfg_t *c, double bytes)
{
	return bytes / (c->cal.pcap_rate_mb_s.value * 1e6);
}

double platform_pcap_idle_s(const cfg_t *c, double bytes)
{
	return platform_pcap_stream_s(c, bytes) + c->cal.pcap_setup_ms.value * 1e-3;
}
