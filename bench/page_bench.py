"""Server time of the annotate page (/articles/<id>/) with 1,000 annotations.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck \\
        .venv/bin/python bench/page_bench.py [requests]

Runs on a throwaway test database (the configured one is never touched). The article is
the German demo text repeated twelve times (about 12,600 characters, 1,900 words); its
1,000 spans overlap, half are assigned and a quarter carry a proposed verdict, so the
page renders nested highlights, assignees and verdicts. Each request goes through the
Django test client (full middleware, template rendering, the JSON for annotate.js). It
reports the median wall time of N requests after two warm-ups, the median CPU time of the
Django process (steadier on a shared machine), the query count and the page size.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("DEBUG", "1")

ANNOTATIONS = 1_000


def seed():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from annotations import services
    from annotations.models import Annotation, Assignment, Label, Rating, Verdict

    User = get_user_model()
    editor = User.objects.create_user("bench-editor")
    editor.groups.set(Group.objects.filter(name="editor"))
    reviewer = User.objects.create_user("bench-reviewer")
    reviewer.groups.set(Group.objects.filter(name="reviewer"))
    demo = (ROOT / "annotations" / "demo" / "de.txt").read_text(encoding="utf-8")
    body = "\n\n".join([demo.partition("\n")[2].strip()] * 12) + "\n"
    article = services.article_create(actor=editor, title="Benchmark", body=body, language="de")
    labels = list(Label.objects.order_by("order"))
    rating = Rating.objects.get(slug="true")
    words = [m.span() for m in re.finditer(r"\w+", body)]
    rows = []
    for n in range(ANNOTATIONS):
        # Spans of one to six words, shifted so that many of them overlap.
        first = (n * 3) % (len(words) - 6)
        start, end = words[first][0], words[first + 1 + n % 6][1]
        rows.append(
            Annotation(
                article=article,
                label=labels[n % len(labels)],
                start=start,
                end=end,
                exact=body[start:end],
                prefix=body[max(0, start - 32) : start],
                suffix=body[end : end + 32],
                note="Prüfen." if n % 3 == 0 else "",
                status=Annotation.Status.ASSIGNED if n % 2 else Annotation.Status.OPEN,
                created_by=editor,
            )
        )
    annotations = Annotation.objects.bulk_create(rows)
    Assignment.objects.bulk_create(
        Assignment(annotation=a, reviewer=reviewer, assigned_by=editor)
        for a in annotations
        if a.status == Annotation.Status.ASSIGNED
    )
    Verdict.objects.bulk_create(
        Verdict(
            annotation=a, rating=rating, rationale="Belegt durch das Schreiben.", author=reviewer
        )
        for a in annotations[::4]
    )
    return editor, article


def main(requests: int) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.runner import DiscoverRunner
    from django.test.utils import (
        CaptureQueriesContext,
        setup_test_environment,
        teardown_test_environment,
    )

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    databases = runner.setup_databases()
    try:
        editor, article = seed()
        client = Client()
        client.force_login(editor)
        url = f"/articles/{article.pk}/"
        for _ in range(2):
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        query_count = len(queries)  # read now: the next request resets the log
        wall, cpu = [], []
        for _ in range(requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200
        wall.sort()
        # CPU time of this process (the database works in its own) is the steadier figure on
        # a shared machine; wall time includes PostgreSQL and any contention.
        print(
            f"annotate page, {ANNOTATIONS} annotations, {len(article.text):,} characters, "
            f"{connection.vendor}, {requests} requests: wall median "
            f"{statistics.median(wall) * 1000:.1f} ms (p90 {wall[int(len(wall) * 0.9) - 1] * 1000:.1f} ms), "
            f"Django CPU median {statistics.median(cpu) * 1000:.1f} ms; "
            f"{query_count} SQL queries; {len(response.content) / 1024:.0f} KB of HTML"
        )
    finally:
        runner.teardown_databases(databases)
        teardown_test_environment()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
