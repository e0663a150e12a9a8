"""A mock resource monitor that records every registration the way the engine would see it.

The SDK's MockMonitor builds URNs from the *last* parent type only and puts the root
stack's type into its children's URNs; the engine uses the parent's full qualified type
and leaves the root stack out. `make_urn` does it the engine's way.

`seq` / `outputs_seq` number the RegisterResource and RegisterResourceOutputs calls in the
order they reach the monitor. The SDK sends both asynchronously (each waits for its own
inputs), so that is wire order, not the order the program made the calls in.
"""
from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import unquote, urlparse

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs, Mocks, _resolve_callbacks
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.settings import get_project, get_stack, is_dry_run
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
UNKNOWN_ID = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
SIG_KEY = "4dabf18193072939515e22adb298388d"
RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"


def qualified_type(urn: str) -> str:
    return urn.split("::")[2]


def build_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """`urn:pulumi:<stack>::<project>::<parent type chain>$<type>::<name>`, as the engine forms it."""
    if parent:
        parent_type = qualified_type(parent)
        if parent_type != ROOT_STACK_TYPE:
            type_ = f"{parent_type}${type_}"
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


def analyzer_wire(value: Any) -> Any:
    """Resource references become their id (or URN for components): analyzers get no references."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == RESOURCE_REF_SIG:
            return value.get("id") or value.get("urn", "")
        return {k: analyzer_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [analyzer_wire(v) for v in value]
    return value


def _wire_dict(struct) -> dict[str, Any]:
    return analyzer_wire(json_format.MessageToDict(struct))


def _plain(struct):
    """The inputs with resource references as their id / URN. Deserialising a reference rebuilds the resource
    (`get_resource`) on the monitor thread's event loop, which the program's loop then awaits: an intermittent
    'attached to a different loop'. Providers that take no references get ids from the engine anyway."""
    if RESOURCE_REF_SIG.encode() not in struct.SerializeToString():
        return struct
    plain = struct_pb2.Struct()
    plain.update(_wire_dict(struct))
    return plain


def parse_duration(text: str) -> float:
    """Go duration strings ("5m", "1h30m", "90s") in seconds, as the engine converts customTimeouts."""
    parts = _DURATION.findall(text or "")
    return sum(float(n) * _SECONDS[unit] for n, unit in parts)


class DuplicateUrnError(Exception):
    """Two registrations with one URN, which the engine refuses."""


class DefaultProviderDeniedError(Exception):
    """A resource or invoke of a package that `pulumi:disable-default-providers` bars from a default provider."""


DISABLE_DEFAULT_PROVIDERS = "disable-default-providers"


def default_provider_denied(pkg: str, setting: Optional[str]) -> bool:
    """pkg/resource/deploy/default_providers.go shouldDenyRequest: the stack config value is JSON text
    (a YAML list in the stack file reaches the engine as its JSON encoding); "" denies nothing."""
    if pkg == "pulumi" or not setting:
        return False
    try:
        barred = json.loads(setting)
    except ValueError as e:
        raise DefaultProviderDeniedError(f"Failed to parse {setting}: {e}") from None
    if not isinstance(barred, list):
        raise DefaultProviderDeniedError(f"Failed to parse {setting}: json: cannot unmarshal "
                                         f"{type(barred).__name__} into Go value of type []interface {{}}")
    for i, item in enumerate(barred):
        if not isinstance(item, str):
            raise DefaultProviderDeniedError(f"pulumi:{DISABLE_DEFAULT_PROVIDERS}[{i}] must be a string")
        if item.strip() in ("*", pkg):
            return True
    return False


def default_provider_denied_message(pkg: str, what: str) -> str:
    """sdk/go/common/diag/errors.go GetDefaultProviderDenied (diag 2015)."""
    return f"Default provider for '{pkg}' disabled. '{what}' must use an explicit provider."


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]                       # wire form: camelCase keys, unknown sentinel, secrets
    parent: str = ""
    provider: str = ""                           # provider reference "urn::id"
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    source: Optional[tuple[str, int]] = None
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    seq: int = 0                                  # wire order of its RegisterResource
    outputs_seq: Optional[int] = None             # wire order of its RegisterResourceOutputs (components)

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")


class RecordingMonitor(MockMonitor):
    """Keeps `registrations` (URN → Registration, in registration order)."""

    def __init__(self, mocks: Mocks, program_dir: str | Path = ".",
                 default_provider_inputs: Optional[Callable[[str], dict[str, Any]]] = None,
                 on_register: Optional[Callable[[Registration], None]] = None) -> None:
        super().__init__(mocks)
        self._on_register = on_register or (lambda reg: None)
        self.program_dir = Path(program_dir).resolve()
        self.registrations: dict[str, Registration] = {}
        # The config of a namespace: `aws` for the default provider's inputs, `pulumi` for the engine's keys.
        self._default_provider_inputs = default_provider_inputs or (lambda pkg: {})
        self._lock = threading.Lock()
        self._seq = 0

    def _next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        return build_urn(get_stack(), get_project(), parent, type_, name)

    def provider_registration(self, ref: str) -> Optional[Registration]:
        return self.registrations.get(ref.rsplit("::", 1)[0]) if ref else None

    def RegisterResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        reg = Registration(
            urn=urn, type=request.type, name=request.name, custom=bool(request.custom),
            inputs=_wire_dict(request.object), parent=request.parent,
            provider=request.provider, dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            options=self._options(request), source=self._source(request), seq=self._next_seq())
        if request.type == ROOT_STACK_TYPE:
            reg.parent = ""
            with self._lock:
                self.registrations[urn] = reg
            return resource_pb2.RegisterResourceResponse(urn=urn)
        if reg.custom and not reg.is_provider:
            if not reg.provider:
                pkg = request.type.split(":")[0]
                # step_generator.go loadResourceProvider: the engine bails the deployment.
                self._refuse_default_provider(pkg, urn, where=reg.source)
                reg.provider = self._default_provider(pkg, request.version)
            check = getattr(self.mocks, "checked_inputs", None)
            if check is not None:
                reg.inputs.update(check(reg.type, reg.name, urn, reg.inputs))
        with self._lock:
            if urn in self.registrations:
                # pkg/diag/errors.go GetDuplicateResourceURNError: the engine refuses the second one.
                where = f" ({reg.source[0]}:{reg.source[1]})" if reg.source else ""
                raise DuplicateUrnError(f"Duplicate resource URN '{urn}'; try giving it a unique name{where}")
            self.registrations[urn] = reg
        if reg.custom:
            self._on_register(reg)
        _ensure_event_loop()
        args = MockResourceArgs(typ=request.type, name=request.name, inputs=rpc.deserialize_properties(_plain(request.object)),
                                provider=reg.provider, resource_id=request.importId, custom=reg.custom,
                                transforms=_resolve_callbacks(request.transforms))
        args.urn = urn
        id_, state = self.mocks.new_resource(args)
        obj = _sync_await(rpc.serialize_properties(state, {}))
        reg.id = id_ or ""
        reg.outputs = _wire_dict(obj)
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_, state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=obj)

    def RegisterResourceOutputs(self, request):
        reg = self.registrations.get(request.urn)
        if reg is not None and not reg.custom:
            reg.outputs = _wire_dict(request.outputs)
            reg.outputs_seq = self._next_seq()
        return super().RegisterResourceOutputs(request)

    def Invoke(self, request):
        if not request.provider:
            # source_eval.go getProviderFromSource: the invoke fails with the token in place of a URN.
            self._refuse_default_provider(request.tok.split(":")[0], request.tok)
        return super().Invoke(request)

    def ReadResource(self, request):
        if not request.provider and not request.type.startswith("pulumi:providers:"):
            # source_eval.go ReadResource formats the message with the type token in both places.
            self._refuse_default_provider(request.type.split(":")[0], request.type, shown=request.type)
        return super().ReadResource(request)

    def _refuse_default_provider(self, pkg: str, what: str, shown: Optional[str] = None,
                                 where: Optional[tuple[str, int]] = None) -> None:
        setting = self._default_provider_inputs("pulumi").get(DISABLE_DEFAULT_PROVIDERS)
        if default_provider_denied(pkg, setting):
            at = f" ({where[0]}:{where[1]})" if where else ""
            raise DefaultProviderDeniedError(default_provider_denied_message(shown or pkg, what) + at)

    def _default_provider(self, pkg: str, version: str) -> str:
        """The engine's default provider for a package version, registered on first use."""
        name = "default_" + version.replace(".", "_").replace("-", "_") if version else "default"
        urn = build_urn(get_stack(), get_project(), "", f"pulumi:providers:{pkg}", name)
        with self._lock:
            reg = self.registrations.get(urn)
            if reg is None:
                inputs = {k: v for k, v in self._default_provider_inputs(pkg).items()}
                if version:
                    inputs["version"] = version
                provider_id = UNKNOWN_ID if is_dry_run() else str(uuid.uuid5(uuid.NAMESPACE_URL, urn))
                reg = Registration(urn=urn, type=f"pulumi:providers:{pkg}", name=name, custom=True,
                                   inputs=inputs, id=provider_id, outputs=dict(inputs),
                                   options={"default": True})
                self.registrations[urn] = reg
                self._on_register(reg)
        return f"{urn}::{reg.id}"

    def _options(self, request) -> dict[str, Any]:
        opts: dict[str, Any] = {
            "protect": bool(request.protect),
            "ignoreChanges": list(request.ignoreChanges),
            "retainOnDelete": bool(request.retainOnDelete),
            "deleteBeforeReplace": request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None,
            "aliases": self._aliases(request),
            "additionalSecretOutputs": list(request.additionalSecretOutputs),
            "replaceOnChanges": list(request.replaceOnChanges),
        }
        if request.HasField("customTimeouts"):
            ct = request.customTimeouts
            opts["customTimeouts"] = {"create": parse_duration(ct.create), "update": parse_duration(ct.update),
                                      "delete": parse_duration(ct.delete)}
        if request.deletedWith:
            opts["deletedWith"] = request.deletedWith
        return opts

    def _aliases(self, request) -> list[str]:
        """Alias specs resolved to URNs, as the engine sends them to analyzers."""
        out: list[str] = list(request.aliasURNs)
        for alias in request.aliases:
            if alias.WhichOneof("alias") == "urn":
                out.append(alias.urn)
                continue
            spec = alias.spec
            if spec.WhichOneof("parent") == "noParent" and spec.noParent:
                parent = ""
            else:
                parent = spec.parentUrn or request.parent
            out.append(build_urn(spec.stack or get_stack(), spec.project or get_project(), parent,
                                 spec.type or request.type, spec.name or request.name))
        return list(dict.fromkeys(out))

    def _source(self, request) -> Optional[tuple[str, int]]:
        """The program file and line that registered the resource (innermost program frame)."""
        frames = [f.pc for f in request.stackTrace.frames] if request.HasField("stackTrace") else []
        if request.HasField("sourcePosition"):
            frames.append(request.sourcePosition)
        for pos in frames:
            path = Path(unquote(urlparse(pos.uri).path))
            if _is_program_file(path, self.program_dir):
                return path.relative_to(self.program_dir).as_posix(), int(pos.line)
        return None


def _is_program_file(path: Path, program_dir: Path) -> bool:
    try:
        rel = path.relative_to(program_dir)
    except ValueError:
        return False
    return not any(part in ("site-packages", "dist-packages") for part in rel.parts)
