"""The SDK internals policies/aws_cicd_guardrails/_dispatch.py relies on, checked before it is installed.

`_dispatch` replaces `pulumi_policy.policy._PolicyAnalyzerServicer.Analyze` and `.AnalyzeStack`
with versions that do what the SDK's do, minus the per-policy rebuilding. That is only sound for
the SDK whose methods it was written against, so `check()` wants exactly that: the version, the
source of every method it replaces or relies on the behaviour of (Configure must assign fresh
config dicts, which the dispatch plan is keyed on), the signatures of the SDK methods and classes
it calls, and the servicer's private attributes it reads. tests/policies/test_dispatch.py fails
with the reason when any of them changes; at run time the pack falls back to the SDK's dispatch.
"""
from __future__ import annotations

import hashlib
import inspect
from typing import Any

from pulumi_policy import policy as sdk

from ._configure import SdkChanged

VERSION = "1.21.0"
SERVICER = "_PolicyAnalyzerServicer"

# sha256 of inspect.getsource (the unwrapped method): these are the methods _dispatch re-implements
# (Analyze, AnalyzeStack) or whose exact behaviour its plan cache assumes (Configure).
SOURCES = {
    "Analyze": "75db9cf8fc9d1585",
    "AnalyzeStack": "3917a008482c2387",
    "Configure": "785e6599c03e67da",
}
METHODS = {
    "_configure_runtime_settings": ["self"],
    "_get_enforcement_level": ["self", "policy"],
    "_create_report_violation": ["self", "response", "policy_name", "policy_description", "enforcement_level",
                                 "severity"],
    "_get_resource_options": ["self", "request"],
    "_get_provider_resource": ["self", "request"],
    "_get_policy_config": ["self", "name"],
    "_map_enforcement_level": ["self", "enforcement_level"],
}
CONSTRUCTORS = {
    "ResourceValidationArgs": ["self", "resource_type", "props", "urn", "name", "opts", "provider", "config",
                               "stack_tags"],
    "StackValidationArgs": ["self", "resources", "config", "stack_tags"],
    "PolicyResource": ["self", "resource_type", "props", "urn", "name", "opts", "provider", "parent",
                       "dependencies", "property_dependencies"],
}
# Module attributes of pulumi_policy.policy that _dispatch uses as the SDK's methods do.
NAMES = ("EnforcementLevel", "ResourceValidationPolicy", "StackValidationPolicy", "UnknownValueError",
         "_NotApplicableError", "deserialize_properties", "unknown_checking_proxy", "json_format", "proto")
# The servicer's private state, read through its mangled names.
ATTRIBUTES = ("policies", "policy_pack_name", "policy_pack_version", "policy_pack_config",
              "policy_pack_config_enforcement_level", "stack_tags")


def private(name: str) -> str:
    return f"_{SERVICER.lstrip('_')}__{name}"  # Python's name mangling


def version() -> str:
    try:
        from pulumi_policy.version import VERSION as found
        return found
    except ImportError:
        return "(unknown version)"


def digest(method: Any) -> str:
    return hashlib.sha256(inspect.getsource(inspect.unwrap(method)).encode()).hexdigest()[:16]


def check() -> None:
    """Raises SdkChanged, naming the first thing that differs from what _dispatch was written against."""
    if version() != VERSION:
        raise SdkChanged(f"pulumi_policy {version()} is not {VERSION}")
    missing = [n for n in NAMES if not hasattr(sdk, n)]
    if missing:
        raise SdkChanged(f"pulumi_policy.policy has no {', '.join(missing)}")
    servicer = getattr(sdk, SERVICER, None)
    if servicer is None:
        raise SdkChanged(f"pulumi_policy.policy has no {SERVICER}")
    for name, expected in SOURCES.items():
        try:
            found = digest(getattr(servicer, name))
        except (AttributeError, OSError, TypeError) as e:
            raise SdkChanged(f"{SERVICER}.{name}: source unavailable ({e})") from None
        if found != expected:
            raise SdkChanged(f"{SERVICER}.{name} changed (source sha256 {found}, expected {expected})")
    for owner, table in ((servicer, METHODS), (sdk, CONSTRUCTORS)):
        for name, params in table.items():
            target = getattr(owner, name, None)
            target = getattr(target, "__init__", None) if inspect.isclass(target) else target
            found_params = list(inspect.signature(target).parameters) if callable(target) else None
            if found_params != params:
                raise SdkChanged(f"{name}{'' if found_params is None else tuple(found_params)} is not "
                                 f"{name}({', '.join(params)})")
    probe = servicer("probe", "0.0.1", [sdk.StackValidationPolicy(name="probe", description="Probe.",
                                                                   validate=lambda args, report: None)],
                     sdk.EnforcementLevel.ADVISORY)
    absent = [a for a in ATTRIBUTES if private(a) not in vars(probe)]
    if absent:
        raise SdkChanged(f"{SERVICER} instances have no {', '.join(absent)}")
