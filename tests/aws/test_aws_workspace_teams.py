"""A team owned by a team-workspace project: the landing zone keeps its ClusterQueue, not its namespace."""

from aws_plans import plan_aws

from lz.testing import inputs, of_type


def test_workspace_managed_team_keeps_its_cluster_queue_but_not_its_namespace_or_role():
    result = plan_aws({
        "gpuPools": [{"name": "infer", "instanceType": "g6e.xlarge", "maxNodes": 2}],
        "teams": [{"name": "vision", "costCenter": "cv", "gpuQuota": {"infer": 1}},
                  {"name": "speech", "costCenter": "sp", "gpuQuota": {"infer": 1}, "managedBy": "workspace"}],
    })
    namespaces = {inputs(r)["metadata"]["name"] for r in of_type(result, "kubernetes:core/v1:Namespace")}
    assert "vision" in namespaces and "speech" not in namespaces
    queues = {inputs(r)["metadata"]["name"]
              for r in of_type(result, "kubernetes:kueue.x-k8s.io/v1beta1:ClusterQueue")}
    assert {"vision", "speech"} <= queues
    roles = [r.name for r in of_type(result, "aws:iam/role:Role")]
    assert any("team-vision" in n for n in roles)
    assert not any("team-speech" in n for n in roles)
