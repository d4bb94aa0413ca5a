"""The Django admin: vocabularies editable, every workflow table read-only (services write)."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import machine_text, selectors, services
from .models import (
    Annotation,
    Article,
    ArticleRevision,
    Assignment,
    Capture,
    Claimant,
    Comment,
    Event,
    Evidence,
    Job,
    Label,
    Rating,
    SourceCheck,
    Suggestion,
    SuggestionModel,
    Verdict,
    WebhookDelivery,
    WebhookSubscription,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit and append-only tables: visible, never edited or deleted in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ("order", "slug", "name", "name_de", "colour", "shortcut", "needs_verdict")
    list_display_links = ("slug",)
    ordering = ("order",)


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("order", "slug", "name", "name_de", "claimreview_value", "colour")
    list_display_links = ("slug",)
    ordering = ("order",)


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    fields = ("number", "created_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    # Read-only: every change of an article goes through the services, which keep the
    # state rules (policy.ARTICLE_STATES), the version, the publish gate and the history.
    list_display = ("title", "outlet", "language", "status", "revision", "created_by", "created_at")
    list_filter = ("status", "language", "outlet")
    search_fields = ("title", "outlet", "byline", "source_url")
    date_hierarchy = "created_at"
    inlines = [RevisionInline]
    list_select_related = ("created_by",)


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(ReadOnlyAdmin):
    list_display = ("article", "number", "created_by", "created_at")
    search_fields = ("article__title",)
    list_select_related = ("article", "created_by")


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "article",
        "label",
        "status",
        "anchor_state",
        "priority",
        "exact_short",
        "updated_at",
    )
    list_filter = ("label", "status", "anchor_state", "priority")
    search_fields = ("exact", "note", "article__title")
    list_select_related = ("article", "label")
    raw_id_fields = ("article",)

    @admin.display(description="quote")
    def exact_short(self, obj):
        return obj.exact[:80]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("annotation", "reviewer", "assigned_by", "state", "due_at", "created_at")
    list_filter = ("state", "reviewer")
    search_fields = ("reviewer__username", "annotation__exact")
    list_select_related = ("annotation", "reviewer", "assigned_by")


@admin.register(Verdict)
class VerdictAdmin(ReadOnlyAdmin):
    list_display = ("annotation", "rating", "status", "author", "decided_by", "created_at")
    list_filter = ("status", "rating")
    search_fields = ("rationale", "annotation__exact")
    list_select_related = ("annotation", "rating", "author", "decided_by")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("url", "title", "annotation", "added_by", "created_at", "removed_at")
    list_filter = ("removed_at",)
    search_fields = ("url", "title", "note")
    list_select_related = ("annotation", "added_by")


@admin.register(SourceCheck)
class SourceCheckAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "url",
        "status",
        "http_status",
        "quote_found",
        "quote_score",
        "requested_at",
        "finished_at",
    )
    list_filter = ("status", "quote_found")
    search_fields = ("url", "final_url", "title", "attribution")


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ("article", "label", "start", "end", "cue", "score", "status")
    list_filter = ("label", "status")
    search_fields = ("exact", "cue")
    list_select_related = ("article", "label")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("annotation", "author", "created_at")
    search_fields = ("body",)
    list_select_related = ("annotation", "author")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "verb", "actor", "article", "annotation")
    list_filter = ("verb",)
    search_fields = ("verb", "actor__username")
    date_hierarchy = "created_at"
    list_select_related = ("actor", "article", "annotation")


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """The outbox: where a job that failed after its last attempt shows its error."""

    list_display = ("created_at", "task", "args", "state", "attempts", "sent_at", "finished_at")
    list_filter = ("state", "task")
    search_fields = ("task", "error", "error_code")
    date_hierarchy = "created_at"
    # `error` is the English detail; this is what the desk reads about it.
    readonly_fields = ("error_shown",)

    @admin.display(description=gettext_lazy("Error as the desk reads it"))
    def error_shown(self, job: Job) -> str:
        return machine_text.job_error(job)


@admin.register(SuggestionModel)
class SuggestionModelAdmin(ReadOnlyAdmin):
    """The versions of the model that learns from the desk, newest first per language, with
    their held-out scores (the changelist reads as the scores over time), and the action
    that makes the previous version active again."""

    list_display = (
        "language",
        "version",
        "trained_at",
        "training_size",
        "micro_f1",
        "micro_precision",
        "micro_recall",
        "f1_by_label",
        "thresholds",
        "is_active",
        "previous",
    )
    list_filter = ("language", "is_active")
    exclude = ("blob",)
    actions = ["roll_back"]

    def get_queryset(self, request):
        return selectors.suggestion_models().select_related("previous")

    def _micro(self, obj, name: str):
        return (obj.scores.get("micro") or {}).get(name, "–")

    @admin.display(description=gettext_lazy("F1 (held out)"))
    def micro_f1(self, obj):
        return self._micro(obj, "f1")

    @admin.display(description=gettext_lazy("precision"))
    def micro_precision(self, obj):
        return self._micro(obj, "precision")

    @admin.display(description=gettext_lazy("recall"))
    def micro_recall(self, obj):
        return self._micro(obj, "recall")

    @admin.display(description=gettext_lazy("F1 by label"))
    def f1_by_label(self, obj):
        return ", ".join(
            f"{label} {scores['f1']}"
            for label, scores in obj.scores.items()
            if isinstance(scores, dict) and label != "micro" and "f1" in scores
        )

    @admin.display(description=gettext_lazy("thresholds"))
    def thresholds(self, obj):
        # A German model may also veto a rule's label below a probability (learning.VETO_BELOW).
        vetoes = obj.scores.get("vetoes") or {}
        return ", ".join(
            f"{label} {value}" + (f" (veto < {vetoes[label]})" if label in vetoes else "")
            for label, value in (obj.scores.get("thresholds") or {}).items()
        )

    @admin.action(description=gettext_lazy("Roll back to the previous version"))
    def roll_back(self, request, queryset):
        for language in sorted({row.language for row in queryset}):
            try:
                now = services.suggestion_model_rollback(actor=request.user, language=language)
            except services.ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("The suggestion model (%(language)s) is back at version %(version)s.")
                    % {"language": language, "version": now.version},
                    messages.SUCCESS,
                )


@admin.register(Claimant)
class ClaimantAdmin(ReadOnlyAdmin):
    """Read-only: services.claimants keeps the names unique per kind, the aliases clean and
    the search text in step; editors change claimants in the annotate panel or the API."""

    list_display = ("name", "kind", "aliases_shown", "created_by", "created_at")
    list_filter = ("kind",)
    # `search_text` is the name and every alias, lower-cased, one a line.
    search_fields = ("name", "search_text")
    list_select_related = ("created_by",)
    exclude = ("search_text",)

    @admin.display(description=gettext_lazy("aliases"))
    def aliases_shown(self, obj):
        return ", ".join(obj.aliases or [])


@admin.register(Capture)
class CaptureAdmin(ReadOnlyAdmin):
    """Read-only: a capture is archived evidence that bundles and reports point at; its
    WARC file's hash is what a bundle is verified against."""

    list_display = ("url", "captured_at", "warc_size", "warc_sha256", "http_status")
    list_filter = ("http_status", "is_truncated")
    search_fields = ("url", "requested_url", "title", "warc_sha256", "payload_sha256")
    date_hierarchy = "captured_at"
    # The extracted text can be long; the archived-copy page shows it.
    exclude = ("text",)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin):
    """Read-only: chiefs manage subscriptions on the Webhooks page. The signing secrets are
    never shown here (the page shows a new one once)."""

    list_display = ("url", "description", "is_active", "failing_since", "created_by", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description")
    list_select_related = ("created_by",)
    exclude = ("secret", "previous_secret")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "event_type",
        "subscription",
        "state",
        "attempts",
        "last_status_code",
        "delivered_at",
    )
    list_filter = ("state", "event_type")
    search_fields = ("message_id", "event_type")
    date_hierarchy = "created_at"
    list_select_related = ("subscription",)
