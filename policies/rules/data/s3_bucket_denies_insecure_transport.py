"""Every S3 bucket's policy denies requests that do not use TLS (`aws:SecureTransport` false).

A stack rule: the bucket policy is a separate resource (`aws.s3.BucketPolicy`) matched to the bucket
through its `bucket` input; the bucket's inline `policy` (v6 / v7 Bucket) counts too. A bucket with
no policy, or whose policy has no such Deny statement, is reported against the bucket.
"""

from lzpolicy import NotApplicable, StackRule, StackView, policydoc
from lzpolicy.s3 import bucket_companions
from lzpolicy.types import S3_BUCKET, S3_POLICY


def denies_insecure_transport(document) -> bool:
    try:
        statements = policydoc.parse(document)
    except policydoc.PolicyDocumentError:
        return False
    return any(st.effect == "Deny" and "false" in st.condition_values("Bool", "aws:SecureTransport")
               and {"*", "s3:*"} & set(st.actions) for st in statements)


def check_stack(view: StackView):
    buckets = view.of_type(*S3_BUCKET)
    if not buckets:
        return NotApplicable("the stack has no S3 buckets")
    out = []
    for bucket in buckets:
        documents = [p.get("policy") for p in bucket_companions(view, bucket, S3_POLICY)]
        if bucket.is_set("policy"):
            documents.append(bucket.get("policy"))
        if any(denies_insecure_transport(d) for d in documents):
            continue
        what = "has a policy without" if documents else "has no bucket policy with"
        out.append((bucket.urn, f"{bucket.title} {what} a Deny for requests where aws:SecureTransport is false; add "
                                "a statement denying s3:* to Principal '*' on the bucket and its objects under "
                                "Condition Bool aws:SecureTransport 'false'."))
    return out


RULE = StackRule(
    name="s3-bucket-denies-insecure-transport",
    description="Every S3 bucket has a bucket policy denying non-TLS requests (aws:SecureTransport false).",
    resource_types=(*S3_BUCKET, *S3_POLICY),
    controls=("FSBP S3.5", "CIS-AWS-3.0 2.1.1"),
    enforcement_level="mandatory",
    severity="medium",
    check_stack=check_stack,
)
