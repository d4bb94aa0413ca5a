"""The SSRF guard and text extraction of annotations/fetch.py, against a real loopback server."""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
import re
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations import fetch as fetch_module
from annotations.fetch import (
    BlockedURL,
    FetchError,
    TransientFetchError,
    check_url_shape,
    extract,
    fetch,
    resolve_and_check,
)

ARTICLE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Rathaus | Lokalzeitung</title></head>
<body>
<nav><a href="/">Start</a> <a href="/politik">Politik</a></nav>
<article>
<h1>Bürgermeisterin kündigt neue Radwege an</h1>
<p>Die Bürgermeisterin sagte am Montag, die Stadt werde bis 2027 vierzig Kilometer neue
Radwege bauen. Das sei der größte Ausbau seit Jahrzehnten.</p>
<p>Kritiker bezweifeln, dass die Mittel dafür im Haushalt stehen.</p>
</article>
<footer>Impressum · Datenschutz</footer>
</body></html>
"""

LATIN1_PAGE = (
    "<html><head><title>Übersicht</title></head><body><article>"
    "<p>Die Größe der Fläche übertrifft alle Erwartungen, sagte der Sprecher.</p>"
    "<p>„Das ist ein Meilenstein“, hieß es aus dem Ministerium, Kosten 5 €.</p>"
    "</article></body></html>"
)
META_LATIN1_PAGE = (
    '<html><head><meta charset="iso-8859-1"><title>Übersicht</title></head><body><article>'
    "<p>Die Größe der Fläche übertrifft alle Erwartungen, sagte der Sprecher.</p>"
    "</article></body></html>"
)
CAP = 5 * 1024 * 1024
BIG_BODY = (b"0123456789abcdef" * (6 * 1024 * 1024 // 16))[: 6 * 1024 * 1024]
GZIP_BOMB = gzip.compress(b"a" * (20 * 1024 * 1024))


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


class SourceServer(ThreadingHTTPServer):
    """A source site on a loopback address that counts the connections it accepts."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, 0), SourceHandler)
        self.connections = 0
        self.counter_lock = threading.Lock()
        self.release_slow = threading.Event()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def get_request(self) -> tuple[socket.socket, object]:
        request = super().get_request()
        with self.counter_lock:
            self.connections += 1
        return request

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that stop reading at the byte cap or time out leave broken pipes behind.
        pass


class SourceHandler(BaseHTTPRequestHandler):
    server: SourceServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_body(self, status: int, content_type: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/article":
            self.send_body(200, "text/html; charset=utf-8", ARTICLE.encode())
        elif url.path == "/echo-host":
            self.send_body(200, "text/plain", self.headers["Host"].encode())
        elif url.path == "/redirect":
            self.redirect(query["to"][0])
        elif url.path == "/loop":
            self.redirect("/loop")
        elif url.path == "/big":
            self.send_body(200, "text/plain", BIG_BODY)
        elif url.path == "/gzip-bomb":
            self.send_body(200, "text/plain", GZIP_BOMB, Content_Encoding="gzip")
        elif url.path == "/gzip":
            body = gzip.compress(ARTICLE.encode())
            self.send_body(200, "text/html; charset=utf-8", body, Content_Encoding="gzip")
        elif url.path == "/latin1-header":
            body = LATIN1_PAGE.encode("cp1252")
            self.send_body(200, "text/html; charset=iso-8859-1", body)
        elif url.path == "/latin1-meta":
            self.send_body(200, "text/html", META_LATIN1_PAGE.encode("latin-1"))
        elif url.path == "/plain":
            self.send_body(200, "text/plain; charset=utf-8", b"Titelzeile\r\nZweite Zeile\r\n")
        elif url.path == "/image":
            self.send_body(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        elif url.path == "/unavailable":
            self.send_body(503, "text/plain", b"down for maintenance")
        elif url.path == "/slow":
            self.server.release_slow.wait(timeout=60)
            self.send_body(200, "text/plain", b"too late")
        else:
            self.send_body(404, "text/html", b"<h1>Not found</h1>")


Server = TypeVar("Server", bound=SourceServer)


class TLSSourceServer(SourceServer):
    """The source site over HTTPS on 127.0.0.1, with one certificate. It records the name
    each client asked for in its TLS handshake (SNI)."""

    def __init__(self, certificate: Certificate) -> None:
        super().__init__("127.0.0.1")
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(certificate.cert, certificate.key)
        self.tls.sni_callback = self.record_sni
        self.sni_names: list[str | None] = []
        self.handshakes = 0

    def record_sni(self, tls: ssl.SSLObject, name: str | None, context: ssl.SSLContext) -> None:
        self.sni_names.append(name)

    def finish_request(self, request: socket.socket, client_address: object) -> None:
        # The handshake runs in the request's own thread; a client that refuses the
        # certificate ends it with an alert, which is what some tests want to see.
        try:
            tls_socket = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        with tls_socket:
            with self.counter_lock:
                self.handshakes += 1
            super().finish_request(tls_socket, client_address)


def run_server(host: str) -> Iterator[SourceServer]:
    yield from serve(SourceServer(host))


def serve(source: Server) -> Iterator[Server]:
    thread = threading.Thread(target=source.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield source
    source.release_slow.set()
    source.shutdown()
    source.server_close()
    thread.join()


@pytest.fixture
def server() -> Iterator[SourceServer]:
    yield from run_server("127.0.0.1")


@pytest.fixture
def localhost_server() -> Iterator[SourceServer]:
    """A server on whichever address "localhost" resolves to first here (127.0.0.1 or ::1)."""
    first = socket.getaddrinfo("localhost", 0, type=socket.SOCK_STREAM)[0][4][0]
    yield from run_server(first)


@pytest.fixture(autouse=True)
def connect_attempts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every outgoing TCP connect of the test; anything but loopback fails before the wire.

    A safety net: if the guard ever regressed, no packet would reach 169.254.169.254 & co.
    """
    attempts: list[tuple[str, int]] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: tuple[str, int]) -> None:
        attempts.append((address[0], address[1]))
        host = ipaddress.ip_address(address[0].split("%")[0])
        mapped = getattr(host, "ipv4_mapped", None)
        if not (host.is_loopback or (mapped is not None and mapped.is_loopback)):
            raise OSError(f"test tripwire: connect to {address[0]} refused")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@pytest.fixture
def ipv6_server() -> Iterator[SourceServer]:
    with socket.socket(socket.AF_INET6) as probe:
        try:
            probe.bind(("::1", 0))
        except OSError as exc:
            pytest.skip(f"no IPv6 loopback here: {exc}")
    yield from run_server("::1")


def allow(server: SourceServer) -> frozenset[str]:
    return frozenset({f"127.0.0.1:{server.port}"})


ARCHIVE = "archive.test"


def openssl(*args: str | Path) -> None:
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A throwaway certificate authority, made for this test module and trusted nowhere else."""
    directory = tmp_path_factory.mktemp("ca")
    ca = Certificate(cert=directory / "ca.pem", key=directory / "ca.key")
    openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "2", "-subj", "/CN=Fetch test CA",
        "-keyout", ca.key, "-out", ca.cert,
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    return ca


def issue_certificate(ca: Certificate, directory: Path, alt_names: str) -> Certificate:
    """A server certificate signed by ``ca`` for ``alt_names`` ("DNS:a.test,IP:127.0.0.1")."""
    issued = Certificate(cert=directory / "server.pem", key=directory / "server.key")
    request = directory / "server.csr"
    extensions = directory / "server.ext"
    extensions.write_text(
        f"subjectAltName={alt_names}\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    openssl(
        "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-subj", "/CN=source", "-keyout", issued.key, "-out", request,
    )  # fmt: skip
    openssl(
        "x509", "-req", "-in", request, "-CA", ca.cert, "-CAkey", ca.key,
        "-days", "2", "-extfile", extensions, "-out", issued.cert,
    )  # fmt: skip
    return issued


@pytest.fixture
def trusted_test_ca(monkeypatch: pytest.MonkeyPatch, test_ca: Certificate) -> Iterator[None]:
    """The fetcher trusts the test CA (and only it) for this test.

    Through SSL_CERT_FILE, which httpx's default context honours and production leaves
    unset. The fetcher builds that context once per process, so it is built again here
    and once more after the test, when the variable is gone.
    """
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.cert))
    fetch_module._tls_context.cache_clear()
    yield
    fetch_module._tls_context.cache_clear()


@pytest.fixture
def archive_lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A patched resolver: archive.test resolves to 127.0.0.1. Returns each lookup of it."""
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list:
        if isinstance(host, str) and host.lower() == ARCHIVE:
            lookups.append(host)
            host = "127.0.0.1"
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def https_server(ca: Certificate, directory: Path, alt_names: str) -> Iterator[TLSSourceServer]:
    yield from serve(TLSSourceServer(issue_certificate(ca, directory, alt_names)))


@pytest.fixture
def archive_server(test_ca: Certificate, tmp_path: Path) -> Iterator[TLSSourceServer]:
    """An HTTPS source whose certificate names archive.test only (no IP address)."""
    yield from https_server(test_ca, tmp_path, f"DNS:{ARCHIVE}")


@pytest.fixture
def other_name_server(test_ca: Certificate, tmp_path: Path) -> Iterator[TLSSourceServer]:
    """An HTTPS source whose certificate, from the same trusted CA, names another host and
    the address 127.0.0.1: valid for the address connected to, not for the name asked for."""
    yield from https_server(test_ca, tmp_path, "DNS:other.test,IP:127.0.0.1")


LOOPBACK_REASON = "address 127.0.0.1 is in 127.0.0.0/8, Loopback (RFC 1122), not globally reachable"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:{port}/article", LOOPBACK_REASON),
        ("http://127.1:{port}/article", LOOPBACK_REASON),
        ("http://0x7f000001:{port}/article", LOOPBACK_REASON),
        ("http://2130706433:{port}/article", LOOPBACK_REASON),
        (
            "http://[::1]:{port}/article",
            "address ::1 is in ::1/128, Loopback Address (RFC 4291), not globally reachable",
        ),
        (
            "http://[::ffff:127.0.0.1]:{port}/article",
            # Python 3.13 prints this address as ::ffff:127.0.0.1, 3.11 as ::ffff:7f00:1.
            f"address {ipaddress.ip_address('::ffff:127.0.0.1')} is in ::ffff:0:0/96, IPv4-mapped Address (RFC 4291), not globally reachable",
        ),
        (
            "http://169.254.169.254/latest/meta-data/",
            "address 169.254.169.254 is in 169.254.0.0/16, Link Local (RFC 3927), not globally reachable",
        ),
        (
            "http://10.0.0.1/",
            "address 10.0.0.1 is in 10.0.0.0/8, Private-Use (RFC 1918), not globally reachable",
        ),
        (
            "http://192.168.1.1/",
            "address 192.168.1.1 is in 192.168.0.0/16, Private-Use (RFC 1918), not globally reachable",
        ),
        (
            "http://100.100.100.200/",
            "address 100.100.100.200 is in 100.64.0.0/10, Shared Address Space (RFC 6598), not globally reachable",
        ),
        (
            "http://0.0.0.0:{port}/article",
            "address 0.0.0.0 is in 0.0.0.0/32, This host on this network (RFC 1122), not globally reachable",
        ),
        ("file:///etc/passwd", "only http and https URLs are accepted"),
        ("gopher://127.0.0.1/", "only http and https URLs are accepted"),
    ],
)
def test_internal_addresses_are_blocked_before_any_connection(
    server: SourceServer, connect_attempts: list[tuple[str, int]], url: str, message: str
) -> None:
    with pytest.raises(BlockedURL) as caught:
        fetch(url.format(port=server.port))

    assert caught.value.message == message
    assert server.connections == 0
    assert connect_attempts == []


def test_a_name_that_resolves_to_loopback_is_blocked_unless_allowed(
    server: SourceServer, connect_attempts: list[tuple[str, int]]
) -> None:
    with pytest.raises(BlockedURL) as caught:
        fetch(f"http://localhost:{server.port}/article")

    assert re.search(
        r"is in [0-9a-f.:/]+, Loopback( Address)? \(RFC \d+\), not globally reachable$",
        caught.value.message,
    )
    assert connect_attempts == []


def test_an_allowed_host_is_reached_only_on_its_allowed_port(server: SourceServer) -> None:
    with pytest.raises(BlockedURL):
        fetch(f"http://127.0.0.1:{server.port}/article", allow_hosts={"127.0.0.1:1"})

    assert server.connections == 0


def test_allowed_host_redirecting_to_a_loopback_name_is_blocked(server: SourceServer) -> None:
    target = f"http://localhost:{server.port}/article"

    with pytest.raises(BlockedURL) as caught:
        fetch(f"http://127.0.0.1:{server.port}/redirect?to={target}", allow_hosts=allow(server))

    assert re.search(
        r"is in [0-9a-f.:/]+, Loopback( Address)? \(RFC \d+\), not globally reachable$",
        caught.value.message,
    )
    assert server.connections == 1


def test_allowed_host_redirecting_to_cloud_metadata_is_blocked(
    server: SourceServer, connect_attempts: list[tuple[str, int]]
) -> None:
    target = "http://169.254.169.254/latest/meta-data/"

    with pytest.raises(BlockedURL) as caught:
        fetch(f"http://127.0.0.1:{server.port}/redirect?to={target}", allow_hosts=allow(server))

    assert (
        caught.value.message
        == "address 169.254.169.254 is in 169.254.0.0/16, Link Local (RFC 3927), not globally reachable"
    )
    assert connect_attempts == [("127.0.0.1", server.port)]


def test_allowed_host_redirecting_to_a_file_url_is_blocked(server: SourceServer) -> None:
    with pytest.raises(BlockedURL) as caught:
        fetch(
            f"http://127.0.0.1:{server.port}/redirect?to=file:///etc/passwd",
            allow_hosts=allow(server),
        )

    assert caught.value.message == "only http and https URLs are accepted"


def test_allowed_html_page_gives_title_main_text_and_hash(server: SourceServer) -> None:
    url = f"http://127.0.0.1:{server.port}/article"

    result = fetch(url, allow_hosts=allow(server))

    assert result.url == url
    assert result.final_url == url
    assert result.status == 200
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"
    assert result.title == "Bürgermeisterin kündigt neue Radwege an"
    assert "vierzig Kilometer neue Radwege bauen" in result.text
    assert "Kritiker bezweifeln" in result.text
    assert "Impressum" not in result.text
    assert result.sha256 == hashlib.sha256(result.text.encode("utf-8")).hexdigest()
    assert result.truncated is False
    assert result.redirects == ()


def test_the_host_header_names_the_host_and_not_the_address_connected_to(
    localhost_server: SourceServer, connect_attempts: list[tuple[str, int]]
) -> None:
    port = localhost_server.port

    result = fetch(f"http://localhost:{port}/echo-host", allow_hosts={f"localhost:{port}"})

    assert result.text == f"localhost:{port}"
    assert connect_attempts == [(localhost_server.server_address[0], port)]


def test_an_allowed_ipv6_loopback_host_is_written_in_brackets(
    ipv6_server: SourceServer, connect_attempts: list[tuple[str, int]]
) -> None:
    port = ipv6_server.port

    result = fetch(f"http://[::1]:{port}/echo-host", allow_hosts={f"[::1]:{port}"})

    assert result.text == f"[::1]:{port}"
    assert connect_attempts == [("::1", port)]


@pytest.mark.usefixtures("trusted_test_ca")
def test_https_connects_to_the_checked_address_with_the_hostname_in_sni_host_and_certificate(
    archive_server: TLSSourceServer,
    archive_lookups: list[str],
    connect_attempts: list[tuple[str, int]],
) -> None:
    port = archive_server.port

    result = fetch(f"https://{ARCHIVE}:{port}/echo-host", allow_hosts={f"{ARCHIVE}:{port}"})

    assert result.status == 200
    assert result.final_url == f"https://{ARCHIVE}:{port}/echo-host"
    assert result.text == f"{ARCHIVE}:{port}"  # the Host header the server received
    assert archive_server.sni_names == [ARCHIVE]
    assert archive_server.handshakes == 1
    # Resolved once, by the guard; the connection went to that address, not to a new lookup.
    assert archive_lookups == [ARCHIVE]
    assert connect_attempts == [("127.0.0.1", port)]


@pytest.mark.usefixtures("trusted_test_ca")
def test_https_checks_the_certificate_against_the_hostname_and_not_the_address(
    other_name_server: TLSSourceServer,
    archive_lookups: list[str],
    connect_attempts: list[tuple[str, int]],
) -> None:
    port = other_name_server.port

    with pytest.raises(FetchError) as caught:
        fetch(f"https://{ARCHIVE}:{port}/echo-host", allow_hosts={f"{ARCHIVE}:{port}"})

    # Not worth a retry: the check ends "failed" with this message.
    assert not isinstance(caught.value, TransientFetchError)
    assert caught.value.message.startswith("TLS certificate not accepted: ")
    assert f"not valid for '{ARCHIVE}'" in caught.value.message
    assert other_name_server.sni_names == [ARCHIVE]
    assert other_name_server.handshakes == 0
    assert connect_attempts == [("127.0.0.1", port)]


def test_redirects_within_allowed_hosts_are_followed_and_listed(server: SourceServer) -> None:
    start = f"http://127.0.0.1:{server.port}/redirect?to=/article"

    result = fetch(start, allow_hosts=allow(server))

    assert result.final_url == f"http://127.0.0.1:{server.port}/article"
    assert result.redirects == (f"http://127.0.0.1:{server.port}/article",)
    assert result.title == "Bürgermeisterin kündigt neue Radwege an"


def test_too_many_redirects_stop_after_five_hops(server: SourceServer) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(f"http://127.0.0.1:{server.port}/loop", allow_hosts=allow(server))

    assert caught.value.message == "too many redirects"
    assert not isinstance(caught.value, TransientFetchError)
    assert server.connections == 6


def test_a_page_larger_than_the_cap_is_cut_at_the_cap(server: SourceServer) -> None:
    result = fetch(f"http://127.0.0.1:{server.port}/big", allow_hosts=allow(server))

    assert result.truncated is True
    assert len(result.text) == CAP
    assert result.text == BIG_BODY[:CAP].decode("ascii")


def test_a_compressed_page_is_capped_after_decompression(server: SourceServer) -> None:
    result = fetch(
        f"http://127.0.0.1:{server.port}/gzip-bomb",
        allow_hosts=allow(server),
        max_bytes=1024 * 1024,
    )

    assert result.truncated is True
    assert result.text == "a" * (1024 * 1024)


def test_a_gzip_encoded_page_is_decoded(server: SourceServer) -> None:
    result = fetch(f"http://127.0.0.1:{server.port}/gzip", allow_hosts=allow(server))

    assert result.title == "Bürgermeisterin kündigt neue Radwege an"
    assert result.truncated is False


def test_a_latin1_page_with_charset_in_the_header_decodes_umlauts(server: SourceServer) -> None:
    result = fetch(f"http://127.0.0.1:{server.port}/latin1-header", allow_hosts=allow(server))

    assert result.charset == "cp1252"
    assert "Die Größe der Fläche übertrifft alle Erwartungen" in result.text
    assert "„Das ist ein Meilenstein“, hieß es aus dem Ministerium, Kosten 5 €." in result.text


def test_a_latin1_page_with_only_a_meta_charset_decodes_umlauts(server: SourceServer) -> None:
    result = fetch(f"http://127.0.0.1:{server.port}/latin1-meta", allow_hosts=allow(server))

    assert result.title == "Übersicht"
    assert "Die Größe der Fläche übertrifft alle Erwartungen" in result.text


def test_a_plain_text_page_is_returned_with_unix_line_ends(server: SourceServer) -> None:
    result = fetch(f"http://127.0.0.1:{server.port}/plain", allow_hosts=allow(server))

    assert result.content_type == "text/plain"
    assert result.title == "Titelzeile"
    assert result.text == "Titelzeile\nZweite Zeile\n"


def test_a_missing_page_is_http_404(server: SourceServer) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(f"http://127.0.0.1:{server.port}/nothing-here", allow_hosts=allow(server))

    assert caught.value.message == "HTTP 404"
    assert caught.value.status == 404
    assert not isinstance(caught.value, TransientFetchError)


def test_a_service_unavailable_answer_is_transient(server: SourceServer) -> None:
    with pytest.raises(TransientFetchError) as caught:
        fetch(f"http://127.0.0.1:{server.port}/unavailable", allow_hosts=allow(server))

    assert caught.value.message == "HTTP 503"


def test_an_image_is_not_html_or_text(server: SourceServer) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(f"http://127.0.0.1:{server.port}/image", allow_hosts=allow(server))

    assert caught.value.message == "not HTML or text: image/png"
    assert not isinstance(caught.value, TransientFetchError)


def test_a_server_that_does_not_answer_in_time_is_a_transient_timeout(
    server: SourceServer,
) -> None:
    with pytest.raises(TransientFetchError) as caught:
        fetch(
            f"http://127.0.0.1:{server.port}/slow",
            allow_hosts=allow(server),
            read_timeout=0.5,
        )

    assert caught.value.message == "timed out after 0.5 s"


def test_a_closed_port_is_a_transient_connection_refused() -> None:
    # Bound but not listening: the kernel refuses, and no other process can take the port.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]

        with pytest.raises(TransientFetchError) as caught:
            fetch(f"http://127.0.0.1:{port}/", allow_hosts={f"127.0.0.1:{port}"})

    assert caught.value.message == "connection refused"


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("  https://Example.ORG:443/a b?q=1#frag ", "https://example.org/a%20b?q=1#frag"),
        ("http://bücher.de/", "http://xn--bcher-kva.de/"),
        ("HTTP://example.org:8080", "http://example.org:8080"),
    ],
)
def test_check_url_shape_normalises_http_urls(url: str, normalised: str) -> None:
    assert check_url_shape(url) == normalised


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "only http and https URLs are accepted"),
        ("ftp://example.org/file", "only http and https URLs are accepted"),
        ("example.org/page", "only http and https URLs are accepted"),
        ("http:///path", "URL has no host"),
        ("http://user:secret@example.org/", "URLs with a user name or password are not accepted"),
    ],
)
def test_check_url_shape_refuses_what_is_not_a_web_address(url: str, message: str) -> None:
    with pytest.raises(BlockedURL) as caught:
        check_url_shape(url)

    assert caught.value.message == message


@pytest.mark.parametrize(
    ("host", "message"),
    [
        (
            "fd00::1",
            "address fd00::1 is in fc00::/7, Unique-Local (RFC 4193), not globally reachable",
        ),
        (
            "fe80::1",
            "address fe80::1 is in fe80::/10, Link-Local Unicast (RFC 4291), not globally reachable",
        ),
        ("ff02::1", "address ff02::1 is in ff00::/8, Multicast (RFC 4291), not globally reachable"),
        (
            "224.0.0.251",
            "address 224.0.0.251 is in 224.0.0.0/4, Multicast (RFC 5771), not globally reachable",
        ),
        (
            "240.0.0.1",
            "address 240.0.0.1 is in 240.0.0.0/4, Reserved (RFC 1112), not globally reachable",
        ),
        (
            "172.31.255.255",
            "address 172.31.255.255 is in 172.16.0.0/12, Private-Use (RFC 1918), not globally reachable",
        ),
        (
            "0.1.2.3",
            "address 0.1.2.3 is in 0.0.0.0/8, This network (RFC 791), not globally reachable",
        ),
        (
            "198.18.0.1",
            "address 198.18.0.1 is in 198.18.0.0/15, Benchmarking (RFC 2544), not globally reachable",
        ),
        ("::", "address :: is in ::/128, Unspecified Address (RFC 4291), not globally reachable"),
        (
            "::7f00:1",
            "address ::7f00:1 is in ::/96, Deprecated IPv4-compatible Address (RFC 4291), not globally reachable",
        ),
        (
            "64:ff9b::a9fe:a9fe",
            "address 64:ff9b::a9fe:a9fe is NAT64 for 169.254.169.254, which is in 169.254.0.0/16, "
            "Link Local (RFC 3927), not globally reachable",
        ),
        (
            "2002:7f00:1::1",
            "address 2002:7f00:1::1 is in 2002::/16, 6to4 (RFC 3056), not globally reachable",
        ),
        (
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            (
                "address 2001:0:4136:e378:8000:63bf:80ff:fffe is in 2001::/32, "
                "TEREDO (RFC 4380), not globally reachable"
            ),
        ),
        (
            "64:ff9b:1::a00:1",
            "address 64:ff9b:1::a00:1 is in 64:ff9b:1::/48, IPv4-IPv6 Translation (RFC 8215), not globally reachable",
        ),
        (
            "2001:db8::1",
            "address 2001:db8::1 is in 2001:db8::/32, Documentation (RFC 3849), not globally reachable",
        ),
    ],
)
def test_special_purpose_addresses_are_blocked(host: str, message: str) -> None:
    with pytest.raises(BlockedURL) as caught:
        resolve_and_check(host, 80, frozenset())

    assert caught.value.message == message


@pytest.mark.parametrize("host", ["93.184.215.14", "2606:4700::6810:85e5", "64:ff9b::5db8:d70e"])
def test_public_addresses_are_returned_as_they_are(host: str) -> None:
    assert resolve_and_check(host, 443, frozenset()) == host


def test_an_allowed_host_port_skips_the_address_check() -> None:
    assert resolve_and_check("127.0.0.1", 8765, frozenset({"127.0.0.1:8765"})) == "127.0.0.1"


_INTERNAL_V4 = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
]


@given(st.sampled_from(_INTERNAL_V4).flatmap(lambda cidr: st.ip_addresses(network=cidr)))
def test_internal_ipv4_addresses_stay_blocked_in_every_ipv6_wrapping(
    address: ipaddress.IPv4Address,
) -> None:
    packed = int(address)
    wrappings = [
        address,
        ipaddress.IPv6Address(0xFFFF << 32 | packed),  # IPv4-mapped
        ipaddress.IPv6Address(0x0064FF9B << 96 | packed),  # NAT64
        ipaddress.IPv6Address(0x2002 << 112 | packed << 80),  # 6to4
        # Teredo: a public server (65.54.227.120), the client address bit-inverted.
        ipaddress.IPv6Address(0x20010000 << 96 | 0x4136E378 << 64 | (packed ^ 0xFFFFFFFF)),
    ]
    for wrapped in wrappings:
        with pytest.raises(BlockedURL):
            resolve_and_check(str(wrapped), 80, frozenset())


def test_extract_falls_back_to_the_whole_page_when_no_main_text_is_found() -> None:
    body = (
        b"<html><head><title>Nur Fu\xc3\x9fzeile</title><script>var x = 1;</script></head>"
        b"<body><footer><p>Quelle: Stadtverwaltung</p><p>Stand: Mai</p></footer></body></html>"
    )

    title, text = extract(body, "text/html", "utf-8")

    assert title == "Nur Fußzeile"
    assert text == "Quelle: Stadtverwaltung\nStand: Mai"


def test_extract_refuses_other_media_types() -> None:
    with pytest.raises(FetchError) as caught:
        extract(b"%PDF-1.7", "application/pdf", None)

    assert caught.value.message == "not HTML or text: application/pdf"


def test_extract_reads_an_xhtml_page_with_an_xml_declaration() -> None:
    body = (
        '<?xml version="1.0" encoding="iso-8859-1"?>'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Straße</title></head>'
        "<body><p>Die Straße wird gesperrt.</p></body></html>"
    ).encode("latin-1")

    title, text = extract(body, "application/xhtml+xml; charset=iso-8859-1", None)

    assert title == "Straße"
    assert text == "Die Straße wird gesperrt."
