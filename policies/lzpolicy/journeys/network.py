"""Step 5, network: NetworkPolicy is enforced, and the namespace's policies let the pods reach DNS,
each other, STS or the metadata server and the object store, as the cloud routes them."""

from __future__ import annotations

import dataclasses
import fnmatch
import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import props as wire
from ..rule import ResourceView, StackView
from ..types import (
    EKS_CLUSTER,
    GKE_CLUSTER,
    K8S_NETWORK_POLICY,
)
from .model import (
    AWS_SUBNET,
    AWS_VPC,
    EKS_ADDON,
    EKS_POD_IDENTITY,
    GCP_DNS_RECORD,
    GCP_DNS_ZONE,
    GKE_METADATA,
    GOOGLE_PRIVATE_VIPS,
    NAME_LABEL,
    VPC_ENDPOINT,
    Step,
    Workload,
    cluster_kind,
    in_namespace,
    matches_selector,
    namespace_labels,
    releases,
)


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
        if releases(view, "tigera-operator") or releases(view, "cilium"):
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
                       pod=(namespace_labels(view, w.namespace), w.pod_labels), same_namespace=True)


def _ingress_policies(view: StackView, w: Workload) -> list[ResourceView]:
    out = []
    for p in in_namespace(view, w.namespace, *K8S_NETWORK_POLICY):
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
    return matches_selector(policy.known("spec", "podSelector", default={}) or {}, pod_labels)


def _egress_policies(view: StackView, w: Workload) -> list[ResourceView]:
    out = []
    for p in in_namespace(view, w.namespace, *K8S_NETWORK_POLICY):
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
        return d.same_namespace and matches_selector(peer.get("podSelector"), pod_labels)
    return (matches_selector(peer.get("namespaceSelector"), ns_labels)
            and matches_selector(peer.get("podSelector"), pod_labels))


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
