"""`Pulumi.yaml` + `Pulumi.<stack>.yaml`, turned into the config the CLI hands a program.

The CLI passes every value as a string keyed `namespace:key` (PULUMI_CONFIG): scalars as text, objects
and lists as Go-encoded JSON. Keys without a namespace belong to the project. `secure:` values need the
stack's secrets provider, which is not available offline, so they reach the program as SECRET_PLACEHOLDER
and their key is marked secret. The order of checks and their wording follow the CLI: loaders.go
LoadProjectBytes / LoadProjectStackBytes, project.go Project.Validate, pkg/workspace/config.go mergeConfig.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from preflight import config_values, project_schema, project_yaml
from preflight.config_values import SECRET_PLACEHOLDER
from preflight.names import project_name_error, stack_name_error
from preflight.runtime import RuntimeError_, python_runtime

__all__ = ["DECLARED_TYPES", "Project", "ProjectError", "SECRET_PLACEHOLDER", "load", "placeholder_note"]

DECLARED_TYPES = ("string", "integer", "boolean", "array", "object")
_EXTENSIONS = (".json", ".yaml", ".yml")             # encoding.Exts, in the CLI's order of preference
_GO_TYPES = {dict: "map[string]interface {}", list: "[]interface {}", str: "string", int: "int",
             float: "float64", bool: "bool", type(None): "<nil>"}


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
    virtualenv: Optional[Path] = None       # runtime.options.virtualenv resolved as the Python host does
    toolchain: str = "pip"
    typechecker: Optional[str] = None
    project_file: Optional[Path] = None
    stack_file: Optional[Path] = None

    def namespace(self, ns: str) -> dict[str, str]:
        """The config of one namespace (e.g. `aws`), keys without the namespace."""
        prefix = ns + ":"
        return {k[len(prefix):]: v for k, v in self.config.items() if k.startswith(prefix)}


@dataclass
class _File:
    path: Path
    lines: dict

    def error(self, message: str, *where: Any) -> ProjectError:
        line = self.lines.get(tuple(where)) if where else None
        return ProjectError(f"{self.path}{f':{line}' if line else ''}: {message}".replace("\n", " "))


def load(program_dir: str | Path, stack: str) -> Project:
    directory = Path(program_dir).resolve()
    problem = stack_name_error(stack)
    if problem:
        raise ProjectError(f"invalid stack name {stack!r}: {problem}")
    project_path = _project_file(directory)
    meta, pfile = _read(project_path, what="project")
    problem = project_schema.validate(meta)
    if problem:
        raise pfile.error(problem[0], *problem[1][:3])
    name = meta["name"]
    problem = project_name_error(name)
    if problem:
        raise pfile.error(f"'{name}' is not a valid project name: {problem}", "name")
    stack_dir = _stack_config_dir(meta, pfile)
    declared = _declarations(name, meta.get("config"), pfile)
    program_dir = directory / str(meta.get("main") or ".")
    try:
        runtime = python_runtime(meta.get("runtime"), directory,
                                 program_dir if program_dir.is_dir() else program_dir.parent)
    except RuntimeError_ as e:
        raise pfile.error(str(e), "runtime") from None
    main = _main_file(directory, meta)
    stack_path = Path(os.path.normpath(os.path.join(directory, stack_dir, f"Pulumi.{stack}{project_path.suffix}")))
    if not os.path.lexists(stack_path):
        raise ProjectError(f"stack file {stack_path} not found (stack {stack!r} of project {name!r})")
    stack_meta, sfile = _read(stack_path, what="stack")
    values, origin = _stack_values(name, stack_meta or {}, sfile)
    _merge_and_check(name, stack, declared, values, origin, sfile)
    description = meta.get("description")
    return Project(name=name, stack=stack, directory=directory, main=main,
                   description=description if isinstance(description, str) else "",
                   config={k: v[0] for k, v in values.items()},
                   secret_keys=sorted(k for k, v in values.items() if v[1]),
                   virtualenv=runtime.virtualenv, toolchain=runtime.toolchain, typechecker=runtime.typechecker,
                   project_file=project_path, stack_file=stack_path)


def placeholder_note(message: str, project: Project) -> Optional[str]:
    """A note for an error message that quotes SECRET_PLACEHOLDER: which secure keys it may stand for."""
    if SECRET_PLACEHOLDER not in message or not project.secret_keys:
        return None
    named = [k for k in project.secret_keys if k in message or k.split(":", 1)[1] in message]
    keys = named or project.secret_keys
    listed = ", ".join(f"'{k}'" for k in keys)
    if len(keys) == 1:
        return f"(secure config value {listed} is a placeholder offline: preflight cannot decrypt secrets)"
    return f"(secure config values {listed} are placeholders offline: preflight cannot decrypt secrets)"


def _project_file(directory: Path) -> Path:
    """paths.go findProjectInDir: Pulumi.json, Pulumi.yaml, Pulumi.yml; a directory of that name is skipped."""
    skipped = []
    for ext in _EXTENSIONS:
        candidate = directory / f"Pulumi{ext}"
        if candidate.is_file():
            return candidate
        if candidate.is_dir():
            skipped.append(f"{candidate} is a directory")
    extra = f" ({'; '.join(skipped)})" if skipped else ""
    raise ProjectError(f"no Pulumi.yaml project file found in {directory}{extra}")


def _read(path: Path, what: str) -> tuple[Any, _File]:
    try:
        raw = project_yaml.read(path)
    except OSError as e:
        raise ProjectError(f"{path}: could not read: {e.strerror or e}") from None
    try:
        data, lines = project_yaml.parse(raw, path.suffix)
    except project_yaml.YamlError as e:
        where = f":{e.line}" if e.line else ""
        raise ProjectError(f"{path}{where}: invalid YAML file: {e}".replace("\n", " ")) from None
    file = _File(path, lines)
    if data is None and what == "stack":
        return None, file                        # an empty stack file is a stack without config
    if not isinstance(data, dict):
        # SimplifyMarshalledProject's wording, for stack files too
        raise file.error(f"expected project to be an object, was '{_go_type(data)}'")
    for key in data:
        if not isinstance(key, str):
            raise file.error(f"expected only string keys, got '{_go_percent_s(key)}'")
    return data, file


def _go_type(value: Any) -> str:
    return next((name for kind, name in _GO_TYPES.items() if type(value) is kind), "time.Time")


def _go_percent_s(key: Any) -> str:
    """fmt's %s of a non-string key: `%!s(int=1)`."""
    if key is None:
        return "%!s(<nil>)"
    text = config_values.go_json(key) if isinstance(key, (bool, float)) else str(key)
    return f"%!s({_go_type(key)}={text})"


def _stack_config_dir(meta: dict, pfile: _File) -> str:
    """RewriteConfigPathIntoStackConfigDir: a string `config` is the deprecated spelling of stackConfigDir."""
    if isinstance(meta.get("config"), str):
        if "stackConfigDir" in meta:
            raise pfile.error("Should not use both config and stackConfigDir to define the stack directory. "
                              "Use only stackConfigDir instead.", "config")
        meta["stackConfigDir"], meta["config"] = meta["config"], None
    return meta.get("stackConfigDir") or ""


def _in_project(project: str, key: str) -> bool:
    return ":" not in key or key.startswith(project + ":")


def _parse_key(key: str) -> Optional[str]:
    """config/key.go ParseKey: `ns:name`, or the old `ns:config:name`."""
    parts = key.split(":")
    if len(parts) == 2:
        return key
    if len(parts) == 3 and parts[1] == "config":
        return f"{parts[0]}:{parts[2]}"
    return None


def _declarations(project: str, raw: Any, pfile: _File) -> dict[str, dict]:
    """Pulumi.yaml `config`, shorthands rewritten (RewriteShorthandConfigValues) and checked (Project.Validate)."""
    declared: dict[str, dict] = {}
    for key, spec in (raw or {}).items():
        if isinstance(spec, (str, int, bool, list)):
            spec = {"default" if _in_project(project, key) else "value": spec}
        if spec.get("default") is not None and spec.get("value") is not None:
            raise pfile.error(f"project config '{key}' cannot have both a 'default' and 'value' attribute",
                              "config", key)
        kind, has_default = spec.get("type"), spec.get("default") is not None
        if _in_project(project, key):
            if kind == "array" and spec.get("items") is None:
                raise pfile.error(f"The configuration key '{key}' declares an array but does not specify the "
                                  "underlying type via the 'items' attribute", "config", key)
            if kind is not None and has_default and not config_values.fits(kind, spec.get("items"), spec["default"]):
                raise pfile.error(f"The default value specified for configuration key '{key}' is not of the "
                                  f"expected type '{config_values.full_type_name(kind, spec.get('items'))}'",
                                  "config", key)
        elif kind is not None:
            raise pfile.error(f"Configuration key '{key}' is not namespaced by the project and should not "
                              "define a type", "config", key)
        elif has_default:
            raise pfile.error(f"Configuration key '{key}' is not namespaced by the project and should not define "
                              "a default value. Did you mean to use the 'value' attribute instead of 'default'?",
                              "config", key)
        elif spec.get("value") is None:
            raise pfile.error(f"Configuration key '{key}' is namespaced and must provide an attribute 'value'",
                              "config", key)
        declared[key] = spec
    return declared


def _stack_values(project: str, stack_meta: dict, sfile: _File) -> tuple[dict[str, tuple], dict[str, str]]:
    """(full key -> (text, secret, object), full key -> key as written) of the stack file's `config`."""
    for field_name in ("secretsprovider", "encryptedkey", "encryptionsalt"):
        if isinstance(stack_meta.get(field_name), (dict, list)):
            kind = "map" if isinstance(stack_meta[field_name], dict) else "seq"
            raise sfile.error(f"cannot unmarshal !!{kind} into string", field_name)
    raw = stack_meta.get("config")
    if raw is None:
        return {}, {}
    if not isinstance(raw, dict):
        kind = {list: "seq", str: "str", bool: "bool", int: "int", float: "float"}.get(type(raw), "str")
        raise sfile.error(f"could not unmarshal map: cannot unmarshal !!{kind} into map[string]config.Value",
                          "config")
    values: dict[str, tuple] = {}
    origin: dict[str, str] = {}
    for key, value in raw.items():
        written = key if isinstance(key, str) else config_values.go_key(key)
        # Only a map with string keys only gets the project namespace (stackConfigNamespacedWithProject).
        full = _parse_key(f"{project}:{key}" if isinstance(key, str) and ":" not in key else written)
        if full is None:
            raise sfile.error(f"could not unmarshal map: could not parse {written} as a configuration key "
                              "(configuration keys should be of the form `<namespace>:<name>`)", "config", written)
        if full in origin:
            # The CLI keeps whichever a Go map iteration meets last; preflight refuses the ambiguity.
            raise sfile.error(f"config keys '{origin[full]}' and '{written}' both name '{full}'", "config", written)
        try:
            values[full] = config_values.stack_value(value)
        except config_values.ConfigValueError as e:
            raise sfile.error(str(e), "config", written) from None
        origin[full] = written
    return values, origin


def _merge_and_check(project: str, stack: str, declared: dict[str, dict], values: dict[str, tuple],
                     origin: dict[str, str], sfile: _File) -> None:
    """pkg/workspace/config.go mergeConfig + validateStackConfigValues, in their order."""
    missing = []
    for key in sorted(declared):
        spec, full = declared[key], _parse_key(key if ":" in key else f"{project}:{key}") or key
        if full in values:
            continue
        fallback = spec.get("default") if spec.get("default") is not None else spec.get("value")
        if fallback is None:
            if full.split(":", 1)[0] == project:
                missing.append(key)
            continue
        try:
            text = config_values.project_value(fallback)
        except config_values.ConfigValueError as e:
            raise ProjectError(f"{sfile.path}: config '{key}' of the project: {e}") from None
        values[full] = (text, False, not isinstance(fallback, (str, int, bool)))
    if missing:
        listed = ", ".join(f"'{k}'" for k in missing[:-1]) + f" and '{missing[-1]}'" if len(missing) > 1 \
            else f"'{missing[0]}'"
        raise sfile.error(f"Stack '{stack}' is missing configuration value{'s' if len(missing) > 1 else ''} {listed}")
    for key in sorted(declared):
        spec, full = declared[key], _parse_key(key if ":" in key else f"{project}:{key}") or key
        if spec.get("type") is None:
            continue
        text, secret, is_object = values[full]
        where = ("config", origin[full]) if full in origin else ()
        if spec.get("secret") and not secret:
            raise sfile.error(f"Stack '{stack}' with configuration key '{key}' must be encrypted as it's secret", *where)
        if secret:
            continue                             # the ciphertext cannot be decrypted offline, so not type-checked
        content = config_values.stack_content(text, is_object)
        if not config_values.fits(spec["type"], spec.get("items"), content):
            type_name = config_values.full_type_name(spec["type"], spec.get("items"))
            raise sfile.error(f"Stack '{stack}' with configuration key '{key}' must be of type '{type_name}' "
                              f"(config key '{full}' must be of type '{type_name}', got "
                              f"{type(content).__name__} {config_values.go_json(content)[:60]})", *where)


def _main_file(directory: Path, meta: dict) -> Path:
    main = directory / str(meta.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.exists():
        raise ProjectError(f"program entry {main} not found")
    return main
