"""In prod, resources that hold data or keys are `protect`ed, so no `pulumi up` or `destroy` can
delete them without an explicit `pulumi state unprotect` first.

Judged from the resource options the analyzer receives. The CrossGuard protocol
(`AnalyzerResourceOptions`) carries `protect` but has no field for `retainOnDelete`, so only
`protect` can be checked here; the components set both together (`config.protect`), and
`retain_on_delete` is covered by their unit tests. Outside prod the rule does not apply: dev and
staging stacks must be cheap to tear down.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy.types import STATEFUL


def check(r: ResourceView):
    if r.environment not in ("prod", None):
        return NotApplicable(f"stateful resources are protected in prod only (environment: {r.environment})")
    if not r.protect:
        return NonCompliant(f"{r.title} holds data or keys but is not protected; pass "
                            "opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True) in prod.")
    return Compliant()


RULE = ResourceRule(
    name="stateful-resources-protected",
    description="In prod, buckets, file systems, volumes, keys, log groups and clusters have protect=True.",
    resource_types=STATEFUL,
    controls=("AWS Well-Architected REL09-BP01 (protect data from deletion)", "CKV_GCP_82", "FSBP KMS.3"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
