"""Emails of the workflow, sent by the real worker after the transaction commits: to the
reviewer on assignment and on rejection, to the other chiefs when a verdict is proposed."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.db import transaction

from annotations import services, tasks
from annotations.models import Event
from tests.conftest import wait_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RATIONALE = "Der Haushalt 2024 nennt 3,1 Milliarden Euro, nicht 4,2 Milliarden."
# A loopback URL outside FETCH_ALLOW_HOSTS: its check ends `blocked` without any traffic.
EVIDENCE = [services.EvidenceInput(url="http://127.0.0.1:9/haushalt", title="Haushalt")]


@pytest.fixture(autouse=True)
def locmem_email(settings):
    # The worker runs in this process, so it sends into the same mail.outbox.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def worker_has_run_a_task_sent_now() -> None:
    """Send a ping straight to the broker (not on commit) and wait until the worker ran it:
    everything sent before it has been taken by then."""
    note = uuid.uuid4().hex
    tasks.ping.delay(note)
    wait_for(
        lambda: Event.objects.filter(verb="worker.ping", data__note=note).exists(),
        message="the worker to run the ping",
    )


def test_reviewer_is_emailed_on_assignment_only_after_the_commit(worker, editor, reviewer, claim):
    with transaction.atomic():
        services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
        worker_has_run_a_task_sent_now()
        assert mail.outbox == []
    wait_for(lambda: emails_to("reviewer@example.org"), message="the assignment email")
    [message] = emails_to("reviewer@example.org")
    assert message.subject == "[Fact-check] New item in your queue: Schienenausbau"
    assert "editor assigned you a claim" in message.body
    assert claim.exact in message.body


def test_an_assignment_that_rolls_back_sends_nothing(worker, editor, reviewer, claim):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
        raise RuntimeError("the request failed after the write")
    worker_has_run_a_task_sent_now()
    assert mail.outbox == []


def test_other_chiefs_are_emailed_when_a_verdict_is_proposed(
    worker, editor, chief, chief_reviewer, claim
):
    second_chief = UserFactory(username="chief2", roles=["chief"])
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=chief_reviewer)
    services.verdict_propose(
        actor=chief_reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=EVIDENCE,
    )
    wait_for(lambda: emails_to("chief@example.org"), message="the proposal email")
    [message] = emails_to("chief@example.org")
    assert message.to == ["chief2@example.org", "chief@example.org"]
    assert message.subject == "[Fact-check] Verdict to approve: Schienenausbau"
    assert "chiefrev proposes “False”" in message.body
    assert RATIONALE in message.body
    # The author, a chief too, is not asked to approve their own verdict.
    assert all("chiefrev@example.org" not in m.to for m in mail.outbox if "approve" in m.subject)
    assert second_chief.email in message.to


def test_reviewer_is_emailed_the_note_when_their_verdict_is_rejected(
    worker, editor, reviewer, chief, claim
):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=EVIDENCE,
    )
    services.verdict_reject(actor=chief, verdict_id=verdict.pk, note="Primärquelle fehlt.")
    wait_for(
        lambda: any("returned" in m.subject for m in emails_to("reviewer@example.org")),
        message="the rejection email",
    )
    [message] = [m for m in emails_to("reviewer@example.org") if "returned" in m.subject]
    assert message.subject == "[Fact-check] Verdict returned: Schienenausbau"
    assert "chief rejected your verdict" in message.body
    assert "Note: Primärquelle fehlt." in message.body


def test_chiefs_and_the_reviewer_are_told_when_a_text_change_sets_a_verdict_aside(
    worker, editor, reviewer, chief, article, claim
):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=EVIDENCE,
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    changed = article.text.replace("4,2 Milliarden", "5,1 Milliarden")
    services.article_update(actor=editor, article_id=article.pk, fields={}, body=changed)
    wait_for(
        lambda: [m for m in mail.outbox if "Text changed under a verdict" in m.subject],
        message="the set-aside email",
    )
    (message,) = [m for m in mail.outbox if "Text changed under a verdict" in m.subject]
    assert sorted(message.to) == ["chief@example.org", "reviewer@example.org"]
    assert "Before: “4,2 Milliarden Euro" in message.body
    assert "Now: “5,1 Milliarden Euro" in message.body
