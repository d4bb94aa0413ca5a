"""Writes through the Web Annotation Protocol: a W3C annotation document mapped onto a span
(annotation_create / annotation_update / annotation_withdraw, so every rule of the desk
holds) or, when its target selects no text, onto a note on the whole article (PageNote)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import policy, text
from ..models import Annotation, Article, Event, Label, PageNote
from .annotations import (
    annotation_create,
    annotation_move,
    annotation_update,
    annotation_withdraw,
)
from .base import Conflict, Invalid, Stale, User, article_allows, event_record, require_role

# Body purposes that name the span's label; "tagging" is read too (exports before the
# protocol server wrote it).
LABEL_PURPOSES = ("classifying", "tagging")
IRI_MAX = 2000


@dataclass(frozen=True)
class Document:
    """What a posted or put W3C annotation says, in our terms."""

    label: str | None
    note: str
    selectors: list[dict[str, Any]]
    bodies: list[Any]
    target: Any
    canonical: str | None
    via: str | None
    client_id: str | None
    has_assessing: bool = field(default=False)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _iri(document: dict[str, Any], key: str) -> str | None:
    value = document.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > IRI_MAX:
        raise Invalid(_("%(key)s must be one IRI (a string)") % {"key": key}, field=key)
    return value


def document_read(document: Any) -> Document:
    """Read a W3C annotation document. Raises Invalid for anything that is not one."""
    if not isinstance(document, dict):
        raise Invalid(_("send one Web Annotation as a JSON-LD object"))
    if "target" not in document:
        raise Invalid(_("a Web Annotation needs a target"), field="target")
    label = None
    notes: list[str] = []
    has_assessing = False
    bodies = _as_list(document.get("body"))
    if "bodyValue" in document:
        bodies.append({"type": "TextualBody", "value": document["bodyValue"]})
    for body in bodies:
        if isinstance(body, str):
            continue  # a body by IRI: kept on a page note, nothing to read into a span
        if not isinstance(body, dict):
            raise Invalid(_("each body must be an object or an IRI"), field="body")
        purposes = {p for p in _as_list(body.get("purpose")) if isinstance(p, str)}
        value = body.get("value")
        if value is not None and not isinstance(value, str):
            raise Invalid(_("a body's value must be a string"), field="body")
        if purposes & set(LABEL_PURPOSES):
            if label is not None or not value:
                raise Invalid(_("give exactly one classifying body naming a label"), field="body")
            label = value
        elif "assessing" in purposes:
            has_assessing = True
        elif value:
            notes.append(value)
    selectors: list[dict[str, Any]] = []
    for target in _as_list(document["target"]):
        if isinstance(target, dict):
            for selector in _as_list(target.get("selector")):
                if isinstance(selector, dict) and selector.get("type") in (
                    "TextQuoteSelector",
                    "TextPositionSelector",
                ):
                    selectors.append(selector)
        elif not isinstance(target, str):
            raise Invalid(_("a target must be an object or an IRI"), field="target")
    client_id = document.get("id", document.get("@id"))
    return Document(
        label=label,
        note="\n\n".join(notes),
        selectors=selectors,
        bodies=bodies,
        target=document["target"],
        canonical=_iri(document, "canonical"),
        via=_iri(document, "via"),
        client_id=client_id if isinstance(client_id, str) and len(client_id) <= IRI_MAX else None,
        has_assessing=has_assessing,
    )


def _label_slug(value: str) -> str:
    """A label named by slug, English or German name (case-insensitive)."""
    wanted = value.strip().casefold()
    for label in Label.objects.all():
        if wanted in {label.slug.casefold(), label.name.casefold(), label.name_de.casefold()}:
            return label.slug
    return value  # unknown: the service refuses it with its own message


def _span(article: Article, selectors: list[dict[str, Any]]) -> tuple[int, int, str | None]:
    """Code-point offsets from a TextPositionSelector, else from a TextQuoteSelector found
    in the current text (exactly, near prefix and suffix). Raises Invalid."""
    position = next((s for s in selectors if s["type"] == "TextPositionSelector"), None)
    quote = next((s for s in selectors if s["type"] == "TextQuoteSelector"), None)
    exact = quote.get("exact") if quote else None
    if exact is not None and not isinstance(exact, str):
        raise Invalid(_("TextQuoteSelector.exact must be a string"), field="target")
    if position is not None:
        start, end = position.get("start"), position.get("end")
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
            raise Invalid(_("TextPositionSelector needs integer start and end"), field="target")
        return start, end, exact
    if not exact:
        raise Invalid(_("TextQuoteSelector needs exact"), field="target")
    prefix, suffix = quote.get("prefix") or "", quote.get("suffix") or ""
    found = text.reanchor(
        article.text,
        start=0,
        end=len(exact),
        exact=exact,
        prefix=prefix if isinstance(prefix, str) else "",
        suffix=suffix if isinstance(suffix, str) else "",
    )
    if found.state != text.ANCHORED:
        raise Invalid(_("the quoted text is not in the article"), field="target")
    return found.start, found.end, exact


def web_annotation_create(
    *, actor: User, article_id: int, document: Document
) -> Annotation | PageNote:
    """A span when the target selects text (a label is then required), else a note on the
    article. The client's id is kept as `via`. Raises Forbidden, Invalid, Conflict."""
    if document.has_assessing:
        raise Invalid(
            _("a verdict cannot be posted here; propose it through the API for a chief to approve"),
            field="body",
        )
    via = document.via or document.client_id or ""
    canonical = document.canonical or ""
    with transaction.atomic():
        if not document.selectors:
            return _page_note_create(actor=actor, article_id=article_id, document=document, via=via)
        if document.label is None:
            raise Invalid(
                _("a span needs a body with purpose classifying naming its label"), field="body"
            )
        article = Article.objects.get(pk=article_id)
        start, end, exact = _span(article, document.selectors)
        annotation = annotation_create(
            actor=actor,
            article_id=article_id,
            label=_label_slug(document.label),
            start=start,
            end=end,
            exact=exact,
            note=document.note,
        )
        if canonical or via:
            Annotation.objects.filter(pk=annotation.pk).update(canonical=canonical, via=via)
    return annotation


def _page_note_create(*, actor: User, article_id: int, document: Document, via: str) -> PageNote:
    require_role(actor, "annotation.create")
    article = Article.objects.select_for_update(of=("self",)).get(pk=article_id)
    article_allows(actor, article, policy.Act.ANNOTATE)
    note = PageNote.objects.create(
        article=article,
        body=document.bodies,
        target=document.target,
        canonical=document.canonical or "",
        via=via,
        created_by=actor,
    )
    event_record(
        actor=actor,
        verb=Event.Verb.PAGE_NOTE_CREATED,
        article=article,
        data={"page_note": note.pk, "note": document.note[:200]},
    )
    return note


def _refuse_changed_iris(document: Document, canonical: str, via: str) -> None:
    for key, stored, sent in (
        ("canonical", canonical, document.canonical),
        ("via", via, document.via),
    ):
        if sent is not None and sent != stored:
            raise Conflict(_("%(key)s cannot be changed") % {"key": key})


def _moved(current: Annotation, selectors: list[dict[str, Any]]) -> bool:
    """Whether the selectors name another span than the annotation's. The position decides
    when there is one; an orphan's W3C form has only its quote, which then must match."""
    position = next((s for s in selectors if s["type"] == "TextPositionSelector"), None)
    if position is not None:
        return (position.get("start"), position.get("end")) != (current.start, current.end)
    quote = next((s for s in selectors if s["type"] == "TextQuoteSelector"), None)
    return quote is not None and quote.get("exact") != current.exact


def web_annotation_update(
    *, actor: User, annotation_id: int, document: Document, expected_version: int
) -> Annotation:
    """Replace a span's label (when a classifying body names one) and note, and move it when
    the target selects other text (annotation_move, with its rules: a verdict whose text the
    span no longer reads is set aside). canonical / via stay. A verdict (assessing body) is
    read-only here: it changes only through proposal and a chief's approval. One
    transaction; compare-and-set on `version`. Raises Forbidden, Invalid (selectors that do
    not match the article's text), Conflict, Stale."""
    require_role(actor, "annotation.edit")
    current = Annotation.objects.select_related("article").get(pk=annotation_id)
    _refuse_changed_iris(document, current.canonical, current.via)
    changes: dict[str, Any] = {"note": document.note}
    if document.label is not None:
        changes["label"] = _label_slug(document.label)
    with transaction.atomic():
        if _moved(current, document.selectors):
            start, end, exact = _span(current.article, document.selectors)
            annotation_move(
                actor=actor,
                annotation_id=annotation_id,
                start=start,
                end=end,
                exact=exact,
                expected_version=expected_version,
            )
            # The move holds the row's lock until this transaction ends: its version now
            # is the one the rest of the change is compared with.
            expected_version = Annotation.objects.values_list("version", flat=True).get(
                pk=annotation_id
            )
        return annotation_update(
            actor=actor,
            annotation_id=annotation_id,
            changes=changes,
            expected_version=expected_version,
        )


def page_note_update(
    *, actor: User, page_note_id: int, document: Document, expected_version: int
) -> PageNote:
    """Replace a page note's bodies and target as a compare-and-set on `version`. A target
    that selects text would make it a span: refused. Raises Forbidden, Invalid, Conflict,
    Stale."""
    require_role(actor, "annotation.edit")
    if document.selectors:
        raise Invalid(
            _("a note on the whole article cannot become a span; create a new annotation"),
            field="target",
        )
    with transaction.atomic():
        current = PageNote.objects.select_related("article").get(pk=page_note_id)
        if current.is_withdrawn:
            raise Conflict(_("the note is withdrawn"))
        article_allows(actor, current.article, policy.Act.ANNOTATE)
        _refuse_changed_iris(document, current.canonical, current.via)
        matched = PageNote.objects.filter(
            pk=page_note_id, version=expected_version, is_withdrawn=False
        ).update(
            body=document.bodies,
            target=document.target,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if matched == 0:
            raise Stale(_("the note was changed by someone else; reload to see their change"))
        event_record(
            actor=actor,
            verb=Event.Verb.PAGE_NOTE_UPDATED,
            article=current.article,
            data={"page_note": page_note_id, "note": document.note[:200]},
        )
    return PageNote.objects.get(pk=page_note_id)


def web_annotation_withdraw(*, actor: User, annotation_id: int, expected_version: int) -> None:
    """Withdraw a span (annotation_withdraw: the same rules, nothing deleted)."""
    annotation_withdraw(actor=actor, annotation_id=annotation_id, expected_version=expected_version)


def page_note_withdraw(*, actor: User, page_note_id: int, expected_version: int) -> PageNote:
    """Withdraw a page note; nothing is deleted. Locks the note. Raises Forbidden, Conflict,
    Stale."""
    require_role(actor, "annotation.withdraw")
    with transaction.atomic():
        note = (
            PageNote.objects.select_for_update(of=("self",))
            .select_related("article")
            .get(pk=page_note_id)
        )
        if note.version != expected_version:
            raise Stale(_("the note was changed by someone else; reload to see their change"))
        if note.is_withdrawn:
            raise Conflict(_("the note is already withdrawn"))
        article_allows(actor, note.article, policy.Act.ANNOTATE)
        note.is_withdrawn = True
        note.version += 1
        note.updated_at = timezone.now()
        note.save(update_fields=["is_withdrawn", "version", "updated_at"])
        event_record(
            actor=actor,
            verb=Event.Verb.PAGE_NOTE_WITHDRAWN,
            article=note.article,
            data={"page_note": page_note_id},
        )
    return note
