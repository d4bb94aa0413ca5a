"""Claimants: who made a claim. Create, edit, merge, and name one on a claim span (through
annotation_update, so the span's version, its event and the article's state rules hold)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..models import Annotation, Claimant, Event
from .annotations import annotation_update
from .base import Conflict, Invalid, User, event_record, require_role, url_checked

MAX_NAME_CHARS = 200
MAX_ALIASES = 50
EDITABLE_CLAIMANT_FIELDS = ("name", "kind", "aliases", "url", "description")


def _name(value: Any, *, field: str = "name") -> str:
    """A name or alias: text, trimmed, its inner whitespace one space, 1–200 characters."""
    if not isinstance(value, str):
        raise Invalid(_("give the name as text"), field=field)
    name = " ".join(value.split())
    if not name:
        raise Invalid(_("the name must not be empty"), field=field)
    if len(name) > MAX_NAME_CHARS:
        raise Invalid(
            _("the name is longer than %(limit)s characters") % {"limit": MAX_NAME_CHARS},
            field=field,
        )
    return name


def _kind(value: Any) -> str:
    if value not in Claimant.Kind.values:
        raise Invalid(
            _("kind must be one of %(values)s") % {"values": ", ".join(Claimant.Kind.values)},
            field="kind",
        )
    return value


def _aliases(values: Any, name: str) -> list[str]:
    """The aliases, each a name (see _name), each once whatever its case, the name itself
    left out, in the order given."""
    if not isinstance(values, list | tuple):
        raise Invalid(_("give the aliases as a list of names"), field="aliases")
    if len(values) > MAX_ALIASES:
        raise Invalid(_("at most %(limit)s aliases") % {"limit": MAX_ALIASES}, field="aliases")
    seen = {name.casefold()}
    aliases = []
    for value in values:
        alias = _name(value, field="aliases")
        if alias.casefold() not in seen:
            seen.add(alias.casefold())
            aliases.append(alias)
    return aliases


def _search_text(name: str, aliases: Iterable[str]) -> str:
    return "\n".join(value.lower() for value in (name, *aliases))


def _taken(name: str, kind: str, *, other_than: int | None = None) -> None:
    """Raise Conflict naming the claimant of this kind that already has `name` (any case)."""
    twin = selectors.claimant_named(name, kind, other_than=other_than)
    if twin is not None:
        raise Conflict(
            _("there is already a claimant “%(name)s” (%(id)s)")
            % {"name": twin.name, "id": twin.pk},
            field="name",
            extra={"claimant": twin.pk},
        )


def _saved(claimant: Claimant, *, other_than: int | None = None) -> None:
    """Save under a savepoint: a twin saved since _taken looked (a race) is a Conflict."""
    try:
        with transaction.atomic():
            claimant.save()
    except IntegrityError as exc:
        if "claimant_name_unique_per_kind" not in str(exc) and "UNIQUE" not in str(exc):
            raise
        _taken(claimant.name, claimant.kind, other_than=other_than)
        raise Conflict(_("there is already a claimant with this name"), field="name") from exc


def claimant_create(
    *,
    actor: User,
    name: str,
    kind: str,
    aliases: Iterable[str] = (),
    url: str = "",
    description: str = "",
) -> Claimant:
    """A new claimant. Raises Forbidden, Invalid (name, kind, aliases, url), Conflict (a
    claimant of this kind has the name already, in any case: the 409 names it)."""
    require_role(actor, "claimant.create")
    name = _name(name)
    kind = _kind(kind)
    aliases = _aliases(list(aliases), name)
    url = url_checked(url) if (url or "").strip() else ""
    with transaction.atomic():
        _taken(name, kind)
        claimant = Claimant(
            name=name,
            kind=kind,
            aliases=aliases,
            url=url,
            description=description or "",
            search_text=_search_text(name, aliases),
            created_by=actor,
        )
        _saved(claimant)
        event_record(
            actor=actor,
            verb=Event.Verb.CLAIMANT_CREATED,
            data={"claimant": claimant.pk, "name": name, "kind": kind},
        )
    return claimant


def claimant_update(*, actor: User, claimant_id: int, changes: dict[str, Any]) -> Claimant:
    """Edit a claimant's name, kind, aliases, url or description. Locks its row. Raises
    Forbidden, Invalid, Conflict (the new name taken), Claimant.DoesNotExist."""
    require_role(actor, "claimant.edit")
    unknown = set(changes) - set(EDITABLE_CLAIMANT_FIELDS)
    if unknown:
        raise Invalid(_("unknown field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        claimant = Claimant.objects.select_for_update().get(pk=claimant_id)
        before = {name: getattr(claimant, name) for name in EDITABLE_CLAIMANT_FIELDS}
        if "name" in changes:
            claimant.name = _name(changes["name"])
        if "kind" in changes:
            claimant.kind = _kind(changes["kind"])
        if "aliases" in changes:
            claimant.aliases = _aliases(changes["aliases"], claimant.name)
        elif "name" in changes:
            claimant.aliases = _aliases(claimant.aliases, claimant.name)
        if "url" in changes:
            claimant.url = url_checked(changes["url"]) if (changes["url"] or "").strip() else ""
        if "description" in changes:
            claimant.description = changes["description"] or ""
        if claimant.name != before["name"] or claimant.kind != before["kind"]:
            _taken(claimant.name, claimant.kind, other_than=claimant.pk)
        claimant.search_text = _search_text(claimant.name, claimant.aliases)
        _saved(claimant, other_than=claimant.pk)
        diff = {
            name: {"from": before[name], "to": getattr(claimant, name)}
            for name in EDITABLE_CLAIMANT_FIELDS
            if before[name] != getattr(claimant, name)
        }
        event_record(
            actor=actor,
            verb=Event.Verb.CLAIMANT_UPDATED,
            data={"claimant": claimant.pk, "name": claimant.name, "changes": diff},
        )
    return claimant


def claimant_merge(*, actor: User, claimant_id: int, duplicate_id: int) -> Claimant:
    """Fold `duplicate_id` into `claimant_id`: its claims name the claimant instead (each
    span's version moves, with an `annotation.updated` event), its name and aliases become
    aliases, and the duplicate is deleted. Locks both rows (in id order, so two merges of
    the same pair cannot deadlock) and the claims. Raises Forbidden, Invalid (the same
    claimant twice), Claimant.DoesNotExist."""
    require_role(actor, "claimant.merge")
    if claimant_id == duplicate_id:
        raise Invalid(_("a claimant cannot be merged into itself"), field="duplicate")
    with transaction.atomic():
        rows = Claimant.objects.select_for_update().filter(pk__in=[claimant_id, duplicate_id])
        locked = {row.pk: row for row in rows.order_by("pk")}
        if len(locked) < 2:
            raise Claimant.DoesNotExist
        claimant, duplicate = locked[claimant_id], locked[duplicate_id]
        claimant.aliases = _aliases(
            [*claimant.aliases, duplicate.name, *duplicate.aliases], claimant.name
        )[:MAX_ALIASES]
        claimant.search_text = _search_text(claimant.name, claimant.aliases)
        claims = list(
            Annotation.objects.select_for_update()
            .filter(claimant=duplicate)
            .order_by("pk")
            .values_list("pk", "article_id")
        )
        now = timezone.now()
        Annotation.objects.filter(pk__in=[pk for pk, _article in claims]).update(
            claimant=claimant, version=F("version") + 1, updated_at=now
        )
        for pk, article_id in claims:
            annotation = Annotation(pk=pk, article_id=article_id)
            event_record(
                actor=actor,
                verb=Event.Verb.ANNOTATION_UPDATED,
                annotation=annotation,
                data={
                    "claimant": {
                        "from": {"id": duplicate.pk, "name": duplicate.name},
                        "to": {"id": claimant.pk, "name": claimant.name},
                    }
                },
            )
        duplicate.delete()
        claimant.save()
        event_record(
            actor=actor,
            verb=Event.Verb.CLAIMANT_MERGED,
            data={
                "claimant": claimant.pk,
                "name": claimant.name,
                "duplicate": duplicate_id,
                "duplicate_name": duplicate.name,
                "claims": len(claims),
            },
        )
    return claimant


def annotation_claimant_set(
    *,
    actor: User,
    annotation_id: int,
    claimant_id: int | None,
    expected_version: int | None = None,
) -> Annotation:
    """Name the claim's claimant (None: nobody). An edit of the span like any other
    (annotation_update): compare-and-set on its version, an `annotation.updated` event,
    the article's state rules. Raises what annotation_update raises."""
    return annotation_update(
        actor=actor,
        annotation_id=annotation_id,
        changes={"claimant": claimant_id},
        expected_version=expected_version,
    )
