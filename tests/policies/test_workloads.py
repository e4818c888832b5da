"""The shared pod-template reader of the workload rules (policies/lzpolicy/workloads.py), table-tested:
where each kind keeps its pod specs, which containers a pod spec has, what counts as a pinned image,
and which workloads the platform host-agent allow-list exempts."""

import sys

import pytest

from lz.testing import ROOT

sys.path.insert(0, str(ROOT / "policies"))

from lzpolicy.props import UnknownValueError  # noqa: E402
from lzpolicy.rule import ResourceView  # noqa: E402
from lzpolicy.workloads import WORKLOAD_TYPES, containers, host_agent, image_tag_problem, pod_specs  # noqa: E402

POD = {"containers": [{"name": "c", "image": "x:1"}]}
TEMPLATE = {"spec": {"template": {"spec": POD}}}

SPECS = [
    ("kubernetes:core/v1:Pod", {"spec": POD}, ["spec"]),
    ("kubernetes:core/v1:PodTemplate", {"template": {"spec": POD}}, ["template.spec"]),
    ("kubernetes:apps/v1:Deployment", TEMPLATE, ["spec.template.spec"]),
    ("kubernetes:apps/v1:StatefulSet", TEMPLATE, ["spec.template.spec"]),
    ("kubernetes:apps/v1:DaemonSet", TEMPLATE, ["spec.template.spec"]),
    ("kubernetes:apps/v1:ReplicaSet", TEMPLATE, ["spec.template.spec"]),
    ("kubernetes:extensions/v1beta1:Deployment", TEMPLATE, ["spec.template.spec"]),
    ("kubernetes:batch/v1:Job", TEMPLATE, ["spec.template.spec"]),
    ("kubernetes:batch/v1:CronJob", {"spec": {"jobTemplate": TEMPLATE}}, ["spec.jobTemplate.spec.template.spec"]),
    ("kubernetes:jobset.x-k8s.io/v1alpha2:JobSet",
     {"spec": {"replicatedJobs": [{"template": TEMPLATE}, {"template": TEMPLATE}]}},
     ["spec.replicatedJobs[0].template.spec.template.spec", "spec.replicatedJobs[1].template.spec.template.spec"]),
    ("kubernetes:kubeflow.org/v1:PyTorchJob",
     {"spec": {"pytorchReplicaSpecs": {"Master": {"template": {"spec": POD}}, "Worker": {"template": {"spec": POD}}}}},
     ["spec.pytorchReplicaSpecs.Master.template.spec", "spec.pytorchReplicaSpecs.Worker.template.spec"]),
    ("kubernetes:kubeflow.org/v1:TFJob", {"spec": {"tfReplicaSpecs": {"Chief": {"template": {"spec": POD}}}}},
     ["spec.tfReplicaSpecs.Chief.template.spec"]),
    ("kubernetes:kubeflow.org/v2beta1:MPIJob", {"spec": {"mpiReplicaSpecs": {"Launcher": {"template": {"spec": POD}}}}},
     ["spec.mpiReplicaSpecs.Launcher.template.spec"]),
    # no pod template: other kinds, and workloads whose template is absent
    ("kubernetes:core/v1:ConfigMap", {"data": {}}, []),
    ("kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue", {"spec": {}}, []),
    ("kubernetes:apps/v1:Deployment", {"spec": {}}, []),
    ("aws:s3/bucket:Bucket", {}, []),
]


@pytest.mark.parametrize(("token", "props", "where"), SPECS, ids=[f"{t}:{w}" for t, _, w in SPECS])
def test_pod_specs_are_found_where_each_kind_keeps_them(token, props, where):
    assert [p.where for p in pod_specs(token, props)] == where


def test_every_pod_template_kind_is_a_judged_type():
    assert {"kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:CronJob", "kubernetes:core/v1:Pod",
            "kubernetes:jobset.x-k8s.io/v1alpha2:JobSet", "kubernetes:kubeflow.org/v1:PyTorchJob",
            "kubernetes:kubeflow.org/v2beta1:MPIJob"} <= set(WORKLOAD_TYPES)
    assert "kubernetes:apps/v1beta1:DaemonSet" not in WORKLOAD_TYPES  # never shipped
    assert len(WORKLOAD_TYPES) == len(set(WORKLOAD_TYPES))


def test_unknown_template_raises_for_the_sdk_advisory():
    with pytest.raises(UnknownValueError):
        pod_specs("kubernetes:apps/v1:Deployment", {"spec": {"template": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}})


def test_containers_include_init_and_ephemeral_ones():
    spec = {"initContainers": [{"name": "setup", "image": "a:1"}], "containers": [{"name": "main", "image": "b:1"}],
            "ephemeralContainers": [{"name": "debug", "image": "c:1"}]}
    (pod,) = pod_specs("kubernetes:core/v1:Pod", {"spec": spec})
    assert [c.where for c in containers(pod)] == [
        "spec.initContainers[0] 'setup'", "spec.containers[0] 'main'", "spec.ephemeralContainers[0] 'debug'"]


IMAGES = [
    ("python:3.12", None),
    ("registry.local:5000/team/serve:1.4", None),
    ("ghcr.io/team/x@sha256:" + "a" * 64, None),
    ("python:latest", "uses the :latest tag"),
    ("python", "has no tag"),
    ("registry.local:5000/team/serve", "has no tag"),  # the port is not a tag
    ("", "has no image"),
]


@pytest.mark.parametrize(("image", "problem"), IMAGES)
def test_image_tag_problem(image, problem):
    found = image_tag_problem(image)
    assert (found is None) if problem is None else (problem in found)


def _view(namespace, *images):
    props = {"metadata": {"namespace": namespace},
             "spec": {"template": {"spec": {"containers": [{"name": f"c{i}", "image": im}
                                                          for i, im in enumerate(images)]}}}}
    return ResourceView(type="kubernetes:apps/v1:DaemonSet", props=props, urn="urn", name="ds", protect=False,
                        config={})


EFA = "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/aws-efa-k8s-device-plugin:v0.5.8"
AGENTS = [
    (_view("gpu-operator", "nvcr.io/nvidia/driver:550.90.07"), "NVIDIA GPU operator"),
    (_view("kube-system", EFA), "AWS EFA device plugin"),
    (_view("kube-system", "us-docker.pkg.dev/gce-ai-infra/gpudirect-tcpxo/nccl-plugin-gpudirecttcpx-dev:v1.0.8"),
     "GKE GPUDirect NCCL installer"),
    (_view("team-a", "nvcr.io/nvidia/driver:550.90.07"), None),           # right image, wrong namespace
    (_view("gpu-operator", "nvcr.io/nvidia/driver:550", "busybox:1.36"), None),  # one image off the list
    (_view("kube-system", "nvcr.io/nvidia/driver:550.90.07"), None),      # agent image in another agent's namespace
    (_view("kube-system", "evil.example/eks/aws-efa-k8s-device-plugin:v1"), None),
]


@pytest.mark.parametrize(("view", "agent"), AGENTS)
def test_host_agent_allow_list_is_narrow(view, agent):
    found = host_agent(view)
    assert (found.name if found else None) == agent


def test_custom_workload_types_are_the_crd_kinds_only():
    from lzpolicy.workloads import CUSTOM_WORKLOAD_TYPES

    assert set(CUSTOM_WORKLOAD_TYPES) == {
        "kubernetes:jobset.x-k8s.io/v1alpha2:JobSet", "kubernetes:kubeflow.org/v1:PyTorchJob",
        "kubernetes:kubeflow.org/v1:TFJob", "kubernetes:kubeflow.org/v1:MPIJob", "kubernetes:kubeflow.org/v2beta1:MPIJob",
        "kubernetes:kubeflow.org/v1:XGBoostJob", "kubernetes:kubeflow.org/v1:PaddleJob", "kubernetes:kubeflow.org/v1:JAXJob"}
