"""A dedicated, least-privilege service account for the nodes of one node pool.

Nodes write logs and metrics and pull images; nothing else. Workloads never use the node identity:
the GKE metadata server hands pods their own Workload Identity instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.options import child

from .common import GcpContext

NODE_ROLES = ("roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/artifactregistry.reader")


@dataclass(frozen=True)
class NodeServiceAccountArgs:
    ctx: GcpContext
    pool: str


class NodeServiceAccount(pulumi.ComponentResource):
    """`lz:gcp:NodeServiceAccount`: `.account` and its three project role grants."""

    def __init__(self, name: str, args: NodeServiceAccountArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:NodeServiceAccount", name, None, opts)
        ctx = args.ctx
        self.account = gcp.serviceaccount.Account(
            f"{name}-sa", project=ctx.project, account_id=ctx.account_id("node", args.pool),
            display_name=f"GKE nodes of pool {args.pool} ({ctx.environment})", opts=child(self, opts))
        self.grants = [
            gcp.projects.IAMMember(f"{name}-{role.split('/')[1].split('.')[0]}", project=ctx.project, role=role,
                                   member=self.account.member, opts=child(self, opts))
            for role in NODE_ROLES
        ]
        self.register_outputs({"email": self.account.email})
