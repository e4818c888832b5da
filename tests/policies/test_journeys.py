"""Journey checks, table-tested: a minimal plan where the golden job runs, and one defect per case.

Each defect of issue 12's "Why" has a row: the world is the passing one with one resource changed,
and the journey must fail at exactly the step that defect breaks (and nothing earlier). The golden
workloads are rendered by the real generator (components/workloads/golden.py).
"""

from __future__ import annotations

import copy
import json

import pytest
import yaml
from journey_world import (
    ADMISSION_CHECK,
    GKE_NETWORK,
    PROVISIONING_CONFIG,
    PV,
    PVC,
    RELEASE,
    Res,
    eks_world,
    gke_world,
    view,
    with_props,
    without,
)
from lzpolicy.journeys import Destination, egress_allowed, journeys, pod_security_violations
from lzpolicy.quantity import parse_quantity


def _set(world, name, path, value):
    out = copy.deepcopy(world)
    node = out[name].props
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def _cq_group(world, index, **quota):
    out = copy.deepcopy(world)
    for r in out["cq"].props["spec"]["resourceGroups"][index]["flavors"][0]["resources"]:
        if r["name"] in quota:
            r["nominalQuota"] = quota[r["name"]]
    return out


def _kueue_config(world, config):
    return _set(world, "kueue", ["values", "managerConfig", "controllerManagerConfigYaml"], yaml.safe_dump(config))


def _egress_only_vpc_with_gateway_s3(world):
    out = with_props(world, "ep-s3", vpcEndpointType="Gateway", privateDnsEnabled=None)
    return out


def _endpoint_subnets(allow: list[str]):
    """Endpoints in two subnets; egress allows `allow` (each endpoint subnet must be reachable)."""
    out = copy.deepcopy(EKS)
    out["sn-a"] = Res("aws:ec2/subnet:Subnet", {"cidrBlock": "10.0.0.0/19"})
    out["sn-b"] = Res("aws:ec2/subnet:Subnet", {"cidrBlock": "10.0.32.0/19"})
    for ep in ("ep-sts", "ep-s3"):
        out[ep].deps["subnetIds"] = ["sn-a", "sn-b"]
    out["np-egress"].props["spec"]["egress"][0]["to"] = [{"ipBlock": {"cidr": c}} for c in allow]
    return out


def _s3_gateway_and_interface(inbound_only: bool):
    out = copy.deepcopy(EKS)
    out["ep-s3-gw"] = Res("aws:ec2/vpcEndpoint:VpcEndpoint", {"serviceName": "com.amazonaws.us-east-1.s3",
                                                              "vpcEndpointType": "Gateway"})
    out["ep-s3"].props["dnsOptions"] = {"privateDnsOnlyForInboundResolverEndpoint": inbound_only}
    return out


def _private_google_access(cname: bool, allow: str):
    out = copy.deepcopy(GKE)
    out["zone"] = Res("gcp:dns/managedZone:ManagedZone", {"dnsName": "googleapis.com.", "visibility": "private"})
    out["rr-a"] = Res("gcp:dns/recordSet:RecordSet", {"name": "private.googleapis.com.", "type": "A",
                                                      "rrdatas": ["199.36.153.8", "199.36.153.9", "199.36.153.10",
                                                                  "199.36.153.11"]}, {"managedZone": ["zone"]})
    if cname:
        out["rr-cname"] = Res("gcp:dns/recordSet:RecordSet", {"name": "*.googleapis.com.", "type": "CNAME",
                                                              "rrdatas": ["private.googleapis.com."]},
                              {"managedZone": ["zone"]})
    out["np-egress"].props["spec"]["egress"][0]["to"] = [{"ipBlock": {"cidr": allow}}]
    return out


def _boundary(world, allowed: str):
    out = copy.deepcopy(world)
    out["boundary"] = Res("aws:iam/policy:Policy", {"policy": json.dumps({"Statement": [
        {"Effect": "Allow", "Action": [allowed, "kms:*", "sts:*"], "Resource": "*"}]})})
    out["team-role"].props["permissionsBoundary"] = "arn:aws:iam::123456789012:policy/boundary"
    out["team-role"].deps["permissionsBoundary"] = ["boundary"]
    return out


def _node_too_small(world):
    out = copy.deepcopy(world)
    out["ng"].props["instanceTypes"] = ["p4d.24xlarge"]
    return out


def _lustre(world):
    """The team mounts a Lustre PV read-write; the file system auto-exports to the datasets bucket root."""
    out = copy.deepcopy(eks_world(claims=("lustre",)))
    out["pvc"] = Res(PVC, {"metadata": {"name": "lustre", "namespace": "research"},
                           "spec": {"volumeName": "research-lustre", "accessModes": ["ReadWriteMany"]}},
                     {"metadata": ["ns"]})
    out["pv"] = Res(PV, {"metadata": {"name": "research-lustre"},
                         "spec": {"csi": {"driver": "fsx.csi.aws.com", "volumeHandle": "fs-1"}}})
    out["dra"] = Res("aws:fsx/dataRepositoryAssociation:DataRepositoryAssociation", {
        "fileSystemId": "fs-1", "fileSystemPath": "/datasets", "dataRepositoryPath": "s3://datasets-b",
        "s3": {"autoExportPolicy": {"events": ["NEW", "CHANGED", "DELETED"]}}})
    return out


def _lustre_scoped(world):
    out = _lustre(world)
    out["dra"].props["dataRepositoryPath"] = "s3://datasets-b/research/"
    return out


def _lustre_read_only(world):
    out = _lustre(world)
    out["pv"].props["spec"]["csi"]["readOnly"] = True
    return out


def _access_entry(world):
    out = copy.deepcopy(world)
    out["entry"] = Res("aws:eks/accessEntry:AccessEntry", {"type": "STANDARD"}, {"principalArn": ["team-role"]})
    return out


def _flex_start(world, with_check: bool, provisioning_class="queued-provisioning.gke.io", on_flavors=("l4",)):
    out = copy.deepcopy(world)
    out["np"].props["queuedProvisioning"] = {"enabled": True}
    if with_check:
        out["prc"] = Res(PROVISIONING_CONFIG, {"metadata": {"name": "dws"}, "spec": {
            "provisioningClassName": provisioning_class, "managedResources": ["nvidia.com/gpu"]}})
        out["ac"] = Res(ADMISSION_CHECK, {"metadata": {"name": "dws"}, "spec": {
            "controllerName": "kueue.x-k8s.io/provisioning-request",
            "parameters": {"apiGroup": "kueue.x-k8s.io", "kind": "ProvisioningRequestConfig", "name": "dws"}}})
        out["cq"].props["spec"]["admissionChecksStrategy"] = {"admissionChecks": [
            {"name": "dws", "onFlavors": list(on_flavors)}]}
    return out


def _a3_mega(with_networks: bool, pss: str):
    pool = {"name": "h100", "instanceType": "a3-megagpu-8g", "maxNodes": 2, "purpose": "training",
            "zone": "us-central1-a"}
    out = gke_world(pool, gpus=16)
    out["np"].props["networkConfig"] = {"additionalNodeNetworkConfigs": [{"network": f"n{i}"} for i in range(8)]}
    out["cq"] = copy.deepcopy(out["cq"])
    out["ns"].props["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = pss
    if with_networks:
        for i in range(1, 9):
            out[f"net-{i}"] = Res(GKE_NETWORK, {"metadata": {"name": f"h100-gvnic-{i}"}})
    return out


def _cohort(other_nominal, borrowing, own_nominal, lending=None):
    """The team holds `own_nominal` GPUs and may borrow from a peer queue in its cohort."""
    out = _cq_group(EKS, 1, **{"nvidia.com/gpu": own_nominal})
    gpu = out["cq"].props["spec"]["resourceGroups"][1]["flavors"][0]["resources"][0]
    gpu.pop("borrowingLimit")
    if borrowing is not None:
        gpu["borrowingLimit"] = borrowing
    peer = copy.deepcopy(out["cq"])
    peer.props["metadata"]["name"] = "applied"
    peer_gpu = peer.props["spec"]["resourceGroups"][1]["flavors"][0]["resources"][0]
    peer_gpu["nominalQuota"] = other_nominal
    if lending is not None:
        peer_gpu["lendingLimit"] = lending
    out["cq-peer"] = peer
    return out


def _pod_identity(allow_agent: bool):
    """The team's role through an EKS Pod Identity association instead of IRSA."""
    out = copy.deepcopy(EKS)
    out["sa"].props["metadata"]["annotations"] = {}
    out["sa"].deps["metadata"] = ["ns"]
    out["team-role"].props["assumeRolePolicy"] = json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
         "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
    out["assoc"] = Res("aws:eks/podIdentityAssociation:PodIdentityAssociation",
                       {"namespace": "research", "serviceAccount": "research"}, {"roleArn": ["team-role"]})
    if allow_agent:
        out["np-egress"].props["spec"]["egress"].append(
            {"to": [{"ipBlock": {"cidr": "169.254.170.23/32"}}], "ports": [{"protocol": "TCP", "port": 80}]})
    return out


TCPXO_INSTALLER_PATHS = ("/home/kubernetes/bin/nvidia/lib64", "/dev/aperture_devices")


def _with_installer(world, path=None, node_selector=None, tolerate=True):
    """A DaemonSet that writes the NCCL plugin to the host paths the golden pods mount (by default, as
    Google's nccl-tcpxo-installer: the plugin directory and the aperture devices it prepares)."""
    out = copy.deepcopy(world)
    out["nccl-installer"] = Res("kubernetes:apps/v1:DaemonSet", {
        "metadata": {"name": "nccl-tcpxo-installer", "namespace": "kube-system"},
        "spec": {"template": {"spec": {
            "nodeSelector": node_selector or {"cloud.google.com/gke-accelerator": "nvidia-h100-mega-80gb"},
            "tolerations": [{"operator": "Exists"}] if tolerate else [],
            "volumes": [{"name": f"host-{i}", "hostPath": {"path": p}}
                        for i, p in enumerate([path] if path else TCPXO_INSTALLER_PATHS)]}}}})
    return out


def _opaque(world):
    out = copy.deepcopy(world)
    out["installer-file"] = Res("kubernetes:yaml/v2:ConfigFile", {"file": "https://example.com/nccl-installer.yaml"})
    return out


def _quota(world, key, value):
    return _set(world, "quota", ["spec", "hard", key], value)


def _taint(world):
    out = copy.deepcopy(world)
    out["ng"].props["taints"].append({"key": "dedicated", "value": "infra", "effect": "NO_SCHEDULE"})
    return out


def _lt_efa(world, n):
    out = copy.deepcopy(world)
    out["lt"].props["networkInterfaces"] = out["lt"].props["networkInterfaces"][:n]
    return out


EKS, GKE = eks_world(), gke_world()

# (case, world, expected verdict, first failing step)
CASES = [
    ("eks-baseline", EKS, "runs", None),
    ("gke-baseline", GKE, "runs", None),
    # admitted
    ("efa-not-covered-nor-excluded", _kueue_config(EKS, {"resources": {}}), "fails", "admitted"),
    ("efa-covered-by-queue", _kueue_config(
        _set(EKS, "cq", ["spec", "resourceGroups", 1], {
            "coveredResources": ["nvidia.com/gpu", "vpc.amazonaws.com/efa"],
            "flavors": [{"name": "h100", "resources": [{"name": "nvidia.com/gpu", "nominalQuota": 16},
                                                        {"name": "vpc.amazonaws.com/efa", "nominalQuota": 64}]}]}),
        {"resources": {}}), "runs", None),
    ("no-kueue-release", without(EKS, "kueue"), "fails", "admitted"),
    ("no-local-queue", without(EKS, "lq"), "fails", "admitted"),
    ("cluster-queue-on-hold", _set(EKS, "cq", ["spec", "stopPolicy"], "Hold"), "fails", "admitted"),
    ("queue-does-not-select-namespace", _set(EKS, "cq", ["spec", "namespaceSelector"],
                                             {"matchLabels": {"kubernetes.io/metadata.name": "other"}}),
     "fails", "admitted"),
    ("cluster-queue-cpu-smaller-than-job", _cq_group(EKS, 0, cpu="64"), "fails", "admitted"),
    ("cluster-queue-gpus-smaller-than-job", _cq_group(EKS, 1, **{"nvidia.com/gpu": 8}), "fails", "admitted"),
    ("resource-quota-memory-smaller-than-job", _quota(EKS, "requests.memory", "256Gi"), "fails", "admitted"),
    ("resource-quota-limits-smaller-than-job", _quota(EKS, "limits.memory", "1Ti"), "fails", "admitted"),
    ("gpus-borrowed-from-the-cohort", _cohort(16, None, 8), "runs", None),
    ("borrowing-limited-below-the-job", _cohort(16, 4, 8), "fails", "admitted"),
    ("cohort-peer-lends-nothing", _cohort(16, None, 8, lending=0), "fails", "admitted"),
    ("resource-quota-gpus-smaller-than-job", _quota(EKS, "requests.nvidia.com/gpu", "8"), "fails", "admitted"),
    # placed
    ("untolerated-taint", _taint(EKS), "fails", "placed"),
    ("pods-bigger-than-a-node", _node_too_small(EKS), "fails", "placed"),
    ("no-pool-with-labels", _set(EKS, "ng", ["labels"], {"ai-landing-zone/pool": "other"}), "fails", "placed"),
    ("gpudirect-hostpath-under-restricted", _a3_mega(True, "restricted"), "fails", "placed"),
    # capacity
    ("no-autoscaler", without(EKS, "ca"), "fails", "capacity"),
    ("autoscaler-for-another-cluster", _set(EKS, "ca", ["values", "autoDiscovery", "clusterName"], "other"),
     "fails", "capacity"),
    ("autoscaler-cannot-set-desired-capacity", with_props(EKS, "ca-policy", policy=json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "autoscaling:Describe*", "Resource": "*"}]})),
     "fails", "capacity"),
    ("pool-min-holds-the-job-without-autoscaler",
     _set(without(EKS, "ca"), "ng", ["scalingConfig", "minSize"], 2), "runs", None),
    ("flex-start-without-provisioning-check", _flex_start(GKE, False), "fails", "capacity"),
    ("flex-start-with-provisioning-check", _flex_start(GKE, True), "runs", None),
    ("flex-start-check-of-another-class", _flex_start(GKE, True, "best-effort-atomic-scale-up.autoscaling.x-k8s.io"),
     "fails", "capacity"),
    ("flex-start-check-on-another-flavor", _flex_start(GKE, True, on_flavors=("other",)), "fails", "capacity"),
    ("gke-pool-without-autoscaling", with_props(GKE, "np", autoscaling=None), "fails", "capacity"),
    # identity and data
    ("pod-sa-without-role", _set(EKS, "sa", ["metadata", "annotations"], {}) | {}, "fails", "identity"),
    ("role-without-data-access", with_props(EKS, "team-policy", policy=json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})), "fails", "identity"),
    ("role-cannot-list-the-dataset", with_props(EKS, "team-policy", policy=json.dumps({"Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::*/research/*"}]})),
     "fails", "identity"),
    ("boundary-denies-the-data-access", _boundary(EKS, "s3:ListBucket"), "fails", "identity"),
    ("boundary-allows-the-data-access", _boundary(EKS, "s3:*"), "runs", None),
    ("role-trusts-another-sa", with_props(EKS, "team-role", assumeRolePolicy=json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/x"},
         "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"StringEquals": {"x:sub": "system:serviceaccount:other:other"}}}]})), "fails", "identity"),
    ("pod-identity-with-agent-egress", _pod_identity(True), "runs", None),
    ("pod-identity-without-agent-egress", _pod_identity(False), "fails", "network"),
    ("pod-role-is-also-access-entry", _access_entry(EKS), "fails", "identity"),
    ("lustre-exports-whole-bucket", _lustre(EKS), "fails", "identity"),
    ("lustre-exports-team-prefix-only", _lustre_scoped(EKS), "runs", None),
    ("lustre-mounted-read-only", _lustre_read_only(EKS), "runs", None),
    ("gke-no-workload-identity-binding", without(GKE, "wi"), "fails", "identity"),
    ("gke-grant-on-other-prefix", _set(GKE, "grant-checkpoints", ["condition", "expression"],
                                       'resource.name.startsWith("projects/_/buckets/c/objects/applied/")'),
     "fails", "identity"),
    # network
    ("network-policy-not-enforced", with_props(EKS, "vpc-cni", configurationValues=None), "fails", "network"),
    ("egress-vpc-cidr-with-s3-gateway-endpoint", _egress_only_vpc_with_gateway_s3(EKS), "fails", "network"),
    ("egress-to-every-endpoint-subnet", _endpoint_subnets(["10.0.0.0/19", "10.0.32.0/19"]), "runs", None),
    ("egress-to-one-endpoint-subnet-only", _endpoint_subnets(["10.0.0.0/19"]), "fails", "network"),
    ("s3-interface-dns-inbound-only-beside-gateway", _s3_gateway_and_interface(True), "fails", "network"),
    ("s3-interface-dns-for-the-vpc-beside-gateway", _s3_gateway_and_interface(False), "runs", None),
    ("egress-vpc-cidr-without-sts-endpoint", without(EKS, "ep-sts"), "fails", "network"),
    ("no-dns-egress", without(EKS, "np-dns"), "fails", "network"),
    ("no-same-namespace-traffic", without(EKS, "np-same"), "fails", "network"),
    ("gke-egress-only-metadata-and-private-range", _set(GKE, "np-egress", ["spec", "egress", 0, "to"],
                                                        [{"ipBlock": {"cidr": "10.0.0.0/8"}}]), "fails", "network"),
    ("gke-private-google-access-dns", _private_google_access(True, "199.36.153.8/30"), "runs", None),
    ("gke-private-vip-without-storage-cname", _private_google_access(False, "199.36.153.8/30"), "fails", "network"),
    ("gke-no-dataplane-v2-nor-policy", with_props(GKE, "cluster", datapathProvider=None), "fails", "network"),
    # interconnect
    ("launch-template-attaches-fewer-efa", _lt_efa(EKS, 16), "fails", "interconnect"),
    ("no-efa-device-plugin", without(EKS, "efa-plugin"), "fails", "interconnect"),
    ("gke-gpu-nic-networks-missing", _a3_mega(False, "privileged"), "fails", "interconnect"),
    ("gke-gpudirect-without-nccl-installer", _a3_mega(True, "privileged"), "fails", "interconnect"),
    ("gke-gpu-nic-networks-present", _with_installer(_a3_mega(True, "privileged")), "runs", None),
    ("gke-nccl-installer-writes-elsewhere", _with_installer(_a3_mega(True, "privileged"), path="/opt/x"),
     "fails", "interconnect"),
    ("gke-nccl-installer-on-other-nodes", _with_installer(_a3_mega(True, "privileged"),
                                                          node_selector={"cloud.google.com/gke-accelerator": "x"}),
     "fails", "interconnect"),
    ("gke-nccl-installer-not-tolerating-gpu-taint", _with_installer(_a3_mega(True, "privileged"), tolerate=False),
     "fails", "interconnect"),
    ("gke-nccl-from-unexpanded-manifest", _opaque(_a3_mega(True, "privileged")), "unknown", None),
]


@pytest.mark.parametrize(("case", "world", "verdict", "step"), CASES, ids=[c[0] for c in CASES])
def test_journey(case, world, verdict, step):
    found = journeys(view(world))
    assert found, f"{case}: no golden workloads in the plan"
    training = [j for j in found if j.workload.kind == "Job"]
    assert training, f"{case}: no training job"
    journey = training[0]
    detail = "; ".join(f"{s.name}={s.ok}: {s.detail}" for s in journey.steps)
    assert journey.verdict == verdict, f"{case}: {detail}"
    failed = journey.failed
    assert (failed.name if failed else None) == step, f"{case}: {detail}"


def test_unknown_policy_document_is_unknown_not_a_pass():
    world = with_props(EKS, "team-policy", policy="04da6b54-80e4-46f7-96ec-b56ff0331ba9")
    journey = journeys(view(world))[0]
    identity = next(s for s in journey.steps if s.name == "identity")
    assert identity.ok is None
    assert journey.verdict == "unknown"


def test_the_golden_job_uses_every_gpu_and_efa_device_of_n_nodes():
    journey = journeys(view(EKS))[0]
    w = journey.workload
    assert w.pods == w.nodes == 2                      # 16 GPUs of quota / 8 per p5 node
    requests = w.requests()
    assert requests["nvidia.com/gpu"] == 8 and requests["vpc.amazonaws.com/efa"] == 32
    assert requests["cpu"] == 144 and requests["memory"] == parse_quantity("1536Gi")   # 3/4 of 192 vCPU, 2 TiB


@pytest.mark.parametrize(("policy_cidrs", "destination", "allowed"), [
    (["0.0.0.0/0"], Destination("s3", 443, public=True), True),
    (["10.0.0.0/16"], Destination("s3", 443, public=True), False),
    (["52.216.0.0/15"], Destination("s3", 443, public=True), False),   # some S3 ranges: not provably all
    (["0.0.0.0/0"], Destination("s3", 443, public=True), True),
    (["10.0.0.0/16"], Destination("sts", 443, cidrs=("10.0.0.0/16",)), True),
    (["10.0.0.0/24"], Destination("sts", 443, cidrs=("10.0.0.0/16",)), False),
    (["169.254.169.252/32"], Destination("md", 988, cidrs=("169.254.169.252/32",)), True),
])
def test_egress_ip_blocks(policy_cidrs, destination, allowed):
    world = eks_world()
    world["np-egress"].props["spec"]["egress"][0]["to"] = [{"ipBlock": {"cidr": c}} for c in policy_cidrs]
    world["np-egress"].props["spec"]["egress"][0]["ports"] = [{"protocol": "TCP", "port": destination.port}]
    v = view(world)
    policies = [r for r in v.resources if r.name == "np-egress"]
    assert egress_allowed(policies, destination) is allowed


@pytest.mark.parametrize(("pod", "level", "rejected"), [
    ({"containers": [{"name": "c", "securityContext": {"allowPrivilegeEscalation": False,
                                                       "capabilities": {"drop": ["ALL"]}}}],
      "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}}, "restricted", []),
    ({"containers": [{"name": "c"}]}, "restricted",
     ["container 'c' does not drop ALL capabilities", "container 'c' does not set allowPrivilegeEscalation: false",
      "container 'c' does not set runAsNonRoot: true", "container 'c' has no RuntimeDefault/Localhost seccomp profile"]),
    ({"containers": [{"name": "c"}], "volumes": [{"name": "lib", "hostPath": {"path": "/x"}}]}, "baseline",
     ["hostPath volume 'lib' (/x) is not allow-listed"]),
    # baseline admits what restricted refuses: no seccomp, added CHOWN, a non-restricted volume type
    ({"containers": [{"name": "c", "securityContext": {"capabilities": {"add": ["CHOWN"]}}}],
      "volumes": [{"name": "n", "nfs": {"server": "s", "path": "/"}}]}, "baseline", []),
    ({"containers": [{"name": "c", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]}, "baseline",
     ["container 'c' adds capabilities SYS_ADMIN"]),
    ({"containers": [{"name": "c", "securityContext": {"privileged": True}}], "hostNetwork": True}, "baseline",
     ["hostNetwork: true", "container 'c' privileged"]),
    ({"containers": [{"name": "c", "securityContext": {"privileged": True}}]}, "privileged", []),
])
def test_pod_security_levels(pod, level, rejected):
    assert pod_security_violations(pod, level) == rejected


@pytest.mark.parametrize(("text", "value"), [
    ("500m", 0.5), ("64", 64), ("256Gi", 256 * 2**30), ("1Ti", 2**40), ("1e3", 1000), ("2k", 2000), ("x", None)])
def test_quantities(text, value):
    got = parse_quantity(text)
    assert (float(got) if got is not None else None) == value


def test_release_chart_is_matched_by_name_not_repository():
    world = copy.deepcopy(EKS)
    world["ca"] = Res(RELEASE, {**world["ca"].props, "chart": "oci://example.com/charts/cluster-autoscaler"},
                      world["ca"].deps)
    assert journeys(view(world))[0].verdict == "runs"


def test_rule_reports_failures_and_leaves_unknowns_to_the_sdks_advisory():
    from lzpolicy.props import UnknownValueError
    from rules.kubernetes.golden_workload_journeys import RULE

    [(urn, message)] = RULE.evaluate(view(without(EKS, "ca")))
    assert urn.endswith("::golden") and "step 'capacity' fails" in message and message.endswith(".")
    assert RULE.evaluate(view(EKS)) == []
    with pytest.raises(UnknownValueError):
        RULE.evaluate(view(with_props(EKS, "team-policy", policy="04da6b54-80e4-46f7-96ec-b56ff0331ba9")))


def test_lz_and_the_pack_judge_the_fixture_plan_alike():
    """`lz plan`'s table comes from the recorded plan through the same functions the pack runs."""
    from policy_harness import fixture_plan

    from lz.journeys import plan_journeys

    fp = fixture_plan("journeys", "dev")
    rows = {j["workload"]: j for j in plan_journeys(fp.plan)}
    assert rows["team-ok/h100-train"]["verdict"] == "runs", rows["team-ok/h100-train"]
    assert rows["team-small/h100-train"]["failedStep"] == "admitted"
    reported = [v.message for v in fp.plan.violations if v.policy_name == "golden-workload-journeys"]
    assert len(reported) == 1 and "team-small/h100-train" in reported[0]
