"""The fetch guard's table of the IANA special-purpose address registries, row by row.

Only the pure functions: nothing here opens a connection or asks a resolver (an IP literal
is resolved without one).
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.fetch import (
    SPECIAL_PURPOSE_RANGES,
    BlockedURL,
    address_problem,
    resolve_and_check,
    special_purpose_range,
)

NOT_REACHABLE = ", not globally reachable"

# One case per row of the table, transcribed from the registries independently of it:
# (an address inside the row and in no more specific row, the row, the reason or None).
REGISTRY_CASES = [
    # IPv4 special-purpose registry.
    ("0.1.2.3", "0.0.0.0/8", "This network (RFC 791)"),
    ("0.0.0.0", "0.0.0.0/32", "This host on this network (RFC 1122)"),  # noqa: S104
    ("10.20.30.40", "10.0.0.0/8", "Private-Use (RFC 1918)"),
    ("100.127.255.254", "100.64.0.0/10", "Shared Address Space (RFC 6598)"),
    ("127.0.0.53", "127.0.0.0/8", "Loopback (RFC 1122)"),
    ("169.254.169.254", "169.254.0.0/16", "Link Local (RFC 3927)"),
    ("172.31.0.1", "172.16.0.0/12", "Private-Use (RFC 1918)"),
    ("192.0.0.200", "192.0.0.0/24", "IETF Protocol Assignments (RFC 6890)"),
    ("192.0.0.7", "192.0.0.0/29", "IPv4 Service Continuity Prefix (RFC 7335)"),
    ("192.0.0.8", "192.0.0.8/32", "IPv4 dummy address (RFC 7600)"),
    ("192.0.0.9", "192.0.0.9/32", None),
    ("192.0.0.10", "192.0.0.10/32", None),
    ("192.0.0.170", "192.0.0.170/32", "NAT64/DNS64 Discovery (RFC 8880)"),
    ("192.0.0.171", "192.0.0.171/32", "NAT64/DNS64 Discovery (RFC 8880)"),
    ("192.0.2.1", "192.0.2.0/24", "Documentation (TEST-NET-1) (RFC 5737)"),
    ("192.31.196.1", "192.31.196.0/24", None),
    ("192.52.193.1", "192.52.193.0/24", None),
    ("192.88.99.1", "192.88.99.0/24", "Deprecated (6to4 Relay Anycast) (RFC 7526)"),
    ("192.88.99.2", "192.88.99.2/32", "6a44-relay anycast address (RFC 6751)"),
    ("192.168.178.1", "192.168.0.0/16", "Private-Use (RFC 1918)"),
    ("192.175.48.6", "192.175.48.0/24", None),
    ("198.19.255.255", "198.18.0.0/15", "Benchmarking (RFC 2544)"),
    ("198.51.100.7", "198.51.100.0/24", "Documentation (TEST-NET-2) (RFC 5737)"),
    ("203.0.113.9", "203.0.113.0/24", "Documentation (TEST-NET-3) (RFC 5737)"),
    ("240.0.0.1", "240.0.0.0/4", "Reserved (RFC 1112)"),
    ("255.255.255.255", "255.255.255.255/32", "Limited Broadcast (RFC 919)"),
    ("224.0.0.251", "224.0.0.0/4", "Multicast (RFC 5771)"),
    # IPv6 special-purpose registry.
    ("::1", "::1/128", "Loopback Address (RFC 4291)"),
    ("::", "::/128", "Unspecified Address (RFC 4291)"),
    ("::ffff:808:808", "::ffff:0:0/96", "IPv4-mapped Address (RFC 4291)"),
    ("64:ff9b::808:808", "64:ff9b::/96", None),
    ("64:ff9b:1::808:808", "64:ff9b:1::/48", "IPv4-IPv6 Translation (RFC 8215)"),
    ("100::1", "100::/64", "Discard-Only Address Block (RFC 6666)"),
    ("100:0:0:1::1", "100:0:0:1::/64", "Dummy IPv6 Prefix (RFC 9780)"),
    ("2001:100::1", "2001::/23", "IETF Protocol Assignments (RFC 2928)"),
    ("2001::1", "2001::/32", "TEREDO (RFC 4380)"),
    ("2001:1::1", "2001:1::1/128", None),
    ("2001:1::2", "2001:1::2/128", None),
    ("2001:1::3", "2001:1::3/128", None),
    ("2001:2::1", "2001:2::/48", "Benchmarking (RFC 5180)"),
    ("2001:3::1", "2001:3::/32", None),
    ("2001:4:112::1", "2001:4:112::/48", None),
    ("2001:10::1", "2001:10::/28", "Deprecated (previously ORCHID) (RFC 4843)"),
    ("2001:20::1", "2001:20::/28", None),
    ("2001:30::1", "2001:30::/28", None),
    ("2001:db8::1", "2001:db8::/32", "Documentation (RFC 3849)"),
    ("2002:808:808::1", "2002::/16", "6to4 (RFC 3056)"),
    ("2620:4f:8000::53", "2620:4f:8000::/48", None),
    ("3fff::1", "3fff::/20", "Documentation (RFC 9637)"),
    ("5f00::1", "5f00::/16", "Segment Routing (SRv6) SIDs (RFC 9602)"),
    ("fd12:3456::1", "fc00::/7", "Unique-Local (RFC 4193)"),
    ("fe80::1", "fe80::/10", "Link-Local Unicast (RFC 4291)"),
    # IPv6 outside that registry: everything outside 2000::/3.
    ("::7f00:1", "::/96", "Deprecated IPv4-compatible Address (RFC 4291)"),
    ("fec0::1", "fec0::/10", "Deprecated Site-Local (RFC 3879)"),
    ("ff0e::1", "ff00::/8", "Multicast (RFC 4291)"),
    ("1::1", "::/3", "Not global unicast (outside 2000::/3) (RFC 4291)"),
    ("4000::1", "4000::/2", "Not global unicast (outside 2000::/3) (RFC 4291)"),
    ("8000::1", "8000::/1", "Not global unicast (outside 2000::/3) (RFC 4291)"),
]


@pytest.mark.parametrize(("address", "network", "reason"), REGISTRY_CASES)
def test_each_registry_row_decides_for_the_addresses_in_it(
    address: str, network: str, reason: str | None
) -> None:
    ip = ipaddress.ip_address(address)

    assert special_purpose_range(ip).network == ipaddress.ip_network(network)
    if reason is None:
        assert address_problem(ip) is None
    else:
        assert address_problem(ip) == f"in {network}, {reason}{NOT_REACHABLE}"


def test_every_row_of_the_table_has_its_case() -> None:
    assert sorted(str(row.network) for row in SPECIAL_PURPOSE_RANGES) == sorted(
        network for _address, network, _reason in REGISTRY_CASES
    )


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700::1", "2a00:1450:4001::200e"]
)
def test_a_public_address_is_in_no_row_and_allowed(address: str) -> None:
    ip = ipaddress.ip_address(address)

    assert special_purpose_range(ip) is None
    assert address_problem(ip) is None


_ANY_ADDRESS = st.one_of(
    st.ip_addresses(),
    st.sampled_from([row.network for row in SPECIAL_PURPOSE_RANGES]).flatmap(
        lambda network: st.ip_addresses(network=network)
    ),
)


@given(_ANY_ADDRESS)
def test_the_guard_refuses_all_python_calls_not_global_unless_the_registry_says_reachable(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    row = special_purpose_range(address)
    if not address.is_global and not (row is not None and row.is_globally_reachable):
        assert address_problem(address) is not None


def test_guard_refuses_192_0_0_0_24_which_is_global_says_python() -> None:
    # Python 3.11's ipaddress calls 192.0.0.200 global; the registry does not.
    with pytest.raises(BlockedURL) as caught:
        resolve_and_check("192.0.0.200", 80, frozenset())

    assert caught.value.message == (
        "address 192.0.0.200 is in 192.0.0.0/24, IETF Protocol Assignments (RFC 6890)"
        + NOT_REACHABLE
    )


def test_guard_refuses_3fff_documentation_range() -> None:
    with pytest.raises(BlockedURL) as caught:
        resolve_and_check("3fff:abc::1", 443, frozenset())

    assert caught.value.message == (
        "address 3fff:abc::1 is in 3fff::/20, Documentation (RFC 9637)" + NOT_REACHABLE
    )


def test_a_globally_reachable_row_inside_a_refused_one_wins() -> None:
    assert resolve_and_check("192.0.0.9", 443, frozenset()) == "192.0.0.9"
    with pytest.raises(BlockedURL):
        resolve_and_check("192.0.0.11", 443, frozenset())


def test_nat64_is_judged_by_the_ipv4_address_it_embeds() -> None:
    assert resolve_and_check("64:ff9b::808:808", 443, frozenset()) == "64:ff9b::808:808"
    with pytest.raises(BlockedURL) as caught:
        resolve_and_check("64:ff9b::c000:c8", 443, frozenset())

    assert caught.value.message == (
        "address 64:ff9b::c000:c8 is NAT64 for 192.0.0.200, which is in 192.0.0.0/24, "
        "IETF Protocol Assignments (RFC 6890)" + NOT_REACHABLE
    )


def test_6to4_of_a_public_address_is_refused() -> None:
    with pytest.raises(BlockedURL) as caught:
        resolve_and_check("2002:808:808::1", 443, frozenset())

    assert caught.value.message == (
        "address 2002:808:808::1 is in 2002::/16, 6to4 (RFC 3056)" + NOT_REACHABLE
    )


def test_an_allowed_host_port_still_skips_the_table() -> None:
    assert resolve_and_check("127.0.0.1", 8765, frozenset({"127.0.0.1:8765"})) == "127.0.0.1"
    with pytest.raises(BlockedURL):
        resolve_and_check("127.0.0.1", 8766, frozenset({"127.0.0.1:8765"}))
