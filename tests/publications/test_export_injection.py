"""Stored values that try to break out of a citation download: every format still holds exactly
one record per publication, with the values as stored.

The values are written straight to the database, past the validators, as old data might be.
Documented normalisation: runs of whitespace (line breaks included) become one space in BibTeX
and RIS, where a value is one line; RIS keeps a value on one line; nothing else changes.
"""

import json
import re
import subprocess

import bibtexparser
import pytest
import rispy
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from publications.bibtex import parse_bibtex
from publications.exports import to_bibtex, to_csl_json, to_ris
from publications.models import Author, Authorship, Publication, PublicationVersion
from publications.services import publication_import_bibtex
from tests.admin_forms import publication_form_data

Kind = Publication.Kind

# Closes a braced BibTeX value and the entry, then starts one; ends a RIS record and starts
# one; closes a script block; and holds every character BibTeX or LaTeX treats specially.
BREAK_OUT = (
    "x}},title={X}}@misc{evil,title={Y}}\r\nER  - \r\nTY  - JOUR\nTI  - Evil\u2028"
    "</script><script>alert(1)</script> 100% $5 & #1 a_b ^ ~ \\ \\} {{unbalanced"
)
# Identifiers and addresses as a DOI or a URL could hold them: no whitespace (the database
# refuses it in a DOI), the breaking characters kept.
BREAK_OUT_URL = "https://example.org/},title={X}}@misc{evil,title={Y}}%\\{"
# A DOI is stored in lower case, as every DOI field writes it.
BREAK_OUT_DOI = "10.1234/x},title={x}}@misc{evil,title={y}}"

TEXT_FIELDS = ["venue", "volume", "issue", "pages", "publisher", "edition", "series"]
TEXT_FIELDS += ["institution", "number", "address", "note"]


def column(model, field: str) -> int:
    return model._meta.get_field(field).max_length or 10_000


def hostile(field: str) -> str:
    """BREAK_OUT, marked with the field's name and cut to the column's length."""
    return f"{field}:{BREAK_OUT}"[: column(Publication, field)]


def folded(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def stored(db) -> Publication:
    """A journal article, its preprint, two authors and an editor, every text hostile."""
    publication = Publication.objects.create(title="placeholder", year=2023)
    values = {field: hostile(field) for field in TEXT_FIELDS}
    values.update(
        title=hostile("title"),
        abstract=hostile("abstract"),
        kind=Kind.JOURNAL_ARTICLE,
        month=7,
        day=15,
        doi=BREAK_OUT_DOI,
        url=BREAK_OUT_URL,
        pdf_url=BREAK_OUT_URL,
        language="en},x={y",
    )
    # update() writes the values as they are: no validation, no save().
    Publication.objects.filter(pk=publication.pk).update(**values)
    people = [
        Author.objects.create(display_name="placeholder") for _name in ("first", "second", "ed")
    ]
    names = [
        {"given_name": f"Ada{BREAK_OUT}", "family_name": f"Lovelace{BREAK_OUT}"},
        {"given_name": "Bob", "family_name": f"Byron and {BREAK_OUT}", "suffix": "Jr.\r\nER  -"},
        {"given_name": "", "family_name": f"Editor{BREAK_OUT}"},
    ]
    for author, parts in zip(people, names, strict=True):
        # Short enough that the name, read back, fits its column.
        parts = {name: value[:120].strip() for name, value in parts.items()}
        display = " ".join(p for p in parts.values() if p)[: column(Author, "display_name")]
        Author.objects.filter(pk=author.pk).update(display_name=display, **parts)
    for position, author in enumerate(people[:2], start=1):
        Authorship.objects.create(publication=publication, author=author, position=position)
    Authorship.objects.create(
        publication=publication, author=people[2], position=1, role=Authorship.Role.EDITOR
    )
    version = PublicationVersion.objects.create(publication=publication, year=2022)
    PublicationVersion.objects.filter(pk=version.pk).update(
        kind=Kind.PREPRINT, title=f"version:{BREAK_OUT}", url=BREAK_OUT_URL, venue="v}"
    )
    return Publication.objects.with_authors().get(pk=publication.pk)


def expected_people(publication: Publication, role: str) -> list[tuple[str, str]]:
    return [
        (folded(a.author.given_name), folded(a.author.family_name))
        for a in publication.authorships.all()
        if a.role == role
    ]


def test_bibtex_holds_one_entry_and_one_data_entry_with_the_stored_values(stored):
    export = to_bibtex([stored])

    library = bibtexparser.parse_string(export)
    assert library.failed_blocks == []
    assert [entry.entry_type for entry in library.entries] == ["article", "misc"]
    assert "evil" not in [entry.key for entry in library.entries]
    parsed = parse_bibtex(export)
    assert parsed.problems == []
    entry, version = parsed.entries
    assert entry.title == folded(stored.title)
    assert entry.abstract == folded(stored.abstract)
    for field in TEXT_FIELDS:
        if field != "number":  # an article's own number is its "eid", which is not read back
            assert getattr(entry, field) == folded(getattr(stored, field)), field
    assert [(a.given_name, a.family_name) for a in entry.authors] == expected_people(
        stored, Authorship.Role.AUTHOR
    )
    assert entry.authors[1].suffix == "Jr. ER -"
    assert [(a.given_name, a.family_name) for a in entry.editors] == expected_people(
        stored, Authorship.Role.EDITOR
    )
    # Addresses and identifiers are written percent-encoded where they would break the file.
    raw = library.entries[0]
    assert (
        raw["url"] == "https://example.org/%7D,title=%7BX%7D%7D@misc%7Bevil,title=%7BY%7D%7D%%5C%7B"
    )
    assert raw["doi"] == "10.1234/x%7D,title=%7Bx%7D%7D@misc%7Bevil,title=%7By%7D%7D"
    assert version.title == folded(f"version:{BREAK_OUT}")


def test_bibtex_braces_balance_in_every_value(stored):
    """BibTeX and biber count braces whatever backslash precedes them: an escaped unmatched
    brace would still close the value."""
    export = to_bibtex([stored])

    for line in export.splitlines():
        if " = " not in line:
            continue
        value = line.split(" = ", 1)[1].rstrip(",")
        depth = 0
        for char in value:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0 if value.startswith("{") else True, line
        assert depth == 0, line


def test_biber_reads_one_entry_and_one_data_entry(stored, biber, tmp_path):
    # biber refuses a person's name part holding a comma, even braced ("too many commas"):
    # a limitation of its own, which skips the entry and injects nothing.
    for author in Author.objects.all():
        parts = {f: getattr(author, f).replace(",", ";") for f in ("given_name", "family_name")}
        Author.objects.filter(pk=author.pk).update(**parts)
    stored = Publication.objects.with_authors().get(pk=stored.pk)
    (tmp_path / "export.bib").write_text(to_bibtex([stored]), encoding="utf-8")

    result = subprocess.run(
        [biber, "--tool", "--output-file=checked.bib", "export.bib"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert not re.search(r"\bERROR - ", log), log
    checked = (tmp_path / "checked.bib").read_text(encoding="utf-8")
    assert re.findall(r"^@(\w+)\{", checked.lower(), re.M) == ["article", "misc"], checked
    assert "evil" not in re.findall(r"^@\w+\{([^,]*),", checked, re.M)


def test_ris_holds_one_record_with_the_stored_values(stored):
    export = to_ris([stored])

    (record,) = rispy.loads(export)
    assert record["type_of_reference"] == "JOUR"
    assert record["title"] == folded(stored.title)
    assert record["abstract"] == folded(stored.abstract)
    assert record["authors"] == [
        f"{folded(stored.author_authorships[0].author.family_name)}, "
        f"{folded(stored.author_authorships[0].author.given_name)}",
        f"{folded(stored.author_authorships[1].author.family_name)}, Bob, Jr. ER -",
    ]
    assert record["secondary_authors"] == [folded(stored.editor_authorships[0].author.family_name)]
    assert record["notes"] == [folded(stored.note)]
    assert record["doi"] == BREAK_OUT_DOI
    assert record["urls"] == [BREAK_OUT_URL]
    assert export.count("\r\nER  - ") == 1


def test_csl_json_holds_one_item_with_the_stored_values(stored):
    (item,) = json.loads(to_csl_json([stored]))

    assert item["title"] == stored.title
    assert item["abstract"] == stored.abstract
    assert item["container-title"] == stored.venue
    assert item["DOI"] == BREAK_OUT_DOI
    assert item["URL"] == BREAK_OUT_URL
    assert item["author"][0] == {
        "family": stored.author_authorships[0].author.family_name,
        "given": stored.author_authorships[0].author.given_name,
    }


def test_the_page_json_ld_is_one_block_with_the_stored_values(stored, client):
    Publication.objects.filter(pk=stored.pk).update(language="en")
    response = client.get(reverse("publications:publication_detail", kwargs={"pk": stored.pk}))

    page = response.content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    (block,) = blocks
    data = json.loads(block)
    assert data["name"] == stored.title
    assert data["abstract"] == stored.abstract
    assert data["author"][0]["familyName"] == stored.author_authorships[0].author.family_name
    assert page.lower().count("<script") == page.lower().count("</script>")
    assert "<script>alert(1)" not in page


def test_an_unknown_kind_is_exported_as_a_generic_record(stored):
    Publication.objects.filter(pk=stored.pk).update(kind="misc},x={")
    publication = Publication.objects.with_authors().get(pk=stored.pk)

    library = bibtexparser.parse_string(to_bibtex([publication]))
    assert [entry.entry_type for entry in library.entries] == ["misc", "misc"]
    (record,) = rispy.loads(to_ris([publication]))
    assert record["type_of_reference"] == "GEN"
    (item,) = json.loads(to_csl_json([publication]))
    assert item["type"] == "document"


# What the validators refuse -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", BREAK_OUT_URL),
        ("pdf_url", "https://example.org/a}b"),
        ("code_url", "https://example.org/{x}"),
        ("doi", "10.1234/x},title={y}"),
    ],
)
def test_the_admin_refuses_braces_in_an_identifier_or_an_address(editor_client, field, value):
    response = editor_client.post(
        reverse("admin:publications_publication_add"),
        publication_form_data(**{field: value}),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors[field] == ["A DOI or a web address cannot hold braces, spaces or line breaks."]
    assert Publication.objects.count() == 0


def test_the_model_refuses_braces_and_line_breaks_whatever_form_sends_them(db):
    publication = Publication(
        title="T", year=2020, doi="10.1234/x\ny", url="https://example.org/}", pdf_url=""
    )

    with pytest.raises(ValidationError) as refusal:
        publication.full_clean()

    assert set(refusal.value.message_dict) == {"doi", "url"}


def test_the_import_leaves_out_a_doi_with_a_space_with_a_warning(db):
    with translation.override("en"):
        report = publication_import_bibtex(
            text="@article{k, title = {T}, year = 2020, doi = {10.1234/a b}}"
        )

        assert report.succeeded
        assert report.entries[0].warnings == [
            "doi “10.1234/a b” was left out: Enter a DOI such as 10.48550/arXiv.2307.11888."
        ]
    assert Publication.objects.get().doi == ""
