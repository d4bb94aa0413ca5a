"""Personas, the real Celery worker, and helpers shared by every test.

Tests run on PostgreSQL and Redis (see `make test`); the worker is Celery's own test
worker in a thread of this process, consuming from the real Redis broker.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable

import pytest
from django.conf import settings

from tests.factories import UserFactory, make_annotation, make_article

# --- the network rule: nothing in this process looks up a name beyond loopback -------------
# Tests send traffic to loopback only. Many write example addresses (https://example.org/…)
# as evidence; once the session's worker thread runs, a source check of one would fetch it.
# Every name lookup here answers like a machine without network for any name but
# localhost, so such a fetch fails at once (the fetch guard's resolve step reports it) and
# never leaves the machine. Numeric addresses need no lookup and pass to the real function
# (the guard refuses private and special ranges; tests use 127.0.0.1). Subprocesses the
# fault tests start are given loopback addresses only.
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_real_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host, *args, **kwargs):
    name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
    if name is None or name.lower().rstrip(".") in _LOOPBACK_NAMES:
        return _real_getaddrinfo(host, *args, **kwargs)
    if not _numeric(name):
        raise socket.gaierror(socket.EAI_NONAME, f"tests look up no name beyond loopback: {name}")
    return _real_getaddrinfo(host, *args, **kwargs)


def _numeric(name: str) -> bool:
    """An address written as numbers, in any form the C library reads without a lookup
    (also the old ones the fetch guard is tested on: 127.1, 0x7f000001, 2130706433)."""
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
        return True
    except ValueError:
        pass
    try:
        socket.inet_aton(name)
        return True
    except OSError:
        return False


socket.getaddrinfo = _loopback_getaddrinfo


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's million rounds cost about a second per user or login on a busy machine;
    the tests are about the newsroom, not the hash. (A live server's thread shares these
    settings.) Production keeps Django's default hashers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """DRF's throttles count in the cache (by default a table in the database, which no
    flush empties): each test starts with none. A test without the database cannot reach
    a database cache and has nothing to clear. (Login failures are axes' rows, which the
    test's rollback or flush removes.)"""
    from django.core.cache import cache

    database = _database_fixture(request)
    if database is not None:
        request.getfixturevalue(database)
    if database is not None or "DatabaseCache" not in settings.CACHES["default"]["BACKEND"]:
        cache.clear()
    yield


def _database_fixture(request) -> str | None:
    """The database fixture a test uses (`db` or `transactional_db`), None without one."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return None
    transactional = (
        "transactional_db" in names
        or "live_server" in names
        or (
            marker is not None
            and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
        )
    )
    return "transactional_db" if transactional else "db"


@pytest.fixture(autouse=True)
def _default_language():
    """A request with Accept-Language: de leaves German active in the test's thread (the
    test client runs the view in it): later service calls must not inherit it."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", roles=["editor"])


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", roles=["reviewer"])


@pytest.fixture
def other_reviewer(db):
    return UserFactory(username="reviewer2", roles=["reviewer"])


@pytest.fixture
def chief(db):
    return UserFactory(username="chief", roles=["chief"])


@pytest.fixture
def chief_reviewer(db):
    return UserFactory(username="chiefrev", roles=["chief", "reviewer"])


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider", roles=[])


@pytest.fixture
def article(editor):
    return make_article(editor)


@pytest.fixture
def claim(editor, article):
    return make_annotation(
        editor, article, "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
    )


def wait_for(
    condition: Callable[[], object],
    *,
    timeout: float = 20.0,
    interval: float = 0.05,
    message: str = "",
):
    """Poll `condition` until it returns something truthy, or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {message or condition}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def celery_app():
    from factcheck.celery import app

    app.conf.task_always_eager = False
    return app


@pytest.fixture(scope="session")
def _purged_broker(celery_app):
    """Drop messages an earlier run left in the test broker."""
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(celery_app.conf.task_default_queue)
    return True


@pytest.fixture(scope="session")
def celery_worker(celery_app, _purged_broker, django_db_blocker):
    """One real worker for the session, consuming from Redis in a thread."""
    from celery.contrib.testing.worker import start_worker

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "tests need the Redis broker"
    with start_worker(
        celery_app,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        shutdown_timeout=30,
        loglevel="WARNING",
    ) as worker:
        yield worker


@pytest.fixture
def worker(celery_worker, celery_app, transactional_db):
    """The real worker, for a test whose rows it must see (committed, not in a test txn).

    Teardown waits until the worker is idle: a task still holding row locks when the
    flush's TRUNCATE runs makes PostgreSQL abort one of them as a deadlock."""
    yield celery_worker
    from tests.background import wait_until_idle

    wait_until_idle(celery_app)


# --- browser ---------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    import os

    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


def login(page, username: str, password: str = "pw-for-tests-1") -> None:  # noqa: S107
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


# --- seeded vocabularies ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _seeded_vocabularies(request):
    """Labels, ratings and role groups come from data migration 0002. A transactional test
    ends with a flush that removes them, so every database test writes them again
    (update_or_create: nothing changes when they are present). One mechanism for the
    whole suite; serialized_rollback is not used because it clashes with the content types
    that post_migrate recreates after each flush."""
    database = _database_fixture(request)
    if database is None:
        return
    request.getfixturevalue(database)
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group

    from annotations.models import Label, Rating

    if Label.objects.count() == 4 and Rating.objects.count() == 7 and Group.objects.count() >= 3:
        return
    import_module("annotations.migrations.0002_seed_vocabularies").seed(apps, None)


@pytest.fixture
def sized(browser, live_server):
    """Opens a browser page of the given size; all are closed after the test."""
    contexts = []

    def open_page(viewport: dict):
        context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors
        return page

    yield open_page
    for context in contexts:
        context.close()
