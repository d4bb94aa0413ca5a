"""Web Annotation Protocol, the parts that need no database: media types, Prefer, paging of
a container's items into AnnotationPages, the protocol's headers and ETags, and CORS."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
LDP = "http://www.w3.org/ns/ldp#"
OA = "http://www.w3.org/ns/oa#"
MEDIA_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'
CONSTRAINED_BY = "http://www.w3.org/TR/annotation-protocol/"

CONTAINER_ALLOW = "GET, HEAD, OPTIONS, POST"
ANNOTATION_ALLOW = "GET, HEAD, OPTIONS, PUT, DELETE"
CONTAINER_LINK = f'<{LDP}BasicContainer>; rel="type", <{CONSTRAINED_BY}>; rel="{LDP}constrainedBy"'
ANNOTATION_LINK = f'<{LDP}Resource>; rel="type", <{OA}Annotation>; rel="type"'

PREFER_MINIMAL = LDP + "PreferMinimalContainer"
PREFER_IRIS = OA + "PreferContainedIRIs"
PREFER_DESCRIPTIONS = OA + "PreferContainedDescriptions"

# What a browser on an allowed origin may send and read (CORS).
CORS_REQUEST_HEADERS = "Authorization, Content-Type, If-Match, Prefer, Slug, Accept"
CORS_EXPOSED_HEADERS = "ETag, Link, Location, Allow, Accept-Post, Content-Location, Vary"
CORS_MAX_AGE = "600"  # seconds a browser may reuse a preflight answer

_INCLUDE = re.compile(r'include\s*=\s*(?:"([^"]*)"|([^\s;,"]+))')


def preferences(headers: Iterable[str]) -> set[str]:
    """The IRIs named by `include` in Prefer: return=representation headers (RFC 7240)."""
    found: set[str] = set()
    for value in headers:
        for match in _INCLUDE.finditer(value):
            found.update((match.group(1) or match.group(2) or "").split())
    return found


def wants_iris(prefs: set[str]) -> bool:
    """IRIs only when asked for and descriptions are not (descriptions are the default)."""
    return PREFER_IRIS in prefs and PREFER_DESCRIPTIONS not in prefs


def body_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def etag_of(data: bytes) -> str:
    """A strong ETag of a representation's bytes: it changes whenever they do."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def if_match_tags(header: str) -> list[str]:
    """The entity tags an If-Match lists (`*` stays `*`)."""
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def container_id(container: str, iris: bool) -> str:
    """The IRIs and the descriptions representations have container IRIs of their own."""
    return f"{container}?iris={int(iris)}"


def page_id(container: str, iris: bool, number: int) -> str:
    return f"{container}?iris={int(iris)}&page={number}"


def last_page(total: int, page_size: int) -> int:
    return max(0, (total - 1) // page_size)


def page(
    items: list[dict[str, Any]],
    *,
    container: str,
    iris: bool,
    number: int,
    page_size: int,
    modified: str,
    embedded: bool,
) -> dict[str, Any] | None:
    """AnnotationPage `number` (zero-based) of the items, None past the last. Embedded in
    the container it needs no @context or partOf of its own."""
    last = last_page(len(items), page_size)
    if number < 0 or number > last:
        return None
    chunk = items[number * page_size : (number + 1) * page_size]
    result: dict[str, Any] = {} if embedded else {"@context": ANNO_CONTEXT}
    result["id"] = page_id(container, iris, number)
    result["type"] = "AnnotationPage"
    if not embedded:
        result["partOf"] = {
            "id": container_id(container, iris),
            "total": len(items),
            "modified": modified,
        }
    result["startIndex"] = number * page_size
    if number < last:
        result["next"] = page_id(container, iris, number + 1)
    if number > 0:
        result["prev"] = page_id(container, iris, number - 1)
    result["items"] = [
        item["id"] if iris else {k: v for k, v in item.items() if k != "@context"} for item in chunk
    ]
    return result


def container(
    items: list[dict[str, Any]],
    *,
    container: str,
    label: str,
    modified: str,
    page_size: int,
    iris: bool,
    minimal: bool,
) -> dict[str, Any]:
    """The container's description: an LDP BasicContainer and AnnotationCollection with
    total and modified, its first page embedded (only linked under PreferMinimalContainer,
    `minimal`) and its last page linked; `iris`: the pages list IRIs, not descriptions."""
    description: dict[str, Any] = {
        "@context": [ANNO_CONTEXT, LDP_CONTEXT],
        "id": container_id(container, iris),
        "type": ["BasicContainer", "AnnotationCollection"],
        "label": label,
        "total": len(items),
        "modified": modified,
    }
    if items:
        if minimal:
            description["first"] = page_id(container, iris, 0)
        else:
            description["first"] = page(
                items,
                container=container,
                iris=iris,
                number=0,
                page_size=page_size,
                modified=modified,
                embedded=True,
            )
        description["last"] = page_id(container, iris, last_page(len(items), page_size))
    return description


def cors_headers(origin: str | None, allowed: Iterable[str], *, preflight: bool) -> dict[str, str]:
    """CORS answer headers for a request from `origin`: none unless it is allowed."""
    if not origin or origin not in set(allowed):
        return {}
    headers = {"Access-Control-Allow-Origin": origin}
    if preflight:
        headers.update(
            {
                "Access-Control-Allow-Methods": ANNOTATION_ALLOW + ", POST",
                "Access-Control-Allow-Headers": CORS_REQUEST_HEADERS,
                "Access-Control-Max-Age": CORS_MAX_AGE,
            }
        )
    else:
        headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
    return headers
