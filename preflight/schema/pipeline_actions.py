"""CodePipeline action configuration against the action structure reference, found offline.

The provider passes an action's `configuration` map through untouched; CodePipeline checks its keys and
values only when the pipeline is created or the action runs. pipeline_actions.json holds, per action type,
the documented keys (case-sensitive), which are required, and the documented value forms, each with its
page. An action type without an entry (custom, third-party, other AWS providers) is not checked:
`unknown_action_types` names them so the caller can say what it could not check.
"""
from __future__ import annotations

import difflib
import json
import math
import re
from pathlib import Path
from typing import Any, Iterator, Optional

from preflight.protocol import SECRET_SIG, SECRET_SIG_KEY, UNKNOWN

_TABLE = json.loads(Path(__file__).with_name("pipeline_actions.json").read_text())["action_types"]
# ActionTypeId.category / .owner enums and the value and command limits of the CodePipeline API
# (https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html).
CATEGORIES = ("Source", "Build", "Deploy", "Test", "Invoke", "Approval", "Compute")
OWNERS = ("AWS", "ThirdParty", "Custom")
MAX_VALUE = 1000
MAX_COMMANDS = 50
_PROVIDERS = {e["provider"] for e in _TABLE}
_VARIABLE = re.compile(r"#\{[^}]*\}")
_CANARY = re.compile(r"^Canary(\d+)Percent(\d+)Minutes?$")
_LINEAR = re.compile(r"^Linear(\d+)PercentEvery(\d+)Minutes?$")
_MAX_WAIT_MINUTES = 2 * 24 * 60
_CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")
_ENV_TYPES = ("PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER")


def check_pipeline_stages(stages: Any) -> list[tuple[str, str]]:
    """(path relative to `stages`, message) for each documented rule an action breaks."""
    findings: list[tuple[str, str]] = []
    for path, action in _actions(stages):
        findings += _check_action(path, action)
    return findings


def unknown_action_types(stages: Any) -> list[str]:
    """owner/category/provider of each action type without a table entry ('?' where not yet known)."""
    seen: list[str] = []
    for _, action in _actions(stages):
        owner, category, provider, _ = _type_of(action)
        if _entry(owner, category, provider) is None and not _impossible(owner, category, provider):
            name = "/".join(p if isinstance(p, str) else "?" for p in (owner, category, provider))
            if name not in seen:
                seen.append(name)
    return seen


def check_pipeline_type(pipeline_type: Any, stages: Any) -> list[tuple[str, str]]:
    """Actions documented as V2-only in a pipeline that is not V2 (the provider's default is V1)."""
    pipeline_type, _ = _plain(pipeline_type)
    if pipeline_type is None:
        pipeline_type = "V1"
    if not isinstance(pipeline_type, str) or pipeline_type == UNKNOWN:
        return []
    findings = []
    for path, action in _actions(stages):
        entry = _entry(*_type_of(action)[:3])
        types = entry.get("pipeline_types", [pipeline_type]) if entry else [pipeline_type]
        if pipeline_type not in types:
            findings.append((path, f"{_label(entry, action)} runs only in {'/'.join(types)} pipelines; "
                                   f"pipelineType is {pipeline_type} ({entry['doc']})"))
    return findings


def _plain(value: Any) -> tuple[Any, bool]:
    """The value with any secret wrapper removed, and whether there was one."""
    secret = False
    while isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG:
        value, secret = value.get("value"), True
    return value, secret


def _actions(stages: Any) -> Iterator[tuple[str, dict]]:
    stages, _ = _plain(stages)
    if not isinstance(stages, list):
        return
    for i, stage in enumerate(stages):
        stage, _ = _plain(stage)
        actions, _ = _plain(stage.get("actions")) if isinstance(stage, dict) else (None, False)
        if not isinstance(actions, list):
            continue
        for j, action in enumerate(actions):
            action, _ = _plain(action)
            if isinstance(action, dict):
                yield f"[{i}].actions[{j}]", action


def _type_of(action: dict) -> tuple[Any, ...]:
    """owner, category, provider, version: a string, or None where unknown or not a string."""
    values = (_plain(action.get(k))[0] for k in ("owner", "category", "provider", "version"))
    return tuple(v if isinstance(v, str) and v != UNKNOWN else None for v in values)


def _entry(owner: Any, category: Any, provider: Any) -> Optional[dict]:
    return next((e for e in _TABLE if e["owner"] == owner and e["provider"] == provider
                 and category in e["categories"]), None)


def _impossible(owner: Any, category: Any, provider: Any) -> bool:
    """A type AWS cannot have: a category or owner outside the API enums, or a tabled provider elsewhere."""
    if category is not None and category not in CATEGORIES or owner is not None and owner not in OWNERS:
        return True
    return owner == "AWS" and category is not None and provider in _PROVIDERS \
        and _entry(owner, category, provider) is None


def _label(entry: dict, action: dict) -> str:
    return f"the {_type_of(action)[1]} action {entry['provider']}"


def _check_action(path: str, action: dict) -> list[tuple[str, str]]:
    owner, category, provider, version = _type_of(action)
    if category is not None and category not in CATEGORIES:
        return [(f"{path}.category", f"category {category!r} is not one of {'|'.join(CATEGORIES)}")]
    if owner is not None and owner not in OWNERS:
        return [(f"{path}.owner", f"owner {owner!r} is not one of {'|'.join(OWNERS)}")]
    if _impossible(owner, category, provider):
        homes = sorted({c for e in _TABLE if e["provider"] == provider for c in e["categories"]})
        return [(f"{path}.category", f"there is no {category} action with provider {provider} "
                                     f"(AWS has it as {'|'.join(homes)})")]
    entry = _entry(owner, category, provider)
    if entry is None:
        return []
    findings = []
    if version is not None and version != "1":
        findings.append((f"{path}.version", f"{_label(entry, action)} has version 1 only, not {version!r} "
                                            f"({entry['doc']})"))
    config, _ = _plain(action.get("configuration"))
    if config is None:
        config = {}
    if isinstance(config, dict):
        findings += _check_configuration(f"{path}.configuration", entry, config, action)
    if entry.get("commands"):
        findings += _check_commands(f"{path}.commands", entry, action)
    return findings


def _check_configuration(path: str, entry: dict, config: dict, action: dict) -> list[tuple[str, str]]:
    keys, doc, label = entry["keys"], entry["doc"], _label(entry, action)
    findings = []
    for key in config:
        if isinstance(key, str) and key not in keys:
            findings.append((f"{path}.{key}", f"{key!r} is not a configuration key of {label}"
                                              f"{_did_you_mean(key, keys)} ({doc})"))
    for key, spec in keys.items():
        value, secret = _plain(config.get(key))
        if value is None:
            why = _required(spec, config, action)
            if why is not None:
                findings.append((f"{path}.{key}", f"{label} needs {key}{why} ({doc})"))
            continue
        for other, wanted in spec.get("requires", {}).items():
            if not _holds(config, other, wanted):
                findings.append((f"{path}.{key}", f"{key} is only available with {other}"
                                                  f"{'' if wanted is None else ' = ' + wanted} ({doc})"))
        if not isinstance(value, str) or value == UNKNOWN:
            continue
        problem = _value_problem(spec, value)
        if problem:
            shown = "the secret value" if secret else repr(value)
            findings.append((f"{path}.{key}", f"{key} {shown} {problem} ({doc})"))
    return findings


def _did_you_mean(key: str, known: Any) -> str:
    folded = [k for k in known if k.lower() == key.lower()]
    close = folded or difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _required(spec: dict, config: dict, action: dict) -> Optional[str]:
    """None when a missing key may stay missing; else the condition that requires it ('' for always)."""
    if spec.get("required"):
        return ""
    for other, values in spec.get("required_if", {}).items():
        value = _known(config.get(other))
        if value is not None and value.lower() in (v.lower() for v in values):
            return f" when {other} is {value}"
    if spec.get("required_without_input_artifacts"):
        artifacts, _ = _plain(action.get("inputArtifacts"))
        if artifacts is None or artifacts == []:
            return " when the action has no input artifact"
    return None


def _holds(config: dict, key: str, wanted: Optional[str]) -> bool:
    """Whether config[key] is present (and, when `wanted` is given, equal to it); unknowns count as held."""
    raw, _ = _plain(config.get(key))
    if raw is None:
        return False
    value = _known(raw)
    return wanted is None or value is None or value.lower() == wanted.lower()


def _known(value: Any) -> Optional[str]:
    """A plain string value that can be compared: None when unknown, not a string, or a variable."""
    value, _ = _plain(value)
    if not isinstance(value, str) or value == UNKNOWN or _VARIABLE.search(value):
        return None
    return value


def _value_problem(spec: dict, value: str) -> str:
    if len(value) > MAX_VALUE:
        return f"is {len(value)} characters; CodePipeline takes at most {MAX_VALUE}"
    if _VARIABLE.search(value):
        return ""
    if "enum" in spec and value not in spec["enum"]:
        return f"is not one of {'|'.join(spec['enum'])}"
    check = _FORMATS.get(spec.get("format", ""))
    return check(value) if check else ""


def _boolean(value: str) -> str:
    return "" if value.lower() in ("true", "false") else "is not true|false"


def _positive_integer(value: str) -> str:
    return "" if value.isdigit() and int(value) > 0 else "is not a whole number of minutes"


def _deploy_strategy(value: str) -> str:
    if value == "AllAtOnce":
        return ""
    canary, linear = _CANARY.match(value), _LINEAR.match(value)
    if not canary and not linear:
        return ("is not AllAtOnce, Canary<N>Percent<M>Minutes or Linear<N>PercentEvery<M>Minutes "
                "(e.g. Canary10Percent5Minutes, Linear10PercentEvery1Minute)")
    percent, minutes = (int(g) for g in (canary or linear).groups())
    if not 1 <= percent <= 100 or minutes < 1:
        return "needs a percentage of 1-100 and at least one minute"
    wait = minutes if canary else minutes * (math.ceil(100 / percent) - 1)
    return f"waits {wait} minutes in all; the maximum is 2 days" if wait > _MAX_WAIT_MINUTES else ""


def _alarm_names(value: str) -> str:
    names = value.split(",")
    if len(names) > 10:
        return f"names {len(names)} alarms; at most 10"
    return "has an empty alarm name" if any(not n.strip() for n in names) else ""


def _capabilities(value: str) -> str:
    wrong = [c for c in value.split(",") if c not in _CAPABILITIES]
    return f"is not a comma-separated (no spaces) list of {'|'.join(_CAPABILITIES)}" if wrong else ""


def _json_object(value: str) -> str:
    try:
        return "" if isinstance(json.loads(value), dict) else "is not a JSON object"
    except ValueError:
        return "is not a JSON object"


def _codebuild_environment_variables(value: str) -> str:
    try:
        items = json.loads(value)
    except ValueError:
        return "is not a JSON array of {name, value, type} objects"
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return "is not a JSON array of {name, value, type} objects"
    for item in items:
        if not isinstance(item.get("name"), str) or not isinstance(item.get("value"), str):
            return "has an entry without string name and value"
        if item.get("type", "PLAINTEXT") not in _ENV_TYPES or set(item) - {"name", "value", "type"}:
            return f"has an entry that is not {{name, value, type: {'|'.join(_ENV_TYPES)}}}"
    return ""


_FORMATS = {
    "boolean": _boolean, "positive-integer": _positive_integer, "lambda-deploy-strategy": _deploy_strategy,
    "alarm-names": _alarm_names, "cloudformation-capabilities": _capabilities, "json-object": _json_object,
    "codebuild-environment-variables": _codebuild_environment_variables,
}


def _check_commands(path: str, entry: dict, action: dict) -> list[tuple[str, str]]:
    commands, _ = _plain(action.get("commands"))
    label, doc = _label(entry, action), entry["doc"]
    if commands == UNKNOWN:
        return []
    if not isinstance(commands, list) or not commands:
        return [(path, f"{label} needs commands (1-{MAX_COMMANDS} single-line shell commands) ({doc})")]
    findings = []
    if len(commands) > MAX_COMMANDS:
        findings.append((path, f"{label} takes at most {MAX_COMMANDS} commands, not {len(commands)} ({doc})"))
    for k, command in enumerate(_plain(c)[0] for c in commands):
        if not isinstance(command, str) or command == UNKNOWN:
            continue
        if not command or len(command) > MAX_VALUE:
            problem = f"a command is 1-{MAX_VALUE} characters, not {len(command)}"
        elif "\n" in command:
            problem = "multi-line commands are not supported; use one line each"
        else:
            continue
        findings.append((f"{path}[{k}]", f"{problem} ({doc})"))
    return findings
