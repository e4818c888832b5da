"""The cache table and names (components/registry_upstreams.py), and the config checks on caches."""

from __future__ import annotations

import pytest

from components.aws.config_checks import aws_problems
from components.config import ConfigError, validate_config
from components.registry_upstreams import (
    UPSTREAMS,
    aws_cache_uri,
    gcp_cache_uri,
    gcp_secret_prefix,
    image_for_cache,
)

DIGEST = "sha256:" + "b" * 64
AWS = aws_cache_uri("123456789012", "us-east-1", "ai-lz-dev")
GCP = gcp_cache_uri("proj", "us-central1", "lz-dev")


@pytest.mark.parametrize(("image", "base", "expected"), [
    (f"python:3.12@{DIGEST}", AWS,
     ("docker-hub", f"123456789012.dkr.ecr.us-east-1.amazonaws.com/ai-lz-dev/cache/docker-hub/library/python:3.12@{DIGEST}")),
    ("docker.io/pytorch/pytorch:2.5", AWS,
     ("docker-hub", "123456789012.dkr.ecr.us-east-1.amazonaws.com/ai-lz-dev/cache/docker-hub/pytorch/pytorch:2.5")),
    ("registry.k8s.io/pause:3.10", GCP, ("k8s", "us-central1-docker.pkg.dev/proj/lz-dev-cache-k8s/pause:3.10")),
    ("quay.io/jetstack/cert-manager-controller:v1.16.2", GCP,
     ("quay", "us-central1-docker.pkg.dev/proj/lz-dev-cache-quay/jetstack/cert-manager-controller:v1.16.2")),
    ("nvcr.io/nvidia/pytorch:24.10-py3", AWS, None),   # NGC is not a pull-through cache upstream
])
def test_image_for_cache(image, base, expected):
    assert image_for_cache(image, base) == expected


def test_only_docker_hub_and_github_need_credentials_on_aws():
    assert {u.name for u in UPSTREAMS.values() if u.aws_needs_credentials} == {"docker-hub", "github"}


def test_gcp_secret_prefixes_never_overlap():
    assert not gcp_secret_prefix("ml-ops").startswith(gcp_secret_prefix("ml"))


def _config(**registries):
    return validate_config({"environment": "dev", "cloud": "aws", "tags": {"costCenter": "ml"},
                            "registries": registries}, "stacks/Pulumi.t.yaml")


def test_docker_hub_cache_without_credentials_is_an_aws_config_problem():
    with pytest.raises(ConfigError) as err:
        _config(caches=["docker-hub"])
    assert "stacks/Pulumi.t.yaml: ai-landing-zone:registries.credentials.docker-hub: required on AWS" in str(err.value)
    assert aws_problems(_config(caches=["docker-hub"],
                                credentials={"docker-hub": "ecr-pullthroughcache/docker-hub"})) == []


def test_credential_secret_name_needs_the_ecr_prefix():
    with pytest.raises(ConfigError) as err:
        _config(caches=["docker-hub"], credentials={"docker-hub": "dockerhub-token"})
    assert "ecr-pullthroughcache/" in str(err.value)
