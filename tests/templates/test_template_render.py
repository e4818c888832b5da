"""`lz template render`: what `pulumi new --yes` would lay down, offline, and the errors it gives."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from lz.templates_cmd import (
    TEMPLATES_DIR,
    Template,
    TemplateError,
    add_parsers,
    available_templates,
    load_template,
    parse_answers,
    qualify,
    render,
    resolve_config,
    strip_template_section,
    transform,
)

BUNDLED = ["landing-zone-aws", "landing-zone-gcp", "team-workspace"]


def write_template(root: Path, pulumi_yaml: str, files: dict[str, str | bytes] | None = None) -> Template:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(pulumi_yaml)
    for name, content in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    return load_template(root)


SMALL = """\
name: ${PROJECT}
description: ${DESCRIPTION}
runtime: python
stackConfigDir: stacks
# a comment that pulumi new would drop; we keep it
template:
  description: A small template
  config:
    aws:region:
      description: region
      default: us-west-2
    team:
      description: team name
      default: vision
    token:
      description: an API token
      secret: true
config:
  ai-landing-zone:cloud:
    value: aws
"""


def test_bundled_templates_are_listed():
    assert available_templates() == BUNDLED


@pytest.mark.parametrize("text, project, description, expected", [
    ("name: ${PROJECT}", "acme-lz", "", "name: acme-lz"),
    ("${PROJECT}/${PROJECT}: ${DESCRIPTION}", "p", "d", "p/p: d"),
    ("no placeholders", "p", "d", "no placeholders"),
    ("$PROJECT and {PROJECT} are not placeholders", "p", "d", "$PROJECT and {PROJECT} are not placeholders"),
])
def test_transform(text, project, description, expected):
    assert transform(text, project, description) == expected


@pytest.mark.parametrize("text, expected", [
    ("name: a\ntemplate:\n  config:\n    x: 1\nruntime: python\n", "name: a\nruntime: python\n"),
    ("template:\n  description: d\n", ""),
    ("name: a\n# comment\ntemplate: {}\n", "name: a\n# comment\n"),
    ("name: a\nconfig:\n  template: kept, it is nested\n", "name: a\nconfig:\n  template: kept, it is nested\n"),
    ("name: a\ntemplate:\n\n  description: d\n# trailing comment\nmain: x\n", "name: a\nmain: x\n"),
])
def test_strip_template_section(text, expected):
    assert strip_template_section(text) == expected


@pytest.mark.parametrize("key, expected", [
    ("team", "acme:team"),
    ("aws:region", "aws:region"),
    ("ai-landing-zone:gpuPools", "ai-landing-zone:gpuPools"),
])
def test_unqualified_keys_belong_to_the_project(key, expected):
    assert qualify(key, "acme") == expected


@pytest.mark.parametrize("values, expected", [
    ([], {}),
    (["a=1", "b=x=y"], {"a": "1", "b": "x=y"}),
    (["empty="], {"empty": ""}),
])
def test_parse_answers(values, expected):
    assert parse_answers(values) == expected


@pytest.mark.parametrize("bad", ["novalue", "=x"])
def test_parse_answers_rejects(bad):
    with pytest.raises(TemplateError, match="expected KEY=VALUE"):
        parse_answers([bad])


def test_answers_defaults_and_secrets(tmp_path):
    template = write_template(tmp_path / "t", SMALL)
    config, secrets = resolve_config(template, "acme", {"team": "nlp"})
    assert config == {"aws:region": "us-west-2", "acme:team": "nlp"}
    assert secrets == ["acme:token"], "a secret is never written in plain text"
    # The fully qualified form of a project key answers the same prompt.
    config, _ = resolve_config(template, "acme", {"acme:team": "cv", "aws:region": "eu-west-1"})
    assert config == {"aws:region": "eu-west-1", "acme:team": "cv"}


def test_unknown_answer_names_the_allowed_keys(tmp_path):
    template = write_template(tmp_path / "t", SMALL)
    with pytest.raises(TemplateError) as info:
        resolve_config(template, "acme", {"teem": "x"})
    assert str(info.value) == ("--config teem: not a prompt of template t; "
                               "allowed keys: aws:region, team, token")


def test_a_prompt_without_default_must_be_answered(tmp_path):
    template = write_template(tmp_path / "t", SMALL.replace("      default: vision\n", ""))
    with pytest.raises(TemplateError, match=r"acme:team: the template gives no default; pass --config team=VALUE"):
        resolve_config(template, "acme", {})


def test_render_lays_down_what_pulumi_new_would(tmp_path):
    template = write_template(tmp_path / "t", SMALL, {
        "__main__.py": '"""${DESCRIPTION}"""\nPROJECT = "${PROJECT}"\n',
        "docs/${PROJECT}.md": "# ${PROJECT}\n",
        "blob.bin": b"\x00${PROJECT}\x00",
        ".git/HEAD": "ref: refs/heads/main\n",
        "__pycache__/x.cpython-311.pyc": b"\x00",
    })
    out = tmp_path / "acme-lz"
    rendered = render(template, out, stack="prod", description="GPU zone for acme")
    names = sorted(str(p.relative_to(out)) for p in rendered.files)
    assert names == ["Pulumi.yaml", "__main__.py", "blob.bin", "docs/acme-lz.md", "stacks/Pulumi.prod.yaml"]
    assert (out / "__main__.py").read_text() == '"""GPU zone for acme"""\nPROJECT = "acme-lz"\n'
    assert (out / "blob.bin").read_bytes() == b"\x00${PROJECT}\x00", "binary files are copied as they are"
    project = yaml.safe_load((out / "Pulumi.yaml").read_text())
    assert project["name"] == "acme-lz" and project["description"] == "GPU zone for acme"
    assert "template" not in project and project["config"] == {"ai-landing-zone:cloud": {"value": "aws"}}
    assert "# a comment" in (out / "Pulumi.yaml").read_text()
    stack = yaml.safe_load((out / "stacks" / "Pulumi.prod.yaml").read_text())
    assert stack == {"config": {"acme-lz:team": "vision", "aws:region": "us-west-2"}}
    assert rendered.unset_secrets == ["acme-lz:token"]


def test_render_defaults_the_description_to_the_templates(tmp_path):
    template = write_template(tmp_path / "t", SMALL)
    render(template, tmp_path / "p", stack="dev")
    assert yaml.safe_load((tmp_path / "p" / "Pulumi.yaml").read_text())["description"] == "A small template"


def test_render_refuses_to_overwrite_unless_forced(tmp_path):
    template = write_template(tmp_path / "t", SMALL)
    out = tmp_path / "p"
    render(template, out, stack="dev", answers={"team": "a"})
    with pytest.raises(TemplateError, match=r"would overwrite Pulumi.yaml, stacks/Pulumi.dev.yaml; pass --force"):
        render(template, out, stack="dev", answers={"team": "b"})
    render(template, out, stack="dev", answers={"team": "b"}, force=True)
    assert yaml.safe_load((out / "stacks" / "Pulumi.dev.yaml").read_text())["config"]["p:team"] == "b"


@pytest.mark.parametrize("kwargs, message", [
    ({"project": "pulumi"}, "project name 'pulumi'"),
    ({"project": "has space"}, "project name 'has space'"),
    ({"stack": "a/b"}, "stack name 'a/b'"),
    ({"description": "x" * 257}, "description: at most 256 characters"),
    ({"description": "Landing zone: GPUs"}, "makes Pulumi.yaml invalid YAML"),
])
def test_render_rejects_what_pulumi_new_rejects(tmp_path, kwargs, message):
    template = write_template(tmp_path / "t", SMALL)
    args = {"stack": "dev", **kwargs}
    with pytest.raises(TemplateError, match=message):
        render(template, tmp_path / "p", **args)
    assert not (tmp_path / "p").exists(), "nothing is written when the render is refused"


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_templates_have_the_pulumi_new_shape(name):
    template = load_template(TEMPLATES_DIR / name)
    doc = yaml.safe_load((TEMPLATES_DIR / name / "Pulumi.yaml").read_text())
    assert doc["name"] == "${PROJECT}" and doc["description"] == "${DESCRIPTION}"
    assert doc["runtime"]["name"] == "python" and doc["stackConfigDir"] == "stacks"
    assert template.description and template.display_name != name
    assert template.prompts, "a template prompts for its essentials"
    for prompt in template.prompts:
        assert prompt.description, f"{name}: {prompt.key} has no description"
        assert not prompt.secret
    # Structured defaults are JSON text, which the config loader decodes.
    for prompt in template.prompts:
        if prompt.default and prompt.default[:1] in "[{":
            json.loads(prompt.default)
    assert len(template.description) <= 256
    requirements = (TEMPLATES_DIR / name / "requirements.txt").read_text().splitlines()
    assert "ai-landing-zone>=0.1,<0.2" in requirements, "the project depends on this package, not a copy of it"
    for extra in ("README.md", ".gitignore", "__main__.py", "stacks/README.md"):
        assert (TEMPLATES_DIR / name / extra).exists(), f"{name}: no {extra}"


@pytest.mark.parametrize("name, cloud", [("landing-zone-aws", "aws"), ("landing-zone-gcp", "gcp")])
def test_landing_zone_templates_fix_the_cloud(name, cloud):
    doc = yaml.safe_load((TEMPLATES_DIR / name / "Pulumi.yaml").read_text())
    # Pulumi only accepts `value` (not `default`) for a key outside the project's namespace.
    assert doc["config"] == {"ai-landing-zone:cloud": {"value": cloud}}


def _cli(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lz")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_cli_renders_and_reports(tmp_path, capsys):
    out = tmp_path / "team-a"
    args = _cli(["template", "render", "team-workspace", str(out), "--stack", "dev",
                 "--config", "team=vision", "--config", "costCenter=cv"])
    assert args.func(args, Console(file=None, width=200)) == 0
    text = capsys.readouterr().out
    assert "Created project 'team-a' from template team-workspace" in text
    assert "team-a:team: vision" in text and "Next: lz plan dev -C" in text
    stack = yaml.safe_load((out / "stacks" / "Pulumi.dev.yaml").read_text())["config"]
    assert stack["team-a:team"] == "vision" and stack["team-a:costCenter"] == "cv"
    assert stack["team-a:landingZoneStack"] == "organization/ai-landing-zone/dev"


def test_cli_unknown_key_is_exit_2_naming_the_allowed_keys(tmp_path, capsys):
    args = _cli(["template", "render", "landing-zone-aws", str(tmp_path / "x"), "--stack", "dev",
                 "--config", "ai-landing-zone:gpuPool=[]"])
    assert args.func(args, Console()) == 2
    err = capsys.readouterr().err
    assert "--config ai-landing-zone:gpuPool: not a prompt of template landing-zone-aws" in err
    assert "allowed keys: aws:region, ai-landing-zone:environment, ai-landing-zone:tags, " \
           "ai-landing-zone:gpuPools, ai-landing-zone:teams" in err.replace("\n", "")
    assert not (tmp_path / "x").exists()


def test_cli_unknown_template(tmp_path, capsys):
    args = _cli(["template", "render", "landing-zone-azure", str(tmp_path / "x"), "--stack", "dev"])
    assert args.func(args, Console()) == 2
    assert "landing-zone-azure: no such template" in capsys.readouterr().err
