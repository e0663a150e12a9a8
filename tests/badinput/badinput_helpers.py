"""Helpers for the bad-input families beside harness.py (which is shared and left as it is)."""
from __future__ import annotations

import json
import os
import signal
import textwrap
import time
from pathlib import Path
from typing import Optional

from tests.badinput.harness import ROOT, Outcome, Program, alive, run_preflight, snapshot

REAL_PACK = ROOT / "policies"

PACK_MAIN = '''\
import os, sys, time
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, StackValidationPolicy
{prelude}

def check(args, report_violation):
{body}

def stack_check(args, report_violation):
{stack_body}

PolicyPack("bad-pack", [
    ResourceValidationPolicy(name="bad-resource-rule", description="A resource rule.", validate=check,
                             enforcement_level=EnforcementLevel.MANDATORY),
    StackValidationPolicy(name="bad-stack-rule", description="A stack rule.", validate=stack_check,
                          enforcement_level=EnforcementLevel.MANDATORY),
])
'''


def pack_main(body: str = "pass", stack_body: str = "pass", prelude: str = "") -> str:
    return PACK_MAIN.format(prelude=textwrap.dedent(prelude), body=textwrap.indent(textwrap.dedent(body), "    "),
                            stack_body=textwrap.indent(textwrap.dedent(stack_body), "    "))


def write_pack(tmp_path: Path, main: Optional[str] = None, policy_yaml: "str | bytes" = "runtime: python\n",
               files: Optional[dict] = None, name: str = "pack") -> Path:
    """A tiny pack in tmp_path/name; `main=None` writes no __main__.py."""
    d = tmp_path / name
    d.mkdir(parents=True, exist_ok=True)
    if policy_yaml is not None:
        path = d / "PulumiPolicy.yaml"
        path.write_bytes(policy_yaml) if isinstance(policy_yaml, bytes) else path.write_text(policy_yaml)
    if main is not None:
        (d / "__main__.py").write_text(main)
    for rel, content in (files or {}).items():
        p = d / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            p.mkdir(exist_ok=True)
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content)
    return d


def procs_with_cwd_under(directory: Path) -> list[int]:
    """Live processes whose working directory is inside `directory` (those we never got a pid of)."""
    found, root = [], str(directory.resolve())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if (cwd == root or cwd.startswith(root + os.sep)) and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def assert_report(outcome: Outcome, *, code: int, before: Optional[dict] = None, program: Optional[Path] = None,
                  json_report: bool = False) -> Optional[dict]:
    """A run that gave a verdict: exit 0/1, a report on stdout, no traceback, nothing left behind."""
    assert outcome.code == code, (outcome.code, outcome.stderr[-2000:])
    assert "Traceback" not in outcome.stderr, outcome.stderr[-2000:]
    assert not any(ln.startswith("preflight: ") and "error" in ln for ln in outcome.stderr.splitlines())
    report = None
    if json_report:
        report = json.loads(outcome.stdout)
    else:
        assert outcome.stdout.strip(), "no report"
    if before is not None and program is not None:
        assert snapshot(program) == before, "the run wrote into the program directory"
    time.sleep(0.05)
    left = [p for p in outcome.pids if alive(p)]
    assert not left, f"processes left alive: {left}"
    return report


def run_case(tmp_path: Path, args: list[str], *, program: Optional[Program] = None, **kw) -> tuple[Outcome, Path, dict]:
    prog = (program or Program(root=tmp_path)).write()
    before = snapshot(prog)
    return run_preflight(args, program=prog, tmp_path=tmp_path, **kw), prog, before


def pid_file_has(n: int):
    def check(pid_file: Path) -> bool:
        return pid_file.exists() and len(pid_file.read_text().split()) >= n
    return check


def file_exists(path: Path):
    return lambda _pid_file: path.exists()


def sig_name(signum: int) -> str:
    return signal.Signals(signum).name

