"""The Analyzer protocol's messages as preflight builds and reads them (resources, options, results)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "disabled": analyzer_pb2.DISABLED,
    "remediate": analyzer_pb2.REMEDIATE,
}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}


def configure_request(policy_config: Mapping[str, Mapping[str, Any]]) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """Configure's request for `{policy: {"enforcementLevel"?: level, **properties}}`."""
    req = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, cfg in policy_config.items():
        cfg = dict(cfg)
        level = cfg.pop("enforcementLevel", None)
        pc = req.policyConfig[name]
        if level is not None:
            pc.enforcementLevel = LEVELS[level]
        pc.properties.update(cfg)
    return req
SEVERITY_NAMES = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: None,
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}


def secret(value: Any) -> dict:
    """A property value in the engine's wire form of a secret."""
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(dict(props))
    return s


@dataclass
class Options:
    """Resource options as the engine sends them to an analyzer."""
    protect: bool = False
    ignore_changes: Sequence[str] = ()
    delete_before_replace: Optional[bool] = None
    aliases: Sequence[str] = ()
    additional_secret_outputs: Sequence[str] = ()
    parent: str = ""
    custom_timeouts: Optional[Mapping[str, float]] = None

    def to_proto(self) -> analyzer_pb2.AnalyzerResourceOptions:
        o = analyzer_pb2.AnalyzerResourceOptions(
            protect=self.protect,
            ignoreChanges=list(self.ignore_changes),
            deleteBeforeReplace=bool(self.delete_before_replace),
            deleteBeforeReplaceDefined=self.delete_before_replace is not None,
            aliases=list(self.aliases),
            additionalSecretOutputs=list(self.additional_secret_outputs),
            parent=self.parent or "",
        )
        if self.custom_timeouts:
            o.customTimeouts.create = float(self.custom_timeouts.get("create", 0))
            o.customTimeouts.update = float(self.custom_timeouts.get("update", 0))
            o.customTimeouts.delete = float(self.custom_timeouts.get("delete", 0))
        return o


@dataclass
class Provider:
    type: str
    urn: str
    name: str
    properties: Mapping[str, Any] = field(default_factory=dict)

    def to_proto(self) -> analyzer_pb2.AnalyzerProviderResource:
        return analyzer_pb2.AnalyzerProviderResource(
            type=self.type, urn=self.urn, name=self.name, properties=to_struct(self.properties))


@dataclass
class Resource:
    """One resource as the engine hands it to Analyze / AnalyzeStack."""
    type: str
    name: str
    urn: str
    properties: Mapping[str, Any] = field(default_factory=dict)
    options: Options = field(default_factory=Options)
    provider: Optional[Provider] = None
    parent: str = ""
    dependencies: Sequence[str] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def analyze_request(self) -> analyzer_pb2.AnalyzeRequest:
        req = analyzer_pb2.AnalyzeRequest(
            type=self.type, urn=self.urn, name=self.name,
            properties=to_struct(self.properties), options=self.options.to_proto())
        if self.provider is not None:
            req.provider.CopyFrom(self.provider.to_proto())
        return req

    def stack_resource(self) -> analyzer_pb2.AnalyzerResource:
        r = analyzer_pb2.AnalyzerResource(
            type=self.type, urn=self.urn, name=self.name,
            properties=to_struct(self.properties), options=self.options.to_proto(),
            parent=self.parent or "", dependencies=list(self.dependencies))
        if self.provider is not None:
            r.provider.CopyFrom(self.provider.to_proto())
        for key, urns in self.property_dependencies.items():
            r.propertyDependencies[key].urns.extend(list(urns))
        return r


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    enforcement: str
    severity: Optional[str]
    message: str
    description: str
    urn: str

    @classmethod
    def from_proto(cls, d: analyzer_pb2.AnalyzeDiagnostic, default_urn: str = "") -> "Diagnostic":
        return cls(policy=d.policyName, enforcement=LEVEL_NAMES.get(d.enforcementLevel, "advisory"),
                   severity=SEVERITY_NAMES.get(d.severity), message=d.message,
                   description=d.description, urn=d.urn or default_urn)


@dataclass(frozen=True)
class Result:
    diagnostics: tuple[Diagnostic, ...]
    not_applicable: tuple[tuple[str, str], ...]

    def policies(self) -> set[str]:
        return {d.policy for d in self.diagnostics}

    def of(self, policy: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.policy == policy]


def _result(resp: analyzer_pb2.AnalyzeResponse, default_urn: str = "") -> Result:
    return Result(tuple(Diagnostic.from_proto(d, default_urn) for d in resp.diagnostics),
                  tuple((n.policy_name, n.reason) for n in resp.not_applicable))
