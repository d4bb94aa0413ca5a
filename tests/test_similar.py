"""Earlier approved verdicts on similar claims from other articles."""

import pytest

from annotations import selectors, services
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db

FIRST = (
    "Berlin – Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der "
    "Schiene freigegeben. Das teilte das Ministerium mit.\n"
)
SECOND = (
    "Hamburg – Wie bereits berichtet, hat die Bundesregierung am Mittwoch 4,2 Milliarden Euro "
    "für den Schienenausbau freigegeben. Pendler hoffen auf mehr Züge.\n"
)
UNRELATED = "München – Der FC Bayern hat am Samstag sein Heimspiel mit 3:0 gewonnen.\n"


def approve(editor, reviewer, chief, annotation, rating="true"):
    services.annotation_assign(actor=editor, annotation_id=annotation.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=annotation.pk,
        rating=rating,
        rationale="Der Kabinettsbeschluss vom Mittwoch nennt genau diese Summe.",
        evidence=[services.EvidenceInput(url="https://example.org/beschluss", title="Beschluss")],
    )
    return services.verdict_approve(actor=chief, verdict_id=verdict.pk)


def test_a_repeated_claim_shows_the_earlier_approved_verdict(editor, reviewer, chief):
    first = make_article(editor, title="Erste Meldung", body=FIRST)
    earlier = make_annotation(
        editor,
        first,
        "Die Bundesregierung hat am Mittwoch 4,2 Milliarden Euro für den Ausbau der Schiene freigegeben",
    )
    verdict = approve(editor, reviewer, chief, earlier)
    second = make_article(editor, title="Zweite Meldung", body=SECOND)
    repeat = make_annotation(
        editor,
        second,
        "hat die Bundesregierung am Mittwoch 4,2 Milliarden Euro für den Schienenausbau freigegeben",
    )
    similar = selectors.similar_claims(repeat)
    assert [item["verdict"] for item in similar] == [verdict.pk]
    assert similar[0]["rating"] == "true"
    assert similar[0]["article_title"] == "Erste Meldung"
    assert similar[0]["evidence"] == [
        {"url": "https://example.org/beschluss", "title": "Beschluss"}
    ]


def test_an_unrelated_claim_has_no_similar_verdicts(editor, reviewer, chief):
    first = make_article(editor, title="Erste Meldung", body=FIRST)
    approve(
        editor,
        reviewer,
        chief,
        make_annotation(editor, first, "4,2 Milliarden Euro für den Ausbau der Schiene"),
    )
    other = make_article(editor, title="Fußball", body=UNRELATED)
    claim = make_annotation(
        editor, other, "Der FC Bayern hat am Samstag sein Heimspiel mit 3:0 gewonnen"
    )
    assert selectors.similar_claims(claim) == []


def test_a_verdict_that_is_only_proposed_is_not_offered(editor, reviewer, chief):
    first = make_article(editor, title="Erste Meldung", body=FIRST)
    earlier = make_annotation(
        editor, first, "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
    )
    services.annotation_assign(actor=editor, annotation_id=earlier.pk, reviewer=reviewer)
    services.verdict_propose(
        actor=reviewer,
        annotation_id=earlier.pk,
        rating="true",
        rationale="Der Kabinettsbeschluss vom Mittwoch nennt genau diese Summe.",
        evidence=[services.EvidenceInput(url="https://example.org/beschluss")],
    )
    second = make_article(editor, title="Zweite Meldung", body=SECOND)
    repeat = make_annotation(
        editor, second, "4,2 Milliarden Euro für den Schienenausbau freigegeben"
    )
    assert selectors.similar_claims(repeat) == []


def test_the_same_article_is_never_its_own_precedent(editor, reviewer, chief):
    first = make_article(editor, title="Erste Meldung", body=FIRST)
    earlier = make_annotation(
        editor, first, "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
    )
    approve(editor, reviewer, chief, earlier)
    again = make_annotation(editor, first, "4,2 Milliarden Euro", label="claim")
    assert selectors.similar_claims(again) == []
