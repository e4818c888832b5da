"""Config problems only AWS can judge, reported like the loader's own (file, key path, what is allowed).

`components.config.checks` runs these in its pipeline, before anything is registered; what values a key
may take on AWS is the `support.SUPPORT` table, judged there, not here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from components.config import ConfigProblem
from components.config.model import BucketPolicy, LandingZoneConfig

OBJECT_PURPOSES = ("datasets", "checkpoints", "artifacts", "logs")
# An IAM role or user ARN; `*` and `?` are allowed in the name (the trust policy matches with ArnLike).
AWS_PRINCIPAL_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/*?-]+$")


def s3_lifecycle_problems(policy: BucketPolicy) -> list[tuple[str, str]]:
    """S3 rejects lifecycle rules that break its minimum storage durations; say so at plan time."""
    ia, archive, expire = (policy.transition_to_infrequent_days, policy.transition_to_archive_days,
                           policy.expiration_days)
    out = []
    if ia is not None and ia < 30:
        out.append(("transitionToInfrequentDays", f"must be >= 30 on AWS: S3 keeps objects 30 days before "
                                                  f"Standard-IA (got {ia})"))
    if ia is not None and archive is not None and archive < ia + 30:
        out.append(("transitionToArchiveDays", f"must be at least 30 days after transitionToInfrequentDays "
                                               f"({ia}) on AWS (got {archive})"))
    last = max((d for d in (ia, archive) if d is not None), default=None)
    if expire is not None and last is not None and expire <= last:
        out.append(("expirationDays", f"must be later than the last transition (day {last}) (got {expire})"))
    return out


def autoscaler_problems(cfg: LandingZoneConfig) -> list[ConfigProblem]:
    """EKS: the pinned cluster-autoscaler chart must run the cluster's Kubernetes minor."""
    from components.k8s.charts import CLUSTER_AUTOSCALER_APP_VERSIONS

    where = "kubernetes.charts.clusterAutoscaler.version"
    version = cfg.kubernetes.charts.cluster_autoscaler.version
    app = CLUSTER_AUTOSCALER_APP_VERSIONS.get(version)
    if app is None:
        known = ", ".join(f"{v} (cluster-autoscaler {a})" for v, a in CLUSTER_AUTOSCALER_APP_VERSIONS.items())
        return [ConfigProblem(where, f"chart {version}: its cluster-autoscaler version is not recorded, so neither "
                              f"its Kubernetes minor nor its ProvisioningRequest CRD can be checked; known: {known}")]
    if not app.startswith(f"{cfg.kubernetes.version}."):
        return [ConfigProblem(where, f"chart {version} runs cluster-autoscaler {app}, but kubernetes.version is "
                              f"{cfg.kubernetes.version}: the autoscaler's minor must match the cluster's")]
    return []


def audit_replica_problems(replica: str | None, region: str | None) -> list[ConfigProblem]:
    """The replica (logging.auditReplicaRegion) must live in another region than the trail's bucket (`region`,
    the provider's): a copy in the same region does not survive its loss."""
    if replica is None or region is None or replica != region:
        return []
    return [ConfigProblem("logging.auditReplicaRegion",
                          f"must differ from aws:region ({region}): a copy in the same region does not survive "
                          f"its loss; choose another region, e.g. us-west-2 for us-east-1 (got {replica})")]


def aws_problems(cfg: LandingZoneConfig, provider: Mapping[str, Any] | None = None) -> list[ConfigProblem]:
    """`provider`: the stack's provider keys; `aws:region` is the region the trail's bucket lives in."""
    problems: list[ConfigProblem] = []
    region = (provider or {}).get("aws:region")
    problems += audit_replica_problems(cfg.logging.audit_replica_region, region if isinstance(region, str) else None)
    for i, team in enumerate(cfg.teams):
        for j, principal in enumerate(team.people):
            if not AWS_PRINCIPAL_ARN.match(principal):
                problems.append(ConfigProblem(
                    f"teams[{i}].people[{j}]", "must be an IAM role or user ARN such as arn:aws:iam::123456789012:"
                    f"role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_MLResearch_* (got {principal!r})"))
    problems += autoscaler_problems(cfg)
    if cfg.is_prod and cfg.logging.audit_trail and not cfg.logging.audit_replica_region:
        problems.append(ConfigProblem(
            "logging.auditReplicaRegion",
            "required in prod on AWS: the second region CloudTrail's bucket is replicated to (S3 Cross-Region "
            "Replication), e.g. us-west-2 for a us-east-1 stack; it must differ from aws:region (got nothing)"))
    for purpose in OBJECT_PURPOSES:
        problems += [ConfigProblem(f"storage.objects.{purpose}.{key}", message)
                     for key, message in s3_lifecycle_problems(getattr(cfg.storage.objects, purpose))]
    problems += cache_credential_problems(cfg)
    for i, team in enumerate(cfg.teams):
        for j, principal in enumerate(team.ci_principals):
            if not AWS_PRINCIPAL_ARN.match(principal) or "*" in principal or "?" in principal:
                problems.append(ConfigProblem(
                    f"teams[{i}].ciPrincipals[{j}]", "must be an IAM role ARN with no wildcard, e.g. "
                    f"arn:aws:iam::123456789012:role/ci-push (got {principal!r})"))
    return problems


def cache_credential_problems(cfg: LandingZoneConfig) -> list[ConfigProblem]:
    """ECR caches Docker Hub and GitHub only with credentials (components/registry_upstreams.py)."""
    from components.registry_upstreams import ECR_CREDENTIAL_PREFIX, UPSTREAMS

    return [ConfigProblem(f"registries.credentials.{name}",
                          f"required on AWS: ECR's pull-through cache of {name} authenticates with a Secrets "
                          f"Manager secret whose name starts with {ECR_CREDENTIAL_PREFIX} (put its value with "
                          f"`aws secretsmanager put-secret-value`), or remove {name} from registries.caches")
            for name in cfg.registries.caches
            if UPSTREAMS[name].aws_needs_credentials and name not in cfg.registries.credentials]
