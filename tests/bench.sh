#!/bin/sh
# bench.sh - benchmarks of pdswap; each prints "name: value" lines.
# `make bench` runs it from the repository root with PDSWAP_BIN and
# PDSWAP_BUILD set.
set -eu
B=${PDSWAP_BUILD:-build}

# discrete-event model: 2048-token prompt + 256 generated tokens on the
# KV260 config (targets: >= 1e7 events/s, < 0.5 s)
"$B/bench_des" configs/kv260.yaml 5

# sessions: the request-level session (analytic phase times, one core;
# target >= 1e6 simulated requests/s on the short-chat workload) and the
# op-level DES session, wall time per request
"$B/bench_session" configs/kv260.yaml 100000

# design-space sweep: a space of about 10^7 points generated from
# configs/kv260.yaml by giving design_space longer lists (the rest of the
# config, constraints included, is the shipped one), and a "loose" copy of
# it whose constraints prune nothing, for the cost of evaluating every
# point (targets: >= 5e6 analytic points/s/core, 10^7 points < 10 s,
# < 200 MB RSS, >= 2e5 SQLite rows/s)
BIN=${PDSWAP_BIN:-build/pdswap-dse}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

python3 - configs/kv260.yaml "$T" <<'PY'
import re, sys
src, out = open(sys.argv[1]).read(), sys.argv[2]
longer = {  # knob: values (lanes <= head_dim 96, clock <= clock_max_mhz 300)
    "clock_mhz": "[150, 175, 200, 225, 250, 275, 300]",
    "tlmm_tables": "[12, 16, 20, 24, 28, 32, 36, 40]",
    "tlmm_lanes": "[2, 4, 6, 8, 10, 12, 14, 16, 20, 24]",
    "prefill_pe": "[2, 4, 8, 12, 16, 24, 32, 40, 48, 64]",
    "prefill_lanes": "[2, 4, 8, 16]",
    "prefill_block": "[1, 4, 16]",
    "decode_lanes": "[8, 16, 24, 32, 48, 64, 96]",
    "outstanding": "[4, 8, 16]",
}
lines, inside, seen = [], False, set()
for line in src.splitlines(True):
    if re.match(r"^\S", line):
        inside = line.startswith("design_space:")
    m = re.match(r"^  (\w+):\s*\[.*\]", line) if inside else None
    if m and m.group(1) in longer:
        line = "  %s: %s\n" % (m.group(1), longer[m.group(1)])
        seen.add(m.group(1))
    lines.append(line)
assert seen == set(longer), "design_space lists not found: %s" % (set(longer) - seen)
big = "".join(lines)
open(out + "/big.yaml", "w").write(big)
# loose: engines a hundred times cheaper, no TTFT budget, RMs may fill their pblock
loose = big
for key in ("tlmm_per_unit", "pre_per_mac", "dec_per_mac"):
    def cheaper(m):
        vals = re.sub(r"(lut|ff|bram36|uram|dsp): ([0-9.e+-]+)",
                      lambda v: "%s: %.9g" % (v.group(1), float(v.group(2)) / 100), m.group(2))
        return m.group(1) + vals
    loose, n = re.subn(r"(  %s:\s*)(\{[^}]*\})" % key, cheaper, loose)
    assert n == 1, key
for a, b in (("t_pre_max_s: 12.0", "t_pre_max_s: 1e6"), ("rp_routability_margin: 0.85", "rp_routability_margin: 1.0")):
    assert a in loose, a
    loose = loose.replace(a, b)
open(out + "/loose.yaml", "w").write(loose)
PY

"$B/bench_sweep" "$T/big.yaml" "$T/loose.yaml" "$T/bench.db"

# the whole job on the 10^7-point space: wall time and peak RSS of the process
python3 - "$BIN" "$T/big.yaml" "$T/explore.db" <<'PY'
import resource, subprocess, sys, time
t0 = time.monotonic()
subprocess.run([sys.argv[1], sys.argv[2], "--db", sys.argv[3], "--no-progress"], check=True,
               stdout=subprocess.DEVNULL)
wall = time.monotonic() - t0
print("explore_1e7_wall_s: %.3f" % wall)
print("explore_1e7_max_rss_mb: %.1f" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0))
PY
