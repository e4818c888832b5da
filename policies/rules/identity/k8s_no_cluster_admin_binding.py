"""No RoleBinding or ClusterRoleBinding hands out the `cluster-admin` ClusterRole; platform
administrators get it through the cloud's access entries or IAM, not through objects in the stack."""

from lzpolicy import Compliant, NonCompliant, ResourceRule, ResourceView
from lzpolicy.types import K8S_BINDINGS


def check(r: ResourceView):
    if r.get("roleRef", "kind") == "ClusterRole" and r.get("roleRef", "name") == "cluster-admin":
        subjects = [f"{s.get('kind')} {s.get('name')}" for s in r.items("subjects") if isinstance(s, dict)]
        return NonCompliant(f"{r.title} binds cluster-admin to {', '.join(subjects) or 'its subjects'}; bind a role "
                            "with the permissions they need instead.")
    return Compliant()


RULE = ResourceRule(
    name="k8s-no-cluster-admin-binding",
    description="No RoleBinding or ClusterRoleBinding grants the cluster-admin ClusterRole.",
    resource_types=K8S_BINDINGS,
    controls=("CIS-EKS-1.7 4.1.1", "NSA-CISA C-0035"),
    enforcement_level="mandatory",
    severity="high",
    check=check,
)
