#!/usr/bin/env bash
# Builds every service image of infra/services.json from its own Dockerfile, and the demo's, and runs them for
# real under podman, where no registry can be reached: the base images are made here from Debian's packages.
#   1. a Debian bookworm base (debootstrap from the apt mirror, cached in $cache), imported into podman;
#   2. local stand-ins for the official base images, passed as the Dockerfiles' SDK_IMAGE and
#      RUNTIME_IMAGE build arguments: the runtime one is the Debian base with the host's .NET runtime
#      and the official image's 'app' user; the SDK one is the Debian base, the host's SDK mounted
#      read-only while building;
#   3. each service image, and the one-shot demo image (demo/Coordination.Demo, no service of the catalogue),
#      built from the repository root as docker-compose builds them;
#   4. a private RabbitMQ node on a free loopback port with infra/rabbitmq/definitions.json loaded;
#   5. each container started with host networking, SQLite on its own volume, a read-only root
#      filesystem, on the broker under its own account; healthy by its own HEALTHCHECK; then the demo
#      image's 'seed' through the gateway's API (run twice: the second registers nothing); then the
#      console (no broker account, no database, no sealing key), on the services' loopback ports, its
#      development sign-in list from the demo image's 'console-principals';
#   6. the story from a JAP's designation to the court report, over HTTP, against the containers,
#      with tokens from the demo image's 'dev-token', and the console's dashboard showing it to the CDPD
#      secretariat after a demo sign-in.
#
#   infra/containers/run-images.sh          # run it all (idempotent: reruns reuse the cached base and layers)
#   infra/containers/run-images.sh clean    # remove this script's containers and images (the debootstrap cache stays)
# Needs root (debootstrap, podman's storage). Bounded: each wait gives up with the container's log.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
cache="${COORDINATION_CONTAINERS_CACHE:-/var/cache/coordination-containers}"
suite=bookworm
base=localhost/coordination/debian:$suite
runtime=localhost/coordination/dotnet-aspnet:10.0
sdk=localhost/coordination/dotnet-sdk:10.0
services=$(python3 -c 'import json; print(" ".join(s["name"] for s in json.load(open("infra/services.json"))["services"]))')
# The services on the bus (a broker account each), and the console, which has none and calls their APIs.
catalogue() { python3 -c "import json; print(' '.join($1 for s in json.load(open('infra/services.json'))['services']))"; }
bus_services=$(catalogue 's["name"] if s["account"] else ""' | xargs)
consoles=$(catalogue 's["name"] if not s["account"] else ""' | xargs)
# Each step's duration, printed as it ends and summed up at the end.
step_start=$(date +%s); step_name=""; timings=()
step() {
  local now; now=$(date +%s)
  [ -z "$step_name" ] || { timings+=("$step_name: $((now - step_start)) s"); echo "   ($((now - step_start)) s)"; }
  step_name="$*"; step_start=$now
  [ -z "$step_name" ] || echo "== $step_name"
}

mkdir -p "$cache"
# podman on this kind of machine: no ulimits to set in the container (the defaults are refused), and
# runc rather than crun, which refuses a cgroup v1 hierarchy beside a v2 one that has a controller.
export CONTAINERS_CONF="$cache/containers.conf"
printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' > "$CONTAINERS_CONF"

need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v runc >/dev/null 2>&1 || need+=(runc)
ls /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server >/dev/null 2>&1 || need+=(rabbitmq-server)
if [ ${#need[@]} -gt 0 ]; then
  step "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

container() { echo "coordination-$1"; }
demo_image=localhost/coordination/demo:local
remove_containers() {
  for s in $services; do podman rm -f -t 5 "$(container "$s")" >/dev/null 2>&1 || true; done
}
if [ "${1:-}" = clean ]; then
  remove_containers
  for s in $services; do podman rmi -f "localhost/coordination/$s:local" >/dev/null 2>&1 || true; done
  podman rmi -f "$demo_image" >/dev/null 2>&1 || true
  podman rmi -f "$sdk" "$runtime" "$base" >/dev/null 2>&1 || true
  exit 0
fi

# 1. The Debian base, from the mirror apt uses (the deb822 sources or sources.list).
if ! podman image exists "$base"; then
  if [ ! -s "$cache/debian-$suite.tar" ]; then
    mirror=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
    [ -n "$mirror" ] || mirror=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -1 || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    step "debootstrap $suite from $mirror"
    rm -rf "$cache/rootfs"
    # What the official runtime-deps image installs, no more.
    debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,tzdata,zlib1g,libgssapi-krb5-2 \
      "$suite" "$cache/rootfs" "$mirror" > "$cache/debootstrap.log" 2>&1 || { tail -20 "$cache/debootstrap.log"; exit 1; }
    rm -rf "$cache/rootfs/var/cache/apt/archives/"*.deb "$cache/rootfs/var/lib/apt/lists/"*
    tar -C "$cache/rootfs" -cf "$cache/debian-$suite.tar.tmp" .
    mv "$cache/debian-$suite.tar.tmp" "$cache/debian-$suite.tar"
    rm -rf "$cache/rootfs"
  fi
  step "podman import $base"
  podman import --change 'CMD ["/bin/bash"]' "$cache/debian-$suite.tar" "$base" >/dev/null
fi

# 2. The stand-ins for mcr.microsoft.com/dotnet/aspnet:10.0 and sdk:10.0.
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime_version=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -1)
context="$cache/runtime-context"
if [ "$(cat "$context/version" 2>/dev/null)" != "$runtime_version" ]; then
  rm -rf "$context" && mkdir -p "$context/dotnet"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/shared" "$context/dotnet/"
  cp -a "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$context/dotnet/" 2>/dev/null || true
  echo "$runtime_version" > "$context/version"
fi
step "local base images (ASP.NET Core runtime $runtime_version, SDK $(dotnet --version))"
podman build -q --format docker --build-arg BASE_IMAGE="$base" -f infra/containers/Containerfile.runtime -t "$runtime" "$context" >/dev/null
podman build -q --format docker --build-arg BASE_IMAGE="$base" -f infra/containers/Containerfile.sdk -t "$sdk" infra/containers >/dev/null

# 3. The images, each from its Dockerfile (docker format: an OCI image would drop the HEALTHCHECK). The
# restore finds the packages in the host's cache, and trusts the certificates the host trusts.
nuget="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
mkdir -p "$nuget"
for s in $services; do
  project=$(python3 -c "import json,sys; print([x['project'] for x in json.load(open('infra/services.json'))['services'] if x['name']=='$s'][0])")
  step "podman build $s ($(dirname "$project")/Dockerfile)"
  podman build -q --format docker --network host \
    --volume "$dotnet_root:/usr/share/dotnet:ro" --volume "$nuget:/root/.nuget/packages" --volume /etc/ssl/certs:/etc/ssl/certs:ro \
    --build-arg SDK_IMAGE="$sdk" --build-arg RUNTIME_IMAGE="$runtime" \
    -f "$(dirname "$project")/Dockerfile" -t "localhost/coordination/$s:local" . >/dev/null
done
step "podman build demo (demo/Coordination.Demo/Dockerfile)"
podman build -q --format docker --network host \
  --volume "$dotnet_root:/usr/share/dotnet:ro" --volume "$nuget:/root/.nuget/packages" --volume /etc/ssl/certs:/etc/ssl/certs:ro \
  --build-arg SDK_IMAGE="$sdk" --build-arg RUNTIME_IMAGE="$runtime" \
  -f demo/Coordination.Demo/Dockerfile -t "$demo_image" . >/dev/null

# 4. A private RabbitMQ node on a free loopback port, with the accounts of definitions.json.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
run=$(mktemp -d "${TMPDIR:-/tmp}/coordination-images-XXXXXX")
amqp=$(free_port)
node="coordination-images$amqp@localhost"
sbin=$(ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin 2>/dev/null | sort -V | tail -1)
[ -n "$sbin" ] || { echo "rabbitmq-server is not installed: apt-get install -y rabbitmq-server" >&2; exit 1; }
mkdir -p "$run/broker" && echo "[]." > "$run/broker/enabled_plugins"
broker_env=(RABBITMQ_NODENAME="$node" RABBITMQ_NODE_PORT="$amqp" RABBITMQ_DIST_PORT="$(free_port)"
  RABBITMQ_MNESIA_BASE="$run/broker/mnesia" RABBITMQ_LOG_BASE="$run/broker/log"
  RABBITMQ_ENABLED_PLUGINS_FILE="$run/broker/enabled_plugins" RABBITMQ_PID_FILE="$run/broker/pid" HOME="$run/broker")
ctl() { env "${broker_env[@]}" "$sbin/rabbitmqctl" -n "$node" "$@"; }
cleanup() {
  status=$?
  if [ "$status" -ne 0 ]; then
    for s in $services; do
      echo "--- $(container "$s"): $(podman inspect --format '{{.State.Status}} {{.State.Health.Status}}' "$(container "$s")" 2>/dev/null || echo absent)"
      podman logs --tail 30 "$(container "$s")" 2>&1 | sed 's/^/    /' || true
    done
  fi
  remove_containers
  ctl stop >/dev/null 2>&1 || true
  rm -rf "$run"
  exit "$status"
}
trap cleanup EXIT
remove_containers
step "RabbitMQ node $node on 127.0.0.1:$amqp"
env "${broker_env[@]}" "$sbin/rabbitmq-server" -detached
for i in $(seq 1 60); do ctl await_startup --timeout 10 >/dev/null 2>&1 && break; [ "$i" -lt 60 ] || { echo "RabbitMQ did not start" >&2; exit 1; }; sleep 1; done
ctl import_definitions "$repo/infra/rabbitmq/definitions.json" >/dev/null

# 5. The containers: the gateway first (it makes the development signing key every service trusts,
# and publishes the public key the others seal for), then the others.
declare -A port
mkdir -p "$run/dev-keys" "$run/public-keys"
start() {
  local s=$1 p
  p=$(free_port); port[$s]=$p
  local args=(--name "$(container "$s")" -d --network host --read-only
    -e ASPNETCORE_ENVIRONMENT=Development -e ASPNETCORE_URLS="http://127.0.0.1:$p"
    -e Messaging__Transport=RabbitMq -e Messaging__ConsumeTopologyFromBroker=true
    -e Messaging__RabbitMqUrl="amqp://svc-$s:svc-$s-demo-password@127.0.0.1:$amqp/"
    -e Database__Provider=Sqlite -e Authentication__DevelopmentKeyFile=/keys/dev-signing-key.pem
    -e Sealing__KeyDirectory=/sealing-keys -e Sealing__PublicKeyDirectory=/public-keys -e Audit__CheckpointDirectory=/audit-checkpoints
    -v "$run/$s/data:/data" -v "$run/dev-keys:/keys")
  mkdir -p "$run/$s/data"
  local owners reads
  owners=$(python3 -c "import json; print(' '.join([x for x in json.load(open('infra/services.json'))['services'] if x['name']=='$s'][0]['keyOwners']))")
  reads=$(python3 -c "import json; print(' '.join([x for x in json.load(open('infra/services.json'))['services'] if x['name']=='$s'][0]['readsPublicKeysOf']))")
  # Its own key folder, and a public folder per owner it is, where it publishes the public halves
  # (the root filesystem, /public-keys included, is read-only, as in infra/k8s).
  if [ -n "$owners" ]; then
    mkdir -p "$run/$s/sealing-keys"
    args+=(-v "$run/$s/sealing-keys:/sealing-keys")
  fi
  for o in $owners; do mkdir -p "$run/public-keys/$o"; args+=(-v "$run/public-keys/$o:/public-keys/$o"); done
  for o in $reads; do mkdir -p "$run/public-keys/$o"; args+=(-v "$run/public-keys/$o:/public-keys/$o:ro"); done
  if [ "$s" = gateway ]; then mkdir -p "$run/$s/audit"; args+=(-v "$run/$s/audit:/audit-checkpoints"); fi
  # The image's user (APP_UID 1654) owns what it writes, as named volumes would give it.
  chown -R 1654:1654 "$run"
  # (No systemd here to time the health checks: healthy() runs them; podman's complaint about it is dropped.)
  podman run "${args[@]}" "localhost/coordination/$s:local" 2> >(grep -v 'systemd connection' >&2) >/dev/null
}
# The console: only the development token key (read-only: the gateway made it), the key ring of its
# session cookies, and the address of each API it calls.
start_console() {
  local s=$1 p api
  p=$(free_port); port[$s]=$p
  local args=(--name "$(container "$s")" -d --network host --read-only
    -e ASPNETCORE_ENVIRONMENT=Development -e ASPNETCORE_URLS="http://127.0.0.1:$p"
    -e Authentication__DevelopmentKeyFile=/keys/dev-signing-key.pem -e Console__KeyRingDirectory=/key-ring
    --env-file "$run/console-principals.env"
    -v "$run/dev-keys:/keys:ro" -v "$run/$s/key-ring:/key-ring")
  for api in $(catalogue "' '.join(s['callsApisOf']) if s['name']=='$s' else ''"); do
    args+=(-e "Console__Apis__$api=http://127.0.0.1:${port[$api]}")
  done
  mkdir -p "$run/$s/key-ring"
  chown -R 1654:1654 "$run/$s"
  podman run "${args[@]}" "localhost/coordination/$s:local" 2> >(grep -v 'systemd connection' >&2) >/dev/null
}
healthy() {
  local s=$1 c; c=$(container "$s")
  for _ in $(seq 1 60); do
    [ "$(podman inspect --format '{{.State.Running}}' "$c")" = true ] || { echo "$c stopped" >&2; return 1; }
    # Runs the image's own HEALTHCHECK command now (no systemd timer runs it here) and records the result.
    if podman healthcheck run "$c" >/dev/null 2>&1 && [ "$(podman inspect --format '{{.State.Health.Status}}' "$c")" = healthy ]; then
      return 0
    fi
    sleep 2
  done
  echo "$c never became healthy" >&2; return 1
}
# The demo image, one-shot (--rm): the development token key read-only (the gateway made it), the services' addresses.
demo() {
  podman run --rm --network host --read-only -e ASPNETCORE_ENVIRONMENT=Development \
    -e Authentication__DevelopmentKeyFile=/keys/dev-signing-key.pem -v "$run/dev-keys:/keys:ro" \
    -e Demo__GatewayUrl="http://127.0.0.1:${port[gateway]}" -e Demo__SupervisionUrl="http://127.0.0.1:${port[supervision]}" \
    "$demo_image" "$@" 2> >(grep -v 'systemd connection' >&2)
}
step "start the containers, each until healthy"
start gateway
healthy gateway
for s in $bus_services; do [ "$s" = gateway ] || start "$s"; done
for s in $bus_services; do
  [ "$s" = gateway ] || healthy "$s"
  echo "   $(container "$s"): $(podman inspect --format '{{.State.Health.Status}}' "$(container "$s")") by its HEALTHCHECK," \
    "http://127.0.0.1:${port[$s]}, amqp as svc-$s, user $(podman exec "$(container "$s")" id -u), root filesystem read-only"
done
step "the demo data, through the gateway's API (the demo image's seed, twice)"
demo seed | sed 's/^/   /'
again=$(demo seed)
[ "$again" = "demo data already in place: nothing registered" ] || { echo "a second seed changed something: $again" >&2; exit 1; }
echo "   a second seed: $again"
demo console-principals > "$run/console-principals.env"
for s in $consoles; do
  start_console "$s"
  healthy "$s"
  echo "   $(container "$s"): $(podman inspect --format '{{.State.Health.Status}}' "$(container "$s")") by its HEALTHCHECK," \
    "http://127.0.0.1:${port[$s]}, no broker account, user $(podman exec "$(container "$s")" id -u), root filesystem read-only"
done

# 6. The story, as SupervisionToCourtReportsTests tells it, against the containers.
token() { demo dev-token "$1"; }
url() { echo "http://127.0.0.1:${port[$1]}"; }
step "the story, from a designation to the court report"
jap=$(token jap-75); operator=$(token secretariat-75)
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
poll() { # poll <what> <command...>: until the command prints something non-empty, 90 s at most
  local what=$1 out; shift
  for _ in $(seq 1 90); do out=$("$@" 2>/dev/null || true); [ -n "$out" ] && { echo "$out"; return 0; }; sleep 1; done
  echo "timed out waiting for $what" >&2; return 1
}
designation=$(python3 -c "import json,uuid; d=json.load(open('contracts/Coordination.Contracts/Schemas/examples/supervision.designate-person.json')); d['messageId']=str(uuid.uuid4()); print(json.dumps(d))")
curl -s --fail-with-body -X POST "$(url gateway)/ingress/supervision.designate-person" -H "Authorization: Bearer $jap" \
  -H 'Content-Type: application/json' -d "$designation" >/dev/null
echo "   the JAP of Paris designates a person at the gateway (HTTP ingress)"
open_case() { curl -sf -H "Authorization: Bearer $operator" "$(url supervision)/supervision/cases" | json '[c["person"] for c in d if c["status"]=="open"][0] if any(c["status"]=="open" for c in d) else ""'; }
person=$(poll "the case opened in Supervision" open_case)
echo "   Supervision opened case $person (forwarded by the gateway over RabbitMQ)"
curl -s --fail-with-body -X POST "$(url supervision)/supervision/cases/$person/partners" -H "Authorization: Bearer $operator" \
  -H 'Content-Type: application/json' -d '{"partner":"75-association"}' >/dev/null
pictured() { curl -sf -H "Authorization: Bearer $operator" "$(url court-reporting)/court-reporting/jurisdictions/tj-paris" | json "'yes' if any(c['person']=='$person' and c['partners'] for c in d['openCases']) else ''"; }
poll "the case and its partner in CourtReporting's picture of tj-paris" pictured >/dev/null
echo "   CourtReporting's picture of tj-paris holds the case and its partner"
curl -s --fail-with-body -X POST "$(url court-reporting)/court-reporting/jurisdictions/tj-paris/reports" -H "Authorization: Bearer $operator" >/dev/null
released() { curl -sf -H "Authorization: Bearer $operator" "$(url court-reporting)/court-reporting/reports?jurisdiction=tj-paris" | json "' '.join(str(r['number']) for r in d if r['status']=='released')"; }
number=$(poll "the report released by the gateway" released)
echo "   report $number of tj-paris issued and released"
inbox() { curl -sf -H "Authorization: Bearer $jap" "$(url gateway)/egress/inbox" | grep -o '"court-reporting.report"' | head -1; }
poll "the report in the JAP's mailbox" inbox >/dev/null
echo "   the report is in the mailbox of 75-jap (sealed for its key)"

# The console, as the CDPD secretariat of Paris sees it: the demo sign-in (Development), then the dashboard,
# drawn from the five APIs with the user's token. Its cookies are Secure-only: sent by hand over the loopback.
for s in $consoles; do
  step "the dashboard of $s after a demo sign-in"
  page="$run/$s/page"; headers="$run/$s/headers"
  curl -sf -D "$headers" -o "$page" "$(url "$s")/console/connexion-demo"
  antiforgery=$(grep -io '^set-cookie: coordination-console-antiforgery=[^;]*' "$headers" | cut -d' ' -f2)
  field=$(grep -o 'name="__jeton" type="hidden" value="[^"]*"' "$page" | sed 's/.*value="//; s/"$//')
  [ -n "$antiforgery" ] && [ -n "$field" ] || { echo "$s: no anti-forgery token on the demo sign-in page" >&2; exit 1; }
  code=$(curl -s -D "$headers" -o /dev/null -w '%{http_code}' -X POST "$(url "$s")/console/connexion-demo" -H "Cookie: $antiforgery" \
    --data-urlencode principal=secretariat-75 --data-urlencode "__jeton=$field")
  [ "$code" = 302 ] || { echo "$s: the demo sign-in answered $code, not 302" >&2; exit 1; }
  session=$(grep -io '^set-cookie: coordination-console=[^;]*' "$headers" | cut -d' ' -f2)
  [ -n "$session" ] || { echo "$s: no session cookie after the demo sign-in" >&2; exit 1; }
  code=$(curl -s -o "$page" -w '%{http_code}' -H "Cookie: $session" "$(url "$s")/")
  [ "$code" = 200 ] || { echo "$s: the dashboard answered $code" >&2; exit 1; }
  # The rules in force from the gateway, the report just issued from CourtReporting, and no API refused or unreachable.
  grep -q 'id="regles-version-75"' "$page" || { echo "$s: no rules of 75 on the dashboard" >&2; exit 1; }
  grep -q "href=\"/console/rapports/tj-paris/$number\"" "$page" \
    || { echo "$s: report $number of tj-paris not on the dashboard" >&2; exit 1; }
  if grep -q 'class="alerte"' "$page"; then
    echo "$s: the dashboard shows a refusal: $(grep -o 'class="alerte">[^<]*' "$page" | head -3)" >&2; exit 1
  fi
  echo "   $s: secretariat-75 signed in; the dashboard shows the rules of 75 and report $number of tj-paris, no refusal"
done
step ""
echo "run-images: $(echo "$services" | wc -w) images built, healthy by their HEALTHCHECK; story passed: designation -> case ->" \
  "partner -> court report in the JAP's mailbox, shown on the console's dashboard"
printf '   %s\n' "${timings[@]}"
