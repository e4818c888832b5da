"""Fixtures for the Kubernetes tenancy rules: Kubernetes objects only, so that this plan is also the
stack with nothing for the cloud-level stack rules to judge (their not-applicable case)."""

import pulumi
import pulumi_kubernetes as k8s

PSS = "pod-security.kubernetes.io"
RESTRICTED = {f"{PSS}/enforce": "restricted", f"{PSS}/audit": "restricted", f"{PSS}/warn": "restricted"}
DENY_ALL = {"pod_selector": {}, "policy_types": ["Ingress", "Egress"]}
QUOTA = {"hard": {"requests.cpu": "64", "limits.cpu": "64", "requests.memory": "256Gi", "limits.memory": "256Gi",
                  "requests.nvidia.com/gpu": "8"}}


def tenant(resource: str, name: str | None, labels=RESTRICTED, deny=DENY_ALL, quota=QUOTA, opts=None) -> None:
    """A namespace with its default-deny policy and quota; a variant changes one of the three."""
    ns = k8s.core.v1.Namespace(resource, metadata={"name": name, "labels": labels} if name else {"labels": labels},
                               opts=opts)
    namespace = ns.metadata.name  # computed from the Namespace: the policy sees the dependency
    if deny is not None:
        k8s.networking.v1.NetworkPolicy(f"{resource}-deny", metadata={"name": "default-deny", "namespace": namespace},
                                        spec=deny)
    if quota is not None:
        k8s.core.v1.ResourceQuota(f"{resource}-quota", metadata={"name": "team", "namespace": namespace},
                                  spec=quota)


tenant("k8s-ns-ok", "team-a")
tenant("k8s-ns-baseline", "team-b", labels={**RESTRICTED, f"{PSS}/enforce": "baseline"})
tenant("k8s-ns-allow-ingress", "team-c", deny={**DENY_ALL, "ingress": [{}]})
tenant("k8s-ns-pods-quota", "team-d", quota={"hard": {"pods": "100"}})
tenant("k8s-ns-auto-named", None)
tenant("k8s-ns-gpu-operator", "gpu-operator", labels={f"{PSS}/enforce": "privileged"}, quota=None)

# GKE GPUDirect: enforce privileged is allowed only with restricted audit/warn, the GPUDirect label and an
# admission policy binding the namespace is created after.
GPUDIRECT = {**RESTRICTED, f"{PSS}/enforce": "privileged", "ai-landing-zone/gpudirect": "tcpxo"}
vap = k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
    "k8s-vap", metadata={"name": "lz-gpudirect-tcpxo"},
    spec={"match_constraints": {"resource_rules": [{"api_groups": [""], "api_versions": ["v1"],
                                                    "operations": ["CREATE"], "resources": ["pods"]}]},
          "validations": [{"expression": "true"}]})
binding = k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
    "k8s-vapb", metadata={"name": "lz-gpudirect-tcpxo"},
    spec={"policy_name": "lz-gpudirect-tcpxo", "validation_actions": ["Deny"],
          "match_resources": {"namespace_selector": {"match_labels": {"ai-landing-zone/gpudirect": "tcpxo"}}}},
    opts=pulumi.ResourceOptions(depends_on=[vap]))
tenant("k8s-ns-gpudirect", "team-g", labels=GPUDIRECT, opts=pulumi.ResourceOptions(depends_on=[binding]))
tenant("k8s-ns-gpudirect-unguarded", "team-h", labels=GPUDIRECT)
tenant("k8s-ns-gpudirect-warn-privileged", "team-i", labels={**GPUDIRECT, f"{PSS}/warn": "privileged"},
       opts=pulumi.ResourceOptions(depends_on=[binding]))

# Policies that name their namespace literally are matched by name; ingress-only and egress-only deny-all
# policies together make a default deny.
k8s.core.v1.Namespace("k8s-ns-split-deny", metadata={"name": "team-e", "labels": RESTRICTED})
for direction in ("Ingress", "Egress"):
    k8s.networking.v1.NetworkPolicy(f"k8s-ns-split-deny-{direction.lower()}",
                                    metadata={"name": f"deny-{direction.lower()}", "namespace": "team-e"},
                                    spec={"pod_selector": {}, "policy_types": [direction]})
k8s.core.v1.ResourceQuota("k8s-ns-split-deny-quota", metadata={"name": "team", "namespace": "team-e"}, spec=QUOTA)
k8s.core.v1.ConfigMap("k8s-settings", metadata={"name": "settings", "namespace": "team-a"}, data={"tier": "gold"})

# --- ServiceAccounts: API token mounted only where asked for ---------------------------------------------
k8s.core.v1.ServiceAccount("k8s-sa-ok", metadata={"name": "workload", "namespace": "team-a"},
                           automount_service_account_token=False)
k8s.core.v1.ServiceAccount("k8s-sa-mounting", metadata={"name": "workload", "namespace": "team-b"})
k8s.core.v1.ServiceAccount("k8s-sa-system", metadata={"name": "node-agent", "namespace": "kube-system"})
