"""Minimal plans for the journey checks' table tests: resources as the engine records them.

`eks_world()` and `gke_world()` return {name: Res} for one team (`research`) whose golden workloads
(rendered by the real generator, components/workloads/golden.py) pass every step; a test changes one
resource (`with_props`, `without`) and expects exactly the step that defect breaks to fail.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml
from policy_harness import PACK, ROOT

from components.config import validate_config
from components.platform_inputs import GpuPoolHandle
from components.workloads.golden import configmap_data, golden_workloads

for _path in (str(PACK), str(ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from lzpolicy.rule import ResourceView, StackView  # noqa: E402

PSS = "pod-security.kubernetes.io"
NAME_LABEL = "kubernetes.io/metadata.name"
IRSA = "eks.amazonaws.com/role-arn"
ACCOUNT = "123456789012"


@dataclass
class Res:
    type: str
    props: dict[str, Any]
    deps: dict[str, list[str]] = field(default_factory=dict)   # property -> names of resources it came from


def urn(name: str, type_: str) -> str:
    return f"urn:pulumi:t::p::{type_}::{name}"


def view(world: dict[str, Res]) -> StackView:
    return StackView(resources=[
        ResourceView(type=r.type, props=r.props, urn=urn(n, r.type), name=n, protect=False, config={},
                     property_dependencies={k: tuple(urn(d, world[d].type) for d in v) for k, v in r.deps.items()})
        for n, r in world.items()], config={})


def with_props(world: dict[str, Res], name: str, **changes: Any) -> dict[str, Res]:
    """A copy of `world` whose resource `name` has top-level props replaced (None removes one)."""
    out = copy.deepcopy(world)
    for key, value in changes.items():
        if value is None:
            out[name].props.pop(key, None)
        else:
            out[name].props[key] = value
    return out


def without(world: dict[str, Res], *names: str) -> dict[str, Res]:
    out = copy.deepcopy(world)
    for n in names:
        out.pop(n)
    return out


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def irsa_trust(namespace: str, sa: str) -> str:
    issuer = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
    return doc({"Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{issuer}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{issuer}:sub": f"system:serviceaccount:{namespace}:{sa}",
                                               f"{issuer}:aud": "sts.amazonaws.com"}}})


def _k8s(kind: str, api: str = "v1") -> str:
    return f"kubernetes:{api}:{kind}"


CONFIGMAP, NAMESPACE = _k8s("ConfigMap", "core/v1"), _k8s("Namespace", "core/v1")
LOCAL_QUEUE, CLUSTER_QUEUE = _k8s("LocalQueue", "kueue.x-k8s.io/v1beta1"), _k8s("ClusterQueue", "kueue.x-k8s.io/v1beta1")
FLAVOR, ADMISSION_CHECK = _k8s("ResourceFlavor", "kueue.x-k8s.io/v1beta1"), _k8s("AdmissionCheck", "kueue.x-k8s.io/v1beta1")
PROVISIONING_CONFIG = _k8s("ProvisioningRequestConfig", "kueue.x-k8s.io/v1beta1")
RELEASE, NETPOL = "kubernetes:helm.sh/v3:Release", _k8s("NetworkPolicy", "networking.k8s.io/v1")
QUOTA, SA = _k8s("ResourceQuota", "core/v1"), _k8s("ServiceAccount", "core/v1")
PV, PVC = _k8s("PersistentVolume", "core/v1"), _k8s("PersistentVolumeClaim", "core/v1")
GKE_NETWORK = _k8s("Network", "networking.gke.io/v1")


def config(cloud: str, pool: dict[str, Any], quota: int, **extra: Any):
    doc_ = {"environment": "dev", "cloud": cloud, "tags": {"costCenter": "ml"}, "gpuPools": [pool],
            "teams": [{"name": "research", "costCenter": "ml", "gpuQuota": {pool["name"]: quota}}], **extra}
    if cloud == "gcp":
        doc_.update(region="us-central1", gcpProject="proj", network={"zones": ["us-central1-a"]})
    return validate_config(doc_, "stacks/Pulumi.t.yaml")


def golden_data(cfg, handle: GpuPoolHandle, claims=()) -> dict[str, str]:
    return configmap_data(golden_workloads(cfg, [handle], claims))


def _kueue_side(pool: str, node_labels: dict[str, str], gpus: int, cpu: str, memory: str,
                exclude: list[str]) -> dict[str, Res]:
    manager = yaml.safe_dump({"apiVersion": "config.kueue.x-k8s.io/v1beta1", "kind": "Configuration",
                              "resources": {"excludeResourcePrefixes": exclude}})
    return {
        "kueue": Res(RELEASE, {"chart": "oci://registry.k8s.io/kueue/charts/kueue", "namespace": "kueue-system",
                               "values": {"managerConfig": {"controllerManagerConfigYaml": manager}}}),
        "flavor-cpu": Res(FLAVOR, {"metadata": {"name": "default-flavor"}, "spec": {}}),
        "flavor-gpu": Res(FLAVOR, {"metadata": {"name": pool}, "spec": {
            "nodeLabels": node_labels,
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]}}),
        "cq": Res(CLUSTER_QUEUE, {"metadata": {"name": "research"}, "spec": {
            "cohort": "gpu", "namespaceSelector": {"matchLabels": {NAME_LABEL: "research"}},
            "resourceGroups": [
                {"coveredResources": ["cpu", "memory"], "flavors": [{"name": "default-flavor", "resources": [
                    {"name": "cpu", "nominalQuota": cpu, "borrowingLimit": 0},
                    {"name": "memory", "nominalQuota": memory, "borrowingLimit": 0}]}]},
                {"coveredResources": ["nvidia.com/gpu"], "flavors": [{"name": pool, "resources": [
                    {"name": "nvidia.com/gpu", "nominalQuota": gpus, "borrowingLimit": 0}]}]}]}}),
        "lq": Res(LOCAL_QUEUE, {"metadata": {"name": "default", "namespace": "research"},
                                "spec": {"clusterQueue": "research"}}, {"metadata": ["ns"]}),
        "quota": Res(QUOTA, {"metadata": {"name": "compute", "namespace": "research"}, "spec": {"hard": {
            "requests.cpu": cpu, "requests.memory": memory, "requests.nvidia.com/gpu": str(gpus)}}},
                     {"metadata": ["ns"]}),
    }


def _namespace_side(egress_443: list[str], extra_egress: list[dict] = ()) -> dict[str, Res]:
    meta = {"name": "research", "labels": {f"{PSS}/enforce": "restricted"}}

    def netpol(name: str, spec: dict) -> Res:
        return Res(NETPOL, {"metadata": {"name": name, "namespace": "research"},
                            "spec": {"podSelector": {}, **spec}}, {"metadata": ["ns"]})

    return {
        "ns": Res(NAMESPACE, {"metadata": meta}),
        "np-deny": netpol("default-deny", {"policyTypes": ["Ingress", "Egress"]}),
        "np-same": netpol("allow-same-namespace", {"policyTypes": ["Ingress", "Egress"],
                                                   "ingress": [{"from": [{"podSelector": {}}]}],
                                                   "egress": [{"to": [{"podSelector": {}}]}]}),
        "np-dns": netpol("allow-dns", {"policyTypes": ["Egress"], "egress": [{
            "to": [{"namespaceSelector": {"matchLabels": {NAME_LABEL: "kube-system"}},
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]}),
        "np-egress": netpol("allow-egress", {"policyTypes": ["Egress"], "egress": [
            {"to": [{"ipBlock": {"cidr": c}} for c in egress_443], "ports": [{"protocol": "TCP", "port": 443}]},
            *extra_egress]}),
    }


def eks_world(claims: tuple[str, ...] = ()) -> dict[str, Res]:
    """Team research, a p5.48xlarge training pool (32 EFA), 16 GPUs: a 2-node job that runs."""
    cfg = config("aws", {"name": "h100", "instanceType": "p5.48xlarge", "maxNodes": 4, "purpose": "training"}, 16)
    labels = {"ai-landing-zone/pool": "h100"}
    handle = GpuPoolHandle(name="h100", node_labels=labels, gpus_per_node=8, max_nodes=4, efa=True)
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/team-research"
    world = {
        "cluster": Res("aws:eks/cluster:Cluster", {"name": "lz"}),
        **_namespace_side(["10.0.0.0/16"]),
        "golden": Res(CONFIGMAP, {"metadata": {"name": "golden-workloads", "namespace": "research"},
                                  "data": golden_data(cfg, handle, claims)}, {"metadata": ["ns"]}),
        **_kueue_side("h100", labels, 16, "300", "3200Gi", ["vpc.amazonaws.com/efa"]),
        "lt": Res("aws:ec2/launchTemplate:LaunchTemplate", {"networkInterfaces": [
            {"networkCardIndex": i, "deviceIndex": 0 if i == 0 else 1, "interfaceType": "efa"} for i in range(32)]}),
        "ng": Res("aws:eks/nodeGroup:NodeGroup", {
            "instanceTypes": ["p5.48xlarge"], "labels": labels,
            "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}],
            "scalingConfig": {"minSize": 0, "maxSize": 4, "desiredSize": 0}, "launchTemplate": {"version": "1"}},
            {"launchTemplate": ["lt"]}),
        "efa-plugin": Res(RELEASE, {"chart": "aws-efa-k8s-device-plugin", "namespace": "kube-system"}),
        # the node autoscaler and its IAM
        "ca": Res(RELEASE, {"chart": "cluster-autoscaler", "namespace": "kube-system", "values": {
            "autoDiscovery": {"clusterName": "lz"},
            "rbac": {"serviceAccount": {"name": "cluster-autoscaler",
                                        "annotations": {IRSA: f"arn:aws:iam::{ACCOUNT}:role/ca"}}}}},
                  {"values": ["ca-role"]}),
        "ca-role": Res("aws:iam/role:Role", {"name": "ca",
                                             "assumeRolePolicy": irsa_trust("kube-system", "cluster-autoscaler")}),
        "ca-policy": Res("aws:iam/policy:Policy", {"policy": doc(
            {"Effect": "Allow", "Action": ["autoscaling:SetDesiredCapacity",
                                           "autoscaling:TerminateInstanceInAutoScalingGroup"], "Resource": "*",
             "Condition": {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/lz": "owned"}}})}),
        "ca-att": Res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"role": "ca"},
                      {"role": ["ca-role"], "policyArn": ["ca-policy"]}),
        # the team's workload identity and data
        "sa": Res(SA, {"metadata": {"name": "research", "namespace": "research", "annotations": {IRSA: role_arn}}},
                  {"metadata": ["ns", "team-role"]}),
        "team-role": Res("aws:iam/role:Role", {"name": "team-research",
                                               "assumeRolePolicy": irsa_trust("research", "research")}),
        "team-policy": Res("aws:iam/policy:Policy", {"policy": doc(
            {"Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": ["arn:aws:s3:::datasets-b", "arn:aws:s3:::checkpoints-b"],
             "Condition": {"StringLike": {"s3:prefix": ["research/", "research/*"]}}},
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": ["arn:aws:s3:::datasets-b/research/*", "arn:aws:s3:::checkpoints-b/research/*"]})}),
        "team-att": Res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"role": "team-research"},
                        {"role": ["team-role"], "policyArn": ["team-policy"]}),
        "datasets": Res("aws:s3/bucket:Bucket", {"tags": {"purpose": "datasets"}}),
        "datasets-pab": Res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {"bucket": "datasets-b"},
                            {"bucket": ["datasets"]}),
        "checkpoints": Res("aws:s3/bucket:Bucket", {"tags": {"purpose": "checkpoints"}}),
        "checkpoints-pab": Res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {"bucket": "checkpoints-b"},
                               {"bucket": ["checkpoints"]}),
        # network
        "vpc-cni": Res("aws:eks/addon:Addon", {"addonName": "vpc-cni",
                                               "configurationValues": json.dumps({"enableNetworkPolicy": "true"})}),
        "vpc": Res("aws:ec2/vpc:Vpc", {"cidrBlock": "10.0.0.0/16"}),
        "ep-sts": Res("aws:ec2/vpcEndpoint:VpcEndpoint", {"serviceName": "com.amazonaws.us-east-1.sts",
                                                          "vpcEndpointType": "Interface", "privateDnsEnabled": True}),
        "ep-s3": Res("aws:ec2/vpcEndpoint:VpcEndpoint", {"serviceName": "com.amazonaws.us-east-1.s3",
                                                         "vpcEndpointType": "Interface", "privateDnsEnabled": True}),
    }
    return world


def gke_world(pool: dict[str, Any] | None = None, gpus: int = 8) -> dict[str, Res]:
    """Team research, a g2-standard-48 pool (4 L4, no GPU NICs) with autoscaling: a 2-node job that runs."""
    pool = pool or {"name": "l4", "instanceType": "g2-standard-48", "maxNodes": 4, "purpose": "training"}
    cfg = config("gcp", pool, gpus)
    labels = {"cloud.google.com/gke-nodepool": pool["name"], "ai-landing-zone/pool": pool["name"]}
    from components.catalog import gcp_machine_type

    per_node = gcp_machine_type(pool["instanceType"]).accelerator.count
    handle = GpuPoolHandle(name=pool["name"], node_labels=labels, gpus_per_node=per_node,
                           max_nodes=pool["maxNodes"])
    gsa = "research@proj.iam.gserviceaccount.com"

    def grant(bucket: str) -> Res:
        return Res("gcp:storage/bucketIAMMember:BucketIAMMember", {
            "bucket": f"{bucket}-b", "role": "roles/storage.objectUser", "member": f"serviceAccount:{gsa}",
            "condition": {"title": "prefix", "expression":
                          f'resource.name.startsWith("projects/_/buckets/{bucket}-b/objects/research/")'}},
            {"bucket": [bucket], "member": ["gsa"]})

    return {
        "cluster": Res("gcp:container/cluster:Cluster", {"datapathProvider": "ADVANCED_DATAPATH"}),
        **_namespace_side(["0.0.0.0/0"], [{"to": [{"ipBlock": {"cidr": "169.254.169.252/32"}}],
                                             "ports": [{"protocol": "TCP", "port": 988}]}]),
        "golden": Res(CONFIGMAP, {"metadata": {"name": "golden-workloads", "namespace": "research"},
                                  "data": golden_data(cfg, handle)}, {"metadata": ["ns"]}),
        **_kueue_side(pool["name"], labels, gpus, "400", "3000Gi", []),
        "np": Res("gcp:container/nodePool:NodePool", {
            "name": pool["name"], "nodeLocations": ["us-central1-a"],
            "autoscaling": {"totalMinNodeCount": 0, "totalMaxNodeCount": pool["maxNodes"]},
            "nodeConfig": {"machineType": pool["instanceType"], "labels": {"ai-landing-zone/pool": pool["name"]},
                           "taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]}}),
        "gsa": Res("gcp:serviceaccount/account:Account", {"accountId": "research"}),
        "wi": Res("gcp:serviceaccount/iAMMember:IAMMember", {
            "role": "roles/iam.workloadIdentityUser", "member": "serviceAccount:proj.svc.id.goog[research/research]"},
            {"serviceAccountId": ["gsa"]}),
        "sa": Res(SA, {"metadata": {"name": "research", "namespace": "research",
                                    "annotations": {"iam.gke.io/gcp-service-account": gsa}}},
                  {"metadata": ["ns", "gsa"]}),
        "datasets": Res("gcp:storage/bucket:Bucket", {"labels": {"purpose": "datasets"}}),
        "checkpoints": Res("gcp:storage/bucket:Bucket", {"labels": {"purpose": "checkpoints"}}),
        "grant-datasets": grant("datasets"),
        "grant-checkpoints": grant("checkpoints"),
    }
