"""Fixtures for the identity rules (planned as a dev stack; deliberately without a CloudTrail trail)."""

import pulumi_aws as aws
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s
from common import (
    LABELS,
    TAGS,
    document,
    eks_cluster,
    gke_cluster,
    key_policy,
    service_trust,
    with_changes,
)

# --- the boundary: a ceiling written with service-level wildcards (not a grant) ----------------------------
boundary = aws.iam.Policy("id-boundary", tags=TAGS, policy=document(
    {"Sid": "Ceiling", "Effect": "Allow", "Action": ["s3:*", "ec2:*", "eks:*"], "Resource": "*"},
    {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"}))

# --- roles ---------------------------------------------------------------------------------------------
ROLE = {"assume_role_policy": service_trust("ec2.amazonaws.com"), "permissions_boundary": boundary.arn, "tags": TAGS}
role = aws.iam.Role("id-role-ok", **ROLE)
aws.iam.Role("id-role-unbounded", **with_changes(ROLE, permissions_boundary=None))
aws.iam.Role("id-role-public-trust", **with_changes(ROLE, assume_role_policy=document(
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})))
aws.iam.Role("id-role-org-trust", **with_changes(ROLE, assume_role_policy=document(
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}})))
aws.iam.Role("id-role-inline-admin", **with_changes(ROLE, inline_policies=[
    {"name": "everything", "policy": document({"Effect": "Allow", "Action": "*", "Resource": "*"})}]))

# --- policies and attachments ---------------------------------------------------------------------------
READ = {"Sid": "ReadDatasets", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": ["arn:aws:s3:::datasets", "arn:aws:s3:::datasets/*"]}
aws.iam.Policy("id-policy-ok", policy=document(READ), tags=TAGS)
aws.iam.Policy("id-policy-admin", policy=document({**READ, "Sid": "Admin", "Action": "*", "Resource": "*"}),
               tags=TAGS)
aws.iam.Policy("id-policy-s3-star", policy=document({**READ, "Sid": "AllOfS3", "Action": "s3:*"}), tags=TAGS)
aws.iam.RolePolicyAttachment("id-attach-ok", role=role.name,
                             policy_arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
aws.iam.RolePolicyAttachment("id-attach-admin", role=role.name,
                             policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")

# --- key policies ----------------------------------------------------------------------------------------
KEY = {"enable_key_rotation": True, "policy": key_policy(), "tags": TAGS}
aws.kms.Key("id-key-ok", **KEY)
aws.kms.Key("id-key-public", **with_changes(KEY, policy=document(
    {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"})))
aws.kms.Key("id-key-default-policy", **with_changes(KEY, policy=None))

# --- EKS authentication ------------------------------------------------------------------------------------
EKS = eks_cluster()
aws.eks.Cluster("id-eks-api", **EKS)
aws.eks.Cluster("id-eks-configmap", **with_changes(EKS, access_config={"authentication_mode": "CONFIG_MAP"}))

# --- GCP IAM --------------------------------------------------------------------------------------------------
MEMBER = {"project": "fixture-project", "role": "roles/container.developer", "member": "group:ml-research@example.com"}
gcp.projects.IAMMember("id-project-ok", **MEMBER)
gcp.projects.IAMMember("id-project-editor", **with_changes(MEMBER, role="roles/editor"))
gcp.storage.BucketIAMMember("id-bucket-viewer", bucket="datasets", role="roles/storage.objectViewer",
                            member="group:ml-research@example.com")
gcp.projects.IAMPolicy("id-project-policy-owner", project="fixture-project", policy_data=(
    '{"bindings": [{"role": "roles/owner", "members": ["user:admin@example.com"]}]}'))
account = gcp.serviceaccount.Account("id-sa", account_id="trainer", display_name="trainer")
gcp.serviceaccount.Key("id-sa-key", service_account_id=account.name)

# --- GKE identity -----------------------------------------------------------------------------------------
GKE = gke_cluster()
gke = gcp.container.Cluster("id-gke-ok", **GKE)
gcp.container.Cluster("id-gke-no-workload-identity", **with_changes(GKE, workload_identity_config=None))
gcp.container.Cluster("id-gke-autopilot", location="us-central1", enable_autopilot=True, resource_labels=LABELS,
                      private_cluster_config={"enable_private_nodes": True, "enable_private_endpoint": True})
gcp.container.Cluster("id-gke-default-pool", **with_changes(GKE, remove_default_node_pool=False, node_config={
    "machine_type": "e2-standard-4", "workload_metadata_config": {"mode": "GKE_METADATA"},
    "shielded_instance_config": {"enable_secure_boot": True}}))
POOL = {"cluster": gke.id, "location": "us-central1", "node_count": 1,
        "node_config": {"machine_type": "n2-standard-8", "service_account": "nodes@fixture-project.iam.gserviceaccount.com",
                        "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
                        "workload_metadata_config": {"mode": "GKE_METADATA"}, "resource_labels": LABELS}}
gcp.container.NodePool("id-pool-ok", **POOL)
gcp.container.NodePool("id-pool-default-sa", **with_changes(POOL, node_config={
    **POOL["node_config"], "service_account": "123456789012-compute@developer.gserviceaccount.com"}))

# --- Kubernetes RBAC --------------------------------------------------------------------------------------
READ_PODS = [{"api_groups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}]
k8s.rbac.v1.Role("id-role-reader", metadata={"name": "reader", "namespace": "team-a"}, rules=READ_PODS)
k8s.rbac.v1.Role("id-role-wildcard", metadata={"name": "wildcard", "namespace": "team-a"},
                 rules=[{**READ_PODS[0], "verbs": ["*"]}])
k8s.rbac.v1.ClusterRole("id-cr-escalate", metadata={"name": "role-admin"},
                        rules=[{"api_groups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"],
                                "verbs": ["get", "list", "bind", "escalate"]}])
k8s.rbac.v1.ClusterRole("id-cr-aggregated", metadata={"name": "team-view"}, aggregation_rule={
    "cluster_role_selectors": [{"match_labels": {"rbac.example.com/aggregate-to-team-view": "true"}}]})
SUBJECTS = [{"kind": "Group", "name": "ml-research", "api_group": "rbac.authorization.k8s.io"}]
k8s.rbac.v1.RoleBinding("id-rb-ok", metadata={"name": "readers", "namespace": "team-a"}, subjects=SUBJECTS,
                        role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"})
k8s.rbac.v1.ClusterRoleBinding("id-crb-admin", metadata={"name": "research-admin"}, subjects=SUBJECTS,
                               role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                         "name": "cluster-admin"})
