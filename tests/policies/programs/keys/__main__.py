"""Fixtures for the key-management rules (planned as a dev stack)."""

import pulumi_aws as aws
import pulumi_gcp as gcp
from common import LABELS, TAGS, key_policy, with_changes

KEY = {"description": "datasets", "enable_key_rotation": True, "deletion_window_in_days": 30, "policy": key_policy(),
       "tags": TAGS}
aws.kms.Key("keys-aws-ok", **KEY)
aws.kms.Key("keys-aws-no-rotation", **with_changes(KEY, enable_key_rotation=False))
aws.kms.Key("keys-aws-slow-rotation", **with_changes(KEY, rotation_period_in_days=730))
aws.kms.Key("keys-aws-signing", **with_changes(KEY, enable_key_rotation=False, customer_master_key_spec="RSA_2048",
                                               key_usage="SIGN_VERIFY"))
aws.kms.Key("keys-aws-short-window", **with_changes(KEY, deletion_window_in_days=7))
aws.kms.Key("keys-aws-bypass-lockout", **with_changes(KEY, bypass_policy_lockout_safety_check=True))
aws.kms.Alias("keys-aws-alias", name="alias/datasets", target_key_id="1234abcd-12ab-34cd-56ef-1234567890ab")

ring = gcp.kms.KeyRing("keys-ring", location="us-central1")
CRYPTO_KEY = {"key_ring": ring.id, "rotation_period": "7776000s", "labels": LABELS}
gcp.kms.CryptoKey("keys-gcp-ok", **CRYPTO_KEY)
gcp.kms.CryptoKey("keys-gcp-yearly", **with_changes(CRYPTO_KEY, rotation_period="31536000s"))
gcp.kms.CryptoKey("keys-gcp-never", **with_changes(CRYPTO_KEY, rotation_period=None))
gcp.kms.CryptoKey("keys-gcp-signing", **with_changes(CRYPTO_KEY, rotation_period=None, purpose="ASYMMETRIC_SIGN",
                                                     version_template={"algorithm": "EC_SIGN_P256_SHA256"}))
gcp.kms.CryptoKey("keys-gcp-fast-destroy", **with_changes(CRYPTO_KEY, destroy_scheduled_duration="86400s"))

# --- cost attribution (tags and labels) -----------------------------------------------------------------------
aws.kms.Key("keys-aws-untagged", **with_changes(KEY, tags={"team": "platform"}))
gcp.kms.CryptoKey("keys-gcp-unlabelled", **with_changes(CRYPTO_KEY, labels=None))

# --- the org-policy baseline on the project (the rule reports a missing one against the stack) ----------
ORG = {"parent": "projects/fixture-project", "spec": {"rules": [{"enforce": "TRUE"}]}}
for constraint in ("storage.uniformBucketLevelAccess", "storage.publicAccessPrevention",
                   "iam.disableServiceAccountKeyCreation"):
    gcp.orgpolicy.Policy(f"keys-orgpolicy-{constraint.split('.')[1]}",
                         name=f"projects/fixture-project/policies/{constraint}", **ORG)
gcp.orgpolicy.Policy("keys-orgpolicy-no-external-ip", name="projects/fixture-project/policies/compute.vmExternalIpAccess",
                     **with_changes(ORG, spec={"rules": [{"deny_all": "TRUE"}]}))
gcp.orgpolicy.Policy("keys-orgpolicy-oslogin-off", name="projects/fixture-project/policies/compute.requireOsLogin",
                     **with_changes(ORG, spec={"rules": [{"enforce": "FALSE"}]}))
