"""An editor or chief moves the due date of a pending assignment from the review page's
Reviewers card: a day at the desk (Europe/Berlin), recorded in the history; a past day or a
malformed one is refused on the form in the reader's language, and nothing changes. Only
those who may assign may do it, with the CSRF token."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotations import services
from annotations.l10n import desk_day
from annotations.models import Assignment, Event

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
FIRST_DUE = datetime(2031, 5, 17, 23, 59, 59, tzinfo=BERLIN)


@pytest.fixture
def assignment(editor, reviewer, claim) -> Assignment:
    services.annotation_assign(
        actor=editor, annotation_id=claim.pk, reviewer=reviewer, due_at=FIRST_DUE
    )
    return Assignment.objects.get(annotation=claim, reviewer=reviewer)


def client_of(user, **extra) -> Client:
    client = Client(**extra)
    client.force_login(user)
    return client


def review(claim) -> str:
    return reverse("annotations:annotation-review", args=[claim.pk])


def change_due(client, claim, day: str, reviewer: str = "reviewer", **headers):
    return client.post(
        reverse("annotations:review-due-date", args=[claim.pk]),
        {"reviewer": reviewer, "due_day": day},
        **headers,
    )


def test_an_editor_moves_a_pending_assignment_s_due_date(editor, claim, assignment):
    client = client_of(editor)
    version = claim.version

    response = change_due(client, claim, "2031-06-02")

    assert response.status_code == 302
    assert response["Location"] == review(claim) + "#assignments-heading"
    assignment.refresh_from_db()
    assert assignment.due_at == datetime(2031, 6, 2, 23, 59, 59, tzinfo=BERLIN)
    claim.refresh_from_db()
    assert claim.version > version
    event = Event.objects.filter(annotation=claim, verb="annotation.updated").get()
    assert (event.actor, event.data) == (
        editor,
        {
            "assignment_due": {
                "reviewer": "reviewer",
                "from": "2031-05-17T23:59:59+02:00",
                "to": "2031-06-02T23:59:59+02:00",
            }
        },
    )
    page = client.get(response["Location"]).content.decode()
    assert "reviewer’s assignment is now due June 2, 2031." in page
    assert "moved the due date of reviewer’s assignment to June 2, 2031" in page
    assert 'value="2031-06-02"' in page


def test_a_chief_moves_a_due_date_and_the_history_reads_in_german(chief, claim, assignment):
    response = change_due(client_of(chief), claim, "2031-06-02")
    assert response.status_code == 302

    page = client_of(chief).get(review(claim), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "hat die Frist der Zuweisung an reviewer auf 2. Juni 2031 verschoben" in page


def test_an_empty_day_removes_the_due_date(editor, claim, assignment):
    response = change_due(client_of(editor), claim, "")

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.due_at is None
    event = Event.objects.get(annotation=claim, verb="annotation.updated")
    assert event.data["assignment_due"]["to"] is None


def test_a_past_day_is_refused_on_the_form_and_nothing_changes(editor, claim, assignment):
    yesterday = desk_day(timezone.now()) - timedelta(days=1)

    response = change_due(client_of(editor), claim, yesterday.isoformat())

    assert response.status_code == 400
    html = response.content.decode()
    assert "is in the past; choose today or a later day" in html
    assert 'id="due-day-reviewer-error" role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert f'value="{yesterday.isoformat()}"' in html  # as typed, to correct
    assignment.refresh_from_db()
    assert assignment.due_at == FIRST_DUE
    assert not Event.objects.filter(annotation=claim, verb="annotation.updated").exists()


def test_today_is_not_in_the_past(editor, claim, assignment):
    today = desk_day(timezone.now())

    response = change_due(client_of(editor), claim, today.isoformat())

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert desk_day(assignment.due_at) == today


def test_a_past_day_is_refused_in_german_for_a_german_reader(editor, claim, assignment):
    response = change_due(client_of(editor), claim, "2020-01-15", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 400
    assert (
        "Die Frist 15. Januar 2020 liegt in der Vergangenheit; wählen Sie heute oder einen "
        "späteren Tag" in response.content.decode()
    )


def test_a_malformed_day_is_refused_in_the_reader_s_language(editor, claim, assignment):
    english = change_due(client_of(editor), claim, "17.06.2031")
    german = change_due(client_of(editor), claim, "17.06.2031", HTTP_ACCEPT_LANGUAGE="de")

    assert english.status_code == german.status_code == 400
    assert "Enter the due date as a day, such as 2031-05-17." in english.content.decode()
    assert "Geben Sie die Frist als Tag an, etwa 2031-05-17." in german.content.decode()
    assignment.refresh_from_db()
    assert assignment.due_at == FIRST_DUE


def test_the_assigned_reviewer_may_not_move_their_own_due_date(reviewer, claim, assignment):
    response = change_due(client_of(reviewer), claim, "2031-12-24")

    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.due_at == FIRST_DUE


def test_an_outsider_is_refused(outsider, claim, assignment):
    response = change_due(client_of(outsider), claim, "2031-12-24")

    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.due_at == FIRST_DUE


def test_a_post_without_the_csrf_token_is_refused(editor, claim, assignment):
    response = change_due(client_of(editor, enforce_csrf_checks=True), claim, "2031-12-24")

    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.due_at == FIRST_DUE


def test_a_declined_assignment_s_due_date_cannot_move(editor, reviewer, claim, assignment):
    services.assignment_decline(actor=reviewer, annotation_id=claim.pk, reason="Urlaub")

    response = change_due(client_of(editor), claim, "2031-12-24")

    assert response.status_code == 409
    assert "reviewer has no pending assignment of this annotation" in response.content.decode()


def test_an_unknown_reviewer_is_named_on_top_of_the_page(editor, claim, assignment):
    response = change_due(client_of(editor), claim, "2031-12-24", reviewer="nobody")

    assert response.status_code == 400
    assert "unknown reviewer &#x27;nobody&#x27;" in response.content.decode()


def test_the_form_shows_for_editors_on_pending_assignments_only(
    editor, reviewer, claim, assignment
):
    editor_page = client_of(editor).get(review(claim)).content.decode()
    reviewer_page = client_of(reviewer).get(review(claim)).content.decode()

    assert editor_page.count('class="due-form"') == 1
    assert 'value="2031-05-17"' in editor_page
    assert 'class="due-form"' not in reviewer_page
    services.assignment_decline(actor=reviewer, annotation_id=claim.pk, reason="Urlaub")
    assert 'class="due-form"' not in client_of(editor).get(review(claim)).content.decode()


def test_an_archived_article_s_due_dates_stay_as_they_were(editor, claim, assignment):
    services.article_archive(actor=editor, article_id=claim.article_id)

    response = change_due(client_of(editor), claim, "2031-12-24")

    assert response.status_code == 409
    assignment.refresh_from_db()
    assert assignment.due_at == FIRST_DUE
    page = client_of(editor).get(review(claim)).content.decode()
    assert 'class="due-form"' not in page
