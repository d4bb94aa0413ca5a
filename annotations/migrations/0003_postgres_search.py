"""PostgreSQL-only search support: pg_trgm and GIN indexes for full-text and similarity.

Guarded by connection.vendor so SQLite (make run) shares the same migration history.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Articles are searched with the language's own configuration (see selectors).
    "CREATE INDEX IF NOT EXISTS article_fts_de ON annotations_article USING gin "
    "(to_tsvector('german'::regconfig, title || ' ' || text)) WHERE language LIKE 'de%%'",
    "CREATE INDEX IF NOT EXISTS article_fts_en ON annotations_article USING gin "
    "(to_tsvector('english'::regconfig, title || ' ' || text)) WHERE language NOT LIKE 'de%%'",
    "CREATE INDEX IF NOT EXISTS annotation_exact_trgm ON annotations_annotation USING gin "
    "(exact gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS annotation_exact_trgm",
    "DROP INDEX IF EXISTS article_fts_en",
    "DROP INDEX IF EXISTS article_fts_de",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("annotations", "0002_seed_vocabularies")]

    operations = [migrations.RunPython(forward, backward)]
