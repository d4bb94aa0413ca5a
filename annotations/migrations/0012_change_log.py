"""The sync cursor's change log, fed by triggers in the writing transaction
(annotations.change_triggers).

On PostgreSQL the row's `txid` defaults to the writing transaction's id
(pg_current_xact_id()); on SQLite (one writer at a time) it stays null and the id orders.
Existing rows are logged once, so an empty cursor starts from everything.
"""

import django.db.models.functions.datetime
from django.db import migrations, models

import annotations.models
from annotations import change_triggers


def forward(apps, schema_editor):
    change_triggers.install(schema_editor.execute, schema_editor.connection.vendor, backfill=True)


def backward(apps, schema_editor):
    change_triggers.uninstall(schema_editor.execute, schema_editor.connection.vendor)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0011_suggestion_model"),
    ]

    operations = [
        migrations.CreateModel(
            name="Change",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "txid",
                    models.BigIntegerField(
                        db_default=annotations.models.CurrentTransactionId(),
                        editable=False,
                        null=True,
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("article", "Article"),
                            ("annotation", "Annotation"),
                            ("verdict", "Verdict"),
                            ("evidence", "Evidence"),
                            ("source_check", "Source check"),
                            ("event", "Event"),
                        ],
                        max_length=20,
                    ),
                ),
                ("object_id", models.BigIntegerField()),
                ("version", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "op",
                    models.CharField(
                        choices=[
                            ("upsert", "Created or changed"),
                            ("tombstone", "Deleted or withdrawn"),
                        ],
                        default="upsert",
                        max_length=10,
                    ),
                ),
                ("annotation_pk", models.BigIntegerField(blank=True, null=True)),
                (
                    "changed_at",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
            options={
                "ordering": ["txid", "id"],
                "indexes": [
                    models.Index(fields=["txid", "id"], name="change_cursor"),
                    models.Index(fields=["kind", "txid", "id"], name="change_kind_cursor"),
                    models.Index(
                        fields=["annotation_pk", "txid", "id"], name="change_annotation_cursor"
                    ),
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
