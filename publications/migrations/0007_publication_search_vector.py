"""Full-text search on PostgreSQL: text search configurations, the weighted search vector kept
current by triggers, and the GIN indexes (the models declare them: see SearchIndex). On other
databases only the (unused) column and ordinary indexes are added.

The vector holds, from the highest weight down:
  A  the title, stemmed in French and in English, and as plain words;
  B  the authors' names as plain words, and the venue stemmed in French and in English;
  C  the abstract, stemmed in French and in English.
Every configuration strips accents first (unaccent), so "modèle" and "modele" match.

Triggers rather than application code keep it current, so that every way of writing (the admin,
imports with bulk inserts, merges, restores, plain SQL) updates it:
  - a publication's own row, before it is inserted or its title, venue or abstract change;
  - the publications of authorships inserted, moved or deleted, once per statement;
  - the publications of authors whose displayed name changed, once per statement.
"""

import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

import publications.models

FORWARD = """
CREATE TEXT SEARCH CONFIGURATION directory_fr (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION directory_fr
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
CREATE TEXT SEARCH CONFIGURATION directory_en (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION directory_en
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION directory_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION directory_simple
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

CREATE FUNCTION publications_search_vector(
    publication bigint, title text, venue text, abstract text
) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT
        setweight(
            to_tsvector('directory_fr', title)
            || to_tsvector('directory_en', title)
            || to_tsvector('directory_simple', title),
            'A'
        )
        || setweight(
            to_tsvector('directory_simple', coalesce((
                SELECT string_agg(author.display_name, ' ' ORDER BY authorship.position)
                FROM publications_authorship AS authorship
                JOIN publications_author AS author ON author.id = authorship.author_id
                WHERE authorship.publication_id = publication
            ), ''))
            || to_tsvector('directory_fr', venue)
            || to_tsvector('directory_en', venue),
            'B'
        )
        || setweight(
            to_tsvector('directory_fr', abstract) || to_tsvector('directory_en', abstract),
            'C'
        )
$$;

CREATE FUNCTION publications_publication_search_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := publications_search_vector(NEW.id, NEW.title, NEW.venue, NEW.abstract);
    RETURN NEW;
END
$$;
CREATE TRIGGER publications_publication_search
    BEFORE INSERT OR UPDATE OF title, venue, abstract ON publications_publication
    FOR EACH ROW EXECUTE FUNCTION publications_publication_search_row();

CREATE FUNCTION publications_refresh_search(publications bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE publications_publication
    SET search_vector = publications_search_vector(id, title, venue, abstract)
    WHERE id = ANY(publications)
$$;

CREATE FUNCTION publications_authorship_search_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_refresh_search(ARRAY(SELECT DISTINCT publication_id FROM new_rows));
    RETURN NULL;
END
$$;
CREATE FUNCTION publications_authorship_search_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_refresh_search(ARRAY(SELECT DISTINCT publication_id FROM old_rows));
    RETURN NULL;
END
$$;
CREATE FUNCTION publications_authorship_search_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_refresh_search(ARRAY(
        SELECT publication_id FROM new_rows UNION SELECT publication_id FROM old_rows
    ));
    RETURN NULL;
END
$$;
CREATE TRIGGER publications_authorship_search_insert
    AFTER INSERT ON publications_authorship REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION publications_authorship_search_added();
CREATE TRIGGER publications_authorship_search_delete
    AFTER DELETE ON publications_authorship REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION publications_authorship_search_removed();
CREATE TRIGGER publications_authorship_search_update
    AFTER UPDATE ON publications_authorship
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION publications_authorship_search_changed();

CREATE FUNCTION publications_author_search_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_refresh_search(ARRAY(
        SELECT DISTINCT authorship.publication_id
        FROM new_rows
        JOIN old_rows ON old_rows.id = new_rows.id
        JOIN publications_authorship AS authorship ON authorship.author_id = new_rows.id
        WHERE new_rows.display_name IS DISTINCT FROM old_rows.display_name
    ));
    RETURN NULL;
END
$$;
CREATE TRIGGER publications_author_search_update
    AFTER UPDATE ON publications_author
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION publications_author_search_renamed();

UPDATE publications_publication
SET search_vector = publications_search_vector(id, title, venue, abstract);
"""

BACKWARD = """
DROP TRIGGER publications_author_search_update ON publications_author;
DROP FUNCTION publications_author_search_renamed();
DROP TRIGGER publications_authorship_search_update ON publications_authorship;
DROP TRIGGER publications_authorship_search_delete ON publications_authorship;
DROP TRIGGER publications_authorship_search_insert ON publications_authorship;
DROP FUNCTION publications_authorship_search_changed();
DROP FUNCTION publications_authorship_search_removed();
DROP FUNCTION publications_authorship_search_added();
DROP FUNCTION publications_refresh_search(bigint[]);
DROP TRIGGER publications_publication_search ON publications_publication;
DROP FUNCTION publications_publication_search_row();
DROP FUNCTION publications_search_vector(bigint, text, text, text);
DROP TEXT SEARCH CONFIGURATION directory_simple;
DROP TEXT SEARCH CONFIGURATION directory_en;
DROP TEXT SEARCH CONFIGURATION directory_fr;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0006_publication_language"),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.AddField(
            model_name="publication",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True, serialize=False
            ),
        ),
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD)),
        # Built once the vectors are filled in.
        migrations.AddIndex(
            model_name="publication",
            index=publications.models.SearchIndex(
                fields=["search_vector"], name="publication_search_vector_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="author",
            index=publications.models.SearchIndex(
                fields=["name_key"], name="author_name_key_trgm_idx", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
