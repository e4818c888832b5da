"""Every VPC has a flow log.

A stack rule: the flow log is a separate resource whose `vpcId` is computed from the VPC (a
property dependency, recorded whether or not the id is known during preview). Subnet- or interface-level flow logs do not count: they miss the rest of
the VPC.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.types import FLOW_LOG, VPC


def _has_flow_log(view: StackView, vpc) -> bool:
    return bool(view.referencing(vpc, "vpcId", *FLOW_LOG))


def check_stack(view: StackView):
    vpcs = view.of_type(*VPC)
    if not vpcs:
        return NotApplicable("the stack has no VPCs")
    return [(vpc.urn, f"{vpc.title} has no flow log; add an aws.ec2.FlowLog with vpc_id set to this VPC "
                      "(traffic_type ALL) delivering to an encrypted log group or bucket.")
            for vpc in vpcs if not _has_flow_log(view, vpc)]


RULE = StackRule(
    name="vpc-flow-logs-enabled",
    description="Every VPC has a VPC-level flow log.",
    resource_types=(*VPC, *FLOW_LOG),
    controls=("FSBP EC2.6", "CIS-AWS-3.0 3.7", "CKV2_AWS_11"),
    enforcement_level="mandatory",
    severity="medium",
    check_stack=check_stack,
)
