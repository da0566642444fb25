#!/usr/bin/env bash
# The response cache (issue 17), in one run on loopback; writes bench/cache/RESULTS.md. Every process it starts it stops
# by its PID on exit.
#   A. the fast stand-in upstream (bench/upstream): the list through the gateway with the cache, the same list through a
#      gateway with the cache off, nginx proxying the same upstream, and the upstream directly;
#   B. the real Strapi (strapi/, a fresh SQLite database): a list of 100 invoices with their customers through the gateway
#      with the cache and without it, and from Strapi directly;
#   C. freshness: EDITS edits made in Strapi directly (its REST API with the token), each timed from the moment the PUT is
#      sent until the cached gateway serves the new value (Strapi's webhook evicts it).
#   bench/cache/run.sh [runs=3] [seconds=5] [connections=32] [edits=100]
set -euo pipefail
RUNS=${1:-3}; SECONDS_PER_RUN=${2:-5}; CONNECTIONS=${3:-32}; EDITS=${4:-100}
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/cache-bench.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "bench/cache: $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { # URL SECONDS
  for _ in $(seq 1 $(( $2 * 5 ))); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done
  say "no answer from $1 (logs in $WORK)"; exit 1
}

"$ROOT/scripts/ensure-packages"
need=(); command -v wrk >/dev/null || need+=(wrk); command -v nginx >/dev/null || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} from Debian's packages…"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  service nginx stop >/dev/null 2>&1 || true
fi
[ -e "$ROOT/strapi/node_modules/@strapi/strapi/bin/strapi.js" ] || "$ROOT/scripts/strapi-install"

say "building (Release, artifacts in $WORK)…"
dotnet publish "$ROOT/Gateway/Gateway.csproj" -c Release --artifacts-path "$WORK/artifacts" -o "$WORK/gateway" -v q -nologo >&2
dotnet build "$ROOT/bench/upstream/Bench.Upstream.csproj" -c Release --artifacts-path "$WORK/artifacts" -v q -nologo >&2

REDIS=$(free_port); UP=$(free_port); NGINX=$(free_port); STRAPI=$(free_port)
TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(32))'); SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
redis-server --port "$REDIS" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning > "$WORK/redis.log" 2>&1 & PIDS+=($!)
dotnet "$WORK/artifacts/bin/Bench.Upstream/release/Bench.Upstream.dll" "$UP" > "$WORK/upstream.log" 2>&1 & PIDS+=($!)
mkdir -p "$WORK/nginx-tmp"
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 2;
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
  upstream up { server 127.0.0.1:$UP; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
nginx -c "$WORK/nginx.conf" -p "$WORK" & PIDS+=($!)

start_gateway() { # PORT STRAPI_PORT CACHE(true|false): a gateway in Release, all features on
  (cd "$WORK/gateway" && exec env Urls="http://127.0.0.1:$1" Strapi__BaseUrl="http://127.0.0.1:$2/" Strapi__Token="$TOKEN" Access__RateLimits__StrapiReadsPerClient=100000 \
    Frontend__BaseUrl="http://127.0.0.1:$UP/" Redis__Configuration="127.0.0.1:$REDIS" Redirects__SeedFile="" \
    Currency__RateApi__BaseUrl="http://127.0.0.1:$UP/" Logging__LogLevel__Default=Warning \
    ResponseCache__Enabled="$3" ResponseCache__WebhookSecret="$SECRET" dotnet Gateway.dll > "$WORK/gateway-$1.log" 2>&1) &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$1/healthz" 60
}

RESULTS="$WORK/runs.tsv"
measure() { # PART NAME URL [wrk options…]: a warm-up, then RUNS runs of wrk; one line per run in runs.tsv
  local part=$1 name=$2 url=$3; shift 3
  wrk -t2 -c"$CONNECTIONS" -d3s "$@" "$url" > /dev/null
  for run in $(seq "$RUNS"); do
    local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$@" "$url")
    if grep -q "Non-2xx" <<< "$out"; then say "$name answered errors:"; echo "$out" >&2; exit 1; fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$part" "$name" "$(awk '/^Requests\/sec/ {print $2}' <<< "$out")" \
      "$(awk '$1=="50%" {print $2}' <<< "$out")" "$(awk '$1=="99%" {print $2}' <<< "$out")" | tee -a "$RESULTS" >&2
  done
}

# --- A. stand-in upstream ----------------------------------------------------------------------------------------------
CACHED_A=$(free_port); PLAIN_A=$(free_port)
wait_for "http://127.0.0.1:$UP/" 30; wait_for "http://127.0.0.1:$NGINX/" 30
start_gateway "$CACHED_A" "$UP" true; start_gateway "$PLAIN_A" "$UP" false
LIST=/api/v2/invoices/en-us
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$CACHED_A$LIST")" = 200 ] || { say "the gateway does not answer $LIST"; exit 1; }
curl -sD - -o /dev/null "http://127.0.0.1:$CACHED_A$LIST" | grep -qi '^cache-status: edge-gateway; hit' || { say "the cached gateway does not hit"; exit 1; }
PAGE_BYTES=$(curl -s "http://127.0.0.1:$UP$LIST" | wc -c)
measure A "upstream directly (no proxy)" "http://127.0.0.1:$UP$LIST"
measure A "nginx proxying the upstream" "http://127.0.0.1:$NGINX$LIST"
measure A "gateway, cache off" "http://127.0.0.1:$PLAIN_A$LIST"
measure A "gateway, cache on (hits)" "http://127.0.0.1:$CACHED_A$LIST"

# --- B. the real Strapi --------------------------------------------------------------------------------------------------
CACHED_B=$(free_port); PLAIN_B=$(free_port)
start_gateway "$CACHED_B" "$STRAPI" true; start_gateway "$PLAIN_B" "$STRAPI" false
say "starting Strapi (1,000 invoices on a fresh SQLite database)…"
(cd "$ROOT/strapi" && exec env NODE_ENV=production HOST=127.0.0.1 PORT="$STRAPI" DATABASE_FILENAME="$WORK/strapi.db" \
  STRAPI_API_TOKEN="$TOKEN" SEED_INVOICES=1000 GATEWAY_WEBHOOK_URL="http://127.0.0.1:$CACHED_B/webhooks/strapi" \
  GATEWAY_WEBHOOK_SECRET="$SECRET" node node_modules/@strapi/strapi/bin/strapi.js start > "$WORK/strapi.log" 2>&1) & PIDS+=($!)
wait_for "http://127.0.0.1:$STRAPI/_health" 180
QUERY='pagination%5BpageSize%5D=100&populate%5Bcustomer%5D%5Bfields%5D%5B0%5D=name&sort=id:asc'
measure B "Strapi directly" "http://127.0.0.1:$STRAPI/api/invoices?$QUERY" -H "Authorization: Bearer $TOKEN"
measure B "gateway, cache off" "http://127.0.0.1:$PLAIN_B$LIST?$QUERY"
measure B "gateway, cache on (hits)" "http://127.0.0.1:$CACHED_B$LIST?$QUERY"

# --- C. freshness after an edit made in Strapi directly ------------------------------------------------------------------
say "freshness: $EDITS edits in Strapi, each polled through the cached gateway…"
python3 "$HERE/freshness.py" "127.0.0.1:$STRAPI" "$TOKEN" "127.0.0.1:$CACHED_B" "$EDITS" > "$WORK/freshness.tsv"

python3 "$HERE/report.py" "$RESULTS" "$WORK/freshness.tsv" "$RUNS" "$SECONDS_PER_RUN" "$CONNECTIONS" "$PAGE_BYTES" > "$HERE/RESULTS.md"
say "done: $HERE/RESULTS.md"
