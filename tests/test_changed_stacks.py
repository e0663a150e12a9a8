"""scripts/changed_stacks.py on a tmp layout: monolith dev, foundation prod, service stacks reading it."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "changed_stacks.py"
_spec = importlib.util.spec_from_file_location("changed_stacks", SCRIPT)
changed_stacks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(changed_stacks)

SERVICES = ["prod-catalog", "prod-notifier", "prod-orders", "prod-payments"]
PROD = ["prod", *SERVICES]
EVERY = ["dev", *PROD]


def service(foundation: str) -> str:
    return ("config:\n  aws-cicd-platform:scope: service\n"
            f"  aws-cicd-platform:foundation: {foundation}\n  aws-cicd-platform:owner: team\n")


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


@pytest.fixture
def repo(tmp_path):
    return write(tmp_path / "repo", {
        "Pulumi.yaml": "name: aws-cicd-platform\nruntime: python\n",
        "__main__.py": "import components\n",
        "requirements.txt": "pulumi\n",
        "Pulumi.dev.yaml": "config:\n  aws-cicd-platform:owner: team\n",
        "Pulumi.prod.yaml": "config:\n  aws-cicd-platform:scope: foundation\n"
                            "  aws-cicd-platform:serviceStacks: {orders: prod-orders}\n",
        "Pulumi.prod-orders.yaml": service("prod"),
        "Pulumi.prod-payments.yaml": service("organization/prod"),
        "Pulumi.prod-catalog.yaml": service("organization/aws-cicd-platform/prod"),
        "Pulumi.prod-notifier.yaml": service("prod"),
        "policies/PulumiPolicy.yaml": "runtime: python\n",
        "policies/config/dev.json": "{}\n",
        "policies/config/prod.json": "{}\n",
        "docs/rules.md": "# rules\n",
    })


def run(repo: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--program", str(repo), *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def stacks(repo: Path, *paths: str) -> list[str]:
    result = run(repo, *paths)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_stack_file_selects_that_stack(repo):
    assert stacks(repo, "Pulumi.dev.yaml") == ["dev"]
    assert stacks(repo, "Pulumi.prod-orders.yaml") == ["prod-orders"]


def test_the_foundation_file_selects_it_and_every_service_reading_it_in_each_reference_form(repo):
    assert stacks(repo, "Pulumi.prod.yaml") == PROD


@pytest.mark.parametrize("config", [
    "config:\n  aws-cicd-platform:owner: team\n",                          # no foundation key: independent
    service("organization/other-project/prod"),                           # another project's prod
    "config:\n  aws-cicd-platform:foundation:\n    secure: v1:abc\n",        # not a plain name
    "config: [\n",                                                         # not YAML: preflight will say why
])
def test_a_stack_not_reading_this_foundation_is_independent(repo, config):
    (repo / "Pulumi.prod-orders.yaml").write_text(config)
    assert stacks(repo, "Pulumi.prod.yaml") == ["prod", "prod-catalog", "prod-notifier", "prod-payments"]
    assert stacks(repo, "Pulumi.prod-orders.yaml") == ["prod-orders"]


def test_a_key_without_namespace_is_the_projects_own(repo):
    (repo / "Pulumi.prod-orders.yaml").write_text("config:\n  foundation: prod\n")
    assert "prod-orders" in stacks(repo, "Pulumi.prod.yaml")


def test_readers_of_readers_are_selected_too(repo):
    write(repo, {"Pulumi.prod-orders-audit.yaml": service("prod-orders")})
    assert stacks(repo, "Pulumi.prod.yaml") == sorted([*PROD, "prod-orders-audit"])
    assert stacks(repo, "Pulumi.prod-orders.yaml") == ["prod-orders", "prod-orders-audit"]


def test_a_deleted_stack_file_selects_the_stacks_still_reading_it_not_itself(repo):
    (repo / "Pulumi.prod.yaml").unlink()
    assert stacks(repo, "Pulumi.prod.yaml") == SERVICES
    assert stacks(repo, "Pulumi.staging.yaml") == []


@pytest.mark.parametrize("path", [
    "components/platform.py", "components/documents/pipeline_policies.py", "__main__.py", "Pulumi.yaml",
    "requirements.txt", "requirements-dev.txt", "pyproject.toml", "policies/aws_cicd_guardrails/ecr.py",
    "policies/PulumiPolicy.yaml",
    "policies/requirements.txt",
    "preflight/cli.py", "Makefile", ".github/workflows/pull-request.yml", "scripts/changed_stacks.py",
])
def test_the_program_the_pack_and_preflight_select_every_stack(repo, path):
    assert stacks(repo, "docs/rules.md", path) == EVERY


def test_a_pack_config_selects_every_stack_using_it(repo):
    assert stacks(repo, "policies/config/prod.json") == PROD
    assert stacks(repo, "policies/config/dev.json") == ["dev"]
    assert stacks(repo, "policies/config/staging.json") == []


def test_a_stack_with_its_own_pack_config_uses_that_one(repo):
    write(repo, {"policies/config/prod-orders.json": "{}\n"})
    assert stacks(repo, "policies/config/prod-orders.json") == ["prod-orders"]
    assert "prod-orders" not in stacks(repo, "policies/config/prod.json")
    (repo / "policies/config/prod-orders.json").unlink()        # deleted: it falls back to prod.json
    assert stacks(repo, "policies/config/prod-orders.json") == ["prod-orders"]


@pytest.mark.parametrize("paths", [
    ["README.md", "docs/rules.md", "docs/design.md"], ["tests/test_x.py", "bench/preflight_scale.py"],
    [".github/workflows/org-policy.yml"], [],
])
def test_docs_and_other_changes_select_nothing(repo, paths):
    assert stacks(repo, *paths) == []


def test_the_output_is_one_compact_json_list_for_a_matrix(repo):
    result = run(repo, stdin="Pulumi.prod.yaml\r\n\n./policies/config/dev.json\n")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == '["dev","prod","prod-catalog","prod-notifier","prod-orders","prod-payments"]\n'
    assert run(repo, stdin="README.md\n").stdout == "[]\n"      # what the workflow's `!= '[]'` compares


def test_stack_files_live_in_the_stack_config_dir(repo):
    write(repo, {"Pulumi.yaml": "name: aws-cicd-platform\nruntime: python\nstackConfigDir: stacks\n"})
    (repo / "stacks").mkdir()
    for path in repo.glob("Pulumi.*.yaml"):
        path.rename(repo / "stacks" / path.name)
    assert stacks(repo, "stacks/Pulumi.prod.yaml") == PROD
    assert stacks(repo, "Pulumi.prod.yaml") == []


def test_a_name_that_is_no_stack_name_is_not_a_stack(repo):
    write(repo, {"Pulumi.bad name.yaml": "config: {}\n"})
    assert "bad name" not in stacks(repo, "Pulumi.yaml")


def test_readers_lists_the_service_stacks_of_a_foundation(repo):
    result = run(repo, "--readers", "prod")
    assert (result.returncode, json.loads(result.stdout)) == (0, SERVICES)
    assert json.loads(run(repo, "--readers", "dev").stdout) == []
    assert json.loads(run(repo, "--all").stdout) == EVERY


def test_describe_runs_a_service_with_its_foundation_under_their_shared_config(repo):
    assert run(repo, "--describe", "prod-orders").stdout == (
        "STACKS=prod prod-orders\nPACK_CONFIG=policies/config/prod.json\n")
    assert run(repo, "--describe", "prod").stdout == "STACKS=prod\nPACK_CONFIG=policies/config/prod.json\n"
    assert run(repo, "--describe", "dev").stdout == "STACKS=dev\nPACK_CONFIG=policies/config/dev.json\n"


@pytest.mark.parametrize("files, stack, message", [
    ({"policies/config/prod-orders.json": "{}\n"}, "prod-orders",
     "prod-orders reads prod, whose pack config differs (prod: policies/config/prod.json; "
     "prod-orders: policies/config/prod-orders.json), and a preflight run takes one --policy-pack-config"),
    ({"Pulumi.staging.yaml": "config: {}\n"}, "staging",
     "staging: no pack config policies/config/staging.json or policies/config/staging.json"),
    ({}, "prod-missing", "prod-missing: no stack file Pulumi.prod-missing.yaml"),
])
def test_describe_refuses_what_one_run_cannot_check(repo, files, stack, message):
    write(repo, files)
    result = run(repo, "--describe", stack)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"changed_stacks: {message}\n")


def test_a_foundation_cycle_does_not_loop(repo):
    write(repo, {"Pulumi.prod.yaml": service("prod-orders")})
    assert run(repo, "--describe", "prod-orders").stdout.startswith("STACKS=prod prod-orders\n")
    assert stacks(repo, "Pulumi.prod.yaml") == PROD


def test_no_project_is_an_error(tmp_path):
    result = run(tmp_path, "README.md")
    assert result.returncode == 2 and result.stderr == f"changed_stacks: {tmp_path}: no Pulumi.yaml\n"


def test_this_repository_the_foundation_selects_its_service_stacks():
    layout = changed_stacks.Layout(REPO)
    readers = [s for s, f in layout.foundation.items() if f == "prod"]
    assert changed_stacks.changed(layout, ["Pulumi.prod.yaml"]) == sorted(["prod", *readers])
    assert changed_stacks.changed(layout, ["README.md"]) == []
