"""Every write of the fact-check desk, one module per entity; this index re-exports them.

Each service checks permission and validates before it writes, runs in one transaction,
records an Event, and records its background work in the outbox (`jobs.enqueue`): a job row
in the same transaction, sent after commit, so that a broker that is down never undoes or
fails a saved write (the sweep sends again what did not finish).

Errors (base.py): `Forbidden` (403), `Invalid` (400), `Conflict` (409, names the current
state), `Stale` (412), `TooLarge` (413). Model lookups raise `DoesNotExist` (404).

Callers write `services.article_create(...)`; a new service is added to its entity's module
and named here.
"""

from ..uploads import IMPORT_EXTENSIONS
from .annotations import (
    EDITABLE_ANNOTATION_FIELDS,
    annotation_create,
    annotation_move,
    annotation_update,
    annotation_withdraw,
)
from .archive import capture_store
from .article_imports import (
    article_create_from_url,
    article_import_finish,
    article_import_retry,
    article_import_url,
    decode_upload,
)
from .articles import (
    article_archive,
    article_create,
    article_publish,
    article_restore,
    article_update,
)
from .assignments import (
    annotation_assign,
    assignment_decline,
    assignment_due_change,
    comment_add,
    reviewer_by_name_or_id,
)
from .base import (
    Conflict,
    Forbidden,
    Invalid,
    ServiceError,
    Stale,
    TooLarge,
    event_record,
)
from .claimants import (
    annotation_claimant_set,
    claimant_create,
    claimant_merge,
    claimant_update,
)
from .double_review import double_review_finalise, double_review_request
from .evidence import EvidenceInput, evidence_add, evidence_recheck, evidence_remove, evidence_reuse
from .learning import (
    suggestion_model_rollback,
    suggestion_model_train,
    suggestion_models_train_due,
)
from .source_checks import (
    CHECK_MAX_ATTEMPTS,
    source_check_give_up,
    source_check_run,
    source_checks_request,
)
from .suggestions import (
    article_analyse,
    suggestion_accept,
    suggestion_dismiss,
    suggestions_replace,
)
from .users import user_ensure
from .verdicts import (
    MIN_RATIONALE_CHARS,
    verdict_approve,
    verdict_propose,
    verdict_reject,
)
from .web_annotations import (
    Document,
    document_read,
    page_note_update,
    page_note_withdraw,
    web_annotation_create,
    web_annotation_update,
    web_annotation_withdraw,
)
from .webhooks import (
    webhook_create,
    webhook_delete,
    webhook_redeliver,
    webhook_redeliver_since,
    webhook_rotate_secret,
    webhook_update,
)

__all__ = [
    "CHECK_MAX_ATTEMPTS",
    "EDITABLE_ANNOTATION_FIELDS",
    "IMPORT_EXTENSIONS",
    "MIN_RATIONALE_CHARS",
    "Conflict",
    "Document",
    "EvidenceInput",
    "Forbidden",
    "Invalid",
    "ServiceError",
    "Stale",
    "TooLarge",
    "annotation_assign",
    "annotation_claimant_set",
    "annotation_create",
    "annotation_move",
    "annotation_update",
    "annotation_withdraw",
    "article_analyse",
    "article_archive",
    "article_create",
    "article_create_from_url",
    "article_import_finish",
    "article_import_retry",
    "article_import_url",
    "article_publish",
    "article_restore",
    "article_update",
    "assignment_decline",
    "assignment_due_change",
    "capture_store",
    "claimant_create",
    "claimant_merge",
    "claimant_update",
    "comment_add",
    "decode_upload",
    "document_read",
    "double_review_finalise",
    "double_review_request",
    "event_record",
    "evidence_add",
    "evidence_recheck",
    "evidence_remove",
    "evidence_reuse",
    "page_note_update",
    "page_note_withdraw",
    "reviewer_by_name_or_id",
    "source_check_give_up",
    "source_check_run",
    "source_checks_request",
    "suggestion_accept",
    "suggestion_dismiss",
    "suggestion_model_rollback",
    "suggestion_model_train",
    "suggestion_models_train_due",
    "suggestions_replace",
    "user_ensure",
    "verdict_approve",
    "verdict_propose",
    "verdict_reject",
    "web_annotation_create",
    "web_annotation_update",
    "web_annotation_withdraw",
    "webhook_create",
    "webhook_delete",
    "webhook_redeliver",
    "webhook_redeliver_since",
    "webhook_rotate_secret",
    "webhook_update",
]
