"""How preflight scales with the number of services, against the SDK's own floor.

For each N it writes a prod-like stack (the real Pulumi.prod.yaml with its services multiplied to N) into a
temporary copy of the program, runs `python -m preflight --timings --format json` on it, and runs a floor
program that registers the same number of bare `aws.s3.Bucket`s under the same runner. One row per N:

    python bench/preflight_scale.py                 # N = 10 50 200 500
    python bench/preflight_scale.py --services 10 50

`--timings` prints the seconds per phase (load, program, pack_start, analysis) on stderr.
Peak RSS is the child's own maximum (os.wait4), which includes the policy pack process it reaped.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

ROOT = Path(__file__).resolve().parents[1]
SERVICES_KEY = "aws-cicd-platform:services"
# `--timings` (preflight/cli.py) prints one stderr line: "timings: load 0.12s, program 3.40s, ...".
TIMINGS_LINE = re.compile(r"^timings: (.*)$", re.M)
TIMING = re.compile(r"([\w-]+) (\d+(?:\.\d+)?)s")
PHASES = {"program": ("program",), "pack_start": ("pack_start",), "analysis": ("analysis",)}
FLOOR_MAIN = '''"""Bench floor: N bare resources, nothing else."""
import pulumi
import pulumi_aws as aws

for i in range(pulumi.Config().require_int("count")):
    aws.s3.Bucket(f"bucket-{i}")
'''
GOALS = ("goals: program/floor <= 1.3, pack start <= 1 s, analysis/program <= 0.25 at N=200, "
         "time(500)/time(50) <= 10.5, peak RSS <= 1 GiB")


@dataclass
class Run:
    exit_code: int
    wall: float
    peak_rss_mib: float
    timings: dict[str, float] = field(default_factory=dict)
    resources: int = 0
    stderr: str = ""

    def phase(self, name: str) -> Optional[float]:
        return next((self.timings[a] for a in PHASES[name] if a in self.timings), None)


def scaled_services(template: list[dict], count: int) -> list[dict]:
    """`count` services cycling through the template's kinds; names and repositories stay unique."""
    services = []
    for i in range(count):
        service = copy.deepcopy(template[i % len(template)])
        service["name"] = f"{service['name'][:18]}-{i:03d}"
        service["repository"] = f"{service['repository'].split('/')[0]}/{service['name']}"
        services.append(service)
    return services


def scaled_stack(stack: dict, count: int) -> dict:
    scaled = copy.deepcopy(stack)
    scaled["config"][SERVICES_KEY] = scaled_services(stack["config"][SERVICES_KEY], count)
    return scaled


def program_copy(program: Path, stack_name: str, stack: dict, dest: Path) -> Path:
    """The program's files linked into `dest`, with the generated stack file in place of the real ones."""
    dest.mkdir(parents=True)
    for entry in program.iterdir():
        if not (entry.name.startswith("Pulumi.") and entry.name != "Pulumi.yaml"):
            (dest / entry.name).symlink_to(entry)
    (dest / f"Pulumi.{stack_name}.yaml").write_text(yaml.safe_dump(stack, sort_keys=False))
    return dest


def floor_program(count: int, dest: Path) -> Path:
    dest.mkdir(parents=True)
    (dest / "Pulumi.yaml").write_text("name: bench-floor\nruntime: python\n")
    (dest / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": {"bench-floor:count": count}}))
    (dest / "__main__.py").write_text(FLOOR_MAIN)
    return dest


def parse_timings(stderr: str) -> dict[str, float]:
    return {name: float(sec) for line in TIMINGS_LINE.findall(stderr) for name, sec in TIMING.findall(line)}


def run_preflight(program: Path, args: argparse.Namespace, workdir: Path) -> Run:
    workdir.mkdir(parents=True, exist_ok=True)
    out, err = workdir / "stdout.json", workdir / "stderr.txt"
    command = [sys.executable, "-m", "preflight", "--program", str(program), "--stack", "prod",
               "--policy-pack", str(args.policy_pack), "--policy-pack-config", str(args.policy_pack_config),
               "--timings", "--format", "json"]
    start = time.perf_counter()
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, stdout=stdout, stderr=stderr)
        # wait4 gives this child's own peak RSS (and that of the pack process it reaped), per run.
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    run = Run(exit_code=process.returncode, wall=time.perf_counter() - start,
              peak_rss_mib=usage.ru_maxrss / 1024, stderr=err.read_text())
    run.timings = parse_timings(run.stderr)
    if run.exit_code in (0, 1):
        run.resources = json.loads(out.read_text())["summary"]["resources"]
    return run


def fail(what: str, run: Run) -> None:
    last = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "(no output)"
    sys.exit(f"bench: preflight could not run the {what} (exit {run.exit_code}): {last}")


def ratio(a: Optional[float], b: Optional[float]) -> str:
    return f"{a / b:.2f}" if a is not None and b else "n/a"


def seconds(value: Optional[float]) -> str:
    return f"{value:.2f}" if value is not None else "n/a"


def measure(count: int, stack: dict, args: argparse.Namespace, scratch: Path) -> tuple[Run, Run]:
    program = program_copy(args.program, "prod", scaled_stack(stack, count), scratch / f"program-{count}")
    run = run_preflight(program, args, program.parent / f"program-{count}-out")
    if run.exit_code not in (0, 1):
        fail(f"program with {count} services", run)
    floor = run_preflight(floor_program(run.resources, scratch / f"floor-{count}"), args,
                          scratch / f"floor-{count}-out")
    if floor.exit_code not in (0, 1):
        fail(f"floor program with {run.resources} resources", floor)
    return run, floor


HEADER = (f"{'N':>4} {'resources':>9} {'program s':>9} {'floor s':>8} {'prog/floor':>10} "
          f"{'pack start s':>12} {'analysis s':>10} {'anal/prog':>9} {'total s':>8} {'peak RSS MiB':>12}")


def row(count: int, run: Run, floor: Run) -> str:
    program, floor_s = run.phase("program"), floor.phase("program")
    return (f"{count:>4} {run.resources:>9} {seconds(program):>9} {seconds(floor_s):>8} "
            f"{ratio(program, floor_s):>10} {seconds(run.phase('pack_start')):>12} "
            f"{seconds(run.phase('analysis')):>10} {ratio(run.phase('analysis'), program):>9} "
            f"{run.wall:>8.2f} {run.peak_rss_mib:>12.0f}")


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, nargs="+", default=[10, 50, 200, 500], metavar="N")
    parser.add_argument("--program", type=Path, default=ROOT)
    parser.add_argument("--stack-file", type=Path, default=ROOT / "Pulumi.prod.yaml")
    parser.add_argument("--policy-pack", type=Path, default=ROOT / "policies")
    parser.add_argument("--policy-pack-config", type=Path, default=ROOT / "policies" / "config" / "prod.json")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.services):
        parser.error("--services: every N must be >= 1")
    if not args.stack_file.is_file():
        parser.error(f"stack file {args.stack_file} not found (the platform program must exist)")
    return args


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    stack = yaml.safe_load(args.stack_file.read_text())
    if not stack.get("config", {}).get(SERVICES_KEY):
        sys.exit(f"bench: {args.stack_file} has no {SERVICES_KEY} to multiply")
    print(GOALS)
    print(HEADER)
    walls: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="preflight-bench-") as scratch:
        for count in args.services:
            run, floor = measure(count, stack, args, Path(scratch))
            walls[count] = run.wall
            print(row(count, run, floor), flush=True)
    if 50 in walls and 500 in walls:
        print(f"time(500)/time(50) = {walls[500] / walls[50]:.2f}  (goal <= 10.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
