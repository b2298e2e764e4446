"""The citation downloads as the tools that read them see them: biber, citeproc-py, rispy.

`make install` installs the Python ones (the dev extra). Without Debian's biber the biber test is
skipped and says so, unless REQUIRE_EXPORT_VALIDATORS=1 (the CI sets it and installs biber):
then a missing biber fails the build.
"""

import json
import re
import subprocess
import warnings

import pytest
import rispy
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from publications.exports import to_bibtex, to_csl_json, to_ris
from publications.models import Author, Publication
from tests.factories import AuthorFactory
from tests.publications.test_exports import make_publication

Kind = Publication.Kind
# The style bundled with citeproc-py.
CSL_STYLE = "harvard-cite-them-right"


# The people of the varied set, by the name the set gives them: Author fields.
PEOPLE = {
    "King": {
        "display_name": "Martin Luther King Jr.",
        "given_name": "Martin Luther",
        "family_name": "King",
        "suffix": "Jr.",
    },
    "King Jr.": {"display_name": "King Jr.", "family_name": "King", "suffix": "Jr."},
    "Plato": {"display_name": "Plato", "family_name": "Plato"},
    "Leonardo": {"display_name": "Leonardo da Vinci", "family_name": "Leonardo da Vinci"},
    "WHO": {"display_name": "World Health Organization", "is_organization": True},
    "FAO": {"display_name": "Food and Agriculture Organization", "is_organization": True},
}
# One publication of each kind, with what each kind usually holds: (authors, editors, fields).
VARIED = [
    (
        ["King", "WHO", "Jiří Škoda"],
        ["Jane Doe"],
        {
            "title": "Costs & benefits of 50% more $x_1$ #2 {braces} ~ a^b \\ c",
            "kind": Kind.JOURNAL_ARTICLE,
            "venue": "Journal of A & B",
            "year": 2023,
            "month": 7,
            "day": 15,
            "volume": "12",
            "issue": "3",
            "pages": "12–34",
            "note": "Special issue",
            "doi": "10.1234/abc.5",
            "authors_truncated": True,
        },
    ),
    (
        ["Maciej Pióro", "Jiří Škoda"],
        ["Ruslan Salakhutdinov", "Jane Doe"],
        {
            "title": "State Soup",
            "kind": Kind.CONFERENCE_PAPER,
            "venue": "Proceedings of ICML 2025",
            "year": 2025,
            "month": 7,
            "pages": "101–118",
            "volume": "267",
            "series": "Proceedings of Machine Learning Research",
            "publisher": "PMLR",
            "address": "Vancouver",
            "editors_truncated": True,
            "versions": [
                {
                    "kind": Kind.PREPRINT,
                    "year": 2024,
                    "month": 6,
                    "arxiv_id": "2406.08423",
                    "venue": "arXiv",
                    "title": "State Soup: In-Context Skill Learning",
                }
            ],
        },
    ),
    (
        ["Łukasz Kaiser"],
        [],
        {
            "title": "Attention, again",
            "kind": Kind.PREPRINT,
            "venue": "arXiv",
            "year": 2024,
            "month": 2,
            "arxiv_id": "2402.01234",
        },
    ),
    (
        ["Donald Knuth"],
        [],
        {
            "title": "The Art of Computer Programming",
            "kind": Kind.BOOK,
            "venue": "",
            "year": 1997,
            "publisher": "Addison-Wesley",
            "edition": "3",
            "series": "Classics",
            "number": "1",
            "address": "Reading, MA",
            "volume": "1",
        },
    ),
    (
        ["Hado van Hasselt"],
        ["Grace Hopper"],
        {
            "title": "Deep learning",
            "kind": Kind.BOOK_CHAPTER,
            "venue": "Handbook of Learning",
            "year": 2019,
            "pages": "5–9",
            "publisher": "Springer",
            "address": "Cham",
            "edition": "2",
        },
    ),
    (
        ["Amélie Lévesque"],
        [],
        {
            "title": "Réseaux de neurones",
            "kind": Kind.THESIS,
            "venue": "",
            "year": 2021,
            "month": 12,
            "institution": "Université de Montréal",
            "address": "Montréal",
            "language": "fr",
            "note": "Sous la direction de Yoshua Bengio",
        },
    ),
    (
        ["Ada Lovelace", "Plato", "King Jr.", "Leonardo"],
        [],
        {
            "title": "On engines",
            "kind": Kind.REPORT,
            "venue": "",
            "year": 2002,
            "institution": "Mila",
            "number": "TR-7",
            "address": "Montréal",
            "pages": "1–40",
        },
    ),
    (
        ["FAO"],
        [],
        {
            "title": "Data sheet",
            "kind": Kind.OTHER,
            "venue": "Web site",
            "year": 2020,
            "note": "Updated yearly",
            "url": "https://example.org/a_b%20c#d",
        },
    ),
]


@pytest.fixture
def varied(db) -> list[Publication]:
    """The publications of VARIED: organisations, suffixes, editors, truncated lists, pages,
    months, non-ASCII letters, special characters, a conference paper with its preprint."""
    people: dict[str, Author] = {}

    def signed(names: list[str]) -> list[Author]:
        for name in names:
            if name not in people:
                people[name] = AuthorFactory(**PEOPLE.get(name, {"display_name": name}))
        return [people[name] for name in names]

    for authors, editors, fields in VARIED:
        make_publication(signed(authors), signed(editors), **fields)
    return list(Publication.objects.with_authors().order_by("pk"))


def test_biber_validates_the_bibtex_against_the_biblatex_data_model(varied, biber, tmp_path):
    (tmp_path / "export.bib").write_text(to_bibtex(varied), encoding="utf-8")

    result = subprocess.run(
        [biber, "--tool", "--validate-datamodel", "--output-file=checked.bib", "export.bib"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    log = result.stdout + result.stderr + (tmp_path / "export.bib.blg").read_text()
    # "WARN - Datamodel: Entry ... Invalid field", "ERROR - ...", in the output and the log.
    problems = [line for line in log.splitlines() if re.search(r"\b(ERROR|WARN) - ", line)]
    assert result.returncode == 0, log
    assert problems == []
    checked = (tmp_path / "checked.bib").read_text(encoding="utf-8")
    assert len(re.findall(r"^@", checked, re.M)) == len(varied) + 1  # and the preprint
    for expected in (
        "AUTHOR = {King, Jr., Martin Luther and {World Health Organization} and Škoda, Jiří"
        " and others}",
        "EDITOR = {Salakhutdinov, Ruslan and Doe, Jane and others}",
        "DATE = {2023-07-15}",
        "PAGES = {12--34}",
        "NUMBER = {3}",
        "RELATED = {pioro2025state-preprint}",
        "INSTITUTION = {Université de Montréal}",
        "TYPE = {phdthesis}",
        "EPRINTTYPE = {arXiv}",
    ):
        assert expected in checked
    # dataonly, as biber spells it out (in no fixed order)
    (options,) = re.findall(r"OPTIONS = \{(.*)\}", checked)
    assert {"skipbib=true", "skiplab=true", "skipbiblist=true"} <= set(options.split(","))


def render(items: list[dict]) -> list[str]:
    """The bibliography of ``items`` in a common style, warnings turned into failures."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        style = CitationStylesStyle(CSL_STYLE, validate=False)
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        return [str(entry) for entry in bibliography.bibliography()]


def test_citeproc_renders_every_item_with_its_details(varied):
    items = json.loads(to_csl_json(varied))

    rendered = render(items)

    assert len(rendered) == len(varied)
    text = "\n".join(rendered)
    for expected in (
        "King, M.L., Jr., World Health Organization and Škoda, J.",
        "Journal of A & B",
        "12(3), pp. 12–34",
        "Edited by J. Doe, 12(3), pp. 12–34",
        "in R. Salakhutdinov and J. Doe (eds.) Proceedings of ICML 2025. Vancouver: PMLR "
        "(Proceedings of Machine Learning Research), pp. 101–118.",
        "3rd ed. Reading, MA: Addison-Wesley (Classics, 1)",
        "in G. Hopper (ed.) Handbook of Learning. 2nd ed. Cham: Springer, pp. 5–9.",
        "Réseaux de neurones. Université de Montréal.",
        "On engines. TR-7. Montréal: Mila, pp. 1–40.",
        "Food and Agriculture Organization (2020)",
        "Available at: https://arxiv.org/abs/2402.01234",
    ):
        assert expected in text, text
    assert "In Addison-Wesley" not in text
    assert "others" not in text


def test_rispy_reads_articles_papers_and_preprints_from_their_tags(varied):
    records = rispy.loads(to_ris(varied))

    assert len(records) == len(varied)
    article, paper, preprint, *_others = records
    assert all("unknown_tag" not in record for record in records)
    assert article["authors"] == [
        "King, Martin Luther, Jr.",
        "World Health Organization",
        "Škoda, Jiří",
    ]
    assert article["secondary_authors"] == ["Doe, Jane"]  # A2: the editors
    assert {k: article[k] for k in ("year", "date", "start_page", "end_page")} == {
        "year": "2023",
        "date": "2023/07/15/",
        "start_page": "12",
        "end_page": "34",
    }
    # rispy names IS "number": it is the issue of a journal.
    assert (article["secondary_title"], article["volume"], article["number"]) == (
        "Journal of A & B",
        "12",
        "3",
    )
    assert (article["notes"], article["doi"]) == (["Special issue"], "10.1234/abc.5")
    assert (paper["secondary_title"], paper["tertiary_title"]) == (
        "Proceedings of ICML 2025",
        "Proceedings of Machine Learning Research",
    )
    assert (paper["publisher"], paper["place_published"]) == ("PMLR", "Vancouver")
    assert (preprint["name_of_database"], preprint["accession_number"]) == ("arXiv", "2402.01234")
    assert preprint["urls"] == ["https://arxiv.org/abs/2402.01234"]
    assert "secondary_title" not in preprint


def test_rispy_reads_books_theses_reports_and_others_from_their_tags(varied):
    _article, _paper, _preprint, book, chapter, thesis, report, other = rispy.loads(to_ris(varied))

    # rispy names M1 "note": the number in a book's series.
    assert {k: book[k] for k in ("publisher", "edition", "tertiary_title", "note")} == {
        "publisher": "Addison-Wesley",
        "edition": "3",
        "tertiary_title": "Classics",
        "note": "1",
    }
    assert "secondary_title" not in book
    assert (chapter["secondary_title"], chapter["secondary_authors"]) == (
        "Handbook of Learning",
        ["Hopper, Grace"],
    )
    assert (thesis["type_of_reference"], thesis["publisher"]) == ("THES", "Université de Montréal")
    # rispy names SN "issn": for a report, the report number (Zotero reads it so).
    assert (report["publisher"], report["issn"]) == ("Mila", "TR-7")
    assert other["authors"] == ["Food and Agriculture Organization"]
    assert other["urls"] == ["https://example.org/a_b%20c#d"]
