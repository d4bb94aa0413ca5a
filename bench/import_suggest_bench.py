"""Time from an article's import to its stored suggestions, on a real worker, first call included.

Run with `DEBUG=1 DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… python
bench/import_suggest_bench.py`. It creates its own database (`test_<name>`, dropped at the
end) and a queue of its own. For each language and each case (the rules alone; the rules
plus an active desk model trained on bench/data/desk_<lang>.tsv) it starts a fresh
`celery -A factcheck worker` (the default prefork pool), waits until it answers a ping,
then creates a 100 KB article through the service (as the import does: the analysis job is
sent on commit) and measures from the commit to the `article.analysed` event, for the
first article the new worker sees and for a second one. Each copy of a demo line gets its
own number, so no sentence is served from a cache.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from annotations import learning, services  # noqa: E402
from annotations.models import Event, SuggestionModel  # noqa: E402
from bench.checks_bench import start_worker, stop_worker, wait_until  # noqa: E402
from bench.learning_curve import examples, load  # noqa: E402
from factcheck.celery import app  # noqa: E402

SIZE = 100_000  # bytes of article text


def article_text(language: str, salt: str) -> str:
    demo = BASE_DIR / "tests" / "data" / f"demo_{language}.txt"
    lines = [x for x in demo.read_text(encoding="utf-8").splitlines() if x.strip()]
    parts, k, size = [], 0, 0
    while size < SIZE:
        parts.append(f"{lines[k % len(lines)]} ({salt}{k})")
        size += len(parts[-1].encode()) + 1
        k += 1
    return "\n".join(parts)


def activate_model(language: str) -> int:
    """Train the language's model on the desk file and make it the active version."""
    fitted = learning.train(
        examples(load(BASE_DIR / "bench" / "data" / f"desk_{language}.tsv")), language
    )
    SuggestionModel.objects.filter(language=language).update(is_active=False)
    version = SuggestionModel.objects.filter(language=language).count() + 1
    row = SuggestionModel.objects.create(
        language=language,
        version=version,
        training_size=fitted.size,
        scores=fitted.scores,
        blob=learning.dumps(fitted),
        is_active=True,
    )
    return len(row.blob)


def analysed_after(editor, language: str, salt: str) -> float:
    text = article_text(language, salt)
    started = time.perf_counter()
    article = services.article_create(
        actor=editor, title=f"Bench {salt}", body=text, language=language
    )
    wait_until(
        lambda: Event.objects.filter(article=article, verb=Event.Verb.ARTICLE_ANALYSED).exists(),
        120,
        "the analysis",
    )
    return time.perf_counter() - started


def main() -> None:
    old = setup_databases(verbosity=0, interactive=False)
    logs = BASE_DIR / "var"
    logs.mkdir(exist_ok=True)
    try:
        editor = get_user_model().objects.create_user("bench-editor", password="x")
        editor.groups.add(Group.objects.get(name="editor"))
        print(f"{'lang':4} {'case':22} {'model bytes':>11} {'first s':>8} {'second s':>9}")
        for language in ("de", "en"):
            for case in ("rules alone", "rules + desk model"):
                size = activate_model(language) if case != "rules alone" else 0
                if not size:
                    SuggestionModel.objects.all().update(is_active=False)
                queue = f"bench-suggest-{uuid.uuid4().hex[:8]}"
                app.conf.task_default_queue = queue
                worker = start_worker(queue, queue, [], "", logs / "bench_suggest_worker.log")
                try:
                    wait_until(
                        lambda: bool(
                            app.control.ping(
                                destination=[f"{queue}@{os.uname().nodename}"],  # noqa: B023
                                timeout=0.5,
                            )
                        ),
                        120,
                        "the worker to start",
                    )
                    first = analysed_after(editor, language, f"{queue}a")
                    second = analysed_after(editor, language, f"{queue}b")
                finally:
                    stop_worker(worker)
                print(f"{language:4} {case:22} {size:11d} {first:8.2f} {second:9.2f}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
