"""`python -m preflight`: options of docs/design.md §5.

Exit 0: no mandatory violation; 1: mandatory violations in the report; 2: the run could not
give a verdict (one line on stderr, `--debug` for the traceback); 130/143: SIGINT/SIGTERM,
after every process the run started is gone. Several stacks (`--stack a --stack b`,
`--all-stacks`): the worst of them, each stack that could not run named in one line, the
others still reported (preflight/stacks.py).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import NoReturn, Optional, Sequence

from preflight import bundled, limits
from preflight.model import MultiReport
from preflight.reports import FORMATS, render
from preflight.reports.sarif import MAX_RUNS
from preflight.runner import PreflightError, RunOptions, run
from preflight.stacks import discover, run_stacks

EXIT_COULD_NOT_RUN = 2
# The aws-cicd-guardrails pack that comes with preflight: policies/ in a checkout, else the installed one.
BUNDLED_PACK = bundled.pack_dir()
SIGNAL_EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143}


class UsageError(Exception):
    pass


class Interrupted(BaseException):
    """Raised in the main thread by SIGINT/SIGTERM; `finally` blocks stop what the run started."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would print the usage too: one line only
        raise UsageError(message)


class _Once(argparse.Action):
    """A flag that takes one value may be given once: `--stack dev --stack prod` is refused, not last-wins."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        given = namespace.__dict__.setdefault("_given", set())
        if self.dest in given:
            raise argparse.ArgumentError(self, "given more than once")
        given.add(self.dest)
        setattr(namespace, self.dest, values)


class _Stacks(argparse.Action):
    """`--stack` may be repeated, each stack once: `--stack dev --stack dev` is refused."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        stacks = list(getattr(namespace, self.dest, None) or [])
        if values in stacks:
            raise argparse.ArgumentError(self, f"given more than once ({values})")
        setattr(namespace, self.dest, stacks + [values])


def _path(text: str) -> Path:
    if not text:  # Path("") is ".": an empty value would silently mean the current directory
        raise argparse.ArgumentTypeError("empty path")
    return Path(text)


def _report(text: str) -> tuple[str, Path]:
    """`FORMAT=FILE`: one more report of the same run."""
    fmt, sep, path = text.partition("=")
    if not sep or fmt not in FORMATS:
        raise argparse.ArgumentTypeError(f"{text!r}: expected FORMAT=FILE, FORMAT one of {', '.join(FORMATS)}")
    return fmt, _path(path)


def _pack_config(text: str) -> Path:
    """A config file, or `bundled:NAME` for the bundled pack's config/NAME.json."""
    try:
        found = bundled.config(text)
    except bundled.UnknownConfig as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return found if found is not None else _path(text)


def _seconds(text: str) -> float:
    try:
        return limits.seconds(text)
    except limits.LimitError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m preflight",
        description="Run a Pulumi Python program and its CrossGuard policy pack offline (no cloud, no CLI).")
    p.add_argument("--stack", action=_Stacks, default=None,
                   help="stack name: reads Pulumi.<stack>.yaml (default: dev); repeat it to check several stacks "
                        "in one run")
    p.add_argument("--all-stacks", action="store_true",
                   help="check every Pulumi.<stack>.yaml of the program (in its stackConfigDir) in one run")
    p.add_argument("--stack-outputs", action="append", default=[], metavar="NAME=FILE",
                   help="answer StackReference NAME with the outputs in FILE, the JSON report of an earlier run "
                        "(repeatable)")
    p.add_argument("--program", action=_Once, default=".", type=_path,
                   help="directory holding Pulumi.yaml (default: .)")
    p.add_argument("--policy-pack", action=_Once, type=_path,
                   help="policy pack directory (default: <program>/policies, else the bundled aws-cicd-guardrails)")
    p.add_argument("--policy-pack-config", action=_Once, type=_pack_config,
                   help="policy pack config JSON, or bundled:NAME for a config of the bundled pack "
                        f"({', '.join(bundled.PREFIX + n for n in bundled.config_names())}) (default: "
                        "<program>/policies/config/<stack>.json when it exists)")
    p.add_argument("--mode", action=_Once, choices=("preview", "up"), default="preview",
                   help="preview: computed outputs stay unknown; up: fabricated ids and ARNs (default: preview)")
    p.add_argument("--format", action=_Once, choices=FORMATS, default="text",
                   help="report format (default: text)")
    p.add_argument("--output", action=_Once, type=_path, help="write the report to FILE instead of stdout")
    p.add_argument("--report", action="append", type=_report, default=[], metavar="FORMAT=FILE",
                   help="also write the same run's report in FORMAT to FILE (repeatable)")
    p.add_argument("--program-timeout", action=_Once, type=_seconds,
                   default=limits.PROGRAM_TIMEOUT, metavar="SECONDS",
                   help=f"stop a program that runs longer (default: {limits.PROGRAM_TIMEOUT:g})")
    p.add_argument("--pack-start-timeout", action=_Once, type=_seconds,
                   default=limits.PACK_START_TIMEOUT, metavar="SECONDS",
                   help=f"stop a policy pack that does not answer by then (default: {limits.PACK_START_TIMEOUT:g})")
    p.add_argument("--analyze-timeout", action=_Once, type=_seconds,
                   default=limits.ANALYZE_TIMEOUT, metavar="SECONDS",
                   help=f"longest one Analyze/AnalyzeStack call may take (default: {limits.ANALYZE_TIMEOUT:g})")
    p.add_argument("--no-known-parts", action="store_true",
                   help="preview: skip judging the known parts of unknown values (extra runs as in --mode up)")
    p.add_argument("--install", action="store_true",
                   help="first build the program's missing virtualenv (Pulumi.yaml runtime.options.virtualenv) from "
                        "its requirements.txt, as `pulumi install` does; without it a missing one is refused, as "
                        "`pulumi preview` refuses it")
    p.add_argument("--timings", action="store_true", help="print time spent per phase on stderr")
    p.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    return p


def options(args: argparse.Namespace, stack: Optional[str] = None) -> RunOptions:
    stack = stack or (args.stack[0] if args.stack else "dev")
    program = args.program.resolve()
    pack = args.policy_pack or program / "policies"
    if args.policy_pack is None and not (pack / "PulumiPolicy.yaml").exists():
        pack = bundled.runnable_pack()
    config = args.policy_pack_config
    if config is None:
        # policies/config/<stack>.json, else that of the stack's environment (prod-orders -> prod.json).
        candidates = [program / "policies" / "config" / f"{name}.json" for name in (stack, stack.split("-")[0])]
        config = next((c for c in candidates if c.is_file()), None)
    return RunOptions(program=program, stack=stack, policy_pack=pack.resolve(), policy_pack_config=config,
                      mode=args.mode, program_timeout=args.program_timeout,
                      pack_start_timeout=args.pack_start_timeout, analyze_timeout=args.analyze_timeout,
                      progress=_progress, stack_outputs=list(args.stack_outputs),
                      known_parts=not args.no_known_parts, install=args.install)


def _stacks(args: argparse.Namespace) -> tuple[list[str], bool]:
    """The stacks of the run, and whether it is a run of one `--stack` (today's single-report shape)."""
    if args.all_stacks:
        if args.stack:
            raise UsageError("--stack and --all-stacks: give one or the other")
        stacks = discover(args.program)
    else:
        stacks = args.stack or ["dev"]
    sarif = "--format sarif" if args.format == "sarif" else \
        next((f"--report sarif={path}" for fmt, path in args.report if fmt == "sarif"), None)
    if sarif and len(stacks) > MAX_RUNS:
        raise UsageError(f"{sarif}: {len(stacks)} stacks, and GitHub code scanning takes at most {MAX_RUNS} "
                         "runs (one per stack) in a SARIF file; check them in runs of at most that many stacks")
    return stacks, not args.all_stacks and len(stacks) == 1


def _progress(message: str) -> None:
    """Shown to a person at a terminal; a CI log keeps its one line per failed run."""
    if sys.stderr.isatty():
        print(f"preflight: {message}", file=sys.stderr, flush=True)


def _check_program(path: Path) -> None:
    if not path.exists():
        raise UsageError(f"--program {path}: no such directory")
    if not path.is_dir():
        raise UsageError(f"--program {path}: not a directory")


def _check_output(path: Optional[Path], flag: str = "--output") -> None:
    """Refused before the run: a report that cannot be written must not cost a whole run first."""
    if path is None:
        return
    if path.is_dir():
        raise UsageError(f"{flag} {path}: is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"{flag} {path}: {parent} is not a directory")
    if not parent.is_dir():
        raise UsageError(f"{flag} {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"{flag} {path}: not writable")


def _on_signal(signum: int, _frame) -> None:
    for s in SIGNAL_EXIT:  # a second signal must not cut the clean-up short
        signal.signal(s, signal.SIG_IGN)
    raise Interrupted(signum)


def main(argv: Optional[Sequence[str]] = None) -> int:
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    previous = {s: signal.signal(s, _on_signal) for s in SIGNAL_EXIT}
    try:
        return _main(argv)
    except Interrupted as e:
        print(f"preflight: stopped by {signal.Signals(e.signum).name}", file=sys.stderr)
        return SIGNAL_EXIT[e.signum]
    except KeyboardInterrupt:
        print("preflight: stopped by SIGINT", file=sys.stderr)
        return 130
    except UsageError as e:
        print(f"preflight: {e}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except PreflightError as e:
        print(f"preflight: {_one_line(str(e))}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    except Exception as e:  # noqa: BLE001 - never a traceback and never exit 1 for a failure of ours
        if debug:
            traceback.print_exc()
        print(f"preflight: internal error: {type(e).__name__}: {_one_line(str(e))}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _main(argv: Optional[Sequence[str]]) -> int:
    args = parser().parse_args(argv)
    _check_program(args.program)
    _check_output(args.output)
    for _, path in args.report:
        _check_output(path, "--report")
    stacks, single = _stacks(args)
    if single:
        report = run(options(args, stacks[0]))
        _write(render(report, args.format), args.output)
        for fmt, path in args.report:
            _write(render(report, fmt), path, "--report")
        if args.timings:
            print(_timings(report.timings), file=sys.stderr)
        return report.exit_code
    multi = run_stacks([options(args, stack) for stack in stacks])
    if multi.reports:       # nothing to report when no stack ran: the lines say why
        _write(render(multi, args.format), args.output)
        for fmt, path in args.report:
            _write(render(multi, fmt), path, "--report")
    for line in multi.error_lines():
        print(f"preflight: {_one_line(line)}", file=sys.stderr)
    if args.timings:
        _multi_timings(multi)
    return multi.exit_code


def _write(text: str, output: Optional[Path], flag: str = "--output") -> None:
    text = text if text.endswith("\n") else text + "\n"
    if output:
        try:
            output.write_text(text)
        except OSError as e:
            raise UsageError(f"{flag} {output}: {e.strerror}") from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _timings(timings: dict[str, float], label: str = "timings") -> str:
    return f"{label}: " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items())


def _multi_timings(multi: MultiReport) -> None:
    for report in multi.reports:
        print(_timings(report.timings, f"timings {report.stack}"), file=sys.stderr)
    print(_timings(multi.timings), file=sys.stderr)


def _one_line(text: str) -> str:
    return " | ".join(line.strip() for line in text.splitlines() if line.strip())
