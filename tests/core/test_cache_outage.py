"""A cache that fails never takes a page down: with its Redis stopped, or refusing writes for
lack of memory, every public page is built from the database, the health check says the cache
fails but answers 200, and the log says so once a minute at most."""

import logging
import time
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import cache_backends as cache_backend
from profiles.models import Researcher
from publications.models import Publication
from tests.redis_server import RedisServer, own_redis_server

PROFILE = "/fr/chercheurs/razvan-pascanu/"
TOPIC = "/fr/sujets/apprentissage-continu/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_server(settings, tmp_path) -> Iterator[RedisServer]:
    yield from own_redis_server(settings, tmp_path)


def public_pages() -> list[str]:
    publication = Publication.objects.published().order_by("pk").first()
    return [
        "/fr/",
        "/en/?q=pascanu",
        "/fr/?topic=apprentissage-continu&membership=core_academic",
        PROFILE,
        f"{PROFILE}?topic=apprentissage-continu",
        "/en/researchers/razvan-pascanu/",
        "/fr/sujets/",
        TOPIC,
        "/fr/publications/",
        "/fr/publications/?topic=apprentissage-continu&kind=article&year_from=2015",
        "/en/publications/?q=universality",
        "/fr/publications/?sort=oldest&page=2",
        f"/fr/publications/{publication.pk}/",
        "/fr/feeds/publications.rss",
        "/en/feeds/publications.atom",
        "/fr/feeds/researchers/razvan-pascanu.atom",
        "/fr/feeds/topics/apprentissage-continu.rss",
        "/sitemap.xml",
    ]


def fetch(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries), response


def cache_warnings(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == cache_backend.__name__ and record.levelno == logging.WARNING
    ]


def test_every_public_page_is_built_from_the_database_once_redis_stops(
    client, demo, redis_server, caplog
):
    pages = public_pages()
    warm = {}
    for url in pages:
        fetch(client, url)
        queries, response = fetch(client, url)
        assert response.status_code == 200, url
        assert queries == 0, url  # served from the cache
        warm[url] = response.content
    assert redis_server.key_count() > len(pages)

    redis_server.stop()
    for url in pages:
        queries, response = fetch(client, url)
        assert response.status_code == 200, url
        assert queries > 0, url  # built from the database, not from a copy of the cache
        assert response.content == warm[url], url

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"database": "ok", "cache": "failing"}
    assert "Razvan Pascanu" in client.get(PROFILE).content.decode()
    assert len(cache_warnings(caplog)) <= 1


def test_a_change_made_while_redis_is_down_shows_at_once(client, demo, redis_server):
    assert "Razvan Pascanu" in client.get(PROFILE).content.decode()
    redis_server.stop()

    Researcher.objects.filter(pk=demo.pk).update(position_fr="Changé pendant la panne")
    demo.refresh_from_db()
    demo.save()

    assert "Changé pendant la panne" in client.get(PROFILE).content.decode()


def test_pages_answer_when_redis_refuses_writes_for_lack_of_memory(client, demo, redis_server):
    pages = public_pages()
    for url in pages[:6]:
        assert client.get(url).status_code == 200, url
    redis_server.client.config_set("maxmemory-policy", "noeviction")
    redis_server.client.config_set("maxmemory", "1")  # every write now fails: OOM
    keys = redis_server.key_count()

    for url in pages:  # the first ones read from the cache, the others cannot be stored
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Razvan Pascanu" in client.get(PROFILE).content.decode()
    assert "Universality" in client.get("/en/publications/?q=universality").content.decode()
    assert redis_server.key_count() == keys
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"database": "ok", "cache": "failing"}


class Clock:
    """The clock the cache reads, moved on at will: a minute passes in no time."""

    def __init__(self, monkeypatch):
        # Far from the real clock, so that no warning logged before this test counts.
        self.now = cache_backend.monotonic() + 10**6
        monkeypatch.setattr(cache_backend, "monotonic", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_a_failing_cache_is_logged_once_a_minute_at_most(
    client, demo, redis_server, caplog, monkeypatch
):
    clock = Clock(monkeypatch)
    client.get(PROFILE)
    redis_server.stop()

    for url in [PROFILE, "/fr/", "/fr/publications/", PROFILE]:
        assert client.get(url).status_code == 200
    first = cache_warnings(caplog)
    assert len(first) == 1
    assert "The cache failed (ConnectionError" in first[0]

    for seconds in (5, 20, 30):  # past the retry delay, within the minute: tried, not logged
        clock.advance(seconds)
        assert client.get("/fr/sujets/").status_code == 200
    assert len(cache_warnings(caplog)) == 1

    clock.advance(6)
    assert client.get("/fr/sujets/").status_code == 200
    assert client.get(TOPIC).status_code == 200
    assert len(cache_warnings(caplog)) == 2


def test_a_change_saved_while_redis_is_cut_off_shows_once_it_answers_again(
    client, demo, redis_server, monkeypatch
):
    """Redis kept its data (a network cut, not a restart): the change it could not be told of
    still drops the pages cached before it."""
    clock = Clock(monkeypatch)
    client.get(PROFILE)
    assert "Razvan Pascanu" in client.get(PROFILE).content.decode()  # cached
    redis_server.client.client_pause(1500)  # every other client's command now times out

    Researcher.objects.filter(pk=demo.pk).update(position_fr="Changé pendant la coupure")
    demo.refresh_from_db()
    demo.save()

    time.sleep(1.6)  # Redis answers again, with the generation it had before the change
    clock.advance(6)  # past the delay before a failed Redis is tried again
    assert "Changé pendant la coupure" in client.get(PROFILE).content.decode()
