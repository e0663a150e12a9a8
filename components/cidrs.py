"""Address ranges judged by the addresses they hold, whatever the notation (pure; `ipaddress` only).

Public means globally routable. A range is non-public only when every address in it lies in a block the IANA
special-purpose registries mark "not globally reachable". The table is our own rather than the stdlib's
`is_private`/`is_global`, which change between Python versions (3.11 counts all of ::ffff:0:0/96 as private,
so ::ffff:8.8.8.8 would pass). Blocks whose reachability IANA leaves open (multicast, 6to4, Teredo, NAT64's
64:ff9b::/96) count as public: a rule that keeps public addresses out must not guess in their favour.
"""
from __future__ import annotations

import ipaddress
from typing import Iterable, Optional, Union

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

CIDR_NOTATION = 'must be an IPv4 network in CIDR notation like "10.0.0.0/16" (host bits zero)'
IPV4_ONLY = 'must be an IPv4 network like "10.0.0.0/16" (IPv6 ranges are not supported here)'
PREFIX_LENGTH = 'must give a prefix length like "10.0.0.0/16", not a netmask (AWS takes prefix-length notation only)'


def _networks(texts: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(t) for t in texts]


def _exclude(network: Network, blocks: Iterable[Network]) -> list[Network]:
    """`network` minus every block of its family: the pieces left, collapsed."""
    pieces = [network]
    for block in blocks:
        kept: list[Network] = []
        for piece in pieces:
            if piece.subnet_of(block):
                continue
            if block.subnet_of(piece):
                kept.extend(piece.address_exclude(block))
            else:
                kept.append(piece)      # two CIDR blocks either nest or are disjoint
        pieces = kept
    return list(ipaddress.collapse_addresses(pieces))


_RESERVED_V4 = _networks(("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                          "172.16.0.0/12", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
                          "203.0.113.0/24", "240.0.0.0/4"))
# 192.0.0.0/24 is not globally reachable except two anycast addresses (PCP, TURN) in it.
_IETF_V4 = _exclude(ipaddress.IPv4Network("192.0.0.0/24"), _networks(("192.0.0.9/32", "192.0.0.10/32")))
NON_GLOBAL_V4: tuple[Network, ...] = tuple(ipaddress.collapse_addresses([*_RESERVED_V4, *_IETF_V4]))
NON_GLOBAL_V6: tuple[Network, ...] = tuple(ipaddress.collapse_addresses(_networks(
    ("::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001:2::/48", "2001:db8::/32", "3fff::/20", "fc00::/7",
     "fe80::/10"))))
IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


def _from_mapped(network: ipaddress.IPv6Network) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network((int(network.network_address) & 0xFFFFFFFF, network.prefixlen - 96))


def _to_mapped(network: ipaddress.IPv4Network) -> ipaddress.IPv6Network:
    return ipaddress.IPv6Network((int(IPV4_MAPPED.network_address) | int(network.network_address),
                                  network.prefixlen + 96))


def public_parts(network: Network) -> list[Network]:
    """The publicly routable pieces of `network` (empty when it is entirely non-public), collapsed."""
    if network.version == 4:
        return _exclude(network, NON_GLOBAL_V4)
    pieces = _exclude(network, (*NON_GLOBAL_V6, IPV4_MAPPED))
    # An IPv4-mapped address reaches the IPv4 address it embeds, so it is judged as that address.
    mapped = network if network.subnet_of(IPV4_MAPPED) else IPV4_MAPPED if IPV4_MAPPED.subnet_of(network) else None
    if mapped is not None:
        pieces.extend(_to_mapped(p) for p in public_parts(_from_mapped(mapped)))
    return list(ipaddress.collapse_addresses(pieces))


def is_public(network: Network) -> bool:
    return bool(public_parts(network))


def public_addresses(networks: Iterable[Network]) -> int:
    """How many public addresses the ranges admit together (overlapping ranges counted once)."""
    networks, total = list(networks), 0
    for version in (4, 6):
        union = ipaddress.collapse_addresses([n for n in networks if n.version == version])
        total += sum(p.num_addresses for n in union for p in public_parts(n))
    return total


def ipv4_cidr_problem(text: str) -> Optional[str]:
    """Why `text` is not an IPv4 range as an AWS security-group rule takes it (canonical CIDR), or None.

    Netmask forms ("10.0.0.0/255.255.0.0") are refused: AWS takes prefix lengths only. Host bits
    ("10.0.0.1/8") are refused: AWS would silently mask them, so the rule stored differs from the one written.
    """
    address, slash, suffix = text.partition("/")
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return CIDR_NOTATION
    if network.version != 4:
        return IPV4_ONLY
    if not slash:
        return CIDR_NOTATION
    if not (suffix.isascii() and suffix.isdigit()):
        return PREFIX_LENGTH
    if network.network_address != ipaddress.IPv4Address(address):
        return f"must have its host bits zero (the network is {network})"
    if str(network) != text:
        return CIDR_NOTATION
    return None
