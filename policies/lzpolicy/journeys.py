"""Journey checks: would each golden workload of the plan actually run? Pure functions over the plan.

The platform publishes its golden workloads in each team namespace (ConfigMap `golden-workloads`,
components/workloads/golden.py). For each one, these functions walk the steps a real cluster takes,
judged against every resource of the plan, and report the first step that fails:

1. admitted   - Kueue: a LocalQueue of the namespace points to a ClusterQueue that selects the
                namespace and covers every resource the pods request (or Kueue's configuration
                excludes it: `resources.excludeResourcePrefixes`), within nominal quota plus what may
                be borrowed in the cohort; then the namespace's ResourceQuota and LimitRange admit
                the pods (Kueue admits a gang whose pods the API server may still refuse).
2. placed     - the pods' tolerations (their own plus the ResourceFlavor's, which Kueue injects)
                tolerate every NoSchedule/NoExecute taint of a node pool whose labels satisfy the
                nodeSelector; the namespace's Pod Security level admits the pod spec.
3. capacity   - something brings the pool up from its minimum to the job's nodes: EKS - an installed
                cluster-autoscaler that auto-discovers this cluster and whose IAM role (IRSA or Pod
                Identity) may SetDesiredCapacity; GKE - node-pool autoscaling, and for queued
                (flex-start) pools a Kueue ProvisioningRequest admission check on the ClusterQueue;
                or a minimum size that already holds the job.
4. identity   - the pod's ServiceAccount maps to a cloud identity (IRSA role whose trust allows that
                ServiceAccount / GKE Workload Identity binding) whose planned policies allow reading
                the datasets prefix and writing the checkpoints prefix (identity policy and
                permissions boundary on AWS; bucket IAM members and their conditions on GCP).
5. network    - the cluster enforces NetworkPolicy (EKS VPC CNI `enableNetworkPolicy`, GKE Dataplane
                V2 or network policy), and the namespace's policies allow egress to what the path
                uses - DNS, STS or the metadata server, the object store - as the cloud routes it
                (an S3 gateway endpoint routes to S3's public prefix-list ranges, not the VPC CIDR;
                an interface endpoint with private DNS resolves into the VPC).
6. interconnect - the high-bandwidth NIC devices the pods request are the catalog's (32 EFA on
                p5.48xlarge, 8 GPU NICs on a3-megagpu-8g) and the node pool attaches them (EFA
                interfaces in the launch template and the EFA device plugin; GKE additional node
                networks and the Network objects the pod annotation names).

A value the plan does not know yet (an ARN computed at apply time) makes its step "unknown", never a
pass. Everything here is read-only and side-effect free; `lz plan` calls the same functions on its
recorded plan, the policy rule `golden-workload-journeys` on the engine's.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import yaml

from . import policydoc
from . import props as wire
from .gpu import aws_type, gcp_type
from .k8s import namespace_name, objects_in
from .props import UnknownValueError
from .quantity import parse_quantity, show
from .rule import ResourceView, StackView
from .types import (
    EKS_CLUSTER,
    GCP_IAM_MEMBER,
    GKE_CLUSTER,
    GKE_NODE_POOL,
    IAM_POLICY_ATTACHMENTS,
    IAM_ROLE,
    K8S_NAMESPACE,
    K8S_NETWORK_POLICY,
    K8S_RESOURCE_QUOTA,
    K8S_SERVICE_ACCOUNT,
    NODE_GROUP,
    S3_BUCKET,
    S3_SSE,
)

# --- names shared with the platform (components/workloads/golden.py renders them) -------------------
CONFIGMAP = "golden-workloads"
JOURNEY_ANNOTATION = "golden.ai-landing-zone/journey"
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
NAME_LABEL = "kubernetes.io/metadata.name"
PSS_ENFORCE = "pod-security.kubernetes.io/enforce"

# libyaml's safe loader when PyYAML was built with it (the pure-Python one is ~10x slower on the
# ConfigMaps' manifests); both accept exactly the safe subset.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STEPS = ("admitted", "placed", "capacity", "identity", "network", "interconnect")

K8S_CONFIGMAP = ("kubernetes:core/v1:ConfigMap",)
K8S_LIMIT_RANGE = ("kubernetes:core/v1:LimitRange",)
HELM_RELEASE = ("kubernetes:helm.sh/v3:Release",)
K8S_DAEMONSET = ("kubernetes:apps/v1:DaemonSet",)
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

EFA_RESOURCE = "vpc.amazonaws.com/efa"
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
BASELINE_CAPABILITIES = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                         "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"}


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


# ===================================================================================================
# Reading the plan
# ===================================================================================================

def golden_workloads(view: StackView) -> list[Workload]:
    """Every golden workload published in the plan (ConfigMaps `golden-workloads`)."""
    out: list[Workload] = []
    for cm in view.of_type(*K8S_CONFIGMAP):
        if cm.known("metadata", "name") != CONFIGMAP:
            continue
        namespace = _namespace_of(view, cm)
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


def _namespace_of(view: StackView, obj: ResourceView) -> str:
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


def _in_namespace(view: StackView, namespace: str, *types: str) -> list[ResourceView]:
    ns = _namespace_resource(view, namespace)
    if ns is not None:
        return objects_in(view, ns, *types)
    return [o for o in view.of_type(*types) if o.known("metadata", "namespace") == namespace]


def _namespace_resource(view: StackView, namespace: str) -> ResourceView | None:
    return next((n for n in view.of_type(*K8S_NAMESPACE) if namespace_name(n) == namespace), None)


def _named(view: StackView, name: str, *types: str) -> ResourceView | None:
    return next((r for r in view.of_type(*types) if r.known("metadata", "name") == name), None)


def _chart(release: ResourceView) -> str:
    chart = release.known("chart")
    return chart.rsplit("/", 1)[-1] if isinstance(chart, str) else ""


def _releases(view: StackView, chart: str) -> list[ResourceView]:
    return [r for r in view.of_type(*HELM_RELEASE) if _chart(r) == chart]


def kueue_configuration(release: ResourceView) -> dict[str, Any]:
    """Kueue's Configuration as its Helm values set it (`managerConfig.controllerManagerConfigYaml`)."""
    text = release.known("values", "managerConfig", "controllerManagerConfigYaml")
    if not isinstance(text, str):
        return {}
    doc = yaml.load(text, Loader=_YAML_LOADER)
    return doc if isinstance(doc, dict) else {}


def _matches_selector(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
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


def _namespace_labels(view: StackView, namespace: str) -> dict[str, str]:
    ns = _namespace_resource(view, namespace)
    labels = dict((ns.known("metadata", "labels", default={}) or {}) if ns else {})
    labels[NAME_LABEL] = namespace  # set by the API server on every namespace
    return labels


# ===================================================================================================
# 1. admitted
# ===================================================================================================

def _queue_name(w: Workload) -> str | None:
    return (w.manifest.get("metadata") or {}).get("labels", {}).get(QUEUE_LABEL)


def kueue_managed(view: StackView, w: Workload) -> bool:
    """Kueue queues the workload: it names a queue, Kueue is installed and integrates its kind."""
    kueue = _releases(view, "kueue")
    if not _queue_name(w) or not kueue:
        return False
    frameworks = wire.known(kueue_configuration(kueue[0]), "integrations", "frameworks") or KUEUE_DEFAULT_FRAMEWORKS
    return all(f in frameworks for f in FRAMEWORK_OF_KIND[w.kind])


def step_admitted(view: StackView, w: Workload) -> Step:
    requests = w.requests()
    kueue = _releases(view, "kueue")
    queue = _queue_name(w)
    notes: list[str] = []
    if queue:
        if not kueue:
            if w.kind == "Job" and wire.known(w.manifest, "spec", "suspend"):
                return Step("admitted", False, "the Job is created suspended for Kueue, but no Kueue release is "
                                               "installed: nothing ever unsuspends it")
            notes.append("no Kueue installed: not queued")
        elif kueue_managed(view, w):
            verdict = _kueue_admits(view, w, queue, requests, kueue_configuration(kueue[0]))
            if verdict is not None:
                return verdict
            notes.append(f"Kueue admits it through LocalQueue '{queue}'")
        else:
            notes.append(f"Kueue does not manage {w.kind}s (integrations {', '.join(FRAMEWORK_OF_KIND[w.kind])} not "
                         f"all enabled), so only the namespace quota gates it")
    quota = _quota_admits(view, w, requests)
    if quota is not None:
        return quota
    notes.append("the namespace ResourceQuota and LimitRange admit its pods")
    return Step("admitted", True, "; ".join(notes))


def _excluded(resource: str, config: Mapping[str, Any]) -> bool:
    prefixes = wire.known(config, "resources", "excludeResourcePrefixes") or []
    return any(isinstance(p, str) and resource.startswith(p) for p in prefixes)


def _kueue_admits(view: StackView, w: Workload, queue: str, requests: Mapping[str, Fraction],
                  config: Mapping[str, Any]) -> Step | None:
    lq = next((q for q in _in_namespace(view, w.namespace, *LOCAL_QUEUE) if q.known("metadata", "name") == queue),
              None)
    if lq is None:
        return Step("admitted", False, f"no LocalQueue '{queue}' in namespace {w.namespace}: Kueue leaves the "
                                       f"{w.kind} suspended")
    cq_name = lq.known("spec", "clusterQueue")
    cq = _named(view, cq_name, *CLUSTER_QUEUE) if isinstance(cq_name, str) else None
    if cq is None:
        return Step("admitted", False, f"LocalQueue '{queue}' points to ClusterQueue '{cq_name}', which the plan "
                                       f"does not create")
    if cq.known("spec", "stopPolicy") in ("Hold", "HoldAndDrain"):
        return Step("admitted", False, f"ClusterQueue '{cq_name}' is stopped (stopPolicy "
                                       f"{cq.known('spec', 'stopPolicy')}): it admits nothing")
    if not _matches_selector(cq.known("spec", "namespaceSelector"), _namespace_labels(view, w.namespace)):
        return Step("admitted", False, f"ClusterQueue '{cq_name}' does not select namespace {w.namespace}")
    groups = [g for g in (cq.known("spec", "resourceGroups", default=[]) or []) if isinstance(g, dict)]
    covered = {r for g in groups for r in (g.get("coveredResources") or [])}
    missing = sorted(r for r in requests if r not in covered and not _excluded(r, config))
    if missing:
        return Step("admitted", False, f"the pods request {', '.join(missing)}, which ClusterQueue '{cq_name}' does "
                                       f"not cover and Kueue is not configured to exclude "
                                       f"(resources.excludeResourcePrefixes): Kueue reports it unavailable and "
                                       f"never admits the workload")
    flavors = {f.known("metadata", "name"): f for f in view.of_type(*RESOURCE_FLAVOR)}
    selector = w.pod.get("nodeSelector") or {}
    for group in groups:
        wanted = {r: requests[r] * w.pods for r in group.get("coveredResources") or []
                  if r in requests and not _excluded(r, config)}
        if not wanted:
            continue
        reasons = []
        for flavor in group.get("flavors") or []:
            name = flavor.get("name")
            rf = flavors.get(name)
            node_labels = (rf.known("spec", "nodeLabels", default={}) or {}) if rf else {}
            clash = [k for k, v in node_labels.items() if k in selector and selector[k] != v]
            if rf is None:
                reasons.append(f"flavor '{name}' has no ResourceFlavor")
                continue
            if clash:
                continue  # Kueue skips flavors whose node labels contradict the pod's nodeSelector
            short = []
            for resource, need in wanted.items():
                quota = next((r for r in flavor.get("resources") or [] if r.get("name") == resource), None)
                if quota is None:
                    short.append(f"{resource} not in flavor")
                    continue
                limit = _cq_limit(view, cq, name, resource, quota)
                if need > limit:
                    short.append(f"{show(need, resource)} {resource} > {show(limit, resource)} "
                                 f"(nominal plus borrowable)")
            if not short:
                break
            reasons.append(f"flavor '{name}': {', '.join(short)}")
        else:
            return Step("admitted", False, f"ClusterQueue '{cq_name}' cannot fit the workload's {w.pods} pods: "
                                           f"{'; '.join(reasons) or 'no flavor matches its nodeSelector'}")
    return None


def _cq_limit(view: StackView, cq: ResourceView, flavor: str, resource: str, quota: Mapping[str, Any]) -> Fraction:
    """Nominal quota plus what the queue may borrow: its borrowingLimit, and no more than the other
    ClusterQueues of its cohort hold nominally for the same flavor and resource."""
    nominal = parse_quantity(quota.get("nominalQuota")) or Fraction(0)
    cohort = cq.known("spec", "cohort")
    if not cohort:
        return nominal
    lendable = Fraction(0)
    for other in view.of_type(*CLUSTER_QUEUE):
        if other.urn == cq.urn or other.known("spec", "cohort") != cohort:
            continue
        for group in other.known("spec", "resourceGroups", default=[]) or []:
            for f in group.get("flavors") or []:
                if f.get("name") != flavor:
                    continue
                for r in f.get("resources") or []:
                    if r.get("name") == resource:
                        lend = parse_quantity(r.get("nominalQuota")) or Fraction(0)
                        if r.get("lendingLimit") is not None:  # what the queue keeps back from the cohort
                            lend = min(lend, parse_quantity(r.get("lendingLimit")) or Fraction(0))
                        lendable += lend
    limit = quota.get("borrowingLimit")
    borrow = lendable if limit is None else min(lendable, parse_quantity(limit) or Fraction(0))
    return nominal + borrow


def _quota_admits(view: StackView, w: Workload, requests: Mapping[str, Fraction]) -> Step | None:
    limits = w.limits()
    for rq in _in_namespace(view, w.namespace, *K8S_RESOURCE_QUOTA):
        hard = rq.known("spec", "hard", default={}) or {}
        for key, value in hard.items():
            cap = parse_quantity(value)
            if cap is None:
                continue
            resource = key.removeprefix("requests.").removeprefix("limits.")
            if key == "pods":
                need = Fraction(w.pods)
            elif key.startswith("limits."):
                need = limits.get(resource, requests.get(resource, Fraction(0))) * w.pods
            elif key.startswith("requests.") or resource in ("cpu", "memory"):
                need = requests.get(resource, Fraction(0)) * w.pods
            else:
                continue
            if need > cap:
                return Step("admitted", False, f"its {w.pods} pods need {show(need, resource)} {resource}, over the "
                                               f"namespace ResourceQuota's {key}={value}: the API server refuses "
                                               f"the pods Kueue admitted")
    for lr in _in_namespace(view, w.namespace, *K8S_LIMIT_RANGE):
        for limit in lr.known("spec", "limits", default=[]) or []:
            if limit.get("type") != "Container":
                continue
            for resource, value in (limit.get("max") or {}).items():
                cap = parse_quantity(value)
                for c in w.pod.get("containers") or []:
                    res = c.get("resources") or {}
                    have = parse_quantity((res.get("limits") or {}).get(resource) or
                                          (res.get("requests") or {}).get(resource))
                    if cap is not None and have is not None and have > cap:
                        return Step("admitted", False, f"container '{c.get('name')}' asks {show(have, resource)} "
                                                       f"{resource}, over the LimitRange maximum {value}")
    return None


# ===================================================================================================
# 2. placed
# ===================================================================================================

@dataclass(frozen=True)
class NodePool:
    view: ResourceView | None
    name: str
    labels: Mapping[str, str]
    taints: tuple[Mapping[str, str], ...]
    declared: bool = False           # a brought cluster's pool: labels from config, nodes not in the plan


_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}


def node_pools(view: StackView) -> list[NodePool]:
    pools = []
    for ng in view.of_type(*NODE_GROUP):
        taints = tuple({"key": t.get("key"), "value": t.get("value") or "",
                        "effect": _EFFECTS.get(t.get("effect"), t.get("effect"))}
                       for t in ng.known("taints", default=[]) or [] if isinstance(t, dict))
        pools.append(NodePool(ng, ng.name, dict(ng.known("labels", default={}) or {}), taints))
    for np in view.of_type(*GKE_NODE_POOL):
        name = np.known("name")
        labels = dict(np.known("nodeConfig", "labels", default={}) or {})
        if isinstance(name, str):
            labels[GKE_POOL_LABEL] = name
        taints = tuple({"key": t.get("key"), "value": t.get("value") or "",
                        "effect": _EFFECTS.get(t.get("effect"), t.get("effect"))}
                       for t in np.known("nodeConfig", "taints", default=[]) or [] if isinstance(t, dict))
        pools.append(NodePool(np, str(name or np.name), labels, taints))
    return pools


def node_selector(view: StackView, w: Workload) -> dict[str, str]:
    """The pods' nodeSelector, plus the ResourceFlavor's node labels Kueue adds when it admits them."""
    selector = dict(w.pod.get("nodeSelector") or {})
    if kueue_managed(view, w):
        rf = _named(view, w.pool, *RESOURCE_FLAVOR)
        for k, v in ((rf.known("spec", "nodeLabels", default={}) or {}) if rf else {}).items():
            selector.setdefault(k, v)
    return selector


def pool_for(view: StackView, w: Workload) -> NodePool | None:
    selector = node_selector(view, w)
    found = [p for p in node_pools(view) if all(p.labels.get(k) == v for k, v in selector.items())]
    if found:
        return found[0]
    if cluster_kind(view) == "byo":
        rf = _named(view, w.pool, *RESOURCE_FLAVOR)
        if rf is not None:
            labels = rf.known("spec", "nodeLabels", default={}) or {}
            if all(labels.get(k) == v for k, v in selector.items()):
                return NodePool(None, w.pool, labels, (), declared=True)
    return None


def _tolerates(tolerations: Iterable[Mapping[str, Any]], taint: Mapping[str, str]) -> bool:
    for t in tolerations:
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        op = t.get("operator") or "Equal"
        if t.get("key") in (None, "") and op == "Exists":
            return True
        if t.get("key") != taint.get("key"):
            continue
        if op == "Exists" or (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def _flavor_tolerations(view: StackView, w: Workload) -> list[Mapping[str, Any]]:
    rf = _named(view, w.pool, *RESOURCE_FLAVOR)
    return list((rf.known("spec", "tolerations", default=[]) or []) if rf else [])


def pod_security_violations(pod: Mapping[str, Any], level: str) -> list[str]:
    """What Pod Security admission at `level` rejects in a pod spec (baseline and restricted controls)."""
    if level == "privileged":
        return []
    out: list[str] = []
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(key):
            out.append(f"{key}: true")
    containers = [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]
    for v in pod.get("volumes") or []:
        kinds = [k for k in v if k != "name"]
        if "hostPath" in kinds:
            out.append(f"hostPath volume '{v.get('name')}'")
        elif level == "restricted" and not set(kinds) <= RESTRICTED_VOLUMES:
            out.append(f"volume '{v.get('name')}' of type {', '.join(kinds)}")
    pod_sc = pod.get("securityContext") or {}
    for c in containers:
        sc = c.get("securityContext") or {}
        name = c.get("name")
        if sc.get("privileged"):
            out.append(f"container '{name}' privileged")
        added = set((sc.get("capabilities") or {}).get("add") or [])
        allowed = {"NET_BIND_SERVICE"} if level == "restricted" else BASELINE_CAPABILITIES
        if added - allowed:
            out.append(f"container '{name}' adds capabilities {', '.join(sorted(added - allowed))}")
        if any(p.get("hostPort") for p in c.get("ports") or []):
            out.append(f"container '{name}' uses hostPort")
        if level != "restricted":
            continue
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append(f"container '{name}' does not set allowPrivilegeEscalation: false")
        if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
            out.append(f"container '{name}' does not drop ALL capabilities")
        if not (sc.get("runAsNonRoot") or pod_sc.get("runAsNonRoot")):
            out.append(f"container '{name}' does not set runAsNonRoot: true")
        seccomp = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            out.append(f"container '{name}' has no RuntimeDefault seccomp profile")
    return out


def _node_capacity(pool: NodePool) -> dict[str, Fraction]:
    """A node's capacity per resource from the catalog (accelerators, vCPU, memory), {} if unknown."""
    if pool.view is None:
        return {}
    if pool.view.type in NODE_GROUP:
        types = [t for t in pool.view.known("instanceTypes", default=[]) or [] if isinstance(t, str)]
        aws = aws_type(types[0]) if types else None
        if aws is None:
            return {}
        return {aws.accelerator.k8s_resource: Fraction(aws.accelerator.count), "cpu": Fraction(aws.vcpu),
                "memory": Fraction(aws.memory_gib).limit_denominator() * 2**30}
    machine = pool.view.known("nodeConfig", "machineType")
    gcp = gcp_type(machine) if isinstance(machine, str) else None
    if gcp is None:
        return {}
    return {"nvidia.com/gpu": Fraction(gcp.accelerator.count), "cpu": Fraction(gcp.vcpu),
            "memory": Fraction(gcp.memory_gib).limit_denominator() * 2**30}


def _exceeds_node(pool: NodePool, w: Workload) -> str | None:
    capacity = _node_capacity(pool)
    for resource, need in w.requests().items():
        have = capacity.get(resource)
        if have is not None and need > have:
            return f"{show(need, resource)} {resource} (a node has {show(have, resource)})"
    return None


def step_placed(view: StackView, w: Workload) -> Step:
    pool = pool_for(view, w)
    selector = node_selector(view, w)
    if pool is None:
        return Step("placed", False, f"no node pool carries the labels its nodeSelector asks for "
                                     f"({', '.join(f'{k}={v}' for k, v in selector.items())}): the pods stay Pending")
    # Kueue adds the admitting ResourceFlavor's tolerations to the pods it admits, and only to those.
    injected = _flavor_tolerations(view, w) if kueue_managed(view, w) else []
    tolerations = [*(w.pod.get("tolerations") or []), *injected]
    untolerated = [t for t in pool.taints if t.get("effect") in ("NoSchedule", "NoExecute")
                   and not _tolerates(tolerations, t)]
    if untolerated:
        shown = ", ".join(f"{t['key']}={t.get('value', '')}:{t['effect']}" for t in untolerated)
        return Step("placed", False, f"node pool '{pool.name}' is tainted {shown}, which the pods do not tolerate")
    too_big = _exceeds_node(pool, w)
    if too_big:
        return Step("placed", False, f"one pod asks for {too_big}: no node of pool '{pool.name}' has that much")
    ns = _namespace_resource(view, w.namespace)
    level = (ns.known("metadata", "labels", PSS_ENFORCE) if ns else None) or "privileged"
    rejected = pod_security_violations(w.pod, level)
    if rejected:
        return Step("placed", False, f"namespace {w.namespace} enforces Pod Security '{level}', which rejects the "
                                     f"pod spec the path needs ({'; '.join(rejected)})")
    how = "declared pool" if pool.declared else f"node pool '{pool.name}'"
    return Step("placed", True, f"{how} matches its selector and taints; Pod Security '{level}' admits it")


# ===================================================================================================
# 3. capacity
# ===================================================================================================

def _pool_bounds(pool: NodePool) -> tuple[float | None, float | None]:
    if pool.view is None:
        return None, None
    v = pool.view
    if v.type in NODE_GROUP:
        return wire.number(v.known("scalingConfig", "minSize")), wire.number(v.known("scalingConfig", "maxSize"))
    auto = v.known("autoscaling")
    if isinstance(auto, dict):
        lo = auto.get("totalMinNodeCount", auto.get("minNodeCount"))
        hi = auto.get("totalMaxNodeCount", auto.get("maxNodeCount"))
        zones = len(v.known("nodeLocations", default=[]) or []) or 1
        per_zone = "totalMaxNodeCount" not in auto
        return (wire.number(lo), (wire.number(hi) or 0) * (zones if per_zone else 1))
    count = wire.number(v.known("nodeCount")) or wire.number(v.known("initialNodeCount"))
    return count, count


def step_capacity(view: StackView, w: Workload) -> Step:
    pool = pool_for(view, w)
    if pool is None:
        return Step("capacity", False, "no node pool to bring up (see placed)")
    if pool.declared:
        return Step("capacity", True, f"brought pool '{pool.name}': its nodes exist (maxNodes is what there is)")
    lo, hi = _pool_bounds(pool)
    if hi is not None and hi < w.nodes:
        return Step("capacity", False, f"node pool '{pool.name}' can grow to {wire.integer_text(hi)} nodes, fewer "
                                       f"than the {w.nodes} the job needs")
    if lo is not None and lo >= w.nodes:
        return Step("capacity", True, f"node pool '{pool.name}' keeps {wire.integer_text(lo)} nodes running")
    if pool.view is not None and pool.view.type in GKE_NODE_POOL:
        return _gke_capacity(view, w, pool)
    return _eks_capacity(view, w, pool)


def _gke_capacity(view: StackView, w: Workload, pool: NodePool) -> Step:
    np = pool.view
    assert np is not None
    if not isinstance(np.known("autoscaling"), dict):
        return Step("capacity", False, f"node pool '{pool.name}' has no autoscaling and too few nodes")
    if wire.truthy(np.known("queuedProvisioning", "enabled")):
        checks = _provisioning_checks(view, w, GKE_QUEUED_CLASS)
        if not checks:
            return Step("capacity", False, f"node pool '{pool.name}' uses queued provisioning (flex-start), which only "
                                           f"a ProvisioningRequest of class {GKE_QUEUED_CLASS} creates nodes for, and "
                                           f"the ClusterQueue of namespace {w.namespace} has no admission check "
                                           f"({PROVISIONING_CONTROLLER}) that asks for it on flavor '{w.pool}': "
                                           f"Kueue never asks for the capacity")
        return Step("capacity", True, f"flex-start pool '{pool.name}' scaled through ProvisioningRequest "
                                      f"admission check {', '.join(checks)}")
    return Step("capacity", True, f"GKE cluster autoscaler scales node pool '{pool.name}'")


def _provisioning_checks(view: StackView, w: Workload, provisioning_class: str | None = None) -> list[str]:
    """ProvisioningRequest admission checks that apply to the workload in its ClusterQueue: controller
    `kueue.x-k8s.io/provisioning-request`, on the workload's flavor (`onFlavors`, empty: all), whose
    ProvisioningRequestConfig has `provisioning_class` (when given) and manages a resource the pods
    request (`managedResources`, empty: all) - Kueue leaves other pod sets out of the request."""
    lq = next((q for q in _in_namespace(view, w.namespace, *LOCAL_QUEUE)
               if q.known("metadata", "name") == _queue_name(w)), None)
    cq = _named(view, lq.known("spec", "clusterQueue"), *CLUSTER_QUEUE) if lq else None
    if cq is None:
        return []
    names = [n for n in cq.known("spec", "admissionChecks", default=[]) or [] if isinstance(n, str)]
    for rule in cq.known("spec", "admissionChecksStrategy", "admissionChecks", default=[]) or []:
        if isinstance(rule, dict) and rule.get("name") and (not rule.get("onFlavors") or w.pool in rule["onFlavors"]):
            names.append(rule["name"])
    requested = set(w.requests())
    found = []
    for name in names:
        ac = _named(view, name, *ADMISSION_CHECK)
        if ac is None or ac.known("spec", "controllerName") != PROVISIONING_CONTROLLER:
            continue
        params = ac.known("spec", "parameters", default={}) or {}
        config = _named(view, params.get("name"), *PROVISIONING_CONFIG) if params.get("name") else None
        if config is None:
            continue  # Kueue marks the check inactive without its ProvisioningRequestConfig
        if provisioning_class and config.known("spec", "provisioningClassName") != provisioning_class:
            continue
        managed = set(config.known("spec", "managedResources", default=[]) or [])
        if managed and not managed & requested:
            continue
        found.append(name)
    return found


def _eks_capacity(view: StackView, w: Workload, pool: NodePool) -> Step:
    releases = _releases(view, "cluster-autoscaler")
    if not releases:
        karpenter = _releases(view, "karpenter")
        if karpenter:
            return Step("capacity", None, "Karpenter is installed; whether its NodePools cover this pool is not "
                                          "judged by this check")
        return Step("capacity", False, f"node group '{pool.name}' starts at {wire.integer_text(_pool_bounds(pool)[0])} "
                                       f"nodes and no node autoscaler (cluster-autoscaler) is installed: nothing "
                                       f"reads its node-template tags, so the job waits forever")
    ca = releases[0]
    clusters = view.of_type(*EKS_CLUSTER)
    discovered = ca.known("values", "autoDiscovery", "clusterName")
    cluster_names = {c.known("name") for c in clusters} - {None}
    if not (discovered in cluster_names or any(ca.depends_on(c.urn, "values") for c in clusters)):
        return Step("capacity", False, f"cluster-autoscaler's autoDiscovery.clusterName ({discovered!r}) is not this "
                                       f"cluster: it does not discover the node group's Auto Scaling group")
    roles = _autoscaler_roles(view, ca)
    if not roles:
        return Step("capacity", False, "cluster-autoscaler has no IAM role (IRSA annotation or Pod Identity "
                                       "association): it cannot call SetDesiredCapacity")
    try:
        allowed = any(_role_allows(view, role, CA_SET_DESIRED, "*", resource_any=True) for role in roles)
    except Unknown as exc:
        return Step("capacity", None, f"cluster-autoscaler's IAM policy is not known until apply ({exc})")
    if not allowed:
        return Step("capacity", False, f"cluster-autoscaler's role may not call {CA_SET_DESIRED}")
    return Step("capacity", True, f"cluster-autoscaler discovers this cluster and may scale node group '{pool.name}'")


def _autoscaler_roles(view: StackView, release: ResourceView) -> list[ResourceView]:
    roles = view.referenced(release, "values", *IAM_ROLE)
    arn = release.known("values", "rbac", "serviceAccount", "annotations", IRSA_ANNOTATION)
    roles += [r for r in view.of_type(*IAM_ROLE) if arn and _role_arn_matches(r, arn) and r not in roles]
    ns = release.known("namespace") or "kube-system"
    sa = release.known("values", "rbac", "serviceAccount", "name")
    for assoc in view.of_type(*EKS_POD_IDENTITY):
        if assoc.known("namespace") == ns and (sa is None or assoc.known("serviceAccount") == sa):
            roles += [r for r in view.referenced(assoc, "roleArn", *IAM_ROLE) if r not in roles]
    return roles


def _role_arn_matches(role: ResourceView, arn: str) -> bool:
    name = role.known("name")
    return isinstance(name, str) and (arn.endswith(f":role/{name}") or arn.endswith(f"/{name}"))


# ===================================================================================================
# AWS IAM evaluation (identity policies, permissions boundary)
# ===================================================================================================

def _names_role(r: ResourceView, prop: str, role: ResourceView) -> bool:
    """`r.prop` is `role`: computed from it, or its known name given literally."""
    name = role.known("name")
    return r.depends_on(role.urn, prop) or (isinstance(name, str) and r.known(prop) == name)


def _documents_of_role(view: StackView, role: ResourceView) -> list[Any]:
    docs: list[Any] = [p.get("policy") for p in role.known("inlinePolicies", default=[]) or [] if isinstance(p, dict)]
    for rp in view.of_type(*IAM_ROLE_POLICY):
        if _names_role(rp, "role", role):
            docs.append(rp.get("policy"))
    policies = view.of_type(*IAM_MANAGED_POLICY)
    for att in view.of_type(*IAM_POLICY_ATTACHMENTS):
        if not (_names_role(att, "role", role) or att.depends_on(role.urn, "roles")):
            continue
        for policy in view.referenced(att, "policyArn", *IAM_MANAGED_POLICY) or [
                p for p in policies if p.known("arn") and p.known("arn") == att.known("policyArn")]:
            docs.append(policy.get("policy"))
    return docs


def _boundary_documents(view: StackView, role: ResourceView) -> list[Any] | None:
    """The permissions boundary's document(s), [] when the boundary is an AWS-managed policy whose text
    is not in the plan, None when the role has no boundary."""
    if not role.is_set("permissionsBoundary"):
        return None
    return [p.get("policy") for p in view.referenced(role, "permissionsBoundary", *IAM_MANAGED_POLICY)]


def _statements(doc: Any) -> list[policydoc.Statement]:
    try:
        return policydoc.parse(doc)
    except UnknownValueError as exc:
        raise Unknown("a policy document") from exc


def _action_matches(patterns: Iterable[str], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns)


def _resource_matches(patterns: Iterable[str], resource: str) -> bool:
    return any(fnmatch.fnmatchcase(resource, p) for p in patterns)


def _docs_allow(docs: Iterable[Any], action: str, resource: str, *, resource_any: bool = False) -> bool:
    """Allow and no unconditional Deny for (action, resource). With `resource_any`, any Allow of the
    action counts whatever its resources (Auto Scaling groups are named at apply time)."""
    allowed = False
    for doc in docs:
        for st in _statements(doc):
            acts = (_action_matches(st.actions, action) if st.actions
                    else bool(st.not_actions) and not _action_matches(st.not_actions, action))
            if not acts:
                continue
            res = (resource_any and bool(st.resources)) or _resource_matches(st.resources, resource) or (
                bool(st.not_resources) and not _resource_matches(st.not_resources, resource))
            if not res:
                continue
            if st.effect == "Deny" and not st.conditions:
                return False
            if st.allows:
                allowed = True
    return allowed


def _role_allows(view: StackView, role: ResourceView, action: str, resource: str, *,
                 resource_any: bool = False) -> bool:
    if not _docs_allow(_documents_of_role(view, role), action, resource, resource_any=resource_any):
        return False
    boundary = _boundary_documents(view, role)
    if boundary:  # the effective permissions are the intersection with the boundary
        return _docs_allow(boundary, action, resource, resource_any=resource_any)
    return True


# ===================================================================================================
# 4. identity and data
# ===================================================================================================

def _service_account(view: StackView, w: Workload) -> ResourceView | None:
    name = w.pod.get("serviceAccountName") or "default"
    return next((sa for sa in _in_namespace(view, w.namespace, *K8S_SERVICE_ACCOUNT)
                 if sa.known("metadata", "name") == name), None)


def step_identity(view: StackView, w: Workload) -> Step:
    paths = [("read", p) for p in w.journey.get("reads") or []] + [("write", p) for p in w.journey.get("writes") or []]
    if not paths:
        return Step("identity", True, "the workload uses no object-store paths")
    sa = _service_account(view, w)
    sa_name = w.pod.get("serviceAccountName") or "default"
    if sa is None:
        return Step("identity", False, f"ServiceAccount {w.namespace}/{sa_name} is not in the plan: the pods are "
                                       f"refused at creation")
    try:
        kind = cluster_kind(view)
        if kind == "eks":
            step = _aws_identity(view, w, sa, sa_name, paths)
        elif kind == "gke":
            step = _gcp_identity(view, w, sa, sa_name, paths)
        else:
            step = None
        if step is not None:
            return _shared_file_exports(view, w) or step
    except Unknown as exc:
        return Step("identity", None, f"the identity's policies are not known until apply ({exc})")
    return Step("identity", False, "the workload reads object-store paths but the cluster has no cloud identity "
                                   "mapping for its ServiceAccount")


FSX_DRA = ("aws:fsx/dataRepositoryAssociation:DataRepositoryAssociation",)
K8S_PV = ("kubernetes:core/v1:PersistentVolume",)
K8S_PVC = ("kubernetes:core/v1:PersistentVolumeClaim",)
EXPORT_EVENTS = ("NEW", "CHANGED", "DELETED")


def _writable_lustre_mounts(view: StackView, w: Workload) -> list[tuple[str, str]]:
    """(claim, file-system id) of every FSx for Lustre volume the pods mount writable."""
    out = []
    for vol in w.pod.get("volumes") or []:
        claim = (vol.get("persistentVolumeClaim") or {})
        if not claim.get("claimName") or claim.get("readOnly"):
            continue
        pvc = next((c for c in _in_namespace(view, w.namespace, *K8S_PVC)
                    if c.known("metadata", "name") == claim["claimName"]), None)
        pv_name = pvc.known("spec", "volumeName") if pvc else None
        pv = _named(view, pv_name, *K8S_PV) if pv_name else None
        if pv is None or pv.known("spec", "csi", "driver") != "fsx.csi.aws.com" or pv.known("spec", "csi", "readOnly"):
            continue
        mounted = [m for c in w.pod.get("containers") or [] for m in c.get("volumeMounts") or []
                   if m.get("name") == vol.get("name") and not m.get("readOnly")]
        handle = pv.known("spec", "csi", "volumeHandle")
        if mounted and isinstance(handle, str):
            out.append((claim["claimName"], handle))
    return out


def _shared_file_exports(view: StackView, w: Workload) -> Step | None:
    """A writable Lustre mount whose file system auto-exports to the object store outside the team's
    prefix lets the team change other prefixes without any S3 permission (FSx exports with its own
    service role): the prefix-scoped IAM of the identity step is bypassed."""
    prefix = f"{w.team}/"
    for claim, fs_id in _writable_lustre_mounts(view, w):
        for dra in view.of_type(*FSX_DRA):
            if dra.known("fileSystemId") != fs_id:
                continue
            events = [e for e in dra.known("s3", "autoExportPolicy", "events", default=[]) or [] if e in EXPORT_EVENTS]
            path = dra.known("dataRepositoryPath")
            if not events or not isinstance(path, str):
                continue
            scoped = path.rstrip("/").split("/", 3)[3:] if path.startswith("s3://") else []
            if not (scoped and (scoped[0] + "/").startswith(prefix)):
                return Step("identity", False, f"the pods mount Lustre claim '{claim}' read-write, and {dra.title} "
                                               f"exports {'/'.join(events)} to {path}, outside {prefix}: this team's "
                                               f"writes and deletes reach other teams' objects around its "
                                               f"prefix-scoped IAM")
    return None


def _buckets(view: StackView, tier: str, types: tuple[str, ...], label_key: str) -> list[ResourceView]:
    return [b for b in view.of_type(*types) if (b.known(label_key, "purpose") == tier)]


def _s3_bucket_names(view: StackView, bucket: ResourceView) -> list[str]:
    """A bucket's name: its own input, else the `bucket` input of a companion computed from it."""
    names = [bucket.known("bucket")] if isinstance(bucket.known("bucket"), str) else []
    for r in view.resources:
        if r.depends_on(bucket.urn, "bucket") and isinstance(r.known("bucket"), str):
            names.append(r.known("bucket"))
    return list(dict.fromkeys(names))


def _aws_identity(view: StackView, w: Workload, sa: ResourceView, sa_name: str,
                  paths: list[tuple[str, Mapping[str, str]]]) -> Step:
    annotated = sa.is_set("metadata", "annotations", IRSA_ANNOTATION)
    # The annotation's value is the role's ARN, an output: the role is found through the dependency.
    roles = list(view.referenced(sa, "metadata", *IAM_ROLE)) if annotated else []
    arn = sa.known("metadata", "annotations", IRSA_ANNOTATION)
    roles += [r for r in view.of_type(*IAM_ROLE) if isinstance(arn, str) and _role_arn_matches(r, arn)
              and r not in roles]
    for assoc in view.of_type(*EKS_POD_IDENTITY):
        if assoc.known("namespace") == w.namespace and assoc.known("serviceAccount") == sa_name:
            roles += [r for r in view.referenced(assoc, "roleArn", *IAM_ROLE) if r not in roles]
    if not roles and not annotated:
        return Step("identity", False, f"ServiceAccount {w.namespace}/{sa_name} has no IAM role (no {IRSA_ANNOTATION} "
                                       f"annotation, no Pod Identity association): the pods have no AWS credentials")
    if not roles:
        raise Unknown(f"the role named by {IRSA_ANNOTATION}")
    subject = f"system:serviceaccount:{w.namespace}:{sa_name}"
    trusted = [r for r in roles if _trusts(r, subject)]
    if not trusted:
        return Step("identity", False, f"role {roles[0].title} does not trust {subject} "
                                       f"(sts:AssumeRoleWithWebIdentity with that :sub, or pods.eks.amazonaws.com)")
    role = trusted[0]
    entries = [e for e in view.of_type(*EKS_ACCESS_ENTRY)
               if e.depends_on(role.urn, "principalArn") or
               (isinstance(arn, str) and e.known("principalArn") == arn)]
    if entries:
        return Step("identity", False, f"role {role.title}, which the pods assume, is also {entries[0].title}: "
                                       f"the pods get the team's Kubernetes rights through IAM; give people their "
                                       f"own role or group")
    for verb, path in paths:
        tier, prefix = path.get("tier"), path.get("prefix", "")
        buckets = _buckets(view, str(tier), S3_BUCKET, "tags")
        if not buckets:
            return Step("identity", False, f"the stack has no {tier} bucket (tag purpose={tier})")
        names = _s3_bucket_names(view, buckets[0])
        if not names:
            raise Unknown(f"the {tier} bucket's name")
        action = "s3:GetObject" if verb == "read" else "s3:PutObject"
        obj = f"arn:aws:s3:::{names[0]}/{prefix}golden-journey"
        if not _role_allows(view, role, action, obj):
            return Step("identity", False, f"role {role.title} may not {action} on s3://{names[0]}/{prefix} "
                                           f"({tier}): the {verb} fails with AccessDenied")
        # Reading a dataset lists its prefix (ListObjectsV2 needs s3:ListBucket on the bucket).
        if verb == "read" and not _role_allows(view, role, "s3:ListBucket", f"arn:aws:s3:::{names[0]}"):
            return Step("identity", False, f"role {role.title} may not s3:ListBucket on s3://{names[0]} ({tier}): "
                                           f"the job cannot list its dataset under {prefix}")
        key = _bucket_kms_key(view, buckets[0])
        kms_action = "kms:Decrypt" if verb == "read" else "kms:GenerateDataKey"
        if key and not _role_allows(view, role, kms_action, key):
            return Step("identity", False, f"role {role.title} may not {kms_action} with the {tier} bucket's key "
                                           f"{key}: SSE-KMS objects cannot be {verb}")
    return Step("identity", True, f"{subject} assumes {role.title}, which may read and write its prefixes")


def _bucket_kms_key(view: StackView, bucket: ResourceView) -> str | None:
    for sse in view.of_type(*S3_SSE):
        if not sse.depends_on(bucket.urn, "bucket"):
            continue
        for rule in sse.known("rules", default=[]) or []:
            key = wire.known(rule, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
            if isinstance(key, str) and key.startswith("arn:"):
                return key
    return None


def _trusts(role: ResourceView, subject: str) -> bool:
    for st in _statements(role.get("assumeRolePolicy")):
        if not st.allows:
            continue
        if any(p == "Service:pods.eks.amazonaws.com" for p in st.principals) and \
                _action_matches(st.actions, "sts:AssumeRole"):
            return True
        if not any(p.startswith("Federated:") for p in st.principals):
            continue
        if not _action_matches(st.actions, "sts:AssumeRoleWithWebIdentity"):
            continue
        subs = [v for op in ("StringEquals", "StringLike") for k in _sub_keys(st, op)
                for v in _values(st.conditions.get(op, {}).get(k))]
        if any(fnmatch.fnmatchcase(subject, s) for s in subs):
            return True
    return False


def _sub_keys(st: policydoc.Statement, op: str) -> list[str]:
    return [k for k in (st.conditions.get(op) or {}) if k.endswith(":sub")]


def _values(v: Any) -> list[str]:
    return [str(x) for x in (v if isinstance(v, list) else [v])] if v is not None else []


def _gcp_identity(view: StackView, w: Workload, sa: ResourceView, sa_name: str,
                  paths: list[tuple[str, Mapping[str, str]]]) -> Step:
    annotated = sa.is_set("metadata", "annotations", GKE_WI_ANNOTATION)
    accounts = view.referenced(sa, "metadata", *GCP_SERVICE_ACCOUNT) if annotated else []
    if not accounts:
        if sa.is_set("metadata", "annotations", GKE_WI_ANNOTATION):
            raise Unknown(f"the Google service account named by {GKE_WI_ANNOTATION}")
        return Step("identity", False, f"ServiceAccount {w.namespace}/{sa_name} has no {GKE_WI_ANNOTATION} "
                                       f"annotation: the pods run as no Google identity")
    gsa = accounts[0]
    member_suffix = f".svc.id.goog[{w.namespace}/{sa_name}]"
    bound = [m for m in view.of_type(*GCP_IAM_MEMBER) if m.type == "gcp:serviceaccount/iAMMember:IAMMember"
             and m.depends_on(gsa.urn, "serviceAccountId") and m.known("role") == "roles/iam.workloadIdentityUser"
             and str(m.known("member") or "").endswith(member_suffix)]
    if not bound:
        return Step("identity", False, f"{gsa.title} has no roles/iam.workloadIdentityUser binding for "
                                       f"{w.namespace}/{sa_name}: token exchange is refused")
    for verb, path in paths:
        tier, prefix = str(path.get("tier")), path.get("prefix", "")
        buckets = _buckets(view, tier, GCS_BUCKET, "labels")
        if not buckets:
            return Step("identity", False, f"the stack has no {tier} bucket (label purpose={tier})")
        roles = GCS_READ_ROLES if verb == "read" else GCS_WRITE_ROLES
        grants = [g for g in view.of_type("gcp:storage/bucketIAMMember:BucketIAMMember")
                  if g.depends_on(buckets[0].urn, "bucket") and g.depends_on(gsa.urn, "member")
                  and g.known("role") in roles]
        usable = [g for g in grants if _condition_admits(g, prefix)]
        if not usable:
            return Step("identity", False, f"{gsa.title} has no grant on the {tier} bucket that lets it {verb} "
                                           f"objects under {prefix}")
    return Step("identity", True, f"{w.namespace}/{sa_name} acts as {gsa.title}, which may read and write its prefixes")


def _condition_admits(grant: ResourceView, prefix: str) -> bool:
    if not grant.is_set("condition"):
        return True
    expression = grant.get("condition", "expression")
    if not isinstance(expression, str):
        raise Unknown("a bucket grant's condition")
    return f"/objects/{prefix}" in expression


# ===================================================================================================
# 5. network
# ===================================================================================================

@dataclass(frozen=True)
class Destination:
    what: str
    port: int
    protocol: str = "TCP"
    cidrs: tuple[str, ...] = ()        # address blocks the traffic may go to (each must be allowed)
    public: bool = False               # some public address (S3 / STS / Google APIs through NAT or PGA)
    pod: tuple[Mapping[str, str], Mapping[str, str]] | None = None   # (namespace labels, pod labels)
    same_namespace: bool = False       # the destination pods are in the workload's own namespace


def _enforcement(view: StackView) -> tuple[bool, str]:
    kind = cluster_kind(view)
    if kind == "eks":
        for addon in view.of_type(*EKS_ADDON):
            if addon.known("addonName") != "vpc-cni":
                continue
            raw = addon.get("configurationValues")
            values = json.loads(raw) if isinstance(raw, str) and raw else {}
            enabled = wire.truthy(values.get("enableNetworkPolicy")) if isinstance(values, dict) else None
            if enabled:
                return True, "the VPC CNI enforces NetworkPolicy (enableNetworkPolicy)"
            return False, ("the VPC CNI add-on does not set enableNetworkPolicy: \"true\", so EKS enforces no "
                           "NetworkPolicy and the namespace's default-deny is not in force")
        if _releases(view, "tigera-operator") or _releases(view, "cilium"):
            return True, "a policy engine (Calico / Cilium) is installed"
        return False, "no VPC CNI add-on with enableNetworkPolicy and no policy engine: NetworkPolicy is not enforced"
    if kind == "gke":
        cluster = view.of_type(*GKE_CLUSTER)[0]
        if cluster.known("datapathProvider") == "ADVANCED_DATAPATH":
            return True, "GKE Dataplane V2 enforces NetworkPolicy"
        if wire.truthy(cluster.known("networkPolicy", "enabled")):
            return True, "GKE network policy enforcement (Calico) is on"
        return False, "the GKE cluster has neither Dataplane V2 nor network policy enforcement"
    # A brought cluster's CNI is not in the plan. Judging its policies as enforced is the stricter
    # assumption for whether the workload's traffic gets through.
    return True, "brought cluster: NetworkPolicy enforcement is its CNI's, outside the plan; judged as enforced"


def _aws_region(view: StackView) -> str | None:
    for c in view.of_type(*EKS_CLUSTER):
        return c.region
    return None


def _vpc_cidr(view: StackView) -> str | None:
    for vpc in view.of_type(*AWS_VPC):
        cidr = vpc.known("cidrBlock")
        if isinstance(cidr, str):
            return cidr
    return None


def _endpoints(view: StackView, service: str) -> list[ResourceView]:
    region = _aws_region(view) or "*"
    return [ep for ep in view.of_type(*VPC_ENDPOINT)
            if isinstance(ep.known("serviceName"), str)
            and fnmatch.fnmatchcase(ep.known("serviceName"), f"com.amazonaws.{region}.{service}")]


def _endpoint_cidrs(view: StackView, ep: ResourceView) -> tuple[str, ...]:
    """Where an interface endpoint's private DNS name resolves: its network interfaces in its subnets
    (every subnet, since DNS answers with any of them), else the VPC's range when the subnets are not
    in the plan."""
    subnets = [sn.known("cidrBlock") for sn in view.referenced(ep, "subnetIds", *AWS_SUBNET)]
    if subnets and all(isinstance(c, str) for c in subnets):
        return tuple(subnets)
    vpc = _vpc_cidr(view)
    return (vpc,) if vpc else ()


def _aws_route(view: StackView, service: str, what: str) -> Destination:
    """Where a pod's HTTPS to an AWS regional service goes, as the VPC routes it.

    An interface endpoint with private DNS answers the service's regional name with addresses in its
    subnets. For S3, when a gateway endpoint exists too, the interface endpoint's private DNS must be
    limited to inbound Resolver endpoints (`dnsOptions.privateDnsOnlyForInboundResolverEndpoint`), so
    requests from the VPC still resolve to S3's public addresses and take the gateway
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/privatelink-interface-endpoints.html).
    A gateway endpoint is a route to S3's public prefix list; without any endpoint, the public
    service address through NAT.
    """
    endpoints = _endpoints(view, service)
    gateway = any((ep.known("vpcEndpointType") or "Gateway") == "Gateway" for ep in endpoints)
    for ep in endpoints:
        if ep.known("vpcEndpointType") != "Interface" or not wire.truthy(ep.known("privateDnsEnabled")):
            continue
        inbound_only = wire.truthy(ep.known("dnsOptions", "privateDnsOnlyForInboundResolverEndpoint"))
        if gateway and inbound_only is not False:
            continue
        cidrs = _endpoint_cidrs(view, ep)
        if cidrs:
            return Destination(f"{what} (interface endpoint in the VPC)", 443, cidrs=cidrs)
    via = "gateway endpoint: S3's public prefix-list ranges" if gateway else "public endpoint through NAT"
    return Destination(f"{what} ({via})", 443, public=True)


def destinations(view: StackView, w: Workload) -> list[Destination]:
    """What the workload's path reaches outside its namespace, as the cloud routes it."""
    out = [Destination("cluster DNS", 53, "UDP", pod=({NAME_LABEL: "kube-system"}, {"k8s-app": "kube-dns"}))]
    if w.pods > 1:
        out.append(_peers(view, w))
    uses_store = bool(w.journey.get("reads") or w.journey.get("writes"))
    kind = cluster_kind(view)
    if kind == "eks" and uses_store:
        sa = w.pod.get("serviceAccountName") or "default"
        if any(a.known("namespace") == w.namespace and a.known("serviceAccount") == sa
               for a in view.of_type(*EKS_POD_IDENTITY)):
            # EKS Pod Identity: credentials from the node's agent on a link-local address (EKS user guide,
            # "EKS Pod Identity agent": 169.254.170.23, port 80).
            out.append(Destination("the EKS Pod Identity agent", 80, cidrs=("169.254.170.23/32",)))
        else:
            out.append(_aws_route(view, "sts", "STS for IRSA"))
        out.append(_aws_route(view, "s3", "S3"))
    if kind == "gke" and uses_store:
        cluster = view.of_type(*GKE_CLUSTER)[0]
        ip, port = GKE_METADATA[cluster.known("datapathProvider") == "ADVANCED_DATAPATH"]
        out.append(Destination("the GKE metadata server (Workload Identity)", port, cidrs=(f"{ip}/32",)))
        out.append(_gcs_route(view))
    return out


def _peers(view: StackView, w: Workload) -> Destination:
    """The workload's other pods (rendezvous and NCCL bootstrap over TCP), on the first container port."""
    ports = [p.get("containerPort") for c in w.pod.get("containers") or [] for p in c.get("ports") or []]
    port = int(ports[0]) if ports and ports[0] else 0
    return Destination(f"its own pods (port {port})", port,
                       pod=(_namespace_labels(view, w.namespace), w.pod_labels), same_namespace=True)


def _ingress_policies(view: StackView, w: Workload) -> list[ResourceView]:
    out = []
    for p in _in_namespace(view, w.namespace, *K8S_NETWORK_POLICY):
        types = p.known("spec", "policyTypes", default=None)
        ingress_type = "Ingress" in types if isinstance(types, list) else True
        if ingress_type and _selects(p, w.pod_labels):
            out.append(p)
    return out


def ingress_allowed(policies: Sequence[ResourceView], d: Destination) -> bool:
    """Ingress from `d` (the workload's own pods) to the workload's pods."""
    if not policies:
        return True
    for p in policies:
        for rule in p.known("spec", "ingress", default=[]) or []:
            if not isinstance(rule, dict) or not _port_ok(rule, d):
                continue
            peers = rule.get("from") or []
            if not peers or any(_peer_ok(peer, d) for peer in peers if isinstance(peer, dict)):
                return True
    return False


def _gcs_route(view: StackView) -> Destination:
    """Where storage.googleapis.com resolves for the cluster: a private googleapis.com zone mapping it
    (directly, or through a CNAME such as *.googleapis.com -> private.googleapis.com) to one of the
    Private Google Access VIP ranges, else Google's public addresses."""
    for zone in view.of_type(*GCP_DNS_ZONE):
        if zone.known("dnsName") != "googleapis.com.":
            continue
        records = [r for r in view.of_type(*GCP_DNS_RECORD) if r.depends_on(zone.urn, "managedZone")
                   or r.known("managedZone") == zone.known("name")]
        addresses = _resolve("storage.googleapis.com.", records)
        for vip in GOOGLE_PRIVATE_VIPS:
            net = ipaddress.ip_network(vip)
            if addresses and all(ipaddress.ip_address(a) in net for a in addresses):
                return Destination(f"Cloud Storage (private DNS to {vip})", 443, cidrs=(vip,))
    return Destination("Cloud Storage (storage.googleapis.com: Google public addresses)", 443, public=True)


def _resolve(name: str, records: Sequence[ResourceView], depth: int = 0) -> list[str]:
    """A-record addresses of `name` among a zone's record sets, following CNAMEs and one wildcard label."""
    if depth > 5:
        return []
    wildcard = "*." + name.split(".", 1)[1] if "." in name else name
    for candidate in (name, wildcard):
        for r in records:
            if r.known("name") != candidate:
                continue
            data = [str(x) for x in r.known("rrdatas", default=[]) or []]
            if r.known("type") == "A":
                return data
            if r.known("type") == "CNAME" and data:
                return _resolve(data[0], records, depth + 1)
    return []


def _selects(policy: ResourceView, pod_labels: Mapping[str, str]) -> bool:
    return _matches_selector(policy.known("spec", "podSelector", default={}) or {}, pod_labels)


def _egress_policies(view: StackView, w: Workload) -> list[ResourceView]:
    out = []
    for p in _in_namespace(view, w.namespace, *K8S_NETWORK_POLICY):
        types = p.known("spec", "policyTypes", default=None)
        egress_type = "Egress" in types if isinstance(types, list) else p.is_set("spec", "egress")
        if egress_type and _selects(p, w.pod_labels):
            out.append(p)
    return out


def _port_ok(rule: Mapping[str, Any], d: Destination) -> bool:
    ports = rule.get("ports") or []
    if not ports:
        return True
    for p in ports:
        proto = p.get("protocol") or "TCP"
        port = p.get("port")
        end = p.get("endPort")
        if proto != d.protocol:
            continue
        if port is None:
            return True
        port_n = wire.number(port)
        if port_n is not None and (port_n == d.port or (end and port_n <= d.port <= wire.number(end))):
            return True
    return False


_PRIVATE = [ipaddress.ip_network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
                                                "100.64.0.0/10", "127.0.0.0/8")]


def _peer_ok(peer: Mapping[str, Any], d: Destination) -> bool:
    block = peer.get("ipBlock")
    if isinstance(block, dict):
        cidr = block.get("cidr")
        if not isinstance(cidr, str):
            return False
        net = ipaddress.ip_network(cidr, strict=False)
        excepts = [ipaddress.ip_network(e, strict=False) for e in block.get("except") or []]
        if d.cidrs:
            target = ipaddress.ip_network(d.cidrs[0], strict=False)
            return target.version == net.version and target.subnet_of(net) and \
                not any(target.overlaps(e) for e in excepts)
        if d.public:
            # The service's public addresses are not in the plan (and change): only a block holding
            # every public address (0.0.0.0/0, private ranges excepted at most) is sure to reach them.
            return net.prefixlen == 0 and all(any(e.subnet_of(p) for p in _PRIVATE) for e in excepts)
        return False
    if d.pod is None:
        return False
    ns_labels, pod_labels = d.pod
    if "namespaceSelector" not in peer:
        # a podSelector alone selects pods of the policy's own namespace
        return d.same_namespace and _matches_selector(peer.get("podSelector"), pod_labels)
    return (_matches_selector(peer.get("namespaceSelector"), ns_labels)
            and _matches_selector(peer.get("podSelector"), pod_labels))


def egress_allowed(policies: Sequence[ResourceView], d: Destination) -> bool:
    if not policies:
        return True  # no policy selects the pod for egress: all egress is allowed
    if len(d.cidrs) > 1:  # every block the name may resolve to must be reachable
        return all(egress_allowed(policies, dataclasses.replace(d, cidrs=(c,))) for c in d.cidrs)
    for p in policies:
        for rule in p.known("spec", "egress", default=[]) or []:
            if not isinstance(rule, dict) or not _port_ok(rule, d):
                continue
            peers = rule.get("to") or []
            if not peers or any(_peer_ok(peer, d) for peer in peers if isinstance(peer, dict)):
                return True
    return False


def step_network(view: StackView, w: Workload) -> Step:
    enforced, how = _enforcement(view)
    if not enforced:
        return Step("network", False, how)
    policies = _egress_policies(view, w)
    blocked = [d for d in destinations(view, w) if not egress_allowed(policies, d)]
    if w.pods > 1 and not ingress_allowed(_ingress_policies(view, w), _peers(view, w)):
        return Step("network", False, f"the NetworkPolicies of namespace {w.namespace} block ingress from the "
                                      f"workload's own pods: its pods cannot rendezvous")
    if blocked:
        shown = "; ".join(f"{d.what} on {d.protocol}/{d.port}" for d in blocked)
        return Step("network", False, f"the NetworkPolicies of namespace {w.namespace} block egress to {shown}")
    return Step("network", True, f"{how}; egress reaches DNS and every endpoint the path uses")


# ===================================================================================================
# 6. interconnect
# ===================================================================================================

def step_interconnect(view: StackView, w: Workload) -> Step:
    pool = pool_for(view, w)
    if pool is None or pool.view is None:
        return Step("interconnect", True, "no cloud node pool in the plan: no catalogued NICs to attach")
    requests = w.requests()
    if pool.view.type in NODE_GROUP:
        types = [t for t in pool.view.known("instanceTypes", default=[]) or [] if isinstance(t, str)]
        catalogued = aws_type(types[0]) if types else None
        if catalogued is None:
            return Step("interconnect", None, f"instance type {types[:1]} is not in the catalog")
        from .efa import efa_interfaces, launch_template_of

        lt = launch_template_of(view, pool.view)
        attached = len(efa_interfaces(lt)) if lt is not None else 0
        # A training pool is promised every EFA device of its type; an inference pool may leave EFA off.
        training = w.journey.get("purpose") == "training"
        expected = catalogued.network.max_efa_interfaces if training or attached else 0
        asked = int(requests.get(EFA_RESOURCE, 0))
        if asked != expected:
            return Step("interconnect", False, f"the pods request {asked} {EFA_RESOURCE} devices; {types[0]} has "
                                               f"{expected} (catalog): NCCL runs on fewer NICs than the node has")
        if not expected:
            return Step("interconnect", True, f"no EFA on {types[0]} in this {w.journey.get('purpose')} pool; "
                                              f"none requested")
        if attached != expected:
            return Step("interconnect", False, f"node group '{pool.name}' attaches {attached} EFA interfaces, not "
                                               f"the {expected} of {types[0]}")
        if not _releases(view, "aws-efa-k8s-device-plugin"):
            return Step("interconnect", False, f"no EFA device plugin is installed: nodes never advertise "
                                               f"{EFA_RESOURCE} and the pods stay Pending")
        return Step("interconnect", True, f"{expected} EFA devices per node requested, attached and advertised")
    machine = pool.view.known("nodeConfig", "machineType")
    catalogued = gcp_type(machine) if isinstance(machine, str) else None
    if catalogued is None:
        return Step("interconnect", None, f"machine type {machine!r} is not in the catalog")
    nics = catalogued.gpu_nics
    if nics.flavour == "none":
        return Step("interconnect", True, f"{machine} has no GPU NICs")
    raw = w.pod_annotations.get("networking.gke.io/interfaces")
    named = [i.get("network") for i in (json.loads(raw) if isinstance(raw, str) else []) if isinstance(i, dict)]
    gpu_networks = [n for n in named if n != "default"]
    expected = nics.extra_networks
    if len(gpu_networks) != expected:
        return Step("interconnect", False, f"the pods attach {len(gpu_networks)} extra networks; {machine} has "
                                           f"{expected} GPU NIC networks (catalog)")
    attached = len(pool.view.known("networkConfig", "additionalNodeNetworkConfigs", default=[]) or [])
    if attached < nics.extra_gvnic_networks + (1 if nics.rdma_network else 0):
        return Step("interconnect", False, f"node pool '{pool.name}' attaches {attached} additional node networks")
    present = {n.known("metadata", "name") for n in view.of_type(*GKE_NETWORK)}
    absent = [n for n in gpu_networks if n not in present]
    if absent:
        return Step("interconnect", False, f"no GKE Network objects {', '.join(absent)}: GKE multi-networking cannot "
                                           f"attach the GPU NICs to the pods")
    return Step("interconnect", True, f"{len(gpu_networks)} GPU NIC networks requested and attached")


# ===================================================================================================

STEP_FUNCTIONS = (step_admitted, step_placed, step_capacity, step_identity, step_network, step_interconnect)


def judge(view: StackView, w: Workload) -> Journey:
    steps = []
    for fn in STEP_FUNCTIONS:
        try:
            step = fn(view, w)
        except (Unknown, UnknownValueError) as exc:
            step = Step(fn.__name__.removeprefix("step_"), None, f"not known until apply ({exc})")
        steps.append(step)
    return Journey(w, tuple(steps))


def journeys(view: StackView) -> list[Journey]:
    return [judge(view, w) for w in sorted(golden_workloads(view), key=lambda w: w.name)]
