"""The number of published publications of each topic, kept by the database: exact after every
kind of write, and what the topic index and the list's topic facet show without counting links."""

import re

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from profiles.models import ResearchTopic
from publications.models import Publication, TopicPublicationCount
from tests.factories import (
    AuthorFactory,
    PublicationFactory,
    publication_with_authors,
    researcher_with_author,
)
from tests.pages import checkbox_counts, titles

pytestmark = pytest.mark.django_db

Link = Publication.topics.through


def kept() -> dict[str, int]:
    """The counts the database keeps, by topic slug (a topic without any left out)."""
    slugs = dict(ResearchTopic.objects.values_list("pk", "slug"))
    return {
        slugs[topic]: published
        for topic, published in TopicPublicationCount.objects.values_list("topic", "published")
        if published
    }


def counted() -> dict[str, int]:
    """The same counts, counted from the links."""
    links = Link.objects.filter(publication__is_published=True)
    return dict(
        links.values_list("researchtopic__slug")
        .annotate(n=Count("*"))
        .values_list("researchtopic__slug", "n")
    )


@pytest.fixture
def topics() -> dict[str, ResearchTopic]:
    return {
        slug: ResearchTopic.objects.create(slug=slug, name_fr=slug.title(), name_en=slug.title())
        for slug in ("algebra", "biology", "chemistry")
    }


@pytest.fixture
def papers(topics) -> list[Publication]:
    first, second, draft = (
        PublicationFactory(title="First"),
        PublicationFactory(title="Second"),
        PublicationFactory(title="Draft", is_published=False),
    )
    first.topics.set([topics["algebra"], topics["biology"]])
    second.topics.set([topics["algebra"]])
    draft.topics.set([topics["algebra"], topics["chemistry"]])
    return [first, second, draft]


def test_links_added_and_removed_one_at_a_time(papers, topics):
    first, second, draft = papers
    assert kept() == counted() == {"algebra": 2, "biology": 1}

    second.topics.add(topics["chemistry"])
    first.topics.remove(topics["algebra"])
    draft.topics.remove(topics["chemistry"])

    assert kept() == counted() == {"algebra": 1, "biology": 1, "chemistry": 1}
    first.topics.clear()
    assert kept() == counted() == {"algebra": 1, "chemistry": 1}


def test_links_written_in_bulk(papers, topics):
    more = [PublicationFactory(title=f"Paper {n}") for n in range(4)]
    Link.objects.bulk_create(
        Link(publication=paper, researchtopic=topics["biology"]) for paper in more
    )
    assert kept() == counted() == {"algebra": 2, "biology": 5}

    Link.objects.filter(researchtopic=topics["biology"]).update(researchtopic=topics["chemistry"])
    assert kept() == counted() == {"algebra": 2, "chemistry": 5}

    Link.objects.filter(publication__in=more[:3]).delete()
    assert kept() == counted() == {"algebra": 2, "chemistry": 2}


def test_publishing_and_withdrawing(papers):
    first, second, draft = papers
    draft.is_published = True
    draft.save()
    assert kept() == counted() == {"algebra": 3, "biology": 1, "chemistry": 1}

    Publication.objects.filter(pk__in=[first.pk, draft.pk]).update(is_published=False)
    assert kept() == counted() == {"algebra": 1}

    second.is_published = False
    second.save(update_fields=["is_published"])
    second.save()  # saved again unchanged: nothing moves
    assert kept() == counted() == {}


def test_deleting_publications_and_topics(papers, topics):
    first, _second, draft = papers
    first.delete()
    draft.delete()
    assert kept() == counted() == {"algebra": 1}

    topics["algebra"].delete()
    assert kept() == counted() == {}
    assert not TopicPublicationCount.objects.filter(topic_id=topics["algebra"].pk).exists()


def test_a_publication_deleted_before_its_links(papers):
    """Django deletes the links first; plain SQL may delete the publication first (the foreign
    key is checked at commit)."""
    first = papers[0]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM publications_publication WHERE id = %s", [first.pk])
        cursor.execute(
            "DELETE FROM publications_publication_topics WHERE publication_id = %s", [first.pk]
        )

    assert kept() == counted() == {"algebra": 1}


def test_the_list_filtered_by_a_topic_reads_the_topic_facet_without_counting_links(
    client, papers, topics
):
    PublicationFactory(title="Third").topics.add(topics["biology"])

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/fr/publications/", {"topic": "biology"})

    assert checkbox_counts(response, "topic") == {"biology": 2, "algebra": 2}
    links_counted = [
        query["sql"]
        for query in queries
        if query["sql"].startswith('SELECT "publications_publication_topics"."researchtopic_id"')
        and "COUNT(" in query["sql"]
    ]
    assert links_counted == []


def test_the_facets_use_the_filters_the_list_validated(client, papers, topics):
    """Each facet counts with every filter but its own, without validating the query string
    again: the chosen topics and researcher are looked up once, not once per facet."""
    lead = researcher_with_author(slug="lead")
    papers[0].authorships.create(author=lead.author, position=1)
    params = {"topic": ["biology", "chemistry"], "researcher": "lead", "kind": "inproceedings"}

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/fr/publications/", params)

    assert titles(response) == ["First"]
    assert checkbox_counts(response, "topic") == {"biology": 1, "chemistry": 0, "algebra": 1}
    lookups = [query["sql"] for query in queries]
    assert sum('FROM "profiles_researchtopic" WHERE' in sql for sql in lookups) == 1
    assert sum('FROM "profiles_researcher" WHERE' in sql for sql in lookups) == 1


def test_the_topic_facet_of_a_search_counts_its_matches(client, papers, topics):
    publication_with_authors([AuthorFactory()], title="Second thoughts").topics.add(
        topics["chemistry"]
    )

    response = client.get("/fr/publications/", {"q": "second", "topic": "algebra"})

    assert checkbox_counts(response, "topic") == {"algebra": 1, "chemistry": 1}


def test_the_topic_index_shows_the_kept_counts(client, papers):
    response = client.get("/fr/sujets/")
    items = response.content.decode().split('<li class="topic-index__item">')[1:]
    shown = {
        re.search(r'class="topic-index__name"[^>]*>([^<]+)<', item).group(1): " ".join(
            re.sub(
                r"<[^>]+>", " ", item.split("</li>")[0].split('topic-index__counts">')[1]
            ).split()
        )
        for item in items
    }

    assert shown == {
        "Algebra": "0 chercheur · 2 publications",
        "Biology": "0 chercheur · 1 publication",
        "Chemistry": "0 chercheur · aucune publication",
    }
