"""Fixtures for the exposure rules (planned as a dev stack)."""

import pulumi_aws as aws
import pulumi_gcp as gcp
from common import LABELS, TAGS, eks_cluster, gke_cluster, with_changes

vpc = aws.ec2.Vpc("exp-vpc", cidr_block="10.0.0.0/16", tags=TAGS)

# --- security groups --------------------------------------------------------------------------------
SG = {"vpc_id": vpc.id, "description": "nodes",
      "ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/16"],
                   "description": "ssh from the VPC"}],
      "tags": TAGS}
sg = aws.ec2.SecurityGroup("exp-sg-ok", **SG)
aws.ec2.SecurityGroup("exp-sg-open-ssh", **with_changes(SG, ingress=[
    {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"], "description": "ssh"}]))
aws.ec2.SecurityGroupRule("exp-sg-egress", type="egress", security_group_id=sg.id, protocol="-1", from_port=0,
                          to_port=0, cidr_blocks=["0.0.0.0/0"])
aws.vpc.SecurityGroupIngressRule("exp-ingress-ipv6-open", security_group_id=sg.id, ip_protocol="tcp", from_port=443,
                                 to_port=443, cidr_ipv6="::/0")

# --- S3: public-access blocks, ACLs, ownership ----------------------------------------------------------
PAB = {"block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True,
       "restrict_public_buckets": True}
bucket_ok = aws.s3.Bucket("exp-bucket-ok", tags=TAGS)
aws.s3.BucketPublicAccessBlock("exp-pab-ok", bucket=bucket_ok.id, **PAB)
aws.s3.BucketOwnershipControls("exp-own-ok", bucket=bucket_ok.id, rule={"object_ownership": "BucketOwnerEnforced"})
bucket_partial = aws.s3.Bucket("exp-bucket-partial", tags=TAGS)
aws.s3.BucketPublicAccessBlock("exp-pab-partial", bucket=bucket_partial.id,
                               **with_changes(PAB, restrict_public_buckets=False))
aws.s3.Bucket("exp-bucket-nopab", tags=TAGS)

bucket_acl = aws.s3.Bucket("exp-bucket-acl", tags=TAGS)
aws.s3.BucketPublicAccessBlock("exp-pab-acl", bucket=bucket_acl.id, **PAB)
aws.s3.BucketOwnershipControls("exp-own-preferred", bucket=bucket_acl.id,
                               rule={"object_ownership": "BucketOwnerPreferred"})
aws.s3.BucketAcl("exp-acl-private", bucket=bucket_acl.id, acl="private")
aws.s3.BucketAcl("exp-acl-public", bucket=bucket_acl.id, acl="public-read")
aws.s3.BucketAclV2("exp-acl-v6-all-users", bucket=bucket_acl.id, access_control_policy={
    "owner": {"id": "owner-canonical-id"},
    "grants": [{"permission": "READ",
                "grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}]})

# --- network placement: subnets and launch-template interfaces -------------------------------------------------
SUBNET = {"vpc_id": vpc.id, "cidr_block": "10.0.0.0/20", "availability_zone": "us-east-1a",
          "map_public_ip_on_launch": False, "tags": TAGS}
aws.ec2.Subnet("exp-subnet-ok", **SUBNET)
aws.ec2.Subnet("exp-subnet-public", **with_changes(SUBNET, cidr_block="10.0.16.0/20", map_public_ip_on_launch=True))
LT = {"metadata_options": {"http_tokens": "required", "http_put_response_hop_limit": 1},
      "network_interfaces": [{"device_index": 0, "associate_public_ip_address": "false", "security_groups": [sg.id]}],
      "tags": TAGS}
aws.ec2.LaunchTemplate("exp-lt-ok", **LT)
aws.ec2.LaunchTemplate("exp-lt-public", **with_changes(LT, network_interfaces=[
    {"device_index": 0, "associate_public_ip_address": "true", "security_groups": [sg.id]}]))
aws.ec2.LaunchTemplate("exp-lt-no-interfaces", **with_changes(LT, network_interfaces=None))

# --- cluster API endpoints ------------------------------------------------------------------------------
EKS = eks_cluster()
aws.eks.Cluster("exp-eks-private", **EKS)
aws.eks.Cluster("exp-eks-restricted", **with_changes(EKS, vpc_config={
    "subnet_ids": ["subnet-0a", "subnet-0b"], "endpoint_private_access": True, "endpoint_public_access": True,
    "public_access_cidrs": ["198.51.100.0/24"]}))
aws.eks.Cluster("exp-eks-open", **with_changes(EKS, vpc_config={
    "subnet_ids": ["subnet-0a", "subnet-0b"], "endpoint_private_access": True, "endpoint_public_access": True}))

GKE = gke_cluster()
gke = gcp.container.Cluster("exp-gke-private", **GKE)
gcp.container.Cluster("exp-gke-authorized", **with_changes(
    GKE, private_cluster_config={"enable_private_nodes": True, "enable_private_endpoint": False,
                                 "master_ipv4_cidr_block": "172.16.0.16/28"},
    master_authorized_networks_config={"cidr_blocks": [{"cidr_block": "198.51.100.0/24", "display_name": "vpn"}]}))
gcp.container.Cluster("exp-gke-open", **with_changes(
    GKE, private_cluster_config={"enable_private_nodes": True, "enable_private_endpoint": False,
                                 "master_ipv4_cidr_block": "172.16.0.32/28"}))
gcp.container.Cluster("exp-gke-public-nodes", **with_changes(
    GKE, private_cluster_config={"enable_private_nodes": False, "enable_private_endpoint": True,
                                 "master_ipv4_cidr_block": "172.16.0.48/28"}))
POOL = {"cluster": gke.id, "location": "us-central1", "node_count": 1,
        "node_config": {"machine_type": "n2-standard-8", "service_account": "nodes@fixture-project.iam.gserviceaccount.com",
                        "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
                        "workload_metadata_config": {"mode": "GKE_METADATA"}, "resource_labels": LABELS}}
gcp.container.NodePool("exp-pool-inherit", **POOL)
gcp.container.NodePool("exp-pool-public", **with_changes(POOL, network_config={"enable_private_nodes": False}))

# --- Cloud Storage and IAM on it ----------------------------------------------------------------------------
GCS = {"location": "US-CENTRAL1", "uniform_bucket_level_access": True, "public_access_prevention": "enforced",
       "labels": LABELS}
gcs = gcp.storage.Bucket("exp-gcs-ok", **GCS)
gcp.storage.Bucket("exp-gcs-inherited", **with_changes(GCS, public_access_prevention="inherited"))
gcp.storage.Bucket("exp-gcs-object-acls", **with_changes(GCS, uniform_bucket_level_access=False))
gcp.storage.BucketIAMMember("exp-gcs-member-ok", bucket=gcs.name, role="roles/storage.objectViewer",
                            member="group:ml-research@example.com")
gcp.storage.BucketIAMMember("exp-gcs-member-public", bucket=gcs.name, role="roles/storage.objectViewer",
                            member="allUsers")
gcp.projects.IAMBinding("exp-project-binding-public", project="fixture-project", role="roles/storage.objectViewer",
                        members=["group:ml-research@example.com", "allAuthenticatedUsers"])

# --- firewall ----------------------------------------------------------------------------------------------
FIREWALL = {"network": "default-vpc", "direction": "INGRESS", "source_ranges": ["10.0.0.0/8"],
            "allows": [{"protocol": "tcp", "ports": ["22"]}]}
gcp.compute.Firewall("exp-fw-ok", **FIREWALL)
gcp.compute.Firewall("exp-fw-open", **with_changes(FIREWALL, source_ranges=["0.0.0.0/0"]))
# No source at all: the API fills in 0.0.0.0/0 (rules/exposure/gcp_firewall_no_public_ingress.py).
gcp.compute.Firewall("exp-fw-no-source", **with_changes(FIREWALL, source_ranges=None))
gcp.compute.Firewall("exp-fw-empty-ranges", **with_changes(FIREWALL, source_ranges=[]))
gcp.compute.Firewall("exp-fw-tags-only", **with_changes(FIREWALL, source_ranges=None, source_tags=["bastion"]))
gcp.compute.Firewall("exp-fw-egress", **with_changes(FIREWALL, direction="EGRESS", source_ranges=None,
                                                     destination_ranges=["0.0.0.0/0"]))

# --- default security groups: managed with no rules, or left with AWS's own ------------------------------
aws.ec2.DefaultSecurityGroup("exp-default-sg-closed", vpc_id=vpc.id, ingress=[], egress=[], tags=TAGS)
other_vpc = aws.ec2.Vpc("exp-vpc-other", cidr_block="10.1.0.0/16", tags=TAGS)
aws.ec2.DefaultSecurityGroup("exp-default-sg-open", vpc_id=other_vpc.id, tags=TAGS, egress=[],
                             ingress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "self": True}])
