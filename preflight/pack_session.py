"""The policy pack's side of one stack: processes leased from the run's PackPool, every custom
registration analyzed as it arrives, AnalyzeStack at the end, and the pack's answers made a Report."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

from preflight import known_parts, pack_config
from preflight.analyzer import Diagnostic, Options, PolicyPackClient, Provider, Resource, policy_infos
from preflight.model import UNKNOWN_IN_PREVIEW, PolicyMeta, RecordedResource, Report, Violation
from preflight.monitor import ROOT_STACK_TYPE, Registration
from preflight.pack_pool import PackPool
from preflight.program_host import HostedRun
from preflight.streaming import StreamingAnalyzer

_WAIVED = re.compile(r"^waived \((\d+)\)")
# The policy SDK's advisory when a rule reads an input that is unknown until apply.
_UNKNOWN_IN_PREVIEW = known_parts.UNKNOWN_IN_PREVIEW


class PackSession:
    """The policy pack for one stack: processes leased from the run's pool, fed as resources register."""

    def __init__(self, opts, project, given_config: dict, pool: PackPool, holder: str) -> None:
        self.opts, self.project, self.given_config = opts, project, given_config
        self.pool, self.holder = pool, holder
        self.policies: Optional[list[dict]] = None
        self._key = json.dumps(given_config, sort_keys=True, default=str)
        self.registrations: dict[str, Registration] = {}
        self.unknown_pairs: set = set()     # (policy, urn) a rule could not evaluate in preview; set by report()
        self.stream = StreamingAnalyzer(self._lease, self._analyze_request,
                                        give_back=lambda clients: pool.give_back(holder, clients, True))

    def _lease(self, cancelled: Callable[[], bool]) -> list[PolicyPackClient]:
        return self.pool.lease(self.holder, self._key, self.pool.want, self._configure, cancelled)

    def _configure(self, client: PolicyPackClient, config_changed: bool) -> None:
        if self.policies is None:
            info = client.info()
            self.policies = policy_infos(info)
            self.info_name, self.info_version = info.name, info.version
            self.config = pack_config.reconcile(self.policies, self.given_config)
        if config_changed:
            client.configure(self.config)
        client.configure_stack(
            stack=self.project.stack, project=self.project.name, dry_run=self.opts.mode == "preview",
            config=self.project.config, secret_keys=self.project.secret_keys,
            tags={"pulumi:project": self.project.name, "pulumi:runtime": "python",
                  "pulumi:description": self.project.description})

    def submit(self, reg: Registration) -> None:
        self.registrations[reg.urn] = reg
        self.stream.submit(reg)

    def seen_unknowns(self) -> bool:
        """Whether a rule has already said, in this preview, that it could not evaluate an unknown input."""
        return bool(known_parts.unevaluated_pairs(list(self.stream.diagnostics)))

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
        self.unknown_pairs = known_parts.unevaluated_pairs(diagnostics)
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

    def close(self, healthy: bool) -> None:
        """Always: gives the processes back after a report, or after a program error once every call sent
        is answered; stops them when a call went wrong (it may still be under way in them)."""
        if not healthy:
            self.pool.cancel(self.holder)
        self.stream.abandon()
        self.pool.give_back(self.holder, self.stream.clients, healthy or self.stream.clean)


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
