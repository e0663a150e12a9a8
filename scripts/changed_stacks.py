"""Which stacks a change touches: the matrix of the pull-request workflow, and what each of its jobs runs.

    git diff --name-only --no-renames BASE...HEAD | python scripts/changed_stacks.py  # ["prod","prod-orders"]
    python scripts/changed_stacks.py components/platform.py docs/rules.md    # paths as arguments
    python scripts/changed_stacks.py --readers prod          # stacks whose foundation is prod (deploy matrix)
    python scripts/changed_stacks.py --describe prod-orders  # STACKS=prod prod-orders / PACK_CONFIG=...

Paths are relative to the program directory (`--program`, default: the current directory), as `git diff`
prints them from the repository root. The stacks are the `Pulumi.<stack>.yaml` files of the project's
stackConfigDir, and the output is one compact JSON list of stack names, sorted (`[]` when nothing needs
checking), ready for `fromJSON` in a matrix. A path selects:

- `Pulumi.<stack>.yaml`: that stack (if it still exists), and every stack reading it as its foundation,
  transitively: a service stack names its foundation in config `aws-cicd-platform:foundation`
  (`<stack>`, `<org>/<stack>` or `<org>/<project>/<stack>`); no key, or another project's stack: independent;
- `policies/config/<x>.json`: every stack using that pack config (`<stack>.json`, else the config of its
  environment, the name up to the first '-', as `make preflight` picks it) and the stack named x;
- the program, the pack, preflight and what runs them (`components/`, `__main__.py`, `Pulumi.yaml`,
  `requirements.txt`, `policies/`, `preflight/`, the Makefile, the pull-request workflow and this script):
  every stack;
- anything else (docs, tests, benchmarks, other workflows): nothing.

`--describe STACK` prints, for `>> "$GITHUB_ENV"`, the stacks one preflight run needs to check STACK
(the foundations it reads first, so their outputs answer its StackReferences) and the pack config they
share; stacks of one run whose configs differ are refused (preflight takes one --policy-pack-config).
Exit 0, or 2 with one line on stderr.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Iterable, Optional, Sequence

import yaml

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
CONFIG_DIR = "policies/config"
FOUNDATION_KEY = "foundation"
# tokens.ParseStackName: letters, digits, '-', '_', '.' (at most 100); keeps the outputs shell- and env-safe.
NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
EVERY_STACK_DIRS = ("components/", "policies/", "preflight/")
EVERY_STACK_FILES = ("__main__.py", "requirements.txt", "requirements-dev.txt", "pyproject.toml", "Makefile",
                     ".github/workflows/pull-request.yml", "scripts/changed_stacks.py")


class Failure(Exception):
    pass


class Layout:
    """The program's project name, its stacks and where their files are."""

    def __init__(self, program: Path) -> None:
        self.program = program
        project_file = next((program / name for name in PROJECT_FILES if (program / name).is_file()), None)
        if project_file is None:
            raise Failure(f"{program}: no Pulumi.yaml")
        meta = _yaml(project_file)
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
            raise Failure(f"{project_file}: not a Pulumi project (no name)")
        self.project_file = project_file.name
        self.project = meta["name"]
        folder = meta.get("stackConfigDir")
        if folder is None and isinstance(meta.get("config"), str):      # the deprecated spelling
            folder = meta["config"]
        folder = _normal(folder) if isinstance(folder, str) else ""
        self.stack_dir = "" if folder == "." else folder
        self.suffix = project_file.suffix
        directory = program / self.stack_dir
        self.stacks = sorted(
            name for name in (self._stack_of(p.name) for p in directory.iterdir() if p.is_file())
            if name) if directory.is_dir() else []
        self.foundation = {stack: self._foundation(stack) for stack in self.stacks}

    def _stack_of(self, filename: str) -> Optional[str]:
        prefix = "Pulumi."
        if filename.startswith(prefix) and filename.endswith(self.suffix):
            name = filename[len(prefix):-len(self.suffix)]
            return name if NAME.fullmatch(name) else None
        return None

    def stack_file(self, path: str) -> Optional[str]:
        """The stack whose file `path` is (whether or not it still exists)."""
        folder, _, filename = path.rpartition("/")
        return self._stack_of(filename) if folder == self.stack_dir else None

    def _foundation(self, stack: str) -> Optional[str]:
        """The stack of this project that `stack` reads as its foundation, or None."""
        path = self.program / self.stack_dir / f"Pulumi.{stack}{self.suffix}"
        try:
            data = _yaml(path)
        except Failure as e:     # preflight will say what is wrong with it; here, it reads nothing
            print(f"changed_stacks: {e}; {stack} is taken as reading no foundation", file=sys.stderr)
            return None
        config = data.get("config") if isinstance(data, dict) else None
        if not isinstance(config, dict):
            return None
        # A key without a namespace is the project's own, as the CLI reads it.
        value = config.get(f"{self.project}:{FOUNDATION_KEY}", config.get(FOUNDATION_KEY))
        if not isinstance(value, str):      # missing, or no plain name (secure: value, number): independent
            return None
        parts = value.split("/")
        if not 1 <= len(parts) <= 3 or not all(NAME.fullmatch(p) for p in parts):
            return None
        if len(parts) == 3 and parts[1] != self.project:
            return None
        return parts[-1]

    def readers(self, stacks: Iterable[str]) -> set[str]:
        """`stacks` and every stack reading one of them as its foundation, transitively."""
        found, todo = set(stacks), list(stacks)
        while todo:
            current = todo.pop()
            for stack, foundation in self.foundation.items():
                if foundation == current and stack not in found:
                    found.add(stack)
                    todo.append(stack)
        return found

    def config(self, stack: str) -> Optional[str]:
        """The pack config of `stack` (relative to the program), as `make preflight STACK=<stack>` picks it:
        policies/config/<stack>.json, else policies/config/<name up to the first '-'>.json."""
        for name in (stack, stack.split("-", 1)[0]):
            path = f"{CONFIG_DIR}/{name}.json"
            if (self.program / path).is_file():
                return path
        return None

    def foundations(self, stack: str) -> list[str]:
        """The stacks of this program `stack` reads, nearest last, then `stack` itself."""
        chain = [stack]
        while (foundation := self.foundation.get(chain[0])) in self.foundation and foundation not in chain:
            chain.insert(0, foundation)
        return chain


def _yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise Failure(f"{path}: {e.strerror or e}") from None
    except yaml.YAMLError as e:
        raise Failure(f"{path}: not valid YAML ({' '.join(str(e).split())})") from None


def _normal(path: str) -> str:
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path.rstrip("/")


def changed(layout: Layout, paths: Iterable[str]) -> list[str]:
    every = set(layout.stacks)
    selected: set[str] = set()
    stack_files: set[str] = set()
    for raw in paths:
        path = _normal(raw)
        if not path:
            continue
        stack = layout.stack_file(path)
        if stack is not None:
            stack_files.add(stack)
        elif path.startswith(CONFIG_DIR + "/") and path.endswith(".json") and path.count("/") == 2:
            name = path[len(CONFIG_DIR) + 1:-len(".json")]
            selected |= {s for s in every if s == name or layout.config(s) == path}
        elif path == layout.project_file or path in EVERY_STACK_FILES or path.startswith(EVERY_STACK_DIRS):
            return sorted(every)
    return sorted((selected | layout.readers(stack_files)) & every)


def describe(layout: Layout, stack: str) -> str:
    if stack not in layout.stacks:
        raise Failure(f"{stack}: no stack file Pulumi.{stack}{layout.suffix}")
    chain = layout.foundations(stack)
    configs = {s: layout.config(s) for s in chain}
    if configs[stack] is None:
        raise Failure(f"{stack}: no pack config {CONFIG_DIR}/{stack}.json or "
                      f"{CONFIG_DIR}/{stack.split('-', 1)[0]}.json")
    differ = [s for s in chain if configs[s] != configs[stack]]
    if differ:
        theirs = ", ".join(f"{s}: {configs[s] or 'none'}" for s in differ)
        raise Failure(f"{stack} reads {', '.join(differ)}, whose pack config differs ({theirs}; "
                      f"{stack}: {configs[stack]}), and a preflight run takes one --policy-pack-config")
    return f"STACKS={' '.join(chain)}\nPACK_CONFIG={configs[stack]}\n"


def matrix(stacks: Sequence[str]) -> str:
    return json.dumps(sorted(stacks), separators=(",", ":"))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="changed paths (default: read from stdin, one per line)")
    parser.add_argument("--program", type=Path, default=Path("."), help="directory holding Pulumi.yaml")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--all", action="store_true", help="every stack")
    what.add_argument("--readers", metavar="STACK", help="the stacks whose foundation is STACK")
    what.add_argument("--describe", metavar="STACK",
                      help="STACKS and PACK_CONFIG of the preflight run for STACK")
    args = parser.parse_args(argv)
    try:
        layout = Layout(args.program)
        if (args.all or args.readers or args.describe) and args.paths:
            raise Failure("paths are read only without --all, --readers and --describe")
        if args.all:
            out = matrix(layout.stacks)
        elif args.readers:
            out = matrix([s for s, f in layout.foundation.items() if f == args.readers])
        elif args.describe:
            out = describe(layout, args.describe).rstrip("\n")
        else:
            out = matrix(changed(layout, args.paths or sys.stdin.read().splitlines()))
    except Failure as e:
        print(f"changed_stacks: {e}", file=sys.stderr)
        return 2
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
