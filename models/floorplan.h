/*
 * floorplan.h - pblocks as site ranges on the device's clock-region grid.
 *
 * In: the grid of cfg_grid (rows and columns of clock regions, the site
 * columns of each type every column holds, the sites of a column in one
 * region row) and a pblock's ranges, TYPE_X<x0>Y<y0>:TYPE_X<x1>Y<y1>.
 * Out: the ranges snapped to whole clock-region rows, the column segments
 * (tiles) they cover, which are what the rest of the model counts, and for
 * a pblock given as tile counts, ranges that cover exactly those counts.
 *
 * Snapping.  A configuration frame of UltraScale+ is one column of one
 * clock-region row high, so a partial bitstream carries every column
 * segment a range touches whole, and block RAM and LUTRAM of the static
 * region cannot share a reconfigured frame [UG909].  A range is snapped by
 * widening its Y extent to the rows it touches:
 *     y0' = floor(y0 / h) * h,   y1' = (floor(y1 / h) + 1) * h - 1,
 * h = the type's sites per column per region row.  URAM288 ranges keep
 * their extent (assumed: URAM holds no configuration-memory content, so
 * the static region's URAMs in the rest of a reconfigured URAM segment
 * keep working; UG909's list of what cannot share a frame names block
 * RAM, LUTRAM and SRLs), and the frames of every URAM segment they touch
 * are counted whole.  RAMB18 and RAMB36 ranges name the same columns (a
 * RAMB36 site is two RAMB18 sites, Y doubled): a pblock's block RAM is
 * the union of the segments of both, and its ranges are written in both
 * types.
 *
 * Tiles (column segments, cfg_pblock): clb_tiles = sum over SLICE ranges
 * of columns x rows touched; dsp_tiles likewise over DSP48E2; bram_tiles
 * over the union of RAMB36 and RAMB18 segments; uram_sites = the URAM288
 * sites; uram_rows = the URAM segments touched.  Ranges of one type may
 * not overlap (a site counted twice).
 *
 * Placement of a pblock given as tile counts n (per type, one band of h
 * clock-region rows, the fewest rows for which every type fits): full =
 * floor(n / h) columns of h rows and, when n mod h > 0, one more column of
 * n mod h rows, so the ranges cover exactly n segments; taken from the
 * highest X of the type and the top rows of the grid (assumed: away from
 * the processing system, which sits at the bottom left of a Zynq
 * UltraScale+ die).  URAM sites fill columns of h * per_row sites from the
 * top of the band.
 */
#ifndef PDS_FLOORPLAN_H
#define PDS_FLOORPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "models/cfg.h"

/*
 * Read "TYPE_X<x0>Y<y0>:TYPE_X<x1>Y<y1>" (one site alone, "TYPE_X<x>Y<y>",
 * is a range of one) into r; both ends of one type, x0 <= x1, y0 <= y1.
 * Returns 0, or -1 with a message (what is wrong in the text) in err.
 */
int floorplan_parse_range(const char *s, cfg_range *r, char *err, size_t errlen);

/* The range as Vivado writes it, "SLICE_X40Y0:SLICE_X56Y239". */
void floorplan_format_range(const cfg_range *r, char *out, size_t outsz);

/* Whether every site of r lies on grid g: 0, or -1 with a message. */
int floorplan_check_range(const cfg_grid *g, const cfg_range *r, char *err, size_t errlen);

/* r snapped to whole clock-region rows of g (a URAM288 range as it is). */
cfg_range floorplan_snap(const cfg_grid *g, cfg_range r);

/* Whether r begins and ends on clock-region row boundaries of g. */
bool floorplan_on_rows(const cfg_grid *g, const cfg_range *r);

/* The clock-region row of site row y of type t, and the clock-region
 * column holding site column x of type t (-1 when none does). */
int floorplan_region_row(const cfg_grid *g, cfg_site t, int y);
int floorplan_region_col(const cfg_grid *g, cfg_site t, int x);

/*
 * pb->given[0..n_ranges) as read from the config: check them on the grid,
 * snap them into pb->range, refuse overlaps, derive the tile counts.
 * Returns 0, or -1 with a message naming the range (by its index).
 */
int floorplan_derive(const cfg_device *dev, cfg_pblock *pb, char *err, size_t errlen);

/*
 * Ranges for a pblock given as tile counts (see above): fills given and
 * range (the same), n_ranges and uram_rows; the counts are unchanged.
 * Returns 0, or -1 with a message when the grid cannot hold them.
 */
int floorplan_place(const cfg_device *dev, cfg_pblock *pb, char *err, size_t errlen);

/*
 * The sites of type t in pb's ranges (RAMB18 and RAMB36 from the block RAM
 * segments: sites = segments x the type's per_row).
 */
long floorplan_sites(const cfg_grid *g, const cfg_pblock *pb, cfg_site t);

/* The smallest block of clock regions holding pb's ranges:
 * X<c0>Y<r0>..X<c1>Y<r1>. */
void floorplan_regions(const cfg_grid *g, const cfg_pblock *pb, int *c0, int *r0, int *c1, int *r1);

#endif
