"""The GitHub workflows: valid against the workflow schema, and safe in the ways that matter.

The schema is schemastore's github-workflow schema as vendored by `check-jsonschema` (plus its
"every job has a timeout" schema); the rest pins what a reviewer would check by hand: OIDC instead of
stored cloud keys, the policy pack on every Pulumi preview/up, prod behind an approval environment,
actions pinned to commit SHAs, least-privilege permissions, one concurrency group per stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from lz.testing import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ["preview.yml", "deploy.yml", "drift.yml"]
PULUMI_ACTION = "pulumi/actions"
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"uses:\s*\S+@[0-9a-f]{40}\s+#\s*v\d+(\.\d+)*\s*$")
STORED_KEYS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "aws-access-key-id", "aws-secret-access-key",
               "credentials_json", "GOOGLE_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS_JSON"]


def _schema(name: str) -> dict[str, Any]:
    import check_jsonschema

    base = Path(check_jsonschema.__file__).parent / "builtin_schemas"
    return json.loads((base / name).read_text())


def load(name: str) -> dict[str, Any]:
    # PyYAML reads the `on:` key as the boolean True (YAML 1.1); GitHub reads it as the string "on".
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def steps(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_id, job in doc["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def pulumi_steps(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(j, s) for j, s in steps(doc) if s.get("uses", "").startswith(PULUMI_ACTION + "@")]


@pytest.fixture(scope="module", params=NAMES)
def workflow(request) -> tuple[str, dict[str, Any]]:
    return request.param, load(request.param)


@pytest.mark.parametrize("schema", ["vendor/github-workflows.json", "custom/github-workflows-require-timeout.json"])
@pytest.mark.parametrize("name", NAMES)
def test_valid_against_the_github_workflow_schema(name: str, schema: str):
    validator = jsonschema.Draft7Validator(_schema(schema))
    errors = sorted(validator.iter_errors(load(name)), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{name}: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_the_schema_rejects_a_broken_workflow():
    # The validation above would be worthless if the vendored schema accepted anything.
    doc = load("preview.yml")
    doc["jobs"]["offline"]["runs-on"] = {"labels": 5}
    doc["jobs"]["offline"]["permisions"] = {"contents": "read"}
    assert list(jsonschema.Draft7Validator(_schema("vendor/github-workflows.json")).iter_errors(doc))


def test_triggers():
    assert load("preview.yml")["on"] == {"pull_request": {"branches": ["main"]}}
    assert load("deploy.yml")["on"] == {"push": {"branches": ["main"]}}


def test_no_stored_cloud_keys_anywhere(workflow):
    name, _ = workflow
    text = (WORKFLOWS / name).read_text()
    for key in STORED_KEYS:
        assert key not in text, f"{name} mentions {key}: authenticate with OIDC, never with stored keys"
    assert "secrets." not in text, f"{name} reads a repository secret; it should need none"


def test_cloud_auth_is_oidc_only(workflow):
    name, doc = workflow
    auth = [(j, s) for j, s in steps(doc) if s.get("uses", "").split("@")[0] in
            ("aws-actions/configure-aws-credentials", "google-github-actions/auth")]
    assert auth, f"{name}: no cloud authentication step"
    for job_id, step in auth:
        inputs = step["with"]
        if step["uses"].startswith("aws-actions/"):
            assert set(inputs) <= {"role-to-assume", "role-session-name", "aws-region"}
            assert inputs["role-to-assume"].startswith("${{ vars.")
        else:
            assert set(inputs) <= {"workload_identity_provider", "service_account", "project_id"}
            assert inputs["workload_identity_provider"].startswith("${{ vars.")
        assert doc["jobs"][job_id]["permissions"].get("id-token") == "write", f"{name}:{job_id} cannot mint OIDC"


def test_every_pulumi_step_runs_the_policy_pack(workflow):
    name, doc = workflow
    found = pulumi_steps(doc)
    assert found, f"{name}: no pulumi/actions step"
    for job_id, step in found:
        inputs = step["with"]
        assert inputs["command"] in ("preview", "up"), f"{name}:{job_id}: unexpected command {inputs['command']}"
        assert inputs["policyPacks"] == "policies", f"{name}:{job_id}"
        assert re.fullmatch(r"policies/config/(dev|staging|prod|\$\{\{ matrix\.environment \}\})\.json",
                            inputs["policyPackConfigs"]), f"{name}:{job_id}: {inputs['policyPackConfigs']}"
        assert inputs["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
        assert inputs["stack-name"] == "${{ matrix.stack }}"
        assert (ROOT / inputs["policyPacks"] / "PulumiPolicy.yaml").exists()


def test_pulumi_action_inputs_exist():
    # Inputs of pulumi/actions v6 (its action.yml): a misspelt input is silently ignored by GitHub.
    known = {"command", "stack-name", "work-dir", "cloud-url", "comment-on-pr", "comment-on-summary",
             "github-token", "secrets-provider", "parallel", "message", "config-map", "expect-no-changes",
             "diff", "replace", "target", "target-dependents", "policyPacks", "policyPackConfigs", "refresh",
             "upsert", "remove", "edit-pr-comment", "color", "exclude-protected", "plan", "suppress-outputs",
             "suppress-progress", "always-include-summary", "pulumi-version", "pulumi-version-file",
             "comment-on-pr-number"}
    for name in NAMES:
        for job_id, step in pulumi_steps(load(name)):
            assert set(step["with"]) <= known, f"{name}:{job_id}: unknown inputs {set(step['with']) - known}"


def test_deploy_promotes_dev_staging_prod_and_prod_needs_approval():
    jobs = load("deploy.yml")["jobs"]
    ups = {j: job for j, job in jobs.items() if any(s.get("uses", "").startswith(PULUMI_ACTION) for s in job["steps"])}
    assert set(ups) == {"up-dev", "up-staging", "up-prod"}
    for env in ("dev", "staging", "prod"):
        job = ups[f"up-{env}"]
        assert job["environment"] == env, "each deploy job runs in its environment (its vars, its OIDC subject)"
        assert "gate" in job["needs"], "no cloud change before the offline gate passed"
        (_, step), = [(j, s) for j, s in pulumi_steps({"jobs": {"x": job}})]
        assert step["with"]["command"] == "up"
        assert step["with"]["policyPackConfigs"] == f"policies/config/{env}.json"
        assert f"needs.stacks.outputs.{env}" in job["strategy"]["matrix"]["include"]
    assert "up-staging" in ups["up-prod"]["needs"] and "up-dev" in ups["up-staging"]["needs"]
    # A failed or cancelled earlier stage must stop later ones (skipped = no stack of that kind).
    for later, earlier in (("up-staging", "up-dev"), ("up-prod", "up-staging"), ("up-prod", "up-dev")):
        condition = ups[later]["if"]
        assert f"needs.{earlier}.result == 'success' || needs.{earlier}.result == 'skipped'" in condition
        assert "needs.gate.result == 'success'" in condition


def test_the_gate_plans_every_stack_offline_and_fails_on_violations():
    gate = load("deploy.yml")["jobs"]["gate"]
    script = "\n".join(s.get("run", "") for s in gate["steps"])
    assert "make test" in script
    assert ".venv/bin/lz plan" in script and "stacks/Pulumi.*.yaml" in script
    assert 'exit "$status"' in script
    assert "permissions" not in gate  # the workflow default: contents: read, nothing else


def test_preview_offline_job_plans_prices_and_posts_one_sticky_comment():
    offline = load("preview.yml")["jobs"]["offline"]
    checkouts = [s for s in offline["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert {c["with"]["path"] for c in checkouts} == {"head", "base"}
    base = next(c for c in checkouts if c["with"]["path"] == "base")
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    script = "\n".join(s.get("run", "") for s in offline["steps"])
    assert "make test" in script
    # Base and head each plan every stack in one run (`lz plan --all`, imports paid once); a base from
    # before `--all` is planned one stack at a time, with its own code either way.
    assert '.venv/bin/lz plan --all --no-policy --no-schema-check --json-dir "$PLANS/base"' in script
    assert '--json "$PLANS/base/$stack.json"' in script, "the base is planned with its own code"
    assert '.venv/bin/lz plan --all --markdown --json-dir "$PLANS/head"' in script
    assert '|| worst=$?' in script
    # The head is priced from the plan it just made (--plan), not planned again for its cost.
    assert '.venv/bin/lz cost "$stack" --plan "$PLANS/head/$stack.json" "${base_args[@]}" --markdown' in script
    assert 'base_args=(--base "$PLANS/base/$stack.json")' in script
    sticky = [s for s in offline["steps"] if "sticky-pull-request-comment" in s.get("uses", "")]
    assert len(sticky) == 1 and sticky[0]["with"]["header"] and sticky[0]["with"]["path"] == "plans/comment.md"
    assert not any("secrets" in json.dumps(s) or "vars." in json.dumps(s) for s in offline["steps"])
    assert offline["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_cloud_preview_runs_only_when_configured():
    job = load("preview.yml")["jobs"]["cloud-preview"]
    assert "vars.PULUMI_BACKEND_URL != ''" in job["if"]
    assert "vars.AWS_PREVIEW_ROLE_ARN != ''" in job["if"] and "vars.GCP_PREVIEW_SERVICE_ACCOUNT != ''" in job["if"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]
    (_, step), = pulumi_steps({"jobs": {"x": job}})
    assert step["with"]["command"] == "preview" and step["with"]["comment-on-pr"] is True


def test_previews_use_the_read_only_identities_only():
    """The preview job runs pull-request code: it must never be able to assume a deploy identity."""
    job = load("preview.yml")["jobs"]["cloud-preview"]
    text = json.dumps(job)
    assert "environment" not in job, "a preview job in a deploy environment would see the deploy variables"
    for deploy_var in ("vars.AWS_ROLE_ARN", "vars.GCP_SERVICE_ACCOUNT"):
        assert deploy_var not in text.replace("vars.AWS_PREVIEW_ROLE_ARN", "").replace(
            "vars.GCP_PREVIEW_SERVICE_ACCOUNT", ""), f"preview uses the deploy identity {deploy_var}"
    auth = {s["uses"].split("@")[0]: s["with"] for s in job["steps"] if "credentials" in s.get("uses", "")
            or s.get("uses", "").startswith("google-github-actions/auth@")}
    assert auth["aws-actions/configure-aws-credentials"]["role-to-assume"] == "${{ vars.AWS_PREVIEW_ROLE_ARN }}"
    assert auth["google-github-actions/auth"]["service_account"] == "${{ vars.GCP_PREVIEW_SERVICE_ACCOUNT }}"
    assert job["runs-on"] == "ubuntu-24.04", "pull-request code never runs on the in-network runners"


def test_deploys_run_inside_each_network_with_the_cluster_token_helpers():
    """Private cluster endpoints: `up-*` runs on self-hosted runners labelled per environment and cloud;
    GKE's kubeconfig needs gke-gcloud-auth-plugin, EKS's the AWS CLI."""
    jobs = load("deploy.yml")["jobs"]
    for env in ("dev", "staging", "prod"):
        job = jobs[f"up-{env}"]
        assert job["runs-on"] == ["self-hosted", "linux", f"lz-{env}-${{{{ matrix.cloud }}}}"], job["runs-on"]
        gcloud = [s for s in job["steps"] if s.get("uses", "").startswith("google-github-actions/setup-gcloud@")]
        assert len(gcloud) == 1 and gcloud[0]["with"]["install_components"] == "gke-gcloud-auth-plugin"
        assert gcloud[0]["if"] == "${{ matrix.cloud == 'gcp' }}"
        names = [s.get("name", "") for s in job["steps"]]
        auth = max(i for i, s in enumerate(job["steps"]) if "credentials" in s.get("name", "").lower())
        up = next(i for i, s in enumerate(job["steps"]) if s.get("uses", "").startswith(PULUMI_ACTION))
        helper = names.index("the cluster token helper is on PATH")
        assert auth < helper < up
        script = job["steps"][helper]["run"]
        assert "command -v aws" in script and "command -v gke-gcloud-auth-plugin" in script
    # No cloud, no cluster: these stay on GitHub-hosted runners.
    assert jobs["stacks"]["runs-on"] == jobs["gate"]["runs-on"] == "ubuntu-24.04"


def test_every_action_is_pinned_to_a_commit_with_a_version_comment(workflow):
    name, doc = workflow
    uses = [s["uses"] for _, s in steps(doc) if "uses" in s]
    assert uses
    for ref in uses:
        assert SHA_PIN.match(ref), f"{name}: {ref} is not pinned to a full commit SHA"
    lines = [line for line in (WORKFLOWS / name).read_text().splitlines() if "uses:" in line]
    for line in lines:
        assert VERSION_COMMENT.search(line), f"{name}: {line.strip()!r} has no `# vX.Y.Z` comment"
    # The same action is pinned to the same commit everywhere, so one bump updates all.
    pins: dict[str, set[str]] = {}
    for ref in uses:
        action, sha = ref.split("@")
        pins.setdefault(action, set()).add(sha)
    assert all(len(shas) == 1 for shas in pins.values()), pins


def test_permissions_are_least_privilege(workflow):
    name, doc = workflow
    assert doc["permissions"] == {"contents": "read"}, f"{name}: top-level permissions must be contents: read"
    allowed = {"contents": {"read"}, "id-token": {"write"}, "pull-requests": {"write"}, "issues": {"write"},
               "actions": {"read"}}
    for job_id, job in doc["jobs"].items():
        perms = job.get("permissions", {})
        assert perms != "write-all" and isinstance(perms, dict), f"{name}:{job_id}"
        for scope, level in perms.items():
            assert level in allowed.get(scope, set()), f"{name}:{job_id}: {scope}: {level} is not needed"
        uses = " ".join(s.get("uses", "") for s in job.get("steps", []))
        if perms.get("id-token") == "write":
            assert "configure-aws-credentials" in uses or "google-github-actions/auth" in uses, \
                f"{name}:{job_id} mints OIDC tokens it never uses"
        if perms.get("issues") == "write" or perms.get("actions") == "read":
            script = " ".join(s.get("run", "") for s in job.get("steps", []))
            assert "gh issue" in script and perms.get("id-token") is None, \
                f"{name}:{job_id} may write issues / read runs but does not report drift, or also holds cloud tokens"
        if perms.get("pull-requests") == "write":
            assert "sticky-pull-request-comment" in uses or "comment-on-pr" in json.dumps(job), \
                f"{name}:{job_id} may write to pull requests but never comments"


def test_checkouts_do_not_keep_the_token(workflow):
    name, doc = workflow
    for job_id, step in steps(doc):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, f"{name}:{job_id}"


def test_one_concurrency_group_per_stack_and_updates_are_never_cancelled(workflow):
    name, doc = workflow
    for job_id, job in doc["jobs"].items():
        if not any(s.get("uses", "").startswith(PULUMI_ACTION) for s in job["steps"]):
            continue
        group = job["concurrency"]["group"]
        assert "${{ matrix.stack }}" in group, f"{name}:{job_id}: concurrency must be per stack"
        if name == "deploy.yml":
            assert job["concurrency"]["cancel-in-progress"] is False, f"{name}:{job_id} could cancel a `pulumi up`"


def _discover(workflow: str, stacks: dict[str, tuple[str, str]], tmp_path: Path) -> dict[str, str]:
    """Run a workflow's stack-discovery script against a stacks/ directory, as the runner would."""
    import subprocess
    import sys

    step = next(s for s in load(workflow)["jobs"]["stacks"]["steps"] if s.get("id") == "list")
    script = step["run"].split("<<'EOF'\n", 1)[1].rsplit("EOF", 1)[0]
    (tmp_path / "stacks").mkdir()
    for stack, (env, cloud) in stacks.items():
        (tmp_path / "stacks" / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(
            {"config": {"ai-landing-zone:environment": env, "ai-landing-zone:cloud": cloud}}))
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    return dict(line.split("=", 1) for line in out.stdout.splitlines())


STACKS = {"dev": ("dev", "aws"), "gke-dev": ("dev", "gcp"), "prod": ("prod", "aws")}


def test_deploy_discovers_stacks_by_environment(tmp_path):
    outputs = _discover("deploy.yml", STACKS, tmp_path)
    assert json.loads(outputs["dev"]) == [{"stack": "dev", "cloud": "aws"}, {"stack": "gke-dev", "cloud": "gcp"}]
    assert json.loads(outputs["staging"]) == []
    assert json.loads(outputs["prod"]) == [{"stack": "prod", "cloud": "aws"}]
    jobs = load("deploy.yml")["jobs"]
    assert set(jobs["stacks"]["outputs"]) == set(outputs)


def test_preview_discovers_every_stack(tmp_path):
    outputs = _discover("preview.yml", STACKS, tmp_path)
    assert outputs["count"] == "3"
    assert json.loads(outputs["matrix"]) == {"include": [
        {"stack": "dev", "cloud": "aws", "environment": "dev"},
        {"stack": "gke-dev", "cloud": "gcp", "environment": "dev"},
        {"stack": "prod", "cloud": "aws", "environment": "prod"}]}
    assert set(load("preview.yml")["jobs"]["stacks"]["outputs"]) == set(outputs)


def test_deploys_gate_promotion_on_lz_verify():
    jobs = load("deploy.yml")["jobs"]
    for env in ("dev", "staging", "prod"):
        names = [s.get("name", "") for s in jobs[f"up-{env}"]["steps"]]
        up = next(i for i, s in enumerate(jobs[f"up-{env}"]["steps"]) if s.get("uses", "").startswith(PULUMI_ACTION))
        verify = next(i for i, n in enumerate(names) if n.startswith("lz verify"))
        assert up < verify, f"up-{env}: lz verify must run after pulumi up"
        step = jobs[f"up-{env}"]["steps"][verify]
        assert '.venv/bin/lz verify "${{ matrix.stack }}" --kubeconfig' in step["run"]
        assert "continue-on-error" not in step and "if" not in step, "a failed verify must fail the job"
        kubeconfig = jobs[f"up-{env}"]["steps"][verify - 1]
        assert "steps.up.outputs.clusterName" in json.dumps(kubeconfig)
    # Promotion waits for the previous environment's job, verify included.
    assert "up-dev" in jobs["up-staging"]["needs"] and "up-staging" in jobs["up-prod"]["needs"]


def test_drift_runs_a_refresh_preview_per_stack_and_reports_issues():
    doc = load("drift.yml")
    assert "schedule" in doc["on"]
    (_, step), = pulumi_steps(doc)
    assert step["with"]["command"] == "preview"
    assert step["with"]["refresh"] is True and step["with"]["expect-no-changes"] is True
    drift = doc["jobs"]["drift"]
    assert drift["strategy"]["matrix"] == "${{ fromJSON(needs.stacks.outputs.matrix) }}"
    assert drift["concurrency"]["group"] == "deploy-${{ matrix.stack }}", "never refresh during an update"
    assert "environment" not in drift, "read-only identities, no deploy environment, no approval wait"
    text = json.dumps(drift)
    assert "vars.AWS_ROLE_ARN" not in text and "vars.GCP_SERVICE_ACCOUNT" not in text
    report = doc["jobs"]["report"]
    assert report["needs"] == ["stacks", "drift"] and "needs.drift.result == 'failure'" in report["if"]
    script = report["steps"][0]["run"]
    assert "gh issue comment" in script and "gh issue create" in script and '"Drift: $stack"' in script
