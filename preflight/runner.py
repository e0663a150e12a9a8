"""One preflight run: project → program under mocks → policy pack over gRPC → Report."""
from __future__ import annotations

import os
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

from preflight import limits, pack_config, pack_env, project as project_mod
from preflight.analyzer import Diagnostic, Options, PackError, PolicyPackClient, Provider, Resource, policy_infos
from preflight.model import UNKNOWN_IN_PREVIEW, PolicyMeta, RecordedResource, Report, Violation
from preflight.monitor import ROOT_STACK_TYPE, Registration
from preflight.program import ProgramError, ProgramSpec
from preflight.program_host import HostedRun, ProgramHost, program_python
from preflight.schema import policy as schema_policy
from preflight.schema.check import SchemaResult
from preflight.schema.documents import DocumentChecks
from preflight.streaming import StreamingAnalyzer

PID_FILE_ENV = "PREFLIGHT_PID_FILE"
_WAIVED = re.compile(r"^waived \((\d+)\)")
# The policy SDK's advisory when a rule reads an input that is unknown until apply.
_UNKNOWN_IN_PREVIEW = re.compile(r"^can't run policy '[^']+' from policy pack '[^']+' during preview: (.*)$", re.S)

# pids of every process the most recent run started: packs and the program host (tests check they are gone).
last_pids: list[int] = []
last_pack_pids: list[int] = []
INSTANCES_ENV = "PREFLIGHT_PACK_INSTANCES"


def _track_pid(pid: int, *, pack: bool = False) -> None:
    last_pids.append(pid)
    if pack:
        last_pack_pids.append(pid)
    path = os.environ.get(PID_FILE_ENV)
    if path:
        with open(path, "a") as f:
            f.write(f"{pid}\n")


def _instances() -> int:
    raw = os.environ.get(INSTANCES_ENV)
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise PreflightError(f"{INSTANCES_ENV}={raw!r} is not a positive whole number")
        return int(raw)
    return 2 if (os.cpu_count() or 1) >= 2 else 1


class PreflightError(Exception):
    """The program, its config or the pack could not run (exit 2); str() is one line for the user."""


@dataclass
class RunOptions:
    program: Path
    stack: str = "dev"
    policy_pack: Optional[Path] = None
    policy_pack_config: Optional[Path] = None
    mode: str = "preview"
    program_timeout: float = limits.PROGRAM_TIMEOUT
    pack_start_timeout: float = limits.PACK_START_TIMEOUT
    analyze_timeout: float = limits.ANALYZE_TIMEOUT
    progress: Callable[[str], None] = field(default=lambda message: None, repr=False)

    @property
    def pack_dir(self) -> Path:
        return (self.policy_pack or self.program / "policies").resolve()


def run(opts: RunOptions) -> Report:
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    try:
        project = project_mod.load(opts.program, opts.stack)
        given_config = pack_config.load(opts.policy_pack_config)
        runtime = pack_env.resolve(opts.pack_dir, progress=opts.progress)
        python = program_python(project.virtualenv)
    except (project_mod.ProjectError, pack_config.PackConfigError, pack_env.PackEnvError, ProgramError) as e:
        raise PreflightError(str(e)) from None
    timings["load"], clock = time.perf_counter() - clock, time.perf_counter()
    last_pids.clear()
    last_pack_pids.clear()
    pack = _PackSession(opts, project, given_config, runtime)
    host = None
    try:
        try:
            spec = ProgramSpec(name=project.name, stack=project.stack, directory=project.directory,
                               main=project.main, config=project.config, secret_keys=list(project.secret_keys))
            host = ProgramHost(spec, opts.mode, python=python, on_register=pack.submit, on_start=_track_pid)
            program = host.wait(opts.program_timeout, check=pack.stream.check)
        except ProgramError as e:
            note = project_mod.placeholder_note(str(e), project)
            raise PreflightError(f"{e} {note}" if note else str(e)) from None
        finally:
            timings["program"], clock = time.perf_counter() - clock, time.perf_counter()
        report = pack.report(program)
        timings["schema"] = _add_schema_findings(report, program)
        output = host.output()
        if output.strip():
            sys.stderr.write(output if output.endswith("\n") else output + "\n")
    except (PackError, pack_config.PackConfigError) as e:
        raise PreflightError(str(e)) from None
    finally:
        if host is not None:
            host.close()
        pack.close()
    timings["pack_start"] = pack.stream.start_seconds
    timings["analysis"] = time.perf_counter() - clock
    report.timings = timings
    return report


class _PackSession:
    """The policy pack for one run: started beside the program, fed as resources register."""

    def __init__(self, opts: RunOptions, project, given_config: dict, runtime: pack_env.PackRuntime) -> None:
        self.opts, self.project, self.given_config = opts, project, given_config
        # Taken now, as the CLI hands it to the pack: preflight's environment with the pack's virtualenv active.
        self.python, self.env = runtime.python, runtime.environ(os.environ)
        self.registrations: dict[str, Registration] = {}
        self.stream = StreamingAnalyzer(self._start, self._analyze_request, instances=_instances())

    def _start(self) -> PolicyPackClient:
        client = PolicyPackClient(self.opts.pack_dir, python=self.python, env=self.env,
                                  start_timeout=self.opts.pack_start_timeout,
                                  call_timeout=self.opts.analyze_timeout,
                                  on_start=lambda pid: _track_pid(pid, pack=True))
        try:
            info = client.info()
            self.policies = policy_infos(info)
            self.info_name, self.info_version = info.name, info.version
            self.config = pack_config.reconcile(self.policies, self.given_config)
            client.configure(self.config)
            client.configure_stack(
                stack=self.project.stack, project=self.project.name, dry_run=self.opts.mode == "preview",
                config=self.project.config, secret_keys=self.project.secret_keys,
                tags={"pulumi:project": self.project.name, "pulumi:runtime": "python",
                      "pulumi:description": self.project.description})
        except BaseException:
            client.close()
            raise
        return client

    def submit(self, reg: Registration) -> None:
        self.registrations[reg.urn] = reg
        self.stream.submit(reg)

    def _analyze_request(self, reg: Registration) -> Resource:
        return _resource(reg, self.registrations, outputs=False)

    def report(self, program: HostedRun) -> Report:
        client = self.stream.finish()
        registrations = list(program.registrations.values())
        by_urn = program.registrations
        result = client.analyze_stack([_resource(r, by_urn, outputs=True) for r in registrations])
        diagnostics = self.stream.diagnostics + list(result.diagnostics)
        not_applicable = self.stream.not_applicable + list(result.not_applicable)
        metas = {m.name: m for m in (_policy_meta(p, self.config) for p in self.policies)}
        diagnostics, unevaluated = _split_unknowns(diagnostics, by_urn)
        not_applicable += unevaluated
        project = self.project
        return Report(
            stack=project.stack, project=project.name, mode=self.opts.mode,
            policy_pack={"name": self.info_name, "version": _pack_version(self.opts.pack_dir) or self.info_version},
            # The SDK registers from a thread pool: order by URN so reports of one program are identical.
            resources=sorted((_recorded(r, program) for r in registrations if r.type != ROOT_STACK_TYPE),
                             key=lambda r: r.urn),
            violations=sorted((_violation(d, by_urn, metas) for d in diagnostics),
                              key=lambda v: (v.urn or "", v.policy, v.message)),
            not_applicable=[{"policy": p, "reason": reason} for p, reason in sorted(not_applicable)],
            waived=sum(int(m.group(1)) for _, reason in not_applicable if (m := _WAIVED.match(reason))),
            policies=list(metas.values()), unanswered_invokes=list(program.unanswered_invokes),
            stack_references=list(program.stack_references),
            secret_config_keys=list(project.secret_keys), program_dir=str(project.directory))

    def close(self) -> None:
        """Always stops the pack processes: after a report, a program error, a pack error or a signal."""
        started = {c.pid for c in self.stream.clients}
        for pid in list(last_pack_pids):
            if pid not in started:
                _kill_group(pid)  # still starting: unblocks the worker reading its port
        self.stream.abandon()
        for client in self.stream.clients:
            client.close()


def _add_schema_findings(report: Report, program: HostedRun) -> float:
    """provider-input-schema: the host's SDK-type walk and the recorded-input document checks, as
    mandatory violations; returns the seconds both spent."""
    clock = time.perf_counter()
    hosted = SchemaResult.from_json(program.schema)
    documents = DocumentChecks().run(report.resources)
    by_urn = {r.urn: r for r in report.resources}
    found = schema_policy.violations(hosted.findings + documents.findings, by_urn)
    report.violations = sorted(report.violations + found, key=lambda v: (v.urn or "", v.policy, v.message))
    report.policies.append(schema_policy.META)
    report.schema_unchecked = dict(sorted({**hosted.unchecked, **documents.unchecked}.items()))
    report.schema_stats = {"resources": hosted.resources, "resource_types": hosted.resource_types,
                           "nested_types": hosted.nested_types, "host_seconds": hosted.seconds}
    return hosted.seconds + time.perf_counter() - clock


def _kill_group(pid: int) -> None:
    # SIGKILL: a pack that has not printed its port holds nothing worth a grace period, and may ignore SIGTERM.
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _pack_version(pack_dir: Path) -> Optional[str]:
    """The CLI takes the version from PulumiPolicy.yaml; the Python SDK always answers 0.0.1."""
    try:
        meta = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return None
    version = meta.get("version") if isinstance(meta, dict) else None
    return str(version) if version is not None else None


def _resource(reg: Registration, by_urn: dict[str, Registration], *, outputs: bool) -> Resource:
    opts = reg.options
    provider = None
    if reg.provider:
        prov = by_urn.get(reg.provider.rsplit("::", 1)[0])
        if prov is not None:
            provider = Provider(type=prov.type, urn=prov.urn, name=prov.name, properties=prov.inputs)
    return Resource(
        type=reg.type, name=reg.name, urn=reg.urn,
        properties=reg.outputs if outputs else reg.inputs,
        options=Options(protect=bool(opts.get("protect")), ignore_changes=opts.get("ignoreChanges", ()),
                        delete_before_replace=opts.get("deleteBeforeReplace"), aliases=opts.get("aliases", ()),
                        additional_secret_outputs=opts.get("additionalSecretOutputs", ()), parent=reg.parent,
                        custom_timeouts=opts.get("customTimeouts")),
        provider=provider, parent=reg.parent, dependencies=reg.dependencies,
        property_dependencies=reg.property_dependencies)


def _recorded(reg: Registration, program: HostedRun) -> RecordedResource:
    account = program.accounts.get(reg.urn) if reg.custom else None
    return RecordedResource(
        urn=reg.urn, type=reg.type, name=reg.name, custom=reg.custom, inputs=reg.inputs,
        parent=reg.parent or None, provider=reg.provider or None, account=account,
        dependencies=list(reg.dependencies), property_dependencies=dict(reg.property_dependencies),
        options=dict(reg.options), source=reg.source)


def _policy_meta(info: dict[str, Any], config: dict[str, dict]) -> PolicyMeta:
    framework = info.get("framework") or {}
    return PolicyMeta(
        name=info["name"], description=info.get("description", ""), severity=info.get("severity"),
        enforcement=(config.get(info["name"]) or {}).get("enforcementLevel") or info.get("enforcementLevel"),
        remediation=info.get("remediation_steps", ""), tags=list(info.get("tags") or []),
        framework={k: str(v) for k, v in framework.items()},
        kind="stack" if "STACK" in str(info.get("policy_type", "")) else "resource")


def _split_unknowns(diagnostics: list[Diagnostic], by_urn: dict[str, Registration]
                    ) -> tuple[list[Diagnostic], list[tuple[str, str]]]:
    """A rule that met an unknown input gave no verdict: not a violation, but listed as not evaluated."""
    kept, unevaluated = [], []
    for d in diagnostics:
        m = _UNKNOWN_IN_PREVIEW.match(d.message)
        if m is None:
            kept.append(d)
            continue
        reg = by_urn.get(d.urn)
        where = f" on {reg.name}" if reg else ""
        unevaluated.append((d.policy, f"{UNKNOWN_IN_PREVIEW}{where}: {m.group(1)}"))
    return kept, unevaluated


def _violation(d: Diagnostic, by_urn: dict[str, Registration], metas: dict[str, PolicyMeta]) -> Violation:
    meta = metas.get(d.policy)
    reg = by_urn.get(d.urn) if d.urn else None
    name = reg.name if reg else (d.urn.rsplit("::", 1)[-1] if d.urn else None)
    rtype = reg.type if reg else (d.urn.split("::")[2].split("$")[-1] if d.urn else None)
    # The policy SDK sends "<description>\n<message>"; the CLI shows the two apart, and so do we.
    message = d.message
    if d.description and message.startswith(d.description + "\n"):
        message = message[len(d.description) + 1:]
    return Violation(policy=d.policy, enforcement=d.enforcement, severity=d.severity or (meta and meta.severity),
                     urn=d.urn or None, resource_name=name, resource_type=rtype, message=message,
                     description=d.description, remediation=meta.remediation if meta else "")
