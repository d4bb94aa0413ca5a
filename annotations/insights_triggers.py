"""The triggers that keep the dashboard's stored figures true, PostgreSQL only.

TimingWeek holds a past week's median and p90 of the hours from tagging to a step over
the claims that reached the step in it. They change only when a claim's step time
(first_assigned_at, first_proposed_at, first_approved_at), tagging time or label changes,
when a claim is inserted with a step time or deleted, or when a label's needs_verdict
changes: each such write deletes the weeks it touches (old and new values).

InsightSnapshot `verdicts` counts the approved verdicts decided before its `upto`: any
write to an approved verdict decided before then (its status, rating, claim or decision
time; inserted or deleted) and any change of claimant of a claim with one deletes it.
`pairs` counts the double reviews of claims with a blind verdict from before its `upto`:
any write to a blind verdict of such a claim (author, rating, time, seal, claim; inserted
or deleted) deletes it. Names and places on the scale are not stored (read live).

Every path that writes (services, `queryset.update()`, the admin, raw SQL) runs these, in
its own transaction, and the next dashboard computes what was deleted again. The race
between a dashboard storing a figure and a writer changing it is closed by an advisory
lock: every such writer holds it shared until it commits (taken in the trigger, before
the delete), and a dashboard stores only while holding it exclusively
(`pg_try_advisory_xact_lock`, selectors.insights), computing after taking it. So nothing is
stored without a change still in flight, and a writer that comes after deletes what was
stored (its delete is a new statement, whose snapshot sees the stored rows: READ
COMMITTED, Django's default). Installed by migration 0018; the SQL is built from the
constants here only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TABLE = "annotations_timingweek"
SNAPSHOTS = "annotations_insightsnapshot"
VERDICTS = "annotations_verdict"
# The advisory lock's key (an arbitrary constant: "insights" in ASCII, truncated to int8).
LOCK_KEY = 0x696E7369676874
# selectors.insights.STEPS, in order: each step's column on the annotation.
STEP_COLUMNS = ("first_assigned_at", "first_proposed_at", "first_approved_at")
LOCK = f"PERFORM pg_advisory_xact_lock_shared({LOCK_KEY});"


def _forget(row: str) -> str:
    """The DELETE of the stored weeks that `row` (OLD or NEW) counts in."""
    weeks = " OR ".join(
        f"(w.step = {step} AND w.week_start <= {row}.{column} AND {row}.{column} < w.week_end)"
        for step, column in enumerate(STEP_COLUMNS)
    )
    return f"DELETE FROM {TABLE} w WHERE {weeks};"  # noqa: S608


def _forget_verdicts(row: str) -> str:
    """The DELETE of the snapshot of approved verdicts if `row` is one it counts."""
    return (
        f"IF {row}.status = 'approved' THEN "  # noqa: S608
        f"DELETE FROM {SNAPSHOTS} s WHERE s.kind = 'verdicts' AND {row}.decided_at < s.upto; "
        "END IF;"
    )


def _forget_pairs(row: str) -> str:
    """The DELETE of the snapshot of double reviews if `row` is a blind verdict of a claim
    it counts (one with a blind verdict from before its `upto`, `row` or another)."""
    return (
        f"IF {row}.is_blind THEN "  # noqa: S608
        f"DELETE FROM {SNAPSHOTS} s WHERE s.kind = 'pairs' AND ({row}.created_at < s.upto "
        f"OR EXISTS (SELECT 1 FROM {VERDICTS} v WHERE v.annotation_id = {row}.annotation_id "
        "AND v.is_blind AND v.created_at < s.upto)); "
        "END IF;"
    )


def _distinct(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


def _function(name: str, forget: Callable[[str], str]) -> str:
    """A row trigger's function: the lock, then `forget` for the old row and the new."""
    return f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {LOCK}
        IF TG_OP <> 'INSERT' THEN
            {forget("OLD")}
        END IF;
        IF TG_OP <> 'DELETE' THEN
            {forget("NEW")}
        END IF;
        RETURN NULL;
    END
    $$
    """


STATEMENTS = [
    _function(f"{TABLE}_forget", _forget),
    _function(f"{SNAPSHOTS}_forget_verdicts", _forget_verdicts),
    _function(f"{SNAPSHOTS}_forget_pairs", _forget_pairs),
    f"""
    CREATE OR REPLACE FUNCTION {SNAPSHOTS}_forget_claimant() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        {LOCK}
        DELETE FROM {SNAPSHOTS} s WHERE s.kind = 'verdicts' AND EXISTS (
            SELECT 1 FROM {VERDICTS} v WHERE v.annotation_id = NEW.id
            AND v.status = 'approved' AND v.decided_at < s.upto
        );
        RETURN NULL;
    END
    $$
    """,  # noqa: S608
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_forget_all() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {LOCK}
        DELETE FROM {TABLE};
        DELETE FROM {SNAPSHOTS};
        RETURN NULL;
    END
    $$
    """,  # noqa: S608
    # Claims: a step time, the tagging time or the label (timings); the claimant (verdicts).
    f"""
    CREATE TRIGGER {TABLE}_annotation_insert AFTER INSERT ON annotations_annotation
    FOR EACH ROW WHEN ({" OR ".join(f"NEW.{c} IS NOT NULL" for c in STEP_COLUMNS)})
    EXECUTE FUNCTION {TABLE}_forget()
    """,
    f"""
    CREATE TRIGGER {TABLE}_annotation_update AFTER UPDATE ON annotations_annotation
    FOR EACH ROW WHEN ({_distinct((*STEP_COLUMNS, "created_at", "label_id"))})
    EXECUTE FUNCTION {TABLE}_forget()
    """,
    f"""
    CREATE TRIGGER {TABLE}_annotation_delete AFTER DELETE ON annotations_annotation
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_forget()
    """,
    f"""
    CREATE TRIGGER {TABLE}_annotation_truncate AFTER TRUNCATE ON annotations_annotation
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_forget_all()
    """,
    f"""
    CREATE TRIGGER {SNAPSHOTS}_annotation_claimant AFTER UPDATE ON annotations_annotation
    FOR EACH ROW WHEN ({_distinct(("claimant_id",))})
    EXECUTE FUNCTION {SNAPSHOTS}_forget_claimant()
    """,
    # Labels: whether a label's claims count in the timings.
    f"""
    CREATE TRIGGER {TABLE}_label_update AFTER UPDATE ON annotations_label
    FOR EACH ROW WHEN ({_distinct(("needs_verdict",))})
    EXECUTE FUNCTION {TABLE}_forget_all()
    """,
    # Verdicts: an approved one's decision, rating or claim (verdicts); a blind one's
    # author, rating, time, seal or claim (pairs).
    f"""
    CREATE TRIGGER {SNAPSHOTS}_verdict_insert AFTER INSERT ON {VERDICTS}
    FOR EACH ROW WHEN (NEW.status = 'approved')
    EXECUTE FUNCTION {SNAPSHOTS}_forget_verdicts()
    """,
    f"""
    CREATE TRIGGER {SNAPSHOTS}_verdict_update AFTER UPDATE ON {VERDICTS}
    FOR EACH ROW WHEN ((OLD.status = 'approved' OR NEW.status = 'approved')
                       AND ({_distinct(("status", "decided_at", "rating_id", "annotation_id"))}))
    EXECUTE FUNCTION {SNAPSHOTS}_forget_verdicts()
    """,
    f"""
    CREATE TRIGGER {SNAPSHOTS}_verdict_delete AFTER DELETE ON {VERDICTS}
    FOR EACH ROW WHEN (OLD.status = 'approved')
    EXECUTE FUNCTION {SNAPSHOTS}_forget_verdicts()
    """,
    f"""
    CREATE TRIGGER {SNAPSHOTS}_blind_insert AFTER INSERT ON {VERDICTS}
    FOR EACH ROW WHEN (NEW.is_blind)
    EXECUTE FUNCTION {SNAPSHOTS}_forget_pairs()
    """,
    f"""
    CREATE TRIGGER {SNAPSHOTS}_blind_update AFTER UPDATE ON {VERDICTS}
    FOR EACH ROW WHEN ((OLD.is_blind OR NEW.is_blind) AND ({
        _distinct(
            ("is_blind", "is_sealed", "author_id", "rating_id", "created_at", "annotation_id")
        )
    }))
    EXECUTE FUNCTION {SNAPSHOTS}_forget_pairs()
    """,
    f"""
    CREATE TRIGGER {SNAPSHOTS}_blind_delete AFTER DELETE ON {VERDICTS}
    FOR EACH ROW WHEN (OLD.is_blind)
    EXECUTE FUNCTION {SNAPSHOTS}_forget_pairs()
    """,
    f"""
    CREATE TRIGGER {SNAPSHOTS}_verdict_truncate AFTER TRUNCATE ON {VERDICTS}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_forget_all()
    """,
]

TRIGGERS = [
    ("annotations_annotation", f"{TABLE}_annotation_insert"),
    ("annotations_annotation", f"{TABLE}_annotation_update"),
    ("annotations_annotation", f"{TABLE}_annotation_delete"),
    ("annotations_annotation", f"{TABLE}_annotation_truncate"),
    ("annotations_annotation", f"{SNAPSHOTS}_annotation_claimant"),
    ("annotations_label", f"{TABLE}_label_update"),
    *(
        (VERDICTS, f"{SNAPSHOTS}_{name}")
        for name in (
            "verdict_insert",
            "verdict_update",
            "verdict_delete",
            "blind_insert",
            "blind_update",
            "blind_delete",
            "verdict_truncate",
        )
    ),
]
FUNCTIONS = [
    f"{TABLE}_forget",
    f"{TABLE}_forget_all",
    f"{SNAPSHOTS}_forget_verdicts",
    f"{SNAPSHOTS}_forget_pairs",
    f"{SNAPSHOTS}_forget_claimant",
]


def install(execute: Callable[[str], Any], vendor: str) -> None:
    """Create the triggers through `execute` (PostgreSQL; elsewhere nothing is stored)."""
    if vendor != "postgresql":
        return
    for statement in STATEMENTS:
        execute(statement)


def uninstall(execute: Callable[[str], Any], vendor: str) -> None:
    if vendor != "postgresql":
        return
    for table, trigger in TRIGGERS:
        execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for function in FUNCTIONS:
        execute(f"DROP FUNCTION IF EXISTS {function}()")
