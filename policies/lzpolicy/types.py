"""Resource type tokens, both generations where pulumi-aws renamed them.

pulumi-aws v7 renamed the S3 resources: v6 `aws:s3/bucketV2:BucketV2` is v7 `aws:s3/bucket:Bucket`,
v6 `...V2` configuration resources lost their suffix. (v6's own `aws:s3/bucket:Bucket` was the legacy
bucket with inline configuration; its token equals v7's bucket, so both are judged as buckets.)
v7 still ships the `...V2` classes as deprecated aliases, so both generations can appear in a plan.
"""

# --- AWS: S3 --------------------------------------------------------------------------------------
S3_BUCKET = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_PUBLIC_ACCESS_BLOCK = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
S3_ACCOUNT_PUBLIC_ACCESS_BLOCK = ("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",)
S3_SSE = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
S3_VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
S3_LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
S3_LIFECYCLE = ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2")
S3_POLICY = ("aws:s3/bucketPolicy:BucketPolicy",)
S3_OWNERSHIP = ("aws:s3/bucketOwnershipControls:BucketOwnershipControls",)
S3_ACL = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
S3_OBJECT_LOCK = ("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
                  "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2")

# --- AWS: network and compute ---------------------------------------------------------------------
VPC = ("aws:ec2/vpc:Vpc",)
SUBNET = ("aws:ec2/subnet:Subnet",)
FLOW_LOG = ("aws:ec2/flowLog:FlowLog",)
SECURITY_GROUP = ("aws:ec2/securityGroup:SecurityGroup",)
DEFAULT_SECURITY_GROUP = ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",)
SECURITY_GROUP_RULES = ("aws:ec2/securityGroupRule:SecurityGroupRule",
                        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
LAUNCH_TEMPLATE = ("aws:ec2/launchTemplate:LaunchTemplate",)
PLACEMENT_GROUP = ("aws:ec2/placementGroup:PlacementGroup",)
EC2_INSTANCE = ("aws:ec2/instance:Instance",)
EBS_VOLUME = ("aws:ebs/volume:Volume",)

# --- AWS: EKS -------------------------------------------------------------------------------------
NODE_GROUP = ("aws:eks/nodeGroup:NodeGroup",)
SERVICE_QUOTA = ("aws:servicequotas/serviceQuota:ServiceQuota",)
EKS_CLUSTER = ("aws:eks/cluster:Cluster",)

# --- AWS: identity and keys -----------------------------------------------------------------------
IAM_ROLE = ("aws:iam/role:Role",)
IAM_POLICY_DOCS = ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy",
                   "aws:iam/groupPolicy:GroupPolicy")
IAM_POLICY_ATTACHMENTS = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                          "aws:iam/userPolicyAttachment:UserPolicyAttachment",
                          "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
                          "aws:iam/policyAttachment:PolicyAttachment")
KMS_KEY = ("aws:kms/key:Key",)
KMS_KEY_POLICY = ("aws:kms/keyPolicy:KeyPolicy",)

# --- AWS: logging and storage ---------------------------------------------------------------------
TRAIL = ("aws:cloudtrail/trail:Trail",)
LOG_GROUP = ("aws:cloudwatch/logGroup:LogGroup",)
EFS = ("aws:efs/fileSystem:FileSystem",)
FSX_LUSTRE = ("aws:fsx/lustreFileSystem:LustreFileSystem",)

# --- GCP ------------------------------------------------------------------------------------------
GKE_CLUSTER = ("gcp:container/cluster:Cluster",)
GKE_NODE_POOL = ("gcp:container/nodePool:NodePool",)
QUOTA_PREFERENCE = ("gcp:cloudquota/sQuotaPreference:SQuotaPreference",)
GCS_BUCKET = ("gcp:storage/bucket:Bucket",)
GCP_NETWORK = ("gcp:compute/network:Network",)
GCP_SUBNET = ("gcp:compute/subnetwork:Subnetwork",)
GCP_FIREWALL = ("gcp:compute/firewall:Firewall",)
GCP_KMS_KEY = ("gcp:kms/cryptoKey:CryptoKey",)
GCP_FILESTORE = ("gcp:filestore/instance:Instance",)
GCP_SA_KEY = ("gcp:serviceaccount/key:Key",)
GCP_AUDIT_CONFIG = ("gcp:projects/iAMAuditConfig:IAMAuditConfig", "gcp:folder/iamAuditConfig:IamAuditConfig",
                    "gcp:organizations/iamAuditConfig:IamAuditConfig")
GCP_LOG_SINK = ("gcp:logging/projectSink:ProjectSink", "gcp:logging/folderSink:FolderSink",
                "gcp:logging/organizationSink:OrganizationSink")
GCP_LOG_BUCKET = ("gcp:logging/projectBucketConfig:ProjectBucketConfig",)

# IAM grants on the resource hierarchy (project, folder, organisation): where primitive roles matter.
GCP_HIERARCHY_IAM_MEMBER = ("gcp:projects/iAMMember:IAMMember", "gcp:folder/iAMMember:IAMMember",
                            "gcp:organizations/iAMMember:IAMMember")
GCP_HIERARCHY_IAM_BINDING = ("gcp:projects/iAMBinding:IAMBinding", "gcp:folder/iAMBinding:IAMBinding",
                             "gcp:organizations/iAMBinding:IAMBinding")
GCP_HIERARCHY_IAM_POLICY = ("gcp:projects/iAMPolicy:IAMPolicy", "gcp:folder/iAMPolicy:IAMPolicy",
                            "gcp:organizations/iAMPolicy:IAMPolicy")
# IAM grants on resources a landing zone or a team creates: buckets, keys, service accounts, registries,
# secrets, BigQuery datasets.
GCP_RESOURCE_IAM_MEMBER = ("gcp:storage/bucketIAMMember:BucketIAMMember",
                           "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "gcp:kms/keyRingIAMMember:KeyRingIAMMember",
                           "gcp:serviceaccount/iAMMember:IAMMember",
                           "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
                           "gcp:secretmanager/secretIamMember:SecretIamMember",
                           "gcp:bigquery/datasetIamMember:DatasetIamMember")
GCP_RESOURCE_IAM_BINDING = ("gcp:storage/bucketIAMBinding:BucketIAMBinding",
                            "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding",
                            "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding",
                            "gcp:serviceaccount/iAMBinding:IAMBinding",
                            "gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding",
                            "gcp:secretmanager/secretIamBinding:SecretIamBinding",
                            "gcp:bigquery/datasetIamBinding:DatasetIamBinding")
GCP_RESOURCE_IAM_POLICY = ("gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
                           "gcp:kms/cryptoKeyIAMPolicy:CryptoKeyIAMPolicy", "gcp:kms/keyRingIAMPolicy:KeyRingIAMPolicy",
                           "gcp:serviceaccount/iAMPolicy:IAMPolicy",
                           "gcp:artifactregistry/repositoryIamPolicy:RepositoryIamPolicy",
                           "gcp:secretmanager/secretIamPolicy:SecretIamPolicy",
                           "gcp:bigquery/datasetIamPolicy:DatasetIamPolicy")
GCP_IAM_MEMBER = GCP_HIERARCHY_IAM_MEMBER + GCP_RESOURCE_IAM_MEMBER
GCP_IAM_BINDING = GCP_HIERARCHY_IAM_BINDING + GCP_RESOURCE_IAM_BINDING
GCP_IAM_POLICY = GCP_HIERARCHY_IAM_POLICY + GCP_RESOURCE_IAM_POLICY

# --- Kubernetes -----------------------------------------------------------------------------------
K8S_NAMESPACE = ("kubernetes:core/v1:Namespace",)
K8S_SERVICE_ACCOUNT = ("kubernetes:core/v1:ServiceAccount",)
K8S_NETWORK_POLICY = ("kubernetes:networking.k8s.io/v1:NetworkPolicy",)
K8S_RESOURCE_QUOTA = ("kubernetes:core/v1:ResourceQuota",)
K8S_ROLES = ("kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")
K8S_BINDINGS = ("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
K8S_DAEMONSET = ("kubernetes:apps/v1:DaemonSet",)
K8S_VAP = ("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",)
K8S_VAP_BINDING = ("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",)

# Resource types that take `tags` and are billed or hold data: cost attribution must be visible.
AWS_TAGGABLE = (
    *S3_BUCKET, *VPC, *SUBNET, *SECURITY_GROUP, *LAUNCH_TEMPLATE, *NODE_GROUP, *EKS_CLUSTER, *IAM_ROLE,
    *KMS_KEY, *FLOW_LOG, *TRAIL, *LOG_GROUP, *EFS, *FSX_LUSTRE, *EC2_INSTANCE, *EBS_VOLUME, *PLACEMENT_GROUP,
    "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip", "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/routeTable:RouteTable", "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:iam/policy:Policy",
)
# GCP resources whose `labels` reach the billing export. GKE clusters take `resourceLabels`; node pools
# label their VMs through `nodeConfig.resourceLabels` (see rules/tagging/gcp_cost_labels.py).
GCP_LABELABLE = (*GKE_CLUSTER, *GKE_NODE_POOL, *GCS_BUCKET, *GCP_KMS_KEY, *GCP_FILESTORE)

# Resources that hold data or are expensive to rebuild: `protect` them in prod.
STATEFUL = (
    *S3_BUCKET, *EFS, *FSX_LUSTRE, *EBS_VOLUME, *KMS_KEY, *LOG_GROUP, *EKS_CLUSTER,
    *GCS_BUCKET, *GCP_KMS_KEY, "gcp:kms/keyRing:KeyRing", *GCP_FILESTORE, *GKE_CLUSTER,
)

GCP_ORG_POLICY = ("gcp:orgpolicy/policy:Policy",)

# --- AWS: resource policies (issue 15) ------------------------------------------------------------
# Every resource whose input is a resource policy with a `Principal` (pulumi-aws 7.x input names in
# lzpolicy.policydoc.RESOURCE_POLICY_INPUTS), and Lambda permissions, whose principal is an argument.
ECR_REPOSITORY_POLICY = ("aws:ecr/repositoryPolicy:RepositoryPolicy",)
ECR_REGISTRY_POLICY = ("aws:ecr/registryPolicy:RegistryPolicy",)
SQS_QUEUE = ("aws:sqs/queue:Queue",)
SQS_QUEUE_POLICY = ("aws:sqs/queuePolicy:QueuePolicy",)
SNS_TOPIC = ("aws:sns/topic:Topic",)
SNS_TOPIC_POLICY = ("aws:sns/topicPolicy:TopicPolicy",)
EFS_POLICY = ("aws:efs/fileSystemPolicy:FileSystemPolicy",)
SECRET = ("aws:secretsmanager/secret:Secret",)
SECRET_POLICY = ("aws:secretsmanager/secretPolicy:SecretPolicy",)
BACKUP_VAULT_POLICY = ("aws:backup/vaultPolicy:VaultPolicy",)
OPENSEARCH_DOMAIN_POLICY = ("aws:opensearch/domainPolicy:DomainPolicy",)
GLACIER_VAULT = ("aws:glacier/vault:Vault",)
LOG_RESOURCE_POLICY = ("aws:cloudwatch/logResourcePolicy:LogResourcePolicy",)
LAMBDA_PERMISSION = ("aws:lambda/permission:Permission",)

# --- AWS: AI and adjacent services (issue 15) -----------------------------------------------------
SAGEMAKER_NOTEBOOK = ("aws:sagemaker/notebookInstance:NotebookInstance",)
ECR_REPOSITORY = ("aws:ecr/repository:Repository",)
ECR_REGISTRY_SCANNING = ("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",)

# --- issue 15, round 2: AWS account settings, network ACLs, users, secrets, EFS access points ------
NETWORK_ACL = ("aws:ec2/networkAcl:NetworkAcl", "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl")
NETWORK_ACL_RULE = ("aws:ec2/networkAclRule:NetworkAclRule",)
ACCOUNT_PASSWORD_POLICY = ("aws:iam/accountPasswordPolicy:AccountPasswordPolicy",)
EBS_ENCRYPTION_BY_DEFAULT = ("aws:ebs/encryptionByDefault:EncryptionByDefault",)
IAM_USER_POLICY = ("aws:iam/userPolicy:UserPolicy", "aws:iam/userPoliciesExclusive:UserPoliciesExclusive")
IAM_USER_POLICY_ATTACHMENT = ("aws:iam/userPolicyAttachment:UserPolicyAttachment",
                              "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive")
IAM_POLICY_ATTACHMENT = ("aws:iam/policyAttachment:PolicyAttachment",)
SECRET_ROTATION = ("aws:secretsmanager/secretRotation:SecretRotation",)
EFS_ACCESS_POINT = ("aws:efs/accessPoint:AccessPoint",)

# --- issue 15, round 2: GCP Compute Engine, Vertex AI Workbench, Artifact Registry, BigQuery -------
# Resources whose inputs describe a VM: metadata, network interfaces, service account (pulumi-gcp 10.x
# `compute.Instance`, `InstanceTemplate`, `RegionInstanceTemplate`, `InstanceFromTemplate`).
GCE_INSTANCE = ("gcp:compute/instance:Instance", "gcp:compute/instanceTemplate:InstanceTemplate",
                "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate",
                "gcp:compute/instanceFromTemplate:InstanceFromTemplate")
# Project-wide metadata, which every VM of the project inherits unless its own metadata overrides it.
GCE_PROJECT_METADATA = ("gcp:compute/projectMetadata:ProjectMetadata", "gcp:compute/projectMetadataItem:ProjectMetadataItem")
WORKBENCH_INSTANCE = ("gcp:workbench/instance:Instance",)
ARTIFACT_REGISTRY_REPOSITORY = ("gcp:artifactregistry/repository:Repository",)
BIGQUERY_DATASET = ("gcp:bigquery/dataset:Dataset",)
BIGQUERY_DATASET_ACCESS = ("gcp:bigquery/datasetAccess:DatasetAccess",)
