"""Editing a publication's ordered author list in the admin."""

import pytest
from django.urls import reverse

from publications.models import Publication
from tests.factories import AuthorFactory, publication_with_authors
from tests.pages import edit_snapshot


def change_form_data(publication: Publication, rows: list[dict]) -> dict:
    """The POST data of the publication change form with these author rows."""
    data = {
        "title": publication.title,
        "kind": publication.kind,
        "language": publication.language,
        "year": publication.year,
        "venue": publication.venue,
        "is_published": "on",
        "abstract": publication.abstract,
        "doi": publication.doi,
        "arxiv_id": publication.arxiv_id,
        "url": "",
        "pdf_url": "",
        "code_url": "",
        "authorships-TOTAL_FORMS": len(rows),
        "authorships-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "authorships-MIN_NUM_FORMS": 0,
        "authorships-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        prefix = f"authorships-{index}-"
        data[prefix + "id"] = row.get("id", "")
        data[prefix + "publication"] = publication.pk
        data[prefix + "position"] = row.get("position", "")
        data[prefix + "author"] = row["author"].pk
        if row.get("delete"):
            data[prefix + "DELETE"] = "on"
    return data


def author_names(publication: Publication) -> list[str]:
    return [
        authorship.author.display_name
        for authorship in publication.authorships.order_by("position")
    ]


@pytest.fixture
def three_authors(db):
    alice, bob, carol = (AuthorFactory(display_name=n) for n in ["Alice A", "Bob B", "Carol C"])
    publication = publication_with_authors([alice, bob, carol])
    rows = {a.author.display_name: a for a in publication.authorships.select_related("author")}
    return publication, rows


def post(client, publication, rows, **headers):
    url = reverse("admin:publications_publication_change", args=[publication.pk])
    data = {**change_form_data(publication, rows), **edit_snapshot(client, url)}
    return client.post(url, data, **headers)


def test_editor_swaps_two_authors(editor_client, three_authors):
    publication, rows = three_authors
    alice, bob, carol = rows["Alice A"], rows["Bob B"], rows["Carol C"]

    response = post(
        editor_client,
        publication,
        [
            {"id": alice.pk, "position": 2, "author": alice.author},
            {"id": bob.pk, "position": 1, "author": bob.author},
            {"id": carol.pk, "position": 3, "author": carol.author},
        ],
    )

    assert response.status_code == 302
    assert author_names(publication) == ["Bob B", "Alice A", "Carol C"]
    assert sorted(publication.authorships.values_list("pk", flat=True)) == sorted(
        [alice.pk, bob.pk, carol.pk]
    )


def test_editor_removes_an_author_and_moves_another_into_the_place(editor_client, three_authors):
    publication, rows = three_authors
    alice, bob, carol = rows["Alice A"], rows["Bob B"], rows["Carol C"]

    response = post(
        editor_client,
        publication,
        [
            {"id": alice.pk, "position": 1, "author": alice.author},
            {"id": bob.pk, "position": 2, "author": bob.author, "delete": True},
            {"id": carol.pk, "position": 2, "author": carol.author},
        ],
    )

    assert response.status_code == 302
    assert author_names(publication) == ["Alice A", "Carol C"]


def test_a_new_author_without_position_goes_to_the_end(editor_client, three_authors):
    publication, rows = three_authors
    dave = AuthorFactory(display_name="Dave D")

    response = post(
        editor_client,
        publication,
        [
            *(
                {"id": row.pk, "position": row.position, "author": row.author}
                for row in rows.values()
            ),
            {"author": dave},
        ],
    )

    assert response.status_code == 302
    assert author_names(publication) == ["Alice A", "Bob B", "Carol C", "Dave D"]


def test_two_authors_at_one_position_are_refused_and_nothing_changes(editor_client, three_authors):
    publication, rows = three_authors
    alice, bob, carol = rows["Alice A"], rows["Bob B"], rows["Carol C"]

    response = post(
        editor_client,
        publication,
        [
            {"id": alice.pk, "position": 1, "author": alice.author},
            {"id": bob.pk, "position": 1, "author": bob.author},
            {"id": carol.pk, "position": 3, "author": carol.author},
        ],
    )

    assert response.status_code == 200
    assert "Deux auteurs ne peuvent pas occuper la même position." in response.content.decode()
    assert author_names(publication) == ["Alice A", "Bob B", "Carol C"]


def test_the_same_author_twice_is_refused(editor_client, three_authors):
    publication, rows = three_authors
    alice, bob = rows["Alice A"], rows["Bob B"]

    response = post(
        editor_client,
        publication,
        [
            {"id": alice.pk, "position": 1, "author": alice.author},
            {"id": bob.pk, "position": 2, "author": alice.author},
        ],
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "This author is already listed on this publication." in response.content.decode()
    assert author_names(publication) == ["Alice A", "Bob B", "Carol C"]
