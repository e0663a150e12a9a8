"""policies/requirements.txt is all the pack's virtualenv gets (PulumiPolicy.yaml: virtualenv: venv):
every third-party module the pack imports, eagerly or through importlib, must be pinned there, to
the version the repository's own requirements-dev.txt tests it with."""
from __future__ import annotations

import ast
import importlib.metadata
import pickle
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "policies"


def _name(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


def pins(path: Path) -> dict[str, str]:
    """{normalised distribution: version} of a requirements file and those it includes (`-r`); a line
    not pinned with == fails."""
    found = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)", line)
        assert m, f"{path.name}: {line!r} is not pinned as name==version"
        found[_name(m.group(1))] = m.group(2)
    return found


def pack_sources() -> list[Path]:
    return sorted(p for p in PACK_DIR.rglob("*.py") if "venv" not in p.relative_to(PACK_DIR).parts)


def _parse(path: Path) -> ast.Module:
    try:
        return ast.parse(path.read_text(), str(path))
    except SystemError:
        # CPython 3.11 before 3.11.8 (python/cpython#106905): once an AST construction failed in this process,
        # a later ast.parse can raise "AST constructor recursion depth mismatch"; a fresh interpreter parses.
        code = "import ast, pickle, sys; sys.stdout.buffer.write(pickle.dumps(ast.parse(open(sys.argv[1]).read())))"
        done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, check=True, timeout=60)
        return pickle.loads(done.stdout)


def imported_modules(path: Path) -> set[str]:
    """Dotted names of absolute imports, and of importlib.import_module("…") calls."""
    found = set()
    for node in ast.walk(_parse(path)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
              in ("import_module", "__import__") and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value)
    return found


def distributions_of(module: str) -> set[str]:
    """The distributions that provide `module`; for a namespace shared by several (`google`), the
    one whose files hold the imported subpackage (`google.protobuf` is protobuf's alone)."""
    top, _, rest = module.partition(".")
    dists = set(importlib.metadata.packages_distributions().get(top, []))
    if len(dists) > 1 and rest:
        sub = f"{top}/{rest.split('.')[0]}"
        dists = {d for d in dists
                 if any(str(f).startswith((sub + "/", sub + ".")) for f in importlib.metadata.files(d) or [])}
    return {_name(d) for d in dists}


def own_modules() -> set[str]:
    return {p.stem for p in PACK_DIR.glob("*.py")} | {p.name for p in PACK_DIR.iterdir()
                                                       if (p / "__init__.py").exists()}


def third_party_imports() -> dict[str, set[Path]]:
    """{dotted module: files importing it}, neither stdlib nor the pack's own."""
    found: dict[str, set[Path]] = {}
    skip = set(sys.stdlib_module_names) | own_modules() | {"__future__"}
    for path in pack_sources():
        for module in imported_modules(path):
            if module.split(".")[0] not in skip:
                found.setdefault(module, set()).add(path.relative_to(ROOT))
    return found


def test_the_walk_sees_the_eager_and_the_lazy_imports():
    modules = third_party_imports()
    assert {"pulumi_policy", "yaml", "jsonschema", "parliament"} <= set(modules)
    assert modules["parliament"] == {Path("policies/aws_cicd_guardrails/iam_actions.py")}
    assert not {m for m in modules if m.split(".")[0] in ("rules", "json", "importlib", "__future__")}
    assert distributions_of("google.protobuf") == {"protobuf"} and distributions_of("yaml") == {"pyyaml"}


def test_every_import_of_the_pack_is_pinned_like_the_repository():
    pack, repo = pins(PACK_DIR / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    missing, mismatched = [], []
    for module, files in sorted(third_party_imports().items()):
        dists = distributions_of(module)
        assert dists, f"{module} (imported by {sorted(map(str, files))}) is not installed here"
        for dist in sorted(dists):
            if dist not in pack:
                missing.append(f"{dist} (import {module} in {', '.join(sorted(map(str, files)))})")
            elif repo.get(dist) != pack[dist]:
                mismatched.append(f"{dist}=={pack[dist]} (requirements-dev.txt: {repo.get(dist)})")
    assert not missing, f"policies/requirements.txt lacks {missing}"
    assert not mismatched, f"policies/requirements.txt disagrees with requirements-dev.txt: {mismatched}"


def test_every_pin_of_the_pack_is_the_repository_pin():
    """setuptools too: the CLI upgrades it to the newest when it builds the pack's venv, which lacks the
    pkg_resources parliament imports, so both venvs pin a release that still has it."""
    pack, repo = pins(PACK_DIR / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    assert pack["parliament"] == "1.6.4" and int(pack["setuptools"].split(".")[0]) < 82
    differing = {dist: (v, repo.get(dist)) for dist, v in pack.items() if repo.get(dist) != v}
    assert differing == {}
