"""Equal contribution and the corresponding author in BibTeX: written by the export as biblatex
data annotations (author+an), read back by the import, understood by biber."""

import re
import subprocess

import pytest

from publications.bibtex import parse_bibtex
from publications.exports import to_bibtex, to_csl_json, to_ris
from publications.models import Authorship, Publication
from publications.services import publication_import_bibtex
from tests.factories import AuthorFactory
from tests.publications.test_exports import make_publication

pytestmark = pytest.mark.django_db

MARKED = r"""
@article{marked,
  title = {Engines of thought},
  author = {Turing, Alan and Hopper, Grace and Lovelace, Ada and others},
  author+an = {1=equal; 2=equal,corresponding; 2:family=student; 3=highlight},
  editor = {Doe, Jane},
  journal = {Journal of Engines},
  year = {2024}
}
"""


def marks_of(publication: Publication) -> list[tuple[str, bool, bool]]:
    return [
        (a.author.display_name, a.equal_contribution, a.corresponding)
        for a in publication.authorships.select_related("author").order_by("role", "position")
    ]


@pytest.fixture
def marked() -> Publication:
    people = [AuthorFactory(display_name=name) for name in ("Alan Turing", "Grace Hopper", "Ada")]
    publication = make_publication(people, title="Engines", authors_truncated=True)
    publication.authorships.filter(position__in=[1, 2]).update(equal_contribution=True)
    publication.authorships.filter(position=3).update(corresponding=True)
    return Publication.objects.with_authors().get(pk=publication.pk)


def test_the_export_writes_the_marks_as_data_annotations(marked):
    bibtex = to_bibtex([marked])

    assert "  author = {Turing, Alan and Hopper, Grace and Ada and others},\n" in bibtex
    assert "  author+an = {1=equal; 2=equal; 3=corresponding},\n" in bibtex


def test_an_unmarked_list_has_no_annotation(db):
    publication = make_publication([AuthorFactory()], title="Plain")

    assert "author+an" not in to_bibtex([publication])


def test_ris_and_csl_json_have_no_place_for_the_marks(marked):
    assert "equal" not in to_ris([marked])
    assert "equal" not in to_csl_json([marked])


def test_the_import_reads_the_marks_of_the_authors():
    report = publication_import_bibtex(text=MARKED)

    assert report.succeeded, report.problems
    publication = Publication.objects.get()
    assert marks_of(publication) == [
        ("Alan Turing", True, False),
        ("Grace Hopper", True, True),
        ("Ada Lovelace", False, False),  # "highlight" is not the site's to show
        ("Jane Doe", False, False),  # the editor
    ]


def test_a_mark_for_an_author_the_list_does_not_have_is_left_out_with_a_warning():
    result = parse_bibtex(
        "@misc{a, title={T}, year=2020, author={A, B and C, D}, author+an={1=equal; 7=equal}}"
    )

    (entry,) = result.entries
    assert entry.author_marks == {1: frozenset({"equal"})}
    assert [str(warning) for warning in result.warnings] == [
        "a (ligne 1): author+an « 7=equal » a été laissé de côté : aucun auteur ne porte ce numéro"
    ]


def test_marks_survive_an_export_and_an_import_into_an_empty_database(marked):
    exported = to_bibtex([marked])
    Authorship.objects.all().delete()
    Publication.objects.all().delete()

    report = publication_import_bibtex(text=exported)

    assert report.succeeded, report.problems
    assert marks_of(Publication.objects.get()) == [
        ("Alan Turing", True, False),
        ("Grace Hopper", True, False),
        ("Ada", False, True),
    ]


def test_biber_reads_the_annotations(marked, biber, tmp_path):
    (tmp_path / "export.bib").write_text(to_bibtex([marked]), encoding="utf-8")

    result = subprocess.run(
        [biber, "--tool", "--validate-datamodel", "--output-file=checked.bib", "export.bib"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    log = result.stdout + result.stderr + (tmp_path / "export.bib.blg").read_text()
    assert result.returncode == 0, log
    assert [line for line in log.splitlines() if re.search(r"\b(ERROR|WARN) - ", line)] == []
    checked = (tmp_path / "checked.bib").read_text(encoding="utf-8")
    assert "AUTHOR+an:default = {1=equal;2=equal;3=corresponding}" in checked
    # And biber's own output reads back the same.
    (entry,) = parse_bibtex(checked).entries
    assert entry.author_marks == {
        1: frozenset({"equal"}),
        2: frozenset({"equal"}),
        3: frozenset({"corresponding"}),
    }
