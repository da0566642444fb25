#!/usr/bin/env bash
# Runtime and Kestrel settings, tried on the gateway as built: each variant is the same Release build started with
# other environment variables, on the two hot paths (a redirect hit and a proxied list with the response cache off),
# variants alternated round after round so a shared machine's drift falls on all of them. Loopback only; every process
# started here is stopped by its PID on exit. Markdown to stdout, progress to stderr.
#   bench/settings/run.sh [rounds=2] [seconds=5]        BENCH_REDIRECTS (1000000), BENCH_CONNECTIONS ("16 64")
#   BENCH_VARIANTS_FILE=my.txt bench/settings/run.sh    lines "name|VAR=value VAR=value" (default: the list below)
set -euo pipefail
ROUNDS=${1:-2}; SECONDS_PER_RUN=${2:-5}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REDIRECTS=${BENCH_REDIRECTS:-1000000}
CONNECTIONS=${BENCH_CONNECTIONS:-16 64}
OUT="$ROOT/bench/out/settings"
say() { echo "settings: $*" >&2; }
die() { echo "settings: ERROR: $*" >&2; exit 1; }

DEFAULT_VARIANTS=$(cat <<'LIST'
as shipped|
socket completions inline only|DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1
DATAS off (server GC, fixed heap count)|DOTNET_GCDynamicAdaptationMode=0
full PGO (no ReadyToRun code: everything jitted, instrumented)|DOTNET_ReadyToRun=0 DOTNET_TieredPGO=1
workstation GC|DOTNET_gcServer=0
gen0 budget 64 MB (fewer gen0 collections)|DOTNET_GCgen0size=0x4000000
LIST
)
if [ -n "${BENCH_VARIANTS_FILE:-}" ]; then VARIANTS=$(cat "$BENCH_VARIANTS_FILE"); else VARIANTS=$DEFAULT_VARIANTS; fi

for tool in wrk redis-server redis-cli curl; do command -v "$tool" >/dev/null || die "$tool is needed (bench/run installs it)"; done
rm -rf "$OUT" && mkdir -p "$OUT/redis"
say "building (Release)…"
for project in Gateway bench/upstream; do
  dotnet build "$ROOT/$project" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null || die "build of $project failed"
done

pids=()
stop_all() { [ ${#pids[@]} -eq 0 ] || { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; }; pids=(); }
trap stop_all EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { local deadline=$(( $(date +%s) + $2 )); until curl -fsS -o /dev/null "$1" 2>/dev/null; do
  [ "$(date +%s)" -lt "$deadline" ] || die "$1 did not answer in $2 s (logs in $OUT)"; sleep 0.3; done; }

UP=$(free_port); REDIS=$(free_port); GATEWAY=$(free_port)
dotnet "$ROOT/bench/upstream/bin/Release/net10.0/Bench.Upstream.dll" "$UP" > "$OUT/upstream.log" 2>&1 & pids+=($!)
redis-server --port "$REDIS" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT/redis" --loglevel warning > "$OUT/redis.log" 2>&1 & pids+=($!)
until redis-cli -p "$REDIS" ping >/dev/null 2>&1; do sleep 0.1; done
say "writing $REDIRECTS redirects…"
awk -v n="$REDIRECTS" 'BEGIN { for (i = 0; i < n; i++) { key = "gateway:redirect:/old/" i; value = "{\"destination\":\"/new/" i "\",\"permanent\":false}";
  printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, length(value), value } }' | redis-cli -p "$REDIS" --pipe > "$OUT/redis-fill.log"
wait_http "http://127.0.0.1:$UP/" 30
HIT="http://127.0.0.1:$GATEWAY/old/$(( REDIRECTS / 2 ))"
LIST="http://127.0.0.1:$GATEWAY/api/v2/invoices/en-us"

start_gateway() { # ENV…: the gateway with the bench's settings plus these
  env Urls="http://127.0.0.1:$GATEWAY" Gateway__YarpFile="$ROOT/yarp.json" \
    Strapi__BaseUrl="http://127.0.0.1:$UP/" Strapi__Token=bench Access__RateLimits__StrapiReadsPerClient=100000 Frontend__BaseUrl="http://127.0.0.1:$UP/" \
    Redis__Configuration="127.0.0.1:$REDIS" Redirects__SeedFile="" Logging__LogLevel__Default=Warning \
    Telemetry__ManagementUrl="http://127.0.0.1:0" Currency__RateApi__BaseUrl="http://127.0.0.1:$UP/" \
    OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$UP" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
    ResponseCache__Enabled=false ReverseProxy__Routes__invoices-list__AuthorizationPolicy=anonymous "$@" \
    dotnet "$ROOT/Gateway/bin/Release/net10.0/Gateway.dll" --contentRoot "$ROOT/Gateway" >> "$OUT/gateway.log" 2>&1 &
  GATEWAY_PID=$!; pids+=("$GATEWAY_PID")
  wait_http "http://127.0.0.1:$GATEWAY/readyz" 180
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$HIT")" = 307 ] || die "the gateway does not redirect $HIT"
}
stop_gateway() { kill "$GATEWAY_PID" 2>/dev/null || true; wait "$GATEWAY_PID" 2>/dev/null || true; }

measure() { # NAME URL C: one wrk run; appends "variant path c rps cpu_us" to the samples
  local ticks before text n
  before=$(awk '{ print $14 + $15 }' "/proc/$GATEWAY_PID/stat")
  text=$(wrk -t2 -c"$3" -d"${SECONDS_PER_RUN}s" "$2")
  ticks=$(( $(awk '{ print $14 + $15 }' "/proc/$GATEWAY_PID/stat") - before ))
  grep -q "Non-2xx or 3xx" <<< "$text" && [ "$1" != hit ] && die "errors from $2: $text"
  n=$(awk '/requests in/ { print $1 }' <<< "$text")
  printf '%s\t%s\t%s\t%s\t%s\n' "$variant" "$1" "$3" "$(awk '/^Requests\/sec/ { print $2 }' <<< "$text")" \
    "$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')" >> "$OUT/samples.tsv"
}

for round in $(seq "$ROUNDS"); do
  while IFS='|' read -r variant settings; do
    [ -n "$variant" ] || continue
    say "round $round: $variant"
    read -r -a extra <<< "$settings"
    start_gateway "${extra[@]}"
    wrk -t2 -c16 -d10s "$HIT" >/dev/null; wrk -t2 -c16 -d10s "$LIST" >/dev/null   # tier-1 code with dynamic PGO
    for c in $CONNECTIONS; do measure hit "$HIT" "$c"; measure list "$LIST" "$c"; done
    stop_gateway
  done <<< "$VARIANTS"
done

python3 - "$OUT/samples.tsv" "$ROUNDS" "$SECONDS_PER_RUN" "$REDIRECTS" <<'PY'
import sys, statistics, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
variants = list(dict.fromkeys(r[0] for r in rows))
cells = list(dict.fromkeys((r[1], r[2]) for r in rows))
med = collections.defaultdict(dict)
for v in variants:
    for p, c in cells:
        sel = [r for r in rows if r[0] == v and r[1] == p and r[2] == c]
        med[v][p, c] = (statistics.median(float(r[3]) for r in sel), statistics.median(float(r[4]) for r in sel))
base = variants[0]
print(f"Runtime settings on the gateway's two hot paths: `wrk -t2 -c{{N}} -d{sys.argv[3]}s`, a redirect hit ({int(sys.argv[4]):,} entries) and")
print(f"`GET /api/v2/invoices/en-us` proxied with the response cache off; telemetry on with OTLP export; {sys.argv[2]} rounds, variants")
print("alternated; medians; ratios against the first variant measured in the same rounds (req/s: higher is better; CPU: lower).")
print()
print("| variant | " + " | ".join(f"{p} c={c}: req/s (×), µs CPU/req (×)" for p, c in cells) + " |")
print("|---|" + "---|" * len(cells))
for v in variants:
    out = []
    for cell in cells:
        rps, cpu = med[v][cell]; brps, bcpu = med[base][cell]
        out.append(f"{rps:,.0f} ({rps / brps:.2f}), {cpu:.1f} ({cpu / bcpu:.2f})")
    print(f"| {v} | " + " | ".join(out) + " |")
PY
