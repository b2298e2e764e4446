"""Load a backup archive into an empty, migrated database."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from config.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into an empty database "
        "(migrations are applied first); nothing is written if anything fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options):
        if not archive.is_file():
            raise CommandError(f"No backup at {archive}.")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            counts = backup_restore(archive)
        except BackupError as error:
            raise CommandError(f"{error} Nothing was restored.") from error
        self.stdout.write(f"Restored {sum(counts.values())} rows from {archive}.")
