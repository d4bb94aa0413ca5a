"""WARC files of fetched sources: written from fetch.Exchange records, read back (no Django).

One file per capture, gzipped record by record (`.warc.gz`), WARC/1.1:

- per hop, redirects first, a `request` record (the request line and headers as sent) and a
  `response` record (the status line, headers and the body as read);
- a `conversion` record holding the extracted main text (UTF-8), which refers to the last
  response.

Identical content is stored once by payload hash: when another capture (of another URL)
already holds the last response's body, that response is written as a WARC/1.1 `revisit`
record instead (profile `identical-payload-digest`, with `WARC-Refers-To-Target-URI`,
`WARC-Refers-To-Date` and `WARC-Payload-Digest`): its HTTP headers, no body. Reading it back
needs the file it refers to (read_response's `referred`).

The body is the one the fetcher read: decoded from gzip or deflate (so the byte cap bounds
what is stored, not what the wire carried) and cut at the cap. The response headers say so:
Content-Encoding and Transfer-Encoding are dropped (kept as `X-Archive-Orig-*`) and
Content-Length is the stored length; a cut body carries `WARC-Truncated: length`. Digests
are SHA-256 (`sha256:` + base 32, as `warcio check` verifies them).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import BufferWARCWriter

from .fetch import Exchange

__all__ = [
    "ArchivedResponse",
    "Revisit",
    "payload_digest",
    "read_response",
    "revisit_target",
    "warc_bytes",
]

# Hop-by-hop or body-describing headers that no longer hold for the stored (decoded) body.
_REWRITTEN_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


class _Writer(BufferWARCWriter):
    """warcio's writer with SHA-256 digests instead of its default SHA-1."""

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


@dataclass(frozen=True)
class ArchivedResponse:
    """The last response of a WARC file and its extracted text, as read back."""

    url: str
    date: str
    status: int
    content_type: str
    body: bytes
    text: str
    is_truncated: bool
    refers_to: str = ""  # for a revisit record: the URL of the response holding the body


@dataclass(frozen=True)
class Revisit:
    """The earlier response whose body a new response repeats: its URL and WARC-Date."""

    url: str
    date: str


def payload_digest(body: bytes) -> str:
    """The body's WARC-Payload-Digest as the writer computes it (`sha256:` + base 32)."""
    digester = Digester("sha256")
    digester.update(body)
    return str(digester)


def _request_line(url: str) -> str:
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return f"GET {target} HTTP/1.1"


def _stored_headers(exchange: Exchange) -> list[tuple[str, str]]:
    headers = [
        (name, value)
        for name, value in exchange.response_headers
        if name.lower() not in _REWRITTEN_HEADERS
    ]
    headers += [
        (f"X-Archive-Orig-{name}", value)
        for name, value in exchange.response_headers
        if name.lower() in _REWRITTEN_HEADERS
    ]
    headers.append(("Content-Length", str(len(exchange.body))))
    return headers


def warc_bytes(
    exchanges: Iterable[Exchange], *, text: str, software: str, revisit: Revisit | None = None
) -> bytes:
    """The WARC file of one fetch: its request and response records, then the text. With
    `revisit`, the last response is a revisit record of that earlier response (the same
    body): its headers without the body."""
    exchanges = list(exchanges)
    writer = _Writer(gzip=True, warc_version="1.1")
    writer.write_record(
        writer.create_warcinfo_record("", {"software": software, "format": "WARC File Format 1.1"})
    )
    response_id = ""
    last_url = ""
    for exchange in exchanges:
        request = writer.create_warc_record(
            exchange.url,
            "request",
            http_headers=StatusAndHeaders(
                _request_line(exchange.url),
                list(exchange.request_headers),
                is_http_request=True,
            ),
            warc_headers_dict={"WARC-IP-Address": exchange.address},
        )
        response_headers = {"WARC-IP-Address": exchange.address}
        if exchange.truncated:
            response_headers["WARC-Truncated"] = "length"
        http_headers = StatusAndHeaders(
            f"{exchange.status} {exchange.reason}".strip(),
            _stored_headers(exchange),
            protocol=exchange.http_version or "HTTP/1.1",
        )
        if revisit is not None and exchange is exchanges[-1]:
            response = writer.create_revisit_record(
                exchange.url,
                payload_digest(exchange.body),
                revisit.url,
                revisit.date,
                http_headers=http_headers,
                warc_headers_dict={"WARC-IP-Address": exchange.address},
            )
        else:
            response = writer.create_warc_record(
                exchange.url,
                "response",
                payload=io.BytesIO(exchange.body),
                length=len(exchange.body),
                http_headers=http_headers,
                warc_headers_dict=response_headers,
            )
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        request.rec_headers.add_header("WARC-Concurrent-To", response_id)
        writer.write_record(request)
        writer.write_record(response)
        last_url = exchange.url
    encoded = text.encode("utf-8")
    conversion = writer.create_warc_record(
        last_url,
        "conversion",
        payload=io.BytesIO(encoded),
        length=len(encoded),
        warc_content_type="text/plain; charset=utf-8",
        warc_headers_dict={"WARC-Refers-To": response_id} if response_id else {},
    )
    writer.write_record(conversion)
    return writer.get_contents()


def revisit_target(data: bytes) -> str | None:
    """The URL whose earlier response holds the body, when the file's last response is a
    revisit record; None when it is a response of its own."""
    target: str | None = None
    for record in ArchiveIterator(io.BytesIO(data)):
        if record.rec_type == "response":
            target = None
        elif record.rec_type == "revisit":
            target = record.rec_headers.get_header("WARC-Refers-To-Target-URI") or ""
    return target


def read_response(data: bytes, *, referred: bytes | None = None) -> ArchivedResponse:
    """The last response record of a WARC file and its conversion (text) record.

    When that response is a revisit record, its body is read from `referred`, the file it
    refers to (its last response, which must have the same payload digest).
    Raises ValueError when the file holds no response, or a revisit without its body.
    """
    response: ArchivedResponse | None = None
    digest = ""
    text = ""
    for record in ArchiveIterator(io.BytesIO(data)):
        headers = record.rec_headers
        if record.rec_type in ("response", "revisit"):
            is_revisit = record.rec_type == "revisit"
            status_line = record.http_headers.get_statuscode() if record.http_headers else "0"
            response = ArchivedResponse(
                url=headers.get_header("WARC-Target-URI") or "",
                date=headers.get_header("WARC-Date") or "",
                status=int(status_line or 0),
                content_type=(record.http_headers.get_header("Content-Type") or "")
                if record.http_headers
                else "",
                body=b"" if is_revisit else record.content_stream().read(),
                text="",
                is_truncated=bool(headers.get_header("WARC-Truncated")),
                refers_to=(headers.get_header("WARC-Refers-To-Target-URI") or "")
                if is_revisit
                else "",
            )
            digest = headers.get_header("WARC-Payload-Digest") or "" if is_revisit else ""
        elif record.rec_type == "conversion":
            text = record.content_stream().read().decode("utf-8", errors="replace")
    if response is None:
        raise ValueError("the WARC file holds no response record")
    body = response.body
    if response.refers_to:
        if referred is None:
            raise ValueError("the WARC file's response is a revisit: its body is in another file")
        original = read_response(referred)
        if original.refers_to or payload_digest(original.body) != digest:
            raise ValueError("the file the revisit refers to does not hold its body")
        body = original.body
        response = ArchivedResponse(**{**response.__dict__, "is_truncated": original.is_truncated})
    return ArchivedResponse(**{**response.__dict__, "body": body, "text": text})
