"""Acceptance jobs (`lz verify`): the manifests are real, shaped like the golden training job, queued by
Kueue in the acceptance namespace, and pass the pack and the golden-workload journey checks in the plans."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from k8s_helpers import config, schema_check

from components.platform_inputs import GpuPoolHandle
from components.workloads import acceptance as a
from components.workloads.golden import EFA_RESOURCE, pool_shape, training_job
from components.workloads.names import ACCEPTANCE_CONFIGMAP, KUEUE_QUEUE_LABEL
from lz.journeys import _lzpolicy, plan_journeys, stack_view
from lz.testing import committed_plan

NCCL_IMAGE = "public.ecr.aws/example/nccl-tests@sha256:" + "b" * 64


def _config(environment="prod", cloud="aws", pools=None, images=None, teams=None):
    doc = {"environment": environment, "cloud": cloud, "tags": {"costCenter": "ml"},
           "gpuPools": pools or [{"name": "h100", "instanceType": "p5.48xlarge", "maxNodes": 4, "minNodes": 2,
                                  "purpose": "training"},
                                 {"name": "l4", "instanceType": "g6.xlarge", "maxNodes": 2, "purpose": "inference"}],
           "teams": teams or [{"name": "research", "costCenter": "ml", "gpuQuota": {"h100": 16}}]}
    if images:
        doc["kubernetes"] = {"goldenImages": images}
    if environment == "prod" and cloud == "aws":
        doc["logging"] = {"auditReplicaRegion": "us-west-2"}
    if cloud == "gcp":
        doc.update(region="us-central1", gcpProject="proj", network={"zones": ["us-central1-a", "us-central1-b"]})
    return config(doc)


def _handles(cfg):
    from components.catalog import aws_instance_type
    out = []
    for p in cfg.gpu_pools:
        t = aws_instance_type(p.instance_type)
        out.append(GpuPoolHandle(name=p.name, node_labels={"ai-landing-zone/pool": p.name}, gpus_per_node=t.gpu_count,
                                 max_nodes=p.max_nodes, efa=t.efa_capable and p.purpose == "training",
                                 node_cpu=t.vcpu, node_memory_gib=t.memory_gib))
    return out


def _job(job):
    return next(m for m in job.manifests if m["kind"] == "Job")


def test_one_dcgm_job_per_pool_and_an_nccl_job_per_training_pool():
    cfg = _config()
    jobs = a.acceptance_jobs(cfg, _handles(cfg))
    assert [(j.name, j.test, j.nodes) for j in jobs] == [
        ("h100-dcgm", "dcgm-diag", 2),            # the pool's minimum size without live counts
        ("h100-nccl", "nccl-all-reduce", 2),
        ("l4-dcgm", "dcgm-diag", 1)]
    live = a.acceptance_jobs(cfg, _handles(cfg), nodes={"h100": 3, "l4": 0})
    assert [(j.name, j.nodes) for j in live] == [("h100-dcgm", 3), ("h100-nccl", 2)]   # no l4 node: nothing


@pytest.mark.parametrize(("environment", "level"), [("dev", 1), ("staging", 2), ("prod", 3)])
def test_dcgm_level_per_environment(environment, level):
    cfg = _config(environment=environment)
    [dcgm] = [j for j in a.acceptance_jobs(cfg, _handles(cfg)) if j.name == "h100-dcgm"]
    assert f"dcgmi diag -r {level} -j" in _job(dcgm)["spec"]["template"]["spec"]["containers"][0]["args"][0]


def test_the_nccl_job_is_attached_like_the_golden_training_job():
    cfg = _config(images={"ncclTests": NCCL_IMAGE})
    handles = _handles(cfg)
    [nccl] = [j for j in a.acceptance_jobs(cfg, handles) if j.test == "nccl-all-reduce"]
    job = _job(nccl)
    pod = job["spec"]["template"]["spec"]
    [c] = pod["containers"]
    golden = training_job(cfg, cfg.teams[0], pool_shape(cfg, cfg.gpu_pools[0], handles[0]))
    golden_c = _job(golden)["spec"]["template"]["spec"]["containers"][0]
    assert c["resources"] == golden_c["resources"] and c["resources"]["limits"][EFA_RESOURCE] == "32"
    env = {e["name"]: e["value"] for e in c["env"]}
    assert env["FI_PROVIDER"] == "efa" and env["FI_EFA_USE_DEVICE_RDMA"] == "1"
    script = c["args"][0]
    assert "-np 16" in script and "all_reduce_perf -b 8 -e 2147483648 -f 2 -g 1" in script   # the catalog's size
    assert "-x FI_PROVIDER" in script and c["image"] == NCCL_IMAGE
    assert job["spec"]["suspend"] is True and job["metadata"]["labels"][KUEUE_QUEUE_LABEL] == "default"
    assert job["metadata"]["namespace"] == "lz-acceptance" and nccl.ssh_secret == "h100-nccl-ssh"
    assert {"name": "ssh", "secret": {"secretName": "h100-nccl-ssh", "defaultMode": 0o440}} in pod["volumes"]
    assert c["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    assert pod["securityContext"]["runAsNonRoot"] is True


def test_without_images_the_containers_have_none():
    cfg = _config()
    for job in a.acceptance_jobs(cfg, _handles(cfg)):
        assert "image" not in _job(job)["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("version", ["1.31", "1.33"])
def test_manifests_validate_against_the_kubernetes_schema(version):
    cfg = _config(images={"ncclTests": NCCL_IMAGE, "dcgm": NCCL_IMAGE})
    handles = _handles(cfg)
    objects = [m for j in a.acceptance_jobs(cfg, handles) for m in j.manifests]
    assert {m["kind"] for m in objects} == {"Job", "Service"}
    for manifest in objects:
        schema_check(manifest, version)


def test_the_queue_only_borrows_idle_team_quota():
    cfg = _config()
    cq = a.cluster_queue(cfg, _handles(cfg))
    gpu_group = cq["spec"]["resourceGroups"][1]
    assert all(r["nominalQuota"] == 0 and "borrowingLimit" not in r
               for f in gpu_group["flavors"] for r in f["resources"])
    assert cq["spec"]["cohort"] == "gpu-platform"
    assert cq["spec"]["preemption"]["withinClusterQueue"] == "Never"


# --- in the committed plans: published, policy-clean, and every journey runs ----------------------------

@pytest.mark.parametrize("stack", ["prod", "gcp-prod"])
def test_published_acceptance_jobs_pass_the_pack_and_the_journeys(stack):
    plan = committed_plan(stack)
    assert not plan.mandatory, plan.mandatory
    acceptance = [j for j in plan_journeys(plan) if j["team"] == "lz-acceptance"]
    assert acceptance and all(j["verdict"] == "runs" for j in acceptance), acceptance
    names = {j["workload"] for j in acceptance}
    assert "lz-acceptance/h100-train-nccl" in names and "lz-acceptance/h100-train-dcgm" in names
    view = stack_view(plan)
    [cm] = [r for r in view.resources if r.type == "kubernetes:core/v1:ConfigMap"
            and r.known("metadata", "name") == ACCEPTANCE_CONFIGMAP]
    for text in cm.known("data").values():
        for manifest in yaml.safe_load_all(text):
            schema_check(manifest, "1.33")


def test_the_journey_checks_judge_the_acceptance_jobs():
    # Take the acceptance LocalQueue out of the plan: the journeys must see the jobs stay suspended.
    plan = committed_plan("prod")
    view = stack_view(plan)
    journeys = _lzpolicy("journeys")
    kept = [r for r in view.resources if not (r.type.endswith(":LocalQueue")
                                              and r.known("metadata", "namespace") == "lz-acceptance")]
    broken = journeys.journeys(dataclasses.replace(view, resources=kept))
    verdicts = {j.workload.name: (j.verdict, j.failed.name if j.failed else None) for j in broken}
    assert verdicts["lz-acceptance/h100-train-nccl"] == ("fails", "admitted")
    assert verdicts["pretraining/h100-train-train"][0] == "runs"


@pytest.mark.parametrize(("flavour", "env", "expected"), [
    ("none", {}, "all_reduce_perf -b 8 -e 2147483648 -f 2 -g 1"),
    ("tcpxo", {"NCCL_LIB_DIR": "/usr/local/nvidia/lib64"},
     "bash -c '. /usr/local/nvidia/lib64/nccl-env-profile.sh && exec all_reduce_perf -b 8 -e 2147483648 -f 2 -g 1'"),
    ("rdma", {"NCCL_NET": "gIB"},
     "bash -c '. /usr/local/gib/scripts/set_nccl_env.sh && exec all_reduce_perf -b 8 -e 2147483648 -f 2 -g 1'"),
])
def test_gpudirect_ranks_source_the_installed_nccl_profile(flavour, env, expected):
    assert a.nccl_command(flavour, env, 2**31) == expected


def test_gke_nccl_jobs_without_a_figure_run_to_8_gib_and_source_the_profile():
    cfg = _config(cloud="gcp", pools=[{"name": "mega", "instanceType": "a3-megagpu-8g", "maxNodes": 2,
                                       "purpose": "training", "zone": "us-central1-a"}],
                  teams=[{"name": "research", "costCenter": "ml", "gpuQuota": {"mega": 16}}])
    handle = GpuPoolHandle(name="mega", node_labels={"cloud.google.com/gke-nodepool": "mega"}, gpus_per_node=8,
                           max_nodes=2, gpudirect="tcpxo")
    [nccl] = [j for j in a.acceptance_jobs(cfg, [handle]) if j.test == "nccl-all-reduce"]
    assert a.nccl_threshold(cfg, cfg.gpu_pools[0]) is None
    pod = _job(nccl)["spec"]["template"]["spec"]
    script = pod["containers"][0]["args"][0]
    assert "nccl-env-profile.sh && exec all_reduce_perf -b 8 -e 8589934592" in script
    assert [c["name"] for c in pod["initContainers"]] == ["tcpxo-daemon"]   # the RxDM sidecar, as golden
    for manifest in nccl.manifests:
        schema_check(manifest, "1.33")


# --- the acceptance Jobs themselves, registered as workloads, through the real policy pack ---------------

PACK_PROGRAM = '''
import pulumi
import pulumi_kubernetes as k8s

from components.config import validate_config
from components.k8s.acceptance import namespace_manifests
from components.k8s.objects import create
from components.platform_inputs import GpuPoolHandle
from components.workloads import acceptance as a

config = validate_config(DOC, "stacks/Pulumi.t.yaml")
handles = [GpuPoolHandle(**h) for h in HANDLES]
opts = pulumi.ResourceOptions(provider=k8s.Provider("k8s", kubeconfig="{}"))
for m in namespace_manifests(config, handles):
    create(f"acceptance-{m['kind'].lower()}-{m['metadata']['name']}", m, opts)
for job in a.acceptance_jobs(config, handles):
    for m in job.manifests:
        if INSECURE and m["kind"] == "Job":   # the control: the pack must catch this
            m["spec"]["template"]["spec"]["containers"][0]["securityContext"] = {"privileged": True}
        kind = {"Job": k8s.batch.v1.Job, "Service": k8s.core.v1.Service}[m["kind"]]
        kind(f"{job.name}-{m['kind'].lower()}", metadata=m["metadata"], spec=m["spec"], opts=opts)
'''


@pytest.mark.parametrize("insecure", [False, True])
def test_the_jobs_as_workloads_pass_the_policy_pack(tmp_path, insecure):
    from lz.engine.plan import PlanRequest, plan
    from lz.testing import ROOT

    doc = {"environment": "prod", "cloud": "aws", "tags": {"costCenter": "ml"},
           "logging": {"auditReplicaRegion": "us-west-2"},
           "gpuPools": [{"name": "h100", "instanceType": "p5.48xlarge", "maxNodes": 4, "minNodes": 2,
                         "purpose": "training"}],
           "teams": [{"name": "research", "costCenter": "ml", "gpuQuota": {"h100": 16}}],
           "kubernetes": {"goldenImages": {"ncclTests": NCCL_IMAGE, "dcgm": NCCL_IMAGE}}}
    cfg = config(doc)
    handles = [dataclasses.asdict(h) for h in _handles(cfg)]
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: acceptance-pack\nruntime: python\n")
    (project / "__main__.py").write_text(f"DOC = {doc!r}\nHANDLES = {handles!r}\nINSECURE = {insecure!r}\n"
                                         + PACK_PROGRAM)
    result = plan(PlanRequest(project_dir=project, stack="t", policy_packs=[ROOT / "policies"],
                              stack_document={"config": {"ai-landing-zone:environment": "prod"}}))
    assert result.run.error is None, result.run.error
    jobs = [r for r in result.records if r.type == "kubernetes:batch/v1:Job"]
    assert len(jobs) == 2 and result.packs
    found = {v.policy_name for v in result.violations}
    if insecure:
        assert "k8s-no-privileged-containers" in found
    else:
        assert not result.violations, "\n".join(f"{v.policy_name}: {v.message}" for v in result.violations)
