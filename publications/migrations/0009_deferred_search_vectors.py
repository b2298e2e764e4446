"""Search vectors may be deferred to the end of a bulk write (PostgreSQL only).

The triggers of 0007 compute a publication's vector when the row is inserted, before it has any
author, and again when its authorships are inserted: an import of thousands of publications
computed every vector twice. A transaction that sets ``directory.defer_search_vectors`` to
``on`` (see ``publications.search.search_vectors_deferred``) skips the triggers, and refreshes
the vectors of what it wrote once, at the end.
"""

from django.db import migrations

# The trigger functions of 0007, each now doing its work unless the transaction defers it.
FORWARD = """
CREATE OR REPLACE FUNCTION publications_publication_search_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT coalesce(current_setting('directory.defer_search_vectors', true), '') = 'on' THEN NEW.search_vector := publications_search_vector(NEW.id, NEW.title, NEW.venue, NEW.abstract); END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION publications_authorship_search_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT coalesce(current_setting('directory.defer_search_vectors', true), '') = 'on' THEN PERFORM publications_refresh_search(ARRAY(SELECT DISTINCT publication_id FROM new_rows)); END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION publications_authorship_search_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT coalesce(current_setting('directory.defer_search_vectors', true), '') = 'on' THEN PERFORM publications_refresh_search(ARRAY(SELECT DISTINCT publication_id FROM old_rows)); END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION publications_authorship_search_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT coalesce(current_setting('directory.defer_search_vectors', true), '') = 'on' THEN PERFORM publications_refresh_search(ARRAY(SELECT publication_id FROM new_rows UNION SELECT publication_id FROM old_rows)); END IF;
    RETURN NULL;
END
$$;"""

# The trigger functions as 0007 wrote them.
BACKWARD = """
CREATE OR REPLACE FUNCTION publications_publication_search_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := publications_search_vector(NEW.id, NEW.title, NEW.venue, NEW.abstract);
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION publications_authorship_search_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_refresh_search(ARRAY(SELECT DISTINCT publication_id FROM new_rows));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION publications_authorship_search_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_refresh_search(ARRAY(SELECT DISTINCT publication_id FROM old_rows));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION publications_authorship_search_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_refresh_search(ARRAY(SELECT publication_id FROM new_rows UNION SELECT publication_id FROM old_rows));
    RETURN NULL;
END
$$;"""


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
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD)),
    ]
