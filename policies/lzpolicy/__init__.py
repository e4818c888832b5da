"""A small cdk-nag-style layer over pulumi_policy: one rule per file, each declaring its metadata
and returning Compliant / NonCompliant / NotApplicable."""

from .rule import Compliant, NonCompliant, NotApplicable, ResourceRule, ResourceView, StackRule, StackView

__all__ = ["Compliant", "NonCompliant", "NotApplicable", "ResourceRule", "ResourceView", "StackRule", "StackView"]
