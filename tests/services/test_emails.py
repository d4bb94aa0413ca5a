"""Workflow emails in the recipient's language: the templates under templates/emails/, the
language each user's emails are written in (saved by the header's language switch and at
login), and one message per language when recipients read different ones."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.translation.template import templatize

from annotations import notifications, services
from annotations.models import Assignment, Event, SourceCheck, UserPreference
from annotations.services.base import event_record
from annotations.services.preferences import user_language_set, user_languages
from tests.conftest import wait_for
from tests.factories import UserFactory

RATIONALE = "Der Haushalt 2024 nennt 3,1 Milliarden Euro, nicht 4,2 Milliarden."
EVIDENCE_URL = "http://127.0.0.1:9/haushalt"
QUOTE = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"


@pytest.fixture(autouse=True)
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def reads(user, language: str):
    assert user_language_set(user=user, language=language) == language
    return user


def sent(kind: str, object_id: int) -> list:
    """The messages `notifications.send` sends for one step (nothing else is sent here: the
    outbox's jobs go to the broker only after a commit, which these tests never reach)."""
    mail.outbox.clear()
    count = notifications.send(kind, object_id)
    assert count == len(mail.outbox)
    return list(mail.outbox)


def source_strings(kind: str) -> list[str]:
    """The msgids of a kind's two templates, as makemessages extracts them."""
    found = []
    for part in ("subject", "body"):
        path = EMAILS / f"{kind}_{part}.txt"
        python = templatize(path.read_text(), origin=str(path))
        found += [
            ast.literal_eval(s) for s in re.findall(r"gettext\((u'(?:[^'\\]|\\.)*')\)", python)
        ]
    assert found, f"no translatable strings in the {kind} templates"
    return found


def assert_no_english_left(kind: str, message) -> None:
    """No English words of the kind's templates are in the message: every literal piece of
    each msgid (the text between its placeholders) is absent."""
    text = f"{message.subject}\n{message.body}"
    for msgid in source_strings(kind):
        for piece in re.split(r"%\(\w+\)[sd]", msgid):
            piece = piece.strip(" “”’.:;,()-")
            if re.search(r"[A-Za-z]{3}", piece):
                assert piece not in text, f"{piece!r} of {msgid!r} is left in German"


@pytest.fixture
def verdict(editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url=EVIDENCE_URL, title="Haushalt")],
    )


# --- the language of a user's emails ---------------------------------------------------------


def test_a_user_who_never_chose_gets_emails_in_the_default_language(reviewer):
    assert not UserPreference.objects.filter(user=reviewer).exists()
    assert user_languages([reviewer.pk]) == {reviewer.pk: "en"}


def test_the_language_switch_saves_the_language_of_a_signed_in_users_emails(reviewer):
    client = Client()
    client.force_login(reviewer)

    response = client.post("/i18n/setlang/", {"language": "de", "next": "/queue/"})

    assert (response.status_code, response["Location"]) == (302, "/queue/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert UserPreference.objects.get(user=reviewer).language == "de"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert UserPreference.objects.get(user=reviewer).language == "en"


def test_the_language_switch_ignores_a_language_that_is_not_offered(reviewer):
    reads(reviewer, "de")
    client = Client()
    client.force_login(reviewer)

    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    assert response.status_code == 302
    assert UserPreference.objects.get(user=reviewer).language == "de"


def test_the_language_switch_without_a_csrf_token_is_refused_and_saves_nothing(reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)

    response = client.post("/i18n/setlang/", {"language": "de", "next": "/"})

    assert response.status_code == 403
    assert not UserPreference.objects.filter(user=reviewer).exists()


def test_an_anonymous_language_switch_still_works_and_saves_nothing(db):
    response = Client().post("/i18n/setlang/", {"language": "de", "next": "/login/"})

    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert not UserPreference.objects.exists()


def test_login_saves_the_language_the_login_page_was_read_in(reviewer):
    response = Client().post(
        "/login/",
        {"username": "reviewer", "password": "pw-for-tests-1"},
        HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9",
    )

    assert response.status_code == 302
    assert UserPreference.objects.get(user=reviewer).language == "de"


def test_a_failed_login_saves_no_language(reviewer):
    response = Client().post(
        "/login/", {"username": "reviewer", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="de"
    )

    assert response.status_code == 200
    assert not UserPreference.objects.filter(user=reviewer).exists()


# --- each kind in English and in German ------------------------------------------------------


def test_the_assignment_email_is_in_english_for_an_english_reviewer(editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    assignment = Assignment.objects.get(annotation=claim)

    [message] = sent("assigned", assignment.pk)

    assert message.to == ["reviewer@example.org"]
    assert message.subject == "[Fact-check] New item in your queue: Schienenausbau"
    assert message.body == (
        f"editor assigned you a claim:\n\n“{QUOTE}”\n\nArticle: Schienenausbau\nDue: no due date\n"
    )


def test_the_assignment_email_is_in_german_for_a_german_reviewer(editor, reviewer, claim):
    reads(reviewer, "de")
    due = timezone.make_aware(timezone.datetime(2026, 12, 4, 17, 0))
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer, due_at=due)
    assignment = Assignment.objects.get(annotation=claim)

    [message] = sent("assigned", assignment.pk)

    assert message.subject == "[Faktencheck] Neu in Ihrer Warteschlange: Schienenausbau"
    assert message.body == (
        f"editor hat Ihnen eine Stelle zugewiesen (Behauptung):\n\n„{QUOTE}“\n\n"
        "Artikel: Schienenausbau\nFällig: 4. Dezember 2026 17:00\n"
    )
    assert_no_english_left("assigned", message)


def test_the_proposal_email_is_in_english_for_an_english_chief(chief, verdict):
    [message] = sent("proposed", verdict.pk)

    assert message.to == ["chief@example.org"]
    assert message.subject == "[Fact-check] Verdict to approve: Schienenausbau"
    assert message.body == (
        f"reviewer proposes “False” for:\n\n“{QUOTE}”\n\n{RATIONALE}\n\nArticle: Schienenausbau\n"
    )


def test_the_proposal_email_is_in_german_for_a_german_chief(chief, verdict):
    reads(chief, "de")

    [message] = sent("proposed", verdict.pk)

    assert message.subject == "[Faktencheck] Urteil zur Freigabe: Schienenausbau"
    assert message.body == (
        f"reviewer schlägt „Falsch“ vor für:\n\n„{QUOTE}“\n\n{RATIONALE}\n\n"
        "Artikel: Schienenausbau\n"
    )
    assert_no_english_left("proposed", message)


def test_chiefs_who_read_different_languages_get_one_message_each(chief, verdict):
    second = reads(UserFactory(username="chief2", roles=["chief"]), "de")
    third = UserFactory(username="chief3", roles=["chief"])

    messages = sent("proposed", verdict.pk)

    assert [(m.to, m.subject) for m in messages] == [
        ([second.email], "[Faktencheck] Urteil zur Freigabe: Schienenausbau"),
        (sorted([chief.email, third.email]), "[Fact-check] Verdict to approve: Schienenausbau"),
    ]


def test_the_rejection_email_is_in_english_for_an_english_reviewer(chief, verdict):
    services.verdict_reject(actor=chief, verdict_id=verdict.pk, note="Primärquelle fehlt.")

    [message] = sent("rejected", verdict.pk)

    assert message.to == ["reviewer@example.org"]
    assert message.subject == "[Fact-check] Verdict returned: Schienenausbau"
    assert message.body == (
        f"chief rejected your verdict on:\n\n“{QUOTE}”\n\nNote: Primärquelle fehlt.\n\n"
        "Article: Schienenausbau\n"
    )


def test_the_rejection_email_is_in_german_for_a_german_reviewer(reviewer, chief, verdict):
    reads(reviewer, "de")
    services.verdict_reject(actor=chief, verdict_id=verdict.pk, note="Primärquelle fehlt.")

    [message] = sent("rejected", verdict.pk)

    assert message.subject == "[Faktencheck] Urteil zurückgewiesen: Schienenausbau"
    assert message.body == (
        f"chief hat Ihr Urteil zu dieser Stelle zurückgewiesen:\n\n„{QUOTE}“\n\n"
        "Notiz: Primärquelle fehlt.\n\nArtikel: Schienenausbau\n"
    )
    assert_no_english_left("rejected", message)


@pytest.fixture
def set_aside(editor, chief, article, verdict):
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    changed = article.text.replace("4,2 Milliarden", "5,1 Milliarden")
    services.article_update(actor=editor, article_id=article.pk, fields={}, body=changed)
    verdict.refresh_from_db()
    return verdict


def test_the_set_aside_email_is_in_english_for_english_readers(set_aside):
    [message] = sent("set_aside", set_aside.pk)

    assert message.to == ["chief@example.org", "reviewer@example.org"]
    assert message.subject == "[Fact-check] Text changed under a verdict: Schienenausbau"
    assert message.body == (
        "The article’s text changed under the verdict “False”. The verdict is set aside "
        "and the claim is back in reviewer’s queue.\n\n"
        f"Before: “{QUOTE}”\nNow: “{QUOTE.replace('4,2', '5,1')}”\n\n"
        "Article: Schienenausbau\n"
    )


def test_the_set_aside_email_is_in_german_for_german_readers(reviewer, chief, set_aside):
    reads(reviewer, "de")
    reads(chief, "de")

    [message] = sent("set_aside", set_aside.pk)

    assert message.to == ["chief@example.org", "reviewer@example.org"]
    assert message.subject == "[Faktencheck] Text unter einem Urteil geändert: Schienenausbau"
    assert message.body == (
        "Der Text des Artikels hat sich unter dem Urteil „Falsch“ geändert. Das Urteil ist "
        "zurückgestellt, und die Behauptung liegt wieder in der Warteschlange von "
        "reviewer.\n\n"
        f"Vorher: „{QUOTE}“\nJetzt: „{QUOTE.replace('4,2', '5,1')}“\n\n"
        "Artikel: Schienenausbau\n"
    )
    assert_no_english_left("set_aside", message)


@pytest.fixture
def unhealthy_check(chief, verdict):
    """A recheck of the approved verdict's evidence that failed, after a good check on
    1 December 2026, recorded as the recheck service records it."""
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    evidence = verdict.evidence.get()
    annotation = verdict.annotation
    previous = SourceCheck.objects.create(
        annotation=annotation,
        evidence=evidence,
        url=evidence.url,
        status=SourceCheck.Status.DONE,
        sha256="a" * 64,
        finished_at=timezone.make_aware(timezone.datetime(2026, 12, 1, 12, 0)),
    )
    check = SourceCheck.objects.create(
        annotation=annotation,
        evidence=evidence,
        url=evidence.url,
        status=SourceCheck.Status.FAILED,
        error="HTTP 404",
        flags=[{"code": "unreachable", "cue": "HTTP 404", "explanation": "(stored in English)"}],
        finished_at=timezone.now(),
    )
    event_record(
        actor=None,
        verb=Event.Verb.EVIDENCE_HEALTH,
        annotation=annotation,
        data={"check": check.pk, "previous_check": previous.pk, "flags": ["unreachable"]},
    )
    return check


def test_the_evidence_health_email_is_in_english_for_an_english_chief(unhealthy_check):
    [message] = sent("evidence_health", unhealthy_check.pk)

    assert message.to == ["chief@example.org"]
    assert message.subject == "[Fact-check] Evidence unreachable: Schienenausbau"
    assert message.body == (
        f"The evidence {EVIDENCE_URL} behind an approved verdict is now: unreachable.\n\n"
        "- The source answered when it was checked on Dec. 1, 2026; now: HTTP 404.\n\n"
        f"Claim: “{QUOTE}”\nArticle: Schienenausbau\n"
    )


def test_the_evidence_health_email_is_in_german_for_a_german_chief(chief, unhealthy_check):
    reads(chief, "de")

    [message] = sent("evidence_health", unhealthy_check.pk)

    assert message.subject == "[Faktencheck] Beleg nicht erreichbar: Schienenausbau"
    assert message.body == (
        f"Der Beleg {EVIDENCE_URL} eines freigegebenen Urteils ist jetzt: nicht erreichbar.\n\n"
        "- Bei der Prüfung am 1. Dezember 2026 antwortete die Quelle; jetzt: HTTP 404.\n\n"
        f"Behauptung: „{QUOTE}“\nArtikel: Schienenausbau\n"
    )
    assert_no_english_left("evidence_health", message)


@pytest.mark.parametrize(
    ("language", "line"),
    [
        (
            "de",
            "- Bei der Prüfung am 1. Dezember 2026 antwortete die Quelle; jetzt: "
            "www.nirgendwo.invalid konnte nicht aufgelöst werden.\n",
        ),
        (
            "en",
            "- The source answered when it was checked on Dec. 1, 2026; now: "
            "could not resolve www.nirgendwo.invalid.\n",
        ),
    ],
)
def test_an_unreachable_sources_error_is_worded_in_the_chiefs_language(
    chief, unhealthy_check, language, line
):
    reads(chief, language)
    SourceCheck.objects.filter(pk=unhealthy_check.pk).update(
        error="could not resolve www.nirgendwo.invalid",
        error_code="dns_failed",
        error_params={"host": "www.nirgendwo.invalid"},
    )

    [message] = sent("evidence_health", unhealthy_check.pk)

    assert line in message.body
    if language == "de":
        assert "could not resolve" not in message.body
        assert "dns_failed" not in message.body


def test_a_changed_source_is_explained_in_the_chiefs_language(chief, unhealthy_check):
    reads(chief, "de")
    SourceCheck.objects.filter(pk=unhealthy_check.pk).update(
        status=SourceCheck.Status.DONE, error="", flags=[{"code": "changed"}]
    )

    [message] = sent("evidence_health", unhealthy_check.pk)

    assert message.subject == "[Faktencheck] Beleg geändert: Schienenausbau"
    assert (
        "- Der Text der Quelle hat sich seit ihrer Prüfung am 1. Dezember 2026 geändert; "
        "lesen Sie ihn erneut, bevor Sie sich darauf stützen.\n"
    ) in message.body
    assert_no_english_left("evidence_health", message)


def test_every_email_string_has_a_german_translation():
    from django.utils import translation

    for kind in notifications.KINDS:
        for msgid in source_strings(kind):
            with translation.override("de"):
                assert translation.gettext(msgid) != msgid, msgid


# --- through the real worker -----------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_german_reviewer_is_emailed_the_assignment_in_german_by_the_worker(
    worker, editor, reviewer, claim
):
    reads(reviewer, "de")

    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)

    [message] = wait_for(
        lambda: [m for m in mail.outbox if "reviewer@example.org" in m.to],
        message="the assignment email",
    )
    assert message.subject == "[Faktencheck] Neu in Ihrer Warteschlange: Schienenausbau"
    assert message.body.startswith("editor hat Ihnen eine Stelle zugewiesen (Behauptung):")
