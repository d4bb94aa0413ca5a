"""The routes of /api/v1/."""

from django.urls import URLPattern, path, re_path
from rest_framework.views import APIView

from . import views

app_name = "api"


def routes(prefix: str, *table: tuple[str, type[APIView], str]) -> list[URLPattern]:
    """A path for each row (route below `prefix`, view, URL name), in the table's order."""
    return [path(prefix + route, view.as_view(), name=name) for route, view, name in table]


urlpatterns = [
    *routes(
        "",
        ("auth/token/", views.TokenView, "auth-token"),
        ("articles/", views.ArticleListView, "article-list"),
        ("articles/import/", views.ArticleImportView, "article-import"),
        ("annotations/", views.AnnotationListView, "annotation-list"),
        ("queue/", views.QueueView, "queue"),
        ("labels/", views.LabelListView, "label-list"),
        ("ratings/", views.RatingListView, "rating-list"),
        ("users/", views.UserListView, "user-list"),
        ("claimants/", views.ClaimantListView, "claimant-list"),
        ("claimants/<int:pk>/", views.ClaimantDetailView, "claimant-detail"),
        ("claimants/<int:pk>/merge/", views.ClaimantMergeView, "claimant-merge"),
        ("export/annotations/", views.BulkExportView, "export-annotations"),
        ("changes/", views.ChangesView, "changes"),
        ("schema/", views.SchemaView, "schema"),
        ("bundle-key/", views.BundleKeyView, "bundle-key"),
        ("insights/", views.InsightsView, "insights"),
    ),
    *routes(
        "articles/<int:pk>/",
        ("", views.ArticleDetailView, "article-detail"),
        ("publish/", views.ArticlePublishView, "article-publish"),
        ("publish-gate/", views.ArticlePublishGateView, "article-publish-gate"),
        ("withdraw/", views.ArticleWithdrawView, "article-withdraw"),
        ("restore/", views.ArticleRestoreView, "article-restore"),
        ("export/", views.ArticleExportView, "article-export"),
        ("analysis/", views.ArticleAnalysisView, "article-analysis"),
        ("suggestions/", views.ArticleSuggestionsView, "article-suggestions"),
        ("suggestions/<int:sid>/accept/", views.SuggestionAcceptView, "suggestion-accept"),
        ("suggestions/<int:sid>/dismiss/", views.SuggestionDismissView, "suggestion-dismiss"),
    ),
    *routes(
        "annotations/<int:pk>/",
        ("", views.AnnotationDetailView, "annotation-detail"),
        ("assign/", views.AnnotationAssignView, "annotation-assign"),
        ("decline/", views.AnnotationDeclineView, "annotation-decline"),
        ("verdicts/", views.AnnotationVerdictsView, "annotation-verdicts"),
        ("evidence/", views.AnnotationEvidenceView, "annotation-evidence"),
        ("evidence/reuse/", views.AnnotationEvidenceReuseView, "annotation-evidence-reuse"),
        ("comments/", views.AnnotationCommentsView, "annotation-comments"),
        ("source-checks/", views.AnnotationSourceChecksView, "annotation-source-checks"),
        ("history/", views.AnnotationHistoryView, "annotation-history"),
        ("double-review/", views.AnnotationDoubleReviewView, "annotation-double-review"),
        ("final-verdict/", views.AnnotationFinalVerdictView, "annotation-final-verdict"),
    ),
    *routes(
        "verdicts/<int:pk>/",
        ("approve/", views.VerdictApproveView, "verdict-approve"),
        ("reject/", views.VerdictRejectView, "verdict-reject"),
        ("bundle/", views.VerdictBundleView, "verdict-bundle"),
    ),
    *routes("evidence/<int:pk>/", ("", views.EvidenceDetailView, "evidence-detail")),
    *routes(
        "webhooks/",
        ("", views.WebhookListView, "webhook-list"),
        ("<int:pk>/", views.WebhookDetailView, "webhook-detail"),
        ("<int:pk>/rotate-secret/", views.WebhookRotateSecretView, "webhook-rotate-secret"),
        ("<int:pk>/redeliver/", views.WebhookRedeliverSinceView, "webhook-redeliver"),
        ("<int:pk>/deliveries/", views.WebhookDeliveriesView, "webhook-deliveries"),
        (
            "<int:pk>/deliveries/<int:delivery_id>/redeliver/",
            views.WebhookDeliveryRedeliverView,
            "webhook-delivery-redeliver",
        ),
    ),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    # Last: every other path under /api/v1/ answers 404 as JSON, also with DEBUG on.
    re_path(r"^.*$", views.not_found, name="not-found"),
]
