"""Preventive guardrails on the project: organization-policy constraints enforced at project scope.

Boolean constraints: uniform bucket-level access, public access prevention, no service-account key
creation, OS Login. List constraint: no external IPs on VM NICs (GKE nodes are private anyway). With
`gcpOrganizationId` set, a custom constraint (an org-level resource) limits this stack's node pools to
the GPU machine types its pools declare; without it that constraint is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.names import PROJECT
from components.options import child

from .common import GcpContext
from .layout import constraint_id

BOOLEAN_CONSTRAINTS = (
    "storage.uniformBucketLevelAccess",
    "storage.publicAccessPrevention",
    "iam.disableServiceAccountKeyCreation",
    "compute.requireOsLogin",
)
DENY_ALL_CONSTRAINTS = ("compute.vmExternalIpAccess",)

# Machine families that carry GPUs. A node pool of any of them must use an allowed machine type; other
# families (the system pool's e2) stay unaffected.
GPU_FAMILIES = ("a2", "a3", "a4", "a4x", "g2", "g4")


def gpu_machine_type_condition(allowed: Sequence[str]) -> str:
    """CEL for a DENY custom constraint on container.googleapis.com/NodePool."""
    families = "|".join(GPU_FAMILIES)
    listed = ", ".join(f"'{m}'" for m in sorted(set(allowed)))
    return f"resource.config.machineType.matches('^({families})-') && !(resource.config.machineType in [{listed}])"


@dataclass(frozen=True)
class GuardrailsArgs:
    ctx: GcpContext
    machine_types: tuple[str, ...]      # the GPU pools' machine types, in pool order
    organization_id: str | None = None  # `gcpOrganizationId`: where the custom constraint lives


class Guardrails(pulumi.ComponentResource):
    """`lz:gcp:Guardrails`: `.policies` (project org policies) and `.custom_constraint` (or None)."""

    def __init__(self, name: str, args: GuardrailsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:Guardrails", name, None, opts)
        ctx = args.ctx
        parent = ctx.project_path
        org = args.organization_id
        self.policies: list[gcp.orgpolicy.Policy] = []
        for constraint in BOOLEAN_CONSTRAINTS:
            self.policies.append(gcp.orgpolicy.Policy(
                f"{name}-{constraint.split('.')[1]}", parent=parent, name=f"{parent}/policies/{constraint}",
                spec=gcp.orgpolicy.PolicySpecArgs(rules=[gcp.orgpolicy.PolicySpecRuleArgs(enforce="TRUE")]),
                opts=child(self, opts)))
        for constraint in DENY_ALL_CONSTRAINTS:
            self.policies.append(gcp.orgpolicy.Policy(
                f"{name}-{constraint.split('.')[1]}", parent=parent, name=f"{parent}/policies/{constraint}",
                spec=gcp.orgpolicy.PolicySpecArgs(rules=[gcp.orgpolicy.PolicySpecRuleArgs(deny_all="TRUE")]),
                opts=child(self, opts)))

        self.custom_constraint: gcp.orgpolicy.CustomConstraint | None = None
        allowed = list(args.machine_types)
        if org and allowed:
            cid = constraint_id(ctx.project, ctx.prefix)
            self.custom_constraint = gcp.orgpolicy.CustomConstraint(
                f"{name}-gpu-machine-types", parent=f"organizations/{org}",
                name=f"organizations/{org}/customConstraints/{cid}",
                display_name=f"{PROJECT} {ctx.environment}: allowed GPU machine types",
                description=f"Node pools may use only these GPU machine types: {', '.join(sorted(set(allowed)))}",
                resource_types=["container.googleapis.com/NodePool"], method_types=["CREATE", "UPDATE"],
                action_type="DENY", condition=gpu_machine_type_condition(allowed), opts=child(self, opts))
            self.policies.append(gcp.orgpolicy.Policy(
                f"{name}-gpu-machine-types", parent=parent, name=f"{parent}/policies/{cid}",
                spec=gcp.orgpolicy.PolicySpecArgs(rules=[gcp.orgpolicy.PolicySpecRuleArgs(enforce="TRUE")]),
                opts=child(self, opts, depends_on=[self.custom_constraint])))
        else:
            pulumi.log.info("gcpOrganizationId is not set: skipping the custom constraint that limits node pools "
                            "to this stack's GPU machine types (custom constraints live at organization level)",
                            resource=self)
        self.register_outputs({"policies": [p.name for p in self.policies]})
