"""Resource type tokens, both generations where pulumi-aws renamed them (v6 `BucketV2` etc., v7)."""

S3_BUCKET = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_PUBLIC_ACCESS_BLOCK = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
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

SECURITY_GROUP = ("aws:ec2/securityGroup:SecurityGroup",)
SECURITY_GROUP_RULES = ("aws:ec2/securityGroupRule:SecurityGroupRule",
                        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
LAUNCH_TEMPLATE = ("aws:ec2/launchTemplate:LaunchTemplate",)
EC2_INSTANCE = ("aws:ec2/instance:Instance",)
NODE_GROUP = ("aws:eks/nodeGroup:NodeGroup",)
EKS_CLUSTER = ("aws:eks/cluster:Cluster",)
IAM_ROLE = ("aws:iam/role:Role",)
IAM_POLICY_DOCS = ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy")
KMS_KEY = ("aws:kms/key:Key",)
VPC = ("aws:ec2/vpc:Vpc",)
FLOW_LOG = ("aws:ec2/flowLog:FlowLog",)
TRAIL = ("aws:cloudtrail/trail:Trail",)
LOG_GROUP = ("aws:cloudwatch/logGroup:LogGroup",)
EFS = ("aws:efs/fileSystem:FileSystem",)
FSX_LUSTRE = ("aws:fsx/lustreFileSystem:LustreFileSystem",)
SUBNET = ("aws:ec2/subnet:Subnet",)

GKE_CLUSTER = ("gcp:container/cluster:Cluster",)
GKE_NODE_POOL = ("gcp:container/nodePool:NodePool",)
GCS_BUCKET = ("gcp:storage/bucket:Bucket",)
GCP_SUBNET = ("gcp:compute/subnetwork:Subnetwork",)
GCP_FIREWALL = ("gcp:compute/firewall:Firewall",)
GCP_KMS_KEY = ("gcp:kms/cryptoKey:CryptoKey",)

# Resource types that take `tags` and are billed or hold data: cost attribution must be visible.
AWS_TAGGABLE = (
    *S3_BUCKET, *VPC, *SUBNET, *SECURITY_GROUP, *LAUNCH_TEMPLATE, *NODE_GROUP, *EKS_CLUSTER, *IAM_ROLE,
    *KMS_KEY, *FLOW_LOG, *TRAIL, *LOG_GROUP, *EFS, *FSX_LUSTRE, *EC2_INSTANCE,
    "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip", "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/routeTable:RouteTable", "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:ec2/placementGroup:PlacementGroup",
)
GCP_LABELABLE = (*GKE_CLUSTER, *GCS_BUCKET, *GCP_KMS_KEY)
