"""A second editor and a publication with its authors and a topic, for the editorial tests."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from publications.models import Publication
from tests.factories import AuthorFactory, ResearchTopicFactory, publication_with_authors


@pytest.fixture
def second_editor(django_user_model) -> Client:
    user = django_user_model.objects.create_user(
        username="marie", password="another good passphrase", is_staff=True, first_name="Marie"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def paper(db) -> Publication:
    publication = publication_with_authors(
        [AuthorFactory(display_name="Ada Lovelace"), AuthorFactory(display_name="Grace Hopper")],
        title="Notes on the analytical engine",
        year=1950,
    )
    publication.topics.add(ResearchTopicFactory(name_fr="Calcul", name_en="Computing"))
    return publication
