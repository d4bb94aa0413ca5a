"""Shared reads, each with the joins its callers need so that pages and lists run a
constant number of queries however many rows they show.

Access scoping lives here once: every newsroom role reads every article and annotation
(one desk, one team); the API and views refuse users without a role before calling.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest
from django.db.models.query import ValuesListIterable
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    NEWSROOM_ROLES,
    ROLE_REVIEWER,
    Annotation,
    Article,
    Assignment,
    Comment,
    Event,
    Evidence,
    Label,
    Rating,
    SourceCheck,
    Suggestion,
    Verdict,
)
from .representation import AnnotationRow, VerdictRow

SEARCH_CONFIGS = {"de": "german", "en": "english"}


def _verdicts_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}verdicts",
        queryset=Verdict.objects.select_related("rating", "author", "decided_by").order_by("id"),
        to_attr="verdict_list",
    )


def _assignments_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}assignments",
        queryset=Assignment.objects.exclude(state=Assignment.State.DECLINED)
        .select_related("reviewer", "assigned_by")
        .order_by("id"),
        to_attr="assignment_list",
    )


def annotations_with_relations(
    queryset: QuerySet[Annotation] | None = None,
) -> QuerySet[Annotation]:
    """Annotations with label, author, assignments and verdicts loaded (5 queries flat)."""
    queryset = queryset if queryset is not None else Annotation.objects.all()
    # The article's text is not needed per row (it can be 500,000 characters).
    return (
        queryset.select_related("label", "created_by", "article")
        .defer("article__text")
        .prefetch_related(_assignments_prefetch(), _verdicts_prefetch())
    )


# The annotation record read as plain values, named by its fields (representation.py):
# building model instances (with label, author and article) and running DRF's per-field
# serializers cost most of a list's time.
ANNOTATION_VALUES = {
    "id": "id",
    "article": "article_id",
    "start": "start",
    "end": "end",
    "exact": "exact",
    "prefix": "prefix",
    "suffix": "suffix",
    "label": "label__slug",
    "note": "note",
    "priority": "priority",
    "due_at": "due_at",
    "status": "status",
    "anchor_state": "anchor_state",
    "version": "version",
    "created_by": "created_by__username",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "article_title": "article__title",
}
VERDICT_VALUES = {
    "annotation": "annotation_id",
    "id": "id",
    "rating": "rating__slug",
    "status": "status",
    "rationale": "rationale",
    "author": "author__username",
    "decided_by": "decided_by__username",
    "decided_at": "decided_at",
    "decision_note": "decision_note",
    "quote": "quote",
    "article_revision": "article_revision",
    "created_at": "created_at",
}
assert tuple(ANNOTATION_VALUES) == AnnotationRow._fields
assert tuple(VERDICT_VALUES) == VerdictRow._fields
_TIMESTAMPS = ("due_at", "created_at", "updated_at")


def _named(row_type: Any) -> type[ValuesListIterable]:
    """An iterable class for values_list() that yields `row_type` records (what
    values_list(named=True) does, with the record's names rather than the lookups'):
    callers read rows by name, and the one place that maps positions to names is here.
    Rows with fewer columns than the record take its defaults for the rest."""

    class Rows(ValuesListIterable):
        def __iter__(self) -> Any:
            missing = len(row_type._fields) - len(self.queryset._fields)
            # tuple.__new__ from C, not a Python call per row: a thousand rows a list.
            make = partial(tuple.__new__, row_type)
            if not missing:
                return map(make, super().__iter__())
            rest = tuple(row_type._field_defaults[name] for name in row_type._fields[-missing:])
            return (make(row + rest) for row in super().__iter__())

    return Rows


_ANNOTATION_ROWS = _named(AnnotationRow)
_VERDICT_ROWS = _named(VerdictRow)


class IsoTimestamp(Func):
    """A timestamp as the API writes it (DRF's DateTimeField: ISO 8601 in the current time
    zone, microseconds only when there are any, UTC as `Z`), written by PostgreSQL. Reading
    a thousand rows, parsing their timestamps and formatting them again in Python was a
    third of the list's time. PostgreSQL only: elsewhere `annotation_values` reads the
    column and Python formats it (representation.api_time)."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        zone = timezone.get_current_timezone_name()
        value = (column, list(params))
        local = _sql("(", value, " AT TIME ZONE %s)", ("", [zone]))
        offset = _sql("(", local, " - (", value, " AT TIME ZONE 'UTC'))")
        return _sql(
            "CASE WHEN ", value, " IS NULL THEN NULL ELSE ",
            "to_char(", local, ", 'YYYY-MM-DD\"T\"HH24:MI:SS')",
            " || CASE WHEN to_char(", local, ", 'US') = '000000' THEN ''",
            " ELSE '.' || to_char(", local, ", 'US') END",
            " || CASE WHEN ", offset, " = interval '0' THEN 'Z'",
            " WHEN ", offset, " < interval '0' THEN '-' || to_char(-", offset, ", 'HH24:MI')",
            " ELSE '+' || to_char(", offset, ", 'HH24:MI') END END",
        )  # fmt: skip


def _sql(*parts: str | tuple[str, list]) -> tuple[str, list]:
    """Join SQL pieces, plain strings or (sql, params), keeping the params in order."""
    sql, params = [], []
    for part in parts:
        if isinstance(part, str):
            sql.append(part)
        else:
            sql.append(part[0])
            params.extend(part[1])
    return "".join(sql), params


class RowTime(Func):
    """A timestamp as representation.ROW_TIME_FORMAT text, formatted by PostgreSQL:
    cheaper than turning it into a datetime and back for every row of a bulk export."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    output_field = TextField()


def annotation_values(
    annotations: QuerySet[Annotation],
    *,
    article_title: bool = False,
    times: str = "api",
    named: bool = True,
) -> QuerySet:
    """`annotations`, in their order, as `representation.AnnotationRow` records (with the
    article's title if asked; `named=False`: plain tuples of the same fields, for the bulk
    export, see representation.export_row). On PostgreSQL the three timestamps come as
    text: the API's (`times="api"`, IsoTimestamp) or an export row's (`times="row"`,
    RowTime)."""
    names = [name for name in ANNOTATION_VALUES if article_title or name != "article_title"]
    if connection.vendor != "postgresql":
        columns: list[Any] = [ANNOTATION_VALUES[name] for name in names]
    else:
        timestamp = IsoTimestamp if times == "api" else RowTime
        columns = [
            timestamp(name) if name in _TIMESTAMPS else ANNOTATION_VALUES[name] for name in names
        ]
    rows = annotations.values_list(*columns)
    if named:
        rows._iterable_class = _ANNOTATION_ROWS
    return rows


# The reads below answer for many annotations at once, named by a list of ids, by `among`
# (a query of the same ids, a page's: a thousand bound ids cost more to compile and plan
# than the subquery costs to run) or by `id_range` (first, last: a bulk export's chunk is
# a contiguous id range, read by an index range scan; ids the filters left out are read
# but never looked up).


def _of(
    queryset: QuerySet,
    annotation_ids: Iterable[int] | None,
    among: QuerySet | None,
    id_range: tuple[int, int] | None,
) -> QuerySet:
    if id_range is not None:
        return queryset.filter(annotation_id__gte=id_range[0], annotation_id__lte=id_range[1])
    return queryset.filter(annotation_id__in=among if among is not None else annotation_ids)


def assignee_names(
    annotation_ids: Iterable[int] | None = None,
    *,
    among: QuerySet | None = None,
    id_range: tuple[int, int] | None = None,
) -> dict[int, list[str]]:
    """Who each annotation is assigned to (declined ones left out, each name once), in
    assignment order: what `assignees` gives, for many annotations in one query.
    Annotations without assignees are missing from the answer."""
    names: dict[int, list[str]] = {}
    assignments = _of(Assignment.objects.all(), annotation_ids, among, id_range)
    for annotation_id, username in (
        assignments.exclude(state=Assignment.State.DECLINED)
        .order_by("id")
        .values_list("annotation_id", "reviewer__username")
    ):
        found = names.setdefault(annotation_id, [])
        if username not in found:
            found.append(username)
    return names


def latest_verdicts(
    annotation_ids: Iterable[int] | None = None,
    *,
    among: QuerySet | None = None,
    id_range: tuple[int, int] | None = None,
    instances: bool = False,
    brief: bool = False,
) -> dict[int, Any]:
    """The newest verdict of each annotation that has one, in one query: a
    `representation.VerdictRow`, or with `instances` a Verdict with its rating, author
    and decider (for pages that show a rating's name). A `brief` row has only the id,
    rating and status, what a bulk export shows: the texts and the authors' names were
    three quarters of the export's verdict reads."""
    if annotation_ids is not None and among is None and id_range is None:
        annotation_ids = list(annotation_ids)
        if not annotation_ids:
            return {}
    verdicts = _of(Verdict.objects.all(), annotation_ids, among, id_range)
    if instances:
        verdicts = verdicts.select_related("rating", "author", "decided_by")
    else:
        columns = list(VERDICT_VALUES.values())
        verdicts = verdicts.values_list(*(columns[:4] if brief else columns))
        verdicts._iterable_class = _VERDICT_ROWS
    key = (lambda v: v.annotation_id) if instances else (lambda v: v.annotation)
    if connection.vendor == "postgresql":
        newest = verdicts.order_by("annotation_id", "-id").distinct("annotation_id")
        return {key(verdict): verdict for verdict in newest}
    result: dict[int, Any] = {}
    for verdict in verdicts.order_by("annotation_id", "id"):
        result[key(verdict)] = verdict
    return result


def article_span_rows(
    article: Article,
) -> tuple[QuerySet, dict[int, list[str]], dict[int, list[VerdictRow]]]:
    """What the annotate page draws: every annotation of the article (withdrawn ones too) as
    named rows in text order, the assignees of each and its verdicts: three queries."""
    annotations = Annotation.objects.filter(article=article)
    ids = annotations.values("id")
    rows = annotation_values(annotations.order_by("start", "end", "id"))
    return rows, assignee_names(among=ids), verdict_histories(among=ids)


def database_ping() -> None:
    """One round trip to the database (`/healthz`); raises the driver's error if it is down."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def verdict_histories(*, among: QuerySet) -> dict[int, list[VerdictRow]]:
    """Every verdict of each annotation (`among`, a query of their ids), oldest first."""
    histories: dict[int, list[VerdictRow]] = {}
    verdicts = Verdict.objects.filter(annotation_id__in=among).order_by("id")
    rows = verdicts.values_list(*VERDICT_VALUES.values())
    rows._iterable_class = _VERDICT_ROWS
    for verdict in rows:
        histories.setdefault(verdict.annotation, []).append(verdict)
    return histories


def current_verdict(annotation: Annotation) -> Verdict | None:
    if hasattr(annotation, "latest_verdict"):  # set by queue_page_relations
        return annotation.latest_verdict
    verdicts = getattr(annotation, "verdict_list", None)
    if verdicts is None:
        verdicts = list(
            annotation.verdicts.select_related("rating", "author", "decided_by").order_by("id")
        )
    return verdicts[-1] if verdicts else None


def assignees(annotation: Annotation) -> list[str]:
    names = getattr(annotation, "assignee_names", None)  # set by queue_page_relations
    if names is not None:
        return names
    assignments = getattr(annotation, "assignment_list", None)
    if assignments is None:
        assignments = list(
            annotation.assignments.exclude(state=Assignment.State.DECLINED).select_related(
                "reviewer"
            )
        )
    return list(dict.fromkeys(a.reviewer.username for a in assignments))


# The orders of the articles list, by the API's `ordering` value.
ARTICLE_ORDERINGS = {
    "-created_at": ("-created_at", "-id"),
    "-checkworthiness": ("-checkworthiness", "-created_at", "-id"),
}


def article_list(
    *,
    status: str | None = None,
    language: str | None = None,
    q: str | None = None,
    ordering: str = "-created_at",
) -> QuerySet[Article]:
    """Articles newest first, or most check-worthy first (`ordering="-checkworthiness"`,
    see `with_checkworthiness`). Archived ones only when asked for by status."""
    articles = Article.objects.select_related("created_by").defer("text")
    if status:
        articles = articles.filter(status=status)
    else:
        articles = articles.exclude(status=Article.Status.ARCHIVED)
    if language:
        articles = articles.filter(language__istartswith=language)
    if q:
        articles = articles.filter(article_search_filter(q))
    if ordering == "-checkworthiness":
        articles = with_checkworthiness(articles)
    return articles.order_by(*ARTICLE_ORDERINGS[ordering])


def with_checkworthiness(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Each article's `checkworthiness`: its most check-worthy claim, 0..1, over the live
    claim annotations (their stored score) and the pending claim suggestions of its current
    text (a claim suggestion's score is its check-worthiness). 0 when it has neither; a
    dismissed suggestion or a withdrawn span does not count."""
    claims = (
        Annotation.objects.filter(article=OuterRef("pk"), label__needs_verdict=True)
        .exclude(status=Annotation.Status.WITHDRAWN)
        .order_by()
        .values("article")
        .annotate(top=Max("checkworthiness"))
        .values("top")
    )
    suggested = (
        Suggestion.objects.filter(
            article=OuterRef("pk"),
            label__needs_verdict=True,
            status=Suggestion.Status.PENDING,
        )
        .order_by()
        .values("article")
        .annotate(top=Max("score"))
        .values("top")
    )
    zero = Value(0.0, output_field=FloatField())
    return articles.annotate(
        checkworthiness=Greatest(
            Coalesce(Subquery(claims, output_field=FloatField()), zero),
            Coalesce(Subquery(suggested, output_field=FloatField()), zero),
        )
    )


def article_search_filter(q: str) -> Q:
    """Full-text search in each article's own language on PostgreSQL (matching the GIN
    indexes of migration 0003); `icontains` on SQLite."""
    if connection.vendor != "postgresql":
        return Q(title__icontains=q) | Q(text__icontains=q)
    from django.contrib.postgres.search import SearchQuery, SearchVector

    german = SearchVector("title", "text", config="german")
    english = SearchVector("title", "text", config="english")
    ids_de = Article.objects.annotate(v=german).filter(
        language__startswith="de", v=SearchQuery(q, config="german", search_type="websearch")
    )
    ids_en = (
        Article.objects.annotate(v=english)
        .exclude(language__startswith="de")
        .filter(v=SearchQuery(q, config="english", search_type="websearch"))
    )
    return Q(pk__in=ids_de.values("pk")) | Q(pk__in=ids_en.values("pk")) | Q(title__icontains=q)


def annotation_list(
    *,
    article: int | None = None,
    label: str | None = None,
    status: str | None = None,
    assignee: str | None = None,
    rating: str | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Annotation]:
    annotations = Annotation.objects.all()
    if article is not None:
        annotations = annotations.filter(article_id=article)
    if label:
        annotations = annotations.filter(label__slug=label)
    if status:
        annotations = annotations.filter(status=status)
    if assignee:
        lookup = (
            {"reviewer_id": int(assignee)}
            if str(assignee).isdecimal()  # not isdigit: int() refuses "²"
            else {"reviewer__username": assignee}
        )
        annotations = annotations.filter(
            Exists(
                Assignment.objects.filter(annotation=OuterRef("pk"), **lookup).exclude(
                    state=Assignment.State.DECLINED
                )
            )
        )
    if rating:
        latest = (
            Verdict.objects.filter(annotation=OuterRef("annotation"))
            .order_by("-id")
            .values("pk")[:1]
        )
        annotations = annotations.filter(
            Exists(
                Verdict.objects.filter(annotation=OuterRef("pk"), rating__slug=rating, pk=latest)
            )
        )
    if updated_since is not None:
        annotations = annotations.filter(updated_at__gte=updated_since)
    return annotations.order_by("article_id", "start", "end", "id")


QUEUE_COLUMNS = (
    "id",
    "annotation",
    "reviewer",
    "assigned_by",
    "due_at",
    "priority",
    "checkworthiness",
    "created_at",
)


# What a queue row shows of its annotation (all of it), the article and the author.
QUEUE_ANNOTATION_COLUMNS = (
    *(field.name for field in Annotation._meta.concrete_fields),
    *(f"label__{field.name}" for field in Label._meta.concrete_fields),
    "article__title",
    "article__language",
    "created_by__username",
)


# The orders of the queue, by the API's `ordering` value (the page's `sort`).
QUEUE_ORDERINGS = {
    "queue": ("is_overdue", "priority", "due_at", "checkworthiness"),
    "-checkworthiness": ("checkworthiness", "is_overdue", "priority", "due_at"),
}
_QUEUE_KEYS = {
    "is_overdue": F("is_overdue").desc(),
    "priority": F("priority").desc(),
    "due_at": F("due_at").asc(nulls_last=True),
    "checkworthiness": F("checkworthiness").desc(nulls_last=True),
}


def queue_for(
    user: Any, *, now: datetime | None = None, ordering: str = "queue"
) -> QuerySet[Assignment]:
    """The caller's pending assignments: overdue first, then priority (high first), then
    due date (none last), then check-worthiness (none last) and age. With
    `ordering="-checkworthiness"` the most check-worthy claims come first and the queue
    order breaks the ties.

    Every sort key lives on the assignment (the services copy the annotation's priority
    and check-worthiness, and close the pending assignments of a withdrawn annotation),
    so PostgreSQL sorts a reviewer's rows from the covering index `assignment_queue`
    alone, then joins the annotations of the one page shown. `queue_page_relations` loads
    the rest of that page.
    """
    now = now or timezone.now()
    return (
        Assignment.objects.filter(reviewer=user, state=Assignment.State.PENDING)
        # The columns of the covering index (an index-only scan), and who assigned each
        # (a hash join with the small users table).
        .select_related("assigned_by")
        .only(*QUEUE_COLUMNS, "assigned_by__username")
        .annotate(
            is_overdue=Case(
                When(due_at__lt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by(*(_QUEUE_KEYS[key] for key in QUEUE_ORDERINGS[ordering]), "created_at", "id")
    )


def queue_filtered(
    user: Any,
    *,
    now: datetime,
    label: str = "",
    article_id: int | None = None,
    overdue_only: bool = False,
    ordering: str = "queue",
) -> QuerySet[Assignment]:
    """The queue page's rows: `queue_for` narrowed by label, article and overdue."""
    rows = queue_for(user, now=now, ordering=ordering)
    if label:
        rows = rows.filter(annotation__label__slug=label)
    if article_id is not None:
        rows = rows.filter(annotation__article_id=article_id)
    if overdue_only:
        rows = rows.filter(due_at__lt=now)
    return rows


def queue_counts(user: Any, queue: QuerySet[Assignment], *, now: datetime) -> dict[str, int]:
    """Open and overdue items of a queue, and the caller's verdicts waiting for a chief."""
    counts = queue.order_by().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))
    )
    counts["waiting"] = (
        Verdict.objects.filter(author=user, status=Verdict.Status.PROPOSED)
        .exclude(annotation__status=Annotation.Status.WITHDRAWN)
        .count()
    )
    return counts


def queue_first_ids(queue: QuerySet[Assignment], count: int) -> list[int]:
    return list(queue.values_list("annotation_id", flat=True)[:count])


def queue_articles(queue: QuerySet[Assignment]) -> list[Article]:
    """The articles a queue's items come from, by title (the filter's choices)."""
    return list(
        Article.objects.filter(pk__in=queue.values("annotation__article_id"))
        .only("pk", "title")
        .order_by("title", "pk")
    )


def queue_values(user: Any, *, ordering: str = "queue") -> QuerySet:
    """`queue_for` as (annotation id, the assignment's due date, who assigned it) tuples,
    for the API, which builds its rows from plain values (api.serializers.queue_objects)."""
    return queue_for(user, ordering=ordering).values_list(
        "annotation_id", "due_at", "assigned_by__username"
    )


def queue_page_relations(assignments: list[Assignment]) -> list[Assignment]:
    """Load, in place, what one page of queue rows shows (`queue_for` already joined who
    assigned each): the annotation with its label, its article's title and language and
    its author's name, the assignees, the latest verdict and the latest source check. Four
    small queries, however many rows: the page's annotations are read by id once the sort
    has picked them, and of the verdicts and assignees only what a row shows
    (`current_verdict`, `assignees`)."""
    if not assignments:
        return assignments
    annotations = (
        Annotation.objects.select_related("label", "article", "created_by")
        .only(*QUEUE_ANNOTATION_COLUMNS)
        .order_by()
        .in_bulk([a.annotation_id for a in assignments])
    )
    for assignment in assignments:
        assignment.annotation = annotations[assignment.annotation_id]
    names = assignee_names(list(annotations))
    verdicts = latest_verdicts(list(annotations), instances=True)
    checks = latest_checks(list(annotations))
    for pk, annotation in annotations.items():
        annotation.assignee_names = names.get(pk, [])
        annotation.latest_verdict = verdicts.get(pk)
        annotation.latest_check = checks.get(pk)
    return assignments


def latest_checks(annotation_ids: list[int]) -> dict[int, SourceCheck]:
    """The newest source check of each annotation, in one query."""
    if not annotation_ids:
        return {}
    if connection.vendor == "postgresql":
        rows = (
            SourceCheck.objects.filter(annotation_id__in=annotation_ids)
            .order_by("annotation_id", "-requested_at", "-id")
            .distinct("annotation_id")
        )
        return {row.annotation_id: row for row in rows}
    result: dict[int, SourceCheck] = {}
    for row in SourceCheck.objects.filter(annotation_id__in=annotation_ids).order_by(
        "annotation_id", "-requested_at", "-id"
    ):
        result.setdefault(row.annotation_id, row)
    return result


def annotation_history(annotation_id: int) -> QuerySet[Event]:
    return (
        Event.objects.filter(annotation_id=annotation_id)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def annotation_comments(annotation_id: int) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(annotation_id=annotation_id)
        .select_related("author")
        .order_by("created_at", "id")
    )


def annotation_evidence(
    annotation_id: int, *, include_removed: bool = False, ids: list[int] | None = None
) -> QuerySet[Evidence]:
    """An annotation's evidence (live only, unless `include_removed`; only `ids` if given),
    each with its checks newest first as `check_list`."""
    evidence = Evidence.objects.filter(annotation_id=annotation_id).select_related("added_by")
    if not include_removed:
        evidence = evidence.filter(removed_at__isnull=True)
    if ids is not None:
        evidence = evidence.filter(pk__in=ids)
    return evidence.prefetch_related(
        Prefetch(
            "checks",
            queryset=SourceCheck.objects.order_by("-requested_at", "-id"),
            to_attr="check_list",
        )
    ).order_by("created_at", "id")


def annotation_checks(annotation_id: int) -> QuerySet[SourceCheck]:
    return SourceCheck.objects.filter(annotation_id=annotation_id).order_by("-requested_at", "-id")


def article_suggestions(
    article_id: int, *, status: str | None = Suggestion.Status.PENDING
) -> QuerySet[Suggestion]:
    """The article's suggestions. Pending ones only of its current text: after a text edit
    those of the old revision hold old offsets until the analysis of the new text replaces
    them, and drawn on the new text they would outline the wrong words."""
    suggestions = (
        Suggestion.objects.filter(article_id=article_id)
        .exclude(Q(status=Suggestion.Status.PENDING) & ~Q(revision=F("article__revision")))
        .select_related("label")
    )
    if status:
        suggestions = suggestions.filter(status=status)
    return suggestions.order_by("start", "end", "id")


def proposed_verdicts() -> QuerySet[Verdict]:
    return (
        Verdict.objects.filter(status=Verdict.Status.PROPOSED)
        .exclude(annotation__status=Annotation.Status.WITHDRAWN)
        .select_related("rating", "author", "annotation__label", "annotation__article")
        .prefetch_related(
            Prefetch(
                "evidence", queryset=Evidence.objects.filter(removed_at__isnull=True).order_by("id")
            )
        )
        .order_by("created_at", "id")
    )


def labels() -> QuerySet[Label]:
    return Label.objects.order_by("order", "slug")


def ratings() -> QuerySet[Rating]:
    return Rating.objects.order_by("order", "slug")


def approved_claim_verdicts(article: Article) -> list[Verdict]:
    """The verdict the public sees on each live claim span of one article, in text order:
    its approved verdict or, while a text change has the span under review again, the last
    approved one with `under_review_since` set. Each verdict carries `corrects` (the
    approved verdict it replaced after a text change, for the dated correction note) and
    `shown_evidence` (the evidence as it stood when the chief approved it)."""
    rows = list(
        Verdict.objects.filter(
            annotation__article=article,
            annotation__label__needs_verdict=True,
        )
        .exclude(annotation__status=Annotation.Status.WITHDRAWN)
        .filter(
            Q(status=Verdict.Status.APPROVED)
            | Q(status=Verdict.Status.SET_ASIDE, decided_at__isnull=False)
        )
        .select_related("rating", "author", "decided_by", "annotation__label", "supersedes__rating")
        .prefetch_related(
            Prefetch(
                "annotation__evidence",
                queryset=Evidence.objects.filter(removed_at__isnull=True).order_by("id"),
            )
        )
        .order_by("annotation__start", "annotation__end", "id")
    )
    shown: dict[int, Verdict] = {}
    for verdict in rows:  # ids rise within a span: the last one is the newest
        shown[verdict.annotation_id] = verdict
    for verdict in shown.values():
        verdict.under_review_since = (
            verdict.set_aside_at if verdict.status == Verdict.Status.SET_ASIDE else None
        )
        previous = verdict.supersedes
        verdict.corrects = (
            previous
            if verdict.status == Verdict.Status.APPROVED
            and previous is not None
            and previous.decided_at is not None
            else None
        )
        verdict.shown_evidence = [
            e
            for e in verdict.annotation.evidence.all()
            if verdict.decided_at is None or e.created_at <= verdict.decided_at
        ]
    return list(shown.values())


SIMILAR_LIMIT = 5
# pg_trgm's similarity() of two claims about the same fact worded apart is often 0.3–0.5;
# below 0.3 the matches are noise. rapidfuzz's token_set_ratio (0–100) is the SQLite twin.
TRIGRAM_MIN = 0.3
FUZZ_MIN = 70.0


def similar_claims(annotation: Annotation, *, limit: int = SIMILAR_LIMIT) -> list[dict[str, Any]]:
    """Approved verdicts on similar claims from *other* articles, best match first.

    PostgreSQL: trigram similarity of the quotes (GIN index of migration 0003) or a
    full-text match in the article's language. SQLite: rapidfuzz over recent verdicts.
    """
    if not annotation.exact.strip():
        return []
    verdicts = (
        Verdict.objects.filter(
            status=Verdict.Status.APPROVED,
            annotation__label__needs_verdict=True,
            annotation__status=Annotation.Status.APPROVED,
        )
        .exclude(annotation__article_id=annotation.article_id)
        .select_related("rating", "annotation__article", "author")
    )
    scored: list[tuple[float, Verdict]]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramSimilarity

        language = (annotation.article.language or "")[:2]
        config = SEARCH_CONFIGS.get(language, "simple")
        rows = (
            verdicts.annotate(similarity=TrigramSimilarity("annotation__exact", annotation.exact))
            .annotate(document=SearchVector("annotation__exact", config=config))
            .filter(
                Q(similarity__gte=TRIGRAM_MIN)
                | Q(document=SearchQuery(annotation.exact, config=config, search_type="plain"))
            )
            .order_by("-similarity", "-decided_at")[:limit]
        )
        scored = [(round(float(row.similarity), 3), row) for row in rows]
    else:
        from rapidfuzz import fuzz

        scored = []
        for row in verdicts.order_by("-decided_at")[:2000]:
            score = fuzz.token_set_ratio(annotation.exact, row.annotation.exact)
            if score >= FUZZ_MIN:
                scored.append((round(score / 100, 3), row))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        scored = scored[:limit]
    by_verdict = evidence_behind([verdict for _, verdict in scored])
    return [
        {
            "verdict": verdict.pk,
            "annotation": verdict.annotation_id,
            "article": verdict.annotation.article_id,
            "article_title": verdict.annotation.article.title,
            "exact": verdict.annotation.exact,
            "rating": verdict.rating.slug,
            "rating_name": verdict.rating.display_name,
            "rationale": verdict.rationale,
            "decided_at": verdict.decided_at,
            "score": score,
            "evidence": [{"url": e.url, "title": e.title} for e in by_verdict[verdict.pk]],
        }
        for score, verdict in scored
    ]


def evidence_behind(verdicts: list[Verdict]) -> dict[int, list[Evidence]]:
    """The evidence each verdict rests on, in one query: the live evidence of its
    annotation, whether it came with the verdict or was added before it (the approving
    chief saw all of it), oldest first."""
    by_annotation: dict[int, list[Evidence]] = {v.annotation_id: [] for v in verdicts}
    for item in Evidence.objects.filter(
        annotation_id__in=list(by_annotation), removed_at__isnull=True
    ).order_by("id"):
        by_annotation[item.annotation_id].append(item)
    return {verdict.pk: by_annotation[verdict.annotation_id] for verdict in verdicts}


# --- single objects and small lists the doors show ------------------------------------------


def annotation_must_exist(pk: int) -> None:
    """Raise Annotation.DoesNotExist (a 404) for an id that names no annotation."""
    if not Annotation.objects.filter(pk=pk).exists():
        raise Annotation.DoesNotExist


def article_must_exist(pk: int) -> None:
    if not Article.objects.filter(pk=pk).exists():
        raise Article.DoesNotExist


def suggestion_must_belong(article_id: int, suggestion_id: int) -> None:
    """Raise Suggestion.DoesNotExist unless the suggestion is the article's."""
    if not Suggestion.objects.filter(pk=suggestion_id, article_id=article_id).exists():
        raise Suggestion.DoesNotExist


def annotation_detail(pk: int) -> Annotation:
    """One annotation with the relations its API object shows (article text left out)."""
    return annotations_with_relations(Annotation.objects.filter(pk=pk)).defer("article__text").get()


def annotation_page(pk: int) -> Annotation:
    """One annotation with its label, article and author: the review pages' subject."""
    return Annotation.objects.select_related("label", "article", "created_by").get(pk=pk)


def article_detail(pk: int) -> Article:
    return Article.objects.select_related("created_by").get(pk=pk)


def article_plain(pk: int) -> Article:
    return Article.objects.get(pk=pk)


def article_annotations(article: Article) -> QuerySet[Annotation]:
    """Every annotation of one article, withdrawn ones included (the article's CSV)."""
    return Annotation.objects.filter(article=article)


def suggestion_detail(pk: int) -> Suggestion:
    return Suggestion.objects.select_related("label").get(pk=pk)


def verdict_detail(pk: int) -> Verdict:
    """One verdict with what its API object shows."""
    return (
        Verdict.objects.select_related("rating", "author", "decided_by", "annotation")
        .prefetch_related("evidence")
        .get(pk=pk)
    )


def annotation_verdicts(annotation_id: int) -> QuerySet[Verdict]:
    return (
        Verdict.objects.filter(annotation_id=annotation_id)
        .select_related("rating", "author", "decided_by", "annotation")
        .prefetch_related("evidence")
        .order_by("created_at", "id")
    )


def verdict_plain(pk: int) -> Verdict:
    return Verdict.objects.get(pk=pk)


def evidence_with_annotation(pk: int) -> Evidence:
    return Evidence.objects.select_related("annotation").get(pk=pk)


def article_status(pk: int) -> str:
    """The article's status, unlocked; raises Article.DoesNotExist."""
    status = Article.objects.filter(pk=pk).values_list("status", flat=True).first()
    if status is None:
        raise Article.DoesNotExist
    return status


def live_twin(article_id: int, label_id: int, start: int, end: int) -> int | None:
    """The id of a live annotation with this span and label, if there is one."""
    return (
        Annotation.objects.filter(article_id=article_id, label_id=label_id, start=start, end=end)
        .exclude(status=Annotation.Status.WITHDRAWN)
        .values_list("pk", flat=True)
        .first()
    )


def user_named(username: str) -> Any:
    """The user with this username, or None."""
    return get_user_model().objects.filter(username=username).first()


def first_editor() -> Any:
    """The longest-standing active editor or chief, or None (for operators' commands)."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=["editor", "chief"], is_active=True)
        .order_by("pk")
        .first()
    )


def article_titled(title: str) -> bool:
    return Article.objects.filter(title=title).exists()


def newsroom_users(role: str | None = None) -> QuerySet:
    """Active users with a newsroom role (or the given one), each with `open_assignments`:
    their pending assignments on live annotations."""
    user_model = get_user_model()
    users = (
        users_with_role(role)
        if role
        else user_model.objects.filter(
            is_active=True,
            pk__in=user_model.objects.filter(groups__name__in=NEWSROOM_ROLES).values("pk"),
        ).order_by("username")
    )
    pending = (
        Assignment.objects.filter(reviewer=OuterRef("pk"), state=Assignment.State.PENDING)
        .exclude(annotation__status=Annotation.Status.WITHDRAWN)
        .order_by()
        .values("reviewer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return users.annotate(open_assignments=Coalesce(Subquery(pending), 0)).prefetch_related(
        "groups"
    )


def ids_of(annotations: QuerySet[Annotation], first: int, count: int) -> QuerySet:
    """The ids of one page of `annotations` as a subquery (see assignee_names' `among`)."""
    return annotations.values("id")[first : first + count]


# --- the pages' lists ----------------------------------------------------------------------

FAILED_CHECKS = (SourceCheck.Status.FAILED, SourceCheck.Status.BLOCKED)


def _failing_checks() -> Any:
    """Checks on live spans that failed or were blocked, with no newer check of the same
    source since (a successful re-run clears the marker)."""
    newer = SourceCheck.objects.filter(
        annotation=OuterRef("annotation"),
        url=OuterRef("url"),
        attribution=OuterRef("attribution"),
        requested_at__gt=OuterRef("requested_at"),
    )
    return (
        SourceCheck.objects.filter(status__in=FAILED_CHECKS)
        .exclude(annotation__status=Annotation.Status.WITHDRAWN)
        .filter(Q(evidence__isnull=True) | Q(evidence__removed_at__isnull=True))
        .filter(~Exists(newer))
    )


def _needs_attention() -> Q:
    live = Annotation.objects.filter(article=OuterRef("pk")).exclude(
        status=Annotation.Status.WITHDRAWN
    )
    return Q(
        Exists(
            live.filter(
                Q(anchor_state__in=[Annotation.AnchorState.FUZZY, Annotation.AnchorState.ORPHANED])
                | Q(status=Annotation.Status.PROPOSED)
            )
        )
    ) | Q(Exists(_failing_checks().filter(annotation__article=OuterRef("pk"))))


def needing_attention(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Articles with a fuzzy or orphaned span, a verdict waiting, or a failed check."""
    return articles.filter(_needs_attention())


def article_list_counts(
    ids: list[int], aggregates: dict[str, Any]
) -> tuple[dict[int, dict[str, Any]], dict[int, int]]:
    """For one page of the articles list: the `aggregates` of each article's annotations,
    and the number of failing checks of each, in two queries."""
    counts = {
        row["pk"]: row
        for row in Article.objects.filter(pk__in=ids).values("pk").annotate(**aggregates)
    }
    failing = dict(
        _failing_checks()
        .filter(annotation__article_id__in=ids)
        .values_list("annotation__article_id")
        .annotate(n=Count("pk"))
    )
    return counts, failing


def reviewers_with_workload() -> QuerySet:
    """Reviewers with `open_items`: their pending assignments on live spans (one query)."""
    open_items = Q(assignments__state="pending") & ~Q(
        assignments__annotation__status=Annotation.Status.WITHDRAWN
    )
    return (
        get_user_model()
        .objects.filter(groups__name=ROLE_REVIEWER, is_active=True)
        .annotate(open_items=Count("assignments", filter=open_items, distinct=True))
        .order_by("username")
    )


def pending_suggestion_count(article: Article) -> int:
    """Pending suggestions of the article's current text (see article_suggestions)."""
    return Suggestion.objects.filter(
        article=article, status=Suggestion.Status.PENDING, revision=article.revision
    ).count()


# --- the review and approvals pages -----------------------------------------------------------


def verdict_history(annotation: Annotation) -> list[Verdict]:
    return list(annotation.verdicts.select_related("rating", "author", "decided_by").order_by("id"))


def assignment_history(annotation: Annotation) -> list[Assignment]:
    return list(annotation.assignments.select_related("reviewer", "assigned_by").order_by("id"))


def span_checks(annotation: Annotation, *, limit: int) -> list[SourceCheck]:
    """The newest checks of the span itself (its attribution and URLs), not of evidence."""
    return list(annotation_checks(annotation.pk).filter(evidence__isnull=True)[:limit])


def queue_next(user: Any, *, after: int) -> int | None:
    """The annotation that comes first in the user's queue, other than `after`."""
    return (
        queue_for(user).exclude(annotation_id=after).values_list("annotation_id", flat=True).first()
    )


def approvals_page() -> list[Verdict]:
    """Proposed verdicts with each annotation's live evidence (`live_evidence`, each with
    its checks newest first as `check_list`) and earlier rejections (`rejections`)."""
    verdicts = list(proposed_verdicts().defer("annotation__article__text"))
    prefetch_related_objects(
        [verdict.annotation for verdict in verdicts],
        Prefetch(
            "evidence",
            queryset=Evidence.objects.filter(removed_at__isnull=True)
            .prefetch_related(
                Prefetch(
                    "checks",
                    queryset=SourceCheck.objects.order_by("-requested_at", "-id"),
                    to_attr="check_list",
                )
            )
            .order_by("id"),
            to_attr="live_evidence",
        ),
        Prefetch(
            "verdicts",
            queryset=Verdict.objects.filter(status=Verdict.Status.REJECTED)
            .select_related("rating", "decided_by")
            .order_by("id"),
            to_attr="rejections",
        ),
    )
    return verdicts


def events_of(annotations: list[Annotation]) -> dict[int, list[Event]]:
    """Each annotation's history, oldest first, in one query."""
    events: dict[int, list[Event]] = {annotation.pk: [] for annotation in annotations}
    for event in (
        Event.objects.filter(annotation__in=annotations)
        .select_related("actor")
        .order_by("created_at", "id")
    ):
        events[event.annotation_id].append(event)
    return events


def ratings_by_order() -> QuerySet[Rating]:
    return Rating.objects.order_by("order", "slug")


# --- the publish gate -----------------------------------------------------------------------


@dataclass(frozen=True)
class PublishGate:
    """What stands between an article and publishing (`GET …/publish-gate/`).

    `blockers` stop publishing (claims without an approved verdict may be confirmed with
    `with_open_claims`); each of the `warnings` must be acknowledged by a chief, by `key`.
    `ready` is true when there is neither."""

    blockers: list[dict[str, Any]]
    warnings: list[dict[str, Any]]

    @property
    def ready(self) -> bool:
        return not self.blockers and not self.warnings

    @property
    def open_claims(self) -> int:
        return sum(1 for b in self.blockers if b["code"] == "claim_without_verdict")

    def as_dict(self) -> dict[str, Any]:
        return {"ready": self.ready, "blockers": self.blockers, "warnings": self.warnings}


# Source-span flags that a desk must see before it publishes.
GATE_SOURCE_FLAGS = ("vague", "anonymous")
_UNSETTLED_CHECK = (SourceCheck.Status.PENDING, SourceCheck.Status.RUNNING)


def publish_gate(article: Article) -> PublishGate:
    """The gate of one article in three queries: its live claims and source spans, the
    latest check of each evidence behind an approved verdict, and the latest attribution
    check of each source span."""
    blockers: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    if article.status not in (
        Article.Status.DRAFT,
        Article.Status.IN_REVIEW,
        Article.Status.PUBLISHED,
    ):
        blockers.append(
            {
                "code": "state",
                "message": _("the article is %(status)s and cannot be published")
                % {"status": Article.Status(article.status).label},
            }
        )
    spans = list(
        Annotation.objects.filter(article=article)
        .exclude(status=Annotation.Status.WITHDRAWN)
        .filter(Q(label__needs_verdict=True) | Q(label__slug="source"))
        .values("pk", "exact", "status", "label__needs_verdict", "label__slug")
        .order_by("start", "end", "pk")
    )
    approved = {s["pk"] for s in spans if s["status"] == Annotation.Status.APPROVED}
    for span in spans:
        if span["label__needs_verdict"] and span["status"] != Annotation.Status.APPROVED:
            blockers.append(
                {
                    "code": "claim_without_verdict",
                    "annotation": span["pk"],
                    "exact": span["exact"][:200],
                    "status": span["status"],
                    "message": _("the claim “%(exact)s” has no approved verdict")
                    % {"exact": _short(span["exact"])},
                }
            )
    exact_of = {s["pk"]: s["exact"] for s in spans}
    latest_per_evidence: dict[int, SourceCheck] = {}
    for check in (
        SourceCheck.objects.filter(
            annotation_id__in=approved, evidence__isnull=False, evidence__removed_at__isnull=True
        )
        .only("pk", "annotation_id", "evidence_id", "url", "status", "flags", "error")
        .order_by("evidence_id", "-id")
    ):
        latest_per_evidence.setdefault(check.evidence_id, check)
    for check in latest_per_evidence.values():
        codes = {flag.get("code") for flag in check.flags or []}
        if check.status in _UNSETTLED_CHECK:
            continue
        if check.status in (SourceCheck.Status.FAILED, SourceCheck.Status.BLOCKED):
            code = f"evidence_{check.status}"
            message = _("the evidence %(url)s behind an approved verdict could not be checked")
        elif codes & {"changed", "unreachable"}:
            code = "evidence_changed" if "changed" in codes else "evidence_unreachable"
            message = _("the evidence %(url)s behind an approved verdict changed or vanished")
        else:
            continue
        warnings.append(
            {
                "key": f"check:{check.pk}",
                "code": code,
                "annotation": check.annotation_id,
                "exact": exact_of.get(check.annotation_id, "")[:200],
                "url": check.url,
                "error": check.error,
                "message": message % {"url": check.url},
            }
        )
    sources = [s["pk"] for s in spans if s["label__slug"] == "source"]
    latest_per_span: dict[int, SourceCheck] = {}
    for check in (
        SourceCheck.objects.filter(annotation_id__in=sources, evidence__isnull=True, url="")
        .only("pk", "annotation_id", "status", "flags", "attribution")
        .order_by("annotation_id", "-id")
    ):
        latest_per_span.setdefault(check.annotation_id, check)
    for check in latest_per_span.values():
        for flag in check.flags or []:
            if flag.get("code") not in GATE_SOURCE_FLAGS:
                continue
            warnings.append(
                {
                    "key": f"flag:{check.pk}:{flag['code']}",
                    "code": f"source_{flag['code']}",
                    "annotation": check.annotation_id,
                    "exact": exact_of.get(check.annotation_id, "")[:200],
                    "explanation": flag.get("explanation", ""),
                    "message": (
                        _("the source “%(exact)s” is vague: it names no checkable source")
                        if flag["code"] == "vague"
                        else _("the source “%(exact)s” is anonymous")
                    )
                    % {"exact": _short(exact_of.get(check.annotation_id, ""))},
                }
            )
    return PublishGate(blockers=blockers, warnings=warnings)


def _short(value: str, limit: int = 80) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def users_with_role(role: str) -> QuerySet:
    """Active users in the group `role`, by username."""
    return get_user_model().objects.filter(groups__name=role, is_active=True).order_by("username")


def user_by_name_or_id(value: Any) -> Any:
    """The user whose id (a string of decimal digits) or username is `value`; None if none."""
    # isdecimal, not isdigit: "²" is a digit that int() refuses (a 500, found by schemathesis).
    lookup = {"pk": int(value)} if str(value).isdecimal() else {"username": str(value)}
    return get_user_model().objects.filter(**lookup).first()
