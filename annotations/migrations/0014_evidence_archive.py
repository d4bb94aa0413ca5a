"""The archive of fetched sources (issue 16): a capture per stored WARC file, and each source
check's capture and the quote's passage in its text."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0013_webhooks"),
    ]

    operations = [
        migrations.CreateModel(
            name="Capture",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.CharField(max_length=2000)),
                ("requested_url", models.CharField(max_length=2000)),
                ("url_sha256", models.CharField(max_length=64)),
                ("http_status", models.PositiveSmallIntegerField()),
                ("content_type", models.CharField(blank=True, max_length=200)),
                ("title", models.CharField(blank=True, max_length=500)),
                ("payload_sha256", models.CharField(max_length=64)),
                ("text", models.TextField(blank=True)),
                ("text_sha256", models.CharField(max_length=64)),
                ("warc_name", models.CharField(max_length=500)),
                ("warc_sha256", models.CharField(max_length=64)),
                ("warc_size", models.PositiveIntegerField()),
                ("is_truncated", models.BooleanField(default=False)),
                ("captured_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["-captured_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("url_sha256", "payload_sha256"), name="capture_content_once"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="sourcecheck",
            name="capture",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="checks",
                to="annotations.capture",
            ),
        ),
        migrations.AddField(
            model_name="sourcecheck",
            name="passage_start",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="sourcecheck",
            name="passage_end",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
