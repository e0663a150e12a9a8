"""Logical names keyed by value: reordering a config list replaces nothing.

A URN ends in the logical name (pkg/resource/deploy/source_eval.go RegisterResource -> urn.New in
sdk/go/common/resource/urn/urn.go), and the engine matches a registration to the old state by URN first, then
by its aliases (pkg/resource/deploy/step_generator.go generateSteps). Same URNs with the same inputs: no
create, delete or replace.
"""
from __future__ import annotations

import pytest
import yaml

from components.ecs_service import EcsBlueGreenService
from components.logical_names import cidr_name, keyed, value_name
from preflight.program import ProgramError
from tests.components.hygiene_runs import ROOT, run_stack
from tests.components.test_workloads_ecs_service import args
from tests.components.workload_mocks import PROD_ID, make_account, run

SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EMAILS = ["platform-dev@example.com", "oncall+cicd@example.com", "o'brien/ops@example.com"]
TOPICS = ["arn:aws:sns:us-east-1:111111111111:chatops-deployments", "arn:aws:sns:us-east-1:111111111111:audit"]
STAGING_CIDRS = ["10.20.0.0/16", "192.168.10.0/24", "203.0.113.0/28"]
PROD_CIDRS = ["10.30.0.0/16", "172.16.0.0/12"]


def _state(registrations) -> dict[str, dict]:
    return {urn: reg.inputs for urn, reg in registrations.items()}


def _notifications(emails, topics=()):
    return {**({"emails": list(emails)} if emails else {}), **({"snsTopicArns": list(topics)} if topics else {})}


def _networks(staging, prod):
    networks = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"]["aws-cicd-platform:networks"]
    networks["staging"]["testIngressCidrs"], networks["prod"]["testIngressCidrs"] = list(staging), list(prod)
    return networks


def test_reordered_emails_keep_every_urn_and_input():
    first = run_stack("dev", {"notifications": _notifications(EMAILS)}).monitor.registrations
    again = run_stack("dev", {"notifications": _notifications(EMAILS[::-1])}).monitor.registrations
    assert _state(first) == _state(again)
    subscriptions = sorted(r.name for r in first.values() if r.type == SUBSCRIPTION)
    assert subscriptions == sorted(f"notifications-email-{value_name(e)}" for e in EMAILS)
    assert subscriptions[1:] == ["notifications-email-oncall+cicd@example.com",
                                 "notifications-email-platform-dev@example.com"]
    assert subscriptions[0].startswith("notifications-email-o_brien_ops@example.com~")


def test_reordered_sns_topics_and_test_ingress_keep_every_urn_and_input():
    # A service stack: its pipeline's notification rule targets the topics, its ALBs admit the CIDRs.
    config = {"notifications": _notifications((), TOPICS), "networks": _networks(STAGING_CIDRS, PROD_CIDRS)}
    reordered = {"notifications": _notifications((), TOPICS[::-1]),
                 "networks": _networks(STAGING_CIDRS[::-1], PROD_CIDRS[::-1])}
    first = run_stack("prod-orders", config).monitor.registrations
    assert _state(first) == _state(run_stack("prod-orders", reordered).monitor.registrations)
    rules = sorted(r.name for r in first.values() if r.type == INGRESS and r.name.startswith("orders-staging-alb-test"))
    assert rules == ["orders-staging-alb-test-in-10.20.0.0-16", "orders-staging-alb-test-in-192.168.10.0-24",
                     "orders-staging-alb-test-in-203.0.113.0-28"]


def test_reordered_listener_ingress_of_the_component_keeps_every_urn_and_input():
    def build(ingress, test_ingress):
        return run(lambda: EcsBlueGreenService("orders", args(make_account("prod", PROD_ID), ingress_cidrs=ingress,
                                                             test_ingress_cidrs=test_ingress)))

    first = build(["198.51.100.0/24", "203.0.113.0/24"], ["10.30.0.0/16", "10.31.0.0/16"])
    again = build(["203.0.113.0/24", "198.51.100.0/24"], ["10.31.0.0/16", "10.30.0.0/16"])
    assert {r.urn: r.inputs for r in first.registrations} == {r.urn: r.inputs for r in again.registrations}


def test_a_renamed_rule_aliases_its_index_name_so_an_existing_stack_adopts_it():
    registrations = run_stack("dev", {"notifications": _notifications(EMAILS[:2])}).monitor.registrations
    subscription = next(r for r in registrations.values() if r.name == "notifications-email-oncall+cicd@example.com")
    assert subscription.options["aliases"] == [subscription.urn.replace("oncall+cicd@example.com", "1")]
    rule = next(r for r in registrations.values() if r.name == "web-staging-alb-test-in-10.0.0.0-16")
    assert rule.options["aliases"] == [rule.urn.replace("10.0.0.0-16", "0")]


def test_value_names_are_readable_and_never_collide():
    assert value_name("platform-dev@example.com") == "platform-dev@example.com"
    awkward = value_name("ops team/on call@example.com")
    assert awkward.startswith("ops_team_on_call@example.com~") and len(awkward.split("~")[1]) == 12
    # Same readable part, different values: the digest tells them apart, and "~" is never in a plain name.
    assert value_name("a/b@example.com") != value_name("a b@example.com")
    assert value_name("a_b@example.com") not in (value_name("a/b@example.com"), value_name("a b@example.com"))
    assert cidr_name("10.0.0.0/16") == "10.0.0.0-16" and cidr_name("0.0.0.0/0") == "0.0.0.0-0"


def test_a_value_listed_twice_is_refused_before_the_engine_sees_a_duplicate_urn():
    with pytest.raises(ValueError, match="emails lists 'a@example.com' twice"):
        keyed(["a@example.com", "b@example.com", "a@example.com"], value_name, "emails")
    # Two spellings of one network name one rule.
    with pytest.raises(ValueError, match="lists '10.0.0.0/16' and '10.0.0.0/255.255.0.0', which name one resource"):
        keyed(["10.0.0.0/16", "10.0.0.0/255.255.0.0"], cidr_name, "ingress")


@pytest.mark.parametrize("key,value,message", [
    ("notifications", _notifications(["a@example.com", "b@example.com", "a@example.com"]),
     "aws-cicd-platform:notifications.emails[2]: must not repeat notifications.emails[0], got \"a@example.com\""),
    ("networks", _networks(["10.20.0.0/16", "10.20.0.0/16"], ["10.30.0.0/16"]),
     "aws-cicd-platform:networks.staging.testIngressCidrs[1]: must not repeat networks.staging.testIngressCidrs[0], "
     "got \"10.20.0.0/16\""),
])
def test_config_refuses_a_repeated_entry_with_its_path(key, value, message):
    with pytest.raises(ProgramError) as raised:
        run_stack("prod", {key: value})
    assert message in str(raised.value)


def test_the_component_refuses_a_network_listed_twice_before_registering_anything():
    def program():
        account = make_account("prod", PROD_ID)
        with pytest.raises(ValueError, match="the test listener's ingress CIDRs lists '10.30.0.0/16' twice"):
            EcsBlueGreenService("orders", args(account, test_ingress_cidrs=["10.30.0.0/16", "10.31.0.0/16",
                                                                            "10.30.0.0/16"]))
    result = run(program)
    assert [r.type for r in result.registrations if r.type != "pulumi:providers:aws"] == \
        ["aws-cicd-platform:components:Account"]
