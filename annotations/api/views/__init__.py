"""REST API v1 views by resource; urls.py routes to the names re-exported here."""

# Views stay thin: selectors read, services write, serializers shape. Every endpoint needs a
# newsroom role (IsNewsroomMember: 401 anonymous, 403 without a role), except the evidence
# bundle of a verdict a public report shows and the key that verifies it (bundles.py). What
# a role may write is decided by policy.py; the role-only actions are refused before the body
# is validated (base.require_role), so a reviewer hears 403 rather than a 400 about a form
# they may not send at all. Object-dependent rules (the assigned reviewer, four eyes) are
# checked by the services.

from .annotations import (
    AnnotationAssignView,
    AnnotationCommentsView,
    AnnotationDeclineView,
    AnnotationDetailView,
    AnnotationHistoryView,
    AnnotationListView,
    QueueView,
)
from .articles import (
    ArticleDetailView,
    ArticleImportView,
    ArticleListView,
    ArticlePublishGateView,
    ArticlePublishView,
    ArticleRestoreView,
    ArticleWithdrawView,
)
from .auth import TokenView
from .base import ApiView
from .bundles import BundleKeyView, VerdictBundleView
from .changes import ChangesView
from .claimants import ClaimantDetailView, ClaimantListView, ClaimantMergeView
from .docs import DocsView, SchemaView, not_found
from .double_review import AnnotationDoubleReviewView, AnnotationFinalVerdictView
from .evidence import (
    AnnotationEvidenceReuseView,
    AnnotationEvidenceView,
    AnnotationSourceChecksView,
    EvidenceDetailView,
)
from .exports import ARTICLE_EXPORT_FORMATS, ArticleExportView, BulkExportView
from .insights import InsightsView
from .suggestions import (
    ArticleAnalysisView,
    ArticleSuggestionsView,
    SuggestionAcceptView,
    SuggestionDismissView,
)
from .verdicts import AnnotationVerdictsView, VerdictApproveView, VerdictRejectView
from .vocabularies import LabelListView, RatingListView, UserListView
from .webhooks import (
    WebhookDeliveriesView,
    WebhookDeliveryRedeliverView,
    WebhookDetailView,
    WebhookListView,
    WebhookRedeliverSinceView,
    WebhookRotateSecretView,
)

__all__ = [
    "ARTICLE_EXPORT_FORMATS",
    "AnnotationAssignView",
    "AnnotationCommentsView",
    "AnnotationDeclineView",
    "AnnotationDetailView",
    "AnnotationDoubleReviewView",
    "AnnotationEvidenceReuseView",
    "AnnotationEvidenceView",
    "AnnotationFinalVerdictView",
    "AnnotationHistoryView",
    "AnnotationListView",
    "AnnotationSourceChecksView",
    "AnnotationVerdictsView",
    "ApiView",
    "ArticleAnalysisView",
    "ArticleDetailView",
    "ArticleExportView",
    "ArticleImportView",
    "ArticleListView",
    "ArticlePublishGateView",
    "ArticlePublishView",
    "ArticleRestoreView",
    "ArticleSuggestionsView",
    "ArticleWithdrawView",
    "BulkExportView",
    "BundleKeyView",
    "ChangesView",
    "ClaimantDetailView",
    "ClaimantListView",
    "ClaimantMergeView",
    "DocsView",
    "EvidenceDetailView",
    "InsightsView",
    "LabelListView",
    "QueueView",
    "RatingListView",
    "SchemaView",
    "SuggestionAcceptView",
    "SuggestionDismissView",
    "TokenView",
    "UserListView",
    "VerdictApproveView",
    "VerdictBundleView",
    "VerdictRejectView",
    "WebhookDeliveriesView",
    "WebhookDeliveryRedeliverView",
    "WebhookDetailView",
    "WebhookListView",
    "WebhookRedeliverSinceView",
    "WebhookRotateSecretView",
    "not_found",
]
