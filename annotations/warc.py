"""WARC files of fetched sources: written from fetch.Exchange records, read back (no Django).

One file per capture, gzipped record by record (`.warc.gz`), WARC/1.1:

- per hop, redirects first, a `request` record (the request line and headers as sent) and a
  `response` record (the status line, headers and the body as read);
- a `conversion` record holding the extracted main text (UTF-8), which refers to the last
  response.

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

__all__ = ["ArchivedResponse", "read_response", "warc_bytes"]

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


def warc_bytes(exchanges: Iterable[Exchange], *, text: str, software: str) -> bytes:
    """The WARC file of one fetch: its request and response records, then the text."""
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
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=StatusAndHeaders(
                f"{exchange.status} {exchange.reason}".strip(),
                _stored_headers(exchange),
                protocol=exchange.http_version or "HTTP/1.1",
            ),
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


def read_response(data: bytes) -> ArchivedResponse:
    """The last response record of a WARC file and its conversion (text) record.

    Raises ValueError when the file holds no response.
    """
    response: ArchivedResponse | None = None
    text = ""
    for record in ArchiveIterator(io.BytesIO(data)):
        headers = record.rec_headers
        if record.rec_type == "response":
            status_line = record.http_headers.get_statuscode() if record.http_headers else "0"
            response = ArchivedResponse(
                url=headers.get_header("WARC-Target-URI") or "",
                date=headers.get_header("WARC-Date") or "",
                status=int(status_line or 0),
                content_type=(record.http_headers.get_header("Content-Type") or "")
                if record.http_headers
                else "",
                body=record.content_stream().read(),
                text="",
                is_truncated=bool(headers.get_header("WARC-Truncated")),
            )
        elif record.rec_type == "conversion":
            text = record.content_stream().read().decode("utf-8", errors="replace")
    if response is None:
        raise ValueError("the WARC file holds no response record")
    return ArchivedResponse(**{**response.__dict__, "text": text})
