"""components/cidrs.py: ranges judged by the addresses they hold, whatever the notation."""
from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, strategies as st

from components import cidrs
from components.cidrs import CIDR_NOTATION, IPV4_ONLY, PREFIX_LENGTH, ipv4_cidr_problem, public_addresses, public_parts

net = ipaddress.ip_network


@pytest.mark.parametrize("text", ["10.0.0.0/16", "0.0.0.0/0", "203.0.113.7/32", "100.64.0.0/10"])
def test_canonical_ipv4_cidrs_are_accepted(text):
    assert ipv4_cidr_problem(text) is None


@pytest.mark.parametrize("text,problem", [
    # netmask and hostmask notation: the same networks, refused because AWS takes prefix lengths only
    ("0.0.0.0/0.0.0.0", PREFIX_LENGTH),
    ("10.0.0.0/255.0.0.0", PREFIX_LENGTH),
    ("10.0.0.0/0.255.255.255", PREFIX_LENGTH),
    # host bits: AWS would store the masked network, not what was written
    ("10.0.0.1/8", "must have its host bits zero (the network is 10.0.0.0/8)"),
    ("0.0.0.1/0", "must have its host bits zero (the network is 0.0.0.0/0)"),
    # IPv6 in any spelling, IPv4-mapped included
    ("::/0", IPV4_ONLY),
    ("2000::/3", IPV4_ONLY),
    ("::ffff:0.0.0.0/96", IPV4_ONLY),
    ("::ffff:0:0/96", IPV4_ONLY),
    # not a canonical CIDR
    ("10.0.0.0", CIDR_NOTATION),
    ("10.0.0.0/08", CIDR_NOTATION),
    ("10.0.0.0/33", CIDR_NOTATION),
    ("010.0.0.0/8", CIDR_NOTATION),
    (" 10.0.0.0/8", CIDR_NOTATION),
    ("10.0.0.0/8 ", CIDR_NOTATION),
    ("ten/8", CIDR_NOTATION),
    ("", CIDR_NOTATION),
])
def test_non_canonical_or_non_ipv4_ranges_are_refused(text, problem):
    assert ipv4_cidr_problem(text) == problem


@pytest.mark.parametrize("text", [
    "10.0.0.0/8", "10.20.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
    "127.0.0.0/8", "0.0.0.0/8", "198.18.0.0/15", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
    "240.0.0.0/4", "255.255.255.255/32", "192.0.0.8/32",
    "fc00::/7", "fd12:3456::/32", "fe80::/10", "::1/128", "2001:db8::/32",
    "::ffff:10.0.0.0/104", "::ffff:192.168.1.1/128",
])
def test_ranges_inside_non_routable_space_are_not_public(text):
    assert public_parts(net(text)) == []
    assert public_addresses([net(text)]) == 0


@pytest.mark.parametrize("text,first_public", [
    ("0.0.0.0/0", "1.0.0.0/8"),
    ("0.0.0.0/1", "1.0.0.0/8"),
    ("128.0.0.0/1", "128.0.0.0/3"),
    ("10.0.0.0/7", "11.0.0.0/8"),             # straddles: 10/8 is private, 11/8 is not
    ("172.0.0.0/8", "172.0.0.0/12"),
    ("100.0.0.0/8", "100.0.0.0/10"),          # around the shared (CGNAT) 100.64.0.0/10
    ("192.0.0.0/24", "192.0.0.9/32"),         # IETF block, but its two anycast addresses are global
    ("8.8.8.8/32", "8.8.8.8/32"),
    ("::/0", "::2/127"),
    ("2000::/3", "2000::/16"),
    ("::ffff:0:0/96", "::ffff:100:0/104"),    # every mapped IPv4 address, judged as the IPv4 address
    ("::ffff:8.8.8.0/120", "::ffff:808:800/120"),
    ("64:ff9b::/96", "64:ff9b::/96"),         # NAT64 reaches public IPv4
])
def test_ranges_holding_public_addresses_are_public(text, first_public):
    parts = public_parts(net(text))
    assert parts[0] == net(first_public)
    assert cidrs.is_public(net(text))


def test_straddling_range_is_public_exactly_in_its_public_half():
    assert public_parts(net("10.0.0.0/7")) == [net("11.0.0.0/8")]
    assert public_addresses([net("10.0.0.0/7")]) == 2 ** 24


def test_ipv4_mapped_addresses_are_not_all_private_as_the_stdlib_says():
    mapped = net("::ffff:8.8.8.8/128")
    assert mapped.is_private          # Python 3.11's table: the whole ::ffff:0:0/96 block
    assert public_parts(mapped) == [mapped]


def test_split_ranges_are_judged_together():
    world = public_addresses([net("0.0.0.0/0")])
    assert public_addresses([net("0.0.0.0/1"), net("128.0.0.0/1")]) == world
    assert public_addresses([net(f"{i}.0.0.0/8") for i in range(256)]) == world
    assert public_addresses([net("0.0.0.0/0"), net("0.0.0.0/1"), net("8.8.8.0/24")]) == world   # overlaps once
    assert public_addresses([net("10.0.0.0/9"), net("10.128.0.0/9"), net("192.168.0.0/16")]) == 0


def test_both_families_add_up():
    assert public_addresses([net("8.8.8.0/24"), net("2606:4700::/120"), net("fc00::/7")]) == 256 + 256


def _overlap(a, b) -> int:
    if a.subnet_of(b):
        return a.num_addresses
    if b.subnet_of(a):
        return b.num_addresses
    return 0


@given(st.integers(0, 2 ** 32 - 1), st.integers(0, 32))
def test_public_and_non_public_parts_partition_any_ipv4_range(address, prefix):
    network = ipaddress.IPv4Network((address, prefix), strict=False)
    parts = public_parts(network)
    assert all(p.subnet_of(network) for p in parts)
    assert not any(_overlap(p, block) for p in parts for block in cidrs.NON_GLOBAL_V4)
    non_public = sum(_overlap(network, block) for block in cidrs.NON_GLOBAL_V4)
    assert sum(p.num_addresses for p in parts) + non_public == network.num_addresses
