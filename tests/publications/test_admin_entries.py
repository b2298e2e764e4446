"""Editors mark authorships (equal contribution, corresponding author, key publication) and add
a publication's further links in its admin page."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from publications.models import Authorship, Publication, PublicationLink
from tests.admin_forms import publication_form_data, with_author_rows
from tests.factories import AuthorFactory, publication_with_authors, researcher_with_author
from tests.pages import form_data, text_of

pytestmark = pytest.mark.django_db


def change_url(publication: Publication) -> str:
    return reverse("admin:publications_publication_change", args=[publication.pk])


def save(client, publication: Publication, **changes):
    """The change form as shown, with ``changes`` (field name without the inline's prefix
    number: "authorships-0-is_key") made, posted; a value of None unticks a box."""
    url = change_url(publication)
    data = form_data(client.get(url), "publication_form")
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return client.post(url, data)


def row_of(publication: Publication, name: str) -> int:
    """The inline row number of ``name`` among the publication's authorships, as shown."""
    rows = list(publication.authorships.order_by("role", "position"))
    return next(i for i, row in enumerate(rows) if row.author.display_name == name)


def errors(response) -> str:
    return " ".join(text_of(response).split())


@pytest.fixture
def ada():
    return researcher_with_author(given_name="Ada", family_name="Lovelace", slug="ada")


@pytest.fixture
def paper(ada):
    return publication_with_authors(
        [AuthorFactory(display_name="Alan Turing"), ada.author], title="Engines of thought"
    )


def test_the_authorship_inline_offers_the_marks(editor_client, paper):
    html = editor_client.get(change_url(paper)).content.decode()

    for field in ("equal_contribution", "corresponding", "is_key"):
        assert f'name="authorships-0-{field}"' in html
    with translation.override("fr"):
        assert "Contribution égale" in html
        assert "Publication clé" in html
        assert "Auteur correspondant" in html


def test_an_editor_marks_equal_contributors_a_corresponding_author_and_a_key_paper(
    editor_client, paper
):
    turing, ada = row_of(paper, "Alan Turing"), row_of(paper, "Ada Lovelace")

    response = save(
        editor_client,
        paper,
        **{
            f"authorships-{turing}-equal_contribution": "on",
            f"authorships-{ada}-equal_contribution": "on",
            f"authorships-{ada}-corresponding": "on",
            f"authorships-{ada}-is_key": "on",
        },
    )

    assert response.status_code == 302
    marks = {
        a.author.display_name: (a.equal_contribution, a.corresponding, a.is_key)
        for a in paper.authorships.select_related("author")
    }
    assert marks == {"Alan Turing": (True, False, False), "Ada Lovelace": (True, True, True)}


def test_a_key_publication_is_a_members_only(editor_client, paper):
    response = save(
        editor_client, paper, **{f"authorships-{row_of(paper, 'Alan Turing')}-is_key": "on"}
    )

    assert response.status_code == 200
    assert (
        "Seule la publication d’un membre de l’institut peut être clé : liez d’abord "
        "« Alan Turing » à sa fiche de chercheur." in errors(response)
    )
    assert not Authorship.objects.filter(is_key=True).exists()


def test_a_member_has_five_key_publications_at_most(editor_client, ada, paper):
    for number in range(5):
        publication = publication_with_authors([ada.author], title=f"Key {number}")
        publication.authorships.update(is_key=True)

    response = save(
        editor_client, paper, **{f"authorships-{row_of(paper, 'Ada Lovelace')}-is_key": "on"}
    )

    assert response.status_code == 200
    assert (
        "Ada Lovelace a déjà 5 publications clés : décochez-en une avant de choisir celle-ci."
        in errors(response)
    )
    assert not paper.authorships.filter(is_key=True).exists()


def test_a_key_publication_saved_again_is_not_counted_twice(editor_client, ada, paper):
    for number in range(4):
        publication = publication_with_authors([ada.author], title=f"Key {number}")
        publication.authorships.update(is_key=True)
    paper.authorships.filter(author=ada.author).update(is_key=True)

    response = save(editor_client, paper, title="Engines of thought, revised")

    assert response.status_code == 302
    assert Authorship.objects.filter(author=ada.author, is_key=True).count() == 5


def test_the_limit_names_the_researcher_in_english(editor_client, ada, paper):
    for number in range(5):
        publication_with_authors([ada.author], title=f"Key {number}").authorships.update(
            is_key=True
        )
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = save(
        editor_client, paper, **{f"authorships-{row_of(paper, 'Ada Lovelace')}-is_key": "on"}
    )

    assert (
        "Ada Lovelace already has 5 key publications: untick one of them before choosing "
        "this one." in errors(response)
    )


def test_an_editor_cannot_be_marked(editor_client, ada):
    book = publication_with_authors([AuthorFactory(display_name="Jane Doe")], title="Collected")
    Authorship.objects.create(publication=book, author=ada.author, role="editor", position=1)
    editor_row = row_of(book, "Ada Lovelace")

    response = save(editor_client, book, **{f"authorships-{editor_row}-corresponding": "on"})

    assert response.status_code == 200
    assert (
        "Seuls les auteurs, pas les éditeurs scientifiques, sont marqués comme à contribution "
        "égale, correspondants ou clés." in errors(response)
    )
    assert not Authorship.objects.filter(corresponding=True).exists()


def test_the_links_inline_adds_slides_and_data(editor_client, paper):
    response = save(
        editor_client,
        paper,
        **{
            "links-TOTAL_FORMS": "2",
            "links-0-kind": "slides",
            "links-0-url": "example.org/slides.pdf",
            "links-1-kind": "data",
            "links-1-url": "https://example.org/data",
        },
    )

    assert response.status_code == 302
    assert sorted(paper.links.values_list("kind", "url")) == [
        ("data", "https://example.org/data"),
        ("slides", "https://example.org/slides.pdf"),  # typed without a scheme: https
    ]
    html = editor_client.get(change_url(paper)).content.decode()
    assert re.search(r"<h2[^>]*>\s*Liens\s*</h2>", html)


def test_the_links_inline_refuses_a_kind_it_does_not_know(editor_client, paper):
    response = save(
        editor_client,
        paper,
        **{"links-TOTAL_FORMS": "1", "links-0-kind": "tweet", "links-0-url": "https://x.org"},
    )

    assert response.status_code == 200
    assert not PublicationLink.objects.exists()


def test_a_new_publication_is_saved_with_its_marked_authors_and_links(editor_client, ada):
    turing = AuthorFactory(display_name="Alan Turing")
    data = with_author_rows(publication_form_data(), [turing, ada.author])
    data.update(
        {
            "authorships-1-corresponding": "on",
            "authorships-1-is_key": "on",
            "links-TOTAL_FORMS": 1,
            "links-0-kind": "video",
            "links-0-url": "https://example.org/talk",
        }
    )

    response = editor_client.post(reverse("admin:publications_publication_add"), data)

    assert response.status_code == 302
    publication = Publication.objects.get()
    assert list(
        publication.authorships.order_by("position").values_list("corresponding", "is_key")
    ) == [(False, False), (True, True)]
    assert list(publication.links.values_list("kind", flat=True)) == ["video"]
