"""Fixtures for the AI and adjacent AWS service rules (issue 15): SageMaker notebooks, ECR
repositories, Secrets Manager secrets and GitHub Actions OIDC trust, typed args and plain dicts."""

import pulumi_aws as aws
from common import ACCOUNT, TAGS, document, service_trust, with_changes

KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1"

# --- SageMaker notebook instances ----------------------------------------------------------------------------
NOTEBOOK = {"instance_type": "ml.t3.medium", "role_arn": f"arn:aws:iam::{ACCOUNT}:role/sagemaker",
            "subnet_id": "subnet-0a", "security_groups": ["sg-0a"], "direct_internet_access": "Disabled",
            "root_access": "Disabled", "kms_key_id": KEY, "tags": TAGS}
aws.sagemaker.NotebookInstance("ai-nb-ok", **NOTEBOOK)
aws.sagemaker.NotebookInstance("ai-nb-internet", **with_changes(NOTEBOOK, direct_internet_access="Enabled"))
aws.sagemaker.NotebookInstance("ai-nb-defaults", **with_changes(NOTEBOOK, direct_internet_access=None,
                                                                root_access=None))
aws.sagemaker.NotebookInstance("ai-nb-no-key", **with_changes(NOTEBOOK, kms_key_id=None))

# --- ECR repositories ----------------------------------------------------------------------------------------
aws.ecr.Repository("ai-ecr-ok", name="serving", image_tag_mutability="IMMUTABLE",
                   image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
                   encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                       encryption_type="KMS", kms_key=KEY)], tags=TAGS)
aws.ecr.Repository("ai-ecr-defaults", name="scratch", tags=TAGS)  # MUTABLE, no scan, AES256
aws.ecr.Repository("ai-ecr-mutable-exclusions", name="dev-images", image_tag_mutability="MUTABLE_WITH_EXCLUSION",
                   image_tag_mutability_exclusion_filters=[{"filter": "release-*", "filter_type": "WILDCARD"}],
                   image_scanning_configuration={"scan_on_push": False},
                   encryption_configurations=[{"encryption_type": "AES256"}], tags=TAGS)

# Scanned by a registry-level rule instead of its own setting.
aws.ecr.RegistryScanningConfiguration("ai-ecr-registry-scanning", scan_type="ENHANCED", rules=[{
    "scan_frequency": "SCAN_ON_PUSH", "repository_filters": [{"filter": "serving-*", "filter_type": "WILDCARD"}]}])
aws.ecr.Repository("ai-ecr-registry-scanned", name="serving-llm", image_tag_mutability="IMMUTABLE",
                   encryption_configurations=[{"encryption_type": "KMS", "kms_key": KEY}], tags=TAGS)

# --- Secrets Manager -----------------------------------------------------------------------------------------
aws.secretsmanager.Secret("ai-secret-ok", name="hf-token", kms_key_id=KEY, tags=TAGS)
aws.secretsmanager.Secret("ai-secret-default-key", name="hf-token-plain", tags=TAGS)
aws.secretsmanager.Secret("ai-secret-aws-alias", name="hf-token-alias", kms_key_id="alias/aws/secretsmanager",
                          tags=TAGS)

# --- GitHub Actions OIDC trust -------------------------------------------------------------------------------
GITHUB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"


def github_trust(**condition):
    return document({"Effect": "Allow", "Principal": {"Federated": GITHUB}, "Action": "sts:AssumeRoleWithWebIdentity",
                     "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                                   **condition}})


ROLE = {"permissions_boundary": f"arn:aws:iam::{ACCOUNT}:policy/boundary", "tags": TAGS}
aws.iam.Role("ai-role-github-pinned", assume_role_policy=github_trust(
    StringLike={"token.actions.githubusercontent.com:sub": "repo:acme/models:ref:refs/heads/main"}), **ROLE)
aws.iam.Role("ai-role-github-any-repo", assume_role_policy=github_trust(), **ROLE)
aws.iam.Role("ai-role-github-wildcard", assume_role_policy=github_trust(
    StringLike={"token.actions.githubusercontent.com:sub": "repo:*"}), **ROLE)
aws.iam.Role("ai-role-service", assume_role_policy=service_trust("sagemaker.amazonaws.com"), **ROLE)

# --- SQS and SNS: encryption at rest -------------------------------------------------------------------------
aws.sqs.Queue("ai-queue-default", name="inference-requests", tags=TAGS)  # SSE-SQS is the service default
aws.sqs.Queue("ai-queue-kms", name="inference-requests-kms", kms_master_key_id=KEY, tags=TAGS)
aws.sqs.Queue("ai-queue-sse-off", name="inference-requests-plain", sqs_managed_sse_enabled=False, tags=TAGS)
aws.sns.Topic("ai-topic-kms", name="training-events", kms_master_key_id=KEY, tags=TAGS)
aws.sns.Topic("ai-topic-plain", name="training-events-plain", tags=TAGS)
