"""The table of Django's database cache (settings.CACHES without CACHE_URL), where DRF's
throttles count, so that every web process shares the counts.

Created whatever CACHE_URL says at migrate time, so that dropping CACHE_URL later needs no
extra step. It belongs to no model: a test's flush (TRUNCATE of the models' tables) leaves
it in place, and tests empty it themselves.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "factcheck_cache"  # settings.CACHES: dbcache://factcheck_cache


def create_cache_table(apps, schema_editor):
    # Django's own DDL for the cache table; it skips a table that exists already.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("annotations", "0005_trust_pins_outbox_idempotency")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
