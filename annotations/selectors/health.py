"""The health check's read (`/healthz`)."""

from __future__ import annotations

from django.db import connection


def database_ping() -> None:
    """One round trip to the database (`/healthz`); raises the driver's error if it is down."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
