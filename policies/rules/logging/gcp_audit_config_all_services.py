"""GCP audit configs log admin reads and data reads and writes for all services, exempting no one.

Admin Activity logs are always on; Data Access logs (ADMIN_READ, DATA_READ, DATA_WRITE) are off by
default and are how reads of training data and model artifacts become visible.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import GCP_AUDIT_CONFIG

LOG_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")


def check(r: ResourceView):
    problems = []
    service = r.get("service")
    if service != "allServices":
        problems.append(f"covers {service} only")
    configs = [c for c in r.items("auditLogConfigs") if isinstance(c, dict)]
    enabled = {c.get("logType") for c in configs}
    missing = [t for t in LOG_TYPES if t not in enabled]
    if missing:
        problems.append(f"does not log {', '.join(missing)}")
    exempted = sorted({m for c in configs for m in (c.get("exemptedMembers") or [])})
    if exempted:
        problems.append(f"exempts {', '.join(map(str, exempted))}")
    if problems:
        return NonCompliant(f"{r.title} {'; '.join(problems)}; set service 'allServices' with audit_log_configs for "
                            "ADMIN_READ, DATA_READ and DATA_WRITE and no exempted members.")
    return Compliant()


RULE = ResourceRule(
    name="gcp-audit-config-all-services",
    description="GCP audit configs cover allServices with ADMIN_READ, DATA_READ and DATA_WRITE and no exemptions.",
    resource_types=GCP_AUDIT_CONFIG,
    controls=("CIS-GCP-3.0 2.1", "CKV2_GCP_5"),
    enforcement_level="mandatory",
    severity="medium",
    check=check,
)
