"""One fresh virtualenv with this repository `pip install`ed into it, as pre-commit builds a hook's
environment: built once per test session, shared by the xdist workers (the first builds it under a
lock, the others wait for it), from a copy of the sources so no build artefact lands in the tree."""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "preflight", "policies")
SKIP = shutil.ignore_patterns("venv", "__pycache__", "*.pyc", "build", "*.egg-info")


@dataclass(frozen=True)
class Installed:
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    @property
    def site_packages(self) -> Path:
        return next((self.venv / "lib").glob("python3*/site-packages"))

    def env(self) -> dict[str, str]:
        """The environment pre-commit runs a hook in: its venv's bin first on PATH, nothing of ours."""
        env = {k: v for k, v in os.environ.items() if k not in ("PULUMI_PYTHON_CMD", "PYTHONPATH")}
        env["PATH"] = os.pathsep.join([str(self.bin), env.get("PATH", "")])
        env["VIRTUAL_ENV"] = str(self.venv)
        return env

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), cwd=cwd, env=self.env(), capture_output=True, text=True,
                              timeout=300)


def _build(where: Path) -> None:
    source, venv = where / "source", where / "venv"
    shutil.rmtree(where, ignore_errors=True)
    source.mkdir(parents=True)
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=SKIP)
        else:
            shutil.copy2(path, source / name)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                           "--disable-pip-version-check", str(source)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"pip install . failed: {proc.stdout[-2000:]}{proc.stderr[-2000:]}"
    (where / "done").touch()


@pytest.fixture(scope="session")
def installed(tmp_path_factory, worker_id) -> Installed:
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent  # the parent is common to the workers
    where = shared / "packaging"
    with open(shared / "packaging.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (where / "done").exists():
            _build(where)
    return Installed(where / "venv")
