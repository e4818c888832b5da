"""A deliberately insecure landing zone: each resource is one classic mistake the guardrails must catch.

Never deploy this. `tests/policies/test_policy_cli.py` plans it with `lz plan` and expects a violation
on every resource named in INSECURE below.
"""

import json

import pulumi_aws as aws
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
