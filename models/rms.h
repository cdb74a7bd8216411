/*
 * rms.h - the modules of one reconfigurable partition: a set of 1 to
 * RMS_MAX reconfigurable modules (RMs), what each costs, which one serves
 * which phase and context, and the design's figures with them.
 *
 * What goes in: a dpr design whose partition holds a set of modules
 * (design.h, rmset_t; a design that names none has the paper's two, a
 * prefill module and a decode module).  Each module holds a prefill
 * engine, a decode engine or both (a hybrid), and is priced by the same
 * engine models as the paper's pair (perf.h): module k "in the partition"
 * is the two-engine design rms_view() makes of it, its own engines in
 * place of the design's, the engine it lacks taken from the design (never
 * used: a phase on a module that lacks the phase's engine runs on the
 * engine it holds, the "other module" costs of perf.h).  A hybrid module
 * is viewed as a static design: both engines, each phase on its own, the
 * power of both (static region + prefill + decode engine LUTs).
 *
 * What comes out:
 *   resources   r_total = r_static + max_k r_k per type (one module at a
 *               time), r_k = the module's engines (a hybrid: the sum);
 *               every module within the pblock (LUT and FF within the
 *               routability margin, BRAM, URAM, DSP within its sites),
 *               the static region within the caps outside it, and the
 *               modules' bitstreams within the DDR set aside for them:
 *                   n * bitstream_bytes(pblock) <= bitstream_store_bytes
 *               (every module of one partition is a bitstream of the same
 *               frames);
 *   per length  the paper's flow, each phase on a module built for it
 *               (holding the phase's engine and serving the phase; when
 *               none is, any that serves it): at a prompt L, TTFT on the
 *               built-for-prefill module of least TTFT(L); at a context c,
 *               the step on the built-for-decode module of least step(c).
 *               Ties go to the module listed first.  These are the figures
 *               the sweep ranks and stores;
 *   context points  the contexts at which the built-for-decode module of
 *               least step time changes (c_1 < c_2 < ..., at most
 *               RMS_MAX_POINTS): where a mid-generation swap may pay;
 *   a plan      the module of the prefill and a sequence of decode
 *               segments, each from a key count on: the prefill->decode
 *               swap (dec[0] != pre) overlaps the last layer's tail and
 *               the first LM head as in perf_run_eval; a mid-generation
 *               swap (dec[j] != dec[j - 1]) stalls decode for its whole
 *               duration, the back-swap time at idle DDR
 *                   t_mid = bitstream / pcap_rate + pcap_setup + swap_ps
 *               (nothing else moves: the next step needs the module), and
 *               costs p_idle over it plus its bitstream's DDR energy;
 *   rms_run_eval  the figures of one inference along a plan (the always
 *               plan: the per-length choices above for the prefill and the
 *               first step, one decode module for every step, as the
 *               paper's flow), in the shape of perf_run_eval: decode_s
 *               includes the stalls, energy_j_per_token their energy.
 *
 * A design that names no set, and a set of exactly the paper's two
 * modules, give the figures of perf.h for the design, bit for bit: the
 * views of the two are the design itself, and every figure is the same
 * perf_* expression on them.
 *
 * rms_ctx is a plain value (no allocation) that points into c and w.
 */
#ifndef PDS_RMS_H
#define PDS_RMS_H

#include <stdbool.h>

#include "models/cfg.h"
#include "models/design.h"
#include "models/figures.h"
#include "models/perf.h"
#include "models/workload.h"

#define RMS_MAX_POINTS 7
#define RMS_MAX_SEG (RMS_MAX_POINTS + 1)

/* The modules of d: its set, or the paper's two (named "prefill" and
 * "decode", serving both phases) when it names none; none for a static
 * design. */
void rms_expand(const design_t *d, rmset_t *out);

/* Whether d's partition holds exactly the paper's two modules: one that
 * holds only the prefill engine and one that holds only the decode
 * engine, each serving both phases (a design that names no set does). */
bool rms_is_pair(const design_t *d);

/* The design with module m in the partition (see above); v->rms is empty. */
void rms_view(const design_t *d, const rm_t *m, design_t *v);

/* The engine a phase runs on in module m: its own when m holds it, else
 * the other one. */
perf_engine rms_engine_of(const rm_t *m, bool decode);
/* m holds the phase's engine and serves the phase. */
bool rms_built_for(const rm_t *m, bool decode);
bool rms_serves(const rm_t *m, bool decode);

/* The resources of module m: its engines (a hybrid: both, summed). */
res_t rms_module_res(const cfg_t *c, const rm_t *m);

typedef struct {
	int pre;               /* the module of the prefill */
	int n_seg;             /* decode segments, >= 1 */
	int dec[RMS_MAX_SEG];  /* the module of each */
	int from[RMS_MAX_SEG]; /* the keys the first step of each attends; from[0] = prompt + 1 */
} rms_plan;

typedef struct {
	const cfg_t *c;
	const workload_t *w;
	design_t d;
	rmset_t set;            /* d's modules, expanded; n == 0 for a static design */
	bool legacy;            /* d names no set (or is static): perf.h of d is the model */
	perf_ctx base;          /* d as a two-engine design: the static region, the swap */
	perf_ctx m[RMS_MAX];    /* module k in the partition */
	perf_engine on_pre[RMS_MAX], on_dec[RMS_MAX];
	res_t r_mod[RMS_MAX];
	res_t r_static, r_total, r_equiv, rp_cap;
	double bitstream_bytes; /* one module's partial bitstream (0 static) */
	double mid_swap_s;      /* a mid-generation swap: back-swap time at idle DDR */
	double mid_swap_j;      /* its energy */
	/* the context points, computed on first use (rms_points) */
	bool have_points;
	int n_points;
	int point[RMS_MAX_POINTS];  /* keys from which ... */
	int point_mod[RMS_MAX_POINTS]; /* ... this module is the decode module of least step */
	int first_dec;              /* the decode module of least step at 1 key */
} rms_ctx;

/* Prepare a design (no allocation; points into c and w). */
void rms_prepare(rms_ctx *x, const cfg_t *c, const workload_t *w, const design_t *d);

/* Modules of the set (0 for a static design). */
static inline int rms_count(const rms_ctx *x)
{
	return x->set.n;
}

/* One module's figures: TTFT of a prefill of `prompt`, one decode step
 * attending `keys` keys and its energy per token, on the engine that
 * module runs the phase on.  Static designs: k is ignored. */
double rms_ttft_on_s(const rms_ctx *x, int k, int prompt);
double rms_step_on_s(const rms_ctx *x, int k, int keys);
double rms_energy_on_j(const rms_ctx *x, int k, int keys);

/* The module the paper's flow prefills `prompt` on / runs the step
 * attending `keys` on (-1 for a static design). */
int rms_prefill_module(const rms_ctx *x, int prompt);
int rms_decode_module(const rms_ctx *x, int keys);

/* The per-length figures (see above), as perf_ttft_s, perf_prefill_s,
 * perf_decode_step_s and perf_decode_energy_j. */
double rms_ttft_s(const rms_ctx *x, int prompt);
double rms_prefill_s(const rms_ctx *x, int prompt);
double rms_decode_step_s(const rms_ctx *x, int keys);
double rms_decode_energy_j(const rms_ctx *x, int keys);

/* The context points (computed once, scanning every context up to
 * model.max_context); returns their number.  Not thread-safe on one
 * rms_ctx. */
int rms_points(rms_ctx *x);

/* The paper's flow for a prompt and `gen` decode steps: the prefill module
 * of least TTFT, then, through one swap, the decode module of least step
 * at the first step's context, for every step (a static design: module -1
 * throughout).  Mid-generation swaps are the policies' (sim/session.h). */
void rms_plan_always(const rms_ctx *x, int prompt, int gen, rms_plan *out);

/* One inference along a plan (prompt >= 1, gen >= 0), as perf_run_eval;
 * the plan must cover the gen steps (from[0] = prompt + 1). */
void rms_run_eval(const rms_ctx *x, const rms_plan *pl, int prompt, int gen, figures *out);

/* Resources and constraints in perf_resources' order, then the
 * bitstream store. */
void rms_resources(const rms_ctx *x, perf_res *out);
/* rms_resources, then TTFT at objective.prompt within t_pre_max. */
bool rms_feasible(const rms_ctx *x, char *why, size_t whylen);
/* The paper's objective from the per-length figures. */
double rms_objective(const rms_ctx *x);

/*
 * The modules as one line, for people and for the points table's rm_set:
 * "NAME: ENGINE; NAME: ENGINE, ..." with each engine as
 *   prefill PE x LANES block B PORTMAP    decode LANES DATAFLOW PORTMAP
 * (a hybrid lists both, joined by " + "), e.g. "prefill: prefill 12x4
 * block 4 qkvo; decode: decode 34 kv_overlap kv2x2".  Returns buf.
 */
const char *rms_describe(const cfg_t *c, const design_t *d, char *buf, size_t len);

#endif
