#!/usr/bin/env bash
# The EUR view's cost: GET /api/v2/invoices/fr against GET /api/v2/invoices/en-us (untouched pass-through), on the same
# 25- and 100-item Strapi page from a fast stand-in, the gateway in Release, bounded wrk load; then the writer's own cost
# in process. Loopback only; every process started here is stopped by its PID on exit.
#
# The measured gateway runs with its response cache OFF (ResponseCache__Enabled=false): both routes name an output-cache
# policy in yarp.json, and with the cache on a load of one URL measures cache hits, not the transform. Optional extras,
# each its own gateway process and its own rows, never mixed into the main ratio:
#   CACHED=1        also the default configuration (cache on): routes en-us-cached / fr-cached, mostly cache hits
#   BASELINE=<ref>  also a gateway built from that commit (git archive, cache off): route fr-base, before/after in one run
# Each gateway puts its management port (Telemetry:ManagementUrl) on a free port, so several can run side by side.
#   bench/currency/run.sh [runs=5] [seconds=5] [connections=8]
set -euo pipefail
RUNS=${1:-5}; SECONDS_PER_RUN=${2:-5}; CONNECTIONS=${3:-8}
CACHED=${CACHED:-0}; BASELINE=${BASELINE:-}
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
if [ -n "$BASELINE" ]; then
  mkdir -p "$WORK/baseline-src"
  git -C "$ROOT" archive "$BASELINE" | tar -x -C "$WORK/baseline-src"
  dotnet publish "$WORK/baseline-src/Gateway/Gateway.csproj" -c Release --artifacts-path "$WORK/baseline-artifacts" \
    -o "$WORK/gateway-base" -v q -nologo >&2
fi

REDIS_PORT=$(free_port); STUB_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning >/dev/null & PIDS+=($!)
dotnet "$BENCH" stub "$STUB_PORT" & PIDS+=($!)
wait_http "http://127.0.0.1:$STUB_PORT/_health"
start_gateway() { # directory port cache-enabled
  (cd "$1" && exec env Urls="http://127.0.0.1:$2" Strapi__BaseUrl="http://127.0.0.1:$STUB_PORT/" \
    Strapi__Token=bench Access__RateLimits__StrapiReadsPerClient=100000 Frontend__BaseUrl="http://127.0.0.1:$STUB_PORT/" Redis__Configuration="127.0.0.1:$REDIS_PORT" \
    Currency__RateApi__BaseUrl="http://127.0.0.1:$STUB_PORT/" Logging__LogLevel__Default=Warning ResponseCache__Enabled="$3" Telemetry__ManagementUrl=http://127.0.0.1:0 \
    ReverseProxy__Routes__invoices-list__AuthorizationPolicy=anonymous ReverseProxy__Routes__invoices-fr__AuthorizationPolicy=anonymous \
    dotnet Gateway.dll >&2) & PIDS+=($!)   # its log to stderr, not the report
  wait_http "http://127.0.0.1:$2/healthz"
}
GATEWAY_PORT=$(free_port); start_gateway "$WORK/gateway" "$GATEWAY_PORT" false
ROUTES=(en-us fr)
if [ -n "$BASELINE" ]; then BASE_PORT=$(free_port); start_gateway "$WORK/gateway-base" "$BASE_PORT" false; ROUTES+=(fr-base); fi
if [ "$CACHED" = 1 ]; then CACHED_PORT=$(free_port); start_gateway "$WORK/gateway" "$CACHED_PORT" true; ROUTES+=(en-us-cached fr-cached); fi

url() { # route size
  case "$1" in
    en-us) echo "http://127.0.0.1:$GATEWAY_PORT/api/v2/invoices/en-us?pagination%5BpageSize%5D=$2" ;;
    fr) echo "http://127.0.0.1:$GATEWAY_PORT/api/v2/invoices/fr?pageSize=$2" ;;
    fr-base) echo "http://127.0.0.1:$BASE_PORT/api/v2/invoices/fr?pageSize=$2" ;;
    en-us-cached) echo "http://127.0.0.1:$CACHED_PORT/api/v2/invoices/en-us?pagination%5BpageSize%5D=$2" ;;
    fr-cached) echo "http://127.0.0.1:$CACHED_PORT/api/v2/invoices/fr?pageSize=$2" ;;
  esac
}
for size in 25 100; do for route in "${ROUTES[@]}"; do wrk -t1 -c"$CONNECTIONS" -d3s "$(url "$route" "$size")" >/dev/null; done; done
curl -fsS -o "$WORK/fr-25.json" "$(url fr 25)" && head -c 300 "$WORK/fr-25.json" >&2; echo >&2   # (curl into head: a pipe closed early fails it under pipefail)
for route in "${ROUTES[@]}"; do # the cache's own header says whether the measured gateway really forwards every request
  printf '%-13s %s\n' "$route" "$(curl -fsS -o /dev/null -D - "$(url "$route" 25)" | tr -d '\r' | grep -i '^cache-status:' || echo 'no Cache-Status (cache off)')" >&2
done

RESULTS="$WORK/runs.tsv"
for run in $(seq 1 "$RUNS"); do
  for size in 25 100; do
    for route in "${ROUTES[@]}"; do
      out=$(wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$(url "$route" "$size")")
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
routes = list(dict.fromkeys(r[2] for r in rows))
runs = sorted({r[0] for r in rows})
print("items  route          req/s(median)  p50 ms  p99 ms   (runs: %d; en-us/fr/fr-base: response cache off)" % len(runs))
for size in ("25", "100"):
    med = {}
    for route in routes:
        sel = [r for r in rows if r[1] == size and r[2] == route]
        rps = statistics.median(float(r[3]) for r in sel)
        p50 = statistics.median(ms(r[4]) for r in sel); p99 = statistics.median(ms(r[5]) for r in sel)
        med[route] = (rps, p50)
        print("%5s  %-13s  %13.0f  %6.2f  %6.2f" % (size, route, rps, p50, p99))
    pair = lambda run, route: next(r for r in rows if r[0] == run and r[1] == size and r[2] == route)
    for route, plain in (("fr", "en-us"), ("fr-base", "en-us"), ("fr-cached", "en-us-cached")):
        if route not in routes: continue
        a, b = med[plain], med[route]
        # Paired within each run (the routes measured back to back), which cancels most of a shared machine's drift.
        tput = statistics.median(float(pair(n, route)[3]) / float(pair(n, plain)[3]) for n in runs)
        extra = statistics.median(ms(pair(n, route)[4]) - ms(pair(n, plain)[4]) for n in runs)
        print("%5s  %s/%s: paired per run (median) throughput x%.2f, p50 %+.2f ms; ratio of medians x%.2f"
              % (size, route, plain, tput, extra, b[0] / a[0]))
PY

echo "writer alone, in process (median of 7 runs of 1 s):"
dotnet "$BENCH" micro 7 1000
