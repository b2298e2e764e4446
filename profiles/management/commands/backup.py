"""Write one archive with all the site's data and uploaded files."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from config.backup import backup_write


class Command(BaseCommand):
    help = (
        "Write a .tar.gz with every row (portable JSON) and every uploaded file, "
        "by default backups/directory-YYYYMMDD-HHMMSS.tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="where to write the archive")

    def handle(self, *args, output: Path | None, **options):
        if output is None:
            output = Path("backups") / f"directory-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        report = backup_write(output)
        rows = sum(report.rows.values())
        self.stdout.write(f"{rows} rows and {report.files} files written to {report.path}")
        self.stdout.write(str(report.path.resolve()))
