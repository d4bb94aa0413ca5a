"""The model that learns from the desk: training a version, rolling back, and adding its
suggestions to the rules' (annotations.learning).

Training runs in the background (`tasks.suggestion_model_train`, through the outbox): the
beat asks `suggestion_models_train_due` every FACTCHECK_MODEL_CHECK_INTERVAL_SECONDS, which
enqueues a training for each language with FACTCHECK_MODEL_RETRAIN_AFTER new decisions, and
nightly for each language with any. A version is stored every time; it is activated only
when it learnt from FACTCHECK_MODEL_MIN_EXAMPLES examples or more. Until then, and when no
version is active, the rules serve alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import cues, learning, selectors, tasks
from ..models import Event, Job, SuggestionModel
from .base import Conflict, Forbidden, User, event_record
from .jobs import UNFINISHED, enqueue

logger = logging.getLogger(__name__)

# The fitted model of each language this process has loaded: (row id, model). A new active
# version has a new id, so the cache never serves a replaced one.
_loaded: dict[str, tuple[int, learning.Model]] = {}


def model_language(tag: str | None) -> str:
    """The two-letter language of a BCP 47 tag, which the models are kept by ("de-AT" → "de")."""
    return (tag or "").strip().lower().replace("_", "-").split("-")[0][:10]


def suggestion_model_train(*, language: str) -> SuggestionModel | None:
    """Train a new version of the language's model on every decision of the desk so far,
    score it on its held-out part, and store it. It becomes the active version (the one
    active until now its `previous`) when it learnt from FACTCHECK_MODEL_MIN_EXAMPLES
    examples and has a classifier; otherwise it is stored inactive and the active one stays.

    Returns None, storing nothing, when the desk has made no decision in the language.
    Locks the language's model rows while it numbers and activates the version. Raises
    nothing of its own.
    """
    language = model_language(language)
    examples = selectors.training_examples(language)
    if not examples:
        return None
    fitted = learning.train(examples, language)
    blob = learning.dumps(fitted)
    enough = len(examples) >= settings.FACTCHECK_MODEL_MIN_EXAMPLES and bool(fitted.classifiers)
    with transaction.atomic():
        rows = SuggestionModel.objects.select_for_update().filter(language=language)
        active = rows.filter(is_active=True).defer("blob").first()
        version = (rows.aggregate(v=Max("version"))["v"] or 0) + 1
        if enough and active is not None:
            active.is_active = False
            active.save(update_fields=["is_active"])
        row = SuggestionModel.objects.create(
            language=language,
            version=version,
            trained_at=timezone.now(),
            training_size=len(examples),
            scores=fitted.scores,
            blob=blob,
            is_active=enough,
            previous=active,
        )
        event_record(
            actor=None,
            verb=Event.Verb.SUGGESTION_MODEL_TRAINED,
            data={
                "language": language,
                "version": version,
                "size": len(examples),
                "active": enough,
                "f1": (fitted.scores.get("micro") or {}).get("f1"),
            },
        )
    return row


def suggestion_model_rollback(*, actor: User, language: str) -> SuggestionModel:
    """Make the version that was active before the current one active again (the current
    one stays stored, inactive). Staff only (the admin's action).

    Locks the language's model rows. Raises Forbidden, Conflict (no active version, or
    none before it). Returns the version now active.
    """
    if not (actor.is_active and actor.is_staff):
        raise Forbidden(_("only staff can roll back the suggestion model"))
    language = model_language(language)
    with transaction.atomic():
        rows = SuggestionModel.objects.select_for_update().filter(language=language)
        current = rows.filter(is_active=True).defer("blob").first()
        if current is None or current.previous_id is None:
            raise Conflict(
                _("there is no earlier suggestion model for %(language)s to roll back to")
                % {"language": language}
            )
        earlier = rows.defer("blob").get(pk=current.previous_id)
        current.is_active = False
        current.save(update_fields=["is_active"])
        earlier.is_active = True
        earlier.save(update_fields=["is_active"])
        event_record(
            actor=actor,
            verb=Event.Verb.SUGGESTION_MODEL_ROLLED_BACK,
            data={"language": language, "from": current.version, "to": earlier.version},
        )
    return earlier


def suggestion_models_train_due(*, nightly: bool = False) -> list[str]:
    """Enqueue a training for each language of FACTCHECK_MODEL_LANGUAGES with
    FACTCHECK_MODEL_RETRAIN_AFTER decisions since its last training (`nightly`: with any),
    unless one is waiting or running already. Returns the languages enqueued."""
    enqueued = []
    for language in settings.FACTCHECK_MODEL_LANGUAGES:
        language = model_language(language)
        new = selectors.decisions_since(language, selectors.latest_training(language))
        if new < (1 if nightly else settings.FACTCHECK_MODEL_RETRAIN_AFTER):
            continue
        waiting = Job.objects.filter(
            task=tasks.suggestion_model_train.name, args=[language], state__in=UNFINISHED
        )
        if waiting.exists():
            continue
        with transaction.atomic():
            enqueue(tasks.suggestion_model_train, language)
        enqueued.append(language)
    return enqueued


def active_model(language: str) -> learning.Model | None:
    """The language's active model, loaded once per process and version; None while the
    rules serve alone (or when its bytes no longer load, which is logged)."""
    language = model_language(language)
    model_id = selectors.active_suggestion_model_id(language)
    if model_id is None:
        return None
    cached = _loaded.get(language)
    if cached is not None and cached[0] == model_id:
        return cached[1]
    try:
        model = learning.loads(selectors.suggestion_model_blob(model_id))
    except Exception:  # a version saved by another scikit-learn may not load; rules serve
        logger.exception("suggestion model %s does not load; the rules serve alone", model_id)
        return None
    _loaded[language] = (model_id, model)
    return model


def suggestions_with_model(
    *, text: str, language: str, rules: Sequence[cues.Suggestion]
) -> list[cues.Suggestion]:
    """The rules' suggestions, plus the active model's for sentences the rules missed (from
    FACTCHECK_MODEL_SUGGEST_AT); the rules' alone while no model is active."""
    model = active_model(language)
    if model is None:
        return list(rules)
    found = learning.predict(
        model, text, language, rules=rules, at=settings.FACTCHECK_MODEL_SUGGEST_AT
    )
    return learning.combine(rules, found)
