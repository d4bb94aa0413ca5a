"""Shapes of the REST API v1, by kind: `fields` (helpers, the strict base), `inputs`
(request bodies), `outputs` (responses), `objects` (the annotation and article objects).

Input serializers validate shape only and refuse keys they do not know (a typo such as
`lable` must not be silently ignored); services validate meaning and permission. Output
serializers read objects loaded by selectors (their prefetches keep lists at a constant
number of queries) and give labels and ratings as slugs, users as usernames.
"""

from .changes import ChangeItemSerializer, ChangePageSerializer, change_page  # noqa: F401
from .claimants import (  # noqa: F401
    ClaimantCreateSerializer,
    ClaimantMergeSerializer,
    ClaimantRefSerializer,
    ClaimantSerializer,
    ClaimantUpdateSerializer,
)
from .fields import (  # noqa: F401
    EARLIEST_DATE,
    MAX_ID,
    ObjectField,
    StrictSerializer,
    UsernameOrIdField,
    date_time_field,
    id_field,
    text_field,
)
from .inputs import (  # noqa: F401
    AnnotationCreateSerializer,
    AnnotationUpdateSerializer,
    ArticleArchiveSerializer,
    ArticleCreateSerializer,
    ArticleImportSerializer,
    ArticlePublishSerializer,
    ArticleUpdateSerializer,
    AssignSerializer,
    CommentCreateSerializer,
    DeclineSerializer,
    EmptySerializer,
    EvidenceInputSerializer,
    TokenRequestSerializer,
    VerdictApproveSerializer,
    VerdictCreateSerializer,
    VerdictRejectSerializer,
)
from .objects import (  # noqa: F401
    AnnotationDetailSerializer,
    AnnotationSerializer,
    ArticleDetailSerializer,
    ArticleSerializer,
    ArticleUpdateResultSerializer,
    QueueItemSerializer,
    ReanchoredSerializer,
    SimilarEvidenceSerializer,
    SimilarVerdictSerializer,
    annotation_objects,
    live_annotation_objects,
    new_annotation_object,
    queue_objects,
)
from .outputs import (  # noqa: F401
    _SOURCE_CHECK,
    AnalysisSerializer,
    CommentSerializer,
    CurrentVerdictSerializer,
    ErrorSerializer,
    EvidenceSerializer,
    GateItemSerializer,
    HistoryItemSerializer,
    LabelSerializer,
    PublishGateSerializer,
    RatingSerializer,
    SourceCheckSerializer,
    SuggestionSerializer,
    TokenSerializer,
    UserSerializer,
    VerdictEvidenceSerializer,
    VerdictSerializer,
)
