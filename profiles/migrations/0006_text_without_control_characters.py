"""Control characters removed from the text already stored: researchers' names, positions and
biographies in both languages, research topics."""

from django.db import migrations

from core.text import rows_without_control_characters
from core.text import fold


def _refresh_researcher(researcher) -> None:
    full_name = f"{researcher.given_name} {researcher.family_name}".strip()
    researcher.search_name = fold(full_name)
    researcher.sort_name = fold(f"{researcher.family_name} {researcher.given_name}")


def remove_control_characters(apps, schema_editor) -> None:
    rows_without_control_characters(
        apps.get_model("profiles", "Researcher"), refresh=_refresh_researcher
    )
    rows_without_control_characters(apps.get_model("profiles", "ResearchTopic"))


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0005_portrait_names_shortened"),
    ]

    operations = [
        migrations.RunPython(remove_control_characters, migrations.RunPython.noop, elidable=True),
    ]
