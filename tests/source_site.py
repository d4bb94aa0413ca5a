"""A real source website on a loopback address, for source-check and import tests.

It serves the pages a test adds, counts the connections it accepts and the requests per
path, and can hold a request until the test releases it (a site that stalls).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False  # hold the answer until SourceSite.release is set
    delay: float = 0.0  # seconds before answering (the bench's slow site)
    fail_first: int = 0  # answer this many requests with 503 Service Unavailable first


class SourceSite(ThreadingHTTPServer):
    daemon_threads = True
    # The bench opens hundreds of connections at once.
    request_queue_size = 1024

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, 0), _Handler)
        self.pages: dict[str, Page] = {}
        self.connections = 0
        self.requests: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.release = threading.Event()

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def host_port(self) -> str:
        """The FETCH_ALLOW_HOSTS entry that lets the fetcher reach this site."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: str | bytes = b"", **options: object) -> str:
        """Serve `body` at `path`; returns the page's URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.pages[path] = Page(body=data, **options)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, location: str) -> str:
        return self.add(path, status=302, headers={"Location": location})

    def get_request(self) -> tuple[socket.socket, object]:
        request = super().get_request()
        with self.lock:
            self.connections += 1
        return request

    def handle_error(self, request: object, client_address: object) -> None:
        # Fetchers that stop reading at the byte cap, time out or die leave broken pipes.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: SourceSite
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.requests[path] += 1
            seen = self.server.requests[path]
        page = self.server.pages.get(path) or Page(b"<h1>Not found</h1>", status=404)
        if seen <= page.fail_first:
            page = Page(b"down for maintenance", status=503, content_type="text/plain")
        if page.stall:
            self.server.release.wait(timeout=120)
        if page.delay:
            time.sleep(page.delay)
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.send_header("Connection", "close")
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(page.body)
        self.close_connection = True


@contextmanager
def running_site(host: str = "127.0.0.1") -> Iterator[SourceSite]:
    site = SourceSite(host)
    thread = threading.Thread(target=site.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.release.set()
        site.shutdown()
        site.server_close()
        thread.join()


def install_tripwire(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Refuse, before the wire, every TCP connect of this process to a non-loopback address.

    A safety net for SSRF tests, whose URLs name 169.254.169.254 and private networks: if
    the guard ever regressed, the worker thread (it runs in this process) would send no
    packet there. Returns the list of attempted (address, port) pairs.
    """
    attempts: list[tuple[str, int]] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: tuple) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append((address[0], address[1]))
            host = ipaddress.ip_address(address[0].split("%")[0])
            mapped = getattr(host, "ipv4_mapped", None)
            if not (host.is_loopback or (mapped is not None and mapped.is_loopback)):
                raise OSError(f"test tripwire: connect to {address[0]} refused")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts
