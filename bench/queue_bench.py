"""GET /api/v1/queue/ with 1,000,000 annotations and 50 reviewers (budget: ≤ 25 ms p50).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck \\
        .venv/bin/python bench/queue_bench.py [requests] [--reseed]

The data lives in its own database, `fc_bench` on the same server (created and migrated
on first use, reused afterwards; `--reseed` starts over). Seeding is set-based SQL
(generate_series) in one transaction, with the secondary indexes rebuilt once at the end
and foreign-key triggers off, so it takes about a minute, not the ORM's hours:

- 1 editor, 1 chief, 50 reviewers; 2,000 articles;
- 1,000,000 claim annotations, each with one assignment round-robin over the reviewers.
  One in twenty is still pending (50,000 in all, ~1,000 per reviewer); the rest are
  approved, with an approved verdict. A third of the pending ones are overdue.
- 500,000 source checks (every other annotation).

Each request goes through the Django test client with `Authorization: Token …` (full
middleware, DRF, pagination, serializers), rotating over all 50 reviewers. DEBUG is off
while timing, so Django does not record SQL. The figure is the wall time per request after
warm-ups: p50, p95 and max, split into time waiting for PostgreSQL and CPU time in Django,
with the load average and a CPU calibration (on a shared machine the wall time follows the
load); then the queries of one request with their times, and the EXPLAIN (ANALYZE,
BUFFERS) plans of the queue's page and count queries.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "fc_bench"
ANNOTATIONS = 1_000_000
REVIEWERS = 50
ARTICLES = 2_000
PENDING_EVERY = 20  # one assignment in twenty is still pending
CHECK_EVERY = 2
WARMUP = 20
BULK_TABLES = (
    "annotations_annotation",
    "annotations_assignment",
    "annotations_verdict",
    "annotations_sourcecheck",
)


def bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factcheck")
    if not base.startswith("postgres"):
        sys.exit("the queue bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def create_database(url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


os.environ["DATABASE_URL"] = bench_database_url()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("CONN_MAX_AGE", "600")
create_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

SEED_SQL = """
-- Users: the password is unusable ('!'); the bench authenticates with tokens.
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
SELECT '!', false, name, '', '', name || '@bench.example', false, true, now()
FROM (SELECT 'bench-editor' AS name UNION ALL SELECT 'bench-chief'
      UNION ALL SELECT 'bench-reviewer-' || lpad(g::text, 2, '0') FROM generate_series(1, %(reviewers)s) g) u;

INSERT INTO auth_user_groups (user_id, group_id)
SELECT u.id, g.id FROM auth_user u JOIN auth_group g
  ON (u.username = 'bench-editor' AND g.name = 'editor')
  OR (u.username = 'bench-chief' AND g.name = 'chief')
  OR (u.username LIKE 'bench-reviewer-%%' AND g.name = 'reviewer');

INSERT INTO annotations_article (title, text, language, source_url, outlet, byline,
    published_at, revision, status, status_before, import_error, import_error_code,
    import_error_params, created_by_id, created_at, updated_at)
SELECT 'Bench-Artikel ' || g,
       'Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der Schiene freigegeben.' || repeat(' Mehr Text dazu.', 40) || ' Artikel ' || g || E'.\n',
       'de', 'https://news.example/artikel/' || g, 'Bench-Zeitung', '', NULL, 1, 'in_review', '', '',
       '', '{}'::jsonb, (SELECT id FROM auth_user WHERE username = 'bench-editor'), now(), now()
FROM generate_series(1, %(articles)s) g;

-- Annotations: spans from "4,2 Milliarden Euro" (code points 45–64) on, one code point longer
-- each (a live span and label is unique per article), 500 per article.
INSERT INTO annotations_annotation (article_id, label_id, start, "end", exact, prefix, suffix,
    note, priority, due_at, status, anchor_state, checkworthiness, canonical, via,
    double_review, claimant_id, version, created_by_id, created_at, updated_at)
SELECT a.id, (SELECT id FROM annotations_label WHERE slug = 'claim'), 45,
       64 + g / %(articles)s,
       substr('Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der Schiene freigegeben.' || repeat(' Mehr Text dazu.', 40), 46, 19 + g / %(articles)s),
       'Bundesregierung hat am Mittwoch ',
       substr('Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der Schiene freigegeben.' || repeat(' Mehr Text dazu.', 40), 65 + g / %(articles)s, 32),
       '', 1 + g %% 4, now() + ((g %% 30) - 10) * interval '1 day',
       -- Pending in whole blocks of 50 consecutive rows, so that the round-robin over the
       -- 50 reviewers below (by id) gives each of them the same share.
       CASE WHEN (g / %(reviewers)s) %% %(pending_every)s = 0 THEN 'assigned' ELSE 'approved' END,
       'anchored', (g %% 100) / 100.0, '', '', false, NULL, 2,
       (SELECT id FROM auth_user WHERE username = 'bench-editor'),
       now() - interval '60 days' + g * interval '1 second', now()
FROM generate_series(1, %(annotations)s) g,
     -- Looked up once (an InitPlan), then indexed per row: no join over a million rows.
     LATERAL (SELECT (ARRAY(SELECT id FROM annotations_article ORDER BY id))[1 + g %% %(articles)s] AS id) a;

-- Each assignment carries its annotation's sort keys, as services.annotation_assign copies them.
INSERT INTO annotations_assignment (annotation_id, reviewer_id, assigned_by_id, due_at, state,
    decline_reason, priority, checkworthiness, created_at, updated_at)
SELECT an.id, r.id, an.created_by_id, an.due_at,
       CASE WHEN an.status = 'assigned' THEN 'pending' ELSE 'done' END, '',
       an.priority, an.checkworthiness, an.created_at, now()
FROM annotations_annotation an,
     LATERAL (SELECT (ARRAY(SELECT id FROM auth_user WHERE username LIKE 'bench-reviewer-%%'
                            ORDER BY id))[1 + an.id %% %(reviewers)s] AS id) r;

INSERT INTO annotations_verdict (annotation_id, rating_id, rationale, author_id, status,
    decided_by_id, decided_at, decision_note, quote, article_revision, approved_quote,
    approved_revision, is_blind, is_sealed, created_at)
SELECT an.id, (SELECT id FROM annotations_rating WHERE slug = 'false'),
       'Der Haushaltsplan nennt 3,1 Milliarden Euro.', asg.reviewer_id, 'approved',
       (SELECT id FROM auth_user WHERE username = 'bench-chief'), now(), '', an.exact, 1,
       an.exact, 1, false, false, an.created_at
FROM annotations_annotation an JOIN annotations_assignment asg ON asg.annotation_id = an.id
WHERE an.status = 'approved';

INSERT INTO annotations_sourcecheck (annotation_id, evidence_id, url, attribution,
    article_revision, status, http_status, final_url, content_type, title, sha256, quote_found,
    quote_score, excerpt, flags, error, error_code, error_params, attempts, requested_by_id,
    requested_at, started_at, finished_at)
SELECT an.id, NULL, 'https://haushalt.example/' || an.id, '', 1, 'done', 200, '', 'text/html',
       'Haushaltsplan', '', true, 92.5, '', '[]'::jsonb, '', '', '{}'::jsonb, 1, NULL, an.created_at,
       an.created_at, an.created_at
FROM annotations_annotation an WHERE an.id %% %(check_every)s = 0;
"""


def seed(*, reseed: bool) -> None:
    from benchdb import bulk_load

    from annotations.models import Annotation

    if reseed:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE annotations_sourcecheck, annotations_evidence, annotations_verdict, "
                "annotations_assignment, annotations_event, annotations_comment, "
                "annotations_suggestion, annotations_annotation, annotations_articlerevision, "
                "annotations_article, knox_authtoken, auth_user_groups, auth_user CASCADE"
            )
    if Annotation.objects.exists():
        print(f"reusing {BENCH_DB}: {Annotation.objects.count():,} annotations")
        return
    started = time.perf_counter()
    params = {
        "reviewers": REVIEWERS,
        "articles": ARTICLES,
        "annotations": ANNOTATIONS,
        "pending_every": PENDING_EVERY,
        "check_every": CHECK_EVERY,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        bulk_load(cursor, SEED_SQL % params, BULK_TABLES)
    with connection.cursor() as cursor:
        step = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE: {time.perf_counter() - step:.1f} s")
    print(f"seeded {ANNOTATIONS:,} annotations in {time.perf_counter() - started:.1f} s")


def describe() -> None:
    from annotations.models import Annotation, Assignment, SourceCheck, Verdict

    pending = Assignment.objects.filter(state="pending").count()
    print(
        f"rows: {Annotation.objects.count():,} annotations, {Assignment.objects.count():,} "
        f"assignments ({pending:,} pending, ~{pending // REVIEWERS:,} per reviewer), "
        f"{Verdict.objects.count():,} verdicts, {SourceCheck.objects.count():,} source checks"
    )


def calibration() -> float:
    """Milliseconds of CPU for a fixed piece of pure Python: shows how much of a core this
    process got (a busy, shared machine gives less and slower)."""
    runs = []
    for _ in range(20):
        started = time.process_time()
        sum(i * i for i in range(100_000))
        runs.append((time.process_time() - started) * 1000)
    return statistics.median(runs)


def measure(requests: int) -> None:
    from django.contrib.auth import get_user_model

    from annotations import selectors
    from annotations.services.tokens import api_token_create

    reviewers = list(
        get_user_model().objects.filter(username__startswith="bench-reviewer-").order_by("username")
    )
    assert len(reviewers) == REVIEWERS, "seed the reviewers first"
    # Fresh tokens each run: only their digests are stored, so old ones cannot be reused.
    tokens = [api_token_create(user=reviewer)[0] for reviewer in reviewers]
    clients = [Client(HTTP_AUTHORIZATION=f"Token {token}") for token in tokens]
    settings.DEBUG = False  # no SQL recording while timing
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host

    for n in range(WARMUP):
        assert clients[n % REVIEWERS].get("/api/v1/queue/").status_code == 200
    # Wall time per request, the CPU time of this process, and the time spent waiting for
    # PostgreSQL: on a busy machine the wall time grows with the load, the CPU time not.
    in_database = [0.0]

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_database[0] += time.perf_counter() - started

    load_before = os.getloadavg()[0]
    timings, cpu, database = [], [], []
    with connection.execute_wrapper(timed):
        for n in range(requests):
            client = clients[n % REVIEWERS]
            in_database[0] = 0.0
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get("/api/v1/queue/")
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            database.append(in_database[0] * 1000)
            assert response.status_code == 200, response.content[:300]
    body = response.json()
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"\nGET /api/v1/queue/ ({requests} requests over {REVIEWERS} reviewers; "
        f"{body['count']:,} pending for the last, {len(body['results'])} on the page):"
    )
    print(
        f"  p50 {p50:.1f} ms   p95 {p95:.1f} ms   max {timings[-1]:.1f} ms   (budget p50 ≤ 25 ms)"
    )
    print(
        f"  of which p50: {statistics.median(database):.1f} ms waiting for PostgreSQL, "
        f"{statistics.median(cpu):.1f} ms CPU in Django"
    )
    print(
        f"  load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, "
        f"on {os.cpu_count()} CPUs; this CPU sums 100,000 squares in {calibration():.1f} ms "
        "(an idle 3 GHz core: about 4 ms)"
    )

    with CaptureQueriesContext(connection) as queries:
        clients[0].get("/api/v1/queue/")
    print(f"\nqueries of one request: {len(queries)}")
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:6.2f} ms  {query['sql'][:150]}")

    reviewer = get_user_model().objects.get(username="bench-reviewer-01")
    page = selectors.queue_for(reviewer)[:50]
    print("\nEXPLAIN (ANALYZE, BUFFERS) of the page query:\n")
    print(page.explain(analyze=True, buffers=True))
    print("\nEXPLAIN (ANALYZE, BUFFERS) of the count query:\n")
    count = selectors.queue_for(reviewer).order_by().values("pk")
    sql, params = count.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM ({sql}) q", params)
        print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    requests = int(args[0]) if args else 500
    call_command("migrate", verbosity=0, interactive=False)
    seed(reseed="--reseed" in sys.argv)
    describe()
    measure(requests)


if __name__ == "__main__":
    main()
