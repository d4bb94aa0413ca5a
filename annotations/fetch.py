"""SSRF-safe fetching of source pages and extraction of their main text.

No Django here: callers pass the settings (``FETCH_ALLOW_HOSTS`` and limits) as arguments.

The guard: only http(s) URLs; the host is resolved once and refused when any address it
resolves to is not globally reachable by the IANA special-purpose registries (the table
SPECIAL_PURPOSE_RANGES); the connection goes to exactly the checked address
(the Host header and TLS SNI/certificate check keep the hostname); every redirect hop is
checked again; time and bytes are capped.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import ipaddress
import re
import socket
import ssl
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from urllib.parse import urljoin

import httpx
import lxml.etree
import lxml.html
import lxml.html.defs
import trafilatura
from lxml_html_clean import Cleaner

__all__ = [
    "SPECIAL_PURPOSE_RANGES",
    "BlockedURL",
    "Exchange",
    "FetchError",
    "FetchResult",
    "PostResult",
    "SpecialPurposeRange",
    "TransientFetchError",
    "address_problem",
    "check_url_shape",
    "decode_body",
    "extract",
    "fetch",
    "post",
    "resolve_and_check",
    "special_purpose_range",
]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown"})
TRANSIENT_STATUSES = frozenset({408, 429, 502, 503, 504})
TITLE_MAX_CHARS = 300


# Answers that say the source is gone (not merely failing): archived as the record of it,
# their body read up to GONE_MAX_BYTES.
GONE_STATUSES = frozenset({404, 410})
GONE_MAX_BYTES = 64 * 1024


class FetchError(Exception):
    """A source could not be fetched or read.

    ``code`` and ``params`` are what is stored and shown: the pages render them in the
    reader's language (``annotations.machine_text``). ``message`` is the same in English,
    for logs and rows written before codes existed.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        url: str | None = None,
        code: str = "",
        params: dict[str, str | int | float] | None = None,
        exchanges: tuple[Exchange, ...] = (),
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.url = url
        self.code = code
        self.params = dict(params or {})
        # A source that answered "gone" (GONE_STATUSES): its exchanges, for the archive.
        self.exchanges = exchanges


class BlockedURL(FetchError):
    """The URL, or an address its host resolves to, may not be fetched."""


class TransientFetchError(FetchError):
    """A failure that may pass on its own, so the caller may retry with backoff."""


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response, as sent and received on one hop (for the archive).

    ``url`` names the host; ``address`` is the checked address the connection went to.
    Headers are the raw (name, value) pairs in wire order. ``body`` is the body as read:
    decoded from its Content-Encoding and cut at the byte cap (``truncated``); a redirect's
    body is never read, so it is empty.
    """

    url: str
    address: str
    request_headers: tuple[tuple[str, str], ...]
    http_version: str
    status: int
    reason: str
    response_headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    truncated: bool = False


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    content_type: str
    # The encoding the body was decoded with (a Python codec name), not only the declared one.
    charset: str | None
    title: str
    text: str
    sha256: str
    truncated: bool
    redirects: tuple[str, ...]
    # Every hop, redirects first, the answered one last.
    exchanges: tuple[Exchange, ...] = ()


@dataclass(frozen=True)
class SpecialPurposeRange:
    """One row of the IANA special-purpose address registries (or of the few neighbours
    added below them). ``is_globally_reachable`` is the registry's "Globally Reachable"
    column; its "N/A" (deprecated blocks, 6to4, Teredo) counts as not reachable."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    name: str
    rfc: str
    is_globally_reachable: bool

    def reason(self) -> str:
        return f"in {self.network}, {self.name} ({self.rfc}), not globally reachable"


def _row(cidr: str, name: str, rfc: str, *, reachable: bool = False) -> SpecialPurposeRange:
    return SpecialPurposeRange(ipaddress.ip_network(cidr), name, rfc, reachable)


# The IANA IPv4 and IPv6 Special-Purpose Address Registries (iana-ipv4-special-registry,
# iana-ipv6-special-registry) as of 2025, one row per entry, then the few blocks outside
# them that are no place for a web page either. Python's `is_global` has gaps here (it
# passed 192.0.0.0/24 and 3fff::/20), so the guard reads this table and nothing else.
# The most specific row containing an address decides: 192.0.0.9 (PCP anycast, reachable)
# is allowed although its 192.0.0.0/24 is not. An IPv4 address in no row is public; an
# IPv6 address in no row is public only inside 2000::/3 (the rows below cover the rest).
SPECIAL_PURPOSE_RANGES: tuple[SpecialPurposeRange, ...] = (
    # IPv4 special-purpose registry.
    _row("0.0.0.0/8", "This network", "RFC 791"),
    _row("0.0.0.0/32", "This host on this network", "RFC 1122"),
    _row("10.0.0.0/8", "Private-Use", "RFC 1918"),
    _row("100.64.0.0/10", "Shared Address Space", "RFC 6598"),
    _row("127.0.0.0/8", "Loopback", "RFC 1122"),
    _row("169.254.0.0/16", "Link Local", "RFC 3927"),
    _row("172.16.0.0/12", "Private-Use", "RFC 1918"),
    _row("192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890"),
    _row("192.0.0.0/29", "IPv4 Service Continuity Prefix", "RFC 7335"),
    _row("192.0.0.8/32", "IPv4 dummy address", "RFC 7600"),
    _row("192.0.0.9/32", "Port Control Protocol Anycast", "RFC 7723", reachable=True),
    _row("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", "RFC 8155", reachable=True),
    _row("192.0.0.170/32", "NAT64/DNS64 Discovery", "RFC 8880"),
    _row("192.0.0.171/32", "NAT64/DNS64 Discovery", "RFC 8880"),
    _row("192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737"),
    _row("192.31.196.0/24", "AS112-v4", "RFC 7535", reachable=True),
    _row("192.52.193.0/24", "AMT", "RFC 7450", reachable=True),
    _row("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", "RFC 7526"),
    _row("192.88.99.2/32", "6a44-relay anycast address", "RFC 6751"),
    _row("192.168.0.0/16", "Private-Use", "RFC 1918"),
    _row("192.175.48.0/24", "Direct Delegation AS112 Service", "RFC 7534", reachable=True),
    _row("198.18.0.0/15", "Benchmarking", "RFC 2544"),
    _row("198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737"),
    _row("203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737"),
    _row("240.0.0.0/4", "Reserved", "RFC 1112"),
    _row("255.255.255.255/32", "Limited Broadcast", "RFC 919"),
    # IPv4 outside that registry: multicast has a registry of its own.
    _row("224.0.0.0/4", "Multicast", "RFC 5771"),
    # IPv6 special-purpose registry.
    _row("::1/128", "Loopback Address", "RFC 4291"),
    _row("::/128", "Unspecified Address", "RFC 4291"),
    _row("::ffff:0:0/96", "IPv4-mapped Address", "RFC 4291"),
    # Reachable, but only as far as the IPv4 address it embeds: see address_problem.
    _row("64:ff9b::/96", "IPv4-IPv6 Translation", "RFC 6052", reachable=True),
    _row("64:ff9b:1::/48", "IPv4-IPv6 Translation", "RFC 8215"),
    _row("100::/64", "Discard-Only Address Block", "RFC 6666"),
    _row("100:0:0:1::/64", "Dummy IPv6 Prefix", "RFC 9780"),
    _row("2001::/23", "IETF Protocol Assignments", "RFC 2928"),
    _row("2001::/32", "TEREDO", "RFC 4380"),
    _row("2001:1::1/128", "Port Control Protocol Anycast", "RFC 7723", reachable=True),
    _row("2001:1::2/128", "Traversal Using Relays around NAT Anycast", "RFC 8155", reachable=True),
    _row(
        "2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", "RFC 9665", reachable=True
    ),
    _row("2001:2::/48", "Benchmarking", "RFC 5180"),
    _row("2001:3::/32", "AMT", "RFC 7450", reachable=True),
    _row("2001:4:112::/48", "AS112-v6", "RFC 7535", reachable=True),
    _row("2001:10::/28", "Deprecated (previously ORCHID)", "RFC 4843"),
    _row("2001:20::/28", "ORCHIDv2", "RFC 7343", reachable=True),
    _row(
        "2001:30::/28",
        "Drone Remote ID Protocol Entity Tags (DETs) Prefix",
        "RFC 9374",
        reachable=True,
    ),
    _row("2001:db8::/32", "Documentation", "RFC 3849"),
    _row("2002::/16", "6to4", "RFC 3056"),
    _row("2620:4f:8000::/48", "Direct Delegation AS112 Service", "RFC 7534", reachable=True),
    _row("3fff::/20", "Documentation", "RFC 9637"),
    _row("5f00::/16", "Segment Routing (SRv6) SIDs", "RFC 9602"),
    _row("fc00::/7", "Unique-Local", "RFC 4193"),
    _row("fe80::/10", "Link-Local Unicast", "RFC 4291"),
    # IPv6 outside that registry: everything outside 2000::/3, the global unicast space,
    # with names for the blocks a reason should name.
    _row("::/96", "Deprecated IPv4-compatible Address", "RFC 4291"),
    _row("fec0::/10", "Deprecated Site-Local", "RFC 3879"),
    _row("ff00::/8", "Multicast", "RFC 4291"),
    _row("::/3", "Not global unicast (outside 2000::/3)", "RFC 4291"),
    _row("4000::/2", "Not global unicast (outside 2000::/3)", "RFC 4291"),
    _row("8000::/1", "Not global unicast (outside 2000::/3)", "RFC 4291"),
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def special_purpose_range(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> SpecialPurposeRange | None:
    """The most specific row of SPECIAL_PURPOSE_RANGES holding ``address``, if any."""
    rows = (
        row
        for row in SPECIAL_PURPOSE_RANGES
        if row.network.version == address.version and address in row.network
    )
    return max(rows, key=lambda row: row.network.prefixlen, default=None)


def address_problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why nothing may be fetched from ``address``, or None when it is globally reachable.

    The reason names the range: "in 10.0.0.0/8, Private-Use (RFC 1918), not globally
    reachable".
    """
    refusal = _address_refusal(address)
    if refusal is None:
        return None
    row, embedded = refusal
    if embedded is not None:
        return f"NAT64 for {embedded}, which is {row.reason()}"
    return row.reason()


def _address_refusal(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> tuple[SpecialPurposeRange, ipaddress.IPv4Address | None] | None:
    """The range that refuses ``address``, and the IPv4 address a NAT64 address leads to
    when that one is refused; None when the address is globally reachable."""
    row = special_purpose_range(address)
    if row is None:
        return None
    if not row.is_globally_reachable:
        return row, None
    if address in _NAT64:
        # NAT64 (what DNS64 answers for every IPv4-only site) leads to the IPv4 address in
        # its last 32 bits, so that address decides.
        embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        inner = _address_refusal(embedded)
        if inner is not None:
            return inner[0], embedded
    return None


def _blocked_address(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    refusal: tuple[SpecialPurposeRange, ipaddress.IPv4Address | None],
) -> BlockedURL:
    row, embedded = refusal
    params: dict[str, str | int | float] = {
        "address": str(address),
        "network": str(row.network),
        "name": row.name,
        "rfc": row.rfc,
    }
    if embedded is None:
        return BlockedURL(
            f"address {address} is {row.reason()}", code="address_blocked", params=params
        )
    params["embedded"] = str(embedded)
    return BlockedURL(
        f"address {address} is NAT64 for {embedded}, which is {row.reason()}",
        code="address_blocked_nat64",
        params=params,
    )


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def resolve_and_check(host: str, port: int, allow_hosts: frozenset[str]) -> str:
    """Resolve ``host`` once and return the address to connect to.

    Raises BlockedURL when any resolved address is not globally reachable, unless
    ``host:port`` is in ``allow_hosts`` (entries like ``"localhost:8765"``, ``"[::1]:8765"``).
    The caller must connect to the returned address and nothing else, or a DNS answer that
    changes between check and connect (rebinding) would get through.
    """
    host = host.strip("[]").lower()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        if exc.errno == socket.EAI_AGAIN:
            raise TransientFetchError(
                f"could not resolve {host} (temporary DNS failure)",
                code="dns_temporary",
                params={"host": host},
            ) from exc
        raise FetchError(
            f"could not resolve {host}", code="dns_failed", params={"host": host}
        ) from exc
    except (UnicodeError, ValueError) as exc:
        raise BlockedURL(
            f"host {host!r} is not a valid name", code="host_invalid", params={"host": host}
        ) from exc

    addresses = [
        ipaddress.ip_address(info[4][0])
        for info in infos
        if info[0] in (socket.AF_INET, socket.AF_INET6)
    ]
    if not addresses:
        raise FetchError(f"could not resolve {host}", code="dns_failed", params={"host": host})
    allowed = {entry.strip().lower() for entry in allow_hosts}
    if _host_port(host, port) not in allowed:
        # Every address, not only the first: a name with one public and one private address
        # must not be usable to reach the private one.
        for address in addresses:
            refusal = _address_refusal(address)
            if refusal is not None:
                raise _blocked_address(address, refusal)
    return str(addresses[0])


def check_url_shape(url: str) -> str:
    """Validate that ``url`` is an absolute http(s) URL with a host; return it normalised.

    Normalised means: scheme and host lower-cased, an IDN host in punycode, the default port
    dropped, unsafe path characters percent-encoded. No DNS lookup happens here.
    """
    candidate = url.strip()
    try:
        parsed = httpx.URL(candidate)
    except httpx.InvalidURL as exc:
        raise FetchError(f"not a valid URL: {exc}", code="url_invalid") from exc
    if parsed.scheme not in DEFAULT_PORTS:
        raise BlockedURL("only http and https URLs are accepted", code="url_scheme")
    if not parsed.raw_host:
        raise BlockedURL("URL has no host", code="url_no_host")
    if parsed.userinfo:
        raise BlockedURL("URLs with a user name or password are not accepted", code="url_userinfo")
    if parsed.port == DEFAULT_PORTS[parsed.scheme]:
        parsed = parsed.copy_with(port=None)
    return str(parsed)


def _redirect_target(current: str, location: str) -> str:
    return check_url_shape(urljoin(current, location))


def fetch(
    url: str,
    *,
    allow_hosts: Iterable[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    connect_timeout: float = 5.0,
    read_timeout: float = 10.0,
    total_timeout: float = 30.0,
    max_redirects: int = 5,
    user_agent: str = "factcheck-desk/1.0",
) -> FetchResult:
    """GET ``url`` through the SSRF guard and extract its title and main text.

    A body larger than ``max_bytes`` (after decompression) is cut there and extracted as far
    as it goes, with ``truncated=True``: a source check still wants the start of a long page.
    ``read_timeout`` bounds each wait for data; ``total_timeout`` (seconds) bounds the whole
    fetch, checked between hops and chunks, against servers that drip bytes.

    Raises BlockedURL, TransientFetchError (timeouts, connection failures, HTTP 408, 429,
    502, 503, 504: worth a retry) or FetchError (everything else).
    """
    start_url = check_url_shape(url)
    allowed = frozenset(allow_hosts)
    timeout = httpx.Timeout(
        connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
    )
    deadline = time.monotonic() + total_timeout
    tls = _tls_context()
    redirects: list[str] = []
    exchanges: list[Exchange] = []
    current = start_url

    while True:
        if time.monotonic() > deadline:
            raise _timed_out(total_timeout, url=current)
        target = httpx.URL(current)
        host = target.raw_host.decode("ascii")
        extensions = {"sni_hostname": host} if target.scheme == "https" else {}
        # A fresh client per hop: a TLS connection made for one hostname must never be
        # reused for another hostname that happens to share the address.
        with (
            _translate_errors(current, connect_timeout, read_timeout),
            httpx.Client(
                verify=tls,
                trust_env=False,
                follow_redirects=False,
                timeout=timeout,
                headers={
                    "User-Agent": user_agent,
                    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
                    "Accept-Encoding": "gzip, deflate",
                },
            ) as client,
        ):
            port = target.port or DEFAULT_PORTS[target.scheme]
            address = resolve_and_check(host, port, allowed)
            request = client.build_request(
                "GET",
                target.copy_with(host=address),
                headers={"Host": target.netloc.decode("ascii")},
                extensions=extensions,
            )
            response = client.send(request, stream=True)
            try:
                if response.is_redirect:
                    exchanges.append(_exchange(current, address, request, response))
                    if len(redirects) >= max_redirects:
                        raise FetchError(
                            "too many redirects",
                            status=response.status_code,
                            code="too_many_redirects",
                            params={"count": max_redirects},
                        )
                    current = _redirect_target(current, response.headers["Location"])
                    redirects.append(current)
                    continue
                if response.status_code in GONE_STATUSES:
                    # The answer that the source is gone is kept as a record of it.
                    body, truncated = _read_capped(
                        response, min(max_bytes, GONE_MAX_BYTES), deadline, total_timeout
                    )
                    exchanges.append(
                        _exchange(
                            current, address, request, response, body=body, truncated=truncated
                        )
                    )
                    status = response.status_code
                    raise FetchError(
                        f"HTTP {status}",
                        status=status,
                        url=current,
                        code="http_status",
                        params={"status": status},
                        exchanges=tuple(exchanges),
                    )
                _raise_for_status(response.status_code, current)
                media_type, declared_charset = _parse_content_type(
                    response.headers.get("Content-Type", "")
                )
                if media_type and media_type not in HTML_TYPES | TEXT_TYPES:
                    raise _not_text(media_type, status=response.status_code)
                body, truncated = _read_capped(response, max_bytes, deadline, total_timeout)
                status = response.status_code
                exchanges.append(
                    _exchange(current, address, request, response, body=body, truncated=truncated)
                )
            finally:
                response.close()

        title, text, encoding = _extract(body, media_type, declared_charset)
        return FetchResult(
            url=start_url,
            final_url=current,
            status=status,
            content_type=media_type or _sniff_type(body),
            charset=encoding,
            title=title,
            text=text,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            truncated=truncated,
            redirects=tuple(redirects),
            exchanges=tuple(exchanges),
        )


def _exchange(
    url: str,
    address: str,
    request: httpx.Request,
    response: httpx.Response,
    *,
    body: bytes = b"",
    truncated: bool = False,
) -> Exchange:
    def pairs(headers: httpx.Headers) -> tuple[tuple[str, str], ...]:
        return tuple(
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in headers.raw
        )

    return Exchange(
        url=url,
        address=address,
        request_headers=pairs(request.headers),
        http_version=response.http_version,
        status=response.status_code,
        reason=response.reason_phrase,
        response_headers=pairs(response.headers),
        body=body,
        truncated=truncated,
    )


@cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one loads the CA bundle, about
    0.13 s of CPU, which capped a worker at a few fetches per second. A context is safe to
    share between threads and carries no per-host state."""
    return httpx.create_ssl_context()


def _raise_for_status(status: int, url: str) -> None:
    if 200 <= status < 300:
        return
    error = TransientFetchError if status in TRANSIENT_STATUSES else FetchError
    raise error(
        f"HTTP {status}", status=status, url=url, code="http_status", params={"status": status}
    )


def _timed_out(seconds: float, *, url: str | None = None) -> TransientFetchError:
    return TransientFetchError(
        f"timed out after {seconds:g} s", url=url, code="timeout", params={"seconds": seconds}
    )


def _not_text(media_type: str, *, status: int | None = None) -> FetchError:
    return FetchError(
        f"not HTML or text: {media_type}",
        status=status,
        code="not_text",
        params={"type": media_type},
    )


@contextmanager
def _translate_errors(url: str, connect_timeout: float, read_timeout: float) -> Iterator[None]:
    try:
        yield
    except FetchError as exc:
        if exc.url is None:
            exc.url = url
        raise
    except httpx.ConnectTimeout as exc:
        raise _timed_out(connect_timeout, url=url) from exc
    except httpx.TimeoutException as exc:
        raise _timed_out(read_timeout, url=url) from exc
    except httpx.ConnectError as exc:
        raise _connect_error(exc, url) from exc
    except httpx.ReadError as exc:
        cause = _os_error(exc)
        reset = cause is not None and cause.errno == errno.ECONNRESET
        message, code = (
            ("connection reset", "connection_reset")
            if reset
            else ("connection lost while reading", "connection_lost")
        )
        raise TransientFetchError(message, url=url, code=code) from exc
    except httpx.RemoteProtocolError as exc:
        # Mostly a server that hung up mid-response (restart, overload); a bounded retry is
        # cheap for the rare server that always answers garbage.
        raise TransientFetchError(
            "invalid or incomplete HTTP response", url=url, code="bad_response"
        ) from exc
    except httpx.HTTPError as exc:
        raise FetchError(
            f"request failed: {exc}", url=url, code="request_failed", params={"detail": str(exc)}
        ) from exc


# errno → (the English message, its code)
_CONNECT_ERRNOS = {
    errno.ECONNREFUSED: ("connection refused", "connection_refused"),
    errno.ECONNRESET: ("connection reset", "connection_reset"),
    errno.ENETUNREACH: ("network unreachable", "network_unreachable"),
    errno.EHOSTUNREACH: ("host unreachable", "host_unreachable"),
}


def _connect_error(exc: httpx.ConnectError, url: str) -> FetchError:
    cause = _os_error(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        # Not transient: a wrong or expired certificate does not fix itself within a retry.
        detail = str(cause.verify_message)
        return FetchError(
            f"TLS certificate not accepted: {detail}",
            url=url,
            code="tls_certificate",
            params={"detail": detail},
        )
    if isinstance(cause, ssl.SSLError):
        detail = str(cause.reason or cause)
        return FetchError(
            f"TLS handshake failed: {detail}",
            url=url,
            code="tls_handshake",
            params={"detail": detail},
        )
    if cause is not None and cause.errno in _CONNECT_ERRNOS:
        message, code = _CONNECT_ERRNOS[cause.errno]
        return TransientFetchError(message, url=url, code=code)
    detail = str(cause or exc)
    return TransientFetchError(
        f"could not connect: {detail}", url=url, code="connect_failed", params={"detail": detail}
    )


def _os_error(exc: BaseException) -> OSError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            return current
        current = current.__cause__ or current.__context__
    return None


def _read_capped(
    response: httpx.Response, max_bytes: int, deadline: float, total_timeout: float
) -> tuple[bytes, bool]:
    decoder = _Decoder(response.headers.get("Content-Encoding", ""))
    body = bytearray()
    for chunk in response.iter_raw():
        # One byte more than fits tells "exactly at the cap" from "over the cap".
        body += decoder.feed(chunk, max_bytes - len(body) + 1)
        if len(body) > max_bytes:
            return bytes(body[:max_bytes]), True
        if time.monotonic() > deadline:
            raise _timed_out(total_timeout)
    body += decoder.flush()
    if len(body) > max_bytes:
        return bytes(body[:max_bytes]), True
    return bytes(body), False


class _Decoder:
    """Content-Encoding decoder that never inflates more than it is asked for.

    httpx's own decoders inflate a whole network chunk at once; a small gzip bomb would
    blow past the byte cap in memory before the cap is checked.
    """

    def __init__(self, content_encoding: str):
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FetchError(
                f"unsupported content encoding: {content_encoding}",
                code="content_encoding",
                params={"encoding": content_encoding},
            )
        self.coding = codings[0] if codings else None
        self.zlib: zlib._Decompress | None = None
        if self.coding in ("gzip", "x-gzip"):
            self.zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "deflate":
            self.zlib = zlib.decompressobj()
        self.started = False

    def feed(self, chunk: bytes, limit: int) -> bytes:
        if self.zlib is None:
            return chunk
        try:
            out = self.zlib.decompress(chunk, limit)
        except zlib.error as exc:
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            if self.coding != "deflate" or self.started:
                raise FetchError(
                    "could not decompress the response", code="decompress_failed"
                ) from exc
            self.zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            return self.feed(chunk, limit)
        self.started = True
        return out

    def flush(self) -> bytes:
        if self.zlib is None:
            return b""
        return self.zlib.flush()


def extract(body: bytes, content_type: str, charset: str | None) -> tuple[str, str]:
    """Return ``(title, main text)`` of an HTML or plain-text body.

    ``content_type`` may be a media type or a whole Content-Type header; ``charset`` is the
    one declared by the header, if any. Other types raise FetchError.
    """
    media_type, header_charset = _parse_content_type(content_type)
    title, text, _ = _extract(body, media_type, charset or header_charset)
    return title, text


def decode_body(body: bytes, content_type: str) -> str:
    """A body as text, decoded the way extraction decodes it (BOM, the Content-Type's
    charset, then for HTML its <meta charset>, then UTF-8)."""
    media_type, charset = _parse_content_type(content_type)
    kind = media_type or _sniff_type(body)
    return _decode(body, charset, is_html=kind in HTML_TYPES)[0]


def _extract(body: bytes, media_type: str, charset: str | None) -> tuple[str, str, str]:
    kind = media_type or _sniff_type(body)
    if kind in HTML_TYPES:
        html, encoding = _decode(body, charset, is_html=True)
        title, text = _html_title_and_text(html)
        return title, text, encoding
    if kind in TEXT_TYPES:
        text, encoding = _decode(body, charset, is_html=False)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _first_line(text), text, encoding
    raise _not_text(kind)


def _parse_content_type(header: str) -> tuple[str, str | None]:
    media_type, _, params = header.partition(";")
    match = re.search(r"""charset\s*=\s*["']?([^"';\s]+)""", params, re.IGNORECASE)
    return media_type.strip().lower(), match.group(1) if match else None


_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


def _sniff_type(body: bytes) -> str:
    """What a server that sent no Content-Type most likely meant (after WHATWG sniffing)."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "text/html"
    if not body:
        return "text/plain"
    if _BINARY_BYTES.search(body[:1024]):
        return "unknown type"
    return "text/plain"


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
# Bytes scanned for <meta charset>; the WHATWG prescan uses 1024, real pages need more.
_META_SCAN_BYTES = 8192


def _decode(body: bytes, declared: str | None, *, is_html: bool) -> tuple[str, str]:
    """Decode by BOM, then the header's charset, then <meta charset>, then UTF-8."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace"), codecs.lookup(encoding).name
    encoding = _codec_name(declared)
    if encoding is None and is_html:
        match = _META_CHARSET.search(body[:_META_SCAN_BYTES])
        if match:
            encoding = _codec_name(match.group(1).decode("ascii"))
            # A page that reached us as bytes cannot be UTF-16 without a BOM (WHATWG).
            if encoding is not None and encoding.startswith("utf-16"):
                encoding = "utf-8"
    encoding = encoding or "utf-8"
    return body.decode(encoding, errors="replace"), encoding


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    # Browsers read Latin-1 and ASCII labels as windows-1252, and so do the pages that
    # carry them: German „quotes“ and the euro sign live in its 0x80-0x9F range.
    if name in ("iso8859-1", "latin-1", "ascii"):
        return "cp1252"
    return name


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _html_title_and_text(html: str) -> tuple[str, str]:
    # lxml refuses str input that still carries an encoding declaration.
    html = _XML_DECLARATION.sub("", html, count=1)
    if not html.strip():
        return "", ""
    document = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True
    )
    title = _clean_line(document.title or "") if document is not None else ""
    text = _clean_text(document.text or "") if document is not None else ""
    if not text or not title:
        fallback_title, fallback_text = _lxml_title_and_text(html)
        title = title or fallback_title
        text = text or fallback_text
    return title, text


_SECTION_TAGS = frozenset({"article", "aside", "figure", "footer", "header", "main", "nav"})
_BLOCK_TAGS = lxml.html.defs.block_tags | _SECTION_TAGS | {"br", "figcaption", "section"}


def _lxml_title_and_text(html: str) -> tuple[str, str]:
    """Whole-page text, for pages where trafilatura finds no main text."""
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return "", ""
    title = _clean_line(root.findtext(".//title") or "")
    cleaned = Cleaner(
        scripts=True, javascript=True, style=True, comments=True, meta=True, forms=False
    ).clean_html(root)
    body = cleaned.find(".//body")
    if body is None:
        body = cleaned
    for element in body.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    return title, _clean_text(body.text_content())


def _clean_line(text: str) -> str:
    return " ".join(text.split())


def _clean_text(text: str) -> str:
    lines = (_clean_line(line) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return _clean_line(line)[:TITLE_MAX_CHARS]
    return ""


# --- outbound POST (webhooks) -----------------------------------------------------------------


@dataclass(frozen=True)
class PostResult:
    """A receiver's answer to a POST: its status and the first bytes of its body (the rest
    is never read)."""

    status: int
    head: bytes


def post(
    url: str,
    body: bytes,
    *,
    headers: dict[str, str],
    allow_hosts: Iterable[str] = (),
    connect_timeout: float = 3.0,
    read_timeout: float = 5.0,
    total_timeout: float = 10.0,
    head_bytes: int = 1024,
    user_agent: str = "factcheck-desk-webhooks/1.0",
) -> PostResult:
    """POST ``body`` to ``url`` through the same guard as ``fetch``: http(s) only, the host
    resolved once and refused unless globally reachable (or ``host:port`` is in
    ``allow_hosts``), the connection made to exactly the checked address. A refused address
    raises BlockedURL before any connection is opened. Redirects are not followed: a 3xx
    is the receiver's answer. Any status is returned; the caller decides what counts.

    Raises BlockedURL, TransientFetchError (timeouts, connection failures) or FetchError.
    """
    start_url = check_url_shape(url)
    target = httpx.URL(start_url)
    host = target.raw_host.decode("ascii")
    port = target.port or DEFAULT_PORTS[target.scheme]
    address = resolve_and_check(host, port, frozenset(allow_hosts))
    timeout = httpx.Timeout(
        connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
    )
    deadline = time.monotonic() + total_timeout
    extensions = {"sni_hostname": host} if target.scheme == "https" else {}
    with (
        _translate_errors(start_url, connect_timeout, read_timeout),
        httpx.Client(
            verify=_tls_context(), trust_env=False, follow_redirects=False, timeout=timeout
        ) as client,
    ):
        request = client.build_request(
            "POST",
            target.copy_with(host=address),
            content=body,
            headers={
                **headers,
                "Host": target.netloc.decode("ascii"),
                "User-Agent": user_agent,
                "Accept-Encoding": "identity",
            },
            extensions=extensions,
        )
        response = client.send(request, stream=True)
        try:
            head = bytearray()
            for chunk in response.iter_raw():
                head += chunk
                if len(head) >= head_bytes:
                    break
                if time.monotonic() > deadline:
                    raise _timed_out(total_timeout, url=start_url)
        finally:
            response.close()
    return PostResult(status=response.status_code, head=bytes(head[:head_bytes]))
