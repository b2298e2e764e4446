"""The headers that keep pages from running foreign or inline code and from being framed."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    AuthorFactory,
    ResearchTopicFactory,
    publication_with_authors,
    researcher_with_author,
)

pytestmark = pytest.mark.django_db

# Keywords that would let injected markup run or style the page.
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:")


@pytest.fixture
def site():
    """A published researcher with a topic and a publication, so that every page has content."""
    topic = ResearchTopicFactory(
        slug="optimisation", name_fr="Optimisation", name_en="Optimization"
    )
    researcher = researcher_with_author(slug="ada-lovelace", given_name="Ada")
    researcher.topics.add(topic)
    publication = publication_with_authors([researcher.author, AuthorFactory()])
    publication.topics.add(topic)
    return {"researcher": researcher, "topic": topic, "publication": publication}


def public_addresses(site) -> list[str]:
    addresses = []
    for lang in ("fr", "en"):
        with translation.override(lang):
            addresses += [
                reverse("profiles:researcher_list"),
                site["researcher"].get_absolute_url(),
                f"{reverse('publications:publication_list')}?topic=optimisation&year_from=2020",
                site["publication"].get_absolute_url(),
                reverse("profiles:topic_list"),
                site["topic"].get_absolute_url(),
                reverse("profiles:researcher_detail", args=["nobody-by-this-name"]),
            ]
    return addresses


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    assert "Content-Security-Policy" in response, f"no CSP on {response.request['PATH_INFO']}"
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_strict_headers(response) -> None:
    directives = policy(response)
    assert "'self'" in directives["script-src"]
    assert "'self'" in directives["style-src"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    for name, sources in directives.items():
        unsafe = [source for source in sources if source in UNSAFE_SOURCES]
        assert not unsafe, f"{name} allows {unsafe}"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_every_kind_of_public_page_sends_the_strict_policy(client, site):
    for address in public_addresses(site):
        response = client.get(address)

        assert response.status_code in (200, 404), address
        assert_strict_headers(response)


def test_a_page_served_from_the_page_cache_keeps_the_policy(client, site):
    address = site["researcher"].get_absolute_url()
    client.get(address)

    repeat = client.get(address)
    unchanged = client.get(address, headers={"If-None-Match": repeat["ETag"]})

    assert repeat.status_code == 200
    assert_strict_headers(repeat)
    assert unchanged.status_code == 304
    assert "Content-Security-Policy" in unchanged


def test_admin_sign_in_page_sends_the_strict_policy(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert_strict_headers(response)


@pytest.mark.parametrize(
    "page",
    [
        "admin:index",
        "admin:profiles_researcher_change",
        "admin:publications_publication_change",
        "admin:publications_publication_changelist",
        "admin:publications_publication_import_bibtex",
    ],
)
def test_admin_pages_send_the_strict_policy(admin_client, site, page):
    if page.endswith("researcher_change"):
        address = reverse(page, args=[site["researcher"].pk])
    elif page.endswith("publication_change"):
        address = reverse(page, args=[site["publication"].pk])
    else:
        address = reverse(page)

    response = admin_client.get(address)

    assert response.status_code == 200
    assert_strict_headers(response)


def test_the_lockout_page_sends_the_strict_policy(client, settings, django_user_model):
    django_user_model.objects.create_user(username="editor", password="the right one")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("admin:login"),
            {"username": "editor", "password": "a wrong one"},
            REMOTE_ADDR="192.0.2.10",
        )

    assert response.status_code == 429
    assert_strict_headers(response)
