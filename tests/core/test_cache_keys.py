"""A page is cached under the parameters it reads, normalised, and nothing else: parameters no
page reads (trackers' utm_source, fbclid...), their order, repeated values, defaults and the
host a request named make no new cache entry, and never travel into the page's links."""

import logging
import random
import re
import string
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.caching import cached_response
from tests.factories import PublicationFactory, ResearchTopicFactory
from tests.redis_server import RedisServer, own_redis_server

PUBLIC_URL = "https://directory.example.org"
PROFILE = "/fr/chercheurs/razvan-pascanu/"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ATOM = "{http://www.w3.org/2005/Atom}"

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_server(settings, tmp_path) -> Iterator[RedisServer]:
    yield from own_redis_server(settings, tmp_path)


# Each page with the parameters it reads: a visitor's request asks for the same page with any
# of these in any order, repeated values, defaults, empty values and unknown parameters.
PAGES = [
    ("/fr/", {}),
    ("/fr/", {"topic": ["apprentissage-continu"], "membership": ["core_academic"]}),
    ("/en/", {"q": ["pascanu"]}),
    (PROFILE, {}),
    (PROFILE, {"topic": ["apprentissage-continu"]}),
    ("/fr/sujets/", {}),
    ("/fr/sujets/apprentissage-continu/", {}),
    ("/fr/publications/", {}),
    (
        "/fr/publications/",
        {"topic": ["apprentissage-continu", "apprentissage-profond"], "kind": ["article"]},
    ),
    ("/fr/publications/", {"q": ["universality"], "sort": ["oldest"], "year_from": ["2015"]}),
    ("/fr/publications/", {"page": ["2"], "researcher": ["razvan-pascanu"]}),
    ("/fr/feeds/publications.rss", {}),
    ("/fr/feeds/researchers/razvan-pascanu.atom", {}),
    ("/sitemap.xml", {}),
]
# Parameters that a page does not read, and values that change nothing.
NOISE = ["utm_source", "utm_medium", "fbclid", "gclid", "ref", "x"]


def canonical(path: str, params: dict[str, list[str]]) -> str:
    return f"{path}?{urlencode(params, doseq=True)}" if params else path


def visitor_address(rng: random.Random, path: str, params: dict[str, list[str]]) -> str:
    """The same page as ``canonical(path, params)``, asked another way."""
    pairs = []
    for name, values in params.items():
        pairs.extend((name, value) for value in values)
        if rng.random() < 0.5:
            pairs.append((name, rng.choice(values)))  # a value repeated
    if "page" not in params and rng.random() < 0.3:
        pairs.append(("page", "1"))  # the default page
    if rng.random() < 0.3:
        pairs.append((rng.choice(["q", "topic", "kind", "sort"]), ""))  # an empty value
    for _ in range(rng.randint(1, 3)):
        junk = "".join(rng.choices(string.ascii_letters + string.digits, k=12))
        pairs.append((rng.choice(NOISE), junk))
    rng.shuffle(pairs)
    # Repeated single-valued parameters keep their last value, which must stay the same.
    for name, values in params.items():
        if len(values) == 1:
            pairs.append((name, values[0]))
    return f"{path}?{urlencode(pairs)}"


def test_unknown_reordered_repeated_and_default_parameters_make_no_new_entry(
    client, demo, redis_server
):
    for path, params in PAGES:
        assert client.get(canonical(path, params)).status_code == 200, (path, params)
    keys = redis_server.key_count()
    assert keys > len(PAGES)

    rng = random.Random(7)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(1000):
            path, params = rng.choice(PAGES)
            address = visitor_address(rng, path, params)
            assert client.get(address).status_code == 200, address

    assert redis_server.key_count() == keys
    assert len(queries) == 0  # every one of them was a page already cached


@pytest.fixture
def long_list(demo) -> None:
    """Enough publications on one topic for the list and the topic filter to have pages."""
    topic = ResearchTopicFactory(slug="beaucoup", name_fr="Beaucoup", name_en="Many")
    for number in range(45):
        PublicationFactory(title=f"Paper number {number}").topics.add(topic)


def links(response) -> list[str]:
    html = response.content.decode()
    return [unescape(href) for href in re.findall(r'<a href="([^"]*)"', html)]


def test_links_of_a_page_asked_with_a_tracker_parameter_leave_it_out(client, long_list):
    response = client.get(
        "/fr/publications/", {"topic": "beaucoup", "page": "2", "utm_source": "x", "sort": ""}
    )
    html = response.content.decode()

    assert 'rel="next"' in html
    assert 'rel="prev"' in html
    assert "utm_source" not in html
    page_links = [link for link in links(response) if "topic=" in link]
    assert len(page_links) >= 6  # pages, exports, languages
    for link in page_links:
        assert parse_qs(urlsplit(link).query, keep_blank_values=True) in (
            {"topic": ["beaucoup"]},
            {"topic": ["beaucoup"], "page": ["2"]},
            {"topic": ["beaucoup"], "page": ["3"]},
        ), link

    filtered = client.get("/fr/publications/", {"researcher": "razvan-pascanu", "fbclid": "y"})
    own_links = [link for link in links(filtered) if link.startswith("?")]
    assert "?" in own_links  # everyone's publications: no filter left, nor fbclid
    assert "fbclid" not in filtered.content.decode()


def test_the_language_switch_and_the_profile_pages_leave_out_unknown_parameters(client, demo):
    response = client.get(PROFILE, {"utm_source": "newsletter", "topic": "apprentissage-continu"})

    html = response.content.decode()
    assert "utm_source" not in html
    assert "newsletter" not in html
    # The topic in the English page's own slug.
    assert "/en/researchers/razvan-pascanu/?topic=continual-learning" in html


def test_requests_naming_different_hosts_share_one_entry_with_the_public_address(
    client, demo, settings
):
    settings.PUBLIC_URL = PUBLIC_URL
    first = client.get(PROFILE, HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as queries:
        second = client.get(PROFILE, HTTP_HOST="localhost:8000")

    assert len(queries) == 0
    assert second.content == first.content
    html = first.content.decode()
    assert f'<link rel="canonical" href="{PUBLIC_URL}{PROFILE}">' in html
    assert f'hreflang="en" href="{PUBLIC_URL}/en/researchers/razvan-pascanu/"' in html
    assert f'"url": "{PUBLIC_URL}{PROFILE}"' in html  # the structured data
    assert "127.0.0.1" not in html
    assert "localhost" not in html


def test_the_sitemap_feeds_and_robots_name_the_public_address(client, demo, settings):
    settings.PUBLIC_URL = PUBLIC_URL

    sitemap = ElementTree.fromstring(client.get("/sitemap.xml", HTTP_HOST="localhost").content)
    locations = [loc.text for loc in sitemap.findall("s:url/s:loc", SITEMAP_NS)]
    assert f"{PUBLIC_URL}{PROFILE}" in locations
    assert all(location.startswith(f"{PUBLIC_URL}/") for location in locations)

    rss = client.get("/fr/feeds/publications.rss", HTTP_HOST="localhost").content.decode()
    assert f"<link>{PUBLIC_URL}/fr/publications/</link>" in rss
    assert f'href="{PUBLIC_URL}/fr/feeds/publications.rss"' in rss
    assert "localhost" not in rss

    atom = ElementTree.fromstring(
        client.get("/en/feeds/researchers/razvan-pascanu.atom", HTTP_HOST="127.0.0.1").content
    )
    hrefs = [link.get("href") for link in atom.iter(f"{ATOM}link")]
    assert f"{PUBLIC_URL}/en/feeds/researchers/razvan-pascanu.atom" in hrefs
    assert f"{PUBLIC_URL}/en/researchers/razvan-pascanu/" in hrefs
    assert all(href.startswith(f"{PUBLIC_URL}/") for href in hrefs)

    robots = client.get("/robots.txt", HTTP_HOST="localhost").content.decode()
    assert f"Sitemap: {PUBLIC_URL}/sitemap.xml" in robots


def test_a_host_the_site_does_not_serve_gets_400_and_no_cache_warning(client, demo, caplog):
    assert client.get("/fr/").status_code == 200
    assert cached_response(client.get("/fr/").wsgi_request) is not None

    with caplog.at_level(logging.INFO):
        response = client.get("/fr/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "Page cache" not in caplog.text
    assert [r.name for r in caplog.records if r.levelno >= logging.WARNING] == [
        "django.security.DisallowedHost"
    ]
