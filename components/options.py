"""Resource options, made one way by every component on every cloud.

Pulumi does not pass a component's `depends_on` to its children, so a component hands its own (on GCP,
the project's API enablement) down explicitly through `child()`. `stateful()` adds protect +
retainOnDelete for resources that hold data when the stack protects stateful resources (prod).
`AwsContext.stateful` and `GcpContext.stateful` delegate here.
"""

from __future__ import annotations

from typing import Any

import pulumi


def child(parent: pulumi.Resource, opts: pulumi.ResourceOptions | None, **extra: Any) -> pulumi.ResourceOptions:
    """Options for a child of `parent`: parented, and waiting on whatever the parent was told to wait on."""
    inherited = opts.depends_on if opts else None
    depends_on = [inherited] if isinstance(inherited, pulumi.Resource) else list(inherited or [])
    depends_on += list(extra.pop("depends_on", []) or [])
    return pulumi.ResourceOptions(parent=parent, depends_on=depends_on or None, **extra)


def stateful(parent: pulumi.Resource, opts: pulumi.ResourceOptions | None, protect: bool,
             **extra: Any) -> pulumi.ResourceOptions:
    """Options for a resource that holds data: protected and kept on delete when `protect` is set."""
    return child(parent, opts, protect=protect, retain_on_delete=protect, **extra)
