"""Run one URL through the fetch guard and the fetcher, as a source check would.

Operators use it to answer "why was this source refused?" with the server's own settings
(FETCH_ALLOW_HOSTS, the byte cap and the timeouts). Nothing is written anywhere.
"""

from __future__ import annotations

from typing import NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand

from annotations import fetch
from annotations.services.base import url_fetch

# Exit codes, so that scripts can tell a refusal by the guard from a failed fetch.
EXIT_FAILED = 1
EXIT_BLOCKED = 2


class Command(BaseCommand):
    help = (
        "Fetch URL through the SSRF guard with the configured settings and print the outcome: "
        "'blocked: <reason>' (exit 2), 'failed: <error>' (exit 1), or the HTTP status, "
        "content type and title (exit 0)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("url")

    def handle(self, *args, url: str, **options) -> None:
        try:
            result = url_fetch(url)  # what a worker's source check would do
        except fetch.BlockedURL as exc:
            self._refuse(f"blocked: {exc.message}", exc, url, EXIT_BLOCKED)
        except fetch.TransientFetchError as exc:
            self._refuse(
                f"failed: {exc.message} (may pass; a source check retries it)",
                exc,
                url,
                EXIT_FAILED,
            )
        except fetch.FetchError as exc:
            self._refuse(f"failed: {exc.message}", exc, url, EXIT_FAILED)

        self.stdout.write(f"status: {result.status}")
        charset = f"; charset {result.charset}" if result.charset else ""
        self.stdout.write(f"content type: {result.content_type}{charset}")
        self.stdout.write(f"title: {result.title}")
        self.stdout.write(f"final URL: {result.final_url}")
        for hop in result.redirects:
            self.stdout.write(f"redirected to: {hop}")
        cut = (
            f" (cut at FETCH_MAX_BYTES, {settings.FETCH_MAX_BYTES:,} bytes)"
            if result.truncated
            else ""
        )
        self.stdout.write(f"text: {len(result.text):,} characters{cut}, sha256 {result.sha256}")

    def _refuse(self, outcome: str, exc: fetch.FetchError, url: str, code: int) -> NoReturn:
        self.stdout.write(outcome)
        if exc.status is not None and not exc.message.startswith("HTTP "):
            self.stdout.write(f"HTTP status: {exc.status}")
        # After a redirect the refused hop is not the URL that was asked for: name it.
        if exc.url and exc.url != _normalised(url):
            self.stdout.write(f"at: {exc.url}")
        # Not CommandError: the outcome goes to stdout as it is, with its own exit code.
        raise SystemExit(code)


def _normalised(url: str) -> str | None:
    try:
        return fetch.check_url_shape(url)
    except fetch.FetchError:
        return None
