"""The pack answers as it does with the policy SDK's own dispatch: the same bytes, request by request.

Two packs, started as the CLI starts them, one with AWS_CICD_GUARDRAILS_STOCK_DISPATCH=1, get the
same calls in the same order. Every AnalyzeResponse (diagnostics and not-applicables, in order) must
serialise to the same bytes: on the platform's own stacks (the program run in process, its
registrations turned into requests as preflight's runner does), on the violating fixture, on the
realistic stack under several configs, and on the fuzz corpus of test_fuzz.
"""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any, Mapping

import grpc
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pulumi.runtime.proto import analyzer_pb2

from aws_cicd_guardrails import RULES
from aws_cicd_guardrails._dispatch import SWITCH
from preflight import pack_config
from preflight import project as project_mod
from preflight.analyzer import PackError, PolicyPackClient, policy_infos
from preflight.program import run_program
from preflight.runner import _resource
from tests.policies.conftest import PACK_DIR, ROOT
from tests.policies.realistic import by_type, neighbourhood, service_stack
from tests.policies.test_fuzz import FUZZ, STACK, TYPES, fuzzed
from tests.prod_layout import PROD_LAYOUT, run_layout

VIOLATING = ROOT / "tests" / "fixtures" / "violating"
REASON = "Reviewed exception, tracked in PLAT-1234"
# A rule that prints a property's repr (kms-key-rotation-enabled on a list) prints a memory address,
# which differs from process to process whatever the dispatch: compared as `at 0x?`.
ADDRESS = re.compile(r" at 0x[0-9a-f]+>")
RESOURCE_TYPES = {t for r in RULES for t in r.resource_types}


class Twins:
    """The stock pack and the pack, given the same calls; every answer compared byte for byte."""

    def __init__(self, stock: PolicyPackClient, new: PolicyPackClient) -> None:
        self.clients = (stock, new)
        self.infos = policy_infos(stock.info())
        self.answers: list[analyzer_pb2.AnalyzeResponse] = []

    def configure(self, given: Mapping[str, Any]) -> None:
        config = pack_config.reconcile(self.infos, pack_config.normalise(dict(given)))
        for client in self.clients:
            client.configure(config)

    def configure_stack(self, project, stack: str, dry_run: bool) -> None:
        for client in self.clients:
            client.configure_stack(stack=stack, project=project.name, dry_run=dry_run, config=project.config,
                                   secret_keys=project.secret_keys)

    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        return self._same([c.stub.Analyze(request, timeout=120) for c in self.clients])

    def analyze_stack(self, resources) -> analyzer_pb2.AnalyzeResponse:
        request = analyzer_pb2.AnalyzeStackRequest(resources=[r.stack_resource() for r in resources])
        return self._same([c.stub.AnalyzeStack(request, timeout=300) for c in self.clients])

    def _same(self, responses) -> analyzer_pb2.AnalyzeResponse:
        stock, new = (without_addresses(r) for r in responses)
        assert readable(new) == readable(stock)
        assert new.SerializeToString(deterministic=True) == stock.SerializeToString(deterministic=True)
        self.answers.append(new)
        return new

    def reported(self) -> set[str]:
        return {d.policyName for a in self.answers for d in a.diagnostics}


def without_addresses(response: analyzer_pb2.AnalyzeResponse) -> analyzer_pb2.AnalyzeResponse:
    for d in response.diagnostics:
        d.message = ADDRESS.sub(" at 0x?>", d.message)
    return response


def readable(response: analyzer_pb2.AnalyzeResponse) -> list[tuple]:
    """The response as a list, for a diff pytest can show."""
    return ([(d.policyName, d.urn, d.enforcementLevel, d.severity, d.message) for d in response.diagnostics]
            + [(n.policy_name, n.reason) for n in response.not_applicable])


@pytest.fixture(scope="module")
def twins():
    base = {k: v for k, v in os.environ.items() if k != SWITCH}
    with PolicyPackClient(PACK_DIR, env={**base, SWITCH: "1"}) as stock, \
            PolicyPackClient(PACK_DIR, env=base) as new:
        yield Twins(stock, new)


def test_the_packs_describe_themselves_alike_and_run_different_dispatches(twins):
    stock, new = twins.clients
    assert new.info().SerializeToString(deterministic=True) == \
        stock.info().SerializeToString(deterministic=True)
    twins.configure(pack_config.load(PACK_DIR / "config" / "prod.json"))
    # A property the SDK cannot read fails the request with the same status and details, even on a type
    # no rule reads; where it fails tells the dispatches apart (a frame of aws_cicd_guardrails/_dispatch.py
    # or none).
    request = service_stack()[0].analyze_request()
    request.type = "aws:sqs/queue:Queue"
    request.properties.update({"delaySeconds": float("inf")})
    assert request.type not in RESOURCE_TYPES
    details = []
    for client in twins.clients:
        with pytest.raises(grpc.RpcError) as e:
            client.stub.Analyze(request, timeout=60)
        details.append((e.value.code(), e.value.details()))
    assert details == [(grpc.StatusCode.UNKNOWN, "Exception calling application: Fail to serialize Infinity "
                        "for Value.number_value, which would parse as string_value")] * 2
    unreadable = dataclasses.replace(service_stack()[0], type=request.type,
                                     properties={"delaySeconds": float("inf")})
    where = []
    for client in twins.clients:
        with pytest.raises(PackError) as e:
            client.analyze(unreadable)
        where.append("aws_cicd_guardrails/_dispatch.py" in str(e.value))
    assert where == [False, True]


@pytest.mark.parametrize("program, stacks, config, at_least", [
    (ROOT, PROD_LAYOUT, "prod.json", 250), (ROOT, ("dev",), "dev.json", 100),
    (VIOLATING, ("dev",), "prod.json", 5), (VIOLATING, ("dev",), "dev.json", 5)],
    ids=["prod", "dev", "violating-prod-config", "violating-dev-config"])
@pytest.mark.parametrize("mode", ["preview", "up"])
def test_a_platform_stack_gets_the_same_answers(twins, program: Path, stacks, config, at_least, mode):
    """prod: its layout, the foundation then each service stack run with the foundation's outputs."""
    runs = run_layout(mode, program) if stacks == PROD_LAYOUT else \
        [(project, run_program(project, mode)) for project in (project_mod.load(program, s) for s in stacks)]
    twins.configure(pack_config.load(PACK_DIR / "config" / config))
    analyzed, stack_answers = [], []
    for project, run in runs:
        registrations = list(run.monitor.registrations.values())
        by_urn = {r.urn: r for r in registrations}
        twins.configure_stack(project, project.stack, dry_run=mode == "preview")
        custom = [r for r in registrations if r.custom]
        analyzed += [twins.analyze(_resource(r, by_urn, outputs=False).analyze_request()) for r in custom]
        stack_answers.append(twins.analyze_stack([_resource(r, by_urn, outputs=True) for r in registrations]))
    assert [project.stack for project, _ in runs] == list(stacks)
    assert len(analyzed) >= at_least  # custom resources, each analyzed by both packs
    if program == VIOLATING:  # not vacuous: the rules reported, on resources and on the stack
        assert "ecr-repository-kms-encrypted" in {d.policyName for a in analyzed for d in a.diagnostics}
        assert {"ecr-repository-scan-on-push", "s3-bucket-versioning", "platform-required-tags"} <= \
            {d.policyName for a in stack_answers for d in a.diagnostics}


CONFIGS = {
    "prod": lambda: pack_config.load(PACK_DIR / "config" / "prod.json"),
    "dev": lambda: pack_config.load(PACK_DIR / "config" / "dev.json"),
    "all advisory": lambda: {"all": "advisory"},
    "levels mixed": lambda: {
        **pack_config.load(PACK_DIR / "config" / "prod.json"),
        "logs-group-retention-set": {"enforcementLevel": "disabled"},
        "platform-explicit-provider": {"enforcementLevel": "remediate"},
        "kms-key-deletion-window": {"enforcementLevel": "remediate", "minDeletionWindowDays": 30},
        "s3-bucket-versioning": {"enforcementLevel": "advisory"},
        "platform-required-tags": {"enforcementLevel": "disabled"}},
    "waivers": lambda: {
        **pack_config.load(PACK_DIR / "config" / "prod.json"),
        "kms-key-deletion-window": {"minDeletionWindowDays": 30, "waivers": [
            {"resource": "*", "reason": REASON, "expires": "2999-12-31"}]},
        "platform-stateful-resources-protected": {"waivers": [
            {"resource": "*-artifacts*", "reason": REASON, "expires": "2999-12-31"}]},
        "platform-required-tags": {"requiredTags": ["owner", "cost-centre"], "waivers": [
            {"resource": "payments-*", "reason": REASON, "expires": "2999-12-31"}]}},
}


@pytest.mark.parametrize("config", CONFIGS)
def test_the_realistic_stack_gets_the_same_answers_under_each_config(twins, config):
    resources = service_stack("orders") + service_stack("payments", variants=True)
    twins.configure(CONFIGS[config]())
    twins.answers.clear()
    for r in resources:
        twins.analyze(r.analyze_request())
    twins.analyze_stack(resources)
    if config == "waivers":  # not vacuous: violations reported, and waived ones carried as not applicable
        assert "platform-required-tags" in twins.reported()
        assert any(n.reason.startswith("waived (") for a in twins.answers for n in a.not_applicable)


def test_an_expired_waiver_of_a_rule_no_resource_reads_is_reported_alike(twins):
    resources = service_stack("orders")  # no security group: ec2-security-group-ingress-not-public reads none
    rule = next(r for r in RULES if r.name == "ec2-security-group-ingress-not-public")
    assert not set(rule.resource_types) & {r.type for r in resources}
    twins.configure({**pack_config.load(PACK_DIR / "config" / "prod.json"), rule.name: {"waivers": [
        {"resource": "legacy-*", "reason": REASON, "expires": "2021-06-30"}]}})
    for r in resources:
        twins.analyze(r.analyze_request())
    answer = twins.analyze_stack(resources)
    [expired] = [d for d in answer.diagnostics if d.policyName == "platform-waiver-expired"]
    description, detail = expired.message.split("\n", 1)
    assert description == "A waiver past its expiry date no longer applies and must be renewed or removed."
    assert detail.startswith(f'waiver for policy "{rule.name}" on "legacy-*" expired on 2021-06-30')


def test_the_fuzz_corpus_gets_the_same_answers(twins):
    twins.configure(pack_config.load(PACK_DIR / "config" / "prod.json"))
    twins.answers.clear()
    samples = by_type(STACK)

    @FUZZ
    @given(subject=st.sampled_from(TYPES).flatmap(fuzzed))
    def run(subject) -> None:
        twins.analyze(subject.analyze_request())
        original = next(r for r in samples[subject.type] if r.urn == subject.urn)
        twins.analyze_stack([subject if r is original else r for r in neighbourhood(STACK, original)])

    run()
    # Not vacuous: the bags reached many rules, and unknowns became the SDK's advisories.
    assert len(twins.reported()) >= 25
    assert any(d.message.startswith("can't run policy") for a in twins.answers for d in a.diagnostics)

