"""Names and constants shared by the components, the policy pack, pricing and the `lz` CLI.

One definition each. Ownership points one way: this module imports nothing from the project, and
everything else imports it (config -> model -> components -> registrations -> policies and cost).
"""

from __future__ import annotations

import hashlib
import re

# The Pulumi project, and the namespace of its stack-config keys (`ai-landing-zone:gpuPools`).
PROJECT = "ai-landing-zone"

# The policy pack's name (policies/__main__.py), as `lz plan` and the Pulumi service report it.
POLICY_PACK = f"{PROJECT}-guardrails"

# The value of the `managed-by` tag / label on everything the landing zone creates.
MANAGED_BY_KEY = "managed-by"
MANAGED_BY = "pulumi-ai-landing-zone"
# The cost-attribution keys every taggable resource carries (LandingZoneConfig.cost_tags); the tagging
# rules require them by default.
COST_TAG_KEYS = ("team", "environment", "cost-center", MANAGED_BY_KEY)

# Node label carrying the GPU pool's name, on every cloud (Kueue flavors and pricing select on it).
LABEL_PREFIX = PROJECT
POOL_LABEL = f"{LABEL_PREFIX}/pool"
SYSTEM_POOL = "system"  # the POOL_LABEL value of the landing zone's own system node pool

# The accelerators' Kubernetes extended resources (their device plugins'), also the key of each accelerator
# pool's NoSchedule taint.
NVIDIA_GPU_RESOURCE = "nvidia.com/gpu"
NEURON_RESOURCE = "aws.amazon.com/neuron"   # Trainium / Inferentia (AWS Neuron device plugin)
ACCELERATOR_RESOURCES = (NVIDIA_GPU_RESOURCE, NEURON_RESOURCE)
# Tag (AWS node group) / resource label (GKE node pool) carrying the instances a pool's reservation or
# Capacity Block holds (config `capacity.reservedNodes`, default maxNodes): they bill whether used or not,
# and `lz cost` prices them as the pool's idle cost from this registration.
RESERVED_NODES_KEY = "reserved-nodes"

# Every accelerator node carries the NoSchedule taint `<device resource>=present` on every cloud, the value
# GKE itself gives GPU nodes ("GKE automatically adds nvidia.com/gpu=present:NoSchedule",
# https://cloud.google.com/kubernetes-engine/docs/how-to/gpus). Workloads tolerate the key (Exists).
GPU_TAINT_VALUE = "present"

# The buckets a team's workload identity reaches (its prefix in each), on every cloud; the landing zone
# exports their names for team workspaces.
TEAM_BUCKETS = ("datasets", "checkpoints", "artifacts")

# Names the Kubernetes platform layer (components/k8s) gives its own objects; config must not reuse them.
KUEUE_NAMESPACE = "kueue-system"
GPU_OPERATOR_NAMESPACE = "gpu-operator"
EXTERNAL_SECRETS_NAMESPACE = "external-secrets"
KUEUE_CPU_FLAVOR = "default-flavor"  # GPU pools name the other Kueue flavors
# The platform's acceptance tests (`lz verify`): their namespace, Kueue ClusterQueue and LocalQueue target.
ACCEPTANCE_NAMESPACE = "lz-acceptance"
# Team namespaces are named after the team; these belong to Kubernetes or to the platform's services.
RESERVED_NAMESPACES = ("default", KUEUE_NAMESPACE, GPU_OPERATOR_NAMESPACE, ACCEPTANCE_NAMESPACE,
                       EXTERNAL_SECRETS_NAMESPACE)
# The External Secrets Operator SecretStore in every team namespace, bound to the team's cloud identity.
TEAM_SECRET_STORE = "team-secrets"

# Physical names the stack chooses itself (EKS / GKE cluster, KMS aliases, IAM boundary, CloudTrail trail, GCS
# buckets, service-account ids, Filestore / Lustre instances, the audit log bucket) start with one prefix on
# every cloud: `ai-lz-<stack>`. The stack name, not the environment, keeps two stacks of one environment in
# one account or project apart. The prefix is at most PREFIX_MAX_LENGTH characters of [a-z0-9-], so every
# name built from it fits the tightest limit it meets: a GKE cluster name (`<prefix>-gke`, 28 at most) stays
# within 40 characters (Google's rule as quoted in gitlab-org/gitlab#22655: "start with a lowercase letter
# followed by up to 40 lowercase letters, numbers, or hyphens"; 40 is the stricter reading); a Managed
# Lustre instance id (`<prefix>-managedlustre`, 38 at most) within 1-63 (pulumi_gcp lustre.Instance
# `instance_id`). Service-account ids (6-30, pulumi_gcp serviceaccount.Account `account_id`) and bucket
# names (3-63) are shortened with a stable hash where they need it (components/gcp/layout.py).
NAME_PREFIX = "ai-lz"
PREFIX_MAX_LENGTH = 24
# `naming.scheme`: "stack" is the scheme above. "legacy" keeps the physical names stacks got before it
# (AWS: `ai-lz-<stack>` as written; GCP: `lz-<environment>`, buckets `<project>-<environment>-<purpose>`), so
# a deployed stack is not replaced; two GCP stacks of one environment in one project then collide.
NAMING_SCHEMES = ("stack", "legacy")

_NOT_NAME = re.compile(r"[^a-z0-9-]+")


def resource_prefix(stack: str) -> str:
    """`ai-lz-<stack>`: the prefix of the stack's physical names on every cloud.

    A stack name that is not already lowercase letters, digits and hyphens, or that makes the prefix longer
    than PREFIX_MAX_LENGTH, is normalised and ends in a hash of the name as written, so two stack names
    that normalise alike ("Prod" and "prod") still get different prefixes.
    """
    raw = f"{NAME_PREFIX}-{stack}"
    if len(raw) <= PREFIX_MAX_LENGTH and not _NOT_NAME.search(raw) and not raw.endswith("-"):
        return raw
    digest = hashlib.sha256(stack.encode()).hexdigest()[:6]
    clean = _NOT_NAME.sub("-", raw.lower()).strip("-")
    return f"{clean[:PREFIX_MAX_LENGTH - len(digest) - 1].rstrip('-')}-{digest}"


def stack_prefix(stack: str, *, cloud: str, environment: str, scheme: str = "stack") -> str:
    """The physical-name prefix a landing zone's context carries: one function for both clouds."""
    if scheme == "legacy":
        return f"{NAME_PREFIX}-{stack}" if cloud == "aws" else f"lz-{environment}"
    return resource_prefix(stack)


# Environment kinds a stack declares (`environment:`); policy levels are set per kind.
ENVIRONMENTS = ("dev", "staging", "prod")

# Exit codes of every `lz` command.
EXIT_OK = 0            # done; for `lz plan`: no mandatory policy violation
EXIT_VIOLATION = 1     # `lz plan`: a mandatory policy violation
EXIT_BAD_INPUT = 2     # bad input (config, project, policy pack config) or a program error


# Kubernetes names of a team's objects, asked by the Kubernetes layer and by each cloud's workload identity
# (the IRSA role's trust and the GCP Workload Identity member name `<namespace>/<ServiceAccount>`).
def team_namespace(team: str) -> str:
    """The namespace of team `team` (its name; config keeps it a DNS label outside RESERVED_NAMESPACES)."""
    return team


def team_service_account(team: str) -> str:
    """The ServiceAccount the team's workloads run as; its cloud identity trusts
    `system:serviceaccount:<namespace>:<this>`."""
    return team
