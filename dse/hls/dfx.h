/*
 * dfx.h - the Vivado Dynamic Function eXchange floorplan of a dpr design:
 * the pblock of its reconfigurable partition as Tcl/XDC, the skeleton of
 * a project-mode DFX build, and the partial bitstream it implies.
 *
 * In: a dpr design of a config whose device has a clock-region grid
 * (models/floorplan.h); its pblock's site ranges, snapped to whole
 * clock-region rows (URAM288 ranges as they are, floorplan.h says why).
 * Out, written by dfx_write() into a directory, all or nothing:
 *
 *   pds_floorplan.xdc    create_pblock; add_cells_to_pblock of the
 *                        partition's cell; resize_pblock -add, one site
 *                        range per line (RAMB36 ranges with their RAMB18
 *                        twins, Y doubled); SNAPPING_MODE ON.  The comment
 *                        block names the clock regions it spans, what the
 *                        ranges hold and what the larger RM needs of it
 *                        (LUT and FF within the routability margin).
 *   pds_dfx_project.tcl  for a Vivado project that holds the static design
 *                        with the partition as a black-box cell: PR_FLOW,
 *                        create_partition_def of the partition's module,
 *                        create_reconfig_module for the prefill and the
 *                        decode RM (each a module of that name; their
 *                        sources are the user's to add), the XDC above,
 *                        create_pr_configuration for each RM, the parent
 *                        run on the prefill configuration and a child run
 *                        for the decode one.
 *   pds_dfx.json         the same numbers for programs: the pblock, its
 *                        ranges, tiles, capacity, the RMs' resources, the
 *                        frames by column type and the partial bitstream.
 *
 * The bitstream: frames of the column segments the ranges cover
 * (engine_pblock_frames) x frame_bytes + the fixed overhead: the very
 * figure (engine_bitstream_bytes) the PCAP model of perf.h and of the DES
 * reconfigures with.  dfx_plan() refuses a static design, a device
 * without a grid and a design whose RMs do not fit the pblock (the
 * resource rules of perf_resources).  The same input gives the same
 * bytes.
 */
#ifndef PDS_DFX_H
#define PDS_DFX_H

#include <stddef.h>
#include <stdint.h>

#include "models/cfg.h"

#define DFX_N_FILES 3
extern const char *const dfx_file_names[DFX_N_FILES];

/* Names in the user's design. */
typedef struct {
	const char *rp_cell;   /* hierarchical cell of the partition */
	const char *rp_module; /* its module: the partition definition and both RMs */
} dfx_names;

#define DFX_DEFAULT_CELL "pds_top_i/attention_rp"
#define DFX_DEFAULT_MODULE "pds_attention_rp"

typedef struct {
	const cfg_pblock *pb;
	int c0, r0, c1, r1;  /* clock regions X<c0>Y<r0> .. X<c1>Y<r1> */
	res_t cap;           /* what the ranges hold */
	res_t usable;        /* what an RM may use of it (LUT, FF within the margin) */
	res_t r_pre, r_dec;  /* the RMs (analytic model) */
	int64_t frames_clb, frames_dsp, frames_bram, frames_uram, frames_int, frames;
	double bitstream_bytes;
	double pcap_idle_s;     /* its transfer at idle DDR, setup included */
	int prompt;             /* objective.prompt */
	double swap_s, swap_exposed_s; /* the analytic swap after that prompt */
	int n_widened;          /* ranges that snapping widened */
} dfx_plan;

/* Plan the floorplan of design d: 0, or PDS_FAIL_REQUEST (a static design,
 * no grid) / PDS_FAIL (the RMs do not fit) with err set. */
int dfx_plan_of(const cfg_t *c, const design_t *d, dfx_plan *p, char *err, size_t errlen);

/* The three files' text (malloc'd, free each); -1 on out of memory. */
int dfx_render(const cfg_t *c, const design_t *d, const char *design_name, const dfx_plan *p, const dfx_names *n,
	       char *texts[DFX_N_FILES], char *err, size_t errlen);

/* Write the three files into outdir (made if absent; its parent must
 * exist): 0, or PDS_FAIL with err set and nothing written. */
int dfx_write(const cfg_t *c, const design_t *d, const char *design_name, const dfx_plan *p, const dfx_names *n,
	      const char *outdir, char *err, size_t errlen);

#endif
