"""`lz template render` and `lz new-stack`: scaffold projects and stack files offline.

`lz template render TEMPLATE DIR --stack NAME` does what `pulumi new TEMPLATE --stack NAME --yes` does,
without a backend: it copies the template, replaces `${PROJECT}` and `${DESCRIPTION}` in every text file
(and `${PROJECT}` in file names), removes the `template:` section from Pulumi.yaml, and writes the stack
file (under the template's `stackConfigDir`) with each prompt's answer or default. The rendered
directory plans with `lz plan NAME -C DIR`.

`lz new-stack NAME --cloud aws|gcp|byo --env dev|staging|prod` writes a commented stack file for this
project into its stackConfigDir, valid as written (`lz validate NAME`), and never overwrites one.
"""

from __future__ import annotations

import argparse
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from components.names import ENVIRONMENTS, EXIT_BAD_INPUT, EXIT_OK, PROJECT

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = ROOT / "templates"

# Pulumi's own rules (sdk/go/common/workspace: ValidateProjectName, ValidateProjectDescription, stack names).
_PROJECT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_MAX_DESCRIPTION = 256
# `pulumi new` skips these when it copies a template.
_SKIP_DIRS = {".git"}
_SKIP_FILES = {".pulumi.template.yaml"}
# Build and editor droppings that a template directory in a work tree may hold; never part of a template.
_IGNORED = {"__pycache__", ".venv", "venv", ".pytest_cache", ".ruff_cache"}


class TemplateError(Exception):
    """A template, an answer or a destination that cannot be used (exit code 2)."""


@dataclass(frozen=True)
class Prompt:
    key: str                 # fully qualified: "aws:region", "<project>:team"
    description: str
    default: str | None
    secret: bool


@dataclass(frozen=True)
class Template:
    dir: Path
    name: str
    display_name: str
    description: str
    project_description: str
    stack_config_dir: str
    prompts: tuple[Prompt, ...]
    quickstart: str = ""

    def prompt(self, key: str, project: str) -> Prompt | None:
        full = qualify(key, project)
        return next((p for p in self.prompts if qualify(p.key, project) == full), None)


@dataclass
class Rendered:
    dir: Path
    project: str
    stack_file: Path
    files: list[Path] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=dict)
    unset_secrets: list[str] = field(default_factory=list)


def qualify(key: str, project: str) -> str:
    """Pulumi's rule: a config key without a namespace belongs to the project."""
    return key if ":" in key else f"{project}:{key}"


def transform(text: str, project: str, description: str) -> str:
    return text.replace("${PROJECT}", project).replace("${DESCRIPTION}", description)


def strip_template_section(text: str) -> str:
    """Pulumi.yaml without its top-level `template:` block (as `pulumi new` saves it), comments kept."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        top_level = bool(line.strip()) and not line[0].isspace() and not line.lstrip().startswith("#")
        if top_level:
            skipping = line.split(":", 1)[0].strip() == "template"
        if not skipping:
            out.append(line)
    return "".join(out)


def _is_binary(data: bytes) -> bool:
    return b"\0" in data[:8000]  # git's (and `pulumi new`'s) test


def resolve_template(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if (candidate / "Pulumi.yaml").exists():
        return candidate.resolve()
    bundled = TEMPLATES_DIR / name_or_path
    if (bundled / "Pulumi.yaml").exists():
        return bundled
    known = ", ".join(available_templates()) or "none"
    raise TemplateError(f"{name_or_path}: no such template (a directory with a Pulumi.yaml); bundled: {known}")


def available_templates() -> list[str]:
    if not TEMPLATES_DIR.is_dir():
        return []
    return sorted(p.name for p in TEMPLATES_DIR.iterdir() if (p / "Pulumi.yaml").exists())


def load_template(directory: Path) -> Template:
    project_file = directory / "Pulumi.yaml"
    try:
        doc = yaml.safe_load(project_file.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"{project_file}: cannot read: {exc}") from None
    section = doc.get("template")
    if not isinstance(section, dict):
        raise TemplateError(f"{project_file}: template: required (a `pulumi new` template declares its prompts there)")
    prompts = []
    for key, spec in (section.get("config") or {}).items():
        spec = spec or {}
        if not isinstance(spec, dict):
            raise TemplateError(f"{project_file}: template.config.{key}: must be a mapping "
                                "(description, default, secret)")
        default = spec.get("default")
        if default is not None and not isinstance(default, str):
            # Pulumi's ProjectTemplateConfigValue.Default is a string; structured values are JSON text.
            raise TemplateError(f"{project_file}: template.config.{key}.default: must be a string "
                                f"(got {type(default).__name__}); quote it, JSON for structured values")
        prompts.append(Prompt(key=str(key), description=str(spec.get("description") or ""),
                              default=default, secret=bool(spec.get("secret", False))))
    return Template(
        dir=directory, name=directory.name,
        display_name=str(section.get("displayName") or directory.name),
        description=str(section.get("description") or ""),
        project_description=str(doc.get("description") or ""),
        stack_config_dir=str(doc.get("stackConfigDir") or "."),
        prompts=tuple(prompts),
        quickstart=str(section.get("quickstart") or ""),
    )


def parse_answers(values: list[str]) -> dict[str, str]:
    answers: dict[str, str] = {}
    for value in values:
        key, sep, answer = value.partition("=")
        if not sep or not key:
            raise TemplateError(f"--config {value!r}: expected KEY=VALUE")
        answers[key] = answer
    return answers


def resolve_config(template: Template, project: str, answers: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The stack config `pulumi new --yes` would write, and the secret keys left for `pulumi config set`."""
    unknown = [k for k in answers if template.prompt(k, project) is None]
    if unknown:
        allowed = ", ".join(p.key for p in template.prompts) or "none"
        raise TemplateError(f"--config {', '.join(unknown)}: not a prompt of template {template.name}; "
                            f"allowed keys: {allowed}")
    config: dict[str, str] = {}
    unset_secrets: list[str] = []
    for prompt in template.prompts:
        key = qualify(prompt.key, project)
        given = next((v for k, v in answers.items() if qualify(k, project) == key), None)
        value = given if given is not None else prompt.default
        if prompt.secret:
            # Encrypting needs the stack's secrets provider; a plaintext secret must never reach a file.
            unset_secrets.append(key)
            continue
        if value is None:
            raise TemplateError(f"{key}: the template gives no default; pass --config {prompt.key}=VALUE "
                                f"({prompt.description or 'no description'})")
        config[key] = value
    return config, unset_secrets


def render(template: Template, destination: Path, *, stack: str, project: str | None = None,
           description: str | None = None, answers: dict[str, str] | None = None,
           force: bool = False) -> Rendered:
    destination = destination.resolve()
    project = project or destination.name
    if not _PROJECT_NAME.match(project) or project.lower() == "pulumi" or project.lower().startswith("pulumi."):
        raise TemplateError(f"project name {project!r}: 1-100 letters, digits, '-', '_' or '.', and not 'pulumi'")
    if not _STACK_NAME.match(stack):
        raise TemplateError(f"stack name {stack!r}: 1-100 letters, digits, '-', '_' or '.'")
    if description is None:
        description = template.project_description
        if description == "${DESCRIPTION}" or not description:
            description = template.description
    if len(description) > _MAX_DESCRIPTION:
        raise TemplateError(f"description: at most {_MAX_DESCRIPTION} characters (got {len(description)})")
    config, unset_secrets = resolve_config(template, project, answers or {})
    # `pulumi new` substitutes text and then parses Pulumi.yaml: a description with ": " breaks it there
    # too, so refuse before writing anything.
    project_text = transform(strip_template_section((template.dir / "Pulumi.yaml").read_text()), project,
                             description)
    try:
        parsed = yaml.safe_load(project_text) or {}
    except yaml.YAMLError as exc:
        raise TemplateError(f"the description {description!r} makes Pulumi.yaml invalid YAML (so it would for "
                            f"`pulumi new`); avoid ': ' and ' #' in it ({exc.__class__.__name__})") from None
    if parsed.get("name") != project:
        raise TemplateError(f"{template.dir / 'Pulumi.yaml'}: name must be ${{PROJECT}} (got {parsed.get('name')!r})")

    sources = list(_template_files(template.dir))
    targets = {src: destination / transform(str(src.relative_to(template.dir)), project, "") for src in sources}
    stack_file = destination / template.stack_config_dir / f"Pulumi.{stack}.yaml"
    existing = [t for t in [*targets.values(), stack_file] if t.exists()]
    if existing and not force:
        names = ", ".join(str(t.relative_to(destination)) for t in existing)
        raise TemplateError(f"{destination}: would overwrite {names}; pass --force to replace them")

    rendered = Rendered(dir=destination, project=project, stack_file=stack_file, config=config,
                        unset_secrets=unset_secrets)
    for src, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        data = src.read_bytes()
        if not _is_binary(data):
            text = data.decode("utf-8")
            if src == template.dir / "Pulumi.yaml":
                text = strip_template_section(text)
            data = transform(text, project, description).encode("utf-8")
        target.write_bytes(data)
        shutil.copymode(src, target)
        rendered.files.append(target)
    stack_file.parent.mkdir(parents=True, exist_ok=True)
    stack_file.write_text(yaml.safe_dump({"config": dict(sorted(config.items()))}, sort_keys=False,
                                         default_flow_style=False, allow_unicode=True, width=4096))
    rendered.files.append(stack_file)
    return rendered


def _template_files(directory: Path):
    for path in sorted(directory.rglob("*")):
        parts = path.relative_to(directory).parts
        if any(p in _SKIP_DIRS or p in _IGNORED for p in parts) or path.suffix == ".pyc":
            continue
        if path.is_file() and path.name not in _SKIP_FILES:
            yield path


# --- lz new-stack ----------------------------------------------------------------------------------

CLOUDS = ("aws", "gcp", "byo")
_DEFAULT_REGION = {"aws": "us-east-1", "gcp": "us-central1"}
# The scaffold's suggestion for logging.auditReplicaRegion: any other region works; this one only has
# to differ from aws:region (the config check and AuditReplica refuse the same region).
_AWS_REPLICA_REGION = {"us-west-2": "us-east-1"}
_GCP_PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")


@dataclass(frozen=True)
class StackChoices:
    name: str
    cloud: str
    environment: str
    region: str | None = None
    gcp_project: str | None = None
    cost_center: str = "ml-platform"


def stack_document(choices: StackChoices) -> str:
    """A commented stack file for this project; every value is one the config model accepts."""
    c = choices
    prod = c.environment == "prod"
    region = c.region or _DEFAULT_REGION.get(c.cloud)
    q = f"{PROJECT}:"
    lines = [
        "# yaml-language-server: $schema=../schema/stack.schema.json",
        f"# Stack {c.name}: a {c.environment} landing zone on {_CLOUD_NAMES[c.cloud]}.",
        f"# Scaffolded by `lz new-stack {c.name} --cloud {c.cloud} --env {c.environment}`.",
        f"# Check it with `lz validate {c.name}`, see what it creates with `lz plan {c.name}`.",
        "# Create the stack with a KMS secrets provider so CI can decrypt with its OIDC role, e.g.",
        f"#   pulumi stack init {c.name} --secrets-provider "
        + ("gcpkms://projects/PROJECT/locations/global/keyRings/pulumi/cryptoKeys/state"
           if c.cloud == "gcp" else "awskms://alias/pulumi-state"),
        "config:",
    ]
    if c.cloud == "aws":
        lines += ["  # The default AWS provider's region; every regional resource lands here.",
                  f"  aws:region: {region}"]
    if c.cloud == "gcp":
        project = c.gcp_project or _gcp_project_guess(c.name)
        lines += ["  # The GCP project and region of the default provider and of the landing zone.",
                  f"  gcp:project: {project}  # your project id",
                  f"  gcp:region: {region}",
                  f"  {q}gcpProject: {project}",
                  f"  {q}region: {region}"]
    lines += [
        f"  {q}environment: {c.environment}",
        f"  {q}cloud: {c.cloud}",
        "  # Cost-attribution tags on every taggable resource (and labels on GCP).",
        f"  {q}tags:",
        f"    costCenter: {c.cost_center}",
        "    team: platform",
    ]
    if c.cloud != "byo":
        why = ("leave room for VPC-CNI pod IPs on multi-NIC GPU nodes" if c.cloud == "aws"
               else "the node subnet; pods and services use their own secondary ranges")
        lines += [
            f"  {q}network:",
            f"    cidr: 10.0.0.0/16  # /16 to /20: {why}",
            f"    zoneCount: {3 if prod else 2}",
        ]
        if prod and c.cloud == "aws":
            lines.append("    # prod defaults: a NAT gateway per zone, interface endpoints, private cluster API.")
        elif prod:
            lines.append("    # prod defaults: private cluster API, protected stateful resources.")
        else:
            lines += ["    # The cluster API stays private unless you list office/VPN ranges here:",
                      "    # apiAllowedCidrs: [203.0.113.0/24]"]
    lines += _pool_lines(c, q, prod)
    lines += _team_lines(c, q)
    if c.cloud == "byo":
        lines += [
            f"  {q}kubernetes:",
            "    # The config key that holds the kubeconfig, set once as a secret:",
            "    #   pulumi config set --secret kubernetes:kubeconfig < ~/.kube/config",
            "    kubeconfigSecret: kubernetes:kubeconfig",
            "    gpuNodeSelector:",
            "      nvidia.com/gpu.present: \"true\"  # the label the NVIDIA GPU operator puts on GPU nodes",
        ]
    lines += [
        f"  {q}logging:",
        f"    retentionDays: {365 if prod else 90}",
    ]
    if prod and c.cloud == "aws":
        lines += ["    # CloudTrail's bucket is replicated to this second region (required in prod); pick one",
                  "    # that is not aws:region and that your data-residency rules allow.",
                  f"    auditReplicaRegion: {_AWS_REPLICA_REGION.get(region or '', 'us-west-2')}"]
    if prod:
        lines.append("  # prod: protect + retainOnDelete on stateful resources, object lock on artifacts and logs.")
    else:
        lines += [f"  {q}budget:",
                  "    maxMonthlyUsd: 5000  # a budget alert, not a cap"]
        if c.cloud == "gcp":
            # GCP budgets are created on the billing account the project bills to (components/gcp/budgets.py).
            lines += ["    # The billing account the project bills to: `gcloud billing projects describe PROJECT`.",
                      "    billingAccount: 000000-AAAAAA-000000  # your billing account id"]
    return "\n".join(lines) + "\n"


_CLOUD_NAMES = {"aws": "AWS (EKS)", "gcp": "Google Cloud (GKE)", "byo": "a Kubernetes cluster you bring"}


def _gcp_project_guess(name: str) -> str:
    guess = re.sub(r"[^a-z0-9-]", "-", f"ai-lz-{name}".lower()).strip("-")[:30].rstrip("-")
    return guess if _GCP_PROJECT_ID.match(guess) else "ai-lz-project"


def _pool_lines(c: StackChoices, q: str, prod: bool) -> list[str]:
    instance = {"aws": "g6.xlarge", "gcp": "g2-standard-4", "byo": "g6.xlarge"}[c.cloud]
    lines = [
        "  # One accelerator pool per line of work; instance types come from components/catalog.",
        f"  {q}gpuPools:",
        "    - name: inference",
        f"      instanceType: {instance}  # 1x NVIDIA L4",
        "      purpose: inference",
        f"      minNodes: {1 if prod else 0}  # "
        + ("one warm node keeps serving latency low" if prod else "scale to zero: no idle GPUs outside prod"),
        f"      maxNodes: {4 if prod else 2}",
    ]
    if c.environment == "dev" and c.cloud != "byo":
        lines += ["      capacity:",
                  "        type: spot  # dev tolerates interruption"]
    training = {"aws": "p5.48xlarge", "gcp": "a3-megagpu-8g", "byo": "p5.48xlarge"}[c.cloud]
    lines += [
        "    # A training pool on a capacity reservation, pinned to the reservation's zone:",
        "    # - name: training",
        f"    #   instanceType: {training}",
        "    #   purpose: training",
        "    #   maxNodes: 2",
        "    #   capacity: {type: reservation, reservationId: RESERVATION, zone: ZONE}",
    ]
    return lines


def _team_lines(c: StackChoices, q: str) -> list[str]:
    return [
        "  # Teams get a namespace, a Kueue queue with their GPU quota, and a cloud identity.",
        f"  {q}teams:",
        "    - name: research",
        "      costCenter: research",
        "      gpuQuota:",
        # Two single-GPU nodes: the team's golden 2-node job fits its own quota (lz workloads shows it).
        "        inference: 2  # GPUs of pool `inference`; at most maxNodes x GPUs per node",
    ]


def write_new_stack(project_dir: Path, choices: StackChoices) -> Path:
    from .engine.project import ProjectError, load_project

    if not _STACK_NAME.match(choices.name):
        raise TemplateError(f"stack name {choices.name!r}: 1-100 letters, digits, '-', '_' or '.'")
    if choices.gcp_project is not None and not _GCP_PROJECT_ID.match(choices.gcp_project):
        raise TemplateError(f"--gcp-project {choices.gcp_project!r}: a GCP project id is 6-30 lower-case "
                            "letters, digits or '-', starting with a letter")
    try:
        project = load_project(project_dir)
    except ProjectError as exc:
        raise TemplateError(str(exc)) from None
    if project.name != PROJECT:
        raise TemplateError(f"{project.dir}: project {project.name!r} is not {PROJECT}; "
                            "lz new-stack scaffolds stacks of this landing zone")
    path = project.stack_file(choices.name)
    if path.exists():
        raise TemplateError(f"{project.relative(path)}: already exists; lz new-stack never overwrites a stack file")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x") as handle:  # exclusive: a file that appears meanwhile is not clobbered either
        handle.write(stack_document(choices))
    return path


# --- command line ----------------------------------------------------------------------------------

def _say(console: Console, text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)  # never re-wrap a path or a message


def cmd_template_render(args: argparse.Namespace, console: Console) -> int:
    err = Console(stderr=True)
    try:
        template = load_template(resolve_template(args.template))
        rendered = render(template, Path(args.dir), stack=args.stack, project=args.name,
                          description=args.description, answers=parse_answers(args.config), force=args.force)
    except TemplateError as exc:
        _say(err, f"error: {exc}")
        return EXIT_BAD_INPUT
    _say(console, f"Created project '{rendered.project}' from template {template.name} in {rendered.dir}")
    _say(console, f"Stack file {rendered.stack_file.relative_to(rendered.dir)}:")
    for key, value in sorted(rendered.config.items()):
        _say(console, f"  {key}: {value}")
    for key in rendered.unset_secrets:
        _say(console, f"  {key}: secret, not written; run `pulumi config set --secret {key}`")
    _say(console, f"Next: lz plan {args.stack} -C {args.dir}")
    return EXIT_OK


def cmd_new_stack(args: argparse.Namespace, console: Console) -> int:
    choices = StackChoices(name=args.name, cloud=args.cloud, environment=args.env, region=args.region,
                           gcp_project=args.gcp_project, cost_center=args.cost_center)
    try:
        path = write_new_stack(Path(args.C), choices)
    except TemplateError as exc:
        _say(Console(stderr=True), f"error: {exc}")
        return EXIT_BAD_INPUT
    _say(console, f"Wrote {path}. Next: lz validate {args.name} && lz plan {args.name}")
    return EXIT_OK


def add_parsers(subparsers: Any) -> None:
    """Adds `template render` and `new-stack` to the `lz` command line."""
    t = subparsers.add_parser("template", help="render a `pulumi new` template offline")
    tsub = t.add_subparsers(dest="template_command", required=True)
    r = tsub.add_parser("render", help="copy a template, substitute ${PROJECT}/${DESCRIPTION}, write the stack file")
    r.add_argument("template", help=f"a bundled template ({', '.join(available_templates())}) or a directory")
    r.add_argument("dir", help="the new project's directory")
    r.add_argument("--stack", required=True, help="the stack whose Pulumi.<stack>.yaml is written")
    r.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                   help="answer a template prompt (repeatable); unanswered prompts take their default")
    r.add_argument("--name", help="project name (default: the directory's name, as `pulumi new`)")
    r.add_argument("--description", help="project description (default: the template's)")
    r.add_argument("--force", action="store_true", help="overwrite files that already exist")
    r.set_defaults(func=cmd_template_render)

    n = subparsers.add_parser("new-stack", help="scaffold a commented, valid stack file for this project")
    n.add_argument("name")
    n.add_argument("--cloud", required=True, choices=CLOUDS)
    n.add_argument("--env", required=True, choices=ENVIRONMENTS)
    n.add_argument("--region", help="AWS or GCP region (default: us-east-1 / us-central1)")
    n.add_argument("--gcp-project", help="GCP project id (gcp only)")
    n.add_argument("--cost-center", default="ml-platform", help="the costCenter tag (default: ml-platform)")
    n.add_argument("-C", default=".", metavar="DIR", help="the project directory (default: .)")
    n.set_defaults(func=cmd_new_stack)
