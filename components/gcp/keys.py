"""Customer-managed keys: one regional key ring, one key per use, each granted to its service agent only.

Most service agent emails are derived from the project number (`organizations.get_project`), so the
grants exist before the resources that need them; every consumer waits on its grant through `grants`.
The Cloud Storage agent is the exception: it exists only once something asks for it, so its address
comes from `storage.get_project_service_account`, which creates it (the SDK's own docstring: "Always
prefer to use this data source over interpolating the project ID into the well-known format").
Cloud KMS never deletes key rings or keys: removing them from the stack only disables key versions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.options import child

from .common import GcpContext

# 90 days: CIS GCP 1.10 and CKV_GCP_43 ask for rotation at least every 90 days.
ROTATION_PERIOD = f"{90 * 24 * 3600}s"
ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"


def storage_agent_member(project: str) -> pulumi.Output[str]:
    """`serviceAccount:<the Cloud Storage service agent>`, looked up (and so created) by the data source."""
    return gcp.storage.get_project_service_account_output(project=project).member


# Service agents that exist only once the service has been used, or once generated (ServiceIdentity).
GENERATED_AGENTS = {"managedLustre": "lustre.googleapis.com", "registry": "artifactregistry.googleapis.com",
                    "secrets": "secretmanager.googleapis.com"}


def key_uses(file_kind: str) -> tuple[str, ...]:
    """The keys a stack needs, by `storage.file.kind`: `registry` encrypts the teams' Artifact Registry
    repositories and caches; `secrets` is the key teams create their Secret Manager secrets with."""
    uses = ("gke", "storage", "disks", "registry", "secrets")
    if file_kind in ("managedLustre", "filestore"):  # Parallelstore has no CMEK setting
        uses += (file_kind,)
    return uses


@dataclass(frozen=True)
class KeysArgs:
    ctx: GcpContext
    uses: tuple[str, ...]   # `key_uses(storage.file.kind)`


class Keys(pulumi.ComponentResource):
    """`lz:gcp:Keys`: `keys[use]` is the CryptoKey, `grants[use]` what must exist before it is used."""

    def __init__(self, name: str, args: KeysArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("lz:gcp:Keys", name, None, opts)
        ctx = args.ctx
        self.ring = gcp.kms.KeyRing(f"{name}-ring", project=ctx.project, location=ctx.region,
                                    opts=ctx.stateful(self, opts))
        self.keys: dict[str, gcp.kms.CryptoKey] = {}
        self.grants: dict[str, list[pulumi.Resource]] = {}
        for use in args.uses:
            key = gcp.kms.CryptoKey(
                f"{name}-{use.lower()}", key_ring=self.ring.id, rotation_period=ROTATION_PERIOD,
                purpose="ENCRYPT_DECRYPT", labels=ctx.labelled(use=use), opts=ctx.stateful(self, opts))
            waits: list[pulumi.Resource] = []
            if use in GENERATED_AGENTS:
                # The agent exists only after the service's first use, or once generated here.
                suffix = "lustre" if use == "managedLustre" else use
                waits.append(gcp.projects.ServiceIdentity(
                    f"{name}-{suffix}-agent", project=ctx.project, service=GENERATED_AGENTS[use],
                    opts=child(self, opts)))
            grant = gcp.kms.CryptoKeyIAMMember(
                f"{name}-{use.lower()}-agent", crypto_key_id=key.id, role=ENCRYPTER_DECRYPTER,
                member=storage_agent_member(ctx.project) if use == "storage" else ctx.service_agent_member(use),
                opts=child(self, opts, depends_on=waits))
            self.keys[use] = key
            self.grants[use] = [grant]
        self.register_outputs({"ring": self.ring.id, **{f"{u}_key": k.id for u, k in self.keys.items()}})
