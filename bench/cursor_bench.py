"""The sync cursor: reading 100,000 changes from an empty cursor to the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck .venv/bin/python bench/cursor_bench.py

Runs in its own database, `fc_cursor_bench` on the same server (BENCH_DB), dropped and
migrated afresh on every run. 100 articles of 1,000 claims are bulk-inserted, one
transaction per article, so the triggers log 100,000 annotation changes (and 100 article
changes) under 100 transaction ids; then ANALYZE, as autovacuum would.

Each way of reading follows next_cursor from the empty cursor until a page is not full,
three times; the table shows the median:

- `changes.read()`, the reader function (the log rows only), in pages of 100 and 1,000;
- `GET /api/v1/annotations/?cursor=` through the Django test client, each page's
  annotations built as the list builds them, in pages of 100 and 1,000;
- `GET /api/v1/export/annotations/?cursor=&page_size=100000`, the JSON Lines export of
  everything changed, streamed and read to the end;
- for comparison, the numbered list without a cursor, every page of 1,000.

Prints one table.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARTICLES = 100
PER_ARTICLE = 1_000
ROUNDS = 3


from benchdb import setup_django  # noqa: E402

BENCH_DB = setup_django("fc_cursor_bench", "the cursor bench")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from annotations import changes, text  # noqa: E402
from annotations.models import Annotation, Article, Change, Label  # noqa: E402
from annotations.services.tokens import api_token_create  # noqa: E402

SENTENCE = "Satz {n:04d}: Die Stadt gab {n} Millionen Euro für neue Straßen aus."


def seed(editor, articles: int = ARTICLES) -> None:
    sentences = [SENTENCE.format(n=n) for n in range(PER_ARTICLE)]
    body = " ".join(sentences) + "\n"
    spans, position = [], 0
    for sentence in sentences:
        spans.append((position, position + len(sentence)))
        position += len(sentence) + 1
    claim = Label.objects.get(slug="claim")
    now = timezone.now()
    for number in range(articles):
        with transaction.atomic():
            article = Article.objects.create(
                title=f"Artikel {number}",
                text=body,
                language="de",
                created_by=editor,
                status=Article.Status.IN_REVIEW,
            )
            rows = []
            for start, end in spans:
                quote = text.quote_at(body, start, end)
                rows.append(
                    Annotation(
                        article=article,
                        label=claim,
                        start=start,
                        end=end,
                        exact=quote.exact,
                        prefix=quote.prefix,
                        suffix=quote.suffix,
                        created_by=editor,
                        created_at=now,
                        updated_at=now,
                    )
                )
            Annotation.objects.bulk_create(rows, batch_size=1000)


def follow_reader(page_size: int) -> int:
    position, count = changes.START, 0
    while True:
        page = changes.read(position, limit=page_size)
        count += len(page.changes)
        position = page.position
        if not page.has_more:
            return count


def follow_api(client: Client, page_size: int) -> int:
    cursor, count = "", 0
    while True:
        response = client.get("/api/v1/annotations/", {"cursor": cursor, "page_size": page_size})
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        count += len(body["results"])
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return count


def follow_pages(client: Client, page_size: int) -> int:
    """The numbered list for comparison: every page of the plain list."""
    page, count = 1, 0
    while True:
        response = client.get("/api/v1/annotations/", {"page": page, "page_size": page_size})
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        count += len(body["results"])
        if body["next"] is None:
            return count
        page += 1


def export_all(client: Client) -> int:
    response = client.get("/api/v1/export/annotations/", {"cursor": "", "page_size": 100_000})
    assert response.status_code == 200, response.status_code
    return sum(piece.count(b"\n") for piece in response.streaming_content)


def timed(run) -> tuple[int, float]:
    results = []
    for _round in range(ROUNDS):
        started = time.perf_counter()
        count = run()
        results.append((time.perf_counter() - started, count))
    seconds = statistics.median(elapsed for elapsed, _count in results)
    return results[0][1], seconds


def main() -> None:
    call_command("migrate", verbosity=0)
    editor = get_user_model().objects.create_user("editor", password=None)
    editor.groups.set(Group.objects.filter(name__in=["editor"]))
    started = time.perf_counter()
    seed(editor)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    logged = Change.objects.filter(kind="annotation").count()
    print(f"seeded {logged:,} annotation changes in {time.perf_counter() - started:.1f} s")
    token, _expiry = api_token_create(user=editor)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    print(f"PostgreSQL {connection.pg_version}, DEBUG={settings.DEBUG}, median of {ROUNDS}")
    print(f"{'how':<52} {'items':>8} {'seconds':>8} {'changes/s':>10}")
    rows = [
        ("changes.read(), pages of 100", lambda: follow_reader(100)),
        ("changes.read(), pages of 1,000", lambda: follow_reader(1000)),
        ("GET /api/v1/annotations/?cursor=, pages of 100", lambda: follow_api(client, 100)),
        ("GET /api/v1/annotations/?cursor=, pages of 1,000", lambda: follow_api(client, 1000)),
        ("GET /api/v1/export/annotations/?cursor= (JSONL)", lambda: export_all(client)),
        (
            "for comparison: ?page=1…100 of the numbered list, 1,000",
            lambda: follow_pages(client, 1000),
        ),
    ]
    for name, run in rows:
        count, seconds = timed(run)
        print(f"{name:<52} {count:>8,} {seconds:>8.2f} {logged / seconds:>10,.0f}")
    write_cost(editor)


def write_cost(editor) -> None:
    """What the log costs a write: bulk inserts of 1,000 annotations (one article) with
    the annotation and article triggers on, and with them disabled."""
    print(f"{'bulk insert of 1,000 annotations':<52} {'seconds':>8} {'rows/s':>10}")
    for label, state in (("with the change-log triggers", "ENABLE"), ("without", "DISABLE")):
        with connection.cursor() as cursor:
            for table in ("annotations_annotation", "annotations_article"):
                cursor.execute(f"ALTER TABLE {table} {state} TRIGGER USER")
        runs = []
        for _round in range(5):
            started = time.perf_counter()
            seed(editor, articles=1)
            runs.append(time.perf_counter() - started)
        seconds = statistics.median(runs)
        print(f"{label:<52} {seconds:>8.3f} {PER_ARTICLE / seconds:>10,.0f}")
    with connection.cursor() as cursor:
        for table in ("annotations_annotation", "annotations_article"):
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


if __name__ == "__main__":
    main()
