"""Benchmark webhook deliveries: events sent to local receivers that verify every signature.

Run with `DEBUG=1 DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… python
bench/webhook_bench.py`. It creates its own database (`<name>_webhook_bench`, dropped at
the end) and sends to a queue of its own, so it disturbs neither the dev data nor other
workers.

For each configuration it starts a real `celery -A factcheck worker` process (threads
pool), records BENCH_WEBHOOK_EVENTS annotation events in one transaction (each gets one
delivery per subscription, in the outbox, sent on commit), and measures the time from the
commit to the last delivery accepted. Deliveries to one subscription go strictly one after
another in cursor order, so one subscription measures the ordered path; several show the
parallelism across receivers. A run counts only with zero lost, zero duplicates and every
receiver's deliveries in cursor order.
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
from annotations.models import Event, WebhookDelivery, WebhookSubscription  # noqa: E402
from factcheck.celery import app  # noqa: E402
from tests.webhook_receiver import running_receiver  # noqa: E402

EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "1000"))
# (label, subscriptions, worker options)
CONFIGS = [
    ("1 subscription (strict order), threads x8", 1, ["--pool", "threads", "--concurrency", "8"]),
    ("4 subscriptions, threads x8", 4, ["--pool", "threads", "--concurrency", "8"]),
]
ARTICLE = (
    "Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der "
    "Schiene freigegeben. Kritiker meinen, das Geld komme zu spät.\n"
)
CLAIM = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"


def database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_worker(queue: str, name: str, options: list[str], allow: str, log: Path):
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        # The worker sends follow-ups of a long run of deliveries to its default queue.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
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


def run(label, subscriptions, options, receivers, chief, annotation) -> dict:
    queue = f"bench-webhooks-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    WebhookSubscription.objects.all().delete()
    subs = []
    for receiver in receivers[:subscriptions]:
        sub = services.webhook_create(
            actor=chief, url=receiver.url, event_types=["annotation.updated"]
        )
        receiver.secret = sub.secret
        with receiver.lock:
            receiver.received.clear()
        subs.append((sub, receiver))
    allow = ",".join(receiver.host_port for receiver in receivers)
    logs = BASE_DIR / "var"
    logs.mkdir(exist_ok=True)
    worker = start_worker(queue, queue, options, allow, logs / "bench_webhook_worker.log")
    try:
        name = f"{queue}@{socket.gethostname()}"
        wait_until(lambda: app.control.ping(destination=[name], timeout=0.5), 120, "the worker")
        began = time.monotonic()
        with transaction.atomic():
            for n in range(EVENTS):
                services.event_record(
                    actor=chief,
                    verb=Event.Verb.ANNOTATION_UPDATED,
                    annotation=annotation,
                    data={"note": n},
                )
        committed = time.monotonic()
        unfinished = WebhookDelivery.objects.exclude(state=WebhookDelivery.State.DELIVERED)
        wait_until(lambda: not unfinished.exists(), 1800, "every delivery")
        done = time.monotonic()
    finally:
        stop_worker(worker)
    total = EVENTS * len(subs)
    accepted = sum(len(receiver.accepted()) for _sub, receiver in subs)
    in_order = all(
        [item.webhook_id for item in receiver.accepted()]
        == list(
            WebhookDelivery.objects.filter(subscription=sub)
            .order_by("txid", "id")
            .values_list("message_id", flat=True)
        )
        for sub, receiver in subs
    )
    return {
        "config": label,
        "deliveries": total,
        "seconds": done - committed,
        "per_second": total / (done - committed),
        "record_seconds": committed - began,
        "lost": total - sum(len(receiver.unique()) for _sub, receiver in subs),
        "duplicates": accepted - sum(len(receiver.unique()) for _sub, receiver in subs),
        "in_order": in_order,
    }


def main() -> None:
    test_settings = connection.settings_dict["TEST"]
    test_settings["NAME"] = f"{connection.settings_dict['NAME']}_webhook_bench"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    app.conf.task_default_queue = f"bench-webhooks-setup-{uuid.uuid4().hex[:8]}"
    print(f"creating the database {test_settings['NAME']} …", flush=True)
    old_config = setup_databases(verbosity=0, interactive=False)
    results = []
    try:
        user_model = get_user_model()
        chief = user_model.objects.create_user("bench-chief", password="bench")
        chief.groups.set(Group.objects.filter(name__in=["chief", "editor"]))
        article = services.article_create(actor=chief, title="Schiene", body=ARTICLE, language="de")
        start = article.text.index(CLAIM)
        annotation = services.annotation_create(
            actor=chief,
            article_id=article.pk,
            label="claim",
            start=start,
            end=start + len(CLAIM),
            exact=CLAIM,
        )
        with (
            running_receiver() as a,
            running_receiver() as b,
            running_receiver() as c,
            running_receiver() as d,
        ):
            for label, subscriptions, options in CONFIGS:
                print(f"{label} …", flush=True)
                results.append(run(label, subscriptions, options, [a, b, c, d], chief, annotation))
    finally:
        teardown_databases(old_config, verbosity=0)
    print(f"\n{EVENTS} events, {os.cpu_count()} CPUs")
    print("| configuration | deliveries | seconds | deliveries/s | lost | duplicates | in order |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        print(
            f"| {r['config']} | {r['deliveries']} | {r['seconds']:.1f} | {r['per_second']:.0f} "
            f"| {r['lost']} | {r['duplicates']} | {'yes' if r['in_order'] else 'NO'} |"
        )
    for r in results:
        print(f"recording {EVENTS} events with their deliveries: {r['record_seconds']:.1f} s")


if __name__ == "__main__":
    main()
