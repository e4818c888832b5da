"""S3 bucket ACLs grant nothing to everyone or to all authenticated AWS users.

Judges `BucketAcl` resources (v7, and v6 `BucketAclV2`) and a bucket's inline `acl` / `grants`
(v6 legacy Bucket, v7 Bucket); a bucket without inline ACL settings is left to its BucketAcl.
"""

from lzpolicy import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView
from lzpolicy import props as wire
from lzpolicy.types import S3_ACL, S3_BUCKET

PUBLIC_CANNED = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GROUPS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                 "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


def _grant_uris(r: ResourceView) -> list[str]:
    if r.type in S3_ACL:
        grants = r.items("accessControlPolicy", "grants")
        return [str(wire.dig(g, "grantee", "uri")) for g in grants if isinstance(g, dict)]
    return [str(g.get("uri")) for g in r.items("grants") if isinstance(g, dict)]


def check(r: ResourceView):
    if r.type in S3_BUCKET and not r.is_set("acl") and not r.is_set("grants"):
        return NotApplicable("the bucket sets no inline ACL")
    acl = r.get("acl")
    public = [f"canned ACL '{acl}'"] if acl in PUBLIC_CANNED else []
    public += [f"a grant to {uri.rsplit('/', 1)[1]}" for uri in _grant_uris(r) if uri in PUBLIC_GROUPS]
    if public:
        return NonCompliant(f"{r.title} makes the bucket public through {', '.join(public)}; use the 'private' ACL, "
                            "or better, disable ACLs with BucketOwnershipControls object_ownership "
                            "'BucketOwnerEnforced'.")
    return Compliant()


RULE = ResourceRule(
    name="s3-bucket-no-public-acl",
    description="S3 bucket ACLs do not grant access to AllUsers or AuthenticatedUsers.",
    resource_types=(*S3_ACL, *S3_BUCKET),
    controls=("FSBP S3.2", "FSBP S3.3", "CKV_AWS_20", "CKV_AWS_57", "CKV_AWS_375"),
    enforcement_level="mandatory",
    severity="critical",
    check=check,
)
