"""Fixtures for the supply-chain rules (issue 18): pull-through cache credentials, untagged-image cleanup
of ECR and Artifact Registry repositories, and secret reads scoped to a prefix (AWS and GCP)."""

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp
from common import ACCOUNT, LABELS, TAGS, document

KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1"
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret"

# --- ECR pull-through cache rules ------------------------------------------------------------------------------
aws.ecr.PullThroughCacheRule("sc-ptc-dockerhub-ok", ecr_repository_prefix="cache/docker-hub",
                             upstream_registry_url="registry-1.docker.io",
                             credential_arn=f"{SECRET}:ecr-pullthroughcache/docker-hub")
aws.ecr.PullThroughCacheRule("sc-ptc-dockerhub-no-credentials", ecr_repository_prefix="cache/docker-hub-2",
                             upstream_registry_url="registry-1.docker.io")
aws.ecr.PullThroughCacheRule("sc-ptc-ghcr-wrong-prefix", ecr_repository_prefix="cache/github",
                             upstream_registry_url="ghcr.io", credential_arn=f"{SECRET}:github-token")
aws.ecr.PullThroughCacheRule("sc-ptc-quay", ecr_repository_prefix="cache/quay", upstream_registry_url="quay.io")

# --- untagged-image cleanup ------------------------------------------------------------------------------------
EXPIRE_UNTAGGED = ('{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": '
                   '"sinceImagePushed", "countUnit": "days", "countNumber": 14}, "action": {"type": "expire"}}]}')
EXPIRE_TAGGED = ('{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "tagged", "tagPrefixList": ["tmp"], '
                 '"countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}}]}')
REPO = {"image_tag_mutability": "IMMUTABLE", "image_scanning_configuration": {"scan_on_push": True},
        "encryption_configurations": [{"encryption_type": "KMS", "kms_key": KEY}], "tags": TAGS}
cleaned = aws.ecr.Repository("sc-ecr-cleaned", name="team/cleaned", **REPO)
aws.ecr.LifecyclePolicy("sc-ecr-cleaned-lifecycle", repository=cleaned.name, policy=EXPIRE_UNTAGGED)
aws.ecr.Repository("sc-ecr-no-lifecycle", name="team/kept", **REPO)
tagged_only = aws.ecr.Repository("sc-ecr-tagged-only", name="team/tagged-only", **REPO)
aws.ecr.LifecyclePolicy("sc-ecr-tagged-only-lifecycle", repository=tagged_only.name, policy=EXPIRE_TAGGED)

AR = {"project": "proj", "location": "us-central1", "format": "DOCKER", "kms_key_name": "projects/p/k", "labels": LABELS}
CLEANUP = [gcp.artifactregistry.RepositoryCleanupPolicyArgs(
    id="delete-untagged", action="DELETE",
    condition=gcp.artifactregistry.RepositoryCleanupPolicyConditionArgs(tag_state="UNTAGGED", older_than="1209600s"))]
gcp.artifactregistry.Repository("sc-ar-cleaned", repository_id="team-cleaned", cleanup_policies=CLEANUP,
                                cleanup_policy_dry_run=False, **AR)
gcp.artifactregistry.Repository("sc-ar-no-cleanup", repository_id="team-kept", **AR)
gcp.artifactregistry.Repository("sc-ar-dry-run", repository_id="team-dry", cleanup_policies=CLEANUP,
                                cleanup_policy_dry_run=True, **AR)

# --- secret reads ----------------------------------------------------------------------------------------------
aws.iam.Policy("sc-secrets-team-prefix", tags=TAGS, policy=document({
    "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
    "Resource": f"{SECRET}:ai-lz-dev/teams/research/*"}))
aws.iam.Policy("sc-secrets-every-secret", tags=TAGS, policy=document({
    "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": f"{SECRET}:*"}))
aws.iam.Policy("sc-secrets-wildcard-action", tags=TAGS, policy=document({
    "Effect": "Allow", "Action": ["secretsmanager:Get*"], "Resource": "*"}))
aws.iam.Policy("sc-no-secrets", tags=TAGS, policy=document({
    "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}))
gcp.projects.IAMMember("sc-gcp-secrets-conditioned", project="proj", role="roles/secretmanager.secretAccessor",
                       member="serviceAccount:team@proj.iam.gserviceaccount.com",
                       condition=gcp.projects.IAMMemberConditionArgs(
                           title="team", expression='resource.name.startsWith("projects/1/secrets/research__")'))
gcp.projects.IAMMember("sc-gcp-secrets-everything", project="proj", role="roles/secretmanager.secretAccessor",
                       member="serviceAccount:team@proj.iam.gserviceaccount.com")

pulumi.export("fixtures", "supplychain")
