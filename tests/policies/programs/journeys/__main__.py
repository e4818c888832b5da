"""Fixtures for golden-workload-journeys: a brought cluster (Kubernetes objects only) with Kueue and
two team namespaces that each publish a 2-node, 8-GPU-per-pod training Job. `jrn-team-ok`'s
ClusterQueue holds the 16 GPUs the Job needs; `jrn-team-small`'s holds 8, so Kueue can never admit it
(the violation is reported against that namespace's golden-workloads ConfigMap)."""

import json

import pulumi
import pulumi_kubernetes as k8s
import yaml

PSS = "pod-security.kubernetes.io"
NAME_LABEL = "kubernetes.io/metadata.name"
POOL = {"node.example.com/gpu-pool": "h100"}
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}

kueue_ns = k8s.core.v1.Namespace("jrn-kueue-ns", metadata={"name": "kueue-system"})
kueue = k8s.helm.v3.Release("jrn-kueue", chart="oci://registry.k8s.io/kueue/charts/kueue", version="0.15.3",
                            namespace=kueue_ns.metadata.name, values={})
k8s.apiextensions.CustomResource("jrn-flavor-cpu", api_version="kueue.x-k8s.io/v1beta1", kind="ResourceFlavor",
                                 metadata={"name": "default-flavor"}, spec={},
                                 opts=pulumi.ResourceOptions(depends_on=[kueue]))
k8s.apiextensions.CustomResource("jrn-flavor-h100", api_version="kueue.x-k8s.io/v1beta1", kind="ResourceFlavor",
                                 metadata={"name": "h100"}, spec={"nodeLabels": POOL, "tolerations": [GPU_TOLERATION]},
                                 opts=pulumi.ResourceOptions(depends_on=[kueue]))


def job(namespace: str) -> str:
    container = {
        "name": "trainer", "command": ["torchrun"],
        "ports": [{"containerPort": 29500, "protocol": "TCP"}],
        "resources": {"requests": {"cpu": "32", "memory": "256Gi", "nvidia.com/gpu": "8"},
                      "limits": {"cpu": "32", "memory": "256Gi", "nvidia.com/gpu": "8"}},
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
    }
    journey = {"team": namespace, "pool": "h100", "purpose": "training", "kind": "training", "nodes": 2,
               "serviceAccount": namespace, "reads": [], "writes": []}
    return yaml.safe_dump({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "h100-train", "namespace": namespace,
                     "labels": {"kueue.x-k8s.io/queue-name": "default"},
                     "annotations": {"golden.ai-landing-zone/journey": json.dumps(journey)}},
        "spec": {"suspend": True, "completionMode": "Indexed", "completions": 2, "parallelism": 2, "template": {
            "metadata": {"labels": {"app": "h100-train"}},
            "spec": {"restartPolicy": "Never", "serviceAccountName": namespace, "nodeSelector": POOL,
                     "tolerations": [GPU_TOLERATION],
                     "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                     "containers": [container]}}},
    })


def team(resource: str, namespace: str, gpus: int) -> None:
    ns = k8s.core.v1.Namespace(resource, metadata={"name": namespace, "labels": {
        f"{PSS}/enforce": "restricted", f"{PSS}/audit": "restricted", f"{PSS}/warn": "restricted"}})
    name = ns.metadata.name
    k8s.networking.v1.NetworkPolicy(f"{resource}-deny", metadata={"name": "default-deny", "namespace": name},
                                    spec={"pod_selector": {}, "policy_types": ["Ingress", "Egress"]})
    k8s.networking.v1.NetworkPolicy(f"{resource}-same", metadata={"name": "allow-same-namespace", "namespace": name},
                                    spec={"pod_selector": {}, "policy_types": ["Ingress", "Egress"],
                                          "ingress": [{"from": [{"pod_selector": {}}]}],
                                          "egress": [{"to": [{"pod_selector": {}}]}]})
    k8s.networking.v1.NetworkPolicy(f"{resource}-dns", metadata={"name": "allow-dns", "namespace": name}, spec={
        "pod_selector": {}, "policy_types": ["Egress"],
        "egress": [{"to": [{"namespace_selector": {"match_labels": {NAME_LABEL: "kube-system"}},
                            "pod_selector": {"match_labels": {"k8s-app": "kube-dns"}}}],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]})
    k8s.core.v1.ResourceQuota(f"{resource}-quota", metadata={"name": "compute", "namespace": name},
                              spec={"hard": {"requests.cpu": "128", "requests.memory": "1Ti",
                                             "requests.nvidia.com/gpu": "16"}})
    k8s.core.v1.ServiceAccount(f"{resource}-sa", metadata={"name": namespace, "namespace": name},
                               automount_service_account_token=False)
    k8s.apiextensions.CustomResource(
        f"{resource}-cq", api_version="kueue.x-k8s.io/v1beta1", kind="ClusterQueue", metadata={"name": namespace},
        spec={"namespaceSelector": {"matchLabels": {NAME_LABEL: namespace}}, "resourceGroups": [
            {"coveredResources": ["cpu", "memory"], "flavors": [{"name": "default-flavor", "resources": [
                {"name": "cpu", "nominalQuota": "128"}, {"name": "memory", "nominalQuota": "1Ti"}]}]},
            {"coveredResources": ["nvidia.com/gpu"], "flavors": [{"name": "h100", "resources": [
                {"name": "nvidia.com/gpu", "nominalQuota": gpus}]}]}]},
        opts=pulumi.ResourceOptions(depends_on=[kueue]))
    k8s.apiextensions.CustomResource(
        f"{resource}-lq", api_version="kueue.x-k8s.io/v1beta1", kind="LocalQueue",
        metadata={"name": "default", "namespace": name}, spec={"clusterQueue": namespace})
    k8s.core.v1.ConfigMap(f"{resource}-golden", metadata={"name": "golden-workloads", "namespace": name},
                          data={"h100-train.yaml": job(namespace)})


team("jrn-team-ok", "team-ok", 16)
team("jrn-team-small", "team-small", 8)
