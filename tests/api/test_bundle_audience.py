"""Whom a verdict's evidence bundle is for: the newsroom gets the whole record (`audience:
desk`), the public what the public report shows (`audience: public`); both verify. And the
public cannot tell a sealed verdict from a missing one."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from annotations import bundle, selectors, services
from annotations.models import Article

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
RATIONALE = "Das Ministerium bestätigt die Summe in seiner Mitteilung."
NOTE_A = "INTERNE-NOTIZ-A zum Beleg"
NOTE_B = "INTERNE-NOTIZ-B zum Beleg"
DECISION_NOTE = "ENTSCHEIDUNGS-NOTIZ der Chefin"


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


def bundle_url(verdict_id: int) -> str:
    return f"/api/v1/verdicts/{verdict_id}/bundle/"


def manifest_of(content: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return json.loads(archive.read("manifest.json"))


def publish(chief, article_id: int) -> None:
    gate = selectors.publish_gate(Article.objects.get(pk=article_id))
    services.article_publish(
        actor=chief, article_id=article_id, acknowledge=[w["key"] for w in gate.warnings]
    )


def verify_command(content: bytes, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "bundle.zip"
    path.write_bytes(content)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}
    return subprocess.run(
        [sys.executable, "-m", "annotations.bundle", "verify", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture
def published(chief, editor, reviewer, other_reviewer, claim):
    """A double review on a named claimant's claim, the first reviewer's verdict chosen
    with a decision note, the article published. Returns (chosen, other)."""
    claimant = services.claimant_create(actor=editor, name="Ministerin Beispiel", kind="person")
    services.annotation_claimant_set(actor=editor, annotation_id=claim.pk, claimant_id=claimant.pk)
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    chosen = services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://bund.example/a", note=NOTE_A)],
    )
    other = services.verdict_propose(
        actor=other_reviewer,
        annotation_id=claim.pk,
        rating="mostly-false",
        rationale=RATIONALE + " Anders gewichtet.",
        evidence=[services.EvidenceInput(url="https://bund.example/b", note=NOTE_B)],
    )
    services.verdict_approve(actor=chief, verdict_id=chosen.pk, note=DECISION_NOTE)
    publish(chief, claim.article_id)
    return chosen, other


def test_the_public_bundle_holds_only_what_the_report_shows(
    published, reviewer, other_reviewer, chief, editor, tmp_path
):
    chosen, _other = published
    response = api().get(bundle_url(chosen.pk))

    assert response.status_code == 200
    text = response.content.decode("utf-8", "replace")
    manifest = manifest_of(response.content)
    raw = json.dumps(manifest, ensure_ascii=False)
    assert manifest["audience"] == "public"
    for secret in (NOTE_A, NOTE_B, DECISION_NOTE, "mostly-false", "Anders gewichtet"):
        assert secret not in raw
        assert secret not in text
    for login in (reviewer.username, other_reviewer.username, chief.username, editor.username):
        assert f'"{login}"' not in raw
    assert "decision_note" not in manifest["verdict"]
    assert all("note" not in e and "added_by" not in e for e in manifest["evidence"])
    assert manifest["verdict"]["proposed_by"] == "Faktencheck-Redaktion"
    assert manifest["verdict"]["approved_by"] == "Faktencheck-Redaktion"
    assert manifest["claim"]["claimant"] == {"name": "Ministerin Beispiel", "kind": "person"}
    assert bundle.verify_bundle(response.content).failures == []
    result = verify_command(response.content, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("a public bundle")


@pytest.mark.parametrize("who", ["outsider", None])
def test_the_public_bundle_is_the_same_for_an_outsider_and_anonymous(request, published, who):
    chosen, _other = published
    user = request.getfixturevalue(who) if who else None
    manifest = manifest_of(api(user).get(bundle_url(chosen.pk)).content)
    assert manifest["audience"] == "public"
    assert NOTE_A not in json.dumps(manifest, ensure_ascii=False)


def test_the_desk_bundle_is_whole_and_verifies(published, editor, reviewer, chief, tmp_path):
    chosen, _other = published
    response = api(editor).get(bundle_url(chosen.pk))

    manifest = manifest_of(response.content)
    assert manifest["audience"] == "desk"
    assert manifest["verdict"]["decision_note"] == DECISION_NOTE
    assert manifest["verdict"]["proposed_by"] == reviewer.username
    assert manifest["verdict"]["approved_by"] == chief.username
    assert {(e["note"], e["added_by"]) for e in manifest["evidence"]} >= {
        (NOTE_A, reviewer.username)
    }
    revealed = [
        e["event"] for e in manifest["history"]["events"] if e["event"]["verb"].endswith("revealed")
    ]
    assert "mostly-false" in json.dumps(revealed)
    assert manifest["claim"]["claimant"]["name"] == "Ministerin Beispiel"
    result = verify_command(response.content, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("a desk bundle")


def test_the_verifier_refuses_a_public_manifest_holding_a_note(published):
    chosen, _other = published
    content = api().get(bundle_url(chosen.pk)).content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    manifest["evidence"][0]["note"] = NOTE_A
    files["manifest.json"] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    failures = bundle.verify_bundle(buffer.getvalue()).failures
    evidence_id = manifest["evidence"][0]["id"]
    assert f"a public manifest holds the note or adder of evidence {evidence_id}" in failures


# --- a sealed verdict answers the public as a missing one ---------------------------------


@pytest.fixture
def sealed(chief, reviewer, other_reviewer, claim):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="false",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://bund.example/a")],
    )


@pytest.mark.parametrize("who", ["outsider", None])
def test_the_public_cannot_tell_a_sealed_verdict_from_a_missing_one(request, sealed, who):
    user = request.getfixturevalue(who) if who else None
    answer = api(user).get(bundle_url(sealed.pk))
    missing = api(user).get(bundle_url(sealed.pk + 1000))
    assert answer.status_code == missing.status_code == (403 if user else 401)
    assert answer.json() == missing.json()


def test_the_other_reviewer_still_gets_404_for_a_sealed_verdict(sealed, other_reviewer):
    assert api(other_reviewer).get(bundle_url(sealed.pk)).status_code == 404
