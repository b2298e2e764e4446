"""Reading BibTeX: LaTeX to Unicode, names, identifiers, problems by key and line."""

from pathlib import Path

import pytest
from django.utils import translation

from publications.bibtex import (
    BibtexFileError,
    decode_bibtex_file,
    parse_bibtex,
    parse_name,
)
from publications.latex import latex_to_text
from publications.models import Publication

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _english():
    """The messages below are checked in English; their French versions are in the catalogue."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def hard_cases():
    result = parse_bibtex((FIXTURES / "hard_cases.bib").read_text(encoding="utf-8"))
    assert result.problems == []
    return {entry.key: entry for entry in result.entries}


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Pi{\'o}ro", "Pióro"),
        (r"Pi\'{o}ro", "Pióro"),
        (r"Pi\'oro", "Pióro"),
        (r"\v{C}ech", "Čech"),
        (r"{\v C}ech", "Čech"),
        (r"D{\'\i}az", "Díaz"),
        (r"Stra{\ss}e", "Straße"),
        (r"{\o}re and {\O}stergaard", "øre and Østergaard"),
        (r"{\L}ukasiewicz and Wo{\l}czyk", "Łukasiewicz and Wołczyk"),
        (r"Fran\c{c}ois", "François"),
        (r"M{\"u}ller", "Müller"),
        (r"Jo{\~a}o", "João"),
        (r"pages 1--10", "pages 1–10"),
        (r"a---b", "a—b"),
        (r"ICML~2023", "ICML 2023"),
        (r"{DNA} and {{RNA}}", "DNA and RNA"),
        (r"\textit{self-guided training}", "self-guided training"),
        (r"\emph{emphasis} and \textbf{bold}", "emphasis and bold"),
        (r"$\alpha$-stable $O(n^2)$", "α-stable O(n^2)"),
        ("50% of cases", "50% of cases"),
        (r"50\% of cases", "50% of cases"),
        ("plain text, no markup", "plain text, no markup"),
        ("an unbalanced {brace", "an unbalanced brace"),
    ],
)
def test_latex_becomes_unicode(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("raw", "given", "family"),
    [
        ("Pascanu, Razvan", "Razvan", "Pascanu"),
        ("Razvan Pascanu", "Razvan", "Pascanu"),
        ("van Hasselt, Hado", "Hado", "van Hasselt"),
        ("Hado van Hasselt", "Hado", "van Hasselt"),
        ("Smith, Jr., John", "John", "Smith, Jr."),
        ("Martin Luther King, Jr.", "Martin Luther", "King, Jr."),
        ("De la Fontaine, Jean", "Jean", "De la Fontaine"),
        ("Samuel L. Smith", "Samuel L.", "Smith"),
        (r"Pi{\'o}ro, Maciej", "Maciej", "Pióro"),
        ("{Google DeepMind}", "", "Google DeepMind"),
    ],
)
def test_names_are_split_into_given_and_family(raw, given, family):
    author = parse_name(raw)

    assert (author.given_name, author.family_name) == (given, family)
    assert author.display_name == f"{given} {family}".strip()


def test_no_latex_or_brace_survives_in_titles_names_venues_abstracts(hard_cases):
    for entry in hard_cases.values():
        texts = [entry.title, entry.venue, entry.abstract, *(a.display_name for a in entry.authors)]
        for text in texts:
            assert "\\" not in text
            assert "{" not in text
            assert "}" not in text
            assert "$" not in text


def test_hard_case_entries(hard_cases):
    soup = hard_cases["pioro2024state"]
    assert [a.display_name for a in soup.authors] == [
        "Maciej Pióro",
        "Maciej Wołczyk",
        "Razvan Pascanu",
        "Johannes von Oswald",
        "João Sacramento",
    ]
    assert soup.arxiv_id == "2406.08423"
    assert soup.kind == Publication.Kind.PREPRINT
    assert soup.venue == ""

    survey = hard_cases["accents2023"]
    assert survey.title == "Čech complexes, Über-networks and the Łukasiewicz logic — a survey"
    assert survey.doi == "10.1000/abc.def-42"
    assert survey.venue == "Proceedings of ICML 2023"
    assert survey.kind == Publication.Kind.CONFERENCE_PAPER
    assert survey.abstract.startswith("We study self-guided training and emphasis with α-stable")
    assert "50% gains on DNA data — see Table 1." in survey.abstract

    names = hard_cases["names2022"]
    assert names.more_authors is True
    assert len(names.authors) == 6
    assert names.arxiv_id == "2201.01234"
    assert names.line == 18

    assert hard_cases["urlonly2021"].arxiv_id == "2101.00042"


def test_invalid_entries_are_reported_with_key_and_line():
    result = parse_bibtex((FIXTURES / "invalid.bib").read_text(encoding="utf-8"))

    assert [entry.key for entry in result.entries] == ["good2020"]
    assert [(p.key, p.line) for p in result.problems] == [
        ("noyear", 7),
        ("broken", 12),
        ("notitle", 16),
    ]
    assert "no year" in result.problems[0].message
    assert "no title" in result.problems[2].message


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("year = {1492}", "1492"),
        ("year = {soon}", "soon"),
        ("year = {2020}, doi = {not-a-doi}", "not-a-doi"),
    ],
)
def test_entry_level_problems(fields, message):
    result = parse_bibtex(f"@article{{k, title={{T}}, author={{A B}}, {fields}}}")

    assert result.entries == []
    assert message in result.problems[0].message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("@misc{a, title={Café}}".encode("latin-1"), "UTF-8"),
        (b"just some words", "No BibTeX entry"),
    ],
)
def test_unusable_files_get_a_clear_message(data, message):
    with pytest.raises(BibtexFileError, match=message):
        decode_bibtex_file(data)


def test_a_file_over_the_limit_is_refused_before_reading_it():
    with pytest.raises(BibtexFileError, match="too large"):
        decode_bibtex_file(b"@" * 101, max_bytes=100)


def test_utf8_with_byte_order_mark_is_read():
    assert decode_bibtex_file("\ufeff@misc{a}".encode()) == "@misc{a}"
