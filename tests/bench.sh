#!/bin/sh
# bench.sh - benchmarks of pdswap; each prints "name: value" lines.
# `make bench` runs it from the repository root with PDSWAP_BIN,
# PDSWAP_MPI_BIN and PDSWAP_BUILD set.
set -eu
B=${PDSWAP_BUILD:-build}

# discrete-event model: the longest request the model takes, 1792-token
# prompt + 256 generated tokens (max_context 2048) on the KV260 config
# (targets: >= 1e7 events/s, < 0.5 s)
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
# < 200 MB RSS, >= 2e5 SQLite rows/s); the same space with the shipped
# rm_sets, each dpr point a set of modules, for the rate of the sets (each
# module priced once, sets combined per point)
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
sets = "".join(lines)
# the 10^7-point space: the paper's pair alone (no rm_sets, no rm_modules); its
# sets: the same space with the shipped rm_sets, each point a set of modules
big, n = re.subn(r"\n  rm_sets:[^\n]*\n  rm_modules:\n(    [^\n]*\n)+", "\n", sets)
assert n == 1, "rm_sets and rm_modules not found in design_space"
open(out + "/big.yaml", "w").write(big)
open(out + "/sets.yaml", "w").write(sets)
# loose: engines a hundred times cheaper, no TTFT budget, RMs may fill their pblock
# (the measured RM rows scale with the costs, so that the sizes inferred from them stay)
loose = big
for key in ("tlmm_per_unit", "pre_per_mac", "dec_per_mac", "prefill_rm", "decode_rm"):
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
# loose with the sets: the same edits on the sets' space
loose_sets = sets
for key in ("tlmm_per_unit", "pre_per_mac", "dec_per_mac", "prefill_rm", "decode_rm"):
    loose_sets, n = re.subn(r"(  %s:\s*)(\{[^}]*\})" % key, cheaper, loose_sets)
    assert n == 1, key
for a, b in (("t_pre_max_s: 12.0", "t_pre_max_s: 1e6"), ("rp_routability_margin: 0.85", "rp_routability_margin: 1.0"),
             ("bitstream_store_mib: 32", "bitstream_store_mib: 1000000")):
    assert a in loose_sets, a
    loose_sets = loose_sets.replace(a, b)
open(out + "/loose_sets.yaml", "w").write(loose_sets)
PY

"$B/bench_sweep" "$T/big.yaml" "$T/loose.yaml" "$T/bench.db" "$T/sets.yaml" "$T/loose_sets.yaml"

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

# the same job on MPI ranks (build/pdswap-dse-mpi, one thread each): the
# wall time on 1 and on 2 ranks and their ratio, and the ratio of the CPU
# time all processes took (1.0: sharing the work costs nothing; on a
# machine that other work keeps busy both figures drift); then the space
# as two shards, each a single process, and the time their merge takes
MPI=${PDSWAP_MPI_BIN:-build/pdswap-dse-mpi}
python3 - "$MPI" "$BIN" "$T/big.yaml" "$T" <<'PY'
import os, resource, subprocess, sys, time
mpi, bin_, cfg, tmp = sys.argv[1:5]
mpirun = ["mpirun", "--oversubscribe"] + (["--allow-run-as-root"] if os.getuid() == 0 else [])
def run(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.monotonic() - t0, (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
job = [cfg, "--no-progress", "--threads", "1", "--hls-out", tmp + "/mpi_hls"]
w = {n: run(mpirun + ["-np", str(n), mpi] + job + ["--db", "%s/mpi%d.db" % (tmp, n)]) for n in (1, 2)}
print("mpi_ranks_1_wall_s: %.3f" % w[1][0])
print("mpi_ranks_2_wall_s: %.3f" % w[2][0])
print("mpi_ranks_2_speedup: %.2f" % (w[1][0] / w[2][0]))
print("mpi_ranks_2_cpu_ratio: %.2f" % (w[2][1] / w[1][1]))
shards = []
for i in (1, 2):
    shards.append("%s/shard_%d.db" % (tmp, i))
    run([bin_, cfg, "--shard", "%d/2" % i, "--db", shards[-1], "--no-progress"])
print("merge_2_shards_1e7_wall_s: %.3f" % run([bin_, "merge", tmp + "/merged.db"] + shards +
                                              ["--no-progress", "--hls-out", tmp + "/merge_hls"])[0])
PY
