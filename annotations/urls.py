"""The routes of the HTML pages."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from . import approval_views, import_views, queue_views, report_views, review_views, views

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
    path("evidence/<int:pk>/remove/", review_views.evidence_remove, name="review-evidence-remove"),
    path("approvals/", approval_views.approvals, name="approvals"),
    path("verdicts/<int:pk>/approve/", approval_views.verdict_approve, name="verdict-approve"),
    path("verdicts/<int:pk>/reject/", approval_views.verdict_reject, name="verdict-reject"),
    path("articles/<int:pk>/report/", report_views.article_report, name="article-report"),
    path("articles/<int:pk>/publish/", report_views.article_publish, name="article-publish"),
    path("ratings.css", report_views.rating_styles, name="rating-styles"),
]
