"""The VPC: subnet maths, NAT per environment, endpoints, flow logs, EFA and default security groups."""

from __future__ import annotations

import ipaddress

import pytest
from aws_plans import named, of_type, one, plan_aws, stack_plan
from hypothesis import given
from hypothesis import strategies as st

from components.aws.network import INTERFACE_ENDPOINTS, ZoneSubnets, subnet_plan
from lz.testing import inputs


@pytest.mark.parametrize(("vpc", "zones", "expected"), [
    ("10.0.0.0/16", ["a"], [("10.0.0.0/17", "10.0.128.0/24")]),
    ("10.0.0.0/16", ["a", "b"], [("10.0.0.0/18", "10.0.192.0/24"), ("10.0.64.0/18", "10.0.193.0/24")]),
    ("10.0.0.0/16", ["a", "b", "c"], [("10.0.0.0/18", "10.0.192.0/24"), ("10.0.64.0/18", "10.0.193.0/24"),
                                      ("10.0.128.0/18", "10.0.194.0/24")]),
    ("10.0.0.0/16", ["a", "b", "c", "d"], [("10.0.0.0/19", "10.0.224.0/24"), ("10.0.32.0/19", "10.0.225.0/24"),
                                           ("10.0.64.0/19", "10.0.226.0/24"), ("10.0.96.0/19", "10.0.227.0/24")]),
    ("10.8.0.0/20", ["a", "b"], [("10.8.0.0/22", "10.8.12.0/24"), ("10.8.4.0/22", "10.8.13.0/24")]),
    ("10.8.0.0/20", list("abcdef"), [(f"10.8.{2 * i}.0/23", f"10.8.14.{64 * i}/26") for i in range(4)]
     + [("10.8.8.0/23", "10.8.15.0/26"), ("10.8.10.0/23", "10.8.15.64/26")]),
])
def test_subnet_plan_table(vpc, zones, expected):
    assert subnet_plan(vpc, zones) == [ZoneSubnets(z, priv, pub) for z, (priv, pub) in zip(zones, expected, strict=True)]


def test_a_18_per_zone_holds_a_rack_of_gpu_nodes():
    # /18 = 16,379 usable addresses per zone: with prefix delegation (/28 per slot) that is ~1,000 slots.
    assert subnet_plan("10.0.0.0/16", ["a", "b"])[0].private_addresses == 16379


@pytest.mark.parametrize(("vpc", "zones", "message"), [
    ("10.0.0.0/16", [], "at least one zone"),
    ("10.0.0.0/16", ["a", "a"], "distinct"),
])
def test_subnet_plan_rejects(vpc, zones, message):
    with pytest.raises(ValueError, match=message):
        subnet_plan(vpc, zones)


@given(prefix=st.integers(16, 20), count=st.integers(1, 6), second=st.integers(0, 255))
def test_subnets_are_disjoint_and_inside_the_vpc(prefix, count, second):
    vpc = ipaddress.IPv4Network(f"10.{second}.0.0/{prefix}", strict=False)
    plan = subnet_plan(str(vpc), [f"z{i}" for i in range(count)])
    nets = [ipaddress.IPv4Network(c) for zs in plan for c in (zs.private, zs.public)]
    assert all(n.subnet_of(vpc) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])
    privates = {ipaddress.IPv4Network(zs.private).prefixlen for zs in plan}
    assert len(privates) == 1 and privates.pop() < min(ipaddress.IPv4Network(zs.public).prefixlen for zs in plan)


# ------------------------------------------------------------------------------- planned network

@pytest.fixture(scope="module", params=["dev", "prod"])
def plan(request):
    return stack_plan(request.param)


def test_vpc_dns_and_subnets_never_map_public_ips(plan):
    vpc = named(plan, "aws:ec2/vpc:Vpc", "network-vpc")
    assert vpc["enableDnsSupport"] is True and vpc["enableDnsHostnames"] is True
    subnets = [inputs(r) for r in of_type(plan, "aws:ec2/subnet:Subnet")]
    assert subnets and all(s["mapPublicIpOnLaunch"] is False for s in subnets)
    public = [s for s in subnets if s["tags"].get("kubernetes.io/role/elb") == "1"]
    private = [s for s in subnets if s["tags"].get("kubernetes.io/role/internal-elb") == "1"]
    assert len(public) == len(private) == len(subnets) // 2
    assert all(ipaddress.IPv4Network(s["cidrBlock"]).prefixlen == 18 for s in private)


def test_default_security_group_is_locked_down(plan):
    default = named(plan, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-sg")
    assert default.get("ingress", []) == [] and default.get("egress", []) == []


def test_nat_one_in_dev_one_per_zone_in_prod():
    assert len(of_type(stack_plan("dev"), "aws:ec2/natGateway:NatGateway")) == 1
    assert len(of_type(stack_plan("prod"), "aws:ec2/natGateway:NatGateway")) == 3
    prod = stack_plan("prod")
    nat_by_id = {r.id: inputs(r)["subnetId"] for r in of_type(prod, "aws:ec2/natGateway:NatGateway")}
    routes = [inputs(r)["routes"][0] for r in of_type(prod, "aws:ec2/routeTable:RouteTable") if "private-rt" in r.name]
    assert sorted(r["natGatewayId"] for r in routes) == sorted(nat_by_id)   # each zone routes to its own NAT


def _endpoint_services(plan):
    return {(inputs(r)["serviceName"].removeprefix("com.amazonaws.us-east-1."), inputs(r)["vpcEndpointType"])
            for r in of_type(plan, "aws:ec2/vpcEndpoint:VpcEndpoint")}


def test_endpoints_s3_always_interface_endpoints_in_prod():
    # Stacks with teams add STS and S3 interface endpoints: team pods may reach only the VPC on 443.
    team_endpoints = {("sts", "Interface"), ("s3", "Interface")}
    assert _endpoint_services(stack_plan("dev")) == {("s3", "Gateway"), *team_endpoints}
    assert _endpoint_services(stack_plan("prod")) == {
        ("s3", "Gateway"), *((s, "Interface") for s in INTERFACE_ENDPOINTS), *team_endpoints}
    sg = named(stack_plan("prod"), "aws:ec2/securityGroup:SecurityGroup", "network-endpoints")
    assert sg["ingress"] == [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.40.0.0/16"],
                              "description": "HTTPS from inside the VPC"}]


def test_team_pods_reach_sts_and_s3_inside_the_vpc():
    """Old behaviour: dev had no STS endpoint and S3 only through the gateway (public S3 ranges), so team
    pods allowed HTTPS to the VPC CIDR only could neither assume their IRSA role nor reach their buckets."""
    for stack in ("dev", "prod"):
        s3 = [inputs(r) for r in of_type(stack_plan(stack), "aws:ec2/vpcEndpoint:VpcEndpoint")
              if inputs(r)["serviceName"].endswith(".s3") and inputs(r)["vpcEndpointType"] == "Interface"]
        assert len(s3) == 1, stack
        # Private DNS for every resolver in the VPC, not only inbound Resolver endpoints: S3 names resolve
        # to the interface endpoint, not to the public ranges the gateway routes.
        assert s3[0]["privateDnsEnabled"] is True
        assert s3[0]["dnsOptions"] == {"privateDnsOnlyForInboundResolverEndpoint": False}
        assert ("sts", "Interface") in _endpoint_services(stack_plan(stack))


def test_no_team_endpoints_without_teams():
    assert _endpoint_services(plan_aws({})) == {("s3", "Gateway")}


def test_efa_security_group_only_talks_to_itself(plan):
    sg = named(plan, "aws:ec2/securityGroup:SecurityGroup", "network-efa")
    for rules in (sg["ingress"], sg["egress"]):
        assert len(rules) == 1
        rule = rules[0]
        assert (rule["protocol"], rule["fromPort"], rule["toPort"], rule["self"]) == ("-1", 0, 0, True)
        assert "cidrBlocks" not in rule


def test_flow_logs_go_to_an_encrypted_group_with_retention(plan):
    flow = named(plan, "aws:ec2/flowLog:FlowLog", "flow-log")
    group = one(plan, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs")
    assert flow["logDestination"] == group.outputs["arn"]
    assert flow["trafficType"] == "ALL" and flow["logDestinationType"] == "cloud-watch-logs"
    assert inputs(group)["kmsKeyId"].startswith("arn:aws:kms:")
    expected = {"dev": 30, "prod": 365}[plan.stack]
    assert inputs(group)["retentionInDays"] == expected
    role = [r for r in of_type(plan, "aws:iam/role:Role") if inputs(r)["description"].startswith("VPC flow")]
    assert len(role) == 1 and flow["iamRoleArn"] == role[0].outputs["arn"]
