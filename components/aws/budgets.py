"""AWS Budgets: one cost budget for the environment and one per team, filtered by cost-allocation tags.

Every taggable resource carries the `environment` and `team` tags (AwsContext.tagged); a budget follows
the spend of the resources whose tag has the given value. AWS Budgets cost filters name a tag as
`TagKeyValue` with values `user:<key>$<value>` (pulumi_aws budgets.Budget docstring, "Create a cost filter
using resource tags": `user:business-unit$human_resources`; user-defined tags carry the `user:` prefix).

Before a tag filters anything, the key must be activated as a cost allocation tag. The landing zone does not
create `aws.costexplorer.CostAllocationTag`: a key can only be activated once it shows in billing data, "up to
24 hours" after the tags are first applied (pulumi_aws CostAllocationTag docs), so the first `pulumi up` would
fail; in an AWS Organization activation belongs to the account that pays. docs/cost.md says what to activate.

Notifications: one per threshold (a budget takes up to 10), each to the configured email addresses (up to
10) and, when the landing zone is given one, an SNS topic (one per notification): AWS Cost Management API
reference, NotificationWithSubscribers / Notification ("A budget can have up to ten notifications. ... A
notification can have one SNS subscriber and up to 10 email subscribers").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config.model import BudgetThreshold

from .common import AwsContext

MAX_NOTIFICATIONS = 10   # per budget
MAX_EMAILS = 10          # email subscribers per notification
_NOTIFICATION_TYPE = {"actual": "ACTUAL", "forecasted": "FORECASTED"}


def tag_filter(key: str, value: str) -> str:
    """A `TagKeyValue` cost-filter value for a user-defined tag."""
    return f"user:{key}${value}"


def notification_specs(thresholds: Sequence[BudgetThreshold]) -> list[tuple[str, float]]:
    """(notification type, percent) of each threshold, in config order."""
    if len(thresholds) > MAX_NOTIFICATIONS:
        raise ValueError(f"AWS budgets take at most {MAX_NOTIFICATIONS} notifications, got {len(thresholds)}")
    return [(_NOTIFICATION_TYPE[t.spend], t.percent) for t in thresholds]


def limit_amount(usd: float) -> str:
    """Budgets take the amount as a decimal string."""
    return f"{usd:.2f}"


@dataclass(frozen=True)
class BudgetsArgs:
    context: AwsContext
    environment: str
    environment_usd: float | None          # budget.maxMonthlyUsd
    team_usd: Mapping[str, float]          # team -> USD per month (components.finops.team_budgets)
    thresholds: Sequence[BudgetThreshold]
    emails: Sequence[str] = ()
    sns_topic_arn: pulumi.Input[str] | None = None  # wired by the landing zone when alerts have a topic


class Budgets(pulumi.ComponentResource):
    def __init__(self, name: str, args: BudgetsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:Budgets", name, None, opts)
        ctx = args.context
        child = pulumi.ResourceOptions(parent=self)
        if len(args.emails) > MAX_EMAILS:
            raise ValueError(f"AWS budget notifications take at most {MAX_EMAILS} email subscribers")
        specs = notification_specs(args.thresholds)
        subscribed = bool(args.emails) or args.sns_topic_arn is not None
        notifications = [
            aws.budgets.BudgetNotificationArgs(
                comparison_operator="GREATER_THAN", notification_type=kind, threshold=percent,
                threshold_type="PERCENTAGE", subscriber_email_addresses=list(args.emails) or None,
                subscriber_sns_topic_arns=[args.sns_topic_arn] if args.sns_topic_arn is not None else None)
            for kind, percent in specs
        ] if subscribed else None

        def budget(suffix: str, usd: float, tag: tuple[str, str], **extra: str) -> aws.budgets.Budget:
            return aws.budgets.Budget(
                f"{name}-{suffix}",
                name=f"{ctx.prefix}-{suffix}",
                budget_type="COST",
                time_unit="MONTHLY",
                limit_amount=limit_amount(usd),
                limit_unit="USD",
                cost_filters=[aws.budgets.BudgetCostFilterArgs(name="TagKeyValue", values=[tag_filter(*tag)])],
                notifications=notifications,
                tags=ctx.tagged(f"{ctx.prefix}-{suffix}", **extra),
                opts=child)

        self.environment: aws.budgets.Budget | None = None
        if args.environment_usd is not None:
            self.environment = budget("environment", args.environment_usd, ("environment", args.environment))
        self.teams = {team: budget(f"team-{team}", usd, ("team", team), team=team)
                      for team, usd in args.team_usd.items()}
        self.register_outputs({
            "environmentBudget": self.environment.name if self.environment else None,
            "teamBudgets": {team: b.name for team, b in self.teams.items()},
        })
