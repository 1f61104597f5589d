#!/usr/bin/env python3
"""Writes definitions.json: one broker account per service and per demo agency, least privilege.

Run from anywhere: python3 infra/rabbitmq/generate-definitions.py
Demo passwords are '<account>-demo-password'; production replaces them (and the hashes) from its vault.
"""
import base64, hashlib, json, os, re

TERRITORIES = ["75", "93"]
AGENCIES = ["prosecutor", "jap", "spip", "prison-administration", "police", "local-authority", "association"]
# (account 'svc-<name>', queue prefix): queues are prefixed by the service's namespace, lower-cased
# (Coordination.CourtReporting.Consumers.X -> 'courtreporting-x'; ServiceEndpointNameFormatter).
SERVICES = [("gateway", "gateway"), ("briefings", "briefings"), ("opinions", "opinions"),
            ("supervision", "supervision"), ("court-reporting", "courtreporting")]
# What each service publishes and consumes on the bus, as '<Context>:<Type>' of Coordination.Contracts:
# an account may write only the exchanges of what it publishes and bind only to what it consumes, so
# that no service can, say, designate a person or ask the gateway for a release it has no business
# asking. tests/Coordination.UnitTests/Deployment/BrokerDefinitionsTests.cs checks these lists against
# the message types each service's assembly uses.
PUBLISHES = {
    "gateway": ["Briefings:RecordPenalPolicyBriefing", "Supervision:DesignatePerson", "Supervision:WithdrawDesignation",
                "Supervision:DetentionConductReported", "Supervision:RecordControl", "Supervision:ReportIncident",
                "Opinions:RequestArt41Review", "Opinions:SubmitImplementationIndicators", "Opinions:ContributeToReview",
                "Gateway:ConfidentialPayloadDelivered", "Gateway:ConfidentialPayloadReleased", "Gateway:ConfidentialPayloadDenied"],
    "briefings": ["Briefings:PenalPolicyBriefingRecorded", "Briefings:AnnualBriefingDue", "Briefings:AnnualBriefingOverdue"],
    "supervision": ["Supervision:SupervisionOpened", "Supervision:PartnerAssigned", "Supervision:ControlScheduled",
                    "Supervision:ControlRecorded", "Supervision:IncidentReported", "Supervision:SupervisionEnded",
                    "Supervision:SupervisionPurged", "Gateway:ReleaseConfidentialPayload"],
    "opinions": ["Opinions:Art41ReviewOpened", "Opinions:OpinionAdopted", "Opinions:OpinionTransmitted", "Opinions:OpinionOverdue",
                 "Gateway:ReleaseConfidentialPayload"],
    "court-reporting": ["CourtReporting:CourtReportIssued", "Gateway:ReleaseConfidentialPayload"],
}
CONSUMES = {
    "gateway": ["Gateway:ReleaseConfidentialPayload", "Supervision:SupervisionOpened", "Supervision:PartnerAssigned", "Supervision:SupervisionEnded", "Supervision:SupervisionPurged"],
    "briefings": ["Briefings:RecordPenalPolicyBriefing"],
    "supervision": ["Supervision:DesignatePerson", "Supervision:WithdrawDesignation", "Supervision:DetentionConductReported",
                    "Supervision:RecordControl", "Supervision:ReportIncident"],
    "opinions": ["Opinions:RequestArt41Review", "Opinions:SubmitImplementationIndicators", "Opinions:ContributeToReview",
                 "Gateway:ConfidentialPayloadDenied"],
    "court-reporting": ["Supervision:SupervisionOpened", "Supervision:PartnerAssigned", "Supervision:ControlScheduled",
                        "Supervision:ControlRecorded", "Supervision:IncidentReported", "Supervision:SupervisionEnded",
                        "Supervision:SupervisionPurged"],
}
# The ingress routing keys are message types, '<context>.<message>'.
INGRESS_TYPES = r"^(briefings|opinions|supervision|court-reporting)\.[a-z-]+$"


def password_hash(password: str) -> str:
    # RabbitMQ's rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)); fixed salt keeps the file stable.
    salt = hashlib.sha256(password.encode()).digest()[:4]
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def user(name, tags=""):
    return {"name": name, "password_hash": password_hash(f"{name}-demo-password"),
            "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": tags, "limits": {}}


def esc(s):
    return re.escape(s).replace("\\-", "-")


agencies = [f"{t}-{a}" for t in TERRITORIES for a in AGENCIES]
users, permissions, topic_permissions, queues, exchanges, bindings = [], [], [], [], [], []

exchanges.append({"name": "coordination.ingress", "vhost": "/", "type": "topic", "durable": True,
                  "auto_delete": False, "internal": False, "arguments": {}})
queues.append({"name": "gateway-ingress", "vhost": "/", "durable": True, "auto_delete": False,
               "arguments": {"x-queue-type": "quorum"}})
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

# MassTransit declares its endpoints' queues and exchanges, the message-type exchanges it publishes
# (configure, write) and binds its endpoints to (configure, read: 'Coordination.Contracts.<Context>:<Type>'),
# and one temporary '<host>_<process>_bus_<id>' queue.
BUS = r"[^.]*_bus_[a-z0-9]+"
for service, prefix in SERVICES:
    name = f"svc-{service}"
    users.append(user(name))
    own = rf"{prefix}-[a-z0-9-]+(_error|_skipped)?"

    def type_exchanges(types):
        return "Coordination\\.Contracts\\.(" + "|".join(re.escape(t) for t in sorted(set(types))) + ")"

    published, consumed = type_exchanges(PUBLISHES[service]), type_exchanges(CONSUMES[service])
    declared = type_exchanges(PUBLISHES[service] + CONSUMES[service])
    if service == "gateway":
        permissions.append({"user": name, "vhost": "/",
                            "configure": rf"^({own}|{declared}|{BUS}|coordination\.ingress|agency\..+\.(inbox|rejected))$",
                            # replies go to each agency's inbox and rejection queues through the default exchange
                            "write": rf"^({own}|{published}|{BUS}|amq\.default|agency\..+\.(inbox|rejected))$",
                            "read": rf"^({own}|{consumed}|{BUS}|coordination\.ingress)$"})
    else:
        permissions.append({"user": name, "vhost": "/",
                            "configure": rf"^({own}|{declared}|{BUS})$",
                            "write": rf"^({own}|{published}|{BUS})$",
                            "read": rf"^({own}|{consumed}|{BUS})$"})

# The operators' administrator for the management UI (compose); guest stays for local development only.
users.append(user("coordination-admin", "administrator"))
permissions.append({"user": "coordination-admin", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"})

definitions = {
    "rabbit_version": "3.10.8",
    "users": users,
    "vhosts": [{"name": "/"}],
    "permissions": permissions,
    "topic_permissions": topic_permissions,
    "queues": queues,
    "exchanges": exchanges,
    "bindings": bindings,
    "parameters": [], "global_parameters": [], "policies": [],
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "definitions.json")
with open(path, "w") as f:
    json.dump(definitions, f, indent=2)
    f.write("\n")
print(f"wrote {path}: {len(users)} accounts, {len(queues)} queues")
