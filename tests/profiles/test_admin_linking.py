"""Linking a researcher to the author record that signs their papers, from the admin: offered
when the researcher is added, and the publications an author signs shown on their page."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext
from reversion.models import Version

from profiles.models import Researcher
from publications.models import Author, Authorship, Publication
from tests.admin_forms import researcher_form_data
from tests.factories import (
    AuthorFactory,
    PublicationFactory,
    ResearcherFactory,
    publication_with_authors,
)
from tests.pages import text_of

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:profiles_researcher_add")


def link_url(researcher: Researcher) -> str:
    return reverse("admin:publications_author_link_researcher", args=[researcher.pk])


@pytest.fixture
def records():
    """Author records from imports: two spellings of Razvan Pascanu, and look-alikes that are
    not him."""
    full = AuthorFactory(display_name="Razvan Pascanu")
    initial = AuthorFactory(display_name="R. Pascanu")
    others = [
        AuthorFactory(display_name="T. Pascanu"),
        AuthorFactory(display_name="Ion Popescu"),
        AuthorFactory(display_name="Pascanu Lab", is_organization=True),
        AuthorFactory(display_name="Razvan Pascanu", researcher=ResearcherFactory()),
    ]
    publication_with_authors([full, others[1]], title="Recurrent nets")
    publication_with_authors([full], title="Difficulty of training")
    publication_with_authors([others[0], initial], title="Hypernetworks", year=2025)
    return {"full": full, "initial": initial, "others": others}


def add_researcher(client, **fields):
    return client.post(ADD_URL, researcher_form_data(**fields), HTTP_ACCEPT_LANGUAGE="en")


def rows(response) -> dict[str, str]:
    """The author records offered, by name: their publication count as shown."""
    html = response.content.decode()
    return dict(
        re.findall(
            r'<label for="author-\d+">([^<]+)</label></th>\s*'
            r'<td><a href="/admin/publications/author/\d+/change/">(\d+) publications?</a></td>',
            html,
        )
    )


def test_adding_a_researcher_offers_the_author_records_with_their_name(editor_client, records):
    response = add_researcher(editor_client)

    researcher = Researcher.objects.get(slug="razvan-pascanu")
    assert response.status_code == 302
    assert response["Location"].startswith(link_url(researcher))
    page = editor_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert rows(page) == {"Razvan Pascanu": "2", "R. Pascanu": "1"}
    assert "was added successfully." in text_of(page)  # Django's message, kept
    html = page.content.decode()
    assert f'value="{records["full"].pk}"' in html
    assert f'value="{records["others"][0].pk}"' not in html


def test_linking_makes_their_name_a_profile_link_at_once(editor_client, client, records):
    publication = Publication.objects.get(title="Recurrent nets")
    public_page = publication.get_absolute_url()
    assert "/chercheurs/razvan-pascanu/" not in client.get(public_page).content.decode()
    response = add_researcher(editor_client)
    researcher = Researcher.objects.get(slug="razvan-pascanu")

    response = editor_client.post(response["Location"], {"author": records["full"].pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:profiles_researcher_changelist")
    assert Author.objects.get(pk=records["full"].pk).researcher == researcher
    assert f'href="{researcher.get_absolute_url()}"' in client.get(public_page).content.decode()
    comments = Version.objects.get_for_object(records["full"]).values_list(
        "revision__comment", flat=True
    )
    expected = gettext("Linked to the researcher %(name)s.") % {"name": "Razvan Pascanu"}
    assert expected in list(comments)


def test_continue_editing_comes_back_to_the_researcher_after_linking(editor_client, records):
    response = add_researcher(editor_client, _continue="1")
    researcher = Researcher.objects.get(slug="razvan-pascanu")

    response = editor_client.post(response["Location"], {"author": records["initial"].pk})

    assert response["Location"] == reverse("admin:profiles_researcher_change", args=[researcher.pk])
    assert Author.objects.get(pk=records["initial"].pk).researcher == researcher


def test_a_researcher_without_author_records_goes_on_as_usual(editor_client, records):
    response = add_researcher(editor_client, given_name="Ada", family_name="Lovelace", slug="ada")

    assert editor_client.get(response["Location"])["Location"] == reverse(
        "admin:profiles_researcher_changelist"
    )


@pytest.mark.parametrize("choice", ["", "abc", "99999999999999999999999", "others"])
def test_a_choice_that_is_not_offered_links_nobody(editor_client, records, choice):
    researcher = ResearcherFactory(given_name="Razvan", family_name="Pascanu")
    if choice == "others":
        choice = records["others"][0].pk

    response = editor_client.post(
        link_url(researcher), {"author": choice}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert "Choose the author record that is this researcher." in text_of(response)
    assert not Author.objects.filter(researcher=researcher).exists()


def test_an_address_elsewhere_is_not_followed_after_linking(editor_client, records):
    researcher = ResearcherFactory(given_name="Razvan", family_name="Pascanu")

    response = editor_client.post(
        f"{link_url(researcher)}?next=https://elsewhere.example/", {"author": records["full"].pk}
    )

    assert response["Location"] == reverse("admin:profiles_researcher_change", args=[researcher.pk])


def test_a_linked_researcher_is_not_offered_another_record(editor_client, records):
    researcher = ResearcherFactory(given_name="Razvan", family_name="Pascanu")
    records["initial"].researcher = researcher
    records["initial"].save()

    page = editor_client.get(link_url(researcher), HTTP_ACCEPT_LANGUAGE="en")
    refused = editor_client.post(link_url(researcher), {"author": records["full"].pk})

    assert "is already linked to the author record “R. Pascanu”" in text_of(page)
    assert 'name="author"' not in page.content.decode()
    assert refused.status_code == 200
    assert Author.objects.get(pk=records["full"].pk).researcher is None


def test_the_researcher_page_links_to_the_author_records(editor_client):
    researcher = ResearcherFactory()

    html = editor_client.get(
        reverse("admin:profiles_researcher_change", args=[researcher.pk])
    ).content.decode()

    assert f'href="{link_url(researcher)}"' in html


def test_a_popup_add_answers_the_popup(editor_client, records):
    response = editor_client.post(ADD_URL, {**researcher_form_data(), "_popup": "1"})

    assert response.status_code == 200
    assert b"popup_response" in response.content


@pytest.fixture
def viewer(django_user_model) -> Client:
    """Staff who may add researchers but not change authors."""
    user = django_user_model.objects.create_user(username="viewer", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_researcher", "change_researcher", "view_researcher", "view_author"]
        )
    )
    client = Client()
    client.force_login(user)
    return client


def test_staff_who_may_not_change_authors_are_not_offered_links(viewer, records):
    response = viewer.post(ADD_URL, researcher_form_data())
    researcher = Researcher.objects.get(slug="razvan-pascanu")

    assert response["Location"] == reverse("admin:profiles_researcher_changelist")
    assert viewer.get(link_url(researcher)).status_code == 403


def test_the_next_address_is_kept_in_the_link_form(editor_client, records):
    response = add_researcher(editor_client, _addanother="1")
    next_url = parse_qs(urlparse(response["Location"]).query)["next"][0]

    html = editor_client.get(response["Location"]).content.decode()

    assert next_url == ADD_URL
    assert f'name="next" value="{ADD_URL}"' in html


# An author's publications --------------------------------------------------------------------


def test_an_author_page_lists_what_they_signed_and_edited(editor_client):
    author = AuthorFactory(display_name="Mary Somerville")
    signed = publication_with_authors([author], title="On the connexion", year=1934)
    edited = PublicationFactory(title="A collection", kind=Publication.Kind.BOOK, year=1940)
    Authorship.objects.create(
        publication=edited, author=author, role=Authorship.Role.EDITOR, position=1
    )
    PublicationFactory(title="Not theirs")

    response = editor_client.get(
        reverse("admin:publications_author_change", args=[author.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    html, text = response.content.decode(), text_of(response)
    for publication in (signed, edited):
        url = reverse("admin:publications_publication_change", args=[publication.pk])
        assert f'href="{url}"' in html
    assert "A collection (1940) (ed.)" in text
    assert "On the connexion (1934)" in text
    assert "Not theirs" not in text
