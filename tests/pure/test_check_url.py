"""`manage.py check_url`: the guard and the fetch with the configured settings, printed.

Sources are a real loopback site; the private and metadata addresses are refused by the
guard before any connection (a tripwire makes sure no packet could leave anyway).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.source_site import SourceSite, install_tripwire, running_site

TEXT = (
    "Der Rat hat den Haushalt für 2026 mit 4,2 Milliarden Euro beschlossen, "
    "teilte die Kämmerin am Dienstag mit."
)
PAGE = (
    "<html><head><meta charset='utf-8'><title>Haushalt 2026 | Stadt</title></head><body>"
    f"<article><p>{TEXT}</p></article></body></html>"
)
MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"


@pytest.fixture
def site(settings) -> Iterator[SourceSite]:
    """A source site the fetcher may reach: it is in FETCH_ALLOW_HOSTS."""
    with running_site() as source:
        settings.FETCH_ALLOW_HOSTS = [source.host_port]
        yield source


@pytest.fixture
def tripwire(monkeypatch) -> list[tuple[str, int]]:
    return install_tripwire(monkeypatch)


def check_url(url: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("check_url", url, stdout=out)
    except SystemExit as exit:
        return int(exit.code), out.getvalue()
    return 0, out.getvalue()


def test_check_url_prints_status_type_and_title_of_an_allowed_page(site):
    site.add("/haushalt", PAGE)
    url = site.redirect("/kurz", "/haushalt")

    code, output = check_url(url)

    assert code == 0
    lines = output.splitlines()
    assert lines[:5] == [
        "status: 200",
        "content type: text/html; charset utf-8",
        "title: Haushalt 2026",
        f"final URL: {site.url('/haushalt')}",
        f"redirected to: {site.url('/haushalt')}",
    ]
    assert lines[5] == (
        f"text: {len(TEXT)} characters, sha256 {hashlib.sha256(TEXT.encode()).hexdigest()}"
    )
    assert len(lines) == 6
    assert site.requests["/haushalt"] == 1


def test_check_url_reports_loopback_outside_the_allow_list_as_blocked(settings, tripwire):
    settings.FETCH_ALLOW_HOSTS = []
    with running_site() as internal:
        code, output = check_url(internal.url("/intern"))

        assert internal.connections == 0
    assert code == 2
    assert output == (
        "blocked: address 127.0.0.1 is in 127.0.0.0/8, Loopback (RFC 1122), "
        "not globally reachable\n"
    )
    assert tripwire == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/", "address 10.0.0.1 is in 10.0.0.0/8, Private-Use (RFC 1918)"),
        (
            "http://192.0.0.200/",
            "address 192.0.0.200 is in 192.0.0.0/24, IETF Protocol Assignments (RFC 6890)",
        ),
        ("http://[3fff::1]/", "address 3fff::1 is in 3fff::/20, Documentation (RFC 9637)"),
    ],
)
def test_check_url_refuses_a_private_address_before_any_connection(url, reason, tripwire):
    code, output = check_url(url)

    assert code == 2
    assert output == f"blocked: {reason}, not globally reachable\n"
    assert tripwire == []


def test_check_url_names_the_redirect_hop_that_was_blocked(site, tripwire):
    url = site.redirect("/weiter", "http://169.254.169.254/latest/meta-data/")

    code, output = check_url(url)

    assert code == 2
    assert output.splitlines() == [
        "blocked: address 169.254.169.254 is in 169.254.0.0/16, Link Local (RFC 3927), "
        "not globally reachable",
        "at: http://169.254.169.254/latest/meta-data/",
    ]
    assert site.connections == 1
    assert [host for host, _port in tripwire if not host.startswith("127.")] == []


def test_check_url_refuses_what_is_not_a_web_address():
    code, output = check_url("file:///etc/passwd")

    assert code == 2
    assert output == "blocked: only http and https URLs are accepted\n"


def test_check_url_reports_a_failed_fetch_with_its_status(site):
    site.add("/bild.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")

    missing_code, missing = check_url(site.url("/fehlt"))
    image_code, image = check_url(site.url("/bild.png"))

    assert (missing_code, missing) == (1, "failed: HTTP 404\n")
    assert (image_code, image) == (1, "failed: not HTML or text: image/png\nHTTP status: 200\n")


def test_check_url_exits_2_from_the_shell_when_blocked():
    # Loopback and not in the allow-list: refused before any connection, so this real
    # process sends nothing anywhere.
    env = {**os.environ, "FETCH_ALLOW_HOSTS": ""}

    finished = subprocess.run(
        [sys.executable, str(MANAGE_PY), "check_url", "http://127.0.0.1:9/"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode == 2
    assert finished.stdout == (
        "blocked: address 127.0.0.1 is in 127.0.0.0/8, Loopback (RFC 1122), "
        "not globally reachable\n"
    )
