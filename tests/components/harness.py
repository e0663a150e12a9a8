"""Run the real program (`__main__.py` -> Platform) under the Pulumi SDK mocks and record every registration.

    rec = run_program("prod")                       # stack config from Pulumi.yaml + Pulumi.prod.yaml
    rec = run_program("dev", {"services": [...]})   # override top-level keys (None deletes a key)
    rec.of_type("aws:ecr/repository:Repository")    # -> [Registration, ...]
    rec.account_of(reg)                              # -> "333333333333" (from the explicit provider)
    layout = run_layout()                            # the prod foundation, then each service stack reading it
    rec = run_program("prod", stack_file=MONOLITH_PROD)   # the prod layout before the split, one stack

Stable API for every test under tests/components: `run_program`, `run_layout`, `merged`, `stack_config`,
`Recording`, `Registration`. A program error is re-raised unless `expect_error=True`, in which case it is kept in
`Recording.error` (and `Recording.resources` shows what was registered before it). A StackReference is answered
with `stack_outputs[<the name it gives>]` (`{}`: no outputs; a preview then leaves what it reads unknown); by
default with the outputs of the prod foundation, run once as it is.
"""
from __future__ import annotations

import functools
import json
import runpy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from tests.components.fake_outputs import fake_outputs

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "aws-cicd-platform"
ORGANIZATION = "organization"          # the diy backend's one org (pkg/backend/diy), as preflight names it
PROVIDER_TYPE = "pulumi:providers:aws"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
MONOLITH_PROD = Path(__file__).resolve().parent / "data" / "monolith_prod.yaml"
PROD_LAYOUT = ("prod", "prod-orders", "prod-payments", "prod-catalog", "prod-notifier")   # foundation first


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]
    parent: Optional[str]
    provider: Optional[str]            # "urn::id" reference, None for the default provider
    protect: bool = False
    retain_on_delete: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    delete_before_replace: bool = False
    id: Optional[str] = None
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def provider_urn(self) -> Optional[str]:
        return self.provider.rsplit("::", 1)[0] if self.provider else None


@dataclass
class Recording:
    stack: str
    config: dict[str, str]
    resources: list[Registration] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    error: Optional[BaseException] = None
    unanswered_invokes: list[str] = field(default_factory=list)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: Optional[str] = None) -> Registration:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {type_} named {name!r}, found {[r.name for r in found]}"
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        return next(r for r in self.resources if r.urn == urn)

    def children_of(self, urn: str) -> list[Registration]:
        return [r for r in self.resources if r.parent == urn]

    def aws_resources(self) -> list[Registration]:
        """Custom resources of the aws package (providers excluded)."""
        return [r for r in self.resources if r.custom and r.type.startswith("aws:")]

    def provider_of(self, reg: Registration) -> Optional[Registration]:
        if not reg.provider:
            return None
        urn = reg.provider.rsplit("::", 1)[0]
        return next((r for r in self.resources if r.urn == urn), None)

    def account_of(self, reg: Registration) -> Optional[str]:
        """The account the resource's explicit provider is pinned to (allowedAccountIds)."""
        provider = self.provider_of(reg)
        if provider is None:
            return None
        allowed = _json_or_value(provider.inputs.get("allowedAccountIds"))
        return allowed[0] if allowed else None

    def ancestors(self, reg: Registration) -> list[Registration]:
        chain, parent = [], reg.parent
        while parent:
            found = next((r for r in self.resources if r.urn == parent), None)
            if found is None:
                break
            chain.append(found)
            parent = found.parent
        return chain


def _json_or_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# ---------------------------------------------------------------- stack config (as the CLI hands it over)

def stack_config(stack: str, overrides: Optional[Mapping[str, Any]] = None,
                 stack_file: Optional[Path] = None) -> dict[str, str]:
    """Project defaults from Pulumi.yaml + Pulumi.<stack>.yaml (or `stack_file`), values as the CLI passes them
    (objects as JSON)."""
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    values: dict[str, Any] = {}
    for key, decl in (project.get("config") or {}).items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        if isinstance(decl, dict) and "default" in decl:
            values[full] = decl["default"]
        elif isinstance(decl, dict) and "value" in decl:
            values[full] = decl["value"]
        elif not isinstance(decl, dict):
            values[full] = decl
    stack_file = stack_file or ROOT / f"Pulumi.{stack}.yaml"
    values.update((yaml.safe_load(stack_file.read_text()) or {}).get("config") or {})
    for key, value in (overrides or {}).items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        if value is None:
            values.pop(full, None)
        else:
            values[full] = value
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


# ---------------------------------------------------------------- mocks

class _RecordingMocks(pulumi_mocks.Mocks):
    def __init__(self, recording: Recording, stack_outputs: Mapping[str, Mapping[str, Any]]) -> None:
        self.recording = recording
        self.stack_outputs = stack_outputs
        self.provider_accounts: dict[str, tuple[str, str]] = {}   # provider id -> (account, region)

    def _account(self, provider_ref: Optional[str]) -> tuple[str, str]:
        if provider_ref:
            return self.provider_accounts.get(provider_ref.rsplit("::", 1)[-1], ("000000000000", "us-east-1"))
        return "000000000000", "us-east-1"

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        if args.typ == STACK_REFERENCE_TYPE:
            # The engine's StackReference state (pkg/resource/deploy/builtins.go readStackReference).
            name = args.inputs.get("name") or args.name
            return name, {"name": name, "outputs": dict(self.stack_outputs.get(name, {})), "secretOutputNames": []}
        if args.typ == PROVIDER_TYPE:
            allowed = _json_or_value(args.inputs.get("allowedAccountIds")) or ["000000000000"]
            provider_id = f"{args.name}-id"
            self.provider_accounts[provider_id] = (allowed[0], args.inputs.get("region", "us-east-1"))
            return provider_id, dict(args.inputs)
        account, region = self._account(args.provider)
        state = fake_outputs(args.typ, args.name, args.inputs, account, region)
        state.update(args.inputs)
        return state.pop("id", f"{args.name}-id"), state

    def call(self, args: pulumi_mocks.MockCallArgs):
        account, region = self._account(args.provider)
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": account, "arn": f"arn:aws:sts::{account}:assumed-role/bootstrap/pulumi",
                    "userId": "AROAEXAMPLE:pulumi", "id": account}
        if token == "aws:index/getRegion:getRegion":
            return {"name": region, "region": region, "id": region,
                    "endpoint": f"ec2.{region}.amazonaws.com", "description": region}
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws",
                    "reverseDnsPrefix": "com.amazonaws"}
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{region}{z}" for z in "abc"]
            return {"names": names, "zoneIds": [f"use1-az{i}" for i in range(1, 4)], "id": region}
        self.recording.unanswered_invokes.append(token)
        return {}


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """MockMonitor that also keeps the resource options the Mocks API never sees."""

    def __init__(self, mocks: _RecordingMocks) -> None:
        super().__init__(mocks)
        self.recording = mocks.recording

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        from pulumi.runtime import rpc
        inputs = rpc.deserialize_properties(request.object)
        outputs = rpc.deserialize_properties(response.object) if response.object else {}
        self.recording.resources.append(Registration(
            urn=response.urn, type=request.type, name=request.name, custom=bool(request.custom),
            inputs=inputs, parent=request.parent or None, provider=request.provider or None,
            protect=bool(request.protect), retain_on_delete=bool(request.retainOnDelete),
            ignore_changes=list(request.ignoreChanges), dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            delete_before_replace=bool(request.deleteBeforeReplace), id=response.id or None, outputs=outputs))
        return response


# ---------------------------------------------------------------- run

def run_program(stack: str, config_overrides: Optional[Mapping[str, Any]] = None, *,
                secret_keys: Optional[list[str]] = None, expect_error: bool = False,
                program: Optional[Path] = None, stack_file: Optional[Path] = None,
                stack_outputs: Optional[Mapping[str, Mapping[str, Any]]] = None, preview: bool = False) -> Recording:
    """Run `__main__.py` for `stack` under mocks; return every registration and the resolved stack outputs."""
    config = stack_config(stack, config_overrides, stack_file)
    recording = Recording(stack=stack, config=config)
    if stack_outputs is None:
        stack_outputs = {} if stack == PROD_LAYOUT[0] else {PROD_LAYOUT[0]: _deployed_outputs(PROD_LAYOUT[0])}
    mocks = _RecordingMocks(recording, stack_outputs)
    set_all_config(config, secret_keys or [])
    pulumi_settings.ROOT.set(None)
    pulumi_mocks.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, monitor=_RecordingMonitor(mocks),
                           organization=ORGANIZATION)
    pulumi_settings.SETTINGS.rpc_manager.clear()
    pulumi_settings.SETTINGS.outputs.clear()
    path = str(program or ROOT / "__main__.py")
    try:
        _sync_await(run_pulumi_func(lambda: runpy.run_path(path, run_name="__main__")))
        root = pulumi_settings.get_root_resource()
        for key, value in dict(getattr(root, "outputs", {})).items():
            recording.outputs[key] = _sync_await(pulumi.Output.from_input(value).future())
    except Exception as exc:  # noqa: BLE001 - kept for the caller to assert on
        recording.error = exc
        if not expect_error:
            raise
    finally:
        pulumi_settings.ROOT.set(None)
    return recording


@functools.lru_cache(maxsize=None)
def _deployed_outputs(stack: str) -> dict[str, Any]:
    return run_program(stack, stack_outputs={}).outputs


def run_layout(stacks: tuple[str, ...] = PROD_LAYOUT,
               overrides: Optional[Mapping[str, Mapping[str, Any]]] = None) -> dict[str, Recording]:
    """The foundation (`stacks[0]`) and then each service stack, its StackReference answered with the foundation's
    outputs - as `pulumi up` runs them one after the other."""
    overrides = overrides or {}
    foundation = run_program(stacks[0], overrides.get(stacks[0]))
    runs = {stacks[0]: foundation}
    for stack in stacks[1:]:
        runs[stack] = run_program(stack, overrides.get(stack), stack_outputs={stacks[0]: foundation.outputs})
    return runs


def merged(runs: Mapping[str, Recording]) -> Recording:
    """Every registration of a layout's stacks in one Recording (URNs name their stack, so none collide)."""
    all_of = Recording(stack="+".join(runs), config={})
    for rec in runs.values():
        all_of.resources += rec.resources
        all_of.unanswered_invokes += rec.unanswered_invokes
    return all_of
