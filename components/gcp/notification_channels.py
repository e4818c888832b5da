"""Where alerts and budget notifications go on GCP: one Cloud Monitoring email channel per address.

Each `notifications.emails` address becomes a notification channel of type `email` (label
`email_address`, Cloud Monitoring API, notificationChannelDescriptors `email`). `ids` (the channels'
resource names, `projects/<p>/notificationChannels/<n>`) is what alert policies and billing budgets take.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from .common import GcpContext


@dataclass(frozen=True)
class NotificationChannelsArgs:
    context: GcpContext
    emails: Sequence[str] = ()


class NotificationChannels(pulumi.ComponentResource):
    """`lz:gcp:NotificationChannels`: an email channel per address."""

    def __init__(self, name: str, args: NotificationChannelsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:NotificationChannels", name, None, opts)
        ctx = args.context
        self.channels = [
            gcp.monitoring.NotificationChannel(
                f"{name}-email-{i}", project=ctx.project, type="email", display_name=f"{ctx.prefix} alerts: {email}",
                labels={"email_address": email}, user_labels=dict(ctx.labels),
                opts=pulumi.ResourceOptions(parent=self))
            for i, email in enumerate(args.emails)
        ]
        self.ids: list[pulumi.Output[str]] = [c.name for c in self.channels]
        self.register_outputs({"channels": self.ids})
