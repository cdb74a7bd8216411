/*
 * utilrpt.h - read a Vivado report_utilization text report into a hwreport.
 *
 * There is no library for this format, so it is read by its structure
 * rather than by line positions, which move between versions and families:
 *
 * Header block.  Lines "| KEY : VALUE" before the first table: Tool Version
 * ("Vivado v.2023.2 (lin64) Build ...", required; tool_version is the
 * version after "v."), Device (the part, required), Design (top), Design
 * State (design_state) and Command, which when present must be a
 * report_utilization command (the same header opens every Vivado report).
 *
 * Site tables.  A table is found by its header row, whose first cell is
 * "Site Type"; its columns are found by name, so the 4-, 5- and 6-column
 * layouts (Site Type | Used | [Fixed |] [Prohibited |] Available | Util%)
 * and the -pblocks layout (Site Type | Parent | Child | Non-Assigned | Used
 * | ... ) read alike.  Rows are split on '|' and trimmed; a trailing '*'
 * (Vivado's footnote mark, as in "CLB LUTs*" after synthesis) is dropped;
 * indented rows are the breakdown of the row above and are not read.  The
 * rows read, by family:
 *     lut     CLB LUTs (UltraScale, UltraScale+) or Slice LUTs (7 series)
 *     ff      CLB Registers or Slice Registers
 *     bram36  Block RAM Tile (fractional: a RAMB18 counts 0.5)
 *     uram    URAM (UltraScale+ parts that have it; else not given)
 *     dsp     DSPs
 * from the first table that has them.  res takes the Used column, avail the
 * Available column; in a -pblocks report these are the totals of the
 * pblock's area, and the pblock row (named from the Command's -pblocks
 * argument) takes the Parent, Child and Non-Assigned columns.
 *
 * Hierarchical table.  A -hierarchical report has one table whose header
 * starts "Instance | Module"; each row is an instance (depth from its
 * indentation, two spaces a level), with lut from Total LUTs, ff from FFs,
 * bram36 = RAMB36 + RAMB18/2, uram from URAM and dsp from DSP48 Blocks (or
 * DSP Blocks).  The first row, the top, gives res; there is no Available.
 *
 * Refused with "NAME:LINE: message" (lines counted from 1): an empty file,
 * no Tool Version or Device line, a Command other than report_utilization,
 * no site or hierarchical table, no LUT row, a table header without a Used
 * (or Total LUTs and FFs) column, a row that does not have as many cells
 * as its header or is not closed by '|', a figure that is not a number.
 */
#ifndef PDS_UTILRPT_H
#define PDS_UTILRPT_H

#include <stddef.h>

#include "import/hwreport.h"

/*
 * Parse the len bytes at buf (named `name` in messages and in r->file) into
 * r (hwreport_init'ed).  Returns 0, or PDS_FAIL with the message in err.
 */
int utilrpt_parse(const char *name, const char *buf, size_t len, hwreport *r, char *err, size_t errlen);

#endif
