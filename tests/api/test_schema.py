"""The OpenAPI schema, its viewer under the CSP, and a schemathesis run over every
operation of the schema against the real WSGI application."""

import json
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from annotations import services
from annotations.models import Evidence, Label, Suggestion
from factcheck.wsgi import application
from tests.factories import UserFactory, api_token, make_annotation, make_article

pytestmark = pytest.mark.django_db

# Generated requests per operation: valid inputs, then invalid ones (which must be refused
# with a 4xx, never a 5xx). The run must make at least MIN_REQUESTS in all.
EXAMPLES_PER_OPERATION = {GenerationMode.POSITIVE: 50, GenerationMode.NEGATIVE: 25}
MIN_REQUESTS = 1500
JSON_SCHEMA = {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def _schema(user) -> dict:
    response = api(user).get("/api/v1/schema/", **JSON_SCHEMA)
    assert response.status_code == 200
    return json.loads(response.content)


# --- the schema -----------------------------------------------------------------------------


def test_schema_is_openapi_3_and_lists_every_endpoint_of_the_contract(editor):
    schema = _schema(editor)
    assert schema["openapi"].startswith("3.")
    expected = {
        "/api/v1/auth/token/": {"post"},
        "/api/v1/articles/": {"get", "post"},
        "/api/v1/articles/{id}/": {"get", "patch", "delete"},
        "/api/v1/articles/{id}/publish/": {"post"},
        "/api/v1/articles/import/": {"post"},
        "/api/v1/articles/{id}/suggestions/": {"get"},
        "/api/v1/articles/{id}/suggestions/{sid}/accept/": {"post"},
        "/api/v1/articles/{id}/suggestions/{sid}/dismiss/": {"post"},
        "/api/v1/articles/{id}/export/": {"get"},
        "/api/v1/annotations/": {"get", "post"},
        "/api/v1/annotations/{id}/": {"get", "patch", "delete"},
        "/api/v1/annotations/{id}/assign/": {"post"},
        "/api/v1/annotations/{id}/decline/": {"post"},
        "/api/v1/annotations/{id}/verdicts/": {"get", "post"},
        "/api/v1/annotations/{id}/evidence/": {"get", "post"},
        "/api/v1/evidence/{id}/": {"delete"},
        "/api/v1/verdicts/{id}/approve/": {"post"},
        "/api/v1/verdicts/{id}/reject/": {"post"},
        "/api/v1/verdicts/{id}/bundle/": {"get"},
        "/api/v1/bundle-key/": {"get"},
        "/api/v1/annotations/{id}/comments/": {"get", "post"},
        "/api/v1/annotations/{id}/source-checks/": {"get", "post"},
        "/api/v1/annotations/{id}/history/": {"get"},
        "/api/v1/queue/": {"get"},
        "/api/v1/labels/": {"get"},
        "/api/v1/ratings/": {"get"},
        "/api/v1/users/": {"get"},
        "/api/v1/claimants/": {"get", "post"},
        "/api/v1/claimants/{id}/": {"get", "patch"},
        "/api/v1/export/annotations/": {"get"},
        "/api/v1/changes/": {"get"},
    }
    for path, methods in expected.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_schema_describes_the_real_annotation_bodies(editor):
    schemas = _schema(editor)["components"]["schemas"]
    assert list(schemas["Annotation"]["properties"]) == [
        "id",
        "article",
        "start",
        "end",
        "exact",
        "prefix",
        "suffix",
        "label",
        "note",
        "priority",
        "due_at",
        "status",
        "anchor_state",
        "version",
        "assignees",
        "current_verdict",
        "claimant",
        "created_by",
        "created_at",
        "updated_at",
    ]
    create = schemas["AnnotationCreateRequest"]
    assert set(create["required"]) == {"article", "start", "end", "label"}
    assert create["properties"]["offset_unit"]["allOf"] == [
        {"$ref": "#/components/schemas/OffsetUnitEnum"}
    ]
    assert schemas["OffsetUnitEnum"]["enum"] == ["codepoint", "utf16"]
    assert set(schemas["PaginatedAnnotationList"]["properties"]) == {
        "count",
        "next",
        "previous",
        "results",
    }


def test_docs_page_runs_no_inline_script_and_loads_local_assets(editor):
    client = APIClient()
    client.force_login(editor)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts, "the page loads its scripts"
    assert all('src="' in attributes and not body.strip() for attributes, body in scripts)
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert all(src.startswith("/") for src in sources), sources
    assert any("drf_spectacular_sidecar/swagger-ui-dist" in src for src in sources)
    init = client.get("/api/v1/docs/", {"script": ""})
    assert init.status_code == 200
    assert "SwaggerUIBundle" in init.content.decode()


# --- schemathesis ---------------------------------------------------------------------------


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, sharing this test's database connection: Django
    closes connections around each request, which would end the test's transaction, so
    that is switched off for the run (as Django's own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def desk(settings):
    """A user in every newsroom role, and one real object of each kind for the run to hit."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    user = UserFactory(username="desk", roles=["editor", "reviewer", "chief"])
    reviewer = UserFactory(username="reviewer", roles=["reviewer"])
    article = make_article(user)
    claim = make_annotation(
        user, article, "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
    )
    source = make_annotation(user, article, "Source / Quelle: Via", label="source")
    services.annotation_assign(actor=user, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale="Der Haushaltsplan nennt eine andere Summe auf Seite 12.",
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    services.annotation_assign(actor=user, annotation_id=source.pk, reviewer=user)
    suggestion = Suggestion.objects.create(
        article=article,
        revision=1,
        start=0,
        end=6,
        exact="Berlin",
        label=Label.objects.get(slug="opinion"),
        cue="test",
        score=0.5,
    )
    ids = {
        "articles": [article.pk],
        "annotations": [claim.pk, source.pk],
        "verdicts": [verdict.pk],
        "evidence": list(Evidence.objects.values_list("pk", flat=True)),
        "sid": [suggestion.pk],
        "claimants": [
            services.claimant_create(
                actor=user, name="Olaf Scholz", kind="person", aliases=["Scholz"]
            ).pk
        ],
    }
    return {"user": user, "token": api_token(user), "ids": ids}


def _undo(savepoint: str) -> None:
    """Roll back to the savepoint and release it. A savepoint only rolled back stays open,
    so the next one would nest inside it: thousands of nested subtransactions, each holding
    a lock until the test ends, fill PostgreSQL's lock table ("out of shared memory")."""
    transaction.savepoint_rollback(savepoint)
    transaction.savepoint_commit(savepoint)


def _aim_at_real_objects(case, ids: dict) -> None:
    """Point about half of the generated ids at existing objects, so that the run gets past
    404 into the real code paths; the other half stays random."""
    kind = case.operation.path.split("/")[3]
    for name, value in list(case.path_parameters.items()):
        pool = ids["sid"] if name == "sid" else ids.get(kind)
        if pool and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = pool[value % len(pool)]


def test_schemathesis_finds_no_server_error_and_no_response_that_breaks_the_schema(desk, wsgi_app):
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/",
        wsgi_app,
        headers={"Authorization": f"Token {desk['token']}", "Accept": "application/json"},
    )
    headers = {"Authorization": f"Token {desk['token']}"}
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    sent: list[str] = []
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 36

    for operation in operations:
        for mode, examples in EXAMPLES_PER_OPERATION.items():

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(
                max_examples=examples,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                _aim_at_real_objects(case, desk["ids"])
                # Each request in a savepoint: the run's writes do not pile up, and a failed
                # statement (a bug) cannot abort the transaction for the requests after it.
                savepoint = transaction.savepoint()
                try:
                    response = case.call(headers=headers)
                finally:
                    _undo(savepoint)
                sent.append(f"{case.method} {case.formatted_path}")
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except (Exception, BaseExceptionGroup) as failure:  # report them all together
                    failures.append(
                        f"{case.method} {case.formatted_path} -> {response.status_code}: {failure}"
                    )

            try:
                run()
            except Unsatisfiable:
                # An operation that takes no input at all (no parameter, no body), such as
                # GET /api/v1/bundle-key/, has no invalid request to make.
                if mode is not GenerationMode.NEGATIVE:
                    raise

    assert failures == []
    assert len(sent) >= MIN_REQUESTS, f"only {len(sent)} requests were generated"


# --- schemathesis, stateful -----------------------------------------------------------------

# Scenarios (chains of calls along the schema's links, which schemathesis infers from the
# response bodies and path parameters) and calls per scenario.
STATEFUL_SCENARIOS = 150
STATEFUL_STEPS = 8
MIN_STATEFUL_CALLS = 600


def test_schemathesis_stateful_chains_find_no_server_error_and_no_broken_response(desk, wsgi_app):
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/",
        wsgi_app,
        headers={"Authorization": f"Token {desk['token']}", "Accept": "application/json"},
    )
    headers = {"Authorization": f"Token {desk['token']}"}
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    sent: list[str] = []
    failures: list[str] = []

    class Desk(schema.as_state_machine()):
        """Each scenario in a savepoint, rolled back at its end: scenarios do not see each
        other's writes, and a failed statement cannot poison the ones after it."""

        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            _undo(self.savepoint)

        def step(self, input):
            # A step that follows a link carries the ids the link took from an earlier
            # answer; only a scenario's first step is aimed at the desk's objects.
            if not input.is_applied:
                _aim_at_real_objects(input.case, desk["ids"])
            return super().step(input)

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            sent.append(f"{case.method} {case.formatted_path}")
            try:
                case.validate_response(response, checks=checks, headers=headers)
            except (Exception, BaseExceptionGroup) as failure:  # report them all together
                failures.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: {failure}"
                )

    assert schema.statistic.transitions.total >= 20, "the schema links its operations"
    Desk.run(
        settings=hypothesis_settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )

    assert failures == []
    assert len(sent) >= MIN_STATEFUL_CALLS, f"only {len(sent)} calls were made"


def test_a_date_before_1900_is_refused_because_no_timestamp_could_give_it_back(desk):
    # Found by schemathesis: 0755-05-01T20:00:05Z came back as 0755-05-01T20:53:33+00:53:28
    # (Berlin's local mean time before 1893), which is no RFC 3339 date-time.
    client = api(desk["user"])
    article = desk["ids"]["articles"][0]

    old = client.patch(
        f"/api/v1/articles/{article}/", {"published_at": "0755-05-01T20:00:05Z"}, format="json"
    )
    recent = client.patch(
        f"/api/v1/articles/{article}/", {"published_at": "1900-01-01T00:00:00Z"}, format="json"
    )

    assert old.status_code == 400
    assert old.json()["published_at"] == ["give a date from 1900 on"]
    assert recent.status_code == 200
    assert recent.json()["published_at"] == "1900-01-01T01:00:00+01:00"


def test_a_superscript_digit_as_reviewer_or_assignee_is_an_unknown_name_not_a_500(desk):
    # Found by schemathesis: "²" passes str.isdigit() but int() refuses it.
    client = api(desk["user"])
    claim = desk["ids"]["annotations"][0]

    listed = client.get("/api/v1/annotations/", {"assignee": "²"})
    assigned = client.post(f"/api/v1/annotations/{claim}/assign/", {"reviewer": "²"}, format="json")

    assert listed.status_code == 200
    assert listed.json()["count"] == 0
    assert assigned.status_code == 400
    assert assigned.json()["detail"] == "unknown reviewer '²'"
