"""GCP billing budgets: one for the environment's project and one per team, on the project's billing account.

Filters (pulumi_gcp billing.Budget, `budget_filter`): `projects` takes `projects/{project_number}`; `labels`
takes "a single label and value pair", so a team budget filters the project and `team=<team>` (every
labelled resource carries the GCP-safe `team` label, `GcpContext.labelled`). The amount is a
`specified_amount` in USD (`currency_code` must match the billing account's currency: a billing account in
another currency rejects the budget). Threshold rules are 1.0-based (`threshold_percent` 0.8 = 80%) with
`spend_basis` CURRENT_SPEND or FORECASTED_SPEND.

Who hears of it: billing account administrators and users always (default IAM recipients stay on), plus
the Cloud Monitoring notification channels the landing zone passes in (at most 5, `all_updates_rule`).
Email addresses reach a budget only through such channels, which the alerting layer builds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.config.model import BudgetThreshold, gcp_labels

from .common import GcpContext

MAX_CHANNELS = 5  # monitoring_notification_channels per budget (pulumi_gcp BudgetAllUpdatesRule docstring)
_SPEND_BASIS = {"actual": "CURRENT_SPEND", "forecasted": "FORECASTED_SPEND"}


def threshold_rules(thresholds: Sequence[BudgetThreshold]) -> list[tuple[float, str]]:
    """(1.0-based fraction, spend basis) of each threshold, in config order."""
    return [(t.percent / 100, _SPEND_BASIS[t.spend]) for t in thresholds]


def money(usd: float) -> tuple[str, int]:
    """(units, nanos) of a USD amount, as google.type.Money wants it."""
    cents = round(usd * 100)
    return str(cents // 100), (cents % 100) * 10_000_000


@dataclass(frozen=True)
class BudgetsArgs:
    context: GcpContext
    billing_account: str
    environment_usd: float | None
    team_usd: Mapping[str, float]
    thresholds: Sequence[BudgetThreshold]
    notification_channels: Sequence[pulumi.Input[str]] = field(default_factory=tuple)  # wired by the lead


class Budgets(pulumi.ComponentResource):
    def __init__(self, name: str, args: BudgetsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:Budgets", name, None, opts)
        ctx = args.context
        child = pulumi.ResourceOptions(parent=self)
        if len(args.notification_channels) > MAX_CHANNELS:
            raise ValueError(f"a GCP budget takes at most {MAX_CHANNELS} notification channels")
        project = pulumi.Output.from_input(ctx.project_number).apply(lambda n: f"projects/{n}")
        rules = [gcp.billing.BudgetThresholdRuleArgs(threshold_percent=fraction, spend_basis=basis)
                 for fraction, basis in threshold_rules(args.thresholds)]
        updates = gcp.billing.BudgetAllUpdatesRuleArgs(
            monitoring_notification_channels=list(args.notification_channels),
            disable_default_iam_recipients=False) if args.notification_channels else None

        def budget(suffix: str, usd: float, labels: dict[str, str] | None) -> gcp.billing.Budget:
            units, nanos = money(usd)
            return gcp.billing.Budget(
                f"{name}-{suffix}",
                billing_account=args.billing_account,
                display_name=ctx.physical_name(suffix),
                amount=gcp.billing.BudgetAmountArgs(specified_amount=gcp.billing.BudgetAmountSpecifiedAmountArgs(
                    currency_code="USD", units=units, nanos=nanos)),
                budget_filter=gcp.billing.BudgetBudgetFilterArgs(
                    projects=[project], labels=labels, calendar_period="MONTH"),
                threshold_rules=rules,
                all_updates_rule=updates,
                opts=child)

        self.environment: gcp.billing.Budget | None = None
        if args.environment_usd is not None:
            self.environment = budget("environment", args.environment_usd, None)
        self.teams = {team: budget(f"team-{team}", usd, gcp_labels({"team": team}))
                      for team, usd in args.team_usd.items()}
        self.register_outputs({
            "environmentBudget": self.environment.name if self.environment else None,
            "teamBudgets": {team: b.name for team, b in self.teams.items()},
        })
