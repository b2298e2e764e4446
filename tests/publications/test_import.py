"""Importing BibTeX into the database: all or nothing, people matched, duplicates merged."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.models import ResearchTopic
from publications.models import Author, Authorship, FieldSource, Publication
from publications.search import publications_matching
from publications.services import publication_import_bibtex
from tests.factories import AuthorFactory, PublicationFactory, researcher_with_author

FIXTURES = Path(__file__).parent / "fixtures"
HARD_CASES = (FIXTURES / "hard_cases.bib").read_text(encoding="utf-8")
INVALID = (FIXTURES / "invalid.bib").read_text(encoding="utf-8")

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Publication.objects.count(),
        Author.objects.count(),
        Authorship.objects.count(),
        Publication.topics.through.objects.count(),
    )


def authors_of(publication: Publication) -> list[str]:
    return [a.author.display_name for a in publication.authorships.order_by("position")]


def test_import_creates_clean_publications_with_ordered_authors():
    report = publication_import_bibtex(text=HARD_CASES)

    assert report.succeeded
    # The last entry repeats the survey (same DOI): four publications from five entries.
    assert Publication.objects.count() == 4
    assert [e.key for e in report.created] == [
        "pioro2024state",
        "accents2023",
        "names2022",
        "urlonly2021",
    ]
    assert [e.key for e in report.merged] == ["dup-of-accents"]
    soup = Publication.objects.get(arxiv_id="2406.08423")
    assert authors_of(soup) == [
        "Maciej Pióro",
        "Maciej Wołczyk",
        "Razvan Pascanu",
        "Johannes von Oswald",
        "João Sacramento",
    ]
    survey = Publication.objects.get(doi="10.1000/abc.def-42")
    assert survey.url == "https://example.org/cech"  # filled in from the repeated entry
    assert survey.title == "Čech complexes, Über-networks and the Łukasiewicz logic — a survey"
    hado = Author.objects.get(display_name="Hado van Hasselt")
    assert (hado.given_name, hado.family_name) == ("Hado", "van Hasselt")
    # Searchable right away, although the import writes in bulk.
    assert publications_matching(Publication.objects.all(), "lukasiewicz").get() == survey


def test_importing_the_same_file_twice_creates_nothing_the_second_time():
    publication_import_bibtex(text=HARD_CASES)
    before = counts()

    report = publication_import_bibtex(text=HARD_CASES)

    assert counts() == before
    assert report.created == []
    assert len(report.present) == 5


def test_existing_authors_are_matched_by_name_ignoring_accents_and_case():
    existing = AuthorFactory(display_name="Maciej Pioro")

    publication_import_bibtex(text=HARD_CASES)

    assert Author.objects.filter(name_key="maciej pioro").count() == 1
    assert existing.authorships.count() == 1


@pytest.mark.parametrize(
    "stored",
    [
        {"doi": "10.1000/abc.def-42", "title": "Another title"},
        {"arxiv_id": "2406.08423", "title": "Another title"},
        {"title": "State soup: in-context skill learning, retrieval, and mixing!", "year": 2025},
    ],
)
def test_an_entry_matching_a_stored_publication_completes_it(stored):
    PublicationFactory(**{"year": 2024, "abstract": "", "venue": "", **stored})
    before = Publication.objects.count()

    report = publication_import_bibtex(text=HARD_CASES)

    assert Publication.objects.count() == before + 3
    assert len(report.merged) + len(report.present) >= 1


def test_same_title_years_apart_are_different_publications():
    PublicationFactory(title="Identifiers from the address", year=2015)

    publication_import_bibtex(text=HARD_CASES)

    assert Publication.objects.filter(title_key="identifiersfromtheaddress").count() == 2


def test_researcher_and_topics_are_linked():
    researcher = researcher_with_author(given_name="Razvan", family_name="Pascanu")
    topic = ResearchTopic.objects.create(slug="rnn", name_fr="RNR", name_en="RNN")

    report = publication_import_bibtex(
        text=HARD_CASES.replace("Pascanu, Razvan", "Pascanu, R."),
        researcher=researcher,
        topics=[topic],
    )

    soup = Publication.objects.get(arxiv_id="2406.08423")
    assert soup.authorships.get(position=3).author == researcher.author
    assert not Author.objects.filter(display_name="R. Pascanu").exists()
    assert set(Publication.objects.filter(topics=topic)) == set(Publication.objects.all())
    # The researcher does not sign the other papers: the report says so.
    assert len(report.warnings) == 3


def test_an_invalid_entry_means_nothing_is_imported():
    report = publication_import_bibtex(text=INVALID)

    assert not report.succeeded
    assert [(p.key, p.line) for p in report.problems] == [
        ("noyear", 7),
        ("broken", 12),
        ("notitle", 16),
    ]
    assert counts() == (0, 0, 0, 0)


def test_skip_invalid_imports_the_rest_and_lists_the_skipped():
    report = publication_import_bibtex(text=INVALID, skip_invalid=True)

    assert report.succeeded
    assert [e.key for e in report.created] == ["good2020"]
    assert [e.key for e in report.skipped] == ["noyear", "broken", "notitle"]
    assert Publication.objects.get().title == "A good entry"


def test_dry_run_reports_and_changes_nothing():
    report = publication_import_bibtex(text=HARD_CASES, dry_run=True)

    assert len(report.created) == 4
    assert counts() == (0, 0, 0, 0)


def test_a_failure_in_the_middle_leaves_the_database_as_it_was():
    PublicationFactory(title="Before")
    before = counts()
    calls = []

    def fail_after_first_batch(done, total):
        calls.append(done)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        publication_import_bibtex(text=HARD_CASES, progress=fail_after_first_batch)

    assert calls
    assert counts() == before


def test_import_costs_a_bounded_number_of_queries_per_entry():
    def queries_for(entry_count: int) -> int:
        text = "\n".join(
            f"@article{{e{entry_count}-{n}, title={{Paper {entry_count} number {n}}}, "
            f"author={{Author {n}, A. and Shared, Person and Other {n}, B.}}, "
            f"journal={{J}}, year={{2020}}, doi={{10.1000/{entry_count}.{n}}}}}"
            for n in range(entry_count)
        )
        with CaptureQueriesContext(connection) as queries:
            assert publication_import_bibtex(text=text).succeeded
        return len(queries)

    few, many = queries_for(10), queries_for(400)
    # Bulk writes: the cost grows by batches of rows, not by entries. About ten queries
    # are the import itself, and as many record its revision for the history.
    assert few <= 25
    assert many <= few + 400 // 10 + _provenance_batches(FieldSource.objects.count())


def _provenance_batches(rows: int) -> int:
    """The writes of ``rows`` field sources beyond one: PostgreSQL takes a batch of works' in
    one query, SQLite (through Django) at most 999 values, 124 rows of 8 columns, a query."""
    if connection.features.max_query_params is None:
        return 0
    return rows // (connection.features.max_query_params // 8)


def test_command_imports_and_summarises(tmp_path):
    path = tmp_path / "hard.bib"
    path.write_text(HARD_CASES, encoding="utf-8")
    output = io.StringIO()

    call_command("import_bibtex", str(path), stdout=output)

    assert (
        "4 created, 0 other versions of a publication, 1 completing an existing one, "
        "0 already present, 0 skipped"
    ) in output.getvalue()
    assert Publication.objects.count() == 4


def test_command_refuses_an_invalid_file_and_names_each_problem(tmp_path):
    path = tmp_path / "invalid.bib"
    path.write_text(INVALID, encoding="utf-8")
    errors = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_bibtex", str(path), stdout=io.StringIO(), stderr=errors)

    assert "noyear (line 7): it has no year" in errors.getvalue()
    assert "broken (line 12)" in errors.getvalue()
    assert Publication.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\x00\x01\x02binary", "binary"), ("é".encode("latin-1"), "UTF-8")],
)
def test_command_gives_a_clear_message_for_unusable_files(tmp_path, content, message):
    path = tmp_path / "file.bib"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        call_command("import_bibtex", str(path), stdout=io.StringIO())


def test_command_refuses_a_100_megabyte_file_without_reading_it_all(tmp_path):
    path = tmp_path / "huge.bib"
    with path.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)

    with pytest.raises(CommandError, match="too large"):
        call_command("import_bibtex", str(path), stdout=io.StringIO())


def test_command_rejects_unknown_researcher_and_topics(tmp_path):
    path = tmp_path / "hard.bib"
    path.write_text(HARD_CASES, encoding="utf-8")

    with pytest.raises(CommandError, match="no researcher"):
        call_command("import_bibtex", str(path), "--researcher", "nobody")
    with pytest.raises(CommandError, match="Unknown research topics: nope"):
        call_command("import_bibtex", str(path), "--topic", "nope")


# Where each field came from --------------------------------------------------------------


def _sources(publication: Publication) -> dict[str, tuple[str, str, str, bool]]:
    return {
        s.field_name: (s.origin, s.source, s.source_id, s.locked)
        for s in publication.field_sources.all()
    }


PROVENANCE_ENTRY = """@article{lovelace43,
  title = {Notes on the analytical engine},
  author = {Lovelace, Ada},
  journal = {Scientific Memoirs},
  year = {1943},
  volume = {3},
  doi = {10.1000/engine}
}"""


def test_an_imported_publication_records_its_fields_as_imported():
    topic = ResearchTopic.objects.create(slug="engines", name_fr="Moteurs", name_en="Engines")

    publication_import_bibtex(text=PROVENANCE_ENTRY, topics=[topic])

    publication = Publication.objects.get()
    imported = ("import", "bibtex", "lovelace43", False)
    fields = ["title", "kind", "year", "venue", "volume", "doi", "language", "authors", "topics"]
    assert _sources(publication) == dict.fromkeys(fields, imported)


def test_an_import_completing_a_publication_records_only_what_it_filled():
    stored = PublicationFactory(
        title="Notes on the analytical engine",
        year=1943,
        kind=Publication.Kind.JOURNAL_ARTICLE,
        venue="",
        abstract="",
        doi="",
    )
    stored.field_sources.create(field_name="venue", origin="editor", locked=True)
    stored.field_sources.create(field_name="title", origin="editor", locked=True)

    report = publication_import_bibtex(text=PROVENANCE_ENTRY)

    assert [o.publication for o in report.merged] == [stored]
    sources = _sources(stored)
    # An editor's lock stays on a field the import filled; what it did not touch is unchanged.
    assert sources["venue"] == ("import", "bibtex", "lovelace43", True)
    assert sources["title"] == ("editor", "", "", True)
    assert sources["doi"] == ("import", "bibtex", "lovelace43", False)
    assert sources["volume"] == ("import", "bibtex", "lovelace43", False)
    assert "year" not in sources
    assert "kind" not in sources


def test_a_dry_run_records_no_provenance():
    publication_import_bibtex(text=PROVENANCE_ENTRY, dry_run=True)

    assert not FieldSource.objects.exists()


def test_provenance_costs_one_write_per_batch_of_works(django_assert_num_queries):
    def queries_for(entry_count: int) -> int:
        text = "\n".join(
            f"@article{{p{entry_count}-{n}, title={{Paper {entry_count} number {n}}}, "
            f"author={{Author {n}, A.}}, journal={{J}}, year={{2020}}}}"
            for n in range(entry_count)
        )
        with CaptureQueriesContext(connection) as queries:
            assert publication_import_bibtex(text=text).succeeded
        return sum("publications_fieldsource" in q["sql"] for q in queries.captured_queries)

    # Title, kind, year, venue, language and authors: six rows an entry.
    assert queries_for(3) == 1
    assert queries_for(60) == 1 + _provenance_batches(360) - _provenance_batches(18)


def test_an_imported_journal_version_records_the_cited_fields_it_replaced():
    preprint = PublicationFactory(
        title="Notes on the analytical engine",
        year=1943,
        kind=Publication.Kind.PREPRINT,
        venue="",
        abstract="",
    )

    publication_import_bibtex(text=PROVENANCE_ENTRY)

    preprint.refresh_from_db()
    assert preprint.kind == Publication.Kind.JOURNAL_ARTICLE
    sources = _sources(preprint)
    for name in ("kind", "venue", "volume", "doi"):
        assert sources[name] == ("import", "bibtex", "lovelace43", False), name
    assert "year" not in sources  # the same in both versions
