"""The admin's BibTeX import: upload or paste, preview entry by entry, then confirm."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publications.models import PendingImport, Publication
from tests.factories import PublicationFactory

FIXTURES = Path(__file__).parent / "fixtures"
HARD_CASES = (FIXTURES / "hard_cases.bib").read_text(encoding="utf-8")
URL = reverse("admin:publications_publication_import_bibtex")

pytestmark = pytest.mark.django_db


def preview(client, **data):
    return client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")


def test_changelist_links_to_the_import(editor_client):
    html = editor_client.get(reverse("admin:publications_publication_changelist")).content
    assert URL.encode() in html


def test_upload_preview_then_confirm(editor_client):
    stored = PublicationFactory(
        title="Identifiers from the address",
        year=2021,
        arxiv_id="2101.00042",
        url="https://arxiv.org/abs/2101.00042v2",
    )
    upload = SimpleUploadedFile("mine.bib", HARD_CASES.encode(), content_type="text/x-bibtex")

    response = preview(editor_client, file=upload)

    html = response.content.decode()
    assert response.status_code == 200
    assert "3 new, 1 already present, 1 merged into existing, 0 skipped." in html
    assert reverse("admin:publications_publication_change", args=[stored.pk]) in html
    assert "another entry of this file" in html
    assert Publication.objects.count() == 1  # nothing saved by the preview

    pending = PendingImport.objects.get()
    response = editor_client.post(URL, {"confirm": pending.pk}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert Publication.objects.count() == 4
    assert not PendingImport.objects.exists()
    messages = editor_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 created, 1 already present, 1 merged into existing, 0 skipped" in messages


def test_pasted_text_with_an_invalid_entry_shows_each_problem_and_imports_nothing(editor_client):
    text = (FIXTURES / "invalid.bib").read_text(encoding="utf-8")

    html = preview(editor_client, text=text).content.decode()

    assert "cannot be imported, so nothing will be imported" in html
    assert "<td>noyear</td><td>7</td><td>it has no year</td>" in html
    assert 'name="confirm"' not in html
    assert Publication.objects.count() == 0


def test_skip_invalid_previews_the_valid_entries(editor_client):
    text = (FIXTURES / "invalid.bib").read_text(encoding="utf-8")

    html = preview(editor_client, text=text, skip_invalid="on").content.decode()

    assert "1 new, 0 already present, 0 merged into existing, 3 skipped." in html
    assert 'name="confirm"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a .bib file or paste BibTeX."),
        ({"text": "no entries at all"}, "No BibTeX entry was found in this text."),
        (
            {"file": SimpleUploadedFile("x.bib", "é".encode("latin-1"))},
            "The file is not in UTF-8",
        ),
        ({"file": SimpleUploadedFile("x.bib", b"\x00\x01PK")}, "binary data"),
        ({"file": SimpleUploadedFile("x.bib", b"")}, "The submitted file is empty."),
    ],
)
def test_unusable_input_gets_a_clear_message(editor_client, data, message):
    response = preview(editor_client, **data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PendingImport.objects.exists()


def test_someone_else_cannot_confirm_a_pending_import(editor_client, admin_client):
    preview(admin_client, text=HARD_CASES)
    pending = PendingImport.objects.get()

    response = editor_client.post(URL, {"confirm": pending.pk})

    assert response.status_code == 404
    assert Publication.objects.count() == 0


def test_a_visitor_without_rights_is_refused(client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(user)

    assert client.get(URL).status_code == 403
