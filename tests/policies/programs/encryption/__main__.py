"""Fixtures for the encryption rules (planned as a dev stack).

Each non-compliant resource is its compliant twin with one argument changed (`with_changes`).
"""

import pulumi_aws as aws
import pulumi_gcp as gcp
from common import LABELS, TAGS, eks_cluster, gke_cluster, with_changes

key = aws.kms.Key("enc-key", enable_key_rotation=True, tags=TAGS)

# --- S3 default encryption: v7 resources, then the v6 generation (BucketV2, ...V2) ------------------
bucket_ok = aws.s3.Bucket("enc-bucket-ok", tags=TAGS)
SSE = {"rules": [{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
                  "bucket_key_enabled": True}]}
aws.s3.BucketServerSideEncryptionConfiguration("enc-sse-ok", bucket=bucket_ok.id, **SSE)
bucket_aes = aws.s3.Bucket("enc-bucket-aes", tags=TAGS)
aws.s3.BucketServerSideEncryptionConfiguration("enc-sse-aes", bucket=bucket_aes.id, **with_changes(
    SSE, rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]))
aws.s3.Bucket("enc-bucket-bare", tags=TAGS)

bucket_v6 = aws.s3.BucketV2("enc-bucket-v6", tags=TAGS)
aws.s3.BucketServerSideEncryptionConfigurationV2("enc-sse-v6", bucket=bucket_v6.id, **SSE)
bucket_v6_aes = aws.s3.BucketV2("enc-bucket-v6-aes", tags=TAGS)
aws.s3.BucketServerSideEncryptionConfigurationV2("enc-sse-v6-aes", bucket=bucket_v6_aes.id, **with_changes(
    SSE, rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]))
aws.s3.BucketV2("enc-bucket-v6-bare", tags=TAGS)

# --- EBS: launch templates, volumes, instances -------------------------------------------------------
LT = {"block_device_mappings": [{"device_name": "/dev/xvda",
                                 "ebs": {"encrypted": "true", "kms_key_id": key.arn, "volume_size": 200,
                                         "volume_type": "gp3"}}],
      "metadata_options": {"http_tokens": "required", "http_put_response_hop_limit": 1}, "tags": TAGS}
aws.ec2.LaunchTemplate("enc-lt-ok", **LT)
aws.ec2.LaunchTemplate("enc-lt-plain", **with_changes(LT, block_device_mappings=[
    {"device_name": "/dev/xvda", "ebs": {"encrypted": "false", "volume_size": 200, "volume_type": "gp3"}}]))
aws.ec2.LaunchTemplate("enc-lt-unmapped", **with_changes(LT, block_device_mappings=None))
aws.ec2.PlacementGroup("enc-pg", strategy="cluster", tags=TAGS)

VOLUME = {"availability_zone": "us-east-1a", "size": 100, "type": "gp3", "encrypted": True, "kms_key_id": key.arn,
          "tags": TAGS}
aws.ebs.Volume("enc-vol-ok", **VOLUME)
aws.ebs.Volume("enc-vol-plain", **with_changes(VOLUME, encrypted=False))
INSTANCE = {"ami": "ami-0123456789abcdef0", "instance_type": "m7i.large", "subnet_id": "subnet-0a",
            "root_block_device": {"encrypted": True, "kms_key_id": key.arn, "volume_size": 50},
            "metadata_options": {"http_tokens": "required", "http_put_response_hop_limit": 1}, "tags": TAGS}
aws.ec2.Instance("enc-instance-ok", **INSTANCE)
aws.ec2.Instance("enc-instance-plain", **with_changes(INSTANCE, root_block_device={"encrypted": False,
                                                                                    "volume_size": 50}))

# --- file systems -------------------------------------------------------------------------------------
EFS = {"encrypted": True, "kms_key_id": key.arn, "tags": TAGS}
efs_ok = aws.efs.FileSystem("enc-efs-ok", **EFS)
aws.efs.FileSystem("enc-efs-plain", **with_changes(EFS, encrypted=False))
aws.efs.AccessPoint("enc-efs-ap", file_system_id=efs_ok.id, tags=TAGS)

FSX = {"storage_capacity": 1200, "subnet_ids": "subnet-0a", "deployment_type": "PERSISTENT_2",
       "per_unit_storage_throughput": 250, "kms_key_id": key.arn, "tags": TAGS}
aws.fsx.LustreFileSystem("enc-fsx-ok", **FSX)
aws.fsx.LustreFileSystem("enc-fsx-default-key", **with_changes(FSX, kms_key_id=None))
aws.fsx.LustreFileSystem("enc-fsx-scratch", **with_changes(FSX, deployment_type="SCRATCH_2", kms_key_id=None,
                                                          per_unit_storage_throughput=None))

# --- Kubernetes secrets ---------------------------------------------------------------------------------
EKS = eks_cluster(key.arn)
aws.eks.Cluster("enc-eks-ok", **EKS)
aws.eks.Cluster("enc-eks-plain", **with_changes(EKS, encryption_config=None))

GKE_KEY = "projects/fixture-project/locations/us-central1/keyRings/lz/cryptoKeys/gke-secrets"
GKE = gke_cluster(GKE_KEY)
gcp.container.Cluster("enc-gke-ok", **GKE)
gcp.container.Cluster("enc-gke-plain", **with_changes(GKE, database_encryption={"state": "DECRYPTED"}))

# --- logs -----------------------------------------------------------------------------------------------
TRAIL = {"s3_bucket_name": "org-audit-logs", "is_multi_region_trail": True, "include_global_service_events": True,
         "enable_log_file_validation": True, "kms_key_id": key.arn, "tags": TAGS}
aws.cloudtrail.Trail("enc-trail-ok", **TRAIL)
aws.cloudtrail.Trail("enc-trail-plain", **with_changes(TRAIL, kms_key_id=None))
LOGS = {"retention_in_days": 365, "kms_key_id": key.arn, "tags": TAGS}
aws.cloudwatch.LogGroup("enc-logs-ok", **LOGS)
aws.cloudwatch.LogGroup("enc-logs-plain", **with_changes(LOGS, kms_key_id=None))

# --- Cloud Storage CMEK (judged in prod only: see the data program) -------------------------------------------
gcp.storage.Bucket("enc-gcs-ok", location="US-CENTRAL1", uniform_bucket_level_access=True,
                   public_access_prevention="enforced", labels=LABELS,
                   encryption={"default_kms_key_name": GKE_KEY})
