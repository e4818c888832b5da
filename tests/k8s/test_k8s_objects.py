"""components/k8s/objects.py: built-in kinds map to their typed pulumi_kubernetes resource, loaded only
when a program uses that kind."""

from __future__ import annotations

import json
import subprocess
import sys

import pulumi
import pytest

from components.k8s.objects import TYPED, typed


@pytest.mark.parametrize(("api_version", "kind"), sorted(TYPED))
def test_every_built_in_kind_resolves_to_its_typed_resource(api_version, kind):
    cls = typed(api_version, kind)
    assert cls is not None and issubclass(cls, pulumi.CustomResource)
    assert cls.__name__ == kind
    group = api_version.split("/")[0] if "/" in api_version else "core"
    # pulumi_kubernetes.<group>.<version>: the API group's first label (rbac.authorization.k8s.io -> rbac).
    assert cls.__module__.split(".")[1] == group.split(".")[0]
    assert cls.__module__.split(".")[2] == api_version.rsplit("/", 1)[-1]


def test_a_custom_kind_has_no_typed_resource():
    assert typed("kueue.x-k8s.io/v1beta1", "ClusterQueue") is None


def test_importing_the_module_loads_no_api_group():
    # An API group of pulumi_kubernetes costs tens of milliseconds to load; a stack that uses none of
    # admissionregistration, apps or storage must not pay for them.
    code = ("import json, sys, components.k8s.objects; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('pulumi_kubernetes.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    # The SDK's group packages are lazy modules; a group is loaded once its classes' modules are.
    groups = {m.split(".")[1] for m in json.loads(out) if m.count(".") >= 3}
    assert groups.isdisjoint({"admissionregistration", "apps", "storage"})
