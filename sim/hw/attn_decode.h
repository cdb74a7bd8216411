/*
 * attn_decode.h - the decode attention kernel (attn_decode.c).
 *
 * Q and O are FP16 tensors, K and V the cache's records (pds_kv: FP16,
 * or int8/int4 with group scales), in the DDR layout of pds_hw.h, on the
 * HP ports of the decode port map (PDS_DEC_X_PORTS pointers each, all
 * holding the tensor's base address).  The query and its output are
 * token row 0 of Q and O; K and V hold `keys` tokens of the cache.
 */
#ifndef PDS_ATTN_DECODE_H
#define PDS_ATTN_DECODE_H

/* A module of a set of modules: -DPDS_RM_HEADER='"pds_rmK.h"' builds the
 * kernel of module K, whose header holds its engine's defines. */
#ifdef PDS_RM_HEADER
#include PDS_RM_HEADER
#endif
#include "pds_decode.h"
#include "pds_hw.h"

/*
 * The on-chip K/V tier (PDS_KV_TIER_KEYS > 0): its K and V records
 * (PDS_KV_TIER_ROWS each, pds_hw.h) and the layer the call attends; the
 * tier's owner fills it (the prefill or the refill after a swap-in, the
 * append of each step), the kernel only reads it.
 */
#if PDS_KV_TIER_KEYS > 0
#define PDS_DEC_TIER_PARAMS , const pds_kv tk[PDS_KV_TIER_ROWS * PDS_KV_TIER_REC], \
			      const pds_kv tv[PDS_KV_TIER_ROWS * PDS_KV_TIER_REC], int layer
#else
#define PDS_DEC_TIER_PARAMS
#endif

/*
 * One decode step of one layer: for every head, O = softmax(Q.K[j] /
 * sqrt(d), j < keys) . V, each key's K and V read from the tier when it
 * holds the key, from DDR otherwise.  Contract: 1 <= keys <=
 * PDS_MAX_CONTEXT (and 0 <= layer < PDS_LAYERS with a tier); outside it
 * the kernel does nothing.  Per head, the passes of PDS_DEC_DATAFLOW at II
 * PDS_DEC_II; the tier changes where a key comes from, not the trips.
 */
void attn_decode(HW_PARAMS(PDS_DEC_Q_PORTS, const pds_half *, q), HW_PARAMS(PDS_DEC_K_PORTS, const pds_kv *, k),
		 HW_PARAMS(PDS_DEC_V_PORTS, const pds_kv *, v), HW_PARAMS(PDS_DEC_O_PORTS, pds_half *, o),
		 int keys PDS_DEC_TIER_PARAMS);

#endif
