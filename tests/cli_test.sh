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
for sub in simulate calibrate validate; do
	expect 0 "$BIN" $sub --help
	grep -q "usage: pdswap-dse $sub" "$T/out" && ok || bad "$sub --help prints no usage"
done
expect 0 "$BIN" configs/kv260.yaml --help

# simulate: JSON parses and carries the documented keys
expect 0 "$BIN" simulate configs/kv260.yaml --design tellme --prompt 64 --gen 16 --json
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

# validate: the shipped config is within 10%; an absurd tolerance fails
expect 0 "$BIN" validate configs/kv260.yaml --tol 0.10
expect 1 "$BIN" validate configs/kv260.yaml --tol 0.000001
expect 2 "$BIN" validate configs/kv260.yaml --tol -1

# calibrate --write: the written config loads and validates
cp configs/kv260.yaml "$T/k.yaml"
expect 0 "$BIN" calibrate "$T/k.yaml" --write "$T/k2.yaml"
expect 0 "$BIN" validate "$T/k2.yaml"

# main job: writes the database with every design
expect 0 "$BIN" configs/kv260.yaml --db "$T/r.db"
n=$(sqlite3 "$T/r.db" "SELECT count(*) FROM v_points" 2>/dev/null)
[ "$n" = 2 ] && ok || bad "v_points has '$n' rows, want 2"

# a bad config: exit 2, FILE:LINE:COL, nothing written, stored runs intact
printf 'schema: 1\ndevice: [\n' >"$T/bad.yaml"
expect 2 "$BIN" "$T/bad.yaml" --db "$T/r.db"
grep -q "^$T/bad.yaml:[0-9]*:[0-9]*: " "$T/err" && ok || bad "config error lacks FILE:LINE:COL: $(cat "$T/err")"
n=$(sqlite3 "$T/r.db" "SELECT count(*) FROM runs")
[ "$n" = 1 ] && ok || bad "runs has '$n' rows after a failed run, want 1"
expect 2 "$BIN" "$T/bad.yaml" --db "$T/new.db"
[ ! -e "$T/new.db" ] && ok || bad "a failed run created a database"

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

sed 's/^  clock_max_mhz: 300/  clock_max_mhz: 0/' configs/kv260.yaml >"$T/zero_clock.yaml"
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
grep -q "^$T: cannot read" "$T/err" && ok || bad "directory as config: $(cat "$T/err")"
[ ! -e "$T/none" ] && ok || bad "an unreadable config created a database"

# the second board and the second model: the main job and simulate run,
# calibrate and validate refuse them for want of measurements
for cfgf in configs/zcu104.yaml configs/kv260_bitnet2b4t.yaml; do
	expect 0 "$BIN" "$cfgf" --db "$T/other.db"
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
expect 0 "$BIN" simulate configs/zcu104.yaml --design pdswap_xl --prompt 2000 --gen 48
expect 2 "$BIN" simulate configs/zcu104.yaml --design pdswap_xl --prompt 2000 --gen 49

echo "cli tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
