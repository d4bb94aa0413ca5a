"""Screenshot of the annotate page with the German demo article, for the README.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck \\
        .venv/bin/python bench/screenshot.py [docs/annotate.png]

Runs on a throwaway test database (the configured one is never touched): loads the demo,
serves it from a live-server thread and drives Debian's Chromium through Playwright in
German. Background tasks are not needed: the suggestions are computed inline.
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
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
            )
            context = browser.new_context(
                base_url=url, locale="de-DE", viewport={"width": 1440, "height": 960}
            )
            page = context.new_page()
            page.goto("/login/")
            page.fill("#id_username", "editor")
            page.fill("#id_password", os.environ.get("DEMO_PASSWORD", "demo"))
            page.click("button[type=submit]")
            page.wait_for_url(lambda u: "/login/" not in u)
            page.goto(f"/articles/{article.pk}/")
            page.click(f"#annotation-list button[data-id='{bid.pk}']")
            page.wait_for_selector("#comment-list li", state="attached")
            page.wait_for_selector("#history-list li:not(.muted)", state="attached")
            page.evaluate("() => window.scrollTo(0, 0)")
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target))
            browser.close()
        print(f"wrote {target}")
    finally:
        server.terminate()
        runner.teardown_databases(databases)
        teardown_test_environment()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "annotate.png")
