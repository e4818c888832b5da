"""Fixtures for the public-principal rule across every resource-policy type (issue 15): policies as
users write them - `json.dumps` documents, `Output.apply`-built documents, inline (`Queue.policy`,
`Topic.policy`, `Secret.policy`) and standalone (`QueuePolicy`, `TopicPolicy`, `SecretPolicy`, ...)."""

import json

import pulumi_aws as aws
from common import ACCOUNT, TAGS, document

PUBLIC = {"Effect": "Allow", "Principal": "*"}
ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}

# --- ECR: a repository policy built from the repository's name with Output.apply ---------------------------
repo = aws.ecr.Repository("rp-ecr-repo", name="models", image_tag_mutability="IMMUTABLE",
                          image_scanning_configuration={"scan_on_push": True}, tags=TAGS)
aws.ecr.RepositoryPolicy("rp-ecr-public", repository=repo.name, policy=repo.name.apply(lambda name: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": "*"},
                   "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]})))
aws.ecr.RepositoryPolicy("rp-ecr-org", repository=repo.name, policy=repo.name.apply(lambda name: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": "*"},
                   "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Condition": ORG}]})))

# --- SQS: inline on the queue, and standalone --------------------------------------------------------------
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
aws.sqs.Queue("rp-sqs-inline-public", name="jobs-public", sqs_managed_sse_enabled=True, tags=TAGS,
              policy=document({**PUBLIC, "Action": "sqs:SendMessage", "Resource": QUEUE_ARN}))
aws.sqs.Queue("rp-sqs-no-policy", name="jobs-plain", sqs_managed_sse_enabled=True, tags=TAGS)
aws.sqs.QueuePolicy("rp-sqs-from-bucket", queue_url=f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs",
                    policy=document({**PUBLIC, "Action": "sqs:SendMessage", "Resource": QUEUE_ARN,
                                     "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::datasets"}}}))

# --- SNS: standalone topic policy ---------------------------------------------------------------------------
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
aws.sns.TopicPolicy("rp-sns-public", arn=TOPIC_ARN,
                    policy=document({**PUBLIC, "Action": ["sns:Publish", "sns:Subscribe"], "Resource": TOPIC_ARN}))
aws.sns.TopicPolicy("rp-sns-account", arn=TOPIC_ARN,
                    policy=document({**PUBLIC, "Action": "sns:Publish", "Resource": TOPIC_ARN,
                                     "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}))

# --- EFS file-system policy, NotPrincipal -------------------------------------------------------------------
aws.efs.FileSystemPolicy("rp-efs-not-principal", file_system_id="fs-0123456789abcdef0", policy=document(
    {"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/blocked"},
     "Action": "elasticfilesystem:ClientMount"}))

# --- Secrets Manager: inline and standalone -----------------------------------------------------------------
aws.secretsmanager.SecretPolicy("rp-secret-public", secret_arn=f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:hf",
                                policy=document({**PUBLIC, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}))
aws.secretsmanager.SecretPolicy("rp-secret-role", secret_arn=f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:hf",
                                policy=document({"Effect": "Allow",
                                                 "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/trainer"},
                                                 "Action": "secretsmanager:GetSecretValue", "Resource": "*"}))

# --- Lambda permissions -------------------------------------------------------------------------------------
aws.lambda_.Permission("rp-lambda-public-url", function="inference", action="lambda:InvokeFunctionUrl",
                       principal="*", function_url_auth_type="NONE")
aws.lambda_.Permission("rp-lambda-from-bucket", function="inference", action="lambda:InvokeFunction",
                       principal="s3.amazonaws.com", source_arn="arn:aws:s3:::datasets", source_account=ACCOUNT)
aws.lambda_.Permission("rp-lambda-any-in-org", function="inference", action="lambda:InvokeFunction",
                       principal="*", principal_org_id="o-abc123def4")
