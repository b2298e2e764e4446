"""The admin's BibTeX import: upload or paste, preview entry by entry, then confirm."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publications.models import Authorship, PendingImport, Publication
from tests.factories import AuthorFactory, PublicationFactory
from tests.pages import text_of

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
        kind=Publication.Kind.CONFERENCE_PAPER,
        year=2021,
        arxiv_id="2101.00042",
        url="https://arxiv.org/abs/2101.00042v2",
    )
    upload = SimpleUploadedFile("mine.bib", HARD_CASES.encode(), content_type="text/x-bibtex")

    response = preview(editor_client, file=upload)

    html = response.content.decode()
    assert response.status_code == 200
    # The stored conference paper's preprint (same arXiv identifier) becomes another version.
    assert "3 new, 1 other versions, 0 already present, 1 merged into existing, 0 skipped." in html
    assert reverse("admin:publications_publication_change", args=[stored.pk]) in html
    assert "another entry of this file" in html
    assert Publication.objects.count() == 1  # nothing saved by the preview

    pending = PendingImport.objects.get()
    response = editor_client.post(URL, {"confirm": pending.pk}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert Publication.objects.count() == 4
    assert not PendingImport.objects.exists()
    messages = editor_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        "3 created, 1 other versions, 0 already present, 1 merged into existing, 0 skipped"
        in messages
    )
    assert stored.versions.get().kind == Publication.Kind.PREPRINT


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

    assert "1 new, 0 other versions, 0 already present, 0 merged into existing, 3 skipped." in html
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


# What the preview shows of each entry ------------------------------------------------------

PREVIEWED = r"""
@article{fresh,
  title   = {Counting sheep with transformers},
  author  = {Lovelace, Ada and Babbage, Charles},
  journal = {Journal of Sheep},
  year    = {2024},
  doi     = {not a doi},
}
@article{looms-again,
  title   = {Deep nets for looms},
  author  = {Lovelace, Ada},
  journal = {Journal of Looms},
  volume  = {12},
  year    = {2020},
  doi     = {10.1234/looms.2020},
}
@article{bees-journal,
  title   = {Scaling laws for bees},
  author  = {Hive, Queen},
  journal = {Nature},
  year    = {2024},
}
@misc{bees-preprint,
  title         = {Scaling laws for bees},
  author        = {Hive, Queen},
  year          = {2023},
  eprint        = {2301.00001},
  archiveprefix = {arXiv},
}
@book{handbook,
  title     = {Handbook of engines},
  editor    = {Babbage, Charles},
  publisher = {Engine Press},
  year      = {2021},
}
@article{wasps-journal,
  title   = {Wasps, revisited},
  author  = {Hive, Queen},
  journal = {Science},
  year    = {2022},
}
"""


@pytest.fixture
def previewed(editor_client):
    """The preview of PREVIEWED, with a stored journal article signed by a stored author and a
    stored preprint, and the row of each entry."""
    ada = AuthorFactory(display_name="Ada Lovelace")
    looms = PublicationFactory(
        title="Deep nets for looms",
        kind=Publication.Kind.JOURNAL_ARTICLE,
        year=2020,
        venue="Journal of Looms",
        doi="10.1234/looms.2020",
    )
    Authorship.objects.create(publication=looms, author=ada, position=1)
    wasps = PublicationFactory(
        title="Wasps, revisited", kind=Publication.Kind.PREPRINT, year=2022, venue=""
    )
    response = preview(editor_client, text=PREVIEWED)
    assert response.status_code == 200
    html = response.content.decode()
    rows = {}
    for part in html.split('<tr id="import-entry-')[1:]:
        key = re.match(r'\d+">\s*<th scope="row">([^<]+)', part).group(1)
        rows[key] = part.split("<form")[0]
    return {
        "text": text_of(response),
        "rows": rows,
        "ada": ada,
        "looms": looms,
        "wasps": wasps,
    }


def test_the_preview_counts_each_outcome(previewed):
    assert (
        "3 new, 2 other versions, 0 already present, 1 merged into existing, 0 skipped."
        in previewed["text"]
    )
    assert Publication.objects.count() == 2  # nothing saved


def test_a_stored_author_is_linked_and_a_new_one_marked(previewed):
    row = previewed["rows"]["fresh"]
    ada_url = reverse("admin:publications_author_change", args=[previewed["ada"].pk])

    assert f'<a href="{ada_url}">Ada Lovelace</a>' in row
    assert 'Charles Babbage <em class="import-new">(new)</em>' in row
    assert "Journal of Sheep" in row
    assert "new publication" in row


def test_an_entry_completing_a_stored_publication_shows_each_change(previewed):
    row = previewed["rows"]["looms-again"]
    looms_url = reverse("admin:publications_publication_change", args=[previewed["looms"].pk])

    assert f'completes <a href="{looms_url}">Deep nets for looms</a>' in row
    assert "<caption>What it changes</caption>" in row
    assert '<tr><th scope="row">Volume</th><td>—</td><td>12</td></tr>' in row


def test_a_preprint_after_its_journal_article_is_another_version(previewed):
    row = previewed["rows"]["bees-preprint"]

    assert (
        "another version of “Scaling laws for bees” (another entry of this file): "
        "“arXiv preprint, 2023”"
    ) in text_of_html(row)
    assert "new publication" in previewed["rows"]["bees-journal"]


def test_a_journal_article_of_a_stored_preprint_becomes_the_cited_version(previewed):
    row = previewed["rows"]["wasps-journal"]
    wasps_url = reverse("admin:publications_publication_change", args=[previewed["wasps"].pk])

    assert f'becomes the cited version of <a href="{wasps_url}">Wasps, revisited</a>' in row
    assert '<tr><th scope="row">Kind</th><td>Preprint</td><td>Journal article</td></tr>' in row
    assert '<tr><th scope="row">Venue</th><td>—</td><td>Science</td></tr>' in row


def test_editors_are_marked_and_left_out_values_shown(previewed):
    handbook = text_of_html(previewed["rows"]["handbook"])
    fresh = text_of_html(previewed["rows"]["fresh"])

    assert "Charles Babbage (new) (ed.)" in handbook
    assert "Engine Press" in handbook
    assert "Warnings: doi “not a doi” was left out" in fresh


def test_confirming_the_preview_imports_the_versions_it_showed(editor_client, previewed):
    pending = PendingImport.objects.get()

    response = editor_client.post(URL, {"confirm": pending.pk}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    bees = Publication.objects.get(title="Scaling laws for bees")
    assert (bees.kind, bees.venue) == ("article", "Nature")
    assert list(bees.versions.values_list("kind", "year", "arxiv_id")) == [
        ("preprint", 2023, "2301.00001")
    ]
    wasps = previewed["wasps"]
    wasps.refresh_from_db()
    assert (wasps.kind, wasps.venue) == ("article", "Science")
    assert list(wasps.versions.values_list("kind", flat=True)) == ["preprint"]
    messages = editor_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 created, 2 other versions, 0 already present, 1 merged into existing" in messages


def text_of_html(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
