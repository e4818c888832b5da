"""GCP landing zone: VPC and GPU NIC networks, GKE with GPU node pools, tiered storage, IAM, audit.

Entry point: `components.gcp.landing_zone.GcpLandingZone`. `common` holds `GcpContext`, what every
component is handed. Pure helpers (layouts, sizing, naming, config checks) live in `layout`,
`pool_settings`, `storage_rules` and `config_checks`; every other module holds one ComponentResource. See README.md in this directory.
"""
