"""The sync cursor: an opaque token for a place in the change log, and reading on from it.

The log (`models.Change`) is written by database triggers in the writing transaction. On
PostgreSQL a reader takes only the changes of transactions older than the oldest one still
in flight (the snapshot's horizon, see selectors.changes) in (txid, id) order, so a
transaction that started early and commits late lands after the cursor, never behind it;
timestamps and plain sequences do not have that property. On SQLite one writer runs at a
time and the id orders.

A token is "c1_" and the URL-safe base64 of "<txid>.<id>" of the last change read; the
empty token is the start. Clients must treat it as opaque.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import selectors
from .selectors.changes import ChangeRow

PREFIX = "c1_"
# Both parts are bigint columns.
_LIMIT = 2**63 - 1
_BODY = re.compile(r"^(0|[1-9][0-9]{0,18})\.(0|[1-9][0-9]{0,18})$")
MAX_PAGE = 100_000


class BadCursor(ValueError):
    """A cursor that no answer of ours gave; its message says so, in the reader's language."""


@dataclass(frozen=True, order=True)
class Position:
    """A place in the log: after the change (`txid`, `change_id`); (0, 0) is the start."""

    txid: int
    change_id: int


START = Position(0, 0)


@dataclass(frozen=True)
class Page:
    changes: list[ChangeRow]
    # Where the next read goes on from: the last change's place, or the given one.
    position: Position
    # True when the page is full: more may follow at once.
    has_more: bool

    @property
    def next_cursor(self) -> str:
        return encode(self.position)


def encode(position: Position) -> str:
    body = f"{position.txid}.{position.change_id}".encode("ascii")
    return PREFIX + base64.urlsafe_b64encode(body).decode("ascii").rstrip("=")


def decode(token: str) -> Position:
    """The position a token names; the empty token is START. Raises BadCursor."""
    token = token.strip()
    if not token:
        return START
    if not token.startswith(PREFIX) or len(token) > 64:
        raise BadCursor(_cursor_message())
    body = token[len(PREFIX) :]
    try:
        text = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise BadCursor(_cursor_message()) from None
    match = _BODY.match(text)
    if match is None or encode(Position(int(match[1]), int(match[2]))) != token:
        raise BadCursor(_cursor_message())
    txid, change_id = int(match[1]), int(match[2])
    if txid > _LIMIT or change_id > _LIMIT:
        raise BadCursor(_cursor_message())
    return Position(txid, change_id)


def _cursor_message() -> str:
    return _(
        "this cursor is not valid: send the next_cursor of an earlier answer, or an "
        "empty cursor to start from the beginning"
    )


def read(
    cursor: str | Position,
    *,
    kinds: Sequence[str] | None = None,
    annotation_id: int | None = None,
    limit: int = 100,
) -> Page:
    """The changes after `cursor` (of `kinds`, of one annotation's objects if given), at
    most `limit`, oldest first. Raises BadCursor for a token that does not decode."""
    position = decode(cursor) if isinstance(cursor, str) else cursor
    limit = max(1, min(limit, MAX_PAGE))
    rows = selectors.changes_after(
        txid=position.txid,
        change_id=position.change_id,
        kinds=list(kinds) if kinds else None,
        annotation_id=annotation_id,
        limit=limit,
    )
    if rows:
        last = rows[-1]
        position = Position(last.txid or 0, last.pk)
    return Page(changes=rows, position=position, has_more=len(rows) == limit)


def position_for_current_transaction() -> str | None:
    """The cursor token of the newest change the current transaction has written, None
    when it has written none (for a webhook's payload: a receiver that syncs from this
    token on sees everything after the event). Call it inside the writing transaction,
    after the write. On SQLite (one writer at a time) it is the newest change of all."""
    row = selectors.change_of_current_transaction()
    if row is None:
        return None
    return encode(Position(row.txid or 0, row.pk))
