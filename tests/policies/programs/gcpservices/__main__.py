"""Fixtures for the GCP rules of issue 15, round 2: Compute Engine VMs and templates, Vertex AI Workbench,
Artifact Registry, GKE legacy features, project-level impersonation grants and BigQuery datasets; typed
args and plain dicts, as users write them."""

import json

import pulumi
import pulumi_gcp as gcp
from common import LABELS, gke_cluster, with_changes

KEY = "projects/fixture-project/locations/us-central1/keyRings/lz/cryptoKeys/data"
SA = "trainer@fixture-project.iam.gserviceaccount.com"
DEFAULT_SA = "123456789012-compute@developer.gserviceaccount.com"

# --- Compute Engine instances and templates ------------------------------------------------------------------
VM = {"machine_type": "g2-standard-4", "zone": "us-central1-a",
      "boot_disk": {"initialize_params": {"image": "debian-cloud/debian-12"}},
      "network_interfaces": [{"network": "default-vpc", "subnetwork": "gpu-subnet"}],
      "metadata": {"block-project-ssh-keys": "TRUE", "enable-oslogin": "TRUE"},
      "service_account": {"email": SA, "scopes": ["cloud-platform"]},
      "labels": LABELS}
gcp.compute.Instance("gce-vm-ok", **VM)
gcp.compute.Instance("gce-vm-external-ip", **with_changes(VM, network_interfaces=[
    {"network": "default-vpc", "subnetwork": "gpu-subnet", "access_configs": [{}]}]))
gcp.compute.Instance("gce-vm-serial-port", **with_changes(VM, metadata={
    "block-project-ssh-keys": "TRUE", "enable-oslogin": "TRUE", "serial-port-enable": "true"}))
gcp.compute.Instance("gce-vm-project-keys", **with_changes(VM, metadata={"enable-oslogin": "FALSE"}))
gcp.compute.Instance("gce-vm-oslogin-only", **with_changes(VM, metadata={"enable-oslogin": "TRUE"}))
gcp.compute.Instance("gce-vm-default-sa", **with_changes(VM, service_account={"scopes": ["cloud-platform"]}))
gcp.compute.Instance("gce-vm-default-sa-email", **with_changes(VM, service_account=gcp.compute.InstanceServiceAccountArgs(
    email=DEFAULT_SA, scopes=["https://www.googleapis.com/auth/cloud-platform"])))
gcp.compute.Instance("gce-vm-no-sa", **with_changes(VM, service_account=None))
# A template, typed args: external IPv6 and the default service account.
gcp.compute.InstanceTemplate(
    "gce-template-open", machine_type="a2-highgpu-1g", labels=LABELS,
    disks=[gcp.compute.InstanceTemplateDiskArgs(source_image="debian-cloud/debian-12", boot=True)],
    network_interfaces=[gcp.compute.InstanceTemplateNetworkInterfaceArgs(
        network="default-vpc", stack_type="IPV4_IPV6",
        ipv6_access_configs=[gcp.compute.InstanceTemplateNetworkInterfaceIpv6AccessConfigArgs(network_tier="PREMIUM")])],
    metadata={"block-project-ssh-keys": "true"},
    service_account=gcp.compute.InstanceTemplateServiceAccountArgs(scopes=["cloud-platform"]))
gcp.compute.InstanceTemplate(
    "gce-template-ok", machine_type="a2-highgpu-1g", labels=LABELS,
    disks=[{"source_image": "debian-cloud/debian-12", "boot": True}],
    network_interfaces=[{"network": "default-vpc"}],
    metadata={"block-project-ssh-keys": "TRUE"}, service_account={"email": SA, "scopes": ["cloud-platform"]})

# Project-wide metadata: a map and a single item.
gcp.compute.ProjectMetadata("gce-project-metadata-ok", project="fixture-project", metadata={
    "enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE"})
gcp.compute.ProjectMetadataItem("gce-project-serial-port", project="fixture-project", key="serial-port-enable",
                                value="TRUE")
gcp.compute.ProjectMetadataItem("gce-project-oslogin-off", project="fixture-project", key="enable-oslogin",
                                value="FALSE")

# --- Vertex AI Workbench -------------------------------------------------------------------------------------
WORKBENCH = {"location": "us-central1-a", "labels": LABELS, "gce_setup": {
    "machine_type": "n1-standard-4", "disable_public_ip": True,
    "boot_disk": {"disk_encryption": "CMEK", "kms_key": KEY},
    "data_disks": {"disk_encryption": "CMEK", "kms_key": KEY},
    "network_interfaces": [{"network": "projects/fixture-project/global/networks/default-vpc",
                            "subnet": "projects/fixture-project/regions/us-central1/subnetworks/gpu-subnet"}]}}
gcp.workbench.Instance("wb-ok", **WORKBENCH)
gcp.workbench.Instance("wb-public-ip", **with_changes(WORKBENCH, gce_setup=with_changes(
    WORKBENCH["gce_setup"], disable_public_ip=None)))
gcp.workbench.Instance("wb-google-key", **with_changes(WORKBENCH, gce_setup=with_changes(
    WORKBENCH["gce_setup"], data_disks={"disk_encryption": "GMEK"})))

# --- Artifact Registry ---------------------------------------------------------------------------------------
repo = gcp.artifactregistry.Repository("ar-ok", location="us-central1", repository_id="models", format="DOCKER",
                                       kms_key_name=KEY, labels=LABELS)
gcp.artifactregistry.Repository("ar-google-key", location="us-central1", repository_id="scratch", format="DOCKER",
                                labels=LABELS)
gcp.artifactregistry.Repository("ar-virtual", location="us-central1", repository_id="all-images", format="DOCKER",
                                mode="VIRTUAL_REPOSITORY", labels=LABELS,
                                virtual_repository_config={"upstream_policies": [
                                    {"id": "models", "repository": repo.id, "priority": 1}]})
gcp.artifactregistry.RepositoryIamMember("ar-reader-team", location="us-central1", repository=repo.name,
                                         role="roles/artifactregistry.reader", member="group:ml-research@example.com")
gcp.artifactregistry.RepositoryIamMember("ar-reader-public", location="us-central1", repository=repo.name,
                                         role="roles/artifactregistry.reader", member="allUsers")

# --- GKE legacy features: each variant changes one argument of the compliant cluster ------------------------
GKE = gke_cluster()
gcp.container.Cluster("gke-ok", **GKE)
gcp.container.Cluster("gke-abac", **with_changes(GKE, enable_legacy_abac=True))
gcp.container.Cluster("gke-client-cert", **with_changes(GKE, master_auth={
    "client_certificate_config": {"issue_client_certificate": True}}))
gcp.container.Cluster("gke-alpha", **with_changes(GKE, enable_kubernetes_alpha=True))

# --- project-level impersonation grants ----------------------------------------------------------------------
gcp.projects.IAMMember("iam-project-sa-user", project="fixture-project", role="roles/iam.serviceAccountUser",
                       member="group:ml-research@example.com")
gcp.projects.IAMBinding("iam-project-token-creator", project="fixture-project",
                        role="roles/iam.serviceAccountTokenCreator", members=[f"serviceAccount:{SA}"])
gcp.projects.IAMMember("iam-project-log-writer", project="fixture-project", role="roles/logging.logWriter",
                       member=f"serviceAccount:{SA}")
# The right place for the grant: on the one service account.
gcp.serviceaccount.IAMMember("iam-sa-user-on-account", service_account_id=f"projects/fixture-project/serviceAccounts/{SA}",
                             role="roles/iam.serviceAccountUser", member="group:ml-research@example.com")
# A policy document built with Output.apply, as users build them from get_iam_policy or other outputs.
gcp.projects.IAMPolicy("iam-project-policy-sa-user", project="fixture-project", policy_data=pulumi.Output.from_input(
    "group:ml-platform@example.com").apply(lambda member: json.dumps({"bindings": [
        {"role": "roles/viewer.not-basic", "members": [member]},
        {"role": "roles/iam.serviceAccountUser", "members": [member]}]})))

# --- BigQuery datasets ---------------------------------------------------------------------------------------
DATASET = {"dataset_id": "eval_results", "location": "US", "labels": LABELS,
           "accesses": [{"role": "OWNER", "special_group": "projectOwners"},
                        {"role": "READER", "group_by_email": "ml-research@example.com"}]}
dataset = gcp.bigquery.Dataset("bq-ok", **DATASET)
gcp.bigquery.Dataset("bq-all-authenticated", **with_changes(DATASET, dataset_id="eval_open", accesses=[
    *DATASET["accesses"], {"role": "READER", "special_group": "allAuthenticatedUsers"}]))
gcp.bigquery.DatasetAccess("bq-access-all-users", dataset_id=dataset.dataset_id, role="READER", iam_member="allUsers")
gcp.bigquery.DatasetIamMember("bq-member-public", dataset_id=dataset.dataset_id, role="roles/bigquery.dataViewer",
                              member="allAuthenticatedUsers")
gcp.bigquery.DatasetIamMember("bq-member-team", dataset_id=dataset.dataset_id, role="roles/bigquery.dataViewer",
                              member="group:ml-research@example.com")
