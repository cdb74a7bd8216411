/*
 * sessions.h - a workload's sessions on a design, side by side: every
 * policy of the design on the same requests (sim/session.h), the static
 * design of the same device in the same table, the capacity search, the
 * break-even map against the static design, and the design a workload
 * objective chooses (objective.workload) from the re-checked fronts.
 *
 * Requests are drawn once (sim/reqgen.h) from the spec's seed; each
 * policy runs on its own thread (explore/pool.h) with its own phase
 * caches, so the figures are the same bytes whatever the thread count.
 * The policies predict with the analytic model of the design; the
 * requests run on the spec's model (analytic, or the op-level DES).
 *
 * Ownership: sessions_run() fills a result that sessions_result_free()
 * releases.  Errors: PDS_FAIL or PDS_FAIL_REQUEST with err set.
 */
#ifndef PDS_SESSIONS_H
#define PDS_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "models/cfg.h"
#include "models/figures.h"
#include "models/workload.h"
#include "sim/phases.h"
#include "sim/reqgen.h"
#include "sim/session.h"

typedef struct {
	const cfg_t *c;
	const workload_t *w;
	cfg_session_wl wl;          /* the workload (its trace means filled in when it uses a trace) */
	const reqgen_trace *trace;  /* its requests, when it replays or draws lengths from a trace */
	size_t requests;            /* 0: session.requests (a trace replay: the whole trace) */
	unsigned long seed;         /* of the request stream (reqgen_seed of seed_base and the name) */
	unsigned long seed_base;    /* the seed as given (session.seed or --seed): shown and stored */
	double rate_rps;            /* > 0: this arrival rate instead of the workload's */
	phases_model model;
	bool start_decode;
	int threshold_prompt, threshold_gen; /* > 0: the user's thresholds */
	bool capacity;              /* search the capacity of each */
	bool records;               /* keep every request's record */
	int threads;                /* >= 1 */
} sessions_spec;

typedef struct {
	session_policy policy;
	bool is_static;             /* ran on the static design */
	figures_session f;
	session_rec *rec;           /* spec.records: n of them */
} sessions_row;

typedef struct {
	reqgen_req *req;
	size_t n;
	reqgen_counts cnt;
	double offered_rps;         /* the arrival rate the requests were drawn (and scaled) at */
	int n_rows;
	sessions_row rows[SESSION_POLICIES];
	/* the thresholds the model implies (dpr designs), 0 when none */
	int model_threshold_prompt, model_threshold_gen, threshold_gen_at;
	/* the design's modules (dpr): their names, and the context points at
	 * which the decode module of least step changes (models/rms.h) */
	int n_rm;
	char rm_names[RMS_MAX][RMS_NAME_MAX];
	int n_points, point[RMS_MAX_POINTS], point_mod[RMS_MAX_POINTS];
} sessions_result;

/*
 * Run `policies` (a mask of 1 << session_policy) of design d and, when
 * the mask holds SESSION_STATIC and stat is not NULL, the static design
 * stat.  For a static d, SESSION_STATIC runs d itself.  Returns 0, or a
 * failure with err set; *r then needs no release.
 */
int sessions_run(const sessions_spec *sp, const design_t *d, const design_t *stat, unsigned policies,
		 sessions_result *r, char *err, size_t errlen);
void sessions_result_free(sessions_result *r);

/* Every policy of a design of that mode (dpr: always, never, threshold,
 * oracle and the static design; static: static). */
unsigned sessions_all(arch_mode mode);

/* One cell of a break-even map. */
typedef struct {
	session_policy policy;
	int prompt, output;
	double e2e_s, energy_j, static_e2e_s, static_energy_j;
	/* the modules that served the cell's last request: its prefill's and
	 * its decode's in turn, joined by '>' */
	char prefill_rm[RMS_NAME_MAX];
	char decode_rms[RMS_MAX_SEG * RMS_NAME_MAX];
} sessions_cell;

/*
 * The break-even map of dpr design d against static design stat on the
 * config's grid (session.breakeven), every DPR policy, with `model`:
 * cells for every prompt and output of the grid whose sum fits the
 * context.  *cells is malloc'd (free() it).  Returns the count, or a
 * failure with err set.
 */
long sessions_breakeven(const cfg_t *c, const workload_t *w, const design_t *d, const design_t *stat,
			phases_model model, bool start_decode, int threads, sessions_cell **cells, char *err,
			size_t errlen);

/*
 * The session figure of a result that objective.workload minimises: the
 * least over its rows of cfg_wl_figure `fig` (a dpr design by its best
 * realisable policy: always, never or threshold, not the oracle).
 */
double sessions_figure(const sessions_result *r, cfg_wl_figure fig, session_policy *best);

/*
 * A spec for workload wl of config c as the config states it (seed from
 * session.seed and the workload's name, session.requests requests, the
 * config's start module), the analytic model, one thread; reads the
 * workload's trace into *trace when it has one (reqgen_trace_free() it).
 * Returns 0, or PDS_FAIL_REQUEST with "FILE:LINE: ..." for a bad trace.
 */
int sessions_spec_of(const cfg_t *c, const workload_t *w, const cfg_session_wl *wl, sessions_spec *sp,
		     reqgen_trace *trace, char *err, size_t errlen);

/* Every workload trace of c reads (checked before a sweep stores anything):
 * 0, or PDS_FAIL_REQUEST with the first problem. */
int sessions_check_traces(const cfg_t *c, char *err, size_t errlen);

/*
 * objective.workload's figure (c->obj.workload_figure of a session of
 * c->obj.workload) of each of n designs, by its best realisable policy, on
 * `model`, the designs spread over `threads`: figs[i].  Returns 0, or a
 * failure with err set.
 */
int sessions_figures(const cfg_t *c, const workload_t *w, const design_t *d, size_t n, phases_model model, int threads,
		     double *figs, char *err, size_t errlen);

/* The names of a design's modules (n of them; none for a static design),
 * and a record's decode modules joined by '>' into buf. */
int sessions_rm_names(const design_t *d, char names[RMS_MAX][RMS_NAME_MAX]);
const char *sessions_decode_rms(const session_rec *r, const char names[RMS_MAX][RMS_NAME_MAX], int n, char *buf,
				size_t len);

/* A row's swaps by module as a JSON object text ({"NAME": swaps, ...}),
 * into buf; "" for a static design. */
const char *sessions_swaps_json(const sessions_result *r, const sessions_row *row, char *buf, size_t len);

/* A workload's expected lengths for the threshold policy: its means (a
 * trace's from the trace). */
void sessions_expect(const cfg_session_wl *wl, const reqgen_trace *trace, double *prompt, double *output);

#endif
