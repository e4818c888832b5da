"""One GpuPool spec, two clouds: the same pools planned on AWS (EKS) and GCP (GKE) correspond.

Only `instanceType` differs (it names a catalog entry of each cloud). Scaling bounds, capacity model,
taints, labels, zone pinning and tight placement for training must mean the same thing on both.
"""

from __future__ import annotations

import copy
from typing import Any

import pulumi_aws
import pytest
from gcp_plans import P, plan_gcp

from lz.engine.plan import Plan
from lz.testing import inputs, of_type, plan_config

for _module in ("autoscaling", "cloudtrail", "cloudwatch", "ec2", "efs", "eks", "fsx", "iam", "kms", "s3"):
    getattr(getattr(pulumi_aws, _module), "load_now", None)  # see gcp_plans: keep one copy across plans

POOLS: list[dict[str, Any]] = [
    {"name": "serve", "minNodes": 0, "maxNodes": 3, "purpose": "inference", "capacity": {"type": "spot"},
     "labels": {"workload": "serving"}, "taints": [{"key": "tier", "value": "online", "effect": "NoExecute"}],
     "instanceType": {"aws": "g6e.12xlarge", "gcp": "g2-standard-48"}},
    {"name": "train", "minNodes": 0, "maxNodes": 2, "purpose": "training",
     "instanceType": {"aws": "p5.48xlarge", "gcp": "a3-megagpu-8g"}},
]


def pools_for(cloud: str) -> list[dict[str, Any]]:
    out = copy.deepcopy(POOLS)
    for pool in out:
        pool["instanceType"] = pool["instanceType"][cloud]
    return out


@pytest.fixture(scope="module")
def aws() -> Plan:
    doc = {"aws:region": "us-east-1", f"{P}:environment": "dev", f"{P}:cloud": "aws",
           f"{P}:tags": {"costCenter": "ml-test"}, f"{P}:network": {"zones": ["us-east-1a", "us-east-1b"]},
           f"{P}:gpuPools": pools_for("aws")}
    result = plan_config(doc, stack="parity", policy=False)
    assert result.run.error is None, result.run.error
    return result


@pytest.fixture(scope="module")
def gcp() -> Plan:
    return plan_gcp({"gpuPools": pools_for("gcp")}, stack="parity")


def aws_group(plan: Plan, pool: str) -> dict[str, Any]:
    found = [inputs(r) for r in of_type(plan, "aws:eks/nodeGroup:NodeGroup")
             if inputs(r).get("labels", {}).get("ai-landing-zone/pool") == pool]
    assert len(found) == 1
    return found[0]


def gcp_pool(plan: Plan, pool: str) -> dict[str, Any]:
    found = [inputs(r) for r in of_type(plan, "gcp:container/nodePool:NodePool") if inputs(r)["name"] == pool]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("pool", [p["name"] for p in POOLS])
def test_scaling_bounds(aws, gcp, pool):
    a, g = aws_group(aws, pool)["scalingConfig"], gcp_pool(gcp, pool)["autoscaling"]
    assert (a["minSize"], a["maxSize"]) == (g["totalMinNodeCount"], g["totalMaxNodeCount"])


@pytest.mark.parametrize(("pool", "spot"), [("serve", True), ("train", False)])
def test_capacity_model(aws, gcp, pool, spot):
    assert (aws_group(aws, pool)["capacityType"] == "SPOT") is spot
    assert bool(gcp_pool(gcp, pool)["nodeConfig"].get("spot")) is spot


@pytest.mark.parametrize("pool", [p["name"] for p in POOLS])
def test_taints_mean_the_same(aws, gcp, pool):
    """Key, value and effect: the GPU taint and the pool's own taints are the same on both clouds."""
    a = {(t["key"], t["value"], t["effect"]) for t in aws_group(aws, pool)["taints"]}
    g = {(t["key"], t["value"], t["effect"]) for t in gcp_pool(gcp, pool)["nodeConfig"]["taints"]}
    assert a == g
    assert ("nvidia.com/gpu", "present", "NO_SCHEDULE") in g


@pytest.mark.parametrize("pool", [p["name"] for p in POOLS])
def test_labels_mean_the_same(aws, gcp, pool):
    a, g = aws_group(aws, pool)["labels"], gcp_pool(gcp, pool)["nodeConfig"]["labels"]
    for key in ("ai-landing-zone/pool", "ai-landing-zone/capacity-type", "workload"):
        assert a.get(key) == g.get(key)
    assert g["ai-landing-zone/pool"] == pool


def test_inference_spreads_over_zones_and_training_is_pinned_and_packed(aws, gcp):
    assert len(aws_group(aws, "serve")["subnetIds"]) == 2
    assert len(gcp_pool(gcp, "serve")["nodeLocations"]) == 2
    assert "placementPolicy" not in gcp_pool(gcp, "serve")
    assert len(aws_group(aws, "train")["subnetIds"]) == 1
    assert len(gcp_pool(gcp, "train")["nodeLocations"]) == 1
    assert gcp_pool(gcp, "train")["placementPolicy"] == {"type": "COMPACT"}
    groups = [inputs(r) for r in of_type(aws, "aws:ec2/placementGroup:PlacementGroup")]
    assert [g["strategy"] for g in groups] == ["cluster"]


def test_training_gets_its_high_bandwidth_nics_on_both(aws, gcp):
    templates = [inputs(r) for r in of_type(aws, "aws:ec2/launchTemplate:LaunchTemplate")]
    efa = [t for t in templates if any(n.get("interfaceType") == "efa-only" for n in t.get("networkInterfaces", []))]
    assert len(efa) == 1
    nics = gcp_pool(gcp, "train")["networkConfig"]["additionalNodeNetworkConfigs"]
    assert len(nics) == 8
    assert "networkConfig" not in gcp_pool(gcp, "serve")


def test_outputs_have_one_shape(aws, gcp):
    """Both landing zones export the same contract (components/outputs.py), camelCase, with the same
    bucket purposes; only the cloud's own keys differ, and those are named here."""
    from components.names import TEAM_BUCKETS
    from lz.report import stack_outputs

    a, g = stack_outputs(aws), stack_outputs(gcp)
    cloud_only = {"aws": {"oidcProviderArn", "oidcIssuer", "permissionsBoundaryArn", "storageKmsKeyArn",
                          "registryKmsKeyArn", "secretsKmsKeyArn"},
                  "gcp": {"gcpProject", "registryKmsKey"}}
    assert set(a) - cloud_only["aws"] == set(g) - cloud_only["gcp"]
    assert cloud_only["aws"] <= set(a) and cloud_only["gcp"] <= set(g)
    assert sorted(a["buckets"]) == sorted(g["buckets"]) == sorted(TEAM_BUCKETS)
    assert all(key[0].islower() and "_" not in key for key in (*a, *g))


def test_names_have_one_scheme(aws, gcp):
    """One prefix for the names a stack chooses itself, from one function (names.stack_prefix): the stack's
    name, not the cloud or the environment (GCP clusters were `lz-<environment>-gke`, EKS `ai-lz-<stack>`)."""
    eks = [inputs(r)["name"] for r in of_type(aws, "aws:eks/cluster:Cluster")]
    gke = [inputs(r)["name"] for r in of_type(gcp, "gcp:container/cluster:Cluster")]
    assert (eks, gke) == (["ai-lz-parity"], ["ai-lz-parity-gke"])


def test_stateful_options_mean_the_same():
    """protect + retainOnDelete on every bucket when the stack protects stateful resources, on both clouds."""
    from gcp_plans import plan_gcp as plan_g

    doc = {"aws:region": "us-east-1", f"{P}:environment": "dev", f"{P}:cloud": "aws",
           f"{P}:tags": {"costCenter": "ml-test"}, f"{P}:network": {"zones": ["us-east-1a", "us-east-1b"]},
           f"{P}:protectStateful": True}
    aws_plan = plan_config(doc, stack="parity-protect", policy=False)
    gcp_plan = plan_g({"protectStateful": True}, stack="parity-protect")
    aws_buckets = of_type(aws_plan, "aws:s3/bucket:Bucket") or of_type(aws_plan, "aws:s3/bucketV2:BucketV2")
    gcp_buckets = of_type(gcp_plan, "gcp:storage/bucket:Bucket")
    assert aws_buckets and gcp_buckets
    assert all(r.protect and r.retain_on_delete for r in [*aws_buckets, *gcp_buckets])


def _component_modules() -> list[Any]:
    import importlib
    import pkgutil

    import components.aws
    import components.gcp

    return [importlib.import_module(f"{package.__name__}.{info.name}")
            for package in (components.aws, components.gcp) for info in pkgutil.iter_modules(package.__path__)]


def _components(module: Any) -> list[type]:
    import inspect

    import pulumi

    return [cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, pulumi.ComponentResource) and cls.__module__ == module.__name__]


def test_both_clouds_build_components_one_way():
    """Every AWS and GCP component takes (name, args: <frozen *Args dataclass>, opts); only the landing zones
    (the top of each cloud, behind the LandingZone protocol) take the whole LandingZoneConfig."""
    import dataclasses
    import inspect
    import typing

    from components.config.model import LandingZoneConfig

    found = 0
    for module in _component_modules():
        for cls in _components(module):
            hints = typing.get_type_hints(cls.__init__, vars(module))
            params = list(inspect.signature(cls.__init__).parameters)
            if cls.__name__.endswith("LandingZone"):
                assert hints[params[2]] is LandingZoneConfig, cls
                continue
            found += 1
            assert params == ["self", "name", "args", "opts"], f"{module.__name__}.{cls.__name__}: {params}"
            args = hints["args"]
            assert args.__name__.endswith("Args"), (cls, args)
            assert dataclasses.is_dataclass(args) and args.__dataclass_params__.frozen, f"{args} is not frozen"
    assert found >= 20  # 10 AWS + 12 GCP components, at least


def test_no_args_takes_the_whole_config():
    """Components get the typed fields they use (and their cloud's context), never the whole config."""
    import dataclasses
    import typing

    import pulumi.output

    from components.config.model import LandingZoneConfig

    checked = 0
    for module in _component_modules():
        for name, cls in vars(module).items():
            if not (name.endswith("Args") and dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__):
                continue
            checked += 1
            # pulumi.Input[T] names 'Output[T]' as a forward reference, resolved in pulumi's namespace.
            hints = typing.get_type_hints(cls, vars(module), vars(pulumi.output))
            for field_name, hint in hints.items():
                assert LandingZoneConfig not in (hint, *typing.get_args(hint)), f"{name}.{field_name}: {hint}"
                assert "LandingZoneConfig" not in repr(hint), f"{name}.{field_name}: {hint}"
    assert checked >= 20


def test_both_contexts_make_stateful_options_one_way():
    """AwsContext.stateful and GcpContext.stateful are components.options.stateful with the stack's protect."""
    import pulumi

    from components.aws.common import AwsContext
    from components.gcp.common import GcpContext

    parent = pulumi.ComponentResource.__new__(pulumi.ComponentResource)  # an identity only: never registered
    for protect in (True, False):
        a = AwsContext(account_id="1", partition="aws", region="r", prefix="p", protect=protect).stateful(parent)
        g = GcpContext(project="p", project_number="1", region="r", environment="dev", prefix="p",
                       protect=protect).stateful(parent, None)
        for opts in (a, g):
            assert (opts.parent, opts.protect, opts.retain_on_delete, opts.depends_on) == (parent, protect, protect, None)


def _defined_functions(name: str) -> list[str]:
    """`path:Class.function` of every top-level or method definition of `name` in the project's code."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    for path in sorted([*root.glob("components/**/*.py"), *root.glob("templates/**/*.py")]):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            bodies = [(node.name, n) for n in node.body] if isinstance(node, ast.ClassDef) else [("", node)]
            for owner, fn in bodies:
                if isinstance(fn, ast.FunctionDef) and fn.name == name:
                    found.append(f"{path.relative_to(root)}:{owner + '.' if owner else ''}{fn.name}")
    return found


@pytest.mark.parametrize(("function", "where"), [
    ("team_namespace", ["components/names.py:team_namespace"]),
    ("team_service_account", ["components/names.py:team_service_account"]),
    ("child", ["components/options.py:child"]),
    ("stateful", ["components/aws/common.py:AwsContext.stateful", "components/gcp/common.py:GcpContext.stateful",
                  "components/options.py:stateful"]),
])
def test_shared_helpers_are_defined_once(function, where):
    """Kubernetes names and resource options have one definition; the contexts' `stateful` delegate to it."""
    assert _defined_functions(function) == where


def test_both_clouds_trust_the_service_account_the_kubernetes_layer_creates():
    from components.aws.workload_identity import team_service_subject
    from components.config.model import Team
    from components.gcp.team_identity import workload_identity_member
    from components.names import team_namespace, team_service_account

    ns, sa = team_namespace("vision"), team_service_account("vision")
    assert team_service_subject(Team(name="vision", cost_center="x")) == (ns, sa)
    assert workload_identity_member("acme", "vision") == f"serviceAccount:acme.svc.id.goog[{ns}/{sa}]"
