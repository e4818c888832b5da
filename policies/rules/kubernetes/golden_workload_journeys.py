"""Every golden workload the platform publishes would run: admitted by Kueue and the namespace quota,
placed on its pool under the namespace's Pod Security level, given capacity by an autoscaler (or a
ProvisioningRequest check, or nodes already there), given a cloud identity that may read its
datasets prefix and write its checkpoints, allowed by enforced NetworkPolicies to reach DNS, STS or
the metadata server and the object store as the cloud routes them, and given the NIC devices the
catalog lists for its instance type.

A stack rule: the steps are the functions of `lzpolicy.journeys` (also used by `lz plan`), judged on
all the plan's resources. Each failing journey is reported against the `golden-workloads` ConfigMap
that publishes it, naming the workload, the first failing step and why. Steps whose inputs are not
known until apply are not reported as failures; when nothing fails but something is unknown, the
rule raises the SDK's "can't run policy during preview" advisory.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.journeys import golden_workloads, judge
from lzpolicy.props import UnknownValueError
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from components.names import PROJECT

FIXES = {
    "admitted": "cover or exclude every requested resource in Kueue and size the team's quotas for its GPUs",
    "placed": "match the pool's labels and taints and let the namespace admit the pod spec",
    "capacity": "install a node autoscaler that can scale the pool (or a ProvisioningRequest check)",
    "identity": "grant the workload identity its prefixes and nothing around them",
    "network": "enforce NetworkPolicy and allow egress to the endpoints the path uses",
    "interconnect": "request and attach every high-bandwidth NIC the catalog lists",
}


def check_stack(view: StackView):
    workloads = golden_workloads(view)
    if not workloads:
        return NotApplicable("the stack publishes no golden workloads (ConfigMap golden-workloads)")
    out, unknown = [], []
    for w in workloads:
        journey = judge(view, w)
        step = journey.failed
        if step is not None:
            out.append((w.source.urn, f"{w.source.title}: golden workload {w.name} (team {w.team}, pool {w.pool}) "
                                      f"would not run: step '{step.name}' fails: {step.detail}. Fix: "
                                      f"{FIXES[step.name]}."))
        elif journey.undecided is not None:
            unknown.append([w.name, journey.undecided.name])
    if unknown and not out:
        # The SDK's advisory: "string value at .<workload>.<step> can't be known during preview".
        raise UnknownValueError(UNKNOWN_STRING_VALUE, unknown[0])
    return out


RULE = StackRule(
    name="golden-workload-journeys",
    description="Every golden workload of the stack would run end to end (admitted, placed, capacity, identity, "
                "network, interconnect).",
    resource_types=("kubernetes:core/v1:ConfigMap",),
    controls=(f"{PROJECT} issue 12: a team's GPU job runs end to end",),
    enforcement_level="mandatory",
    severity="high",
    check_stack=check_stack,
)
