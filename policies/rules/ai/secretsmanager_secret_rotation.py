"""Every Secrets Manager secret has automatic rotation configured (`aws.secretsmanager.SecretRotation`).

A stack rule that fails closed: rotation is a separate resource, matched to the secret through its
`secret_id` (the property dependency the engine records, or the secret's literal name / ARN); a secret
with no rotation resource, or whose rotation sets `rotation_enabled=False`, is reported against the secret
(Security Hub FSBP SecretsManager.1, checkov CKV2_AWS_57).

Advisory by default and in dev and staging, mandatory in prod (policies/config): a secret the service cannot
rotate by itself (a third-party API token such as a Hugging Face or W&B key) needs a rotation Lambda that
re-issues it through the issuer's API.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.types import SECRET, SECRET_ROTATION


def _rotations(view: StackView, secret) -> list:
    names = {v for v in (secret.known("name"), secret.known("arn")) if isinstance(v, str) and v}
    return [rot for rot in view.of_type(*SECRET_ROTATION)
            if rot.depends_on(secret.urn, "secretId") or rot.known("secretId") in names]


def check_stack(view: StackView):
    secrets = view.of_type(*SECRET)
    if not secrets:
        return NotApplicable("the stack has no Secrets Manager secrets")
    out = []
    for secret in secrets:
        rotations = _rotations(view, secret)
        if not rotations:
            out.append((secret.urn, f"{secret.title} has no rotation in the stack; add an aws.secretsmanager."
                                    "SecretRotation for it with a rotation Lambda and rotation_rules (or rotate the "
                                    "value by hand if the issuer offers no API)."))
        for rotation in rotations:
            if rotation.flag("rotationEnabled") is False:
                out.append((rotation.urn, f"{rotation.title} turns rotation off for '{secret.name}'; set "
                                          "rotation_enabled=True."))
    return out


RULE = StackRule(
    name="secretsmanager-secret-rotation",
    description="Every Secrets Manager secret has a SecretRotation that is enabled.",
    resource_types=(*SECRET, *SECRET_ROTATION),
    controls=("FSBP SecretsManager.1", "CKV2_AWS_57"),
    enforcement_level="advisory",
    severity="medium",
    check_stack=check_stack,
)
