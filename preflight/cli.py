"""`python -m preflight`: options of docs/design.md §5, exit 0 / 1 (mandatory violations) / 2 (could not run)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from preflight.reports import FORMATS, render
from preflight.runner import PreflightError, RunOptions, run

EXIT_COULD_NOT_RUN = 2
# The aws-cicd-guardrails pack beside this package (a checkout, or an install by pip / pre-commit).
BUNDLED_PACK = Path(__file__).resolve().parent.parent / "policies"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m preflight",
        description="Run a Pulumi Python program and its CrossGuard policy pack offline (no cloud, no CLI).")
    p.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    p.add_argument("--program", default=".", type=Path, help="directory holding Pulumi.yaml (default: .)")
    p.add_argument("--policy-pack", type=Path,
                   help="policy pack directory (default: <program>/policies, else the bundled aws-cicd-guardrails)")
    p.add_argument("--policy-pack-config", type=Path,
                   help="policy pack config JSON (default: <program>/policies/config/<stack>.json when it exists)")
    p.add_argument("--mode", choices=("preview", "up"), default="preview",
                   help="preview: computed outputs stay unknown; up: fabricated ids and ARNs (default: preview)")
    p.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    p.add_argument("--output", type=Path, help="write the report to FILE instead of stdout")
    p.add_argument("--timings", action="store_true", help="print time spent per phase on stderr")
    return p


def options(args: argparse.Namespace) -> RunOptions:
    program = args.program.resolve()
    pack = args.policy_pack or program / "policies"
    if args.policy_pack is None and not (pack / "__main__.py").exists():
        pack = BUNDLED_PACK
    pack = pack.resolve()
    config = args.policy_pack_config
    if config is None:
        default = program / "policies" / "config" / f"{args.stack}.json"
        config = default if default.exists() else None
    return RunOptions(program=program, stack=args.stack, policy_pack=pack, policy_pack_config=config,
                      mode=args.mode)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        report = run(options(args))
    except PreflightError as e:
        print(f"preflight: {e}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except KeyboardInterrupt:
        print("preflight: interrupted", file=sys.stderr)
        return 130
    text = render(report, args.format)
    if args.output:
        args.output.write_text(text if text.endswith("\n") else text + "\n")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if args.timings:
        print("timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items()), file=sys.stderr)
    return report.exit_code
