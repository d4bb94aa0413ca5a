"""The routes of the HTML pages."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from . import (
    approval_views,
    archive_views,
    double_review_views,
    import_views,
    insights_views,
    queue_views,
    report_views,
    review_views,
    views,
    webhook_views,
)

app_name = "annotations"

urlpatterns = [
    path("", views.article_list, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/import/", import_views.article_import, name="article-import"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path(
        "articles/<int:pk>/import/retry/",
        import_views.article_import_retry,
        name="article-import-retry",
    ),
    path("articles/<int:pk>/remove/", import_views.article_remove, name="article-remove"),
    path("labels.css", views.label_styles, name="label-styles"),
    # The UI strings of the page scripts in the active language (djangojs catalogue).
    path("jsi18n/", JavaScriptCatalog.as_view(domain="djangojs"), name="javascript-catalog"),
    # The review workflow (issue 5): queue, review page, approvals, report.
    path("queue/", queue_views.queue, name="queue"),
    path("annotations/<int:pk>/", review_views.annotation_review, name="annotation-review"),
    path("annotations/<int:pk>/evidence/", review_views.review_evidence, name="review-evidence"),
    path(
        "annotations/<int:pk>/evidence/add/", review_views.evidence_add, name="review-evidence-add"
    ),
    path(
        "annotations/<int:pk>/checks/",
        review_views.source_checks_request,
        name="review-checks-request",
    ),
    path("annotations/<int:pk>/verdict/", review_views.verdict_propose, name="review-propose"),
    path("annotations/<int:pk>/comments/", review_views.comment_add, name="review-comment"),
    path("annotations/<int:pk>/decline/", review_views.assignment_decline, name="review-decline"),
    path(
        "annotations/<int:pk>/due-date/",
        review_views.assignment_due_change,
        name="review-due-date",
    ),
    path("evidence/<int:pk>/remove/", review_views.evidence_remove, name="review-evidence-remove"),
    # The archived copies of sources (issue 16), under a CSP that runs none of their scripts.
    path("evidence/<int:pk>/archive/", archive_views.evidence_archive, name="evidence-archive"),
    path(
        "evidence/<int:pk>/archive/<int:capture_pk>/",
        archive_views.evidence_archive,
        name="evidence-archive-capture",
    ),
    path("approvals/", approval_views.approvals, name="approvals"),
    # Blind double review and the desk's dashboard (issue 16).
    path(
        "annotations/<int:pk>/double-review/",
        double_review_views.double_review_request,
        name="double-review-request",
    ),
    path(
        "annotations/<int:pk>/final-verdict/",
        double_review_views.double_review_finalise,
        name="double-review-finalise",
    ),
    path("insights/", insights_views.insights, name="insights"),
    path("insights/<str:table>.csv", insights_views.insights_csv, name="insights-csv"),
    path("verdicts/<int:pk>/approve/", approval_views.verdict_approve, name="verdict-approve"),
    path("verdicts/<int:pk>/reject/", approval_views.verdict_reject, name="verdict-reject"),
    path("articles/<int:pk>/report/", report_views.article_report, name="article-report"),
    path("articles/<int:pk>/publish/", report_views.article_publish, name="article-publish"),
    path("ratings.css", report_views.rating_styles, name="rating-styles"),
    # Outbound webhooks (issue 15): the chiefs' subscriptions and delivery logs.
    path("webhooks/", webhook_views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/rotate/", webhook_views.webhook_rotate, name="webhook-rotate"),
    path("webhooks/<int:pk>/toggle/", webhook_views.webhook_toggle, name="webhook-toggle"),
    path("webhooks/<int:pk>/delete/", webhook_views.webhook_delete, name="webhook-delete"),
    path(
        "webhooks/<int:pk>/deliveries/",
        webhook_views.webhook_deliveries,
        name="webhook-deliveries",
    ),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/redeliver/",
        webhook_views.webhook_delivery_redeliver,
        name="webhook-delivery-redeliver",
    ),
    path(
        "webhooks/<int:pk>/redeliver/",
        webhook_views.webhook_redeliver_since,
        name="webhook-redeliver",
    ),
]
