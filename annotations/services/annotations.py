"""Annotations (tagged spans): create, edit, move, withdraw. Assignments and comments are in
`assignments.py`."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import cues, policy, selectors, text
from ..models import (
    Annotation,
    Article,
    Assignment,
    Claimant,
    Event,
    Label,
)
from .base import (
    Conflict,
    Invalid,
    Stale,
    User,
    annotation_bump,
    annotation_lock,
    article_allows,
    article_bump,
    article_lock_shared,
    event_record,
    require_role,
    vocabulary_entry,
)
from .source_checks import _source_span_checks
from .verdicts import _verdicts_set_aside


def _assignments_sort_keys_sync(annotation: Annotation) -> None:
    """Copy the annotation's priority and check-worthiness onto its assignments, which the
    queue sorts by (selectors.queue_for)."""
    Assignment.objects.filter(annotation=annotation).update(
        priority=annotation.priority, checkworthiness=annotation.checkworthiness
    )


def _label(slug_or_label: str | Label) -> Label:
    return vocabulary_entry(Label, slug_or_label)


def _claimant(value: int | Claimant | None, label: Label) -> Claimant | None:
    """The claimant a span names (given as itself or by id), None for nobody. Raises Invalid
    for an id no claimant has, or a claimant on a span that is no claim."""
    if value is None or isinstance(value, Claimant):
        claimant = value
    else:
        claimant = selectors.claimant_by_id(value)
        if claimant is None:
            raise Invalid(_("unknown claimant %(id)s") % {"id": value}, field="claimant")
    if claimant is not None and not label.needs_verdict:
        raise Invalid(
            _("only a claim names a claimant; this span is a %(label)s")
            % {"label": label.display_name},
            field="claimant",
        )
    return claimant


def annotation_create(
    *,
    actor: User,
    article_id: int,
    label: str | Label,
    start: int,
    end: int,
    exact: str | None = None,
    note: str = "",
    priority: int = Annotation.Priority.NORMAL,
    due_at: datetime | None = None,
    offset_unit: str = "codepoint",
    verb: Event.Verb = Event.Verb.ANNOTATION_CREATED,
    claimant: int | Claimant | None = None,
) -> Annotation:
    """Create a span on the article's current text.

    Holds the article row FOR SHARE (`article_lock_shared`) so the text cannot change
    between validation and insert while creates on one article run side by side; the first
    span of a draft takes FOR UPDATE instead, since it moves the article to `in_review`.
    The same live span twice (a double submit, or two creates racing) is refused by the
    unique constraint `annotation_one_live_per_span_label`, not by a read beforehand: the
    first create answers 201 and the second 409 naming the first.

    Raises Forbidden, Invalid (offsets, exact, label, claimant), Conflict (the article's
    state, the span already tagged).
    """
    require_role(actor, "annotation.create")
    label = _label(label)
    claimant = _claimant(claimant, label)
    if priority not in Annotation.Priority.values:
        raise Invalid(
            _("priority must be one of %(values)s") % {"values": Annotation.Priority.values},
            field="priority",
        )
    span = {
        "actor": actor,
        "article_id": article_id,
        "label": label,
        "start": start,
        "end": end,
        "exact": exact,
        "offset_unit": offset_unit,
        "note": note,
        "priority": priority,
        "due_at": due_at,
        "verb": verb,
        "claimant": claimant,
    }
    # A lost race needs no savepoint of its own: this block rolls back (to its savepoint,
    # inside a caller's transaction) and the twin is looked up afterwards. The article is
    # locked FOR SHARE; a draft's first span, found under that lock, rolls back and runs
    # again under FOR UPDATE (it changes the article's status), so the common case reads
    # the article once.
    try:
        try:
            annotation = _annotation_write(**span, exclusive=False)
        except _NeedsExclusive:
            annotation = _annotation_write(**span, exclusive=True)
    except _SpanTaken as taken:
        # The same live span with this label exists: the unique constraint refused the
        # insert (a double submit, or a create racing this one). The first span stands.
        _refuse_twin(article_id, label, taken.start, taken.end)
        raise taken.error from None
    return annotation


class _NeedsExclusive(Exception):
    """A draft's first span was found under the shared lock: run again under FOR UPDATE."""


def _annotation_write(*, verb: Event.Verb, **span: Any) -> Annotation:
    """One attempt of annotation_create's write, in a transaction (or savepoint) of its
    own. Raises _NeedsExclusive (a draft under the shared lock), _SpanTaken, Invalid,
    Conflict."""
    actor, label = span["actor"], span["label"]
    with transaction.atomic():
        annotation, article, quote = _annotation_insert(**span)
        if article.status == Article.Status.DRAFT:
            article.status = Article.Status.IN_REVIEW
            article_bump(article, "status")
        data = {
            "label": label.slug,
            "start": annotation.start,
            "end": annotation.end,
            "exact": quote.exact[:200],
        }
        if annotation.claimant is not None:
            data["claimant"] = _plain(annotation.claimant)
        event_record(actor=actor, verb=verb, annotation=annotation, data=data)
        if label.slug == "source":
            _source_span_checks(actor=actor, annotation=annotation)
    return annotation


class _SpanTaken(Exception):
    """The insert hit `annotation_one_live_per_span_label`; carries the codepoint offsets."""

    def __init__(self, error: IntegrityError, start: int, end: int) -> None:
        super().__init__(str(error))
        self.error, self.start, self.end = error, start, end


def _annotation_insert(
    *,
    actor: User,
    article_id: int,
    label: Label,
    start: int,
    end: int,
    exact: str | None,
    offset_unit: str,
    note: str,
    priority: int,
    due_at: datetime | None,
    claimant: Claimant | None,
    exclusive: bool,
) -> tuple[Annotation, Article, text.Quote]:
    """Lock the article (FOR SHARE, or FOR UPDATE when `exclusive`), validate the span
    against its text, and insert the row. Needs a transaction. Raises Invalid, Conflict,
    _SpanTaken, _NeedsExclusive (a draft, which the first span moves to `in_review`, found
    under the shared lock)."""
    if exclusive:
        article = Article.objects.select_for_update().get(pk=article_id)
    else:
        article = article_lock_shared(article_id)
        if article.status == Article.Status.DRAFT:
            raise _NeedsExclusive
    article_allows(actor, article, policy.Act.ANNOTATE)
    body = article.text
    try:
        if offset_unit == "utf16":
            start = text.utf16_to_codepoint(body, start)
            end = text.utf16_to_codepoint(body, end)
        elif offset_unit != "codepoint":
            raise text.SpanError("offset_unit must be 'codepoint' or 'utf16'")
        text.validate_span(body, start, end, exact)
    except text.SpanError as exc:
        raise Invalid(_span_message(exc, body)) from exc
    quote = text.quote_at(body, start, end)
    try:
        annotation = Annotation.objects.create(
            article=article,
            label=label,
            start=start,
            end=end,
            exact=quote.exact,
            prefix=quote.prefix,
            suffix=quote.suffix,
            note=note or "",
            priority=priority,
            due_at=due_at,
            claimant=claimant,
            checkworthiness=(
                cues.checkworthiness(quote.exact, article.language[:2])
                if label.needs_verdict
                else None
            ),
            created_by=actor,
        )
    except IntegrityError as exc:
        if not _SPAN_TAKEN.search(str(exc)):
            raise
        raise _SpanTaken(exc, start, end) from exc
    return annotation, article, quote


# PostgreSQL names the constraint; SQLite names the table's unique columns.
_SPAN_TAKEN = re.compile(
    r"annotation_one_live_per_span_label|UNIQUE constraint failed: annotations_annotation\."
)


def _refuse_twin(article_id: int, label: Label, start: int, end: int) -> None:
    """A double submit or a second tagger: the first span stands (the 409 names it)."""
    twin = selectors.live_twin(article_id, label.pk, start, end)
    if twin is not None:
        raise Conflict(
            _("already tagged: this span is already a %(label)s (annotation %(id)s)")
            % {"label": label.display_name, "id": twin},
            extra={"annotation": twin},
        )


def _span_message(exc: text.SpanError, body: str) -> str:
    """The span error, always naming the text length so that a client can fix its offsets."""
    message = str(exc)
    if f"({len(body)} character" in message:
        return message
    return f"{message}; the text has {len(body)} characters"


EDITABLE_ANNOTATION_FIELDS = ("label", "note", "priority", "due_at", "claimant")


def annotation_update(
    *, actor: User, annotation_id: int, changes: dict[str, Any], expected_version: int | None
) -> Annotation:
    """Edit label, note, priority, due date, claimant (an id, or None) as a compare-and-set
    on `version`.

    `UPDATE … WHERE id = … AND version = n`: among racing writers with the same
    expected version exactly one matches, so no row lock is taken. Raises Forbidden,
    Invalid, Conflict (withdrawn, the article's state, an approved span relabelled by a
    non-chief), Stale (version moved on).
    """
    require_role(actor, "annotation.edit")
    unknown = set(changes) - set(EDITABLE_ANNOTATION_FIELDS)
    if unknown:
        raise Invalid(_("unknown field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    values = dict(changes)
    if "label" in values:
        values["label"] = _label(values["label"])
    if "priority" in values and values["priority"] not in Annotation.Priority.values:
        raise Invalid(
            _("priority must be one of %(values)s") % {"values": Annotation.Priority.values},
            field="priority",
        )
    if "note" in values:
        values["note"] = values["note"] or ""
    with transaction.atomic():
        current = Annotation.objects.select_related("label", "article", "claimant").get(
            pk=annotation_id
        )
        if current.status == Annotation.Status.WITHDRAWN:
            raise Conflict(_("the annotation is withdrawn"))
        article_allows(actor, current.article, policy.Act.ANNOTATE)
        if "claimant" in values:
            values["claimant"] = _claimant(values["claimant"], values.get("label", current.label))
        elif (
            "label" in values
            and current.claimant_id is not None
            and not values["label"].needs_verdict
        ):
            values["claimant"] = None  # a claim relabelled as something else names nobody
        if "label" in values and values["label"].pk != current.label_id:
            _approved_needs_chief(actor, current)
        version = current.version if expected_version is None else expected_version
        now = timezone.now()
        matched = (
            Annotation.objects.filter(pk=annotation_id, version=version)
            .exclude(status=Annotation.Status.WITHDRAWN)
            .update(version=F("version") + 1, updated_at=now, **values)
        )
        if matched == 0:
            raise Stale(
                _(
                    "the annotation was changed by someone else (now version %(current)s, "
                    "you edited version %(expected)s); reload to see their change"
                )
                % {"current": current.version, "expected": version}
            )
        annotation = Annotation.objects.select_related("label", "article", "claimant").get(
            pk=annotation_id
        )
        if (
            "label" in values
            and annotation.label.needs_verdict
            and annotation.checkworthiness is None
        ):
            annotation.checkworthiness = cues.checkworthiness(
                annotation.exact, annotation.article.language[:2]
            )
            annotation.save(update_fields=["checkworthiness"])
        if annotation.priority != current.priority or (
            annotation.checkworthiness != current.checkworthiness
        ):
            _assignments_sort_keys_sync(annotation)
        diff = {
            name: {"from": _plain(getattr(current, name)), "to": _plain(getattr(annotation, name))}
            for name in values
            if getattr(current, name) != getattr(annotation, name)
        }
        event_record(
            actor=actor, verb=Event.Verb.ANNOTATION_UPDATED, annotation=annotation, data=diff
        )
    return annotation


def _plain(value: Any) -> Any:
    if isinstance(value, Label):
        return value.slug
    if isinstance(value, Claimant):
        return {"id": value.pk, "name": value.name}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _approved_needs_chief(actor: User, annotation: Annotation) -> None:
    """An approved verdict is on the report: only a chief withdraws or relabels its span."""
    if annotation.status == Annotation.Status.APPROVED and not policy.can_decide_verdicts(actor):
        raise Conflict(_("the verdict is approved; only a chief can change its span now"))


def annotation_withdraw(
    *, actor: User, annotation_id: int, expected_version: int | None = None
) -> Annotation:
    """Withdraw from any state; nothing is deleted. Pending assignments are closed.

    Locks the annotation. Raises Forbidden, Stale (`expected_version` moved on), Conflict
    (already withdrawn, the article's state, an approved span and the actor not a chief).
    """
    require_role(actor, "annotation.withdraw")
    with transaction.atomic():
        annotation = annotation_lock(annotation_id)
        if expected_version is not None and annotation.version != expected_version:
            raise Stale(
                _(
                    "the annotation was changed by someone else (now version %(current)s, "
                    "you edited version %(expected)s)"
                )
                % {"current": annotation.version, "expected": expected_version}
            )
        if annotation.status == Annotation.Status.WITHDRAWN:
            raise Conflict(_("the annotation is already withdrawn"))
        article_allows(actor, annotation.article, policy.Act.ANNOTATE)
        _approved_needs_chief(actor, annotation)
        previous = annotation.status
        annotation_bump(annotation, status=Annotation.Status.WITHDRAWN)
        Assignment.objects.filter(annotation=annotation, state=Assignment.State.PENDING).update(
            state=Assignment.State.DONE, updated_at=timezone.now()
        )
        event_record(
            actor=actor,
            verb=Event.Verb.ANNOTATION_WITHDRAWN,
            annotation=annotation,
            data={"from": previous},
        )
    return annotation


def annotation_move(
    *,
    actor: User,
    annotation_id: int,
    start: int,
    end: int,
    exact: str | None = None,
    expected_version: int | None,
) -> Annotation:
    """Move a span to `[start, end)` (code points) of the article's current text: its quote,
    prefix and suffix follow, and it is anchored there. A proposed or approved verdict whose
    text the span no longer reads is set aside, as after a text change (_verdicts_set_aside:
    back to its reviewer's queue, the chiefs told); a source span is checked again. The same
    span and label as another live annotation is refused. A compare-and-set on `version`.

    Locks the article, then the annotation (the order of a text change). Raises Forbidden,
    Invalid (offsets outside the text, `exact` not what they select), Conflict (withdrawn,
    the article's state, an approved span and the actor not a chief, the span taken), Stale.
    """
    require_role(actor, "annotation.edit")
    with transaction.atomic():
        article_id = Annotation.objects.values_list("article_id", flat=True).get(pk=annotation_id)
        article = Article.objects.select_for_update(of=("self",)).get(pk=article_id)
        annotation = annotation_lock(annotation_id)
        if expected_version is not None and annotation.version != expected_version:
            raise Stale(
                _(
                    "the annotation was changed by someone else (now version %(current)s, "
                    "you edited version %(expected)s); reload to see their change"
                )
                % {"current": annotation.version, "expected": expected_version}
            )
        if annotation.status == Annotation.Status.WITHDRAWN:
            raise Conflict(_("the annotation is withdrawn"))
        article_allows(actor, article, policy.Act.ANNOTATE)
        _approved_needs_chief(actor, annotation)
        body = article.text
        try:
            text.validate_span(body, start, end, exact)
        except text.SpanError as exc:
            raise Invalid(_span_message(exc, body), field="target") from exc
        if (start, end) == (annotation.start, annotation.end) and (
            annotation.anchor_state == Annotation.AnchorState.ANCHORED
        ):
            return annotation
        if (start, end) != (annotation.start, annotation.end):  # else the twin is itself
            _refuse_twin(article.pk, annotation.label, start, end)
        quote = text.quote_at(body, start, end)
        before = {"start": annotation.start, "end": annotation.end, "exact": annotation.exact}
        moved: dict[str, Any] = {
            "start": start,
            "end": end,
            "exact": quote.exact,
            "prefix": quote.prefix,
            "suffix": quote.suffix,
            "anchor_state": Annotation.AnchorState.ANCHORED,
        }
        if annotation.label.needs_verdict:
            moved["checkworthiness"] = cues.checkworthiness(quote.exact, article.language[:2])
        sort_keys_change = moved.get("checkworthiness", annotation.checkworthiness) != (
            annotation.checkworthiness
        )
        try:
            with transaction.atomic():
                annotation_bump(annotation, **moved)
        except IntegrityError as exc:  # a twin written since _refuse_twin looked
            if not _SPAN_TAKEN.search(str(exc)):
                raise
            _refuse_twin(article.pk, annotation.label, start, end)
            raise
        if sort_keys_change:
            _assignments_sort_keys_sync(annotation)
        after = {"start": start, "end": end, "exact": quote.exact}
        event_record(
            actor=actor,
            verb=Event.Verb.ANNOTATION_UPDATED,
            annotation=annotation,
            data={
                name: {"from": before[name], "to": after[name]}
                for name in before
                if before[name] != after[name]
            },
        )
        _verdicts_set_aside(actor=actor, article=article, annotations=[annotation])
        if annotation.label.slug == "source":
            _source_span_checks(actor=actor, annotation=annotation)
    return annotation
