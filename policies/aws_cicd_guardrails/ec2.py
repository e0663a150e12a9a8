"""EC2 network rules: security-group ingress open to public address space.

"Public" is decided with `ipaddress`, never by comparing strings. A range is public when any of its
addresses is globally reachable, i.e. when it is not wholly inside the non-global blocks of the IANA
special-purpose registries (NON_GLOBAL_V4 / NON_GLOBAL_V6). Each range is judged on its own, so ranges
that only together span the internet (0.0.0.0/1 + 128.0.0.0/1, the internet in 256 pieces) are caught
piece by piece, and a range that straddles (10.0.0.0/7 = private 10/8 + public 11/8) is public. A single
public /32 is public too: the rule judges address space, not breadth. IPv4-mapped IPv6
(::ffff:0:0/96) is judged as the IPv4 range it maps; blocks not listed (multicast, Teredo, 6to4, NAT64)
count as public — in doubt, a finding. Security-group and prefix-list sources are not address ranges
and are not judged.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Iterable, Iterator, Optional, Union

from ._common import as_list, as_number, as_str, get
from ._registry import resource_rule

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
DEFAULT_ALLOWED_PORTS = [80, 443]
MAX_PORT = 65535
ALL_PROTOCOLS = ("-1", "all")
PORT_PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp"}
ICMP_PROTOCOLS = {"icmp": "icmp", "1": "icmp", "icmpv6": "icmpv6", "58": "icmpv6"}

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


def _subtract(nets: Iterable[Network], blocks: Iterable[Network]) -> list[Network]:
    """What is left of `nets` once every block is taken out."""
    left = list(nets)
    for block in blocks:
        out: list[Network] = []
        for net in left:
            if net.version != block.version or not net.overlaps(block):
                out.append(net)
            elif not net.subnet_of(block):
                out.extend(net.address_exclude(block))
        left = out
    return left


def _nets(*cidrs: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# IANA IPv4/IPv6 special-purpose address registries, "Globally Reachable: False". 192.0.0.9 and
# 192.0.0.10 (PCP and TURN anycast) are the registry's globally reachable exceptions inside 192.0.0.0/24.
NON_GLOBAL_V4 = _nets("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                      "172.16.0.0/12", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
                      "203.0.113.0/24", "240.0.0.0/4") + tuple(
    _subtract(_nets("192.0.0.0/24"), _nets("192.0.0.9/32", "192.0.0.10/32")))
# 2001::/23 is non-global only in parts (Teredo and several sub-blocks are reachable): its listed parts only.
NON_GLOBAL_V6 = _nets("::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001:2::/48", "2001:10::/28",
                      "2001:db8::/32", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10")
IPV4_MAPPED = ipaddress.ip_network("::ffff:0:0/96")


def public_part(net: Network) -> Optional[Network]:
    """The largest globally reachable sub-range of `net`, or None when it is wholly non-global."""
    if net.version == 6 and net.subnet_of(IPV4_MAPPED):
        mapped = net.network_address.ipv4_mapped
        return public_part(ipaddress.ip_network(f"{mapped}/{net.prefixlen - 96}"))
    left = _subtract([net], NON_GLOBAL_V4 if net.version == 4 else NON_GLOBAL_V6)
    return min(left, key=lambda n: (n.prefixlen, n)) if left else None


def judge_cidr(text: str) -> tuple[str, Optional[str]]:
    """("public", shown) | ("private", None) | ("malformed", None) for one CIDR as written.

    Netmask and hostmask forms (0.0.0.0/0.0.0.0) parse as their prefix; host bits are ignored, as a
    range with them set (8.8.8.8/0) still reaches what its prefix reaches."""
    # Longer than any CIDR can be (the longest IPv6 form is 49 characters): not worth parsing or caching.
    return ("malformed", None) if len(text) > 64 else _judge(text)


@lru_cache(maxsize=4096)
def _judge(text: str) -> tuple[str, Optional[str]]:
    try:
        net = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return "malformed", None
    if net.version == 6 and net.network_address.scope_id is not None:  # fe80::%eth0/64: no CIDR AWS takes
        return "malformed", None
    public = public_part(net)
    if public is None:
        return "private", None
    # Name a public part only where the range starts in private space and so looks private (10.0.0.0/7).
    starts_private = public_part(ipaddress.ip_network(net.network_address)) is None
    shown = f'"{text}" (public {public} in it)' if starts_private and net.prefixlen else f'"{text}"'
    return "public", shown


def _cidr_values(value: Any) -> list:
    return [value] if isinstance(value, str) else list(as_list(value))


def _protocol(value: Any) -> str:
    if isinstance(value, str):
        return value.strip().lower()
    number = as_number(value)
    return str(int(number)) if number is not None and number.is_integer() else ""


def _port(value: Any, default: int) -> int:
    number = as_number(value)
    if number is None or not number.is_integer() or not 0 <= number <= MAX_PORT:
        return default
    return int(number)


def allowed_ports(cfg: Mapping[str, Any]) -> list[int]:
    ports = {_port(v, -1) for v in as_list(cfg.get("allowedPorts", DEFAULT_ALLOWED_PORTS))}
    return sorted(ports - {-1})


def opened(protocol: Any, from_port: Any, to_port: Any, allowed: list[int]) -> Optional[str]:
    """What an ingress opens beyond the allowed ports, in words, or None.

    TCP and UDP ports come from fromPort..toPort; an unset or invalid bound opens the range to its end
    (AWS would refuse the rule, so this errs toward a finding). All protocols (-1/all), ICMP and any
    other protocol number open traffic no port list authorises: no AWS control allows ICMP from public
    space (Security Hub EC2.18 authorises TCP/UDP ports only)."""
    proto = _protocol(protocol)
    if proto in ALL_PROTOCOLS:
        return "all protocols and ports"
    if proto in ICMP_PROTOCOLS:
        return ICMP_PROTOCOLS[proto]
    kind = PORT_PROTOCOLS.get(proto)
    if kind is None:
        return f"protocol {proto!r}" if proto else "an unset protocol"
    low, high = sorted((_port(from_port, 0), _port(to_port, MAX_PORT)))
    inside = [p for p in allowed if low <= p <= high]
    if high - low + 1 <= len(inside):
        return None
    if low == high:
        return f"{kind} port {low}"
    besides = f", not just {', '.join(map(str, inside))}" if inside else ""
    return f"{kind} ports {low}-{high}{besides}"


def _shown(item: Any) -> str:
    if isinstance(item, Mapping):
        return "a map"
    if isinstance(item, Sequence) and not isinstance(item, str):
        return "a list"
    text = f'"{item}"' if isinstance(item, str) else f"{item!r} (not a string)"
    return text if len(text) <= 60 else text[:57] + "..."


def _ingress_findings(label: str, entry: Mapping, protocol_key: str, cidr_keys: tuple[str, str],
                      allowed: list[int]) -> Iterator[str]:
    """The messages of one ingress. CIDRs are read only once the ports matter: an unknown CIDR behind
    port 443 must not turn the check into a preview advisory."""
    what = opened(get(entry, protocol_key), get(entry, "fromPort"), get(entry, "toPort"), allowed)
    if what is None:
        return
    public, malformed = [], []
    for key in cidr_keys:
        for item in _cidr_values(get(entry, key)):
            if item is None or (isinstance(item, str) and not item.strip()):
                continue
            verdict, shown = judge_cidr(item) if isinstance(item, str) else ("malformed", None)
            if verdict == "public":
                public.append(shown)
            elif verdict == "malformed":
                malformed.append(_shown(item))
    if public:
        may = f"only ports {', '.join(map(str, allowed))} may" if allowed else "no port may"
        yield (f"{label} opens {what} to public address space {', '.join(public)}; {may} be open to public "
               "ranges: restrict the source to private CIDRs, a security group or a prefix list")
    for shown in malformed:
        yield (f"{label} opens {what} to {shown}, which is not a CIDR range, so it cannot be shown to be "
               "private; write it as an IPv4 or IPv6 CIDR (e.g. 10.0.0.0/16)")


@resource_rule(
    "ec2-security-group-ingress-not-public",
    types=[SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE],
    description=("Security-group ingress must not open a port other than the allowed ones (80, 443) to "
                 "public address space, IPv4 or IPv6."),
    severity="high",
    remediation=(
        "Open only the allowed ports (allowedPorts, default 80 and 443, TCP or UDP) to public ranges; for "
        "any other port, protocol -1, ICMP or another protocol use a source security group "
        "(referenced_security_group_id / source_security_group_id / security_groups), a prefix list, or "
        "private CIDRs. A range is public when any of its addresses is globally reachable, i.e. not wholly "
        "inside RFC 1918, 100.64.0.0/10, loopback, link-local, 0.0.0.0/8, the documentation and benchmark "
        "blocks, 240.0.0.0/4, fc00::/7 or fe80::/10 (IANA special-purpose registries): 0.0.0.0/0, ::/0, "
        "2000::/3, a split such as 0.0.0.0/1 + 128.0.0.0/1, a straddling 10.0.0.0/7 and a single public /32 "
        "all count. Waive a vetted public source (an office or CI egress range) in the stack config."),
    topic="network",
    anchors=["SH EC2.18", "SH EC2.19", "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260"],
    config={"allowedPorts": {
        "type": "array", "items": {"type": "integer", "minimum": 0, "maximum": MAX_PORT}, "uniqueItems": True,
        "default": DEFAULT_ALLOWED_PORTS,
        "description": "TCP/UDP ports an ingress may open to public address space."}},
)
def ec2_security_group_ingress_not_public(args, cfg):
    allowed = allowed_ports(cfg)
    props = args.props
    if args.resource_type == SECURITY_GROUP:
        for i, block in enumerate(as_list(get(props, "ingress"))):
            if isinstance(block, Mapping):
                yield from _ingress_findings(f'security group "{args.name}" ingress[{i}]', block, "protocol",
                                             ("cidrBlocks", "ipv6CidrBlocks"), allowed)
    elif args.resource_type == SECURITY_GROUP_RULE:
        if as_str(get(props, "type")).strip().lower() == "ingress":
            yield from _ingress_findings(f'security group rule "{args.name}"', props, "protocol",
                                         ("cidrBlocks", "ipv6CidrBlocks"), allowed)
    else:
        yield from _ingress_findings(f'security group ingress rule "{args.name}"', props, "ipProtocol",
                                     ("cidrIpv4", "cidrIpv6"), allowed)
