"""Claimants over the API: /api/v1/claimants/ (search, create, read, edit), the annotation
object's `claimant`, the exports' columns, the ClaimReview's claim author, and the claimant
a claim suggestion proposes."""

import csv
import io
import json

import pytest
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Annotation, Article, Claimant, Event
from tests.factories import api_token, make_annotation, make_article

pytestmark = pytest.mark.django_db

CLAIMANTS = "/api/v1/claimants/"


def api(user, language: str | None = None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    if language:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.fixture
def destatis(editor) -> Claimant:
    return services.claimant_create(
        actor=editor,
        name="Statistisches Bundesamt",
        kind="organisation",
        aliases=["Destatis"],
        url="https://www.destatis.de/",
    )


@pytest.fixture
def scholz(editor) -> Claimant:
    return services.claimant_create(
        actor=editor, name="Olaf Scholz", kind="person", aliases=["Scholz"]
    )


# --- the list, its search, create, read, edit -------------------------------------------


def test_the_search_matches_an_alias_in_any_case(reviewer, destatis, scholz):
    response = api(reviewer).get(CLAIMANTS, {"q": "DESTAT"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0] == {
        "id": destatis.pk,
        "name": "Statistisches Bundesamt",
        "kind": "organisation",
        "aliases": ["Destatis"],
        "url": "https://www.destatis.de/",
        "description": "",
        "created_by": "editor",
        "created_at": body["results"][0]["created_at"],
        "updated_at": body["results"][0]["updated_at"],
    }


def test_the_list_without_a_query_is_by_name_and_filters_by_kind(reviewer, destatis, scholz):
    everyone = api(reviewer).get(CLAIMANTS).json()["results"]
    assert [c["name"] for c in everyone] == ["Olaf Scholz", "Statistisches Bundesamt"]
    people = api(reviewer).get(CLAIMANTS, {"kind": "person"}).json()["results"]
    assert [c["name"] for c in people] == ["Olaf Scholz"]


def test_an_unknown_kind_in_the_query_is_a_400(reviewer):
    response = api(reviewer).get(CLAIMANTS, {"kind": "party"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_the_list_reads_a_constant_number_of_queries(
    reviewer, editor, django_assert_max_num_queries
):
    for n in range(50):
        services.claimant_create(actor=editor, name=f"Sprecher {n}", kind="person")
    client = api(reviewer)
    client.get(CLAIMANTS)  # the token's first use
    with django_assert_max_num_queries(6):
        response = client.get(CLAIMANTS, {"q": "sprecher", "page_size": 50})
    assert response.json()["count"] == 50


def test_an_editor_creates_a_claimant(editor):
    response = api(editor).post(
        CLAIMANTS,
        {"name": "Olaf Scholz", "kind": "person", "aliases": ["Scholz"]},
        format="json",
    )
    assert response.status_code == 201
    claimant = Claimant.objects.get()
    assert response.json()["id"] == claimant.pk
    assert (claimant.name, claimant.aliases, claimant.created_by) == (
        "Olaf Scholz",
        ["Scholz"],
        editor,
    )


def test_a_chief_creates_a_claimant(chief):
    response = api(chief).post(CLAIMANTS, {"name": "Destatis", "kind": "organisation"})
    assert response.status_code == 201


def test_a_reviewer_may_read_but_not_create(reviewer, scholz):
    assert api(reviewer).get(f"{CLAIMANTS}{scholz.pk}/").json()["name"] == "Olaf Scholz"
    response = api(reviewer).post(CLAIMANTS, {"name": "Destatis", "kind": "organisation"})
    assert response.status_code == 403
    assert response.json() == {"detail": "only editors and chiefs can create claimants"}
    assert Claimant.objects.count() == 1


def test_a_reviewer_may_not_edit(reviewer, scholz):
    response = api(reviewer).patch(f"{CLAIMANTS}{scholz.pk}/", {"name": "O. Scholz"})
    assert response.status_code == 403
    scholz.refresh_from_db()
    assert scholz.name == "Olaf Scholz"


def test_an_outsider_is_refused_and_an_anonymous_caller_is_asked_to_log_in(outsider, scholz):
    assert api(outsider).get(CLAIMANTS).status_code == 403
    assert APIClient().get(CLAIMANTS).status_code == 401


def test_a_duplicate_name_answers_409_with_the_existing_claimant(editor, scholz):
    response = api(editor).post(CLAIMANTS, {"name": "olaf scholz", "kind": "person"})
    assert response.status_code == 409
    assert response.json()["claimant"] == scholz.pk
    assert response.json()["detail"] == f"there is already a claimant “Olaf Scholz” ({scholz.pk})"


def test_validation_errors_are_in_the_callers_language(editor):
    response = api(editor, "de").post(
        CLAIMANTS, {"name": "Olaf", "kind": "person", "url": "ftp://example.org/"}, format="json"
    )
    assert response.status_code == 400
    assert "url" in response.json()
    empty = api(editor, "de").post(CLAIMANTS, {"name": "   ", "kind": "person"}, format="json")
    assert empty.status_code == 400
    assert empty.json()["name"] == ["Dieses Feld darf nicht leer sein."]
    kind = api(editor, "de").post(CLAIMANTS, {"name": "Olaf", "kind": "partei"}, format="json")
    assert kind.status_code == 400
    assert kind.json()["kind"] == ['"partei" ist keine gültige Option.']
    assert not Claimant.objects.exists()


def test_an_unknown_key_is_refused(editor):
    response = api(editor).post(
        CLAIMANTS, {"name": "Olaf", "kind": "person", "party": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "party" in response.json()


def test_an_edit_answers_the_claimant(editor, scholz):
    response = api(editor).patch(
        f"{CLAIMANTS}{scholz.pk}/", {"aliases": ["Bundeskanzler Scholz"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["aliases"] == ["Bundeskanzler Scholz"]


def test_an_unknown_claimant_is_a_404(reviewer):
    assert api(reviewer).get(f"{CLAIMANTS}999/").status_code == 404


def test_merging_folds_a_duplicate_into_the_claimant(editor, claim, scholz):
    duplicate = services.claimant_create(actor=editor, name="O. Scholz", kind="person")
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=duplicate.pk)
    response = api(editor).post(
        f"{CLAIMANTS}{scholz.pk}/merge/", {"duplicate": duplicate.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["aliases"] == ["Scholz", "O. Scholz"]
    assert api(editor).get(f"{CLAIMANTS}{duplicate.pk}/").status_code == 404
    detail = api(editor).get(f"/api/v1/annotations/{claim.pk}/")
    assert detail.json()["claimant"]["id"] == scholz.pk


def test_a_reviewer_may_not_merge(editor, reviewer, scholz):
    duplicate = services.claimant_create(actor=editor, name="O. Scholz", kind="person")
    response = api(reviewer).post(
        f"{CLAIMANTS}{scholz.pk}/merge/", {"duplicate": duplicate.pk}, format="json"
    )
    assert response.status_code == 403
    assert Claimant.objects.count() == 2


def test_merging_an_unknown_duplicate_is_a_404(editor, scholz):
    response = api(editor).post(f"{CLAIMANTS}{scholz.pk}/merge/", {"duplicate": 999}, format="json")
    assert response.status_code == 404


# --- the annotation object ---------------------------------------------------------------


def test_an_annotation_names_no_claimant_until_one_is_set(editor, claim):
    assert api(editor).get(f"/api/v1/annotations/{claim.pk}/").json()["claimant"] is None


def test_a_patch_names_the_claimant_and_moves_the_etag(editor, claim, scholz):
    response = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/",
        {"claimant": scholz.pk},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert response.json()["claimant"] == {
        "id": scholz.pk,
        "name": "Olaf Scholz",
        "kind": "person",
    }
    listed = api(editor).get("/api/v1/annotations/", {"article": claim.article_id}).json()
    assert listed["results"][0]["claimant"]["id"] == scholz.pk
    cleared = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/", {"claimant": None}, format="json"
    )
    assert cleared.json()["claimant"] is None


def test_a_stale_if_match_keeps_the_claimant_unset(editor, claim, scholz):
    response = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/",
        {"claimant": scholz.pk},
        format="json",
        HTTP_IF_MATCH='"5"',
    )
    assert response.status_code == 412
    claim.refresh_from_db()
    assert claim.claimant is None


def test_an_unknown_claimant_id_is_a_400_naming_the_field(editor, claim):
    response = api(editor).patch(
        f"/api/v1/annotations/{claim.pk}/", {"claimant": 424242}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["claimant"] == ["unknown claimant 424242"]


def test_a_reviewer_may_not_name_a_claimant(reviewer, claim, scholz):
    response = api(reviewer).patch(
        f"/api/v1/annotations/{claim.pk}/", {"claimant": scholz.pk}, format="json"
    )
    assert response.status_code == 403


def test_a_claim_is_created_with_its_claimant(editor, article, scholz):
    start = article.text.index("Die Bundesregierung")
    response = api(editor).post(
        "/api/v1/annotations/",
        {
            "article": article.pk,
            "start": start,
            "end": start + 19,
            "label": "claim",
            "claimant": scholz.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["claimant"] == {
        "id": scholz.pk,
        "name": "Olaf Scholz",
        "kind": "person",
    }


# --- exports -------------------------------------------------------------------------------


def test_bulk_exports_carry_the_claimant_columns(editor, claim, scholz):
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=scholz.pk)
    jsonl = api(editor).get("/api/v1/export/annotations/", {"format": "jsonl"})
    rows = [json.loads(line) for line in b"".join(jsonl.streaming_content).splitlines()]
    assert (rows[0]["claimant_id"], rows[0]["claimant"], rows[0]["claimant_kind"]) == (
        scholz.pk,
        "Olaf Scholz",
        "person",
    )
    listed = api(editor).get("/api/v1/annotations/", {"article": claim.article_id}).json()
    item = listed["results"][0]
    assert rows[0]["claimant_id"] == item["claimant"]["id"]
    csv_body = api(editor).get("/api/v1/export/annotations/", {"format": "csv"})
    table = list(csv.DictReader(io.StringIO(b"".join(csv_body.streaming_content).decode())))
    assert (table[0]["claimant_id"], table[0]["claimant"], table[0]["claimant_kind"]) == (
        str(scholz.pk),
        "Olaf Scholz",
        "person",
    )


def test_a_row_without_claimant_exports_nulls(editor, claim):
    jsonl = api(editor).get("/api/v1/export/annotations/", {"format": "jsonl"})
    row = json.loads(b"".join(jsonl.streaming_content).splitlines()[0])
    assert (row["claimant_id"], row["claimant"], row["claimant_kind"]) == (None, None, None)


def test_the_json_export_names_the_claimant(editor, article, claim, scholz):
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=scholz.pk)
    body = api(editor).get(f"/api/v1/articles/{article.pk}/export/", {"format": "json"}).json()
    assert body["annotations"][0]["claimant"] == {
        "id": scholz.pk,
        "name": "Olaf Scholz",
        "kind": "person",
    }


def approved_claim(editor, reviewer, chief, article, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    verdict = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="true",
        rationale="Der Haushaltsplan nennt exakt diese Summe auf Seite 12.",
        evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
    )
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)


def claimreview(client, article) -> list[dict]:
    response = client.get(f"/api/v1/articles/{article.pk}/export/", {"format": "claimreview"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_claimreview_names_a_person_claimant_as_the_claims_author(
    editor, reviewer, chief, article, claim, scholz
):
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=scholz.pk)
    approved_claim(editor, reviewer, chief, article, claim)
    [review] = claimreview(api(editor), article)
    assert review["itemReviewed"]["@type"] == "Claim"
    assert review["itemReviewed"]["author"] == {
        "@type": "Person",
        "name": "Olaf Scholz",
        "alternateName": ["Scholz"],
    }


def test_claimreview_names_an_organisation_claimant_with_its_url(
    editor, reviewer, chief, claim, destatis
):
    article = Article.objects.get(pk=claim.article_id)
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=destatis.pk)
    approved_claim(editor, reviewer, chief, article, claim)
    [review] = claimreview(api(editor), article)
    assert review["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Statistisches Bundesamt",
        "url": "https://www.destatis.de/",
        "alternateName": ["Destatis"],
    }


def test_claimreview_without_claimant_keeps_the_outlet_as_the_author(editor, reviewer, chief):
    article = make_article(editor, outlet="Demo-Zeitung")
    claim = make_annotation(editor, article, "Die Bundesregierung")
    approved_claim(editor, reviewer, chief, article, claim)
    [review] = claimreview(api(editor), article)
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "Demo-Zeitung"}


# --- suggestions -----------------------------------------------------------------------------

SPOKEN = (
    "Die Arbeitslosigkeit ist im Mai auf 5,8 Prozent gestiegen, sagte Bundeskanzler Olaf "
    "Scholz am Montag in Berlin.\n"
)


def analysed(editor) -> Article:
    article = make_article(editor, title="Arbeitsmarkt", body=SPOKEN)
    services.article_analyse(article_id=article.pk)
    return article


def claim_suggestion(client, article) -> dict:
    response = client.get(f"/api/v1/articles/{article.pk}/suggestions/")
    assert response.status_code == 200
    [claim] = [s for s in response.json()["results"] if s["label"] == "claim"]
    return claim


def test_a_claim_suggestion_proposes_the_known_claimant_it_quotes(editor, scholz):
    article = analysed(editor)
    suggestion = claim_suggestion(api(editor), article)
    assert suggestion["claimant"] == {"id": scholz.pk, "name": "Olaf Scholz", "kind": "person"}
    sources = [
        s
        for s in api(editor).get(f"/api/v1/articles/{article.pk}/suggestions/").json()["results"]
        if s["label"] == "source"
    ]
    assert [s["claimant"] for s in sources] == [None]


def test_a_claim_suggestion_proposes_an_unknown_speaker_as_a_new_claimant(editor):
    article = analysed(editor)
    assert claim_suggestion(api(editor), article)["claimant"] == {
        "id": None,
        "name": "Bundeskanzler Olaf Scholz",
        "kind": None,
    }


def test_accepting_the_suggestion_names_the_known_claimant(editor, scholz):
    article = analysed(editor)
    suggestion = claim_suggestion(api(editor), article)
    response = api(editor).post(
        f"/api/v1/articles/{article.pk}/suggestions/{suggestion['id']}/accept/", {}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["claimant"]["id"] == scholz.pk
    annotation = Annotation.objects.get(pk=response.json()["id"])
    assert annotation.claimant == scholz
    accepted = Event.objects.get(annotation=annotation, verb=Event.Verb.SUGGESTION_ACCEPTED)
    assert accepted.data["claimant"] == {"id": scholz.pk, "name": "Olaf Scholz"}


def test_accepting_a_suggestion_of_an_unknown_speaker_names_nobody_yet(editor):
    article = analysed(editor)
    suggestion = claim_suggestion(api(editor), article)
    response = api(editor).post(
        f"/api/v1/articles/{article.pk}/suggestions/{suggestion['id']}/accept/", {}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["claimant"] is None
    assert not Claimant.objects.exists()
