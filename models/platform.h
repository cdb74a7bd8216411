/*
 * platform.h - the rates of the PS-PL platform: HP ports, DDR-controller
 * ports, the DDR, and PCAP.  One definition that the analytic model
 * (perf.c) and the discrete-event model (sim/des.c, sim/ddr.c) share.
 *
 *   raw        one direction of HP port h at PL clock f:
 *                  width/8 x min(f, port max clock)                   B/s
 *   channel    what the port moves for any master (port and DDR
 *              physics, [FPT19]): raw x eta_port                      B/s
 *   loader     what the static region's weight loader gets from it (its
 *              256-bit masters into 128-bit ports, its burst pattern;
 *              fitted to the baseline's weight stream): raw x eta_wload  B/s
 *   in flight  a master's AXI bursts outstanding on port h over one round
 *              trip (Little's law):
 *                  outstanding x min(burst, axi_max_burst) x width/8 / ddr_latency   B/s
 *   master     the cap of one master on one port: in flight, and for the
 *              weight loader also its loader rate
 *   stream     what one master's stream gets alone: min(channel, master)
 *   controller a DDR-controller port (HP ports wired to it share it):
 *                  peak_gb_s x 1e9                                    B/s
 *   DDR        everything together: peak_gb_s x 1e9 x ddr_efficiency B/s
 *   PCAP       a partial bitstream of B bytes at idle DDR:
 *                  stream  B / (pcap_rate_mb_s x 1e6)                 s
 *                  idle    stream + pcap_setup_ms x 1e-3              s
 *
 * Where the in-flight bound is below the channel, `outstanding` and the
 * burst length set the stream's rate; above it they change nothing.
 */
#ifndef PDS_PLATFORM_H
#define PDS_PLATFORM_H

#include <stdbool.h>

#include "models/cfg.h"

double platform_raw_b_per_s(const cfg_t *c, int h, double f_hz);
double platform_channel_b_per_s(const cfg_t *c, int h, double f_hz);
double platform_loader_b_per_s(const cfg_t *c, int h, double f_hz);
double platform_inflight_b_per_s(const cfg_t *c, int h, int burst, int outstanding);
/* weights: the static region's weight loader (loader and in-flight caps), else an attention engine */
double platform_master_b_per_s(const cfg_t *c, int h, double f_hz, bool weights, int burst, int outstanding);
double platform_stream_b_per_s(const cfg_t *c, int h, double f_hz, bool weights, int burst, int outstanding);
double platform_ctrl_b_per_s(const cfg_t *c, int k);
double platform_ddr_b_per_s(const cfg_t *c);

double platform_pcap_stream_s(const cfg_t *c, double bytes);
double platform_pcap_idle_s(const cfg_t *c, double bytes);

#endif
