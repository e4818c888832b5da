"""A dedicated, least-privilege service account for the nodes of one node pool.

Nodes write logs and metrics and pull images; nothing else. Workloads never use the node identity:
the GKE metadata server hands pods their own Workload Identity instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from .layout import account_id
from .options import child

NODE_ROLES = ("roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/artifactregistry.reader")


@dataclass(frozen=True)
class NodeServiceAccountArgs:
    project: str
    pool: str
    environment: str


class NodeServiceAccount(pulumi.ComponentResource):
    """`lz:gcp:NodeServiceAccount`: `.account` and its three project role grants."""

    def __init__(self, name: str, args: NodeServiceAccountArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:NodeServiceAccount", name, None, opts)
        self.account = gcp.serviceaccount.Account(
            f"{name}-sa", project=args.project, account_id=account_id(f"lz-{args.environment}-node", args.pool),
            display_name=f"GKE nodes of pool {args.pool} ({args.environment})", opts=child(self, opts))
        self.grants = [
            gcp.projects.IAMMember(f"{name}-{role.split('/')[1].split('.')[0]}", project=args.project, role=role,
                                   member=self.account.member, opts=child(self, opts))
            for role in NODE_ROLES
        ]
        self.register_outputs({"email": self.account.email})
