"""Where a claim is read, its claimant is named: the review page, the chiefs' approvals,
the reviewer's queue and the public report. The name is the desk's text: escaped, and
linked nowhere."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import selectors, services
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db

QUOTE = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
RATIONALE = "Der Haushalt 2024 nennt 3,1 Milliarden Euro, nicht 4,2 Milliarden."
HOSTILE = '<script>alert("x")</script> Ministerin'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Ministerin"


@pytest.fixture
def minister(editor):
    return services.claimant_create(
        actor=editor,
        name=HOSTILE,
        kind="person",
        aliases=["Die Ministerin"],
        url="https://example.org/ministerin",
    )


@pytest.fixture
def named_claim(editor, article, minister):
    return make_annotation(editor, article, QUOTE, claimant=minister.pk)


def claimant_line(page: str) -> str:
    """The claimant paragraph of a page (the first), or "" when there is none."""
    found = re.search(r'<p class="claimant".*?</p>', page, re.S)
    return found.group(0) if found else ""


def assign_and_propose(editor, reviewer, annotation):
    services.annotation_assign(actor=editor, annotation_id=annotation.pk, reviewer=reviewer)
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=annotation.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://example.org/haushalt", title="Haushalt")],
    )


def test_the_review_page_names_the_claimant_escaped_and_unlinked(client, reviewer, named_claim):
    client.force_login(reviewer)
    response = client.get(reverse("annotations:annotation-review", args=[named_claim.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    line = claimant_line(page)
    assert "Claimant:" in line
    assert ESCAPED in line
    assert "(Person)" in line
    assert HOSTILE not in page
    assert "<a " not in line
    assert "https://example.org/ministerin" not in page


def test_the_review_page_of_a_claim_without_a_claimant_names_nobody(client, reviewer, claim):
    client.force_login(reviewer)
    response = client.get(reverse("annotations:annotation-review", args=[claim.pk]))
    assert response.status_code == 200
    assert claimant_line(response.content.decode()) == ""


def test_the_approvals_page_names_the_claimant_of_each_proposed_verdict(
    client, editor, reviewer, chief, named_claim
):
    assign_and_propose(editor, reviewer, named_claim)
    client.force_login(chief)
    response = client.get(reverse("annotations:approvals"))
    assert response.status_code == 200
    line = claimant_line(response.content.decode())
    assert ESCAPED in line
    assert "<a " not in line


def test_the_approvals_page_names_the_claimant_of_a_revealed_double_review(
    client, editor, reviewer, other_reviewer, chief, named_claim
):
    services.double_review_request(
        actor=chief, annotation_id=named_claim.pk, reviewers=[reviewer, other_reviewer]
    )
    for who in (reviewer, other_reviewer):
        services.verdict_propose(
            actor=who,
            annotation_id=named_claim.pk,
            rating="false",
            rationale=RATIONALE,
            evidence=[services.EvidenceInput(url="https://example.org/haushalt")],
        )
    client.force_login(chief)
    response = client.get(reverse("annotations:approvals"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="card approval double-review"' in page
    assert ESCAPED in claimant_line(page)


def test_the_queue_row_names_the_claimant(client, editor, reviewer, named_claim, article):
    services.annotation_assign(actor=editor, annotation_id=named_claim.pk, reviewer=reviewer)
    unnamed = make_annotation(editor, article, "sagte die Ministerin")
    services.annotation_assign(actor=editor, annotation_id=unnamed.pk, reviewer=reviewer)
    client.force_login(reviewer)
    response = client.get(reverse("annotations:queue"))
    assert response.status_code == 200
    page = response.content.decode()
    rows = re.findall(r'<tr data-id="(\d+)".*?</tr>', page, re.S)
    assert sorted(int(pk) for pk in rows) == sorted([named_claim.pk, unnamed.pk])
    named_row = re.search(rf'<tr data-id="{named_claim.pk}".*?</tr>', page, re.S).group(0)
    unnamed_row = re.search(rf'<tr data-id="{unnamed.pk}".*?</tr>', page, re.S).group(0)
    assert ESCAPED in claimant_line(named_row)
    assert claimant_line(unnamed_row) == ""


def test_the_queue_names_claimants_with_the_same_number_of_queries_for_1_and_30_rows(
    client, editor, reviewer, other_reviewer
):
    def queue_of(reviewer, rows: int) -> None:
        body = " ".join(f"Satz {n:03d} der Bundesregierung." for n in range(rows))
        article = make_article(editor, title=f"{reviewer.username} {rows}", body=body)
        for n in range(rows):
            claimant = services.claimant_create(
                actor=editor, name=f"{reviewer.username} Sprecher {n}", kind="person"
            )
            annotation = make_annotation(editor, article, f"Satz {n:03d}", claimant=claimant.pk)
            services.annotation_assign(actor=editor, annotation_id=annotation.pk, reviewer=reviewer)

    def queries_for(user, rows: int) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("annotations:queue"))
        assert response.status_code == 200
        assert response.content.decode().count('<p class="claimant"') == rows
        return len(queries)

    queue_of(reviewer, 1)
    queue_of(other_reviewer, 30)
    assert queries_for(reviewer, 1) == queries_for(other_reviewer, 30)


def test_the_public_report_names_the_claimant_of_each_verdict(
    client, editor, reviewer, chief, named_claim, article
):
    verdict = assign_and_propose(editor, reviewer, named_claim)
    services.verdict_approve(actor=chief, verdict_id=verdict.pk)
    gate = selectors.publish_gate(selectors.article_detail(article.pk))
    services.article_publish(
        actor=chief, article_id=article.pk, acknowledge=[w["key"] for w in gate.warnings]
    )
    client.logout()
    response = client.get(reverse("annotations:article-report", args=[article.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    line = claimant_line(page)
    assert "Claimant:" in line
    assert ESCAPED in line
    assert "<a " not in line
    assert HOSTILE not in page


def test_the_claimant_line_speaks_german_to_a_german_desk(client, reviewer, editor, article):
    office = services.claimant_create(
        actor=editor, name="Bundesamt für Beispiele", kind="organisation"
    )
    claim = make_annotation(editor, article, QUOTE, claimant=office.pk)
    client.force_login(reviewer)
    response = client.get(
        reverse("annotations:annotation-review", args=[claim.pk]),
        HTTP_ACCEPT_LANGUAGE="de",
        secure=True,
    )
    assert response.status_code == 200
    line = claimant_line(response.content.decode())
    assert "Urheber:" in line
    assert "Bundesamt für Beispiele" in line
    assert "(Organisation)" in line
