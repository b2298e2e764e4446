"""What search engines, feed readers and reference managers read: metadata, feeds, sitemap."""

import json
import re
from html import unescape
from xml.etree import ElementTree

import pytest
from django.utils import translation

from profiles.models import Researcher, ResearchTopic
from publications.models import Publication
from tests.factories import ResearcherFactory, publication_with_authors

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


def json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def meta(html: str, attribute: str, name: str) -> list[str]:
    return [
        unescape(content)
        for content in re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    ]


def test_profile_has_person_json_ld_and_open_graph(client, demo):
    Researcher.objects.filter(pk=demo.pk).update(
        orcid="0000-0002-1825-0097",
        openalex_id="A5023888391",
        dblp_pid="https://dblp.org/pid/05/3463-1.html",
        semantic_scholar_id="1751762",
    )

    html = client.get("/en/researchers/razvan-pascanu/").content.decode()

    person = json_ld(html)
    assert person["@type"] == "Person"
    assert person["name"] == "Razvan Pascanu"
    assert person["jobTitle"] == "Principal Research Scientist"
    assert person["affiliation"] == {"@type": "Organization", "name": "Google DeepMind"}
    assert person["image"].endswith(".png")
    assert "https://orcid.org/0000-0002-1825-0097" in person["sameAs"]
    assert "https://openalex.org/A5023888391" in person["sameAs"]
    assert "https://dblp.org/pid/05/3463-1" in person["sameAs"]
    assert "https://www.semanticscholar.org/author/1751762" in person["sameAs"]
    assert person["knowsAbout"][0] == "Continual Learning"
    assert meta(html, "property", "og:type") == ["profile"]
    assert meta(html, "property", "og:title") == ["Razvan Pascanu"]
    assert '<link rel="canonical" href="http://testserver/en/researchers/razvan-pascanu/">' in html
    assert 'href="/en/feeds/researchers/razvan-pascanu.rss"' in html
    assert 'href="/en/feeds/researchers/razvan-pascanu.atom"' in html
    where = "Principal Research Scientist, Google DeepMind"
    assert meta(html, "name", "description") == [f"Razvan Pascanu — {where}"]
    with translation.override("en"):
        membership = demo.get_membership_display()
    assert meta(html, "property", "og:description") == [f"{membership} · {where}"]
    assert meta(html, "property", "og:image") == [person["image"]]
    for fmt in ("bib", "ris", "json"):
        assert f'href="/en/researchers/razvan-pascanu/publications.{fmt}"' in html
    assert 'href="/en/publications/?researcher=razvan-pascanu"' in html


def test_publication_page_has_article_json_ld_and_highwire_tags(client, demo):
    publication = Publication.objects.get(arxiv_id="2406.08423")

    html = client.get(publication.get_absolute_url()).content.decode()

    article = json_ld(html)
    assert article["@type"] == "ScholarlyArticle"
    assert article["headline"] == "State Soup: In-Context Skill Learning, Retrieval and Mixing"
    assert [a["name"] for a in article["author"]] == [
        "Maciej Pióro",
        "Maciej Wołczyk",
        "Razvan Pascanu",
        "Johannes von Oswald",
        "João Sacramento",
    ]
    assert article["author"][2]["url"].endswith("/fr/chercheurs/razvan-pascanu/")
    assert article["datePublished"] == "2024"
    assert {"@type": "PropertyValue", "propertyID": "arXiv", "value": "2406.08423"} in article[
        "identifier"
    ]
    assert meta(html, "name", "citation_author")[:2] == ["Maciej Pióro", "Maciej Wołczyk"]
    assert meta(html, "name", "citation_arxiv_id") == ["2406.08423"]
    assert meta(html, "name", "citation_publication_date") == ["2024"]
    assert meta(html, "property", "og:type") == ["article"]


def test_text_from_editors_cannot_break_out_of_the_json_ld(client, db):
    researcher = ResearcherFactory(given_name="</script><script>alert(1)</script>", slug="x")

    html = client.get(researcher.get_absolute_url()).content.decode()

    assert "<script>alert(1)" not in html
    assert json_ld(html)["givenName"] == "</script><script>alert(1)</script>"


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/fr/feeds/publications.rss", "application/rss+xml; charset=utf-8"),
        ("/en/feeds/publications.atom", "application/atom+xml; charset=utf-8"),
        ("/fr/feeds/researchers/razvan-pascanu.rss", "application/rss+xml; charset=utf-8"),
        (
            "/en/feeds/topics/apprentissage-par-renforcement.atom",
            "application/atom+xml; charset=utf-8",
        ),
    ],
)
def test_feeds_list_published_publications(client, demo, url, content_type):
    Publication.objects.filter(arxiv_id="2407.01800").update(is_published=False)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    body = response.content.decode()
    ElementTree.fromstring(response.content)  # well-formed XML
    assert "Normalization and effective learning rates" not in body
    if "topics" in url:
        assert body.count("<entry>") == 1
        assert "No Representation, No Trust" in body
    else:
        assert "State Soup" in body


def test_feeds_of_unknown_or_unpublished_things_are_not_found(client, demo):
    Researcher.objects.filter(pk=demo.pk).update(is_published=False)

    assert client.get("/fr/feeds/researchers/razvan-pascanu.rss").status_code == 404
    assert client.get("/fr/feeds/topics/nope.rss").status_code == 404


def test_sitemap_lists_public_pages_in_both_languages_and_nothing_unpublished(client, demo):
    hidden_researcher = ResearcherFactory(slug="hidden", is_published=False)
    hidden = publication_with_authors([], title="Hidden draft", is_published=False)

    response = client.get("/sitemap.xml")

    root = ElementTree.fromstring(response.content)
    locations = [loc.text for loc in root.findall("s:url/s:loc", SITEMAP_NS)]
    assert "http://testserver/fr/chercheurs/razvan-pascanu/" in locations
    assert "http://testserver/en/researchers/razvan-pascanu/" in locations
    assert "http://testserver/fr/sujets/optimisation/" in locations
    assert "http://testserver/en/topics/optimization/" in locations
    published = Publication.objects.published().count()
    assert (
        sum(
            "/publications/" in loc and loc.rstrip("/").split("/")[-1].isdigit()
            for loc in locations
        )
        == 2 * published
    )
    assert not any(hidden_researcher.slug in loc for loc in locations)
    assert not any(f"/publications/{hidden.pk}/" in loc for loc in locations)
    assert len(locations) == 2 * (3 + 1 + published + ResearchTopic.objects.count())
    first = root.find("s:url", SITEMAP_NS)
    hreflangs = {link.get("hreflang") for link in first.findall("x:link", SITEMAP_NS)}
    assert hreflangs == {"fr", "en"}


def test_robots_txt_names_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()
