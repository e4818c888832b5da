"""EKS clusters envelope-encrypt Kubernetes secrets with a KMS key."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import EKS_CLUSTER


def check(r: ResourceView):
    configs = [c for c in r.items("encryptionConfig") if isinstance(c, dict)]
    covered = any("secrets" in wire.strings(c, "resources") and wire.is_set(c, "provider", "keyArn")
                  for c in configs)
    if not covered:
        return NonCompliant(f"{r.title} does not encrypt Kubernetes secrets with KMS; set encryption_config with "
                            "resources ['secrets'] and provider.key_arn of a customer-managed key.")
    return Compliant()


RULE = ResourceRule(
    name="eks-secrets-encrypted",
    description="EKS clusters encrypt Kubernetes secrets with a KMS key (encryptionConfig for secrets).",
    resource_types=EKS_CLUSTER,
    controls=("FSBP EKS.3", "CKV_AWS_58", "pulumi aws-eks-cluster-enable-cluster-encryption-config"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
