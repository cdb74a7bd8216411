/*
 * kvcache.h - the K/V cache of a design: bytes per key by precision, the
 * on-chip tier (what it holds, what it costs, what it saves), and the
 * refill a tier in the reconfigurable partition needs after a swap-in.
 *
 * In: the model geometry, the kv_cache section of the config (cfg_kv) and
 * the design's kv_prec, kv_window, kv_sinks and kv_tier (design.h).  Out:
 * byte counts, key counts, resource vectors and rates that perf.c, the
 * DES (sim/des.c), the sweep's factors and the HLS headers all take from
 * here, so they cannot disagree.
 *
 * Bytes of K (and as many of V) of one key in one layer, kvd = kv_heads x
 * head_dim elements, g the precision's group and sb its scale bytes:
 *     fp16   kb = kvd x model.kv_bytes                  (the cache as it was)
 *     int8   kb = kvd + kvd / g x sb
 *     int4   kb = kvd / 2 + kvd / g x sb                 (g divides head_dim)
 * Symmetric integers, one scale per group of g elements along head_dim.
 * The tool does not predict model accuracy: what a quantised cache does to
 * the model's output is for the user to establish.
 *
 * The tier.  Per layer the first S = kv_sinks keys and the W = kv_window
 * most recent ones stay on chip, T = S + W keys (0 with kv_tier none).  A
 * decode step attending c keys reads
 *     on chip   t(c) = min(c, T) keys of K and of V, at the tier's rate
 *     DDR       c - t(c) keys of K and of V
 * and still attends every key (exact attention: the tier decides where a
 * key is read from, not whether it counts), so S and W matter to the
 * performance only through their sum; the split is what an approximate
 * (sink + window) attention would keep.  The new key of each step is
 * written to DDR as before and into the tier (the window slides; an
 * on-chip write costs no DDR traffic).  The prefill writes the tier beside
 * DDR when the tier is in the static region; a tier in the decode RM
 * cannot be written by the prefill RM (the partition holds one module):
 * it is empty after every swap-in and reads min(L, T) keys of K and V of
 * every layer from DDR over the decode port map before the first decode
 * step (L the prompt).  A tier in the static region survives every swap.
 *
 * Its memory: URAM288 or BRAM36 blocks (kv_cache.tier_memory), each
 * holding `bytes` of data and reading `word_bits` of data per cycle on a
 * port (the other port takes the append and the refill).  The K and V of
 * T keys of every layer, layers x T x 2 x kb bytes, are spread cyclically
 * over banks wide enough for the decode engine to read its lanes'
 * elements every cycle (II 1):
 *     banks  = ceil(units x elem_bits / word_bits)    units: engine_dec_units
 *     blocks = banks x ceil(bytes / (banks x block bytes))
 *     rate   = banks x word_bits / 8 x f              B/s
 * elem_bits the precision's (16, 8, 4); scales ride in the same blocks.
 *
 * What quantisation costs: the quantiser in the static region (a fixed
 * block, kv_cache.quantiser), the dequantiser per MAC lane of each engine
 * that reads quantised K/V (kv_cache.dequant_per_lane x units), and the
 * pipeline depth it adds to those engines (kv_cache.dequant_depth
 * cycles): no loop trips, one multiply by the group's scale per element
 * inside the pipelined MAC.
 */
#ifndef PDS_KVCACHE_H
#define PDS_KVCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "models/cfg.h"

/* Whether the design caches K/V as integers. */
bool kvcache_quantised(const design_t *d);

/* Whether the design caches K/V in fp16 in DDR only (no quantiser, no tier). */
bool kvcache_plain(const design_t *d);

/* Whether the design's K/V cache goes with its modules: a design naming
 * its modules (rms:) is priced with the plain cache only, because the
 * sweep's tables of extra modules and the DES's mid-generation swaps carry
 * no quantiser, dequantiser or tier (README "Modules of the partition").
 * The one rule the loader, cfg_check_design and simulate's --kv-* enforce. */
bool kvcache_fits_modules(const design_t *d);

/* Bits of one cached element: 8 x model.kv_bytes (fp16), 8, 4. */
int kvcache_elem_bits(const cfg_t *c, kv_prec_t p);

/* kb: bytes of K (or of V) of one key in one layer, scales included. */
int64_t kvcache_key_bytes(const cfg_t *c, kv_prec_t p);

/* T = kv_sinks + kv_window keys per layer on chip; 0 with kv_tier none. */
int64_t kvcache_tier_keys(const design_t *d);

/* Keys of a step attending `keys` keys that are read on chip: min(keys, T). */
int64_t kvcache_onchip_keys(const design_t *d, int64_t keys);

/* The tier's data, every layer, K and V: layers x T x 2 x kb bytes. */
double kvcache_tier_bytes(const cfg_t *c, const design_t *d);

/* Banks, blocks and their resource vector (URAM or BRAM36), and the read
 * rate in B/s; all 0 without a tier (T = 0). */
int64_t kvcache_tier_banks(const cfg_t *c, const design_t *d);
int64_t kvcache_tier_blocks(const cfg_t *c, const design_t *d);
res_t kvcache_tier_res(const cfg_t *c, const design_t *d);
double kvcache_tier_b_per_s(const cfg_t *c, const design_t *d);

/* What a tier of T keys per layer needs in blocks and in banks, for a
 * design's precision and engine (the loader's capacity checks). */
int64_t kvcache_blocks_for(const cfg_t *c, kv_prec_t p, int64_t tier_keys, int64_t units);

/* The refill after a swap-in of the decode RM: K and V of min(prompt, T)
 * keys of every layer from DDR; 0 unless the tier is in the RP. */
double kvcache_refill_bytes(const cfg_t *c, const design_t *d, int prompt);

/* Quantisation's resources: the static region's quantiser, the
 * dequantiser of an engine of `units` MAC lanes (0 vectors for fp16). */
res_t kvcache_quantiser_res(const cfg_t *c, const design_t *d);
res_t kvcache_dequant_res(const cfg_t *c, const design_t *d, int64_t units);

/* Pipeline depth the dequantiser adds to an attention engine, cycles. */
int64_t kvcache_depth(const cfg_t *c, const design_t *d);

/*
 * What a design's K/V settings must satisfy whatever the config's
 * constraints: precision and tier in range, the kv_cache section present
 * for a quantised cache or a tier, window and sinks within max_context,
 * no tier in the RP of a static design.  Returns 0, or -1 with a message.
 */
int kvcache_check_design(const cfg_t *c, const design_t *d, char *err, size_t errlen);

/* "fp16", "int8 (group 48, 2-byte scales)", ... : how a design caches K/V. */
void kvcache_describe(const cfg_t *c, const design_t *d, char *out, size_t outlen);

/* The words a report and a table print beside a quantised cache. */
#define KVCACHE_NO_ACCURACY "the tool does not predict model accuracy: a quantised K/V cache's effect on the output is for the user to establish"

#endif
