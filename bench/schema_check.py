"""What the provider-input-schema check costs on a stack, against the program's own run.

Runs preflight in-process on the stack (default prod, with its policy pack config) `--runs` times and
prints, from the last run's report: resources and resource types checked, nested input types walked,
what stayed unchecked, and the check's seconds (host part inside the program run + preflight's part)
against `timings["program"]`, as median over the runs:

    python bench/schema_check.py
    python bench/schema_check.py --stack dev --runs 5
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from preflight import runner  # noqa: E402
from preflight.runner import RunOptions  # noqa: E402
from preflight.schema.policy import POLICY  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    config = next(c for c in (ROOT / "policies" / "config" / f"{n}.json" for n in (args.stack, args.stack.split("-")[0]))
                  if c.is_file())
    schema, host, program = [], [], []
    report = None
    for _ in range(args.runs):
        report = runner.run(RunOptions(program=ROOT, stack=args.stack, policy_pack_config=config))
        schema.append(report.timings["schema"])
        host.append(report.schema_stats["host_seconds"])
        program.append(report.timings["program"])
    assert report is not None
    stats = report.schema_stats
    findings = [v for v in report.violations if v.policy == POLICY]
    median_schema, median_program = statistics.median(schema), statistics.median(program)
    print(f"stack {args.stack}: {args.runs} runs, medians")
    print(f"  resources checked       {stats['resources']}")
    print(f"  resource types checked  {stats['resource_types']}")
    print(f"  nested input types      {stats['nested_types']}")
    print(f"  unchecked               {len(report.schema_unchecked)}")
    for what, why in report.schema_unchecked.items():
        print(f"    {what}: {why}")
    print(f"  findings                {len(findings)}")
    print(f"  check seconds           {median_schema:.3f} (in the program host {statistics.median(host):.3f})")
    print(f"  program seconds         {median_program:.3f} (includes the host part of the check)")
    print(f"  check / program         {median_schema / median_program:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
