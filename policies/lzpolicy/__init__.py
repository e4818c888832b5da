"""A small cdk-nag-style layer over pulumi_policy: one rule per file, each declaring its metadata
and returning Compliant / NonCompliant / NotApplicable.

- `rule`: ResourceRule / StackRule, the views rules read (ResourceView, StackView) and the adapter
  to pulumi_policy (fail-closed on a rule that raises, unknown values left to the SDK).
- `props`: reading wire-format inputs without KeyError / TypeError; unknown values raise
  UnknownValueError (the SDK's advisory), except in `is_set` / `known`.
- `policydoc`, `gcpiam`, `iam`, `s3`, `k8s`, `efa`, `gpu`: what several rules need to read - IAM
  documents, GCP grants, bucket companions, namespaced objects, EFA templates, GPU pools and the
  hardware catalog (`components.catalog`).
- `types`: type tokens, both pulumi-aws generations; `registry`: finds every rule under rules/.
"""

from .rule import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView, StackRule, StackView

__all__ = ["Compliant", "NonCompliant", "NotApplicable", "ResourceRule", "ResourceView", "StackRule", "StackView"]
