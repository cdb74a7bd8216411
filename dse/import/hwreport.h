/*
 * hwreport.h - what one synthesis or implementation report says about a
 * design: the record `pdswap-dse import` prints, and the unit a measured
 * point is later made of.
 *
 * One record per file.  Two kinds:
 *   csynth       a Vitis HLS (or Vivado HLS) csynth XML report
 *                (import/csynth.h): clock, latency, interval and the
 *                estimated resources of the top function and, in newer
 *                versions, of each module;
 *   utilization  a Vivado report_utilization text report
 *                (import/utilrpt.h): resources used and available, with
 *                the pblock breakdown of a -pblocks report or the instance
 *                rows of a -hierarchical one.
 *
 * Every number is a hwreport_val: `set` is false when the report does not
 * give the figure (the element is missing, empty or "undef", the row or
 * column is absent), so "not given" is never confused with 0.  Units are in
 * the names: clock periods in ns, latencies and intervals in cycles of the
 * design's clock, resources in the units the report counts them in:
 *   lut, ff, dsp, uram  sites (LUTs, flip-flops, DSP slices, URAM blocks);
 *   bram18              18 Kb block RAM units (csynth BRAM_18K, where a
 *                       RAMB36 counts 2);
 *   bram36              36 Kb block RAM tiles, fractional (Vivado's "Block
 *                       RAM Tile" row, where a RAMB18 counts 0.5; in a
 *                       -hierarchical table, RAMB36 + RAMB18/2, the tiles
 *                       its two primitive columns occupy).
 * Neither BRAM unit is converted into the other in the record: a csynth
 * record has bram18 and no bram36, a utilization record bram36 and no
 * bram18.  Where figures of both kinds are compared (a csynth estimate
 * against a Vivado report, or against the model, which counts RAMB36
 * tiles), hwreport_bram36_equiv() gives the 36 Kb equivalent: bram36 when
 * the record has it, else bram18 / 2 (two RAMB18 halves make one RAMB36
 * tile); the raw figure stays as the report gives it.
 *
 * Part names: csynth writes the full name ("xck26-sfvc784-2LV-c"), while
 * some Vivado reports of 7-series parts write it without the "xc" family
 * prefix ("7z020clg484-1" for xc7z020clg484-1) and case varies ("2LV-c",
 * "2lv-c").  hwreport_same_part() compares them as cfg_part_key()
 * (models/cfg.h) writes them: lowercase, blanks and a leading "xc" dropped.
 *
 * JSON (hwreport_to_json, read back by hwreport_from_json): an object with,
 * in this order, file, kind, sha256, tool_version, part, top,
 * design_state, target_clock_ns, estimated_clock_ns, latency_cycles
 * {best, average, worst}, interval_cycles {min, max}, resources and
 * available {lut, ff, bram18, bram36, dsp, uram}, modules, pblocks and
 * instances.  Every key is always present; a figure not given is null, and
 * so is a list the report does not have.  modules: [{name,
 * estimated_clock_ns, latency_cycles, interval_cycles, resources}];
 * pblocks: [{name, lut, ff, bram36, dsp, uram (assigned to the pblock
 * itself), child: {lut, ff, bram36, dsp, uram}, non_assigned: {...}}];
 * instances: [{name, module, depth, lut, ff, bram36, dsp, uram}].
 * Integral figures print as JSON integers, others with the fewest digits
 * that read back to the same double.
 *
 * Ownership: a hwreport owns its strings and lists; hwreport_init() before
 * use, hwreport_release() after.  Functions that fill one leave it in a
 * state hwreport_release() can free, even on failure.
 */
#ifndef PDS_HWREPORT_H
#define PDS_HWREPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

typedef enum { HWREPORT_CSYNTH, HWREPORT_UTILIZATION } hwreport_kind;

/* Resource columns, in JSON order. */
enum { HWR_LUT, HWR_FF, HWR_BRAM18, HWR_BRAM36, HWR_DSP, HWR_URAM, HWR_N };
extern const char *const hwreport_res_names[HWR_N];

/* A figure and whether the report gives it. */
typedef struct {
	bool set;
	double v;
} hwreport_val;

typedef struct {
	hwreport_val r[HWR_N];
} hwreport_res;

typedef struct {
	hwreport_val best, average, worst;
} hwreport_latency;

typedef struct {
	hwreport_val min, max;
} hwreport_interval;

/* A row of csynth's ModuleInformation. */
typedef struct {
	char *name;
	hwreport_val estimated_clock_ns;
	hwreport_latency latency;
	hwreport_interval interval;
	hwreport_res res;
} hwreport_module;

/* The parent pblock of a -pblocks report: what is assigned to it, to its
 * children, and what lies in its area unassigned.  The area's totals (the
 * Used and Available columns) are the record's res and avail. */
typedef struct {
	char *name; /* NULL when the report does not name it */
	hwreport_res parent, child, non_assigned;
} hwreport_pblock;

/* A row of a -hierarchical table; depth 0 is the top. */
typedef struct {
	char *name, *module;
	int depth;
	hwreport_res res;
} hwreport_instance;

typedef struct {
	char *file;         /* the path it was read from */
	hwreport_kind kind;
	char sha256[65];    /* of the file's bytes; "" when not computed */
	char *tool_version; /* "2023.2" */
	char *part;         /* as the report writes it */
	int part_line;      /* line the part was read from, 0 if none */
	char *top;          /* top function / design; NULL if not given */
	int top_line;       /* line of the top, 0 if none */
	/* csynth: lines of TargetClockPeriod and of the timing and latency summaries, 0 if none */
	int target_clock_line, clock_line, latency_line;
	char *design_state; /* utilization: "Synthesized", "Fully Placed", ... */
	hwreport_val target_clock_ns, estimated_clock_ns;
	hwreport_latency latency;
	hwreport_interval interval;
	hwreport_res res, avail;
	bool has_modules, has_pblocks, has_instances;
	size_t n_modules, n_pblocks, n_instances;
	hwreport_module *modules;
	hwreport_pblock *pblocks;
	hwreport_instance *instances;
} hwreport;

void hwreport_init(hwreport *r);
void hwreport_release(hwreport *r);

/* "csynth" or "utilization". */
const char *hwreport_kind_name(hwreport_kind k);

/* Append a zeroed row (the list's has_ flag is set); NULL when out of memory. */
hwreport_module *hwreport_add_module(hwreport *r);
hwreport_pblock *hwreport_add_pblock(hwreport *r);
hwreport_instance *hwreport_add_instance(hwreport *r);

/* Replace *dst by a copy of the n bytes at s; -1 when out of memory. */
int hwreport_set_str(char **dst, const char *s, size_t n);

/*
 * Read the n bytes at s, less surrounding blanks, as a finite non-negative
 * decimal number ("12", "137.5", "7.674", "1e3").  Returns 0, or -1 when it
 * is anything else (empty included).
 */
int hwreport_number(const char *s, size_t n, double *v);

/* The record as a new JSON object (see above); NULL when out of memory. */
json_t *hwreport_to_json(const hwreport *r);

/* The record as one line of compact JSON (no newline), malloc'd; NULL when
 * out of memory.  Reading it back gives the same record. */
char *hwreport_json_line(const hwreport *r);

/*
 * Fill r (hwreport_init'ed) from a JSON object as hwreport_to_json writes
 * it.  Returns 0, or PDS_FAIL with "JSON: 'KEY' ..." in err.
 */
int hwreport_from_json(const json_t *o, hwreport *r, char *err, size_t errlen);

/* The block RAM of r in 36 Kb tiles: bram36 if set, else bram18 / 2 if set,
 * else not set (see above). */
hwreport_val hwreport_bram36_equiv(const hwreport_res *r);

/* Whether two part names name the same part (their keys are equal and not empty). */
bool hwreport_same_part(const char *a, const char *b);

/* Whether two records hold the same figures, strings and lists. */
bool hwreport_equal(const hwreport *a, const hwreport *b);

#endif
