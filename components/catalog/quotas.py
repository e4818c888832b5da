"""GPU quota a plan needs: which cloud quota each GPU pool draws on, and how much of it at max scale.

Pure (catalog only, no Pulumi): the components request what these functions compute (AWS Service Quotas,
GCP Cloud Quotas preferences), and the policy rule `gpu-quota-covers-pools` recomputes the need from the
recorded node groups / node pools and compares it with the requests in the same plan.

AWS: EC2 GPU quotas are vCPUs per instance family and purchase option (a p5.48xlarge counts 192 against
"Running On-Demand P instances"; Service Quotas describes L-7212CCBC as "The maximum number of vCPUs for all
running or requested P4, P3 or P2 Spot Instances per Region", quoted in a public quota checker, search-index
id 65803451488; names and codes re-checked 2026-11-29 against several public Service Quotas maps). Codes, service `ec2` (Service Quotas console; cross-checked in public
repositories: geyang/jaynes-starter-kit 02_ec2_docker_guide/setup/spot_limit.md, a ListServiceQuotas dump
with "L-3819A6DF All G Spot Instance Requests"; a GPU quota table naming L-DB2E81BA "Running On-Demand G and
VT instances" and L-417A185B "Running On-Demand P instances"; a family map with P spot L-7212CCBC; all from
the search index, retrieved 2026-11-29). Regional: a request is per region.
Pools on a reservation or Capacity Block draw on the capacity bought outside this stack and are not
requested here (an On-Demand Capacity Reservation already needs the on-demand quota when it is created).

GCP: GPUs per region. L4 and A100 have a quota per model (`NVIDIA-L4-GPUS-per-project-region`); H100,
H100 Mega, H200 and B200 on-demand come from the unified `GPUS-PER-GPU-FAMILY-per-project-region` quota,
dimension `gpu_family`; Spot (preemptible) VMs draw on `PREEMPTIBLE-NVIDIA-<model>-GPUS-per-project-region`.
Verified 2026-11-29 (issue #17 follow-up): Google's "View and manage quotas" page
(cloud.google.com/docs/quotas/view-manage, "Example request") requests quotaId
`GPUS-PER-GPU-FAMILY-per-project-region`, service `compute.googleapis.com`, dimensions `region` and
`gpu_family: NVIDIA_H100`. The per-model and preemptible ids are as the Cloud Quotas API lists them for
compute.googleapis.com in public quota inventories (`quotaInfos` dumps: search-index ids 55894211902,
2026-06-23, which lists NVIDIA-L4, PREEMPTIBLE-NVIDIA-L4, NVIDIA-A100, PREEMPTIBLE-NVIDIA-A100,
PREEMPTIBLE-NVIDIA-H100, -H100-MEGA, -H200 and -B200 `-GPUS-per-project-region`; 62153604297, 2026-06-29;
70468162220 for NVIDIA-A100-80GB / PREEMPTIBLE-NVIDIA-A100-80GB). The gpu_family values other than
NVIDIA_H100 (NVIDIA_H100_MEGA, NVIDIA_H200, NVIDIA_B200) come from public Cloud Quotas fixtures and
accelerator maps (55279553342, 68431006220), not from a Google page: unverified against Google's docs.
Every GPU VM also draws on the project-wide ceiling `GPUS-ALL-REGIONS-per-project` (global, no dimension),
which is 0 on new projects: Compute Engine refuses a GPU VM with "Quota 'GPUS_ALL_REGIONS' exceeded. Limit:
0.0 globally. metric name = compute.googleapis.com/gpus_all_regions limit name = GPUS-ALL-REGIONS-per-project"
(a reported gcloud error, search-index id 55057648430; the same quota id with service compute.googleapis.com in
a google_cloud_quotas_quota_preference, id 17019704450). `with_gcp_global` requests the sum of the regional
needs there. Whether Spot (preemptible) GPUs count against it is not settled by a source: they are counted
(a preference above the need is granted or refused as a whole; one below it refuses VMs).
A pool on a specific reservation draws on the reservation, which holds its quota from creation. Which quota
flex-start (Dynamic Workload Scheduler) VMs draw on was not found in a source: such pools are not requested
(QuotaUnknownError; the landing zone warns and the rule does not judge them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from . import UnknownTypeError, aws_instance_type, gcp_machine_type

AWS_SERVICE = "ec2"
GCP_SERVICE = "compute.googleapis.com"

# (family, purchase option) -> (quota code, quota name)
AWS_GPU_QUOTAS: Mapping[tuple[str, str], tuple[str, str]] = {
    ("P", "onDemand"): ("L-417A185B", "Running On-Demand P instances"),
    ("P", "spot"): ("L-7212CCBC", "All P Spot Instance Requests"),
    ("G", "onDemand"): ("L-DB2E81BA", "Running On-Demand G and VT instances"),
    ("G", "spot"): ("L-3819A6DF", "All G and VT Spot Instance Requests"),
}

GCP_FAMILY_QUOTA = "GPUS-PER-GPU-FAMILY-per-project-region"
GCP_ALL_REGIONS_QUOTA = "GPUS-ALL-REGIONS-per-project"
# GKE accelerator type -> (on-demand quota id, gpu_family dimension or None, preemptible quota id)
GCP_GPU_QUOTAS: Mapping[str, tuple[str, str | None, str]] = {
    "nvidia-l4": ("NVIDIA-L4-GPUS-per-project-region", None, "PREEMPTIBLE-NVIDIA-L4-GPUS-per-project-region"),
    "nvidia-tesla-a100": ("NVIDIA-A100-GPUS-per-project-region", None,
                          "PREEMPTIBLE-NVIDIA-A100-GPUS-per-project-region"),
    "nvidia-a100-80gb": ("NVIDIA-A100-80GB-GPUS-per-project-region", None,
                         "PREEMPTIBLE-NVIDIA-A100-80GB-GPUS-per-project-region"),
    "nvidia-h100-80gb": (GCP_FAMILY_QUOTA, "NVIDIA_H100", "PREEMPTIBLE-NVIDIA-H100-GPUS-per-project-region"),
    "nvidia-h100-mega-80gb": (GCP_FAMILY_QUOTA, "NVIDIA_H100_MEGA",
                              "PREEMPTIBLE-NVIDIA-H100-MEGA-GPUS-per-project-region"),
    "nvidia-h200-141gb": (GCP_FAMILY_QUOTA, "NVIDIA_H200", "PREEMPTIBLE-NVIDIA-H200-GPUS-per-project-region"),
    "nvidia-b200": (GCP_FAMILY_QUOTA, "NVIDIA_B200", "PREEMPTIBLE-NVIDIA-B200-GPUS-per-project-region"),
}

RESERVED = ("reservation", "capacityBlock")


@dataclass(frozen=True, order=True)
class QuotaKey:
    """One quota: AWS (service ec2, code) or GCP (quota id + dimensions, region included)."""

    service: str
    quota: str
    dimensions: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        dims = ", ".join(f"{k}={v}" for k, v in self.dimensions)
        return f"{self.service} {self.quota}" + (f" ({dims})" if dims else "")


class QuotaUnknownError(ValueError):
    """The catalog knows the hardware but not which quota it draws on."""


def aws_family(instance_type: str) -> str:
    """The EC2 quota family letter: P for p4d/p5..., G for g5/g6/g6e and vt1."""
    head = instance_type.split(".", 1)[0].lower()
    if head.startswith("p"):
        return "P"
    if head.startswith(("g", "vt")):
        return "G"
    return head.rstrip("0123456789").upper()


def aws_pool_quota(instance_type: str, capacity: str, region: str, max_nodes: int) -> tuple[QuotaKey, int] | None:
    """(quota, vCPUs) an EKS GPU pool needs at max scale in `region`; None when it draws on a reservation."""
    if capacity in RESERVED:
        return None
    entry = aws_instance_type(instance_type)
    option = "spot" if capacity == "spot" else "onDemand"
    family = aws_family(instance_type)
    code = AWS_GPU_QUOTAS.get((family, option))
    if code is None:
        raise QuotaUnknownError(f"{instance_type}: no EC2 vCPU quota code catalogued for family {family} "
                                f"{option} (components/catalog/quotas.py)")
    return QuotaKey(AWS_SERVICE, code[0], (("region", region),)), entry.vcpu * max_nodes


def gcp_pool_quota(machine_type: str, capacity: str, region: str, max_nodes: int) -> tuple[QuotaKey, int] | None:
    """(quota, GPUs) a GKE GPU pool needs at max scale in `region`; None when it draws on a reservation."""
    if capacity in RESERVED:
        return None
    entry = gcp_machine_type(machine_type)
    kind = entry.accelerator.gke_accelerator_type
    ids = GCP_GPU_QUOTAS.get(kind)
    if ids is None:
        raise QuotaUnknownError(f"{machine_type}: no Cloud Quotas id catalogued for {kind} "
                                "(components/catalog/quotas.py)")
    on_demand, family, preemptible = ids
    if capacity == "flexStart":
        raise QuotaUnknownError(f"{machine_type}: the quota flex-start VMs draw on is not catalogued "
                                "(components/catalog/quotas.py)")
    if capacity == "spot":
        key = QuotaKey(GCP_SERVICE, preemptible, (("region", region),))
    else:
        dims = (("gpu_family", family), ("region", region)) if family else (("region", region),)
        key = QuotaKey(GCP_SERVICE, on_demand, dims)
    return key, entry.accelerator.count * max_nodes


def total_needs(needs: Iterable[tuple[QuotaKey, int] | None]) -> dict[QuotaKey, int]:
    """Sum the pools' needs per quota (pools of one family and option share a quota)."""
    out: dict[QuotaKey, int] = {}
    for need in needs:
        if need is not None:
            key, amount = need
            out[key] = out.get(key, 0) + amount
    return dict(sorted(out.items()))


def with_gcp_global(needs: Mapping[QuotaKey, int]) -> dict[QuotaKey, int]:
    """GCP regional GPU needs plus the project-wide `GPUS-ALL-REGIONS-per-project` they add up to (see the
    module docstring); needs of other services are returned unchanged."""
    out = dict(needs)
    gpus = sum(amount for key, amount in needs.items() if key.service == GCP_SERVICE)
    if gpus:
        key = QuotaKey(GCP_SERVICE, GCP_ALL_REGIONS_QUOTA)
        out[key] = out.get(key, 0) + gpus
    return dict(sorted(out.items()))


#: (pool name, instance or machine type, capacity type, nodes at max scale): what a pool asks of its quota.
PoolSize = tuple[str, str, str, int]


def pools_quota(pools: Iterable[PoolSize], region: str,
                pool_quota: Callable[[str, str, str, int], tuple[QuotaKey, int] | None],
                ) -> tuple[dict[QuotaKey, int], list[str]]:
    """What the pools need per quota at max scale (`aws_pool_quota` or `gcp_pool_quota`, summed per quota),
    and one line per pool whose quota the catalog does not know (its quota is not requested)."""
    needs, unknown = [], []
    for name, machine, capacity, max_nodes in pools:
        try:
            needs.append(pool_quota(machine, capacity, region, max_nodes))
        except QuotaUnknownError as exc:
            unknown.append(f"gpuPools {name}: GPU quota not requested: {exc}")
    return total_needs(needs), unknown


def catalogued(lookup, name: str) -> bool:
    try:
        lookup(name)
        return True
    except UnknownTypeError:
        return False


__all__ = [
    "AWS_GPU_QUOTAS", "AWS_SERVICE", "GCP_ALL_REGIONS_QUOTA", "GCP_FAMILY_QUOTA", "GCP_GPU_QUOTAS", "GCP_SERVICE",
    "QuotaKey", "QuotaUnknownError", "aws_family", "aws_pool_quota", "catalogued", "gcp_pool_quota", "total_needs",
    "with_gcp_global",
]
