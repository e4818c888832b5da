"""PlatformInputs for a Kubernetes cluster the team already runs (cloud: byo).

Nothing is created here: the cluster's kubeconfig comes from secret config and its GPU pools are
the nodes that already carry `kubernetes.gpuNodeSelector` (plus each pool's own labels).
"""

from __future__ import annotations

import pulumi

from components.config.checks import pool_gpus_per_node
from components.config.model import Cloud, LandingZoneConfig
from components.platform_inputs import ClusterAccess, GpuPoolHandle, PlatformInputs


def brought_cluster_inputs(config: LandingZoneConfig) -> PlatformInputs:
    k8s_config = config.kubernetes
    if not k8s_config.kubeconfig_secret:
        raise ValueError("kubernetes.kubeconfigSecret is required when cloud is byo")
    namespace, _, key = k8s_config.kubeconfig_secret.rpartition(":")
    kubeconfig = pulumi.Config(namespace).require_secret(key)
    pools = [
        GpuPoolHandle(
            name=pool.name,
            node_labels={**k8s_config.gpu_node_selector, **pool.labels},
            gpus_per_node=pool.gpus_per_node or pool_gpus_per_node(Cloud.byo, pool.instance_type),
            max_nodes=pool.max_nodes,
        )
        for pool in config.gpu_pools
    ]
    return PlatformInputs(
        cluster=ClusterAccess(kind="byo", name=k8s_config.context or "brought-cluster", kubeconfig=kubeconfig,
                              context=k8s_config.context),
        gpu_pools=pools,
    )
