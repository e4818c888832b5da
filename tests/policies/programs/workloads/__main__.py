"""Fixtures for the Kubernetes workload rules (issue 15), written the ways ML teams write workloads:
typed args (`k8s.apps.v1.DeploymentArgs`...), plain dicts, and `apiextensions.CustomResource` for
JobSet and Kubeflow training jobs. Each insecure resource is the secure pod spec with one field changed.
"""

import copy

import pulumi_kubernetes as k8s

IMAGE = "nvcr.io/nvidia/pytorch:24.05-py3"
DIGEST = "ghcr.io/team/trainer@sha256:" + "a" * 64
SECURE_CONTAINER = {"name": "train", "image": IMAGE,
                    "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}
SECURE_POD = {"securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
              "containers": [SECURE_CONTAINER]}
LABELS = {"app": "train"}


def pod(**changes):
    """The secure pod spec with top-level fields replaced."""
    spec = copy.deepcopy(SECURE_POD)
    spec.update(changes)
    return spec


def container(**security):
    """The secure container with securityContext fields replaced (None removes one)."""
    c = copy.deepcopy(SECURE_CONTAINER)
    for key, value in security.items():
        if value is None:
            c["securityContext"].pop(key, None)
        else:
            c["securityContext"][key] = value
    return c


def deployment(resource, spec, namespace="team-a"):
    k8s.apps.v1.Deployment(resource, metadata={"name": resource, "namespace": namespace}, spec={
        "selector": {"match_labels": LABELS}, "template": {"metadata": {"labels": LABELS}, "spec": spec}})


# --- typed, with Args classes --------------------------------------------------------------------------------
k8s.core.v1.Pod("wl-pod-ok", metadata=k8s.meta.v1.ObjectMetaArgs(name="notebook", namespace="team-a"),
                spec=k8s.core.v1.PodSpecArgs(
                    security_context=k8s.core.v1.PodSecurityContextArgs(run_as_non_root=True, run_as_user=1000),
                    containers=[k8s.core.v1.ContainerArgs(
                        name="jupyter", image=DIGEST,
                        security_context=k8s.core.v1.SecurityContextArgs(
                            allow_privilege_escalation=False,
                            capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"], add=["NET_BIND_SERVICE"])))]))
k8s.core.v1.Pod("wl-pod-privileged", metadata=k8s.meta.v1.ObjectMetaArgs(name="notebook-priv", namespace="team-a"),
                spec=k8s.core.v1.PodSpecArgs(
                    security_context=k8s.core.v1.PodSecurityContextArgs(run_as_non_root=True, run_as_user=1000),
                    containers=[k8s.core.v1.ContainerArgs(
                        name="jupyter", image=DIGEST,
                        security_context=k8s.core.v1.SecurityContextArgs(allow_privilege_escalation=False,
                                                                         privileged=True))]))

# --- plain dicts: Deployment, StatefulSet, DaemonSet, ReplicaSet ---------------------------------------------
deployment("wl-deploy-ok", pod())
deployment("wl-deploy-host-network", pod(hostNetwork=True))
deployment("wl-deploy-host-path", pod(volumes=[{"name": "models", "hostPath": {"path": "/mnt/models"}}]))
deployment("wl-deploy-escalation", pod(containers=[container(allowPrivilegeEscalation=None)]))
deployment("wl-deploy-root", pod(securityContext={"runAsUser": 0}))
deployment("wl-deploy-sys-admin", pod(containers=[container(capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]})]))
deployment("wl-deploy-latest", pod(containers=[{**container(), "image": "python:latest"}]))
deployment("wl-deploy-untagged", pod(containers=[{**container(), "image": "registry.local:5000/team/serve"}]))
# Init containers count: the main container is clean, the init container is privileged.
deployment("wl-deploy-init-privileged", pod(initContainers=[{**container(privileged=True), "name": "setup"}]))

k8s.apps.v1.StatefulSet("wl-sts-host-pid", metadata={"name": "db", "namespace": "team-a"}, spec={
    "service_name": "db", "selector": {"match_labels": LABELS},
    "template": {"metadata": {"labels": LABELS}, "spec": pod(hostPID=True)}})
k8s.apps.v1.ReplicaSet("wl-rs-ok", metadata={"name": "rs", "namespace": "team-a"}, spec={
    "selector": {"match_labels": LABELS}, "template": {"metadata": {"labels": LABELS}, "spec": pod()}})

# The platform's GPU operator DaemonSet, as the rendered chart would be applied by yaml.ConfigFile:
# allow-listed for host access (namespace gpu-operator, nvcr.io/nvidia images) ...
AGENT = {"hostPID": True, "volumes": [{"name": "run-nvidia", "hostPath": {"path": "/run/nvidia"}}],
         "containers": [{"name": "nvidia-driver-ctr", "image": "nvcr.io/nvidia/driver:550.90.07",
                         "securityContext": {"privileged": True}}]}
k8s.apps.v1.DaemonSet("wl-ds-gpu-operator", metadata={"name": "nvidia-driver-daemonset", "namespace": "gpu-operator"},
                      spec={"selector": {"match_labels": LABELS},
                            "template": {"metadata": {"labels": LABELS}, "spec": AGENT}})
# ... but the same DaemonSet in a team namespace is not.
k8s.apps.v1.DaemonSet("wl-ds-agent-in-team", metadata={"name": "nvidia-driver-daemonset", "namespace": "team-a"},
                      spec={"selector": {"match_labels": LABELS},
                            "template": {"metadata": {"labels": LABELS}, "spec": AGENT}})

# --- batch: Job and CronJob (jobTemplate) --------------------------------------------------------------------
k8s.batch.v1.Job("wl-job-ok", metadata={"name": "eval", "namespace": "team-a"},
                 spec={"template": {"spec": pod(restartPolicy="Never")}})
k8s.batch.v1.CronJob("wl-cron-ipc", metadata={"name": "nightly", "namespace": "team-a"}, spec={
    "schedule": "0 2 * * *",
    "job_template": {"spec": {"template": {"spec": pod(restartPolicy="Never", hostIPC=True)}}}})

# --- custom resources: JobSet and Kubeflow PyTorchJob --------------------------------------------------------
k8s.apiextensions.CustomResource(
    "wl-jobset-ok", api_version="jobset.x-k8s.io/v1alpha2", kind="JobSet",
    metadata={"name": "pretrain", "namespace": "team-a"},
    spec={"replicatedJobs": [{"name": "workers", "replicas": 2,
                              "template": {"spec": {"template": {"spec": pod(restartPolicy="Never")}}}}]})
k8s.apiextensions.CustomResource(
    "wl-jobset-privileged", api_version="jobset.x-k8s.io/v1alpha2", kind="JobSet",
    metadata={"name": "pretrain-priv", "namespace": "team-a"},
    spec={"replicatedJobs": [
        {"name": "driver", "replicas": 1, "template": {"spec": {"template": {"spec": pod(restartPolicy="Never")}}}},
        {"name": "workers", "replicas": 2, "template": {"spec": {"template": {"spec": pod(
            restartPolicy="Never", containers=[container(privileged=True)])}}}}]})
k8s.apiextensions.CustomResource(
    "wl-pytorchjob-ok", api_version="kubeflow.org/v1", kind="PyTorchJob",
    metadata={"name": "finetune", "namespace": "team-a"},
    spec={"pytorchReplicaSpecs": {"Master": {"replicas": 1, "template": {"spec": pod()}},
                                  "Worker": {"replicas": 3, "template": {"spec": pod()}}}})
k8s.apiextensions.CustomResource(
    "wl-pytorchjob-root", api_version="kubeflow.org/v1", kind="PyTorchJob",
    metadata={"name": "finetune-root", "namespace": "team-a"},
    spec={"pytorchReplicaSpecs": {"Master": {"replicas": 1, "template": {"spec": pod()}},
                                  "Worker": {"replicas": 3, "template": {"spec": pod(securityContext={})}}}})

# --- objects without pod templates ---------------------------------------------------------------------------
k8s.core.v1.ConfigMap("wl-config", metadata={"name": "train-config", "namespace": "team-a"}, data={"epochs": "3"})

# --- Services ------------------------------------------------------------------------------------------------
PORTS = [{"port": 443, "target_port": 8888}]
k8s.core.v1.Service("wl-svc-internal", metadata={"name": "notebook-lb", "namespace": "team-a",
                                                 "annotations": {"networking.gke.io/load-balancer-type": "Internal"}},
                    spec={"type": "LoadBalancer", "selector": LABELS, "ports": PORTS})
k8s.core.v1.Service("wl-svc-ranges", metadata={"name": "notebook-lb-ranges", "namespace": "team-a"},
                    spec={"type": "LoadBalancer", "selector": LABELS, "ports": PORTS,
                          "load_balancer_source_ranges": ["10.0.0.0/8"]})
k8s.core.v1.Service("wl-svc-public", metadata={"name": "notebook-lb-public", "namespace": "team-a"},
                    spec={"type": "LoadBalancer", "selector": LABELS, "ports": PORTS})
k8s.core.v1.Service("wl-svc-cluster-ip", metadata={"name": "notebook", "namespace": "team-a"},
                    spec={"selector": LABELS, "ports": PORTS})

# --- RBAC ----------------------------------------------------------------------------------------------------
k8s.rbac.v1.ClusterRole("wl-cr-config-reader", metadata={"name": "config-reader"},
                        rules=[{"api_groups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}])
k8s.rbac.v1.ClusterRole("wl-cr-secrets-reader", metadata={"name": "secrets-reader"},
                        rules=[{"api_groups": [""], "resources": ["secrets", "configmaps"], "verbs": ["get", "list"]}])
k8s.rbac.v1.ClusterRole("wl-cr-named-secret", metadata={"name": "one-secret-reader"},
                        rules=[{"api_groups": [""], "resources": ["secrets"], "verbs": ["get"],
                                "resource_names": ["registry-pull"]}])
k8s.rbac.v1.Role("wl-role-secrets", metadata={"name": "secrets", "namespace": "team-a"},
                 rules=[{"api_groups": [""], "resources": ["secrets"], "verbs": ["get"]}])
k8s.rbac.v1.ClusterRoleBinding("wl-crb-ok", metadata={"name": "config-readers"},
                               role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                         "name": "config-reader"},
                               subjects=[{"kind": "Group", "name": "ml-team", "api_group": "rbac.authorization.k8s.io"}])
k8s.rbac.v1.ClusterRoleBinding("wl-crb-anonymous", metadata={"name": "config-readers-anon"},
                               role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                         "name": "config-reader"},
                               subjects=[{"kind": "Group", "name": "system:unauthenticated",
                                          "api_group": "rbac.authorization.k8s.io"}])
