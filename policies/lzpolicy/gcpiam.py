"""GCP IAM grants as (role, member) pairs, from `*IAMMember`, `*IAMBinding` and `*IAMPolicy` resources.

`IAMMember` has `role` and `member`; `IAMBinding` has `role` and `members`; `IAMPolicy` has
`policyData`, the JSON of a policy (`{"bindings": [{"role": ..., "members": [...]}]}`), usually from
`gcp.organizations.get_iam_policy(...).policy_data`.
"""

from __future__ import annotations

import json

from . import props as wire
from .rule import ResourceView
from .types import GCP_IAM_BINDING, GCP_IAM_MEMBER, GCP_IAM_POLICY

PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")


def grants(r: ResourceView) -> list[tuple[str, str]]:
    if r.type in GCP_IAM_MEMBER:
        return [(str(r.get("role", default="")), str(r.get("member", default="")))]
    if r.type in GCP_IAM_BINDING:
        role = str(r.get("role", default=""))
        return [(role, m) for m in r.strings("members")]
    if r.type in GCP_IAM_POLICY:
        raw = r.get("policyData")
        try:
            data = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            return []
        if not isinstance(data, dict):
            return []
        return [(str(b.get("role", "")), m) for b in wire.items(data, "bindings") if isinstance(b, dict)
                for m in wire.strings(b, "members")]
    return []
