"""The chief's final verdict of a double review, refused: the page comes back with the
rating and the words as posted, the error on its field in the chief's language."""

import re

import pytest

from annotations import services
from annotations.models import Verdict

pytestmark = pytest.mark.django_db

RATIONALE = "Der Haushaltsplan nennt exakt diese Summe auf Seite 12."
TYPED = "Kurz & <knapp>"


@pytest.fixture
def revealed(chief, reviewer, other_reviewer, claim):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    for who, rating, url in ((reviewer, "false", "a"), (other_reviewer, "true", "b")):
        services.verdict_propose(
            actor=who,
            annotation_id=claim.pk,
            rating=rating,
            rationale=RATIONALE,
            evidence=[services.EvidenceInput(url=f"https://example.org/{url}")],
        )
    return claim


def final_form(page: str) -> str:
    return re.search(r'<details class="final-verdict".*?</details>', page, re.S).group(0)


def test_a_short_rationale_keeps_the_chiefs_rating_and_words(client, revealed, chief):
    client.force_login(chief)
    response = client.post(
        f"/annotations/{revealed.pk}/final-verdict/", {"rating": "half-true", "rationale": TYPED}
    )
    assert response.status_code == 400
    form = final_form(response.content.decode())
    assert form.startswith('<details class="final-verdict" open>')
    assert "Kurz &amp; &lt;knapp&gt;</textarea>" in form
    assert 'value="half-true" checked' in form
    assert 'aria-invalid="true"' in form
    assert "the rationale needs at least 20 characters (it has 14)" in form
    assert not Verdict.objects.filter(annotation=revealed, is_blind=False).exists()


def test_the_error_is_in_the_chiefs_language(client, revealed, chief):
    client.force_login(chief)
    response = client.post(
        f"/annotations/{revealed.pk}/final-verdict/",
        {"rating": "half-true", "rationale": TYPED},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    form = final_form(response.content.decode())
    assert "Die Begründung braucht mindestens 20 Zeichen (sie hat 14)" in form


def test_a_missing_rating_keeps_the_words_and_asks_for_a_rating(client, revealed, chief):
    client.force_login(chief)
    response = client.post(
        f"/annotations/{revealed.pk}/final-verdict/",
        {"rationale": RATIONALE},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 400
    form = final_form(response.content.decode())
    assert "Wählen Sie eine Bewertung." in form
    assert f"{RATIONALE}</textarea>" in form
    assert " checked" not in form


def test_other_pairs_keep_their_form_closed_and_empty(client, revealed, chief):
    client.force_login(chief)
    page = client.get("/approvals/").content.decode()
    form = final_form(page)
    assert form.startswith('<details class="final-verdict">')
    assert "aria-invalid" not in form
