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


def eks_cluster(key_arn: Any = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1") -> dict[str, Any]:
    """The compliant EKS cluster every area's variants change one argument of."""
    return {"role_arn": f"arn:aws:iam::{ACCOUNT}:role/eks-cluster", "version": "1.33",
            "vpc_config": {"subnet_ids": ["subnet-0a", "subnet-0b"], "endpoint_private_access": True,
                           "endpoint_public_access": False},
            "encryption_config": {"resources": ["secrets"], "provider": {"key_arn": key_arn}},
            "enabled_cluster_log_types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
            "access_config": {"authentication_mode": "API"}, "tags": TAGS}


def gke_cluster(key_name: Any = "projects/fixture-project/locations/us-central1/keyRings/lz/cryptoKeys/gke") -> dict[str, Any]:
    """The compliant GKE cluster every area's variants change one argument of."""
    return {"location": "us-central1", "initial_node_count": 1, "remove_default_node_pool": True,
            "database_encryption": {"state": "ENCRYPTED", "key_name": key_name},
            "private_cluster_config": {"enable_private_nodes": True, "enable_private_endpoint": True,
                                       "master_ipv4_cidr_block": "172.16.0.0/28"},
            "workload_identity_config": {"workload_pool": "fixture-project.svc.id.goog"},
            "datapath_provider": "ADVANCED_DATAPATH",
            "logging_config": {"enable_components": ["SYSTEM_COMPONENTS", "APISERVER", "WORKLOADS"]},
            "resource_labels": LABELS}
