"""The pack's dispatch (aws_cicd_guardrails/_dispatch.py), in process, against the SDK's own on toy packs.

Each test builds a servicer of the SDK (`pulumi_policy.policy._PolicyAnalyzerServicer`) and calls
the SDK's Analyze / AnalyzeStack and the dispatch's on the same requests. The SDK internals the
dispatch relies on are checked first: those tests fail with the reason when the SDK changes shape.
"""
from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy import policy as sdk
from pulumi_policy.proxy import _DictProxy, _ListProxy

from aws_cicd_guardrails import POLICIES, RULES, _dispatch, _dispatch_sdk, _waivers
from aws_cicd_guardrails._registry import Rule, TypeFilter, _prepare, to_policy, type_filters
from preflight.analyzer import UNKNOWN, Options, Provider, Resource
from preflight.protocol import configure_request

SERVICER = sdk._PolicyAnalyzerServicer
STOCK_ANALYZE, STOCK_ANALYZE_STACK = SERVICER.Analyze, SERVICER.AnalyzeStack
X, Y, Z = "toy:index:X", "toy:index:Y", "toy:index:Z"
REASON = "Reviewed: replaced in the next release"
PROVIDER = Provider(type="pulumi:providers:aws", urn="urn:pulumi:dev::toy::pulumi:providers:aws::p", name="p",
                    properties={"region": "eu-west-1"})


@pytest.fixture(autouse=True)
def fresh_waivers(monkeypatch):
    """Waivers are process state: each test starts with none recorded."""
    monkeypatch.setattr(_waivers, "_EXPIRED", {})
    monkeypatch.setattr(_waivers, "_CACHE", {})


def toy_rule(name: str, types=(), calls: list | None = None, *, message: str = "") -> Rule:
    """A resource rule on `types` that reports `bad`; (name, urn) of every run appended to `calls`."""
    def check(args, cfg):
        if calls is not None:
            calls.append((name, args.urn))
        if args.props.get("bad"):  # an unknown `bad` raises here, as it would in a real rule
            yield f"{message or name}: bad={args.props['bad']!r} (limit {cfg.get('limit')})"
    return Rule(name=name, description=f"{name} description.", severity="high", remediation="Fix it.",
                service="toy", topic="testing", resource_types=tuple(types),
                config={"limit": {"type": "integer", "default": 3}}, check=check)


def toy_stack_rule(name: str, seen: list | None = None) -> Rule:
    def check(args, cfg):
        if seen is not None:
            seen.append(args.resources)
        for r in args.resources:
            if r.props.get("bad"):
                yield r.urn, f"{r.name} is bad"
    return Rule(name=name, description=f"{name} description.", severity="low", remediation="Fix it.",
                service="toy", topic="testing", kind="stack", check=check)


def pack(*rules: Rule, extra=()) -> tuple[SERVICER, dict[str, TypeFilter]]:
    policies = [to_policy(r) for r in rules] + list(extra)
    filters = {r.name: TypeFilter(frozenset(r.resource_types), _prepare(r))
               for r in rules if r.kind == "resource"}
    return SERVICER("toy-pack", "0.0.1", policies, EnforcementLevel.MANDATORY), filters


def res(type_: str, name: str, props=None, **kwargs) -> Resource:
    return Resource(type=type_, name=name, urn=f"urn:pulumi:dev::toy::{type_}::{name}",
                    properties=props or {}, **kwargs)




def analyze_both(servicer, filters, resource: Resource) -> tuple[bytes, bytes]:
    request = resource.analyze_request()
    stock = STOCK_ANALYZE(servicer, request, None).SerializeToString(deterministic=True)
    new = _dispatch.analyze_method(filters)(servicer, request, None).SerializeToString(deterministic=True)
    return stock, new


def decoded(response: bytes) -> analyzer_pb2.AnalyzeResponse:
    return analyzer_pb2.AnalyzeResponse.FromString(response)


def stack_request(resources) -> analyzer_pb2.AnalyzeStackRequest:
    return analyzer_pb2.AnalyzeStackRequest(resources=[r.stack_resource() for r in resources])


# ---- the SDK internals, and what happens when they change ---------------------------------------

def test_the_sdk_is_the_one_the_dispatch_was_written_for():
    assert _dispatch_sdk.version() == "1.21.0"
    assert {name: _dispatch_sdk.digest(getattr(SERVICER, name)) for name in _dispatch_sdk.SOURCES} == \
        _dispatch_sdk.SOURCES
    _dispatch_sdk.check()  # signatures, module names, the servicer's private attributes


@pytest.mark.parametrize("change, reason", [
    (lambda m: m.setattr(_dispatch_sdk, "version", lambda: "1.22.0"), "pulumi_policy 1.22.0 is not 1.21.0"),
    (lambda m: m.setitem(_dispatch_sdk.SOURCES, "AnalyzeStack", "0" * 16),
     "_PolicyAnalyzerServicer.AnalyzeStack changed (source sha256 3917a008482c2387, "
     "expected 0000000000000000)"),
    (lambda m: m.setitem(_dispatch_sdk.METHODS, "_get_policy_config", ["self", "policy"]),
     "_get_policy_config('self', 'name') is not _get_policy_config(self, policy)"),
    (lambda m: m.setattr(_dispatch_sdk, "ATTRIBUTES", _dispatch_sdk.ATTRIBUTES + ("policy_index",)),
     "_PolicyAnalyzerServicer instances have no policy_index"),
    (lambda m: m.delattr(sdk, "unknown_checking_proxy"),
     "pulumi_policy.policy has no unknown_checking_proxy"),
])
def test_another_sdk_gets_a_warning_and_its_own_dispatch(monkeypatch, capsys, change, reason):
    monkeypatch.delenv(_dispatch.SWITCH, raising=False)
    change(monkeypatch)
    assert _dispatch.install({}) is False
    assert capsys.readouterr().err == (f"aws-cicd-guardrails: {reason}; using the policy SDK's own (slower) "
                                       "dispatch\n")
    assert (SERVICER.Analyze, SERVICER.AnalyzeStack) == (STOCK_ANALYZE, STOCK_ANALYZE_STACK)


@pytest.mark.parametrize("value, installed", [("1", False), ("yes", False), ("0", True), ("", True)])
def test_the_switch_keeps_the_sdk_dispatch(monkeypatch, capsys, value, installed):
    monkeypatch.setattr(SERVICER, "Analyze", STOCK_ANALYZE)
    monkeypatch.setattr(SERVICER, "AnalyzeStack", STOCK_ANALYZE_STACK)
    monkeypatch.setenv(_dispatch.SWITCH, value)
    assert _dispatch.install({}) is installed
    assert capsys.readouterr().err == ""
    assert (SERVICER.Analyze is STOCK_ANALYZE) is not installed
    if installed:  # the names preflight's pack_probe looks for, and nothing else replaced
        assert (SERVICER.Analyze.__name__, SERVICER.AnalyzeStack.__name__) == ("Analyze", "AnalyzeStack")
        assert SERVICER.Remediate is sdk._PolicyAnalyzerServicer.__dict__["Remediate"]


# ---- Analyze ------------------------------------------------------------------------------------

class Untouchable(Mapping):
    def __getitem__(self, key):
        raise AssertionError(f"read {key!r}")

    def __iter__(self):
        raise AssertionError("iterated")

    def __len__(self):
        raise AssertionError("measured")


def test_every_rule_reads_nothing_of_a_resource_whose_type_it_does_not_read():
    # What lets the dispatch skip a rule on other types: the rule only prepares its config there.
    filters = type_filters()
    policies = [p for p in POLICIES if isinstance(p, ResourceValidationPolicy)]
    assert sorted(filters) == sorted(p.name for p in policies) and len(policies) > 60
    for policy in policies:
        rule = next(r for r in RULES if r.name == policy.name)
        assert filters[policy.name].types == frozenset(rule.resource_types)
        other = res("toy:index:Other", "o")
        args = sdk.ResourceValidationArgs(other.type, Untouchable(), other.urn, other.name, None, None, None)
        assert policy.validate(args, lambda *a: pytest.fail(f"{policy.name} reported {a}")) is None


def test_a_resource_is_built_once_and_reaches_only_the_policies_of_its_type(monkeypatch):
    calls: list = []
    untyped = ResourceValidationPolicy(name="toy-untyped", description="Sees everything.",
                                       validate=lambda args, report: calls.append(("toy-untyped", args.urn)))
    servicer, filters = pack(toy_rule("toy-a", [X], calls), toy_rule("toy-b", [Y], calls),
                             toy_rule("toy-c", [X, Y], calls), extra=[untyped])
    seen = []
    real_deserialize = sdk.deserialize_properties
    monkeypatch.setattr(sdk, "deserialize_properties",
                        lambda props: seen.append(props) or real_deserialize(props))
    x = res(X, "x1", {"bad": "yes"})
    stock, new = analyze_both(servicer, filters, x)
    assert stock == new
    assert len(seen) == 4 + 1  # the SDK: once per resource policy; the dispatch: once
    assert calls == [("toy-a", x.urn), ("toy-c", x.urn), ("toy-untyped", x.urn)] * 2
    response = decoded(new)
    assert [(d.policyName, d.message, d.enforcementLevel) for d in response.diagnostics] == [
        ("toy-a", "toy-a description.\ntoy-a: bad='yes' (limit 3)", analyzer_pb2.MANDATORY),
        ("toy-c", "toy-c description.\ntoy-c: bad='yes' (limit 3)", analyzer_pb2.MANDATORY)]
    calls.clear()
    assert _dispatch.analyze_method(filters)(servicer, res(Z, "z").analyze_request(), None).diagnostics == []
    assert calls == [("toy-untyped", res(Z, "z").urn)]


def test_every_policy_gets_the_sdk_objects_and_its_own_config():
    got = {}

    def recorder(name):
        def validate(args, report):
            got[name] = args
        return validate
    policies = [ResourceValidationPolicy(name=n, description="d.", validate=recorder(n))
                for n in ("toy-a", "toy-b")]
    servicer = SERVICER("toy-pack", "0.0.1", policies, EnforcementLevel.ADVISORY)
    servicer.Configure(configure_request({"toy-a": {"limit": 5}, "toy-b": {"limit": 7, "other": "x"}}), None)
    r = res(X, "x1", {"list": [1, {"k": UNKNOWN}], "map": {"a": "b"}}, provider=PROVIDER,
            options=Options(protect=True, ignore_changes=["tags"], parent="urn:parent",
                            custom_timeouts={"create": 60}))
    _dispatch.analyze_method({})(servicer, r.analyze_request(), None)
    a, b = got["toy-a"], got["toy-b"]
    assert type(a) is type(b) is sdk.ResourceValidationArgs
    assert a.props is b.props and type(a.props) is _DictProxy and type(a.props["list"]) is _ListProxy
    assert (a.get_config(), b.get_config()) == ({"limit": 5}, {"limit": 7, "other": "x"})
    assert (a.resource_type, a.urn, a.name, a.stack_tags) == (X, r.urn, "x1", {})
    opts = a.opts
    assert (opts.protect, list(opts.ignore_changes), opts.parent, opts.custom_timeouts.create_seconds) == \
        (True, ["tags"], "urn:parent", 60)
    assert type(a.provider) is sdk.PolicyProviderResource and a.provider.props["region"] == "eu-west-1"
    with pytest.raises(sdk.UnknownValueError) as e:
        a.props["list"][1]["k"]
    assert e.value.message == "string value at .list.1.k can't be known during preview"


def test_levels_unknowns_waivers_and_remediation_only_policies_as_the_sdk():
    rules = [toy_rule(f"toy-{n}", [X], message=n) for n in ("mandatory", "advisory", "disabled", "remediate")]
    remediation_only = ResourceValidationPolicy(name="toy-remediation-only", description="Tags.",
                                                remediate=lambda args: {"tags": {"owner": "me"}})
    servicer, filters = pack(*rules, toy_rule("toy-waived", [X, Y]), extra=[remediation_only])
    servicer.Configure(configure_request({
        "toy-advisory": {"enforcementLevel": "advisory"}, "toy-disabled": {"enforcementLevel": "disabled"},
        "toy-remediate": {"enforcementLevel": "remediate"},
        "toy-waived": {"waivers": [{"resource": "x-*", "reason": REASON, "expires": "2999-01-01"}]}}), None)
    responses = set()
    bad, unknown = res(X, "x-1", {"bad": 1}), res(X, "y-1", {"bad": UNKNOWN})
    for r in [bad, unknown, res(Y, "x-2", {"bad": 2}), res(Z, "z")]:
        stock, new = analyze_both(servicer, filters, r)
        assert stock == new, r
        responses.add(new)
    first = decoded(analyze_both(servicer, filters, bad)[1])
    assert [(d.policyName, d.enforcementLevel) for d in first.diagnostics] == [
        ("toy-mandatory", analyzer_pb2.MANDATORY), ("toy-advisory", analyzer_pb2.ADVISORY),
        ("toy-remediate", analyzer_pb2.MANDATORY)]
    assert [(n.policy_name, n.reason) for n in first.not_applicable] == [
        ("toy-waived", f"waived (1): x-* until 2999-01-01: {REASON}"),
        ("toy-remediation-only", "Policy does not implement validate")]
    [unknown_first, *_] = decoded(analyze_both(servicer, filters, unknown)[1]).diagnostics
    assert unknown_first.message == ("can't run policy 'toy-mandatory' from policy pack 'toy-pack@v0.0.1' "
                                     "during preview: string value at .bad can't be known during preview")
    assert len(responses) == 4


def test_a_filtered_policy_prepares_its_config_once_per_configure_whatever_the_types(monkeypatch):
    servicer, filters = pack(toy_rule("toy-x", [X]), toy_rule("toy-y", [Y]))
    prepared = []
    filters = {name: TypeFilter(f.types, lambda cfg, f=f, name=name: prepared.append(name) or f.prepare(cfg))
               for name, f in filters.items()}
    expired = {"waivers": [{"resource": "gone-*", "reason": REASON, "expires": "2020-01-01"}]}
    analyze = _dispatch.analyze_method(filters)
    servicer.Configure(configure_request({"toy-y": expired}), None)
    for i in range(3):
        analyze(servicer, res(X, f"x{i}").analyze_request(), None)
    # Only toy-y saw no resource of its type, and it still recorded its expired waiver, once.
    assert prepared == ["toy-y"]
    assert [(w.policy, w.resource) for w in _waivers.expired()] == [("toy-y", "gone-*")]
    servicer.Configure(configure_request({"toy-y": {"enforcementLevel": "disabled"}}), None)
    analyze(servicer, res(X, "x9").analyze_request(), None)
    servicer.Configure(configure_request({}), None)
    analyze(servicer, res(Y, "y9").analyze_request(), None)
    analyze(servicer, res(Y, "y10").analyze_request(), None)
    assert prepared == ["toy-y", "toy-x"]


def test_a_waiver_error_fails_the_request_as_the_sdk_even_where_no_resource_matches():
    unwaivable = dataclasses.replace(toy_rule("toy-strict", [Y]), waivable=False)
    servicer, filters = pack(toy_rule("toy-x", [X]), unwaivable)
    servicer.Configure(configure_request({"toy-strict": {"waivers": []}}), None)
    errors = []
    for analyze in (STOCK_ANALYZE, _dispatch.analyze_method(filters)):
        for _ in range(2):  # not remembered as prepared: it raises every time, as the SDK's does
            with pytest.raises(_waivers.WaiverError) as e:
                analyze(servicer, res(X, "x").analyze_request(), None)
            errors.append(str(e.value))
    assert errors == ["policy pack config: toy-strict: cannot be waived; remove its waivers"] * 4


def test_a_property_the_sdk_cannot_read_fails_the_request_as_the_sdk_even_for_a_type_no_rule_reads():
    servicer, filters = pack(toy_rule("toy-x", [X]))
    request = res(Z, "z").analyze_request()
    request.properties.update({"size": float("inf")})
    errors = []
    for analyze in (STOCK_ANALYZE, _dispatch.analyze_method(filters)):
        with pytest.raises(ValueError) as e:
            analyze(servicer, request, None)
        errors.append(str(e.value))
    assert errors == ["Fail to serialize Infinity for Value.number_value, which would parse as "
                      "string_value"] * 2


def test_an_async_validate_is_awaited_as_the_sdk():
    async def validate(args, report):
        report(f"async saw {args.props['n']}")
    policy = ResourceValidationPolicy(name="toy-async", description="A.", validate=validate)
    servicer = SERVICER("toy-pack", "0.0.1", [policy], EnforcementLevel.MANDATORY)
    stock, new = analyze_both(servicer, {}, res(X, "x", {"n": 4}))
    assert stock == new
    assert decoded(new).diagnostics[0].message == "A.\nasync saw 4.0"


def test_pack_probe_finds_the_running_policy_in_the_frames_it_reads():
    found = []

    def running_policy(args, report):
        frame = sys._getframe()
        while frame.f_code.co_name not in ("Analyze", "AnalyzeStack"):
            frame = frame.f_back
        found.append((frame.f_code.co_name, frame.f_locals["policy"].name))
    servicer = SERVICER("toy-pack", "0.0.1", [
        ResourceValidationPolicy(name="toy-resource", description="R.", validate=running_policy),
        StackValidationPolicy(name="toy-stack", description="S.", validate=running_policy)],
        EnforcementLevel.MANDATORY)
    _dispatch.analyze_method({})(servicer, res(X, "x").analyze_request(), None)
    _dispatch.analyze_stack_method({})(servicer, stack_request([res(X, "x")]), None)
    assert found == [("Analyze", "toy-resource"), ("AnalyzeStack", "toy-stack")]


# ---- AnalyzeStack -------------------------------------------------------------------------------

def test_the_stack_is_built_once_with_the_sdk_graph_and_each_policy_gets_its_own_list(monkeypatch):
    seen_a, seen_b = [], []
    servicer, filters = pack(toy_stack_rule("toy-stack-a", seen_a), toy_stack_rule("toy-stack-b", seen_b))
    parent = res(Z, "parent")
    child = res(X, "child", {"bad": True, "ref": "p"}, provider=PROVIDER, parent=parent.urn,
                dependencies=[parent.urn, "urn:not:in:stack"],
                property_dependencies={"ref": [parent.urn, "urn:not:in:stack"], "none": []})
    sibling = res(Y, "sibling", {"n": 1}, provider=PROVIDER, parent="urn:not:in:stack")
    request = stack_request([parent, child, sibling])
    stock = STOCK_ANALYZE_STACK(servicer, request, None)
    built = []
    real_build = _dispatch.stack_resources
    monkeypatch.setattr(_dispatch, "stack_resources", lambda s, r: built.append(1) or real_build(s, r))
    new = _dispatch.analyze_stack_method(filters)(servicer, request, None)
    assert stock.SerializeToString(deterministic=True) == new.SerializeToString(deterministic=True)
    assert [(d.policyName, d.urn) for d in new.diagnostics] == [("toy-stack-a", child.urn),
                                                                ("toy-stack-b", child.urn)]
    assert built == [1]
    (stock_view, new_view), (_, shared) = seen_a, seen_b
    assert new_view is not shared and new_view == shared  # a list per policy, the same resources
    assert [view(r) for r in stock_view] == [view(r) for r in new_view]
    p, c, s = new_view
    assert type(c) is sdk.PolicyResource and type(c.props) is _DictProxy
    assert (c.parent, c.dependencies, c.property_dependencies) == (p, [p], {"ref": [p], "none": []})
    assert (s.parent, p.parent) == (None, None)
    assert c.provider is s.provider and type(c.provider) is sdk.PolicyProviderResource


def view(r) -> tuple:
    """What a stack policy can read of a PolicyResource, resources referred to by URN."""
    provider = None if r.provider is None else (r.provider.resource_type, r.provider.urn, r.provider.name,
                                                dict(r.provider.props))
    o = r.opts
    return (type(r), r.resource_type, r.urn, r.name, dict(r.props), provider,
            (o.protect, list(o.ignore_changes), o.delete_before_replace, list(o.aliases), o.parent,
             list(o.additional_secret_outputs), vars(o.custom_timeouts)),
            r.parent.urn if r.parent else None, [d.urn for d in r.dependencies],
            {k: [d.urn for d in v] for k, v in r.property_dependencies.items()})


def test_stack_levels_and_an_empty_stack_as_the_sdk():
    servicer, filters = pack(toy_stack_rule("toy-stack-a"), toy_stack_rule("toy-stack-b"),
                             toy_stack_rule("toy-stack-c"), toy_rule("toy-x", [X]))
    servicer.Configure(configure_request({"toy-stack-a": {"enforcementLevel": "remediate"},
                                          "toy-stack-b": {"enforcementLevel": "disabled"},
                                          "toy-stack-c": {"enforcementLevel": "advisory"}}), None)
    stacks = [[], [res(X, "x", {"bad": 1}), res(Y, "y", {"bad": UNKNOWN})]]
    for resources in stacks:
        stock = STOCK_ANALYZE_STACK(servicer, stack_request(resources), None)
        new = _dispatch.analyze_stack_method(filters)(servicer, stack_request(resources), None)
        assert stock.SerializeToString(deterministic=True) == new.SerializeToString(deterministic=True)
    assert [(d.policyName, d.enforcementLevel, d.urn) for d in new.diagnostics] == [
        ("toy-stack-a", analyzer_pb2.MANDATORY, res(X, "x").urn), ("toy-stack-a", analyzer_pb2.ADVISORY, ""),
        ("toy-stack-c", analyzer_pb2.ADVISORY, res(X, "x").urn), ("toy-stack-c", analyzer_pb2.ADVISORY, "")]


def test_a_number_reaches_a_rule_as_the_sdk_gives_it():
    servicer, filters = pack(toy_rule("toy-x", [X]))
    stock, new = analyze_both(servicer, filters, res(X, "x", {"bad": 3}))
    # A Struct holds doubles; the schema default stays an int.
    assert stock == new and b"bad=3.0 (limit 3)" in new
