"""Pure renderers of the built-in Kubernetes objects the platform layer creates.

Every function returns one object as a dict in Kubernetes JSON shape (camelCase keys, `apiVersion`
and `kind` set). The components hand these very dicts to the typed pulumi_kubernetes resources
(`components.k8s.objects.create`), and the tests validate the same dicts against the Kubernetes
OpenAPI schema of the configured version, so what is checked is what is applied.

Values may be `pulumi.Input`s where they come from the cloud (role ARNs, file-system ids); the
functions never look inside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from components.config.model import LandingZoneConfig, Team
from components.names import MANAGED_BY, MANAGED_BY_KEY

PSS = "pod-security.kubernetes.io"
RBAC_GROUP = "rbac.authorization.k8s.io"
NAME_LABEL = "kubernetes.io/metadata.name"  # set by the API server on every namespace

Manifest = dict[str, Any]


def label_value(value: str) -> str:
    """Kubernetes label values must start and end with an alphanumeric character."""
    return re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", value)[:63]


def platform_labels(config: LandingZoneConfig) -> dict[str, str]:
    """Cost-attribution labels on every object the platform owns."""
    return {
        MANAGED_BY_KEY: MANAGED_BY,
        "environment": config.environment.value,
        "team": label_value(config.tags.team),
        "cost-center": label_value(config.tags.cost_center),
    }


def team_labels(config: LandingZoneConfig, team: Team) -> dict[str, str]:
    return {**platform_labels(config), "team": team.name, "cost-center": label_value(team.cost_center)}


def _meta(name: str, labels: Mapping[str, str], namespace: str | None = None,
          annotations: Mapping[str, Any] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": dict(labels)}
    if namespace is not None:
        meta["namespace"] = namespace
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


# --- namespaces ------------------------------------------------------------------------------------

def namespace(name: str, labels: Mapping[str, str], *, pod_security: str, k8s_version: str,
              enforce: str | None = None) -> Manifest:
    """A namespace with Pod Security admission enforced (and audited and warned) at `pod_security`;
    `enforce`, if given, replaces the enforced level only (audit and warn stay at `pod_security`)."""
    level_labels = {}
    for mode in ("enforce", "audit", "warn"):
        level_labels[f"{PSS}/{mode}"] = enforce if mode == "enforce" and enforce else pod_security
        level_labels[f"{PSS}/{mode}-version"] = f"v{k8s_version}"
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(name, {**labels, **level_labels})}


# --- quotas ----------------------------------------------------------------------------------------

_UNITS = {"Ki": 1, "Mi": 1024, "Gi": 1024**2, "Ti": 1024**3}


def quantity_kib(quantity: str) -> int:
    """KiB in a binary-suffixed quantity ("2Ti", "1200Gi"); the config only allows these forms."""
    match = re.fullmatch(r"([0-9]+)(Ki|Mi|Gi|Ti)", quantity)
    if not match:
        raise ValueError(f"expected a quantity such as 512Gi or 2Ti, got {quantity!r}")
    return int(match.group(1)) * _UNITS[match.group(2)]


def format_kib(kib: int) -> str:
    for unit in ("Ti", "Gi", "Mi"):
        if kib % _UNITS[unit] == 0:
            return f"{kib // _UNITS[unit]}{unit}"
    return f"{kib}Ki"


def _compute(team: Team) -> tuple[str, str]:
    if team.cpu is None or team.memory is None:
        raise ValueError(f"team {team.name}: CPU and memory quota not resolved (components.k8s.kueue.with_compute)")
    return team.cpu, team.memory


def resource_quota(ns: str, labels: Mapping[str, str], team: Team, gpus: Mapping[str, int], *,
                   shared_claims: int = 0, shared_storage_gib: int = 0) -> Manifest:
    """The namespace's hard caps: GPUs per extended resource, CPU and memory requests, volumes.

    The platform's own claims on shared file systems (`shared_claims` PVCs of `shared_storage_gib`
    in total) count against `requests.storage` and `persistentvolumeclaims` like any other claim,
    so they are added on top of what the team config grants for its own volumes.
    """
    cpu, memory = _compute(team)
    hard = {
        "requests.cpu": cpu,
        "requests.memory": memory,
        "requests.storage": format_kib(quantity_kib(team.storage) + shared_storage_gib * _UNITS["Gi"]),
        "persistentvolumeclaims": str(team.pvc_count + shared_claims),
    }
    for resource, count in sorted(gpus.items()):
        # Extended resources can only be capped on requests (limits must equal requests for them).
        hard[f"requests.{resource}"] = str(count)
    return {"apiVersion": "v1", "kind": "ResourceQuota",
            "metadata": _meta("compute-and-storage", labels, ns), "spec": {"hard": hard}}


def limit_range(ns: str, labels: Mapping[str, str], team: Team) -> Manifest:
    """Defaults that make every container count against the quota and carry a limit.

    The default limit is the team's whole CPU and memory quota, not a small number: a container that
    sets only requests above a small default limit would be rejected by the API server.
    """
    cpu, memory = _compute(team)
    ceiling = {"cpu": cpu, "memory": memory}
    return {
        "apiVersion": "v1", "kind": "LimitRange", "metadata": _meta("container-defaults", labels, ns),
        "spec": {"limits": [{
            "type": "Container",
            "defaultRequest": {"cpu": "250m", "memory": "512Mi"},
            "default": dict(ceiling),
            "max": dict(ceiling),
        }]},
    }


# --- network policies ------------------------------------------------------------------------------

def _netpol(ns: str, name: str, labels: Mapping[str, str], spec: dict[str, Any]) -> Manifest:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": _meta(name, labels, ns), "spec": {"podSelector": {}, **spec}}


def _ports(ports: Iterable[int], protocols: Iterable[str] = ("TCP",)) -> list[dict[str, Any]]:
    return [{"protocol": proto, "port": port} for port in ports for proto in protocols]


def deny_all(ns: str, labels: Mapping[str, str]) -> Manifest:
    """Selects every pod for both directions and allows nothing; the other policies add to it."""
    return _netpol(ns, "default-deny", labels, {"policyTypes": ["Ingress", "Egress"]})


def allow_same_namespace(ns: str, labels: Mapping[str, str]) -> Manifest:
    return _netpol(ns, "allow-same-namespace", labels, {
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [{"from": [{"podSelector": {}}]}],
        "egress": [{"to": [{"podSelector": {}}]}],
    })


def allow_dns(ns: str, labels: Mapping[str, str]) -> Manifest:
    """Egress to the cluster DNS (CoreDNS / kube-dns carry k8s-app=kube-dns on EKS, GKE and kubeadm)."""
    return _netpol(ns, "allow-dns", labels, {
        "policyTypes": ["Egress"],
        "egress": [{
            "to": [{"namespaceSelector": {"matchLabels": {NAME_LABEL: "kube-system"}},
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
            "ports": _ports([53], ("UDP", "TCP")),
        }],
    })


def allow_egress_to(ns: str, name: str, labels: Mapping[str, str], cidrs: Iterable[str],
                    ports: Iterable[int]) -> Manifest:
    """Egress to address blocks on TCP ports (storage endpoints, the metadata server, the API server)."""
    return _netpol(ns, name, labels, {
        "policyTypes": ["Egress"],
        "egress": [{"to": [{"ipBlock": {"cidr": cidr}} for cidr in cidrs], "ports": _ports(ports)}],
    })


def allow_declared_egress(ns: str, labels: Mapping[str, str],
                          rules: Iterable[tuple[str, Iterable[int]]]) -> Manifest:
    """Egress the stack config declares (`kubernetes.teamEgress`): one rule per address block."""
    return _netpol(ns, "allow-declared-egress", labels, {
        "policyTypes": ["Egress"],
        "egress": [{"to": [{"ipBlock": {"cidr": cidr}}], "ports": _ports(ports)} for cidr, ports in rules],
    })


def allow_ingress_on(ns: str, name: str, labels: Mapping[str, str], ports: Iterable[int]) -> Manifest:
    """Ingress on TCP ports from any source: for webhooks and metrics the API server or scrapers call."""
    return _netpol(ns, name, labels, {"policyTypes": ["Ingress"], "ingress": [{"ports": _ports(ports)}]})


# --- identity and access ---------------------------------------------------------------------------

def service_account(ns: str, name: str, labels: Mapping[str, str],
                    annotations: Mapping[str, Any] | None = None) -> Manifest:
    # Workloads rarely need the Kubernetes API; a pod that does mounts the token explicitly.
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(name, labels, ns, annotations),
            "automountServiceAccountToken": False}


_READ = ["get", "list", "watch"]
_EDIT = [*_READ, "create", "update", "patch", "delete"]

# What a team member may do in the team namespace: run and inspect workloads and their config.
# No wildcards; no RBAC objects, so no bind/escalate; no impersonation; no quota or policy edits;
# no ServiceAccount tokens.
TEAM_RULES: tuple[dict[str, Any], ...] = (
    {"apiGroups": [""], "resources": ["pods"], "verbs": [*_READ, "create", "delete"]},
    {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get", "list"]},
    {"apiGroups": [""], "resources": ["pods/exec", "pods/portforward"], "verbs": ["create"]},
    {"apiGroups": [""], "resources": ["services", "configmaps", "secrets"], "verbs": list(_EDIT)},
    {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": [*_READ, "create", "delete"]},
    {"apiGroups": [""], "resources": ["events", "resourcequotas", "limitranges", "serviceaccounts"],
     "verbs": list(_READ)},
    {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": list(_EDIT)},
    {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets"], "verbs": list(_EDIT)},
    {"apiGroups": ["kueue.x-k8s.io"], "resources": ["workloads", "localqueues"], "verbs": list(_READ)},
    # External Secrets Operator: the team syncs its own secrets through the platform's SecretStore; it
    # may not create stores (a store decides whose identity reads the cloud's secrets).
    {"apiGroups": ["external-secrets.io"], "resources": ["externalsecrets"], "verbs": list(_EDIT)},
    {"apiGroups": ["external-secrets.io"], "resources": ["secretstores"], "verbs": list(_READ)},
)


def team_role(ns: str, labels: Mapping[str, str]) -> Manifest:
    return {"apiVersion": f"{RBAC_GROUP}/v1", "kind": "Role", "metadata": _meta("team-member", labels, ns),
            "rules": [dict(rule, verbs=list(rule["verbs"])) for rule in TEAM_RULES]}


def team_role_binding(ns: str, labels: Mapping[str, str], group: str) -> Manifest:
    return {
        "apiVersion": f"{RBAC_GROUP}/v1", "kind": "RoleBinding", "metadata": _meta("team-member", labels, ns),
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "Role", "name": "team-member"},
        "subjects": [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": group}],
    }


# --- scheduling ------------------------------------------------------------------------------------

def priority_class(name: str, labels: Mapping[str, str], value: int, *, preempts: bool,
                   description: str) -> Manifest:
    return {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": _meta(name, labels),
            "value": value, "globalDefault": False,
            "preemptionPolicy": "PreemptLowerPriority" if preempts else "Never", "description": description}


# --- storage ---------------------------------------------------------------------------------------

def storage_class(name: str, labels: Mapping[str, str], provisioner: str, parameters: Mapping[str, Any], *,
                  default: bool, retain: bool, wait_for_consumer: bool = True,
                  mount_options: list[str] | None = None) -> Manifest:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true" if default else "false"}
    sc: Manifest = {
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": _meta(name, labels, annotations=annotations),
        "provisioner": provisioner, "parameters": dict(parameters),
        "reclaimPolicy": "Retain" if retain else "Delete",
        "volumeBindingMode": "WaitForFirstConsumer" if wait_for_consumer else "Immediate",
        "allowVolumeExpansion": True,
    }
    if mount_options:
        sc["mountOptions"] = list(mount_options)
    return sc


def static_volume(name: str, labels: Mapping[str, str], *, driver: str, volume_handle: Any,
                  attributes: Mapping[str, Any], capacity_gib: int, claim_namespace: str, claim_name: str,
                  access_mode: str = "ReadWriteMany", mount_options: list[str] | None = None) -> Manifest:
    """A PV for an existing file system, reserved for one claim (`claimRef`) so no other namespace binds it.

    Retain always: with Delete, the CSI driver would be asked to delete the file system itself.
    """
    spec: dict[str, Any] = {
        "capacity": {"storage": f"{max(capacity_gib, 1)}Gi"},
        "accessModes": [access_mode],
        "persistentVolumeReclaimPolicy": "Retain",
        "storageClassName": "",
        "volumeMode": "Filesystem",
        "claimRef": {"namespace": claim_namespace, "name": claim_name},
        "csi": {"driver": driver, "volumeHandle": volume_handle},
    }
    if attributes:
        spec["csi"]["volumeAttributes"] = dict(attributes)
    if mount_options:
        spec["mountOptions"] = list(mount_options)
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": _meta(name, labels), "spec": spec}


def static_claim(name: str, ns: str, labels: Mapping[str, str], *, volume_name: str, capacity_gib: int,
                 access_mode: str = "ReadWriteMany") -> Manifest:
    return {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": _meta(name, labels, ns),
        "spec": {"accessModes": [access_mode], "storageClassName": "", "volumeName": volume_name,
                 "resources": {"requests": {"storage": f"{max(capacity_gib, 1)}Gi"}}},
    }
