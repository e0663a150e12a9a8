"""EC2 network rule through the analyzer: security-group ingress open to public address space."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from preflight import pack_config
from preflight.analyzer import UNKNOWN, secret
from tests.policies import fuzz_strategies as fz
from tests.policies.conftest import PACK_DIR, resource

RULE = "ec2-security-group-ingress-not-public"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
PREVIEW = "can't be known during preview"


def block(protocol="tcp", from_port=22, to_port=None, cidrs=(), ipv6=()) -> dict:
    return {"protocol": protocol, "fromPort": from_port, "toPort": from_port if to_port is None else to_port,
            "cidrBlocks": list(cidrs), "ipv6CidrBlocks": list(ipv6)}


def group(*ingress, egress=()) -> dict:
    return {"vpcId": "vpc-0a1b2c3d", "ingress": list(ingress), "egress": list(egress)}


def vpc_rule(cidr4=None, cidr6=None, protocol="tcp", from_port=22, to_port=None) -> dict:
    props = {"securityGroupId": "sg-0a1b2c3d", "ipProtocol": protocol, "fromPort": from_port,
             "toPort": from_port if to_port is None else to_port}
    props.update({k: v for k, v in (("cidrIpv4", cidr4), ("cidrIpv6", cidr6)) if v is not None})
    return props


def messages(result) -> list[str]:
    """The rule's own messages, without the policy description the SDK puts on the first line."""
    return [d.message.split("\n", 1)[-1] for d in result.of(RULE)]


def the(result):
    [d] = result.of(RULE)
    return d


# ---- one violating and one compliant case per resource type ------------------------------------

def test_inline_ingress_ssh_from_anywhere_violates(pack):
    r = pack.check(SG, group(block(cidrs=["0.0.0.0/0"])), name="web")
    assert (the(r).enforcement, the(r).severity) == ("mandatory", "high")
    assert messages(r) == [
        'security group "web" ingress[0] opens tcp port 22 to public address space "0.0.0.0/0"; only ports '
        "80, 443 may be open to public ranges: restrict the source to private CIDRs, a security group or a "
        "prefix list"]


def test_inline_https_from_anywhere_and_ssh_from_the_vpc_pass(pack):
    props = group(block(from_port=443, cidrs=["0.0.0.0/0"], ipv6=["::/0"]), block(cidrs=["10.20.0.0/16"]))
    assert not pack.check(SG, props).of(RULE)


def test_security_group_rule_rdp_from_ipv6_anywhere_violates(pack):
    props = {"type": "ingress", "securityGroupId": "sg-1", **block(from_port=3389, ipv6=["::/0"])}
    d = the(pack.check(SG_RULE, props, name="rdp"))
    assert 'security group rule "rdp" opens tcp port 3389 to public address space "::/0"' in d.message


def test_security_group_rule_http_from_anywhere_passes(pack):
    props = {"type": "ingress", "securityGroupId": "sg-1", **block(from_port=80, cidrs=["0.0.0.0/0"])}
    assert not pack.check(SG_RULE, props).of(RULE)


def test_vpc_ingress_rule_postgres_from_anywhere_violates(pack):
    d = the(pack.check(INGRESS, vpc_rule("0.0.0.0/0", from_port=5432), name="db-in"))
    assert 'security group ingress rule "db-in" opens tcp port 5432 to public address space' in d.message


def test_vpc_ingress_rule_from_a_security_group_or_private_range_passes(pack):
    from_alb = {**vpc_rule(from_port=8080), "referencedSecurityGroupId": "sg-alb"}
    assert not pack.check(INGRESS, from_alb).of(RULE)
    assert not pack.check(INGRESS, vpc_rule("10.20.0.0/16", from_port=8080)).of(RULE)


# ---- what is public -----------------------------------------------------------------------------

@pytest.mark.parametrize("cidr, public", [
    ("0.0.0.0/0", True), ("0.0.0.0/0.0.0.0", True), ("8.8.8.8/32", True), ("52.0.0.0/8", True),
    ("100.0.0.0/8", True), ("10.0.0.0/7", True), ("1.2.3.4/0", True), ("224.0.0.0/4", True),
    ("192.0.0.9/32", True),
    ("10.0.0.0/8", False), ("10.0.0.0/255.0.0.0", False), ("172.16.0.0/12", False), ("192.168.1.0/24", False),
    ("100.64.0.0/10", False), ("127.0.0.0/8", False), ("169.254.0.0/16", False), ("0.0.0.0/8", False),
    ("192.0.0.8/32", False),
])
def test_ipv4_ranges(pack, cidr, public):
    assert bool(pack.check(INGRESS, vpc_rule(cidr)).of(RULE)) is public


@pytest.mark.parametrize("cidr, public", [
    ("::/0", True), ("2000::/3", True), ("2a05:d018::/36", True), ("::ffff:0:0/96", True),
    ("::ffff:8.8.8.0/120", True), ("2002::/16", True), ("fc00::/6", True),
    ("fc00::/7", False), ("fd12:3456::/48", False), ("fe80::/10", False), ("::1/128", False),
    ("::ffff:10.0.0.0/104", False), ("2001:db8::/32", False),
])
def test_ipv6_ranges(pack, cidr, public):
    assert bool(pack.check(INGRESS, vpc_rule(cidr6=cidr)).of(RULE)) is public


def test_split_halves_of_the_internet_are_public_together(pack):
    d = the(pack.check(SG, group(block(cidrs=["0.0.0.0/1", "128.0.0.0/1"])), name="web"))
    assert '"0.0.0.0/1" (public 32.0.0.0/3 in it), "128.0.0.0/1"' in d.message


def test_the_internet_in_256_pieces_is_public(pack):
    pieces = [f"{i}.0.0.0/8" for i in range(256)]
    d = the(pack.check(SG, group(block(cidrs=pieces)), name="web"))
    assert '"1.0.0.0/8"' in d.message and '"255.0.0.0/8"' not in d.message and '"10.0.0.0/8"' not in d.message


def test_straddling_range_names_its_public_part(pack):
    d = the(pack.check(INGRESS, vpc_rule("10.0.0.0/7"), name="wide"))
    assert '"10.0.0.0/7" (public 11.0.0.0/8 in it)' in d.message


def test_ipv4_mapped_ipv6_is_judged_as_ipv4(pack):
    d = the(pack.check(INGRESS, vpc_rule(cidr6="::ffff:0:0/96")))
    assert '"::ffff:0:0/96" (public 32.0.0.0/3 in it)' in d.message


# ---- which ports ----------------------------------------------------------------------------------

@pytest.mark.parametrize("protocol, low, high, opened", [
    ("tcp", 80, 443, "tcp ports 80-443, not just 80, 443"),
    ("tcp", 0, 65535, "tcp ports 0-65535, not just 80, 443"),
    ("6", 22, 22, "tcp port 22"), ("udp", 53, 53, "udp port 53"), ("17", 1000, 2000, "udp ports 1000-2000"),
    ("-1", 0, 0, "all protocols and ports"), ("all", 0, 0, "all protocols and ports"),
    (-1, None, None, "all protocols and ports"), ("icmp", -1, -1, "icmp"), ("icmpv6", 128, 0, "icmpv6"),
    ("50", 0, 0, "protocol '50'"), ("tcp", -1, -1, "tcp ports 0-65535, not just 80, 443"),
])
def test_ports_beyond_80_and_443_violate(pack, protocol, low, high, opened):
    d = the(pack.check(INGRESS, vpc_rule("0.0.0.0/0", protocol=protocol, from_port=low, to_port=high)))
    assert f" opens {opened} to public address space " in d.message


@pytest.mark.parametrize("protocol, port", [("tcp", 443), ("tcp", 80), ("TCP", 443), ("6", 80), ("udp", 443)])
def test_80_and_443_alone_pass(pack, protocol, port):
    props = vpc_rule("0.0.0.0/0", cidr6="::/0", protocol=protocol, from_port=port)
    assert not pack.check(INGRESS, props).of(RULE)


def test_allowed_ports_are_configurable(pack):
    https_only = {RULE: {"allowedPorts": [443]}}
    d = the(pack.check(INGRESS, vpc_rule("0.0.0.0/0", from_port=80), https_only))
    assert "tcp port 80" in d.message and "only ports 443 may be open" in d.message
    with_ssh = {RULE: {"allowedPorts": [22, 80, 443]}}
    assert not pack.check(INGRESS, vpc_rule("0.0.0.0/0", from_port=22), with_ssh).of(RULE)
    closed = {RULE: {"allowedPorts": []}}
    https = vpc_rule("0.0.0.0/0", from_port=443)
    assert "no port may be open" in the(pack.check(INGRESS, https, closed)).message


def test_allowed_ports_schema_rejects_a_port_out_of_range(pack):
    with pytest.raises(pack_config.PackConfigError, match="allowedPorts"):
        pack.configure({RULE: {"allowedPorts": [70000]}})


# ---- egress, malformed, unknown, odd shapes ------------------------------------------------------

def test_egress_is_ignored(pack):
    everything = block(protocol="-1", from_port=0, cidrs=["0.0.0.0/0"], ipv6=["::/0"])
    assert not pack.check(SG, group(egress=[everything])).of(RULE)
    assert not pack.check(SG_RULE, {"type": "egress", "securityGroupId": "sg-1", **everything}).of(RULE)
    assert not pack.check(EGRESS, vpc_rule("0.0.0.0/0", protocol="-1")).of(RULE)


def test_malformed_cidr_on_an_open_port_is_reported(pack):
    r = pack.check(SG, group(block(cidrs=["0.0.0.0/33", "banana", "fe80::%eth0/64"])), name="web")
    assert messages(r) == [f'security group "web" ingress[0] opens tcp port 22 to "{c}", which is not a CIDR '
                           "range, so it cannot be shown to be private; write it as an IPv4 or IPv6 CIDR "
                           "(e.g. 10.0.0.0/16)" for c in ("0.0.0.0/33", "banana", "fe80::%eth0/64")]


def test_malformed_cidr_on_port_443_is_harmless(pack):
    assert not pack.check(INGRESS, vpc_rule("banana", from_port=443)).of(RULE)


def test_unknown_cidr_on_an_open_port_gives_the_sdk_advisory(pack):
    d = the(pack.check(INGRESS, {**vpc_rule(from_port=22), "cidrIpv4": UNKNOWN}))
    assert d.enforcement == "advisory" and PREVIEW in d.message


def test_unknown_cidr_behind_port_443_is_not_needed(pack):
    assert not pack.check(SG, group(block(from_port=443, cidrs=[UNKNOWN]))).of(RULE)


def test_unknown_ingress_list_gives_the_sdk_advisory(pack):
    d = the(pack.check(SG, {"vpcId": "vpc-1", "ingress": UNKNOWN}))
    assert d.enforcement == "advisory" and PREVIEW in d.message


def test_secret_cidr_is_judged(pack):
    assert "0.0.0.0/0" in the(pack.check(INGRESS, vpc_rule(secret("0.0.0.0/0")))).message


def test_odd_shapes_are_judged_conservatively(pack):
    single_block = {"ingress": {"protocol": "tcp", "fromPort": "22", "toPort": "22",
                                "cidrBlocks": "0.0.0.0/0"}}
    assert "tcp port 22" in the(pack.check(SG, single_block)).message
    odd = pack.check(SG, group(block(cidrs=[None, "", 5, {"a": 1}, ["0.0.0.0/0"], True])))
    assert [m.split(" to ", 1)[1].split(", which")[0] for m in messages(odd)] == [
        "5.0 (not a string)", "a map", "a list", "True (not a string)"]
    unset_ports = {"ingress": [{"protocol": "tcp", "cidrBlocks": ["0.0.0.0/0"]}]}
    assert "tcp ports 0-65535" in the(pack.check(SG, unset_ports)).message
    assert not pack.check(SG, {"ingress": "0.0.0.0/0"}).of(RULE)
    assert not pack.check(SG_RULE, {"type": None, **block(cidrs=["0.0.0.0/0"])}).of(RULE)


TEMPLATES = {SG: group(block(from_port=443, cidrs=["0.0.0.0/0"], ipv6=["::/0"]),
                       block(protocol="-1", from_port=0, cidrs=["10.0.0.0/8"])),
             SG_RULE: {"type": "ingress", "securityGroupId": "sg-1",
                       **block(from_port=80, cidrs=["0.0.0.0/0"])},
             INGRESS: vpc_rule("192.168.0.0/16", cidr6="fd00::/8", from_port=8080)}
FUZZ_KEYS = frozenset(fz.keys_of(list(TEMPLATES.values())) | {"referencedSecurityGroupId"})


@pytest.mark.parametrize("type_", sorted(TEMPLATES))
def test_no_property_bag_crashes_the_rule(pack, type_):
    pack.configure()
    seen: set[str] = set()

    @settings(max_examples=500, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(props=fz.property_bag(TEMPLATES[type_], FUZZ_KEYS))
    def run(props):
        seen.update(d.enforcement for d in pack.client.analyze(resource(type_, props)).of(RULE))

    run()
    assert "mandatory" in seen, "the bags never reached a violation"


# ---- per-stack enforcement ------------------------------------------------------------------------

def test_dev_advises_and_prod_blocks_the_same_finding(pack):
    given_ = {stack: pack_config.load(PACK_DIR / "config" / f"{stack}.json") for stack in ("dev", "prod")}
    ssh = resource(INGRESS, vpc_rule("0.0.0.0/0"), name="ssh-in")
    dev, prod = (the(pack.analyze(ssh, given_[stack])) for stack in ("dev", "prod"))
    assert (dev.enforcement, prod.enforcement) == ("advisory", "mandatory")
    assert dev.severity == prod.severity == "high" and dev.message == prod.message
    assert not pack.analyze(resource(INGRESS, vpc_rule("0.0.0.0/0", from_port=443)), given_["prod"]).of(RULE)
