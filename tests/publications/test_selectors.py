"""Reads of the publications about one researcher or one topic, for the pages that show them:
published ones only, newest first, counted by topic."""

import pytest

from publications.selectors import (
    publications_of_researcher,
    researcher_topic_counts,
    topic_publications,
)
from tests.factories import (
    AuthorFactory,
    PublicationFactory,
    ResearchTopicFactory,
    publication_with_authors,
    researcher_with_author,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics():
    return {
        slug: ResearchTopicFactory(slug=slug, name_fr=name, name_en=name)
        for slug, name in [("graphes", "Graphes"), ("optimisation", "Optimisation")]
    }


@pytest.fixture
def researcher(topics):
    """A researcher who signed three published works (one of them with a colleague) and a
    draft; the colleague signed another work alone."""
    researcher = researcher_with_author(given_name="Hélène", family_name="Côté")
    colleague = AuthorFactory(display_name="Ada Colleague")
    own = researcher.author
    works = [
        ("Older work", 2021, True, [own], ["graphes"]),
        ("Newest work", 2024, True, [colleague, own], ["graphes", "optimisation"]),
        ("Middle work", 2023, True, [own], []),
        ("Draft work", 2025, False, [own], ["graphes"]),
        ("The colleague's work", 2024, True, [colleague], ["optimisation"]),
    ]
    for title, year, is_published, authors, slugs in works:
        publication = publication_with_authors(
            authors, title=title, year=year, is_published=is_published
        )
        publication.topics.set([topics[slug] for slug in slugs])
    return researcher


def test_a_researchers_publications_are_the_published_ones_they_signed_newest_first(
    researcher,
):
    titles = [p.title for p in publications_of_researcher(researcher=researcher)]

    assert titles == ["Newest work", "Middle work", "Older work"]


def test_a_researcher_without_publications_has_none(db):
    assert not publications_of_researcher(researcher=researcher_with_author()).exists()


def test_topic_counts_count_the_researchers_published_publications(
    researcher, topics, django_assert_num_queries
):
    with django_assert_num_queries(1):
        counts = researcher_topic_counts(researcher=researcher)
    with django_assert_num_queries(0):
        kept = researcher_topic_counts(researcher=researcher)

    assert counts == kept == {topics["graphes"].pk: 2, topics["optimisation"].pk: 1}

    # A new publication moves the data on: the counts are read again.
    publication_with_authors([researcher.author], title="Later work").topics.add(
        topics["optimisation"]
    )
    assert researcher_topic_counts(researcher=researcher)[topics["optimisation"].pk] == 2


def test_a_topics_publications_are_its_published_ones_newest_first(researcher, topics):
    graphs = [p.title for p in topic_publications(topic=topics["graphes"])]
    optimisation = [p.title for p in topic_publications(topic=topics["optimisation"])]

    assert graphs == ["Newest work", "Older work"]
    assert sorted(optimisation) == ["Newest work", "The colleague's work"]


def test_a_topic_without_publications_lists_none(db):
    PublicationFactory()
    assert not topic_publications(topic=ResearchTopicFactory()).exists()
