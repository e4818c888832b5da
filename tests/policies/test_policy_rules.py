"""Every guardrail, through the real pack over gRPC: a compliant, a non-compliant and a not-applicable case.

The fixtures live in `programs/<plan>/__main__.py`; each non-compliant resource is its compliant twin
with one argument changed. Verdicts:

- "violation": the plan reports exactly this rule against exactly this resource's URN;
- "compliant": the rule judged the resource (the pack did not answer not-applicable for it) and
  reported nothing against it. For a stack rule, which judges the stack as a whole, it means the
  rule reported nothing against the resource;
- "n/a": the pack answered not-applicable for the resource, with a reason. A stack rule answers for
  the stack as a whole: its case names `<stack>` in a plan that holds nothing the rule judges.
"""

from __future__ import annotations

import re

import pytest
from policy_harness import PLANS, STACK_NAME, fixture_plan

from lz.engine.analyzer import ENFORCEMENT_BY_NAME

V, C, NA = "violation", "compliant", "n/a"

CASES: list[tuple[str, str, str, str]] = [
    # --- tagging -------------------------------------------------------------------------------------------
    ("cost-attribution-tags", "keys", "keys-aws-ok", C),
    ("cost-attribution-tags", "keys", "keys-aws-untagged", V),
    ("cost-attribution-tags", "keys", "keys-aws-alias", NA),
    ("gcp-cost-labels", "keys", "keys-gcp-ok", C),
    ("gcp-cost-labels", "keys", "keys-gcp-unlabelled", V),
    ("gcp-cost-labels", "keys", "keys-ring", NA),
    # --- encryption ----------------------------------------------------------------------------------------
    ("s3-bucket-kms-encryption", "encryption", "enc-sse-ok", C),
    ("s3-bucket-kms-encryption", "encryption", "enc-sse-v6", C),
    ("s3-bucket-kms-encryption", "encryption", "enc-sse-aes", V),
    ("s3-bucket-kms-encryption", "encryption", "enc-sse-v6-aes", V),
    ("s3-bucket-kms-encryption", "encryption", "enc-bucket-ok", NA),
    ("s3-bucket-encryption-configured", "encryption", "enc-bucket-ok", C),
    ("s3-bucket-encryption-configured", "encryption", "enc-bucket-v6", C),
    ("s3-bucket-encryption-configured", "encryption", "enc-bucket-bare", V),
    ("s3-bucket-encryption-configured", "encryption", "enc-bucket-v6-bare", V),
    ("s3-bucket-encryption-configured", "kubernetes", STACK_NAME, NA),
    ("launch-template-ebs-encrypted", "encryption", "enc-lt-ok", C),
    ("launch-template-ebs-encrypted", "encryption", "enc-lt-plain", V),
    ("launch-template-ebs-encrypted", "encryption", "enc-lt-unmapped", V),
    ("launch-template-ebs-encrypted", "encryption", "enc-pg", NA),
    ("ebs-volume-encrypted", "encryption", "enc-vol-ok", C),
    ("ebs-volume-encrypted", "encryption", "enc-instance-ok", C),
    ("ebs-volume-encrypted", "encryption", "enc-vol-plain", V),
    ("ebs-volume-encrypted", "encryption", "enc-instance-plain", V),
    ("ebs-volume-encrypted", "encryption", "enc-lt-ok", NA),
    ("efs-encrypted", "encryption", "enc-efs-ok", C),
    ("efs-encrypted", "encryption", "enc-efs-plain", V),
    ("efs-encrypted", "encryption", "enc-efs-ap", NA),
    ("fsx-lustre-encrypted-with-cmk", "encryption", "enc-fsx-ok", C),
    ("fsx-lustre-encrypted-with-cmk", "encryption", "enc-fsx-default-key", V),
    ("fsx-lustre-encrypted-with-cmk", "encryption", "enc-fsx-scratch", NA),
    ("eks-secrets-encrypted", "encryption", "enc-eks-ok", C),
    ("eks-secrets-encrypted", "encryption", "enc-eks-plain", V),
    ("eks-secrets-encrypted", "encryption", "enc-key", NA),
    ("gke-secrets-encrypted", "encryption", "enc-gke-ok", C),
    ("gke-secrets-encrypted", "encryption", "enc-gke-plain", V),
    ("gke-secrets-encrypted", "encryption", "enc-gcs-ok", NA),
    ("cloudtrail-encrypted", "encryption", "enc-trail-ok", C),
    ("cloudtrail-encrypted", "encryption", "enc-trail-plain", V),
    ("cloudtrail-encrypted", "encryption", "enc-logs-ok", NA),
    ("log-group-encrypted", "encryption", "enc-logs-ok", C),
    ("log-group-encrypted", "encryption", "enc-logs-plain", V),
    ("log-group-encrypted", "encryption", "enc-trail-ok", NA),
    ("gcs-bucket-cmek-in-prod", "data", "data-gcs-cmek", C),
    ("gcs-bucket-cmek-in-prod", "data", "data-gcs-google-key", V),
    ("gcs-bucket-cmek-in-prod", "encryption", "enc-gcs-ok", NA),  # dev
    # --- exposure ------------------------------------------------------------------------------------------
    ("security-group-no-public-ingress", "exposure", "exp-sg-ok", C),
    ("default-security-group-closed", "exposure", "exp-default-sg-closed", C),
    ("default-security-group-closed", "exposure", "exp-default-sg-open", V),
    ("default-security-group-closed", "exposure", "exp-sg-ok", NA),
    ("gcp-org-policy-baseline", "keys", STACK_NAME, C),
    ("gcp-org-policy-baseline", "keys", "keys-orgpolicy-uniformBucketLevelAccess", C),
    ("gcp-org-policy-baseline", "keys", "keys-orgpolicy-oslogin-off", V),
    ("gcp-org-policy-baseline", "exposure", STACK_NAME, V),
    ("gcp-org-policy-baseline", "kubernetes", STACK_NAME, NA),
    ("k8s-service-account-token-not-automounted", "kubernetes", "k8s-sa-ok", C),
    ("k8s-service-account-token-not-automounted", "kubernetes", "k8s-sa-mounting", V),
    ("k8s-service-account-token-not-automounted", "kubernetes", "k8s-sa-system", NA),
    ("security-group-no-public-ingress", "exposure", "exp-sg-open-ssh", V),
    ("security-group-no-public-ingress", "exposure", "exp-ingress-ipv6-open", V),
    ("security-group-no-public-ingress", "exposure", "exp-sg-egress", NA),
    ("s3-public-access-block-enabled", "exposure", "exp-pab-ok", C),
    ("s3-public-access-block-enabled", "exposure", "exp-pab-partial", V),
    ("s3-public-access-block-enabled", "exposure", "exp-own-ok", NA),
    ("s3-bucket-has-public-access-block", "exposure", "exp-bucket-ok", C),
    ("s3-bucket-has-public-access-block", "exposure", "exp-bucket-nopab", V),
    ("s3-bucket-has-public-access-block", "kubernetes", STACK_NAME, NA),
    ("s3-bucket-no-public-acl", "exposure", "exp-acl-private", C),
    ("s3-bucket-no-public-acl", "exposure", "exp-acl-public", V),
    ("s3-bucket-no-public-acl", "exposure", "exp-acl-v6-all-users", V),
    ("s3-bucket-no-public-acl", "exposure", "exp-bucket-ok", NA),
    ("s3-bucket-acls-disabled", "exposure", "exp-own-ok", C),
    ("s3-bucket-acls-disabled", "exposure", "exp-own-preferred", V),
    ("s3-bucket-acls-disabled", "exposure", "exp-pab-ok", NA),
    ("gcp-iam-no-public-members", "exposure", "exp-gcs-member-ok", C),
    ("gcp-iam-no-public-members", "exposure", "exp-gcs-member-public", V),
    ("gcp-iam-no-public-members", "exposure", "exp-project-binding-public", V),
    ("gcp-iam-no-public-members", "exposure", "exp-gcs-ok", NA),
    ("gcs-bucket-public-access-prevented", "exposure", "exp-gcs-ok", C),
    ("gcs-bucket-public-access-prevented", "exposure", "exp-gcs-inherited", V),
    ("gcs-bucket-public-access-prevented", "exposure", "exp-gcs-member-ok", NA),
    ("gcs-bucket-uniform-access", "exposure", "exp-gcs-ok", C),
    ("gcs-bucket-uniform-access", "exposure", "exp-gcs-object-acls", V),
    ("gcs-bucket-uniform-access", "exposure", "exp-gcs-member-ok", NA),
    ("gcp-firewall-no-public-ingress", "exposure", "exp-fw-ok", C),
    ("gcp-firewall-no-public-ingress", "exposure", "exp-fw-open", V),
    ("gcp-firewall-no-public-ingress", "exposure", "exp-fw-egress", NA),
    ("eks-endpoint-not-public", "exposure", "exp-eks-private", C),
    ("eks-endpoint-not-public", "exposure", "exp-eks-restricted", C),  # dev: CIDR-restricted is accepted
    ("eks-endpoint-not-public", "exposure", "exp-eks-open", V),
    ("eks-endpoint-not-public", "data", "data-eks-restricted", V),  # prod: only private passes
    ("eks-endpoint-not-public", "exposure", "exp-sg-ok", NA),
    ("gke-endpoint-not-public", "exposure", "exp-gke-private", C),
    ("gke-endpoint-not-public", "exposure", "exp-gke-authorized", C),  # dev
    ("gke-endpoint-not-public", "exposure", "exp-gke-open", V),
    ("gke-endpoint-not-public", "data", "data-gke-authorized", V),  # prod
    ("gke-endpoint-not-public", "exposure", "exp-fw-ok", NA),
    ("ec2-no-public-ip", "exposure", "exp-lt-ok", C),
    ("ec2-no-public-ip", "instances", "inst-vm-ok", C),
    ("ec2-no-public-ip", "exposure", "exp-lt-public", V),
    ("ec2-no-public-ip", "exposure", "exp-lt-no-interfaces", NA),
    ("subnet-no-auto-public-ip", "exposure", "exp-subnet-ok", C),
    ("subnet-no-auto-public-ip", "exposure", "exp-subnet-public", V),
    ("subnet-no-auto-public-ip", "exposure", "exp-vpc", NA),
    ("gke-nodes-private", "exposure", "exp-gke-private", C),
    ("gke-nodes-private", "exposure", "exp-gke-public-nodes", V),
    ("gke-nodes-private", "exposure", "exp-pool-public", V),
    ("gke-nodes-private", "exposure", "exp-pool-inherit", NA),
    # --- identity ------------------------------------------------------------------------------------------
    ("iam-no-admin-wildcard", "identity", "id-policy-ok", C),
    ("iam-no-admin-wildcard", "identity", "id-role-ok", C),
    ("iam-no-admin-wildcard", "identity", "id-attach-ok", C),
    ("iam-no-admin-wildcard", "identity", "id-boundary", C),
    ("iam-no-admin-wildcard", "identity", "id-policy-admin", V),
    ("iam-no-admin-wildcard", "identity", "id-attach-admin", V),
    ("iam-no-admin-wildcard", "identity", "id-role-inline-admin", V),
    ("iam-no-admin-wildcard", "identity", "id-key-ok", NA),
    ("iam-no-wildcard-actions", "identity", "id-policy-ok", C),
    ("iam-no-wildcard-actions", "identity", "id-boundary", C),  # a boundary caps, it does not grant
    ("iam-no-wildcard-actions", "identity", "id-policy-s3-star", V),
    ("iam-no-wildcard-actions", "kubernetes", STACK_NAME, NA),
    ("resource-policy-no-public-principal", "identity", "id-role-ok", C),
    ("resource-policy-no-public-principal", "identity", "id-role-org-trust", C),
    ("resource-policy-no-public-principal", "identity", "id-key-ok", C),
    ("resource-policy-no-public-principal", "identity", "id-role-public-trust", V),
    ("resource-policy-no-public-principal", "identity", "id-key-public", V),
    ("resource-policy-no-public-principal", "identity", "id-key-default-policy", NA),
    ("iam-role-permissions-boundary", "identity", "id-role-ok", C),
    ("iam-role-permissions-boundary", "identity", "id-role-unbounded", V),
    ("iam-role-permissions-boundary", "identity", "id-policy-ok", NA),
    ("gcp-no-primitive-roles", "identity", "id-project-ok", C),
    ("gcp-no-primitive-roles", "identity", "id-project-editor", V),
    ("gcp-no-primitive-roles", "identity", "id-project-policy-owner", V),
    ("gcp-no-primitive-roles", "identity", "id-bucket-viewer", NA),
    ("gcp-no-service-account-keys", "identity", "id-sa", C),
    ("gcp-no-service-account-keys", "identity", "id-sa-key", V),
    ("gcp-no-service-account-keys", "kubernetes", STACK_NAME, NA),
    ("k8s-rbac-no-wildcards", "identity", "id-role-reader", C),
    ("k8s-rbac-no-wildcards", "identity", "id-role-wildcard", V),
    ("k8s-rbac-no-wildcards", "identity", "id-cr-aggregated", NA),
    ("k8s-rbac-no-escalation", "identity", "id-role-reader", C),
    ("k8s-rbac-no-escalation", "identity", "id-cr-escalate", V),
    ("k8s-rbac-no-escalation", "identity", "id-cr-aggregated", NA),
    ("k8s-no-cluster-admin-binding", "identity", "id-rb-ok", C),
    ("k8s-no-cluster-admin-binding", "identity", "id-crb-admin", V),
    ("k8s-no-cluster-admin-binding", "identity", "id-role-reader", NA),
    ("gke-workload-identity", "identity", "id-gke-ok", C),
    ("gke-workload-identity", "identity", "id-gke-no-workload-identity", V),
    ("gke-workload-identity", "identity", "id-gke-autopilot", NA),
    ("gke-nodes-dedicated-service-account", "identity", "id-pool-ok", C),
    ("gke-nodes-dedicated-service-account", "identity", "id-pool-default-sa", V),
    ("gke-nodes-dedicated-service-account", "identity", "id-gke-default-pool", V),
    ("gke-nodes-dedicated-service-account", "identity", "id-gke-ok", NA),
    ("eks-access-entries", "identity", "id-eks-api", C),
    ("eks-access-entries", "identity", "id-eks-configmap", V),
    ("eks-access-entries", "identity", "id-role-ok", NA),
    # --- logging -------------------------------------------------------------------------------------------
    ("cloudtrail-multi-region", "logging", "log-trail-ok", C),
    ("cloudtrail-multi-region", "logging", "log-trail-one-region", V),
    ("cloudtrail-multi-region", "logging", "log-group-ok", NA),
    ("cloudtrail-log-file-validation", "logging", "log-trail-ok", C),
    ("cloudtrail-log-file-validation", "logging", "log-trail-unvalidated", V),
    ("cloudtrail-log-file-validation", "logging", "log-group-ok", NA),
    ("cloudtrail-trail-present", "logging", STACK_NAME, C),
    ("cloudtrail-trail-present", "identity", STACK_NAME, V),
    ("cloudtrail-trail-present", "kubernetes", STACK_NAME, NA),
    ("vpc-flow-logs-enabled", "logging", "log-vpc-ok", C),
    ("vpc-flow-logs-enabled", "logging", "log-vpc-unlogged", V),  # its only flow log is subnet-level
    ("vpc-flow-logs-enabled", "kubernetes", STACK_NAME, NA),
    ("eks-control-plane-logging", "logging", "log-eks-ok", C),
    ("eks-control-plane-logging", "logging", "log-eks-audit-only", V),
    ("eks-control-plane-logging", "logging", "log-trail-ok", NA),
    ("gke-control-plane-logging", "logging", "log-gke-ok", C),
    ("gke-control-plane-logging", "logging", "log-gke-system-only", V),
    ("gke-control-plane-logging", "logging", "log-subnet-ok", NA),
    ("gcp-subnet-flow-logs", "logging", "log-subnet-ok", C),
    ("gcp-subnet-flow-logs", "logging", "log-subnet-proxy", C),  # proxy-only subnets take no flow logs
    ("gcp-subnet-flow-logs", "logging", "log-subnet-rdma", C),  # nor do subnets of RDMA-profile networks
    ("gcp-subnet-flow-logs", "logging", "log-subnet-unlogged", V),
    ("gcp-subnet-flow-logs", "kubernetes", STACK_NAME, NA),
    ("gcp-audit-config-all-services", "logging", "log-audit-ok", C),
    ("gcp-audit-config-all-services", "logging", "log-audit-admin-only", V),
    ("gcp-audit-config-all-services", "logging", "log-sink", NA),
    ("gcp-audit-logging-configured", "logging", STACK_NAME, C),
    ("gcp-audit-logging-configured", "encryption", STACK_NAME, V),
    ("gcp-audit-logging-configured", "kubernetes", STACK_NAME, NA),
    ("log-retention", "logging", "log-group-ok", C),
    ("log-retention", "logging", "log-bucket-ok", C),
    ("log-retention", "logging", "log-group-short", V),
    ("log-retention", "logging", "log-group-forever", V),
    ("log-retention", "logging", "log-trail-ok", NA),
    # --- keys ----------------------------------------------------------------------------------------------
    ("kms-key-rotation-enabled", "keys", "keys-aws-ok", C),
    ("kms-key-rotation-enabled", "keys", "keys-gcp-ok", C),
    ("kms-key-rotation-enabled", "keys", "keys-aws-no-rotation", V),
    ("kms-key-rotation-enabled", "keys", "keys-aws-slow-rotation", V),
    ("kms-key-rotation-enabled", "keys", "keys-gcp-yearly", V),
    ("kms-key-rotation-enabled", "keys", "keys-gcp-never", V),
    ("kms-key-rotation-enabled", "keys", "keys-aws-signing", NA),
    ("kms-key-rotation-enabled", "keys", "keys-gcp-signing", NA),
    ("kms-key-deletion-protection", "keys", "keys-aws-ok", C),
    ("kms-key-deletion-protection", "keys", "keys-gcp-ok", C),
    ("kms-key-deletion-protection", "keys", "keys-aws-short-window", V),
    ("kms-key-deletion-protection", "keys", "keys-aws-bypass-lockout", V),
    ("kms-key-deletion-protection", "keys", "keys-gcp-fast-destroy", V),
    ("kms-key-deletion-protection", "keys", "keys-ring", NA),
    # --- instances -----------------------------------------------------------------------------------------
    ("imdsv2-required", "instances", "inst-lt-ok", C),
    ("imdsv2-required", "instances", "inst-vm-ok", C),
    ("imdsv2-required", "instances", "inst-lt-no-imds", C),
    ("imdsv2-required", "instances", "inst-lt-imdsv1", V),
    ("imdsv2-required", "instances", "inst-lt-unset", V),
    ("imdsv2-required", "instances", "inst-vm-imdsv1", V),
    ("imdsv2-required", "instances", "inst-pool-ok", NA),
    ("imds-hop-limit", "instances", "inst-lt-ok", C),
    ("imds-hop-limit", "instances", "inst-lt-two-hops", V),
    ("imds-hop-limit", "instances", "inst-lt-no-imds", NA),
    ("gke-node-secure-boot", "instances", "inst-pool-ok", C),
    ("gke-node-secure-boot", "instances", "inst-gke-ok", C),
    ("gke-node-secure-boot", "instances", "inst-pool-no-secure-boot", V),
    ("gke-node-secure-boot", "instances", "inst-gke-unshielded", V),
    ("gke-node-secure-boot", "instances", "inst-lt-ok", NA),
    ("gke-metadata-server", "instances", "inst-pool-ok", C),
    ("gke-metadata-server", "instances", "inst-gke-default-pool", C),
    ("gke-metadata-server", "instances", "inst-pool-node-metadata", V),
    ("gke-metadata-server", "instances", "inst-gke-ok", NA),
    ("gke-node-auto-repair", "instances", "inst-pool-ok", C),
    ("gke-node-auto-repair", "instances", "inst-pool-no-repair", V),
    ("gke-node-auto-repair", "instances", "inst-pool-queued", NA),
    # --- Kubernetes tenancy --------------------------------------------------------------------------------
    ("k8s-namespace-restricted-psa", "kubernetes", "k8s-ns-ok", C),
    ("k8s-namespace-restricted-psa", "kubernetes", "k8s-ns-auto-named", C),
    ("k8s-namespace-restricted-psa", "kubernetes", "k8s-ns-baseline", V),
    ("k8s-namespace-restricted-psa", "kubernetes", "k8s-ns-gpu-operator", NA),
    ("k8s-namespace-restricted-psa", "kubernetes", "k8s-ns-gpudirect", C),
    ("k8s-namespace-restricted-psa", "kubernetes", "k8s-ns-gpudirect-warn-privileged", V),
    ("k8s-gpudirect-namespace-guarded", "kubernetes", "k8s-ns-gpudirect", C),
    ("k8s-gpudirect-namespace-guarded", "kubernetes", "k8s-ns-gpudirect-unbound", V),
    ("k8s-gpudirect-namespace-guarded", "kubernetes", "k8s-ns-gpudirect-early", V),
    ("k8s-gpudirect-namespace-guarded", "kubernetes", "k8s-vap-weak", V),
    ("k8s-gpudirect-namespace-guarded", "encryption", STACK_NAME, NA),
    ("k8s-host-access-only-in-system-namespaces", "kubernetes", "k8s-ds-system", C),
    ("k8s-host-access-only-in-system-namespaces", "kubernetes", "k8s-ds-team", V),
    ("k8s-host-access-only-in-system-namespaces", "kubernetes", "k8s-ds-plain", NA),
    ("k8s-namespace-default-deny", "kubernetes", "k8s-ns-ok", C),
    ("k8s-namespace-default-deny", "kubernetes", "k8s-ns-auto-named", C),  # matched by dependency
    ("k8s-namespace-default-deny", "kubernetes", "k8s-ns-split-deny", C),  # matched by name
    ("k8s-namespace-default-deny", "kubernetes", "k8s-ns-allow-ingress", V),
    ("k8s-namespace-default-deny", "encryption", STACK_NAME, NA),
    ("k8s-namespace-resource-quota", "kubernetes", "k8s-ns-ok", C),
    ("k8s-namespace-resource-quota", "kubernetes", "k8s-ns-auto-named", C),
    ("k8s-namespace-resource-quota", "kubernetes", "k8s-ns-gpu-operator", C),  # node-agent namespace: exempt
    ("k8s-namespace-resource-quota", "kubernetes", "k8s-ns-pods-quota", V),
    ("k8s-namespace-resource-quota", "encryption", STACK_NAME, NA),
    ("gke-network-policy-enforced", "instances", "inst-gke-ok", C),
    ("gke-network-policy-enforced", "instances", "inst-gke-calico", C),
    ("gke-network-policy-enforced", "instances", "inst-gke-legacy-dataplane", V),
    ("gke-network-policy-enforced", "instances", "inst-gke-autopilot", NA),
    # --- GPU and cost --------------------------------------------------------------------------------------
    ("gpu-node-pool-tainted", "gpu", "gpu-ng-p5", C),
    ("gpu-node-pool-tainted", "gpu", "gpu-ng-trn1", C),  # Trainium: aws.amazon.com/neuron
    ("gpu-node-pool-tainted", "gpu", "gpu-gke-l4", C),
    ("gpu-node-pool-tainted", "gpu", "gpu-ng-p5-untainted", V),
    ("gpu-node-pool-tainted", "gpu", "gpu-gke-l4-untainted", V),
    ("gpu-node-pool-tainted", "gpu", "gpu-ng-cpu", NA),
    ("gpu-node-pool-tainted", "gpu", "gpu-gke-cpu", NA),
    ("gpu-instance-type-allowed", "gpu", "gpu-ng-p5", C),
    ("gpu-instance-type-allowed", "gpu", "gpu-gke-l4", C),
    ("gpu-instance-type-allowed", "gpu", "gpu-ng-p3", V),  # not in the catalog
    ("gpu-instance-type-allowed", "gpu", "gpu-lt-p3", V),
    ("gpu-instance-type-allowed", "gpu", "gpu-ng-p4d", V),  # catalogued, not in allowedGpuTypes
    ("gpu-instance-type-allowed", "gpu", "gpu-gke-l4-wrong-accelerator", V),
    ("gpu-instance-type-allowed", "gpu", "gpu-ng-cpu", NA),
    ("gpu-region-allowed", "gpu", "gpu-ng-g6e", C),
    ("gpu-region-allowed", "gpu", "gpu-gke-l4", C),
    ("gpu-region-allowed", "gpu", "gpu-ng-g6e-oregon", V),
    ("gpu-region-allowed", "gpu", "gpu-gke-l4-europe", V),
    ("gpu-region-allowed", "gpu", "gpu-ng-cpu", NA),
    ("max-gpus-per-stack", "data", "data-ng-g6e-warm", C),
    ("max-gpus-per-stack", "gpu", "gpu-ng-p5-big", V),
    ("max-gpus-per-stack", "encryption", STACK_NAME, NA),
    ("efa-interfaces-on-every-card", "gpu", "gpu-lt-p5", C),
    ("efa-interfaces-on-every-card", "gpu", "gpu-lt-cpu", C),
    ("efa-interfaces-on-every-card", "gpu", "gpu-lt-p5-partial", V),
    ("efa-interfaces-on-every-card", "gpu", "gpu-lt-p5-extra-card", V),
    ("efa-interfaces-on-every-card", "gpu", "gpu-lt-p3", V),  # uncatalogued: cannot be verified
    ("efa-interfaces-on-every-card", "kubernetes", STACK_NAME, NA),
    ("efa-node-group-single-zone", "gpu", "gpu-ng-p5", C),
    ("efa-node-group-single-zone", "gpu", "gpu-ng-p5-one-zone-two-subnets", C),
    ("efa-node-group-single-zone", "gpu", "gpu-ng-g6e", C),  # no EFA: may span zones
    ("efa-node-group-single-zone", "gpu", "gpu-ng-p5-two-zones", V),
    ("efa-node-group-single-zone", "kubernetes", STACK_NAME, NA),
    ("efa-launch-template-cluster-placement", "gpu", "gpu-lt-p5", C),
    ("efa-launch-template-cluster-placement", "gpu", "gpu-lt-p5-capacity-block", C),
    ("efa-launch-template-cluster-placement", "gpu", "gpu-lt-p5-unplaced", V),
    ("efa-launch-template-cluster-placement", "gpu", "gpu-lt-p5-spread", V),
    ("efa-launch-template-cluster-placement", "gpu", "gpu-lt-p5-foreign-group", V),  # companion missing: fails closed
    ("efa-launch-template-cluster-placement", "kubernetes", STACK_NAME, NA),
    ("gpu-pools-idle-cost-zero-outside-prod", "gpu", "gpu-ng-g6e", C),
    ("gpu-pools-idle-cost-zero-outside-prod", "gpu", "gpu-ng-g6e-warm", V),
    ("gpu-pools-idle-cost-zero-outside-prod", "data", "data-ng-g6e-warm", NA),  # prod
    ("gpu-pools-idle-cost-zero-outside-prod", "gpu", "gpu-ng-cpu", NA),
    # --- data safety ---------------------------------------------------------------------------------------
    ("stateful-resources-protected", "data", "data-bucket-ok", C),
    ("stateful-resources-protected", "data", "data-key", C),
    ("stateful-resources-protected", "data", "data-gcs-cmek", C),
    ("stateful-resources-protected", "data", "data-bucket-unprotected", V),
    ("stateful-resources-protected", "data", "data-sg", NA),
    ("stateful-resources-protected", "encryption", "enc-efs-ok", NA),  # dev
    ("s3-bucket-versioning-enabled", "data", "data-versioning-ok", C),
    ("s3-bucket-versioning-enabled", "data", "data-versioning-v6", C),
    ("s3-bucket-versioning-enabled", "data", "data-bucket-v6", C),
    ("s3-bucket-versioning-enabled", "data", "data-versioning-suspended", V),
    # Fails closed: a bucket without any versioning resource is unversioned.
    ("s3-bucket-versioning-enabled", "data", "data-bucket-unprotected", V),
    ("s3-bucket-versioning-enabled", "kubernetes", STACK_NAME, NA),
    ("s3-bucket-access-logging", "data", "data-bucket-ok", C),
    ("s3-bucket-access-logging", "data", "data-bucket-v6", C),
    ("s3-bucket-access-logging", "data", "data-access-log-target", C),   # the log target itself
    ("s3-bucket-access-logging", "data", "data-bucket-unprotected", V),  # no logging resource at all
    ("s3-bucket-access-logging", "kubernetes", STACK_NAME, NA),
    ("s3-bucket-denies-insecure-transport", "data", "data-bucket-ok", C),
    ("s3-bucket-denies-insecure-transport", "data", "data-bucket-v6", C),
    ("s3-bucket-denies-insecure-transport", "data", "data-bucket-allows-http", V),
    ("s3-bucket-denies-insecure-transport", "encryption", "enc-bucket-bare", V),  # no policy at all
    ("s3-bucket-denies-insecure-transport", "kubernetes", STACK_NAME, NA),
    ("s3-lifecycle-aborts-incomplete-uploads", "data", "data-lifecycle-ok", C),
    ("s3-lifecycle-aborts-incomplete-uploads", "data", "data-lifecycle-no-abort", V),
    ("s3-lifecycle-aborts-incomplete-uploads", "data", "data-versioning-ok", NA),
    # --- golden workloads (the journey steps themselves are table-tested in test_journeys.py) --------------
    ("golden-workload-journeys", "journeys", "jrn-team-ok-golden", C),
    ("golden-workload-journeys", "journeys", "jrn-team-small-golden", V),
    ("golden-workload-journeys", "kubernetes", STACK_NAME, NA),
    # --- workloads (issue 15) -------------------------------------------------------------------------------
    ("k8s-no-privileged-containers", "workloads", "wl-pod-ok", C),
    ("k8s-no-privileged-containers", "workloads", "wl-jobset-ok", C),
    ("k8s-no-privileged-containers", "workloads", "wl-pod-privileged", V),
    ("k8s-no-privileged-containers", "workloads", "wl-deploy-init-privileged", V),  # an init container
    ("k8s-no-privileged-containers", "workloads", "wl-jobset-privileged", V),  # CustomResource JobSet
    ("k8s-no-privileged-containers", "workloads", "wl-ds-agent-in-team", V),  # agent image outside its namespace
    ("k8s-no-privileged-containers", "workloads", "wl-ds-gpu-operator", NA),  # allow-listed platform agent
    ("k8s-no-privileged-containers", "workloads", "wl-config", NA),
    ("k8s-no-host-namespaces", "workloads", "wl-deploy-ok", C),
    ("k8s-no-host-namespaces", "workloads", "wl-deploy-host-network", V),
    ("k8s-no-host-namespaces", "workloads", "wl-sts-host-pid", V),
    ("k8s-no-host-namespaces", "workloads", "wl-cron-ipc", V),  # CronJob jobTemplate
    ("k8s-no-host-namespaces", "workloads", "wl-ds-gpu-operator", NA),
    ("k8s-no-host-path-volumes", "workloads", "wl-deploy-ok", C),
    ("k8s-no-host-path-volumes", "workloads", "wl-deploy-host-path", V),
    ("k8s-no-host-path-volumes", "workloads", "wl-ds-agent-in-team", V),
    ("k8s-no-host-path-volumes", "workloads", "wl-ds-gpu-operator", NA),
    ("k8s-no-privilege-escalation", "workloads", "wl-deploy-ok", C),
    ("k8s-no-privilege-escalation", "workloads", "wl-job-ok", C),
    ("k8s-no-privilege-escalation", "workloads", "wl-deploy-escalation", V),
    ("k8s-no-privilege-escalation", "workloads", "wl-config", NA),
    ("k8s-run-as-non-root", "workloads", "wl-deploy-ok", C),
    ("k8s-run-as-non-root", "workloads", "wl-pytorchjob-ok", C),
    ("k8s-run-as-non-root", "workloads", "wl-deploy-root", V),
    ("k8s-run-as-non-root", "workloads", "wl-pytorchjob-root", V),  # Kubeflow Worker replica
    ("k8s-run-as-non-root", "workloads", "wl-ds-gpu-operator", NA),
    ("k8s-no-added-capabilities", "workloads", "wl-pod-ok", C),  # NET_BIND_SERVICE is allowed
    ("k8s-no-added-capabilities", "workloads", "wl-deploy-sys-admin", V),
    ("k8s-no-added-capabilities", "workloads", "wl-config", NA),
    ("k8s-image-pinned", "workloads", "wl-deploy-ok", C),
    ("k8s-image-pinned", "workloads", "wl-pod-ok", C),  # digest
    ("k8s-image-pinned", "workloads", "wl-deploy-latest", V),
    ("k8s-image-pinned", "workloads", "wl-deploy-untagged", V),
    ("k8s-image-pinned", "workloads", "wl-config", NA),
    ("k8s-service-lb-not-public", "workloads", "wl-svc-internal", C),
    ("k8s-service-lb-not-public", "workloads", "wl-svc-ranges", C),
    ("k8s-service-lb-not-public", "workloads", "wl-svc-public", V),
    ("k8s-service-lb-not-public", "workloads", "wl-svc-cluster-ip", NA),
    ("k8s-rbac-no-cluster-secrets-read", "workloads", "wl-cr-config-reader", C),
    ("k8s-rbac-no-cluster-secrets-read", "workloads", "wl-cr-named-secret", C),
    ("k8s-rbac-no-cluster-secrets-read", "workloads", "wl-cr-secrets-reader", V),
    ("k8s-rbac-no-cluster-secrets-read", "workloads", "wl-role-secrets", NA),
    ("k8s-rbac-no-anonymous-binding", "workloads", "wl-crb-ok", C),
    ("k8s-rbac-no-anonymous-binding", "workloads", "wl-crb-anonymous", V),
    ("k8s-rbac-no-anonymous-binding", "workloads", "wl-cr-config-reader", NA),
    # resource policies of every type (one reader: lzpolicy.policydoc.RESOURCE_POLICY_INPUTS)
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-ecr-org", C),
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-ecr-public", V),  # Output.apply-built
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-sqs-from-bucket", C),
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-sqs-inline-public", V),
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-sqs-no-policy", NA),
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-sns-account", C),
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-sns-public", V),
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-efs-not-principal", V),
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-secret-role", C),
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-secret-public", V),
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-lambda-from-bucket", C),
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-lambda-any-in-org", C),
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-lambda-public-url", V),
    ("resource-policy-no-public-principal", "resourcepolicies", "rp-ecr-repo", NA),
    # AI and adjacent AWS services
    ("sagemaker-notebook-no-direct-internet", "aiservices", "ai-nb-ok", C),
    ("sagemaker-notebook-no-direct-internet", "aiservices", "ai-nb-internet", V),
    ("sagemaker-notebook-no-direct-internet", "aiservices", "ai-nb-defaults", V),  # Enabled is the default
    ("sagemaker-notebook-no-direct-internet", "aiservices", "ai-ecr-ok", NA),
    ("sagemaker-notebook-no-root-access", "aiservices", "ai-nb-ok", C),
    ("sagemaker-notebook-no-root-access", "aiservices", "ai-nb-defaults", V),
    ("sagemaker-notebook-no-root-access", "aiservices", "ai-ecr-ok", NA),
    ("sagemaker-notebook-encrypted", "aiservices", "ai-nb-ok", C),
    ("sagemaker-notebook-encrypted", "aiservices", "ai-nb-no-key", V),
    ("sagemaker-notebook-encrypted", "aiservices", "ai-secret-ok", NA),
    ("ecr-image-tags-immutable", "aiservices", "ai-ecr-ok", C),
    ("ecr-image-tags-immutable", "aiservices", "ai-ecr-defaults", V),
    ("ecr-image-tags-immutable", "aiservices", "ai-ecr-mutable-exclusions", V),
    ("ecr-image-tags-immutable", "aiservices", "ai-nb-ok", NA),
    ("ecr-scan-on-push", "aiservices", "ai-ecr-ok", C),
    ("ecr-scan-on-push", "aiservices", "ai-ecr-defaults", V),
    ("ecr-scan-on-push", "aiservices", "ai-ecr-mutable-exclusions", V),
    ("ecr-scan-on-push", "aiservices", "ai-ecr-registry-scanned", C),  # a registry scanning rule matches it
    ("ecr-scan-on-push", "kubernetes", STACK_NAME, NA),
    # --- supply chain (issue 18) ---------------------------------------------------------------------------
    ("ecr-pull-through-cache-credentials", "supplychain", "sc-ptc-dockerhub-ok", C),
    ("ecr-pull-through-cache-credentials", "supplychain", "sc-ptc-dockerhub-no-credentials", V),
    ("ecr-pull-through-cache-credentials", "supplychain", "sc-ptc-ghcr-wrong-prefix", V),
    ("ecr-pull-through-cache-credentials", "supplychain", "sc-ptc-quay", NA),
    ("registry-untagged-cleanup", "supplychain", "sc-ecr-cleaned", C),
    ("registry-untagged-cleanup", "supplychain", "sc-ecr-no-lifecycle", V),
    ("registry-untagged-cleanup", "supplychain", "sc-ecr-tagged-only", V),
    ("registry-untagged-cleanup", "supplychain", "sc-ar-cleaned", C),
    ("registry-untagged-cleanup", "supplychain", "sc-ar-no-cleanup", V),
    ("registry-untagged-cleanup", "supplychain", "sc-ar-dry-run", V),
    ("registry-untagged-cleanup", "kubernetes", STACK_NAME, NA),
    ("secret-read-scoped-to-prefix", "supplychain", "sc-secrets-team-prefix", C),
    ("secret-read-scoped-to-prefix", "supplychain", "sc-secrets-every-secret", V),
    ("secret-read-scoped-to-prefix", "supplychain", "sc-secrets-wildcard-action", V),
    ("secret-read-scoped-to-prefix", "supplychain", "sc-gcp-secrets-conditioned", C),
    ("secret-read-scoped-to-prefix", "supplychain", "sc-gcp-secrets-everything", V),
    ("secret-read-scoped-to-prefix", "kubernetes", STACK_NAME, NA),
    ("ecr-repository-kms", "aiservices", "ai-ecr-ok", C),
    ("ecr-repository-kms", "aiservices", "ai-ecr-defaults", V),
    ("ecr-repository-kms", "aiservices", "ai-ecr-mutable-exclusions", V),
    ("ecr-repository-kms", "aiservices", "ai-nb-ok", NA),
    ("secretsmanager-secret-cmk", "aiservices", "ai-secret-ok", C),
    ("secretsmanager-secret-cmk", "aiservices", "ai-secret-default-key", V),
    ("secretsmanager-secret-cmk", "aiservices", "ai-secret-aws-alias", V),
    ("secretsmanager-secret-cmk", "aiservices", "ai-nb-ok", NA),
    ("sqs-queue-encrypted", "aiservices", "ai-queue-default", C),
    ("sqs-queue-encrypted", "aiservices", "ai-queue-kms", C),
    ("sqs-queue-encrypted", "aiservices", "ai-queue-sse-off", V),
    ("sqs-queue-encrypted", "aiservices", "ai-topic-kms", NA),
    ("sns-topic-encrypted", "aiservices", "ai-topic-kms", C),
    ("sns-topic-encrypted", "aiservices", "ai-topic-plain", V),
    ("sns-topic-encrypted", "aiservices", "ai-queue-kms", NA),
    ("iam-github-oidc-trust-has-sub", "aiservices", "ai-role-github-pinned", C),
    ("iam-github-oidc-trust-has-sub", "aiservices", "ai-role-github-any-repo", V),
    ("iam-github-oidc-trust-has-sub", "aiservices", "ai-role-github-wildcard", V),
    ("iam-github-oidc-trust-has-sub", "aiservices", "ai-role-service", NA),
    # --- issue 15, round 2: GCP Compute Engine, Workbench, Artifact Registry, GKE, IAM, BigQuery ----------------
    ("gce-instance-no-external-ip", "gcpservices", "gce-vm-ok", C),
    ("gce-instance-no-external-ip", "gcpservices", "gce-vm-external-ip", V),
    ("gce-instance-no-external-ip", "gcpservices", "gce-template-open", V),  # external IPv6 on a template
    ("gce-instance-no-external-ip", "gcpservices", "wb-ok", NA),
    ("gce-instance-serial-port-disabled", "gcpservices", "gce-vm-ok", C),
    ("gce-instance-serial-port-disabled", "gcpservices", "gce-vm-serial-port", V),
    ("gce-instance-serial-port-disabled", "gcpservices", "gce-project-metadata-ok", C),
    ("gce-instance-serial-port-disabled", "gcpservices", "gce-project-oslogin-off", C),  # an item for another key
    ("gce-instance-serial-port-disabled", "gcpservices", "gce-project-serial-port", V),  # project-wide
    ("gce-instance-serial-port-disabled", "gcpservices", "ar-ok", NA),
    ("gce-instance-block-project-ssh-keys", "gcpservices", "gce-vm-ok", C),
    ("gce-instance-block-project-ssh-keys", "gcpservices", "gce-vm-oslogin-only", C),  # OS Login ignores metadata keys
    ("gce-instance-block-project-ssh-keys", "gcpservices", "gce-template-ok", C),
    ("gce-instance-block-project-ssh-keys", "gcpservices", "gce-vm-project-keys", V),
    ("gce-instance-block-project-ssh-keys", "gcpservices", "gke-ok", NA),
    ("gce-instance-os-login-not-disabled", "gcpservices", "gce-vm-ok", C),
    ("gce-instance-os-login-not-disabled", "gcpservices", "gce-template-ok", C),  # inherits the project's
    ("gce-instance-os-login-not-disabled", "gcpservices", "gce-vm-project-keys", V),
    ("gce-instance-os-login-not-disabled", "gcpservices", "gce-project-metadata-ok", C),
    ("gce-instance-os-login-not-disabled", "gcpservices", "gce-project-oslogin-off", V),  # project-wide
    ("gce-instance-os-login-not-disabled", "gcpservices", "wb-ok", NA),
    ("gce-instance-no-default-service-account", "gcpservices", "gce-vm-ok", C),
    ("gce-instance-no-default-service-account", "gcpservices", "gce-vm-no-sa", C),
    ("gce-instance-no-default-service-account", "gcpservices", "gce-vm-default-sa", V),  # no email: the default
    ("gce-instance-no-default-service-account", "gcpservices", "gce-vm-default-sa-email", V),
    ("gce-instance-no-default-service-account", "gcpservices", "gce-template-open", V),
    ("gce-instance-no-default-service-account", "gcpservices", "ar-ok", NA),
    ("vertex-workbench-no-public-ip", "gcpservices", "wb-ok", C),
    ("vertex-workbench-no-public-ip", "gcpservices", "wb-public-ip", V),
    ("vertex-workbench-no-public-ip", "gcpservices", "gce-vm-ok", NA),
    ("vertex-workbench-cmek", "gcpservices", "wb-ok", C),
    ("vertex-workbench-cmek", "gcpservices", "wb-google-key", V),
    ("vertex-workbench-cmek", "gcpservices", "gce-vm-ok", NA),
    ("artifact-registry-cmek", "gcpservices", "ar-ok", C),
    ("artifact-registry-cmek", "gcpservices", "ar-google-key", V),
    ("artifact-registry-cmek", "gcpservices", "ar-virtual", NA),
    ("gcp-iam-no-public-members", "gcpservices", "ar-reader-team", C),
    ("gcp-iam-no-public-members", "gcpservices", "ar-reader-public", V),
    ("gcp-iam-no-public-members", "gcpservices", "bq-ok", C),
    ("gcp-iam-no-public-members", "gcpservices", "bq-all-authenticated", V),
    ("gcp-iam-no-public-members", "gcpservices", "bq-access-all-users", V),
    ("gcp-iam-no-public-members", "gcpservices", "bq-member-public", V),
    ("gcp-iam-no-public-members", "gcpservices", "bq-member-team", C),
    ("gke-legacy-abac-disabled", "gcpservices", "gke-ok", C),
    ("gke-legacy-abac-disabled", "gcpservices", "gke-abac", V),
    ("gke-legacy-abac-disabled", "gcpservices", "gce-vm-ok", NA),
    ("gke-no-client-certificate", "gcpservices", "gke-ok", C),
    ("gke-no-client-certificate", "gcpservices", "gke-client-cert", V),
    ("gke-no-client-certificate", "gcpservices", "gce-vm-ok", NA),
    ("gke-no-alpha-cluster", "gcpservices", "gke-ok", C),
    ("gke-no-alpha-cluster", "gcpservices", "gke-alpha", V),
    ("gke-no-alpha-cluster", "gcpservices", "gce-vm-ok", NA),
    ("gcp-no-project-service-account-user", "gcpservices", "iam-project-log-writer", C),
    ("gcp-no-project-service-account-user", "gcpservices", "iam-project-sa-user", V),
    ("gcp-no-project-service-account-user", "gcpservices", "iam-project-token-creator", V),
    ("gcp-no-project-service-account-user", "gcpservices", "iam-project-policy-sa-user", V),  # Output.apply-built
    ("gcp-no-project-service-account-user", "gcpservices", "iam-sa-user-on-account", NA),
    ("gcp-firewall-no-public-ingress", "exposure", "exp-fw-no-source", V),  # the API fills in 0.0.0.0/0
    ("gcp-firewall-no-public-ingress", "exposure", "exp-fw-empty-ranges", V),
    ("gcp-firewall-no-public-ingress", "exposure", "exp-fw-tags-only", C),
    # --- issue 15, round 2: AWS network ACLs, account settings, IAM users, secrets rotation, EFS access points --
    ("nacl-no-public-admin-ports", "awsaccount", "acct-nacl-https-only", C),
    ("nacl-no-public-admin-ports", "awsaccount", "acct-nacl-deny-first", C),  # lower-numbered denies win
    ("nacl-no-public-admin-ports", "awsaccount", "acct-nacl-ssh-open", V),
    ("nacl-no-public-admin-ports", "awsaccount", "acct-nacl-rule-all-v6", V),  # standalone, IPv6, all traffic
    ("nacl-no-public-admin-ports", "awsaccount", "acct-nacl-rule-vpn", C),
    ("nacl-no-public-admin-ports", "awsaccount", "acct-nacl-standalone", C),
    ("nacl-no-public-admin-ports", "kubernetes", STACK_NAME, NA),
    ("iam-password-policy-strong", "awsaccount", "acct-password-cis", C),
    ("iam-password-policy-strong", "awsaccount", "acct-password-weak", V),
    ("iam-password-policy-strong", "awsaccount", "acct-ebs-default-on", NA),
    ("ebs-default-encryption-enabled", "awsaccount", "acct-ebs-default-on", C),
    ("ebs-default-encryption-enabled", "awsaccount", "acct-ebs-default-off", V),
    ("ebs-default-encryption-enabled", "awsaccount", "acct-password-cis", NA),
    ("iam-user-permissions-via-groups", "awsaccount", "acct-attach-groups", C),
    ("iam-user-permissions-via-groups", "awsaccount", "acct-user-inline", V),  # Output.apply-built document
    ("iam-user-permissions-via-groups", "awsaccount", "acct-user-managed", V),
    ("iam-user-permissions-via-groups", "awsaccount", "acct-attach-users", V),
    ("iam-user-permissions-via-groups", "awsaccount", "acct-attach-roles", NA),
    ("secretsmanager-secret-rotation", "awsaccount", "acct-secret-rotated", C),
    ("secretsmanager-secret-rotation", "awsaccount", "acct-secret-unrotated", V),  # no companion: fails closed
    ("secretsmanager-secret-rotation", "awsaccount", "acct-rotation-off", V),
    ("secretsmanager-secret-rotation", "kubernetes", STACK_NAME, NA),
    ("efs-access-point-root-directory", "awsaccount", "acct-ap-ok", C),
    ("efs-access-point-root-directory", "awsaccount", "acct-ap-root", V),
    ("efs-access-point-root-directory", "awsaccount", "acct-ap-bare", V),
    ("efs-access-point-root-directory", "awsaccount", "acct-efs", NA),
    ("efs-access-point-enforces-user", "awsaccount", "acct-ap-ok", C),
    ("efs-access-point-enforces-user", "awsaccount", "acct-ap-no-user", V),
    ("efs-access-point-enforces-user", "awsaccount", "acct-efs", NA),
    ("gpu-quota-covers-pools", "gpu", STACK_NAME, V),
    ("gpu-quota-covers-pools", "data", STACK_NAME, C),
    ("gpu-quota-covers-pools", "kubernetes", STACK_NAME, NA),
]

# Rules whose three cases live with their owners' tests rather than in this table.
TESTED_ELSEWHERE = {"stack-within-monthly-budget": "tests/cost (budget maths through the pack)"}


def _plan(name: str):
    return fixture_plan(name, PLANS[name])


def _rules():
    import sys

    from policy_harness import PACK, ROOT

    for path in (str(PACK), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    from lzpolicy.registry import all_rules

    return {r.name: r for r in all_rules()}


@pytest.mark.parametrize(("rule", "plan_name", "resource", "verdict"), CASES,
                         ids=[f"{r}:{v}:{n}" for r, _, n, v in CASES])
def test_rule_verdict(rule: str, plan_name: str, resource: str, verdict: str):
    fp = _plan(plan_name)
    urn = fp.urn(resource)
    found = fp.violations_of(rule, resource)
    not_applicable = fp.judged_not_applicable(rule, resource)
    if verdict == V:
        assert found, f"{rule} reported nothing against {urn}"
        assert all(v.urn == urn and v.policy_name == rule for v in found)
        assert not_applicable is None
    elif verdict == C:
        assert not found, f"{rule} reported {[v.message for v in found]}"
        assert not_applicable is None, f"{rule} answered not-applicable for {urn}: {not_applicable}"
    else:
        assert not found, f"{rule} reported {[v.message for v in found]}"
        assert not_applicable, f"{rule} did not answer not-applicable for {urn}"


def test_every_rule_has_all_three_verdicts():
    rules = _rules()
    have: dict[str, set[str]] = {name: set() for name in rules}
    for rule, _, _, verdict in CASES:
        assert rule in rules, f"the table names {rule!r}, which is not in the pack"
        have[rule].add(verdict)
    missing = {name: sorted({V, C, NA} - got) for name, got in have.items()
               if got != {V, C, NA} and name not in TESTED_ELSEWHERE}
    assert not missing, f"rules without all three cases: {missing}"


@pytest.mark.parametrize("plan_name", sorted(PLANS))
def test_violations_are_sentences_naming_the_resource_and_the_fix(plan_name: str):
    fp = _plan(plan_name)
    names = {urn: name for name, urn in fp.urns.items()}
    assert fp.plan.violations, f"the {plan_name} fixtures produce no violations at all"
    for v in fp.plan.violations:
        name = names[v.urn]
        subject = "Stack '" if name == STACK_NAME else f"'{name}'"
        assert subject in v.message, f"{v.policy_name}: {v.message!r} does not name {name}"
        assert v.message.endswith("."), f"{v.policy_name}: {v.message!r} is not a sentence"
        assert re.search(r"\b(set|add|use|remove|grant|list|label|move|pick|give|lower|bind|name|pass|fix|"
                         r"restrict|create|map|keep|disable|enable)\b", v.message, re.IGNORECASE), \
            f"{v.policy_name}: {v.message!r} does not say how to fix it"
        assert "can't run policy" not in v.message, v.message


@pytest.mark.parametrize("plan_name", sorted(PLANS))
def test_plan_and_direct_analysis_agree(plan_name: str):
    """`lz plan` streams registrations to the pack; the harness asks again resource by resource.
    Both are the engine protocol, so both must see the same violations, at the configured levels."""
    fp = _plan(plan_name)
    assert fp.direct_violations == {(v.policy_name, v.urn, v.message) for v in fp.plan.violations}
    levels = fp.plan.packs[0].levels
    for v in fp.plan.violations:
        assert v.enforcement_level == levels[v.policy_name]
        assert v.enforcement_level in ENFORCEMENT_BY_NAME
