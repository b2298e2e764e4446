"""The publication list filtered by one author, member of the institute or not."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from profiles.models import ResearchTopic
from publications.models import Authorship
from tests.factories import AuthorFactory, publication_with_authors, researcher_with_author
from tests.pages import checkbox_counts, form_data, text_of, titles

URL = "/fr/publications/"


@pytest.fixture
def works(db) -> dict:
    """Grace (no profile) signs two published works and a draft; Ada (a member) signs one of
    them; Grace edits a third."""
    grace = AuthorFactory(display_name="Grace Hopper")
    ada = researcher_with_author(given_name="Ada", family_name="Lovelace", slug="ada")
    topic = ResearchTopic.objects.create(slug="alpha", name_fr="Alpha", name_en="Alpha")
    first = publication_with_authors([grace, ada.author], title="Joint 2021", year=2021)
    first.topics.add(topic)
    publication_with_authors([AuthorFactory(), grace], title="Second 2022", year=2022)
    publication_with_authors([grace], title="Draft 2023", year=2023, is_published=False)
    publication_with_authors([ada.author], title="Ada alone 2020", year=2020)
    volume = publication_with_authors([AuthorFactory()], title="Edited volume 2019", year=2019)
    Authorship.objects.create(
        publication=volume, author=grace, position=1, role=Authorship.Role.EDITOR
    )
    return {"grace": grace, "ada": ada, "topic": topic}


def test_the_list_keeps_the_published_works_the_author_signs(client, works):
    response = client.get(URL, {"author": works["grace"].pk})

    assert titles(response) == ["Second 2022", "Joint 2021", "Edited volume 2019"]
    assert "3 publications" in text_of(response)


def test_a_members_author_row_filters_too(client, works):
    response = client.get(URL, {"author": works["ada"].author.pk})

    assert titles(response) == ["Joint 2021", "Ada alone 2020"]


def test_the_chosen_author_is_named_with_a_link_that_removes_the_filter(client, works):
    response = client.get(URL, {"author": works["grace"].pk, "topic": "alpha"})

    assert "Publications signées par Grace Hopper" in text_of(response)
    html = response.content.decode()
    remove = re.search(r'<a href="([^"]*)">Retirer le filtre « Grace Hopper »</a>', html)
    assert remove, "no link removes the author filter"
    assert parse_qs(urlsplit(unescape(remove.group(1))).query) == {"topic": ["alpha"]}
    with translation.override("en"):
        english = client.get("/en/publications/", {"author": works["grace"].pk})
        assert "Publications signed by Grace Hopper" in text_of(english)


def test_the_filter_form_keeps_the_author_when_sent_again(client, works):
    response = client.get(URL, {"author": works["grace"].pk, "kind": "inproceedings"})

    sent = form_data(response, "publication-filters")
    assert sent["author"] == [str(works["grace"].pk)]
    again = client.get(URL, sent)
    assert titles(again) == titles(response)


def test_the_author_filter_combines_with_the_others_and_the_facets_follow_it(client, works):
    response = client.get(URL, {"author": works["grace"].pk, "topic": "alpha"})

    assert titles(response) == ["Joint 2021"]
    assert checkbox_counts(response, "topic") == {"alpha": 1}
    assert "Filtres (2 actifs)" in text_of(response)


@pytest.mark.parametrize(
    "value",
    ["abc", "999999", "-1", "1.5", "0", "99999999999999999999999", "1e3", "\x00", "<b>x</b>"],
)
def test_a_bad_author_is_named_and_the_list_shown_unfiltered(client, works, value):
    response = client.get(URL, {"author": value})

    assert response.status_code == 200
    text = text_of(response)
    assert "Certains filtres n'ont pas pu être utilisés" in text
    assert "Auteur" in text
    assert "est inconnu" in text
    assert len(titles(response)) == 4
    assert "<b>x</b>" not in response.content.decode()


def test_an_empty_author_is_no_filter(client, works):
    response = client.get(URL, {"author": ""})

    assert len(titles(response)) == 4
    assert "Certains filtres" not in text_of(response)


def test_the_export_follows_the_author_filter(client, works):
    response = client.get("/fr/publications/export.bib", {"author": works["ada"].author.pk})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Joint 2021" in body
    assert "Ada alone 2020" in body
    assert "Second 2022" not in body


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_filtered_list_costs_the_same_queries_for_5_or_200_works(client):
    author = AuthorFactory()
    topic = ResearchTopic.objects.create(slug="t", name_fr="T", name_en="T")

    def grow(count: int) -> None:
        for _ in range(count):
            publication_with_authors([AuthorFactory(), author]).topics.add(topic)

    grow(5)
    few = _queries(client, {"author": author.pk}), _queries(client, {"author": author.pk + 1000})
    grow(195)
    many = _queries(client, {"author": author.pk}), _queries(client, {"author": author.pk + 1000})

    assert few == many
