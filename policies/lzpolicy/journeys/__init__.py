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
7. pulled     - every container image comes from the stack's private registry or one of its caches
                (ECR repository or pull-through cache prefix; Artifact Registry repository), the pool's
                node identity may pull it (and import it through a cache), and the nodes reach the
                registry (journeys/pulled.py).

A value the plan does not know yet (an ARN computed at apply time) makes its step "unknown", never a
pass. Everything here is read-only and side-effect free; `lz plan` calls the same functions on its
recorded plan, the policy rule `golden-workload-journeys` on the engine's.
"""

from __future__ import annotations

from ..props import UnknownValueError
from ..rule import StackView
from .admitted import kueue_managed, step_admitted
from .capacity import step_capacity
from .identity import step_identity
from .interconnect import step_interconnect
from .model import (
    CONFIGMAP,
    K8S_CONFIGMAP,
    STEPS,
    Journey,
    Step,
    Unknown,
    Workload,
    golden_workloads,
    namespace_of,
)
from .network import Destination, egress_allowed, ingress_allowed, step_network
from .placed import node_selector, pod_security_violations, pool_for, step_placed
from .pulled import step_pulled

__all__ = [
    "CONFIGMAP", "K8S_CONFIGMAP", "STEPS", "Destination", "Journey", "Step", "Workload", "egress_allowed",
    "golden_workloads", "ingress_allowed", "journeys", "judge", "kueue_managed", "namespace_of", "node_selector",
    "pod_security_violations", "pool_for",
]

STEP_FUNCTIONS = (step_admitted, step_placed, step_capacity, step_identity, step_network, step_interconnect,
                  step_pulled)


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
