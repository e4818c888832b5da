"""EFS access points enforce a POSIX user (`posix_user` with `uid` and `gid`).

Without one, each client's own user and group IDs apply, so a container running as root reads and writes
every file under the access point's root (Security Hub FSBP EFS.4, "EFS access points should enforce a
user identity").
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import EFS_ACCESS_POINT


def check(r: ResourceView):
    if r.is_set("posixUser", "uid") and r.is_set("posixUser", "gid"):
        return Compliant()
    return NonCompliant(f"{r.title} lets clients act with their own user IDs (root included); set posix_user with the "
                        "uid and gid the team's files belong to.")


RULE = ResourceRule(
    name="efs-access-point-enforces-user",
    description="EFS access points enforce a POSIX user identity.",
    resource_types=EFS_ACCESS_POINT,
    controls=("FSBP EFS.4", "CKV_AWS_330"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
