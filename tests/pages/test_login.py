"""The login form: it locks a username from one address after failed attempts (and no one
else), and the admin logs in through it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # the factories' password


@pytest.fixture(autouse=True)
def _few_attempts(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    cache.clear()


def attempt(address: str, username: str, password: str):
    return Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password})


def test_the_right_password_logs_in(editor):
    response = attempt("198.51.100.7", "editor", PASSWORD)
    assert response.status_code == 302


def test_the_third_failure_locks_that_username_from_that_address_even_for_the_right_password(
    editor,
):
    assert attempt("198.51.100.7", "editor", "falsch").status_code == 200
    assert attempt("198.51.100.7", "editor", "falsch").status_code == 200
    third = attempt("198.51.100.7", "editor", "falsch")
    assert third.status_code == 429
    assert "Too many failed logins. Wait 15 minutes, then try again." in third.content.decode()
    blocked = attempt("198.51.100.7", "editor", PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed logins. Wait 15 minutes, then try again." in blocked.content.decode()
    assert "_auth_user_id" not in blocked.wsgi_request.session


def test_failed_logins_from_one_address_do_not_lock_out_the_user_elsewhere(editor):
    for _ in range(3):
        attempt("198.51.100.7", "editor", "falsch")
    assert attempt("198.51.100.7", "editor", PASSWORD).status_code == 429
    assert attempt("203.0.113.9", "editor", PASSWORD).status_code == 302


def test_failed_logins_of_one_user_do_not_lock_out_a_colleague_behind_the_same_address(
    editor, reviewer
):
    for _ in range(3):
        attempt("198.51.100.7", "editor", "falsch")
    assert attempt("198.51.100.7", "editor", PASSWORD).status_code == 429
    assert attempt("198.51.100.7", "reviewer", PASSWORD).status_code == 302


def test_a_successful_login_clears_the_failures_of_that_username_and_address(editor):
    for _ in range(2):
        attempt("198.51.100.7", "editor", "falsch")
    assert attempt("198.51.100.7", "editor", PASSWORD).status_code == 302
    assert attempt("198.51.100.7", "editor", "falsch").status_code == 200
    assert attempt("198.51.100.7", "editor", "falsch").status_code == 200
    assert attempt("198.51.100.7", "editor", PASSWORD).status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_lockout(editor):
    """Without trusted proxies (NUM_PROXIES=0) the connection's address counts, whatever
    X-Forwarded-For the client sends."""
    codes = [
        Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        .post("/login/", {"username": "editor", "password": "falsch"})
        .status_code
        for n in range(4)
    ]
    assert codes == [200, 200, 429, 429]


def test_with_one_trusted_proxy_the_address_it_saw_counts(editor, settings):
    settings.NUM_PROXIES = 1
    for _ in range(3):
        Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7").post(
            "/login/", {"username": "editor", "password": "falsch"}
        )
    locked = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert locked.post("/login/", {"username": "editor", "password": PASSWORD}).status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert (
        elsewhere.post("/login/", {"username": "editor", "password": PASSWORD}).status_code == 302
    )


def test_the_message_is_german_for_a_german_browser(editor):
    for _ in range(3):
        attempt("198.51.100.7", "editor", "falsch")
    response = Client(REMOTE_ADDR="198.51.100.7", HTTP_ACCEPT_LANGUAGE="de").post(
        "/login/", {"username": "editor", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in response.content.decode()


def test_the_admin_logs_in_through_the_same_form(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"
