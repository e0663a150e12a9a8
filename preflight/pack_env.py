"""How the Pulumi CLI runs a Python policy pack: which interpreter, and building its virtualenv.

Mirrors pulumi/pulumi (files cited in tests/preflight/test_pack_env.py):
- PulumiPolicy.yaml (only that name) is read like workspace.LoadPolicyPack: UTF-8 BOM stripped,
  `runtime` a name or {name, options}, required.
- the python language host's RunPlugin (kind analyzer) runs `<virtualenv>/bin/python` when the
  `virtualenv` option is set (relative to the pack directory) and the python found on PATH
  (PULUMI_PYTHON_CMD, else python3, else python) when it is not: no default venv for packs.
- `pulumi preview` never builds a missing virtualenv (RunPlugin fails to exec it); preflight builds
  it, unless told not to, as toolchain.InstallDependencies does for `pulumi install`:
  `python3 -m venv <abs dir>`, `pip install --upgrade pip setuptools wheel`, then
  `pip install -r requirements.txt`, in the pack directory with the venv activated.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import math
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping, Optional

import yaml

POLICY_FILE = "PulumiPolicy.yaml"
TIMEOUT_ENV = "PREFLIGHT_PACK_VENV_TIMEOUT"
DEFAULT_TIMEOUT = 15 * 60.0
# toolchain/pip.go pipErrorIsTransient: the only pip failure the CLI retries (3 attempts in all).
_TRANSIENT = "because the GET request got Content-Type"
_ATTEMPTS = 3


class PackEnvError(Exception):
    """The pack's interpreter cannot be resolved or its virtualenv built; str() is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


@dataclass(frozen=True)
class PackRuntime:
    pack_dir: Path
    python: str                        # the interpreter that runs the pack
    virtualenv: Optional[Path] = None  # absolute; None when the CLI would use the python on PATH
    version: Optional[str] = None      # PulumiPolicy.yaml `version`
    description: Optional[str] = None
    name: Optional[str] = None         # PulumiPolicy.yaml has no name field: the SDK reports it
    created: bool = False              # this call built the virtualenv

    def environ(self, base: Mapping[str, str]) -> dict[str, str]:
        """`base` as toolchain.ActivateVirtualEnv hands it to the pack."""
        return activate(base, self.virtualenv) if self.virtualenv else dict(base)


def activate(base: Mapping[str, str], venv: Path) -> dict[str, str]:
    env = {k: v for k, v in base.items() if k != "PYTHONHOME"}
    env["PATH"] = os.pathsep.join(p for p in (str(venv / "bin"), base.get("PATH", "")) if p)
    env["VIRTUAL_ENV"] = str(venv)
    return env


def resolve(pack_dir: Path, *, progress: Callable[[str], None] = lambda s: None,
            create: bool = True) -> PackRuntime:
    """`create=False` refuses a missing virtualenv as `pulumi preview` does; the default builds it as
    `pulumi install` would."""
    pack_dir = Path(os.path.abspath(pack_dir))
    meta = _load(pack_dir)
    options = _runtime_options(meta, pack_dir / POLICY_FILE)
    version = meta.get("version")
    info = dict(pack_dir=pack_dir, version=None if version is None else str(version),
                description=meta.get("description"), name=meta.get("name"))
    venv = options.get("virtualenv")
    if not venv:
        return PackRuntime(python=base_python(), **info)
    venv_dir = pack_dir / venv  # an absolute option replaces pack_dir (resolveVirtualEnvironmentPath)
    if not create and not is_venv(venv_dir):
        state = "doesn't exist" if not venv_dir.exists() else "doesn't appear to be a virtual environment"
        raise PackEnvError(f"The 'virtualenv' option in {POLICY_FILE} is set to {venv!r}, but "
                           f"{str(venv_dir)!r} {state}; run `pulumi install` in {pack_dir} to create it")
    created = ensure_venv(venv_dir, pack_dir, progress=progress, option=venv)
    return PackRuntime(python=str(venv_dir / "bin" / "python"), virtualenv=venv_dir, created=created, **info)


def _load(pack_dir: Path) -> dict:
    path = pack_dir / POLICY_FILE
    where = f'failed to load Pulumi policy project located at "{pack_dir}"'
    if not pack_dir.exists():
        raise PackEnvError(f"{where}: the directory does not exist")
    if not pack_dir.is_dir():
        raise PackEnvError(f"{where}: not a directory")
    if not path.is_file():
        yml = (pack_dir / "PulumiPolicy.yml").exists()
        hint = " (the CLI reads PulumiPolicy.yaml only, not .yml)" if yml else ""
        raise PackEnvError(f"{where}: no {POLICY_FILE}{hint}")
    try:
        data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")  # readFileStripUTF8BOM
        text = data.decode()
    except OSError as e:
        raise PackEnvError(f"{path}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise PackEnvError(f"{path}: not UTF-8 (byte 0x{e.object[e.start]:02x} on line {line})") from None
    try:
        meta = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise PackEnvError(f"{path}{at}: invalid YAML: {getattr(e, 'problem', None) or e}") from None
    if not isinstance(meta, dict):
        raise PackEnvError(f"{path}: must be a YAML mapping, got {type(meta).__name__}")
    return meta


def _runtime_options(meta: dict, path: Path) -> dict:
    runtime = meta.get("runtime")
    if isinstance(runtime, str):
        name, options = runtime, {}
    elif isinstance(runtime, dict) and isinstance(runtime.get("options") or {}, dict):
        name, options = runtime.get("name"), runtime.get("options") or {}
    elif runtime is None:
        raise PackEnvError(f"{path}: project is missing a 'runtime' attribute")
    else:
        raise PackEnvError(f"{path}: runtime section must be a string or an object with name and options "
                           "attributes")
    if not name:
        raise PackEnvError(f"{path}: project is missing a 'runtime' attribute")
    if name != "python":
        raise PackEnvError(f"{path}: runtime {name!r} is not supported; preflight runs python policy packs "
                           "only")
    if "virtualenv" in options and not isinstance(options["virtualenv"], str):
        raise PackEnvError(f"{path}: virtualenv option must be a string")
    toolchain = options.get("toolchain", "pip")
    if toolchain != "pip":
        raise PackEnvError(f"{path}: toolchain {toolchain!r} is not supported; preflight builds pip "
                           "virtualenvs only")
    if "toolchain" not in options:
        for lock in ("uv.lock", "poetry.lock"):  # toolchain.ResolveToolchain (Auto) searches upwards
            found = next((d / lock for d in (path.parent, *path.parent.parents)
                          if (d / lock).is_file()), None)
            if found:
                raise PackEnvError(f"{path}: the CLI would run this pack with {lock.split('.')[0]} "
                                   f"(found {found}); preflight builds pip virtualenvs only")
    return options


def base_python() -> str:
    """toolchain.CommandPath: PULUMI_PYTHON_CMD, else python3, else python, looked up on PATH."""
    override = os.environ.get("PULUMI_PYTHON_CMD")
    names = [override] if override else ["python3", "python"]
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise PackEnvError(f"failed to locate any of {names} on your PATH. "
                       "Have you installed Python 3.6 or greater?")


def venv_timeout() -> float:
    raw = os.environ.get(TIMEOUT_ENV)
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise PackEnvError(f"{TIMEOUT_ENV}={raw!r} is not a positive number of seconds")
    return value


def is_venv(venv: Path) -> bool:
    """toolchain.IsVirtualEnv: bin/python exists (following links) and is not a directory."""
    return (venv / "bin" / "python").is_file()


def ensure_venv(venv: Path, project_dir: Path, *, progress: Callable[[str], None] = lambda s: None,
                timeout: Optional[float] = None, option: Optional[str] = None, owner: str = POLICY_FILE,
                whose: str = "the policy pack's") -> bool:
    """Builds `venv` from `project_dir`/requirements.txt unless it is one already; True when built.
    `owner` is the file whose `virtualenv` option names it (PulumiPolicy.yaml, or a program's Pulumi.yaml).

    Safe when several processes call it at once: the one holding the lock builds, the others
    wait and reuse. A failed or interrupted build leaves no directory behind."""
    venv, project_dir = Path(os.path.abspath(venv)), Path(os.path.abspath(project_dir))
    option = option or str(venv)
    timeout = venv_timeout() if timeout is None else timeout
    with _locked(venv) as building:
        if is_venv(venv) and not building.exists():
            return False
        if building.exists():  # a build that was killed before it could clean up after itself
            progress(f"removing {_show(venv)}: an earlier build of it was interrupted")
            shutil.rmtree(venv, ignore_errors=True)
        if venv.exists() and not venv.is_dir():
            raise PackEnvError(f"the 'virtualenv' option in {owner} is set to {str(venv)!r} "
                               "but it is not a directory")
        was_empty_dir = venv.is_dir()
        if was_empty_dir and any(venv.iterdir()):
            raise PackEnvError(
                f"The 'virtualenv' option in {owner} is set to {option!r}, but {str(venv)!r} doesn't "
                f"appear to be a virtual environment; remove it, or run: python3 -m venv {venv} && "
                f"{venv}/bin/python -m pip install -r {project_dir / 'requirements.txt'}")
        building.touch()
        try:
            _build(venv, project_dir, progress, time.monotonic() + timeout, timeout, whose)
        except BaseException:
            shutil.rmtree(venv, ignore_errors=True)
            if was_empty_dir:
                venv.mkdir(exist_ok=True)
            raise
        finally:
            building.unlink(missing_ok=True)
        return True


def _build(venv: Path, project_dir: Path, progress: Callable[[str], None], deadline: float,
           timeout: float, whose: str) -> None:
    requirements = project_dir / "requirements.txt"
    source = f" from {_show(requirements)}" if requirements.exists() else ""
    progress(f"creating {whose} virtualenv {_show(venv)}{source}")
    step = functools.partial(_step, cwd=project_dir, deadline=deadline, timeout=timeout)
    step([base_python(), "-m", "venv", str(venv)], env=dict(os.environ),
         what=f"creating virtual environment at {venv}")
    python, env = str(venv / "bin" / "python"), activate(os.environ, venv)
    progress(f"updating pip, setuptools and wheel in {_show(venv)}")
    step([python, "-m", "pip", "install", "--upgrade", "pip", "setuptools", "wheel"], env=env,
         what="updating pip, setuptools, and wheel", attempts=_ATTEMPTS)
    if requirements.exists():  # InstallDependencies skips this step when there is no requirements.txt
        progress(f"installing {_show(requirements)} into {_show(venv)}")
        step([python, "-m", "pip", "install", "-r", "requirements.txt"], env=env,
             what=f"installing {requirements}", attempts=_ATTEMPTS)


def _step(cmd: list[str], *, cwd: Path, env: dict, deadline: float, timeout: float, what: str,
          attempts: int = 1) -> None:
    for attempt in range(attempts):
        code, output = _run(cmd, cwd=cwd, env=env, deadline=deadline, timeout=timeout, what=what)
        if code == 0:
            return
        if attempt == attempts - 1 or _TRANSIENT not in output:
            raise PackEnvError(f"{what} failed: {_last_meaningful(output) or f'exit status {code}'}")


def _run(cmd: list[str], *, cwd: Path, env: dict, deadline: float, timeout: float,
         what: str) -> tuple[int, str]:
    """Runs one step in its own process group, killed as a whole when the deadline passes."""
    expired = PackEnvError(f"{what}: the virtualenv build exceeded {timeout:g}s ({TIMEOUT_ENV})")
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise expired
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=remaining)
    except subprocess.TimeoutExpired:
        raise expired from None
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, out.decode(errors="replace")


def _last_meaningful(output: str) -> str:
    """pip's last ERROR line (with a following Hint), else its last line that is not noise."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    errors = [i for i, ln in enumerate(lines) if ln.startswith("ERROR:")]
    if errors:
        hint = next((ln for ln in lines[errors[-1] + 1:] if ln.startswith("Hint:")), "")
        return f"{lines[errors[-1]]} ({hint})" if hint else lines[errors[-1]]
    noise = ("WARNING:", "[notice]", "^")
    kept = [ln for ln in lines if not ln.startswith(noise)]
    return kept[-1] if kept else ""


def _show(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@contextlib.contextmanager
def _locked(venv: Path) -> Iterator[Path]:
    """Holds the venv's build lock; yields the marker that exists while a build is under way."""
    # In the temp dir: beside the venv would write into the pack directory, which only the CLI writes to.
    lock_dir = Path(tempfile.gettempdir()) / f"preflight-venv-locks-{os.getuid()}"
    lock_dir.mkdir(mode=0o700, exist_ok=True)
    key = hashlib.sha256(str(venv).encode()).hexdigest()[:24]
    with open(lock_dir / f"{key}.lock", "w") as f:  # closing it releases the lock
        fcntl.flock(f, fcntl.LOCK_EX)
        yield lock_dir / f"{key}.building"
