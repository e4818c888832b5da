"""Fixtures for the GPU rules: EFA layouts from the hardware catalog, placement, zones, taints, types,
regions and the stack's GPU cap (planned as a dev stack).

p5.48xlarge has 32 network cards, each carrying one EFA device (components.catalog): the compliant
template puts the primary ENA interface at card 0 / device 0, an efa-only interface at card 0 / device 1
and an efa-only interface at device 0 of cards 1-31.
"""

import pulumi_aws as aws
import pulumi_gcp as gcp
from common import ACCOUNT, LABELS, TAGS, with_changes

vpc = aws.ec2.Vpc("gpu-vpc", cidr_block="10.0.0.0/16", tags=TAGS)
SUBNET = {"vpc_id": vpc.id, "availability_zone": "us-east-1a", "tags": TAGS}
subnet_a = aws.ec2.Subnet("gpu-subnet-a", cidr_block="10.0.0.0/19", **SUBNET)
subnet_a2 = aws.ec2.Subnet("gpu-subnet-a2", cidr_block="10.0.32.0/19", **SUBNET)
subnet_b = aws.ec2.Subnet("gpu-subnet-b", cidr_block="10.0.64.0/19", **with_changes(SUBNET, availability_zone="us-east-1b"))
sg = aws.ec2.SecurityGroup("gpu-sg", vpc_id=vpc.id, description="efa", tags=TAGS)
placement = aws.ec2.PlacementGroup("gpu-pg", strategy="cluster", tags=TAGS)
spread = aws.ec2.PlacementGroup("gpu-pg-spread", strategy="spread", tags=TAGS)


def efa_interfaces(cards: range) -> list[dict]:
    out = [{"network_card_index": 0, "device_index": 0, "interface_type": "interface", "security_groups": [sg.id],
            "delete_on_termination": "true"}]
    for card in cards:
        out.append({"network_card_index": card, "device_index": 1 if card == 0 else 0, "interface_type": "efa-only",
                    "security_groups": [sg.id], "delete_on_termination": "true"})
    return out


LT = {"block_device_mappings": [{"device_name": "/dev/xvda", "ebs": {"encrypted": "true", "volume_size": 500}}],
      "metadata_options": {"http_tokens": "required", "http_put_response_hop_limit": 1},
      "network_interfaces": efa_interfaces(range(32)), "placement": {"group_name": placement.name}, "tags": TAGS}
lt_p5 = aws.ec2.LaunchTemplate("gpu-lt-p5", **LT)
lt_partial = aws.ec2.LaunchTemplate("gpu-lt-p5-partial", **with_changes(LT, network_interfaces=efa_interfaces(range(8))))
aws.ec2.LaunchTemplate("gpu-lt-p5-unplaced", **with_changes(LT, placement=None, instance_type="p5.48xlarge"))
aws.ec2.LaunchTemplate("gpu-lt-p5-spread", **with_changes(LT, placement={"group_name": spread.name},
                                                          instance_type="p5.48xlarge"))
# Names a placement group the stack does not hold: its strategy cannot be seen, so the rule fails closed.
aws.ec2.LaunchTemplate("gpu-lt-p5-foreign-group", **with_changes(LT, placement={"group_name": "shared-cluster-pg"},
                                                                 instance_type="p5.48xlarge"))
aws.ec2.LaunchTemplate("gpu-lt-p5-capacity-block", **with_changes(
    LT, placement=None, instance_type="p5.48xlarge", instance_market_options={"market_type": "capacity-block"},
    capacity_reservation_specification={"capacity_reservation_target": {
        "capacity_reservation_id": "cr-0123456789abcdef0"}}))
aws.ec2.LaunchTemplate("gpu-lt-p5-extra-card", **with_changes(LT, instance_type="p5.48xlarge",
                                                              network_interfaces=efa_interfaces(range(33))))
aws.ec2.LaunchTemplate("gpu-lt-p3", **with_changes(LT, instance_type="p3dn.24xlarge",
                                                   network_interfaces=efa_interfaces(range(1))))
lt_cpu = aws.ec2.LaunchTemplate("gpu-lt-cpu", **with_changes(LT, network_interfaces=None, placement=None))

GPU_TAINT = [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]
NODE_GROUP = {"cluster_name": "gpu", "node_role_arn": f"arn:aws:iam::{ACCOUNT}:role/nodes", "subnet_ids": [subnet_a.id],
              "instance_types": ["p5.48xlarge"], "scaling_config": {"min_size": 0, "max_size": 2, "desired_size": 0},
              "launch_template": {"id": lt_p5.id, "version": lt_p5.latest_version.apply(str)}, "taints": GPU_TAINT,
              "tags": TAGS}
aws.eks.NodeGroup("gpu-ng-p5", **NODE_GROUP)
aws.eks.NodeGroup("gpu-ng-p5-partial", **with_changes(NODE_GROUP, launch_template={
    "id": lt_partial.id, "version": lt_partial.latest_version.apply(str)}))
aws.eks.NodeGroup("gpu-ng-p5-two-zones", **with_changes(NODE_GROUP, subnet_ids=[subnet_a.id, subnet_b.id]))
aws.eks.NodeGroup("gpu-ng-p5-one-zone-two-subnets", **with_changes(NODE_GROUP, subnet_ids=[subnet_a.id, subnet_a2.id]))
aws.eks.NodeGroup("gpu-ng-p5-big", **with_changes(NODE_GROUP, scaling_config={"min_size": 0, "max_size": 8,
                                                                              "desired_size": 0}))
aws.eks.NodeGroup("gpu-ng-p5-untainted", **with_changes(NODE_GROUP, taints=None))
aws.eks.NodeGroup("gpu-ng-p4d", **with_changes(NODE_GROUP, instance_types=["p4d.24xlarge"], launch_template=None))
aws.eks.NodeGroup("gpu-ng-p3", **with_changes(NODE_GROUP, instance_types=["p3.16xlarge"], launch_template=None))
aws.eks.NodeGroup("gpu-ng-trn1", **with_changes(NODE_GROUP, instance_types=["trn1.32xlarge"], launch_template=None,
                                                taints=[{"key": "aws.amazon.com/neuron", "value": "present",
                                                         "effect": "NO_SCHEDULE"}]))
G6E = with_changes(NODE_GROUP, instance_types=["g6e.xlarge"], launch_template=None,
                   subnet_ids=[subnet_a.id, subnet_b.id])
aws.eks.NodeGroup("gpu-ng-g6e", **G6E)
aws.eks.NodeGroup("gpu-ng-g6e-warm", **with_changes(G6E, scaling_config={"min_size": 1, "max_size": 2,
                                                                          "desired_size": 1}))
aws.eks.NodeGroup("gpu-ng-g6e-oregon", **with_changes(G6E, region="us-west-2"))
aws.eks.NodeGroup("gpu-ng-cpu", **with_changes(G6E, instance_types=["m7i.2xlarge"], taints=None, launch_template={
    "id": lt_cpu.id, "version": lt_cpu.latest_version.apply(str)}, subnet_ids=[subnet_a.id, subnet_b.id]))

# --- GKE ----------------------------------------------------------------------------------------------
NODE_CONFIG = {"machine_type": "g2-standard-48", "guest_accelerators": [{"type": "nvidia-l4", "count": 4}],
               "service_account": "gpu-nodes@fixture-project.iam.gserviceaccount.com",
               "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
               "workload_metadata_config": {"mode": "GKE_METADATA"}, "resource_labels": LABELS,
               "taints": [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]}
POOL = {"cluster": "projects/fixture-project/locations/us-central1/clusters/gpu", "location": "us-central1",
        "node_locations": ["us-central1-a"], "initial_node_count": 0,
        "autoscaling": {"total_min_node_count": 0, "total_max_node_count": 2}, "node_config": NODE_CONFIG}
gcp.container.NodePool("gpu-gke-l4", **POOL)
gcp.container.NodePool("gpu-gke-l4-untainted", **with_changes(POOL, node_config=with_changes(NODE_CONFIG, taints=None)))
gcp.container.NodePool("gpu-gke-l4-wrong-accelerator", **with_changes(POOL, node_config=with_changes(
    NODE_CONFIG, guest_accelerators=[{"type": "nvidia-tesla-t4", "count": 4}])))
gcp.container.NodePool("gpu-gke-l4-europe", **with_changes(POOL, location="europe-west4",
                                                           node_locations=["europe-west4-a"]))
gcp.container.NodePool("gpu-gke-cpu", **with_changes(POOL, node_config=with_changes(
    NODE_CONFIG, machine_type="n2-standard-8", guest_accelerators=None, taints=None)))
