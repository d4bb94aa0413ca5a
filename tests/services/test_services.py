"""Every workflow transition through services, with its forbidden and conflict cases."""

import pytest
from django.test import override_settings

from annotations import services
from annotations.models import (
    Annotation,
    Article,
    ArticleRevision,
    Assignment,
    Event,
    Evidence,
    SourceCheck,
    Verdict,
)
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
EVIDENCE = [services.EvidenceInput(url="https://example.org/haushalt", title="Haushaltsplan")]


def verbs(annotation):
    return list(Event.objects.filter(annotation=annotation).values_list("verb", flat=True))


def propose(reviewer, claim, **kwargs):
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating=kwargs.pop("rating", "true"),
        rationale=kwargs.pop("rationale", RATIONALE),
        evidence=kwargs.pop("evidence", EVIDENCE),
    )


@pytest.fixture
def assigned(editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def proposed(reviewer, assigned):
    return propose(reviewer, assigned)


# --- articles -------------------------------------------------------------------------------


def test_editor_creates_article_with_revision_one_and_detected_language(editor):
    article = services.article_create(
        actor=editor, title="Bahn", body="Die Bahn hat am Montag neue Züge bestellt.\r\nMehr folgt."
    )
    assert article.language == "de"
    assert article.text == "Die Bahn hat am Montag neue Züge bestellt.\nMehr folgt."
    assert list(
        ArticleRevision.objects.filter(article=article).values_list("number", flat=True)
    ) == [1]
    assert Event.objects.filter(article=article, verb="article.created").count() == 1


def test_reviewer_cannot_create_an_article(reviewer):
    with pytest.raises(services.Forbidden, match="only editors and chiefs can create articles"):
        services.article_create(actor=reviewer, title="x", body="text")
    assert Article.objects.count() == 0


@override_settings(FACTCHECK_MAX_ARTICLE_CHARS=100)
def test_article_over_the_size_limit_is_refused_and_nothing_is_written(editor):
    with pytest.raises(services.TooLarge, match="the article has 101 characters; the limit is 100"):
        services.article_create(actor=editor, title="Lang", body="a" * 101)
    assert Article.objects.count() == 0


def test_empty_article_text_is_refused(editor):
    with pytest.raises(services.Invalid, match="the article text is empty"):
        services.article_create(actor=editor, title="Leer", body=" \n ")


def test_text_change_stores_a_revision_and_reanchors_every_annotation(editor, article, claim):
    inserted = "EILMELDUNG: "
    updated, counts = services.article_update(
        actor=editor, article_id=article.pk, fields={}, body=inserted + article.text
    )
    claim.refresh_from_db()
    assert counts == {"anchored": 1, "fuzzy": 0, "orphaned": 0}
    assert updated.revision == 2
    assert claim.start == article.text.index(claim.exact) + len(inserted)
    assert updated.text[claim.start : claim.end] == claim.exact
    assert claim.version == 2
    assert ArticleRevision.objects.filter(article=article).count() == 2


def test_deleting_an_annotated_sentence_orphans_the_annotation_and_keeps_it(editor, article, claim):
    body = article.text.replace(claim.exact, "")
    _, counts = services.article_update(actor=editor, article_id=article.pk, fields={}, body=body)
    claim.refresh_from_db()
    assert counts["orphaned"] == 1
    assert claim.anchor_state == "orphaned"
    assert Annotation.objects.filter(pk=claim.pk).exists()
    assert "annotation.orphaned" in verbs(claim)


def test_unchanged_text_makes_no_revision(editor, article):
    _, counts = services.article_update(
        actor=editor, article_id=article.pk, fields={}, body=article.text
    )
    assert counts is None
    assert ArticleRevision.objects.filter(article=article).count() == 1


def test_archiving_twice_is_a_conflict(editor, article):
    services.article_archive(actor=editor, article_id=article.pk)
    with pytest.raises(services.Conflict, match="already archived"):
        services.article_archive(actor=editor, article_id=article.pk)


# --- annotations ----------------------------------------------------------------------------


def test_annotation_stores_exact_prefix_and_suffix(claim, article):
    assert claim.exact == "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
    assert claim.prefix == article.text[max(0, claim.start - 32) : claim.start]
    assert claim.suffix == article.text[claim.end : claim.end + 32]
    assert claim.status == "open"
    assert verbs(claim) == ["annotation.created"]


def test_annotation_past_the_end_names_the_text_length(editor, article):
    n = len(article.text)
    with pytest.raises(services.Invalid) as error:
        services.annotation_create(
            actor=editor, article_id=article.pk, label="claim", start=5, end=n + 3
        )
    assert error.value.message == f"end {n + 3} is past the end of the text ({n} characters)"
    assert Annotation.objects.count() == 0


def test_annotation_with_mismatched_exact_shows_what_is_there(editor, article):
    with pytest.raises(
        services.Invalid, match="exact does not match the text at 0–6: found 'Berlin'"
    ):
        services.annotation_create(
            actor=editor, article_id=article.pk, label="claim", start=0, end=6, exact="Hamburg"
        )


def test_utf16_offsets_around_an_emoji_are_converted_to_code_points(editor, article):
    quote = "Größenfans 😀 und 𝔘"
    start = article.text.index(quote)
    utf16_start = len(article.text[:start].encode("utf-16-le")) // 2
    utf16_end = utf16_start + len(quote.encode("utf-16-le")) // 2
    annotation = services.annotation_create(
        actor=editor,
        article_id=article.pk,
        label="opinion",
        start=utf16_start,
        end=utf16_end,
        offset_unit="utf16",
    )
    assert (annotation.start, annotation.end) == (start, start + len(quote))
    assert annotation.exact == quote


def test_unknown_label_is_invalid(editor, article):
    with pytest.raises(services.Invalid, match="unknown label 'rumour'"):
        services.annotation_create(
            actor=editor, article_id=article.pk, label="rumour", start=0, end=3
        )


def test_reviewer_cannot_annotate(reviewer, article):
    with pytest.raises(services.Forbidden):
        services.annotation_create(
            actor=reviewer, article_id=article.pk, label="claim", start=0, end=6
        )


def test_edit_with_current_version_bumps_version_and_records_the_change(editor, claim):
    updated = services.annotation_update(
        actor=editor, annotation_id=claim.pk, changes={"note": "prüfen"}, expected_version=1
    )
    assert (updated.note, updated.version) == ("prüfen", 2)
    event = Event.objects.get(annotation=claim, verb="annotation.updated")
    assert event.data == {"note": {"from": "", "to": "prüfen"}}


def test_edit_with_a_stale_version_is_refused_and_changes_nothing(editor, claim):
    services.annotation_update(
        actor=editor, annotation_id=claim.pk, changes={"note": "a"}, expected_version=1
    )
    with pytest.raises(services.Stale, match="now version 2, you edited version 1"):
        services.annotation_update(
            actor=editor, annotation_id=claim.pk, changes={"note": "b"}, expected_version=1
        )
    claim.refresh_from_db()
    assert (claim.note, claim.version) == ("a", 2)


def test_withdrawn_annotation_cannot_be_edited_or_withdrawn_again(editor, claim):
    services.annotation_withdraw(actor=editor, annotation_id=claim.pk)
    with pytest.raises(services.Conflict, match="withdrawn"):
        services.annotation_update(
            actor=editor, annotation_id=claim.pk, changes={"note": "x"}, expected_version=None
        )
    with pytest.raises(services.Conflict, match="already withdrawn"):
        services.annotation_withdraw(actor=editor, annotation_id=claim.pk)
    assert Annotation.objects.filter(pk=claim.pk, status="withdrawn").exists()


def test_a_source_span_gets_an_attribution_check(editor, article):
    source = make_annotation(editor, article, "Source / Quelle: Via", label="source")
    check = SourceCheck.objects.get(annotation=source)
    assert (check.status, check.attribution, check.url) == ("pending", "Source / Quelle: Via", "")


# --- assignment -----------------------------------------------------------------------------


def test_assigning_a_reviewer_moves_the_annotation_to_assigned(editor, reviewer, claim):
    annotation = services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    assert annotation.status == "assigned"
    assert Assignment.objects.get(annotation=claim).state == "pending"
    assert verbs(claim) == ["annotation.created", "annotation.assigned"]


def test_only_reviewers_can_be_assigned(editor, chief, claim):
    with pytest.raises(services.Invalid, match="'chief' is not a reviewer"):
        services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=chief)
    assert not Assignment.objects.exists()


def test_reviewer_cannot_assign(reviewer, claim):
    with pytest.raises(services.Forbidden, match="only editors and chiefs can assign"):
        services.annotation_assign(actor=reviewer, annotation_id=claim.pk, reviewer=reviewer)


def test_assigning_the_same_reviewer_twice_is_a_conflict(editor, reviewer, assigned):
    with pytest.raises(services.Conflict, match="already assigned to reviewer"):
        services.annotation_assign(actor=editor, annotation_id=assigned.pk, reviewer=reviewer)
    assert Assignment.objects.filter(annotation=assigned).count() == 1


def test_assigning_a_proposed_annotation_is_a_conflict_naming_its_state(
    editor, other_reviewer, proposed
):
    with pytest.raises(services.Conflict, match="the annotation is proposed"):
        services.annotation_assign(
            actor=editor, annotation_id=proposed.annotation_id, reviewer=other_reviewer
        )


def test_declining_returns_the_item_to_open(reviewer, assigned):
    annotation = services.assignment_decline(
        actor=reviewer, annotation_id=assigned.pk, reason="Befangen"
    )
    assert annotation.status == "open"
    assert Assignment.objects.get(annotation=assigned).state == "declined"


# --- verdicts -------------------------------------------------------------------------------


def test_assigned_reviewer_proposes_a_verdict_with_evidence(reviewer, assigned):
    verdict = propose(reviewer, assigned)
    assigned.refresh_from_db()
    assert (verdict.status, assigned.status) == ("proposed", "proposed")
    assert Evidence.objects.filter(verdict=verdict).count() == 1
    assert SourceCheck.objects.filter(evidence__verdict=verdict, status="pending").count() == 1
    assert "verdict.proposed" in verbs(assigned)


def test_reviewer_cannot_propose_on_an_item_not_assigned_to_them(other_reviewer, assigned):
    with pytest.raises(services.Forbidden, match="only the reviewer assigned"):
        propose(other_reviewer, assigned)
    assert not Verdict.objects.exists()


def test_claim_verdict_without_evidence_is_invalid_and_writes_nothing(reviewer, assigned):
    with pytest.raises(services.Invalid, match="needs at least one evidence URL"):
        propose(reviewer, assigned, evidence=[])
    assert not Verdict.objects.exists()


def test_short_rationale_is_invalid(reviewer, assigned):
    with pytest.raises(services.Invalid, match="at least 20 characters"):
        propose(reviewer, assigned, rationale="zu kurz")


def test_a_bad_second_evidence_url_leaves_nothing_half_written(reviewer, assigned):
    evidence = [*EVIDENCE, services.EvidenceInput(url="javascript:alert(1)")]
    with pytest.raises(services.Invalid):
        propose(reviewer, assigned, evidence=evidence)
    assert not Verdict.objects.exists()
    assert not Evidence.objects.exists()
    assigned.refresh_from_db()
    assert assigned.status == "assigned"


def test_unknown_rating_is_invalid(reviewer, assigned):
    with pytest.raises(services.Invalid, match="unknown rating 'pants-on-fire'"):
        propose(reviewer, assigned, rating="pants-on-fire")


def test_proposing_twice_is_a_conflict(reviewer, proposed):
    Assignment.objects.filter(annotation_id=proposed.annotation_id).update(state="pending")
    with pytest.raises(services.Conflict, match="the annotation is proposed"):
        propose(reviewer, proposed.annotation)


def test_chief_approves_a_proposed_verdict(chief, proposed):
    verdict = services.verdict_approve(actor=chief, verdict_id=proposed.pk, note="ok")
    proposed.annotation.refresh_from_db()
    assert (verdict.status, verdict.decided_by, proposed.annotation.status) == (
        "approved",
        chief,
        "approved",
    )
    assert verbs(proposed.annotation)[-1] == "verdict.approved"


def test_chief_who_is_also_the_author_cannot_approve_their_own_verdict(
    editor, chief_reviewer, claim
):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=chief_reviewer)
    verdict = propose(chief_reviewer, claim)
    with pytest.raises(services.Forbidden, match="you cannot approve your own verdict"):
        services.verdict_approve(actor=chief_reviewer, verdict_id=verdict.pk)
    verdict.refresh_from_db()
    assert verdict.status == "proposed"


def test_editor_cannot_approve(editor, proposed):
    with pytest.raises(services.Forbidden, match="only chiefs can approve"):
        services.verdict_approve(actor=editor, verdict_id=proposed.pk)


def test_approving_an_approved_verdict_is_a_conflict_naming_its_state(chief, proposed):
    services.verdict_approve(actor=chief, verdict_id=proposed.pk)
    with pytest.raises(services.Conflict, match="the verdict is approved"):
        services.verdict_approve(actor=chief, verdict_id=proposed.pk)


def test_rejection_returns_the_item_to_the_reviewers_queue_with_the_note(chief, reviewer, proposed):
    services.verdict_reject(actor=chief, verdict_id=proposed.pk, note="Quelle fehlt")
    proposed.annotation.refresh_from_db()
    assert proposed.annotation.status == "assigned"
    assert (
        Assignment.objects.get(annotation=proposed.annotation, reviewer=reviewer).state == "pending"
    )
    event = Event.objects.get(annotation=proposed.annotation, verb="verdict.rejected")
    assert event.data["note"] == "Quelle fehlt"
    again = propose(reviewer, proposed.annotation, rating="false")
    assert again.status == "proposed"


def test_rejection_needs_a_note(chief, proposed):
    with pytest.raises(services.Invalid, match="say why"):
        services.verdict_reject(actor=chief, verdict_id=proposed.pk, note=" ")
    proposed.refresh_from_db()
    assert proposed.status == "proposed"


def test_evidence_url_that_is_not_http_is_refused(editor, claim):
    with pytest.raises(services.Invalid, match="http"):
        services.evidence_add(actor=editor, annotation_id=claim.pk, url="file:///etc/passwd")
    assert not Evidence.objects.exists()


def test_removing_evidence_keeps_the_row(editor, claim):
    evidence = services.evidence_add(
        actor=editor, annotation_id=claim.pk, url="https://example.org/a"
    )
    services.evidence_remove(actor=editor, evidence_id=evidence.pk)
    evidence.refresh_from_db()
    assert evidence.removed_at is not None
    assert verbs(claim)[-2:] == ["evidence.added", "evidence.removed"]


def test_comment_records_an_event(reviewer, claim):
    services.comment_add(actor=reviewer, annotation_id=claim.pk, body="<b>Quelle?</b>")
    assert (
        Event.objects.get(annotation=claim, verb="comment.added").data["body"] == "<b>Quelle?</b>"
    )


def test_outsider_cannot_comment(outsider, claim):
    with pytest.raises(services.Forbidden):
        services.comment_add(actor=outsider, annotation_id=claim.pk, body="hi")


# --- publishing -----------------------------------------------------------------------------


def test_publishing_with_an_open_claim_is_a_conflict(chief, claim, article):
    with pytest.raises(services.Conflict, match="1 claim\\(s\\) have no approved verdict"):
        services.article_publish(actor=chief, article_id=article.pk)
    article.refresh_from_db()
    assert article.status != "published"


def test_publishing_with_open_claims_confirmed_works(chief, claim, article):
    published, changed = services.article_publish(
        actor=chief, article_id=article.pk, with_open_claims=True
    )
    assert published.status == "published"
    assert changed is True


def test_only_chiefs_publish(editor, article):
    with pytest.raises(services.Forbidden, match="only chiefs can publish"):
        services.article_publish(actor=editor, article_id=article.pk)


def test_the_whole_loop_leaves_a_complete_history(editor, reviewer, chief, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    first = propose(reviewer, claim)
    services.verdict_reject(actor=chief, verdict_id=first.pk, note="Mehr Belege")
    second = propose(reviewer, claim, rating="mostly-true")
    services.verdict_approve(actor=chief, verdict_id=second.pk)
    assert verbs(claim) == [
        "annotation.created",
        "annotation.assigned",
        "evidence.added",
        "verdict.proposed",
        "verdict.rejected",
        # The same evidence URL again: the first evidence stands, nothing is added.
        "verdict.proposed",
        "verdict.approved",
    ]


def test_a_second_article_does_not_share_annotations(editor):
    first = make_article(editor, title="Eins")
    second = make_article(editor, title="Zwei")
    make_annotation(editor, first, "Bundesregierung")
    assert second.annotations.count() == 0
