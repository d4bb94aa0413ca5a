"""Background work: the outbox. (Being rebuilt for issue 11; today a plain on_commit send.)"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue(task_name: str, *args: Any) -> None:
    """Send a task after commit; a broker error is logged, never raised (robust=True)."""

    def send() -> None:
        from .. import tasks

        getattr(tasks, task_name).delay(*args)

    transaction.on_commit(send, robust=True)
