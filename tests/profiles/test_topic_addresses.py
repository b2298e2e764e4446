"""A research topic's address reads in each language (/en/topics/continual-learning/,
/fr/sujets/apprentissage-continu/); the other language's slug, the page's address before, moves
for good; filters take either; every link, alternate, switch and sitemap entry names the
language's own slug, whatever the caches hold."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import translation

from profiles.models import ResearchTopic
from tests.factories import (
    AuthorFactory,
    ResearchTopicFactory,
    publication_with_authors,
    researcher_with_author,
)
from tests.pages import checkbox_counts, text_of, titles

pytestmark = pytest.mark.django_db

FR_TOPIC = "/fr/sujets/apprentissage-continu/"
EN_TOPIC = "/en/topics/continual-learning/"
SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


@pytest.fixture
def continual():
    """A topic with a slug in each language, a researcher and a publication on it."""
    topic = ResearchTopicFactory(
        name_fr="Apprentissage continu",
        name_en="Continual learning",
        slug_fr="apprentissage-continu",
        slug_en="continual-learning",
    )
    ada = researcher_with_author(given_name="Ada", family_name="Lovelace", slug="ada-lovelace")
    ada.topics.add(topic)
    paper = publication_with_authors([ada.author, AuthorFactory()], title="Never forget")
    paper.topics.add(topic)
    other = publication_with_authors([ada.author], title="Something else")
    other.topics.add(ResearchTopicFactory(name_fr="Autre", name_en="Other"))
    return topic


def links(response) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', response.content.decode())]


def switch_link(response, code: str) -> str:
    html = response.content.decode()
    switch = html.split('<nav class="language-switch"')[1].split("</nav>")[0]
    return unescape(re.search(rf'<a href="([^"]*)" hreflang="{code}"', switch).group(1))


def hreflang(response, code: str) -> str:
    html = response.content.decode()
    return re.search(rf'<link rel="alternate" hreflang="{code}" href="([^"]+)">', html).group(1)


# The topic's page -------------------------------------------------------------------------------


def test_each_language_names_the_topic_by_its_own_slug(client, continual):
    english = client.get(EN_TOPIC)
    french = client.get(FR_TOPIC)

    assert english.status_code == french.status_code == 200
    assert "Continual learning" in text_of(english)
    assert "Apprentissage continu" in text_of(french)
    with translation.override("en"):
        assert continual.get_absolute_url() == EN_TOPIC
    assert continual.get_absolute_url() == FR_TOPIC


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/en/topics/apprentissage-continu/", EN_TOPIC),
        ("/fr/sujets/continual-learning/", FR_TOPIC),
    ],
)
def test_the_other_languages_slug_moves_for_good_to_this_languages(client, continual, old, new):
    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(response["Location"]).status_code == 200


def test_the_move_keeps_the_query_string(client, continual):
    response = client.get("/en/topics/apprentissage-continu/?page=1&utm_source=lettre&q=%C3%A9")

    assert response.status_code == 301
    assert response["Location"] == f"{EN_TOPIC}?page=1&utm_source=lettre&q=%C3%A9"


@pytest.mark.parametrize(
    "address", ["/en/topics/nope/", "/fr/sujets/nope/", f"/en/topics/{'x' * 300}/"]
)
def test_an_unknown_slug_is_not_found(client, continual, address):
    assert client.get(address).status_code == 404


def test_a_topic_without_an_english_slug_keeps_its_french_one_in_english(client, db):
    """Rows written before both slugs were required: the French slug serves both languages."""
    topic = ResearchTopic.objects.create(slug_fr="ancien", name_fr="Ancien", name_en="Old")
    assert topic.slug_en is None

    response = client.get("/en/topics/ancien/")

    assert response.status_code == 200
    assert "Old" in text_of(response)
    assert switch_link(client.get("/fr/sujets/ancien/"), "en") == "/en/topics/ancien/"


def test_the_language_switch_and_alternates_name_the_other_languages_slug(client, continual):
    french = client.get(FR_TOPIC, {"utm_source": "lettre"})
    english = client.get(EN_TOPIC)

    assert switch_link(french, "en") == EN_TOPIC
    assert switch_link(english, "fr") == FR_TOPIC
    assert hreflang(french, "en") == f"http://testserver{EN_TOPIC}"
    assert hreflang(french, "fr") == f"http://testserver{FR_TOPIC}"
    assert hreflang(english, "fr") == f"http://testserver{FR_TOPIC}"
    # The feeds of the page name its own slug.
    assert "/en/feeds/topics/continual-learning.rss" in links(english)
    assert "/fr/feeds/topics/apprentissage-continu.atom" in links(french)


def test_a_feed_subscribed_at_the_old_address_still_answers(client, continual):
    response = client.get("/en/feeds/topics/apprentissage-continu.atom")

    assert response.status_code == 200
    assert "Never forget" in response.content.decode()
    assert "http://testserver/en/feeds/topics/continual-learning.atom" in (
        response.content.decode()
    )
    assert client.get("/en/feeds/topics/nope.atom").status_code == 404


# Filters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["continual-learning", "apprentissage-continu"])
def test_the_publication_list_takes_either_slug_and_shows_this_languages(client, continual, slug):
    response = client.get("/en/publications/", {"topic": slug})

    assert titles(response) == ["Never forget"]
    assert "is unknown" not in text_of(response)
    assert checkbox_counts(response, "topic")["continual-learning"] == 1
    assert 'value="continual-learning" checked' in response.content.decode()
    assert switch_link(response, "fr") == "/fr/publications/?topic=apprentissage-continu"


def test_an_unknown_topic_is_still_named(client, continual):
    response = client.get("/en/publications/", {"topic": ["continual-learning", "nope"]})

    assert titles(response) == ["Never forget"]
    assert "“nope” is unknown" in text_of(response)
    assert "continual-learning” is unknown" not in text_of(response)


@pytest.mark.parametrize("slug", ["continual-learning", "apprentissage-continu"])
def test_the_directory_takes_either_slug(client, continual, slug):
    response = client.get("/en/", {"topic": slug})

    assert "Ada Lovelace" in text_of(response)
    assert "is unknown" not in text_of(response)


@pytest.mark.parametrize("slug", ["continual-learning", "apprentissage-continu"])
def test_the_profile_takes_either_slug(client, continual, slug):
    response = client.get("/en/researchers/ada-lovelace/", {"topic": slug})

    assert titles(response) == ["Never forget"]
    assert "is not one of this researcher's topics" not in text_of(response)
    assert switch_link(response, "fr") == (
        "/fr/chercheurs/ada-lovelace/?topic=apprentissage-continu"
    )


# Links on every page, whatever the caches hold --------------------------------------------------


def topic_links(response) -> set[str]:
    return {
        link
        for link in links(response)
        if "topic=" in link or "/topics/" in link or "/sujets/" in link
    }


def test_pages_link_topics_by_their_slug_in_the_pages_language(client, continual):
    english_pages = ["/en/publications/", "/en/topics/", EN_TOPIC]
    french_pages = ["/fr/publications/", "/fr/sujets/", FR_TOPIC]
    # English first: whatever memo() kept then must not show on the French pages.
    english = [client.get(page) for page in english_pages]
    french = [client.get(page) for page in french_pages]

    # The pages' own links (not the switch and alternates, which name the other language).
    english_links = {link for page in english for link in topic_links(page) if "/fr/" not in link}
    french_links = {link for page in french for link in topic_links(page) if "/en/" not in link}
    assert "/en/publications/?topic=continual-learning" in english_links
    assert EN_TOPIC in english_links
    assert "/fr/publications/?topic=apprentissage-continu" in french_links
    assert FR_TOPIC in french_links
    assert not [link for link in french_links if "continual-learning" in link]
    assert not [link for link in english_links if "apprentissage-continu" in link]


def test_the_publication_pages_topic_links_follow_the_language(client, continual):
    paper = continual.publications.get()
    with translation.override("en"):
        english = client.get(paper.get_absolute_url())
    french = client.get(paper.get_absolute_url())

    assert "continual-learning" in " ".join(topic_links(english))
    assert "apprentissage-continu" in " ".join(topic_links(french))
    assert "continual-learning" not in " ".join(topic_links(french))


def test_the_sitemap_lists_each_language_with_its_own_slug(client, continual):
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)

    entries = {
        url.find("s:loc", SITEMAP_NS).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", SITEMAP_NS)
        }
        for url in root.findall("s:url", SITEMAP_NS)
    }
    french, english = f"http://testserver{FR_TOPIC}", f"http://testserver{EN_TOPIC}"
    assert entries[french] == entries[english] == {"fr": french, "en": english}
    assert not [loc for loc in entries if "/en/topics/apprentissage-continu/" in loc]


def test_the_other_languages_links_need_no_query_once_cached(
    client, continual, django_assert_num_queries
):
    client.get(FR_TOPIC)
    with django_assert_num_queries(0):  # the page cache answers
        assert switch_link(client.get(FR_TOPIC), "en") == EN_TOPIC


def test_the_demo_topics_have_an_english_address(client, demo):
    topic = ResearchTopic.objects.get(slug_fr="apprentissage-continu")

    assert topic.slug_en == "continual-learning"
    assert client.get("/en/topics/continual-learning/").status_code == 200
    switch = switch_link(client.get("/fr/sujets/apprentissage-par-renforcement/"), "en")
    assert switch == "/en/topics/reinforcement-learning/"
    assert parse_qs(urlsplit(switch).query) == {}


def test_factory_topics_have_a_slug_in_each_language(db):
    topic = ResearchTopicFactory()

    assert topic.slug_fr.startswith("sujet-")
    assert topic.slug_en.startswith("topic-")
    assert reverse("profiles:topic_detail", args=[topic.slug]) == f"/fr/sujets/{topic.slug_fr}/"
