"""The programs and stack files of bench/org_scale.py: the split prod layout with N service stacks, the
N-service monolith, and the two SDK floors (N bare buckets; a stack's own resources registered bare)."""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "aws-cicd-platform"
KEY = (PROJECT + ":{}").format
FLOOR_MAIN = '''"""Bench floor: N bare resources, nothing else."""
import pulumi
import pulumi_aws as aws

for i in range(pulumi.Config().require_int("count")):
    aws.s3.Bucket(f"bucket-{i}")
'''
# The same resources as a stack's report, bare: each provider module imported through the class the program
# used, then a plain registration of the same type (no inputs, no components' logic, no outputs).
REPLAY_MAIN = '''"""Bench floor: the resources of a stack's report registered bare, with the provider modules they need."""
import json
import pulumi
import pulumi_aws

for i, (type_, name) in enumerate(json.load(open("resources.json"))):
    if type_.startswith("pulumi:providers:"):
        pulumi.ProviderResource(type_.split(":")[2], f"{name}-{i}", {"region": "us-east-1"})
    elif type_.startswith("aws:"):
        module, cls = type_.split(":")[1].split("/")[0], type_.split(":")[2]
        getattr(getattr(pulumi_aws, "lambda_" if module == "lambda" else module), cls)
        pulumi.CustomResource(type_, f"{name}-{i}", {})
    else:
        pulumi.ComponentResource(type_, f"{name}-{i}")
'''

def load_config(name: str) -> dict:
    return yaml.safe_load((ROOT / f"Pulumi.{name}.yaml").read_text())


def service_name(i: int) -> str:
    return f"s{i:03d}"


def foundation_stack(count: int) -> dict:
    stack = load_config("prod")
    stack["config"][KEY("serviceStacks")] = {service_name(i): f"prod-{service_name(i)}" for i in range(count)}
    return stack


def renamed_service(template: dict, i: int) -> dict:
    service = copy.deepcopy(template)
    name = service_name(i)
    service["name"] = name
    service["repository"] = f"{service['repository'].split('/')[0]}/{name}"
    for store in ("parameterStore", "secretsManager"):      # keep each service's own paths
        if isinstance(service.get(store), dict):
            service[store] = {k: v.replace(template["name"], name, 1) for k, v in service[store].items()}
    return service


def service_stack(template: dict, i: int) -> dict:
    stack = copy.deepcopy(template)
    (service,) = template["config"][KEY("services")]
    stack["config"][KEY("services")] = [renamed_service(service, i)]
    return stack


def monolith_stack(count: int) -> dict:
    """The foundation plus what the service stacks set, with `count` copies of the orders service."""
    foundation, orders = load_config("prod"), load_config("prod-orders")
    config = dict(foundation["config"])
    for key in ("scope", "serviceStacks"):
        config.pop(KEY(key), None)
    for key in ("sourceConnectionArn", "build", "retention"):
        config[KEY(key)] = orders["config"][KEY(key)]
    config[KEY("notifications")] = {**foundation["config"][KEY("notifications")],
                                    **orders["config"][KEY("notifications")]}
    (service,) = orders["config"][KEY("services")]
    config[KEY("services")] = [renamed_service(service, i) for i in range(count)]
    return {"config": config}


def program_copy(dest: Path, stacks: dict[str, dict]) -> Path:
    dest.mkdir(parents=True)
    shutil.copy2(ROOT / "__main__.py", dest / "__main__.py")
    shutil.copy2(ROOT / "Pulumi.yaml", dest / "Pulumi.yaml")
    shutil.copytree(ROOT / "components", dest / "components", ignore=shutil.ignore_patterns("__pycache__"))
    for linked in ("policies", "venv"):
        if (ROOT / linked).exists():
            (dest / linked).symlink_to(ROOT / linked)
    for name, stack in stacks.items():
        (dest / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(stack, sort_keys=False))
    return dest


def floor_program(dest: Path, count: int) -> Path:
    dest.mkdir(parents=True)
    (dest / "Pulumi.yaml").write_text("name: bench-floor\nruntime:\n  name: python\n  options:\n"
                                      f"    virtualenv: {ROOT / 'venv'}\n")
    (dest / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": {"bench-floor:count": count}}))
    (dest / "__main__.py").write_text(FLOOR_MAIN)
    return dest


def replay_program(dest: Path, report: dict) -> Path:
    """A program of the report's resources, bare (REPLAY_MAIN): the floor at the same resources."""
    dest.mkdir(parents=True)
    (dest / "Pulumi.yaml").write_text("name: bench-replay\nruntime:\n  name: python\n  options:\n"
                                      f"    virtualenv: {ROOT / 'venv'}\n")
    (dest / "Pulumi.prod.yaml").write_text("config: {}\n")
    (dest / "resources.json").write_text(json.dumps([[r["type"], r["name"]] for r in report["resources"]]))
    (dest / "__main__.py").write_text(REPLAY_MAIN)
    return dest
