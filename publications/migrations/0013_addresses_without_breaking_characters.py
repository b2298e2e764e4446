"""Web addresses refuse braces, spaces and line breaks, which would break a citation export."""

from django.db import migrations, models

import publications.identifiers


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0012_pending_import_progress"),
    ]

    operations = [
        migrations.AlterField(
            model_name="publication",
            name="code_url",
            field=models.URLField(
                blank=True,
                validators=[publications.identifiers.validate_no_breaking_characters],
                verbose_name="code",
            ),
        ),
        migrations.AlterField(
            model_name="publication",
            name="pdf_url",
            field=models.URLField(
                blank=True,
                validators=[publications.identifiers.validate_no_breaking_characters],
                verbose_name="PDF",
            ),
        ),
        migrations.AlterField(
            model_name="publication",
            name="url",
            field=models.URLField(
                blank=True,
                validators=[publications.identifiers.validate_no_breaking_characters],
                verbose_name="web page",
            ),
        ),
        migrations.AlterField(
            model_name="publicationversion",
            name="url",
            field=models.URLField(
                blank=True,
                validators=[publications.identifiers.validate_no_breaking_characters],
                verbose_name="web page",
            ),
        ),
    ]
