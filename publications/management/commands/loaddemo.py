"""Load the demo profile (Razvan Pascanu, his topics and publications); safe to run again."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext, ngettext

from publications.services.demo import DemoLoadReport, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo researcher profile with its topics and publications: creates what is "
        "missing and never changes a row that exists, so editors' changes stay."
    )

    def handle(self, *args, **options) -> None:
        # The history's comment is written in the site's language, for editors.
        try:
            report = demo_load()
        except ValidationError as error:
            with translation.override("en"):
                message = gettext("The demo cannot be loaded, nothing was changed: %(reason)s")
            raise CommandError(message % {"reason": " ".join(error.messages)}) from error
        with translation.override("fr"):
            french_url = report.researcher.get_absolute_url()
        # Operators read the command's output in English, like the rest of manage.py.
        with translation.override("en"):
            self._summary(report)
            self.stdout.write(gettext("French profile page: %(url)s") % {"url": french_url})
            self.stdout.write(
                gettext("English profile page: %(url)s")
                % {"url": report.researcher.get_absolute_url()}
            )

    def _summary(self, report: DemoLoadReport) -> None:
        if not report.changed:
            self.stdout.write(gettext("Demo already present: nothing changed."))
            return
        self.stdout.write(
            self.style.SUCCESS(
                gettext("Demo: added %(items)s.") % {"items": ", ".join(added_items(report))}
            )
        )
        if report.publications and len(report.publications) < report.publication_count:
            titles = "; ".join(f"“{publication.title}”" for publication in report.publications)
            self.stdout.write(
                gettext("These demo publications were missing and were added again: %(titles)s")
                % {"titles": titles}
            )


def added_items(report: DemoLoadReport) -> list[str]:
    """What the load added, kind by kind ("11 publications"), leaving out what it did not."""
    counts = [
        (
            report.topics,
            ngettext("%(count)d research topic", "%(count)d research topics", report.topics),
        ),
        (report.researcher_created, gettext("1 researcher")),
        (
            len(report.publications),
            ngettext("%(count)d publication", "%(count)d publications", len(report.publications)),
        ),
        (
            report.versions,
            ngettext("%(count)d other version", "%(count)d other versions", report.versions),
        ),
        (report.authors, ngettext("%(count)d author", "%(count)d authors", report.authors)),
    ]
    return [text % {"count": int(count)} for count, text in counts if count]
