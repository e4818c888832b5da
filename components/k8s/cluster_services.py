"""Cluster-wide services: Kueue, the GPU device stack, and the pod priority classes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.config.model import ChartPin, LandingZoneConfig
from components.names import GPU_OPERATOR_NAMESPACE, KUEUE_NAMESPACE
from components.platform_inputs import GpuPoolHandle, NodeAutoscaler
from components.telemetry.manifests import DCGM_EXPORTER_PORT

from . import manifests as m
from .charts import (
    CLUSTER_AUTOSCALER_NAMESPACE,
    ClusterKind,
    GpuStack,
    cluster_autoscaler_values,
    efa_plugin_values,
    gpu_operator_values,
    kueue_values,
    provisioning_request_crd_url,
)
from .kueue import PRIORITY_TIERS
from .objects import create

EFA_NAMESPACE = "kube-system"  # the EFA plugin is a privileged host-device DaemonSet, like the other node agents

# NetworkPolicy cannot select the API server (it is not a pod) and its address differs per cluster,
# so egress to it is pinned by port only.
API_SERVER_PORTS = (443, 6443)
KUEUE_INGRESS_PORTS = (9443, 8443, 8082)  # admission webhooks, metrics, visibility API (the API server calls in)


@dataclass(frozen=True)
class ClusterServicesArgs:
    config: LandingZoneConfig
    kind: ClusterKind
    stack: GpuStack
    gpu_tolerations: list[dict[str, str]]
    efa_instance_types: Sequence[str] = ()
    node_autoscaler: NodeAutoscaler | None = None
    pools: Sequence[GpuPoolHandle] = ()


def system_namespace(name: str, labels: Mapping[str, str], *, pod_security: str, version: str,
                      egress_ports: Sequence[int], ingress_ports: Sequence[int]) -> list[m.Manifest]:
    """A platform namespace: default-deny, then only DNS, the API server and the listed ports."""
    return [
        m.namespace(name, labels, pod_security=pod_security, k8s_version=version),
        m.deny_all(name, labels),
        m.allow_same_namespace(name, labels),
        m.allow_dns(name, labels),
        m.allow_egress_to(name, "allow-apiserver-egress", labels, ["0.0.0.0/0"], egress_ports),
        m.allow_ingress_on(name, "allow-service-ingress", labels, ingress_ports),
    ]


def chart_release(name: str, pin: ChartPin, release_name: str, namespace: pulumi.Input[str], values: dict[str, Any],
             opts: pulumi.ResourceOptions, timeout: int = 600) -> k8s.helm.v3.Release:
    repo = k8s.helm.v3.RepositoryOptsArgs(repo=pin.repo) if pin.repo else None
    return k8s.helm.v3.Release(
        name, name=release_name, chart=pin.chart, version=pin.version, repository_opts=repo,
        namespace=namespace, create_namespace=False, values=values,
        atomic=True, cleanup_on_fail=True, max_history=10, timeout=timeout, opts=opts)


class ClusterServices(pulumi.ComponentResource):
    """Kueue (always), the NVIDIA GPU operator and the EFA device plugin (where the cluster needs them)."""

    def __init__(self, name: str, args: ClusterServicesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:k8s:ClusterServices", name, None, opts)
        config = args.config
        version = config.kubernetes.version
        charts = config.kubernetes.charts
        labels = m.platform_labels(config)
        child = pulumi.ResourceOptions(parent=self)

        self.priority_classes = [
            create(f"{name}-priority-{tier.name}",
                   m.priority_class(tier.name, labels, tier.value, preempts=tier.preempts,
                                    description=tier.description), child)
            for tier in PRIORITY_TIERS
        ]

        kueue_objects = [create(f"{name}-kueue-{_suffix(o)}", o, child) for o in system_namespace(
            KUEUE_NAMESPACE, labels, pod_security="restricted", version=version,
            egress_ports=API_SERVER_PORTS, ingress_ports=KUEUE_INGRESS_PORTS)]
        kueue_ns = kueue_objects[0]
        # With cluster-autoscaler, the ProvisioningRequest CRD comes first: Kueue's provisioning admission
        # check controller is set up only when the API serves ProvisioningRequests as it starts
        # (kubernetes-sigs/kueue v0.15.3 cmd/kueue/main.go, ServerSupportsProvisioningRequest).
        self.provisioning_request_crd: k8s.yaml.v2.ConfigFile | None = None
        if args.node_autoscaler is not None:
            self.provisioning_request_crd = k8s.yaml.v2.ConfigFile(
                f"{name}-provreq-crd", file=provisioning_request_crd_url(charts.cluster_autoscaler.version),
                opts=child)
        crd = [self.provisioning_request_crd] if self.provisioning_request_crd else []
        self.kueue = chart_release(f"{name}-kueue", charts.kueue, "kueue", kueue_ns.metadata.name,
                              kueue_values(config, args.pools),
                              pulumi.ResourceOptions(parent=self, depends_on=[*kueue_objects[1:], *crd]))

        self.gpu_operator: k8s.helm.v3.Release | None = None
        if args.stack.operator:
            # The one namespace that is not `restricted`: the operator's DaemonSets load kernel
            # modules, mount host paths and run privileged, as NVIDIA documents. It is locked down
            # otherwise (default-deny network policy) and carries no quota, so node agents are
            # never refused.
            egress = (*API_SERVER_PORTS, 80) if args.stack.driver else API_SERVER_PORTS  # driver builds fetch packages
            operator_objects = [create(f"{name}-gpu-operator-{_suffix(o)}", o, child) for o in system_namespace(
                GPU_OPERATOR_NAMESPACE, labels, pod_security="privileged", version=version,
                egress_ports=egress, ingress_ports=(DCGM_EXPORTER_PORT,))]
            self.gpu_operator = chart_release(
                f"{name}-gpu-operator", charts.gpu_operator, "gpu-operator", operator_objects[0].metadata.name,
                gpu_operator_values(args.stack, args.gpu_tolerations),
                pulumi.ResourceOptions(parent=self, depends_on=operator_objects[1:]), timeout=900)

        self.efa_device_plugin: k8s.helm.v3.Release | None = None
        if args.stack.efa_plugin:
            self.efa_device_plugin = chart_release(
                f"{name}-efa-device-plugin", charts.efa_device_plugin, "aws-efa-k8s-device-plugin", EFA_NAMESPACE,
                efa_plugin_values(args.efa_instance_types, args.gpu_tolerations), child)

        self.cluster_autoscaler: k8s.helm.v3.Release | None = None
        if args.node_autoscaler is not None:
            scaler = args.node_autoscaler
            self.cluster_autoscaler = chart_release(
                f"{name}-cluster-autoscaler", charts.cluster_autoscaler, "cluster-autoscaler",
                CLUSTER_AUTOSCALER_NAMESPACE,
                cluster_autoscaler_values(cluster_name=scaler.cluster_name, region=scaler.region,
                                          role_arn=scaler.role_arn, group_priorities=scaler.group_priorities,
                                          node_selector=scaler.node_selector, replicas=2 if config.is_prod else 1),
                pulumi.ResourceOptions(parent=self, depends_on=crd))

        self.register_outputs({
            "clusterAutoscaler": bool(self.cluster_autoscaler),
            "kueueVersion": charts.kueue.version,
            "gpuOperator": bool(self.gpu_operator),
            "efaDevicePlugin": bool(self.efa_device_plugin),
        })


def _suffix(manifest: m.Manifest) -> str:
    kind = manifest["kind"]
    return "namespace" if kind == "Namespace" else f"netpol-{manifest['metadata']['name']}"
