"""GKE GPUDirect: the NCCL plugin installers on TCPXO / RDMA pools, and the admission policy that keeps
the namespaces relaxed for them safe. See docs/gpudirect-gke.md."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pulumi

from components.config.model import LandingZoneConfig
from components.platform_inputs import GpuPoolHandle

from . import gpudirect_installers as gi
from . import gpudirect_policy as gp
from . import manifests as m
from .objects import create


@dataclass(frozen=True)
class GpuDirectArgs:
    config: LandingZoneConfig
    pools: Sequence[GpuPoolHandle]
    # Each distinct set of flavours a team namespace needs (one policy and binding per set).
    namespace_flavours: Sequence[tuple[str, ...]]


def pools_by_flavour(pools: Iterable[GpuPoolHandle]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in pools:
        if p.gpudirect:
            out.setdefault(p.gpudirect, []).append(p.name)
    return out


def installer_manifests(config: LandingZoneConfig, pools: Sequence[GpuPoolHandle]) -> list[m.Manifest]:
    images = config.kubernetes.gpudirect.images
    labels = m.platform_labels(config)
    by_flavour = pools_by_flavour(pools)
    out = []
    if "tcpxo" in by_flavour:
        names = by_flavour["tcpxo"]
        out.append(gi.tcpxo_installer(labels, names, installer=images.tcpxo_installer,
                                      host_setup=images.tcpxo_host_setup, pause=images.pause))
        out.append(gi.nri_device_injector(labels, names, image=images.nri_device_injector))
    if "rdma" in by_flavour:
        out.append(gi.rdma_installer(labels, by_flavour["rdma"], installer=images.rdma_installer, pause=images.pause))
    return out


def admission_manifests(config: LandingZoneConfig, flavours: Iterable[str]) -> tuple[m.Manifest, m.Manifest]:
    """The ValidatingAdmissionPolicy and its binding for namespaces labelled GPUDIRECT_LABEL=<flavours>
    (admissionregistration.k8s.io/v1, GA in Kubernetes 1.30)."""
    name, value = gp.policy_name(flavours), gp.label_value(flavours)
    labels = m.platform_labels(config)
    policy = {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name, "labels": dict(labels)},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": [{
                "apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
                "resources": ["pods", "pods/ephemeralcontainers"]}]},
            "variables": gp.variables(flavours),
            "validations": gp.validations(flavours),
        },
    }
    binding = {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": name, "labels": dict(labels)},
        "spec": {
            "policyName": name,
            "validationActions": ["Deny"],
            "matchResources": {"namespaceSelector": {"matchLabels": {gp.GPUDIRECT_LABEL: value}}},
        },
    }
    return policy, binding


class GpuDirect(pulumi.ComponentResource):
    def __init__(self, name: str, args: GpuDirectArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:k8s:GpuDirect", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        installers = installer_manifests(args.config, args.pools)
        self.installers = [create(f"{name}-{d['metadata']['name']}", d, child) for d in installers]
        # A team namespace that needs a flavour set depends on its binding: the guard exists before the
        # namespace's Pod Security enforce level is relaxed.
        self.bindings: dict[tuple[str, ...], pulumi.Resource] = {}
        for flavours in sorted(set(args.namespace_flavours)):
            policy, binding = admission_manifests(args.config, flavours)
            suffix = gp.label_value(flavours)
            vap = create(f"{name}-policy-{suffix}", policy, child)
            self.bindings[flavours] = create(f"{name}-binding-{suffix}", binding,
                                             pulumi.ResourceOptions(parent=self, depends_on=[vap]))
        self.register_outputs({"installers": [d["metadata"]["name"] for d in installers],
                               "policies": [gp.policy_name(f) for f in sorted(self.bindings)]})
