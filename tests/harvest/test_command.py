"""manage.py harvest as an operator runs it: every researcher with an identifier, every source
(or those asked for), a line per researcher and a summary; a failing source is reported while
the others go on, and a bad argument stops the run before it starts.

The sources here are small classes over in-memory works, registered for the test as the real
adapters are (the adapters have their own tests against local HTTP servers)."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from harvest.models import Candidate, HarvestRun
from harvest.sources import SOURCES
from harvest.sources.base import HarvestedWork, Person, SourceError
from tests.factories import ResearcherFactory
from tests.harvest.harvested import DOI, TITLE, harvested

pytestmark = pytest.mark.django_db

ORCID = "0000-0002-1825-0097"
OTHER_ORCID = "0000-0001-5109-3700"


class ListedSource:
    """A source that knows the works of each ORCID iD it is given."""

    name = "listed"
    works: dict[str, list[HarvestedWork]] = {}
    asked_since: list[date | None] = []

    def works_of(self, person: Person, *, since: date | None = None):
        self.asked_since.append(since)
        return iter(self.works.get(person.orcid, []))

    def complete(self, work: HarvestedWork) -> HarvestedWork | None:
        return None


class FailingSource:
    """A source that is down."""

    name = "failing"

    def works_of(self, person: Person, *, since: date | None = None):
        raise SourceError("failing: 503 Service Unavailable, 3 attempts")

    def complete(self, work: HarvestedWork) -> HarvestedWork | None:
        raise SourceError("failing: 503 Service Unavailable, 3 attempts")


class DoiRegistry:
    """Completes works by DOI, as Crossref does."""

    name = "crossref"
    records: dict[str, HarvestedWork] = {}

    def works_of(self, person: Person, *, since: date | None = None):
        return iter(())

    def complete(self, work: HarvestedWork) -> HarvestedWork | None:
        return self.records.get(work.doi)


@pytest.fixture
def sources(monkeypatch):
    """The registry holds the sources of this module only, and they know no works yet."""
    for name in list(SOURCES):
        monkeypatch.delitem(SOURCES, name)
    here = __name__
    monkeypatch.setitem(SOURCES, "listed", f"{here}.ListedSource")
    monkeypatch.setitem(SOURCES, "failing", f"{here}.FailingSource")
    monkeypatch.setitem(SOURCES, "crossref", f"{here}.DoiRegistry")
    monkeypatch.setattr(ListedSource, "works", {})
    monkeypatch.setattr(ListedSource, "asked_since", [])
    monkeypatch.setattr(DoiRegistry, "records", {})
    return SOURCES


@pytest.fixture
def ada():
    researcher = ResearcherFactory(
        given_name="Ada", family_name="Lovelace", slug="ada-lovelace", orcid=ORCID
    )
    ListedSource.works[ORCID] = [
        harvested("listed", "1", doi=DOI),
        harvested("listed", "2", title="Sketch of the analytical engine", year=1843),
    ]
    return researcher


def harvest(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("harvest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def summary_row(output: str, source: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.split()[:1] == [source])


def test_a_failing_source_is_reported_and_the_others_go_on(sources, ada):
    out, err = harvest("--source", "failing", "listed")

    assert Candidate.objects.count() == 2
    assert "Ada Lovelace: found 2, new 2, updated 0, errors 1" in out
    assert "  failing: 503 Service Unavailable, 3 attempts" in err
    assert summary_row(out, "failing") == ["failing", "0", "0", "0", "1"]
    assert summary_row(out, "listed") == ["listed", "2", "2", "0", "0"]
    run = HarvestRun.objects.get()
    assert run.finished_at is not None
    assert run.summary["failing"]["errors"] == [
        "Ada Lovelace: failing: 503 Service Unavailable, 3 attempts"
    ]


def test_a_source_whose_adapter_cannot_be_imported_is_reported(sources, ada):
    sources["missing"] = "tests.harvest.no_such_module.Source"

    out, err = harvest("--source", "missing", "listed")

    assert "The adapter of missing cannot be loaded" in err
    assert summary_row(out, "missing") == ["missing", "0", "0", "0", "1"]
    assert Candidate.objects.count() == 2


def test_works_are_completed_by_doi_and_staged_as_one(sources, ada):
    DoiRegistry.records[DOI] = harvested("crossref", DOI, doi=DOI, volume="28")

    out, _err = harvest("--source", "listed", "crossref")

    candidate = Candidate.objects.get(doi=DOI)
    assert sorted(candidate.sources.values_list("source", flat=True)) == ["crossref", "listed"]
    assert candidate.fields["volume"] == "28"
    assert summary_row(out, "crossref") == ["crossref", "1", "1", "0", "0"]


def test_every_researcher_with_an_identifier_is_harvested_with_a_line_each(sources, ada):
    ResearcherFactory(given_name="Charles", family_name="Babbage", orcid=OTHER_ORCID)
    ResearcherFactory(given_name="No", family_name="Identifier", orcid="")
    ListedSource.works[OTHER_ORCID] = [harvested("listed", "3", title="Passages from the life")]

    out, _err = harvest("--source", "listed")

    assert "Ada Lovelace: found 2, new 2" in out
    assert "Charles Babbage: found 1, new 1" in out
    assert "No Identifier" not in out
    assert summary_row(out, "total") == ["total", "3", "3", "0", "0"]
    assert "Harvest finished: 2 researchers." in out
    assert HarvestRun.objects.get().researcher_count == 2


def test_a_second_run_with_the_same_answers_proposes_nothing(sources, ada):
    harvest("--source", "listed")

    out, _err = harvest("--source", "listed")

    assert "Ada Lovelace: found 2, new 0, updated 0, errors 0" in out
    assert Candidate.objects.count() == 2


def test_one_researcher_and_a_day_since_which_to_read(sources, ada):
    ResearcherFactory(orcid=OTHER_ORCID)

    harvest("--researcher", "ada-lovelace", "--source", "listed", "--since", "2024-01-31")

    assert ListedSource.asked_since == [date(2024, 1, 31)]
    run = HarvestRun.objects.get()
    assert (run.researcher, run.sources, run.since) == (ada, ["listed"], date(2024, 1, 31))
    assert Candidate.objects.filter(researcher=ada).count() == 2
    assert TITLE in Candidate.objects.values_list("title", flat=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--researcher", "nobody"], "No researcher has the slug “nobody”."),
        (["--source", "listed", "scholar"], "Unknown source “scholar”: choose among listed"),
        (["--since", "31/01/2024"], "--since takes a date such as 2024-01-31, not “31/01/2024”."),
    ],
    ids=["unknown researcher", "unknown source", "malformed date"],
)
def test_a_bad_argument_stops_the_run_with_a_clear_message(sources, ada, args, message):
    with pytest.raises(CommandError, match=message):
        harvest(*args)

    assert not HarvestRun.objects.exists()


def test_a_researcher_asked_for_without_an_identifier_is_a_clear_error(sources):
    ResearcherFactory(given_name="No", family_name="Identifier", slug="no-identifier", orcid="")

    with pytest.raises(CommandError, match="No Identifier has no identifier the sources read"):
        harvest("--researcher", "no-identifier")
