#!/bin/sh
# This pod's Sentinel: monitors the primary the other Sentinels name (or redis-0 in a new cluster), quorum 2 of 3,
# announcing itself and the Redis pods by their stable names. Its config file is on an emptyDir: Sentinel rewrites it.
# The same variables as redis.sh, and SENTINEL_PORT (its own), SENTINEL_CONF and SENTINEL_DOWN_AFTER_MS (5000).
set -eu
SELF_HOST=${SELF_HOST:-$(hostname -f)}
DOMAIN=${SELF_HOST#*.}
PRIMARY_HOST=${PRIMARY_HOST:-redis-0.$DOMAIN}
REDIS_PORT=${REDIS_PORT:-6379}
PRIMARY_PORT=${PRIMARY_PORT:-$REDIS_PORT}
SENTINEL_PORT=${SENTINEL_PORT:-26379}
SENTINELS=${SENTINELS:-redis-sentinel:26379}   # any Sentinel, asked who the primary is
CONF=${SENTINEL_CONF:-/conf/sentinel.conf}
: "${REDIS_PASSWORD:?the Secret edge-gateway needs the key redis-password}"

primary=""
for _ in 1 2 3; do
  primary=$(timeout 3 redis-cli -h "${SENTINELS%:*}" -p "${SENTINELS##*:}" --raw SENTINEL get-master-addr-by-name mymaster 2>/dev/null \
    | tr '\n' ' ' | awk 'NF == 2 { print $1 " " $2 }') || true
  [ -n "$primary" ] && break
  sleep 1
done
[ -n "$primary" ] || primary="$PRIMARY_HOST $PRIMARY_PORT"
echo "sentinel.sh: this is $SELF_HOST:$SENTINEL_PORT; monitoring $primary"

cat > "$CONF" <<CONF
port $SENTINEL_PORT
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $SELF_HOST
sentinel announce-port $SENTINEL_PORT
sentinel monitor mymaster $primary 2
sentinel auth-pass mymaster $REDIS_PASSWORD
sentinel down-after-milliseconds mymaster ${SENTINEL_DOWN_AFTER_MS:-5000}
sentinel failover-timeout mymaster 60000
sentinel parallel-syncs mymaster 1
CONF
exec redis-server "$CONF" --sentinel
