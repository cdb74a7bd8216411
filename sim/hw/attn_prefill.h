/*
 * attn_prefill.h - the prefill attention kernel (attn_prefill.c).
 *
 * Q and O are FP16 tensors, K and V the cache's records (pds_kv: FP16, or
 * int8/int4 with group scales), in the DDR layout of pds_hw.h, on the HP
 * ports of the prefill port map (PDS_PRE_X_PORTS pointers each, all
 * holding the tensor's base address).  K and V use PDS_KV_HEADS heads.
 */
#ifndef PDS_ATTN_PREFILL_H
#define PDS_ATTN_PREFILL_H

/* A module of a set of modules: -DPDS_RM_HEADER='"pds_rmK.h"' builds the
 * kernel of module K, whose header holds its engine's defines. */
#ifdef PDS_RM_HEADER
#include PDS_RM_HEADER
#endif
#include "pds_prefill.h"
#include "pds_hw.h"

/*
 * Causal attention of one layer over a prompt of `prompt` tokens: for
 * every head and query i < prompt, O[i] = softmax(Q[i].K[j] / sqrt(d),
 * j <= i) . V.  Contract: 1 <= prompt <= PDS_MAX_CONTEXT; outside it the
 * kernel does nothing.  Per head, one pipelined loop per Q block of
 * 2 * visible tokens * PDS_PRE_CHUNKS trips at II PDS_PRE_II.
 */
void attn_prefill(HW_PARAMS(PDS_PRE_Q_PORTS, const pds_half *, q), HW_PARAMS(PDS_PRE_K_PORTS, const pds_kv *, k),
		  HW_PARAMS(PDS_PRE_V_PORTS, const pds_kv *, v), HW_PARAMS(PDS_PRE_O_PORTS, pds_half *, o),
		  int prompt);

#endif
