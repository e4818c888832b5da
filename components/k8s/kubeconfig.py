"""Kubeconfigs for the platform's Kubernetes provider.

EKS and GKE kubeconfigs carry no credential: they run the cloud's token helper (`aws eks get-token`,
`gke-gcloud-auth-plugin`) on the machine that runs Pulumi, so nothing secret lands in the state. A
brought cluster's kubeconfig is the operator's own, read from secret config.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi

from components.platform_inputs import ClusterAccess

EXEC_API = "client.authentication.k8s.io/v1beta1"


def exec_kubeconfig(kind: str, name: str, endpoint: str, ca_data: str, *, region: str | None = None) -> dict[str, Any]:
    """A single-context kubeconfig whose user runs the cloud's token helper."""
    if kind == "eks":
        if not region:
            raise ValueError("an EKS kubeconfig needs the cluster's region")
        user = {"exec": {
            "apiVersion": EXEC_API, "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"],
            "interactiveMode": "Never",
        }}
        server = endpoint
    elif kind == "gke":
        user = {"exec": {
            "apiVersion": EXEC_API, "command": "gke-gcloud-auth-plugin",
            "installHint": "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
            "provideClusterInfo": True, "interactiveMode": "Never",
        }}
        # GKE reports the endpoint as a bare address.
        server = endpoint if endpoint.startswith("https://") else f"https://{endpoint}"
    else:
        raise ValueError(f"no exec kubeconfig for cluster kind {kind!r}; a brought cluster brings its own")
    return {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": name, "cluster": {"server": server, "certificate-authority-data": ca_data}}],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
    }


def kubeconfig_for(access: ClusterAccess) -> pulumi.Output[str]:
    """The kubeconfig text the provider gets: rendered for EKS/GKE, the secret one for byo."""
    if access.kind == "byo":
        if access.kubeconfig is None:
            raise ValueError("a brought cluster needs its kubeconfig (kubernetes.kubeconfigSecret)")
        return pulumi.Output.secret(access.kubeconfig)
    if access.endpoint is None or access.ca_data is None:
        raise ValueError(f"{access.kind} cluster access needs the endpoint and CA data from the landing zone")
    return pulumi.Output.all(access.name, access.endpoint, access.ca_data).apply(
        lambda v: json.dumps(exec_kubeconfig(access.kind, v[0], v[1], v[2], region=access.region)))
