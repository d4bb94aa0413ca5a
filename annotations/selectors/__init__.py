"""Shared reads, each with the joins its callers need so that pages and lists run a
constant number of queries however many rows they show. One module per entity; every
name is re-exported here, so callers write `selectors.queue_for(...)`.

Access scoping lives here once: every newsroom role reads every article and annotation
(one desk, one team); the API and views refuse users without a role before calling.
"""

# The imports are the package's names: every caller reads them from here.
# ruff: noqa: F401
from .annotations import (
    annotation_comments,
    annotation_detail,
    annotation_history,
    annotation_list,
    annotation_must_exist,
    annotation_page,
    annotations_with_relations,
    assignees,
    assignment_history,
    current_verdict,
    events_of,
    ids_of,
    labels,
    live_twin,
)
from .archive import (
    approval_captures,
    capture_diffs,
    capture_response,
    capture_warc,
    evidence_archive_checks,
    evidence_capture_check,
    evidence_for_archive,
    public_evidence_ids,
    verdict_moment,
)
from .articles import (
    ARTICLE_ORDERINGS,
    FAILED_CHECKS,
    SEARCH_CONFIGS,
    article_annotations,
    article_detail,
    article_list,
    article_list_counts,
    article_must_exist,
    article_plain,
    article_search_filter,
    article_titled,
    needing_attention,
    with_checkworthiness,
)
from .bundles import (
    AUDIENCE_DESK,
    AUDIENCE_PUBLIC,
    ArchiveDamaged,
    public_verdict_ids,
    verdict_bundle_source,
    verdict_events,
    verdict_for_bundle,
)
from .changes import (
    annotations_changed_between,
    change_of_current_transaction,
    changed_objects,
    changes_after,
)
from .claimants import (
    claimant_by_id,
    claimant_list,
    claimant_name_pairs,
    claimant_named,
    claimant_proposals,
    claimants_by_id,
)
from .evidence import (
    annotation_checks,
    annotation_evidence,
    evidence_behind,
    evidence_item,
    evidence_visible,
    evidence_with_annotation,
    latest_checks,
    latest_evidence_check,
    source_check_detail,
    span_checks,
)
from .gate import GATE_SOURCE_FLAGS, PublishGate, gate_warning_message, publish_gate
from .health import database_ping
from .insights import STEPS as TIMING_STEPS
from .insights import WEEKS as INSIGHT_WEEKS
from .insights import has_claimants as insights_has_claimants
from .insights import insights
from .learning import (
    active_suggestion_model_id,
    decisions_since,
    latest_training,
    suggestion_model_blob,
    suggestion_models,
    training_examples,
)
from .queue import (
    QUEUE_ANNOTATION_COLUMNS,
    QUEUE_COLUMNS,
    QUEUE_ORDERINGS,
    queue_articles,
    queue_counts,
    queue_filtered,
    queue_first_ids,
    queue_for,
    queue_next,
    queue_page_relations,
    queue_values,
)
from .rows import (
    ANNOTATION_VALUES,
    VERDICT_VALUES,
    IsoTimestamp,
    RowTime,
    annotation_rows_by_id,
    annotation_values,
    article_span_rows,
    assignee_names,
    assignment_dues,
    latest_verdicts,
    live_span_rows,
    verdict_histories,
)
from .suggestions import (
    Analysis,
    article_analysis,
    article_suggestions,
    pending_suggestion_count,
    suggestion_detail,
    suggestion_must_belong,
)
from .users import (
    first_editor,
    newsroom_users,
    reviewers_with_workload,
    user_by_name_or_id,
    user_named,
    users_with_role,
)
from .verdicts import (
    FUZZ_MIN,
    SIMILAR_LIMIT,
    TRIGRAM_MIN,
    annotation_verdicts,
    approvals_page,
    approved_claim_verdicts,
    double_review_reviewers_at_work,
    double_review_waits_for_decision,
    double_reviews_short_of_reviewers,
    proposed_verdicts,
    ratings,
    ratings_by_order,
    similar_claims,
    verdict_detail,
    verdict_history,
    verdict_plain,
)
from .web_annotations import (
    annotation_of,
    container_modified,
    page_note_of,
    page_notes_of,
    suggested_annotation_ids,
)
from .webhooks import webhook_deliveries, webhook_delivery, webhook_detail, webhook_list
