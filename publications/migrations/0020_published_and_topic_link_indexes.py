"""Two indexes for the pages built from the database alone, right after a change:

- published publications by id, with their year, kind and creation time: a publication reached
  through a topic's links or a researcher's authorships is checked as published (and counted
  by year and kind) without reading its row;
- a topic's links with their publication: the publications of a topic are read from the index
  alone, where the index Django makes for the topic's column sends each link to the table.

Django declares no index on the table it makes for a many-to-many field: the second is written
out here, in SQL that both PostgreSQL and SQLite take. Creating an index rebuilds no table, so
the triggers of migration 0015 stay.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0010_editors_curate_supervisions"),
        ("publications", "0019_editors_curate_links"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                condition=models.Q(("is_published", True)),
                fields=["id"],
                include=("year", "kind", "created_at"),
                name="publication_published_idx",
            ),
        ),
        migrations.RunSQL(
            sql="""
CREATE INDEX publication_topics_topic_pub_idx
    ON publications_publication_topics (researchtopic_id, publication_id);
""",
            reverse_sql="DROP INDEX publication_topics_topic_pub_idx;",
        ),
    ]
