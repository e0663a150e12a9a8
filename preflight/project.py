"""`Pulumi.yaml` + `Pulumi.<stack>.yaml`, turned into the config the CLI hands a program.

The CLI passes every value as a string keyed `namespace:key` (PULUMI_CONFIG): scalars in
their YAML spelling, objects and lists as JSON. Keys without a namespace belong to the
project. `secure:` values need the stack's secrets provider, which is not available
offline, so they reach the program as a placeholder and their key is marked secret.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

SECRET_PLACEHOLDER = "[secret]"
DECLARED_TYPES = ("string", "integer", "boolean", "array", "object")


class ProjectError(ValueError):
    """The project or stack configuration the CLI would refuse; one line for the user."""


@dataclass
class Project:
    name: str
    stack: str
    directory: Path
    main: Path                              # the program's entry file
    description: str = ""
    config: dict[str, str] = field(default_factory=dict)   # PULUMI_CONFIG
    secret_keys: list[str] = field(default_factory=list)   # PULUMI_CONFIG_SECRET_KEYS

    def namespace(self, ns: str) -> dict[str, str]:
        """The config of one namespace (e.g. `aws`), keys without the namespace."""
        prefix = ns + ":"
        return {k[len(prefix):]: v for k, v in self.config.items() if k.startswith(prefix)}


def load(program_dir: str | Path, stack: str) -> Project:
    directory = Path(program_dir).resolve()
    project_file = _project_file(directory)
    meta = _read_yaml(project_file)
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        raise ProjectError(f"{project_file}: missing project name")
    stack_file = directory / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        raise ProjectError(f"stack file {stack_file} not found (stack {stack!r} of project {name!r})")
    stack_meta = _read_yaml(stack_file)
    declared, defaults = _project_config(name, meta.get("config"), project_file)
    config, secret_keys = dict(defaults), set()
    raw_stack_config = stack_meta.get("config") or {}
    if not isinstance(raw_stack_config, dict):
        raise ProjectError(f"{stack_file}: 'config' must be a mapping")
    for key, value in raw_stack_config.items():
        full = _full_key(name, key, stack_file)
        text, is_secret = _config_value(value)
        config[full] = text
        if is_secret:
            secret_keys.add(full)
    _check_declared(declared, raw_stack_config, config, name, stack, stack_file)
    return Project(name=name, stack=stack, directory=directory, main=_main_file(directory, meta),
                   description=str(meta.get("description") or ""), config=config,
                   secret_keys=sorted(secret_keys))


def _project_file(directory: Path) -> Path:
    for candidate in ("Pulumi.yaml", "Pulumi.yml"):
        if (directory / candidate).exists():
            return directory / candidate
    raise ProjectError(f"no Pulumi.yaml in {directory}")


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ProjectError(f"{path}{where}: invalid YAML: {getattr(e, 'problem', None) or e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: must be a YAML mapping")
    return data


def _main_file(directory: Path, meta: dict) -> Path:
    main = directory / str(meta.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.exists():
        raise ProjectError(f"program entry {main} not found")
    return main


def _full_key(project: str, key: Any, source: Path) -> str:
    if not isinstance(key, str) or not key or key.startswith(":") or key.endswith(":"):
        raise ProjectError(f"{source}: config key {key!r} is not a valid key (`key` or `namespace:key`)")
    return key if ":" in key else f"{project}:{key}"


def _config_value(value: Any) -> tuple[str, bool]:
    """(the string the program reads, whether it holds a secret)."""
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_PLACEHOLDER, True
    if isinstance(value, (dict, list)):
        plain, is_secret = _strip_secure(value)
        return json.dumps(plain), is_secret
    return _scalar(value), False


def _strip_secure(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        out, found = {}, False
        for k, v in value.items():
            out[str(k)], sub = _strip_secure(v)
            found = found or sub
        return out, found
    if isinstance(value, list):
        pairs = [_strip_secure(v) for v in value]
        return [p[0] for p in pairs], any(p[1] for p in pairs)
    return value, False


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _project_config(project: str, raw: Any, source: Path) -> tuple[dict[str, dict], dict[str, str]]:
    """(declared project keys with their schema, default values) from Pulumi.yaml's `config`."""
    if raw is None:
        return {}, {}
    if not isinstance(raw, dict):
        raise ProjectError(f"{source}: 'config' must be a mapping")
    declared: dict[str, dict] = {}
    defaults: dict[str, str] = {}
    for key, spec in raw.items():
        full = _full_key(project, key, source)
        if isinstance(spec, dict) and ("type" in spec or "default" in spec or "description" in spec
                                       or "secret" in spec):
            kind = spec.get("type")
            if kind is not None and kind not in DECLARED_TYPES:
                raise ProjectError(f"{source}: config key {key!r}: unknown type {kind!r}")
            declared[full] = spec
            if "default" in spec:
                defaults[full] = _config_value(spec["default"])[0]
        elif isinstance(spec, dict) and set(spec) == {"value"}:
            defaults[full] = _config_value(spec["value"])[0]
        else:
            defaults[full] = _config_value(spec)[0]
    return declared, defaults


def _check_declared(declared: dict[str, dict], raw_stack: dict, config: dict[str, str], project: str,
                    stack: str, stack_file: Path) -> None:
    given = {_full_key(project, k, stack_file): v for k, v in raw_stack.items()}
    for key, spec in declared.items():
        if key not in config:
            raise ProjectError(f"stack {stack!r} is missing configuration value {key!r} "
                               f"(declared in Pulumi.yaml without a default)")
        if key not in given:
            continue
        value = given[key]
        if isinstance(value, dict) and set(value) == {"secure"}:
            continue
        kind = spec.get("type")
        if kind and not _has_type(value, kind):
            raise ProjectError(f"{stack_file}: config key {key!r} must be of type {kind!r}, "
                               f"got {type(value).__name__} {json.dumps(value, default=str)[:60]}")


def _has_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    return isinstance(value, dict)
