"""Refuses a bad policy pack config at Configure, so `pulumi preview --policy-pack` shows it up front.

pulumi_policy (1.21.0) has no hook for this: `PolicyPack(...)` builds its gRPC servicer,
`pulumi_policy.policy._PolicyAnalyzerServicer`, whose `Configure(self, request, context)` stores
the config unchecked. `install` wraps that one method, before `PolicyPack(...)` is called;
tests/policies/test_pack_config_validation.py fails with the reason when the SDK changes shape.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Iterable, Mapping, Optional

import grpc
from google.protobuf import struct_pb2
from pulumi_policy import policy as sdk

from . import _config_check, _waivers

SDK_CLASS = "_PolicyAnalyzerServicer"
SDK_PARAMS = ["self", "request", "_context"]


class SdkChanged(RuntimeError):
    pass


def configure_method() -> Callable:
    """The SDK's own Configure, checked to be the shape this module wraps."""
    servicer = getattr(sdk, SDK_CLASS, None)
    method = getattr(servicer, "Configure", None)
    method = getattr(method, "__wrapped__", method)
    if method is None or list(inspect.signature(method).parameters) != SDK_PARAMS:
        raise SdkChanged(f"pulumi_policy {_sdk_version()}: pulumi_policy.policy.{SDK_CLASS}.Configure"
                         f"{'' if method is None else inspect.signature(method)} is not Configure(self, "
                         "request, _context); update policies/aws_cicd_guardrails/_configure.py")
    return method


def install(check: Callable[[Mapping[str, Any]], None] = _config_check.check,
            rules: Optional[Iterable[Any]] = None) -> None:
    """`rules`: the pack's, whose configured waivers Configure parses (default: the registry)."""
    original = configure_method()
    rules = None if rules is None else tuple(rules)
    servicer = getattr(sdk, SDK_CLASS)

    @functools.wraps(original)
    def Configure(self, request, context):  # noqa: N802  (the gRPC method name)
        config = policy_config(request)
        try:
            check(config)
        except _config_check.ConfigError as e:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
        result = original(self, request, context)
        _remember_waivers(config, rules)
        return result

    servicer.Configure = Configure


def _remember_waivers(config: Mapping[str, Any], rules: Optional[Iterable[Any]]) -> None:
    """The configured waivers, parsed now: platform-waiver-expired reports every expired one of this
    config, whichever resources the stack holds (a later Configure starts over)."""
    from ._registry import RULES
    _waivers.reset()
    for rule in RULES if rules is None else rules:
        entry = config.get(rule.name)
        if rule.waivable and isinstance(entry, Mapping) and entry.get("waivers") is not None:
            _waivers.parse(rule, entry)


def policy_config(request) -> dict[str, dict[str, Any]]:
    """`{policy: properties}` of a ConfigureAnalyzerRequest, NaN kept (the SDK's MessageToDict raises)."""
    return {name: _plain(request.policyConfig[name].properties) for name in request.policyConfig}


def _plain(value: Any) -> Any:
    if isinstance(value, struct_pb2.Struct):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, struct_pb2.ListValue):
        return [_plain(v) for v in value]
    # Struct numbers are doubles: a whole one was an integer in the config file.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sdk_version() -> str:
    try:
        from pulumi_policy.version import VERSION
        return VERSION
    except ImportError:
        return "(unknown version)"
