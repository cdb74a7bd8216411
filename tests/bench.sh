#!/bin/sh
# bench.sh - benchmarks of pdswap; each prints "name: value" lines.
# `make bench` runs it from the repository root with PDSWAP_BIN and
# PDSWAP_BUILD set.
set -eu
B=${PDSWAP_BUILD:-build}

# discrete-event model: 2048-token prompt + 256 generated tokens on the
# KV260 config (targets: >= 1e7 events/s, < 0.5 s)
"$B/bench_des" configs/kv260.yaml 5
