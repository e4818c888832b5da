"""Compute Engine VMs as rules see them: `compute.Instance`, `InstanceTemplate`, `RegionInstanceTemplate` and
`InstanceFromTemplate` share the inputs the rules read (pulumi-gcp 10.x `compute/instance.py`,
`compute/instance_template.py`): `metadata` (a map of strings), `networkInterfaces[].accessConfigs` /
`ipv6AccessConfigs`, and `serviceAccount {email, scopes}`.

Metadata booleans are strings. Compute Engine's guides set `enable-oslogin`, `block-project-ssh-keys` and
`serial-port-enable` to `TRUE` / `FALSE` (cloud.google.com/compute/docs/oslogin/set-up-oslogin,
cloud.google.com/compute/docs/connect/restrict-ssh-keys,
cloud.google.com/compute/docs/troubleshooting/troubleshooting-using-serial-console); the rules read them
case-insensitively and take `1` / `0` too, so a spelling variant cannot slip past them.
"""

from __future__ import annotations

import re

from .rule import ResourceView

TRUE_VALUES = frozenset({"true", "1"})
FALSE_VALUES = frozenset({"false", "0"})

# The Compute Engine default service account: PROJECT_NUMBER-compute@developer.gserviceaccount.com
# (cloud.google.com/compute/docs/access/service-accounts#default_service_account).
DEFAULT_SERVICE_ACCOUNT = re.compile(r"^\d+-compute@developer\.gserviceaccount\.com$")


def metadata_flag(r: ResourceView, key: str) -> bool | None:
    """A metadata key read as a boolean: True, False, or None when absent or not a boolean word. Reads a VM's or
    the project's `metadata` map, or a `compute.ProjectMetadataItem` (`key`, `value`) that sets this key."""
    if r.type == "gcp:compute/projectMetadataItem:ProjectMetadataItem":
        value = r.get("value") if r.get("key") == key else None
    else:
        value = r.get("metadata", key)
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    word = value.strip().lower()
    return True if word in TRUE_VALUES else False if word in FALSE_VALUES else None


def external_interfaces(r: ResourceView) -> list[int]:
    """Indexes of network interfaces with an external IPv4 (`accessConfigs`) or IPv6 (`ipv6AccessConfigs`)."""
    return [i for i in range(len(r.items("networkInterfaces")))
            if r.items("networkInterfaces", i, "accessConfigs") or r.items("networkInterfaces", i, "ipv6AccessConfigs")]
