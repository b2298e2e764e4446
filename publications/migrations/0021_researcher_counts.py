"""Each researcher's published publications counted per year and per topic, and their joint
works with each coauthor, kept exact by the database in the transaction of any write.

A profile counted these on each first visit, most of what a profile cost right after an edit.
The tables hold them instead. One recount rule,
written once per database, counts a researcher again from the authorships:

  - per year and per topic: the published publications the researcher signed, as an author or
    an editor, each once;
  - per coauthor: the other authors' authorships of the published works the researcher signed
    as an author (an author's own authorships are never their coauthors').

Triggers recount the researchers a write concerns: every researcher signing a publication whose
authorships, topics, year or publication state changed (a new author changes the coauthors of
everyone on it), and both researchers of an author whose link to a researcher changed. Deleting
a researcher, a topic or an author removes their links first, which recounts.

PostgreSQL recounts once per statement (transition tables), under a lock per researcher taken
in the order of their ids and held until the transaction ends: two transactions never recount
the same researcher at once, and each recount reads what was committed before it. (Two
transactions that recount two researchers in opposite orders, over several statements each,
would wait for each other: PostgreSQL then cancels one, which its caller may run again. An
editor's save touches one publication's researchers, in one order.) SQLite (the
demo) has row triggers only, and one writer at a time: each row's researchers are recounted
through the view publications_recount, whose INSTEAD OF trigger holds the rule. Both read
who signs what from the view publications_signer. On SQLite, a
migration that rebuilds one of the tables these triggers watch drops them: it must create them
again (tests/publications/test_researcher_counts.py fails otherwise).
"""

import django.db.models.deletion
from django.db import migrations, models

# Who signs what: each authorship of an author who is a researcher, as (publication, researcher).
SIGNER_VIEW = """
CREATE VIEW publications_signer AS
SELECT authorship.publication_id, author.researcher_id
FROM publications_authorship AS authorship
JOIN publications_author AS author ON author.id = authorship.author_id
WHERE author.researcher_id IS NOT NULL;
"""

POSTGRESQL_FORWARD = [
    SIGNER_VIEW,
    """
CREATE FUNCTION publications_recount(researchers bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    chosen bigint;
BEGIN
    FOR chosen IN SELECT DISTINCT id FROM unnest(researchers) AS id WHERE id IS NOT NULL ORDER BY id
    LOOP
        PERFORM pg_advisory_xact_lock(hashtext('publications_recount'), chosen::integer);
        DELETE FROM publications_researcheryearcount WHERE researcher_id = chosen;
        DELETE FROM publications_researchertopiccount WHERE researcher_id = chosen;
        DELETE FROM publications_coauthorcount WHERE researcher_id = chosen;
        INSERT INTO publications_researcheryearcount (researcher_id, year, published)
        SELECT chosen, publication.year, count(*)
        FROM publications_publication AS publication
        WHERE publication.is_published AND publication.id IN (
            SELECT publication_id FROM publications_signer WHERE researcher_id = chosen
        )
        GROUP BY publication.year;
        INSERT INTO publications_researchertopiccount (researcher_id, topic_id, published)
        SELECT chosen, link.researchtopic_id, count(*)
        FROM publications_publication_topics AS link
        JOIN publications_publication AS publication ON publication.id = link.publication_id
        WHERE publication.is_published AND link.publication_id IN (
            SELECT publication_id FROM publications_signer WHERE researcher_id = chosen
        )
        GROUP BY link.researchtopic_id;
        INSERT INTO publications_coauthorcount (researcher_id, author_id, joint)
        SELECT chosen, other.author_id, count(*)
        FROM publications_authorship AS other
        JOIN publications_author AS coauthor ON coauthor.id = other.author_id
        WHERE other.role = 'author'
            AND coauthor.researcher_id IS DISTINCT FROM chosen
            AND other.publication_id IN (
                SELECT authorship.publication_id
                FROM publications_authorship AS authorship
                JOIN publications_author AS author ON author.id = authorship.author_id
                JOIN publications_publication AS publication
                    ON publication.id = authorship.publication_id
                WHERE author.researcher_id = chosen
                    AND authorship.role = 'author'
                    AND publication.is_published
            )
        GROUP BY other.author_id;
    END LOOP;
END
$$;
""",
    """
CREATE FUNCTION publications_recount_signers(publications bigint[], authors bigint[])
RETURNS void
LANGUAGE sql AS $$
SELECT publications_recount(ARRAY(
    SELECT researcher_id FROM publications_signer WHERE publication_id = ANY(publications)
    UNION
    SELECT author.researcher_id
    FROM publications_author AS author
    WHERE author.id = ANY(authors) AND author.researcher_id IS NOT NULL
));
$$;
""",
    """
CREATE FUNCTION publications_authorships_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_recount_signers(
        ARRAY(SELECT publication_id FROM new_rows), ARRAY(SELECT author_id FROM new_rows)
    );
    RETURN NULL;
END
$$;
""",
    """
CREATE FUNCTION publications_authorships_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_recount_signers(
        ARRAY(SELECT publication_id FROM old_rows), ARRAY(SELECT author_id FROM old_rows)
    );
    RETURN NULL;
END
$$;
""",
    """
CREATE FUNCTION publications_authorships_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_recount_signers(
        ARRAY(SELECT publication_id FROM new_rows UNION SELECT publication_id FROM old_rows),
        ARRAY(SELECT author_id FROM old_rows)
    );
    RETURN NULL;
END
$$;
""",
    """
CREATE TRIGGER publications_recount_authorships_insert
    AFTER INSERT ON publications_authorship REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION publications_authorships_added();
""",
    """
CREATE TRIGGER publications_recount_authorships_delete
    AFTER DELETE ON publications_authorship REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION publications_authorships_removed();
""",
    """
CREATE TRIGGER publications_recount_authorships_update
    AFTER UPDATE ON publications_authorship
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION publications_authorships_changed();
""",
    """
CREATE FUNCTION publications_topic_links_recount_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_recount_signers(ARRAY(SELECT publication_id FROM new_rows), '{}');
    RETURN NULL;
END
$$;
""",
    """
CREATE FUNCTION publications_topic_links_recount_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_recount_signers(ARRAY(SELECT publication_id FROM old_rows), '{}');
    RETURN NULL;
END
$$;
""",
    """
CREATE FUNCTION publications_topic_links_recount_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_recount_signers(
        ARRAY(SELECT publication_id FROM new_rows UNION SELECT publication_id FROM old_rows), '{}'
    );
    RETURN NULL;
END
$$;
""",
    """
CREATE TRIGGER publications_recount_topic_links_insert
    AFTER INSERT ON publications_publication_topics REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION publications_topic_links_recount_added();
""",
    """
CREATE TRIGGER publications_recount_topic_links_delete
    AFTER DELETE ON publications_publication_topics REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION publications_topic_links_recount_removed();
""",
    """
CREATE TRIGGER publications_recount_topic_links_update
    AFTER UPDATE ON publications_publication_topics
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION publications_topic_links_recount_changed();
""",
    """
CREATE FUNCTION publications_publications_recount_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_recount_signers(
        ARRAY(
            SELECT new_rows.id
            FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
            WHERE new_rows.is_published IS DISTINCT FROM old_rows.is_published
                OR new_rows.year IS DISTINCT FROM old_rows.year
        ),
        '{}'
    );
    RETURN NULL;
END
$$;
""",
    """
CREATE TRIGGER publications_recount_publications_update
    AFTER UPDATE ON publications_publication
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION publications_publications_recount_changed();
""",
    """
CREATE FUNCTION publications_authors_recount_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM publications_recount(ARRAY(
        SELECT old_rows.researcher_id
        FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
        WHERE new_rows.researcher_id IS DISTINCT FROM old_rows.researcher_id
        UNION
        SELECT new_rows.researcher_id
        FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id
        WHERE new_rows.researcher_id IS DISTINCT FROM old_rows.researcher_id
    ));
    RETURN NULL;
END
$$;
""",
    """
CREATE TRIGGER publications_recount_authors_update
    AFTER UPDATE ON publications_author
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION publications_authors_recount_changed();
""",
]

POSTGRESQL_BACKWARD = [
    "DROP TRIGGER publications_recount_authors_update ON publications_author;",
    "DROP FUNCTION publications_authors_recount_changed();",
    "DROP TRIGGER publications_recount_publications_update ON publications_publication;",
    "DROP FUNCTION publications_publications_recount_changed();",
    "DROP TRIGGER publications_recount_topic_links_update ON publications_publication_topics;",
    "DROP TRIGGER publications_recount_topic_links_delete ON publications_publication_topics;",
    "DROP TRIGGER publications_recount_topic_links_insert ON publications_publication_topics;",
    "DROP FUNCTION publications_topic_links_recount_changed();",
    "DROP FUNCTION publications_topic_links_recount_removed();",
    "DROP FUNCTION publications_topic_links_recount_added();",
    "DROP TRIGGER publications_recount_authorships_update ON publications_authorship;",
    "DROP TRIGGER publications_recount_authorships_delete ON publications_authorship;",
    "DROP TRIGGER publications_recount_authorships_insert ON publications_authorship;",
    "DROP FUNCTION publications_authorships_changed();",
    "DROP FUNCTION publications_authorships_removed();",
    "DROP FUNCTION publications_authorships_added();",
    "DROP FUNCTION publications_recount_signers(bigint[], bigint[]);",
    "DROP FUNCTION publications_recount(bigint[]);",
    "DROP VIEW publications_signer;",
]

POSTGRESQL_FILL = "SELECT publications_recount(ARRAY(SELECT id FROM profiles_researcher));"

SQLITE_FORWARD = [
    SIGNER_VIEW,
    # Inserting a researcher's id into this view recounts the researcher.
    "CREATE VIEW publications_recount AS SELECT NULL AS researcher_id;",
    """
CREATE TRIGGER publications_recount_researcher
INSTEAD OF INSERT ON publications_recount
FOR EACH ROW
WHEN NEW.researcher_id IS NOT NULL
BEGIN
    DELETE FROM publications_researcheryearcount WHERE researcher_id = NEW.researcher_id;
    DELETE FROM publications_researchertopiccount WHERE researcher_id = NEW.researcher_id;
    DELETE FROM publications_coauthorcount WHERE researcher_id = NEW.researcher_id;
    INSERT INTO publications_researcheryearcount (researcher_id, year, published)
    SELECT NEW.researcher_id, publication.year, count(*)
    FROM publications_publication AS publication
    WHERE publication.is_published AND publication.id IN (
        SELECT publication_id FROM publications_signer WHERE researcher_id = NEW.researcher_id
    )
    GROUP BY publication.year;
    INSERT INTO publications_researchertopiccount (researcher_id, topic_id, published)
    SELECT NEW.researcher_id, link.researchtopic_id, count(*)
    FROM publications_publication_topics AS link
    JOIN publications_publication AS publication ON publication.id = link.publication_id
    WHERE publication.is_published AND link.publication_id IN (
        SELECT publication_id FROM publications_signer WHERE researcher_id = NEW.researcher_id
    )
    GROUP BY link.researchtopic_id;
    INSERT INTO publications_coauthorcount (researcher_id, author_id, joint)
    SELECT NEW.researcher_id, other.author_id, count(*)
    FROM publications_authorship AS other
    JOIN publications_author AS coauthor ON coauthor.id = other.author_id
    WHERE other.role = 'author'
        AND coauthor.researcher_id IS NOT NEW.researcher_id
        AND other.publication_id IN (
            SELECT authorship.publication_id
            FROM publications_authorship AS authorship
            JOIN publications_author AS author ON author.id = authorship.author_id
            JOIN publications_publication AS publication
                ON publication.id = authorship.publication_id
            WHERE author.researcher_id = NEW.researcher_id
                AND authorship.role = 'author'
                AND publication.is_published
        )
    GROUP BY other.author_id;
END;
""",
    """
CREATE TRIGGER publications_recount_authorships_insert
AFTER INSERT ON publications_authorship
FOR EACH ROW
BEGIN
    INSERT INTO publications_recount (researcher_id)
    SELECT DISTINCT researcher_id FROM publications_signer WHERE publication_id = NEW.publication_id;
END;
""",
    """
CREATE TRIGGER publications_recount_authorships_delete
AFTER DELETE ON publications_authorship
FOR EACH ROW
BEGIN
    INSERT INTO publications_recount (researcher_id)
    SELECT researcher_id FROM publications_signer WHERE publication_id = OLD.publication_id
    UNION
    SELECT researcher_id FROM publications_author
    WHERE id = OLD.author_id AND researcher_id IS NOT NULL;
END;
""",
    """
CREATE TRIGGER publications_recount_authorships_update
AFTER UPDATE ON publications_authorship
FOR EACH ROW
BEGIN
    INSERT INTO publications_recount (researcher_id)
    SELECT researcher_id FROM publications_signer
    WHERE publication_id IN (NEW.publication_id, OLD.publication_id)
    UNION
    SELECT researcher_id FROM publications_author
    WHERE id = OLD.author_id AND researcher_id IS NOT NULL;
END;
""",
    """
CREATE TRIGGER publications_recount_topic_links_insert
AFTER INSERT ON publications_publication_topics
FOR EACH ROW
BEGIN
    INSERT INTO publications_recount (researcher_id)
    SELECT DISTINCT researcher_id FROM publications_signer WHERE publication_id = NEW.publication_id;
END;
""",
    """
CREATE TRIGGER publications_recount_topic_links_delete
AFTER DELETE ON publications_publication_topics
FOR EACH ROW
BEGIN
    INSERT INTO publications_recount (researcher_id)
    SELECT DISTINCT researcher_id FROM publications_signer WHERE publication_id = OLD.publication_id;
END;
""",
    """
CREATE TRIGGER publications_recount_topic_links_update
AFTER UPDATE ON publications_publication_topics
FOR EACH ROW
BEGIN
    INSERT INTO publications_recount (researcher_id)
    SELECT DISTINCT researcher_id FROM publications_signer
    WHERE publication_id IN (NEW.publication_id, OLD.publication_id);
END;
""",
    """
CREATE TRIGGER publications_recount_publications_update
AFTER UPDATE OF is_published, year ON publications_publication
FOR EACH ROW
WHEN NEW.is_published IS NOT OLD.is_published OR NEW.year IS NOT OLD.year
BEGIN
    INSERT INTO publications_recount (researcher_id)
    SELECT DISTINCT researcher_id FROM publications_signer WHERE publication_id = NEW.id;
END;
""",
    """
CREATE TRIGGER publications_recount_authors_update
AFTER UPDATE OF researcher_id ON publications_author
FOR EACH ROW
WHEN NEW.researcher_id IS NOT OLD.researcher_id
BEGIN
    INSERT INTO publications_recount (researcher_id) VALUES (OLD.researcher_id);
    INSERT INTO publications_recount (researcher_id) VALUES (NEW.researcher_id);
END;
""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER publications_recount_authors_update;",
    "DROP TRIGGER publications_recount_publications_update;",
    "DROP TRIGGER publications_recount_topic_links_update;",
    "DROP TRIGGER publications_recount_topic_links_delete;",
    "DROP TRIGGER publications_recount_topic_links_insert;",
    "DROP TRIGGER publications_recount_authorships_update;",
    "DROP TRIGGER publications_recount_authorships_delete;",
    "DROP TRIGGER publications_recount_authorships_insert;",
    "DROP TRIGGER publications_recount_researcher;",
    "DROP VIEW publications_recount;",
    "DROP VIEW publications_signer;",
]

SQLITE_FILL = "INSERT INTO publications_recount (researcher_id) SELECT id FROM profiles_researcher;"

STATEMENTS = {
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_FILL, POSTGRESQL_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_FILL, SQLITE_BACKWARD),
}


def triggers_create(apps, schema_editor):
    forward, fill, _backward = STATEMENTS[schema_editor.connection.vendor]
    for statement in [*forward, fill]:
        schema_editor.execute(statement)


def triggers_drop(apps, schema_editor):
    _forward, _fill, backward = STATEMENTS[schema_editor.connection.vendor]
    for statement in backward:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0010_editors_curate_supervisions"),
        ("publications", "0020_published_and_topic_link_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CoauthorCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("joint", models.PositiveIntegerField()),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="publications.author",
                    ),
                ),
                (
                    "researcher",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="profiles.researcher",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("researcher", "author"), name="publications_coauthor_count_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ResearcherTopicCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("published", models.PositiveIntegerField()),
                (
                    "researcher",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="profiles.researcher",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="profiles.researchtopic",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("researcher", "topic"),
                        name="publications_researcher_topic_count_unique",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ResearcherYearCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField()),
                ("published", models.PositiveIntegerField()),
                (
                    "researcher",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="profiles.researcher",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("researcher", "year"),
                        name="publications_researcher_year_count_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
