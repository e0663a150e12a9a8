"""preflight.pack_env resolves a policy pack's interpreter as the Pulumi CLI does, and builds its venv.

Followed in github.com/pulumi/pulumi at 1b5949891b3c:
- pkg/resource/plugin/analyzer_plugin.go NewPolicyAnalyzer: `<pack>/PulumiPolicy.yaml` (no .yml),
  "failed to load Pulumi policy project located at …"; pkg/resource/plugin/plugin.go newPlugin hands
  the directory to the language runtime's RunPlugin.
- sdk/go/common/workspace/loaders.go LoadPolicyPack (UTF-8 BOM stripped) and project.go
  PolicyPackProject.Validate / ProjectRuntimeInfo.UnmarshalYAML (the runtime messages).
- sdk/python/cmd/pulumi-language-python/main.go parseOptions (virtualenv must be a string, no default
  venv for analyzers) and RunPlugin, which execs <venv>/bin/python and never builds a missing venv
  (`pulumi preview --policy-pack` fails); sdk/python/toolchain/toolchain.go ResolveToolchain.
- sdk/python/toolchain/pip.go: CommandPath (PULUMI_PYTHON_CMD, python3, python), IsVirtualEnv,
  EnsureVenv (empty dir rebuilt, a file refused), ActivateVirtualEnv, InstallDependencies
  (`python -m venv`, pip upgrade of pip/setuptools/wheel, `pip install -r requirements.txt` in the
  pack directory, three attempts on a transient index error) — what `pulumi install` runs for a pack
  (pkg/cmd/pulumi/install/install.go → pkg/cmd/pulumi/policy/io.go InstallPluginDependencies).
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from preflight import pack_config, pack_env
from preflight.analyzer import PolicyPackClient, Resource, policy_infos
from preflight.pack_env import PackEnvError
from preflight.runner import _resource
from tests.prod_layout import PROD_LAYOUT, run_layout

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "policies"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aws-cicd-platform"
VENV_YAML = "runtime:\n  name: python\n  options:\n    virtualenv: venv\nversion: 2.0.1\n"


def pack(tmp_path: Path, policy_yaml: str | bytes | None = VENV_YAML, requirements: str | None = "") -> Path:
    d = tmp_path / "pack"
    d.mkdir()
    if policy_yaml is not None:
        path = d / "PulumiPolicy.yaml"
        path.write_bytes(policy_yaml.encode() if isinstance(policy_yaml, str) else policy_yaml)
    if requirements is not None:
        (d / "requirements.txt").write_text(requirements)
    return d


def refusal(pack_dir: Path) -> str:
    with pytest.raises(PackEnvError) as e:
        pack_env.resolve(pack_dir)
    message = str(e.value)
    assert "\n" not in message
    return message


def test_missing_directory_or_policy_file_names_the_directory(tmp_path):
    assert refusal(tmp_path / "nowhere") == (f'failed to load Pulumi policy project located at '
                                             f'"{tmp_path / "nowhere"}": the directory does not exist')
    d = pack(tmp_path, policy_yaml=None)
    assert refusal(d).endswith(f'"{d}": no PulumiPolicy.yaml')
    (d / "PulumiPolicy.yml").write_text(VENV_YAML)
    assert "the CLI reads PulumiPolicy.yaml only, not .yml" in refusal(d)


@pytest.mark.parametrize("text, expected", [
    ("runtime: nodejs\n", "runtime 'nodejs' is not supported; preflight runs python policy packs only"),
    ("runtime: {name: nodejs, options: {}}\n", "runtime 'nodejs' is not supported"),
    ("version: 1.0.0\n", "project is missing a 'runtime' attribute"),
    ("runtime: [python]\n", "runtime section must be a string or an object with name and options attributes"),
    ("runtime: {name: python, options: {virtualenv: 3}}\n", "virtualenv option must be a string"),
    ("runtime: {name: python, options: {toolchain: uv}}\n", "toolchain 'uv' is not supported"),
    ("runtime:\n  name: python\n   options: {}\n",
     ":3:11: invalid YAML: mapping values are not allowed here"),
    ("- runtime: python\n", "must be a YAML mapping, got list"),
])
def test_the_policy_file_is_refused_with_its_path(tmp_path, text, expected):
    d = pack(tmp_path, text)
    message = refusal(d)
    assert message.startswith(str(d / "PulumiPolicy.yaml")) and expected in message
    assert sorted(p.name for p in d.iterdir()) == ["PulumiPolicy.yaml", "requirements.txt"]


def test_non_utf8_policy_file_is_refused_and_a_bom_is_not(tmp_path):
    d = pack(tmp_path, b"runtime: python\ndescription: caf\xe9\n")
    assert refusal(d) == f"{d / 'PulumiPolicy.yaml'}: not UTF-8 (byte 0xe9 on line 2)"
    (d / "PulumiPolicy.yaml").write_bytes(b"\xef\xbb\xbfruntime: python\nversion: 3\n")
    assert pack_env.resolve(d).version == "3"


def test_without_a_virtualenv_option_the_python_on_path_runs_the_pack(tmp_path, monkeypatch):
    d = pack(tmp_path, "runtime: python\ndescription: no venv\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("python3", "python"):
        (bin_dir / name).symlink_to(sys.executable)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("PULUMI_PYTHON_CMD", raising=False)
    runtime = pack_env.resolve(d)
    assert (runtime.python, runtime.virtualenv, runtime.description) == (
        str(bin_dir / "python3"), None, "no venv")
    assert runtime.environ({"PATH": "/x", "PYTHONHOME": "/h"}) == {"PATH": "/x", "PYTHONHOME": "/h"}
    monkeypatch.setenv("PULUMI_PYTHON_CMD", "python")
    assert pack_env.resolve(d).python == str(bin_dir / "python")
    monkeypatch.delenv("PULUMI_PYTHON_CMD")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert refusal(d) == ("failed to locate any of ['python3', 'python'] on your PATH. "
                          "Have you installed Python 3.6 or greater?")


def test_an_existing_venv_is_used_as_it_is(tmp_path):
    d = pack(tmp_path)
    (d / "venv" / "bin").mkdir(parents=True)
    (d / "venv" / "bin" / "python").symlink_to(sys.executable)
    lines: list[str] = []
    runtime = pack_env.resolve(d, progress=lines.append)
    assert (runtime.python, runtime.created, runtime.version, lines) == (
        str(d / "venv" / "bin" / "python"), False, "2.0.1", [])
    assert runtime.environ({"PATH": "/usr/bin", "PYTHONHOME": "/h"}) == {
        "PATH": f"{d / 'venv' / 'bin'}:/usr/bin", "VIRTUAL_ENV": str(d / "venv")}
    assert sorted(p.name for p in (d / "venv").iterdir()) == ["bin"]


def test_a_directory_that_is_no_venv_is_refused_and_left_alone(tmp_path):
    d = pack(tmp_path)
    (d / "venv").mkdir()
    (d / "venv" / "notes.txt").write_text("mine")
    message = refusal(d)
    assert message.startswith("The 'virtualenv' option in PulumiPolicy.yaml is set to 'venv', but "
                              f"'{d / 'venv'}' doesn't appear to be a virtual environment")
    assert [p.name for p in (d / "venv").iterdir()] == ["notes.txt"]
    (d / "venv" / "notes.txt").unlink()
    (d / "venv").rmdir()
    (d / "venv").write_text("")
    assert "is set to" in refusal(d) and "but it is not a directory" in refusal(d)


def test_a_missing_venv_is_built_like_pulumi_install_and_reused(tmp_path, monkeypatch):
    d = pack(tmp_path)
    monkeypatch.chdir(tmp_path)
    lines: list[str] = []
    runtime = pack_env.resolve(d, progress=lines.append)
    assert lines == ["creating the policy pack's virtualenv pack/venv from pack/requirements.txt",
                     "updating pip, setuptools and wheel in pack/venv",
                     "installing pack/requirements.txt into pack/venv"]
    assert runtime.created and runtime.python == str(d / "venv" / "bin" / "python")
    probe = subprocess.run([runtime.python, "-c", "import sys, wheel; print(sys.prefix)"],
                           capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == str(d / "venv")
    again = pack_env.resolve(d, progress=lines.append)
    assert (again.python, again.created, len(lines)) == (runtime.python, False, 3)
    assert sorted(p.name for p in d.iterdir()) == ["PulumiPolicy.yaml", "requirements.txt", "venv"]


def test_without_create_a_missing_venv_is_refused_as_pulumi_preview_does(tmp_path):
    d = pack(tmp_path)
    with pytest.raises(PackEnvError) as e:
        pack_env.resolve(d, create=False)
    assert str(e.value) == ("The 'virtualenv' option in PulumiPolicy.yaml is set to 'venv', but "
                            f"'{d / 'venv'}' doesn't exist; run `pulumi install` in {d} to create it")
    assert not (d / "venv").exists()


def test_a_failed_install_says_why_in_one_line_and_leaves_no_venv(tmp_path):
    d = pack(tmp_path, requirements="./nope\n")
    message = refusal(d)
    assert message.startswith(f"installing {d / 'requirements.txt'} failed: "
                              "ERROR: Invalid requirement: './nope'")
    assert "File './nope' does not exist." in message
    assert sorted(p.name for p in d.iterdir()) == ["PulumiPolicy.yaml", "requirements.txt"]


def test_an_empty_venv_directory_is_built_and_restored_empty_on_failure(tmp_path):
    d = pack(tmp_path, requirements="./nope\n")
    (d / "venv").mkdir()
    refusal(d)
    assert (d / "venv").is_dir() and not any((d / "venv").iterdir())


def _alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def test_a_step_past_the_deadline_is_killed_with_its_children(tmp_path):
    pid_file = tmp_path / "child"
    started = time.monotonic()
    with pytest.raises(PackEnvError) as e:
        pack_env._run(["sh", "-c", f"sleep 60 & echo $! > {pid_file}; sleep 60"], cwd=tmp_path,
                      env=dict(os.environ), deadline=time.monotonic() + 1, timeout=1, what="installing x")
    assert str(e.value) == "installing x: the virtualenv build exceeded 1s (PREFLIGHT_PACK_VENV_TIMEOUT)"
    assert time.monotonic() - started < 10
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def test_a_build_past_the_timeout_leaves_nothing(tmp_path, monkeypatch):
    d = pack(tmp_path)
    monkeypatch.setenv(pack_env.TIMEOUT_ENV, "0.3")
    assert "the virtualenv build exceeded 0.3s (PREFLIGHT_PACK_VENV_TIMEOUT)" in refusal(d)
    assert not (d / "venv").exists()


@pytest.mark.parametrize("raw", ["0", "-5", "nan", "inf", "15m", " "])
def test_the_timeout_must_be_a_positive_finite_number(monkeypatch, raw):
    monkeypatch.setenv(pack_env.TIMEOUT_ENV, raw)
    with pytest.raises(PackEnvError) as e:
        pack_env.venv_timeout()
    assert str(e.value) == f"PREFLIGHT_PACK_VENV_TIMEOUT={raw!r} is not a positive number of seconds"


def test_the_timeout_defaults_to_fifteen_minutes(monkeypatch):
    monkeypatch.delenv(pack_env.TIMEOUT_ENV, raising=False)
    assert pack_env.venv_timeout() == 900
    monkeypatch.setenv(pack_env.TIMEOUT_ENV, "2.5")
    assert pack_env.venv_timeout() == 2.5


def test_two_processes_resolving_at_once_build_the_venv_once(tmp_path):
    d = pack(tmp_path)
    code = ("import sys; from pathlib import Path; from preflight import pack_env; "
            f"r = pack_env.resolve(Path({str(d)!r}), progress=lambda s: print('progress', s)); "
            "print(r.python)")
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert sum(out.count("progress creating") for out in outputs) == 1
    assert {out.splitlines()[-1] for out in outputs} == {str(d / "venv" / "bin" / "python")}


def test_a_build_killed_midway_is_redone(tmp_path):
    d = pack(tmp_path)
    (d / "venv" / "bin").mkdir(parents=True)
    (d / "venv" / "bin" / "python").symlink_to(sys.executable)
    with pack_env._locked(d / "venv") as building:
        building.touch()  # what a builder killed with SIGKILL leaves behind
    lines: list[str] = []
    runtime = pack_env.resolve(d, progress=lines.append)
    assert runtime.created and lines[0].startswith("removing ") and "interrupted" in lines[0]
    assert (d / "venv" / "pyvenv.cfg").exists()


def cached_pack_venv() -> Path:
    """The pack's virtualenv from exactly policies/requirements.txt, built once per machine (and base
    interpreter) by pack_env itself; its lock makes parallel test workers wait for one build."""
    key = hashlib.sha256((PACK_DIR / "requirements.txt").read_bytes()
                         + os.path.realpath(pack_env.base_python()).encode()).hexdigest()[:12]
    venv = CACHE / f"pack-venv-{key}"
    started = time.monotonic()
    if pack_env.ensure_venv(venv, PACK_DIR, progress=print):
        print(f"built {venv} in {time.monotonic() - started:.1f}s")
    return venv


def test_the_pack_runs_the_prod_stack_from_a_venv_of_its_own_requirements_only():
    """The prod layout: the foundation and its four service stacks (each reading the foundation's outputs),
    every stack configured and analyzed in turn by the one pack process."""
    venv = cached_pack_venv()
    layout = run_layout("up")
    wildcard_writes = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ssm:Put*", "sqs:ReceiveMessage"], "Resource": "*"}]})
    foundation = layout[0][0]
    fixture = Resource(type="aws:iam/policy:Policy", name="fixture", properties={"policy": wildcard_writes},
                       urn=f"urn:pulumi:prod::{foundation.name}::aws:iam/policy:Policy::fixture")
    diagnostics, custom_aws = [], 0
    with PolicyPackClient(PACK_DIR, python=str(venv / "bin" / "python"),
                          env=pack_env.activate(os.environ, venv)) as client:
        config = pack_config.reconcile(policy_infos(client.info()),
                                       pack_config.load(PACK_DIR / "config" / "prod.json"))
        client.configure(config)
        for project, run in layout:
            registrations = list(run.monitor.registrations.values())
            by_urn = {r.urn: r for r in registrations}
            custom_aws += len([r for r in registrations if r.custom and r.type.startswith("aws:")])
            client.configure_stack(stack=project.stack, project=project.name, dry_run=False,
                                   config=project.config, secret_keys=project.secret_keys)
            diagnostics += [d for r in registrations if r.custom
                            for d in client.analyze(_resource(r, by_urn, outputs=False)).diagnostics]
            stack = client.analyze_stack([_resource(r, by_urn, outputs=True) for r in registrations])
            diagnostics += stack.diagnostics
        client.configure_stack(stack="prod", project=foundation.name, dry_run=False, config=foundation.config,
                               secret_keys=foundation.secret_keys)
        [star] = client.analyze(fixture).of("iam-policy-no-wildcard-resource-for-writes")
        argv0 = Path(f"/proc/{client.pid}/cmdline").read_bytes().split(b"\0")[0].decode()
        maps = Path(f"/proc/{client.pid}/maps").read_text()
    assert [project.stack for project, _ in layout] == list(PROD_LAYOUT)
    assert custom_aws > 250
    assert [d for d in diagnostics if d.enforcement == "mandatory"] == []
    # parliament expanded ssm:Put* to scopable writes, and knows sqs:ReceiveMessage is a read
    # (without its database the pack would fail, or call any verb that is not Get/List/... a write).
    assert star.enforcement == "mandatory" and "'ssm:Put*'" in star.message
    assert "ReceiveMessage" not in star.message
    assert argv0 == str(venv / "bin" / "python")
    assert f"{venv}/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages/grpc/" in maps
    assert f"{ROOT}/venv/" not in maps
