"""gpu-quota-covers-pools, case by case on hand-built stack views: the need is summed per quota and region,
a request smaller than the need is named, and pools on reservations or unknown quotas are not judged.
(The three verdicts through the real pack are in test_policy_rules.py.)"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from policy_harness import PACK, ROOT

for _path in (str(PACK), str(ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from lzpolicy import NotApplicable  # noqa: E402
from lzpolicy.rule import ResourceView, StackView  # noqa: E402
from rules.gpu.gpu_quota_covers_pools import check_stack  # noqa: E402

STACK = ResourceView(type="pulumi:pulumi:Stack", props={}, urn="urn:stack", name="t-stack", protect=False, config={})


def _view(type_: str, name: str, props: dict[str, Any], **kw: Any) -> ResourceView:
    return ResourceView(type=type_, props=props, urn=f"urn:{name}", name=name, protect=False, config={}, **kw)


def node_group(name: str, instance: str, max_nodes: int, capacity: str = "ON_DEMAND") -> ResourceView:
    return _view("aws:eks/nodeGroup:NodeGroup", name, {
        "instanceTypes": [instance], "capacityType": capacity, "region": "us-east-1",
        "scalingConfig": {"minSize": 0, "maxSize": max_nodes}})


def service_quota(code: str, value: float, region: str = "us-east-1") -> ResourceView:
    return _view("aws:servicequotas/serviceQuota:ServiceQuota", f"q-{code}-{region}",
                 {"serviceCode": "ec2", "quotaCode": code, "value": value, "region": region})


def node_pool(name: str, machine: str, max_nodes: int, spot: bool = False) -> ResourceView:
    return _view("gcp:container/nodePool:NodePool", name, {
        "location": "us-central1", "autoscaling": {"totalMinNodeCount": 0, "totalMaxNodeCount": max_nodes},
        "nodeConfig": {"machineType": machine, **({"spot": True} if spot else {})}})


def preference(quota_id: str, value: str, **dims: str) -> ResourceView:
    return _view("gcp:cloudquota/sQuotaPreference:SQuotaPreference", f"p-{quota_id}", {
        "service": "compute.googleapis.com", "quotaId": quota_id, "dimensions": dims,
        "quotaConfig": {"preferredValue": value}})


def verdict(*resources: ResourceView):
    return check_stack(StackView(resources=[STACK, *resources], config={}))


def test_pools_of_one_family_add_up_and_a_short_request_is_named():
    found = verdict(node_group("a", "g6e.12xlarge", 4), node_group("b", "g6e.xlarge", 2),
                    service_quota("L-DB2E81BA", 199))
    assert len(found) == 1
    urn, message = found[0]
    assert urn == "urn:stack"
    assert "GPU pools a, b need 200 vCPUs of ec2 L-DB2E81BA (region=us-east-1)" in message
    assert "more than the 199 the plan requests" in message


def test_an_exact_request_covers_the_pools():
    assert verdict(node_group("a", "g6e.12xlarge", 4), node_group("b", "g6e.xlarge", 2),
                   service_quota("L-DB2E81BA", 200)) == []


def test_a_request_in_another_region_does_not_count():
    found = verdict(node_group("a", "p5.48xlarge", 2), service_quota("L-417A185B", 384, region="us-west-2"))
    assert len(found) == 1 and "the plan requests none" in found[0][1]


def ceiling(value: str) -> ResourceView:
    """The project-wide GPU ceiling every GPU VM also draws on (no dimension)."""
    return preference("GPUS-ALL-REGIONS-per-project", value)


@pytest.mark.parametrize(("pools", "requests", "violations"), [
    ([node_pool("l4", "g2-standard-48", 4, spot=True)],
     [preference("PREEMPTIBLE-NVIDIA-L4-GPUS-per-project-region", "16", region="us-central1"), ceiling("16")], 0),
    ([node_pool("l4", "g2-standard-48", 4, spot=True)],
     [preference("NVIDIA-L4-GPUS-per-project-region", "16", region="us-central1"), ceiling("16")], 1),  # ≠ Spot
    ([node_pool("h100", "a3-megagpu-8g", 2)],
     [preference("GPUS-PER-GPU-FAMILY-per-project-region", "8", gpu_family="NVIDIA_H100_MEGA",
                 region="us-central1"), ceiling("16")], 1),                                 # 16 needed
])
def test_gcp_quota_ids_and_dimensions_must_match(pools, requests, violations):
    assert len(verdict(*pools, *requests)) == violations


def test_the_project_wide_gpu_ceiling_must_cover_every_pool():
    # New projects have GPUS-ALL-REGIONS-per-project = 0: regional quota alone launches no GPU VM.
    pools = [node_pool("l4", "g2-standard-48", 4, spot=True), node_pool("h100", "a3-megagpu-8g", 2)]
    regional = [preference("PREEMPTIBLE-NVIDIA-L4-GPUS-per-project-region", "16", region="us-central1"),
                preference("GPUS-PER-GPU-FAMILY-per-project-region", "16", gpu_family="NVIDIA_H100_MEGA",
                           region="us-central1")]
    missing = verdict(*pools, *regional)
    assert len(missing) == 1
    assert "GPU pools l4, h100 need 32 GPUs of compute.googleapis.com GPUS-ALL-REGIONS-per-project" in missing[0][1]
    assert "the plan requests none" in missing[0][1]
    short = verdict(*pools, *regional, ceiling("31"))
    assert len(short) == 1 and "more than the 31 the plan requests" in short[0][1]
    assert verdict(*pools, *regional, ceiling("32")) == []


def test_reserved_and_unknown_quota_pools_are_not_judged():
    result = verdict(node_group("cb", "p5.48xlarge", 4, capacity="CAPACITY_BLOCK"),
                     node_group("trn", "trn1.32xlarge", 2))
    assert isinstance(result, NotApplicable)
