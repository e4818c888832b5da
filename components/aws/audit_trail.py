"""The account's API audit trail: every region, validated log files, KMS-encrypted, into the audit bucket.

The trail's name is fixed up front (`trail_name`) because its ARN appears in conditions of the logs
key policy and of the audit bucket policy, both of which must exist before CloudTrail will start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .common import AwsContext


def trail_name(prefix: str) -> str:
    return f"{prefix}-audit"


@dataclass(frozen=True)
class AuditTrailArgs:
    context: AwsContext
    name: str
    bucket_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    depends_on: Sequence[pulumi.Resource] = ()      # the audit bucket's policy


class AuditTrail(pulumi.ComponentResource):
    def __init__(self, name: str, args: AuditTrailArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:AuditTrail", name, None, opts)
        ctx = args.context
        self.trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=args.name,
            s3_bucket_name=args.bucket_name,
            kms_key_id=args.kms_key_arn,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            tags=ctx.tagged(args.name),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
        )
        self.register_outputs({"trailArn": self.trail.arn})
