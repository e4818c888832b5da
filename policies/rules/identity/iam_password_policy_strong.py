"""The account password policy, when a stack sets it, is at least as strong as CIS AWS Foundations asks:
a minimum length of 14 (1.8) and no reuse of the last 24 passwords (1.9).

Only judged where `aws.iam.AccountPasswordPolicy` is declared: the landing zone has no IAM users and
leaves the account's policy to the organisation's baseline, but a stack that manages it must not weaken it.
An unset field takes the IAM API's default (no reuse prevention; a short minimum length), which fails.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import ACCOUNT_PASSWORD_POLICY

# CIS Amazon Web Services Foundations Benchmark 3.0: 1.8 minimum length >= 14, 1.9 reuse prevention 24.
MIN_LENGTH = 14
REUSE_PREVENTION = 24


def check(r: ResourceView):
    problems = []
    length = r.number("minimumPasswordLength")
    if length is None or length < MIN_LENGTH:
        problems.append(f"minimum_password_length={'unset' if length is None else int(length)} (needs {MIN_LENGTH})")
    reuse = r.number("passwordReusePrevention")
    if reuse is None or reuse < REUSE_PREVENTION:
        problems.append(f"password_reuse_prevention={'unset' if reuse is None else int(reuse)} "
                        f"(needs {REUSE_PREVENTION})")
    if problems:
        return NonCompliant(f"{r.title} is weaker than CIS asks: {'; '.join(problems)}; set both to at least the "
                            "values named.")
    return Compliant()


RULE = ResourceRule(
    name="iam-password-policy-strong",
    description="An account password policy declared in a stack requires 14+ characters and prevents reuse of 24.",
    resource_types=ACCOUNT_PASSWORD_POLICY,
    controls=("CIS-AWS-3.0 1.8", "CIS-AWS-3.0 1.9", "CKV_AWS_10", "CKV_AWS_13", "FSBP IAM.7",
              "pulumi compliance-policies iam AccountPasswordPolicy minimumPasswordLength, passwordReusePrevention"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
