#!/bin/sh
# csim.sh BUILD - `make hls-csim`: the HLS side end to end.
#
#   1. headers for several design points: the config's named designs (two of
#      them with a set of modules) and a point stored in a results database
#      (through pdswap-dse emit-hls), the point a sweep chose when there is
#      one, and the edge points of csim_points.c; each named design is
#      emitted twice and must come out byte-identical;
#   2. per point: the headers alone compile as pedantic C11; the kernels
#      compile with $HLS_CFLAGS (gcc -Wall -Wextra -Werror
#      -Wno-unknown-pragmas); every `#pragma HLS` line, after
#      preprocessing, passes the UG1399 syntax check; the C-simulation test
#      bench passes (results against references, cycles against the model);
#      and for a point of several modules the same again for every module,
#      its kernels built with -DPDS_RM_HEADER='"pds_rmK.h"' and tested on the
#      engines it holds;
#   3. the syntax check rejects every bad line of tests/hls_bad_pragmas.c;
#   4. sim/hw/hls.tcl names source files and top functions that exist, the
#      config's part, and a clock macro the headers define.
#
# Environment: CC, HLS_CFLAGS, HLS_LIBS (set by the Makefile).
set -u
B=${1:?usage: csim.sh BUILD}
CC=${CC:-gcc}
HLS_CFLAGS=${HLS_CFLAGS:--std=c11 -Wall -Wextra -Werror -Wno-unknown-pragmas -O2}
HLS_LIBS=${HLS_LIBS:-}
CFG=configs/kv260.yaml
BIN=$B/pdswap-dse
H=$B/hls
KERNELS="tlmm attn_prefill attn_decode"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "hls-csim FAIL: $*"; }

rm -rf "$H/points" "$H/again" "$H/results.db" "$H/results.db-wal" "$H/results.db-shm"
mkdir -p "$H/points" "$H/again"

# 1. design points
for d in tellme pdswap pdswap_ctx hybrid_rp; do
	if "$BIN" emit-hls "$CFG" --design "$d" --out "$H/points/$d" >/dev/null; then ok; else bad "emit-hls --design $d"; fi
	"$BIN" emit-hls "$CFG" --design "$d" --out "$H/again/$d" >/dev/null
	if diff -r "$H/points/$d" "$H/again/$d" >/dev/null; then ok; else bad "two emissions of '$d' differ"; fi
done
if "$BIN" "$CFG" --db "$H/results.db" --no-progress --hls-out "$H/job" >/dev/null; then ok
else bad "pdswap-dse $CFG --db $H/results.db"; fi
# a stored point other than the chosen one: the first of the sweep's front
pt=$(sqlite3 "$H/results.db" "SELECT min(point_id) FROM pareto WHERE run_id = 1")
if "$BIN" emit-hls "$CFG" --point "$pt" --db "$H/results.db" --out "$H/points/stored_point" >/dev/null; then ok
else bad "emit-hls --point $pt"; fi
if "$BIN" emit-hls "$CFG" --design best --db "$H/results.db" --out "$H/points/chosen" >/dev/null 2>"$H/chosen.err"; then
	ok
	echo "hls-csim: the point the sweep chose is included"
elif grep -q "has chosen a design" "$H/chosen.err"; then
	echo "hls-csim: no sweep of $CFG has chosen a point in $H/results.db; the chosen point is not included"
else
	bad "emit-hls --design best: $(cat "$H/chosen.err")"
fi
if "$H/csim_points" "$CFG" "$H/points" >/dev/null; then ok; else bad "csim_points (edge points)"; fi

# 2. per point
for dir in "$H"/points/*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	cfg=$CFG
	[ -f "$dir/config.yaml" ] && cfg=$dir/config.yaml
	printf '#include "pds_static.h"\n#include "pds_prefill.h"\n#include "pds_decode.h"\nint main(void)\n{\n\treturn PDS_TLMM_T > 0 && PDS_PRE_NPE > 0 && PDS_DEC_LANES > 0 ? 0 : 1;\n}\n' >"$dir/headers_only.c"
	if $CC -std=c11 -pedantic -Wall -Wextra -Werror -Wno-unknown-pragmas -I"$dir" "$dir/headers_only.c" \
		-o "$dir/headers_only" && "$dir/headers_only"; then ok; else bad "$name: the headers alone do not compile"; fi
	for k in $KERNELS; do
		if $CC -std=c11 -Wno-unknown-pragmas -I"$dir" -Isim/hw -E "sim/hw/$k.c" -o "$dir/$k.i" &&
			$CC -std=c11 -Wno-unknown-pragmas -I"$dir" -Isim/hw -dM -E "sim/hw/$k.c" >"$dir/$k.macros" &&
			"$H/pragma_lint" "$dir/$k.macros" "$dir/$k.i" >"$dir/$k.lint"; then
			ok
		else
			bad "$name: pragma lines of $k"
			cat "$dir/$k.lint"
		fi
	done
	if $CC $HLS_CFLAGS -I"$dir" -Isim/hw -I. -Idse -o "$dir/csim_tb" sim/hw/csim_tb.c sim/hw/tlmm.c \
		sim/hw/attn_prefill.c sim/hw/attn_decode.c "$B/libpdswap.a" $HLS_LIBS; then ok
	else bad "$name: the kernels do not build"; continue; fi
	if "$dir/csim_tb" "$cfg" "$name"; then ok; else bad "$name: C simulation"; fi
	# every module of a set: its own kernels, their pragmas and their C simulation
	for rmh in "$dir"/pds_rm*.h; do
		[ -f "$rmh" ] || continue
		rm=$(basename "$rmh" .h)
		def="-DPDS_RM_HEADER=\"$rm.h\""
		printf '#include "%s.h"\n#include "pds_static.h"\n#include "pds_prefill.h"\n#include "pds_decode.h"\nint main(void)\n{\n\treturn PDS_RM_INDEX >= 0 && PDS_PRE_NPE > 0 && PDS_DEC_LANES > 0 ? 0 : 1;\n}\n' "$rm" >"$dir/${rm}_only.c"
		if $CC -std=c11 -pedantic -Wall -Wextra -Werror -Wno-unknown-pragmas -I"$dir" "$dir/${rm}_only.c" \
			-o "$dir/${rm}_only" && "$dir/${rm}_only"; then ok; else bad "$name/$rm: the header does not compile"; fi
		for k in attn_prefill attn_decode; do
			if $CC -std=c11 -Wno-unknown-pragmas "$def" -I"$dir" -Isim/hw -E "sim/hw/$k.c" -o "$dir/$rm.$k.i" &&
				$CC -std=c11 -Wno-unknown-pragmas "$def" -I"$dir" -Isim/hw -dM -E "sim/hw/$k.c" >"$dir/$rm.$k.macros" &&
				"$H/pragma_lint" "$dir/$rm.$k.macros" "$dir/$rm.$k.i" >"$dir/$rm.$k.lint"; then
				ok
			else
				bad "$name/$rm: pragma lines of $k"
				cat "$dir/$rm.$k.lint"
			fi
		done
		if $CC $HLS_CFLAGS "$def" -I"$dir" -Isim/hw -I. -Idse -o "$dir/csim_tb_$rm" sim/hw/csim_tb.c sim/hw/tlmm.c \
			sim/hw/attn_prefill.c sim/hw/attn_decode.c "$B/libpdswap.a" $HLS_LIBS; then ok
		else bad "$name/$rm: the kernels do not build"; continue; fi
		if "$dir/csim_tb_$rm" "$cfg" "$name"; then ok; else bad "$name/$rm: C simulation"; fi
	done
done

# 3. the syntax check must reject what it should
want=$(grep -c '/\* BAD' tests/hls_bad_pragmas.c)
$CC -std=c11 -E tests/hls_bad_pragmas.c -o "$H/bad.i" && $CC -std=c11 -dM -E tests/hls_bad_pragmas.c >"$H/bad.macros"
"$H/pragma_lint" "$H/bad.macros" "$H/bad.i" >"$H/bad.lint"
rc=$?
got=$(sed -n 's/^pragma_lint: [0-9]* lines checked, \([0-9]*\) invalid$/\1/p' "$H/bad.lint")
if [ "$rc" = 1 ] && [ "$got" = "$want" ]; then ok
else bad "pragma_lint on tests/hls_bad_pragmas.c: exit $rc, $got invalid lines, want exit 1 and $want"; cat "$H/bad.lint"; fi

# 4. hls.tcl
tcl=sim/hw/hls.tcl
n=0
for pair in $(sed -n '/^set kernels {/,/^}/p' "$tcl" | awk 'NF == 2 { print $1 ":" $2 }'); do
	top=${pair%%:*}
	src=${pair#*:}
	n=$((n + 1))
	if [ -f "$src" ] && grep -q "^void $top(" "$src"; then ok; else bad "$tcl: '$src' does not define top function '$top'"; fi
done
for k in $KERNELS; do
	if grep -q "^ *$k  *sim/hw/$k.c$" "$tcl"; then ok; else bad "$tcl does not synthesise $k"; fi
done
part=$(sed -n 's/^ *part: *\([^ #]*\).*/\1/p' "$CFG")
if grep -q "^set part $part\$" "$tcl"; then ok; else bad "$tcl does not target the config's part '$part'"; fi
if grep -q 'PDS_CLOCK_MHZ' "$tcl" && grep -q '^#define PDS_CLOCK_MHZ ' "$H/points/pdswap/pds_common.h"; then ok
else bad "$tcl reads a clock macro the headers do not define"; fi
if [ -f "$H/points/pdswap/pds_common.h" ] && grep -q 'hdr sim/hw/generated' "$tcl"; then ok
else bad "$tcl does not default to sim/hw/generated"; fi

echo "hls-csim: $pass passed, $fail failed"
[ "$fail" = 0 ]
