"""Claimants: one by id or by name, the list and its search over names and aliases, and the
names a suggestion's speaker is matched against."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.functions import Lower

from .. import claimant_match
from ..models import Claimant


def claimant_by_id(pk: int) -> Claimant | None:
    return Claimant.objects.filter(pk=pk).first()


def claimants_by_id(ids: Iterable[int]) -> dict[int, Claimant]:
    return Claimant.objects.in_bulk(list(ids))


def claimant_named(name: str, kind: str, *, other_than: int | None = None) -> Claimant | None:
    """The claimant of `kind` called `name`, whatever its case (the unique constraint's
    rule), other than `other_than`."""
    rows = Claimant.objects.annotate(lower_name=Lower("name")).filter(
        lower_name=name.lower(), kind=kind
    )
    if other_than is not None:
        rows = rows.exclude(pk=other_than)
    return rows.first()


def claimant_list(*, q: str = "", kind: str = "") -> QuerySet[Claimant]:
    """Claimants by name; with `q`, those whose name or an alias holds it (any case),
    the ones whose name starts with it first."""
    rows = Claimant.objects.select_related("created_by")
    if kind:
        rows = rows.filter(kind=kind)
    query = " ".join(q.split()).lower()
    if not query:
        return rows.order_by(Lower("name"), "id")
    rows = rows.filter(search_text__contains=query).annotate(lower_name=Lower("name"))
    starts_first = Case(
        When(lower_name__startswith=query, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return rows.order_by(starts_first, "lower_name", "id")


def claimant_name_pairs() -> list[tuple[int, str]]:
    """(id, name) for every claimant's name and each of its aliases: what a suggestion's
    speaker is matched against (claimant_match.best_claimant). One query."""
    pairs: list[tuple[int, str]] = []
    for pk, name, aliases in Claimant.objects.values_list("pk", "name", "aliases"):
        pairs.append((pk, name))
        pairs.extend((pk, alias) for alias in aliases or [] if isinstance(alias, str))
    return pairs


def claimant_proposals(speakers: Iterable[tuple[int, str]]) -> dict[int, dict[str, Any]]:
    """The claimant each suggestion proposes, by suggestion id, from its speaker (pairs of
    suggestion id and speaker; those without a speaker are left out): the known claimant
    whose name or alias the speaker names ({id, name, kind}), or the speaker's name as a
    claimant still to create ({id: None, name, kind: None}). Two queries at most."""
    wanted = [(sid, speaker) for sid, speaker in speakers if speaker]
    if not wanted:
        return {}
    pairs = claimant_match.name_index(claimant_name_pairs())
    matched: dict[str, int | None] = {}
    for _sid, speaker in wanted:
        if speaker not in matched:
            match = claimant_match.best_claimant(speaker, pairs)
            matched[speaker] = match.claimant_id if match is not None else None
    known = claimants_by_id(pk for pk in matched.values() if pk is not None)
    proposals: dict[int, dict[str, Any]] = {}
    for sid, speaker in wanted:
        claimant = known.get(matched[speaker])
        if claimant is None:
            proposals[sid] = {"id": None, "name": speaker, "kind": None}
        else:
            proposals[sid] = {"id": claimant.pk, "name": claimant.name, "kind": claimant.kind}
    return proposals
