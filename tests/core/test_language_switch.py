"""The language switch leads to the same page, with the same filters, in the other language."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import ResearchTopicFactory, publication_with_authors, researcher_with_author
from tests.pages import text_of, titles

FR_PROFILE = "/fr/chercheurs/razvan-pascanu/"
EN_PROFILE = "/en/researchers/razvan-pascanu/"


def switch_link(response, code: str) -> str:
    """The address the language switch offers for ``code``, as a browser follows it."""
    assert response.status_code == 200
    html = response.content.decode()
    switch = html.split('<nav class="language-switch"')[1].split("</nav>")[0]
    return unescape(re.search(rf'<a href="([^"]*)" hreflang="{code}"', switch).group(1))


def query_of(address: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(address).query, keep_blank_values=True)


def result_count(response) -> str:
    match = re.search(
        r'<p class="result-count" role="status">([^<]+)</p>', response.content.decode()
    )
    return " ".join(match.group(1).split())


def selected_topic(response) -> str:
    """The topic of the profile's chip marked as the current filter."""
    chip = re.search(r'<a [^>]*href="([^"]+)"[^>]* aria-current="page"', response.content.decode())
    return query_of(chip.group(1).replace("&amp;", "&"))["topic"][0]


@pytest.fixture
def catalogue(db) -> None:
    """Two topics, two researchers, and publications of several years on each topic."""
    alpha = ResearchTopicFactory(slug="alpha", name_fr="Alpha fr", name_en="Alpha en")
    beta = ResearchTopicFactory(slug="beta", name_fr="Bêta", name_en="Beta")
    ada = researcher_with_author(given_name="Ada", family_name="Lovelace", slug="ada-lovelace")
    grace = researcher_with_author(given_name="Grace", family_name="Hopper", slug="grace-hopper")
    ada.topics.add(alpha)
    grace.topics.add(beta)
    for year in range(2015, 2025):
        paper = publication_with_authors([ada.author], title=f"Learning in {year}", year=year)
        paper.topics.add(alpha if year % 2 else beta)


def test_the_profile_switch_keeps_the_topic_filter(client, demo):
    french = client.get(FR_PROFILE, {"topic": "apprentissage-par-renforcement"})

    link = switch_link(french, "en")
    english = client.get(link)

    # The topic in the English page's own slug.
    assert link == f"{EN_PROFILE}?topic=reinforcement-learning"
    assert selected_topic(english) == "reinforcement-learning"
    assert result_count(english) == result_count(french) != "11 publications"


def test_the_profile_switch_back_to_french_keeps_the_filter_and_the_page(client, demo):
    english = client.get(EN_PROFILE, {"topic": "apprentissage-profond", "page": "2"})
    first_page = client.get(EN_PROFILE, {"topic": "apprentissage-profond", "page": "1"})

    link = switch_link(english, "fr")

    assert urlsplit(link).path == FR_PROFILE
    assert query_of(link) == {"topic": ["apprentissage-profond"], "page": ["2"]}
    # The first page is the address without a page number.
    assert query_of(switch_link(first_page, "fr")) == {"topic": ["apprentissage-profond"]}


def test_the_publication_list_switch_keeps_every_filter(client, catalogue):
    params = {
        "topic": ["alpha", "beta"],
        "year_from": "2016",
        "year_to": "2023",
        "kind": ["inproceedings", "article"],
        "researcher": "ada-lovelace",
        "q": "learning in",
        "sort": "oldest",
    }
    french = client.get("/fr/publications/", params)

    link = switch_link(french, "en")
    english = client.get(link)

    assert urlsplit(link).path == "/en/publications/"
    assert query_of(link) == {
        name: sorted(value) if isinstance(value, list) else [value]
        for name, value in params.items()
    }
    assert titles(english) == titles(french)
    assert titles(english)[0] == "Learning in 2016"
    assert "Publications of Ada Lovelace" in text_of(english)


def test_the_directory_switch_keeps_the_filters(client, catalogue):
    english = client.get("/en/", {"topic": "beta", "membership": "core_academic", "q": "hopper"})

    link = switch_link(english, "fr")
    french = client.get(link)

    assert urlsplit(link).path == "/fr/"
    assert query_of(link) == {"topic": ["beta"], "membership": ["core_academic"], "q": ["hopper"]}
    assert "Grace Hopper" in text_of(french)
    assert "Ada Lovelace" not in text_of(french)


def test_the_switch_leaves_out_parameters_the_page_does_not_read(client, catalogue):
    french = client.get("/fr/sujets/alpha/", {"utm_source": "lettre"})

    link = switch_link(french, "en")

    assert link == "/en/topics/alpha/"
    assert "Alpha en" in text_of(client.get(link))


def test_a_page_without_a_query_string_switches_to_the_bare_address(client, catalogue):
    assert switch_link(client.get("/fr/publications/"), "en") == "/en/publications/"
    assert switch_link(client.get("/en/topics/"), "fr") == "/fr/sujets/"


def test_the_query_string_is_escaped_in_the_link(client, catalogue):
    hostile = '"><script>alert(1)</script>&topic=beta'
    response = client.get("/fr/publications/", {"q": hostile, "topic": ["alpha", "é ü"]})

    html = response.content.decode()
    switch = html.split('<nav class="language-switch"')[1].split("</nav>")[0]
    link = switch_link(response, "en")

    assert "<script>" not in html
    assert "&topic" not in switch.replace("&amp;", "")
    assert query_of(link) == {"q": [hostile], "topic": ["alpha", "é ü"]}


def test_search_engines_are_given_the_canonical_address_in_the_other_language(client, catalogue):
    response = client.get("/fr/publications/", {"topic": "alpha"})

    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/publications/">' in (
        response.content.decode()
    )


def test_a_cached_page_keeps_the_switch_link_of_its_own_query_string(
    client, catalogue, django_assert_num_queries
):
    for topic in ("alpha", "beta"):
        client.get("/fr/publications/", {"topic": topic})

    with django_assert_num_queries(0):  # both pages come from the page cache
        alpha = client.get("/fr/publications/", {"topic": "alpha"})
        beta = client.get("/fr/publications/", {"topic": "beta"})

    assert switch_link(alpha, "en") == "/en/publications/?topic=alpha"
    assert switch_link(beta, "en") == "/en/publications/?topic=beta"
    assert switch_link(client.get("/fr/publications/"), "en") == "/en/publications/"
