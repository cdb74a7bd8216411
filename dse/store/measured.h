/*
 * measured.h - imported reports of the real build as measurements in
 * results.db (schema 5): the `measurements` table, one row per report and
 * what it was imported as, read through the documented view v_measured;
 * and `run_measurements`, the measurements a run took.
 *
 * What applies to a config: a measurement is of a part and of a model,
 * not of one config file (calibrate --write changes the file, not the
 * board), so the rows that apply are those with the config's device part
 * (compared as hwreport_part_key() writes it) and its model key
 * (measured_model_key(): every size of the model section that shapes an
 * engine).  Names a row refers to (a pblock, port maps) must be the
 * config's, else the row is passed over (counted).
 *
 * Ownership: plain structs; strings are the caller's.  Errors: 0, or -1
 * with a message naming the database (store_errmsg() for the writers, err
 * for the reader).
 */
#ifndef PDS_MEASURED_H
#define PDS_MEASURED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/cfg.h"
#include "store/store.h"

struct sqlite3;

/* Resource columns of a row, in this order: lut, ff, bram18, bram36, dsp, uram. */
enum { MEASURED_LUT, MEASURED_FF, MEASURED_BRAM18, MEASURED_BRAM36, MEASURED_DSP, MEASURED_URAM, MEASURED_NRES };

/* One row of `measurements`: NULL strings and NAN figures are stored as NULL,
 * integers <= 0 (ids < 0) as NULL. */
typedef struct {
	const char *file, *sha256, *kind, *tool_version, *part, *top, *design_state;
	const char *config_path, *config_sha256, *device_part, *model_key;
	const char *target;      /* design, point or engine */
	const char *target_text; /* what it was imported as, in words */
	const char *design_name; /* the design's name (a named design or a point of one) */
	int64_t run_id, point_id;
	const char *scope;       /* cfg_meas_scope_names */
	const char *mode;        /* of a design, NULL for an engine */
	int clock_mhz;
	int tlmm_tables, tlmm_lanes, pre_pe, pre_lanes, pre_block, dec_lanes;
	const char *dec_dataflow, *pblock, *pm_prefill, *pm_decode;
	int loop_bound;
	double target_clock_ns, estimated_clock_ns;
	double latency[3];  /* best, average, worst */
	double interval[2]; /* min, max */
	double res[MEASURED_NRES], avail[MEASURED_NRES];
	const char *report_json; /* the record as `import --json` prints it */
} measured_row;

/* The model key of c: "layers=24,hidden=1536,..." (out of at least 256 bytes). */
void measured_model_key(const cfg_t *c, char *out, size_t outsz);
/* The device part of c as it is compared (hwreport_part_key). */
void measured_part_key(const cfg_t *c, char *out, size_t outsz);

/*
 * Store m inside the caller's transaction: 0 with *id its measurement_id and
 * *existed false; or, when a row with the same sha256, target_text and
 * scope is already there, 0 with *id that row's and *existed true (nothing
 * written).  -1 with store_errmsg() set.
 */
int measured_put(store *s, const measured_row *m, int64_t *id, bool *existed);

/* Record that run `run_id` took measurement `id` as `use` ("profile" or
 * "respect"), inside the caller's transaction. */
int measured_put_use(store *s, int64_t run_id, int64_t id, const char *use);

/* The measurements run `run_id` took, as "profile:1,2;respect:3" (ids
 * ascending; "" for none), into out. */
int measured_run_key(store *s, int64_t run_id, char *out, size_t outsz);

/*
 * Load the measurements that apply to c into c->imports (see above), in
 * measurement_id order; *passed_over counts those that refer to names c
 * does not define.  A database older than schema 5 holds none (0, n 0).
 * More than CFG_MAX_IMPORTS that apply is an error.  Returns 0 or -1.
 */
int measured_load(struct sqlite3 *db, const char *path, cfg_t *c, int *passed_over, char *err, size_t errlen);

/* The measurements run `run_id` took as profiles (run_measurements), into
 * c->imports, whatever part and model they are of: what the run's figures
 * were computed with.  A database older than schema 5 holds none. */
int measured_load_run(struct sqlite3 *db, const char *path, cfg_t *c, int64_t run_id, int *passed_over, char *err,
		      size_t errlen);

/* The key of the measurements c holds: "profile:1,2,5" and, when
 * respect_ids is given (n_respect > 0), ";respect:3"; "" for none. */
void measured_cfg_key(const cfg_t *c, const int64_t *respect_ids, int n_respect, char *out, size_t outsz);

#endif
