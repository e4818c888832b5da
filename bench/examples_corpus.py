"""Plan the Python programs of a pulumi/examples checkout as a user would: copy, add a stack file, run.

    .venv/bin/python bench/examples_corpus.py PATH/TO/examples [--only NAME ...] [--markdown]

Each `aws-py-*`, `gcp-py-*` and `kubernetes-py-*` project (a directory with a Python `Pulumi.yaml`,
at most two levels down) is copied to a scratch directory (the checkout is never written to), given
`Pulumi.corpus.yaml` with the provider settings and the config its README asks for (`STACK_CONFIG`
below: what a user would `pulumi config set`), and planned with `lz plan corpus --policy-pack
<this repo>/policies --json` in a fresh process. The program's dependencies are installed as
`lz plan` does (lz/engine/deps.py), cached under `$LZ_CACHE_DIR`.

Result per program: `planned` (exit 0 or 1, with steps), `refused` (exit 2 with one line and no
traceback), or `CRASH` (anything else: a traceback, a timeout). Nothing here is committed from the
checkout; pass its path.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LZ = [sys.executable, "-m", "lz"]
PREFIXES = ("aws-py-", "gcp-py-", "kubernetes-py-")
TIMEOUT_S = 900  # the first plan of a program may create its environment

PROVIDERS = {
    "aws": {"aws:region": "us-west-2"},
    "gcp": {"gcp:project": "lz-corpus-123456", "gcp:region": "us-central1", "gcp:zone": "us-central1-a"},
    "kubernetes": {},
}

# What each README tells the user to `pulumi config set` (placeholders where it says <your ...>).
STACK_CONFIG: dict[str, dict[str, object]] = {
    "aws-py-ansible-wordpress": {"publicKeyPath": "id_rsa.pub", "privateKeyPath": "id_rsa",
                                 "dbPassword": {"secure": "v1:placeholder"}},
    "aws-py-django-voting-app": {"sql-admin-name": "admin", "sql-admin-password": {"secure": "v1:placeholder"},
                                 "sql-user-name": "user", "sql-user-password": {"secure": "v1:placeholder"},
                                 "django-admin-name": "admin", "django-admin-password": {"secure": "v1:placeholder"},
                                 "django-secret-key": {"secure": "v1:placeholder"}},
    "aws-py-dynamicresource": {"sql-admin-name": "admin", "sql-admin-password": {"secure": "v1:placeholder"},
                               "sql-user-name": "user", "sql-user-password": {"secure": "v1:placeholder"}},
    "aws-py-assume-role": {"region": "us-west-2", "unprivilegedUsername": "corpus-user",
                           "roleToAssumeARN": "arn:aws:iam::123456789012:role/allow-s3-management"},
    "aws-py-ec2-provisioners": {"privateKey": {"secure": "v1:placeholder"},
                                "publicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPlaceholderKeyForTheCorpusOnly corpus"},
    "aws-py-ecs-instances-autoapi": {"cfg:autoscalingGroupSize": "2"},  # the program reads Config("cfg")
    "aws-py-stackreference": {"companyName": "acme", "departmentName": "platform", "teamName": "gpu",
                              "companyStack": "organization/company/corpus",
                              "departmentStack": "organization/department/corpus"},
    "aws-py-redshift-glue-etl": {"clusterIdentifier": "corpus-cluster", "clusterNodeType": "ra3.xlplus",
                                 "clusterDBName": "dev", "clusterDBUsername": "admin",
                                 "clusterDBPassword": {"secure": "v1:placeholder"}, "glueDBName": "corpus",
                                 "region": "us-west-2"},
    "aws-py-static-website": {"targetDomain": "www.example.com", "pathToWebsiteContents": "www"},
    "aws-py-voting-app": {"redis-password": {"secure": "v1:placeholder"}},
    "gcp-py-cloudrun-cloudsql": {"db-name": "project-db", "db-password": {"secure": "v1:placeholder"}},
    "gcp-py-network-component": {"subnet_cidr_blocks": ["172.1.0.0/16", "172.2.0.0/16"]},
    "kubernetes-py-exposed-deployment": {"is_minikube": "true"},
    "kubernetes-py-jenkins": {"isMinikube": "false", "username": "admin", "password": {"secure": "v1:placeholder"}},
}


def projects(checkout: Path) -> list[Path]:
    found: list[Path] = []
    for example in sorted(p for p in checkout.iterdir() if p.is_dir() and p.name.startswith(PREFIXES)):
        for project_file in sorted([example / "Pulumi.yaml", *example.glob("*/Pulumi.yaml")]):
            if project_file.exists():
                doc = yaml.safe_load(project_file.read_text()) or {}
                runtime = doc.get("runtime")
                if (runtime.get("name") if isinstance(runtime, dict) else runtime) == "python":
                    found.append(project_file.parent)
    return found


def stack_file(example: str, project_name: str) -> dict[str, object]:
    config: dict[str, object] = {}
    for prefix, settings in (("aws", PROVIDERS["aws"]), ("gcp", PROVIDERS["gcp"])):
        if example.startswith(prefix):
            config.update(settings)
    for key, value in STACK_CONFIG.get(example, {}).items():
        config[key if ":" in key else f"{project_name}:{key}"] = value
    return {"config": config}


def plan_one(project: Path, checkout: Path, scratch: Path) -> dict[str, object]:
    name = str(project.relative_to(checkout))
    example = name.split("/")[0]
    work = scratch / name.replace("/", "__")
    shutil.copytree(project, work, ignore=shutil.ignore_patterns("venv", ".venv", "node_modules", "Pulumi.*.yaml"))
    project_name = (yaml.safe_load((work / "Pulumi.yaml").read_text()) or {}).get("name", "")
    (work / "Pulumi.corpus.yaml").write_text(yaml.safe_dump(stack_file(example, project_name)))
    out = work / "plan.json"
    started = time.perf_counter()
    try:
        # A login shell's environment: some programs read $USER (gcp-py-network-component).
        env = {"USER": os.environ.get("USER") or "corpus", **os.environ}
        proc = subprocess.run([*LZ, "plan", "corpus", "-C", str(work), "--policy-pack", str(ROOT / "policies"),
                               "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S,
                              env=env)
        code, stderr = proc.returncode, proc.stderr
    except subprocess.TimeoutExpired:
        code, stderr = -1, f"timed out after {TIMEOUT_S}s"
    seconds = time.perf_counter() - started
    doc = json.loads(out.read_text()) if out.exists() else {}
    steps = len(doc.get("steps", []))
    unknowns = (doc.get("lz") or {}).get("unknowns") or {}
    error_lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("lz plan: creating")
                   and "Warning" not in line and "warnings.warn" not in line and "deprecated" not in line]
    if code in (0, 1) and steps:
        result = "planned"
    elif code == 2 and "Traceback" not in stderr and len([line for line in error_lines if line.startswith("error")]) <= 1:
        result = "refused"
    else:
        result = "CRASH"
    message = ""
    if result != "planned":
        diagnostics = [d["message"] for d in doc.get("diagnostics", [])]
        message = next((line for line in error_lines if line.startswith("error")),
                       diagnostics[0] if diagnostics else error_lines[-1] if error_lines else "")
        if "Traceback" in message:
            result = "CRASH"
        message = message.strip().splitlines()[0] if message.strip() else ""
        if len(message) > 300:
            message = message[:297] + "..."
    return {"program": name, "result": result, "exit": code, "steps": steps,
            "mandatory": sum(1 for v in doc.get("policyViolations", []) if v.get("enforcementLevel") == "mandatory"),
            "unknownInvokes": len(unknowns.get("invokes", [])) + len(unknowns.get("reads", [])),
            "unknownProperties": sum(len(p) for p in (unknowns.get("properties") or {}).values()),
            "seconds": round(seconds, 1), "message": message}


def table(rows: list[dict[str, object]]) -> str:
    lines = ["| program | result | exit | steps | mandatory violations | unanswered invokes/reads | unknown inputs | note |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        note = str(r["message"]).replace("|", "\\|")
        lines.append(f"| {r['program']} | {r['result']} | {r['exit']} | {r['steps']} | {r['mandatory']} | "
                     f"{r['unknownInvokes']} | {r['unknownProperties']} | {note} |")
    counts = {k: sum(1 for r in rows if r["result"] == k) for k in ("planned", "refused", "CRASH")}
    lines.append("")
    lines.append(f"{len(rows)} programs: {counts['planned']} planned, {counts['refused']} refused, "
                 f"{counts['CRASH']} crashed")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkout", type=Path, help="a pulumi/examples checkout")
    parser.add_argument("--only", action="append", default=[], help="plan only this program (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    found = projects(args.checkout.resolve())
    if args.only:
        found = [p for p in found if str(p.relative_to(args.checkout.resolve())) in args.only
                 or p.relative_to(args.checkout.resolve()).parts[0] in args.only]
    rows = []
    with tempfile.TemporaryDirectory(prefix="lz-corpus-") as scratch:
        for project in found:
            row = plan_one(project, args.checkout.resolve(), Path(scratch))
            print(f"{row['program']}: {row['result']} exit {row['exit']}, {row['steps']} steps, "
                  f"{row['seconds']}s {row['message']}", file=sys.stderr, flush=True)
            rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    print(table(rows))
    return 0 if all(r["result"] != "CRASH" for r in rows) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
