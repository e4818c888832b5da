"""Step 7, pulled: the nodes of the workload's pool can pull every container image it names, from the
stack's private registry or one of its caches, never straight from a public registry (rate limits stall
the scale-up of 10-20 GB images, and nothing scanned them).

- EKS: the image is in this account's ECR (`<account>.dkr.ecr.<region>.amazonaws.com`), in a planned
  repository or under a planned pull-through cache prefix; the pool's node role may pull
  (AmazonEC2ContainerRegistryPullOnly / ReadOnly attached, or ecr:BatchGetImage allowed) and, for a cache,
  import on first pull (ecr:BatchImportUpstreamImage and ecr:CreateRepository: ECR user guide, "IAM
  permissions required to sync an upstream registry"); the VPC reaches ECR (a NAT gateway, or the
  ecr.api and ecr.dkr interface endpoints with the S3 gateway endpoint for the layers).
- GKE: the image is in Artifact Registry (`<location>-docker.pkg.dev/<project>/<repository>/...`). A
  repository of this stack must be planned, and the pool's node service account must hold an Artifact
  Registry reading role on the project or the repository. A repository of another project (Google's own
  published images, e.g. the GPUDirect sidecars) is accepted and named as such: Artifact Registry is
  reached through Private Google Access and does not rate-limit pulls, but this stack does not scan it.
- A container with no image (kubernetes.goldenImages unset) pulls nothing, and the step says so.
- A brought cluster's registry access belongs to its owner: not judged.
"""

from __future__ import annotations

import re

from components.names import POOL_LABEL

from ..rule import ResourceView, StackView
from ..types import GCP_IAM_MEMBER, IAM_ROLE, NODE_GROUP
from .awsiam import role_allows
from .model import GCP_SERVICE_ACCOUNT, GKE_POOL_LABEL, Step, Workload, cluster_kind

ECR_REPOSITORY = ("aws:ecr/repository:Repository",)
ECR_CACHE_RULE = ("aws:ecr/pullThroughCacheRule:PullThroughCacheRule",)
IAM_ATTACHMENT = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",)
NAT_GATEWAY = ("aws:ec2/natGateway:NatGateway",)
VPC_ENDPOINT = ("aws:ec2/vpcEndpoint:VpcEndpoint",)
AR_REPOSITORY = ("gcp:artifactregistry/repository:Repository",)
GKE_NODE_POOL = ("gcp:container/nodePool:NodePool",)
# AWS-managed policies that allow pulling from every repository of the account.
ECR_PULL_MANAGED = ("AmazonEC2ContainerRegistryPullOnly", "AmazonEC2ContainerRegistryReadOnly",
                    "AmazonEC2ContainerRegistryPowerUser")
# Artifact Registry roles that carry artifactregistry.repositories.downloadArtifacts.
AR_READ_ROLES = ("roles/artifactregistry.reader", "roles/artifactregistry.writer",
                 "roles/artifactregistry.repoAdmin", "roles/artifactregistry.admin")
ECR_HOST = re.compile(r"^(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com$")
AR_HOST = re.compile(r"^[a-z0-9-]+-docker\.pkg\.dev$")


def split_image(image: str) -> tuple[str, str]:
    """(host, repository path without tag or digest) of an image reference."""
    name = image.split("@", 1)[0]
    host, _, path = name.partition("/")
    if not path or ("." not in host and ":" not in host and host != "localhost"):
        host, path = "docker.io", name
    last = path.rsplit("/", 1)
    if ":" in last[-1]:
        path = path[: len(path) - len(last[-1])] + last[-1].split(":", 1)[0]
    return host, path


def images(w: Workload) -> list[str]:
    return [c["image"] for key in ("initContainers", "containers") for c in w.pod.get(key) or []
            if isinstance(c, dict) and isinstance(c.get("image"), str) and c["image"]]


def step_pulled(view: StackView, w: Workload) -> Step:
    refs = images(w)
    if not refs:
        return Step("pulled", True, "no container image is configured (kubernetes.goldenImages): nothing to pull")
    kind = cluster_kind(view)
    if kind == "byo":
        return Step("pulled", True, "a brought cluster: its registry access is its owner's, not judged")
    judge = _aws_image if kind == "eks" else _gcp_image
    details = []
    for ref in refs:
        ok, detail = judge(view, w, ref)
        if not ok:
            return Step("pulled", False, detail)
        details.append(detail)
    return Step("pulled", True, "; ".join(details))


# --- EKS ---------------------------------------------------------------------------------------------

def _node_roles(view: StackView, w: Workload) -> list[ResourceView]:
    groups = [g for g in view.of_type(*NODE_GROUP) if (g.known("labels", default={}) or {}).get(POOL_LABEL) == w.pool]
    return [r for g in groups for r in view.referenced(g, "nodeRoleArn", *IAM_ROLE)]


def _managed_pull(view: StackView, role: ResourceView) -> bool:
    for att in view.of_type(*IAM_ATTACHMENT):
        arn = att.known("policyArn")
        if att.depends_on(role.urn, "role") and isinstance(arn, str) and arn.rsplit("/", 1)[-1] in ECR_PULL_MANAGED:
            return True
    return False


def _ecr_reachable(view: StackView) -> bool:
    if view.of_type(*NAT_GATEWAY):
        return True
    # serviceName is com.amazonaws.<region>.<service>
    services = {str(ep.known("serviceName") or "").split(".", 3)[-1] for ep in view.of_type(*VPC_ENDPOINT)}
    return {"ecr.api", "ecr.dkr", "s3"} <= services


def _aws_image(view: StackView, w: Workload, ref: str) -> tuple[bool, str]:
    host, path = split_image(ref)
    m = ECR_HOST.match(host)
    if not m:
        return False, (f"{ref} is pulled from {host}, a public registry: pulls are rate-limited and unscanned; push "
                       f"it to the team's ECR repository or pull it through the stack's cache "
                       f"(<account>.dkr.ecr.<region>.amazonaws.com/<cache prefix>/...)")
    repos = [r.known("name") for r in view.of_type(*ECR_REPOSITORY)]
    prefixes = [c.known("ecrRepositoryPrefix") for c in view.of_type(*ECR_CACHE_RULE)]
    cache = next((p for p in prefixes if isinstance(p, str) and path.startswith(p + "/")), None)
    if path not in repos and cache is None:
        return False, f"{ref}: repository {path} is neither a planned ECR repository nor under a pull-through cache prefix"
    roles = _node_roles(view, w)
    if not roles:
        return False, f"no node group of pool {w.pool} with a planned node role: nothing pulls {ref}"
    arn = f"arn:aws:ecr:{m['region']}:{m['account']}:repository/{path}"
    for role in roles:
        if not (_managed_pull(view, role) or role_allows(view, role, "ecr:BatchGetImage", arn)):
            return False, f"node role {role.title} may not pull {arn} (no ECR pull policy)"
        if cache:
            for action in ("ecr:BatchImportUpstreamImage", "ecr:CreateRepository"):
                if not role_allows(view, role, action, arn):
                    return False, (f"node role {role.title} may not {action} on {arn}: the first pull through "
                                   f"cache {cache} fails")
    if not _ecr_reachable(view):
        return False, "the VPC has no NAT gateway and no ecr.api + ecr.dkr + S3 endpoints: nodes cannot reach ECR"
    return True, f"{path} from {'cache ' + cache if cache else 'the team repository'} in ECR"


# --- GKE ---------------------------------------------------------------------------------------------

def _pool_accounts(view: StackView, w: Workload) -> list[ResourceView]:
    pools = [p for p in view.of_type(*GKE_NODE_POOL) if p.known("name") == w.pool or
             (p.known("nodeConfig", "labels", default={}) or {}).get(POOL_LABEL) == w.pool]
    return [sa for p in pools for sa in view.referenced(p, "nodeConfig", *GCP_SERVICE_ACCOUNT)]


def _gcp_image(view: StackView, w: Workload, ref: str) -> tuple[bool, str]:
    host, path = split_image(ref)
    if not AR_HOST.match(host):
        return False, (f"{ref} is pulled from {host}, not Artifact Registry: pulls from public registries are "
                       f"rate-limited and unscanned; use the team repository or a cache (remote repository)")
    project, _, rest = path.partition("/")
    repo_id = rest.split("/", 1)[0]
    ours = [r for r in view.of_type(*AR_REPOSITORY) if r.known("repositoryId") == repo_id]
    if not ours:
        projects = {r.known("project") for r in view.of_type(*AR_REPOSITORY)}
        if project in projects:
            return False, f"{ref}: repository {repo_id} of project {project} is not planned"
        return True, (f"{path} from Artifact Registry of project {project} (not this stack's: not scanned here; "
                      f"reached through Private Google Access)")
    accounts = _pool_accounts(view, w)
    if not accounts:
        return False, f"no planned node service account for pool {w.pool} (label {GKE_POOL_LABEL})"
    for sa in accounts:
        grants = [g for g in view.of_type(*GCP_IAM_MEMBER) if g.known("role") in AR_READ_ROLES
                  and g.depends_on(sa.urn, "member") and not g.is_set("condition")]
        if not grants:
            return False, f"node service account {sa.title} has no Artifact Registry reading role: {ref} cannot be pulled"
    return True, f"{path} from this stack's Artifact Registry repository {repo_id}"
