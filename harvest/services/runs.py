"""A harvest run: for each researcher, every source asked for is read, the works are completed
by Crossref (by DOI) and arXiv (by arXiv id), and staged; a source that fails is reported and
the others go on."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from profiles.models import Researcher

from ..models import HarvestRun
from ..people import person_of
from ..sources import COMPLETERS, SourceUnavailableError, source_load
from ..sources.base import HarvestedWork, Person, Source, SourceError
from .staging import StagingReport, stage_works


@dataclass
class SourceSummary:
    """What one source gave in a run: works found, candidates new and updated (and citation
    counts refreshed), and its errors."""

    found: int = 0
    new: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "found": self.found,
            "new": self.new,
            "updated": self.updated,
            "errors": self.errors,
        }


@dataclass
class ResearcherHarvest:
    """One researcher's part of a run."""

    researcher: Researcher
    report: StagingReport
    errors: list[tuple[str, str]] = field(default_factory=list)  # (source, message)


def has_identifier(person: Person) -> bool:
    return any((person.orcid, person.openalex_id, person.dblp_pid, person.semantic_scholar_id))


def researchers_to_harvest(researchers: QuerySet[Researcher]) -> list[Researcher]:
    """The researchers with at least one identifier a source reads, published or not (a
    profile being prepared gets its publications ready too)."""
    return [r for r in researchers.order_by("sort_name", "pk") if has_identifier(person_of(r))]


def adapters_load(names: Iterable[str]) -> tuple[dict[str, Source], dict[str, str]]:
    """The adapters of these sources, and the message of each that cannot be loaded."""
    adapters, failures = {}, {}
    for name in names:
        try:
            adapters[name] = source_load(name)
        except SourceUnavailableError as error:
            failures[name] = str(error)
    return adapters, failures


def harvest_run(
    *,
    run: HarvestRun,
    researchers: list[Researcher],
    adapters: dict[str, Source],
    failures: dict[str, str],
    since: date | None,
    progress: Callable[[ResearcherHarvest], None],
) -> dict[str, SourceSummary]:
    """Harvest each researcher (one transaction each), tell ``progress`` after each, and record
    the summary per source on ``run``."""
    summary = {name: SourceSummary() for name in [*adapters, *failures]}
    for name, message in failures.items():
        summary[name].errors.append(message)
    try:
        for researcher in researchers:
            harvested = researcher_harvest(researcher=researcher, adapters=adapters, since=since)
            _add(summary, harvested)
            progress(harvested)
    finally:
        for adapter in adapters.values():
            if callable(close := getattr(adapter, "close", None)):
                close()
        run.researcher_count = len(researchers)
        run.summary = {name: counts.as_json() for name, counts in summary.items()}
        run.finished_at = timezone.now()
        run.save()
    return summary


def _add(summary: dict[str, SourceSummary], harvested: ResearcherHarvest) -> None:
    for source, counts in harvested.report.by_source.items():
        total = summary.setdefault(source, SourceSummary())
        total.found += counts.found
        total.new += counts.new
        total.updated += counts.updated
    for source, message in harvested.errors:
        summary.setdefault(source, SourceSummary()).errors.append(
            f"{harvested.researcher.full_name}: {message}"
        )


def researcher_harvest(
    *, researcher: Researcher, adapters: dict[str, Source], since: date | None
) -> ResearcherHarvest:
    """Read every source for ``researcher``, complete what they found, and stage it. A source
    that fails gives nothing for this researcher (not part of its answer) and is reported."""
    person = person_of(researcher)
    works: list[HarvestedWork] = []
    errors: list[tuple[str, str]] = []
    for name, adapter in adapters.items():
        try:
            works += list(adapter.works_of(person, since=since))
        except SourceError as error:
            errors.append((name, named(name, error)))
    works += completions(works, adapters, errors)
    report = stage_works(researcher=researcher, works=works)
    return ResearcherHarvest(researcher, report, errors)


def completions(
    works: list[HarvestedWork], adapters: dict[str, Source], errors: list[tuple[str, str]]
) -> list[HarvestedWork]:
    """What Crossref and arXiv (when asked for) know of the works others found, by DOI and by
    arXiv id: each identifier asked for once, and not when the source itself found it."""
    completed = []
    for name, identifier in COMPLETERS.items():
        if (adapter := adapters.get(name)) is None:
            continue
        found_there = {getattr(work, identifier) for work in works if work.source == name}
        wanted: dict[str, HarvestedWork] = {}
        for work in works:
            value = getattr(work, identifier)
            if value and value not in found_there:
                wanted.setdefault(value, work)
        answers = _complete(adapter, list(wanted.values()), name, errors)
        completed += [answer for answer in answers if answer is not None]
    return completed


def _complete(
    adapter: Source, works: list[HarvestedWork], name: str, errors: list[tuple[str, str]]
) -> list[HarvestedWork | None]:
    """The adapter's answers, in batches where it can; after an error, the answers it gave."""
    if not works:
        return []
    answers: list[HarvestedWork | None] = []
    try:
        if callable(complete_many := getattr(adapter, "complete_many", None)):
            return complete_many(works)
        for work in works:
            answers.append(adapter.complete(work))
    except SourceError as error:
        errors.append((name, named(name, error)))
    return answers


def named(source: str, error: Exception) -> str:
    """The error's message, starting with the source's name (the adapters' messages do)."""
    message = str(error)
    return message if message.startswith(f"{source}:") else f"{source}: {message}"
