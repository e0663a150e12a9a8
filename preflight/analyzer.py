"""Client for a CrossGuard policy pack over the Analyzer gRPC protocol.

Starts the pack the way the Pulumi CLI does (its `__main__.py` in its own process, the
port read from the first line of stdout) and speaks the protocol with the stubs that ship
in the pulumi SDK. The pack is never imported.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import grpc
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

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
SEVERITY_NAMES = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: None,
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}


class PackError(RuntimeError):
    """The policy pack could not be started or did not answer; the message is one line for the user."""


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


def pack_python(pack_dir: Path) -> str:
    """The interpreter the CLI would use: the pack's virtualenv when it has one, else ours."""
    try:
        meta = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        meta = {}
    runtime = meta.get("runtime") if isinstance(meta, dict) else None
    venv = runtime.get("options", {}).get("virtualenv") if isinstance(runtime, dict) else None
    if venv:
        candidate = (pack_dir / venv / "bin" / "python")
        if candidate.exists():
            return str(candidate)
    return sys.executable


class PolicyPackClient:
    """A running policy pack process and a gRPC channel to it. Always use as a context manager."""

    def __init__(self, pack_dir: str | os.PathLike, *, python: Optional[str] = None,
                 env: Optional[Mapping[str, str]] = None, start_timeout: float = 30.0,
                 entry: str = "__main__.py", on_start: Optional[Callable[[int], None]] = None) -> None:
        """`env` is the pack's whole environment (default: ours); `on_start(pid)` is called as soon as
        the process exists, also when it then fails to start."""
        self.pack_dir = Path(pack_dir).resolve()
        if not (self.pack_dir / entry).exists():
            raise PackError(f"policy pack not found: {self.pack_dir / entry} does not exist")
        cmd = [python or pack_python(self.pack_dir), "-u", entry]
        full_env = dict(os.environ if env is None else env)
        self.proc = subprocess.Popen(cmd, cwd=self.pack_dir, env=full_env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        if on_start is not None:
            on_start(self.proc.pid)
        self._stderr: list[bytes] = []
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        try:
            self.port = self._read_port(start_timeout)
            self.channel = grpc.insecure_channel(
                f"127.0.0.1:{self.port}", options=[("grpc.max_receive_message_length", 400 * 1024 * 1024),
                                                   ("grpc.max_send_message_length", 400 * 1024 * 1024)])
            grpc.channel_ready_future(self.channel).result(timeout=start_timeout)
            self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        except BaseException:
            self.close()
            raise

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        for chunk in iter(lambda: self.proc.stderr.read(4096), b""):
            self._stderr.append(chunk)

    def stderr_text(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")

    def _read_port(self, timeout: float) -> int:
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not line:
            raise PackError(f"policy pack {self.pack_dir} printed no port within {timeout:g}s")
        text = line[0].decode(errors="replace").strip()
        if not text.isdigit():
            self.proc.wait(timeout=5)
            self._stderr_thread.join(timeout=5)
            err = _last_line(self.stderr_text()) or f"exit status {self.proc.returncode}"
            raise PackError(f"policy pack {self.pack_dir} failed to start: {err}")
        return int(text)

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        return self._call(self.stub.GetAnalyzerInfo, empty_pb2.Empty())

    def configure(self, policy_config: Mapping[str, Mapping[str, Any]]) -> None:
        """Sends a reconciled config: {policy: {"enforcementLevel": level, **properties}}."""
        req = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, cfg in policy_config.items():
            cfg = dict(cfg)
            level = cfg.pop("enforcementLevel", None)
            pc = req.policyConfig[name]
            if level is not None:
                pc.enforcementLevel = LEVELS[level]
            pc.properties.update(cfg)
        self._call(self.stub.Configure, req)

    def configure_stack(self, *, stack: str, project: str, organization: str = "organization",
                        dry_run: bool = True, config: Optional[Mapping[str, str]] = None,
                        secret_keys: Iterable[str] = (), tags: Optional[Mapping[str, str]] = None) -> None:
        req = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=stack, project=project, organization=organization, dry_run=dry_run,
            config=dict(config or {}), config_secret_keys=list(secret_keys), tags=dict(tags or {}))
        self._call(self.stub.ConfigureStack, req)

    def analyze(self, resource: Resource) -> Result:
        return _result(self._call(self.stub.Analyze, resource.analyze_request()), resource.urn)

    def analyze_later(self, resource: Resource) -> Callable[[], Result]:
        """Sends Analyze without waiting; the returned function waits for its Result.

        Keeping several requests in flight keeps the pack busy while the caller's thread waits
        for the GIL (preflight analyzes while the program is still running)."""
        future = self.stub.Analyze.future(resource.analyze_request())
        return lambda: _result(self._call(lambda _: future.result(), None), resource.urn)

    def analyze_stack(self, resources: Sequence[Resource]) -> Result:
        req = analyzer_pb2.AnalyzeStackRequest(resources=[r.stack_resource() for r in resources])
        return _result(self._call(self.stub.AnalyzeStack, req))

    def _call(self, method, request):
        try:
            return method(request)
        except grpc.RpcError as e:
            if self.proc.poll() is not None:
                self._stderr_thread.join(timeout=5)
                raise PackError(f"policy pack crashed: {_last_line(self.stderr_text())}") from None
            raise PackError(f"policy pack error: {_rpc_detail(e)}") from None

    def close(self) -> None:
        channel = getattr(self, "channel", None)
        if channel is not None:
            channel.close()
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> "PolicyPackClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def _rpc_detail(e: grpc.RpcError) -> str:
    details = e.details() if hasattr(e, "details") else str(e)
    return _last_line(details or str(e)) or str(e)


def policy_infos(info: analyzer_pb2.AnalyzerInfo) -> list[dict]:
    """GetAnalyzerInfo's policies as plain dicts (name, description, level, severity, schema, ...)."""
    out = []
    for p in info.policies:
        d = json_format.MessageToDict(p, preserving_proto_field_name=True)
        d["enforcementLevel"] = LEVEL_NAMES.get(p.enforcementLevel, "advisory")
        d["severity"] = SEVERITY_NAMES.get(p.severity)
        d["configSchema"] = json_format.MessageToDict(p.configSchema) if p.HasField("configSchema") else {}
        out.append(d)
    return out


__all__ = ["PolicyPackClient", "PackError", "Resource", "Options", "Provider", "Result", "Diagnostic",
           "UNKNOWN", "secret", "policy_infos"]
