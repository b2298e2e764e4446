"""A varied bibliography imported, exported in every format and imported back from its BibTeX
into an empty database: every field, author, role and version comes back the same."""

import json
from pathlib import Path

import pytest
import rispy

from publications.models import Author, Authorship, CitedFields, Publication
from publications.services import publication_import_bibtex

VARIED = (Path(__file__).parent / "fixtures" / "varied.bib").read_text(encoding="utf-8")
PUBLICATION_FIELDS = (
    "title", "abstract", "language", "authors_truncated", "editors_truncated", "pdf_url",
    *CitedFields.CITED_FIELDS,
)  # fmt: skip
VERSION_FIELDS = ("title", *CitedFields.CITED_FIELDS)
AUTHOR_FIELDS = ("display_name", "given_name", "family_name", "suffix", "is_organization")

pytestmark = pytest.mark.django_db


def record() -> list[tuple]:
    """Every publication with its authors and editors in order and its versions, without
    primary keys."""
    rows = []
    for publication in Publication.objects.prefetch_related("versions").order_by("title"):
        people = tuple(
            (a.role, a.position, *(getattr(a.author, f) for f in AUTHOR_FIELDS))
            for a in publication.authorships.select_related("author").order_by("role", "position")
        )
        versions = tuple(
            sorted(tuple(getattr(v, f) for f in VERSION_FIELDS) for v in publication.versions.all())
        )
        rows.append((*(getattr(publication, f) for f in PUBLICATION_FIELDS), people, versions))
    return rows


def test_the_varied_corpus_is_imported_as_a_careful_bibliographer_would():
    report = publication_import_bibtex(text=VARIED)

    assert report.succeeded, report.problems
    assert Publication.objects.count() == 9  # eleven entries, two of them other versions
    texbook = Publication.objects.get(title="The TeXbook")
    assert (texbook.publisher, texbook.address, texbook.series) == (
        "Addison-Wesley",
        "Reading, MA, USA",
        "Computers and Typesetting",
    )
    assert texbook.venue == ""
    lamport = Publication.objects.get(kind="inproceedings", year=1993)
    assert lamport.title == "LaTeX and Typesetting—An Author's View of Costs & Benefits"
    assert lamport.authors_truncated
    assert [str(a.author) for a in lamport.authorships.editors()] == [
        "Barbara Beeton",
        "Karl Berry",
    ]
    thesis = Publication.objects.get(kind="thesis")
    assert thesis.title == "State Soup: In-Context Skill Learning, Retrieval and Mixing"
    assert (thesis.institution, thesis.month) == ("Uniwersytet Warszawski", 10)
    software = Publication.objects.get(kind="misc")
    assert software.title == "An “honest” tool for “quoted” words in code on METAFONT"
    assert str(software.authorships.get().author) == "Addison Wesley"
    assert "\u00ad" not in "".join(str(row) for row in record())


def test_exports_read_back_into_an_empty_database_with_nothing_lost(client):
    publication_import_bibtex(text=VARIED)
    Publication.objects.update(is_published=True)
    before = record()

    bibtex = client.get("/fr/publications/export.bib").content.decode()
    ris = rispy.loads(client.get("/fr/publications/export.ris").content.decode())
    csl = json.loads(client.get("/fr/publications/export.json").content)
    assert len(ris) == len(csl) == len(before)
    assert len({item["id"] for item in csl}) == len(csl)

    Authorship.objects.all().delete()
    Publication.objects.all().delete()
    Author.objects.all().delete()
    report = publication_import_bibtex(text=bibtex)

    assert report.succeeded, report.problems
    assert not [w for e in report.entries for w in e.warnings]
    after = record()
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert new == old
