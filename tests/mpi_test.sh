#!/bin/sh
# mpi_test.sh - build/pdswap-dse-mpi on 1, 2 and 4 ranks against the
# single-process pdswap-dse: the same rows in every view (tests/dbdump.py),
# the same HLS headers and the same output; with every point stored; a
# shard on several ranks merged with one on a single process; and
# interruptions (SIGINT to mpirun, SIGTERM to one rank, kill -9 of a rank
# and of rank 0, during the chunks and during the DES re-check) leave a
# consistent database that the same command, on any number of ranks,
# resumes to the straight run's rows.  `make mpi-check` runs it
# (PDSWAP_BIN, PDSWAP_MPI_BIN); .ci/run runs that.
set -u
BIN=${PDSWAP_BIN:-build/pdswap-dse}
MPI=${PDSWAP_MPI_BIN:-build/pdswap-dse-mpi}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# more ranks than this machine's cores; as root (CI) mpirun wants to be told
MPIRUN="mpirun --oversubscribe"
[ "$(id -u)" = 0 ] && MPIRUN="$MPIRUN --allow-run-as-root"
CFG=configs/kv260.yaml

dump() { python3 tests/dbdump.py "$1" >"$2" || bad "cannot dump $1"; }
same_dump() { # DB REF_DUMP WHAT
	dump "$1" "$T/cmp.dump"
	if cmp -s "$T/cmp.dump" "$2"; then ok; else
		bad "$3: the rows differ from the single-process run"
		diff "$2" "$T/cmp.dump" | head -5
	fi
}
integrity() { # DB WHAT
	[ "$(sqlite3 "$1" 'PRAGMA integrity_check')" = ok ] && ok || bad "$2: the database is damaged"
}
q() { sqlite3 "$1" "$2" 2>/dev/null; }
# what the main job printed, without what differs between runs: the wall
# time and rank count, the paths of the database and the headers
normal() { sed -e 's/ ([0-9.]* s[^)]*)$//' -e "s#$T/[A-Za-z0-9_]*#X#g" "$1"; }
# the pid of rank R among the children of mpirun MP
rank_pid() {
	for p in /proc/[0-9]*; do
		[ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$1" ] || continue
		tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2" && { echo "${p#/proc/}"; return; }
	done
}
# wait until SQL on DB gives at least N (up to 60 s)
wait_for() {
	i=0
	while [ $i -lt 1200 ]; do
		n=$(q "$1" "$2")
		[ -n "$n" ] && [ "$n" -ge "$3" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# the reference: one process
"$BIN" $CFG --db "$T/ref.db" --no-progress --hls-out "$T/ref_hls" >"$T/ref.out" 2>"$T/ref.err" && ok ||
	bad "the single-process run failed: $(cat "$T/ref.err")"
dump "$T/ref.db" "$T/ref.dump"
NCH=$(q "$T/ref.db" "SELECT n_chunks FROM sweeps")

# 1, 2 and 4 ranks: the same rows, headers and output
for n in 1 2 4; do
	$MPIRUN -np $n "$MPI" $CFG --db "$T/np$n.db" --no-progress --hls-out "$T/np${n}_hls" >"$T/np$n.out" 2>"$T/np$n.err" &&
		ok || bad "$n ranks: exit $?: $(head -c 400 "$T/np$n.err")"
	same_dump "$T/np$n.db" "$T/ref.dump" "$n ranks"
	diff -r "$T/ref_hls" "$T/np${n}_hls" >/dev/null && ok || bad "$n ranks: other HLS headers"
	normal "$T/ref.out" >"$T/a.txt"
	normal "$T/np$n.out" >"$T/b.txt"
	cmp -s "$T/a.txt" "$T/b.txt" && ok || bad "$n ranks: other output: $(diff "$T/a.txt" "$T/b.txt" | head -4)"
	[ "$(q "$T/np$n.db" "SELECT ranks FROM v_runs")" = $n ] && ok || bad "$n ranks: v_runs.ranks is not $n"
	[ ! -s "$T/np$n.err" ] && ok || bad "$n ranks wrote to stderr: $(head -c 300 "$T/np$n.err")"
done
[ $n = 4 ] && grep -q " on 4 ranks)$" "$T/np4.out" && ok || bad "the summary does not say the rank count"

# every point stored, on a smaller space
python3 - $CFG "$T/small.yaml" <<'PY'
import sys
t = open(sys.argv[1]).read()
for a, b in (("tlmm_lanes: [4, 6, 8, 10, 12]", "tlmm_lanes: [8, 12]"), ("prefill_pe: [4, 8, 16, 24, 32]", "prefill_pe: [8, 16]"),
             ("decode_lanes: [8, 16, 32, 48]", "decode_lanes: [16, 32]")):
    assert a in t, a
    t = t.replace(a, b)
open(sys.argv[2], "w").write(t)
PY
"$BIN" "$T/small.yaml" --all-points --db "$T/aref.db" --no-progress --hls-out "$T/a_hls" >/dev/null 2>&1 && ok ||
	bad "the single-process run with --all-points failed"
dump "$T/aref.db" "$T/aref.dump"
$MPIRUN -np 3 "$MPI" "$T/small.yaml" --all-points --db "$T/anp.db" --no-progress --hls-out "$T/a_hls" >/dev/null 2>"$T/err" &&
	ok || bad "3 ranks --all-points: $(head -c 300 "$T/err")"
same_dump "$T/anp.db" "$T/aref.dump" "3 ranks, every point stored"
[ "$(q "$T/anp.db" "SELECT count(*) FROM points")" -gt 1000 ] && ok || bad "--all-points stored few points"

# a shard on 2 ranks and one on a single process, merged
$MPIRUN -np 2 "$MPI" $CFG --shard 1/2 --db "$T/s1.db" --no-progress >"$T/s1.out" 2>"$T/err" && ok ||
	bad "a shard on 2 ranks: $(head -c 300 "$T/err")"
"$BIN" $CFG --shard 2/2 --db "$T/s2.db" --no-progress >/dev/null 2>&1 && ok || bad "shard 2/2 failed"
"$BIN" merge "$T/m.db" "$T/s1.db" "$T/s2.db" --no-progress --hls-out "$T/m_hls" >/dev/null 2>"$T/err" && ok ||
	bad "merge: $(cat "$T/err")"
same_dump "$T/m.db" "$T/ref.dump" "a shard on 2 ranks merged with one on 1"
diff -r "$T/ref_hls" "$T/m_hls" >/dev/null && ok || bad "merged shards: other HLS headers"

# Interruptions.  Each run is slowed down (a pause per chunk or per DES
# point, no figure changes) so that it can be caught part-way.
# start DB NP ENV: mpirun in the background, its pid in MP
start() {
	db=$1
	np=$2
	shift 2
	env "$@" $MPIRUN -np $np -x PDSWAP_CHUNK_DELAY_MS -x PDSWAP_DES_DELAY_MS "$MPI" $CFG --db "$db" --no-progress \
		--threads 1 --hls-out "$T/i_hls" >"$T/i.out" 2>"$T/i.err" &
	MP=$!
}
# finish DB NP WHAT: the database is consistent, and the same command on NP ranks resumes it to the straight rows
resume() {
	integrity "$1" "$3"
	$MPIRUN -np $2 "$MPI" $CFG --db "$1" --no-progress --threads 1 --hls-out "$T/r_hls" >"$T/r.out" 2>"$T/r.err" &&
		ok || bad "$3: resuming on $2 ranks: $(head -c 300 "$T/r.err")"
	grep -q ", resumed (" "$T/r.out" && ok || bad "$3: the run was not resumed: $(head -2 "$T/r.out")"
	[ "$(q "$1" "SELECT count(*) FROM runs")" = 1 ] && ok || bad "$3: the resumed run is not the first one"
	same_dump "$1" "$T/ref.dump" "$3, resumed on $2 ranks"
	diff -r "$T/ref_hls" "$T/r_hls" >/dev/null && ok || bad "$3: other HLS headers"
}

# SIGINT to mpirun while the chunks are evaluated: every rank gets SIGTERM
start "$T/int.db" 3 PDSWAP_CHUNK_DELAY_MS=30 PDSWAP_DES_DELAY_MS=0
wait_for "$T/int.db" "SELECT count(*) FROM chunks" 20 || bad "SIGINT: no chunks recorded"
kill -INT $MP
wait $MP
rc=$?
[ $rc != 0 ] && ok || bad "SIGINT: mpirun exited 0"
grep -q "interrupted by SIGTERM" "$T/i.err" && ok || bad "SIGINT: $(cat "$T/i.err")"
grep -q "to resume it, run the same command again: mpirun -np 3 $MPI $CFG --db $T/int.db" "$T/i.err" && ok ||
	bad "SIGINT: no resume command: $(cat "$T/i.err")"
[ "$(q "$T/int.db" "SELECT status FROM runs")" = interrupted ] && ok || bad "SIGINT: the run is not marked interrupted"
done_chunks=$(q "$T/int.db" "SELECT count(*) FROM chunks")
[ "$done_chunks" -lt "$NCH" ] && ok || bad "SIGINT: caught too late ($done_chunks of $NCH chunks)"
resume "$T/int.db" 2 "SIGINT to mpirun"

# SIGTERM to one rank only: it tells rank 0, which stops and saves
start "$T/term.db" 3 PDSWAP_CHUNK_DELAY_MS=30 PDSWAP_DES_DELAY_MS=0
wait_for "$T/term.db" "SELECT count(*) FROM chunks" 20 || bad "SIGTERM: no chunks recorded"
P=$(rank_pid $MP 2)
[ -n "$P" ] && kill -TERM "$P"
wait $MP
grep -q "rank 2 was interrupted by SIGTERM" "$T/i.err" && grep -q "interrupted by SIGTERM" "$T/i.err" && ok ||
	bad "SIGTERM to rank 2: $(cat "$T/i.err")"
[ "$(q "$T/term.db" "SELECT status FROM runs")" = interrupted ] && ok || bad "SIGTERM to rank 2: not marked interrupted"
resume "$T/term.db" 4 "SIGTERM to rank 2"

# kill -9 of a rank while the chunks are evaluated: mpirun ends the job
start "$T/k1.db" 3 PDSWAP_CHUNK_DELAY_MS=30 PDSWAP_DES_DELAY_MS=0
wait_for "$T/k1.db" "SELECT count(*) FROM chunks" 20 || bad "kill -9: no chunks recorded"
P=$(rank_pid $MP 1)
[ -n "$P" ] && kill -9 "$P" || bad "kill -9: no rank 1 found"
wait $MP
[ "$(q "$T/k1.db" "SELECT count(*) FROM chunks")" -lt "$NCH" ] && ok || bad "kill -9 of rank 1: caught too late"
resume "$T/k1.db" 4 "kill -9 of rank 1 (chunks)"

# kill -9 of a rank while the DES re-checks the fronts
start "$T/k2.db" 2 PDSWAP_CHUNK_DELAY_MS=0 PDSWAP_DES_DELAY_MS=40
wait_for "$T/k2.db" "SELECT count(*) FROM metrics WHERE source='des'" 1 || bad "kill -9 (DES): no DES rows"
P=$(rank_pid $MP 1)
[ -n "$P" ] && kill -9 "$P" || bad "kill -9 (DES): no rank 1 found"
wait $MP
[ "$(q "$T/k2.db" "SELECT count(*) FROM chunks")" = "$NCH" ] && ok || bad "kill -9 (DES): the chunks were not all done"
[ "$(q "$T/k2.db" "SELECT count(*) FROM chosen")" = 0 ] && ok || bad "kill -9 (DES): caught too late"
resume "$T/k2.db" 3 "kill -9 of rank 1 (DES)"

# kill -9 of rank 0, the writer: the last commit stays, the run stays 'running'
start "$T/k0.db" 3 PDSWAP_CHUNK_DELAY_MS=30 PDSWAP_DES_DELAY_MS=0
wait_for "$T/k0.db" "SELECT count(*) FROM chunks" 20 || bad "kill -9 of rank 0: no chunks recorded"
P=$(rank_pid $MP 0)
[ -n "$P" ] && kill -9 "$P" || bad "kill -9: no rank 0 found"
wait $MP
[ "$(q "$T/k0.db" "SELECT status FROM runs")" = running ] && ok || bad "kill -9 of rank 0: the run is not left running"
resume "$T/k0.db" 1 "kill -9 of rank 0"
# and a single process resumes what ranks began
start "$T/k3.db" 4 PDSWAP_CHUNK_DELAY_MS=30 PDSWAP_DES_DELAY_MS=0
wait_for "$T/k3.db" "SELECT count(*) FROM chunks" 20 || bad "no chunks recorded"
kill -INT $MP
wait $MP
"$BIN" $CFG --db "$T/k3.db" --no-progress --hls-out "$T/r_hls" >"$T/r.out" 2>&1 && grep -q ", resumed (" "$T/r.out" &&
	ok || bad "pdswap-dse did not resume a run of 4 ranks: $(head -3 "$T/r.out")"
same_dump "$T/k3.db" "$T/ref.dump" "a run of 4 ranks resumed by one process"

echo "mpi tests: $pass passed, $fail failed"
[ $fail = 0 ]
