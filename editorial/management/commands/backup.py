"""Write one archive with all the site's data and uploaded files."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from editorial.backup import backup_write


class Command(BaseCommand):
    help = (
        "Write a .tar.gz with every row (portable JSON) and every uploaded file in use, "
        "by default backups/directory-YYYYMMDD-HHMMSS.tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="where to write the archive")

    def handle(self, *args, output: Path | None, **options):
        if output is None:
            output = Path("backups") / f"directory-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        report = backup_write(output)
        rows = sum(report.rows.values())
        self.stdout.write(
            _("%(rows)s rows and %(files)s files written to %(path)s")
            % {"rows": rows, "files": report.files, "path": report.path}
        )
        if report.unused_files:
            count = len(report.unused_files)
            self.stdout.write(
                ngettext(
                    "%(count)s uploaded file that nothing refers to was left out.",
                    "%(count)s uploaded files that nothing refers to were left out.",
                    count,
                )
                % {"count": count}
            )
        self.stdout.write(str(report.path.resolve()))
