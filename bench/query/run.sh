#!/usr/bin/env bash
# The query policy under a hostile reader (issue 27), measured from outside: ./run's whole stack (real Strapi on
# SQLite with SEED_INVOICES invoices, Redis, the gateway) on free ports in a scratch state folder; a reader's uncached
# reads and sign-ins alone, then while another session loops over the queries that stopped Strapi before the policy.
#   bench/query/run.sh [seconds per phase = 20]       (SEED_INVOICES, default 20000)
# Everything it starts is stopped at the end (./run stops its servers when it gets SIGTERM).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
SECONDS_PER_PHASE=${1:-20}
export SEED_INVOICES=${SEED_INVOICES:-20000}
export RUN_STATE; RUN_STATE=$(mktemp -d /tmp/query-bench.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
export GATEWAY_PORT; GATEWAY_PORT=$(free_port)
export STRAPI_PORT; STRAPI_PORT=$(free_port)
export REDIS_PORT; REDIS_PORT=$(free_port)
export MANAGEMENT_PORT; MANAGEMENT_PORT=$(free_port)
RUN_PID=
cleanup() { if [ -n "$RUN_PID" ]; then kill "$RUN_PID" 2>/dev/null || true; wait "$RUN_PID" 2>/dev/null || true; fi; rm -rf "$RUN_STATE"; }
trap cleanup EXIT

echo "starting the stack with $SEED_INVOICES invoices (Strapi seeds them on its first start)…" >&2
"$ROOT/run" > "$RUN_STATE/run.log" 2>&1 &
RUN_PID=$!
for _ in $(seq 1 600); do
  grep -q "The gateway is up" "$RUN_STATE/run.log" 2>/dev/null && break
  kill -0 "$RUN_PID" 2>/dev/null || { tail -20 "$RUN_STATE/run.log" >&2; exit 1; }
  sleep 1
done
grep -q "The gateway is up" "$RUN_STATE/run.log" || { echo "the stack did not come up" >&2; exit 1; }
total=$(curl -fsS -H "Authorization: Bearer $(cat "$RUN_STATE/strapi-token")" "http://127.0.0.1:$STRAPI_PORT/api/invoices?pagination[pageSize]=1" -g \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"]["pagination"]["total"])')
echo "# bench/query, $(date -u +%FT%TZ), $(nproc) cores, $total invoices in Strapi, $SECONDS_PER_PHASE s per phase"
python3 "$HERE/measure.py" "http://127.0.0.1:$GATEWAY_PORT" reader@demo.local "$(cat "$RUN_STATE/demo-reader-password")" "$SECONDS_PER_PHASE"

# Oversized bodies where the gateway reads them itself: each refused (413) as it is read, the gateway's memory flat.
GATEWAY_PID=$(ss -ltnpH "sport = :$GATEWAY_PORT" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
rss() { awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { printf "RSS %d MB, peak %d MB", r / 1024, h / 1024 }' "/proc/$GATEWAY_PID/status"; }
echo "## oversized bodies"
echo "gateway before: $(rss)"
big() { # PATH CONTENT_TYPE MEGABYTES [header]
  head -c "$(( $3 * 1024 * 1024 ))" /dev/zero | tr '\0' 'x' | curl -s -o /dev/null -w "$1 ($3 MB, chunked): %{http_code}\n" \
    -H "Content-Type: $2" -H "Transfer-Encoding: chunked" ${4:+-H "$4"} --data-binary @- "http://127.0.0.1:$GATEWAY_PORT$1" || true
}
big /auth/login application/json 25
big /api/redirects/import text/csv 100 "X-Admin-Key: $(cat "$RUN_STATE/admin-key")"
big /webhooks/strapi application/json 25 "X-Strapi-Webhook-Secret: $(cat "$RUN_STATE/webhook-secret" 2>/dev/null || echo none)"
echo "gateway after: $(rss)"
