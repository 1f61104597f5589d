#!/usr/bin/env python3
"""Writes the Kubernetes manifests of infra/k8s from infra/services.json, the one list of services.

  python3 infra/k8s/generate.py            # rewrites infra/k8s/<service>.yaml, rabbitmq.yaml, namespace.yaml
  python3 infra/k8s/generate.py --out DIR  # the same files in DIR (the tests compare them with the committed ones)

Production manifests (ASPNETCORE_ENVIRONMENT=Production, fail closed: ADR 11): nothing secret is in
them. They name the Secrets an operator creates from the vault (infra/k8s/README.md):
  <service>-broker           key 'url': amqp://svc-<service>:<password>@rabbitmq:5672/ (generate-definitions.py --out)
  <service>-database         key 'connection-string': the service's own SQL Server login and database
  <owner>-sealing-key        the private sealing keys of one owner (<keyId>.pem), mounted only by the
                             service that is that owner (infra/services.json 'keyOwners')
  rabbitmq-definitions       key 'definitions.json' (password hashes), rabbitmq-erlang-cookie key 'cookie'
  console-oidc               key 'client-secret': the console's client secret at the identity provider
and the ConfigMaps of public material: identity-provider-keys (the token signing keys), and
<owner>-public-keys (the public halves of an owner's sealing keys, read by the services that seal for it),
console-oidc (keys 'authority', 'client-id', 'api-scope': how the console signs users in).
tests/Coordination.UnitTests/Deployment/KubernetesManifestTests.cs checks what comes out.
"""
import argparse, json, os
import yaml

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
catalogue = json.load(open(os.path.join(root, "infra", "services.json")))["services"]
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--out", help="folder to write to (default: infra/k8s)")
out = os.path.abspath(parser.parse_args().out or here)
NAMESPACE = "coordination"
REGISTRY = "registry.example.org/coordination"
APP_UID = 1654  # the official aspnet image's 'app' user, which the Dockerfiles run as
RABBITMQ_REPLICAS = 3
NODES = [f"rabbitmq-{i}.rabbitmq-nodes.{NAMESPACE}.svc.cluster.local:5672" for i in range(RABBITMQ_REPLICAS)]


def labels(name, component="service"):
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "coordination", "app.kubernetes.io/component": component}


def secret_env(name, secret, key):
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def deployment(s):
    name = s["name"]
    env = [
        {"name": "ASPNETCORE_ENVIRONMENT", "value": "Production"},
        {"name": "ASPNETCORE_URLS", "value": "http://+:8080"},
        {"name": "Messaging__Transport", "value": "RabbitMq"},
        secret_env("Messaging__RabbitMqUrl", f"{name}-broker", "url"),
        *({"name": f"Messaging__ClusterNodes__{i}", "value": n} for i, n in enumerate(NODES)),
        {"name": "Messaging__ConsumeTopologyFromBroker", "value": "true"},
        {"name": "Database__Provider", "value": "SqlServer"},
        secret_env(f"ConnectionStrings__{name}", f"{name}-database", "connection-string"),
        {"name": "Authentication__SigningKeyFiles__0", "value": "/identity-provider/signing-key.pub.pem"},
        {"name": "Sealing__KeyDirectory", "value": "/sealing-keys"},
        {"name": "Sealing__PublicKeyDirectory", "value": "/public-keys"},
        {"name": "OTEL_SERVICE_NAME", "value": f"coordination-{name}"},
    ]
    mounts = [{"name": "tmp", "mountPath": "/tmp"},
              {"name": "identity-provider-keys", "mountPath": "/identity-provider", "readOnly": True}]
    volumes = [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
               {"name": "identity-provider-keys", "configMap": {"name": "identity-provider-keys"}}]
    if name == "gateway":
        env.append({"name": "Audit__CheckpointDirectory", "value": "/audit-checkpoints"})
        # Agencies register their public keys at runtime: the gateway's key folder keeps them, its own
        # private keys mounted into it from their Secrets.
        mounts += [{"name": "agency-public-keys", "mountPath": "/sealing-keys"},
                   {"name": "audit-checkpoints", "mountPath": "/audit-checkpoints"}]
        volumes += [{"name": "agency-public-keys", "persistentVolumeClaim": {"claimName": "gateway-agency-public-keys"}},
                    {"name": "audit-checkpoints", "persistentVolumeClaim": {"claimName": "gateway-audit-checkpoints"}}]
    else:
        mounts.append({"name": "sealing-keys", "mountPath": "/sealing-keys"})
        volumes.append({"name": "sealing-keys", "emptyDir": {"sizeLimit": "1Mi"}})
    for owner in s["keyOwners"]:
        mounts.append({"name": f"{owner}-sealing-key", "mountPath": f"/sealing-keys/{owner}", "readOnly": True})
        volumes.append({"name": f"{owner}-sealing-key", "secret": {"secretName": f"{owner}-sealing-key", "defaultMode": 0o400}})
    for owner in s["keyOwners"] + s["readsPublicKeysOf"]:
        mounts.append({"name": f"{owner}-public-keys", "mountPath": f"/public-keys/{owner}", "readOnly": True})
        volumes.append({"name": f"{owner}-public-keys", "configMap": {"name": f"{owner}-public-keys"}})
    return workload(name, env, mounts, volumes, "192Mi", "512Mi")


def console_deployment(s):
    """The web console: a backend-for-frontend. No broker account, no database, no sealing key: the
    services' APIs (their Services), the identity provider's settings, and the key ring its instances share."""
    name = s["name"]
    env = [
        {"name": "ASPNETCORE_ENVIRONMENT", "value": "Production"},
        {"name": "ASPNETCORE_URLS", "value": "http://+:8080"},
        *({"name": f"Console__Apis__{api}", "value": f"http://{api}"} for api in s["callsApisOf"]),
        {"name": "Console__Oidc__Authority", "valueFrom": {"configMapKeyRef": {"name": "console-oidc", "key": "authority"}}},
        {"name": "Console__Oidc__ClientId", "valueFrom": {"configMapKeyRef": {"name": "console-oidc", "key": "client-id"}}},
        {"name": "Console__Oidc__Scopes__0", "valueFrom": {"configMapKeyRef": {"name": "console-oidc", "key": "api-scope"}}},
        secret_env("Console__Oidc__ClientSecret", "console-oidc", "client-secret"),
        # The session cookie is encrypted with this key ring: every instance reads the others' cookies.
        {"name": "Console__KeyRingDirectory", "value": "/key-ring"},
        # The token signing key's public half: the demo sign-in (Development only) never exists with it.
        {"name": "Authentication__SigningKeyFiles__0", "value": "/identity-provider/signing-key.pub.pem"},
        {"name": "OTEL_SERVICE_NAME", "value": f"coordination-{name}"},
    ]
    mounts = [{"name": "tmp", "mountPath": "/tmp"},
              {"name": "identity-provider-keys", "mountPath": "/identity-provider", "readOnly": True},
              {"name": "key-ring", "mountPath": "/key-ring"}]
    volumes = [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
               {"name": "identity-provider-keys", "configMap": {"name": "identity-provider-keys"}},
               {"name": "key-ring", "persistentVolumeClaim": {"claimName": "console-key-ring"}}]
    return workload(name, env, mounts, volumes, "128Mi", "384Mi")


def workload(name, env, mounts, volumes, memory_request, memory_limit):
    container = {
        "name": name,
        "image": f"{REGISTRY}/{name}:1.0.0",
        "ports": [{"name": "http", "containerPort": 8080}],
        "env": env,
        "readinessProbe": {"httpGet": {"path": "/health/ready", "port": "http"}, "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 3},
        "livenessProbe": {"httpGet": {"path": "/health/live", "port": "http"}, "initialDelaySeconds": 15, "periodSeconds": 20, "timeoutSeconds": 5, "failureThreshold": 3},
        "startupProbe": {"httpGet": {"path": "/health/live", "port": "http"}, "periodSeconds": 5, "failureThreshold": 24},
        "resources": {"requests": {"cpu": "100m", "memory": memory_request}, "limits": {"cpu": "1", "memory": memory_limit}},
        "securityContext": {"runAsNonRoot": True, "runAsUser": APP_UID, "runAsGroup": APP_UID, "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": mounts,
    }
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels(name)},
        "spec": {
            # Two of each: the deadline passes, the relays and the audit chain are written for several instances,
            # and the console's instances share their key ring.
            "replicas": 2,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {
                "metadata": {"labels": labels(name)},
                "spec": {
                    "automountServiceAccountToken": False,
                    "securityContext": {"runAsNonRoot": True, "runAsUser": APP_UID, "runAsGroup": APP_UID, "fsGroup": APP_UID,
                                        "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [container],
                    "volumes": volumes,
                },
            },
        },
    }


def service(s):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": s["name"], "namespace": NAMESPACE, "labels": labels(s["name"])},
            "spec": {"selector": {"app.kubernetes.io/name": s["name"]}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}


def claim(name, size, owner="gateway"):
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels(owner)},
            "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": size}}}}


def rabbitmq():
    name = "rabbitmq"
    conf = "\n".join([
        "cluster_formation.peer_discovery_backend = rabbit_peer_discovery_k8s",
        "cluster_formation.k8s.host = kubernetes.default.svc.cluster.local",
        "cluster_formation.k8s.address_type = hostname",
        "cluster_formation.k8s.service_name = rabbitmq-nodes",
        "cluster_partition_handling = pause_minority",
        # The accounts, permissions, exchanges, bindings and queues of infra/rabbitmq/definitions.json.
        "load_definitions = /etc/rabbitmq/definitions/definitions.json",
        "loopback_users = none",
        # Quorum queues get a member on each of the three nodes.
        f"quorum_cluster_size = {RABBITMQ_REPLICAS}",
        "",
    ])
    docs = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels(name, "broker")}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": f"{name}-peer-discovery", "namespace": NAMESPACE},
         "rules": [{"apiGroups": [""], "resources": ["endpoints"], "verbs": ["get"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": f"{name}-peer-discovery", "namespace": NAMESPACE},
         "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": NAMESPACE}],
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"{name}-peer-discovery"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{name}-config", "namespace": NAMESPACE, "labels": labels(name, "broker")},
         "data": {"rabbitmq.conf": conf, "enabled_plugins": "[rabbitmq_management,rabbitmq_peer_discovery_k8s].\n"}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "rabbitmq-nodes", "namespace": NAMESPACE, "labels": labels(name, "broker")},
         "spec": {"clusterIP": "None", "publishNotReadyAddresses": True, "selector": {"app.kubernetes.io/name": name},
                  "ports": [{"name": "epmd", "port": 4369}, {"name": "cluster-rpc", "port": 25672}, {"name": "amqp", "port": 5672}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels(name, "broker")},
         "spec": {"selector": {"app.kubernetes.io/name": name}, "ports": [{"name": "amqp", "port": 5672}, {"name": "management", "port": 15672}]}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels(name, "broker")},
         "spec": {
             "serviceName": "rabbitmq-nodes", "replicas": RABBITMQ_REPLICAS, "podManagementPolicy": "Parallel",
             "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
             "template": {"metadata": {"labels": labels(name, "broker")}, "spec": {
                 "serviceAccountName": name,
                 "securityContext": {"runAsNonRoot": True, "runAsUser": 999, "runAsGroup": 999, "fsGroup": 999, "seccompProfile": {"type": "RuntimeDefault"}},
                 "containers": [{
                     "name": name, "image": "rabbitmq:3.13-management",
                     "ports": [{"name": "amqp", "containerPort": 5672}, {"name": "management", "containerPort": 15672},
                               {"name": "epmd", "containerPort": 4369}, {"name": "cluster-rpc", "containerPort": 25672}],
                     "env": [{"name": "MY_POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                             {"name": "RABBITMQ_USE_LONGNAME", "value": "true"},
                             {"name": "RABBITMQ_NODENAME", "value": f"rabbit@$(MY_POD_NAME).rabbitmq-nodes.{NAMESPACE}.svc.cluster.local"},
                             {"name": "RABBITMQ_ENABLED_PLUGINS_FILE", "value": "/etc/rabbitmq/config/enabled_plugins"},
                             {"name": "RABBITMQ_CONFIG_FILE", "value": "/etc/rabbitmq/config/rabbitmq.conf"},
                             secret_env("RABBITMQ_ERLANG_COOKIE", "rabbitmq-erlang-cookie", "cookie")],
                     "readinessProbe": {"exec": {"command": ["rabbitmq-diagnostics", "-q", "check_port_connectivity"]},
                                        "periodSeconds": 10, "timeoutSeconds": 10},
                     "livenessProbe": {"exec": {"command": ["rabbitmq-diagnostics", "-q", "status"]},
                                       "initialDelaySeconds": 60, "periodSeconds": 30, "timeoutSeconds": 15},
                     "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}},
                     "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                         "capabilities": {"drop": ["ALL"]}},
                     "volumeMounts": [{"name": "data", "mountPath": "/var/lib/rabbitmq"},
                                      {"name": "config", "mountPath": "/etc/rabbitmq/config", "readOnly": True},
                                      {"name": "definitions", "mountPath": "/etc/rabbitmq/definitions", "readOnly": True},
                                      {"name": "tmp", "mountPath": "/tmp"}],
                 }],
                 "volumes": [{"name": "config", "configMap": {"name": f"{name}-config"}},
                             {"name": "definitions", "secret": {"secretName": "rabbitmq-definitions", "defaultMode": 0o400}},
                             {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
             }},
             "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                       "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "8Gi"}}}}],
         }},
    ]
    return docs


def write(file, docs, title):
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, file)
    with open(path, "w") as f:
        f.write(f"# {title}\n# Generated by infra/k8s/generate.py from infra/services.json: edit those, not this file.\n")
        yaml.safe_dump_all(docs, f, sort_keys=False, default_flow_style=False, width=140)
    print(f"wrote {path}")


write("namespace.yaml", [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": {
    "app.kubernetes.io/part-of": "coordination", "pod-security.kubernetes.io/enforce": "restricted"}}}], "The platform's namespace (restricted pod security)")
write("rabbitmq.yaml", rabbitmq(), "RabbitMQ: three nodes, one cluster, loaded with infra/rabbitmq/definitions.json (the Secret rabbitmq-definitions)")
for s in catalogue:
    # A service without a broker account is the console.
    docs = [deployment(s) if s["account"] else console_deployment(s), service(s)]
    if s["name"] == "gateway":
        docs += [claim("gateway-agency-public-keys", "64Mi"), claim("gateway-audit-checkpoints", "1Gi")]
    if not s["account"]:
        docs.append(claim(f"{s['name']}-key-ring", "16Mi", s["name"]))
    write(f"{s['name']}.yaml", docs, f"{s['name']}: {s['project']}")
