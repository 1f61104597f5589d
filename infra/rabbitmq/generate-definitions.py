#!/usr/bin/env python3
"""Writes definitions.json: one broker account per service and per demo agency, least privilege.

  python3 infra/rabbitmq/generate-definitions.py --demo
      the committed infra/rabbitmq/definitions.json of the compose demo: every password is
      '<account>-demo-password', known to anyone who reads this file.
  python3 infra/rabbitmq/generate-definitions.py --out DIR
      production definitions in DIR/definitions.json. Each account's password comes from the
      environment, RABBITMQ_PASSWORD_<ACCOUNT> (upper-snake: svc-court-reporting ->
      RABBITMQ_PASSWORD_SVC_COURT_REPORTING, 75-jap -> RABBITMQ_PASSWORD_75_JAP), or is generated at
      random; the generated ones are written to DIR/generated-passwords.txt (mode 0600) for the vault.
      Neither file belongs in the repository.
  python3 infra/rabbitmq/generate-definitions.py --out DIR --directory EXPORT.json
      the agencies' accounts from the gateway's directory rather than the demo's: EXPORT.json is
      what GET /directory/export answers the CDPD secretariat (docs/agency-integration.md). Each
      active agency gets its account, its inbox and rejection queues and its ingress permissions;
      a retired agency is absent, so loading the new file (rabbitmqctl import_definitions) keeps its
      queues but the account must be deleted by hand (rabbitmqctl delete_user <account>).

The broker owns the topology between services: each message-type exchange is declared here and by
the one service that publishes it, and each consumer's binding to it is declared here, so that a
consumer (Messaging:ConsumeTopologyFromBroker=true) needs no permission at all on an exchange it does
not own, and cannot delete it (docs/adr/0011-fail-closed-outside-development.md).
"""
import argparse, base64, hashlib, json, os, re, secrets, sys

TERRITORIES = ["75", "93"]
AGENCIES = ["prosecutor", "jap", "spip", "prison-administration", "police", "local-authority", "association"]
# (account 'svc-<name>', queue prefix): queues are prefixed by the service's namespace, lower-cased
# (Coordination.CourtReporting.Consumers.X -> 'courtreporting-x'; ServiceEndpointNameFormatter).
# The services and their prefixes come from infra/services.json, the one list of the platform's services;
# those without a broker account (the console, a backend-for-frontend that only calls the APIs) get none here.
CATALOGUE = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "services.json")))["services"]
SERVICES = [(svc["name"], svc["queuePrefix"]) for svc in CATALOGUE if svc["account"]]
# What each service publishes and consumes on the bus, as '<Context>:<Type>' of Coordination.Contracts, from the
# catalogue too (its "publishes" and "consumes"). A message-type exchange is owned by the one service that
# publishes it: only that account may configure (declare, delete) and write it. A consumer gets nothing on it:
# the binding from the type exchange to the consumer's endpoint exchange ('<prefix>-<message-type-in-kebab-case>')
# is declared here, by the broker. tests/Coordination.UnitTests/Deployment/BrokerDefinitionsTests.cs checks these
# lists against the consumers each service registers and the message types its assembly uses.
PUBLISHES = {svc["name"]: svc["publishes"] for svc in CATALOGUE if svc["account"]}
CONSUMES = {svc["name"]: svc["consumes"] for svc in CATALOGUE if svc["account"]}
# Release requests do not go on a shared type exchange (any requester could read or delete another's):
# each requesting service sends to its own lane, a fanout exchange the gateway owns and consumes
# ('gateway-…', within the gateway's prefix), and may write only that one.
RELEASE_REQUESTERS = ["supervision", "opinions", "court-reporting"]
# The ingress routing keys are message types, '<context>.<message>'.
INGRESS_TYPES = r"^(briefings|opinions|supervision|court-reporting)\.[a-z-]+$"


def lane(service):
    return f"gateway-release-from-{service}"


def endpoint_of(prefix, message_type):
    # ServiceEndpointNameFormatter: '<prefix>-' + the consumer's name in kebab case, and each consumer is '<Type>Consumer'.
    name = message_type.split(":")[1]
    return f"{prefix}-" + re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def password_hash(password: str, salt: bytes) -> str:
    # RabbitMQ's rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)).
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def env_name(account):
    return "RABBITMQ_PASSWORD_" + re.sub(r"[^A-Za-z0-9]", "_", account).upper()


def esc(s):
    return re.escape(s).replace("\\-", "-")


parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--demo", action="store_true", help="demo passwords '<account>-demo-password' (the committed file)")
parser.add_argument("--out", help="folder for definitions.json (and generated-passwords.txt); default: beside this script, --demo only")
parser.add_argument("--directory", help="the gateway's GET /directory/export answer (JSON): the agencies to give accounts to")
args = parser.parse_args()
here = os.path.dirname(os.path.abspath(__file__))
if not args.demo and not args.out:
    sys.exit("production definitions need --out DIR (outside the repository); the committed file is the demo's: --demo")
out = os.path.abspath(args.out or here)
generated = {}


def user(name, tags=""):
    if args.demo:
        # A fixed salt keeps the committed file stable from one run to the next.
        password, salt = f"{name}-demo-password", hashlib.sha256(f"{name}-demo-password".encode()).digest()[:4]
    else:
        password, salt = os.environ.get(env_name(name)), secrets.token_bytes(4)
        if not password:
            password = secrets.token_urlsafe(24)
            generated[name] = password
    return {"name": name, "password_hash": password_hash(password, salt),
            "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": tags, "limits": {}}


def exchange(name, type_="fanout"):
    return {"name": name, "vhost": "/", "type": type_, "durable": True, "auto_delete": False, "internal": False, "arguments": {}}


AGENCY_ID = re.compile(r"^(?:[0-9]{2}|2A|2B|97[1-6])-[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


def directory_agencies(path):
    # The export is the gateway's answer, but it becomes account names and queue names here: each is
    # held to the agency id rule again (docs/agency-integration.md), and a file with any other is refused.
    with open(path) as f:
        export = json.load(f)
    accounts = [a.get("account") for a in export.get("agencies", [])]
    bad = [a for a in accounts if not isinstance(a, str) or len(a) > 44 or not AGENCY_ID.match(a)]
    if bad:
        sys.exit(f"{path}: {len(bad)} agency account(s) outside the agency id rule; nothing written")
    return sorted(set(accounts))


agencies = directory_agencies(args.directory) if args.directory else [f"{t}-{a}" for t in TERRITORIES for a in AGENCIES]
users, permissions, topic_permissions, queues, exchanges, bindings = [], [], [], [], [], []

exchanges.append(exchange("coordination.ingress", "topic"))
# As AmqpIngressListener declares it: bounded redeliveries of a message the gateway fails on, then
# the dead-letter queue operators watch (a declaration with other arguments is refused).
INGRESS_DELIVERY_LIMIT = 5
queues.append({"name": "gateway-ingress", "vhost": "/", "durable": True, "auto_delete": False,
               "arguments": {"x-queue-type": "quorum", "x-delivery-limit": INGRESS_DELIVERY_LIMIT,
                             "x-dead-letter-exchange": "gateway-ingress-dead-letter"}})
exchanges.append({"name": "gateway-ingress-dead-letter", "vhost": "/", "type": "fanout", "durable": True,
                  "auto_delete": False, "internal": False, "arguments": {}})
queues.append({"name": "gateway-ingress-dead-letter", "vhost": "/", "durable": True, "auto_delete": False,
               "arguments": {"x-queue-type": "quorum"}})
bindings.append({"source": "gateway-ingress-dead-letter", "vhost": "/", "destination": "gateway-ingress-dead-letter",
                 "destination_type": "queue", "routing_key": "", "arguments": {}})
bindings.append({"source": "coordination.ingress", "vhost": "/", "destination": "gateway-ingress",
                 "destination_type": "queue", "routing_key": "#", "arguments": {}})

for agency in agencies:
    users.append(user(agency))
    for box in ("inbox", "rejected"):
        queues.append({"name": f"agency.{agency}.{box}", "vhost": "/", "durable": True, "auto_delete": False,
                       "arguments": {"x-queue-type": "quorum"}})
    # An agency declares nothing, writes only to the ingress, reads only its own inbox and rejections.
    permissions.append({"user": agency, "vhost": "/", "configure": "^$",
                        "write": r"^coordination\.ingress$",
                        "read": rf"^agency\.{esc(agency)}\.(inbox|rejected)$"})
    topic_permissions.append({"user": agency, "vhost": "/", "exchange": "coordination.ingress",
                              "write": INGRESS_TYPES, "read": "^$"})

# The message-type exchanges, as MassTransit declares them (fanout, durable), and each consumer's
# binding: type exchange -> the consumer's endpoint exchange (which its service declares and binds
# to its queue, both within its own prefix).
prefixes = dict(SERVICES)
for t in sorted({t for ts in PUBLISHES.values() for t in ts} | {t for ts in CONSUMES.values() for t in ts}):
    exchanges.append(exchange(f"Coordination.Contracts.{t}"))
for service, types in CONSUMES.items():
    for t in types:
        endpoint = endpoint_of(prefixes[service], t)
        exchanges.append(exchange(endpoint))
        bindings.append({"source": f"Coordination.Contracts.{t}", "vhost": "/", "destination": endpoint,
                         "destination_type": "exchange", "routing_key": "", "arguments": {}})
        # The endpoint's queue and its binding too, declared as MassTransit declares them (quorum, Messaging:QuorumQueues):
        # a message published before the consumer's first start (the gateway's directory, seeded at its own first
        # start) waits in the queue instead of reaching an exchange bound to nothing.
        queues.append({"name": endpoint, "vhost": "/", "durable": True, "auto_delete": False,
                       "arguments": {"x-queue-type": "quorum"}})
        bindings.append({"source": endpoint, "vhost": "/", "destination": endpoint,
                         "destination_type": "queue", "routing_key": "", "arguments": {}})

# MassTransit declares its endpoints' queues and exchanges (own prefix), the message-type exchanges it
# publishes (configure, write), and one temporary bus queue and exchange, named by its service
# ('<prefix>_bus_<id>', MessagingExtensions) so that an account reaches only its own.
for service, prefix in SERVICES:
    name = f"svc-{service}"
    users.append(user(name))
    own = rf"{prefix}-[a-z0-9-]+(_error|_skipped)?"
    bus = rf"{prefix}_bus_[a-z0-9]+"
    published = "Coordination\\.Contracts\\.(" + "|".join(re.escape(t) for t in sorted(set(PUBLISHES[service]))) + ")"
    # Its own release lane: MassTransit's send declares the exchange (configure), then writes to it.
    release = [esc(lane(service))] if service in RELEASE_REQUESTERS else []
    sends = "|".join([own, published, bus] + release)
    if service == "gateway":
        permissions.append({"user": name, "vhost": "/",
                            "configure": rf"^({sends}|coordination\.ingress|agency\..+\.(inbox|rejected))$",
                            # replies go to each agency's inbox and rejection queues through the default exchange
                            "write": rf"^({sends}|amq\.default|agency\..+\.(inbox|rejected))$",
                            "read": rf"^({own}|{bus}|coordination\.ingress)$"})
    else:
        permissions.append({"user": name, "vhost": "/", "configure": rf"^({sends})$", "write": rf"^({sends})$",
                            "read": rf"^({own}|{bus})$"})

# The operators' administrator for the management UI (compose); guest stays for local development only.
users.append(user("coordination-admin", "administrator"))
permissions.append({"user": "coordination-admin", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"})

# A message that failed every retry waits in its endpoint's '_error' queue for operators; it may name
# a person, and a purge does not reach into queues. None is kept longer than this, shorter than
# Supervision's retention period (Supervision:RetentionPeriod, 365 days by default; ADR 14).
ERROR_QUEUE_TTL_MS = 7 * 24 * 3600 * 1000
policies = [{"vhost": "/", "name": "error-queues-expire", "pattern": "_error$", "apply-to": "queues", "priority": 0,
             "definition": {"message-ttl": ERROR_QUEUE_TTL_MS}}]

definitions = {
    "rabbit_version": "3.10.8",
    "users": users,
    "vhosts": [{"name": "/"}],
    "permissions": permissions,
    "topic_permissions": topic_permissions,
    "queues": queues,
    "exchanges": exchanges,
    "bindings": bindings,
    "parameters": [], "global_parameters": [], "policies": policies,
}
os.makedirs(out, exist_ok=True)
path = os.path.join(out, "definitions.json")
with open(path, "w") as f:
    json.dump(definitions, f, indent=2)
    f.write("\n")
print(f"wrote {path}: {len(users)} accounts, {len(queues)} queues")
if generated:
    secrets_path = os.path.join(out, "generated-passwords.txt")
    # Created 0600 before anything is written to it: the passwords are never readable by others.
    fd = os.open(secrets_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(secrets_path, 0o600)
    with os.fdopen(fd, "w") as f:
        for account, password in generated.items():
            f.write(f"{env_name(account)}={password}\n")
    print(f"wrote {secrets_path}: {len(generated)} generated passwords (mode 0600; put them in the vault, then delete it)")
