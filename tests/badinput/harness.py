"""One bad input, run as a user runs preflight: `python -m preflight` in its own process.

Every case asserts the same contract: the expected exit code; exactly one line on stderr,
never a traceback; nothing written into the program directory; no process the run started
still alive (preflight appends each pid it starts to PREFLIGHT_PID_FILE).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "tests" / "fixtures" / "packs" / "basic"
MINIMAL_PROGRAM = '''import pulumi_aws as aws
aws.ecr.Repository("orders", image_scanning_configuration={"scan_on_push": True}, tags={"team": "a"})
'''


@dataclass
class Program:
    """A small program directory under tmp: Pulumi.yaml, one stack file, __main__.py, extra files."""
    root: Path
    project: str = "name: badinput\nruntime: python\n"
    stack: Optional[str] = "config: {}\n"
    main: str = MINIMAL_PROGRAM
    files: dict = field(default_factory=dict)

    def write(self) -> Path:
        d = self.root / "program"
        d.mkdir(parents=True, exist_ok=True)
        (d / "Pulumi.yaml").write_text(self.project) if isinstance(self.project, str) else \
            (d / "Pulumi.yaml").write_bytes(self.project)
        if self.stack is not None:
            (d / "Pulumi.dev.yaml").write_text(self.stack) if isinstance(self.stack, str) else \
                (d / "Pulumi.dev.yaml").write_bytes(self.stack)
        (d / "__main__.py").write_text(self.main)
        for name, content in self.files.items():
            path = d / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if content is None:
                path.mkdir(exist_ok=True)
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
        return d


def snapshot(directory: Path) -> dict[str, str]:
    out = {}
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory).as_posix()
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_dir():
            out[rel] = "dir"
        else:
            try:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                out[rel] = "unreadable"
    return out


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    pids: list[int]
    seconds: float


def run_preflight(args: list[str], *, program: Optional[Path], tmp_path: Path, env: Optional[dict] = None,
                  signal_after: Optional[float] = None, signum: int = signal.SIGTERM,
                  wait_for: Optional[Callable[[Path], bool]] = None, timeout: float = 120) -> Outcome:
    pid_file = tmp_path / "pids.txt"
    full_env = {**os.environ, "PREFLIGHT_PID_FILE": str(pid_file), **(env or {})}
    cmd = [sys.executable, "-m", "preflight", *args]
    if program is not None and "--program" not in args:
        cmd += ["--program", str(program)]
    if "--policy-pack" not in args and not any(a.startswith("--policy-pack=") for a in args):
        cmd += ["--policy-pack", str(PACK)]
    clock = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    if signal_after is not None:
        deadline = time.monotonic() + 60
        while wait_for is not None and not wait_for(pid_file) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(signal_after)
        proc.send_signal(signum)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"preflight hung for {timeout}s: {cmd}")
    seconds = time.monotonic() - clock
    pids = [int(p) for p in pid_file.read_text().split()] if pid_file.exists() else []
    return Outcome(proc.returncode, out, err, pids, seconds)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose (its parent, preflight, has exited and init reaps it).
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def assert_contract(outcome: Outcome, *, code: int, contains: str = "", before: Optional[dict] = None,
                    program: Optional[Path] = None) -> None:
    assert outcome.code == code, (outcome.code, outcome.stderr[-2000:])
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {outcome.stderr[-2000:]}"
    assert "Traceback" not in outcome.stderr
    assert lines[0].startswith("preflight: "), lines[0]
    assert contains in lines[0], (contains, lines[0])
    if code == 2:
        assert outcome.stdout == "", outcome.stdout[:500]
    if before is not None and program is not None:
        assert snapshot(program) == before, "the run wrote into the program directory"
    time.sleep(0.05)
    left = [p for p in outcome.pids if alive(p)]
    assert not left, f"processes left alive: {left}"


def copy_pack(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    return dest
