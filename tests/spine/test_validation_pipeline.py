"""One validation pipeline: `lz validate` and `lz plan` agree on every semantic mistake, name the same full
key path (mapping keys included), report it once, and register nothing.

Before the pipeline, GCP checks ran inside `GcpLandingZone` (after `lz validate` had said "valid"), and a
value refused by a generic and a cloud check was reported twice.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config import ConfigError, validate_config
from components.config.model import Cloud
from components.config.support import SUPPORT
from lz.cli import main
from lz.testing import ROOT, plan_config

AWS: dict[str, Any] = {
    "environment": "dev", "cloud": "aws", "tags": {"costCenter": "ml"},
    "network": {"cidr": "10.20.0.0/16", "zones": ["us-east-1a", "us-east-1b"]},
    "gpuPools": [{"name": "infer", "instanceType": "g6e.xlarge", "maxNodes": 2, "capacity": {"type": "spot"}}],
    "teams": [{"name": "vision", "costCenter": "cv", "gpuQuota": {"infer": 1}}],
}
GCP: dict[str, Any] = {
    "environment": "dev", "cloud": "gcp", "region": "us-central1", "gcpProject": "p", "tags": {"costCenter": "ml"},
    "gpuPools": [{"name": "infer", "instanceType": "g2-standard-4", "maxNodes": 2, "capacity": {"type": "spot"}}],
    "teams": [{"name": "vision", "costCenter": "cv", "gpuQuota": {"infer": 1}}],
}
BYO: dict[str, Any] = {
    "environment": "dev", "cloud": "byo", "tags": {"costCenter": "ml"},
    "kubernetes": {"kubeconfigSecret": "kubernetes:kubeconfig", "gpuNodeSelector": {"gpu": "true"}},
    "gpuPools": [{"name": "infer", "instanceType": "g6e.xlarge", "maxNodes": 2}],
}
PROVIDER = {Cloud.aws.value: {"aws:region": "us-east-1"},
            Cloud.gcp.value: {"gcp:project": "p", "gcp:region": "us-central1"},
            Cloud.byo.value: {"kubernetes:kubeconfig": "apiVersion: v1\nkind: Config\n"}}


def changed(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    node = doc
    keys = path.replace("]", "").replace("[", ".").split(".")
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
    if value is None:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return doc


# (base, key changed, value, full key path the problem names)
MISTAKES = [
    (GCP, "network.cidr", "10.64.0.0/16", "network.podsCidr"),          # overlaps the default pods range
    (GCP, "network.zones", ["europe-west4-a"], "network.zones[0]"),     # zone outside the region
    (GCP, "storage.block.defaultClass", "gp3", "storage.block.defaultClass"),
    (GCP, "storage.file.kind", "efs", "storage.file.kind"),
    (GCP, "gpuPools[0].image", "bottlerocket-nvidia", "gpuPools[0].image"),
    (GCP, "gpuPools[0].capacity", {"type": "capacityBlock", "reservationId": "cr-1"}, "gpuPools[0].capacity.type"),
    (GCP, "gpuPools[0].capacity", {"type": "flexStart"}, None),  # valid alone; minNodes below makes it wrong
    (GCP, "storage.file", {"kind": "managedLustre", "throughputMbpsPerTib": 200}, "storage.file.throughputMbpsPerTib"),
    (AWS, "storage.block.defaultClass", "pd-balanced", "storage.block.defaultClass"),
    (AWS, "gpuPools[0].capacity", {"type": "flexStart"}, "gpuPools[0].capacity.type"),
    (AWS, "storage.file", {"kind": "lustre", "throughputMbpsPerTib": 200}, "storage.file.throughputMbpsPerTib"),
    (AWS, "teams[0].gpuQuota", {"infer": -1}, "teams[0].gpuQuota.infer"),
    (AWS, "teams[0].gpuQuota", {"trainning": 1}, "teams[0].gpuQuota.trainning"),
    (AWS, "storage.objects", {"datasets": {"transitionToInfrequentDays": 7}},
     "storage.objects.datasets.transitionToInfrequentDays"),
    # the replica region equals the stack file's aws:region (PROVIDER): judged by the pipeline, not by
    # AuditReplica after the landing zone had registered
    (AWS, "logging", {"auditReplicaRegion": "us-east-1"}, "logging.auditReplicaRegion"),
    (BYO, "naming", {"scheme": "legacy"}, "naming.scheme"),
    (BYO, "kubernetes.kubeconfigSecret", None, "kubernetes.kubeconfigSecret"),
    (BYO, "storage.block.defaultClass", "gp3", "storage.block.defaultClass"),
]
CASES = [m for m in MISTAKES if m[3] is not None] + [
    (changed(GCP, "gpuPools[0].capacity", {"type": "flexStart"}), "gpuPools[0].minNodes", 1, "gpuPools[0].minNodes"),
    # a Trainium pool on the Bottlerocket NVIDIA image: before, only the EKS pool component refused it
    (changed(AWS, "gpuPools[0].instanceType", "trn1.32xlarge"), "gpuPools[0].image", "bottlerocket-nvidia",
     "gpuPools[0].image"),
]


def _id(case) -> str:
    base, path, _, _ = case
    return f"{base['cloud']}:{path}"


def _project(tmp_path: Path, doc: dict[str, Any]) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(ROOT / "__main__.py", tmp_path / "__main__.py")
    (tmp_path / "stacks").mkdir()
    config = {f"ai-landing-zone:{k}": v for k, v in doc.items()} | PROVIDER[doc["cloud"]]
    (tmp_path / "stacks" / "Pulumi.t.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


@pytest.mark.parametrize("base", [AWS, GCP, BYO], ids=lambda b: b["cloud"])
def test_the_bases_are_valid(base):
    validate_config(base, "t", PROVIDER[base["cloud"]])


def test_the_table_covers_ten_mistakes_on_every_cloud():
    assert len(CASES) >= 10
    assert {case[0]["cloud"] for case in CASES} == {"aws", "gcp", "byo"}


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_validate_and_plan_agree(case, tmp_path, capsys):
    base, path, value, key = case
    doc = changed(base, path, value)
    with pytest.raises(ConfigError) as info:
        validate_config(doc, "stacks/Pulumi.t.yaml", PROVIDER[doc["cloud"]])
    keys = [p.path for p in info.value.problems]
    assert keys.count(key) == 1, info.value.lines  # named, with its full path, once

    project = _project(tmp_path, doc)
    assert main(["validate", "t", "-C", str(project)]) == 2
    validate_err = capsys.readouterr().err
    line = f"stacks/Pulumi.t.yaml: ai-landing-zone:{key}: "
    assert line in validate_err and "Traceback" not in validate_err

    config = {f"ai-landing-zone:{k}": v for k, v in doc.items()} | PROVIDER[doc["cloud"]]
    result = plan_config(config, stack="t", project_dir=project, policy=False)
    assert result.exit_code == 2
    assert line in result.run.error and "Traceback" not in result.run.error
    assert [r.type for r in result.records] == ["pulumi:pulumi:Stack"]  # nothing registered


@pytest.mark.parametrize("cloud", list(Cloud), ids=lambda c: c.value)
def test_every_cloud_has_one_support_table(cloud):
    support = SUPPORT[cloud]
    assert support.cloud is cloud
    assert "none" in support.file_kinds
    assert (support.lustre_kind is None) == (not support.lustre_tiers)
    if support.lustre_kind:
        assert support.lustre_kind in support.file_kinds
