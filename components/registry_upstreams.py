"""The public registries the landing zone caches, and the names it gives its registries and secrets.

One table for both clouds. AWS: the upstream URL of an ECR pull-through cache rule and whether ECR
requires credentials for it (Amazon ECR API reference, CreatePullThroughCacheRule `upstreamRegistryUrl`:
ECR Public `public.ecr.aws`, Kubernetes `registry.k8s.io`, Quay `quay.io`, Docker Hub
`registry-1.docker.io`, GitHub Container Registry `ghcr.io`; the user guide, "Creating a pull through
cache rule", requires a Secrets Manager secret named `ecr-pullthroughcache/...` for Docker Hub, GitHub,
GitLab and Azure). NVIDIA NGC (nvcr.io) is not a supported upstream: NGC images are copied into a
team repository (docs/supply-chain.md). GCP: an Artifact Registry remote repository, either the
DOCKER_HUB preset or a registry URI (pulumi_gcp artifactregistry RepositoryRemoteRepositoryConfig
`docker_repository.public_repository` / `common_repository.uri`).

`image_for_cache` rewrites a public image reference to the cache URI: the clusters are not given
containerd mirror settings (docs/supply-chain.md says why), so workloads name the cache explicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Upstream:
    name: str                  # config value (registries.caches)
    host: str                  # the host public image references use
    aws_url: str               # ECR upstreamRegistryUrl
    aws_needs_credentials: bool
    gcp_public: str | None     # Artifact Registry preset, else gcp_uri
    gcp_uri: str | None


UPSTREAMS: dict[str, Upstream] = {u.name: u for u in (
    Upstream("ecr-public", "public.ecr.aws", "public.ecr.aws", False, None, "https://public.ecr.aws"),
    Upstream("k8s", "registry.k8s.io", "registry.k8s.io", False, None, "https://registry.k8s.io"),
    Upstream("quay", "quay.io", "quay.io", False, None, "https://quay.io"),
    Upstream("docker-hub", "docker.io", "registry-1.docker.io", True, "DOCKER_HUB", None),
    Upstream("github", "ghcr.io", "ghcr.io", True, None, "https://ghcr.io"),
)}

# ECR requires this prefix on the names of pull-through cache credential secrets.
ECR_CREDENTIAL_PREFIX = "ecr-pullthroughcache/"


def aws_team_repository(prefix: str, team: str) -> str:
    """The team's ECR repository: `<stack prefix>/teams/<team>`."""
    return f"{prefix}/teams/{team}"


def aws_cache_prefix(prefix: str, upstream: str) -> str:
    """The ECR repository prefix of a pull-through cache rule: `<stack prefix>/cache/<upstream>`."""
    return f"{prefix}/cache/{upstream}"


def aws_secret_prefix(prefix: str, team: str) -> str:
    """The Secrets Manager name prefix a team's secrets live under: `<stack prefix>/teams/<team>/`."""
    return f"{prefix}/teams/{team}/"


def gcp_team_repository(prefix: str, team: str) -> str:
    """The team's Artifact Registry repository id."""
    return f"{prefix}-team-{team}"


def gcp_cache_repository(prefix: str, upstream: str) -> str:
    """The Artifact Registry remote repository id caching `upstream`."""
    return f"{prefix}-cache-{upstream}"


def gcp_secret_prefix(team: str) -> str:
    """Secret Manager secret ids of a team start with `<team>__`: team names are DNS labels (no `_`), so no
    team's prefix is the beginning of another's (`ml-` would be the start of team `ml-ops`'s secrets)."""
    return f"{team}__"


def image_for_cache(image: str, cache_base: Callable[[str], str]) -> tuple[str, str] | None:
    """(upstream, rewritten image) for a public image reference, or None when no cached upstream serves it.

    `cache_base(upstream)` is where that upstream's cache lives: `aws_cache_uri` or `gcp_cache_uri` below.
    Docker Hub official images take the `library/` namespace (ECR user guide, "Pulling an image with a pull
    through cache rule"; Artifact Registry Docker Hub remote repositories likewise).
    """
    first, _, rest = image.partition("/")
    if not rest or ("." not in first and ":" not in first and first != "localhost"):
        first, rest = "docker.io", image           # a Docker Hub short name
    for upstream in UPSTREAMS.values():
        if first in (upstream.host, upstream.aws_url):
            if upstream.name == "docker-hub" and "/" not in rest.split("@", 1)[0]:
                rest = f"library/{rest}"
            return upstream.name, f"{cache_base(upstream.name)}/{rest}"
    return None


def aws_cache_uri(account: str, region: str, prefix: str) -> Callable[[str], str]:
    return lambda upstream: f"{account}.dkr.ecr.{region}.amazonaws.com/{aws_cache_prefix(prefix, upstream)}"


def gcp_cache_uri(project: str, region: str, prefix: str) -> Callable[[str], str]:
    return lambda upstream: f"{region}-docker.pkg.dev/{project}/{gcp_cache_repository(prefix, upstream)}"
