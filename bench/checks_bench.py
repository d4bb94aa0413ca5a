"""Benchmark source checks: 500 evidence URLs against a local site that answers after 200 ms.

Run with `DEBUG=1 DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… python
bench/checks_bench.py`. It creates its own database (`<name>_checks_bench`, dropped at the
end) and sends to a queue of its own, so it disturbs neither the dev data nor other workers.

For each worker configuration it starts a real `celery -A factcheck worker` process, adds
the 500 pieces of evidence in one transaction (so all checks are sent on commit, as the API
would), and measures the time from the commit to the last check finished. A run counts as
good only with zero lost (every check `done`), zero duplicates (each page fetched once, one
result per check) and one attempt per check.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from annotations import services  # noqa: E402
from annotations.models import Event, SourceCheck  # noqa: E402
from factcheck.celery import app  # noqa: E402
from tests.source_site import running_site  # noqa: E402

CHECKS = int(os.environ.get("BENCH_CHECKS", "500"))
DELAY = 0.2  # seconds the site takes to answer each request
# (label, worker processes to start, their options)
CONFIGS = [
    ("default: prefork, one child per CPU", 1, []),
    ("prefork --concurrency 16", 1, ["--concurrency", "16"]),
    ("threads --concurrency 50", 1, ["--pool", "threads", "--concurrency", "50"]),
    ("2 workers x threads --concurrency 25", 2, ["--pool", "threads", "--concurrency", "25"]),
]
PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Mitteilung {n}</title>
</head><body><article><h1>Mitteilung {n}</h1>
<p>Das Verkehrsministerium teilte mit, dass insgesamt 4,2 Milliarden Euro für den Ausbau der
Schiene freigegeben wurden. Die Mittel fließen vor allem in den Osten.</p>
<p>Die Opposition kritisierte, das Geld komme zu spät für die Pendler im ländlichen Raum.</p>
</article></body></html>
"""
ARTICLE = (
    "Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der "
    "Schiene freigegeben. Kritiker meinen, das Geld komme zu spät.\n"
)
CLAIM = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"


def database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_worker(
    queue: str, name: str, options: list[str], allow: str, log: Path
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "FETCH_ALLOW_HOSTS": allow,
        "LOG_LEVEL": "WARNING",
    }
    with open(log, "w") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "factcheck",
                "worker",
                "--queues",
                queue,
                "--hostname",
                f"{name}@%h",
                "--loglevel",
                "WARNING",
                *options,
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_worker(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def run(label: str, processes: int, options: list[str], site, annotation, editor) -> dict:
    queue = f"bench-checks-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    SourceCheck.objects.all().delete()
    Event.objects.filter(verb="source_check.finished").delete()
    site.requests.clear()
    logs = BASE_DIR / "var"
    logs.mkdir(exist_ok=True)
    workers = [
        start_worker(queue, f"{queue}-{n}", options, site.host_port, logs / f"bench_worker_{n}.log")
        for n in range(processes)
    ]
    try:
        # Ready means: every worker answers a remote-control ping through the broker.
        names = [f"{queue}-{n}@{socket.gethostname()}" for n in range(processes)]
        wait_until(
            lambda: len(app.control.ping(destination=names, timeout=0.5)) == processes,
            120,
            "the workers to start",
        )
        began = time.monotonic()
        with transaction.atomic():
            for n in range(CHECKS):
                services.evidence_add(
                    actor=editor, annotation_id=annotation.pk, url=site.url(f"/page/{n}")
                )
        committed = time.monotonic()
        unfinished = SourceCheck.objects.filter(
            status__in=[SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING]
        )
        wait_until(lambda: not unfinished.exists(), 900, "all checks to finish")
        done = time.monotonic()
    finally:
        for worker in workers:
            stop_worker(worker)
    checks = SourceCheck.objects.all()
    results = Event.objects.filter(verb="source_check.finished").count()
    return {
        "config": label,
        "seconds": done - committed,
        "enqueue_seconds": committed - began,
        "checks": checks.count(),
        "lost": checks.exclude(status=SourceCheck.Status.DONE).count(),
        "duplicates": (results - checks.count())
        + sum(count - 1 for count in site.requests.values() if count > 1),
        "retried": checks.filter(attempts__gt=1).count(),
        "quote_found": checks.filter(quote_found=True).count(),
    }


def main() -> None:
    test_settings = connection.settings_dict["TEST"]
    test_settings["NAME"] = f"{connection.settings_dict['NAME']}_checks_bench"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Even the setup's messages (the article's analysis) go to a queue of the bench's own.
    setup_queue = f"bench-checks-setup-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = setup_queue
    print(f"creating the database {test_settings['NAME']} …", flush=True)
    old_config = setup_databases(verbosity=0, interactive=False)
    results = []
    try:
        editor = get_user_model().objects.create_user("bench-editor", password="bench")
        editor.groups.set(Group.objects.filter(name="editor"))
        article = services.article_create(
            actor=editor, title="Schiene", body=ARTICLE, language="de"
        )
        start = article.text.index(CLAIM)
        annotation = services.annotation_create(
            actor=editor,
            article_id=article.pk,
            label="claim",
            start=start,
            end=start + len(CLAIM),
            exact=CLAIM,
        )
        with running_site() as site:
            for n in range(CHECKS):
                site.add(f"/page/{n}", PAGE.format(n=n), delay=DELAY)
            for label, processes, options in CONFIGS:
                print(f"running: {label} …", flush=True)
                results.append(run(label, processes, options, site, annotation, editor))
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
        with app.connection_for_write() as broker:
            broker.default_channel.queue_delete(setup_queue)

    print()
    print(
        f"{CHECKS} source checks, site answering after {DELAY * 1000:.0f} ms, {os.cpu_count()} CPUs"
    )
    print(
        f"{'worker':42} {'seconds':>8} {'checks/s':>9} {'lost':>5} {'dupes':>6} {'retried':>8} {'found':>6}"
    )
    for r in results:
        print(
            f"{r['config']:42} {r['seconds']:8.1f} {r['checks'] / r['seconds']:9.1f} "
            f"{r['lost']:5d} {r['duplicates']:6d} {r['retried']:8d} {r['quote_found']:6d}"
        )
    print(
        f"(sending {CHECKS} checks on commit took {results[0]['enqueue_seconds']:.1f} s incl. the 500 inserts)"
    )
    if any(r["lost"] or r["duplicates"] for r in results):
        raise SystemExit("checks were lost or duplicated")


if __name__ == "__main__":
    main()
