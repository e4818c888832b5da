"""External Secrets Operator and one SecretStore per team namespace, bound to the team's cloud identity.

The operator comes from its pinned chart (`kubernetes.charts.externalSecrets`) into its own namespace,
which enforces Pod Security `restricted` (the chart's default security contexts meet it: non-root,
no privilege escalation, all capabilities dropped, RuntimeDefault seccomp) behind default-deny network
policies: egress to DNS and HTTPS (the API server, STS / Secrets Manager or Google's APIs), ingress on
the admission webhook's port only (chart value `webhook.port`, 10250).

Each team namespace gets SecretStore `team-secrets` (external-secrets.io/v1, the only version the pinned
chart's CRDs serve) whose provider authenticates as the team's own ServiceAccount: AWS `auth.jwt`
(a token of that ServiceAccount exchanged for its IRSA role), GCP `auth.workloadIdentity`. What it
can read is what that identity may read: the team's secret prefix only (components/aws/workload_identity.py,
components/gcp/team_identity.py). Cluster-wide stores are switched off in the operator
(`processClusterStore` and friends), so no store outside the team's namespace serves it; team members
may create ExternalSecrets but not stores (components/k8s/manifests.TEAM_RULES).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from components.config.model import LandingZoneConfig
from components.names import EXTERNAL_SECRETS_NAMESPACE, TEAM_SECRET_STORE, team_namespace

from . import manifests as m
from .cluster_services import API_SERVER_PORTS, chart_release, system_namespace
from .objects import create

ESO_API_VERSION = "external-secrets.io/v1"
ESO_WEBHOOK_PORT = 10250


def external_secrets_values(config: LandingZoneConfig) -> dict[str, Any]:
    """Chart values (external-secrets chart 2.9.0 values.yaml): CRDs from the chart, namespaced stores only."""
    return {
        "installCRDs": True,
        "replicaCount": 2 if config.is_prod else 1,
        "processClusterStore": False,
        "processClusterExternalSecret": False,
        "processClusterPushSecret": False,
    }


def secret_store(namespace: str, labels: Mapping[str, Any],
                 provider: Mapping[str, Any] | pulumi.Output[dict[str, Any]]) -> m.Manifest:
    """SecretStore `team-secrets`; `provider` may be known only with other outputs (team workspaces)."""
    return {"apiVersion": ESO_API_VERSION, "kind": "SecretStore",
            "metadata": {"name": TEAM_SECRET_STORE, "namespace": namespace, "labels": dict(labels)},
            "spec": {"provider": provider if isinstance(provider, pulumi.Output) else dict(provider)}}


@dataclass(frozen=True)
class ExternalSecretsArgs:
    config: LandingZoneConfig
    providers: Mapping[str, Mapping[str, Any]]          # team -> SecretStore spec.provider
    namespaces: Mapping[str, pulumi.Resource]           # team -> its Namespace
    service_accounts: Mapping[str, pulumi.Resource]     # team -> its workload ServiceAccount


class ExternalSecrets(pulumi.ComponentResource):
    """`lz:k8s:ExternalSecrets`: the operator's release and `.stores[team]`."""

    def __init__(self, name: str, args: ExternalSecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:k8s:ExternalSecrets", name, None, opts)
        config = args.config
        labels = m.platform_labels(config)
        child = pulumi.ResourceOptions(parent=self)
        objects = [create(f"{name}-{o['kind'].lower()}-{o['metadata']['name']}", o, child) for o in system_namespace(
            EXTERNAL_SECRETS_NAMESPACE, labels, pod_security="restricted", version=config.kubernetes.version,
            egress_ports=API_SERVER_PORTS, ingress_ports=(ESO_WEBHOOK_PORT,))]
        self.release = chart_release(
            f"{name}-operator", config.kubernetes.charts.external_secrets, "external-secrets",
            objects[0].metadata.name, external_secrets_values(config),
            pulumi.ResourceOptions(parent=self, depends_on=objects[1:]))
        self.stores: dict[str, pulumi.CustomResource] = {}
        for team, provider in sorted(args.providers.items()):
            if team not in args.namespaces:
                continue
            waits = [self.release, args.namespaces[team], *([args.service_accounts[team]]
                                                            if team in args.service_accounts else [])]
            self.stores[team] = create(
                f"{name}-{team}-store", secret_store(team_namespace(team), labels, provider),
                pulumi.ResourceOptions(parent=self, depends_on=waits))
        self.register_outputs({"chartVersion": config.kubernetes.charts.external_secrets.version,
                               "stores": sorted(self.stores)})
