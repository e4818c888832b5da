"""Config that the AWS landing zone cannot build is refused before planning, naming file, key and remedy."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import ConfigError, validate_config

SOURCE = "stacks/Pulumi.t.yaml"


def _aws(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"environment": "dev", "cloud": "aws", "tags": {"costCenter": "ml"}}
    doc.update(overrides)
    return doc


def _lines(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        validate_config(doc, SOURCE)
    return err.value.lines


def _pool(**kw: Any) -> dict[str, Any]:
    return {"name": "train", "instanceType": "p5.48xlarge", "maxNodes": 2, "purpose": "training", **kw}


@pytest.mark.parametrize(("doc", "line"), [
    (_aws(gpuPools=[_pool(capacity={"type": "capacityBlock", "reservationId": "cr-1"})]),
     f"{SOURCE}: ai-landing-zone:gpuPools[0].capacity.zone: required with capacity type capacityBlock on AWS: "
     "the zone the reservation is in (the pool is pinned there)"),
    (_aws(gpuPools=[_pool(placement="compact",
                          capacity={"type": "reservation", "reservationId": "cr-1", "zone": "us-east-1a"})]),
     f"{SOURCE}: ai-landing-zone:gpuPools[0].placement: compact conflicts with capacity type reservation: the "
     "reservation decides placement, and a placement group it was not made in makes launches fail; omit placement"),
    (_aws(gpuPools=[_pool(capacity={"type": "flexStart"})]),
     f"{SOURCE}: ai-landing-zone:gpuPools[0].capacity.type: must be one of onDemand, spot, reservation, "
     "capacityBlock when cloud is aws (got 'flexStart')"),
    (_aws(gpuPools=[_pool(image="cos")]),
     f"{SOURCE}: ai-landing-zone:gpuPools[0].image: must be one of al2023-nvidia, bottlerocket-nvidia when "
     "cloud is aws (got 'cos')"),
    (_aws(storage={"file": {"kind": "filestore"}}),
     f"{SOURCE}: ai-landing-zone:storage.file.kind: must be one of none, lustre, efs when cloud is aws "
     "(got 'filestore')"),
    (_aws(storage={"file": {"kind": "lustre", "throughputMbpsPerTib": 200}}),
     f"{SOURCE}: ai-landing-zone:storage.file.throughputMbpsPerTib: must be one of 125, 250, 500, 1000 MB/s "
     "per TiB for lustre (got 200)"),
    (_aws(storage={"block": {"defaultClass": "pd-balanced"}}),
     f"{SOURCE}: ai-landing-zone:storage.block.defaultClass: must be one of gp3, io2 when cloud is aws "
     "(got 'pd-balanced')"),
    (_aws(storage={"objects": {"datasets": {"transitionToInfrequentDays": 7}}}),
     f"{SOURCE}: ai-landing-zone:storage.objects.datasets.transitionToInfrequentDays: must be >= 30 on AWS: S3 "
     "keeps objects 30 days before Standard-IA (got 7)"),
    (_aws(storage={"objects": {"logs": {"transitionToInfrequentDays": 60, "transitionToArchiveDays": 70}}}),
     f"{SOURCE}: ai-landing-zone:storage.objects.logs.transitionToArchiveDays: must be at least 30 days after "
     "transitionToInfrequentDays (60) on AWS (got 70)"),
    (_aws(storage={"objects": {"logs": {"transitionToInfrequentDays": 90, "expirationDays": 60}}}),
     f"{SOURCE}: ai-landing-zone:storage.objects.logs.expirationDays: must be later than the last transition "
     "(day 90) (got 60)"),
])
def test_refused_with_a_clear_line(doc, line):
    assert line in _lines(doc)


def test_the_example_pools_are_accepted():
    config = validate_config(_aws(gpuPools=[
        _pool(capacity={"type": "capacityBlock", "reservationId": "cr-1", "zone": "us-east-1a"}),
        _pool(name="serve", instanceType="g6e.12xlarge", image="bottlerocket-nvidia", purpose="inference"),
    ], storage={"file": {"kind": "lustre", "throughputMbpsPerTib": 500}}), SOURCE)
    assert [p.name for p in config.gpu_pools] == ["train", "serve"]


def test_gcp_only_values_stay_valid_on_gcp():
    doc = {"environment": "dev", "cloud": "gcp", "region": "us-central1", "gcpProject": "p",
           "tags": {"costCenter": "ml"}, "storage": {"block": {"defaultClass": "pd-balanced"}}}
    assert validate_config(doc, SOURCE).storage.block.default_class == "pd-balanced"
