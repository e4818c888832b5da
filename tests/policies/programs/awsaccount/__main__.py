"""Fixtures for the AWS rules of issue 15, round 2: network ACLs (inline and standalone entries, rule order),
the account password policy, EBS encryption by default, IAM user permissions, Secrets Manager rotation and
EFS access points; typed args, plain dicts and Output.apply-built documents."""

import pulumi
import pulumi_aws as aws
from common import ACCOUNT, TAGS, document, with_changes

# --- network ACLs --------------------------------------------------------------------------------------------
vpc = aws.ec2.Vpc("acct-vpc", cidr_block="10.0.0.0/16", tags=TAGS)
HTTPS_IN = {"protocol": "tcp", "rule_no": 100, "action": "allow", "cidr_block": "0.0.0.0/0", "from_port": 443,
            "to_port": 443}
aws.ec2.NetworkAcl("acct-nacl-https-only", vpc_id=vpc.id, tags=TAGS, ingress=[HTTPS_IN])
aws.ec2.NetworkAcl("acct-nacl-ssh-open", vpc_id=vpc.id, tags=TAGS, ingress=[
    HTTPS_IN, {**HTTPS_IN, "rule_no": 110, "from_port": 22, "to_port": 22}])
# Allow-all from the internet, but a lower-numbered entry denies the admin ports first.
aws.ec2.NetworkAcl("acct-nacl-deny-first", vpc_id=vpc.id, tags=TAGS, ingress=[
    aws.ec2.NetworkAclIngressArgs(protocol="tcp", rule_no=10, action="deny", cidr_block="0.0.0.0/0", from_port=22,
                                  to_port=22),
    aws.ec2.NetworkAclIngressArgs(protocol="tcp", rule_no=20, action="deny", cidr_block="0.0.0.0/0", from_port=3389,
                                  to_port=3389),
    aws.ec2.NetworkAclIngressArgs(protocol="-1", rule_no=100, action="allow", cidr_block="0.0.0.0/0", from_port=0,
                                  to_port=0)])
# Standalone entries on an ACL with no inline ingress: the all-traffic rule opens 3389 over IPv6.
standalone = aws.ec2.NetworkAcl("acct-nacl-standalone", vpc_id=vpc.id, tags=TAGS)
aws.ec2.NetworkAclRule("acct-nacl-rule-all-v6", network_acl_id=standalone.id, rule_number=200, egress=False,
                       protocol="-1", rule_action="allow", ipv6_cidr_block="::/0")
aws.ec2.NetworkAclRule("acct-nacl-rule-vpn", network_acl_id=standalone.id, rule_number=100, egress=False,
                       protocol="tcp", rule_action="allow", cidr_block="10.8.0.0/16", from_port=22, to_port=22)
aws.ec2.NetworkAclRule("acct-nacl-rule-egress", network_acl_id=standalone.id, rule_number=100, egress=True,
                       protocol="-1", rule_action="allow", cidr_block="0.0.0.0/0")

# --- account password policy ---------------------------------------------------------------------------------
aws.iam.AccountPasswordPolicy("acct-password-cis", minimum_password_length=14, password_reuse_prevention=24,
                              require_symbols=True, require_numbers=True)
aws.iam.AccountPasswordPolicy("acct-password-weak", minimum_password_length=8, require_symbols=True)

# --- EBS encryption by default -------------------------------------------------------------------------------
aws.ebs.EncryptionByDefault("acct-ebs-default-on", enabled=True)
aws.ebs.EncryptionByDefault("acct-ebs-default-off", enabled=False)

# --- IAM users -----------------------------------------------------------------------------------------------
user = aws.iam.User("acct-user-ci", name="ci-uploader", tags=TAGS)
group = aws.iam.Group("acct-group-uploaders", name="uploaders")
READ = document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::datasets/*"})
aws.iam.UserPolicy("acct-user-inline", user=user.name,
                   policy=user.name.apply(lambda name: document({"Effect": "Allow", "Action": "s3:PutObject",
                                                                 "Resource": f"arn:aws:s3:::artifacts/{name}/*"})))
aws.iam.UserPolicyAttachment("acct-user-managed", user=user.name,
                             policy_arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
aws.iam.PolicyAttachment("acct-attach-users", policy_arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                         users=[user.name])
aws.iam.PolicyAttachment("acct-attach-groups", policy_arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                         groups=[group.name])
aws.iam.PolicyAttachment("acct-attach-roles", policy_arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                         roles=["sagemaker-execution"])
aws.iam.GroupPolicy("acct-group-inline", group=group.name, policy=READ)

# --- Secrets Manager rotation --------------------------------------------------------------------------------
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1"
ROTATOR = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:rotate-db"
rotated = aws.secretsmanager.Secret("acct-secret-rotated", name="db-password", kms_key_id=KEY, tags=TAGS)
aws.secretsmanager.SecretRotation("acct-rotation", secret_id=rotated.id, rotation_lambda_arn=ROTATOR,
                                  rotation_rules={"automatically_after_days": 30})
aws.secretsmanager.Secret("acct-secret-unrotated", name="hf-token", kms_key_id=KEY, tags=TAGS)
# Matched by literal name, rotation turned off.
aws.secretsmanager.Secret("acct-secret-by-name", name="wandb-key", kms_key_id=KEY, tags=TAGS)
aws.secretsmanager.SecretRotation("acct-rotation-off", secret_id="wandb-key", rotation_enabled=False,
                                  rotation_lambda_arn=ROTATOR, rotation_rules={"automatically_after_days": 30})

# --- EFS access points ---------------------------------------------------------------------------------------
efs = aws.efs.FileSystem("acct-efs", encrypted=True, kms_key_id=KEY, tags=TAGS)
ACCESS_POINT = {"file_system_id": efs.id, "tags": TAGS, "posix_user": {"uid": 1000, "gid": 1000},
                "root_directory": {"path": "/teams/research", "creation_info": {
                    "owner_uid": 1000, "owner_gid": 1000, "permissions": "750"}}}
aws.efs.AccessPoint("acct-ap-ok", **ACCESS_POINT)
aws.efs.AccessPoint("acct-ap-root", **with_changes(ACCESS_POINT, root_directory={"path": "/"}))
aws.efs.AccessPoint("acct-ap-no-user", **with_changes(ACCESS_POINT, posix_user=None))
aws.efs.AccessPoint("acct-ap-bare", file_system_id=efs.id, tags=TAGS)

pulumi.export("vpc", vpc.id)
