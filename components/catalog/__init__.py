"""Typed, sourced catalog of GPU instance / machine types and of the other metered resources.

The data lives next to this module: `gpu_types.yaml` (AWS instance types, GCP machine types: accelerators,
vCPU, memory, network layout, local disks, on-demand price) and `prices.yaml` (NAT, endpoints, storage,
keys, logs, cluster fees). Both files cite a source for every figure; loading refuses a file in which a
figure group has no source, a source id is undefined, a price is unexplained, or a value is out of shape,
and the error names the file, the entry and the field.

    from components.catalog import aws_instance_type, gcp_machine_type, price

    p5 = aws_instance_type("p5.48xlarge")
    p5.network.max_efa_interfaces, p5.efa_capable, p5.gpu_count      # 32, True, 8
    gcp_machine_type("a3-ultragpu-8g").extra_node_networks            # 9 = 1 gVNIC VPC + 8 RDMA subnets
    price("aws.nat_gateway.hour").usd                                 # 0.045; None when unknown, never 0

Unknown names raise `UnknownTypeError` (a `ValueError`) listing the nearest valid names. Only pydantic,
PyYAML and the standard library are used.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from components.names import NEURON_RESOURCE, NVIDIA_GPU_RESOURCE
from components.yamlio import safe_load

__all__ = [
    "GPU_TYPES_PATH",
    "PRICES_PATH",
    "Accelerator",
    "AwsInstanceType",
    "AwsNetwork",
    "Catalog",
    "CatalogError",
    "GcpAccelerator",
    "GcpMachineType",
    "GpuNics",
    "InstancePrice",
    "NcclAllReduce",
    "PriceBook",
    "PriceEntry",
    "RdmaNetwork",
    "UnknownPriceError",
    "UnknownTypeError",
    "aws_instance_type",
    "aws_instance_types",
    "default_catalog",
    "default_price_book",
    "gcp_machine_type",
    "gcp_machine_types",
    "load_catalog",
    "load_prices",
    "nearest_names",
    "price",
    "prices",
]

CATALOG_DIR = Path(__file__).resolve().parent
GPU_TYPES_PATH = CATALOG_DIR / "gpu_types.yaml"
PRICES_PATH = CATALOG_DIR / "prices.yaml"

Cloud = Literal["aws", "gcp"]
_CLOUDS: tuple[str, ...] = ("aws", "gcp")
_KIND = {"aws": "AWS instance type", "gcp": "GCP machine type"}


# --------------------------------------------------------------------------------------------- errors
class CatalogError(ValueError):
    """A catalog data file is missing, unreadable or invalid. `problems` has one line per problem."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = Path(path)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid catalog file {self.path} ({len(self.problems)} problem(s)):\n{lines}")


class UnknownTypeError(ValueError):
    """An instance / machine type that is not in the catalog; `suggestions` are the nearest valid names."""

    def __init__(self, name: str, cloud: str, suggestions: list[str] | tuple[str, ...]) -> None:
        self.name = name
        self.cloud = cloud
        self.suggestions = tuple(suggestions)
        nearest = ", ".join(self.suggestions) if self.suggestions else "(none)"
        kind = _KIND.get(cloud, f"{cloud} type")
        super().__init__(f"unknown {kind} '{name}'; nearest: {nearest}")


class UnknownPriceError(ValueError):
    """A price key that is not in prices.yaml; `suggestions` are the nearest valid keys."""

    def __init__(self, key: str, suggestions: list[str] | tuple[str, ...]) -> None:
        self.key = key
        self.suggestions = tuple(suggestions)
        nearest = ", ".join(self.suggestions) if self.suggestions else "(none)"
        super().__init__(f"unknown price key '{key}'; nearest: {nearest}")


# --------------------------------------------------------------------------------------------- models
class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)


def _check_sources_and_verified(
    groups: tuple[str, ...], sources: Mapping[str, tuple[str, ...]], verified: Mapping[str, bool]
) -> None:
    missing = [g for g in groups if not sources.get(g)]
    if missing:
        raise ValueError(
            f"sources missing for field group(s): {', '.join(missing)} (every figure needs a source)"
        )
    unknown = sorted(set(sources) - set(groups))
    if unknown:
        raise ValueError(
            f"sources has unknown field group(s): {', '.join(unknown)}; expected {', '.join(groups)}"
        )
    unknown_v = sorted(set(verified) - set(groups))
    if unknown_v:
        raise ValueError(
            f"verified has unknown field group(s): {', '.join(unknown_v)}; expected {', '.join(groups)}"
        )


class Accelerator(_Model):
    vendor: Literal["nvidia", "aws"]
    model: str = Field(min_length=1)
    memory_gib: PositiveFloat = Field(description="per device")
    count: PositiveInt
    k8s_resource: str = Field(alias="k8sResource")  # names.NVIDIA_GPU_RESOURCE or names.NEURON_RESOURCE

    @model_validator(mode="after")
    def _resource_matches_vendor(self) -> Accelerator:
        expected = NVIDIA_GPU_RESOURCE if self.vendor == "nvidia" else NEURON_RESOURCE
        if self.k8s_resource != expected:
            raise ValueError(
                f"k8sResource for vendor {self.vendor} must be {expected}, got {self.k8s_resource}"
            )
        return self

    @property
    def total_memory_gib(self) -> float:
        return round(self.memory_gib * self.count, 2)


class GcpAccelerator(Accelerator):
    gke_accelerator_type: str = Field(pattern=r"^nvidia-[a-z0-9]+(-[a-z0-9]+)*$")


class InstancePrice(_Model):
    on_demand_usd_per_hour: PositiveFloat | None = Field(
        description="Linux on-demand list price; None when there is none (never 0)"
    )
    region: str = Field(min_length=1)
    as_of: dt.date
    note: str | None = None

    @model_validator(mode="after")
    def _null_needs_note(self) -> InstancePrice:
        if self.on_demand_usd_per_hour is None and not (self.note or "").strip():
            raise ValueError(
                "onDemandUsdPerHour is null: a note must say why (no public price, not sourced, ...)"
            )
        return self


class NcclAllReduce(_Model):
    """A published `all_reduce_perf` (NVIDIA nccl-tests) bus bandwidth of healthy nodes of this type.

    What a healthy cluster measured, never a theoretical peak: `busbw_gbps` (GB/s as nccl-tests prints it)
    at `message_bytes` across `nodes` nodes of `gpus_per_node` ranks each; `measured` says which run, and
    `sources` where it was published. `lz verify` compares a pool's busbw at the same message size with it.
    """

    busbw_gbps: PositiveFloat
    message_bytes: PositiveInt
    nodes: int = Field(ge=2, description="a multi-node figure: the interconnect, not NVLink alone")
    gpus_per_node: PositiveInt
    measured: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class AwsNetwork(_Model):
    cards: PositiveInt | None = Field(description="network cards; None when not sourced")
    max_interfaces_per_card: PositiveInt | None
    max_efa_interfaces: NonNegativeInt
    bandwidth_gbps: PositiveFloat
    efa: bool
    efa_on_card0: bool = Field(default=True, description="False when card 0 is ENA-only (EFA on cards 1..n)")

    @model_validator(mode="after")
    def _consistent(self) -> AwsNetwork:
        if self.efa != (self.max_efa_interfaces > 0):
            raise ValueError(f"efa is {self.efa} but maxEfaInterfaces is {self.max_efa_interfaces}")
        if self.cards is not None:
            usable = self.cards if self.efa_on_card0 else self.cards - 1
            if self.max_efa_interfaces > usable:
                raise ValueError(
                    f"maxEfaInterfaces {self.max_efa_interfaces} exceeds the {usable} card(s) that can carry EFA"
                )
        return self

    @property
    def max_network_interfaces(self) -> int | None:
        if self.cards is None or self.max_interfaces_per_card is None:
            return None
        return self.cards * self.max_interfaces_per_card


class AwsInstanceType(_Model):
    FIELD_GROUPS: ClassVar[tuple[str, ...]] = (
        "accelerator",
        "vcpu",
        "memoryGib",
        "network",
        "localNvmeGb",
        "price",
    )

    name: str = Field(min_length=1)
    accelerator: Accelerator
    vcpu: PositiveInt
    memory_gib: PositiveFloat
    network: AwsNetwork
    local_nvme_gb: NonNegativeInt
    price: InstancePrice
    nccl_all_reduce: NcclAllReduce | None = Field(None, description="None: no published figure")
    sources: dict[str, tuple[str, ...]]
    verified: dict[str, bool] = Field(default_factory=dict)
    notes: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> AwsInstanceType:
        _check_sources_and_verified(self.FIELD_GROUPS, self.sources, self.verified)
        return self

    @property
    def efa_capable(self) -> bool:
        return self.network.max_efa_interfaces > 0

    @property
    def gpu_count(self) -> int:
        """NVIDIA GPUs (nvidia.com/gpu); 0 for Trainium, whose devices are `accelerator_count`."""
        return self.accelerator.count if self.accelerator.k8s_resource == NVIDIA_GPU_RESOURCE else 0

    @property
    def accelerator_count(self) -> int:
        return self.accelerator.count

    @property
    def on_demand_usd_per_hour(self) -> float | None:
        return self.price.on_demand_usd_per_hour

    @property
    def unverified_fields(self) -> tuple[str, ...]:
        return tuple(g for g in self.FIELD_GROUPS if self.verified.get(g, True) is False)


class RdmaNetwork(_Model):
    subnets: PositiveInt
    network_profile_suffix: str = Field(min_length=1, description="network profile is '<zone>-<suffix>'")


class GpuNics(_Model):
    count: NonNegativeInt
    gbps_each: PositiveFloat | None
    flavour: Literal["none", "tcpx", "tcpxo", "rdma"]
    extra_gvnic_networks: NonNegativeInt = Field(description="VPCs for gVNICs besides the primary one")
    rdma_network: RdmaNetwork | None
    mtu: int | None = Field(
        ge=1300, le=8896, description="MTU the extra networks need; None without GPU NICs"
    )

    @model_validator(mode="after")
    def _consistent(self) -> GpuNics:
        f = self.flavour
        if f == "none":
            if self.count or self.extra_gvnic_networks or self.rdma_network or self.gbps_each or self.mtu:
                raise ValueError(
                    "flavour none: count and extraGvnicNetworks must be 0, gbpsEach/rdmaNetwork/mtu null"
                )
            return self
        if self.count == 0 or self.gbps_each is None or self.mtu is None:
            raise ValueError(f"flavour {f}: count > 0, gbpsEach and mtu are required")
        if f in ("tcpx", "tcpxo"):
            if self.rdma_network is not None:
                raise ValueError(f"flavour {f} has no RDMA network")
            if self.extra_gvnic_networks != self.count:
                raise ValueError(
                    f"flavour {f}: one extra gVNIC VPC per GPU NIC ({self.count}), got {self.extra_gvnic_networks}"
                )
        else:  # rdma
            if self.rdma_network is None:
                raise ValueError("flavour rdma needs rdmaNetwork")
            if self.rdma_network.subnets != self.count:
                raise ValueError(
                    f"flavour rdma: one RDMA subnet per GPU NIC ({self.count}), got {self.rdma_network.subnets}"
                )
        return self

    @property
    def extra_networks(self) -> int:
        return self.extra_gvnic_networks + (self.rdma_network.subnets if self.rdma_network else 0)


class GcpMachineType(_Model):
    FIELD_GROUPS: ClassVar[tuple[str, ...]] = (
        "accelerator",
        "vcpu",
        "memoryGib",
        "networkGbps",
        "gpuNics",
        "localSsdCount",
        "price",
    )

    name: str = Field(min_length=1)
    accelerator: GcpAccelerator
    vcpu: PositiveInt
    memory_gib: PositiveFloat
    network_gbps: PositiveFloat = Field(description="maximum total VM bandwidth")
    gpu_nics: GpuNics
    local_ssd_count: NonNegativeInt = Field(description="bundled 375 GiB local SSDs (0 when optional)")
    price: InstancePrice
    nccl_all_reduce: NcclAllReduce | None = Field(None, description="None: no published figure")
    sources: dict[str, tuple[str, ...]]
    verified: dict[str, bool] = Field(default_factory=dict)
    notes: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> GcpMachineType:
        _check_sources_and_verified(self.FIELD_GROUPS, self.sources, self.verified)
        m = re.search(r"-(\d+)g$", self.name)
        if m and int(m.group(1)) != self.accelerator.count:
            raise ValueError(
                f"machine type name says {m.group(1)} GPU(s), accelerator.count is {self.accelerator.count}"
            )
        return self

    @property
    def extra_node_networks(self) -> int:
        """Networks a node needs besides its primary VPC: extra gVNIC VPCs + RDMA subnets."""
        return self.gpu_nics.extra_networks

    @property
    def gpu_count(self) -> int:
        return self.accelerator.count

    @property
    def gke_accelerator_type(self) -> str:
        return self.accelerator.gke_accelerator_type

    @property
    def on_demand_usd_per_hour(self) -> float | None:
        return self.price.on_demand_usd_per_hour

    @property
    def unverified_fields(self) -> tuple[str, ...]:
        return tuple(g for g in self.FIELD_GROUPS if self.verified.get(g, True) is False)


class PriceEntry(_Model):
    key: str = Field(pattern=r"^(aws|gcp)\.[a-z0-9_.]+$")
    usd: NonNegativeFloat | None = Field(description="USD per unit; None when no public figure (never 0)")
    unit: str = Field(min_length=1)
    region: str = Field(min_length=1)
    as_of: dt.date
    sources: tuple[str, ...] = Field(min_length=1)
    verified: bool = True
    free: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _explicit(self) -> PriceEntry:
        if self.usd is None:
            if not (self.note or "").strip():
                raise ValueError("usd is null: a note must say why no figure is given")
            if self.free:
                raise ValueError("usd is null but free is true")
        elif self.usd == 0:
            if not self.free:
                raise ValueError("usd is 0: unknown must be null, a real zero needs free: true")
        elif self.free:
            raise ValueError(f"free is true but usd is {self.usd}")
        return self

    @property
    def cloud(self) -> str:
        return self.key.split(".", 1)[0]


class _Meta(_Model):
    description: str
    prices_as_of: dt.date
    retrieved: dt.date | None = None
    currency: Literal["USD"]


class _SourceIds(_Model):
    sources: dict[str, str]

    @field_validator("sources")
    @classmethod
    def _non_empty(cls, v: dict[str, str]) -> dict[str, str]:
        empty = [k for k, text in v.items() if not str(text).strip()]
        if empty:
            raise ValueError(f"empty citation for source id(s): {', '.join(empty)}")
        return v


# --------------------------------------------------------------------------------------------- containers
@dataclass(frozen=True)
class Catalog:
    path: Path
    meta: _Meta
    sources: Mapping[str, str]
    aws: Mapping[str, AwsInstanceType]
    gcp: Mapping[str, GcpMachineType]

    def types(self, cloud: str) -> Mapping[str, AwsInstanceType | GcpMachineType]:
        if cloud not in _CLOUDS:
            raise ValueError(f"unknown cloud '{cloud}'; expected one of {', '.join(_CLOUDS)}")
        return self.aws if cloud == "aws" else self.gcp

    def citations(self, source_ids: tuple[str, ...] | list[str]) -> list[str]:
        return [self.sources[s] for s in source_ids]


@dataclass(frozen=True)
class PriceBook:
    path: Path
    meta: _Meta
    sources: Mapping[str, str]
    prices: Mapping[str, PriceEntry]


# --------------------------------------------------------------------------------------------- loading
def _read_yaml(path: Path, top_keys: tuple[str, ...]) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(path, [f"cannot read: {exc}"]) from exc
    try:
        doc = safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(path, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(doc, dict):
        raise CatalogError(path, ["top level must be a mapping"])
    problems = [f"missing top-level key '{k}'" for k in top_keys if k not in doc]
    problems += [f"unknown top-level key '{k}'" for k in doc if k not in top_keys]
    problems += [f"'{k}' must be a mapping" for k in top_keys if k in doc and not isinstance(doc[k], dict)]
    if problems:
        raise CatalogError(path, problems)
    return doc


def _describe(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        out.append(f"field '{loc}': {msg}" if loc else msg)
    return out


def _common(path: Path, doc: dict[str, Any], problems: list[str]) -> tuple[_Meta | None, dict[str, str]]:
    meta: _Meta | None = None
    try:
        meta = _Meta.model_validate(doc["meta"])
    except ValidationError as exc:
        problems += [f"meta: {p}" for p in _describe(exc)]
    sources: dict[str, str] = {}
    try:
        sources = _SourceIds.model_validate({"sources": doc["sources"]}).sources
    except ValidationError as exc:
        problems += [f"sources: {p}" for p in _describe(exc)]
    return meta, sources


def _undefined_sources(
    where: str, used: Mapping[str, tuple[str, ...]] | tuple[str, ...], known: Mapping[str, str]
):
    pairs = used.items() if isinstance(used, Mapping) else [("sources", used)]
    for group, ids in pairs:
        for sid in ids:
            if sid not in known:
                label = f"sources.{group}" if isinstance(used, Mapping) else "sources"
                yield f"{where}: field '{label}': source id '{sid}' is not defined under top-level 'sources'"


def load_catalog(path: Path | str = GPU_TYPES_PATH) -> Catalog:
    """Load and validate a gpu_types.yaml-shaped file; raise CatalogError naming every bad entry and field."""
    path = Path(path)
    doc = _read_yaml(path, ("meta", "sources", "aws", "gcp"))
    problems: list[str] = []
    meta, sources = _common(path, doc, problems)
    parsed: dict[str, dict[str, Any]] = {"aws": {}, "gcp": {}}
    models: dict[str, type[AwsInstanceType] | type[GcpMachineType]] = {
        "aws": AwsInstanceType,
        "gcp": GcpMachineType,
    }
    for cloud in _CLOUDS:
        for name, entry in doc[cloud].items():
            where = f"{cloud} entry '{name}'"
            if not isinstance(entry, dict):
                problems.append(f"{where}: must be a mapping")
                continue
            try:
                item = models[cloud].model_validate({**entry, "name": str(name)})
            except ValidationError as exc:
                problems += [f"{where}: {p}" for p in _describe(exc)]
                continue
            problems += list(_undefined_sources(where, item.sources, sources))
            if item.nccl_all_reduce is not None:
                problems += [p.replace("field 'sources'", "field 'ncclAllReduce.sources'")
                             for p in _undefined_sources(where, item.nccl_all_reduce.sources, sources)]
            parsed[cloud][str(name)] = item
    if problems or meta is None:
        raise CatalogError(path, problems or ["meta is invalid"])
    return Catalog(
        path=path,
        meta=meta,
        sources=MappingProxyType(dict(sources)),
        aws=MappingProxyType(parsed["aws"]),
        gcp=MappingProxyType(parsed["gcp"]),
    )


def load_prices(path: Path | str = PRICES_PATH) -> PriceBook:
    """Load and validate a prices.yaml-shaped file; raise CatalogError naming every bad entry and field."""
    path = Path(path)
    doc = _read_yaml(path, ("meta", "sources", "prices"))
    problems: list[str] = []
    meta, sources = _common(path, doc, problems)
    parsed: dict[str, PriceEntry] = {}
    for key, entry in doc["prices"].items():
        where = f"price entry '{key}'"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        try:
            item = PriceEntry.model_validate({**entry, "key": str(key)})
        except ValidationError as exc:
            problems += [f"{where}: {p}" for p in _describe(exc)]
            continue
        problems += list(_undefined_sources(where, item.sources, sources))
        parsed[str(key)] = item
    if problems or meta is None:
        raise CatalogError(path, problems or ["meta is invalid"])
    return PriceBook(
        path=path, meta=meta, sources=MappingProxyType(dict(sources)), prices=MappingProxyType(parsed)
    )


@functools.lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The packaged gpu_types.yaml, loaded and validated once."""
    return load_catalog(GPU_TYPES_PATH)


@functools.lru_cache(maxsize=1)
def default_price_book() -> PriceBook:
    """The packaged prices.yaml, loaded and validated once."""
    return load_prices(PRICES_PATH)


# --------------------------------------------------------------------------------------------- lookups
def _rank(query: str, names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: -difflib.SequenceMatcher(None, query, n.lower()).ratio())


def nearest_names(name: str, cloud: str, *, limit: int = 5) -> list[str]:
    """Valid names nearest to `name`: same family first (p5.48xl -> p5.48xlarge, p5e..., p5en...),
    then types whose accelerator is `name` (h100, nvidia-l4), then difflib close matches."""
    types = default_catalog().types(cloud)
    names = list(types)
    q = name.strip().lower()
    if not q:
        return []
    family = re.split(r"[.\-]", q, maxsplit=1)[0]
    same_family = _rank(q, [n for n in names if n.lower().startswith(family)]) if family else []
    by_accel = [
        n
        for n, t in types.items()
        if q in (t.accelerator.model.lower(), getattr(t.accelerator, "gke_accelerator_type", ""))
    ]
    lowered = {n.lower(): n for n in names}
    close = [lowered[c] for c in difflib.get_close_matches(q, list(lowered), n=limit, cutoff=0.6)]
    out: list[str] = []
    for n in same_family + by_accel:
        if n not in out:
            out.append(n)
    if len(out) < 3:
        out += [n for n in close if n not in out]
    return out[:limit]


def aws_instance_type(name: str) -> AwsInstanceType:
    try:
        return default_catalog().aws[name]
    except KeyError:
        raise UnknownTypeError(name, "aws", nearest_names(name, "aws")) from None


def gcp_machine_type(name: str) -> GcpMachineType:
    try:
        return default_catalog().gcp[name]
    except KeyError:
        raise UnknownTypeError(name, "gcp", nearest_names(name, "gcp")) from None


def aws_instance_types() -> dict[str, AwsInstanceType]:
    return dict(default_catalog().aws)


def gcp_machine_types() -> dict[str, GcpMachineType]:
    return dict(default_catalog().gcp)


def price(key: str) -> PriceEntry:
    book = default_price_book().prices
    try:
        return book[key]
    except KeyError:
        keys = list(book)
        prefix = key.rsplit(".", 1)[0]
        near = [k for k in keys if k.startswith(prefix + ".")] if "." in key else []
        near += [k for k in difflib.get_close_matches(key, keys, n=5, cutoff=0.6) if k not in near]
        raise UnknownPriceError(key, near[:5]) from None


def prices() -> dict[str, PriceEntry]:
    return dict(default_price_book().prices)
