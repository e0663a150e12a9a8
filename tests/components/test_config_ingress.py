"""Who may reach the ECS test listener, judged by the addresses the ranges hold (components/cidrs.py):
in the prod stack the prod listener admits no public address, and staging's never the world."""
from __future__ import annotations

import copy

import pytest

from components.config import ConfigError, parse
from tests.components.harness import run_program
from tests.components.test_config import raw

PRIVATE_ONLY = "must hold no public address in the prod stack (the prod test listener admits private ranges only; "
WORLD = ("must not open the test listener to the world in the prod stack (the list may admit at most 65536 public "
         "addresses: the VPC or the integration tests' egress CIDRs)")


def _error(stack: str, env: str, cidrs=None, vpc_cidr=None) -> str:
    data = copy.deepcopy(raw(stack))
    if cidrs is not None:
        data["networks"][env]["testIngressCidrs"] = cidrs
    if vpc_cidr is not None:
        data["networks"][env]["vpcCidr"] = vpc_cidr
    with pytest.raises(ConfigError) as info:
        parse(data, stack)
    return str(info.value)


def _accepted(stack: str, env: str, cidrs) -> list[str]:
    data = copy.deepcopy(raw(stack))
    data["networks"][env]["testIngressCidrs"] = cidrs
    return getattr(parse(data, stack).networks, env).test_ingress_cidrs


@pytest.mark.parametrize("cidrs,index,public", [
    (["0.0.0.0/0"], 0, "1.0.0.0/8"),
    (["10.30.0.0/16", "0.0.0.0/1", "128.0.0.0/1"], 1, "1.0.0.0/8"),            # split world
    (["10.0.0.0/8", "128.0.0.0/1"], 1, "128.0.0.0/3"),
    ([f"{i}.0.0.0/8" for i in range(10, 12)], 1, "11.0.0.0/8"),               # many pieces, one public
    (["10.0.0.0/7"], 0, "11.0.0.0/8"),                                          # straddles private and public
    (["192.168.0.0/16", "100.0.0.0/8"], 1, "100.0.0.0/10"),                    # wider than CGNAT's /10
    (["203.0.113.0/24", "198.51.100.7/32", "54.23.10.4/32"], 2, "54.23.10.4/32"),   # one NAT address
])
def test_prod_test_listener_admits_no_public_address_in_the_prod_stack(cidrs, index, public):
    assert _error("prod", "prod", cidrs) == (
        f"aws-cicd-platform:networks.prod.testIngressCidrs[{index}]: {PRIVATE_ONLY}public {public} is inside), "
        f'got "{cidrs[index]}"')


@pytest.mark.parametrize("cidr,rule", [
    ("0.0.0.0/0.0.0.0", 'must give a prefix length like "10.0.0.0/16", not a netmask (AWS takes prefix-length '
                        'notation only)'),
    ("10.0.0.0/255.0.0.0", 'must give a prefix length like "10.0.0.0/16", not a netmask (AWS takes prefix-length '
                           'notation only)'),
    ("10.0.0.1/8", "must have its host bits zero (the network is 10.0.0.0/8)"),
    ("::/0", 'must be an IPv4 network like "10.0.0.0/16" (IPv6 ranges are not supported here)'),
    ("2000::/3", 'must be an IPv4 network like "10.0.0.0/16" (IPv6 ranges are not supported here)'),
    ("::ffff:0.0.0.0/96", 'must be an IPv4 network like "10.0.0.0/16" (IPv6 ranges are not supported here)'),
])
def test_other_notations_are_refused_in_every_stack(cidr, rule):
    for stack, env in (("prod", "prod"), ("prod", "staging"), ("dev", "staging")):
        assert _error(stack, env, ["10.0.0.0/16", cidr]) == (
            f'aws-cicd-platform:networks.{env}.testIngressCidrs[1]: {rule}, got "{cidr}"')


@pytest.mark.parametrize("cidrs", [
    ["10.30.0.0/16"], ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], ["100.64.0.0/10"],
    ["10.0.0.0/9", "10.128.0.0/9"],
])
def test_private_ranges_are_accepted_for_the_prod_listener(cidrs):
    assert _accepted("prod", "prod", cidrs) == cidrs


def test_prod_listener_default_is_the_vpc_so_a_public_vpc_range_needs_private_test_cidrs():
    assert _error("prod", "prod", vpc_cidr="11.0.0.0/16") == (
        f'aws-cicd-platform:networks.prod.vpcCidr: {PRIVATE_ONLY}public 11.0.0.0/16 is inside), got "11.0.0.0/16"')
    data = copy.deepcopy(raw("prod"))
    data["networks"]["prod"].update(vpcCidr="11.0.0.0/16", testIngressCidrs=["10.0.0.0/8"])
    assert parse(data, "prod").networks.prod.vpc_cidr == "11.0.0.0/16"


@pytest.mark.parametrize("cidrs,index", [
    (["0.0.0.0/0"], 0),
    (["10.0.0.0/8", "0.0.0.0/1", "128.0.0.0/1"], 1),
    (["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"], 0),
    ([f"54.{i}.0.0/16" for i in range(4)], 1),         # each small enough, together too wide
    (["10.0.0.0/7"], 0),                               # its public half, 11.0.0.0/8, is 2**24 addresses
    (["52.0.0.0/16", "8.8.8.8/32"], 1),                # one address past the limit
])
def test_staging_test_listener_is_never_the_world_in_the_prod_stack(cidrs, index):
    assert _error("prod", "staging", cidrs) == (
        f'aws-cicd-platform:networks.staging.testIngressCidrs[{index}]: {WORLD}, got "{cidrs[index]}"')


def test_staging_test_listener_admits_the_integration_tests_public_egress():
    nat = ["10.20.0.0/16", "54.23.10.4/32", "3.91.7.0/28", "52.0.0.0/17"]
    assert _accepted("prod", "staging", nat) == nat
    assert _accepted("prod", "staging", ["52.0.0.0/16", "10.0.0.0/8"]) == ["52.0.0.0/16", "10.0.0.0/8"]  # the limit
    assert _accepted("prod", "staging", ["54.0.0.0/16", "54.0.0.0/17"]) == ["54.0.0.0/16", "54.0.0.0/17"]  # once


def test_outside_the_prod_stack_any_canonical_range_is_accepted():
    assert _accepted("dev", "prod", ["0.0.0.0/1", "128.0.0.0/1"]) == ["0.0.0.0/1", "128.0.0.0/1"]
    assert _accepted("dev", "staging", ["0.0.0.0/0"]) == ["0.0.0.0/0"]


def test_split_world_stops_the_program_before_any_resource():
    networks = copy.deepcopy(raw("prod"))["networks"]
    networks["prod"]["testIngressCidrs"] = ["0.0.0.0/1", "128.0.0.0/1"]
    rec = run_program("prod", {"networks": networks}, expect_error=True)
    assert str(rec.error) == (f"aws-cicd-platform:networks.prod.testIngressCidrs[0]: {PRIVATE_ONLY}public 1.0.0.0/8 "
                              'is inside), got "0.0.0.0/1"')
    assert rec.resources == []
