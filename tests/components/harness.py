"""Run the real program (`__main__.py` -> Platform) under the Pulumi SDK mocks and record every registration.

    rec = run_program("prod")                       # stack config from Pulumi.yaml + Pulumi.prod.yaml
    rec = run_program("dev", {"services": [...]})   # override top-level keys (None deletes a key)
    rec.of_type("aws:ecr/repository:Repository")    # -> [Registration, ...]
    rec.account_of(reg)                              # -> "333333333333" (from the explicit provider)

Stable API for every test under tests/components: `run_program`, `stack_config`, `Recording`,
`Registration`. A program error is re-raised unless `expect_error=True`, in which case it is kept in
`Recording.error` (and `Recording.resources` shows what was registered before it).
"""
from __future__ import annotations

import hashlib
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

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "aws-cicd-platform"
PROVIDER_TYPE = "pulumi:providers:aws"


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

def stack_config(stack: str, overrides: Optional[Mapping[str, Any]] = None) -> dict[str, str]:
    """Project defaults from Pulumi.yaml + Pulumi.<stack>.yaml, values as the CLI passes them (objects as JSON)."""
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
    stack_file = ROOT / f"Pulumi.{stack}.yaml"
    values.update((yaml.safe_load(stack_file.read_text()) or {}).get("config") or {})
    for key, value in (overrides or {}).items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        if value is None:
            values.pop(full, None)
        else:
            values[full] = value
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


# ---------------------------------------------------------------- mocks

def _fake_uuid(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _fake_outputs(type_: str, name: str, inputs: dict, account: str, region: str) -> dict[str, Any]:
    physical = inputs.get("name") or name
    service = type_.split(":")[1].split("/")[0]
    kind = type_.rsplit(":", 1)[-1]
    out: dict[str, Any] = {"name": physical,
                           "arn": f"arn:aws:{service}:{region}:{account}:{kind.lower()}/{physical}"}
    if type_ == "aws:iam/role:Role":
        out.update(arn=f"arn:aws:iam::{account}:role/{physical}", uniqueId=f"AROA{_fake_uuid(name)[:16].upper()}")
    elif type_ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        url = str(inputs.get("url", "token.actions.githubusercontent.com")).replace("https://", "")
        out.update(arn=f"arn:aws:iam::{account}:oidc-provider/{url}")
    elif type_ == "aws:kms/key:Key":
        key_id = _fake_uuid(f"{account}/{name}")
        out.update(keyId=key_id, arn=f"arn:aws:kms:{region}:{account}:key/{key_id}")
    elif type_ == "aws:kms/alias:Alias":
        out.update(arn=f"arn:aws:kms:{region}:{account}:{physical}")
    elif type_ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
        bucket = inputs.get("bucket") or physical
        out.update(bucket=bucket, arn=f"arn:aws:s3:::{bucket}", bucketDomainName=f"{bucket}.s3.amazonaws.com",
                   bucketRegionalDomainName=f"{bucket}.s3.{region}.amazonaws.com")
    elif type_ == "aws:ecr/repository:Repository":
        out.update(registryId=account, arn=f"arn:aws:ecr:{region}:{account}:repository/{physical}",
                   repositoryUrl=f"{account}.dkr.ecr.{region}.amazonaws.com/{physical}")
    elif type_ == "aws:sns/topic:Topic":
        out.update(arn=f"arn:aws:sns:{region}:{account}:{physical}")
    elif type_ == "aws:cloudwatch/logGroup:LogGroup":
        out.update(arn=f"arn:aws:logs:{region}:{account}:log-group:{physical}")
    elif type_ == "aws:codepipeline/pipeline:Pipeline":
        out.update(arn=f"arn:aws:codepipeline:{region}:{account}:{physical}")
    elif type_ == "aws:codebuild/project:Project":
        out.update(arn=f"arn:aws:codebuild:{region}:{account}:project/{physical}")
    elif type_ == "aws:lb/loadBalancer:LoadBalancer":
        out.update(dnsName=f"{physical}-123456789.{region}.elb.amazonaws.com",
                   arnSuffix=f"app/{physical}/0123456789abcdef",
                   arn=f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{physical}/0123456789abcdef")
    elif type_ == "aws:lb/targetGroup:TargetGroup":
        out.update(arnSuffix=f"targetgroup/{physical}/0123456789abcdef",
                   arn=f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{physical}/0123456789abcdef")
    elif type_ == "aws:lb/listener:Listener":
        out.update(arn=f"arn:aws:elasticloadbalancing:{region}:{account}:listener/app/{name}/0123456789abcdef/1")
    elif type_ == "aws:ecs/taskDefinition:TaskDefinition":
        family = inputs.get("family", physical)
        out.update(family=family, revision=1, arn=f"arn:aws:ecs:{region}:{account}:task-definition/{family}:1",
                   arnWithoutRevision=f"arn:aws:ecs:{region}:{account}:task-definition/{family}")
    elif type_ == "aws:lambda/function:Function":
        out.update(arn=f"arn:aws:lambda:{region}:{account}:function:{physical}", version="1",
                   qualifiedArn=f"arn:aws:lambda:{region}:{account}:function:{physical}:1",
                   invokeArn=f"arn:aws:apigateway:{region}:lambda:path/functions/{physical}/invocations")
    elif type_ == "aws:lambda/alias:Alias":
        fn = inputs.get("functionName", "fn")
        out.update(arn=f"arn:aws:lambda:{region}:{account}:function:{fn}:{physical}")
    elif type_ == "aws:codedeploy/deploymentGroup:DeploymentGroup":
        out.update(deploymentGroupName=inputs.get("deploymentGroupName", physical))
    elif type_ == "aws:ec2/securityGroup:SecurityGroup":
        out.update(id=f"sg-{hashlib.sha256(name.encode()).hexdigest()[:17]}")
    return out


class _RecordingMocks(pulumi_mocks.Mocks):
    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.provider_accounts: dict[str, tuple[str, str]] = {}   # provider id -> (account, region)

    def _account(self, provider_ref: Optional[str]) -> tuple[str, str]:
        if provider_ref:
            return self.provider_accounts.get(provider_ref.rsplit("::", 1)[-1], ("000000000000", "us-east-1"))
        return "000000000000", "us-east-1"

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        if args.typ == PROVIDER_TYPE:
            allowed = _json_or_value(args.inputs.get("allowedAccountIds")) or ["000000000000"]
            provider_id = f"{args.name}-id"
            self.provider_accounts[provider_id] = (allowed[0], args.inputs.get("region", "us-east-1"))
            return provider_id, dict(args.inputs)
        account, region = self._account(args.provider)
        state = _fake_outputs(args.typ, args.name, args.inputs, account, region)
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
                program: Optional[Path] = None) -> Recording:
    """Run `__main__.py` for `stack` under mocks; return every registration and the resolved stack outputs."""
    config = stack_config(stack, config_overrides)
    recording = Recording(stack=stack, config=config)
    mocks = _RecordingMocks(recording)
    set_all_config(config, secret_keys or [])
    pulumi_settings.ROOT.set(None)
    pulumi_mocks.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=_RecordingMonitor(mocks))
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
