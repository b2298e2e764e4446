"""Where each field of a publication got its value, and which fields editors have locked: an
editor's change in the admin locks what it changed, and the harvest never proposes to change a
locked field."""

import pytest
from django.urls import reverse

from publications.models import FieldOrigin, FieldSource, Publication
from publications.services.provenance import (
    fields_unlock,
    locked_fields,
    locked_fields_of,
    provenance_record,
)
from tests.admin_forms import publication_form_data
from tests.editorial.editing import change_url, form_data, save_form
from tests.factories import AuthorFactory, PublicationFactory, publication_with_authors

pytestmark = pytest.mark.django_db


@pytest.fixture
def publication():
    return PublicationFactory(title="Notes on the analytical engine", venue="Scientific Memoirs")


def test_an_editor_s_value_locks_its_field(publication, editor):
    provenance_record(
        publication=publication, fields=["venue", "year"], origin=FieldOrigin.EDITOR, user=editor
    )

    assert locked_fields(publication) == {"venue", "year"}
    venue = FieldSource.objects.get(publication=publication, field_name="venue")
    assert (venue.origin, venue.user, venue.locked) == ("editor", editor, True)


def test_a_harvested_value_records_its_source_and_leaves_the_lock_as_it_was(publication):
    provenance_record(publication=publication, fields=["venue"], origin=FieldOrigin.EDITOR)

    provenance_record(
        publication=publication,
        fields=["venue", "volume"],
        origin=FieldOrigin.HARVEST,
        source="crossref",
        source_id="10.1000/x",
    )

    rows = FieldSource.objects.filter(publication=publication).order_by("field_name")
    assert [(r.field_name, r.origin, r.source, r.source_id, r.locked) for r in rows] == [
        ("venue", "harvest", "crossref", "10.1000/x", True),
        ("volume", "harvest", "crossref", "10.1000/x", False),
    ]


def test_one_record_per_field_whatever_the_number_of_writes(publication):
    for origin in (FieldOrigin.IMPORT, FieldOrigin.HARVEST, FieldOrigin.IMPORT):
        provenance_record(publication=publication, fields=["title"], origin=origin)

    assert FieldSource.objects.get().origin == "import"


def test_an_unlocked_field_may_be_proposed_again(publication):
    provenance_record(publication=publication, fields=["venue", "year"], origin=FieldOrigin.EDITOR)

    assert fields_unlock(publication=publication, fields=["venue"]) == 1

    assert locked_fields(publication) == {"year"}


def test_what_is_not_a_field_of_a_publication_is_refused(publication):
    with pytest.raises(ValueError, match="search_text, volumes"):
        provenance_record(
            publication=publication, fields=["volumes", "search_text"], origin=FieldOrigin.IMPORT
        )

    assert not FieldSource.objects.exists()


def test_locked_fields_of_many_publications_cost_one_query(django_assert_num_queries):
    first, second, third = PublicationFactory(), PublicationFactory(), PublicationFactory()
    provenance_record(publication=first, fields=["title"], origin=FieldOrigin.EDITOR)
    provenance_record(publication=second, fields=["venue"], origin=FieldOrigin.HARVEST)

    with django_assert_num_queries(1):
        locked = locked_fields_of([first.pk, second.pk, third.pk])

    assert locked == {first.pk: {"title"}}


# The admin ---------------------------------------------------------------------------------


def test_an_editor_s_change_in_the_admin_locks_the_changed_field(admin_client, admin_user):
    publication = publication_with_authors(
        [AuthorFactory()], title="Notes on the analytical engine", venue="Scientific Memoirs"
    )

    response = save_form(
        admin_client, change_url(publication), "publication_form", venue="Taylor's Memoirs"
    )

    assert response.status_code == 302
    assert locked_fields(publication) == {"venue"}
    record = FieldSource.objects.get(publication=publication)
    assert (record.origin, record.user) == ("editor", admin_user)


def test_a_save_that_changes_nothing_locks_nothing(admin_client, publication):
    response = save_form(admin_client, change_url(publication), "publication_form")

    assert response.status_code == 302
    assert not FieldSource.objects.exists()


def test_a_changed_author_list_locks_the_authors(admin_client):
    first, second = AuthorFactory(), AuthorFactory()
    publication = publication_with_authors([first])

    response = save_form(
        admin_client,
        change_url(publication),
        "publication_form",
        **{"authorships-0-author": str(second.pk)},
    )

    assert response.status_code == 302
    assert locked_fields(publication) == {"authors"}


def test_a_new_publication_s_typed_fields_are_the_editor_s(editor_client, editor):
    response = editor_client.post(
        reverse("admin:publications_publication_add"),
        publication_form_data(title="Sketch of the analytical engine", doi="10.1000/sketch"),
    )

    assert response.status_code == 302
    publication = Publication.objects.get()
    assert {"title", "doi", "venue", "year"} <= locked_fields(publication)
    assert set(FieldSource.objects.values_list("user", flat=True)) == {editor.pk}


def test_the_change_form_lists_the_locked_fields_ticked(admin_client, publication):
    provenance_record(publication=publication, fields=["venue"], origin=FieldOrigin.EDITOR)

    data = form_data(admin_client.get(change_url(publication)), "publication_form")

    assert data["locked_fields"] == ["venue"]


def test_an_editor_locks_a_field_by_hand_and_its_source_stays(admin_client, publication):
    provenance_record(
        publication=publication,
        fields=["venue"],
        origin=FieldOrigin.HARVEST,
        source="crossref",
        source_id="10.1000/memoirs",
    )

    url = change_url(publication)
    data = form_data(admin_client.get(url), "publication_form")
    data["locked_fields"] = ["venue", "pages"]

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert locked_fields(publication) == {"venue", "pages"}
    venue = FieldSource.objects.get(publication=publication, field_name="venue")
    assert (venue.origin, venue.source, venue.locked) == ("harvest", "crossref", True)
    pages = FieldSource.objects.get(publication=publication, field_name="pages")
    assert (pages.origin, pages.locked) == ("editor", True)
    publication.refresh_from_db()
    assert publication.venue == "Scientific Memoirs"  # locking changes no value


def test_an_editor_unlocks_a_field_even_one_the_same_save_changes(admin_client, publication):
    provenance_record(publication=publication, fields=["venue"], origin=FieldOrigin.EDITOR)
    url = change_url(publication)
    data = form_data(admin_client.get(url), "publication_form")
    data["venue"] = ["Taylor's Memoirs"]
    data["locked_fields"] = []

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert locked_fields(publication) == set()
    assert FieldSource.objects.get(publication=publication, field_name="venue").origin == "editor"


def test_a_field_changed_without_touching_the_locks_is_locked(admin_client, publication):
    url = change_url(publication)
    data = form_data(admin_client.get(url), "publication_form")
    data["venue"] = ["Taylor's Memoirs"]
    data["locked_fields"] = []

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert locked_fields(publication) == {"venue"}
