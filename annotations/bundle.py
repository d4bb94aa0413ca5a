"""Evidence bundles of verdicts: the manifest, the hash chain, the signature, the zip, and the
offline verifier (the standard library and `cryptography` only: no Django, no database).

A bundle is a zip:

- `manifest.json`: whom it is for (`audience`: "desk", the newsroom's whole record, or
  "public", what the public report shows), the claim, the span text, the verdict (rating,
  rationale, who proposed and approved it and when), the evidence with its archived
  captures, each file's SHA-256 and size, and the verdict's history events with a hash
  chain over them (for the public, as the public may read them);
- `signature.json`: an Ed25519 signature over the exact bytes of `manifest.json`, with the
  desk's public key and its id;
- `warc/…warc.gz`: the archived captures of the evidence, as stored. A capture whose
  response is a revisit record (the same body as a capture of another URL) names that
  capture in `refers_to`, and its file is in the bundle too.

The chain: each event as canonical JSON (sorted keys, UTF-8, no whitespace);
link_0 = sha256(genesis), where the genesis names the format and the verdict id;
link_i = sha256(link_{i-1} as hex + canonical_i); the head is the last link. A removed,
added, reordered or edited event changes every link after it. An unsigned chain could be
recomputed by a forger, so the manifest that holds the chain is signed.

Verify: `python -m annotations.bundle verify BUNDLE.zip [--public-key KEY]`, where KEY is
the desk's public key (base64), a file holding it or the JSON of /api/v1/bundle-key/, or
that URL. Exit 0 and one line "OK …", or exit 1 and one line per failure.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import hashlib
import io
import json
import os
import sys
import urllib.request
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "FORMAT",
    "BundleFile",
    "BundleSource",
    "Verification",
    "build_manifest",
    "bundle_zip",
    "canonical_json",
    "chain_links",
    "genesis",
    "key_id",
    "load_or_create_key_file",
    "names_verdict",
    "new_private_key_text",
    "private_key_from_text",
    "public_key_b64",
    "public_key_from_text",
    "read_public_key",
    "verify_bundle",
    "verify_file",
]

FORMAT = "factcheck-evidence-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"
WARC_FOLDER = "warc/"
WARC_SUFFIXES = (".warc", ".warc.gz")
ALGORITHM = "Ed25519"
AUDIENCE_DESK = "desk"
AUDIENCE_PUBLIC = "public"
AUDIENCES = (AUDIENCE_DESK, AUDIENCE_PUBLIC)
# A manifest or signature larger than this is not one of ours; refused before parsing.
MAX_JSON_BYTES = 64 * 1024 * 1024
_HASH_CHUNK = 1024 * 1024


# --- canonical JSON and the chain -----------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value that is hashed: sorted keys, no whitespace, UTF-8
    (not \\u escapes), no NaN. json.loads of it and this again give the same bytes."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def genesis(verdict_id: int) -> str:
    """The fixed string link_0 hashes: a chain of one verdict cannot pass as another's."""
    return f"{FORMAT} verdict {verdict_id}"


def chain_links(verdict_id: int, events: Iterable[dict[str, Any]]) -> tuple[str, list[str]]:
    """(link_0, [link_1 … link_n]) over the events in order, each a SHA-256 hex digest."""
    link = hashlib.sha256(genesis(verdict_id).encode("utf-8")).hexdigest()
    first = link
    links = []
    for event in events:
        link = hashlib.sha256(link.encode("ascii") + canonical_json(event)).hexdigest()
        links.append(link)
    return first, links


# --- keys -----------------------------------------------------------------------------------


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(_raw_public(key)).decode("ascii")


def key_id(key: Ed25519PublicKey) -> str:
    """A short name of a public key that a reader can compare by eye: the first 16 bytes
    of the SHA-256 of its raw 32 bytes, as hex."""
    return "ed25519:" + hashlib.sha256(_raw_public(key)).hexdigest()[:32]


def _b64_32(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"the {what} is not base64") from None
    if len(raw) != 32:
        raise ValueError(f"the {what} is not 32 bytes (base64 of a raw Ed25519 key)")
    return raw


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from the base64 of its raw 32 bytes. Raises ValueError."""
    return Ed25519PrivateKey.from_private_bytes(_b64_32(text, "signing key"))


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """A public key from the base64 of its raw 32 bytes, or from the JSON the desk serves
    at /api/v1/bundle-key/ (`{"public_key": …}`). Raises ValueError."""
    text = text.strip()
    if text.startswith("{"):
        try:
            text = str(json.loads(text)["public_key"])
        except (ValueError, KeyError, TypeError):
            raise ValueError("the key JSON has no public_key") from None
    return Ed25519PublicKey.from_public_bytes(_b64_32(text, "public key"))


def new_private_key_text() -> str:
    """A fresh signing key as the base64 of its raw 32 bytes (for BUNDLE_SIGNING_KEY)."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(raw).decode("ascii")


def load_or_create_key_file(path: Path) -> Ed25519PrivateKey:
    """The key stored at `path`, made (mode 0600) when there is none.

    Safe when several processes of one host start at once: each writes a whole key to a
    file of its own and hard-links it to `path`, which fails for all but the first, so
    every process ends up reading the one key that won; a reader never sees half a key.
    Raises OSError when the folder cannot be written, ValueError when the file is not a key.
    """
    try:
        return private_key_from_text(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(new_private_key_text() + "\n")
            file.flush()
            os.fsync(file.fileno())
        # Another process that was first wins: its key is the one.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return private_key_from_text(path.read_text(encoding="ascii"))


# --- building -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleFile:
    """One WARC file of the bundle: its name in the zip and its bytes as stored."""

    name: str
    data: bytes


@dataclass(frozen=True)
class BundleSource:
    """What a bundle is built from, as plain JSON values (the selector gathers them).

    `events` are the verdict's history events in order, each already in the form that is
    hashed: {id, verb, actor, created_at, article, annotation, data}."""

    verdict_id: int
    claim: dict[str, Any]
    span_text: str
    verdict: dict[str, Any]
    evidence: list[dict[str, Any]]
    events: list[dict[str, Any]]
    files: list[BundleFile] = field(default_factory=list)
    desk: dict[str, Any] = field(default_factory=dict)
    # "desk" (the newsroom's whole record) or "public" (what the public report shows).
    audience: str = "desk"


def build_manifest(source: BundleSource, *, generated_at: str) -> dict[str, Any]:
    """The manifest of a bundle: everything but the signature."""
    first, links = chain_links(source.verdict_id, source.events)
    return {
        "format": FORMAT,
        "generated_at": generated_at,
        "audience": source.audience,
        "desk": source.desk,
        "claim": source.claim,
        "span_text": source.span_text,
        "verdict": source.verdict,
        "evidence": source.evidence,
        "files": [
            {
                "name": item.name,
                "sha256": hashlib.sha256(item.data).hexdigest(),
                "size": len(item.data),
            }
            for item in source.files
        ],
        "history": {
            "genesis": genesis(source.verdict_id),
            "link_0": first,
            "events": [
                {"event": event, "link": link}
                for event, link in zip(source.events, links, strict=True)
            ],
            "head": links[-1] if links else first,
        },
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The manifest as stored and signed: indented for a reader, keys sorted."""
    return (
        json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    ).encode("utf-8")


def signature_document(manifest: bytes, key: Ed25519PrivateKey) -> dict[str, str]:
    public = key.public_key()
    return {
        "algorithm": ALGORITHM,
        "key_id": key_id(public),
        "public_key": public_key_b64(public),
        "signed_file": MANIFEST,
        "signature": base64.b64encode(key.sign(manifest)).decode("ascii"),
    }


def bundle_zip(source: BundleSource, *, key: Ed25519PrivateKey, generated_at: str) -> bytes:
    """The bundle as zip bytes. The WARC files are stored, not compressed again: they are
    gzipped already."""
    manifest = manifest_bytes(build_manifest(source, generated_at=generated_at))
    signature = json.dumps(signature_document(manifest, key), indent=2, sort_keys=True) + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(MANIFEST, manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(SIGNATURE, signature.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
        for item in source.files:
            archive.writestr(item.name, item.data, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


# --- verifying ------------------------------------------------------------------------------


@dataclass
class Verification:
    """The verifier's findings: failures (empty when the bundle is sound) and, for the OK
    line, what was checked."""

    failures: list[str] = field(default_factory=list)
    verdict_id: Any = None
    key_id: str = ""
    is_key_pinned: bool = False
    file_count: int = 0
    event_count: int = 0
    head: str = ""
    audience: str = AUDIENCE_DESK

    @property
    def is_ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        if self.failures:
            return "\n".join(f"FAILED: {reason}" for reason in self.failures)
        trust = (
            "the key given"
            if self.is_key_pinned
            else "the bundle's own key (pass --public-key to check it is the desk's)"
        )
        return (
            f"OK verdict {self.verdict_id}: signature by {self.key_id} ({trust}), "
            f"{self.file_count} file(s) match their SHA-256, "
            f"{self.event_count} history event(s) chain to {self.head[:16]}…; "
            f"a {self.audience} bundle"
        )


def _read_json(archive: zipfile.ZipFile, name: str, found: Verification) -> tuple[bytes, Any]:
    info = archive.getinfo(name)
    if info.file_size > MAX_JSON_BYTES:
        found.failures.append(f"{name} is larger than {MAX_JSON_BYTES} bytes")
        return b"", None
    data = archive.read(name)
    try:
        return data, json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        found.failures.append(f"{name} is not valid JSON: {error}")
        return data, None


def _check_signature(
    manifest: bytes, signature: Any, trusted: Ed25519PublicKey | None, found: Verification
) -> None:
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        found.failures.append(f"{SIGNATURE} does not hold an {ALGORITHM} signature")
        return
    try:
        embedded = public_key_from_text(str(signature.get("public_key", "")))
        value = base64.b64decode(str(signature.get("signature", "")), validate=True)
    except (ValueError, binascii.Error) as error:
        found.failures.append(f"{SIGNATURE}: {error}")
        return
    found.key_id = key_id(embedded)
    if signature.get("key_id") != found.key_id:
        found.failures.append(f"{SIGNATURE}: key_id does not name the public key it holds")
    key = embedded
    if trusted is not None:
        found.is_key_pinned = True
        if _raw_public(trusted) != _raw_public(embedded):
            found.failures.append(
                f"the bundle is signed by {found.key_id}, not by the key given ({key_id(trusted)})"
            )
        key = trusted
    try:
        key.verify(value, manifest)
    except InvalidSignature:
        found.failures.append(
            f"the signature does not match {MANIFEST}: the manifest was changed after signing"
        )


def _check_files(archive: zipfile.ZipFile, manifest: dict[str, Any], found: Verification) -> None:
    listed = manifest.get("files")
    if not isinstance(listed, list):
        found.failures.append("the manifest has no list of files")
        return
    names = [info.filename for info in archive.infolist()]
    for name in sorted({n for n in names if names.count(n) > 1}):
        found.failures.append(f"the zip holds {name} more than once")
    expected: dict[str, dict[str, Any]] = {}
    for entry in listed:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.startswith(WARC_FOLDER) or ".." in name:
            found.failures.append(f"the manifest lists a file outside {WARC_FOLDER}: {name!r}")
            continue
        if not name.endswith(WARC_SUFFIXES):
            found.failures.append(f"the manifest lists a file that is not a WARC file: {name}")
        expected[name] = entry
    for name in sorted(set(names) - set(expected) - {MANIFEST, SIGNATURE}):
        found.failures.append(f"the zip holds a file the manifest does not list: {name}")
    for name, entry in expected.items():
        if name not in names:
            found.failures.append(f"a file the manifest lists is missing: {name}")
            continue
        digest = hashlib.sha256()
        size = 0
        with archive.open(name) as file:
            while chunk := file.read(_HASH_CHUNK):
                digest.update(chunk)
                size += len(chunk)
        if digest.hexdigest() != entry.get("sha256"):
            found.failures.append(f"{name}: its SHA-256 is not the one in the manifest")
        elif size != entry.get("size"):
            found.failures.append(f"{name}: its size is not the one in the manifest")
    found.file_count = len(expected)
    files = set(expected)
    for item in manifest.get("evidence") or []:
        for capture in item.get("captures") or []:
            if capture.get("file") not in files:
                found.failures.append(
                    f"capture {capture.get('capture')} names a file the bundle does not list"
                )
            refers_to = capture.get("refers_to")
            if refers_to is not None and (
                not isinstance(refers_to, dict) or refers_to.get("file") not in files
            ):
                found.failures.append(
                    f"capture {capture.get('capture')} is a revisit of a file the bundle "
                    "does not list"
                )


def _check_chain(verdict_id: Any, history: Any, found: Verification) -> list[dict[str, Any]]:
    """The chain recomputed from the events; the events, for the cross-checks."""
    if not isinstance(history, dict) or not isinstance(history.get("events"), list):
        found.failures.append("the manifest has no history events")
        return []
    entries = history["events"]
    if not all(isinstance(e, dict) and isinstance(e.get("event"), dict) for e in entries):
        found.failures.append("the history holds an entry that is not an event")
        return []
    events = [entry["event"] for entry in entries]
    if history.get("genesis") != genesis(verdict_id):
        found.failures.append(f"the chain's genesis is not that of verdict {verdict_id}")
    first, links = chain_links(verdict_id, events)
    if history.get("link_0") != first:
        found.failures.append("the chain's first link is not the hash of its genesis")
    for position, (entry, link) in enumerate(zip(entries, links, strict=True), start=1):
        if entry.get("link") != link:
            found.failures.append(
                f"history event {position} (id {entry['event'].get('id')}): its link does "
                "not follow from the event and the link before it: an event was changed, "
                "removed, added or moved"
            )
            break
    head = links[-1] if links else first
    if history.get("head") != head:
        found.failures.append("the chain's head is not the last link")
    found.event_count = len(events)
    found.head = head
    return events


def _is_id(value: Any, verdict_id: Any) -> bool:
    # Strictly an integer: `True == 1`, and a flag such as {"final": true} is no id.
    return type(value) is int and value == verdict_id


def names_verdict(data: Any, verdict_id: Any) -> bool:
    """Whether an event's data is about the verdict: it proposed, approved, rejected, set
    aside or revealed it, corrected with it, chose it or closed it in a double review."""
    if not isinstance(data, dict):
        return False
    keys = ("verdict", "corrects", "approved", "final")
    if any(_is_id(data.get(key), verdict_id) for key in keys):
        return True
    not_chosen = data.get("not_chosen")
    if isinstance(not_chosen, list) and any(_is_id(v, verdict_id) for v in not_chosen):
        return True
    revealed = data.get("verdicts")
    return isinstance(revealed, list) and any(
        isinstance(item, dict) and _is_id(item.get("verdict"), verdict_id) for item in revealed
    )


def _of_verdict(event: dict[str, Any], verdict_id: Any) -> bool:
    return names_verdict(event.get("data"), verdict_id)


def _check_against_events(
    manifest: dict[str, Any], events: list[dict[str, Any]], found: Verification
) -> None:
    """The manifest's verdict says what its events say: a field edited in the manifest, or
    an event removed from the history, disagrees."""
    verdict = manifest.get("verdict")
    if not isinstance(verdict, dict):
        found.failures.append("the manifest has no verdict")
        return
    verdict_id = verdict.get("id")
    ids = [event.get("id") for event in events]
    if len(set(map(repr, ids))) != len(ids):
        found.failures.append("the history holds an event twice")
    times = [str(event.get("created_at", "")) for event in events]
    if times != sorted(times):
        found.failures.append("the history's events are not in the order they happened")
    for event in events:
        if not _of_verdict(event, verdict_id):
            found.failures.append(
                f"history event {event.get('id')} is not about verdict {verdict_id}"
            )

    def of_verb(*verbs: str) -> list[dict[str, Any]]:
        return [
            e
            for e in events
            if e.get("verb") in verbs and _is_id((e.get("data") or {}).get("verdict"), verdict_id)
        ]

    def agree(event: dict[str, Any], key: str, value: Any, what: str) -> None:
        data = event.get("data") or {}
        if key in data and data[key] != value:
            found.failures.append(
                f"the manifest's {what} differs from the one in the {event.get('verb')} event"
            )

    proposals = of_verb("verdict.proposed", "verdict.proposed_blind")
    if len(proposals) != 1:
        found.failures.append(
            f"the history holds {len(proposals)} proposal events of verdict {verdict_id}, not one"
        )
    for event in proposals:
        if event.get("actor") != verdict.get("proposed_by"):
            found.failures.append("the manifest's proposer is not the actor of the proposal event")
        agree(event, "rating", verdict.get("rating"), "rating")
        agree(event, "rationale", verdict.get("rationale"), "rationale")

    approvals = of_verb("verdict.approved")
    if verdict.get("approved_by") is not None:
        if len(approvals) != 1:
            found.failures.append(
                f"the manifest says {verdict.get('approved_by')} approved the verdict, but the "
                f"history holds {len(approvals)} approval events, not one"
            )
        for event in approvals:
            if event.get("actor") != verdict.get("approved_by"):
                found.failures.append(
                    "the manifest's approver is not the actor of the approval event"
                )
            agree(event, "rating", verdict.get("rating"), "rating")
            agree(event, "rationale", verdict.get("rationale"), "rationale")
            agree(event, "note", verdict.get("decision_note"), "decision note")
            agree(event, "quote", (manifest.get("span_text") or "")[:500], "span text")
    elif approvals:
        found.failures.append("the history holds an approval the manifest does not name")

    # A blind verdict the chief did not choose is closed by the double review's decision;
    # a rejected final verdict (its reveal again names the verdict and `final_rejected`)
    # opens it again, and the closing stands no more.
    rejections = of_verb("verdict.rejected")
    for e in events:
        data = e.get("data") or {}
        if e.get("verb") == "double_review.decided" and any(
            _is_id(v, verdict_id) for v in data.get("not_chosen") or []
        ):
            rejections.append(e)
        elif e.get("verb") == "double_review.revealed" and data.get("final_rejected"):
            rejections = [r for r in rejections if r.get("verb") != "double_review.decided"]
    if verdict.get("rejected_by") is not None:
        if len(rejections) != 1:
            found.failures.append(
                f"the manifest says {verdict.get('rejected_by')} rejected the verdict, but the "
                f"history holds {len(rejections)} rejection events, not one"
            )
        for event in rejections:
            if event.get("actor") != verdict.get("rejected_by"):
                found.failures.append("the manifest's rejecter is not the actor of the rejection")
            agree(event, "note", verdict.get("decision_note"), "decision note")
    elif rejections:
        found.failures.append("the history holds a rejection the manifest does not name")

    if verdict.get("status") == "set_aside" and not of_verb("verdict.set_aside"):
        found.failures.append("the manifest says the verdict was set aside; no event says so")


def _check_audience(manifest: dict[str, Any], found: Verification) -> None:
    """The manifest says whom it was made for (a bundle made before it said nothing is
    the desk's); a public one holds none of what only the desk may read."""
    audience = manifest.get("audience", AUDIENCE_DESK)
    if audience not in AUDIENCES:
        found.failures.append(f"the manifest's audience is neither of {', '.join(AUDIENCES)}")
        return
    found.audience = audience
    if audience != AUDIENCE_PUBLIC:
        return
    if "decision_note" in (manifest.get("verdict") or {}):
        found.failures.append("a public manifest holds the decision note")
    for item in manifest.get("evidence") or []:
        if isinstance(item, dict) and ({"note", "added_by"} & set(item)):
            found.failures.append(
                f"a public manifest holds the note or adder of evidence {item.get('id')}"
            )


def verify_bundle(data: bytes, *, public_key: Ed25519PublicKey | None = None) -> Verification:
    """Every check of a bundle (its bytes); the findings. Never raises for a bad bundle."""
    found = Verification()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        found.failures.append("not a zip file")
        return found
    with archive:
        names = set(archive.namelist())
        for required in (MANIFEST, SIGNATURE):
            if required not in names:
                found.failures.append(f"the zip holds no {required}")
        if found.failures:
            return found
        try:
            manifest_raw, manifest = _read_json(archive, MANIFEST, found)
            _raw, signature = _read_json(archive, SIGNATURE, found)
            if manifest_raw:
                _check_signature(manifest_raw, signature, public_key, found)
            if not isinstance(manifest, dict):
                if manifest is not None:
                    found.failures.append(f"{MANIFEST} is not a JSON object")
                return found
            if manifest.get("format") != FORMAT:
                found.failures.append(f"the manifest's format is not {FORMAT}")
            _check_audience(manifest, found)
            verdict_id = (manifest.get("verdict") or {}).get("id")
            found.verdict_id = verdict_id
            _check_files(archive, manifest, found)
            events = _check_chain(verdict_id, manifest.get("history"), found)
            _check_against_events(manifest, events, found)
        except (
            zipfile.BadZipFile,
            OSError,
            EOFError,
            AttributeError,
            TypeError,
            ValueError,
        ) as error:
            # A damaged entry (bad CRC, cut stream) or a manifest of the wrong shape.
            found.failures.append(f"the bundle cannot be read: {error}")
    return found


# --- the command line -----------------------------------------------------------------------


def read_public_key(value: str) -> Ed25519PublicKey:
    """--public-key: the key itself (base64), a file holding it (or the bundle-key JSON),
    or an http(s) URL of the desk's /api/v1/bundle-key/. Raises ValueError or OSError."""
    if value.startswith(("http://", "https://")):
        with urllib.request.urlopen(value, timeout=30) as response:  # noqa: S310 - http(s) only
            return public_key_from_text(response.read(64 * 1024).decode("utf-8"))
    path = Path(value)
    if path.is_file():
        return public_key_from_text(path.read_text(encoding="utf-8"))
    return public_key_from_text(value)


def verify_file(bundle_path: str, public_key: str | None) -> tuple[bool, str]:
    """`verify`: whether the bundle at `bundle_path` is sound, and what to print (one OK
    line, or one FAILED line per failure)."""
    try:
        trusted = read_public_key(public_key) if public_key else None
    except (ValueError, OSError) as error:
        return False, f"FAILED: cannot read the public key {public_key}: {error}"
    try:
        data = Path(bundle_path).read_bytes()
    except OSError as error:
        return False, f"FAILED: cannot read {bundle_path}: {error}"
    found = verify_bundle(data, public_key=trusted)
    return found.is_ok, found.summary()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m annotations.bundle",
        description="Verify a verdict's evidence bundle offline, or make a signing key.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check a bundle's signature, files and chain")
    verify.add_argument("bundle", help="the bundle's zip file")
    verify.add_argument(
        "--public-key",
        help="the desk's public key: base64, a file holding it or the JSON of "
        "/api/v1/bundle-key/, or that URL; without it the bundle's own key is used",
    )
    commands.add_parser("new-key", help="print a new signing key for BUNDLE_SIGNING_KEY")
    arguments = parser.parse_args(argv)
    if arguments.command == "new-key":
        print(new_private_key_text())
        return 0
    is_ok, report = verify_file(arguments.bundle, arguments.public_key)
    print(report, file=sys.stdout if is_ok else sys.stderr)
    return 0 if is_ok else 1


if __name__ == "__main__":
    sys.exit(main())
