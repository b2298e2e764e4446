"""Public pages are cached for visitors, answer 304 to repeat requests, and never show anything
stale: every way of changing what a page shows makes the next request show the change."""

import io
import pickle
import re
import shutil
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.caching import GENERATION_KEY, cached_response, code_fingerprint
from profiles.models import Researcher, ResearchTopic
from publications.models import Author, Authorship, Publication
from publications.services import publication_import_bibtex, publication_merge
from tests.factories import AuthorFactory, PublicationFactory
from tests.pages import edit_snapshot, text_of

PROFILE = "/fr/chercheurs/razvan-pascanu/"
TOPIC = "/fr/sujets/apprentissage-continu/"


def queries_for(client, url: str, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return len(captured), response


def public_pages(demo: Researcher) -> list[str]:
    publication = Publication.objects.first()
    return [
        PROFILE,
        "/en/researchers/razvan-pascanu/",
        "/fr/",
        "/fr/?q=pascanu",
        "/fr/publications/",
        "/fr/publications/?topic=apprentissage-continu",
        f"/fr/publications/{publication.pk}/",
        f"/fr/publications/{publication.pk}/cite.bib",
        "/fr/chercheurs/razvan-pascanu/publications.ris",
        "/fr/sujets/",
        TOPIC,
        "/fr/feeds/publications.rss",
        "/fr/feeds/researchers/razvan-pascanu.atom",
        "/fr/feeds/topics/apprentissage-continu.rss",
        "/sitemap.xml",
    ]


def test_every_public_page_is_served_from_the_cache_on_a_repeat_visit(client, demo):
    for url in public_pages(demo):
        first_queries, first = queries_for(client, url)
        repeat_queries, repeat = queries_for(client, url)

        assert first.status_code == 200, url
        assert first_queries > 0, url
        assert repeat_queries == 0, url
        assert repeat.content == first.content, url
        assert dict(repeat.items()) == dict(first.items()), url


def test_a_repeat_request_for_an_unchanged_page_gets_304(client, demo):
    response = client.get(PROFILE)
    etag = response["ETag"]
    assert "no-cache" in response["Cache-Control"]

    repeat = client.get(PROFILE, HTTP_IF_NONE_MATCH=etag)
    assert repeat.status_code == 304
    assert repeat.content == b""

    demo.position_fr = "Directeur de recherche"
    demo.save()
    changed = client.get(PROFILE, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Directeur de recherche" in text_of(changed)


def test_with_the_page_cache_off_an_unchanged_page_still_gets_304(client, demo, settings):
    settings.PAGE_CACHE_SECONDS = 0
    response = client.get(PROFILE)
    etag = response["ETag"]
    assert response.status_code == 200

    assert client.get(PROFILE, HTTP_IF_NONE_MATCH=etag).status_code == 304
    demo.position_fr = "Directrice de recherche"
    demo.save()
    changed = client.get(PROFILE, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "Directrice de recherche" in text_of(changed)


def test_the_two_languages_are_cached_apart(client, demo):
    assert client.get("/fr/sujets/").content != client.get("/en/topics/").content


# Each way of changing what pages show ---------------------------------------------------------


def page_is_cached(url: str) -> bool:
    return cached_response(RequestFactory().get(url)) is not None


def shows(client, url: str, text: str) -> bool:
    return text in text_of(client.get(url))


SUPERVISIONS = ("supervisions", "supervised_by")
INLINE_COUNTS = ("TOTAL_FORMS", "INITIAL_FORMS")


def test_a_researcher_edited_in_the_admin(client, editor_client, demo):
    assert shows(client, PROFILE, "Razvan Pascanu")
    url = reverse("admin:profiles_researcher_change", args=[demo.pk])
    page = editor_client.get(url)
    assert page.status_code == 200

    response = editor_client.post(
        url,
        {
            **edit_snapshot(editor_client, url),
            "given_name": "Răzvan",
            "family_name": "Pascanu",
            "slug": "razvan-pascanu",
            "is_published": "on",
            "membership": demo.membership,
            "position_fr": "Chercheur invité",
            "position_en": "Visiting researcher",
            "organization": "Mila",
            "topics": list(demo.topics.values_list("pk", flat=True)),
            # No supervisions, as supervisor or as student.
            **{f"{prefix}-{name}": 0 for prefix in SUPERVISIONS for name in INLINE_COUNTS},
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    assert shows(client, PROFILE, "Chercheur invité")
    assert shows(client, "/fr/", "Răzvan Pascanu")


def test_a_topic_renamed(client, demo):
    assert not shows(client, PROFILE, "Apprentissage perpétuel")
    topic = ResearchTopic.objects.get(slug="apprentissage-continu")
    topic.name_fr = "Apprentissage perpétuel"
    topic.save()

    assert shows(client, PROFILE, "Apprentissage perpétuel")
    assert shows(client, "/fr/sujets/", "Apprentissage perpétuel")


def test_a_publication_retitled_and_an_author_renamed(client, demo):
    publication = Publication.objects.get(title__startswith="Universality of Linear")
    assert shows(client, PROFILE, "Antonio Orvieto")

    publication.title = "A retitled paper about recurrences"
    publication.save()
    Author.objects.filter(display_name="Antonio Orvieto").update(display_name="placeholder")
    author = Author.objects.get(display_name="placeholder")
    author.display_name = "Antonio Orvieto-Renamed"
    author.save()

    page = text_of(client.get(PROFILE))
    assert "A retitled paper about recurrences" in page
    assert "Antonio Orvieto-Renamed" in page


def test_an_author_added_and_a_topic_link_removed(client, demo):
    publication = Publication.objects.get(title__startswith="Universality of Linear")
    url = f"/fr/publications/{publication.pk}/"
    topic = publication.topics.first()
    by_topic = f"/fr/publications/?topic={topic.slug}"
    assert not shows(client, url, "Grace Hopper")
    assert shows(client, by_topic, publication.title)

    Authorship.objects.create(
        publication=publication,
        author=AuthorFactory(display_name="Grace Hopper"),
        position=publication.authorships.count() + 1,
    )
    publication.topics.remove(topic)

    assert shows(client, url, "Grace Hopper")
    assert not shows(client, by_topic, publication.title)


def test_a_bibtex_import(client, demo):
    assert not shows(client, PROFILE, "Cached pages considered harmless")

    report = publication_import_bibtex(
        text="@article{k, title={Cached pages considered harmless}, author={Pascanu, Razvan},"
        " journal={Web}, year={2025}}",
        researcher=demo,
    )
    assert len(report.created) == 1

    assert shows(client, PROFILE, "Cached pages considered harmless")
    assert shows(client, "/fr/publications/", "Cached pages considered harmless")
    assert shows(client, "/fr/feeds/publications.rss", "Cached pages considered harmless")


def test_a_merge(client, demo):
    keep = Publication.objects.get(title__startswith="Universality of Linear")
    copy = PublicationFactory(title="Universality of linear recurrences (copy)", year=keep.year)
    assert shows(client, "/fr/publications/", "Universality of linear recurrences (copy)")

    publication_merge(keep=keep, duplicates=[copy])

    assert not shows(client, "/fr/publications/", "Universality of linear recurrences (copy)")


@pytest.mark.parametrize(
    ("changelist", "action"),
    [
        ("admin:publications_publication_changelist", "unpublish"),
        ("admin:publications_publication_changelist", "delete_selected"),
    ],
)
def test_publications_unpublished_or_deleted_in_the_admin(
    client, editor_client, demo, changelist, action
):
    publication = Publication.objects.get(title__startswith="Universality of Linear")
    assert shows(client, PROFILE, publication.title)

    data = {"action": action, "_selected_action": [publication.pk]}
    if action == "delete_selected":
        data["post"] = "yes"
    response = editor_client.post(reverse(changelist), data)
    assert response.status_code == 302

    assert not shows(client, PROFILE, publication.title)
    assert not shows(client, "/fr/publications/", publication.title)


def test_an_unpublished_researcher_leaves_the_sitemap_and_the_directory(client, demo):
    assert "/fr/chercheurs/razvan-pascanu/" in client.get("/sitemap.xml").content.decode()
    assert shows(client, "/fr/", "Razvan Pascanu")

    demo.is_published = False
    demo.save()

    assert "/fr/chercheurs/razvan-pascanu/" not in client.get("/sitemap.xml").content.decode()
    assert not shows(client, "/fr/", "Razvan Pascanu")
    assert client.get(PROFILE).status_code == 404


# What is never cached -------------------------------------------------------------------------


def test_signed_in_editors_always_get_fresh_pages_and_never_fill_the_cache(
    client, editor_client, demo
):
    for _ in range(2):
        page = editor_client.get(PROFILE)
        assert page.status_code == 200
        assert page.templates  # rendered for the editor, not read from the page cache
        assert not page_is_cached(PROFILE)

    assert client.get(PROFILE).templates  # the editor's visits stored nothing
    assert page_is_cached(PROFILE)
    assert not client.get(PROFILE).templates
    assert editor_client.get(PROFILE).templates


def test_a_visitor_with_pending_messages_gets_a_fresh_page(client, demo):
    client.get(PROFILE)
    assert page_is_cached(PROFILE)
    client.cookies["messages"] = "pending"

    response = client.get(PROFILE)

    assert response.status_code == 200
    assert response.templates  # rendered, not read from the page cache


def test_missing_pages_are_not_cached(client, demo):
    assert client.get("/fr/chercheurs/nobody/").status_code == 404
    response = client.get("/fr/chercheurs/nobody/")

    assert response.status_code == 404
    assert response.templates  # rendered again, not read from the page cache
    assert not page_is_cached("/fr/chercheurs/nobody/")


def test_the_admin_is_never_cached(editor_client, demo):
    url = reverse("admin:profiles_researcher_changelist")
    editor_client.get(url)
    count, response = queries_for(editor_client, url)

    assert response.status_code == 200
    assert count > 0


def test_with_the_page_cache_off_lists_are_read_once_per_change(client, demo, settings):
    """Counts, pages of results and rendered items are kept per change of the data too: a
    repeat request costs fewer queries, and a change still shows at once."""
    settings.PAGE_CACHE_SECONDS = 0
    publication = Publication.objects.get(title__startswith="Universality of Linear")
    lists = [
        PROFILE,
        "/fr/",
        "/fr/?topic=apprentissage-continu",
        "/fr/publications/",
        "/fr/publications/?q=universality",
        "/fr/publications/?topic=apprentissage-continu",
        TOPIC,
        "/fr/sujets/",
    ]
    for url in lists:
        first_queries, first = queries_for(client, url)
        repeat_queries, repeat = queries_for(client, url)
        assert repeat_queries < first_queries, url
        assert text_of(repeat) == text_of(first), url
    count = demo.author.authorships.filter(publication__is_published=True).count()
    assert shows(client, PROFILE, f"{count} publications")

    publication.title = "Universality, retitled while lists were cached"
    publication.save()
    report = publication_import_bibtex(
        text="@article{k, title={Universality of lists read from the cache},"
        " author={Pascanu, Razvan}, journal={Web}, year={2026}}",
        researcher=demo,
    )
    assert len(report.created) == 1

    page = text_of(client.get(PROFILE))
    assert f"{count + 1} publications" in page
    assert "Universality, retitled while lists were cached" in page
    assert "Universality of lists read from the cache" in page
    search = text_of(client.get("/fr/publications/?q=universality"))
    assert "Universality of lists read from the cache" in search

    Publication.objects.filter(title__startswith="Universality of lists").delete()
    assert not shows(client, PROFILE, "Universality of lists read from the cache")
    assert shows(client, PROFILE, f"{count} publications")

    demo.position = "Chercheur, position changed while cards were cached"
    demo.save()
    for url in (PROFILE, "/fr/", "/fr/?topic=apprentissage-continu", TOPIC):
        assert shows(client, url, "position changed while cards were cached"), url

    # The profile's header and its topic filter are kept apart from its pages: a renamed topic
    # shows in its chip at once, on every page of the profile.
    topic = ResearchTopic.objects.get(slug="apprentissage-continu")
    topic.name_fr = "Apprentissage continu, renamed while the profile was cached"
    topic.save()
    renamed = "Apprentissage continu, renamed while the profile was cached"
    for url in (PROFILE, f"{PROFILE}?topic=apprentissage-continu", f"{PROFILE}?page=2"):
        html = client.get(url).content.decode()
        assert re.search(
            rf'<a class="topic topic-chip" href="[^"]*\?topic=apprentissage-continu#publications"'
            rf'[^>]*>{renamed} <span class="topic-chip__count">\d+',
            html,
        ), url


# Every entry expires, and each release keeps its own ---------------------------------------------


def stored_lifetimes() -> dict[str, float | None]:
    """Seconds each entry of the shared cache has left; None for one that never expires."""
    if django_settings.REDIS_URL:
        client = redis.Redis.from_url(django_settings.REDIS_URL)
        prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
        return {
            key.decode(): None if client.ttl(key) == -1 else client.ttl(key)
            for key in client.scan_iter(f"{prefix}:*")
        }
    now = time.time()
    return {
        key: None if expiry is None else expiry - now
        for key, expiry in caches["default"]._expire_info.items()
    }


class PlainValues(pickle.Unpickler):
    """Unpickles plain values only: strings (marked safe for HTML or not), numbers, dates and
    collections of them; any other class is refused."""

    def find_class(self, module: str, name: str):
        if module in ("datetime", "decimal") or (module, name) == (
            "django.utils.safestring",
            "SafeString",
        ):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a plain value")


def stored_values() -> list:
    """Every value the shared cache holds, unpickled as plain values."""
    if django_settings.REDIS_URL:
        client = redis.Redis.from_url(django_settings.REDIS_URL)
        prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
        stored = [client.get(key) for key in client.scan_iter(f"{prefix}:*")]
    else:
        stored = list(caches["default"]._cache.values())
    values = []
    for data in stored:
        if data.isdigit():  # Redis keeps a number as its digits: the generation
            values.append(int(data))
            continue
        value = PlainValues(io.BytesIO(data)).load()
        if isinstance(value, bytes):  # a memo() entry, pickled by memo() itself
            value = PlainValues(io.BytesIO(value)).load()
        values.append(value)
    return values


def test_the_cache_holds_plain_values_only(client, demo, settings):
    """Pages are kept as their status, headers and content, and what they are built from as
    strings, numbers and collections of them: never a response or a model instance."""
    urls = public_pages(demo)
    for url in urls:
        assert client.get(url).status_code == 200, url
    settings.PAGE_CACHE_SECONDS = 0
    for url in urls:
        assert client.get(url).status_code == 200, url

    values = stored_values()

    pages = [value for value in values if isinstance(value, tuple) and len(value) == 4]
    assert len(pages) == len(urls)
    for _generation, status, headers, content in pages:
        assert status == 200
        assert all(isinstance(part, str) for header in headers for part in header)
        assert isinstance(content, bytes)
    assert any("Razvan Pascanu" in value for value in values if isinstance(value, str))


@pytest.mark.parametrize("page_cache_seconds", [0, 600])
def test_every_entry_stored_in_the_cache_expires(client, demo, settings, page_cache_seconds):
    settings.PAGE_CACHE_SECONDS = page_cache_seconds
    for url in [PROFILE, "/fr/", "/fr/publications/?topic=apprentissage-continu", TOPIC]:
        assert client.get(url).status_code == 200

    lifetimes = stored_lifetimes()

    assert len(lifetimes) > 10
    assert [key for key, left in lifetimes.items() if left is None] == []
    entries = [left for key, left in lifetimes.items() if not key.endswith(GENERATION_KEY)]
    assert max(entries) <= max(settings.DATA_CACHE_SECONDS, page_cache_seconds)


def test_two_releases_never_share_a_page(client, demo, settings):
    settings.RELEASE = "2025.1"
    first_queries, first = queries_for(client, PROFILE)
    assert queries_for(client, PROFILE)[0] == 0

    settings.RELEASE = "2025.2"
    queries, page = queries_for(client, PROFILE)

    assert queries == first_queries  # nothing the first release cached is read
    assert page.templates
    assert text_of(page) == text_of(first)
    assert queries_for(client, PROFILE)[0] == 0
    settings.RELEASE = "2025.1"
    assert queries_for(client, PROFILE)[0] == 0  # each release keeps its own


def test_two_releases_never_share_what_pages_are_built_from(client, demo, settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.RELEASE = "2025.1"
    first_queries, _ = queries_for(client, "/fr/publications/")
    repeat_queries, _ = queries_for(client, "/fr/publications/")
    assert repeat_queries < first_queries

    settings.RELEASE = "2025.2"

    assert queries_for(client, "/fr/publications/")[0] == first_queries


def test_without_a_release_name_the_release_is_a_digest_of_the_code(tmp_path):
    """The same code gives the same release wherever it is checked out; any change to the
    code, templates, translations or static files gives another; the rest does not count."""
    source = Path(django_settings.BASE_DIR)
    for folder in ("config", "templates", "static", "locale"):
        shutil.copytree(
            source / folder, tmp_path / "a" / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    assert code_fingerprint(tmp_path / "a") == code_fingerprint(tmp_path / "b")

    for ignored in ("media/portraits/x.png", "tests/test_x.py", "config/__pycache__/x.pyc"):
        (tmp_path / "b" / ignored).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "b" / ignored).write_bytes(b"not code")
    (tmp_path / "b" / "README.md").write_text("notes")
    assert code_fingerprint(tmp_path / "b") == code_fingerprint(tmp_path / "a")

    for changed in ("templates/base.html", "static/css/site.css", "config/urls.py"):
        copy = tmp_path / changed.replace("/", "-")
        shutil.copytree(tmp_path / "a", copy)
        with (copy / changed).open("a") as handle:
            handle.write("\n")
        assert code_fingerprint(copy) != code_fingerprint(tmp_path / "a"), changed
