"""A background job's error as a stable code with parameters, worded in the reader's
language (machine_text.job_error); `error` keeps the English detail for the admin and logs.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("annotations", "0017_double_review")]

    operations = [
        migrations.AddField(
            model_name="job",
            name="error_code",
            field=models.CharField(blank=True, max_length=50),
        ),
        migrations.AddField(
            model_name="job",
            name="error_params",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
