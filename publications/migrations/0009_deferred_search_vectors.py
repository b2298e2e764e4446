"""Search vectors may be deferred to the end of a bulk write (PostgreSQL only).

The triggers of 0007 compute a publication's vector when the row is inserted, before it has any
author, and again when its authorships are inserted: an import of thousands of publications
computed every vector twice. A transaction that sets ``directory.defer_search_vectors`` to
``on`` (see ``publications.search.search_vectors_deferred``) skips the triggers, and refreshes
the vectors of what it wrote once, at the end.
"""

from django.db import migrations

DEFERRED = "coalesce(current_setting('directory.defer_search_vectors', true), '') = 'on'"

# The trigger functions of 0007: what each does, and what it returns.
TRIGGER_FUNCTIONS = {
    "publications_publication_search_row": (
        "NEW.search_vector := "
        "publications_search_vector(NEW.id, NEW.title, NEW.venue, NEW.abstract);",
        "NEW",
    ),
    "publications_authorship_search_added": (
        "PERFORM publications_refresh_search("
        "ARRAY(SELECT DISTINCT publication_id FROM new_rows));",
        "NULL",
    ),
    "publications_authorship_search_removed": (
        "PERFORM publications_refresh_search("
        "ARRAY(SELECT DISTINCT publication_id FROM old_rows));",
        "NULL",
    ),
    "publications_authorship_search_changed": (
        "PERFORM publications_refresh_search(ARRAY("
        "SELECT publication_id FROM new_rows UNION SELECT publication_id FROM old_rows));",
        "NULL",
    ),
}


def _trigger_functions(*, deferrable: bool) -> str:
    return "\n".join(
        f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {f"IF NOT {DEFERRED} THEN {statement} END IF;" if deferrable else statement}
    RETURN {returned};
END
$$;"""
        for name, (statement, returned) in TRIGGER_FUNCTIONS.items()
    )


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0008_listing_index"),
    ]

    operations = [
        migrations.RunPython(
            _on_postgresql(_trigger_functions(deferrable=True)),
            _on_postgresql(_trigger_functions(deferrable=False)),
        ),
    ]
