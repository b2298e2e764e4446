"""Each researcher's counts per year, per topic and per coauthor, which the database keeps
(publications' migration 0021), stay equal to what counting the rows gives, through every kind
of write: on SQLite row by row, on PostgreSQL statement by statement."""

import pytest
from django.db import connection
from django.db.models import Count

from profiles.models import Researcher
from publications.models import (
    Author,
    Authorship,
    CoauthorCount,
    Publication,
    ResearcherTopicCount,
    ResearcherYearCount,
)
from tests.factories import (
    AuthorFactory,
    ResearchTopicFactory,
    publication_with_authors,
    researcher_with_author,
)

pytestmark = pytest.mark.django_db


def counted(researcher: Researcher) -> tuple[dict, dict, dict]:
    """The researcher's counts as the database keeps them."""
    return (
        dict(
            ResearcherYearCount.objects.filter(researcher=researcher).values_list(
                "year", "published"
            )
        ),
        dict(
            ResearcherTopicCount.objects.filter(researcher=researcher).values_list(
                "topic_id", "published"
            )
        ),
        dict(CoauthorCount.objects.filter(researcher=researcher).values_list("author_id", "joint")),
    )


def recounted(researcher: Researcher) -> tuple[dict, dict, dict]:
    """The same counts, counted from the rows: the published works the researcher signed, in
    any role and each once, per year and topic; the other authors of the works they signed as
    an author, per author."""
    signed = Authorship.objects.filter(author__researcher=researcher).values("publication_id")
    published = Publication.objects.filter(is_published=True, pk__in=signed).order_by()
    years = published.values_list("year").annotate(total=Count("*"))
    links = Publication.topics.through.objects.filter(publication__in=published.values("pk"))
    topics = links.order_by().values_list("researchtopic").annotate(total=Count("*"))
    own = Author.objects.filter(researcher=researcher)
    joint = Authorship.objects.filter(
        author__in=own, role=Authorship.Role.AUTHOR, publication__is_published=True
    ).values("publication_id")
    coauthors = (
        Authorship.objects.filter(publication_id__in=joint, role=Authorship.Role.AUTHOR)
        .exclude(author__in=own)
        .order_by()
        .values_list("author_id")
        .annotate(total=Count("*"))
    )
    return dict(years), dict(topics), dict(coauthors)


def assert_exact(*researchers: Researcher) -> None:
    for researcher in Researcher.objects.filter(pk__in=[r.pk for r in researchers]):
        assert counted(researcher) == recounted(researcher), researcher.slug


@pytest.fixture
def team():
    """Ada and Grace, members, and an outside author, on four publications over two years and
    two topics; Ada also edits a volume, and signs one paper twice (author and editor)."""
    ada, grace = researcher_with_author(slug="ada"), researcher_with_author(slug="grace")
    outsider = AuthorFactory(display_name="Out Sider")
    logic, systems = ResearchTopicFactory(slug="logic"), ResearchTopicFactory(slug="systems")
    papers = [
        publication_with_authors([ada.author, grace.author, outsider], year=2020),
        publication_with_authors([ada.author, outsider], year=2020),
        publication_with_authors([grace.author, outsider], year=2021),
        publication_with_authors([ada.author], year=2021),
    ]
    papers[0].topics.set([logic, systems])
    papers[1].topics.set([logic])
    papers[3].topics.set([systems])
    Authorship.objects.create(
        publication=papers[0], author=ada.author, position=1, role=Authorship.Role.EDITOR
    )
    volume = publication_with_authors([grace.author], year=2022)
    Authorship.objects.create(
        publication=volume, author=ada.author, position=1, role=Authorship.Role.EDITOR
    )
    return {
        "ada": ada,
        "grace": grace,
        "outsider": outsider,
        "papers": papers,
        "volume": volume,
        "logic": logic,
        "systems": systems,
    }


def test_counts_follow_the_authorships_as_they_are_written(team):
    ada, grace, outsider = team["ada"], team["grace"], team["outsider"]

    years, topics, coauthors = counted(ada)
    # The paper Ada wrote and edited counts once; the volume she edited counts too.
    assert years == {2020: 2, 2021: 1, 2022: 1}
    assert topics == {team["logic"].pk: 2, team["systems"].pk: 2}
    # Grace signed the volume Ada edited: an editor is not an author's coauthor.
    assert coauthors == {grace.author.pk: 1, outsider.pk: 2}
    assert_exact(ada, grace)


def test_publishing_withdrawing_and_moving_a_year_recount_its_signers(team):
    ada, grace = team["ada"], team["grace"]
    first = team["papers"][0]

    Publication.objects.filter(pk=first.pk).update(is_published=False)
    assert counted(ada)[0] == {2020: 1, 2021: 1, 2022: 1}
    assert grace.author.pk not in counted(ada)[2]
    assert_exact(ada, grace)

    first.is_published = True
    first.year = 2019
    first.save()
    assert counted(ada)[0] == {2019: 1, 2020: 1, 2021: 1, 2022: 1}
    assert_exact(ada, grace)


def test_topic_links_added_and_removed_recount(team):
    ada, grace, logic = team["ada"], team["grace"], team["logic"]

    team["papers"][2].topics.add(logic)
    assert counted(grace)[1][logic.pk] == 2
    team["papers"][0].topics.remove(logic)
    assert counted(ada)[1][logic.pk] == 1
    assert_exact(ada, grace)

    logic.delete()
    assert logic.pk not in counted(ada)[1]
    assert_exact(ada, grace)


def test_an_author_added_or_removed_changes_everyone_on_the_paper(team):
    ada, grace = team["ada"], team["grace"]
    newcomer = AuthorFactory(display_name="New Comer")

    Authorship.objects.create(publication=team["papers"][0], author=newcomer, position=4)
    assert counted(ada)[2][newcomer.pk] == 1
    assert counted(grace)[2][newcomer.pk] == 1

    Authorship.objects.filter(publication=team["papers"][0], author=grace.author).delete()
    assert grace.author.pk not in counted(ada)[2]
    assert counted(grace)[0] == {2021: 1, 2022: 1}
    assert_exact(ada, grace)


def test_merging_authors_moves_their_joint_works(team):
    """A merge points the authorships of one author at another (an UPDATE)."""
    ada, grace, outsider = team["ada"], team["grace"], team["outsider"]
    twin = AuthorFactory(display_name="O. Sider")
    publication_with_authors([ada.author, twin], year=2023)

    Authorship.objects.filter(author=twin).update(author=outsider)

    assert twin.pk not in counted(ada)[2]
    assert counted(ada)[2][outsider.pk] == 3
    assert_exact(ada, grace)


def test_linking_an_author_to_another_researcher_moves_the_counts(team):
    ada, grace, outsider = team["ada"], team["grace"], team["outsider"]
    newcomer = researcher_with_author(slug="newcomer")
    newcomer.author.delete()

    outsider.researcher = newcomer
    outsider.save()
    assert counted(newcomer)[0] == {2020: 2, 2021: 1}
    # Now a member's author row: still Ada's coauthor, never their own.
    assert outsider.pk in counted(ada)[2]
    assert outsider.pk not in counted(newcomer)[2]
    assert_exact(ada, grace, newcomer)

    outsider.researcher = None
    outsider.save()
    assert counted(newcomer) == ({}, {}, {})
    assert_exact(ada, grace, newcomer)


def test_deleting_a_researcher_or_a_publication_leaves_no_count_behind(team):
    ada, grace = team["ada"], team["grace"]

    team["papers"][0].delete()
    assert counted(ada)[0] == {2020: 1, 2021: 1, 2022: 1}
    assert_exact(ada, grace)

    grace_pk = grace.pk
    grace.delete()
    assert not ResearcherYearCount.objects.filter(researcher_id=grace_pk).exists()
    assert not CoauthorCount.objects.filter(researcher_id=grace_pk).exists()
    assert_exact(ada)


def test_many_rows_written_at_once_are_counted_once_each(team):
    """A statement that writes many rows (an import's bulk_create) counts each signer once on
    PostgreSQL, and row by row on SQLite, to the same result."""
    ada, grace, outsider = team["ada"], team["grace"], team["outsider"]
    publications = Publication.objects.bulk_create(
        Publication(title=f"Bulk {number}", year=2024, is_published=True) for number in range(30)
    )
    Authorship.objects.bulk_create(
        Authorship(publication=publication, author=author, position=position)
        for publication in publications
        for position, author in enumerate([ada.author, grace.author, outsider], start=1)
    )

    assert counted(ada)[0][2024] == 30
    assert counted(grace)[2][ada.author.pk] == 31
    assert_exact(ada, grace)


def test_the_database_has_the_triggers_that_keep_the_counts():
    """A migration that rebuilds a watched table on SQLite drops its triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    assert {
        "publications_recount_authorships_insert",
        "publications_recount_authorships_delete",
        "publications_recount_authorships_update",
        "publications_recount_topic_links_insert",
        "publications_recount_topic_links_delete",
        "publications_recount_topic_links_update",
        "publications_recount_publications_update",
        "publications_recount_authors_update",
    } <= names
