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


def bulk_load(cursor, sql: str, tables: tuple[str, ...]) -> None:
    """Run a seed's INSERT statements (separated by ";\\n") as one bulk load, in the
    caller's transaction: the secondary indexes of `tables` are dropped first and built once
    at the end rather than updated row by row, and (as a superuser) the foreign keys and the
    change-log triggers of these generated, consistent rows are not fired one by one.
    Prints each statement's rows and time. VACUUM ANALYZE is the caller's, after commit."""
    import time

    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute(
        """
        SELECT c.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        """,
        [list(tables)],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    for statement in sql.split(";\n"):
        if statement.strip():
            step = time.perf_counter()
            cursor.execute(statement)
            table = statement.split("INTO ", 1)[-1].split("UPDATE ", 1)[-1].split(" ", 1)[0]
            print(f"  {table}: {cursor.rowcount:,} rows, {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    for _name, definition in indexes:
        cursor.execute(definition)
    print(f"  {len(indexes)} indexes rebuilt: {time.perf_counter() - step:.1f} s")
