"""Step 4, identity and data: the pods' ServiceAccount maps to a cloud identity that may read the
datasets prefix and write the checkpoints prefix, with no Kubernetes rights through IAM and no Lustre
export around the prefixes."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from .. import policydoc
from .. import props as wire
from ..rule import ResourceView, StackView
from ..types import (
    GCP_IAM_MEMBER,
    IAM_ROLE,
    K8S_SERVICE_ACCOUNT,
    S3_BUCKET,
    S3_SSE,
)
from .awsiam import (
    action_matches,
    role_allows,
    statements,
)
from .capacity import role_arn_matches
from .model import (
    EKS_ACCESS_ENTRY,
    EKS_POD_IDENTITY,
    GCP_SERVICE_ACCOUNT,
    GCS_BUCKET,
    GCS_READ_ROLES,
    GCS_WRITE_ROLES,
    GKE_WI_ANNOTATION,
    IRSA_ANNOTATION,
    Step,
    Unknown,
    Workload,
    cluster_kind,
    in_namespace,
    named,
)


def _service_account(view: StackView, w: Workload) -> ResourceView | None:
    name = w.pod.get("serviceAccountName") or "default"
    return next((sa for sa in in_namespace(view, w.namespace, *K8S_SERVICE_ACCOUNT)
                 if sa.known("metadata", "name") == name), None)


def step_identity(view: StackView, w: Workload) -> Step:
    paths = [("read", p) for p in w.journey.get("reads") or []] + [("write", p) for p in w.journey.get("writes") or []]
    if not paths:
        return Step("identity", True, "the workload uses no object-store paths")
    sa = _service_account(view, w)
    sa_name = w.pod.get("serviceAccountName") or "default"
    if sa is None:
        return Step("identity", False, f"ServiceAccount {w.namespace}/{sa_name} is not in the plan: the pods are "
                                       f"refused at creation")
    try:
        kind = cluster_kind(view)
        if kind == "eks":
            step = _aws_identity(view, w, sa, sa_name, paths)
        elif kind == "gke":
            step = _gcp_identity(view, w, sa, sa_name, paths)
        else:
            step = None
        if step is not None:
            return _shared_file_exports(view, w) or step
    except Unknown as exc:
        return Step("identity", None, f"the identity's policies are not known until apply ({exc})")
    return Step("identity", False, "the workload reads object-store paths but the cluster has no cloud identity "
                                   "mapping for its ServiceAccount")


FSX_DRA = ("aws:fsx/dataRepositoryAssociation:DataRepositoryAssociation",)
K8S_PV = ("kubernetes:core/v1:PersistentVolume",)
K8S_PVC = ("kubernetes:core/v1:PersistentVolumeClaim",)
EXPORT_EVENTS = ("NEW", "CHANGED", "DELETED")


def _writable_lustre_mounts(view: StackView, w: Workload) -> list[tuple[str, str]]:
    """(claim, file-system id) of every FSx for Lustre volume the pods mount writable."""
    out = []
    for vol in w.pod.get("volumes") or []:
        claim = (vol.get("persistentVolumeClaim") or {})
        if not claim.get("claimName") or claim.get("readOnly"):
            continue
        pvc = next((c for c in in_namespace(view, w.namespace, *K8S_PVC)
                    if c.known("metadata", "name") == claim["claimName"]), None)
        pv_name = pvc.known("spec", "volumeName") if pvc else None
        pv = named(view, pv_name, *K8S_PV) if pv_name else None
        if pv is None or pv.known("spec", "csi", "driver") != "fsx.csi.aws.com" or pv.known("spec", "csi", "readOnly"):
            continue
        mounted = [m for c in w.pod.get("containers") or [] for m in c.get("volumeMounts") or []
                   if m.get("name") == vol.get("name") and not m.get("readOnly")]
        handle = pv.known("spec", "csi", "volumeHandle")
        if mounted and isinstance(handle, str):
            out.append((claim["claimName"], handle))
    return out


def _shared_file_exports(view: StackView, w: Workload) -> Step | None:
    """A writable Lustre mount whose file system auto-exports to the object store outside the team's
    prefix lets the team change other prefixes without any S3 permission (FSx exports with its own
    service role): the prefix-scoped IAM of the identity step is bypassed."""
    prefix = f"{w.team}/"
    for claim, fs_id in _writable_lustre_mounts(view, w):
        for dra in view.of_type(*FSX_DRA):
            if dra.known("fileSystemId") != fs_id:
                continue
            events = [e for e in dra.known("s3", "autoExportPolicy", "events", default=[]) or [] if e in EXPORT_EVENTS]
            path = dra.known("dataRepositoryPath")
            if not events or not isinstance(path, str):
                continue
            scoped = path.rstrip("/").split("/", 3)[3:] if path.startswith("s3://") else []
            if not (scoped and (scoped[0] + "/").startswith(prefix)):
                return Step("identity", False, f"the pods mount Lustre claim '{claim}' read-write, and {dra.title} "
                                               f"exports {'/'.join(events)} to {path}, outside {prefix}: this team's "
                                               f"writes and deletes reach other teams' objects around its "
                                               f"prefix-scoped IAM")
    return None


def _buckets(view: StackView, tier: str, types: tuple[str, ...], label_key: str) -> list[ResourceView]:
    return [b for b in view.of_type(*types) if (b.known(label_key, "purpose") == tier)]


def _s3_bucket_names(view: StackView, bucket: ResourceView) -> list[str]:
    """A bucket's name: its own input, else the `bucket` input of a companion computed from it."""
    names = [bucket.known("bucket")] if isinstance(bucket.known("bucket"), str) else []
    for r in view.resources:
        if r.depends_on(bucket.urn, "bucket") and isinstance(r.known("bucket"), str):
            names.append(r.known("bucket"))
    return list(dict.fromkeys(names))


def _aws_identity(view: StackView, w: Workload, sa: ResourceView, sa_name: str,
                  paths: list[tuple[str, Mapping[str, str]]]) -> Step:
    annotated = sa.is_set("metadata", "annotations", IRSA_ANNOTATION)
    # The annotation's value is the role's ARN, an output: the role is found through the dependency.
    roles = list(view.referenced(sa, "metadata", *IAM_ROLE)) if annotated else []
    arn = sa.known("metadata", "annotations", IRSA_ANNOTATION)
    roles += [r for r in view.of_type(*IAM_ROLE) if isinstance(arn, str) and role_arn_matches(r, arn)
              and r not in roles]
    for assoc in view.of_type(*EKS_POD_IDENTITY):
        if assoc.known("namespace") == w.namespace and assoc.known("serviceAccount") == sa_name:
            roles += [r for r in view.referenced(assoc, "roleArn", *IAM_ROLE) if r not in roles]
    if not roles and not annotated:
        return Step("identity", False, f"ServiceAccount {w.namespace}/{sa_name} has no IAM role (no {IRSA_ANNOTATION} "
                                       f"annotation, no Pod Identity association): the pods have no AWS credentials")
    if not roles:
        raise Unknown(f"the role named by {IRSA_ANNOTATION}")
    subject = f"system:serviceaccount:{w.namespace}:{sa_name}"
    trusted = [r for r in roles if _trusts(r, subject)]
    if not trusted:
        return Step("identity", False, f"role {roles[0].title} does not trust {subject} "
                                       f"(sts:AssumeRoleWithWebIdentity with that :sub, or pods.eks.amazonaws.com)")
    role = trusted[0]
    entries = [e for e in view.of_type(*EKS_ACCESS_ENTRY)
               if e.depends_on(role.urn, "principalArn") or
               (isinstance(arn, str) and e.known("principalArn") == arn)]
    if entries:
        return Step("identity", False, f"role {role.title}, which the pods assume, is also {entries[0].title}: "
                                       f"the pods get the team's Kubernetes rights through IAM; give people their "
                                       f"own role or group")
    for verb, path in paths:
        tier, prefix = path.get("tier"), path.get("prefix", "")
        buckets = _buckets(view, str(tier), S3_BUCKET, "tags")
        if not buckets:
            return Step("identity", False, f"the stack has no {tier} bucket (tag purpose={tier})")
        names = _s3_bucket_names(view, buckets[0])
        if not names:
            raise Unknown(f"the {tier} bucket's name")
        action = "s3:GetObject" if verb == "read" else "s3:PutObject"
        obj = f"arn:aws:s3:::{names[0]}/{prefix}golden-journey"
        if not role_allows(view, role, action, obj):
            return Step("identity", False, f"role {role.title} may not {action} on s3://{names[0]}/{prefix} "
                                           f"({tier}): the {verb} fails with AccessDenied")
        # Reading a dataset lists its prefix (ListObjectsV2 needs s3:ListBucket on the bucket).
        if verb == "read" and not role_allows(view, role, "s3:ListBucket", f"arn:aws:s3:::{names[0]}"):
            return Step("identity", False, f"role {role.title} may not s3:ListBucket on s3://{names[0]} ({tier}): "
                                           f"the job cannot list its dataset under {prefix}")
        key = _bucket_kms_key(view, buckets[0])
        kms_action = "kms:Decrypt" if verb == "read" else "kms:GenerateDataKey"
        if key and not role_allows(view, role, kms_action, key):
            return Step("identity", False, f"role {role.title} may not {kms_action} with the {tier} bucket's key "
                                           f"{key}: SSE-KMS objects cannot be {verb}")
    return Step("identity", True, f"{subject} assumes {role.title}, which may read and write its prefixes")


def _bucket_kms_key(view: StackView, bucket: ResourceView) -> str | None:
    for sse in view.of_type(*S3_SSE):
        if not sse.depends_on(bucket.urn, "bucket"):
            continue
        for rule in sse.known("rules", default=[]) or []:
            key = wire.known(rule, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
            if isinstance(key, str) and key.startswith("arn:"):
                return key
    return None


def _trusts(role: ResourceView, subject: str) -> bool:
    for st in statements(role.get("assumeRolePolicy")):
        if not st.allows:
            continue
        if any(p == "Service:pods.eks.amazonaws.com" for p in st.principals) and \
                action_matches(st.actions, "sts:AssumeRole"):
            return True
        if not any(p.startswith("Federated:") for p in st.principals):
            continue
        if not action_matches(st.actions, "sts:AssumeRoleWithWebIdentity"):
            continue
        subs = [v for op in ("StringEquals", "StringLike") for k in _sub_keys(st, op)
                for v in _values(st.conditions.get(op, {}).get(k))]
        if any(fnmatch.fnmatchcase(subject, s) for s in subs):
            return True
    return False


def _sub_keys(st: policydoc.Statement, op: str) -> list[str]:
    return [k for k in (st.conditions.get(op) or {}) if k.endswith(":sub")]


def _values(v: Any) -> list[str]:
    return [str(x) for x in (v if isinstance(v, list) else [v])] if v is not None else []


def _gcp_identity(view: StackView, w: Workload, sa: ResourceView, sa_name: str,
                  paths: list[tuple[str, Mapping[str, str]]]) -> Step:
    annotated = sa.is_set("metadata", "annotations", GKE_WI_ANNOTATION)
    accounts = view.referenced(sa, "metadata", *GCP_SERVICE_ACCOUNT) if annotated else []
    if not accounts:
        if sa.is_set("metadata", "annotations", GKE_WI_ANNOTATION):
            raise Unknown(f"the Google service account named by {GKE_WI_ANNOTATION}")
        return Step("identity", False, f"ServiceAccount {w.namespace}/{sa_name} has no {GKE_WI_ANNOTATION} "
                                       f"annotation: the pods run as no Google identity")
    gsa = accounts[0]
    member_suffix = f".svc.id.goog[{w.namespace}/{sa_name}]"
    bound = [m for m in view.of_type(*GCP_IAM_MEMBER) if m.type == "gcp:serviceaccount/iAMMember:IAMMember"
             and m.depends_on(gsa.urn, "serviceAccountId") and m.known("role") == "roles/iam.workloadIdentityUser"
             and str(m.known("member") or "").endswith(member_suffix)]
    if not bound:
        return Step("identity", False, f"{gsa.title} has no roles/iam.workloadIdentityUser binding for "
                                       f"{w.namespace}/{sa_name}: token exchange is refused")
    for verb, path in paths:
        tier, prefix = str(path.get("tier")), path.get("prefix", "")
        buckets = _buckets(view, tier, GCS_BUCKET, "labels")
        if not buckets:
            return Step("identity", False, f"the stack has no {tier} bucket (label purpose={tier})")
        roles = GCS_READ_ROLES if verb == "read" else GCS_WRITE_ROLES
        grants = [g for g in view.of_type("gcp:storage/bucketIAMMember:BucketIAMMember")
                  if g.depends_on(buckets[0].urn, "bucket") and g.depends_on(gsa.urn, "member")
                  and g.known("role") in roles]
        usable = [g for g in grants if _condition_admits(g, prefix)]
        if not usable:
            return Step("identity", False, f"{gsa.title} has no grant on the {tier} bucket that lets it {verb} "
                                           f"objects under {prefix}")
    return Step("identity", True, f"{w.namespace}/{sa_name} acts as {gsa.title}, which may read and write its prefixes")


def _condition_admits(grant: ResourceView, prefix: str) -> bool:
    if not grant.is_set("condition"):
        return True
    expression = grant.get("condition", "expression")
    if not isinstance(expression, str):
        raise Unknown("a bucket grant's condition")
    return f"/objects/{prefix}" in expression
