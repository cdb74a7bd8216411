/*
 * common.h - types shared by every pdswap module.
 *
 * A resource vector (LUT, FF, BRAM36, URAM, DSP), a model coefficient that
 * carries its provenance, and a few helpers.  BRAM is counted in 36 Kb
 * blocks and may be fractional (an 18 Kb half counts 0.5), as Vivado reports.
 */
#ifndef PDS_COMMON_H
#define PDS_COMMON_H

#include <stddef.h>
#include <stdint.h>

/*
 * How library functions fail: they return PDS_FAIL (a runtime failure: an
 * I/O error, a model that refuses a design) or PDS_FAIL_REQUEST (the
 * request itself is wrong: an unknown run, an output path that cannot be
 * used), with a message in the caller's `err` buffer.  Only dse/cli turns
 * these into exit codes.
 */
enum { PDS_FAIL = -1, PDS_FAIL_REQUEST = -2 };

/*
 * BUG(fmt, ...): an invariant of the program is broken (not a user error,
 * not a failing system call).  Prints "pdswap-dse: BUG: FILE:LINE: ..." and
 * aborts.  Use it where a "cannot happen" fallback would hide the fault.
 */
#define BUG(...) common_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void common_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Seconds of CLOCK_MONOTONIC: the one clock for wall times and rates. */
double common_now_s(void);

enum res_type { RES_LUT, RES_FF, RES_BRAM, RES_URAM, RES_DSP, RES_N };

typedef struct {
	double v[RES_N];
} res_t;

/* Key names used in YAML, SQL columns and JSON, in res_type order. */
extern const char *const res_names[RES_N];

/* Where a number comes from.  Every model coefficient says which. */
typedef enum {
	PROV_MEASURED, /* a published measurement; source names it */
	PROV_FITTED,   /* least-squares fit; source names the data */
	PROV_DERIVED,  /* arithmetic on other figures; source says which */
	PROV_ASSUMED   /* an engineering assumption; source says why */
} prov_t;

extern const char *const prov_names[4];

#define PDS_TEXT_MAX 256
#define PDS_NAME_MAX 48

typedef struct {
	double value;
	prov_t prov;
	char source[PDS_TEXT_MAX];
} coef_t;

/* A resource vector with provenance (a per-unit cost, a fixed block). */
typedef struct {
	res_t r;
	prov_t prov;
	char source[PDS_TEXT_MAX];
} rcoef_t;

static inline res_t res_add(res_t a, res_t b)
{
	for (int i = 0; i < RES_N; i++)
		a.v[i] += b.v[i];
	return a;
}

static inline res_t res_scale(res_t a, double s)
{
	for (int i = 0; i < RES_N; i++)
		a.v[i] *= s;
	return a;
}

static inline res_t res_max(res_t a, res_t b)
{
	for (int i = 0; i < RES_N; i++)
		if (b.v[i] > a.v[i])
			a.v[i] = b.v[i];
	return a;
}

/*
 * A resource count as synthesis reports it: whole LUTs, FFs, URAMs and
 * DSPs, BRAM36 in halves (an 18 Kb block), to the nearest.  The model
 * keeps its exact (fractional) figures; only what is shown to a person is
 * rounded.
 */
static inline double res_shown(int type, double v)
{
	return type == RES_BRAM ? (double)(int64_t)(2 * v + 0.5) / 2 : (double)(int64_t)(v + 0.5);
}

/* ceil(a / b) for positive integers. */
static inline int64_t ceil_div(int64_t a, int64_t b)
{
	return (a + b - 1) / b;
}

#endif
