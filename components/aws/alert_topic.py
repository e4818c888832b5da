"""Where alerts and budget notifications go on AWS: one SNS topic, encrypted, with email subscriptions.

- The topic is encrypted with its own customer-managed key (rotated yearly). SNS encrypts messages with
  it, so every service that publishes must be able to use the key: the key policy lets Amazon Managed
  Service for Prometheus (`aps.amazonaws.com`, its alert manager) and AWS Budgets
  (`budgets.amazonaws.com`) call kms:GenerateDataKey* and kms:Decrypt, pinned to this account
  (AMP user guide, "Permission to send alert messages to your Amazon SNS topic"; AWS Budgets user guide,
  "Creating an Amazon SNS topic for budget notifications", encrypted topics).
- The topic policy keeps the account's own management statement (the principal is the account, never
  `*`), and lets those two services publish with `aws:SourceAccount` pinned (confused deputy).
- One email subscription per `notifications.emails` address. AWS sends each address a confirmation
  message; a subscription delivers only once the person confirms it (SNS developer guide, "Email
  notifications"), which Pulumi cannot do for them: `pendingConfirmation` is read back by the cloud.

`topic_arn` is what the budgets component and the AMP alert manager take.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .common import AwsContext, Statement, policy

# The services that publish to the topic (and so must use its key).
ALERT_MANAGER_SERVICE = "aps.amazonaws.com"
BUDGETS_SERVICE = "budgets.amazonaws.com"
PUBLISHERS = (ALERT_MANAGER_SERVICE, BUDGETS_SERVICE)
# The account owner's topic permissions, as SNS's default topic policy lists them (SNS developer guide,
# "Example cases for Amazon SNS access control").
OWNER_ACTIONS = ("SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
                 "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish")


def key_statements(ctx: AwsContext) -> list[Statement]:
    """The topic key's policy: the account administers it; the publishing services may encrypt with it."""
    return [
        {"Sid": "AccountAdministration", "Effect": "Allow", "Principal": {"AWS": ctx.root_arn},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "AlertPublishersEncrypt", "Effect": "Allow", "Principal": {"Service": list(PUBLISHERS)},
         "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}}},
    ]


def topic_statements(ctx: AwsContext, topic_arn: pulumi.Input[str]) -> list[Statement]:
    return [
        {"Sid": "AccountOwner", "Effect": "Allow", "Principal": {"AWS": ctx.root_arn},
         "Action": list(OWNER_ACTIONS), "Resource": topic_arn},
        {"Sid": "PrometheusAlertManagerPublishes", "Effect": "Allow",
         "Principal": {"Service": ALERT_MANAGER_SERVICE},
         "Action": ["sns:Publish", "sns:GetTopicAttributes"], "Resource": topic_arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id},
                       "ArnLike": {"aws:SourceArn": ctx.arn("aps", "workspace/*")}}},
        {"Sid": "BudgetsPublishes", "Effect": "Allow", "Principal": {"Service": BUDGETS_SERVICE},
         "Action": "sns:Publish", "Resource": topic_arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id},
                       "ArnLike": {"aws:SourceArn": f"arn:{ctx.partition}:budgets::{ctx.account_id}:*"}}},
    ]


@dataclass(frozen=True)
class AlertTopicArgs:
    context: AwsContext
    emails: Sequence[str] = ()


class AlertTopic(pulumi.ComponentResource):
    """`lz:aws:AlertTopic`: the SNS topic alerts and budgets publish to, and who it emails."""

    def __init__(self, name: str, args: AlertTopicArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:aws:AlertTopic", name, None, opts)
        ctx = args.context
        child = pulumi.ResourceOptions(parent=self)
        self.key = aws.kms.Key(
            f"{name}-key", description=f"{ctx.prefix}: alerts (SNS topic, managed Prometheus workspace)",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=pulumi.Output.json_dumps(policy(key_statements(ctx))),
            tags=ctx.tagged(f"{ctx.prefix}-alerts", purpose="alerts"), opts=ctx.stateful(self))
        aws.kms.Alias(f"{name}-key", name=f"alias/{ctx.prefix}-alerts", target_key_id=self.key.key_id, opts=child)
        topic_name = f"{ctx.prefix}-alerts"
        # Composed, not read back (known offline, so the policy can be checked at plan time).
        topic_arn = ctx.arn("sns", topic_name)
        self.topic = aws.sns.Topic(
            f"{name}-topic", name=topic_name, display_name=f"{ctx.prefix} alerts",
            kms_master_key_id=self.key.arn, tags=ctx.tagged(f"{ctx.prefix}-alerts"), opts=child)
        self.topic_arn = self.topic.arn
        self.policy = aws.sns.TopicPolicy(
            f"{name}-policy", arn=self.topic.arn, policy=pulumi.Output.json_dumps(policy(topic_statements(ctx, topic_arn))),
            opts=child)
        self.subscriptions = [
            aws.sns.TopicSubscription(f"{name}-email-{i}", topic=self.topic.arn, protocol="email", endpoint=email,
                                      opts=child)
            for i, email in enumerate(args.emails)
        ]
        self.register_outputs({"topicArn": self.topic.arn, "keyArn": self.key.arn,
                               "emails": list(args.emails)})
