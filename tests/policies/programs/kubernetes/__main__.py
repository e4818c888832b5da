"""Fixtures for the Kubernetes tenancy rules: Kubernetes objects only, so that this plan is also the
stack with nothing for the cloud-level stack rules to judge (their not-applicable case)."""

import pulumi
import pulumi_kubernetes as k8s

from components.k8s import gpudirect_policy as gp

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

# GKE GPUDirect: enforce privileged is allowed only with restricted audit/warn and the GPUDirect label
# (k8s-namespace-restricted-psa), and only behind the platform's admission policy, bound to the label,
# the namespace created after the binding (k8s-gpudirect-namespace-guarded).
GPUDIRECT_LABEL = gp.GPUDIRECT_LABEL


def gpudirect_guard(resource: str, value: str, flavours: list[str], validations=None):
    name = f"lz-gpudirect-{value}"
    vap = k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
        resource, metadata={"name": name},
        spec={"failure_policy": "Fail",
              "match_constraints": {"resource_rules": [{"api_groups": [""], "api_versions": ["v1"],
                                                        "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}]},
              "variables": gp.variables(flavours),
              "validations": validations if validations is not None else gp.validations(flavours)})
    return k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
        f"{resource}-binding", metadata={"name": name},
        spec={"policy_name": name, "validation_actions": ["Deny"],
              "match_resources": {"namespace_selector": {"match_labels": {GPUDIRECT_LABEL: value}}}},
        opts=pulumi.ResourceOptions(depends_on=[vap]))


def gpudirect_labels(value: str, **override) -> dict:
    return {**RESTRICTED, f"{PSS}/enforce": "privileged", GPUDIRECT_LABEL: value, **override}


tcpxo_guard = gpudirect_guard("k8s-vap", "tcpxo", ["tcpxo"])
weak_guard = gpudirect_guard("k8s-vap-weak", "rdma-tcpxo", ["rdma", "tcpxo"], validations=[{"expression": "true"}])
tenant("k8s-ns-gpudirect", "team-g", labels=gpudirect_labels("tcpxo"),
       opts=pulumi.ResourceOptions(depends_on=[tcpxo_guard]))
tenant("k8s-ns-gpudirect-unbound", "team-h", labels=gpudirect_labels("rdma"))
tenant("k8s-ns-gpudirect-early", "team-i", labels=gpudirect_labels("tcpxo"))
tenant("k8s-ns-gpudirect-weak", "team-j", labels=gpudirect_labels("rdma-tcpxo"),
       opts=pulumi.ResourceOptions(depends_on=[weak_guard]))
tenant("k8s-ns-gpudirect-warn-privileged", "team-k", labels=gpudirect_labels("tcpxo", **{f"{PSS}/warn": "privileged"}),
       opts=pulumi.ResourceOptions(depends_on=[tcpxo_guard]))

# --- DaemonSets with host access only in system namespaces ---------------------------------------------


def daemonset(resource: str, namespace: str, pod: dict) -> None:
    labels = {"app": resource}
    k8s.apps.v1.DaemonSet(resource, metadata={"name": resource, "namespace": namespace},
                          spec={"selector": {"match_labels": labels},
                                "template": {"metadata": {"labels": labels}, "spec": pod}})


AGENT = {"containers": [{"name": "agent", "image": "registry.example.com/agent:1",
                         "security_context": {"privileged": True}}],
         "volumes": [{"name": "lib", "host_path": {"path": "/home/kubernetes/bin"}}]}
daemonset("k8s-ds-system", "kube-system", AGENT)
daemonset("k8s-ds-team", "team-a", AGENT)
daemonset("k8s-ds-plain", "team-a", {"containers": [{"name": "agent", "image": "registry.example.com/agent:1"}]})

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
