"""The double review's pages (review, approvals) and the desk's dashboard, through the client."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import services
from annotations.models import Annotation, Verdict

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
HOSTILE = '<script>alert("x")</script>'


def propose(user, claim, rating, rationale=RATIONALE):
    return services.verdict_propose(
        actor=user,
        annotation_id=claim.pk,
        rating=rating,
        rationale=rationale,
        evidence=[services.EvidenceInput(url="https://example.org/a")],
    )


@pytest.fixture
def double(chief, reviewer, other_reviewer, claim):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    return claim


# --- the review page ------------------------------------------------------------------------


def test_chief_asks_for_a_double_review_from_the_review_page(
    client, chief, reviewer, other_reviewer, claim
):
    client.force_login(chief)
    page = client.get(f"/annotations/{claim.pk}/").content.decode()
    assert 'id="double-review"' in page
    response = client.post(
        f"/annotations/{claim.pk}/double-review/", {"first": "reviewer", "second": "reviewer2"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.double_review is True


def test_double_review_with_one_reviewer_shows_the_error(client, chief, reviewer, claim):
    client.force_login(chief)
    response = client.post(f"/annotations/{claim.pk}/double-review/", {"first": "reviewer"})
    assert response.status_code == 400
    assert "choose two different reviewers" in response.content.decode()


def test_editor_is_refused_a_double_review_on_the_page(client, editor, reviewer, claim):
    client.force_login(editor)
    page = client.get(f"/annotations/{claim.pk}/").content.decode()
    assert 'id="double-review"' not in page
    response = client.post(
        f"/annotations/{claim.pk}/double-review/", {"first": "reviewer", "second": "reviewer2"}
    )
    assert response.status_code == 403


def test_other_reviewer_does_not_see_the_sealed_verdict(client, double, reviewer, other_reviewer):
    propose(reviewer, double, "false", rationale="Geheime Begründung: " + RATIONALE)
    client.force_login(other_reviewer)
    page = client.get(f"/annotations/{double.pk}/").content.decode()
    assert "Geheime Begründung" not in page
    assert "rating-false" not in page.split('id="verdicts"')[-1].split("</section>")[0]
    assert 'id="sealed-note"' not in page
    client.force_login(reviewer)
    own = client.get(f"/annotations/{double.pk}/").content.decode()
    assert "Geheime Begründung" in own
    assert 'id="sealed-note"' in own


# --- approvals ------------------------------------------------------------------------------


def test_approvals_show_both_verdicts_side_by_side(client, double, reviewer, other_reviewer, chief):
    first = propose(reviewer, double, "false", rationale=HOSTILE + RATIONALE)
    second = propose(other_reviewer, double, "mostly-false")
    client.force_login(chief)
    page = client.get("/approvals/").content.decode()
    assert page.count('class="pair-verdict"') == 2
    assert f'id="pair-verdict-{first.pk}"' in page and f'id="pair-verdict-{second.pk}"' in page
    assert HOSTILE not in page
    assert "Write the final verdict instead" in page


def test_approvals_hide_a_sealed_verdict(client, double, reviewer, chief):
    propose(reviewer, double, "false")
    client.force_login(chief)
    page = client.get("/approvals/").content.decode()
    assert "pair-verdict" not in page
    assert "No verdict is waiting for approval." in page


def test_chief_approves_one_from_the_pair(client, double, reviewer, other_reviewer, chief):
    propose(reviewer, double, "false")
    second = propose(other_reviewer, double, "mostly-false")
    client.force_login(chief)
    response = client.post(f"/verdicts/{second.pk}/approve/", {"return_to": "approvals"})
    assert response.status_code == 302
    assert Annotation.objects.get(pk=double.pk).status == "approved"


def test_chief_writes_the_final_verdict_on_the_page(
    client, double, reviewer, other_reviewer, chief
):
    propose(reviewer, double, "false")
    propose(other_reviewer, double, "mostly-false")
    client.force_login(chief)
    response = client.post(
        f"/annotations/{double.pk}/final-verdict/", {"rating": "half-true", "rationale": RATIONALE}
    )
    assert response.status_code == 302
    final = Verdict.objects.get(annotation=double, is_blind=False)
    assert (final.rating.slug, final.author, final.status) == ("half-true", chief, "proposed")


def test_final_verdict_without_a_rationale_shows_the_error(
    client, double, reviewer, other_reviewer, chief
):
    propose(reviewer, double, "false")
    propose(other_reviewer, double, "mostly-false")
    client.force_login(chief)
    response = client.post(f"/annotations/{double.pk}/final-verdict/", {"rating": "half-true"})
    assert response.status_code == 400
    assert "the rationale needs at least 20 characters" in response.content.decode()


# --- the dashboard ------------------------------------------------------------------------


def test_chief_sees_the_dashboard_with_charts_and_tables(client, chief):
    client.force_login(chief)
    response = client.get("/insights/")
    assert response.status_code == 200
    page = response.content.decode()
    for chart in ("chart-ratings", "chart-timing-approval", "chart-checks", "chart-agreement"):
        assert re.search(rf'<svg class="chart" id="{chart}"[^>]*role="img"', page)
        assert f'<title id="{chart}-title">' in page and f'<desc id="{chart}-desc">' in page
    assert page.count("<caption id=") >= 5
    assert 'id="alpha-overall"' in page
    assert "no claim has two ratings yet" in page
    assert "style=" not in page.split("<main")[-1]
    assert "<script>" not in page


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_only_chiefs_see_the_dashboard(client, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.get("/insights/")
    assert response.status_code == 403
    assert "The desk&#x27;s dashboard is for chiefs." in response.content.decode()


def test_outsider_is_refused_the_dashboard(client, outsider):
    client.force_login(outsider)
    assert client.get("/insights/").status_code == 403


def test_dashboard_shows_agreement_per_pair(client, double, reviewer, other_reviewer, chief):
    propose(reviewer, double, "false")
    propose(other_reviewer, double, "false")
    client.force_login(chief)
    page = client.get("/insights/").content.decode()
    table = page.split('id="table-agreement-pairs"')[1].split("</table>")[0]
    assert "reviewer + reviewer2" in table
    assert "every rating is the same" in table


def test_dashboard_runs_the_same_queries_with_more_claims(
    client, chief, editor, reviewer, other_reviewer, double
):
    client.force_login(chief)
    client.get("/insights/")
    with CaptureQueriesContext(connection) as few:
        client.get("/insights/")
    propose(reviewer, double, "false")
    propose(other_reviewer, double, "true")
    with CaptureQueriesContext(connection) as more:
        client.get("/insights/")
    assert len(more.captured_queries) == len(few.captured_queries)


def test_tables_download_as_csv(client, chief):
    client.force_login(chief)
    response = client.get("/insights/ratings.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "rating,name,count"
    assert lines[1].startswith("true,")


def test_agreement_csv_has_the_items_behind_each_figure(client, chief):
    client.force_login(chief)
    lines = client.get("/insights/agreement.csv").content.decode().splitlines()
    assert lines == ["scope,key,alpha,items,reason", "overall,,,0,no_pairs"]


def test_unknown_csv_table_is_not_found(client, chief):
    client.force_login(chief)
    assert client.get("/insights/secrets.csv").status_code == 404


def test_reviewer_cannot_download_the_csv(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/insights/queues.csv").status_code == 403
