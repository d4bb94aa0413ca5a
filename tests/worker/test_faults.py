"""Nothing lost, nothing done twice, nothing hung, when the broker or a worker fails.

Each test that breaks something breaks only what it started: a Redis server of its own on a
free port, the web app (gunicorn) and Celery workers as subprocesses pointed at it, a broker
that accepts connections and never answers, a real loopback source site. The desk works
through the API over HTTP; the test reads the shared PostgreSQL test database. Nothing here
touches the shared Redis, so these tests run in any order with the rest.
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
import redis
from celery.signals import task_postrun
from django.conf import settings as django_settings
from django.test import Client
from django.utils.crypto import get_random_string

from annotations import tasks
from annotations.models import Event, Evidence, Job, SourceCheck, Suggestion
from tests.conftest import wait_for
from tests.factories import GERMAN_TEXT, make_article
from tests.source_site import SourceSite, running_site

BASE_DIR = Path(__file__).resolve().parents[2]
UNFINISHED = (SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING)
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Mitteilung</title></head>
<body><article><p>Das Verkehrsministerium teilte mit, dass insgesamt 4,2 Milliarden Euro für
den Ausbau der Schiene freigegeben wurden.</p></article></body></html>
"""
CLAIM = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
QUEUE = "faults"
# The time limit the issue sets for /healthz and for a write while the broker hangs.
SICK_BROKER_LIMIT_SECONDS = 2.0

transactional = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """End a subprocess started in its own session, with its children (a worker's pool)."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- a Redis, a sick broker, the web app and workers of the test's own -------------------------


class RedisServer:
    """A redis-server on a free port, without persistence: stopping it loses every message."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def start(self) -> None:
        log = open(self.folder / "redis.log", "a")  # noqa: SIM115 (the child keeps it)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_for(self.answers, message=f"Redis on port {self.port} to start")

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None
        wait_for(lambda: not self.answers(), message="Redis to stop")


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder)
    server.start()
    yield server
    if server.process is not None:
        stop(server.process)


class SilentBroker:
    """Accepts connections and reads what is sent, and never answers: a hung Redis."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        self.connections: list[socket.socket] = []
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _address = self.listener.accept()
            except OSError:
                return
            self.connections.append(conn)
            threading.Thread(target=self._swallow, args=(conn,), daemon=True).start()

    @staticmethod
    def _swallow(conn: socket.socket) -> None:
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass

    def close(self) -> None:
        self.closed.set()
        self.listener.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def silent_broker() -> Iterator[SilentBroker]:
    broker = SilentBroker()
    yield broker
    broker.close()


@pytest.fixture
def site(settings) -> Iterator[SourceSite]:
    with running_site() as source:
        settings.FETCH_ALLOW_HOSTS = [source.host_port]
        yield source


@pytest.fixture
def mailbox(tmp_path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


def emails_in(folder: Path) -> list[EmailMessage]:
    """The messages Django's file backend wrote: each is followed by a line of 79 dashes."""
    found = []
    for path in sorted(folder.iterdir()):
        for chunk in path.read_bytes().split(b"-" * 79 + b"\n"):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return found


@pytest.fixture
def app_env(site, mailbox) -> Callable[[str], dict[str, str]]:
    """The environment of the web app and workers: this test's database, the given broker,
    the source site allowed, emails written to files."""

    def env(broker_url: str) -> dict[str, str]:
        return {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": database_url(),
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "FETCH_ALLOW_HOSTS": site.host_port,
            "FACTCHECK_RETRY_BACKOFF_SECONDS": "0.05",
            # Every job not finished within a second is sent again, every second.
            "FACTCHECK_STALE_CHECK_SECONDS": "1",
            "FACTCHECK_SWEEP_INTERVAL_SECONDS": "1",
            "EMAIL_URL": f"filemail:///{mailbox}",
        }

    return env


class WebApp:
    def __init__(self, url: str) -> None:
        self.url = url

    def desk(self, user) -> Desk:
        return Desk(self.url, user)


@pytest.fixture
def start_web(app_env, tmp_path) -> Iterator[Callable[[str], WebApp]]:
    """Start the web app under gunicorn, as in production, on the given broker."""
    started: list[subprocess.Popen] = []

    def start(broker_url: str) -> WebApp:
        port = free_port()
        log_path = tmp_path / f"web-{len(started)}.log"
        log = open(log_path, "w")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "factcheck.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
            ],
            cwd=BASE_DIR,
            env=app_env(broker_url),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        started.append(process)
        url = f"http://127.0.0.1:{port}"

        def serving() -> bool:
            assert process.poll() is None, log_path.read_text()[-3000:]
            try:
                return httpx.get(f"{url}/login/", timeout=5).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(serving, timeout=60, message="gunicorn to serve")
        return WebApp(url)

    yield start
    for process in started:
        stop(process)


@pytest.fixture
def start_worker(app_env, tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start `celery -A factcheck worker` processes on the given broker; with `beat=True`
    the worker also runs the beat, and so the sweep every second.

    Each runs in a session of its own, so a SIGKILL takes its pool children too, as when a
    machine or container dies.
    """
    started: list[subprocess.Popen] = []

    def start(broker_url: str, *, beat: bool = False) -> subprocess.Popen:
        number = len(started)
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "factcheck",
            "worker",
            "--queues",
            QUEUE,
            "--concurrency",
            "2",
            "--hostname",
            f"faults-{number}-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ]
        if beat:
            command += ["--beat", "--schedule", str(tmp_path / f"beat-{number}")]
        log = open(tmp_path / f"worker-{number}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=app_env(broker_url),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        started.append(process)
        return process

    yield start
    for process in started:
        stop(process)


class Desk:
    """A signed-in member of the desk, working through the API over HTTP (session and
    CSRF cookie, as the pages send them)."""

    def __init__(self, base_url: str, user) -> None:
        session = Client()
        session.force_login(user)
        csrf = get_random_string(32)
        self.http = httpx.Client(
            base_url=base_url,
            cookies={
                django_settings.SESSION_COOKIE_NAME: session.cookies[
                    django_settings.SESSION_COOKIE_NAME
                ].value,
                django_settings.CSRF_COOKIE_NAME: csrf,
            },
            headers={"X-CSRFToken": csrf},
            timeout=30,
        )

    def post(self, path: str, body: dict) -> httpx.Response:
        return self.http.post(path, json=body)

    def created(self, path: str, body: dict, status: int = 201) -> int:
        response = self.post(path, body)
        assert response.status_code == status, response.text
        return response.json()["id"]

    def article(self, title: str, text: str = GERMAN_TEXT) -> int:
        return self.created("/api/v1/articles/", {"title": title, "text": text, "language": "de"})

    def span(
        self, article_id: int, quote: str, label: str = "claim", text: str = GERMAN_TEXT
    ) -> int:
        start = text.index(quote)
        return self.created(
            "/api/v1/annotations/",
            {"article": article_id, "start": start, "end": start + len(quote), "label": label},
        )


def kill(process: subprocess.Popen) -> None:
    stop(process, signal.SIGKILL)


def finished(check_id: int, timeout: float = 90.0) -> SourceCheck:
    return wait_for(
        lambda: SourceCheck.objects.exclude(status__in=UNFINISHED).filter(pk=check_id).first(),
        timeout=timeout,
        message=f"check {check_id} to finish",
    )


# --- Redis stopped ----------------------------------------------------------------------------


@transactional
def test_articles_and_assignments_made_while_redis_is_down_get_their_analysis_and_one_email_each(
    redis_server, start_web, start_worker, mailbox, editor, reviewer
):
    web = start_web(redis_server.url)
    desk = web.desk(editor)

    def article_assigned(title: str) -> int:
        article_id = desk.article(title)
        span_id = desk.span(article_id, CLAIM)
        response = desk.post(f"/api/v1/annotations/{span_id}/assign/", {"reviewer": "reviewer"})
        assert response.status_code == 200, response.text
        return article_id

    # Sent while no worker runs: the messages wait in Redis, and are lost when it stops.
    articles = [article_assigned(f"Vor dem Ausfall {n}") for n in range(2)]
    redis_server.stop()
    articles += [article_assigned(f"Während des Ausfalls {n}") for n in range(3)]
    assert Job.objects.filter(sent_at__isnull=True).count() == 6  # analysis and email, ×3
    redis_server.start()
    start_worker(redis_server.url, beat=True)

    wait_for(
        lambda: not Job.objects.exclude(state=Job.State.DONE).exists(),
        timeout=120,
        message="every job to be done",
    )
    analysed = set(Suggestion.objects.values_list("article_id", flat=True))
    assert analysed == set(articles)
    subjects = sorted(message["Subject"].strip() for message in emails_in(mailbox))
    assert subjects == sorted(
        [f"[Fact-check] New item in your queue: Vor dem Ausfall {n}" for n in range(2)]
        + [f"[Fact-check] New item in your queue: Während des Ausfalls {n}" for n in range(3)]
    )
    assert {message["To"] for message in emails_in(mailbox)} == {"reviewer@example.org"}


@transactional
def test_evidence_added_while_redis_is_down_is_saved_and_checked_once_it_is_back(
    redis_server, start_web, start_worker, site, editor
):
    url = site.add("/mitteilung", PAGE)
    web = start_web(redis_server.url)
    desk = web.desk(editor)
    claim_id = desk.span(desk.article("Schienenausbau"), CLAIM)

    redis_server.stop()
    response = desk.post(f"/api/v1/annotations/{claim_id}/evidence/", {"url": url})
    # The load balancer's probe says so, without naming the error.
    health = desk.http.get("/healthz")
    redis_server.start()

    assert response.status_code == 201, response.text
    assert health.status_code == 503
    assert health.json() == {"status": "down", "database": "ok", "broker": "down"}
    check = Evidence.objects.get(pk=response.json()["id"]).checks.get()
    assert check.status == SourceCheck.Status.PENDING

    start_worker(redis_server.url, beat=True)

    check = finished(check.pk)
    assert check.status == SourceCheck.Status.DONE
    assert check.attempts == 1
    assert check.title == "Mitteilung"
    assert site.requests["/mitteilung"] == 1


# --- a broker that never answers ----------------------------------------------------------------


@transactional
def test_a_broker_that_never_answers_holds_neither_a_write_nor_the_health_probe(
    worker, silent_broker, start_web, editor
):
    text = "Die Zahl nannte das Ministerium.\n\nQuelle: http://127.0.0.1:9/bericht"
    # Written in this process (on the shared test broker) and analysed by its worker.
    article = make_article(editor, title="Haushalt", body=text)
    wait_for(
        lambda: Job.objects.filter(task=tasks.article_analyse.name, state=Job.State.DONE),
        message="the article's analysis",
    )
    web = start_web(silent_broker.url)
    desk = web.desk(editor)
    # A first write that sends no job warms the web process up, so that what is timed
    # below is the wait for the broker.
    desk.span(article.pk, "Die Zahl nannte das Ministerium", text=text)

    began = time.monotonic()
    span = desk.post(
        "/api/v1/annotations/",
        {"article": article.pk, "start": text.index("Quelle"), "end": len(text), "label": "source"},
    )
    span_seconds = time.monotonic() - began
    began = time.monotonic()
    health = desk.http.get("/healthz")
    health_seconds = time.monotonic() - began

    assert span.status_code == 201, span.text
    assert span_seconds <= SICK_BROKER_LIMIT_SECONDS
    assert health.status_code == 503
    assert health.json() == {"status": "down", "database": "ok", "broker": "down"}
    assert health_seconds <= SICK_BROKER_LIMIT_SECONDS
    # The span's two checks (the attribution, the URL) wait in the outbox for the sweep.
    checks = Job.objects.filter(task=tasks.source_check_run.name)
    assert [(job.state, job.sent_at) for job in checks] == [(Job.State.PENDING, None)] * 2


# --- workers that die, messages delivered twice -------------------------------------------------


@transactional
def test_a_check_whose_worker_is_killed_mid_fetch_completes_exactly_once(
    redis_server, start_web, start_worker, site, editor
):
    url = site.add("/haengt", PAGE, stall=True)
    web = start_web(redis_server.url)
    desk = web.desk(editor)
    claim_id = desk.span(desk.article("Schienenausbau"), CLAIM)
    first = start_worker(redis_server.url)
    evidence_id = desk.created(f"/api/v1/annotations/{claim_id}/evidence/", {"url": url})
    check = SourceCheck.objects.get(evidence_id=evidence_id)

    wait_for(lambda: site.requests["/haengt"] == 1, timeout=60, message="the first fetch")
    assert SourceCheck.objects.get(pk=check.pk).status == SourceCheck.Status.RUNNING
    kill(first)
    site.release.set()
    start_worker(redis_server.url, beat=True)

    check = finished(check.pk)
    assert check.status == SourceCheck.Status.DONE
    assert check.attempts == 2
    assert check.title == "Mitteilung"
    assert site.requests["/haengt"] == 2
    assert SourceCheck.objects.filter(evidence_id=evidence_id).count() == 1
    assert Event.objects.filter(verb="source_check.finished", data__check=check.pk).count() == 1
    job = Job.objects.get(task=tasks.source_check_run.name, args=[check.pk])
    wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.DONE, message="the job done")


@transactional
def test_the_same_task_delivered_twice_leaves_one_result(worker, site, editor, claim):
    # On the shared Redis and the in-process worker: nothing is stopped here.
    url = site.add("/haengt", PAGE, stall=True)
    # A row whose message is sent by hand below, twice, with one task id: a redelivery.
    check = SourceCheck.objects.create(
        annotation=claim, url=url, article_revision=1, requested_by=editor
    )
    runs: list[str] = []

    def record(task_id: str, **kwargs) -> None:
        runs.append(task_id)

    task_postrun.connect(record, weak=False)
    try:
        task_id = str(uuid.uuid4())
        tasks.source_check_run.apply_async((check.pk,), task_id=task_id)
        wait_for(lambda: site.requests["/haengt"] == 1, message="the first delivery's fetch")
        tasks.source_check_run.apply_async((check.pk,), task_id=task_id)
        wait_for(lambda: runs.count(task_id) == 1, message="the second delivery to return")
        site.release.set()
        wait_for(lambda: runs.count(task_id) == 2, message="the first delivery to return")
    finally:
        task_postrun.disconnect(record)

    check = SourceCheck.objects.get(pk=check.pk)
    assert check.status == SourceCheck.Status.DONE
    assert check.attempts == 1
    assert site.requests["/haengt"] == 1
    assert SourceCheck.objects.filter(annotation=claim).count() == 1
    assert Event.objects.filter(verb="source_check.finished", data__check=check.pk).count() == 1
