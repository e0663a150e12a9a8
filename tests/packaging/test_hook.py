"""The pre-commit hook's definition: a console script of the distribution, and a `files` pattern that
triggers on every input of the verdict (pre-commit matches it with re.search on repository paths)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HOOK = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]


def test_the_entry_is_the_console_script_of_the_distribution():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert HOOK["id"] == "preflight" and HOOK["language"] == "python"
    script, *args = HOOK["entry"].split()
    assert scripts[script] == "preflight.cli:main" and args == ["--install"]
    assert HOOK["pass_filenames"] is False


@pytest.mark.parametrize("path", [
    "Pulumi.yaml", "Pulumi.yml", "Pulumi.dev.yaml", "Pulumi.prod-orders.yaml", "infra/Pulumi.yaml",
    "infra/Pulumi.prod.yaml", "__main__.py", "components/platform.py", "requirements.txt",
    "requirements-dev.txt", "pyproject.toml", "policies/config/prod.json", "policies/PulumiPolicy.yaml",
    "policies/aws_cicd_guardrails/ecr.py", "infra/policies/config/dev.json",
])
def test_every_input_triggers_the_hook(path):
    assert re.search(HOOK["files"], path)


@pytest.mark.parametrize("path", [
    "README.md", "docs/rules.md", "Pulumi.md", "package.json", "tests/fixtures/data.json",
    ".github/workflows/deploy.yml", "NotPulumi.yaml",
])
def test_other_files_do_not(path):
    assert not re.search(HOOK["files"], path)


def test_the_readme_snippet_is_a_pre_commit_config_with_this_hook():
    # pre-commit's config schema (pre_commit/clientlib.py CONFIG_SCHEMA): a map whose `repos` list holds
    # {repo, rev, hooks: [{id, ...}]}; a bare list is refused ("Expected a Config map but got a list").
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## pre-commit"):]
    block = section[section.index("```yaml") + len("```yaml"):section.index("```", section.index("```yaml") + 7)]
    config = yaml.safe_load(block)
    (repo,) = config["repos"]
    assert set(repo) == {"repo", "rev", "hooks"}
    (hook,) = repo["hooks"]
    assert hook["id"] == HOOK["id"] and "bundled:prod" in hook["args"]
