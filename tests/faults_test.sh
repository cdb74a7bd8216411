#!/bin/sh
# faults_test.sh - the faults of results.db that need the file system's
# help, run on the real pdswap-dse:
#   - a read-only results directory and a read-only database file: exit 1,
#     the path and the cause named, nothing created or changed;
#   - a real full file system part-way through a sweep: exit 1, the cause
#     named, the run committed before intact, and the interrupted run
#     resumed to the rows of a straight run once there is room.
#
# Read-only, and why each way: permission bits stop other users but not
# root (CAP_DAC_OVERRIDE), and these tests often run as root.  So:
#   - as any user, `chmod 0555` of the directory (0444 of the file) is
#     tried under `setpriv --bounding-set -dac_override,...`, which runs the
#     binary as root without the capabilities that bypass the bits (as a
#     user, setpriv changes nothing and the bits apply anyway);
#   - as root with CAP_SYS_ADMIN, a read-only bind mount of the directory
#     in a private mount namespace (unshare -m, or in a chroot, whose root
#     cannot change propagation, unshare -m --propagation unchanged):
#     EROFS, which no capability bypasses;
#   - as root on ext4, `chattr +i` of the database file (immutable, EPERM).
# Each way that this machine allows is run and named in the output; one
# that it does not allow is named as not run, with the reason.  At least
# one way must run, or the test fails.
#
# A full file system: a tmpfs of a few MB in a private mount namespace
# (root with CAP_SYS_ADMIN).  Where it cannot be mounted this says so;
# tests/check_faults.c covers the same path everywhere with the size cap
# hook PDSWAP_TEST_DB_GROW_PAGES.
set -u
BIN=${PDSWAP_BIN:-build/pdswap-dse}
T=$(mktemp -d)
trap 'chattr -i "$T"/ro/*.db 2>/dev/null; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
pass=0
fail=0
ran=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# a sanitizer report (make asan) must not hide behind an expected exit code
nosan() { ! grep -q "Sanitizer\|runtime error:" "$@" && ok || bad "sanitizer report: $(cat "$@")"; }

# the small space of tests/check_faults.c (5120 points, 48 chunks)
sed -e 's/^  tlmm_lanes: \[4, 6, 8, 10, 12\]/  tlmm_lanes: [8, 12]/' \
    -e 's/^  prefill_pe: \[4, 8, 16, 24, 32\]/  prefill_pe: [8, 16]/' \
    -e 's/^  prefill_lanes: \[2, 4, 8\]/  prefill_lanes: [4, 8]/' \
    -e 's/^  prefill_block: \[1, 4, 16\]/  prefill_block: [1, 16]/' \
    -e 's/^  decode_lanes: \[8, 16, 32, 48\]/  decode_lanes: [16, 32]/' \
    -e '/^  rm_sets: /d' -e '/^  rm_modules:$/,/^$/{/^$/!d}' configs/kv260.yaml >"$T/small.yaml"
# (the paper's pair alone, as there: the faults are those of any sweep)
grep -q "rm_sets\|rm_modules" "$T/small.yaml" && bad "the small space still has sets of modules" || ok
CFG=$T/small.yaml

# A run's rows without run_id, timestamps, threads and path: equal output, equal figures.
dump_run() {
	python3 - "$1" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
run = int(sys.argv[2])
q = ["points ORDER BY point_id", "metrics ORDER BY point_id, source, length", "pareto ORDER BY point_id",
     "chosen", "best ORDER BY mode", "chunks ORDER BY chunk_id", "sweeps"]
for t in q:
    name, _, order = t.partition(" ")
    cur = db.execute("SELECT * FROM %s WHERE run_id = ? %s" % (name, order), (run,))
    cols = [d[0] for d in cur.description]
    for row in cur:
        print(name, [repr(v) for c, v in zip(cols, row) if c != "run_id"])
print(db.execute("SELECT config_sha256, kind, status, n_points, n_feasible FROM runs WHERE run_id = ?",
                 (run,)).fetchall())
PY
}

# a listing of a directory with sizes, modes and checksums: "nothing changed"
state() { (cd "$1" && ls -la --time-style=+ . | awk '{print $1, $5, $NF}' && sha256sum ./* 2>/dev/null); }

# -------------------------------------------------------------- read-only
mkdir -p "$T/ro"
"$BIN" "$CFG" --db "$T/ro/r.db" --no-progress --hls-out "$T/hls" >/dev/null 2>"$T/err" || bad "setting up: $(cat "$T/err")"
runs_before=$(sqlite3 "$T/ro/r.db" "SELECT run_id, status FROM runs")

# ro_case WAY CAUSE: WAY runs a command with the directory (and, for the
# file case, r.db) read-only; CAUSE is the errno text expected.
ro_case() {
	cause=$2 what=$3
	before=$(state "$T/ro")
	# a new database in the read-only directory
	$1 "$BIN" "$CFG" --db "$T/ro/new.db" --no-progress --hls-out "$T/hls" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 1 ] && ok || bad "$what, new database: exit $rc, want 1: $(cat "$T/err")"
	grep -q "^pdswap-dse: $T/ro/new.db: cannot create files in its directory '$T/ro': $cause" "$T/err" && ok ||
		bad "$what, new database: $(cat "$T/err")"
	[ ! -e "$T/ro/new.db" ] && ok || bad "$what: a database was created"
	# the existing database, whose directory takes no -wal, -shm or .lock
	$1 "$BIN" "$CFG" --db "$T/ro/r.db" --no-progress --hls-out "$T/hls" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 1 ] && ok || bad "$what, existing database: exit $rc, want 1: $(cat "$T/err")"
	grep -q "^pdswap-dse: $T/ro/r.db: cannot .*: $cause" "$T/err" && ok || bad "$what, existing database: $(cat "$T/err")"
	nosan "$T/err"
	[ "$(state "$T/ro")" = "$before" ] && ok || bad "$what: the directory changed"
	[ "$(sqlite3 "$T/ro/r.db" "SELECT run_id, status FROM runs")" = "$runs_before" ] && ok || bad "$what: the runs changed"
	ran=$((ran + 1))
	echo "faults: read-only results directory tested by $what"
}

# 1. permission bits, with the capabilities that bypass them absent (a
# user) or dropped (root, under setpriv)
way=skip
if [ "$(id -u)" != 0 ]; then
	way="" desc="not root"
elif command -v setpriv >/dev/null 2>&1 &&
	setpriv --bounding-set -dac_override,-dac_read_search,-fowner true 2>/dev/null; then
	nocap() { setpriv --bounding-set -dac_override,-dac_read_search,-fowner "$@"; }
	way=nocap desc="root under setpriv, without CAP_DAC_OVERRIDE"
else
	echo "faults: chmod not run: root bypasses it and setpriv cannot drop capabilities here"
fi
if [ "$way" != skip ]; then
	chmod 0555 "$T/ro"
	ro_case "$way" "Permission denied" "chmod 0555 ($desc)"
	chmod 0755 "$T/ro"
	# a read-only database file in a writable directory
	chmod 0444 "$T/ro/r.db"
	sum=$(sha256sum "$T/ro/r.db")
	$way "$BIN" "$CFG" --db "$T/ro/r.db" --no-progress --hls-out "$T/hls" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 1 ] && grep -q "^pdswap-dse: $T/ro/r.db: cannot write to the database file: Permission denied; it is left as it was" "$T/err" &&
		ok || bad "read-only database file: exit $rc: $(cat "$T/err")"
	[ "$(sha256sum "$T/ro/r.db")" = "$sum" ] && [ ! -e "$T/ro/r.db-wal" ] && ok || bad "read-only database file: changed"
	chmod 0644 "$T/ro/r.db"
	echo "faults: read-only database file tested by chmod 0444 ($desc)"
fi

# A private mount namespace: `unshare -m`, or, where the root file system's
# propagation cannot be changed (a chroot), `unshare -m --propagation
# unchanged`; ns_why keeps the real reason when neither works.
NS="" ns_why="needs root with CAP_SYS_ADMIN"
mkdir -p "$T/ns_probe"
if [ "$(id -u)" = 0 ]; then
	for flags in "-m" "-m --propagation unchanged"; do
		if why=$(unshare $flags sh -c "mount -t tmpfs tmpfs '$T/ns_probe'" 2>&1); then
			NS="unshare $flags"
			break
		fi
		ns_why="unshare $flags: $(echo "$why" | head -n 1)"
	done
fi

# 2. a read-only bind mount (root with CAP_SYS_ADMIN)
if [ -n "$NS" ] && $NS sh -c "mount --bind '$T/ro' '$T/ro' && mount -o remount,bind,ro '$T/ro'" 2>/dev/null; then
	romount() { $NS sh -c 'd=$1; shift; mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" && exec "$@"' sh "$T/ro" "$@"; }
	ro_case romount "Read-only file system" "a read-only bind mount ($NS)"
else
	echo "faults: read-only bind mount not run: ${NS:+$NS cannot bind-mount read-only here}${NS:-$ns_why}"
fi

# 3. an immutable database file (root on ext4 and the like)
if [ "$(id -u)" = 0 ] && chattr +i "$T/ro/r.db" 2>/dev/null; then
	sum=$(sha256sum "$T/ro/r.db")
	"$BIN" "$CFG" --db "$T/ro/r.db" --no-progress --hls-out "$T/hls" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 1 ] && grep -q "^pdswap-dse: $T/ro/r.db: cannot write to the database file: Operation not permitted; it is left as it was" "$T/err" &&
		ok || bad "immutable database file: exit $rc: $(cat "$T/err")"
	chattr -i "$T/ro/r.db"
	[ "$(sha256sum "$T/ro/r.db")" = "$sum" ] && ok || bad "immutable database file: changed"
	echo "faults: read-only database file tested by chattr +i"
else
	echo "faults: chattr +i not run: needs root on a file system with immutable files"
fi
[ $ran -ge 1 ] && ok || bad "no way to make a directory read-only could be run here"

# ------------------------------------------------------ a full file system
# a run committed on disk, then a second run of the same config in a
# tmpfs with room for about half of it
"$BIN" "$CFG" --db "$T/one.db" --all-points --no-progress --hls-out "$T/hls" >/dev/null 2>"$T/err" || bad "setting up: $(cat "$T/err")"
mkdir -p "$T/full"
size=$(( $(stat -c %s "$T/one.db") + 1200 * 1024 ))
if [ -n "$NS" ] && $NS sh -c "mount -t tmpfs -o size=$size tmpfs '$T/full'" 2>/dev/null; then
	$NS sh -s "$T" "$BIN" "$CFG" "$size" <<'SH'
T=$1 BIN=$2 CFG=$3 size=$4
mount -t tmpfs -o size="$size" tmpfs "$T/full" || exit 1
cp "$T/one.db" "$T/full/r.db"
"$BIN" "$CFG" --db "$T/full/r.db" --all-points --no-progress --hls-out "$T/hls" >/dev/null 2>"$T/full.err"
echo $? >"$T/full.rc"
df -k "$T/full" | awk 'NR == 2 {print $4}' >"$T/full.avail"
mkdir "$T/after" && cp "$T/full/"r.db* "$T/after/"
# room again: the same command resumes it
mount -o remount,size=64m "$T/full"
"$BIN" "$CFG" --db "$T/full/r.db" --all-points --no-progress --hls-out "$T/hls" >"$T/resume.out" 2>"$T/resume.err"
echo $? >"$T/resume.rc"
mkdir "$T/resumed" && cp "$T/full/"r.db* "$T/resumed/"
SH
	[ "$(cat "$T/full.rc")" = 1 ] && ok || bad "disk full: exit $(cat "$T/full.rc"), want 1: $(cat "$T/full.err")"
	nosan "$T/full.err" "$T/resume.err"
	grep -q "^pdswap-dse: $T/full/r.db: .*full" "$T/full.err" && ok || bad "disk full: the cause is not named: $(cat "$T/full.err")"
	grep -q "^pdswap-dse: run 2 in $T/full/r.db stopped after [0-9]* of 48 chunks" "$T/full.err" &&
		grep -q "^pdswap-dse: to resume it, run the same command again: $BIN $CFG --db $T/full/r.db --all-points" "$T/full.err" &&
		ok || bad "disk full: no resume line: $(cat "$T/full.err")"
	[ "$(cat "$T/full.avail")" -lt 64 ] && ok || bad "disk full: the file system was not full ($(cat "$T/full.avail") KiB left)"
	# what it left: whole, run 1 as before, run 2 part-way with its chunks' points
	a=$T/after/r.db
	[ "$(sqlite3 "$a" "PRAGMA integrity_check")" = ok ] && ok || bad "disk full: integrity_check failed"
	[ "$(dump_run "$a" 1)" = "$(dump_run "$T/one.db" 1)" ] && ok || bad "disk full: run 1 changed"
	n=$(sqlite3 "$a" "SELECT count(*) FROM chunks WHERE run_id = 2")
	[ "$n" -gt 0 ] && [ "$n" -lt 48 ] && ok || bad "disk full: run 2 holds $n of 48 chunks"
	[ "$(sqlite3 "$a" "SELECT count(*) FROM points WHERE run_id = 2 AND design_name IS NULL")" = \
	  "$(sqlite3 "$a" "SELECT sum(n_points) FROM chunks WHERE run_id = 2")" ] && ok || bad "disk full: run 2 is not whole"
	# resumed: the rows of a straight run (run 1, same config)
	r=$T/resumed/r.db
	[ "$(cat "$T/resume.rc")" = 0 ] && grep -q "run 2 in $T/full/r.db, resumed" "$T/resume.out" && ok ||
		bad "disk full: the resume failed: $(cat "$T/resume.err")"
	[ "$(dump_run "$r" 2)" = "$(dump_run "$r" 1)" ] && [ "$(dump_run "$r" 1 | wc -l)" -gt 1000 ] && ok ||
		bad "disk full: the resumed run differs from a straight run"
	echo "faults: a full file system tested on a tmpfs of $size bytes"
else
	echo "faults: full tmpfs not run: ${NS:+$NS cannot mount a tmpfs here}${NS:-$ns_why};" \
	     "the full database is tested with PDSWAP_TEST_DB_GROW_PAGES in tests/check_faults.c"
fi

echo "faults tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
