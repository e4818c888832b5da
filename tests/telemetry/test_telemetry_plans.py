"""Every example stack plans its telemetry and a notification target, and what they carry is checked as
planned: AMP's rule file and GKE's alert queries parse with a real PromQL parser, the SNS topic policy is a
concrete document at plan time (so the pack can check it), and a brought cluster gets the Prometheus
Operator objects."""

from __future__ import annotations

import json

import pytest
import yaml

from lz.testing import committed_plan, inputs, of_type

promql_parser = pytest.importorskip("promql_parser")


def _one(plan, type_):
    [record] = of_type(plan, type_)
    return inputs(record)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_eks_stacks_plan_managed_prometheus_and_the_alert_topic(stack):
    plan = committed_plan(stack)
    rules = yaml.safe_load(_one(plan, "aws:amp/ruleGroupNamespace:RuleGroupNamespace")["data"])
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    assert any("DCGM_FI_DEV_GPU_UTIL" in e for e in exprs)
    for expr in exprs:
        promql_parser.parse(expr)
    assert {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r} == {
        "GpuAllocatedIdle", "GpuXidError", "GpuPoolAtMaxWithPendingPods"}
    topic = _one(plan, "aws:sns/topic:Topic")
    assert topic["kmsMasterKeyId"]
    policy = _one(plan, "aws:sns/topicPolicy:TopicPolicy")["policy"]
    assert isinstance(policy, str), "the topic policy must be known at plan time (composed ARN)"
    statements = json.loads(policy)["Statement"]
    assert all(s["Resource"] == f"arn:aws:sns:us-east-1:123456789012:ai-lz-{stack}-alerts" for s in statements)
    assert _one(plan, "aws:sns/topicSubscription:TopicSubscription")["endpoint"] == "platform-oncall@example.com"
    assert _one(plan, "aws:amp/scraper:Scraper")["scrapeConfiguration"]
    [role] = [r for r in of_type(plan, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
              if inputs(r)["metadata"]["name"] == "aps-collector-role-binding"]
    assert inputs(role)["subjects"][0]["name"] == "aps-collector-user"


@pytest.mark.parametrize("stack", ["gcp-dev", "gcp-prod"])
def test_gke_stacks_plan_alert_policies_to_the_email_channels(stack):
    plan = committed_plan(stack)
    policies = [inputs(r) for r in of_type(plan, "gcp:monitoring/alertPolicy:AlertPolicy")]
    assert policies
    for policy in policies:
        [condition] = policy["conditions"]
        promql_parser.parse(condition["conditionPrometheusQueryLanguage"]["query"])
        assert policy["notificationChannels"], "alerts must reach someone"
    queries = [p["conditions"][0]["conditionPrometheusQueryLanguage"]["query"] for p in policies]
    assert any("DCGM_FI_DEV_GPU_UTIL" in q for q in queries)
    # GKE's managed DCGM series keep dcgm-exporter's namespace/pod and carry no XID errors
    # (components/telemetry/rules.py): a policy on either would never fire.
    assert not [q for q in queries if "exported_" in q or "DCGM_FI_DEV_XID_ERRORS" in q]
    channel = _one(plan, "gcp:monitoring/notificationChannel:NotificationChannel")
    assert channel["labels"] == {"email_address": "platform-oncall@example.com"}
    rules = _one(plan, "kubernetes:monitoring.googleapis.com/v1:ClusterRules")
    for group in rules["spec"]["groups"]:
        for rule in group["rules"]:
            promql_parser.parse(rule["expr"])


def test_brought_cluster_gets_the_in_cluster_pieces():
    plan = committed_plan("onprem")
    rule = _one(plan, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    for group in rule["spec"]["groups"]:
        for r in group["rules"]:
            promql_parser.parse(r["expr"])
    monitor = _one(plan, "kubernetes:monitoring.coreos.com/v1:PodMonitor")
    pools = {r.get("replacement") for r in monitor["spec"]["podMetricsEndpoints"][0]["relabelings"]}
    assert {"h100", "l40s"} <= pools
    receiver = _one(plan, "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig")["spec"]["receivers"][0]
    assert receiver["emailConfigs"] == [{"to": "platform-oncall@example.com", "sendResolved": True}]
