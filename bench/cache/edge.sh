#!/usr/bin/env bash
# The gateway's cache hit beside the two HTTP caches operators know, serving the same stored answer, in one run on
# loopback; writes bench/cache/EDGE.md. Every process it starts it stops by its PID on exit.
#   - the gateway, signed in with the session cookie, the invoice list as shipped (policy reader, cache on);
#   - Varnish (Debian's varnishd, malloc storage; the VCL below ignores cookies, keeps 200s for 5 minutes and stores
#     the answer gzipped, unzipping it for a client that does not accept gzip, as Varnish does by default with do_gzip);
#   - nginx proxy_cache (Debian's nginx; gzip on, so a gzip hit is compressed at each request: nginx has no stored-
#     compressed mode for proxied answers without the gunzip module's reverse).
# Each with and without `Accept-Encoding: gzip`, all in front of the fast stand-in upstream (bench/upstream).
# Runs interleaved (every target once, then again), median of the runs; CPU time per request of the server's processes
# (user + system from /proc) beside req/s; bytes per answer as sent. With 2 or more cores the servers are pinned to
# core 0 and wrk to the others (taskset), so the load generator does not take the servers' core.
#   bench/cache/edge.sh [runs=3] [seconds=8] [connections=32] [warmup=20]
# bench/run measures the same targets (section 3 of bench/RESULTS.md) interleaved with its other rows, with the
# allocations per hit and the gateway at BENCH_BEFORE beside them; this script is the stand-alone version.
set -euo pipefail
RUNS=${1:-3}; SECONDS_PER_RUN=${2:-8}; CONNECTIONS=${3:-32}; WARMUP=${4:-20}
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/edge-bench.XXXXXX); chmod 755 "$WORK"   # Varnish reads its VCL as its own user
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "bench/cache/edge: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 300); do curl -fs -o /dev/null "$@" && return 0; sleep 0.2; done; die "no answer from $*"; }

"$ROOT/scripts/ensure-packages"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
command -v varnishd >/dev/null || need+=(varnish)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} from Debian's packages…"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  service nginx stop >/dev/null 2>&1 || true
  service varnish stop >/dev/null 2>&1 || true
fi

CORES=$(nproc)
if [ "$CORES" -ge 2 ]; then
  WRK_CPUS="1-$(( CORES - 1 ))"; WRK_THREADS=$(( CORES - 1 ))
  PIN=(taskset -c 0)
  load() { taskset -c "$WRK_CPUS" wrk -t"$WRK_THREADS" "$@"; }
  PINNING="servers (gateway, Redis, Varnish, nginx, upstream) pinned to core 0, wrk to core(s) $WRK_CPUS (taskset)"
else
  PIN=()
  load() { wrk -t1 "$@"; }
  PINNING="not pinned (one core)"
fi

say "building (Release, artifacts in $WORK)…"
dotnet publish "$ROOT/Gateway/Gateway.csproj" -c Release --artifacts-path "$WORK/artifacts" -o "$WORK/gateway" -v q -nologo >&2
dotnet build "$ROOT/bench/upstream/Bench.Upstream.csproj" -c Release --artifacts-path "$WORK/artifacts" -v q -nologo >&2

REDIS=$(free_port); UP=$(free_port); GATEWAY=$(free_port); VARNISH=$(free_port); NGINX=$(free_port)
"${PIN[@]}" redis-server --port "$REDIS" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning > "$WORK/redis.log" 2>&1 & PIDS+=($!)
"${PIN[@]}" dotnet "$WORK/artifacts/bin/Bench.Upstream/release/Bench.Upstream.dll" "$UP" > "$WORK/upstream.log" 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$UP/"

# The same upstream path the gateway's list route asks for, so every cache stores the same bytes.
LIST=/api/v2/invoices/en-us
UPSTREAM_PATH=/api/invoices

cat > "$WORK/default.vcl" <<VCL
vcl 4.1;
backend up { .host = "127.0.0.1"; .port = "$UP"; }
sub vcl_recv { unset req.http.Cookie; unset req.http.Authorization; return (hash); }
sub vcl_backend_response { set beresp.ttl = 5m; set beresp.do_gzip = true; }
VCL
mkdir -p "$WORK/varnish"
"${PIN[@]}" varnishd -F -n "$WORK/varnish" -a "127.0.0.1:$VARNISH" -f "$WORK/default.vcl" -s malloc,256m -T none \
  -p workspace_client=128k > "$WORK/varnish.log" 2>&1 & PIDS+=($!); VARNISH_PID=$!

mkdir -p "$WORK/nginx-tmp" "$WORK/nginx-cache"
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-tmp/body;
  proxy_temp_path $WORK/nginx-tmp/proxy;
  fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
  scgi_temp_path $WORK/nginx-tmp/scgi;
  proxy_cache_path $WORK/nginx-cache keys_zone=answers:10m max_size=256m;
  upstream up { server 127.0.0.1:$UP; keepalive 64; }
  gzip on; gzip_types application/json; gzip_min_length 1024; gzip_vary on;
  server {
    listen 127.0.0.1:$NGINX;
    location / {
      proxy_pass http://up$UPSTREAM_PATH; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_cache answers; proxy_cache_valid 200 5m; proxy_cache_key \$uri\$is_args\$args;
      proxy_ignore_headers Cache-Control Expires Set-Cookie;
    }
  }
}
NGINX
nginx -t -c "$WORK/nginx.conf" -p "$WORK" >/dev/null 2>&1 || die "nginx rejected $WORK/nginx.conf"
"${PIN[@]}" nginx -c "$WORK/nginx.conf" -p "$WORK" & PIDS+=($!); NGINX_PID=$!

(cd "$WORK/gateway" && exec env Urls="http://127.0.0.1:$GATEWAY" Strapi__BaseUrl="http://127.0.0.1:$UP/" Strapi__Token=bench \
  Access__RateLimits__StrapiReadsPerClient=100000 Frontend__BaseUrl="http://127.0.0.1:$UP/" Redis__Configuration="127.0.0.1:$REDIS" \
  Redirects__SeedFile="" Currency__RateApi__BaseUrl="http://127.0.0.1:$UP/" Logging__LogLevel__Default=Warning \
  Telemetry__ManagementUrl="http://127.0.0.1:0" OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$UP" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
  "${PIN[@]}" dotnet Gateway.dll > "$WORK/gateway.log" 2>&1) & PIDS+=($!); GATEWAY_PID=$!   # exec all the way: $! is dotnet
wait_http "http://127.0.0.1:$GATEWAY/readyz"

GW="http://127.0.0.1:$GATEWAY"
COOKIE=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' -d '{"identifier":"bench","password":"bench"}' "$GW/auth/login" \
  | awk -F'[ ;]' 'tolower($1) == "set-cookie:" { print $2 }')
[ -n "$COOKIE" ] || die "no session cookie from $GW/auth/login"
wait_http "http://127.0.0.1:$VARNISH$UPSTREAM_PATH"
wait_http "http://127.0.0.1:$NGINX$LIST"

# Fill each cache with both encodings, then check that each answers from its store.
for enc in identity gzip; do
  for _ in 1 2; do
    curl -fs -o /dev/null -H "Cookie: $COOKIE" -H "Accept-Encoding: $enc" "$GW$LIST"
    curl -fs -o /dev/null -H "Accept-Encoding: $enc" "http://127.0.0.1:$VARNISH$UPSTREAM_PATH"
    curl -fs -o /dev/null -H "Accept-Encoding: $enc" "http://127.0.0.1:$NGINX$LIST"
  done
done
curl -fsS -D - -o /dev/null -H "Cookie: $COOKIE" "$GW$LIST" | grep -qi '^cache-status: edge-gateway; hit' || die "the gateway does not hit"
curl -fsS -D - -o /dev/null "http://127.0.0.1:$VARNISH$UPSTREAM_PATH" | grep -qi '^age: [1-9]\|^x-varnish: [0-9]* [0-9]' || die "Varnish does not hit"

cpu_ticks() { local total=0 pid; for pid in "$@"; do total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0) )); done; echo "$total"; }
group() { echo "$1" $(pgrep -P "$1" || true); }   # a server's process and its children (Varnish's worker, nginx's worker)

TARGETS=(gateway gateway-gzip varnish varnish-gzip nginx nginx-gzip)
declare -A URL=( [gateway]="$GW$LIST" [gateway-gzip]="$GW$LIST" [varnish]="http://127.0.0.1:$VARNISH$UPSTREAM_PATH"
  [varnish-gzip]="http://127.0.0.1:$VARNISH$UPSTREAM_PATH" [nginx]="http://127.0.0.1:$NGINX$LIST" [nginx-gzip]="http://127.0.0.1:$NGINX$LIST" )
declare -A PROC=( [gateway]="$GATEWAY_PID" [gateway-gzip]="$GATEWAY_PID" [varnish]="$VARNISH_PID" [varnish-gzip]="$VARNISH_PID" [nginx]="$NGINX_PID" [nginx-gzip]="$NGINX_PID" )
headers() { # TARGET: wrk's header options
  local h=(); [[ $1 == gateway* ]] && h+=(-H "Cookie: $COOKIE")
  if [[ $1 == *-gzip ]]; then h+=(-H "Accept-Encoding: gzip"); else h+=(-H "Accept-Encoding: identity"); fi
  printf '%s\0' "${h[@]}"
}
declare -A BYTES
for t in "${TARGETS[@]}"; do
  mapfile -d '' h < <(headers "$t")
  BYTES[$t]=$(curl -fs -o /dev/null -w '%{size_download}' "${h[@]}" "${URL[$t]}")
done

say "warming up each target ${WARMUP} s (the gateway's tier-1 code settles after 20-40 s of load)…"
for t in "${TARGETS[@]}"; do mapfile -d '' h < <(headers "$t"); load -c"$CONNECTIONS" -d"${WARMUP}s" "${h[@]}" "${URL[$t]}" >/dev/null; done

ROWS="$WORK/rows.tsv"
for run in $(seq "$RUNS"); do
  for t in "${TARGETS[@]}"; do
    mapfile -d '' h < <(headers "$t")
    read -r -a procs <<< "$(group "${PROC[$t]}")"
    before=$(cpu_ticks "${procs[@]}")
    out=$(load -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "${h[@]}" "${URL[$t]}")
    ticks=$(( $(cpu_ticks "${procs[@]}") - before ))
    grep -q "Non-2xx" <<< "$out" && { echo "$out" >&2; die "$t answered errors"; }
    requests=$(awk '/requests in/ { print $1 }' <<< "$out")
    printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$(awk '/^Requests\/sec/ { print $2 }' <<< "$out")" \
      "$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')" \
      "$(awk '$1=="50%" { print $2 }' <<< "$out")" "$(awk '$1=="99%" { print $2 }' <<< "$out")" | tee -a "$ROWS" >&2
  done
done

BYTES_TSV="$WORK/bytes.tsv"; for t in "${TARGETS[@]}"; do printf '%s\t%s\n' "$t" "${BYTES[$t]}" >> "$BYTES_TSV"; done
python3 - "$ROWS" "$BYTES_TSV" "$RUNS" "$SECONDS_PER_RUN" "$CONNECTIONS" "$WARMUP" "$PINNING" > "$HERE/EDGE.md" <<'PY'
import statistics, sys, datetime, platform, subprocess
rows, bytes_file, runs, seconds, connections, warmup, pinning = sys.argv[1:8]
data = {}
for line in open(rows):
    t, rps, cpu, p50, p99 = line.rstrip("\n").split("\t")
    d = data.setdefault(t, {"rps": [], "cpu": []}); d["rps"].append(float(rps)); d["cpu"].append(float(cpu))
sizes = dict(line.rstrip("\n").split("\t") for line in open(bytes_file))
med = {t: (statistics.median(d["rps"]), statistics.median(d["cpu"])) for t, d in data.items()}
def version(cmd):
    try: return subprocess.run(cmd, capture_output=True, text=True, shell=True).stdout.strip().splitlines()[0]
    except Exception: return "?"
print("# The gateway's cache hit beside Varnish and nginx `proxy_cache`\n")
print(f"Written by `bench/cache/edge.sh` on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC. All on loopback, one machine: compare rows of one run.\n")
print(f"- Machine: {subprocess.run('nproc', capture_output=True, text=True).stdout.strip()} cores; {platform.platform()}; {pinning}")
print(f"- Versions: .NET {version('dotnet --version')}, {version('varnishd -V 2>&1')}, {version('nginx -v 2>&1')}")
print(f"- Method: wrk -c{connections}, {runs} runs of {seconds} s per target, interleaved, after {warmup} s of warm-up per target; medians. "
      "CPU: user + system time of the server's processes per request. The same 25-invoice answer from bench/upstream behind each.\n")
print("| target | req/s | ratio to Varnish (same encoding) | CPU µs/request | CPU ratio to Varnish | bytes per answer |")
print("|---|---:|---:|---:|---:|---:|")
for t in ["gateway", "varnish", "nginx", "gateway-gzip", "varnish-gzip", "nginx-gzip"]:
    if t not in med: continue
    base = "varnish-gzip" if t.endswith("-gzip") else "varnish"
    rps, cpu = med[t]; brps, bcpu = med[base]
    name = {"gateway": "gateway hit, signed in (cookie)", "varnish": "Varnish hit", "nginx": "nginx proxy_cache hit"}[t.replace("-gzip", "")]
    name += ", gzip asked" if t.endswith("-gzip") else ", identity"
    print(f"| {name} | {rps:.0f} | {rps / brps:.2f} | {cpu:.1f} | {cpu / bcpu:.2f} | {sizes[t]} |")
print()
for t, d in data.items():
    print(f"- {t}: req/s {', '.join(f'{x:.0f}' for x in d['rps'])}; CPU µs {', '.join(f'{x:.1f}' for x in d['cpu'])}")
PY
say "done: $HERE/EDGE.md"
