"""Container images name a tag other than `latest`, or a digest (`@sha256:...`): an image without a tag
means `:latest`, which changes under a running workload and cannot be rolled back. Judges init,
regular and ephemeral containers; not exempt for platform agents.
Source: Kubernetes docs, "Images" (image names; tag defaults to latest) and "Configuration Best
Practices" (avoid :latest in production).
"""

from lzpolicy import ResourceRule, ResourceView
from lzpolicy.workloads import WORKLOAD_TYPES, containers, image_tag_problem, judge


def findings(pod):
    out = []
    for c in containers(pod):
        problem = image_tag_problem(c.image)
        if problem:
            out.append(f"{c.where} {problem}")
    return out


def check(r: ResourceView):
    return judge(r, findings, "set the image to a version tag or, better, a digest (image@sha256:...).", host_access=False)


RULE = ResourceRule(
    name="k8s-image-pinned",
    description="Workload container images are pinned to a tag other than latest, or a digest.",
    resource_types=WORKLOAD_TYPES,
    controls=("Kubernetes Configuration Best Practices: avoid :latest", "NSA-CISA Kubernetes Hardening: "
              "image scanning and immutable images"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
