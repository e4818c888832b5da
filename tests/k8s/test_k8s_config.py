"""Team, pool and platform config the Kubernetes layer depends on: bad values stop `lz validate` with one
line per problem (file, key path, what is allowed) and exit 2; the committed onprem stack is valid."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from k8s_helpers import SOURCE

from components.config import ConfigError, load_stack_file, validate_config
from lz.cli import main
from lz.testing import ROOT

PREFIX = "ai-landing-zone:"
ONPREM = {k[len(PREFIX):]: v for k, v in load_stack_file(ROOT / "stacks" / "Pulumi.onprem.yaml").items()
          if k.startswith(PREFIX)}


def problems(doc) -> list[str]:
    with pytest.raises(ConfigError) as info:
        validate_config(doc, SOURCE)
    return info.value.lines


def onprem(**changes) -> dict:
    doc = copy.deepcopy(ONPREM)
    for key, change in changes.items():
        change(doc[key]) if callable(change) else doc.__setitem__(key, change)
    return doc


def test_onprem_stack_is_valid():
    cfg = validate_config(ONPREM, SOURCE)
    assert cfg.kubernetes.kubeconfig_secret == "kubernetes:kubeconfig"
    assert [(p.name, p.gpus_per_node, p.max_nodes) for p in cfg.gpu_pools] == [("h100", 8, 4), ("l40s", 4, 6)]
    assert cfg.kubernetes.charts.kueue.version == "0.15.3"


def _write_stack(tmp_path: Path, doc: dict) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: ai-landing-zone\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "stacks").mkdir()
    config = {PREFIX + k: v for k, v in doc.items()}
    (tmp_path / "stacks" / "Pulumi.t.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


@pytest.mark.parametrize("doc, expected", [
    (onprem(teams=lambda teams: teams.append({**teams[0], "gpuQuota": {"h100": 0}})),
     [f"stacks/Pulumi.t.yaml: ai-landing-zone:teams[{i}].name: duplicate team name 'research'; names must be unique"
      for i in (0, 2)]),
    (onprem(teams=lambda teams: teams[0]["gpuQuota"].update(h100=32)),
     ["stacks/Pulumi.t.yaml: ai-landing-zone:teams: nominal GPU quota for pool 'h100' is 40, more than its 32 GPUs "
      "at maxNodes; lower the quotas (borrowing between teams is set with borrowingLimit), or set "
      "kubernetes.allowQuotaOvercommit: true if overcommitting is intended"]),
    (onprem(teams=lambda teams: teams[1]["gpuQuota"].update(a100=8)),
     ["stacks/Pulumi.t.yaml: ai-landing-zone:teams[1].gpuQuota.a100: unknown pool 'a100'; pools: h100, l40s"]),
])
def test_bad_team_config_fails_validate_with_one_line_each(tmp_path, capsys, doc, expected):
    assert main(["validate", "t", "-C", str(_write_stack(tmp_path, doc))]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == expected
    assert "Traceback" not in err


def test_overcommit_is_allowed_when_the_config_says_so():
    doc = onprem(teams=lambda teams: teams[0]["gpuQuota"].update(h100=32),
                 kubernetes=lambda k: k.update(allowQuotaOvercommit=True))
    assert validate_config(doc, SOURCE).kubernetes.allow_quota_overcommit


@pytest.mark.parametrize("doc, expected", [
    (onprem(teams=lambda t: t[0].update(name="gpu-operator")),
     "ai-landing-zone:teams[0].name: 'gpu-operator' is the team's namespace name and is reserved "
     "(default, kueue-system, gpu-operator, lz-acceptance, external-secrets and kube-*); choose another name"),
    (onprem(teams=lambda t: t[1].update(name="kube-ops")), "ai-landing-zone:teams[1].name: 'kube-ops' is the team's"),
    (onprem(gpuPools=lambda p: [pool.update(labels={}) for pool in p]),
     "ai-landing-zone:gpuPools[1].labels: pool 'l40s' selects the same nodes as pool 'h100'"),
    (onprem(gpuPools=lambda p: p[0].pop("gpusPerNode")),
     "ai-landing-zone:gpuPools[0].instanceType: unknown AWS instance type 'dgx-h100'"),
    (onprem(gpuPools=lambda p: p[0].pop("gpusPerNode")), "; or set gpusPerNode for hardware outside the catalog"),
    (onprem(gpuPools=lambda p: p[0].update(name="default-flavor")),
     "ai-landing-zone:gpuPools[0].name: 'default-flavor' is the name of the platform's CPU/memory flavor"),
    (onprem(gpuPools=lambda p: p[0].update(gpusPerNode=0)),
     "ai-landing-zone:gpuPools[0].gpusPerNode: Input should be greater than or equal to 1 (got 0)"),
    (onprem(kubernetes=lambda k: k.update(kubeconfigSecret="kubeconfig")),
     "ai-landing-zone:kubernetes.kubeconfigSecret: must be a namespaced config key such as kubernetes:kubeconfig"),
    (onprem(kubernetes=lambda k: k.update(kubeconfigSecret="ai-landing-zone:kubeconfig")),
     "ai-landing-zone:kubernetes.kubeconfigSecret: must not be in the ai-landing-zone namespace"),
    (onprem(kubernetes=lambda k: k.update(charts={"gpuOperator": {"chart": "gpu-operator", "version": "v25.10.1"}})),
     "ai-landing-zone:kubernetes.charts.gpuOperator.repo: an https:// chart repository is required"),
    (onprem(kubernetes=lambda k: k.update(charts={"kueue": {"chart": "oci://registry.k8s.io/kueue/charts/kueue",
                                                            "version": "~0.15"}})),
     "ai-landing-zone:kubernetes.charts.kueue.version: must be an exact chart version such as 0.15.3"),
    (onprem(kubernetes=lambda k: k.update(gcsFuseBuckets=["datasets"])),
     "ai-landing-zone:kubernetes.gcsFuseBuckets: only for cloud gcp (got cloud byo)"),
    (onprem(storage={"block": {"defaultClass": "gp3"}}),
     "ai-landing-zone:storage.block.defaultClass: must be one of none (a brought cluster keeps"),
])
def test_platform_config_problems(doc, expected):
    lines = problems(doc)
    assert any(expected in line for line in lines), lines
    assert all(line.startswith(f"{SOURCE}: ai-landing-zone:") for line in lines)


@pytest.mark.parametrize("cloud_doc, expected", [
    ({"cloud": "aws", "gpuPools": [{"name": "l40s", "instanceType": "g6e.12xlarge", "maxNodes": 2,
                                    "gpusPerNode": 4}]},
     "ai-landing-zone:gpuPools[0].gpusPerNode: only for cloud byo; on aws the catalog gives the GPUs of g6e.12xlarge"),
    ({"cloud": "gcp", "region": "us-central1", "gcpProject": "p", "storage": {"block": {"defaultClass": "gp3"}}},
     "ai-landing-zone:storage.block.defaultClass: must be one of hyperdisk-balanced, pd-balanced when cloud is gcp"),
])
def test_cloud_specific_problems(cloud_doc, expected):
    doc = {"environment": "dev", "tags": {"costCenter": "ml"}, **cloud_doc}
    assert expected in problems(doc)[0]
