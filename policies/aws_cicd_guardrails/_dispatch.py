"""Each resource built once per request and handed only to the policies that read its type.

The policy SDK (pulumi_policy 1.21.0, `_PolicyAnalyzerServicer`) deserialises a resource's
properties and builds its args once per policy in `Analyze`, and only then does a policy's type
filter look at it; `AnalyzeStack` rebuilds the whole stack once per stack policy. That rebuilding
was ~90% of the pack's CPU. `install` replaces those two methods with ones that:

- build the resource (props proxy, options, provider) or the stack's `PolicyResource` graph once
  per request, with the SDK's own functions, wherever the SDK would build it (so a property it
  cannot read fails the same requests), and give every policy its own `ResourceValidationArgs` /
  `StackValidationArgs` (its own list) over it, with its own config; in a stack, resources on one
  provider share its `PolicyProviderResource`;
- run a resource policy with a `TypeFilter` (policies/aws_cicd_guardrails/_registry.py) only on its
  types. On other types a rule only prepares its config (records expired waivers, raises on a bad
  one), so that step runs once per Configure for every enabled policy, in policy order, instead;
- keep the SDK's order (policies in pack order, so diagnostics and not-applicables come out as the
  SDK emits them), its enforcement handling (disabled skipped, remediate reported as mandatory,
  a remediation-only policy not applicable) and its diagnostics, which are built by its own
  `_create_report_violation`. GetAnalyzerInfo, Configure and Remediate stay the SDK's.

The plan (which policies run, at which level, on which types) is made once per Configure.
preflight's pack_probe finds the running policy in the `policy` local of a frame named `Analyze`
or `AnalyzeStack`: both methods keep that name and local (a property that cannot be read fails
before any policy runs, so no policy is named for it; the SDK named its first policy).

AWS_CICD_GUARDRAILS_STOCK_DISPATCH=1 (any value but empty or 0) keeps the SDK's own dispatch. With
an SDK other than the one checked by policies/aws_cicd_guardrails/_dispatch_sdk.py, the pack warns on
stderr and keeps the SDK's dispatch too.
"""
from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any, Mapping, Optional

from pulumi_policy import policy as sdk

from . import _dispatch_sdk
from ._configure import SdkChanged
from ._registry import TypeFilter

SWITCH = "AWS_CICD_GUARDRAILS_STOCK_DISPATCH"
PLAN = "_aws_cicd_guardrails_plan"
NOT_VALIDATING = "Policy does not implement validate"  # the SDK's reason, word for word


@dataclass(frozen=True)
class Step:
    policy: Any
    level: Any  # the EnforcementLevel its diagnostics carry
    filter: Optional[TypeFilter]  # None: the policy sees every resource
    validates: bool = True  # False: remediation only, not applicable to Analyze


class Plan:
    """Which policies a request runs, at which level, on which types: made once per Configure."""

    def __init__(self, config: Mapping, levels: Mapping, steps: list[Step], stack_steps: list[Step]) -> None:
        # The servicer's config dicts it was made for: Configure replaces them.
        self.config, self.levels = config, levels
        self.steps, self.stack_steps = tuple(steps), tuple(stack_steps)
        # The SDK builds the resource (and raises on a bad one) as soon as one policy validates it.
        self.builds = any(s.validates for s in steps)
        types = {t for s in steps if s.filter is not None for t in s.filter.types}
        self.by_type = {t: tuple(s for s in steps if s.filter is None or t in s.filter.types)
                        for t in types}
        self.everywhere = tuple(s for s in steps if s.filter is None)
        # Filtered policies that have not prepared their config yet: until then a request runs them all.
        self.unprepared = {s.policy.name for s in steps if s.filter is not None}


def enabled() -> bool:
    return os.environ.get(SWITCH, "").strip() in ("", "0")


def install(filters: Mapping[str, TypeFilter]) -> bool:
    """Replaces the SDK servicer's Analyze and AnalyzeStack; False when switched off or the SDK differs."""
    if not enabled():
        return False
    try:
        _dispatch_sdk.check()
    except SdkChanged as e:
        sys.stderr.write(f"aws-cicd-guardrails: {e}; using the policy SDK's own (slower) dispatch\n")
        sys.stderr.flush()
        return False
    servicer = getattr(sdk, _dispatch_sdk.SERVICER)
    servicer.Analyze, servicer.AnalyzeStack = analyze_method(filters), analyze_stack_method(filters)
    return True


def _private(servicer: Any, name: str) -> Any:
    return getattr(servicer, _dispatch_sdk.private(name))


def plan_of(servicer: Any, filters: Mapping[str, TypeFilter]) -> Plan:
    config = _private(servicer, "policy_pack_config")
    levels = _private(servicer, "policy_pack_config_enforcement_level")
    plan = vars(servicer).get(PLAN)
    if plan is not None and plan.config is config and plan.levels is levels:
        return plan
    steps, stack_steps = [], []
    for policy in _private(servicer, "policies"):
        level = servicer._get_enforcement_level(policy)
        if level == sdk.EnforcementLevel.DISABLED:
            continue
        if level == sdk.EnforcementLevel.REMEDIATE:
            level = sdk.EnforcementLevel.MANDATORY  # as the SDK reports both kinds of policy at remediate
        if isinstance(policy, sdk.ResourceValidationPolicy):
            validates = policy.has_validation()
            steps.append(Step(policy, level, filters.get(policy.name) if validates else None, validates))
        elif isinstance(policy, sdk.StackValidationPolicy):
            stack_steps.append(Step(policy, level, None))
    plan = Plan(config, levels, steps, stack_steps)
    setattr(servicer, PLAN, plan)
    return plan


def analyze_method(filters: Mapping[str, TypeFilter]):
    def Analyze(self, request, _context):  # noqa: N802  (the gRPC method name; pack_probe reads it)
        self._configure_runtime_settings()
        response = sdk.proto.AnalyzeResponse()
        plan = plan_of(self, filters)
        if plan.builds:
            props = _props(request)
            opts = self._get_resource_options(request)
            provider = self._get_provider_resource(request)
        stack_tags = _private(self, "stack_tags")
        steps = plan.steps if plan.unprepared else plan.by_type.get(request.type, plan.everywhere)
        for step in steps:
            policy = step.policy  # the running policy, for pack_probe
            if step.filter is not None and request.type not in step.filter.types:
                if policy.name in plan.unprepared:
                    step.filter.prepare(self._get_policy_config(policy.name))
                    plan.unprepared.discard(policy.name)
                continue
            if not step.validates:
                response.not_applicable.append(sdk.proto.PolicyNotApplicable(policy_name=policy.name,
                                                                             reason=NOT_VALIDATING))
                continue
            args = sdk.ResourceValidationArgs(request.type, props, request.urn, request.name, opts, provider,
                                              self._get_policy_config(policy.name), stack_tags)
            _validate(self, response, step, args)
            plan.unprepared.discard(policy.name)  # its validate prepared its config first
        return response
    return Analyze


def analyze_stack_method(filters: Mapping[str, TypeFilter]):
    def AnalyzeStack(self, request, _context):  # noqa: N802  (the gRPC method name; pack_probe reads it)
        self._configure_runtime_settings()
        response = sdk.proto.AnalyzeResponse()
        plan = plan_of(self, filters)
        resources = stack_resources(self, request) if plan.stack_steps else []
        stack_tags = _private(self, "stack_tags")
        for step in plan.stack_steps:
            policy = step.policy  # the running policy, for pack_probe
            # A list of its own, as the SDK gives each policy; the resources in it are shared.
            args = sdk.StackValidationArgs(list(resources), self._get_policy_config(policy.name), stack_tags)
            _validate(self, response, step, args)
        return response
    return AnalyzeStack


def stack_resources(servicer: Any, request) -> list:
    """The request's resources as the SDK's AnalyzeStack builds them: parents, dependencies and property
    dependencies resolved to the resource objects (a URN not in the request is dropped, a repeated one
    resolves to its last resource)."""
    built, providers = [], {}
    for r in request.resources:
        props = _props(r)
        # Resources on one provider share its object (the SDK builds one per resource and policy): the
        # same content, for a fifth less build time.
        key = r.provider.SerializeToString(deterministic=True) if r.HasField("provider") else None
        provider = providers.get(key)
        if provider is None:
            provider = providers[key] = servicer._get_provider_resource(r)
        resource = sdk.PolicyResource(r.type, props, r.urn, r.name, servicer._get_resource_options(r),
                                      provider, None, [], {})
        built.append((resource, r.parent, list(r.dependencies),
                      {k: list(v.urns) for k, v in r.propertyDependencies.items()}))
    by_urn = {resource.urn: resource for resource, *_ in built}
    for resource, parent, dependencies, property_dependencies in built:
        if parent is not None and parent in by_urn:
            resource.parent = by_urn[parent]
        resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
        for k, urns in property_dependencies.items():
            resource.property_dependencies[k] = [by_urn[d] for d in urns if d in by_urn]
    return [resource for resource, *_ in built]


def _props(request) -> Any:
    plain = sdk.json_format.MessageToDict(request.properties)
    return sdk.unknown_checking_proxy(sdk.deserialize_properties(plain))


def _validate(servicer: Any, response, step: Step, args) -> None:
    """Runs one policy's validate as the SDK does: an unknown value or not-applicable is answered, any
    other exception fails the request."""
    policy = step.policy
    report_violation = servicer._create_report_violation(response, policy.name, policy.description,
                                                         step.level, policy.severity)
    try:
        result = policy.validate(args, report_violation)
        if isawaitable(result):
            loop = asyncio.new_event_loop()
            task = asyncio.Task(result, loop=loop)
            loop.run_until_complete(task)
            loop.close()
    except sdk.UnknownValueError as e:
        name, version = _private(servicer, "policy_pack_name"), _private(servicer, "policy_pack_version")
        response.diagnostics.append(sdk.proto.AnalyzeDiagnostic(
            policyName=policy.name,
            policyPackName=name,
            policyPackVersion=version,
            message=(f"can't run policy '{policy.name}' from policy pack '{name}@v{version}' "
                     f"during preview: {e.message}"),
            urn="",
            description=policy.description,
            enforcementLevel=servicer._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
        ))
    except sdk._NotApplicableError as e:
        response.not_applicable.append(sdk.proto.PolicyNotApplicable(policy_name=policy.name,
                                                                     reason=e.reason or ""))
