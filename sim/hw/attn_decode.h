/*
 * attn_decode.h - the decode attention kernel (attn_decode.c).
 *
 * Q, K, V and O are FP16 tensors in the DDR layout of pds_hw.h, on the
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
 * One decode step of one layer: for every head, O = softmax(Q.K[j] /
 * sqrt(d), j < keys) . V.  Contract: 1 <= keys <= PDS_MAX_CONTEXT;
 * outside it the kernel does nothing.  Per head, three pipelined passes
 * (Q.K: keys * CHUNKS trips, softmax: keys, S.V: keys * CHUNKS) at II
 * PDS_DEC_II.
 */
void attn_decode(HW_PARAMS(PDS_DEC_Q_PORTS, const pds_half *, q), HW_PARAMS(PDS_DEC_K_PORTS, const pds_half *, k),
		 HW_PARAMS(PDS_DEC_V_PORTS, const pds_half *, v), HW_PARAMS(PDS_DEC_O_PORTS, pds_half *, o), int keys);

#endif
