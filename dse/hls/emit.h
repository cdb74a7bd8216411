/*
 * emit.h - HLS config headers for one design point.
 *
 * emit_write() writes four headers for a Vitis HLS 2024.1 build of the
 * kernels in sim/hw:
 *
 *   pds_common.h   model geometry, clock, DDR layout of the attention
 *                  tensors, the two-level _Pragma helper PDS_PRAGMA(x)
 *   pds_static.h   static region: TLMM tables T, group G, lanes Q, the
 *                  URAM weight buffer, one m_axi bundle per weight HP port
 *                  (burst, outstanding, widen width), the token tile
 *   pds_prefill.h  prefill attention: N_pe, lanes, K/V block, partition
 *                  factors, II, its bundles
 *   pds_decode.h   decode attention: lanes, the K and V bundles on their HP
 *                  ports, Q preload, O write-back
 *
 * Every value is a plain integer #define that a pragma uses directly
 * (`#pragma HLS unroll factor=PDS_PRE_NPE`), except the few that must
 * carry a keyword (a bundle name, a partition type, a storage
 * implementation): those are used through PDS_PRAGMA(...).  Each header
 * opens with a comment naming the config SHA-256, the point and the
 * predicted figures.  The same input gives the same bytes: no time, no
 * path, no host name.
 *
 * Each integer means what the performance model assumed: T, G, Q, N_pe,
 * lanes, block, burst and outstanding are the design point's values;
 * the pipeline depths are the model's calibration coefficients; the
 * derived sizes (kb/nb steps, chunks, the token tile, buffer depths) are
 * computed from them and say so in the header.
 */
#ifndef PDS_EMIT_H
#define PDS_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "models/cfg.h"
#include "models/perf.h"

#define EMIT_N_HEADERS 4
/* With a set of modules, one more header per module (pds_rm0.h ...). */
#define EMIT_MAX_HEADERS (EMIT_N_HEADERS + RMS_MAX)

/* File names written by emit_write(), in order. */
extern const char *const emit_header_names[EMIT_N_HEADERS];

/* What the comment block of each header says about the point. */
typedef struct {
	char config_sha256[65];
	int64_t run_id;                 /* -1: not from a stored run */
	int64_t point_id;               /* -1: a named design of the config */
	char design_name[PDS_NAME_MAX]; /* "" for an unnamed swept point */
	/* analytic figures (perf.h) */
	int prompt;                     /* objective.prompt */
	double ttft_s, prefill_s;
	double swap_s, swap_exposed_s;  /* 0 in static mode */
	int l_short, l_long;
	double decode_tok_s_short, decode_tok_s_long;
	double energy_j_per_token;      /* at l_short */
	double objective;
	res_t r_total;
} emit_meta;

/*
 * Fill *m for design d of config c: the config's SHA-256, the point
 * (run_id/point_id, or -1 and `name`), and the analytic model's figures
 * at the objective's prompt and contexts.  `name` may be NULL.  Pure
 * computation; cannot fail.
 */
void emit_meta_init(emit_meta *m, const cfg_t *c, const design_t *d, const char *name,
		   int64_t run_id, int64_t point_id);

/*
 * The four headers as text, without writing anything.  On success returns
 * 0 and sets texts[i] to a malloc'd NUL-terminated string the caller
 * frees (emit_texts_free).  Returns -1 with `err` set, and texts[] all
 * NULL, when the design is not valid for the config (cfg_check_design),
 * violates a constraint (perf_feasible: resources, routability, TTFT
 * limit), or cannot be built by the kernels (e.g. a tensor split over
 * more HP ports than the kernels have, head_dim not divisible by its
 * slice count, non-int8 activations).
 */
int emit_render(const cfg_t *c, const design_t *d, const emit_meta *meta,
	       char *texts[EMIT_N_HEADERS], char *err, size_t errlen);
void emit_texts_free(char *texts[EMIT_N_HEADERS]);

/*
 * Every header of d: the four above (for a set of modules, pds_prefill.h
 * and pds_decode.h describe its first prefill and first decode engine, and
 * pds_common.h's DDR layout is the one every module's port maps share),
 * then, for a design that names a set, pds_rmK.h for each module K: the
 * engines it holds with the defines of pds_prefill.h / pds_decode.h for
 * its own sizes, AXI settings and port maps, and PDS_RM_* saying what it
 * is.  A kernel built with -DPDS_RM_HEADER='"pds_rmK.h"' is the module's.
 * emit_headers() counts them, emit_header_name() names the i-th.  Texts
 * as emit_render (texts[n..) NULL); freed by the caller.
 */
int emit_headers(const design_t *d);
void emit_header_name(const design_t *d, int i, char *buf, size_t len);
int emit_render_all(const cfg_t *c, const design_t *d, const emit_meta *meta, char *texts[EMIT_MAX_HEADERS],
		    char *err, size_t errlen);

/*
 * Render and write every header (emit_render_all) into `outdir` (created,
 * with its parents, if missing).  A refused design creates nothing.  All
 * are first written (and synced) to temporary files in outdir and only
 * then renamed over their final names, so a failure to write leaves the
 * previous headers in place and no partial file behind; only a failing
 * rename within outdir could leave old and new headers mixed.  Module
 * headers of another design left in outdir are removed.  Returns 0,
 * or -1 with `err` naming the file or the violated constraint.  No
 * printing, no exit.
 */
int emit_write(const cfg_t *c, const design_t *d, const emit_meta *meta, const char *outdir,
	     char *err, size_t errlen);

#endif
