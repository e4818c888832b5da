"""GPU quota as code on GCP: one Cloud Quotas preference per GPU quota (and region) the GPU pools draw on.

What each pool needs is `components.catalog.quotas.gcp_pool_quota` (GPUs at maxNodes in the region, by
accelerator and provisioning model). `cloudquota.SQuotaPreference` asks for `preferred_value`; the project
is the landing zone's own, so the preference states what this environment needs. A preference below the
current value would ask for a decrease: Cloud Quotas refuses one below current usage (the
QUOTA_DECREASE_BELOW_USAGE safety check stays on: `ignore_safety_checks` is not set).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.catalog.quotas import QuotaKey

from .common import GcpContext


def preference_name(key: QuotaKey) -> str:
    """The Pulumi name of a preference: lower-case quota id (without its common suffix) and dimension values.
    The preference's own id is left to Cloud Quotas (`name` is optional on create)."""
    parts = [key.quota.lower().removesuffix("-per-project-region"),
             *(v.lower().replace("_", "-") for _, v in key.dimensions)]
    return "-".join(parts)


@dataclass(frozen=True)
class GpuQuotaArgs:
    context: GcpContext
    needs: Mapping[QuotaKey, int]   # quota -> GPUs (components.catalog.quotas.total_needs)
    contact_email: str | None = None


class GpuQuota(pulumi.ComponentResource):
    def __init__(self, name: str, args: GpuQuotaArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:GpuQuota", name, None, opts)
        ctx = args.context
        child = pulumi.ResourceOptions(parent=self)
        self.preferences = {
            key: gcp.cloudquota.SQuotaPreference(
                f"{name}-{preference_name(key)}",
                parent=ctx.project_path, service=key.service, quota_id=key.quota,
                dimensions=dict(key.dimensions),
                quota_config=gcp.cloudquota.SQuotaPreferenceQuotaConfigArgs(preferred_value=str(gpus)),
                justification=f"GPU node pools of the {ctx.environment} AI landing zone at max scale",
                contact_email=args.contact_email, opts=child)
            for key, gpus in args.needs.items()
        }
        self.register_outputs({"preferences": {k.describe(): v for k, v in args.needs.items()}})
