#!/usr/bin/env bash
# Instructions per page of the shipped writer, of the baseline (CurrencyViewWriterBaseline) and of tokenizing only, counted by
# valgrind --tool=callgrind on the bench's loop mode at two page counts: the difference cancels start-up and JIT.
# A second witness next to the timings, which a shared, busy machine disturbs and instruction counts it barely does.
# The JIT runs without tiering (DOTNET_TieredCompilation=0: optimized code from the first call, no PGO), so the counts
# repeat; absolute numbers differ a little from the tiered, PGO'd code that the timings measure. About a minute per count.
#   bench/currency/instructions.sh [pages=500]
set -euo pipefail
PAGES=${1:-500}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/currency-instr.XXXXXX); trap 'rm -rf "$WORK"' EXIT
dotnet build "$HERE/Currency.Bench.csproj" -c Release --artifacts-path "$WORK/artifacts" -v q -nologo >&2
BENCH="$WORK/artifacts/bin/Currency.Bench/release/Currency.Bench.dll"
count() { # items pages writer
  DOTNET_TieredCompilation=0 valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.$1.$2.$3" dotnet "$BENCH" loop "$@" 2>&1 >/dev/null \
    | awk '/Collected/ {print $4}'
}
echo "items  writer    instructions/page"
for items in 25 100; do
  for writer in read baseline view; do
    small=$(count "$items" 10 "$writer") large=$(count "$items" $((PAGES + 10)) "$writer")
    printf '%5s  %-8s  %17d\n' "$items" "$writer" $(( (large - small) / PAGES ))
  done
done
