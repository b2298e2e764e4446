"""A researcher's coauthors: who signed published works with them, how often, and where their
name leads."""

import pytest
from django.utils import translation

from publications.models import Authorship
from publications.selectors import coauthors_of_researcher, most_frequent_coauthors
from tests.factories import (
    AuthorFactory,
    ResearcherFactory,
    publication_with_authors,
    researcher_with_author,
)


@pytest.fixture
def ada(db):
    return researcher_with_author(given_name="Ada", family_name="Lovelace", slug="ada")


def names_and_counts(researcher, **kwargs) -> list[tuple[str, int]]:
    return [(c.name, c.count) for c in coauthors_of_researcher(researcher=researcher, **kwargs)]


def test_coauthors_most_frequent_first_then_by_name(ada):
    zoe, bea, emile = (AuthorFactory(display_name=n) for n in ("Zoé Zola", "Béa Bay", "Émile Ém"))
    publication_with_authors([ada.author, zoe, bea])
    publication_with_authors([zoe, ada.author])
    publication_with_authors([emile, ada.author])

    # Accents do not move a name out of its place: É sorts with E, before Z.
    assert names_and_counts(ada) == [("Zoé Zola", 2), ("Béa Bay", 1), ("Émile Ém", 1)]


def test_only_published_joint_works_count(ada):
    grace = AuthorFactory(display_name="Grace Hopper")
    publication_with_authors([ada.author, grace])
    publication_with_authors([ada.author, grace], is_published=False)
    publication_with_authors([grace, AuthorFactory()])  # without Ada
    publication_with_authors(
        [ada.author, AuthorFactory(display_name="Draft Only")], is_published=False
    )

    assert names_and_counts(ada) == [("Grace Hopper", 1)]


def test_the_researcher_is_not_their_own_coauthor_and_editors_are_nobodys(ada):
    editor = AuthorFactory(display_name="Ed Itor")
    publication = publication_with_authors([ada.author, AuthorFactory(display_name="Co Author")])
    Authorship.objects.create(
        publication=publication, author=editor, position=1, role=Authorship.Role.EDITOR
    )
    # Ada edits a volume: its authors did not write with her.
    volume = publication_with_authors([AuthorFactory(display_name="Chapter Writer")])
    Authorship.objects.create(
        publication=volume, author=ada.author, position=1, role=Authorship.Role.EDITOR
    )

    assert names_and_counts(ada) == [("Co Author", 1)]


def test_a_published_member_leads_to_their_profile_others_to_the_list_of_their_works(ada):
    member = researcher_with_author(given_name="Grace", family_name="Hopper", slug="grace")
    draft = ResearcherFactory(given_name="Dora", family_name="Draft", is_published=False)
    drafted = AuthorFactory(display_name="Dora Draft", researcher=draft)
    outsider = AuthorFactory(display_name="Out Sider")
    publication_with_authors([ada.author, member.author, drafted, outsider])

    with translation.override("en"):
        coauthors = {c.name: c for c in coauthors_of_researcher(researcher=ada)}

    assert coauthors["Grace Hopper"].url == "/en/researchers/grace/"
    assert coauthors["Grace Hopper"].is_member
    # An unpublished profile is not shown: the person is an author like any other.
    assert coauthors["Dora Draft"].url == f"/en/publications/?author={drafted.pk}"
    assert not coauthors["Dora Draft"].is_member
    assert coauthors["Out Sider"].url == f"/en/publications/?author={outsider.pk}"
    with translation.override("fr"):
        french = coauthors_of_researcher(researcher=ada)
    assert {c.url for c in french} >= {
        "/fr/chercheurs/grace/",
        f"/fr/publications/?author={outsider.pk}",
    }


def test_a_limit_keeps_the_most_frequent(ada):
    frequent = AuthorFactory(display_name="Fre Quent")
    for _ in range(3):
        publication_with_authors([ada.author, frequent])
    for number in range(5):
        publication_with_authors([ada.author, AuthorFactory(display_name=f"Once {number}")])

    assert names_and_counts(ada, limit=2) == [("Fre Quent", 3), ("Once 0", 1)]
    assert len(coauthors_of_researcher(researcher=ada)) == 6


def test_a_limit_among_equally_frequent_coauthors_keeps_the_first_by_name(ada):
    # Created in the reverse order of their names: the names decide, not the rows' order.
    once = [AuthorFactory(display_name=name) for name in ("Cy Cole", "Bob Bell", "Al Ames")]
    twice = AuthorFactory(display_name="Zed Zorn")
    for author in [*once, twice]:
        publication_with_authors([ada.author, author])
    publication_with_authors([twice, ada.author])

    first, total = most_frequent_coauthors(researcher=ada, limit=2)

    assert [(c.name, c.count) for c in first] == [("Zed Zorn", 2), ("Al Ames", 1)]
    assert total == 4
    assert most_frequent_coauthors(researcher=ada, limit=0) == ([], 4)


def test_a_researcher_without_coauthors_has_none(ada):
    publication_with_authors([ada.author])

    assert coauthors_of_researcher(researcher=ada) == []
    assert coauthors_of_researcher(researcher=ResearcherFactory()) == []


@pytest.mark.parametrize("works", [5, 300])
def test_two_queries_for_any_number_of_works_then_the_names_alone(
    ada, works, django_assert_num_queries
):
    member = researcher_with_author(slug="member")
    for number in range(works):
        publication_with_authors([ada.author, member.author, AuthorFactory()], title=f"W {number}")

    # The few that may be shown, ranked by the database with the number of coauthors, then
    # their names.
    with django_assert_num_queries(2):
        coauthors = coauthors_of_researcher(researcher=ada, limit=10)
    # Everyone: all the counts, then all the names.
    with django_assert_num_queries(2):
        everyone = coauthors_of_researcher(researcher=ada)
    with django_assert_num_queries(0):
        assert coauthors_of_researcher(researcher=ada, limit=10) == coauthors
        assert coauthors_of_researcher(researcher=ada) == everyone

    assert coauthors[0].name == member.full_name
    assert coauthors[0].count == works
    assert len(everyone) == works + 1
