#!/usr/bin/env bash
# What telemetry costs: the same proxied page (GET /api/v2/invoices/en-us from a fast Strapi-shaped stand-in) through
# three gateways started side by side from one Release build: telemetry off (Telemetry__Enabled=false), on as in
# production (traces sampled parent-based at 10 %, every metric, Prometheus scraped every 5 s), and on with every trace
# sampled. No OTLP collector: sampled spans are recorded and dropped, so export is not counted. Measured in turns
# (off, on, all, off, …) so the shared machine's drift hits each alike; medians and ratios per turn.
# Loopback only; every process started here is stopped by its PID on exit.
#   bench/telemetry/run.sh [runs=5] [seconds=5] [connections=32] [warmup=10]
set -euo pipefail
RUNS=${1:-5}; SECONDS_PER_RUN=${2:-5}; CONNECTIONS=${3:-32}; WARMUP=${4:-10}
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/telemetry-bench.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 150); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done; echo "no answer from $1" >&2; return 1; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk (bench/run installs it)" >&2; exit 1; }
echo "building (Release, artifacts in $WORK)…" >&2
dotnet publish "$ROOT/Gateway/Gateway.csproj" -c Release --artifacts-path "$WORK/artifacts" -o "$WORK/gateway" -v q -nologo >&2
dotnet build "$ROOT/bench/upstream/Bench.Upstream.csproj" -c Release --artifacts-path "$WORK/artifacts" -v q -nologo >&2

REDIS_PORT=$(free_port); UP_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning >/dev/null & PIDS+=($!)
dotnet "$WORK/artifacts/bin/Bench.Upstream/release/Bench.Upstream.dll" "$UP_PORT" & PIDS+=($!)
wait_http "http://127.0.0.1:$UP_PORT/"

declare -A PORT MGMT PID
start_gateway() { # NAME SETTINGS…
  local name=$1; shift
  PORT[$name]=$(free_port); MGMT[$name]=$(free_port)
  (cd "$WORK/gateway" && exec env Urls="http://127.0.0.1:${PORT[$name]}" Strapi__BaseUrl="http://127.0.0.1:$UP_PORT/" \
    Strapi__Token=bench Access__RateLimits__StrapiReadsPerClient=100000 Frontend__BaseUrl="http://127.0.0.1:$UP_PORT/" Redis__Configuration="127.0.0.1:$REDIS_PORT" \
    Redirects__SeedFile="" Logging__LogLevel__Default=Warning Telemetry__ManagementUrl="http://127.0.0.1:${MGMT[$name]}" \
    "$@" dotnet Gateway.dll >"$WORK/$name.log" 2>&1) & PIDS+=($!); PID[$name]=$!
}
start_gateway off Telemetry__Enabled=false
start_gateway on Telemetry__Enabled=true Telemetry__TraceSampleRatio=0.1
start_gateway all Telemetry__Enabled=true Telemetry__TraceSampleRatio=1
for name in off on all; do wait_http "http://127.0.0.1:${PORT[$name]}/healthz" || { cat "$WORK/$name.log" >&2; exit 1; }; done
curl -fs -o /dev/null "http://127.0.0.1:${MGMT[on]}/metrics" || { echo "no metrics on the management port" >&2; exit 1; }

# Prometheus scraping the two gateways with telemetry, every 5 s, for the whole run.
(while true; do for name in on all; do curl -fs -o /dev/null "http://127.0.0.1:${MGMT[$name]}/metrics" || true; done; sleep 5; done) & PIDS+=($!)

PAGE=/api/v2/invoices/en-us
for name in off on all; do wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:${PORT[$name]}$PAGE" >/dev/null; done

RESULTS="$WORK/runs.tsv"
for run in $(seq 1 "$RUNS"); do
  for name in off on all; do
    before=$(cpu_ticks "${PID[$name]}")
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:${PORT[$name]}$PAGE")
    ticks=$(( $(cpu_ticks "${PID[$name]}") - before ))
    grep -q "Non-2xx or 3xx" <<<"$out" && { echo "$name answered errors: $out" >&2; exit 1; }
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out"); requests=$(awk '/requests in/ {print $1}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    cpu=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$name" "$rps" "$p50" "$p99" "$cpu" | tee -a "$RESULTS" >&2
  done
done

python3 - "$RESULTS" "$RUNS" "$SECONDS_PER_RUN" "$CONNECTIONS" "$WARMUP" <<'PY'
import sys, statistics
def ms(v):
    for unit, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if v.endswith(unit): return float(v[:-len(unit)]) * f
path, runs, secs, conns, warm = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(path)]
label = {"off": "telemetry off", "on": "on, 10 % of traces (production)", "all": "on, every trace"}
print(f"wrk -t2 -c{conns} -d{secs}s, {runs} turns after a {warm} s warm-up each; median per cell; ratios paired per turn.\n")
print("| gateway | req/s | × off (paired) | p50 ms | p99 ms | CPU µs/request | CPU × off (paired) |")
print("|---|---|---|---|---|---|---|")
by = lambda run, name: next(r for r in rows if r[0] == run and r[1] == name)
turns = sorted({r[0] for r in rows})
for name in ("off", "on", "all"):
    sel = [r for r in rows if r[1] == name]
    ratio = statistics.median(float(by(t, name)[2]) / float(by(t, "off")[2]) for t in turns)
    cpu = statistics.median(float(by(t, name)[5]) / float(by(t, "off")[5]) for t in turns)
    print("| %s | %.0f | %.3f | %.2f | %.2f | %.1f | %.3f |" % (label[name], statistics.median(float(r[2]) for r in sel), ratio,
          statistics.median(ms(r[3]) for r in sel), statistics.median(ms(r[4]) for r in sel),
          statistics.median(float(r[5]) for r in sel), cpu))
PY
