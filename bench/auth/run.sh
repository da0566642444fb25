#!/usr/bin/env bash
# What access control costs: requests/s of the invoice list signed in with the session cookie, with a Strapi JWT as
# bearer, and the same route opened to anonymous callers (a copy of it with AuthorizationPolicy "anonymous"); and a
# frontend page signed in with the cookie (the catch-all, policy reader, with X-Forwarded-User/Email/Roles added) against
# a frontend page opened (a route of the frontend cluster with policy anonymous), all on one gateway in the same run, in
# front of the fast stand-in upstream (bench/upstream) serving both clusters. Median of the runs; the
# ratio is against the anonymous route. Also the gateway's CPU time per request (user + system, from /proc), which a
# busy shared machine disturbs less than requests/s. Loopback only; every process started here is stopped by its PID on exit.
#   bench/auth/run.sh [runs=3] [seconds=5] [connections="16 64"] [warmup=10]
# The gateways measured here run with Access__RateLimits__StrapiReadsPerClient=100000: wrk's connections are one
# caller, and these measure proxying, not the per-caller cap on Strapi reads (which would answer them 429).
set -euo pipefail
RUNS=${1:-3}; SECONDS_PER_RUN=${2:-5}; CONNECTIONS=${3:-16 64}; WARMUP=${4:-10}
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/auth-bench.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 300); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done; echo "no answer from $1" >&2; return 1; }

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk (bench/run installs it)" >&2; exit 1; }
echo "building (Release, artifacts in $WORK)…" >&2
dotnet publish "$ROOT/Gateway/Gateway.csproj" -c Release --artifacts-path "$WORK/artifacts" -o "$WORK/gateway" -v q -nologo >&2
dotnet build "$ROOT/bench/upstream/Bench.Upstream.csproj" -c Release --artifacts-path "$WORK/artifacts" -v q -nologo >&2
UPSTREAM="$WORK/artifacts/bin/Bench.Upstream/release/Bench.Upstream.dll"

SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
REDIS_PORT=$(free_port); UP_PORT=$(free_port); GATEWAY_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning >/dev/null & PIDS+=($!)
dotnet "$UPSTREAM" "$UP_PORT" >/dev/null 2>&1 & PIDS+=($!)
wait_http "http://127.0.0.1:$UP_PORT/"
OPEN=ReverseProxy__Routes__bench-open
PAGE=ReverseProxy__Routes__bench-page
cd "$WORK/gateway"
env Urls="http://127.0.0.1:$GATEWAY_PORT" Strapi__BaseUrl="http://127.0.0.1:$UP_PORT/" \
  Strapi__Token=bench Access__RateLimits__StrapiReadsPerClient=100000 ResponseCache__Enabled=false Frontend__BaseUrl="http://127.0.0.1:$UP_PORT/" Redis__Configuration="127.0.0.1:$REDIS_PORT" \
  Redirects__SeedFile="" Access__StrapiJwt__Secret="$SECRET" Logging__LogLevel__Default=Warning \
  ${OPEN}__ClusterId=strapi ${OPEN}__AuthorizationPolicy=anonymous ${OPEN}__Match__Path=/bench/open \
  ${OPEN}__Match__Methods__0=GET ${OPEN}__Transforms__0__PathSet=/api/invoices \
  ${PAGE}__ClusterId=frontend ${PAGE}__AuthorizationPolicy=anonymous ${PAGE}__Order=900 ${PAGE}__Match__Path=/bench/page \
  dotnet Gateway.dll >&2 & PIDS+=($!)
GATEWAY_PID=$!
cd "$ROOT"
GW="http://127.0.0.1:$GATEWAY_PORT"
wait_http "$GW/readyz"

COOKIE=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' -d '{"identifier":"bench","password":"bench"}' "$GW/auth/login" \
  | awk -F'[ ;]' 'tolower($1) == "set-cookie:" { print $2 }')
JWT=$(python3 - "$SECRET" <<'PY'
import base64, hashlib, hmac, json, sys, time
b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=")
now = int(time.time())
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + b"." + b64(json.dumps({"id": 1, "iat": now, "exp": now + 3600}).encode())
print((head + b"." + b64(hmac.new(sys.argv[1].encode(), head, hashlib.sha256).digest())).decode())
PY
)
check() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$@")" = 200 ] || { echo "not 200: $*" >&2; exit 1; }; }
check "$GW/bench/open"
check -H "Cookie: $COOKIE" "$GW/api/v2/invoices/en-us"
check -H "Authorization: Bearer $JWT" "$GW/api/v2/invoices/en-us"
check "$GW/bench/page"
check -H "Cookie: $COOKIE" "$GW/dashboard/invoices"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$GW/dashboard/invoices")" = 401 ] || { echo "the frontend is not closed" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "$GW/api/v2/invoices/en-us")" = 401 ] || { echo "the list is not closed" >&2; exit 1; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
run_wrk() { # NAME CONNECTIONS SECONDS
  case $1 in
    anonymous) wrk -t2 -c"$2" -d"$3s" "$GW/bench/open" ;;
    cookie) wrk -t2 -c"$2" -d"$3s" -H "Cookie: $COOKIE" "$GW/api/v2/invoices/en-us" ;;
    bearer) wrk -t2 -c"$2" -d"$3s" -H "Authorization: Bearer $JWT" "$GW/api/v2/invoices/en-us" ;;
    page-anonymous) wrk -t2 -c"$2" -d"$3s" "$GW/bench/page" ;;
    page-cookie) wrk -t2 -c"$2" -d"$3s" -H "Cookie: $COOKIE" "$GW/dashboard/invoices" ;;
  esac
}
TARGETS="anonymous cookie bearer page-anonymous page-cookie"
# The baseline of each target's ratio: the same kind of route opened.
baseline() { case $1 in page-*) echo page-anonymous ;; *) echo anonymous ;; esac; }
for name in $TARGETS; do run_wrk "$name" 16 "$WARMUP" >/dev/null; done

declare -A RPS CPU
for c in $CONNECTIONS; do
  declare -A runs=() cpus=()
  for run in $(seq "$RUNS"); do
    # Interleaved, so drift on the shared machine touches every target alike.
    for name in $TARGETS; do
      before=$(cpu_ticks "$GATEWAY_PID")
      text=$(run_wrk "$name" "$c" "$SECONDS_PER_RUN")
      ticks=$(( $(cpu_ticks "$GATEWAY_PID") - before ))
      grep -q "Non-2xx or 3xx" <<< "$text" && { echo "$name answered errors: $text" >&2; exit 1; }
      runs[$name]+="$(awk '/^Requests\/sec/ { print $2 }' <<< "$text") "
      cpus[$name]+="$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$(awk '/requests in/ { print $1 }' <<< "$text")" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }') "
    done
  done
  for name in $TARGETS; do
    RPS[$name,$c]=$(tr ' ' '\n' <<< "${runs[$name]}" | grep . | median)
    CPU[$name,$c]=$(tr ' ' '\n' <<< "${cpus[$name]}" | grep . | median)
    echo "c=$c $name: runs ${runs[$name]}→ median ${RPS[$name,$c]} req/s; CPU µs/request ${cpus[$name]}→ ${CPU[$name,$c]}" >&2
  done
  unset runs cpus
done

echo "| connections | target | req/s | ratio | gateway CPU µs/request | ratio |"
echo "|---|---|---|---|---|---|"
for c in $CONNECTIONS; do
  for name in $TARGETS; do
    base=$(baseline "$name")
    awk -v c="$c" -v n="$name" -v r="${RPS[$name,$c]}" -v r0="${RPS[$base,$c]}" -v u="${CPU[$name,$c]}" -v u0="${CPU[$base,$c]}" \
      'BEGIN { printf "| %s | %s | %.0f | %.3f | %.1f | %.3f |\n", c, n, r, r / r0, u, u / u0 }'
  done
done
