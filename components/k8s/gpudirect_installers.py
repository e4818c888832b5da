"""GKE GPUDirect node installers, re-expressed from Google's published manifests as typed DaemonSets.

Source: GoogleCloudPlatform/container-engine-accelerators at commit
992db81257553607f1477945f1b3219632991829 (read, not copied):
- gpudirect-tcpxo/nccl-tcpxo-installer.yaml (DaemonSet nccl-tcpxo-installer, kube-system);
- nri_device_injector/nri-device-injector.yaml (DaemonSet device-injector; the GKE TCPXO guide
  "Maximize GPU network bandwidth with GPUDirect-TCPXO and multi-networking" installs it so the
  `devices.gke.io/container.tcpxo-daemon` annotation gives the sidecar the GPU devices without privilege);
- gpudirect-rdma/nccl-rdma-installer.yaml (DaemonSet nccl-rdma-installer; the GKE guide "Maximize GPU
  network bandwidth ... with GPUDirect RDMA").

What differs from Google's files, on purpose: Google selects nodes by accelerator type
(cloud.google.com/gke-accelerator In [...]); here each DaemonSet selects exactly the landing zone's pools
that need it (the landing zone pool label In [...], which every pool it builds carries), so no other node runs a privileged installer.
Images are config (`kubernetes.gpudirect.images`), defaulting to exactly the references Google's files use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from components.names import POOL_LABEL

Manifest = dict[str, Any]
NAMESPACE = "kube-system"

# The scripts Google's manifests run, unchanged (nccl-tcpxo-installer.yaml, nccl-rdma-installer.yaml).
TCPXO_HOST_SETUP = """\
/sbin/iptables -I INPUT -p tcp -m tcp -j ACCEPT && modprobe import-helper
sudo mkdir -p /dev/aperture_devices
while IFS= read -r line; do
  BDF=$( echo "$line" | awk '{print $1}' );
  target_aperture_path="/dev/aperture_devices/$BDF"
  host_aperture_device=$(readlink -f "/sys/bus/pci/devices/$BDF");
  sudo mkdir -p $target_aperture_path;
  sudo umount -R $target_aperture_path;
  sudo mount --bind $host_aperture_device $target_aperture_path;
done < <(lspci -nn -D | grep '1ae0:0084')
if [ -d /dev/aperture_devices ]; then
    chmod -R a+r /dev/aperture_devices/
    chmod a+rw /dev/aperture_devices/*/resource*
fi
"""
TCPXO_INSTALL = """\
set -ex
chmod 755 /scripts/container_entry.sh
/scripts/container_entry.sh install --install-nccl
mkdir -p /usr/local/nvidia/lib64
cp -r /var/lib/tcpxo/lib64/. /usr/local/nvidia/lib64
echo "installation finishes"
"""
RDMA_INSTALL = """\
set -ex
/scripts/container_entry.sh install
cp -r /var/lib/gib/lib64/. /usr/local/home/kubernetes/bin/nvidia/lib64
cp -r /var/lib/gib/. /usr/local/home/kubernetes/bin/gib
echo "installation finishes"
"""

PRIVILEGED = {"privileged": True}
CPU_REQUEST = {"requests": {"cpu": "150m"}}   # Google's request for each installer container


def _daemonset(name: str, labels: Mapping[str, str], pools: Sequence[str], spec: Manifest) -> Manifest:
    if not pools:
        raise ValueError(f"{name}: no pools to install on")
    selector = {"k8s-app": name}
    return {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {**labels, **selector}},
        "spec": {
            "selector": {"matchLabels": selector},
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": {**selector, "name": name}},
                "spec": {
                    "priorityClassName": "system-node-critical",
                    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [{"matchExpressions": [
                            {"key": POOL_LABEL, "operator": "In", "values": sorted(pools)}]}]}}},
                    "tolerations": [{"operator": "Exists"}],
                    "hostNetwork": True, "hostPID": True,
                    **spec,
                },
            },
        },
    }


def tcpxo_installer(labels: Mapping[str, str], pools: Sequence[str], *, installer: str, host_setup: str,
                    pause: str) -> Manifest:
    return _daemonset("nccl-tcpxo-installer", labels, pools, {
        "volumes": [{"name": "var-lib", "hostPath": {"path": "/var/lib"}},
                    {"name": "tcpxo", "hostPath": {"path": "/var/lib/tcpxo"}},
                    {"name": "library-dir-host", "hostPath": {"path": "/home/kubernetes/bin"}}],
        "initContainers": [
            {"name": "pre-installation", "image": host_setup, "securityContext": dict(PRIVILEGED),
             "command": ["nsenter", "-at", "1", "--", "sh", "-c", TCPXO_HOST_SETUP]},
            {"name": "nccl-tcpxo-installer", "image": installer, "resources": CPU_REQUEST,
             "securityContext": dict(PRIVILEGED),
             "volumeMounts": [{"name": "var-lib", "mountPath": "/var/lib"},
                              {"name": "library-dir-host", "mountPath": "/usr/local"}],
             "command": ["/bin/sh", "-c"], "args": [TCPXO_INSTALL]},
        ],
        "containers": [{"name": "pause", "image": pause}],
    })


def nri_device_injector(labels: Mapping[str, str], pools: Sequence[str], *, image: str) -> Manifest:
    return _daemonset("device-injector", labels, pools, {
        "containers": [{"name": "device-injector", "image": image, "resources": CPU_REQUEST,
                        "securityContext": dict(PRIVILEGED),
                        "volumeMounts": [{"name": "dev", "mountPath": "/dev"},
                                         {"name": "nri", "mountPath": "/var/run/nri"}]}],
        # Google's file also declares an unused `root` (/) hostPath volume; it is left out here.
        "volumes": [{"name": "nri", "hostPath": {"path": "/var/run/nri"}},
                    {"name": "dev", "hostPath": {"path": "/dev"}}],
    })


def rdma_installer(labels: Mapping[str, str], pools: Sequence[str], *, installer: str, pause: str) -> Manifest:
    return _daemonset("nccl-rdma-installer", labels, pools, {
        "volumes": [{"name": "library-dir-host",
                     "hostPath": {"path": "/home/kubernetes/bin/nvidia/lib64", "type": "DirectoryOrCreate"}},
                    {"name": "gib", "hostPath": {"path": "/home/kubernetes/bin/gib"}}],
        "initContainers": [
            {"name": "nccl-rdma-installer", "image": installer, "resources": CPU_REQUEST,
             "securityContext": dict(PRIVILEGED),
             "volumeMounts": [{"name": "library-dir-host", "mountPath": "/usr/local/home/kubernetes/bin/nvidia/lib64"},
                              {"name": "gib", "mountPath": "/usr/local/home/kubernetes/bin/gib"}],
             "command": ["/bin/sh", "-c"], "args": [RDMA_INSTALL]},
        ],
        "containers": [{"name": "pause", "image": pause}],
    })
