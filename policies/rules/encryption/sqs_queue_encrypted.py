"""SQS queues keep server-side encryption on. New queues are encrypted with SQS-owned keys (SSE-SQS) by
default since AWS made it the default for queues created over HTTPS, so a queue passes unless its
program turns SSE-SQS off (`sqs_managed_sse_enabled=False`) without setting a KMS key
(`kms_master_key_id`). Sources: AWS Compute Blog, "Announcing server-side encryption with Amazon SQS
managed encryption keys (SSE-SQS) by default"; pulumi_aws.sqs.Queue docs (sqs_managed_sse_enabled,
kms_master_key_id); AWS Security Hub FSBP SQS.1.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import SQS_QUEUE


def check(r: ResourceView):
    if r.flag("sqsManagedSseEnabled") is False and not r.is_set("kmsMasterKeyId"):
        return NonCompliant(f"{r.title} turns server-side encryption off (sqs_managed_sse_enabled=False, no "
                            "kms_master_key_id); remove that argument, or set kms_master_key_id.")
    return Compliant()


RULE = ResourceRule(
    name="sqs-queue-encrypted",
    description="SQS queues do not turn server-side encryption off.",
    resource_types=SQS_QUEUE,
    controls=("FSBP SQS.1", "CKV_AWS_27"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
