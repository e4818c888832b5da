"""The `pulled` journey step: golden images come from the stack's private registry or a cache the nodes
can pull from, judged on synthetic worlds (the example stacks set no golden image: nothing to pull)."""

from __future__ import annotations

import pytest
from journey_world import ACCOUNT, CONFIGMAP, Res, config, doc, golden_data, view, without
from lzpolicy.journeys import journeys
from lzpolicy.journeys.pulled import split_image

from components.platform_inputs import GpuPoolHandle

DIGEST = "sha256:" + "a" * 64
ECR = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
LABELS = {"ai-landing-zone/pool": "l40s"}
POOL = {"name": "l40s", "instanceType": "g6e.xlarge", "maxNodes": 4, "purpose": "inference"}


def _eks(image: str) -> dict[str, Res]:
    cfg = config("aws", POOL, 2, kubernetes={"goldenImages": {"training": image, "inference": image}})
    handle = GpuPoolHandle(name="l40s", node_labels=LABELS, gpus_per_node=1, max_nodes=4)
    return {
        "cluster": Res("aws:eks/cluster:Cluster", {"name": "lz"}),
        "ns": Res("kubernetes:core/v1:Namespace", {"metadata": {"name": "research"}}),
        "golden": Res(CONFIGMAP, {"metadata": {"name": "golden-workloads", "namespace": "research"},
                                  "data": golden_data(cfg, handle)}, {"metadata": ["ns"]}),
        "ng": Res("aws:eks/nodeGroup:NodeGroup", {"labels": LABELS, "nodeRoleArn": "arn:node"}, {"nodeRoleArn": ["node"]}),
        "node": Res("aws:iam/role:Role", {"name": "node"}),
        "node-pull": Res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
            "role": "node", "policyArn": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"}, {"role": ["node"]}),
        "import": Res("aws:iam/policy:Policy", {"policy": doc({
            "Effect": "Allow", "Action": ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"],
            "Resource": [f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/ai-lz-t/cache/quay/*"]})}),
        "import-att": Res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"role": "node"},
                          {"role": ["node"], "policyArn": ["import"]}),
        "repo": Res("aws:ecr/repository:Repository", {"name": "ai-lz-t/teams/research"}),
        "cache": Res("aws:ecr/pullThroughCacheRule:PullThroughCacheRule", {
            "ecrRepositoryPrefix": "ai-lz-t/cache/quay", "upstreamRegistryUrl": "quay.io"}),
        "nat": Res("aws:ec2/natGateway:NatGateway", {}),
    }


def _gke(image: str) -> dict[str, Res]:
    pool = {"name": "l4", "instanceType": "g2-standard-48", "maxNodes": 4, "purpose": "inference"}
    cfg = config("gcp", pool, 4, kubernetes={"goldenImages": {"training": image, "inference": image}})
    handle = GpuPoolHandle(name="l4", node_labels={"ai-landing-zone/pool": "l4"}, gpus_per_node=4, max_nodes=4)
    return {
        "cluster": Res("gcp:container/cluster:Cluster", {}),
        "ns": Res("kubernetes:core/v1:Namespace", {"metadata": {"name": "research"}}),
        "golden": Res(CONFIGMAP, {"metadata": {"name": "golden-workloads", "namespace": "research"},
                                  "data": golden_data(cfg, handle)}, {"metadata": ["ns"]}),
        "np": Res("gcp:container/nodePool:NodePool", {"name": "l4", "nodeConfig": {"serviceAccount": "n@p"}},
                  {"nodeConfig": ["node-sa"]}),
        "node-sa": Res("gcp:serviceaccount/account:Account", {"accountId": "node"}),
        "reader": Res("gcp:projects/iAMMember:IAMMember", {"role": "roles/artifactregistry.reader", "member": "x"},
                      {"member": ["node-sa"]}),
        "repo": Res("gcp:artifactregistry/repository:Repository", {"repositoryId": "lz-dev-team-research",
                                                                   "project": "proj"}),
    }


def _pulled(world: dict[str, Res]):
    found = [j for j in journeys(view(world)) if j.workload.kind == "Job"]
    assert found
    return next(s for s in found[0].steps if s.name == "pulled")


CASES = [
    ("eks-team-repository", _eks(f"{ECR}/ai-lz-t/teams/research@{DIGEST}"), True),
    ("eks-through-cache", _eks(f"{ECR}/ai-lz-t/cache/quay/org/img:1@{DIGEST}"), True),
    ("eks-public-registry", _eks(f"nvcr.io/nvidia/pytorch:24.10-py3@{DIGEST}"), False),
    ("eks-unplanned-repository", _eks(f"{ECR}/someone/else@{DIGEST}"), False),
    ("eks-cache-without-import-rights",
     without(_eks(f"{ECR}/ai-lz-t/cache/quay/org/img@{DIGEST}"), "import-att"), False),
    ("eks-node-role-cannot-pull", without(_eks(f"{ECR}/ai-lz-t/teams/research@{DIGEST}"), "node-pull"), False),
    ("eks-no-route-to-ecr", without(_eks(f"{ECR}/ai-lz-t/teams/research@{DIGEST}"), "nat"), False),
    ("gke-team-repository", _gke(f"us-central1-docker.pkg.dev/proj/lz-dev-team-research/img@{DIGEST}"), True),
    ("gke-unplanned-repository-of-this-project",
     _gke(f"us-central1-docker.pkg.dev/proj/missing/img@{DIGEST}"), False),
    ("gke-node-sa-without-reader",
     without(_gke(f"us-central1-docker.pkg.dev/proj/lz-dev-team-research/img@{DIGEST}"), "reader"), False),
    ("gke-docker-hub", _gke(f"docker.io/library/python:3.12@{DIGEST}"), False),
]


@pytest.mark.parametrize(("case", "world", "ok"), CASES, ids=[c[0] for c in CASES])
def test_pulled(case, world, ok):
    step = _pulled(world)
    assert step.ok is ok, f"{case}: {step.detail}"


def test_no_image_pulls_nothing_and_says_so():
    world = _eks(f"{ECR}/ai-lz-t/teams/research@{DIGEST}")
    cfg = config("aws", POOL, 2)
    world["golden"] = Res(CONFIGMAP, {"metadata": {"name": "golden-workloads", "namespace": "research"},
                                      "data": golden_data(cfg, GpuPoolHandle(name="l40s", node_labels=LABELS,
                                                                             gpus_per_node=1, max_nodes=4))},
                          {"metadata": ["ns"]})
    step = _pulled(world)
    assert step.ok is True and "goldenImages" in step.detail


def test_vpc_endpoints_instead_of_nat():
    world = without(_eks(f"{ECR}/ai-lz-t/teams/research@{DIGEST}"), "nat")
    for svc in ("ecr.api", "ecr.dkr", "s3"):
        world[f"ep-{svc}"] = Res("aws:ec2/vpcEndpoint:VpcEndpoint", {"serviceName": f"com.amazonaws.us-east-1.{svc}"})
    assert _pulled(world).ok is True
    assert _pulled(without(world, "ep-ecr.dkr")).ok is False


@pytest.mark.parametrize(("ref", "expected"), [
    ("python:3.12", ("docker.io", "python")),
    (f"quay.io/org/img:1@{DIGEST}", ("quay.io", "org/img")),
    (f"{ECR}/a/b@{DIGEST}", (ECR, "a/b")),
    ("localhost:5000/x:y", ("localhost:5000", "x")),
])
def test_split_image(ref, expected):
    assert split_image(ref) == expected


def test_image_of_a_renamed_repository_fails():
    world = _eks(f"{ECR}/ai-lz-t/teams/research@{DIGEST}")
    world["repo"].props["name"] = "ai-lz-t/teams/other"
    assert _pulled(world).ok is False
