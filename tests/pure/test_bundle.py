"""Evidence bundles (annotations.bundle) built in memory: the verifier accepts a fresh bundle
and rejects each kind of tampering, also by a forger who signs again with a key of their
own; the chain, the canonical JSON and the key file. Pure: no database, no Django."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations import bundle, fetch, warc

ROOT = Path(__file__).resolve().parents[2]
RATIONALE = "Das Ministerium bestätigt die Summe in seiner Mitteilung."
SPAN = "4,2 Milliarden Euro für den Ausbau der Schiene freigegeben"
GENERATED = "2026-03-02T10:00:00.000000Z"


def warc_file(body: str) -> bytes:
    exchange = fetch.Exchange(
        url="https://bund.example/beleg",
        address="192.0.2.7",
        request_headers=(("Host", "bund.example"),),
        http_version="HTTP/1.1",
        status=200,
        reason="OK",
        response_headers=(("Content-Type", "text/html; charset=utf-8"),),
        body=body.encode("utf-8"),
    )
    return warc.warc_bytes([exchange], text=body, software="tests")


def events() -> list[dict]:
    return [
        {
            "id": 31,
            "verb": "verdict.proposed",
            "actor": "rita",
            "created_at": "2026-03-01T09:00:00.000000Z",
            "article": 4,
            "annotation": 9,
            "data": {"verdict": 12, "rating": "true", "evidence": 1, "rationale": RATIONALE},
        },
        {
            "id": 40,
            "verb": "verdict.approved",
            "actor": "chef",
            "created_at": "2026-03-01T11:30:00.000000Z",
            "article": 4,
            "annotation": 9,
            "data": {
                "verdict": 12,
                "rating": "true",
                "note": "",
                "quote": SPAN,
                "revision": 1,
                "rationale": RATIONALE,
            },
        },
    ]


def source(**changes) -> bundle.BundleSource:
    files = [
        bundle.BundleFile("warc/capture-3.warc.gz", warc_file("<p>4,2 Milliarden Euro</p>")),
        bundle.BundleFile("warc/capture-5.warc.gz", warc_file("<p>3,9 Milliarden Euro</p>")),
    ]
    values = {
        "verdict_id": 12,
        "claim": {"annotation": 9, "label": "claim", "start": 10, "end": 68, "text": SPAN},
        "span_text": SPAN,
        "verdict": {
            "id": 12,
            "status": "approved",
            "rating": "true",
            "rationale": RATIONALE,
            "decision_note": "",
            "proposed_by": "rita",
            "proposed_at": "2026-03-01T09:00:00.000000Z",
            "approved_by": "chef",
            "approved_at": "2026-03-01T11:30:00.000000Z",
            "rejected_by": None,
            "rejected_at": None,
        },
        "evidence": [
            {
                "id": 2,
                "url": "https://bund.example/beleg",
                "captures": [
                    {"capture": 3, "file": "warc/capture-3.warc.gz", "is_at_approval": True},
                    {"capture": 5, "file": "warc/capture-5.warc.gz", "is_at_approval": False},
                ],
            }
        ],
        "events": events(),
        "files": files,
        "desk": {"name": "Fact-check desk", "url": ""},
    }
    values.update(changes)
    return bundle.BundleSource(**values)


@pytest.fixture(scope="module")
def desk_key():
    return bundle.private_key_from_text(bundle.new_private_key_text())


@pytest.fixture(scope="module")
def forger_key():
    return bundle.private_key_from_text(bundle.new_private_key_text())


@pytest.fixture
def fresh(desk_key) -> bytes:
    return bundle.bundle_zip(source(), key=desk_key, generated_at=GENERATED)


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_manifest(data: bytes, edit, *, resign_with=None) -> bytes:
    """The bundle with its manifest edited by `edit` (a function of the parsed manifest);
    signed again with `resign_with` when given (a forger's key), else the old signature."""
    files = entries(data)
    manifest = json.loads(files["manifest.json"])
    edit(manifest)
    files["manifest.json"] = bundle.manifest_bytes(manifest)
    if resign_with is not None:
        document = bundle.signature_document(files["manifest.json"], resign_with)
        files["signature.json"] = json.dumps(document).encode()
    return rezip(files)


def verified(data: bytes, key=None) -> bundle.Verification:
    return bundle.verify_bundle(data, public_key=key.public_key() if key else None)


def run_verifier(path: Path, *args: str) -> subprocess.CompletedProcess:
    """The documented command, as a reader runs it: no Django settings in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    return subprocess.run(
        [sys.executable, "-m", "annotations.bundle", "verify", str(path), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


# --- the four must-show cases, through the command line -------------------------------------


def test_the_verifying_command_accepts_a_fresh_bundle(fresh, desk_key, tmp_path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(fresh)
    key = bundle.public_key_b64(desk_key.public_key())

    result = run_verifier(path, "--public-key", key)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK verdict 12: signature by ed25519:")
    assert "(the key given)" in result.stdout
    assert "2 file(s) match their SHA-256, 2 history event(s) chain to" in result.stdout
    assert result.stderr == ""


def test_the_verifying_command_rejects_an_edited_rationale(fresh, desk_key, tmp_path):
    def edit(manifest):
        manifest["verdict"]["rationale"] = "Die Summe ist frei erfunden."

    path = tmp_path / "edited.zip"
    path.write_bytes(with_manifest(fresh, edit))

    result = run_verifier(path, "--public-key", bundle.public_key_b64(desk_key.public_key()))

    assert result.returncode == 1
    assert result.stdout == ""
    assert "FAILED: the signature does not match manifest.json" in result.stderr
    assert (
        "FAILED: the manifest's rationale differs from the one in the verdict.approved event"
        in result.stderr
    )


def test_the_verifying_command_rejects_a_removed_history_event(fresh, tmp_path):
    def remove_proposal(manifest):
        del manifest["history"]["events"][0]

    path = tmp_path / "removed.zip"
    path.write_bytes(with_manifest(fresh, remove_proposal))

    result = run_verifier(path)

    assert result.returncode == 1
    assert "FAILED: the signature does not match manifest.json" in result.stderr
    assert "FAILED: history event 1 (id 40): its link does not follow" in result.stderr
    assert "FAILED: the history holds 0 proposal events of verdict 12, not one" in result.stderr


def test_the_verifying_command_rejects_a_changed_warc_byte(fresh, tmp_path):
    files = entries(fresh)
    damaged = bytearray(files["warc/capture-5.warc.gz"])
    damaged[len(damaged) // 2] ^= 0x01
    files["warc/capture-5.warc.gz"] = bytes(damaged)
    path = tmp_path / "warc.zip"
    path.write_bytes(rezip(files))

    result = run_verifier(path)

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "FAILED: warc/capture-5.warc.gz: its SHA-256 is not the one in the manifest"
    )


# --- a forger who signs again ---------------------------------------------------------------


def test_a_forger_who_signs_an_edited_rationale_again_fails_against_the_desks_key(
    fresh, desk_key, forger_key
):
    def edit(manifest):
        manifest["verdict"]["rationale"] = "Die Summe ist frei erfunden."
        for entry in manifest["history"]["events"]:
            entry["event"]["data"]["rationale"] = "Die Summe ist frei erfunden."
        _first, links = bundle.chain_links(12, [e["event"] for e in manifest["history"]["events"]])
        for entry, link in zip(manifest["history"]["events"], links, strict=True):
            entry["link"] = link
        manifest["history"]["head"] = links[-1]

    forged = with_manifest(fresh, edit, resign_with=forger_key)

    pinned = verified(forged, desk_key)
    unpinned = verified(forged)

    assert pinned.failures == [
        f"the bundle is signed by {bundle.key_id(forger_key.public_key())}, "
        f"not by the key given ({bundle.key_id(desk_key.public_key())})",
        "the signature does not match manifest.json: the manifest was changed after signing",
    ]
    # Consistent in itself: only the desk's key tells it apart, which the OK line says.
    assert unpinned.failures == []
    assert "the bundle's own key (pass --public-key" in unpinned.summary()
    assert bundle.key_id(forger_key.public_key()) in unpinned.summary()


def test_a_rationale_edited_and_signed_again_without_its_events_is_caught_by_the_events(
    fresh, forger_key
):
    def edit(manifest):
        manifest["verdict"]["rationale"] = "Die Summe ist frei erfunden."

    found = verified(with_manifest(fresh, edit, resign_with=forger_key))

    assert found.failures == [
        "the manifest's rationale differs from the one in the verdict.proposed event",
        "the manifest's rationale differs from the one in the verdict.approved event",
    ]


def test_an_approval_event_removed_and_the_chain_recomputed_is_caught_by_the_manifest(
    fresh, forger_key
):
    def remove_approval(manifest):
        manifest["history"]["events"].pop()
        _first, links = bundle.chain_links(12, [e["event"] for e in manifest["history"]["events"]])
        manifest["history"]["events"][0]["link"] = links[0]
        manifest["history"]["head"] = links[-1]

    found = verified(with_manifest(fresh, remove_approval, resign_with=forger_key))

    assert found.failures == [
        "the manifest says chef approved the verdict, but the history holds 0 approval "
        "events, not one"
    ]


# --- more ways a bundle is wrong ------------------------------------------------------------


def test_an_edited_event_breaks_its_link_and_every_one_after(fresh):
    def edit(manifest):
        manifest["history"]["events"][0]["event"]["actor"] = "chef"

    found = verified(with_manifest(fresh, edit))

    assert "history event 1 (id 31): its link does not follow" in "\n".join(found.failures)
    assert "the chain's head is not the last link" in found.failures
    assert "the manifest's proposer is not the actor of the proposal event" in found.failures


def test_swapped_events_are_rejected(fresh):
    def swap(manifest):
        manifest["history"]["events"].reverse()

    failures = verified(with_manifest(fresh, swap)).failures

    assert "the history's events are not in the order they happened" in failures
    assert any(f.startswith("history event 1 (id 40): its link does not") for f in failures)


def test_a_missing_and_an_extra_file_are_each_named(fresh):
    files = entries(fresh)
    del files["warc/capture-3.warc.gz"]
    files["warc/extra.warc.gz"] = b"not listed"

    failures = verified(rezip(files)).failures

    assert failures == [
        "the zip holds a file the manifest does not list: warc/extra.warc.gz",
        "a file the manifest lists is missing: warc/capture-3.warc.gz",
    ]


def test_a_revisit_capture_must_name_a_file_the_bundle_lists(desk_key):
    """A capture whose response is a revisit record names the file holding its body."""

    def evidence(refers_to):
        return [
            {
                "id": 2,
                "url": "https://bund.example/beleg",
                "captures": [
                    {"capture": 3, "file": "warc/capture-3.warc.gz", "is_at_approval": True},
                    {"capture": 5, "file": "warc/capture-5.warc.gz", "refers_to": refers_to},
                ],
            }
        ]

    listed = source(evidence=evidence({"capture": 3, "file": "warc/capture-3.warc.gz"}))
    unlisted = source(evidence=evidence({"capture": 4, "file": "warc/capture-4.warc.gz"}))

    assert verified(bundle.bundle_zip(listed, key=desk_key, generated_at=GENERATED)).is_ok
    assert verified(bundle.bundle_zip(unlisted, key=desk_key, generated_at=GENERATED)).failures == [
        "capture 5 is a revisit of a file the bundle does not list"
    ]


def test_a_bundle_without_its_signature_or_manifest_is_rejected(fresh):
    files = entries(fresh)
    del files["signature.json"]

    assert verified(rezip(files)).failures == ["the zip holds no signature.json"]
    assert verified(rezip({"warc/a.warc": b"x"})).failures == [
        "the zip holds no manifest.json",
        "the zip holds no signature.json",
    ]


def test_something_that_is_not_a_zip_is_rejected():
    assert verified(b"PK\x03\x04 not really").failures == ["not a zip file"]


def test_a_chain_of_another_verdict_is_rejected(fresh):
    def relabel(manifest):
        manifest["verdict"]["id"] = 13

    failures = verified(with_manifest(fresh, relabel)).failures

    assert "the chain's genesis is not that of verdict 13" in failures
    assert "history event 31 is not about verdict 13" in failures


def test_a_bundle_of_a_verdict_with_no_files_and_no_approval_verifies(desk_key):
    proposed = source(
        files=[],
        evidence=[],
        events=events()[:1],
        verdict={
            **source().verdict,
            "status": "proposed",
            "approved_by": None,
            "approved_at": None,
        },
    )
    data = bundle.bundle_zip(proposed, key=desk_key, generated_at=GENERATED)

    found = verified(data, desk_key)

    assert found.failures == []
    assert (found.file_count, found.event_count) == (0, 1)


def test_the_manifest_lists_each_file_with_its_sha256_and_size(fresh):
    files = entries(fresh)
    manifest = json.loads(files["manifest.json"])

    assert sorted(files) == [
        "manifest.json",
        "signature.json",
        "warc/capture-3.warc.gz",
        "warc/capture-5.warc.gz",
    ]

    assert manifest["files"] == [
        {
            "name": name,
            "sha256": hashlib.sha256(files[name]).hexdigest(),
            "size": len(files[name]),
        }
        for name in ("warc/capture-3.warc.gz", "warc/capture-5.warc.gz")
    ]
    assert manifest["verdict"]["rationale"] == RATIONALE
    assert manifest["span_text"] == SPAN
    assert manifest["history"]["genesis"] == "factcheck-evidence-bundle/1 verdict 12"


# --- the chain and its canonical JSON --------------------------------------------------------


def test_the_chain_links_are_sha256_of_the_previous_link_and_the_canonical_event():

    first, links = bundle.chain_links(12, events())

    assert first == hashlib.sha256(b"factcheck-evidence-bundle/1 verdict 12").hexdigest()
    expected = hashlib.sha256(first.encode() + bundle.canonical_json(events()[0])).hexdigest()
    assert links[0] == expected
    assert bundle.canonical_json({"b": 1, "a": "ä"}) == '{"a":"ä","b":1}'.encode()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_canonical_json_survives_a_round_trip_through_the_manifest(value):
    # The verifier hashes what it parsed from the manifest: the same bytes must come out.
    once = bundle.canonical_json(value)
    assert bundle.canonical_json(json.loads(bundle.manifest_bytes({"v": value}))["v"]) == once


# --- running without Django, keys -----------------------------------------------------------


def test_the_verifier_imports_neither_django_nor_the_database():
    script = (
        "import sys, annotations.bundle; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'psycopg')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"


def test_a_public_key_is_read_from_the_bundle_key_json_or_a_file(desk_key, tmp_path):
    document = {"public_key": bundle.public_key_b64(desk_key.public_key())}
    path = tmp_path / "key.json"
    path.write_text(json.dumps(document))

    from_file = bundle.read_public_key(str(path))
    from_text = bundle.read_public_key(document["public_key"])

    assert bundle.key_id(from_file) == bundle.key_id(from_text)
    assert bundle.key_id(from_file) == bundle.key_id(desk_key.public_key())
    with pytest.raises(ValueError, match="not base64"):
        bundle.read_public_key("kein Schlüssel")


def test_a_bad_public_key_is_a_failed_verification_not_a_traceback(fresh, tmp_path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(fresh)

    result = run_verifier(path, "--public-key", "QUJD")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "FAILED: cannot read the public key QUJD: the public key is not 32 bytes "
        "(base64 of a raw Ed25519 key)"
    )


def test_the_key_file_is_made_once_with_mode_0600_even_when_many_start_at_once(tmp_path):
    path = tmp_path / "var" / "bundle-signing.key"
    keys: list = []
    start = threading.Barrier(8)

    def make():
        start.wait()
        keys.append(bundle.load_or_create_key_file(path))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({bundle.key_id(key.public_key()) for key in keys}) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["bundle-signing.key"]
    again = bundle.load_or_create_key_file(path)
    assert bundle.key_id(again.public_key()) == bundle.key_id(keys[0].public_key())


def test_a_signing_key_setting_that_is_no_key_stops_the_start():
    env = {**os.environ, "DEBUG": "1", "BUNDLE_SIGNING_KEY": "QUJD"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "BUNDLE_SIGNING_KEY must be the base64 of a raw 32-byte Ed25519 private key" in (
        result.stderr
    )


def test_a_blind_verdict_the_chief_did_not_choose_verifies_with_its_double_review_events(
    desk_key,
):
    history = [
        {
            "id": 50,
            "verb": "verdict.proposed_blind",
            "actor": "rita",
            "created_at": "2026-03-01T09:00:00.000000Z",
            "article": 4,
            "annotation": 9,
            "data": {"verdict": 12},
        },
        {
            "id": 52,
            "verb": "double_review.revealed",
            "actor": "rolf",
            "created_at": "2026-03-01T09:30:00.000000Z",
            "article": 4,
            "annotation": 9,
            "data": {"verdicts": [{"verdict": 12, "author": "rita", "rating": "true"}]},
        },
        {
            "id": 55,
            "verb": "double_review.decided",
            "actor": "chef",
            "created_at": "2026-03-01T11:00:00.000000Z",
            "article": 4,
            "annotation": 9,
            "data": {"approved": 13, "rating": "false", "not_chosen": [12]},
        },
    ]
    not_chosen = source(
        files=[],
        evidence=[],
        events=history,
        verdict={
            **source().verdict,
            "status": "rejected",
            "approved_by": None,
            "approved_at": None,
            "rejected_by": "chef",
            "rejected_at": "2026-03-01T11:00:00.000000Z",
            "decision_note": "not chosen: the chief approved the other reviewer's verdict",
        },
    )

    found = verified(bundle.bundle_zip(not_chosen, key=desk_key, generated_at=GENERATED))

    assert found.failures == []
    assert [bundle.names_verdict(event["data"], 12) for event in history] == [True] * 3


def test_a_flag_that_is_true_does_not_name_verdict_1():
    assert bundle.names_verdict({"verdict": 7, "final": True}, 1) is False
    assert bundle.names_verdict({"final": 1}, 1) is True
    assert bundle.names_verdict({"not_chosen": [True]}, 1) is False
