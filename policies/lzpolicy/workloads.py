"""Kubernetes workloads as the workload rules see them: every pod template an object carries.

One table (`POD_TEMPLATES`) says where each kind keeps its pod spec(s); `pod_specs` walks it and
`containers` lists a pod spec's containers, init containers and ephemeral containers. Both are pure
functions over wire-format inputs (camelCase dicts), table-tested in tests/policies/test_workloads.py.

Typed resources (`k8s.apps.v1.Deployment`, and what `yaml.ConfigFile` / `ConfigGroup` register for
built-in kinds) and `apiextensions.CustomResource` objects (registered as
`kubernetes:<group>/<version>:<Kind>` with the manifest's top-level fields as inputs) arrive in the
same shape, so one table serves both. (`pulumi_kubernetes/yaml/yaml.py` `_parse_yaml_object` registers
`Deployment(name, opts, **obj)` for built-in kinds and `CustomResource(...)` for others. The offline engine
cannot plan `yaml=` manifests - the provider's `kubernetes:yaml:decode` invoke has no offline answer - so
the fixtures use the typed and CustomResource forms that path produces.)

Not expanded here: Helm `Release`s (`kubernetes:helm.sh/v3:Release`), which the provider renders at
deploy time; the pack sees only the chart name and values. Their pods are judged at the cluster by
Pod Security admission (see rules/kubernetes/k8s_namespace_restricted_psa.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from components.names import GPU_OPERATOR_NAMESPACE

from . import props as wire
from .rule import ResourceView

# Where a kind keeps its pod spec: a path of keys, where "[]" walks every item of a list and "{}" every
# value of a map. Keyed by (API group, kind), any version; "core" is the legacy group of v1 kinds.
#   Built-in kinds: Kubernetes API reference (PodSpec under spec / spec.template / jobTemplate).
#   JobSet: kubernetes-sigs/jobset api/jobset/v1alpha2/jobset_types.go (ReplicatedJob.Template is a
#     batchv1.JobTemplateSpec).
#   Kubeflow training jobs (kubeflow.org/v1): kubeflow/training-operator pkg/apis/kubeflow.org/v1
#     *_types.go (`pytorchReplicaSpecs`, `tfReplicaSpecs`, `mpiReplicaSpecs`, `xgbReplicaSpecs`,
#     `paddleReplicaSpecs`, `jaxReplicaSpecs`: map of replica type to ReplicaSpec{template}); MPIJob
#     v2beta1 (kubeflow/mpi-operator) keeps the same `mpiReplicaSpecs` map.
_TEMPLATE = ("spec", "template", "spec")
_KUBEFLOW = {"PyTorchJob": "pytorchReplicaSpecs", "TFJob": "tfReplicaSpecs", "MPIJob": "mpiReplicaSpecs",
             "XGBoostJob": "xgbReplicaSpecs", "PaddleJob": "paddleReplicaSpecs", "JAXJob": "jaxReplicaSpecs"}
POD_TEMPLATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("core", "Pod"): ("spec",),
    ("core", "PodTemplate"): ("template", "spec"),
    **{(group, kind): _TEMPLATE for group in ("apps", "extensions")
       for kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")},
    ("batch", "Job"): _TEMPLATE,
    ("batch", "CronJob"): ("spec", "jobTemplate", *_TEMPLATE),
    ("jobset.x-k8s.io", "JobSet"): ("spec", "replicatedJobs", "[]", "template", *_TEMPLATE),
    **{("kubeflow.org", kind): ("spec", field, "{}", "template", "spec") for kind, field in _KUBEFLOW.items()},
}

# Type tokens the workload rules judge: every typed version pulumi-kubernetes ships for the built-in
# kinds (pulumi_kubernetes 4.x: apps/v1beta1, v1beta2 and extensions/v1beta1 remain as deprecated
# classes), and the served versions of the custom kinds.
_VERSIONS = {"core": ("v1",), "apps": ("v1", "v1beta1", "v1beta2"), "extensions": ("v1beta1",),
             "batch": ("v1", "v1beta1", "v2alpha1"), "jobset.x-k8s.io": ("v1alpha2",),
             "kubeflow.org": ("v1", "v2beta1")}
_SHIPPED = {  # the kinds a (group, version) has where it lacks some (apps/v1beta1 has no DaemonSet)
    ("apps", "v1beta1"): {"Deployment", "StatefulSet"}, ("extensions", "v1beta1"): {"Deployment", "DaemonSet", "ReplicaSet"},
    ("batch", "v1"): {"Job", "CronJob"},
    ("batch", "v1beta1"): {"CronJob"}, ("batch", "v2alpha1"): {"CronJob"}, ("kubeflow.org", "v2beta1"): {"MPIJob"},
}
WORKLOAD_TYPES: tuple[str, ...] = tuple(
    f"kubernetes:{group}/{version}:{kind}"
    for (group, kind) in POD_TEMPLATES for version in _VERSIONS[group]
    if kind in _SHIPPED.get((group, version), {kind}))

# The custom kinds among them: CustomResourceDefinitions installed with their operators (JobSet, Kubeflow
# training operator / MPI operator), so no SDK declares their tokens.
CUSTOM_RESOURCE_GROUPS = ("jobset.x-k8s.io", "kubeflow.org")
CUSTOM_WORKLOAD_TYPES: tuple[str, ...] = tuple(
    t for t in WORKLOAD_TYPES if t.split(":")[1].rsplit("/", 1)[0] in CUSTOM_RESOURCE_GROUPS)

# Services are judged by k8s-service-lb-not-public.
K8S_SERVICE = ("kubernetes:core/v1:Service",)


@dataclass(frozen=True)
class PodSpecAt:
    where: str  # "spec.template.spec", "spec.pytorchReplicaSpecs.Worker.template.spec"
    spec: dict[str, Any]


@dataclass(frozen=True)
class ContainerAt:
    where: str  # "spec.template.spec.initContainers[0] 'setup'"
    container: dict[str, Any]

    @property
    def image(self) -> str:
        value = wire.dig(self.container, "image", default="")
        return value if isinstance(value, str) else ""


def group_kind(type_token: str) -> tuple[str, str] | None:
    """`kubernetes:apps/v1:Deployment` -> ("apps", "Deployment"); None for other packages."""
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "kubernetes" or "/" not in parts[1]:
        return None
    return parts[1].rsplit("/", 1)[0], parts[2]


def _walk(node: Any, path: tuple[str, ...], where: str) -> Iterator[PodSpecAt]:
    if wire.is_unknown(node):
        raise wire.UnknownValueError(node, [where])
    if not path:
        if isinstance(node, dict):
            yield PodSpecAt(where, node)
        return
    step, rest = path[0], path[1:]
    if step == "[]":
        for i, item in enumerate(node if isinstance(node, list) else []):
            yield from _walk(item, rest, f"{where}[{i}]")
    elif step == "{}":
        for key, item in (node.items() if isinstance(node, dict) else []):
            yield from _walk(item, rest, f"{where}.{key}")
    elif isinstance(node, dict) and node.get(step) is not None:
        yield from _walk(node[step], rest, f"{where}.{step}" if where else step)


def pod_specs(type_token: str, props: dict[str, Any]) -> list[PodSpecAt]:
    """Every pod spec the object carries ([] for a kind without pod templates). An unknown value on the
    way raises UnknownValueError (the SDK's "can't judge during preview" advisory)."""
    key = group_kind(type_token)
    path = POD_TEMPLATES.get(key) if key else None
    return list(_walk(props, path, "")) if path else []


CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def containers(pod: PodSpecAt) -> list[ContainerAt]:
    """Init, regular and ephemeral containers of a pod spec, each with where it sits."""
    out = []
    for field in CONTAINER_LISTS:
        for i, c in enumerate(wire.items(pod.spec, field)):
            if isinstance(c, dict):
                name = wire.known(c, "name")
                out.append(ContainerAt(f"{pod.where}.{field}[{i}]" + (f" '{name}'" if name else ""), c))
    return out


def image_tag_problem(image: str) -> str | None:
    """Why an image reference is not pinned: None for a digest (`@sha256:...`) or an explicit tag other
    than `latest`. The tag is what follows the last `:` after the last `/` (a registry port such as
    `registry:5000/x` is not a tag); the Kubernetes docs: an image without a tag means `latest`
    (https://kubernetes.io/docs/concepts/containers/images/#image-names)."""
    if not image:
        return "has no image"
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image '{image}' has no tag (it means :latest)"
    if last.rsplit(":", 1)[1] == "latest":
        return f"image '{image}' uses the :latest tag"
    return None


# --- The platform's own host agents -------------------------------------------------------------------------
# Node agents the landing zone or the cloud's GPU guides install, which need host access by design. A
# workload is exempt from the host-access rules (privileged, host namespaces, hostPath, capabilities,
# privilege escalation, root) only when it sits in the listed namespace AND every one of its containers'
# images starts with one of the listed prefixes. Nothing else is exempt; the image-pin rule still applies.
#   - NVIDIA GPU operator: namespace components.names.GPU_OPERATOR_NAMESPACE, images from NVIDIA's NGC
#     registry nvcr.io/nvidia/ (GPU operator docs, "Installing the NVIDIA GPU Operator").
#   - AWS EFA device plugin: kube-system (components/k8s/cluster_services.py EFA_NAMESPACE), image
#     <account>.dkr.ecr.<region>.amazonaws.com/eks/aws-efa-k8s-device-plugin (aws/eks-charts
#     stable/aws-efa-k8s-device-plugin README: image.repository default
#     602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/aws-efa-k8s-device-plugin).
#   - GKE GPUDirect-TCPX/TCPXO/RDMA NCCL plugin installers: kube-system DaemonSets with images under
#     us-docker.pkg.dev/gce-ai-infra/ (GoogleCloudPlatform/container-engine-accelerators
#     gpudirect-tcpx/nccl-tcpx-installer.yaml, gpudirect-tcpxo/nccl-tcpxo-installer.yaml,
#     gpudirect-rdma/nccl-rdma-installer.yaml, which GKE's GPUDirect guides apply).
#   - and, exactly, the images a landing-zone stack configures for its GPUDirect installers
#     (`kubernetes.gpudirect.images`, read through the typed settings): GPUDIRECT_AGENT below.
# Our stacks install the first two as Helm Releases, which the pack does not expand (see the module
# docstring); the list matters for programs that apply the rendered manifests (yaml.ConfigFile).
@dataclass(frozen=True)
class HostAgent:
    name: str
    namespace: str
    image: re.Pattern[str]


HOST_AGENTS: tuple[HostAgent, ...] = (
    HostAgent("NVIDIA GPU operator", GPU_OPERATOR_NAMESPACE, re.compile(r"nvcr\.io/nvidia/")),
    HostAgent("AWS EFA device plugin", "kube-system",
              re.compile(r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/eks/aws-efa-k8s-device-plugin[:@]")),
    HostAgent("GKE GPUDirect NCCL installer", "kube-system", re.compile(r"us-docker\.pkg\.dev/gce-ai-infra/")),
)


def host_agent(r: ResourceView) -> HostAgent | None:
    """The allow-listed platform agent this workload is, or None. The namespace must be known (a
    computed namespace is not exempt) and every container must run an allow-listed image."""
    namespace = r.known("metadata", "namespace")
    if not isinstance(namespace, str):
        return None
    images = [c.image for pod in pod_specs(r.type, dict(r.props)) for c in containers(pod)]
    for agent in HOST_AGENTS:
        if namespace == agent.namespace and images and all(agent.image.match(i) for i in images):
            return agent
    configured = gpudirect_installer_images()
    if namespace == GPUDIRECT_NAMESPACE and images and configured and set(images) <= configured:
        return GPUDIRECT_AGENT
    return None


# The GKE GPUDirect installers (components/k8s/gpudirect_installers.py) run images the stack configures
# (`kubernetes.gpudirect.images`: Google's NCCL installers, NRI device injector, pause, and the host-setup
# image); a DaemonSet in kube-system whose every image is exactly one of those is that agent.
GPUDIRECT_NAMESPACE = "kube-system"
GPUDIRECT_AGENT = HostAgent("GKE GPUDirect installers", GPUDIRECT_NAMESPACE,
                            re.compile(r"(the stack's kubernetes\.gpudirect\.images, exactly)"))


def gpudirect_installer_images() -> set[str]:
    from .rule import stack_settings

    settings = stack_settings()
    if settings is None:
        return set()
    return {v for v in settings.kubernetes.gpudirect.images.model_dump().values() if isinstance(v, str)}


def host_agents_text() -> str:
    return "; ".join(f"{a.name} (namespace {a.namespace}, images {a.image.pattern})" for a in HOST_AGENTS)




# --- The shape every workload rule shares ---------------------------------------------------------------------
def judge(r: ResourceView, findings: Callable[[PodSpecAt], list[str]], fix: str, *, host_access: bool):
    """Compliant / NonCompliant / NotApplicable for a workload rule: `findings(pod)` lists what is wrong
    with one pod spec ("spec.template.spec.containers[0] 'app' is privileged"); `host_access` rules
    exempt the allow-listed platform agents (HOST_AGENTS)."""
    from .rule import Compliant, NonCompliant, NotApplicable

    pods = pod_specs(r.type, dict(r.props))
    if not pods:
        return NotApplicable(f"{r.title} carries no pod template")
    if host_access:
        agent = host_agent(r)
        if agent is not None:
            return NotApplicable(f"{r.title} is the {agent.name}, allow-listed for host access "
                                 f"(namespace {agent.namespace}, images matching {agent.image.pattern})")
    found = [f for pod in pods for f in findings(pod)]
    if found:
        return NonCompliant(f"{r.title}: {'; '.join(found)}; {fix}")
    return Compliant()


def security_context(c: ContainerAt, pod: PodSpecAt, field: str) -> Any:
    """A container's securityContext field, else the pod's (for the fields PodSecurityContext also has:
    runAsNonRoot, runAsUser, ...); the container's value wins, as the API documents."""
    own = wire.dig(c.container, "securityContext", field)
    return own if own is not None else wire.dig(pod.spec, "securityContext", field)


__all__ = ["CONTAINER_LISTS", "CUSTOM_WORKLOAD_TYPES", "ContainerAt", "HOST_AGENTS", "K8S_SERVICE", "POD_TEMPLATES", "PodSpecAt",
           "WORKLOAD_TYPES", "containers", "group_kind", "host_agent", "image_tag_problem", "judge", "pod_specs",
           "security_context"]
