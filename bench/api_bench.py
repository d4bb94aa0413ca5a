"""Annotation create latency and list latency for 1,000 annotations on one article.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck .venv/bin/python bench/api_bench.py

Runs in its own database, `fc_api_bench` on the same server, dropped and migrated afresh
on every run. Every request goes through the Django test client with
`Authorization: Token …`: the full middleware stack, DRF, the services and serializers.
DEBUG is off while timing, so Django does not record SQL. Tasks go to kombu's in-memory
transport, so no worker of a running `make run` sees this database's ids.

1. POST /api/v1/annotations/ 1,000 times on one article (a 1,000-sentence text), one
   claim per sentence: per-request latency.
2. With those 1,000 annotations (a third assigned, a sixth with a verdict): the annotation
   list filtered to the article (the default page of 50, and page_size=500) and the article
   detail, which embeds all 1,000 annotations.

Prints one table: p50, p95, mean and the SQL queries per request.
"""

from __future__ import annotations

import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ANNOTATIONS = 1_000
LIST_RUNS = {"page": 200, "page_size=500": 40, "detail": 40}
WARMUP = 10


from benchdb import setup_django  # noqa: E402

BENCH_DB = setup_django("fc_api_bench", "the API bench")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from annotations import services  # noqa: E402
from annotations.services.tokens import api_token_create  # noqa: E402


def user(username: str, *roles: str):
    account = get_user_model().objects.create_user(username, password=None)
    account.groups.set(Group.objects.filter(name__in=roles))
    return account


def client_for(account) -> Client:
    token, _expiry = api_token_create(user=account)
    return Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")


def timed(client: Client, method: str, path: str, **kwargs) -> float:
    started = time.perf_counter()
    response = getattr(client, method)(path, **kwargs)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code in (200, 201), (path, response.status_code, response.content[:300])
    return elapsed


def queries(client: Client, path: str) -> int:
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured)


def row(name: str, samples: list[float], sql: int | str) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return (
        f"| {name:<44} | {len(samples):>5} | {statistics.median(samples):>8.2f} | "
        f"{p95:>8.2f} | {statistics.fmean(samples):>8.2f} | {sql!s:>7} |"
    )


def main() -> None:
    print(f"migrating {BENCH_DB} …", flush=True)
    call_command("migrate", verbosity=0)
    settings.DEBUG = False
    editor = user("bench-editor", "editor")
    reviewer = user("bench-reviewer", "reviewer")
    chief = user("bench-chief", "chief")
    client = client_for(editor)

    sentences = [f"Satz {n:04d}: Die Stadt gab {n} Millionen Euro aus." for n in range(ANNOTATIONS)]
    body = " ".join(sentences) + "\n"
    article = services.article_create(actor=editor, title="Bench", body=body, language="de")
    offsets = []
    position = 0
    for sentence in sentences:
        offsets.append((position, position + len(sentence)))
        position += len(sentence) + 1

    create = []
    for n, (start, end) in enumerate(offsets):
        payload = {"article": article.pk, "start": start, "end": end, "label": "claim"}
        last = n == len(offsets) - 1
        reset_queries()  # CaptureQueriesContext counts into a log capped at 9,000 entries
        with CaptureQueriesContext(connection) if last else nullcontext() as captured:
            elapsed = timed(
                client,
                "post",
                "/api/v1/annotations/",
                data=payload,
                content_type="application/json",
            )
        if n >= WARMUP:
            create.append(elapsed)
    create_sql = len(captured)

    # A realistic mix on the list: a third assigned, a sixth with a proposed or approved verdict.
    ids = list(article.annotations.order_by("id").values_list("id", flat=True))
    for n, annotation_id in enumerate(ids):
        if n % 3 == 0:
            services.annotation_assign(actor=editor, annotation_id=annotation_id, reviewer=reviewer)
        if n % 6 == 0:
            verdict = services.verdict_propose(
                actor=reviewer,
                annotation_id=annotation_id,
                rating="false",
                rationale="Der Haushaltsplan nennt eine andere Summe auf Seite 12.",
                evidence=[services.EvidenceInput(url=f"https://example.org/beleg/{n}")],
            )
            if n % 12 == 0:
                services.verdict_approve(actor=chief, verdict_id=verdict.pk)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a thousand inserts

    paths = {
        "page": f"/api/v1/annotations/?article={article.pk}",
        "page_size=500": f"/api/v1/annotations/?article={article.pk}&page_size=500",
        "detail": f"/api/v1/articles/{article.pk}/",
    }
    results = {}
    for name, path in paths.items():
        for _ in range(WARMUP):
            timed(client, "get", path)
        results[name] = [timed(client, "get", path) for _ in range(LIST_RUNS[name])]

    print()
    print(
        f"API latency, PostgreSQL, Django test client, {ANNOTATIONS:,} annotations on one article"
    )
    print()
    print(
        "| request                                      |     n |  p50 ms |  p95 ms | mean ms |     SQL |"
    )
    print(
        "|----------------------------------------------|------:|--------:|--------:|--------:|--------:|"
    )
    print(row("POST /annotations/ (create one claim)", create, create_sql))
    print(
        row(
            "GET /annotations/?article= (page of 50)",
            results["page"],
            queries(client, paths["page"]),
        )
    )
    print(
        row(
            "GET /annotations/?article=&page_size=500",
            results["page_size=500"],
            queries(client, paths["page_size=500"]),
        )
    )
    print(
        row(
            "GET /articles/{id}/ (all 1,000 embedded)",
            results["detail"],
            queries(client, paths["detail"]),
        )
    )
    rate = 1000 / statistics.fmean(create)
    print()
    print(f"create: {rate:,.0f} annotations/s from one client, sequentially")


if __name__ == "__main__":
    main()
