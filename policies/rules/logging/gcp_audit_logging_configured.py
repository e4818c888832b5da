"""A GCP stack turns on Data Access audit logs and exports logs through a sink, unless an
organisation-level audit config and sink outside the stack cover it (`organizationAuditLogging`).

A stack rule reporting against the stack: what is missing is a resource, not a setting.
"""

from lzpolicy import NotApplicable, StackRule, StackView
from lzpolicy.types import GCP_AUDIT_CONFIG, GCP_LOG_SINK


def check_stack(view: StackView):
    if "gcp" not in view.packages():
        return NotApplicable("the stack has no GCP resources")
    if view.config.get("organizationAuditLogging") is True:
        return NotApplicable("organisation-level audit logging outside this stack covers the project")
    missing = []
    if not view.of_type(*GCP_AUDIT_CONFIG):
        missing.append("no IAM audit config (gcp.projects.IAMAuditConfig for allServices)")
    if not view.of_type(*GCP_LOG_SINK):
        missing.append("no log sink (gcp.logging.ProjectSink to a locked bucket or BigQuery)")
    if not missing:
        return []
    return [(view.stack_urn, f"{view.stack_title} creates GCP resources but has {' and '.join(missing)}; add them, or set "
                             "organizationAuditLogging: true in the policy config if the organisation provides both.")]


RULE = StackRule(
    name="gcp-audit-logging-configured",
    description="A GCP stack has an IAM audit config and a log sink (or declares organisation-level ones).",
    resource_types=(*GCP_AUDIT_CONFIG, *GCP_LOG_SINK),
    controls=("CIS-GCP-3.0 2.1", "CIS-GCP-3.0 2.2", "CKV2_GCP_5"),
    enforcement_level="mandatory",
    severity="medium",
    config_properties={"organizationAuditLogging": {
        "type": "boolean", "default": False,
        "description": "True when an organisation-level audit config and sink outside this stack cover it."}},
    check_stack=check_stack,
)
