#!/usr/bin/env bash
# The EUR view's cost: GET /api/v2/invoices/fr against GET /api/v2/invoices/en-us (untouched pass-through), on the same
# 25- and 100-item Strapi page from a fast stand-in, the gateway in Release, bounded wrk load; then the writer's own cost
# in process. Loopback only; every process started here is stopped by its PID on exit.
#   bench/currency/run.sh [runs=5] [seconds=5] [connections=8]
set -euo pipefail
RUNS=${1:-5}; SECONDS_PER_RUN=${2:-5}; CONNECTIONS=${3:-8}
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/currency-bench.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 150); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done; echo "no answer from $1" >&2; return 1; }

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
echo "building (Release, artifacts in $WORK)…" >&2
dotnet publish "$ROOT/Gateway/Gateway.csproj" -c Release --artifacts-path "$WORK/artifacts" -o "$WORK/gateway" -v q -nologo >&2
dotnet build "$HERE/Currency.Bench.csproj" -c Release --artifacts-path "$WORK/artifacts" -v q -nologo >&2
BENCH="$WORK/artifacts/bin/Currency.Bench/release/Currency.Bench.dll"

REDIS_PORT=$(free_port); STUB_PORT=$(free_port); GATEWAY_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning >/dev/null & PIDS+=($!)
dotnet "$BENCH" stub "$STUB_PORT" & PIDS+=($!)
wait_http "http://127.0.0.1:$STUB_PORT/_health"
(cd "$WORK/gateway" && exec env Urls="http://127.0.0.1:$GATEWAY_PORT" Strapi__BaseUrl="http://127.0.0.1:$STUB_PORT/" \
  Strapi__Token=bench Frontend__BaseUrl="http://127.0.0.1:$STUB_PORT/" Redis__Configuration="127.0.0.1:$REDIS_PORT" \
  Currency__RateApi__BaseUrl="http://127.0.0.1:$STUB_PORT/" Logging__LogLevel__Default=Warning \
  ReverseProxy__Routes__invoices-list__AuthorizationPolicy=anonymous ReverseProxy__Routes__invoices-fr__AuthorizationPolicy=anonymous \
  dotnet Gateway.dll >&2) & PIDS+=($!)   # its log to stderr, not the report
wait_http "http://127.0.0.1:$GATEWAY_PORT/healthz"

GW="http://127.0.0.1:$GATEWAY_PORT"
url() { # route size
  if [ "$1" = fr ]; then echo "$GW/api/v2/invoices/fr?pageSize=$2"; else echo "$GW/api/v2/invoices/en-us?pagination%5BpageSize%5D=$2"; fi
}
for size in 25 100; do for route in en-us fr; do wrk -t1 -c"$CONNECTIONS" -d3s "$(url $route $size)" >/dev/null; done; done
curl -fs "$(url fr 25)" | head -c 300 >&2; echo >&2

RESULTS="$WORK/runs.tsv"
for run in $(seq 1 "$RUNS"); do
  for size in 25 100; do
    for route in en-us fr; do
      out=$(wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$(url $route $size)")
      rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
      p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
      errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$size" "$route" "$rps" "$p50" "$p99" | tee -a "$RESULTS" >&2
      [ -z "$errors" ] || echo "  $errors" >&2
    done
  done
done

python3 - "$RESULTS" <<'PY'
import sys, statistics
def ms(v):
    for unit, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if v.endswith(unit): return float(v[:-len(unit)]) * f
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
print("items  route   req/s(median)  p50 ms  p99 ms   (runs: %d)" % len({r[0] for r in rows}))
med = {}
for size in ("25", "100"):
    for route in ("en-us", "fr"):
        sel = [r for r in rows if r[1] == size and r[2] == route]
        rps = statistics.median(float(r[3]) for r in sel)
        p50 = statistics.median(ms(r[4]) for r in sel); p99 = statistics.median(ms(r[5]) for r in sel)
        med[size, route] = (rps, p50)
        print("%5s  %-6s  %13.0f  %6.2f  %6.2f" % (size, route, rps, p50, p99))
    a, b = med[size, "en-us"], med[size, "fr"]
    print("%5s  fr/en-us of the medians: throughput x%.2f, p50 latency x%.2f (+%.2f ms)" % (size, b[0] / a[0], b[1] / a[1], b[1] - a[1]))
    # Paired within each run (both routes measured back to back), which cancels most of a shared machine's drift.
    runs = sorted({r[0] for r in rows})
    pair = lambda run, route: next(r for r in rows if r[0] == run and r[1] == size and r[2] == route)
    tput = statistics.median(float(pair(n, "fr")[3]) / float(pair(n, "en-us")[3]) for n in runs)
    extra = statistics.median(ms(pair(n, "fr")[4]) - ms(pair(n, "en-us")[4]) for n in runs)
    print("%5s  fr/en-us paired per run (median): throughput x%.2f, p50 +%.2f ms" % (size, tput, extra))
PY

echo "writer alone, in process (median of 7 runs of 1 s):"
dotnet "$BENCH" micro 7 1000
