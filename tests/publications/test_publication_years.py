"""Publications per year of a researcher and of a topic: published works only, each counted
once, one query kept until the data changes."""

import pytest

from publications.models import Authorship
from publications.selectors import publication_years_of_researcher, publication_years_of_topic
from tests.factories import (
    AuthorFactory,
    PublicationFactory,
    ResearchTopicFactory,
    publication_with_authors,
    researcher_with_author,
)


@pytest.fixture
def ada(db):
    return researcher_with_author(given_name="Ada", family_name="Lovelace")


def test_a_researchers_years_count_their_published_works(ada):
    for year in (2019, 2019, 2021):
        publication_with_authors([ada.author, AuthorFactory()], year=year)
    publication_with_authors([ada.author], year=2020, is_published=False)
    publication_with_authors([AuthorFactory()], year=2020)  # someone else's

    assert publication_years_of_researcher(researcher=ada) == {2019: 2, 2021: 1}


def test_a_work_the_researcher_wrote_and_edited_counts_once(ada):
    publication = publication_with_authors([ada.author], year=2018)
    Authorship.objects.create(
        publication=publication, author=ada.author, position=1, role=Authorship.Role.EDITOR
    )

    assert publication_years_of_researcher(researcher=ada) == {2018: 1}


def test_a_researcher_without_works_has_no_years(ada):
    assert publication_years_of_researcher(researcher=ada) == {}


def test_a_researchers_years_are_one_query_then_kept_until_the_data_changes(
    ada, django_assert_num_queries
):
    publication_with_authors([ada.author], year=2019)
    with django_assert_num_queries(1):
        assert publication_years_of_researcher(researcher=ada) == {2019: 1}
    with django_assert_num_queries(0):
        assert publication_years_of_researcher(researcher=ada) == {2019: 1}

    publication_with_authors([ada.author], year=2019)
    assert publication_years_of_researcher(researcher=ada) == {2019: 2}


def test_a_topics_years_count_its_published_works(db, django_assert_num_queries):
    topic, other = ResearchTopicFactory(), ResearchTopicFactory()
    for year, is_published, topics in [
        (2010, True, [topic]),
        (2010, True, [topic, other]),
        (2012, True, [topic]),
        (2012, False, [topic]),
        (2011, True, [other]),
    ]:
        PublicationFactory(year=year, is_published=is_published).topics.set(topics)

    with django_assert_num_queries(1):
        assert publication_years_of_topic(topic=topic) == {2010: 2, 2012: 1}
    with django_assert_num_queries(0):
        assert publication_years_of_topic(topic=topic) == {2010: 2, 2012: 1}
    assert publication_years_of_topic(topic=other) == {2010: 1, 2011: 1}
    assert publication_years_of_topic(topic=ResearchTopicFactory()) == {}
