/*
 * schema.c - the tables and views of results.db and the migration of an
 * older file (see store.h for what each table holds, its guards and the
 * versions).
 */
#include "store/schema.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

/* A number column: NULL, or a real in [0, 1e300) (no infinity, no negative, no text). */
#define NUMCHK(col) "CHECK(" col " IS NULL OR (" col " >= 0 AND " col " < 1e300))"
/* The required mean and percentiles of a session figure. */
#define SESSION_DIST(x)                                                                                         \
	" " x "_mean_s REAL NOT NULL " NUMCHK(x "_mean_s") ", " x "_p50_s REAL NOT NULL " NUMCHK(x "_p50_s") "," \
	" " x "_p90_s REAL NOT NULL " NUMCHK(x "_p90_s") ", " x "_p95_s REAL NOT NULL " NUMCHK(x "_p95_s") ","   \
	" " x "_p99_s REAL NOT NULL " NUMCHK(x "_p99_s") ","

/*
 * The tables.  `since` is the schema version in which a table's definition
 * last changed: migrating from an older version rebuilds it.  Column
 * order is fixed; a rebuild copies rows by column name.
 */
typedef struct {
	const char *name;
	int since;
	const char *def; /* what follows "CREATE TABLE name" */
} table_def;

/* Schema 5: the modules of a point's partition.  A dpr point of an older
 * version holds the paper's two (rms.h rms_describe's words); a static one none. */
static const char *const points_fill[] = {
	"rm_count", "CASE mode WHEN 'dpr' THEN 2 ELSE 0 END",
	"rm_set", "CASE mode WHEN 'dpr' THEN printf('prefill: prefill %dx%d block %d %s; decode: decode %d %s %s',"
		  " pre_pe, pre_lanes, pre_block, pm_prefill, dec_lanes, dec_dataflow, pm_decode) END",
	NULL};
static const char *const requests_fill[] = {"decode_rms", "decode_rm", NULL};

/* Columns a rebuild fills from the old row: per table, pairs of a column
 * name and an SQL expression over the old row (a column the new definition
 * adds with a default reads as that default), then NULL. */
static const struct {
	const char *table;
	const char *const *fill;
} fills[] = {{"points", points_fill}, {"requests", requests_fill}};

static const char *const *fill_of(const char *table)
{
	for (size_t i = 0; i < sizeof fills / sizeof fills[0]; i++)
		if (strcmp(fills[i].table, table) == 0)
			return fills[i].fill;
	return NULL;
}

static const table_def tables[] = {
	{"runs", 4,
	 "(run_id INTEGER PRIMARY KEY,"
	 " config_path TEXT NOT NULL,"
	 " config_sha256 TEXT NOT NULL CHECK(length(config_sha256) = 64),"
	 " config_text TEXT NOT NULL,"
	 " tool_version TEXT NOT NULL,"
	 " kind TEXT NOT NULL CHECK(kind IN ('designs','sweep','shard','session')),"
	 " started_at TEXT NOT NULL,"
	 " finished_at TEXT,"
	 " status TEXT NOT NULL CHECK(status IN ('running','complete','failed','interrupted')),"
	 " threads INTEGER NOT NULL CHECK(threads >= 1),"
	 " n_points INTEGER CHECK(n_points IS NULL OR n_points >= 0),"
	 " n_feasible INTEGER CHECK(n_feasible IS NULL OR n_feasible >= 0),"
	 " model_fingerprint TEXT CHECK(model_fingerprint IS NULL OR length(model_fingerprint) = 16),"
	 " ranks INTEGER CHECK(ranks IS NULL OR ranks >= 1))"},
	{"points", 5,
	 "(run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	 " point_id INTEGER NOT NULL CHECK(point_id >= 0),"
	 " design_name TEXT,"
	 " mode TEXT NOT NULL CHECK(mode IN ('static','dpr')),"
	 " clock_mhz INTEGER NOT NULL CHECK(clock_mhz > 0),"
	 " tlmm_tables INTEGER NOT NULL CHECK(tlmm_tables > 0),"
	 " tlmm_lanes INTEGER NOT NULL CHECK(tlmm_lanes > 0),"
	 " pre_pe INTEGER NOT NULL CHECK(pre_pe > 0),"
	 " pre_lanes INTEGER NOT NULL CHECK(pre_lanes > 0),"
	 " pre_block INTEGER NOT NULL CHECK(pre_block > 0),"
	 " pre_burst INTEGER NOT NULL CHECK(pre_burst > 0),"
	 " pre_outstanding INTEGER NOT NULL CHECK(pre_outstanding > 0),"
	 " dec_lanes INTEGER NOT NULL CHECK(dec_lanes > 0),"
	 " dec_burst INTEGER NOT NULL CHECK(dec_burst > 0),"
	 " dec_outstanding INTEGER NOT NULL CHECK(dec_outstanding > 0),"
	 " pm_prefill TEXT NOT NULL, pm_decode TEXT NOT NULL, pblock TEXT,"
	 " lut REAL NOT NULL " NUMCHK("lut") ", ff REAL NOT NULL " NUMCHK("ff") ","
	 " bram36 REAL NOT NULL " NUMCHK("bram36") ", uram REAL NOT NULL " NUMCHK("uram") ","
	 " dsp REAL NOT NULL " NUMCHK("dsp") ","
	 " util_lut REAL NOT NULL " NUMCHK("util_lut") ", util_ff REAL NOT NULL " NUMCHK("util_ff") ","
	 " util_bram36 REAL NOT NULL " NUMCHK("util_bram36") ", util_uram REAL NOT NULL " NUMCHK("util_uram") ","
	 " util_dsp REAL NOT NULL " NUMCHK("util_dsp") ","
	 " equiv_lut REAL NOT NULL " NUMCHK("equiv_lut") ", equiv_ff REAL NOT NULL " NUMCHK("equiv_ff") ","
	 " equiv_bram36 REAL NOT NULL " NUMCHK("equiv_bram36") ", equiv_uram REAL NOT NULL " NUMCHK("equiv_uram") ","
	 " equiv_dsp REAL NOT NULL " NUMCHK("equiv_dsp") ","
	 " feasible INTEGER NOT NULL CHECK(feasible IN (0,1)),"
	 " reason TEXT,"
	 " objective REAL " NUMCHK("objective") ","
	 " swap_s REAL " NUMCHK("swap_s") ","
	 " bitstream_bytes REAL " NUMCHK("bitstream_bytes") ","
	 " dec_dataflow TEXT NOT NULL DEFAULT 'serial' CHECK(dec_dataflow IN ('serial','kv_overlap','head_pipeline')),"
	 " kv_precision TEXT NOT NULL DEFAULT 'fp16' CHECK(kv_precision IN ('fp16','int8','int4')),"
	 " kv_window INTEGER NOT NULL DEFAULT 0 CHECK(kv_window >= 0),"
	 " kv_sinks INTEGER NOT NULL DEFAULT 0 CHECK(kv_sinks >= 0),"
	 " kv_tier_region TEXT NOT NULL DEFAULT 'none' CHECK(kv_tier_region IN ('none','static','rp')),"
	 " rm_count INTEGER NOT NULL CHECK(rm_count >= 0 AND rm_count <= 4), rm_set TEXT,"
	 " CHECK(kv_tier_region <> 'rp' OR mode = 'dpr'),"
	 " CHECK((mode = 'dpr') = (swap_s IS NOT NULL)),"
	 " CHECK((mode = 'dpr') = (bitstream_bytes IS NOT NULL)),"
	 " CHECK(feasible = 0 OR objective IS NOT NULL),"
	 " CHECK((mode = 'dpr') = (rm_count > 0) AND (rm_count > 0) = (rm_set IS NOT NULL)),"
	 " PRIMARY KEY(run_id, point_id)) WITHOUT ROWID"},
	{"metrics", 2,
	 "(run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	 " source TEXT NOT NULL CHECK(source IN ('analytic','des')),"
	 " length INTEGER NOT NULL CHECK(length > 0),"
	 " ttft_s REAL " NUMCHK("ttft_s") ", prefill_s REAL " NUMCHK("prefill_s") ","
	 " decode_tok_s REAL " NUMCHK("decode_tok_s") ", decode_step_s REAL " NUMCHK("decode_step_s") ","
	 " energy_j_per_token REAL " NUMCHK("energy_j_per_token") ","
	 " swap_exposed_s REAL " NUMCHK("swap_exposed_s") ","
	 " CHECK((ttft_s IS NULL) = (prefill_s IS NULL)),"
	 " CHECK((decode_step_s IS NULL) = (decode_tok_s IS NULL)"
	 " AND (decode_step_s IS NULL) = (energy_j_per_token IS NULL)),"
	 " CHECK(ttft_s IS NOT NULL OR decode_step_s IS NOT NULL),"
	 " CHECK(swap_exposed_s IS NULL OR ttft_s IS NOT NULL),"
	 " PRIMARY KEY(run_id, point_id, source, length),"
	 " FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID"},
	{"pareto", 1,
	 "(run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	 " PRIMARY KEY(run_id, point_id),"
	 " FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID"},
	{"chosen", 1,
	 "(run_id INTEGER PRIMARY KEY REFERENCES runs(run_id),"
	 " point_id INTEGER NOT NULL, objective REAL NOT NULL " NUMCHK("objective") ","
	 " FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id))"},
	{"sweeps", 4,
	 "(run_id INTEGER PRIMARY KEY REFERENCES runs(run_id),"
	 " all_points INTEGER NOT NULL CHECK(all_points IN (0,1)),"
	 " n_space INTEGER NOT NULL CHECK(n_space >= 0),"
	 " n_chunks INTEGER NOT NULL CHECK(n_chunks >= 0),"
	 " objectives TEXT NOT NULL,"
	 " shard INTEGER NOT NULL DEFAULT 1, n_shards INTEGER NOT NULL DEFAULT 1,"
	 " CHECK(n_shards >= 1 AND shard >= 1 AND shard <= n_shards))"},
	{"chunks", 3,
	 "(run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	 " chunk_id INTEGER NOT NULL CHECK(chunk_id >= 0),"
	 " n_points INTEGER NOT NULL CHECK(n_points >= 0),"
	 " n_feasible INTEGER NOT NULL CHECK(n_feasible >= 0 AND n_feasible <= n_points),"
	 " n_over_cap INTEGER CHECK(n_over_cap IS NULL OR n_over_cap >= 0),"
	 " n_too_slow INTEGER CHECK(n_too_slow IS NULL OR n_too_slow >= 0),"
	 " n_no_fit INTEGER CHECK(n_no_fit IS NULL OR n_no_fit >= 0),"
	 " CHECK(n_over_cap IS NULL OR n_over_cap + n_too_slow + n_no_fit + n_feasible = n_points),"
	 " PRIMARY KEY(run_id, chunk_id)) WITHOUT ROWID"},
	{"best", 5,
	 "(run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	 " mode TEXT NOT NULL CHECK(mode IN ('static','dpr','dpr_pair')),"
	 " point_id INTEGER NOT NULL,"
	 " source TEXT NOT NULL CHECK(source IN ('analytic','des')),"
	 " objective REAL NOT NULL " NUMCHK("objective") ","
	 " PRIMARY KEY(run_id, mode),"
	 " FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID"},
	/* what each knob does, and the front's equal points (schema 3 on) */
	{"knobs", 3,
	 "(run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	 " mode TEXT NOT NULL CHECK(mode IN ('static','dpr')),"
	 " knob TEXT NOT NULL, value_index INTEGER NOT NULL CHECK(value_index >= 0),"
	 " value TEXT NOT NULL,"
	 " n_feasible INTEGER NOT NULL CHECK(n_feasible >= 0),"
	 " best_objective REAL " NUMCHK("best_objective") ","
	 " CHECK((n_feasible = 0) = (best_objective IS NULL)),"
	 " PRIMARY KEY(run_id, mode, knob, value_index)) WITHOUT ROWID"},
	{"groups", 3,
	 "(run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	 " representative INTEGER NOT NULL CHECK(representative <= point_id),"
	 " PRIMARY KEY(run_id, point_id),"
	 " FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID"},
	/* what the report of a run draws, stored by the run (schema 3 on) */
	{"curves", 5,
	 "(run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	 " metric TEXT NOT NULL CHECK(metric IN ('ttft_s','decode_tok_s','energy_j_per_token')),"
	 " length INTEGER NOT NULL CHECK(length > 0),"
	 " value REAL NOT NULL " NUMCHK("value") ","
	 " PRIMARY KEY(run_id, point_id, metric, length),"
	 " FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID"},
	{"regions", 5,
	 "(run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	 " region TEXT NOT NULL CHECK(region IN ('static','prefill_rm','decode_rm','total','equivalent','pblock',"
	 "'kv_tier')),"
	 " lut REAL NOT NULL " NUMCHK("lut") ", ff REAL NOT NULL " NUMCHK("ff") ","
	 " bram36 REAL NOT NULL " NUMCHK("bram36") ", uram REAL NOT NULL " NUMCHK("uram") ","
	 " dsp REAL NOT NULL " NUMCHK("dsp") ","
	 " PRIMARY KEY(run_id, point_id, region),"
	 " FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID"},
	{"validation", 5,
	 "(run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	 " seq INTEGER NOT NULL CHECK(seq >= 0),"
	 " name TEXT NOT NULL, unit TEXT NOT NULL,"
	 " measured REAL NOT NULL CHECK(abs(measured) < 1e300),"
	 " predicted REAL NOT NULL CHECK(abs(predicted) < 1e300),"
	 " rel_err REAL NOT NULL CHECK(abs(rel_err) < 1e300),"
	 " fitted_to INTEGER NOT NULL CHECK(fitted_to IN (0,1)),"
	 " checked INTEGER NOT NULL CHECK(checked IN (0,1)),"
	 " note TEXT NOT NULL,"
	 " source TEXT, figure TEXT, part TEXT, length INTEGER CHECK(length IS NULL OR length >= 0),"
	 " PRIMARY KEY(run_id, seq)) WITHOUT ROWID"},
	{"swaps", 3,
	 "(run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	 " source TEXT NOT NULL CHECK(source IN ('analytic','des')),"
	 " prompt INTEGER NOT NULL CHECK(prompt > 0), gen INTEGER NOT NULL CHECK(gen >= 0),"
	 " prefill_s REAL NOT NULL " NUMCHK("prefill_s") ", ttft_s REAL NOT NULL " NUMCHK("ttft_s") ","
	 " swap_s REAL NOT NULL " NUMCHK("swap_s") ", pcap_s REAL NOT NULL " NUMCHK("pcap_s") ","
	 " tail_overlap_s REAL NOT NULL " NUMCHK("tail_overlap_s") ","
	 " swap_hidden_s REAL NOT NULL " NUMCHK("swap_hidden_s") ","
	 " swap_exposed_s REAL NOT NULL " NUMCHK("swap_exposed_s") ","
	 " decode_first_step_s REAL NOT NULL " NUMCHK("decode_first_step_s") ","
	 " PRIMARY KEY(run_id, point_id, source),"
	 " FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID"},
	{"trace_events", 5,
	 "(run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	 " seq INTEGER NOT NULL CHECK(seq >= 0),"
	 " kind TEXT NOT NULL CHECK(kind IN ('process','thread','span','instant')),"
	 " pid INTEGER NOT NULL, tid INTEGER NOT NULL, name TEXT NOT NULL,"
	 " sort_index INTEGER, cat TEXT,"
	 " t0_ps INTEGER CHECK(t0_ps IS NULL OR t0_ps >= 0), t1_ps INTEGER CHECK(t1_ps IS NULL OR t1_ps >= t0_ps),"
	 " layer INTEGER, token INTEGER, bytes REAL " NUMCHK("bytes") ","
	 " unit TEXT, phase TEXT, port TEXT, stream TEXT, module TEXT, part TEXT,"
	 " CHECK((kind IN ('span','instant')) = (cat IS NOT NULL AND t0_ps IS NOT NULL AND t1_ps IS NOT NULL)),"
	 " CHECK(kind != 'instant' OR t1_ps = t0_ps),"
	 " PRIMARY KEY(run_id, point_id, seq),"
	 " FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID"},
	/* the interval of each figure of the chosen (and best) designs (schema 4 on; models/interval.h) */
	{"intervals", 4,
	 "(run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	 " source TEXT NOT NULL CHECK(source IN ('analytic','des')),"
	 " figure TEXT NOT NULL CHECK(figure IN ('ttft_s','prefill_s','decode_tok_s','decode_step_s',"
	 "'energy_j_per_token','swap_exposed_s','objective','lut','ff','bram36','uram','dsp')),"
	 " length INTEGER NOT NULL CHECK(length >= 0),"
	 " value REAL NOT NULL " NUMCHK("value") ","
	 " lo REAL NOT NULL " NUMCHK("lo") ", hi REAL NOT NULL " NUMCHK("hi") ","
	 " fit_lo REAL NOT NULL " NUMCHK("fit_lo") ", fit_hi REAL NOT NULL " NUMCHK("fit_hi") ","
	 " unconstrained INTEGER NOT NULL CHECK(unconstrained IN (0,1)),"
	 " level REAL NOT NULL CHECK(level > 0 AND level < 1),"
	 " samples INTEGER NOT NULL CHECK(samples > 0),"
	 " CHECK(lo <= hi AND fit_lo <= fit_hi),"
	 " PRIMARY KEY(run_id, point_id, source, figure, length),"
	 " FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID"},
	/* sessions of many requests (schema 4 on): pdswap-dse session, and the
	 * sweep for its report */
	{"sessions", 5,
	 "(run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	 " session_id INTEGER NOT NULL CHECK(session_id >= 0),"
	 " design TEXT NOT NULL, point_id INTEGER CHECK(point_id IS NULL OR point_id >= 0),"
	 " mode TEXT NOT NULL CHECK(mode IN ('static','dpr')),"
	 " workload TEXT NOT NULL,"
	 " policy TEXT NOT NULL CHECK(policy IN ('always','never','threshold','oracle','static')),"
	 " model TEXT NOT NULL CHECK(model IN ('analytic','des')),"
	 " seed INTEGER NOT NULL CHECK(seed >= 0),"
	 " offered_rps REAL " NUMCHK("offered_rps") ","
	 " requests INTEGER NOT NULL CHECK(requests >= 0), refused INTEGER NOT NULL CHECK(refused >= 0),"
	 " trimmed INTEGER NOT NULL CHECK(trimmed >= 0), tokens INTEGER NOT NULL CHECK(tokens >= 0),"
	 " swaps INTEGER NOT NULL CHECK(swaps >= 0),"
	 " swap_s REAL NOT NULL " NUMCHK("swap_s") ", swap_exposed_s REAL NOT NULL " NUMCHK("swap_exposed_s") ","
	 SESSION_DIST("wait") SESSION_DIST("ttft") SESSION_DIST("e2e")
	 " tpot_mean_s REAL " NUMCHK("tpot_mean_s") ", tpot_p50_s REAL " NUMCHK("tpot_p50_s") ","
	 " tpot_p90_s REAL " NUMCHK("tpot_p90_s") ", tpot_p95_s REAL " NUMCHK("tpot_p95_s") ","
	 " tpot_p99_s REAL " NUMCHK("tpot_p99_s") ","
	 " duration_s REAL NOT NULL " NUMCHK("duration_s") ","
	 " throughput_rps REAL NOT NULL " NUMCHK("throughput_rps") ", tokens_per_s REAL NOT NULL " NUMCHK("tokens_per_s") ","
	 " goodput_rps REAL NOT NULL " NUMCHK("goodput_rps") ","
	 " slo_ttft_p90_s REAL NOT NULL " NUMCHK("slo_ttft_p90_s") ", slo_tpot_p99_s REAL NOT NULL " NUMCHK("slo_tpot_p99_s") ","
	 " slo_met INTEGER NOT NULL CHECK(slo_met IN (0,1)),"
	 " capacity_rps REAL " NUMCHK("capacity_rps") ","
	 " capacity_unbounded INTEGER NOT NULL CHECK(capacity_unbounded IN (0,1)),"
	 " reconfig_share REAL NOT NULL " NUMCHK("reconfig_share") ", utilisation REAL NOT NULL " NUMCHK("utilisation") ","
	 " energy_j REAL NOT NULL " NUMCHK("energy_j") ", energy_j_per_request REAL NOT NULL " NUMCHK("energy_j_per_request") ","
	 " energy_j_per_token REAL NOT NULL " NUMCHK("energy_j_per_token") ","
	 " mean_in_system REAL NOT NULL " NUMCHK("mean_in_system") ","
	 " kv_refill_s REAL NOT NULL DEFAULT 0 " NUMCHK("kv_refill_s") ","
	 " swaps_by_rm TEXT,"
	 " CHECK((mode = 'static') = (policy = 'static')),"
	 " CHECK(capacity_unbounded = 0 OR capacity_rps IS NULL),"
	 " PRIMARY KEY(run_id, session_id)) WITHOUT ROWID"},
	{"requests", 5,
	 "(run_id INTEGER NOT NULL, session_id INTEGER NOT NULL,"
	 " request_id INTEGER NOT NULL CHECK(request_id >= 0),"
	 " arrival_s REAL NOT NULL " NUMCHK("arrival_s") ","
	 " prompt INTEGER NOT NULL CHECK(prompt > 0), output INTEGER NOT NULL CHECK(output > 0),"
	 " trimmed INTEGER NOT NULL CHECK(trimmed IN (0,1)),"
	 " wait_s REAL NOT NULL " NUMCHK("wait_s") ", ttft_s REAL NOT NULL " NUMCHK("ttft_s") ","
	 " tpot_s REAL " NUMCHK("tpot_s") ", e2e_s REAL NOT NULL " NUMCHK("e2e_s") ","
	 " swaps INTEGER NOT NULL CHECK(swaps >= 0),"
	 " swap_exposed_s REAL NOT NULL " NUMCHK("swap_exposed_s") ", energy_j REAL NOT NULL " NUMCHK("energy_j") ","
	 " prefill_rm TEXT NOT NULL CHECK(length(prefill_rm) > 0),"
	 " decode_rm TEXT NOT NULL CHECK(length(decode_rm) > 0),"
	 " decode_rms TEXT NOT NULL,"
	 " CHECK((output = 1) = (tpot_s IS NULL)),"
	 " PRIMARY KEY(run_id, session_id, request_id),"
	 " FOREIGN KEY(run_id, session_id) REFERENCES sessions(run_id, session_id)) WITHOUT ROWID"},
	{"breakeven", 5,
	 "(run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	 " design TEXT NOT NULL, point_id INTEGER CHECK(point_id IS NULL OR point_id >= 0),"
	 " static_design TEXT NOT NULL, static_point_id INTEGER CHECK(static_point_id IS NULL OR static_point_id >= 0),"
	 " model TEXT NOT NULL CHECK(model IN ('analytic','des')),"
	 " policy TEXT NOT NULL CHECK(policy IN ('always','never','threshold','oracle')),"
	 " prompt INTEGER NOT NULL CHECK(prompt > 0), output INTEGER NOT NULL CHECK(output > 0),"
	 " e2e_s REAL NOT NULL " NUMCHK("e2e_s") ", energy_j REAL NOT NULL " NUMCHK("energy_j") ","
	 " static_e2e_s REAL NOT NULL " NUMCHK("static_e2e_s") ", static_energy_j REAL NOT NULL " NUMCHK("static_energy_j") ","
	 " prefill_rm TEXT, decode_rms TEXT,"
	 " PRIMARY KEY(run_id, design, policy, prompt, output)) WITHOUT ROWID"},
	/* the K/V options of the chosen design, for its report (schema 5 on; models/kvcache.h):
	 * each precision without a tier and with the largest tier each region holds */
	{"kv_curves", 5,
	 "(run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	 " kv_precision TEXT NOT NULL CHECK(kv_precision IN ('fp16','int8','int4')),"
	 " kv_window INTEGER NOT NULL CHECK(kv_window >= 0), kv_sinks INTEGER NOT NULL CHECK(kv_sinks >= 0),"
	 " kv_tier_region TEXT NOT NULL CHECK(kv_tier_region IN ('none','static','rp')),"
	 " feasible INTEGER NOT NULL CHECK(feasible IN (0,1)), reason TEXT,"
	 " tier_blocks INTEGER NOT NULL CHECK(tier_blocks >= 0),"
	 " tier_memory TEXT NOT NULL CHECK(tier_memory IN ('uram','bram36')),"
	 " length INTEGER NOT NULL CHECK(length > 0),"
	 " decode_tok_s REAL NOT NULL " NUMCHK("decode_tok_s") ","
	 " PRIMARY KEY(run_id, point_id, kv_precision, kv_window, kv_sinks, kv_tier_region, length),"
	 " FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID"},
	/* imported reports of the real build, stored as measurements (schema 5 on; import/) */
	{"measurements", 5,
	 "(measurement_id INTEGER PRIMARY KEY,"
	 " imported_at TEXT NOT NULL,"
	 " file TEXT NOT NULL, sha256 TEXT NOT NULL CHECK(length(sha256) = 64),"
	 " kind TEXT NOT NULL CHECK(kind IN ('csynth','utilization')),"
	 " tool_version TEXT NOT NULL, part TEXT NOT NULL, top TEXT, design_state TEXT,"
	 " config_path TEXT NOT NULL, config_sha256 TEXT NOT NULL CHECK(length(config_sha256) = 64),"
	 " device_part TEXT NOT NULL, model_key TEXT NOT NULL,"
	 " target TEXT NOT NULL CHECK(target IN ('design','point','engine')), target_text TEXT NOT NULL,"
	 " design_name TEXT, run_id INTEGER, point_id INTEGER CHECK(point_id IS NULL OR point_id >= 0),"
	 " scope TEXT NOT NULL CHECK(scope IN ('tlmm','prefill','decode','design','pblock')),"
	 " mode TEXT CHECK(mode IS NULL OR mode IN ('static','dpr')),"
	 " clock_mhz INTEGER NOT NULL CHECK(clock_mhz > 0),"
	 " tlmm_tables INTEGER CHECK(tlmm_tables IS NULL OR tlmm_tables > 0),"
	 " tlmm_lanes INTEGER CHECK(tlmm_lanes IS NULL OR tlmm_lanes > 0),"
	 " pre_pe INTEGER CHECK(pre_pe IS NULL OR pre_pe > 0), pre_lanes INTEGER CHECK(pre_lanes IS NULL OR pre_lanes > 0),"
	 " pre_block INTEGER CHECK(pre_block IS NULL OR pre_block > 0),"
	 " dec_lanes INTEGER CHECK(dec_lanes IS NULL OR dec_lanes > 0),"
	 " dec_dataflow TEXT CHECK(dec_dataflow IS NULL OR dec_dataflow IN ('serial','kv_overlap','head_pipeline')),"
	 " pblock TEXT, pm_prefill TEXT, pm_decode TEXT,"
	 " loop_bound INTEGER CHECK(loop_bound IS NULL OR loop_bound > 0),"
	 " target_clock_ns REAL " NUMCHK("target_clock_ns") ", estimated_clock_ns REAL " NUMCHK("estimated_clock_ns") ","
	 " latency_best REAL " NUMCHK("latency_best") ", latency_average REAL " NUMCHK("latency_average") ","
	 " latency_worst REAL " NUMCHK("latency_worst") ","
	 " interval_min REAL " NUMCHK("interval_min") ", interval_max REAL " NUMCHK("interval_max") ","
	 " lut REAL " NUMCHK("lut") ", ff REAL " NUMCHK("ff") ", bram18 REAL " NUMCHK("bram18") ","
	 " bram36 REAL " NUMCHK("bram36") ", dsp REAL " NUMCHK("dsp") ", uram REAL " NUMCHK("uram") ","
	 " avail_lut REAL " NUMCHK("avail_lut") ", avail_ff REAL " NUMCHK("avail_ff") ","
	 " avail_bram18 REAL " NUMCHK("avail_bram18") ", avail_bram36 REAL " NUMCHK("avail_bram36") ","
	 " avail_dsp REAL " NUMCHK("avail_dsp") ", avail_uram REAL " NUMCHK("avail_uram") ","
	 " report_json TEXT NOT NULL,"
	 " CHECK(lut IS NOT NULL),"
	 " CHECK((target = 'design') = (design_name IS NOT NULL AND run_id IS NULL)),"
	 " CHECK((target = 'point') = (point_id IS NOT NULL AND run_id IS NOT NULL)),"
	 " UNIQUE(sha256, target_text, scope))"},
	/* the measurements a run took as profiles or as limits (--respect-measured) */
	{"run_measurements", 5,
	 "(run_id INTEGER NOT NULL REFERENCES runs(run_id),"
	 " measurement_id INTEGER NOT NULL REFERENCES measurements(measurement_id),"
	 " use TEXT NOT NULL CHECK(use IN ('profile','respect')),"
	 " PRIMARY KEY(run_id, measurement_id, use)) WITHOUT ROWID"},
	/* the modules of a point whose design names a set (schema 5 on; a dpr
	 * point without rows holds the paper's two, its own engines) */
	{"point_rms", 5,
	 "(run_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	 " rm_index INTEGER NOT NULL CHECK(rm_index >= 0 AND rm_index < 4),"
	 " name TEXT NOT NULL CHECK(length(name) > 0),"
	 " engines TEXT NOT NULL CHECK(engines IN ('prefill','decode','hybrid')),"
	 " serves TEXT NOT NULL CHECK(serves IN ('prefill','decode','prefill,decode')),"
	 " pre_pe INTEGER CHECK(pre_pe IS NULL OR pre_pe > 0), pre_lanes INTEGER CHECK(pre_lanes IS NULL OR pre_lanes > 0),"
	 " pre_block INTEGER CHECK(pre_block IS NULL OR pre_block > 0),"
	 " pre_burst INTEGER CHECK(pre_burst IS NULL OR pre_burst > 0),"
	 " pre_outstanding INTEGER CHECK(pre_outstanding IS NULL OR pre_outstanding > 0), pm_prefill TEXT,"
	 " dec_lanes INTEGER CHECK(dec_lanes IS NULL OR dec_lanes > 0),"
	 " dec_burst INTEGER CHECK(dec_burst IS NULL OR dec_burst > 0),"
	 " dec_outstanding INTEGER CHECK(dec_outstanding IS NULL OR dec_outstanding > 0), pm_decode TEXT,"
	 " dec_dataflow TEXT CHECK(dec_dataflow IS NULL OR dec_dataflow IN ('serial','kv_overlap','head_pipeline')),"
	 " lut REAL NOT NULL " NUMCHK("lut") ", ff REAL NOT NULL " NUMCHK("ff") ","
	 " bram36 REAL NOT NULL " NUMCHK("bram36") ", uram REAL NOT NULL " NUMCHK("uram") ","
	 " dsp REAL NOT NULL " NUMCHK("dsp") ","
	 " CHECK((engines = 'decode') = (pre_pe IS NULL) AND (pre_pe IS NULL) = (pm_prefill IS NULL)),"
	 " CHECK((engines = 'prefill') = (dec_lanes IS NULL) AND (dec_lanes IS NULL) = (pm_decode IS NULL)),"
	 " PRIMARY KEY(run_id, point_id, rm_index),"
	 " FOREIGN KEY(run_id, point_id) REFERENCES points(run_id, point_id)) WITHOUT ROWID"},
};
#define N_TABLES (sizeof tables / sizeof tables[0])

static const char *const index_sql =
	"CREATE INDEX IF NOT EXISTS runs_by_sha ON runs(config_sha256, status);"
	"CREATE INDEX IF NOT EXISTS points_by_mode ON points(run_id, mode, feasible);"
	"CREATE INDEX IF NOT EXISTS measurements_by_part ON measurements(device_part, model_key);";

/* The query surface; dropped and made again by a migration. */
static const char *const view_names[] = {"v_points",   "v_metrics", "v_pareto",   "v_chosen",     "v_best",
					 "v_runs",     "v_curves",  "v_regions",  "v_validation", "v_swaps",
					 "v_trace",    "v_knobs",   "v_groups",   "v_counts",     "v_intervals",
					 "v_sessions", "v_requests", "v_breakeven", "v_kv_curves", "v_measured",
					 "v_run_measurements", "v_rms"};

static const char *const view_sql =
	"CREATE VIEW v_points AS SELECT run_id, point_id, design_name, mode, clock_mhz, tlmm_tables,"
	" tlmm_lanes, pre_pe, pre_lanes, pre_block, dec_lanes, pre_outstanding, dec_outstanding,"
	" pm_prefill, pm_decode, pblock, lut, ff, bram36, uram, dsp, util_lut, util_ff, util_bram36,"
	" util_uram, util_dsp, equiv_lut, equiv_ff, equiv_bram36, equiv_uram, equiv_dsp, feasible,"
	" reason, objective, swap_s, bitstream_bytes, dec_dataflow, kv_precision, kv_window, kv_sinks,"
	" kv_tier_region, rm_count, rm_set FROM points;"
	"CREATE VIEW v_metrics AS SELECT run_id, point_id, source, length AS prompt, ttft_s, prefill_s,"
	" decode_tok_s, decode_step_s, energy_j_per_token, swap_exposed_s, length FROM metrics;"
	"CREATE VIEW v_pareto AS SELECT run_id, point_id FROM pareto;"
	"CREATE VIEW v_chosen AS SELECT run_id, point_id, objective FROM chosen;"
	"CREATE VIEW v_best AS SELECT run_id, mode, point_id, source, objective FROM best;"
	"CREATE VIEW v_runs AS SELECT r.run_id, r.config_path, r.config_sha256, r.tool_version, r.kind,"
	" r.started_at, r.finished_at, r.status, r.threads, r.n_points, r.n_feasible, r.model_fingerprint,"
	" r.ranks, w.shard, w.n_shards FROM runs r LEFT JOIN sweeps w USING(run_id);"
	"CREATE VIEW v_knobs AS SELECT run_id, mode, knob, value_index, value, n_feasible, best_objective FROM knobs;"
	"CREATE VIEW v_groups AS SELECT g.run_id, g.representative, count(*) AS n_points,"
	" group_concat(g.point_id) AS point_ids FROM groups g GROUP BY g.run_id, g.representative;"
	"CREATE VIEW v_counts AS SELECT run_id, count(*) AS n_chunks, sum(n_points) AS n_points,"
	" sum(n_feasible) AS n_feasible, sum(n_over_cap) AS n_over_cap, sum(n_too_slow) AS n_too_slow,"
	" sum(n_no_fit) AS n_no_fit FROM chunks GROUP BY run_id;"
	"CREATE VIEW v_curves AS SELECT run_id, point_id, metric, length, value FROM curves;"
	"CREATE VIEW v_regions AS SELECT run_id, point_id, region, lut, ff, bram36, uram, dsp FROM regions;"
	"CREATE VIEW v_validation AS SELECT run_id, seq, name, unit, measured, predicted, rel_err, fitted_to,"
	" checked, note, source, figure, part, length FROM validation;"
	"CREATE VIEW v_swaps AS SELECT run_id, point_id, source, prompt, gen, prefill_s, ttft_s, swap_s, pcap_s,"
	" tail_overlap_s, swap_hidden_s, swap_exposed_s, decode_first_step_s FROM swaps;"
	"CREATE VIEW v_trace AS SELECT run_id, point_id, seq, kind, pid, tid, name, sort_index, cat, t0_ps, t1_ps,"
	" layer, token, bytes, unit, phase, port, stream, module, part FROM trace_events;"
	"CREATE VIEW v_intervals AS SELECT run_id, point_id, source, figure, length, value, lo, hi, fit_lo, fit_hi,"
	" unconstrained, level, samples FROM intervals;"
	"CREATE VIEW v_sessions AS SELECT run_id, session_id, design, point_id, mode, workload, policy, model, seed,"
	" offered_rps, requests, refused, trimmed, tokens, swaps, swap_s, swap_exposed_s,"
	" wait_mean_s, wait_p50_s, wait_p90_s, wait_p95_s, wait_p99_s,"
	" ttft_mean_s, ttft_p50_s, ttft_p90_s, ttft_p95_s, ttft_p99_s,"
	" tpot_mean_s, tpot_p50_s, tpot_p90_s, tpot_p95_s, tpot_p99_s,"
	" e2e_mean_s, e2e_p50_s, e2e_p90_s, e2e_p95_s, e2e_p99_s,"
	" duration_s, throughput_rps, tokens_per_s, goodput_rps, slo_ttft_p90_s, slo_tpot_p99_s, slo_met,"
	" capacity_rps, capacity_unbounded, reconfig_share, utilisation, energy_j, energy_j_per_request,"
	" energy_j_per_token, mean_in_system, kv_refill_s, swaps_by_rm FROM sessions;"
	"CREATE VIEW v_requests AS SELECT q.run_id, q.session_id, s.workload, s.policy, q.request_id, q.arrival_s,"
	" q.prompt, q.output, q.trimmed, q.wait_s, q.ttft_s, q.tpot_s, q.e2e_s, q.swaps, q.swap_exposed_s, q.energy_j,"
	" q.prefill_rm, q.decode_rm, q.decode_rms FROM requests q JOIN sessions s USING(run_id, session_id);"
	"CREATE VIEW v_breakeven AS SELECT run_id, design, point_id, static_design, static_point_id, model, policy,"
	" prompt, output, e2e_s, energy_j, static_e2e_s, static_energy_j, static_e2e_s / e2e_s AS e2e_gain,"
	" static_energy_j / energy_j AS energy_gain, prefill_rm, decode_rms FROM breakeven;"
	"CREATE VIEW v_kv_curves AS SELECT run_id, point_id, kv_precision, kv_window, kv_sinks, kv_tier_region,"
	" feasible, reason, tier_blocks, tier_memory, length, decode_tok_s FROM kv_curves;"
	"CREATE VIEW v_measured AS SELECT measurement_id, imported_at, file, sha256, kind, tool_version, part, top,"
	" design_state, config_path, config_sha256, target, target_text, design_name, run_id, point_id, scope, mode,"
	" clock_mhz, tlmm_tables, tlmm_lanes, pre_pe, pre_lanes, pre_block, dec_lanes, dec_dataflow, pblock, loop_bound,"
	" target_clock_ns, estimated_clock_ns,"
	" CASE WHEN estimated_clock_ns IS NULL THEN NULL WHEN estimated_clock_ns <= 1000.0 / clock_mhz THEN 1 ELSE 0 END"
	" AS timing_met,"
	" latency_best, latency_average, latency_worst, interval_min, interval_max,"
	" lut, ff, bram18, bram36, coalesce(bram36, bram18 / 2.0) AS bram36_equiv, dsp, uram,"
	" avail_lut, avail_ff, avail_bram18, avail_bram36, avail_dsp, avail_uram,"
	" CASE WHEN avail_lut IS NULL THEN NULL WHEN lut > avail_lut OR ff > avail_ff"
	" OR coalesce(bram36, bram18 / 2.0) > coalesce(avail_bram36, avail_bram18 / 2.0) OR dsp > avail_dsp"
	" OR uram > avail_uram THEN 1 ELSE 0 END AS over_available FROM measurements;"
	"CREATE VIEW v_run_measurements AS SELECT run_id, measurement_id, use FROM run_measurements;"
	"CREATE VIEW v_rms AS SELECT run_id, point_id, rm_index, name, engines, serves, pre_pe, pre_lanes, pre_block,"
	" pre_burst, pre_outstanding, pm_prefill, dec_lanes, dec_burst, dec_outstanding, pm_decode, dec_dataflow,"
	" lut, ff, bram36, uram, dsp FROM point_rms"
	" UNION ALL SELECT p.run_id, p.point_id, 0, 'prefill', 'prefill', 'prefill,decode', p.pre_pe, p.pre_lanes,"
	" p.pre_block, p.pre_burst, p.pre_outstanding, p.pm_prefill, NULL, NULL, NULL, NULL, NULL,"
	" NULL, NULL, NULL, NULL, NULL FROM points p WHERE p.mode = 'dpr' AND NOT EXISTS"
	" (SELECT 1 FROM point_rms r WHERE r.run_id = p.run_id AND r.point_id = p.point_id)"
	" UNION ALL SELECT p.run_id, p.point_id, 1, 'decode', 'decode', 'prefill,decode', NULL, NULL, NULL, NULL, NULL,"
	" NULL, p.dec_lanes, p.dec_burst, p.dec_outstanding, p.pm_decode, p.dec_dataflow,"
	" NULL, NULL, NULL, NULL, NULL FROM points p WHERE p.mode = 'dpr' AND NOT EXISTS"
	" (SELECT 1 FROM point_rms r WHERE r.run_id = p.run_id AND r.point_id = p.point_id);";

/* Whether table `name` exists: 1, 0, or -1 (message set). */
static int table_exists(store *s, const char *name)
{
	sqlite3_stmt *st;
	if (store_prepare(s, &st, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?"))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return n < 0 ? store_fail_rc(s, rc, "cannot read the schema") : n > 0;
}

/*
 * Rebuild table t with its current definition: create it under a
 * temporary name, copy the rows column by column (by name: the columns
 * both definitions have; a column the new one adds starts at its default,
 * or NULL, or at what t->fill computes from the old row), drop the old
 * table and rename (see fills).  Runs inside the migration's transaction, views dropped and
 * foreign keys off, as SQLite's documented procedure requires.
 */
static int rebuild(store *s, const table_def *t, int from)
{
	char what[200], *sql = NULL;
	snprintf(what, sizeof what, "cannot migrate table '%s' from schema version %d to %d", t->name, from,
		 STORE_SCHEMA_VERSION);
	sql = sqlite3_mprintf("CREATE TABLE \"%w__new\" %s", t->name, t->def);
	int rc = sql ? store_exec(s, sql, what) : store_fail_rc(s, SQLITE_NOMEM, what);
	sqlite3_free(sql);
	if (rc)
		return -1;
	/* the columns both tables have, comma-separated (a column the new
	 * definition adds starts NULL; one it drops is not copied) */
	sqlite3_stmt *st;
	char *q = sqlite3_mprintf("SELECT n.name FROM pragma_table_info('%q__new') n"
				  " JOIN pragma_table_info('%q') o ON o.name = n.name ORDER BY n.cid",
				  t->name, t->name);
	int prc = q ? sqlite3_prepare_v2(s->db, q, -1, &st, NULL) : SQLITE_NOMEM;
	sqlite3_free(q);
	if (prc != SQLITE_OK)
		return store_fail_rc(s, prc, what);
	char *cols = sqlite3_mprintf("%s", "");
	while (cols && sqlite3_step(st) == SQLITE_ROW) {
		char *c = sqlite3_mprintf("%s%s\"%w\"", cols, *cols ? "," : "", (const char *)sqlite3_column_text(st, 0));
		sqlite3_free(cols);
		cols = c;
	}
	sqlite3_finalize(st);
	if (!cols)
		return store_fail_rc(s, SQLITE_NOMEM, what);
	/* the columns filled from the old row, and what the old row reads as:
	 * itself, with each added column that has a default at it */
	char *fcols = sqlite3_mprintf("%s", cols), *fexprs = sqlite3_mprintf("%s", cols);
	char *src = sqlite3_mprintf("\"%w\"", t->name);
	const char *const *fill = fill_of(t->name);
	if (fill && fcols && fexprs && src) {
		q = sqlite3_mprintf("SELECT n.name, n.dflt_value FROM pragma_table_info('%q__new') n"
				    " WHERE n.dflt_value IS NOT NULL AND n.name NOT IN (SELECT name FROM pragma_table_info('%q'))",
				    t->name, t->name);
		prc = q ? sqlite3_prepare_v2(s->db, q, -1, &st, NULL) : SQLITE_NOMEM;
		sqlite3_free(q);
		if (prc != SQLITE_OK) {
			sqlite3_free(cols);
			sqlite3_free(fcols);
			sqlite3_free(fexprs);
			sqlite3_free(src);
			return store_fail_rc(s, prc, what);
		}
		char *extra = sqlite3_mprintf("%s", "");
		while (extra && sqlite3_step(st) == SQLITE_ROW) {
			char *e = sqlite3_mprintf("%s, %s AS \"%w\"", extra, (const char *)sqlite3_column_text(st, 1),
						  (const char *)sqlite3_column_text(st, 0));
			sqlite3_free(extra);
			extra = e;
		}
		sqlite3_finalize(st);
		sqlite3_free(src);
		src = extra ? sqlite3_mprintf("(SELECT *%s FROM \"%w\")", extra, t->name) : NULL;
		sqlite3_free(extra);
		for (int k = 0; fill[k] && fcols && fexprs; k += 2) {
			char *a = sqlite3_mprintf("%s,\"%w\"", fcols, fill[k]);
			char *b = sqlite3_mprintf("%s,%s", fexprs, fill[k + 1]);
			sqlite3_free(fcols);
			sqlite3_free(fexprs);
			fcols = a;
			fexprs = b;
		}
	}
	if (!fcols || !fexprs || !src) {
		sqlite3_free(cols);
		sqlite3_free(fcols);
		sqlite3_free(fexprs);
		sqlite3_free(src);
		return store_fail_rc(s, SQLITE_NOMEM, what);
	}
	sql = sqlite3_mprintf("INSERT INTO \"%w__new\"(%s) SELECT %s FROM %s;"
			      "DROP TABLE \"%w\";"
			      "ALTER TABLE \"%w__new\" RENAME TO \"%w\";",
			      t->name, fcols, fexprs, src, t->name, t->name, t->name);
	sqlite3_free(fcols);
	sqlite3_free(fexprs);
	sqlite3_free(src);
	sqlite3_free(cols);
	rc = sql ? store_exec(s, sql, what) : store_fail_rc(s, SQLITE_NOMEM, what);
	sqlite3_free(sql);
	return rc;
}

/*
 * Bring a database of version `from` (0: an empty file) to
 * STORE_SCHEMA_VERSION in one transaction: create the tables it lacks,
 * rebuild those whose definition changed after `from`, make the indexes
 * and views, check the foreign keys, set the version.  On any failure
 * nothing is kept.  Returns 0, or -1 with the message in s->err.
 */
int schema_upgrade(store *s, int from)
{
	char what[160];
	snprintf(what, sizeof what, "cannot migrate schema version %d to %d", from, STORE_SCHEMA_VERSION);
	if (store_exec(s, "PRAGMA foreign_keys=OFF;", what) || store_exec(s, "BEGIN IMMEDIATE;", what))
		return -1;
	/* another process may have got there first */
	int64_t ver = 0;
	int rc = store_query_int(s, "PRAGMA user_version", &ver);
	if (rc != SQLITE_OK) {
		store_fail_rc(s, rc, what);
		goto bad;
	}
	if (ver == STORE_SCHEMA_VERSION) /* made or migrated by another process meanwhile */
		return store_exec(s, "COMMIT;", what);
	if (ver != from) {
		snprintf(s->err, sizeof s->err, "%s: another process changed its schema version to %lld while it was "
						"being opened; run again",
			 s->path, (long long)ver);
		goto bad;
	}
	/* views name the tables a rebuild drops and renames (no version has
	 * triggers; one a user added makes the rename, and so the migration,
	 * fail) */
	for (size_t i = 0; i < sizeof view_names / sizeof view_names[0]; i++) {
		char sql[64];
		snprintf(sql, sizeof sql, "DROP VIEW IF EXISTS %s;", view_names[i]);
		if (store_exec(s, sql, what))
			goto bad;
	}
	for (size_t i = 0; i < N_TABLES; i++) {
		const table_def *t = &tables[i];
		int ex = table_exists(s, t->name);
		if (ex < 0)
			goto bad;
		if (ex && t->since > from) {
			if (rebuild(s, t, from))
				goto bad;
		} else if (!ex) {
			char *sql = sqlite3_mprintf("CREATE TABLE \"%w\" %s", t->name, t->def);
			rc = sql ? store_exec(s, sql, what) : store_fail_rc(s, SQLITE_NOMEM, what);
			sqlite3_free(sql);
			if (rc)
				goto bad;
		}
	}
	if (store_exec(s, index_sql, what) || store_exec(s, view_sql, what))
		goto bad;
	/* the copy checked every row but their references (foreign keys are off) */
	int64_t dangling = 0;
	rc = store_query_int(s, "SELECT count(*) FROM pragma_foreign_key_check", &dangling);
	if (rc != SQLITE_OK) {
		store_fail_rc(s, rc, what);
		goto bad;
	}
	if (dangling) {
		snprintf(s->err, sizeof s->err, "%s: %s: %lld rows refer to rows that do not exist", s->path, what,
			 (long long)dangling);
		goto bad;
	}
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d;", STORE_SCHEMA_VERSION);
	if (store_exec(s, sql, what) || store_exec(s, "COMMIT;", what))
		goto bad;
	s->migrated_from = from;
	return 0;
bad:
	sqlite3_exec(s->db, "ROLLBACK;", NULL, NULL, NULL);
	return -1;
}

