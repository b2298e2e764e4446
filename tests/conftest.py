"""Fixtures shared by the whole suite."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from profiles.models import Researcher


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes uploaded and generated files in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached page: its database is not the one they came from."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _french():
    """Code under test runs in the site's default language unless a test says otherwise.

    Requests activate their page's language and leave it active in the test's thread.
    """
    with translation.override("fr"):
        yield


@pytest.fixture
def demo(db) -> Researcher:
    """The demo profile, loaded the way `make run` loads it."""
    call_command("loaddemo", stdout=io.StringIO())
    return Researcher.objects.get(slug="razvan-pascanu")


@pytest.fixture
def editor(django_user_model):
    """A staff member in the Editors group, not a superuser."""
    user = django_user_model.objects.create_user(
        username="editor", password="correct horse battery staple", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client
