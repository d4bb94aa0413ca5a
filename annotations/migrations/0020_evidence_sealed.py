"""Evidence of a blind double review's reviewer is sealed, as their verdict is, until both
have proposed; the one-URL rule holds among the evidence everybody sees, and per author
among sealed evidence.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("annotations", "0019_insights_summaries")]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="is_sealed",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RemoveConstraint(
            model_name="evidence",
            name="evidence_one_live_url_per_annotation",
        ),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_sealed", False), ("removed_at__isnull", True)),
                fields=("annotation", "url"),
                name="evidence_one_live_url_per_annotation",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_sealed", True), ("removed_at__isnull", True)),
                fields=("annotation", "url", "added_by"),
                name="evidence_one_sealed_url_per_author",
            ),
        ),
    ]
