"""A Service of type LoadBalancer is internal, or admits only listed source ranges: a plain
LoadBalancer Service gets an internet-facing load balancer on EKS and GKE, which puts a notebook or
an inference server on the internet.

Internal when one of these annotations says so (the value compared case-insensitively):
- `networking.gke.io/load-balancer-type: Internal` and the older `cloud.google.com/load-balancer-type:
  Internal` (GKE, "LoadBalancer Service parameters" / internal passthrough Network Load Balancer);
- `service.beta.kubernetes.io/aws-load-balancer-scheme: internal` (AWS Load Balancer Controller,
  "Service annotations") and `service.beta.kubernetes.io/aws-load-balancer-internal: "true"` (the
  in-tree cloud provider; older docs show the value `0.0.0.0/0`, which it also reads as internal,
  kubernetes/website#15771);
- `service.beta.kubernetes.io/azure-load-balancer-internal: "true"` (AKS, "Use an internal load balancer").
Otherwise `spec.loadBalancerSourceRanges` must be set and hold no 0.0.0.0/0 or ::/0.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.workloads import K8S_SERVICE

INTERNAL = {
    "networking.gke.io/load-balancer-type": ("internal",),
    "cloud.google.com/load-balancer-type": ("internal",),
    "service.beta.kubernetes.io/aws-load-balancer-scheme": ("internal",),
    "service.beta.kubernetes.io/aws-load-balancer-internal": ("true", "0.0.0.0/0"),
    "service.beta.kubernetes.io/azure-load-balancer-internal": ("true",),
}
OPEN = ("0.0.0.0/0", "::/0")


def check(r: ResourceView):
    if r.get("spec", "type") != "LoadBalancer":
        return NotApplicable(f"{r.title} is not of type LoadBalancer")
    annotations = r.get("metadata", "annotations", default={})
    for key, values in INTERNAL.items():
        value = wire.dig(annotations, key) if isinstance(annotations, dict) else None
        if isinstance(value, str) and value.lower() in values:
            return Compliant()
    ranges = r.strings("spec", "loadBalancerSourceRanges")
    if ranges and not set(ranges) & set(OPEN):
        return Compliant()
    why = f"admits {', '.join(sorted(set(ranges) & set(OPEN)))}" if ranges else "has no loadBalancerSourceRanges"
    return NonCompliant(f"{r.title} is an internet-facing LoadBalancer ({why}); annotate it internal "
                        "(networking.gke.io/load-balancer-type: Internal, or service.beta.kubernetes.io/"
                        "aws-load-balancer-scheme: internal) or list the client CIDRs in loadBalancerSourceRanges.")


RULE = ResourceRule(
    name="k8s-service-lb-not-public",
    description="LoadBalancer Services are internal or restricted by loadBalancerSourceRanges.",
    resource_types=K8S_SERVICE,
    controls=("NSA-CISA Kubernetes Hardening: network separation", "Kubernetes docs: Service type LoadBalancer"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
