"""OpenAPI additions drf-spectacular cannot infer from the views."""

from __future__ import annotations

from typing import Any

from .idempotency import HEADER, MAX_KEY_LENGTH

IDEMPOTENCY_PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": (
        "Any unique string (a UUID, say). A retry with the same key within 24 hours "
        "replays the first answer (with `Idempotent-Replayed: true`) and writes nothing; "
        "the same key with another body answers 409."
    ),
}


def idempotency_header(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """Every authenticated POST honours `Idempotency-Key` (api.idempotency)."""
    for path, operations in result.get("paths", {}).items():
        operation = operations.get("post")
        if operation is None or path.endswith("/auth/token/"):
            continue
        operation.setdefault("parameters", []).append(dict(IDEMPOTENCY_PARAMETER))
    return result
