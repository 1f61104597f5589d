#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this machine from Debian's rabbitmq-server, run as the current
# user in a folder of its own: three nodes on different ports, one Erlang cookie, joined to the first.
#   infra/rabbitmq/cluster.sh start          # prints the nodes; writes $folder/cluster.env
#   infra/rabbitmq/cluster.sh stop
#   infra/rabbitmq/cluster.sh kill N         # kill -9 node N (1..3): a machine lost
#   infra/rabbitmq/cluster.sh restart N      # start node N again; it rejoins the cluster by itself
#   infra/rabbitmq/cluster.sh ctl N ARGS...  # rabbitmqctl on node N (also: queues N ARGS... for rabbitmq-queues)
# Settings (environment): COORDINATION_CLUSTER_DIR (default ${TMPDIR:-/tmp}/coordination-cluster),
# COORDINATION_CLUSTER_PORTS="p1 p2 p3" AMQP ports (default: three free ports), the distribution
# port of each node is another free port; COORDINATION_CLUSTER_DEFINITIONS, a definitions file
# imported once the cluster is formed (default: none; infra/rabbitmq/definitions.json for the accounts).
# The quorum queues declared once the three nodes are joined have a member on each
# (quorum_cluster_size 3, the default initial group size).
set -euo pipefail
folder="${COORDINATION_CLUSTER_DIR:-${TMPDIR:-/tmp}/coordination-cluster}"
sbin=$(ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin 2>/dev/null | sort -V | tail -1)
[ -n "$sbin" ] || { echo "rabbitmq-server is not installed: apt-get install -y rabbitmq-server" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The node's environment: its own data, logs and pid file; one HOME for the three, so one cookie.
node_env() {
  local n=$1 port
  port=$(port_of "$n")
  echo RABBITMQ_NODENAME="$(node_of "$n")" RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT="$(eval echo "\$DIST$n")" \
    RABBITMQ_MNESIA_BASE="$folder/node$n/mnesia" RABBITMQ_LOG_BASE="$folder/node$n/log" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$folder/enabled_plugins" RABBITMQ_PID_FILE="$folder/node$n/pid" HOME="$folder"
}
load_state() { [ -f "$folder/cluster.env" ] || { echo "no cluster in $folder (start it first)" >&2; exit 1; }; . "$folder/cluster.env"; }
port_of() { eval echo "\$PORT$1"; }
node_of() { echo "coordination-cluster$(port_of 1)-$1@localhost"; }
ctl() { local n=$1; shift; env $(node_env "$n") "$sbin/rabbitmqctl" -n "$(node_of "$n")" "$@"; }
queues() { local n=$1; shift; env $(node_env "$n") "$sbin/rabbitmq-queues" -n "$(node_of "$n")" "$@"; }
await_node() {
  for _ in $(seq 1 60); do
    ctl "$1" await_startup --timeout 10 >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "node $1 did not start; see $folder/node$1/log" >&2; return 1
}
start_node() { mkdir -p "$folder/node$1"; env $(node_env "$1") "$sbin/rabbitmq-server" -detached; }

case "${1:-}" in
  start)
    mkdir -p "$folder"
    read -r -a ports <<< "${COORDINATION_CLUSTER_PORTS:-$(free_port) $(free_port) $(free_port)}"
    [ ${#ports[@]} -eq 3 ] || { echo "COORDINATION_CLUSTER_PORTS needs three ports" >&2; exit 2; }
    printf 'PORT1=%s\nPORT2=%s\nPORT3=%s\n' "${ports[@]}" > "$folder/cluster.env"
    printf 'DIST1=%s\nDIST2=%s\nDIST3=%s\n' "$(free_port)" "$(free_port)" "$(free_port)" >> "$folder/cluster.env"
    load_state
    echo "[]." > "$folder/enabled_plugins"
    if [ ! -f "$folder/.erlang.cookie" ]; then
      python3 -c 'import secrets; print(secrets.token_hex(20), end="")' > "$folder/.erlang.cookie"
      chmod 400 "$folder/.erlang.cookie"
    fi
    for n in 1 2 3; do start_node "$n"; done
    for n in 1 2 3; do await_node "$n"; done
    for n in 2 3; do
      ctl "$n" stop_app >/dev/null
      ctl "$n" join_cluster "$(node_of 1)" >/dev/null
      ctl "$n" start_app >/dev/null
    done
    running=$(ctl 1 eval 'length(rabbit_nodes:all_running()).' 2>/dev/null | tr -d '[:space:]')
    [ "$running" = 3 ] || { echo "the cluster has $running running nodes, not 3" >&2; exit 1; }
    if [ -n "${COORDINATION_CLUSTER_DEFINITIONS:-}" ]; then ctl 1 import_definitions "$COORDINATION_CLUSTER_DEFINITIONS" >/dev/null; fi
    echo "RabbitMQ cluster ready: 3 nodes, data in $folder"
    for n in 1 2 3; do echo "  node $n: $(node_of "$n") amqp://guest:guest@127.0.0.1:$(port_of "$n")/"; done
    ;;
  stop)
    load_state
    for n in 3 2 1; do ctl "$n" stop >/dev/null 2>&1 || true; done
    ;;
  kill)
    load_state
    n=${2:?node 1, 2 or 3}
    # The Erlang VM of the node and nothing else: its pid file names it.
    kill -9 "$(cat "$folder/node$n/pid")"
    echo "killed node $n ($(node_of "$n"))"
    ;;
  restart)
    load_state
    n=${2:?node 1, 2 or 3}
    start_node "$n"
    await_node "$n"
    echo "restarted node $n ($(node_of "$n"))"
    ;;
  ctl)
    load_state; n=${2:?node}; shift 2; ctl "$n" "$@" ;;
  queues)
    load_state; n=${2:?node}; shift 2; queues "$n" "$@" ;;
  *)
    echo "usage: $0 start|stop|kill N|restart N|ctl N ARGS|queues N ARGS" >&2; exit 2 ;;
esac
