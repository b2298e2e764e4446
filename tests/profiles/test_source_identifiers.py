"""A researcher's OpenAlex, DBLP and Semantic Scholar ids: pasted forms, constraints, the
admin, the profile's JSON-LD and what the harvest is given."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from harvest.people import person_of
from harvest.sources.base import Person
from profiles.models import Researcher
from tests.admin_forms import researcher_form_data
from tests.factories import ResearcherFactory
from tests.pages import edit_snapshot

OPENALEX = "A5023888391"
DBLP = "123/4567"
SEMANTIC_SCHOLAR = "1751762"

FORMAT_MESSAGES = {
    "openalex_id": "Enter an OpenAlex author id in the form A5023888391.",
    "dblp_pid": "Enter a DBLP person id in the form 123/4567 or b/YoshuaBengio.",
    "semantic_scholar_id": "Enter a Semantic Scholar author id in the form 1751762.",
}
TAKEN_MESSAGES = {
    "openalex_id": "Another researcher already has this OpenAlex author id.",
    "dblp_pid": "Another researcher already has this DBLP person id.",
    "semantic_scholar_id": "Another researcher already has this Semantic Scholar author id.",
}
# A valid stored value of each identifier, and a second one for a second researcher.
STORED = {
    "openalex_id": (OPENALEX, "A2208157607"),
    "dblp_pid": (DBLP, "b/YoshuaBengio"),
    "semantic_scholar_id": (SEMANTIC_SCHOLAR, "1688882"),
}
# The address each one is pasted as in the admin, and the address the profile exports.
PASTED_ADDRESS = {
    "openalex_id": "https://openalex.org/A5023888391",
    "dblp_pid": "https://dblp.org/pid/123/4567.html",
    "semantic_scholar_id": "https://www.semanticscholar.org/author/Geoffrey-E.-Hinton/1751762",
}
EXPORTED_ADDRESS = {
    "openalex_id": "https://openalex.org/A5023888391",
    "dblp_pid": "https://dblp.org/pid/123/4567",
    "semantic_scholar_id": "https://www.semanticscholar.org/author/1751762",
}
BAD = {
    "openalex_id": "W2741809807",
    "dblp_pid": "https://dblp.org/pers/hd/b/Bengio:Yoshua",
    "semantic_scholar_id": "Geoffrey Hinton",
}


def english_errors(researcher: Researcher) -> dict[str, list[str]]:
    """The messages full_clean gives, by field, in English."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            researcher.full_clean()
        return excinfo.value.message_dict


# Pasted forms are stored in their normal form -----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "pasted", "stored"),
    [
        ("openalex_id", OPENALEX, OPENALEX),
        ("openalex_id", "a5023888391", OPENALEX),
        ("openalex_id", "  A5023888391 ", OPENALEX),
        ("openalex_id", "https://openalex.org/A5023888391", OPENALEX),
        ("openalex_id", "http://openalex.org/a5023888391/", OPENALEX),
        ("openalex_id", "openalex.org/A5023888391", OPENALEX),
        ("openalex_id", "https://openalex.org/authors/A5023888391", OPENALEX),
        ("openalex_id", "https://api.openalex.org/authors/A5023888391", OPENALEX),
        ("dblp_pid", DBLP, DBLP),
        ("dblp_pid", "https://dblp.org/pid/123/4567.html", DBLP),
        ("dblp_pid", "https://dblp.org/pid/123/4567.xml", DBLP),
        ("dblp_pid", "https://dblp.org/pid/123/4567", DBLP),
        ("dblp_pid", "https://dblp.org/pid/123/4567/", DBLP),
        ("dblp_pid", "https://dblp.org/pid/123/4567.html?view=by-type", DBLP),
        ("dblp_pid", "dblp.org/pid/123/4567.html", DBLP),
        ("dblp_pid", "https://dblp.uni-trier.de/pid/123/4567.html", DBLP),
        ("dblp_pid", "homepages/123/4567", DBLP),
        ("dblp_pid", "b/YoshuaBengio", "b/YoshuaBengio"),
        ("dblp_pid", "https://dblp.org/pid/b/YoshuaBengio.html", "b/YoshuaBengio"),
        ("dblp_pid", "05/3463-1", "05/3463-1"),
        ("dblp_pid", "https://dblp.org/pid/05/3463-1.xml", "05/3463-1"),
        ("dblp_pid", "h/GeoffreyEHinton", "h/GeoffreyEHinton"),
        ("dblp_pid", " https://dblp.org/pid/h/GeoffreyEHinton ", "h/GeoffreyEHinton"),
        ("semantic_scholar_id", SEMANTIC_SCHOLAR, SEMANTIC_SCHOLAR),
        ("semantic_scholar_id", " 1751762 ", SEMANTIC_SCHOLAR),
        (
            "semantic_scholar_id",
            "https://www.semanticscholar.org/author/Geoffrey-E.-Hinton/1751762",
            SEMANTIC_SCHOLAR,
        ),
        ("semantic_scholar_id", "https://www.semanticscholar.org/author/1751762", SEMANTIC_SCHOLAR),
        (
            "semantic_scholar_id",
            "semanticscholar.org/author/Name/1751762?sort=pub-date",
            SEMANTIC_SCHOLAR,
        ),
        (
            "semantic_scholar_id",
            "https://api.semanticscholar.org/graph/v1/author/1751762",
            SEMANTIC_SCHOLAR,
        ),
    ],
)
def test_full_clean_reduces_a_pasted_identifier_to_its_normal_form(field, pasted, stored):
    researcher = ResearcherFactory.build(**{field: pasted})

    researcher.full_clean()
    researcher.save()

    researcher.refresh_from_db()
    assert getattr(researcher, field) == stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("openalex_id", "5023888391"),
        ("openalex_id", "W2741809807"),
        ("openalex_id", "https://openalex.org/W2741809807"),
        ("openalex_id", "A50238 88391"),
        ("openalex_id", "A"),
        ("openalex_id", "https://openalex.org/"),
        ("openalex_id", "A５０２３"),
        ("dblp_pid", "123"),
        ("dblp_pid", "123/"),
        ("dblp_pid", "123/4567.html"),
        ("dblp_pid", "B/YoshuaBengio"),
        ("dblp_pid", "Yoshua Bengio"),
        ("dblp_pid", "https://dblp.org/pers/hd/b/Bengio:Yoshua"),
        ("dblp_pid", "https://dblp.org/pid/"),
        ("dblp_pid", "05/3463-"),
        ("semantic_scholar_id", "Geoffrey Hinton"),
        ("semantic_scholar_id", "17517a62"),
        ("semantic_scholar_id", "https://www.semanticscholar.org/author/Geoffrey-E.-Hinton/"),
        ("semantic_scholar_id", "https://www.semanticscholar.org/paper/0123456789abcdef"),
    ],
)
def test_a_malformed_identifier_is_refused_with_the_form_expected(field, bad):
    researcher = ResearcherFactory.build(**{field: bad})

    assert english_errors(researcher)[field] == [FORMAT_MESSAGES[field]]


@pytest.mark.django_db
def test_a_researcher_may_have_none_of_these_identifiers():
    ResearcherFactory()
    researcher = ResearcherFactory.build()

    researcher.full_clean()
    researcher.save()

    assert (researcher.openalex_id, researcher.dblp_pid, researcher.semantic_scholar_id) == (
        "",
        "",
        "",
    )
    assert (researcher.openalex_url, researcher.dblp_url, researcher.semantic_scholar_url) == (
        "",
        "",
        "",
    )
    assert (
        Researcher.objects.filter(openalex_id="", dblp_pid="", semantic_scholar_id="").count() == 2
    )


# Database constraints ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("field", list(STORED))
def test_the_database_refuses_two_researchers_with_one_identifier(field):
    value = STORED[field][0]
    ResearcherFactory(**{field: value})

    with transaction.atomic(), pytest.raises(IntegrityError, match=field):
        ResearcherFactory(**{field: value})

    assert Researcher.objects.filter(**{field: value}).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("field", list(STORED))
def test_full_clean_explains_that_the_identifier_is_taken(field):
    ResearcherFactory(**{field: STORED[field][0]})
    duplicate = ResearcherFactory.build(**{field: PASTED_ADDRESS[field]})

    assert english_errors(duplicate) == {"__all__": [TAKEN_MESSAGES[field]]}


@pytest.mark.django_db
@pytest.mark.parametrize("field", list(STORED))
def test_a_researcher_keeps_their_own_identifier_when_edited(field):
    researcher = ResearcherFactory(**{field: STORED[field][0]})
    other = ResearcherFactory(**{field: STORED[field][1]})
    researcher.organization = "Mila"

    researcher.full_clean()
    researcher.save()

    assert Researcher.objects.get(**{field: STORED[field][0]}).organization == "Mila"
    assert Researcher.objects.get(**{field: STORED[field][1]}) == other


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("openalex_id", "W2741809807"),
        ("openalex_id", "a 5023888391"),
        ("dblp_pid", "Yoshua Bengio"),
        ("dblp_pid", "B/YoshuaBengio"),
        ("semantic_scholar_id", "Geoffrey Hinton"),
        ("semantic_scholar_id", "1751762a"),
    ],
)
def test_the_database_refuses_a_malformed_identifier_written_directly(field, bad):
    researcher = ResearcherFactory()

    # Without full_clean: only the check constraint stands in the way.
    with transaction.atomic(), pytest.raises(IntegrityError, match=f"{field}_format"):
        Researcher.objects.filter(pk=researcher.pk).update(**{field: bad})

    researcher.refresh_from_db()
    assert getattr(researcher, field) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("field", list(STORED))
def test_a_direct_update_also_stores_a_pasted_address_in_normal_form(field):
    researcher = ResearcherFactory()

    Researcher.objects.filter(pk=researcher.pk).update(**{field: PASTED_ADDRESS[field]})

    researcher.refresh_from_db()
    assert getattr(researcher, field) == STORED[field][0]


# The admin -----------------------------------------------------------------------------------


def post_change_form(client, researcher: Researcher, **fields):
    url = reverse("admin:profiles_researcher_change", args=[researcher.pk])
    data = {**researcher_form_data(slug=researcher.slug, **fields), **edit_snapshot(client, url)}
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.django_db
def test_the_links_fieldset_lists_the_identifiers_after_the_orcid(admin_client):
    researcher = ResearcherFactory()

    html = admin_client.get(
        reverse("admin:profiles_researcher_change", args=[researcher.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    names = re.findall(r'<input type="(?:text|url)" name="(\w+)"', html)
    links = ["orcid", "openalex_id", "dblp_pid", "semantic_scholar_id", "github_url"]
    assert [name for name in names if name in links] == links
    assert "For example A5023888391" in html
    assert "For example 123/4567 or b/YoshuaBengio" in html
    assert "For example 1751762" in html


@pytest.mark.django_db
def test_the_change_form_saves_each_identifier_pasted_as_an_address(admin_client):
    researcher = ResearcherFactory()

    response = post_change_form(admin_client, researcher, **PASTED_ADDRESS)

    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.openalex_id == OPENALEX
    assert researcher.dblp_pid == DBLP
    assert researcher.semantic_scholar_id == SEMANTIC_SCHOLAR


@pytest.mark.django_db
@pytest.mark.parametrize("field", list(BAD))
def test_the_change_form_names_the_expected_form_of_a_bad_identifier(admin_client, field):
    researcher = ResearcherFactory(organization="Mila")

    response = post_change_form(
        admin_client, researcher, **{field: BAD[field], "organization": "Elsewhere"}
    )

    assert response.status_code == 200
    assert FORMAT_MESSAGES[field] in response.content.decode()
    researcher.refresh_from_db()
    assert researcher.organization == "Mila"
    assert getattr(researcher, field) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("field", list(STORED))
def test_the_change_form_refuses_an_identifier_another_researcher_has(admin_client, field):
    ResearcherFactory(**{field: STORED[field][0]})
    researcher = ResearcherFactory()

    response = post_change_form(admin_client, researcher, **{field: PASTED_ADDRESS[field]})

    assert response.status_code == 200
    assert TAKEN_MESSAGES[field] in response.content.decode()
    researcher.refresh_from_db()
    assert getattr(researcher, field) == ""


def found_by_admin_search(client, term: str) -> list[Researcher]:
    response = client.get(reverse("admin:profiles_researcher_changelist"), {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "term",
    [
        OPENALEX,
        "a5023888391",
        "https://openalex.org/A5023888391",
        DBLP,
        "https://dblp.org/pid/123/4567.html",
        SEMANTIC_SCHOLAR,
        "https://www.semanticscholar.org/author/Geoffrey-E.-Hinton/1751762",
        "0000-0002-1825-0097",
        "https://orcid.org/0000-0002-1825-0097",
    ],
)
def test_the_admin_search_finds_a_researcher_by_any_identifier(admin_client, term):
    researcher = ResearcherFactory(
        orcid="0000-0002-1825-0097",
        openalex_id=OPENALEX,
        dblp_pid=DBLP,
        semantic_scholar_id=SEMANTIC_SCHOLAR,
    )
    ResearcherFactory(
        openalex_id="A2208157607", dblp_pid="b/YoshuaBengio", semantic_scholar_id="1688882"
    )

    assert found_by_admin_search(admin_client, term) == [researcher]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "term", ["https://openalex.org/", "https://dblp.org/pid/", "orcid.org/", "A0"]
)
def test_an_admin_search_for_an_empty_address_finds_nobody(admin_client, term):
    ResearcherFactory(given_name="Ada", family_name="Lovelace")

    assert found_by_admin_search(admin_client, term) == []


# The profile's JSON-LD -----------------------------------------------------------------------


def person_json_ld(client, researcher: Researcher) -> dict:
    html = client.get(researcher.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


@pytest.mark.django_db
def test_the_profile_json_ld_links_to_the_researcher_in_each_source(client):
    researcher = ResearcherFactory(
        orcid="0000-0002-1825-0097",
        openalex_id="https://openalex.org/A5023888391",
        dblp_pid="https://dblp.org/pid/05/3463-1.html",
        semantic_scholar_id=SEMANTIC_SCHOLAR,
    )

    person = person_json_ld(client, researcher)

    assert person["sameAs"] == [
        "https://orcid.org/0000-0002-1825-0097",
        "https://openalex.org/A5023888391",
        "https://dblp.org/pid/05/3463-1",
        "https://www.semanticscholar.org/author/1751762",
    ]


@pytest.mark.django_db
def test_the_profile_json_ld_has_no_source_link_the_researcher_lacks(client):
    researcher = ResearcherFactory(website="https://example.org/ada", dblp_pid="b/YoshuaBengio")

    person = person_json_ld(client, researcher)

    assert person["sameAs"] == ["https://dblp.org/pid/b/YoshuaBengio", "https://example.org/ada"]


@pytest.mark.django_db
def test_the_profile_json_ld_has_no_same_as_without_any_link(client):
    researcher = ResearcherFactory()

    assert "sameAs" not in person_json_ld(client, researcher)


# What the harvest is given ---------------------------------------------------------------


def test_person_of_gives_the_harvest_every_identifier_and_the_name():
    researcher = ResearcherFactory.build(
        given_name="Geoffrey",
        family_name="Hinton",
        orcid="0000-0002-1825-0097",
        openalex_id=OPENALEX,
        dblp_pid="h/GeoffreyEHinton",
        semantic_scholar_id=SEMANTIC_SCHOLAR,
    )

    assert person_of(researcher) == Person(
        orcid="0000-0002-1825-0097",
        openalex_id=OPENALEX,
        dblp_pid="h/GeoffreyEHinton",
        semantic_scholar_id=SEMANTIC_SCHOLAR,
        name="Geoffrey Hinton",
    )


def test_person_of_a_researcher_without_identifiers_has_only_a_name():
    researcher = ResearcherFactory.build(given_name="Ada", family_name="Lovelace")

    assert person_of(researcher) == Person(name="Ada Lovelace")
