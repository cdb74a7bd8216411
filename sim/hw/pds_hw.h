/*
 * pds_hw.h - what the HLS kernels of sim/hw share: FP16 storage, the
 * DDR layout of the attention tensors, port-list macros, and the loop-trip
 * counters of the C simulation.
 *
 * FP16: K, V, Q and O live in DDR as IEEE binary16 bit patterns
 * (pds_half); the kernels compute in float.  pds_h2f() is exact;
 * pds_f2h() rounds to nearest, ties to even.
 *
 * Layout: tensor X is cut into PDS_X_SLICES slices of head_dim/slices
 * elements; element d of head h, token t sits at
 *     ((slice * heads + h) * PDS_MAX_CONTEXT + t) * piece + d % piece,
 *     slice = d / piece, piece = PDS_HEAD_DIM / PDS_X_SLICES,
 * and slice s travels through port s % (ports of X in this phase), so
 * each port reads contiguous runs of every head's rows.  All port
 * pointers of one tensor hold the same base address.
 *
 * Counters: in the C simulation (no __SYNTHESIS__), every pipelined loop
 * counts its trips and every entry into it, so the test bench can set
 * trips x II + entries x depth against the model's cycle formulas.  In
 * synthesis the counters vanish.
 *
 * K and V (pds_kv, models/kvcache.h): FP16 elements, or, for an int8 or
 * int4 cache (PDS_KV_BITS 8 or 4), bytes: a piece of K or V is a record of
 * its symmetric integers (int4 two per byte, low nibble first) followed by
 * one scale per PDS_KV_GROUP elements (FP16 or FP32, little endian); the
 * element is integer x scale.  Records sit where the FP16 pieces would,
 * [slice][head][PDS_MAX_CONTEXT tokens], PDS_K_REC (PDS_V_REC) units each.
 * The on-chip tier holds records of a whole head (PDS_KV_TIER_REC units)
 * per (layer, slot, K/V head); the first PDS_KV_SINKS keys have slots 0
 * .. SINKS-1, key j of the window slot SINKS + j mod PDS_KV_WINDOW.
 *
 * Include after pds_common.h (the layout uses PDS_HEAD_DIM and
 * PDS_MAX_CONTEXT).
 */
#ifndef PDS_HW_H
#define PDS_HW_H

#include <stdint.h>
#include <string.h>

typedef uint16_t pds_half;

/* binary16 -> float, exact (subnormals, infinities and NaN included). */
static inline float pds_h2f(pds_half h)
{
	uint32_t s = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 0x1fu, m = h & 0x3ffu, bits;
	if (e == 0 && m == 0) {
		bits = s;
	} else if (e == 0) {
		int k = 0;
		for (int i = 0; i < 10; i++) /* normalise a subnormal: at most 10 shifts */
			if (!(m & 0x400u)) {
				m <<= 1;
				k++;
			}
		bits = s | (uint32_t)(113 - k) << 23 | (m & 0x3ffu) << 13;
	} else if (e == 31) {
		bits = s | 0x7f800000u | m << 13;
	} else {
		bits = s | (e + 112) << 23 | m << 13;
	}
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

/* float -> binary16, round to nearest even; overflow gives infinity. */
static inline pds_half pds_f2h(float f)
{
	uint32_t x;
	memcpy(&x, &f, sizeof x);
	uint32_t s = (x >> 16) & 0x8000u, m = x & 0x7fffffu;
	int32_t ef = (int32_t)((x >> 23) & 0xffu), e = ef - 127 + 15;
	if (ef == 0xff)
		return (pds_half)(s | 0x7c00u | (m ? 0x200u : 0));
	if (e >= 31)
		return (pds_half)(s | 0x7c00u);
	if (e <= 0) {
		if (e < -10)
			return (pds_half)s;
		m |= 0x800000u;
		int shift = 14 - e;
		uint32_t h = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
		if (rem > half || (rem == half && (h & 1)))
			h++;
		return (pds_half)(s | h);
	}
	uint32_t h = s | (uint32_t)e << 10 | m >> 13, rem = m & 0x1fffu;
	if (rem > 0x1000u || (rem == 0x1000u && (h & 1)))
		h++; /* a carry into the exponent is the correct rounding */
	return (pds_half)h;
}

/* Offset of element d of head h, token t, in a tensor of `slices` slices
 * and `heads` heads; *slice receives the slice. */
static inline long pds_offset(int slices, int heads, int h, int t, int d, int *slice)
{
	int piece = PDS_HEAD_DIM / slices, s = d / piece;
	*slice = s;
	return (((long)s * heads + h) * PDS_MAX_CONTEXT + t) * piece + d % piece;
}

/* Parameter lists of a tensor on K ports (T name0, T name1, ...), the
 * names alone, and K copies of one argument. */
#define HW_PARAMS1(T, n) T n##0
#define HW_PARAMS2(T, n) T n##0, T n##1
#define HW_PARAMS3(T, n) T n##0, T n##1, T n##2
#define HW_PARAMS4(T, n) T n##0, T n##1, T n##2, T n##3
#define HW_PARAMS_(k, T, n) HW_PARAMS##k(T, n)
#define HW_PARAMS(k, T, n) HW_PARAMS_(k, T, n)
#define HW_ARGS1(b) b
#define HW_ARGS2(b) b, b
#define HW_ARGS3(b) b, b, b
#define HW_ARGS4(b) b, b, b, b
#define HW_ARGS_(k, b) HW_ARGS##k(b)
#define HW_ARGS(k, b) HW_ARGS_(k, b)
#define HW_NAMES1(n) n##0
#define HW_NAMES2(n) n##0, n##1
#define HW_NAMES3(n) n##0, n##1, n##2
#define HW_NAMES4(n) n##0, n##1, n##2, n##3
#define HW_NAMES_(k, n) HW_NAMES##k(n)
#define HW_NAMES(k, n) HW_NAMES_(k, n)
/* Element idx of the pointer of port p (0 <= p < K). */
#define HW_PICK1(n, p, i) (n##0[i])
#define HW_PICK2(n, p, i) ((p) == 0 ? n##0[i] : n##1[i])
#define HW_PICK3(n, p, i) ((p) == 0 ? n##0[i] : (p) == 1 ? n##1[i] : n##2[i])
#define HW_PICK4(n, p, i) ((p) == 0 ? n##0[i] : (p) == 1 ? n##1[i] : (p) == 2 ? n##2[i] : n##3[i])
#define HW_PICK_(k, n, p, i) HW_PICK##k(n, p, i)
#define HW_PICK(k, n, p, i) HW_PICK_(k, n, p, i)
/* Store v at element idx of the pointer of port p. */
#define HW_PUT1(n, p, i, v) (n##0[i] = (v))
#define HW_PUT2(n, p, i, v) ((p) == 0 ? (n##0[i] = (v)) : (n##1[i] = (v)))
#define HW_PUT3(n, p, i, v) ((p) == 0 ? (n##0[i] = (v)) : (p) == 1 ? (n##1[i] = (v)) : (n##2[i] = (v)))
#define HW_PUT4(n, p, i, v)                                                                                   \
	((p) == 0 ? (n##0[i] = (v)) : (p) == 1 ? (n##1[i] = (v)) : (p) == 2 ? (n##2[i] = (v)) : (n##3[i] = (v)))
#define HW_PUT_(k, n, p, i, v) HW_PUT##k(n, p, i, v)
#define HW_PUT(k, n, p, i, v) HW_PUT_(k, n, p, i, v)

/* The pointer of port p (0 <= p < K). */
#define HW_PTR1(n, p) ((void)(p), n##0)
#define HW_PTR2(n, p) ((p) == 0 ? n##0 : n##1)
#define HW_PTR3(n, p) ((p) == 0 ? n##0 : (p) == 1 ? n##1 : n##2)
#define HW_PTR4(n, p) ((p) == 0 ? n##0 : (p) == 1 ? n##1 : (p) == 2 ? n##2 : n##3)
#define HW_PTR_(k, n, p) HW_PTR##k(n, p)
#define HW_PTR(k, n, p) HW_PTR_(k, n, p)

/* ------------------------------------------------------------ K/V cache */

#if PDS_KV_BITS == 16
typedef pds_half pds_kv;
#else
typedef uint8_t pds_kv;
#endif

/* Units of pds_kv in a record of `elems` elements (and their scales). */
static inline long pds_kv_rec_units(int elems)
{
#if PDS_KV_BITS == 16
	return elems;
#else
	return (long)elems * PDS_KV_BITS / 8 + (long)(elems / PDS_KV_GROUP) * PDS_KV_SCALE_BYTES;
#endif
}

#if PDS_KV_BITS != 16
/* A scale of PDS_KV_SCALE_BYTES little-endian bytes: FP16 or FP32. */
static inline float pds_kv_scale(const uint8_t *p)
{
#if PDS_KV_SCALE_BYTES == 4
	uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
#else
	return pds_h2f((pds_half)(p[0] | p[1] << 8));
#endif
}
#endif

/* Element e of a record of `elems` elements, dequantised. */
static inline float pds_kv_elem(const pds_kv *rec, int elems, int e)
{
#if PDS_KV_BITS == 16
	(void)elems;
	return pds_h2f(rec[e]);
#else
	const float scale = pds_kv_scale(rec + (long)elems * PDS_KV_BITS / 8 + (long)(e / PDS_KV_GROUP) * PDS_KV_SCALE_BYTES);
#if PDS_KV_BITS == 8
	return (float)(int8_t)rec[e] * scale;
#else
	const int nib = (e & 1) ? rec[e / 2] >> 4 : rec[e / 2] & 15;
	return (float)(nib >= 8 ? nib - 16 : nib) * scale;
#endif
#endif
}

/* Offset (units of pds_kv) of the record of slice s, head h, token t of a
 * K or V tensor of `slices` slices. */
static inline long pds_kv_rec_at(int slices, int heads, int s, int h, int t)
{
	return (((long)s * heads + h) * PDS_MAX_CONTEXT + t) * pds_kv_rec_units(PDS_HEAD_DIM / slices);
}

/* The slice of element d of a tensor of `slices` slices. */
static inline int pds_kv_slice(int slices, int d)
{
	return d / (PDS_HEAD_DIM / slices);
}

/* Element d of head h, token t of a K or V tensor through the pointer of its slice's port. */
static inline float pds_kv_get(const pds_kv *p, int slices, int heads, int h, int t, int d)
{
	const int piece = PDS_HEAD_DIM / slices, s = d / piece;
	return pds_kv_elem(p + pds_kv_rec_at(slices, heads, s, h, t), piece, d % piece);
}

#ifdef PDS_HLS_DECODE_H
/* The tier's slot of key j when `keys` keys are cached, or -1: the tier
 * does not hold it. */
static inline int pds_tier_slot(int j, int keys)
{
#if PDS_KV_TIER_KEYS > 0
	if (j < PDS_KV_SINKS)
		return j;
#if PDS_KV_WINDOW > 0
	if (j >= keys - PDS_KV_WINDOW)
		return PDS_KV_SINKS + j % PDS_KV_WINDOW;
#endif
#endif
	(void)j;
	(void)keys;
	return -1;
}

/* Offset (units of pds_kv) of the tier's record of a layer, slot and K/V head. */
static inline long pds_tier_at(int layer, int slot, int h)
{
	const long slots = PDS_KV_TIER_KEYS > 0 ? PDS_KV_TIER_KEYS : 1;
	return (((long)layer * slots + slot) * PDS_KV_HEADS + h) * PDS_KV_TIER_REC;
}
#endif

#ifndef __SYNTHESIS__
/* Trips of each pipelined loop and entries into it, C simulation only. */
typedef struct {
	long long tlmm_main, tlmm_starts, tlmm_reads; /* reads: cycles reading one beat per weight port */
	long long pre_main, pre_starts, pre_kv_tokens;
	long long dec_qk, dec_qk_starts, dec_sm, dec_sm_starts, dec_sv, dec_sv_starts;
	long long dec_kv, dec_kv_starts, dec_kvread, dec_kvread_starts; /* kv_overlap */
	long long dec_rows_ddr, dec_rows_tier; /* head rows of K and V a decode call read from DDR, from the tier */
} hw_trips_t;
extern hw_trips_t hw_trips;
#define HW_TRIP(f) (hw_trips.f++)
#else
#define HW_TRIP(f) ((void)0)
#endif

#endif
