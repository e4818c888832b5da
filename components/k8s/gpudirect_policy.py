"""GPUDirect on GKE: what a team pod may do in a namespace that runs on TCPXO or RDMA pools.

Dependency-free (no Pulumi): the policy pack and the tests read the same table.

Google's published GPUDirect workload specs mount NCCL's network plugin from the host (hostPath), and
TCPXO adds the `tcpxo-daemon` (RxDM) sidecar with NET_ADMIN. Pod Security `baseline` and `restricted`
reject any hostPath volume, so such a namespace enforces `privileged`, keeps `audit`/`warn` at
`restricted`, and a ValidatingAdmissionPolicy bound to it (namespaceSelector on GPUDIRECT_LABEL)
rejects every pod that is not restricted-compliant except for the grants below. The CEL is rendered
from HOST_PATHS / SIDECARS and `pod_violations` evaluates the same rules in Python (tests).

Sources (GoogleCloudPlatform/container-engine-accelerators at 992db81257553607f1477945f1b3219632991829):
- gpudirect-tcpxo/nccl-test-latest.yaml: volumes `nvidia` (/home/kubernetes/bin/nvidia/lib64),
  `aperture-devices` (/dev/aperture_devices), and for the tcpxo-daemon container only `sys` (/sys) and
  `proc-sys` (/proc/sys); tcpxo-daemon image us-docker.pkg.dev/gce-ai-infra/gpudirect-tcpxo/tcpgpudmarxd-dev,
  capabilities add NET_ADMIN, NET_BIND_SERVICE (privileged commented out), no runAsNonRoot.
- gpudirect-rdma/nccl-test.yaml: volumes `library-dir-host` (/home/kubernetes/bin/nvidia) and `gib`
  (/home/kubernetes/bin/gib).
- Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
  the baseline and restricted controls mirrored by CHECKS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from components.names import LABEL_PREFIX

FLAVOURS = ("tcpxo", "rdma")                    # catalog gpu_nics.flavour values that get this path
GPUDIRECT_LABEL = f"{LABEL_PREFIX}/gpudirect"    # on a team namespace: its flavours, sorted, joined by "-"
POLICY_PREFIX = "lz-gpudirect"                  # ValidatingAdmissionPolicy(+Binding) name: lz-gpudirect-<value>


@dataclass(frozen=True)
class HostPathGrant:
    flavour: str
    path: str               # exact hostPath.path
    read_only: bool         # every mount of it must set readOnly: true
    sidecar_only: bool      # only the flavour's vendor sidecar may mount it
    why: str


@dataclass(frozen=True)
class SidecarGrant:
    """A vendor container allowed beyond `restricted`: matched by name AND image repository."""

    flavour: str
    name: str
    image_repository: str               # the image must be <repository>:<tag> or <repository>@<digest>
    add_capabilities: tuple[str, ...]   # may add these (and need not drop ALL)
    # The sidecar may run as root, without allowPrivilegeEscalation: false and without a seccomp profile
    # (Google's spec sets none of them). It may never be privileged or use host namespaces.


HOST_PATHS: tuple[HostPathGrant, ...] = (
    HostPathGrant("tcpxo", "/home/kubernetes/bin/nvidia/lib64", True, False,
                  "NCCL + FasTrak plugin written by nccl-tcpxo-installer; pods load it from /usr/local/nvidia/lib64"),
    HostPathGrant("tcpxo", "/dev/aperture_devices", False, False,
                  "the TCPXO NICs' aperture devices the installer bind-mounts (made a+rw by it); "
                  "NCCL_FASTRAK_LLCM_DEVICE_DIRECTORY; Google's spec mounts it read-write"),
    HostPathGrant("tcpxo", "/sys", False, True, "tcpxo-daemon (RxDM) reads the host sysfs at /hostsysfs"),
    HostPathGrant("tcpxo", "/proc/sys", False, True, "tcpxo-daemon (RxDM) at /hostprocsysfs"),
    HostPathGrant("rdma", "/home/kubernetes/bin/nvidia", True, False,
                  "NVIDIA libraries plus the gIB NCCL libraries nccl-rdma-installer copies to lib64"),
    HostPathGrant("rdma", "/home/kubernetes/bin/gib", True, False,
                  "gIB NCCL plugin and set_nccl_env.sh written by nccl-rdma-installer; mounted at /usr/local/gib"),
)

SIDECARS: tuple[SidecarGrant, ...] = (
    SidecarGrant("tcpxo", "tcpxo-daemon", "us-docker.pkg.dev/gce-ai-infra/gpudirect-tcpxo/tcpgpudmarxd-dev",
                 ("NET_ADMIN", "NET_BIND_SERVICE")),
)

# Pod Security Standards, v1.33 (restricted volume types; baseline sysctls, SELinux types, capabilities).
RESTRICTED_VOLUMES = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret")
SAFE_SYSCTLS = ("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes")
SELINUX_TYPES = ("", "container_t", "container_init_t", "container_kvm_t", "container_engine_t")
SECCOMP_TYPES = ("RuntimeDefault", "Localhost")
RESTRICTED_ADD = ("NET_BIND_SERVICE",)
BASELINE_ADD = ("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
                "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT")
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def gpudirect_flavour(nic_flavour: str) -> Literal["tcpxo", "rdma"] | None:
    """The GPUDirect path of a pool whose GPU NICs have this catalog flavour (None: no path built;
    TCPX (a3-highgpu-8g) has its own installer and sidecar, not built here)."""
    if nic_flavour == "tcpxo":
        return "tcpxo"
    if nic_flavour == "rdma":
        return "rdma"
    return None


def label_value(flavours: Iterable[str]) -> str:
    """The GPUDIRECT_LABEL value (and policy suffix) of a namespace whose pools have these flavours."""
    chosen = sorted(set(flavours))
    unknown = [f for f in chosen if f not in FLAVOURS]
    if unknown or not chosen:
        raise ValueError(f"GPUDirect flavours must be a non-empty subset of {FLAVOURS}, got {chosen}")
    return "-".join(chosen)


def policy_name(flavours: Iterable[str]) -> str:
    return f"{POLICY_PREFIX}-{label_value(flavours)}"


def grants(flavours: Iterable[str]) -> tuple[list[HostPathGrant], list[SidecarGrant]]:
    chosen = set(flavours)
    return [g for g in HOST_PATHS if g.flavour in chosen], [s for s in SIDECARS if s.flavour in chosen]


# --- Python evaluator ------------------------------------------------------------------------------

def _sc(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("securityContext") or {}


def is_sidecar(c: Mapping[str, Any], sidecars: Iterable[SidecarGrant]) -> bool:
    image = c.get("image") or ""
    return any(c.get("name") == s.name and (image.startswith(s.image_repository + ":")
                                            or image.startswith(s.image_repository + "@")) for s in sidecars)


def pod_violations(pod: Mapping[str, Any], flavours: Iterable[str],
                   annotations: Mapping[str, str] | None = None,
                   level: Literal["baseline", "restricted"] = "restricted") -> list[str]:
    """What the namespace's ValidatingAdmissionPolicy rejects in a pod spec (same rules as the CEL).

    With no flavours this is Pod Security admission itself at `level` (baseline or restricted), the one
    evaluator of those controls: the journeys' placed step calls it that way."""
    restricted = level == "restricted"
    paths, sidecars = grants(flavours)
    allowed = {g.path: g for g in paths}
    out: list[str] = []
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(key):
            out.append(f"{key}: true")
    ro_volumes, sidecar_volumes = set(), set()
    for v in pod.get("volumes") or []:
        kinds = [k for k in v if k != "name"]
        if "hostPath" in kinds:
            grant = allowed.get((v.get("hostPath") or {}).get("path"))
            if grant is None:
                out.append(f"hostPath volume '{v.get('name')}' ({(v.get('hostPath') or {}).get('path')}) "
                           "is not allow-listed")
                continue
            if grant.read_only:
                ro_volumes.add(v.get("name"))
            if grant.sidecar_only:
                sidecar_volumes.add(v.get("name"))
        elif restricted and not set(kinds) <= set(RESTRICTED_VOLUMES):
            out.append(f"volume '{v.get('name')}' of type {', '.join(kinds)}")
    pod_sc = _sc(pod)
    if pod_sc.get("runAsUser") == 0:
        out.append("pod runAsUser: 0")
    if (pod_sc.get("windowsOptions") or {}).get("hostProcess"):
        out.append("pod windowsOptions.hostProcess")
    if (pod_sc.get("seccompProfile") or {}).get("type") not in (None, *SECCOMP_TYPES):
        out.append("pod seccompProfile not RuntimeDefault/Localhost")
    if (pod_sc.get("appArmorProfile") or {}).get("type") == "Unconfined":
        out.append("pod appArmorProfile Unconfined")
    se = pod_sc.get("seLinuxOptions") or {}
    if se.get("user") or se.get("role") or se.get("type", "") not in SELINUX_TYPES:
        out.append("pod seLinuxOptions outside the baseline")
    if any(s.get("name") not in SAFE_SYSCTLS for s in pod_sc.get("sysctls") or []):
        out.append("pod sets an unsafe sysctl")
    for key, value in (annotations or {}).items():
        if key.startswith(APPARMOR_ANNOTATION) and not (value == "runtime/default" or value.startswith("localhost/")):
            out.append(f"annotation {key}: {value}")
    regular = [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]
    for c, may_be_sidecar in [*((c, True) for c in regular), *((c, False) for c in pod.get("ephemeralContainers") or [])]:
        name, sc = c.get("name"), _sc(c)
        sidecar = may_be_sidecar and is_sidecar(c, sidecars)
        if sc.get("privileged"):
            out.append(f"container '{name}' privileged")
        if any(p.get("hostPort") for p in c.get("ports") or []):
            out.append(f"container '{name}' uses hostPort")
        if sc.get("procMount") not in (None, "Default"):
            out.append(f"container '{name}' procMount {sc.get('procMount')}")
        if (sc.get("windowsOptions") or {}).get("hostProcess"):
            out.append(f"container '{name}' windowsOptions.hostProcess")
        if (sc.get("appArmorProfile") or {}).get("type") == "Unconfined":
            out.append(f"container '{name}' appArmorProfile Unconfined")
        cse = sc.get("seLinuxOptions") or {}
        if cse.get("user") or cse.get("role") or cse.get("type", "") not in SELINUX_TYPES:
            out.append(f"container '{name}' seLinuxOptions outside the baseline")
        for m in c.get("volumeMounts") or []:
            if m.get("name") in ro_volumes and m.get("readOnly") is not True:
                out.append(f"container '{name}' mounts host path volume '{m.get('name')}' without readOnly: true")
            if m.get("name") in sidecar_volumes and not sidecar:
                out.append(f"container '{name}' mounts '{m.get('name')}', which only the vendor sidecar may")
        caps = sc.get("capabilities") or {}
        added = set(caps.get("add") or [])
        if sidecar:
            allowed_add = set().union(*(s.add_capabilities for s in sidecars if s.name == name))
            if added - allowed_add:
                out.append(f"container '{name}' adds capabilities {', '.join(sorted(added - allowed_add))}")
            continue
        permitted = set(RESTRICTED_ADD if restricted else BASELINE_ADD)
        if added - permitted:
            out.append(f"container '{name}' adds capabilities {', '.join(sorted(added - permitted))}")
        if not restricted:
            continue
        if "ALL" not in (caps.get("drop") or []):
            out.append(f"container '{name}' does not drop ALL capabilities")
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append(f"container '{name}' does not set allowPrivilegeEscalation: false")
        non_root = sc["runAsNonRoot"] if "runAsNonRoot" in sc else pod_sc.get("runAsNonRoot")
        if non_root is not True:
            out.append(f"container '{name}' does not set runAsNonRoot: true")
        if sc.get("runAsUser") == 0:
            out.append(f"container '{name}' runAsUser: 0")
        seccomp = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
        if seccomp not in SECCOMP_TYPES:
            out.append(f"container '{name}' has no RuntimeDefault/Localhost seccomp profile")
    return out


# --- CEL (ValidatingAdmissionPolicy) ---------------------------------------------------------------
# https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/ : `object` is the
# Pod; `variables.<name>` are evaluated lazily; `has()` tests optional fields.

def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def _opt(expr: str, field: str) -> str:
    """`expr.field` if set: has(expr.field) && expr.field."""
    return f"(has({expr}.{field}) && {expr}.{field})"


def _sidecar_cel(sidecars: Iterable[SidecarGrant], c: str = "c") -> str:
    terms = [f"({c}.name == '{s.name}' && has({c}.image) && ({c}.image.startsWith('{s.image_repository}:') || "
             f"{c}.image.startsWith('{s.image_repository}@')))" for s in sidecars]
    return "(" + " || ".join(terms) + ")" if terms else "false"


def _baseline_sc(obj: str) -> str:
    """Baseline controls on one securityContext holder (a container or the pod's spec)."""
    sc = f"{obj}.securityContext"
    return (f"(!has({sc}) || ("
            f"!(has({sc}.windowsOptions) && {_opt(sc + '.windowsOptions', 'hostProcess')}) && "
            f"!(has({sc}.appArmorProfile) && {sc}.appArmorProfile.type == 'Unconfined') && "
            f"!(has({sc}.seLinuxOptions) && (has({sc}.seLinuxOptions.user) || has({sc}.seLinuxOptions.role) || "
            f"(has({sc}.seLinuxOptions.type) && !({sc}.seLinuxOptions.type in {_list(SELINUX_TYPES)}))))))")


def validations(flavours: Iterable[str]) -> list[dict[str, str]]:
    """The policy's `validations` (expression + message), rendered from the allow-list."""
    paths, sidecars = grants(flavours)
    sidecar = _sidecar_cel(sidecars)
    allowed = _list(g.path for g in paths)
    pod_sc = "object.spec.securityContext"
    out = [
        ("!" + _opt("object.spec", "hostNetwork") + " && !" + _opt("object.spec", "hostPID") + " && !"
         + _opt("object.spec", "hostIPC"), "hostNetwork, hostPID and hostIPC are not allowed"),
        ("!has(object.spec.volumes) || object.spec.volumes.all(v, "
         + " || ".join(f"has(v.{k})" for k in RESTRICTED_VOLUMES)
         + f" || (has(v.hostPath) && v.hostPath.path in {allowed}))",
         f"volumes must be of the restricted types or hostPath volumes of exactly {allowed}"),
        (_baseline_sc("object.spec") + f" && (!has({pod_sc}) || !has({pod_sc}.runAsUser) || {pod_sc}.runAsUser != 0)"
         f" && (!has({pod_sc}) || !has({pod_sc}.seccompProfile) || "
         f"{pod_sc}.seccompProfile.type in {_list(SECCOMP_TYPES)}) && (!has({pod_sc}) || !has({pod_sc}.sysctls) || "
         f"{pod_sc}.sysctls.all(s, s.name in {_list(SAFE_SYSCTLS)}))",
         "the pod securityContext must meet Pod Security baseline (no hostProcess, Unconfined AppArmor or seccomp, "
         "custom SELinux user/role/type, unsafe sysctls or runAsUser 0)"),
        ("!has(object.metadata.annotations) || object.metadata.annotations.all(k, "
         f"!k.startsWith('{APPARMOR_ANNOTATION}') || object.metadata.annotations[k] == 'runtime/default' || "
         "object.metadata.annotations[k].startsWith('localhost/'))",
         "AppArmor annotations must be runtime/default or localhost/*"),
    ]
    for var, may_be_sidecar in (("variables.containers", True), ("variables.ephemeral", False)):
        is_sc = sidecar if may_be_sidecar else "false"
        c_sc = "c.securityContext"
        caps = f"{c_sc}.capabilities"
        sidecar_caps = " || ".join(
            f"(c.name == '{s.name}' && {caps}.add.all(a, a in {_list(s.add_capabilities)}))" for s in sidecars
        ) or "false"
        out += [
            (f"{var}.all(c, !has(c.securityContext) || !{_opt(c_sc, 'privileged')})", "privileged containers are not allowed"),
            (f"{var}.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))",
             "hostPort is not allowed"),
            (f"{var}.all(c, {_baseline_sc('c')} && (!has(c.securityContext) || !has({c_sc}.procMount) || "
             f"{c_sc}.procMount == 'Default'))",
             "containers must meet Pod Security baseline (procMount, hostProcess, AppArmor, SELinux)"),
            (f"{var}.all(c, !has(c.volumeMounts) || c.volumeMounts.all(m, !(m.name in variables.readOnlyHostVolumes) "
             f"|| {_opt('m', 'readOnly')}))",
             "host path volumes must be mounted readOnly: true"),
            (f"{var}.all(c, {is_sc} || !has(c.volumeMounts) || c.volumeMounts.all(m, "
             f"!(m.name in variables.sidecarHostVolumes)))",
             "only the vendor sidecar may mount its host path volumes"),
            (f"{var}.all(c, ({is_sc}) ? (!has(c.securityContext) || !has({caps}) || !has({caps}.add) || "
             f"{sidecar_caps}) : (has(c.securityContext) && has({caps}) && has({caps}.drop) && 'ALL' in {caps}.drop && "
             f"(!has({caps}.add) || {caps}.add.all(a, a in {_list(RESTRICTED_ADD)}))))",
             "containers must drop ALL capabilities and add at most NET_BIND_SERVICE (the vendor sidecar: its own list)"),
            (f"{var}.all(c, {is_sc} || (has(c.securityContext) && has({c_sc}.allowPrivilegeEscalation) && "
             f"!{c_sc}.allowPrivilegeEscalation))", "containers must set allowPrivilegeEscalation: false"),
            (f"{var}.all(c, {is_sc} || ((has(c.securityContext) && has({c_sc}.runAsNonRoot)) ? {c_sc}.runAsNonRoot : "
             f"(has({pod_sc}) && has({pod_sc}.runAsNonRoot) && {pod_sc}.runAsNonRoot)))",
             "containers must run as non-root (runAsNonRoot: true)"),
            (f"{var}.all(c, {is_sc} || !has(c.securityContext) || !has({c_sc}.runAsUser) || {c_sc}.runAsUser != 0)",
             "containers must not set runAsUser: 0"),
            (f"{var}.all(c, {is_sc} || ((has(c.securityContext) && has({c_sc}.seccompProfile)) ? "
             f"{c_sc}.seccompProfile.type in {_list(SECCOMP_TYPES)} : (has({pod_sc}) && has({pod_sc}.seccompProfile) && "
             f"{pod_sc}.seccompProfile.type in {_list(SECCOMP_TYPES)})))",
             "containers must use the RuntimeDefault or Localhost seccomp profile"),
        ]
    return [{"expression": e, "message": msg} for e, msg in out]


def variables(flavours: Iterable[str]) -> list[dict[str, str]]:
    paths, _ = grants(flavours)
    ro = _list(g.path for g in paths if g.read_only)
    side = _list(g.path for g in paths if g.sidecar_only)
    return [
        # initContainers and containers share the Container type; ephemeral containers are checked
        # separately (another type) and never count as the sidecar.
        {"name": "containers", "expression": "(has(object.spec.initContainers) ? object.spec.initContainers : []) "
                                             "+ object.spec.containers"},
        {"name": "ephemeral", "expression": "has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers : []"},
        {"name": "readOnlyHostVolumes", "expression": "has(object.spec.volumes) ? object.spec.volumes.filter(v, "
                                                      f"has(v.hostPath) && v.hostPath.path in {ro}).map(v, v.name) : []"},
        {"name": "sidecarHostVolumes", "expression": "has(object.spec.volumes) ? object.spec.volumes.filter(v, "
                                                     f"has(v.hostPath) && v.hostPath.path in {side}).map(v, v.name) : []"},
    ]


