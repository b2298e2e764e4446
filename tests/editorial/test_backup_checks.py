"""A restore trusts no archive it has not checked whole: damaged, cut, edited or crafted
archives are refused with one line and leave the database empty; a byte that changes nothing
restores the very rows that were backed up."""

import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import reversion
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core import serializers
from django.core.management import CommandError, call_command
from django.utils import translation

from editorial.backup import backed_up_models, backup_write
from profiles.models import Researcher
from profiles.services import placeholder_portrait
from publications.models import Publication
from tests.factories import (
    ResearchTopicFactory,
    publication_with_authors,
    researcher_with_author,
)

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
ONE_LINE = re.compile(r"^Nothing was restored: [^\n]+[.:][^\n]*$")


@pytest.fixture(autouse=True)
def _english():
    """The operator's messages are checked word for word in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def dataset():
    """Topics, researchers with portraits and author records, publications, history, a user."""
    topics = [ResearchTopicFactory(name_fr=f"Thème {n} é", name_en=f"Topic {n}") for n in range(4)]
    researchers = []
    with reversion.create_revision():
        for n in range(8):
            researcher = researcher_with_author(given_name=f"Zoë{n}", family_name=f"Person{n}60")
            researcher.portrait.save(f"r{n}.png", placeholder_portrait(initials=f"Z{n}"))
            researcher.topics.set(topics[n % 4 : n % 4 + 2])
            reversion.add_to_revision(researcher)
            researchers.append(researcher)
    for n in range(20):
        authors = [researchers[(n + k) % 8].author for k in range(3)]
        publication = publication_with_authors(authors, title=f"Étude n° {n} — « réseaux »")
        publication.topics.set(topics[n % 3 : n % 3 + 1])
    editor = User.objects.create_user("marie", "marie@example.org", "a long passphrase")
    editor.groups.add(Group.objects.get(name="Editors"))


def every_row() -> dict:
    """Each backed-up model's rows, serialized with natural keys, in a stable order."""
    rows = {}
    for model in backed_up_models():
        data = serializers.serialize(
            "python",
            model._base_manager.order_by("pk"),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        for row in data:
            for name, value in row["fields"].items():
                if isinstance(value, list):
                    row["fields"][name] = sorted(value, key=str)
        text = [json.dumps(row, sort_keys=True, default=str) for row in data]
        rows[model._meta.label_lower] = sorted(text)
    return rows


def every_file() -> dict[str, str]:
    media = Path(settings.MEDIA_ROOT)
    return {
        path.relative_to(media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in media.rglob("*")
        if path.is_file()
    }


def database_empty_out() -> None:
    """Remove every backed-up row and every uploaded file, as a fresh database would be."""
    for model in reversed(backed_up_models()):
        model._base_manager.all().delete()
    for path in sorted(Path(settings.MEDIA_ROOT).rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def assert_nothing_restored() -> None:
    assert not Researcher.objects.exists()
    assert not Publication.objects.exists()
    assert not User.objects.exists()
    assert every_file() == {}


@pytest.fixture
def backup(dataset, tmp_path) -> tuple[Path, dict, dict]:
    """The archive of the dataset, the rows and files it was made from; the database emptied."""
    path = tmp_path / "backup.tar.gz"
    backup_write(path)
    rows, files = every_row(), every_file()
    assert len(rows["profiles.researcher"]) == 8
    assert len(files) == 8
    database_empty_out()
    return path, rows, files


def refused(path: Path) -> str:
    """The one line a restore of ``path`` ends with; it must end that way."""
    with pytest.raises(CommandError) as error:
        call_command("restore", str(path), stdout=io.StringIO())
    message = str(error.value)
    assert ONE_LINE.match(message), message
    assert_nothing_restored()
    return message


def restored(path: Path, rows: dict, files: dict) -> None:
    output = io.StringIO()
    call_command("restore", str(path), stdout=output)
    assert output.getvalue().startswith("Restored ")
    assert every_row() == rows
    assert every_file() == files


def members_of(path: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(path) as archive:
        return [(m, archive.extractfile(m).read()) for m in archive.getmembers()]


def repack(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    """A new archive beside ``path`` holding ``members`` (content None: no data, e.g. a link)."""
    target = path.with_name("repacked.tar.gz")
    with tarfile.open(target, "w:gz") as archive:
        for info, content in members:
            info = tarfile.TarInfo(info.name) if info.type == tarfile.REGTYPE else info
            if content is None:
                archive.addfile(info)
            else:
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    return target


def manifest_of(members) -> dict:
    return json.loads({m.name: content for m, content in members}["manifest.json"])


# One flipped byte ----------------------------------------------------------------------------


def flip_positions(archive: bytes) -> dict[int, bool]:
    """40 positions spread over the archive, each with whether gzip ignores that byte."""
    assert archive[:3] == b"\x1f\x8b\x08"
    assert archive[3] == 0x08  # tarfile names the file in the header, and nothing else.
    header_end = archive.index(b"\0", 10) + 1
    data_end = len(archive) - 8
    ignored = [4, 5, 6, 7, 8, 9, 10, 11, header_end - 2]  # time, flags, system, name
    noticed = [0, 1, 2, 3, header_end - 1]  # magic, method, flags, end of the name
    noticed += [header_end, header_end + 1, header_end + 2, header_end + 3, header_end + 10]
    step = (data_end - header_end - 40) // 10
    noticed += [header_end + 20 + step * k for k in range(1, 10)]  # the middle
    noticed += [data_end - 10, data_end - 3, data_end - 2, data_end - 1]  # data's end
    noticed += list(range(data_end, data_end + 8))  # CRC and length
    positions = {**dict.fromkeys(noticed, False), **dict.fromkeys(ignored, True)}
    assert len(positions) == 40
    return positions


def test_one_flipped_byte_anywhere_is_refused_or_changes_nothing(backup, tmp_path):
    path, rows, files = backup
    original = path.read_bytes()
    outcomes = []
    for position, ignored in sorted(flip_positions(original).items()):
        damaged = bytearray(original)
        damaged[position] ^= 0xFF
        target = tmp_path / f"flipped-{position}.tar.gz"
        target.write_bytes(damaged)
        if ignored:
            restored(target, rows, files)
            database_empty_out()
            outcomes.append("restored")
        else:
            outcomes.append(refused(target))
    assert outcomes.count("restored") == 9
    assert set(outcomes) - {"restored"} <= {
        "Nothing was restored: the file is not a backup: it is not a gzip archive.",
        "Nothing was restored: the archive is damaged: its compressed data fails gzip's check.",
        "Nothing was restored: the archive is incomplete: "
        "it stops before the end of its compressed data.",
    }


def test_a_damaged_archive_gives_one_line_and_no_traceback_to_the_operator(backup, tmp_path):
    path, _rows, _files = backup
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    path.write_bytes(damaged)
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'target.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "restored-media"),
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(path)],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("CommandError: ")
    assert result.stdout == ""
    assert not (tmp_path / "restored-media").exists()


# Cut, foreign or edited archives ---------------------------------------------------------


@pytest.mark.parametrize(
    ("keep", "message"),
    [
        (0, "the file is not a backup: it is not a gzip archive."),
        (2, "the archive is incomplete: it stops before the end of its compressed data."),
        (0.5, "the archive is incomplete: it stops before the end of its compressed data."),
        (-4, "the archive is incomplete: it stops before the end of its compressed data."),
    ],
    ids=["empty", "magic-only", "half", "without-length"],
)
def test_a_truncated_archive_is_refused(backup, keep, message):
    path, _rows, _files = backup
    content = path.read_bytes()
    cut = int(len(content) * keep) if isinstance(keep, float) else keep % len(content)
    path.write_bytes(content[:cut])

    assert refused(path) == f"Nothing was restored: {message}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 a zip file", "the file is not a backup: it is not a gzip archive."),
        (b"Just some notes.\n", "the file is not a backup: it is not a gzip archive."),
        (
            gzip.compress(b"not a tar file " * 100),
            "the archive holds no tar file that can be read.",
        ),
    ],
    ids=["zip", "text", "gzip-of-text"],
)
def test_a_file_that_is_not_a_backup_is_refused(db, tmp_path, content, message):
    path = tmp_path / "backup.tar.gz"
    path.write_bytes(content)

    assert refused(path) == f"Nothing was restored: {message}"


def test_data_after_the_end_of_the_archive_is_refused(backup):
    path, _rows, _files = backup
    path.write_bytes(path.read_bytes() + gzip.compress(b"appended"))

    assert refused(path) == ("Nothing was restored: the archive has unexpected data after its end.")


def test_a_tar_without_manifest_is_refused(backup):
    path, _rows, _files = backup
    members = [(m, data) for m, data in members_of(path) if m.name != "manifest.json"]

    assert refused(repack(path, members)) == (
        "Nothing was restored: the archive has no manifest.json: it is not a backup of this site."
    )


def test_an_edited_member_whose_manifest_looks_right_is_refused(backup):
    path, _rows, _files = backup
    members = members_of(path)
    researchers = next(name for m, _ in members if "profiles.researcher" in (name := m.name))
    edited = [
        (m, data.replace(b"Person560", b"Person960") if m.name == researchers else data)
        for m, data in members
    ]
    assert edited != members

    assert refused(repack(path, edited)) == (
        f"Nothing was restored: {researchers} does not match its checksum."
    )


def test_an_extra_member_is_refused(backup):
    path, _rows, _files = backup
    members = members_of(path)
    members.append((tarfile.TarInfo("media/portraits/extra.png"), b"\x89PNG extra"))

    assert refused(repack(path, members)) == (
        "Nothing was restored: the archive holds media/portraits/extra.png, "
        "which its manifest does not list."
    )


def test_a_missing_member_is_refused(backup):
    path, _rows, _files = backup
    members = [(m, data) for m, data in members_of(path) if m.name != "media/portraits/r3.png"]

    assert refused(repack(path, members)) == (
        "Nothing was restored: media/portraits/r3.png is in the manifest "
        "but missing from the archive."
    )


def test_a_member_twice_is_refused(backup):
    path, _rows, _files = backup
    members = members_of(path)
    members.append(members[-1])

    assert refused(repack(path, members)) == (
        f"Nothing was restored: the archive holds {members[-1][0].name} twice."
    )


def crafted(kind: str) -> tarfile.TarInfo:
    if kind == "absolute":
        return tarfile.TarInfo("/etc/cron.d/backup")
    if kind == "parent":
        return tarfile.TarInfo("media/../../outside.txt")
    if kind == "elsewhere":
        return tarfile.TarInfo("config/settings/prod.py")
    info = tarfile.TarInfo("media/portraits/link.png")
    info.type = {"symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE}.get(kind, tarfile.DIRTYPE)
    info.linkname = "/etc/passwd"
    return info


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("absolute", "the archive holds an entry with an unsafe name: /etc/cron.d/backup."),
        ("parent", "the archive holds an entry with an unsafe name: media/../../outside.txt."),
        ("elsewhere", "the archive holds config/settings/prod.py, which is not part of a backup."),
        (
            "symlink",
            "the archive holds media/portraits/link.png, which is not a plain file "
            "(a link or a folder).",
        ),
        (
            "hardlink",
            "the archive holds media/portraits/link.png, which is not a plain file "
            "(a link or a folder).",
        ),
        (
            "folder",
            "the archive holds media/portraits/link.png, which is not a plain file "
            "(a link or a folder).",
        ),
    ],
)
def test_an_unsafe_member_is_refused_before_anything_is_written(backup, tmp_path, kind, message):
    path, _rows, _files = backup
    info = crafted(kind)
    members = [(info, b"* * * * * root sh\n" if info.isreg() else None), *members_of(path)]

    assert refused(repack(path, members)) == f"Nothing was restored: {message}"
    assert not Path("/etc/cron.d/backup").exists()
    assert not (tmp_path / "outside.txt").exists()


def test_an_archive_larger_than_the_limit_is_refused(backup, settings):
    path, _rows, _files = backup
    settings.BACKUP_RESTORE_MAX_BYTES = 100_000

    assert refused(path) == (
        "Nothing was restored: the archive unpacks to more than 97.7\xa0KB, the most a restore "
        "accepts (BACKUP_RESTORE_MAX_BYTES)."
    )


def test_a_member_declaring_a_huge_size_is_refused(backup, settings):
    path, _rows, _files = backup
    settings.BACKUP_RESTORE_MAX_BYTES = 10 * 1024 * 1024
    members = members_of(path)
    members.insert(1, (tarfile.TarInfo("media/portraits/huge.png"), bytes(11 * 1024 * 1024)))

    assert refused(repack(path, members)).startswith(
        "Nothing was restored: the archive unpacks to more than 10.0\xa0MB"
    )


# The manifest ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: "[not json", "manifest.json is not valid JSON."),
        (lambda m: [], "manifest.json is malformed: “format” is missing or wrong."),
        (
            lambda m: {**m, "format": "2"},
            "manifest.json is malformed: “format” is missing or wrong.",
        ),
        (lambda m: {**m, "rows": None}, "manifest.json is malformed: “rows” is missing or wrong."),
        (
            lambda m: {**m, "data": ["x.json"]},
            "manifest.json is malformed: “data” is missing or wrong.",
        ),
        (
            lambda m: {**m, "members": [{**m["members"][0], "sha256": "0"}, *m["members"][1:]]},
            "manifest.json is malformed: “members[0]” is missing or wrong.",
        ),
        (
            lambda m: {k: v for k, v in m.items() if k != "members"},
            "manifest.json is malformed: “members” is missing or wrong.",
        ),
        (
            lambda m: {**m, "format": 3},
            "the archive is in format 3, which this version of the site cannot read "
            "(it reads formats 1, 2).",
        ),
    ],
    ids=["not-json", "a-list", "format-text", "rows", "data", "hash", "no-members", "newer"],
)
def test_a_malformed_manifest_is_refused(backup, change, message):
    path, _rows, _files = backup
    members = members_of(path)
    manifest = change(manifest_of(members))
    content = manifest if isinstance(manifest, str) else json.dumps(manifest)
    members = [(m, content.encode() if m.name == "manifest.json" else d) for m, d in members]

    assert refused(repack(path, members)) == f"Nothing was restored: {message}"


def test_an_archive_of_the_previous_format_still_restores(backup):
    """Format 1 hashed only the uploaded files; gzip's CRC covers its data files."""
    path, rows, files = backup
    members = members_of(path)
    manifest = manifest_of(members)
    older = {
        "format": 1,
        "created": manifest["created"],
        "django": manifest["django"],
        "data": manifest["data"],
        "rows": manifest["rows"],
        "media": [
            {"path": e["name"].removeprefix("media/"), "size": e["size"], "sha256": e["sha256"]}
            for e in manifest["members"]
            if e["name"].startswith("media/")
        ],
    }
    members = [(m, d) for m, d in members if m.name != "manifest.json"]
    members.append((tarfile.TarInfo("manifest.json"), json.dumps(older).encode()))

    restored(repack(path, members), rows, files)


def test_the_manifest_lists_every_member_with_its_size_and_hash(backup):
    path, _rows, _files = backup
    members = members_of(path)
    manifest = manifest_of(members)

    assert members[0][0].name == "manifest.json"
    listed = {entry["name"]: entry for entry in manifest["members"]}
    assert set(listed) == {m.name for m, _ in members[1:]}
    for member, content in members[1:]:
        assert listed[member.name]["size"] == len(content)
        assert listed[member.name]["sha256"] == hashlib.sha256(content).hexdigest()
    assert manifest["data"] == sorted(n for n in listed if n.startswith("data/"))
