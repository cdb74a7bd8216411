/*
 * platform.h - the rates of the PS-PL platform: HP ports, DDR-controller
 * ports, the DDR, and PCAP.  One definition that the analytic model
 * (perf.c) and the discrete-event model (sim/des.c, sim/ddr.c) share.
 *
 *   channel    one direction of HP port h at PL clock f:
 *                  width/8 x min(f, port max clock) x eta_port        B/s
 *   in flight  a master's AXI bursts outstanding on port h:
 *                  outstanding x min(burst, axi_max_burst) x width/8 / ddr_latency   B/s
 *   stream     what one master's stream gets alone: min(channel, in flight)
 *   controller a DDR-controller port (HP ports wired to it share it):
 *                  peak_gb_s x 1e9                                    B/s
 *   DDR        everything together: peak_gb_s x 1e9 x ddr_efficiency B/s
 *   PCAP       a partial bitstream of B bytes at idle DDR:
 *                  stream  B / (pcap_rate_mb_s x 1e6)                 s
 *                  idle    stream + pcap_setup_ms x 1e-3              s
 */
#ifndef PDS_PLATFORM_H
#define PDS_PLATFORM_H

#include "models/cfg.h"

double platform_channel_b_per_s(const cfg_t *c, int h, double f_hz);
double platform_inflight_b_per_s(const cfg_t *c, int h, int burst, int outstanding);
double platform_stream_b_per_s(const cfg_t *c, int h, double f_hz, int burst, int outstanding);
double platform_ctrl_b_per_s(const cfg_t *c, int k);
double platform_ddr_b_per_s(const cfg_t *c);

double platform_pcap_stream_s(const cfg_t *c, double bytes);
double platform_pcap_idle_s(const cfg_t *c, double bytes);

#endif
