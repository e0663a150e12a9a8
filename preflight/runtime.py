"""`runtime:` of Pulumi.yaml: the program must be Python; its options read as the Python language host reads them.

Sources (github.com/pulumi/pulumi): sdk/go/common/workspace/project.go ProjectRuntimeInfo.UnmarshalYAML,
sdk/python/cmd/pulumi-language-python/main.go parseOptions, sdk/python/toolchain/toolchain.go
ResolveToolchain, sdk/python/toolchain/pip.go resolveVirtualEnvironmentPath, sdk/python/toolchain/uv.go newUv.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

TOOLCHAINS = ("pip", "poetry", "uv")
TYPECHECKERS = ("mypy", "pyright")


class RuntimeError_(ValueError):
    """A runtime section preflight (or the Python language host) refuses."""


@dataclass(frozen=True)
class PythonRuntime:
    toolchain: str                  # "pip", "poetry" or "uv" once resolved
    virtualenv: Optional[Path]      # None: the ambient interpreter (pip) or one poetry manages
    typechecker: Optional[str]


def _searchup(start: Path, name: str) -> Optional[Path]:
    for directory in (start, *start.parents):
        if (directory / name).exists():
            return directory
    return None


def _string_option(options: dict, key: str, allowed: Optional[tuple] = None) -> Optional[str]:
    if key not in options:
        return None
    value = options[key]
    if not isinstance(value, str):
        raise RuntimeError_(f"{key} option must be a string")
    if allowed is not None and value not in allowed:
        raise RuntimeError_(f"unsupported {key} option: {value}")
    return value


def python_runtime(runtime: Any, root: Path, program_dir: Path) -> PythonRuntime:
    """The runtime of a Python program; RuntimeError_ for another language or an option the host refuses."""
    if runtime is None:
        raise RuntimeError_("project is missing a 'runtime' attribute")
    name, options = (runtime, {}) if isinstance(runtime, str) else (runtime.get("name"), runtime.get("options") or {})
    if not name:
        raise RuntimeError_("project is missing a 'runtime' attribute")   # Project.Validate: RuntimeInfo.Name() == ""
    if name != "python":
        raise RuntimeError_(f"runtime {name!r} is not supported: preflight runs Python programs only (runtime: python)")
    virtualenv = _string_option(options, "virtualenv")
    typechecker = _string_option(options, "typechecker", TYPECHECKERS)
    toolchain = _string_option(options, "toolchain", TOOLCHAINS)
    if toolchain is None:
        toolchain = "uv" if _searchup(program_dir, "uv.lock") else \
            "poetry" if _searchup(program_dir, "poetry.lock") else "pip"
    if toolchain == "poetry":
        return PythonRuntime("poetry", None, typechecker)
    if not virtualenv and toolchain == "uv":
        project_dir = _searchup(root, "uv.lock") or _searchup(root, "pyproject.toml") or root
        virtualenv = os.environ.get("UV_PROJECT_ENVIRONMENT") or ".venv"
        virtualenv = os.path.join(project_dir, virtualenv)
    # filepath.Join(root, virtualenv) for a relative path; an absolute one is kept as written.
    path = Path(os.path.normpath(os.path.join(root, virtualenv))) if virtualenv else None
    return PythonRuntime(toolchain, path, typechecker)
