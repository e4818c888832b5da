"""Shared pieces of the policy fixture programs (copied next to each program's __main__.py)."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"
TAGS = {"team": "platform", "environment": "dev", "cost-center": "ml-research", "managed-by": "pulumi-ai-landing-zone"}
LABELS = {"team": "platform", "environment": "dev", "cost-center": "ml-research", "managed-by": "pulumi-ai-landing-zone"}


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def service_trust(service: str) -> str:
    return document({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def key_policy() -> str:
    """A key policy that gives the account root administrative access, as KMS's default does."""
    return document({"Sid": "AccountRoot", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                     "Action": "kms:*", "Resource": "*"})


def deny_insecure_transport(bucket_arn: str) -> str:
    return document({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                     "Resource": [bucket_arn, f"{bucket_arn}/*"],
                     "Condition": {"Bool": {"aws:SecureTransport": "false"}}})


def with_changes(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """`base` with some keyword arguments replaced (None removes one): the non-compliant variant of a
    compliant fixture differs in exactly the arguments named here."""
    out = dict(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out
