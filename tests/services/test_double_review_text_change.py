"""A text change under a blind double review: its proposals are set aside as any proposed
verdict is (services.verdicts._verdicts_set_aside), the history says so, the reviewers
propose again, and a sealed proposal stays sealed: no email, page or webhook shows it."""

import json

import pytest
from django.core import mail

from annotations import notifications, selectors, services
from annotations.models import Annotation, Assignment, Event, Verdict, WebhookDelivery
from tests.factories import GERMAN_TEXT

pytestmark = pytest.mark.django_db

OLD_QUOTE = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
NEW_QUOTE = "4,3 Milliarden Euro für den Ausbau der Schiene freigegeben"
SEALED_RATIONALE = "Versiegelt: der Haushaltsplan nennt 3,1 Milliarden auf Seite 12."
OTHER_RATIONALE = "Die Pressemitteilung des Ministeriums bestätigt die Summe genau."
EVIDENCE = [services.EvidenceInput(url="https://example.org/haushalt", title="Haushaltsplan")]


def propose(reviewer, claim, rating, rationale=OTHER_RATIONALE):
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating=rating,
        rationale=rationale,
        evidence=EVIDENCE,
    )


def change_the_claimed_sum(editor, article):
    return services.article_update(
        actor=editor,
        article_id=article.pk,
        fields={},
        body=GERMAN_TEXT.replace("4,2 Milliarden", "4,3 Milliarden"),
    )


def pending_reviewers(claim):
    return sorted(
        Assignment.objects.filter(annotation=claim, state=Assignment.State.PENDING).values_list(
            "reviewer__username", flat=True
        )
    )


@pytest.fixture
def double(chief, reviewer, other_reviewer, claim):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    claim.refresh_from_db()
    return claim


@pytest.fixture
def sealed(reviewer, double):
    return propose(reviewer, double, "mostly-false", SEALED_RATIONALE)


def test_a_text_change_sets_aside_a_sealed_proposal(editor, article, double, sealed):
    _, counts = change_the_claimed_sum(editor, article)
    sealed.refresh_from_db()
    double.refresh_from_db()
    assert counts["fuzzy"] == 1
    assert double.exact == NEW_QUOTE
    assert sealed.status == Verdict.Status.SET_ASIDE
    assert sealed.set_aside_at is not None
    assert sealed.is_sealed  # set aside unseen: its rating stays its author's
    assert double.status == Annotation.Status.ASSIGNED
    assert pending_reviewers(double) == ["reviewer", "reviewer2"]


def test_the_history_records_the_set_aside_without_the_sealed_rating(
    editor, article, double, sealed
):
    change_the_claimed_sum(editor, article)
    event = Event.objects.get(annotation=double, verb=Event.Verb.VERDICT_SET_ASIDE)
    assert event.data == {
        "verdict": sealed.pk,
        "was": "proposed",
        "old": OLD_QUOTE,
        "new": NEW_QUOTE,
        "revision": 2,
    }
    assert event.actor == editor


def test_the_reviewer_proposes_again_and_the_reveal_shows_only_the_new_pair(
    editor, article, reviewer, other_reviewer, double, sealed
):
    change_the_claimed_sum(editor, article)
    again = propose(reviewer, double, "false")
    assert again.is_sealed and again.supersedes_id == sealed.pk
    assert again.quote == NEW_QUOTE
    other = propose(other_reviewer, double, "half-true")
    double.refresh_from_db()
    assert double.status == Annotation.Status.PROPOSED
    revealed = Event.objects.get(annotation=double, verb=Event.Verb.DOUBLE_REVIEW_REVEALED)
    assert [item["verdict"] for item in revealed.data["verdicts"]] == [again.pk, other.pk]
    assert [v.pk for v in selectors.proposed_verdicts()] == [again.pk, other.pk]
    # The set-aside proposal judged the old text: it stays sealed, seen by nobody else.
    sealed.refresh_from_db()
    assert sealed.is_sealed and sealed.status == Verdict.Status.SET_ASIDE
    assert sealed.pk not in [v.pk for v in selectors.annotation_verdicts(double.pk)]


def test_the_other_reviewer_may_propose_while_the_first_is_set_aside(
    editor, article, other_reviewer, double, sealed
):
    change_the_claimed_sum(editor, article)
    other = propose(other_reviewer, double, "true")
    double.refresh_from_db()
    assert other.is_sealed
    assert double.status == Annotation.Status.ASSIGNED  # not revealed: one proposal is in


def test_a_text_change_after_the_reveal_sets_aside_both_and_both_propose_again(
    editor, article, reviewer, other_reviewer, double, sealed
):
    other = propose(other_reviewer, double, "true")
    change_the_claimed_sum(editor, article)
    double.refresh_from_db()
    assert set(
        Verdict.objects.filter(pk__in=[sealed.pk, other.pk]).values_list("status", flat=True)
    ) == {Verdict.Status.SET_ASIDE}
    assert double.status == Annotation.Status.ASSIGNED
    assert pending_reviewers(double) == ["reviewer", "reviewer2"]
    assert Event.objects.filter(annotation=double, verb=Event.Verb.VERDICT_SET_ASIDE).count() == 2
    first_again = propose(reviewer, double, "false")
    second_again = propose(other_reviewer, double, "false")
    double.refresh_from_db()
    assert double.status == Annotation.Status.PROPOSED
    assert set(
        Verdict.objects.filter(
            annotation=double, status=Verdict.Status.PROPOSED, is_sealed=False
        ).values_list("pk", flat=True)
    ) == {first_again.pk, second_again.pk}


def test_a_text_change_elsewhere_keeps_the_sealed_proposal(editor, article, double, sealed):
    services.article_update(
        actor=editor,
        article_id=article.pk,
        fields={},
        body=GERMAN_TEXT.replace("Kritiker meinen", "Kritiker sagen"),
    )
    sealed.refresh_from_db()
    assert sealed.status == Verdict.Status.PROPOSED and sealed.is_sealed
    assert not Event.objects.filter(annotation=double, verb=Event.Verb.VERDICT_SET_ASIDE).exists()


def test_the_email_about_a_sealed_proposal_set_aside_goes_to_its_author_alone(
    settings, editor, article, reviewer, chief, double, sealed
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    change_the_claimed_sum(editor, article)
    mail.outbox.clear()
    sent = notifications.send("set_aside", sealed.pk)
    assert sent == 1
    assert [message.to for message in mail.outbox] == [[reviewer.email]]


def test_the_email_about_a_revealed_verdict_set_aside_goes_to_the_chiefs_too(
    settings, editor, article, reviewer, other_reviewer, chief, double, sealed
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    propose(other_reviewer, double, "true")
    change_the_claimed_sum(editor, article)
    mail.outbox.clear()
    notifications.send("set_aside", sealed.pk)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([chief.email, reviewer.email])


def test_a_sealed_proposal_set_aside_sends_no_webhook(
    settings, editor, article, chief, double, sealed
):
    settings.FETCH_ALLOW_HOSTS = ["127.0.0.1:9"]
    subscription = services.webhook_create(
        actor=chief, url="http://127.0.0.1:9/hooks", event_types=["verdict.reopened"]
    )
    change_the_claimed_sum(editor, article)
    assert Event.objects.filter(annotation=double, verb=Event.Verb.VERDICT_SET_ASIDE).exists()
    assert not WebhookDelivery.objects.filter(subscription=subscription).exists()


def test_revealed_proposals_set_aside_are_reopened_for_a_webhook(
    settings, editor, article, chief, other_reviewer, double, sealed
):
    settings.FETCH_ALLOW_HOSTS = ["127.0.0.1:9"]
    other = propose(other_reviewer, double, "true")
    subscription = services.webhook_create(
        actor=chief, url="http://127.0.0.1:9/hooks", event_types=["verdict.reopened"]
    )
    change_the_claimed_sum(editor, article)
    sent = [
        json.loads(payload)["data"]
        for payload in WebhookDelivery.objects.filter(subscription=subscription)
        .order_by("id")
        .values_list("payload", flat=True)
    ]
    assert [(v["id"], v["status"]) for v in sent] == [
        (sealed.pk, "set_aside"),
        (other.pk, "set_aside"),
    ]
