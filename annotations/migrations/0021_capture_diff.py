"""What changed between two archived copies of a source, stored once by the worker
(models.CaptureDiff), so the review page no longer diffs on every load (issue 16).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("annotations", "0020_evidence_sealed")]

    operations = [
        migrations.CreateModel(
            name="CaptureDiff",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("diff", models.JSONField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "new",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="annotations.capture",
                    ),
                ),
                (
                    "old",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="annotations.capture",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("old", "new"), name="capture_diff_once")
                ]
            },
        ),
    ]
