"""The CI deploy role reaches the cluster: `kubernetes.adminPrincipals` -> EKS access entries with cluster-admin."""

from __future__ import annotations

import pytest
from aws_plans import of_type, plan_aws
from pydantic import ValidationError

from components.config.checks import semantic_problems
from components.config.model import LandingZoneConfig
from lz.testing import inputs

DEPLOY = "arn:aws:iam::123456789012:role/gh-lz-dev-deploy"


def test_each_admin_principal_gets_an_access_entry_with_cluster_admin():
    plan = plan_aws({"kubernetes": {"adminPrincipals": [DEPLOY]}})
    cluster = of_type(plan, "aws:eks/cluster:Cluster")[0]
    entries = [r for r in of_type(plan, "aws:eks/accessEntry:AccessEntry") if inputs(r)["principalArn"] == DEPLOY]
    assocs = [r for r in of_type(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
              if inputs(r)["principalArn"] == DEPLOY]
    assert len(entries) == len(assocs) == 1
    entry, assoc = inputs(entries[0]), inputs(assocs[0])
    assert entry["type"] == "STANDARD" and entry["clusterName"] == cluster.outputs["name"]
    assert assoc["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    assert assoc["accessScope"] == {"type": "cluster"}
    assert entries[0].urn in assocs[0].dependencies       # the association needs its entry first


def test_no_admin_principals_no_extra_entries():
    plan = plan_aws({})
    admin = [r for r in of_type(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
             if inputs(r)["policyArn"].endswith("/AmazonEKSClusterAdminPolicy")]
    assert admin == []


@pytest.mark.parametrize("value", ["arn:aws:iam::123:role/x", "arn:aws:iam::123456789012:user/alice",
                                   "gh-lz-dev-deploy", [DEPLOY, DEPLOY]])
def test_admin_principals_must_be_role_arns(value):
    values = value if isinstance(value, list) else [value]
    with pytest.raises(ValidationError, match="adminPrincipals"):
        LandingZoneConfig.model_validate({"environment": "dev", "cloud": "aws", "tags": {"costCenter": "cc"},
                                          "kubernetes": {"adminPrincipals": values}})


def test_admin_principals_are_aws_only():
    cfg = LandingZoneConfig.model_validate({"environment": "dev", "cloud": "gcp", "region": "us-central1",
                                            "gcpProject": "p", "tags": {"costCenter": "cc"},
                                            "kubernetes": {"adminPrincipals": [DEPLOY]}})
    problems = [(p.path, p.message) for p in semantic_problems(cfg)]
    assert ("kubernetes.adminPrincipals", "aws only (EKS access entries); on gcp grant the deploy identity cluster "
            f"access in the cloud's own IAM (got {DEPLOY})") in problems
