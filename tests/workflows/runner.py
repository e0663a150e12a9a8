"""Runs a workflow job's steps on this machine the way a GitHub runner would, for the parts that are shell.

`run:` steps go through bash as the runner's default shell does (`bash --noprofile --norc -eo pipefail`),
with GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY files, RUNNER_TEMP and GITHUB_WORKSPACE; what a step
appends to GITHUB_ENV reaches the steps after it. `uses:` steps are handed to a callback that stands in for
the action (a checkout becomes a copy or a clone). `${{ inputs.* }}`, `${{ secrets.* }}` and
`${{ steps.<id>.outputs.* }}` are substituted; any other expression is refused, so a test notices one it
does not simulate.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# What the test's own process carries that a runner's fresh shell would not.
NOT_ON_A_RUNNER = ("PULUMI_PYTHON_CMD", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTEST_CURRENT_TEST",
                   "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT")


def load_workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the bare key `on` as True
    return data


@dataclass
class StepResult:
    step: dict
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class Job:
    job: dict
    inputs: dict[str, Any]
    workspace: Path
    temp: Path
    path_prefix: list[Path]
    secrets: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)       # GITHUB_ENV so far
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    summary: Path = field(init=False)

    def __post_init__(self) -> None:
        self.summary = self.temp / "step-summary.md"

    def expand(self, text: str) -> str:
        def value(match: re.Match) -> str:
            expr = match.group(1)
            if m := re.fullmatch(r"inputs\.([\w-]+)", expr):
                return str(self.inputs.get(m.group(1), ""))
            if m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr):
                return self.outputs.get(m.group(1), {}).get(m.group(2), "")
            if m := re.fullmatch(r"secrets\.([\w-]+) \|\| github\.token", expr):
                return self.secrets.get(m.group(1)) or "github-token"
            raise AssertionError(f"expression not simulated: {expr}")
        return EXPRESSION.sub(value, text)

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in NOT_ON_A_RUNNER}
        env["PATH"] = os.pathsep.join([*map(str, self.path_prefix), env.get("PATH", "")])
        env.update({"RUNNER_TEMP": str(self.temp), "GITHUB_WORKSPACE": str(self.workspace),
                    "GITHUB_STEP_SUMMARY": str(self.summary), "CI": "true", "GITHUB_ACTIONS": "true"})
        env.update({k: self.expand(str(v)) for k, v in (self.job.get("env") or {}).items()})
        env.update(self.env)
        return env

    def run(self, step: dict, timeout: float = 600) -> StepResult:
        outputs_file, env_file = self.temp / "github-output", self.temp / "github-env"
        for f in (outputs_file, env_file):
            f.write_text("")
        env = self.base_env()
        env.update({k: self.expand(str(v)) for k, v in (step.get("env") or {}).items()})
        env.update({"GITHUB_OUTPUT": str(outputs_file), "GITHUB_ENV": str(env_file)})
        script = self.temp / "step.sh"
        script.write_text(self.expand(step["run"]))
        cwd = self.workspace / step.get("working-directory", ".")
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd,
                              env=env, capture_output=True, text=True, timeout=timeout)
        outputs = dict(line.split("=", 1) for line in outputs_file.read_text().splitlines() if "=" in line)
        self.env.update(dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line))
        if step.get("id"):
            self.outputs[step["id"]] = outputs
        return StepResult(step, done.returncode, done.stdout, done.stderr, outputs)

    def condition(self, expr: str) -> bool:
        """An `if:` made of `&&`-joined always(), inputs.<name> and steps.<id>.outputs.<name> ==/!= '<text>'."""
        verdict = True
        for term in (t.strip() for t in expr.split("&&")):
            if term == "always()":
                continue
            if m := re.fullmatch(r"inputs\.([\w-]+)", term):
                verdict &= bool(self.inputs.get(m.group(1)))
            elif m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+) (==|!=) '([^']*)'", term):
                equal = self.outputs.get(m.group(1), {}).get(m.group(2), "") == m.group(4)
                verdict &= equal if m.group(3) == "==" else not equal
            else:
                raise AssertionError(f"condition not simulated: {term}")
        return verdict

    def steps(self, uses: Callable[[dict], None], only: Optional[set[str]] = None) -> list[StepResult]:
        """Run the job's steps in order (those named in `only`, if given), stopping at the first failure."""
        results = []
        for step in self.job["steps"]:
            name = step.get("name") or step.get("uses", "").split("@")[0]
            if only is not None and name not in only:
                continue
            if "if" in step and not self.condition(step["if"]):
                continue
            if "uses" in step:
                uses(step)
                continue
            result = self.run(step)
            results.append(result)
            if result.returncode != 0:
                break
        return results


def step(job: dict, key: str, value: str) -> dict:
    return next(s for s in job["steps"] if s.get(key) == value)


def action(step: dict) -> str:
    return step.get("uses", "").split("@")[0]


def uses(job: dict, name: str) -> dict:
    return next(s for s in job["steps"] if action(s) == name)


def names(job: dict) -> list[str]:
    return [s.get("name") or s["uses"].split("@")[0] for s in job["steps"]]


def as_list(needs) -> list[str]:
    return [needs] if isinstance(needs, str) else list(needs)
