"""The aws-cicd-guardrails pack that comes with preflight, and its per-stack configs.

In a checkout it is `policies/` beside this package, run as the CLI runs it (its own virtualenv).
Installed by pip (or pre-commit), it is the `aws_cicd_guardrails_pack` directory in site-packages,
whose rules library `aws_cicd_guardrails` is installed beside it: its PulumiPolicy.yaml names a
virtualenv to build from requirements.txt, which could not import that library, so the installed
pack runs on this interpreter instead, through a copy of its PulumiPolicy.yaml whose virtualenv is
one that execs this interpreter.
"""
from __future__ import annotations

import atexit
import functools
import importlib.util
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Optional

import yaml

PREFIX = "bundled:"
INSTALLED = "aws_cicd_guardrails_pack"
CHECKOUT = Path(__file__).resolve().parent.parent / "policies"


class UnknownConfig(ValueError):
    pass


def pack_dir() -> Path:
    """Where the bundled pack's files are: the checkout's policies/, else the installed package."""
    if (CHECKOUT / "aws_cicd_guardrails").is_dir() and (CHECKOUT / "PulumiPolicy.yaml").is_file():
        return CHECKOUT
    spec = importlib.util.find_spec(INSTALLED)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the bundled policy pack is missing: no {CHECKOUT}, no {INSTALLED} "
                                "installed")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def installed() -> bool:
    return pack_dir() != CHECKOUT


def config_names() -> list[str]:
    return sorted(p.stem for p in (pack_dir() / "config").glob("*.json"))


def config(text: str) -> Optional[Path]:
    """`bundled:NAME` as the path of that bundled config; None for any other text."""
    if not text.startswith(PREFIX):
        return None
    name, names = text[len(PREFIX):], config_names()
    if name not in names:
        raise UnknownConfig(f"{text}: no bundled config of that name; bundled: "
                            f"{', '.join(PREFIX + n for n in names)}")
    return pack_dir() / "config" / f"{name}.json"


def runnable_pack() -> Path:
    """The directory to run the bundled pack from: see the module's docstring."""
    return _on_this_interpreter(pack_dir()) if installed() else pack_dir()


@functools.lru_cache(maxsize=None)
def _on_this_interpreter(pack: Path) -> Path:
    shim = Path(tempfile.mkdtemp(prefix="preflight-bundled-pack-"))
    atexit.register(shutil.rmtree, shim, True)
    meta = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text())
    meta["runtime"] = {"name": "python", "options": {"virtualenv": str(shim / "env")}}
    (shim / "PulumiPolicy.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
    for name in ("__main__.py", "config"):
        (shim / name).symlink_to(pack / name)
    # exec, not a symlink: a venv's python finds its pyvenv.cfg only under its own path.
    python = shim / "env" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
    python.chmod(0o755)
    return shim
