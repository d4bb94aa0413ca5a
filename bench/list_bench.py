"""The annotation list of 1,000 spans, timed in process (Django's test client, no HTTP
server), so that two trees can be compared without gunicorn's noise.

    DEBUG=0 SECRET_KEY=… ALLOWED_HOSTS=testserver \
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_list CELERY_BROKER_URL=memory:// \
        .venv/bin/python bench/list_bench.py [TREE]

TREE is the checkout to import (default: this one), e.g. a `git worktree` of an older
commit. Migrates the database, seeds one article with 1,000 claim spans once, then prints
the p50 of 40 GETs of `/api/v1/annotations/?article=…&page_size=1000` and the bytes.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    root = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parent.parent)
    sys.path.insert(0, root)
    os.chdir(root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from annotations.models import Annotation, Article, Label

    setup_test_environment()
    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(username="listbench")
    user.groups.add(Group.objects.get_or_create(name="editor")[0])
    article = Article.objects.filter(title="listbench").first()
    if article is None:
        article = Article.objects.create(
            title="listbench",
            text="Der Bundeskanzler sagte am Montag, die Wirtschaft wachse. " * 400,
            language="de",
            created_by=user,
            status="in_review",
        )
        claim = Label.objects.get(slug="claim")
        Annotation.objects.bulk_create(
            Annotation(
                article=article,
                label=claim,
                start=i * 20,
                end=i * 20 + 10,
                exact=article.text[i * 20 : i * 20 + 10],
                created_by=user,
            )
            for i in range(1000)
        )
    try:  # today's trees
        from annotations.services.tokens import api_token_create

        token = api_token_create(user=user)[0]
    except ImportError:  # older trees
        from knox.models import AuthToken

        token = AuthToken.objects.create(user=user)[1]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    url = f"/api/v1/annotations/?article={article.pk}&page_size=1000"
    for _ in range(5):
        response = client.get(url, secure=True)
        assert response.status_code == 200, response.content[:200]
    times = []
    for _ in range(40):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
    print(f"{root}: list p50 {statistics.median(times):.2f} ms, {len(response.content):,} bytes")


if __name__ == "__main__":
    main()
