"""Workloads the platform promises to run (golden workloads), as pure manifest renderers."""
