"""Where telemetry is collected and where alerts go, per cloud: the AMP scraper's configuration and
access, the alert manager's SNS receiver, the topic's and key's policies, the GKE alert documentation,
and the brought cluster's Prometheus Operator objects."""

from __future__ import annotations

import json

import pytest
import yaml

from components.aws.alert_topic import key_statements, topic_statements
from components.aws.common import AwsContext
from components.aws.managed_prometheus import (
    SCRAPER_USER,
    access_entry_principal,
    alert_manager_definition,
    scrape_configuration,
)
from components.config import ConfigError, validate_config
from components.gcp.gpu_alerts import documentation_text
from components.telemetry import manifests as t

CTX = AwsContext(account_id="123456789012", partition="aws", region="us-east-1", prefix="ai-lz-prod")


def test_access_entry_names_the_scraper_role_without_its_service_role_path():
    """AMP user guide, "Configuring your Amazon EKS cluster", step 4 (their example, verbatim)."""
    arn = ("arn:aws:iam::111122223333:role/aws-service-role/scraper.aps.amazonaws.com/"
           "AWSServiceRoleForAmazonPrometheusScraper_1234abcd-56ef-7")
    assert access_entry_principal(arn) == \
        "arn:aws:iam::111122223333:role/AWSServiceRoleForAmazonPrometheusScraper_1234abcd-56ef-7"


def test_scraper_reads_dcgm_exporter_with_the_node_pool_label():
    config = yaml.safe_load(scrape_configuration())
    assert config["global"]["scrape_interval"] == "30s"  # the managed scraper's minimum
    dcgm, scheduler = config["scrape_configs"]
    assert dcgm["honor_labels"] is True
    [sd] = dcgm["kubernetes_sd_configs"]
    assert sd == {"role": "pod", "namespaces": {"names": ["gpu-operator"]}, "attach_metadata": {"node": True}}
    relabel = {r.get("target_label"): r for r in dcgm["relabel_configs"]}
    assert relabel["pool"]["source_labels"] == ["__meta_kubernetes_node_label_ai_landing_zone_pool"]
    assert relabel[None]["regex"] == "nvidia-dcgm-exporter;9400"
    # Managed scrapers allow only Bearer auth from the scraper's own token file.
    assert scheduler["authorization"] == {"type": "Bearer",
                                          "credentials_file": "/var/run/secrets/kubernetes.io/serviceaccount/token"}


def test_alert_manager_sends_to_the_topic_with_sigv4():
    definition = yaml.safe_load(alert_manager_definition("arn:aws:sns:us-east-1:123456789012:t", "us-east-1"))
    inner = yaml.safe_load(definition["alertmanager_config"])
    [receiver] = inner["receivers"]
    assert inner["route"]["receiver"] == receiver["name"]
    [sns] = receiver["sns_configs"]
    assert sns["topic_arn"] == "arn:aws:sns:us-east-1:123456789012:t" and sns["sigv4"] == {"region": "us-east-1"}


def test_topic_and_key_let_only_the_publishing_services_in_pinned_to_the_account():
    topic = topic_statements(CTX, "arn:aws:sns:us-east-1:123456789012:ai-lz-prod-alerts")
    principals = [s["Principal"] for s in topic]
    assert "*" not in json.dumps(principals)
    services = {s["Principal"].get("Service"): s for s in topic if "Service" in s["Principal"]}
    assert set(services) == {"aps.amazonaws.com", "budgets.amazonaws.com"}
    assert all(s["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012" for s in services.values())
    [publishers] = [s for s in key_statements(CTX) if "Service" in s["Principal"]]
    assert sorted(publishers["Principal"]["Service"]) == ["aps.amazonaws.com", "budgets.amazonaws.com"]
    assert publishers["Action"] == ["kms:GenerateDataKey*", "kms:Decrypt"]
    assert publishers["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_scraper_rbac_is_read_only_and_bound_to_the_access_entry_user():
    role = t.scraper_cluster_role({})
    verbs = {v for rule in role["rules"] for v in rule["verbs"]}
    assert verbs <= {"get", "list", "watch"}
    assert not [r for r in role["rules"] if "secrets" in r.get("resources", [])]
    binding = t.scraper_cluster_role_binding({}, SCRAPER_USER)
    assert binding["subjects"] == [{"kind": "User", "name": "aps-collector-user",
                                    "apiGroup": "rbac.authorization.k8s.io"}]
    assert binding["roleRef"]["name"] == role["metadata"]["name"]


def test_gke_documentation_uses_cloud_monitoring_variables():
    text = documentation_text('Pod {{ $labels.pod }} burns {{ printf "%.2f" $value }} USD per hour')
    assert text == "Pod ${metric.label.pod} burns the value USD per hour"


def test_brought_cluster_pool_relabelings_come_from_the_pools_labels():
    monitor = t.dcgm_pod_monitor({}, {"h100": {"node.example.com/gpu-pool": "h100"}, "cpu": {}})
    [endpoint] = monitor["spec"]["podMetricsEndpoints"]
    assert monitor["spec"]["attachMetadata"] == {"node": True}
    [_, pool] = endpoint["relabelings"]
    assert pool == {"sourceLabels": ["__meta_kubernetes_node_label_node_example_com_gpu_pool"], "separator": ";",
                    "regex": "h100", "targetLabel": "pool", "replacement": "h100", "action": "replace"}


def test_brought_cluster_alerts_match_the_alertmanager_config_namespace():
    groups = [{"name": "g", "rules": [{"record": "r", "expr": "1"}, {"alert": "A", "expr": "1"}]}]
    rule = t.prometheus_rule({}, groups)
    [group] = rule["spec"]["groups"]
    assert "labels" not in group["rules"][0]
    assert group["rules"][1]["labels"] == {"namespace": rule["metadata"]["namespace"]}
    config = t.alertmanager_config({}, ["a@example.com", "b@example.com"])
    assert config["metadata"]["namespace"] == rule["metadata"]["namespace"]
    [receiver] = config["spec"]["receivers"]
    assert [e["to"] for e in receiver["emailConfigs"]] == ["a@example.com", "b@example.com"]


BASE = {"environment": "dev", "cloud": "aws", "tags": {"costCenter": "x"}}


@pytest.mark.parametrize("emails", [["not-an-email"], ["a@example.com", "a@example.com"], ["a@b"]])
def test_notification_emails_are_validated(emails):
    with pytest.raises(ConfigError) as err:
        validate_config({**BASE, "notifications": {"emails": emails}}, "stacks/Pulumi.dev.yaml")
    assert "notifications.emails" in str(err.value)


def test_alert_thresholds_are_bounded():
    with pytest.raises(ConfigError) as err:
        validate_config({**BASE, "alerts": {"idleUtilizationPercent": 100}}, "stacks/Pulumi.dev.yaml")
    assert "alerts.idleUtilizationPercent" in str(err.value)
    config = validate_config({**BASE, "notifications": {"emails": ["oncall@example.com"]}}, "x")
    assert config.notifications.emails == ["oncall@example.com"] and config.alerts.idle_minutes == 60


def test_scraper_rbac_matches_the_kubernetes_openapi_schema():
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for manifest in (t.scraper_cluster_role({"managed-by": "x"}),
                     t.scraper_cluster_role_binding({"managed-by": "x"}, SCRAPER_USER)):
        kubernetes_validate.validate(manifest, "1.33", strict=True)
