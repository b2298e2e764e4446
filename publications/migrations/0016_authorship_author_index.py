"""Authorships by author, with their publication: a researcher's publications are read from the
index alone. It replaces the author's own index, which it starts with."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0015_topic_publication_counts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="authorship",
            index=models.Index(fields=["author", "publication"], name="authorship_author_pub_idx"),
        ),
        migrations.AlterField(
            model_name="authorship",
            name="author",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="authorships",
                to="publications.author",
                verbose_name="author",
            ),
        ),
    ]
