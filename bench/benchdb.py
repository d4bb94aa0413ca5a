"""A bench's own PostgreSQL database, dropped and created afresh, and Django set up on it.

Every bench that seeds data runs in a database of its own on the server that DATABASE_URL
names, so a bench never touches the desk's data:

    from benchdb import setup_django
    setup_django("fc_export_bench", "the export bench")

BENCH_DB overrides the name. Celery's broker is the in-memory one: a bench calls the
services in-process and sends nothing to a worker.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def database_url(name: str, what: str) -> str:
    """DATABASE_URL's server with the bench's database `name`; PostgreSQL only."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factcheck")
    if not base.startswith("postgres"):
        sys.exit(f"{what} needs PostgreSQL: set DATABASE_URL=postgres://…")
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def fresh_database(url: str) -> None:
    """Drop the database at `url` (closing its sessions) and create it empty."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(default_name: str, what: str, *, conn_max_age: str | None = "600") -> str:
    """Point Django at a fresh bench database and set it up; returns the database's name."""
    name = os.environ.get("BENCH_DB", default_name)
    os.environ["DATABASE_URL"] = database_url(name, what)
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["DJANGO_SETTINGS_MODULE"] = "factcheck.settings"
    os.environ.setdefault("DEBUG", "1")
    if conn_max_age is not None:
        os.environ.setdefault("CONN_MAX_AGE", conn_max_age)
    fresh_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    return name
