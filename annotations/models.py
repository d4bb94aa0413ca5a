"""Tables of the fact-check desk. Workflow lives in services/, never here.

Offsets (`start`, `end`) are half-open code-point indices into `Article.text`, which is
stored NFC-normalised with `\\n` line ends (see text.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Now
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ROLE_EDITOR = "editor"
ROLE_REVIEWER = "reviewer"
ROLE_CHIEF = "chief"
NEWSROOM_ROLES = (ROLE_EDITOR, ROLE_REVIEWER, ROLE_CHIEF)


def in_active_language(english: str, german: str) -> str:
    """A vocabulary's text in the active language: `german` for a German reader where it is
    set, else `english`."""
    if (get_language() or "en").startswith("de") and german:
        return german
    return english


class LocalisedNameMixin:
    """`name` is English, `name_de` German; `display_name` follows the active language."""

    @property
    def display_name(self) -> str:
        return in_active_language(self.name, self.name_de)


class Article(models.Model):
    class Status(models.TextChoices):
        IMPORTING = "importing", _("Importing")
        IMPORT_FAILED = "import_failed", _("Import failed")
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        # A published fact-check taken back by a chief: its report says so and stays.
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(max_length=500)
    text = models.TextField(blank=True)
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47 tag")
    source_url = models.URLField(max_length=2000, blank=True)
    outlet = models.CharField(max_length=200, blank=True)
    byline = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # `revision` numbers the text (anchoring); `version` moves on every write of any field
    # and is the API's ETag.
    revision = models.PositiveIntegerField(default=1)
    version = models.PositiveIntegerField(default=1, db_default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The status an archived or withdrawn article had, which a chief's restore returns to.
    status_before = models.CharField(max_length=20, choices=Status.choices, blank=True)
    # When the desk first published its fact-check, and when a chief withdrew it.
    first_published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    import_error = models.TextField(blank=True)  # English; shown only without a code
    # Why the import failed, as a code of machine_text.MESSAGES and its parameters.
    import_error_code = models.CharField(max_length=50, blank=True)
    import_error_params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles_created",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="article_status_created"),
            models.Index(fields=["language"], name="article_language"),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleRevision(models.Model):
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


class Label(LocalisedNameMixin, models.Model):
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    name_de = models.CharField(max_length=80, blank=True)
    colour = models.CharField(max_length=7, default="#ffd54f", help_text="#rrggbb")
    shortcut = models.CharField(max_length=1, blank=True)
    # Shown in badges where space is short (queue, review, highlights); each must differ
    # from every other label's in the same language (Speculation "Sp", Source "So").
    abbreviation = models.CharField(max_length=3, blank=True)
    abbreviation_de = models.CharField(max_length=3, blank=True)
    needs_verdict = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def badge(self) -> str:
        """The abbreviation in the active language; the name's first letter where none is
        set."""
        abbreviation = in_active_language(self.abbreviation, self.abbreviation_de)
        return abbreviation or self.display_name[:1].upper()


class Rating(LocalisedNameMixin, models.Model):
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    name_de = models.CharField(max_length=80, blank=True)
    description = models.CharField(max_length=300, blank=True)
    description_de = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    claimreview_value = models.PositiveSmallIntegerField(null=True, blank=True)
    colour = models.CharField(max_length=7, default="#9e9e9e")

    class Meta:
        ordering = ["order", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(claimreview_value__isnull=True)
                | Q(claimreview_value__gte=1, claimreview_value__lte=5),
                name="rating_claimreview_value_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_description(self) -> str:
        return in_active_language(self.description, self.description_de)


class Claimant(models.Model):
    """Who made a claim: a person or an organisation, reused across articles. `aliases`
    are the other names the desk knows it by (a list of strings); a search matches the
    name and every alias. Names are unique per kind, whatever their case."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    aliases = models.JSONField(default=list, blank=True)
    url = models.CharField(max_length=2000, blank=True)
    description = models.TextField(blank=True)
    # The name and the aliases, lower-cased, one a line: what a search looks in. Written by
    # services.claimants with the names, never edited on its own.
    search_text = models.TextField(blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimants_created",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "kind", name="claimant_name_unique_per_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class Annotation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ASSIGNED = "assigned", _("Assigned")
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class AnchorState(models.TextChoices):
        ANCHORED = "anchored", _("Anchored")
        FUZZY = "fuzzy", _("Fuzzy")
        ORPHANED = "orphaned", _("Orphaned")

    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("High")
        URGENT = 4, _("Urgent")

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="annotations")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="annotations")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    # Who made the claim (a claim span's), when the desk knows.
    claimant = models.ForeignKey(
        Claimant, on_delete=models.SET_NULL, null=True, blank=True, related_name="claims"
    )
    anchor_state = models.CharField(
        max_length=20, choices=AnchorState.choices, default=AnchorState.ANCHORED
    )
    checkworthiness = models.FloatField(null=True, blank=True)
    # Blind double review: a chief asked two reviewers for a verdict each; neither sees the
    # other's until both have proposed (services.double_review).
    double_review = models.BooleanField(default=False, db_default=False)
    # When the span first became assigned, proposed and approved (services.base.FIRST_REACHED):
    # the dashboard's timings read these rather than every assignment and verdict.
    first_assigned_at = models.DateTimeField(null=True, blank=True)
    first_proposed_at = models.DateTimeField(null=True, blank=True)
    first_approved_at = models.DateTimeField(null=True, blank=True)
    # Web Annotation Protocol: the IRIs a client sent (canonical, and its own id as via);
    # kept unchanged, never edited.
    canonical = models.CharField(max_length=2000, blank=True, default="")
    via = models.CharField(max_length=2000, blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations_created"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="annotation_start_gte_0"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="annotation_start_lt_end"),
            # The same span with the same label once; a withdrawn one may be tagged again.
            models.UniqueConstraint(
                fields=["article", "label", "start", "end"],
                condition=~Q(status="withdrawn"),
                name="annotation_one_live_per_span_label",
            ),
        ]
        indexes = [
            models.Index(fields=["article", "start", "end"], name="annotation_article_pos"),
            models.Index(fields=["status", "label"], name="annotation_status_label"),
            models.Index(fields=["updated_at"], name="annotation_updated"),
            # The dashboard's timings (selectors.insights): the claims that reached a step
            # in a week, with the columns they need, for an index-only range scan.
            *(
                models.Index(
                    fields=[column, "created_at", "label"],
                    condition=Q(**{f"{column}__isnull": False}),
                    name=f"annotation_{column}",
                )
                for column in ("first_assigned_at", "first_proposed_at", "first_approved_at")
            ),
            # The dashboard's approved verdicts by claimant: joined by id, read from the index.
            models.Index(fields=["id", "claimant"], name="annotation_id_claimant"),
        ]

    def __str__(self) -> str:
        return f"{self.label_id}: {self.exact[:60]}"


class Assignment(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined")

    annotation = models.ForeignKey(Annotation, on_delete=models.PROTECT, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments_made"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    decline_reason = models.TextField(blank=True)
    # Copies of the annotation's sort keys, kept in step by the services, so that the queue
    # sorts a reviewer's pending rows from one index without joining their annotations.
    priority = models.PositiveSmallIntegerField(
        choices=Annotation.Priority.choices,
        default=Annotation.Priority.NORMAL,
        db_default=Annotation.Priority.NORMAL,
    )
    checkworthiness = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["annotation", "reviewer"],
                condition=Q(state="pending"),
                name="assignment_one_pending_per_reviewer",
            )
        ]
        indexes = [
            # The queue (selectors.queue_for): a reviewer's pending rows with every column
            # the page query reads, so PostgreSQL answers it with an index-only scan and a
            # small top-N sort. Pending assignments of withdrawn annotations do not exist
            # (services close them), so no join to annotations is needed either.
            # (Key columns rather than INCLUDE, which SQLite does not support.)
            models.Index(
                fields=[
                    "reviewer",
                    "-priority",
                    "due_at",
                    "checkworthiness",
                    "created_at",
                    "id",
                    "annotation",
                    "assigned_by",
                ],
                condition=Q(state="pending"),
                name="assignment_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.annotation_id} → {self.reviewer_id} ({self.state})"


class Verdict(models.Model):
    """Append-only: a new proposal is a new row; a decision fills in decided_*.

    A verdict is pinned to the text it judged: `quote` and `article_revision` when it was
    proposed, `approved_quote` and `approved_revision` when a chief approved it. A text
    change under it sets it aside (`set_aside`); a later verdict on the same span
    `supersedes` it, which the report shows as a correction.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SET_ASIDE = "set_aside", _("Set aside")

    annotation = models.ForeignKey(Annotation, on_delete=models.PROTECT, related_name="verdicts")
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="verdicts")
    rationale = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verdicts_authored"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verdicts_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    quote = models.TextField(blank=True)
    article_revision = models.PositiveIntegerField(null=True, blank=True)
    approved_quote = models.TextField(blank=True)
    approved_revision = models.PositiveIntegerField(null=True, blank=True)
    set_aside_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    # Proposed in a blind double review; sealed (shown to its author alone) until the other
    # reviewer has proposed too.
    is_blind = models.BooleanField(default=False, db_default=False)
    is_sealed = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Four eyes, enforced by the database as well as by policy.py.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("author")),
                name="verdict_four_eyes",
            ),
            models.UniqueConstraint(
                fields=["annotation"],
                condition=Q(status="proposed", is_blind=False),
                name="verdict_one_proposed_per_annotation",
            ),
            # A double review's two proposals: one per reviewer.
            models.UniqueConstraint(
                fields=["annotation", "author"],
                condition=Q(status="proposed", is_blind=True),
                name="verdict_one_blind_proposal_per_reviewer",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="verdict_status"),
            # The dashboard's agreement reads the double reviews' verdicts alone.
            models.Index(
                fields=["annotation", "id"], condition=Q(is_blind=True), name="verdict_blind"
            ),
            # The dashboard's figures, read from indexes alone: the approved verdicts by
            # decision time (those of this week are counted live), the revealed blind
            # verdicts in the order the agreement pairs them, and the blind verdicts by
            # time (the double reviews of this week are paired live).
            models.Index(
                fields=["decided_at", "annotation", "rating"],
                condition=Q(status="approved"),
                name="verdict_approved_decided",
            ),
            models.Index(
                fields=["annotation", "id", "author", "rating", "created_at"],
                condition=Q(is_blind=True, is_sealed=False),
                name="verdict_blind_revealed",
            ),
            models.Index(
                fields=["created_at", "annotation"],
                condition=Q(is_blind=True),
                name="verdict_blind_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.annotation_id}: {self.rating_id} ({self.status})"


class Evidence(models.Model):
    annotation = models.ForeignKey(Annotation, on_delete=models.PROTECT, related_name="evidence")
    verdict = models.ForeignKey(
        Verdict, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    url = models.URLField(max_length=2000)
    title = models.CharField(max_length=500, blank=True)
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence_added"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Removing evidence hides it; the row and its checks stay for the audit trail.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence_removed",
    )
    # Added by a reviewer of a blind double review while its round is sealed: shown to
    # its author alone (policy.can_see_evidence) until both reviewers have proposed.
    is_sealed = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            # A double click adds one evidence: the second answers with the first.
            models.UniqueConstraint(
                fields=["annotation", "url"],
                condition=Q(removed_at__isnull=True, is_sealed=False),
                name="evidence_one_live_url_per_annotation",
            ),
            # Both blind reviewers may cite the same URL unseen; the reveal keeps the
            # earlier (services.double_review.blind_proposal_record).
            models.UniqueConstraint(
                fields=["annotation", "url", "added_by"],
                condition=Q(removed_at__isnull=True, is_sealed=True),
                name="evidence_one_sealed_url_per_author",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class Capture(models.Model):
    """One archived fetch of a source: its WARC file in the `archive` storage, and the main
    text extracted from it. Content is stored once, by payload hash: a later fetch of the
    same URL that got the same bytes points at the capture that holds them; one of another
    URL is a capture whose file holds a revisit record of the first capture of those bytes
    (its name has `-revisit`; services/archive.py, warc.py)."""

    url = models.CharField(max_length=2000)  # where the page was found, after redirects
    requested_url = models.CharField(max_length=2000)
    # The unique key with payload_sha256: `url` is too long for a unique btree index.
    url_sha256 = models.CharField(max_length=64)
    http_status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=500, blank=True)
    payload_sha256 = models.CharField(max_length=64)  # of the response body as stored
    text = models.TextField(blank=True)  # NFC; the WARC's conversion record holds the same
    text_sha256 = models.CharField(max_length=64)
    warc_name = models.CharField(max_length=500)  # the file's name in the archive storage
    warc_sha256 = models.CharField(max_length=64)
    warc_size = models.PositiveIntegerField()  # bytes, as stored (gzipped)
    is_truncated = models.BooleanField(default=False)  # the body was cut at FETCH_MAX_BYTES
    captured_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-captured_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["url_sha256", "payload_sha256"], name="capture_content_once"
            )
        ]

    def __str__(self) -> str:
        return f"capture {self.pk} {self.url} ({self.captured_at:%Y-%m-%d})"


class CaptureDiff(models.Model):
    """What changed from one archived copy of a source to a later one (textdiff.Diff, as
    `as_json`), computed once by the worker when a re-check archives a changed copy; the
    review page reads it instead of diffing on every load."""

    old = models.ForeignKey(Capture, on_delete=models.CASCADE, related_name="+")
    new = models.ForeignKey(Capture, on_delete=models.CASCADE, related_name="+")
    diff = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["old", "new"], name="capture_diff_once")]

    def __str__(self) -> str:
        return f"diff {self.old_id} → {self.new_id}"


class SourceCheck(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        BLOCKED = "blocked", _("Blocked")

    annotation = models.ForeignKey(
        Annotation, on_delete=models.PROTECT, related_name="source_checks"
    )
    evidence = models.ForeignKey(
        Evidence, on_delete=models.PROTECT, null=True, blank=True, related_name="checks"
    )
    url = models.CharField(max_length=2000, blank=True)
    attribution = models.TextField(blank=True)
    article_revision = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.CharField(max_length=2000, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    quote_found = models.BooleanField(null=True, blank=True)
    quote_score = models.FloatField(null=True, blank=True)
    excerpt = models.TextField(blank=True)
    # The archived copy this check fetched, and where the quote's passage is in its text
    # (code points, half-open); none for a failed fetch or an attribution.
    capture = models.ForeignKey(
        Capture, on_delete=models.PROTECT, null=True, blank=True, related_name="checks"
    )
    passage_start = models.PositiveIntegerField(null=True, blank=True)
    passage_end = models.PositiveIntegerField(null=True, blank=True)
    # Each {code, cue, message, params}: `message` a code of machine_text.MESSAGES.
    flags = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)  # English; shown only without a code
    # The error as a code of machine_text.MESSAGES and its parameters, worded when read.
    error_code = models.CharField(max_length=50, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["annotation", "-requested_at"], name="check_annotation"),
            models.Index(
                fields=["requested_at"],
                condition=Q(status__in=["pending", "running"]),
                name="check_unfinished",
            ),
            # The dashboard's source checks by outcome, counted from the index.
            models.Index(fields=["status", "quote_found"], name="check_outcome"),
        ]

    def __str__(self) -> str:
        return f"check {self.pk} {self.url or self.attribution[:40]} ({self.status})"


class Suggestion(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="suggestions")
    revision = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField(blank=True)
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="suggestions")
    cue = models.CharField(max_length=200, blank=True)  # the matched words
    # A claim's speaker as the attribution in its sentence names them ("Olaf Scholz"), for
    # the claimant the suggestion proposes (claimant_match); empty when none is named.
    speaker = models.CharField(max_length=200, blank=True, default="")
    # The cues that fired it, [{code, params: {words}}], worded by machine_text.
    reasons = models.JSONField(default=list, blank=True)
    score = models.FloatField(default=0)
    flags = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    annotation = models.ForeignKey(
        Annotation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["article", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="suggestion_start_gte_0"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="suggestion_start_lt_end"),
        ]
        indexes = [
            models.Index(fields=["article", "status", "start"], name="suggestion_article"),
        ]

    def __str__(self) -> str:
        return f"{self.label_id} {self.start}-{self.end} ({self.status})"


class SuggestionModel(models.Model):
    """One trained version of the model that learns from the desk (annotations.learning),
    per language: what it was trained on, how it scored on its held-out part, and its
    bytes. At most one version per language is active; `previous` is the version that was
    active when this one was trained, which a rollback activates again."""

    language = models.CharField(max_length=10, help_text="two-letter code")
    version = models.PositiveIntegerField()
    trained_at = models.DateTimeField(default=timezone.now)
    training_size = models.PositiveIntegerField(default=0)
    # learning.score(): per label and "micro", {precision, recall, f1, tp, fp, fn}; "n".
    scores = models.JSONField(default=dict, blank=True)
    blob = models.BinaryField()
    is_active = models.BooleanField(default=False)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "version"], name="suggestion_model_version_unique"
            ),
            models.UniqueConstraint(
                fields=["language"],
                condition=Q(is_active=True),
                name="suggestion_model_one_active_per_language",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.language} v{self.version}{' (active)' if self.is_active else ''}"


class PageNote(models.Model):
    """A Web Annotation on the article as a whole (no span, no label), received through
    the Web Annotation Protocol. Its bodies and target are kept as the client sent them."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="page_notes")
    body = models.JSONField(default=list, blank=True)
    target = models.JSONField(default=dict, blank=True)
    canonical = models.CharField(max_length=2000, blank=True, default="")
    via = models.CharField(max_length=2000, blank=True, default="")
    is_withdrawn = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="page_notes_created"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article", "id"]
        indexes = [models.Index(fields=["article", "id"], name="page_note_article")]

    def __str__(self) -> str:
        return f"note {self.pk} on article {self.article_id}"


class Comment(models.Model):
    annotation = models.ForeignKey(Annotation, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class Event(models.Model):
    """Append-only audit trail: one row per state change, written by the services."""

    class Verb(models.TextChoices):
        """What happened. The values are stored and sent in the API's history, so they never
        change; history.py has a sentence for each."""

        ARTICLE_CREATED = "article.created", _("Article created")
        ARTICLE_IMPORT_REQUESTED = "article.import_requested", _("Import requested")
        ARTICLE_IMPORTED = "article.imported", _("Article imported")
        ARTICLE_IMPORT_FAILED = "article.import_failed", _("Import failed")
        ARTICLE_UPDATED = "article.updated", _("Article edited")
        ARTICLE_ANALYSED = "article.analysed", _("Article analysed")
        ARTICLE_WARNING_ACKNOWLEDGED = "article.warning_acknowledged", _("Warning acknowledged")
        ARTICLE_PUBLISHED = "article.published", _("Article published")
        ARTICLE_CORRECTED = "article.corrected", _("Published verdict corrected")
        ARTICLE_WITHDRAWN = "article.withdrawn", _("Article withdrawn")
        ARTICLE_ARCHIVED = "article.archived", _("Article archived")
        ARTICLE_RESTORED = "article.restored", _("Article restored")
        ANNOTATION_CREATED = "annotation.created", _("Span marked")
        ANNOTATION_UPDATED = "annotation.updated", _("Span edited")
        ANNOTATION_WITHDRAWN = "annotation.withdrawn", _("Span withdrawn")
        ANNOTATION_FUZZY = "annotation.fuzzy", _("Span moved by a text change")
        ANNOTATION_ORPHANED = "annotation.orphaned", _("Span orphaned by a text change")
        ANNOTATION_ASSIGNED = "annotation.assigned", _("Span assigned")
        ASSIGNMENT_DECLINED = "assignment.declined", _("Assignment declined")
        VERDICT_PROPOSED = "verdict.proposed", _("Verdict proposed")
        VERDICT_APPROVED = "verdict.approved", _("Verdict approved")
        VERDICT_REJECTED = "verdict.rejected", _("Verdict rejected")
        VERDICT_SET_ASIDE = "verdict.set_aside", _("Verdict set aside")
        DOUBLE_REVIEW_REQUESTED = "double_review.requested", _("Blind double review requested")
        VERDICT_PROPOSED_BLIND = "verdict.proposed_blind", _("Blind verdict proposed")
        DOUBLE_REVIEW_REVEALED = "double_review.revealed", _("Blind verdicts revealed")
        DOUBLE_REVIEW_DECIDED = "double_review.decided", _("Double review decided")
        EVIDENCE_ADDED = "evidence.added", _("Evidence added")
        EVIDENCE_REUSED = "evidence.reused", _("Evidence reused")
        EVIDENCE_REMOVED = "evidence.removed", _("Evidence removed")
        EVIDENCE_HEALTH = "evidence.health", _("Evidence flagged")
        EVIDENCE_RECHECK_REQUESTED = "evidence.recheck_requested", _("Evidence recheck")
        COMMENT_ADDED = "comment.added", _("Comment added")
        SOURCE_CHECK_REQUESTED = "source_check.requested", _("Source check requested")
        SOURCE_CHECK_FINISHED = "source_check.finished", _("Source check finished")
        SUGGESTION_ACCEPTED = "suggestion.accepted", _("Suggestion accepted")
        SUGGESTION_DISMISSED = "suggestion.dismissed", _("Suggestion dismissed")
        CLAIMANT_CREATED = "claimant.created", _("Claimant created")
        CLAIMANT_UPDATED = "claimant.updated", _("Claimant edited")
        CLAIMANT_MERGED = "claimant.merged", _("Claimants merged")
        SUGGESTION_MODEL_TRAINED = "suggestion_model.trained", _("Suggestion model trained")
        SUGGESTION_MODEL_ROLLED_BACK = (
            "suggestion_model.rolled_back",
            _("Suggestion model rolled back"),
        )
        PAGE_NOTE_CREATED = "page_note.created", _("Note on the article added")
        PAGE_NOTE_UPDATED = "page_note.updated", _("Note on the article edited")
        PAGE_NOTE_WITHDRAWN = "page_note.withdrawn", _("Note on the article withdrawn")
        WEBHOOK_CREATED = "webhook.created", _("Webhook subscription created")
        WEBHOOK_UPDATED = "webhook.updated", _("Webhook subscription changed")
        WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated", _("Webhook secret rotated")
        WEBHOOK_DELETED = "webhook.deleted", _("Webhook subscription deleted")
        WEBHOOK_DISABLED = "webhook.disabled", _("Webhook subscription disabled")
        WEBHOOK_REDELIVERED = "webhook.redelivered", _("Webhook deliveries sent again")
        JOBS_SWEPT = "jobs.swept", _("Background jobs swept")
        WORKER_PING = "worker.ping", _("Worker ping")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    verb = models.CharField(max_length=60, choices=Verb.choices)
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    annotation = models.ForeignKey(
        Annotation, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["annotation", "created_at"], name="event_annotation"),
            models.Index(fields=["article", "created_at"], name="event_article"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"


class Job(models.Model):
    """The outbox: one row per background job, written in the same transaction as the
    write that asks for it, sent to the broker after commit, and sent again by the sweep
    until a worker marks it done. Tasks are idempotent, so a second delivery is harmless."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    task = models.CharField(max_length=100, help_text="Celery task name")
    args = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)  # English detail, for the admin and the logs
    # What readers see, worded in their language (machine_text.job_error).
    error_code = models.CharField(max_length=50, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The last time it was handed to the broker (after commit, or by the sweep).
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(state__in=["pending", "running"]),
                name="job_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} {self.task}{tuple(self.args)} ({self.state})"


class IdempotencyKey(models.Model):
    """An API POST sent with `Idempotency-Key`: its answer, replayed to a retry with the
    same key for 24 hours instead of writing again. `status_code` is null while the first
    request is still running."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(blank=True, default=b"")
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} ({self.status_code})"


class UserPreference(models.Model):
    """A user's choices that outlive their session: the language of the emails sent to them
    (the header's language switch and each login set it). A user without a row reads in
    settings.LANGUAGE_CODE; the row is created the first time a choice is saved."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    # A code of settings.LANGUAGES; no `choices`, so adding a language needs no migration.
    language = models.CharField(max_length=10)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"


class CurrentTransactionId(models.Func):
    """A column default: the writing transaction's id on PostgreSQL (`pg_current_xact_id()`,
    64 bits, never wraps around), null elsewhere."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler: object, connection: object, **extra: object) -> tuple[str, list]:
        return "NULL", []

    def as_postgresql(
        self, compiler: object, connection: object, **extra: object
    ) -> tuple[str, list]:
        return "(pg_current_xact_id()::text::bigint)", []


class Change(models.Model):
    """The sync cursor's log: one row per write of an article, annotation, verdict,
    evidence, source check or event, inserted by database triggers (migration 0012) in
    the writing transaction itself, so no path (a service, `queryset.update()`, a bulk
    write, the admin) can change a row without it. Read by annotations.changes.

    `txid` is the writing transaction's id on PostgreSQL (`pg_current_xact_id()`, the
    column's default); the reader returns only rows below the oldest transaction still in
    flight, ordered by (txid, id), so a transaction that commits late is never passed
    over. SQLite runs one writer at a time: `txid` stays null there and `id` orders."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        ANNOTATION = "annotation", _("Annotation")
        VERDICT = "verdict", _("Verdict")
        EVIDENCE = "evidence", _("Evidence")
        SOURCE_CHECK = "source_check", _("Source check")
        EVENT = "event", _("Event")

    class Op(models.TextChoices):
        UPSERT = "upsert", _("Created or changed")
        # Deleted, withdrawn (an annotation, a published article), archived (an
        # article) or removed (evidence): a sync drops its copy.
        TOMBSTONE = "tombstone", _("Deleted or withdrawn")

    txid = models.BigIntegerField(null=True, editable=False, db_default=CurrentTransactionId())
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.BigIntegerField()
    # The object's version after the write (articles and annotations; null for the rest).
    version = models.PositiveIntegerField(null=True, blank=True)
    op = models.CharField(max_length=10, choices=Op.choices, default=Op.UPSERT)
    # The annotation the object belongs to (itself for an annotation), for the cursor of
    # one annotation's evidence, checks, verdicts and history. No foreign key: the log
    # outlives nothing and locks nothing.
    annotation_pk = models.BigIntegerField(null=True, blank=True)
    changed_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["txid", "id"]
        indexes = [
            models.Index(fields=["txid", "id"], name="change_cursor"),
            models.Index(fields=["kind", "txid", "id"], name="change_kind_cursor"),
            models.Index(fields=["annotation_pk", "txid", "id"], name="change_annotation_cursor"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.op} ({self.txid}, {self.id})"


class TimingWeek(models.Model):
    """The dashboard's timings of one past week (selectors.insights): the hours from tagging
    to a step (0 assignment, 1 proposal, 2 approval: selectors.insights.STEPS) over the
    claims that reached it in [week_start, week_end), as PostgreSQL's percentile_cont gave
    them (median and p90 null where no claim did). Stored by the first dashboard that reads
    the week after it has ended; a database trigger (annotations.insights_triggers) deletes
    a week's rows in the transaction that changes a claim's step time, tagging time or label
    in it, or a label's needs_verdict, so the next dashboard computes them again and no
    figure is stale. PostgreSQL only: elsewhere the dashboard computes every week."""

    step = models.PositiveSmallIntegerField()
    week_start = models.DateTimeField()
    week_end = models.DateTimeField()
    items = models.PositiveIntegerField()
    median = models.FloatField(null=True, blank=True)
    p90 = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["step", "week_start", "week_end"], name="timing_week_unique"
            )
        ]

    def __str__(self) -> str:
        return f"step {self.step} {self.week_start:%Y-%m-%d}: {self.items}"


class InsightSnapshot(models.Model):
    """One of the dashboard's counts over everything before `upto` (selectors.insights),
    the rest counted live: `verdicts`, the approved verdicts decided before `upto` by
    claimant and rating; `pairs`, the double reviews of claims with a blind verdict from
    before `upto`, counted as the agreement needs them. `data` holds ids (claimant,
    rating, reviewer), never names or places on the scale, which are read live. Stored by
    the first dashboard of a week; a database trigger (annotations.insights_triggers)
    deletes it in the transaction of any write that would change it (a verdict decided
    before `upto`, a blind verdict of such a claim, its claimant), so no figure is stale.
    PostgreSQL only."""

    class Kind(models.TextChoices):
        VERDICTS = "verdicts", "verdicts"
        PAIRS = "pairs", "pairs"

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    upto = models.DateTimeField()
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} before {self.upto:%Y-%m-%d}"


class WebhookSubscription(models.Model):
    """A receiver of outbound webhooks in the Standard Webhooks format: its URL, the event
    types it wants, its signing secret, and whether it is active. Chiefs manage them."""

    class EventType(models.TextChoices):
        """What a receiver can subscribe to. The values are sent as the payload's `type`
        and never change."""

        ARTICLE_IMPORTED = "article.imported", _("Article imported")
        ARTICLE_PUBLISHED = "article.published", _("Article published")
        ARTICLE_WITHDRAWN = "article.withdrawn", _("Article withdrawn")
        ARTICLE_CORRECTED = "article.corrected", _("Article corrected")
        ANNOTATION_CREATED = "annotation.created", _("Annotation created")
        ANNOTATION_UPDATED = "annotation.updated", _("Annotation updated")
        ANNOTATION_WITHDRAWN = "annotation.withdrawn", _("Annotation withdrawn")
        VERDICT_PROPOSED = "verdict.proposed", _("Verdict proposed")
        VERDICT_APPROVED = "verdict.approved", _("Verdict approved")
        VERDICT_REJECTED = "verdict.rejected", _("Verdict rejected")
        VERDICT_REOPENED = "verdict.reopened", _("Verdict reopened")
        SOURCE_CHECK_FINISHED = "source_check.finished", _("Source check finished")

    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list)
    # "whsec_" + base64 of 32 random bytes (the spec's form). Kept readable: it signs.
    secret = models.CharField(max_length=100)
    # After a rotation the old secret signs too, until `previous_secret_until`, so that a
    # receiver can switch without losing a message (the spec allows several signatures).
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    # The first failed attempt since the last success: 24 h of failures disable it.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"webhook {self.pk} → {self.url}"


class WebhookDelivery(models.Model):
    """One event for one subscription: a job of the outbox, written in the same transaction
    as the event, sent by the worker, retried with backoff until delivered or given up.

    `message_id` is the `webhook-id` header, the same on every attempt and redelivery, so a
    receiver folds duplicates by it. Deliveries of one subscription are sent strictly in
    (`txid`, `id`) order, the order of the sync cursor: on PostgreSQL `txid` is the writing
    transaction's id, and a delivery is sent only once no older transaction is still in
    flight (one of those could still add an earlier delivery)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    event_type = models.CharField(max_length=60)
    message_id = models.CharField(max_length=64, unique=True)
    # The exact request body: every attempt signs and sends the same bytes.
    payload = models.TextField()
    txid = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # The first bytes of the receiver's answer (decoded leniently), for the delivery log.
    last_response = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["txid", "id"]
        indexes = [
            models.Index(
                fields=["subscription", "txid", "id"],
                condition=Q(state__in=["pending", "sending"]),
                name="webhook_delivery_unfinished",
            ),
            models.Index(fields=["subscription", "created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.event_type} ({self.state})"
