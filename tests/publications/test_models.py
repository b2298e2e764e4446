"""Publications, authors and authorships: constraints, identifiers, names and deletion."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import translation

from publications.models import Author, Authorship, Publication
from publications.names import split_name
from tests.factories import (
    AuthorFactory,
    PublicationFactory,
    ResearcherFactory,
    publication_with_authors,
    researcher_with_author,
)

pytestmark = pytest.mark.django_db

DOI = "10.48550/arxiv.2307.11888"
ARXIV_ID = "2307.11888"
ORCID = "0000-0002-1825-0097"


def english_messages(instance, *, method: str = "full_clean") -> list[str]:
    """What ``instance.full_clean()`` (or another validation method) says, in English."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            getattr(instance, method)()
        return excinfo.value.messages


def english_field_messages(instance, field: str) -> list[str]:
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            instance.full_clean()
        return excinfo.value.message_dict.get(field, [])


# The constraints exist under their names ---------------------------------------------------


@pytest.mark.parametrize(
    ("table", "name"),
    [
        ("publications_publication", "publications_publication_doi_unique"),
        ("publications_publication", "publications_publication_arxiv_id_unique"),
        ("publications_publication", "publications_publication_year_range"),
        ("publications_publication", "publications_publication_doi_format"),
        ("publications_publication", "publications_publication_arxiv_id_format"),
        ("publications_authorship", "publications_authorship_position_unique"),
        ("publications_authorship", "publications_authorship_author_unique"),
        ("publications_authorship", "publications_authorship_position_positive"),
        ("publications_author", "publications_author_orcid_unique"),
    ],
)
def test_the_database_holds_each_named_constraint(table, name):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)

    assert name in constraints


# Publication: unique identifiers -----------------------------------------------------------


def test_the_database_refuses_two_publications_with_one_doi():
    PublicationFactory(doi=DOI)

    with transaction.atomic(), pytest.raises(IntegrityError):
        PublicationFactory(doi=DOI)

    assert Publication.objects.count() == 1


def test_the_database_refuses_a_pasted_form_of_a_taken_doi():
    PublicationFactory(doi=DOI)

    with transaction.atomic(), pytest.raises(IntegrityError):
        # The field stores the normal form whatever it is given, so the clash is seen.
        PublicationFactory(doi="https://doi.org/10.48550/ARXIV.2307.11888")

    assert Publication.objects.count() == 1


def test_full_clean_explains_that_the_doi_is_taken():
    PublicationFactory(doi=DOI)
    duplicate = PublicationFactory.build(doi="https://doi.org/10.48550/ARXIV.2307.11888")

    assert english_messages(duplicate) == ["Another publication already has this DOI."]


def test_the_database_refuses_two_publications_with_one_arxiv_id():
    PublicationFactory(arxiv_id=ARXIV_ID)

    with transaction.atomic(), pytest.raises(IntegrityError):
        PublicationFactory(arxiv_id=ARXIV_ID)

    assert Publication.objects.count() == 1


def test_full_clean_explains_that_the_arxiv_id_is_taken():
    PublicationFactory(arxiv_id=ARXIV_ID)
    duplicate = PublicationFactory.build(arxiv_id="arXiv:2307.11888v3")

    assert english_messages(duplicate) == ["Another publication already has this arXiv identifier."]


def test_the_taken_doi_message_is_translated_into_french():
    PublicationFactory(doi=DOI)
    duplicate = PublicationFactory.build(doi=DOI)

    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()

    assert excinfo.value.messages == ["Une autre publication a déjà ce DOI."]


def test_a_publication_keeps_its_own_identifiers_when_edited():
    publication = PublicationFactory(doi=DOI, arxiv_id=ARXIV_ID)
    publication.title = "A new title"

    publication.full_clean()
    publication.save()

    assert Publication.objects.get(doi=DOI).title == "A new title"


def test_blank_doi_and_arxiv_id_may_repeat():
    PublicationFactory(doi="", arxiv_id="")
    second = PublicationFactory.build(doi="", arxiv_id="")

    second.full_clean()
    second.save()
    PublicationFactory(doi="", arxiv_id="")

    assert Publication.objects.filter(doi="", arxiv_id="").count() == 3


# Publication: identifier formats -----------------------------------------------------------


@pytest.mark.parametrize(
    ("pasted", "stored"),
    [
        ("https://doi.org/10.48550/ARXIV.2307.11888", DOI),
        ("http://dx.doi.org/10.48550/arXiv.2307.11888", DOI),
        ("doi:10.48550/arXiv.2307.11888", DOI),
        ("  10.48550/arXiv.2307.11888 ", DOI),
        ("10.1145/3368089.3409742", "10.1145/3368089.3409742"),
    ],
)
def test_full_clean_reduces_a_pasted_doi_to_its_normal_form(pasted, stored):
    publication = PublicationFactory.build(doi=pasted)

    publication.full_clean()
    publication.save()

    publication.refresh_from_db()
    assert publication.doi == stored
    assert publication.doi_url == f"https://doi.org/{stored}"


@pytest.mark.parametrize(
    ("pasted", "stored"),
    [
        ("arXiv:2307.11888v2", ARXIV_ID),
        ("https://arxiv.org/abs/2307.11888v1", ARXIV_ID),
        ("https://arxiv.org/pdf/2307.11888", ARXIV_ID),
        ("2307.11888", ARXIV_ID),
        ("math/0211159v1", "math/0211159"),
    ],
)
def test_full_clean_reduces_a_pasted_arxiv_id_to_its_normal_form(pasted, stored):
    publication = PublicationFactory.build(arxiv_id=pasted)

    publication.full_clean()
    publication.save()

    publication.refresh_from_db()
    assert publication.arxiv_id == stored
    assert publication.arxiv_url == f"https://arxiv.org/abs/{stored}"


@pytest.mark.parametrize("doi", ["not a doi", "11.1234/abc", "10.12/abc", "10.1234/"])
def test_full_clean_refuses_a_malformed_doi(doi):
    publication = PublicationFactory.build(doi=doi)

    assert english_field_messages(publication, "doi") == [
        "Enter a DOI such as 10.48550/arXiv.2307.11888."
    ]


@pytest.mark.parametrize("arxiv_id", ["2307", "23071.1888", "arXiv:abc", "Math/0211159"])
def test_full_clean_refuses_a_malformed_arxiv_id(arxiv_id):
    publication = PublicationFactory.build(arxiv_id=arxiv_id)

    assert english_field_messages(publication, "arxiv_id") == [
        "Enter an arXiv identifier such as 2307.11888 or math/0211159."
    ]


def test_the_database_refuses_a_malformed_doi():
    with transaction.atomic(), pytest.raises(IntegrityError, match="doi_format"):
        PublicationFactory(doi="11.1234/abc")

    assert not Publication.objects.exists()


def test_the_database_refuses_a_malformed_arxiv_id():
    with transaction.atomic(), pytest.raises(IntegrityError, match="arxiv_id_format"):
        PublicationFactory(arxiv_id="23071.1888")

    assert not Publication.objects.exists()


def test_the_format_constraints_give_their_messages():
    publication = PublicationFactory.build(doi="11.1234/abc", arxiv_id="23071.1888")

    assert sorted(english_messages(publication, method="validate_constraints")) == [
        "Enter a DOI such as 10.48550/arXiv.2307.11888.",
        "Enter an arXiv identifier such as 2307.11888 or math/0211159.",
    ]


# Publication: year -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (1899, "The year must be 1900 or later."),
        (2101, "The year must be 2100 or earlier."),
    ],
)
def test_full_clean_refuses_a_year_out_of_range(year, message):
    publication = PublicationFactory.build(year=year)

    assert english_field_messages(publication, "year") == [message]


@pytest.mark.parametrize("year", [1900, 2100])
def test_the_first_and_last_years_are_accepted(year):
    publication = PublicationFactory.build(year=year)

    publication.full_clean()
    publication.save()

    assert Publication.objects.get().year == year


@pytest.mark.parametrize("year", [1899, 2101])
def test_the_database_refuses_a_year_out_of_range(year):
    with transaction.atomic(), pytest.raises(IntegrityError, match="year_range"):
        PublicationFactory(year=year)

    assert not Publication.objects.exists()


def test_the_year_constraint_gives_its_message():
    publication = PublicationFactory.build(year=1850)

    assert english_messages(publication, method="validate_constraints") == [
        "The year must be between 1900 and 2100."
    ]


# Authorship --------------------------------------------------------------------------------


def test_the_database_refuses_two_authors_at_one_position():
    publication = publication_with_authors([AuthorFactory()])

    with transaction.atomic(), pytest.raises(IntegrityError):
        Authorship.objects.create(publication=publication, author=AuthorFactory(), position=1)

    assert publication.authorships.count() == 1


def test_full_clean_explains_that_the_position_is_taken():
    publication = publication_with_authors([AuthorFactory()])
    clash = Authorship(publication=publication, author=AuthorFactory(), position=1)

    assert english_messages(clash) == ["Two authors cannot have the same position."]


def test_the_database_refuses_the_same_author_twice_on_a_publication():
    author = AuthorFactory()
    publication = publication_with_authors([author])

    with transaction.atomic(), pytest.raises(IntegrityError):
        Authorship.objects.create(publication=publication, author=author, position=2)

    assert publication.authorships.count() == 1


def test_full_clean_explains_that_the_author_is_already_listed():
    author = AuthorFactory()
    publication = publication_with_authors([author])
    repeat = Authorship(publication=publication, author=author, position=2)

    assert english_messages(repeat) == ["This author is already listed on this publication."]


def test_the_database_refuses_position_zero():
    publication = PublicationFactory()

    with transaction.atomic(), pytest.raises(IntegrityError, match="position_positive"):
        Authorship.objects.create(publication=publication, author=AuthorFactory(), position=0)

    assert not publication.authorships.exists()


def test_full_clean_refuses_position_zero():
    authorship = Authorship(publication=PublicationFactory(), author=AuthorFactory(), position=0)

    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            authorship.full_clean()
        assert excinfo.value.message_dict["position"] == ["Positions start at 1."]


def test_the_positive_position_constraint_gives_its_message():
    authorship = Authorship(publication=PublicationFactory(), author=AuthorFactory(), position=0)

    assert english_messages(authorship, method="validate_constraints") == ["Positions start at 1."]


def test_one_author_may_sign_many_publications_at_the_same_position():
    author = AuthorFactory()

    publication_with_authors([author])
    publication_with_authors([author])

    assert list(Authorship.objects.filter(author=author).values_list("position", flat=True)) == [
        1,
        1,
    ]


def test_authorship_reads_as_position_and_name():
    author = AuthorFactory(display_name="Razvan Pascanu")
    publication = publication_with_authors([AuthorFactory(), author])

    assert str(publication.authorships.get(author=author)) == "2. Razvan Pascanu"


# Author: ORCID iD --------------------------------------------------------------------------


def test_the_database_refuses_two_authors_with_one_orcid():
    AuthorFactory(orcid=ORCID)

    with transaction.atomic(), pytest.raises(IntegrityError):
        AuthorFactory(orcid=ORCID)

    assert Author.objects.count() == 1


def test_full_clean_explains_that_the_author_orcid_is_taken():
    AuthorFactory(orcid=ORCID)
    duplicate = Author(display_name="Someone Else", orcid="https://orcid.org/0000-0002-1825-0097")

    assert english_messages(duplicate) == ["Another author already has this ORCID iD."]


def test_many_authors_may_have_no_orcid():
    AuthorFactory(orcid="")
    AuthorFactory(orcid="")

    assert Author.objects.filter(orcid="").count() == 2


def test_full_clean_refuses_an_author_orcid_with_a_wrong_checksum():
    author = Author(display_name="Someone", orcid="0000-0002-1825-0098")

    assert english_field_messages(author, "orcid") == [
        "This ORCID iD is not valid: its last character does not match its checksum."
    ]


# Names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("display_name", "parts"),
    [
        ("Hado van Hasselt", ("Hado", "van Hasselt")),
        ("Soham De", ("Soham", "De")),
        ("Samuel L. Smith", ("Samuel L.", "Smith")),
        ("Tamara von Glehn", ("Tamara", "von Glehn")),
        ("Ludwig van der Berg", ("Ludwig", "van der Berg")),
        ("Bengio", ("", "Bengio")),
        ("", ("", "")),
        ("   ", ("", "")),
    ],
)
def test_split_name(display_name, parts):
    assert split_name(display_name) == parts


def test_saving_an_author_fills_the_name_parts_and_the_matching_key():
    author = Author.objects.create(display_name="  Hado   van  Hasselt ")

    author.refresh_from_db()
    assert author.display_name == "Hado van Hasselt"
    assert (author.given_name, author.family_name) == ("Hado", "van Hasselt")
    assert author.name_key == "hado van hasselt"


def test_saving_an_author_keeps_name_parts_given_by_an_editor():
    author = Author.objects.create(
        display_name="Maciej Pióro", given_name="Maciej", family_name="Pióro-Nowak"
    )

    author.refresh_from_db()
    assert (author.given_name, author.family_name) == ("Maciej", "Pióro-Nowak")
    assert author.name_key == "maciej pioro"


def test_the_matching_key_follows_a_renamed_author():
    author = AuthorFactory(display_name="Maciej Wolczyk")

    author.display_name = "Maciej Wołczyk"
    author.save(update_fields=["display_name"])

    author.refresh_from_db()
    assert author.name_key == "maciej wolczyk"
    assert str(author) == "Maciej Wołczyk"


# Author and researcher ---------------------------------------------------------------------


def test_an_author_of_a_published_researcher_links_to_the_profile():
    researcher = researcher_with_author(is_published=True)

    assert researcher.author.public_profile == researcher


def test_an_author_of_an_unpublished_researcher_has_no_public_profile():
    researcher = researcher_with_author(is_published=False)

    assert researcher.author.public_profile is None


def test_an_author_without_researcher_has_no_public_profile():
    assert AuthorFactory().public_profile is None


def test_deleting_an_author_who_signs_a_publication_is_refused():
    author = AuthorFactory()
    publication = publication_with_authors([author])

    with transaction.atomic(), pytest.raises(ProtectedError):
        author.delete()

    assert Author.objects.filter(pk=author.pk).exists()
    assert list(publication.authors.all()) == [author]


def test_an_author_without_publication_may_be_deleted():
    author = AuthorFactory()

    author.delete()

    assert not Author.objects.exists()


def test_deleting_a_researcher_keeps_their_author_and_publications():
    researcher = researcher_with_author()
    author = researcher.author
    publication = publication_with_authors([author])

    researcher.delete()

    author.refresh_from_db()
    assert author.researcher is None
    assert list(publication.authors.all()) == [author]


def test_deleting_a_publication_deletes_its_authorships_not_its_authors():
    author = AuthorFactory()
    publication = publication_with_authors([author])

    publication.delete()

    assert not Authorship.objects.exists()
    assert Author.objects.get() == author


# QuerySets ---------------------------------------------------------------------------------


def test_for_researcher_gives_the_publications_the_researcher_signs():
    researcher = researcher_with_author()
    colleague = researcher_with_author()
    first = publication_with_authors([researcher.author, colleague.author], title="Together")
    second = publication_with_authors([AuthorFactory(), researcher.author], title="Second author")
    publication_with_authors([colleague.author], title="Without them")

    titles = set(Publication.objects.for_researcher(researcher).values_list("title", flat=True))

    assert titles == {first.title, second.title}


def test_for_researcher_gives_nothing_to_a_researcher_without_author():
    researcher = ResearcherFactory()
    publication_with_authors([AuthorFactory()])

    assert not Publication.objects.for_researcher(researcher).exists()


def test_published_hides_unpublished_publications():
    researcher = researcher_with_author()
    publication_with_authors([researcher.author], title="Public", is_published=True)
    publication_with_authors([researcher.author], title="Draft", is_published=False)

    assert [p.title for p in Publication.objects.published()] == ["Public"]
    assert [p.title for p in Publication.objects.published().for_researcher(researcher)] == [
        "Public"
    ]
    assert Publication.objects.for_researcher(researcher).count() == 2


def test_publications_are_listed_newest_first():
    PublicationFactory(title="Old", year=2019)
    PublicationFactory(title="New", year=2024)
    PublicationFactory(title="Middle", year=2021)

    assert [p.title for p in Publication.objects.all()] == ["New", "Middle", "Old"]
