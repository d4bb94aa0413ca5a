"""The triggers that feed the sync cursor's change log (models.Change), by database.

Each watched table gets AFTER INSERT/UPDATE/DELETE triggers that insert one
annotations_change row per written row, in the writing transaction, so every path that
writes (services, queryset.update(), bulk writes, the admin, raw SQL) is in the log.
Installed by migration 0012; on SQLite also after every migrate (apps.py), because
SQLite's schema editor rebuilds a table to alter it, and a rebuilt table has lost its
triggers. The SQL is built from the constants of WATCHED only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# table, kind, version column, annotation column, the SQL condition of a tombstone
WATCHED = [
    (
        "annotations_article",
        "article",
        "version",
        None,
        "{row}.status IN ('withdrawn', 'archived')",
    ),
    ("annotations_annotation", "annotation", "version", "id", "{row}.status = 'withdrawn'"),
    ("annotations_verdict", "verdict", None, "annotation_id", None),
    ("annotations_evidence", "evidence", None, "annotation_id", "{row}.removed_at IS NOT NULL"),
    ("annotations_sourcecheck", "source_check", None, "annotation_id", None),
    ("annotations_event", "event", None, "annotation_id", None),
]


def _values(
    row: str,
    kind: str,
    version: str | None,
    annotation: str | None,
    gone: str | None,
    *,
    deleted: bool = False,
) -> str:
    """The VALUES of one change row for `row` (NEW, OLD, or a table name in a backfill)."""
    if deleted:
        op = "'tombstone'"
    elif gone:
        op = f"CASE WHEN {gone.format(row=row)} THEN 'tombstone' ELSE 'upsert' END"
    else:
        op = "'upsert'"
    return ", ".join(
        [
            f"'{kind}'",
            f"{row}.id",
            f"{row}.{version}" if version else "NULL",
            op,
            f"{row}.{annotation}" if annotation else "NULL",
        ]
    )


COLUMNS = "kind, object_id, version, op, annotation_pk"


def _postgresql(
    table: str, kind: str, version: str | None, annotation: str | None, gone: str | None
) -> list[str]:
    function = f"{table}_change_log"
    # The SQL is built from the constants of WATCHED only.
    return [
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                INSERT INTO annotations_change ({COLUMNS})
                VALUES ({_values("OLD", kind, version, annotation, gone, deleted=True)});
            ELSE
                INSERT INTO annotations_change ({COLUMNS})
                VALUES ({_values("NEW", kind, version, annotation, gone)});
            END IF;
            RETURN NULL;
        END
        $$
        """,  # noqa: S608
        f"""
        CREATE TRIGGER {table}_change_insert_delete AFTER INSERT OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {function}()
        """,
        # An UPDATE that changes nothing (a no-op save) is no change for a sync.
        f"""
        CREATE TRIGGER {table}_change_update AFTER UPDATE ON {table}
        FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION {function}()
        """,
    ]


def _sqlite(
    table: str, kind: str, version: str | None, annotation: str | None, gone: str | None
) -> list[str]:
    insert = f"INSERT INTO annotations_change ({COLUMNS}) VALUES"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_change_insert AFTER INSERT ON {table} BEGIN "
        f"{insert} ({_values('NEW', kind, version, annotation, gone)}); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_change_update AFTER UPDATE ON {table} BEGIN "
        f"{insert} ({_values('NEW', kind, version, annotation, gone)}); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_change_delete AFTER DELETE ON {table} BEGIN "
        f"{insert} ({_values('OLD', kind, version, annotation, gone, deleted=True)}); END",
    ]


def install(execute: Callable[[str], Any], vendor: str, *, backfill: bool) -> None:
    """Create the triggers through `execute`; with `backfill`, log every existing row once
    first. (The txid column's default is models.CurrentTransactionId.)"""
    for watched in WATCHED:
        table = watched[0]
        if backfill:
            execute(
                f"INSERT INTO annotations_change ({COLUMNS}) "  # noqa: S608
                f"SELECT {_values(table, *watched[1:])} FROM {table} ORDER BY {table}.id"
            )
        for statement in (_postgresql if vendor == "postgresql" else _sqlite)(*watched):
            execute(statement)


def uninstall(execute: Callable[[str], Any], vendor: str) -> None:
    for table, *_rest in WATCHED:
        if vendor == "postgresql":
            execute(f"DROP TRIGGER IF EXISTS {table}_change_insert_delete ON {table}")
            execute(f"DROP TRIGGER IF EXISTS {table}_change_update ON {table}")
            execute(f"DROP FUNCTION IF EXISTS {table}_change_log()")
        else:
            for event in ("insert", "update", "delete"):
                execute(f"DROP TRIGGER IF EXISTS {table}_change_{event}")


def sqlite_reinstall(using: str, **_kwargs: Any) -> None:
    """post_migrate on SQLite: create the triggers a table rebuild has dropped (each is
    CREATE TRIGGER IF NOT EXISTS, so the others stay as they are)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if "annotations_change" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        install(cursor.execute, "sqlite", backfill=False)
