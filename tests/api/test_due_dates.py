"""`due_at` stays an RFC 3339 date-time in every answer; a client may also send a plain day
(`YYYY-MM-DD`, what a date input gives), which means the end of that day at the desk
(DESK_TIME_ZONE, Europe/Berlin), whatever the client's own zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from annotations.models import Annotation, Assignment
from tests.factories import api_token

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def test_assigning_with_a_plain_day_stores_the_end_of_that_day_in_berlin(editor, reviewer, claim):
    response = api(editor).post(
        f"/api/v1/annotations/{claim.pk}/assign/",
        {"reviewer": "reviewer", "due_at": "2031-05-17"},
        format="json",
    )
    assert response.status_code == 200
    due_at = Assignment.objects.get(annotation=claim).due_at
    assert due_at == datetime(2031, 5, 17, 23, 59, 59, tzinfo=BERLIN)
    [item] = api(reviewer).get("/api/v1/queue/").json()["results"]
    assert item["due_at"] == "2031-05-17T23:59:59+02:00"
    # The annotation's own due date is not the assignment's.
    assert response.json()["due_at"] is None


def test_a_plain_day_in_winter_is_the_end_of_that_day_in_berlin_winter_time(editor, claim):
    response = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/", {"due_at": "2031-12-01"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["due_at"] == "2031-12-01T23:59:59+01:00"


def test_an_rfc_3339_due_date_is_kept_to_the_second(editor, claim):
    response = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/", {"due_at": "2031-12-01T09:30:00-08:00"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["due_at"] == "2031-12-01T18:30:00+01:00"


def test_a_day_that_does_not_exist_is_refused_with_400(editor, claim):
    response = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/", {"due_at": "2031-02-30"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["due_at"]
    assert Annotation.objects.get(pk=claim.pk).due_at is None


def test_a_reviewer_cannot_set_a_due_date(reviewer, claim):
    response = api(reviewer).patch(
        f"/api/v1/annotations/{claim.pk}/", {"due_at": "2031-05-17"}, format="json"
    )
    assert response.status_code == 403
    assert Annotation.objects.get(pk=claim.pk).due_at is None
