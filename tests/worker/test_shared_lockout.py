"""The lockout after failed logins holds across every process that serves the desk.

A real gunicorn with two workers runs on the test database. One worker is kept waiting on
the last failed attempt (its request is sent all but the blank line that ends the headers),
so the earlier attempts are all served by the other worker; the waiting one then answers
the attempt that reaches the limit. Counts kept per process would let it through.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.conftest import wait_for

BASE_DIR = Path(__file__).resolve().parents[2]
LIMIT = 5
PASSWORD = "pw-for-tests-1"  # the factories' password
LOCKED = "Too many failed logins. Wait 15 minutes, then try again."

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Answer:
    status: int
    head: str
    body: str


@dataclass
class Held:
    """A request sent all but its end: the worker that accepted it waits for the rest."""

    sock: socket.socket
    rest: bytes

    def finish(self) -> Answer:
        self.sock.sendall(self.rest)
        chunks = []
        while chunk := self.sock.recv(65536):
            chunks.append(chunk)
        self.sock.close()
        head, _sep, body = b"".join(chunks).partition(b"\r\n\r\n")
        return Answer(int(head.split()[1]), head.decode(), body.decode())


@dataclass
class Gunicorn:
    port: int
    access_log: Path
    csrf_cookie: str = ""
    csrf_token: str = ""

    def request(self, method: str, path: str, body: bytes = b"", **headers: str) -> Held:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            f"Content-Length: {len(body)}",
            "Connection: close",
            *(f"{name.replace('_', '-')}: {value}" for name, value in headers.items()),
        ]
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        sock.sendall(("\r\n".join(lines) + "\r\n").encode())
        return Held(sock, b"\r\n" + body)

    def login_request(self, username: str, password: str) -> Held:
        if not self.csrf_token:
            page = self.request("GET", "/login/").finish()
            assert page.status == 200
            self.csrf_cookie = re.search(r"Set-Cookie: csrftoken=([^;]+)", page.head)[1]
            self.csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)[1]
        form = {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf_token}
        return self.request(
            "POST",
            "/login/",
            urllib.parse.urlencode(form).encode(),
            Content_Type="application/x-www-form-urlencoded",
            Cookie=f"csrftoken={self.csrf_cookie}",
        )

    def token_request(self, username: str, password: str) -> Held:
        body = json.dumps({"username": username, "password": password}).encode()
        return self.request("POST", "/api/v1/auth/token/", body, Content_Type="application/json")

    def served(self, path: str) -> list[tuple[str, int]]:
        """(worker pid, status) of each answered POST to `path`, in answer order."""
        rows = [line.split() for line in self.access_log.read_text().splitlines()]
        return [
            (pid, int(status))
            for pid, method, url, status in rows
            if method == "POST" and url == path
        ]


@pytest.fixture
def gunicorn(request, transactional_db, tmp_path) -> Iterator[Gunicorn]:
    """gunicorn with two workers on the test database; a test may add environment
    variables by indirect parametrization."""
    port = free_port()
    server = Gunicorn(port=port, access_log=tmp_path / "access.log")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.server_settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "FACTCHECK_VAR_DIR": str(tmp_path / "var"),
        "LOGIN_FAILURE_LIMIT": str(LIMIT),
        "LOGIN_FAILURE_WINDOW": "900",
        **getattr(request, "param", {}),
    }
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "factcheck.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(server.access_log),
            "--access-logformat",
            "%(p)s %(m)s %(U)s %(s)s",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()

    def answers() -> bool:
        try:
            return server.request("GET", "/login/").finish().status == 200
        except OSError:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            return False

    wait_for(answers, timeout=60, interval=0.2, message="gunicorn to answer")
    yield server
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def answered(server: Gunicorn, path: str, count: int) -> list[tuple[str, int]]:
    # gunicorn writes the access line just after the answer: wait for it.
    return wait_for(lambda: len(rows := server.served(path)) >= count and rows)


def test_login_throttle_is_shared_by_every_gunicorn_worker(gunicorn, editor):
    last = gunicorn.login_request("editor", "falsch")  # one worker waits for its end
    earlier = [gunicorn.login_request("editor", "falsch").finish() for _ in range(LIMIT - 1)]
    assert [answer.status for answer in earlier] == [200] * (LIMIT - 1)
    limit_reached = last.finish()
    assert limit_reached.status == 429
    assert LOCKED in limit_reached.body
    right_password = gunicorn.login_request("editor", PASSWORD).finish()
    assert right_password.status == 429
    assert LOCKED in right_password.body

    served = answered(gunicorn, "/login/", LIMIT + 1)
    first_workers = {pid for pid, _status in served[: LIMIT - 1]}
    assert len(first_workers) == 1
    assert served[LIMIT - 1][1] == 429
    assert served[LIMIT - 1][0] not in first_workers  # the other worker locked it out


def test_token_lockout_is_shared_by_every_gunicorn_worker(gunicorn, editor):
    last = gunicorn.token_request("editor", "wrong")
    earlier = [gunicorn.token_request("editor", "wrong").finish() for _ in range(LIMIT - 1)]
    assert [answer.status for answer in earlier] == [400] * (LIMIT - 1)
    assert json.loads(earlier[0].body) == {
        "detail": "Unable to log in with the provided credentials."
    }
    limit_reached = last.finish()
    assert limit_reached.status == 429
    assert json.loads(limit_reached.body) == {"detail": LOCKED}
    right_password = gunicorn.token_request("editor", PASSWORD).finish()
    assert right_password.status == 429
    assert json.loads(right_password.body) == {"detail": LOCKED}

    served = answered(gunicorn, "/api/v1/auth/token/", LIMIT + 1)
    first_workers = {pid for pid, _status in served[: LIMIT - 1]}
    assert len(first_workers) == 1
    assert served[LIMIT - 1][1] == 429
    assert served[LIMIT - 1][0] not in first_workers


@pytest.mark.parametrize("gunicorn", [{"THROTTLE_TOKEN": "3/min"}], indirect=True)
def test_token_rate_throttle_is_shared_by_every_gunicorn_worker(gunicorn, editor):
    """The per-address rate of the token endpoint (DRF's throttle, in the database cache),
    with a new username each time, so that no lockout is involved."""
    last = gunicorn.token_request("guess-last", "wrong")
    earlier = [gunicorn.token_request(f"guess{n}", "wrong").finish() for n in range(3)]
    assert [answer.status for answer in earlier] == [400] * 3
    over_the_rate = last.finish()
    assert over_the_rate.status == 429
    assert json.loads(over_the_rate.body)["detail"].startswith("Request was throttled.")

    served = answered(gunicorn, "/api/v1/auth/token/", 4)
    first_workers = {pid for pid, _status in served[:3]}
    assert len(first_workers) == 1
    assert served[3] == (served[3][0], 429)
    assert served[3][0] not in first_workers
