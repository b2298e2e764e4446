"""The reads behind a profile's publications: its key publications, and its list narrowed by
topic, year and words."""

import pytest

from publications.models import Authorship
from publications.selectors import (
    KEY_PUBLICATIONS_LIMIT,
    key_publications_of_researcher,
    publications_of_researcher_matching,
)
from tests.factories import (
    AuthorFactory,
    ResearchTopicFactory,
    publication_with_authors,
    researcher_with_author,
)

pytestmark = pytest.mark.django_db


def mark_key(publication, author) -> None:
    Authorship.objects.filter(publication=publication, author=author).update(is_key=True)


def titles(publications) -> list[str]:
    return [publication.title for publication in publications]


def test_key_publications_are_those_the_researchers_own_authorship_marks():
    ada = researcher_with_author(slug="ada")
    charles = researcher_with_author(slug="charles")
    hers = publication_with_authors([ada.author, charles.author], title="Hers", year=2020)
    his = publication_with_authors([ada.author, charles.author], title="His", year=2021)
    draft = publication_with_authors([ada.author], title="Draft", year=2022, is_published=False)
    mark_key(hers, ada.author)
    mark_key(his, charles.author)
    mark_key(draft, ada.author)

    assert titles(key_publications_of_researcher(researcher=ada)) == ["Hers"]
    assert titles(key_publications_of_researcher(researcher=charles)) == ["His"]


def test_key_publications_are_the_newest_few():
    ada = researcher_with_author(slug="ada")
    for year in range(2010, 2018):
        publication = publication_with_authors([ada.author], title=f"Key of {year}", year=year)
        mark_key(publication, ada.author)

    shown = titles(key_publications_of_researcher(researcher=ada))

    assert len(shown) == KEY_PUBLICATIONS_LIMIT == 5
    assert shown == [f"Key of {year}" for year in range(2017, 2012, -1)]


def test_the_profile_list_lists_a_work_written_and_edited_by_the_researcher_once():
    ada = researcher_with_author(slug="ada")
    book = publication_with_authors([ada.author], title="Collected notes")
    Authorship.objects.create(
        publication=book, author=ada.author, position=1, role=Authorship.Role.EDITOR
    )

    assert titles(publications_of_researcher_matching(researcher=ada)) == ["Collected notes"]


def test_the_profile_list_narrows_by_topic_year_and_words_newest_first():
    ada = researcher_with_author(slug="ada")
    graphs = ResearchTopicFactory(slug="graphs")
    rows = [
        ("Graph engines", 2021, [graphs]),
        ("Graph notes", 2019, [graphs]),
        ("Engine notes", 2021, []),
        ("Graph engines again", 2023, [graphs]),
    ]
    for title, year, topics in rows:
        publication_with_authors([ada.author], title=title, year=year).topics.set(topics)
    publication_with_authors([AuthorFactory()], title="Someone's graph engines", year=2021)

    def matching(**filters) -> list[str]:
        return titles(publications_of_researcher_matching(researcher=ada, **filters))

    assert matching() == ["Graph engines again", "Engine notes", "Graph engines", "Graph notes"]
    assert matching(topic=graphs) == ["Graph engines again", "Graph engines", "Graph notes"]
    assert sorted(matching(year=2021)) == ["Engine notes", "Graph engines"]
    # Words are searched as on the publication list, and the newest still come first.
    assert matching(text="graph engines") == ["Graph engines again", "Graph engines"]
    assert matching(topic=graphs, year=2021, text="graph engines") == ["Graph engines"]
