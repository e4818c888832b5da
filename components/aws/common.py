"""What every AWS component needs to know about where it runs, and the policy-document helpers.

`AwsContext` is built once by the landing zone from answered invokes (caller identity, partition,
region) and the config, and handed to each component: ARNs are composed from it instead of read
back from the cloud, which keeps the plan offline and the IAM JSON reviewable. IAM documents are
plain dicts serialised with `json.dumps` / `pulumi.Output.json_dumps`: the
`aws.iam.get_policy_document` invoke would need the cloud (and is not answered offline).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.options import stateful

Statement = dict[str, Any]


@dataclass(frozen=True)
class AwsContext:
    account_id: str
    partition: str
    region: str
    prefix: str                       # physical-name prefix, e.g. "ai-lz-prod"
    tags: Mapping[str, str] = field(default_factory=dict)
    protect: bool = False             # protect + retain_on_delete on stateful resources
    reverse_dns_prefix: str = "com.amazonaws"

    @property
    def root_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (f"arn:{self.partition}:{service}:{self.region if region else ''}:"
                f"{self.account_id if account else ''}:{resource}")

    def managed_policy(self, name: str) -> str:
        return f"arn:{self.partition}:iam::aws:policy/{name}"

    def endpoint_service(self, service: str) -> str:
        return f"{self.reverse_dns_prefix}.{self.region}.{service}"

    def tagged(self, name: str | None = None, **extra: str) -> dict[str, str]:
        """The cost-attribution tags (visible in the resource's own inputs), plus a Name and extras."""
        tags = dict(self.tags)
        if name:
            tags["Name"] = name
        tags.update(extra)
        return tags

    def stateful(self, parent: pulumi.Resource, **kwargs: Any) -> pulumi.ResourceOptions:
        """Options for data-bearing resources: in prod they survive both `destroy` and a replace."""
        return stateful(parent, None, self.protect, **kwargs)


def policy(statements: Sequence[Statement]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def policy_json(statements: Sequence[Statement]) -> pulumi.Output[str]:
    """A policy document whose statements may hold Outputs (ARNs of resources not yet created)."""
    return pulumi.Output.json_dumps(policy(statements))


def service_trust(service: str, *, source_account: str | None = None) -> dict[str, Any]:
    """Trust policy for an AWS service principal, optionally pinned to our account (confused deputy)."""
    statement: Statement = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": ["sts:AssumeRole"] + (["sts:TagSession"] if service == "eks.amazonaws.com" else []),
    }
    if source_account:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return policy([statement])


def tls_only_statement(bucket_arn: pulumi.Input[str]) -> Statement:
    """Deny every request to the bucket that does not use TLS (FSBP S3.5, CIS 2.1.1)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
