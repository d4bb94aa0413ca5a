"""Our annotation list and create beside the framework floor, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck .venv/bin/python bench/floor_bench.py

The floor is `bench/floor_app/`: Django and DRF with token auth and nothing else, one
ListCreateAPIView over the product's annotation table (the list hands DRF the rows of
`.values()`; a create is a ModelSerializer insert, no lock). Both apps are served by
gunicorn (gthread, 2 workers × 4 threads, DEBUG off) on the same PostgreSQL database,
`fc_floor_bench` (BENCH_DB), dropped and migrated afresh; tasks go to kombu's in-memory
transport.

1. The list of one article's 1,000 spans (`page_size=1000`; a third assigned, a sixth
   with a verdict): p50 over LIST_RUNS requests, and the bytes of one answer.
2. Creates from one client, one after another, on an article of their own.
3. Creates from 8 threads on one article at once: creates a second.

Prints a table with the ratios ours ÷ floor (the goals of issue 12: the list within 2×
of the floor; creates on one article not serialised where they needn't be).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

SPANS = 1_000
LIST_RUNS = 40
WARMUP = 5
CREATES = 200
THREADS = 8
THREAD_CREATES = 40  # each
OURS_PORT = int(os.environ.get("BENCH_PORT", "8771"))
FLOOR_PORT = OURS_PORT + 1


from benchdb import setup_django  # noqa: E402

BENCH_DB = setup_django("fc_floor_bench", "the floor bench", conn_max_age=None)

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from annotations import services  # noqa: E402
from annotations.services.tokens import api_token_create  # noqa: E402


def sentences(count: int, word: str) -> tuple[str, list[tuple[int, int]]]:
    parts = [f"{word} {n:04d}: Die Stadt gab {n} Millionen Euro aus." for n in range(count)]
    offsets, position = [], 0
    for part in parts:
        offsets.append((position, position + len(part)))
        position += len(part) + 1
    return " ".join(parts) + "\n", offsets


def seed() -> dict:
    call_command("migrate", verbosity=0)
    editor = get_user_model().objects.create_user("bench-editor", password=None)
    editor.groups.set(Group.objects.filter(name="editor"))
    reviewer = get_user_model().objects.create_user("bench-reviewer", password=None)
    reviewer.groups.set(Group.objects.filter(name="reviewer"))
    text, offsets = sentences(SPANS, "Satz")
    listed = services.article_create(actor=editor, title="Liste", body=text, language="de")
    for start, end in offsets:
        services.annotation_create(
            actor=editor, article_id=listed.pk, label="claim", start=start, end=end
        )
    ids = list(listed.annotations.order_by("id").values_list("id", flat=True))
    for n, annotation_id in enumerate(ids):
        if n % 3 == 0:
            services.annotation_assign(actor=editor, annotation_id=annotation_id, reviewer=reviewer)
        if n % 6 == 0:
            services.verdict_propose(
                actor=reviewer,
                annotation_id=annotation_id,
                rating="false",
                rationale="Der Haushaltsplan nennt eine andere Summe auf Seite 12.",
                evidence=[services.EvidenceInput(url=f"https://example.org/beleg/{n}")],
            )
    creates = CREATES + THREADS * THREAD_CREATES
    articles = {}
    for side in ("ours", "floor"):
        text, offsets = sentences(creates, side)
        article = services.article_create(actor=editor, title=side, body=text, language="de")
        articles[side] = (article.pk, [(s, e, text[s:e]) for s, e in offsets])
    # DRF's token table for the floor, migrated with the floor's settings into this database.
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "authtoken", "--verbosity", "0"],
        cwd=BENCH,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "floor_app.settings"},
        check=True,
    )
    floor_token = secrets.token_hex(20)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, now())",
            [floor_token, editor.pk],
        )
        cursor.execute("ANALYZE")
    ours_token, _expiry = api_token_create(user=editor)
    return {
        "listed": listed.pk,
        "articles": articles,
        "tokens": {"ours": ours_token, "floor": floor_token},
    }


class Server:
    def __init__(self, side: str, port: int) -> None:
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "CONN_MAX_AGE": "60",
        }
        module, cwd = ("factcheck.wsgi", ROOT) if side == "ours" else ("floor_app.wsgi", BENCH)
        if side == "floor":
            env["DJANGO_SETTINGS_MODULE"] = "floor_app.settings"
        self.port = port
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                module,
                "--worker-class",
                "gthread",
                "--workers",
                "2",
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=cwd,
            env=env,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def request(port: int, token: str, method: str, path: str, body: dict | None = None) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Token {token}", "Host": "127.0.0.1"}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    if response.status not in (200, 201):
        raise RuntimeError(f"{method} {path} on :{port}: {response.status} {data[:300]!r}")
    return data


def wait_until_up(port: int, token: str, path: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            request(port, token, "GET", path)
            return
        except (OSError, RuntimeError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def list_p50(port: int, token: str, path: str) -> tuple[float, int]:
    for _ in range(WARMUP):
        body = request(port, token, "GET", path)
    samples = []
    for _ in range(LIST_RUNS):
        started = time.perf_counter()
        request(port, token, "GET", path)
        samples.append((time.perf_counter() - started) * 1000)
    assert len(json.loads(body)["results"]) == SPANS
    return statistics.median(samples), len(body)


def create_payload(side: str, article: int, span: tuple[int, int, str]) -> dict:
    start, end, exact = span
    payload = {"article": article, "start": start, "end": end, "label": "claim"}
    if side == "floor":
        payload["exact"] = exact  # the floor does not read the article's text
    return payload


def creates_sequential(side: str, port: int, token: str, article: int, spans: list) -> float:
    samples = []
    for span in spans:
        started = time.perf_counter()
        request(port, token, "POST", CREATE_PATHS[side], create_payload(side, article, span))
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples[WARMUP:])


def creates_threaded(side: str, port: int, token: str, article: int, spans: list) -> float:
    errors: list[BaseException] = []

    def work(share: list) -> None:
        try:
            for span in share:
                request(
                    port, token, "POST", CREATE_PATHS[side], create_payload(side, article, span)
                )
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(spans[n::THREADS],)) for n in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return len(spans) / elapsed


CREATE_PATHS = {"ours": "/api/v1/annotations/", "floor": "/annotations/"}


def main() -> None:
    print(f"migrating and seeding {BENCH_DB} …", flush=True)
    data = seed()
    connection.close()
    listed = data["listed"]
    list_paths = {
        "ours": f"/api/v1/annotations/?article={listed}&page_size={SPANS}",
        "floor": f"/annotations/?article={listed}&page_size={SPANS}",
    }
    servers = {"ours": Server("ours", OURS_PORT), "floor": Server("floor", FLOOR_PORT)}
    results: dict[str, dict[str, float]] = {"ours": {}, "floor": {}}
    try:
        for side, server in servers.items():
            wait_until_up(server.port, data["tokens"][side], list_paths[side])
        for side, server in servers.items():
            token = data["tokens"][side]
            article, spans = data["articles"][side]
            p50, size = list_p50(server.port, token, list_paths[side])
            results[side]["list_ms"] = p50
            results[side]["list_bytes"] = size
            results[side]["create_ms"] = creates_sequential(
                side, server.port, token, article, spans[:CREATES]
            )
            results[side]["creates_per_s"] = creates_threaded(
                side, server.port, token, article, spans[CREATES:]
            )
    finally:
        for server in servers.values():
            server.stop()

    ours, floor = results["ours"], results["floor"]
    print()
    print(
        f"Ours beside the DRF floor (bench/floor_app), gunicorn gthread 2×4, PostgreSQL, "
        f"{SPANS:,} spans on one article"
    )
    print()
    print("| measure                                   |       ours |      floor | ours ÷ floor |")
    print("|-------------------------------------------|-----------:|-----------:|-------------:|")
    rows = [
        (f"list of {SPANS:,} spans, p50 ms", "list_ms", "{:.1f}"),
        ("list, bytes", "list_bytes", "{:,.0f}"),
        ("create one span, p50 ms (one client)", "create_ms", "{:.1f}"),
        (f"creates/s, {THREADS} threads on one article", "creates_per_s", "{:.1f}"),
    ]
    for name, key, fmt in rows:
        ratio = ours[key] / floor[key]
        print(
            f"| {name:<41} | {fmt.format(ours[key]):>10} | {fmt.format(floor[key]):>10} | "
            f"{ratio:>11.2f}× |"
        )
    print()
    print(
        f"bytes a span: ours {ours['list_bytes'] / SPANS:.0f}, floor "
        f"{floor['list_bytes'] / SPANS:.0f}. With {THREADS} threads the floor does "
        f"{floor['creates_per_s'] / ours['creates_per_s']:.2f}× our creates a second."
    )


if __name__ == "__main__":
    main()
