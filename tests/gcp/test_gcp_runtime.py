"""Runtime gaps of the GKE landing zone (issue 12): team pods reach Cloud Storage through Private Google
Access, and nothing else outside the cluster. Each test failed before its fix."""

from __future__ import annotations

import pytest
from gcp_plans import plan_gcp, stack_plan

from components.gcp.network import PRIVATE_GOOGLE_APIS_ADDRESSES, PRIVATE_GOOGLE_APIS_CIDR
from lz.testing import inputs, of_type

NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def netpols(plan, namespace):
    return {inputs(r)["metadata"]["name"]: inputs(r)["spec"] for r in of_type(plan, NETPOL)
            if inputs(r)["metadata"].get("namespace") == namespace}


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_googleapis_resolves_to_the_private_range_inside_the_vpc(stack):
    """Old behaviour: no private googleapis.com zone, so storage.googleapis.com resolved to public addresses
    that the team namespaces' egress policies do not allow."""
    plan = stack_plan(stack)
    zones = [inputs(r) for r in of_type(plan, "gcp:dns/managedZone:ManagedZone")]
    assert len(zones) == 1
    zone = zones[0]
    vpc = [r for r in of_type(plan, "gcp:compute/network:Network") if r.name.endswith("net-vpc")][0]
    assert zone["dnsName"] == "googleapis.com." and zone["visibility"] == "private"
    assert zone["privateVisibilityConfig"]["networks"] == [{"networkUrl": vpc.id}]
    records = {inputs(r)["name"]: inputs(r) for r in of_type(plan, "gcp:dns/recordSet:RecordSet")}
    assert records["private.googleapis.com."]["type"] == "A"
    assert records["private.googleapis.com."]["rrdatas"] == list(PRIVATE_GOOGLE_APIS_ADDRESSES)
    assert records["*.googleapis.com."]["type"] == "CNAME"
    assert records["*.googleapis.com."]["rrdatas"] == ["private.googleapis.com."]
    assert all(r["managedZone"] == zone["name"] for r in records.values())


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_team_egress_reaches_google_apis_metadata_and_dns_only(stack):
    plan = stack_plan(stack)
    for ns in ("research", "applied"):
        policies = netpols(plan, ns)
        storage = policies["allow-storage-egress"]["egress"]
        assert len(storage) == 1 and storage[0]["ports"] == [{"protocol": "TCP", "port": 443}]
        cidrs = [b["ipBlock"]["cidr"] for b in storage[0]["to"]]
        assert PRIVATE_GOOGLE_APIS_CIDR in cidrs
        assert "0.0.0.0/0" not in cidrs
        # Workload Identity tokens come from the GKE metadata server.
        assert policies["allow-gke-metadata-988"]["egress"][0]["to"] == [{"ipBlock": {"cidr": "169.254.169.252/32"}}]
        assert "allow-dns" in policies


def test_dns_api_is_enabled_for_the_zone():
    services = {inputs(r)["service"] for r in of_type(stack_plan("gcp-dev"), "gcp:projects/service:Service")}
    assert "dns.googleapis.com" in services


def test_flex_start_pool_gets_a_queued_provisioning_admission_check():
    """Old behaviour: queued provisioning on the node pool, but Kueue never created a ProvisioningRequest."""
    plan = plan_gcp({"gpuPools": [{"name": "l4-flex", "instanceType": "g2-standard-48", "maxNodes": 4,
                                   "capacity": {"type": "flexStart"}}],
                     "teams": [{"name": "research", "costCenter": "ml", "gpuQuota": {"l4-flex": 8}}]})
    check = [inputs(r) for r in of_type(plan, "kubernetes:kueue.x-k8s.io/v1beta1:AdmissionCheck")]
    prc = [inputs(r) for r in of_type(plan, "kubernetes:kueue.x-k8s.io/v1beta1:ProvisioningRequestConfig")]
    assert [c["metadata"]["name"] for c in check] == ["queued-provisioning"]
    assert prc[0]["spec"]["provisioningClassName"] == "queued-provisioning.gke.io"
    cq = [inputs(r) for r in of_type(plan, "kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue")][0]
    assert cq["spec"]["admissionChecksStrategy"] == {
        "admissionChecks": [{"name": "queued-provisioning", "onFlavors": ["l4-flex"]}]}


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_people_reach_their_namespace_through_their_group_and_pods_through_workload_identity(stack):
    """Old behaviour: no Google Groups for RBAC and no group per team, so people had no way into their
    namespace; only the pods' Workload Identity account existed."""
    plan = stack_plan(stack)
    cluster = [inputs(r) for r in of_type(plan, "gcp:container/cluster:Cluster")][0]
    assert cluster["authenticatorGroupsConfig"] == {"securityGroup": "gke-security-groups@example.com"}
    viewers = {inputs(r)["member"] for r in of_type(plan, "gcp:projects/iAMMember:IAMMember")
               if inputs(r)["role"] == "roles/container.clusterViewer"}
    assert viewers == {"group:ml-research@example.com", "group:ml-applied@example.com"}
    bindings = {inputs(r)["metadata"]["namespace"]: inputs(r)
                for r in of_type(plan, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")}
    for ns in ("research", "applied"):
        assert bindings[ns]["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                             "name": f"ml-{ns}@example.com"}]
    # Pods: the Workload Identity account is bound to the team's ServiceAccount only, and has no RBAC binding.
    wi = [inputs(r)["member"] for r in of_type(plan, "gcp:serviceaccount/iAMMember:IAMMember")
          if inputs(r)["role"] == "roles/iam.workloadIdentityUser"]
    assert sorted(wi) == sorted(f"serviceAccount:{proj}.svc.id.goog[{ns}/{ns}]"
                                for proj in [inputs(of_type(plan, "gcp:container/cluster:Cluster")[0])["project"]]
                                for ns in ("research", "applied"))
    assert all(s["kind"] == "Group" for b in bindings.values() for s in b["subjects"])


def test_gcp_team_groups_need_the_security_group_and_emails():
    from components.config import ConfigError, validate_config

    def problems(doc):
        with pytest.raises(ConfigError) as info:
            validate_config(doc, "stacks/Pulumi.t.yaml")
        return {(p.path, p.message.split(" ")[0]) for p in info.value.problems}

    base = {"environment": "dev", "cloud": "gcp", "region": "us-central1", "gcpProject": "p",
            "tags": {"costCenter": "ml"}, "teams": [{"name": "research", "costCenter": "ml", "group": "ml-research"}]}
    found = problems(base)
    assert ("teams[0].group", "on") in found and ("kubernetes.gkeSecurityGroup", "required") in found
    bad = {**base, "kubernetes": {"gkeSecurityGroup": "rbac@example.com"},
           "teams": [{"name": "research", "costCenter": "ml", "group": "ml-research@example.com"}]}
    assert {path for path, _ in problems(bad)} == {"kubernetes.gkeSecurityGroup"}
    aws = {"environment": "dev", "cloud": "aws", "tags": {"costCenter": "ml"},
           "kubernetes": {"gkeSecurityGroup": "gke-security-groups@example.com"}}
    with pytest.raises(ConfigError) as info:
        validate_config(aws, "stacks/Pulumi.t.yaml")
    assert any("kubernetes.gkeSecurityGroup" in line for line in info.value.lines)
