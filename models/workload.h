/*
 * workload.h - sizes of one inference, from the model geometry alone.
 *
 * Per layer: seven ternary matrices (Q, K, V, O projections; FFN gate, up,
 * down for SwiGLU, or two for a plain FFN), each K inputs x N outputs.
 * Weights are packed G per index of `weight_index_bits` bits along the
 * input dimension, so a matrix takes ceil(K/G) * N indices.  The K/V cache
 * holds kv_heads * head_dim elements of K and of V per token per layer.
 * Attention work: a prefill of L tokens scores L(L+1)/2 causal pairs per
 * head; a decode step against a context of c keys scores c.  Each scored
 * pair costs head_dim MACs for Q.K and head_dim for S.V.
 *
 * Units are in the names: _bytes, _macs, plain counts otherwise.
 */
#ifndef PDS_WORKLOAD_H
#define PDS_WORKLOAD_H

#include <stdint.h>

#include "models/cfg.h"

enum { WORKLOAD_Q, WORKLOAD_K, WORKLOAD_V, WORKLOAD_O, WORKLOAD_GATE, WORKLOAD_UP, WORKLOAD_DOWN, WORKLOAD_MAX_MATS };

typedef struct {
	const char *name;
	int k, n;        /* inputs, outputs */
	double bytes;    /* packed weight bytes */
} workload_mat;

typedef struct {
	int layers, heads, kv_heads, head_dim, group;
	int n_mats;        /* 7 with SwiGLU, 6 otherwise (no gate) */
	workload_mat mat[WORKLOAD_MAX_MATS];
	int n_pre_attn;    /* matrices before attention (Q, K, V) */
	int64_t weights_layer, weights_total;          /* ternary weights */
	double wbytes_layer, wbytes_total;             /* packed */
	double wbytes_pre_attn_layer;                  /* Q, K, V matrices */
	double wbytes_post_attn_layer;                 /* O and the FFN */
	int64_t k_bytes_token_layer;                   /* K of one token, one layer */
	int64_t kv_bytes_token_layer;                  /* K + V */
	int64_t kv_bytes_token;                        /* K + V, all layers */
	int64_t q_bytes_token_layer;                   /* Q (and O) of one token */
} workload_t;

/* Fill *w from the model section.  Pure arithmetic, cannot fail. */
void workload_init(workload_t *w, const cfg_model *m);

/* Attention MACs of one layer (Q.K and S.V together). */
int64_t workload_prefill_attn_macs_layer(const workload_t *w, int64_t prompt);
int64_t workload_decode_attn_macs_layer(const workload_t *w, int64_t keys);

#endif
