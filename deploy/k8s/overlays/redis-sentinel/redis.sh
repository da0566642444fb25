#!/bin/sh
# This pod's Redis. The primary is whoever the Sentinels name; when none answers (a new cluster) it is redis-0.
# SELF_HOST, PRIMARY_HOST/_PORT, SENTINELS, REDIS_PORT and REDIS_DIR may be set (a test runs this on loopback); a pod
# derives them from its name.
set -eu
SELF_HOST=${SELF_HOST:-$(hostname -f)}
DOMAIN=${SELF_HOST#*.}
PRIMARY_HOST=${PRIMARY_HOST:-redis-0.$DOMAIN}
REDIS_PORT=${REDIS_PORT:-6379}
PRIMARY_PORT=${PRIMARY_PORT:-$REDIS_PORT}
SENTINEL_PORT=${SENTINEL_PORT:-26379}
SENTINELS=${SENTINELS:-redis-sentinel:26379}   # any Sentinel, asked who the primary is
: "${REDIS_PASSWORD:?the Secret edge-gateway needs the key redis-password}"

primary=""
for _ in 1 2 3; do
  primary=$(timeout 3 redis-cli -h "${SENTINELS%:*}" -p "${SENTINELS##*:}" --raw SENTINEL get-master-addr-by-name mymaster 2>/dev/null \
    | tr '\n' ' ' | awk 'NF == 2 { print $1 ":" $2 }') || true
  [ -n "$primary" ] && break
  sleep 1
done
[ -n "$primary" ] || primary="$PRIMARY_HOST:$PRIMARY_PORT"
echo "redis.sh: this is $SELF_HOST:$REDIS_PORT; the primary is $primary"

set -- --port "$REDIS_PORT" --dir "${REDIS_DIR:-/data}" --appendonly yes \
  --requirepass "$REDIS_PASSWORD" --masterauth "$REDIS_PASSWORD" \
  --replica-announce-ip "$SELF_HOST" --replica-announce-port "$REDIS_PORT" \
  --maxmemory "${REDIS_MAXMEMORY:-512mb}" --maxmemory-policy noeviction
if [ "$primary" != "$SELF_HOST:$REDIS_PORT" ]; then
  set -- "$@" --replicaof "${primary%:*}" "${primary##*:}"
fi
exec redis-server "$@"
