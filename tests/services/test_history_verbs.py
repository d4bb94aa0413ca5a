"""Event verbs are one closed set (Event.Verb), every verb the code writes is in it, and the
history has a sentence for each, in English and in German."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from annotations import history
from annotations.models import Annotation, Event
from annotations.services.base import event_record

SOURCE = Path(__file__).resolve().parents[2] / "annotations"
# `verb="x"`, `verb = "x"`, `verb: str = "x"` and f-strings like `verb=f"annotation.{...}"`.
VERB_STRING = re.compile(r"""\bverb\b(?:\s*:\s*[\w.| ]+)?\s*=\s*(f?)["']([^"'\n]*)["']""")
VERB_MEMBER = re.compile(r"\bVerb\.([A-Z][A-Z_]*)\b")
# What each f-string verb (its `{...}` parts emptied) can become.
F_STRING_VERBS = {
    "annotation.{}": {
        f"annotation.{state}"
        for state in Annotation.AnchorState.values
        if state != Annotation.AnchorState.ANCHORED
    },
}


def verbs_in_the_code() -> dict[str, set[str]]:
    """Every verb the code under annotations/ writes or filters on, with the files it is in."""
    found: dict[str, set[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        where = str(path.relative_to(SOURCE.parent))
        for is_f_string, value in VERB_STRING.findall(source):
            if is_f_string:
                pattern = re.sub(r"\{[^}]*\}", "{}", value)
                assert pattern in F_STRING_VERBS, (
                    f"{where}: the verb f-string {value!r} is new; list what it can become "
                    "in F_STRING_VERBS"
                )
                values = F_STRING_VERBS[pattern]
            else:
                values = {value}
            for verb in values:
                found.setdefault(verb, set()).add(where)
        for name in VERB_MEMBER.findall(source):
            assert name in Event.Verb.__members__, f"{where}: Event.Verb.{name} does not exist"
            found.setdefault(Event.Verb[name].value, set()).add(where)
    return found


def test_the_scan_finds_the_verbs_of_services_tasks_and_migrations():
    found = verbs_in_the_code()
    assert "annotations/tasks.py" in found["worker.ping"]
    assert (
        "annotations/migrations/0005_trust_pins_outbox_idempotency.py"
        in found["annotation.withdrawn"]
    )
    assert {"annotation.fuzzy", "annotation.orphaned"} <= set(found)
    assert len(found) >= 30


def test_every_verb_written_in_the_code_is_an_event_verb():
    unknown = {
        verb: sorted(files)
        for verb, files in verbs_in_the_code().items()
        if verb not in Event.Verb.values
    }
    assert unknown == {}


def test_every_event_verb_is_written_somewhere_in_the_code():
    assert set(Event.Verb.values) - set(verbs_in_the_code()) == set()


@pytest.mark.django_db
def test_recording_a_verb_that_is_not_an_event_verb_raises_and_writes_nothing():
    with pytest.raises(ValueError, match=re.escape("'article.creatd' is not a valid Event.Verb")):
        event_record(actor=None, verb="article.creatd")
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_verb_given_as_its_string_is_recorded_as_the_event_verb():
    event = event_record(actor=None, verb="worker.ping", data={"note": "n"})
    event.refresh_from_db()
    assert event.verb == Event.Verb.WORKER_PING


URL = "https://example.org/haushalt"
# For each verb: data as its service records it, the English and the German sentence.
SENTENCES = {
    Event.Verb.ARTICLE_CREATED: (
        {"title": "Schienenausbau", "language": "de", "chars": 240},
        "created the article “Schienenausbau”",
        "hat den Artikel „Schienenausbau“ angelegt",
    ),
    Event.Verb.ARTICLE_IMPORT_REQUESTED: (
        {"url": URL},
        f"asked for the article to be imported from {URL}",
        f"hat den Import des Artikels von {URL} angefordert",
    ),
    Event.Verb.ARTICLE_IMPORTED: (
        {"chars": 12345},
        "imported the article’s text (12,345 characters)",
        "hat den Text des Artikels importiert (12.345 Zeichen)",
    ),
    Event.Verb.ARTICLE_IMPORT_FAILED: (
        {"error": "HTTP 404"},
        "the import failed: HTTP 404",
        "der Import ist fehlgeschlagen: HTTP 404",
    ),
    Event.Verb.ARTICLE_UPDATED: (
        {"fields": ["outlet", "title"], "revision": 2, "reanchored": {"anchored": 1}},
        "edited the article: outlet, title, text",
        "hat den Artikel bearbeitet: Medium, Titel, Text",
    ),
    Event.Verb.ARTICLE_ANALYSED: (
        {"revision": 1, "suggestions": 3},
        "analysed the text: 3 suggestions",
        "hat den Text analysiert: 3 Vorschläge",
    ),
    Event.Verb.ARTICLE_WARNING_ACKNOWLEDGED: (
        {"key": "open-claim:1", "code": "open_claim", "message": "Offene Behauptung"},
        "acknowledged before publishing: Offene Behauptung",
        "hat vor dem Veröffentlichen bestätigt: Offene Behauptung",
    ),
    Event.Verb.ARTICLE_PUBLISHED: (
        {"from": "in_review", "open_claims": 0},
        "published the fact-check",
        "hat den Faktencheck veröffentlicht",
    ),
    Event.Verb.ARTICLE_CORRECTED: (
        {"old_rating": "false", "new_rating": "mostly-false"},
        "corrected the published verdict “False” to “Mostly false”",
        "hat das veröffentlichte Urteil „Falsch“ zu „Größtenteils falsch“ korrigiert",
    ),
    Event.Verb.ARTICLE_WITHDRAWN: (
        {"from": "published", "reason": "Quelle zurückgezogen"},
        "withdrew the published fact-check: Quelle zurückgezogen",
        "hat den veröffentlichten Faktencheck zurückgezogen: Quelle zurückgezogen",
    ),
    Event.Verb.ARTICLE_ARCHIVED: (
        {"from": "draft", "reason": ""},
        "archived the article",
        "hat den Artikel archiviert",
    ),
    Event.Verb.ARTICLE_RESTORED: (
        {"from": "archived", "to": "draft"},
        "restored the article",
        "hat den Artikel wiederhergestellt",
    ),
    Event.Verb.ANNOTATION_CREATED: (
        {"label": "claim", "start": 0, "end": 4, "exact": "Text"},
        "marked the span as Claim",
        "hat die Stelle als Behauptung markiert",
    ),
    Event.Verb.ANNOTATION_UPDATED: (
        {"label": ["claim", "opinion"], "priority": [2, 3]},
        "edited label, priority",
        "hat Kategorie, Priorität bearbeitet",
    ),
    Event.Verb.ANNOTATION_WITHDRAWN: (
        {"from": "open"},
        "withdrew it",
        "hat es zurückgezogen",
    ),
    Event.Verb.ANNOTATION_FUZZY: (
        {"before": {}, "score": 0.9},
        "the text changed; the span moved to its best match",
        "der Text hat sich geändert; die Stelle wurde zur besten Übereinstimmung verschoben",
    ),
    Event.Verb.ANNOTATION_ORPHANED: (
        {"before": {}, "score": 0.2},
        "the text changed; the span could not be placed",
        "der Text hat sich geändert; die Stelle ließ sich nicht zuordnen",
    ),
    Event.Verb.ANNOTATION_ASSIGNED: (
        {"reviewer": "reviewer", "due_at": "2026-12-04T17:00:00+00:00"},
        "assigned it to reviewer, due Dec. 4, 2026",
        "hat es reviewer zugewiesen, fällig 4. Dezember 2026",
    ),
    Event.Verb.ASSIGNMENT_DECLINED: (
        {"reason": "Befangen."},
        "declined: Befangen.",
        "hat die Zuweisung abgelehnt: Befangen.",
    ),
    Event.Verb.VERDICT_PROPOSED: (
        {"rating": "false"},
        "proposed “False”",
        "hat „Falsch“ vorgeschlagen",
    ),
    Event.Verb.VERDICT_APPROVED: (
        {"rating": "false", "note": "Passt."},
        "approved “False”: Passt.",
        "hat „Falsch“ freigegeben: Passt.",
    ),
    Event.Verb.DOUBLE_REVIEW_REQUESTED: (
        {"reviewers": ["reviewer", "reviewer2"]},
        "asked reviewer and reviewer2 for a blind double review",
        "hat reviewer und reviewer2 um eine verblindete Doppelprüfung gebeten",
    ),
    Event.Verb.VERDICT_PROPOSED_BLIND: (
        {"verdict": 7},
        "proposed a blind verdict",
        "hat ein verblindetes Urteil vorgeschlagen",
    ),
    Event.Verb.DOUBLE_REVIEW_REVEALED: (
        {
            "verdicts": [
                {"verdict": 7, "author": "reviewer", "rating": "false"},
                {"verdict": 8, "author": "reviewer2", "rating": "mostly-false"},
            ]
        },
        "both blind verdicts are in: reviewer “False”; reviewer2 “Mostly false”",
        "beide verblindeten Urteile liegen vor: reviewer „Falsch“; reviewer2 „Größtenteils falsch“",
    ),
    Event.Verb.DOUBLE_REVIEW_DECIDED: (
        {"approved": 8, "rating": "mostly-false", "not_chosen": [7]},
        "chose “Mostly false” from the double review",
        "hat „Größtenteils falsch“ aus der Doppelprüfung gewählt",
    ),
    Event.Verb.VERDICT_REJECTED: (
        {"rating": "false", "note": "Quelle fehlt."},
        "rejected “False”: Quelle fehlt.",
        "hat „Falsch“ zurückgewiesen: Quelle fehlt.",
    ),
    Event.Verb.VERDICT_SET_ASIDE: (
        {"verdict": 1, "old": "4,2 Milliarden", "new": None, "revision": 2},
        "the text changed under the verdict; set aside: “4,2 Milliarden” → “(no longer in the "
        "article)”",
        "der Text unter dem Urteil hat sich geändert; zurückgestellt: „4,2 Milliarden“ → "
        "„(nicht mehr im Artikel)“",
    ),
    Event.Verb.EVIDENCE_ADDED: (
        {"url": URL},
        f"added evidence {URL}",
        f"hat den Beleg {URL} hinzugefügt",
    ),
    Event.Verb.EVIDENCE_REUSED: (
        {"added": 2},
        "reused 2 evidence items of an earlier verdict",
        "hat 2 Belege eines früheren Urteils übernommen",
    ),
    Event.Verb.EVIDENCE_REMOVED: (
        {"url": URL},
        f"removed evidence {URL}",
        f"hat den Beleg {URL} entfernt",
    ),
    Event.Verb.EVIDENCE_HEALTH: (
        {"check": 2, "previous_check": 1, "flags": ["changed"]},
        "evidence flagged: changed",
        "Beleg markiert: geändert",
    ),
    Event.Verb.EVIDENCE_RECHECK_REQUESTED: (
        {"checks": [1, 2, 3]},
        "queued a fresh check of 3 evidence URLs",
        "hat eine neue Prüfung von 3 Beleg-URLs eingereiht",
    ),
    Event.Verb.COMMENT_ADDED: (
        {"body": "Bitte bis Freitag."},
        "commented: Bitte bis Freitag.",
        "hat kommentiert: Bitte bis Freitag.",
    ),
    Event.Verb.SOURCE_CHECK_REQUESTED: (
        {"checks": [1]},
        "asked for the sources to be checked",
        "hat eine Prüfung der Quellen angefordert",
    ),
    Event.Verb.SOURCE_CHECK_FINISHED: (
        {"url": URL, "status": "failed"},
        f"source check of {URL}: Failed",
        f"Quellenprüfung von {URL}: Fehlgeschlagen",
    ),
    Event.Verb.SUGGESTION_ACCEPTED: (
        {"label": "source"},
        "accepted the suggestion and marked the span as Source",
        "hat den Vorschlag übernommen und die Stelle als Quelle markiert",
    ),
    Event.Verb.SUGGESTION_DISMISSED: (
        {"suggestion": 1, "label": 4, "exact": "laut Ministerium"},
        "dismissed the suggestion “laut Ministerium”",
        "hat den Vorschlag „laut Ministerium“ verworfen",
    ),
    Event.Verb.PAGE_NOTE_CREATED: (
        {"page_note": 1, "note": "Auch anderswo erschienen"},
        "added a note on the article",
        "hat eine Notiz zum Artikel hinzugefügt",
    ),
    Event.Verb.PAGE_NOTE_UPDATED: (
        {"page_note": 1, "note": "Auch anderswo erschienen"},
        "edited a note on the article",
        "hat eine Notiz zum Artikel bearbeitet",
    ),
    Event.Verb.PAGE_NOTE_WITHDRAWN: (
        {"page_note": 1},
        "withdrew a note on the article",
        "hat eine Notiz zum Artikel zurückgezogen",
    ),
    Event.Verb.JOBS_SWEPT: (
        {"sent": [1, 2], "failed": [3]},
        "sent 2 unfinished background jobs again (1 given up)",
        "hat 2 unerledigte Hintergrundaufträge erneut gesendet (1 aufgegeben)",
    ),
    Event.Verb.WORKER_PING: (
        {"note": "abc"},
        "the background worker answered",
        "der Hintergrundprozess hat geantwortet",
    ),
    Event.Verb.WEBHOOK_CREATED: (
        {"webhook": 3, "url": "https://cms.example.org/hooks", "event_types": ["verdict.approved"]},
        "subscribed https://cms.example.org/hooks to webhooks",
        "hat https://cms.example.org/hooks für Webhooks angemeldet",
    ),
    Event.Verb.WEBHOOK_UPDATED: (
        {"webhook": 3, "is_active": False},
        "changed the webhook subscription 3",
        "hat das Webhook-Abonnement 3 geändert",
    ),
    Event.Verb.WEBHOOK_SECRET_ROTATED: (
        {"webhook": 3},
        "rotated the secret of the webhook subscription 3",
        "hat das Geheimnis des Webhook-Abonnements 3 erneuert",
    ),
    Event.Verb.WEBHOOK_DELETED: (
        {"webhook": 3, "url": "https://cms.example.org/hooks"},
        "deleted the webhook subscription for https://cms.example.org/hooks",
        "hat das Webhook-Abonnement für https://cms.example.org/hooks gelöscht",
    ),
    Event.Verb.WEBHOOK_DISABLED: (
        {"webhook": 3, "url": "https://cms.example.org/hooks", "error": "HTTP 500"},
        "disabled the webhook subscription for https://cms.example.org/hooks: it failed for a day",
        "hat das Webhook-Abonnement für https://cms.example.org/hooks abgeschaltet: "
        "Es ist einen Tag lang fehlgeschlagen",
    ),
    Event.Verb.WEBHOOK_REDELIVERED: (
        {"webhook": 3, "deliveries": [7]},
        "sent webhook deliveries of subscription 3 again",
        "hat Webhook-Zustellungen des Abonnements 3 erneut gesendet",
    ),
    Event.Verb.SUGGESTION_MODEL_TRAINED: (
        {"language": "de", "version": 3, "size": 1200, "active": True, "f1": 0.7},
        "trained version 3 of the suggestion model (de) on 1,200 examples",
        "hat Version 3 des Vorschlagsmodells (de) mit 1.200 Beispielen trainiert",
    ),
    Event.Verb.SUGGESTION_MODEL_ROLLED_BACK: (
        {"language": "en", "from": 4, "to": 3},
        "rolled the suggestion model (en) back from version 4 to 3",
        "hat das Vorschlagsmodell (en) von Version 4 auf Version 3 zurückgesetzt",
    ),
    Event.Verb.CLAIMANT_CREATED: (
        {"claimant": 7, "name": "Olaf Scholz", "kind": "person"},
        "created the claimant Olaf Scholz",
        "hat den Urheber Olaf Scholz angelegt",
    ),
    Event.Verb.CLAIMANT_UPDATED: (
        {"claimant": 7, "name": "Olaf Scholz", "changes": {"aliases": {}, "url": {}}},
        "edited the claimant Olaf Scholz: aliases, URL",
        "hat den Urheber Olaf Scholz bearbeitet: Aliasnamen, URL",
    ),
    Event.Verb.CLAIMANT_MERGED: (
        {"claimant": 7, "name": "Olaf Scholz", "duplicate": 9, "duplicate_name": "O. Scholz"},
        "merged the claimant O. Scholz into Olaf Scholz",
        "hat den Urheber O. Scholz mit Olaf Scholz zusammengeführt",
    ),
}


def test_the_history_has_a_sentence_for_every_verb():
    assert set(history.SENTENCES) == set(Event.Verb)
    assert set(SENTENCES) == set(Event.Verb)


@pytest.mark.django_db
@pytest.mark.parametrize("verb", list(Event.Verb), ids=[v.value for v in Event.Verb])
def test_each_verb_reads_as_a_sentence_in_english_and_in_german(verb):
    data, english, german = SENTENCES[verb]
    event = Event(verb=verb, data=data)
    with translation.override("en"):
        assert history.summary(event, history.Names.load()) == english
    with translation.override("de"):
        assert history.summary(event, history.Names.load()) == german


def test_every_verb_has_a_german_label():
    with translation.override("en"):
        english = {verb: str(verb.label) for verb in Event.Verb}
    with translation.override("de"):
        untranslated = [verb.value for verb in Event.Verb if str(verb.label) == english[verb]]
    assert untranslated == []


def test_a_stored_verb_outside_the_choices_is_shown_as_it_is():
    event = Event(verb="legacy.step", data={})
    assert history.summary(event, history.Names(labels={}, ratings={})) == "legacy.step"
