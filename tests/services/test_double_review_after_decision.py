"""A text change after a blind double review was decided: the decision (the chosen verdict,
or the chief's final verdict) is set aside and a new blind round starts with the same two
reviewers (services.double_review.double_review_reopen). Both have it in their queue again,
both are told, their new proposals stay sealed until both are in, a chief decides again,
and the history keeps the old round. A reviewer who can no longer review leaves room for
another, whom a chief assigns. The published verdict stays until a new one is approved."""

import json

import pytest
from django.core import mail

from annotations import history, notifications, selectors, services
from annotations.models import Annotation, Assignment, Event, Verdict, WebhookDelivery
from annotations.services.preferences import user_language_set
from tests.factories import GERMAN_TEXT, UserFactory

pytestmark = pytest.mark.django_db

OLD_QUOTE = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
NEW_QUOTE = "4,3 Milliarden Euro für den Ausbau der Schiene freigegeben"
RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
SEALED_RATIONALE = "Neue Runde, versiegelt: der Nachtragshaushalt nennt 4,3 Milliarden."
FINAL_RATIONALE = "Beide Prüfungen zusammen: die Summe stimmt, der Zeitraum nicht."
EVIDENCE = [services.EvidenceInput(url="https://example.org/haushalt", title="Haushaltsplan")]


def propose(reviewer, claim, rating, rationale=RATIONALE):
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating=rating,
        rationale=rationale,
        evidence=EVIDENCE,
    )


def change_the_claimed_sum(actor, article):
    return services.article_update(
        actor=actor,
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


def status_of(verdict):
    verdict.refresh_from_db()
    return verdict.status


@pytest.fixture
def second_chief(db):
    return UserFactory(username="chief2", roles=["chief"])


@pytest.fixture
def double(chief, reviewer, other_reviewer, claim):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    claim.refresh_from_db()
    return claim


@pytest.fixture
def revealed(reviewer, other_reviewer, double):
    return propose(reviewer, double, "false"), propose(other_reviewer, double, "mostly-false")


@pytest.fixture
def chosen(chief, revealed):
    """The chief approved the first reviewer's verdict; the other was not chosen."""
    return services.verdict_approve(actor=chief, verdict_id=revealed[0].pk)


@pytest.fixture
def final(chief, second_chief, revealed, double):
    """The chief wrote the final verdict; another chief approved it."""
    verdict = services.double_review_finalise(
        actor=chief, annotation_id=double.pk, rating="half-true", rationale=FINAL_RATIONALE
    )
    return services.verdict_approve(actor=second_chief, verdict_id=verdict.pk)


# --- the chosen verdict set aside ------------------------------------------------------------


def test_a_text_change_after_the_chosen_verdict_starts_a_new_round_with_both_reviewers(
    editor, article, double, chosen
):
    change_the_claimed_sum(editor, article)
    double.refresh_from_db()
    assert status_of(chosen) == Verdict.Status.SET_ASIDE
    assert double.status == Annotation.Status.ASSIGNED
    assert double.double_review is True
    assert pending_reviewers(double) == ["reviewer", "reviewer2"]
    new_round = Event.objects.get(
        annotation=double, verb=Event.Verb.DOUBLE_REVIEW_REQUESTED, data__text_changed=True
    )
    assert new_round.actor == editor
    assert new_round.data == {
        "reviewers": ["reviewer", "reviewer2"],
        "text_changed": True,
        "set_aside": chosen.pk,
        "needs_reviewer": [],
    }


def test_the_new_round_is_sealed_until_both_propose_then_a_chief_decides_again(
    editor, chief, reviewer, other_reviewer, article, double, revealed, chosen
):
    change_the_claimed_sum(editor, article)
    first_again = propose(reviewer, double, "mostly-false", SEALED_RATIONALE)
    double.refresh_from_db()
    assert first_again.is_blind and first_again.is_sealed
    assert first_again.quote == NEW_QUOTE
    assert double.status == Annotation.Status.ASSIGNED
    assert first_again.pk not in [v.pk for v in selectors.proposed_verdicts()]
    assert first_again.pk not in [v.pk for v in selectors.annotation_verdicts(double.pk)]
    with pytest.raises(services.Conflict) as refused:
        services.verdict_approve(actor=chief, verdict_id=first_again.pk)
    assert refused.value.message == "both reviewers of a blind double review must propose first"

    second_again = propose(other_reviewer, double, "false")
    double.refresh_from_db()
    assert double.status == Annotation.Status.PROPOSED
    assert [v.pk for v in selectors.proposed_verdicts()] == [first_again.pk, second_again.pk]
    reveals = Event.objects.filter(
        annotation=double, verb=Event.Verb.DOUBLE_REVIEW_REVEALED
    ).order_by("id")
    assert [item["verdict"] for item in reveals.last().data["verdicts"]] == [
        first_again.pk,
        second_again.pk,
    ]

    services.verdict_approve(actor=chief, verdict_id=second_again.pk)
    double.refresh_from_db()
    assert double.status == Annotation.Status.APPROVED
    assert status_of(second_again) == Verdict.Status.APPROVED
    assert status_of(first_again) == Verdict.Status.REJECTED
    # The verdict the new round replaces: the chosen one of the first round.
    second_again.refresh_from_db()
    assert second_again.supersedes_id == chosen.pk
    corrected = Event.objects.get(annotation=double, verb=Event.Verb.ARTICLE_CORRECTED)
    assert corrected.data["corrects"] == chosen.pk
    assert corrected.data["old_quote"] == OLD_QUOTE
    assert corrected.data["new_quote"] == NEW_QUOTE
    # The first round is untouched: chosen then set aside, the other not chosen.
    assert status_of(chosen) == Verdict.Status.SET_ASIDE
    assert status_of(revealed[1]) == Verdict.Status.REJECTED


def test_the_history_keeps_the_old_round_and_names_the_new_one(
    editor, reviewer, other_reviewer, article, double, revealed, chosen
):
    change_the_claimed_sum(editor, article)
    first_again = propose(reviewer, double, "false")
    second_again = propose(other_reviewer, double, "false")
    shown = [v.pk for v in selectors.verdict_history(double)]
    assert shown == [revealed[0].pk, revealed[1].pk, first_again.pk, second_again.pk]
    verbs = list(
        Event.objects.filter(annotation=double)
        .order_by("id")
        .values_list("verb", flat=True)
        .filter(verb__startswith="double_review.")
    )
    assert verbs == [
        "double_review.requested",
        "double_review.revealed",
        "double_review.decided",
        "double_review.requested",
        "double_review.revealed",
    ]
    new_round = Event.objects.filter(
        annotation=double, verb=Event.Verb.DOUBLE_REVIEW_REQUESTED
    ).last()
    assert history.summary(new_round, history.Names.load()) == (
        "the text changed after the double review was decided; "
        "a new blind round with reviewer and reviewer2"
    )


def test_a_chief_who_reviewed_in_the_first_round_still_cannot_decide_the_new_one(
    editor, chief, reviewer, chief_reviewer, article, claim
):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, chief_reviewer]
    )
    first = propose(reviewer, claim, "false")
    propose(chief_reviewer, claim, "false")
    services.verdict_approve(actor=chief, verdict_id=first.pk)
    change_the_claimed_sum(editor, article)
    assert pending_reviewers(claim) == ["chiefrev", "reviewer"]
    again = propose(reviewer, claim, "mostly-false")
    propose(chief_reviewer, claim, "false")
    with pytest.raises(services.Forbidden) as refused:
        services.verdict_approve(actor=chief_reviewer, verdict_id=again.pk)
    assert refused.value.message == "you reviewed this claim yourself; another chief decides"
    services.verdict_approve(actor=chief, verdict_id=again.pk)
    assert status_of(again) == Verdict.Status.APPROVED


# --- the chief's final verdict set aside -----------------------------------------------------


def test_a_text_change_after_the_final_verdict_sends_it_to_both_reviewers_not_the_chief(
    editor, chief, article, double, final
):
    change_the_claimed_sum(editor, article)
    double.refresh_from_db()
    assert status_of(final) == Verdict.Status.SET_ASIDE
    assert double.status == Annotation.Status.ASSIGNED
    assert pending_reviewers(double) == ["reviewer", "reviewer2"]
    assert not Assignment.objects.filter(annotation=double, reviewer=chief).exists()


def test_after_the_final_verdict_was_set_aside_a_new_round_runs_to_a_second_final_verdict(
    editor, chief, second_chief, reviewer, other_reviewer, article, double, final
):
    change_the_claimed_sum(editor, article)
    first_again = propose(reviewer, double, "false")
    assert first_again.is_sealed
    assert first_again.pk not in [v.pk for v in selectors.annotation_verdicts(double.pk)]
    second_again = propose(other_reviewer, double, "mostly-false")
    # The chief who wrote the set-aside final verdict proposed nothing in this round.
    second_final = services.double_review_finalise(
        actor=chief, annotation_id=double.pk, rating="false", rationale=FINAL_RATIONALE
    )
    assert second_final.supersedes_id == final.pk
    assert status_of(first_again) == status_of(second_again) == Verdict.Status.REJECTED
    with pytest.raises(services.Forbidden):
        services.verdict_approve(actor=chief, verdict_id=second_final.pk)
    services.verdict_approve(actor=second_chief, verdict_id=second_final.pk)
    double.refresh_from_db()
    assert double.status == Annotation.Status.APPROVED
    corrected = Event.objects.get(annotation=double, verb=Event.Verb.ARTICLE_CORRECTED)
    assert (corrected.data["corrects"], corrected.data["old_rating"]) == (final.pk, "half-true")


def test_a_final_verdict_still_waiting_for_approval_is_set_aside_into_a_new_round(
    editor, chief, article, double, revealed
):
    proposed_final = services.double_review_finalise(
        actor=chief, annotation_id=double.pk, rating="half-true", rationale=FINAL_RATIONALE
    )
    change_the_claimed_sum(editor, article)
    double.refresh_from_db()
    assert status_of(proposed_final) == Verdict.Status.SET_ASIDE
    assert double.status == Annotation.Status.ASSIGNED
    assert pending_reviewers(double) == ["reviewer", "reviewer2"]


# --- a reviewer who can no longer review -----------------------------------------------------


@pytest.mark.parametrize("how", ["deactivated", "lost the role"])
def test_a_reviewer_who_can_no_longer_review_leaves_the_claim_needing_another(
    how, editor, chief, reviewer, other_reviewer, article, double, chosen
):
    if how == "deactivated":
        other_reviewer.is_active = False
        other_reviewer.save(update_fields=["is_active"])
    else:
        other_reviewer.groups.clear()
    change_the_claimed_sum(editor, article)
    double.refresh_from_db()
    assert double.status == Annotation.Status.ASSIGNED
    assert pending_reviewers(double) == ["reviewer"]
    new_round = Event.objects.filter(
        annotation=double, verb=Event.Verb.DOUBLE_REVIEW_REQUESTED
    ).last()
    assert new_round.data["reviewers"] == ["reviewer"]
    assert new_round.data["needs_reviewer"] == ["reviewer2"]
    assert history.summary(new_round, history.Names.load()) == (
        "the text changed after the double review was decided; a new blind round with "
        "reviewer; reviewer2 can no longer review; the claim needs another reviewer"
    )
    assert [a.pk for a in selectors.double_reviews_short_of_reviewers()] == [double.pk]
    assert selectors.double_review_reviewers_at_work(double) == 1


def test_the_chief_assigns_a_second_reviewer_and_the_new_round_is_decided(
    editor, chief, reviewer, other_reviewer, article, double, chosen
):
    other_reviewer.is_active = False
    other_reviewer.save(update_fields=["is_active"])
    change_the_claimed_sum(editor, article)
    mine = propose(reviewer, double, "false")
    assert mine.is_sealed
    third = UserFactory(username="reviewer3", roles=["reviewer"])
    services.annotation_assign(actor=chief, annotation_id=double.pk, reviewer=third)
    assert selectors.double_reviews_short_of_reviewers() == []
    fourth = UserFactory(username="reviewer4", roles=["reviewer"])
    with pytest.raises(services.Conflict):
        services.annotation_assign(actor=chief, annotation_id=double.pk, reviewer=fourth)
    theirs = propose(third, double, "mostly-false")
    double.refresh_from_db()
    assert double.status == Annotation.Status.PROPOSED
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert not mine.is_sealed and not theirs.is_sealed
    services.verdict_approve(actor=chief, verdict_id=theirs.pk)
    double.refresh_from_db()
    assert double.status == Annotation.Status.APPROVED


def test_with_neither_reviewer_left_the_claim_is_open_and_needs_two(
    editor, reviewer, other_reviewer, article, double, chosen
):
    for user in (reviewer, other_reviewer):
        user.is_active = False
        user.save(update_fields=["is_active"])
    change_the_claimed_sum(editor, article)
    double.refresh_from_db()
    assert double.status == Annotation.Status.OPEN
    assert pending_reviewers(double) == []
    short = selectors.double_reviews_short_of_reviewers()
    assert [(a.pk, a.reviewers_at_work) for a in short] == [(double.pk, 0)]


# --- who is told, and what the outside sees --------------------------------------------------


def test_the_chiefs_and_both_reviewers_are_told_each_in_their_language(
    settings, editor, chief, reviewer, other_reviewer, article, double, chosen
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user_language_set(user=other_reviewer, language="de")
    change_the_claimed_sum(editor, article)
    mail.outbox.clear()
    assert notifications.send("set_aside", chosen.pk) == 2
    by_recipients = {tuple(sorted(message.to)): message for message in mail.outbox}
    assert set(by_recipients) == {
        (other_reviewer.email,),
        tuple(sorted([chief.email, reviewer.email])),
    }
    english = by_recipients[tuple(sorted([chief.email, reviewer.email]))].body
    assert "a new blind round begins" in english
    assert "Back in the queue of: reviewer and reviewer2." in english
    assert f"Before: “{OLD_QUOTE}”" in english
    german = by_recipients[(other_reviewer.email,)].body
    assert f"Vorher: „{OLD_QUOTE}“" in german


def test_the_email_names_the_reviewer_who_can_no_longer_review(
    settings, editor, chief, reviewer, other_reviewer, article, double, chosen
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    other_reviewer.groups.clear()
    change_the_claimed_sum(editor, article)
    mail.outbox.clear()
    notifications.send("set_aside", chosen.pk)
    assert [sorted(message.to) for message in mail.outbox] == [
        sorted([chief.email, reviewer.email])
    ]
    assert "reviewer2 can no longer review: a chief assigns another reviewer." in (
        mail.outbox[0].body
    )


def test_no_webhook_shows_a_sealed_proposal_of_the_new_round(
    settings, editor, chief, reviewer, other_reviewer, article, double, chosen
):
    settings.FETCH_ALLOW_HOSTS = ["127.0.0.1:9"]
    subscription = services.webhook_create(
        actor=chief,
        url="http://127.0.0.1:9/hooks",
        event_types=["verdict.proposed", "verdict.reopened", "annotation.updated"],
    )
    change_the_claimed_sum(editor, article)
    sealed = propose(reviewer, double, "true", SEALED_RATIONALE)

    def sent():
        return [
            json.loads(payload)
            for payload in WebhookDelivery.objects.filter(subscription=subscription)
            .order_by("id")
            .values_list("payload", flat=True)
        ]

    assert SEALED_RATIONALE not in json.dumps(sent(), ensure_ascii=False)
    assert [m["data"]["id"] for m in sent() if m["type"] == "verdict.reopened"] == [chosen.pk]
    assert not [m for m in sent() if m["type"] == "verdict.proposed"]
    other = propose(other_reviewer, double, "false")
    proposed = [m["data"]["id"] for m in sent() if m["type"] == "verdict.proposed"]
    assert proposed == [sealed.pk, other.pk]


def test_the_report_keeps_the_published_verdict_under_review_until_the_new_one_is_approved(
    editor, chief, reviewer, other_reviewer, article, double, chosen
):
    services.article_publish(actor=chief, article_id=article.pk)
    change_the_claimed_sum(chief, article)
    shown = selectors.approved_claim_verdicts(article)
    assert [(v.pk, v.under_review_since is not None) for v in shown] == [(chosen.pk, True)]
    sealed = propose(reviewer, double, "true")
    assert [v.pk for v in selectors.approved_claim_verdicts(article)] == [chosen.pk]
    propose(other_reviewer, double, "false")
    assert [v.pk for v in selectors.approved_claim_verdicts(article)] == [chosen.pk]
    services.verdict_approve(actor=chief, verdict_id=sealed.pk)
    shown = selectors.approved_claim_verdicts(article)
    assert [(v.pk, v.under_review_since, v.corrects.pk) for v in shown] == [
        (sealed.pk, None, chosen.pk)
    ]
