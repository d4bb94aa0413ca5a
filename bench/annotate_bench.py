"""The annotate page in Chromium: load, tag latency, scroll and heap at 200 and 2,000 spans.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/factcheck \\
        .venv/bin/python bench/annotate_bench.py [--spans 200,2000] [--tags 25]

Runs on a throwaway test database (`test_annotate_bench` on the server of DATABASE_URL,
made by Django's test runner and dropped at the end; the configured database is never
touched) and serves the app with Django's live server thread (static files from the app
folders, as the browser tests do). Drives Debian's /usr/bin/chromium, headless, with the
launch arguments of tests/conftest.py.

The article is about 100 KB of German newspaper sentences (doccano_bench.german_text), with
SPANS annotations of one to three words spread over it; every tenth one is nested inside a
longer one, so the page has overlaps. An editor's session opens the page and:

- load: `loadEventEnd` of the navigation entry (ms from navigation start), median of 5
  loads; beside it the first byte of the HTML (`responseStart`: the server's time), its
  last byte (`responseEnd`) and `domContentLoadedEventEnd` (parsed, scripts run);
- heap: the page's used JS heap after a forced garbage collection (CDP
  Runtime.getHeapUsage), after a fresh load;
- scroll: from the top, `scrollIntoView` of the last highlight until the next animation
  frame, median of 5;
- tag: TAGS times, select a free word (one no span covers) and press the label key "1".
  Measured in the page: from the keydown event's timeStamp to the MutationObserver callback
  that sees the new <mark> in the text (performance.now(), same clock). The next tag waits
  until the server has answered (no pending mark, the count updated). The first three are
  warm-ups. Reports p50 and p95.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("DEBUG", "1")
# Playwright's sync API runs an event loop in this thread; the ORM calls here are plain
# blocking calls between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
WARMUP_TAGS = 3
LOADS = 5
SCROLLS = 5

INSTALL = """
() => {
  const text = document.getElementById("article-text");
  const bench = (window.__bench = { t0: 0, t1: 0, before: 0 });
  document.addEventListener("keydown", (event) => {
    bench.t0 = event.timeStamp;
    bench.t1 = 0;
    bench.before = text.getElementsByTagName("mark").length;
  }, true);
  new MutationObserver(() => {
    if (bench.t0 && !bench.t1 && text.getElementsByTagName("mark").length > bench.before) {
      bench.t1 = performance.now();
    }
  }).observe(text, { childList: true, subtree: true });
}
"""

# Select [start, end) of the text (UTF-16 offsets into #article-text's textContent).
SELECT = """
([start, end]) => {
  const root = document.getElementById("article-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0;
  let node;
  let started = false;
  while ((node = walker.nextNode())) {
    const length = node.data.length;
    if (!started && start < seen + length) {
      range.setStart(node, start - seen);
      started = true;
    }
    if (started && end <= seen + length) {
      range.setEnd(node, end - seen);
      break;
    }
    seen += length;
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
"""

SCROLL = """
async () => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  window.scrollTo(0, 0);
  await frame();
  await frame();
  const marks = document.querySelectorAll("#article-text mark");
  const last = marks[marks.length - 1];
  const started = performance.now();
  last.scrollIntoView({ block: "center" });
  await frame();
  return performance.now() - started;
}
"""


def seed(spans: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from doccano_bench import german_text

    from annotations.models import Annotation, Article, Label

    User = get_user_model()
    editor, _created = User.objects.get_or_create(username="bench-editor")
    editor.groups.set(Group.objects.filter(name="editor"))
    body = german_text(100_000)
    article = Article.objects.create(
        title=f"Benchmark {spans}", text=body, language="de", created_by=editor
    )
    labels = list(Label.objects.order_by("order"))
    words = [m.span() for m in re.finditer(r"\w+", body)]
    step = len(words) // spans
    covered: set[int] = set()
    rows = []
    for n in range(spans):
        first = n * step
        if n % 10 == 9:
            # Nested inside the previous one's neighbourhood: an overlap.
            first, last = first - step, first - step + 1
        else:
            last = first + n % 3
        covered.update(range(first, last + 1))
        start, end = words[first][0], words[last][1]
        rows.append(
            Annotation(
                article=article,
                label=labels[n % len(labels)],
                start=start,
                end=end,
                exact=body[start:end],
                prefix=body[max(0, start - 32) : start],
                suffix=body[end : end + 32],
                status=Annotation.Status.OPEN,
                created_by=editor,
            )
        )
    Annotation.objects.bulk_create(rows)
    # Free words (no span touches them or their neighbours) spread over the whole text.
    free = [
        words[i]
        for i in range(1, len(words) - 1)
        if not covered & {i - 1, i, i + 1} and len(body[words[i][0] : words[i][1]]) > 3
    ]
    return editor, article, body, free


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(browser, base_url: str, cookie: str, article, body: str, free, tags: int) -> dict:
    context = browser.new_context(base_url=base_url, locale="de-DE")
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": base_url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    url = f"/articles/{article.pk}/"
    loads, firsts, received, ready = [], [], [], []
    for _ in range(LOADS):
        page.goto(url, wait_until="load")
        timing = page.evaluate(
            "() => { const t = performance.getEntriesByType('navigation')[0];"
            " return [t.responseStart, t.responseEnd, t.domContentLoadedEventEnd, t.loadEventEnd]; }"
        )
        firsts.append(timing[0])
        received.append(timing[1])
        ready.append(timing[2])
        loads.append(timing[3])
    page.wait_for_load_state("networkidle")
    cdp = context.new_cdp_session(page)
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")["usedSize"]
    scrolls = [page.evaluate(SCROLL) for _ in range(SCROLLS)]
    page.evaluate("() => window.scrollTo(0, 0)")
    page.evaluate(INSTALL)
    count = int(page.inner_text("#annotation-count"))
    latencies = []
    chosen = [free[int(i * (len(free) - 1) / max(1, tags - 1))] for i in range(tags)]
    for n, (start, end) in enumerate(chosen):
        # The text has no astral characters: code points and UTF-16 units agree.
        page.evaluate(SELECT, [start, end])
        page.keyboard.press("1")
        count += 1
        page.wait_for_function(
            """(count) => window.__bench.t1 > 0
              && !document.querySelector('#article-text mark.pending')
              && document.getElementById('annotation-count').textContent === String(count)""",
            arg=count,
            timeout=30_000,
        )
        if n >= WARMUP_TAGS:
            latencies.append(page.evaluate("() => window.__bench.t1 - window.__bench.t0"))
        # Let the panel's extras (comments, history, checks) load before the next tag.
        page.wait_for_timeout(250)
    created = page.evaluate(
        "() => document.querySelectorAll('#annotation-list li[data-id]').length"
    )
    context.close()
    if errors:
        raise SystemExit(f"JavaScript errors on the page: {errors}")
    return {
        "load": statistics.median(loads),
        "first_byte": statistics.median(firsts),
        "received": statistics.median(received),
        "dom_ready": statistics.median(ready),
        "heap": heap / 1024 / 1024,
        "scroll": statistics.median(scrolls),
        "tag_p50": percentile(latencies, 0.5),
        "tag_p95": percentile(latencies, 0.95),
        "listed": created,
        "characters": len(body),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spans", default="200,2000")
    parser.add_argument("--tags", type=int, default=25)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment, teardown_test_environment
    from playwright.sync_api import sync_playwright
    from pytest_django.live_server_helper import LiveServer

    from tests.conftest import CHROMIUM_ARGS

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "test_annotate_bench"
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    runner = DiscoverRunner(verbosity=0, interactive=False)
    databases = runner.setup_databases()
    server = LiveServer("127.0.0.1:0")
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            for spans in [int(s) for s in args.spans.split(",")]:
                editor, article, body, free = seed(spans)
                client = Client()
                client.force_login(editor)
                cookie = client.cookies["sessionid"].value
                started = time.perf_counter()
                result = measure(browser, server.url, cookie, article, body, free, args.tags)
                result["spans"] = spans
                result["seconds"] = time.perf_counter() - started
                rows.append(result)
                print(f"  {spans} spans done in {result['seconds']:.0f} s", flush=True)
            browser.close()
    finally:
        server.stop()
        # The live server's request threads may still hold a connection to the test
        # database, which would stop it being dropped.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        runner.teardown_databases(databases)
        teardown_test_environment()
    print(
        f"\nannotate page in Chromium, {rows[0]['characters']:,} characters of German text, "
        f"{args.tags - WARMUP_TAGS} tags after {WARMUP_TAGS} warm-ups; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{'spans':>6} | {'load event':>10} | {'first byte':>10} | {'HTML received':>13} | "
        f"{'DOM ready':>10} | "
        f"{'tag p50':>8} | {'tag p95':>8} | "
        f"{'scroll to last':>14} | {'JS heap':>8}"
    )
    for row in rows:
        print(
            f"{row['spans']:>6} | {row['load']:>7.0f} ms | {row['first_byte']:>7.0f} ms | "
            f"{row['received']:>9.0f} ms | {row['dom_ready']:>7.0f} ms | {row['tag_p50']:>5.1f} ms | "
            f"{row['tag_p95']:>5.1f} ms | {row['scroll']:>11.1f} ms | {row['heap']:>5.1f} MB"
        )


if __name__ == "__main__":
    main()
