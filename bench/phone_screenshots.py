"""Screenshots of the annotate page and the queue on a phone (390×844), for the docs.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck \\
        .venv/bin/python bench/phone_screenshots.py [docs/]

Like bench/screenshot.py: a throwaway test database (the configured one is never touched)
with the demo loaded, a live-server thread and Debian's Chromium through Playwright, in
German. Writes phone-annotate.png (a tapped highlight with its details as a bottom sheet)
and phone-queue.png (the reviewer's queue as cards).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("DEBUG", "1")
# Playwright's sync API runs an event loop in this thread next to the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


def login(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", os.environ.get("DEMO_PASSWORD", "demo"))
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login/" not in u)


def main(target: Path) -> None:
    import django

    django.setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.test.runner import DiscoverRunner
    from django.test.testcases import LiveServerThread
    from django.test.utils import setup_test_environment, teardown_test_environment
    from playwright.sync_api import sync_playwright

    from annotations import services
    from annotations.models import Annotation, Article

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    databases = runner.setup_databases()
    server = LiveServerThread("localhost", StaticFilesHandler, port=0)
    server.daemon = True
    try:
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        article = Article.objects.get(language="de")
        services.article_analyse(article_id=article.pk)
        bid = Annotation.objects.filter(article=article, exact__contains="97,4").get()
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        url = f"http://localhost:{server.port}"
        target.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
            )
            for username, shoot in (("editor", _annotate), ("reviewer", _queue)):
                context = browser.new_context(
                    base_url=url, locale="de-DE", viewport=PHONE, has_touch=True, is_mobile=True
                )
                page = context.new_page()
                login(page, username)
                path = shoot(page, target, article=article, bid=bid)
                print(f"wrote {path}")
                context.close()
            browser.close()
    finally:
        server.terminate()
        runner.teardown_databases(databases)
        teardown_test_environment()


def _annotate(page, target: Path, *, article, bid) -> Path:
    page.goto(f"/articles/{article.pk}/")
    mark = page.locator(f"mark[data-ids~='{bid.pk}']").first
    mark.scroll_into_view_if_needed()
    mark.tap()
    page.wait_for_selector("#detail-panel:not([hidden])")
    page.wait_for_selector("#history-list li:not(.muted)", state="attached")
    path = target / "phone-annotate.png"
    page.screenshot(path=str(path))
    return path


def _queue(page, target: Path, **_unused) -> Path:
    page.goto("/queue/")
    page.wait_for_selector("#queue-rows tr.queue-row")
    path = target / "phone-queue.png"
    page.screenshot(path=str(path))
    return path


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
