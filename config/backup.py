"""One archive with all the site's data and uploaded files, portable between databases.

The archive (``.tar.gz``) holds:

- ``manifest.json``: format version, date, Django version, rows per model, and every media file
  with its size and SHA-256;
- ``data/NN-app.model.json``: each model's rows in Django's JSON serialization, in an order that
  loads (users before the revisions they signed...), with times to the microsecond. Users,
  groups and permissions are named by their natural keys, so the archive loads into any
  freshly migrated database, SQLite or PostgreSQL;
- ``media/...``: the uploaded files (portraits).

Sessions, sign-in attempts, pending BibTeX previews and the rows migrations create themselves
(content types, permissions) are left out. Restoring goes into an empty database, in one
transaction: a damaged archive or a failed check leaves nothing behind.
"""

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

FORMAT_VERSION = 1
# What a backup leaves out: rows that migrations recreate, and passing state.
EXCLUDED = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "axes.accessattemptexpiration",
    "publications.pendingimport",
}
# Rows that make a database "not empty" for a restore.
PROJECT_APPS = ("profiles", "publications")


class FullPrecisionJSONEncoder(DjangoJSONEncoder):
    """Django's JSON, with times to the microsecond: Django's own encoder keeps milliseconds,
    so a restored row would differ from the one backed up."""

    def default(self, o):
        if isinstance(o, (datetime, time)):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class BackupError(Exception):
    """A backup cannot be restored; the message says why, for the operator."""


@dataclass
class BackupReport:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0


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
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(tz=timezone.utc).timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup_write(path: Path) -> BackupReport:
    """Write the archive at ``path`` (its folder is created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    report = BackupReport(path=path)
    media_root = Path(settings.MEDIA_ROOT)
    media = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(path, "w:gz") as archive:
        data_names = []
        for index, model in enumerate(backed_up_models()):
            label = model._meta.label_lower
            report.rows[label] = model._base_manager.count()
            if not report.rows[label]:
                continue
            name = f"data/{index:02d}-{label}.json"
            target = Path(scratch) / "data.json"
            with target.open("w", encoding="utf-8") as stream:
                serializers.serialize(
                    "json",
                    model._base_manager.order_by("pk").iterator(chunk_size=2000),
                    stream=stream,
                    cls=FullPrecisionJSONEncoder,
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=True,
                )
            archive.add(target, arcname=name)
            data_names.append(name)
        files = []
        for file_path in media:
            relative = file_path.relative_to(media_root).as_posix()
            archive.add(file_path, arcname=f"media/{relative}")
            files.append(
                {"path": relative, "size": file_path.stat().st_size, "sha256": _sha256(file_path)}
            )
        report.files = len(files)
        manifest = {
            "format": FORMAT_VERSION,
            "created": datetime.now(tz=timezone.utc).isoformat(),
            "django": django.get_version(),
            "data": data_names,
            "rows": report.rows,
            "media": files,
        }
        _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
    return report


def database_is_empty() -> bool:
    """No researcher, topic, author or publication, and no user: a freshly migrated database."""
    project_models = [
        model for app in PROJECT_APPS for model in apps.get_app_config(app).get_models()
    ]
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return not any(m._base_manager.exists() for m in [*project_models, user_model])


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def backup_restore(path: Path) -> dict[str, int]:
    """Load the archive at ``path`` into this empty database, with its files; all or nothing."""
    if not database_is_empty():
        raise BackupError(
            "This database already holds data: restore only into an empty database "
            "(create a new one and run migrate first)."
        )
    try:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            with tarfile.open(path, "r:gz") as archive:
                members = archive.getmembers()
                unsafe = [m.name for m in members if not _safe_member(m.name) or not m.isfile()]
                if unsafe:
                    raise BackupError(f"The archive holds unexpected entries: {unsafe[:3]}")
                if hasattr(tarfile, "data_filter"):  # Python 3.10.12+, 3.11.4+
                    archive.extractall(folder, filter="data")
                else:  # every member was checked above: plain files inside the folder
                    archive.extractall(folder)  # noqa: S202
            return _load(folder)
    except (tarfile.TarError, EOFError, OSError, json.JSONDecodeError) as error:
        raise BackupError(f"The archive cannot be read ({error}): is it complete?") from error


def _load(folder: Path) -> dict[str, int]:
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise BackupError("The archive has no manifest.json: it is not a backup of this site.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for entry in manifest["media"]:
        file_path = folder / "media" / entry["path"]
        if not file_path.exists() or _sha256(file_path) != entry["sha256"]:
            raise BackupError(f"The file {entry['path']} is missing or damaged in the archive.")
    media_root = Path(settings.MEDIA_ROOT)
    with transaction.atomic():
        fixtures = [str(folder / name) for name in manifest["data"]]
        call_command("loaddata", *fixtures, verbosity=0)
        counts = {
            model._meta.label_lower: model._base_manager.count() for model in backed_up_models()
        }
        wrong = {
            label: (rows, counts.get(label))
            for label, rows in manifest["rows"].items()
            if counts.get(label) != rows
        }
        if wrong:
            raise BackupError(f"Rows do not match the manifest after loading: {wrong}")
        for entry in manifest["media"]:
            target = media_root / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / "media" / entry["path"], target)
    return counts
