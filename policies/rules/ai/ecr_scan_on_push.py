"""ECR repositories scan images on push, so a model-serving image with known CVEs is reported before it
runs: either the repository's own `image_scanning_configuration.scan_on_push`, or a registry-level
`aws.ecr.RegistryScanningConfiguration` in the same stack with a rule whose `scan_frequency` is
SCAN_ON_PUSH or CONTINUOUS_SCAN and whose WILDCARD `repository_filters` match the repository's name
(`*` matches any characters). A repository whose name is not known yet must scan on its own.
Sources: pulumi_aws.ecr.Repository docs ("By default, image scanning must be manually triggered");
pulumi_aws.ecr.RegistryScanningConfiguration docs (scan_frequency SCAN_ON_PUSH, CONTINUOUS_SCAN, MANUAL;
filter_type WILDCARD); Amazon ECR API reference, ScanningRepositoryFilter; Checkov CKV_AWS_163; AWS
Security Hub FSBP ECR.1.
"""

import fnmatch

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy import props as wire
from lzpolicy.types import ECR_REGISTRY_SCANNING, ECR_REPOSITORY

SCANNING = ("SCAN_ON_PUSH", "CONTINUOUS_SCAN")


def _registry_filters(view: StackView) -> list[str]:
    """WILDCARD filters of registry-level rules that scan on push or continuously."""
    out = []
    for config in view.of_type(*ECR_REGISTRY_SCANNING):
        for rule in config.items("rules"):
            if not isinstance(rule, dict) or wire.known(rule, "scanFrequency") not in SCANNING:
                continue
            out.extend(str(wire.known(f, "filter")) for f in wire.items(rule, "repositoryFilters")
                       if isinstance(f, dict) and wire.known(f, "filterType") == "WILDCARD" and wire.known(f, "filter"))
    return out


def check_stack(view: StackView):
    repositories = view.of_type(*ECR_REPOSITORY)
    if not repositories:
        return NotApplicable("the stack has no ECR repositories")
    filters = _registry_filters(view)
    return [(r.urn, f"{r.title} does not scan images on push; set image_scanning_configuration={{'scan_on_push': "
                    "True}, or add a RegistryScanningConfiguration rule (SCAN_ON_PUSH) whose filter matches it.")
            for r in repositories if not _scanned(r, filters)]


def _scanned(r, filters: list[str]) -> bool:
    if r.flag("imageScanningConfiguration", "scanOnPush") is True:
        return True
    name = r.known("name")
    return isinstance(name, str) and any(fnmatch.fnmatchcase(name, f) for f in filters)

RULE = StackRule(
    name="ecr-scan-on-push",
    description="ECR repositories scan images on push (their own setting or a matching registry scanning rule).",
    resource_types=(*ECR_REPOSITORY, *ECR_REGISTRY_SCANNING),
    controls=("FSBP ECR.1", "CKV_AWS_163"),
    enforcement_level="advisory",
    severity="medium",
    check_stack=check_stack,
)
