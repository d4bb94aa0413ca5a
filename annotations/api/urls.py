"""The routes of /api/v1/."""

from django.urls import path, re_path

from . import views

app_name = "api"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("articles/", views.ArticleListView.as_view(), name="article-list"),
    path("articles/import/", views.ArticleImportView.as_view(), name="article-import"),
    path("articles/<int:pk>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("articles/<int:pk>/publish/", views.ArticlePublishView.as_view(), name="article-publish"),
    path(
        "articles/<int:pk>/publish-gate/",
        views.ArticlePublishGateView.as_view(),
        name="article-publish-gate",
    ),
    path(
        "articles/<int:pk>/withdraw/", views.ArticleWithdrawView.as_view(), name="article-withdraw"
    ),
    path("articles/<int:pk>/restore/", views.ArticleRestoreView.as_view(), name="article-restore"),
    path("articles/<int:pk>/export/", views.ArticleExportView.as_view(), name="article-export"),
    path(
        "articles/<int:pk>/suggestions/",
        views.ArticleSuggestionsView.as_view(),
        name="article-suggestions",
    ),
    path(
        "articles/<int:pk>/suggestions/<int:sid>/accept/",
        views.SuggestionAcceptView.as_view(),
        name="suggestion-accept",
    ),
    path(
        "articles/<int:pk>/suggestions/<int:sid>/dismiss/",
        views.SuggestionDismissView.as_view(),
        name="suggestion-dismiss",
    ),
    path("annotations/", views.AnnotationListView.as_view(), name="annotation-list"),
    path("annotations/<int:pk>/", views.AnnotationDetailView.as_view(), name="annotation-detail"),
    path(
        "annotations/<int:pk>/assign/",
        views.AnnotationAssignView.as_view(),
        name="annotation-assign",
    ),
    path(
        "annotations/<int:pk>/decline/",
        views.AnnotationDeclineView.as_view(),
        name="annotation-decline",
    ),
    path(
        "annotations/<int:pk>/verdicts/",
        views.AnnotationVerdictsView.as_view(),
        name="annotation-verdicts",
    ),
    path(
        "annotations/<int:pk>/evidence/",
        views.AnnotationEvidenceView.as_view(),
        name="annotation-evidence",
    ),
    path(
        "annotations/<int:pk>/evidence/reuse/",
        views.AnnotationEvidenceReuseView.as_view(),
        name="annotation-evidence-reuse",
    ),
    path(
        "annotations/<int:pk>/comments/",
        views.AnnotationCommentsView.as_view(),
        name="annotation-comments",
    ),
    path(
        "annotations/<int:pk>/source-checks/",
        views.AnnotationSourceChecksView.as_view(),
        name="annotation-source-checks",
    ),
    path(
        "annotations/<int:pk>/history/",
        views.AnnotationHistoryView.as_view(),
        name="annotation-history",
    ),
    path("verdicts/<int:pk>/approve/", views.VerdictApproveView.as_view(), name="verdict-approve"),
    path("verdicts/<int:pk>/reject/", views.VerdictRejectView.as_view(), name="verdict-reject"),
    path("evidence/<int:pk>/", views.EvidenceDetailView.as_view(), name="evidence-detail"),
    path("queue/", views.QueueView.as_view(), name="queue"),
    path("labels/", views.LabelListView.as_view(), name="label-list"),
    path("ratings/", views.RatingListView.as_view(), name="rating-list"),
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("export/annotations/", views.BulkExportView.as_view(), name="export-annotations"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    # Last: every other path under /api/v1/ answers 404 as JSON, also with DEBUG on.
    re_path(r"^.*$", views.not_found, name="not-found"),
]
