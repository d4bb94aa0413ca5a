"""Machine results as codes with parameters, worded in the reader's language when read."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0009_article_status_without_checked"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="import_error_code",
            field=models.CharField(blank=True, max_length=50),
        ),
        migrations.AddField(
            model_name="article",
            name="import_error_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="sourcecheck",
            name="error_code",
            field=models.CharField(blank=True, max_length=50),
        ),
        migrations.AddField(
            model_name="sourcecheck",
            name="error_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="suggestion",
            name="reasons",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
