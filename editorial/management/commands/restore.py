"""Load a backup archive into an empty, migrated database."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from editorial.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into an empty database "
        "(migrations are applied first). The whole archive is checked before anything is "
        "written; if anything fails, nothing is."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options):
        if not archive.is_file():
            raise CommandError(_refused(_("there is no file at %(path)s.") % {"path": archive}))
        call_command("migrate", interactive=False, verbosity=0)
        try:
            counts = backup_restore(archive)
        except BackupError as error:
            raise CommandError(_refused(str(error))) from error
        self.stdout.write(
            _("Restored %(rows)s rows from %(path)s.")
            % {"rows": sum(counts.values()), "path": archive}
        )


def _refused(reason: str) -> str:
    return _("Nothing was restored: %(reason)s") % {"reason": reason}
