"""GET /api/v1/verdicts/{id}/bundle/ end to end: the real worker archives a page of a loopback
site, a chief approves the verdict, the API's zip passes the documented verifying command
(run as a reader would, in a subprocess), and each tampering of the issue fails it. Also who
may fetch a bundle, the desk's public key, and an archive that cannot be read."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from annotations import bundle, selectors, services, warc
from annotations.models import Article, SourceCheck
from tests import archive_support
from tests.archive_support import (
    CHANGED_PAGE,
    CLAIM,
    SOURCE_PAGE,
    approve_with_evidence,
    finished,
    stored_files,
    warcio,
)
from tests.background import worker_test
from tests.factories import api_token, make_annotation

archive_dir = archive_support.archive_dir
site = archive_support.site

ROOT = Path(__file__).resolve().parents[2]
RATIONALE = "Das Ministerium bestätigt die Summe in seiner Mitteilung."


@pytest.fixture(autouse=True)
def signing_key(settings) -> str:
    """A desk key of this test's own (the var/ file stays untouched)."""
    settings.BUNDLE_SIGNING_KEY = bundle.new_private_key_text()
    return settings.BUNDLE_SIGNING_KEY


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def bundle_url(verdict_id: int) -> str:
    return f"/api/v1/verdicts/{verdict_id}/bundle/"


def verify(path: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m annotations.bundle verify`, without the project's settings or database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}
    return subprocess.run(
        [sys.executable, "-m", "annotations.bundle", "verify", str(path), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def manifest_edited(data: bytes, edit) -> bytes:
    files = entries(data)
    manifest = json.loads(files["manifest.json"])
    edit(manifest)
    files["manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True).encode()
    return rezip(files)


@pytest.fixture
def approved(worker, site, archive_dir, editor, reviewer, chief, claim):
    """A verdict approved on evidence whose check archived a page of the local site."""
    url = site.add("/beleg", SOURCE_PAGE)
    verdict = approve_with_evidence(editor, reviewer, chief, claim, url)
    check = finished(verdict.evidence.get().checks.get())
    assert check.capture_id is not None
    return verdict


@pytest.fixture
def fetched(approved, editor, tmp_path) -> Path:
    """The approved verdict's bundle as the API gives it, saved to a file."""
    response = api(editor).get(bundle_url(approved.pk))
    assert response.status_code == 200, response.content[:300]
    path = tmp_path / "bundle.zip"
    path.write_bytes(response.content)
    return path


@pytest.fixture
def desk_key_file(tmp_path) -> Path:
    """The desk's public key as /api/v1/bundle-key/ serves it (to anyone), saved."""
    response = api().get("/api/v1/bundle-key/")
    assert response.status_code == 200
    path = tmp_path / "desk-key.json"
    path.write_bytes(response.content)
    return path


# --- the must-show cases --------------------------------------------------------------------


@worker_test
def test_the_verifying_command_accepts_a_fresh_bundle_from_the_api(
    approved, fetched, desk_key_file, reviewer, chief, archive_dir
):
    result = verify(fetched, "--public-key", str(desk_key_file))

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK verdict {approved.pk}: signature by ed25519:")
    assert "(the key given), 1 file(s) match their SHA-256, 2 history event(s)" in result.stdout
    files = entries(fetched.read_bytes())
    manifest = json.loads(files["manifest.json"])
    assert manifest["verdict"]["rationale"] == RATIONALE
    assert manifest["verdict"]["proposed_by"] == reviewer.username
    assert manifest["verdict"]["approved_by"] == chief.username
    assert manifest["verdict"]["approved_at"].endswith("Z")
    assert manifest["span_text"] == CLAIM
    assert manifest["claim"]["text"] == CLAIM
    assert [e["event"]["verb"] for e in manifest["history"]["events"]] == [
        "verdict.proposed",
        "verdict.approved",
    ]
    # The WARC file in the zip is the archived file, byte for byte, and warcio accepts it.
    [stored] = stored_files(archive_dir)
    [capture] = manifest["evidence"][0]["captures"]
    assert files[capture["file"]] == stored.read_bytes()
    assert manifest["files"] == [
        {
            "name": capture["file"],
            "sha256": hashlib.sha256(stored.read_bytes()).hexdigest(),
            "size": stored.stat().st_size,
        }
    ]
    assert capture["is_at_approval"] is True
    copy = fetched.with_name(Path(capture["file"]).name)
    copy.write_bytes(files[capture["file"]])
    assert warcio("check", str(copy)).returncode == 0


@worker_test
def test_the_verifying_command_rejects_a_bundle_with_an_edited_rationale(fetched, desk_key_file):
    def edit(manifest):
        manifest["verdict"]["rationale"] = "Die Summe ist frei erfunden."

    fetched.write_bytes(manifest_edited(fetched.read_bytes(), edit))

    result = verify(fetched, "--public-key", str(desk_key_file))

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "FAILED: the signature does not match manifest.json: the manifest was changed after "
        "signing",
        "FAILED: the manifest's rationale differs from the one in the verdict.proposed event",
        "FAILED: the manifest's rationale differs from the one in the verdict.approved event",
    ]


@worker_test
def test_the_verifying_command_rejects_a_bundle_with_a_removed_history_event(
    fetched, desk_key_file
):
    def remove_approval(manifest):
        manifest["history"]["events"].pop()

    fetched.write_bytes(manifest_edited(fetched.read_bytes(), remove_approval))

    result = verify(fetched, "--public-key", str(desk_key_file))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "FAILED: the signature does not match manifest.json: the manifest was changed after "
        "signing",
        "FAILED: the chain's head is not the last link",
        "FAILED: the manifest says chief approved the verdict, but the history holds 0 "
        "approval events, not one",
    ]


@worker_test
def test_the_verifying_command_rejects_a_bundle_with_a_changed_warc_byte(fetched, desk_key_file):
    files = entries(fetched.read_bytes())
    [name] = [n for n in files if n.endswith(".warc.gz")]
    damaged = bytearray(files[name])
    damaged[-40] ^= 0x20
    files[name] = bytes(damaged)
    fetched.write_bytes(rezip(files))

    result = verify(fetched, "--public-key", str(desk_key_file))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"FAILED: {name}: its SHA-256 is not the one in the manifest"
    ]


@worker_test
def test_manage_py_verify_bundle_gives_the_same_answers(fetched, tmp_path, settings):
    command = [sys.executable, "manage.py", "verify_bundle", "--public-key", "desk"]
    # `desk`: the command's own process reads this installation's key from its settings.
    env = {**os.environ, "BUNDLE_SIGNING_KEY": settings.BUNDLE_SIGNING_KEY}
    accepted = subprocess.run(
        [*command, str(fetched)], capture_output=True, text=True, cwd=ROOT, env=env, check=False
    )
    files = entries(fetched.read_bytes())
    del files["signature.json"]
    broken = tmp_path / "unsigned.zip"
    broken.write_bytes(rezip(files))
    refused = subprocess.run(
        [*command, str(broken)], capture_output=True, text=True, cwd=ROOT, env=env, check=False
    )

    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.startswith("OK verdict ")
    assert refused.returncode == 1
    assert refused.stderr.strip() == "FAILED: the zip holds no signature.json"


@worker_test
def test_a_source_changed_after_approval_gives_the_approved_copy_and_the_newest(
    approved, site, editor, claim, desk_key_file, tmp_path
):
    site.add("/beleg", CHANGED_PAGE)
    assert services.evidence_recheck() == 1
    finished(SourceCheck.objects.filter(annotation=claim).latest("pk"))

    response = api(editor).get(bundle_url(approved.pk))
    path = tmp_path / "changed.zip"
    path.write_bytes(response.content)
    result = verify(path, "--public-key", str(desk_key_file))

    assert result.returncode == 0, result.stderr
    assert "2 file(s) match their SHA-256" in result.stdout
    [evidence] = json.loads(entries(response.content)["manifest.json"])["evidence"]
    assert [(c["is_at_approval"], c["is_newest"]) for c in evidence["captures"]] == [
        (True, False),
        (False, True),
    ]
    assert evidence["captures_archived"] == 2


@worker_test
def test_a_bundle_citing_a_revisit_capture_holds_the_file_it_refers_to(
    worker, site, archive_dir, editor, reviewer, chief, claim, desk_key_file, tmp_path
):
    """The same bytes were archived first from another URL, so the cited URL's file holds a
    revisit record: the bundle holds both files and verifies."""
    other = make_annotation(editor, claim.article, "Kritiker meinen")
    first = services.evidence_add(
        actor=editor, annotation_id=other.pk, url=site.add("/a", SOURCE_PAGE)
    )
    original = finished(first.checks.get()).capture
    verdict = approve_with_evidence(editor, reviewer, chief, claim, site.add("/b", SOURCE_PAGE))
    revisit = finished(verdict.evidence.get().checks.get()).capture
    assert "-revisit" in revisit.warc_name and original.pk != revisit.pk

    response = api(editor).get(bundle_url(verdict.pk))
    assert response.status_code == 200, response.content[:300]
    path = tmp_path / "revisit.zip"
    path.write_bytes(response.content)
    result = verify(path, "--public-key", str(desk_key_file))

    assert result.returncode == 0, result.stderr
    assert "2 file(s) match their SHA-256" in result.stdout
    files = entries(response.content)
    manifest = json.loads(files["manifest.json"])
    [evidence] = manifest["evidence"]
    [capture] = evidence["captures"]
    original_file = f"warc/capture-{original.pk}.warc.gz"
    assert capture["capture"] == revisit.pk
    assert capture["refers_to"] == {
        "capture": original.pk,
        "file": original_file,
        "url": site.url("/a"),
    }
    assert sorted(entry["name"] for entry in manifest["files"]) == sorted(
        [original_file, capture["file"]]
    )
    assert files[original_file] == (archive_dir / original.warc_name).read_bytes()
    assert files[capture["file"]] == (archive_dir / revisit.warc_name).read_bytes()
    # Each file as bundled is a WARC file warcio accepts; the revisit's body is the other's.
    extracted = []
    for name in (original_file, capture["file"]):
        extracted.append(tmp_path / name.removeprefix("warc/"))
        extracted[-1].write_bytes(files[name])
    check = warcio("check", "-v", *map(str, extracted))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "revisit" in check.stdout
    assert (
        warc.read_response(files[capture["file"]], referred=files[original_file]).body
        == SOURCE_PAGE.encode()
    )


@worker_test
def test_a_bundle_whose_archived_file_was_altered_at_rest_is_refused_with_503(
    approved, editor, archive_dir
):
    [stored] = stored_files(archive_dir)
    stored.write_bytes(stored.read_bytes() + b"\0")

    altered = api(editor).get(bundle_url(approved.pk))
    stored.unlink()
    gone = api(editor).get(bundle_url(approved.pk))

    assert altered.status_code == 503
    assert "is not the one recorded" in altered.json()["detail"]
    assert gone.status_code == 503
    assert gone.json() == {
        "detail": "The archived files cannot be read right now; try again later."
    }


# --- who may fetch a bundle -----------------------------------------------------------------


@pytest.fixture
def proposed(editor, reviewer, claim):
    services.annotation_assign(actor=editor, annotation_id=claim.pk, reviewer=reviewer)
    return services.verdict_propose(
        actor=reviewer,
        annotation_id=claim.pk,
        rating="true",
        rationale=RATIONALE,
        evidence=[services.EvidenceInput(url="https://bund.example/beleg")],
    )


def test_every_newsroom_role_may_fetch_the_bundle_of_a_proposed_verdict(
    proposed, editor, reviewer, chief
):
    for user in (editor, reviewer, chief):
        response = api(user).get(bundle_url(proposed.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"] == (
            f'attachment; filename="verdict-{proposed.pk}-bundle.zip"'
        )
        assert bundle.verify_bundle(response.content).failures == []


def test_an_anonymous_reader_gets_401_for_a_verdict_no_public_report_shows(proposed):
    response = api().get(bundle_url(proposed.pk))

    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_a_user_without_a_newsroom_role_gets_403_for_an_unpublished_verdict(proposed, outsider):
    response = api(outsider).get(bundle_url(proposed.pk))

    assert response.status_code == 403
    assert response.json() == {"detail": "This verdict's evidence bundle is not public."}


def test_the_public_cannot_tell_a_missing_verdict_from_an_unpublished_one(proposed, editor):
    missing = proposed.pk + 1000

    assert api().get(bundle_url(missing)).status_code == 401
    assert api(editor).get(bundle_url(missing)).status_code == 404


def test_the_public_may_fetch_the_bundle_of_a_verdict_on_a_published_report(
    proposed, chief, editor, reviewer, claim
):
    services.verdict_approve(actor=chief, verdict_id=proposed.pk)
    publish(chief, claim.article_id)

    response = api().get(bundle_url(proposed.pk))

    assert response.status_code == 200
    found = bundle.verify_bundle(response.content)
    assert found.failures == []
    manifest = json.loads(entries(response.content)["manifest.json"])
    assert manifest["claim"]["article"]["report_url"] == (
        f"http://testserver/articles/{claim.article_id}/report/"
    )


def test_the_public_report_links_each_verdict_to_its_bundle(proposed, chief, claim):
    from django.test import Client

    services.verdict_approve(actor=chief, verdict_id=proposed.pk)
    publish(chief, claim.article_id)

    page = Client().get(f"/articles/{claim.article_id}/report/")

    assert page.status_code == 200
    link = f'href="{bundle_url(proposed.pk)}"'
    assert link in page.content.decode()
    assert api().get(bundle_url(proposed.pk)).status_code == 200


def test_the_public_may_not_fetch_a_rejected_verdict_of_a_published_article(
    proposed, chief, editor, reviewer, claim
):
    services.verdict_reject(actor=chief, verdict_id=proposed.pk, note="Quelle fehlt")
    second = services.verdict_propose(
        actor=reviewer, annotation_id=claim.pk, rating="true", rationale=RATIONALE, evidence=[]
    )
    services.verdict_approve(actor=chief, verdict_id=second.pk)
    publish(chief, claim.article_id)

    rejected = api().get(bundle_url(proposed.pk))
    shown = api().get(bundle_url(second.pk))
    as_editor = api(editor).get(bundle_url(proposed.pk))

    assert rejected.status_code == 401
    assert shown.status_code == 200
    assert as_editor.status_code == 200
    manifest = json.loads(entries(as_editor.content)["manifest.json"])
    assert manifest["verdict"]["rejected_by"] == chief.username
    assert manifest["verdict"]["decision_note"] == "Quelle fehlt"
    assert bundle.verify_bundle(as_editor.content).failures == []


def test_the_bundle_key_is_public_and_signs_the_bundles(proposed, editor):
    key = api().get("/api/v1/bundle-key/")
    signature = json.loads(
        entries(api(editor).get(bundle_url(proposed.pk)).content)["signature.json"]
    )

    assert key.status_code == 200
    assert key.json()["algorithm"] == "Ed25519"
    assert key.json()["key_id"] == signature["key_id"]
    assert key.json()["public_key"] == signature["public_key"]


def publish(chief, article_id: int) -> None:
    """Publish, acknowledging whatever the gate warns of (a check still pending…)."""
    gate = selectors.publish_gate(Article.objects.get(pk=article_id))
    services.article_publish(
        actor=chief, article_id=article_id, acknowledge=[w["key"] for w in gate.warnings]
    )


def test_both_verdicts_of_a_double_review_give_bundles_that_verify(
    chief, reviewer, other_reviewer, editor, claim
):
    services.double_review_request(
        actor=chief, annotation_id=claim.pk, reviewers=[reviewer, other_reviewer]
    )
    chosen, other = (
        services.verdict_propose(
            actor=user,
            annotation_id=claim.pk,
            rating=rating,
            rationale=RATIONALE,
            evidence=[services.EvidenceInput(url="https://bund.example/beleg")],
        )
        for user, rating in ((reviewer, "false"), (other_reviewer, "mostly-false"))
    )
    services.verdict_approve(actor=chief, verdict_id=chosen.pk)

    bundles = {v.pk: api(editor).get(bundle_url(v.pk)).content for v in (chosen, other)}

    for content in bundles.values():
        assert bundle.verify_bundle(content).failures == []
    manifest = json.loads(entries(bundles[other.pk])["manifest.json"])
    assert manifest["verdict"]["rejected_by"] == chief.username
    assert [e["event"]["verb"] for e in manifest["history"]["events"]] == [
        "verdict.proposed_blind",
        "double_review.revealed",
        "double_review.decided",
    ]
