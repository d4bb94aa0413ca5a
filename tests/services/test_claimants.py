"""Claimants (services.claimants): create, edit, merge, and a claim span naming one through
the annotation's own edit path (version, event, state rules)."""

import pytest
from django.utils import translation

from annotations import history, selectors, services
from annotations.models import Annotation, Claimant, Event
from tests.factories import make_annotation

pytestmark = pytest.mark.django_db


def olaf(actor, **extra) -> Claimant:
    return services.claimant_create(
        actor=actor, name="Olaf Scholz", kind="person", aliases=["Scholz"], **extra
    )


def test_an_editor_creates_a_claimant_with_its_aliases_and_an_event(editor):
    claimant = services.claimant_create(
        actor=editor,
        name="  Statistisches   Bundesamt ",
        kind="organisation",
        aliases=["Destatis", "destatis", "Statistisches Bundesamt", " StBA "],
        url="https://www.destatis.de/",
    )
    assert (claimant.name, claimant.kind) == ("Statistisches Bundesamt", "organisation")
    assert claimant.aliases == ["Destatis", "StBA"]
    assert claimant.created_by == editor
    event = Event.objects.get(verb=Event.Verb.CLAIMANT_CREATED)
    assert event.data == {
        "claimant": claimant.pk,
        "name": "Statistisches Bundesamt",
        "kind": "organisation",
    }


def test_a_name_taken_in_another_case_is_a_conflict_naming_the_first(editor, chief):
    first = olaf(editor)
    with pytest.raises(services.Conflict) as refused:
        services.claimant_create(actor=chief, name="OLAF SCHOLZ", kind="person")
    assert refused.value.extra == {"claimant": first.pk}
    assert "Olaf Scholz" in refused.value.message
    assert Claimant.objects.count() == 1


def test_the_same_name_may_be_a_person_and_an_organisation(editor):
    olaf(editor)
    services.claimant_create(actor=editor, name="Olaf Scholz", kind="organisation")
    assert Claimant.objects.count() == 2


def test_a_reviewer_may_not_create_a_claimant(reviewer):
    with pytest.raises(services.Forbidden, match="only editors and chiefs can create claimants"):
        olaf(reviewer)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   ", "kind": "person"}, "name"),
        ({"name": "x" * 201, "kind": "person"}, "name"),
        ({"name": "Olaf", "kind": "party"}, "kind"),
        ({"name": "Olaf", "kind": "person", "aliases": [""]}, "aliases"),
        ({"name": "Olaf", "kind": "person", "url": "javascript:alert(1)"}, "url"),
    ],
)
def test_bad_input_is_refused_naming_its_field(editor, fields, field):
    with pytest.raises(services.Invalid) as refused:
        services.claimant_create(actor=editor, **fields)
    assert refused.value.field == field
    assert not Claimant.objects.exists()


def test_a_refusal_is_worded_in_the_readers_language(editor):
    with translation.override("de"), pytest.raises(services.Invalid) as refused:
        services.claimant_create(actor=editor, name=" ", kind="person")
    assert refused.value.message == "Der Name darf nicht leer sein."


def test_an_edit_renames_and_keeps_the_aliases_apart_from_the_name(editor):
    claimant = olaf(editor)
    services.claimant_update(
        actor=editor,
        claimant_id=claimant.pk,
        changes={"name": "Scholz", "aliases": ["Olaf Scholz", "Scholz"]},
    )
    claimant.refresh_from_db()
    assert (claimant.name, claimant.aliases) == ("Scholz", ["Olaf Scholz"])
    assert selectors.claimant_list(q="olaf").get() == claimant
    event = Event.objects.get(verb=Event.Verb.CLAIMANT_UPDATED)
    assert set(event.data["changes"]) == {"name", "aliases"}


def test_a_search_finds_names_and_aliases_in_any_case_with_name_prefixes_first(editor):
    destatis = services.claimant_create(
        actor=editor, name="Statistisches Bundesamt", kind="organisation", aliases=["Destatis"]
    )
    landesamt = services.claimant_create(
        actor=editor, name="Landesamt für Statistik", kind="organisation"
    )
    assert list(selectors.claimant_list(q="DESTATIS")) == [destatis]
    assert list(selectors.claimant_list(q="statisti")) == [destatis, landesamt]
    assert list(selectors.claimant_list(q="Landes")) == [landesamt]


def test_a_claim_names_its_claimant_as_an_edit_with_version_and_event(editor, claim):
    claimant = olaf(editor)
    updated = services.annotation_claimant_set(
        actor=editor, annotation_id=claim.pk, claimant_id=claimant.pk, expected_version=1
    )
    assert (updated.claimant, updated.version) == (claimant, 2)
    event = Event.objects.filter(annotation=claim, verb=Event.Verb.ANNOTATION_UPDATED).get()
    assert event.data == {
        "claimant": {"from": None, "to": {"id": claimant.pk, "name": "Olaf Scholz"}}
    }
    names = history.Names.load()
    with translation.override("en"):
        assert history.summary(event, names) == "named Olaf Scholz as the claimant"
    with translation.override("de"):
        assert history.summary(event, names) == "hat Olaf Scholz als Urheber genannt"


def test_removing_the_claimant_is_recorded_with_its_name(editor, claim):
    claimant = olaf(editor)
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=claimant.pk)
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=None)
    event = Event.objects.filter(annotation=claim, verb=Event.Verb.ANNOTATION_UPDATED).last()
    with translation.override("en"):
        assert history.summary(event, history.Names.load()) == "removed the claimant Olaf Scholz"
    claim.refresh_from_db()
    assert claim.claimant is None


def test_a_stale_version_is_refused_and_changes_nothing(editor, claim):
    claimant = olaf(editor)
    with pytest.raises(services.Stale):
        services.annotation_claimant_set(
            actor=editor, annotation_id=claim.pk, claimant_id=claimant.pk, expected_version=7
        )
    claim.refresh_from_db()
    assert (claim.claimant, claim.version) == (None, 1)


def test_only_a_claim_names_a_claimant(editor, article):
    opinion = make_annotation(editor, article, "Kritiker meinen", label="opinion")
    claimant = olaf(editor)
    with pytest.raises(services.Invalid, match="only a claim names a claimant") as refused:
        services.annotation_claimant_set(
            actor=editor, annotation_id=opinion.pk, claimant_id=claimant.pk
        )
    assert refused.value.field == "claimant"


def test_an_unknown_claimant_id_is_refused(editor, claim):
    with pytest.raises(services.Invalid, match="unknown claimant 999") as refused:
        services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=999)
    assert refused.value.field == "claimant"


def test_a_claim_relabelled_as_an_opinion_names_nobody(editor, claim):
    claimant = olaf(editor)
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=claimant.pk)
    services.annotation_update(
        actor=editor, annotation_id=claim.pk, changes={"label": "opinion"}, expected_version=None
    )
    claim.refresh_from_db()
    assert claim.claimant is None


def test_an_archived_article_refuses_a_claimant(editor, article, claim):
    claimant = olaf(editor)
    services.article_archive(actor=editor, article_id=article.pk)
    with pytest.raises(services.Conflict, match="archived"):
        services.annotation_claimant_set(
            actor=editor, annotation_id=claim.pk, claimant_id=claimant.pk
        )


def test_a_reviewer_may_not_name_a_claimant(editor, reviewer, claim):
    claimant = olaf(editor)
    with pytest.raises(services.Forbidden):
        services.annotation_claimant_set(
            actor=reviewer, annotation_id=claim.pk, claimant_id=claimant.pk
        )


def test_a_claim_may_be_created_with_its_claimant(editor, article):
    claimant = olaf(editor)
    annotation = make_annotation(editor, article, "Die Bundesregierung", claimant=claimant.pk)
    assert annotation.claimant == claimant
    created = Event.objects.get(annotation=annotation, verb=Event.Verb.ANNOTATION_CREATED)
    assert created.data["claimant"] == {"id": claimant.pk, "name": "Olaf Scholz"}


def test_deleting_a_claimant_leaves_its_claims(editor, claim):
    claimant = olaf(editor)
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=claimant.pk)
    claimant.delete()
    claim.refresh_from_db()
    assert claim.claimant is None


def test_merging_moves_the_claims_and_keeps_the_names_as_aliases(editor, article, claim):
    kept = olaf(editor)
    duplicate = services.claimant_create(
        actor=editor, name="O. Scholz", kind="person", aliases=["Bundeskanzler Scholz"]
    )
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=duplicate.pk)
    merged = services.claimant_merge(actor=editor, claimant_id=kept.pk, duplicate_id=duplicate.pk)
    assert merged.aliases == ["Scholz", "O. Scholz", "Bundeskanzler Scholz"]
    assert not Claimant.objects.filter(pk=duplicate.pk).exists()
    claim.refresh_from_db()
    assert (claim.claimant, claim.version) == (kept, 3)
    assert Event.objects.filter(verb=Event.Verb.CLAIMANT_MERGED).get().data["claims"] == 1
    assert selectors.claimant_list(q="o. scholz").get() == kept


def test_a_claimant_is_not_merged_into_itself(editor):
    claimant = olaf(editor)
    with pytest.raises(services.Invalid):
        services.claimant_merge(actor=editor, claimant_id=claimant.pk, duplicate_id=claimant.pk)


def test_annotations_keep_their_other_fields_when_the_claimant_is_named(editor, claim):
    claimant = olaf(editor)
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=claimant.pk)
    after = Annotation.objects.get(pk=claim.pk)
    assert (after.label_id, after.note, after.priority, after.exact) == (
        claim.label_id,
        claim.note,
        claim.priority,
        claim.exact,
    )
