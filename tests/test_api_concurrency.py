"""Racing writers over real HTTP: each request runs in its own server thread with its own
database connection, so the compare-and-set on `version` is what decides."""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from annotations.models import Annotation, Event
from tests.factories import api_token

WRITERS = 20


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
