"""A small recording mock monitor for the workload components' tests.

Every registration is kept with what the engine would see: type, name, URN, parent URN, provider
reference, wire (camelCase) inputs and options (ignoreChanges, protect, retainOnDelete, dependencies).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

import pulumi
from pulumi.runtime import mocks, rpc

from components.account import Account, AccountArgs

STAGING_ID, PROD_ID, TOOLING_ID = "222222222222", "333333333333", "111111111111"
REGION = "eu-west-1"


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    parent: str
    provider: str
    inputs: dict
    ignore_changes: list
    protect: bool
    retain_on_delete: bool
    dependencies: list


class _ProviderAccounts(mocks.Mocks):
    """Answers with realistic ids and ARNs in the account/region of the resource's provider."""

    def __init__(self) -> None:
        self.providers: dict[str, tuple[str, str]] = {}

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[Optional[str], dict]:
        inputs = dict(args.inputs)
        if args.typ == "pulumi:providers:aws":
            allowed = inputs.get("allowedAccountIds")
            account = (json.loads(allowed) if isinstance(allowed, str) else allowed)[0]
            self.providers[f"{args.name}-id"] = (account, inputs.get("region", REGION))
            return f"{args.name}-id", inputs
        account, region = self.providers.get((args.provider or "").split("::")[-1], (TOOLING_ID, REGION))
        return f"{args.name}-id", {**inputs, **_computed(args.typ, args.name, inputs, account, region)}

    def call(self, args: mocks.MockCallArgs) -> tuple[dict, None]:
        return {}, None


def _computed(typ: str, name: str, inputs: dict, account: str, region: str) -> dict[str, Any]:
    physical = inputs.get("name") or name
    elb = f"arn:aws:elasticloadbalancing:{region}:{account}"
    table = {
        "aws:iam/role:Role": {"arn": f"arn:aws:iam::{account}:role/{physical}"},
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
            "arn": f"arn:aws:iam::{account}:oidc-provider/"
                   f"{str(inputs.get('url', '')).removeprefix('https://')}"},
        "aws:lb/loadBalancer:LoadBalancer": {"arn": f"{elb}:loadbalancer/app/{physical}/50dc6c495c0c9188",
                                             "arnSuffix": f"app/{physical}/50dc6c495c0c9188",
                                             "dnsName": f"{physical}-123.{region}.elb.amazonaws.com"},
        "aws:lb/targetGroup:TargetGroup": {"arn": f"{elb}:targetgroup/{physical}/73e2d6bc24d8a067",
                                           "arnSuffix": f"targetgroup/{physical}/73e2d6bc24d8a067"},
        "aws:lb/listener:Listener": {"arn": f"{elb}:listener/app/{name}/50dc6c495c0c9188/f2f7dc8efc522ab2"},
        "aws:lb/listenerRule:ListenerRule": {
            "arn": f"{elb}:listener-rule/app/{name}/50dc6c495c0c9188/9683b2d02a6cabee"},
        "aws:ecs/cluster:Cluster": {"arn": f"arn:aws:ecs:{region}:{account}:cluster/{physical}"},
        "aws:ecs/taskDefinition:TaskDefinition": {
            "arn": f"arn:aws:ecs:{region}:{account}:task-definition/{inputs.get('family')}:1", "revision": 1},
        "aws:lambda/function:Function": {"arn": f"arn:aws:lambda:{region}:{account}:function:{physical}",
                                         "version": "1"},
        "aws:lambda/alias:Alias": {"arn": f"arn:aws:lambda:{region}:{account}:function:"
                                          f"{inputs.get('functionName')}:{physical}"},
        "aws:cloudwatch/logGroup:LogGroup": {"arn": f"arn:aws:logs:{region}:{account}:log-group:{physical}"},
        "aws:cloudwatch/metricAlarm:MetricAlarm": {
            "arn": f"arn:aws:cloudwatch:{region}:{account}:alarm:{physical}"},
    }
    return table.get(typ, {"arn": f"arn:aws:{typ.split(':')[1].split('/')[0]}:{region}:{account}:{physical}"})


class RecordingMonitor(mocks.MockMonitor):
    def __init__(self, answers: mocks.Mocks) -> None:
        super().__init__(answers)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(Registration(
                type=request.type, name=request.name, urn=response.urn, parent=request.parent,
                provider=request.provider, inputs=rpc.deserialize_properties(request.object) if request.custom
                else {}, ignore_changes=list(request.ignoreChanges), protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete), dependencies=list(request.dependencies)))
        return response


class Run:
    """The registrations of one program, with lookups by type and name."""

    def __init__(self, registrations: list[Registration], result: Any) -> None:
        self.registrations = registrations
        self.result = result

    def of_type(self, typ: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == typ]

    def one(self, typ: str, name: Optional[str] = None) -> Registration:
        found = [r for r in self.of_type(typ) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {typ} {name or ''}, found {[r.name for r in found]}"
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        return next(r for r in self.registrations if r.urn == urn)

    def aws_resources(self) -> list[Registration]:
        return [r for r in self.registrations if r.type.startswith("aws:")]


def make_account(role: str = "prod", account_id: str = PROD_ID) -> Account:
    return Account(role, AccountArgs(role=role, account_id=account_id, region=REGION,
                                     bootstrap_role="bootstrap"))


def run(program: Callable[[], Any], outputs: Callable[[Any], list] = lambda _: []) -> Run:
    """Runs `program` under the mocks; `outputs(result)` names Outputs to resolve into `Run.result`."""
    answers = _ProviderAccounts()
    monitor = RecordingMonitor(answers)
    pulumi.runtime.set_mocks(answers, project="aws-cicd-platform", stack="test", preview=False,
                             monitor=monitor)
    holder: dict[str, Any] = {}

    @pulumi.runtime.test
    def program_run():
        built = program()
        holder["built"] = built
        return pulumi.Output.all(*outputs(built)).apply(lambda values: holder.setdefault("values", values))

    program_run()
    return Run(monitor.registrations, (holder["built"], holder.get("values", [])))


def provider_ref(run_: Run, account_name: str) -> str:
    provider = run_.one("pulumi:providers:aws", f"{account_name}-provider")
    return f"{provider.urn}::{account_name}-provider-id"


def assert_children_use_account(run_: Run, component_type: str, account_name: str) -> None:
    """Every AWS resource is a direct child of the one component and uses the account's explicit provider."""
    (component,) = [r for r in run_.registrations if r.type == component_type]
    children = run_.aws_resources()
    assert children, "the component registered no AWS resources"
    wrong = [(c.name, c.parent, c.provider) for c in children
             if c.parent != component.urn or c.provider != provider_ref(run_, account_name)]
    assert wrong == []


# AWS resources without tags of their own (inline policies, attachments, aliases).
UNTAGGABLE = frozenset({"aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                        "aws:lambda/alias:Alias"})


def missing_tags(run_: Run, required: dict) -> list[tuple[str, dict]]:
    """Taggable AWS resources whose tags lack any of `required` (key and value)."""
    return [(r.name, r.inputs.get("tags")) for r in run_.aws_resources() if r.type not in UNTAGGABLE
            and any((r.inputs.get("tags") or {}).get(k) != v for k, v in required.items())]
