"""Launch-template pieces every EKS node shares: IMDSv2, encrypted gp3 volumes, tags on what it launches.

IMDS hop limit: 1 keeps instance credentials away from pods (a pod's packets to 169.254.169.254 need a
second hop). Pods get AWS credentials through IRSA instead. Raise it to 2 only for pods that are not
`hostNetwork` and still read instance metadata themselves, e.g. an EBS CSI node plugin older than
v1.13 without Kubernetes-metadata fallback, or an AWS Load Balancer Controller started without
`--aws-region` / `--aws-vpc-id`. The managed add-ons this landing zone installs do not need it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws


def imds_v2(hop_limit: int = 1) -> aws.ec2.LaunchTemplateMetadataOptionsArgs:
    if not 1 <= hop_limit <= 64:
        raise ValueError(f"IMDS hop limit must be 1..64, got {hop_limit}")
    return aws.ec2.LaunchTemplateMetadataOptionsArgs(
        http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=hop_limit,
        instance_metadata_tags="disabled")


def encrypted_volume(device: str, size_gib: int, kms_key_arn: pulumi.Input[str]
                     ) -> aws.ec2.LaunchTemplateBlockDeviceMappingArgs:
    return aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
        device_name=device,
        ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
            volume_size=size_gib, volume_type="gp3", encrypted="true", kms_key_id=kms_key_arn,
            delete_on_termination="true"))


def launched_tags(tags: Mapping[str, str]) -> list[aws.ec2.LaunchTemplateTagSpecificationArgs]:
    """Cost tags on the instances, volumes and interfaces a node group launches (they bill too)."""
    return [aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=dict(tags))
            for kind in ("instance", "volume", "network-interface")]
