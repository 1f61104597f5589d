#!/usr/bin/env bash
# A RabbitMQ node for development without Docker, from Debian's rabbitmq-server, run as the
# current user in a folder of its own (the /usr/sbin wrapper switches user and cannot).
#   infra/rabbitmq/local-broker.sh start   # amqp://guest:guest@localhost:5672/
#   infra/rabbitmq/local-broker.sh stop
set -euo pipefail
folder="${COORDINATION_BROKER_DIR:-${TMPDIR:-/tmp}/coordination-broker}"
port="${RABBITMQ_NODE_PORT:-5672}"
node="coordination-dev@localhost"
sbin=$(ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin 2>/dev/null | tail -1)
[ -n "$sbin" ] || { echo "rabbitmq-server is not installed: apt-get install -y rabbitmq-server" >&2; exit 1; }

mkdir -p "$folder"
[ -f "$folder/enabled_plugins" ] || echo "[]." > "$folder/enabled_plugins"
export RABBITMQ_NODENAME="$node" RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT="$((port + 20000))" \
       RABBITMQ_MNESIA_BASE="$folder/mnesia" RABBITMQ_LOG_BASE="$folder/log" \
       RABBITMQ_ENABLED_PLUGINS_FILE="$folder/enabled_plugins" HOME="$folder"

case "${1:-start}" in
  start)
    "$sbin/rabbitmq-server" -detached
    for _ in $(seq 1 60); do
      if "$sbin/rabbitmqctl" -n "$node" await_startup >/dev/null 2>&1; then
        echo "RabbitMQ ready: amqp://guest:guest@localhost:$port/ (node $node, data in $folder)"; exit 0
      fi
      sleep 1
    done
    echo "RabbitMQ did not start; see $folder/log" >&2; exit 1 ;;
  stop)
    "$sbin/rabbitmqctl" -n "$node" stop ;;
  *)
    echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
