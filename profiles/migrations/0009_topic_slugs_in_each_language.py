"""Topic addresses in each language: the French slug is the one topics had, the English one
is made from the English name (unique, with -2, -3... where two names give the same).

SQLite rebuilds the topic table to add the columns, which drops the trigger that publications'
migration 0015 put on it (a deleted topic's count goes with it): on SQLite it is dropped first
and created again after, when that migration ran already."""

from importlib import import_module

from django.db import migrations, models
from django.utils.text import slugify

# The trigger on the topic table, as publications' migration 0015 creates it on SQLite.
TOPIC_TRIGGER = "publications_topic_count_deleted"
COUNTS_TABLE = "publications_topicpublicationcount"


def sqlite_topic_trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TOPIC_TRIGGER};")


def sqlite_topic_trigger_create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if COUNTS_TABLE not in connection.introspection.table_names(cursor):
            return  # 0015 has not run yet: it creates the trigger itself
    counts = import_module("publications.migrations.0015_topic_publication_counts")
    (statement,) = [sql for sql in counts.SQLITE_FORWARD if f"TRIGGER {TOPIC_TRIGGER}" in sql]
    schema_editor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))


def fill_slugs(apps, schema_editor):
    ResearchTopic = apps.get_model("profiles", "ResearchTopic")
    taken = set(ResearchTopic.objects.values_list("slug", flat=True))
    for topic in ResearchTopic.objects.order_by("pk"):
        topic.slug_fr = topic.slug
        english = slugify(topic.name_en or "")[:190] or topic.slug
        if english != topic.slug:
            english = _free(english, taken)
        topic.slug_en = english
        topic.save(update_fields=["slug_fr", "slug_en"])


def _free(slug: str, taken: set[str]) -> str:
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    taken.add(candidate)
    return candidate


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0008_supervision"),
    ]

    operations = [
        migrations.RunPython(sqlite_topic_trigger_drop, sqlite_topic_trigger_create),
        migrations.AddField(
            model_name='researchtopic',
            name='slug_en',
            field=models.SlugField(max_length=200, null=True, unique=True, verbose_name='slug'),
        ),
        migrations.AddField(
            model_name='researchtopic',
            name='slug_fr',
            field=models.SlugField(max_length=200, null=True, unique=True, verbose_name='slug'),
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
        migrations.RunPython(sqlite_topic_trigger_create, sqlite_topic_trigger_drop),
    ]
