"""Nothing lost: a worker killed mid-check, Redis stopped while evidence is added, and the
same task delivered twice. Real Redis, real Celery workers (separate processes where one
is killed), a real loopback source site.

The subprocess workers consume a queue of this test's own, so that neither the in-process
test worker nor another test run sharing the Redis database takes their messages.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from celery.signals import task_postrun
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.test import APIClient

from annotations import services, tasks
from annotations.models import Event, Evidence, SourceCheck
from tests.conftest import wait_for
from tests.source_site import SourceSite, running_site

BASE_DIR = Path(__file__).resolve().parent.parent
UNFINISHED = (SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING)
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Mitteilung</title></head>
<body><article><p>Das Verkehrsministerium teilte mit, dass insgesamt 4,2 Milliarden Euro für
den Ausbau der Schiene freigegeben wurden.</p></article></body></html>
"""
REDIS_PORT = 6379
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "--port",
    str(REDIS_PORT),
    "--save",
    "",
    "--appendonly",
    "no",
]

transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    # The default PBKDF2 costs over a second per persona on a small test machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(settings) -> Iterator[SourceSite]:
    with running_site() as source:
        settings.FETCH_ALLOW_HOSTS = [source.host_port]
        settings.FACTCHECK_RETRY_BACKOFF_SECONDS = 0.05
        yield source


@pytest.fixture
def private_queue(celery_app) -> Iterator[str]:
    """Route every task this process sends to a queue only this test's workers consume."""
    name = f"test-faults-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_default_queue
    # Celery builds its queue table from the default queue on first use: build it now, with
    # the real default in it, or a worker started later would consume nothing.
    assert previous in celery_app.amqp.queues
    celery_app.conf.task_default_queue = name
    try:
        yield name
    finally:
        celery_app.conf.task_default_queue = previous
        # Keep an in-process worker that reconnects from consuming a queue it never had.
        celery_app.amqp.queues.pop(name, None)
        with contextlib.suppress(redis.RedisError):
            redis.Redis.from_url(django_settings.CELERY_BROKER_URL).delete(name)


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def start_worker(private_queue, site, tmp_path) -> Iterator[Callable[[], subprocess.Popen]]:
    """Start `celery -A factcheck worker` processes on this test's database and queue.

    Each runs in a process group of its own, so a SIGKILL takes its pool children too, as
    when a machine or container dies.
    """
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": database_url(),
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
            "FETCH_ALLOW_HOSTS": site.host_port,
            "FACTCHECK_STALE_CHECK_SECONDS": "1",
            "FACTCHECK_RETRY_BACKOFF_SECONDS": "0.05",
        }
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "factcheck",
                "worker",
                "--queues",
                private_queue,
                "--concurrency",
                "1",
                "--hostname",
                f"{private_queue}-{len(started)}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def finished(check: SourceCheck, timeout: float = 60.0) -> SourceCheck:
    return wait_for(
        lambda: SourceCheck.objects.exclude(status__in=UNFINISHED).filter(pk=check.pk).first(),
        timeout=timeout,
        message=f"check {check.pk} to finish",
    )


def swept(check: SourceCheck) -> bool:
    """Run the sweep once the check counts as stale; True when it was sent again."""
    return services.stale_checks_sweep(older_than=1) > 0


@transactional
def test_a_check_whose_worker_is_killed_mid_fetch_completes_exactly_once(
    start_worker, site, settings, editor, claim
):
    settings.FACTCHECK_STALE_CHECK_SECONDS = 1
    url = site.add("/haengt", PAGE, stall=True)
    first = start_worker()
    evidence = services.evidence_add(actor=editor, annotation_id=claim.pk, url=url)
    check = evidence.checks.get()

    wait_for(lambda: site.requests["/haengt"] == 1, timeout=60, message="the first fetch")
    assert SourceCheck.objects.get(pk=check.pk).status == SourceCheck.Status.RUNNING
    kill(first)
    site.release.set()

    start_worker()
    wait_for(lambda: swept(check), message="the sweep to send the stale check again")

    check = finished(check)
    assert check.status == SourceCheck.Status.DONE
    assert check.attempts == 2
    assert check.title == "Mitteilung"
    assert site.requests["/haengt"] == 2
    assert SourceCheck.objects.filter(evidence=evidence).count() == 1
    assert Event.objects.filter(verb="source_check.finished", data__check=check.pk).count() == 1


def redis_answers() -> bool:
    try:
        return redis.Redis(port=REDIS_PORT, socket_connect_timeout=0.5).ping()
    except redis.ConnectionError:
        return False


@transactional
def test_evidence_added_while_redis_is_down_is_saved_and_checked_once_it_is_back(
    start_worker, site, editor, claim, request
):
    url = site.add("/mitteilung", PAGE)
    api = APIClient()
    api.force_authenticate(editor)

    subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], check=False)
    try:
        wait_for(lambda: not redis_answers(), message="Redis to stop")
        began = time.monotonic()
        response = api.post(
            f"/api/v1/annotations/{claim.pk}/evidence/", {"url": url}, format="json"
        )
        # Measured, not asserted: publishing to a dead broker must not hold the request.
        request.node.user_properties.append(
            ("seconds_to_201_with_redis_down", round(time.monotonic() - began, 3))
        )
        # The load balancer's probe says so, without naming the error.
        health = Client().get("/healthz")
    finally:
        subprocess.run(REDIS_START, check=True, stdout=subprocess.DEVNULL)
        wait_for(redis_answers, message="Redis to start again")

    assert response.status_code == 201
    assert health.status_code == 503
    assert health.json() == {"status": "down", "database": "ok", "broker": "down"}
    evidence = Evidence.objects.get(pk=response.json()["id"])
    check = evidence.checks.get()
    assert check.status == SourceCheck.Status.PENDING

    start_worker()
    wait_for(lambda: swept(check), message="the sweep to send the check")

    check = finished(check)
    assert check.status == SourceCheck.Status.DONE
    assert check.attempts == 1
    assert check.title == "Mitteilung"


@transactional
def test_the_same_task_delivered_twice_leaves_one_result(worker, site, editor, claim):
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
        tasks.check_source.apply_async((check.pk,), task_id=task_id)
        wait_for(lambda: site.requests["/haengt"] == 1, message="the first delivery's fetch")
        tasks.check_source.apply_async((check.pk,), task_id=task_id)
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
