"""The one rule for "the same work" (the same DOI or arXiv id, a stored version's included, or
the same title within a year) as the admin's add form, the BibTeX import and the admin's list
of possible duplicates apply it: for one record, each finds the same stored work, or none."""

import pytest
from django.urls import reverse

from publications.models import Publication, PublicationVersion
from publications.services import ImportStatus, publication_import_bibtex
from tests.admin_forms import publication_form_data
from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:publications_publication_add")
CHANGELIST = reverse("admin:publications_publication_changelist")
TITLE = "Attention as a Hypernetwork"


@pytest.fixture
def stored() -> Publication:
    """A conference paper, with its preprint as another version."""
    paper = PublicationFactory(title=TITLE, year=2025, venue="ICLR 2025", doi="10.1000/iclr.42")
    PublicationVersion.objects.create(
        publication=paper,
        kind=Publication.Kind.PREPRINT,
        year=2024,
        doi="10.48550/arxiv.2406.05816",
        arxiv_id="2406.05816",
    )
    return paper


# (a record of a work: title, year, DOI, arXiv id), and whether it is the stored work.
RECORDS = {
    "the same title a year later": ((f"{TITLE.lower()}.", 2026, "", ""), True),
    "the same title a year earlier": ((TITLE, 2024, "", ""), True),
    "the same title two years later": ((TITLE, 2027, "", ""), False),
    "the DOI of a stored version": (("Another title", 2024, "10.48550/arXiv.2406.05816", ""), True),
    "the arXiv id of a stored version": (("Another title", 2023, "", "2406.05816"), True),
    "another work": (("Attention as a Hyper Network in Context", 2025, "", ""), False),
}


def as_bibtex(title: str, year: int, doi: str, arxiv_id: str) -> str:
    lines = [f"title = {{{title}}}", "author = {Simon Schug}", f"year = {{{year}}}"]
    if doi:
        lines.append(f"doi = {{{doi}}}")
    if arxiv_id:
        lines += [f"eprint = {{{arxiv_id}}}", "archiveprefix = {arXiv}"]
    return "@article{record,\n  " + ",\n  ".join(lines) + "\n}\n"


@pytest.mark.parametrize(("record", "is_stored_work"), list(RECORDS.values()), ids=list(RECORDS))
def test_the_add_form_asks_about_the_stored_work(editor_client, stored, record, is_stored_work):
    title, year, doi, arxiv_id = record
    data = publication_form_data(title=title, year=year, doi=doi, arxiv_id=arxiv_id)

    response = editor_client.post(ADD_URL, data, HTTP_ACCEPT_LANGUAGE="en")

    if is_stored_work:
        assert response.status_code == 200
        assert "This publication may already be stored" in response.content.decode()
        assert list(Publication.objects.all()) == [stored]
    else:
        assert response.status_code == 302
        assert Publication.objects.count() == 2


@pytest.mark.parametrize(("record", "is_stored_work"), list(RECORDS.values()), ids=list(RECORDS))
def test_the_import_finds_the_stored_work(stored, record, is_stored_work):
    report = publication_import_bibtex(text=as_bibtex(*record), dry_run=True)

    [outcome] = report.entries
    if is_stored_work:
        assert outcome.status != ImportStatus.CREATED
        assert outcome.publication == stored
    else:
        assert outcome.status == ImportStatus.CREATED


@pytest.mark.parametrize(("record", "is_stored_work"), list(RECORDS.values()), ids=list(RECORDS))
def test_possible_duplicates_lists_the_stored_work_and_its_record(
    editor_client, stored, record, is_stored_work
):
    title, year, doi, arxiv_id = record
    saved = PublicationFactory(title=title, year=year, doi=doi.lower(), arxiv_id=arxiv_id)

    response = editor_client.get(CHANGELIST, {"duplicates": "yes"})

    listed = set(response.context["cl"].result_list)
    assert listed == ({stored, saved} if is_stored_work else set())


def test_a_version_holding_its_own_publication_s_identifier_is_no_duplicate(editor_client):
    paper = PublicationFactory(arxiv_id="2406.05816")
    PublicationVersion.objects.create(
        publication=paper, kind=Publication.Kind.PREPRINT, year=2024, arxiv_id="2406.05816"
    )

    response = editor_client.get(CHANGELIST, {"duplicates": "yes"})

    assert list(response.context["cl"].result_list) == []


def test_two_publications_with_versions_of_one_preprint_are_listed(editor_client):
    first, second, other = PublicationFactory(), PublicationFactory(), PublicationFactory()
    for publication in (first, second):
        PublicationVersion.objects.create(
            publication=publication,
            kind=Publication.Kind.PREPRINT,
            year=2024,
            arxiv_id="2406.05816",
        )

    response = editor_client.get(CHANGELIST, {"duplicates": "yes"})

    assert set(response.context["cl"].result_list) == {first, second}
    assert other not in response.context["cl"].result_list
