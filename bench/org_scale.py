"""Preflight at organisation scale: the split prod layout (a foundation and one stack per service) against the
monolith, one run against separate invocations, the pack's dispatch against the SDK's (a benchmark; it prints,
it asserts nothing).

    python bench/org_scale.py                  # N=200 service stacks, k=10 sampled invocations, 50-service monolith
    python bench/org_scale.py --quick          # N=20, k=3, 10-service monolith (about 2 minutes on 2 cores)
    python bench/org_scale.py --services 100 --sample 5

Every figure is a ratio of two measurements taken in this one run, printed with its goal and met / NOT met:

- Analyze calls/s, new dispatch / stock SDK dispatch, and AnalyzeStack 10k / 1k resources: bench/pack_dispatch.py
  run as a subprocess (small --calls, --repeat 3: the best AnalyzeStack of three), its lines parsed;
- analysis / program time of the monolith (preflight --timings), with and without known parts;
- one service stack (`--stack prod-s000 --stack-outputs prod=<foundation report>`): wall time / the SDK floor
  (preflight on a program of as many bare `aws.s3.Bucket`s: bare registrations + pack start), with and
  without known parts;
- N service stacks in one `--all-stacks` run (it also checks the foundation) / N separate invocations; the
  separate invocations are timed on a sample of k stacks and extrapolated x N/k;
- the same one run / the N-service monolith;
- peak RSS of a run / the SDK floor's at the same resource count.

The N-stack figures (one run, separate invocations, the N-service monolith) run with --no-known-parts
unless --org-known-parts: with known parts the default N=200 takes over 10 minutes on 2 cores.
The SDK floor runs with --no-known-parts: bare registrations and pack start, no extra `up`-mode runs.

The program is copied into a temporary directory (__main__.py, Pulumi.yaml, components/; policies/ and venv/
linked) with generated stack files: Pulumi.prod.yaml, the foundation (the real one, its serviceStacks listing
the N services), and Pulumi.prod-sNNN.yaml, Pulumi.prod-orders.yaml with its service renamed. The monolith is
the foundation's config with the service stacks' keys and N copies of the orders service (every service an ECS
one, as in the service stacks). All stacks run under policies/config/prod.json.

Wall time and peak RSS come from a fresh wrapper process per measurement: it times the preflight child and
reads resource.getrusage(RUSAGE_CHILDREN).ru_maxrss (the largest process it and its descendants reaped:
preflight, the program hosts, the pack processes).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from org_programs import (ROOT, floor_program, foundation_stack, load_config, monolith_stack,
                          program_copy, replay_program, service_name, service_stack)

PACK = ROOT / "policies"
PACK_CONFIG = PACK / "config" / "prod.json"
TIMINGS_LINE = re.compile(r"^timings(?: [\w.-]+)?: (.*)$", re.M)
TIMING = re.compile(r"([\w-]+) (\d+(?:\.\d+)?)s")
# The wrapper: runs the command, then writes {"exit", "wall", "maxrss_kib"} to the file named first.
WRAPPER = '''import json, resource, subprocess, sys, time
result, out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
start = time.perf_counter()
with open(out, "w") as o, open(err, "w") as e:
    code = subprocess.call(cmd, stdout=o, stderr=e)
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
json.dump({"exit": code, "wall": wall, "maxrss_kib": rss}, open(result, "w"))
'''


@dataclass
class Run:
    what: str
    exit_code: int
    wall: float
    rss_mib: float
    stderr: str
    report: Optional[dict] = None
    timings: dict[str, dict[str, float]] = field(default_factory=dict)   # per stack ("" = single / total)

    def resources(self) -> int:
        if not self.report:
            return 0
        return sum(len(r.get("resources", [])) for r in self.report.get("stacks", [self.report]))


# -- running ----------------------------------------------------------------------------------------------------
class Bench:
    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.runs = 0

    def preflight(self, what: str, program: Path, stack_args: list[str], known_parts: bool = True,
                  report: Optional[Path] = None) -> Run:
        self.runs += 1
        work = self.scratch / f"run-{self.runs:03d}"
        work.mkdir()
        out = report or work / "report.json"
        command = [sys.executable, "-m", "preflight", "--program", str(program), *stack_args,
                   "--policy-pack", str(PACK), "--policy-pack-config", str(PACK_CONFIG),
                   "--timings", "--format", "json", "--output", str(out)]
        if not known_parts:
            command.append("--no-known-parts")
        result = work / "result.json"
        subprocess.run([sys.executable, "-c", WRAPPER, str(result), str(work / "stdout"), str(work / "stderr"),
                        *command], cwd=ROOT, check=True)
        measured = json.loads(result.read_text())
        run = Run(what=what, exit_code=measured["exit"], wall=measured["wall"],
                  rss_mib=measured["maxrss_kib"] / 1024, stderr=(work / "stderr").read_text())
        for line in TIMINGS_LINE.finditer(run.stderr):
            label = line.group(0).split(":", 1)[0][len("timings"):].strip()
            run.timings[label] = {k: float(v) for k, v in TIMING.findall(line.group(1))}
        if run.exit_code not in (0, 1):
            last = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "(no output)"
            sys.exit(f"org_scale: preflight could not run the {what} (exit {run.exit_code}): {last}")
        run.report = json.loads(out.read_text())
        return run

    def replay(self, run: Run) -> Run:
        program = replay_program(self.scratch / f"replay-{self.runs}", run.report)
        return self.preflight(f"replay of {run.what}", program, ["--stack", "prod"], known_parts=False)

    def floor(self, count: int) -> Run:
        program = floor_program(self.scratch / f"floor-{count}-{self.runs}", count)
        # Bare registrations + pack start: no known-parts runs (`up`-mode reruns are not part of the floor).
        return self.preflight(f"floor of {count} resources", program, ["--stack", "prod"], known_parts=False)


# -- figures ----------------------------------------------------------------------------------------------------
def figure(name: str, value: Optional[float], goal: str = "", note: str = "") -> None:
    shown = f"{value:.2f}" if value is not None else "n/a"
    if goal and value is not None:
        op, bound = goal.split()
        met = value >= float(bound) if op == ">=" else value <= float(bound)
        verdict = f"(goal {goal}: {'met' if met else 'NOT met'})"
    elif goal:
        verdict = f"(goal {goal}: not measured)"
    else:
        verdict = "(reported)"
    print(f"{name:<72} {shown:>7}  {verdict}{'  ' + note if note else ''}", flush=True)


def dispatch_figures(quick: bool) -> None:
    calls = "400" if quick else "1000"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "pack_dispatch.py"), "--calls", calls,
                           "--repeat", "3"], cwd=ROOT, capture_output=True, text=True)
    out = done.stdout
    rate = re.search(r"Analyze new / stock: (\d+(?:\.\d+)?)", out)
    stack = re.search(r"AnalyzeStack\s+new:.*ratio 10k/1k\s+(\d+(?:\.\d+)?)", out)
    ceiling = re.search(r"would reach new / stock (\d+(?:\.\d+)?)", out)
    same = "identical answers: Analyze yes, AnalyzeStack yes" in out
    note = f"bench/pack_dispatch.py --calls {calls} --repeat 3, {time.perf_counter() - started:.0f}s" + \
        (f"; {ceiling.group(1)} at most with this machine's gRPC round trip" if ceiling else "") + \
        ("" if same else "; the packs' answers DIFFER (or it failed): "
         + (done.stderr.strip().splitlines() or ["?"])[-1])
    figure("Analyze calls/s, new dispatch / stock SDK dispatch", float(rate.group(1)) if rate else None,
           ">= 5", note)
    figure("AnalyzeStack time, 10k resources / 1k", float(stack.group(1)) if stack else None, "<= 10.5")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, help="N service stacks (default 200; 20 with --quick)")
    parser.add_argument("--sample", type=int, help="k separate invocations timed (default 10; 3 with --quick)")
    parser.add_argument("--monolith", type=int, help="services of the analysis/program monolith (default 50; "
                                                     "10 with --quick)")
    parser.add_argument("--quick", action="store_true", help="N=20, k=3, a 10-service monolith")
    parser.add_argument("--skip-dispatch", action="store_true", help="leave out bench/pack_dispatch.py")
    parser.add_argument("--org-known-parts", action="store_true",
                        help="run the N-stack figures (one run, separate invocations, N-service monolith) with "
                             "known parts too (about 1.5x the time; the default N=200 then exceeds 10 minutes)")
    args = parser.parse_args(argv)
    n = args.services or (20 if args.quick else 200)
    k = min(n, args.sample or (3 if args.quick else 10))
    m = args.monolith or (10 if args.quick else 50)
    if n < 1 or k < 1 or m < 1:
        parser.error("--services, --sample and --monolith must be >= 1")
    clock = time.perf_counter()
    print(f"org_scale: N={n} service stacks, k={k} sampled invocations, {m}-service monolith; "
          f"pack config {PACK_CONFIG.relative_to(ROOT)}", flush=True)

    if not args.skip_dispatch:
        dispatch_figures(args.quick)

    orders = load_config("prod-orders")
    with tempfile.TemporaryDirectory(prefix="org-scale-") as tmp:
        bench = Bench(Path(tmp))
        floors: dict[int, Run] = {}

        def floor(count: int) -> Run:
            if count not in floors:
                floors[count] = bench.floor(count)
            return floors[count]

        # The monolith: analysis / program, with and without known parts.
        mono_dir = program_copy(Path(tmp) / f"monolith-{m}", {"prod": monolith_stack(m)})
        mono = {kp: bench.preflight(f"{m}-service monolith", mono_dir, ["--stack", "prod"], known_parts=kp)
                for kp in (True, False)}
        for kp, run in mono.items():
            t = run.timings.get("", {})
            share = t["analysis"] / t["program"] if t.get("program") else None
            figure(f"analysis / program, {m}-service monolith, "
                   f"{'with' if kp else 'without'} known parts", share, "<= 0.15",
                   f"analysis {t.get('analysis', 0):.2f}s, program {t.get('program', 0):.2f}s, "
                   f"{run.resources()} resources")

        # The split layout: the foundation with N services listed, N service stacks.
        stacks = {"prod": foundation_stack(n)}
        stacks.update({f"prod-{service_name(i)}": service_stack(orders, i) for i in range(n)})
        org_dir = program_copy(Path(tmp) / f"org-{n}", stacks)
        reports = Path(tmp) / "foundation"
        reports.mkdir()
        foundation = {kp: bench.preflight("foundation", org_dir, ["--stack", "prod"], known_parts=kp,
                                          report=reports / f"prod-{'kp' if kp else 'nokp'}.json")
                      for kp in (True, False)}

        def one_service(i: int, kp: bool) -> Run:
            outputs = reports / f"prod-{'kp' if kp else 'nokp'}.json"
            return bench.preflight(f"service stack prod-{service_name(i)}", org_dir,
                                   ["--stack", f"prod-{service_name(i)}", "--stack-outputs", f"prod={outputs}"],
                                   known_parts=kp)

        single = {kp: one_service(0, kp) for kp in (True, False)}
        replayed = bench.replay(single[False])
        for kp, run in single.items():
            base = floor(run.resources())
            figure(f"one service stack: wall / SDK floor, {'with' if kp else 'without'} known parts",
                   run.wall / base.wall, "<= 1.5",
                   f"{run.wall:.2f}s / {base.wall:.2f}s, {run.resources()} resources")
            figure(f"  the same, floor = the stack's own resources bare, {'with' if kp else 'without'} known parts",
                   run.wall / replayed.wall, "<= 1.5",
                   f"{run.wall:.2f}s / {replayed.wall:.2f}s, {replayed.resources()} resources")

        # N separate invocations (a sample of k, extrapolated) against one --all-stacks run.
        kp = args.org_known_parts
        sample = [single[kp]] + [one_service(i, kp) for i in range(1, k)]
        separate = sum(r.wall for r in sample) * n / k
        together = bench.preflight(f"{n} service stacks in one run", org_dir, ["--all-stacks"], known_parts=kp)
        kp_note = "with known parts" if kp else "--no-known-parts"
        failed = [f.get("stack") for f in together.report.get("failures", [])] if together.report else []
        figure(f"{n} service stacks: one --all-stacks run / {n} separate invocations",
               together.wall / separate, "<= 0.3",
               f"{together.wall:.1f}s / {separate:.1f}s (separate: {k} timed, x{n}/{k} extrapolated; the one "
               f"run also checks the foundation; {kp_note}{'; FAILED stacks: ' + ', '.join(map(str, failed)) if failed else ''})")

        # The same one run against the N-service monolith.
        if n == m:
            big = mono[kp]
        else:
            big_dir = program_copy(Path(tmp) / f"monolith-{n}", {"prod": monolith_stack(n)})
            big = bench.preflight(f"{n}-service monolith", big_dir, ["--stack", "prod"], known_parts=kp)
        figure(f"{n} service stacks in one run / the {n}-service monolith", together.wall / big.wall, "",
               f"{together.wall:.1f}s / {big.wall:.1f}s; {together.resources()} / {big.resources()} resources; {kp_note}")

        # Peak RSS against the floor at the same resource count.
        for run in (single[True], mono[True]):
            base = floor(run.resources())
            figure(f"peak RSS / SDK floor: {run.what}", run.rss_mib / base.rss_mib, "<= 1.0",
                   f"{run.rss_mib:.0f} / {base.rss_mib:.0f} MiB at {run.resources()} resources")
        figure("  the same, floor = the service stack's own resources bare", single[True].rss_mib / replayed.rss_mib,
               "<= 1.0", f"{single[True].rss_mib:.0f} / {replayed.rss_mib:.0f} MiB")
        base = floor(together.resources())
        figure(f"peak RSS / SDK floor: {n} service stacks in one run", together.rss_mib / base.rss_mib, "<= 1.0",
               f"{together.rss_mib:.0f} / {base.rss_mib:.0f} MiB at {together.resources()} resources "
               "(the floor: one program of that many buckets)")
    print(f"org_scale: {time.perf_counter() - clock:.0f}s in all", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
