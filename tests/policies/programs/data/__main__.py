"""Fixtures for the data-safety rules and the prod-only verdicts of other rules (planned as a prod stack)."""

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp
from common import ACCOUNT, LABELS, TAGS, deny_insecure_transport, document, with_changes

PROTECT = pulumi.ResourceOptions(protect=True, retain_on_delete=True)

# --- buckets: protection, TLS-only policies, versioning, lifecycle ----------------------------------------------
bucket = aws.s3.Bucket("data-bucket-ok", tags=TAGS, opts=PROTECT)
aws.s3.BucketPolicy("data-policy-ok", bucket=bucket.id, policy=bucket.arn.apply(deny_insecure_transport))
unprotected = aws.s3.Bucket("data-bucket-unprotected", tags=TAGS)
aws.s3.BucketPolicy("data-policy-unprotected", bucket=unprotected.id,
                    policy=unprotected.arn.apply(deny_insecure_transport))
plain_tls = aws.s3.Bucket("data-bucket-allows-http", tags=TAGS, opts=PROTECT)
aws.s3.BucketPolicy("data-policy-allows-http", bucket=plain_tls.id, policy=plain_tls.arn.apply(lambda arn: document(
    {"Sid": "ReadForTrainers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/trainer"},
     "Action": "s3:GetObject", "Resource": f"{arn}/*"})))
bucket_v6 = aws.s3.BucketV2("data-bucket-v6", tags=TAGS, opts=PROTECT)
aws.s3.BucketPolicy("data-policy-v6", bucket=bucket_v6.id, policy=bucket_v6.arn.apply(deny_insecure_transport))

VERSIONING = {"bucket": bucket.id, "versioning_configuration": {"status": "Enabled"}}
aws.s3.BucketVersioning("data-versioning-ok", **VERSIONING)
aws.s3.BucketVersioning("data-versioning-suspended", **with_changes(VERSIONING, versioning_configuration={
    "status": "Suspended"}))
aws.s3.BucketVersioningV2("data-versioning-v6", bucket=bucket_v6.id, versioning_configuration={"status": "Enabled"})

# Server access logging: into a log bucket, which is itself exempt (it would log its own deliveries).
log_target = aws.s3.Bucket("data-access-log-target", tags=TAGS, opts=PROTECT)
aws.s3.BucketLogging("data-logging-ok", bucket=bucket.id, target_bucket=log_target.id, target_prefix="data/")
aws.s3.BucketLoggingV2("data-logging-v6", bucket=bucket_v6.id, target_bucket=log_target.id, target_prefix="v6/")
RULE = {"id": "checkpoints", "status": "Enabled", "filter": {"prefix": "checkpoints/"},
        "noncurrent_version_expiration": {"noncurrent_days": 14},
        "abort_incomplete_multipart_upload": {"days_after_initiation": 7}}
aws.s3.BucketLifecycleConfiguration("data-lifecycle-ok", bucket=bucket.id, rules=[RULE])
aws.s3.BucketLifecycleConfiguration("data-lifecycle-no-abort", bucket=bucket.id,
                                    rules=[with_changes(RULE, abort_incomplete_multipart_upload=None)])

# --- other stateful resources ------------------------------------------------------------------------------------
aws.kms.Key("data-key", enable_key_rotation=True, tags=TAGS, opts=PROTECT)
aws.cloudwatch.LogGroup("data-logs", retention_in_days=365, tags=TAGS, opts=PROTECT)
aws.ec2.SecurityGroup("data-sg", vpc_id="vpc-0123456789abcdef0", description="nodes", tags=TAGS)

# --- Cloud Storage: CMEK is required in prod ------------------------------------------------------------------------
GCS = {"location": "US-CENTRAL1", "uniform_bucket_level_access": True, "public_access_prevention": "enforced",
       "labels": LABELS,
       "encryption": {"default_kms_key_name": "projects/fixture-project/locations/us-central1/keyRings/lz/cryptoKeys/gcs"}}
gcp.storage.Bucket("data-gcs-cmek", **GCS, opts=PROTECT)
gcp.storage.Bucket("data-gcs-google-key", **with_changes(GCS, encryption=None), opts=PROTECT)

# --- cluster endpoints that pass in dev fail in prod -----------------------------------------------------------------
aws.eks.Cluster("data-eks-restricted", role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster", version="1.33",
                vpc_config={"subnet_ids": ["subnet-0a", "subnet-0b"], "endpoint_private_access": True,
                            "endpoint_public_access": True, "public_access_cidrs": ["198.51.100.0/24"]},
                encryption_config={"resources": ["secrets"],
                                   "provider": {"key_arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1"}},
                enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
                access_config={"authentication_mode": "API"}, tags=TAGS, opts=PROTECT)
gcp.container.Cluster("data-gke-authorized", location="us-central1", initial_node_count=1,
                      remove_default_node_pool=True, resource_labels=LABELS, datapath_provider="ADVANCED_DATAPATH",
                      private_cluster_config={"enable_private_nodes": True, "enable_private_endpoint": False,
                                              "master_ipv4_cidr_block": "172.16.0.0/28"},
                      master_authorized_networks_config={"cidr_blocks": [{"cidr_block": "198.51.100.0/24"}]},
                      workload_identity_config={"workload_pool": "fixture-project.svc.id.goog"}, opts=PROTECT)

# --- a prod GPU pool that stays warm (allowed in prod) and fits the GPU cap -------------------------------------------
aws.eks.NodeGroup("data-ng-g6e-warm", cluster_name="gpu", node_role_arn=f"arn:aws:iam::{ACCOUNT}:role/nodes",
                  subnet_ids=["subnet-0a"], instance_types=["g6e.xlarge"],
                  scaling_config={"min_size": 2, "max_size": 2, "desired_size": 2},
                  taints=[{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}], tags=TAGS)
# ... whose quota is requested: 2 x g6e.xlarge = 8 vCPUs of "Running On-Demand G and VT instances"
aws.servicequotas.ServiceQuota("data-quota-g-on-demand", service_code="ec2", quota_code="L-DB2E81BA", value=8)
