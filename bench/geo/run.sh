#!/usr/bin/env bash
# The geo resolver chain's cost per request (bench/geo/Program.cs) against a Redis of its own on loopback.
#   bench/geo/run.sh [runs]    → a markdown table on stdout
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS="${1:-7}"
"$ROOT/scripts/geo-install" >&2
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DIR=$(mktemp -d)
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$DIR" --loglevel warning >&2 & REDIS=$!
trap 'kill "$REDIS" 2>/dev/null; wait "$REDIS" 2>/dev/null; rm -rf "$DIR"' EXIT
until redis-cli -p "$PORT" ping >/dev/null 2>&1; do sleep 0.1; done
dotnet run -c Release --project "$ROOT/bench/geo" -- "127.0.0.1:$PORT" \
  "$ROOT/geo/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb" "$RUNS"
