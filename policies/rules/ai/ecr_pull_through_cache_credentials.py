"""ECR pull-through cache rules for upstreams that need authentication take their credentials from a
Secrets Manager secret named with the prefix ECR requires: `ecr-pullthroughcache/`. Docker Hub, GitHub
Container Registry, GitLab Container Registry and Azure Container Registry upstreams need one (ECR user
guide, "Creating a pull through cache rule in Amazon ECR": "upstream registries that require
authentication ... the secret name must use the ecr-pullthroughcache/ prefix"); without it, the rule
fails at apply or caches nothing. ECR Public, Quay and registry.k8s.io need none (not applicable).
Source for the upstream URLs: Amazon ECR API reference, CreatePullThroughCacheRule `upstreamRegistryUrl`.
"""

import fnmatch

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView

PULL_THROUGH_CACHE_RULE = ("aws:ecr/pullThroughCacheRule:PullThroughCacheRule",)
AUTHENTICATED_UPSTREAMS = ("registry-1.docker.io", "ghcr.io", "registry.gitlab.com", "*.azurecr.io")
PREFIX = ":secret:ecr-pullthroughcache/"


def check(r: ResourceView):
    url = r.known("upstreamRegistryUrl")
    if not isinstance(url, str):
        return NotApplicable("the upstream registry is not known until apply")
    if not any(fnmatch.fnmatchcase(url, pattern) for pattern in AUTHENTICATED_UPSTREAMS):
        return NotApplicable(f"upstream {url} needs no credentials")
    if not r.is_set("credentialArn"):
        return NonCompliant(f"{r.title} caches {url}, which needs credentials, but has no credential_arn; set it to "
                            "a Secrets Manager secret named ecr-pullthroughcache/<name>.")
    arn = r.known("credentialArn")
    if isinstance(arn, str) and PREFIX not in arn:
        return NonCompliant(f"{r.title} authenticates to {url} with {arn}; ECR reads only secrets named "
                            "ecr-pullthroughcache/<name>.")
    return Compliant()


RULE = ResourceRule(
    name="ecr-pull-through-cache-credentials",
    description="Pull-through cache rules of authenticated upstreams use an ecr-pullthroughcache/ secret.",
    resource_types=PULL_THROUGH_CACHE_RULE,
    controls=("NIST SP 800-190 4.2.3 (registry authentication and authorization)",
              "AWS Well-Architected SEC02-BP03 (store and use secrets securely)"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
