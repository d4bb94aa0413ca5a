"""Racing writers over real HTTP: each request runs in its own server thread with its own
database connection, so the compare-and-set on `version` is what decides."""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from annotations.models import Annotation, Event
from tests.factories import api_token

WRITERS = 20


def _patch(url: str, token: str, etag: str, note: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps({"note": note}).encode(),
        method="PATCH",
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "If-Match": etag,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_of_20_writers_with_the_same_if_match_exactly_one_wins(live_server, editor, claim):
    token = api_token(editor)
    url = f"{live_server.url}/api/v1/annotations/{claim.pk}/"
    with urllib.request.urlopen(
        urllib.request.Request(url, headers={"Authorization": f"Token {token}"}), timeout=30
    ) as response:
        etag = response.headers["ETag"]
    assert etag == '"1"'

    start = threading.Barrier(WRITERS)

    def writer(n: int) -> tuple[int, dict]:
        start.wait(timeout=30)
        return _patch(url, token, etag, f"note from writer {n}")

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        results = list(pool.map(writer, range(WRITERS)))

    codes = sorted(code for code, _body in results)
    assert codes == [200] + [412] * (WRITERS - 1)
    winner = next(body for code, body in results if code == 200)
    stale = [body["detail"] for code, body in results if code == 412]
    assert all(detail.startswith("the annotation was changed by someone else") for detail in stale)
    claim.refresh_from_db()
    assert claim.version == 2
    assert claim.note == winner["note"]
    assert Event.objects.filter(annotation=claim, verb="annotation.updated").count() == 1
    assert Annotation.objects.get(pk=claim.pk).version == winner["version"]


def _post(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_of_8_racing_creates_of_one_span_exactly_one_is_stored(live_server, editor, claim):
    """Creates share the article's lock, so the unique span constraint decides the race."""
    token = api_token(editor)
    body = {"article": claim.article_id, "label": "opinion", "start": 0, "end": 6}
    start = threading.Barrier(8)

    def writer(_n: int) -> tuple[int, dict]:
        start.wait(timeout=30)
        return _post(f"{live_server.url}/api/v1/annotations/", token, body)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(writer, range(8)))
    assert sorted(code for code, _body in results) == [201] + [409] * 7
    (created,) = [body for code, body in results if code == 201]
    assert {body["annotation"] for code, body in results if code == 409} == {created["id"]}
    assert (
        Annotation.objects.filter(article_id=claim.article_id, label__slug="opinion").count() == 1
    )


def test_8_writers_tag_different_spans_of_one_article_at_once(live_server, editor, claim):
    token = api_token(editor)
    words = [(m, m + 1) for m in range(8)]
    start = threading.Barrier(8)

    def writer(n: int) -> tuple[int, dict]:
        start.wait(timeout=30)
        s, e = words[n]
        body = {"article": claim.article_id, "label": "speculation", "start": s, "end": e}
        return _post(f"{live_server.url}/api/v1/annotations/", token, body)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(writer, range(8)))
    assert [code for code, _body in results] == [201] * 8
    assert Annotation.objects.filter(label__slug="speculation").count() == 8
