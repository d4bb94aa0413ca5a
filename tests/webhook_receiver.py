"""A real webhook receiver on a loopback address: it verifies each delivery's signature
with the standardwebhooks package (not our code), records what it got, and can answer 500
for a while or hold a request until the test releases it."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Received:
    webhook_id: str
    type: str
    body: dict
    verified: bool


class Receiver(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        # The subscription's secret, set by the test once it subscribed this receiver.
        self.secret = "whsec_" + base64.b64encode(b"not-subscribed-yet-not-subscribed").decode()
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.requests = 0
        # Answer 500 to every request while this is set (a receiver that is down).
        self.failing = threading.Event()
        # While `hold` is set each request waits until `release` is set (a slow receiver).
        self.hold = threading.Event()
        self.release = threading.Event()
        self.arrived = threading.Event()

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host_port}/hooks"

    def accepted(self) -> list[Received]:
        """What was taken (answered 2xx), in arrival order."""
        with self.lock:
            return list(self.received)

    def unique(self) -> list[Received]:
        """The accepted deliveries folded by webhook-id, as a receiver de-duplicates."""
        seen: set[str] = set()
        folded = []
        for item in self.accepted():
            if item.webhook_id not in seen:
                seen.add(item.webhook_id)
                folded.append(item)
        return folded


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        receiver = self.server
        with receiver.lock:
            receiver.requests += 1
        receiver.arrived.set()
        if receiver.hold.is_set():
            receiver.release.wait(timeout=60)
        if receiver.failing.is_set():
            self._answer(500, b'{"error":"down for maintenance"}')
            return
        headers = {name: value for name, value in self.headers.items()}
        try:
            payload = Webhook(receiver.secret).verify(body, headers)
            verified = True
        except WebhookVerificationError:
            payload, verified = json.loads(body), False
        if not verified:
            self._answer(401, b'{"error":"bad signature"}')
            return
        with receiver.lock:
            receiver.received.append(
                Received(headers.get("webhook-id", ""), payload["type"], payload, verified)
            )
        self._answer(204, b"")

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        receiver.shutdown()
        receiver.server_close()
