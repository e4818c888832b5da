"""The Kubernetes platform layer (Kueue, GPU device stack, team namespaces, storage classes).

Entry points: `platform.KubernetesPlatform` and, for a brought cluster, `brought_cluster.brought_cluster_inputs`.
See README.md in this directory.
"""
