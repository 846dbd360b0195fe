#!/usr/bin/env bash
# make bench: captrace against native runs and strace, side by side, on the
# bench victims (testdata/victims/bench_*.c). Prints the table that
# docs/performance.md keeps. Installs strace and GNU time when missing
# (apt-get, as root). Usage: scripts/bench.sh [benchrun flags], e.g.
# scripts/bench.sh -reps=3 -mem=10000,100000
set -eu
cd "$(dirname "$0")/.."
GO=${GO:-go}
CC=${CC:-gcc}

missing=()
command -v strace >/dev/null 2>&1 || missing+=(strace)
[ -x /usr/bin/time ] || missing+=(time)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing: ${missing[*]}" >&2
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	else
		echo "bench: missing ${missing[*]} (apt-get install ${missing[*]})" >&2
		exit 1
	fi
fi

out=build/bench
mkdir -p "$out"
$GO build -o bin/captrace ./cmd/captrace
for v in bench_allowed bench_violations bench_stops; do
	$CC -O2 -g -fomit-frame-pointer -o "$out/$v" "testdata/victims/$v.c"
done
$GO build -o "$out/benchrun" ./internal/benchrun
# Measure captrace as make install puts it: a copy, written front to back
# (as dpkg wrote strace). The Go linker writes its output through a memory
# mapping, and here the same bytes start about 1.2 ms slower from the
# linker's file than from a copy of it (docs/performance.md, "Start-up,
# second round").
install -m 0755 bin/captrace "$out/captrace"

# Pin to the second CPU when there is one (CPU 0 takes most interrupts).
cpu=1
[ "$(nproc)" -gt 1 ] || cpu=0
exec "$out/benchrun" -captrace="$out/captrace" -victims="$out" -cpu="$cpu" "$@"
