"""Editing a publication's ordered authors and editors in the admin."""

import pytest
from django.urls import reverse

from publications.models import Authorship, Publication
from tests.factories import AuthorFactory, publication_with_authors
from tests.pages import form_data


def change_form_data(client, url: str, rows: list[dict]) -> dict:
    """The publication change form as a browser submits it, with these author rows instead of
    the ones shown."""
    data = {
        name: values
        for name, values in form_data(client.get(url), "publication_form").items()
        if not name.startswith("authorships-")
    }
    data.update(
        {
            "authorships-TOTAL_FORMS": len(rows),
            "authorships-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
            "authorships-MIN_NUM_FORMS": 0,
            "authorships-MAX_NUM_FORMS": 1000,
        }
    )
    for index, row in enumerate(rows):
        prefix = f"authorships-{index}-"
        data[prefix + "id"] = row.get("id", "")
        data[prefix + "role"] = row.get("role", Authorship.Role.AUTHOR)
        data[prefix + "position"] = row.get("position", "")
        data[prefix + "author"] = row["author"].pk
        if row.get("delete"):
            data[prefix + "DELETE"] = "on"
    return data


def author_names(publication: Publication, role: str = Authorship.Role.AUTHOR) -> list[str]:
    return [
        authorship.author.display_name
        for authorship in publication.authorships.filter(role=role).order_by("position")
    ]


@pytest.fixture
def three_authors(db):
    alice, bob, carol = (AuthorFactory(display_name=n) for n in ["Alice A", "Bob B", "Carol C"])
    publication = publication_with_authors([alice, bob, carol])
    rows = {a.author.display_name: a for a in publication.authorships.select_related("author")}
    return publication, rows


def post(client, publication, rows, **headers):
    url = reverse("admin:publications_publication_change", args=[publication.pk])
    return client.post(url, change_form_data(client, url, rows), **headers)


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
    # The moved rows are new rows (so that history can put the old ones back); Carol's stays.
    keys = set(publication.authorships.values_list("pk", flat=True))
    assert carol.pk in keys
    assert not {alice.pk, bob.pk} & keys


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


# Authors and editors -----------------------------------------------------------------------


def test_editors_are_numbered_apart_from_the_authors(editor_client, three_authors):
    publication, rows = three_authors
    dave, erin = AuthorFactory(display_name="Dave D"), AuthorFactory(display_name="Erin E")

    response = post(
        editor_client,
        publication,
        [
            *(
                {"id": row.pk, "position": row.position, "author": row.author}
                for row in rows.values()
            ),
            {"author": dave, "role": Authorship.Role.EDITOR},
            {"author": erin},
            {"author": rows["Alice A"].author, "role": Authorship.Role.EDITOR},
        ],
    )

    assert response.status_code == 302
    assert author_names(publication) == ["Alice A", "Bob B", "Carol C", "Erin E"]
    assert author_names(publication, Authorship.Role.EDITOR) == ["Dave D", "Alice A"]
    assert sorted(publication.authorships.values_list("role", "position")) == [
        ("author", 1),
        ("author", 2),
        ("author", 3),
        ("author", 4),
        ("editor", 1),
        ("editor", 2),
    ]


def test_an_author_becomes_an_editor_and_an_editor_an_author(editor_client, three_authors):
    publication, rows = three_authors
    alice, bob, carol = rows["Alice A"], rows["Bob B"], rows["Carol C"]
    dave = Authorship.objects.create(
        publication=publication,
        author=AuthorFactory(display_name="Dave D"),
        role=Authorship.Role.EDITOR,
        position=1,
    )

    response = post(
        editor_client,
        publication,
        [
            {"id": alice.pk, "position": 1, "author": alice.author},
            {"id": bob.pk, "position": 1, "author": bob.author, "role": "editor"},
            {"id": carol.pk, "position": 3, "author": carol.author},
            {"id": dave.pk, "position": 2, "author": dave.author},
        ],
    )

    assert response.status_code == 302
    assert author_names(publication) == ["Alice A", "Dave D", "Carol C"]
    assert author_names(publication, Authorship.Role.EDITOR) == ["Bob B"]


def test_two_editors_at_one_position_are_refused(editor_client, three_authors):
    publication, rows = three_authors
    dave, erin = AuthorFactory(display_name="Dave D"), AuthorFactory(display_name="Erin E")

    response = post(
        editor_client,
        publication,
        [
            *(
                {"id": row.pk, "position": row.position, "author": row.author}
                for row in rows.values()
            ),
            {"author": dave, "role": "editor", "position": 1},
            {"author": erin, "role": "editor", "position": 1},
        ],
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "Two authors cannot have the same position." in response.content.decode()
    assert not publication.authorships.editors().exists()


def test_the_change_form_lists_authors_then_editors_with_their_role(editor_client, three_authors):
    publication, _rows = three_authors
    Authorship.objects.create(
        publication=publication,
        author=AuthorFactory(display_name="Dave D"),
        role=Authorship.Role.EDITOR,
        position=1,
    )
    url = reverse("admin:publications_publication_change", args=[publication.pk])

    data = form_data(editor_client.get(url), "publication_form")

    roles = [data[f"authorships-{index}-role"] for index in range(4)]
    positions = [data[f"authorships-{index}-position"] for index in range(4)]
    assert roles == [["author"], ["author"], ["author"], ["editor"]]
    assert positions == [["1"], ["2"], ["3"], ["1"]]


def test_the_et_al_boxes_sit_with_the_authors_and_are_saved(editor_client, three_authors):
    publication, rows = three_authors
    url = reverse("admin:publications_publication_change", args=[publication.pk])
    html = editor_client.get(url).content.decode()

    # Right after the author rows, before the venue.
    assert html.index('id="authorships-group"') < html.index('name="authors_truncated"')
    assert html.index('name="editors_truncated"') < html.index('name="venue"')

    data = change_form_data(
        editor_client,
        url,
        [{"id": row.pk, "position": row.position, "author": row.author} for row in rows.values()],
    )
    response = editor_client.post(url, {**data, "authors_truncated": "on"})

    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.authors_truncated
    assert not publication.editors_truncated
