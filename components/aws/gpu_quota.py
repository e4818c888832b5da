"""GPU quota as code on AWS: one Service Quotas request per EC2 vCPU quota the GPU pools draw on.

What each pool needs is `components.catalog.quotas.aws_pool_quota` (vCPUs at maxNodes, by instance family
and purchase option); pools of one family and option add up. `aws.servicequotas.ServiceQuota` submits an
increase request when the value is above the account's current quota (pulumi_aws docstring: "If the desired
value is higher than the current value, a quota increase request is submitted"). Since
terraform-provider-aws PR #43545 (2025-08) creating one *below* the current value is an error, so an account
that already holds more sets `gpuQuotaRequests: false` (the `gpu-quota-covers-pools` rule then says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.catalog.quotas import QuotaKey

from .common import AwsContext


@dataclass(frozen=True)
class GpuQuotaArgs:
    context: AwsContext
    needs: Mapping[QuotaKey, int]   # quota -> vCPUs (components.catalog.quotas.total_needs)


class GpuQuota(pulumi.ComponentResource):
    def __init__(self, name: str, args: GpuQuotaArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:GpuQuota", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.requests = {
            key: aws.servicequotas.ServiceQuota(
                f"{name}-{key.quota.lower()}-{dict(key.dimensions).get('region', args.context.region)}", service_code=key.service, quota_code=key.quota,
                value=float(vcpus), region=dict(key.dimensions).get("region", args.context.region), opts=child)
            for key, vcpus in args.needs.items()
        }
        self.register_outputs({"requests": {k.quota: v for k, v in args.needs.items()}})
