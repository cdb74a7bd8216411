/*
 * space.h - the design space of a config as a mixed-radix number.
 *
 * design_space in the YAML lists values per knob; the space of one
 * architecture (mode) is the product of those lists, and the sweep covers
 * the dpr space (if listed) and then the static space.  A point id is the
 * mode's first id plus the knob digits read as one mixed-radix number,
 * knobs ordered from the outermost to the innermost as in space_knob
 * below; a static point has no pblock, so its rp knob has one value.  The
 * ids are therefore a pure function of the config: the same config gives
 * the same ids whatever the thread count or the order of evaluation.
 *
 * The space is cut into chunks, the unit of work, of checkpointing and of
 * resumption: a chunk fixes the outer knobs [0, fixed) of one mode and
 * spans the inner ones, i.e. a contiguous range of ids.  `fixed` is the
 * smallest prefix that keeps a chunk within the target size: 1/64 of the
 * mode (work for every thread, a fine grain to resume from), clamped to
 * [SPACE_CHUNK_MIN, SPACE_CHUNK_MAX] points.
 *
 * The outstanding knob applies to both attention engines; both engines
 * use design_space.burst_beats for their K/V bursts.
 *
 * The K/V cache knobs (models/kvcache.h) come next: precision, window,
 * sinks and the tier's region; a config that lists none of them has one
 * value each (fp16, 0, 0, none) and the ids of before.  A static design has
 * no reconfigurable partition: its mode's kv_tier_region values are the
 * list without rp (none when nothing else is listed).  The rm_sets knob
 * (innermost) picks the modules of a dpr point's partition from the
 * config's shapes (cfg_space.rm_shapes): the point's own engines in roles
 * (a prefill module, a decode module, one hybrid of both) and extra
 * modules of stated sizes, which take the point's clock, outstanding and
 * burst.  Without shapes it has one value, the paper's pair, and the ids
 * are those of a space without it; a static point has one value too.
 */
#ifndef PDS_SPACE_H
#define PDS_SPACE_H

#include <stdint.h>

#include "models/cfg.h"
#include "models/design.h"

enum space_knob {
	SK_CLOCK,   /* clock_mhz */
	SK_OUTST,   /* outstanding (both attention engines) */
	SK_PM_PRE,  /* port_maps_prefill */
	SK_PM_DEC,  /* port_maps_decode */
	SK_TABLES,  /* tlmm_tables */
	SK_TLANES,  /* tlmm_lanes */
	SK_PE,      /* prefill_pe */
	SK_PLANES,  /* prefill_lanes */
	SK_BLOCK,   /* prefill_block */
	SK_RP,      /* pblocks (dpr only) */
	SK_DLANES,  /* decode_lanes */
	SK_KV_PREC,   /* kv_precision (kv_prec_t) */
	SK_KV_WINDOW, /* kv_window */
	SK_KV_SINKS,  /* kv_sinks */
	SK_KV_TIER,   /* kv_tier_region (kv_tier_t; a static mode's list leaves rp out) */
	SK_RMSET,   /* rm_sets: the partition's modules (dpr only) */
	SK_N
};

extern const char *const space_knob_names[SK_N];

#define SPACE_CHUNK_MAX 4096
#define SPACE_CHUNK_MIN 256
#define SPACE_CHUNKS_PER_MODE 64

typedef struct {
	arch_mode mode;
	int64_t base;             /* first point id */
	int64_t count;            /* points */
	int radix[SK_N];          /* values per knob */
	int64_t stride[SK_N];     /* id step of one digit of each knob */
	int fixed;                /* knobs [0, fixed) are fixed within a chunk */
	int64_t chunk_base;       /* first chunk id */
	int64_t n_chunks;
	int64_t chunk_points;     /* points per chunk (stride[fixed - 1]) */
	int kv_tier[CFG_MAX_LIST]; /* kv_tier_region value of each digit in this mode */
} space_mode;

typedef struct {
	const cfg_t *c;
	int n_modes;
	space_mode m[2];          /* dpr first, then static */
	int64_t n_points;
	int64_t n_chunks;
} space_t;

/* Lay out the space of c->space (points into c; no allocation). */
void space_init(space_t *s, const cfg_t *c);

/* Value of knob k at digit i (clock in MHz, port-map / pblock indices, sizes,
 * kv_prec_t / kv_tier_t values), as the dpr mode (or the only mode) has it. */
int space_value(const space_t *s, int k, int i);
/* The same in mode layout m (a static mode's kv_tier_region list has no rp). */
int space_mode_value(const space_t *s, const space_mode *m, int k, int i);

/* The mode layout that holds point `id` / chunk `chunk`, or NULL when out of range. */
const space_mode *space_mode_of(const space_t *s, int64_t id);
const space_mode *space_chunk_mode(const space_t *s, int64_t chunk);

/* Digits of point `id`; returns 0, or -1 when id is out of range. */
int space_digits(const space_t *s, int64_t id, int digit[SK_N]);

/* The design of point `id`; returns 0, or -1 when id is out of range. */
int space_design(const space_t *s, int64_t id, design_t *d);

/* The design with the given digits in mode layout m. */
void space_design_digits(const space_t *s, const space_mode *m, const int digit[SK_N], design_t *d);

/* d's modules from shape `shape` of the config, over d's engines and AXI settings. */
void space_shape_modules(const space_t *s, int shape, design_t *d);

/* Point-id range [*first, *end) of a chunk; returns 0, or -1 out of range. */
int space_chunk_range(const space_t *s, int64_t chunk, int64_t *first, int64_t *end);

/* The chunk that holds point `id`, or -1 when id is out of range. */
int64_t space_chunk_of(const space_t *s, int64_t id);

#endif
