"""Deterministic outputs and a small, documented invoke table for offline plans.

Outputs are derived from the resource's URN, so the same program gives the same plan on every
machine, and dependent resources see values shaped like the real ones (ARNs, ids, endpoints).
An invoke that is not in `INVOKES` fails the plan, naming its token: a silent `{}` would let a
program that needs real data plan "successfully" on values nobody chose.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

# Documentation placeholders: AWS's own example account id and a GCP-style project number.
ACCOUNT_ID = "123456789012"
GCP_PROJECT_NUMBER = "123456789012"


class OfflineEngineError(Exception):
    """The offline engine cannot answer something the program asked for."""


def _digest(*parts: str, length: int = 8) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


@dataclass
class Environment:
    """What the default providers would know: stack, project and provider config keys."""

    stack: str
    project: str
    provider_config: dict[str, dict[str, Any]] = field(default_factory=dict)

    def setting(self, package: str, key: str, default: str | None = None) -> str | None:
        value = self.provider_config.get(package, {}).get(key)
        return value if isinstance(value, str) else default

    @property
    def aws_region(self) -> str:
        return self.setting("aws", "region") or "us-east-1"

    @property
    def gcp_project(self) -> str:
        return self.setting("gcp", "project") or f"{self.project}-{self.stack}"

    @property
    def gcp_region(self) -> str:
        return self.setting("gcp", "region") or "us-central1"


# --- invokes -------------------------------------------------------------------------------------

def _zone_letters(region: str, args: dict[str, Any]) -> list[str]:
    return [f"{region}{letter}" for letter in "abcdef"]


def _aws_azs(env: Environment, args: dict[str, Any]) -> dict[str, Any]:
    names = _zone_letters(env.aws_region, args)
    short = {"us-east-1": "use1", "us-east-2": "use2", "us-west-2": "usw2", "eu-west-1": "euw1"}
    prefix = short.get(env.aws_region, env.aws_region.replace("-", ""))
    return {
        "id": env.aws_region,
        "names": names,
        "zoneIds": [f"{prefix}-az{i + 1}" for i in range(len(names))],
        "groupNames": [env.aws_region] * len(names),
        "state": args.get("state", "available"),
    }


def _aws_caller(env: Environment, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": ACCOUNT_ID,
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/offline-plan/lz",
        "userId": "AROAOFFLINEPLAN:lz",
    }


def _aws_partition(env: Environment, args: dict[str, Any]) -> dict[str, Any]:
    return {"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}


def _aws_region(env: Environment, args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("region") or args.get("name") or env.aws_region
    return {"id": region, "name": region, "region": region, "endpoint": f"ec2.{region}.amazonaws.com",
            "description": region}


def _gcp_zones(env: Environment, args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("region") or env.gcp_region
    return {"id": f"projects/{env.gcp_project}/regions/{region}", "project": env.gcp_project,
            "region": region, "names": [f"{region}-{letter}" for letter in "abcf"]}


def _gcp_project(env: Environment, args: dict[str, Any]) -> dict[str, Any]:
    project = args.get("projectId") or env.gcp_project
    return {"id": f"projects/{project}", "projectId": project, "number": GCP_PROJECT_NUMBER,
            "name": project}


def _gcp_client(env: Environment, args: dict[str, Any]) -> dict[str, Any]:
    return {"id": "offline", "project": env.gcp_project, "region": env.gcp_region,
            "zone": f"{env.gcp_region}-a", "accessToken": "offline-plan-has-no-token"}


def _gcs_service_account(env: Environment, args: dict[str, Any]) -> dict[str, Any]:
    # The provider sets id to the email address and member to `serviceAccount:<email>`; the email is the
    # documented form service-PROJECT_NUMBER@gs-project-accounts.iam.gserviceaccount.com
    # (cloud.google.com/storage/docs/projects#service-agents).
    project = args.get("project") or env.gcp_project
    email = f"service-{GCP_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com"
    result = {"id": email, "emailAddress": email, "member": f"serviceAccount:{email}", "project": project}
    if args.get("userProject"):
        result["userProject"] = args["userProject"]
    return result


Invoke = Callable[[Environment, dict[str, Any]], dict[str, Any]]

#: Every invoke the offline engine answers. Anything else fails the plan, naming its token.
INVOKES: dict[str, tuple[Invoke, str]] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": (_aws_azs, "zones a-f of aws:region"),
    "aws:index/getCallerIdentity:getCallerIdentity": (_aws_caller, f"account {ACCOUNT_ID} (AWS docs example)"),
    "aws:index/getPartition:getPartition": (_aws_partition, "partition aws"),
    "aws:index/getRegion:getRegion": (_aws_region, "aws:region"),
    "gcp:compute/getZones:getZones": (_gcp_zones, "zones a, b, c, f of the region"),
    "gcp:organizations/getProject:getProject": (_gcp_project, "gcp:project, project number placeholder"),
    "gcp:organizations/getClientConfig:getClientConfig": (_gcp_client, "gcp:project / gcp:region"),
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": (
        _gcs_service_account, "the Cloud Storage service agent of the project number placeholder"),
}


# --- resource outputs ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Shape:
    id_prefix: str | None = None     # e.g. "vpc-": EC2-style ids
    arn: str | None = None           # ARN template: {region} {account} {name} {id}
    extra: Callable[[Environment, str, dict[str, Any], str], dict[str, Any]] | None = None


def _eks_cluster(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
    oidc = _digest(name, h, length=32).upper()
    return {
        "endpoint": f"https://{oidc}.gr7.{env.aws_region}.eks.amazonaws.com",
        "certificateAuthority": {"data": base64.b64encode(f"offline-ca-{name}".encode()).decode()},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{env.aws_region}.amazonaws.com/id/{oidc}"}]}],
        "status": "ACTIVE",
        "version": inputs.get("version", "1.33"),
        "platformVersion": "eks.1",
        # EKS creates the cluster security group; nodes and launch templates refer to it.
        "vpcConfig": {**(inputs.get("vpcConfig") or {}), "clusterSecurityGroupId": f"sg-0{h}{_digest(name, length=8)}"},
    }


def _eks_node_group(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
    # Managed node groups own an Auto Scaling group; tags that must reach it are set on it directly.
    return {"resources": [{"autoscalingGroups": [{"name": f"eks-{name}-{h}"}]}], "status": "ACTIVE"}


def _gke_cluster(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
    return {
        "endpoint": f"10.{int(h[:2], 16) % 200}.0.2",
        "masterAuth": {"clusterCaCertificate": base64.b64encode(f"offline-ca-{name}".encode()).decode()},
        "selfLink": f"https://container.googleapis.com/v1/projects/{env.gcp_project}/locations/"
                    f"{inputs.get('location', env.gcp_region)}/clusters/{name}",
    }


def _s3_bucket(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
    bucket = inputs.get("bucket") or f"{name}-{h}"
    return {"bucket": bucket, "arn": f"arn:aws:s3:::{bucket}", "id": bucket,
            "bucketDomainName": f"{bucket}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{bucket}.s3.{env.aws_region}.amazonaws.com", "region": env.aws_region}


def _vpc_endpoint(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
    # Gateway endpoints expose the service's managed prefix list, used in security-group rules.
    return {"prefixListId": f"pl-{h}"} if inputs.get("vpcEndpointType") == "Gateway" else {}


def _iam_named(kind: str) -> Callable[[Environment, str, dict[str, Any], str], dict[str, Any]]:
    def shape(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
        resource_name = inputs.get("name") or f"{name}-{h}"
        return {"name": resource_name, "id": resource_name,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:{kind}{inputs.get('path', '/')}{resource_name}",
                "uniqueId": f"AROA{h.upper()}OFFLINE"}
    return shape


def _oidc_provider(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
    url = str(inputs.get("url", "")).removeprefix("https://")
    return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{url}", "url": url}


def _kms_key(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
    key_id = f"{_digest(name, h, length=8)}-{h[:4]}-{h[4:8]}-{_digest(h, length=4)}-{_digest(name, length=12)}"
    return {"keyId": key_id, "id": key_id, "arn": f"arn:aws:kms:{env.aws_region}:{ACCOUNT_ID}:key/{key_id}"}


def _fsx_lustre(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
    fs_id = f"fs-0{h}{_digest(h, length=8)}"
    return {"id": fs_id, "dnsName": f"{fs_id}.fsx.{env.aws_region}.amazonaws.com",
            "mountName": _digest(name, length=8), "arn": f"arn:aws:fsx:{env.aws_region}:{ACCOUNT_ID}:file-system/{fs_id}"}


def _gcp_named(collection: str) -> Callable[[Environment, str, dict[str, Any], str], dict[str, Any]]:
    def shape(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
        resource_name = inputs.get("name") or f"{name}-{h[:7]}"
        project = inputs.get("project") or env.gcp_project
        path = f"projects/{project}/{collection}/{resource_name}"
        return {"name": resource_name, "id": path, "project": project,
                "selfLink": f"https://www.googleapis.com/compute/v1/{path}"}
    return shape


def _gcp_service_account(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
    project = inputs.get("project") or env.gcp_project
    email = f"{inputs.get('accountId', name)}@{project}.iam.gserviceaccount.com"
    return {"email": email, "member": f"serviceAccount:{email}", "name": f"projects/{project}/serviceAccounts/{email}",
            "id": f"projects/{project}/serviceAccounts/{email}", "uniqueId": str(int(h, 16))}


def _gcp_kms(kind: str) -> Callable[[Environment, str, dict[str, Any], str], dict[str, Any]]:
    def shape(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
        resource_name = inputs.get("name") or f"{name}-{h[:7]}"
        parent = inputs.get("keyRing") or f"projects/{env.gcp_project}/locations/{inputs.get('location', env.gcp_region)}"
        path = f"{parent}/{kind}/{resource_name}"
        return {"name": resource_name, "id": path}
    return shape


def _gcp_file_instance(kind: str) -> Callable[[Environment, str, dict[str, Any], str], dict[str, Any]]:
    """Managed Lustre, Filestore, Parallelstore: resource path and the private IPs clients mount from."""
    def shape(env: Environment, name: str, inputs: dict[str, Any], h: str) -> dict[str, Any]:
        instance = inputs.get("instanceId") or inputs.get("name") or f"{name}-{h[:7]}"
        project = inputs.get("project") or env.gcp_project
        path = f"projects/{project}/locations/{inputs.get('location', env.gcp_region)}/instances/{instance}"
        ips = [f"10.255.{int(h[:2], 16)}.{int(h[2:4], 16) % 250 + i}" for i in (2, 3, 4)]
        out: dict[str, Any] = {"name": path, "id": path}
        if kind == "lustre":
            out["mountPoint"] = f"{ips[0]}@tcp:/{inputs.get('filesystem', 'lustre')}"
        elif kind == "filestore":
            out["networks"] = [{**n, "ipAddresses": ips[:1]} for n in inputs.get("networks") or [{}]]
        else:
            out["accessPoints"] = ips
        return out
    return shape


_EC2 = "arn:aws:ec2:{region}:{account}:"
SHAPES: dict[str, _Shape] = {
    "aws:ec2/vpc:Vpc": _Shape("vpc-", _EC2 + "vpc/{id}"),
    "aws:ec2/subnet:Subnet": _Shape("subnet-", _EC2 + "subnet/{id}"),
    "aws:ec2/securityGroup:SecurityGroup": _Shape("sg-", _EC2 + "security-group/{id}"),
    "aws:ec2/internetGateway:InternetGateway": _Shape("igw-", _EC2 + "internet-gateway/{id}"),
    "aws:ec2/natGateway:NatGateway": _Shape("nat-"),
    "aws:ec2/eip:Eip": _Shape("eipalloc-", extra=lambda e, n, i, h: {"publicIp": f"203.0.113.{int(h[:2], 16) % 250 + 1}",
                                                                     "allocationId": f"eipalloc-{h}"}),
    "aws:ec2/routeTable:RouteTable": _Shape("rtb-", _EC2 + "route-table/{id}"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _Shape("vpce-", _EC2 + "vpc-endpoint/{id}", _vpc_endpoint),
    "aws:ec2/flowLog:FlowLog": _Shape("fl-", _EC2 + "vpc-flow-log/{id}"),
    "aws:ec2/launchTemplate:LaunchTemplate": _Shape("lt-", _EC2 + "launch-template/{id}",
                                                    extra=lambda e, n, i, h: {"latestVersion": 1, "defaultVersion": 1}),
    "aws:ec2/placementGroup:PlacementGroup": _Shape(None, _EC2 + "placement-group/{name}"),
    "aws:ec2/networkAcl:NetworkAcl": _Shape("acl-"),
    "aws:eks/cluster:Cluster": _Shape(None, "arn:aws:eks:{region}:{account}:cluster/{name}", _eks_cluster),
    "aws:eks/nodeGroup:NodeGroup": _Shape(None, "arn:aws:eks:{region}:{account}:nodegroup/{name}", _eks_node_group),
    "aws:eks/addon:Addon": _Shape(None, "arn:aws:eks:{region}:{account}:addon/{name}"),
    "aws:iam/role:Role": _Shape(extra=_iam_named("role")),
    "aws:iam/policy:Policy": _Shape(extra=_iam_named("policy")),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _Shape(extra=_oidc_provider),
    "aws:kms/key:Key": _Shape(extra=_kms_key),
    "aws:kms/alias:Alias": _Shape(None, "arn:aws:kms:{region}:{account}:{name}"),
    "aws:s3/bucket:Bucket": _Shape(extra=_s3_bucket),
    "aws:s3/bucketV2:BucketV2": _Shape(extra=_s3_bucket),
    "aws:cloudwatch/logGroup:LogGroup": _Shape(None, "arn:aws:logs:{region}:{account}:log-group:{name}"),
    "aws:cloudtrail/trail:Trail": _Shape(None, "arn:aws:cloudtrail:{region}:{account}:trail/{name}"),
    "aws:fsx/lustreFileSystem:LustreFileSystem": _Shape(extra=_fsx_lustre),
    "aws:efs/fileSystem:FileSystem": _Shape("fs-", "arn:aws:elasticfilesystem:{region}:{account}:file-system/{id}",
                                            extra=lambda e, n, i, h: {"dnsName": f"fs-{h}.efs.{e.aws_region}.amazonaws.com"}),
    "gcp:compute/network:Network": _Shape(extra=_gcp_named("global/networks")),
    "gcp:compute/subnetwork:Subnetwork": _Shape(extra=_gcp_named("regions/-/subnetworks")),
    "gcp:compute/firewall:Firewall": _Shape(extra=_gcp_named("global/firewalls")),
    "gcp:compute/router:Router": _Shape(extra=_gcp_named("regions/-/routers")),
    "gcp:container/cluster:Cluster": _Shape(extra=_gke_cluster),
    "gcp:serviceaccount/account:Account": _Shape(extra=_gcp_service_account),
    "gcp:kms/keyRing:KeyRing": _Shape(extra=_gcp_kms("keyRings")),
    "gcp:kms/cryptoKey:CryptoKey": _Shape(extra=_gcp_kms("cryptoKeys")),
    "gcp:storage/bucket:Bucket": _Shape(extra=lambda e, n, i, h: {"url": f"gs://{i.get('name', n)}",
                                                                 "selfLink": f"https://www.googleapis.com/storage/v1/b/{i.get('name', n)}"}),
    "gcp:lustre/instance:Instance": _Shape(extra=_gcp_file_instance("lustre")),
    "gcp:filestore/instance:Instance": _Shape(extra=_gcp_file_instance("filestore")),
    "gcp:parallelstore/instance:Instance": _Shape(extra=_gcp_file_instance("parallelstore")),
}


def synthesize_outputs(env: Environment, type_: str, name: str, urn: str, inputs: dict[str, Any],
                       custom: bool) -> tuple[str, dict[str, Any]]:
    """(id, state) for a registered resource: its inputs plus realistic, deterministic outputs."""
    h = _digest(urn, length=17)[:17]
    if not custom:
        return "", dict(inputs)
    state = dict(inputs)
    package = type_.split(":", 1)[0]
    shape = SHAPES.get(type_)
    resource_id = f"{shape.id_prefix}0{h[:16]}" if shape and shape.id_prefix else f"{name}-{h[:8]}"
    if package == "kubernetes":
        metadata = dict(state.get("metadata") or {})
        metadata.setdefault("name", f"{name}-{h[:8]}")
        metadata.setdefault("uid", f"{h[:8]}-{h[8:12]}-{h[12:16]}-0000-000000000000")
        state["metadata"] = metadata
        namespace = metadata.get("namespace")
        resource_id = f"{namespace}/{metadata['name']}" if namespace else metadata["name"]
    elif package in ("aws", "gcp") and "name" not in state and not type_.startswith("pulumi:providers:"):
        state["name"] = f"{name}-{h[:7]}"
    if shape and shape.extra:
        state.update(shape.extra(env, name, inputs, h[:8]))
    if shape and shape.arn:
        state["arn"] = shape.arn.format(region=env.aws_region, account=ACCOUNT_ID,
                                        name=state.get("name", name), id=resource_id)
    if "id" in state and isinstance(state["id"], str) and state["id"]:
        resource_id = state.pop("id")
    if package == "aws" and "tags" in state:
        state.setdefault("tagsAll", state["tags"])
    return resource_id, state


class OfflineMocks(Mocks):
    """The SDK `Mocks` the offline engine answers with. See `INVOKES` and `SHAPES`."""

    def __init__(self, env: Environment):
        self.env = env

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        # The recording monitor calls `synthesize_outputs` itself (it knows the real-engine URN).
        raise OfflineEngineError("the recording monitor answers registrations; new_resource is not used")

    def call(self, args: MockCallArgs) -> dict[str, Any]:  # a bare dict: no check failures
        entry = INVOKES.get(args.token)
        if entry is None:
            known = ", ".join(sorted(INVOKES))
            raise OfflineEngineError(
                f"invoke '{args.token}' has no offline answer; the offline engine answers only: {known}. "
                "Answer it with --invoke-answers FILE, or run without --strict to plan its result as unknown."
            )
        return entry[0](self.env, dict(args.args))
