"""manage.py harvest: read researchers' publications from public sources into the review inbox."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from profiles.models import Researcher

from ...models import HarvestRun
from ...people import person_of
from ...services.runs import (
    ResearcherHarvest,
    SourceSummary,
    adapters_load,
    harvest_run,
    has_identifier,
    researchers_to_harvest,
)
from ...sources import SOURCES


class Command(BaseCommand):
    # Plain text, as the project's other commands: argparse reads it before any language is
    # chosen.
    help = (
        "Read the publications of researchers with an identifier (ORCID iD, OpenAlex or DBLP "
        "id) from public sources, and stage what is new or changed for editors to review."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--researcher", metavar="SLUG", help=_("Only this researcher (their profile's slug).")
        )
        parser.add_argument(
            "--source",
            metavar="NAME",
            nargs="+",
            action="extend",
            dest="sources",
            help=_("Only these sources: %(names)s.") % {"names": ", ".join(SOURCES)},
        )
        parser.add_argument(
            "--since",
            metavar="YYYY-MM-DD",
            help=_("Only works the sources changed on or after this day, where they can tell."),
        )

    def handle(self, *args, researcher=None, sources=None, since=None, **options):
        names = self._sources(sources)
        since_day = self._since(since)
        researchers = self._researchers(researcher)
        adapters, failures = adapters_load(names)
        for message in failures.values():
            self.stderr.write(message)
        run = HarvestRun.objects.create(
            researcher=researchers[0] if researcher else None,
            sources=list(sources or []),
            since=since_day,
        )
        summary = harvest_run(
            run=run,
            researchers=researchers,
            adapters=adapters,
            failures=failures,
            since=since_day,
            progress=self._progress,
        )
        self._summary(summary, len(researchers))

    def _researchers(self, slug: str | None) -> list[Researcher]:
        if slug is None:
            return researchers_to_harvest(Researcher.objects.all())
        researcher = Researcher.objects.filter(slug=slug).first()
        if researcher is None:
            raise CommandError(_("No researcher has the slug “%(slug)s”.") % {"slug": slug})
        if not has_identifier(person_of(researcher)):
            raise CommandError(
                _(
                    "%(name)s has no identifier the sources read (ORCID iD, OpenAlex or DBLP "
                    "id): add one to their profile first."
                )
                % {"name": researcher.full_name}
            )
        return [researcher]

    @staticmethod
    def _sources(names: list[str] | None) -> list[str]:
        if not names:
            return list(SOURCES)
        unknown = [name for name in names if name not in SOURCES]
        if unknown:
            raise CommandError(
                _("Unknown source “%(name)s”: choose among %(names)s.")
                % {"name": unknown[0], "names": ", ".join(SOURCES)}
            )
        return list(dict.fromkeys(names))

    @staticmethod
    def _since(value: str | None) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                _("--since takes a date such as 2024-01-31, not “%(value)s”.") % {"value": value}
            ) from None

    def _progress(self, harvested: ResearcherHarvest) -> None:
        report = harvested.report
        self.stdout.write(
            _("%(name)s: found %(found)d, new %(new)d, updated %(updated)d, errors %(errors)d")
            % {
                "name": harvested.researcher.full_name,
                "found": report.found,
                "new": report.new,
                "updated": report.updated + report.citations_updated,
                "errors": len(harvested.errors),
            }
        )
        for _source, message in harvested.errors:
            self.stderr.write(f"  {message}")
        for problem in report.problems:
            self.stderr.write(f"  {problem}")

    def _summary(self, summary: dict[str, SourceSummary], researcher_count: int) -> None:
        headers = [
            pgettext("harvest summary", "source"),
            pgettext("harvest summary", "found"),
            pgettext("harvest summary", "new"),
            pgettext("harvest summary", "updated"),
            pgettext("harvest summary", "errors"),
        ]
        rows = [
            [name, counts.found, counts.new, counts.updated, len(counts.errors)]
            for name, counts in summary.items()
        ]
        totals = [sum(row[index] for row in rows) for index in range(1, 5)]
        rows.append([pgettext("harvest summary", "total"), *totals])
        widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(5)]
        for row in [headers, *rows]:
            cells = [str(row[0]).ljust(widths[0])]
            cells += [
                str(value).rjust(width) for value, width in zip(row[1:], widths[1:], strict=True)
            ]
            self.stdout.write("  ".join(cells))
        self.stdout.write(
            ngettext(
                "Harvest finished: %(count)d researcher.",
                "Harvest finished: %(count)d researchers.",
                researcher_count,
            )
            % {"count": researcher_count}
        )
