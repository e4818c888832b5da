"""GPU alerts on GKE: Cloud Monitoring alert policies with PromQL conditions, to the email channels.

GKE's managed DCGM package writes `DCGM_FI_DEV_*` to Managed Service for Prometheus (cluster
monitoringConfig component `DCGM`, components/gcp/cluster.py); Cloud Monitoring evaluates PromQL over that
data directly (Cloud Monitoring, "Alerting policies with PromQL"), so alerting needs no in-cluster rule
evaluator. One policy per alert rule of components/telemetry/rules.py (the same expressions and
thresholds as on EKS and brought clusters), condition `condition_prometheus_query_language` with the
rule's `for` as `duration`, and the rule's text as the policy documentation: Prometheus template
references to labels become Cloud Monitoring documentation variables (`${metric.label.KEY}`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.telemetry.rules import ALERT_GROUP, RULE_INTERVAL, Rule

SEVERITIES = {"critical": "CRITICAL", "warning": "WARNING"}  # AlertPolicy.severity values
_LABEL_REF = re.compile(r"\{\{\s*\$labels\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_VALUE_REF = re.compile(r"\{\{[^}]*\$value[^}]*\}\}")


def documentation_text(text: str) -> str:
    """Prometheus annotation text as Cloud Monitoring documentation: label references become
    `${metric.label.KEY}`; the value (which Cloud Monitoring shows in the incident) becomes 'the value'."""
    return _VALUE_REF.sub("the value", _LABEL_REF.sub(r"${metric.label.\1}", text))


def _seconds(duration: str) -> str:
    """'1m' -> '60s': AlertPolicy durations are in seconds."""
    unit = {"s": 1, "m": 60, "h": 3600}[duration[-1]]
    return f"{int(duration[:-1]) * unit}s"


def policy_name(rule: Rule) -> str:
    labels = dict(rule.labels)
    scope = labels.get("pool") or labels.get("team") or labels.get("scope")
    return f"{rule.alert} {scope}" if scope else str(rule.alert)


@dataclass(frozen=True)
class GpuAlertsArgs:
    project: str
    prefix: str
    rules: Sequence[Rule]
    notification_channels: Sequence[pulumi.Input[str]]
    user_labels: dict[str, str]


class GpuAlerts(pulumi.ComponentResource):
    """`lz:gcp:GpuAlerts`: one alert policy per generated alert rule."""

    def __init__(self, name: str, args: GpuAlertsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:GpuAlerts", name, None, opts)
        self.policies = []
        for i, rule in enumerate(args.rules):
            if rule.alert is None:
                raise ValueError(f"rule {i} is a recording rule; GpuAlerts takes alert rules")
            labels = dict(rule.labels)
            annotations = dict(rule.annotations)
            self.policies.append(gcp.monitoring.AlertPolicy(
                f"{name}-{i}", project=args.project, display_name=f"{args.prefix} {policy_name(rule)}",
                combiner="OR",
                conditions=[gcp.monitoring.AlertPolicyConditionArgs(
                    display_name=policy_name(rule),
                    condition_prometheus_query_language=gcp.monitoring.AlertPolicyConditionConditionPrometheusQueryLanguageArgs(
                        query=rule.expr, duration=f"{rule.for_minutes * 60}s",
                        evaluation_interval=_seconds(RULE_INTERVAL), rule_group=ALERT_GROUP, alert_rule=rule.alert,
                        labels=labels,
                        # GPU pools scale from zero: DCGM series exist only once a GPU node runs, and the
                        # API refuses a policy on a metric it has not seen unless validation is off.
                        disable_metric_validation=True))],
                documentation=gcp.monitoring.AlertPolicyDocumentationArgs(
                    subject=documentation_text(annotations.get("summary", rule.alert))[:255],
                    content=documentation_text(annotations.get("description", "")), mime_type="text/markdown"),
                notification_channels=list(args.notification_channels),
                severity=SEVERITIES.get(labels.get("severity", "")),
                user_labels={**args.user_labels, **{k: v for k, v in labels.items() if k != "value_unit"}},
                opts=pulumi.ResourceOptions(parent=self)))
        self.register_outputs({"policies": [p.name for p in self.policies]})
