"""GCP IAM grants as (role, member) pairs, from `*IAMMember`, `*IAMBinding` and `*IAMPolicy` resources.

`IAMMember` has `role` and `member`; `IAMBinding` has `role` and `members`; `IAMPolicy` has
`policyData`, the JSON of a policy (`{"bindings": [{"role": ..., "members": [...]}]}`), usually from
`gcp.organizations.get_iam_policy(...).policy_data`.

BigQuery datasets also grant access outside IAM resources: `gcp.bigquery.Dataset(accesses=[...])` and
`gcp.bigquery.DatasetAccess` name a member in one of several fields (pulumi-gcp 10.x
`bigquery/_inputs.py` DatasetAccessArgs, `bigquery/dataset_access.py`): `specialGroup` may be
`allAuthenticatedUsers` ("All authenticated BigQuery users"), `iamMember` may be `allUsers`; the
others name users, groups, domains, views, routines or datasets, none of them public.
"""

from __future__ import annotations

import json

from . import props as wire
from .rule import ResourceView
from .types import BIGQUERY_DATASET, BIGQUERY_DATASET_ACCESS, GCP_IAM_BINDING, GCP_IAM_MEMBER, GCP_IAM_POLICY

PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")

# A BigQuery access entry's member fields, as IAM member prefixes (`specialGroup` and `iamMember` carry the
# member as it is: `allAuthenticatedUsers`, `allUsers`, or a full `principal://...` / `user:...` string).
_DATASET_ACCESS_MEMBERS = {"userByEmail": "user:", "groupByEmail": "group:", "domain": "domain:",
                           "specialGroup": "", "iamMember": ""}


def _dataset_access(entry) -> list[tuple[str, str]]:
    if not isinstance(entry, dict):
        return []
    role = str(wire.dig(entry, "role", default=""))
    members = {key: wire.dig(entry, key) for key in _DATASET_ACCESS_MEMBERS}  # an unknown member raises
    return [(role, f"{prefix}{members[key]}") for key, prefix in _DATASET_ACCESS_MEMBERS.items()
            if isinstance(members[key], str) and members[key]]


def grants(r: ResourceView) -> list[tuple[str, str]]:
    if r.type in GCP_IAM_MEMBER:
        return [(str(r.get("role", default="")), str(r.get("member", default="")))]
    if r.type in GCP_IAM_BINDING:
        role = str(r.get("role", default=""))
        return [(role, m) for m in r.strings("members")]
    if r.type in BIGQUERY_DATASET:
        return [g for entry in r.items("accesses") for g in _dataset_access(entry)]
    if r.type in BIGQUERY_DATASET_ACCESS:
        return _dataset_access(dict(r.props))
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
