"""The embedded path of `make run`: SQLite and the filesystem broker, in a fresh folder."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, var_dir: Path) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL")
    }
    env.update({"DEBUG": "1", "FACTCHECK_VAR_DIR": str(var_dir)})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_migrate_and_load_demo_work_on_sqlite_with_the_filesystem_broker(tmp_path):
    migrate = manage("migrate", "--noinput", var_dir=tmp_path)
    assert migrate.returncode == 0, migrate.stderr
    demo = manage("load_demo", var_dir=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "created demo article" in demo.stdout
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        (articles,) = db.execute("select count(*) from annotations_article").fetchone()
        (labels,) = db.execute(
            "select group_concat(slug) from annotations_label order by 1"
        ).fetchone()
    assert articles == 2
    assert sorted(labels.split(",")) == ["claim", "opinion", "source", "speculation"]
    # Tasks for the demo (analysis, source checks) were queued in the filesystem broker.
    assert list((tmp_path / "celery" / "queue").iterdir())
    # Its exchange table lives there too, not in a `control/` folder of the working directory.
    assert list((tmp_path / "celery" / "control").glob("*.exchange"))
    assert not (ROOT / "control").exists()


SIMILAR_ON_SQLITE = """
import json
from django.contrib.auth import get_user_model
from annotations import selectors, services
editor = get_user_model().objects.get(username="editor")
body = ("Elon Musk hat nach eigenen Angaben 97,4 Milliarden US-Dollar für die Kontrolle "
        "über den ChatGPT-Entwickler OpenAI geboten.\\n")
article = services.article_create(actor=editor, title="Zweite Meldung", body=body, language="de")
claim = services.annotation_create(
    actor=editor, article_id=article.pk, label="claim", start=0, end=len(body.strip()))
print(json.dumps([(item["article_title"], item["rating"], item["score"])
                  for item in selectors.similar_claims(claim)]))
"""


def test_similar_claims_fall_back_to_rapidfuzz_on_sqlite(tmp_path):
    """Without PostgreSQL's trigrams the demo's approved claim is still found, by
    rapidfuzz over recent verdicts."""
    assert manage("migrate", "--noinput", var_dir=tmp_path).returncode == 0
    assert manage("load_demo", var_dir=tmp_path).returncode == 0
    found = manage("shell", "-c", SIMILAR_ON_SQLITE, var_dir=tmp_path)
    assert found.returncode == 0, found.stderr
    [(title, rating, score)] = json.loads(found.stdout.strip().splitlines()[-1])
    assert title.startswith("Milliardengebot für OpenAI")
    assert rating == "true"
    assert 0.8 <= score <= 1
