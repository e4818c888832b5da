"""Fixtures for the instance rules (IMDS, shielded GKE nodes, the GKE metadata server, auto-repair) and for
GKE NetworkPolicy enforcement (planned as a dev stack)."""

import pulumi_aws as aws
import pulumi_gcp as gcp
from common import LABELS, TAGS, gke_cluster, with_changes

LT = {"block_device_mappings": [{"device_name": "/dev/xvda", "ebs": {"encrypted": "true", "volume_size": 200}}],
      "metadata_options": {"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1},
      "tags": TAGS}
aws.ec2.LaunchTemplate("inst-lt-ok", **LT)
aws.ec2.LaunchTemplate("inst-lt-imdsv1", **with_changes(LT, metadata_options={
    "http_endpoint": "enabled", "http_tokens": "optional", "http_put_response_hop_limit": 1}))
aws.ec2.LaunchTemplate("inst-lt-unset", **with_changes(LT, metadata_options=None))
aws.ec2.LaunchTemplate("inst-lt-two-hops", **with_changes(LT, metadata_options={
    "http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 2}))
aws.ec2.LaunchTemplate("inst-lt-no-imds", **with_changes(LT, metadata_options={"http_endpoint": "disabled"}))
INSTANCE = {"ami": "ami-0123456789abcdef0", "instance_type": "m7i.large", "subnet_id": "subnet-0a",
            "root_block_device": {"encrypted": True, "volume_size": 50},
            "metadata_options": {"http_tokens": "required", "http_put_response_hop_limit": 1}, "tags": TAGS}
aws.ec2.Instance("inst-vm-ok", **INSTANCE)
aws.ec2.Instance("inst-vm-imdsv1", **with_changes(INSTANCE, metadata_options={"http_tokens": "optional",
                                                                              "http_put_response_hop_limit": 1}))

GKE = gke_cluster()
gke = gcp.container.Cluster("inst-gke-ok", **GKE)
gcp.container.Cluster("inst-gke-unshielded", **with_changes(GKE, enable_shielded_nodes=False))
gcp.container.Cluster("inst-gke-legacy-dataplane", **with_changes(GKE, datapath_provider="LEGACY_DATAPATH"))
gcp.container.Cluster("inst-gke-calico", **with_changes(GKE, datapath_provider="LEGACY_DATAPATH",
                                                        network_policy={"enabled": True, "provider": "CALICO"}))
gcp.container.Cluster("inst-gke-autopilot", location="us-central1", enable_autopilot=True, resource_labels=LABELS)
gcp.container.Cluster("inst-gke-default-pool", **with_changes(GKE, remove_default_node_pool=False, node_config={
    "machine_type": "e2-standard-4", "service_account": "nodes@fixture-project.iam.gserviceaccount.com",
    "workload_metadata_config": {"mode": "GKE_METADATA"},
    "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True}}))

NODE_CONFIG = {"machine_type": "n2-standard-8", "service_account": "nodes@fixture-project.iam.gserviceaccount.com",
               "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
               "workload_metadata_config": {"mode": "GKE_METADATA"},
               "metadata": {"disable-legacy-endpoints": "true"}, "resource_labels": LABELS}
POOL = {"cluster": gke.id, "location": "us-central1", "node_count": 1, "management": {"auto_repair": True,
                                                                                     "auto_upgrade": True},
        "node_config": NODE_CONFIG}
gcp.container.NodePool("inst-pool-ok", **POOL)
gcp.container.NodePool("inst-pool-no-secure-boot", **with_changes(POOL, node_config={
    **NODE_CONFIG, "shielded_instance_config": {"enable_secure_boot": False, "enable_integrity_monitoring": True}}))
gcp.container.NodePool("inst-pool-node-metadata", **with_changes(POOL, node_config={
    **NODE_CONFIG, "workload_metadata_config": {"mode": "GCE_METADATA"}}))
gcp.container.NodePool("inst-pool-no-repair", **with_changes(POOL, management={"auto_repair": False,
                                                                                "auto_upgrade": True}))
gcp.container.NodePool("inst-pool-queued", **with_changes(POOL, node_count=None, initial_node_count=0,
                                                          management={"auto_repair": False, "auto_upgrade": True},
                                                          queued_provisioning={"enabled": True},
                                                          autoscaling={"total_min_node_count": 0,
                                                                       "total_max_node_count": 2,
                                                                       "location_policy": "ANY"}))

