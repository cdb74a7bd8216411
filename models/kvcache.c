/*
 * kvcache.c - bytes, keys, blocks and rates of the K/V cache (kvcache.h).
 * Integer arithmetic throughout, but for the byte totals of all layers
 * and the rates, which are doubles as the models use them.
 */
#include "models/kvcache.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/engine.h"

bool kvcache_quantised(const design_t *d)
{
	return d->kv_prec == KV_INT8 || d->kv_prec == KV_INT4;
}

bool kvcache_plain(const design_t *d)
{
	return d->kv_prec == KV_FP16 && d->kv_tier == KV_TIER_NONE;
}

bool kvcache_fits_modules(const design_t *d)
{
	return d->rms.n == 0 || kvcache_plain(d);
}

int kvcache_elem_bits(const cfg_t *c, kv_prec_t p)
{
	switch (p) {
	case KV_FP16: return 8 * c->model.kv_bytes;
	case KV_INT8: return 8;
	case KV_INT4: return 4;
	default: BUG("K/V precision %d", (int)p);
	}
}

int64_t kvcache_key_bytes(const cfg_t *c, kv_prec_t p)
{
	const int64_t kvd = (int64_t)c->model.kv_heads * c->model.head_dim;
	if (p == KV_FP16)
		return kvd * c->model.kv_bytes;
	const cfg_kv_quant *q = &c->kv.quant[p];
	if (q->group <= 0)
		BUG("K/V precision %s without a group size", kv_prec_names[p]);
	return kvd * kvcache_elem_bits(c, p) / 8 + kvd / q->group * q->scale_bytes;
}

int64_t kvcache_tier_keys(const design_t *d)
{
	return d->kv_tier == KV_TIER_NONE ? 0 : (int64_t)d->kv_sinks + d->kv_window;
}

int64_t kvcache_onchip_keys(const design_t *d, int64_t keys)
{
	int64_t t = kvcache_tier_keys(d);
	return keys < t ? keys : t;
}

double kvcache_tier_bytes(const cfg_t *c, const design_t *d)
{
	return (double)c->model.layers * (double)kvcache_tier_keys(d) * 2.0 * (double)kvcache_key_bytes(c, d->kv_prec);
}

static const cfg_kv_block *block_of(const cfg_t *c)
{
	return c->kv.tier_memory == RES_BRAM ? &c->kv.bram : &c->kv.uram;
}

/* Banks for an engine of `units` lanes at a precision. */
static int64_t banks_for(const cfg_t *c, kv_prec_t p, int64_t units)
{
	const cfg_kv_block *b = block_of(c);
	return ceil_div(units * kvcache_elem_bits(c, p), b->word_bits);
}

int64_t kvcache_blocks_for(const cfg_t *c, kv_prec_t p, int64_t tier_keys, int64_t units)
{
	if (tier_keys <= 0)
		return 0;
	const cfg_kv_block *b = block_of(c);
	int64_t banks = banks_for(c, p, units);
	int64_t bytes = (int64_t)c->model.layers * tier_keys * 2 * kvcache_key_bytes(c, p);
	return banks * ceil_div(bytes, banks * (int64_t)b->bytes);
}

int64_t kvcache_tier_banks(const cfg_t *c, const design_t *d)
{
	if (kvcache_tier_keys(d) <= 0)
		return 0;
	return banks_for(c, d->kv_prec, engine_dec_units(d));
}

int64_t kvcache_tier_blocks(const cfg_t *c, const design_t *d)
{
	return kvcache_blocks_for(c, d->kv_prec, kvcache_tier_keys(d), engine_dec_units(d));
}

res_t kvcache_tier_res(const cfg_t *c, const design_t *d)
{
	res_t r = {{0}};
	if (kvcache_tier_keys(d) > 0)
		r.v[c->kv.tier_memory] = (double)kvcache_tier_blocks(c, d);
	return r;
}

double kvcache_tier_b_per_s(const cfg_t *c, const design_t *d)
{
	return (double)kvcache_tier_banks(c, d) * block_of(c)->word_bits / 8.0 * d->clock_mhz * 1e6;
}

double kvcache_refill_bytes(const cfg_t *c, const design_t *d, int prompt)
{
	if (d->kv_tier != KV_TIER_RP)
		return 0;
	return (double)c->model.layers * (double)kvcache_onchip_keys(d, prompt) * 2.0 *
	       (double)kvcache_key_bytes(c, d->kv_prec);
}

res_t kvcache_quantiser_res(const cfg_t *c, const design_t *d)
{
	res_t r = {{0}};
	return kvcache_quantised(d) ? c->kv.quantiser.r : r;
}

res_t kvcache_dequant_res(const cfg_t *c, const design_t *d, int64_t units)
{
	res_t r = {{0}};
	return kvcache_quantised(d) ? res_scale(c->kv.dequant_per_lane.r, (double)units) : r;
}

int64_t kvcache_depth(const cfg_t *c, const design_t *d)
{
	return kvcache_quantised(d) ? (int64_t)llround(c->kv.dequant_depth.value) : 0;
}

int kvcache_check_design(const cfg_t *c, const design_t *d, char *err, size_t errlen)
{
	if ((int)d->kv_prec < 0 || d->kv_prec >= KV_N) {
		snprintf(err, errlen, "K/V precision %d is not one of fp16, int8, int4", (int)d->kv_prec);
		return -1;
	}
	if ((int)d->kv_tier < 0 || d->kv_tier >= KV_TIER_N) {
		snprintf(err, errlen, "K/V tier region %d is not one of none, static, rp", (int)d->kv_tier);
		return -1;
	}
	if (d->kv_window < 0 || d->kv_sinks < 0 || (int64_t)d->kv_window + d->kv_sinks > c->model.max_context) {
		snprintf(err, errlen, "kv_window %d and kv_sinks %d must be >= 0 and hold at most max_context %d keys together",
			 d->kv_window, d->kv_sinks, c->model.max_context);
		return -1;
	}
	if ((kvcache_quantised(d) || d->kv_tier != KV_TIER_NONE) && !c->kv.present) {
		snprintf(err, errlen, "%s needs the config's kv_cache section",
			 kvcache_quantised(d) ? "a quantised K/V cache" : "an on-chip K/V tier");
		return -1;
	}
	if (d->kv_tier == KV_TIER_RP && d->mode != MODE_DPR) {
		snprintf(err, errlen, "a static design has no reconfigurable partition to hold a K/V tier");
		return -1;
	}
	return 0;
}

void kvcache_describe(const cfg_t *c, const design_t *d, char *out, size_t outlen)
{
	int n = 0;
	if (kvcache_quantised(d))
		n = snprintf(out, outlen, "%s (group %d, %d-byte scales)", kv_prec_names[d->kv_prec],
			     c->kv.quant[d->kv_prec].group, c->kv.quant[d->kv_prec].scale_bytes);
	else
		n = snprintf(out, outlen, "%s", kv_prec_names[d->kv_prec]);
	if (n < 0 || (size_t)n >= outlen)
		return;
	if (d->kv_tier == KV_TIER_NONE)
		snprintf(out + n, outlen - (size_t)n, ", no tier");
	else
		snprintf(out + n, outlen - (size_t)n, ", tier of %d sink%s + %d window key%s per layer in %s", d->kv_sinks,
			 d->kv_sinks == 1 ? "" : "s", d->kv_window, d->kv_window == 1 ? "" : "s",
			 d->kv_tier == KV_TIER_STATIC ? "the static region" : "the decode RM");
}
