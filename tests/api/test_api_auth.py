"""Who may call the API at all: tokens, sessions with CSRF, anonymous callers, outsiders,
unknown paths, and the error conventions every endpoint shares."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from annotations import services
from tests.factories import api_token, make_annotation

pytestmark = pytest.mark.django_db

NEWSROOM_ROLE = "You need a newsroom role (editor, reviewer or chief) to use the API."


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


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
    assert AuthToken.objects.filter(user=editor).count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/labels/").status_code == 200


def token_for(username: str) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": "pw-for-tests-1"}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def test_token_expires_after_the_configured_hours(editor, settings):
    before = timezone.now()
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "editor", "password": "pw-for-tests-1"}, format="json"
    )
    expiry = AuthToken.objects.get(user=editor).expiry
    assert before + timedelta(hours=720) <= expiry <= timezone.now() + timedelta(hours=720)
    assert (
        response.json()["expiry"] == expiry.astimezone(timezone.get_current_timezone()).isoformat()
    )


def test_the_database_never_holds_the_token_itself(editor):
    token = token_for("editor")
    row = AuthToken.objects.get(user=editor)
    assert token not in (row.digest, row.token_key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert token not in stored
    assert row.token_key == token[:15]  # a prefix to find the row, not the secret


def test_a_token_past_its_expiry_answers_401(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for('editor')}")
    assert client.get("/api/v1/labels/").status_code == 200
    AuthToken.objects.filter(user=editor).update(expiry=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/labels/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_delete_revokes_the_calling_token_and_only_it(editor):
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Token {token_for('editor')}")
    second.credentials(HTTP_AUTHORIZATION=f"Token {token_for('editor')}")
    response = first.delete("/api/v1/auth/token/")
    assert response.status_code == 204
    assert response.content == b""
    refused = first.get("/api/v1/labels/")
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid token."}
    assert second.get("/api/v1/labels/").status_code == 200


def test_delete_with_all_revokes_every_token_of_the_user_and_no_one_elses(editor, reviewer):
    first, second, colleague = APIClient(), APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Token {token_for('editor')}")
    second.credentials(HTTP_AUTHORIZATION=f"Token {token_for('editor')}")
    colleague.credentials(HTTP_AUTHORIZATION=f"Token {token_for('reviewer')}")
    assert first.delete("/api/v1/auth/token/?all=true").status_code == 204
    assert first.get("/api/v1/labels/").status_code == 401
    assert second.get("/api/v1/labels/").status_code == 401
    assert colleague.get("/api/v1/labels/").status_code == 200


def test_delete_with_a_bad_all_value_answers_400_and_revokes_nothing(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for('editor')}")
    response = client.delete("/api/v1/auth/token/?all=maybe")
    assert response.status_code == 400
    assert response.json() == {
        "all": ["Send all=true or all=false."],
        "detail": "Send all=true or all=false.",
    }
    assert client.get("/api/v1/labels/").status_code == 200


def test_delete_without_a_token_answers_401(editor):
    response = APIClient().delete("/api/v1/auth/token/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_delete_with_only_a_session_answers_401_and_revokes_nothing(editor):
    token = token_for("editor")
    client = APIClient()
    client.force_login(editor)
    assert client.delete("/api/v1/auth/token/").status_code == 401
    assert AuthToken.objects.filter(user=editor).count() == 1
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/labels/").status_code == 200


def test_changing_the_password_revokes_every_token_of_that_user(editor, reviewer):
    client, colleague = APIClient(), APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for('editor')}")
    colleague.credentials(HTTP_AUTHORIZATION=f"Token {token_for('reviewer')}")
    editor.set_password("a-new-password-2")
    editor.save()
    response = client.get("/api/v1/labels/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert not AuthToken.objects.filter(user=editor).exists()
    assert colleague.get("/api/v1/labels/").status_code == 200


def test_the_admins_password_change_form_revokes_the_tokens(editor):
    editor.is_staff = True
    editor.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for('editor')}")
    browser = APIClient()
    browser.force_login(editor)
    response = browser.post(
        "/admin/password_change/",
        {
            "old_password": "pw-for-tests-1",
            "new_password1": "a-new-password-2",
            "new_password2": "a-new-password-2",
        },
        format="multipart",
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/password_change/done/"
    assert client.get("/api/v1/labels/").status_code == 401


def test_a_login_that_upgrades_the_password_hash_keeps_the_tokens(editor, settings):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for('editor')}")
    # A new preferred hasher: the next login re-hashes the same password (not a change).
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert (
        Client().post("/login/", {"username": "editor", "password": "pw-for-tests-1"}).status_code
        == 302
    )
    editor.refresh_from_db()
    assert editor.password.startswith("scrypt$")
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
    assert not AuthToken.objects.filter(user=outsider).exists()


LOCKED = "Too many failed logins. Wait 15 minutes, then try again."


def token_attempt(username: str, password: str, address: str = "198.51.100.7"):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_the_token_endpoint_locks_a_username_from_one_address_at_the_failure_limit(
    editor, settings
):
    settings.LOGIN_FAILURE_LIMIT = 3
    assert [token_attempt("editor", "wrong").status_code for _ in range(2)] == [400, 400]
    third = token_attempt("editor", "wrong")
    assert third.status_code == 429
    assert third.json() == {"detail": LOCKED}
    right = token_attempt("editor", "pw-for-tests-1")
    assert right.status_code == 429
    assert right.json() == {"detail": LOCKED}
    assert not AuthToken.objects.filter(user=editor).exists()


def test_the_token_lockout_spares_the_user_elsewhere_and_colleagues_at_that_address(
    editor, reviewer, settings
):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        token_attempt("editor", "wrong")
    assert token_attempt("editor", "pw-for-tests-1").status_code == 429
    assert token_attempt("editor", "pw-for-tests-1", address="203.0.113.9").status_code == 200
    assert token_attempt("reviewer", "pw-for-tests-1").status_code == 200


def test_the_token_lockout_message_is_german_for_a_german_client(editor, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "editor", "password": "wrong"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 429
    assert response.json() == {
        "detail": "Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie 15 Minuten "
        "und versuchen Sie es dann erneut."
    }


def test_token_request_with_unknown_field_is_refused(editor):
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "editor", "password": "pw-for-tests-1", "remember": True},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"remember": ["Unknown field; this endpoint does not accept it."]}


def test_token_requests_from_one_address_are_throttled_with_429_whatever_the_username(editor):
    """The per-address rate; the lockout of one username (below its limit here) is apart."""
    allowed, _period = ScopedRateThrottle().parse_rate(ScopedRateThrottle.THROTTLE_RATES["token"])
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/token/", {"username": f"guess{n}", "password": "wrong"}, format="json"
        ).status_code
        for n in range(allowed)
    ]
    assert set(codes) == {400}
    response = client.post(
        "/api/v1/auth/token/", {"username": "editor", "password": "pw-for-tests-1"}, format="json"
    )
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
    message = (
        "the field 'note' contains a NUL character (U+0000), which cannot be stored; "
        "remove it and try again"
    )
    assert response.status_code == 400
    assert response.json() == {"note": [message], "detail": message}


def test_null_characters_in_a_filter_answer_400(editor):
    response = api(editor).get("/api/v1/articles/", {"q": "a\x00b"})
    message = (
        "the query parameter 'q' contains a NUL character (U+0000), which cannot be stored; "
        "remove it and try again"
    )
    assert response.status_code == 400
    assert response.json() == {"q": [message], "detail": message}


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
    codes = [
        client.post(
            "/api/v1/auth/token/",
            {"username": f"guess{n}", "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(allowed + 1)
    ]
    assert codes[:allowed] == [400] * allowed
    assert codes[allowed] == 429
