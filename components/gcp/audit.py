"""Audit logging: Data Access logs for every service, kept in our own log bucket.

Admin Activity logs are always on and free. Data Access logs are off by default; this turns on
ADMIN_READ, DATA_READ and DATA_WRITE for `allServices` with no exempted members (CIS GCP 2.1), which
includes storage.googleapis.com: who read or wrote training data and model artifacts. One config for
all services rather than one per service, because a per-service config next to it adds nothing and the
policy pack requires the all-services form. A project sink copies every audit log entry into a
dedicated log bucket whose retention is `logging.retentionDays`, locked in prod so nobody - the stack
included - can shorten it or delete the bucket early.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.config.model import LoggingConfig
from components.names import PROJECT
from components.options import child

from .common import GcpContext

AUDIT_CONFIGS = {"allServices": ("ADMIN_READ", "DATA_READ", "DATA_WRITE")}
AUDIT_FILTER = 'logName:"cloudaudit.googleapis.com"'


@dataclass(frozen=True)
class AuditLoggingArgs:
    ctx: GcpContext
    logging: LoggingConfig


class AuditLogging(pulumi.ComponentResource):
    """`lz:gcp:AuditLogging`: `.audit_configs`, `.log_bucket`, `.sink`."""

    def __init__(self, name: str, args: AuditLoggingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:AuditLogging", name, None, opts)
        ctx = args.ctx
        project = ctx.project
        self.audit_configs = [
            gcp.projects.IAMAuditConfig(
                f"{name}-{service.split('.')[0].lower()}", project=project, service=service,
                audit_log_configs=[gcp.projects.IAMAuditConfigAuditLogConfigArgs(log_type=t) for t in types],
                opts=child(self, opts))
            for service, types in AUDIT_CONFIGS.items()
        ]
        bucket_id = ctx.physical_name("audit")
        self.log_bucket = gcp.logging.ProjectBucketConfig(
            f"{name}-bucket", project=project, location=ctx.region, bucket_id=bucket_id,
            retention_days=args.logging.retention_days, locked=ctx.is_prod,
            description=f"{PROJECT} audit logs", opts=ctx.stateful(self, opts))
        self.sink = gcp.logging.ProjectSink(
            f"{name}-sink", project=project, filter=AUDIT_FILTER, unique_writer_identity=True,
            destination=pulumi.Output.concat("logging.googleapis.com/projects/", project, "/locations/",
                                             ctx.region, "/buckets/", bucket_id),
            description="audit logs to the locked audit log bucket",
            opts=child(self, opts, depends_on=[self.log_bucket]))
        self.register_outputs({"log_bucket": self.log_bucket.id, "sink": self.sink.name})
