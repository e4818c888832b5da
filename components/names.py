"""Names and constants shared by the components, the policy pack, pricing and the `lz` CLI.

One definition each. Ownership points one way: this module imports nothing from the project, and
everything else imports it (config -> model -> components -> registrations -> policies and cost).
"""

from __future__ import annotations

# The Pulumi project, and the namespace of its stack-config keys (`ai-landing-zone:gpuPools`).
PROJECT = "ai-landing-zone"

# The value of the `managed-by` tag / label on everything the landing zone creates.
MANAGED_BY_KEY = "managed-by"
MANAGED_BY = "pulumi-ai-landing-zone"

# Node label carrying the GPU pool's name, on every cloud (Kueue flavors and pricing select on it).
LABEL_PREFIX = PROJECT
POOL_LABEL = f"{LABEL_PREFIX}/pool"
SYSTEM_POOL = "system"  # the POOL_LABEL value of the landing zone's own system node pool

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
# Team namespaces are named after the team; these belong to Kubernetes or to the platform's services.
RESERVED_NAMESPACES = ("default", KUEUE_NAMESPACE, GPU_OPERATOR_NAMESPACE, EXTERNAL_SECRETS_NAMESPACE)
# The External Secrets Operator SecretStore in every team namespace, bound to the team's cloud identity.
TEAM_SECRET_STORE = "team-secrets"

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
