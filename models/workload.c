/*
 * workload.c - matrix shapes, packed weight bytes, K/V and attention sizes.
 * See workload.h for the definitions; everything here is exact integer
 * arithmetic apart from packed bytes, which may end in a fraction of a byte
 * per matrix and are kept as doubles.
 */
#include "models/workload.h"

void workload_init(workload_t *w, const cfg_model *m)
{
	const int64_t d = m->hidden, qd = (int64_t)m->heads * m->head_dim,
		      kvd = (int64_t)m->kv_heads * m->head_dim, f = m->ffn;
	int i = 0;

	w->layers = m->layers;
	w->heads = m->heads;
	w->kv_heads = m->kv_heads;
	w->head_dim = m->head_dim;
	w->group = m->weight_group;
	w->mat[i++] = (workload_mat){"q_proj", (int)d, (int)qd, 0};
	w->mat[i++] = (workload_mat){"k_proj", (int)d, (int)kvd, 0};
	w->mat[i++] = (workload_mat){"v_proj", (int)d, (int)kvd, 0};
	w->n_pre_attn = i;
	w->mat[i++] = (workload_mat){"o_proj", (int)qd, (int)d, 0};
	if (m->ffn_matrices == 3)
		w->mat[i++] = (workload_mat){"ffn_gate", (int)d, (int)f, 0};
	w->mat[i++] = (workload_mat){"ffn_up", (int)d, (int)f, 0};
	w->mat[i++] = (workload_mat){"ffn_down", (int)f, (int)d, 0};
	w->n_mats = i;

	w->weights_layer = 0;
	w->wbytes_layer = w->wbytes_pre_attn_layer = w->wbytes_post_attn_layer = 0;
	for (i = 0; i < w->n_mats; i++) {
		workload_mat *x = &w->mat[i];
		int64_t groups = (x->k + m->weight_group - 1) / m->weight_group;
		x->bytes = (double)groups * x->n * m->weight_index_bits / 8.0;
		w->weights_layer += (int64_t)x->k * x->n;
		w->wbytes_layer += x->bytes;
		if (i < w->n_pre_attn)
			w->wbytes_pre_attn_layer += x->bytes;
		else
			w->wbytes_post_attn_layer += x->bytes;
	}
	w->weights_total = w->weights_layer * m->layers;
	w->wbytes_total = w->wbytes_layer * m->layers;
	w->k_bytes_token_layer = kvd * m->kv_bytes;
	w->kv_bytes_token_layer = 2 * w->k_bytes_token_layer;
	w->kv_bytes_token = w->kv_bytes_token_layer * m->layers;
	w->q_bytes_token_layer = qd * m->attn_bytes;
}

int64_t workload_prefill_attn_macs_layer(const workload_t *w, int64_t prompt)
{
	return (int64_t)w->heads * w->head_dim * 2 * (prompt * (prompt + 1) / 2);
}

int64_t workload_decode_attn_macs_layer(const workload_t *w, int64_t keys)
{
	return (int64_t)w->heads * w->head_dim * 2 * keys;
}
