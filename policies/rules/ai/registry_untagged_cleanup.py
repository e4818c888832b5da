"""Image repositories delete untagged images: every ECR repository has a lifecycle policy with a rule
on `tagStatus: untagged`, and every Artifact Registry Docker repository a DELETE cleanup policy on
UNTAGGED versions that is not a dry run. Untagged layers of 10-20 GB training images otherwise pile up
and are billed as storage. A stack rule: an ECR lifecycle policy is a separate resource, matched by
dependency on the repository or by its name. Sources: ECR user guide, "Lifecycle policy parameters"
(tagStatus tagged|untagged|any); pulumi_gcp artifactregistry.Repository `cleanup_policies` (action
DELETE|KEEP, condition.tag_state TAGGED|UNTAGGED|ANY) and `cleanup_policy_dry_run`.
"""

import json

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy import props as wire
from lzpolicy.types import ECR_REPOSITORY

ECR_LIFECYCLE = ("aws:ecr/lifecyclePolicy:LifecyclePolicy",)
AR_REPOSITORY = ("gcp:artifactregistry/repository:Repository",)


def _untagged_rule(policy) -> bool | None:
    if not isinstance(policy, str):
        return None
    try:
        rules = json.loads(policy).get("rules") or []
    except (ValueError, AttributeError):
        return False
    return any(isinstance(rule, dict) and (rule.get("selection") or {}).get("tagStatus") in ("untagged", "any")
               and (rule.get("action") or {}).get("type") == "expire" for rule in rules)


def _ecr_problems(view: StackView) -> list[tuple[str, str]]:
    out = []
    lifecycles = view.of_type(*ECR_LIFECYCLE)
    for repo in view.of_type(*ECR_REPOSITORY):
        name = repo.known("name")
        mine = [lc for lc in lifecycles if lc.depends_on(repo.urn, "repository")
                or (isinstance(name, str) and lc.known("repository") == name)]
        if any(_untagged_rule(lc.known("policy")) is not False for lc in mine):
            continue
        out.append((repo.urn, f"{repo.title} has no lifecycle policy expiring untagged images; add an "
                              "aws.ecr.LifecyclePolicy with a rule selecting tagStatus 'untagged'."))
    return out


def _ar_problems(view: StackView) -> list[tuple[str, str]]:
    out = []
    for repo in view.of_type(*AR_REPOSITORY):
        if repo.known("format") != "DOCKER" or repo.known("mode") == "VIRTUAL_REPOSITORY":
            continue
        deletes = [p for p in repo.items("cleanupPolicies") if isinstance(p, dict)
                   and wire.known(p, "action") == "DELETE"
                   and wire.known(p, "condition", "tagState") in ("UNTAGGED", "ANY")]
        if deletes and repo.flag("cleanupPolicyDryRun") is not True:
            continue
        out.append((repo.urn, f"{repo.title} does not delete untagged images: add a cleanup policy with action "
                              "DELETE and condition.tag_state UNTAGGED, and set cleanup_policy_dry_run=False."))
    return out


def check_stack(view: StackView):
    if not view.of_type(*ECR_REPOSITORY, *AR_REPOSITORY):
        return NotApplicable("the stack has no image repositories")
    return _ecr_problems(view) + _ar_problems(view)


RULE = StackRule(
    name="registry-untagged-cleanup",
    description="ECR and Artifact Registry Docker repositories delete untagged images (lifecycle / cleanup).",
    resource_types=(*ECR_REPOSITORY, *ECR_LIFECYCLE, *AR_REPOSITORY),
    controls=("NIST SP 800-190 4.2.2 (stale images in registries)",),
    enforcement_level="advisory",
    severity="low",
    check_stack=check_stack,
)
