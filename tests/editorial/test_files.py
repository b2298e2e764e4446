"""Uploaded files in use: named by a file field of a row, or of a version in the history. Older
files that nothing names are left out of backups, wherever they lie in the media folder."""

import os
import tarfile
import time
from pathlib import Path

import pytest
import reversion
from django.conf import settings

from editorial.backup import backup_write
from editorial.files import file_is_referenced, file_names_in_use
from profiles.models import Researcher
from profiles.services import placeholder_portrait
from tests.factories import ResearcherFactory

pytestmark = pytest.mark.django_db

TWO_HOURS_AGO = time.time() - 2 * 3600


def write(name: str, *, old: bool) -> None:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(placeholder_portrait(initials="AB").read())
    if old:
        os.utime(path, (TWO_HOURS_AGO, TWO_HOURS_AGO))


def test_a_file_is_in_use_while_a_row_or_a_version_names_it():
    for name in ("portraits/then.png", "portraits/now.png"):
        write(name, old=True)
    researcher = ResearcherFactory()
    Researcher.objects.filter(pk=researcher.pk).update(portrait="portraits/then.png")
    with reversion.create_revision():
        reversion.add_to_revision(Researcher.objects.get(pk=researcher.pk))
    Researcher.objects.filter(pk=researcher.pk).update(portrait="portraits/now.png")

    assert file_is_referenced("portraits/then.png")
    assert file_is_referenced("portraits/now.png")
    assert not file_is_referenced("portraits/never.png")
    assert file_names_in_use() == {"portraits/then.png", "portraits/now.png"}


def test_a_backup_leaves_out_older_files_that_nothing_names_in_any_folder(tmp_path):
    write("portraits/used.png", old=True)
    Researcher.objects.filter(pk=ResearcherFactory().pk).update(portrait="portraits/used.png")
    write("exports/forgotten.png", old=True)
    write("exports/just-written.png", old=False)

    report = backup_write(tmp_path / "backup.tar.gz")

    with tarfile.open(tmp_path / "backup.tar.gz") as archive:
        media = sorted(name for name in archive.getnames() if name.startswith("media/"))
    assert media == ["media/exports/just-written.png", "media/portraits/used.png"]
    assert report.unused_files == ["exports/forgotten.png"]
