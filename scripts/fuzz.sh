#!/usr/bin/env bash
# make fuzz: runs every Go fuzz target in the module for DURATION each
# (default 60s): go test -run='^$' -fuzz='^Name$' -fuzztime=DURATION ./pkg.
# The plain `go test` (make check) runs only their seed corpora. A failure
# leaves the crashing input in the package's testdata/fuzz/Name/ and is
# reported at the end; every target runs regardless. Minimization is
# capped: the ELF seeds are large and Go's default (60s per new input)
# makes progress stall.
set -u
cd "$(dirname "$0")/.."
GO=${GO:-go}
duration=${1:-60s}

targets=$(grep -rlE --include='*_test.go' '^func Fuzz[A-Z0-9_][A-Za-z0-9_]*\(' . |
	while read -r f; do
		pkg="./$(dirname "${f#./}")"
		grep -oE '^func Fuzz[A-Za-z0-9_]+\(' "$f" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/' |
			while read -r name; do echo "$pkg $name"; done
	done | sort -u)
if [ -z "$targets" ]; then
	echo "fuzz: no Fuzz functions in the module"
	exit 0
fi

failed=()
n=0
while read -r pkg name; do
	n=$((n + 1))
	echo "=== $pkg $name ($duration)"
	if ! $GO test -run='^$' -fuzz="^${name}\$" -fuzztime="$duration" -fuzzminimizetime=5s "$pkg"; then
		failed+=("$pkg $name")
	fi
done <<<"$targets"

if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: ${#failed[@]} of $n targets failed:"
	printf '  %s\n' "${failed[@]}"
	exit 1
fi
echo "fuzz: $n targets ran for $duration each, no failure"
