"""Control characters removed from the text already stored: titles, abstracts, venues, names."""

from django.db import migrations

from core.text import rows_without_control_characters
from core.text import fold, name_key, title_key


def _refresh_publication(publication) -> None:
    publication.search_text = fold(
        " ".join([publication.title, publication.venue, publication.abstract])
    )
    publication.title_key = title_key(publication.title)


def _refresh_author(author) -> None:
    author.display_name = " ".join(author.display_name.split())
    author.name_key = name_key(author.display_name)


def remove_control_characters(apps, schema_editor) -> None:
    rows_without_control_characters(
        apps.get_model("publications", "Publication"), refresh=_refresh_publication
    )
    rows_without_control_characters(apps.get_model("publications", "PublicationVersion"))
    rows_without_control_characters(
        apps.get_model("publications", "Author"), refresh=_refresh_author
    )


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0013_addresses_without_breaking_characters"),
    ]

    operations = [
        migrations.RunPython(remove_control_characters, migrations.RunPython.noop, elidable=True),
    ]
