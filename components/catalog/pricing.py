"""Price one resource from its type and wire-format (camelCase) inputs, as a plan records them.

The one place the cost maths lives: `lz cost` / `lz plan` (lz/cost) and the cost rules of the policy pack
(policies/rules/cost) both call `price_resource`. Pure: no Pulumi import, only the catalog.

    charge = price_resource("aws:eks/nodeGroup:NodeGroup", inputs, context)
    charge.hourly_min, charge.hourly_max      # USD/h at min and max scale; None when the price is unknown

Rules the figures follow:
  - a price that is not in the catalog is unknown (`None`), never 0;
  - usage-metered charges (GB stored, GB processed, events) are not guessed: the fixed part is priced and the
    rate is named in `basis` ("0.023 USD per GB-month, size unknown");
  - spot capacity has no fixed public price, so its figures are an upper bound at the on-demand price and
    `basis` says so;
  - a resource type with no charge of its own (IAM, subnets, Kubernetes objects ...) returns `None` from
    `price_resource`; a billed type this module does not know returns a charge with unknown figures, so a
    new billed resource shows up as "unpriced" instead of silently costing $0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from components.names import POOL_LABEL, RESERVED_NODES_KEY

from . import UnknownPriceError, UnknownTypeError, aws_instance_type, gcp_machine_type, price

HOURS_PER_MONTH = 730  # the figure AWS and Google price calculators use

# Capacity types, as `lz cost` reports them (config: components.config.model.CapacityType).
ON_DEMAND, SPOT, RESERVATION, CAPACITY_BLOCK, FLEX_START = (
    "onDemand", "spot", "reservation", "capacityBlock", "flexStart")

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
NODE_POOL = "gcp:container/nodePool:NodePool"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
GPU_POOL_TYPES = (NODE_GROUP, NODE_POOL)


@dataclass(frozen=True)
class Charge:
    """What one resource costs. Hourly figures at min and max scale; None = unknown price."""

    hourly_min: float | None
    hourly_max: float | None
    basis: str
    price_keys: tuple[str, ...] = ()
    capacity_type: str | None = None
    pool: str | None = None              # GPU pools: the pool (node group / node pool) name
    instance_type: str | None = None
    nodes: tuple[int, int] | None = None  # GPU pools: (min, max) nodes

    @property
    def known(self) -> bool:
        return self.hourly_min is not None and self.hourly_max is not None

    @property
    def monthly_min(self) -> float | None:
        return None if self.hourly_min is None else self.hourly_min * HOURS_PER_MONTH

    @property
    def monthly_max(self) -> float | None:
        return None if self.hourly_max is None else self.hourly_max * HOURS_PER_MONTH


@dataclass(frozen=True)
class PricingContext:
    """What pricing one resource needs to know about the others of the same plan."""

    launch_templates: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # by id and by name
    gke_nodes: tuple[int, int] = (0, 0)  # VMs behind a Cloud NAT gateway at min / max scale

    @classmethod
    def of(cls, resources: Iterable[tuple[str, str, Mapping[str, Any]]]) -> PricingContext:
        """Build the context from (type, id, inputs) of every resource in the plan."""
        templates: dict[str, Mapping[str, Any]] = {}
        rows = list(resources)
        for type_, id_, inputs in rows:
            if type_ == LAUNCH_TEMPLATE:
                if id_:
                    templates[id_] = inputs
                if inputs.get("name"):
                    templates[str(inputs["name"])] = inputs
        lo = hi = 0
        for type_, _, inputs in rows:
            if type_ == NODE_POOL:
                n_lo, n_hi, _ = gke_node_counts(inputs)
                lo, hi = lo + n_lo, hi + n_hi
        return cls(launch_templates=templates, gke_nodes=(lo, hi))


# ------------------------------------------------------------------------------------------- helpers
def _num(value: Any) -> float | None:
    """Wire numbers arrive as floats, and some GCP fields (capacityGib) as decimal strings."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _usd(key: str) -> float | None:
    return price(key).usd


def _fmt(usd: float) -> str:
    return f"{usd:g}"


def _fixed(key: str, count: float, what: str, per: str = "hour") -> Charge:
    """`count` units of a flat rate; per 'hour', 'day' or 'month'."""
    unit = _usd(key)
    if unit is None:
        return Charge(None, None, f"{what}: price unknown ({key} has no sourced figure)", (key,))
    hours = {"hour": 1, "day": 24, "month": HOURS_PER_MONTH}[per]
    hourly = unit * count / hours
    rate = f"{_fmt(unit)} USD per {per}"
    basis = f"{what}: {rate}" if count == 1 else f"{what}: {count:g} x {rate}"
    return Charge(hourly, hourly, basis, (key,))


def _usage(key: str, what: str, unknown: str = "amount unknown") -> Charge:
    """A charge that depends only on usage the plan cannot know: $0 fixed, the rate in the basis."""
    unit = _usd(key)
    rate = f"{_fmt(unit)} USD {price(key).unit}" if unit is not None else f"rate unknown ({key})"
    return Charge(0.0, 0.0, f"{what}: usage only, {rate}, {unknown}", (key,))


def _unknown(what: str) -> Charge:
    return Charge(None, None, what)


def _tag(inputs: Mapping[str, Any], *paths: tuple[str, ...]) -> Mapping[str, Any]:
    for path in paths:
        node: Any = inputs
        for part in path:
            node = node.get(part) if isinstance(node, Mapping) else None
        if isinstance(node, Mapping) and node:
            return node
    return {}


def attribution(inputs: Mapping[str, Any], key: str) -> str | None:
    """The value of a cost-attribution tag / label in a resource's inputs (AWS tags, GCP labels,
    GKE node resource labels, Kubernetes metadata labels). GCP label keys allow no upper case."""
    bags = _tag(inputs, ("tags",)), _tag(inputs, ("labels",)), _tag(inputs, ("resourceLabels",)), \
        _tag(inputs, ("nodeConfig", "resourceLabels")), \
        _tag(inputs, ("metadata", "labels")), _tag(inputs, ("settings", "userLabels"))
    for bag in bags:
        for candidate in (key, key.lower().replace(".", "_")):
            value = bag.get(candidate)
            if isinstance(value, str) and value:
                return value
    return None


# ------------------------------------------------------------------------------------------- GPU pools
def instance_rate(cloud: str, name: str) -> tuple[float | None, str] | None:
    """(on-demand USD/h, price key) of an instance / machine type: the accelerator catalog, else a
    `aws.ec2.<type>.hour` / `gcp.compute.<type>.hour` entry of prices.yaml; None when neither knows it."""
    try:
        entry = aws_instance_type(name) if cloud == "aws" else gcp_machine_type(name)
        return entry.on_demand_usd_per_hour, f"{cloud}:{name}"
    except UnknownTypeError:
        pass
    key = f"aws.ec2.{name}.hour" if cloud == "aws" else f"gcp.compute.{name.replace('-', '_')}.hour"
    try:
        return price(key).usd, key
    except UnknownPriceError:
        return None


def capacity_block_rate(instance_type: str) -> tuple[float | None, str]:
    """(USD per instance-hour of a Capacity Block, price key); None when the catalog has no sourced rate."""
    key = f"aws.ec2_capacity_block.{instance_type}.hour"
    try:
        return price(key).usd, key
    except UnknownPriceError:
        return None, key


def _pool_charge(*, instance_price: float | None, instance_type: str, price_key: str, nodes: tuple[int, int],
                 capacity: str, pool: str, reserved: int | None = None) -> Charge:
    """A GPU pool at min and max scale. Reserved capacity (a reservation / Capacity Block of `reserved`
    instances) bills for every reserved instance whether a node runs on it or not: that is the pool's
    idle cost, and the floor of its cost at any scale."""
    lo, hi = nodes
    scale = f"{lo}..{hi} x {instance_type}"
    if capacity == CAPACITY_BLOCK:
        rate, key = capacity_block_rate(instance_type)
        if rate is None or reserved is None:
            missing = "no sourced Capacity Block rate in the catalog" if rate is None else \
                f"block size unknown (no {RESERVED_NODES_KEY} tag recorded)"
            return Charge(None, None, f"{scale}, Capacity Block: {missing}", (key,), capacity, pool,
                          instance_type, nodes)
        block = reserved * rate
        basis = (f"Capacity Block of {reserved} x {instance_type} at {_fmt(rate)} USD/h (reservation fee, paid up "
                 "front for the block's duration; billed whether instances run or not, so idle = max while the "
                 f"block is active); the operating-system fee while instances run is not priced; {scale}")
        return Charge(block, block, basis, (key,), capacity, pool, instance_type, nodes)
    if instance_price is None:
        return Charge(None, None, f"{scale}: no public on-demand price in the catalog",
                      (price_key,), capacity, pool, instance_type, nodes)
    rate = f"{_fmt(instance_price)} USD/h on-demand"
    if capacity == RESERVATION:
        if reserved is None:
            basis = (f"{scale} at {rate}; reserved capacity bills for every reserved instance, used or not, but the "
                     f"reservation's size is not recorded ({RESERVED_NODES_KEY}): its idle cost is not counted")
            return Charge(lo * instance_price, hi * instance_price, basis, (price_key,), capacity, pool,
                          instance_type, nodes)
        basis = (f"{scale} on a reservation of {reserved} at {rate}: every reserved instance bills, used or not "
                 f"(idle = {reserved} x {_fmt(instance_price)})")
        return Charge(max(lo, reserved) * instance_price, max(hi, reserved) * instance_price, basis, (price_key,),
                      capacity, pool, instance_type, nodes)
    notes = {
        ON_DEMAND: "",
        SPOT: "; spot has no fixed public price: upper bound at the on-demand price",
        FLEX_START: "; flex-start is discounted: upper bound at the on-demand price",
    }
    basis = f"{scale} at {rate}{notes.get(capacity, '')}"
    return Charge(lo * instance_price, hi * instance_price, basis, (price_key,), capacity, pool,
                  instance_type, nodes)


def reserved_nodes(*bags: Any) -> int | None:
    """The `reserved-nodes` tag / label of a pool's registration (node group tags, GKE resource labels)."""
    for bag in bags:
        if isinstance(bag, Mapping) and bag.get(RESERVED_NODES_KEY) is not None:
            value = _num(bag[RESERVED_NODES_KEY])
            if value is not None and value >= 1:
                return int(value)
    return None


_EKS_CAPACITY = {"ON_DEMAND": ON_DEMAND, "SPOT": SPOT, "CAPACITY_BLOCK": CAPACITY_BLOCK}


def pool_name(labels: Any, *names: Any) -> str:
    """The pool a node group / node pool serves: its pool label, else its provider-side name ('' if none)."""
    if isinstance(labels, Mapping) and labels.get(POOL_LABEL):
        return str(labels[POOL_LABEL])
    return next((str(n) for n in names if n), "")


def eks_instance_type(inputs: Mapping[str, Any], launch_templates: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The node group's instance type: its own `instanceTypes`, else its launch template's `instanceType`
    (found by the template's id, as `lz` records it, or by `launchTemplate.name`)."""
    types = inputs.get("instanceTypes") or []
    if types:
        return str(types[0])
    ref = inputs.get("launchTemplate") or {}
    for key in (ref.get("id"), ref.get("name")):
        template = launch_templates.get(str(key)) if key else None
        if template and template.get("instanceType"):
            return str(template["instanceType"])
    return None


def eks_capacity_type(inputs: Mapping[str, Any], launch_templates: Mapping[str, Mapping[str, Any]]) -> str:
    capacity = _EKS_CAPACITY.get(str(inputs.get("capacityType") or "ON_DEMAND"), ON_DEMAND)
    if capacity == ON_DEMAND:
        ref = inputs.get("launchTemplate") or {}
        template = next((launch_templates[str(k)] for k in (ref.get("id"), ref.get("name"))
                         if k and str(k) in launch_templates), {})
        if (template.get("capacityReservationSpecification") or {}).get("capacityReservationTarget"):
            return RESERVATION
    return capacity


def price_node_group(inputs: Mapping[str, Any], context: PricingContext) -> Charge:
    scaling = inputs.get("scalingConfig") or {}
    nodes = (int(_num(scaling.get("minSize")) or 0), int(_num(scaling.get("maxSize")) or 0))
    pool = pool_name(inputs.get("labels"), inputs.get("nodeGroupName"), inputs.get("nodeGroupNamePrefix"))
    capacity = eks_capacity_type(inputs, context.launch_templates)
    name = eks_instance_type(inputs, context.launch_templates)
    if name is None:
        return Charge(None, None, "instance type not in the node group nor in a launch template found by id/name",
                      (), capacity, pool, None, nodes)
    rate = instance_rate("aws", name)
    if rate is None:
        return Charge(None, None, f"{nodes[0]}..{nodes[1]} x {name}: not a catalogued type, no price",
                      (), capacity, pool, name, nodes)
    return _pool_charge(instance_price=rate[0], instance_type=name, price_key=rate[1],
                        nodes=nodes, capacity=capacity, pool=pool, reserved=reserved_nodes(inputs.get("tags")))


def gke_node_counts(inputs: Mapping[str, Any]) -> tuple[int, int, str]:
    """(min, max, how) nodes of a GKE node pool. Per-zone limits multiply by the pool's zones."""
    zones = len(inputs.get("nodeLocations") or []) or 1
    auto = inputs.get("autoscaling") or {}
    total_lo, total_hi = _num(auto.get("totalMinNodeCount")), _num(auto.get("totalMaxNodeCount"))
    if total_hi is not None:
        return int(total_lo or 0), int(total_hi), "total node counts"
    per_lo, per_hi = _num(auto.get("minNodeCount")), _num(auto.get("maxNodeCount"))
    if per_hi is not None:
        return int(per_lo or 0) * zones, int(per_hi) * zones, f"per-zone counts x {zones} zone(s)"
    fixed = _num(inputs.get("nodeCount"))
    if fixed is None:
        fixed = _num(inputs.get("initialNodeCount")) or 0
    return int(fixed) * zones, int(fixed) * zones, f"fixed size x {zones} zone(s)"


def gke_capacity_type(inputs: Mapping[str, Any]) -> str:
    node = inputs.get("nodeConfig") or {}
    if node.get("spot") or node.get("preemptible"):
        return SPOT
    if node.get("flexStart") or (inputs.get("queuedProvisioning") or {}).get("enabled"):
        return FLEX_START
    affinity = (node.get("reservationAffinity") or {}).get("consumeReservationType")
    if affinity == "SPECIFIC_RESERVATION":
        return RESERVATION
    return ON_DEMAND


def price_node_pool(inputs: Mapping[str, Any], context: PricingContext) -> Charge:
    lo, hi, _how = gke_node_counts(inputs)
    pool = pool_name((inputs.get("nodeConfig") or {}).get("labels"), inputs.get("name"), inputs.get("namePrefix"))
    capacity = gke_capacity_type(inputs)
    name = str((inputs.get("nodeConfig") or {}).get("machineType") or "")
    if not name:
        return Charge(None, None, "node pool without nodeConfig.machineType", (), capacity, pool, None, (lo, hi))
    rate = instance_rate("gcp", name)
    if rate is None:
        return Charge(None, None, f"{lo}..{hi} x {name}: not a catalogued machine type, no price",
                      (), capacity, pool, name, (lo, hi))
    return _pool_charge(instance_price=rate[0], instance_type=name, price_key=rate[1],
                        nodes=(lo, hi), capacity=capacity, pool=pool,
                        reserved=reserved_nodes((inputs.get("nodeConfig") or {}).get("resourceLabels")))


# ------------------------------------------------------------------------------------------- the rest
def _aws_ec2_instance(inputs: Mapping[str, Any], _: PricingContext) -> Charge:
    name = str(inputs.get("instanceType") or "")
    rate = instance_rate("aws", name) if name else None
    if rate is None:
        return _unknown(f"EC2 instance {name or '(no type)'}: not a catalogued type, no price")
    od, key = rate
    if od is None:
        return Charge(None, None, f"EC2 instance {name}: no public on-demand price", (key,), ON_DEMAND)
    return Charge(od, od, f"1 x {name} at {_fmt(od)} USD/h on-demand", (key,), ON_DEMAND, instance_type=name)


def _vpc_endpoint(inputs: Mapping[str, Any], _: PricingContext) -> Charge | None:
    kind = str(inputs.get("vpcEndpointType") or "Gateway")
    if kind == "Gateway":
        return None  # S3 / DynamoDB gateway endpoints carry no hourly or data charge
    azs = len(inputs.get("subnetIds") or inputs.get("subnetConfigurations") or [])
    if azs == 0:
        return _unknown(f"{kind} endpoint without subnets in its inputs: AZ count unknown")
    charge = _fixed("aws.vpc_interface_endpoint.hour_per_az", azs, f"{kind} endpoint in {azs} AZ(s)")
    return _with_usage(charge, "aws.vpc_interface_endpoint.data_processed_gb")


def _with_usage(charge: Charge, key: str) -> Charge:
    unit = _usd(key)
    extra = f"; plus {_fmt(unit)} USD {price(key).unit}" if unit is not None else ""
    return Charge(charge.hourly_min, charge.hourly_max, charge.basis + extra, charge.price_keys + (key,))


def _fsx_lustre(inputs: Mapping[str, Any], _: PricingContext) -> Charge:
    gib = _num(inputs.get("storageCapacity"))
    deployment = str(inputs.get("deploymentType") or "SCRATCH_1")
    tier = _num(inputs.get("perUnitStorageThroughput"))
    storage = str(inputs.get("storageType") or "SSD")
    if gib is None:
        return _unknown("FSx for Lustre without storageCapacity in its inputs")
    if deployment != "PERSISTENT_2" or storage != "SSD" or tier is None:
        return _unknown(f"FSx for Lustre {deployment}/{storage} at {tier or '-'} MB/s/TiB: not in the price catalog")
    key = f"aws.fsx_lustre.persistent_2.{int(tier)}.gb_month"
    return _fixed(key, gib, f"FSx for Lustre PERSISTENT_2 {gib:g} GiB at {int(tier)} MB/s/TiB", per="month")


def _gcp_lustre(inputs: Mapping[str, Any], _: PricingContext) -> Charge:
    gib, tier = _num(inputs.get("capacityGib")), _num(inputs.get("perUnitStorageThroughput"))
    if gib is None or tier is None:
        return _unknown("Managed Lustre without capacityGib / perUnitStorageThroughput in its inputs")
    key = f"gcp.managed_lustre.{int(tier)}.gib_month"
    return _fixed(key, gib, f"Managed Lustre {gib:g} GiB at {int(tier)} MB/s/TiB", per="month")


def _filestore(inputs: Mapping[str, Any], _: PricingContext) -> Charge:
    tier = str(inputs.get("tier") or "")
    shares = inputs.get("fileShares") or {}
    share = shares[0] if isinstance(shares, list) and shares else shares
    gib = _num(share.get("capacityGb")) if isinstance(share, Mapping) else None
    keys = {"ZONAL": "gcp.filestore.zonal.gib_month", "REGIONAL": "gcp.filestore.regional.gib_month"}
    if tier not in keys or gib is None:
        return _unknown(f"Filestore tier {tier or '(none)'}: not in the price catalog")
    return _fixed(keys[tier], gib, f"Filestore {tier} {gib:g} GiB", per="month")


def _parallelstore(inputs: Mapping[str, Any], _: PricingContext) -> Charge:
    gib = _num(inputs.get("capacityGib"))
    if gib is None:
        return _unknown("Parallelstore without capacityGib in its inputs")
    return _fixed("gcp.parallelstore.gib_month", gib, f"Parallelstore {gib:g} GiB", per="month")


def _s3_bucket(inputs: Mapping[str, Any], _: PricingContext) -> Charge:
    return _usage("aws.s3.standard.gb_month", "S3 bucket, Standard class (lifecycle rules move objects to cheaper "
                  "classes)", "size unknown")


def _gcs_bucket(inputs: Mapping[str, Any], _: PricingContext) -> Charge:
    cls = str(inputs.get("storageClass") or "STANDARD").lower()
    cls = "standard" if cls in ("regional", "multi_regional") else cls
    return _usage(f"gcp.gcs.{cls}.gb_month", f"GCS bucket, {cls.upper()} class", "size unknown")


def _gcp_nat(inputs: Mapping[str, Any], context: PricingContext) -> Charge:
    per_vm, cap = _usd("gcp.cloud_nat.gateway_hour_per_vm"), _usd("gcp.cloud_nat.gateway_hour_max")
    ips = len(inputs.get("natIps") or [])
    ip_rate = _usd("gcp.cloud_nat.ip_hour") if ips else 0.0
    keys = ("gcp.cloud_nat.gateway_hour_per_vm", "gcp.cloud_nat.gateway_hour_max", "gcp.cloud_nat.ip_hour")
    if per_vm is None or cap is None or ip_rate is None:
        return Charge(None, None, "Cloud NAT: a rate is unknown", keys)

    def hourly(vms: int) -> float:
        return (vms * per_vm if vms <= 32 else cap) + ips * ip_rate

    lo, hi = context.gke_nodes
    basis = (f"Cloud NAT for {lo}..{hi} GKE node VMs at {_fmt(per_vm)} USD/VM-hour (cap {_fmt(cap)} above 32 VMs)"
             + (f" + {ips} NAT IP(s) at {_fmt(ip_rate)} USD/h" if ips else "")
             + f"; plus {_fmt(_usd('gcp.cloud_nat.data_processed_gib') or 0)} USD per GiB processed")
    return Charge(hourly(lo), hourly(hi), basis, keys + ("gcp.cloud_nat.data_processed_gib",))


def _gcp_kms_key(inputs: Mapping[str, Any], _: PricingContext) -> Charge:
    level = str((inputs.get("versionTemplate") or {}).get("protectionLevel") or "SOFTWARE")
    key = {"SOFTWARE": "gcp.kms.key_version_month", "HSM": "gcp.kms.hsm_key_version_month"}.get(level)
    if key is None:
        return _unknown(f"Cloud KMS key, {level} protection: not in the price catalog")
    charge = _fixed(key, 1, f"Cloud KMS key, {level}, 1 active version", per="month")
    if inputs.get("rotationPeriod"):
        charge = Charge(charge.hourly_min, charge.hourly_max,
                        charge.basis + "; each rotation adds a billed version until old ones are destroyed",
                        charge.price_keys)
    return charge


def _aws_kms_key(inputs: Mapping[str, Any], _: PricingContext) -> Charge:
    charge = _fixed("aws.kms.key_month", 1, "KMS customer managed key", per="month")
    if inputs.get("enableKeyRotation"):
        charge = Charge(charge.hourly_min, charge.hourly_max,
                        charge.basis + "; the first two rotations add 1 USD/month each", charge.price_keys)
    return charge


def _gke_cluster(inputs: Mapping[str, Any], _: PricingContext) -> Charge:
    charge = _fixed("gcp.gke.cluster_hour", 1, "GKE cluster management fee (free-tier credit not applied)")
    if not inputs.get("removeDefaultNodePool") and (_num(inputs.get("initialNodeCount")) or 0) > 0:
        return Charge(None, None, charge.basis + "; the default node pool is kept and its nodes are not priced",
                      charge.price_keys)
    return charge


def _k8s_service(inputs: Mapping[str, Any], _: PricingContext) -> Charge | None:
    if (inputs.get("spec") or {}).get("type") == "LoadBalancer":
        return _unknown("Service of type LoadBalancer: the cloud load balancer is not in the price catalog")
    return None


Pricer = Callable[[Mapping[str, Any], PricingContext], "Charge | None"]

PRICERS: dict[str, Pricer] = {
    NODE_GROUP: price_node_group,
    NODE_POOL: price_node_pool,
    "aws:ec2/instance:Instance": _aws_ec2_instance,
    "aws:eks/cluster:Cluster": lambda i, c: _fixed("aws.eks.cluster_hour", 1,
                                                  "EKS cluster, standard support (extended support: 0.60 USD/h)"),
    "aws:ec2/natGateway:NatGateway": lambda i, c: _with_usage(
        _fixed("aws.nat_gateway.hour", 1, "NAT gateway"), "aws.nat_gateway.data_processed_gb"),
    "aws:ec2/eip:Eip": lambda i, c: _fixed("aws.public_ipv4.hour", 1, "public IPv4 address"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:fsx/lustreFileSystem:LustreFileSystem": _fsx_lustre,
    "aws:efs/fileSystem:FileSystem": lambda i, c: _usage("aws.efs.standard.gb_month", "EFS, Standard class",
                                                              "size unknown"),
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:s3/bucketV2:BucketV2": _s3_bucket,
    "aws:kms/key:Key": _aws_kms_key,
    "aws:cloudtrail/trail:Trail": lambda i, c: _usage(
        "aws.cloudtrail.data_events_per_100k",
        "CloudTrail trail (the first copy of management events is free; data events billed)"),
    "aws:cloudwatch/logGroup:LogGroup": lambda i, c: _usage("aws.cloudwatch_logs.ingestion_gb", "CloudWatch log group"),
    "aws:ec2/flowLog:FlowLog": lambda i, c: _usage("aws.cloudwatch_logs.ingestion_gb",
                                                   "VPC flow log (vended logs, delivered to its destination)"),
    "gcp:container/cluster:Cluster": _gke_cluster,
    "gcp:compute/routerNat:RouterNat": _gcp_nat,
    "gcp:dns/managedZone:ManagedZone": lambda i, c: _fixed("gcp.cloud_dns.managed_zone_hour", 1,
                                                           "Cloud DNS managed zone (queries billed on top)"),
    "gcp:lustre/instance:Instance": _gcp_lustre,
    "gcp:filestore/instance:Instance": _filestore,
    "gcp:parallelstore/instance:Instance": _parallelstore,
    "gcp:storage/bucket:Bucket": _gcs_bucket,
    "gcp:kms/cryptoKey:CryptoKey": _gcp_kms_key,
    "gcp:logging/projectSink:ProjectSink": lambda i, c: _usage("gcp.logging.ingestion_gib",
                                                               "log sink (billed where the logs land)"),
    "kubernetes:core/v1:Service": _k8s_service,
    "aws:budgets/budget:Budget": lambda i, c: _fixed(
        "aws.budgets.budget_day", 1, "AWS budget (the payer account's first two are free)", per="day"),
}

# Only these providers create billed cloud resources; components (lz:*), Kubernetes objects (except the
# types in PRICERS), random, tls ... carry no charge of their own.
BILLED_PACKAGES = ("aws", "gcp")
# Modules / types of the billed providers that carry no charge of their own (control-plane objects,
# identities, network plumbing, configuration of a billed parent). Anything else unpriced is unknown.
FREE_MODULES = (
    "aws:iam/", "aws:vpc/", "aws:s3/bucket", "aws:efs/mountTarget", "aws:efs/accessPoint", "aws:efs/backupPolicy",
    "aws:kms/alias", "aws:ssm/parameter", "aws:eks/addon", "aws:eks/accessEntry", "aws:eks/accessPolicyAssociation",
    "aws:eks/podIdentityAssociation", "aws:eks/identityProviderConfig", "aws:cloudwatch/logResourcePolicy",
    "aws:fsx/dataRepositoryAssociation", "aws:autoscaling/tag", "aws:kms/grant",
    "gcp:serviceaccount/", "gcp:projects/", "gcp:kms/keyRing", "gcp:kms/cryptoKeyIAM", "gcp:storage/bucketIAM",
    "gcp:storage/bucketAccessControl", "gcp:logging/projectBucketConfig", "gcp:iap/", "gcp:orgpolicy/",
    "gcp:dns/recordSet",
    # Quota requests / preferences and Cloud Billing budgets carry no fee of their own (none is listed by
    # Service Quotas, Cloud Quotas, or https://cloud.google.com/billing/docs/how-to/budgets); AWS budgets do
    # (PRICERS).
    "aws:servicequotas/", "gcp:cloudquota/", "gcp:billing/budget",
    # Image registries: a repository, its policies and a pull-through cache rule have no charge of their
    # own; stored images are billed by usage (GB-month), as bucket objects are. Enhanced scanning
    # (aws:ecr/registryScanningConfiguration, Amazon Inspector per image) is not here: it stays unpriced.
    "aws:ecr/repository:", "aws:ecr/lifecyclePolicy", "aws:ecr/repositoryPolicy", "aws:ecr/pullThroughCacheRule",
    "gcp:artifactregistry/repository:", "gcp:artifactregistry/repositoryIam",
)
FREE_TYPES = frozenset({
    "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:ec2/routeTable:RouteTable", "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway", "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/placementGroup:PlacementGroup", "aws:ec2/networkAcl:NetworkAcl", "aws:ec2/networkAclRule:NetworkAclRule",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
    "aws:ec2/defaultRouteTable:DefaultRouteTable", "aws:ec2/vpcDhcpOptions:VpcDhcpOptions",
    "aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation", "aws:ec2/keyPair:KeyPair",
    "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation",
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
    "gcp:compute/network:Network", "gcp:compute/subnetwork:Subnetwork", "gcp:compute/firewall:Firewall",
    "gcp:compute/router:Router", "gcp:compute/route:Route", "gcp:compute/resourcePolicy:ResourcePolicy",
    "gcp:compute/globalAddress:GlobalAddress", "gcp:servicenetworking/connection:Connection",
    "gcp:projects/service:Service", "gcp:logging/projectExclusion:ProjectExclusion",
})


def is_free(type_: str) -> bool:
    if type_.split(":", 1)[0] not in BILLED_PACKAGES and type_ not in PRICERS:
        return True
    return type_ in FREE_TYPES or any(type_.startswith(m) for m in FREE_MODULES)


def price_resource(type_: str, inputs: Mapping[str, Any], context: PricingContext | None = None) -> Charge | None:
    """The charge of one resource, or None when its type has no charge of its own."""
    pricer = PRICERS.get(type_)
    if pricer is not None:
        return pricer(inputs, context or PricingContext())
    if is_free(type_):
        return None
    return _unknown(f"{type_}: no pricing rule for this type")


def gpu_pool_charges(resources: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[tuple[int, Charge]]:
    """(index, charge) of every GPU node group / node pool among (type, id, inputs) rows."""
    rows = list(resources)
    context = PricingContext.of(rows)
    out: list[tuple[int, Charge]] = []
    for i, (type_, _, inputs) in enumerate(rows):
        if type_ in GPU_POOL_TYPES:
            charge = price_resource(type_, inputs, context)
            if charge is not None:
                out.append((i, charge))
    return out


def round_usd(value: float | None) -> float | None:
    """Cents for reports; three significant digits below 1 USD (0.0014 stays 0.0014)."""
    if value is None:
        return None
    if value == 0 or abs(value) >= 1:
        return round(value, 2)
    return round(value, max(2, 2 - math.floor(math.log10(abs(value)))))


__all__ = [
    "CAPACITY_BLOCK", "FLEX_START", "GPU_POOL_TYPES", "HOURS_PER_MONTH", "ON_DEMAND", "RESERVATION", "SPOT",
    "Charge", "PricingContext", "attribution", "eks_capacity_type", "eks_instance_type", "gke_capacity_type",
    "gke_node_counts", "gpu_pool_charges", "is_free", "price_node_group", "price_node_pool", "price_resource",
    "round_usd",
]
