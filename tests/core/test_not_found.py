"""Addresses a visitor or a browser asks for that lead nowhere: the site icon, the designed 404."""

import re
from html import unescape

import pytest

from tests.factories import AuthorFactory, publication_with_authors
from tests.pages import form_data, text_of, titles

pytestmark = pytest.mark.django_db

ICO_SIGNATURE = b"\x00\x00\x01\x00"


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def search_form(response) -> str:
    """The markup of the not-found page's search form."""
    match = re.search(r'<form[^>]*id="not-found-search".*?</form>', response.content.decode(), re.S)
    assert match, "the page has no search form"
    return match.group(0)


def label_of(form: str, field_name: str) -> str:
    """The text of the label tied to the named field, as a screen reader announces it."""
    field = re.search(rf'<input[^>]*\bname="{field_name}"[^>]*>', form).group(0)
    field_id = re.search(r'\bid="([^"]+)"', field).group(1)
    label = re.search(rf'<label for="{field_id}">(.*?)</label>', form, re.S).group(1)
    return " ".join(unescape(label).split())


# The site icon


def test_favicon_ico_leads_to_the_icon(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    assert "public" in response["Cache-Control"]
    assert "max-age=86400" in response["Cache-Control"]
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert body(icon).startswith(ICO_SIGNATURE)


def test_favicon_ico_answers_a_head_request(client):
    assert client.head("/favicon.ico").status_code == 302
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.parametrize("address", ["/fr/", "/en/publications/", "/fr/nulle-part/"])
def test_every_page_links_the_icon_in_two_formats(client, address):
    html = client.get(address).content.decode()

    assert '<link rel="icon" href="/static/favicon.ico" sizes="32x32">' in html
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200
    assert body(svg).startswith(b"<svg")


# The designed 404 page


def test_the_not_found_page_offers_a_search_of_the_publications(client):
    response = client.get("/en/nowhere/")
    form = search_form(response)

    assert response.status_code == 404
    assert 'method="get"' in form
    assert 'action="/en/publications/"' in form
    assert 'role="search"' in form
    assert label_of(form, "q") == "Search the publications"
    assert re.search(r'<button type="submit"[^>]*>Search</button>', form)
    assert form_data(response, "not-found-search") == {"q": [""]}


def test_the_search_box_of_the_french_not_found_page_searches_in_french(client):
    response = client.get("/fr/chercheurs/personne/")
    form = search_form(response)

    assert response.status_code == 404
    assert "Page introuvable" in text_of(response)
    assert 'action="/fr/publications/"' in form
    assert label_of(form, "q")
    assert re.search(r'<button type="submit"[^>]*>Rechercher</button>', form)


def test_searching_from_the_not_found_page_lists_the_matches(client):
    publication_with_authors([AuthorFactory()], title="Recurrent networks, revisited")
    publication_with_authors([AuthorFactory()], title="Something else entirely")
    not_found = client.get("/en/researchers/nobody/")
    fields = form_data(not_found, "not-found-search")
    assert list(fields) == ["q"]

    results = client.get("/en/publications/", {**fields, "q": "recurrent"})

    assert titles(results) == ["Recurrent networks, revisited"]


def test_the_not_found_page_has_one_heading_and_costs_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/en/nowhere/at/all/")

    assert response.status_code == 404
    assert response.content.decode().count("<h1") == 1
    assert "Page not found" in text_of(response)


def test_the_not_found_page_costs_only_the_lookup_that_failed(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the researcher's slug, not found
        response = client.get("/en/researchers/nobody/")

    assert response.status_code == 404
    search_form(response)
