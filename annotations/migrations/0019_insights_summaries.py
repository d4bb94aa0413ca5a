"""The dashboard on 100,000 claims (issue 16): its past weeks' timings (TimingWeek) and its
counts of the weeks before this one (InsightSnapshot) stored, and kept true by triggers
(annotations.insights_triggers, PostgreSQL); indexes from which the rest is read.
"""

import django.utils.timezone
from django.db import migrations, models

from annotations import insights_triggers


def forward(apps, schema_editor):
    insights_triggers.install(schema_editor.execute, schema_editor.connection.vendor)


def backward(apps, schema_editor):
    insights_triggers.uninstall(schema_editor.execute, schema_editor.connection.vendor)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0018_job_error_code"),
    ]

    operations = [
        migrations.CreateModel(
            name="InsightSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("verdicts", "verdicts"), ("pairs", "pairs")],
                        max_length=20,
                        unique=True,
                    ),
                ),
                ("upto", models.DateTimeField()),
                ("data", models.JSONField(default=dict)),
                ("computed_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.CreateModel(
            name="TimingWeek",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("step", models.PositiveSmallIntegerField()),
                ("week_start", models.DateTimeField()),
                ("week_end", models.DateTimeField()),
                ("items", models.PositiveIntegerField()),
                ("median", models.FloatField(blank=True, null=True)),
                ("p90", models.FloatField(blank=True, null=True)),
                ("computed_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(
                condition=models.Q(("first_assigned_at__isnull", False)),
                fields=["first_assigned_at", "created_at", "label"],
                name="annotation_first_assigned_at",
            ),
        ),
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(
                condition=models.Q(("first_proposed_at__isnull", False)),
                fields=["first_proposed_at", "created_at", "label"],
                name="annotation_first_proposed_at",
            ),
        ),
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(
                condition=models.Q(("first_approved_at__isnull", False)),
                fields=["first_approved_at", "created_at", "label"],
                name="annotation_first_approved_at",
            ),
        ),
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(fields=["id", "claimant"], name="annotation_id_claimant"),
        ),
        migrations.AddIndex(
            model_name="sourcecheck",
            index=models.Index(fields=["status", "quote_found"], name="check_outcome"),
        ),
        migrations.AddIndex(
            model_name="verdict",
            index=models.Index(
                condition=models.Q(("status", "approved")),
                fields=["decided_at", "annotation", "rating"],
                name="verdict_approved_decided",
            ),
        ),
        migrations.AddIndex(
            model_name="verdict",
            index=models.Index(
                condition=models.Q(("is_blind", True), ("is_sealed", False)),
                fields=["annotation", "id", "author", "rating", "created_at"],
                name="verdict_blind_revealed",
            ),
        ),
        migrations.AddIndex(
            model_name="verdict",
            index=models.Index(
                condition=models.Q(("is_blind", True)),
                fields=["created_at", "annotation"],
                name="verdict_blind_created",
            ),
        ),
        migrations.AddConstraint(
            model_name="timingweek",
            constraint=models.UniqueConstraint(
                fields=("step", "week_start", "week_end"), name="timing_week_unique"
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
