#!/bin/sh
# cli_test.sh - end-to-end tests of the pdswap-dse command line: exit codes,
# --help of every subcommand, JSON that a real parser reads, the results
# database of the main job, and that a bad config writes nothing.
set -u
BIN=${PDSWAP_BIN:-build/pdswap-dse}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE CMD... : run, compare the exit code
expect() {
	want=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" = "$want" ]; then ok; else bad "exit $got (want $want): $* :: $(head -c 300 "$T/err")"; fi
}

expect 0 "$BIN" --help
expect 0 "$BIN" --version
expect 2 "$BIN"
expect 2 "$BIN" --bogus
for sub in simulate session calibrate validate emit-hls emit-dfx import; do
	expect 0 "$BIN" $sub --help
	grep -q "usage: pdswap-dse $sub" "$T/out" && ok || bad "$sub --help prints no usage"
done
expect 0 "$BIN" configs/kv260.yaml --help
# a run made by another model (fingerprint) is never resumed: a new run starts and says why
expect 0 "$BIN" configs/kv260.yaml --db "$T/fp.db" --no-progress --hls-out "$T/fp_hls"
sqlite3 "$T/fp.db" "UPDATE runs SET status='interrupted', model_fingerprint='0123456789abcdef'"
expect 0 "$BIN" configs/kv260.yaml --db "$T/fp.db" --no-progress --hls-out "$T/fp_hls"
grep -q "run 1 in $T/fp.db was made by another model (fingerprint 0123456789abcdef; this build's is [0-9a-f]\{16\}): it is not resumed; run 2 starts anew" "$T/err" &&
	ok || bad "another model's run: $(cat "$T/err")"
[ "$(sqlite3 "$T/fp.db" "SELECT count(*) FROM runs WHERE status='complete' AND model_fingerprint IS NOT NULL")" = 1 ] &&
	ok || bad "another model's run was resumed"
# one option parser: help and help COMMAND, the same tables as the parsers
expect 0 "$BIN" help
for sub in simulate session calibrate validate emit-hls emit-dfx report export import merge; do
	grep -q "^ *\(usage: \)\?pdswap-dse $sub " "$T/out" && ok || bad "help does not list $sub"
done
cp "$T/out" "$T/help_all"
for sub in run simulate session calibrate validate emit-hls emit-dfx report export import merge; do
	expect 0 "$BIN" help $sub
	# every option the command's usage documents appears in the top-level synopsis, and the reverse
	opts=$(grep -o '^  --[a-z-]*' "$T/out" | tr -d ' ' | grep -v -- '--help' | sort -u)
	[ -n "$opts" ] || [ $sub = calibrate ] || bad "help $sub lists no options"
	if [ $sub = run ]; then line=$(sed -n '1,2p' "$T/help_all"); else
		line=$(awk -v s="pdswap-dse $sub " 'index($0, s) { p = 1 } p && /^       pdswap-dse / && !index($0, s) { p = 0 } p' "$T/help_all"); fi
	for o in $opts; do echo "$line" | grep -q -- "$o" || bad "help: $sub synopsis lacks $o"; done
done
expect 2 "$BIN" help nosuch
grep -q "no command named 'nosuch'" "$T/err" && ok || bad "help of an unknown command"
# options in any order, and --name=VALUE
expect 2 "$BIN" --threads 2 "$T/missing.yaml"
grep -q "$T/missing.yaml: cannot open" "$T/err" && ok || bad "options before CONFIG: $(cat "$T/err")"
# a design space beyond the sweep's limits is a config error at design_space, before anything is written
python3 - "$T/huge.yaml" <<'PY'
import sys
s = open("configs/kv260.yaml").read()
for key, old in (("tlmm_tables", "[16, 20, 24, 28, 32]"), ("tlmm_lanes", "[4, 6, 8, 10, 12]"),
                 ("prefill_pe", "[4, 8, 16, 24, 32]"), ("prefill_lanes", "[2, 4, 8]"),
                 ("decode_lanes", "[8, 16, 32, 48]"), ("prefill_block", "[1, 4, 16]")):
    line = "  %s: %s" % (key, old)
    assert line in s, line
    s = s.replace(line, "  %s: [%s]" % (key, ", ".join(str(i) for i in range(1, 65))))
open(sys.argv[1], "w").write(s)
PY
mkdir -p "$T/huge"
expect 2 "$BIN" "$T/huge.yaml" --db "$T/huge/r.db" --hls-out "$T/huge/hw"
line=$(grep -n '^design_space:' "$T/huge.yaml" | cut -d: -f1)
grep -q "^$T/huge.yaml:$line:1: 'design_space' has [0-9]* points in [0-9]* chunks; a sweep takes 1 to 1099511627776 points" "$T/err" && ok || bad "a space over the limits: $(cat "$T/err")"
[ -z "$(ls -A "$T/huge")" ] && ok || bad "a space over the limits wrote $(ls "$T/huge")"
# every pblock too small for any RM: the best static design is chosen, and the run says why
python3 - configs/kv260.yaml "$T/tinypb.yaml" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
t = re.sub(r"    - name: (rp_[sml])\n      sites: \[[^]]*\]\n",
           r"    - {name: \1, clb_tiles: 2, dsp_tiles: 1, bram_tiles: 1, uram_sites: 1}\n", t)
open(sys.argv[2], "w").write(t)
PY
[ "$(grep -c 'clb_tiles: 2, dsp_tiles: 1' "$T/tinypb.yaml")" = 3 ] && ok || bad "the tiny-pblock config was not made"
mkdir -p "$T/tinypb"
expect 0 "$BIN" "$T/tinypb.yaml" --db "$T/tinypb/r.db" --hls-out "$T/tinypb/hw"
grep -q "^chosen: point [0-9]* (static, .*): no dpr design of the space meets every constraint (see the counts above), so the best static design is chosen$" "$T/out" &&
	ok || bad "every pblock too small: $(cat "$T/out")"
grep -q "; front 0 dpr + [0-9]* static;" "$T/out" && ok || bad "every pblock too small: the dpr front is not empty: $(head -1 "$T/out")"
# a config that is not a regular file is refused at once, not read (a FIFO would block)
mkfifo "$T/fifo.yaml"
expect 2 timeout 10 "$BIN" validate "$T/fifo.yaml"
grep -q "$T/fifo.yaml: not a regular file (a FIFO); a config is a YAML file" "$T/err" && ok || bad "a FIFO config: $(cat "$T/err")"
expect 2 "$BIN" "$T"
grep -q "$T: not a regular file (a directory)" "$T/err" && ok || bad "a directory as config: $(cat "$T/err")"
rm -f "$T/fifo.yaml"
expect 0 "$BIN" simulate --gen=2 --model=analytic configs/kv260.yaml --prompt 8 --design=tellme
expect 2 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 8 --gen 2 --json=yes

# simulate: JSON parses and carries the documented keys
expect 0 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 64 --gen 16 --model analytic --json
python3 - "$T/out" <<'PY' && ok || bad "simulate --json output"
import json, sys
o = json.load(open(sys.argv[1]))
need = ["design", "mode", "model", "prompt", "gen", "ttft_s", "prefill_s", "decode_s", "decode_tok_s",
        "swap_s", "swap_exposed_s", "lut", "ff", "bram36", "uram", "dsp", "energy_j_per_token"]
missing = [k for k in need if k not in o]
assert not missing, missing
assert o["design"] == "tellme" and o["mode"] == "static" and o["model"] == "analytic"
assert o["prompt"] == 64 and o["gen"] == 16
assert abs(o["decode_tok_s"] - o["gen"] / o["decode_s"]) < 1e-9 * o["decode_tok_s"]
assert o["ttft_s"] > o["prefill_s"] > 0 and o["swap_s"] == 0
PY
expect 0 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 128 --gen 8
grep -q "swap exposed" "$T/out" && ok || bad "simulate table of a dpr design shows no swap"
expect 2 "$BIN" simulate configs/kv260.yaml --design nosuch --prompt 64 --gen 8
grep -q "no design named 'nosuch'" "$T/err" && ok || bad "unknown design message"
expect 2 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 2000 --gen 100
expect 2 "$BIN" simulate configs/kv260.yaml --design tellme --prompt x --gen 1
expect 2 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 64 --gen 1 --model nosuch

# the K/V cache for one run: --kv-precision, --kv-window, --kv-sinks, --kv-tier
expect 0 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 2047 --gen 1 --model analytic --samples 0 --json
cp "$T/out" "$T/kv_fp16.json"
expect 0 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 2047 --gen 1 --model analytic --samples 0 --json \
	--kv-precision int8
python3 - "$T/kv_fp16.json" "$T/out" <<'PY' && ok || bad "simulate --kv-precision int8 JSON"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
ka, kb = a["kv_cache"], b["kv_cache"]
assert ka["precision"] == "fp16" and "accuracy" not in ka
assert kb["precision"] == "int8" and "does not predict model accuracy" in kb["accuracy"]
# by hand: 2048 keys x 24 layers x (K and V) x (1536 x 2 B) in FP16, x (1536 + 1536/48 x 2 B) in int8
assert ka["step_ddr_bytes"] == 2048 * 24 * 2 * 3072 and kb["step_ddr_bytes"] == 2048 * 24 * 2 * 1600
assert ka["step_tier_bytes"] == kb["step_tier_bytes"] == 0 and kb["tier_region"] == "none"
# the baseline's K/V streams are bound by their bursts in flight: fewer bytes, more tokens
assert b["decode_tok_s"] > 1.3 * a["decode_tok_s"]
PY
expect 0 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 2047 --gen 1 --model analytic --samples 0 \
	--kv-precision int4 --kv-sinks 1 --kv-tier static
grep -q "note: the tool does not predict model accuracy" "$T/out" && grep -q "K/V tier  *43008 bytes in 2 uram (1 bank," "$T/out" &&
	grep -q "tier of 1 sink + 0 window keys per layer in the static region" "$T/out" && ok ||
	bad "simulate table of a quantised cache with a tier: $(cat "$T/out")"
# a tier in the decode RM: refilled after the swap, shown in the trace
expect 0 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 63 --gen 2 --samples 0 --json \
	--kv-precision int4 --kv-window 3 --kv-sinks 1 --kv-tier rp --trace "$T/kv_trace.json"
python3 - "$T/out" "$T/kv_trace.json" <<'PY' && ok || bad "simulate with a tier in the decode RM"
import json, sys
o = json.load(open(sys.argv[1]))
k = o["kv_cache"]
# by hand: 4 keys of 24 layers, K and V of 768 + 1536/24 x 2 = 896 B each
assert k["tier_keys"] == 4 and k["tier_bytes"] == 4 * 24 * 2 * 896
assert o["kv_refill_bytes"] == 4 * 24 * 2 * 896 and o["kv_refill_s"] > 0 and k["refill_s"] == o["kv_refill_s"]
assert o["bytes"]["kv_tier"] == 2 * 24 * 2 * (4 * 896)
ev = json.load(open(sys.argv[2]))["traceEvents"]
names = [e["name"] for e in ev if e["ph"] == "X" and e.get("args", {}).get("unit") == "kv_tier"]
assert names.count("K/V tier refill") == 1 and any(n.startswith("tier reads") for n in names), names
PY
# a tier that does not fit: exit 1, naming the resource
expect 1 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 64 --gen 1 --samples 0 --kv-precision int4 \
	--kv-window 8 --kv-tier rp
grep -q "the K/V tier of design 'pdswap' does not fit: uram .* its K/V tier of 8 keys per layer (int4) takes" "$T/err" &&
	ok || bad "a tier that does not fit: $(cat "$T/err")"
expect 2 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 64 --gen 1 --kv-window 4
grep -q "need a tier: give --kv-tier static or rp" "$T/err" && ok || bad "--kv-window without a tier: $(cat "$T/err")"
expect 2 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 64 --gen 1 --kv-window 4 --kv-tier rp
grep -q "a static design has no reconfigurable partition" "$T/err" && ok || bad "--kv-tier rp of a static design"
expect 2 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 64 --gen 1 --kv-tier static
# a design naming its modules takes the fp16 cache without a tier
expect 2 "$BIN" simulate configs/kv260.yaml --design pdswap_ctx --prompt 64 --gen 1 --kv-precision int8
grep -q "a design naming its modules (rms:) takes the fp16 K/V cache without an on-chip tier" "$T/err" && ok ||
	bad "--kv-precision on a set of modules: $(cat "$T/err")"
expect 2 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 64 --gen 1 --kv-precision fp8
expect 2 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 64 --gen 1 --kv-window 2000 --kv-sinks 100 --kv-tier rp

# simulate with the discrete-event model (the default): the analytic keys and
# the DES's own, valid JSON; the trace loads as trace-event JSON; two runs are
# identical apart from the wall time
expect 0 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 96 --gen 8 --json
cp "$T/out" "$T/des1.json"
expect 0 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 96 --gen 8 --json --model analytic
cp "$T/out" "$T/ana.json"
python3 - "$T/des1.json" "$T/ana.json" <<'PY' && ok || bad "simulate --model des --json output"
import json, sys
d = json.load(open(sys.argv[1]))
a = json.load(open(sys.argv[2]))
assert d["model"] == "des" and a["model"] == "analytic"
missing = [k for k in a if k not in d and k != "model"]
assert not missing, missing
for k in ["tail_overlap_s", "swap_hidden_s", "ports", "bytes", "events", "wall_s", "phase_s"]:
    assert k in d, k
assert set(d["ports"]) == {"prefill", "decode"}
for ph in d["ports"].values():
    assert set(ph) == {"HP0", "HP1", "HP2", "HP3"}
    assert all(0 <= p["busy"] <= 1 and p["gb_s"] >= 0 for p in ph.values())
assert set(d["bytes"]) == {"weights", "K", "V", "Q", "O", "bitstream", "kv_tier"}
assert d["bytes"]["bitstream"] == d["bitstream_bytes"] > 0
assert d["events"] > 0 and d["swap_s"] > 0
assert abs(d["swap_hidden_s"] + d["swap_exposed_s"] - d["swap_s"]) < 1e-9
assert abs(d["decode_tok_s"] - d["gen"] / d["decode_s"]) < 1e-9 * d["decode_tok_s"]
# the two models describe the same hardware: close, not equal
for k in ["prefill_s", "decode_s"]:
    assert abs(d[k] / a[k] - 1) < 0.05, (k, d[k], a[k])
PY
expect 0 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 96 --gen 8 --json
python3 - "$T/des1.json" "$T/out" <<'PY' && ok || bad "two identical DES runs differ"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for o in (a, b):
    del o["wall_s"]
assert a == b
PY
expect 0 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 48 --gen 3 --trace "$T/trace.json"
python3 - "$T/trace.json" <<'PY' && ok || bad "--trace output is not trace-event JSON"
import json, sys
t = json.load(open(sys.argv[1]))
ev = t["traceEvents"]
assert isinstance(ev, list) and ev
spans = [e for e in ev if e["ph"] == "X"]
assert spans and all(e["dur"] >= 0 and e["ts"] >= 0 for e in spans)
threads = {e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
for want in ["TLMM", "RP", "PCAP", "ARM"]:
    assert any(want in n for n in threads), want
PY
ls "$T" | grep -q '^trace.json\.' && bad "--trace left a temporary file" || ok
expect 0 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 32 --gen 4
grep -q "des model" "$T/out" && grep -q "HP port" "$T/out" && ok || bad "simulate table of the DES"
expect 2 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 32 --gen 4 --model analytic --trace "$T/x.json"
expect 1 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 32 --gen 4 --trace "$T/no/such/dir/t.json"
grep -q "$T/no/such/dir/t.json" "$T/err" && ok || bad "unwritable trace: message does not name the file"
expect 2 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 32 --gen 4 --trace

# validate: the shipped config is within 10%; an absurd tolerance fails
expect 0 "$BIN" validate configs/kv260.yaml --tol 0.10
expect 1 "$BIN" validate configs/kv260.yaml --tol 0.000001
expect 2 "$BIN" validate configs/kv260.yaml --tol -1

# calibrate --write: the written config loads and validates
cp configs/kv260.yaml "$T/k.yaml"
expect 0 "$BIN" calibrate "$T/k.yaml" --write "$T/k2.yaml"
expect 0 "$BIN" validate "$T/k2.yaml"
expect 0 "$BIN" calibrate configs/kv260.yaml
grep -q "correlation of the fitted timing coefficients" "$T/out" && grep -q "ddr_latency_ns is constrained by: decode context=64; decode context=2048;" "$T/out" &&
	ok || bad "calibrate shows no identifiability"
# a coefficient marked fitted that no measurement identifies: reported, exit 1, nothing written
sed 's/eta_port:       {value: 0.75,  prov: assumed, range: \[0.75, 0.925\],/eta_port:       {value: 0.75,  prov: fitted,/' configs/kv260.yaml >"$T/u.yaml"
grep -q "eta_port:       {value: 0.75,  prov: fitted," "$T/u.yaml" && ok || bad "the test could not mark eta_port fitted"
expect 1 "$BIN" calibrate "$T/u.yaml" --write "$T/u2.yaml"
grep -q "eta_port: no timing measurement depends on it" "$T/out" && grep -q "do not identify" "$T/err" && [ ! -e "$T/u2.yaml" ] &&
	ok || bad "an unidentified coefficient: $(cat "$T/err")"

# simulate: an interval on every figure, the unconstrained ones named, the inferred sizes' ends
expect 0 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 2047 --gen 1 --json
python3 - "$T/out" <<'PY' && ok || bad "simulate intervals in JSON"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("ttft_s", "decode_tok_s", "objective", "lut", "energy_j_per_token"):
    assert d[k + "_lo"] <= d[k + "_hi"], k
assert d["interval"]["samples"] == 200 and d["interval"]["level"] == 0.9, d["interval"]
assert "decode_tok_s" in d["unconstrained"], d["unconstrained"]
inf = d["inferred"]["decode.lanes"]
assert inf["lo"] <= inf["centre"] <= inf["hi"] and inf["row"] == "table2.decode_rm", inf
assert d["at_inferred_lo"]["decode_tok_s"] < d["decode_tok_s"] < d["at_inferred_hi"]["decode_tok_s"]
PY
cp "$T/out" "$T/iv1.json"
expect 0 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 2047 --gen 1 --json
python3 - "$T/iv1.json" "$T/out" <<'PY' && ok || bad "simulate intervals differ between identical runs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d.pop("wall_s")
assert a == b
PY
expect 0 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 64 --gen 0 --json --model analytic
python3 - "$T/out" <<'PY' && ok || bad "simulate without decode steps: null decode bounds"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["decode_tok_s_lo"] is None and d["decode_tok_s_hi"] is None and d["ttft_s_lo"] <= d["ttft_s_hi"]
PY
expect 0 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 64 --gen 1 --json --samples 0
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert 'ttft_s_lo' not in d and 'interval' not in d" "$T/out" &&
	ok || bad "simulate --samples 0 still gives intervals"
expect 2 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 64 --gen 1 --interval-model nosuch

# main job: a complete sweep run with the named designs as reference points
expect 0 "$BIN" configs/kv260.yaml --db "$T/r.db" --no-progress --hls-out "$T/hls"
n=$(sqlite3 "$T/r.db" "SELECT count(*) FROM v_points WHERE design_name IS NOT NULL" 2>/dev/null)
want=$(grep -c '^    mode: \(dpr\|static\)$' configs/kv260.yaml)
[ "$n" = "$want" ] && ok || bad "v_points has '$n' named designs, want $want"
# the named designs of several modules are stored with their modules, the others without
n=$(sqlite3 "$T/r.db" "SELECT count(DISTINCT p.design_name) FROM v_points p JOIN point_rms r USING(run_id, point_id) WHERE p.design_name IS NOT NULL" 2>/dev/null)
[ "$n" = 2 ] && ok || bad "point_rms holds the modules of '$n' named designs, want 2 (pdswap_ctx, hybrid_rp)"
n=$(sqlite3 "$T/r.db" "SELECT rm_count || ' ' || rm_set FROM v_points WHERE design_name = 'pdswap'" 2>/dev/null)
[ "${n%% *}" = 2 ] && ok || bad "pdswap is stored with '$n' modules, want 2"
n=$(sqlite3 "$T/r.db" "SELECT count(*) FROM v_runs WHERE kind='sweep' AND status='complete'" 2>/dev/null)
[ "$n" = 1 ] && ok || bad "runs has '$n' complete sweeps, want 1"
ch=$(sqlite3 "$T/r.db" "SELECT point_id FROM v_chosen WHERE run_id=1")
grep -q "point           $ch of run 1\$" "$T/hls/pds_common.h" && ok || bad "the main job wrote no headers for the chosen point $ch"
grep -q "discrete-event model" "$T/out" && grep -q "dpr equivalent utilisation" "$T/out" && ok ||
	bad "the main job printed no comparison"

# a bad config: exit 2, FILE:LINE:COL, nothing written, stored runs intact
printf 'schema: 1\ndevice: [\n' >"$T/bad.yaml"
expect 2 "$BIN" "$T/bad.yaml" --db "$T/r.db"
grep -q "^$T/bad.yaml:[0-9]*:[0-9]*: " "$T/err" && ok || bad "config error lacks FILE:LINE:COL: $(cat "$T/err")"
n=$(sqlite3 "$T/r.db" "SELECT count(*) FROM runs")
[ "$n" = 1 ] && ok || bad "runs has '$n' rows after a failed run, want 1"
expect 2 "$BIN" "$T/bad.yaml" --db "$T/new.db"
[ ! -e "$T/new.db" ] && ok || bad "a failed run created a database"

# a progress bar on a terminal only
"$BIN" configs/kv260.yaml --db "$T/p.db" --hls-out "$T/p_hls" >"$T/out" 2>"$T/err"
[ $? = 0 ] && [ ! -s "$T/err" ] && ok || bad "the main job wrote to stderr without a terminal: $(head -c 200 "$T/err")"
if command -v script >/dev/null 2>&1; then
	script -qec "$BIN configs/kv260.yaml --db $T/p2.db --hls-out $T/p2_hls >/dev/null" "$T/tty.log" >/dev/null 2>&1
	[ $? = 0 ] && grep -q "points .*ETA" "$T/tty.log" && grep -q "re-checked with the DES" "$T/tty.log" && ok ||
		bad "no progress bar on a terminal"
	script -qec "$BIN configs/kv260.yaml --db $T/p3.db --hls-out $T/p3_hls --no-progress >/dev/null" "$T/tty3.log" >/dev/null 2>&1
	! grep -q "ETA" "$T/tty3.log" && ok || bad "--no-progress still draws a progress bar"
fi

# the sweep's options
expect 2 "$BIN" configs/kv260.yaml --threads 0 --db "$T/o.db"
expect 2 "$BIN" configs/kv260.yaml --threads x --db "$T/o.db"
expect 2 "$BIN" configs/kv260.yaml --threads
grep -q -- "--threads needs a value" "$T/err" && ok || bad "--threads without a value: $(cat "$T/err")"
[ ! -e "$T/o.db" ] && ok || bad "a usage error created a database"
for sh in 0/3 4/3 3 1/ /3 a/b 1/0 2/1 -1/3 1/3x; do
	expect 2 "$BIN" configs/kv260.yaml --shard "$sh" --db "$T/o.db"
	grep -q -- "--shard must be I/N" "$T/err" && ok || bad "--shard $sh: $(cat "$T/err")"
done
expect 2 "$BIN" configs/kv260.yaml --shard 1/100000 --db "$T/o.db"
grep -q -- "chunks; it takes at most" "$T/err" && ok || bad "--shard beyond the chunks: $(cat "$T/err")"
expect 2 "$BIN" configs/kv260.yaml --shard 1/2 --report --db "$T/o.db"
[ ! -e "$T/o.db" ] && ok || bad "a usage error created a database"

# shards and their merge: the shard says how to merge, the merge ends as the main job does
expect 0 "$BIN" configs/kv260.yaml --shard 2/2 --db "$T/s2.db" --no-progress
grep -q "shard 2/2: .* points, .* feasible; front .* run 1 in $T/s2.db" "$T/out" && grep -q "pdswap-dse merge" "$T/out" &&
	ok || bad "a shard run's output: $(cat "$T/out")"
expect 2 "$BIN" merge "$T/m.db" "$T/s2.db"
grep -q "shard 1/2 is missing (given: 2/2 $T/s2.db)" "$T/err" && ok || bad "merge of a missing shard: $(cat "$T/err")"
[ ! -e "$T/m.db" ] && ok || bad "a refused merge created its database"
expect 0 "$BIN" configs/kv260.yaml --shard 1/2 --db "$T/s1.db" --no-progress
expect 2 "$BIN" merge "$T/s1.db" "$T/s1.db" "$T/s2.db"
grep -q "$T/s1.db: the output is one of the shards" "$T/err" && ok || bad "merge into a shard: $(cat "$T/err")"
expect 2 "$BIN" merge "$T/m.db"
expect 0 "$BIN" merge "$T/m.db" "$T/s2.db" "$T/s1.db" --no-progress --hls-out "$T/m_hls"
grep -q "points, .* feasible; front .* run 1 in $T/m.db" "$T/out" && grep -q "discrete-event model" "$T/out" &&
	grep -q "HLS headers of point" "$T/out" && ok || bad "merge output: $(cat "$T/out")"
python3 tests/dbdump.py "$T/m.db" >"$T/m.dump" && python3 tests/dbdump.py "$T/r.db" >"$T/r.dump" &&
	cmp -s "$T/m.dump" "$T/r.dump" && ok || bad "merged shards differ from the main job's run"
diff -r "$T/m_hls" "$T/hls" >/dev/null && ok || bad "merged shards wrote other headers than the main job"

# every sample of README.md (a block that starts with `$ `) prints what it shows
python3 tests/readme_samples.py "$BIN" README.md "$T/readme" >"$T/readme.out" 2>&1 && ok ||
	bad "README samples: $(cat "$T/readme.out")"
# ... and the check catches a sample that drifted by one digit
sed 's/^    configs\/kv260.yaml: 468000 points/    configs\/kv260.yaml: 468001 points/' README.md >"$T/README_drift.md"
cmp -s README.md "$T/README_drift.md" && bad "the README shows no main-job sample to alter" || ok
ln -sf "$PWD/configs" "$PWD/tests" "$T/" 2>/dev/null
if python3 tests/readme_samples.py "$BIN" "$T/README_drift.md" "$T/readme2" >"$T/readme2.out" 2>&1; then
	bad "a drifted README sample passed"
elif grep -q "468001 points" "$T/readme2.out" && grep -q "readme samples: [0-9]* run, 1 differ" "$T/readme2.out"; then
	ok
else
	bad "the drifted sample is not named: $(head -c 400 "$T/readme2.out")"
fi

# simulate --design best: the chosen point of the latest complete sweep, same figures as stored
expect 0 "$BIN" simulate configs/kv260.yaml --design best --prompt 768 --gen 1 --model analytic --json --db "$T/r.db"
grep -q "design 'best' is point" "$T/err" && ok || bad "simulate best does not say which point"
chosen=$(sqlite3 "$T/r.db" "SELECT m.ttft_s FROM v_metrics m JOIN v_chosen c USING(run_id, point_id) WHERE m.source='analytic' AND m.prompt=768 ORDER BY c.run_id DESC LIMIT 1")
python3 - "$T/out" "$chosen" <<'PY' && ok || bad "simulate --design best differs from the stored chosen point"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["design"] == "best" and o["mode"] == "dpr" and o["feasible"]
assert abs(o["ttft_s"] - float(sys.argv[2])) <= 1e-9 * o["ttft_s"], (o["ttft_s"], sys.argv[2])
PY
expect 0 "$BIN" simulate configs/kv260.yaml --design best --prompt 768 --gen 1 --model des --json --db "$T/r.db"
chosen=$(sqlite3 "$T/r.db" "SELECT m.ttft_s FROM v_metrics m JOIN v_chosen c USING(run_id, point_id) WHERE m.source='des' AND m.prompt=768 ORDER BY c.run_id DESC LIMIT 1")
python3 - "$T/out" "$chosen" <<'PY' && ok || bad "simulate --design best --model des differs from the stored DES figures"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["design"] == "best" and o["model"] == "des"
assert abs(o["ttft_s"] - float(sys.argv[2])) <= 1e-9 * o["ttft_s"], (o["ttft_s"], sys.argv[2])
PY
# ... and with no sweep stored, it sweeps first
expect 0 "$BIN" simulate configs/kv260.yaml --design best --prompt 64 --gen 1 --db "$T/fresh.db"
n=$(sqlite3 "$T/fresh.db" "SELECT count(*) FROM v_runs WHERE status='complete'")
[ "$n" = 1 ] && ok || bad "simulate best on an empty database made '$n' complete runs, want 1"

# a file that is not a database: exit 1, left as it was
printf 'precious\n' >"$T/notdb"
expect 1 "$BIN" configs/kv260.yaml --db "$T/notdb"
[ "$(cat "$T/notdb")" = precious ] && ok || bad "the main job touched a foreign file"

# one sweep at a time per database
PDSWAP_CHUNK_DELAY_MS=50 "$BIN" configs/kv260.yaml --db "$T/lock.db" --no-progress --hls-out "$T/lock_hls" >/dev/null 2>&1 &
slow=$!
i=0
while [ $i -lt 100 ] && [ "$(sqlite3 "$T/lock.db" "SELECT count(*) FROM chunks" 2>/dev/null || echo 0)" = 0 ]; do
	sleep 0.05; i=$((i + 1))
done
expect 1 "$BIN" configs/kv260.yaml --db "$T/lock.db" --no-progress --hls-out "$T/lock_hls" --lock-timeout 0.5
grep -q "another pdswap-dse is sweeping into this database (process $slow (pdswap-dse) holds $T/lock.db.lock) and still was after 0.5 s" "$T/err" &&
	ok || bad "a second sweep on a busy database: $(cat "$T/err")"
kill -9 $slow 2>/dev/null
wait $slow 2>/dev/null
expect 0 "$BIN" configs/kv260.yaml --db "$T/lock.db" --no-progress --hls-out "$T/lock_hls"
grep -q "resumed" "$T/out" && ok || bad "the sweep after a killed one did not resume it"

# the database removed, or replaced, while a sweep writes it: said at the next commit, exit 1
for how in removed replaced; do
	mkdir -p "$T/gone_$how"
	PDSWAP_CHUNK_DELAY_MS=20 "$BIN" configs/kv260.yaml --db "$T/gone_$how/r.db" --no-progress \
		--hls-out "$T/gone_$how/hw" >"$T/gone_$how.out" 2>"$T/gone_$how.err" &
	gp=$!
	i=0
	while [ $i -lt 100 ] && [ "$(sqlite3 "$T/gone_$how/r.db" "SELECT count(*) FROM chunks" 2>/dev/null || echo 0)" = 0 ]; do
		sleep 0.05; i=$((i + 1))
	done
	if [ $how = removed ]; then rm -f "$T/gone_$how/r.db"; else
		mv "$T/gone_$how/r.db" "$T/gone_$how/away.db"; cp "$T/gone_$how/away.db" "$T/gone_$how/r.db"; fi
	wait $gp; grc=$?
	[ $grc = 1 ] && ok || bad "a sweep whose database was $how exited $grc: $(cat "$T/gone_$how.err")"
	grep -q "$T/gone_$how/r.db: the database was $how" "$T/gone_$how.err" && ok ||
		bad "a sweep whose database was $how: $(head -c 600 "$T/gone_$how.err")"
	grep -q "^configs/kv260.yaml: 144000 points" "$T/gone_$how.out" && bad "a sweep whose database was $how says it is stored" || ok
done

# emit-hls: headers of a named design, byte-identical twice
expect 0 "$BIN" emit-hls configs/kv260.yaml --design tellme --out "$T/h1"
n=$(grep -c "^$T/h1/pds_.*\.h\$" "$T/out")
[ "$n" = 4 ] && ok || bad "emit-hls printed $n header paths, want 4"
for f in pds_common.h pds_static.h pds_prefill.h pds_decode.h; do
	[ -s "$T/h1/$f" ] && ok || bad "emit-hls wrote no $f"
done
expect 0 "$BIN" emit-hls configs/kv260.yaml --design tellme --out "$T/h2"
diff -r "$T/h1" "$T/h2" >/dev/null && ok || bad "two emissions of tellme differ"
grep -q "config sha256   $(sha256sum configs/kv260.yaml | cut -d' ' -f1)" "$T/h1/pds_static.h" && ok ||
	bad "header does not name the config's SHA-256"
# default output directory, relative to the working directory
ROOT=$(pwd)
mkdir -p "$T/sim/hw"
(cd "$T" && "$BIN" emit-hls "$ROOT/configs/kv260.yaml" --design pdswap >/dev/null 2>&1)
[ -s "$T/sim/hw/generated/pds_decode.h" ] && ok || bad "emit-hls wrote nothing to sim/hw/generated by default"
# one rule for every output path: a missing parent directory is refused, named, and nothing is created
expect 1 "$BIN" emit-hls configs/kv260.yaml --design pdswap --out "$T/no/such/hls"
grep -q "$T/no/such/hls: its directory '$T/no/such' does not exist" "$T/err" && ok || bad "emit-hls missing parent: $(cat "$T/err")"
expect 1 "$BIN" configs/kv260.yaml --db "$T/no/such/r.db" --no-progress --hls-out "$T/x"
grep -q "$T/no/such/r.db: its directory '$T/no/such' does not exist" "$T/err" && ok || bad "--db missing parent: $(cat "$T/err")"
expect 1 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 8 --gen 1 --trace "$T/no/such/t.json"
grep -q "$T/no/such/t.json: its directory '$T/no/such' does not exist" "$T/err" && ok || bad "--trace missing parent: $(cat "$T/err")"
[ ! -e "$T/no" ] && ok || bad "a refused output path created a directory"
# a file that is not a database: one message and exit 1 from every command that opens one
echo "not a database" >"$T/notdb.db"
for cmd in "configs/kv260.yaml --no-progress --hls-out $T/x" "simulate configs/kv260.yaml --design best --prompt 8 --gen 1" \
	"emit-hls configs/kv260.yaml --out $T/x" "report --out $T/rep_notdb" "export --format csv"; do
	expect 1 "$BIN" $cmd --db "$T/notdb.db"
	grep -q "^pdswap-dse: $T/notdb.db: not a SQLite database; refusing to touch it (it is left as it was): choose another --db$" "$T/err" &&
		ok || bad "not a database ($cmd): $(cat "$T/err")"
done
# ... one byte, which SQLite alone would take for an empty database and write over, is refused too
printf x >"$T/onebyte.db"
for cmd in "configs/kv260.yaml --no-progress --hls-out $T/x" "simulate configs/kv260.yaml --design best --prompt 8 --gen 1"; do
	expect 1 "$BIN" $cmd --db "$T/onebyte.db"
	grep -q "^pdswap-dse: $T/onebyte.db: not a SQLite database" "$T/err" && [ "$(cat "$T/onebyte.db")" = x ] &&
		ok || bad "a one-byte file ($cmd): $(cat "$T/err")"
done
# empty paths are usage errors
expect 2 "$BIN" configs/kv260.yaml --db "" --no-progress
expect 2 "$BIN" configs/kv260.yaml --hls-out "" --no-progress
# a trace or a config written back replaces only a regular file
mkfifo "$T/fifo"
expect 1 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 8 --gen 1 --trace "$T/fifo"
grep -q "$T/fifo: exists and is not a regular file; refusing to replace it" "$T/err" && ok || bad "--trace onto a FIFO: $(cat "$T/err")"
[ -p "$T/fifo" ] && ok || bad "--trace replaced a FIFO"
ln -s "$T/target.json" "$T/link.json"
expect 1 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 8 --gen 1 --trace "$T/link.json"
grep -q "is a symbolic link" "$T/err" && ok || bad "--trace onto a symlink: $(cat "$T/err")"
[ -L "$T/link.json" ] && ok || bad "--trace replaced a symlink"
expect 1 "$BIN" calibrate configs/kv260.yaml --write "$T/fifo"
[ -p "$T/fifo" ] && ok || bad "calibrate --write replaced a FIFO"
# usage errors
expect 2 "$BIN" emit-hls
expect 2 "$BIN" emit-hls configs/kv260.yaml --design nosuch --out "$T/x"
grep -q "no design named 'nosuch'" "$T/err" && ok || bad "emit-hls unknown design message"
expect 2 "$BIN" emit-hls configs/kv260.yaml --design tellme --point 1
expect 2 "$BIN" emit-hls configs/kv260.yaml --design tellme --run 1
expect 2 "$BIN" emit-hls configs/kv260.yaml --point -1
expect 2 "$BIN" emit-hls configs/kv260.yaml --point 1 --bogus
expect 2 "$BIN" emit-hls "$T/bad.yaml" --design tellme --out "$T/x"
grep -q "^$T/bad.yaml:[0-9]*:[0-9]*: " "$T/err" && ok || bad "emit-hls config error lacks FILE:LINE:COL"
[ ! -e "$T/x" ] && ok || bad "a refused emit-hls created its output directory"
# stored points: read-only, from the latest complete run of this config
expect 1 "$BIN" emit-hls configs/kv260.yaml --point 1 --db "$T/none.db" --out "$T/x"
[ ! -e "$T/none.db" ] && ok || bad "emit-hls created a database"
expect 0 "$BIN" configs/kv260.yaml --db "$T/e.db" --no-progress --hls-out "$T/e_hls"
sum_before=$(sha256sum "$T/e.db" | cut -d' ' -f1)
# the named design pdswap is stored as a reference point after the space
pd=$(sqlite3 "$T/e.db" "SELECT point_id FROM v_points WHERE run_id=1 AND design_name='pdswap'")
expect 0 "$BIN" emit-hls configs/kv260.yaml --point "$pd" --db "$T/e.db" --out "$T/p1"
grep -q "point           $pd of run 1 (design 'pdswap')" "$T/p1/pds_common.h" && ok || bad "header of point $pd does not name it"
grep -v "point \|--point\|--design" "$T/p1/pds_static.h" >"$T/p1.body"
"$BIN" emit-hls configs/kv260.yaml --design pdswap --out "$T/pd" >/dev/null
grep -v "point \|--point\|--design" "$T/pd/pds_static.h" >"$T/pd.body"
cmp -s "$T/p1.body" "$T/pd.body" && ok || bad "stored point 1 and design pdswap give different headers"
nopt=$(sqlite3 "$T/e.db" "SELECT max(point_id) + 1 FROM points")
expect 2 "$BIN" emit-hls configs/kv260.yaml --point "$nopt" --db "$T/e.db" --out "$T/x"
grep -q "run 1 has no point $nopt" "$T/err" && ok || bad "missing point message: $(cat "$T/err")"
expect 2 "$BIN" emit-hls configs/kv260.yaml --point 1 --run 5 --db "$T/e.db" --out "$T/x"
grep -q "no run 5" "$T/err" && ok || bad "missing run message"
sed 's/t_pre_max_s: 12.0 /t_pre_max_s: 12.5 /' configs/kv260.yaml >"$T/k3.yaml"
expect 2 "$BIN" emit-hls "$T/k3.yaml" --point 1 --run 1 --db "$T/e.db" --out "$T/x"
grep -q "was made with a config of sha256" "$T/err" && ok || bad "foreign run message: $(cat "$T/err")"
expect 2 "$BIN" emit-hls "$T/k3.yaml" --point 1 --db "$T/e.db" --out "$T/x"
grep -q "no complete run of" "$T/err" && ok || bad "no-run message: $(cat "$T/err")"
# the chosen point (default, and --design best): the main job's headers again
expect 0 "$BIN" emit-hls configs/kv260.yaml --db "$T/e.db" --out "$T/chosen"
diff -r "$T/e_hls" "$T/chosen" >/dev/null && ok || bad "emit-hls of the chosen point differs from the main job's headers"
sum_after=$(sha256sum "$T/e.db" | cut -d' ' -f1)
[ "$sum_before" = "$sum_after" ] && ok || bad "emit-hls changed the results database"
sqlite3 "$T/e.db" "DELETE FROM chosen"
expect 2 "$BIN" emit-hls configs/kv260.yaml --db "$T/e.db" --out "$T/x"
grep -q "has chosen a design" "$T/err" && ok || bad "no-chosen message: $(cat "$T/err")"
tm=$(sqlite3 "$T/e.db" "SELECT point_id FROM v_points WHERE run_id=1 AND design_name='tellme'")
sqlite3 "$T/e.db" "INSERT INTO chosen VALUES(1, $tm, 1.0)"
expect 0 "$BIN" emit-hls configs/kv260.yaml --db "$T/e.db" --out "$T/best"
grep -q "point           $tm of run 1 (design 'tellme')" "$T/best/pds_common.h" && ok || bad "chosen point not emitted"
expect 0 "$BIN" emit-hls configs/kv260.yaml --design best --run 1 --db "$T/e.db" --out "$T/best2"
diff -r "$T/best" "$T/best2" >/dev/null && ok || bad "--design best --run 1 differs from the default"
# a design that violates a constraint is refused and writes nothing
sed 's/tlmm: {tables: 28, lanes: 8}    # T = 28/tlmm: {tables: 200, lanes: 8}    # T = 28/' configs/kv260.yaml >"$T/k4.yaml"
cp -r "$T/h1" "$T/h4"
expect 1 "$BIN" emit-hls "$T/k4.yaml" --design tellme --out "$T/h4"
grep -q "violates a constraint" "$T/err" && grep -q "design 'tellme'" "$T/err" && ok ||
	bad "infeasible message: $(cat "$T/err")"
diff -r "$T/h1" "$T/h4" >/dev/null && ok || bad "a refused emit-hls changed the headers in place"
# report: the page and its figures from the main job's database
for sub in report export; do
	expect 0 "$BIN" $sub --help
	grep -q "usage: pdswap-dse $sub" "$T/out" && ok || bad "$sub --help prints no usage"
done
expect 0 "$BIN" report --db "$T/r.db" --out "$T/rep"
[ ! -s "$T/err" ] && ok || bad "report wrote messages: $(head -c 300 "$T/err")"
ch=$(sqlite3 "$T/r.db" "SELECT point_id FROM v_chosen WHERE run_id=1")
bs=$(sqlite3 "$T/r.db" "SELECT point_id FROM v_best WHERE run_id=1 AND mode='static'")
python3 tests/report_check.py report "$T/rep" "$T/r.db" 1 'pareto=pdswap (published PD-Swap, model)' 'energy=published PD-Swap: pdswap' \
	"ttft=PD-Swap (chosen): point $ch" "decode=best static: point $bs" \
	'resources=device capacity' 'swap=RP reconfiguring' && ok || bad "report of the main job's run"
# what the page says of the run, against the database with plain SQL and the run's config:
# the header's counts, the published design in the Pareto data, the DES figures of the designs
# followed, the binding constraint, the groups, the Table 2 sources, the energy curves
python3 tests/report_check.py facts "$T/rep" "$T/r.db" 1 2>"$T/err" && ok || bad "report facts: $(cat "$T/err")"
# ... and a page that says otherwise is caught
rm -rf "$T/rep_bad" && cp -r "$T/rep" "$T/rep_bad"
sed -i 's/<span id=h-over-cap>\([0-9]*\)</<span id=h-over-cap>1\1</' "$T/rep_bad/index.html"
sed -i 's/^\$published << EOD$/$publishd << EOD/' "$T/rep_bad/fig/pareto.gp"
if python3 tests/report_check.py facts "$T/rep_bad" "$T/r.db" 1 2>"$T/err"; then bad "a wrong header passes"; else
	grep -q "header h-over-cap" "$T/err" && grep -q "no .published block" "$T/err" && ok ||
		bad "a wrong header or Pareto block is not named: $(cat "$T/err")"
fi
# the page in a real browser (headless Chromium): no console message, every figure loaded, a screenshot not blank
python3 tests/browser_check.py page "$T/rep" 10 >"$T/out" 2>"$T/err" && ok || bad "report in a browser: $(cat "$T/err")"
grep -q "10 figures loaded, no console message, screenshot 1280x2400 not blank" "$T/out" && ok ||
	bad "browser check: $(cat "$T/out")"
# ... and a figure that does not load, a console error, a blank screenshot are each caught
rm "$T/rep_bad/fig/energy.svg"
if python3 tests/browser_check.py page "$T/rep_bad" 10 2>"$T/err"; then bad "a missing figure passes the browser"; else
	grep -q "fig/energy.svg did not load in the browser" "$T/err" && ok || bad "missing figure: $(cat "$T/err")"
fi
printf '<!DOCTYPE html><html><body><h1>x</h1><script>console.error("boom")</script></body></html>\n' >"$T/console.html"
if python3 tests/browser_check.py console "$T/console.html" 2>"$T/err"; then bad "a console error passes"; else
	grep -q 'console: .*"boom"' "$T/err" && ok || bad "console error: $(cat "$T/err")"
fi
python3 -c 'import struct, sys, zlib
w, h = 64, 48
raw = b"".join(b"\0" + b"\xff\xff\xff" * w for _ in range(h))
c = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + c(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                              c(b"IDAT", zlib.compress(raw)) + c(b"IEND", b""))' "$T/blank.png"
if python3 tests/browser_check.py png "$T/blank.png" 2>"$T/err"; then bad "a blank screenshot passes"; else
	grep -q "luminance hardly varies" "$T/err" && ok || bad "blank screenshot: $(cat "$T/err")"
fi
# what each knob does, against a brute force over every point of a small space (--all-points)
sed -e 's/^  tlmm_tables: \[16, 20, 24, 28, 32\]/  tlmm_tables: [20, 28]/' -e 's/^  tlmm_lanes: \[4, 6, 8, 10, 12\]/  tlmm_lanes: [8, 12]/' \
	-e 's/^  prefill_pe: \[4, 8, 16, 24, 32\]/  prefill_pe: [8, 24, 32]/' -e 's/^  prefill_block: \[1, 4, 16\]/  prefill_block: [1, 4]/' \
	-e 's/^  decode_lanes: \[8, 16, 32, 48\]/  decode_lanes: [16, 48]/' configs/kv260.yaml >"$T/small.yaml"
mkdir -p "$T/small"
expect 0 "$BIN" "$T/small.yaml" --db "$T/small/r.db" --all-points --report --no-progress --hls-out "$T/small/hls"
python3 tests/report_check.py knobs "$T/small/report" "$T/small/r.db" 1 >"$T/out" 2>"$T/err" && ok ||
	bad "knob table: $(cat "$T/err")"
grep -q "knob rows equal a brute force over 14976 points" "$T/out" && ok || bad "knob brute force: $(cat "$T/out")"
python3 tests/report_check.py facts "$T/small/report" "$T/small/r.db" 1 2>"$T/err" && ok ||
	bad "report facts of an --all-points run: $(cat "$T/err")"
expect 2 "$BIN" report --db "$T/r.db" --run 99 --out "$T/rep99"
grep -q "no run 99" "$T/err" && ok || bad "report of a missing run: $(cat "$T/err")"
[ ! -e "$T/rep99" ] && ok || bad "a failed report wrote its directory"
expect 1 "$BIN" report --db "$T/none.db" --out "$T/rep99"
[ ! -e "$T/none.db" ] && ok || bad "report created a database"
expect 2 "$BIN" report --db "$T/r.db" --run x
expect 2 "$BIN" report --db "$T/r.db" --bogus
mkdir -p "$T/mine" && echo keep >"$T/mine/notes.txt"
expect 2 "$BIN" report --db "$T/r.db" --out "$T/mine"
[ -f "$T/mine/notes.txt" ] && ok || bad "report replaced a directory that was not a report"
env PATH=/nonexistent-dir "$BIN" report --db "$T/r.db" --out "$T/rep_nognuplot" >"$T/out" 2>"$T/err"
[ $? = 1 ] && ok || bad "report without gnuplot does not exit 1"
grep -q "gnuplot-nox" "$T/err" && ok || bad "report without gnuplot names no package: $(cat "$T/err")"
[ ! -e "$T/rep_nognuplot" ] && ok || bad "report without gnuplot wrote something"

# the main job with --report writes the report beside its database
mkdir -p "$T/job"
expect 0 "$BIN" configs/kv260.yaml --db "$T/job/r.db" --report --no-progress --hls-out "$T/job/hls"
[ -f "$T/job/report/index.html" ] && [ -f "$T/job/report/fig/pareto.svg" ] && ok || bad "CONFIG --report wrote no report"

# export: the numbers of the database, in CSV and JSON
for what in points metrics; do
	for fmt in csv json; do
		expect 0 "$BIN" export --db "$T/r.db" --run 1 --format $fmt --what $what
		python3 tests/report_check.py roundtrip "$T/r.db" 1 "$T/out" $what $fmt && ok || bad "export $what $fmt"
	done
done
expect 0 "$BIN" export --db "$T/r.db" --format json --what pareto
nf=$(sqlite3 "$T/r.db" "SELECT count(*) FROM v_pareto WHERE run_id=(SELECT max(run_id) FROM v_runs WHERE status='complete')")
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["what"] == "pareto" and len(d["rows"]) == int(sys.argv[2]) > 0' \
	"$T/out" "$nf" && ok || bad "export of the front"
expect 2 "$BIN" export --db "$T/r.db"
expect 2 "$BIN" export --db "$T/r.db" --format xml
grep -q -- "--format must be csv or json" "$T/err" && ok || bad "export --format message"
expect 2 "$BIN" export --db "$T/r.db" --format csv --what everything
expect 2 "$BIN" export --db "$T/r.db" --format csv --run 99
expect 1 "$BIN" export --db "$T/none.db" --format csv
[ ! -e "$T/none.db" ] && ok || bad "export created a database"
# every kind of bad config through the CLI: exit 2, "FILE:LINE:COL: " on
# stderr at the position computed from the file, no database created, and
# the stored runs of an existing database unchanged
runs_before=$(sqlite3 "$T/r.db" "SELECT run_id, config_sha256, status FROM runs ORDER BY run_id")
# bad_config NAME LINE COL NEEDLE: the config is $T/NAME
bad_config() {
	f="$T/$1"
	for cmd in "" simulate calibrate validate; do
		case $cmd in
		"") expect 2 "$BIN" "$f" --db "$T/none/new.db" ;;
		simulate) expect 2 "$BIN" simulate "$f" --design tellme --prompt 64 --gen 1 ;;
		*) expect 2 "$BIN" $cmd "$f" ;;
		esac
		head -n 1 "$T/err" | grep -q "^$f:$2:$3: .*$4" && ok || bad "$cmd $1: want $f:$2:$3: ...$4, got: $(head -c 300 "$T/err")"
		[ ! -s "$T/out" ] && ok || bad "$cmd $1 printed results"
	done
	expect 2 "$BIN" "$f" --db "$T/r.db"
	[ "$(sqlite3 "$T/r.db" "SELECT run_id, config_sha256, status FROM runs ORDER BY run_id")" = "$runs_before" ] && ok ||
		bad "$1 changed the stored runs"
	[ ! -e "$T/none" ] && ok || bad "$1 created a database directory"
}
# position of the Nth (default first) line holding a fixed string: "LINE COL"
pos() { awk -v s="$2" -v n="${3:-1}" 'i = index($0, s) { if (++k == n) { print NR, i; exit } }' "$1"; }

sed 's/^  clock_max_mhz: [0-9][0-9]*/  clock_max_mhz: 0/' configs/kv260.yaml >"$T/zero_clock.yaml"
set -- $(pos "$T/zero_clock.yaml" "clock_max_mhz: 0"); bad_config zero_clock.yaml "$1" $(($2 + 15)) "'device.clock_max_mhz' must be an integer in"
sed 's/^  eta_attn: /  eta_atn: /' configs/kv260.yaml >"$T/unknown.yaml"
set -- $(pos "$T/unknown.yaml" "eta_atn:"); bad_config unknown.yaml "$1" "$2" "unknown key 'eta_atn' in 'calibration'"
sed 's/^  kv_heads: 16/  kv_heads: 6/' configs/kv260.yaml >"$T/gqa.yaml"
set -- $(pos "$T/gqa.yaml" "kv_heads: 6"); bad_config gqa.yaml "$1" $(($2 + 10)) "'model.kv_heads' (6) must divide"
sed 's/^    rp: rp_m/    rp: rp_z/' configs/kv260.yaml >"$T/pblock.yaml"
set -- $(pos "$T/pblock.yaml" "rp: rp_z"); bad_config pblock.yaml "$1" $(($2 + 4)) "'designs.pdswap.rp' names 'rp_z'"
cat configs/kv260.yaml configs/kv260.yaml >"$T/twice.yaml"
# the later of two equal keys is the duplicate
set -- $(pos "$T/twice.yaml" "schema: 1" 2); bad_config twice.yaml "$1" "$2" "duplicate key 'schema'"
: >"$T/empty.yaml"
bad_config empty.yaml 1 1 "no YAML document"
printf 'schema: 1\n\001\002\003 binary\n' >"$T/junk.yaml"
bad_config junk.yaml 2 1 "not valid YAML text"
printf 'a: &x [1, *x]\n' >"$T/alias.yaml"
bad_config alias.yaml 1 11 "alias '\*x' refers to a node that contains it"
# a path that cannot be read: named, exit 2, nothing written
expect 2 "$BIN" "$T" --db "$T/none/new.db"
grep -q "^$T: not a regular file (a directory)" "$T/err" && ok || bad "directory as config: $(cat "$T/err")"
[ ! -e "$T/none" ] && ok || bad "an unreadable config created a database"

# the second board and the second model: the main job and simulate run,
# calibrate and validate refuse them for want of measurements
for cfgf in configs/zcu104.yaml configs/kv260_bitnet2b4t.yaml; do
	expect 0 "$BIN" "$cfgf" --db "$T/other.db" --no-progress --hls-out "$T/other_hls"
	expect 0 "$BIN" simulate "$cfgf" --design pdswap --prompt 512 --gen 32 --json
	python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["ttft_s"] > 0 and o["decode_tok_s"] > 0' "$T/out" &&
		ok || bad "simulate $cfgf"
	for cmd in calibrate validate; do
		expect 2 "$BIN" $cmd "$cfgf"
		grep -q "needs a 'measurements' section" "$T/err" && ok || bad "$cmd $cfgf: $(cat "$T/err")"
	done
done
n=$(sqlite3 "$T/other.db" "SELECT count(*) FROM runs WHERE status = 'complete'")
[ "$n" = 2 ] && ok || bad "other.db has '$n' complete runs, want 2"
# the report of a run whose config has no measurements: no baseline, and it says why
expect 0 "$BIN" report --db "$T/other.db" --run 1 --out "$T/rep_other"
python3 tests/report_check.py report "$T/rep_other" "$T/other.db" 1 'swap=RP reconfiguring' &&
	ok || bad "report of a run without measurements"
grep -q "has no <code>measurements</code> section" "$T/rep_other/index.html" && ok ||
	bad "the report of a run without measurements does not say why the baseline is missing"
expect 0 "$BIN" simulate configs/zcu104.yaml --design pdswap_xl --prompt 2000 --gen 48
expect 2 "$BIN" simulate configs/zcu104.yaml --design pdswap_xl --prompt 2000 --gen 49

# import: one JSON line per report, in the order given; every key present,
# the figures as typed into the fixtures (csynth ones also read back with
# Python's own XML parser), null where a report gives nothing; the sha256 is
# the file's
I=tests/data/import
set -- $I/csynth_2019_2_dsp48e.xml $I/csynth_2020_2.xml $I/csynth_2022_2_modules.xml \
	$I/csynth_2023_2_undef.xml $I/csynth_2024_2.xml $I/csynth_dataflow_range.xml \
	$I/util_4col_7series.rpt $I/util_5col_ultrascale.rpt $I/util_6col_zuplus.rpt $I/util_7series_6col.rpt \
	$I/util_pblocks.rpt $I/util_hier.rpt $I/util_hier_7series.rpt
expect 0 "$BIN" import --json "$@"
python3 - "$T/out" "$@" <<'PY' && ok || bad "import --json output"
import hashlib, json, sys
import xml.etree.ElementTree as ET
lines = open(sys.argv[1]).read().split("\n")
files = sys.argv[2:]
assert lines[-1] == "" and len(lines) == len(files) + 1, len(lines)
keys = ["file", "kind", "sha256", "tool_version", "part", "top", "design_state", "target_clock_ns",
        "estimated_clock_ns", "latency_cycles", "interval_cycles", "resources", "available", "modules",
        "pblocks", "instances"]
res_keys = ["lut", "ff", "bram18", "bram36", "dsp", "uram"]
recs = {}
for line, f in zip(lines, files):
    r = json.loads(line)
    assert list(r) == keys, (f, list(r))
    assert r["file"] == f
    assert r["sha256"] == hashlib.sha256(open(f, "rb").read()).hexdigest(), f
    assert list(r["resources"]) == res_keys and list(r["available"]) == res_keys, f
    recs[f.split("/")[-1]] = r
    if f.endswith(".xml"):  # an independent reader of the same elements
        root = ET.parse(f).getroot()
        assert r["tool_version"] == root.find("ReportVersion/Version").text
        assert r["part"] == root.find("UserAssignments/Part").text
        assert r["top"] == root.find("UserAssignments/TopModelName").text
        for el, k in [("LUT", "lut"), ("FF", "ff"), ("BRAM_18K", "bram18"), ("URAM", "uram")]:
            e = root.find("AreaEstimates/Resources/" + el)
            assert r["resources"][k] == (None if e is None else int(e.text)), (f, k)
        e = root.find("AreaEstimates/Resources/DSP")
        e = e if e is not None else root.find("AreaEstimates/Resources/DSP48E")
        assert r["resources"]["dsp"] == int(e.text), f
        assert r["resources"]["bram36"] is None and r["design_state"] is None and r["instances"] is None
    else:
        assert r["target_clock_ns"] is None and r["latency_cycles"] == {"best": None, "average": None, "worst": None}
        assert r["resources"]["bram18"] is None and r["modules"] is None
# figures typed from the fixtures
r = recs["csynth_2019_2_dsp48e.xml"]
assert r["kind"] == "csynth" and r["target_clock_ns"] == 5 and r["estimated_clock_ns"] == 4.375
assert r["latency_cycles"] == {"best": 1037, "average": 2050, "worst": 4105}
assert r["interval_cycles"] == {"min": 1038, "max": 4106} and r["resources"]["uram"] is None
assert r["available"] == {"lut": 53200, "ff": 106400, "bram18": 280, "bram36": None, "dsp": 220, "uram": None}
assert r["modules"] is None and r["pblocks"] is None
r = recs["csynth_2023_2_undef.xml"]
assert r["latency_cycles"] == {"best": None, "average": None, "worst": None}
assert r["interval_cycles"] == {"min": None, "max": None} and r["resources"]["uram"] == 0
assert [m["name"] for m in r["modules"]] == ["decode_attn_Pipeline_KV_LOOP"]
r = recs["csynth_dataflow_range.xml"]
assert r["interval_cycles"] == {"min": 2049, "max": 8193} and r["latency_cycles"]["average"] is None
assert set(r["available"].values()) == {None}
r = recs["csynth_2022_2_modules.xml"]
assert [m["interval_cycles"]["min"] for m in r["modules"]] == [130, None, 4100]
r = recs["util_6col_zuplus.rpt"]
assert r["kind"] == "utilization" and r["tool_version"] == "2023.2" and r["design_state"] == "Synthesized"
assert r["resources"] == {"lut": 81234, "ff": 101876, "bram18": None, "bram36": 137.5, "dsp": 612, "uram": 48}
assert r["available"]["bram36"] == 144 and r["pblocks"] is None
r = recs["util_7series_6col.rpt"]
assert r["part"] == "7z020clg400-1" and r["resources"]["lut"] == 38817 and r["resources"]["bram36"] == 47.5
assert r["resources"]["uram"] is None
r = recs["util_4col_7series.rpt"]
assert r["resources"]["ff"] == 14020 and r["available"]["dsp"] == 220
r = recs["util_pblocks.rpt"]
assert r["pblocks"] == [{"name": "pblock_rp", "lut": 20160, "ff": 24000, "bram36": 30.5, "dsp": 256, "uram": 16,
                         "child": {"lut": 0, "ff": 0, "bram36": 0, "dsp": 0, "uram": 0},
                         "non_assigned": {"lut": 312, "ff": 410, "bram36": 0, "dsp": 0, "uram": 0}}]
assert r["resources"]["lut"] == 20472 and r["available"]["lut"] == 25920
r = recs["util_hier.rpt"]
assert [(i["name"], i["depth"]) for i in r["instances"]][:3] == [("pdswap_top", 0), ("(pdswap_top)", 1), ("tlmm_i", 1)]
assert r["resources"]["bram36"] == 60 + 15 / 2 and set(r["available"].values()) == {None}
PY
# the same file twice gives the same line twice (and the same bytes run to run)
expect 0 "$BIN" import --json $I/util_hier.rpt $I/util_hier.rpt
[ "$(sed -n 1p "$T/out")" = "$(sed -n 2p "$T/out")" ] && ok || bad "import: one file, two lines differ"
# bad inputs: FILE:LINE: message on stderr, exit 2, nothing on stdout, also
# when good files come with them; the line is found in the file here
bad_import() {
	f=$I/bad/$1
	case $2 in
	1) line=1 ;;
	EOF) line=$(($(wc -l <"$f") + 1)) ;;
	*) line=$(grep -n -F -m1 -- "$2" "$f" | cut -d: -f1) ;;
	esac
	expect 2 "$BIN" import --json $I/csynth_2020_2.xml "$f" $I/util_pblocks.rpt
	head -n 1 "$T/err" | grep -q -F "$f:$line: $3" && ok || bad "import $1: want $f:$line: $3, got: $(head -c 300 "$T/err")"
	[ "$(wc -l <"$T/err")" = 1 ] && ok || bad "import $1: more than the bad file named: $(cat "$T/err")"
	[ ! -s "$T/out" ] && ok || bad "import $1 printed records"
}
bad_import not_xml.xml 1 "not well-formed XML"
bad_import other_tool.xml "<spirit:component" "the root element is 'component', not 'profile'"
bad_import missing_part.xml "<UserAssignments>" "'UserAssignments' has no 'Part' element"
bad_import bad_number.xml "<LUT>12k" "'LUT' is '12k', expected a number"
bad_import truncated.xml EOF "not well-formed XML"
bad_import doctype.xml "<!DOCTYPE" "a DOCTYPE declaration"
bad_import empty.rpt 1 "empty file"
bad_import short_row.rpt "406256 |" "a table row of 4 cells under a header of 5"
bad_import bad_figure.rpt "|  many |" "'CLB LUTs' has Used 'many', expected a number"
bad_import timing.rpt "| Command" "a report of 'report_timing_summary', not of 'report_utilization'"
bad_import no_lut.rpt "Site Type |" "no 'CLB LUTs' or 'Slice LUTs' row"
bad_import csynth_text.rpt 1 "a csynth text report"
bad_import not_a_report.txt 1 "no '| Tool Version :' header line"
# every bad file of a call is named
expect 2 "$BIN" import --json $I/bad/empty.rpt $I/bad/not_xml.xml
[ "$(grep -c "^$I/bad/" "$T/err")" = 2 ] && [ ! -s "$T/out" ] && ok || bad "import of two bad files: $(cat "$T/err")"
expect 2 "$BIN" import --json $I/no_such_report.xml
grep -q "^$I/no_such_report.xml: cannot read" "$T/err" && ok || bad "import of a missing file: $(cat "$T/err")"
expect 2 "$BIN" import $I/csynth_2020_2.xml
expect 2 "$BIN" import --json
expect 2 "$BIN" import --json --bogus $I/csynth_2020_2.xml

# import CONFIG FILE...: reports stored as measurements of a design, a point
# or an engine, with their SHA-256 and tool version; refused ones at
# FILE:LINE with exit 2 and nothing stored (the database not even made)
M=$I/measured
mkdir -p "$T/meas"
MD="$T/meas/r.db"
bad_store() { # FILE MARKER MESSAGE TARGET...: refused at the line of MARKER in FILE
	f=$1; marker=$2; msg=$3; shift 3
	expect 2 "$BIN" import configs/kv260.yaml "$f" "$@" --db "$MD"
	line=$(grep -n -F "$marker" "$f" | head -1 | cut -d: -f1)
	head -n 1 "$T/err" | grep -q -F "$f:$line: $msg" && ok || bad "import $f $*: want $f:$line: $msg, got: $(head -c 300 "$T/err")"
	[ ! -e "$MD" ] && ok || bad "import $f $*: a refused report made the database"
}
bad_store $M/other_part.xml "<Part>" "the report is for part 'xczu7ev-ffvc1156-2-e'" --design pdswap
bad_store $M/other_top.xml "<TopModelName>" "top 'my_kernel' is none of the kernels of design pdswap" --design pdswap
bad_store $M/other_clock.xml "<TargetClockPeriod>" "TargetClockPeriod 5 ns is not the 4.000 ns" --design pdswap
bad_store $M/prefill_pe8.xml "<TargetClockPeriod>" "TargetClockPeriod 4 ns is not the 5.000 ns" --engine prefill:pe=8,lanes=4,clock=200
# one bad file among good ones: nothing of any is stored
expect 2 "$BIN" import configs/kv260.yaml $M/prefill_pe8.xml $M/other_part.xml --engine prefill:pe=8,lanes=4 --db "$MD"
[ ! -e "$MD" ] && [ ! -s "$T/out" ] && ok || bad "import: a bad file among good ones stored something"
expect 2 "$BIN" import configs/kv260.yaml $I/bad/not_xml.xml --design pdswap --db "$MD"
grep -q "^$I/bad/not_xml.xml:1: " "$T/err" && [ ! -e "$MD" ] && ok || bad "import of not-XML: $(cat "$T/err")"
expect 2 "$BIN" import configs/kv260.yaml $M/util_rp_m_over.rpt --design tellme --db "$MD"
grep -q "but design tellme is static" "$T/err" && ok || bad "a -pblocks report of a static design: $(cat "$T/err")"
expect 2 "$BIN" import configs/kv260.yaml $M/prefill_pe8.xml --engine prefill:pe=8 --db "$MD"
grep -q "'lanes' is missing" "$T/err" && ok || bad "a malformed --engine: $(cat "$T/err")"
expect 2 "$BIN" import configs/kv260.yaml $M/prefill_pe8.xml --design nosuch --db "$MD"
expect 2 "$BIN" import configs/kv260.yaml $M/prefill_pe8.xml --design pdswap --engine tlmm:tables=1,lanes=1
expect 2 "$BIN" import configs/kv260.yaml $M/prefill_pe8.xml --design pdswap --json
expect 2 "$BIN" import configs/kv260.yaml --design pdswap
expect 2 "$BIN" import $M/prefill_pe8.xml --any-part --json
[ ! -e "$MD" ] && ok || bad "refused imports made the database"
# stored: one line per report, the record as --json prints it, the figures in v_measured
expect 0 "$BIN" import configs/kv260.yaml $M/prefill_pe12.xml $M/decode_l16.xml $M/tlmm_28x8.xml $M/util_rp_m_over.rpt \
	--design pdswap --db "$MD"
[ "$(grep -c ': stored as measurement [1-4]: ' "$T/out")" = 4 ] && ok || bad "import --design: $(cat "$T/out")"
grep -q "^$M/util_rp_m_over.rpt: stored as measurement 4: the partition at 250 MHz of design pdswap (utilization 2022.1)$" "$T/out" &&
	ok || bad "import: the partition's line: $(cat "$T/out")"
expect 0 "$BIN" import configs/kv260.yaml $M/prefill_pe12.xml --design pdswap --db "$MD"
grep -q ": already stored as measurement 1: " "$T/out" && ok || bad "import twice: $(cat "$T/out")"
[ "$(sqlite3 "$MD" "SELECT count(*) FROM v_measured")" = 4 ] && ok || bad "import twice stored twice"
expect 0 "$BIN" import configs/kv260.yaml $M/prefill_pe8.xml $M/prefill_pe16.xml --engine prefill:pe=8,lanes=4 --db "$MD"
expect 0 "$BIN" import configs/kv260.yaml $M/other_part.xml --engine prefill:pe=8,lanes=4 --any-part --db "$MD"
"$BIN" import --json $M/prefill_pe12.xml $M/util_rp_m_over.rpt >"$T/recs"
python3 - "$MD" "$T/recs" <<'PY' && ok || bad "import: stored rows are not the records"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
recs = [json.loads(l) for l in open(sys.argv[2])]
for rec, mid in zip(recs, [1, 4]):
    row = db.execute("SELECT r.report_json, m.sha256, m.tool_version, m.part, m.lut, m.bram18, m.bram36, m.bram36_equiv,"
                     " m.scope, m.timing_met, m.over_available, m.target_text FROM v_measured m JOIN measurements r"
                     " USING(measurement_id) WHERE measurement_id = ?", (mid,)).fetchone()
    assert json.loads(row[0]) == rec, mid
    assert row[1] == rec["sha256"] and row[2] == rec["tool_version"] and row[3] == rec["part"], row
    if rec["kind"] == "csynth":
        assert row[4] == rec["resources"]["lut"] and row[5] == rec["resources"]["bram18"] and row[6] is None
        assert row[7] == rec["resources"]["bram18"] / 2 and row[8] == "prefill" and row[9] == 1 and row[10] == 0
    else:
        assert row[4] == rec["pblocks"][0]["lut"] and row[7] == rec["pblocks"][0]["bram36"] and row[8] == "pblock"
        assert row[9] is None and row[10] == 1 and row[11] == "design pdswap"
n = db.execute("SELECT count(*) FROM v_measured WHERE part = 'xczu7ev-ffvc1156-2-e'").fetchone()[0]
assert n == 1, n
PY
# validate and calibrate take them; simulate says which figures rest on them
expect 1 "$BIN" validate configs/kv260.yaml --db "$MD"
grep -q "^m1 prefill 48u@250 lut  *LUT  *29000  *27504 " "$T/out" && ok || bad "validate lacks the imported rows: $(grep '^m1' "$T/out")"
grep -q "^m4 partition\|^m4 pblock rp_m dsp  *DSP  *300 " "$T/out" && ok || bad "validate lacks the partition: $(grep '^m4' "$T/out")"
expect 0 "$BIN" validate configs/kv260.yaml --db "$T/meas/none.db"
expect 0 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 64 --gen 1 --model analytic --samples 0 --json --db "$MD"
python3 - "$T/out" <<'PY' && ok || bad "simulate --json measured: $(head -c 300 "$T/out")"
import json, sys
o = json.load(open(sys.argv[1]))
m = {(x["engine"], x["figure"]): x for x in o["measured"]}
assert m[("prefill", "lut")]["value"] == 29000 and m[("prefill", "lut")]["provenance"] == "measured"
assert m[("prefill", "lut")]["measurements"] == [1] and m[("prefill", "lut")]["parametric"] != 29000
assert m[("decode", "lut")]["value"] == 9500 and m[("tlmm", "lut")]["value"] == 44000
PY
expect 0 "$BIN" simulate configs/kv260.yaml --design pdswap --prompt 64 --gen 1 --model analytic --samples 0 --json --db "$T/meas/none.db"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["measured"] == []' "$T/out" && ok || bad "simulate without measurements"

# the main job takes them; --respect-measured shrinks the partition's contents
expect 0 "$BIN" configs/kv260.yaml --db "$MD" --no-progress --hls-out "$T/meas/hw"
# (the report of another part imported with --any-part applies: it was stored as a measurement of this device)
grep -q "$MD: 7 measurements of part xck26-sfvc784-2LV-c apply" "$T/err" && ok || bad "the main job's measurements: $(cat "$T/err")"
[ "$(sqlite3 "$MD" "SELECT group_concat(measurement_id || use) FROM v_run_measurements WHERE run_id = 1")" = "1profile,2profile,3profile,5profile,6profile,7profile" ] &&
	ok || bad "run 1's measurements: $(sqlite3 "$MD" "SELECT * FROM v_run_measurements")"
expect 0 "$BIN" configs/kv260.yaml --db "$MD" --no-progress --hls-out "$T/meas/hw" --respect-measured
grep -q "respecting measured: pblock 'rp_m' held 30000 LUT where 28560 fit (measurement 4); prefill engines of 48 units or more are refused in it" "$T/err" &&
	ok || bad "respect-measured says no limit: $(cat "$T/err")"
python3 - "$MD" <<'PY' && ok || bad "respect-measured: the chosen point breaks the limit"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
run = db.execute("SELECT max(run_id) FROM v_chosen").fetchone()[0]
assert run == 2
p = db.execute("SELECT p.pblock, p.pre_pe * p.pre_lanes FROM v_chosen c JOIN v_points p USING(run_id, point_id)"
               " WHERE c.run_id = ?", (run,)).fetchone()
assert not (p[0] == "rp_m" and p[1] >= 48), p
uses = db.execute("SELECT use FROM v_run_measurements WHERE run_id = 2 AND measurement_id = 4").fetchall()
assert uses == [("respect",)], uses
# the front holds no point the limit refuses
n = db.execute("SELECT count(*) FROM v_pareto f JOIN v_points p USING(run_id, point_id) WHERE f.run_id = 2"
               " AND p.mode = 'dpr' AND p.pblock = 'rp_m' AND p.pre_pe * p.pre_lanes >= 48").fetchone()[0]
assert n == 0, n
PY
# the report shows every imported measurement against the model
expect 0 "$BIN" report --db "$MD" --run 2 --out "$T/meas/rep"
grep -q "<td>m4 pblock rp_m dsp</td>" "$T/meas/rep/index.html" && ok || bad "the report lacks the imported rows"
grep -q "the run took 6 imported measurements as measured profiles" "$T/meas/rep/index.html" && ok || bad "the report does not say the run took profiles"
expect 0 "$BIN" emit-dfx configs/kv260.yaml --design best --db "$MD" --run 2 --out "$T/dfx3"
grep -q "^point [0-9]* of run 2: pblock " "$T/out" && ok || bad "emit-dfx of the respected run's choice: $(cat "$T/out")"

# an unfinished run that took other measurements is not resumed
sqlite3 "$MD" "UPDATE runs SET status = 'interrupted' WHERE run_id = 2"
expect 0 "$BIN" configs/kv260.yaml --db "$MD" --no-progress --hls-out "$T/meas/hw"
grep -q "run 2 in $MD took other measurements (profile:1,2,3,5,6,7;respect:4); it is not resumed; run 3 starts anew" "$T/err" &&
	ok || bad "a run of other measurements resumed: $(cat "$T/err")"
# emit-dfx: the floorplan of a dpr design; refused for a static design, a device without a grid, RMs that do not fit
expect 0 "$BIN" emit-dfx configs/kv260.yaml --design pdswap --out "$T/dfx" --db "$T/meas/none.db"
for f in pds_floorplan.xdc pds_dfx_project.tcl pds_dfx.json; do [ -s "$T/dfx/$f" ] && ok || bad "emit-dfx wrote no $f"; done
grep -q "^resize_pblock \[get_pblocks pblock_rp_m\] -add {SLICE_X40Y0:SLICE_X56Y239}$" "$T/dfx/pds_floorplan.xdc" && ok || bad "emit-dfx: the rp_m SLICE range"
grep -q "^  partial bitstream: 2543744 bytes" "$T/out" && ok || bad "emit-dfx: the bitstream: $(cat "$T/out")"
python3 - "$T/dfx/pds_dfx.json" <<'PY' && ok || bad "emit-dfx: pds_dfx.json"
import json, sys
o = json.load(open(sys.argv[1]))
f = o["frames"]
assert f["total"] == f["clb"] + f["dsp"] + f["bram"] + f["uram"] + f["int"]
assert o["bitstream_bytes"] == f["total"] * o["frame_bytes"] + o["overhead_bytes"] == 2543744
assert o["tiles"] == {"clb": 70, "dsp": 12, "bram": 8, "uram_sites": 12, "uram_rows": 1}
PY
cp -r "$T/dfx" "$T/dfx_before"
expect 0 "$BIN" emit-dfx configs/kv260.yaml --design pdswap --out "$T/dfx" --db "$T/meas/none.db"
diff -r "$T/dfx" "$T/dfx_before" >/dev/null && ok || bad "emit-dfx: the same input gave other bytes"
expect 2 "$BIN" emit-dfx configs/kv260.yaml --design tellme --out "$T/dfx2"
grep -q "design 'tellme': the design is static" "$T/err" && [ ! -e "$T/dfx2" ] && ok || bad "emit-dfx of a static design: $(cat "$T/err")"
expect 2 "$BIN" emit-dfx configs/zcu104.yaml --design pdswap --out "$T/dfx2"
grep -q "no clock-region grid" "$T/err" && [ ! -e "$T/dfx2" ] && ok || bad "emit-dfx without a grid: $(cat "$T/err")"
expect 2 "$BIN" emit-dfx configs/kv260.yaml --design pdswap --rp-cell "a b" --out "$T/dfx2"
expect 2 "$BIN" emit-dfx configs/kv260.yaml --design pdswap --point 3 --out "$T/dfx2"
grep -q "emit-dfx: give --design or --point, not both" "$T/err" && [ ! -e "$T/dfx2" ] && ok || bad "emit-dfx --design with --point: $(cat "$T/err")"
expect 2 "$BIN" emit-dfx configs/kv260.yaml --design pdswap --run 1 --out "$T/dfx2"
grep -q "emit-dfx: --run selects the run of --point or of --design best" "$T/err" && [ ! -e "$T/dfx2" ] && ok || bad "emit-dfx --run with a named design: $(cat "$T/err")"
sed 's/^    rp: rp_m$/    rp: rp_s/' configs/kv260.yaml >"$T/small_rp.yaml"
expect 1 "$BIN" emit-dfx "$T/small_rp.yaml" --design pdswap --out "$T/dfx2" --db "$T/meas/none.db"
grep -q "its floorplan cannot hold it: prefill RM needs .* pblock 'rp_s'" "$T/err" && [ ! -e "$T/dfx2" ] && ok ||
	bad "emit-dfx of RMs beyond the pblock: $(cat "$T/err")"

# session: every policy side by side, JSON with the documented keys, the
# same bytes at any thread count, stored sessions and requests, traces, and
# bad input refused with nothing stored
expect 0 "$BIN" session configs/kv260.yaml --design pdswap --static tellme --workload chat --requests 120 --no-capacity
for p in always never threshold oracle static; do
	grep -q "^  $p " "$T/out" && ok || bad "session table lacks policy $p"
done
grep -q "threshold (analytic model): back to the prefill RM for prompts >= " "$T/out" && ok || bad "session prints no thresholds"
expect 0 "$BIN" session configs/kv260.yaml --design pdswap --static tellme --workload conversation --requests 80 --json --threads 1
cp "$T/out" "$T/sess1.json"
expect 0 "$BIN" session configs/kv260.yaml --design pdswap --static tellme --workload conversation --requests 80 --json --threads 2
cmp -s "$T/out" "$T/sess1.json" && ok || bad "session --json differs between 1 and 2 threads"
python3 - "$T/sess1.json" <<'PY' && ok || bad "session --json keys"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["workload"] == "conversation" and o["mode"] == "dpr" and o["static_design"] == "tellme"
assert set(o["policies"]) == {"always", "never", "threshold", "oracle", "static"}, o["policies"].keys()
for name, p in o["policies"].items():
    for k in ["requests", "swaps", "goodput_rps", "reconfig_share", "energy_j_per_request"]:
        assert k in p, (name, k)
    for k, sub in [("ttft_s", ["p50", "p90", "p99"]), ("tpot_s", ["p50", "p99"]), ("e2e_s", ["mean", "p50", "p99"]),
                   ("wait_s", ["mean"])]:
        assert all(x in p[k] for x in sub), (name, k)
    assert p["requests"] == o["requests"] <= 80
    assert p["ttft_s"]["p50"] <= p["ttft_s"]["p90"] <= p["ttft_s"]["p99"]
    assert p["capacity_rps"] > 0 or p["capacity_rps"] == 0 or p["capacity_unbounded"]
a = o["policies"]["always"]
assert a["swaps"] == 2 * a["requests"] - 1 and o["policies"]["never"]["swaps"] == 0 == o["policies"]["static"]["swaps"]
assert o["policies"]["threshold"]["e2e_s"]["mean"] <= min(a["e2e_s"]["mean"], o["policies"]["never"]["e2e_s"]["mean"]) * (1 + 1e-12)
PY
# a static design has the static policy alone; best and best-static come from the sweep in FILE
expect 0 "$BIN" session configs/kv260.yaml --design best-static --workload chat --requests 50 --no-capacity --db "$T/r.db" --json
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["mode"] == "static" and list(o["policies"]) == ["static"]' "$T/out" &&
	ok || bad "session of the best static design"
expect 2 "$BIN" session configs/kv260.yaml --design tellme --workload chat --policy always
grep -q "its only policy is 'static'" "$T/err" && ok || bad "a static design's dpr policy: $(cat "$T/err")"
# stored: one row per policy in v_sessions, every request in v_requests
runs0=$(sqlite3 "$T/r.db" "SELECT count(*) FROM runs")
expect 0 "$BIN" session configs/kv260.yaml --design pdswap --workload chat --requests 60 --no-capacity --db "$T/r.db" --store-requests --breakeven
sr=$(sqlite3 "$T/r.db" "SELECT max(run_id) FROM v_runs WHERE kind='session' AND status='complete'")
[ "$(sqlite3 "$T/r.db" "SELECT count(*) FROM v_sessions WHERE run_id=$sr")" = 5 ] && ok || bad "v_sessions of run $sr"
[ "$(sqlite3 "$T/r.db" "SELECT count(*) FROM v_requests WHERE run_id=$sr")" = 300 ] && ok || bad "v_requests of run $sr"
[ "$(sqlite3 "$T/r.db" "SELECT count(DISTINCT policy) FROM v_breakeven WHERE run_id=$sr")" = 4 ] && ok || bad "v_breakeven of run $sr"
grep -q "where a policy's e2e beats the static design" "$T/out" && ok || bad "session --breakeven prints no summary"
# a trace replay, in each format
printf 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,100,20\n0.5,30,5\n4,3000,9\n' >"$T/v.csv"
expect 0 "$BIN" session configs/kv260.yaml --design pdswap --static tellme --trace "$T/v.csv" --json --no-capacity
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); p=o["policies"]["always"]; assert o["requests"] == 3 and o["trimmed"] == 1 and p["requests"] == 3' "$T/out" &&
	ok || bad "session --trace (Vidur)"
expect 0 "$BIN" session configs/kv260.yaml --design pdswap --static tellme --trace "$T/v.csv" --over-context refuse --json --no-capacity
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["requests"] == 2 and o["refused"] == 1' "$T/out" &&
	ok || bad "session --trace --over-context refuse"
printf '{"input_toks": 5, "output_toks": 6, "arrival_time_ns": 0}\n{"input_toks": 50, "output_toks": 3, "arrival_time_ns": 2000000000}\n' >"$T/j.jsonl"
expect 0 "$BIN" session configs/kv260.yaml --design pdswap --policy threshold --trace "$T/j.jsonl" --model des --no-capacity
# bad traces: FILE:LINE, exit 2, nothing stored
runs0=$(sqlite3 "$T/r.db" "SELECT count(*) FROM runs")
bad_trace() {
	printf "$2" >"$T/$1"
	expect 2 "$BIN" session configs/kv260.yaml --design pdswap --trace "$T/$1" --db "$T/r.db"
	head -n 1 "$T/err" | grep -q "^$T/$1:$3: .*$4" && ok || bad "trace $1: want $T/$1:$3: ...$4, got $(head -c 300 "$T/err")"
	[ ! -s "$T/out" ] && ok || bad "trace $1 printed results"
	expect 2 "$BIN" session configs/kv260.yaml --design pdswap --trace "$T/$1" --db "$T/newdb/x.db"
	[ ! -e "$T/newdb" ] && ok || bad "trace $1 created a database"
}
H='arrived_at,num_prefill_tokens,num_decode_tokens\n'
bad_trace missing.csv "${H}0,10,5\n1,10\n" 3 "2 columns where the header names 3"
bad_trace extra.csv "${H}0,10,5,1\n" 2 "4 columns"
bad_trace nan.csv "${H}0,ten,5\n" 2 "whole number of tokens"
bad_trace neg.csv "${H}0,10,-3\n" 2 "must be 1 to"
bad_trace back.csv "${H}0,10,5\n3,10,5\n2,10,5\n" 4 "goes backwards"
bad_trace empty.csv "" 1 "the trace is empty"
[ "$(sqlite3 "$T/r.db" "SELECT count(*) FROM runs")" = "$runs0" ] && ok || bad "a bad trace stored a run"
# usage and config errors
expect 2 "$BIN" session configs/kv260.yaml --design pdswap
expect 2 "$BIN" session configs/kv260.yaml --design pdswap --workload chat --trace "$T/v.csv"
expect 2 "$BIN" session configs/kv260.yaml --design pdswap --workload nosuch
grep -q "no workload named 'nosuch' (workloads: chat, conversation, code)" "$T/err" && ok || bad "unknown workload: $(cat "$T/err")"
expect 2 "$BIN" session configs/kv260.yaml --design nosuch --workload chat
expect 2 "$BIN" session configs/kv260.yaml --design pdswap --workload chat --policy sometimes
expect 2 "$BIN" session configs/kv260.yaml --design pdswap --workload chat --store-requests
expect 2 "$BIN" session configs/kv260.yaml --design pdswap --workload chat --rate 0
expect 2 "$BIN" session configs/kv260.yaml --design pdswap --workload chat --model exact
sed 's/arrival: {process: poisson, rate: 0.05}/arrival: {process: poisson, rate: -1}/' configs/kv260.yaml >"$T/rate.yaml"
set -- $(pos "$T/rate.yaml" "rate: -1")
expect 2 "$BIN" session "$T/rate.yaml" --design pdswap --workload chat
head -n 1 "$T/err" | grep -q "^$T/rate.yaml:$1:$(($2 + 6)): 'workloads.chat.arrival.rate' must be a number in (0" && ok ||
	bad "a negative rate: $(cat "$T/err")"

# the K/V knobs swept: every point stored, the front and the choice carry them, a static
# point never holds a tier in the RP, keys without a region are not feasible, the chosen
# design's K/V options are stored and drawn, the accuracy statement where a cache is quantised
python3 - "$T/kvs.yaml" <<'PY'
import re, sys
s = open("configs/kv260.yaml").read()
lists = {"clock_mhz": "[250]", "tlmm_tables": "[28]", "tlmm_lanes": "[8]", "prefill_pe": "[8]",
         "prefill_lanes": "[4]", "prefill_block": "[4]", "decode_lanes": "[16, 32]", "outstanding": "[16]",
         "port_maps_decode": "[kv2x2]", "pblocks": "[rp_m]", "kv_precision": "[fp16, int8, int4]",
         "kv_window": "[0, 3]", "kv_sinks": "[0, 1]", "kv_tier_region": "[none, rp]"}
for k, v in lists.items():
    s, n = re.subn(r"(?m)^  %s: \[[^]]*\]" % k, "  %s: %s" % (k, v), s)
    assert n == 1, k
# sets of modules go only with the fp16 cache without a tier: the paper's pair alone
s, n = re.subn(r"(?m)^  rm_sets: .*\n  rm_modules:\n(    .*\n)*", "", s)
assert n == 1, "rm_sets"
open(sys.argv[1], "w").write(s)
PY
expect 0 "$BIN" "$T/kvs.yaml" --db "$T/kvs.db" --no-progress --all-points --hls-out "$T/kvs_hls" --report
grep -q "^chosen: point [0-9]* (dpr, .*, K/V \(fp16\|int8\|int4\)" "$T/out" && grep -q "^best static: point .*, K/V " "$T/out" &&
	ok || bad "the chosen and best static designs do not name their K/V cache: $(head -c 600 "$T/out")"
q() { sqlite3 "$T/kvs.db" "$1"; }
[ "$(q "SELECT count(*) FROM v_points WHERE design_name IS NULL")" = $((2 * 3 * 2 * 2 * 2 + 2 * 3 * 2 * 2)) ] && ok ||
	bad "the K/V space has $(q "SELECT count(*) FROM v_points WHERE design_name IS NULL") points"
[ "$(q "SELECT count(*) FROM v_points WHERE mode = 'static' AND kv_tier_region = 'rp'")" = 0 ] && ok ||
	bad "a static point holds a tier in the RP"
[ "$(q "SELECT count(*) FROM v_points WHERE kv_tier_region = 'none' AND kv_window + kv_sinks > 0 AND feasible = 1")" = 0 ] &&
	[ "$(q "SELECT count(*) FROM v_points WHERE kv_tier_region = 'none' AND kv_window + kv_sinks > 0 AND reason LIKE '%no region holds them%'")" -gt 0 ] &&
	ok || bad "keys without a region were not refused"
[ "$(q "SELECT count(DISTINCT kv_precision) FROM v_pareto f JOIN v_points p USING(run_id, point_id)")" -ge 1 ] &&
	[ "$(q "SELECT count(*) FROM v_points WHERE feasible = 1 AND kv_tier_region = 'rp' AND kv_window + kv_sinks > 0")" -gt 0 ] &&
	ok || bad "no feasible point keeps a tier in the decode RM"
[ "$(q "SELECT count(*) FROM v_knobs WHERE knob IN ('kv_precision','kv_window','kv_sinks','kv_tier_region')")" -ge 14 ] && ok ||
	bad "v_knobs lacks the K/V knobs"
[ "$(q "SELECT count(DISTINCT kv_precision) FROM v_kv_curves k JOIN v_chosen c USING(run_id, point_id)")" = 3 ] && ok ||
	bad "the chosen design's K/V options are not stored"
[ -f "$T/report/fig/kv.svg" ] && grep -q "does not predict model accuracy" "$T/report/index.html" && ok ||
	bad "the report lacks the K/V figure or the accuracy statement"
# the designs' table names the chosen design's K/V cache as the database holds it
kvc=$(q "SELECT p.kv_precision || '|' || p.kv_tier_region || '|' || p.kv_sinks || '|' || p.kv_window FROM v_chosen c
	JOIN v_points p USING(run_id, point_id)")
python3 - "$T/report/index.html" "$kvc" <<'PY' && ok || bad "the designs' table does not name the chosen design's K/V cache"
import re, sys
html, (prec, region, sinks, window) = open(sys.argv[1]).read(), sys.argv[2].split("|")
start = html.index("<h2 id=designs>")
table = html[start:html.index("</table>", start)]
row = next(r for r in table.split("<tr>") if re.search(r"</span>[^<]*\(chosen\)", r))
want = "K/V " + prec + (" (group" if prec != "fp16" else ",")
assert want in row, (want, row)
if region == "none":
    assert ", no tier" in row, row
else:
    where = "the static region" if region == "static" else "the decode RM"
    assert "tier of %s sink" % sinks in row and "+ %s window key" % window in row and where in row, row
PY
grep -q "^#define PDS_KV_PREC " "$T/kvs_hls/pds_common.h" && grep -q "^#define PDS_KV_TIER_KEYS " "$T/kvs_hls/pds_decode.h" &&
	ok || bad "the chosen design's headers lack the K/V cache"

echo "cli tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
