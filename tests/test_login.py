"""The login form: it limits failed attempts per address and per username, and the admin
logs in through it."""

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


def test_after_three_failures_from_one_address_even_the_right_password_waits(editor, reviewer):
    for _ in range(3):
        assert attempt("198.51.100.7", "editor", "falsch").status_code == 200
    blocked = attempt("198.51.100.7", "reviewer", PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed logins. Wait 15 minutes, then try again." in blocked.content.decode()
    # Another address with another user is not affected.
    assert attempt("198.51.100.8", "reviewer", PASSWORD).status_code == 302


def test_failures_for_one_username_from_many_addresses_lock_that_username(editor, reviewer):
    for n in range(3):
        assert attempt(f"198.51.100.{n}", "editor", "falsch").status_code == 200
    assert attempt("198.51.100.99", "editor", PASSWORD).status_code == 429
    assert attempt("198.51.100.99", "reviewer", PASSWORD).status_code == 302


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
