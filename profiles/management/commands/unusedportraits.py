"""List, or delete, the portrait files that no researcher and no stored version refers to."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from editorial.files import UNUSED_MIN_AGE, unused_files
from profiles.images import PORTRAIT_FOLDER
from profiles.portraits import portrait_storage


class Command(BaseCommand):
    help = (
        "List the portrait files that no researcher and no version in the history refers to "
        "(files younger than an hour are left alone: their save may be under way); "
        "--delete removes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="delete the files listed")
        parser.add_argument(
            "--min-age",
            type=int,
            default=int(UNUSED_MIN_AGE.total_seconds() // 60),
            help="minutes since a file was written before it may count as unused",
        )

    def handle(self, *args, delete: bool, min_age: int, **options):
        storage = portrait_storage()
        orphans = unused_files(storage, folder=PORTRAIT_FOLDER, min_age=timedelta(minutes=min_age))
        for name in orphans:
            if delete:
                storage.delete(name)
            self.stdout.write(name)
        if delete:
            message = ngettext(
                "%(count)s unused portrait file deleted.",
                "%(count)s unused portrait files deleted.",
                len(orphans),
            )
        else:
            message = ngettext(
                "%(count)s unused portrait file.", "%(count)s unused portrait files.", len(orphans)
            )
        self.stdout.write(message % {"count": len(orphans)})
        if orphans and not delete:
            self.stdout.write(_("Run again with --delete to remove them."))
