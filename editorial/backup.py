"""One archive with all the site's data and uploaded files, portable between databases.

The archive (``.tar.gz``, format 2) holds:

- ``manifest.json``, first: format version, date, Django version, rows per model, the data
  files in the order they load, and every other member with its size and SHA-256;
- ``data/NN-app.model.json``: each model's rows in Django's JSON serialization, in an order that
  loads (users before the revisions they signed...), with times to the microsecond. Users,
  groups and permissions are named by their natural keys, so the archive loads into any
  freshly migrated database, SQLite or PostgreSQL;
- ``media/...``: the uploaded files that a row or a version of one refers to, and those
  written in the last hour (see :mod:`editorial.files`).

Sessions, sign-in attempts, pending BibTeX previews, background tasks and the rows migrations
create themselves (content types, permissions) are left out.

Restoring trusts nothing before it has checked everything: the whole compressed stream is read
to its end (so gzip's CRC and length are checked), every member must be a plain file with a
safe name, listed in the manifest with its size and hash, and the manifest itself must be
well-formed. Only then are the rows loaded into an empty database, in one transaction, so a
failed check or load leaves nothing behind. Archives of format 1 (which hashed only the
uploaded files) are still read: gzip's CRC covers their data files.
"""

import hashlib
import json
import re
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from pathlib import Path

import django
import reversion
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .files import unused_files

FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)
MANIFEST = "manifest.json"
# What a backup leaves out: rows that migrations recreate, passing state, and what the database
# counts again from the rows it loads (each researcher's counts: triggers of publications'
# migration 0021).
EXCLUDED = {
    "publications.researcheryearcount",
    "publications.researchertopiccount",
    "publications.coauthorcount",
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "axes.accessattemptexpiration",
    "publications.pendingimport",
    "django_tasks_database.dbtaskresult",
}
# What a restore unpacks at most, in all (BACKUP_RESTORE_MAX_BYTES overrides it): an archive
# that claims more is refused before anything is written, whatever its members declare.
RESTORE_MAX_BYTES = 20 * 1024**3
RESTORE_MAX_MEMBERS = 100_000
# The manifest is read into memory whole.
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 20
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


class FullPrecisionJSONEncoder(DjangoJSONEncoder):
    """Django's JSON, with times to the microsecond: Django's own encoder keeps milliseconds,
    so a restored row would differ from the one backed up."""

    def default(self, o):
        if isinstance(o, (datetime, time)):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class BackupError(Exception):
    """A backup cannot be restored; the message says why, for the operator, in one line."""


@dataclass
class BackupReport:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    # Uploaded files that nothing refers to any more, left out of the archive.
    unused_files: list[str] = field(default_factory=list)


@dataclass
class Member:
    """One file of the archive: its name inside it, and where its bytes are."""

    name: str
    path: Path

    def entry(self) -> dict:
        return {"name": self.name, "size": self.path.stat().st_size, "sha256": _sha256(self.path)}


def backed_up_models() -> list[type[models.Model]]:
    """Every model whose rows a backup holds, in an order in which they load."""
    chosen = [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in EXCLUDED and not model._meta.proxy and model._meta.managed
    ]
    ordered = serializers.sort_dependencies([(None, chosen)], allow_cycles=True)
    return [model for model in ordered if model in chosen]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


# Writing ---------------------------------------------------------------------------------


def backup_write(path: Path) -> BackupReport:
    """Write the archive at ``path`` (its folder is created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    report = BackupReport(path=path)
    with tempfile.TemporaryDirectory() as scratch:
        # Every model is read in one transaction: on PostgreSQL a repeatable-read snapshot, on
        # SQLite one read transaction, so rows saved meanwhile cannot leave an archive whose
        # rows do not load together.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            data = _data_write(Path(scratch), report)
            media = _media_members(report)
        report.files = len(media)
        manifest = {
            "format": FORMAT_VERSION,
            "created": datetime.now(tz=timezone.utc).isoformat(),
            "django": django.get_version(),
            "rows": report.rows,
            "data": [member.name for member in data],
            "members": [member.entry() for member in [*data, *media]],
        }
        manifest_path = Path(scratch) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        # Written beside its final name and renamed when complete, so an interrupted backup
        # never leaves a partial archive that looks like a finished one.
        partial = path.with_name(f".{path.name}.partial")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                for member in [Member(MANIFEST, manifest_path), *data, *media]:
                    archive.add(member.path, arcname=member.name, recursive=False)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return report


def _data_write(folder: Path, report: BackupReport) -> list[Member]:
    """Each backed-up model's rows in a JSON file of ``folder``, in the order they load."""
    members = []
    for index, model in enumerate(backed_up_models()):
        label = model._meta.label_lower
        report.rows[label] = model._base_manager.count()
        if not report.rows[label]:
            continue
        name = f"data/{index:02d}-{label}.json"
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8") as stream:
            serializers.serialize(
                "json",
                model._base_manager.order_by("pk").iterator(chunk_size=2000),
                stream=stream,
                cls=FullPrecisionJSONEncoder,
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
            )
        members.append(Member(name, target))
    return members


def _media_members(report: BackupReport) -> list[Member]:
    """The uploaded files, but for those that no row and no version refers to."""
    media_root = Path(settings.MEDIA_ROOT)
    if not media_root.exists():
        return []
    report.unused_files = unused_files(FileSystemStorage(location=media_root))
    unused = set(report.unused_files)
    members = []
    for file_path in sorted(p for p in media_root.rglob("*") if p.is_file()):
        relative = file_path.relative_to(media_root).as_posix()
        if relative not in unused:
            members.append(Member(f"media/{relative}", file_path))
    return members


# Reading ---------------------------------------------------------------------------------


def database_is_empty() -> bool:
    """No entry kept with its history (every model registered with django-reversion) and no
    user: a freshly migrated database."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    kept = [*reversion.get_registered_models(), user_model]
    return not any(model._base_manager.exists() for model in kept)


def restore_max_bytes() -> int:
    return getattr(settings, "BACKUP_RESTORE_MAX_BYTES", RESTORE_MAX_BYTES)


def backup_restore(path: Path) -> dict[str, int]:
    """Load the archive at ``path`` into this empty database, with its files; all or nothing."""
    if not database_is_empty():
        raise BackupError(
            _(
                "this database already holds data: restore only into an empty database "
                "(create a new one and run migrate first)."
            )
        )
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        manifest = backup_unpack(path, folder)
        return _load(folder, manifest)


def backup_unpack(path: Path, folder: Path) -> dict:
    """Check the archive at ``path`` whole, unpack it into ``folder``, and return its manifest.

    Raises BackupError, with the first problem found, before anything is loaded.
    """
    limit = restore_max_bytes()
    try:
        _gzip_check(path, limit)
        with tarfile.open(path, "r|gz") as archive:
            names = _members_extract(archive, folder, limit)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise BackupError(_("the archive holds no tar file that can be read.")) from error
    except OSError as error:
        raise BackupError(
            _("the archive cannot be unpacked: %(reason)s") % {"reason": error.strerror or error}
        ) from error
    if MANIFEST not in names:
        raise BackupError(_("the archive has no manifest.json: it is not a backup of this site."))
    manifest = _manifest_read(folder / MANIFEST)
    expected = _expected_members(manifest)
    _members_compare(folder, names - {MANIFEST}, expected)
    return manifest


def _gzip_check(path: Path, limit: int) -> None:
    """Read the whole compressed stream, so that its CRC and length are checked, without
    keeping what it unpacks to: one gzip member, nothing after it, at most ``limit`` bytes."""
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    unpacked = 0
    with path.open("rb") as handle:
        if handle.read(2) != GZIP_MAGIC:
            raise BackupError(_("the file is not a backup: it is not a gzip archive."))
        handle.seek(0)
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            if decompressor.eof:
                raise BackupError(_("the archive has unexpected data after its end."))
            unpacked += _decompress(decompressor, chunk, limit - unpacked)
            if decompressor.unused_data:
                raise BackupError(_("the archive has unexpected data after its end."))
    if not decompressor.eof:
        raise BackupError(
            _("the archive is incomplete: it stops before the end of its compressed data.")
        )


def _decompress(decompressor, chunk: bytes, room: int) -> int:
    """How many bytes ``chunk`` unpacks to, read in bounded pieces and thrown away."""
    unpacked, pending = 0, chunk
    try:
        while not decompressor.eof:
            piece = decompressor.decompress(pending, CHUNK)
            unpacked += len(piece)
            if unpacked > room:
                raise BackupError(_too_large(restore_max_bytes()))
            pending = decompressor.unconsumed_tail
            # A full piece may leave output inside zlib even when all input was taken.
            if not pending and len(piece) < CHUNK:
                break
    except zlib.error as error:
        raise BackupError(
            _("the archive is damaged: its compressed data fails gzip's check.")
        ) from error
    return unpacked


def _too_large(limit: int) -> str:
    return _(
        "the archive unpacks to more than %(limit)s, the most a restore accepts "
        "(BACKUP_RESTORE_MAX_BYTES)."
    ) % {"limit": filesizeformat(limit)}


def _member_name_problem(member: tarfile.TarInfo) -> str | None:
    """Why a member cannot be unpacked as it is, or None."""
    name = member.name
    parts = name.split("/")
    if (
        name.startswith("/")
        or "\\" in name
        or not name.isprintable()
        or any(part in ("", ".", "..") for part in parts)
    ):
        return _("the archive holds an entry with an unsafe name: %(name)s.")
    if name != MANIFEST and parts[0] not in ("data", "media"):
        return _("the archive holds %(name)s, which is not part of a backup.")
    if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
        return _("the archive holds %(name)s, which is not a plain file (a link or a folder).")
    return None


def _members_extract(archive: tarfile.TarFile, folder: Path, limit: int) -> set[str]:
    """Unpack each member into ``folder`` after checking its name, type and size."""
    names: set[str] = set()
    unpacked = 0
    for member in archive:
        problem = _member_name_problem(member)
        if problem:
            raise BackupError(problem % {"name": repr(member.name)[1:-1]})
        if member.name in names:
            raise BackupError(_("the archive holds %(name)s twice.") % {"name": member.name})
        unpacked += member.size
        if unpacked > limit:
            raise BackupError(_too_large(limit))
        if member.name == MANIFEST and member.size > MANIFEST_MAX_BYTES:
            raise BackupError(_("manifest.json is too large to be a backup's manifest."))
        if len(names) >= RESTORE_MAX_MEMBERS:
            raise BackupError(
                _("the archive holds more than %(count)s files.") % {"count": RESTORE_MAX_MEMBERS}
            )
        names.add(member.name)
        target = folder / member.name
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.extractfile(member) as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy, CHUNK)
    return names


def _manifest_read(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_bytes())
    except (UnicodeDecodeError, ValueError) as error:
        raise BackupError(_("manifest.json is not valid JSON.")) from error
    if not isinstance(manifest, dict) or type(manifest.get("format")) is not int:
        raise _malformed("format")
    version = manifest["format"]
    if version not in READABLE_FORMATS:
        raise BackupError(
            _(
                "the archive is in format %(format)s, which this version of the site cannot "
                "read (it reads formats %(known)s)."
            )
            % {"format": version, "known": ", ".join(map(str, READABLE_FORMATS))}
        )
    _manifest_check(manifest)
    return manifest


def _malformed(key: str) -> BackupError:
    return BackupError(
        _("manifest.json is malformed: “%(key)s” is missing or wrong.") % {"key": key}
    )


def _manifest_check(manifest: dict) -> None:
    """Every key a restore reads is there, with the type it expects."""
    rows = manifest.get("rows")
    if not isinstance(rows, dict) or not all(
        isinstance(label, str) and type(count) is int and count >= 0
        for label, count in rows.items()
    ):
        raise _malformed("rows")
    data = manifest.get("data")
    if not isinstance(data, list) or not all(
        isinstance(name, str) and name.startswith("data/") and name.endswith(".json")
        for name in data
    ):
        raise _malformed("data")
    if len(set(data)) != len(data):
        raise _malformed("data")
    key, entry_keys = ("members", "name") if manifest["format"] == 2 else ("media", "path")
    entries = manifest.get(key)
    if not isinstance(entries, list):
        raise _malformed(key)
    for index, entry in enumerate(entries):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get(entry_keys), str)
            and type(entry.get("size")) is int
            and isinstance(entry.get("sha256"), str)
            and SHA256_PATTERN.match(entry["sha256"])
        ):
            raise _malformed(f"{key}[{index}]")


def _expected_members(manifest: dict) -> dict[str, dict | None]:
    """Each member the manifest names, with its size and hash where the manifest gives them
    (format 1 gave them for uploaded files only)."""
    if manifest["format"] == 1:
        expected: dict[str, dict | None] = dict.fromkeys(manifest["data"])
        entries = [{**entry, "name": f"media/{entry['path']}"} for entry in manifest["media"]]
    else:
        expected = {}
        entries = manifest["members"]
    for index, entry in enumerate(entries):
        if entry["name"] in expected and expected[entry["name"]] is not None:
            raise _malformed(f"members[{index}]")
        expected[entry["name"]] = entry
    data = set(manifest["data"])
    if not data <= expected.keys():
        raise _malformed("data")
    if manifest["format"] == 2 and data != {n for n in expected if n.startswith("data/")}:
        raise _malformed("data")
    return expected


def _members_compare(folder: Path, found: set[str], expected: dict[str, dict | None]) -> None:
    missing = sorted(expected.keys() - found)
    if missing:
        raise BackupError(
            _("%(name)s is in the manifest but missing from the archive.") % {"name": missing[0]}
        )
    unexpected = sorted(found - expected.keys())
    if unexpected:
        raise BackupError(
            _("the archive holds %(name)s, which its manifest does not list.")
            % {"name": unexpected[0]}
        )
    for name, entry in sorted(expected.items()):
        if entry is None:
            continue
        path = folder / name
        if path.stat().st_size != entry["size"]:
            raise BackupError(
                _("%(name)s does not have the size its manifest gives.") % {"name": name}
            )
        if _sha256(path) != entry["sha256"]:
            raise BackupError(_("%(name)s does not match its checksum.") % {"name": name})


def _load(folder: Path, manifest: dict) -> dict[str, int]:
    media_root = Path(settings.MEDIA_ROOT)
    written: list[Path] = []
    try:
        with transaction.atomic():
            counts = _rows_load(folder, manifest)
            for name in sorted(p for p in _member_names(manifest) if p.startswith("media/")):
                target = media_root / name.removeprefix("media/")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(folder / name, target)
                written.append(target)
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    return counts


def _member_names(manifest: dict) -> list[str]:
    if manifest["format"] == 1:
        return [f"media/{entry['path']}" for entry in manifest["media"]]
    return [entry["name"] for entry in manifest["members"]]


def _rows_load(folder: Path, manifest: dict) -> dict[str, int]:
    fixtures = [str(folder / name) for name in manifest["data"]]
    try:
        call_command("loaddata", *fixtures, verbosity=0)
    # loaddata re-raises whatever a row caused (a key it cannot find, a constraint, a field
    # this version lacks), the fixture named in the message: the operator needs that line.
    except Exception as error:
        reason = " ".join(str(error).split())
        raise BackupError(
            _("the rows could not be loaded: %(reason)s") % {"reason": reason}
        ) from error
    counts = {model._meta.label_lower: model._base_manager.count() for model in backed_up_models()}
    wrong = sorted(
        label for label, rows in manifest["rows"].items() if counts.get(label, 0) != rows
    )
    if wrong:
        raise BackupError(
            _("after loading, the rows of %(models)s do not match the manifest.")
            % {"models": ", ".join(wrong)}
        )
    return counts
