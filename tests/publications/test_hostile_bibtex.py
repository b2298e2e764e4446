"""BibTeX no importer should trust: every entry is imported, or refused with its key and line and
a reason, or imported with what it lost named; no file makes the reader or the import fail."""

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publications.bibtex import (
    BibtexFileError,
    EntryProblem,
    ParsedEntry,
    ParseResult,
    decode_bibtex_file,
    parse_bibtex,
)
from publications.models import Author, Authorship, Publication
from publications.services import ImportReport, publication_import_bibtex

LIMITS = {
    name: Publication._meta.get_field(name).max_length
    for name in ("title", "venue", "note", "doi", "arxiv_id", "url", "language", "publisher")
}
NAME_LIMIT = Author._meta.get_field("display_name").max_length
POSITIONS = 32767  # PostgreSQL's smallint, the position of an author in a list


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def entry(key: str, fields: str, kind: str = "article") -> str:
    return f"@{kind}{{{key},\n  title = {{Fine}},\n  year = 2020,\n{fields}\n}}\n"


GOOD = entry("good", "  author = {Ada Lovelace}")


def only_problem(report: ImportReport) -> EntryProblem:
    (problem,) = report.problems
    return problem


# Deep nesting ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "stored"),
    [
        ("{" * 900 + "Deep" + "}" * 900, "Deep"),
        ("\\emph" * 900 + "{Deep}", "Deep"),
        ("\\'" * 900 + "Deep", "D\u0301"),
        ("\\textbf{" * 900 + "Deep" + "}" * 900, "Deep"),
        ("\\frac{" * 30 + "Deep" + "}{2}" * 30, "Deep" + "/2" * 30),
    ],
)
def test_nine_hundred_nested_commands_or_braces_are_read_flat(title, stored):
    report = publication_import_bibtex(text=f"@misc{{deep, title = {{{title}}}, year = 2020}}")

    assert report.succeeded
    assert Publication.objects.get().title.startswith(stored)


@pytest.mark.django_db
def test_a_title_that_reads_longer_than_its_column_refuses_the_entry():
    # Nine hundred fractions read as nine hundred slashes.
    title = "\\frac{" * 900 + "Deep" + "}{2}" * 900

    report = publication_import_bibtex(text=f"@misc{{deep, title = {{{title}}}, year = 2020}}")

    problem = only_problem(report)
    assert (problem.key, problem.line) == ("deep", 1)
    assert problem.message == f"its title is longer than {LIMITS['title']} characters"


# Values longer than their column ---------------------------------------------------------------


@pytest.mark.django_db
def test_an_author_name_longer_than_its_column_refuses_the_entry():
    name = "A" * (NAME_LIMIT + 1)
    text = GOOD + entry("long-name", f"  author = {{Ada Lovelace and {name} Smith}}")

    report = publication_import_bibtex(text=text)

    problem = only_problem(report)
    assert (problem.key, problem.line) == ("long-name", 6)
    assert problem.message == f"the name “{'A' * 79}…” is longer than {NAME_LIMIT} characters"
    assert Publication.objects.count() == 0


@pytest.mark.django_db
def test_a_name_whose_matching_key_outgrows_its_column_refuses_the_entry():
    # "ß" is matched as "ss": a family name of 130 makes a key of 260.
    text = entry("eszett", f"  author = {{Ada {'ß' * 130}}}")

    report = publication_import_bibtex(text=text, skip_invalid=True)

    assert [(e.key, e.status) for e in report.entries] == [("eszett", "skipped")]
    assert "is longer than 255 characters" in report.entries[0].reason
    assert Author.objects.count() == 0


@pytest.mark.django_db
def test_a_title_longer_than_its_column_refuses_the_entry_and_the_rest_is_imported():
    text = GOOD + f"@misc{{long-title, title = {{{'T' * (LIMITS['title'] + 1)}}}, year = 2020}}"

    report = publication_import_bibtex(text=text, skip_invalid=True)

    assert [(e.key, e.status, e.reason) for e in report.entries] == [
        ("good", "created", ""),
        ("long-title", "skipped", f"its title is longer than {LIMITS['title']} characters"),
    ]
    assert list(Publication.objects.values_list("title", flat=True)) == ["Fine"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("note", "n" * (LIMITS["note"] + 1), f"it is longer than {LIMITS['note']} characters"),
        ("journal", "j" * (LIMITS["venue"] + 1), f"it is longer than {LIMITS['venue']} characters"),
        (
            "publisher",
            "p" * (LIMITS["publisher"] + 1),
            f"it is longer than {LIMITS['publisher']} characters",
        ),
        (
            "doi",
            "10.1234/" + "d" * LIMITS["doi"],
            f"Ensure this value has at most {LIMITS['doi']} characters (it has 263).",
        ),
        (
            "eprint",
            "arxiv:" + "a" * LIMITS["arxiv_id"] + "/1234567",
            f"Ensure this value has at most {LIMITS['arxiv_id']} characters (it has 40).",
        ),
        (
            "url",
            "https://example.org/" + "u" * LIMITS["url"],
            f"it is longer than {LIMITS['url']} characters",
        ),
        ("langid", "en-" + "-abcdefgh" * 3, "it is not a known language"),
    ],
)
def test_a_side_value_longer_than_its_column_is_left_out_with_a_warning(field, value, reason):
    report = publication_import_bibtex(text=entry("side", f"  {field} = {{{value}}}"))

    assert report.succeeded
    (outcome,) = report.entries
    assert len(outcome.warnings) == 1
    assert outcome.warnings[0].startswith(f"{field} “")
    assert outcome.warnings[0].endswith(f"was left out: {reason}")
    publication = Publication.objects.get()
    assert (publication.note, publication.venue, publication.doi, publication.url) == ("",) * 4
    assert publication.language == "en"


@pytest.mark.django_db
def test_more_authors_than_positions_refuses_the_entry():
    names = " and ".join(f"Given{i} Family" for i in range(POSITIONS + 1))
    text = GOOD + entry("crowd", f"  author = {{{names}}}")

    report = publication_import_bibtex(text=text, dry_run=True)

    problem = only_problem(report)
    assert (problem.key, problem.line, problem.message) == (
        "crowd",
        6,
        f"it has more than {POSITIONS} authors",
    )


@pytest.mark.django_db
def test_as_many_authors_as_positions_are_imported_in_order():
    names = " and ".join(f"G{i} F" for i in range(POSITIONS))

    report = publication_import_bibtex(text=entry("crowd", f"  author = {{{names}}}"))

    assert report.succeeded
    last = Authorship.objects.select_related("author").order_by("position").last()
    assert (last.position, last.author.display_name) == (POSITIONS, f"G{POSITIONS - 1} F")


# Fuzzing ---------------------------------------------------------------------------------------

# Pieces of BibTeX, well and badly formed, that random texts are built from.
FRAGMENTS = [
    "@article{", "@misc{", "@string{", "@comment{", "@preamble{", "@", "{", "}", "(", ")",
    '"', "#", "=", ",", " ", "\n", "\r\n", "\t", "\\", "\\emph", "\\'", "\\frac", "\\url{",
    "\\char1", "$", "%", "~", "--", "title", "author", "editor", "year", "2020", "9999",
    "month", "jul", "date", "crossref", "xdata", "related", "doi", "10.1234/x", "url",
    "https://example.org/", "eprint", "2307.11888", "langid", "pages", "1--2", " and ",
    "others", "von", "Jr.", "key", "a", "é", "\u00ad", "\u2028", "\x00", "\x01", "\x1b", "\x85",
    "\ufeff", "\ud7ff", "𝔸", "A" * 300, "{" * 200, "}" * 200, "a # " * 200,
]  # fmt: skip
bibtex_texts = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=60
).map("".join)
ENTRY_FIELDS = st.dictionaries(
    st.sampled_from(["title", "author", "editor", "year", "journal", "doi", "url", "note"]),
    bibtex_texts,
    max_size=6,
)


@st.composite
def bibtex_files(draw) -> str:
    """Entries whose values are random, macros that refer to each other, and random text."""
    parts = []
    for index in range(draw(st.integers(0, 4))):
        fields = draw(ENTRY_FIELDS)
        body = ",\n".join(f"{name} = {{{value}}}" for name, value in fields.items())
        parts.append(f"@article{{k{index},\n{body}}}\n")
    # @string definitions that loop, and a value built from them with "#".
    parts.append("@string{a = b # a}\n@string{b = a # {x} # b}\n@misc{loop, title = a # b,")
    parts.append(" year = 2020}\n")
    parts.append(draw(bibtex_texts))
    return "".join(draw(st.permutations(parts)))


def assert_readable(result: ParseResult) -> None:
    """What an editor is shown: entries with plain text, or problems; never a control character."""
    for parsed in result.entries:
        assert isinstance(parsed, ParsedEntry)
        texts = [parsed.key, parsed.title, parsed.venue, parsed.note, parsed.abstract]
        texts += [p.display_name for p in [*parsed.authors, *parsed.editors]]
        assert not any(c < " " and c not in "\t\n" for text in texts for c in text)
    for problem in result.problems + result.warnings:
        assert str(problem)


@settings(max_examples=300, deadline=None)
@given(st.one_of(bibtex_texts, bibtex_files()))
def test_the_reader_reads_any_text(text):
    assert_readable(parse_bibtex(text))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | bibtex_files().map(lambda t: t.encode("utf-8", "replace")))
def test_a_file_is_read_or_refused_with_a_reason(data):
    try:
        text = decode_bibtex_file(data)
    except BibtexFileError as error:
        refusal = str(error)
    else:
        assert_readable(parse_bibtex(text))
        return
    assert refusal


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bibtex_files(), st.booleans())
def test_the_import_reports_on_any_text(text, skip_invalid):
    report = publication_import_bibtex(text=text, dry_run=True, skip_invalid=skip_invalid)

    assert isinstance(report, ImportReport)
    assert report.succeeded or all(problem.message for problem in report.problems)
    assert Publication.objects.count() == 0
