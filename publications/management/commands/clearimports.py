"""Delete the BibTeX imports abandoned for a day, and the reports of those finished a day ago."""

from django.core.management.base import BaseCommand

from publications.tasks import expire_imports


class Command(BaseCommand):
    help = (
        "Delete the pending BibTeX imports nobody touched for a day (their text may weigh "
        "20 MB) and the reports of the import tasks that finished a day ago. The task worker "
        "and each new import do it too; run this from cron where no worker runs."
    )

    def handle(self, *args, **options):
        count = expire_imports()
        self.stdout.write(f"{count} abandoned BibTeX imports deleted.")
