"""Golden workloads as the journey checks read them from a plan: constants, the Workload and Journey
types, and the lookups every step shares (namespaces, Kueue objects, Helm releases, selectors)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import yaml

from components.workloads.names import ACCEPTANCE_CONFIGMAP, CONFIGMAP, JOURNEY_ANNOTATION
from components.yamlio import SAFE_LOADER

from .. import props as wire
from ..k8s import namespace_name, objects_in
from ..quantity import parse_quantity
from ..rule import ResourceView, StackView
from ..types import (
    EKS_CLUSTER,
    GKE_CLUSTER,
    K8S_NAMESPACE,
)

NAME_LABEL = "kubernetes.io/metadata.name"
PSS_ENFORCE = "pod-security.kubernetes.io/enforce"

# libyaml's safe loader when PyYAML was built with it (components.yamlio; the pure-Python one is ~10x slower on the
# ConfigMaps' manifests); both accept exactly the safe subset.
_YAML_LOADER = SAFE_LOADER

STEPS = ("admitted", "placed", "capacity", "identity", "network", "interconnect", "pulled")

K8S_CONFIGMAP = ("kubernetes:core/v1:ConfigMap",)
K8S_LIMIT_RANGE = ("kubernetes:core/v1:LimitRange",)
HELM_RELEASE = ("kubernetes:helm.sh/v3:Release",)
K8S_DAEMONSET = ("kubernetes:apps/v1:DaemonSet",)
# Kubernetes objects from manifest files or Helm templates whose contents the plan does not list.
OPAQUE_MANIFESTS = ("kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml:ConfigFile",
                    "kubernetes:yaml:ConfigGroup")
GKE_NETWORK = ("kubernetes:networking.gke.io/v1:Network",)
EKS_ADDON = ("aws:eks/addon:Addon",)
EKS_POD_IDENTITY = ("aws:eks/podIdentityAssociation:PodIdentityAssociation",)
EKS_ACCESS_ENTRY = ("aws:eks/accessEntry:AccessEntry",)
IAM_ROLE_POLICY = ("aws:iam/rolePolicy:RolePolicy",)
IAM_MANAGED_POLICY = ("aws:iam/policy:Policy",)
VPC_ENDPOINT = ("aws:ec2/vpcEndpoint:VpcEndpoint",)
AWS_VPC = ("aws:ec2/vpc:Vpc",)
AWS_SUBNET = ("aws:ec2/subnet:Subnet",)
GCS_BUCKET = ("gcp:storage/bucket:Bucket",)
GCP_SERVICE_ACCOUNT = ("gcp:serviceaccount/account:Account",)
GCP_DNS_ZONE = ("gcp:dns/managedZone:ManagedZone",)
GCP_DNS_RECORD = ("gcp:dns/recordSet:RecordSet",)


def _kueue(kind: str) -> tuple[str, ...]:
    return tuple(f"kubernetes:kueue.x-k8s.io/{v}:{kind}" for v in ("v1beta1", "v1beta2"))


LOCAL_QUEUE, CLUSTER_QUEUE, RESOURCE_FLAVOR, ADMISSION_CHECK, PROVISIONING_CONFIG = (
    _kueue("LocalQueue"), _kueue("ClusterQueue"), _kueue("ResourceFlavor"), _kueue("AdmissionCheck"),
    _kueue("ProvisioningRequestConfig"))
# GKE's provisioning class for queued provisioning (flex-start) node pools (GKE docs, "Deploy GPUs for
# batch and AI workloads with flex-start ... ProvisioningRequest").
GKE_QUEUED_CLASS = "queued-provisioning.gke.io"

# Kueue's ProvisioningRequest admission-check controller (https://kueue.sigs.k8s.io/docs/admission-check-controllers/provisioning/).
PROVISIONING_CONTROLLER = "kueue.x-k8s.io/provisioning-request"
# The frameworks Kueue's Helm chart enables when `managerConfig.controllerManagerConfigYaml` is not
# overridden (charts/kueue/values.yaml, v0.15): Deployments and plain Pods are not among them.
KUEUE_DEFAULT_FRAMEWORKS = (
    "batch/job", "kubeflow.org/mpijob", "ray.io/rayjob", "ray.io/raycluster", "jobset.x-k8s.io/jobset",
    "kubeflow.org/paddlejob", "kubeflow.org/pytorchjob", "kubeflow.org/tfjob", "kubeflow.org/xgboostjob",
    "kubeflow.org/jaxjob", "workload.codeflare.dev/appwrapper")
# Kueue integrations a kind needs enabled; Deployments go through the pod integration as well
# (Kueue docs, "Run Deployments").
FRAMEWORK_OF_KIND = {"Job": ("batch/job",), "Deployment": ("deployment", "pod")}

CA_SET_DESIRED = "autoscaling:SetDesiredCapacity"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
GKE_WI_ANNOTATION = "iam.gke.io/gcp-service-account"
GKE_POOL_LABEL = "cloud.google.com/gke-nodepool"
# Workload Identity tokens come from the GKE metadata server: 169.254.169.252:988 with Dataplane V2,
# 169.254.169.254:80 otherwise (GKE Workload Identity docs, "network policy" restrictions).
GKE_METADATA = {True: ("169.254.169.252", 988), False: ("169.254.169.254", 80)}
# Cloud Storage reached through Private Google Access keeps its public destination addresses unless
# DNS maps *.googleapis.com to private.googleapis.com / restricted.googleapis.com
# (https://cloud.google.com/vpc/docs/configure-private-google-access#config-domain).
GOOGLE_PRIVATE_VIPS = ("199.36.153.8/30", "199.36.153.4/30")

# GCS roles that carry storage.objects.get / storage.objects.create (IAM roles for Cloud Storage).
GCS_READ_ROLES = {"roles/storage.objectViewer", "roles/storage.objectUser", "roles/storage.objectAdmin",
                  "roles/storage.admin", "roles/storage.legacyObjectReader"}
GCS_WRITE_ROLES = {"roles/storage.objectCreator", "roles/storage.objectUser", "roles/storage.objectAdmin",
                   "roles/storage.admin"}

# Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/).

class Unknown(Exception):
    """A value the step needs is not known until apply."""


@dataclass(frozen=True)
class Step:
    name: str
    ok: bool | None        # None: cannot be decided from the plan (unknown values)
    detail: str


@dataclass(frozen=True)
class Workload:
    name: str
    kind: str                      # Job | Deployment
    namespace: str
    team: str
    pool: str
    nodes: int
    pods: int
    manifest: Mapping[str, Any]
    journey: Mapping[str, Any]
    source: ResourceView           # the ConfigMap it was published in

    @property
    def pod(self) -> Mapping[str, Any]:
        return wire.known(self.manifest, "spec", "template", "spec", default={}) or {}

    @property
    def pod_labels(self) -> Mapping[str, str]:
        return wire.known(self.manifest, "spec", "template", "metadata", "labels", default={}) or {}

    @property
    def pod_annotations(self) -> Mapping[str, str]:
        return wire.known(self.manifest, "spec", "template", "metadata", "annotations", default={}) or {}

    def requests(self) -> dict[str, Fraction]:
        """Per-pod requests: containers' requests, else their limits (Kubernetes defaults requests to limits)."""
        return self._sum(lambda res: {**(res.get("limits") or {}), **(res.get("requests") or {})})

    def limits(self) -> dict[str, Fraction]:
        """Per-pod limits of the containers that set them (a LimitRange default fills the others)."""
        return self._sum(lambda res: dict(res.get("limits") or {}))

    def _sum(self, pick) -> dict[str, Fraction]:
        total: dict[str, Fraction] = {}
        for c in self.pod.get("containers") or []:
            for name, value in pick(c.get("resources") or {}).items():
                q = parse_quantity(value)
                if q is not None:
                    total[name] = total.get(name, Fraction(0)) + q
        return total


@dataclass(frozen=True)
class Journey:
    workload: Workload
    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> Step | None:
        return next((s for s in self.steps if s.ok is False), None)

    @property
    def undecided(self) -> Step | None:
        return next((s for s in self.steps if s.ok is None), None)

    @property
    def verdict(self) -> str:
        if self.failed:
            return "fails"
        return "unknown" if self.undecided else "runs"

    def as_json(self) -> dict[str, Any]:
        first = self.failed or self.undecided
        return {"workload": self.workload.name, "team": self.workload.team, "pool": self.workload.pool,
                "verdict": self.verdict, "failedStep": first.name if first else None,
                "detail": first.detail if first else "every step passes",
                "steps": [{"step": s.name, "ok": s.ok, "detail": s.detail} for s in self.steps]}



# ConfigMaps whose manifests the journeys judge: the teams' golden workloads and the platform's acceptance
# jobs (`lz verify`), which must run on the same cluster just as well.
PUBLISHED = (CONFIGMAP, ACCEPTANCE_CONFIGMAP)


def golden_workloads(view: StackView) -> list[Workload]:
    """Every golden workload published in the plan (ConfigMaps `golden-workloads`, `acceptance-workloads`)."""
    out: list[Workload] = []
    for cm in view.of_type(*K8S_CONFIGMAP):
        if cm.known("metadata", "name") not in PUBLISHED:
            continue
        namespace = namespace_of(view, cm)
        data = cm.known("data", default={}) or {}
        for key in sorted(data):
            text = data[key]
            if not isinstance(text, str):
                continue
            for doc in yaml.load_all(text, Loader=_YAML_LOADER):
                workload = _workload(doc, namespace, cm)
                if workload is not None:
                    out.append(workload)
    return out


def namespace_of(view: StackView, obj: ResourceView) -> str:
    ns = obj.known("metadata", "namespace")
    if isinstance(ns, str):
        return ns
    for namespace in view.referenced(obj, "metadata", *K8S_NAMESPACE):
        name = namespace_name(namespace)
        if name:
            return name
    return ""


def _workload(doc: Any, namespace: str, cm: ResourceView) -> Workload | None:
    if not isinstance(doc, dict) or doc.get("kind") not in FRAMEWORK_OF_KIND:
        return None
    meta = doc.get("metadata") or {}
    raw = (meta.get("annotations") or {}).get(JOURNEY_ANNOTATION)
    if not isinstance(raw, str):
        return None
    journey = json.loads(raw)
    spec = doc.get("spec") or {}
    pods = int(spec.get("parallelism") or 1) if doc["kind"] == "Job" else int(spec.get("replicas") or 1)
    ns = meta.get("namespace") or namespace
    return Workload(name=f"{ns}/{meta.get('name')}", kind=doc["kind"], namespace=ns,
                    team=str(journey.get("team")), pool=str(journey.get("pool")),
                    nodes=int(journey.get("nodes") or pods), pods=pods, manifest=doc, journey=journey, source=cm)


def cluster_kind(view: StackView) -> str:
    if view.of_type(*EKS_CLUSTER):
        return "eks"
    if view.of_type(*GKE_CLUSTER):
        return "gke"
    return "byo"


def in_namespace(view: StackView, namespace: str, *types: str) -> list[ResourceView]:
    ns = namespace_resource(view, namespace)
    if ns is not None:
        return objects_in(view, ns, *types)
    return [o for o in view.of_type(*types) if o.known("metadata", "namespace") == namespace]


def namespace_resource(view: StackView, namespace: str) -> ResourceView | None:
    return next((n for n in view.of_type(*K8S_NAMESPACE) if namespace_name(n) == namespace), None)


def named(view: StackView, name: str, *types: str) -> ResourceView | None:
    return next((r for r in view.of_type(*types) if r.known("metadata", "name") == name), None)


def _chart(release: ResourceView) -> str:
    chart = release.known("chart")
    return chart.rsplit("/", 1)[-1] if isinstance(chart, str) else ""


def releases(view: StackView, chart: str) -> list[ResourceView]:
    return [r for r in view.of_type(*HELM_RELEASE) if _chart(r) == chart]


def kueue_configuration(release: ResourceView) -> dict[str, Any]:
    """Kueue's Configuration as its Helm values set it (`managerConfig.controllerManagerConfigYaml`)."""
    text = release.known("values", "managerConfig", "controllerManagerConfigYaml")
    if not isinstance(text, str):
        return {}
    doc = yaml.load(text, Loader=_YAML_LOADER)
    return doc if isinstance(doc, dict) else {}


def matches_selector(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """A LabelSelector (matchLabels and matchExpressions In/NotIn/Exists/DoesNotExist) against labels."""
    if not selector:
        return True
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def namespace_labels(view: StackView, namespace: str) -> dict[str, str]:
    ns = namespace_resource(view, namespace)
    labels = dict((ns.known("metadata", "labels", default={}) or {}) if ns else {})
    labels[NAME_LABEL] = namespace  # set by the API server on every namespace
    return labels
