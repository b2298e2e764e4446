"""The one rule for "the same work" (the same DOI or arXiv id, a stored version's included, or
the same title within a year) as the admin's add form, the BibTeX import and the admin's list
of possible duplicates apply it: for one record, each finds the same stored work, or none."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from publications.models import Publication, PublicationVersion
from publications.services import ImportStatus, publication_import_bibtex
from publications.services.matching import (
    WorkIndex,
    WorkKeys,
    publications_of_work,
    stored_records,
)
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


# OpenAlex ids and DBLP keys name one work, as DOIs do --------------------------------------

OPENALEX_ID = "W2152839228"
DBLP_KEY = "conf/icml/PascanuMB13"


@pytest.mark.parametrize(
    "keys",
    [
        WorkKeys("", "", "anothertitle", 2001, openalex_id=OPENALEX_ID),
        WorkKeys("", "", "anothertitle", 2001, dblp_key=DBLP_KEY),
        WorkKeys.typed(title="Another title", year=None, doi="", arxiv_id="", dblp_key=DBLP_KEY),
    ],
    ids=["openalex id", "dblp key", "typed dblp key"],
)
def test_an_openalex_id_or_a_dblp_key_finds_the_stored_work_whatever_its_title(keys):
    paper = PublicationFactory(title=TITLE, year=2025, openalex_id=OPENALEX_ID, dblp_key=DBLP_KEY)
    PublicationFactory(title="Unrelated", year=2001)

    assert publications_of_work(keys) == [paper]


def test_the_index_finds_a_work_by_openalex_id_before_its_title():
    index: WorkIndex[str] = WorkIndex()
    index.add("by title", WorkKeys("", "", "sametitle", 2020))
    index.add("by openalex id", WorkKeys("", "", "", 0, openalex_id=OPENALEX_ID))

    found = index.find(WorkKeys("", "", "sametitle", 2020, openalex_id=OPENALEX_ID))

    assert found == "by openalex id"


def test_find_all_gives_every_work_a_record_names_each_once():
    index: WorkIndex[str] = WorkIndex()
    index.add("doi", WorkKeys("10.1000/a", "", "", 0))
    index.add("dblp", WorkKeys("", "", "", 0, dblp_key=DBLP_KEY))
    index.add("title", WorkKeys("", "", "sametitle", 2021))
    index.add("title, years apart", WorkKeys("", "", "sametitle", 2025))

    found = index.find_all(WorkKeys("10.1000/a", "", "sametitle", 2020, dblp_key=DBLP_KEY))

    assert found == ["doi", "dblp", "title"]


def test_shared_identifiers_name_the_openalex_id_and_dblp_key():
    paper = PublicationFactory(doi="10.1000/a", openalex_id=OPENALEX_ID, dblp_key=DBLP_KEY)
    keys = WorkKeys("10.1000/a", "", "", 0, openalex_id=OPENALEX_ID, dblp_key=DBLP_KEY)

    assert keys.shared_identifiers(paper) == ["doi", "openalex_id", "dblp_key"]


def test_the_import_finds_the_stored_work_of_a_bibtex_entry_as_before(stored):
    """BibTeX entries hold no OpenAlex id or DBLP key: they match by DOI, arXiv id or title."""
    stored.openalex_id, stored.dblp_key = OPENALEX_ID, DBLP_KEY
    stored.save()

    report = publication_import_bibtex(text=as_bibtex(TITLE, 2025, "", ""), dry_run=True)

    assert report.entries[0].publication == stored


def test_stored_works_of_many_keys_cost_three_queries(django_assert_num_queries):
    paper = PublicationFactory(openalex_id=OPENALEX_ID)
    PublicationVersion.objects.create(
        publication=paper, kind=Publication.Kind.PREPRINT, year=2024, arxiv_id="2406.05816"
    )
    keys = [WorkKeys("", "2406.05816", "", 0)] + [
        WorkKeys(
            f"10.1000/{n}", "", f"title{n}", 2020, openalex_id=f"W{n + 1}", dblp_key=f"a/b/{n}"
        )
        for n in range(200)
    ]

    with django_assert_num_queries(3):
        publications, versions = stored_records(keys)

    assert list(publications) == [paper.pk]
    assert [v.arxiv_id for v in versions] == ["2406.05816"]


def test_a_publication_holding_an_openalex_id_is_no_possible_duplicate_of_itself(editor_client):
    PublicationFactory(openalex_id=OPENALEX_ID, dblp_key=DBLP_KEY)
    PublicationFactory(openalex_id="W1", dblp_key="conf/icml/Other13")

    response = editor_client.get(CHANGELIST, {"duplicates": "yes"})

    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("openalex_id", "A5023888391", "Enter an OpenAlex work id such as W2741809807."),
        (
            "openalex_id",
            "https://openalex.org/W1",
            "Enter an OpenAlex work id such as W2741809807.",
        ),
        ("dblp_key", "PascanuMB13", "Enter a DBLP key such as conf/nips/PascanuMB13."),
        ("dblp_key", "conf/nips/Pascanu MB13", "Enter a DBLP key such as conf/nips/PascanuMB13."),
    ],
)
def test_a_malformed_openalex_id_or_dblp_key_is_refused_with_its_format(field, value, message):
    publication = PublicationFactory.build(**{field: value})

    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            publication.full_clean()

        assert message in refused.value.message_dict[field]


@pytest.mark.parametrize(("field", "value"), [("openalex_id", OPENALEX_ID), ("dblp_key", DBLP_KEY)])
def test_two_publications_cannot_hold_one_openalex_id_or_dblp_key(field, value):
    PublicationFactory(**{field: value})
    PublicationFactory(**{field: ""})  # empty is no identifier: any number may be

    with pytest.raises(IntegrityError), transaction.atomic():
        PublicationFactory(**{field: value})
