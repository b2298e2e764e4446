"""Each research topic's number of published publications, kept exact by triggers.

The topic index and the publication list's topic facet showed these counts by counting every
topic link of every published publication on each first visit. The table holds them instead,
and triggers keep it current in the transaction of any write:

  - links added, removed or changed: the counts of their topics, for published publications;
  - a publication published or withdrawn: the counts of its topics, one up or down;
  - a published publication deleted while it still has links (Django deletes the links first,
    plain SQL may not): the counts of its topics, one down each;
  - a topic deleted: its row.

Counts move by differences, never by counting again, so that two transactions writing links of
one topic at the same time both count; a count goes down by an UPDATE, never by an INSERT of a
negative number, which the column's check would refuse before the conflict with its row. PostgreSQL counts the links a statement wrote at once;
SQLite (the demo) has row triggers only. On SQLite, a migration that rebuilds one of these three
tables drops its triggers: it must create them again (tests/publications/test_facets.py fails
otherwise).
"""

from django.db import migrations, models

POSTGRESQL_FORWARD = [
    """
CREATE FUNCTION publications_topic_links_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO publications_topicpublicationcount AS tally (topic_id, published)
    SELECT link.researchtopic_id, count(*)
    FROM new_links AS link
    JOIN publications_publication AS publication ON publication.id = link.publication_id
    WHERE publication.is_published
    GROUP BY link.researchtopic_id
    ON CONFLICT (topic_id) DO UPDATE SET published = tally.published + EXCLUDED.published;
    RETURN NULL;
END
$$;
""",
    """
CREATE FUNCTION publications_topic_links_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE publications_topicpublicationcount AS tally
    SET published = tally.published - removed.total
    FROM (
        SELECT link.researchtopic_id, count(*) AS total
        FROM old_links AS link
        JOIN publications_publication AS publication ON publication.id = link.publication_id
        WHERE publication.is_published
        GROUP BY link.researchtopic_id
    ) AS removed
    WHERE tally.topic_id = removed.researchtopic_id;
    RETURN NULL;
END
$$;
""",
    """
CREATE FUNCTION publications_topic_links_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE publications_topicpublicationcount AS tally
    SET published = tally.published - removed.total
    FROM (
        SELECT link.researchtopic_id, count(*) AS total
        FROM old_links AS link
        JOIN publications_publication AS publication ON publication.id = link.publication_id
        WHERE publication.is_published
        GROUP BY link.researchtopic_id
    ) AS removed
    WHERE tally.topic_id = removed.researchtopic_id;
    INSERT INTO publications_topicpublicationcount AS tally (topic_id, published)
    SELECT link.researchtopic_id, count(*)
    FROM new_links AS link
    JOIN publications_publication AS publication ON publication.id = link.publication_id
    WHERE publication.is_published
    GROUP BY link.researchtopic_id
    ON CONFLICT (topic_id) DO UPDATE SET published = tally.published + EXCLUDED.published;
    RETURN NULL;
END
$$;
""",
    """
CREATE TRIGGER publications_topic_links_insert
    AFTER INSERT ON publications_publication_topics REFERENCING NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION publications_topic_links_added();
""",
    """
CREATE TRIGGER publications_topic_links_delete
    AFTER DELETE ON publications_publication_topics REFERENCING OLD TABLE AS old_links
    FOR EACH STATEMENT EXECUTE FUNCTION publications_topic_links_removed();
""",
    """
CREATE TRIGGER publications_topic_links_update
    AFTER UPDATE ON publications_publication_topics
    REFERENCING OLD TABLE AS old_links NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION publications_topic_links_changed();
""",
    """
CREATE FUNCTION publications_publication_topics_published() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.is_published THEN
        INSERT INTO publications_topicpublicationcount AS tally (topic_id, published)
        SELECT link.researchtopic_id, 1
        FROM publications_publication_topics AS link
        WHERE link.publication_id = NEW.id
        ON CONFLICT (topic_id) DO UPDATE SET published = tally.published + 1;
    ELSE
        UPDATE publications_topicpublicationcount
        SET published = published - 1
        WHERE topic_id IN (
            SELECT researchtopic_id FROM publications_publication_topics
            WHERE publication_id = NEW.id
        );
    END IF;
    RETURN NULL;
END
$$;
""",
    """
CREATE TRIGGER publications_publication_topics_published
    AFTER UPDATE OF is_published ON publications_publication
    FOR EACH ROW WHEN (OLD.is_published IS DISTINCT FROM NEW.is_published)
    EXECUTE FUNCTION publications_publication_topics_published();
""",
    """
CREATE FUNCTION publications_publication_topics_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE publications_topicpublicationcount
    SET published = published - 1
    WHERE topic_id IN (
        SELECT researchtopic_id FROM publications_publication_topics WHERE publication_id = OLD.id
    );
    RETURN OLD;
END
$$;
""",
    """
CREATE TRIGGER publications_publication_topics_deleted
    BEFORE DELETE ON publications_publication
    FOR EACH ROW WHEN (OLD.is_published)
    EXECUTE FUNCTION publications_publication_topics_deleted();
""",
    """
CREATE FUNCTION publications_topic_count_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM publications_topicpublicationcount WHERE topic_id = OLD.id;
    RETURN NULL;
END
$$;
""",
    """
CREATE TRIGGER publications_topic_count_deleted
    AFTER DELETE ON profiles_researchtopic
    FOR EACH ROW EXECUTE FUNCTION publications_topic_count_deleted();
""",
]

POSTGRESQL_BACKWARD = [
    "DROP TRIGGER publications_topic_count_deleted ON profiles_researchtopic;",
    "DROP FUNCTION publications_topic_count_deleted();",
    "DROP TRIGGER publications_publication_topics_deleted ON publications_publication;",
    "DROP FUNCTION publications_publication_topics_deleted();",
    "DROP TRIGGER publications_publication_topics_published ON publications_publication;",
    "DROP FUNCTION publications_publication_topics_published();",
    "DROP TRIGGER publications_topic_links_update ON publications_publication_topics;",
    "DROP TRIGGER publications_topic_links_delete ON publications_publication_topics;",
    "DROP TRIGGER publications_topic_links_insert ON publications_publication_topics;",
    "DROP FUNCTION publications_topic_links_changed();",
    "DROP FUNCTION publications_topic_links_removed();",
    "DROP FUNCTION publications_topic_links_added();",
]

SQLITE_FORWARD = [
    """
CREATE TRIGGER publications_topic_links_insert
AFTER INSERT ON publications_publication_topics
FOR EACH ROW WHEN (SELECT is_published FROM publications_publication WHERE id = NEW.publication_id)
BEGIN
    INSERT INTO publications_topicpublicationcount (topic_id, published)
    VALUES (NEW.researchtopic_id, 1)
    ON CONFLICT (topic_id) DO UPDATE SET published = published + 1;
END;
""",
    """
CREATE TRIGGER publications_topic_links_delete
AFTER DELETE ON publications_publication_topics
FOR EACH ROW WHEN (SELECT is_published FROM publications_publication WHERE id = OLD.publication_id)
BEGIN
    UPDATE publications_topicpublicationcount
    SET published = published - 1
    WHERE topic_id = OLD.researchtopic_id;
END;
""",
    """
CREATE TRIGGER publications_topic_links_update_old
AFTER UPDATE ON publications_publication_topics
FOR EACH ROW WHEN (SELECT is_published FROM publications_publication WHERE id = OLD.publication_id)
BEGIN
    UPDATE publications_topicpublicationcount
    SET published = published - 1
    WHERE topic_id = OLD.researchtopic_id;
END;
""",
    """
CREATE TRIGGER publications_topic_links_update_new
AFTER UPDATE ON publications_publication_topics
FOR EACH ROW WHEN (SELECT is_published FROM publications_publication WHERE id = NEW.publication_id)
BEGIN
    INSERT INTO publications_topicpublicationcount (topic_id, published)
    VALUES (NEW.researchtopic_id, 1)
    ON CONFLICT (topic_id) DO UPDATE SET published = published + 1;
END;
""",
    """
CREATE TRIGGER publications_publication_topics_published
AFTER UPDATE OF is_published ON publications_publication
FOR EACH ROW WHEN NEW.is_published AND NOT OLD.is_published
BEGIN
    INSERT INTO publications_topicpublicationcount (topic_id, published)
    SELECT researchtopic_id, 1
    FROM publications_publication_topics
    WHERE publication_id = NEW.id
    ON CONFLICT (topic_id) DO UPDATE SET published = published + 1;
END;
""",
    """
CREATE TRIGGER publications_publication_topics_withdrawn
AFTER UPDATE OF is_published ON publications_publication
FOR EACH ROW WHEN OLD.is_published AND NOT NEW.is_published
BEGIN
    UPDATE publications_topicpublicationcount
    SET published = published - 1
    WHERE topic_id IN (
        SELECT researchtopic_id FROM publications_publication_topics WHERE publication_id = NEW.id
    );
END;
""",
    """
CREATE TRIGGER publications_publication_topics_deleted
BEFORE DELETE ON publications_publication
FOR EACH ROW WHEN OLD.is_published
BEGIN
    UPDATE publications_topicpublicationcount
    SET published = published - 1
    WHERE topic_id IN (
        SELECT researchtopic_id FROM publications_publication_topics WHERE publication_id = OLD.id
    );
END;
""",
    """
CREATE TRIGGER publications_topic_count_deleted
AFTER DELETE ON profiles_researchtopic
FOR EACH ROW
BEGIN
    DELETE FROM publications_topicpublicationcount WHERE topic_id = OLD.id;
END;
""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER publications_topic_count_deleted;",
    "DROP TRIGGER publications_publication_topics_deleted;",
    "DROP TRIGGER publications_publication_topics_withdrawn;",
    "DROP TRIGGER publications_publication_topics_published;",
    "DROP TRIGGER publications_topic_links_update_new;",
    "DROP TRIGGER publications_topic_links_update_old;",
    "DROP TRIGGER publications_topic_links_delete;",
    "DROP TRIGGER publications_topic_links_insert;",
]

# The counts of the links already there (both databases).
FILL = """
INSERT INTO publications_topicpublicationcount (topic_id, published)
SELECT link.researchtopic_id, count(*)
FROM publications_publication_topics AS link
JOIN publications_publication AS publication ON publication.id = link.publication_id
WHERE publication.is_published
GROUP BY link.researchtopic_id
"""

STATEMENTS = {
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def triggers_create(apps, schema_editor):
    forward, _backward = STATEMENTS[schema_editor.connection.vendor]
    for statement in [*forward, FILL]:
        schema_editor.execute(statement)


def triggers_drop(apps, schema_editor):
    _forward, backward = STATEMENTS[schema_editor.connection.vendor]
    for statement in backward:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0006_text_without_control_characters"),
        ("publications", "0014_text_without_control_characters"),
    ]

    operations = [
        migrations.CreateModel(
            name="TopicPublicationCount",
            fields=[
                (
                    "topic",
                    models.OneToOneField(
                        on_delete=models.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="profiles.researchtopic",
                    ),
                ),
                ("published", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
