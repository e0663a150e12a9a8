"""Client for a CrossGuard policy pack over the Analyzer gRPC protocol.

Starts the pack the way the Pulumi CLI does (its `__main__.py` in its own process, the
port read from the first line of stdout) and speaks the protocol with the stubs that ship
in the pulumi SDK. The pack is never imported. Every call has a deadline; when one
passes, the pack is asked which policy it is stuck in (preflight/pack_probe.py).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from preflight import pack_probe
from preflight.protocol import (  # noqa: F401 - re-exported: the protocol's types are used through this module
    LEVEL_NAMES, LEVELS, SECRET_SIG, SECRET_SIG_KEY, SEVERITY_NAMES, UNKNOWN, Diagnostic, Options, Provider,
    Resource, Result, _result, configure_request, secret, to_struct)

class PackError(RuntimeError):
    """The policy pack could not be started or did not answer; the message is one line for the user."""


class PolicyPackClient:
    """A running policy pack process and a gRPC channel to it. Always use as a context manager."""

    def __init__(self, pack_dir: str | os.PathLike, *, python: Optional[str] = None,
                 env: Optional[Mapping[str, str]] = None, start_timeout: float = 30.0,
                 call_timeout: Optional[float] = None, entry: str = "__main__.py",
                 on_start: Optional[Callable[[int], None]] = None) -> None:
        """`python` defaults to this interpreter (test harnesses; preflight passes the pack's own);
        `env` is the pack's whole environment (default: ours); `on_start(pid)` is called as soon as
        the process exists, also when it then fails to start."""
        self.pack_dir = Path(pack_dir).resolve()
        if not (self.pack_dir / entry).exists():
            raise PackError(f"policy pack not found: {self.pack_dir / entry} does not exist")
        self.call_timeout = call_timeout
        self._info: Optional[analyzer_pb2.AnalyzerInfo] = None
        cmd = [python or sys.executable, "-u", "-c", pack_probe.bootstrap(entry)]
        full_env = dict(os.environ if env is None else env)
        try:
            self.proc = subprocess.Popen(cmd, cwd=self.pack_dir, env=full_env, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        except OSError as e:
            raise PackError(f"cannot start the policy pack's interpreter {cmd[0]}: {e.strerror}") from None
        if on_start is not None:
            on_start(self.proc.pid)
        self._stderr: list[bytes] = []
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        try:
            self.port = self._read_port(start_timeout)
            # The CLI reads only the port; what a pack prints after it must not fill the pipe and block it.
            threading.Thread(target=self._drain_stdout, daemon=True).start()
            self.channel = grpc.insecure_channel(
                f"127.0.0.1:{self.port}", options=[("grpc.max_receive_message_length", 400 * 1024 * 1024),
                                                   ("grpc.max_send_message_length", 400 * 1024 * 1024)])
            self._wait_ready(start_timeout)
            self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        except BaseException:
            self.close()
            raise

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        for chunk in iter(lambda: self.proc.stderr.read1(4096), b""):
            self._stderr.append(chunk)

    def _drain_stdout(self) -> None:
        assert self.proc.stdout is not None
        try:
            while self.proc.stdout.read1(65536):
                pass
        except (OSError, ValueError):
            pass  # closed by close()

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
        if not text:
            raise PackError(f"policy pack {self.pack_dir} failed to start: {self._death()}")
        if not text.isdigit() or not 0 < int(text) < 65536:
            raise PackError(f"policy pack {self.pack_dir} printed {text[:80]!r} where its port belongs "
                            "(a pack must print only its port on its first line)")
        return int(text)

    def _wait_ready(self, timeout: float) -> None:
        """Ready, or the reason it never will be: a dead pack is reported at once, not after the timeout."""
        future = grpc.channel_ready_future(self.channel)
        deadline = time.monotonic() + timeout
        while True:
            try:
                future.result(timeout=0.05)
                return
            except grpc.FutureTimeoutError:
                pass
            if self.proc.poll() is not None:
                future.cancel()
                raise PackError(f"policy pack {self.pack_dir} exited after printing its port: {self._death()}")
            if time.monotonic() >= deadline:
                future.cancel()
                raise PackError(f"policy pack {self.pack_dir} did not answer on port {self.port} "
                                f"within {timeout:g}s")

    def _death(self) -> str:
        """The pack's last words: its last stderr line, else its exit status."""
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "it is still running"
        self._stderr_thread.join(timeout=2)
        code = self.proc.returncode
        status = f"killed by signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
        return _last_line(pack_probe.strip_markers(self.stderr_text())) or status

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        """GetAnalyzerInfo, asked once per process (a process analyzes for several stacks of a run)."""
        if self._info is None:
            self._info = self._call(self.stub.GetAnalyzerInfo, empty_pb2.Empty())
        return self._info

    def configure(self, policy_config: Mapping[str, Mapping[str, Any]]) -> None:
        """Sends a reconciled config: {policy: {"enforcementLevel": level, **properties}}."""
        self._call(self.stub.Configure, configure_request(policy_config))

    def configure_stack(self, *, stack: str, project: str, organization: str = "organization",
                        dry_run: bool = True, config: Optional[Mapping[str, str]] = None,
                        secret_keys: Iterable[str] = (), tags: Optional[Mapping[str, str]] = None) -> None:
        req = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=stack, project=project, organization=organization, dry_run=dry_run,
            config=dict(config or {}), config_secret_keys=list(secret_keys), tags=dict(tags or {}))
        self._call(self.stub.ConfigureStack, req)

    def analyze(self, resource: Resource) -> Result:
        return _result(self._call(self.stub.Analyze, resource.analyze_request(), what=f"Analyze of {resource.urn}"),
                       resource.urn)

    def analyze_later(self, resource: Resource) -> Callable[[], Result]:
        """Sends Analyze without waiting; the returned function waits for its Result.

        Keeping several requests in flight keeps the pack busy while the caller's thread waits
        for the GIL (preflight analyzes while the program is still running)."""
        future = self.stub.Analyze.future(resource.analyze_request(), timeout=self.call_timeout)
        return lambda: _result(self._call(lambda _: future.result(), None, what=f"Analyze of {resource.urn}"),
                               resource.urn)

    def analyze_stack(self, resources: Sequence[Resource]) -> Result:
        req = analyzer_pb2.AnalyzeStackRequest(resources=[r.stack_resource() for r in resources])
        return _result(self._call(self.stub.AnalyzeStack, req, what="AnalyzeStack"))

    def _call(self, method, request, what: str = "a call"):
        try:
            if request is None:
                return method(request)
            return method(request, timeout=self.call_timeout)
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.DEADLINE_EXCEEDED and self.proc.poll() is None:
                culprit = pack_probe.raised(self.stderr_text) if e.code() == grpc.StatusCode.UNKNOWN else ""
                if culprit:
                    raise PackError(f"{culprit} during {what}") from None
                try:  # the call can fail a moment before the pack's exit is seen
                    self.proc.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
            if self.proc.poll() is not None:
                raise PackError(f"policy pack crashed during {what}: {self._death()}") from None
            if e.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                stuck = pack_probe.ask(self.proc, self.stderr_text)
                raise PackError(f"policy pack did not answer {what} within {self.call_timeout:g}s "
                                f"(--analyze-timeout){stuck}") from None
            raise PackError(f"policy pack error during {what}: {_rpc_detail(e)}") from None

    def close(self) -> None:
        channel = getattr(self, "channel", None)
        if channel is not None:
            channel.close()
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:  # short: every pack of the run must be gone within limits.SIGNAL_GRACE of a signal
                self.proc.wait(timeout=1)
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
           "UNKNOWN", "secret", "policy_infos", "to_struct"]
