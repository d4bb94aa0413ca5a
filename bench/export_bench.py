"""Bulk export: rows per second and peak memory at 10,000 and 100,000 annotations.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck .venv/bin/python bench/export_bench.py

Runs in its own database, `fc_export_bench` on the same server, dropped and migrated afresh
on every run. The annotations are seeded with bulk inserts (100 articles of 1,000 spans;
a third assigned, a sixth with a verdict), since the services would take many minutes,
then ANALYZEd as autovacuum would.

Each size is exported as JSON Lines and as CSV, twice:

- in process, through the Django test client: the rate from a plain run, the memory from
  a second run with tracemalloc tracing every Python allocation while the response is
  consumed (the peak is what the export needs beyond what was allocated before it);
- over HTTP from one gunicorn sync worker (`factcheck.wsgi`, DEBUG off), read in 64 KiB
  pieces; the worker's resident set (VmRSS) is sampled while streaming and its high-water
  mark (VmHWM) read afterwards. The same worker serves both sizes, so a flat memory shows
  as a high-water mark that does not move from 10k to 100k.

Prints one table.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (10_000, 100_000)
PER_ARTICLE = 1_000
PORT = int(os.environ.get("BENCH_PORT", "8765"))


from benchdb import setup_django  # noqa: E402

BENCH_DB = setup_django("fc_export_bench", "the export bench")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from annotations import text  # noqa: E402
from annotations.models import (  # noqa: E402
    Annotation,
    Article,
    ArticleRevision,
    Assignment,
    Label,
    Rating,
    Verdict,
)
from annotations.services.tokens import api_token_create  # noqa: E402

SENTENCE = "Satz {n:04d}: Die Stadt gab {n} Millionen Euro für neue Straßen aus."


def user(username: str, *roles: str):
    account = get_user_model().objects.create_user(username, password=None)
    account.groups.set(Group.objects.filter(name__in=roles))
    return account


def seed(articles: range, editor, reviewer, chief) -> None:
    """Bulk-insert `PER_ARTICLE` claims on each article number in `articles`."""
    sentences = [SENTENCE.format(n=n) for n in range(PER_ARTICLE)]
    body = " ".join(sentences) + "\n"
    spans = []
    position = 0
    for sentence in sentences:
        spans.append((position, position + len(sentence)))
        position += len(sentence) + 1
    claim = Label.objects.get(slug="claim")
    rating = Rating.objects.get(slug="false")
    now = timezone.now()
    for number in articles:
        with transaction.atomic():
            article = Article.objects.create(
                title=f"Artikel {number}",
                text=body,
                language="de",
                created_by=editor,
                status=Article.Status.IN_REVIEW,
            )
            ArticleRevision.objects.create(article=article, number=1, text=body, created_by=editor)
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
                        note="=Zahl prüfen" if start % 7 == 0 else "",
                        created_by=editor,
                        created_at=now,
                        updated_at=now,
                    )
                )
            created = Annotation.objects.bulk_create(rows, batch_size=1000)
            Assignment.objects.bulk_create(
                [
                    Assignment(annotation=a, reviewer=reviewer, assigned_by=editor)
                    for a in created[::3]
                ]
            )
            Verdict.objects.bulk_create(
                [
                    Verdict(
                        annotation=a,
                        rating=rating,
                        rationale="Der Haushaltsplan nennt eine andere Summe auf Seite 12.",
                        author=reviewer,
                        status=Verdict.Status.APPROVED,
                        decided_by=chief,
                        decided_at=now,
                    )
                    for a in created[::6]
                ]
            )


def in_process(client: Client, export_format: str, *, traced: bool) -> tuple[int, float, int]:
    """(rows, seconds, peak bytes allocated while streaming) through the test client.

    Tracing every allocation slows Python several times over, so the rate comes from an
    untraced run and the memory from a traced one."""
    if traced:
        tracemalloc.start()
        tracemalloc.reset_peak()
    baseline = tracemalloc.get_traced_memory()[0] if traced else 0
    started = time.perf_counter()
    response = client.get("/api/v1/export/annotations/", {"format": export_format})
    assert response.status_code == 200, response.status_code
    records = Records(export_format)
    for piece in response.streaming_content:
        records.feed(piece)
    elapsed = time.perf_counter() - started
    peak = 0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] - baseline
        tracemalloc.stop()
    return records.rows, elapsed, peak


class Records:
    """Counts rows in a stream: JSON Lines end with LF (a JSON string escapes its own line
    breaks); CSV records end with CRLF, while a quoted cell holds the text's bare LFs."""

    def __init__(self, export_format: str) -> None:
        self.terminator = b"\r\n" if export_format == "csv" else b"\n"
        self.header = export_format == "csv"
        self.count = 0
        self.tail = b""

    def feed(self, piece: bytes) -> None:
        joined = self.tail + piece
        self.count += joined.count(self.terminator)
        # A CRLF may be split across two pieces: carry a trailing CR over.
        self.tail = b"\r" if self.terminator == b"\r\n" and joined.endswith(b"\r") else b""

    @property
    def rows(self) -> int:
        return self.count - 1 if self.header else self.count


class Gunicorn:
    def __init__(self, token: str) -> None:
        self.token = token
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "CONN_MAX_AGE": "60",
        }
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "factcheck.wsgi",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    sys.exit("gunicorn did not start")
                time.sleep(0.2)
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        self.worker = int(children.read_text().split()[0])

    def memory(self, field: str) -> int:
        """VmRSS or VmHWM of the worker, in bytes."""
        for line in Path(f"/proc/{self.worker}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise LookupError(field)

    def export(self, export_format: str) -> tuple[int, float, int, int]:
        """(rows, seconds, max sampled RSS, RSS before) over HTTP."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}/api/v1/export/annotations/?format={export_format}",
            headers={"Authorization": f"Token {self.token}"},
        )
        before = self.memory("VmRSS")
        peak = before
        records = Records(export_format)
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=300) as response:
            assert response.status == 200
            for count, piece in enumerate(iter(lambda: response.read(64 * 1024), b"")):
                records.feed(piece)
                if count % 16 == 0:
                    peak = max(peak, self.memory("VmRSS"))
        elapsed = time.perf_counter() - started
        return records.rows, elapsed, peak, before

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def mib(value: float) -> str:
    return f"{value / 1024 / 1024:.1f}"


def main() -> None:
    print(f"migrating {BENCH_DB} …", flush=True)
    call_command("migrate", verbosity=0)
    settings.DEBUG = False
    editor = user("bench-editor", "editor")
    reviewer = user("bench-reviewer", "reviewer")
    chief = user("bench-chief", "chief")
    token, _expiry = api_token_create(user=editor)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")

    results = []
    seeded = 0
    server = None
    try:
        for size in SIZES:
            print(f"seeding up to {size:,} annotations …", flush=True)
            seed(range(seeded // PER_ARTICLE, size // PER_ARTICLE), editor, reviewer, chief)
            seeded = size
            assert Annotation.objects.count() == size
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
            if server is None:
                server = Gunicorn(token)
                server.export("jsonl")  # warm-up: imports, connection, first queries
            for export_format in ("jsonl", "csv"):
                rows, seconds, _ = in_process(client, export_format, traced=False)
                assert rows == size, (rows, size)
                _, _, peak = in_process(client, export_format, traced=True)
                results.append((size, export_format, "test client", rows / seconds, peak, None))
                rows, seconds, rss_peak, rss_before = server.export(export_format)
                assert rows == size, (rows, size)
                results.append(
                    (
                        size,
                        export_format,
                        "gunicorn",
                        rows / seconds,
                        rss_peak - rss_before,
                        (rss_before, rss_peak, server.memory("VmHWM")),
                    )
                )
    finally:
        if server is not None:
            server.stop()

    print()
    print("Bulk export /api/v1/export/annotations/, PostgreSQL, chunks of 2,000 rows")
    print()
    print(
        "| annotations | format | served by   |   rows/s | extra memory MiB | "
        "worker RSS before → peak, high-water MiB |"
    )
    print(
        "|------------:|--------|-------------|---------:|-----------------:|"
        "------------------------------------------|"
    )
    for size, export_format, via, rate, extra, rss in results:
        detail = (
            "tracemalloc peak"
            if rss is None
            else (f"{mib(rss[0])} → {mib(rss[1])}, HWM {mib(rss[2])}")
        )
        print(
            f"| {size:>11,} | {export_format:<6} | {via:<11} | {rate:>8,.0f} | "
            f"{mib(extra):>16} | {detail:<40} |"
        )


if __name__ == "__main__":
    main()
