"""Run preflight over every aws-py-* program of a pulumi/examples checkout and write docs/examples.md.

    venv/bin/python scripts/run_examples.py <examples-checkout> [--out docs/examples.md]
        [--python /tmp/examples-venv/bin/python] [--results results.json | --from-results results.json]

Each program (a directory under aws-py-* holding Pulumi.yaml) is copied to a temporary folder with
`aws:region: us-east-1` as its only stack config (Pulumi.dev.yaml: preflight reads the stack file from
the program directory, and the checkout stays untouched), its project virtualenv pointed at the venv
of --python as `pulumi install` would have made it, and run with `python -m preflight --stack dev
--format json --mode preview` and the pack's default config. The verdicts of the table are reviews
made by hand, read from scripts/examples_reviews.json (program -> policy -> verdict and reason).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Optional

import yaml

REPO = Path(__file__).resolve().parents[1]
REVIEWS = REPO / "scripts" / "examples_reviews.json"
STACK_CONFIG = "config:\n  aws:region: us-east-1\n"
VERDICTS = ("true positive", "false positive", "not applicable")
SKIP_DIRS = {"venv", ".venv", "node_modules", "__pycache__", ".git"}


def find_programs(checkout: Path) -> list[str]:
    """Directories (relative to the checkout) under aws-py-* that hold a Pulumi.yaml, sorted."""
    found = []
    for top in sorted(p for p in checkout.glob("aws-py-*") if p.is_dir()):
        for project in sorted(top.rglob("Pulumi.yaml")):
            if not SKIP_DIRS & set(project.relative_to(checkout).parts):
                found.append(project.parent.relative_to(checkout).as_posix())
    return found


def pulumi_packages(python: str) -> list[str]:
    """`name==version` of the pulumi packages the programs' interpreter has."""
    code = ("import importlib.metadata as m; print('\\n'.join(sorted({f\"{d.metadata['Name']}=={d.version}\" "
            "for d in m.distributions() if d.metadata['Name'].lower().startswith('pulumi')})))")
    done = subprocess.run([python, "-c", code], capture_output=True, text=True)
    return done.stdout.split() if done.returncode == 0 else []


def checkout_commit(checkout: Path) -> str:
    done = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def prepare(source: Path, into: Path, python: str, extra: Optional[dict[str, str]] = None) -> Path:
    """A copy of the program with its stack config (the region, and `extra`) and its named virtualenv."""
    copy = into / source.name
    shutil.copytree(source, copy, symlinks=True, ignore=shutil.ignore_patterns(*SKIP_DIRS, "Pulumi.*.yaml"))
    config = STACK_CONFIG if not extra else yaml.safe_dump({"config": {"aws:region": "us-east-1", **extra}})
    (copy / "Pulumi.dev.yaml").write_text(config)
    runtime = (yaml.safe_load((copy / "Pulumi.yaml").read_text()) or {}).get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    virtualenv = options.get("virtualenv") if isinstance(options, dict) else None
    if isinstance(virtualenv, str) and virtualenv and not Path(virtualenv).is_absolute():
        (copy / virtualenv).symlink_to(Path(python).parent.parent, target_is_directory=True)
    return copy


def run_one(checkout: Path, program: str, python: str, timeout: float,
            extra: Optional[dict[str, str]] = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="preflight-example-") as tmp:
        copy = prepare(checkout / program, Path(tmp), python, extra)
        env = {**os.environ, "PULUMI_PYTHON_CMD": python}
        command = [sys.executable, "-m", "preflight", "--program", str(copy), "--stack", "dev",
                   "--policy-pack", str(REPO / "policies"), "--format", "json", "--mode", "preview"]
        try:
            done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"program": program, "exit": None, "line": f"no answer within {timeout:g}s", "traceback": False}
    return parse_run(program, done.returncode, done.stdout, done.stderr)


def parse_run(program: str, code: int, stdout: str, stderr: str) -> dict[str, Any]:
    """The facts of one run: exit code, resources, findings per (policy, enforcement), unanswered invokes."""
    result: dict[str, Any] = {"program": program, "exit": code,
                              "traceback": "Traceback (most recent call last)" in stdout + stderr}
    report = None
    if code in (0, 1):
        try:
            report = json.loads(stdout)
        except json.JSONDecodeError:
            report = None
    if report is None:
        lines = [line for line in (stderr or stdout).splitlines() if line.strip()]
        result["line"] = lines[-1] if lines else ""
        result["line_count"] = len(lines)
        return result
    findings: dict[str, dict[str, Any]] = {}
    for v in report.get("violations", []):
        entry = findings.setdefault(v["policy"], {"enforcement": v.get("enforcement", ""), "resources": [],
                                                  "messages": []})
        entry["resources"].append(v.get("resource_name") or v.get("urn", "(stack)"))
        entry["messages"].append(v.get("message", ""))
    result.update(resources=len(report.get("resources", [])), findings=findings,
                  unanswered=list(report.get("unanswered_invokes", [])),
                  stack_references=list(report.get("unanswered_stack_references", [])),
                  not_applicable=sorted({n["policy"] for n in report.get("not_applicable", [])}))
    return result


def review_of(reviews: dict, program: str, policy: str, resource: Optional[str] = None) -> dict[str, str]:
    entry = reviews.get(program, {}).get(policy, {})
    if resource is not None and resource in entry.get("resources", {}):
        return entry["resources"][resource]
    return {"verdict": entry.get("verdict", "not reviewed"), "reason": entry.get("reason", "")}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _short(verdict: str) -> str:
    return {"true positive": "TP", "false positive": "FP", "not applicable": "NA"}.get(verdict, verdict)


def verdict_counts(results: list[dict], reviews: dict) -> Counter:
    counts: Counter = Counter()
    for r in results:
        for policy, f in r.get("findings", {}).items():
            for resource in f["resources"]:
                counts[review_of(reviews, r["program"], policy, resource)["verdict"]] += 1
    return counts


def _row(r: dict, reviews: dict) -> str:
    note = reviews.get(r["program"], {}).get("_note", "")
    if r["exit"] not in (0, 1):
        why = f"not runnable offline: {r.get('line', '')}" + (f"<br>{note}" if note else "")
        return f"| {r['program']} | {r['exit']} | - | - | {_cell(why)} |"
    rules, verdicts = [], []
    for policy, f in sorted(r["findings"].items()):
        rules.append(f"{policy} ×{len(f['resources'])} ({f['enforcement']})")
        seen = Counter(_short(review_of(reviews, r["program"], policy, x)["verdict"]) for x in f["resources"])
        reason = review_of(reviews, r["program"], policy)["reason"]
        verdicts.append(f"{policy}: {'/'.join(f'{v}×{n}' if len(seen) > 1 else v for v, n in seen.items())}"
                        + (f" — {reason}" if reason else ""))
    extra = [note] if note else []
    if r.get("unanswered"):
        extra.append("unanswered invokes: " + ", ".join(r["unanswered"]))
    if r.get("stack_references"):
        extra.append("stack references: " + ", ".join(r["stack_references"]))
    return (f"| {r['program']} | {r['exit']} | {r['resources']} | {_cell('<br>'.join(rules) or 'none')} | "
            f"{_cell('<br>'.join(verdicts + extra) or 'clean')} |")


def _summary(results: list[dict], reviews: dict) -> str:
    ran = sum(1 for r in results if r["exit"] in (0, 1))
    counts = verdict_counts(results, reviews)
    shown = ", ".join(f"{_short(v)} {counts[v]}" for v in (*VERDICTS, "not reviewed") if counts[v])
    return (f"Programs: {len(results)}; ran: {ran}; not runnable offline: {len(results) - ran}; "
            f"findings: {sum(counts.values())}" + (f" ({shown})." if shown else "."))


def _false_positives(results: list[dict], reviews: dict) -> list[str]:
    return [f"| {r['program']} | {p} | {x} | {_cell(review_of(reviews, r['program'], p, x)['reason'])} |"
            for r in results for p, f in sorted(r.get("findings", {}).items()) for x in f["resources"]
            if review_of(reviews, r["program"], p, x)["verdict"] == "false positive"]


def render(results: list[dict], reviews: dict, commit: str, configured: Optional[list[dict]] = None,
           packages: Optional[list[str]] = None) -> str:
    """The table of the runs with the region only, then of the reruns with the config READMEs set."""
    with_config = {prog: entry.get("_with_config", {}) for prog, entry in reviews.items() if isinstance(entry, dict)}
    header = "| program | exit | resources | findings per rule (level) | verdict |\n| --- | --- | --- | --- | --- |"
    out = ["# preflight over pulumi/examples (aws-py-*)", "",
           f"pulumi/examples commit `{commit}`. Generated by `scripts/run_examples.py` from the runs and the",
           "hand reviews in `scripts/examples_reviews.json`: each program copied out of the checkout with",
           "`aws:region: us-east-1` as its only config, run with `--mode preview --format json` and the",
           "pack's default config (no `--policy-pack-config`), under which every rule is mandatory. TP = true",
           "positive; FP = false positive (the finding is wrong about the program); NA = not applicable (right",
           "about the program, but it enforces a convention of this platform, such as its providers, tags or",
           "protect flags, that a standalone example has no reason to follow). Counts are per finding (one",
           "resource, one rule); resources are those preflight reports, providers included.", "",
           "The programs' interpreter had " + (", ".join(f"`{p}`" for p in packages) if packages else "(not recorded)")
           + ". Reproduce with `venv/bin/python scripts/run_examples.py <pulumi/examples work tree> --python "
           "<that interpreter>`.", "", _summary(results, reviews), "", header, *(_row(r, reviews) for r in results)]
    if configured:
        out += ["", "## With the config their README sets", "",
                "The programs that stopped for missing config, run again with the values their README gives",
                "(placeholders filled in; `_config` in the reviews file).", "",
                _summary(configured, with_config), "", header, *(_row(r, with_config) for r in configured)]
    tracebacks = [r["program"] for r in results + (configured or []) if r.get("traceback")]
    out += ["", "Tracebacks: " + (", ".join(tracebacks) if tracebacks else "none") + ".", ""]
    false = _false_positives(results, reviews) + _false_positives(configured or [], with_config)
    if false:
        out += ["## False positives", "", "| program | rule | resource | why |", "| --- | --- | --- | --- |",
                *false, ""]
    return "\n".join(out)


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkout", type=Path, help="a pulumi/examples work tree")
    p.add_argument("--out", type=Path, default=REPO / "docs" / "examples.md")
    p.add_argument("--reviews", type=Path, default=REVIEWS)
    p.add_argument("--python", default=str(REPO / "venv" / "bin" / "python"),
                   help="the programs' interpreter (PULUMI_PYTHON_CMD), with their packages installed")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per program")
    p.add_argument("--only", action="append", default=[], help="run only this program (repeatable)")
    p.add_argument("--results", type=Path, help="also write the raw results (JSON) here")
    p.add_argument("--from-results", type=Path, help="render from raw results written by --results, run nothing")
    args = p.parse_args(argv)
    checkout = args.checkout.resolve()
    reviews = json.loads(args.reviews.read_text()) if args.reviews.exists() else {}
    if args.from_results:
        saved = json.loads(args.from_results.read_text())
        commit, results, configured = saved["commit"], saved["results"], saved.get("configured", [])
        packages = saved.get("packages", [])
    else:
        commit, results, configured = checkout_commit(checkout), [], []
        packages = pulumi_packages(args.python)
        for program in find_programs(checkout):
            if args.only and program not in args.only:
                continue
            results.append(run_one(checkout, program, args.python, args.timeout))
            print(f"{program}: exit {results[-1]['exit']}", file=sys.stderr)
            extra = reviews.get(program, {}).get("_config")
            if results[-1]["exit"] == 2 and extra:
                configured.append(run_one(checkout, program, args.python, args.timeout, extra))
                print(f"{program} with its README config: exit {configured[-1]['exit']}", file=sys.stderr)
    if args.results:
        args.results.write_text(json.dumps({"commit": commit, "packages": packages, "results": results,
                                            "configured": configured}, indent=2) + "\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(results, reviews, commit, configured, packages) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
