"""Which requirements file holds what: requirements.txt is what the Pulumi CLI installs into the
program's virtualenv (the program's imports, nothing else); requirements-dev.txt adds preflight's,
the pack's and the tools' pins for ./venv; pyproject's dependencies are what `pip install .` needs to
run preflight and the bundled pack, pulumi and pulumi-policy to the minor (SDK internals)."""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

from tests.policies.test_pack_requirements import distributions_of, imported_modules, pins

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
DEPENDENCIES = {re.sub(r"[-_.]+", "-", r.name).lower(): r for r in map(Requirement, PROJECT["dependencies"])}
OWN = {"preflight", "components", "aws_cicd_guardrails", "__future__"}


def third_party(paths) -> set[str]:
    """The distributions that provide the modules `paths` import."""
    modules = {m for p in paths for m in imported_modules(p)}
    return {d for m in modules if m.split(".")[0] not in OWN | set(sys.stdlib_module_names)
            for d in distributions_of(m)}


def sources(*dirs: str) -> list[Path]:
    return [p for d in dirs for p in (ROOT / d).rglob("*.py") if "venv" not in p.relative_to(ROOT).parts]


def test_requirements_txt_is_exactly_what_the_program_imports():
    program = third_party([ROOT / "__main__.py", *sources("components")])
    assert program == {"pulumi", "pulumi-aws", "pydantic", "pyyaml"}
    assert set(pins(ROOT / "requirements.txt")) == program


def test_requirements_dev_txt_adds_to_it():
    assert (ROOT / "requirements-dev.txt").read_text().splitlines()[1] == "-r requirements.txt"
    dev = pins(ROOT / "requirements-dev.txt")
    assert {"pytest", "pytest-xdist", "hypothesis", "check-jsonschema"} <= set(dev)
    assert pins(ROOT / "requirements.txt").items() <= dev.items()


def test_the_distribution_depends_on_everything_preflight_and_the_pack_import():
    needed = third_party(sources("preflight") + sources("policies"))
    assert {"pulumi", "pulumi-policy", "grpcio", "protobuf", "jsonschema", "botocore", "parliament"} <= needed
    assert needed - set(DEPENDENCIES) == set()
    # parliament imports pkg_resources (setuptools < 82) without declaring it.
    assert not DEPENDENCIES["setuptools"].specifier.contains("82.0.0")


def test_the_tested_pins_satisfy_the_dependencies_and_the_sdks_are_pinned_to_the_minor():
    dev = pins(ROOT / "requirements-dev.txt")
    sdks = {name: str(DEPENDENCIES[name].specifier) for name in ("pulumi", "pulumi-policy")}
    assert sdks == {"pulumi": f"~={dev['pulumi']}", "pulumi-policy": f"~={dev['pulumi-policy']}"}
    unmet = {name: (str(r.specifier), dev.get(name)) for name, r in DEPENDENCIES.items()
             if name not in dev or not r.specifier.contains(dev[name])}
    assert unmet == {}


def test_make_rebuilds_the_venv_when_either_file_changes():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^\$\(VENV\)/\.installed: requirements\.txt requirements-dev\.txt$", makefile, re.M)
    assert "-r requirements-dev.txt" in makefile
