"""The desk's dashboard on 100,000 claims with their histories (budget: ≤ 300 ms p50).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck \\
        .venv/bin/python bench/insights_bench.py [requests] [--reseed]

The data lives in its own database, `fc_insights_bench` on the same server (created and
migrated on first use, reused afterwards; `--reseed` starts over), seeded by set-based SQL
(generate_series) in one transaction, secondary indexes rebuilt once at the end:

- 1 editor, 1 chief, 20 reviewers; 500 articles; 1,000 claimants;
- 100,000 claims tagged over the last 26 weeks, three in five naming a claimant;
- each claim assigned a few hours after tagging; one in ten for a blind double review
  (two assignments, two revealed blind verdicts whose ratings mostly agree); 5% still
  pending (a third of those overdue), the rest proposed within hours and approved (or,
  for a double review, one approved and the other not chosen) within a day or two;
- the history: an event for each tag, assignment, proposal and decision (~420,000);
- 50,000 source checks with mixed outcomes.

The first dashboard (timed once, printed first) stores what the weeks before this one
contribute (selectors.insights: TimingWeek, InsightSnapshot); the timed requests read it
and aggregate this week live, as every dashboard does until a write changes a past week.
`INSIGHTS_BENCH_DB` names another database than `fc_insights_bench` (parallel sessions).

Each request goes through the Django test client, logged in as the chief (full
middleware, the page's template with its SVG charts and tables), and the same for
GET /api/v1/insights/ with a token. DEBUG is off while timing. The figure is the wall
time per request after warm-ups: p50, p95 and max, split into PostgreSQL and Django;
then the queries of one request with their times.
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

# INSIGHTS_BENCH_DB names another database (parallel sessions on one server).
BENCH_DB = os.environ.get("INSIGHTS_BENCH_DB", "fc_insights_bench")
CLAIMS = 100_000
REVIEWERS = 20
ARTICLES = 500
CLAIMANTS = 1_000
WARMUP = 5
BULK_TABLES = (
    "annotations_annotation",
    "annotations_assignment",
    "annotations_verdict",
    "annotations_sourcecheck",
    "annotations_event",
)


def bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factcheck")
    if not base.startswith("postgres"):
        sys.exit("the insights bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    return urlunsplit(urlsplit(base)._replace(path=f"/{BENCH_DB}"))


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

# Pseudo-random but repeatable: (g * prime) % n spreads the rows.
SEED_SQL = """
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
SELECT '!', false, name, '', '', name || '@bench.example', false, true, now()
FROM (SELECT 'bench-editor' AS name UNION ALL SELECT 'bench-chief'
      UNION ALL SELECT 'bench-reviewer-' || lpad(g::text, 2, '0')
      FROM generate_series(1, %(reviewers)s) g) u;

INSERT INTO auth_user_groups (user_id, group_id)
SELECT u.id, g.id FROM auth_user u JOIN auth_group g
  ON (u.username = 'bench-editor' AND g.name = 'editor')
  OR (u.username = 'bench-chief' AND g.name = 'chief')
  OR (u.username LIKE 'bench-reviewer-%%' AND g.name = 'reviewer');

INSERT INTO annotations_claimant (name, kind, aliases, url, description, search_text,
    created_at, updated_at)
SELECT 'Claimant ' || g, CASE WHEN g %% 3 = 0 THEN 'organisation' ELSE 'person' END,
       '[]'::jsonb, '', '', lower('Claimant ' || g), now(), now()
FROM generate_series(1, %(claimants)s) g;

INSERT INTO annotations_article (title, text, language, source_url, outlet, byline,
    published_at, revision, status, status_before, import_error, import_error_code,
    import_error_params, created_by_id, created_at, updated_at)
SELECT 'Bench-Artikel ' || g, repeat('Die Zahl stimmt laut Amt. ', 200), 'de',
       'https://news.example/artikel/' || g, 'Bench-Zeitung', '', NULL, 1, 'in_review', '', '',
       '', '{}'::jsonb, (SELECT id FROM auth_user WHERE username = 'bench-editor'), now(), now()
FROM generate_series(1, %(articles)s) g;

-- Claims: 200 per article at distinct spans; tagged over 26 weeks, oldest first. Every tenth
-- is a double review; one in twenty is still assigned (pending), the rest approved.
INSERT INTO annotations_annotation (article_id, label_id, start, "end", exact, prefix, suffix,
    note, priority, due_at, status, anchor_state, checkworthiness, canonical, via,
    double_review, claimant_id, version, created_by_id, created_at, updated_at)
SELECT a.id, (SELECT id FROM annotations_label WHERE slug = 'claim'),
       g / %(articles)s, g / %(articles)s + 24, 'Die Zahl stimmt laut Amt', '', '', '',
       1 + g %% 4, now() + ((g %% 30) - 10) * interval '1 day',
       CASE WHEN g %% 20 = 7 THEN 'assigned' ELSE 'approved' END, 'anchored', NULL, '', '',
       g %% 10 = 3,
       CASE WHEN g %% 5 < 3 THEN (SELECT min(id) FROM annotations_claimant) + (g * 7919) %% %(claimants)s END,
       2, (SELECT id FROM auth_user WHERE username = 'bench-editor'),
       now() - interval '182 days' + g * (interval '182 days' / %(claims)s), now()
FROM generate_series(1, %(claims)s) g,
     LATERAL (SELECT (ARRAY(SELECT id FROM annotations_article ORDER BY id))[1 + g %% %(articles)s] AS id) a;

-- The first reviewer of each claim, a few hours after tagging; a double review's second.
INSERT INTO annotations_assignment (annotation_id, reviewer_id, assigned_by_id, due_at, state,
    decline_reason, priority, checkworthiness, created_at, updated_at)
SELECT an.id, r.id, an.created_by_id,
       CASE WHEN an.id %% 3 = 0 THEN now() - interval '1 day' ELSE an.due_at END,
       CASE WHEN an.status = 'assigned' THEN 'pending' ELSE 'done' END, '', an.priority, NULL,
       an.created_at + ((an.id * 31) %% 48) * interval '1 hour' + k * interval '10 minutes',
       now()
FROM annotations_annotation an
CROSS JOIN LATERAL generate_series(0, CASE WHEN an.double_review THEN 1 ELSE 0 END) k,
LATERAL (SELECT (ARRAY(SELECT id FROM auth_user WHERE username LIKE 'bench-reviewer-%%'
                       ORDER BY id))[1 + (an.id + k * 7) %% %(reviewers)s] AS id) r;

-- The verdicts of the claims that are through: a single review's approved one; a double
-- review's two blind ones (mostly agreeing: the second is one step off in one case of three),
-- the first approved, the second not chosen.
INSERT INTO annotations_verdict (annotation_id, rating_id, rationale, author_id, status,
    decided_by_id, decided_at, decision_note, quote, article_revision, approved_quote,
    approved_revision, is_blind, is_sealed, created_at)
SELECT asg.annotation_id,
       (SELECT id FROM annotations_rating
        ORDER BY "order" OFFSET LEAST(6, ((asg.annotation_id * 13) %% 7)
                                        + CASE WHEN k = 1 AND asg.annotation_id %% 3 = 0 THEN 1 ELSE 0 END)
        LIMIT 1),
       'Der Haushaltsplan nennt 3,1 Milliarden Euro.', asg.reviewer_id,
       CASE WHEN k = 0 THEN 'approved' ELSE 'rejected' END,
       (SELECT id FROM auth_user WHERE username = 'bench-chief'),
       asg.created_at + ((asg.annotation_id * 17) %% 72 + 6) * interval '1 hour',
       '', 'Die Zahl stimmt laut Amt', 1,
       CASE WHEN k = 0 THEN 'Die Zahl stimmt laut Amt' ELSE '' END,
       CASE WHEN k = 0 THEN 1 END, an.double_review, false,
       asg.created_at + ((asg.annotation_id * 23) %% 24 + 1) * interval '1 hour'
FROM (SELECT a.*, row_number() OVER (PARTITION BY annotation_id ORDER BY id) - 1 AS k
      FROM annotations_assignment a) asg
JOIN annotations_annotation an ON an.id = asg.annotation_id
WHERE an.status = 'approved';

UPDATE annotations_annotation an SET first_assigned_at = f.assigned, first_proposed_at = f.proposed,
    first_approved_at = f.approved
FROM (SELECT s.annotation_id, MIN(s.created_at) AS assigned, MAX(v.created_at) AS proposed,
             MIN(v.decided_at) FILTER (WHERE v.approved_revision IS NOT NULL) AS approved
      FROM annotations_assignment s LEFT JOIN annotations_verdict v ON v.annotation_id = s.annotation_id
      GROUP BY s.annotation_id) f
WHERE f.annotation_id = an.id;

INSERT INTO annotations_event (actor_id, verb, article_id, annotation_id, data, created_at)
SELECT an.created_by_id, 'annotation.created', an.article_id, an.id,
       '{"label": "claim"}'::jsonb, an.created_at FROM annotations_annotation an
UNION ALL
SELECT s.assigned_by_id, 'annotation.assigned', an.article_id, an.id,
       jsonb_build_object('reviewer', 'bench'), s.created_at
FROM annotations_assignment s JOIN annotations_annotation an ON an.id = s.annotation_id
UNION ALL
SELECT v.author_id, CASE WHEN v.is_blind THEN 'verdict.proposed_blind' ELSE 'verdict.proposed' END,
       an.article_id, an.id, jsonb_build_object('verdict', v.id), v.created_at
FROM annotations_verdict v JOIN annotations_annotation an ON an.id = v.annotation_id
UNION ALL
SELECT v.decided_by_id, 'verdict.approved', an.article_id, an.id,
       jsonb_build_object('verdict', v.id), v.decided_at
FROM annotations_verdict v JOIN annotations_annotation an ON an.id = v.annotation_id
WHERE v.status = 'approved';

INSERT INTO annotations_sourcecheck (annotation_id, evidence_id, url, attribution,
    article_revision, status, http_status, final_url, content_type, title, sha256, quote_found,
    quote_score, excerpt, flags, error, error_code, error_params, attempts, requested_by_id,
    requested_at, started_at, finished_at)
SELECT an.id, NULL, 'https://haushalt.example/' || an.id, '', 1,
       (ARRAY['done', 'done', 'done', 'failed', 'blocked', 'pending'])[1 + an.id %% 6],
       200, '', 'text/html', 'Haushaltsplan', '',
       CASE WHEN an.id %% 6 < 3 THEN an.id %% 4 <> 0 END, 92.5, '', '[]'::jsonb, '', '',
       '{}'::jsonb, 1, NULL, an.created_at, an.created_at, an.created_at
FROM annotations_annotation an WHERE an.id %% 2 = 0;
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
                "annotations_article, annotations_claimant, knox_authtoken, auth_user_groups, "
                "auth_user CASCADE"
            )
    if Annotation.objects.exists():
        print(f"reusing {BENCH_DB}: {Annotation.objects.count():,} claims")
        return
    started = time.perf_counter()
    params = {
        "reviewers": REVIEWERS,
        "articles": ARTICLES,
        "claims": CLAIMS,
        "claimants": CLAIMANTS,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        bulk_load(cursor, SEED_SQL % params, BULK_TABLES)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded {CLAIMS:,} claims in {time.perf_counter() - started:.1f} s")


def describe() -> None:
    from annotations.models import Annotation, Assignment, Event, SourceCheck, Verdict

    print(
        f"rows: {Annotation.objects.count():,} claims "
        f"({Annotation.objects.filter(double_review=True).count():,} double-reviewed), "
        f"{Assignment.objects.count():,} assignments, {Verdict.objects.count():,} verdicts, "
        f"{Event.objects.count():,} events, {SourceCheck.objects.count():,} source checks"
    )


def timed_requests(client: Client, path: str, requests: int) -> None:
    for _ in range(WARMUP):
        assert client.get(path).status_code == 200
    in_database = [0.0]

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_database[0] += time.perf_counter() - started

    load_before = os.getloadavg()[0]
    timings, database = [], []
    with connection.execute_wrapper(timed):
        for _ in range(requests):
            in_database[0] = 0.0
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            database.append(in_database[0] * 1000)
            assert response.status_code == 200, response.content[:300]
    timings.sort()
    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
    print(
        f"\nGET {path} ({requests} requests): p50 {statistics.median(timings):.1f} ms   "
        f"p95 {p95:.1f} ms   max {timings[-1]:.1f} ms   (budget p50 ≤ 300 ms)"
    )
    print(
        f"  of which p50 {statistics.median(database):.1f} ms waiting for PostgreSQL; "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, "
        f"on {os.cpu_count()} CPUs"
    )


def measure(requests: int) -> None:
    from django.contrib.auth import get_user_model

    from annotations import selectors
    from annotations.services.tokens import api_token_create

    chief = get_user_model().objects.get(username="bench-chief")
    page = Client()
    page.force_login(chief)
    api = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=chief)[0]}")
    settings.DEBUG = False  # no SQL recording while timing
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    # The first dashboard of a week stores what the weeks before contribute (TimingWeek,
    # InsightSnapshot) and pays the full aggregation once; the timed requests read it.
    from annotations.models import InsightSnapshot, TimingWeek

    TimingWeek.objects.all().delete()
    InsightSnapshot.objects.all().delete()
    started = time.perf_counter()
    figures = selectors.insights()
    print(
        f"first dashboard of the week (storing the past weeks): "
        f"{(time.perf_counter() - started) * 1000:.1f} ms"
    )
    overall = figures["agreement"]["overall"]
    print(
        f"agreement: alpha {overall['alpha']} over {overall['items']:,} claims, "
        f"{len(figures['agreement']['pairs'])} reviewer pairs, "
        f"{len(figures['agreement']['months'])} months"
    )
    timed_requests(page, "/insights/", requests)
    timed_requests(api, "/api/v1/insights/", requests)

    with CaptureQueriesContext(connection) as queries:
        page.get("/insights/")
    print(f"\nqueries of one page: {len(queries)}")
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:7.2f} ms  {query['sql'][:110]}")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    requests = int(args[0]) if args else 30
    call_command("migrate", verbosity=0, interactive=False)
    seed(reseed="--reseed" in sys.argv)
    describe()
    measure(requests)


if __name__ == "__main__":
    main()
