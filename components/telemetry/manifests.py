"""Pure renderers of the in-cluster telemetry objects, per cluster kind (see components/k8s/telemetry.py).

- EKS: the ClusterRole and ClusterRoleBinding that let the AMP managed scraper (Kubernetes user
  `aps-collector-user`, mapped by an EKS access entry) discover and read what its scrape configuration
  names. The AMP user guide's `clusterrole-binding.yml` ("Configuring your Amazon EKS cluster") trimmed to
  the discovery roles we use (pod, endpoints; node metadata for `attach_metadata`) and the control-plane
  metrics API rule.
- GKE: a `ClusterRules` object (monitoring.googleapis.com/v1, Managed Service for Prometheus managed rule
  evaluation) with the recording rules; GKE alerts are Cloud Monitoring alert policies
  (components/gcp/gpu_alerts.py), so the ClusterRules carry no alerting rules.
- Brought cluster: Prometheus Operator objects for the cluster's own Prometheus and Alertmanager
  (monitoring.coreos.com): a PodMonitor for the GPU operator's dcgm-exporter that copies each pool's
  node labels to `pool`, a PrometheusRule with the recording and alert rules, and an AlertmanagerConfig
  whose receiver emails `notifications.emails`. The Prometheus Operator adds a `namespace` matcher to
  every AlertmanagerConfig route (its `alertmanagerConfigMatcherStrategy` default, OnNamespace), so the
  alert rules carry `namespace: <this namespace>`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from components.names import GPU_OPERATOR_NAMESPACE

Manifest = dict[str, Any]

TELEMETRY_NAME = "lz-gpu-telemetry"
SCRAPER_ROLE = "aps-collector-role"
DCGM_EXPORTER_APP = "nvidia-dcgm-exporter"   # `app` label of the GPU operator's dcgm-exporter pods
DCGM_EXPORTER_PORT = 9400
MONITORING_NAMESPACE = GPU_OPERATOR_NAMESPACE  # where the brought cluster's telemetry objects live


def meta_label(key: str) -> str:
    """A Kubernetes label key as Prometheus service discovery names it: other characters become `_`
    (Prometheus configuration, kubernetes_sd_config: `__meta_kubernetes_node_label_<labelname>`)."""
    return re.sub(r"[^a-zA-Z0-9_]", "_", key)


def _meta(name: str, labels: Mapping[str, str], namespace: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": dict(labels)}
    if namespace is not None:
        meta["namespace"] = namespace
    return meta


# --- EKS: the managed scraper's RBAC ------------------------------------------------------------------

def scraper_cluster_role(labels: Mapping[str, str]) -> Manifest:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": _meta(SCRAPER_ROLE, labels),
        "rules": [
            {"apiGroups": [""], "resources": ["nodes", "nodes/metrics", "services", "endpoints", "pods"],
             "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["get", "list", "watch"]},
            {"nonResourceURLs": ["/metrics"], "verbs": ["get"]},
            {"apiGroups": ["metrics.eks.amazonaws.com"], "resources": ["kcm/metrics", "ksh/metrics"],
             "verbs": ["get"]},
        ],
    }


def scraper_cluster_role_binding(labels: Mapping[str, str], user: str) -> Manifest:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": _meta(f"{SCRAPER_ROLE}-binding", labels),
        "subjects": [{"kind": "User", "name": user, "apiGroup": "rbac.authorization.k8s.io"}],
        "roleRef": {"kind": "ClusterRole", "name": SCRAPER_ROLE, "apiGroup": "rbac.authorization.k8s.io"},
    }


# --- GKE: managed rule evaluation ------------------------------------------------------------------

def cluster_rules(labels: Mapping[str, str], groups: Sequence[Mapping[str, Any]]) -> Manifest:
    return {
        "apiVersion": "monitoring.googleapis.com/v1", "kind": "ClusterRules",
        "metadata": _meta(TELEMETRY_NAME, labels),
        "spec": {"groups": [dict(g) for g in groups]},
    }


# --- brought cluster: Prometheus Operator objects -----------------------------------------------------

def pool_relabelings(pools: Mapping[str, Mapping[str, str]]) -> list[dict[str, Any]]:
    """One relabeling per pool that has labels of its own: the node's values of those labels, joined by
    `;`, name the pool (pools in config order; a later match wins, as relabelings apply in order)."""
    out = []
    for pool, node_labels in pools.items():
        if not node_labels:
            continue
        keys = sorted(node_labels)
        out.append({
            "sourceLabels": [f"__meta_kubernetes_node_label_{meta_label(k)}" for k in keys],
            "separator": ";",
            "regex": ";".join(re.escape(node_labels[k]) for k in keys),
            "targetLabel": "pool",
            "replacement": pool,
            "action": "replace",
        })
    return out


def dcgm_pod_monitor(labels: Mapping[str, str], pools: Mapping[str, Mapping[str, str]]) -> Manifest:
    return {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
        "metadata": _meta(f"{TELEMETRY_NAME}-dcgm", labels, MONITORING_NAMESPACE),
        "spec": {
            "selector": {"matchLabels": {"app": DCGM_EXPORTER_APP}},
            "namespaceSelector": {"matchNames": [MONITORING_NAMESPACE]},
            "attachMetadata": {"node": True},
            "podMetricsEndpoints": [{
                "targetPort": DCGM_EXPORTER_PORT,
                "honorLabels": True,
                "relabelings": [
                    {"sourceLabels": ["__meta_kubernetes_pod_node_name"], "targetLabel": "node",
                     "action": "replace"},
                    *pool_relabelings(pools),
                ],
            }],
        },
    }


def _with_namespace_label(groups: Sequence[Mapping[str, Any]], namespace: str) -> list[dict[str, Any]]:
    out = copy.deepcopy([dict(g) for g in groups])
    for group in out:
        for rule in group["rules"]:
            if "alert" in rule:
                rule["labels"] = {**rule.get("labels", {}), "namespace": namespace}
    return out


def prometheus_rule(labels: Mapping[str, str], groups: Sequence[Mapping[str, Any]]) -> Manifest:
    return {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
        "metadata": _meta(TELEMETRY_NAME, labels, MONITORING_NAMESPACE),
        "spec": {"groups": _with_namespace_label(groups, MONITORING_NAMESPACE)},
    }


def alertmanager_config(labels: Mapping[str, str], emails: Sequence[str]) -> Manifest:
    """The receiver: every landing-zone alert to the notification emails. SMTP server and sender come from
    the Alertmanager's `global` settings (Alertmanager email_config defaults)."""
    return {
        "apiVersion": "monitoring.coreos.com/v1alpha1", "kind": "AlertmanagerConfig",
        "metadata": _meta(TELEMETRY_NAME, labels, MONITORING_NAMESPACE),
        "spec": {
            "route": {"receiver": "lz-notifications", "groupBy": ["alertname", "pool", "team"],
                      "groupWait": "1m", "groupInterval": "5m", "repeatInterval": "4h"},
            "receivers": [{"name": "lz-notifications",
                           "emailConfigs": [{"to": email, "sendResolved": True} for email in emails]}],
        },
    }
