"""A GKE GPUDirect namespace (Pod Security enforce `privileged`, label GPUDIRECT_LABEL) is guarded by the
platform's ValidatingAdmissionPolicy: a binding with `validationActions: [Deny]` selects it by that
label, names a policy in the stack that fails closed (`failurePolicy: Fail`) and holds exactly the
variables and validations rendered from the allow-list for the label's flavours
(components/k8s/gpudirect_policy.py), and the namespace is created after the binding.

Without that guard the `privileged` enforce level would admit any pod. See docs/gpudirect-gke.md.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.types import K8S_NAMESPACE, K8S_VAP, K8S_VAP_BINDING

from components.k8s import gpudirect_policy as gp

ENFORCE = "pod-security.kubernetes.io/enforce"


def _flavours(value: str) -> list[str] | None:
    flavours = value.split("-")
    try:
        return flavours if gp.label_value(flavours) == value else None
    except ValueError:
        return None


def check_stack(view: StackView):
    namespaces = [ns for ns in view.of_type(*K8S_NAMESPACE)
                  if (ns.known("metadata", "labels", default={}) or {}).get(gp.GPUDIRECT_LABEL)]
    if not namespaces:
        return NotApplicable("the stack has no GPUDirect namespaces")
    policies = {p.known("metadata", "name"): p for p in view.of_type(*K8S_VAP)}
    out = []
    for ns in namespaces:
        value = ns.known("metadata", "labels", default={})[gp.GPUDIRECT_LABEL]
        flavours = _flavours(value)
        if flavours is None:
            out.append((ns.urn, f"{ns.title} has {gp.GPUDIRECT_LABEL}={value}, which is not a sorted '-'-joined "
                                f"subset of {', '.join(gp.FLAVOURS)}; set it to one, e.g. rdma or rdma-tcpxo."))
            continue
        bindings = [b for b in view.of_type(*K8S_VAP_BINDING)
                    if b.known("spec", "matchResources", "namespaceSelector") == {"matchLabels": {gp.GPUDIRECT_LABEL: value}}
                    and b.known("spec", "validationActions") == ["Deny"]]
        if not bindings:
            out.append((ns.urn, f"{ns.title} ({gp.GPUDIRECT_LABEL}={value}, enforce "
                                f"{ns.known('metadata', 'labels', ENFORCE) or 'none'}) is selected by no "
                                f"ValidatingAdmissionPolicyBinding with validationActions [Deny] and namespaceSelector "
                                f"matchLabels {{{gp.GPUDIRECT_LABEL}: {value}}}: its pods are admitted unchecked. Bind the "
                                f"GPUDirect admission policy to that label (components/k8s/gpudirect.py does)."))
            continue
        good = []
        for b in bindings:
            policy = policies.get(b.known("spec", "policyName"))
            if policy is None:
                out.append((b.urn, f"{b.title} names policy {b.known('spec', 'policyName')!r}, which is not in the stack; "
                                  "create the policy in the same stack."))
            elif (policy.known("spec", "failurePolicy") != "Fail"
                  or policy.known("spec", "validations") != gp.validations(flavours)
                  or policy.known("spec", "variables") != gp.variables(flavours)):
                out.append((policy.urn, f"{policy.title} is not the GPUDirect allow-list policy for {value}: it must "
                                        "fail closed and hold exactly the validations and variables rendered by "
                                        "components/k8s/gpudirect_policy.py; render it from there."))
            else:
                good.append(b)
        if good and not any(b.urn in ns.dependencies for b in good):
            out.append((ns.urn, f"{ns.title} is not created after its ValidatingAdmissionPolicyBinding "
                                "(depends_on): for a while its pods would be admitted unchecked. Add the binding to "
                                "the namespace's depends_on."))
    return out


RULE = StackRule(
    name="k8s-gpudirect-namespace-guarded",
    description="GKE GPUDirect namespaces are guarded by the platform's GPUDirect ValidatingAdmissionPolicy.",
    resource_types=(*K8S_NAMESPACE, *K8S_VAP, *K8S_VAP_BINDING),
    controls=("PSS restricted", "NSA-CISA Kubernetes Hardening: pod security"),
    enforcement_level="mandatory",
    severity="high",
    check_stack=check_stack,
)
