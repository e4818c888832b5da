"""Fixtures for the logging rules (planned as a dev stack, with a trail and GCP audit logging)."""

import pulumi_aws as aws
import pulumi_gcp as gcp
from common import ACCOUNT, TAGS, eks_cluster, gke_cluster, with_changes

key = aws.kms.Key("log-key", enable_key_rotation=True, tags=TAGS)

# --- CloudTrail ------------------------------------------------------------------------------------------
TRAIL = {"s3_bucket_name": "org-audit-logs", "is_multi_region_trail": True, "include_global_service_events": True,
         "enable_log_file_validation": True, "kms_key_id": key.arn, "tags": TAGS}
aws.cloudtrail.Trail("log-trail-ok", **TRAIL)
aws.cloudtrail.Trail("log-trail-one-region", **with_changes(TRAIL, is_multi_region_trail=False))
aws.cloudtrail.Trail("log-trail-unvalidated", **with_changes(TRAIL, enable_log_file_validation=False))

# --- VPC flow logs ---------------------------------------------------------------------------------------
GROUP = {"retention_in_days": 365, "kms_key_id": key.arn, "tags": TAGS}
flow_group = aws.cloudwatch.LogGroup("log-group-ok", **GROUP)
aws.cloudwatch.LogGroup("log-group-short", **with_changes(GROUP, retention_in_days=30))
aws.cloudwatch.LogGroup("log-group-forever", **with_changes(GROUP, retention_in_days=None))

vpc = aws.ec2.Vpc("log-vpc-ok", cidr_block="10.0.0.0/16", tags=TAGS)
aws.ec2.FlowLog("log-flow-ok", vpc_id=vpc.id, traffic_type="ALL", log_destination_type="cloud-watch-logs",
                log_destination=flow_group.arn, iam_role_arn=f"arn:aws:iam::{ACCOUNT}:role/flow-logs", tags=TAGS)
unlogged = aws.ec2.Vpc("log-vpc-unlogged", cidr_block="10.1.0.0/16", tags=TAGS)
subnet = aws.ec2.Subnet("log-subnet-aws", vpc_id=unlogged.id, cidr_block="10.1.0.0/20", tags=TAGS)
# A subnet-level flow log does not cover the rest of the VPC.
aws.ec2.FlowLog("log-flow-subnet-only", subnet_id=subnet.id, traffic_type="ALL",
                log_destination_type="cloud-watch-logs", log_destination=flow_group.arn,
                iam_role_arn=f"arn:aws:iam::{ACCOUNT}:role/flow-logs", tags=TAGS)

# --- EKS and GKE control planes -----------------------------------------------------------------------------
EKS = eks_cluster(key.arn)
aws.eks.Cluster("log-eks-ok", **EKS)
aws.eks.Cluster("log-eks-audit-only", **with_changes(EKS, enabled_cluster_log_types=["audit"]))

GKE = gke_cluster()
gcp.container.Cluster("log-gke-ok", **GKE)
gcp.container.Cluster("log-gke-system-only", **with_changes(GKE, logging_config={
    "enable_components": ["SYSTEM_COMPONENTS", "WORKLOADS"]}))

# --- GCP subnets -------------------------------------------------------------------------------------------
network = gcp.compute.Network("log-net", auto_create_subnetworks=False)
SUBNET = {"network": network.id, "region": "us-central1", "ip_cidr_range": "10.10.0.0/20",
          "private_ip_google_access": True,
          "log_config": {"aggregation_interval": "INTERVAL_5_SEC", "flow_sampling": 0.5,
                         "metadata": "INCLUDE_ALL_METADATA"}}
gcp.compute.Subnetwork("log-subnet-ok", **SUBNET)
gcp.compute.Subnetwork("log-subnet-unlogged", **with_changes(SUBNET, ip_cidr_range="10.10.16.0/20", log_config=None))
gcp.compute.Subnetwork("log-subnet-proxy", **with_changes(SUBNET, ip_cidr_range="10.10.32.0/23", log_config=None,
                                                          private_ip_google_access=None,
                                                          purpose="REGIONAL_MANAGED_PROXY", role="ACTIVE"))
rdma = gcp.compute.Network("log-net-rdma", auto_create_subnetworks=False, mtu=8896,
                           network_profile="projects/fixture-project/global/networkProfiles/us-central1-b-vpc-roce")
gcp.compute.Subnetwork("log-subnet-rdma", **with_changes(SUBNET, network=rdma.id, ip_cidr_range="10.20.0.0/24",
                                                         log_config=None, private_ip_google_access=None))

# --- GCP audit logs and their export ---------------------------------------------------------------------------
ALL_TYPES = [{"log_type": t} for t in ("ADMIN_READ", "DATA_READ", "DATA_WRITE")]
gcp.projects.IAMAuditConfig("log-audit-ok", project="fixture-project", service="allServices",
                            audit_log_configs=ALL_TYPES)
gcp.projects.IAMAuditConfig("log-audit-admin-only", project="fixture-project", service="allServices",
                            audit_log_configs=ALL_TYPES[:1])
gcp.logging.ProjectSink("log-sink", project="fixture-project", destination="storage.googleapis.com/org-audit-logs",
                        unique_writer_identity=True)
gcp.logging.ProjectBucketConfig("log-bucket-ok", project="fixture-project", location="global",
                                bucket_id="audit", retention_days=400, locked=True)
