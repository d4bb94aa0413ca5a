"""Who may call the API at all: tokens, sessions with CSRF, anonymous callers, outsiders,
unknown paths, and the error conventions every endpoint shares."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from annotations import services
from tests.factories import make_annotation

pytestmark = pytest.mark.django_db

NEWSROOM_ROLE = "You need a newsroom role (editor, reviewer or chief) to use the API."


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Runs before the persona fixtures: PBKDF2 takes most of a second per password here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(editor, reviewer, chief, article, claim):
    """One of everything, so that every route has a real id to refuse."""
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="true",
        rationale="Der Haushaltsplan nennt exakt diese Summe auf Seite 12.",
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    evidence = verdict.evidence.get()
    return {
        "article": article.pk,
        "annotation": claim.pk,
        "verdict": verdict.pk,
        "evidence": evidence.pk,
    }


def routes(ids):
    a, n, v, e = ids["article"], ids["annotation"], ids["verdict"], ids["evidence"]
    return [
        ("get", "/api/v1/articles/"),
        ("post", "/api/v1/articles/"),
        ("post", "/api/v1/articles/import/"),
        ("get", f"/api/v1/articles/{a}/"),
        ("patch", f"/api/v1/articles/{a}/"),
        ("delete", f"/api/v1/articles/{a}/"),
        ("post", f"/api/v1/articles/{a}/publish/"),
        ("get", f"/api/v1/articles/{a}/export/?format=json"),
        ("get", f"/api/v1/articles/{a}/suggestions/"),
        ("post", f"/api/v1/articles/{a}/suggestions/1/accept/"),
        ("post", f"/api/v1/articles/{a}/suggestions/1/dismiss/"),
        ("get", "/api/v1/annotations/"),
        ("post", "/api/v1/annotations/"),
        ("get", f"/api/v1/annotations/{n}/"),
        ("patch", f"/api/v1/annotations/{n}/"),
        ("delete", f"/api/v1/annotations/{n}/"),
        ("post", f"/api/v1/annotations/{n}/assign/"),
        ("post", f"/api/v1/annotations/{n}/decline/"),
        ("get", f"/api/v1/annotations/{n}/verdicts/"),
        ("post", f"/api/v1/annotations/{n}/verdicts/"),
        ("get", f"/api/v1/annotations/{n}/evidence/"),
        ("post", f"/api/v1/annotations/{n}/evidence/"),
        ("get", f"/api/v1/annotations/{n}/comments/"),
        ("post", f"/api/v1/annotations/{n}/comments/"),
        ("get", f"/api/v1/annotations/{n}/source-checks/"),
        ("post", f"/api/v1/annotations/{n}/source-checks/"),
        ("get", f"/api/v1/annotations/{n}/history/"),
        ("post", f"/api/v1/verdicts/{v}/approve/"),
        ("post", f"/api/v1/verdicts/{v}/reject/"),
        ("delete", f"/api/v1/evidence/{e}/"),
        ("get", "/api/v1/queue/"),
        ("get", "/api/v1/labels/"),
        ("get", "/api/v1/ratings/"),
        ("get", "/api/v1/users/?role=reviewer"),
        ("get", "/api/v1/export/annotations/?format=jsonl"),
        ("get", "/api/v1/schema/"),
        ("get", "/api/v1/docs/"),
    ]


# --- tokens ---------------------------------------------------------------------------------


def test_token_is_issued_for_a_newsroom_user_and_authenticates_requests(editor):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "editor", "password": "pw-for-tests-1"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=editor).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/labels/").status_code == 200


def test_token_with_wrong_password_is_refused_with_400(editor):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "editor", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Unable to log in with the provided credentials."}


def test_token_is_refused_to_a_user_without_newsroom_role(outsider):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "outsider", "password": "pw-for-tests-1"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": NEWSROOM_ROLE}
    assert not Token.objects.filter(user=outsider).exists()


def test_token_request_with_unknown_field_is_refused(editor):
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "editor", "password": "pw-for-tests-1", "remember": True},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"remember": ["Unknown field; this endpoint does not accept it."]}


def test_token_requests_are_throttled_with_429(editor):
    allowed, _period = ScopedRateThrottle().parse_rate(ScopedRateThrottle.THROTTLE_RATES["token"])
    client = APIClient()
    body = {"username": "editor", "password": "wrong"}
    codes = [
        client.post("/api/v1/auth/token/", body, format="json").status_code for _ in range(allowed)
    ]
    assert set(codes) == {400}
    response = client.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Request was throttled.")


def test_invalid_token_answers_401_as_json():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/articles/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


# --- every endpoint refuses strangers -------------------------------------------------------


def test_every_endpoint_answers_401_to_anonymous_callers_with_www_authenticate(world):
    client = api()
    for method, path in routes(world):
        response = getattr(client, method)(path, {}, format="json")
        assert response.status_code == 401, (method, path)
        assert response["WWW-Authenticate"] == "Token", (method, path)
        assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_every_endpoint_answers_403_to_a_user_without_newsroom_role(world, outsider):
    client = api(outsider)
    for method, path in routes(world):
        response = getattr(client, method)(path, {}, format="json")
        assert response.status_code == 403, (method, path)
        assert response.json() == {"detail": NEWSROOM_ROLE}, (method, path)


def test_a_user_whose_roles_were_removed_is_refused_at_once(editor, world):
    client = api(editor)
    assert client.get("/api/v1/articles/").status_code == 200
    editor.groups.clear()
    response = client.get("/api/v1/articles/")
    assert response.status_code == 403


# --- sessions -------------------------------------------------------------------------------


def test_session_reads_work_for_a_logged_in_editor(editor):
    client = APIClient()
    client.force_login(editor)
    assert client.get("/api/v1/labels/").status_code == 200


def test_session_writes_need_the_csrf_token(editor, article):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    body = {"article": article.pk, "start": 0, "end": 6, "label": "claim"}
    refused = client.post("/api/v1/annotations/", body, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF Failed")
    page = client.get("/login/")
    token = page.cookies["csrftoken"].value
    accepted = client.post("/api/v1/annotations/", body, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201


def test_token_writes_need_no_csrf_token(editor, article):
    client = api(editor)
    client.enforce_csrf_checks = True
    response = client.post(
        "/api/v1/annotations/",
        {"article": article.pk, "start": 0, "end": 6, "label": "claim"},
        format="json",
    )
    assert response.status_code == 201


# --- shared error conventions ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing-here/",
        "/api/v1/articles/abc/",
        "/api/v1/annotations/1/unknown/",
        "/api/v1/articles",
    ],
)
def test_unknown_api_paths_answer_404_as_json(editor, path):
    response = api(editor).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_unknown_ids_answer_404_as_json(editor):
    client = api(editor)
    for path in (
        "/api/v1/articles/999999/",
        "/api/v1/annotations/999999/",
        "/api/v1/annotations/999999/history/",
        "/api/v1/annotations/999999/comments/",
        "/api/v1/annotations/999999/evidence/",
        "/api/v1/annotations/999999/source-checks/",
        "/api/v1/annotations/999999/verdicts/",
        "/api/v1/articles/999999/suggestions/",
        "/api/v1/articles/999999/export/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}


def test_ids_beyond_the_database_range_answer_404(editor):
    response = api(editor).get("/api/v1/annotations/99999999999999999999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_malformed_json_answers_400(editor):
    response = api(editor).generic(
        "POST", "/api/v1/annotations/", '{"article": 1,', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_wrong_content_type_answers_415(editor):
    response = api(editor).generic(
        "POST", "/api/v1/annotations/", "article=1", content_type="text/plain"
    )
    assert response.status_code == 415
    assert response.json() == {"detail": 'Unsupported media type "text/plain" in request.'}


def test_form_encoded_body_on_a_json_endpoint_answers_415(editor):
    response = api(editor).generic(
        "POST",
        "/api/v1/annotations/",
        "article=1",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json() == {
        "detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'
    }


def test_json_that_is_not_an_object_answers_400(editor):
    response = api(editor).post("/api/v1/annotations/", [1, 2], format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }


def test_request_body_over_the_limit_answers_413_before_parsing(editor, settings):
    settings.FACTCHECK_MAX_REQUEST_BYTES = 1000
    body = '{"note": "' + "x" * 2000 + '"}'
    response = api(editor).generic(
        "POST", "/api/v1/annotations/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"the request body is {len(body):,} bytes; the limit is 1,000 bytes"
    }


def test_null_characters_in_text_answer_400_not_a_database_error(editor, article, claim):
    response = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/", {"note": "a\x00b"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"note": ["Null characters are not allowed."]}


def test_null_characters_in_a_filter_answer_400(editor):
    response = api(editor).get("/api/v1/articles/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == {"q": ["Null characters are not allowed."]}


def test_reviewer_sees_a_role_error_before_any_validation(reviewer):
    response = api(reviewer).post("/api/v1/annotations/", {"bogus": 1}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "only editors and chiefs can annotate"}


def test_every_newsroom_role_reads_every_annotation(editor, reviewer, other_reviewer, chief):
    article = services.article_create(
        actor=editor, title="T", body="Eins zwei drei.", language="de"
    )
    annotation = make_annotation(editor, article, "zwei")
    for user in (editor, reviewer, other_reviewer, chief):
        assert api(user).get(f"/api/v1/annotations/{annotation.pk}/").status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_token_throttle(editor):
    """Without trusted proxies (NUM_PROXIES=0) the throttle counts the connection's
    address, whatever X-Forwarded-For a client sends."""
    allowed, _period = ScopedRateThrottle().parse_rate(ScopedRateThrottle.THROTTLE_RATES["token"])
    client = APIClient()
    body = {"username": "editor", "password": "wrong"}
    codes = [
        client.post(
            "/api/v1/auth/token/", body, format="json", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(allowed + 1)
    ]
    assert codes[:allowed] == [400] * allowed
    assert codes[allowed] == 429
