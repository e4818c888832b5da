"""Table tests for the hardware + price catalog (components/catalog)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from components.catalog import (
    GPU_TYPES_PATH,
    PRICES_PATH,
    AwsInstanceType,
    AwsNetwork,
    CatalogError,
    GcpMachineType,
    UnknownPriceError,
    UnknownTypeError,
    aws_instance_type,
    aws_instance_types,
    default_catalog,
    gcp_machine_type,
    gcp_machine_types,
    load_catalog,
    load_prices,
    nearest_names,
    price,
    prices,
)

TODAY = dt.date.today()

REQUIRED_AWS = [
    "p4d.24xlarge",
    "p4de.24xlarge",
    "p5.48xlarge",
    "p5e.48xlarge",
    "p5en.48xlarge",
    "p6-b200.48xlarge",
    "g5.xlarge",
    "g5.2xlarge",
    "g5.12xlarge",
    "g5.48xlarge",
    "g6.xlarge",
    "g6.12xlarge",
    "g6.48xlarge",
    "g6e.xlarge",
    "g6e.12xlarge",
    "g6e.48xlarge",
    "trn1.32xlarge",
]
REQUIRED_GCP = [
    "a2-highgpu-1g",
    "a2-highgpu-8g",
    "a2-ultragpu-8g",
    "a3-highgpu-8g",
    "a3-megagpu-8g",
    "a3-ultragpu-8g",
    "a4-highgpu-8g",
    "g2-standard-4",
    "g2-standard-48",
]
# The accelerator type names GKE documents (docs.cloud.google.com/kubernetes-engine/docs/how-to/gpus).
REAL_GKE_ACCELERATOR_TYPES = {
    "nvidia-tesla-a100",
    "nvidia-a100-80gb",
    "nvidia-h100-80gb",
    "nvidia-h100-mega-80gb",
    "nvidia-h200-141gb",
    "nvidia-b200",
    "nvidia-l4",
}
REQUIRED_PRICE_KEYS = [
    "aws.nat_gateway.hour",
    "aws.nat_gateway.data_processed_gb",
    "aws.vpc_interface_endpoint.hour_per_az",
    "aws.fsx_lustre.persistent_2.125.gb_month",
    "aws.fsx_lustre.persistent_2.250.gb_month",
    "aws.fsx_lustre.persistent_2.500.gb_month",
    "aws.fsx_lustre.persistent_2.1000.gb_month",
    "aws.efs.standard.gb_month",
    "aws.s3.standard.gb_month",
    "aws.s3.standard_ia.gb_month",
    "aws.s3.intelligent_tiering.gb_month",
    "aws.s3.glacier_ir.gb_month",
    "aws.s3.deep_archive.gb_month",
    "aws.kms.key_month",
    "aws.cloudtrail.management_events_first_copy",
    "aws.cloudtrail.data_events_per_100k",
    "aws.cloudwatch_logs.ingestion_gb",
    "aws.eks.cluster_hour",
    "gcp.cloud_nat.gateway_hour_per_vm",
    "gcp.cloud_nat.gateway_hour_max",
    "gcp.gcs.standard.gb_month",
    "gcp.gcs.nearline.gb_month",
    "gcp.gcs.coldline.gb_month",
    "gcp.gcs.archive.gb_month",
    "gcp.managed_lustre.125.gib_month",
    "gcp.managed_lustre.250.gib_month",
    "gcp.managed_lustre.500.gib_month",
    "gcp.managed_lustre.1000.gib_month",
    "gcp.filestore.zonal.gib_month",
    "gcp.filestore.regional.gib_month",
    "gcp.parallelstore.gib_month",
    "gcp.kms.key_version_month",
    "gcp.gke.cluster_hour",
    "gcp.logging.ingestion_gib",
]


# ----------------------------------------------------------------------------------------- coverage
@pytest.mark.parametrize("name", REQUIRED_AWS)
def test_required_aws_types_present(name: str) -> None:
    assert isinstance(aws_instance_type(name), AwsInstanceType)
    assert aws_instance_type(name).name == name


@pytest.mark.parametrize("name", REQUIRED_GCP)
def test_required_gcp_types_present(name: str) -> None:
    assert isinstance(gcp_machine_type(name), GcpMachineType)
    assert gcp_machine_type(name).name == name


@pytest.mark.parametrize("key", REQUIRED_PRICE_KEYS)
def test_required_price_keys_present(key: str) -> None:
    assert price(key).key == key


# ----------------------------------------------------------------------------------------- AWS network / EFA
@pytest.mark.parametrize(
    ("name", "cards", "max_efa", "efa_capable"),
    [
        ("p5.48xlarge", 32, 32, True),
        ("p5e.48xlarge", 32, 32, True),
        ("p5en.48xlarge", 16, 16, True),
        ("p4d.24xlarge", 4, 4, True),
        ("p4de.24xlarge", 4, 4, True),
        ("p6-b200.48xlarge", 8, 8, True),
        ("p6-b300.48xlarge", 17, 16, True),
        ("g6e.48xlarge", 4, 4, True),
        ("g6e.12xlarge", 1, 1, True),
        ("g5.12xlarge", 1, 1, True),
        ("g5.48xlarge", 1, 1, True),
        ("g6.48xlarge", 1, 1, True),
        ("trn1.32xlarge", 8, 8, True),
        ("trn2.48xlarge", None, 16, True),
        ("g5.xlarge", 1, 0, False),
        ("g5.2xlarge", 1, 0, False),
        ("g6.xlarge", 1, 0, False),
        ("g6e.xlarge", 1, 0, False),
    ],
)
def test_aws_efa_and_network_cards(name: str, cards: int | None, max_efa: int, efa_capable: bool) -> None:
    t = aws_instance_type(name)
    assert t.network.cards == cards
    assert t.network.max_efa_interfaces == max_efa
    assert t.efa_capable is efa_capable
    assert t.network.efa is efa_capable


def test_p6_b300_card0_is_ena_only() -> None:
    assert aws_instance_type("p6-b300.48xlarge").network.efa_on_card0 is False
    assert aws_instance_type("p5.48xlarge").network.efa_on_card0 is True


def test_trn2_network_layout_marked_unverified() -> None:
    assert "network" in aws_instance_type("trn2.48xlarge").unverified_fields
    assert aws_instance_type("trn2.48xlarge").network.max_network_interfaces is None
    assert aws_instance_type("p5.48xlarge").network.max_network_interfaces == 64


@pytest.mark.parametrize(
    ("name", "model", "gpu_count", "accelerator_count", "k8s_resource"),
    [
        ("p5.48xlarge", "H100", 8, 8, "nvidia.com/gpu"),
        ("p5en.48xlarge", "H200", 8, 8, "nvidia.com/gpu"),
        ("p4de.24xlarge", "A100", 8, 8, "nvidia.com/gpu"),
        ("g5.xlarge", "A10G", 1, 1, "nvidia.com/gpu"),
        ("g6.12xlarge", "L4", 4, 4, "nvidia.com/gpu"),
        ("g6e.48xlarge", "L40S", 8, 8, "nvidia.com/gpu"),
        ("trn1.32xlarge", "Trainium", 0, 16, "aws.amazon.com/neuron"),
        ("trn2.48xlarge", "Trainium2", 0, 16, "aws.amazon.com/neuron"),
    ],
)
def test_aws_accelerators(
    name: str, model: str, gpu_count: int, accelerator_count: int, k8s_resource: str
) -> None:
    t = aws_instance_type(name)
    assert t.accelerator.model == model
    assert t.gpu_count == gpu_count
    assert t.accelerator_count == accelerator_count
    assert t.accelerator.k8s_resource == k8s_resource


# ----------------------------------------------------------------------------------------- GCP networks
@pytest.mark.parametrize(
    ("name", "flavour", "gpu_nics", "extra_gvnic", "rdma_subnets", "extra_networks", "mtu"),
    [
        ("a3-highgpu-8g", "tcpx", 4, 4, None, 4, 8244),
        ("a3-megagpu-8g", "tcpxo", 8, 8, None, 8, 8244),
        ("a3-ultragpu-8g", "rdma", 8, 1, 8, 9, 8896),
        ("a4-highgpu-8g", "rdma", 8, 1, 8, 9, 8896),
        ("a2-highgpu-1g", "none", 0, 0, None, 0, None),
        ("a2-highgpu-8g", "none", 0, 0, None, 0, None),
        ("a2-ultragpu-8g", "none", 0, 0, None, 0, None),
        ("g2-standard-4", "none", 0, 0, None, 0, None),
        ("g2-standard-48", "none", 0, 0, None, 0, None),
    ],
)
def test_gcp_gpu_network_table(
    name: str,
    flavour: str,
    gpu_nics: int,
    extra_gvnic: int,
    rdma_subnets: int | None,
    extra_networks: int,
    mtu: int | None,
) -> None:
    t = gcp_machine_type(name)
    assert t.gpu_nics.flavour == flavour
    assert t.gpu_nics.count == gpu_nics
    assert t.gpu_nics.extra_gvnic_networks == extra_gvnic
    assert (t.gpu_nics.rdma_network.subnets if t.gpu_nics.rdma_network else None) == rdma_subnets
    assert t.extra_node_networks == extra_networks
    assert t.gpu_nics.mtu == mtu
    if flavour == "rdma":
        assert t.gpu_nics.rdma_network is not None
        assert t.gpu_nics.rdma_network.network_profile_suffix == "vpc-roce"


@pytest.mark.parametrize(
    ("name", "gke_type", "gpus"),
    [
        ("a2-highgpu-1g", "nvidia-tesla-a100", 1),
        ("a2-highgpu-8g", "nvidia-tesla-a100", 8),
        ("a2-ultragpu-8g", "nvidia-a100-80gb", 8),
        ("a3-highgpu-8g", "nvidia-h100-80gb", 8),
        ("a3-megagpu-8g", "nvidia-h100-mega-80gb", 8),
        ("a3-ultragpu-8g", "nvidia-h200-141gb", 8),
        ("a4-highgpu-8g", "nvidia-b200", 8),
        ("g2-standard-4", "nvidia-l4", 1),
        ("g2-standard-48", "nvidia-l4", 4),
    ],
)
def test_gcp_gke_accelerator_types(name: str, gke_type: str, gpus: int) -> None:
    t = gcp_machine_type(name)
    assert t.gke_accelerator_type == gke_type
    assert t.gpu_count == gpus


def test_every_gke_accelerator_type_is_a_real_one() -> None:
    assert {t.gke_accelerator_type for t in gcp_machine_types().values()} <= REAL_GKE_ACCELERATOR_TYPES


# ----------------------------------------------------------------------------------------- sources & prices
def _all_types() -> list[AwsInstanceType | GcpMachineType]:
    return [*aws_instance_types().values(), *gcp_machine_types().values()]


@pytest.mark.parametrize("entry", _all_types(), ids=lambda t: t.name)
def test_every_field_group_has_defined_sources(entry: AwsInstanceType | GcpMachineType) -> None:
    known = default_catalog().sources
    for group in entry.FIELD_GROUPS:
        ids = entry.sources.get(group)
        assert ids, f"{entry.name}: no source for {group}"
        assert all(i in known for i in ids), f"{entry.name}: undefined source in {group}: {ids}"
    assert set(entry.verified) <= set(entry.FIELD_GROUPS)


@pytest.mark.parametrize("entry", _all_types(), ids=lambda t: t.name)
def test_every_type_has_dated_price_or_explicit_null(entry: AwsInstanceType | GcpMachineType) -> None:
    p = entry.price
    assert isinstance(p.as_of, dt.date) and p.as_of <= TODAY
    assert p.region
    if p.on_demand_usd_per_hour is None:
        assert p.note and p.note.strip(), "a null price must be explained"
    else:
        assert p.on_demand_usd_per_hour > 0


@pytest.mark.parametrize(
    ("cloud", "name"), [("aws", "p5e.48xlarge"), ("aws", "trn2.48xlarge"), ("gcp", "a4-highgpu-8g")]
)
def test_unpriced_types_are_none_not_zero(cloud: str, name: str) -> None:
    t = aws_instance_type(name) if cloud == "aws" else gcp_machine_type(name)
    assert t.on_demand_usd_per_hour is None
    assert t.price.note and t.price.note.strip()


@pytest.mark.parametrize(
    ("name", "usd"),
    [("p5.48xlarge", 55.04), ("p4d.24xlarge", 21.957642), ("p5en.48xlarge", 63.296), ("g5.xlarge", 1.006)],
)
def test_known_aws_prices(name: str, usd: float) -> None:
    assert aws_instance_type(name).on_demand_usd_per_hour == pytest.approx(usd)


@pytest.mark.parametrize("entry", list(prices().values()), ids=lambda p: p.key)
def test_every_price_entry_is_dated_sourced_and_explicit(entry) -> None:
    book = load_prices(PRICES_PATH)
    assert isinstance(entry.as_of, dt.date) and entry.as_of <= TODAY
    assert entry.unit and entry.region
    assert entry.sources and all(s in book.sources for s in entry.sources)
    if entry.usd is None:
        assert entry.note and not entry.free
    elif entry.usd == 0:
        assert entry.free
    else:
        assert entry.usd > 0 and not entry.free


@pytest.mark.parametrize(
    "key",
    [
        "aws.fsx_lustre.persistent_2.500.gb_month",
        "aws.fsx_lustre.persistent_2.1000.gb_month",
        "gcp.managed_lustre.250.gib_month",
        "gcp.managed_lustre.500.gib_month",
        "gcp.managed_lustre.1000.gib_month",
    ],
)
def test_unknown_price_is_none_not_zero(key: str) -> None:
    assert price(key).usd is None
    assert "searched" in price(key).note  # says what was looked for, not just "unknown"


# File-tier prices sourced 2026-11-29 (issue #17): figure, region of the key, and whether more than one source
# or an official page states it. Secondary-only figures stay `verified: false`.
@pytest.mark.parametrize(
    ("key", "usd", "region", "verified"),
    [
        ("aws.fsx_lustre.persistent_2.125.gb_month", 0.145, "us-east-1", False),
        ("aws.fsx_lustre.persistent_2.250.gb_month", 0.21, "us-east-1", False),
        ("gcp.managed_lustre.125.gib_month", 0.145, "us-central1", False),
        ("gcp.filestore.zonal.gib_month", 0.25, "us-central1", True),
        ("gcp.filestore.regional.gib_month", 0.45, "us-central1", False),
    ],
)
def test_sourced_file_tier_prices(key: str, usd: float, region: str, verified: bool) -> None:
    entry = price(key)
    assert entry.usd == pytest.approx(usd)
    assert (entry.region, entry.verified) == (region, verified)
    assert entry.as_of >= dt.date(2026, 11, 22) and entry.sources


@pytest.mark.parametrize(
    ("key", "usd"),
    [
        ("aws.nat_gateway.hour", 0.045),
        ("aws.eks.cluster_hour", 0.10),
        ("aws.kms.key_month", 1.0),
        ("aws.cloudtrail.management_events_first_copy", 0.0),
        ("gcp.gke.cluster_hour", 0.10),
        ("gcp.gcs.standard.gb_month", 0.020),
        ("gcp.parallelstore.gib_month", 0.14),
    ],
)
def test_known_prices(key: str, usd: float) -> None:
    assert price(key).usd == pytest.approx(usd)


def test_free_is_the_only_zero() -> None:
    zero = [p for p in prices().values() if p.usd == 0]
    assert [p.key for p in zero] == ["aws.cloudtrail.management_events_first_copy"]
    assert all(p.free for p in zero)


# ----------------------------------------------------------------------------------------- lookups
@pytest.mark.parametrize(
    ("query", "cloud", "first", "also"),
    [
        ("p5.48xl", "aws", "p5.48xlarge", ["p5e.48xlarge", "p5en.48xlarge"]),
        ("g6e.48xl", "aws", "g6e.48xlarge", []),
        ("P5.48XLARGE", "aws", "p5.48xlarge", []),
        ("trn", "aws", "trn1.32xlarge", ["trn2.48xlarge"]),
        ("a3-mega", "gcp", "a3-megagpu-8g", ["a3-highgpu-8g", "a3-ultragpu-8g"]),
        ("a3-ultragpu", "gcp", "a3-ultragpu-8g", []),
        ("nvidia-l4", "gcp", "g2-standard-4", ["g2-standard-48"]),
        ("h100", "gcp", "a3-highgpu-8g", []),
    ],
)
def test_nearest_names(query: str, cloud: str, first: str, also: list[str]) -> None:
    near = nearest_names(query, cloud)
    assert near[0] == first
    assert set(also) <= set(near)


def test_unknown_aws_type_message() -> None:
    with pytest.raises(UnknownTypeError) as exc:
        aws_instance_type("p5.48xl")
    assert isinstance(exc.value, ValueError)
    assert (
        str(exc.value)
        == "unknown AWS instance type 'p5.48xl'; nearest: p5.48xlarge, p5e.48xlarge, p5en.48xlarge"
    )
    assert exc.value.name == "p5.48xl" and exc.value.cloud == "aws"
    assert exc.value.suggestions == ("p5.48xlarge", "p5e.48xlarge", "p5en.48xlarge")


def test_unknown_gcp_type_message() -> None:
    with pytest.raises(
        UnknownTypeError, match=r"^unknown GCP machine type 'a3-megagpu'; nearest: a3-megagpu-8g"
    ):
        gcp_machine_type("a3-megagpu")


def test_wrong_cloud_name_is_unknown() -> None:
    with pytest.raises(UnknownTypeError):
        gcp_machine_type("p5.48xlarge")
    with pytest.raises(ValueError, match="unknown cloud"):
        nearest_names("p5", "azure")


def test_unknown_price_key() -> None:
    with pytest.raises(
        UnknownPriceError, match=r"unknown price key 'aws\.s3\.glacier\.gb_month'; nearest: .*glacier_ir"
    ):
        price("aws.s3.glacier.gb_month")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=24), st.sampled_from(["aws", "gcp"]))
def test_nearest_names_only_returns_valid_names(query: str, cloud: str) -> None:
    near = nearest_names(query, cloud)
    valid = aws_instance_types() if cloud == "aws" else gcp_machine_types()
    assert len(near) <= 5 and len(set(near)) == len(near)
    assert all(n in valid for n in near)


def test_loaded_once_and_frozen() -> None:
    assert default_catalog() is default_catalog()
    p5 = aws_instance_type("p5.48xlarge")
    with pytest.raises(ValidationError):
        p5.vcpu = 1  # type: ignore[misc]
    assert load_catalog(GPU_TYPES_PATH).aws["p5.48xlarge"] == p5


def test_models_accept_snake_and_camel_names() -> None:
    a = AwsNetwork(cards=4, max_interfaces_per_card=15, max_efa_interfaces=4, bandwidth_gbps=400, efa=True)
    b = AwsNetwork.model_validate(
        {"cards": 4, "maxInterfacesPerCard": 15, "maxEfaInterfaces": 4, "bandwidthGbps": 400, "efa": True}
    )
    assert a == b
    assert a.model_dump(by_alias=True)["maxEfaInterfaces"] == 4


# ----------------------------------------------------------------------------------------- broken files fail loudly
def _gpu_doc() -> dict:
    return copy.deepcopy(yaml.safe_load(GPU_TYPES_PATH.read_text()))


def _price_doc() -> dict:
    return copy.deepcopy(yaml.safe_load(PRICES_PATH.read_text()))


def _write(tmp_path: Path, doc: dict, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _break_missing_source(doc: dict) -> None:
    del doc["aws"]["p5.48xlarge"]["sources"]["network"]


def _break_empty_source(doc: dict) -> None:
    doc["gcp"]["a3-megagpu-8g"]["sources"]["gpuNics"] = []


def _break_missing_field(doc: dict) -> None:
    del doc["gcp"]["a3-ultragpu-8g"]["vcpu"]


def _break_undefined_source(doc: dict) -> None:
    doc["aws"]["g6e.48xlarge"]["sources"]["price"] = ["no-such-source"]


def _break_zero_price(doc: dict) -> None:
    doc["aws"]["p5e.48xlarge"]["price"]["onDemandUsdPerHour"] = 0


def _break_null_price_without_note(doc: dict) -> None:
    del doc["aws"]["trn2.48xlarge"]["price"]["note"]


def _break_efa_without_cards(doc: dict) -> None:
    doc["aws"]["p4d.24xlarge"]["network"]["maxEfaInterfaces"] = 8


def _break_rdma_subnets(doc: dict) -> None:
    doc["gcp"]["a4-highgpu-8g"]["gpuNics"]["rdmaNetwork"]["subnets"] = 4


def _break_unknown_field(doc: dict) -> None:
    doc["aws"]["g5.xlarge"]["gpuz"] = 1


def _break_gke_type(doc: dict) -> None:
    doc["gcp"]["g2-standard-4"]["accelerator"]["gkeAcceleratorType"] = "L4"


@pytest.mark.parametrize(
    ("breaker", "entry", "needles"),
    [
        (_break_missing_source, "aws entry 'p5.48xlarge'", ["sources missing", "network"]),
        (_break_empty_source, "gcp entry 'a3-megagpu-8g'", ["sources missing", "gpuNics"]),
        (_break_missing_field, "gcp entry 'a3-ultragpu-8g'", ["vcpu", "Field required"]),
        (_break_undefined_source, "aws entry 'g6e.48xlarge'", ["sources.price", "no-such-source"]),
        (_break_zero_price, "aws entry 'p5e.48xlarge'", ["price.onDemandUsdPerHour"]),
        (_break_null_price_without_note, "aws entry 'trn2.48xlarge'", ["price", "note"]),
        (_break_efa_without_cards, "aws entry 'p4d.24xlarge'", ["network", "maxEfaInterfaces 8"]),
        (_break_rdma_subnets, "gcp entry 'a4-highgpu-8g'", ["gpuNics", "RDMA subnet"]),
        (_break_unknown_field, "aws entry 'g5.xlarge'", ["gpuz", "Extra inputs"]),
        (_break_gke_type, "gcp entry 'g2-standard-4'", ["accelerator.gkeAcceleratorType"]),
    ],
)
def test_broken_gpu_types_file_fails_loudly(tmp_path: Path, breaker, entry: str, needles: list[str]) -> None:
    doc = _gpu_doc()
    breaker(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(CatalogError) as exc:
        load_catalog(path)
    lines = [p for p in exc.value.problems if p.startswith(entry)]
    assert lines, f"no problem names {entry}: {exc.value.problems}"
    assert all(any(n in line for line in lines) for n in needles), lines
    assert str(path) in str(exc.value)


def test_broken_file_reports_every_problem(tmp_path: Path) -> None:
    doc = _gpu_doc()
    _break_missing_source(doc)
    _break_missing_field(doc)
    with pytest.raises(CatalogError) as exc:
        load_catalog(_write(tmp_path, doc))
    assert len(exc.value.problems) == 2


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d["prices"]["aws.kms.key_month"].update(usd=0), "usd is 0"),
        (lambda d: d["prices"]["gcp.managed_lustre.1000.gib_month"].pop("note"), "usd is null"),
        (lambda d: d["prices"]["aws.eks.cluster_hour"].pop("asOf"), "asOf"),
        (lambda d: d["prices"]["aws.eks.cluster_hour"].update(sources=["nope"]), "source id 'nope'"),
        (lambda d: d["prices"]["aws.eks.cluster_hour"].update(sources=[]), "sources"),
        (lambda d: d["prices"]["aws.eks.cluster_hour"].update(usd=-1), "usd"),
    ],
)
def test_broken_prices_file_fails_loudly(tmp_path: Path, mutate, needle: str) -> None:
    doc = _price_doc()
    mutate(doc)
    with pytest.raises(CatalogError) as exc:
        load_prices(_write(tmp_path, doc, "prices.yaml"))
    assert any(p.startswith("price entry '") and needle in p for p in exc.value.problems), exc.value.problems


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("meta: [\n", "not valid YAML"),
        ("- a\n- b\n", "top level must be a mapping"),
        ("meta: {}\nsources: {}\naws: {}\n", "missing top-level key 'gcp'"),
    ],
)
def test_malformed_files(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "gpu.yaml"
    path.write_text(content)
    with pytest.raises(CatalogError, match=needle):
        load_catalog(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "absent.yaml")
