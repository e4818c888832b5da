"""A deliberately insecure landing zone: each resource is one classic mistake the guardrails must catch.

Never deploy this. `tests/policies/test_policy_cli.py` plans it with `lz plan` and expects a violation
on every resource named in INSECURE below.
"""

import json

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

ACCOUNT = "123456789012"
TAGS = {"team": "platform", "environment": "staging", "cost-center": "ml-research", "managed-by": "hand"}

# A bucket anyone on the internet can read.
aws.s3.Bucket("public-bucket", acl="public-read", tags=TAGS)

# A data volume written in plaintext.
aws.ebs.Volume("unencrypted-volume", availability_zone="us-east-1a", size=500, encrypted=False, tags=TAGS)

# Nodes whose metadata service answers IMDSv1 GETs (SSRF -> node credentials).
aws.ec2.LaunchTemplate("imdsv1-template", metadata_options={"http_tokens": "optional"},
                       block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"encrypted": "true"}}], tags=TAGS)

# SSH open to the world.
aws.ec2.SecurityGroup("open-ssh", vpc_id="vpc-0123456789abcdef0", description="ssh", tags=TAGS,
                      ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}])

# Administrator rights for whoever gets this policy.
aws.iam.Policy("admin-policy", tags=TAGS, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))

# A role with no permissions boundary.
aws.iam.Role("unbounded-role", tags=TAGS, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))

# A Kubernetes API endpoint reachable from the whole internet.
aws.eks.Cluster("public-cluster", role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks", tags=TAGS,
                vpc_config={"subnet_ids": ["subnet-0a", "subnet-0b"], "endpoint_public_access": True})

# An audit trail whose log files can be altered unnoticed.
aws.cloudtrail.Trail("unvalidated-trail", s3_bucket_name="audit-logs", is_multi_region_trail=True,
                     enable_log_file_validation=False, tags=TAGS)

# A key that never rotates.
aws.kms.Key("unrotated-key", enable_key_rotation=False, tags=TAGS)

# GPU nodes that are billed all night in a non-prod environment.
aws.eks.NodeGroup("always-on-gpus", cluster_name="public-cluster", node_role_arn=f"arn:aws:iam::{ACCOUNT}:role/nodes",
                  subnet_ids=["subnet-0a"], instance_types=["g6e.xlarge"],
                  scaling_config={"min_size": 2, "max_size": 4, "desired_size": 2},
                  taints=[{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}], tags=TAGS)

# --- issue 15: workloads, every resource-policy type, AI services ----------------------------------------------
# A notebook that runs privileged (the Kubernetes workload rules read every pod template).
k8s.apps.v1.Deployment("privileged-notebook", metadata={"name": "notebook", "namespace": "team-a"}, spec={
    "selector": {"match_labels": {"app": "notebook"}},
    "template": {"metadata": {"labels": {"app": "notebook"}}, "spec": {"containers": [{
        "name": "jupyter", "image": "quay.io/jupyter/pytorch-notebook:2024-05-27",
        "securityContext": {"privileged": True}}]}}})

# ... exposed to the internet through a LoadBalancer Service.
k8s.core.v1.Service("public-notebook-lb", metadata={"name": "notebook", "namespace": "team-a"},
                    spec={"type": "LoadBalancer", "selector": {"app": "notebook"}, "ports": [{"port": 443}]})

# A queue anyone can send to.
aws.sqs.QueuePolicy("public-queue-policy", queue_url=f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs",
                    policy=json.dumps({"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                         "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"}]}))

# A SageMaker notebook with its own route to the internet (the default).
aws.sagemaker.NotebookInstance("internet-notebook", instance_type="ml.t3.medium", root_access="Disabled",
                               role_arn=f"arn:aws:iam::{ACCOUNT}:role/sagemaker", tags=TAGS)

# A deploy role any GitHub repository's workflow can assume.
aws.iam.Role("any-repo-deploy-role", tags=TAGS,
             permissions_boundary=f"arn:aws:iam::{ACCOUNT}:policy/boundary",
             assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                 "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                 "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
                 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}]}))

# --- issue 15, round 2: GCP, network ACLs, account settings, more policy types ---------------------------------
# A GPU VM with an external IP, running as the default service account with every API scope.
gcp.compute.Instance("public-gpu-vm", machine_type="g2-standard-4", zone="us-central1-a",
                     boot_disk={"initialize_params": {"image": "debian-cloud/debian-12"}},
                     network_interfaces=[{"network": "default", "access_configs": [{}]}],
                     service_account={"scopes": ["cloud-platform"]},
                     metadata={"block-project-ssh-keys": "TRUE"})

# A VM whose serial console anyone with the project's SSH keys can reach, past every firewall rule.
gcp.compute.Instance("serial-console-vm", machine_type="e2-small", zone="us-central1-a",
                     boot_disk=gcp.compute.InstanceBootDiskArgs(
                         initialize_params=gcp.compute.InstanceBootDiskInitializeParamsArgs(image="debian-cloud/debian-12")),
                     network_interfaces=[gcp.compute.InstanceNetworkInterfaceArgs(network="default")],
                     metadata={"serial-port-enable": "TRUE", "block-project-ssh-keys": "TRUE"})

# A notebook VM with a public IP (the Workbench default).
gcp.workbench.Instance("public-workbench", location="us-central1-a", gce_setup={"machine_type": "n1-standard-4"})

# An image registry anyone on the internet can pull from.
gcp.artifactregistry.RepositoryIamMember("public-registry-reader", location="us-central1", repository="models",
                                         role="roles/artifactregistry.reader", member="allUsers")

# A cluster that still authorises with legacy ABAC.
gcp.container.Cluster("legacy-abac-cluster", location="us-central1", initial_node_count=1, enable_legacy_abac=True)

# A firewall rule with no source: the API fills in 0.0.0.0/0.
gcp.compute.Firewall("sourceless-firewall", network="default", direction="INGRESS",
                     allows=[{"protocol": "tcp", "ports": ["8888"]}])

# Everyone in the group may act as every service account of the project.
gcp.projects.IAMMember("project-sa-user-grant", project="insecure-project", role="roles/iam.serviceAccountUser",
                       member="group:ml-research@example.com")

# A BigQuery dataset every Google account can read.
gcp.bigquery.Dataset("public-dataset", dataset_id="eval_results", location="US", accesses=[
    {"role": "OWNER", "special_group": "projectOwners"}, {"role": "READER", "special_group": "allAuthenticatedUsers"}])

# SSH open to the world at the subnet boundary.
aws.ec2.NetworkAcl("open-admin-nacl", vpc_id="vpc-0123456789abcdef0", tags=TAGS, ingress=[
    {"protocol": "tcp", "rule_no": 100, "action": "allow", "cidr_block": "0.0.0.0/0", "from_port": 22, "to_port": 22}])

# The region's encryption-by-default switch turned off.
aws.ebs.EncryptionByDefault("ebs-default-off", enabled=False)

# An inline user policy with administrator rights.
aws.iam.UserPolicy("inline-admin-user-policy", user="ci-uploader", policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))

# A file system any principal may mount.
aws.efs.FileSystemPolicy("public-efs-policy", file_system_id="fs-0123456789abcdef0", policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                            "Action": "elasticfilesystem:ClientMount", "Resource": "*"}]}))

# A repository policy built with Output.apply that lets anyone pull.
repository_name = pulumi.Output.from_input("models")
aws.ecr.RepositoryPolicy("public-ecr-policy", repository=repository_name, policy=repository_name.apply(
    lambda name: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": f"PublicPull-{name}", "Effect": "Allow", "Principal": "*",
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]})))
