"""The evidence bundle of a double review's proposal that a chief's final verdict closed as not
chosen, that came back when another chief rejected the final verdict, and that a chief then
approved: the desk's bundle and the public's both verify (the closing no longer stands: the
return names it), and a removed return event is caught."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from rest_framework.test import APIClient

from annotations import bundle, selectors, services
from annotations.models import Article
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RATIONALE = "Das Ministerium bestätigt die Summe in seiner Mitteilung."
FINAL_RATIONALE = "Beide Prüfungen zusammen: die Summe stimmt, der Zeitraum nicht."
NOTE = "Der Zeitraum ist eindeutig; bitte neu entscheiden."


@pytest.fixture(autouse=True)
def signing_key(settings) -> str:
    settings.BUNDLE_SIGNING_KEY = bundle.new_private_key_text()
    settings.FACTCHECK_ORG_NAME = "Faktencheck-Redaktion"
    return settings.BUNDLE_SIGNING_KEY


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def bundle_of(verdict_id: int, user=None) -> bytes:
    response = api(user).get(f"/api/v1/verdicts/{verdict_id}/bundle/")
    assert response.status_code == 200
    return response.content


def manifest_of(content: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return json.loads(archive.read("manifest.json"))


@pytest.fixture
def redecided(chief, editor, reviewer, other_reviewer, claim):
    """Not chosen by the final verdict, back after its rejection, then approved; the article
    published. Returns the approved proposal."""
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    chosen = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://bund.example/a")],
    )
    services.verdict_propose(
        actor=other_reviewer,
        annotation_id=claim.pk,
        rating="mostly-false",
        rationale=RATIONALE + " Anders gewichtet.",
        evidence=[services.EvidenceInput(url="https://bund.example/b")],
    )
    final = services.double_review_finalise(
        actor=chief, annotation_id=claim.pk, rating="half-true", rationale=FINAL_RATIONALE
    )
    second_chief = UserFactory(username="chief2", roles=["chief"])
    services.verdict_reject(actor=second_chief, verdict_id=final.pk, note=NOTE)
    services.verdict_approve(actor=second_chief, verdict_id=chosen.pk)
    gate = selectors.publish_gate(Article.objects.get(pk=claim.article_id))
    services.article_publish(
        actor=chief, article_id=claim.article_id, acknowledge=[w["key"] for w in gate.warnings]
    )
    return chosen


@pytest.mark.parametrize("audience", ["desk", "public"])
def test_the_bundle_of_the_proposal_approved_after_all_verifies(editor, redecided, audience):
    content = bundle_of(redecided.pk, editor if audience == "desk" else None)
    manifest = manifest_of(content)
    assert manifest["audience"] == audience
    assert manifest["verdict"]["status"] == "approved"
    assert manifest["verdict"]["rejected_by"] is None
    verbs = [e["event"]["verb"] for e in manifest["history"]["events"]]
    assert verbs.count("double_review.revealed") == 2
    assert "double_review.decided" in verbs
    assert bundle.verify_bundle(content).failures == []


def test_a_removed_return_leaves_a_closing_the_manifest_does_not_name(editor, redecided):
    content = bundle_of(redecided.pk, editor)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    history = manifest["history"]
    history["events"] = [
        e for e in history["events"] if not (e["event"]["data"] or {}).get("final_rejected")
    ]
    # The chain is made again, as a forger would, so the history's own checks pass.
    links = bundle.chain_links(redecided.pk, [e["event"] for e in history["events"]])
    for item, link in zip(history["events"], links[1], strict=True):
        item["link"] = link
    history["head"] = links[1][-1]
    files["manifest.json"] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    failures = bundle.verify_bundle(buffer.getvalue()).failures
    assert "the history holds a rejection the manifest does not name" in failures
