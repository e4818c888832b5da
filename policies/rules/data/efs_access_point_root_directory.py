"""EFS access points confine clients to a directory: `root_directory.path` is set and is not `/`.

An access point without a root directory exposes the whole file system to every client that mounts through
it (Security Hub FSBP EFS.3, "EFS access points should enforce a root directory"); a team's access point
should expose the team's directory only.
"""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import EFS_ACCESS_POINT


def check(r: ResourceView):
    path = r.get("rootDirectory", "path")
    if isinstance(path, str) and path.strip() and path.strip().rstrip("/") != "":
        return Compliant()
    return NonCompliant(f"{r.title} exposes the file system's root to its clients; set root_directory.path to the "
                        "team's directory (with creation_info to create it).")


RULE = ResourceRule(
    name="efs-access-point-root-directory",
    description="EFS access points enforce a root directory other than /.",
    resource_types=EFS_ACCESS_POINT,
    controls=("FSBP EFS.3", "CKV_AWS_329"),
    enforcement_level="advisory",
    severity="medium",
    check=check,
)
