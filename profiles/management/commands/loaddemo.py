"""Load the demo profile (Razvan Pascanu, his topics and publications); safe to run again."""

from django.core.management.base import BaseCommand
from django.utils import translation

from profiles.services import demo_load


class Command(BaseCommand):
    help = "Load the demo researcher profile with its topics and publications (idempotent)."

    def handle(self, *args, **options) -> None:
        report = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {report.researcher.full_name}, {report.topic_count} topics, "
                f"{report.publication_count} publications."
            )
        )
        with translation.override("fr"):
            self.stdout.write(f"French profile page: {report.researcher.get_absolute_url()}")
        with translation.override("en"):
            self.stdout.write(f"English profile page: {report.researcher.get_absolute_url()}")
