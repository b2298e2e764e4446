"""The page of all a researcher's coauthors, and the profile's few (templates/includes/
coauthors.html)."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from publications.selectors import coauthors_of_researcher
from tests.factories import (
    AuthorFactory,
    ResearcherFactory,
    publication_with_authors,
    researcher_with_author,
)
from tests.pages import queries_of, text_of


@pytest.fixture
def ada(db):
    """Ada wrote three works with Grace (a member), one with Zoé (no profile)."""
    ada = researcher_with_author(given_name="Ada", family_name="Lovelace", slug="ada")
    grace = researcher_with_author(given_name="Grace", family_name="Hopper", slug="grace")
    zoe = AuthorFactory(display_name="Zoé Zola")
    for number in range(3):
        publication_with_authors([ada.author, grace.author], title=f"Joint {number}")
    publication_with_authors([zoe, ada.author], title="With Zoé")
    return ada


def rows(response) -> list[tuple[str, str, str]]:
    """(name, its address, joint publications) for each row of the table."""
    html = response.content.decode()
    body = html.split('<table class="coauthor-table">')[1].split("</table>")[0]
    return [
        (name, url, count)
        for url, name, count in re.findall(
            r'<tr><th scope="row"><a href="([^"]+)">([^<]+)</a>.*?</th><td>(\d+)</td></tr>', body
        )
    ]


def test_the_addresses_follow_the_profiles_in_each_language(ada):
    with translation.override("fr"):
        assert reverse("profiles:researcher_coauthors", args=["ada"]) == (
            "/fr/chercheurs/ada/coauteurs/"
        )
    with translation.override("en"):
        assert reverse("profiles:researcher_coauthors", args=["ada"]) == (
            "/en/researchers/ada/coauthors/"
        )


def test_the_page_lists_every_coauthor_most_frequent_first(client, ada):
    response = client.get("/fr/chercheurs/ada/coauteurs/")
    zoe = coauthors_of_researcher(researcher=ada)[1]

    assert response.status_code == 200
    assert rows(response) == [
        ("Grace Hopper", "/fr/chercheurs/grace/", "3"),
        ("Zoé Zola", zoe.url, "1"),
    ]
    text = text_of(response)
    assert "Coauteurs de Ada Lovelace" in text
    assert "2 personnes ont cosigné des publications avec ce chercheur" in text
    assert "Nom Publications communes" in text


def test_the_page_leads_back_to_the_profile(client, ada):
    html = client.get("/fr/chercheurs/ada/coauteurs/").content.decode()

    breadcrumb = html.split('<nav class="breadcrumb"')[1].split("</nav>")[0]
    assert '<a href="/fr/chercheurs/ada/">Ada Lovelace</a>' in breadcrumb
    assert '<span aria-current="page">Coauteurs</span>' in breadcrumb
    assert '<a href="/fr/chercheurs/ada/">Retour au profil de Ada Lovelace</a>' in html


def test_the_english_page_is_in_english(client, ada):
    with translation.override("en"):
        response = client.get("/en/researchers/ada/coauthors/")
        text = text_of(response)

    assert "Coauthors of Ada Lovelace" in text
    assert "Name Joint publications" in text
    assert rows(response)[0] == ("Grace Hopper", "/en/researchers/grace/", "3")


def test_a_researcher_without_coauthors_says_so(client, db):
    loner = researcher_with_author(slug="loner")
    publication_with_authors([loner.author])

    response = client.get("/fr/chercheurs/loner/coauteurs/")

    assert response.status_code == 200
    assert "Aucun coauteur pour l’instant" in text_of(response)


def test_an_unpublished_or_unknown_researcher_has_no_page(client, editor_client, db):
    draft = researcher_with_author(slug="draft", is_published=False)
    publication_with_authors([draft.author, AuthorFactory()])

    assert client.get("/fr/chercheurs/draft/coauteurs/").status_code == 404
    assert editor_client.get("/fr/chercheurs/draft/coauteurs/").status_code == 404
    assert client.get("/fr/chercheurs/nobody/coauteurs/").status_code == 404


def test_only_safe_methods(client, ada):
    assert client.post("/fr/chercheurs/ada/coauteurs/").status_code == 405


def test_a_hundred_coauthors_a_page(client, ada):
    for number in range(150):
        publication_with_authors([ada.author, AuthorFactory(display_name=f"Person {number:03}")])

    first = client.get("/fr/chercheurs/ada/coauteurs/")
    second = client.get("/fr/chercheurs/ada/coauteurs/", {"page": "2"})
    beyond = client.get("/fr/chercheurs/ada/coauteurs/", {"page": "9"})

    assert len(rows(first)) == 100
    assert rows(first)[0][0] == "Grace Hopper"
    assert len(rows(second)) == 52
    assert "Page 2 sur 2" in text_of(second)
    assert "Il n'y a pas de page 9" in text_of(beyond).replace("’", "'")


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_for_5_or_300_works(client):
    def owner(works: int) -> str:
        researcher = researcher_with_author(slug=f"owner-{works}")
        member = researcher_with_author(slug=f"member-{works}")
        for _ in range(works):
            publication_with_authors([researcher.author, member.author, AuthorFactory()])
        return f"/fr/chercheurs/owner-{works}/coauteurs/"

    few = queries_of(client, owner(5))
    many = queries_of(client, owner(300))

    assert few == many
    assert many <= 3  # the researcher, the coauthors' counts, their names
    # The page is cached whole, as the other public pages.
    assert queries_of(client, "/fr/chercheurs/owner-300/coauteurs/") == 0


# The profile's few coauthors (placed on the profile by its template)


def profile_coauthors(researcher, language: str) -> str:
    """The profile's coauthors as its template places them, in ``language``."""
    with translation.override(language):
        context = {
            "researcher": researcher,
            "coauthors": coauthors_of_researcher(researcher=researcher, limit=1),
            "coauthor_count": len(coauthors_of_researcher(researcher=researcher)),
        }
        return render_to_string("includes/coauthors.html", context)


def test_the_profiles_coauthors_name_the_most_frequent_and_link_to_all(ada):
    html = profile_coauthors(ada, "en")

    assert '<h2 id="coauthors-heading">Coauthors</h2>' in html
    assert '<a href="/en/researchers/grace/">Grace Hopper</a>' in html
    assert "3 joint publications" in html
    assert "Zoé" not in html
    assert '<a href="/en/researchers/ada/coauthors/">All 2 coauthors</a>' in html
    french = profile_coauthors(ada, "fr")
    assert '<a href="/fr/chercheurs/grace/">Grace Hopper</a>' in french
    assert "3 publications communes" in french
    assert '<a href="/fr/chercheurs/ada/coauteurs/">Tous les 2 coauteurs</a>' in french


def test_without_coauthors_the_profile_shows_nothing_of_them(db):
    loner = ResearcherFactory(slug="loner")

    html = render_to_string(
        "includes/coauthors.html", {"researcher": loner, "coauthors": [], "coauthor_count": 0}
    )

    assert html.strip() == ""
