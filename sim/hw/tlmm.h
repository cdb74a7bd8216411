/*
 * tlmm.h - the TLMM kernel of the static region (tlmm.c).
 *
 * Weights: a K x N ternary matrix is packed G weights per index along K
 * (index = sum_i (w_i + 1) * 3^i, weights past K read 0), giving
 * ceil(K/G) groups per column.  The kernel consumes them in rows r =
 * kb * ceil(N/Q) + nb, row r holding, for table t < T and lane q < Q, the
 * index of group kb*T + t and column nb*Q + q.  DDR holds only the real
 * indices (group < ceil(K/G), column < N), in that order (t major, q
 * minor within a row), as one continuous stream of IDX_BITS-bit fields
 * from bit 0 of 64-bit word 0 upwards: ceil(K/G) * N * IDX_BITS bits, the
 * model's packed weight bytes.  The stream is cut into beats of
 * B = PDS_W_WORDS_PER_BEAT words; beat j goes to port p = j % P (P =
 * PDS_W_PORTS) at words (j / P) * B .. + B - 1 of w_p: each weight port
 * streams its own contiguous region.
 */
#ifndef PDS_HW_TLMM_H
#define PDS_HW_TLMM_H

#include <stdint.h>

#include "pds_static.h"
#include "pds_hw.h"

/*
 * y[t][c] = sum over k' < k of w[k'][c] * x[t][k'] for t < tokens and
 * c < n, in int32, for one tile of tokens.  Contract: 1 <= k <= K_MAX,
 * N_MIN <= n <= N_MAX, 1 <= tokens <= TOK_TILE; outside it the kernel
 * does nothing.  One call runs one pipelined lookup loop of
 * ceil(k/(T*G)) * tokens * ceil(n/Q) trips at II PDS_TLMM_II.
 */
void tlmm(HW_PARAMS(PDS_W_PORTS, const uint64_t *, w), const int8_t x[PDS_TLMM_TOK_TILE][PDS_TLMM_K_MAX],
	  int32_t y[PDS_TLMM_TOK_TILE][PDS_TLMM_N_MAX], int k, int n, int tokens);

#endif
